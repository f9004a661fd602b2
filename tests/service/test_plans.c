/*  Plans and measures end to end, with real daemons: plans files (JSON and CSV) imported into
    the registry whole or not at all, each error naming its line and field; measure progress
    submitted to an ingest, every kind of bad item refused with its code and field (and
    nothing stored when the submission is all-or-nothing); and plan fulfilment from reporting
    by kraj, for the country, for a group and for one plan, as of two days, compared with
    figures this test computes itself from what it sent — delivered in a shuffled order with
    resends of the same submissions and of the same facts under new ids.

    The clock is fixed at 2026-03-15 (SOCIN_TODAY): quarters up to 2026Q1 have begun. Plans run
    2024-01-01 to 2027-12-31; plan P02 locks a period 30 days after it ends. */
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "decimal.h"
#include "model.h"
#include "period.h"
#include "stack.h"
#include "testing.h"
#include "wire.h"
#include "socin/v1/ingest.pb-c.h"
#include "socin/v1/registry.pb-c.h"
#include "socin/v1/report.pb-c.h"

#define CODE(name)   SOCIN__V1__ERROR_CODE__ERROR_CODE_##name
#define STATUS(name) SOCIN__V1__MEASURE_STATUS__MEASURE_STATUS_##name
#define KIND_MEASURE SOCIN__V1__ITEM_KIND__ITEM_KIND_MEASURE

#define NPLANS    10
#define NMEASURES 4
#define NQ        9 /* 2024Q1 .. 2026Q1 */
#define NSRC      9 /* funding sources 1..8 */

static char s_home[256], s_reg_req[400], s_reg_pub[400], s_reg_key[400], s_admin_cert[400];
static char s_query_ep[400], s_forward_ep[400], s_ingest_ep[400], s_rep_key[400];
static char s_ingest_key[400], s_olk_cert[400];
static t_daemon_t *s_registry, *s_reporting, *s_ingest;
static socin_client_t *s_admin, *s_analyst, *s_local, *s_olk;

/* ---- the plans this test makes ---- */

static const char *s_owners[NPLANS] = {"500496", "505188", "505927", "532053", "533165",
                                       "544256", "541630", "539911", "CZ071",  "CASE_2021_W3"};
static const char *s_kinds[NPLANS] = {"lap", "strategic", "lap",  "strategic", "lap",
                                      "lap", "strategic", "kpss", "rap",       "strategic"};
static const char *s_areas[NMEASURES] = {"employment", "access", "housing", "child_poverty"};
static const char *s_ends[NMEASURES] = {"2024-12-31", "2025-06-30", "2025-12-31", "2027-12-31"};
/* Kraje each plan counts in (a group's: every kraj with a member), found from the registry. */
static char s_plan_kraje[NPLANS][8][8];
static int s_nplan_kraje[NPLANS];

typedef struct {
    int status; /* 0: no report */
    socin_dec_t spent[NSRC];
    socin_dec_t output;
} s_report_t;

static socin_dec_t s_budget[NPLANS][NMEASURES][NSRC];
static bool s_target[NPLANS][NMEASURES];
static s_report_t s_reports[NPLANS][NMEASURES][NQ];

