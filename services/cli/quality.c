/*  quality: socin report violations|outliers|followups|approval (questions about reviewing
    data, routed here from report.c), socin followup mark|unmark and socin approve (items sent
    to the ingest as a submission, so they count, and reach reporting, exactly once). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "error.h"
#include "exitcode.h"
#include "mem.h"
#include "model.h"
#include "options.h"
#include "str.h"
#include "socin/v1/ingest.pb-c.h"
#include "socin/v1/report.pb-c.h"

enum {
    O_RULE,
    O_PERIOD,
    O_LEVEL,
    O_UNDER,
    O_IMPORTANCE,
    O_INDICATOR,
    O_DISAGG,
    O_HISTORY,
    O_METHOD,
    O_THRESHOLD,
    O_DATASET,
    O_UNIT
};

static const cli_opt_t s_opts[] = {
    {"rule", true, false, "one validation rule (violations)"},
    {"period", true, false, "period: 2025, 2025Q3, 202507, ..."},
    {"level", true, false, "one row per unit of this level (violations, outliers)"},
    {"under", true, false, "only units under this unit (default CZ)"},
    {"importance", true, false, "high, medium or low (violations)"},
    {"indicator", true, false, "indicator code (outliers, followups)"},
    {"disaggregation", true, false, "dimension=option,... (outliers)"},
    {"history", true, false, "periods of history (outliers; default 12)"},
    {"method", true, false, "zscore (default) or minmax (outliers)"},
    {"threshold", true, false, "standard deviations (outliers; default 3)"},
    {"dataset", true, false, "data set (approval)"},
    {"unit", true, false, "unit (approval)"},
    {NULL},
};

static const char *s_usage = "socin report violations|outliers|followups|approval [OPTIONS]";

bool
cli_quality_kind (const char *kind)
{
    return !strcmp (kind, "violations") || !strcmp (kind, "outliers") ||
           !strcmp (kind, "followups") || !strcmp (kind, "approval");
}

static void
s_print (cli_t *cli, const char *const *cols, int n, const char *const *const *rows, size_t nrows)
{
    out_table_t *out = out_table_new (cols, n);
    for (size_t i = 0; i < nrows; i++)
        out_table_row (out, rows[i]);
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
}

static void
s_violations (cli_t *cli, const Socin__V1__Violations *v)
{
    static const char *cols[] = {"rule",  "importance", "unit",   "name",   "period",
                                 "left#", "operator",   "right#", "message"};
    const char ***rows = socin_calloc (v->n_violations + 1, sizeof *rows);
    for (size_t i = 0; i < v->n_violations; i++) {
        const Socin__V1__Violation *x = v->violations[i];
        const char *r[] = {x->rule,       x->importance, x->unit,        x->unit_name, x->period,
                           x->left_value, x->operator_,  x->right_value, x->message};
        rows[i] = socin_memdup (r, sizeof r);
    }
    s_print (cli, cols, 9, (const char *const *const *)rows, v->n_violations);
    if (cli->format == OUT_TABLE)
        printf ("%u rule(s) evaluated, %u unit-rule pair(s) skipped (a side without values)\n",
                v->rules, v->skipped);
    for (size_t i = 0; i < v->n_violations; i++)
        free (rows[i]);
    free (rows);
}

static void
s_outliers (cli_t *cli, const Socin__V1__Outliers *o)
{
    static const char *cols[] = {"unit", "name", "value#", "mean#",
                                 "min#", "max#", "score#", "history"};
    const char ***rows = socin_calloc (o->n_outliers + 1, sizeof *rows);
    char **hist = socin_calloc (o->n_outliers + 1, sizeof *hist);
    for (size_t i = 0; i < o->n_outliers; i++) {
        const Socin__V1__Outlier *x = o->outliers[i];
        socin_str_t h = SOCIN_STR_INIT;
        for (size_t k = 0; k < x->n_history; k++)
            socin_str_printf (&h, "%s%s=%s", k ? " " : "", x->history[k]->period,
                              x->history[k]->value);
        hist[i] = socin_strdup (socin_str_cstr (&h));
        socin_str_free (&h);
        const char *r[] = {x->unit, x->name, x->value, x->mean, x->min, x->max, x->score, hist[i]};
        rows[i] = socin_memdup (r, sizeof r);
    }
    s_print (cli, cols, 8, (const char *const *const *)rows, o->n_outliers);
    if (cli->format == OUT_TABLE)
        printf ("%s %s (%s): %u unit(s) with a value, %u with enough history\n", o->indicator,
                o->period, o->method, o->units, o->judged);
    for (size_t i = 0; i < o->n_outliers; i++) {
        free (rows[i]);
        free (hist[i]);
    }
    free (rows);
    free (hist);
}

static void
s_followups (cli_t *cli, const Socin__V1__Followups *f)
{
    static const char *cols[] = {"unit",           "name",   "period",  "indicator",
                                 "disaggregation", "value#", "comment", "submitter"};
    const char ***rows = socin_calloc (f->n_rows + 1, sizeof *rows);
    for (size_t i = 0; i < f->n_rows; i++) {
        const Socin__V1__FollowupRow *x = f->rows[i];
        const char *r[] = {x->unit,           x->unit_name, x->period,  x->indicator,
                           x->disaggregation, x->value,     x->comment, x->submitter};
        rows[i] = socin_memdup (r, sizeof r);
    }
    s_print (cli, cols, 8, (const char *const *const *)rows, f->n_rows);
    for (size_t i = 0; i < f->n_rows; i++)
        free (rows[i]);
    free (rows);
}

static const char *
s_step_name (int step)
{
    static const char *names[] = {"none", "municipality", "region", "centre"};
    return step >= 0 && step <= 3 ? names[step] : "?";
}

static void
s_approval (cli_t *cli, const Socin__V1__ApprovalHistory *a)
{
    static const char *cols[] = {"changed", "step", "submitter", "source", "seq#", "comment"};
    const char ***rows = socin_calloc (a->n_entries + 1, sizeof *rows);
    char (*when)[SOCIN_TIME_STRLEN] = socin_calloc (a->n_entries + 1, sizeof *when);
    char (*seq)[24] = socin_calloc (a->n_entries + 1, sizeof *seq);
    for (size_t i = 0; i < a->n_entries; i++) {
        const Socin__V1__ApprovalEntry *x = a->entries[i];
        socin_time_text (x->changed_ms, when[i]);
        snprintf (seq[i], sizeof seq[i], "%llu", (unsigned long long)x->source_seq);
        const char *r[] = {when[i],   s_step_name (x->step), x->submitter, x->source, seq[i],
                           x->comment};
        rows[i] = socin_memdup (r, sizeof r);
    }
    if (cli->format == OUT_TABLE)
        printf ("%s %s %s: approved to the %s step\n", a->dataset, a->period, a->unit,
                s_step_name (a->current));
    s_print (cli, cols, 6, (const char *const *const *)rows, a->n_entries);
    for (size_t i = 0; i < a->n_entries; i++)
        free (rows[i]);
    free (rows);
    free (when);
    free (seq);
}

int
cli_quality_report (cli_t *cli, int argc, char **argv)
{
    cli_parsed_t p;
    if (cli_parse (s_opts, argc, argv, &p, s_usage) || p.nargs != 1) {
        cli_usage (stderr, s_usage, s_opts);
        return CLI_USAGE;
    }
    const char *kind = p.args[0], *level_text = cli_opt_or_empty (&p, O_LEVEL);
    int level = *level_text ? socin_level_parse (level_text) : 0;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    Socin__V1__ViolationsQuery vq = SOCIN__V1__VIOLATIONS_QUERY__INIT;
    Socin__V1__OutliersQuery oq = SOCIN__V1__OUTLIERS_QUERY__INIT;
    Socin__V1__FollowupQuery fq = SOCIN__V1__FOLLOWUP_QUERY__INIT;
    Socin__V1__ApprovalQuery aq = SOCIN__V1__APPROVAL_QUERY__INIT;
    req.request_id = "report";
    if (*level_text && !level) {
        cli_error ("unknown level '%s'", level_text);
        return CLI_USAGE;
    }
    if (!strcmp (kind, "violations")) {
        vq.rule = (char *)cli_opt_or_empty (&p, O_RULE);
        vq.period = (char *)cli_opt_or_empty (&p, O_PERIOD);
        vq.level = level;
        vq.under = (char *)cli_opt_or_empty (&p, O_UNDER);
        vq.importance = (char *)cli_opt_or_empty (&p, O_IMPORTANCE);
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_VIOLATIONS;
        req.violations = &vq;
    } else if (!strcmp (kind, "outliers")) {
        oq.indicator = (char *)cli_opt_or_empty (&p, O_INDICATOR);
        oq.period = (char *)cli_opt_or_empty (&p, O_PERIOD);
        oq.level = level;
        oq.under = (char *)cli_opt_or_empty (&p, O_UNDER);
        oq.disaggregation = (char *)cli_opt_or_empty (&p, O_DISAGG);
        oq.history = (uint32_t)atoi (cli_opt_or_empty (&p, O_HISTORY));
        oq.method = (char *)cli_opt_or_empty (&p, O_METHOD);
        oq.threshold = (char *)cli_opt_or_empty (&p, O_THRESHOLD);
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_OUTLIERS;
        req.outliers = &oq;
    } else if (!strcmp (kind, "followups")) {
        fq.under = (char *)cli_opt_or_empty (&p, O_UNDER);
        fq.period = (char *)cli_opt_or_empty (&p, O_PERIOD);
        fq.indicator = (char *)cli_opt_or_empty (&p, O_INDICATOR);
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_FOLLOWUPS;
        req.followups = &fq;
    } else {
        aq.dataset = (char *)cli_opt_or_empty (&p, O_DATASET);
        aq.period = (char *)cli_opt_or_empty (&p, O_PERIOD);
        aq.unit = (char *)cli_opt_or_empty (&p, O_UNIT);
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_APPROVAL;
        req.approval = &aq;
    }
    int rc;
    Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)cli_call (
        cli, "reporting", &req.base, &socin__v1__report_reply__descriptor, &rc);
    if (!reply) return rc;
    rc = CLI_OK;
    if (reply->error) {
        cli_error ("%s: %s", socin_error_name (reply->error->code), reply->error->message);
        rc = CLI_FAILED;
    } else if (reply->body_case == SOCIN__V1__REPORT_REPLY__BODY_VIOLATIONS)
        s_violations (cli, reply->violations);
    else if (reply->body_case == SOCIN__V1__REPORT_REPLY__BODY_OUTLIERS)
        s_outliers (cli, reply->outliers);
    else if (reply->body_case == SOCIN__V1__REPORT_REPLY__BODY_FOLLOWUPS)
        s_followups (cli, reply->followups);
    else if (reply->body_case == SOCIN__V1__REPORT_REPLY__BODY_APPROVAL)
        s_approval (cli, reply->approval);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return rc;
}

/* ---- items sent to the ingest ---- */

