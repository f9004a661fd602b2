/*  period: reporting periods and calendar days.

    Every computation goes through day numbers (days since 1970-01-01): a period is turned into
    its first and last day, and a day into the period that holds it. Weeks are ISO 8601 weeks,
    which start on Monday and belong to the year (and month, quarter, half-year) of their
    Thursday.
*/
#include "period.h"

#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#define S_EXPECTED "(expected 2025, 2025S1, 2025Q3, 202507 or 2025W05)"

static const char *s_month_names[] = {"January",   "February", "March",    "April",
                                      "May",       "June",     "July",     "August",
                                      "September", "October",  "November", "December"};


/* True when the COUNT bytes at TEXT are all digits (TEXT holds at least COUNT bytes). */
static bool
s_digits (const char *text, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (text[i] < '0' || text[i] > '9') return false;
    return true;
}

static int
s_number (const char *text, size_t count)
{
    int n = 0;
    for (size_t i = 0; i < count; i++)
        n = n * 10 + (text[i] - '0');
    return n;
}

/* Floor division and modulo: day numbers before 1970 are negative. */
static int64_t
s_floor_div (int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static bool
s_is_leap (int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
s_days_in_month (int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && s_is_leap (year) ? 29 : days[month - 1];
}

/* ISO weekday of DAY: 1 for Monday to 7 for Sunday (1970-01-01 was a Thursday). */
static int
s_weekday (int32_t day)
{
    return (int)((int64_t)day + 3 - 7 * s_floor_div ((int64_t)day + 3, 7)) + 1;
}

/* Day number of the Monday that starts ISO week 1 of YEAR: the week holding January 4. */
static int32_t
s_week_one_start (int year)
{
    int32_t jan4 = socin_date_from_ymd (year, 1, 4);
    return jan4 - (s_weekday (jan4) - 1);
}

int32_t
socin_date_from_ymd (int year, int month, int mday)
{
    /*  Howard Hinnant's days_from_civil: counts in 400-year eras of 146097 days, with years
        starting on March 1 so that the leap day comes last. */
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = s_floor_div (y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + mday - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void
socin_date_to_ymd (int32_t day, int *year, int *month, int *mday)
{
    /* Howard Hinnant's civil_from_days, the inverse of the above. */
    int64_t z = (int64_t)day + 719468;
    int64_t era = s_floor_div (z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (year) *year = (int)(yoe + era * 400 + (m <= 2));
    if (month) *month = (int)m;
    if (mday) *mday = (int)d;
}

int
socin_iso_weeks_in_year (int year)
{
    /* 53 weeks when the year starts on a Thursday, or is a leap year starting on a Wednesday. */
    int jan1 = s_weekday (socin_date_from_ymd (year, 1, 1));
    return jan1 == 4 || (jan1 == 3 && s_is_leap (year)) ? 53 : 52;
}

/* The first month and the number of months of a period that is not a week. */
static void
s_months (socin_period_t p, int *first, int *count)
{
    switch (p.type) {
    case SOCIN_PERIOD_MONTH:
        *first = p.index;
        *count = 1;
        break;
    case SOCIN_PERIOD_QUARTER:
        *first = 3 * (p.index - 1) + 1;
        *count = 3;
        break;
    case SOCIN_PERIOD_HALF:
        *first = 6 * (p.index - 1) + 1;
        *count = 6;
        break;
    default:
        *first = 1;
        *count = 12;
        break;
    }
}

int32_t
socin_period_start (socin_period_t p)
{
    if (p.type == SOCIN_PERIOD_WEEK) return s_week_one_start (p.year) + 7 * (p.index - 1);
    int first, count;
    s_months (p, &first, &count);
    return socin_date_from_ymd (p.year, first, 1);
}

int32_t
socin_period_end (socin_period_t p)
{
    if (p.type == SOCIN_PERIOD_WEEK) return socin_period_start (p) + 6;
    int first, count;
    s_months (p, &first, &count);
    int after = first - 1 + count; /* months since January of the month after the period */
    return socin_date_from_ymd (p.year + after / 12, after % 12 + 1, 1) - 1;
}

socin_period_t
socin_period_of_day (socin_period_type_t type, int32_t day)
{
    socin_period_t p = {.type = (uint8_t)type};
    int year, month;
    if (type == SOCIN_PERIOD_WEEK) {
        int32_t thursday = day - s_weekday (day) + 4;
        socin_date_to_ymd (thursday, &year, NULL, NULL);
        p.year = (uint16_t)year;
        p.index = (uint8_t)((thursday - socin_date_from_ymd (year, 1, 1)) / 7 + 1);
        return p;
    }
    socin_date_to_ymd (day, &year, &month, NULL);
    p.year = (uint16_t)year;
    switch (type) {
    case SOCIN_PERIOD_MONTH:
        p.index = (uint8_t)month;
        break;
    case SOCIN_PERIOD_QUARTER:
        p.index = (uint8_t)((month - 1) / 3 + 1);
        break;
    case SOCIN_PERIOD_HALF:
        p.index = (uint8_t)((month - 1) / 6 + 1);
        break;
    default:
        p.index = 1;
        break;
    }
    return p;
}

static bool
s_type_valid (int type)
{
    return type >= SOCIN_PERIOD_WEEK && type <= SOCIN_PERIOD_YEAR;
}

int
socin_period_parent (socin_period_t p, socin_period_type_t type, socin_period_t *out)
{
    if (!s_type_valid (p.type) || !s_type_valid ((int)type) || (int)type < p.type) return -1;
    if ((int)type == p.type) {
        *out = p;
        return 0;
    }
    /* A week goes where its Thursday is; any other period lies wholly inside its parent. */
    int32_t anchor = socin_period_start (p) + (p.type == SOCIN_PERIOD_WEEK ? 3 : 0);
    *out = socin_period_of_day (type, anchor);
    return 0;
}

bool
socin_period_contains (socin_period_t outer, socin_period_t inner)
{
    socin_period_t parent;
    return socin_period_parent (inner, (socin_period_type_t)outer.type, &parent) == 0 &&
           parent.year == outer.year && parent.index == outer.index;
}

socin_period_t
socin_period_next (socin_period_t p)
{
    int last;
    switch (p.type) {
    case SOCIN_PERIOD_WEEK:
        last = socin_iso_weeks_in_year (p.year);
        break;
    case SOCIN_PERIOD_MONTH:
        last = 12;
        break;
    case SOCIN_PERIOD_QUARTER:
        last = 4;
        break;
    case SOCIN_PERIOD_HALF:
        last = 2;
        break;
    default:
        last = 1;
        break;
    }
    if (p.index < last)
        p.index++;
    else {
        p.year++;
        p.index = 1;
    }
    return p;
}

socin_period_t
socin_period_first_in (socin_period_t outer, socin_period_type_t type)
{
    int32_t start = socin_period_start (outer);
    if (type == SOCIN_PERIOD_WEEK) {
        /* The first week whose Thursday falls on or after the outer period's first day. */
        int32_t thursday = start + (4 - s_weekday (start) + 7) % 7;
        return socin_period_of_day (type, thursday);
    }
    return socin_period_of_day (type, start);
}

uint32_t
socin_period_pack (socin_period_t p)
{
    return (uint32_t)p.year << 16 | (uint32_t)p.type << 8 | p.index;
}

socin_period_t
socin_period_unpack (uint32_t packed)
{
    socin_period_t p = {.type = (uint8_t)(packed >> 8 & 0xff),
                        .year = (uint16_t)(packed >> 16),
                        .index = (uint8_t)(packed & 0xff)};
    return p;
}

/* snprintf's length, bounded to what was written. */
static size_t
s_written (int n, size_t size)
{
    if (n < 0 || size == 0) return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}

size_t
socin_period_format (socin_period_t p, char *buf, size_t size)
{
    unsigned year = p.year, index = p.index;
    int n;
    /* The common case without printf: it runs once per submitted value. */
    if (size >= 8 && year >= 1000 && year <= 9999 && index <= 99 && p.type >= SOCIN_PERIOD_WEEK &&
        p.type <= SOCIN_PERIOD_YEAR) {
        char *o = buf;
        *o++ = (char) ('0' + year / 1000);
        *o++ = (char) ('0' + year / 100 % 10);
        *o++ = (char) ('0' + year / 10 % 10);
        *o++ = (char) ('0' + year % 10);
        if (p.type != SOCIN_PERIOD_YEAR) {
            if (p.type == SOCIN_PERIOD_WEEK) *o++ = 'W';
            if (p.type == SOCIN_PERIOD_QUARTER) *o++ = 'Q';
            if (p.type == SOCIN_PERIOD_HALF) *o++ = 'S';
            if (p.type == SOCIN_PERIOD_WEEK || p.type == SOCIN_PERIOD_MONTH)
                *o++ = (char) ('0' + index / 10);
            *o++ = (char) ('0' + index % 10);
        }
        *o = 0;
        return (size_t) (o - buf);
    }
    switch (p.type) {
    case SOCIN_PERIOD_WEEK:
        n = snprintf (buf, size, "%04uW%02u", year, index);
        break;
    case SOCIN_PERIOD_MONTH:
        n = snprintf (buf, size, "%04u%02u", year, index);
        break;
    case SOCIN_PERIOD_QUARTER:
        n = snprintf (buf, size, "%04uQ%u", year, index);
        break;
    case SOCIN_PERIOD_HALF:
        n = snprintf (buf, size, "%04uS%u", year, index);
        break;
    case SOCIN_PERIOD_YEAR:
        n = snprintf (buf, size, "%04u", year);
        break;
    default:
        n = snprintf (buf, size, "%s", "");
        break;
    }
    return s_written (n, size);
}

static const struct {
    socin_period_type_t type;
    const char *name;
} s_type_names[] = {
    {SOCIN_PERIOD_WEEK, "weekly"},       {SOCIN_PERIOD_MONTH, "monthly"},
    {SOCIN_PERIOD_QUARTER, "quarterly"}, {SOCIN_PERIOD_HALF, "half-yearly"},
    {SOCIN_PERIOD_YEAR, "yearly"},
};

const char *
socin_period_type_name (socin_period_type_t type)
{
    for (size_t i = 0; i < sizeof s_type_names / sizeof s_type_names[0]; i++)
        if (s_type_names[i].type == type) return s_type_names[i].name;
    return "none";
}

socin_period_type_t
socin_period_type_parse (const char *name)
{
    for (size_t i = 0; name && i < sizeof s_type_names / sizeof s_type_names[0]; i++)
        if (strcmp (s_type_names[i].name, name) == 0) return s_type_names[i].type;
    return SOCIN_PERIOD_NONE;
}

static int
s_year_out_of_range (const char *quoted, int year, char *err, size_t errlen)
{
    return socin_error_set (err, errlen, "%s: year %04d is outside the supported years %d to %d", quoted,
                   year, SOCIN_YEAR_MIN, SOCIN_YEAR_MAX);
}

int
socin_period_parse (const char *text, socin_period_t *out, char *err, size_t errlen)
{
    if (!text) text = "";
    size_t len = strlen (text);
    char quoted[SOCIN_QUOTE_SIZE];
    socin_error_quote (text, len, quoted);

    if (len < 4 || !s_digits (text, 4))
        return socin_error_set (err, errlen, "%s is not a period " S_EXPECTED, quoted);
    int year = s_number (text, 4);
    const char *rest = text + 4;
    size_t rest_len = len - 4;

    socin_period_t p = {.year = (uint16_t)year, .index = 1};
    int last = 1;
    if (rest_len == 0)
        p.type = SOCIN_PERIOD_YEAR;
    else if (rest_len == 2 && s_digits (rest, 2)) {
        p.type = SOCIN_PERIOD_MONTH;
        last = 12;
    } else if (rest_len == 2 && (rest[0] == 'Q' || rest[0] == 'S') && s_digits (rest + 1, 1)) {
        p.type = rest[0] == 'Q' ? SOCIN_PERIOD_QUARTER : SOCIN_PERIOD_HALF;
        last = rest[0] == 'Q' ? 4 : 2;
    } else if (rest_len == 3 && rest[0] == 'W' && s_digits (rest + 1, 2))
        p.type = SOCIN_PERIOD_WEEK;
    else if (rest_len == 2 && rest[0] == 'W' && s_digits (rest + 1, 1))
        return socin_error_set (err, errlen, "%s: the week needs two digits (write %.4sW0%c)", quoted, text,
                       rest[1]);
    else if (rest[0] == 'W')
        return socin_error_set (err, errlen, "%s: the week needs two digits (as in %.4sW05)", quoted, text);
    else if (rest_len == 3 && rest[0] == '-' && s_digits (rest + 1, 2))
        return socin_error_set (err, errlen, "%s is not a period (write the month as %.4s%.2s)", quoted,
                       text, rest + 1);
    else if ((rest_len == 2 && (rest[0] == 'q' || rest[0] == 's') && s_digits (rest + 1, 1)) ||
             (rest_len == 3 && rest[0] == 'w' && s_digits (rest + 1, 2)))
        return socin_error_set (err, errlen, "%s is not a period (the letter is upper case: %.4s%c%s)",
                       quoted, text, rest[0] - 'a' + 'A', rest + 1);
    else
        return socin_error_set (err, errlen, "%s is not a period " S_EXPECTED, quoted);

    if (year < SOCIN_YEAR_MIN || year > SOCIN_YEAR_MAX)
        return s_year_out_of_range (quoted, year, err, errlen);

    switch (p.type) {
    case SOCIN_PERIOD_MONTH:
        p.index = (uint8_t)s_number (rest, 2);
        if (p.index < 1 || p.index > last)
            return socin_error_set (err, errlen, "%s: month %.2s does not exist (months are 01 to 12)",
                           quoted, rest);
        break;
    case SOCIN_PERIOD_QUARTER:
        p.index = (uint8_t)s_number (rest + 1, 1);
        if (p.index < 1 || p.index > last)
            return socin_error_set (err, errlen, "%s: quarter %c does not exist (quarters are Q1 to Q4)",
                           quoted, rest[1]);
        break;
    case SOCIN_PERIOD_HALF:
        p.index = (uint8_t)s_number (rest + 1, 1);
        if (p.index < 1 || p.index > last)
            return socin_error_set (err, errlen,
                           "%s: half-year %c does not exist (half-years are S1 and S2)", quoted,
                           rest[1]);
        break;
    case SOCIN_PERIOD_WEEK:
        last = socin_iso_weeks_in_year (year);
        p.index = (uint8_t)s_number (rest + 1, 2);
        if (p.index < 1 || p.index > last)
            return socin_error_set (err, errlen, "%s: week %.2s does not exist (%d has %d ISO weeks)",
                           quoted, rest + 1, year, last);
        break;
    default:
        break;
    }
    *out = p;
    return 0;
}

int
socin_date_parse (const char *text, int32_t *day, char *err, size_t errlen)
{
    if (!text) text = "";
    size_t len = strlen (text);
    char quoted[SOCIN_QUOTE_SIZE];
    socin_error_quote (text, len, quoted);

    if (len != 10 || !s_digits (text, 4) || text[4] != '-' || !s_digits (text + 5, 2) ||
        text[7] != '-' || !s_digits (text + 8, 2))
        return socin_error_set (err, errlen, "%s is not a date (expected YYYY-MM-DD, as in 2025-07-31)",
                       quoted);
    int year = s_number (text, 4);
    int month = s_number (text + 5, 2);
    int mday = s_number (text + 8, 2);
    if (year < SOCIN_YEAR_MIN || year > SOCIN_YEAR_MAX)
        return s_year_out_of_range (quoted, year, err, errlen);
    if (month < 1 || month > 12)
        return socin_error_set (err, errlen, "%s: month %02d does not exist (months are 01 to 12)", quoted,
                       month);
    int days = s_days_in_month (year, month);
    if (mday < 1)
        return socin_error_set (err, errlen, "%s: day 00 does not exist (days start at 01)", quoted);
    if (mday > days)
        return socin_error_set (err, errlen, "%s: %s %d has %d days", quoted, s_month_names[month - 1], year,
                       days);
    *day = socin_date_from_ymd (year, month, mday);
    return 0;
}

size_t
socin_date_format (int32_t day, char *buf, size_t size)
{
    int year, month, mday;
    socin_date_to_ymd (day, &year, &month, &mday);
    return s_written (snprintf (buf, size, "%04d-%02d-%02d", year, month, mday), size);
}

/* The simulated day: read from SOCIN_TODAY once, then moved by socin_date_set_today. A
   SOCIN_TODAY that does not parse is ignored rather than trusted: the system's clock is the
   only other answer. */
static struct {
    bool read, simulated;
    int32_t day;
} s_today;

static void
s_today_read (void)
{
    if (s_today.read) return;
    s_today.read = true;
    const char *fixed = getenv ("SOCIN_TODAY");
    s_today.simulated =
        fixed && *fixed && socin_date_parse (fixed, &s_today.day, NULL, 0) == 0;
}

int32_t
socin_date_today (void)
{
    s_today_read ();
    if (s_today.simulated) return s_today.day;
    return (int32_t)s_floor_div ((int64_t)time (NULL), 86400);
}

bool
socin_date_simulated (void)
{
    s_today_read ();
    return s_today.simulated;
}

int
socin_date_set_today (int32_t day)
{
    if (!socin_date_simulated ()) return -1;
    s_today.day = day;
    return 0;
}
