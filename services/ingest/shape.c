/*  shape: one shape of disaggregation per indicator, unit and period. See shape.h. */
#include "shape.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "error.h"
#include "mem.h"

#define KIND_VALUE SOCIN__V1__ITEM_KIND__ITEM_KIND_VALUE

bool
ing_shape_same (const char *a, const char *b)
{
    /* Pairs are sorted by dimension: compare the dimension names pair by pair. */
    for (;;) {
        size_t da = strcspn (a, "="), db = strcspn (b, "=");
        if (!*a || !*b) return !*a && !*b;
        if (da != db || memcmp (a, b, da)) return false;
        a += strcspn (a, ",");
        b += strcspn (b, ",");
        if (*a) a++;
        if (*b) b++;
    }
}

/* The length of KEY's first PARTS NUL-terminated parts. */
static size_t
s_prefix_len (const char *key, size_t len, int parts)
{
    int nuls = 0;
    for (size_t i = 0; i < len; i++)
        if (!key[i] && ++nuls == parts) return i + 1;
    return len;
}

/* The end of the run of C's values from FROM that share the first PARTS parts of their key
   (whose length goes to *PLEN). */
static size_t
s_run_end (const ing_checked_t *c, size_t from, int parts, size_t *plen)
{
    const ing_value_t *head = &c->values[from];
    size_t to = from + 1;
    *plen = s_prefix_len (head->key, head->keylen, parts);
    while (to < c->nvalues && c->values[to].keylen >= *plen &&
           !memcmp (c->values[to].key, head->key, *plen))
        to++;
    return to;
}

int
ing_shape_runs (MDB_txn *txn, MDB_dbi values, ing_checked_t *c, int parts, ing_shape_run_fn *fn)
{
    size_t from = 0;
    while (from < c->nvalues) {
        size_t plen, to = s_run_end (c, from, parts, &plen);
        int rc = fn (txn, values, c, from, to, plen);
        if (rc) return rc;
        from = to;
    }
    return 0;
}

/* Whether the submission's values [FROM, TO) delete stored key K. */
static bool
s_deleted_here (const ing_checked_t *c, size_t from, size_t to, const MDB_val *k)
{
    for (size_t i = from; i < to; i++) {
        const ing_value_t *v = &c->values[i];
        if (v->deleted && !v->refused && v->keylen == k->mv_size &&
            !memcmp (v->key, k->mv_data, k->mv_size))
            return true;
    }
    return false;
}

/* The shape of stored key K (a disaggregation) when it starts with PREFIX (PLEN bytes), into
   SHAPE (LEN bytes); false when it does not. */
static bool
s_key_shape (const MDB_val *k, const char *prefix, size_t plen, char *shape, size_t len)
{
    if (k->mv_size < plen || memcmp (k->mv_data, prefix, plen)) return false;
    size_t n = k->mv_size - plen < len - 1 ? k->mv_size - plen : len - 1;
    memcpy (shape, (const char *)k->mv_data + plen, n);
    shape[n] = 0;
    return true;
}

/* Where the search for the previous run's prefix landed: the first stored key at or after
   it (KEY, LEN bytes), or END when there was none. No stored key lies between that prefix
   and KEY, so a later prefix before KEY (and not a prefix of it) has no stored key either,
   and needs no search. In feed order a submission's new keys all fall in one such gap. A
   walk's caller writes between parts only keys of runs already checked (shape.h): they may
   fall between the previous prefix and KEY, but all come before any later prefix, so what
   the landing says of a later prefix stays true. */
typedef struct {
    bool valid, end;
    char key[SOCIN_VALUE_KEY_MAX];
    size_t len;
} s_landing_t;

/* Whether L tells that no stored key starts with PREFIX (PLEN bytes). */
static bool
s_none_stored (const s_landing_t *l, const char *prefix, size_t plen)
{
    if (!l->valid) return false;
    if (l->end) return true; /* no key after an earlier prefix */
    size_t n = l->len < plen ? l->len : plen;
    int c = memcmp (l->key, prefix, n);
    if (c == 0 && l->len >= plen) return false; /* the landing key has the prefix */
    return c > 0;                               /* the landing key comes after the prefix */
}

/* The shape the stored values of the key prefix set, after the deletions among [FROM, TO):
   copied into SHAPE (a disaggregation of that shape); false when none remains. CUR is a
   cursor on the values, kept from run to run (runs come in key order), and L where its
   last search landed. */
