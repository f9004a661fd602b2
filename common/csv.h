/*  csv: an RFC 4180 reader over text in memory.

    Fields may be quoted ("a ""b"", c"), quoted fields may hold commas and line breaks, lines
    end with LF or CRLF, and a UTF-8 byte-order mark at the start is skipped. Each row knows
    the line it started on, so every error can name it. The reader works over a buffer (a
    mapped file is one), row by row, so a file of any size is read in constant memory.
*/
#ifndef SOCIN_CSV_H
#define SOCIN_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define SOCIN_CSV_MAX_FIELDS 64

typedef struct socin_csv_t socin_csv_t;

/* A reader over LEN bytes at DATA (not copied: it must outlive the reader). */
socin_csv_t *socin_csv_new (const char *data, size_t len);
void socin_csv_destroy (socin_csv_t **self_p);

/* Reads the next row: 1 with FIELDS (NUL-terminated, valid until the next call) and COUNT
   set, 0 at the end, -1 with a message ("line 7: a quoted field is not closed", "line 3:
   more than 64 fields", "line 4: text after a closing quote", "line 5: field 9 holds a NUL
   byte") after which reading stops.
   Empty lines are skipped. */
int socin_csv_next (socin_csv_t *self, char ***fields, size_t *count, char *err, size_t errlen);

/* The line on which the last row returned began (1-based). */
size_t socin_csv_line (socin_csv_t *self);

/* Bytes consumed so far (for progress). */
size_t socin_csv_offset (socin_csv_t *self);

/* Finds the NULL-terminated column NAMES in a header row F (NF fields): COL[i] gets the
   index of NAMES[i]. 0, or -1 with "line 1: column 'x' is missing" followed by HINT (may be
   ""). */
int socin_csv_columns (char **f, size_t nf, const char *const *names, int *col, const char *hint,
                       char *err, size_t errlen);

/* 0 when LEN bytes at DATA are valid UTF-8, else -1 with "line N: the file is not valid
   UTF-8" naming the line of the first bad byte, followed by HINT (may be ""). */
int socin_csv_utf8 (const char *data, size_t len, const char *hint, char *err, size_t errlen);

#endif
