/*  chunks: a sorted map of small entries, kept as chunks of consecutive entries. See chunks.h. */
#include "chunks.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "varint.h"

/* The bytes a chunk grows to before it is split. A chunk, its key and LMDB's node header stay
   well under LMDB's largest node in a 4 kB page (about 2,000 bytes), beyond which a node goes
   to overflow pages that are rewritten whole; smaller chunks cost more keys and headers, and
   larger ones more bytes moved for each entry put. And LMDB, splitting a full page for a node
   put at its end, moves the page's last node to the new page too: a page that holds m nodes
   keeps m - 1, so the size is one six of which fill a page (with their keys and headers, about
   674 bytes each) and five still fill 83% of it. A chunk put after every other one is
   appended (MDB_APPEND), which leaves the page full. */
#define CHUNK_MAX 640

#define KEY_MAX 511

static const unsigned char s_count_key[1] = {1};

/* Moved by every write any handle of this thread makes, so that a handle can tell that the
   chunk it holds may have changed under it (chunks.h). */
static __thread uint64_t s_gen;

struct socin_chunks_t {
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    int64_t delta; /* entries added less entries deleted, not yet in the count */

    /* The chunk in memory: the one whose range [ck, up) covers the keys last asked for (the
       first chunk also covers every key before it). With no chunk at all (an empty map) it is
       empty, with no key, and covers everything. */
    bool loaded;
    uint64_t gen;    /* s_gen when it was read or last written */
    bool dirty;      /* changed since it was read or written */
    bool exists;     /* LMDB holds it under ck (or oldck, when rekeyed) */
    bool rekeyed;    /* its first key changed: LMDB holds it under oldck */
    bool first;      /* no chunk comes before it */
    bool has_up;     /* a chunk follows it, under up */
    bool positioned; /* the LMDB cursor is on its node */
    unsigned char ck[KEY_MAX], oldck[KEY_MAX], up[KEY_MAX];
    size_t cklen, oldcklen, uplen;
    unsigned char *buf; /* its entries */
    size_t len, cap;
    /* Its last entry's key, when known (tail_ok): a key after it is put at the end without a
       search, which is how a run in key order grows a chunk. */
    bool tail_ok;
    unsigned char tail[KEY_MAX];
    size_t taillen;

    /* The entry the handle is on. */
    bool on;
    size_t at, next;   /* its offset, and the next entry's */
    size_t shared;     /* its key's bytes in common with the key before it */
    size_t szoff;      /* where its data's size starts */
    size_t doff, dlen; /* its data */
    unsigned char key[KEY_MAX];
    size_t klen;
    /* Deleted by the handle's last call: MDB_NEXT and MDB_PREV go from where it was, as after
       mdb_cursor_del. */
    bool gone;
    unsigned char gonekey[KEY_MAX];
    size_t gonelen;

    unsigned char near[2][KEY_MAX]; /* the neighbours a put returns */
    unsigned char *tmp;             /* bytes being put together */
    size_t tmpcap;
};

/* ---- keys and entries ---- */

static int
s_cmp (const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    MDB_val x = {alen, (void *)a}, y = {blen, (void *)b};
    return socin_store_cmp (&x, &y);
}

