/*  table: tables of figures and escaping. See table.h. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "log.h"

struct web_table_t {
    char *id, *title;
    int ncols;
    char **names;
    bool *numeric;
    char **cells; /* nrows * ncols */
    char **hrefs; /* per row, may be NULL */
    size_t nrows, cap;
    size_t total; /* rows it has, when more than it keeps */
};

web_table_t *
web_table_new (const char *id, const char *title, const char *const *columns, int ncolumns)
{
    web_table_t *self = socin_calloc (1, sizeof *self);
    self->id = socin_strdup (id);
    self->title = socin_strdup (title);
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
web_table_destroy (web_table_t **self_p)
{
    web_table_t *self = *self_p;
    if (!self) return;
    for (size_t i = 0; i < self->nrows * (size_t)self->ncols; i++)
        free (self->cells[i]);
    for (size_t r = 0; r < self->nrows; r++)
        free (self->hrefs[r]);
    for (int c = 0; c < self->ncols; c++)
        free (self->names[c]);
    free (self->cells);
    free (self->hrefs);
    free (self->names);
    free (self->numeric);
    free (self->id);
    free (self->title);
    free (self);
    *self_p = NULL;
}

void
web_table_row (web_table_t *self, const char *const *cells, const char *href)
{
    size_t nc = (size_t)self->ncols;
    if (self->nrows == self->cap) {
        self->cap = self->cap ? 2 * self->cap : 16;
        self->cells = socin_realloc (self->cells, self->cap * nc * sizeof *self->cells);
        self->hrefs = socin_realloc (self->hrefs, self->cap * sizeof *self->hrefs);
    }
    for (size_t c = 0; c < nc; c++)
        self->cells[self->nrows * nc + c] = socin_strdup (cells[c] ? cells[c] : "");
    self->hrefs[self->nrows] = href ? socin_strdup (href) : NULL;
    self->nrows++;
}

void
web_table_set_total (web_table_t *self, size_t total)
{
    self->total = total;
}

const char *
web_table_id (const web_table_t *self)
{
    return self->id;
}

size_t
web_table_rows (const web_table_t *self)
{
    return self->nrows;
}

const char *
web_table_cell (const web_table_t *self, size_t row, int column)
{
    if (row >= self->nrows || column < 0 || column >= self->ncols) return "";
    return self->cells[row * (size_t)self->ncols + (size_t)column];
}

/* ---- escaping ---- */

void
web_html (socin_str_t *out, const char *text)
{
    const char *run = text;
    for (const char *p = text; *p; p++) {
        const char *rep = *p == '&'    ? "&amp;"
                          : *p == '<'  ? "&lt;"
                          : *p == '>'  ? "&gt;"
                          : *p == '"'  ? "&quot;"
                          : *p == '\'' ? "&#39;"
                                       : NULL;
        if (!rep) continue;
        socin_str_append (out, run, (size_t)(p - run));
        socin_str_puts (out, rep);
        run = p + 1;
    }
    socin_str_puts (out, run);
}

void
web_json_string (socin_str_t *out, const char *text)
{
    socin_str_puts (out, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            socin_str_printf (out, "\\%c", *p);
        else if (*p == '<' || *p == '>' || *p == '&' || *p < 0x20)
            /* Also < > &: a JSON answer pasted into a page can never close a script. */
            socin_str_printf (out, "\\u%04x", *p);
        else
            socin_str_append (out, p, 1);
    }
    socin_str_puts (out, "\"");
}

void
web_url (socin_str_t *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            socin_str_append (out, p, 1);
        else
            socin_str_printf (out, "%%%02X", *p);
    }
}

bool
web_is_number (const char *text)
{
    socin_dec_t v;
    char err[8];
    return *text && socin_dec_parse (text, strlen (text), &v, err, sizeof err) == 0;
}

static void
s_csv_cell (socin_str_t *out, const char *cell, bool numeric)
{
    /* A text cell that a spreadsheet would evaluate (=, +, -, @) gets a leading '. */
    bool formula = !(numeric && web_is_number (cell)) && strchr ("=+-@\t\r", cell[0]) && cell[0];
    bool quote = formula || strpbrk (cell, ",\"\n\r") != NULL;
    if (quote) socin_str_puts (out, "\"");
    if (formula) socin_str_puts (out, "'");
    for (const char *p = cell; *p; p++) {
        if (*p == '"') socin_str_puts (out, "\"");
        socin_str_append (out, p, 1);
    }
    if (quote) socin_str_puts (out, "\"");
}

