/*  output: tables, CSV and JSON for the socin command. See output.h. */
#include "output.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "mem.h"
#include "str.h"

struct out_table_t {
    int ncols;
    char **names;
    bool *numeric;
    char **cells; /* row-major */
    size_t nrows, cap;
};

out_table_t *
out_table_new (const char *const *columns, int ncolumns)
{
    out_table_t *self = socin_calloc (1, sizeof *self);
    self->ncols = ncolumns;
    self->names = socin_calloc ((size_t)ncolumns, sizeof *self->names);
    self->numeric = socin_calloc ((size_t)ncolumns, sizeof *self->numeric);
    for (int c = 0; c < ncolumns; c++) {
        size_t n = strlen (columns[c]);
        self->numeric[c] = n && columns[c][n - 1] == '#';
        self->names[c] = socin_strndup (columns[c], self->numeric[c] ? n - 1 : n);
    }
    return self;
}

void
out_table_destroy (out_table_t **self_p)
{
    out_table_t *self = *self_p;
    if (!self) return;
    for (size_t i = 0; i < self->nrows * (size_t)self->ncols; i++)
        free (self->cells[i]);
    for (int c = 0; c < self->ncols; c++)
        free (self->names[c]);
    free (self->cells);
    free (self->names);
    free (self->numeric);
    free (self);
    *self_p = NULL;
}

void
out_table_row (out_table_t *self, const char *const *cells)
{
    if (self->nrows == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 64;
        self->cells =
            socin_realloc (self->cells, self->cap * (size_t)self->ncols * sizeof *self->cells);
    }
    for (int c = 0; c < self->ncols; c++)
        self->cells[self->nrows * (size_t)self->ncols + (size_t)c] =
            socin_strdup (cells[c] ? cells[c] : "");
    self->nrows++;
}

size_t
out_table_rows (out_table_t *self)
{
    return self->nrows;
}

/* Display width: one column per code point (enough for Czech names). */
static size_t
s_width (const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) w++;
    return w;
}

static void
s_pad (FILE *out, size_t n)
{
    while (n--)
        fputc (' ', out);
}

static void
s_csv_cell (FILE *out, const char *s)
{
    if (!strpbrk (s, ",\"\r\n")) {
        fputs (s, out);
        return;
    }
    fputc ('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc ('"', out);
        fputc (*s, out);
    }
    fputc ('"', out);
}

void
out_json_string (FILE *out, const char *s)
{
    fputc ('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fputc ('\\', out);
            fputc (*p, out);
        } else if (*p == '\n')
            fputs ("\\n", out);
        else if (*p == '\t')
            fputs ("\\t", out);
        else if (*p < 0x20)
            fprintf (out, "\\u%04x", *p);
        else
            fputc (*p, out);
    }
    fputc ('"', out);
}

static bool
s_is_number (const char *s)
{
    socin_dec_t v;
    char err[8];
    return *s && socin_dec_parse (s, strlen (s), &v, err, sizeof err) == 0;
}

void
out_table_print (out_table_t *self, out_format_t format, FILE *out)
{
    size_t nc = (size_t)self->ncols;
    if (format == OUT_CSV) {
        for (size_t c = 0; c < nc; c++) {
            if (c) fputc (',', out);
            s_csv_cell (out, self->names[c]);
        }
        fputc ('\n', out);
        for (size_t r = 0; r < self->nrows; r++) {
            for (size_t c = 0; c < nc; c++) {
                if (c) fputc (',', out);
                s_csv_cell (out, self->cells[r * nc + c]);
            }
            fputc ('\n', out);
        }
        return;
    }
    if (format == OUT_JSON) {
        fputs ("[", out);
        for (size_t r = 0; r < self->nrows; r++) {
            fputs (r ? ",\n {" : "\n {", out);
            for (size_t c = 0; c < nc; c++) {
                const char *cell = self->cells[r * nc + c];
                if (c) fputs (", ", out);
                out_json_string (out, self->names[c]);
                fputs (": ", out);
                if (self->numeric[c] && s_is_number (cell))
                    fputs (cell, out);
                else if (self->numeric[c] && !*cell)
                    fputs ("null", out);
                else
                    out_json_string (out, cell);
            }
            fputs ("}", out);
        }
        fputs (self->nrows ? "\n]\n" : "]\n", out);
        return;
    }
    size_t *w = socin_calloc (nc, sizeof *w);
    for (size_t c = 0; c < nc; c++)
        w[c] = s_width (self->names[c]);
    for (size_t r = 0; r < self->nrows; r++)
        for (size_t c = 0; c < nc; c++) {
            size_t x = s_width (self->cells[r * nc + c]);
            if (x > w[c]) w[c] = x;
        }
    for (size_t r = 0; r <= self->nrows; r++) {
        for (size_t c = 0; c < nc; c++) {
            const char *cell = r == 0 ? self->names[c] : self->cells[(r - 1) * nc + c];
            size_t x = s_width (cell);
            bool last = c + 1 == nc;
            if (self->numeric[c]) {
                s_pad (out, w[c] - x);
                fputs (cell, out);
            } else {
                fputs (cell, out);
                if (!last) s_pad (out, w[c] - x);
            }
            if (!last) fputs ("  ", out);
        }
        fputc ('\n', out);
    }
    free (w);
}

int
out_format_parse (const char *text, out_format_t *out)
{
    if (!strcmp (text, "table"))
        *out = OUT_TABLE;
    else if (!strcmp (text, "csv"))
        *out = OUT_CSV;
    else if (!strcmp (text, "json"))
        *out = OUT_JSON;
    else
        return -1;
    return 0;
}
