/*  resync: change batches rebuilt from the ingest's values and history. See resync.h. */
#include "resync.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "chunks.h"
#include "ledger.h"
#include "log.h"
#include "mem.h"
#include "valuekey.h"
#include "valuestate.h"
#include "socin/v1/forward.pb-c.h"

#define RESYNC_CHANGES 50000

/* One change: the state batch SEQ gave KEY — a value key (valuekey.h, a ledger state from
   valuestate.h), an event key "E" unit NUL id or a measure key "M" plan NUL measure NUL period
   (be64(seq) and the packed item; be64(seq) alone for a deletion). */
typedef struct {
    uint64_t seq;
    char *key, *state;
    size_t keylen, statelen;
} s_change_t;

struct ing_resync_t {
    socin_store_t *store;
    MDB_dbi values, events, measures, history, batches;
    uint64_t lo, hi; /* the rebuilt range (none when hi < lo) */
    zframe_t **frames;
    uint64_t rebuilt;
};

ing_resync_t *
ing_resync_new (socin_store_t *store)
{
    ing_resync_t *self = socin_calloc (1, sizeof *self);
    self->store = store;
    self->values = socin_store_dbi (store, ING_VALUES_DB, 0);
    self->events = socin_store_dbi (store, "events", 0);
    self->measures = socin_store_dbi (store, "measures", 0);
    self->history = socin_store_dbi (store, "history", 0);
    self->batches = socin_store_dbi (store, "batches", 0);
    self->lo = 1;
    return self;
}

void
ing_resync_forget (ing_resync_t *self, uint64_t acked)
{
    for (uint64_t s = self->lo; s <= self->hi; s++)
        if (s <= acked || acked == UINT64_MAX) zframe_destroy (&self->frames[s - self->lo]);
    if (acked >= self->hi || acked == UINT64_MAX) {
        free (self->frames);
        self->frames = NULL;
        self->lo = 1;
        self->hi = 0;
    }
}

void
ing_resync_destroy (ing_resync_t **self_p)
{
    ing_resync_t *self = *self_p;
    if (!self) return;
    ing_resync_forget (self, UINT64_MAX);
    free (self);
    *self_p = NULL;
}

uint64_t
ing_resync_rebuilt (ing_resync_t *self)
{
    return self->rebuilt;
}

/* ---- collecting the changes of a range ---- */

typedef struct {
    s_change_t *items;
    size_t n, cap;
    uint64_t from, hi; /* the range; hi comes down when it holds too many changes */
} s_scan_t;

static int
s_by_seq (const void *a, const void *b)
{
    const s_change_t *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
s_change_free (s_change_t *c)
{
    free (c->key);
    free (c->state);
}

/* Keeps the range to about RESYNC_CHANGES changes, in whole batches (the first one whole
   whatever its size). */
static void
s_shrink (s_scan_t *s)
{
    qsort (s->items, s->n, sizeof *s->items, s_by_seq);
    uint64_t cut = s->items[RESYNC_CHANGES].seq;
    s->hi = cut > s->from ? cut - 1 : s->from;
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->items[i].seq <= s->hi)
            s->items[kept++] = s->items[i];
        else
            s_change_free (&s->items[i]);
    }
    s->n = kept;
}

static void
s_take (s_scan_t *s, uint64_t seq, const MDB_val *key, size_t keylen, const MDB_val *state)
{
    if (seq < s->from || seq > s->hi) return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->items = socin_realloc (s->items, s->cap * sizeof *s->items);
    }
    s_change_t *c = &s->items[s->n++];
    c->seq = seq;
    c->keylen = keylen;
    c->key = socin_memdup (key->mv_data, keylen + 1);
    c->key[keylen] = 0;
    c->statelen = state->mv_size;
    c->state = socin_memdup (state->mv_data, state->mv_size ? state->mv_size : 1);
    if (s->n > 2 * RESYNC_CHANGES) s_shrink (s);
}

