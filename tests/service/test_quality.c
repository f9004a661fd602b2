/*  Data quality, with a real registry (the embedded sample territory), a real ingest and real
    reporting: a total and its breakdowns are never summed together, validation rules list the
    units that break them with both sides, outliers against a unit's own history (an exact
    z-score at its boundary), follow-up marks set with a value and listed by territory, and
    approval step by step that locks the data, is shown by completeness and keeps its history,
    each change reaching reporting exactly once.

    Every expected figure is computed here from the values this test sends. The clock is fixed
    at 2026-03-15 (SOCIN_TODAY): months of 2025 and 2026 up to March are open. */
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "decimal.h"
#include "registry.h"
#include "stack.h"
#include "testing.h"
#include "wire.h"
#include "socin/v1/ingest.pb-c.h"
#include "socin/v1/registry.pb-c.h"
#include "socin/v1/report.pb-c.h"

#define CODE(name) SOCIN__V1__ERROR_CODE__ERROR_CODE_##name
#define KIND(name) SOCIN__V1__ITEM_KIND__ITEM_KIND_##name
#define STEP(name) SOCIN__V1__APPROVAL_STEP__APPROVAL_STEP_##name

/* Municipalities of kraj CZ064 in the sample territory. */
#define USTUP   "553883" /* okres CZ0641 */
#define BLANSKO "581283" /* okres CZ0641 */
#define BRNO    "582786"
#define BRECLAV "584291"
#define HODONIN "586021"
#define VYSKOV  "592889"

static char s_home[256];
static char s_reg_req[400], s_reg_pub[400], s_reg_key[400], s_admin_cert[400];
static char s_ingest_ep[400], s_ingest_key[400], s_query_ep[400], s_rep_key[400];
static char s_brno_cert[400], s_jmk_cert[400];
static t_daemon_t *s_registry, *s_ingest, *s_reporting;
static socin_client_t *s_admin, *s_local, *s_brno, *s_jmk, *s_analyst;

static const char *s_rules =
    "[rule R_VULNERABLE]\n"
    "name = Vulnerable participants within participants\n"
    "left = PART_VULNERABLE\n"
    "operator = <=\n"
    "right = PART_PARTICIPANTS\n"
    "importance = high\n"
    "message = more participants from vulnerable groups than participants\n"
    "[rule R_HOUSEHOLDS]\n"
    "left = SH_HOUSEHOLDS\n"
    "operator = <=\n"
    "right = SH_FLATS * 4\n"
    "message = more households than four per social flat\n"
    "[rule R_BREAKDOWN]\n"
    "left = PART_VULNERABLE{target_group=*}\n"
    "operator = <=\n"
    "right = 6\n"
    "importance = low\n"
    "message = the breakdown by target group exceeds 6\n";

/* ---- calls ---- */

static ProtobufCMessage *
s_call (socin_client_t *c, ProtobufCMessage *req, const ProtobufCMessageDescriptor *d)
{
    char err[512];
    ProtobufCMessage *r = socin_client_call (c, req, d, 20000, err, sizeof err);
    if (!r) fprintf (stderr, "    call failed: %s\n", err);
    return r;
}

static Socin__V1__RegistryReply *
s_reg_call (Socin__V1__RegistryRequest *req)
{
    static int n;
    char id[32];
    snprintf (id, sizeof id, "r%d", ++n);
    req->request_id = id;
    return (Socin__V1__RegistryReply *)s_call (s_admin, &req->base,
                                               &socin__v1__registry_reply__descriptor);
}

static Socin__V1__RegistryReply *
s_import (const char *text)
{
    Socin__V1__ImportCatalogue imp = SOCIN__V1__IMPORT_CATALOGUE__INIT;
    imp.text.data = (uint8_t *)text;
    imp.text.len = strlen (text);
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_CATALOGUE;
    req.import_catalogue = &imp;
    return s_reg_call (&req);
}

static int
s_put_submitter (const char *name, const char *key, const char *territory)
{
    return t_put_submitter (s_admin, name, key, territory, NULL, false);
}

/* A submission being built. */
typedef struct {
    Socin__V1__Submission sub;
    Socin__V1__DataValue values[16], *vptr[16];
    Socin__V1__FollowupMark marks[4], *mptr[4];
    Socin__V1__Approval approvals[4], *aptr[4];
} s_sub_t;

static void
s_sub_init (s_sub_t *s, const char *id)
{
    memset (s, 0, sizeof *s);
    socin__v1__submission__init (&s->sub);
    s->sub.submission_id = (char *)id;
    s->sub.values = s->vptr;
    s->sub.followups = s->mptr;
    s->sub.approvals = s->aptr;
}

/* V set to a value of IND for UNIT and PERIOD (a deletion when VALUE is NULL). */
static void
s_dv_set (Socin__V1__DataValue *v, const char *ind, const char *unit, const char *period,
          const char *disagg, const char *value)
{
    socin__v1__data_value__init (v);
    v->indicator = (char *)ind;
    v->unit = (char *)unit;
    v->period = (char *)period;
    v->disaggregation = (char *)disagg;
    v->value = (char *)(value ? value : "");
    v->delete_ = value == NULL;
}

static Socin__V1__DataValue *
s_value (s_sub_t *s, const char *ind, const char *unit, const char *period, const char *disagg,
         const char *value)
{
    Socin__V1__DataValue *v = &s->values[s->sub.n_values];
    s_dv_set (v, ind, unit, period, disagg, value);
    s->vptr[s->sub.n_values++] = v;
    return v;
}

static void
s_mark (s_sub_t *s, const char *ind, const char *unit, const char *period, bool on,
        const char *comment)
{
    Socin__V1__FollowupMark *m = &s->marks[s->sub.n_followups];
    socin__v1__followup_mark__init (m);
    m->indicator = (char *)ind;
    m->unit = (char *)unit;
    m->period = (char *)period;
    m->followup = on;
    m->comment = (char *)comment;
    s->mptr[s->sub.n_followups++] = m;
}

