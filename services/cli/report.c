/*  report: socin report KIND — questions to reporting, answers as tables. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "options.h"
#include "clock.h"
#include "decimal.h"
#include "model.h"
#include "plans.h"
#include "mem.h"
#include "str.h"
#include "wire.h"
#include "socin/v1/report.pb-c.h"

enum {
    O_INDICATOR,
    O_PERIOD,
    O_LEVEL,
    O_UNDER,
    O_GROUP,
    O_DATASET,
    O_UNIT,
    O_DISAGG,
    O_MISSING,
    O_BY_TYPE,
    O_TARGET,
    O_AS_OF,
    O_UNITS
};

static const cli_opt_t s_opts[] = {
    {"indicator", true, false, "indicator code (values, rollup, history)"},
    {"period", true, false, "period: 2025, 2025S1, 2025Q3, 202507, 2025W05"},
    {"level", true, false,
     "one row per unit of this level: kraj, okres, orp, municipality, district"},
    {"under", true, false, "only units under this unit (default CZ)"},
    {"group", true, false, "the members of this group instead of a territory"},
    {"dataset", true, false, "data set code (completeness)"},
    {"unit", true, false, "one unit (values, history)"},
    {"disaggregation", true, false, "dimension=option,... (empty: the total; *: each)"},
    {"missing", false, false, "list the units that reported nothing (completeness)"},
    {"by-type", false, false, "split participation by event type"},
    {"target", true, false, "one target (targets)"},
    {"as-of", true, false, "count as of this day (targets)"},
    {"units", false, false, "list the qualifying units (targets)"},
    {NULL},
};

static const char *s_usage =
    "socin report values|rollup|completeness|participation|targets|history|sources [OPTIONS]\n"
    "       socin report plans [OPTIONS] (socin report plans --help)\n"
    "       socin report pivot --dx IND,... --pe PERIOD,... [--ou UNIT,...] (see report pivot "
    "--help)";

static int
s_level (const cli_parsed_t *p, int *level)
{
    *level = 0;
    const char *text = cli_opt (p, O_LEVEL);
    if (!text || !*text) return 0;
    *level = socin_level_parse (text);
    if (!*level) {
        cli_error ("--level '%s' is not country, kraj, okres, orp, municipality or district", text);
        return -1;
    }
    return 0;
}

static int
s_need (const cli_parsed_t *p, const char *kind, int opt)
{
    if (cli_opt (p, opt) && *cli_opt (p, opt)) return 0;
    cli_error ("report %s needs --%s", kind, s_opts[opt].name);
    return -1;
}

static void
s_footer (cli_t *cli, const Socin__V1__Stamp *stamp)
{
    if (cli->format != OUT_TABLE || !stamp) return;
    printf ("(as of registry seq %llu", (unsigned long long)stamp->registry_seq);
    for (size_t i = 0; i < stamp->n_sources; i++)
        printf ("%s %s=%llu%s", i ? "," : "; sources", stamp->sources[i]->source,
                (unsigned long long)stamp->sources[i]->applied_seq,
                stamp->sources[i]->lag ? " (lagging)" : "");
    printf (")\n");
}

static char *
s_u64 (uint64_t v)
{
    char buf[32];
    snprintf (buf, sizeof buf, "%llu", (unsigned long long)v);
    return socin_strdup (buf);
}

static char *
s_percent (uint64_t part, uint64_t whole)
{
    socin_dec_t v;
    if (!whole || socin_dec_ratio ((socin_sum_t)part * SOCIN_DEC_SCALE,
                                   (socin_sum_t)whole * SOCIN_DEC_SCALE, 100 * SOCIN_DEC_SCALE, &v))
        return socin_strdup ("");
    /* One decimal place is what a person reads; the exact figure is part / whole. */
    socin_dec_t rounded;
    socin_sum_div ((socin_sum_t)v, 100000, &rounded);
    char buf[SOCIN_DEC_STRLEN];
    socin_dec_format (rounded * 100000, buf, sizeof buf);
    return socin_strdup (buf);
}