static int
s_stored_shape (socin_chunks_t *cur, s_landing_t *l, const ing_checked_t *c, size_t from, size_t to,
                size_t plen, char *shape, size_t len, bool *found)
{
    const char *prefix = c->values[from].key;
    *found = false;
    if (s_none_stored (l, prefix, plen)) return 0;
    MDB_val k = {plen, (void *)prefix}, v;
    int rc = socin_chunks_get (cur, &k, &v, MDB_SET_RANGE);
    l->valid = rc == 0 || rc == MDB_NOTFOUND;
    l->end = rc == MDB_NOTFOUND;
    if (rc == 0) {
        l->len = k.mv_size < sizeof l->key ? k.mv_size : sizeof l->key;
        memcpy (l->key, k.mv_data, l->len);
        /* A key cut short would compare wrongly: search again next time. */
        l->valid = l->len == k.mv_size;
    }
    while (rc == 0 && s_key_shape (&k, prefix, plen, shape, len)) {
        if (!s_deleted_here (c, from, to, &k)) {
            *found = true;
            break;
        }
        rc = socin_chunks_get (cur, &k, &v, MDB_NEXT);
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Refuses V of C, whose shape is not SET: the shape of the values stored (FOUND) or of the
   submission's first value of V's indicator, unit and period. */
static void
s_refuse (ing_checked_t *c, ing_value_t *v, const char *set, bool found)
{
    v->refused = true;
    ing_conflict (c, KIND_VALUE, v->index, SOCIN_E (MIXED_DISAGGREGATION), "disaggregation",
                  v->disaggregation,
                  "%s for %s, %s %s \"%s\", but %s %s: a total and its breakdowns (or "
                  "breakdowns by other dimensions) are alternatives; delete those first",
                  v->indicator->code, v->unit->code, v->period,
                  *v->disaggregation ? "is broken down as" : "is the total, not",
                  *v->disaggregation ? v->disaggregation : set,
                  found ? "the values stored are" : "this submission's first value is",
                  *set ? set : "the total");
}

/* Checks the values [FROM, TO), which share indicator, unit and period; with DEFER, a single
   value that the landing does not clear is left to ing_shape_check_stored. */
static int
s_check_run (socin_chunks_t *cur, s_landing_t *l, ing_checked_t *c, size_t from, size_t to,
             size_t plen, bool defer)
{
    ing_value_t *one = &c->values[from];
    if (defer && to == from + 1 && !one->deleted && !one->refused &&
        !s_none_stored (l, one->key, plen)) {
        one->shape_at_insert = true;
        return 0;
    }
    char shape[256];
    bool found;
    int rc = s_stored_shape (cur, l, c, from, to, plen, shape, sizeof shape, &found);
    if (rc) return rc;
    const ing_value_t *first = NULL;
    for (size_t i = from; i < to && !found; i++) {
        const ing_value_t *v = &c->values[i];
        if (!v->deleted && !v->refused && (!first || v->index < first->index)) first = v;
    }
    const char *set = found ? shape : first ? first->disaggregation : NULL;
    if (!set) return 0;
    for (size_t i = from; i < to; i++) {
        ing_value_t *v = &c->values[i];
        if (v->deleted || v->refused || ing_shape_same (v->disaggregation, set)) continue;
        s_refuse (c, v, set, found);
    }
    return 0;
}

bool
ing_shape_check_stored (ing_checked_t *c, ing_value_t *v, const MDB_val *before,
                        const MDB_val *after)
{
    size_t plen = s_prefix_len (v->key, v->keylen, 3);
    char shape[256];
    const MDB_val *near[2] = {before, after};
    for (int i = 0; i < 2; i++)
        if (near[i]->mv_size && s_key_shape (near[i], v->key, plen, shape, sizeof shape)) {
            /* The keys stored of one indicator, unit and period share one shape. */
            if (ing_shape_same (v->disaggregation, shape)) return false;
            s_refuse (c, v, shape, true);
            return true;
        }
    return false;
}

struct ing_shape_walk_t {
    socin_chunks_t *cur;
    s_landing_t landing;
    size_t next; /* the first value not checked yet */
    bool defer;  /* ing_shape_walk_defer */
};

void
ing_shape_walk_defer (ing_shape_walk_t *self)
{
    self->defer = true;
}

ing_shape_walk_t *
ing_shape_walk_new (MDB_txn *txn, MDB_dbi values, int *rc)
{
    socin_chunks_t *cur = socin_chunks_open (txn, values, rc);
    if (!cur) return NULL;
    ing_shape_walk_t *self = socin_calloc (1, sizeof *self);
    self->cur = cur;
    return self;
}

void
ing_shape_walk_destroy (ing_shape_walk_t **self_p)
{
    ing_shape_walk_t *self = *self_p;
    if (!self) return;
    socin_chunks_close (&self->cur, true); /* it only reads */
    free (self);
    *self_p = NULL;
}

int
ing_shape_walk (ing_shape_walk_t *self, ing_checked_t *c, size_t upto)
{
    /* Values are in key order, so one indicator, unit and period is one run. */
    int rc = 0;
    size_t plen;
    while (!rc && self->next < c->nvalues && self->next < upto) {
        size_t to = s_run_end (c, self->next, 3, &plen);
        rc = s_check_run (self->cur, &self->landing, c, self->next, to, plen, self->defer);
        self->next = to;
    }
    return rc;
}

size_t
ing_shape_run_end (const ing_checked_t *c, size_t from, int parts, size_t *plen)
{
    return s_run_end (c, from, parts, plen);
}

int
ing_shape_check_run (ing_shape_walk_t *self, ing_checked_t *c, size_t from, size_t to, size_t plen,
                     socin_chunks_t *writer, bool others)
{
    if (others) self->landing.valid = false;
    /* Deletions and refused values set no shape and are not refused for one. */
    size_t i = from;
    while (i < to && (c->values[i].deleted || c->values[i].refused))
        i++;
    if (i == to) return 0;
    const char *prefix = c->values[from].key;
    if (to == from + 1 && !s_none_stored (&self->landing, prefix, plen)) {
        c->values[from].shape_at_insert = true;
        return 0;
    }
    /* The check searches unless the landing tells that nothing of the prefix is stored. */
    int rc = s_none_stored (&self->landing, prefix, plen) ? 0 : socin_chunks_flush (writer);
    return rc ? rc : s_check_run (self->cur, &self->landing, c, from, to, plen, false);
}

size_t
ing_shape_walked (const ing_shape_walk_t *self)
{
    return self->next;
}

int
ing_shape_check (MDB_txn *txn, MDB_dbi values, ing_checked_t *c)
{
    if (!c->nvalues) return 0;
    int rc;
    ing_shape_walk_t *w = ing_shape_walk_new (txn, values, &rc);
    if (!w) return rc;
    rc = ing_shape_walk (w, c, c->nvalues);
    ing_shape_walk_destroy (&w);
    return rc;
}
