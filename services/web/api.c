/*  api: the JSON API. See api.h. */
#include "api.h"

#include <stdint.h>
#include <string.h>

#include "error.h"
#include "figures.h"
#include "pivot.h"
#include "plans.h"

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
    if (s_need (v, "indicator", v->args.indicator) || s_need (v, "period", v->args.period))
        return v->status;
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
    if (s_need (v, "dataset", v->args.dataset) || s_need (v, "period", v->args.period))
        return v->status;
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
s_plans_plan (web_view_t *v)
{
    web_ask_plans (v, v->level);
    return 0;
}

static void
s_plans_render (web_view_t *v)
{
    char day[SOCIN_DATE_STRLEN];
    web_plans_as_of (v, day);
    snprintf (v->title, sizeof v->title, "plan fulfilment under %s as of %s", v->unit->code,
              *day ? day : "today");
    web_plans_table (v, 0, "plans", v->title);
    if (v->level) return;
    web_funding_table (v, 0, "funding", "planned and spent by funding source");
    web_late_table (v, 0, "late", "delayed or overdue measures", SIZE_MAX);
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
    snprintf (v->title, sizeof v->title, "history %s %s %s", v->indicator->code, v->unit->code,
              v->period_text);
    web_history_table (v, 0, "history", v->title);
}

/* ---- the pivot: dx x pe x ou, one PivotQuery ---- */

#define MAX_CELLS 100000

typedef struct {
    char buf[3][1100];
    const char *dx[MAX_LIST], *pe[MAX_LIST], *ou[MAX_LIST + WEB_SCOPE_MAX];
    size_t ndx, npe, nou;
} s_pivot_t;

static size_t
s_split (char *buf, const char *text, const char **out)
{
    snprintf (buf, 1100, "%s", text ? text : "");
    size_t n = 0;
    char *save = NULL;
    for (char *item = strtok_r (buf, ";", &save); item && n < MAX_LIST;
         item = strtok_r (NULL, ";", &save))
        out[n++] = item;
    return n;
}

/* Checks one unit item of ou against the reader's scope: 0 or an HTTP status. */
static int
s_pivot_unit (web_view_t *v, const char *item)
{
    if (!strncmp (item, "GROUP-", 6)) {
        const socin_group_t *g = socin_model_group (v->model, item + 6);
        if (!g) return web_view_fail (v, 404, "group '%s' is not in the registry", item + 6);
        for (size_t m = 0; m < g->nmembers; m++) {
            const socin_unit_t *u = socin_model_unit_at (v->model, g->members[m]);
            if (!web_scope_allows (&v->scope, v->model, u))
                return web_view_fail (
                    v, 403, "group %s has unit %s (%s), outside the territory of this token",
                    item + 6, u ? u->code : "?", u ? u->pb->name : "?");
        }
        return 0;
    }
    const socin_unit_t *u = socin_model_unit (v->model, item);
    if (!u) return web_view_fail (v, 404, "unit '%s' is not in the registry", item);
    if (!web_scope_allows (&v->scope, v->model, u))
        return web_view_fail (v, 403, "unit %s (%s) is outside the territory of this token",
                              u->code, u->pb->name);
    return 0;
}

/* The token's territories for USER_ORGUNIT (the country for an unscoped token). */
static void
s_pivot_user_units (web_view_t *v, s_pivot_t *p)
{
    for (int r = 0; r < v->scope.nroots && p->nou < MAX_LIST + WEB_SCOPE_MAX; r++)
        p->ou[p->nou++] = v->scope.roots[r];
    if (!v->scope.nroots) p->ou[p->nou++] = "CZ";
}

/* Reads dx, pe and ou, checking each unit against the scope; 0 or an HTTP status. Without a
   unit item, ou is the view's unit (unit=), else the token's territories. */
