/*  period: reporting periods and calendar days.

    Periods are written as DHIS2 and ADX write them: 2025 (year), 2025S1 (half-year),
    2025Q3 (quarter), 202507 (month), 2025W05 (ISO 8601 week). A day is a count of days since
    1970-01-01 (proleptic Gregorian), so date arithmetic is integer arithmetic. A week belongs
    to the month, quarter, half-year and year that hold its Thursday, so 2025W01 (which starts
    on 2024-12-30) rolls up into January 2025, and 2026W53 into December 2026.
*/
#ifndef SOCIN_PERIOD_H
#define SOCIN_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Finest to coarsest; the numeric order is the roll-up order. */
typedef enum {
    SOCIN_PERIOD_NONE = 0,
    SOCIN_PERIOD_WEEK = 1,
    SOCIN_PERIOD_MONTH = 2,
    SOCIN_PERIOD_QUARTER = 3,
    SOCIN_PERIOD_HALF = 4,
    SOCIN_PERIOD_YEAR = 5
} socin_period_type_t;

/* INDEX is 1-53 for weeks, 1-12 months, 1-4 quarters, 1-2 half-years, 1 for a year. */
typedef struct {
    uint8_t type;
    uint16_t year;
    uint8_t index;
} socin_period_t;

#define SOCIN_PERIOD_STRLEN 16
#define SOCIN_DATE_STRLEN   16

/* Years outside 1900..2999 are rejected by every parser. */
#define SOCIN_YEAR_MIN 1900
#define SOCIN_YEAR_MAX 2999

/* Parses a NUL-terminated period. Returns 0 and sets *OUT, or -1 with a message for a person
   in ERR naming what is wrong and what would be accepted, e.g. for "202513": "month 13 does
   not exist (months are 01 to 12)", for "2025W54": "week 54 does not exist (2025 has 52 ISO
   weeks)", for "2025X1": "is not a period (expected 2025, 2025S1, 2025Q3, 202507 or 2025W05)". */
int socin_period_parse (const char *text, socin_period_t *out, char *err, size_t errlen);

/* Formats P as the parser reads it (weeks with two digits: 2025W05). Returns the length. */
size_t socin_period_format (socin_period_t p, char *buf, size_t size);

/* The type's name as the catalogue and the CLI write it: "weekly", "monthly", "quarterly",
   "half-yearly", "yearly"; and the reverse (SOCIN_PERIOD_NONE when unknown). */
const char *socin_period_type_name (socin_period_type_t type);
socin_period_type_t socin_period_type_parse (const char *name);

/* First and last day (inclusive) of P, as day numbers. */
int32_t socin_period_start (socin_period_t p);
int32_t socin_period_end (socin_period_t p);

/* The period of TYPE that holds DAY (for weeks, the ISO week, whose year may differ from the
   day's calendar year). */
socin_period_t socin_period_of_day (socin_period_type_t type, int32_t day);

/* The period of the coarser TYPE that P rolls up into (weeks by their Thursday). Returns 0,
   or -1 when TYPE is not coarser than P's type or is NONE. TYPE equal to P's type gives P. */
int socin_period_parent (socin_period_t p, socin_period_type_t type, socin_period_t *out);

/* True when INNER rolls up into OUTER (equal periods included). */
bool socin_period_contains (socin_period_t outer, socin_period_t inner);

/* ISO weeks in YEAR: 52 or 53. */
int socin_iso_weeks_in_year (int year);

/* The next period of the same type (2025Q4 -> 2026Q1, 2025W52 -> 2026W01). */
socin_period_t socin_period_next (socin_period_t p);

/* The first period of TYPE that rolls up into OUTER (TYPE finer than or equal to OUTER's). */
socin_period_t socin_period_first_in (socin_period_t outer, socin_period_type_t type);

/* A 32-bit form that sorts by year, then type, then index: the periods of one type within a
   year are contiguous, which key ranges rely on. unpack(pack(p)) == p. */
uint32_t socin_period_pack (socin_period_t p);
socin_period_t socin_period_unpack (uint32_t packed);

/* Days: YYYY-MM-DD <-> day number (days since 1970-01-01). Parse returns 0, or -1 with a
   message ("\"2025-02-30\": February 2025 has 28 days"). */
int socin_date_parse (const char *text, int32_t *day, char *err, size_t errlen);
size_t socin_date_format (int32_t day, char *buf, size_t size);
int32_t socin_date_from_ymd (int year, int month, int mday);
void socin_date_to_ymd (int32_t day, int *year, int *month, int *mday);

/* Today (UTC), or the date in the environment variable SOCIN_TODAY (YYYY-MM-DD) when it is
   set: tests use it to fix the clock that decides future and locked periods. A simulated
   clock (SOCIN_TODAY set) can be moved with socin_date_set_today. */
int32_t socin_date_today (void);

/* True when the clock is simulated (SOCIN_TODAY was set). */
bool socin_date_simulated (void);

/* Moves a simulated clock to DAY: 0, or -1 (nothing changed) on the system's clock, which
   only the system sets. Demos and tests use it to deliver a year of reports day by day. */
int socin_date_set_today (int32_t day);

#endif
