/*  dashboard: the front page. See dashboard.h. */
#include "dashboard.h"

#include <string.h>

#include "chart.h"
#include "figures.h"
#include "layout.h"

#define MAX_DATASETS 8
#define MAX_SERIES   12

enum { M_TARGETS, M_PART_TOTAL, M_PART_ROWS, M_IND_TOTAL, M_IND_ROWS, M_SERIES, M_NSERIES, M_NDS, M_DS };

static const char *
s_name (const socin_indicator_t *ind)
{
    return ind->pb->name_en && *ind->pb->name_en ? ind->pb->name_en : ind->pb->name_cs;
}

static int
s_plan (web_view_t *v)
{
    const char *under = v->unit->code;
    int child = web_child_level (v->unit->level, v->args.via);
    if (web_view_may (v, "targets")) v->mark[M_TARGETS] = web_ask_targets (v) + 1;
    if (web_view_may (v, "participation")) {
        v->mark[M_PART_TOTAL] = web_ask_participation (v, v->period_text, 0, under) + 1;
        if (child) v->mark[M_PART_ROWS] = web_ask_participation (v, v->period_text, child, under) + 1;
    }
    if (web_view_may (v, "completeness")) {
        size_t nds = socin_model_count (v->model, SOCIN_KIND_DATASET);
        v->mark[M_DS] = v->nq;
        for (uint32_t i = 1; i <= nds && v->mark[M_NDS] < MAX_DATASETS; i++, v->mark[M_NDS]++) {
            const socin_dataset_t *ds = socin_model_dataset_at (v->model, i);
            char p[SOCIN_PERIOD_STRLEN];
            socin_period_format (web_period_within (v->period, ds->period_type), p, sizeof p);
            /* One question per data set: the rows beneath, with the missing units; the total is
               their sum (the rows of one level partition the unit). */
            web_ask_completeness (v, ds->code, p, child, under, true);
        }
    }
    if (web_view_may (v, "indicators") && v->indicator) {
        v->mark[M_IND_TOTAL] = web_ask_rollup (v, v->indicator->code, v->period_text, 0, under) + 1;
        if (child) v->mark[M_IND_ROWS] = web_ask_rollup (v, v->indicator->code, v->period_text, child, under) + 1;
        socin_period_t series[MAX_SERIES];
        size_t n = web_period_series (v->period, v->indicator->period_type, series, MAX_SERIES);
        v->mark[M_SERIES] = v->nq;
        v->mark[M_NSERIES] = n;
        for (size_t i = 0; i < n; i++) {
            char p[SOCIN_PERIOD_STRLEN];
            socin_period_format (series[i], p, sizeof p);
            web_ask_rollup (v, v->indicator->code, p, 0, under);
        }
    }
    return 0;
}

static void
s_targets (web_view_t *v, socin_str_t *b)
{
    size_t slot = v->mark[M_TARGETS] - 1;
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    socin_str_puts (b, "<section id=\"targets\"><h2>Targets: OGP commitment CZ0046 and others</h2>\n");
    for (size_t i = 0; r && r->targets && i < r->targets->n_targets; i++) {
        const Socin__V1__TargetProgress *p = r->targets->targets[i];
        socin_str_puts (b, "<p><span class=\"big\" data-target=\"");
        web_html (b, p->code);
        socin_str_printf (b, "\" data-current=\"%u\">%u</span> of %u municipalities — ", p->current, p->current, p->threshold);
        web_html (b, p->name);
        socin_str_puts (b, " (");
        web_html (b, p->commitment);
        socin_str_puts (b, ", by ");
        web_html (b, p->deadline);
        socin_str_printf (b, "): <span class=\"%s\">%s</span></p>\n", p->met ? "met" : "notmet", p->met ? "met" : "not met yet");
    }
    socin_str_t dl = SOCIN_STR_INIT;
    web_view_link (v, &dl, "/", NULL, NULL);
    web_table_html (web_targets_table (v, slot, "targets", "Progress of every target"), b, socin_str_cstr (&dl), 0);
    web_table_html (web_target_units_table (v, slot, "qualifying", "Qualifying municipalities"), b, socin_str_cstr (&dl), 50);
    socin_str_free (&dl);
    socin_str_puts (b, "</section>\n");
}

