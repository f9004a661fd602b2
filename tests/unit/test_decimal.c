/*  test_decimal: exact decimals, their text form, their arithmetic and their rounding.

    Values are micros (int64) and sums are 128-bit; these cases pin the limits, the strict
    parser's messages and the half-away-from-zero rounding of averages and ratios.
*/
#include "decimal.h"
#include "testing.h"

#define S_MICRO ((socin_dec_t)1)
#define S_UNIT  SOCIN_DEC_SCALE

/* Parses a NUL-terminated TEXT; the error text goes to s_err. */
static char s_err[256];

static int
s_parse (const char *text, socin_dec_t *out)
{
    s_err[0] = 0;
    return socin_dec_parse (text, strlen (text), out, s_err, sizeof s_err);
}

/* Formats V into a static buffer, for CHECK_STR. */
static const char *
s_fmt (socin_dec_t v)
{
    static char buf[SOCIN_DEC_STRLEN];
    socin_dec_format (v, buf, sizeof buf);
    return buf;
}

static const char *
s_sum_fmt (socin_sum_t s)
{
    static char buf[SOCIN_DEC_STRLEN];
    socin_sum_format (s, buf, sizeof buf);
    return buf;
}

/* Expects TEXT to be rejected with a message holding FRAGMENT, and OUT to be left alone. */
static void
s_rejects (const char *text, const char *fragment)
{
    socin_dec_t v = 42;
    if (s_parse (text, &v) != -1) fprintf (stderr, "    \"%s\" was accepted\n", text);
    CHECK (v == 42);
    CHECK_CONTAINS (s_err, fragment);
}

static void
parses_plain_numbers_exactly (void)
{
    socin_dec_t v;
    CHECK_INT (s_parse ("12.5", &v), 0);
    CHECK_INT (v, 12500000);
    CHECK_INT (s_parse ("3", &v), 0);
    CHECK_INT (v, 3 * S_UNIT);
    CHECK_INT (s_parse ("-0.000001", &v), 0);
    CHECK_INT (v, -1);
    CHECK_INT (s_parse ("+7.25", &v), 0);
    CHECK_INT (v, 7250000);
    CHECK_INT (s_parse ("0", &v), 0);
    CHECK_INT (v, 0);
    CHECK_INT (s_parse ("-0", &v), 0);
    CHECK_INT (v, 0);
    CHECK_INT (s_parse ("007.50", &v), 0);
    CHECK_INT (v, 7500000);
}

static void
parses_only_the_given_length (void)
{
    socin_dec_t v;
    const char *field = "12.5;99";
    CHECK_INT (socin_dec_parse (field, 4, &v, s_err, sizeof s_err), 0);
    CHECK_INT (v, 12500000);
}

static void
accepts_zeros_past_the_sixth_place (void)
{
    socin_dec_t v;
    CHECK_INT (s_parse ("1.1000000", &v), 0);
    CHECK_INT (v, 1100000);
    CHECK_INT (s_parse ("-2.123456000000000", &v), 0);
    CHECK_INT (v, -2123456);
}

static void
rejects_a_seventh_significant_place_naming_the_count (void)
{
    s_rejects ("1.1234567", "\"1.1234567\" has 7 decimal places; at most 6 are kept");
    s_rejects ("0.12345670", "\"0.12345670\" has 7 decimal places; at most 6 are kept");
    s_rejects ("0.0000000001", "has 10 decimal places");
}

static void
parses_and_formats_the_largest_and_smallest_values (void)
{
    socin_dec_t v;
    CHECK_INT (s_parse ("9223372036854.775807", &v), 0);
    CHECK (v == INT64_MAX);
    CHECK_STR (s_fmt (INT64_MAX), "9223372036854.775807");
    CHECK_INT (s_parse ("-9223372036854.775808", &v), 0);
    CHECK (v == INT64_MIN);
    CHECK_STR (s_fmt (INT64_MIN), "-9223372036854.775808");
}

static void
rejects_one_micro_beyond_either_limit (void)
{
    s_rejects ("9223372036854.775808",
               "\"9223372036854.775808\" is too large: at most 9223372036854.775807");
    s_rejects ("-9223372036854.775809",
               "\"-9223372036854.775809\" is too small: at least -9223372036854.775808");
    s_rejects ("99999999999999999999999999", "is too large: at most 9223372036854.775807");
    s_rejects ("18446744073709.551616", "is too large");
}

