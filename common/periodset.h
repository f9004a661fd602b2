/*  periodset: the periods a query names — single periods, ranges of one type
    ("202501..202512") and DHIS2's relative periods (LAST_12_MONTHS, THIS_YEAR, ...) resolved
    against a day. Pivots and exports of reporting, and any client that mirrors them, read
    their period lists with it.
*/
#ifndef SOCIN_PERIODSET_H
#define SOCIN_PERIODSET_H

#include <stddef.h>
#include <stdint.h>

#include "period.h"

/* Appends the periods ITEM names to *LIST (*N of them; the array grows, free it with free()),
   oldest first, relative periods resolved against the day TODAY, as DHIS2 does: THIS_X is the
   X holding TODAY, LAST_X the one before, LAST_N_XS the N before the one holding TODAY,
   XS_THIS_YEAR every X of TODAY's year. Refuses to grow *N beyond MAX. 0, or -1 with a
   message naming the item and what would be accepted. */
int socin_periodset_add (const char *item, int32_t today, socin_period_t **list, size_t *n,
                         size_t max, char *err, size_t errlen);

/* The period before P, of P's type (2026Q1 -> 2025Q4). */
socin_period_t socin_period_prev (socin_period_t p);

#endif