static void
s_table_rows (cli_t *cli, const Socin__V1__ReportReply *reply, bool rollup)
{
    const Socin__V1__Table *t = reply->table;
    bool derived = false, disagg = false;
    for (size_t i = 0; i < t->n_rows; i++) {
        derived |= *t->rows[i]->numerator || *t->rows[i]->denominator;
        disagg |= *t->rows[i]->disaggregation != 0;
    }
    const char *cols[10];
    int n = 0;
    cols[n++] = "unit";
    cols[n++] = "name";
    if (rollup) cols[n++] = "level";
    cols[n++] = "period";
    if (disagg) cols[n++] = "disaggregation";
    cols[n++] = "value#";
    if (derived) {
        cols[n++] = "numerator#";
        cols[n++] = "denominator#";
    }
    cols[n++] = "values#";
    cols[n++] = "units#";
    out_table_t *out = out_table_new (cols, n);
    for (size_t i = 0; i < t->n_rows; i++) {
        const Socin__V1__Row *r = t->rows[i];
        char *values = s_u64 (r->values), *units = s_u64 (r->units);
        const char *cells[10];
        int k = 0;
        cells[k++] = r->unit;
        cells[k++] = r->name;
        if (rollup) cells[k++] = r->level ? socin_level_name (r->level) : "group";
        cells[k++] = r->period;
        if (disagg) cells[k++] = *r->disaggregation ? r->disaggregation : "(total)";
        cells[k++] = r->value;
        if (derived) {
            cells[k++] = r->numerator;
            cells[k++] = r->denominator;
        }
        cells[k++] = values;
        cells[k++] = units;
        out_table_row (out, cells);
        free (values);
        free (units);
    }
    if (cli->format == OUT_TABLE)
        printf ("%s %s (%s)\n", t->indicator, t->period, socin_aggregation_name (t->aggregation));
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
}

static void
s_completeness_rows (cli_t *cli, const Socin__V1__Completeness *c, bool missing)
{
    /* The last three: expected units approved at each step (or above it). */
    static const char *cols[] = {"unit",
                                 "name",
                                 "expected#",
                                 "reported#",
                                 "complete#",
                                 "on_time#",
                                 "complete_pct#",
                                 "on_time_pct#",
                                 "approved_municipality#",
                                 "approved_region#",
                                 "approved_centre#"};
    out_table_t *out = out_table_new (cols, 11);
    for (size_t i = 0; i < c->n_rows; i++) {
        const Socin__V1__CompletenessRow *r = c->rows[i];
        char *e = s_u64 (r->expected), *p = s_u64 (r->partial), *cm = s_u64 (r->complete),
             *ot = s_u64 (r->on_time);
        char *pc = s_percent (r->complete, r->expected), *po = s_percent (r->on_time, r->expected);
        char *am = s_u64 (r->approved_municipality), *ar = s_u64 (r->approved_region),
             *ac = s_u64 (r->approved_centre);
        const char *cells[] = {r->unit, r->name, e, p, cm, ot, pc, po, am, ar, ac};
        out_table_row (out, cells);
        free (e), free (p), free (cm), free (ot), free (pc), free (po);
        free (am), free (ar), free (ac);
    }
    if (cli->format == OUT_TABLE)
        printf ("%s %s: due %s, on time until %s\n", c->dataset, c->period, c->due,
                c->timely_until);
    /* JSON with the missing units is one object holding both lists, so it stays one document. */
    bool wrap = missing && cli->format == OUT_JSON;
    if (wrap) printf ("{\"completeness\": ");
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
    if (!missing) return;
    static const char *mcols[] = {"row", "missing_unit"};
    out_table_t *m = out_table_new (mcols, 2);
    for (size_t i = 0; i < c->n_rows; i++)
        for (size_t k = 0; k < c->rows[i]->n_missing; k++) {
            const char *cells[] = {c->rows[i]->unit, c->rows[i]->missing[k]};
            out_table_row (m, cells);
        }
    if (cli->format == OUT_TABLE) printf ("\nunits with nothing reported:\n");
    if (wrap) printf (", \"missing\": ");
    out_table_print (m, cli->format, stdout);
    if (wrap) printf ("}\n");
    out_table_destroy (&m);
}

