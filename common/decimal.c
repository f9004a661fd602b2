/*  decimal: exact fixed-point numbers with six fractional digits.

    Values are int64 micros; sums are __int128. Nothing here touches a float: parsing builds the
    micros digit by digit with overflow checks, and every division rounds half away from zero
    from the exact integer quotient and remainder.
*/
#include "decimal.h"

#include "error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>



static bool
s_is_digit (char c)
{
    return c >= '0' && c <= '9';
}

/*  The message for a byte that cannot appear where it stands, with a hint for the usual causes
    (a decimal comma, a thousands separator, an exponent, a space, a second sign or point). */
static int
s_unexpected (const char *quoted, const char *text, size_t len, size_t pos, char *err,
              size_t errlen)
{
    unsigned char c = (unsigned char)text[pos];
    const char *hint = "";
    if (c == ',')
        hint = memchr (text, '.', len) ? " (no thousands separators)" : " (use '.' for decimals)";
    else if (c == '.')
        hint = " (only one '.' is allowed)";
    else if (c == 'e' || c == 'E')
        hint = " (exponents are not accepted; write all the digits)";
    else if (c == '+' || c == '-')
        hint = " (a sign may only come first)";
    else if (c == '\'' || c == '_')
        hint = " (no thousands separators)";

    if (c == ' ')
        return socin_error_set (err, errlen,
                       "%s is not a number: unexpected space at position %zu (no spaces or "
                       "thousands separators)",
                       quoted, pos + 1);
    if (c < 0x20 || c >= 0x7f)
        return socin_error_set (err, errlen, "%s is not a number: unexpected byte 0x%02X at position %zu",
                       quoted, c, pos + 1);
    return socin_error_set (err, errlen, "%s is not a number: unexpected '%c' at position %zu%s", quoted, c,
                   pos + 1, hint);
}

/* The signed result of a magnitude, or -1 when it does not fit. */
static int
s_signed_result (bool negative, uint64_t magnitude, socin_dec_t *out)
{
    if (magnitude > (uint64_t)INT64_MAX + (negative ? 1 : 0)) return -1;
    if (negative && magnitude > 0)
        *out = -(socin_dec_t)(magnitude - 1) - 1;
    else
        *out = (socin_dec_t)magnitude;
    return 0;
}

int
socin_dec_parse (const char *text, size_t len, socin_dec_t *out, char *err, size_t errlen)
{
    char quoted[SOCIN_QUOTE_SIZE];
    socin_error_quote (text, len, quoted);
    if (len == 0)
        return socin_error_set (err, errlen, "%s is empty (expected a number such as 12.5)", quoted);

    /* The shape first: [sign] digits ['.' digits], nothing else. */
    size_t pos = 0;
    bool negative = false;
    if (text[0] == '+' || text[0] == '-') {
        negative = text[0] == '-';
        pos = 1;
    }
    size_t int_start = pos;
    while (pos < len && s_is_digit (text[pos]))
        pos++;
    size_t int_end = pos;
    bool has_point = false;
    size_t frac_start = pos;
    if (pos < len && text[pos] == '.') {
        has_point = true;
        frac_start = ++pos;
        while (pos < len && s_is_digit (text[pos]))
            pos++;
    }
    size_t frac_end = pos;
    if (pos < len) return s_unexpected (quoted, text, len, pos, err, errlen);
    if (int_end == int_start && frac_end == frac_start)
        return socin_error_set (err, errlen, "%s is not a number: it has no digits", quoted);
    if (int_end == int_start)
        return socin_error_set (err, errlen,
                       "%s is not a number: no digit before the '.' (write 0.5, not .5)", quoted);
    if (has_point && frac_end == frac_start)
        return socin_error_set (err, errlen,
                       "%s is not a number: no digit after the '.' (write 5 or 5.0, not 5.)",
                       quoted);

    /* Exactness: digits past the sixth place are accepted only when they are zeros. */
    size_t places = frac_end - frac_start;
    while (places > SOCIN_DEC_DIGITS && text[frac_start + places - 1] == '0')
        places--;
    if (places > SOCIN_DEC_DIGITS)
        return socin_error_set (err, errlen, "%s has %zu decimal places; at most %d are kept", quoted,
                       places, SOCIN_DEC_DIGITS);

    /* The magnitude in micros; the negative range reaches one further than the positive. */
    uint64_t micros = 0;
    bool overflow = false;
    for (size_t i = int_start; i < int_end && !overflow; i++)
        overflow = __builtin_mul_overflow (micros, 10, &micros) ||
                   __builtin_add_overflow (micros, (uint64_t)(text[i] - '0'), &micros);
    for (size_t i = 0; i < SOCIN_DEC_DIGITS && !overflow; i++) {
        uint64_t digit = frac_start + i < frac_end ? (uint64_t)(text[frac_start + i] - '0') : 0;
        overflow = __builtin_mul_overflow (micros, 10, &micros) ||
                   __builtin_add_overflow (micros, digit, &micros);
    }
    if (overflow || s_signed_result (negative, micros, out) != 0) {
        char bound[SOCIN_DEC_STRLEN];
        socin_dec_format (negative ? INT64_MIN : INT64_MAX, bound, sizeof bound);
        return socin_error_set (err, errlen, "%s is too %s: at %s %s", quoted, negative ? "small" : "large",
                       negative ? "least" : "most", bound);
    }
    return 0;
}

