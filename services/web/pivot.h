/*  pivot: the figures a page or /api/pivot needs, asked of reporting as one PivotQuery.

    A page that shows one indicator over several periods (a time series), or every indicator
    of a municipality, asks for them all at once: dx × pe × ou in one question, one answer.
    The answer's cells are found by item (the answer lists each dimension's items; periods
    keep the order given, duplicates dropped), so callers look items up by code.
*/
#ifndef SOCIN_WEB_PIVOT_H
#define SOCIN_WEB_PIVOT_H

#include "view.h"

/* Asks reporting the pivot DX × PE × OU (NDX, NPE, NOU items, as PivotQuery takes them:
   codes, relative periods, ranges, GROUP-code, LEVEL-x) with the view's disaggregation;
   returns the slot its answer lands in. The caller has checked OU against the view's scope. */
size_t web_ask_pivot (web_view_t *v, const char *const *dx, size_t ndx, const char *const *pe,
                      size_t npe, const char *const *ou, size_t nou);

/* The answer in SLOT, or NULL (the reason is web_view_error). */
const Socin__V1__Pivot *web_pivot (web_view_t *v, size_t slot);

/* The position of the item CODE in DIM ("dx", "pe" or "ou") of P, or -1. */
int web_pivot_find (const Socin__V1__Pivot *p, const char *dim, const char *code);

/* The cell of items D, E, O (positions in dx, pe, ou) of P, or NULL. */
const Socin__V1__PivotCell *web_pivot_cell (const Socin__V1__Pivot *p, size_t d, size_t e,
                                            size_t o);

/* The value of the cell (DX, PE, OU by code) of the pivot in SLOT ("" when none). */
const char *web_pivot_value (web_view_t *v, size_t slot, const char *dx, const char *pe,
                             const char *ou);

/* The table of one cell (DX, PE, OU by code) as a roll-up's row for the unit: the columns of
   web_rollup_table. */
web_table_t *web_pivot_figure_table (web_view_t *v, size_t slot, const char *dx, const char *pe,
                                     const char *ou, const char *id, const char *title);

/* Every cell as a row: dx, pe, ou, name, level, value, values, units, numerator, denominator
   (units outside the view's scope left out). */
web_table_t *web_pivot_table (web_view_t *v, size_t slot, const char *id, const char *title);

/* The time series of indicator IND for unit OU over web_period_series of the view's period,
   from the pivot in SLOT: a chart and the table "series". DL is the page's download link. */
void web_pivot_series (web_view_t *v, socin_str_t *b, const char *dl, size_t slot,
                       const socin_indicator_t *ind, const char *ou);

#endif
