/*  dashboard: the front page. See dashboard.h. */
#include "dashboard.h"

#include <stdint.h>
#include <string.h>

#include "chart.h"
#include "figures.h"
#include "layout.h"
#include "pivot.h"
#include "plans.h"

#define MAX_DATASETS 8
#define MAX_SERIES   12

enum {
    M_TARGETS,
    M_PART_TOTAL,
    M_PART_ROWS,
    M_IND_PIVOT,
    M_IND_ROWS,
    M_NDS,
    M_DS,
    M_PLANS,
    M_PLAN_ROWS
};

static const char *
s_name (const socin_indicator_t *ind)
{
    return ind->pb->name_en && *ind->pb->name_en ? ind->pb->name_en : ind->pb->name_cs;
}

/* The data sets whose completeness the page shows, into OUT: the one named (dataset=), or
   those holding the page's indicator. Each costs reporting a pass over every unit, so the
   page asks for these and links the others. */
static size_t
s_datasets (web_view_t *v, const socin_dataset_t **out)
{
    size_t n = 0;
    if (v->args.dataset) {
        out[n++] = socin_model_dataset (v->model, v->args.dataset);
        return out[0] ? n : 0;
    }
    for (int i = 0; v->indicator && i < v->indicator->ndatasets && n < MAX_DATASETS; i++) {
        const socin_dataset_t *ds = socin_model_dataset_at (v->model, v->indicator->datasets[i]);
        if (ds) out[n++] = ds;
    }
    return n;
}

/* The indicator's figure for the unit over the period and its series: one pivot. */
static void
s_plan_indicator (web_view_t *v, const char *under, int child)
{
    socin_period_t series[MAX_SERIES];
    size_t n = web_period_series (v->period, v->indicator->period_type, series, MAX_SERIES);
    char texts[MAX_SERIES][SOCIN_PERIOD_STRLEN];
    const char *pe[MAX_SERIES + 1] = {v->period_text}, *dx[] = {v->indicator->code},
                                *ou[] = {under};
    for (size_t i = 0; i < n; i++) {
        socin_period_format (series[i], texts[i], sizeof texts[i]);
        pe[i + 1] = texts[i];
    }
    v->mark[M_IND_PIVOT] = web_ask_pivot (v, dx, 1, pe, n + 1, ou, 1) + 1;
    if (child)
        v->mark[M_IND_ROWS] =
            web_ask_rollup (v, v->indicator->code, v->period_text, child, under) + 1;
}

static int
s_plan (web_view_t *v)
{
    const char *under = v->unit->code;
    int child = web_child_level (v->unit->level, v->args.via);
    if (v->args.dataset && !socin_model_dataset (v->model, v->args.dataset))
        return web_view_fail (v, 404, "data set '%s' is not in the catalogue", v->args.dataset);
    if (web_view_may (v, "targets")) v->mark[M_TARGETS] = web_ask_targets (v) + 1;
    if (web_view_may (v, "participation")) {
        v->mark[M_PART_TOTAL] = web_ask_participation (v, v->period_text, 0, under) + 1;
        if (child)
            v->mark[M_PART_ROWS] = web_ask_participation (v, v->period_text, child, under) + 1;
    }
    if (web_view_may (v, "plans")) {
        v->mark[M_PLANS] = web_ask_plans (v, 0) + 1;
        if (child) v->mark[M_PLAN_ROWS] = web_ask_plans (v, child) + 1;
    }
    if (web_view_may (v, "completeness")) {
        const socin_dataset_t *sets[MAX_DATASETS];
        size_t nds = s_datasets (v, sets);
        v->mark[M_DS] = v->nq;
        for (size_t i = 0; i < nds; i++, v->mark[M_NDS]++) {
            char p[SOCIN_PERIOD_STRLEN];
            socin_period_format (web_period_within (v->period, sets[i]->period_type), p, sizeof p);
            /* One question per data set: the rows beneath, with the missing units; the total is
               their sum (the rows of one level partition the unit). */
            web_ask_completeness (v, sets[i]->code, p, child, under, true);
        }
    }
    if (web_view_may (v, "indicators") && v->indicator) s_plan_indicator (v, under, child);
    return 0;
}

