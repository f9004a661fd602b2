/*  plans: plan fulfilment on a page. See plans.h. */
#include "plans.h"

#include <stdint.h>
#include <string.h>

#include "bars.h"
#include "figures.h"
#include "plan.h"

#define CELLS(...) ((const char *const[]){__VA_ARGS__})

void
web_plans_as_of (web_view_t *v, char *day)
{
    int32_t end = socin_period_end (v->period);
    day[0] = 0;
    if (end < socin_date_today ()) socin_date_format (end, day, SOCIN_DATE_STRLEN);
}

size_t
web_ask_plans (web_view_t *v, int level)
{
    char day[SOCIN_DATE_STRLEN];
    web_plans_as_of (v, day);
    Socin__V1__PlanFulfilmentQuery q = SOCIN__V1__PLAN_FULFILMENT_QUERY__INIT;
    q.level = level;
    q.under = (char *)v->unit->code;
    q.as_of = day;
    q.list_late = level == 0;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PLANS;
    req.plans = &q;
    return web_view_ask (v, &req);
}

static const Socin__V1__PlanFulfilment *
s_answer (web_view_t *v, size_t slot)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    return r ? r->plans : NULL;
}

static void
s_u32 (char *buf, uint32_t n)
{
    snprintf (buf, 16, "%u", n);
}

web_table_t *
web_plans_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__PlanFulfilment *f = s_answer (v, slot);
    if (!f) return web_failed_table (v, slot, id, title);
    web_table_t *t = web_table_new (
        id, title,
        CELLS ("unit", "name", "plans#", "measures#", "done#", "in_progress#", "delayed#",
               "cancelled#", "planned#", "overdue#", "done_pct#", "done_budget_pct#", "budget#",
               "budget_done#", "spent#", "targets#", "targets_reached#"),
        17);
    socin_str_t href = SOCIN_STR_INIT;
    for (size_t i = 0; i < f->n_rows; i++) {
        const Socin__V1__PlanRow *r = f->rows[i];
        char n[10][16];
        uint32_t counts[10] = {r->plans,   r->measures,       r->done,    r->in_progress,
                               r->delayed, r->cancelled,      r->planned, r->overdue,
                               r->targets, r->targets_reached};
        for (int k = 0; k < 10; k++)
            s_u32 (n[k], counts[k]);
        web_table_row (t,
                       CELLS (r->unit, r->name, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7],
                              r->done_share, r->done_budget_share, r->budget_planned,
                              r->budget_done, r->spent, n[8], n[9]),
                       web_unit_link (v, &href, r->unit));
    }
    socin_str_free (&href);
    return web_view_table (v, t);
}

/* TEXT as exact micros (0 when it is not a number). */
static socin_sum_t
s_micros (const char *text)
{
    socin_dec_t d;
    return text && *text && !socin_dec_parse (text, strlen (text), &d, NULL, 0) ? d : 0;
}

web_table_t *
web_funding_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__PlanFulfilment *f = s_answer (v, slot);
    if (!f) return web_failed_table (v, slot, id, title);
    web_table_t *t =
        web_table_new (id, title, CELLS ("source", "planned#", "spent#", "spent_pct#"), 4);
    for (size_t i = 0; f->n_rows && i < f->rows[0]->n_funding; i++) {
        const Socin__V1__FundingFigures *m = f->rows[0]->funding[i];
        char pct[24];
        web_percent (pct, s_micros (m->spent), s_micros (m->planned));
        web_table_row (t, CELLS (socin_funding_name (m->source), m->planned, m->spent, pct), NULL);
    }
    return web_view_table (v, t);
}

