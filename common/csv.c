/*  csv: an RFC 4180 reader over text in memory. See csv.h. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "mem.h"

struct socin_csv_t {
    const char *data;
    size_t len;
    size_t pos;
    size_t line;     /* line of the next byte */
    size_t row_line; /* line where the last row began */
    char *buf;       /* the row's fields, each NUL-terminated */
    size_t cap;
    char *fields[SOCIN_CSV_MAX_FIELDS];
    bool failed;
};

socin_csv_t *
socin_csv_new (const char *data, size_t len)
{
    socin_csv_t *self = socin_calloc (1, sizeof *self);
    self->data = data;
    self->len = len;
    self->line = 1;
    if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0) self->pos = 3;
    return self;
}

void
socin_csv_destroy (socin_csv_t **self_p)
{
    socin_csv_t *self = *self_p;
    if (!self) return;
    free (self->buf);
    free (self);
    *self_p = NULL;
}

size_t
socin_csv_line (socin_csv_t *self)
{
    return self->row_line;
}

size_t
socin_csv_offset (socin_csv_t *self)
{
    return self->pos;
}

static void
s_put (socin_csv_t *self, size_t *n, char c)
{
    if (*n + 1 >= self->cap) {
        self->cap = self->cap ? self->cap * 2 : 1024;
        self->buf = socin_realloc (self->buf, self->cap);
    }
    self->buf[(*n)++] = c;
}

/* A NUL byte would silently end the field it is in (fields are C strings): refused. */
static int
s_nul (socin_csv_t *self, size_t field, char *err, size_t errlen)
{
    snprintf (err, errlen, "line %zu: field %zu holds a NUL byte", self->line, field);
    self->failed = true;
    return -1;
}

int
socin_csv_next (socin_csv_t *self, char ***fields, size_t *count, char *err, size_t errlen)
{
    if (self->failed) return -1;
    /* Skip empty lines. */
    while (self->pos < self->len && (self->data[self->pos] == '\n' ||
                                     (self->data[self->pos] == '\r' && self->pos + 1 < self->len &&
                                      self->data[self->pos + 1] == '\n'))) {
        self->pos += self->data[self->pos] == '\r' ? 2 : 1;
        self->line++;
    }
    if (self->pos >= self->len) return 0;
    self->row_line = self->line;
    size_t n = 0, starts[SOCIN_CSV_MAX_FIELDS], nfields = 0;
    starts[nfields++] = 0;
    const char *d = self->data;
    for (;;) {
        /* At the start of a field. */
        if (self->pos < self->len && d[self->pos] == '"') {
            self->pos++;
            for (;;) {
                if (self->pos >= self->len) {
                    snprintf (err, errlen, "line %zu: a quoted field is not closed",
                              self->row_line);
                    self->failed = true;
                    return -1;
                }
                char c = d[self->pos++];
                if (c == '"') {
                    if (self->pos < self->len && d[self->pos] == '"') {
                        s_put (self, &n, '"');
                        self->pos++;
                        continue;
                    }
                    break;
                }
                if (c == '\n') self->line++;
                if (c == 0) return s_nul (self, nfields, err, errlen);
                s_put (self, &n, c);
            }
            if (self->pos < self->len && d[self->pos] != ',' && d[self->pos] != '\n' &&
                !(d[self->pos] == '\r' && self->pos + 1 < self->len && d[self->pos + 1] == '\n') &&
                !(d[self->pos] == '\r' && self->pos + 1 == self->len)) {
                snprintf (err, errlen, "line %zu: text after a closing quote", self->line);
                self->failed = true;
                return -1;
            }
        } else {
            while (self->pos < self->len && d[self->pos] != ',' && d[self->pos] != '\n') {
                char c = d[self->pos];
                if (c == '\r' && (self->pos + 1 == self->len || d[self->pos + 1] == '\n')) break;
                if (c == '"') {
                    snprintf (err, errlen,
                              "line %zu: a quote inside an unquoted field (quote the whole field "
                              "and double the quote)",
                              self->line);
                    self->failed = true;
                    return -1;
                }
                if (c == 0) return s_nul (self, nfields, err, errlen);
                s_put (self, &n, c);
                self->pos++;
            }
        }
        s_put (self, &n, 0);
        if (self->pos < self->len && d[self->pos] == ',') {
            self->pos++;
            if (nfields == SOCIN_CSV_MAX_FIELDS) {
                snprintf (err, errlen, "line %zu: more than %d fields", self->row_line,
                          SOCIN_CSV_MAX_FIELDS);
                self->failed = true;
                return -1;
            }
            starts[nfields++] = n;
            continue;
        }
        /* End of the row. */
        if (self->pos < self->len && d[self->pos] == '\r') self->pos++;
        if (self->pos < self->len && d[self->pos] == '\n') self->pos++;
        self->line++;
        break;
    }
    for (size_t i = 0; i < nfields; i++)
        self->fields[i] = self->buf + starts[i];
    *fields = self->fields;
    *count = nfields;
    return 1;
}

int
socin_csv_columns (char **f, size_t nf, const char *const *names, int *col, const char *hint,
                   char *err, size_t errlen)
{
    for (int c = 0; names[c]; c++) {
        col[c] = -1;
        for (size_t i = 0; i < nf; i++)
            if (!strcmp (f[i], names[c])) col[c] = (int)i;
        if (col[c] < 0)
            return socin_error_set (err, errlen, "line 1: column '%s' is missing%s", names[c],
                                    hint);
    }
    return 0;
}

int
socin_csv_utf8 (const char *data, size_t len, const char *hint, char *err, size_t errlen)
{
    size_t bad;
    if (socin_utf8_valid (data, len, &bad)) return 0;
    size_t line = 1;
    for (size_t i = 0; i < bad; i++)
        line += data[i] == '\n';
    return socin_error_set (err, errlen, "line %zu: the file is not valid UTF-8%s", line, hint);
}
