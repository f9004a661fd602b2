/*  ledger: the ingest's durable state. See ledger.h. */
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "changebatch.h"
#include "chunks.h"
#include "followup.h"
#include "index.h"
#include "log.h"
#include "mem.h"
#include "model.h"
#include "rulewarn.h"
#include "shape.h"
#include "str.h"
#include "valuestate.h"
#include "varint.h"
#include "wire.h"

struct ing_ledger_t {
    socin_store_t *store;
    MDB_dbi values, events, measures, history, batches, outbox, submissions, meta;
    MDB_dbi approvals, followups; /* approval.h, followup.h */
    uint64_t last_seq, acked_seq;
    size_t leaf_pages; /* the values' leaf pages, as of the last commit */
    size_t batch_values;
    socin_str_t packed; /* the last change batch packed, its memory kept for the next */
    uint64_t swept, sweep_misses; /* s_sweep: submissions swept, sweeps aborted */
    unsigned sweep_rest;          /* groups still not to sweep after a sweep aborted */
};

/* The most memory the packed batch keeps between batches. */
#define PACKED_KEEP (4u << 20)

void
ing_ledger_set_batch_values (ing_ledger_t *self, size_t batch_values)
{
    self->batch_values = batch_values ? batch_values : 1;
}

ing_ledger_t *
ing_ledger_new (socin_store_t *store)
{
    ing_ledger_t *self = socin_calloc (1, sizeof *self);
    self->store = store;
    self->batch_values = 10000;
    MDB_dbi plain = socin_store_dbi (store, "values", 0);
    self->values = socin_store_dbi (store, ING_VALUES_DB, 0);
    self->events = socin_store_dbi (store, "events", 0);
    self->measures = socin_store_dbi (store, "measures", 0);
    self->history = socin_store_dbi (store, "history", 0);
    self->batches = socin_store_dbi (store, "batches", 0);
    self->outbox = socin_store_dbi (store, "outbox", 0);
    self->submissions = socin_store_dbi (store, "submissions", 0);
    self->meta = socin_store_dbi (store, "meta", 0);
    self->approvals = socin_store_dbi (store, "approvals", 0);
    self->followups = socin_store_dbi (store, "followups", 0);
    /* Value keys of an earlier layout (valuekey.h); history keys are key + be64(seq); follow-up
       marks are under the value's key. */
    socin_value_history_t hist[2] = {{self->history, 8, -1}, {self->followups, 0, -1}};
    char err[512];
    if (socin_value_keys_migrate (store, plain, hist, 2, 50000, err, sizeof err) < 0)
        socin_fatal ("store.migrate_failed", "reason=%s", socin_log_q (err));
    /* Stores written before the chunks kept one entry per value in "values": moved. */
    if (socin_chunks_migrate (store, plain, self->values, 50000, err, sizeof err) < 0)
        socin_fatal ("store.migrate_failed", "reason=%s", socin_log_q (err));
    MDB_txn *txn;
    if (socin_store_read_begin (store, &txn) == 0) {
        self->last_seq = socin_store_get_u64 (txn, self->meta, "last_seq", 0);
        self->acked_seq = socin_store_get_u64 (txn, self->meta, "acked_seq", 0);
        self->leaf_pages = socin_store_leaf_pages (txn, self->values);
        mdb_txn_abort (txn);
    }
    return self;
}

void
ing_ledger_destroy (ing_ledger_t **self_p)
{
    if (*self_p) socin_str_free (&(*self_p)->packed);
    free (*self_p);
    *self_p = NULL;
}

socin_store_t *
ing_ledger_store (ing_ledger_t *self)
{
    return self->store;
}

uint64_t
ing_ledger_last_seq (ing_ledger_t *self)
{
    return self->last_seq;
}

size_t
ing_ledger_leaf_pages (const ing_ledger_t *self)
{
    return self->leaf_pages;
}

void
ing_ledger_sweeps (const ing_ledger_t *self, uint64_t *swept, uint64_t *misses)
{
    *swept = self->swept;
    *misses = self->sweep_misses;
}

uint64_t
ing_ledger_acked_seq (ing_ledger_t *self)
{
    return self->acked_seq;
}

/* ---- applying ---- */

typedef struct {
    ing_ledger_t *self;
    ing_pending_t **pending;
    size_t n;
    int64_t now;
    bool dry;
    uint64_t last_seq; /* as the transaction goes */
    size_t leaf_pages; /* the values' leaf pages when the transaction is done */
    bool sweep;        /* runs of submissions may be swept (s_sweep; never in a dry run) */
    bool missed;       /* a sweep foresaw a batch wrongly: the transaction is aborted */
    size_t swept;      /* submissions swept */
} s_apply_t;

/* A submission's values applied in a sweep (s_sweep), before the rest of it. */
typedef struct {
    ing_pending_t *p;
    uint64_t first; /* its first change batch, as foreseen */
    Socin__V1__ValueChange *changes;
    size_t nchanges;
    size_t at, end, plen;   /* the run of its values the sweep has reached: [at, end), key prefix */
    ing_shape_walk_t *walk; /* its shapes' check */
} s_swept_t;

/* Values whose shapes are checked (shape.h) just before they are applied, when the check
   waits for the inserts: the pages the check read are then still in the CPU's caches. Each
   part starts with the values' handle writing the chunk it holds (chunks.h), which a run
   in feed order would have gone on filling. */
#define S_SHAPE_PART 1024

/* The sequence of the change that gave a value its stored STATE (0 when unreadable). */
static uint64_t
s_state_seq (const MDB_val *state)
{
    socin_value_state_t st;
    socin_value_state_unpack (SOCIN_VALUE_LEDGER, state->mv_data, state->mv_size, &st);
    return st.seq;
}

