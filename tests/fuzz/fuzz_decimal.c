/*  fuzz_decimal: decimal values as submissions and the catalogue write them, and the exact
    arithmetic the roll-ups do with them.

    The input, as text, goes through socin_dec_parse. Properties beyond "no crash, no sanitizer
    report": a parsed value formats to text that parses to the same value, and that text is
    its own format (the shortest form is unique); a refusal has a message of printable ASCII.
    The input's bytes, read as numbers, drive the arithmetic: add, sub and mul_int agree with
    the compiler's overflow-checked operations; socin_sum_div and socin_dec_ratio agree with
    plain 128-bit division rounded half away from zero whenever the product fits in 128 bits
    (else they may only refuse); a sum formats and parses back when it fits a decimal.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "fixture.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    return 0;
}

static void
s_parse (const char *text, size_t len)
{
    socin_dec_t v, w;
    char err[256], buf[SOCIN_DEC_STRLEN], again[SOCIN_DEC_STRLEN];
    if (socin_dec_parse (text, len, &v, err, sizeof err)) {
        FUZZ_ASSERT (err[0], "a refusal without a message");
        for (const char *p = err; *p; p++)
            FUZZ_ASSERT (*p >= 0x20 && *p < 0x7f, "message byte 0x%02X", (unsigned char)*p);
        return;
    }
    size_t n = socin_dec_format (v, buf, sizeof buf);
    FUZZ_ASSERT (n == strlen (buf), "format length");
    FUZZ_ASSERT (socin_dec_parse (buf, n, &w, err, sizeof err) == 0 && w == v,
                 "\"%s\" does not parse back (%s)", buf, err);
    socin_dec_format (w, again, sizeof again);
    FUZZ_ASSERT (!strcmp (buf, again), "\"%s\" formats as \"%s\"", buf, again);
}

/* NUM / DEN rounded half away from zero, in 128 bits (DEN != 0, no overflow possible). */
static socin_sum_t
s_div_round (socin_sum_t num, socin_sum_t den)
{
    socin_sum_t q = num / den, r = num % den;
    unsigned __int128 ar = r < 0 ? (unsigned __int128)-r : (unsigned __int128)r;
    unsigned __int128 ad = den < 0 ? (unsigned __int128)-den : (unsigned __int128)den;
    if (ar >= ad - ar) q += (num < 0) != (den < 0) ? -1 : 1;
    return q;
}

static void
s_arith (const uint8_t *data)
{
    int64_t a, b;
    socin_sum_t s, t;
    memcpy (&a, data, 8);
    memcpy (&b, data + 8, 8);
    memcpy (&s, data + 16, 16);
    memcpy (&t, data + 32, 16);
    socin_dec_t r, want;
    bool over = __builtin_add_overflow (a, b, &want);
    FUZZ_ASSERT ((socin_dec_add (a, b, &r) != 0) == over && (over || r == want), "add");
    over = __builtin_sub_overflow (a, b, &want);
    FUZZ_ASSERT ((socin_dec_sub (a, b, &r) != 0) == over && (over || r == want), "sub");
    over = __builtin_mul_overflow (a, b, &want);
    FUZZ_ASSERT ((socin_dec_mul_int (a, b, &r) != 0) == over && (over || r == want), "mul_int");
    FUZZ_ASSERT (socin_dec_cmp (a, b) == (a > b) - (a < b), "cmp");

    /* Sums as roll-ups see them: not the extremes of 128 bits, whose negation overflows. */
    if (s == (socin_sum_t)((unsigned __int128)1 << 127) ||
        t == (socin_sum_t)((unsigned __int128)1 << 127))
        return;
    int rc = socin_sum_div (s, t, &r);
    if (t == 0)
        FUZZ_ASSERT (rc != 0, "division by zero answered");
    else {
        socin_sum_t q = s_div_round (s, t);
        bool fits = q >= INT64_MIN && q <= INT64_MAX;
        FUZZ_ASSERT ((rc == 0) == fits && (!fits || r == (socin_dec_t)q), "sum_div");
    }
    socin_sum_t product;
    rc = socin_dec_ratio (s, t, a, &r);
    if (t == 0)
        FUZZ_ASSERT (rc != 0, "ratio by zero answered");
    else if (!__builtin_mul_overflow (s, (socin_sum_t)a, &product) &&
             !(product == (socin_sum_t)((unsigned __int128)1 << 127) && t == -1)) {
        /* (The one quotient 128 bits cannot hold, -2^127 / -1, is left out of the model.) */
        socin_sum_t q = s_div_round (product, t);
        bool fits = q >= INT64_MIN && q <= INT64_MAX;
        FUZZ_ASSERT ((rc == 0) == fits && (!fits || r == (socin_dec_t)q),
                     "ratio: %d, %lld against %lld", rc, (long long)r, (long long)q);
    }
    char buf[SOCIN_DEC_STRLEN];
    size_t n = socin_sum_format (s, buf, sizeof buf);
    FUZZ_ASSERT (n == strlen (buf) && n < sizeof buf, "sum format length");
    socin_dec_t back;
    if (socin_sum_to_dec (s, &back) == 0) {
        socin_dec_t parsed;
        FUZZ_ASSERT (socin_dec_parse (buf, n, &parsed, NULL, 0) == 0 && parsed == back,
                     "sum \"%s\" does not parse back", buf);
    } else
        FUZZ_ASSERT (s < INT64_MIN || s > INT64_MAX, "sum_to_dec refused a fitting sum");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    /* The text on its own: the parser is given a length, and no terminator. */
    char *text = malloc (size ? size : 1);
    FUZZ_ASSERT (text, "out of memory");
    memcpy (text, data, size);
    s_parse (text, size);
    free (text);
    if (size >= 48) s_arith (data);
    return 0;
}