static void
s_participation_rows (cli_t *cli, const Socin__V1__Participation *p, bool by_type)
{
    size_t ngroups = p->n_rows ? p->rows[0]->n_vulnerable : 0;
    const char **cols = socin_calloc (6 + ngroups, sizeof *cols);
    char **names = socin_calloc (ngroups + 1, sizeof *names);
    int n = 0;
    cols[n++] = "unit";
    cols[n++] = "name";
    if (by_type) cols[n++] = "type";
    cols[n++] = "events#";
    cols[n++] = "participants#";
    cols[n++] = "municipalities#";
    for (size_t g = 0; g < ngroups; g++) {
        socin_str_t s = SOCIN_STR_INIT;
        socin_str_printf (&s, "%s#", p->rows[0]->vulnerable[g]->group);
        names[g] = socin_str_take (&s);
        cols[n++] = names[g];
    }
    out_table_t *out = out_table_new (cols, n);
    for (size_t i = 0; i < p->n_rows; i++) {
        const Socin__V1__ParticipationRow *r = p->rows[i];
        const char **cells = socin_calloc (6 + ngroups, sizeof *cells);
        char **owned = socin_calloc (4 + ngroups, sizeof *owned);
        int k = 0, o = 0;
        cells[k++] = r->unit;
        cells[k++] = r->name;
        if (by_type) cells[k++] = socin_event_type_name (r->type);
        cells[k++] = owned[o++] = s_u64 (r->events);
        cells[k++] = owned[o++] = s_u64 (r->participants);
        cells[k++] = owned[o++] = s_u64 (r->municipalities);
        for (size_t g = 0; g < ngroups && g < r->n_vulnerable; g++)
            cells[k++] = owned[o++] = s_u64 (r->vulnerable[g]->participants);
        out_table_row (out, cells);
        for (int x = 0; x < o; x++)
            free (owned[x]);
        free (owned);
        free (cells);
    }
    if (cli->format == OUT_TABLE) printf ("participation %s\n", p->period);
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
    for (size_t g = 0; g < ngroups; g++)
        free (names[g]);
    free (names);
    free (cols);
}

static void
s_targets_rows (cli_t *cli, const Socin__V1__Targets *t, bool units)
{
    static const char *cols[] = {"target", "commitment", "current#", "threshold#",
                                 "met",    "deadline",   "name"};
    out_table_t *out = out_table_new (cols, 7);
    for (size_t i = 0; i < t->n_targets; i++) {
        const Socin__V1__TargetProgress *tp = t->targets[i];
        char *cur = s_u64 (tp->current), *thr = s_u64 (tp->threshold);
        const char *cells[] = {tp->code,     tp->commitment, cur, thr, tp->met ? "yes" : "no",
                               tp->deadline, tp->name};
        out_table_row (out, cells);
        free (cur);
        free (thr);
    }
    /* JSON with the units is one object holding both lists, so it stays one document. */
    bool wrap = units && cli->format == OUT_JSON;
    if (wrap) printf ("{\"targets\": ");
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
    if (!units) return;
    static const char *ucols[] = {"target", "unit", "name"};
    out_table_t *u = out_table_new (ucols, 3);
    for (size_t i = 0; i < t->n_targets; i++)
        for (size_t k = 0; k < t->targets[i]->n_units; k++) {
            const char *cells[] = {t->targets[i]->code, t->targets[i]->units[k],
                                   k < t->targets[i]->n_unit_names ? t->targets[i]->unit_names[k]
                                                                   : ""};
            out_table_row (u, cells);
        }
    if (cli->format == OUT_TABLE) printf ("\nqualifying units:\n");
    if (wrap) printf (", \"units\": ");
    out_table_print (u, cli->format, stdout);
    if (wrap) printf ("}\n");
    out_table_destroy (&u);
}

static void
s_history_rows (cli_t *cli, const Socin__V1__ValueHistory *h)
{
    static const char *cols[] = {"changed",   "old#",       "new#",    "deleted",
                                 "submitter", "submission", "source",  "seq#",
                                 "comment",   "stored_by",  "followup"};
    out_table_t *out = out_table_new (cols, 11);
    for (size_t i = 0; i < h->n_entries; i++) {
        const Socin__V1__HistoryEntry *e = h->entries[i];
        char when[SOCIN_TIME_STRLEN], *seq = s_u64 (e->source_seq);
        socin_time_text (e->changed_ms, when);
        const char *cells[] = {when,
                               e->old_value,
                               e->new_value,
                               e->deleted ? "yes" : "no",
                               e->submitter,
                               e->submission_id,
                               e->source,
                               seq,
                               e->comment,
                               e->stored_by,
                               e->followup ? "yes" : "no"};
        out_table_row (out, cells);
        free (seq);
    }
    out_table_print (out, cli->format, stdout);
    if (cli->format == OUT_TABLE) {
        fputs ("current value: ", stdout);
        out_text (stdout, *h->current ? h->current : "(none)");
        fputc ('\n', stdout);
    }
    out_table_destroy (&out);
}

