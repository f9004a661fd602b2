/*  packer: full B-tree pages for runs of keys inserted mid-tree. See packer.h. */
#include "packer.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "str.h"

/* New keys in a row in one gap before the entries after it are lifted: a scattered feed
   (a key here, a key there) never pays for a lift. */
#define RUN_MIN 4

struct socin_packer_t {
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    size_t page; /* bytes of nodes to lift: a page's worth clears the rest of any page */
    /* The last key inserted, and the entry after it when it was (the gap's end). */
    bool have_last;
    socin_str_t last;
    bool gap_end; /* nothing after the gap */
    socin_str_t gap;
    unsigned run;        /* new keys in a row in this gap */
    bool lift_tried;     /* this gap's entries were lifted (or there were none to lift) */
    size_t total_lifted; /* entries lifted since the packer was made */
    /* The lifted entries, in key order: key length, data length (size_t each), key, data. */
    socin_str_t lifted;
    size_t nlifted;
    socin_str_t first; /* the first lifted key */
};

/* KEY against the LEN bytes at B, in the database's own order (its comparison function). */
static int
s_cmp (const socin_packer_t *self, const MDB_val *key, const void *b, size_t len)
{
    MDB_val bv = {len, (void *)b};
    return mdb_cmp (self->txn, self->dbi, key, &bv);
}

static void
s_set (socin_str_t *s, const MDB_val *v)
{
    socin_str_clear (s);
    socin_str_append (s, v->mv_data, v->mv_size);
}

socin_packer_t *
socin_packer_new (MDB_txn *txn, MDB_dbi dbi, int *rc)
{
    MDB_cursor *cur;
    *rc = mdb_cursor_open (txn, dbi, &cur);
    if (*rc) return NULL;
    socin_packer_t *self = socin_calloc (1, sizeof *self);
    self->txn = txn;
    self->dbi = dbi;
    self->cur = cur;
    MDB_stat st;
    self->page = mdb_env_stat (mdb_txn_env (txn), &st) == 0 ? st.ms_psize : 4096;
    return self;
}

int
socin_packer_destroy (socin_packer_t **self_p, int abandon)
{
    socin_packer_t *self = *self_p;
    if (!self) return 0;
    int rc = abandon ? 0 : socin_packer_flush (self);
    mdb_cursor_close (self->cur);
    socin_str_free (&self->last);
    socin_str_free (&self->gap);
    socin_str_free (&self->lifted);
    socin_str_free (&self->first);
    free (self);
    *self_p = NULL;
    return rc;
}

/* Whether the keys at A and B can be on one page: a page's nodes lie within its PAGE bytes,
   so keys further apart are on two pages for sure (nearer ones may be too). */
static bool
s_near (const void *a, const void *b, size_t page)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return (x > y ? x - y : y - x) < page;
}

/* Lifts the entries from KEY on (KEY itself is not in the tree) until the rest of the page
   the run goes to is clear, or a page's worth is out; the gap then ends at the first entry
   left. The run goes to the page of the last key put: an entry whose key lies a page or more
   away from that key's is on another page, which the run does not touch, and lifting it would
   only move it out and back (and leave a hole in its page). */
static int
s_lift (socin_packer_t *self, const MDB_val *key)
{
    size_t bytes = 0;
    MDB_val k = {self->last.len, self->last.data}, v;
    int rc = mdb_cursor_get (self->cur, &k, &v, MDB_SET_KEY);
    const void *here = rc == 0 ? k.mv_data : NULL;
    k = *key;
    rc = mdb_cursor_get (self->cur, &k, &v, MDB_SET_RANGE);
    self->lift_tried = true;
    while (rc == 0 && bytes < self->page && (!here || s_near (here, k.mv_data, self->page))) {
        if (!self->nlifted) s_set (&self->first, &k);
        size_t len[2] = {k.mv_size, v.mv_size};
        socin_str_append (&self->lifted, len, sizeof len);
        socin_str_append (&self->lifted, k.mv_data, k.mv_size);
        socin_str_append (&self->lifted, v.mv_data, v.mv_size);
        self->nlifted++;
        self->total_lifted++;
        bytes += 8 + 2 + k.mv_size + v.mv_size; /* node header, pointer, key, data */
        if ((rc = mdb_cursor_del (self->cur, 0))) return rc;
        /* The cursor is on the entry after the deleted one. */
        rc = mdb_cursor_get (self->cur, &k, &v, MDB_GET_CURRENT);
    }
    if (rc == MDB_NOTFOUND) {
        self->gap_end = true;
        return 0;
    }
    if (rc == 0) s_set (&self->gap, &k);
    return rc;
}

