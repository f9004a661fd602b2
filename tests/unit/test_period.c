/*  test_period: reporting periods, ISO weeks and calendar days.

    The cases that matter most are the ones calendars get wrong: week 53, weeks whose days lie
    in two years, weeks rolling up by their Thursday, leap days, and the messages a person sees
    for a malformed period or date.
*/
#include "period.h"
#include "testing.h"

#include <stdlib.h>

static char s_err[256];

/* Parses TEXT, which must be a valid period. */
static socin_period_t
s_period (const char *text)
{
    socin_period_t p = {0};
    if (socin_period_parse (text, &p, s_err, sizeof s_err) != 0)
        fprintf (stderr, "    \"%s\" was rejected: %s\n", text, s_err);
    return p;
}

/* Formats P into a static buffer, for CHECK_STR. */
static const char *
s_fmt (socin_period_t p)
{
    static char buf[SOCIN_PERIOD_STRLEN];
    socin_period_format (p, buf, sizeof buf);
    return buf;
}

static int32_t
s_day (const char *text)
{
    int32_t day = 0;
    if (socin_date_parse (text, &day, s_err, sizeof s_err) != 0)
        fprintf (stderr, "    \"%s\" was rejected: %s\n", text, s_err);
    return day;
}

static const char *
s_date (int32_t day)
{
    static char buf[SOCIN_DATE_STRLEN];
    socin_date_format (day, buf, sizeof buf);
    return buf;
}

/* The period of TYPE that P rolls up into, formatted ("" when there is none). */
static const char *
s_parent (const char *text, socin_period_type_t type)
{
    socin_period_t parent;
    if (socin_period_parent (s_period (text), type, &parent) != 0) return "";
    return s_fmt (parent);
}

/* Expects the period TEXT to be rejected with exactly MESSAGE, leaving OUT alone. */
static void
s_rejects (const char *text, const char *message)
{
    socin_period_t p = {.type = 9, .year = 9, .index = 9};
    s_err[0] = 0;
    CHECK_INT (socin_period_parse (text, &p, s_err, sizeof s_err), -1);
    CHECK_STR (s_err, message);
    CHECK (p.type == 9 && p.year == 9 && p.index == 9);
}

static void
s_rejects_date (const char *text, const char *message)
{
    int32_t day = 12345;
    s_err[0] = 0;
    CHECK_INT (socin_date_parse (text, &day, s_err, sizeof s_err), -1);
    CHECK_STR (s_err, message);
    CHECK_INT (day, 12345);
}

static void
parses_every_period_type (void)
{
    socin_period_t p = s_period ("2025");
    CHECK (p.type == SOCIN_PERIOD_YEAR && p.year == 2025 && p.index == 1);
    p = s_period ("2025S2");
    CHECK (p.type == SOCIN_PERIOD_HALF && p.year == 2025 && p.index == 2);
    p = s_period ("2025Q3");
    CHECK (p.type == SOCIN_PERIOD_QUARTER && p.year == 2025 && p.index == 3);
    p = s_period ("202507");
    CHECK (p.type == SOCIN_PERIOD_MONTH && p.year == 2025 && p.index == 7);
    p = s_period ("2025W05");
    CHECK (p.type == SOCIN_PERIOD_WEEK && p.year == 2025 && p.index == 5);
}

static void
every_period_type_round_trips_through_text (void)
{
    const char *texts[] = {"2025",    "1900",    "2999",    "2025S1",  "2025S2",
                           "2025Q1",  "2025Q4",  "202501",  "202512",  "2025W01",
                           "2025W05", "2025W52", "2020W53", "2026W53", "2999W52"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char buf[SOCIN_PERIOD_STRLEN];
        socin_period_t p = s_period (texts[i]);
        CHECK_INT (socin_period_format (p, buf, sizeof buf), strlen (texts[i]));
        CHECK_STR (buf, texts[i]);
    }
}

