/*  plans: plan fulfilment on socin-web's pages — the question to reporting (PlanFulfilmentQuery),
    its tables and the page's section.

    The figures are as of the last day of the page's period (today while the period runs): a
    measure stands as its latest progress report for a period begun by then. A section shows
    the share of measures done by count and by planned budget, the measures by status, planned
    against spent money by funding source, the rows beneath the unit, and the delayed and
    overdue measures with their plan's owner. Every table downloads as CSV and JSON.
*/
#ifndef SOCIN_WEB_PLANS_H
#define SOCIN_WEB_PLANS_H

#include "view.h"

/* Asks the plan fulfilment of V's unit (LEVEL 0: one row for it, with the late measures;
   otherwise one row per unit of LEVEL beneath it) as of V's period; returns the slot. */
size_t web_ask_plans (web_view_t *v, int level);

/* The day the figures are as of ("" for today), into DAY (SOCIN_DATE_STRLEN bytes). */
void web_plans_as_of (web_view_t *v, char *day);

/* The rows of the answer in SLOT: plans, measures by status, shares, money, targets. */
web_table_t *web_plans_table (web_view_t *v, size_t slot, const char *id, const char *title);
/* Planned and spent money per funding source of the first row of the answer in SLOT. */
web_table_t *web_funding_table (web_view_t *v, size_t slot, const char *id, const char *title);
/* The delayed and overdue measures of the answer in SLOT: at most MAX_ROWS unless the request
   downloads this very table. */
web_table_t *web_late_table (web_view_t *v, size_t slot, const char *id, const char *title,
                             size_t max_rows);

/* The section: the unit's answer in TOTAL (asked with level 0), the rows beneath it in ROWS
   (SIZE_MAX: none); DL is the page's link for downloads. */
void web_plans_section (web_view_t *v, socin_str_t *b, const char *dl, size_t total, size_t rows);

#endif
