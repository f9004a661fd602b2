/*  pivot: many indicators × periods × units in one answer. See pivot.h. */
#include "pivot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mem.h"
#include "periodset.h"
#include "str.h"

/* Failures go through query.c's, which every answer shares. */
#define s_fail rep_query_fail

/* ---- periods ---- */

int
rep_pivot_day (const rep_query_ctx_t *ctx, const char *relative_to, int32_t *day,
               Socin__V1__ReportReply *reply)
{
    char why[256];
    *day = ctx->today;
    if (relative_to && *relative_to && socin_date_parse (relative_to, day, why, sizeof why))
        return s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "relative_to %s", why);
    return 0;
}

int
rep_pivot_periods (char **items, size_t n, int32_t day, size_t max, socin_period_t **out,
                   size_t *nout, Socin__V1__ReportReply *reply)
{
    socin_period_t *list = NULL;
    size_t count = 0;
    char why[512];
    for (size_t i = 0; i < n; i++)
        if (socin_periodset_add (items[i], day, &list, &count, max, why, sizeof why)) {
            free (list);
            return s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "pe: %s", why);
        }
    /* Each period once, first place kept. */
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t key = socin_period_pack (list[i]);
        size_t j = 0;
        while (j < kept && socin_period_pack (list[j]) != key)
            j++;
        if (j == kept) list[kept++] = list[i];
    }
    *out = list;
    *nout = kept;
    return 0;
}

/* ---- units ---- */

static void
s_ou_push (rep_ou_t *ou, const socin_unit_t *unit, const socin_group_t *group)
{
    ou->units = socin_realloc (ou->units, (ou->n + 1) * sizeof *ou->units);
    ou->groups = socin_realloc (ou->groups, (ou->n + 1) * sizeof *ou->groups);
    ou->units[ou->n] = unit;
    ou->groups[ou->n++] = group;
}

void
rep_ou_free (rep_ou_t *ou)
{
    free (ou->units);
    free (ou->groups);
    memset (ou, 0, sizeof *ou);
}

/* The key's own territories (the country when it reads everything). */
static void
s_user_orgunit (const socin_model_t *model, const rep_scope_t *scope, rep_ou_t *out)
{
    if (!scope->limited) {
        const socin_unit_t *cz = socin_model_unit (model, "CZ");
        if (cz) s_ou_push (out, cz, NULL);
        return;
    }
    for (size_t r = 0; r < scope->nroots; r++)
        s_ou_push (out, socin_model_unit_at (model, scope->roots[r]), NULL);
}

/* One ou item (not LEVEL-) into OUT: 0, or -1 with REPLY's error set. */
static int
s_ou_item (const socin_model_t *model, const rep_scope_t *scope, const char *item,
           Socin__V1__ReportReply *reply, rep_ou_t *out)
{
    if (!strcmp (item, "USER_ORGUNIT")) {
        s_user_orgunit (model, scope, out);
        return 0;
    }
    bool is_group = !strncmp (item, "GROUP-", 6);
    const char *code = is_group ? item + 6 : item;
    const socin_group_t *g = is_group ? socin_model_group (model, code) : NULL;
    const socin_unit_t *u = is_group ? NULL : socin_model_unit (model, code);
    if (!g && !u)
        return s_fail (reply, SOCIN_E (NOT_FOUND), "ou: %s '%s' is not in the registry",
                       is_group ? "group" : "unit", code);
    if (rep_scope_check_code (scope, model, code, is_group, "ou", &reply->error)) return -1;
    s_ou_push (out, u, g);
    return 0;
}

/* Turns OUT's units into their units at LEVEL, each once (groups stay). */
static void
s_ou_level (const socin_model_t *model, int32_t start, int32_t end, rep_ou_t *out)
{
    rep_ou_t roots = *out;
    memset (out, 0, sizeof *out);
    out->level = roots.level;
    uint8_t *seen = socin_calloc (socin_model_count (model, SOCIN_KIND_UNIT) + 1, 1);
    for (size_t i = 0; i < roots.n; i++) {
        if (!roots.units[i]) {
            s_ou_push (out, NULL, roots.groups[i]);
            continue;
        }
        const socin_unit_t **units;
        size_t n =
            rep_query_units_at (model, roots.level, roots.units[i], NULL, start, end, &units);
        for (size_t k = 0; k < n; k++)
            if (!seen[units[k]->id]++) s_ou_push (out, units[k], NULL);
        free (units);
    }
    free (seen);
    rep_ou_free (&roots);
}

/* Drops repeats (a unit named twice, or within a territory named too). */
static void
s_ou_unique (rep_ou_t *ou)
{
    size_t kept = 0;
    for (size_t i = 0; i < ou->n; i++) {
        size_t j = 0;
        while (j < kept && !(ou->units[j] == ou->units[i] && ou->groups[j] == ou->groups[i]))
            j++;
        if (j < kept) continue;
        ou->units[kept] = ou->units[i];
        ou->groups[kept++] = ou->groups[i];
    }
    ou->n = kept;
}