static void
s_sources_rows (cli_t *cli, const Socin__V1__Stamp *stamp)
{
    static const char *cols[] = {"source", "applied#", "lag#", "last_contact"};
    out_table_t *out = out_table_new (cols, 4);
    for (size_t i = 0; i < stamp->n_sources; i++) {
        const Socin__V1__SourceState *s = stamp->sources[i];
        char when[SOCIN_TIME_STRLEN] = "", *applied = s_u64 (s->applied_seq), *lag = s_u64 (s->lag);
        if (s->last_contact_ms) socin_time_text (s->last_contact_ms, when);
        const char *cells[] = {s->source, applied, lag, when};
        out_table_row (out, cells);
        free (applied);
        free (lag);
    }
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
}

/* The request of one report, with room for the query of every kind. */
typedef struct {
    Socin__V1__ReportRequest req;
    Socin__V1__ValuesQuery values;
    Socin__V1__RollupQuery rollup;
    Socin__V1__CompletenessQuery completeness;
    Socin__V1__ParticipationQuery participation;
    Socin__V1__TargetProgressQuery targets;
    Socin__V1__HistoryQuery history;
    Socin__V1__SourcesQuery sources;
} s_query_t;

/* Each fills in the query of its kind from the options: 0, or -1 after printing what is
   missing. */
static int
s_values_query (const cli_parsed_t *p, const char *kind, int level, s_query_t *q)
{
    if (s_need (p, kind, O_INDICATOR) || s_need (p, kind, O_PERIOD)) return -1;
    q->values.indicator = (char *)cli_opt (p, O_INDICATOR);
    q->values.period = (char *)cli_opt (p, O_PERIOD);
    q->values.under = (char *)cli_opt_or_empty (p, O_UNDER);
    q->values.level = level;
    q->values.unit = (char *)cli_opt_or_empty (p, O_UNIT);
    q->values.disaggregation = (char *)cli_opt_or_empty (p, O_DISAGG);
    q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_VALUES;
    q->req.values = &q->values;
    return 0;
}

static int
s_rollup_query (const cli_parsed_t *p, const char *kind, int level, s_query_t *q)
{
    if (s_need (p, kind, O_INDICATOR) || s_need (p, kind, O_PERIOD)) return -1;
    q->rollup.indicator = (char *)cli_opt (p, O_INDICATOR);
    q->rollup.period = (char *)cli_opt (p, O_PERIOD);
    q->rollup.level = level;
    q->rollup.under = (char *)cli_opt_or_empty (p, O_UNDER);
    q->rollup.group = (char *)cli_opt_or_empty (p, O_GROUP);
    q->rollup.disaggregation = (char *)cli_opt_or_empty (p, O_DISAGG);
    q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
    q->req.rollup = &q->rollup;
    return 0;
}

static int
s_completeness_query (const cli_parsed_t *p, const char *kind, int level, s_query_t *q)
{
    if (s_need (p, kind, O_DATASET) || s_need (p, kind, O_PERIOD)) return -1;
    q->completeness.dataset = (char *)cli_opt (p, O_DATASET);
    q->completeness.period = (char *)cli_opt (p, O_PERIOD);
    q->completeness.level = level;
    q->completeness.under = (char *)cli_opt_or_empty (p, O_UNDER);
    q->completeness.list_missing = cli_flag (p, O_MISSING);
    q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS;
    q->req.completeness = &q->completeness;
    return 0;
}

static int
s_participation_query (const cli_parsed_t *p, const char *kind, int level, s_query_t *q)
{
    if (s_need (p, kind, O_PERIOD)) return -1;
    q->participation.period = (char *)cli_opt (p, O_PERIOD);
    q->participation.level = level;
    q->participation.under = (char *)cli_opt_or_empty (p, O_UNDER);
    q->participation.group = (char *)cli_opt_or_empty (p, O_GROUP);
    q->participation.by_type = cli_flag (p, O_BY_TYPE);
    q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PARTICIPATION;
    q->req.participation = &q->participation;
    return 0;
}

static int
s_targets_query (const cli_parsed_t *p, const char *kind, int level, s_query_t *q)
{
    q->targets.code = (char *)cli_opt_or_empty (p, O_TARGET);
    q->targets.as_of = (char *)cli_opt_or_empty (p, O_AS_OF);
    q->targets.list_units = cli_flag (p, O_UNITS);
    q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_TARGETS;
    q->req.targets = &q->targets;
    return 0;
}

static int
s_history_query (const cli_parsed_t *p, const char *kind, int level, s_query_t *q)
{
    if (s_need (p, kind, O_INDICATOR) || s_need (p, kind, O_UNIT) || s_need (p, kind, O_PERIOD))
        return -1;
    q->history.indicator = (char *)cli_opt (p, O_INDICATOR);
    q->history.unit = (char *)cli_opt (p, O_UNIT);
    q->history.period = (char *)cli_opt (p, O_PERIOD);
    q->history.disaggregation = (char *)cli_opt_or_empty (p, O_DISAGG);
    q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_HISTORY;
    q->req.history = &q->history;
    return 0;
}

