/*  pages: map, unit, history, API index, credits. See pages.h. */
#include "pages.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "embedded.h"
#include "figures.h"
#include "layout.h"
#include "log.h"
#include "map.h"
#include "pivot.h"
#include "plans.h"

#define MAX_SERIES     12
#define MAX_INDICATORS 64

enum { M_ROWS, M_PIVOT, M_PART, M_NVALUES, M_HISTORY, M_PLANS, M_PLAN_ROWS };

static const char *
s_ind_name (const socin_indicator_t *ind)
{
    return ind->pb->name_en && *ind->pb->name_en ? ind->pb->name_en : ind->pb->name_cs;
}

/* ---- /map ---- */

static int
s_map_level (web_view_t *v)
{
    if (!v->level)
        return v->unit->level == SOCIN_LEVEL_COUNTRY ? SOCIN_LEVEL_KRAJ : SOCIN_LEVEL_OKRES;
    if (v->level != SOCIN_LEVEL_KRAJ && v->level != SOCIN_LEVEL_OKRES)
        return -web_view_fail (v, 400,
                               "the map shows kraje and okresy (level=kraj or level=okres)");
    return v->level;
}

static int
s_map_plan (web_view_t *v)
{
    int level = s_map_level (v);
    if (level < 0) return -level;
    if (!v->indicator) return web_view_fail (v, 404, "the catalogue has no indicator");
    v->mark[M_ROWS] = web_ask_rollup (v, v->indicator->code, v->period_text, level, v->unit->code);
    return 0;
}

static void
s_map_render (web_view_t *v)
{
    int level = s_map_level (v);
    snprintf (v->title, sizeof v->title, "%s, %s, by %s", s_ind_name (v->indicator), v->period_text,
              socin_level_name (level));
    web_layout_form (v, &v->body, "/map", true);
    web_table_t *t = web_rollup_table (v, v->mark[M_ROWS], "map", "The figures on the map");
    size_t n = web_table_rows (t);
    web_map_unit_t *units = socin_calloc (n + 1, sizeof *units);
    socin_str_t *hrefs = socin_calloc (n + 1, sizeof *hrefs);
    for (size_t i = 0; i < n; i++) {
        const char *code = web_table_cell (t, i, 0);
        web_unit_href (v, &hrefs[i], code);
        const socin_unit_t *u = socin_model_unit (v->model, code);
        units[i] = (web_map_unit_t){code, web_table_cell (t, i, 1), web_table_cell (t, i, 4),
                                    socin_str_cstr (&hrefs[i]),
                                    u && web_scope_allows (&v->scope, v->model, u)};
    }
    socin_str_puts (&v->body, "<figure class=\"map\">");
    web_map_svg (v->ctx->map, &v->body, socin_level_name (level), units, n,
                 v->unit->level != SOCIN_LEVEL_COUNTRY, v->title, v->indicator->pb->measure);
    socin_str_puts (&v->body, "<figcaption>Click a unit for its page. Classes are quantiles of the "
                              "values shown; grey: no "
                              "value.</figcaption></figure>\n");
    socin_str_t dl = SOCIN_STR_INIT;
    web_view_link (v, &dl, "/map", NULL, NULL);
    web_table_html (t, &v->body, socin_str_cstr (&dl), 0);
    socin_str_free (&dl);
    for (size_t i = 0; i < n; i++)
        socin_str_free (&hrefs[i]);
    free (hrefs);
    free (units);
}

/* ---- /unit/CODE ---- */

static int
s_unit_resolve (web_view_t *v)
{
    const socin_unit_t *u = socin_model_unit (v->model, v->subpath);
    if (!u) return web_view_fail (v, 404, "unit '%s' is not in the registry", v->subpath);
    if (!web_scope_allows (&v->scope, v->model, u))
        return web_view_fail (v, 403, "unit %s (%s) is outside the territory of this token",
                              u->code, u->pb->name);
    v->unit = u;
    return 0;
}

/* The unit's figures in one pivot: the indicator over the period and its series, and on a
   municipality's page every indicator of the catalogue for the period. */
