/*  cubefile: the file the cube lives in. See cubefile.h. */
#include "cubefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"

#define MAGIC    "socincub"
#define VERSION  1
#define HEAD     4096           /* the header's page */
#define RESERVE  (256ULL << 30) /* address space the map may grow into */
#define GROW     (64ULL << 20)  /* the file grows by this much at a time */
#define BUSY     1              /* a change is under way */
#define UNUSABLE 2              /* part of the cube lives outside the file */
#define SYNCED   4              /* on disk as it is: trusted after a reboot */
#define STALE    8              /* values wait for registry data */

typedef struct {
    char magic[8];
    uint32_t version;
    uint32_t flags;
    uint64_t fingerprint; /* the model the cube was built for */
    uint64_t digest;      /* the applied sequences it reflects */
    char boot[48];        /* the boot it was last changed in */
    uint64_t used;        /* bytes in use, header included */
    uint64_t first, last; /* offsets of the first and last record (0: none) */
} s_head_t;

/* What precedes each record. */
typedef struct {
    uint64_t next;
    uint64_t size;
} s_link_t;

struct rep_cubefile_t {
    int fd;
    char *base;
    uint64_t size; /* of the file */
    char boot[48];
    bool broken; /* the header itself could not be written: nothing is kept in the file */
};

static s_head_t *
s_head (rep_cubefile_t *self)
{
    return (s_head_t *)self->base;
}

static void
s_boot_id (char *out, size_t len)
{
    FILE *f = fopen ("/proc/sys/kernel/random/boot_id", "r");
    out[0] = 0;
    if (f && fgets (out, (int)len, f)) out[strcspn (out, "\n")] = 0;
    if (f) fclose (f);
}

/* Makes the file at least SIZE bytes, its blocks allocated (a write into the map then cannot
   fail for want of disk). */
static bool
s_grow (rep_cubefile_t *self, uint64_t size)
{
    if (size <= self->size) return true;
    uint64_t want = (size + GROW - 1) / GROW * GROW;
    if (want > RESERVE) return false;
    int rc = posix_fallocate (self->fd, (off_t)self->size, (off_t)(want - self->size));
    if (rc) {
        socin_warn ("cube.file_full", "bytes=%llu reason=%s", (unsigned long long)want,
                    socin_log_q (strerror (rc)));
        return false;
    }
    self->size = want;
    return true;
}

rep_cubefile_t *
rep_cubefile_open (const char *path)
{
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0 || fstat (fd, &st)) {
        socin_warn ("cube.file_failed", "path=%s reason=%s", socin_log_q (path),
                    socin_log_q (strerror (errno)));
        if (fd >= 0) close (fd);
        return NULL;
    }
    void *base = mmap (NULL, RESERVE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        socin_warn ("cube.file_failed", "path=%s reason=%s", socin_log_q (path),
                    socin_log_q (strerror (errno)));
        close (fd);
        return NULL;
    }
    rep_cubefile_t *self = socin_calloc (1, sizeof *self);
    self->fd = fd;
    self->base = base;
    self->size = (uint64_t)st.st_size;
    s_boot_id (self->boot, sizeof self->boot);
    if (!s_grow (self, HEAD)) {
        rep_cubefile_destroy (&self);
        return NULL;
    }
    return self;
}

void
rep_cubefile_destroy (rep_cubefile_t **self_p)
{
    rep_cubefile_t *self = *self_p;
    if (!self) return;
    munmap (self->base, RESERVE);
    close (self->fd);
    free (self);
    *self_p = NULL;
}

const char *
rep_cubefile_check (rep_cubefile_t *self, uint64_t fingerprint, uint64_t digest)
{
    const s_head_t *h = s_head (self);
    if (self->broken || memcmp (h->magic, MAGIC, 8) || h->version != VERSION) return "no cube";
    if (h->fingerprint != fingerprint) return "built for another registry state";
    if (h->digest != digest) return "behind or ahead of the store";
    if (h->flags & BUSY) return "left in the middle of a change";
    if (h->flags & UNUSABLE) return "part of the cube was not in the file";
    if (!(h->flags & SYNCED) && strcmp (h->boot, self->boot))
        return "written before a reboot and not synced";
    if (h->used < HEAD || h->used > self->size || h->first >= h->used || h->last >= h->used)
        return "damaged";
    return NULL;
}

