/*  plans: plans in the socin command. See plans.h. */
#include "plans.h"

#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "error.h"
#include "exitcode.h"
#include "mem.h"
#include "options.h"
#include "plan.h"
#include "str.h"
#include "socin/v1/report.pb-c.h"

/* The sum of AMOUNTS (exact), as text. */
static void
s_total (Socin__V1__FundingAmount *const *amounts, size_t n, char *buf)
{
    socin_sum_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        socin_dec_t v;
        char why[100];
        if (!socin_dec_parse (amounts[i]->amount, strlen (amounts[i]->amount), &v, why, sizeof why))
            sum += v;
    }
    socin_sum_format (sum, buf, SOCIN_DEC_STRLEN);
}

void
cli_plans_row (out_table_t **out, const socin_record_t *r)
{
    static const char *cols[] = {"code",  "kind",          "owner",     "valid_from", "valid_to",
                                 "areas", "participative", "measures#", "budget#",    "name"};
    if (!*out) *out = out_table_new (cols, 10);
    const Socin__V1__Plan *p = r->plan;
    char *areas = out_join (p->policy_areas, p->n_policy_areas), n[16], budget[SOCIN_DEC_STRLEN];
    snprintf (n, sizeof n, "%zu", p->n_measures);
    socin_sum_t sum = 0;
    for (size_t m = 0; m < p->n_measures; m++) {
        char one[SOCIN_DEC_STRLEN];
        socin_dec_t v;
        s_total (p->measures[m]->budget, p->measures[m]->n_budget, one);
        if (!socin_dec_parse (one, strlen (one), &v, NULL, 0)) sum += v;
    }
    socin_sum_format (sum, budget, sizeof budget);
    const char *cells[] = {
        p->code, socin_plan_kind_name (p->kind),  p->owner, p->valid_from, p->valid_to,
        areas,   p->participative ? "yes" : "no", n,        budget,        p->name};
    out_table_row (*out, cells);
    free (areas);
}

/* "own 1000, ope_plus 250" */
static char *
s_by_source (Socin__V1__FundingAmount *const *amounts, size_t n)
{
    socin_str_t s = SOCIN_STR_INIT;
    for (size_t i = 0; i < n; i++)
        socin_str_printf (&s, "%s%s %s", i ? ", " : "", socin_funding_name (amounts[i]->source),
                          amounts[i]->amount);
    return socin_str_take (&s);
}

void
cli_plans_show (cli_t *cli, const Socin__V1__Plan *plan)
{
    if (cli->format == OUT_TABLE) {
        out_table_t *head = NULL;
        Socin__V1__Record rec = SOCIN__V1__RECORD__INIT;
        rec.kind_case = SOCIN__V1__RECORD__KIND_PLAN;
        rec.plan = (Socin__V1__Plan *)plan;
        cli_plans_row (&head, &rec);
        out_table_print (head, cli->format, stdout);
        out_table_destroy (&head);
        printf ("\n");
    }
    static const char *cols[] = {"plan",   "measure", "area",        "target_group",
                                 "start",  "end",     "budget#",     "budget_by_source",
                                 "output", "target#", "responsible", "title"};
    out_table_t *out = out_table_new (cols, 12);
    for (size_t i = 0; i < plan->n_measures; i++) {
        const Socin__V1__Measure *m = plan->measures[i];
        char total[SOCIN_DEC_STRLEN], *by = s_by_source (m->budget, m->n_budget);
        s_total (m->budget, m->n_budget, total);
        const char *cells[] = {
            plan->code, m->code, m->policy_area,      m->target_group,  m->start,       m->end,
            total,      by,      m->output_indicator, m->output_target, m->responsible, m->title};
        out_table_row (out, cells);
        free (by);
    }
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
}

/* ---- socin report plans ---- */

enum { O_LEVEL, O_UNDER, O_GROUP, O_KIND, O_AREA, O_AS_OF, O_PLAN, O_LATE };

static const cli_opt_t s_opts[] = {
    {"level", true, false, "one row per unit of this level: kraj, okres, orp, municipality"},
    {"under", true, false, "only plans owned under this unit (default CZ)"},
    {"group", true, false, "the plans of this group and of its members"},
    {"kind", true, false, "only plans of this kind: strategic, lap, rap, kpss, ..."},
    {"area", true, false, "only measures of this policy area"},
    {"as-of", true, false, "as of this day (default today)"},
    {"plan", true, false, "one plan's detail: every measure as it stands"},
    {"late", false, false, "list the delayed and overdue measures with their owner"},
    {NULL},
};

static const char *s_usage = "socin report plans [--level L] [--under U | --group G] [--kind K] "
                             "[--area A] [--as-of DAY] [--late] | --plan CODE";

static char *
s_u32 (uint32_t v)
{
    char buf[16];
    snprintf (buf, sizeof buf, "%u", v);
    return socin_strdup (buf);
}