static void
knows_which_years_have_53_iso_weeks (void)
{
    CHECK_INT (socin_iso_weeks_in_year (2020), 53); /* leap year starting on Wednesday */
    CHECK_INT (socin_iso_weeks_in_year (2026), 53); /* starts on Thursday */
    CHECK_INT (socin_iso_weeks_in_year (2032), 53);
    CHECK_INT (socin_iso_weeks_in_year (2015), 53);
    CHECK_INT (socin_iso_weeks_in_year (2004), 53);
    CHECK_INT (socin_iso_weeks_in_year (2025), 52); /* starts on Wednesday, not leap */
    CHECK_INT (socin_iso_weeks_in_year (2021), 52);
    CHECK_INT (socin_iso_weeks_in_year (2024), 52);
    CHECK_INT (socin_iso_weeks_in_year (2000), 52);
    int count = 0;
    for (int year = 2000; year < 2400; year++)
        count += socin_iso_weeks_in_year (year) == 53;
    CHECK_INT (count, 71); /* 71 long years in every 400-year cycle */
}

static void
accepts_week_53_only_in_long_years (void)
{
    CHECK_INT (s_period ("2020W53").index, 53);
    CHECK_INT (s_period ("2026W53").index, 53);
    s_rejects ("2025W53", "\"2025W53\": week 53 does not exist (2025 has 52 ISO weeks)");
    s_rejects ("2021W53", "\"2021W53\": week 53 does not exist (2021 has 52 ISO weeks)");
}

static void
rejects_malformed_periods_with_a_message_for_a_person (void)
{
    s_rejects ("202513", "\"202513\": month 13 does not exist (months are 01 to 12)");
    s_rejects ("202500", "\"202500\": month 00 does not exist (months are 01 to 12)");
    s_rejects ("2025Q5", "\"2025Q5\": quarter 5 does not exist (quarters are Q1 to Q4)");
    s_rejects ("2025Q0", "\"2025Q0\": quarter 0 does not exist (quarters are Q1 to Q4)");
    s_rejects ("2025S3", "\"2025S3\": half-year 3 does not exist (half-years are S1 and S2)");
    s_rejects ("2025W54", "\"2025W54\": week 54 does not exist (2025 has 52 ISO weeks)");
    s_rejects ("2025W00", "\"2025W00\": week 00 does not exist (2025 has 52 ISO weeks)");
    s_rejects ("2025W5", "\"2025W5\": the week needs two digits (write 2025W05)");
    s_rejects ("2025W123", "\"2025W123\": the week needs two digits (as in 2025W05)");
    s_rejects ("2025q3", "\"2025q3\" is not a period (the letter is upper case: 2025Q3)");
    s_rejects ("2025-07", "\"2025-07\" is not a period (write the month as 202507)");
}

static void
rejects_what_is_not_a_period_naming_the_accepted_forms (void)
{
    const char *texts[] = {"2025X1",  "",      "25",    "abcd",  "20251",
                           "2025071", "2025 ", " 2025", "2025S", "2025Q12"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char expected[128];
        snprintf (expected, sizeof expected,
                  "\"%s\" is not a period (expected 2025, 2025S1, 2025Q3, 202507 or 2025W05)",
                  texts[i]);
        s_rejects (texts[i], expected);
    }
}

static void
rejects_years_outside_the_supported_range (void)
{
    s_rejects ("1899", "\"1899\": year 1899 is outside the supported years 1900 to 2999");
    s_rejects ("3000Q1", "\"3000Q1\": year 3000 is outside the supported years 1900 to 2999");
    s_rejects ("0000W01", "\"0000W01\": year 0000 is outside the supported years 1900 to 2999");
    CHECK_INT (s_period ("1900").year, 1900);
    CHECK_INT (s_period ("299912").year, 2999);
}

static void
quotes_unprintable_and_long_text_safely (void)
{
    s_rejects ("2025\t1",
               "\"2025?1\" is not a period (expected 2025, 2025S1, 2025Q3, 202507 or 2025W05)");
    char text[100];
    memset (text, '9', sizeof text - 1);
    text[sizeof text - 1] = 0;
    socin_period_t p;
    CHECK_INT (socin_period_parse (text, &p, s_err, sizeof s_err), -1);
    CHECK_CONTAINS (s_err, "999...\" is not a period");
    CHECK (strlen (s_err) < 120);
    CHECK_INT (socin_period_parse (NULL, &p, NULL, 0), -1);
}