static void
s_approve (s_sub_t *s, const char *ds, const char *unit, const char *period, int step,
           bool withdraw)
{
    Socin__V1__Approval *a = &s->approvals[s->sub.n_approvals];
    socin__v1__approval__init (a);
    a->dataset = (char *)ds;
    a->unit = (char *)unit;
    a->period = (char *)period;
    a->step = step;
    a->withdraw = withdraw;
    s->aptr[s->sub.n_approvals++] = a;
}

static long long s_applied (void);

/* Sends S through CLIENT and waits until reporting applied what it changed; the reply. */
static Socin__V1__IngestReply *
s_send (socin_client_t *client, s_sub_t *s)
{
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = s->sub.submission_id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &s->sub;
    Socin__V1__IngestReply *r =
        (Socin__V1__IngestReply *)s_call (client, &req.base, &socin__v1__ingest_reply__descriptor);
    if (!r || !r->summary) return r;
    for (int i = 0; i < 400 && s_applied () < (long long)r->summary->source_seq; i++)
        zclock_sleep (25);
    return r;
}

static void
s_free (void *msg)
{
    if (msg) protobuf_c_message_free_unpacked (msg, NULL);
}

static Socin__V1__ReportReply *
s_report (Socin__V1__ReportRequest *req)
{
    static int n;
    char id[32];
    snprintf (id, sizeof id, "q%d", ++n);
    req->request_id = id;
    return (Socin__V1__ReportReply *)s_call (s_analyst, &req->base,
                                             &socin__v1__report_reply__descriptor);
}

static long long
s_applied (void)
{
    Socin__V1__SourcesQuery q = SOCIN__V1__SOURCES_QUERY__INIT;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_SOURCES;
    req.sources = &q;
    Socin__V1__ReportReply *r = s_report (&req);
    long long applied = -1;
    for (size_t i = 0; r && r->stamp && i < r->stamp->n_sources; i++)
        if (!strcmp (r->stamp->sources[i]->source, "CZ064"))
            applied = (long long)r->stamp->sources[i]->applied_seq;
    s_free (r);
    return applied;
}

/* The figure of a roll-up for UNDER itself ("" when none). */
static void
s_rollup (const char *ind, const char *period, const char *under, const char *disagg, char *out,
          size_t len)
{
    Socin__V1__RollupQuery q = SOCIN__V1__ROLLUP_QUERY__INIT;
    q.indicator = (char *)ind;
    q.period = (char *)period;
    q.under = (char *)under;
    q.disaggregation = (char *)disagg;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
    req.rollup = &q;
    Socin__V1__ReportReply *r = s_report (&req);
    snprintf (out, len, "%s",
              r && r->table && r->table->n_rows == 1 ? r->table->rows[0]->value : "(none)");
    s_free (r);
}

static Socin__V1__ReportReply *
s_violations (const char *rule, const char *period, int level, const char *under)
{
    Socin__V1__ViolationsQuery q = SOCIN__V1__VIOLATIONS_QUERY__INIT;
    q.rule = (char *)rule;
    q.period = (char *)period;
    q.level = level;
    q.under = (char *)under;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_VIOLATIONS;
    req.violations = &q;
    return s_report (&req);
}

static Socin__V1__ReportReply *
s_outliers (const char *period, const char *method, const char *threshold)
{
    Socin__V1__OutliersQuery q = SOCIN__V1__OUTLIERS_QUERY__INIT;
    q.indicator = "PART_PARTICIPANTS";
    q.period = (char *)period;
    q.under = "CZ064";
    q.history = 12;
    q.method = (char *)method;
    q.threshold = (char *)threshold;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_OUTLIERS;
    req.outliers = &q;
    return s_report (&req);
}

static Socin__V1__ReportReply *
s_followups (const char *under)
{
    Socin__V1__FollowupQuery q = SOCIN__V1__FOLLOWUP_QUERY__INIT;
    q.under = (char *)under;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_FOLLOWUPS;
    req.followups = &q;
    return s_report (&req);
}

/* ---- cases ---- */

static void
test_rules_import (void)
{
    Socin__V1__RegistryReply *r = s_import (s_rules);
    CHECK (r && r->changes);
    if (r && r->changes) CHECK_INT (r->changes->added, 3);
    s_free (r);
    r = s_import ("[rule R_BAD]\nleft = NOPE\noperator = <=\nright = PART_PARTICIPANTS\n");
    CHECK (r && r->error);
    if (r && r->error) CHECK_CONTAINS (r->error->message, "indicator 'NOPE' is not defined");
    s_free (r);
    r = s_import ("[rule R_BAD]\nleft = PART_EVENTS\noperator = =<\nright = 1\n");
    CHECK (r && r->error);
    if (r && r->error) CHECK_CONTAINS (r->error->message, "unknown operator '=<'");
    s_free (r);
    CHECK (t_wait_replica (s_reporting, s_registry, 20000));
    CHECK (t_wait_replica (s_ingest, s_registry, 20000));
}

