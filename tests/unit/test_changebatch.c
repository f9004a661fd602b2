/*  test_changebatch: a ChangeBatch packed with its values by hand.

    What matters: the bytes are exactly those protobuf-c packs for the same batch — every
    field of a value set, none, negative and large values, long texts, the fields after the
    values (events, follow-up marks, approvals) — so reporting and any protobuf library read
    the outbox as before.
*/
#include "changebatch.h"
#include "testing.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Whether BATCH packs to the bytes protobuf-c packs. */
static void
s_check_same (const Socin__V1__ChangeBatch *batch)
{
    size_t want = socin__v1__change_batch__get_packed_size (batch);
    uint8_t *a = malloc (want + 1);
    socin__v1__change_batch__pack (batch, a);
    /* Into a buffer that already holds something, as the ingest reuses it. */
    socin_str_t b = SOCIN_STR_INIT;
    socin_str_puts (&b, "what the batch before left");
    CHECK_INT (socin_change_batch_pack (batch, &b), want);
    CHECK_INT (b.len, want);
    CHECK (memcmp (a, b.data, want) == 0);
    free (a);
    socin_str_free (&b);
}

static void
a_batch_is_the_bytes_protobuf_packs (void)
{
    static char long_comment[400];
    memset (long_comment, 'x', sizeof long_comment - 1);
    Socin__V1__ValueChange full = SOCIN__V1__VALUE_CHANGE__INIT, bare = full, gone = full,
                           neg = full, big = full;
    full.indicator = "EMP_JOBSEEKERS";
    full.unit = "554979";
    full.period = "202511";
    full.disaggregation = "sex=f,target_group=roma";
    full.value_micros = 12500001;
    full.comment = "opraveno, \"ručně\"\nz listu";
    full.stored_by = "jana.novakova";
    full.followup = true;
    bare.indicator = "BENCH_01";
    bare.unit = "500011";
    bare.period = "202503";
    gone = bare;
    gone.deleted = true;
    neg = bare;
    neg.value_micros = -7000000;
    neg.comment = long_comment;
    big = bare;
    big.value_micros = INT64_MIN;
    Socin__V1__ValueChange *values[] = {&full, &bare, &gone, &neg, &big};

    Socin__V1__ChangeBatch batch = SOCIN__V1__CHANGE_BATCH__INIT;
    s_check_same (&batch); /* nothing at all */
    batch.seq = 300;
    batch.submission_id = "feed-2025-03";
    batch.submitter = "local";
    batch.submitter_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    batch.accepted_ms = 1764667800123;
    batch.values = values;
    batch.n_values = 5;
    s_check_same (&batch);

    Socin__V1__ParticipationEvent ev = SOCIN__V1__PARTICIPATION_EVENT__INIT, *evs[] = {&ev};
    ev.event_id = "ev-1";
    ev.unit = "554979";
    ev.date = "2025-03-02";
    ev.participants = 40;
    Socin__V1__FollowupMark mark = SOCIN__V1__FOLLOWUP_MARK__INIT, *marks[] = {&mark};
    mark.indicator = "BENCH_02";
    mark.followup = true;
    Socin__V1__ApprovalState appr = SOCIN__V1__APPROVAL_STATE__INIT, *apprs[] = {&appr};
    appr.dataset = "DS_BENCH";
    appr.step = 2;
    batch.events = evs;
    batch.n_events = 1;
    batch.followups = marks;
    batch.n_followups = 1;
    batch.approvals = apprs;
    batch.n_approvals = 1;
    s_check_same (&batch);
    batch.n_values = 0; /* the last of several: no values, the rest */
    s_check_same (&batch);
}

int
main (void)
{
    RUN (a_batch_is_the_bytes_protobuf_packs,
         "a change batch packed by hand is the bytes protobuf-c packs");
    return TEST_SUMMARY ();
}
