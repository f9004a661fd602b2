/*  periodset: the periods a query names. See periodset.h. */
#include "periodset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mem.h"

/* A relative period: periods of TYPE, the first BACK before the one holding the day (0: that
   one), COUNT of them; COUNT 0 means every one of the day's year. */
typedef struct {
    const char *name;
    socin_period_type_t type;
    int back, count;
} s_relative_t;

static const s_relative_t s_relative[] = {
    {"THIS_WEEK", SOCIN_PERIOD_WEEK, 0, 1},
    {"LAST_WEEK", SOCIN_PERIOD_WEEK, 1, 1},
    {"LAST_4_WEEKS", SOCIN_PERIOD_WEEK, 4, 4},
    {"LAST_12_WEEKS", SOCIN_PERIOD_WEEK, 12, 12},
    {"LAST_52_WEEKS", SOCIN_PERIOD_WEEK, 52, 52},
    {"WEEKS_THIS_YEAR", SOCIN_PERIOD_WEEK, 0, 0},
    {"THIS_MONTH", SOCIN_PERIOD_MONTH, 0, 1},
    {"LAST_MONTH", SOCIN_PERIOD_MONTH, 1, 1},
    {"LAST_3_MONTHS", SOCIN_PERIOD_MONTH, 3, 3},
    {"LAST_6_MONTHS", SOCIN_PERIOD_MONTH, 6, 6},
    {"LAST_12_MONTHS", SOCIN_PERIOD_MONTH, 12, 12},
    {"MONTHS_THIS_YEAR", SOCIN_PERIOD_MONTH, 0, 0},
    {"THIS_QUARTER", SOCIN_PERIOD_QUARTER, 0, 1},
    {"LAST_QUARTER", SOCIN_PERIOD_QUARTER, 1, 1},
    {"LAST_4_QUARTERS", SOCIN_PERIOD_QUARTER, 4, 4},
    {"QUARTERS_THIS_YEAR", SOCIN_PERIOD_QUARTER, 0, 0},
    {"THIS_SIX_MONTH", SOCIN_PERIOD_HALF, 0, 1},
    {"LAST_SIX_MONTH", SOCIN_PERIOD_HALF, 1, 1},
    {"LAST_2_SIXMONTHS", SOCIN_PERIOD_HALF, 2, 2},
    {"THIS_YEAR", SOCIN_PERIOD_YEAR, 0, 1},
    {"LAST_YEAR", SOCIN_PERIOD_YEAR, 1, 1},
    {"LAST_5_YEARS", SOCIN_PERIOD_YEAR, 5, 5},
    {"LAST_10_YEARS", SOCIN_PERIOD_YEAR, 10, 10},
    {NULL},
};

socin_period_t
socin_period_prev (socin_period_t p)
{
    return socin_period_of_day ((socin_period_type_t)p.type, socin_period_start (p) - 1);
}

static int
s_push (socin_period_t p, socin_period_t **list, size_t *n, size_t max, const char *item, char *err,
        size_t errlen)
{
    if (*n >= max)
        return socin_error_set (err, errlen, "period %s makes more than %zu periods", item, max);
    *list = socin_realloc (*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = p;
    return 0;
}

static int
s_add_relative (const s_relative_t *r, int32_t today, socin_period_t **list, size_t *n, size_t max,
                char *err, size_t errlen)
{
    socin_period_t p = socin_period_of_day (r->type, today);
    if (r->count == 0) {
        socin_period_t year = socin_period_of_day (SOCIN_PERIOD_YEAR, today);
        for (p = socin_period_first_in (year, r->type); socin_period_contains (year, p);
             p = socin_period_next (p))
            if (s_push (p, list, n, max, r->name, err, errlen)) return -1;
        return 0;
    }
    for (int i = 0; i < r->back; i++)
        p = socin_period_prev (p);
    for (int i = 0; i < r->count; i++, p = socin_period_next (p))
        if (s_push (p, list, n, max, r->name, err, errlen)) return -1;
    return 0;
}

/* FROM..TO, both of one type. */
static int
s_add_range (const char *item, const char *dots, socin_period_t **list, size_t *n, size_t max,
             char *err, size_t errlen)
{
    char from[SOCIN_PERIOD_STRLEN], why[256];
    size_t len = (size_t)(dots - item);
    socin_period_t a, b;
    if (len >= sizeof from)
        return socin_error_set (err, errlen, "period range %s: no such start", item);
    memcpy (from, item, len);
    from[len] = 0;
    if (socin_period_parse (from, &a, why, sizeof why) ||
        socin_period_parse (dots + 2, &b, why, sizeof why))
        return socin_error_set (err, errlen, "period range %s: %s", item, why);
    if (a.type != b.type)
        return socin_error_set (err, errlen,
                                "period range %s: both ends must be of one type (%s, %s)", item,
                                socin_period_type_name (a.type), socin_period_type_name (b.type));
    if (socin_period_pack (a) > socin_period_pack (b))
        return socin_error_set (err, errlen, "period range %s ends before it starts", item);
    for (socin_period_t p = a;; p = socin_period_next (p)) {
        if (s_push (p, list, n, max, item, err, errlen)) return -1;
        if (socin_period_pack (p) == socin_period_pack (b)) return 0;
    }
}

int
socin_periodset_add (const char *item, int32_t today, socin_period_t **list, size_t *n, size_t max,
                     char *err, size_t errlen)
{
    for (const s_relative_t *r = s_relative; r->name; r++)
        if (!strcmp (item, r->name)) return s_add_relative (r, today, list, n, max, err, errlen);
    const char *dots = strstr (item, "..");
    if (dots) return s_add_range (item, dots, list, n, max, err, errlen);
    socin_period_t p;
    char why[256];
    if (socin_period_parse (item, &p, why, sizeof why))
        return socin_error_set (err, errlen,
                                "period '%s' %s, nor a range (202501..202512) or a relative "
                                "period (THIS_YEAR, LAST_12_MONTHS, LAST_4_QUARTERS, ...)",
                                item, why);
    return s_push (p, list, n, max, item, err, errlen);
}
