/*  figures: the questions socin-web asks reporting, and their answers as tables.

    Each web_ask_* sends one ReportRequest for a view and returns its slot; each web_*_table
    turns the answer in a slot into a table (with a row of the reason when reporting refused),
    links each unit to its page, and keeps to the view's scope. Pages and the JSON API share
    them, so a figure reads the same wherever it appears.
*/
#ifndef SOCIN_WEB_FIGURES_H
#define SOCIN_WEB_FIGURES_H

#include "decimal.h"
#include "view.h"

size_t web_ask_rollup (web_view_t *v, const char *indicator, const char *period, int level,
                       const char *under);
size_t web_ask_completeness (web_view_t *v, const char *dataset, const char *period, int level,
                             const char *under, bool missing);
size_t web_ask_participation (web_view_t *v, const char *period, int level, const char *under);
size_t web_ask_targets (web_view_t *v);
size_t web_ask_history (web_view_t *v, const char *indicator, const char *unit, const char *period);

web_table_t *web_rollup_table (web_view_t *v, size_t slot, const char *id, const char *title);
/* A roll-up's table of ROWS (NROWS), each unit linked to its page when in scope. */
web_table_t *web_rows_table (web_view_t *v, Socin__V1__Row *const *rows, size_t nrows,
                             const char *id, const char *title);
/* A table of one column holding why the question in SLOT has no answer. */
web_table_t *web_failed_table (web_view_t *v, size_t slot, const char *id, const char *title);
web_table_t *web_completeness_table (web_view_t *v, size_t slot, const char *id, const char *title);
/* One row for the view's unit: the sum of a completeness answer's rows (which must
   partition the unit: one level beneath it). */
web_table_t *web_completeness_total_table (web_view_t *v, size_t slot, const char *id,
                                           const char *title);
/* The units with nothing reported, from a completeness answer asked with missing: at most
   MAX_ROWS of them unless the request downloads this very table (table=ID). */
web_table_t *web_missing_table (web_view_t *v, size_t slot, const char *id, const char *title,
                                size_t max_rows);
web_table_t *web_participation_table (web_view_t *v, size_t slot, const char *id,
                                      const char *title);
/* Every target's progress, and (UNITS) the qualifying units within the scope. */
web_table_t *web_targets_table (web_view_t *v, size_t slot, const char *id, const char *title);
web_table_t *web_target_units_table (web_view_t *v, size_t slot, const char *id, const char *title);
web_table_t *web_history_table (web_view_t *v, size_t slot, const char *id, const char *title);

/* The level of the rows beneath a unit of LEVEL (country: kraj, kraj: okres or, with VIA
   "orp", ORP; okres and ORP: municipality; municipality: district; else 0). */
int web_child_level (int level, const char *via);

/* The period of TYPE that a report for P is due in: P's last period of TYPE when TYPE is
   finer, the period holding P when coarser. */
socin_period_t web_period_within (socin_period_t p, socin_period_type_t type);

/* The periods of TYPE making up P (at most MAX; a coarser or equal TYPE gives the MAX years
   up to P's), into OUT; returns the count. For time series. */
size_t web_period_series (socin_period_t p, socin_period_type_t type, socin_period_t *out,
                          size_t max);

/* The path of UNIT's page in BUF (cleared first), or NULL when UNIT is not a unit in the
   view's scope: the link of a table's row. */
const char *web_unit_link (web_view_t *v, socin_str_t *buf, const char *unit);

/* PART of WHOLE (exact micros) in percent with one decimal, into BUF (24 bytes; "" when WHOLE
   is 0). */
void web_percent (char *buf, socin_sum_t part, socin_sum_t whole);

/* The path of UNIT's page with the view's indicator and period, into OUT. */
void web_unit_href (web_view_t *v, socin_str_t *out, const char *unit);

#endif
