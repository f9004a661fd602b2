/*  periodset: single periods, ranges and DHIS2's relative periods, resolved against a day. */
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "periodset.h"
#include "testing.h"

/* The periods ITEM names as of DAY (YYYY-MM-DD), as "a b c", or "error: ...". */
static char *
s_list (const char *item, const char *day)
{
    static char out[2048];
    int32_t d;
    char err[512];
    socin_date_parse (day, &d, err, sizeof err);
    socin_period_t *list = NULL;
    size_t n = 0;
    if (socin_periodset_add (item, d, &list, &n, 100, err, sizeof err)) {
        snprintf (out, sizeof out, "error: %s", err);
        free (list);
        return out;
    }
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        char p[SOCIN_PERIOD_STRLEN];
        socin_period_format (list[i], p, sizeof p);
        strcat (out, i ? " " : "");
        strcat (out, p);
    }
    free (list);
    return out;
}

static void
relative_periods_count_back_from_the_day (void)
{
    CHECK_STR (s_list ("THIS_YEAR", "2026-01-10"), "2026");
    CHECK_STR (s_list ("LAST_YEAR", "2026-01-10"), "2025");
    CHECK_STR (s_list ("LAST_5_YEARS", "2026-01-10"), "2021 2022 2023 2024 2025");
    CHECK_STR (
        s_list ("LAST_12_MONTHS", "2026-01-10"),
        "202501 202502 202503 202504 202505 202506 202507 202508 202509 202510 202511 202512");
    CHECK_STR (s_list ("LAST_3_MONTHS", "2026-03-01"), "202512 202601 202602");
    CHECK_STR (s_list ("THIS_MONTH", "2026-03-31"), "202603");
    CHECK_STR (s_list ("LAST_MONTH", "2026-01-01"), "202512");
    CHECK_STR (s_list ("LAST_4_QUARTERS", "2026-05-20"), "2025Q2 2025Q3 2025Q4 2026Q1");
    CHECK_STR (s_list ("QUARTERS_THIS_YEAR", "2026-05-20"), "2026Q1 2026Q2 2026Q3 2026Q4");
    CHECK_STR (s_list ("LAST_SIX_MONTH", "2026-05-20"), "2025S2");
    CHECK_STR (s_list ("LAST_2_SIXMONTHS", "2026-08-01"), "2025S2 2026S1");
    CHECK_STR (
        s_list ("MONTHS_THIS_YEAR", "2025-06-30"),
        "202501 202502 202503 202504 202505 202506 202507 202508 202509 202510 202511 202512");
    /* 2026-01-01 is a Thursday: ISO week 2026W01; the week before is 2025W52. */
    CHECK_STR (s_list ("THIS_WEEK", "2026-01-01"), "2026W01");
    CHECK_STR (s_list ("LAST_WEEK", "2026-01-01"), "2025W52");
    CHECK_STR (s_list ("LAST_4_WEEKS", "2027-01-07"), "2026W50 2026W51 2026W52 2026W53");
}

static void
ranges_and_single_periods (void)
{
    CHECK_STR (s_list ("2025Q3", "2026-01-10"), "2025Q3");
    CHECK_STR (s_list ("202511..202602", "2026-01-10"), "202511 202512 202601 202602");
    CHECK_STR (s_list ("2025W52..2026W01", "2026-01-10"), "2025W52 2026W01");
    CHECK_CONTAINS (s_list ("2025..202512", "2026-01-10"),
                    "both ends must be of one type (yearly, monthly)");
    CHECK_CONTAINS (s_list ("202512..202501", "2026-01-10"), "ends before it starts");
    CHECK_CONTAINS (s_list ("LAST_13_MONTHS", "2026-01-10"),
                    "nor a range (202501..202512) or a relative period");
    CHECK_CONTAINS (s_list ("200001..202512", "2026-01-10"), "makes more than 100 periods");
}

int
main (void)
{
    RUN (relative_periods_count_back_from_the_day,
         "relative periods count back from the request's day as DHIS2's do (weeks by ISO week)");
    RUN (ranges_and_single_periods, "a range lists every period of its type; mixed types, reversed "
                                    "ends and too many are refused");
    return TEST_SUMMARY ();
}