/* Sends SUB to the ingest and prints its summary; the exit code. */
static int
s_submit (cli_t *cli, Socin__V1__Submission *sub)
{
    char id[64];
    snprintf (id, sizeof id, "cli-%lld-%d", (long long)socin_now_ms (), (int)getpid ());
    sub->submission_id = id;
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = sub;
    int rc;
    Socin__V1__IngestReply *reply = (Socin__V1__IngestReply *)cli_call (
        cli, "ingest", &req.base, &socin__v1__ingest_reply__descriptor, &rc);
    if (!reply) return rc;
    /* One of the body's cases: the others alias it. */
    bool summary = reply->body_case == SOCIN__V1__INGEST_REPLY__BODY_SUMMARY;
    const Socin__V1__ImportSummary *s = summary ? reply->summary : NULL;
    const Socin__V1__Error *refused =
        reply->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR ? reply->error : NULL;
    rc = CLI_FAILED;
    if (refused || (s && s->error)) {
        const Socin__V1__Error *e = refused ? refused : s->error;
        cli_error ("%s: %s", socin_error_name (e->code), e->message);
    } else if (s) {
        printf ("%s: imported %u, updated %u, ignored %u, deleted %u, rejected %u\n", id,
                s->imported, s->updated, s->ignored, s->deleted, s->rejected);
        for (size_t i = 0; i < s->n_conflicts; i++)
            cli_error ("%s: %s", socin_error_name (s->conflicts[i]->code),
                       s->conflicts[i]->message);
        rc = s->n_conflicts ? CLI_FAILED : CLI_OK;
    }
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return rc;
}