static void
test_no_double_counting (void)
{
    /* Blansko sends its total, then a breakdown in the same submission: the breakdown is
       refused. Ústup sends two breakdowns; its total is then refused. */
    s_sub_t s;
    s_sub_init (&s, "dc-1");
    s_value (&s, "PART_VULNERABLE", BLANSKO, "202601", "", "10");
    s_value (&s, "PART_VULNERABLE", BLANSKO, "202601", "target_group=roma", "5");
    s_value (&s, "PART_VULNERABLE", USTUP, "202601", "target_group=roma", "3");
    s_value (&s, "PART_VULNERABLE", USTUP, "202601", "target_group=children", "4");
    Socin__V1__IngestReply *r = s_send (s_local, &s);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->imported, 3);
        CHECK_INT (r->summary->rejected, 1);
        CHECK_INT (r->summary->n_conflicts, 1);
        if (r->summary->n_conflicts == 1) {
            CHECK_INT (r->summary->conflicts[0]->index, 1);
            CHECK_INT (r->summary->conflicts[0]->code, CODE (MIXED_DISAGGREGATION));
        }
    }
    s_free (r);
    s_sub_init (&s, "dc-2");
    s_value (&s, "PART_VULNERABLE", USTUP, "202601", "", "9");
    r = s_send (s_local, &s);
    CHECK (r && r->summary && r->summary->n_conflicts == 1 &&
           r->summary->conflicts[0]->code == CODE (MIXED_DISAGGREGATION));
    if (r && r->summary && r->summary->n_conflicts == 1)
        CHECK_CONTAINS (r->summary->conflicts[0]->message, "target_group=");
    s_free (r);
    /* A breakdown alone against Blansko's total, the key stored just before it: refused, and
       nothing of it stays. */
    long long conflicts = t_ctl_field (s_ingest, "stats", "conflicts");
    s_sub_init (&s, "dc-2b");
    s_value (&s, "PART_VULNERABLE", BLANSKO, "202601", "target_group=children", "2");
    r = s_send (s_local, &s);
    /* The ingest's stats count the refusal, made as the submission was applied. */
    CHECK_INT (t_ctl_field (s_ingest, "stats", "conflicts"), conflicts + 1);
    CHECK (r && r->summary && r->summary->imported == 0 && r->summary->rejected == 1 &&
           r->summary->n_conflicts == 1 &&
           r->summary->conflicts[0]->code == CODE (MIXED_DISAGGREGATION));
    if (r && r->summary && r->summary->n_conflicts == 1)
        CHECK_CONTAINS (r->summary->conflicts[0]->message, "but the values stored are the total");
    s_free (r);
    /* Okres Blansko: Blansko's total 10 and Ústup's breakdowns 3 + 4, never 10 + 5 + 7. */
    char v[64];
    s_rollup ("PART_VULNERABLE", "202601", "CZ0641", "", v, sizeof v);
    CHECK_STR (v, "17");
    s_rollup ("PART_VULNERABLE", "202601", "CZ0641", "target_group=roma", v, sizeof v);
    CHECK_STR (v, "3");
    s_rollup ("PART_VULNERABLE", "202601", "CZ0641", "target_group=children", v, sizeof v);
    CHECK_STR (v, "4");
    /* Deleting the breakdowns lets the total in, in the same submission. */
    s_sub_init (&s, "dc-3");
    s_value (&s, "PART_VULNERABLE", USTUP, "202601", "target_group=roma", NULL);
    s_value (&s, "PART_VULNERABLE", USTUP, "202601", "target_group=children", NULL);
    s_value (&s, "PART_VULNERABLE", USTUP, "202601", "", "8");
    r = s_send (s_local, &s);
    CHECK (r && r->summary && r->summary->deleted == 2 && r->summary->imported == 1 &&
           r->summary->rejected == 0);
    s_free (r);
    s_rollup ("PART_VULNERABLE", "202601", "CZ0641", "", v, sizeof v);
    CHECK_STR (v, "18");
}

/* The import summary of test_rules's submission warns of the rules its values break, by
   unit, period and rule: Ústup 3 + 4 = 7 > 6 (R_BREAKDOWN) and 7 > 5 (R_VULNERABLE), Blansko
   10 > 8, Hodonín 9 > 2 * 4; Vyškov's 12 <= 3 * 4 holds, Brno sent one side only, Blansko's
   total is no target_group breakdown. Every item was accepted: status WARNING. */
static void
s_check_warnings (const Socin__V1__IngestReply *r)
{
    static const char *want[][5] = {{USTUP, "202602", "R_BREAKDOWN", "7", "6"},
                                    {USTUP, "202602", "R_VULNERABLE", "7", "5"},
                                    {BLANSKO, "202602", "R_VULNERABLE", "10", "8"},
                                    {HODONIN, "2026Q1", "R_HOUSEHOLDS", "9", "8"}};
    CHECK (r && r->summary);
    if (!r || !r->summary) return;
    CHECK_INT (r->summary->status, SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_WARNING);
    CHECK_INT (r->summary->n_rule_warnings, 4);
    for (size_t i = 0; i < 4 && i < r->summary->n_rule_warnings; i++) {
        const Socin__V1__RuleWarning *w = r->summary->rule_warnings[i];
        CHECK_STR (w->unit, want[i][0]);
        CHECK_STR (w->period, want[i][1]);
        CHECK_STR (w->rule, want[i][2]);
        CHECK_STR (w->left_value, want[i][3]);
        CHECK_STR (w->right_value, want[i][4]);
        CHECK_STR (w->operator_, "<=");
    }
    if (r->summary->n_rule_warnings == 4) {
        CHECK_STR (r->summary->rule_warnings[2]->importance, "high");
        CHECK_STR (r->summary->rule_warnings[2]->message,
                   "more participants from vulnerable groups than participants");
        CHECK_STR (r->summary->rule_warnings[3]->right, "SH_FLATS * 4");
    }
}

/* A submission of many values, built on the heap. */
typedef struct {
    Socin__V1__Submission sub;
    Socin__V1__DataValue *values, **vptr;
    size_t cap;
} s_big_t;

static void
s_big_init (s_big_t *b, const char *id, size_t cap)
{
    memset (b, 0, sizeof *b);
    socin__v1__submission__init (&b->sub);
    b->sub.submission_id = (char *)id;
    b->values = calloc (cap, sizeof *b->values);
    b->vptr = calloc (cap, sizeof *b->vptr);
    b->cap = cap;
    b->sub.values = b->vptr;
}

