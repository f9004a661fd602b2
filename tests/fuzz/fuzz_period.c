/*  fuzz_period: reporting periods and calendar days as people and files write them.

    The input, as text, goes through socin_period_parse and socin_date_parse. Properties beyond
    "no crash, no sanitizer report":
      - a parsed period formats back to text that parses to the same period, which is the text
        itself (the parser accepts one spelling per period); it packs and unpacks to itself;
        its first day is not after its last; both days lie in it (socin_period_of_day), the day
        after its end starts the next period; it rolls up into a parent of every coarser type
        that contains it, and its first period of its own type is itself;
      - a parsed date formats back to the same text;
      - a refusal has a message of printable ASCII (messages travel in protobuf strings).
    The first four bytes, as a day number within the supported years, go through the day
    functions: formatted, the day parses back to itself, and each period type's period of the
    day holds it.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "period.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    return 0;
}

static void
s_check_message (const char *err)
{
    FUZZ_ASSERT (err[0], "a refusal without a message");
    for (const char *p = err; *p; p++)
        FUZZ_ASSERT (*p >= 0x20 && *p < 0x7f, "message byte 0x%02X in \"%s\"", (unsigned char)*p,
                     err);
}

static bool
s_same (socin_period_t a, socin_period_t b)
{
    return a.type == b.type && a.year == b.year && a.index == b.index;
}

static void
s_period (const char *text)
{
    socin_period_t p, q;
    char err[256], buf[SOCIN_PERIOD_STRLEN];
    if (socin_period_parse (text, &p, err, sizeof err)) {
        s_check_message (err);
        return;
    }
    size_t n = socin_period_format (p, buf, sizeof buf);
    FUZZ_ASSERT (n == strlen (buf) && !strcmp (buf, text), "\"%s\" formats as \"%s\"", text, buf);
    FUZZ_ASSERT (socin_period_parse (buf, &q, err, sizeof err) == 0 && s_same (p, q),
                 "\"%s\" does not parse back", buf);
    FUZZ_ASSERT (s_same (socin_period_unpack (socin_period_pack (p)), p), "pack of %s", buf);
    int32_t start = socin_period_start (p), end = socin_period_end (p);
    FUZZ_ASSERT (start <= end, "%s starts after it ends", buf);
    socin_period_type_t type = (socin_period_type_t)p.type;
    FUZZ_ASSERT (s_same (socin_period_of_day (type, start), p) &&
                     s_same (socin_period_of_day (type, end), p),
                 "the first or last day of %s lies outside it", buf);
    if (p.year < SOCIN_YEAR_MAX) {
        socin_period_t next = socin_period_next (p);
        FUZZ_ASSERT (socin_period_start (next) == end + 1, "%s is not followed by the next", buf);
    }
    FUZZ_ASSERT (s_same (socin_period_first_in (p, type), p), "first of %s in itself", buf);
    for (int t = p.type; t <= SOCIN_PERIOD_YEAR; t++) {
        socin_period_t parent;
        FUZZ_ASSERT (socin_period_parent (p, (socin_period_type_t)t, &parent) == 0,
                     "%s has no parent of type %d", buf, t);
        FUZZ_ASSERT (socin_period_contains (parent, p), "the parent of %s does not hold it", buf);
        socin_period_t first = socin_period_first_in (parent, type);
        FUZZ_ASSERT (socin_period_contains (parent, first), "the first of a parent of %s", buf);
    }
    for (int t = SOCIN_PERIOD_WEEK; t < p.type; t++)
        FUZZ_ASSERT (socin_period_parent (p, (socin_period_type_t)t, &q) != 0,
                     "%s has a finer parent", buf);
}

static void
s_date (const char *text)
{
    int32_t day;
    char err[256], buf[SOCIN_DATE_STRLEN];
    if (socin_date_parse (text, &day, err, sizeof err)) {
        s_check_message (err);
        return;
    }
    socin_date_format (day, buf, sizeof buf);
    FUZZ_ASSERT (!strcmp (buf, text), "date \"%s\" formats as \"%s\"", text, buf);
}

static void
s_day (int32_t raw)
{
    int32_t lo = socin_date_from_ymd (SOCIN_YEAR_MIN, 1, 1);
    int32_t hi = socin_date_from_ymd (SOCIN_YEAR_MAX, 12, 31);
    int64_t span = (int64_t)hi - lo + 1;
    int32_t day = (int32_t)(lo + (((int64_t)raw % span) + span) % span);
    char buf[SOCIN_DATE_STRLEN], err[256];
    socin_date_format (day, buf, sizeof buf);
    int32_t back;
    FUZZ_ASSERT (socin_date_parse (buf, &back, err, sizeof err) == 0 && back == day,
                 "day %d formats as \"%s\" (%s)", day, buf, err);
    int y, m, d;
    socin_date_to_ymd (day, &y, &m, &d);
    FUZZ_ASSERT (socin_date_from_ymd (y, m, d) == day, "ymd of day %d", day);
    for (int t = SOCIN_PERIOD_WEEK; t <= SOCIN_PERIOD_YEAR; t++) {
        socin_period_t p = socin_period_of_day ((socin_period_type_t)t, day);
        if (p.year < SOCIN_YEAR_MIN || p.year > SOCIN_YEAR_MAX) continue; /* a week of 1899 */
        FUZZ_ASSERT (socin_period_start (p) <= day && day <= socin_period_end (p),
                     "day %s outside its period of type %d", buf, t);
        char text[SOCIN_PERIOD_STRLEN];
        socin_period_format (p, text, sizeof text);
        socin_period_t q;
        FUZZ_ASSERT (socin_period_parse (text, &q, err, sizeof err) == 0 && s_same (p, q),
                     "the period %s of day %s does not parse: %s", text, buf, err);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *text = malloc (size + 1);
    FUZZ_ASSERT (text, "out of memory");
    memcpy (text, data, size);
    text[size] = 0;
    s_period (text);
    s_date (text);
    if (size >= 4) {
        int32_t raw;
        memcpy (&raw, data, 4);
        s_day (raw);
    }
    free (text);
    return 0;
}