static uint32_t
s_hash (uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static void
s_quarter (int q, char *out)
{
    int year = 2024 + q / 4;
    out[0] = '2';
    out[1] = '0';
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = 'Q';
    out[5] = (char)('1' + q % 4);
    out[6] = 0;
}

static void
s_generate (void)
{
    for (int p = 0; p < NPLANS; p++)
        for (int m = 0; m < NMEASURES; m++) {
            s_budget[p][m][1] = (socin_dec_t)(100000 + 1000 * p + m) * SOCIN_DEC_SCALE;
            if (m % 2) s_budget[p][m][4] = (socin_dec_t)(250500 * (m + 1)) * 1000; /* .5 */
            if (p % 3 == 0) s_budget[p][m][5] = 75000 * SOCIN_DEC_SCALE + 250000;
            s_target[p][m] = m == 0 || m == 2;
            socin_dec_t spent = 0;
            for (int q = 0; q < NQ; q++) {
                uint32_t h = s_hash ((uint32_t)(p * 100 + m * 10 + q + 7));
                /* Plan P02 locks old periods: it reports only the current quarter. */
                if (h % 4 == 0 || (p == 1 && q < NQ - 1)) continue;
                s_report_t *r = &s_reports[p][m][q];
                spent += (socin_dec_t)(h % 9000) * SOCIN_DEC_SCALE + (h % 7) * 10000;
                r->status = 1 + (int)(h / 7 % 5);
                r->spent[1] = spent;
                if (m % 2) r->spent[4] = spent / 2;
                r->output = (socin_dec_t)(h % 60) * SOCIN_DEC_SCALE;
            }
        }
}

static void
s_amount (socin_dec_t v, char *buf)
{
    socin_dec_format (v, buf, SOCIN_DEC_STRLEN);
}

/* The plans file: JSON for plans FROM..TO-1. */
static char *
s_plans_json (int from, int to)
{
    static const char *src_names[NSRC] = {"", "own", "kraj", "state", "ope_plus", "irop"};
    zchunk_t *c = zchunk_new (NULL, 0);
    zchunk_extend (c, "{\"plans\": [\n", 12);
    for (int p = from; p < to; p++) {
        char head[600];
        snprintf (head, sizeof head,
                  "%s{\"code\": \"P%02d\", \"kind\": \"%s\", \"name\": \"Plan %d\", \"owner\": "
                  "\"%s\",\n \"valid_from\": \"2024-01-01\", \"valid_to\": \"2027-12-31\", "
                  "\"areas\": [\"employment\", \"housing\"], \"participative\": %s, "
                  "\"lock_days\": %d,\n \"measures\": [\n",
                  p > from ? ",\n" : "", p + 1, s_kinds[p], p + 1, s_owners[p],
                  p % 2 ? "true" : "false", p == 1 ? 30 : 0);
        zchunk_extend (c, head, strlen (head));
        for (int m = 0; m < NMEASURES; m++) {
            char line[900], budget[300] = "", a[SOCIN_DEC_STRLEN];
            size_t n = 0;
            for (int s = 1; s < NSRC; s++)
                if (s_budget[p][m][s]) {
                    s_amount (s_budget[p][m][s], a);
                    n += (size_t)snprintf (budget + n, sizeof budget - n, "%s\"%s\": \"%s\"",
                                           n ? ", " : "", src_names[s], a);
                }
            snprintf (line, sizeof line,
                      "  %s{\"code\": \"M%d\", \"title\": \"Measure %d\", \"area\": \"%s\", "
                      "\"target_group\": \"roma\", \"responsible\": \"Odbor %d\", \"start\": "
                      "\"2024-01-01\", \"end\": \"%s\", \"budget\": {%s}%s}\n",
                      m ? "," : "", m + 1, m + 1, s_areas[m], m, s_ends[m], budget,
                      s_target[p][m] ? ", \"output_indicator\": \"persons supported\", "
                                       "\"output_target\": \"40\""
                                     : "");
            zchunk_extend (c, line, strlen (line));
        }
        zchunk_extend (c, " ]}", 3);
    }
    zchunk_extend (c, "\n]}\n", 5);
    char *text = strdup ((char *)zchunk_data (c));
    zchunk_destroy (&c);
    return text;
}

/* The same plans as CSV, one row per measure. */
static char *
s_plans_csv (int from, int to)
{
    zchunk_t *c = zchunk_new (NULL, 0);
    const char *header = "plan,kind,name,owner,valid_from,valid_to,areas,participative,lock_days,"
                         "measure,title,area,target_group,responsible,start,end,budget_own,"
                         "budget_ope_plus,budget_irop,output_indicator,output_target\n";
    zchunk_extend (c, header, strlen (header));
    for (int p = from; p < to; p++)
        for (int m = 0; m < NMEASURES; m++) {
            char line[900], b1[SOCIN_DEC_STRLEN] = "", b4[SOCIN_DEC_STRLEN] = "",
                            b5[SOCIN_DEC_STRLEN] = "";
            if (s_budget[p][m][1]) s_amount (s_budget[p][m][1], b1);
            if (s_budget[p][m][4]) s_amount (s_budget[p][m][4], b4);
            if (s_budget[p][m][5]) s_amount (s_budget[p][m][5], b5);
            snprintf (line, sizeof line,
                      "P%02d,%s,Plan %d,%s,2024-01-01,2027-12-31,\"employment, housing\",%s,%d,M%d,"
                      "Measure %d,%s,roma,Odbor %d,2024-01-01,%s,%s,%s,%s,%s,%s\n",
                      p + 1, s_kinds[p], p + 1, s_owners[p], p % 2 ? "true" : "false",
                      p == 1 ? 30 : 0, m + 1, m + 1, s_areas[m], m, s_ends[m], b1, b4, b5,
                      s_target[p][m] ? "persons supported" : "", s_target[p][m] ? "40" : "");
            zchunk_extend (c, line, strlen (line));
        }
    zchunk_extend (c, "", 1);
    char *text = strdup ((char *)zchunk_data (c));
    zchunk_destroy (&c);
    return text;
}

/* ---- calls ---- */

static Socin__V1__RegistryReply *
s_reg_call (socin_client_t *client, Socin__V1__RegistryRequest *req)
{
    static int n;
    char id[32], err[512];
    snprintf (id, sizeof id, "r%d", ++n);
    req->request_id = id;
    Socin__V1__RegistryReply *reply = (Socin__V1__RegistryReply *)socin_client_call (
        client, &req->base, &socin__v1__registry_reply__descriptor, 20000, err, sizeof err);
    if (!reply) fprintf (stderr, "    registry call failed: %s\n", err);
    return reply;
}

static Socin__V1__RegistryReply *
s_import (const char *data, const char *format, bool dry_run)
{
    Socin__V1__ImportPlans imp = SOCIN__V1__IMPORT_PLANS__INIT;
    imp.data.data = (uint8_t *)data;
    imp.data.len = strlen (data);
    imp.format = (char *)format;
    imp.dry_run = dry_run;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_PLANS;
    req.import_plans = &imp;
    return s_reg_call (s_admin, &req);
}

static Socin__V1__RegistryReply *
s_plans_query (const char *code, const char *owner, int kind)
{
    Socin__V1__PlansQuery q = SOCIN__V1__PLANS_QUERY__INIT;
    q.code = (char *)code;
    q.owner = (char *)owner;
    q.kind = kind;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PLANS;
    req.plans = &q;
    return s_reg_call (s_admin, &req);
}

static void
s_free (void *msg)
{
    if (msg) protobuf_c_message_free_unpacked ((ProtobufCMessage *)msg, NULL);
}

static Socin__V1__ImportSummary *
s_submit (socin_client_t *client, Socin__V1__Submission *sub)
{
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = sub->submission_id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = sub;
    char err[512];
    Socin__V1__IngestReply *reply = (Socin__V1__IngestReply *)socin_client_call (
        client, &req.base, &socin__v1__ingest_reply__descriptor, 20000, err, sizeof err);
    if (!reply || !reply->summary) {
        fprintf (stderr, "    submission %s: %s\n", sub->submission_id, reply ? "no summary" : err);
        s_free (reply);
        return NULL;
    }
    Socin__V1__ImportSummary *s = reply->summary;
    reply->summary = NULL;
    reply->body_case = SOCIN__V1__INGEST_REPLY__BODY__NOT_SET;
    s_free (reply);
    return s;
}

static Socin__V1__ReportReply *
s_fulfilment (Socin__V1__PlanFulfilmentQuery *q)
{
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.request_id = "plans";
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PLANS;
    req.plans = q;
    char err[512];
    Socin__V1__ReportReply *r = (Socin__V1__ReportReply *)socin_client_call (
        s_analyst, &req.base, &socin__v1__report_reply__descriptor, 20000, err, sizeof err);
    if (!r) fprintf (stderr, "    report: %s\n", err);
    if (r && r->error) fprintf (stderr, "    report: %s\n", r->error->message);
    return r;
}

/* ---- registry ---- */

/* The kraj of UNIT (from its ancestors in the registry) into OUT. */
static bool
s_kraj_of (const char *unit, char *out)
{
    Socin__V1__UnitQuery q = SOCIN__V1__UNIT_QUERY__INIT;
    q.code = (char *)unit;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_UNIT;
    req.unit = &q;
    Socin__V1__RegistryReply *r = s_reg_call (s_admin, &req);
    bool found = false;
    for (size_t i = 0; r && r->records && i < r->records->n_records && !found; i++)
        if (r->records->records[i]->unit->level == SOCIN_LEVEL_KRAJ) {
            snprintf (out, 8, "%s", r->records->records[i]->unit->code);
            found = true;
        }
    s_free (r);
    return found;
}

static void
s_add_kraj (int p, const char *kraj)
{
    for (int i = 0; i < s_nplan_kraje[p]; i++)
        if (!strcmp (s_plan_kraje[p][i], kraj)) return;
    snprintf (s_plan_kraje[p][s_nplan_kraje[p]++], 8, "%s", kraj);
}

static bool
s_find_kraje (void)
{
    for (int p = 0; p < NPLANS; p++) {
        char kraj[8];
        if (p == 8) {
            s_add_kraj (p, "CZ071");
            continue;
        }
        if (p < 9 && !s_kraj_of (s_owners[p], kraj)) return false;
        if (p < 9) {
            s_add_kraj (p, kraj);
            continue;
        }
        Socin__V1__GroupsQuery q = SOCIN__V1__GROUPS_QUERY__INIT;
        q.code = (char *)s_owners[p];
        Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_GROUPS;
        req.groups = &q;
        Socin__V1__RegistryReply *r = s_reg_call (s_admin, &req);
        bool ok = r && r->records && r->records->n_records == 1;
        for (size_t i = 0; ok && i < r->records->records[0]->group->n_members; i++)
            if ((ok = s_kraj_of (r->records->records[0]->group->members[i], kraj)))
                s_add_kraj (p, kraj);
        s_free (r);
        if (!ok) return false;
    }
    return true;
}

static void
test_import (void)
{
    char *json = s_plans_json (0, 6), *csv = s_plans_csv (6, NPLANS);
    Socin__V1__RegistryReply *r = s_import (json, "", true);
    CHECK (r && r->changes && r->changes->added == 6 && r->changes->dry_run);
    s_free (r);
    r = s_plans_query ("", "", 0);
    CHECK (r && r->records && r->records->n_records == 0);
    s_free (r);
    r = s_import (json, "", false);
    CHECK (r && r->changes && r->changes->added == 6);
    s_free (r);
    r = s_import (csv, "csv", false);
    CHECK (r && r->changes && r->changes->added == 4);
    s_free (r);
    /* The same plans again, in the other format: nothing changes. */
    char *json2 = s_plans_json (6, NPLANS);
    r = s_import (json2, "json", false);
    CHECK (r && r->changes && r->changes->unchanged == 4 && r->changes->added == 0);
    s_free (r);
    r = s_plans_query ("", "", 0);
    CHECK (r && r->records && r->records->n_records == NPLANS);
    s_free (r);
    r = s_plans_query ("P10", "", 0);
    CHECK (r && r->records && r->records->n_records == 1);
    if (r && r->records && r->records->n_records == 1) {
        const Socin__V1__Plan *p = r->records->records[0]->plan;
        CHECK_STR (p->owner, "CASE_2021_W3");
        CHECK_INT (p->kind, SOCIN__V1__PLAN_KIND__PLAN_KIND_STRATEGIC);
        CHECK_INT (p->n_measures, NMEASURES);
        CHECK_INT (p->n_policy_areas, 2);
        CHECK_STR (p->measures[1]->budget[0]->amount, "109001");
        CHECK_STR (p->measures[1]->budget[1]->amount, "501");
        CHECK_INT (p->measures[1]->budget[1]->source,
                   SOCIN__V1__FUNDING_SOURCE__FUNDING_SOURCE_OPE_PLUS);
        CHECK (r->records->records[0]->seq > 0);
    }
    s_free (r);
    /* Owned inside kraj CZ071: P01, P02 (Olomouc, Šternberk) and the kraj's RAP. */
    r = s_plans_query ("", "CZ071", 0);
    CHECK (r && r->records && r->records->n_records == 3);
    s_free (r);
    r = s_plans_query ("", "", SOCIN__V1__PLAN_KIND__PLAN_KIND_LAP);
    CHECK (r && r->records && r->records->n_records == 4);
    s_free (r);
    free (json);
    free (json2);
    free (csv);
}

/* Imports TEXT and expects it refused whole with a message holding FRAGMENT. */
static void
s_refused (const char *text, const char *fragment)
{
    long long seq = t_registry_seq (s_registry);
    Socin__V1__RegistryReply *r = s_import (text, "", false);
    CHECK (r && r->error && r->error->code == CODE (MALFORMED_FILE));
    if (r && r->error) CHECK_CONTAINS (r->error->message, fragment);
    s_free (r);
    CHECK_INT (t_registry_seq (s_registry), seq);
}

static void
test_import_refused (void)
{
    const char *head = "plan,kind,name,owner,valid_from,valid_to,areas,measure,title,area,start,"
                       "end,budget_own\n";
    char text[2000];
    snprintf (text, sizeof text,
              "%sX1,lap,A,500496,2024-01-01,2027-12-31,employment,M1,T,employment,2024-01-01,"
              "2024-12-31,100\nX1,lap,A,999999,2024-01-01,2027-12-31,employment,M2,T,employment,"
              "2024-01-01,2024-12-31,100\n",
              head);
    s_refused (text, "line 3, field owner: '999999' is neither a unit nor a group");
    snprintf (text, sizeof text,
              "%sX1,lap,A,500496,2024-01-01,2027-12-31,employment,M1,T,employment,2024-01-01,"
              "2024-12-31,-5\n",
              head);
    s_refused (text, "line 2, field budget_own: \"-5\" is negative");
    snprintf (text, sizeof text,
              "%sX1,lap,A,500496,2024-01-01,2027-12-31,employment,M1,T,employment,2024-01-01,"
              "2024-12-31,12.5.0\n",
              head);
    s_refused (text, "line 2, field budget_own:");
    snprintf (text, sizeof text,
              "%sX1,plan,A,500496,2024-01-01,2027-12-31,employment,M1,T,employment,2024-01-01,"
              "2024-12-31,1\n",
              head);
    s_refused (text, "line 2, field kind: 'plan' is not a plan kind");
    snprintf (text, sizeof text,
              "%sX1,lap,A,500496,2024-01-01,2027-12-31,employment,M1,T,employment,2024-01-01,"
              "2024-12-31,1\nX1,lap,B,500496,2024-01-01,2027-12-31,employment,M2,T,employment,"
              "2024-01-01,2024-12-31,1\n",
              head);
    s_refused (text, "line 3, field plan: the plan columns of X1 differ");
    snprintf (text, sizeof text,
              "%sX1,lap,A,500496,2024-01-01,2027-12-31,nowhere,M1,T,employment,2024-01-01,"
              "2024-12-31,1\n",
              head);
    s_refused (text, "line 2, field areas: 'nowhere' is not a policy area");
    s_refused ("{\"plans\": [{\"code\": \"X2\", \"kind\": \"lap\", \"name\": \"A\",\n"
               "\"owner\": \"500496\", \"valid_from\": \"2024-01-01\", \"valid_to\": "
               "\"2027-12-31\", \"areas\": [\"employment\"],\n \"measures\": [{\"code\": \"M1\", "
               "\"title\": \"T\", \"area\": \"employment\",\n \"start\": \"2025-01-01\", \"end\": "
               "\"2024-12-31\"}]}]}",
               "line 3, field end: 2024-12-31 is before the start 2025-01-01");
}

/* ---- submissions ---- */

static Socin__V1__MeasureProgress *
s_item (const char *plan, const char *measure, const char *period, int status, const char *own)
{
    Socin__V1__MeasureProgress *mp = calloc (1, sizeof *mp);
    socin__v1__measure_progress__init (mp);
    mp->plan = strdup (plan);
    mp->measure = strdup (measure);
    mp->period = strdup (period);
    mp->status = status;
    if (own) {
        mp->spent = calloc (1, sizeof *mp->spent);
        mp->spent[0] = calloc (1, sizeof **mp->spent);
        socin__v1__funding_amount__init (mp->spent[0]);
        mp->spent[0]->source = SOCIN__V1__FUNDING_SOURCE__FUNDING_SOURCE_OWN;
        mp->spent[0]->amount = strdup (own);
        mp->n_spent = 1;
    }
    return mp;
}

static int s_last_applied;

static void
test_conflicts (void)
{
    Socin__V1__MeasureProgress *items[] = {
        s_item ("P01", "M1", "2025Q1", STATUS (DONE), "100"), /* 0: fine */
        s_item ("NOPE", "M1", "2025Q1", STATUS (DONE), "1"),  /* 1 */
        s_item ("P01", "M9", "2025Q1", STATUS (DONE), "1"),   /* 2 */
        s_item ("P03", "M1", "2025Q1", STATUS (DONE), "1"),   /* 3: Opava, outside CZ071 */
        s_item ("P01", "M1", "2023Q4", STATUS (DONE), "1"),   /* 4 */
        s_item ("P01", "M2", "2025Q1", STATUS (DONE), "-1"),  /* 5 */
        s_item ("P01", "M3", "2025Q1", STATUS (DONE), "1,5"), /* 6 */
        s_item ("P01", "M4", "2025Q1", 9, "1"),               /* 7 */
        s_item ("P02", "M1", "2024Q1", STATUS (DONE), "1"),   /* 8: locked */
        s_item ("P01", "M1", "2026Q3", STATUS (DONE), "1"),   /* 9: future */
        s_item ("P01", "M1", "2025Q1", STATUS (DONE), "100"), /* 10: same key as 0 */
    };
    const int n = sizeof items / sizeof items[0];
    const struct {
        int index, code;
        const char *field;
    } want[] = {{1, CODE (UNKNOWN_PLAN), "plan"},
                {2, CODE (UNKNOWN_MEASURE), "measure"},
                {3, CODE (OUTSIDE_TERRITORY), "plan"},
                {4, CODE (OUTSIDE_PLAN_WINDOW), "period"},
                {5, CODE (NEGATIVE_AMOUNT), "spent.own"},
                {6, CODE (MALFORMED_VALUE), "spent.own"},
                {7, CODE (UNKNOWN_MEASURE_STATUS), "status"},
                {8, CODE (PERIOD_LOCKED), "period"},
                {9, CODE (FUTURE_PERIOD), "period"},
                {10, CODE (DUPLICATE_KEY), "measure"}};
    Socin__V1__Submission sub = SOCIN__V1__SUBMISSION__INIT;
    sub.submission_id = "bad-atomic";
    sub.atomic = true;
    sub.measures = items;
    sub.n_measures = (size_t)n;
    Socin__V1__ImportSummary *s = s_submit (s_olk, &sub);
    CHECK (s != NULL);
    if (s) {
        CHECK_INT (s->status, SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_ERROR);
        CHECK_INT (s->imported, 0);
        CHECK_INT (s->source_seq, 0);
        CHECK_INT (s->n_conflicts, 10);
        for (size_t i = 0; i < s->n_conflicts && i < 10; i++) {
            CHECK_INT (s->conflicts[i]->kind, KIND_MEASURE);
            CHECK_INT (s->conflicts[i]->index, want[i].index);
            CHECK_INT (s->conflicts[i]->code, want[i].code);
            CHECK_STR (s->conflicts[i]->field, want[i].field);
        }
        CHECK_CONTAINS (s->n_conflicts > 2 ? s->conflicts[2]->message : "",
                        "outside the territory");
    }
    s_free (s);
    /* Without atomic the one good item is stored, and reaches reporting. */
    sub.submission_id = "bad-partial";
    sub.atomic = false;
    s = s_submit (s_olk, &sub);
    CHECK (s && s->status == SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_WARNING && s->imported == 1 &&
           s->rejected == 10);
    if (s) s_last_applied = (int)s->source_seq;
    s_free (s);
    /* And deleted again, so the fulfilment below starts from nothing. */
    Socin__V1__MeasureProgress *del = s_item ("P01", "M1", "2025Q1", 0, NULL);
    del->delete_ = true;
    sub.submission_id = "bad-deleted";
    sub.measures = &del;
    sub.n_measures = 1;
    s = s_submit (s_olk, &sub);
    CHECK (s && s->deleted == 1);
    s_free (s);
    s_free (del);
    for (int i = 0; i < n; i++)
        s_free (items[i]);
}

/* ---- fulfilment ---- */

typedef struct {
    int p, m, q;
} s_key_t;

static bool
s_forwarded (void *arg)
{
    char out[4096];
    if (t_ctl (s_ingest->ctl, "backlog", out, sizeof out)) return false;
    long long last = t_field (out, "last_seq"), acked = t_field (out, "acked_seq");
    return last > 0 && acked == last;
}

/* Sends every report, shuffled, seven to a submission; resends every third submission as it
   was and, under new ids, the facts of every fifth. */
static void
test_deliver (void)
{
    s_key_t keys[NPLANS * NMEASURES * NQ];
    int n = 0;
    for (int p = 0; p < NPLANS; p++)
        for (int m = 0; m < NMEASURES; m++)
            for (int q = 0; q < NQ; q++)
                if (s_reports[p][m][q].status) keys[n++] = (s_key_t){p, m, q};
    srand (14);
    for (int i = n - 1; i > 0; i--) {
        int j = rand () % (i + 1);
        s_key_t t = keys[i];
        keys[i] = keys[j];
        keys[j] = t;
    }
    int imported = 0, replayed = 0, ignored = 0;
    for (int from = 0, b = 0; from < n; from += 7, b++) {
        Socin__V1__MeasureProgress *items[7];
        int k = 0;
        for (; k < 7 && from + k < n; k++) {
            s_key_t key = keys[from + k];
            const s_report_t *r = &s_reports[key.p][key.m][key.q];
            char plan[16], measure[16], period[8], own[SOCIN_DEC_STRLEN], ope[SOCIN_DEC_STRLEN];
            snprintf (plan, sizeof plan, "P%02d", key.p + 1);
            snprintf (measure, sizeof measure, "M%d", key.m + 1);
            s_quarter (key.q, period);
            s_amount (r->spent[1], own);
            items[k] = s_item (plan, measure, period, r->status, own);
            s_amount (r->output, ope);
            items[k]->output_value = strdup (ope);
            if (r->spent[4]) {
                items[k]->spent = realloc (items[k]->spent, 2 * sizeof *items[k]->spent);
                items[k]->spent[1] = calloc (1, sizeof **items[k]->spent);
                socin__v1__funding_amount__init (items[k]->spent[1]);
                items[k]->spent[1]->source = SOCIN__V1__FUNDING_SOURCE__FUNDING_SOURCE_OPE_PLUS;
                s_amount (r->spent[4], ope);
                /* Written with trailing zeros: the same amount in other words. */
                char longer[SOCIN_DEC_STRLEN + 8];
                snprintf (longer, sizeof longer, "%s%s", ope, strchr (ope, '.') ? "00" : ".000");
                items[k]->spent[1]->amount = strdup (longer);
                items[k]->n_spent = 2;
            }
        }
        char id[32];
        snprintf (id, sizeof id, "progress-%d", b);
        Socin__V1__Submission sub = SOCIN__V1__SUBMISSION__INIT;
        sub.submission_id = id;
        sub.measures = items;
        sub.n_measures = (size_t)k;
        int sends = 1 + (b % 3 == 0) + (b % 5 == 0);
        for (int s = 0; s < sends; s++) {
            if (s == 2 || (s == 1 && b % 3)) snprintf (id, sizeof id, "progress-%d-again", b);
            Socin__V1__ImportSummary *sum = s_submit (s_local, &sub);
            CHECK (sum && sum->status == SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_SUCCESS);
            if (sum) {
                /* A replayed summary repeats the counts of the first answer. */
                if (!sum->replayed) imported += (int)sum->imported;
                if (!sum->replayed) ignored += (int)sum->ignored;
                replayed += sum->replayed;
            }
            s_free (sum);
        }
        for (int i = 0; i < k; i++)
            s_free (items[i]);
    }
    CHECK_INT (imported, n);
    CHECK (replayed > 0 && ignored > 0);
    CHECK (t_wait_for (s_forwarded, NULL, 30000));
}

/* What the test expects for one measure as of DAY. */
typedef struct {
    int status;
    bool overdue, has_target, reached;
    const s_report_t *r;
    int q;
} s_expect_t;

static s_expect_t
s_expect (int p, int m, int32_t day)
{
    s_expect_t e = {STATUS (PLANNED), false, s_target[p][m], false, NULL, -1};
    for (int q = NQ - 1; q >= 0 && !e.r; q--) {
        char text[8];
        socin_period_t period;
        s_quarter (q, text);
        socin_period_parse (text, &period, NULL, 0);
        if (s_reports[p][m][q].status && socin_period_start (period) <= day) {
            e.r = &s_reports[p][m][q];
            e.q = q;
        }
    }
    if (e.r) e.status = e.r->status;
    int32_t end;
    socin_date_parse (s_ends[m], &end, NULL, 0);
    e.overdue = end < day && e.status != STATUS (DONE) && e.status != STATUS (CANCELLED);
    e.reached = e.has_target && e.r && e.r->output >= 40 * SOCIN_DEC_SCALE;
    return e;
}

static void
s_text_sum (socin_sum_t v, char *buf)
{
    socin_sum_format (v, buf, SOCIN_DEC_STRLEN);
}

static void
s_share_text (socin_sum_t part, socin_sum_t whole, char *buf)
{
    socin_dec_t v;
    buf[0] = 0;
    if (whole && !socin_dec_ratio (part, whole, 100 * SOCIN_DEC_SCALE, &v))
        socin_dec_format (v, buf, SOCIN_DEC_STRLEN);
}

/* Compares ROW with the plans IN marks, as of DAY. */
static void
s_compare_row (const Socin__V1__PlanRow *row, const bool *in, int32_t day)
{
    int plans = 0, measures = 0, by[6] = {0}, overdue = 0, targets = 0, reached = 0;
    socin_sum_t planned[NSRC] = {0}, spent[NSRC] = {0}, budget = 0, done = 0, spent_all = 0;
    for (int p = 0; p < NPLANS; p++) {
        if (!in[p]) continue;
        plans++;
        for (int m = 0; m < NMEASURES; m++) {
            s_expect_t e = s_expect (p, m, day);
            measures++;
            by[e.status]++;
            overdue += e.overdue;
            targets += e.has_target;
            reached += e.reached;
            socin_sum_t total = 0;
            for (int s = 1; s < NSRC; s++) {
                planned[s] += s_budget[p][m][s];
                total += s_budget[p][m][s];
                if (e.r) {
                    spent[s] += e.r->spent[s];
                    spent_all += e.r->spent[s];
                }
            }
            budget += total;
            if (e.status == STATUS (DONE)) done += total;
        }
    }
    char buf[SOCIN_DEC_STRLEN];
    CHECK_INT (row->plans, plans);
    CHECK_INT (row->measures, measures);
    CHECK_INT (row->done, by[STATUS (DONE)]);
    CHECK_INT (row->in_progress, by[STATUS (IN_PROGRESS)]);
    CHECK_INT (row->delayed, by[STATUS (DELAYED)]);
    CHECK_INT (row->cancelled, by[STATUS (CANCELLED)]);
    CHECK_INT (row->planned, by[STATUS (PLANNED)]);
    CHECK_INT (row->overdue, overdue);
    CHECK_INT (row->targets, targets);
    CHECK_INT (row->targets_reached, reached);
    s_share_text ((socin_sum_t)by[STATUS (DONE)] * SOCIN_DEC_SCALE,
                  (socin_sum_t)measures * SOCIN_DEC_SCALE, buf);
    CHECK_STR (row->done_share, buf);
    s_share_text (done, budget, buf);
    CHECK_STR (row->done_budget_share, buf);
    s_text_sum (budget, buf);
    CHECK_STR (row->budget_planned, buf);
    s_text_sum (done, buf);
    CHECK_STR (row->budget_done, buf);
    s_text_sum (spent_all, buf);
    CHECK_STR (row->spent, buf);
    size_t f = 0;
    for (int s = 1; s < NSRC; s++) {
        if (!planned[s] && !spent[s]) continue;
        CHECK (f < row->n_funding);
        if (f >= row->n_funding) break;
        CHECK_INT (row->funding[f]->source, s);
        s_text_sum (planned[s], buf);
        CHECK_STR (row->funding[f]->planned, buf);
        s_text_sum (spent[s], buf);
        CHECK_STR (row->funding[f]->spent, buf);
        f++;
    }
    CHECK_INT (row->n_funding, f);
}

static const char *s_days[] = {"2024-12-31", "2025-08-15", "2026-03-15"};

static void
test_by_kraj (void)
{
    for (size_t d = 0; d < sizeof s_days / sizeof s_days[0]; d++) {
        int32_t day;
        socin_date_parse (s_days[d], &day, NULL, 0);
        Socin__V1__PlanFulfilmentQuery q = SOCIN__V1__PLAN_FULFILMENT_QUERY__INIT;
        q.level = SOCIN_LEVEL_KRAJ;
        q.as_of = (char *)s_days[d];
        Socin__V1__ReportReply *r = s_fulfilment (&q);
        CHECK (r && r->plans && r->plans->n_rows == 14);
        for (size_t i = 0; r && r->plans && i < r->plans->n_rows; i++) {
            bool in[NPLANS];
            for (int p = 0; p < NPLANS; p++) {
                in[p] = false;
                for (int k = 0; k < s_nplan_kraje[p]; k++)
                    in[p] |= !strcmp (s_plan_kraje[p][k], r->plans->rows[i]->unit);
            }
            s_compare_row (r->plans->rows[i], in, day);
        }
        if (r && r->plans) CHECK_STR (r->plans->as_of, s_days[d]);
        s_free (r);
    }
}

static void
test_country_group_kind (void)
{
    int32_t day;
    socin_date_parse ("2026-03-15", &day, NULL, 0);
    bool all[NPLANS], group[NPLANS], lap[NPLANS];
    for (int p = 0; p < NPLANS; p++) {
        all[p] = true;
        /* CASE_2021_W3's own plan and the plan of its member Kladno (532053). */
        group[p] = p == 9 || p == 3;
        lap[p] = !strcmp (s_kinds[p], "lap");
    }
    Socin__V1__PlanFulfilmentQuery q = SOCIN__V1__PLAN_FULFILMENT_QUERY__INIT;
    Socin__V1__ReportReply *r = s_fulfilment (&q);
    CHECK (r && r->plans && r->plans->n_rows == 1);
    if (r && r->plans && r->plans->n_rows == 1) {
        CHECK_STR (r->plans->rows[0]->unit, "CZ");
        s_compare_row (r->plans->rows[0], all, day);
    }
    s_free (r);
    q.group = "CASE_2021_W3";
    r = s_fulfilment (&q);
    CHECK (r && r->plans && r->plans->n_rows == 1);
    if (r && r->plans && r->plans->n_rows == 1) s_compare_row (r->plans->rows[0], group, day);
    s_free (r);
    q.group = "";
    q.kind = SOCIN__V1__PLAN_KIND__PLAN_KIND_LAP;
    r = s_fulfilment (&q);
    CHECK (r && r->plans && r->plans->n_rows == 1);
    if (r && r->plans && r->plans->n_rows == 1) s_compare_row (r->plans->rows[0], lap, day);
    s_free (r);
    /* Area: only the housing measures (M3) count. */
    q.kind = 0;
    q.policy_area = "housing";
    r = s_fulfilment (&q);
    CHECK (r && r->plans && r->plans->n_rows == 1 && r->plans->rows[0]->measures == NPLANS);
    s_free (r);
    q.policy_area = "";
    q.plan = "P99";
    r = s_fulfilment (&q);
    CHECK (r && r->error && r->error->code == CODE (NOT_FOUND));
    s_free (r);
}

static void
test_plan_detail_and_late (void)
{
    int32_t day;
    socin_date_parse ("2026-03-15", &day, NULL, 0);
    Socin__V1__PlanFulfilmentQuery q = SOCIN__V1__PLAN_FULFILMENT_QUERY__INIT;
    q.plan = "P05";
    Socin__V1__ReportReply *r = s_fulfilment (&q);
    CHECK (r && r->plans && r->plans->plan && r->plans->n_measures == NMEASURES);
    for (size_t i = 0; r && r->plans && i < r->plans->n_measures; i++) {
        const Socin__V1__MeasureState *ms = r->plans->measures[i];
        s_expect_t e = s_expect (4, (int)i, day);
        char period[8] = "", buf[SOCIN_DEC_STRLEN];
        if (e.r) s_quarter (e.q, period);
        CHECK_INT (ms->status, e.status);
        CHECK_STR (ms->period, period);
        CHECK_INT (ms->overdue, e.overdue);
        CHECK_INT (ms->target_reached, e.reached);
        socin_sum_t spent = e.r ? (socin_sum_t)e.r->spent[1] + e.r->spent[4] : 0;
        s_text_sum (spent, buf);
        CHECK_STR (ms->spent, buf);
        CHECK_STR (ms->owner, "533165");
        CHECK_STR (ms->owner_name, "Kolín");
    }
    s_free (r);
    /* Late measures in kraj CZ020 (Kladno, Kolín, Příbram and the group's member Kladno). */
    memset (&q, 0, sizeof q);
    socin__v1__plan_fulfilment_query__init (&q);
    q.under = "CZ020";
    q.list_late = true;
    r = s_fulfilment (&q);
    int want = 0;
    for (int p = 0; p < NPLANS; p++) {
        bool in = false;
        for (int k = 0; k < s_nplan_kraje[p]; k++)
            in |= !strcmp (s_plan_kraje[p][k], "CZ020");
        for (int m = 0; in && m < NMEASURES; m++) {
            s_expect_t e = s_expect (p, m, day);
            want += e.overdue || e.status == STATUS (DELAYED);
        }
    }
    CHECK (want > 0);
    CHECK (r && r->plans);
    if (r && r->plans) {
        CHECK_INT (r->plans->n_late, want);
        for (size_t i = 1; i < r->plans->n_late; i++)
            CHECK (strcmp (r->plans->late[i - 1]->plan, r->plans->late[i]->plan) < 0 ||
                   (!strcmp (r->plans->late[i - 1]->plan, r->plans->late[i]->plan) &&
                    strcmp (r->plans->late[i - 1]->measure, r->plans->late[i]->measure) < 0));
    }
    s_free (r);
}

/* After a restart of reporting the same figures come back (they live in its store). */
static void
test_restart (void)
{
    t_kill9 (s_reporting);
    CHECK_INT (t_restart (s_reporting), 0);
    CHECK (t_wait_replica (s_reporting, s_registry, 30000));
    test_by_kraj ();
}

int
main (void)
{
    t_begin (s_home, sizeof s_home, "2026-03-15");
    snprintf (s_reg_req, sizeof s_reg_req, "ipc://%s/registry.ipc", s_home);
    snprintf (s_reg_pub, sizeof s_reg_pub, "ipc://%s/updates.ipc", s_home);
    snprintf (s_reg_key, sizeof s_reg_key, "%s/keys/registry.cert", s_home);
    snprintf (s_admin_cert, sizeof s_admin_cert, "%s/keys/admin.cert", s_home);
    snprintf (s_query_ep, sizeof s_query_ep, "ipc://%s/query.ipc", s_home);
    snprintf (s_forward_ep, sizeof s_forward_ep, "ipc://%s/forward.ipc", s_home);
    snprintf (s_rep_key, sizeof s_rep_key, "%s/keys/reporting.cert", s_home);
    snprintf (s_ingest_ep, sizeof s_ingest_ep, "ipc://%s/ingest.ipc", s_home);
    snprintf (s_ingest_key, sizeof s_ingest_key, "%s/keys/ingest-REAL.cert", s_home);
    s_generate ();
    const char *reg_args[] = {"--endpoint", s_reg_req, "--updates", s_reg_pub, NULL};
    s_registry = t_start ("socin-registry", "registry", s_home, reg_args);
    char err[512];
    bool ready = false;
    if (s_registry)
        s_admin = socin_client_new (s_reg_req, s_reg_key, s_admin_cert, 0, err, sizeof err);
    const char *rep_args[] = {"--endpoint",         s_query_ep,   "--forward",
                              s_forward_ep,         "--registry", s_reg_req,
                              "--registry-updates", s_reg_pub,    NULL};
    s_reporting = s_admin ? t_start ("socin-reporting", "reporting", s_home, rep_args) : NULL;
    const char *ing_args[] = {
        "--source",           "REAL",    "--endpoint",  s_ingest_ep,  "--registry", s_reg_req,
        "--registry-updates", s_reg_pub, "--reporting", s_forward_ep, NULL};
    s_ingest = s_reporting ? t_start ("socin-ingest", "ingest", s_home, ing_args) : NULL;
    /* Submitter "olk", for kraj CZ071 only. */
    zcert_t *cert = zcert_new ();
    snprintf (s_olk_cert, sizeof s_olk_cert, "%s/olk.cert", s_home);
    zcert_save (cert, s_olk_cert);
    if (s_ingest) {
        Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
        char *terr[] = {"CZ071"};
        sub.name = "olk";
        sub.public_key = (char *)zcert_public_txt (cert);
        sub.territories = terr;
        sub.n_territories = 1;
        Socin__V1__PutSubmitter put = SOCIN__V1__PUT_SUBMITTER__INIT;
        put.submitter = &sub;
        Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_SUBMITTER;
        req.put_submitter = &put;
        Socin__V1__RegistryReply *r = s_reg_call (s_admin, &req);
        ready = r && r->changes && r->changes->added == 1 && s_find_kraje () &&
                t_wait_replica (s_reporting, s_registry, 30000) &&
                t_wait_replica (s_ingest, s_registry, 30000);
        s_free (r);
    }
    zcert_destroy (&cert);
    if (ready) {
        s_analyst = socin_client_new (s_query_ep, s_rep_key, s_admin_cert, 0, err, sizeof err);
        s_local = socin_client_new (s_ingest_ep, s_ingest_key, s_admin_cert, 0, err, sizeof err);
        s_olk = socin_client_new (s_ingest_ep, s_ingest_key, s_olk_cert, 0, err, sizeof err);
        ready = s_analyst && s_local && s_olk;
    }
    if (!ready) {
        printf ("FAIL - a registry, reporting and an ingest start and replicate\n");
        t_failed++;
    } else {
        RUN (test_import, "plans files in JSON and CSV are imported whole (a dry run changes "
                          "nothing, the same plans again change nothing) and listed by code, "
                          "owner territory and kind");
        RUN (test_import_refused, "a plans file with an unknown owner, a negative or malformed "
                                  "amount, an unknown kind or area, plan columns that differ "
                                  "between rows or an end before the start is refused whole, "
                                  "naming the line and field");
        CHECK (t_wait_replica (s_ingest, s_registry, 30000) &&
               t_wait_replica (s_reporting, s_registry, 30000));
        RUN (test_conflicts, "unknown plan or measure, outside the territory, outside the plan's "
                             "window, negative and malformed amounts, an unknown status, locked "
                             "and future periods and a repeated key are coded conflicts naming "
                             "the field; atomic stores nothing");
        RUN (test_deliver, "a year and a quarter of measure progress, shuffled, with resends of "
                           "the same submissions and of the same facts, is imported once and "
                           "forwarded");
        RUN (test_by_kraj, "plan fulfilment by kraj, as of three days, equals the figures "
                           "computed here: statuses, overdue, shares done by count and budget, "
                           "planned and spent by source, output targets reached");
        RUN (test_country_group_kind, "for the country, a group, a plan kind and a policy area "
                                      "the figures are as computed here; an unknown plan is "
                                      "NOT_FOUND");
        RUN (test_plan_detail_and_late, "one plan's detail gives each measure's latest report "
                                        "and the late list holds exactly the delayed and "
                                        "overdue measures, in plan and measure order");
        RUN (test_restart, "after a kill -9 and restart reporting gives the same figures");
    }
    socin_client_destroy (&s_olk);
    socin_client_destroy (&s_local);
    socin_client_destroy (&s_analyst);
    socin_client_destroy (&s_admin);
    t_free (&s_ingest);
    t_free (&s_reporting);
    t_free (&s_registry);
    t_rmtree (s_home);
    return TEST_SUMMARY ();
}