static void
s_big_value (s_big_t *b, const char *ind, const char *unit, const char *period, const char *disagg,
             const char *value)
{
    if (b->sub.n_values == b->cap) return;
    Socin__V1__DataValue *v = &b->values[b->sub.n_values];
    s_dv_set (v, ind, unit, period, disagg, value);
    b->vptr[b->sub.n_values++] = v;
}

static void
s_big_free (s_big_t *b)
{
    free (b->values);
    free (b->vptr);
}

static Socin__V1__IngestReply *
s_big_send (s_big_t *b)
{
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = b->sub.submission_id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &b->sub;
    return (Socin__V1__IngestReply *)s_call (s_local, &req.base,
                                             &socin__v1__ingest_reply__descriptor);
}

/* Whether every conflict of R is MIXED_DISAGGREGATION on a value of B that is a total. */
static bool
s_totals_refused (const Socin__V1__IngestReply *r, const s_big_t *b)
{
    for (size_t i = 0; i < r->summary->n_conflicts; i++) {
        const Socin__V1__Conflict *c = r->summary->conflicts[i];
        if (c->code != CODE (MIXED_DISAGGREGATION) || c->index >= b->sub.n_values ||
            *b->values[c->index].disaggregation)
            return false;
    }
    return true;
}

/* test_shape_in_parts's indicator: monthly, broken down by a dimension of 20 options, so
   that one indicator, unit and period can hold enough values for submissions of several
   parts (S_SHAPE_PART in services/ingest/ledger.c: 1,024 values). */
#define SHAPE_OPTIONS 20
#define SHAPE_UNITS   7
#define SHAPE_MONTHS  15

static bool
s_shape_catalogue (void)
{
    char text[4096];
    size_t n = (size_t)snprintf (text, sizeof text,
                                 "[dimension shape_part]\nname_cs = Část\nname_en = Part\n");
    for (int o = 1; o <= SHAPE_OPTIONS; o++)
        n += (size_t)snprintf (text + n, sizeof text - n, "option = o%02d | Část %d | Part %d\n", o,
                               o, o);
    snprintf (text + n, sizeof text - n,
              "[indicator SHAPE_PARTS]\nname_cs = Části\nname_en = Parts\nmeasure = persons\n"
              "type = integer\naggregation = sum\nrange = 0..1000000\narea = participation\n"
              "dimensions = shape_part\nperiod = monthly\n"
              "[dataset DS_SHAPE_PARTS]\nname = Části\nperiod = monthly\n"
              "indicators = SHAPE_PARTS\nterritories = CZ\nlevel = municipality\n");
    Socin__V1__RegistryReply *r = s_import (text);
    bool ok = r && r->changes && !r->error;
    s_free (r);
    return ok && t_wait_replica (s_ingest, s_registry, 20000);
}

/* The value of option O (1..SHAPE_OPTIONS) of key K in SUB, a breakdown (O > 0) or the total
   (O == 0), or its deletion (VALUE NULL). */
static void
s_shape_value (s_big_t *b, size_t k, int o, const char *value)
{
    static const char *units[SHAPE_UNITS] = {USTUP,   BLANSKO, BRNO,    BRECLAV,
                                             HODONIN, VYSKOV,  "593711"};
    static char periods[SHAPE_MONTHS][16], options[SHAPE_OPTIONS + 1][32];
    if (!*periods[0])
        for (int m = 0; m < SHAPE_MONTHS; m++)
            snprintf (periods[m], sizeof periods[m], "%04d%02d", 2025 + m / 12, m % 12 + 1);
    if (o && !*options[o]) snprintf (options[o], sizeof options[o], "shape_part=o%02d", o);
    s_big_value (b, "SHAPE_PARTS", units[k / SHAPE_MONTHS], periods[k % SHAPE_MONTHS],
                 o ? options[o] : "", value);
}

/* The ingest checks shapes a part of a submission at a time, just before it applies that part:
   submissions of several parts (over a hundred keys of an indicator, unit and period, a dozen
   values each) are judged exactly as one part would be, against what the submission itself
   sets and what is stored. */
static void
test_shape_in_parts (void)
{
    CHECK (s_shape_catalogue ());
    size_t keys = SHAPE_UNITS * SHAPE_MONTHS, mixed = 0;
    /* Twelve breakdowns of every key, and for every seventh key its total after them: the
       breakdowns came first, so that total is refused. */
    s_big_t b;
    s_big_init (&b, "shape-parts-1", 4000);
    for (size_t k = 0; k < keys; k++) {
        for (int o = 1; o <= 12; o++)
            s_shape_value (&b, k, o, "3");
        if (k % 7 == 3) {
            s_shape_value (&b, k, 0, "36");
            mixed++;
        }
    }
    CHECK_INT (b.sub.n_values, 12 * keys + mixed);
    Socin__V1__IngestReply *r = s_big_send (&b);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->imported, 12 * keys);
        CHECK_INT (r->summary->rejected, mixed);
        CHECK (s_totals_refused (r, &b));
    }
    s_free (r);
    s_big_free (&b);
    /* A total and twelve new breakdowns for every key: the stored breakdowns refuse each
       total and take the new figures. */
    s_big_init (&b, "shape-parts-2", 4000);
    for (size_t k = 0; k < keys; k++) {
        s_shape_value (&b, k, 0, "60");
        for (int o = 1; o <= 12; o++)
            s_shape_value (&b, k, o, "5");
    }
    r = s_big_send (&b);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->imported, 0);
        CHECK_INT (r->summary->updated, 12 * keys);
        CHECK_INT (r->summary->rejected, keys);
        CHECK (s_totals_refused (r, &b));
    }
    s_free (r);
    s_big_free (&b);
    /* Every fifth key's breakdowns deleted and its total sent in the same submission: taken.
       The other keys get eight more breakdowns, taken, and a total, refused again. */
    s_big_init (&b, "shape-parts-3", 4000);
    size_t changed = 0;
    for (size_t k = 0; k < keys; k++) {
        if (k % 5 == 0) {
            for (int o = 1; o <= 12; o++)
                s_shape_value (&b, k, o, NULL);
            changed++;
        } else
            for (int o = 13; o <= 20; o++)
                s_shape_value (&b, k, o, "2");
        s_shape_value (&b, k, 0, "11");
    }
    CHECK (b.sub.n_values > 1024);
    r = s_big_send (&b);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->imported, changed + 8 * (keys - changed));
        CHECK_INT (r->summary->deleted, 12 * changed);
        CHECK_INT (r->summary->rejected, keys - changed);
        CHECK (s_totals_refused (r, &b));
    }
    s_free (r);
    s_big_free (&b);
}