/* Keeps OLD (the state change OLDSEQ gave KEY) in history. */
static int
s_keep (ing_ledger_t *self, MDB_txn *txn, const char *key, size_t keylen, uint64_t oldseq,
        const MDB_val *old)
{
    char hkey[ING_KEY_MAX + 8];
    memcpy (hkey, key, keylen);
    socin_be64_put ((unsigned char *)hkey + keylen, oldseq);
    MDB_val k = {keylen + 8, hkey}, v = *old;
    /* LMDB may move OLD's page during the put: copy it first. */
    char small[512];
    void *copy = old->mv_size <= sizeof small ? small : socin_malloc (old->mv_size);
    memcpy (copy, old->mv_data, old->mv_size);
    v.mv_data = copy;
    int rc = mdb_put (txn, self->history, &k, &v, 0);
    if (copy != small) free (copy);
    return rc;
}

/* C: the change of V, as forwarded. */
static void
s_change (Socin__V1__ValueChange *c, const ing_value_t *v)
{
    socin__v1__value_change__init (c);
    /* The codes as the value's key holds them ("P" period NUL unit NUL indicator NUL, in the
       submission's arena, which the apply has just read), not the registry's copies: those lie
       all over the model, and packing the batch reads every one. */
    const char *unit = v->key + 1 + strlen (v->period) + 1;
    c->unit = (char *)unit;
    c->indicator = (char *)unit + strlen (unit) + 1;
    c->period = (char *)v->period;
    c->disaggregation = (char *)v->disaggregation;
    c->value_micros = v->value;
    c->deleted = v->deleted;
    c->comment = (char *)v->comment;
    c->stored_by = (char *)v->stored_by;
    c->followup = v->followup;
}

/* Applies value V of P through the values' handle H, as part of change batch SEQ when it
   changes anything; adds it to CHANGES then. */
static int
s_apply_value (s_apply_t *a, MDB_txn *txn, socin_chunks_t *h, ing_pending_t *p, ing_value_t *v,
               uint64_t seq, Socin__V1__ValueChange *changes, size_t *nchanges)
{
    ing_ledger_t *self = a->self;
    if (v->refused) return 0;
    MDB_val k = {v->keylen, (void *)v->key}, old;
    size_t clen = strlen (v->comment), slen = strlen (v->stored_by);
    socin_value_state_t now = {.value = v->value,
                               .seq = seq,
                               .text = v->comment,
                               .text_len = clen,
                               .stored_by = v->stored_by,
                               .stored_by_len = slen,
                               .followup = v->followup};
    int rc;
    /* Measured once: for the insert here, or for the update below when the key is there. */
    socin_value_packing_t pk;
    if (!v->deleted && !a->dry) {
        /* A value not seen before costs one search: stored at once, or found. */
        old.mv_size = socin_value_state_measure (&pk, SOCIN_VALUE_LEDGER, &now);
        /* A value whose shape the walk left to the insert (shape.h) is checked against the
           keys next to it, and taken out again when it is refused. */
        MDB_val before, after;
        bool near = v->shape_at_insert;
        rc = socin_chunks_put (h, &k, &old, MDB_NOOVERWRITE | MDB_RESERVE, near ? &before : NULL,
                               near ? &after : NULL);
        if (rc == 0 && near && ing_shape_check_stored (&p->checked, v, &before, &after))
            return socin_chunks_del (h, &k);
        if (rc == 0) socin_value_state_pack_as (&pk, old.mv_data);
        rc = rc == 0 ? MDB_NOTFOUND : rc == MDB_KEYEXIST ? 0 : rc;
        if (rc == MDB_NOTFOUND) {
            p->imported++;
            s_change (&changes[(*nchanges)++], v);
            return 0;
        }
    } else
        rc = socin_chunks_get (h, &k, &old, MDB_SET_KEY);
    if (rc && rc != MDB_NOTFOUND) return rc;
    bool had = rc == 0;
    if (v->deleted) {
        if (!had) {
            p->ignored++;
            return 0;
        }
        p->deleted++;
        if (!a->dry) {
            socin_value_state_t gone = {.deleted = true, .seq = seq};
            unsigned char tomb[SOCIN_VALUE_HEAD_MAX];
            MDB_val t = {socin_value_state_size (SOCIN_VALUE_LEDGER, &gone), tomb};
            socin_value_state_pack (SOCIN_VALUE_LEDGER, &gone, tomb);
            if ((rc = s_keep (self, txn, v->key, v->keylen, s_state_seq (&old), &old)) ||
                (rc = s_keep (self, txn, v->key, v->keylen, seq, &t)) ||
                (rc = socin_chunks_del (h, &k)))
                return rc;
        }
    } else {
        if (had) {
            socin_value_state_t was;
            socin_value_state_unpack (SOCIN_VALUE_LEDGER, old.mv_data, old.mv_size, &was);
            /* Unchanged when what the value carries is too: its comment, who keyed it and
               its follow-up mark. */
            if (was.value == v->value && was.text_len == clen &&
                !memcmp (was.text, v->comment, clen) && was.stored_by_len == slen &&
                !memcmp (was.stored_by ? was.stored_by : "", v->stored_by, slen) &&
                was.followup == v->followup) {
                p->ignored++;
                return 0;
            }
            p->updated++;
        } else
            p->imported++;
        if (!a->dry) {
            if (had && (rc = s_keep (self, txn, v->key, v->keylen, s_state_seq (&old), &old)))
                return rc;
            MDB_val nv = {pk.size, NULL};
            if ((rc = socin_chunks_put (h, &k, &nv, MDB_RESERVE, NULL, NULL))) return rc;
            socin_value_state_pack_as (&pk, nv.mv_data);
        }
    }
    s_change (&changes[(*nchanges)++], v);
    return 0;
}