static void
rejects_empty_text_and_a_lone_sign (void)
{
    s_rejects ("", "is empty");
    s_rejects ("-", "\"-\" is not a number: it has no digits");
    s_rejects ("+", "\"+\" is not a number: it has no digits");
    s_rejects (".", "\".\" is not a number");
}

static void
rejects_a_point_without_digits_on_both_sides (void)
{
    s_rejects ("1.", "\"1.\" is not a number: no digit after the '.'");
    s_rejects (".5", "\".5\" is not a number: no digit before the '.' (write 0.5");
    s_rejects ("-.5", "no digit before the '.'");
}

static void
rejects_exponents_spaces_and_separators_naming_the_position (void)
{
    s_rejects ("1e3", "\"1e3\" is not a number: unexpected 'e' at position 2 (exponents");
    s_rejects (" 1", "\" 1\" is not a number: unexpected space at position 1");
    s_rejects ("1 ", "\"1 \" is not a number: unexpected space at position 2");
    s_rejects ("12,5",
               "\"12,5\" is not a number: unexpected ',' at position 3 (use '.' for decimals)");
    s_rejects ("1,234.5", "unexpected ',' at position 2 (no thousands separators)");
    s_rejects ("1.2.3", "\"1.2.3\" is not a number: unexpected '.' at position 4");
    s_rejects ("--1", "\"--1\" is not a number: unexpected '-' at position 2");
    s_rejects ("1-", "unexpected '-' at position 2");
    s_rejects ("abc", "unexpected 'a' at position 1");
}

static void
quotes_unprintable_bytes_safely (void)
{
    socin_dec_t v;
    const char text[] = {'1', '\0', '2'};
    CHECK_INT (socin_dec_parse (text, 3, &v, s_err, sizeof s_err), -1);
    CHECK_STR (s_err, "\"1?2\" is not a number: unexpected byte 0x00 at position 2");
    s_rejects ("1\xc2\xa0"
               "000",
               "\"1??000\" is not a number: unexpected byte 0xC2 at position 2");
}

static void
shortens_long_text_in_messages (void)
{
    char text[200];
    memset (text, '7', sizeof text - 1);
    text[sizeof text - 1] = 0;
    text[150] = 'x';
    s_rejects (text, "...\" is not a number: unexpected 'x' at position 151");
    CHECK (strlen (s_err) < 120);
}

static void
survives_a_small_or_missing_error_buffer (void)
{
    socin_dec_t v;
    char tiny[8];
    CHECK_INT (socin_dec_parse ("12,5", 4, &v, tiny, sizeof tiny), -1);
    CHECK_STR (tiny, "\"12,5\" ");
    CHECK_INT (socin_dec_parse ("12,5", 4, &v, NULL, 0), -1);
}

static void
formats_in_the_shortest_exact_form (void)
{
    CHECK_STR (s_fmt (0), "0");
    CHECK_STR (s_fmt (-1), "-0.000001");
    CHECK_STR (s_fmt (12500000), "12.5");
    CHECK_STR (s_fmt (3 * S_UNIT), "3");
    CHECK_STR (s_fmt (-3 * S_UNIT), "-3");
    CHECK_STR (s_fmt (100 * S_UNIT), "100");
    CHECK_STR (s_fmt (1010000), "1.01");
    CHECK_STR (s_fmt (-999999), "-0.999999");
}

static void
returns_the_formatted_length_and_truncates_small_buffers (void)
{
    char buf[SOCIN_DEC_STRLEN];
    CHECK_INT (socin_dec_format (INT64_MIN, buf, sizeof buf), 21);
    char small[5];
    CHECK_INT (socin_dec_format (12500000, small, sizeof small), 4);
    CHECK_STR (small, "12.5");
    CHECK_INT (socin_dec_format (-12500000, small, sizeof small), 4);
    CHECK_STR (small, "-12.");
    CHECK_INT (socin_dec_format (1, small, 0), 0);
}

static void
round_trips_text_through_parse_and_format (void)
{
    const char *texts[] = {"0",     "1",         "-1",  "0.000001", "123.456789",
                           "-42.1", "1000000.5", "0.5", "-0.25",    "9223372036854.775807"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        socin_dec_t v;
        CHECK_INT (s_parse (texts[i], &v), 0);
        CHECK_STR (s_fmt (v), texts[i]);
    }
}