int
rep_ou_resolve (const socin_model_t *model, const rep_scope_t *scope, char **items, size_t n,
                int32_t start, int32_t end, Socin__V1__ReportReply *reply, rep_ou_t *out)
{
    memset (out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        if (!strncmp (items[i], "LEVEL-", 6)) {
            const char *name = items[i] + 6;
            int level = socin_level_parse (name);
            if (!level && *name >= '1' && *name <= '6' && !name[1]) level = *name - '0';
            if (!level)
                return rep_ou_free (out),
                       s_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                               "ou: '%s' names no level (LEVEL-kraj, -okres, -orp, "
                               "-municipality, -district, or LEVEL-1 to LEVEL-6)",
                               items[i]);
            out->level = level;
            continue;
        }
        if (s_ou_item (model, scope, items[i], reply, out)) return rep_ou_free (out), -1;
    }
    if (!out->n) s_user_orgunit (model, scope, out);
    if (out->level) s_ou_level (model, start, end, out);
    s_ou_unique (out);
    return 0;
}

/* ---- the layout ---- */

enum { D_DX, D_PE, D_OU, D_N };
static const char *s_dim_names[D_N] = {"dx", "pe", "ou"};

/* ORDER: the dimensions rows first, then columns; *NROWS of them rows. 0, or -1 with
   REPLY's error set. */
static int
s_layout (const Socin__V1__PivotQuery *q, int order[D_N], int *nrows, Socin__V1__ReportReply *reply)
{
    int n = 0;
    bool used[D_N] = {false};
    for (int side = 0; side < 2; side++) {
        char **names = side ? q->columns : q->rows;
        size_t count = side ? q->n_columns : q->n_rows;
        for (size_t i = 0; i < count; i++) {
            int d = 0;
            while (d < D_N && strcmp (names[i], s_dim_names[d]))
                d++;
            if (d == D_N || used[d])
                return s_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                               "%s: '%s' is %s (the dimensions are dx, pe and ou, each once)",
                               side ? "columns" : "rows", names[i],
                               d == D_N ? "no dimension" : "named twice");
            used[d] = true;
            order[n++] = d;
        }
        if (side == 0) *nrows = n;
    }
    /* What the caller left out: ou as a row when no row was named, the rest as columns. */
    if (!*nrows && !used[D_OU]) {
        memmove (order + 1, order, (size_t)n * sizeof *order);
        order[0] = D_OU;
        used[D_OU] = true;
        *nrows = 1;
        n++;
    }
    for (int d = 0; d < D_N; d++)
        if (!used[d]) order[n++] = d;
    if (!*nrows) *nrows = 1; /* everything was named a column: the first is the row */
    return 0;
}

/* ---- the answer ---- */

typedef struct {
    const socin_indicator_t **dx;
    char (*disagg)[256];
    size_t ndx;
    socin_period_t *pe;
    size_t npe;
    rep_ou_t ou;
} s_dims_t;

static void
s_dims_free (s_dims_t *d)
{
    free (d->dx);
    free (d->disagg);
    free (d->pe);
    rep_ou_free (&d->ou);
}

static int
s_indicators (const rep_query_ctx_t *ctx, const Socin__V1__PivotQuery *q, s_dims_t *d,
              Socin__V1__ReportReply *reply)
{
    if (!q->n_dx)
        return s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "dx: name at least one indicator");
    d->dx = socin_calloc (q->n_dx, sizeof *d->dx);
    d->disagg = socin_calloc (q->n_dx, sizeof *d->disagg);
    char why[256];
    for (size_t i = 0; i < q->n_dx; i++) {
        const socin_indicator_t *ind = socin_model_indicator (ctx->model, q->dx[i]);
        if (!ind)
            return s_fail (reply, SOCIN_E (NOT_FOUND), "dx: indicator '%s' is not in the catalogue",
                           q->dx[i]);
        if (*q->disaggregation && ind->derived)
            return s_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                           "dx: %s is derived and has no disaggregations", ind->code);
        if (socin_model_disaggregation (ctx->model, ind, q->disaggregation, d->disagg[d->ndx], 256,
                                        why, sizeof why))
            return s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "disaggregation of %s: %s", ind->code,
                           why);
        d->dx[d->ndx++] = ind;
    }
    return 0;
}

static int
s_dims (const rep_query_ctx_t *ctx, const rep_scope_t *scope, const Socin__V1__PivotQuery *q,
        int32_t day, s_dims_t *d, Socin__V1__ReportReply *reply)
{
    if (s_indicators (ctx, q, d, reply)) return -1;
    if (!q->n_pe) return s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "pe: name at least one period");
    if (rep_pivot_periods (q->pe, q->n_pe, day, REP_PIVOT_MAX_CELLS, &d->pe, &d->npe, reply))
        return -1;
    int32_t start = INT32_MAX, end = INT32_MIN;
    for (size_t i = 0; i < d->npe; i++) {
        if (socin_period_start (d->pe[i]) < start) start = socin_period_start (d->pe[i]);
        if (socin_period_end (d->pe[i]) > end) end = socin_period_end (d->pe[i]);
    }
    if (rep_ou_resolve (ctx->model, scope, q->ou, q->n_ou, start, end, reply, &d->ou)) return -1;
    if ((uint64_t)d->ndx * d->npe * d->ou.n > REP_PIVOT_MAX_CELLS)
        return s_fail (
            reply, SOCIN_E (QUERY_TOO_LARGE),
            "the pivot has %zu indicators x %zu periods x %zu units, more than %d cells: "
            "split it, or use an export",
            d->ndx, d->npe, d->ou.n, REP_PIVOT_MAX_CELLS);
    return 0;
}