/* Applies the valid values of P, through the values' handle H, their shapes checked by
   WALK first when given; adds changed ones to CHANGES. */
static int
s_apply_values_in (s_apply_t *a, MDB_txn *txn, socin_chunks_t *h, ing_shape_walk_t *walk,
                   ing_pending_t *p, uint64_t first, Socin__V1__ValueChange *changes,
                   size_t *nchanges)
{
    for (size_t i = 0; i < p->checked.nvalues; i++) {
        /* The next part's shapes, against the store as it is with every value before them
           applied (the handle's changes written first: the check reads the store itself). */
        if (walk && i >= ing_shape_walked (walk)) {
            int rc = socin_chunks_flush (h);
            if (!rc) rc = ing_shape_walk (walk, &p->checked, i + S_SHAPE_PART);
            if (rc) return rc;
        }
        /* The batch that will carry this change, if it is one (see s_apply_changes). */
        uint64_t seq = first + *nchanges / a->self->batch_values;
        int rc = s_apply_value (a, txn, h, p, &p->checked.values[i], seq, changes, nchanges);
        if (rc) return rc;
    }
    return 0;
}

/* Applies the valid values of P; adds changed ones to CHANGES. */
static int
s_apply_values (s_apply_t *a, MDB_txn *txn, ing_pending_t *p, uint64_t seq,
                Socin__V1__ValueChange *changes, size_t *nchanges)
{
    int rc;
    ing_shape_walk_t *walk = NULL;
    /* An all-or-nothing submission was checked whole before (s_apply_one). */
    if (!p->sub->atomic && p->checked.nvalues &&
        !(walk = ing_shape_walk_new (txn, a->self->values, &rc)))
        return rc;
    /* A value stored as it is applied is checked against its neighbours then, which saves the
       walk a search of the tree for each value that is alone in its run (shape.h). */
    if (walk && !a->dry) ing_shape_walk_defer (walk);
    socin_chunks_t *h = socin_chunks_open (txn, a->self->values, &rc);
    if (h) {
        rc = s_apply_values_in (a, txn, h, walk, p, seq, changes, nchanges);
        int frc = socin_chunks_close (&h, rc != 0);
        if (!rc) rc = frc;
    }
    ing_shape_walk_destroy (&walk);
    return rc;
}

/* An item stored whole under its key (an event, a measure report). */
typedef struct {
    const char *key;
    size_t keylen;
    const ProtobufCMessage *msg;
    bool del;
} s_item_t;

/* Applies one item to DBI (stored as be64(seq) + the packed message); *CHANGED tells whether
   it changed anything. A replaced or deleted item goes to history. */
static int
s_apply_item (s_apply_t *a, MDB_txn *txn, ing_pending_t *p, uint64_t seq, MDB_dbi dbi,
              const s_item_t *it, bool *changed)
{
    ing_ledger_t *self = a->self;
    *changed = false;
    MDB_val k = {it->keylen, (void *)it->key}, old;
    int rc = mdb_get (txn, dbi, &k, &old);
    if (rc && rc != MDB_NOTFOUND) return rc;
    bool had = rc == 0;
    rc = 0;
    if (it->del) {
        if (!had) {
            p->ignored++;
            return 0;
        }
        p->deleted++;
        *changed = true;
        if (a->dry) return 0;
        unsigned char tomb[8];
        socin_be64_put (tomb, seq);
        MDB_val t = {8, tomb};
        if ((rc = s_keep (self, txn, it->key, it->keylen, socin_be64_get (old.mv_data), &old)) ||
            (rc = s_keep (self, txn, it->key, it->keylen, seq, &t)))
            return rc;
        return mdb_del (txn, dbi, &k, NULL);
    }
    size_t len = protobuf_c_message_get_packed_size (it->msg);
    uint8_t *packed = socin_malloc (len ? len : 1);
    protobuf_c_message_pack (it->msg, packed);
    if (had && old.mv_size == 8 + len && !memcmp ((char *)old.mv_data + 8, packed, len)) {
        free (packed);
        p->ignored++;
        return 0;
    }
    if (had)
        p->updated++;
    else
        p->imported++;
    *changed = true;
    if (!a->dry) {
        if (had) rc = s_keep (self, txn, it->key, it->keylen, socin_be64_get (old.mv_data), &old);
        MDB_val nv = {8 + len, NULL};
        if (!rc) rc = mdb_put (txn, dbi, &k, &nv, MDB_RESERVE);
        if (!rc) {
            socin_be64_put (nv.mv_data, seq);
            memcpy ((char *)nv.mv_data + 8, packed, len);
        }
    }
    free (packed);
    return rc;
}

static int
s_apply_events (s_apply_t *a, MDB_txn *txn, ing_pending_t *p, uint64_t seq,
                Socin__V1__ParticipationEvent **changes, size_t *nchanges)
{
    for (size_t i = 0; i < p->checked.nevents; i++) {
        ing_event_t *e = &p->checked.events[i];
        s_item_t it = {e->key, e->keylen, &e->event->base, e->event->delete_};
        bool changed;
        int rc = s_apply_item (a, txn, p, seq, a->self->events, &it, &changed);
        if (rc) return rc;
        if (changed) changes[(*nchanges)++] = e->event;
    }
    return 0;
}

static int
s_apply_measures (s_apply_t *a, MDB_txn *txn, ing_pending_t *p, uint64_t seq,
                  Socin__V1__MeasureProgress **changes, size_t *nchanges)
{
    for (size_t i = 0; i < p->checked.nmeasures; i++) {
        ing_measure_t *m = &p->checked.measures[i];
        s_item_t it = {m->key, m->keylen, &m->progress->base, m->progress->delete_};
        bool changed;
        int rc = s_apply_item (a, txn, p, seq, a->self->measures, &it, &changed);
        if (rc) return rc;
        if (changed) changes[(*nchanges)++] = m->progress;
    }
    return 0;
}