/* The items of DBI stored as be64(seq) and the packed item (events, measure reports). */
static int
s_scan_items (MDB_txn *txn, MDB_dbi dbi, s_scan_t *s)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int rc = mdb_cursor_open (txn, dbi, &cur);
    while (!rc && (rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT)) == 0)
        if (v.mv_size >= 8) s_take (s, socin_be64_get (v.mv_data), &k, k.mv_size, &v);
    if (!cur) return rc;
    mdb_cursor_close (cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
s_scan (ing_resync_t *self, MDB_txn *txn, s_scan_t *s)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int rc;
    socin_chunks_t *values = socin_chunks_open (txn, self->values, &rc);
    while (values && (rc = socin_chunks_get (values, &k, &v, MDB_NEXT)) == 0) {
        socin_value_state_t st;
        if (socin_value_state_unpack (SOCIN_VALUE_LEDGER, v.mv_data, v.mv_size, &st))
            s_take (s, st.seq, &k, k.mv_size, &v);
    }
    socin_chunks_close (&values, true); /* it only reads */
    if (rc == MDB_NOTFOUND) rc = 0;
    if (!rc) rc = s_scan_items (txn, self->events, s);
    if (!rc) rc = s_scan_items (txn, self->measures, s);
    /* History keys are the item's key and be64(seq) of the batch that wrote it. */
    cur = NULL;
    if (!rc) rc = mdb_cursor_open (txn, self->history, &cur);
    while (!rc && (rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT)) == 0)
        if (k.mv_size > 8)
            s_take (s, socin_be64_get ((const unsigned char *)k.mv_data + k.mv_size - 8), &k,
                    k.mv_size - 8, &v);
    if (cur) mdb_cursor_close (cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ---- building a batch ---- */

static char *
s_text (socin_arena_t *arena, const char *text, size_t len)
{
    char *out = socin_arena_alloc (arena, len + 1);
    if (len) memcpy (out, text, len);
    out[len] = 0;
    return out;
}

static Socin__V1__ValueChange *
s_value_change (socin_arena_t *arena, const s_change_t *c)
{
    const char *ind, *unit, *period;
    char disagg[256];
    socin_value_state_t st;
    if (!socin_value_state_unpack (SOCIN_VALUE_LEDGER, c->state, c->statelen, &st) ||
        !socin_value_key_split (c->key, c->keylen, &ind, &unit, &period, disagg, sizeof disagg))
        return NULL;
    Socin__V1__ValueChange *vc = socin_arena_alloc (arena, sizeof *vc);
    socin__v1__value_change__init (vc);
    vc->indicator = (char *)ind;
    vc->unit = (char *)unit;
    vc->period = (char *)period;
    vc->disaggregation = s_text (arena, disagg, strlen (disagg));
    vc->deleted = st.deleted;
    vc->value_micros = st.deleted ? 0 : st.value;
    vc->comment = s_text (arena, st.text, st.text_len);
    vc->stored_by = s_text (arena, st.stored_by, st.stored_by_len);
    vc->followup = st.followup;
    return vc;
}

/* An event's state is be64(seq) and the packed event; a deletion's is be64(seq) alone. */
static Socin__V1__ParticipationEvent *
s_event_change (socin_arena_t *arena, const s_change_t *c)
{
    if (c->statelen > 8)
        return socin__v1__participation_event__unpack (
            socin_arena_allocator (arena), c->statelen - 8, (const uint8_t *)c->state + 8);
    size_t ulen = strlen (c->key + 1);
    if (2 + ulen > c->keylen) return NULL;
    Socin__V1__ParticipationEvent *ev = socin_arena_alloc (arena, sizeof *ev);
    socin__v1__participation_event__init (ev);
    ev->unit = c->key + 1;
    ev->event_id = c->key + 2 + ulen;
    ev->delete_ = true;
    return ev;
}

/* A measure report's state is be64(seq) and the packed report; a deletion's is be64(seq). */
static Socin__V1__MeasureProgress *
s_measure_change (socin_arena_t *arena, const s_change_t *c)
{
    if (c->statelen > 8)
        return socin__v1__measure_progress__unpack (socin_arena_allocator (arena), c->statelen - 8,
                                                    (const uint8_t *)c->state + 8);
    const char *plan = c->key + 1, *end = c->key + c->keylen;
    const char *measure = plan + strlen (plan) + 1;
    if (measure >= end) return NULL;
    const char *period = measure + strlen (measure) + 1;
    if (period > end) return NULL;
    Socin__V1__MeasureProgress *mp = socin_arena_alloc (arena, sizeof *mp);
    socin__v1__measure_progress__init (mp);
    mp->plan = (char *)plan;
    mp->measure = (char *)measure;
    mp->period = (char *)period;
    mp->delete_ = true;
    return mp;
}

static zframe_t *
s_build (ing_resync_t *self, MDB_txn *txn, uint64_t seq, const s_change_t *items, size_t n)
{
    socin_arena_t *arena = socin_arena_new ();
    Socin__V1__ChangeBatch *batch = NULL;
    unsigned char bkey[8];
    socin_be64_put (bkey, seq);
    MDB_val k = {8, bkey}, v;
    if (mdb_get (txn, self->batches, &k, &v) == 0)
        batch =
            socin__v1__change_batch__unpack (socin_arena_allocator (arena), v.mv_size, v.mv_data);
    if (!batch) {
        batch = socin_arena_alloc (arena, sizeof *batch);
        socin__v1__change_batch__init (batch);
    }
    batch->seq = seq;
    batch->values = socin_arena_alloc (arena, (n + 1) * sizeof *batch->values);
    batch->events = socin_arena_alloc (arena, (n + 1) * sizeof *batch->events);
    batch->measures = socin_arena_alloc (arena, (n + 1) * sizeof *batch->measures);
    batch->n_values = batch->n_events = batch->n_measures = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].key[0] == 'M') {
            Socin__V1__MeasureProgress *mp = s_measure_change (arena, &items[i]);
            if (mp) batch->measures[batch->n_measures++] = mp;
        } else if (items[i].key[0] == 'E') {
            Socin__V1__ParticipationEvent *ev = s_event_change (arena, &items[i]);
            if (ev) batch->events[batch->n_events++] = ev;
        } else {
            Socin__V1__ValueChange *vc = s_value_change (arena, &items[i]);
            if (vc) batch->values[batch->n_values++] = vc;
        }
    }
    Socin__V1__ForwardMessage msg = SOCIN__V1__FORWARD_MESSAGE__INIT;
    msg.body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH;
    msg.batch = batch;
    zframe_t *frame = zframe_new (NULL, socin__v1__forward_message__get_packed_size (&msg));
    socin__v1__forward_message__pack (&msg, zframe_data (frame));
    socin_arena_destroy (&arena);
    return frame;
}