static void
week_one_can_start_in_the_previous_year (void)
{
    socin_period_t w = s_period ("2025W01");
    CHECK_STR (s_date (socin_period_start (w)), "2024-12-30");
    CHECK_STR (s_date (socin_period_end (w)), "2025-01-05");
    CHECK_STR (s_date (socin_period_start (s_period ("2026W01"))), "2025-12-29");
}

static void
the_last_week_can_end_in_the_next_year (void)
{
    CHECK_STR (s_date (socin_period_end (s_period ("2021W52"))), "2022-01-02");
    CHECK_STR (s_date (socin_period_start (s_period ("2020W53"))), "2020-12-28");
    CHECK_STR (s_date (socin_period_end (s_period ("2020W53"))), "2021-01-03");
    CHECK_STR (s_date (socin_period_end (s_period ("2026W53"))), "2027-01-03");
}

static void
a_day_belongs_to_the_iso_week_of_its_thursday (void)
{
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_WEEK, s_day ("2024-12-30"))), "2025W01");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_WEEK, s_day ("2021-01-03"))), "2020W53");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_WEEK, s_day ("2027-01-01"))), "2026W53");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_WEEK, s_day ("2021-01-04"))), "2021W01");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_WEEK, s_day ("2025-07-31"))), "2025W31");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_WEEK, s_day ("2022-01-02"))), "2021W52");
}

static void
every_day_of_a_week_maps_back_to_that_week (void)
{
    socin_period_t w = s_period ("2023W01");
    for (int i = 0; i < 800; i++) {
        int32_t start = socin_period_start (w);
        CHECK_INT (socin_period_end (w) - start, 6);
        for (int32_t day = start; day <= start + 6; day++) {
            socin_period_t back = socin_period_of_day (SOCIN_PERIOD_WEEK, day);
            CHECK (socin_period_pack (back) == socin_period_pack (w));
        }
        socin_period_t next = socin_period_next (w);
        CHECK_INT (socin_period_start (next), start + 7);
        w = next;
    }
}

static void
a_day_belongs_to_the_calendar_periods_of_its_date (void)
{
    int32_t day = s_day ("2024-12-30");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_MONTH, day)), "202412");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_QUARTER, day)), "2024Q4");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_HALF, day)), "2024S2");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_YEAR, day)), "2024");
    day = s_day ("2025-06-30");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_QUARTER, day)), "2025Q2");
    CHECK_STR (s_fmt (socin_period_of_day (SOCIN_PERIOD_HALF, day)), "2025S1");
}

static void
weeks_roll_up_by_their_thursday (void)
{
    CHECK_STR (s_parent ("2025W01", SOCIN_PERIOD_MONTH), "202501");
    CHECK_STR (s_parent ("2025W01", SOCIN_PERIOD_QUARTER), "2025Q1");
    CHECK_STR (s_parent ("2025W01", SOCIN_PERIOD_YEAR), "2025");
    CHECK_STR (s_parent ("2020W53", SOCIN_PERIOD_MONTH), "202012");
    CHECK_STR (s_parent ("2020W53", SOCIN_PERIOD_YEAR), "2020");
    CHECK_STR (s_parent ("2026W53", SOCIN_PERIOD_HALF), "2026S2");
    /* 2025W05 runs 2025-01-27 to 02-02; its Thursday is January 30. */
    CHECK_STR (s_parent ("2025W05", SOCIN_PERIOD_MONTH), "202501");
    /* 2025W27 runs 2025-06-30 to 07-06; its Thursday is July 3: third quarter. */
    CHECK_STR (s_parent ("2025W27", SOCIN_PERIOD_QUARTER), "2025Q3");
    CHECK_STR (s_parent ("2025W27", SOCIN_PERIOD_HALF), "2025S2");
}

static void
calendar_periods_roll_up_into_their_parents (void)
{
    CHECK_STR (s_parent ("202507", SOCIN_PERIOD_QUARTER), "2025Q3");
    CHECK_STR (s_parent ("202506", SOCIN_PERIOD_HALF), "2025S1");
    CHECK_STR (s_parent ("2025Q3", SOCIN_PERIOD_HALF), "2025S2");
    CHECK_STR (s_parent ("2025S2", SOCIN_PERIOD_YEAR), "2025");
    CHECK_STR (s_parent ("2025Q2", SOCIN_PERIOD_QUARTER), "2025Q2");
}

