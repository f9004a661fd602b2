/*  api: the JSON API. See api.h. */
#include "api.h"

#include <stdint.h>
#include <string.h>

#include "figures.h"

#define MAX_LIST 24

static int
s_need (web_view_t *v, const char *what, const char *value)
{
    return value ? 0 : web_view_fail (v, 400, "this call needs %s", what);
}

/* ---- one question each ---- */

static int
s_rollup_plan (web_view_t *v)
{
    if (s_need (v, "indicator", v->args.indicator) || s_need (v, "period", v->args.period)) return v->status;
    web_ask_rollup (v, v->indicator->code, v->period_text, v->level, v->unit->code);
    return 0;
}

static void
s_rollup_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "rollup %s %s", v->indicator->code, v->period_text);
    web_rollup_table (v, 0, "rollup", v->title);
}

static int
s_completeness_plan (web_view_t *v)
{
    if (s_need (v, "dataset", v->args.dataset) || s_need (v, "period", v->args.period)) return v->status;
    if (!socin_model_dataset (v->model, v->args.dataset))
        return web_view_fail (v, 404, "data set '%s' is not in the catalogue", v->args.dataset);
    web_ask_completeness (v, v->args.dataset, v->period_text, v->level, v->unit->code, true);
    return 0;
}

static void
s_completeness_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "completeness %s %s", v->args.dataset, v->period_text);
    web_completeness_table (v, 0, "completeness", v->title);
    web_missing_table (v, 0, "missing", "units with nothing reported", SIZE_MAX);
}

static int
s_participation_plan (web_view_t *v)
{
    if (s_need (v, "period", v->args.period)) return v->status;
    web_ask_participation (v, v->period_text, v->level, v->unit->code);
    return 0;
}

static void
s_participation_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "participation %s", v->period_text);
    web_participation_table (v, 0, "participation", v->title);
}

static int
s_targets_plan (web_view_t *v)
{
    web_ask_targets (v);
    return 0;
}

static void
s_targets_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "targets");
    web_targets_table (v, 0, "targets", "progress of every target");
    web_target_units_table (v, 0, "qualifying", "qualifying units");
}

static int
s_history_plan (web_view_t *v)
{
    if (s_need (v, "indicator", v->args.indicator) || s_need (v, "unit", v->args.unit) ||
        s_need (v, "period", v->args.period))
        return v->status;
    web_ask_history (v, v->indicator->code, v->unit->code, v->period_text);
    return 0;
}

static void
s_history_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "history %s %s %s", v->indicator->code, v->unit->code, v->period_text);
    web_history_table (v, 0, "history", v->title);
}

/* ---- the pivot: dx x pe x ou ---- */

typedef struct {
    char buf[3][1100];
    const char *dx[MAX_LIST], *pe[MAX_LIST], *ou[MAX_LIST];
    size_t ndx, npe, nou;
    int level;
} s_pivot_t;

static size_t
s_split (char *buf, const char *text, const char **out)
{
    snprintf (buf, 1100, "%s", text ? text : "");
    size_t n = 0;
    char *save = NULL;
    for (char *item = strtok_r (buf, ";", &save); item && n < MAX_LIST; item = strtok_r (NULL, ";", &save)) out[n++] = item;
    return n;
}

/* Reads dx, pe and ou, checking each; 0 or an HTTP status. */
static int
s_pivot_read (web_view_t *v, s_pivot_t *p)
{
    p->ndx = s_split (p->buf[0], v->args.dx, p->dx);
    p->npe = s_split (p->buf[1], v->args.pe, p->pe);
    size_t n = s_split (p->buf[2], v->args.ou, p->ou);
    if (!p->ndx || !p->npe) return web_view_fail (v, 400, "the pivot needs dx (indicators) and pe (periods)");
    for (size_t i = 0; i < p->ndx; i++)
        if (!socin_model_indicator (v->model, p->dx[i]))
            return web_view_fail (v, 404, "indicator '%s' is not in the catalogue", p->dx[i]);
    char err[200];
    socin_period_t per;
    for (size_t i = 0; i < p->npe; i++)
        if (socin_period_parse (p->pe[i], &per, err, sizeof err))
            return web_view_fail (v, 400, "pe: '%s' %s", p->pe[i], err);
    p->nou = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp (p->ou[i], "LEVEL-", 6)) {
            if (!(p->level = socin_level_parse (p->ou[i] + 6)))
                return web_view_fail (v, 400, "ou: '%s' names no level", p->ou[i]);
            continue;
        }
        const socin_unit_t *u = socin_model_unit (v->model, p->ou[i]);
        if (!u) return web_view_fail (v, 404, "unit '%s' is not in the registry", p->ou[i]);
        if (!web_scope_allows (&v->scope, v->model, u))
            return web_view_fail (v, 403, "unit %s (%s) is outside the territory of this token", u->code, u->pb->name);
        p->ou[p->nou++] = p->ou[i];
    }
    if (!p->nou) p->ou[p->nou++] = v->unit->code;
    if (p->ndx * p->npe * p->nou > WEB_MAX_QUERIES - 1)
        return web_view_fail (v, 400, "the pivot asks %zu questions; at most %d", p->ndx * p->npe * p->nou, WEB_MAX_QUERIES - 1);
    return 0;
}

