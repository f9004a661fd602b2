/*  The ingest, as a real daemon beside a real registry: import summaries with exact counts,
    every conflict the validator produces, all-or-nothing and dry runs, idempotent resends,
    refused requests, durability across kill -9, group commit under many clients in flight,
    groups bounded by the pages they dirty, history, and validation from the persisted replica
    while the registry is down.

    The clock is fixed at 2026-03-15 (SOCIN_TODAY): monthly periods from 202404 on are open,
    202401 is locked (730 days after its end), 2027 lies in the future. No reporting runs, so
    every accepted change batch stays in the ingest's backlog. */
#include <czmq.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "csv.h"
#include "period.h"
#include "registry.h"
#include "stack.h"
#include "testing.h"
#include "wire.h"
#include "socin/v1/ingest.pb-c.h"
#include "socin/v1/registry.pb-c.h"

#define CODE(name)   SOCIN__V1__ERROR_CODE__ERROR_CODE_##name
#define STATUS(name) SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_##name
#define EVENT(name)  SOCIN__V1__EVENT_TYPE__EVENT_TYPE_##name

static char s_home[256];
static char s_reg_req[400], s_reg_pub[400], s_reg_key[400];
static char s_ep1[400], s_ep2[400], s_key1[400], s_key2[400];
static char s_admin_cert[400], s_jmk_cert[400];
static t_daemon_t *s_registry, *s_ingest, *s_ingest2;
static socin_client_t *s_admin;  /* the registry's admin */
static socin_client_t *s_local;  /* submitter "local" (all CZ) to the CZ064 ingest */
static socin_client_t *s_jmk;    /* submitter "jmk" (CZ064 only) to the CZ064 ingest */
static socin_client_t *s_local2; /* submitter "local" to the small CZ080 ingest */
/* Change batches the CZ064 ingest accepted so far: its sequence, as the tests count it. */
static uint64_t s_batches;

/* ---- the registry ---- */

/* Adds or replaces a submitter (DATASET: the only data set it may report, when given;
   DISABLED: its connections are refused). 0 or -1. */
static int
s_put_submitter (const char *name, const char *key, const char *territory, const char *dataset,
                 bool disabled)
{
    return t_put_submitter (s_admin, name, key, territory, dataset, disabled);
}

/* ---- control sockets ---- */

static long long
s_ctl_field (t_daemon_t *d, const char *command, const char *key)
{
    char out[4096];
    if (t_ctl (d->ctl, command, out, sizeof out)) return -1;
    return t_field (out, key);
}

static long long
s_values (t_daemon_t *d)
{
    return s_ctl_field (d, "status", "values");
}

static long long
s_last_seq (t_daemon_t *d)
{
    return s_ctl_field (d, "backlog", "last_seq");
}

/* The ingest's history of one key, as its control socket prints it. */
static void
s_ctl_history (const char *key, char *out, size_t len)
{
    char cmd[300];
    snprintf (cmd, sizeof cmd, "history %s", key);
    if (t_ctl (s_ingest->ctl, cmd, out, len)) snprintf (out, len, "(no answer)");
}

static int
s_lines (const char *text)
{
    int n = *text ? 1 : 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* ---- submissions ---- */

#define S_MAXV 32
#define S_MAXE 16

typedef struct {
    Socin__V1__Submission sub;
    Socin__V1__DataValue v[S_MAXV], *vp[S_MAXV];
    Socin__V1__ParticipationEvent e[S_MAXE], *ep[S_MAXE];
    Socin__V1__GroupParticipants g[S_MAXE][3], *gp[S_MAXE][3];
} s_batch_t;

static void
s_batch (s_batch_t *b, const char *id)
{
    memset (b, 0, sizeof *b);
    socin__v1__submission__init (&b->sub);
    b->sub.submission_id = (char *)id;
    b->sub.values = b->vp;
    b->sub.events = b->ep;
}

static Socin__V1__DataValue *
s_value (s_batch_t *b, const char *indicator, const char *unit, const char *period,
         const char *disaggregation, const char *value)
{
    static Socin__V1__DataValue spare;
    Socin__V1__DataValue *v = &spare;
    CHECK (b->sub.n_values < S_MAXV); /* a test with more items: raise S_MAXV */
    if (b->sub.n_values < S_MAXV) v = &b->v[b->sub.n_values];
    socin__v1__data_value__init (v);
    v->indicator = (char *)indicator;
    v->unit = (char *)unit;
    v->period = (char *)period;
    v->disaggregation = (char *)(disaggregation ? disaggregation : "");
    v->value = (char *)value;
    if (v != &spare) b->vp[b->sub.n_values++] = v;
    return v;
}

static Socin__V1__DataValue *
s_delete (s_batch_t *b, const char *indicator, const char *unit, const char *period,
          const char *disaggregation)
{
    Socin__V1__DataValue *v = s_value (b, indicator, unit, period, disaggregation, "");
    v->delete_ = true;
    return v;
}

static Socin__V1__ParticipationEvent *
s_event (s_batch_t *b, const char *id, const char *unit, const char *date, int type,
         uint32_t participants)
{
    static Socin__V1__ParticipationEvent spare;
    Socin__V1__ParticipationEvent *e = &spare;
    size_t i = b->sub.n_events;
    CHECK (i < S_MAXE); /* a test with more events: raise S_MAXE */
    if (i < S_MAXE) e = &b->e[i];
    socin__v1__participation_event__init (e);
    e->event_id = (char *)id;
    e->unit = (char *)unit;
    e->date = (char *)date;
    e->type = (Socin__V1__EventType)type;
    e->topic = "housing";
    e->participants = participants;
    e->open_to_public = true;
    if (e != &spare) {
        e->vulnerable = b->gp[i];
        b->ep[b->sub.n_events++] = e;
    }
    return e;
}

static void
s_group (s_batch_t *b, Socin__V1__ParticipationEvent *e, const char *group, uint32_t participants)
{
    CHECK (e->vulnerable && e->n_vulnerable < 3);
    if (!e->vulnerable || e->n_vulnerable >= 3) return;
    size_t i = (size_t)(e - b->e);
    Socin__V1__GroupParticipants *g = &b->g[i][e->n_vulnerable];
    socin__v1__group_participants__init (g);
    g->group = (char *)group;
    g->participants = participants;
    b->gp[i][e->n_vulnerable++] = g;
}

/* Follows the sequence of change batches the CZ064 ingest answers with: each accepted
   submission that changed something carries the next one, without gaps. */
static void
s_track (const Socin__V1__ImportSummary *s)
{
    if (!s || s->replayed || s->dry_run || !s->source_seq) return;
    CHECK_INT (s->source_seq, s_batches + 1);
    s_batches = s->source_seq;
}

static Socin__V1__IngestReply *
s_request (socin_client_t *client, Socin__V1__IngestRequest *req)
{
    char err[512];
    Socin__V1__IngestReply *reply = (Socin__V1__IngestReply *)socin_client_call (
        client, &req->base, &socin__v1__ingest_reply__descriptor, 20000, err, sizeof err);
    if (!reply) fprintf (stderr, "    ingest call failed: %s\n", err);
    return reply;
}

static bool
s_utf8 (const char *text)
{
    size_t bad;
    return text && socin_utf8_valid (text, strlen (text), &bad);
}

/* Every text of a summary is valid UTF-8, whatever was sent: clients in other languages
   refuse to decode a string field that is not. */
static void
s_check_utf8 (const Socin__V1__ImportSummary *s)
{
    CHECK (s_utf8 (s->submission_id));
    CHECK (s_utf8 (s->source));
    if (s->error) CHECK (s_utf8 (s->error->message) && s_utf8 (s->error->field));
    for (size_t i = 0; i < s->n_conflicts; i++) {
        const Socin__V1__Conflict *c = s->conflicts[i];
        CHECK (s_utf8 (c->field) && s_utf8 (c->value) && s_utf8 (c->message));
    }
}

/* Sends the submission and returns the reply (free with s_free); its summary is
   REPLY->summary. */
static Socin__V1__IngestReply *
s_submit (socin_client_t *client, s_batch_t *b)
{
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = b->sub.submission_id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &b->sub;
    Socin__V1__IngestReply *reply = s_request (client, &req);
    CHECK (reply && reply->body_case == SOCIN__V1__INGEST_REPLY__BODY_SUMMARY);
    if (reply && reply->body_case == SOCIN__V1__INGEST_REPLY__BODY_SUMMARY) {
        if (s_utf8 (b->sub.submission_id)) {
            CHECK_STR (reply->request_id, b->sub.submission_id);
            CHECK_STR (reply->summary->submission_id, b->sub.submission_id);
        }
        s_check_utf8 (reply->summary);
        if (client != s_local2) s_track (reply->summary);
    }
    return reply;
}

static void
s_free (Socin__V1__IngestReply **reply)
{
    if (*reply) protobuf_c_message_free_unpacked (&(*reply)->base, NULL);
    *reply = NULL;
}

/* The summary's counts, all at once. */
#define CHECK_COUNTS(s, imp, upd, ign, del, rej)                                                   \
    do {                                                                                           \
        CHECK_INT ((s)->imported, imp);                                                            \
        CHECK_INT ((s)->updated, upd);                                                             \
        CHECK_INT ((s)->ignored, ign);                                                             \
        CHECK_INT ((s)->deleted, del);                                                             \
        CHECK_INT ((s)->rejected, rej);                                                            \
        CHECK_INT ((s)->n_conflicts, rej);                                                         \
    } while (0)

/* Checks that S has a conflict for item INDEX of KIND with CODE at FIELD, whose value is
   VALUE (as sent) and whose message contains FRAGMENT and, when given, FRAGMENT2. */
static void
s_conflict (const Socin__V1__ImportSummary *s, int kind, uint32_t index, int code,
            const char *field, const char *value, const char *fragment, const char *fragment2,
            int line)
{
    const char *what = kind == SOCIN__V1__ITEM_KIND__ITEM_KIND_VALUE ? "value" : "event";
    const Socin__V1__Conflict *c = NULL;
    int found = 0;
    for (size_t i = 0; s && i < s->n_conflicts; i++)
        if ((int)s->conflicts[i]->kind == kind && s->conflicts[i]->index == index) {
            c = s->conflicts[i];
            found++;
        }
    if (found != 1) {
        fprintf (stderr, "    line %d: %d conflicts for %s %u, expected one\n", line, found, what,
                 index);
        t_case_failed = 1;
        return;
    }
    int before = t_case_failed;
    t_case_failed = 0;
    if ((int)c->code != code) {
        fprintf (stderr, "    line %d: %s %u has code %s, expected %s (message: %s)\n", line, what,
                 index, socin_error_name ((int)c->code), socin_error_name (code), c->message);
        t_case_failed = 1;
    }
    CHECK_STR (c->field, field);
    if (value) CHECK_STR (c->value, value);
    CHECK_CONTAINS (c->message, fragment);
    if (fragment2) CHECK_CONTAINS (c->message, fragment2);
    if (t_case_failed)
        fprintf (stderr, "    line %d: (the conflict above is %s %u)\n", line, what, index);
    t_case_failed |= before;
}

#define CONFLICT(s, kind, index, code, field, value, fragment, fragment2)                          \
    s_conflict (s, SOCIN__V1__ITEM_KIND__ITEM_KIND_##kind, index, CODE (code), field, value,       \
                fragment, fragment2, __LINE__)

/* ---- cases ---- */

static void
test_valid_batch (void)
{
    long long values = s_values (s_ingest);
    s_batch_t b;
    s_batch (&b, "t1-valid");
    /* A total and its breakdowns are alternatives (shape.h): the total is another month's. */
    s_value (&b, "EMP_JOBSEEKERS", "582786", "202512", "", "2300");
    s_value (&b, "EMP_JOBSEEKERS", "582786", "202601", "sex=f", "1200");
    s_value (&b, "EMP_JOBSEEKERS", "582786", "202601", "sex=m", "1100");
    s_value (&b, "POP_15_64", "582786", "2025", "", "260000");
    s_value (&b, "SH_ARREARS_SHARE", "582786", "2025", "", "12.5")->comment =
        "from the housing department";
    s_value (&b, "MIG_INTERCULTURAL_WORKERS", "582786", "2025Q4", "", "2.25");
    Socin__V1__ParticipationEvent *e =
        s_event (&b, "t1-ev", "582786", "2026-02-10", EVENT (ROUND_TABLE), 25);
    s_group (&b, e, "roma", 3);
    s_group (&b, e, "children", 4);
    int64_t before = zclock_time ();
    Socin__V1__IngestReply *r = s_submit (s_local, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK_INT (s->status, STATUS (SUCCESS));
        CHECK_COUNTS (s, 7, 0, 0, 0, 0);
        CHECK_STR (s->source, "CZ064");
        CHECK_INT (s->source_seq, 1);
        CHECK (!s->replayed && !s->dry_run && !s->error);
        /* Accepted on the fixed day (SOCIN_TODAY), at the real time of day. */
        int64_t day = (int64_t)socin_date_from_ymd (2026, 3, 15) * 86400000;
        int64_t lo = day + before % 86400000 - 1000, hi = day + zclock_time () % 86400000 + 1000;
        CHECK (s->accepted_ms >= lo && s->accepted_ms <= hi);
    }
    s_free (&r);
    CHECK_INT (s_values (s_ingest), values + 6);
    CHECK_INT (s_ctl_field (s_ingest, "status", "events"), 1);
    CHECK_INT (s_last_seq (s_ingest), s_batches);
    char out[2048];
    s_ctl_history ("SH_ARREARS_SHARE 582786 2025", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 12.5 submitter=local submission=t1-valid");
    s_ctl_history ("EMP_JOBSEEKERS 582786 202601 sex=f", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 1200 submitter=local submission=t1-valid");
}

static void
test_resend_values (void)
{
    long long values = s_values (s_ingest);
    s_batch_t b;
    s_batch (&b, "t2-a");
    s_value (&b, "SS_CAPACITY", "582786", "2025Q4", "", "120");
    s_value (&b, "SH_FLATS", "582786", "2025Q4", "", "40");
    s_value (&b, "LP_MEETINGS", "582786", "2025Q4", "", "3");
    s_event (&b, "t2-ev", "582786", "2026-01-20", EVENT (PUBLIC_MEETING), 40);
    Socin__V1__IngestReply *r = s_submit (s_local, &b);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->status, STATUS (SUCCESS));
        CHECK_COUNTS (r->summary, 4, 0, 0, 0, 0);
    }
    s_free (&r);
    CHECK_INT (s_values (s_ingest), values + 3);

    /* The same values and event under a new id: nothing changes, no change batch. */
    uint64_t seq = s_batches;
    b.sub.submission_id = "t2-b";
    r = s_submit (s_local, &b);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->status, STATUS (SUCCESS));
        CHECK_COUNTS (r->summary, 0, 0, 4, 0, 0);
        CHECK_INT (r->summary->source_seq, 0);
        CHECK (!r->summary->replayed);
    }
    s_free (&r);
    CHECK_INT (s_last_seq (s_ingest), seq);

    /* One value the same, one changed, one deleted, one deletion of nothing; the event
       changed. */
    s_batch (&b, "t2-c");
    s_value (&b, "SS_CAPACITY", "582786", "2025Q4", "", "120");
    s_value (&b, "SH_FLATS", "582786", "2025Q4", "", "45");
    s_delete (&b, "LP_MEETINGS", "582786", "2025Q4", "");
    s_delete (&b, "LP_MEMBERS", "582786", "2025Q4", "");
    s_event (&b, "t2-ev", "582786", "2026-01-20", EVENT (PUBLIC_MEETING), 50);
    r = s_submit (s_local, &b);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->status, STATUS (SUCCESS));
        CHECK_COUNTS (r->summary, 0, 2, 2, 1, 0);
        CHECK_INT (r->summary->source_seq, seq + 1);
    }
    s_free (&r);
    CHECK_INT (s_values (s_ingest), values + 2);

    /* The event deleted, and a deletion of an event that never was. */
    s_batch (&b, "t2-d");
    s_event (&b, "t2-ev", "582786", "", 0, 0)->delete_ = true;
    s_event (&b, "t2-never", "582786", "", 0, 0)->delete_ = true;
    r = s_submit (s_local, &b);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->status, STATUS (SUCCESS));
        CHECK_COUNTS (r->summary, 0, 0, 1, 1, 0);
    }
    s_free (&r);
    CHECK_INT (s_ctl_field (s_ingest, "status", "events"), 1);

    char out[2048];
    s_ctl_history ("SH_FLATS 582786 2025Q4", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 40 submitter=local submission=t2-a");
    CHECK_CONTAINS (out, "40 -> 45 submitter=local submission=t2-c");
    CHECK_INT (s_lines (out), 2);
    s_ctl_history ("LP_MEETINGS 582786 2025Q4", out, sizeof out);
    CHECK_CONTAINS (out, "3 -> (deleted) submitter=local submission=t2-c");
    s_ctl_history ("LP_MEMBERS 582786 2025Q4", out, sizeof out);
    CHECK_CONTAINS (out, "no value was ever stored");
}

