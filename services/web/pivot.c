/*  pivot: a page's figures in one PivotQuery. See pivot.h. */
#include "pivot.h"

#include <string.h>

#include "chart.h"
#include "figures.h"

size_t
web_ask_pivot (web_view_t *v, const char *const *dx, size_t ndx, const char *const *pe, size_t npe,
               const char *const *ou, size_t nou)
{
    Socin__V1__PivotQuery q = SOCIN__V1__PIVOT_QUERY__INIT;
    q.dx = (char **)dx;
    q.n_dx = ndx;
    q.pe = (char **)pe;
    q.n_pe = npe;
    q.ou = (char **)ou;
    q.n_ou = nou;
    q.disaggregation = (char *)(v->args.disaggregation ? v->args.disaggregation : "");
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PIVOT;
    req.pivot = &q;
    return web_view_ask (v, &req);
}

const Socin__V1__Pivot *
web_pivot (web_view_t *v, size_t slot)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    return r ? r->pivot : NULL;
}

/* The items of dimension DIM of P, and their count. */
static Socin__V1__PivotItem **
s_items (const Socin__V1__Pivot *p, const char *dim, size_t *n)
{
    *n = !strcmp (dim, "dx") ? p->n_dx : !strcmp (dim, "pe") ? p->n_pe : p->n_ou;
    return !strcmp (dim, "dx") ? p->dx : !strcmp (dim, "pe") ? p->pe : p->ou;
}

int
web_pivot_find (const Socin__V1__Pivot *p, const char *dim, const char *code)
{
    size_t n;
    Socin__V1__PivotItem **items = s_items (p, dim, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp (items[i]->code, code)) return (int)i;
    return -1;
}

const Socin__V1__PivotCell *
web_pivot_cell (const Socin__V1__Pivot *p, size_t d, size_t e, size_t o)
{
    /* Dense, in layout order: the rows' dimensions slowest, the last column dimension fastest. */
    size_t at = 0;
    for (size_t k = 0; k < p->n_rows + p->n_columns; k++) {
        const char *dim = k < p->n_rows ? p->rows[k] : p->columns[k - p->n_rows];
        size_t n;
        s_items (p, dim, &n);
        size_t pos = !strcmp (dim, "dx") ? d : !strcmp (dim, "pe") ? e : o;
        if (pos >= n) return NULL;
        at = at * n + pos;
    }
    return at < p->n_cells ? p->cells[at] : NULL;
}

/* The cell of codes DX, PE, OU, or NULL. */
static const Socin__V1__PivotCell *
s_cell_of (const Socin__V1__Pivot *p, const char *dx, const char *pe, const char *ou)
{
    int d = p ? web_pivot_find (p, "dx", dx) : -1, e = p ? web_pivot_find (p, "pe", pe) : -1,
        o = p ? web_pivot_find (p, "ou", ou) : -1;
    return d < 0 || e < 0 || o < 0 ? NULL : web_pivot_cell (p, (size_t)d, (size_t)e, (size_t)o);
}

const char *
web_pivot_value (web_view_t *v, size_t slot, const char *dx, const char *pe, const char *ou)
{
    const Socin__V1__PivotCell *c = s_cell_of (web_pivot (v, slot), dx, pe, ou);
    return c ? c->value : "";
}

/* CELL of unit item U and period E as a roll-up's row (pointing into the answer). */
static void
s_row (Socin__V1__Row *row, const Socin__V1__PivotCell *cell, const Socin__V1__PivotItem *u,
       const Socin__V1__PivotItem *e)
{
    socin__v1__row__init (row);
    row->unit = u->code;
    row->name = u->name;
    row->level = u->level;
    row->period = e->code;
    row->value = cell->value;
    row->values = cell->values;
    row->units = cell->units;
    row->numerator = cell->numerator;
    row->denominator = cell->denominator;
}

web_table_t *
web_pivot_figure_table (web_view_t *v, size_t slot, const char *dx, const char *pe, const char *ou,
                        const char *id, const char *title)
{
    const Socin__V1__Pivot *p = web_pivot (v, slot);
    const Socin__V1__PivotCell *cell = s_cell_of (p, dx, pe, ou);
    if (!p) return web_failed_table (v, slot, id, title);
    Socin__V1__Row row, *rows[1] = {&row};
    if (cell)
        s_row (&row, cell, p->ou[web_pivot_find (p, "ou", ou)],
               p->pe[web_pivot_find (p, "pe", pe)]);
    return web_rows_table (v, rows, cell ? 1 : 0, id, title);
}

web_table_t *
web_pivot_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__Pivot *p = web_pivot (v, slot);
    if (!p) return web_failed_table (v, slot, id, title);
    const char *cols[] = {"dx",     "pe",      "ou",     "name",       "level",
                          "value#", "values#", "units#", "numerator#", "denominator#"};
    web_table_t *t = web_table_new (id, title, cols, 10);
    for (size_t d = 0; d < p->n_dx; d++)
        for (size_t e = 0; e < p->n_pe; e++)
            for (size_t o = 0; o < p->n_ou; o++) {
                const Socin__V1__PivotCell *c = web_pivot_cell (p, d, e, o);
                const Socin__V1__PivotItem *u = p->ou[o];
                const socin_unit_t *unit = socin_model_unit (v->model, u->code);
                if (!c || (unit && !web_scope_allows (&v->scope, v->model, unit))) continue;
                char values[24], units[24];
                snprintf (values, sizeof values, "%llu", (unsigned long long)c->values);
                snprintf (units, sizeof units, "%llu", (unsigned long long)c->units);
                const char *cells[] = {p->dx[d]->code,
                                       p->pe[e]->code,
                                       u->code,
                                       u->name,
                                       u->level ? socin_level_name (u->level) : "group",
                                       c->value,
                                       values,
                                       units,
                                       c->numerator,
                                       c->denominator};
                web_table_row (t, cells, NULL);
            }
    return web_view_table (v, t);
}

void
web_pivot_series (web_view_t *v, socin_str_t *b, const char *dl, size_t slot,
                  const socin_indicator_t *ind, const char *ou)
{
    socin_period_t series[12];
    size_t n = web_period_series (v->period, ind->period_type, series, 12);
    char labels[12][SOCIN_PERIOD_STRLEN];
    const char *lp[12], *values[12];
    const char *cols[] = {"period", "value#"};
    web_table_t *t = web_table_new ("series", "Over time", cols, 2);
    for (size_t i = 0; i < n; i++) {
        socin_period_format (series[i], labels[i], sizeof labels[i]);
        lp[i] = labels[i];
        values[i] = web_pivot_value (v, slot, ind->code, labels[i], ou);
        const char *cells[] = {lp[i], values[i]};
        web_table_row (t, cells, NULL);
    }
    web_chart_series (b, "Over time", lp, values, n);
    web_table_html (web_view_table (v, t), b, dl, 0);
}