static int
s_pivot_plan (web_view_t *v)
{
    s_pivot_t p = {0};
    if (s_pivot_read (v, &p)) return v->status;
    for (size_t d = 0; d < p.ndx; d++)
        for (size_t e = 0; e < p.npe; e++)
            for (size_t o = 0; o < p.nou; o++) web_ask_rollup (v, p.dx[d], p.pe[e], p.level, p.ou[o]);
    return 0;
}

static void
s_pivot_render (web_view_t *v)
{
    s_pivot_t p = {0};
    s_pivot_read (v, &p);
    snprintf (v->title, sizeof v->title, "pivot");
    const char *cols[] = {"dx", "pe", "ou", "name", "level", "value#", "error"};
    web_table_t *t = web_table_new ("pivot", "dx x pe x ou", cols, 7);
    size_t slot = 0;
    for (size_t d = 0; d < p.ndx; d++)
        for (size_t e = 0; e < p.npe; e++)
            for (size_t o = 0; o < p.nou; o++, slot++) {
                const Socin__V1__ReportReply *r = web_view_reply (v, slot);
                if (!r || !r->table) {
                    const char *cells[] = {p.dx[d], p.pe[e], p.ou[o], "", "", "", web_view_error (v, slot)};
                    web_table_row (t, cells, NULL);
                    continue;
                }
                for (size_t i = 0; i < r->table->n_rows; i++) {
                    const Socin__V1__Row *row = r->table->rows[i];
                    const char *cells[] = {p.dx[d], r->table->period, row->unit, row->name,
                                           row->level ? socin_level_name (row->level) : "group", row->value, ""};
                    web_table_row (t, cells, NULL);
                }
            }
    web_view_table (v, t);
}

/* ---- from the registry's copy ---- */

static void
s_indicators_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "indicators");
    const char *cols[] = {"code", "name_cs", "name_en", "measure", "aggregation", "period_type", "policy_area", "derived"};
    web_table_t *t = web_table_new ("indicators", "the catalogue's indicators", cols, 8);
    size_t n = socin_model_count (v->model, SOCIN_KIND_INDICATOR);
    for (uint32_t i = 1; i <= n; i++) {
        const socin_indicator_t *ind = socin_model_indicator_at (v->model, i);
        const char *cells[] = {ind->code, ind->pb->name_cs, ind->pb->name_en, ind->pb->measure,
                               socin_aggregation_name (ind->aggregation), socin_period_type_name (ind->period_type),
                               ind->pb->policy_area, ind->derived ? "yes" : "no"};
        web_table_row (t, cells, NULL);
    }
    web_view_table (v, t);
}

static void
s_units_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "units under %s", v->unit->code);
    const char *cols[] = {"code", "name", "level", "parents", "population#"};
    web_table_t *t = web_table_new ("units", v->title, cols, 5);
    int level = v->level ? v->level : web_child_level (v->unit->level, v->args.via);
    int32_t today = socin_date_today ();
    size_t n = socin_model_count (v->model, SOCIN_KIND_UNIT);
    for (uint32_t i = 1; i <= n; i++) {
        const socin_unit_t *u = socin_model_unit_at (v->model, i);
        if (u->level != level || !socin_unit_under (u, v->unit->id) || !socin_unit_valid_during (u, today, today)) continue;
        socin_str_t parents = SOCIN_STR_INIT;
        for (size_t k = 0; k < u->pb->n_parents; k++) socin_str_printf (&parents, "%s%s", k ? ";" : "", u->pb->parents[k]);
        char pop[24];
        snprintf (pop, sizeof pop, "%llu", (unsigned long long) u->population);
        const char *cells[] = {u->code, u->pb->name, socin_level_name (u->level), socin_str_cstr (&parents), pop};
        web_table_row (t, cells, NULL);
        socin_str_free (&parents);
    }
    web_view_table (v, t);
}

const web_route_t web_api_routes[] = {
    {"/api/rollup", "api", s_rollup_plan, s_rollup_render, true},
    {"/api/pivot", "api", s_pivot_plan, s_pivot_render, true},
    {"/api/completeness", "api", s_completeness_plan, s_completeness_render, true},
    {"/api/participation", "api", s_participation_plan, s_participation_render, true},
    {"/api/targets", "targets", s_targets_plan, s_targets_render, true},
    {"/api/history", "api", s_history_plan, s_history_render, true},
    {"/api/indicators", "api", NULL, s_indicators_render, true},
    {"/api/units", "api", NULL, s_units_render, true},
    {NULL},
};