static int
s_put_seq (MDB_txn *txn, MDB_dbi dbi, uint64_t seq, const ProtobufCMessage *msg)
{
    unsigned char key[8];
    socin_be64_put (key, seq);
    MDB_val k = {8, key}, v = {protobuf_c_message_get_packed_size (msg), NULL};
    int rc = mdb_put (txn, dbi, &k, &v, MDB_RESERVE);
    if (!rc) protobuf_c_message_pack (msg, v.mv_data);
    return rc;
}

/* Puts the change batches of P (its VALUES, then EVENTS, FOLLOWUPS and APPROVALS in the
   last) from sequence SEQ in the outbox, and who and when in batches. */
static int
s_put_batches (s_apply_t *a, MDB_txn *txn, ing_pending_t *p, uint64_t seq, size_t nbatches,
               Socin__V1__ValueChange **vptrs, size_t nv, Socin__V1__ChangeBatch *tail)
{
    size_t per = a->self->batch_values;
    int rc = 0;
    for (size_t b = 0; b < nbatches && !rc; b++) {
        size_t from = b * per, count = nv - from < per ? nv - from : per;
        bool last = b + 1 == nbatches;
        Socin__V1__ChangeBatch batch =
            last ? *tail : (Socin__V1__ChangeBatch)SOCIN__V1__CHANGE_BATCH__INIT;
        batch.seq = seq + b;
        batch.submission_id = p->sub->submission_id;
        batch.submitter = (char *)p->submitter;
        batch.submitter_key = (char *)p->submitter_key;
        batch.accepted_ms = a->now;
        batch.values = vptrs + from;
        batch.n_values = count;
        /* Packed by hand: protobuf-c's packing of 10,000 values cost more than storing them. */
        unsigned char key[8];
        socin_be64_put (key, batch.seq);
        MDB_val k = {8, key}, v;
        v.mv_size = socin_change_batch_pack (&batch, &a->self->packed);
        v.mv_data = a->self->packed.data;
        rc = mdb_put (txn, a->self->outbox, &k, &v, 0);
        /* A batch of long comments leaves no large buffer behind (a feed's is ~340 kB). */
        if (a->self->packed.cap > PACKED_KEEP) socin_str_free (&a->self->packed);
        /* Who and when, kept after the outbox entry is gone. */
        Socin__V1__ChangeBatch head = SOCIN__V1__CHANGE_BATCH__INIT;
        head.seq = batch.seq;
        head.submission_id = batch.submission_id;
        head.submitter = batch.submitter;
        head.submitter_key = batch.submitter_key;
        head.accepted_ms = batch.accepted_ms;
        if (!rc) rc = s_put_seq (txn, a->self->batches, head.seq, &head.base);
    }
    return rc;
}

/* Writes P's changes (values, events, marks, approvals) and its change batches; its values
   were applied already when SWEPT is given. */
static int
s_apply_changes (s_apply_t *a, MDB_txn *txn, ing_pending_t *p, s_swept_t *swept)
{
    ing_ledger_t *self = a->self;
    const ing_checked_t *c = &p->checked;
    uint64_t seq = a->last_seq + 1;
    Socin__V1__ValueChange *vchanges;
    Socin__V1__ValueChange **vptrs = socin_calloc (c->nvalues + 1, sizeof *vptrs);
    Socin__V1__ParticipationEvent **echanges = socin_calloc (c->nevents + 1, sizeof *echanges);
    Socin__V1__FollowupMark *fchanges = socin_calloc (c->nfollowups + 1, sizeof *fchanges);
    Socin__V1__FollowupMark **fptrs = socin_calloc (c->nfollowups + 1, sizeof *fptrs);
    Socin__V1__ApprovalState *achanges = socin_calloc (c->napprovals + 1, sizeof *achanges);
    Socin__V1__ApprovalState **aptrs = socin_calloc (c->napprovals + 1, sizeof *aptrs);
    Socin__V1__MeasureProgress **mchanges = socin_calloc (c->nmeasures + 1, sizeof *mchanges);
    size_t nv = 0, ne = 0, nf = 0, na = 0, nm = 0;
    int rc = 0;
    if (swept) {
        vchanges = swept->changes;
        nv = swept->nchanges;
        swept->changes = NULL;
        /* The states stored name the batches foreseen: right only if they are these. */
        if (nv && swept->first != seq) {
            a->missed = true;
            rc = SOCIN_STORE_ABORT_RC;
        }
    } else {
        vchanges = socin_calloc (c->nvalues + 1, sizeof *vchanges);
        rc = s_apply_values (a, txn, p, seq, vchanges, &nv);
    }
    /* The changes go in batches of at most `batch_values` values, so that no submission makes
       reporting's transaction (and the pages LMDB keeps for it) unbounded; the events,
       measures, marks and approvals ride in the last batch. */
    size_t per = self->batch_values, nbatches = nv ? (nv + per - 1) / per : 1;
    uint64_t last = seq + nbatches - 1;
    if (!rc) rc = s_apply_events (a, txn, p, last, echanges, &ne);
    if (!rc) rc = s_apply_measures (a, txn, p, last, mchanges, &nm);
    ing_counts_t counts = {0};
    if (!rc)
        rc = ing_followup_apply (txn, self->values, self->followups, &p->checked, p->sub, &counts,
                                 last, a->dry, fchanges, &nf);
    if (!rc)
        rc = ing_approval_apply (txn, self->approvals, self->history, &p->checked, p->sub, &counts,
                                 last, a->dry, achanges, &na);
    p->imported += counts.imported;
    p->updated += counts.updated;
    p->ignored += counts.ignored;
    p->deleted += counts.deleted;
    if (!rc && (nv || ne || nm || nf || na)) {
        /* A dry run changes nothing, so no batch carries it. */
        p->seq_first = a->dry ? 0 : seq;
        p->seq = a->dry ? 0 : last;
        a->last_seq = last;
        for (size_t i = 0; i < nv; i++)
            vptrs[i] = &vchanges[i];
        for (size_t i = 0; i < nf; i++)
            fptrs[i] = &fchanges[i];
        for (size_t i = 0; i < na; i++)
            aptrs[i] = &achanges[i];
        Socin__V1__ChangeBatch tail = SOCIN__V1__CHANGE_BATCH__INIT;
        tail.events = echanges;
        tail.n_events = ne;
        tail.measures = mchanges;
        tail.n_measures = nm;
        tail.followups = fptrs;
        tail.n_followups = nf;
        tail.approvals = aptrs;
        tail.n_approvals = na;
        if (!a->dry) rc = s_put_batches (a, txn, p, seq, nbatches, vptrs, nv, &tail);
    }
    free (vchanges);
    free (vptrs);
    free (echanges);
    free (fchanges);
    free (fptrs);
    free (achanges);
    free (aptrs);
    free (mchanges);
    return rc;
}