static void
refuses_a_parent_that_is_not_coarser (void)
{
    socin_period_t out = {.type = 9};
    CHECK_INT (socin_period_parent (s_period ("2025Q3"), SOCIN_PERIOD_MONTH, &out), -1);
    CHECK_INT (socin_period_parent (s_period ("2025Q3"), SOCIN_PERIOD_NONE, &out), -1);
    CHECK_INT (socin_period_parent (s_period ("2025"), SOCIN_PERIOD_WEEK, &out), -1);
    CHECK_INT (out.type, 9);
}

static void
contains_follows_the_roll_up (void)
{
    CHECK (socin_period_contains (s_period ("202501"), s_period ("2025W01")));
    CHECK (!socin_period_contains (s_period ("202412"), s_period ("2025W01")));
    CHECK (!socin_period_contains (s_period ("2024"), s_period ("2025W01")));
    CHECK (socin_period_contains (s_period ("2020"), s_period ("2020W53")));
    CHECK (!socin_period_contains (s_period ("2021"), s_period ("2020W53")));
    CHECK (socin_period_contains (s_period ("2025S2"), s_period ("2025Q4")));
    CHECK (!socin_period_contains (s_period ("2025S1"), s_period ("2025Q4")));
    CHECK (socin_period_contains (s_period ("2025Q3"), s_period ("2025Q3")));
    CHECK (!socin_period_contains (s_period ("2025Q3"), s_period ("2025")));
    CHECK (!socin_period_contains (s_period ("2025W05"), s_period ("2025W06")));
    CHECK (!socin_period_contains (s_period ("2026Q3"), s_period ("2025Q3")));
}

static void
start_and_end_cover_each_calendar_period (void)
{
    CHECK_STR (s_date (socin_period_start (s_period ("202402"))), "2024-02-01");
    CHECK_STR (s_date (socin_period_end (s_period ("202402"))), "2024-02-29");
    CHECK_STR (s_date (socin_period_end (s_period ("202502"))), "2025-02-28");
    CHECK_STR (s_date (socin_period_end (s_period ("190002"))), "1900-02-28");
    CHECK_STR (s_date (socin_period_end (s_period ("200002"))), "2000-02-29");
    CHECK_STR (s_date (socin_period_start (s_period ("2025Q4"))), "2025-10-01");
    CHECK_STR (s_date (socin_period_end (s_period ("2025Q4"))), "2025-12-31");
    CHECK_STR (s_date (socin_period_end (s_period ("2025Q1"))), "2025-03-31");
    CHECK_STR (s_date (socin_period_start (s_period ("2025S2"))), "2025-07-01");
    CHECK_STR (s_date (socin_period_end (s_period ("2025S1"))), "2025-06-30");
    CHECK_STR (s_date (socin_period_start (s_period ("2025"))), "2025-01-01");
    CHECK_STR (s_date (socin_period_end (s_period ("2025"))), "2025-12-31");
    CHECK_STR (s_date (socin_period_end (s_period ("299912"))), "2999-12-31");
}

static void
next_steps_into_the_following_year (void)
{
    CHECK_STR (s_fmt (socin_period_next (s_period ("2025Q4"))), "2026Q1");
    CHECK_STR (s_fmt (socin_period_next (s_period ("2025W52"))), "2026W01");
    CHECK_STR (s_fmt (socin_period_next (s_period ("2026W52"))), "2026W53");
    CHECK_STR (s_fmt (socin_period_next (s_period ("2026W53"))), "2027W01");
    CHECK_STR (s_fmt (socin_period_next (s_period ("202512"))), "202601");
    CHECK_STR (s_fmt (socin_period_next (s_period ("202507"))), "202508");
    CHECK_STR (s_fmt (socin_period_next (s_period ("2025S2"))), "2026S1");
    CHECK_STR (s_fmt (socin_period_next (s_period ("2025"))), "2026");
}

