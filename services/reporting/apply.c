/*  apply: change batches applied exactly once, and the store behind reporting. See apply.h. */
#include "apply.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "error.h"
#include "index.h"
#include "log.h"
#include "mem.h"
#include "chunks.h"
#include "plan.h"
#include "valuekey.h"
#include "valuestate.h"

#define KEY_MAX SOCIN_VALUE_KEY_MAX

typedef struct {
    char name[128];
    uint64_t applied;
    uint64_t announced;
    int64_t contact_ms;
    uint64_t batches, values;
    /* Its batches cannot be stored now (a full disk): since when, how many, the last code. */
    int refused_code;
    int64_t refused_ms;
    uint64_t refused;
    bool heard; /* since this process started */
} s_source_t;

/* A value's change for the cube, queued until the transaction commits. */
typedef rep_cube_change_t s_mem_t;

/* One value change of the group, with its key, for applying in key order. */
typedef struct {
    const rep_batch_t *rb;
    const Socin__V1__ValueChange *c;
    uint32_t order; /* its place in the group: equal keys keep arrival order */
    uint32_t klen;
    const char *key;          /* in the group's key arena */
    const socin_unit_t *unit; /* its unit in the model, looked up in arrival order */
} s_sorted_t;

/* The arrays a group of batches needs, kept from one group to the next: a group's are
   megabytes, and memory the allocator takes fresh from the kernel costs a page fault per page
   each time (the daemon's cron gives free heap pages back every few seconds). */
typedef struct {
    s_mem_t *mem;
    size_t capmem;
    s_sorted_t *items, **order, **tmp;
    size_t *runs;
    size_t capitems;
    socin_str_t keys; /* the group's value keys, one after another */
} s_scratch_t;

struct rep_apply_t {
    rep_apply_dbs_t dbs;
    s_source_t *src;
    size_t nsrc;
    uint64_t batches, duplicates, gaps, changes, superseded, unresolved;
    size_t leaf_pages; /* the values' leaf pages, as of the last commit */
    bool stale;
    s_scratch_t scratch;
};

static s_source_t *
s_source (rep_apply_t *self, const char *name, bool create)
{
    for (size_t i = 0; i < self->nsrc; i++)
        if (!strcmp (self->src[i].name, name)) return &self->src[i];
    if (!create) return NULL;
    self->src = socin_realloc (self->src, (self->nsrc + 1) * sizeof *self->src);
    s_source_t *s = &self->src[self->nsrc++];
    memset (s, 0, sizeof *s);
    snprintf (s->name, sizeof s->name, "%s", name);
    return s;
}

rep_apply_t *
rep_apply_new (socin_store_t *store)
{
    rep_apply_t *self = socin_calloc (1, sizeof *self);
    self->dbs.store = store;
    MDB_dbi plain = socin_store_dbi (store, "values", 0);
    self->dbs.values = socin_store_dbi (store, REP_VALUES_DB, 0);
    self->dbs.history = socin_store_dbi (store, "history", 0);
    self->dbs.events = socin_store_dbi (store, "events", 0);
    self->dbs.measures = socin_store_dbi (store, "measures", 0);
    self->dbs.sources = socin_store_dbi (store, "sources", 0);
    self->dbs.batches = socin_store_dbi (store, "batches", 0);
    rep_marks_open (&self->dbs.marks, store, self->dbs.values);
    /* Value keys of an earlier layout (valuekey.h); history keys are key, 0xFF, time, source, seq;
       follow-up marks are under the value's key. */
    socin_value_history_t hist[2] = {{self->dbs.history, 0, 0xFF},
                                     {self->dbs.marks.followups, 0, -1}};
    char err[512];
    if (socin_value_keys_migrate (store, plain, hist, 2, 50000, err, sizeof err) < 0)
        socin_fatal ("store.migrate_failed", "reason=%s", socin_log_q (err));
    /* Stores written before the chunks kept one entry per value in "values": moved. */
    if (socin_chunks_migrate (store, plain, self->dbs.values, 50000, err, sizeof err) < 0)
        socin_fatal ("store.migrate_failed", "reason=%s", socin_log_q (err));
    MDB_txn *txn;
    if (socin_store_read_begin (store, &txn) == 0) {
        MDB_cursor *cur;
        MDB_val k, v;
        mdb_cursor_open (txn, self->dbs.sources, &cur);
        while (mdb_cursor_get (cur, &k, &v, MDB_NEXT) == 0) {
            char name[128];
            snprintf (name, sizeof name, "%.*s", (int)k.mv_size, (char *)k.mv_data);
            if (v.mv_size == 8) s_source (self, name, true)->applied = socin_be64_get (v.mv_data);
        }
        mdb_cursor_close (cur);
        self->leaf_pages = socin_store_leaf_pages (txn, self->dbs.values);
        mdb_txn_abort (txn);
    }
    return self;
}

void
rep_apply_destroy (rep_apply_t **self_p)
{
    rep_apply_t *self = *self_p;
    if (!self) return;
    free (self->src);
    s_scratch_t *sc = &self->scratch;
    free (sc->mem);
    free (sc->items);
    free (sc->order);
    free (sc->tmp);
    free (sc->runs);
    socin_str_free (&sc->keys);
    free (self);
    *self_p = NULL;
}

