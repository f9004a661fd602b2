/*  decimal: exact fixed-point numbers with six fractional digits.

    A value is an int64 counting millionths ("micros"): 12.5 is 12500000. Every value socin
    stores, forwards or sums is one of these; no float ever holds one. Sums of many values,
    and products of a value with a population, are accumulated in a 128-bit socin_sum_t, so a
    national total cannot overflow; turning such a sum back into a value checks the range.
*/
#ifndef SOCIN_DECIMAL_H
#define SOCIN_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t socin_dec_t;
typedef __int128 socin_sum_t;

#define SOCIN_DEC_SCALE  1000000LL
#define SOCIN_DEC_DIGITS 6
/* Room for the longest formatted decimal or sum, with sign and terminator. */
#define SOCIN_DEC_STRLEN 48

/* Parses LEN bytes of TEXT (no terminator needed): an optional sign, one or more digits,
   optionally a '.' followed by one or more digits. Fractional digits beyond the sixth must be
   zeros (exactness is never given up silently). No spaces, exponents or separators.
   Returns 0 and sets *OUT, or -1 with a message for a person in ERR (e.g. "has 7 decimal
   places; at most 6 are kept", "is too large: at most 9223372036854.775807"). */
int socin_dec_parse (const char *text, size_t len, socin_dec_t *out, char *err, size_t errlen);

/* Formats V in its shortest exact form ("12.5", "-0.000001", "3") into BUF.
   Returns the length written (always < SIZE when SIZE >= SOCIN_DEC_STRLEN). */
size_t socin_dec_format (socin_dec_t v, char *buf, size_t size);

/* A + B, A - B, A * N: 0 with *OUT set, or -1 when the result does not fit (out untouched). */
int socin_dec_add (socin_dec_t a, socin_dec_t b, socin_dec_t *out);
int socin_dec_sub (socin_dec_t a, socin_dec_t b, socin_dec_t *out);
int socin_dec_mul_int (socin_dec_t a, int64_t n, socin_dec_t *out);

/* -1, 0 or 1 as A is less than, equal to or greater than B. */
int socin_dec_cmp (socin_dec_t a, socin_dec_t b);

/* NUM / DEN for plain integers, rounded half away from zero (2.5 -> 3, -2.5 -> -3), as a
   decimal's micros: used for averages (sum of micros / count). 0, or -1 when DEN is 0 or the
   result does not fit. */
int socin_sum_div (socin_sum_t num, socin_sum_t den, socin_dec_t *out);

/* (NUM / DEN) x FACTOR where NUM and DEN are sums of micros and FACTOR a decimal, rounded half
   away from zero to six places: the derived-indicator ratio (sum of job seekers over sum of
   population 15-64, times 100). 0, or -1 when DEN is 0 or the result does not fit. */
int socin_dec_ratio (socin_sum_t num, socin_sum_t den, socin_dec_t factor, socin_dec_t *out);

/* A sum back to a single decimal: 0, or -1 when it does not fit in 64 bits. */
int socin_sum_to_dec (socin_sum_t s, socin_dec_t *out);

/* Formats a sum of micros exactly, as socin_dec_format does for a single value. */
size_t socin_sum_format (socin_sum_t s, char *buf, size_t size);

#endif