void
rep_cubefile_reset (rep_cubefile_t *self, uint64_t fingerprint)
{
    /* Dropping the blocks zeroes them: what is handed out again starts at zero. */
    if (ftruncate (self->fd, 0) == 0) self->size = 0;
    self->broken = !s_grow (self, HEAD);
    if (self->broken) return;
    s_head_t *h = s_head (self);
    memset (h, 0, sizeof *h);
    memcpy (h->magic, MAGIC, 8);
    h->version = VERSION;
    h->flags = BUSY; /* until the cube is whole (rep_cubefile_done) */
    h->fingerprint = fingerprint;
    snprintf (h->boot, sizeof h->boot, "%s", self->boot);
    h->used = HEAD;
}

void *
rep_cubefile_alloc (rep_cubefile_t *self, size_t size)
{
    if (self->broken) return NULL;
    s_head_t *h = s_head (self);
    uint64_t at = (h->used + 15) / 16 * 16;
    if (!s_grow (self, at + size)) return NULL;
    h->used = at + size;
    return self->base + at;
}

void *
rep_cubefile_record (rep_cubefile_t *self, size_t size)
{
    s_link_t *link = rep_cubefile_alloc (self, sizeof *link + size);
    if (!link) return NULL;
    s_head_t *h = s_head (self);
    uint64_t off = (uint64_t)((char *)link - self->base);
    link->size = size;
    if (h->last)
        ((s_link_t *)(self->base + h->last))->next = off;
    else
        h->first = off;
    h->last = off;
    return link + 1;
}

uint64_t
rep_cubefile_offset (rep_cubefile_t *self, const void *p)
{
    return p ? (uint64_t)((const char *)p - self->base) : 0;
}

void *
rep_cubefile_at (rep_cubefile_t *self, uint64_t off)
{
    return off >= HEAD && off < s_head (self)->used ? self->base + off : NULL;
}

void *
rep_cubefile_first (rep_cubefile_t *self)
{
    if (self->broken) return NULL;
    uint64_t off = s_head (self)->first;
    return off ? (s_link_t *)(self->base + off) + 1 : NULL;
}

void *
rep_cubefile_next (rep_cubefile_t *self, void *record)
{
    uint64_t off = ((s_link_t *)record - 1)->next;
    return off && off < s_head (self)->used ? (s_link_t *)(self->base + off) + 1 : NULL;
}

void
rep_cubefile_begin (rep_cubefile_t *self)
{
    if (self->broken) return;
    s_head_t *h = s_head (self);
    h->flags = (h->flags | BUSY) & ~(uint32_t)SYNCED;
    snprintf (h->boot, sizeof h->boot, "%s", self->boot);
}

void
rep_cubefile_done (rep_cubefile_t *self, uint64_t digest, bool stale)
{
    if (self->broken) return;
    s_head_t *h = s_head (self);
    h->digest = digest;
    h->flags = (h->flags & ~(uint32_t)(BUSY | STALE)) | (stale ? STALE : 0);
}

bool
rep_cubefile_stale (rep_cubefile_t *self)
{
    return !self->broken && s_head (self)->flags & STALE;
}

void
rep_cubefile_unusable (rep_cubefile_t *self)
{
    if (!self->broken) s_head (self)->flags |= UNUSABLE;
}

void
rep_cubefile_sync (rep_cubefile_t *self)
{
    if (self->broken) return;
    s_head_t *h = s_head (self);
    if (msync (self->base, self->size, MS_SYNC)) return;
    if (h->flags & (BUSY | UNUSABLE)) return;
    h->flags |= SYNCED;
    msync (self->base, HEAD, MS_SYNC);
}

uint64_t
rep_cubefile_used (rep_cubefile_t *self)
{
    return self->broken ? 0 : s_head (self)->used;
}
