/*  test_exportrow: an export page's values packed as rows (ExportPage.rows).

    What matters: a row is exactly the bytes protobuf-c packs for the same ExportValue, after
    its length as a varint (so any protobuf library reads the rows); rows read back to the
    values written, texts with commas, quotes, newlines and UTF-8 included, one after another;
    fields of later versions are skipped; bytes that are not rows are refused, never read past.
*/
#include "exportrow.h"
#include "testing.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static Socin__V1__ExportValue
s_full (void)
{
    Socin__V1__ExportValue v = SOCIN__V1__EXPORT_VALUE__INIT;
    v.indicator = "EMP_JOBSEEKERS";
    v.unit = "554979";
    v.period = "202511";
    v.disaggregation = "sex=f,target_group=roma";
    v.value = "-12.500001";
    v.changed_ms = 1763000000123;
    v.submitter = "office-CZ041";
    v.stored_by = "jana.novakova";
    v.comment = "opraveno, \"ručně\"\nz listu";
    v.followup = true;
    return v;
}

/* The bytes protobuf-c packs for V, after their length as a varint. */
static size_t
s_protobuf_c_row (const Socin__V1__ExportValue *v, uint8_t *out)
{
    uint8_t msg[256];
    size_t n = socin__v1__export_value__pack (v, msg), at = 0;
    size_t len = n;
    for (; len >= 0x80; len >>= 7)
        out[at++] = (uint8_t)(len | 0x80);
    out[at++] = (uint8_t)len;
    memcpy (out + at, msg, n);
    return at + n;
}

static void
a_row_is_the_bytes_protobuf_packs (void)
{
    Socin__V1__ExportValue full = s_full (), bare = SOCIN__V1__EXPORT_VALUE__INIT;
    bare.indicator = "PART_EVENTS";
    bare.unit = "CZ";
    bare.period = "2025";
    bare.value = "3";
    const Socin__V1__ExportValue *cases[] = {&full, &bare};
    for (int i = 0; i < 2; i++) {
        socin_str_t out = SOCIN_STR_INIT;
        socin_export_row_append (&out, cases[i]);
        uint8_t want[256];
        size_t n = s_protobuf_c_row (cases[i], want);
        CHECK_INT (out.len, n);
        CHECK (out.len == n && !memcmp (out.data, want, n));
        socin_str_free (&out);
    }
}

static void
a_rows_read_back_one_after_another (void)
{
    Socin__V1__ExportValue full = s_full (), empty = SOCIN__V1__EXPORT_VALUE__INIT;
    empty.changed_ms = -5; /* ten bytes of varint */
    socin_str_t out = SOCIN_STR_INIT;
    socin_export_row_append (&out, &full);
    socin_export_row_append (&out, &empty);
    socin_export_row_append (&out, &full);
    socin_export_row_t row = SOCIN_EXPORT_ROW_INIT;
    size_t at = 0;
    for (int i = 0; i < 3; i++) {
        CHECK_INT (socin_export_row_next (&row, (uint8_t *)out.data, out.len, &at), 1);
        Socin__V1__ExportValue *v = &row.value;
        if (i == 1) {
            CHECK_STR (v->indicator, "");
            CHECK_STR (v->comment, "");
            CHECK (v->changed_ms == -5 && !v->followup);
            continue;
        }
        CHECK_STR (v->indicator, "EMP_JOBSEEKERS");
        CHECK_STR (v->unit, "554979");
        CHECK_STR (v->period, "202511");
        CHECK_STR (v->disaggregation, "sex=f,target_group=roma");
        CHECK_STR (v->value, "-12.500001");
        CHECK (v->changed_ms == 1763000000123);
        CHECK_STR (v->submitter, "office-CZ041");
        CHECK_STR (v->stored_by, "jana.novakova");
        CHECK_STR (v->comment, "opraveno, \"ručně\"\nz listu");
        CHECK (v->followup);
    }
    CHECK_INT (socin_export_row_next (&row, (uint8_t *)out.data, out.len, &at), 0);
    CHECK_INT (at, out.len);
    /* Each row is also a message protobuf-c reads. */
    const uint8_t *msg;
    size_t len;
    at = 0;
    CHECK_INT (socin_export_row_span ((uint8_t *)out.data, out.len, &at, &msg, &len), 1);
    Socin__V1__ExportValue *u = socin__v1__export_value__unpack (NULL, len, msg);
    CHECK (u && !strcmp (u->comment, full.comment) && u->followup &&
           u->changed_ms == 1763000000123);
    if (u) socin__v1__export_value__free_unpacked (u, NULL);
    socin_export_row_free (&row);
    socin_str_free (&out);
}

static void
a_later_fields_are_skipped_and_bad_bytes_refused (void)
{
    /* value "7", then fields 11 (varint), 12 (bytes), 13 (fixed32), 14 (fixed64). */
    const uint8_t later[] = {24, 0x2A, 1, '7',  0x58, 0x96, 0x01, 0x62, 2, 'a', 'b', 0x6D, 1,
                             2,  3,    4, 0x71, 1,    2,    3,    4,    5, 6,   7,   8};
    socin_export_row_t row = SOCIN_EXPORT_ROW_INIT;
    size_t at = 0;
    CHECK_INT (socin_export_row_next (&row, later, sizeof later, &at), 1);
    CHECK_STR (row.value.value, "7");
    CHECK_INT (at, sizeof later);
    /* A row longer than the bytes there are; a string past its row; a group wire type. */
    const uint8_t longer[] = {9, 0x2A, 1, '7'};
    const uint8_t past[] = {3, 0x2A, 5, '7'};
    const uint8_t group[] = {1, 0x2B};
    const uint8_t *bad[] = {longer, past, group};
    size_t lens[] = {sizeof longer, sizeof past, sizeof group};
    for (int i = 0; i < 3; i++) {
        at = 0;
        CHECK_INT (socin_export_row_next (&row, bad[i], lens[i], &at), -1);
    }
    socin_export_row_free (&row);
}

int
main (void)
{
    RUN (a_row_is_the_bytes_protobuf_packs,
         "a row is the length and the bytes protobuf-c packs for the same value");
    RUN (a_rows_read_back_one_after_another,
         "rows read back to the values written, one after another, and protobuf-c reads them");
    RUN (a_later_fields_are_skipped_and_bad_bytes_refused,
         "fields of later versions are skipped; bytes that are not rows are refused");
    return TEST_SUMMARY ();
}
