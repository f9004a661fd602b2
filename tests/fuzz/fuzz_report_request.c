/*  fuzz_report_request: a ReportRequest frame as socin-reporting unpacks it, answered from a
    cube as reporting answers it.

    What reporting's s_on_query does after the ZeroMQ framing: unpack the payload, answer it
    (rep_query_answer: values, roll-ups, completeness, participation, target progress,
    history, sources) and pack the reply. The cube, the events and the store behind the
    answers are built once on the fixture's model and hold a few values and events of 2025
    (applied as a change batch from an ingest), so roll-ups and completeness have figures.

    Properties beyond "no crash, no sanitizer report": the reply packs, and when the request's
    strings are valid UTF-8 so are all of the reply's (a reply that is not cannot be decoded
    by clients in other languages).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cube.h"
#include "events.h"
#include "fixture.h"
#include "query.h"
#include "store.h"
#include "socin/v1/forward.pb-c.h"
#include "socin/v1/report.pb-c.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static socin_model_t *s_model;
static socin_store_t *s_store;
static rep_apply_t *s_apply;
static rep_cube_t *s_cube;
static rep_events_t *s_events;

/* A few values and events, as an ingest forwards them. */
static void
s_fill (void)
{
    static const struct {
        const char *indicator, *unit, *period, *disaggregation;
        int64_t micros;
    } values[] = {
        {"PART_EVENTS", "582786", "202503", "event_type=public_meeting", 2000000},
        {"PART_EVENTS", "582786", "202504", "event_type=round_table", 1000000},
        {"PART_PARTICIPANTS", "582786", "202503", "", 45000000},
        {"PART_PLATFORM_VULNERABLE", "582786", "2025", "", 1000000},
        {"EMP_JOBSEEKERS", "582786", "202503", "sex=f", 5200000000},
        {"EMP_JOBSEEKERS", "554782", "202503", "sex=m", 31000000000},
        {"POP_15_64", "582786", "2025", "", 250000000000},
        {"POP_15_64", "554782", "2025", "", 880000000000},
        {"SS_CAPACITY", "554782", "2025Q1", "", 1200000000},
        {"SH_HOUSEHOLDS", "554782", "2025Q1", "target_group=roma", 310000000},
        {"SS_WAIT_DAYS_MAX", "554782", "2025Q1", "", 30500000},
    };
    static const struct {
        const char *id, *unit, *date;
        int type;
        uint32_t participants, roma;
    } events[] = {
        {"e1", "582786", "2025-03-10", 1, 40, 12},
        {"e2", "582786", "2025-06-02", 2, 15, 3},
        {"e3", "554782", "2025-09-20", 3, 8, 0},
    };
    size_t nv = sizeof values / sizeof values[0], ne = sizeof events / sizeof events[0];
    Socin__V1__ValueChange vc[sizeof values / sizeof values[0]], *vp[sizeof vc / sizeof vc[0]];
    Socin__V1__ParticipationEvent ev[sizeof events / sizeof events[0]],
        *ep[sizeof ev / sizeof ev[0]];
    Socin__V1__GroupParticipants gp[sizeof ev / sizeof ev[0]], *gpp[sizeof ev / sizeof ev[0]];
    for (size_t i = 0; i < nv; i++) {
        socin__v1__value_change__init (&vc[i]);
        vc[i].indicator = (char *)values[i].indicator;
        vc[i].unit = (char *)values[i].unit;
        vc[i].period = (char *)values[i].period;
        vc[i].disaggregation = (char *)values[i].disaggregation;
        vc[i].value_micros = values[i].micros;
        vp[i] = &vc[i];
    }
    for (size_t i = 0; i < ne; i++) {
        socin__v1__participation_event__init (&ev[i]);
        ev[i].event_id = (char *)events[i].id;
        ev[i].unit = (char *)events[i].unit;
        ev[i].date = (char *)events[i].date;
        ev[i].type = (Socin__V1__EventType)events[i].type;
        ev[i].participants = events[i].participants;
        ev[i].open_to_public = true;
        ev[i].platform_includes_vulnerable = i == 0;
        socin__v1__group_participants__init (&gp[i]);
        gp[i].group = "roma";
        gp[i].participants = events[i].roma;
        gpp[i] = &gp[i];
        ev[i].vulnerable = &gpp[i];
        ev[i].n_vulnerable = 1;
        ep[i] = &ev[i];
    }
    Socin__V1__ChangeBatch batch = SOCIN__V1__CHANGE_BATCH__INIT;
    batch.seq = 1;
    batch.submission_id = "seed-1";
    batch.submitter = "fuzz";
    batch.submitter_key = FUZZ_SUBMITTER_KEY;
    batch.accepted_ms = 1743465600000; /* 2025-04-01 */
    batch.values = vp;
    batch.n_values = nv;
    batch.events = ep;
    batch.n_events = ne;
    rep_batch_t rb = {"CZ064", &batch, REP_GAP};
    char err[1024];
    FUZZ_ASSERT (rep_apply_batches (s_apply, &rb, 1, s_model, s_cube, s_events, err, sizeof err) ==
                         SOCIN_STORE_OK &&
                     rb.outcome == REP_APPLIED,
                 "the fixture's batch was not applied: %s", err);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    s_model = fuzz_model_new (true, true);
    char dir[512], err[1024];
    snprintf (dir, sizeof dir, "%s/reporting", fuzz_tmpdir ());
    s_store = socin_store_open (dir, NULL, err, sizeof err);
    FUZZ_ASSERT (s_store, "cannot open the store: %s", err);
    mdb_env_set_flags (socin_store_env (s_store), MDB_NOSYNC, 1);
    s_apply = rep_apply_new (s_store);
    s_cube = rep_cube_new (s_model);
    s_events = rep_events_new ();
    s_fill ();
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    Socin__V1__ReportRequest *req = socin__v1__report_request__unpack (NULL, size, data);
    if (!req) return 0;
    rep_query_ctx_t ctx = {s_model, 1, s_cube, s_events, s_apply, fuzz_today ()};
    Socin__V1__ReportReply *reply = rep_query_answer (&ctx, req);
    FUZZ_ASSERT (reply, "no reply");
    size_t len = socin__v1__report_reply__get_packed_size (reply);
    uint8_t *buf = malloc (len ? len : 1);
    FUZZ_ASSERT (buf, "out of memory");
    FUZZ_ASSERT (socin__v1__report_reply__pack (reply, buf) == len, "pack length");
    free (buf);
    /* A request that is itself valid UTF-8 (all a client in another language can send) must
       get a reply that is; invalid bytes sent by a C client may come back in a message. */
    if (fuzz_message_utf8 (&req->base)) fuzz_check_message_utf8 ("ReportReply", &reply->base);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    socin__v1__report_request__free_unpacked (req, NULL);
    return 0;
}
