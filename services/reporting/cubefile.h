/*  cubefile: the file the cube lives in, so that its memory is page cache the kernel can
    write back and drop (a decade of slabs is not the daemon's anonymous memory), and so that
    a restarted reporting finds the cube it had instead of rebuilding it from every value.

    The file (cube.map in the data directory) is mapped shared and read-write at a fixed
    reservation, so pointers into it stay valid while it grows; space is handed out by a bump
    allocator, zeroed, and only given back all at once (reset). Beside the arrays it holds a
    list of records (what the cube needs to find its arrays again) and a header: the model's
    fingerprint, the digest of the applied sequences the cube reflects, the boot it was written
    in, and whether a change is under way. Because the mapping is shared, a process killed with
    kill -9 leaves the file as its memory was; a machine that went down may have written back
    some pages and not others, so the file is trusted after a reboot only when it was synced
    at a clean stop (rep_cubefile_sync).
*/
#ifndef SOCIN_REPORTING_CUBEFILE_H
#define SOCIN_REPORTING_CUBEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rep_cubefile_t rep_cubefile_t;

/* Opens (creating) the file at PATH and maps it. NULL (with a warning logged) when it cannot:
   the cube then lives on the heap. */
rep_cubefile_t *rep_cubefile_open (const char *path);
void rep_cubefile_destroy (rep_cubefile_t **self_p);

/* NULL when the file holds a whole cube for model FINGERPRINT reflecting applied sequences
   DIGEST (no change was under way, written in this boot or synced since); else why not. */
const char *rep_cubefile_check (rep_cubefile_t *self, uint64_t fingerprint, uint64_t digest);

/* Empties the file for a cube of model FINGERPRINT; what it held is gone. */
void rep_cubefile_reset (rep_cubefile_t *self, uint64_t fingerprint);

/* SIZE zeroed bytes (16-aligned) that live as long as the file's contents, or NULL when the
   file cannot grow (the disk is full): the caller allocates elsewhere and the file stops being
   trusted (rep_cubefile_unusable). */
void *rep_cubefile_alloc (rep_cubefile_t *self, size_t size);

/* A record of SIZE zeroed bytes appended to the list, or NULL as above. */
void *rep_cubefile_record (rep_cubefile_t *self, size_t size);

/* Where P (in the file) is, as an offset that stays right across restarts (0 for NULL); and
   the pointer for offset OFF (NULL when it is outside what is in use). */
uint64_t rep_cubefile_offset (rep_cubefile_t *self, const void *p);
void *rep_cubefile_at (rep_cubefile_t *self, uint64_t off);

/* The records in the order they were appended: the first, then each one's next (NULL at the
   end). */
void *rep_cubefile_first (rep_cubefile_t *self);
void *rep_cubefile_next (rep_cubefile_t *self, void *record);

/* A change is under way (the file is not trusted until rep_cubefile_done). */
void rep_cubefile_begin (rep_cubefile_t *self);
/* The cube now reflects applied sequences DIGEST; STALE: some values wait for registry data. */
void rep_cubefile_done (rep_cubefile_t *self, uint64_t digest, bool stale);
/* Whether the file, when valid, was left with values waiting for registry data. */
bool rep_cubefile_stale (rep_cubefile_t *self);

/* Something of the cube lives outside the file: it is not trusted until the next reset. */
void rep_cubefile_unusable (rep_cubefile_t *self);

/* Writes the file to disk, so that it is trusted after a reboot too (a clean stop). */
void rep_cubefile_sync (rep_cubefile_t *self);

/* Bytes of the file in use. */
uint64_t rep_cubefile_used (rep_cubefile_t *self);

#endif