web_table_t *
web_late_table (web_view_t *v, size_t slot, const char *id, const char *title, size_t max_rows)
{
    const Socin__V1__PlanFulfilment *f = s_answer (v, slot);
    if (!f) return web_failed_table (v, slot, id, title);
    web_table_t *t =
        web_table_new (id, title,
                       CELLS ("plan", "measure", "owner", "owner_name", "status", "period", "end",
                              "overdue", "budget#", "spent#", "responsible", "title"),
                       12);
    bool whole = v->args.table && !strcmp (v->args.table, id);
    web_table_set_total (t, f->n_late);
    for (size_t i = 0; i < f->n_late && (whole || i < max_rows); i++) {
        const Socin__V1__MeasureState *m = f->late[i];
        web_table_row (t,
                       CELLS (m->plan, m->measure, m->owner, m->owner_name,
                              socin_measure_status_name (m->status), m->period, m->end,
                              m->overdue ? "yes" : "no", m->budget_planned, m->spent,
                              m->responsible, m->title),
                       NULL);
    }
    return web_view_table (v, t);
}

/* The headline: shares done by count and by budget, and the measures by status as a bar. */
static void
s_headline (web_view_t *v, socin_str_t *b, const Socin__V1__PlanRow *r, const char *as_of)
{
    socin_str_printf (b, "<p>As of %s: %u plans with %u measures owned in ",
                      *as_of ? as_of : "today", r->plans, r->measures);
    web_html (b, v->unit->pb->name);
    socin_str_puts (
        b, " or by a group with a member there.</p>\n<p><span class=\"big\" data-plans=\"");
    web_html (b, r->unit);
    socin_str_puts (b, "\" data-done-share=\"");
    web_html (b, r->done_share);
    socin_str_puts (b, "\" data-done-budget-share=\"");
    web_html (b, r->done_budget_share);
    socin_str_puts (b, "\">");
    web_html (b, *r->done_share ? r->done_share : "–");
    socin_str_puts (b, " %</span> of the measures done; <b>");
    web_html (b, *r->done_budget_share ? r->done_budget_share : "–");
    socin_str_printf (
        b, " %%</b> of their planned budget. <b>%u</b> delayed, <b>%u</b> overdue.</p>\n",
        r->delayed, r->overdue);
    const char *labels[] = {"done", "in progress", "delayed", "cancelled", "planned"};
    unsigned counts[] = {r->done, r->in_progress, r->delayed, r->cancelled, r->planned};
    web_bars_split (b, "Measures by their latest status", labels, counts, 5);
}

/* Planned against spent money per funding source, as bars. */
static void
s_money (socin_str_t *b, const Socin__V1__PlanRow *r)
{
    const char *labels[16], *planned[16], *spent[16];
    size_t n = 0;
    for (size_t i = 0; i < r->n_funding && n < 16; i++, n++) {
        labels[n] = socin_funding_name (r->funding[i]->source);
        planned[n] = r->funding[i]->planned;
        spent[n] = r->funding[i]->spent;
    }
    if (n)
        web_bars_pairs (b, "Planned and spent by funding source (CZK)", labels, planned, spent, n,
                        "planned", "spent");
}

void
web_plans_section (web_view_t *v, socin_str_t *b, const char *dl, size_t total, size_t rows)
{
    const Socin__V1__PlanFulfilment *f = s_answer (v, total);
    const Socin__V1__PlanRow *r = f && f->n_rows ? f->rows[0] : NULL;
    socin_str_puts (b, "<section id=\"plans\"><h2>Plan fulfilment</h2>\n");
    if (r && r->plans)
        s_headline (v, b, r, f->as_of);
    else if (r)
        socin_str_puts (b, "<p class=\"note\">No plan is owned in this territory.</p>\n");
    web_table_html (web_plans_table (v, total, "plans-total", "Plans and measures"), b, dl, 0);
    if (rows != SIZE_MAX)
        web_table_html (web_plans_table (v, rows, "plans", "By territory"), b, dl, 0);
    socin_str_puts (b, "<h3>Money by funding source</h3>\n");
    if (r) s_money (b, r);
    web_table_html (web_funding_table (v, total, "funding", "Planned and spent by funding source"),
                    b, dl, 0);
    socin_str_puts (b, "<h3>Delayed and overdue measures</h3>\n");
    web_table_html (web_late_table (v, total, "late",
                                    "Delayed or overdue measures, with their plan's owner", 25),
                    b, dl, 25);
    socin_str_puts (b, "</section>\n");
}
