/*  test_varint: protobuf's base-128 varints and zigzag, as every stored and forwarded value
    is written with them.

    What matters: a varint takes the bytes its size says, for every length from one byte to
    ten; it reads back to the same number; a varint cut short or longer than ten bytes is
    refused; zigzag maps signed numbers to unsigned and back, the extremes included.
*/
#include "varint.h"
#include "testing.h"

#include <string.h>

/* The bytes V takes, counted one seven-bit group at a time. */
static size_t
s_groups (uint64_t v)
{
    size_t n = 1;
    for (; v >= 0x80; v >>= 7)
        n++;
    return n;
}

static void
a_varint_takes_the_bytes_its_size_says_and_reads_back (void)
{
    int wrong = 0;
    for (int bits = 0; bits <= 64; bits++) {
        uint64_t top = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
        uint64_t vals[] = {top, top + 1, top / 2 + 1};
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            uint64_t v = vals[i], back;
            unsigned char buf[16];
            memset (buf, 0xEE, sizeof buf);
            unsigned char *end = socin_varint_put (buf, v);
            const unsigned char *p = buf;
            wrong += socin_varint_size (v) != s_groups (v);
            wrong += (size_t)(end - buf) != socin_varint_size (v);
            wrong += !socin_varint_get (&p, end, &back) || back != v || p != end;
        }
    }
    CHECK_INT (wrong, 0);
    CHECK_INT (socin_varint_size (0), 1);
    CHECK_INT (socin_varint_size (127), 1);
    CHECK_INT (socin_varint_size (128), 2);
    CHECK_INT (socin_varint_size (UINT64_MAX), 10);
}

static void
a_varint_cut_short_or_too_long_is_refused (void)
{
    unsigned char buf[16];
    unsigned char *end = socin_varint_put (buf, 1ULL << 40);
    uint64_t v;
    const unsigned char *p = buf;
    CHECK (!socin_varint_get (&p, end - 1, &v)); /* its last byte missing */
    memset (buf, 0x80, 11);
    buf[11] = 0x01;
    p = buf;
    CHECK (!socin_varint_get (&p, buf + 12, &v)); /* twelve bytes */
}

static void
zigzag_maps_signed_to_unsigned_and_back (void)
{
    CHECK (socin_zigzag (0) == 0 && socin_zigzag (-1) == 1 && socin_zigzag (1) == 2 &&
           socin_zigzag (-2) == 3);
    CHECK (socin_zigzag (INT64_MAX) == UINT64_MAX - 1 && socin_zigzag (INT64_MIN) == UINT64_MAX);
    int64_t vals[] = {0, 1, -1, 12500000, -12500000, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        CHECK (socin_unzigzag (socin_zigzag (vals[i])) == vals[i]);
}

int
main (void)
{
    RUN (a_varint_takes_the_bytes_its_size_says_and_reads_back,
         "a varint takes the bytes its size says, one to ten, and reads back to its number");
    RUN (a_varint_cut_short_or_too_long_is_refused,
         "a varint cut short or longer than ten bytes is refused");
    RUN (zigzag_maps_signed_to_unsigned_and_back,
         "zigzag maps signed numbers to unsigned and back, the extremes included");
    return TEST_SUMMARY ();
}