static void
first_in_finds_the_first_period_that_rolls_up (void)
{
    CHECK_STR (s_fmt (socin_period_first_in (s_period ("2025"), SOCIN_PERIOD_WEEK)), "2025W01");
    CHECK_STR (s_fmt (socin_period_first_in (s_period ("2021"), SOCIN_PERIOD_WEEK)), "2021W01");
    /* January 2021 opens on a Friday: its first week is the one from 2021-01-04. */
    CHECK_STR (s_fmt (socin_period_first_in (s_period ("202101"), SOCIN_PERIOD_WEEK)), "2021W01");
    /* July 2025 opens on a Tuesday; 2025W27 (from 2025-06-30) has its Thursday in July. */
    CHECK_STR (s_fmt (socin_period_first_in (s_period ("2025Q3"), SOCIN_PERIOD_WEEK)), "2025W27");
    CHECK_STR (s_fmt (socin_period_first_in (s_period ("2025S2"), SOCIN_PERIOD_MONTH)), "202507");
    CHECK_STR (s_fmt (socin_period_first_in (s_period ("2025"), SOCIN_PERIOD_QUARTER)), "2025Q1");
    CHECK_STR (s_fmt (socin_period_first_in (s_period ("2025Q2"), SOCIN_PERIOD_QUARTER)), "2025Q2");
}

static void
walking_from_first_in_covers_each_period_exactly_once (void)
{
    /* Every week from a year's first onwards while it rolls up into the year: 52 or 53. */
    const int years[] = {2020, 2021, 2025, 2026};
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        socin_period_t year = {.type = SOCIN_PERIOD_YEAR, .year = (uint16_t)years[i], .index = 1};
        socin_period_t w = socin_period_first_in (year, SOCIN_PERIOD_WEEK);
        int weeks = 0;
        while (socin_period_contains (year, w)) {
            weeks++;
            w = socin_period_next (w);
        }
        CHECK_INT (weeks, socin_iso_weeks_in_year (years[i]));
    }
    /* Every day of 2024 lies in exactly one month of 2024, found by walking the months. */
    socin_period_t m = socin_period_first_in (s_period ("2024"), SOCIN_PERIOD_MONTH);
    int32_t expected = socin_period_start (m);
    for (int i = 0; i < 12; i++) {
        CHECK_INT (socin_period_start (m), expected);
        expected = socin_period_end (m) + 1;
        m = socin_period_next (m);
    }
    CHECK_STR (s_date (expected), "2025-01-01");
}

static void
pack_orders_by_year_then_type_then_index (void)
{
    CHECK (socin_period_pack (s_period ("2024")) < socin_period_pack (s_period ("2025W01")));
    CHECK (socin_period_pack (s_period ("2025W01")) < socin_period_pack (s_period ("2025W02")));
    CHECK (socin_period_pack (s_period ("2025W52")) < socin_period_pack (s_period ("202501")));
    CHECK (socin_period_pack (s_period ("202509")) < socin_period_pack (s_period ("202510")));
    CHECK (socin_period_pack (s_period ("202512")) < socin_period_pack (s_period ("2025Q1")));
    CHECK (socin_period_pack (s_period ("2025Q4")) < socin_period_pack (s_period ("2025S1")));
    CHECK (socin_period_pack (s_period ("2025S2")) < socin_period_pack (s_period ("2025")));
}

static void
periods_of_one_type_in_a_year_are_contiguous_when_packed (void)
{
    /* Between the first and last month of 2025, only months of 2025 pack. */
    uint32_t low = socin_period_pack (s_period ("202501"));
    uint32_t high = socin_period_pack (s_period ("202512"));
    const char *others[] = {"2025",    "2025S1", "2025S2", "2025Q1", "2025Q4",  "2025W01",
                            "2025W52", "2024",   "202412", "202601", "2026W01", "2024Q4"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        uint32_t k = socin_period_pack (s_period (others[i]));
        CHECK (k < low || k > high);
    }
    socin_period_t m = s_period ("202501");
    for (int i = 0; i < 12; i++) {
        CHECK_INT (socin_period_pack (m), low + (uint32_t)i);
        m = socin_period_next (m);
    }
}

static void
pack_and_unpack_round_trip (void)
{
    const char *texts[] = {"1900", "2999S2", "2025Q3", "202507", "2026W53", "1900W01"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        socin_period_t p = s_period (texts[i]);
        socin_period_t back = socin_period_unpack (socin_period_pack (p));
        CHECK (back.type == p.type && back.year == p.year && back.index == p.index);
        CHECK_STR (s_fmt (back), texts[i]);
    }
}