Socin__V1__PivotItem *
rep_pivot_item (const char *code, const char *name, int level)
{
    Socin__V1__PivotItem *it = socin_malloc (sizeof *it);
    socin__v1__pivot_item__init (it);
    it->code = socin_strdup (code);
    it->name = socin_strdup (name);
    it->level = level;
    return it;
}

static void
s_items (const s_dims_t *d, Socin__V1__Pivot *p)
{
    p->dx = socin_calloc (d->ndx + 1, sizeof *p->dx);
    for (size_t i = 0; i < d->ndx; i++) {
        const Socin__V1__Indicator *pb = d->dx[i]->pb;
        p->dx[p->n_dx++] = rep_pivot_item (pb->code, *pb->name_cs ? pb->name_cs : pb->name_en, 0);
    }
    p->pe = socin_calloc (d->npe + 1, sizeof *p->pe);
    for (size_t i = 0; i < d->npe; i++) {
        char text[SOCIN_PERIOD_STRLEN];
        socin_period_format (d->pe[i], text, sizeof text);
        p->pe[p->n_pe++] = rep_pivot_item (text, text, 0);
    }
    p->ou = socin_calloc (d->ou.n + 1, sizeof *p->ou);
    for (size_t i = 0; i < d->ou.n; i++) {
        const socin_unit_t *u = d->ou.units[i];
        const socin_group_t *g = d->ou.groups[i];
        p->ou[p->n_ou++] = u ? rep_pivot_item (u->code, u->pb->name, u->level)
                             : rep_pivot_item (g->code, g->pb->name, 0);
    }
}

/* The cell of indicator X, period Y, unit or group Z. */
static Socin__V1__PivotCell *
s_cell (const rep_query_ctx_t *ctx, const s_dims_t *d, size_t x, size_t y, size_t z)
{
    Socin__V1__PivotCell *c = socin_malloc (sizeof *c);
    socin__v1__pivot_cell__init (c);
    c->dx = (uint32_t)x;
    c->pe = (uint32_t)y;
    c->ou = (uint32_t)z;
    const socin_indicator_t *ind = d->dx[x];
    if (d->pe[y].type < ind->period_type) return c; /* finer than it is reported: no figure */
    Socin__V1__Row row = SOCIN__V1__ROW__INIT;
    rep_query_figure (ctx, ind, d->ou.units[z], d->ou.groups[z], d->pe[y], d->disagg[x], &row);
    c->value = row.value;
    c->values = row.values;
    c->units = row.units;
    c->numerator = row.numerator;
    c->denominator = row.denominator;
    return c;
}

void
rep_pivot_answer (const rep_query_ctx_t *ctx, const rep_scope_t *scope,
                  const Socin__V1__PivotQuery *q, Socin__V1__ReportReply *reply)
{
    int order[D_N], nrows = 0;
    int32_t day;
    s_dims_t d = {0};
    if (s_layout (q, order, &nrows, reply) || rep_pivot_day (ctx, q->relative_to, &day, reply) ||
        s_dims (ctx, scope, q, day, &d, reply)) {
        s_dims_free (&d);
        return;
    }
    Socin__V1__Pivot *p = socin_malloc (sizeof *p);
    socin__v1__pivot__init (p);
    for (int i = 0; i < D_N; i++)
        socin_strv_push (i < nrows ? &p->rows : &p->columns, i < nrows ? &p->n_rows : &p->n_columns,
                         s_dim_names[order[i]]);
    char day_text[SOCIN_DATE_STRLEN];
    socin_date_format (day, day_text, sizeof day_text);
    p->relative_to = socin_strdup (day_text);
    s_items (&d, p);
    size_t size[D_N] = {d.ndx, d.npe, d.ou.n}, total = d.ndx * d.npe * d.ou.n;
    p->cells = socin_calloc (total + 1, sizeof *p->cells);
    for (size_t i = 0; i < total; i++) {
        size_t at[D_N], rest = i;
        for (int k = D_N - 1; k >= 0; k--) {
            at[order[k]] = rest % size[order[k]];
            rest /= size[order[k]];
        }
        p->cells[p->n_cells++] = s_cell (ctx, &d, at[D_DX], at[D_PE], at[D_OU]);
    }
    s_dims_free (&d);
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_PIVOT;
    reply->pivot = p;
}