static void
test_rules (void)
{
    s_sub_t s;
    s_sub_init (&s, "rules-1");
    s_value (&s, "PART_VULNERABLE", BLANSKO, "202602", "", "10");
    s_value (&s, "PART_PARTICIPANTS", BLANSKO, "202602", "", "8");
    s_value (&s, "PART_VULNERABLE", USTUP, "202602", "target_group=roma", "3");
    s_value (&s, "PART_VULNERABLE", USTUP, "202602", "target_group=children", "4");
    s_value (&s, "PART_PARTICIPANTS", USTUP, "202602", "", "5");
    s_value (&s, "PART_PARTICIPANTS", BRNO, "202602", "", "100");
    s_value (&s, "SH_FLATS", HODONIN, "2026Q1", "", "2");
    s_value (&s, "SH_HOUSEHOLDS", HODONIN, "2026Q1", "", "9");
    s_value (&s, "SH_FLATS", VYSKOV, "2026Q1", "", "3");
    s_value (&s, "SH_HOUSEHOLDS", VYSKOV, "2026Q1", "", "12");
    Socin__V1__IngestReply *r = s_send (s_local, &s);
    CHECK (r && r->summary && r->summary->imported == 10 && r->summary->rejected == 0);
    s_check_warnings (r);
    s_free (r);
    /* Resent, the stored answer holds the same warnings. */
    r = s_send (s_local, &s);
    CHECK (r && r->summary && r->summary->replayed);
    s_check_warnings (r);
    s_free (r);

    /* Municipalities: Blansko 10 > 8 and Ústup 3 + 4 = 7 > 5 break it; Brno has no
       vulnerable count (skipped); Břeclav, Hodonín, Vyškov and Znojmo have neither side. */
    Socin__V1__ReportReply *q = s_violations ("R_VULNERABLE", "202602", 5, "CZ064");
    CHECK (q && q->violations && !q->error);
    if (q && q->violations) {
        CHECK_INT (q->violations->rules, 1);
        CHECK_INT (q->violations->n_violations, 2);
        CHECK_INT (q->violations->skipped, 5);
        if (q->violations->n_violations == 2) {
            Socin__V1__Violation *a = q->violations->violations[0],
                                 *b = q->violations->violations[1];
            CHECK_STR (a->unit, USTUP);
            CHECK_STR (a->left_value, "7");
            CHECK_STR (a->right_value, "5");
            CHECK_STR (a->importance, "high");
            CHECK_STR (b->unit, BLANSKO);
            CHECK_STR (b->left_value, "10");
            CHECK_STR (b->right_value, "8");
            CHECK_STR (b->operator_, "<=");
            CHECK_STR (b->message, "more participants from vulnerable groups than participants");
        }
    }
    s_free (q);
    /* Okres Blansko as a whole: 17 > 13. */
    q = s_violations ("R_VULNERABLE", "202602", 0, "CZ0641");
    CHECK (q && q->violations && q->violations->n_violations == 1);
    if (q && q->violations && q->violations->n_violations == 1) {
        CHECK_STR (q->violations->violations[0]->left_value, "17");
        CHECK_STR (q->violations->violations[0]->right_value, "13");
    }
    s_free (q);
    /* Households against four per flat: Hodonín 9 > 8; Vyškov 12 <= 12 holds. */
    q = s_violations ("R_HOUSEHOLDS", "2026Q1", 5, "CZ064");
    CHECK (q && q->violations && q->violations->n_violations == 1);
    if (q && q->violations && q->violations->n_violations == 1) {
        CHECK_STR (q->violations->violations[0]->unit, HODONIN);
        CHECK_STR (q->violations->violations[0]->left_value, "9");
        CHECK_STR (q->violations->violations[0]->right_value, "8");
    }
    s_free (q);
    /* The breakdown sum: Ústup's 7 > 6; Blansko sent a total only (skipped). */
    q = s_violations ("R_BREAKDOWN", "202602", 5, "CZ0641");
    CHECK (q && q->violations && q->violations->n_violations == 1);
    if (q && q->violations && q->violations->n_violations == 1) {
        CHECK_STR (q->violations->violations[0]->unit, USTUP);
        CHECK_STR (q->violations->violations[0]->left_value, "7");
        CHECK_STR (q->violations->violations[0]->right_value, "6");
        CHECK_INT (q->violations->skipped, 1);
    }
    s_free (q);
    q = s_violations ("R_NONE", "202602", 5, "CZ064");
    CHECK (q && q->error && q->error->code == CODE (NOT_FOUND));
    s_free (q);
}