static void
test_conflicts (void)
{
    long long values = s_values (s_ingest);
    s_batch_t b;
    s_batch (&b, "t3-conflicts");
    /* values */
    s_value (&b, "PART_EVENTS", "582786", "202601", "", "3");                  /* 0 ok */
    s_value (&b, "PART_EVENTS", "999999", "202601", "", "1");                  /* 1 */
    s_value (&b, "NO_SUCH", "582786", "202601", "", "1");                      /* 2 */
    s_value (&b, "PART_EVENTS", "CZ064", "202601", "", "1");                   /* 3 */
    s_value (&b, "PART_EVENTS", "554782", "202601", "", "1");                  /* 4 */
    s_value (&b, "PART_EVENTS", "582786", "202513", "", "1");                  /* 5 */
    s_value (&b, "PART_EVENTS", "582786", "2025Q5", "", "1");                  /* 6 */
    s_value (&b, "PART_EVENTS", "582786", "2025W54", "", "1");                 /* 7 */
    s_value (&b, "PART_EVENTS", "582786", "2025Q3", "", "1");                  /* 8 */
    s_value (&b, "PART_EVENTS", "582786", "202401", "", "1");                  /* 9 */
    s_value (&b, "PART_EVENTS", "582786", "202704", "", "1");                  /* 10 */
    s_value (&b, "PART_EVENTS", "582786", "202602", "", "2.5");                /* 11 */
    s_value (&b, "PART_PLATFORM_VULNERABLE", "582786", "2024", "", "test");    /* 12 */
    s_value (&b, "PART_PARTICIPANTS", "582786", "202512", "", "12,5");         /* 13 */
    s_value (&b, "PART_PARTICIPANTS", "582786", "202511", "", "1e3");          /* 14 */
    s_value (&b, "PART_EVENTS", "582786", "202603", "", "10001");              /* 15 */
    s_value (&b, "PART_EVENTS", "582786", "202601", "color=red", "1");         /* 16 */
    s_value (&b, "PART_EVENTS", "582786", "202601", "event_type=picnic", "1"); /* 17 */
    s_value (&b, "PART_PARTICIPANTS", "582786", "202601", "", "40");           /* 18 ok */
    s_value (&b, "PART_PARTICIPANTS", "582786", "202601", "", "41");           /* 19 */
    s_value (&b, "EMP_SHARE", "582786", "202601", "", "5");                    /* 20 */
    s_value (&b, "", "582786", "202601", "", "5");                             /* 21 */
    s_value (&b, "PART_PARTICIPANTS", "582786", "202510", "", "");             /* 22 */
    s_value (&b, "PART_PLATFORM_VULNERABLE", "582786", "2025", "", "yes");     /* 23 ok */
    s_value (&b, "PART_EVENTS", "582786", "202507", "event_type=survey", "1"); /* 24 ok */
    static char comment[1002];
    memset (comment, 'x', 1001);
    s_value (&b, "PART_PARTICIPANTS", "582786", "202509", "", "1")->comment = comment; /* 25 */
    s_value (&b, "PART_PARTICIPANTS", "582786", "202508", "", "1")->comment =
        "bad \xc3\x28"; /* 26 */
    /* events */
    Socin__V1__ParticipationEvent *e =
        s_event (&b, "ev-1", "582786", "2026-02-10", EVENT (PUBLIC_MEETING), 30); /* 0 ok */
    s_group (&b, e, "roma", 5);
    s_event (&b, "ev-x1", "582786", "2026-02-10", 99, 10);                      /* 1 */
    s_event (&b, "ev-x2", "582786", "2025-02-30", EVENT (SURVEY), 10);          /* 2 */
    e = s_event (&b, "ev-x3", "582786", "2026-02-11", EVENT (FOCUS_GROUP), 10); /* 3 */
    s_group (&b, e, "roma", 11);
    s_event (&b, "ev-x4", "6203", "2026-02-11", EVENT (FOCUS_GROUP), 10);  /* 4 */
    s_event (&b, "ev-1", "582786", "2026-02-12", EVENT (ROUND_TABLE), 12); /* 5 */
    s_event (&b, "ev-x6", "582786", "2026-03-16", EVENT (SURVEY), 10);     /* 6 */
    s_event (&b, "ev-x7", "582786", "2024-01-02", EVENT (SURVEY), 10);     /* 7 */
    e = s_event (&b, "ev-x8", "582786", "2026-02-11", EVENT (SURVEY), 10); /* 8 */
    s_group (&b, e, "aliens", 1);
    s_event (&b, "", "582786", "2026-02-11", EVENT (SURVEY), 10);           /* 9 */
    s_event (&b, "ev-x10", "554782", "2026-02-11", EVENT (SURVEY), 10);     /* 10 */
    s_event (&b, "ev-2", "582786", "2026-03-01", EVENT (WORKING_GROUP), 8); /* 11 ok */
    e = s_event (&b, "ev-x12", "582786", "2026-02-11", EVENT (SURVEY), 10); /* 12 */
    s_group (&b, e, "r\xffma", 1);
    char long_id[80];
    memset (long_id, 'e', 65);
    long_id[65] = 0;
    s_event (&b, long_id, "582786", "2026-02-11", EVENT (SURVEY), 10); /* 13 */

    Socin__V1__IngestReply *r = s_submit (s_jmk, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (!s) return;
    CHECK_INT (s->status, STATUS (WARNING));
    CHECK_COUNTS (s, 6, 0, 0, 0, 23 + 12);
    CHECK_INT (s->source_seq, s_batches);
    CHECK_STR (s->source, "CZ064");

    CONFLICT (s, VALUE, 1, UNKNOWN_UNIT, "unit", "999999", "\"999999\"", NULL);
    CONFLICT (s, VALUE, 2, UNKNOWN_INDICATOR, "indicator", "NO_SUCH", "\"NO_SUCH\"", NULL);
    CONFLICT (s, VALUE, 3, INDICATOR_NOT_IN_DATASET, "indicator", "PART_EVENTS", "CZ064 (kraj",
              "DS_PARTICIPATION");
    CONFLICT (s, VALUE, 4, OUTSIDE_TERRITORY, "unit", "554782", "554782", "submitter jmk (CZ064)");
    CONFLICT (s, VALUE, 5, MALFORMED_PERIOD, "period", "202513", "202513",
              "month 13 does not exist");
    CONFLICT (s, VALUE, 6, MALFORMED_PERIOD, "period", "2025Q5", "2025Q5",
              "quarter 5 does not exist");
    CONFLICT (s, VALUE, 7, MALFORMED_PERIOD, "period", "2025W54", "2025W54",
              "week 54 does not exist");
    CONFLICT (s, VALUE, 8, WRONG_PERIOD_TYPE, "period", "2025Q3", "period 2025Q3 is quarterly",
              "PART_EVENTS is reported monthly");
    CONFLICT (s, VALUE, 9, PERIOD_LOCKED, "period", "202401",
              "period 202401 locked after 2026-01-30", "730");
    CONFLICT (s, VALUE, 10, FUTURE_PERIOD, "period", "202704", "period 202704 has not begun",
              "2026-03-15");
    CONFLICT (s, VALUE, 11, WRONG_VALUE_TYPE, "value", "2.5", "value 2.5 is not a whole number",
              NULL);
    CONFLICT (s, VALUE, 12, WRONG_VALUE_TYPE, "value", "test", "\"test\" is not a boolean", NULL);
    CONFLICT (s, VALUE, 13, MALFORMED_VALUE, "value", "12,5", "12,5", "not a number");
    CONFLICT (s, VALUE, 14, MALFORMED_VALUE, "value", "1e3", "1e3", "not a number");
    CONFLICT (s, VALUE, 15, VALUE_OUT_OF_RANGE, "value", "10001",
              "value 10001 is above the maximum 10000", NULL);
    CONFLICT (s, VALUE, 16, UNKNOWN_DISAGGREGATION, "disaggregation", "color=red",
              "'color' is not a dimension of PART_EVENTS", NULL);
    CONFLICT (s, VALUE, 17, UNKNOWN_DISAGGREGATION, "disaggregation", "event_type=picnic", "picnic",
              NULL);
    CONFLICT (s, VALUE, 19, DUPLICATE_KEY, "indicator", "PART_PARTICIPANTS", "item 18 has the same",
              "PART_PARTICIPANTS 582786 202601");
    CONFLICT (s, VALUE, 20, DERIVED_INDICATOR, "indicator", "EMP_SHARE", "EMP_SHARE is derived",
              "EMP_JOBSEEKERS");
    CONFLICT (s, VALUE, 21, MISSING_FIELD, "indicator", "", "indicator is empty", NULL);
    CONFLICT (s, VALUE, 22, MISSING_FIELD, "value", "", "value is empty", NULL);
    CONFLICT (s, VALUE, 25, FIELD_TOO_LONG, "comment", NULL, "comment has 1001 bytes; at most 1000",
              NULL);
    CONFLICT (s, VALUE, 26, INVALID_TEXT, "comment", "bad ", "comment is not valid UTF-8 (byte 5)",
              NULL);
    CONFLICT (s, EVENT, 1, UNKNOWN_EVENT_TYPE, "type", "99", "event type 99", "public_meeting (1)");
    CONFLICT (s, EVENT, 2, MALFORMED_DATE, "date", "2025-02-30", "2025-02-30", "28 days");
    CONFLICT (s, EVENT, 3, INCONSISTENT_COUNTS, "vulnerable", "11", "11 participants from roma",
              "10 participants");
    CONFLICT (s, EVENT, 4, WRONG_UNIT_LEVEL, "unit", "6203", "unit 6203 (orp",
              "municipality or city district");
    CONFLICT (s, EVENT, 5, DUPLICATE_KEY, "event_id", "ev-1",
              "event 0 has the same unit and event id", "582786 ev-1");
    CONFLICT (s, EVENT, 6, FUTURE_PERIOD, "date", "2026-03-16", "date 2026-03-16 is in the future",
              NULL);
    CONFLICT (s, EVENT, 7, PERIOD_LOCKED, "date", "2024-01-02", "2024-01-02", "730 days");
    CONFLICT (s, EVENT, 8, UNKNOWN_DISAGGREGATION, "vulnerable", "aliens",
              "\"aliens\" is not a target group", NULL);
    CONFLICT (s, EVENT, 9, MISSING_FIELD, "event_id", "", "event_id is empty", NULL);
    CONFLICT (s, EVENT, 10, OUTSIDE_TERRITORY, "unit", "554782", "554782", "submitter jmk");
    CONFLICT (s, EVENT, 12, INVALID_TEXT, "vulnerable", "r",
              "vulnerable is not valid UTF-8 (byte 2)", NULL);
    CONFLICT (s, EVENT, 13, FIELD_TOO_LONG, "event_id", long_id,
              "event_id has 65 bytes; at most 64", NULL);
    /* Values first, then events, each list in order. */
    for (size_t i = 1; i < s->n_conflicts; i++) {
        const Socin__V1__Conflict *p = s->conflicts[i - 1], *c = s->conflicts[i];
        CHECK (p->kind < c->kind || (p->kind == c->kind && p->index < c->index));
    }
    s_free (&r);

    /* The valid items are stored, nothing else. */
    CHECK_INT (s_values (s_ingest), values + 4);
    char out[2048];
    s_ctl_history ("PART_PARTICIPANTS 582786 202601", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 40 submitter=jmk submission=t3-conflicts");
    CHECK_INT (s_lines (out), 1);
    s_ctl_history ("PART_PLATFORM_VULNERABLE 582786 2025", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 1 submitter=jmk");
    s_ctl_history ("PART_EVENTS 582786 202507 event_type=survey", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 1 submitter=jmk");
    s_ctl_history ("PART_EVENTS 554782 202601", out, sizeof out);
    CHECK_CONTAINS (out, "no value was ever stored");

    /* Every item rejected: an error, and nothing changes. */
    s_batch (&b, "t3-all-bad");
    s_value (&b, "PART_EVENTS", "554782", "202601", "", "1");
    s_value (&b, "PART_EVENTS", "582786", "202601", "", "x");
    uint64_t seq = s_batches;
    r = s_submit (s_jmk, &b);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->status, STATUS (ERROR));
        CHECK_COUNTS (r->summary, 0, 0, 0, 0, 2);
        CHECK_INT (r->summary->source_seq, 0);
        CONFLICT (r->summary, VALUE, 0, OUTSIDE_TERRITORY, "unit", "554782", "554782", NULL);
        CONFLICT (r->summary, VALUE, 1, MALFORMED_VALUE, "value", "x", "\"x\"", NULL);
    }
    s_free (&r);
    CHECK_INT (s_last_seq (s_ingest), seq);
}

static void
test_ingest_territory (void)
{
    s_batch_t b;
    s_batch (&b, "t3-region");
    s_value (&b, "PART_EVENTS", "554821", "202601", "", "2");
    s_value (&b, "PART_EVENTS", "582786", "202601", "", "2");
    s_event (&b, "ev-brno", "582786", "2026-02-10", EVENT (SURVEY), 10);
    Socin__V1__IngestReply *r = s_submit (s_local2, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK_INT (s->status, STATUS (WARNING));
        CHECK_COUNTS (s, 1, 0, 0, 0, 2);
        CHECK_STR (s->source, "CZ080");
        CHECK_INT (s->source_seq, 1);
        CONFLICT (s, VALUE, 1, OUTSIDE_TERRITORY, "unit", "582786",
                  "unit 582786 (municipality Brno)", "the territory this ingest serves (CZ080)");
        CONFLICT (s, EVENT, 0, OUTSIDE_TERRITORY, "unit", "582786", "582786",
                  "this ingest serves (CZ080)");
    }
    s_free (&r);
}

static void
test_atomic (void)
{
    long long values = s_values (s_ingest);
    uint64_t seq = s_batches;
    s_batch_t b;
    s_batch (&b, "t4-atomic");
    b.sub.atomic = true;
    s_value (&b, "EMP_LONGTERM", "582786", "202512", "", "500");
    s_value (&b, "EMP_LONGTERM", "582786", "202601", "sex=f", "200");
    s_value (&b, "EMP_LONGTERM", "582786", "202601", "sex=m", "300");
    s_value (&b, "EMP_LONGTERM", "582786", "202602", "", "-1");
    s_event (&b, "t4-ev", "582786", "2026-02-14", EVENT (SURVEY), 100);
    Socin__V1__IngestReply *r = s_submit (s_local, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK_INT (s->status, STATUS (ERROR));
        CHECK_INT (s->imported + s->updated + s->ignored + s->deleted, 0);
        CHECK_INT (s->source_seq, 0);
        CONFLICT (s, VALUE, 3, VALUE_OUT_OF_RANGE, "value", "-1",
                  "value -1 is below the minimum 0 of EMP_LONGTERM", NULL);
    }
    s_free (&r);
    CHECK_INT (s_values (s_ingest), values);
    CHECK_INT (s_last_seq (s_ingest), seq);
    char out[2048];
    s_ctl_history ("EMP_LONGTERM 582786 202601", out, sizeof out);
    CHECK_CONTAINS (out, "no value was ever stored");
    long long events = s_ctl_field (s_ingest, "status", "events");

    /* Without the bad item, all of it goes in. */
    b.sub.submission_id = "t4-atomic-fixed";
    b.sub.n_values = 3;
    r = s_submit (s_local, &b);
    s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK_INT (s->status, STATUS (SUCCESS));
        CHECK_COUNTS (s, 4, 0, 0, 0, 0);
        CHECK_INT (s->source_seq, seq + 1);
    }
    s_free (&r);
    CHECK_INT (s_values (s_ingest), values + 3);
    CHECK_INT (s_ctl_field (s_ingest, "status", "events"), events + 1);
    s_ctl_history ("EMP_LONGTERM 582786 202601 sex=m", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 300 submitter=local submission=t4-atomic-fixed");
}

static void
test_dry_run (void)
{
    long long values = s_values (s_ingest);
    uint64_t seq = s_batches;
    s_batch_t b;
    s_batch (&b, "t5-dry");
    b.sub.dry_run = true;
    s_value (&b, "EDU_EARLY_LEAVERS", "582786", "2025", "sex=f", "3");
    s_value (&b, "EDU_EARLY_LEAVERS", "582786", "2025", "sex=m", "4");
    s_value (&b, "FIN_INCLUSION_SPENDING", "582786", "2025", "funding_source=own", "1500000.50");
    s_value (&b, "FIN_INCLUSION_SPENDING", "582786", "2025", "funding_source=lottery", "1");
    /* Already stored by the first case: would be ignored. */
    s_value (&b, "POP_15_64", "582786", "2025", "", "260000");
    Socin__V1__IngestReply *r = s_submit (s_local, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK (s->dry_run);
        CHECK (!s->replayed);
        CHECK_INT (s->source_seq, 0);
        CHECK_INT (s->status, STATUS (WARNING));
        CHECK_COUNTS (s, 3, 0, 1, 0, 1);
        CONFLICT (s, VALUE, 3, UNKNOWN_DISAGGREGATION, "disaggregation", "funding_source=lottery",
                  "lottery", NULL);
    }
    s_free (&r);
    CHECK_INT (s_values (s_ingest), values);
    CHECK_INT (s_last_seq (s_ingest), seq);
    char out[2048];
    s_ctl_history ("EDU_EARLY_LEAVERS 582786 2025 sex=f", out, sizeof out);
    CHECK_CONTAINS (out, "no value was ever stored");

    /* The real submission with the same id is not a resend of the dry run. */
    b.sub.dry_run = false;
    r = s_submit (s_local, &b);
    s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK (!s->dry_run && !s->replayed);
        CHECK_INT (s->status, STATUS (WARNING));
        CHECK_COUNTS (s, 3, 0, 1, 0, 1);
        CHECK_INT (s->source_seq, seq + 1);
    }
    s_free (&r);
    CHECK_INT (s_values (s_ingest), values + 3);
    s_ctl_history ("FIN_INCLUSION_SPENDING 582786 2025 funding_source=own", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 1500000.5 submitter=local submission=t5-dry");
}

static void
test_resend_id (void)
{
    s_batch_t b;
    s_batch (&b, "t6-once");
    s_value (&b, "SS_WAIT_DAYS_MAX", "582786", "2025Q4", "", "30");
    s_value (&b, "SH_HOUSEHOLDS", "582786", "2025Q4", "target_group=roma", "12");
    s_value (&b, "SH_HOUSEHOLDS", "582786", "2025Q4", "target_group=narnians", "1");
    Socin__V1__IngestReply *first = s_submit (s_local, &b);
    CHECK (first && first->summary);
    if (!first || !first->summary) return;
    CHECK_INT (first->summary->status, STATUS (WARNING));
    CHECK_COUNTS (first->summary, 2, 0, 0, 0, 1);
    long long values = s_values (s_ingest);
    uint64_t seq = s_batches;

    /* Twice more, the same: the stored summary, with replayed set; nothing changes. */
    for (int i = 0; i < 2; i++) {
        Socin__V1__IngestReply *r = s_submit (s_local, &b);
        Socin__V1__ImportSummary *s = r ? r->summary : NULL;
        CHECK (s != NULL);
        if (s) {
            CHECK (s->replayed);
            CHECK_INT (s->status, STATUS (WARNING));
            CHECK_COUNTS (s, 2, 0, 0, 0, 1);
            CHECK_INT (s->source_seq, first->summary->source_seq);
            CHECK_INT (s->accepted_ms, first->summary->accepted_ms);
            CHECK_STR (s->source, "CZ064");
            CONFLICT (s, VALUE, 2, UNKNOWN_DISAGGREGATION, "disaggregation",
                      "target_group=narnians", "narnians", NULL);
        }
        s_free (&r);
    }
    CHECK_INT (s_values (s_ingest), values);
    CHECK_INT (s_last_seq (s_ingest), seq);
    char out[2048];
    s_ctl_history ("SS_WAIT_DAYS_MAX 582786 2025Q4", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 30 submitter=local submission=t6-once");
    CHECK_INT (s_lines (out), 1);

    /* The same id with other content is refused, and changes nothing. */
    b.v[0].value = "31";
    Socin__V1__IngestReply *r = s_submit (s_local, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s && s->error);
    if (s && s->error) {
        CHECK_INT (s->status, STATUS (ERROR));
        CHECK_INT (s->error->code, CODE (SUBMISSION_ID_REUSED));
        CHECK_CONTAINS (s->error->message, "submission id t6-once was used before by local");
        CHECK (!s->replayed);
        CHECK_COUNTS (s, 0, 0, 0, 0, 0);
    }
    s_free (&r);
    CHECK_INT (s_last_seq (s_ingest), seq);
    s_ctl_history ("SS_WAIT_DAYS_MAX 582786 2025Q4", out, sizeof out);
    CHECK_INT (s_lines (out), 1);
    CHECK_CONTAINS (out, "-> 30 ");

    /* Sent twice more while the first is still in flight, and once with other content:
       one is applied, the other gets its summary replayed, the third is refused. */
    s_batch (&b, "t6-in-flight");
    s_value (&b, "SS_WAIT_DAYS_MAX", "582786", "2025Q2", "", "14");
    s_batch_t other;
    s_batch (&other, "t6-in-flight");
    s_value (&other, "SS_WAIT_DAYS_MAX", "582786", "2025Q2", "", "15");
    s_batch_t *sends[] = {&b, &b, &other};
    for (int i = 0; i < 3; i++) {
        Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
        req.request_id = "t6-in-flight";
        req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
        req.submission = &sends[i]->sub;
        CHECK_INT (socin_client_send (s_local, &req.base), 0);
    }
    int applied = 0, replayed = 0, reused = 0;
    uint64_t seqs[2] = {0};
    for (int i = 0; i < 3; i++) {
        char err[512];
        r = (Socin__V1__IngestReply *)socin_client_recv (
            s_local, &socin__v1__ingest_reply__descriptor, 20000, err, sizeof err);
        s = r ? r->summary : NULL;
        CHECK (s != NULL);
        if (s && s->error && s->error->code == CODE (SUBMISSION_ID_REUSED))
            reused++;
        else if (s && !s->error) {
            CHECK_COUNTS (s, 1, 0, 0, 0, 0);
            if (s->replayed)
                seqs[1] = s->source_seq, replayed++;
            else
                seqs[0] = s->source_seq, applied++;
        }
        s_free (&r);
    }
    CHECK (applied == 1 && replayed == 1 && reused == 1);
    CHECK_INT (seqs[0], s_batches + 1);
    CHECK_INT (seqs[1], seqs[0]);
    s_batches = seqs[0];
    CHECK_INT (s_last_seq (s_ingest), s_batches);
    s_ctl_history ("SS_WAIT_DAYS_MAX 582786 2025Q2", out, sizeof out);
    CHECK_INT (s_lines (out), 1);
    CHECK_CONTAINS (out, "(none) -> 14 submitter=local submission=t6-in-flight");

    /* Submission ids are per submitter: jmk may use the same one. */
    s_batch (&b, "t6-once");
    s_value (&b, "SS_WAIT_DAYS_MAX", "582786", "2025Q3", "", "10");
    r = s_submit (s_jmk, &b);
    s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK (!s->replayed && !s->error);
        CHECK_COUNTS (s, 1, 0, 0, 0, 0);
    }
    s_free (&r);
    s_free (&first);
}

static void
test_bad_ids (void)
{
    long long refused = s_ctl_field (s_ingest, "stats", "refused");
    char long_id[80];
    memset (long_id, 'a', 65);
    long_id[65] = 0;
    const char *ids[] = {"", long_id, "bad id!", "tab\there", "č-id", "ab\xff\xfe"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        s_batch_t b;
        s_batch (&b, ids[i]);
        s_value (&b, "PART_EVENTS", "582786", "202512", "", "1");
        Socin__V1__IngestReply *r = s_submit (s_local, &b);
        Socin__V1__ImportSummary *s = r ? r->summary : NULL;
        CHECK (s && s->error);
        if (s && s->error) {
            CHECK_INT (s->status, STATUS (ERROR));
            CHECK_INT (s->error->code, CODE (BAD_SUBMISSION_ID));
            char want[120];
            snprintf (want, sizeof want, "submission_id \"%s\"", s_utf8 (ids[i]) ? ids[i] : "ab");
            CHECK_CONTAINS (s->error->message, want);
            CHECK_CONTAINS (s->error->message, "1 to 64 characters");
            CHECK_COUNTS (s, 0, 0, 0, 0, 0);
        }
        s_free (&r);
    }
    /* 64 characters of every allowed kind is fine. */
    char ok_id[80];
    snprintf (ok_id, sizeof ok_id, "%s", "Az09._:-");
    while (strlen (ok_id) < 64)
        strcat (ok_id, "x");
    s_batch_t b;
    s_batch (&b, ok_id);
    s_value (&b, "PART_EVENTS", "582786", "202512", "", "1");
    Socin__V1__IngestReply *r = s_submit (s_local, &b);
    CHECK (r && r->summary && !r->summary->error);
    if (r && r->summary) CHECK_COUNTS (r->summary, 1, 0, 0, 0, 0);
    s_free (&r);
    CHECK_INT (s_ctl_field (s_ingest, "stats", "refused"), refused + 6);
}

static void
test_batch_too_large (void)
{
    s_batch_t b;
    s_batch (&b, "t7-eleven");
    static const char *months[] = {"202501", "202502", "202503", "202504", "202505", "202506",
                                   "202507", "202508", "202509", "202510", "202511"};
    for (int i = 0; i < 10; i++)
        s_value (&b, "PART_EVENTS", "554821", months[i], "", "1");
    s_event (&b, "t7-ev", "554821", "2026-02-01", EVENT (SURVEY), 10);
    Socin__V1__IngestReply *r = s_submit (s_local2, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s && s->error);
    if (s && s->error) {
        CHECK_INT (s->status, STATUS (ERROR));
        CHECK_INT (s->error->code, CODE (BATCH_TOO_LARGE));
        CHECK_CONTAINS (s->error->message, "the submission has 11 items; at most 10 are accepted");
        CHECK_COUNTS (s, 0, 0, 0, 0, 0);
    }
    s_free (&r);
    CHECK_INT (s_values (s_ingest2), 1);
    /* Ten is the limit, and allowed. */
    b.sub.submission_id = "t7-ten";
    b.sub.n_events = 0;
    r = s_submit (s_local2, &b);
    s = r ? r->summary : NULL;
    CHECK (s && !s->error);
    if (s) {
        CHECK_INT (s->status, STATUS (SUCCESS));
        CHECK_COUNTS (s, 10, 0, 0, 0, 0);
    }
    s_free (&r);
    CHECK_INT (s_values (s_ingest2), 11);
}

/* Sends FRAME's bytes as they are, on a DEALER with local's key, and returns the answer. */
static Socin__V1__IngestReply *
s_raw (const void *data, size_t len)
{
    char err[512], server[SOCIN_KEY_LEN + 1];
    Socin__V1__IngestReply *reply = NULL;
    if (socin_keys_public (s_key1, server, err, sizeof err)) {
        fprintf (stderr, "    %s\n", err);
        return NULL;
    }
    zcert_t *cert = zcert_load (s_admin_cert);
    zsock_t *sock =
        cert ? socin_wire_connect (ZMQ_DEALER, s_ep1, cert, server, 0, err, sizeof err) : NULL;
    if (!sock) {
        fprintf (stderr, "    raw connection failed: %s\n", cert ? err : "no key");
        zcert_destroy (&cert);
        return NULL;
    }
    zframe_t *frame = zframe_new (data, len);
    zframe_send (&frame, sock, 0);
    zmq_pollitem_t item = {zsock_resolve (sock), 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, 10000) == 1) {
        zframe_t *answer = zframe_recv (sock);
        if (answer)
            reply =
                socin__v1__ingest_reply__unpack (NULL, zframe_size (answer), zframe_data (answer));
        zframe_destroy (&answer);
    } else
        fprintf (stderr, "    no answer to the raw frame\n");
    zsock_destroy (&sock);
    zcert_destroy (&cert);
    return reply;
}

static void
test_garbage (void)
{
    /* Plain text, and a protobuf field whose length runs past the end. */
    static const char text[] = "this is not protobuf";
    static const unsigned char cut[] = {0x0a, 0x10, 'a', 'b', 'c'};
    const void *frames[] = {text, cut};
    size_t sizes[] = {sizeof text - 1, sizeof cut};
    for (int i = 0; i < 2; i++) {
        Socin__V1__IngestReply *r = s_raw (frames[i], sizes[i]);
        CHECK (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR);
        if (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR) {
            CHECK_INT (r->error->code, CODE (MALFORMED_MESSAGE));
            CHECK_CONTAINS (r->error->message, "socin.v1.IngestRequest");
        }
        s_free (&r);
    }
    /* A request with no body. */
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = "t7-nobody";
    Socin__V1__IngestReply *r = s_request (s_local, &req);
    CHECK (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR);
    if (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR) {
        CHECK_STR (r->request_id, "t7-nobody");
        CHECK_INT (r->error->code, CODE (UNSUPPORTED));
    }
    s_free (&r);
    /* Still serving. */
    s_batch_t b;
    s_batch (&b, "t7-after-garbage");
    s_value (&b, "PART_EVENTS", "582786", "202511", "", "2");
    r = s_submit (s_local, &b);
    CHECK (r && r->summary && r->summary->imported == 1);
    s_free (&r);
}

static void
test_message_too_large (void)
{
    /* 100 kB: above the small ingest's --max-message 64K, below the 256 kB at which libzmq
       drops the connection. */
    size_t len = 100000;
    char *comment = malloc (len + 1);
    memset (comment, 'c', len);
    comment[len] = 0;
    s_batch_t b;
    s_batch (&b, "t7-huge");
    s_value (&b, "PART_EVENTS", "554821", "202512", "", "1")->comment = comment;
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = b.sub.submission_id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &b.sub;
    Socin__V1__IngestReply *r = s_request (s_local2, &req);
    Socin__V1__Error *error = NULL;
    if (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR) error = r->error;
    if (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_SUMMARY) error = r->summary->error;
    CHECK (error != NULL);
    if (error) {
        CHECK_INT (error->code, CODE (MESSAGE_TOO_LARGE));
        CHECK_CONTAINS (error->message, "at most 65536 are accepted");
    }
    s_free (&r);
    free (comment);
    CHECK_INT (s_values (s_ingest2), 11);
    /* Still serving, on the same connection. */
    s_batch (&b, "t7-after-huge");
    s_value (&b, "PART_EVENTS", "554821", "202512", "", "1");
    r = s_submit (s_local2, &b);
    CHECK (r && r->summary && r->summary->imported == 1);
    s_free (&r);
}

static void
test_unknown_key (void)
{
    char path[400], err[512];
    snprintf (path, sizeof path, "%s/stranger.cert", s_home);
    zcert_t *cert = zcert_new ();
    CHECK_INT (zcert_save (cert, path), 0);
    zcert_destroy (&cert);
    socin_client_t *client = socin_client_new (s_ep1, s_key1, path, 0, err, sizeof err);
    CHECK (client != NULL);
    if (!client) return;
    s_batch_t b;
    s_batch (&b, "t8-stranger");
    s_value (&b, "PART_EVENTS", "582786", "202510", "", "1");
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = "t8-stranger";
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &b.sub;
    long long values = s_values (s_ingest);
    ProtobufCMessage *none = socin_client_call (
        client, &req.base, &socin__v1__ingest_reply__descriptor, 1500, err, sizeof err);
    CHECK (none == NULL);
    if (none) protobuf_c_message_free_unpacked (none, NULL);
    socin_client_destroy (&client);
    CHECK_INT (s_values (s_ingest), values);
}

/* A new submitter NAME for Brno alone (data set DS_PARTICIPATION), its key in KEY, known to
   the ingest; a client of the CZ064 ingest with it, or NULL. */
static socin_client_t *
s_brno_submitter (const char *name, char key[SOCIN_KEY_LEN + 1])
{
    char path[400], err[512];
    snprintf (path, sizeof path, "%s/%s.cert", s_home, name);
    zcert_t *cert = zcert_new ();
    CHECK_INT (zcert_save (cert, path), 0);
    snprintf (key, SOCIN_KEY_LEN + 1, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
    CHECK_INT (s_put_submitter (name, key, "582786", "DS_PARTICIPATION", false), 0);
    CHECK (t_wait_replica (s_ingest, s_registry, 20000));
    socin_client_t *client = socin_client_new (s_ep1, s_key1, path, 0, err, sizeof err);
    CHECK (client != NULL);
    return client;
}

static void
test_disabled (void)
{
    /* A submitter for Brno alone. */
    char path[400], err[512], key[SOCIN_KEY_LEN + 1];
    snprintf (path, sizeof path, "%s/brno.cert", s_home);
    socin_client_t *client = s_brno_submitter ("brno", key);
    if (!client) return;
    s_batch_t b;
    s_batch (&b, "t8-brno");
    s_value (&b, "PART_EVENTS", "582786", "202509", "", "4");
    s_value (&b, "PART_EVENTS", "581283", "202509", "", "4");
    s_value (&b, "EMP_JOBSEEKERS", "582786", "202509", "", "2000");
    Socin__V1__IngestReply *r = s_submit (client, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK_COUNTS (s, 1, 0, 0, 0, 2);
        CONFLICT (s, VALUE, 2, DATASET_NOT_ALLOWED, "indicator", "EMP_JOBSEEKERS",
                  "submitter brno may not report data set DS_EMPLOYMENT", "EMP_JOBSEEKERS");
        CONFLICT (s, VALUE, 1, OUTSIDE_TERRITORY, "unit", "581283", "581283 (municipality Blansko)",
                  "submitter brno (582786)");
    }
    s_free (&r);

    /* Disabled: what it sends on its open connection is refused, a new one cannot connect. */
    CHECK_INT (s_put_submitter ("brno", key, "582786", "DS_PARTICIPATION", true), 0);
    CHECK (t_wait_replica (s_ingest, s_registry, 20000));
    long long values = s_values (s_ingest);
    s_batch (&b, "t8-brno-disabled");
    s_value (&b, "PART_EVENTS", "582786", "202508", "", "4");
    r = s_submit (client, &b);
    s = r ? r->summary : NULL;
    CHECK (s && s->error);
    if (s && s->error) {
        CHECK_INT (s->status, STATUS (ERROR));
        CHECK_INT (s->error->code, CODE (PERMISSION_DENIED));
        CHECK_CONTAINS (s->error->message, key);
    }
    s_free (&r);
    socin_client_destroy (&client);
    client = socin_client_new (s_ep1, s_key1, path, 0, err, sizeof err);
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = "t8-brno-new";
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    b.sub.submission_id = "t8-brno-new";
    req.submission = &b.sub;
    ProtobufCMessage *none =
        client ? socin_client_call (client, &req.base, &socin__v1__ingest_reply__descriptor, 1500,
                                    err, sizeof err)
               : NULL;
    CHECK (client && none == NULL);
    if (none) protobuf_c_message_free_unpacked (none, NULL);
    socin_client_destroy (&client);
    CHECK_INT (s_values (s_ingest), values);
}

#define S_FLIGHT 400 /* submissions in flight when their submitter is disabled */

/* Submissions in flight while the registry disables their submitter: each is judged by the
   registry as the ingest holds it when the submission is applied (the ingest's checker
   validates ahead of the commit; a submission it checked before the change is checked
   again), so those applied all come before those refused, every refusal stores nothing, and
   the ingest serves on. Under AddressSanitizer this also proves that no submission is applied
   with the submitter record the change replaced (and freed). */
static void
test_change_in_flight (void)
{
    char err[512], key[SOCIN_KEY_LEN + 1];
    socin_client_t *client = s_brno_submitter ("flight", key);
    if (!client) return;
    /* One submission first, so that the connection is up when the flight is sent. */
    s_batch_t warm;
    s_batch (&warm, "flight-warm");
    s_value (&warm, "PART_EVENTS", "582786", "202312", "", "1");
    Socin__V1__IngestReply *wr = s_submit (client, &warm);
    CHECK (wr && wr->summary && !wr->summary->error);
    s_free (&wr);
    long long seq_before = s_last_seq (s_ingest);
    /* Each submission: eleven months of 2025 for Brno, with its own value (July holds values
       by event type, which a total would contradict). */
    static char ids[S_FLIGHT][32], vals[S_FLIGHT][16], periods[11][16];
    for (int m = 0; m < 11; m++)
        snprintf (periods[m], sizeof periods[m], "2025%02d", m < 6 ? m + 1 : m + 2);
    int sent = 0;
    for (int i = 0; i < S_FLIGHT; i++) {
        snprintf (ids[i], sizeof ids[i], "flight-%d", i);
        snprintf (vals[i], sizeof vals[i], "%d", 100 + i);
        s_batch_t b;
        s_batch (&b, ids[i]);
        for (int m = 0; m < 11; m++)
            s_value (&b, "PART_EVENTS", "582786", periods[m], "", vals[i]);
        Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
        req.request_id = ids[i];
        req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
        req.submission = &b.sub;
        zframe_t *frame = zframe_new (NULL, socin__v1__ingest_request__get_packed_size (&req));
        socin__v1__ingest_request__pack (&req, zframe_data (frame));
        sent += socin_client_send_frame (client, &frame) == 0;
    }
    CHECK_INT (sent, S_FLIGHT);
    /* The change is made once the first answer is back, while the rest are in flight. */
    int accepted = 0, refused = 0, other = 0, last_accepted = -1, first_refused = S_FLIGHT;
    for (int k = 0; k < S_FLIGHT; k++) {
        if (k == 1)
            CHECK_INT (s_put_submitter ("flight", key, "582786", "DS_PARTICIPATION", true), 0);
        Socin__V1__IngestReply *r = (Socin__V1__IngestReply *)socin_client_recv (
            client, &socin__v1__ingest_reply__descriptor, 20000, err, sizeof err);
        const Socin__V1__ImportSummary *s = r ? r->summary : NULL;
        int i = s ? atoi (s->submission_id + strlen ("flight-")) : -1;
        if (s && !s->error && s->status == STATUS (SUCCESS) && s->updated + s->imported == 11) {
            accepted++;
            if (i > last_accepted) last_accepted = i;
        } else if (s && s->error && s->error->code == CODE (PERMISSION_DENIED)) {
            refused++;
            if (i < first_refused) first_refused = i;
        } else {
            other++;
            printf ("    unexpected answer to %s: status %d, imported %u updated %u ignored %u, "
                    "error %s\n",
                    s ? s->submission_id : "(none)", s ? (int)s->status : -1,
                    s ? s->imported : 0, s ? s->updated : 0, s ? s->ignored : 0,
                    s && s->error ? s->error->message : (r ? "-" : err));
        }
        s_free (&r);
    }
    printf ("    %d applied before the change reached the ingest, %d refused after\n", accepted,
            refused);
    CHECK_INT (other, 0);
    CHECK_INT (accepted + refused, S_FLIGHT);
    CHECK (last_accepted < first_refused);
    /* Each applied submission made one change batch; the refused made none. */
    CHECK_INT (s_last_seq (s_ingest) - seq_before, accepted);
    if (accepted) {
        static char hist[200000];
        char want[96];
        s_ctl_history ("PART_EVENTS 582786 202512", hist, sizeof hist);
        /* One change per applied submission, the last applied the latest. */
        int changes = 0;
        const char *last = hist;
        for (const char *p = hist; (p = strstr (p, "submission=flight-")); p++)
            changes++;
        for (const char *p = hist; *p; p++)
            if (*p == '\n' && p[1]) last = p + 1;
        snprintf (want, sizeof want, "-> %d submitter=flight submission=flight-%d", 100 + last_accepted,
                  last_accepted);
        CHECK_CONTAINS (last, want);
        CHECK_INT (changes, accepted);
    }
    s_batches = (uint64_t)s_last_seq (s_ingest);
    socin_client_destroy (&client);
    /* The ingest serves on. */
    s_batch_t b;
    s_batch (&b, "t-flight-after");
    s_value (&b, "PART_EVENTS", "582786", "202410", "", "7");
    Socin__V1__IngestReply *r = s_submit (s_local, &b);
    CHECK (r && r->summary && !r->summary->error);
    s_free (&r);
}

static void
test_durability (void)
{
    s_batch_t b;
    s_batch (&b, "t9-durable");
    s_value (&b, "MIG_LANG_PARTICIPANTS", "582786", "2025Q4", "sex=f", "12");
    s_value (&b, "MIG_LANG_PARTICIPANTS", "582786", "2025Q4", "sex=m", "9");
    s_event (&b, "t9-ev", "582786", "2026-03-14", EVENT (FAMILY_INTERVIEWS), 6);
    Socin__V1__IngestReply *first = s_submit (s_local, &b);
    CHECK (first && first->summary);
    if (!first || !first->summary) return;
    CHECK_COUNTS (first->summary, 3, 0, 0, 0, 0);
    long long values = s_values (s_ingest), events = s_ctl_field (s_ingest, "status", "events");

    /* Answered means durable: killed at once, it still has everything. */
    t_kill9 (s_ingest);
    CHECK_INT (t_restart (s_ingest), 0);
    CHECK_INT (s_values (s_ingest), values);
    CHECK_INT (s_ctl_field (s_ingest, "status", "events"), events);
    char out[2048];
    s_ctl_history ("MIG_LANG_PARTICIPANTS 582786 2025Q4 sex=f", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 12 submitter=local submission=t9-durable");
    t_ctl (s_ingest->ctl, "backlog", out, sizeof out);
    CHECK_INT (t_field (out, "last_seq"), s_batches);
    CHECK_INT (t_field (out, "acked_seq"), 0);
    CHECK_INT (t_field (out, "backlog_batches"), s_batches);

    /* The resend finds the stored summary. */
    Socin__V1__IngestReply *r = s_submit (s_local, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK (s->replayed);
        CHECK_COUNTS (s, 3, 0, 0, 0, 0);
        CHECK_INT (s->source_seq, first->summary->source_seq);
    }
    s_free (&r);
    s_free (&first);
    CHECK_INT (s_last_seq (s_ingest), s_batches);
}

#define S_CLIENTS   8
#define S_IN_FLIGHT 20
#define S_PER_BATCH 5

/* The units test_concurrency writes to, one per client. */
static const char *s_concurrency_units[S_CLIENTS] = {"582786", "554782", "554821", "581283",
                                                     "584291", "586021", "592889", "593711"};

static void
test_concurrency (void)
{
    static const char *disaggs[S_PER_BATCH] = {"target_group=disabled", "target_group=roma",
                                               "target_group=migrants", "target_group=children",
                                               "target_group=seniors"};
    long long values = s_values (s_ingest);
    long long groups = s_ctl_field (s_ingest, "stats", "group_commits");
    long long submissions = s_ctl_field (s_ingest, "stats", "submissions");
    long long swept = s_ctl_field (s_ingest, "stats", "swept_submissions");
    long long redone = s_ctl_field (s_ingest, "stats", "sweeps_redone");
    socin_client_t *clients[S_CLIENTS] = {NULL};
    char err[512];
    for (int c = 0; c < S_CLIENTS; c++) {
        clients[c] = socin_client_new (s_ep1, s_key1, s_admin_cert, 0, err, sizeof err);
        CHECK (clients[c] != NULL);
        if (!clients[c]) goto done;
    }
    /* Every client sends all its submissions before it reads any answer. */
    static s_batch_t batches[S_CLIENTS][S_IN_FLIGHT];
    static char ids[S_CLIENTS][S_IN_FLIGHT][32], periods[S_IN_FLIGHT][32],
        values_text[S_PER_BATCH][32];
    for (int i = 0; i < S_PER_BATCH; i++)
        snprintf (values_text[i], sizeof values_text[i], "%d", 10 + i);
    for (int k = 0; k < S_IN_FLIGHT; k++) /* 202406 .. 202601 */
        snprintf (periods[k], sizeof periods[k], "%d%02d", 2024 + (5 + k) / 12, (5 + k) % 12 + 1);
    for (int k = 0; k < S_IN_FLIGHT; k++)
        for (int c = 0; c < S_CLIENTS; c++) {
            s_batch_t *b = &batches[c][k];
            snprintf (ids[c][k], sizeof ids[c][k], "c%d-s%02d", c, k);
            s_batch (b, ids[c][k]);
            for (int i = 0; i < S_PER_BATCH; i++)
                s_value (b, "PART_VULNERABLE", s_concurrency_units[c], periods[k], disaggs[i],
                         values_text[i]);
            Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
            req.request_id = ids[c][k];
            req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
            req.submission = &b->sub;
            CHECK_INT (socin_client_send (clients[c], &req.base), 0);
        }
    unsigned imported = 0, other = 0, answers = 0;
    bool seen[S_CLIENTS * S_IN_FLIGHT] = {false};
    uint64_t lo = s_batches + 1, hi = s_batches + S_CLIENTS * S_IN_FLIGHT;
    for (int c = 0; c < S_CLIENTS; c++)
        for (int k = 0; k < S_IN_FLIGHT; k++) {
            Socin__V1__IngestReply *r = (Socin__V1__IngestReply *)socin_client_recv (
                clients[c], &socin__v1__ingest_reply__descriptor, 20000, err, sizeof err);
            CHECK (r && r->summary);
            if (!r || !r->summary) {
                fprintf (stderr, "    client %d, answer %d: %s\n", c, k, r ? "not a summary" : err);
                s_free (&r);
                continue;
            }
            Socin__V1__ImportSummary *s = r->summary;
            answers++;
            CHECK (!strncmp (s->submission_id, ids[c][0], 3));
            CHECK_INT (s->status, STATUS (SUCCESS));
            CHECK (!s->replayed);
            imported += s->imported;
            other += s->updated + s->ignored + s->deleted + s->rejected;
            CHECK (s->source_seq >= lo && s->source_seq <= hi);
            if (s->source_seq >= lo && s->source_seq <= hi) {
                CHECK (!seen[s->source_seq - lo]);
                seen[s->source_seq - lo] = true;
            }
            s_free (&r);
        }
    CHECK_INT (answers, S_CLIENTS * S_IN_FLIGHT);
    CHECK_INT (imported, S_CLIENTS * S_IN_FLIGHT * S_PER_BATCH);
    CHECK_INT (other, 0);
    s_batches = hi;
    CHECK_INT (s_values (s_ingest), values + S_CLIENTS * S_IN_FLIGHT * S_PER_BATCH);
    CHECK_INT (s_last_seq (s_ingest), s_batches);
    long long ngroups = s_ctl_field (s_ingest, "stats", "group_commits") - groups;
    CHECK (ngroups >= 1 && ngroups <= S_CLIENTS * S_IN_FLIGHT);
    if (getenv ("T_VERBOSE"))
        fprintf (stderr, "    %lld group commits for %d submissions\n", ngroups,
                 S_CLIENTS * S_IN_FLIGHT);
    CHECK_INT (s_ctl_field (s_ingest, "stats", "submissions") - submissions,
               S_CLIENTS * S_IN_FLIGHT);
    /* Every group of more than one was swept (each submission changes something and fits one
       batch, so each sweep foresaw its batches): at least all but one of each group's. */
    CHECK (s_ctl_field (s_ingest, "stats", "swept_submissions") - swept >=
           S_CLIENTS * S_IN_FLIGHT - ngroups);
    CHECK_INT (s_ctl_field (s_ingest, "stats", "sweeps_redone"), redone);
    char out[2048];
    s_ctl_history ("PART_VULNERABLE 593711 202601 target_group=seniors", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 14 submitter=local submission=c7-s19");
done:
    for (int c = 0; c < S_CLIENTS; c++)
        socin_client_destroy (&clients[c]);
}

/* ---- cases: groups bounded by the pages they dirty ---- */

#define S_GROUP_PAGES 20 /* the ingest's group_pages here */
#define S_STR_(x)     #x
#define S_STR(x)      S_STR_ (x)
#define S_SCATTERED   8   /* scattered submissions sent at once */
#define S_SCATTER_N   30  /* values in each, every one a run of its own */

/* The embedded sample territory's municipalities (its rows "code,municipality,name,parents,
   kind,population") but the military district and the NSKIP codes SKIP, malloc'ed, their
   count in *N (NULL when the file is unreadable). */
static char (*s_sample_units (size_t *n, const char *const *skip, size_t nskip))[16]
{
    char path[600];
    const char *root = getenv ("SOCIN_ROOT");
    snprintf (path, sizeof path, "%s/services/registry/data/sample_territory.csv",
              root ? root : ".");
    size_t len;
    char *data = t_read_file (path, &len);
    *n = 0;
    if (!data) return NULL;
    char (*codes)[16] = calloc (200, sizeof *codes);
    socin_csv_t *csv = socin_csv_new (data, len);
    char **f, err[256];
    size_t nf;
    while (*n < 200 && socin_csv_next (csv, &f, &nf, err, sizeof err) == 1) {
        bool keep = nf == 6 && !strcmp (f[1], "municipality") &&
                    strcmp (f[4], "Vojenský újezd") && strlen (f[0]) < sizeof *codes;
        for (size_t i = 0; keep && i < nskip; i++)
            keep = strcmp (f[0], skip[i]) != 0;
        if (keep) snprintf (codes[(*n)++], sizeof *codes, "%s", f[0]);
    }
    socin_csv_destroy (&csv);
    free (data);
    return codes;
}

/* A submission of N values of PART_VULNERABLE for DISAGG, the Ith in unit UNITS[I % NUNITS]
   and the month 202404 + I / NUNITS (I from FROM on), each valued by its place; freed by
   s_pop_free. */
typedef struct {
    Socin__V1__Submission sub;
    Socin__V1__DataValue *v, **vp;
    char (*text)[16], (*period)[16];
} s_pop_t;

static void
s_pop (s_pop_t *p, const char *id, const char *disagg, char (*units)[16], size_t nunits,
       size_t from, size_t n)
{
    socin__v1__submission__init (&p->sub);
    p->sub.submission_id = (char *)id;
    p->v = calloc (n, sizeof *p->v);
    p->vp = calloc (n, sizeof *p->vp);
    p->text = calloc (n, sizeof *p->text);
    p->period = calloc (n, sizeof *p->period);
    for (size_t i = 0; i < n; i++) {
        size_t k = from + i, month = 3 + k / nunits; /* months since 2024-01 */
        socin__v1__data_value__init (&p->v[i]);
        p->v[i].indicator = "PART_VULNERABLE";
        p->v[i].unit = units[k % nunits];
        snprintf (p->period[i], sizeof p->period[i], "%d%02d", (int)(2024 + month / 12),
                  (int)(month % 12 + 1));
        p->v[i].period = p->period[i];
        p->v[i].disaggregation = (char *)disagg;
        snprintf (p->text[i], sizeof p->text[i], "%zu", 100 + k % 997);
        p->v[i].value = p->text[i];
        p->vp[i] = &p->v[i];
    }
    p->sub.values = p->vp;
    p->sub.n_values = n;
}

static void
s_pop_free (s_pop_t *p)
{
    free (p->v);
    free (p->vp);
    free (p->text);
    free (p->period);
}

/* Sends the N submissions SUBS at once from S_LOCAL, then reads every answer: the values
   imported in all, or -1 when an answer is missing or not a plain success. */
static long long
s_send_all (s_pop_t *subs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
        req.request_id = subs[i].sub.submission_id;
        req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
        req.submission = &subs[i].sub;
        if (socin_client_send (s_local, &req.base)) return -1;
    }
    long long imported = 0;
    bool ok = true;
    char err[512];
    for (size_t i = 0; i < n; i++) {
        Socin__V1__IngestReply *r = (Socin__V1__IngestReply *)socin_client_recv (
            s_local, &socin__v1__ingest_reply__descriptor, 60000, err, sizeof err);
        const Socin__V1__ImportSummary *s = r ? r->summary : NULL;
        if (!s || s->status != STATUS (SUCCESS)) {
            fprintf (stderr, "    answer %zu: %s\n", i,
                     !r                ? err
                     : !s              ? "not a summary"
                     : s->n_conflicts ? s->conflicts[0]->message
                                       : "not a plain success");
            ok = false;
        } else
            imported += s->imported;
        s_free (&r);
    }
    return ok ? imported : -1;
}

/* The values' leaf pages in the ingest's store, as LMDB counts them (-1 when unreadable). */
static long long
s_store_leaf_pages (void)
{
    char dir[600];
    snprintf (dir, sizeof dir, "%s/ingest", s_home);
    return t_store_leaf_pages (dir, "value_chunks" /* ledger.h: ING_VALUES_DB */);
}

/* The ingest runs with group_pages = S_GROUP_PAGES. Once its values' tree has more leaf pages
   than that, a group takes no more submissions once their runs would dirty about that many
   (socin_store_runs_bound): S_SCATTERED submissions of S_SCATTER_N values, each in a unit and
   month of its own, sent at once, are each more runs than that alone, so each is committed in
   a group of its own, however many wait. */
static void
test_group_pages (void)
{
    /* Units test_concurrency did not write to, so that every value here is new. */
    size_t nunits;
    char (*units)[16] = s_sample_units (&nunits, s_concurrency_units, S_CLIENTS);
    CHECK (nunits > S_SCATTER_N);
    if (nunits <= S_SCATTER_N) {
        free (units);
        return;
    }
    /* Three target groups of every unit's 24 open months: a tree of far more leaf pages
       than the bound. */
    static const char *load_groups[] = {"target_group=roma", "target_group=migrants",
                                        "target_group=children"};
    static char load_ids[3][32];
    s_pop_t load[3];
    for (int i = 0; i < 3; i++) {
        snprintf (load_ids[i], sizeof load_ids[i], "pages-%s", load_groups[i] + 13);
        s_pop (&load[i], load_ids[i], load_groups[i], units, nunits, 0, 24 * nunits);
    }
    CHECK_INT (s_send_all (load, 3), (long long)(3 * 24 * nunits));
    for (int i = 0; i < 3; i++)
        s_pop_free (&load[i]);
    long long leaf = s_ctl_field (s_ingest, "stats", "values_leaf_pages"),
              bound = s_ctl_field (s_ingest, "stats", "group_runs_bound");
    CHECK_INT (leaf, s_store_leaf_pages ());
    CHECK (leaf > S_GROUP_PAGES);
    double p = (double)leaf, want = floor (-p * log1p (-(double)S_GROUP_PAGES / p));
    CHECK_INT (bound, (long long)want);
    CHECK (bound > 0 && bound < S_SCATTER_N);

    /* Seniors, new keys: each submission S_SCATTER_N units, each in a month of its own. */
    size_t log0 = t_file_size (s_ingest->log);
    static char ids[S_SCATTERED][32];
    s_pop_t scattered[S_SCATTERED];
    for (size_t i = 0; i < S_SCATTERED; i++) {
        snprintf (ids[i], sizeof ids[i], "pages-seniors-%zu", i);
        s_pop (&scattered[i], ids[i], "target_group=seniors", units, nunits, i * S_SCATTER_N,
               S_SCATTER_N);
    }
    CHECK_INT (s_send_all (scattered, S_SCATTERED), S_SCATTERED * S_SCATTER_N);
    for (size_t i = 0; i < S_SCATTERED; i++)
        s_pop_free (&scattered[i]);
    s_batches += 3 + S_SCATTERED;
    CHECK_INT (s_last_seq (s_ingest), s_batches);
    int alone,
        groups = t_log_events (s_ingest->log, log0, "group.committed", "submissions=", &alone);
    CHECK_INT (groups, S_SCATTERED);
    CHECK_INT (alone, groups);
    free (units);
}

static Socin__V1__IngestReply *
s_history (socin_client_t *client, const char *indicator, const char *unit, const char *period,
           const char *disaggregation)
{
    Socin__V1__HistoryQuery q = SOCIN__V1__HISTORY_QUERY__INIT;
    q.indicator = (char *)indicator;
    q.unit = (char *)unit;
    q.period = (char *)period;
    q.disaggregation = (char *)(disaggregation ? disaggregation : "");
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = "history";
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_HISTORY;
    req.history = &q;
    return s_request (client, &req);
}

static void
test_history (void)
{
    /* Znojmo, in both submitters' territory. */
    struct {
        socin_client_t *client;
        const char *id, *value, *comment;
    } steps[] = {
        {s_local, "t12-a", "10", "first count"},
        {s_jmk, "t12-b", "12", "two more came"},
        {s_local, "t12-c", NULL, ""},
        {s_local, "t12-d", "7", ""},
    };
    uint64_t seqs[4] = {0};
    for (int i = 0; i < 4; i++) {
        s_batch_t b;
        s_batch (&b, steps[i].id);
        if (steps[i].value)
            s_value (&b, "PART_PARTICIPANTS", "593711", "202602", "", steps[i].value)->comment =
                (char *)steps[i].comment;
        else
            s_delete (&b, "PART_PARTICIPANTS", "593711", "202602", "");
        Socin__V1__IngestReply *r = s_submit (steps[i].client, &b);
        CHECK (r && r->summary && r->summary->source_seq);
        if (r && r->summary) seqs[i] = r->summary->source_seq;
        s_free (&r);
    }
    Socin__V1__IngestReply *r = s_history (s_jmk, "PART_PARTICIPANTS", "593711", "202602", "");
    CHECK (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_HISTORY);
    if (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_HISTORY) {
        Socin__V1__ValueHistory *h = r->history;
        CHECK_STR (h->current, "7");
        CHECK_INT (h->n_entries, 4);
        const char *olds[] = {"", "10", "12", ""}, *news[] = {"10", "12", "", "7"};
        const char *who[] = {"local", "jmk", "local", "local"};
        for (size_t i = 0; i < h->n_entries && i < 4; i++) {
            Socin__V1__HistoryEntry *e = h->entries[i];
            CHECK_STR (e->old_value, olds[i]);
            CHECK_STR (e->new_value, news[i]);
            CHECK (e->deleted == (i == 2));
            CHECK_STR (e->submitter, who[i]);
            CHECK_STR (e->submission_id, steps[i].id);
            CHECK_STR (e->comment, steps[i].comment);
            CHECK_STR (e->source, "CZ064");
            CHECK_INT (e->source_seq, seqs[i]);
            CHECK (e->changed_ms > 0);
            CHECK_INT (strlen (e->submitter_key), SOCIN_KEY_LEN);
            if (i) CHECK (e->changed_ms >= h->entries[i - 1]->changed_ms);
        }
        if (h->n_entries == 4) {
            CHECK_STR (h->entries[0]->submitter_key, socin_client_key (s_local));
            CHECK_STR (h->entries[1]->submitter_key, socin_client_key (s_jmk));
        }
    }
    s_free (&r);
    /* A key never stored, a unit outside the asker's territory, an unknown indicator. */
    r = s_history (s_local, "PART_PARTICIPANTS", "593711", "202603", "");
    CHECK (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_HISTORY);
    if (r && r->history) {
        CHECK_INT (r->history->n_entries, 0);
        CHECK_STR (r->history->current, "");
    }
    s_free (&r);
    r = s_history (s_jmk, "PART_PARTICIPANTS", "554782", "202602", "");
    CHECK (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR);
    if (r && r->error) CHECK_INT (r->error->code, CODE (PERMISSION_DENIED));
    s_free (&r);
    r = s_history (s_local, "NO_SUCH", "593711", "202602", "");
    CHECK (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR);
    if (r && r->error) CHECK_INT (r->error->code, CODE (NOT_FOUND));
    s_free (&r);
    r = s_history (s_local, "PART_PARTICIPANTS", "593711", "2026-02", "");
    CHECK (r && r->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR);
    if (r && r->error) {
        CHECK_INT (r->error->code, CODE (INVALID_ARGUMENT));
        CHECK_CONTAINS (r->error->message, "2026-02");
    }
    s_free (&r);
}

static bool
s_not_live (void *arg)
{
    char out[4096];
    return t_ctl (((t_daemon_t *)arg)->ctl, "status", out, sizeof out) == 0 &&
           !strstr (out, "replica_state:live");
}

static void
test_registry_down (void)
{
    CHECK_INT (t_stop (s_registry), 0);
    CHECK (t_wait_for (s_not_live, s_ingest, 15000));
    s_batch_t b;
    s_batch (&b, "t11-a");
    s_value (&b, "POP_15_64", "554782", "2025", "", "900000");
    s_value (&b, "POP_15_64", "000000", "2025", "", "1");
    Socin__V1__IngestReply *r = s_submit (s_local, &b);
    Socin__V1__ImportSummary *s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK_INT (s->status, STATUS (WARNING));
        CHECK_COUNTS (s, 1, 0, 0, 0, 1);
        CONFLICT (s, VALUE, 1, UNKNOWN_UNIT, "unit", "000000", "\"000000\"", NULL);
    }
    s_free (&r);

    /* Restarted while the registry is still away, it validates from its own copy. */
    CHECK_INT (t_stop (s_ingest), 0);
    CHECK_INT (t_restart (s_ingest), 0);
    char out[4096];
    t_ctl (s_ingest->ctl, "status", out, sizeof out);
    CHECK (!strstr (out, "replica_state:live"));
    CHECK (t_field (out, "replica_records") > 400);
    s_batch (&b, "t11-b");
    s_value (&b, "POP_15_64", "593711", "2025", "", "22000");
    s_value (&b, "POP_15_64", "554782", "2025", "", "900001");
    r = s_submit (s_jmk, &b);
    s = r ? r->summary : NULL;
    CHECK (s != NULL);
    if (s) {
        CHECK_INT (s->status, STATUS (WARNING));
        CHECK_COUNTS (s, 1, 0, 0, 0, 1);
        CONFLICT (s, VALUE, 1, OUTSIDE_TERRITORY, "unit", "554782", "submitter jmk", NULL);
    }
    s_free (&r);
    s_ctl_history ("POP_15_64 593711 2025", out, sizeof out);
    CHECK_CONTAINS (out, "(none) -> 22000 submitter=jmk submission=t11-b");
    CHECK_INT (s_last_seq (s_ingest), s_batches);

    /* The registry back: the replica follows it again. */
    CHECK_INT (t_restart (s_registry), 0);
    CHECK (t_wait_replica (s_ingest, s_registry, 20000));
}

int
main (void)
{
    t_begin (s_home, sizeof s_home, "2026-03-15");
    snprintf (s_reg_req, sizeof s_reg_req, "ipc://%s/registry.ipc", s_home);
    snprintf (s_reg_pub, sizeof s_reg_pub, "ipc://%s/updates.ipc", s_home);
    snprintf (s_reg_key, sizeof s_reg_key, "%s/keys/registry.cert", s_home);
    snprintf (s_ep1, sizeof s_ep1, "ipc://%s/ingest.ipc", s_home);
    snprintf (s_ep2, sizeof s_ep2, "ipc://%s/ingest2.ipc", s_home);
    snprintf (s_key1, sizeof s_key1, "%s/keys/ingest-CZ064.cert", s_home);
    snprintf (s_key2, sizeof s_key2, "%s/keys/ingest-CZ080.cert", s_home);
    snprintf (s_admin_cert, sizeof s_admin_cert, "%s/keys/admin.cert", s_home);
    snprintf (s_jmk_cert, sizeof s_jmk_cert, "%s/jmk.cert", s_home);
    char forward[400];
    snprintf (forward, sizeof forward, "ipc://%s/forward.ipc", s_home);

    const char *reg_args[] = {"--endpoint", s_reg_req, "--updates", s_reg_pub, NULL};
    s_registry = t_start ("socin-registry", "registry", s_home, reg_args);
    const char *args1[] = {"--endpoint",         s_ep1,     "--registry",  s_reg_req,
                           "--registry-updates", s_reg_pub, "--reporting", forward,
                           "--source",           "CZ064",   "--group-pages",
                           S_STR (S_GROUP_PAGES), NULL};
    s_ingest = s_registry ? t_start ("socin-ingest", "ingest", s_home, args1) : NULL;
    const char *args2[] = {
        "--endpoint",  s_ep2,         "--registry",  s_reg_req,  "--registry-updates",
        s_reg_pub,     "--reporting", forward,       "--source", "CZ080",
        "--territory", "CZ080",       "--max-items", "10",       "--max-message",
        "64K",         NULL};
    s_ingest2 = s_ingest ? t_start ("socin-ingest", "ingest2", s_home, args2) : NULL;
    char err[512];
    bool ready = s_ingest2 != NULL;
    if (ready) {
        s_admin = socin_client_new (s_reg_req, s_reg_key, s_admin_cert, 0, err, sizeof err);
        zcert_t *jmk = zcert_new ();
        ready = s_admin && zcert_save (jmk, s_jmk_cert) == 0 &&
                s_put_submitter ("jmk", zcert_public_txt (jmk), "CZ064", NULL, false) == 0;
        zcert_destroy (&jmk);
    }
    ready = ready && t_wait_replica (s_ingest, s_registry, 20000) &&
            t_wait_replica (s_ingest2, s_registry, 20000);
    if (ready) {
        s_local = socin_client_new (s_ep1, s_key1, s_admin_cert, 0, err, sizeof err);
        s_jmk = socin_client_new (s_ep1, s_key1, s_jmk_cert, 0, err, sizeof err);
        s_local2 = socin_client_new (s_ep2, s_key2, s_admin_cert, 0, err, sizeof err);
        ready = s_local && s_jmk && s_local2;
        if (!ready) fprintf (stderr, "    client: %s\n", err);
    }
    if (!ready) {
        printf (
            "FAIL - a registry and two ingests start, and the ingests replicate the registry\n");
        t_failed++;
    } else {
        RUN (test_valid_batch,
             "a valid batch is imported with exact counts, its source and its sequence");
        RUN (test_resend_values, "unchanged items are ignored, changed ones updated, deletions "
                                 "counted, absent deletions ignored");
        RUN (test_conflicts, "every conflict names its item, code, field and offending value; the "
                             "valid items are imported");
        RUN (test_ingest_territory, "an ingest that serves one region refuses units outside it");
        RUN (test_atomic, "an all-or-nothing submission with one bad item stores nothing; without "
                          "it, everything");
        RUN (test_dry_run, "a dry run answers the counts it would have and stores nothing");
        RUN (test_resend_id, "a resent submission gets its stored summary and changes nothing; "
                             "other content under the id is refused");
        RUN (test_bad_ids, "an empty, over-long or ill-formed submission id is refused");
        RUN (test_batch_too_large, "a submission with more items than max_items is refused");
        RUN (test_garbage, "bytes that are no IngestRequest are answered MALFORMED_MESSAGE and the "
                           "ingest serves on");
        RUN (test_message_too_large,
             "a message above max_message is answered MESSAGE_TOO_LARGE and the ingest serves on");
        RUN (test_unknown_key, "a key that is no registered submitter cannot even connect");
        RUN (test_disabled, "a submitter reports only its data sets; disabled, it is refused on an "
                            "open connection and at the handshake");
        RUN (test_change_in_flight,
             "submissions in flight when their submitter is disabled are applied before the "
             "change or refused after it, never applied once refused");
        RUN (test_durability, "an answered submission survives kill -9, and so does the backlog");
        RUN (test_concurrency, "160 submissions in flight from 8 clients are all answered, "
                               "group-committed, and add up");
        RUN (test_group_pages, "scattered submissions that would dirty more than group_pages leaf "
                               "pages together are committed in groups of their own");
        RUN (test_history, "the history lists every change with submitter, submission, old and new "
                           "value, in order");
        RUN (test_registry_down, "with the registry down the ingest validates from its persisted "
                                 "replica, even after a restart");
    }

    socin_client_destroy (&s_local);
    socin_client_destroy (&s_jmk);
    socin_client_destroy (&s_local2);
    socin_client_destroy (&s_admin);
    t_free (&s_ingest2);
    t_free (&s_ingest);
    t_free (&s_registry);
    t_rmtree (s_home);
    return TEST_SUMMARY ();
}