static void
s_unit_pivot (web_view_t *v)
{
    socin_period_t series[MAX_SERIES];
    size_t n = v->indicator
                   ? web_period_series (v->period, v->indicator->period_type, series, MAX_SERIES)
                   : 0;
    char texts[MAX_SERIES][SOCIN_PERIOD_STRLEN];
    const char *pe[MAX_SERIES + 1] = {v->period_text}, *dx[MAX_INDICATORS + 1],
                                *ou[] = {v->unit->code};
    for (size_t i = 0; i < n; i++) {
        socin_period_format (series[i], texts[i], sizeof texts[i]);
        pe[i + 1] = texts[i];
    }
    size_t ndx = 0;
    if (v->indicator) dx[ndx++] = v->indicator->code;
    if (v->unit->level == SOCIN_LEVEL_MUNICIPALITY || v->unit->level == SOCIN_LEVEL_DISTRICT) {
        size_t count = socin_model_count (v->model, SOCIN_KIND_INDICATOR);
        for (uint32_t i = 1; i <= count && v->mark[M_NVALUES] < MAX_INDICATORS;
             i++, v->mark[M_NVALUES]++)
            dx[ndx++] = socin_model_indicator_at (v->model, i)->code;
    }
    if (ndx) v->mark[M_PIVOT] = web_ask_pivot (v, dx, ndx, pe, n + 1, ou, 1) + 1;
}

static int
s_unit_plan (web_view_t *v)
{
    if (s_unit_resolve (v)) return v->status;
    int child = web_child_level (v->unit->level, v->args.via);
    s_unit_pivot (v);
    if (v->indicator && child)
        v->mark[M_ROWS] =
            web_ask_rollup (v, v->indicator->code, v->period_text, child, v->unit->code) + 1;
    v->mark[M_PART] = web_ask_participation (v, v->period_text, 0, v->unit->code) + 1;
    if (web_view_may (v, "plans")) {
        v->mark[M_PLANS] = web_ask_plans (v, 0) + 1;
        if (child && child != SOCIN_LEVEL_DISTRICT)
            v->mark[M_PLAN_ROWS] = web_ask_plans (v, child) + 1;
    }
    return 0;
}

/* Every indicator's figure for a municipality, each linked to its value's history. */
static void
s_unit_values (web_view_t *v, socin_str_t *b, const char *dl)
{
    const char *cols[] = {"indicator", "name", "period", "value#", "measure"};
    web_table_t *t = web_table_new ("values", "Every indicator", cols, 5);
    socin_str_t href = SOCIN_STR_INIT;
    for (uint32_t i = 0; i < v->mark[M_NVALUES]; i++) {
        const socin_indicator_t *ind = socin_model_indicator_at (v->model, i + 1);
        const char *value =
            web_pivot_value (v, v->mark[M_PIVOT] - 1, ind->code, v->period_text, v->unit->code);
        char p[SOCIN_PERIOD_STRLEN];
        socin_period_format (web_period_within (v->period, ind->period_type), p, sizeof p);
        socin_str_clear (&href);
        socin_str_printf (&href, "/history?unit=%s&indicator=%s&period=%s", v->unit->code,
                          ind->code, p);
        const char *cells[] = {ind->code, s_ind_name (ind), v->period_text, value,
                               ind->pb->measure};
        web_table_row (t, cells, ind->derived ? NULL : socin_str_cstr (&href));
    }
    socin_str_free (&href);
    web_table_html (web_view_table (v, t), b, dl, 0);
    socin_str_puts (b, "<p class=\"note\">An indicator's code links to the history of its value in "
                       "the last period of "
                       "its kind within the period shown, with the submitters' comments.</p>\n");
}