/* P's changes in a nested transaction, dropped whole when a check against the stored state
   refuses one of its marks or approvals (all or nothing). */
static int
s_apply_atomic (s_apply_t *a, MDB_txn *txn, ing_pending_t *p)
{
    MDB_txn *child;
    int rc = mdb_txn_begin (mdb_txn_env (txn), txn, 0, &child);
    if (rc) return rc;
    uint64_t last_seq = a->last_seq;
    rc = s_apply_changes (a, child, p, NULL);
    if (rc || p->checked.nconflicts) {
        mdb_txn_abort (child);
        a->last_seq = last_seq;
        p->imported = p->updated = p->ignored = p->deleted = 0;
        p->seq = p->seq_first = 0;
        return rc;
    }
    return mdb_txn_commit (child);
}

/* Readies P for its part of the transaction: its outputs cleared, and the checks against the
   stored state made that come before any of its values is applied. */
static int
s_apply_begin (s_apply_t *a, MDB_txn *txn, ing_pending_t *p)
{
    p->imported = p->updated = p->ignored = p->deleted = 0;
    p->seq = p->seq_first = 0;
    /* Checks against the stored state: approved data is locked, and one shape per key. */
    ing_checked_reset (&p->checked);
    int rc = ing_approval_lock (txn, a->self->approvals, &p->checked);
    /* All or nothing needs every refusal known before anything is applied; otherwise each
       value's shape is checked as the values are applied (S_SHAPE_PART). */
    if (!rc && p->sub->atomic) rc = ing_shape_check (txn, a->self->values, &p->checked);
    return rc;
}

/* Applies P (readied by s_apply_begin; its values applied already when SWEPT is given) and
   stores its answer. */
static int
s_apply_rest (s_apply_t *a, MDB_txn *txn, ing_pending_t *p, s_swept_t *swept)
{
    int rc = 0;
    bool atomic = p->sub->atomic;
    if (!(atomic && p->checked.nconflicts))
        rc = atomic && (p->checked.nfollowups || p->checked.napprovals)
                 ? s_apply_atomic (a, txn, p)
                 : s_apply_changes (a, txn, p, swept);
    ing_checked_sort (&p->checked);
    bool atomic_fail = atomic && p->checked.nconflicts;
    if (rc) return rc;
    size_t accepted = p->imported + p->updated + p->ignored + p->deleted;
    /* Validation rules over what is stored now: warnings, the values stay. For a swept
       submission, the units and periods it reads hold no later submission's values yet
       (s_rules_allow). */
    if (accepted && !atomic_fail) rc = ing_rulewarn_check (txn, a->self->values, &p->checked);
    if (rc) return rc;
    p->status = p->checked.nconflicts == 0 && !p->checked.nwarnings
                    ? SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_SUCCESS
                : accepted && !atomic_fail ? SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_WARNING
                                           : SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_ERROR;
    if (a->dry) return 0;
    /* The answer, kept for resends of the same id. */
    Socin__V1__ImportSummary summary = SOCIN__V1__IMPORT_SUMMARY__INIT;
    ing_ledger_summary (p, "", a->now, &summary);
    char key[SOCIN_KEY_LEN + ING_ID_MAX + 2];
    size_t klen =
        (size_t)snprintf (key, sizeof key, "%s%s", p->submitter_key, p->sub->submission_id);
    MDB_val k = {klen, key}, v = {20 + socin__v1__import_summary__get_packed_size (&summary), NULL};
    rc = mdb_put (txn, a->self->submissions, &k, &v, MDB_RESERVE);
    if (!rc) {
        memcpy (v.mv_data, p->digest, 20);
        socin__v1__import_summary__pack (&summary, (uint8_t *)v.mv_data + 20);
    }
    return rc;
}

static int
s_apply_one (s_apply_t *a, MDB_txn *txn, ing_pending_t *p)
{
    int rc = s_apply_begin (a, txn, p);
    return rc ? rc : s_apply_rest (a, txn, p, NULL);
}