static void
s_targets (web_view_t *v, socin_str_t *b)
{
    size_t slot = v->mark[M_TARGETS] - 1;
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    socin_str_puts (b,
                    "<section id=\"targets\"><h2>Targets: OGP commitment CZ0046 and others</h2>\n");
    for (size_t i = 0; r && r->targets && i < r->targets->n_targets; i++) {
        const Socin__V1__TargetProgress *p = r->targets->targets[i];
        socin_str_puts (b, "<p><span class=\"big\" data-target=\"");
        web_html (b, p->code);
        socin_str_printf (b, "\" data-current=\"%u\">%u</span> of %u municipalities — ", p->current,
                          p->current, p->threshold);
        web_html (b, p->name);
        socin_str_puts (b, " (");
        web_html (b, p->commitment);
        socin_str_puts (b, ", by ");
        web_html (b, p->deadline);
        socin_str_printf (b, "): <span class=\"%s\">%s</span></p>\n", p->met ? "met" : "notmet",
                          p->met ? "met" : "not met yet");
    }
    socin_str_t dl = SOCIN_STR_INIT;
    web_view_link (v, &dl, "/", NULL, NULL);
    web_table_html (web_targets_table (v, slot, "targets", "Progress of every target"), b,
                    socin_str_cstr (&dl), 0);
    web_table_html (web_target_units_table (v, slot, "qualifying", "Qualifying municipalities"), b,
                    socin_str_cstr (&dl), 50);
    socin_str_free (&dl);
    socin_str_puts (b, "</section>\n");
}

/* Links to the completeness of every data set the page does not show. */
static void
s_other_datasets (web_view_t *v, socin_str_t *b, const socin_dataset_t *const *shown, size_t nshown)
{
    size_t n = socin_model_count (v->model, SOCIN_KIND_DATASET), listed = 0;
    for (uint32_t i = 1; i <= n; i++) {
        const socin_dataset_t *ds = socin_model_dataset_at (v->model, i);
        bool is_shown = false;
        for (size_t k = 0; k < nshown; k++)
            is_shown |= shown[k] == ds;
        if (is_shown) continue;
        socin_str_puts (
            b, listed++ ? " · " : "<p class=\"note\">The completeness of the other data sets: ");
        socin_str_puts (b, "<a href=\"");
        web_view_link (v, b, "/", "dataset", ds->code);
        socin_str_puts (b, "#completeness\">");
        web_html (b, ds->pb->name);
        socin_str_puts (b, "</a>");
    }
    if (listed) socin_str_puts (b, "</p>\n");
}

/* One data set's tables: the total, the rows beneath, the missing units. */
static void
s_dataset (web_view_t *v, socin_str_t *b, const char *dl, const socin_dataset_t *ds, size_t slot)
{
    int child = web_child_level (v->unit->level, v->args.via);
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    char id[96], title[300];
    socin_str_puts (b, "<h3>");
    web_html (b, ds->pb->name);
    if (r && r->completeness) {
        socin_str_puts (b, " — ");
        web_html (b, r->completeness->period);
        socin_str_puts (b, ", due ");
        web_html (b, r->completeness->due);
    }
    socin_str_puts (b, "</h3>\n");
    snprintf (id, sizeof id, "completeness-%s", ds->code);
    snprintf (title, sizeof title, "%s: units that reported, complete and on time", ds->code);
    web_table_html (child ? web_completeness_total_table (v, slot, id, title)
                          : web_completeness_table (v, slot, id, title),
                    b, dl, 0);
    if (child) {
        snprintf (id, sizeof id, "by-%s", ds->code);
        snprintf (title, sizeof title, "%s by %s", ds->code, socin_level_name (child));
        web_table_html (web_completeness_table (v, slot, id, title), b, dl, 0);
    }
    snprintf (id, sizeof id, "missing-%s", ds->code);
    snprintf (title, sizeof title, "%s: units with nothing reported", ds->code);
    web_table_html (web_missing_table (v, slot, id, title, 25), b, dl, 25);
}

