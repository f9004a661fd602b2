/*  exportrow: export rows in protobuf's delimited form, by hand. See exportrow.h. */
#include "exportrow.h"

#include <stdbool.h>
#include <string.h>

#include "varint.h"

/* ExportValue's fields (report.proto): strings 1-5 and 7-9, changed_ms 6, followup 10. */
#define F_CHANGED  6
#define F_FOLLOWUP 10
#define NSTRINGS   10 /* string fields are numbered below this */

/* V's string fields by number (NULL for 6, which is not one). */
static void
s_strings (const Socin__V1__ExportValue *v, const char *out[NSTRINGS])
{
    const char *s[NSTRINGS] = {
        NULL,     v->indicator, v->unit,      v->period,    v->disaggregation,
        v->value, NULL,         v->submitter, v->stored_by, v->comment};
    memcpy (out, s, sizeof s);
}

void
socin_export_row_append (socin_str_t *out, const Socin__V1__ExportValue *v)
{
    const char *s[NSTRINGS];
    size_t lens[NSTRINGS] = {0}, body = 0;
    s_strings (v, s);
    for (int f = 1; f < NSTRINGS; f++)
        if (s[f] && (lens[f] = strlen (s[f]))) body += 1 + socin_varint_size (lens[f]) + lens[f];
    if (v->changed_ms) body += 1 + socin_varint_size ((uint64_t)v->changed_ms);
    if (v->followup) body += 2;
    unsigned char *p = (unsigned char *)socin_str_extend (out, socin_varint_size (body) + body);
    p = socin_varint_put (p, body);
    for (int f = 1; f < NSTRINGS; f++) {
        if (f == F_CHANGED && v->changed_ms) {
            *p++ = F_CHANGED << 3 | SOCIN_WIRE_VARINT;
            p = socin_varint_put (p, (uint64_t)v->changed_ms);
        }
        if (!lens[f]) continue;
        *p++ = (unsigned char)(f << 3 | SOCIN_WIRE_LEN);
        p = socin_varint_put (p, lens[f]);
        memcpy (p, s[f], lens[f]);
        p += lens[f];
    }
    if (v->followup) {
        *p++ = F_FOLLOWUP << 3 | SOCIN_WIRE_VARINT;
        *p++ = 1;
    }
}

/* Reads the fields of one row, P to END: the strings' offsets and lengths in ROW->text. */
static bool
s_fields (socin_export_row_t *row, const uint8_t *p, const uint8_t *end, size_t at[NSTRINGS])
{
    Socin__V1__ExportValue *v = &row->value;
    socin_wire_field_t f;
    while (p < end) {
        if (!socin_wire_field (&p, end, &f)) return false;
        if (f.number < NSTRINGS && f.number != F_CHANGED && f.wire == SOCIN_WIRE_LEN) {
            at[f.number] = row->text.len;
            socin_str_append (&row->text, f.data, f.len);
            socin_str_append (&row->text, "", 1);
        } else if (f.number == F_CHANGED && f.wire == SOCIN_WIRE_VARINT)
            v->changed_ms = (int64_t)f.value;
        else if (f.number == F_FOLLOWUP && f.wire == SOCIN_WIRE_VARINT)
            v->followup = f.value != 0;
    }
    return true;
}

int
socin_export_row_span (const uint8_t *data, size_t len, size_t *at, const uint8_t **row,
                       size_t *row_len)
{
    if (*at >= len) return 0;
    const uint8_t *p = data + *at, *end = data + len;
    uint64_t n;
    if (!socin_varint_get (&p, end, &n) || n > (uint64_t)(end - p)) return -1;
    *row = p;
    *row_len = (size_t)n;
    *at = (size_t)(p + n - data);
    return 1;
}

int
socin_export_row_next (socin_export_row_t *row, const uint8_t *data, size_t len, size_t *at)
{
    const uint8_t *p;
    size_t n;
    int rc = socin_export_row_span (data, len, at, &p, &n);
    if (rc != 1) return rc;
    socin__v1__export_value__init (&row->value);
    socin_str_clear (&row->text);
    socin_str_append (&row->text, "", 1); /* offset 0: every field not in the row */
    size_t offsets[NSTRINGS] = {0};
    if (!s_fields (row, p, p + n, offsets)) return -1;
    char *t = row->text.data;
    Socin__V1__ExportValue *v = &row->value;
    char **fields[NSTRINGS] = {
        NULL,      &v->indicator, &v->unit,      &v->period,    &v->disaggregation,
        &v->value, NULL,          &v->submitter, &v->stored_by, &v->comment};
    for (int f = 1; f < NSTRINGS; f++)
        if (fields[f]) *fields[f] = t + offsets[f];
    return 1;
}

void
socin_export_row_free (socin_export_row_t *row)
{
    socin_str_free (&row->text);
}
