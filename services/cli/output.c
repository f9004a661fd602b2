/*  output: tables, CSV and JSON for the socin command. See output.h. */
#include "output.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "error.h"
#include "mem.h"
#include "str.h"

struct out_table_t {
    int ncols;
    char **names;
    bool *numeric;
    bool *verbatim; /* CSV cells printed as they are, formula or not */
    char **cells;   /* row-major */
    size_t nrows, cap;
};

out_table_t *
out_table_new (const char *const *columns, int ncolumns)
{
    out_table_t *self = socin_calloc (1, sizeof *self);
    self->ncols = ncolumns;
    self->names = socin_calloc ((size_t)ncolumns, sizeof *self->names);
    self->numeric = socin_calloc ((size_t)ncolumns, sizeof *self->numeric);
    self->verbatim = socin_calloc ((size_t)ncolumns, sizeof *self->verbatim);
    for (int c = 0; c < ncolumns; c++) {
        size_t n = strlen (columns[c]);
        self->numeric[c] = n && columns[c][n - 1] == '#';
        self->verbatim[c] = n && columns[c][n - 1] == '!';
        self->names[c] =
            socin_strndup (columns[c], self->numeric[c] || self->verbatim[c] ? n - 1 : n);
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
    free (self->verbatim);
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

/* Whether S is a plain decimal number: [sign] digits ['.' digits]. */
static bool
s_plain_number (const char *s)
{
    if (*s == '+' || *s == '-') s++;
    if (!isdigit ((unsigned char)*s)) return false;
    while (isdigit ((unsigned char)*s))
        s++;
    if (*s == '.') {
        if (!isdigit ((unsigned char)*++s)) return false;
        while (isdigit ((unsigned char)*s))
            s++;
    }
    return !*s;
}

/* A cell a spreadsheet would read as a formula (OWASP, CSV injection): one starting with
   = + - @, a tab or a carriage return, unless it is a plain number such as -12.5. */
static bool
s_csv_formula (const char *s)
{
    return *s && strchr ("=+-@\t\r", *s) && !s_plain_number (s);
}

static void
s_csv_cell (FILE *out, const char *s, bool verbatim)
{
    /* A formula is neutralised by a leading single quote, which makes it text. */
    const char *guard = !verbatim && s_csv_formula (s) ? "'" : "";
    if (!strpbrk (s, ",\"\r\n")) {
        fprintf (out, "%s%s", guard, s);
        return;
    }
    fprintf (out, "\"%s", guard);
    for (; *s; s++) {
        if (*s == '"') fputc ('"', out);
        fputc (*s, out);
    }
    fputc ('"', out);
}

/* The length of the valid UTF-8 character at P (1 to 4 bytes), or 0 when none starts there. */
static size_t
s_utf8_char (const unsigned char *p)
{
    size_t n = p[0] < 0x80             ? 1
               : (p[0] & 0xE0) == 0xC0 ? 2
               : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    for (size_t i = 1; i < n; i++)
        if (!p[i]) return 0;
    return n && socin_utf8_valid ((const char *)p, n, NULL) ? n : 0;
}

char *
out_visible (const char *text)
{
    socin_str_t s = SOCIN_STR_INIT;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        size_t n = s_utf8_char (p);
        if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7F)))
            socin_str_printf (&s, "\\x%02X", *p), n = 1;
        else if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) /* C1 controls: U+0080..U+009F */
            socin_str_printf (&s, "\\u%04X", p[1]);
        else
            socin_str_append (&s, (const char *)p, n);
        p += n;
    }
    return socin_str_take (&s);
}

void
out_text (FILE *out, const char *text)
{
    char *visible = out_visible (text);
    fputs (visible, out);
    free (visible);
}

void
out_json_string (FILE *out, const char *s)
{
    fputc ('"', out);
    const unsigned char *c = (const unsigned char *)s;
    while (*c >= 0x20 && *c != '"' && *c != '\\')
        c++;
    if (!*c) { /* nothing to escape: the common case, written at once */
        fputs (s, out);
        fputc ('"', out);
        return;
    }
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

static void
s_print_csv (out_table_t *self, FILE *out)
{
    size_t nc = (size_t)self->ncols;
    for (size_t r = 0; r <= self->nrows; r++) {
        for (size_t c = 0; c < nc; c++) {
            if (c) fputc (',', out);
            s_csv_cell (out, r == 0 ? self->names[c] : self->cells[(r - 1) * nc + c],
                        r > 0 && self->verbatim[c]);
        }
        fputc ('\n', out);
    }
}

static void
s_print_json (out_table_t *self, FILE *out)
{
    size_t nc = (size_t)self->ncols;
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
}

/* Aligned columns of the cells' visible forms (out_visible), the names as the first row. */
static void
s_print_table (out_table_t *self, FILE *out)
{
    size_t nc = (size_t)self->ncols, n = (self->nrows + 1) * nc;
    char **shown = socin_calloc (n, sizeof *shown);
    size_t *w = socin_calloc (nc, sizeof *w);
    for (size_t i = 0; i < n; i++) {
        shown[i] = out_visible (i < nc ? self->names[i] : self->cells[i - nc]);
        size_t x = s_width (shown[i]);
        if (x > w[i % nc]) w[i % nc] = x;
    }
    for (size_t r = 0; r <= self->nrows; r++) {
        for (size_t c = 0; c < nc; c++) {
            const char *cell = shown[r * nc + c];
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
    for (size_t i = 0; i < n; i++)
        free (shown[i]);
    free (shown);
    free (w);
}

void
out_table_print (out_table_t *self, out_format_t format, FILE *out)
{
    if (format == OUT_CSV)
        s_print_csv (self, out);
    else if (format == OUT_JSON)
        s_print_json (self, out);
    else
        s_print_table (self, out);
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

char *
out_join (char **items, size_t n)
{
    socin_str_t s = SOCIN_STR_INIT;
    for (size_t i = 0; i < n; i++)
        socin_str_printf (&s, "%s%s", i ? "," : "", items[i]);
    return socin_str_take (&s);
}