/* ---- a run of submissions in one sweep ----

   Each submission applied on its own goes once through the values' B-tree in key order: in a
   group of scattered submissions (many clients, or a shuffled load), ten submissions of 10,000
   values each make ten passes, each loading a chunk for nearly every value. A run of them is
   applied instead as one pass, the runs of values that share indicator, unit and period merged
   across the submissions in key order, and within one such run submission by submission, in
   the group's order. What each value finds stored is then what it would find if the
   submissions were applied one after the other: its own key, and the keys of its indicator,
   unit and period (its shape, shape.h), which only the values merged before it have changed.

   What is not known while sweeping is the change batch each change goes in, which the states
   stored name: it depends on how many batches the submissions before made. So a submission of
   more values than a batch holds (whose unchanged values may make it a batch fewer) ends a run,
   and the sweep foresees that each submission before the last makes one batch, which holds
   unless it changes nothing at all. When one did not, the transaction is aborted and applied
   again without sweeping (ing_ledger_apply), and the next S_SWEEP_REST groups are not swept.

   Only submissions that are neither all-or-nothing nor dry runs and that carry values and no
   marks or approvals (which change the values' store by other paths) are swept. The validation
   rules of a submission's unit and period are checked over the values stored once it is
   applied, and after a sweep the store holds the whole run's: so a submission whose check
   reads a unit and period (ing_rulewarn_reads) ends the run before it when a later submission
   of the run stores values there (s_rules_allow). */

/* Groups not swept after one whose sweep foresaw a batch wrongly. */
#define S_SWEEP_REST 8

static bool
s_sweepable (const s_apply_t *a, const ing_pending_t *p)
{
    const ing_checked_t *c = &p->checked;
    return a->sweep && !p->sub->atomic && c->nvalues && !c->nfollowups && !c->napprovals;
}

/* How many of the N submissions of PENDING, from the first, the validation rules let be swept
   together: up to the first whose rule check reads a unit and period where a later one of the
   N stores values. */
static size_t
s_rules_allow (ing_pending_t **pending, size_t n)
{
    const socin_model_t *model = pending[0]->checked.model;
    if (!model || !socin_model_count (model, SOCIN_KIND_RULE)) return n;
    /* The first whose check reads anything: most read nothing (their indicators are in no
       rule), and those before it are swept whatever comes after them. */
    size_t first = n, plen;
    for (size_t k = 0; k < n && first == n; k++) {
        const ing_checked_t *c = &pending[k]->checked;
        for (size_t from = 0, to; from < c->nvalues && first == n; from = to) {
            to = ing_shape_run_end (c, from, 2, &plen);
            if (ing_rulewarn_reads (c, from, to)) first = k;
        }
    }
    if (first == n) return n;
    /* The last submission with values of each unit and period ("P" period NUL unit NUL). */
    socin_index_t *last = socin_index_new ();
    for (size_t k = first; k < n; k++) {
        const ing_checked_t *c = &pending[k]->checked;
        for (size_t from = 0, to; from < c->nvalues; from = to) {
            to = ing_shape_run_end (c, from, 2, &plen);
            socin_index_put (last, c->values[from].key, plen, (void *)(uintptr_t)(k + 1));
        }
    }
    size_t allowed = n;
    for (size_t k = first; k < allowed; k++) {
        const ing_checked_t *c = &pending[k]->checked;
        for (size_t from = 0, to; from < c->nvalues; from = to) {
            to = ing_shape_run_end (c, from, 2, &plen);
            if ((uintptr_t)socin_index_get (last, c->values[from].key, plen) > k + 1 &&
                ing_rulewarn_reads (c, from, to)) {
                allowed = k;
                break;
            }
        }
    }
    socin_index_destroy (&last);
    return allowed;
}

/* Whether the run X stands at comes before the run Y stands at: by key prefix, then by the
   submissions' order. */
static bool
s_before (const s_swept_t *x, const s_swept_t *y)
{
    const ing_value_t *vx = &x->p->checked.values[x->at], *vy = &y->p->checked.values[y->at];
    size_t n = x->plen < y->plen ? x->plen : y->plen;
    int c = memcmp (vx->key, vy->key, n);
    if (!c && x->plen != y->plen) c = x->plen < y->plen ? -1 : 1;
    return c ? c < 0 : x < y;
}

/* Moves HEAP[AT] (of N) down to its place: each entry comes before its children. */
static void
s_heap_down (s_swept_t **heap, size_t n, size_t at)
{
    for (;;) {
        size_t least = at, l = 2 * at + 1, r = l + 1;
        if (l < n && s_before (heap[l], heap[least])) least = l;
        if (r < n && s_before (heap[r], heap[least])) least = r;
        if (least == at) return;
        s_swept_t *t = heap[at];
        heap[at] = heap[least];
        heap[least] = t;
        at = least;
    }
}

/* Moves S to its next run of values; false when it has none left. */
static bool
s_swept_next (s_swept_t *s, size_t from)
{
    s->at = from;
    if (from >= s->p->checked.nvalues) return false;
    s->end = ing_shape_run_end (&s->p->checked, from, 3, &s->plen);
    return true;
}

/* Applies the values of the N submissions of RUN, in that order, through H in one pass. */
static int
s_sweep_values (s_apply_t *a, MDB_txn *txn, socin_chunks_t *h, s_swept_t *run, size_t n)
{
    int rc = 0;
    s_swept_t **heap = socin_calloc (n, sizeof *heap), *last = NULL;
    size_t nheap = 0;
    for (size_t k = 0; k < n && !rc; k++)
        if ((run[k].walk = ing_shape_walk_new (txn, a->self->values, &rc)) &&
            s_swept_next (&run[k], 0))
            heap[nheap++] = &run[k];
    for (size_t k = nheap / 2; k-- > 0;)
        s_heap_down (heap, nheap, k);
    size_t per = a->self->batch_values;
    while (nheap && !rc) {
        s_swept_t *s = heap[0];
        ing_checked_t *c = &s->p->checked;
        /* In feed order a submission's runs come one after the other, and its check goes on
           from where its last search landed, as a walk does. */
        rc = ing_shape_check_run (s->walk, c, s->at, s->end, s->plen, h, s != last);
        last = s;
        for (size_t i = s->at; i < s->end && !rc; i++)
            rc = s_apply_value (a, txn, h, s->p, &c->values[i], s->first + s->nchanges / per,
                                s->changes, &s->nchanges);
        if (!s_swept_next (s, s->end)) heap[0] = heap[--nheap];
        s_heap_down (heap, nheap, 0);
    }
    free (heap);
    for (size_t k = 0; k < n; k++)
        ing_shape_walk_destroy (&run[k].walk);
    return rc;
}

