/*  test_ingestreq: an IngestRequest unpacked with its submission's values read by hand.

    What matters: the request is always what protobuf-c unpacks from the same bytes — every
    value field set or none, strings given twice (the last counts), other items of the
    submission beside the values, a history query, values with fields of later versions or
    wire types they cannot have (left to protobuf-c), and bytes that are no request at all.
*/
#include "ingestreq.h"
#include "arena.h"
#include "testing.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Whether DATA unpacks here to what protobuf-c unpacks (compared as protobuf-c packs both). */
static bool
s_same (const uint8_t *data, size_t len)
{
    socin_arena_t *arena = socin_arena_new ();
    Socin__V1__IngestRequest *mine =
        socin_ingest_request_unpack (socin_arena_allocator (arena), len, data);
    Socin__V1__IngestRequest *theirs = socin__v1__ingest_request__unpack (NULL, len, data);
    bool same = !mine == !theirs;
    if (same && mine) {
        size_t a = socin__v1__ingest_request__get_packed_size (mine),
               b = socin__v1__ingest_request__get_packed_size (theirs);
        uint8_t *pa = malloc (a + 1), *pb = malloc (b + 1);
        socin__v1__ingest_request__pack (mine, pa);
        socin__v1__ingest_request__pack (theirs, pb);
        same = a == b && !memcmp (pa, pb, a);
        free (pa);
        free (pb);
    }
    if (theirs) socin__v1__ingest_request__free_unpacked (theirs, NULL);
    socin_arena_destroy (&arena);
    return same;
}

/* A request of N values (some with every field) and one event, packed into *LEN bytes. */
static uint8_t *
s_request (size_t n, size_t *len)
{
    Socin__V1__DataValue *v = calloc (n, sizeof *v), **vp = calloc (n, sizeof *vp);
    for (size_t i = 0; i < n; i++) {
        socin__v1__data_value__init (&v[i]);
        v[i].indicator = "BENCH_01";
        v[i].unit = "554979";
        v[i].period = "202503";
        v[i].value = i % 2 ? "12.5" : "";
        if (i % 3 == 0) {
            v[i].disaggregation = "sex=f";
            v[i].comment = "opraveno \"ručně\"";
            v[i].stored_by = "jana";
            v[i].followup = true;
            v[i].delete_ = true;
        }
        vp[i] = &v[i];
    }
    Socin__V1__ParticipationEvent ev = SOCIN__V1__PARTICIPATION_EVENT__INIT, *evs[] = {&ev};
    ev.event_id = "e1";
    ev.unit = "554979";
    Socin__V1__Submission sub = SOCIN__V1__SUBMISSION__INIT;
    sub.submission_id = "s-1";
    sub.atomic = true;
    sub.values = vp;
    sub.n_values = n;
    sub.events = evs;
    sub.n_events = 1;
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = "r-1";
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &sub;
    *len = socin__v1__ingest_request__get_packed_size (&req);
    uint8_t *out = malloc (*len + 64);
    socin__v1__ingest_request__pack (&req, out);
    free (v);
    free (vp);
    return out;
}

static void
a_request_is_what_protobuf_c_unpacks (void)
{
    size_t len;
    uint8_t *data = s_request (7, &len);
    CHECK (s_same (data, len));
    socin_arena_t *arena = socin_arena_new ();
    Socin__V1__IngestRequest *req =
        socin_ingest_request_unpack (socin_arena_allocator (arena), len, data);
    CHECK (req && req->submission->n_values == 7 && req->submission->n_events == 1);
    if (req) {
        /* read by hand: the values are one array */
        CHECK (req->submission->values[1] == req->submission->values[0] + 1);
        CHECK_STR (req->submission->values[3]->comment, "opraveno \"ručně\"");
        CHECK (req->submission->values[3]->followup && req->submission->values[3]->delete_);
        CHECK_STR (req->submission->values[4]->value, "");
    }
    socin_arena_destroy (&arena);
    /* Every prefix of the bytes: most are no request, some are one with fewer values. */
    for (size_t cut = 0; cut < len; cut++)
        CHECK (s_same (data, cut));
    /* Every byte changed in turn: unknown fields, other wire types, lengths past the end. */
    for (size_t at = 0; at < len; at++)
        for (int x = 1; x < 256; x *= 3) {
            data[at] ^= (uint8_t)x;
            CHECK (s_same (data, len));
            data[at] ^= (uint8_t)x;
        }
    free (data);
}

static void
a_value_given_oddly_is_left_to_protobuf_c (void)
{
    /* request_id "r", submission { values { indicator "A", indicator "B" (the last counts),
       field 99 (unknown), value "1" } } */
    const uint8_t twice[] = {0x0a, 0x01, 'r',  0x12, 0x0e, 0x22, 0x0c, 0x0a, 0x01, 'A',
                             0x0a, 0x01, 'B',  0x98, 0x06, 0x01, 0x2a, 0x01, '1'};
    CHECK (s_same (twice, sizeof twice));
    const uint8_t plain[] = {0x12, 0x0b, 0x22, 0x09, 0x0a, 0x01, 'A', 0x0a, 0x01, 'B', 0x2a, 0x01, '1'};
    CHECK (s_same (plain, sizeof plain));
    /* a history query after the submission takes the oneof */
    const uint8_t history[] = {0x12, 0x05, 0x22, 0x03, 0x0a, 0x01, 'A', 0x1a, 0x00};
    CHECK (s_same (history, sizeof history));
    /* two submissions: protobuf-c merges them */
    const uint8_t merged[] = {0x12, 0x05, 0x22, 0x03, 0x0a, 0x01, 'A',
                              0x12, 0x05, 0x22, 0x03, 0x0a, 0x01, 'B'};
    CHECK (s_same (merged, sizeof merged));
    /* a value's flag as a length-delimited field */
    const uint8_t flag[] = {0x12, 0x06, 0x22, 0x04, 0x32, 0x02, 0x01, 0x01};
    CHECK (s_same (flag, sizeof flag));
}

int
main (void)
{
    RUN (a_request_is_what_protobuf_c_unpacks,
         "a request with values is unpacked as protobuf-c unpacks it, and so is every cut or "
         "changed copy of its bytes");
    RUN (a_value_given_oddly_is_left_to_protobuf_c,
         "strings given twice, unknown fields, a history query, two submissions and odd wire "
         "types come out as protobuf-c has them");
    return TEST_SUMMARY ();
}