static int
s_pivot_read (web_view_t *v, s_pivot_t *p)
{
    const char *items[MAX_LIST];
    p->ndx = s_split (p->buf[0], v->args.dx, p->dx);
    p->npe = s_split (p->buf[1], v->args.pe, p->pe);
    size_t n = s_split (p->buf[2], v->args.ou, items);
    if (!p->ndx || !p->npe)
        return web_view_fail (v, 400, "the pivot needs dx (indicators) and pe (periods)");
    bool units = false;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp (items[i], "LEVEL-", 6)) {
            if (!socin_level_parse (items[i] + 6) &&
                !(items[i][6] >= '1' && items[i][6] <= '6' && !items[i][7]))
                return web_view_fail (v, 400, "ou: '%s' names no level", items[i]);
            p->ou[p->nou++] = items[i];
            continue;
        }
        units = true;
        if (!strcmp (items[i], "USER_ORGUNIT")) {
            s_pivot_user_units (v, p);
            continue;
        }
        if (s_pivot_unit (v, items[i])) return v->status;
        p->ou[p->nou++] = items[i];
    }
    if (!units && v->args.unit)
        p->ou[p->nou++] = v->unit->code;
    else if (!units)
        s_pivot_user_units (v, p);
    return 0;
}

static int
s_pivot_plan (web_view_t *v)
{
    s_pivot_t p = {0};
    if (s_pivot_read (v, &p)) return v->status;
    web_ask_pivot (v, p.dx, p.ndx, p.pe, p.npe, p.ou, p.nou);
    return 0;
}

/* The HTTP status for reporting's refusal CODE. */
static int
s_status_of (int code)
{
    switch (code) {
    case 0:
        return 504; /* no answer */
    case SOCIN_E (OUTSIDE_SCOPE):
    case SOCIN_E (PERMISSION_DENIED):
        return 403;
    case SOCIN_E (NOT_FOUND):
    case SOCIN_E (UNKNOWN_UNIT):
    case SOCIN_E (UNKNOWN_INDICATOR):
        return 404;
    case SOCIN_E (UNAVAILABLE):
    case SOCIN_E (OVERLOADED):
    case SOCIN_E (INTERNAL):
    case SOCIN_E (STORAGE_ERROR):
        return 503;
    default:
        return 400;
    }
}

static void
s_pivot_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "pivot");
    const Socin__V1__Pivot *p = web_pivot (v, 0);
    if (!p) {
        web_view_fail (v, s_status_of (web_view_error_code (v, 0)), "%s", web_view_error (v, 0));
        return;
    }
    if (p->n_cells > MAX_CELLS) {
        web_view_fail (v, 400, "the pivot has %zu cells; at most %d here (socin export gives more)",
                       p->n_cells, MAX_CELLS);
        return;
    }
    snprintf (v->title, sizeof v->title, "pivot (relative periods as of %s)", p->relative_to);
    web_pivot_table (v, 0, "pivot", "dx x pe x ou");
}

/* ---- from the registry's copy ---- */

static void
s_indicators_render (web_view_t *v)
{
    snprintf (v->title, sizeof v->title, "indicators");
    const char *cols[] = {"code",        "name_cs",     "name_en",     "measure",
                          "aggregation", "period_type", "policy_area", "derived"};
    web_table_t *t = web_table_new ("indicators", "the catalogue's indicators", cols, 8);
    size_t n = socin_model_count (v->model, SOCIN_KIND_INDICATOR);
    for (uint32_t i = 1; i <= n; i++) {
        const socin_indicator_t *ind = socin_model_indicator_at (v->model, i);
        const char *cells[] = {ind->code,
                               ind->pb->name_cs,
                               ind->pb->name_en,
                               ind->pb->measure,
                               socin_aggregation_name (ind->aggregation),
                               socin_period_type_name (ind->period_type),
                               ind->pb->policy_area,
                               ind->derived ? "yes" : "no"};
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
        if (u->level != level || !socin_unit_under (u, v->unit->id) ||
            !socin_unit_valid_during (u, today, today))
            continue;
        socin_str_t parents = SOCIN_STR_INIT;
        for (size_t k = 0; k < u->pb->n_parents; k++)
            socin_str_printf (&parents, "%s%s", k ? ";" : "", u->pb->parents[k]);
        char pop[24];
        snprintf (pop, sizeof pop, "%llu", (unsigned long long)u->population);
        const char *cells[] = {u->code, u->pb->name, socin_level_name (u->level),
                               socin_str_cstr (&parents), pop};
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
    {"/api/plans", "plans", s_plans_plan, s_plans_render, true},
    {"/api/targets", "targets", s_targets_plan, s_targets_render, true},
    {"/api/history", "api", s_history_plan, s_history_render, true},
    {"/api/indicators", "api", NULL, s_indicators_render, true},
    {"/api/units", "api", NULL, s_units_render, true},
    {NULL},
};
