/*  exportrow: an export page's values packed one after another (ExportPage.rows), each an
    ExportValue message preceded by its length as a varint — protobuf's delimited form, written
    and read here by hand: reporting appends a row without allocating, and a client reads one
    row at a time into a reused buffer, where protobuf-c would make ten allocations per value.
*/
#ifndef SOCIN_EXPORTROW_H
#define SOCIN_EXPORTROW_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"
#include "socin/v1/report.pb-c.h"

/* Appends V to OUT as one row: its fields in number order, empty strings, zero times and an
   unset follow-up mark left out (the bytes protobuf-c would pack). Its strings are not kept. */
void socin_export_row_append (socin_str_t *out, const Socin__V1__ExportValue *v);

/* A reader of rows: VALUE is the last row read, its strings NUL-terminated in TEXT (valid
   until the next row). Initialise with SOCIN_EXPORT_ROW_INIT; free with socin_export_row_free. */
typedef struct {
    Socin__V1__ExportValue value;
    socin_str_t text;
} socin_export_row_t;

#define SOCIN_EXPORT_ROW_INIT                                                                      \
    {                                                                                              \
        SOCIN__V1__EXPORT_VALUE__INIT, SOCIN_STR_INIT                                              \
    }

/* Reads the row at *AT of the LEN bytes at DATA into ROW->value and moves *AT past it. 1 when
   a row was read, 0 at the end, -1 when the bytes are not rows (a length or field that runs
   past its end, a wire type ExportValue cannot have). Fields of later versions are skipped. */
int socin_export_row_next (socin_export_row_t *row, const uint8_t *data, size_t len, size_t *at);

/* The message of the row at *AT (without its length) in *ROW, *ROW_LEN bytes, for a protobuf
   library to unpack; moves *AT past it. 1, 0 at the end, -1 when the length runs past LEN. */
int socin_export_row_span (const uint8_t *data, size_t len, size_t *at, const uint8_t **row,
                           size_t *row_len);

void socin_export_row_free (socin_export_row_t *row);

#endif