static void
s_unit_render (web_view_t *v)
{
    socin_str_t *b = &v->body, dl = SOCIN_STR_INIT, path = SOCIN_STR_INIT;
    socin_str_printf (&path, "/unit/%s", v->unit->code);
    web_view_link (v, &dl, socin_str_cstr (&path), NULL, NULL);
    snprintf (v->title, sizeof v->title, "%s (%s), %s", v->unit->pb->name,
              socin_level_name (v->unit->level), v->period_text);
    web_layout_breadcrumb (v, b);
    web_layout_form (v, b, socin_str_cstr (&path), false);
    if (v->indicator) {
        socin_str_puts (b, "<h2>");
        web_html (b, s_ind_name (v->indicator));
        socin_str_puts (b, "</h2>\n");
        web_table_html (web_pivot_figure_table (v, v->mark[M_PIVOT] - 1, v->indicator->code,
                                                v->period_text, v->unit->code, "figure",
                                                "This unit"),
                        b, socin_str_cstr (&dl), 0);
        if (v->mark[M_ROWS]) {
            int child = web_child_level (v->unit->level, v->args.via);
            if (v->unit->level == SOCIN_LEVEL_KRAJ) {
                socin_str_puts (b, "<p>Beneath it by <a href=\"");
                web_view_link (v, b, socin_str_cstr (&path), "via", "okres");
                socin_str_puts (b, "\">okres</a> or by <a href=\"");
                web_view_link (v, b, socin_str_cstr (&path), "via", "orp");
                socin_str_puts (b, "\">ORP</a>.</p>\n");
            }
            char title[64];
            snprintf (title, sizeof title, "By %s", socin_level_name (child));
            web_table_html (web_rollup_table (v, v->mark[M_ROWS] - 1, "rows", title), b,
                            socin_str_cstr (&dl), 0);
        }
        web_pivot_series (v, b, socin_str_cstr (&dl), v->mark[M_PIVOT] - 1, v->indicator,
                          v->unit->code);
    }
    socin_str_puts (b, "<h2>Participation</h2>\n");
    web_table_html (
        web_participation_table (v, v->mark[M_PART] - 1, "participation", "Participatory events"),
        b, socin_str_cstr (&dl), 0);
    if (v->mark[M_PLANS])
        web_plans_section (v, b, socin_str_cstr (&dl), v->mark[M_PLANS] - 1,
                           v->mark[M_PLAN_ROWS] ? v->mark[M_PLAN_ROWS] - 1 : SIZE_MAX);
    if (v->mark[M_NVALUES]) s_unit_values (v, b, socin_str_cstr (&dl));
    socin_str_free (&dl);
    socin_str_free (&path);
}

/* ---- /history ---- */

static int
s_history_plan (web_view_t *v)
{
    if (!v->args.unit || !v->args.indicator || !v->args.period)
        return web_view_fail (v, 400, "the history needs unit, indicator and period");
    v->mark[M_HISTORY] = web_ask_history (v, v->indicator->code, v->unit->code, v->period_text);
    return 0;
}

static void
s_history_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "History of %s in %s, %s", v->indicator->code,
              v->unit->pb->name, v->period_text);
    web_layout_breadcrumb (v, &v->body);
    socin_str_t dl = SOCIN_STR_INIT;
    web_view_link (v, &dl, "/history", NULL, NULL);
    web_table_html (
        web_history_table (v, v->mark[M_HISTORY], "history", "Every change, oldest first"),
        &v->body, socin_str_cstr (&dl), 0);
    socin_str_free (&dl);
}

/* ---- /api and /credits ---- */

static void
s_api_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "JSON API");
    socin_str_puts (
        &v->body,
        "<p>Read-only; every answer is JSON (add <code>format=csv</code> for CSV), limited to "
        "the territory of the token (<code>Authorization: Bearer TOKEN</code>). docs/web.md "
        "describes each.</p><ul>\n"
        "<li><code>/api/rollup?indicator=PART_EVENTS&amp;period=2025&amp;level=kraj</code></li>\n"
        "<li><code>/api/pivot?dx=PART_EVENTS;EMP_SHARE&amp;pe=2025Q1;LAST_12_MONTHS&amp;"
        "ou=CZ064;LEVEL-okres</code></li>\n"
        "<li><code>/api/plans?period=2025&amp;level=kraj</code></li>\n"
        "<li><code>/api/completeness?dataset=DS_PARTICIPATION&amp;period=202512</code></li>\n"
        "<li><code>/api/participation?period=2025&amp;level=kraj</code></li>\n"
        "<li><code>/api/targets</code></li>\n"
        "<li><code>/api/history?indicator=PART_EVENTS&amp;unit=582786&amp;period=202503"
        "</code></li>\n"
        "<li><code>/api/indicators</code>, <code>/api/units?unit=CZ064&amp;level=okres</code></li>"
        "</ul>\n");
}

static void
s_credits_render (web_view_t *v)
{
    size_t len;
    const char *text = web_embedded_credits (&len);
    char *copy = socin_strndup (text, len);
    snprintf (v->title, sizeof v->title, "Credits");
    socin_str_puts (&v->body, "<pre>");
    web_html (&v->body, copy);
    socin_str_puts (&v->body, "</pre>\n");
    free (copy);
}

const web_route_t web_page_routes[] = {
    {"/map", "map", s_map_plan, s_map_render, false},
    {"/unit/", "units", s_unit_plan, s_unit_render, false},
    {"/history", "units", s_history_plan, s_history_render, false},
    {"/api", NULL, NULL, s_api_render, false},
    {"/credits", NULL, NULL, s_credits_render, false},
    {NULL},
};