static size_t
s_common (const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

static bool
s_is_count (const MDB_val *k)
{
    return k->mv_size == 1 && ((const unsigned char *)k->mv_data)[0] == 1;
}

static bool
s_key_ok (const MDB_val *key)
{
    return key && key->mv_size >= 1 && key->mv_size <= KEY_MAX &&
           ((const unsigned char *)key->mv_data)[0] > 1;
}

/* The bytes an entry takes whose key shares SHARED bytes and adds REST, with SIZE of data. */
static size_t
s_entry_size (size_t shared, size_t rest, size_t size)
{
    return socin_varint_size (shared) + socin_varint_size (rest) + rest + socin_varint_size (size) +
           size;
}

/* Writes at P an entry: SHARED, then REST bytes of KEY from KEY + SHARED, then SIZE bytes of
   DATA (left as they are when DATA is NULL). Returns the byte after it. */
static unsigned char *
s_entry_put (unsigned char *p, const unsigned char *key, size_t shared, size_t rest,
             const void *data, size_t size)
{
    p = socin_varint_put (p, shared);
    p = socin_varint_put (p, rest);
    memcpy (p, key + shared, rest);
    p += rest;
    p = socin_varint_put (p, size);
    if (data && size) memcpy (p, data, size);
    return p + size;
}

/* Copies N bytes from SRC to DST, as one fixed 16-byte move when N is at most 16 and both
   have room for 16 (WIDE): most keys' parts are short, and a variable length costs a call to
   memcpy. */
static inline void
s_copy (unsigned char *dst, const unsigned char *src, size_t n, bool wide)
{
    if (wide && n <= 16)
        memcpy (dst, src, 16);
    else
        memcpy (dst, src, n);
}

typedef struct {
    size_t at, next, shared, szoff, doff, dlen;
} s_pos_t;

/* Reads the entry at OFF: KEY (KLEN bytes, the key before it) becomes its key, with the bytes
   of the old key past the shared ones saved in TAIL (TAILLEN) when TAIL is given. Fills the
   handle-like position fields; false when the bytes are not an entry. */
static bool
s_entry_get (const unsigned char *buf, size_t len, size_t off, unsigned char *key, size_t *klen,
             unsigned char *tail, size_t *taillen, s_pos_t *pos)
{
    const unsigned char *p = buf + off, *end = buf + len;
    uint64_t shared, rest, size;
    if (end - p >= 2 && p[0] < 0x80 && p[1] < 0x80) {
        /* Both one byte, as nearly always. */
        shared = p[0];
        rest = p[1];
        p += 2;
    } else if (!socin_varint_get (&p, end, &shared) || !socin_varint_get (&p, end, &rest))
        return false;
    if (shared > *klen || shared + rest > KEY_MAX || shared + rest == 0 || rest > (size_t)(end - p))
        return false;
    bool room = shared + 16 <= KEY_MAX; /* in KEY (and TAIL) for 16 bytes from SHARED */
    if (tail) {
        *taillen = *klen - (size_t)shared;
        s_copy (tail, key + shared, *taillen, room);
    }
    s_copy (key + shared, p, rest, room && end - p >= 16);
    p += rest;
    *klen = (size_t)(shared + rest);
    pos->at = off;
    pos->shared = (size_t)shared;
    pos->szoff = (size_t)(p - buf);
    if (p < end && *p < 0x80)
        size = *p++;
    else if (!socin_varint_get (&p, end, &size))
        return false;
    if (size > (size_t)(end - p)) return false;
    pos->doff = (size_t)(p - buf);
    pos->dlen = (size_t)size;
    pos->next = pos->doff + pos->dlen;
    return true;
}

/* ---- the chunk in memory ---- */

static void
s_reserve (unsigned char **b, size_t *cap, size_t need)
{
    if (need <= *cap) return;
    size_t n = *cap ? *cap : 2048;
    while (n < need)
        n *= 2;
    *b = socin_realloc (*b, n);
    *cap = n;
}

/* Replaces the bytes [FROM, TO) of the chunk with N bytes of BYTES. */
static void
s_splice (socin_chunks_t *self, size_t from, size_t to, const unsigned char *bytes, size_t n)
{
    s_reserve (&self->buf, &self->cap, self->len - (to - from) + n);
    memmove (self->buf + from + n, self->buf + to, self->len - to);
    if (n) memcpy (self->buf + from, bytes, n);
    self->len = self->len - (to - from) + n;
    self->tail_ok = false;
}

static void
s_set_key (unsigned char *dst, size_t *dlen, const MDB_val *k)
{
    memcpy (dst, k->mv_data, k->mv_size);
    *dlen = k->mv_size;
}

/* Takes chunk K (data D), which the LMDB cursor is on, into memory. */
static int
s_adopt (socin_chunks_t *self, const MDB_val *k, const MDB_val *d)
{
    if (k->mv_size > KEY_MAX) return MDB_CORRUPTED;
    s_set_key (self->ck, &self->cklen, k);
    s_reserve (&self->buf, &self->cap, d->mv_size);
    memcpy (self->buf, d->mv_data, d->mv_size);
    self->len = d->mv_size;
    self->tail_ok = false;
    self->loaded = self->exists = self->positioned = true;
    self->dirty = self->rekeyed = self->first = self->has_up = self->on = false;
    self->gen = s_gen;
    return 0;
}

/* Reads the key of the chunk after the one the cursor is on into up, leaving the cursor on it
   again when it can. */
static int
s_fetch_up (socin_chunks_t *self)
{
    self->positioned = false; /* until the cursor is back */
    MDB_val k, d;
    int rc = mdb_cursor_get (self->cur, &k, &d, MDB_NEXT);
    if (rc == MDB_NOTFOUND) {
        self->has_up = false;
        self->positioned = false;
        return 0;
    }
    if (rc) return rc;
    if (k.mv_size > KEY_MAX) return MDB_CORRUPTED;
    s_set_key (self->up, &self->uplen, &k);
    self->has_up = true;
    rc = mdb_cursor_get (self->cur, &k, &d, MDB_PREV);
    self->positioned = rc == 0;
    return rc;
}

/* mdb_cursor_put (KEY, D->mv_size bytes reserved) with FLAGS; LAST when no chunk comes after
   KEY (it is appended, unless LMDB finds one after all). */
static int
s_write (socin_chunks_t *self, MDB_val *key, MDB_val *d, unsigned flags, bool last)
{
    int rc =
        last ? mdb_cursor_put (self->cur, key, d, flags | MDB_RESERVE | MDB_APPEND) : MDB_KEYEXIST;
    if (rc == MDB_KEYEXIST) rc = mdb_cursor_put (self->cur, key, d, flags | MDB_RESERVE);
    return rc;
}

/* Writes the chunk in memory to LMDB (or deletes it, emptied). */
int
socin_chunks_flush (socin_chunks_t *self)
{
    if (!self->loaded || !self->dirty) return 0;
    int rc = 0;
    if (self->exists && (self->rekeyed || self->len == 0)) {
        MDB_val k = self->rekeyed ? (MDB_val){self->oldcklen, self->oldck}
                                  : (MDB_val){self->cklen, self->ck};
        rc = self->positioned ? mdb_cursor_del (self->cur, 0)
                              : mdb_del (self->txn, self->dbi, &k, NULL);
        self->exists = self->positioned = false;
    }
    if (!rc && self->len) {
        MDB_val k = {self->cklen, self->ck}, d = {self->len, NULL};
        rc = s_write (self, &k, &d, self->exists && self->positioned ? MDB_CURRENT : 0,
                      !self->exists && !self->has_up);
        if (!rc) {
            memcpy (d.mv_data, self->buf, self->len);
            self->exists = self->positioned = true;
        }
    }
    s_gen++;
    self->gen = s_gen;
    self->rekeyed = false;
    if (rc) {
        /* What LMDB holds is not known now: the transaction is to be abandoned. */
        self->loaded = self->on = false;
        return rc;
    }
    self->dirty = false;
    if (!self->len) self->loaded = self->on = false;
    return 0;
}

/* Whether the chunk in memory is the one KEY belongs in. */
static bool
s_covers (const socin_chunks_t *self, const unsigned char *key, size_t klen)
{
    if (!self->loaded || (!self->dirty && self->gen != s_gen)) return false;
    /* Emptied by deletions: written (deleted) first, so that a put finds the key before it. */
    if (!self->len && self->cklen) return false;
    if (!self->first && s_cmp (key, klen, self->ck, self->cklen) < 0) return false;
    return !self->has_up || s_cmp (key, klen, self->up, self->uplen) < 0;
}

/* Takes the chunk KEY belongs in into memory: the last one whose key is not after KEY, else
   the first. */
static int
s_load (socin_chunks_t *self, const unsigned char *key, size_t klen)
{
    int rc = socin_chunks_flush (self);
    if (rc) return rc;
    /* The cursor moves: it is on the chunk in memory again only once one is adopted. */
    self->on = self->positioned = false;
    MDB_val k = {klen, (void *)key}, d;
    rc = mdb_cursor_get (self->cur, &k, &d, MDB_SET_RANGE);
    /* A key before the count's (a read: no key put starts so low) lands on it. */
    if (rc == 0 && s_is_count (&k)) rc = mdb_cursor_get (self->cur, &k, &d, MDB_NEXT);
    if (rc && rc != MDB_NOTFOUND) return rc;
    if (rc == 0 && s_cmp (k.mv_data, k.mv_size, key, klen) == 0) {
        if ((rc = s_adopt (self, &k, &d))) return rc;
        return s_fetch_up (self);
    }
    bool after = rc == 0;
    unsigned char a[KEY_MAX];
    size_t alen = 0;
    if (after) {
        if (k.mv_size > KEY_MAX) return MDB_CORRUPTED;
        s_set_key (a, &alen, &k);
    }
    rc = mdb_cursor_get (self->cur, &k, &d, after ? MDB_PREV : MDB_LAST);
    if (rc && rc != MDB_NOTFOUND) return rc;
    if (rc == 0 && !s_is_count (&k)) {
        if ((rc = s_adopt (self, &k, &d))) return rc;
        self->has_up = after;
        if (after) memcpy (self->up, a, self->uplen = alen);
        return 0;
    }
    if (!after) {
        /* No chunk at all. */
        self->loaded = self->first = true;
        self->exists = self->dirty = self->rekeyed = self->has_up = self->positioned = false;
        self->len = self->cklen = 0;
        self->tail_ok = false;
        self->gen = s_gen;
        return 0;
    }
    /* KEY comes before every chunk: it belongs in the first. */
    k = (MDB_val){alen, a};
    if ((rc = mdb_cursor_get (self->cur, &k, &d, MDB_SET_KEY)) || (rc = s_adopt (self, &k, &d)))
        return rc;
    self->first = true;
    return s_fetch_up (self);
}

/* The chunk KEY belongs in, in memory. */
static int
s_cover (socin_chunks_t *self, const unsigned char *key, size_t klen)
{
    return s_covers (self, key, klen) ? 0 : s_load (self, key, klen);
}

/* The handle on the chunk's first entry (false when it has none, or it does not read). */
static bool
s_first_entry (socin_chunks_t *self)
{
    s_pos_t p;
    memcpy (self->key, self->ck, self->cklen);
    self->klen = self->cklen;
    self->on =
        self->len && s_entry_get (self->buf, self->len, 0, self->key, &self->klen, NULL, NULL, &p);
    if (self->on) {
        self->at = p.at, self->next = p.next, self->shared = p.shared;
        self->szoff = p.szoff, self->doff = p.doff, self->dlen = p.dlen;
    }
    return self->on;
}

/* The handle on the entry after the one it is on, in this chunk (false at its end). */
static int
s_step (socin_chunks_t *self)
{
    if (self->next >= self->len) return MDB_NOTFOUND;
    s_pos_t p;
    if (!s_entry_get (self->buf, self->len, self->next, self->key, &self->klen, NULL, NULL, &p))
        return MDB_CORRUPTED;
    self->at = p.at, self->next = p.next, self->shared = p.shared;
    self->szoff = p.szoff, self->doff = p.doff, self->dlen = p.dlen;
    return 0;
}

/* Where KEY is in the chunk in memory: the handle goes on the first entry not before it
   (self->on false when there is none: KEY comes after them all); *FOUND tells whether it is
   KEY. *HAS_PREV tells whether an entry of this chunk comes before that position; then PREV
   (PREVLEN), when given, gets its key, and *SHARED, when given, the bytes its key has in
   common with KEY. */
static int
s_seek (socin_chunks_t *self, const unsigned char *key, size_t klen, bool *found, bool *has_prev,
        unsigned char *prev, size_t *prevlen, size_t *shared)
{
    unsigned char tail[KEY_MAX];
    size_t taillen = 0;
    *found = *has_prev = false;
    self->on = false;
    memcpy (self->key, self->ck, self->cklen);
    self->klen = self->cklen;
    /* M: the bytes the key last read has in common with KEY. The next key, if it shares more
       than M bytes with that one, compares with KEY as that one did (before it); if fewer, it
       comes after KEY: only a key that shares exactly M bytes is compared, from byte M on. */
    size_t off = 0, m = 0;
    s_pos_t p;
    while (off < self->len) {
        if (!s_entry_get (self->buf, self->len, off, self->key, &self->klen, prev ? tail : NULL,
                          &taillen, &p))
            return MDB_CORRUPTED;
        /* M is still what the key before this one has in common with KEY. */
        if (shared) *shared = m;
        int c = 1;
        if (off > 0 && p.shared > m) {
            off = p.next;
            continue;
        }
        if (off == 0 || p.shared == m) {
            size_t j = off ? m : 0, n = klen < self->klen ? klen : self->klen;
            while (j < n && self->key[j] == key[j])
                j++;
            m = j;
            c = j < n ? (self->key[j] < key[j] ? -1 : 1)
                      : (self->klen < klen ? -1 : self->klen > klen);
        }
        if (c >= 0) {
            self->on = true;
            self->at = p.at, self->next = p.next, self->shared = p.shared;
            self->szoff = p.szoff, self->doff = p.doff, self->dlen = p.dlen;
            *found = c == 0;
            *has_prev = off > 0;
            if (*has_prev && prev) {
                /* The key before: the shared bytes, then what this entry wrote over. */
                memcpy (prev, self->key, p.shared);
                memcpy (prev + p.shared, tail, taillen);
                *prevlen = p.shared + taillen;
            }
            return 0;
        }
        off = p.next;
    }
    /* After every entry: the last one is the key before. */
    if (shared) *shared = m;
    if (self->len) {
        memcpy (self->tail, self->key, self->taillen = self->klen);
        self->tail_ok = true;
    }
    *has_prev = self->len > 0;
    if (*has_prev && prev) {
        memcpy (prev, self->key, self->klen);
        *prevlen = self->klen;
    }
    return 0;
}

/* The key of the entry at OFF (an entry's start) into KEY; false when it does not read. */
static bool
s_key_at (const socin_chunks_t *self, size_t off, unsigned char *key, size_t *klen, s_pos_t *pos)
{
    memcpy (key, self->ck, self->cklen);
    *klen = self->cklen;
    for (size_t o = 0; o <= off && o < self->len;) {
        if (!s_entry_get (self->buf, self->len, o, key, klen, NULL, NULL, pos)) return false;
        if (o == off) return true;
        o = pos->next;
    }
    return false;
}

/* The entry at OFF (KEY, its data at DOFF, DLEN) written as the first of a chunk into tmp
   at TO; returns the bytes. */
static size_t
s_as_first (socin_chunks_t *self, size_t to, const unsigned char *key, size_t klen, size_t doff,
            size_t dlen)
{
    s_reserve (&self->tmp, &self->tmpcap, to + s_entry_size (klen, 0, dlen));
    unsigned char *e = s_entry_put (self->tmp + to, key, klen, 0, self->buf + doff, dlen);
    return (size_t)(e - self->tmp) - to;
}

/* Writes a chunk to LMDB under KEY from BYTES (N): a new one (LAST: after every other), or
   one replacing its own. */
static int
s_write_other (socin_chunks_t *self, const unsigned char *key, size_t klen,
               const unsigned char *bytes, size_t n, bool last)
{
    MDB_val k = {klen, (void *)key}, d = {n, NULL};
    int rc = s_write (self, &k, &d, 0, last);
    if (!rc) memcpy (d.mv_data, bytes, n);
    self->positioned = false;
    s_gen++;
    self->gen = s_gen;
    return rc;
}

/* Splits the chunk in memory, grown past CHUNK_MAX by the entry put at [INS, INS_END): writes
   the part without that entry to LMDB and keeps the part with it in memory. */
static int
s_split (socin_chunks_t *self, size_t ins, size_t ins_end)
{
    size_t at;
    if (ins_end == self->len)
        at = ins; /* put last: it starts a chunk, the rest stays full */
    else if (ins_end >= CHUNK_MAX / 2)
        at = ins_end;
    else {
        /* The entry boundary nearest the middle. */
        s_pos_t p;
        unsigned char k[KEY_MAX];
        size_t kl = self->cklen, o = 0, half = self->len / 2, best = 0, gap = SIZE_MAX;
        memcpy (k, self->ck, kl);
        while (o < self->len) {
            if (!s_entry_get (self->buf, self->len, o, k, &kl, NULL, NULL, &p))
                return MDB_CORRUPTED;
            size_t d = o > half ? o - half : half - o;
            if (o > 0 && d < gap) best = o, gap = d;
            o = p.next;
        }
        at = best;
    }
    if (at == 0 || at >= self->len) return 0; /* one entry: it stays as large as it is */
    unsigned char rk[KEY_MAX];
    size_t rklen;
    s_pos_t rp;
    if (!s_key_at (self, at, rk, &rklen, &rp)) return MDB_CORRUPTED;
    /* The right part: its first entry written whole (its key is the chunk's), then the rest. */
    size_t n = s_as_first (self, 0, rk, rklen, rp.doff, rp.dlen);
    s_reserve (&self->tmp, &self->tmpcap, n + self->len - rp.next);
    memcpy (self->tmp + n, self->buf + rp.next, self->len - rp.next);
    n += self->len - rp.next;
    int rc;
    /* LMDB's copy under its old key goes first: a part may take that very key. */
    if (self->exists && self->rekeyed) {
        MDB_val ok = {self->oldcklen, self->oldck};
        if ((rc = mdb_del (self->txn, self->dbi, &ok, NULL))) return rc;
        self->rekeyed = self->exists = self->positioned = false;
    }
    if (ins < at) {
        /* The entry put is on the left: the right part goes to LMDB. */
        if ((rc = s_write_other (self, rk, rklen, self->tmp, n, !self->has_up))) return rc;
        self->len = at;
        self->tail_ok = false;
        memcpy (self->up, rk, self->uplen = rklen);
        self->has_up = true;
        return 0;
    }
    /* The entry put is on the right: the left part goes to LMDB, under its own key. */
    if ((rc = s_write_other (self, self->ck, self->cklen, self->buf, at,
                             !self->exists && !self->has_up)))
        return rc;
    s_reserve (&self->buf, &self->cap, n);
    memcpy (self->buf, self->tmp, n);
    self->len = n;
    self->tail_ok = false;
    memcpy (self->ck, rk, self->cklen = rklen);
    self->exists = self->first = false;
    return 0;
}

/* ---- the handle ---- */

socin_chunks_t *
socin_chunks_open (MDB_txn *txn, MDB_dbi dbi, int *rc)
{
    MDB_cursor *cur;
    *rc = mdb_cursor_open (txn, dbi, &cur);
    if (*rc) return NULL;
    socin_chunks_t *self = socin_calloc (1, sizeof *self);
    self->txn = txn;
    self->dbi = dbi;
    self->cur = cur;
    return self;
}

uint64_t
socin_chunks_count (MDB_txn *txn, MDB_dbi dbi)
{
    MDB_val k = {1, (void *)s_count_key}, v;
    if (mdb_get (txn, dbi, &k, &v) || v.mv_size != 8) return 0;
    return socin_be64_get (v.mv_data);
}

int
socin_chunks_close (socin_chunks_t **self_p, bool abandon)
{
    socin_chunks_t *self = *self_p;
    if (!self) return 0;
    *self_p = NULL;
    int rc = abandon ? 0 : socin_chunks_flush (self);
    if (!rc && !abandon && self->delta) {
        int64_t n = (int64_t)socin_chunks_count (self->txn, self->dbi) + self->delta;
        unsigned char be[8];
        socin_be64_put (be, n > 0 ? (uint64_t)n : 0);
        MDB_val k = {1, (void *)s_count_key}, v = {8, be};
        rc = mdb_put (self->txn, self->dbi, &k, &v, 0);
        s_gen++;
    }
    mdb_cursor_close (self->cur);
    free (self->buf);
    free (self->tmp);
    free (self);
    return rc;
}

static void
s_out (socin_chunks_t *self, MDB_val *key, MDB_val *data)
{
    if (key) *key = (MDB_val){self->klen, self->key};
    if (data) *data = (MDB_val){self->dlen, self->buf + self->doff};
}

/* The handle on the first entry of the chunks after the one in memory (MDB_NOTFOUND: none). */
static int
s_next_chunk (socin_chunks_t *self)
{
    while (self->has_up) {
        unsigned char up[KEY_MAX];
        size_t uplen = self->uplen;
        memcpy (up, self->up, uplen);
        bool found, has_prev;
        int rc = s_load (self, up, uplen);
        if (!rc) rc = s_seek (self, up, uplen, &found, &has_prev, NULL, NULL, NULL);
        if (rc || self->on) return rc;
    }
    return MDB_NOTFOUND;
}

/* The handle on the chunk's last entry. */
static int
s_last_entry (socin_chunks_t *self)
{
    if (!s_first_entry (self)) return self->len ? MDB_CORRUPTED : MDB_NOTFOUND;
    int rc;
    while ((rc = s_step (self)) == 0)
        ;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The handle on the last entry of the chunk before the one in memory (MDB_NOTFOUND: none). */
static int
s_prev_chunk (socin_chunks_t *self)
{
    if (self->first) return MDB_NOTFOUND;
    unsigned char ck[KEY_MAX];
    size_t cklen = self->cklen;
    memcpy (ck, self->ck, cklen);
    int rc = socin_chunks_flush (self);
    if (rc) return rc;
    self->positioned = false; /* until the chunk before is adopted */
    /* The last chunk whose key is before this one's. */
    MDB_val k = {cklen, ck}, d;
    rc = mdb_cursor_get (self->cur, &k, &d, MDB_SET_RANGE);
    if (rc && rc != MDB_NOTFOUND) return rc;
    rc = mdb_cursor_get (self->cur, &k, &d, rc == 0 ? MDB_PREV : MDB_LAST);
    if (rc == 0 && s_is_count (&k)) rc = MDB_NOTFOUND;
    if (rc) return rc;
    if ((rc = s_adopt (self, &k, &d))) return rc;
    if ((rc = s_fetch_up (self))) return rc;
    return s_last_entry (self);
}

/* Puts the handle back on the entry it was on, after writes by others. */
static int
s_refresh (socin_chunks_t *self)
{
    if (s_covers (self, self->key, self->klen)) return 0;
    unsigned char key[KEY_MAX];
    size_t klen = self->klen;
    memcpy (key, self->key, klen);
    int rc = s_load (self, key, klen);
    bool found, has_prev;
    if (!rc) rc = s_seek (self, key, klen, &found, &has_prev, NULL, NULL, NULL);
    if (!rc && !found) {
        /* It was deleted meanwhile: stand just before what follows it. */
        self->on = false;
        return MDB_NOTFOUND;
    }
    return rc;
}

int
socin_chunks_get (socin_chunks_t *self, MDB_val *key, MDB_val *data, MDB_cursor_op op)
{
    int rc = 0;
    bool found, has_prev;
    bool gone = self->gone;
    self->gone = false;
    if (gone && (op == MDB_NEXT || op == MDB_PREV)) {
        /* From the key deleted: the first after it, or the last before it. */
        memcpy (self->key, self->gonekey, self->klen = self->gonelen);
        if (op == MDB_NEXT) {
            MDB_val k = {self->gonelen, self->gonekey};
            if ((rc = socin_chunks_get (self, &k, NULL, MDB_SET_RANGE))) return rc;
            s_out (self, key, data);
            return 0;
        }
        self->on = true; /* PREV below starts from self->key */
    }
    switch (op) {
    case MDB_SET:
    case MDB_SET_KEY:
    case MDB_SET_RANGE: {
        if (!key || key->mv_size == 0 || key->mv_size > KEY_MAX) return EINVAL;
        unsigned char k[KEY_MAX];
        size_t klen = key->mv_size;
        memcpy (k, key->mv_data, klen);
        if ((rc = s_cover (self, k, klen)) ||
            (rc = s_seek (self, k, klen, &found, &has_prev, NULL, NULL, NULL)))
            return rc;
        if (op != MDB_SET_RANGE) {
            if (!found) return self->on = false, MDB_NOTFOUND;
        } else if (!self->on && (rc = s_next_chunk (self)))
            return rc;
        break;
    }
    case MDB_FIRST:
    case MDB_LAST: {
        if ((rc = socin_chunks_flush (self))) return rc;
        self->on = self->positioned = false;
        MDB_val k, d;
        rc = mdb_cursor_get (self->cur, &k, &d, op);
        if (rc == 0 && s_is_count (&k))
            rc = op == MDB_FIRST ? mdb_cursor_get (self->cur, &k, &d, MDB_NEXT) : MDB_NOTFOUND;
        if (rc) return rc;
        bool first = op == MDB_FIRST;
        if ((rc = s_adopt (self, &k, &d))) return rc;
        if (first && (rc = s_fetch_up (self))) return rc;
        self->first = first;
        if ((rc = first ? (s_first_entry (self) ? 0 : MDB_CORRUPTED) : s_last_entry (self)))
            return rc;
        break;
    }
    case MDB_NEXT: {
        if (!self->on) return socin_chunks_get (self, key, data, MDB_FIRST);
        unsigned char k[KEY_MAX];
        size_t klen = self->klen;
        memcpy (k, self->key, klen);
        if (!s_covers (self, k, klen)) {
            /* Written by others since: find the entry again, or the first after it when it
               went (that is then the next). */
            if ((rc = s_load (self, k, klen)) ||
                (rc = s_seek (self, k, klen, &found, &has_prev, NULL, NULL, NULL)))
                return rc;
            if (!found) {
                if (!self->on && (rc = s_next_chunk (self))) return rc;
                break;
            }
        }
        rc = s_step (self);
        if (rc == MDB_NOTFOUND) {
            rc = s_next_chunk (self);
            if (rc == MDB_NOTFOUND) {
                /* At the end the handle stays on the last entry. */
                int r2 = s_cover (self, k, klen);
                if (!r2) r2 = s_seek (self, k, klen, &found, &has_prev, NULL, NULL, NULL);
                if (r2) return r2;
            }
        }
        if (rc) return rc;
        break;
    }
    case MDB_PREV: {
        if (!self->on) return socin_chunks_get (self, key, data, MDB_LAST);
        /* The entry before the key it is on (or was on, when others deleted it since), in
           this chunk or the one before. */
        unsigned char k[KEY_MAX], prev[KEY_MAX];
        size_t klen = self->klen, prevlen = 0;
        memcpy (k, self->key, klen);
        if ((rc = s_cover (self, k, klen)) ||
            (rc = s_seek (self, k, klen, &found, &has_prev, prev, &prevlen, NULL)))
            return rc;
        if (has_prev) {
            if ((rc = s_seek (self, prev, prevlen, &found, &has_prev, NULL, NULL, NULL))) return rc;
        } else {
            rc = s_prev_chunk (self);
            if (rc == MDB_NOTFOUND) {
                /* At the start the handle stays on the first entry. */
                bool f, hp;
                int r2 = s_cover (self, k, klen);
                if (!r2) r2 = s_seek (self, k, klen, &f, &hp, NULL, NULL, NULL);
                if (r2) return r2;
                return MDB_NOTFOUND;
            }
            if (rc) return rc;
        }
        break;
    }
    case MDB_GET_CURRENT:
        if (!self->on) return EINVAL;
        if ((rc = s_refresh (self))) return rc;
        break;
    default:
        return EINVAL;
    }
    s_out (self, key, data);
    return 0;
}

int
socin_chunks_put (socin_chunks_t *self, const MDB_val *key, MDB_val *data, unsigned flags,
                  MDB_val *before, MDB_val *after)
{
    if (!s_key_ok (key)) return MDB_BAD_VALSIZE;
    self->gone = false;
    /* KEY may be one the handle returned, in its own memory. */
    unsigned char k[KEY_MAX];
    size_t klen = key->mv_size, size = data->mv_size;
    memcpy (k, key->mv_data, klen);
    const void *src = flags & MDB_RESERVE ? NULL : data->mv_data;
    bool found, has_prev;
    /* The key before a new one, for BEFORE; what it shares with KEY, to write KEY against it. */
    unsigned char *prev = before ? self->near[0] : NULL;
    size_t prevlen = 0, shared = 0;
    int rc = s_cover (self, k, klen);
    if (rc) return rc;
    if (self->tail_ok && s_cmp (k, klen, self->tail, self->taillen) > 0) {
        /* After the chunk's last entry. */
        found = false;
        has_prev = true;
        if (prev) memcpy (prev, self->tail, prevlen = self->taillen);
        shared = s_common (self->tail, self->taillen, k, klen);
        self->on = false;
    } else if ((rc = s_seek (self, k, klen, &found, &has_prev, prev, &prevlen, &shared)))
        return rc;
    if (found) {
        if (flags & MDB_NOOVERWRITE) {
            s_out (self, NULL, data);
            return MDB_KEYEXIST;
        }
        /* The same key: only its data changes. */
        unsigned char sz[10];
        size_t n = (size_t)(socin_varint_put (sz, size) - sz);
        s_reserve (&self->tmp, &self->tmpcap, n + size);
        memcpy (self->tmp, sz, n);
        if (src && size) memcpy (self->tmp + n, src, size);
        s_splice (self, self->szoff, self->next, self->tmp, n + size);
        self->dirty = true;
        self->doff = self->szoff + n;
        self->dlen = size;
        self->next = self->doff + size;
        if (self->len > CHUNK_MAX) {
            if ((rc = s_split (self, self->at, self->next)) ||
                (rc = s_seek (self, k, klen, &found, &has_prev, NULL, NULL, NULL)))
                return rc;
            if (!found) return MDB_CORRUPTED;
        }
        data->mv_data = self->buf + self->doff;
        return 0;
    }
    /* A new key, at the handle's position (before the entry it is on, or at the end). */
    if (before) *before = has_prev ? (MDB_val){prevlen, prev} : (MDB_val){0, NULL};
    if (after) {
        const unsigned char *a = self->on ? self->key : self->has_up ? self->up : NULL;
        size_t alen = self->on ? self->klen : self->uplen;
        if (a) memcpy (self->near[1], a, alen);
        *after = a ? (MDB_val){alen, self->near[1]} : (MDB_val){0, NULL};
    }
    size_t ins = self->on ? self->at : self->len, to = self->on ? self->next : self->len;
    /* The new entry, against the key before it (none: it becomes the chunk's key). */
    if (!has_prev) shared = klen;
    size_t n = s_entry_size (shared, klen - shared, size);
    size_t n2 = 0, shared2 = 0;
    if (self->on) {
        shared2 = s_common (k, klen, self->key, self->klen);
        n2 = s_entry_size (shared2, self->klen - shared2, self->dlen);
    }
    s_reserve (&self->tmp, &self->tmpcap, n + n2);
    unsigned char *e = s_entry_put (self->tmp, k, shared, klen - shared, src, size);
    /* The entry it goes before, now written against the new key. */
    if (self->on)
        s_entry_put (e, self->key, shared2, self->klen - shared2, self->buf + self->doff,
                     self->dlen);
    s_splice (self, ins, to, self->tmp, n + n2);
    if (!has_prev) {
        if (self->exists && !self->rekeyed) {
            memcpy (self->oldck, self->ck, self->oldcklen = self->cklen);
            self->rekeyed = true;
        }
        memcpy (self->ck, k, self->cklen = klen);
    }
    self->dirty = true;
    self->delta++;
    if (self->len > CHUNK_MAX) {
        /* The handle on the new entry, wherever the split leaves it. */
        if ((rc = s_split (self, ins, ins + n)) ||
            (rc = s_seek (self, k, klen, &found, &has_prev, NULL, NULL, NULL)))
            return rc;
        if (!found) return MDB_CORRUPTED;
    } else {
        self->on = true;
        self->at = ins;
        self->next = ins + n;
        self->shared = shared;
        self->doff = self->next - size;
        self->dlen = size;
        self->szoff = self->doff - socin_varint_size (size);
        memcpy (self->key, k, self->klen = klen);
    }
    if (self->next == self->len) {
        /* The new entry is the chunk's last. */
        memcpy (self->tail, k, self->taillen = klen);
        self->tail_ok = true;
    }
    data->mv_data = self->buf + self->doff;
    return 0;
}

int
socin_chunks_del (socin_chunks_t *self, const MDB_val *key)
{
    self->gone = false;
    if (!s_key_ok (key)) return MDB_NOTFOUND;
    unsigned char k[KEY_MAX];
    size_t klen = key->mv_size;
    memcpy (k, key->mv_data, klen);
    bool found, has_prev;
    int rc = s_cover (self, k, klen);
    if (!rc) rc = s_seek (self, k, klen, &found, &has_prev, NULL, NULL, NULL);
    if (rc) return rc;
    if (!found) return self->on = false, MDB_NOTFOUND;
    size_t at = self->at, shared = self->shared;
    if (self->next >= self->len) {
        /* The last entry: cut off (the chunk may be left empty: the flush deletes it). */
        s_splice (self, at, self->len, NULL, 0);
        if (!has_prev && self->exists && !self->rekeyed) {
            memcpy (self->oldck, self->ck, self->oldcklen = self->cklen);
            self->rekeyed = true;
        }
    } else {
        /* The entry after it takes its place, written against the key before it: they share
           what each shares with the one deleted, the fewer of the two. */
        if ((rc = s_step (self))) return rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc;
        size_t s2 = has_prev ? (shared < self->shared ? shared : self->shared) : self->klen;
        size_t n = s_entry_size (s2, self->klen - s2, self->dlen);
        s_reserve (&self->tmp, &self->tmpcap, n);
        s_entry_put (self->tmp, self->key, s2, self->klen - s2, self->buf + self->doff, self->dlen);
        size_t to = self->next;
        if (!has_prev) {
            if (self->exists && !self->rekeyed) {
                memcpy (self->oldck, self->ck, self->oldcklen = self->cklen);
                self->rekeyed = true;
            }
            memcpy (self->ck, self->key, self->cklen = self->klen);
        }
        s_splice (self, at, to, self->tmp, n);
    }
    self->dirty = true;
    self->delta--;
    self->on = false;
    self->gone = true;
    memcpy (self->gonekey, k, self->gonelen = klen);
    return 0;
}

/* ---- migration ---- */

typedef struct {
    MDB_dbi from, to;
    size_t chunk, moved;
    bool done;
} s_migrate_t;

static int
s_migrate_txn (MDB_txn *txn, void *arg)
{
    s_migrate_t *m = arg;
    m->moved = 0;
    m->done = false;
    MDB_cursor *cur;
    int rc = mdb_cursor_open (txn, m->from, &cur);
    if (rc) return rc;
    socin_chunks_t *to = socin_chunks_open (txn, m->to, &rc);
    MDB_val k, v;
    while (to && m->moved < m->chunk && (rc = mdb_cursor_get (cur, &k, &v, MDB_FIRST)) == 0) {
        MDB_val d = v;
        /* A key the map cannot hold fails the move (MDB_BAD_VALSIZE): nothing is dropped. */
        if ((rc = socin_chunks_put (to, &k, &d, 0, NULL, NULL)) || (rc = mdb_cursor_del (cur, 0)))
            break;
        m->moved++;
    }
    if (rc == MDB_NOTFOUND) {
        m->done = true;
        rc = 0;
    }
    int crc = socin_chunks_close (&to, rc != 0);
    if (!rc) rc = crc;
    mdb_cursor_close (cur);
    return rc;
}

long long
socin_chunks_migrate (socin_store_t *store, MDB_dbi from, MDB_dbi to, size_t chunk, char *err,
                      size_t errlen)
{
    long long total = 0;
    s_migrate_t m = {from, to, chunk ? chunk : 1, 0, false};
    while (!m.done) {
        if (socin_store_write (store, s_migrate_txn, &m, err, errlen) != SOCIN_STORE_OK) return -1;
        if (m.moved && total == 0) socin_info ("store.chunks_migrating", "to=chunks");
        if (total / 1000000 != (total + (long long)m.moved) / 1000000)
            socin_info ("store.chunks_migrating", "done=%lld", total + (long long)m.moved);
        total += (long long)m.moved;
    }
    if (total) socin_info ("store.chunks_migrated", "entries=%lld", total);
    return total;
}