static void
s_rows (cli_t *cli, const Socin__V1__PlanFulfilment *f)
{
    static const char *cols[] = {"unit",     "name",         "plans#",   "measures#",
                                 "done#",    "in_progress#", "delayed#", "cancelled#",
                                 "planned#", "overdue#",     "done_%#",  "done_budget_%#",
                                 "budget#",  "spent#",       "targets#", "targets_reached#"};
    out_table_t *out = out_table_new (cols, 16);
    for (size_t i = 0; i < f->n_rows; i++) {
        const Socin__V1__PlanRow *r = f->rows[i];
        char *n[10] = {s_u32 (r->plans),          s_u32 (r->measures), s_u32 (r->done),
                       s_u32 (r->in_progress),    s_u32 (r->delayed),  s_u32 (r->cancelled),
                       s_u32 (r->planned),        s_u32 (r->overdue),  s_u32 (r->targets),
                       s_u32 (r->targets_reached)};
        const char *cells[] = {r->unit,
                               r->name,
                               n[0],
                               n[1],
                               n[2],
                               n[3],
                               n[4],
                               n[5],
                               n[6],
                               n[7],
                               r->done_share,
                               r->done_budget_share,
                               r->budget_planned,
                               r->spent,
                               n[8],
                               n[9]};
        out_table_row (out, cells);
        for (int k = 0; k < 10; k++)
            free (n[k]);
    }
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
}

static void
s_measures (cli_t *cli, Socin__V1__MeasureState *const *list, size_t n, const char *title)
{
    if (cli->format == OUT_TABLE) printf ("\n%s\n", title);
    static const char *cols[] = {"plan",    "measure", "owner",       "owner_name", "status",
                                 "period",  "end",     "overdue",     "budget#",    "spent#",
                                 "output#", "target#", "responsible", "title"};
    out_table_t *out = out_table_new (cols, 14);
    for (size_t i = 0; i < n; i++) {
        const Socin__V1__MeasureState *m = list[i];
        const char *cells[] = {m->plan,
                               m->measure,
                               m->owner,
                               m->owner_name,
                               socin_measure_status_name (m->status),
                               m->period,
                               m->end,
                               m->overdue ? "yes" : "no",
                               m->budget_planned,
                               m->spent,
                               m->output_value,
                               m->output_target,
                               m->responsible,
                               m->title};
        out_table_row (out, cells);
    }
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
}

/* Fills Q from the options: 0, or -1 after saying what is wrong. */
static int
s_query (const cli_parsed_t *p, Socin__V1__PlanFulfilmentQuery *q)
{
    const char *level = cli_opt (p, O_LEVEL), *kind = cli_opt (p, O_KIND);
    if (level && !(q->level = socin_level_parse (level))) {
        cli_error ("--level '%s' is not country, kraj, okres, orp, municipality or district",
                   level);
        return -1;
    }
    if (kind && !(q->kind = socin_plan_kind_parse (kind))) {
        cli_error ("--kind '%s' is not one of %s", kind, socin_plan_kind_names ());
        return -1;
    }
    q->under = (char *)cli_opt_or_empty (p, O_UNDER);
    q->group = (char *)cli_opt_or_empty (p, O_GROUP);
    q->policy_area = (char *)cli_opt_or_empty (p, O_AREA);
    q->as_of = (char *)cli_opt_or_empty (p, O_AS_OF);
    q->plan = (char *)cli_opt_or_empty (p, O_PLAN);
    q->list_late = cli_flag (p, O_LATE);
    return 0;
}

int
cli_report_plans (cli_t *cli, int argc, char **argv)
{
    cli_parsed_t p;
    if (cli_parse (s_opts, argc, argv, &p, s_usage)) return CLI_USAGE;
    if (p.help || p.nargs != 0) {
        cli_usage (p.help ? stdout : stderr, s_usage, s_opts);
        return p.help ? CLI_OK : CLI_USAGE;
    }
    Socin__V1__PlanFulfilmentQuery q = SOCIN__V1__PLAN_FULFILMENT_QUERY__INIT;
    if (s_query (&p, &q)) return CLI_USAGE;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.request_id = "report";
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PLANS;
    req.plans = &q;
    int rc;
    Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)cli_call (
        cli, "reporting", &req.base, &socin__v1__report_reply__descriptor, &rc);
    if (!reply) return rc;
    if (reply->error) {
        cli_error ("%s: %s", socin_error_name (reply->error->code), reply->error->message);
        protobuf_c_message_free_unpacked (&reply->base, NULL);
        return CLI_FAILED;
    }
    const Socin__V1__PlanFulfilment *f = reply->plans;
    if (f && *q.plan) {
        s_measures (cli, f->measures, f->n_measures, "measures:");
    } else if (f && (!q.list_late || cli->format == OUT_TABLE)) {
        if (cli->format == OUT_TABLE) printf ("plan fulfilment as of %s\n", f->as_of);
        s_rows (cli, f);
    }
    if (f && q.list_late && !*q.plan)
        s_measures (cli, f->late, f->n_late, "delayed or overdue measures:");
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return CLI_OK;
}
