/*  access: the bench stage of pivots and exports (issue 16's speed goals), run on stage A's
    stack once it holds the whole year: a pivot of 14 kraje × 12 months × 10 indicators
    (goal: under 5 ms), and an export of the year streamed page by page (goal: at least
    1,000,000 values/s). Figures are printed, never asserted.
*/
#ifndef SOCIN_BENCH_ACCESS_H
#define SOCIN_BENCH_ACCESS_H

#include "client.h"

/* Measures with the client C (an admin's, to reporting's query endpoint); EXPECT_VALUES is
   how many values the year holds. */
void b_access_stage (socin_client_t *c, double expect_values);

#endif