static void
names_period_types_both_ways (void)
{
    const socin_period_type_t types[] = {SOCIN_PERIOD_WEEK, SOCIN_PERIOD_MONTH,
                                         SOCIN_PERIOD_QUARTER, SOCIN_PERIOD_HALF,
                                         SOCIN_PERIOD_YEAR};
    const char *names[] = {"weekly", "monthly", "quarterly", "half-yearly", "yearly"};
    for (size_t i = 0; i < 5; i++) {
        CHECK_STR (socin_period_type_name (types[i]), names[i]);
        CHECK_INT (socin_period_type_parse (names[i]), types[i]);
    }
    CHECK_INT (socin_period_type_parse ("fortnightly"), SOCIN_PERIOD_NONE);
    CHECK_INT (socin_period_type_parse ("Monthly"), SOCIN_PERIOD_NONE);
    CHECK_INT (socin_period_type_parse (NULL), SOCIN_PERIOD_NONE);
    CHECK (socin_period_type_name (SOCIN_PERIOD_NONE) != NULL);
}

static void
day_numbers_count_from_1970 (void)
{
    CHECK_INT (socin_date_from_ymd (1970, 1, 1), 0);
    CHECK_INT (socin_date_from_ymd (1969, 12, 31), -1);
    CHECK_INT (socin_date_from_ymd (2000, 3, 1), 11017);
    CHECK_INT (socin_date_from_ymd (1900, 1, 1), -25567);
    CHECK_INT (socin_date_from_ymd (2025, 1, 1), 20089);
    int y, m, d;
    socin_date_to_ymd (-25567, &y, &m, &d);
    CHECK (y == 1900 && m == 1 && d == 1);
    socin_date_to_ymd (11016, &y, &m, &d);
    CHECK (y == 2000 && m == 2 && d == 29);
}

static void
every_day_round_trips_through_its_date (void)
{
    int32_t first = socin_date_from_ymd (SOCIN_YEAR_MIN, 1, 1);
    int32_t last = socin_date_from_ymd (SOCIN_YEAR_MAX, 12, 31);
    int32_t previous = first - 1;
    for (int32_t day = first; day <= last; day++) {
        int y, m, d;
        socin_date_to_ymd (day, &y, &m, &d);
        if (socin_date_from_ymd (y, m, d) != day) {
            CHECK_INT (socin_date_from_ymd (y, m, d), day);
            break;
        }
        previous = day;
    }
    CHECK_INT (previous, last);
    CHECK_INT (last - first + 1, 365 * 1100 + 267); /* 267 leap days in 1900..2999 */
}

static void
parses_and_formats_dates (void)
{
    CHECK_INT (s_day ("1970-01-01"), 0);
    CHECK_STR (s_date (s_day ("2024-02-29")), "2024-02-29");
    CHECK_STR (s_date (s_day ("1900-01-01")), "1900-01-01");
    CHECK_STR (s_date (s_day ("2999-12-31")), "2999-12-31");
    char buf[SOCIN_DATE_STRLEN];
    CHECK_INT (socin_date_format (0, buf, sizeof buf), 10);
}

static void
rejects_malformed_dates_with_a_message_for_a_person (void)
{
    s_rejects_date ("2025-02-30", "\"2025-02-30\": February 2025 has 28 days");
    s_rejects_date ("2025-02-29", "\"2025-02-29\": February 2025 has 28 days");
    s_rejects_date ("1900-02-29", "\"1900-02-29\": February 1900 has 28 days");
    s_rejects_date ("2025-04-31", "\"2025-04-31\": April 2025 has 30 days");
    s_rejects_date ("2025-13-01", "\"2025-13-01\": month 13 does not exist (months are 01 to 12)");
    s_rejects_date ("2025-00-10", "\"2025-00-10\": month 00 does not exist (months are 01 to 12)");
    s_rejects_date ("2025-01-00", "\"2025-01-00\": day 00 does not exist (days start at 01)");
    s_rejects_date ("1899-12-31",
                    "\"1899-12-31\": year 1899 is outside the supported years 1900 to 2999");
    const char *shapes[] = {"2025-7-31", "20250731", "2025/07/31", "2025-07-31 ", "", "31.07.2025"};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char expected[128];
        snprintf (expected, sizeof expected,
                  "\"%s\" is not a date (expected YYYY-MM-DD, as in 2025-07-31)", shapes[i]);
        s_rejects_date (shapes[i], expected);
    }
}

