/*  fuzz_forward: a ForwardMessage frame as socin-reporting unpacks it from an ingest, and a
    change batch in it applied as reporting applies it.

    What reporting's s_on_forward does after the ZeroMQ framing: unpack the payload; for a
    hello or a heartbeat note the source's contact (and log the announced source name); for
    a change batch apply it (rep_apply_batches): the value and history keys built from each
    change, the LMDB transaction, then the in-memory cube and event list. The batch gets the
    next sequence number of its source so that it is applied rather than refused as a gap.

    After each input the store's databases, the cube and the events are emptied again, so an
    input's outcome does not depend on the inputs before it. Properties beyond "no crash, no
    sanitizer report": reporting's own reader of the frame (decode.h) makes of it exactly what
    protobuf-c's unpack makes (the same refusal, or a message that packs to the same bytes);
    applying never fails (a batch that can never be stored would block its ingest for good),
    and every change whose key fits is in the history afterwards.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "arena.h"
#include "cube.h"
#include "decode.h"
#include "events.h"
#include "fixture.h"
#include "log.h"
#include "query.h"
#include "store.h"
#include "validate.h"
#include "socin/v1/forward.pb-c.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define SOURCE "CZ064"

static socin_model_t *s_model;
static socin_store_t *s_store;
static rep_apply_t *s_apply;
static rep_cube_t *s_cube;
static rep_events_t *s_events;
static MDB_dbi s_dbis[4];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    s_model = fuzz_model_new (true, true);
    char dir[512], err[1024];
    snprintf (dir, sizeof dir, "%s/reporting", fuzz_tmpdir ());
    s_store = socin_store_open (dir, NULL, err, sizeof err);
    FUZZ_ASSERT (s_store, "cannot open the store: %s", err);
    /* Durability is not under test: no fsync per input. */
    mdb_env_set_flags (socin_store_env (s_store), MDB_NOSYNC, 1);
    s_apply = rep_apply_new (s_store);
    const char *names[] = {REP_VALUES_DB, "history", "events", "sources"};
    for (int i = 0; i < 4; i++)
        s_dbis[i] = socin_store_dbi (s_store, names[i], 0);
    s_cube = rep_cube_new (s_model);
    s_events = rep_events_new ();
    return 0;
}

static int
s_empty_txn (MDB_txn *txn, void *arg)
{
    for (int i = 0; i < 4; i++) {
        int rc = mdb_drop (txn, s_dbis[i], 0);
        if (rc) return rc;
    }
    return 0;
}

static void
s_reset (void)
{
    char err[1024];
    FUZZ_ASSERT (socin_store_write (s_store, s_empty_txn, NULL, err, sizeof err) == SOCIN_STORE_OK,
                 "cannot empty the store: %s", err);
    rep_cube_reset (s_cube, s_model);
    rep_events_clear (s_events);
}

/* The figures a roll-up would read for the value C touched, by every aggregation. */
static void
s_read_back (const Socin__V1__ValueChange *c)
{
    const socin_indicator_t *ind = socin_model_indicator (s_model, c->indicator);
    const socin_unit_t *unit = socin_model_unit (s_model, c->unit);
    const socin_unit_t *country = socin_model_unit (s_model, "CZ");
    socin_period_t period;
    if (!ind || !unit || socin_period_parse (c->period, &period, NULL, 0)) return;
    socin_agg_t a;
    socin_dec_t v;
    if (rep_cube_unit (s_cube, ind, unit, period, c->disaggregation, &a) == 0)
        for (int agg = SOCIN_AGG_SUM; agg <= SOCIN_AGG_COUNT_TRUE; agg++)
            socin_agg_value (&a, agg, &v);
    socin_period_t year = {SOCIN_PERIOD_YEAR, period.year, 1};
    if (rep_cube_node (s_cube, ind, country, NULL, year, "", &a) == 0)
        for (int agg = SOCIN_AGG_SUM; agg <= SOCIN_AGG_COUNT_TRUE; agg++)
            socin_agg_value (&a, agg, &v);
    rep_cube_received (s_cube, ind, unit, period);
}