static void
test_outliers (void)
{
    /* Břeclav and Hodonín share a year of history; Břeclav then jumps. Vyškov's history is
       0 and 2 (mean 1, deviation 1): 4 lies exactly 3 deviations off. */
    static const int hist[12] = {10, 12, 11, 13, 9, 10, 11, 12, 10, 11, 12, 9};
    static char periods[12][16], texts[12][16];
    s_sub_t s;
    s_sub_init (&s, "out-1");
    for (int m = 0; m < 12; m++) {
        snprintf (periods[m], sizeof periods[m], "2025%02d", m + 1);
        snprintf (texts[m], sizeof texts[m], "%d", hist[m]);
    }
    Socin__V1__Submission *subs[3];
    s_sub_t more[2];
    s_sub_init (&more[0], "out-2");
    s_sub_init (&more[1], "out-3");
    for (int m = 0; m < 12; m++) {
        s_sub_t *t = m < 8 ? &s : &more[0];
        s_value (t, "PART_PARTICIPANTS", BRECLAV, periods[m], "", texts[m]);
        s_value (m < 4 ? &more[0] : &more[1], "PART_PARTICIPANTS", HODONIN, periods[m], "",
                 texts[m]);
    }
    s_value (&more[1], "PART_PARTICIPANTS", BRECLAV, "202601", "", "40");
    s_value (&more[1], "PART_PARTICIPANTS", HODONIN, "202601", "", "12");
    s_value (&more[1], "PART_PARTICIPANTS", VYSKOV, "202511", "", "0");
    s_value (&more[1], "PART_PARTICIPANTS", VYSKOV, "202512", "", "2");
    s_value (&more[1], "PART_PARTICIPANTS", VYSKOV, "202601", "", "4");
    subs[0] = &s.sub;
    subs[1] = &more[0].sub;
    subs[2] = &more[1].sub;
    s_sub_t *all[3] = {&s, &more[0], &more[1]};
    for (int i = 0; i < 3; i++) {
        Socin__V1__IngestReply *r = s_send (s_local, all[i]);
        CHECK (r && r->summary && r->summary->rejected == 0 &&
               r->summary->imported == subs[i]->n_values);
        s_free (r);
    }
    /* Mean 130/12 = 10.833333..., population variance (sum of squares 1430)/12 - mean^2. */
    Socin__V1__ReportReply *q = s_outliers ("202601", "zscore", "3");
    CHECK (q && q->outliers);
    if (q && q->outliers) {
        CHECK_INT (q->outliers->units, 3);
        CHECK_INT (q->outliers->judged, 3);
        CHECK_INT (q->outliers->n_outliers, 1);
        if (q->outliers->n_outliers == 1) {
            Socin__V1__Outlier *o = q->outliers->outliers[0];
            CHECK_STR (o->unit, BRECLAV);
            CHECK_STR (o->value, "40");
            CHECK_STR (o->mean, "10.833333");
            CHECK_STR (o->min, "9");
            CHECK_STR (o->max, "13");
            CHECK_INT (o->n_history, 12);
            if (o->n_history == 12) {
                CHECK_STR (o->history[0]->period, "202501");
                CHECK_STR (o->history[0]->value, "10");
                CHECK_STR (o->history[11]->period, "202512");
            }
        }
    }
    s_free (q);
    /* Just under 3 deviations, Vyškov's 4 (exactly 3 off) counts too. */
    q = s_outliers ("202601", "zscore", "2.999999");
    CHECK (q && q->outliers && q->outliers->n_outliers == 2);
    if (q && q->outliers && q->outliers->n_outliers == 2) {
        CHECK_STR (q->outliers->outliers[1]->unit, VYSKOV);
        CHECK_STR (q->outliers->outliers[1]->mean, "1");
        CHECK_STR (q->outliers->outliers[1]->score, "3.00");
    }
    s_free (q);
    /* Min-max: Hodonín's 12 lies within 9..13, Břeclav's 40 and Vyškov's 4 do not. */
    q = s_outliers ("202601", "minmax", "");
    CHECK (q && q->outliers && q->outliers->n_outliers == 2);
    if (q && q->outliers && q->outliers->n_outliers == 2) {
        CHECK_STR (q->outliers->outliers[0]->unit, BRECLAV);
        CHECK_STR (q->outliers->outliers[1]->unit, VYSKOV);
    }
    s_free (q);
}

static void
test_followup (void)
{
    s_sub_t s;
    s_sub_init (&s, "fu-1");
    s_value (&s, "PART_EVENTS", BRNO, "202602", "", "4");
    s_mark (&s, "PART_EVENTS", BRNO, "202602", true, "check the count");
    s_mark (&s, "PART_EVENTS", BRNO, "202601", true, "no such value");
    Socin__V1__IngestReply *r = s_send (s_local, &s);
    CHECK (r && r->summary);
    if (r && r->summary) {
        CHECK_INT (r->summary->imported, 2);
        CHECK_INT (r->summary->rejected, 1);
        if (r->summary->n_conflicts == 1) {
            CHECK_INT (r->summary->conflicts[0]->kind, KIND (FOLLOWUP));
            CHECK_INT (r->summary->conflicts[0]->index, 1);
            CHECK_INT (r->summary->conflicts[0]->code, CODE (NO_SUCH_VALUE));
        }
    }
    s_free (r);
    Socin__V1__ReportReply *q = s_followups ("CZ064");
    CHECK (q && q->followups && q->followups->n_rows == 1);
    if (q && q->followups && q->followups->n_rows == 1) {
        Socin__V1__FollowupRow *row = q->followups->rows[0];
        CHECK_STR (row->indicator, "PART_EVENTS");
        CHECK_STR (row->unit, BRNO);
        CHECK_STR (row->period, "202602");
        CHECK_STR (row->value, "4");
        CHECK_STR (row->comment, "check the count");
        CHECK_STR (row->submitter, "local");
    }
    s_free (q);
    q = s_followups ("CZ080");
    CHECK (q && q->followups && q->followups->n_rows == 0);
    s_free (q);
    s_sub_init (&s, "fu-2");
    s_mark (&s, "PART_EVENTS", BRNO, "202602", false, "");
    r = s_send (s_local, &s);
    CHECK (r && r->summary && r->summary->deleted == 1 && r->summary->rejected == 0);
    s_free (r);
    q = s_followups ("CZ064");
    CHECK (q && q->followups && q->followups->n_rows == 0);
    s_free (q);
    /* A value sent with its followup flag (DHIS2's column) is marked too, counted once. */
    s_sub_init (&s, "fu-3");
    s_value (&s, "PART_EVENTS", BRNO, "202603", "", "6")->followup = true;
    r = s_send (s_local, &s);
    CHECK (r && r->summary && r->summary->imported == 1 && r->summary->rejected == 0);
    s_free (r);
    q = s_followups ("CZ064");
    CHECK (q && q->followups && q->followups->n_rows == 1);
    if (q && q->followups && q->followups->n_rows == 1) {
        CHECK_STR (q->followups->rows[0]->period, "202603");
        CHECK_STR (q->followups->rows[0]->value, "6");
    }
    s_free (q);
}

