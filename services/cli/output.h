/*  output: what commands print — an aligned table for people, CSV or JSON for programs.

    A table is columns and rows of text; numeric columns are right-aligned in a table and
    written as JSON numbers (the exact decimal text, never through floating point).
*/
#ifndef SOCIN_CLI_OUTPUT_H
#define SOCIN_CLI_OUTPUT_H

#include <stdio.h>

typedef enum { OUT_TABLE = 0, OUT_CSV, OUT_JSON } out_format_t;

typedef struct out_table_t out_table_t;

/* COLUMNS names the columns; a name ending in "#" is numeric, one ending in "!" holds tokens a
   script copies exactly (Z85 keys: their alphabet has no quote, space or '|', so a cell cannot
   be a harmful formula) and is never guarded in CSV. The mark is not printed. */
out_table_t *out_table_new (const char *const *columns, int ncolumns);
void out_table_destroy (out_table_t **self_p);

/* Adds a row of NCOLUMNS cells (copied; NULL prints as empty). */
void out_table_row (out_table_t *self, const char *const *cells);

size_t out_table_rows (out_table_t *self);

/* Prints the table in FORMAT: a table shows each cell's visible form (out_visible); CSV
   starts a cell a spreadsheet would take for a formula (= + - @, tab, CR; not a plain number
   such as -12.5) with a single quote. */
void out_table_print (out_table_t *self, out_format_t format, FILE *out);

/* Parses "table", "csv" or "json": 0, or -1. */
int out_format_parse (const char *text, out_format_t *out);

/* TEXT as it may be shown on a terminal: valid UTF-8 kept, control characters (C0, DEL) and
   bytes that are not UTF-8 as \xHH, C1 controls as \u00HH, so that submitted text can neither
   retitle nor drive the terminal. A table prints its cells so. The caller frees it. */
char *out_visible (const char *text);

/* Writes TEXT in its visible form (out_visible), for free text beside a table. */
void out_text (FILE *out, const char *text);

/* ITEMS (N of them) joined by commas, malloc'ed ("" for none). */
char *out_join (char **items, size_t n);

/* Writes TEXT as a JSON string (quoted, escaped). */
void out_json_string (FILE *out, const char *text);

#endif