static int
s_sources_query (const cli_parsed_t *p, const char *kind, int level, s_query_t *q)
{
    q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_SOURCES;
    q->req.sources = &q->sources;
    return 0;
}

/* The kinds of report, in the order of the usage line. */
static const struct {
    const char *name;
    int (*query) (const cli_parsed_t *p, const char *kind, int level, s_query_t *q);
} s_kinds[] = {
    {"values", s_values_query},
    {"rollup", s_rollup_query},
    {"completeness", s_completeness_query},
    {"participation", s_participation_query},
    {"targets", s_targets_query},
    {"history", s_history_query},
    {"sources", s_sources_query},
    {NULL},
};

/* Prints the answer in the shape of its body; the exit code. */
static int
s_print_reply (cli_t *cli, const Socin__V1__ReportReply *reply, const cli_parsed_t *p,
               const char *kind)
{
    if (reply->error) {
        cli_report_error (reply->error);
        return CLI_FAILED;
    }
    switch (reply->body_case) {
    case SOCIN__V1__REPORT_REPLY__BODY_TABLE:
        s_table_rows (cli, reply, !strcmp (kind, "rollup"));
        break;
    case SOCIN__V1__REPORT_REPLY__BODY_COMPLETENESS:
        s_completeness_rows (cli, reply->completeness, cli_flag (p, O_MISSING));
        break;
    case SOCIN__V1__REPORT_REPLY__BODY_PARTICIPATION:
        s_participation_rows (cli, reply->participation, cli_flag (p, O_BY_TYPE));
        break;
    case SOCIN__V1__REPORT_REPLY__BODY_TARGETS:
        s_targets_rows (cli, reply->targets, cli_flag (p, O_UNITS));
        break;
    case SOCIN__V1__REPORT_REPLY__BODY_HISTORY:
        s_history_rows (cli, reply->history);
        break;
    default:
        break;
    }
    if (reply->body_case == SOCIN__V1__REPORT_REPLY__BODY_SOURCES)
        s_sources_rows (cli, reply->stamp);
    else
        s_footer (cli, reply->stamp);
    return CLI_OK;
}

int
cli_report (cli_t *cli, int argc, char **argv)
{
    /* The data-review kinds take their own options (quality.c). */
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-') {
            if (cli_quality_kind (argv[i])) return cli_quality_report (cli, argc, argv);
            break;
        }
    /* Plans and pivots have options of their own (plans.c, pivot.c). */
    if (argc > 1 && !strcmp (argv[1], "plans")) return cli_report_plans (cli, argc - 1, argv + 1);
    if (argc > 1 && !strcmp (argv[1], "pivot")) return cli_report_pivot (cli, argc - 1, argv + 1);
    cli_parsed_t p;
    if (cli_parse (s_opts, argc, argv, &p, s_usage)) return CLI_USAGE;
    if (p.help || p.nargs != 1) {
        cli_usage (p.help ? stdout : stderr, s_usage, s_opts);
        return p.help ? CLI_OK : CLI_USAGE;
    }
    const char *kind = p.args[0];
    int level;
    if (s_level (&p, &level)) return CLI_USAGE;
    int k = 0;
    while (s_kinds[k].name && strcmp (s_kinds[k].name, kind))
        k++;
    if (!s_kinds[k].name) {
        cli_error ("unknown report '%s'\nusage: %s", kind, s_usage);
        return CLI_USAGE;
    }
    s_query_t q = {SOCIN__V1__REPORT_REQUEST__INIT,      SOCIN__V1__VALUES_QUERY__INIT,
                   SOCIN__V1__ROLLUP_QUERY__INIT,        SOCIN__V1__COMPLETENESS_QUERY__INIT,
                   SOCIN__V1__PARTICIPATION_QUERY__INIT, SOCIN__V1__TARGET_PROGRESS_QUERY__INIT,
                   SOCIN__V1__HISTORY_QUERY__INIT,       SOCIN__V1__SOURCES_QUERY__INIT};
    q.req.request_id = "report";
    if (s_kinds[k].query (&p, kind, level, &q)) return CLI_USAGE;
    int rc;
    Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)cli_call (
        cli, "reporting", &q.req.base, &socin__v1__report_reply__descriptor, &rc);
    if (!reply) return rc;
    rc = s_print_reply (cli, reply, &p, kind);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return rc;
}