/* One approval item by CLIENT; the summary's first conflict code (0 when none), and the
   counts into IMPORTED/UPDATED/DELETED when given. */
static int
s_approval (socin_client_t *client, const char *id, int step, bool withdraw, uint32_t *changed)
{
    s_sub_t s;
    s_sub_init (&s, id);
    s_approve (&s, "DS_PARTICIPATION", BRNO, "202601", step, withdraw);
    Socin__V1__IngestReply *r = s_send (client, &s);
    int code = -1;
    if (r && r->summary) {
        code = r->summary->n_conflicts ? (int)r->summary->conflicts[0]->code : 0;
        if (changed) *changed = r->summary->imported + r->summary->updated + r->summary->deleted;
    }
    s_free (r);
    return code;
}

static int
s_change_brno (const char *id, const char *value)
{
    s_sub_t s;
    s_sub_init (&s, id);
    s_value (&s, "PART_PARTICIPANTS", BRNO, "202601", "", value);
    Socin__V1__IngestReply *r = s_send (s_local, &s);
    int code =
        r && r->summary ? (r->summary->n_conflicts ? (int)r->summary->conflicts[0]->code : 0) : -1;
    s_free (r);
    return code;
}

static Socin__V1__CompletenessRow *
s_completeness (Socin__V1__ReportReply **q)
{
    Socin__V1__CompletenessQuery cq = SOCIN__V1__COMPLETENESS_QUERY__INIT;
    cq.dataset = "DS_PARTICIPATION";
    cq.period = "202601";
    cq.under = "CZ064";
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS;
    req.completeness = &cq;
    *q = s_report (&req);
    return *q && (*q)->completeness && (*q)->completeness->n_rows == 1 ? (*q)->completeness->rows[0]
                                                                       : NULL;
}

static void
test_approval (void)
{
    uint32_t changed = 0;
    CHECK_INT (s_change_brno ("ap-v1", "50"), 0);
    /* Brno's own key approves its step, not the region's. */
    CHECK_INT (s_approval (s_brno, "ap-1", STEP (REGION), false, NULL), CODE (NOT_APPROVER));
    CHECK_INT (s_approval (s_jmk, "ap-2", STEP (REGION), false, NULL), CODE (APPROVAL_ORDER));
    CHECK_INT (s_approval (s_brno, "ap-3", STEP (MUNICIPALITY), false, &changed), 0);
    CHECK_INT (changed, 1);
    /* Approved data is locked, that period only. */
    CHECK_INT (s_change_brno ("ap-v2", "51"), CODE (DATA_APPROVED));
    CHECK_INT (s_approval (s_jmk, "ap-4", STEP (REGION), false, &changed), 0);
    CHECK_INT (s_approval (s_jmk, "ap-5", STEP (CENTRE), false, NULL), CODE (NOT_APPROVER));
    CHECK_INT (s_approval (s_jmk, "ap-6", STEP (MUNICIPALITY), true, NULL), CODE (APPROVAL_ORDER));
    CHECK_INT (s_approval (s_local, "ap-7", STEP (CENTRE), false, &changed), 0);
    Socin__V1__ReportReply *q;
    Socin__V1__CompletenessRow *row = s_completeness (&q);
    CHECK (row != NULL);
    if (row) {
        CHECK_INT (row->expected, 7);
        CHECK_INT (row->approved_municipality, 1);
        CHECK_INT (row->approved_region, 1);
        CHECK_INT (row->approved_centre, 1);
    }
    s_free (q);
    /* Withdrawn from the top down; then the value may change again. */
    CHECK_INT (s_approval (s_local, "ap-8", STEP (CENTRE), true, &changed), 0);
    CHECK_INT (s_approval (s_jmk, "ap-9", STEP (REGION), true, &changed), 0);
    CHECK_INT (s_change_brno ("ap-v3", "51"), CODE (DATA_APPROVED));
    CHECK_INT (s_approval (s_brno, "ap-10", STEP (MUNICIPALITY), true, &changed), 0);
    CHECK_INT (changed, 1);
    CHECK_INT (s_change_brno ("ap-v4", "51"), 0);
    row = s_completeness (&q);
    CHECK (row && row->approved_municipality == 0 && row->approved_region == 0);
    s_free (q);
    /* A resent approval is answered from the stored summary and changes nothing. */
    s_sub_t s;
    s_sub_init (&s, "ap-3");
    s_approve (&s, "DS_PARTICIPATION", BRNO, "202601", STEP (MUNICIPALITY), false);
    Socin__V1__IngestReply *r = s_send (s_brno, &s);
    CHECK (r && r->summary && r->summary->replayed && r->summary->imported == 1);
    s_free (r);
    /* The history at reporting: every change once, in order. */
    Socin__V1__ApprovalQuery aq = SOCIN__V1__APPROVAL_QUERY__INIT;
    aq.dataset = "DS_PARTICIPATION";
    aq.period = "202601";
    aq.unit = BRNO;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_APPROVAL;
    req.approval = &aq;
    q = s_report (&req);
    static const int steps[] = {1, 2, 3, 2, 1, 0};
    CHECK (q && q->approval && q->approval->n_entries == 6);
    if (q && q->approval && q->approval->n_entries == 6) {
        CHECK_INT (q->approval->current, 0);
        for (int i = 0; i < 6; i++)
            CHECK_INT (q->approval->entries[i]->step, steps[i]);
        CHECK_STR (q->approval->entries[0]->submitter, "brno");
        CHECK_STR (q->approval->entries[1]->submitter, "jmk");
    }
    s_free (q);
}