static void
s_batch (Socin__V1__ChangeBatch *batch)
{
    batch->seq = rep_apply_applied (s_apply, SOURCE) + 1;
    rep_batch_t rb = {SOURCE, batch, REP_GAP};
    char err[1024];
    socin_store_rc_t rc =
        rep_apply_batches (s_apply, &rb, 1, s_model, s_cube, s_events, err, sizeof err);
    FUZZ_ASSERT (rc == SOCIN_STORE_OK, "the batch cannot be applied (%d): %s", (int)rc, err);
    FUZZ_ASSERT (rb.outcome == REP_APPLIED, "the next batch of a source was not applied");
    for (size_t i = 0; i < batch->n_values; i++) {
        const Socin__V1__ValueChange *c = batch->values[i];
        char key[ING_KEY_MAX];
        size_t keylen;
        if (ing_value_key (c->indicator, c->unit, c->period, c->disaggregation, key, &keylen))
            continue;
        Socin__V1__ValueHistory h = SOCIN__V1__VALUE_HISTORY__INIT;
        FUZZ_ASSERT (rep_query_history (s_apply, key, keylen, &h) == 0, "history unreadable");
        FUZZ_ASSERT (h.n_entries > 0, "change %zu is not in the history", i);
        for (size_t e = 0; e < h.n_entries; e++)
            protobuf_c_message_free_unpacked (&h.entries[e]->base, NULL);
        free (h.entries);
        if (h.current != protobuf_c_empty_string) free (h.current);
        s_read_back (c);
    }
    rep_events_count (s_events);
    s_reset ();
}

/* What reporting's reader made of the frame (FM) is what protobuf-c made of it (REF). */
static void
s_same_as_protobuf_c (const Socin__V1__ForwardMessage *fm, const Socin__V1__ForwardMessage *ref)
{
    FUZZ_ASSERT (!fm == !ref, "decode.c %s the frame, protobuf-c %s it", fm ? "read" : "refused",
                 ref ? "read" : "refused");
    if (!fm) return;
    size_t n = socin__v1__forward_message__get_packed_size (fm);
    FUZZ_ASSERT (n == socin__v1__forward_message__get_packed_size (ref),
                 "decode.c's message packs to %zu bytes, protobuf-c's to another size", n);
    uint8_t *a = malloc (n + 1), *b = malloc (n + 1);
    socin__v1__forward_message__pack (fm, a);
    socin__v1__forward_message__pack (ref, b);
    FUZZ_ASSERT (!memcmp (a, b, n), "decode.c's message packs to other bytes than protobuf-c's");
    free (a);
    free (b);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    socin_arena_t *arena = socin_arena_new ();
    Socin__V1__ForwardMessage *fm = rep_decode_forward (arena, data, size);
    Socin__V1__ForwardMessage *ref = socin__v1__forward_message__unpack (NULL, size, data);
    s_same_as_protobuf_c (fm, ref);
    if (ref) socin__v1__forward_message__free_unpacked (ref, NULL);
    if (!fm) {
        socin_arena_destroy (&arena);
        return 0;
    }
    switch (fm->body_case) {
    case SOCIN__V1__FORWARD_MESSAGE__BODY_HELLO:
        rep_apply_contact (s_apply, SOURCE, fm->hello->last_seq);
        if (strcmp (fm->hello->source, SOURCE)) socin_log_q (fm->hello->source);
        break;
    case SOCIN__V1__FORWARD_MESSAGE__BODY_HEARTBEAT:
        rep_apply_contact (s_apply, SOURCE, fm->heartbeat->seq);
        break;
    case SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH:
        rep_apply_contact (s_apply, SOURCE, 0);
        s_batch (fm->batch);
        break;
    default:
        break;
    }
    socin_arena_destroy (&arena);
    return 0;
}