static void
adds_subtracts_and_multiplies_until_overflow (void)
{
    socin_dec_t r = 7;
    CHECK_INT (socin_dec_add (12500000, 500000, &r), 0);
    CHECK_INT (r, 13 * S_UNIT);
    CHECK_INT (socin_dec_sub (S_UNIT, 3 * S_UNIT, &r), 0);
    CHECK_INT (r, -2 * S_UNIT);
    CHECK_INT (socin_dec_mul_int (2500000, -4, &r), 0);
    CHECK_INT (r, -10 * S_UNIT);

    r = 7;
    CHECK_INT (socin_dec_add (INT64_MAX, S_MICRO, &r), -1);
    CHECK_INT (socin_dec_add (INT64_MIN, -S_MICRO, &r), -1);
    CHECK_INT (socin_dec_sub (INT64_MIN, S_MICRO, &r), -1);
    CHECK_INT (socin_dec_sub (0, INT64_MIN, &r), -1);
    CHECK_INT (socin_dec_mul_int (INT64_MAX / 2 + 1, 2, &r), -1);
    CHECK_INT (socin_dec_mul_int (INT64_MIN, -1, &r), -1);
    CHECK_INT (r, 7);

    CHECK_INT (socin_dec_add (INT64_MAX - 1, S_MICRO, &r), 0);
    CHECK (r == INT64_MAX);
    CHECK_INT (socin_dec_sub (-1, INT64_MAX, &r), 0);
    CHECK (r == INT64_MIN);
}

static void
compares_as_less_equal_or_greater (void)
{
    CHECK_INT (socin_dec_cmp (1, 2), -1);
    CHECK_INT (socin_dec_cmp (2, 2), 0);
    CHECK_INT (socin_dec_cmp (3, 2), 1);
    CHECK_INT (socin_dec_cmp (INT64_MIN, INT64_MAX), -1);
    CHECK_INT (socin_dec_cmp (INT64_MAX, INT64_MIN), 1);
}

static void
divides_sums_rounding_half_away_from_zero (void)
{
    socin_dec_t r;
    CHECK_INT (socin_sum_div (5, 2, &r), 0);
    CHECK_INT (r, 3);
    CHECK_INT (socin_sum_div (-5, 2, &r), 0);
    CHECK_INT (r, -3);
    CHECK_INT (socin_sum_div (5, -2, &r), 0);
    CHECK_INT (r, -3);
    CHECK_INT (socin_sum_div (-5, -2, &r), 0);
    CHECK_INT (r, 3);
    CHECK_INT (socin_sum_div (7, 3, &r), 0);
    CHECK_INT (r, 2);
    CHECK_INT (socin_sum_div (8, 3, &r), 0);
    CHECK_INT (r, 3);
    CHECK_INT (socin_sum_div (-7, 3, &r), 0);
    CHECK_INT (r, -2);
    CHECK_INT (socin_sum_div (0, 9, &r), 0);
    CHECK_INT (r, 0);
}

static void
halves_one_micro_to_one_micro (void)
{
    socin_dec_t r;
    CHECK_INT (socin_sum_div (S_MICRO, 2, &r), 0);
    CHECK_INT (r, 1);
    CHECK_INT (socin_sum_div (-S_MICRO, 2, &r), 0);
    CHECK_INT (r, -1);
    CHECK_INT (socin_sum_div (S_MICRO, 3, &r), 0);
    CHECK_INT (r, 0);
}

static void
averages_a_sum_beyond_64_bits (void)
{
    /* Three values at the maximum sum past int64, yet their mean fits. */
    socin_sum_t sum = (socin_sum_t)INT64_MAX * 3;
    socin_dec_t r;
    CHECK_INT (socin_sum_div (sum, 3, &r), 0);
    CHECK (r == INT64_MAX);
    CHECK_INT (socin_sum_div ((socin_sum_t)INT64_MIN * 2, 2, &r), 0);
    CHECK (r == INT64_MIN);
    CHECK_INT (socin_sum_div ((socin_sum_t)INT64_MAX + 1, 1, &r), -1);
}

static void
refuses_to_divide_by_zero (void)
{
    socin_dec_t r = 7;
    CHECK_INT (socin_sum_div (5, 0, &r), -1);
    CHECK_INT (socin_dec_ratio (S_UNIT, 0, 100 * S_UNIT, &r), -1);
    CHECK_INT (r, 7);
}