int
main (void)
{
    t_begin (s_home, sizeof s_home, "2026-03-15");
    snprintf (s_reg_req, sizeof s_reg_req, "ipc://%s/registry.ipc", s_home);
    snprintf (s_reg_pub, sizeof s_reg_pub, "ipc://%s/updates.ipc", s_home);
    snprintf (s_reg_key, sizeof s_reg_key, "%s/keys/registry.cert", s_home);
    snprintf (s_ingest_ep, sizeof s_ingest_ep, "ipc://%s/ingest.ipc", s_home);
    snprintf (s_ingest_key, sizeof s_ingest_key, "%s/keys/ingest-CZ064.cert", s_home);
    snprintf (s_query_ep, sizeof s_query_ep, "ipc://%s/query.ipc", s_home);
    snprintf (s_rep_key, sizeof s_rep_key, "%s/keys/reporting.cert", s_home);
    snprintf (s_admin_cert, sizeof s_admin_cert, "%s/keys/admin.cert", s_home);
    snprintf (s_brno_cert, sizeof s_brno_cert, "%s/brno.cert", s_home);
    snprintf (s_jmk_cert, sizeof s_jmk_cert, "%s/jmk.cert", s_home);
    char forward[400];
    snprintf (forward, sizeof forward, "ipc://%s/forward.ipc", s_home);

    const char *reg_args[] = {"--endpoint", s_reg_req, "--updates", s_reg_pub, NULL};
    s_registry = t_start ("socin-registry", "registry", s_home, reg_args);
    const char *rep_args[] = {"--endpoint", s_query_ep, "--forward",          forward,
                              "--registry", s_reg_req,  "--registry-updates", s_reg_pub,
                              NULL};
    s_reporting = s_registry ? t_start ("socin-reporting", "reporting", s_home, rep_args) : NULL;
    const char *ing_args[] = {
        "--endpoint",  s_ingest_ep,   "--registry", s_reg_req,  "--registry-updates",
        s_reg_pub,     "--reporting", forward,      "--source", "CZ064",
        "--territory", "CZ064",       NULL};
    s_ingest = s_reporting ? t_start ("socin-ingest", "ingest", s_home, ing_args) : NULL;
    char err[512];
    bool ready = s_ingest != NULL;
    if (ready) {
        s_admin = socin_client_new (s_reg_req, s_reg_key, s_admin_cert, 0, err, sizeof err);
        zcert_t *brno = zcert_new (), *jmk = zcert_new ();
        ready = s_admin && zcert_save (brno, s_brno_cert) == 0 &&
                zcert_save (jmk, s_jmk_cert) == 0 &&
                s_put_submitter ("brno", zcert_public_txt (brno), BRNO) == 0 &&
                s_put_submitter ("jmk", zcert_public_txt (jmk), "CZ064") == 0;
        zcert_destroy (&brno);
        zcert_destroy (&jmk);
    }
    ready = ready && t_wait_replica (s_ingest, s_registry, 20000) &&
            t_wait_replica (s_reporting, s_registry, 20000);
    if (ready) {
        s_local = socin_client_new (s_ingest_ep, s_ingest_key, s_admin_cert, 0, err, sizeof err);
        s_brno = socin_client_new (s_ingest_ep, s_ingest_key, s_brno_cert, 0, err, sizeof err);
        s_jmk = socin_client_new (s_ingest_ep, s_ingest_key, s_jmk_cert, 0, err, sizeof err);
        s_analyst = socin_client_new (s_query_ep, s_rep_key, s_admin_cert, 0, err, sizeof err);
        ready = s_local && s_brno && s_jmk && s_analyst;
        if (!ready) fprintf (stderr, "    client: %s\n", err);
    }
    if (!ready) {
        printf ("FAIL - a registry, reporting and an ingest start and replicate\n");
        t_failed++;
    } else {
        RUN (test_rules_import, "validation rules are imported with the catalogue; a rule naming "
                                "an unknown indicator or operator is refused, naming it");
        RUN (test_no_double_counting,
             "a total and breakdowns of one indicator, unit and period are refused together "
             "(MIXED_DISAGGREGATION), so roll-ups count the total or the breakdowns, never both");
        RUN (test_shape_in_parts,
             "submissions of over a thousand values, their shapes checked a part at a time as "
             "they are applied, are judged exactly as a whole: by their own first values and by "
             "what is stored");
        RUN (test_rules,
             "an import summary warns of the rules its values break (status WARNING, "
             "replayed alike); violations list each unit and level that breaks a rule with both "
             "sides exact; units without both sides are skipped");
        RUN (test_outliers, "outliers against a unit's history: the exact z-score at its "
                            "boundary, min-max, and the history that makes them suspicious");
        RUN (test_followup, "a follow-up mark is set with its value (or by the value's own "
                            "followup flag), refused without one, listed by territory with its "
                            "comment, and cleared");
        RUN (test_approval, "approval goes step by step by keys allowed to approve, locks the "
                            "data until withdrawn, shows in completeness and keeps its history "
                            "once");
    }
    socin_client_destroy (&s_local);
    socin_client_destroy (&s_brno);
    socin_client_destroy (&s_jmk);
    socin_client_destroy (&s_analyst);
    socin_client_destroy (&s_admin);
    t_free (&s_ingest);
    t_free (&s_reporting);
    t_free (&s_registry);
    if (!t_failed) t_rmtree (s_home);
    return TEST_SUMMARY ();
}
