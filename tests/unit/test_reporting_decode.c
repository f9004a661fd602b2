/*  test_reporting_decode: reporting's reader of forwarded frames (decode.h) makes of a frame
    what protobuf-c makes of it.

    A batch is read by hand, values field by field; everything else (a hello, an unknown
    field, a known field of another wire type, a boolean in two bytes, a cut frame) is left to
    protobuf-c. Either way the message packs to the same bytes as protobuf-c's, and a frame
    protobuf-c refuses is refused.
*/
#include "decode.h"

#include "testing.h"

#include <stdlib.h>
#include <string.h>

/* The bytes of a ForwardMessage holding a batch of three values, an event and a follow-up
   mark (*LEN of them; free them). */
static uint8_t *
s_frame (size_t *len)
{
    Socin__V1__ValueChange v[3] = {SOCIN__V1__VALUE_CHANGE__INIT, SOCIN__V1__VALUE_CHANGE__INIT,
                                   SOCIN__V1__VALUE_CHANGE__INIT};
    Socin__V1__ValueChange *pv[3] = {&v[0], &v[1], &v[2]};
    v[0].indicator = "PART_EVENTS";
    v[0].unit = "582786";
    v[0].period = "202501";
    v[0].value_micros = 12000000;
    v[1].indicator = "EMP_SHARE";
    v[1].unit = "582786";
    v[1].period = "2025Q1";
    v[1].disaggregation = "sex=f,target_group=roma";
    v[1].value_micros = -1;
    v[1].comment = "revised: the count was 13";
    v[1].stored_by = "Jana Nováková";
    v[1].followup = 1;
    v[2].indicator = "PART_EVENTS";
    v[2].unit = "582794";
    v[2].period = "202501";
    v[2].deleted = 1;
    v[2].value_micros = INT64_MIN;
    Socin__V1__ParticipationEvent ev = SOCIN__V1__PARTICIPATION_EVENT__INIT, *pev = &ev;
    ev.event_id = "e-1";
    ev.unit = "582786";
    Socin__V1__FollowupMark mark = SOCIN__V1__FOLLOWUP_MARK__INIT, *pmark = &mark;
    Socin__V1__ChangeBatch b = SOCIN__V1__CHANGE_BATCH__INIT;
    b.seq = 77;
    b.submission_id = "sub-1";
    b.submitter = "local";
    b.submitter_key = "key";
    b.accepted_ms = 1767225600000;
    b.n_values = 3;
    b.values = pv;
    b.n_events = 1;
    b.events = &pev;
    b.n_followups = 1;
    b.followups = &pmark;
    Socin__V1__ForwardMessage fm = SOCIN__V1__FORWARD_MESSAGE__INIT;
    fm.body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH;
    fm.batch = &b;
    *len = socin__v1__forward_message__get_packed_size (&fm);
    uint8_t *buf = malloc (*len + 16);
    socin__v1__forward_message__pack (&fm, buf);
    return buf;
}

/* Reads LEN bytes at DATA both ways; true when both refuse it or both read it to messages
   that pack to the same bytes. */
static int
s_same (const uint8_t *data, size_t len)
{
    socin_arena_t *arena = socin_arena_new ();
    Socin__V1__ForwardMessage *fm = rep_decode_forward (arena, data, len);
    Socin__V1__ForwardMessage *ref = socin__v1__forward_message__unpack (NULL, len, data);
    int same = !fm == !ref;
    if (fm && ref) {
        size_t n = socin__v1__forward_message__get_packed_size (fm);
        uint8_t *a = malloc (n + 1), *b = malloc (n + 1);
        same = n == socin__v1__forward_message__get_packed_size (ref);
        if (same) {
            socin__v1__forward_message__pack (fm, a);
            socin__v1__forward_message__pack (ref, b);
            same = !memcmp (a, b, n);
        }
        free (a);
        free (b);
    }
    if (ref) socin__v1__forward_message__free_unpacked (ref, NULL);
    socin_arena_destroy (&arena);
    return same;
}