uint64_t
rep_apply_applied (rep_apply_t *self, const char *source)
{
    s_source_t *s = s_source (self, source, false);
    return s ? s->applied : 0;
}

void
rep_apply_contact (rep_apply_t *self, const char *source, uint64_t last)
{
    s_source_t *s = s_source (self, source, true);
    s->contact_ms = socin_now_ms ();
    if (last) s->announced = last;
}

bool
rep_apply_first_contact (rep_apply_t *self, const char *source)
{
    s_source_t *s = s_source (self, source, true);
    bool first = !s->heard;
    s->heard = true;
    return first;
}

bool
rep_apply_stale (rep_apply_t *self)
{
    return self->stale;
}

/* ---- keys and states ---- */

static size_t
s_value_key (const Socin__V1__ValueChange *c, char *key)
{
    return socin_value_key (c->indicator, c->unit, c->period, c->disaggregation, key);
}

/* Extends value KEY (KLEN bytes) to the key of its change in batch SEQ of SOURCE (SLEN
   bytes), accepted at MS (the source cut to 127 bytes); returns the length. */
size_t
rep_apply_history_key (char *key, size_t klen, int64_t ms, const char *source, size_t slen,
                       uint64_t seq)
{
    size_t n = klen;
    if (slen > 127) slen = 127;
    key[n++] = (char)0xFF;
    socin_be64_put ((unsigned char *)key + n, (uint64_t)ms);
    n += 8;
    memcpy (key + n, source, slen);
    n += slen;
    key[n++] = 0;
    socin_be64_put ((unsigned char *)key + n, seq);
    return n + 8;
}

size_t
rep_apply_leaf_pages (const rep_apply_t *self)
{
    return self->leaf_pages;
}

size_t
rep_apply_batch_key (const char *source, uint64_t seq, char *key)
{
    size_t n = strlen (source);
    if (n > 127) n = 127;
    memcpy (key, source, n);
    key[n] = 0;
    socin_be64_put ((unsigned char *)key + n + 1, seq);
    return n + 9;
}

const rep_apply_dbs_t *
rep_apply_dbs (rep_apply_t *self)
{
    return &self->dbs;
}

/* ---- applying ---- */

#define S_IND_CACHE 64 /* indicator lookups kept per transaction (a power of 2) */

typedef struct {
    rep_apply_t *self;
    rep_batch_t *batches;
    size_t n;
    const socin_model_t *model;
    s_mem_t *mem;
    size_t nmem, capmem;
    Socin__V1__ParticipationEvent **evs;
    size_t nevs, capevs;
    /* applied sequence per source as the transaction goes */
    char (*names)[128];
    uint64_t *applied;
    size_t nnames;
    uint64_t superseded, unresolved;
    /* The unit of the value being applied (looked up as the group's values are listed, NULL
       when unknown), and the last lookups: values come in key order (period, unit,
       indicator), so runs share a period; the indicator changes with every value, so
       indicators are kept in a small cache by a hash of their code. */
    const socin_unit_t *unit;
    const char *period_text;
    socin_period_t period;
    bool period_ok;
    struct {
        const char *code;
        const socin_indicator_t *ind;
    } inds[S_IND_CACHE];
    socin_chunks_t *values; /* the values' handle, while the values are applied */
    size_t leaf_pages;      /* the values' leaf pages when the transaction is done */
} s_txn_t;

static uint64_t *
s_txn_applied (s_txn_t *t, const char *source)
{
    for (size_t i = 0; i < t->nnames; i++)
        if (!strcmp (t->names[i], source)) return &t->applied[i];
    t->names = socin_realloc (t->names, (t->nnames + 1) * sizeof *t->names);
    t->applied = socin_realloc (t->applied, (t->nnames + 1) * sizeof *t->applied);
    snprintf (t->names[t->nnames], 128, "%s", source);
    t->applied[t->nnames] = rep_apply_applied (t->self, source);
    return &t->applied[t->nnames++];
}

static void
s_mem_push (s_txn_t *t, const s_mem_t *m)
{
    if (t->nmem == t->capmem) {
        t->capmem = t->capmem ? t->capmem * 2 : 1024;
        t->mem = socin_realloc (t->mem, t->capmem * sizeof *t->mem);
    }
    t->mem[t->nmem++] = *m;
}

static int32_t
s_day_of_ms (int64_t ms)
{
    int64_t d = ms / 86400000;
    if (ms < 0 && ms % 86400000) d--;
    return (int32_t)d;
}

/* Folds the change of version MS (DELETED) into the walk of s_first_day. */
static void
s_first_step (bool deleted, int64_t ms, bool *present, int32_t *out)
{
    if (deleted)
        *present = false;
    else if (!*present) {
        *present = true;
        *out = s_day_of_ms (ms);
    }
}

/* The day the value under KEY was first received, as if its changes had arrived in version
   order: the day of the earliest version after the last deletion. The history holds every
   change but the current one (CURRENT, the latest version) in version order, whatever order
   they arrived in. */