static void
computes_a_ratio_times_a_factor (void)
{
    socin_dec_t r;
    CHECK_INT (socin_dec_ratio (1 * S_UNIT, 4 * S_UNIT, 100 * S_UNIT, &r), 0);
    CHECK_STR (s_fmt (r), "25");
    CHECK_INT (socin_dec_ratio (1 * S_UNIT, 3 * S_UNIT, 100 * S_UNIT, &r), 0);
    CHECK_STR (s_fmt (r), "33.333333");
    CHECK_INT (socin_dec_ratio (2 * S_UNIT, 3 * S_UNIT, 100 * S_UNIT, &r), 0);
    CHECK_STR (s_fmt (r), "66.666667");
    CHECK_INT (socin_dec_ratio (-2 * S_UNIT, 3 * S_UNIT, 100 * S_UNIT, &r), 0);
    CHECK_STR (s_fmt (r), "-66.666667");
    CHECK_INT (socin_dec_ratio (2 * S_UNIT, 3 * S_UNIT, -S_UNIT, &r), 0);
    CHECK_STR (s_fmt (r), "-0.666667");
}

static void
ratio_rounds_half_away_from_zero_at_the_sixth_place (void)
{
    socin_dec_t r;
    /* 1 / 8 x 0.000001 = 0.000000125 -> 0; 1 / 2 x 0.000001 = 0.0000005 -> 0.000001. */
    CHECK_INT (socin_dec_ratio (1, 8, S_MICRO, &r), 0);
    CHECK_INT (r, 0);
    CHECK_INT (socin_dec_ratio (1, 2, S_MICRO, &r), 0);
    CHECK_INT (r, 1);
    CHECK_INT (socin_dec_ratio (-1, 2, S_MICRO, &r), 0);
    CHECK_INT (r, -1);
}

static void
a_regions_share_is_its_sums_ratio_not_the_mean_of_shares (void)
{
    /* Two municipalities: 10 of 100 (10 %) and 300 of 1000 (30 %). The region's share is
       310 / 1100 = 28.181818 %, not the 20 % that averaging the two shares would give. */
    socin_sum_t seekers = (socin_sum_t)10 * S_UNIT + (socin_sum_t)300 * S_UNIT;
    socin_sum_t population = (socin_sum_t)100 * S_UNIT + (socin_sum_t)1000 * S_UNIT;
    socin_dec_t share, a, b, mean;
    CHECK_INT (socin_dec_ratio (seekers, population, 100 * S_UNIT, &share), 0);
    CHECK_STR (s_fmt (share), "28.181818");

    CHECK_INT (socin_dec_ratio (10 * S_UNIT, 100 * S_UNIT, 100 * S_UNIT, &a), 0);
    CHECK_INT (socin_dec_ratio (300 * S_UNIT, 1000 * S_UNIT, 100 * S_UNIT, &b), 0);
    CHECK_INT (socin_sum_div ((socin_sum_t)a + b, 2, &mean), 0);
    CHECK_STR (s_fmt (mean), "20");
    CHECK (share != mean);
}

static void
ratio_is_exact_when_the_product_passes_128_bits (void)
{
    /* num x factor is about 2^125 x 2^62 = 2^187: held exactly, then divided back down. */
    socin_sum_t big = (socin_sum_t)1 << 125;
    socin_dec_t r;
    CHECK_INT (socin_dec_ratio (big, big, INT64_MAX, &r), 0);
    CHECK (r == INT64_MAX);
    CHECK_INT (socin_dec_ratio (big, big * 2, INT64_MIN, &r), 0);
    CHECK (r == INT64_MIN / 2);
    CHECK_INT (socin_dec_ratio (big - 1, big, 1000 * S_UNIT, &r), 0);
    CHECK_STR (s_fmt (r), "1000");
    CHECK_INT (socin_dec_ratio (big, 1, 100 * S_UNIT, &r), -1);
}

static void
ratio_reports_a_result_that_does_not_fit (void)
{
    socin_dec_t r = 7;
    CHECK_INT (socin_dec_ratio (INT64_MAX, S_UNIT, 2 * S_UNIT, &r), -1);
    CHECK_INT (r, 7);
    CHECK_INT (socin_dec_ratio (INT64_MAX, S_UNIT, -S_UNIT, &r), 0);
    CHECK (r == -INT64_MAX);
}

static void
turns_a_sum_back_into_a_value_only_when_it_fits (void)
{
    socin_dec_t r = 7;
    CHECK_INT (socin_sum_to_dec ((socin_sum_t)INT64_MAX, &r), 0);
    CHECK (r == INT64_MAX);
    CHECK_INT (socin_sum_to_dec ((socin_sum_t)INT64_MIN, &r), 0);
    CHECK (r == INT64_MIN);
    r = 7;
    CHECK_INT (socin_sum_to_dec ((socin_sum_t)INT64_MAX + 1, &r), -1);
    CHECK_INT (socin_sum_to_dec ((socin_sum_t)INT64_MIN - 1, &r), -1);
    CHECK_INT (r, 7);
}