enum { F_DISAGG, F_COMMENT, F_WITHDRAW };
static const cli_opt_t s_item_opts[] = {
    {"disaggregation", true, false, "dimension=option,... (followup)"},
    {"comment", true, false, "why, at most 1,000 bytes"},
    {"withdraw", false, false, "withdraw the step instead (approve)"},
    {NULL},
};

int
cli_followup (cli_t *cli, int argc, char **argv)
{
    static const char *usage = "socin followup mark|unmark INDICATOR UNIT PERIOD [OPTIONS]";
    cli_parsed_t p;
    if (cli_parse (s_item_opts, argc, argv, &p, usage) || p.nargs != 4 ||
        (strcmp (p.args[0], "mark") && strcmp (p.args[0], "unmark"))) {
        cli_usage (stderr, usage, s_item_opts);
        return CLI_USAGE;
    }
    Socin__V1__FollowupMark m = SOCIN__V1__FOLLOWUP_MARK__INIT, *mp = &m;
    m.followup = !strcmp (p.args[0], "mark");
    m.indicator = (char *)p.args[1];
    m.unit = (char *)p.args[2];
    m.period = (char *)p.args[3];
    m.disaggregation = (char *)cli_opt_or_empty (&p, F_DISAGG);
    m.comment = (char *)cli_opt_or_empty (&p, F_COMMENT);
    Socin__V1__Submission sub = SOCIN__V1__SUBMISSION__INIT;
    sub.followups = &mp;
    sub.n_followups = 1;
    return s_submit (cli, &sub);
}

int
cli_approve (cli_t *cli, int argc, char **argv)
{
    static const char *usage =
        "socin approve DATASET PERIOD UNIT municipality|region|centre [--withdraw]";
    cli_parsed_t p;
    int step = 0;
    if (!cli_parse (s_item_opts, argc, argv, &p, usage) && p.nargs == 4)
        for (int s = 1; s <= 3; s++)
            if (!strcmp (p.args[3], s_step_name (s))) step = s;
    if (!step) {
        cli_usage (stderr, usage, s_item_opts);
        return CLI_USAGE;
    }
    Socin__V1__Approval a = SOCIN__V1__APPROVAL__INIT, *ap = &a;
    a.dataset = (char *)p.args[0];
    a.period = (char *)p.args[1];
    a.unit = (char *)p.args[2];
    a.step = step;
    a.withdraw = cli_flag (&p, F_WITHDRAW);
    a.comment = (char *)cli_opt_or_empty (&p, F_COMMENT);
    Socin__V1__Submission sub = SOCIN__V1__SUBMISSION__INIT;
    sub.approvals = &ap;
    sub.n_approvals = 1;
    return s_submit (cli, &sub);
}