size_t
socin_packer_lifted (const socin_packer_t *self)
{
    return self->total_lifted;
}

/* AFTER, the tree's entry after a key just put (mv_size 0 for none), or the first lifted
   entry when that comes before it: the lifted entries all come after the key (a put at or
   past the first flushes them). */
static void
s_lifted_first (const socin_packer_t *self, MDB_val *after)
{
    if (self->nlifted &&
        (!after->mv_size || s_cmp (self, after, self->first.data, self->first.len) > 0))
        *after = (MDB_val){self->first.len, self->first.data};
}

int
socin_packer_put (socin_packer_t *self, MDB_val *key, MDB_val *data, unsigned flags)
{
    return socin_packer_put_near (self, key, data, flags, NULL, NULL);
}

int
socin_packer_put_near (socin_packer_t *self, MDB_val *key, MDB_val *data, unsigned flags,
                       MDB_val *before, MDB_val *after)
{
    int rc;
    if (self->nlifted && s_cmp (self, key, self->first.data, self->first.len) >= 0 &&
        (rc = socin_packer_flush (self)))
        return rc;
    bool in_gap = self->have_last && s_cmp (self, key, self->last.data, self->last.len) > 0 &&
                  (self->gap_end || s_cmp (self, key, self->gap.data, self->gap.len) < 0);
    if (in_gap && !self->nlifted && !self->lift_tried && !self->gap_end &&
        self->run + 1 >= RUN_MIN && (rc = s_lift (self, key)))
        return rc;
    rc = mdb_cursor_put (self->cur, key, data, flags | MDB_NOOVERWRITE);
    if (rc) {
        if (rc == MDB_KEYEXIST) {
            self->have_last = false;
            self->run = 0;
        }
        return rc;
    }
    s_set (&self->last, key);
    self->have_last = true;
    MDB_val k, v;
    /* The cursor stands on the new entry: the one before it, then back. */
    if (before) {
        rc = mdb_cursor_get (self->cur, before, &v, MDB_PREV);
        if (rc == MDB_NOTFOUND) {
            *before = (MDB_val){0, NULL};
            k = *key;
            rc = mdb_cursor_get (self->cur, &k, &v, MDB_SET);
        } else if (!rc)
            rc = mdb_cursor_get (self->cur, &k, &v, MDB_NEXT);
        if (rc) return rc;
    }
    if (in_gap) {
        self->run++;
        if (after) {
            rc = mdb_cursor_get (self->cur, after, &v, MDB_NEXT);
            if (rc == MDB_NOTFOUND) *after = (MDB_val){0, NULL};
            if (rc && rc != MDB_NOTFOUND) return rc;
            s_lifted_first (self, after);
        }
        return 0;
    }
    /* A new gap: it ends at the entry after KEY. */
    self->run = 1;
    self->lift_tried = false;
    int next = mdb_cursor_get (self->cur, &k, &v, MDB_NEXT);
    self->gap_end = next == MDB_NOTFOUND;
    if (next == 0)
        s_set (&self->gap, &k);
    else if (next != MDB_NOTFOUND) {
        self->have_last = false;
        return after ? next : 0;
    }
    if (after) {
        *after = next == 0 ? k : (MDB_val){0, NULL};
        s_lifted_first (self, after);
    }
    return 0;
}

int
socin_packer_unput (socin_packer_t *self, const MDB_val *key)
{
    MDB_val k = *key, v;
    int rc = mdb_cursor_get (self->cur, &k, &v, MDB_SET);
    if (!rc) rc = mdb_cursor_del (self->cur, 0);
    /* The next put starts a gap of its own. */
    self->have_last = false;
    self->run = 0;
    return rc;
}

int
socin_packer_flush (socin_packer_t *self)
{
    int rc = 0;
    const char *p = self->lifted.data;
    for (size_t i = 0; i < self->nlifted && !rc; i++) {
        size_t len[2];
        memcpy (len, p, sizeof len);
        MDB_val k = {len[0], (void *)(p + sizeof len)},
                v = {len[1], (void *)(p + sizeof len + len[0])};
        rc = mdb_cursor_put (self->cur, &k, &v, 0);
        p += sizeof len + len[0] + len[1];
    }
    socin_str_clear (&self->lifted);
    self->nlifted = 0;
    self->have_last = false;
    self->run = 0;
    self->lift_tried = false;
    return rc;
}