/* Applies the N submissions of PENDING (each s_sweepable), their values in one sweep. */
static int
s_sweep (s_apply_t *a, MDB_txn *txn, ing_pending_t **pending, size_t n)
{
    s_swept_t *run = socin_calloc (n, sizeof *run);
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++) {
        ing_pending_t *p = pending[k];
        rc = s_apply_begin (a, txn, p);
        /* Each before the last fits one batch (s_apply_txn): foreseen to make that one. */
        run[k] = (s_swept_t){.p = p, .first = a->last_seq + 1 + k};
        run[k].changes = socin_calloc (p->checked.nvalues + 1, sizeof *run[k].changes);
    }
    socin_chunks_t *h = NULL;
    if (!rc && (h = socin_chunks_open (txn, a->self->values, &rc))) {
        rc = s_sweep_values (a, txn, h, run, n);
        int frc = socin_chunks_close (&h, rc != 0);
        if (!rc) rc = frc;
    }
    for (size_t k = 0; k < n && !rc; k++)
        rc = s_apply_rest (a, txn, pending[k], &run[k]);
    if (!rc) a->swept += n;
    for (size_t k = 0; k < n; k++)
        free (run[k].changes);
    free (run);
    return rc;
}

static int
s_apply_txn (MDB_txn *txn, void *arg)
{
    s_apply_t *a = arg;
    a->last_seq = a->self->last_seq;
    a->swept = 0;
    for (size_t i = 0; i < a->n;) {
        /* A run ends after a submission that may take more than one batch. */
        size_t j = i;
        while (j < a->n && s_sweepable (a, a->pending[j]))
            if (a->pending[j++]->checked.nvalues > a->self->batch_values) break;
        if (j - i >= 2) j = i + s_rules_allow (a->pending + i, j - i);
        int rc;
        if (j - i >= 2)
            rc = s_sweep (a, txn, a->pending + i, j - i);
        else
            rc = s_apply_one (a, txn, a->pending[i]);
        if (rc) return rc;
        i = j - i >= 2 ? j : i + 1;
    }
    if (a->dry) return SOCIN_STORE_ABORT_RC;
    a->leaf_pages = socin_store_leaf_pages (txn, a->self->values);
    return socin_store_put_u64 (txn, a->self->meta, "last_seq", a->last_seq);
}

socin_store_rc_t
ing_ledger_apply (ing_ledger_t *self, ing_pending_t **pending, size_t n, int64_t now, bool dry,
                  char *err, size_t errlen)
{
    s_apply_t a = {.self = self, .pending = pending, .n = n, .now = now, .dry = dry};
    a.sweep = !dry && !self->sweep_rest;
    if (self->sweep_rest) self->sweep_rest--;
    socin_store_rc_t rc = socin_store_write (self->store, s_apply_txn, &a, err, errlen);
    if (rc == SOCIN_STORE_ABORT && a.missed) {
        /* A sweep foresaw a batch wrongly: nothing was written; again without sweeping. */
        self->sweep_misses++;
        self->sweep_rest = S_SWEEP_REST;
        a.sweep = a.missed = false;
        rc = socin_store_write (self->store, s_apply_txn, &a, err, errlen);
    }
    if (dry && rc == SOCIN_STORE_ABORT) return SOCIN_STORE_OK;
    if (rc == SOCIN_STORE_OK) {
        self->last_seq = a.last_seq;
        self->leaf_pages = a.leaf_pages;
        self->swept += a.swept;
    }
    return rc;
}

void
ing_ledger_summary (const ing_pending_t *p, const char *source, int64_t now,
                    Socin__V1__ImportSummary *summary)
{
    summary->submission_id = p->sub->submission_id;
    summary->status = p->status;
    summary->imported = p->imported;
    summary->updated = p->updated;
    summary->ignored = p->ignored;
    summary->deleted = p->deleted;
    summary->rejected = (uint32_t)p->checked.nconflicts;
    summary->conflicts = p->checked.conflicts;
    summary->n_conflicts = p->checked.nconflicts;
    summary->rule_warnings = p->checked.warnings;
    summary->n_rule_warnings = p->checked.nwarnings;
    summary->dry_run = p->sub->dry_run;
    summary->source = (char *)source;
    summary->source_seq = p->seq;
    summary->source_seq_first = p->seq_first;
    summary->accepted_ms = now;
}

int
ing_ledger_find (ing_ledger_t *self, const char *key, const char *id, uint8_t digest[20],
                 uint8_t **summary, size_t *len)
{
    MDB_txn *txn;
    if (socin_store_read_begin (self->store, &txn)) return -1;
    char k[SOCIN_KEY_LEN + ING_ID_MAX + 2];
    size_t klen = (size_t)snprintf (k, sizeof k, "%s%s", key, id);
    MDB_val mk = {klen, k}, v;
    int rc = mdb_get (txn, self->submissions, &mk, &v);
    if (rc == 0 && v.mv_size >= 20) {
        memcpy (digest, v.mv_data, 20);
        *len = v.mv_size - 20;
        *summary = socin_malloc (*len ? *len : 1);
        memcpy (*summary, (uint8_t *)v.mv_data + 20, *len);
    }
    mdb_txn_abort (txn);
    return rc == 0 ? 0 : rc == MDB_NOTFOUND ? 1 : -1;
}