static int
s_first_day (rep_apply_t *self, MDB_txn *txn, const char *key, size_t klen,
             const socin_value_state_t *current, int32_t *out)
{
    char prefix[KEY_MAX + 1];
    memcpy (prefix, key, klen);
    prefix[klen] = (char)0xFF;
    MDB_cursor *cur;
    int rc = mdb_cursor_open (txn, self->dbs.history, &cur);
    if (rc) return rc;
    MDB_val k = {klen + 1, prefix}, v;
    bool present = false;
    *out = 0;
    rc = mdb_cursor_get (cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size >= klen + 9 && !memcmp (k.mv_data, prefix, klen + 1)) {
        socin_value_state_t change;
        socin_value_state_unpack (SOCIN_VALUE_CHANGE, v.mv_data, v.mv_size, &change);
        s_first_step (change.deleted,
                      (int64_t)socin_be64_get ((const unsigned char *)k.mv_data + klen + 1),
                      &present, out);
        rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close (cur);
    /* An older store's current change is in the history already: folding it twice is a
       no-op. */
    s_first_step (current->deleted, current->ms, &present, out);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The indicator CODE names in T's model (NULL when unknown), through T's cache. */
static const socin_indicator_t *
s_txn_indicator (s_txn_t *t, const char *code)
{
    uint32_t h = 2166136261u;
    for (const char *p = code; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h &= S_IND_CACHE - 1;
    if (!t->inds[h].code || strcmp (t->inds[h].code, code)) {
        t->inds[h].code = code;
        t->inds[h].ind = socin_model_indicator (t->model, code);
    }
    return t->inds[h].ind;
}

/* Queues the cube's change for C: now VALUE (PRESENT) or gone, first received FIRST_DAY. */
static int
s_mem_value (s_txn_t *t, const Socin__V1__ValueChange *c, bool present, socin_dec_t value,
             int32_t first_day)
{
    const socin_indicator_t *ind = s_txn_indicator (t, c->indicator);
    if (!t->period_text || strcmp (t->period_text, c->period)) {
        char why[128];
        t->period_text = c->period;
        t->period_ok = socin_period_parse (c->period, &t->period, why, sizeof why) == 0;
    }
    if (!ind || !t->unit || !t->period_ok) {
        t->unresolved++;
        return 0;
    }
    s_mem_t m = {ind, t->unit, t->period, c->disaggregation, present, value, first_day};
    s_mem_push (t, &m);
    return 0;
}

/* Stores STATE as the current version of the value under K, through T's values' handle. */
static int
s_put_state (s_txn_t *t, MDB_val *k, const socin_value_state_t *state)
{
    socin_value_packing_t pk;
    MDB_val v = {socin_value_state_measure (&pk, SOCIN_VALUE_VERSION, state), NULL};
    int rc = socin_chunks_put (t->values, k, &v, MDB_RESERVE, NULL, NULL);
    if (!rc) socin_value_state_pack_as (&pk, v.mv_data);
    return rc;
}

/* Keeps in history, under value KEY (KLEN bytes, with room for the suffix), CHANGE (its value,
   deletion, comment, stored_by, followup) of version MS, SOURCE (SLEN bytes), SEQ. */
static int
s_put_change (rep_apply_t *self, MDB_txn *txn, char *key, size_t klen, int64_t ms,
              const char *source, size_t slen, uint64_t seq, const socin_value_state_t *change)
{
    size_t hlen = rep_apply_history_key (key, klen, ms, source, slen, seq);
    socin_value_packing_t pk;
    MDB_val hk = {hlen, key},
            hv = {socin_value_state_measure (&pk, SOCIN_VALUE_CHANGE, change), NULL};
    int rc = mdb_put (txn, self->dbs.history, &hk, &hv, MDB_RESERVE);
    if (!rc) socin_value_state_pack_as (&pk, hv.mv_data);
    return rc;
}

/* Points WAS's texts (in a page the puts may move) at a copy; returns it (free it). */
static char *
s_copy_texts (socin_value_state_t *was)
{
    char *copy = socin_malloc (was->text_len + was->comment_len + was->stored_by_len + 1);
    memcpy (copy, was->text, was->text_len);
    memcpy (copy + was->text_len, was->comment, was->comment_len);
    if (was->stored_by_len)
        memcpy (copy + was->text_len + was->comment_len, was->stored_by, was->stored_by_len);
    was->text = copy;
    was->comment = copy + was->text_len;
    was->stored_by = was->comment + was->comment_len;
    return copy;
}

/* C, older than the current version WAS of the value under KEY, arrived late: it goes to
   history, and it can still move the day the present value was first received (earlier, or
   later when it is a deletion), which completeness counts on. */
static int
s_apply_late (s_txn_t *t, MDB_txn *txn, char *key, size_t klen, const char *source,
              const Socin__V1__ChangeBatch *b, const Socin__V1__ValueChange *c,
              const socin_value_state_t *change, socin_value_state_t *was)
{
    rep_apply_t *self = t->self;
    t->superseded++;
    char *copy = s_copy_texts (was);
    int rc = s_put_change (self, txn, key, klen, b->accepted_ms, source, strlen (source), b->seq,
                           change);
    int32_t first = was->first_day;
    if (!rc && !was->deleted) rc = s_first_day (self, txn, key, klen, was, &first);
    if (!rc && !was->deleted && first != was->first_day) {
        was->first_day = first;
        MDB_val k = {klen, key};
        rc = s_put_state (t, &k, was);
        if (!rc) rc = s_mem_value (t, c, true, was->value, first);
    }
    free (copy);
    return rc;
}

/* Applies C: the value's current version, and its history. A value seen for the first time
   costs one search of one B-tree: the current version holds the change itself, and the
   history receives a change only once a later version replaces it (or when it arrives
   already replaced). */
static int
s_apply_value (s_txn_t *t, MDB_txn *txn, const char *source, const Socin__V1__ChangeBatch *b,
               const Socin__V1__ValueChange *c, const char *ckey, size_t klen)
{
    rep_apply_t *self = t->self;
    char key[KEY_MAX + 1 + 8 + 127 + 1 + 8];
    if (!klen) return 0;
    memcpy (key, ckey, klen);
    size_t slen = strlen (source);
    if (slen > 127) slen = 127; /* as history and batch keys cut it */
    socin_value_state_t now = {.value = c->deleted ? 0 : c->value_micros,
                               .deleted = c->deleted,
                               .seq = b->seq,
                               .ms = b->accepted_ms,
                               .first_day = s_day_of_ms (b->accepted_ms),
                               .text = source,
                               .text_len = slen,
                               .stored_by = c->stored_by,
                               .stored_by_len = strlen (c->stored_by),
                               .followup = c->followup,
                               .comment = c->comment,
                               .comment_len = strlen (c->comment)};
    socin_value_packing_t pk;
    MDB_val k = {klen, key}, v = {socin_value_state_measure (&pk, SOCIN_VALUE_VERSION, &now), NULL};
    /* Through the values' handle: in key order the next key mostly falls in the chunk the
       handle holds, which is written once when the handle moves on (chunks.h). */
    int rc = socin_chunks_put (t->values, &k, &v, MDB_NOOVERWRITE | MDB_RESERVE, NULL, NULL);
    if (rc == 0) {
        socin_value_state_pack_as (&pk, v.mv_data);
        return s_mem_value (t, c, !c->deleted, now.value, now.first_day);
    }
    if (rc != MDB_KEYEXIST) return rc;
    socin_value_state_t was;
    socin_value_state_unpack (SOCIN_VALUE_VERSION, v.mv_data, v.mv_size, &was);
    int cmp = socin_version_cmp (b->accepted_ms, source, slen, b->seq, was.ms, was.text,
                                 was.text_len, was.seq);
    if (cmp == 0) {
        t->superseded++; /* this very change is in place */
        return 0;
    }
    if (cmp < 0) {
        socin_value_state_t change = {.value = c->value_micros,
                                      .deleted = c->deleted,
                                      .text = c->comment,
                                      .text_len = strlen (c->comment),
                                      .stored_by = c->stored_by,
                                      .stored_by_len = strlen (c->stored_by),
                                      .followup = c->followup};
        return s_apply_late (t, txn, key, klen, source, b, c, &change, &was);
    }
    /* The replaced version goes to history (an older store's is there already). */
    if (!was.logged) {
        char *copy = s_copy_texts (&was);
        socin_value_state_t change = socin_value_change_of (&was);
        rc = s_put_change (self, txn, key, klen, was.ms, was.text, was.text_len, was.seq, &change);
        free (copy);
        if (rc) return rc;
    }
    if (!was.deleted) now.first_day = was.first_day;
    if ((rc = s_put_state (t, &k, &now))) return rc;
    return s_mem_value (t, c, !c->deleted, now.value, now.first_day);
}

/* Stores MSG under KEY in DBI as ms 8, seq 8, source length 1, source, packed message, unless
   a later version (accepted time, source, sequence) is there; *APPLIED tells which. */
static int
s_apply_versioned (s_txn_t *t, MDB_txn *txn, MDB_dbi dbi, const char *key, size_t klen,
                   const char *source, const Socin__V1__ChangeBatch *b, const ProtobufCMessage *msg,
                   bool *applied)
{
    size_t slen = strlen (source);
    *applied = false;
    MDB_val k = {klen, (void *)key}, old;
    int rc = mdb_get (txn, dbi, &k, &old);
    if (rc && rc != MDB_NOTFOUND) return rc;
    if (rc == 0 && old.mv_size >= 17) {
        int64_t oms;
        uint64_t oseq;
        memcpy (&oms, old.mv_data, 8);
        memcpy (&oseq, (char *)old.mv_data + 8, 8);
        size_t olen = ((unsigned char *)old.mv_data)[16];
        if (socin_version_cmp (b->accepted_ms, source, slen, b->seq, oms, (char *)old.mv_data + 17,
                               olen, oseq) <= 0) {
            t->superseded++;
            return 0;
        }
    }
    if (slen > 255) slen = 255;
    size_t mlen = protobuf_c_message_get_packed_size (msg);
    MDB_val nv = {17 + slen + mlen, NULL};
    rc = mdb_put (txn, dbi, &k, &nv, MDB_RESERVE);
    if (rc) return rc;
    unsigned char *p = nv.mv_data;
    int64_t ms = b->accepted_ms;
    uint64_t seq = b->seq;
    memcpy (p, &ms, 8);
    memcpy (p + 8, &seq, 8);
    p[16] = (unsigned char)slen;
    memcpy (p + 17, source, slen);
    protobuf_c_message_pack (msg, p + 17 + slen);
    *applied = true;
    return 0;
}

static int
s_apply_event (s_txn_t *t, MDB_txn *txn, const char *source, const Socin__V1__ChangeBatch *b,
               Socin__V1__ParticipationEvent *ev)
{
    char key[KEY_MAX];
    size_t a = strlen (ev->unit), e = strlen (ev->event_id);
    if (a + e + 2 > KEY_MAX) return 0;
    memcpy (key, ev->unit, a + 1);
    memcpy (key + a + 1, ev->event_id, e);
    bool applied;
    int rc = s_apply_versioned (t, txn, t->self->dbs.events, key, a + 1 + e, source, b, &ev->base,
                                &applied);
    if (rc || !applied) return rc;
    if (t->nevs == t->capevs) {
        t->capevs = t->capevs ? t->capevs * 2 : 64;
        t->evs = socin_realloc (t->evs, t->capevs * sizeof *t->evs);
    }
    t->evs[t->nevs++] = ev;
    return 0;
}

/* A measure report: the latest version under plan NUL measure NUL period (a deletion stays as
   a tombstone), and every change in history under the key's change key. */
static int
s_apply_measure (s_txn_t *t, MDB_txn *txn, const char *source, const Socin__V1__ChangeBatch *b,
                 const Socin__V1__MeasureProgress *mp)
{
    char key[KEY_MAX + 1 + 8 + 127 + 1 + 8];
    size_t klen = socin_measure_key (mp->plan, mp->measure, mp->period, key, KEY_MAX);
    if (!klen) return 0;
    bool applied;
    int rc = s_apply_versioned (t, txn, t->self->dbs.measures, key, klen, source, b, &mp->base,
                                &applied);
    if (rc) return rc;
    key[0] = 'm'; /* history keys of measures: apart from value keys ("U...") */
    size_t hlen =
        rep_apply_history_key (key, klen, b->accepted_ms, source, strlen (source), b->seq);
    MDB_val hk = {hlen, key}, hv = {socin__v1__measure_progress__get_packed_size (mp), NULL};
    rc = mdb_put (txn, t->self->dbs.history, &hk, &hv, MDB_RESERVE);
    if (!rc) socin__v1__measure_progress__pack (mp, hv.mv_data);
    return rc;
}

static int
s_put_batch (rep_apply_t *self, MDB_txn *txn, const rep_batch_t *rb)
{
    Socin__V1__ChangeBatch head = SOCIN__V1__CHANGE_BATCH__INIT;
    head.seq = rb->batch->seq;
    head.submission_id = rb->batch->submission_id;
    head.submitter = rb->batch->submitter;
    head.submitter_key = rb->batch->submitter_key;
    head.accepted_ms = rb->batch->accepted_ms;
    /* Who sent the batch, and when: once per batch, for the history. */
    char key[REP_APPLY_BATCH_KEY_MAX];
    MDB_val k = {rep_apply_batch_key (rb->source, rb->batch->seq, key), key};
    MDB_val v = {socin__v1__change_batch__get_packed_size (&head), NULL};
    int rc = mdb_put (txn, self->dbs.batches, &k, &v, MDB_RESERVE);
    if (!rc) socin__v1__change_batch__pack (&head, v.mv_data);
    return rc;
}

static int
s_cmp_sorted (const void *a, const void *b)
{
    const s_sorted_t *x = *(const s_sorted_t *const *)a, *y = *(const s_sorted_t *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp (x->key, y->key, n);
    if (c) return c;
    if (x->klen != y->klen) return x->klen < y->klen ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorts the N items of A by key, using TMP (room for N): each batch's values mostly come in
   key order already, so it merges the ascending runs it finds (a natural merge sort) instead
   of sorting from scratch; a group of batches in feed order is a few runs. */
static void
s_sort_runs (s_sorted_t **a, s_sorted_t **tmp, size_t *runs, size_t n)
{
    size_t nruns = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || s_cmp_sorted (&a[i - 1], &a[i]) > 0) runs[nruns++] = i;
    runs[nruns] = n;
    s_sorted_t **src = a, **dst = tmp;
    while (nruns > 1) {
        size_t w = 0;
        for (size_t r = 0; r < nruns; r += 2) {
            size_t lo = runs[r], mid = runs[r + 1], hi = r + 2 <= nruns ? runs[r + 2] : mid;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                dst[o++] = s_cmp_sorted (&src[j], &src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[o++] = src[i++];
            while (j < hi)
                dst[o++] = src[j++];
            runs[w++] = lo;
        }
        runs[w] = n;
        nruns = w;
        s_sorted_t **swap = src;
        src = dst;
        dst = swap;
    }
    if (src != a) memcpy (a, src, n * sizeof *a);
}

static int
s_batches_txn (MDB_txn *txn, void *arg)
{
    s_txn_t *t = arg;
    t->nmem = t->nevs = t->nnames = 0;
    t->superseded = t->unresolved = 0;
    t->unit = NULL;
    t->period_text = NULL;
    memset (t->inds, 0, sizeof t->inds);
    size_t total = 0;
    for (size_t i = 0; i < t->n; i++) {
        rep_batch_t *rb = &t->batches[i];
        uint64_t *applied = s_txn_applied (t, rb->source);
        if (rb->batch->seq <= *applied) {
            rb->outcome = REP_DUPLICATE;
            continue;
        }
        if (rb->batch->seq != *applied + 1) {
            rb->outcome = REP_GAP;
            continue;
        }
        *applied = rb->batch->seq;
        rb->outcome = REP_APPLIED;
        total += rb->batch->n_values;
        int rc = s_put_batch (t->self, txn, rb);
        if (rc) return rc;
    }
    /* Values in key order: B-tree pages are then touched once each, in order, which is what
       makes a large transaction cheap. Which version wins does not depend on this order. */
    s_scratch_t *sc = &t->self->scratch;
    if (total + 1 > sc->capitems) {
        sc->capitems = total + total / 2 + 1;
        sc->items = socin_realloc (sc->items, sc->capitems * sizeof *sc->items);
        sc->order = socin_realloc (sc->order, sc->capitems * sizeof *sc->order);
        sc->tmp = socin_realloc (sc->tmp, sc->capitems * sizeof *sc->tmp);
        sc->runs = socin_realloc (sc->runs, sc->capitems * sizeof *sc->runs);
    }
    s_sorted_t *items = sc->items, **order = sc->order;
    socin_str_t *arena = &sc->keys;
    arena->len = 0;
    size_t n = 0;
    const char *unit_text = NULL;
    const socin_unit_t *unit = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const rep_batch_t *rb = &t->batches[i];
        if (rb->outcome != REP_APPLIED) continue;
        Socin__V1__ValueChange **values = rb->batch->values;
        size_t nv = rb->batch->n_values;
        for (size_t v = 0; v < nv; v++) {
            /* Units are looked up here, in the order the values came (a batch's values are
               next to each other in memory), with the look-ups prefetched: scattered values
               each name another. */
            socin_model_units_prefetch (t->model, (void *const *)values,
                                        offsetof (Socin__V1__ValueChange, unit), v, nv);
            char key[KEY_MAX];
            s_sorted_t *it = &items[n];
            it->rb = rb;
            it->c = values[v];
            if (!unit_text || strcmp (unit_text, it->c->unit))
                unit = socin_model_unit (t->model, unit_text = it->c->unit);
            it->unit = unit;
            it->order = (uint32_t)n;
            it->klen = (uint32_t)s_value_key (it->c, key);
            it->key =
                (const char *)(uintptr_t)arena->len; /* an offset until the arena stops moving */
            socin_str_append (arena, key, it->klen);
            order[n] = it;
            n++;
        }
    }
    for (size_t i = 0; i < n; i++)
        items[i].key = arena->data + (uintptr_t)items[i].key;
    s_sort_runs (order, sc->tmp, sc->runs, n);
    int rc = 0;
    t->values = socin_chunks_open (txn, t->self->dbs.values, &rc);
    for (size_t i = 0; i < n && !rc; i++) {
        const s_sorted_t *it = order[i];
        t->unit = it->unit;
        rc = s_apply_value (t, txn, it->rb->source, it->rb->batch, it->c, it->key, it->klen);
    }
    int frc = socin_chunks_close (&t->values, rc != 0);
    if (!rc) rc = frc;
    if (rc) return rc;
    for (size_t i = 0; i < t->n; i++) {
        const rep_batch_t *rb = &t->batches[i];
        if (rb->outcome != REP_APPLIED) continue;
        for (size_t e = 0; e < rb->batch->n_events; e++) {
            rc = s_apply_event (t, txn, rb->source, rb->batch, rb->batch->events[e]);
            if (rc) return rc;
        }
        for (size_t m = 0; m < rb->batch->n_measures; m++) {
            rc = s_apply_measure (t, txn, rb->source, rb->batch, rb->batch->measures[m]);
            if (rc) return rc;
        }
        if ((rc = rep_marks_apply (&t->self->dbs.marks, txn, rb->source, rb->batch))) return rc;
    }
    for (size_t i = 0; i < t->nnames; i++) {
        MDB_val k = {strlen (t->names[i]), t->names[i]}, v;
        unsigned char buf[8];
        socin_be64_put (buf, t->applied[i]);
        v.mv_size = 8;
        v.mv_data = buf;
        rc = mdb_put (txn, t->self->dbs.sources, &k, &v, 0);
        if (rc) return rc;
    }
    t->leaf_pages = socin_store_leaf_pages (txn, t->self->dbs.values);
    return 0;
}

/* What each source announced by sending, and whether its batches could be stored: a
   refusal is a state of the source (lag, `sources`, the stamp), logged once when it starts and
   once when it ends, whatever the number of resends in between. */
static void
s_note_outcome (rep_apply_t *self, const rep_batch_t *batches, size_t n, socin_store_rc_t rc,
                const char *err)
{
    for (size_t i = 0; i < n; i++) {
        s_source_t *s = s_source (self, batches[i].source, true);
        if (batches[i].batch->seq > s->announced) s->announced = batches[i].batch->seq;
        if (rc == SOCIN_STORE_OK) {
            /* Only a batch stored ends a refusal (duplicates and gaps store nothing). */
            if (batches[i].outcome != REP_APPLIED) continue;
            if (s->refused_code)
                socin_info ("batch.accepted_again", "source=%s refused=%llu refused_ms=%lld",
                            socin_log_q (s->name), (unsigned long long)s->refused,
                            (long long)(socin_now_ms () - s->refused_ms));
            s->refused_code = 0;
            s->refused_ms = 0;
            s->refused = 0;
            continue;
        }
        int code = rc == SOCIN_STORE_FULL ? SOCIN_E (STORAGE_FULL) : SOCIN_E (STORAGE_ERROR);
        if (!s->refused_code)
            socin_warn ("batch.refused", "source=%s seq=%llu code=%s reason=%s",
                        socin_log_q (s->name), (unsigned long long)batches[i].batch->seq,
                        socin_error_name (code), socin_log_q (err));
        if (!s->refused_ms) s->refused_ms = socin_now_ms ();
        s->refused_code = code;
        s->refused++;
    }
}

socin_store_rc_t
rep_apply_batches (rep_apply_t *self, rep_batch_t *batches, size_t n, const socin_model_t *model,
                   rep_cube_t *cube, rep_events_t *events, char *err, size_t errlen)
{
    s_txn_t t;
    memset (&t, 0, sizeof t);
    t.self = self;
    t.batches = batches;
    t.n = n;
    t.model = model;
    t.mem = self->scratch.mem;
    t.capmem = self->scratch.capmem;
    socin_store_rc_t rc = socin_store_write (self->dbs.store, s_batches_txn, &t, err, errlen);
    s_note_outcome (self, batches, n, rc, err);
    if (rc == SOCIN_STORE_OK) {
        self->leaf_pages = t.leaf_pages;
        rep_cube_begin (cube);
        rep_cube_set_many (cube, t.mem, t.nmem);
        for (size_t i = 0; i < t.nevs; i++)
            rep_events_set (events, t.evs[i]);
        for (size_t i = 0; i < t.nnames; i++)
            s_source (self, t.names[i], true)->applied = t.applied[i];
        for (size_t i = 0; i < n; i++) {
            if (batches[i].outcome == REP_APPLIED) {
                self->batches++;
                s_source_t *s = s_source (self, batches[i].source, true);
                s->batches++;
                s->values += batches[i].batch->n_values;
                self->changes += batches[i].batch->n_values + batches[i].batch->n_events +
                                 batches[i].batch->n_measures;
            } else if (batches[i].outcome == REP_DUPLICATE)
                self->duplicates++;
            else
                self->gaps++;
        }
        self->superseded += t.superseded;
        self->unresolved += t.unresolved;
        if (t.unresolved) {
            self->stale = true;
            socin_warn ("apply.unresolved", "values=%llu detail=%s",
                        (unsigned long long)t.unresolved,
                        socin_log_q ("indicator or unit unknown to this replica; figures follow "
                                     "once the registry replica catches up"));
        }
        rep_cube_done (cube, rep_apply_digest (self), self->stale);
    }
    self->scratch.mem = t.mem;
    self->scratch.capmem = t.capmem;
    free (t.evs);
    free (t.names);
    free (t.applied);
    return rc;
}

/* ---- loading ---- */

/* The cube's rebuild takes the stored values this many at a time (rep_cube_set_many). */
#define S_LOAD_CHUNK 65536

/* Sets CHANGES (N of them) in CUBE; counts those refused in UNRESOLVED and returns the rest. */
static uint64_t
s_load_chunk (rep_cube_t *cube, rep_cube_change_t *changes, size_t n, uint64_t *unresolved)
{
    size_t refused = rep_cube_set_many (cube, changes, n);
    *unresolved += refused;
    return n - refused;
}

/* Every stored value into CUBE, a chunk at a time, in key order. In that order the period
   and unit change seldom (period-first keys, valuekey.h): each is parsed and looked up once
   per run. Returns the values set; those that resolve to no indicator, unit or period, or
   that the cube refuses, are counted in UNRESOLVED. */
static uint64_t
s_load_values (rep_apply_t *self, MDB_txn *txn, const socin_model_t *model, rep_cube_t *cube,
               uint64_t *unresolved)
{
    rep_cube_change_t *changes = socin_calloc (S_LOAD_CHUNK, sizeof *changes);
    socin_arena_t *texts = socin_arena_new ();
    char last_period[SOCIN_PERIOD_STRLEN] = "", last_unit[64] = "";
    socin_period_t period = {0};
    bool period_ok = false;
    const socin_unit_t *unit = NULL;
    size_t n = 0;
    uint64_t set = 0;
    MDB_val k, v;
    int rc;
    socin_chunks_t *cur = socin_chunks_open (txn, self->dbs.values, &rc);
    while (cur && socin_chunks_get (cur, &k, &v, MDB_NEXT) == 0) {
        const char *ind_code, *unit_code, *period_text;
        char disagg[256], why[128];
        socin_value_state_t st;
        if (!socin_value_state_unpack (SOCIN_VALUE_VERSION, v.mv_data, v.mv_size, &st) ||
            !socin_value_key_split (k.mv_data, k.mv_size, &ind_code, &unit_code, &period_text,
                                    disagg, sizeof disagg))
            continue;
        if (st.deleted) continue;
        if (strcmp (period_text, last_period)) {
            snprintf (last_period, sizeof last_period, "%s", period_text);
            period_ok = socin_period_parse (period_text, &period, why, sizeof why) == 0;
        }
        if (strcmp (unit_code, last_unit)) {
            snprintf (last_unit, sizeof last_unit, "%s", unit_code);
            unit = socin_model_unit (model, unit_code);
        }
        const socin_indicator_t *ind = socin_model_indicator (model, ind_code);
        if (!ind || !unit || !period_ok) {
            (*unresolved)++;
            continue;
        }
        size_t dlen = strlen (disagg);
        char *d = "";
        if (dlen) {
            d = socin_arena_alloc (texts, dlen + 1);
            memcpy (d, disagg, dlen + 1);
        }
        changes[n++] = (rep_cube_change_t){ind, unit, period, d, true, st.value, st.first_day};
        if (n == S_LOAD_CHUNK) {
            set += s_load_chunk (cube, changes, n, unresolved);
            n = 0;
            socin_arena_destroy (&texts);
            texts = socin_arena_new ();
        }
    }
    set += s_load_chunk (cube, changes, n, unresolved);
    socin_chunks_close (&cur, true); /* it only reads */
    socin_arena_destroy (&texts);
    free (changes);
    return set;
}

uint64_t
rep_apply_load (rep_apply_t *self, const socin_model_t *model, rep_cube_t *cube,
                rep_events_t *events, uint64_t *unresolved)
{
    MDB_txn *txn;
    uint64_t n = 0;
    *unresolved = 0;
    if (socin_store_read_begin (self->dbs.store, &txn)) return 0;
    MDB_cursor *cur;
    MDB_val k, v;
    if (cube) n = s_load_values (self, txn, model, cube, unresolved);
    mdb_cursor_open (txn, self->dbs.events, &cur);
    while (mdb_cursor_get (cur, &k, &v, MDB_NEXT) == 0) {
        if (v.mv_size < 17) continue;
        size_t slen = ((unsigned char *)v.mv_data)[16];
        if (v.mv_size < 17 + slen) continue;
        Socin__V1__ParticipationEvent *ev = socin__v1__participation_event__unpack (
            NULL, v.mv_size - 17 - slen, (uint8_t *)v.mv_data + 17 + slen);
        if (ev) {
            rep_events_set (events, ev);
            socin__v1__participation_event__free_unpacked (ev, NULL);
        }
    }
    mdb_cursor_close (cur);
    mdb_txn_abort (txn);
    if (cube) {
        self->stale = *unresolved > 0;
        rep_cube_done (cube, rep_apply_digest (self), self->stale);
    }
    return n;
}

void
rep_apply_set_stale (rep_apply_t *self, bool stale)
{
    self->stale = stale;
}

static int
s_cmp_source (const void *a, const void *b)
{
    return strcmp ((*(const s_source_t *const *)a)->name, (*(const s_source_t *const *)b)->name);
}

uint64_t
rep_apply_digest (rep_apply_t *self)
{
    /* Sources only heard from (nothing applied yet) are not in the store: left out. */
    const s_source_t **list = socin_calloc (self->nsrc + 1, sizeof *list);
    size_t n = 0;
    for (size_t i = 0; i < self->nsrc; i++)
        if (self->src[i].applied) list[n++] = &self->src[i];
    qsort (list, n, sizeof *list, s_cmp_source);
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        for (const char *p = list[i]->name; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        uint64_t applied = list[i]->applied;
        for (int b = 0; b < 8; b++, applied >>= 8)
            h = (h ^ (applied & 0xFF)) * 1099511628211ULL;
        h = (h ^ 0xFF) * 1099511628211ULL;
    }
    free (list);
    return h;
}

/* ---- answers ---- */

void
rep_apply_stamp (rep_apply_t *self, Socin__V1__Stamp *stamp)
{
    stamp->sources = socin_calloc (self->nsrc + 1, sizeof *stamp->sources);
    for (size_t i = 0; i < self->nsrc; i++) {
        Socin__V1__SourceState *s = socin_malloc (sizeof *s);
        socin__v1__source_state__init (s);
        s->source = socin_strdup (self->src[i].name);
        s->applied_seq = self->src[i].applied;
        s->last_contact_ms = self->src[i].contact_ms;
        s->lag = self->src[i].announced > self->src[i].applied
                     ? self->src[i].announced - self->src[i].applied
                     : 0;
        s->refused_code = self->src[i].refused_code;
        s->refused_since_ms = self->src[i].refused_ms;
        s->refused_batches = self->src[i].refused;
        stamp->sources[stamp->n_sources++] = s;
    }
}

void
rep_apply_stamp_free (Socin__V1__Stamp *stamp)
{
    for (size_t i = 0; i < stamp->n_sources; i++)
        protobuf_c_message_free_unpacked (&stamp->sources[i]->base, NULL);
    free (stamp->sources);
    stamp->sources = NULL;
    stamp->n_sources = 0;
}

void
rep_apply_stats (rep_apply_t *self, socin_str_t *out)
{
    socin_str_printf (out,
                      "# Apply\nbatches_applied:%llu\nbatches_duplicate:%llu\nbatches_gap:%llu\n"
                      "changes_applied:%llu\nchanges_superseded:%llu\nchanges_unresolved:%llu\n",
                      (unsigned long long)self->batches, (unsigned long long)self->duplicates,
                      (unsigned long long)self->gaps, (unsigned long long)self->changes,
                      (unsigned long long)self->superseded, (unsigned long long)self->unresolved);
}