/* ---- writing ---- */

void
web_table_csv (const web_table_t *self, socin_str_t *out)
{
    size_t nc = (size_t)self->ncols;
    for (size_t c = 0; c < nc; c++) {
        if (c) socin_str_puts (out, ",");
        s_csv_cell (out, self->names[c], false);
    }
    socin_str_puts (out, "\r\n");
    for (size_t r = 0; r < self->nrows; r++) {
        for (size_t c = 0; c < nc; c++) {
            if (c) socin_str_puts (out, ",");
            s_csv_cell (out, self->cells[r * nc + c], self->numeric[c]);
        }
        socin_str_puts (out, "\r\n");
    }
}

void
web_table_json (const web_table_t *self, socin_str_t *out)
{
    size_t nc = (size_t)self->ncols;
    socin_str_puts (out, "{\"id\": ");
    web_json_string (out, self->id);
    socin_str_puts (out, ", \"title\": ");
    web_json_string (out, self->title);
    socin_str_puts (out, ", \"columns\": [");
    for (size_t c = 0; c < nc; c++) {
        if (c) socin_str_puts (out, ", ");
        web_json_string (out, self->names[c]);
    }
    socin_str_puts (out, "], \"rows\": [");
    for (size_t r = 0; r < self->nrows; r++) {
        socin_str_puts (out, r ? ",\n  {" : "\n  {");
        for (size_t c = 0; c < nc; c++) {
            const char *cell = self->cells[r * nc + c];
            if (c) socin_str_puts (out, ", ");
            web_json_string (out, self->names[c]);
            socin_str_puts (out, ": ");
            if (self->numeric[c] && web_is_number (cell))
                socin_str_puts (out, cell);
            else if (self->numeric[c] && !*cell)
                socin_str_puts (out, "null");
            else
                web_json_string (out, cell);
        }
        socin_str_puts (out, "}");
    }
    socin_str_puts (out, self->nrows ? "\n]}" : "]}");
}

void
web_table_html (const web_table_t *self, socin_str_t *out, const char *download, size_t max_rows)
{
    if (!self) return; /* a view with more tables than it keeps */
    size_t nc = (size_t)self->ncols;
    const char *sep = strchr (download, '?') ? "&amp;" : "?";
    socin_str_puts (out, "<table id=\"t-");
    web_html (out, self->id);
    socin_str_puts (out, "\"><caption>");
    web_html (out, self->title);
    for (int f = 0; f < 2; f++) {
        socin_str_puts (out, f ? " <a class=\"dl\" href=\""
                               : " <span class=\"dl\"><a class=\"dl\" href=\"");
        web_html (out, download);
        socin_str_printf (out, "%sformat=%s&amp;table=", sep, f ? "json" : "csv");
        web_url (out, self->id);
        socin_str_printf (out, "\">%s</a>", f ? "JSON" : "CSV");
    }
    socin_str_puts (out, "</span></caption>\n<thead><tr>");
    for (size_t c = 0; c < nc; c++) {
        socin_str_puts (out, self->numeric[c] ? "<th class=\"n\">" : "<th>");
        web_html (out, self->names[c]);
        socin_str_puts (out, "</th>");
    }
    socin_str_puts (out, "</tr></thead>\n<tbody>\n");
    size_t shown = max_rows && self->nrows > max_rows ? max_rows : self->nrows;
    for (size_t r = 0; r < shown; r++) {
        socin_str_puts (out, "<tr>");
        for (size_t c = 0; c < nc; c++) {
            const char *cell = self->cells[r * nc + c];
            socin_str_puts (out, self->numeric[c] ? "<td class=\"n\">" : "<td>");
            if (c == 0 && self->hrefs[r]) {
                socin_str_puts (out, "<a href=\"");
                web_html (out, self->hrefs[r]);
                socin_str_puts (out, "\">");
                web_html (out, cell);
                socin_str_puts (out, "</a>");
            } else
                web_html (out, cell);
            socin_str_puts (out, "</td>");
        }
        socin_str_puts (out, "</tr>\n");
    }
    size_t total = self->total > self->nrows ? self->total : self->nrows;
    if (shown < total)
        socin_str_printf (
            out,
            "<tr><td colspan=\"%zu\" class=\"more\">and %zu more rows in the downloads</td></tr>\n",
            nc, total - shown);
    if (!self->nrows)
        socin_str_printf (out, "<tr><td colspan=\"%zu\" class=\"more\">no rows</td></tr>\n", nc);
    socin_str_puts (out, "</tbody></table>\n");
}