static void
formats_a_sum_beyond_64_bits_exactly (void)
{
    CHECK_STR (s_sum_fmt ((socin_sum_t)INT64_MAX + 1), "9223372036854.775808");
    CHECK_STR (s_sum_fmt ((socin_sum_t)INT64_MAX * 1000 + 500000), "9223372036854776.307");
    CHECK_STR (s_sum_fmt (-(socin_sum_t)INT64_MAX * 1000), "-9223372036854775.807");
    CHECK_STR (s_sum_fmt (0), "0");
    CHECK_STR (s_sum_fmt (-1), "-0.000001");
}

static void
formats_the_extreme_sums (void)
{
    socin_sum_t max = (socin_sum_t)(~(unsigned __int128)0 >> 1);
    socin_sum_t min = -max - 1;
    char buf[SOCIN_DEC_STRLEN];
    CHECK_INT (socin_sum_format (max, buf, sizeof buf), 40);
    CHECK_STR (buf, "170141183460469231731687303715884.105727");
    CHECK_INT (socin_sum_format (min, buf, sizeof buf), 41);
    CHECK_STR (buf, "-170141183460469231731687303715884.105728");
}

int
main (void)
{
    RUN (parses_plain_numbers_exactly, "plain numbers parse to exact micros");
    RUN (parses_only_the_given_length, "parsing reads only the given length of the text");
    RUN (accepts_zeros_past_the_sixth_place, "zeros past the sixth decimal place are accepted");
    RUN (rejects_a_seventh_significant_place_naming_the_count,
         "a seventh significant decimal place is rejected, naming the count");
    RUN (parses_and_formats_the_largest_and_smallest_values,
         "the largest and smallest values parse and format exactly");
    RUN (rejects_one_micro_beyond_either_limit,
         "one micro beyond either limit is rejected, naming the limit");
    RUN (rejects_empty_text_and_a_lone_sign, "empty text and a lone sign are rejected");
    RUN (rejects_a_point_without_digits_on_both_sides,
         "a point needs digits on both sides (no .5 or 5.)");
    RUN (rejects_exponents_spaces_and_separators_naming_the_position,
         "exponents, spaces, commas and extra signs or points are rejected at their position");
    RUN (quotes_unprintable_bytes_safely, "messages show unprintable bytes as '?' and their code");
    RUN (shortens_long_text_in_messages, "messages shorten long text");
    RUN (survives_a_small_or_missing_error_buffer,
         "a small or missing error buffer is handled safely");
    RUN (formats_in_the_shortest_exact_form, "values format in the shortest exact form");
    RUN (returns_the_formatted_length_and_truncates_small_buffers,
         "formatting returns the length and truncates small buffers");
    RUN (round_trips_text_through_parse_and_format, "canonical text survives parse and format");
    RUN (adds_subtracts_and_multiplies_until_overflow,
         "add, sub and mul_int detect overflow and leave the output alone");
    RUN (compares_as_less_equal_or_greater, "cmp orders values, limits included");
    RUN (divides_sums_rounding_half_away_from_zero,
         "sum_div rounds half away from zero (5/2=3, -5/2=-3, 7/3=2)");
    RUN (halves_one_micro_to_one_micro, "one micro divided by two rounds to one micro");
    RUN (averages_a_sum_beyond_64_bits, "sum_div averages a 128-bit sum back into range");
    RUN (refuses_to_divide_by_zero, "division by zero is refused");
    RUN (computes_a_ratio_times_a_factor, "ratio gives num / den x factor (1 / 4 x 100 = 25)");
    RUN (ratio_rounds_half_away_from_zero_at_the_sixth_place,
         "ratio rounds half away from zero at the sixth place");
    RUN (a_regions_share_is_its_sums_ratio_not_the_mean_of_shares,
         "a region's share comes from its sums, not from the mean of municipal shares");
    RUN (ratio_is_exact_when_the_product_passes_128_bits,
         "ratio stays exact when num x factor passes 128 bits");
    RUN (ratio_reports_a_result_that_does_not_fit, "ratio reports a result that does not fit");
    RUN (turns_a_sum_back_into_a_value_only_when_it_fits,
         "a sum becomes a value only when it fits 64 bits");
    RUN (formats_a_sum_beyond_64_bits_exactly, "a sum beyond 64 bits formats exactly");
    RUN (formats_the_extreme_sums, "the largest and smallest 128-bit sums format exactly");
    return TEST_SUMMARY ();
}
