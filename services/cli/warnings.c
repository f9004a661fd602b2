/*  warnings: validation rule warnings of socin submit. See warnings.h. */
#include "warnings.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* The fields of one warning, in the order they are printed. */
enum {
    W_FILE,
    W_RULE,
    W_IMPORTANCE,
    W_UNIT,
    W_PERIOD,
    W_LEFT_VALUE,
    W_OPERATOR,
    W_RIGHT_VALUE,
    W_MESSAGE,
    W_LEFT,
    W_RIGHT,
    W_FIELDS
};

struct cli_warnings_t {
    char *(*rows)[W_FIELDS];
    size_t n;
};

cli_warnings_t *
cli_warnings_new (void)
{
    return socin_calloc (1, sizeof (cli_warnings_t));
}

void
cli_warnings_destroy (cli_warnings_t **self_p)
{
    cli_warnings_t *self = *self_p;
    if (!self) return;
    for (size_t i = 0; i < self->n; i++)
        for (int f = 0; f < W_FIELDS; f++)
            free (self->rows[i][f]);
    free (self->rows);
    free (self);
    *self_p = NULL;
}

void
cli_warnings_add (cli_warnings_t *self, const char *file, const Socin__V1__ImportSummary *s)
{
    if (!s->n_rule_warnings) return;
    self->rows = socin_realloc (self->rows, (self->n + s->n_rule_warnings) * sizeof *self->rows);
    for (size_t i = 0; i < s->n_rule_warnings; i++) {
        const Socin__V1__RuleWarning *w = s->rule_warnings[i];
        const char *fields[W_FIELDS] = {file,       w->rule,       w->importance, w->unit,
                                        w->period,  w->left_value, w->operator_,  w->right_value,
                                        w->message, w->left,       w->right};
        for (int f = 0; f < W_FIELDS; f++)
            self->rows[self->n][f] = socin_strdup (fields[f]);
        self->n++;
    }
}

size_t
cli_warnings_count (const cli_warnings_t *self, const char *file)
{
    size_t n = 0;
    for (size_t i = 0; i < self->n; i++)
        n += !file || !strcmp (self->rows[i][W_FILE], file);
    return n;
}

void
cli_warnings_json (const cli_warnings_t *self, const char *file, FILE *out)
{
    static const char *names[W_FIELDS] = {NULL,      "rule",       "importance", "unit",
                                          "period",  "left_value", "operator",   "right_value",
                                          "message", "left",       "right"};
    static const int order[] = {W_RULE,     W_IMPORTANCE,  W_UNIT, W_PERIOD, W_LEFT_VALUE,
                                W_OPERATOR, W_RIGHT_VALUE, W_LEFT, W_RIGHT,  W_MESSAGE};
    fputc ('[', out);
    bool first = true;
    for (size_t i = 0; i < self->n; i++) {
        if (strcmp (self->rows[i][W_FILE], file)) continue;
        fprintf (out, "%s\n   {", first ? "" : ",");
        for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
            fprintf (out, "%s\"%s\": ", k ? ", " : "", names[order[k]]);
            out_json_string (out, self->rows[i][order[k]]);
        }
        fputc ('}', out);
        first = false;
    }
    fputc (']', out);
}

void
cli_warnings_print (const cli_warnings_t *self, out_format_t format, FILE *out)
{
    static const char *cols[] = {"file",  "rule",     "importance", "unit",   "period",
                                 "left#", "operator", "right#",     "message"};
    if (!self->n) return;
    out_table_t *t = out_table_new (cols, 9);
    for (size_t i = 0; i < self->n; i++)
        out_table_row (t, (const char *const *)self->rows[i]);
    fputc ('\n', out);
    out_table_print (t, format, out);
    out_table_destroy (&t);
}