static void
a_batch_reads_as_protobuf_c_reads_it (void)
{
    size_t len;
    uint8_t *buf = s_frame (&len);
    socin_arena_t *arena = socin_arena_new ();
    Socin__V1__ForwardMessage *fm = rep_decode_forward (arena, buf, len);
    CHECK (fm != NULL);
    if (fm) {
        CHECK_INT (fm->body_case, SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH);
        const Socin__V1__ChangeBatch *b = fm->batch;
        CHECK_INT (b->seq, 77);
        CHECK_INT (b->accepted_ms, 1767225600000);
        CHECK_STR (b->submission_id, "sub-1");
        CHECK_INT (b->n_values, 3);
        CHECK_INT (b->n_events, 1);
        CHECK_INT (b->n_followups, 1);
        CHECK_INT (b->n_measures, 0);
        CHECK (b->measures == NULL);
        CHECK_STR (b->values[1]->disaggregation, "sex=f,target_group=roma");
        CHECK_STR (b->values[1]->stored_by, "Jana Nováková");
        CHECK_INT (b->values[1]->value_micros, -1);
        CHECK_INT (b->values[1]->followup, 1);
        CHECK_STR (b->values[0]->comment, "");
        CHECK_INT (b->values[2]->deleted, 1);
        CHECK (b->values[2]->value_micros == INT64_MIN);
        CHECK_STR (b->events[0]->event_id, "e-1");
    }
    CHECK (s_same (buf, len));
    socin_arena_destroy (&arena);
    free (buf);
}

static void
a_frame_it_does_not_expect_is_read_by_protobuf_c (void)
{
    size_t len;
    uint8_t *buf = s_frame (&len);
    /* Every frame cut short. */
    for (size_t n = 0; n < len; n++)
        CHECK (s_same (buf, n));
    /* An unknown field (99, varint) after the batch, and a known field of another wire type
       (a second batch as a varint: refused). */
    uint8_t extra[] = {0x98, 0x06, 0x01};
    memcpy (buf + len, extra, sizeof extra);
    CHECK (s_same (buf, len + sizeof extra));
    uint8_t wrong[] = {0x10, 0x01};
    memcpy (buf + len, wrong, sizeof wrong);
    CHECK (s_same (buf, len + sizeof wrong));
    free (buf);
    /* A hello. */
    Socin__V1__Hello hello = SOCIN__V1__HELLO__INIT;
    hello.source = "CZ064";
    hello.last_seq = 9;
    Socin__V1__ForwardMessage fm = SOCIN__V1__FORWARD_MESSAGE__INIT;
    fm.body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_HELLO;
    fm.hello = &hello;
    uint8_t hb[64];
    CHECK (s_same (hb, socin__v1__forward_message__pack (&fm, hb)));
    /* A batch whose one value has its boolean in two bytes and an unknown field. */
    const uint8_t odd[] = {0x12, 0x0B, 0x32, 0x09, 0x0A, 0x01, 'X',
                           0x30, 0x81, 0x00, 0xF8, 0x07, 0x05};
    CHECK (s_same (odd, sizeof odd));
    socin_arena_t *arena = socin_arena_new ();
    Socin__V1__ForwardMessage *m = rep_decode_forward (arena, odd, sizeof odd);
    CHECK (m && m->batch && m->batch->n_values == 1 && m->batch->values[0]->deleted);
    socin_arena_destroy (&arena);
    /* Every single byte of a batch changed to each of a few values. */
    buf = s_frame (&len);
    const uint8_t probes[] = {0x00, 0x01, 0x02, 0x07, 0x08, 0x0A, 0x12, 0x7F, 0x80, 0xFF};
    for (size_t i = 0; i < len; i++) {
        uint8_t was = buf[i];
        for (size_t p = 0; p < sizeof probes; p++) {
            buf[i] = probes[p];
            CHECK (s_same (buf, len));
        }
        buf[i] = was;
    }
    free (buf);
}

int
main (void)
{
    RUN (a_batch_reads_as_protobuf_c_reads_it, "a batch reads as protobuf-c reads it");
    RUN (a_frame_it_does_not_expect_is_read_by_protobuf_c,
         "a frame the reader does not expect is read as protobuf-c reads it, or refused");
    return TEST_SUMMARY ();
}