/* ---- forwarding ---- */

zframe_t *
ing_ledger_outbox_frame (ing_ledger_t *self, uint64_t seq)
{
    MDB_txn *txn;
    if (socin_store_read_begin (self->store, &txn)) return NULL;
    unsigned char key[8];
    socin_be64_put (key, seq);
    MDB_val k = {8, key}, v;
    zframe_t *frame = NULL;
    if (mdb_get (txn, self->outbox, &k, &v) == 0) {
        /* A ForwardMessage whose field 2 (batch) holds the stored bytes, encoded by hand so
           the batch is never decoded and packed again. */
        unsigned char head[11];
        head[0] = (2 << 3) | 2;
        size_t n = (size_t)(socin_varint_put (head + 1, v.mv_size) - head);
        frame = zframe_new (NULL, n + v.mv_size);
        memcpy (zframe_data (frame), head, n);
        memcpy (zframe_data (frame) + n, v.mv_data, v.mv_size);
    }
    mdb_txn_abort (txn);
    return frame;
}

typedef struct {
    ing_ledger_t *self;
    uint64_t acked;
} s_ack_t;

static int
s_ack_txn (MDB_txn *txn, void *arg)
{
    s_ack_t *a = arg;
    MDB_cursor *cur;
    int rc = mdb_cursor_open (txn, a->self->outbox, &cur);
    if (rc) return rc;
    MDB_val k, v;
    while ((rc = mdb_cursor_get (cur, &k, &v, MDB_FIRST)) == 0) {
        if (k.mv_size != 8 || socin_be64_get (k.mv_data) > a->acked) break;
        if ((rc = mdb_cursor_del (cur, 0))) break;
    }
    mdb_cursor_close (cur);
    if (rc && rc != MDB_NOTFOUND) return rc;
    return socin_store_put_u64 (txn, a->self->meta, "acked_seq", a->acked);
}

socin_store_rc_t
ing_ledger_ack (ing_ledger_t *self, uint64_t acked, char *err, size_t errlen)
{
    if (acked <= self->acked_seq) return SOCIN_STORE_OK;
    s_ack_t a = {self, acked};
    socin_store_rc_t rc = socin_store_write (self->store, s_ack_txn, &a, err, errlen);
    if (rc == SOCIN_STORE_OK) self->acked_seq = acked;
    return rc;
}

void
ing_ledger_outbox_size (ing_ledger_t *self, uint64_t *batches, uint64_t *bytes)
{
    *batches =
        self->last_seq - (self->acked_seq < self->last_seq ? self->acked_seq : self->last_seq);
    *bytes = 0;
    MDB_txn *txn;
    if (socin_store_read_begin (self->store, &txn)) return;
    MDB_stat st;
    if (mdb_stat (txn, self->outbox, &st) == 0)
        *bytes =
            (uint64_t)(st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) * st.ms_psize;
    mdb_txn_abort (txn);
}

void
ing_ledger_counts (ing_ledger_t *self, uint64_t *values, uint64_t *events)
{
    *values = *events = 0;
    MDB_txn *txn;
    if (socin_store_read_begin (self->store, &txn)) return;
    MDB_stat st;
    *values = socin_chunks_count (txn, self->values);
    if (mdb_stat (txn, self->events, &st) == 0) *events = st.ms_entries;
    mdb_txn_abort (txn);
}

/* ---- history ---- */

/* Adds the entry of the change that gave a value its stored STATE to OUT. */
static Socin__V1__HistoryEntry *
s_add_entry (Socin__V1__ValueHistory *out, MDB_txn *txn, MDB_dbi batches, const MDB_val *state,
             const char *source)
{
    socin_value_state_t st;
    socin_value_state_unpack (SOCIN_VALUE_LEDGER, state->mv_data, state->mv_size, &st);
    unsigned char key[8];
    socin_be64_put (key, st.seq);
    MDB_val k = {8, key}, v;
    bool found = mdb_get (txn, batches, &k, &v) == 0;
    return socin_value_history_add (out, &st, source, strlen (source), found ? v.mv_data : NULL,
                                    found ? v.mv_size : 0);
}

int
ing_ledger_history (ing_ledger_t *self, const char *key, size_t keylen, const char *source,
                    Socin__V1__ValueHistory *out)
{
    MDB_txn *txn;
    if (socin_store_read_begin (self->store, &txn)) return -1;
    MDB_cursor *cur;
    mdb_cursor_open (txn, self->history, &cur);
    MDB_val k = {keylen, (void *)key}, v;
    int rc = mdb_cursor_get (cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size >= keylen && !memcmp (k.mv_data, key, keylen)) {
        if (k.mv_size == keylen + 8) s_add_entry (out, txn, self->batches, &v, source);
        rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close (cur);
    MDB_val ck = {keylen, (void *)key};
    socin_chunks_t *h = socin_chunks_open (txn, self->values, &rc);
    if (h && socin_chunks_get (h, &ck, &v, MDB_SET_KEY) == 0) {
        out->current = socin_strdup (s_add_entry (out, txn, self->batches, &v, source)->new_value);
    }
    socin_chunks_close (&h, true); /* it only reads */
    mdb_txn_abort (txn);
    return 0;
}

void
ing_ledger_history_free (Socin__V1__ValueHistory *out)
{
    for (size_t i = 0; i < out->n_entries; i++)
        protobuf_c_message_free_unpacked (&out->entries[i]->base, NULL);
    free (out->entries);
    if (out->current != protobuf_c_empty_string) free (out->current);
    out->entries = NULL;
    out->n_entries = 0;
    out->current = (char *)protobuf_c_empty_string;
}