static void
today_comes_from_socin_today_when_set (void)
{
    setenv ("SOCIN_TODAY", "2025-07-31", 1);
    CHECK_STR (s_date (socin_date_today ()), "2025-07-31");
    unsetenv ("SOCIN_TODAY");
    int32_t today = socin_date_today ();
    CHECK (today > socin_date_from_ymd (2024, 1, 1));
    CHECK (today < socin_date_from_ymd (2999, 12, 31));
    setenv ("SOCIN_TODAY", "not a date", 1);
    CHECK_INT (socin_date_today (), today);
    unsetenv ("SOCIN_TODAY");
}

int
main (void)
{
    RUN (parses_every_period_type, "every period type parses");
    RUN (every_period_type_round_trips_through_text,
         "every period type survives format after parse");
    RUN (knows_which_years_have_53_iso_weeks,
         "years starting on Thursday, or leap years starting on Wednesday, have 53 weeks");
    RUN (accepts_week_53_only_in_long_years,
         "week 53 is accepted in 2020 and 2026, rejected in 2025 and 2021");
    RUN (rejects_malformed_periods_with_a_message_for_a_person,
         "a malformed period is rejected with a message naming what is wrong");
    RUN (rejects_what_is_not_a_period_naming_the_accepted_forms,
         "text that is no period is rejected, naming the accepted forms");
    RUN (rejects_years_outside_the_supported_range, "years outside 1900 to 2999 are rejected");
    RUN (quotes_unprintable_and_long_text_safely, "messages quote odd or long text safely");
    RUN (week_one_can_start_in_the_previous_year, "2025W01 starts on 2024-12-30");
    RUN (the_last_week_can_end_in_the_next_year, "2021W52 ends on 2022-01-02");
    RUN (a_day_belongs_to_the_iso_week_of_its_thursday,
         "a day lies in the ISO week of its Thursday, across year ends");
    RUN (every_day_of_a_week_maps_back_to_that_week,
         "every day of 800 consecutive weeks maps back to its week");
    RUN (a_day_belongs_to_the_calendar_periods_of_its_date,
         "a day lies in the month, quarter, half-year and year of its date");
    RUN (weeks_roll_up_by_their_thursday,
         "weeks roll up into month, quarter, half-year and year by their Thursday");
    RUN (calendar_periods_roll_up_into_their_parents,
         "months, quarters and half-years roll up into their parents");
    RUN (refuses_a_parent_that_is_not_coarser, "a parent must be coarser or equal");
    RUN (contains_follows_the_roll_up, "contains follows the roll-up, equal periods included");
    RUN (start_and_end_cover_each_calendar_period,
         "start and end days are right, leap February included");
    RUN (next_steps_into_the_following_year, "next steps over the year end, week 53 included");
    RUN (first_in_finds_the_first_period_that_rolls_up,
         "first_in finds the first period that rolls up into the outer one");
    RUN (walking_from_first_in_covers_each_period_exactly_once,
         "walking from first_in with next covers a year's weeks and months exactly");
    RUN (pack_orders_by_year_then_type_then_index, "packed periods sort by year, type, index");
    RUN (periods_of_one_type_in_a_year_are_contiguous_when_packed,
         "the periods of one type in a year pack into one contiguous range");
    RUN (pack_and_unpack_round_trip, "unpack (pack (p)) gives p");
    RUN (names_period_types_both_ways, "period type names convert both ways");
    RUN (day_numbers_count_from_1970, "day numbers count days since 1970-01-01");
    RUN (every_day_round_trips_through_its_date,
         "every day from 1900 to 2999 survives date and back");
    RUN (parses_and_formats_dates, "dates parse and format as YYYY-MM-DD");
    RUN (rejects_malformed_dates_with_a_message_for_a_person,
         "a malformed date is rejected with a message naming what is wrong");
    RUN (today_comes_from_socin_today_when_set, "today is SOCIN_TODAY when set, else the clock");
    return TEST_SUMMARY ();
}