/* |S| without overflow: -(S + 1) fits even for the most negative S, whose negation does not. */
static unsigned __int128
s_magnitude (socin_sum_t s)
{
    return s < 0 ? (unsigned __int128)(-(s + 1)) + 1 : (unsigned __int128)s;
}

/* Writes a sign and a magnitude of micros in the shortest exact form, truncated to SIZE. */
static size_t
s_format_micros (bool negative, unsigned __int128 micros, char *buf, size_t size)
{
    char text[SOCIN_DEC_STRLEN];
    char *p = text + sizeof text;
    *--p = 0;
    unsigned __int128 whole = micros / SOCIN_DEC_SCALE;
    uint32_t frac = (uint32_t)(micros % SOCIN_DEC_SCALE);
    if (frac) {
        int places = SOCIN_DEC_DIGITS;
        while (frac % 10 == 0) {
            frac /= 10;
            places--;
        }
        for (int i = 0; i < places; i++) {
            *--p = (char)('0' + frac % 10);
            frac /= 10;
        }
        *--p = '.';
    }
    do {
        *--p = (char)('0' + (int)(whole % 10));
        whole /= 10;
    } while (whole);
    if (negative && micros) *--p = '-';

    size_t len = (size_t)(text + sizeof text - 1 - p);
    if (size == 0) return 0;
    if (len >= size) len = size - 1;
    memcpy (buf, p, len);
    buf[len] = 0;
    return len;
}

size_t
socin_dec_format (socin_dec_t v, char *buf, size_t size)
{
    return s_format_micros (v < 0, s_magnitude (v), buf, size);
}

size_t
socin_sum_format (socin_sum_t s, char *buf, size_t size)
{
    return s_format_micros (s < 0, s_magnitude (s), buf, size);
}

int
socin_dec_add (socin_dec_t a, socin_dec_t b, socin_dec_t *out)
{
    socin_dec_t r;
    if (__builtin_add_overflow (a, b, &r)) return -1;
    *out = r;
    return 0;
}

int
socin_dec_sub (socin_dec_t a, socin_dec_t b, socin_dec_t *out)
{
    socin_dec_t r;
    if (__builtin_sub_overflow (a, b, &r)) return -1;
    *out = r;
    return 0;
}

int
socin_dec_mul_int (socin_dec_t a, int64_t n, socin_dec_t *out)
{
    socin_dec_t r;
    if (__builtin_mul_overflow (a, n, &r)) return -1;
    *out = r;
    return 0;
}

int
socin_dec_cmp (socin_dec_t a, socin_dec_t b)
{
    return (a > b) - (a < b);
}

/*  A * B / D rounded half up, on magnitudes: A <= 2^127, B <= 2^63, 0 < D <= 2^127. The
    product can need 190 bits; when it does not fit 128, it is held in three 64-bit limbs and
    divided bit by bit, which stays exact. Returns -1 once the quotient passes 64 bits, since no
    result that large fits a decimal. The remainder stays below D <= 2^127, so shifting it left
    by one never overflows. */
static int
s_muldiv_round (unsigned __int128 a, uint64_t b, unsigned __int128 d, uint64_t *quotient)
{
    unsigned __int128 low = (unsigned __int128)(uint64_t)a * b;
    unsigned __int128 high = (unsigned __int128)(uint64_t)(a >> 64) * b + (low >> 64);

    unsigned __int128 q, r;
    if ((high >> 64) == 0) {
        unsigned __int128 product = (high << 64) | (uint64_t)low;
        q = product / d;
        r = product % d;
    } else {
        uint64_t limbs[3] = {(uint64_t)(high >> 64), (uint64_t)high, (uint64_t)low};
        q = r = 0;
        for (int bit = 191; bit >= 0; bit--) {
            r = (r << 1) | ((limbs[2 - bit / 64] >> (bit % 64)) & 1);
            q <<= 1;
            if (r >= d) {
                r -= d;
                q |= 1;
            }
            if (q > UINT64_MAX) return -1;
        }
    }
    /*  Half away from zero on magnitudes is half up: round up when 2r >= d, written so that it
        cannot overflow. */
    if (r >= d - r) q++;
    if (q > UINT64_MAX) return -1;
    *quotient = (uint64_t)q;
    return 0;
}

int
socin_sum_div (socin_sum_t num, socin_sum_t den, socin_dec_t *out)
{
    uint64_t q;
    if (den == 0 || s_muldiv_round (s_magnitude (num), 1, s_magnitude (den), &q) != 0) return -1;
    return s_signed_result ((num < 0) != (den < 0), q, out);
}

int
socin_dec_ratio (socin_sum_t num, socin_sum_t den, socin_dec_t factor, socin_dec_t *out)
{
    /* num / den is a pure number; times factor (in micros) gives micros: num * factor / den. */
    uint64_t q;
    if (den == 0 || s_muldiv_round (s_magnitude (num), (uint64_t)s_magnitude (factor),
                                    s_magnitude (den), &q) != 0)
        return -1;
    return s_signed_result (((num < 0) != (den < 0)) != (factor < 0), q, out);
}

int
socin_sum_to_dec (socin_sum_t s, socin_dec_t *out)
{
    if (s < INT64_MIN || s > INT64_MAX) return -1;
    *out = (socin_dec_t)s;
    return 0;
}