static void
s_completeness (web_view_t *v, socin_str_t *b, const char *dl)
{
    socin_str_puts (
        b, "<section id=\"completeness\"><h2>Completeness and timeliness of reporting</h2>\n");
    const socin_dataset_t *sets[MAX_DATASETS];
    size_t n = s_datasets (v, sets);
    for (size_t i = 0; i < n && i < v->mark[M_NDS]; i++)
        s_dataset (v, b, dl, sets[i], v->mark[M_DS] + i);
    s_other_datasets (v, b, sets, n);
    socin_str_puts (b, "</section>\n");
}

static void
s_indicator (web_view_t *v, socin_str_t *b, const char *dl)
{
    socin_str_puts (b, "<section id=\"indicator\"><h2>");
    web_html (b, s_name (v->indicator));
    socin_str_puts (b, " (");
    web_html (b, v->indicator->pb->measure);
    socin_str_puts (b, ")</h2>\n");
    if (v->indicator->pb->description && *v->indicator->pb->description) {
        socin_str_puts (b, "<p class=\"note\">");
        web_html (b, v->indicator->pb->description);
        socin_str_puts (b, "</p>\n");
    }
    size_t slot = v->mark[M_IND_PIVOT] - 1;
    web_table_html (web_pivot_figure_table (v, slot, v->indicator->code, v->period_text,
                                            v->unit->code, "indicator-total",
                                            "The whole territory"),
                    b, dl, 0);
    if (v->mark[M_IND_ROWS])
        web_table_html (web_rollup_table (v, v->mark[M_IND_ROWS] - 1, "indicator", "By territory"),
                        b, dl, 0);
    web_pivot_series (v, b, dl, slot, v->indicator, v->unit->code);
    socin_str_puts (b, "<p><a href=\"");
    web_view_link (v, b, "/map", NULL, NULL);
    socin_str_puts (b, "\">See it on the map</a></p></section>\n");
}

static void
s_render (web_view_t *v)
{
    socin_str_t *b = &v->body, dl = SOCIN_STR_INIT;
    web_view_link (v, &dl, "/", NULL, NULL);
    snprintf (v->title, sizeof v->title, "Social inclusion in %s, %s", v->unit->pb->name,
              v->period_text);
    if (v->scope.signed_in) web_layout_form (v, b, "/", false);
    if (!v->scope.signed_in)
        socin_str_puts (b,
                        "<p class=\"note\">The public view shows what the operator has published. "
                        "<a href=\"/login\">Sign in</a> for every figure of your territory.</p>\n");
    if (v->mark[M_TARGETS]) s_targets (v, b);
    if (v->mark[M_PART_TOTAL]) {
        socin_str_puts (b, "<section id=\"participation\"><h2>Participation</h2>\n");
        web_table_html (web_participation_table (v, v->mark[M_PART_TOTAL] - 1,
                                                 "participation-total", "Participatory events"),
                        b, socin_str_cstr (&dl), 0);
        if (v->mark[M_PART_ROWS])
            web_table_html (web_participation_table (v, v->mark[M_PART_ROWS] - 1, "participation",
                                                     "By territory"),
                            b, socin_str_cstr (&dl), 0);
        socin_str_puts (b, "</section>\n");
    }
    if (v->mark[M_PLANS])
        web_plans_section (v, b, socin_str_cstr (&dl), v->mark[M_PLANS] - 1,
                           v->mark[M_PLAN_ROWS] ? v->mark[M_PLAN_ROWS] - 1 : SIZE_MAX);
    if (web_view_may (v, "completeness")) s_completeness (v, b, socin_str_cstr (&dl));
    if (v->mark[M_IND_PIVOT]) s_indicator (v, b, socin_str_cstr (&dl));
    socin_str_free (&dl);
}

const web_route_t web_dashboard_routes[] = {
    {"/", NULL, s_plan, s_render, false},
    {NULL},
};