/* Rebuilds the batches from FROM on (up to UPTO, fewer when they hold too many changes). */
static int
s_rebuild (ing_resync_t *self, uint64_t from, uint64_t upto)
{
    ing_resync_forget (self, UINT64_MAX);
    MDB_txn *txn;
    if (socin_store_read_begin (self->store, &txn)) return -1;
    int64_t t0 = zclock_mono ();
    s_scan_t s = {NULL, 0, 0, from, upto};
    int rc = s_scan (self, txn, &s);
    if (!rc) {
        qsort (s.items, s.n, sizeof *s.items, s_by_seq);
        self->lo = from;
        self->hi = s.hi;
        self->frames = socin_calloc (s.hi - from + 1, sizeof *self->frames);
        size_t i = 0;
        for (uint64_t seq = from; seq <= s.hi; seq++) {
            size_t first = i;
            while (i < s.n && s.items[i].seq == seq)
                i++;
            self->frames[seq - from] = s_build (self, txn, seq, s.items + first, i - first);
        }
        self->rebuilt += s.hi - from + 1;
        socin_info ("resync.rebuilt", "from=%llu to=%llu changes=%zu ms=%lld",
                    (unsigned long long)from, (unsigned long long)s.hi, s.n,
                    (long long)(zclock_mono () - t0));
    } else
        socin_warn ("resync.failed", "from=%llu reason=%s", (unsigned long long)from,
                    socin_log_q (mdb_strerror (rc)));
    for (size_t i = 0; i < s.n; i++)
        s_change_free (&s.items[i]);
    free (s.items);
    mdb_txn_abort (txn);
    return rc ? -1 : 0;
}

zframe_t *
ing_resync_frame (ing_resync_t *self, uint64_t seq, uint64_t upto)
{
    if (!seq || seq > upto) return NULL;
    if ((seq < self->lo || seq > self->hi || !self->frames[seq - self->lo]) &&
        s_rebuild (self, seq, upto))
        return NULL;
    return zframe_dup (self->frames[seq - self->lo]);
}