static void
s_completeness (web_view_t *v, socin_str_t *b, const char *dl)
{
    socin_str_puts (b, "<section id=\"completeness\"><h2>Completeness and timeliness of reporting</h2>\n");
    size_t slot = v->mark[M_DS];
    int child = web_child_level (v->unit->level, v->args.via);
    for (uint32_t i = 1; i <= v->mark[M_NDS]; i++, slot++) {
        const socin_dataset_t *ds = socin_model_dataset_at (v->model, i);
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
        web_table_html (child ? web_completeness_total_table (v, slot, id, title) : web_completeness_table (v, slot, id, title),
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
    web_table_html (web_rollup_table (v, v->mark[M_IND_TOTAL] - 1, "indicator-total", "The whole territory"), b, dl, 0);
    if (v->mark[M_IND_ROWS]) web_table_html (web_rollup_table (v, v->mark[M_IND_ROWS] - 1, "indicator", "By territory"), b, dl, 0);
    const char *labels[MAX_SERIES], *values[MAX_SERIES];
    const char *cols[] = {"period", "value#"};
    web_table_t *t = web_table_new ("series", "Over time", cols, 2);
    for (size_t i = 0; i < v->mark[M_NSERIES]; i++) {
        const Socin__V1__ReportReply *r = web_view_reply (v, v->mark[M_SERIES] + i);
        bool row = r && r->table && r->table->n_rows;
        labels[i] = r && r->table ? r->table->period : "";
        values[i] = row ? r->table->rows[0]->value : "";
        const char *cells[] = {labels[i], values[i]};
        web_table_row (t, cells, NULL);
    }
    web_chart_series (b, "Over time", labels, values, v->mark[M_NSERIES]);
    web_table_html (web_view_table (v, t), b, dl, 0);
    socin_str_puts (b, "<p><a href=\"");
    web_view_link (v, b, "/map", NULL, NULL);
    socin_str_puts (b, "\">See it on the map</a></p></section>\n");
}

static void
s_render (web_view_t *v)
{
    socin_str_t *b = &v->body, dl = SOCIN_STR_INIT;
    web_view_link (v, &dl, "/", NULL, NULL);
    snprintf (v->title, sizeof v->title, "Social inclusion in %s, %s", v->unit->pb->name, v->period_text);
    if (v->scope.signed_in) web_layout_form (v, b, "/", false);
    if (!v->scope.signed_in)
        socin_str_puts (b, "<p class=\"note\">The public view shows what the operator has published. "
                           "<a href=\"/login\">Sign in</a> for every figure of your territory.</p>\n");
    if (v->mark[M_TARGETS]) s_targets (v, b);
    if (v->mark[M_PART_TOTAL]) {
        socin_str_puts (b, "<section id=\"participation\"><h2>Participation</h2>\n");
        web_table_html (web_participation_table (v, v->mark[M_PART_TOTAL] - 1, "participation-total", "Participatory events"),
                        b, socin_str_cstr (&dl), 0);
        if (v->mark[M_PART_ROWS])
            web_table_html (web_participation_table (v, v->mark[M_PART_ROWS] - 1, "participation", "By territory"), b,
                            socin_str_cstr (&dl), 0);
        socin_str_puts (b, "</section>\n");
    }
    if (web_view_may (v, "plans"))
        socin_str_puts (b, "<section id=\"plans\"><h2>Plan fulfilment</h2><p class=\"note\">No strategic plans or measures "
                           "are reported yet; their fulfilment appears here once reporting answers for plans.</p></section>\n");
    if (v->mark[M_NDS]) s_completeness (v, b, socin_str_cstr (&dl));
    if (v->mark[M_IND_TOTAL]) s_indicator (v, b, socin_str_cstr (&dl));
    socin_str_free (&dl);
}

const web_route_t web_dashboard_routes[] = {
    {"/", NULL, s_plan, s_render, false},
    {NULL},
};
