/*  pivot: socin report pivot — several indicators, periods and units in one request, laid out
    as the caller chooses (reporting's PivotQuery, DHIS2's analytics dx/pe/ou).

    Every dimension's items are given as repeatable or comma-separated options; the answer's
    dense cells become a grid: one line per combination of the row dimensions (each shown by
    code, units also by name), one column per combination of the column dimensions, named by
    their codes joined with a space ("T_SUM 202501").
*/
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "mem.h"
#include "options.h"
#include "str.h"
#include "socin/v1/report.pb-c.h"

enum { O_DX, O_PE, O_OU, O_ROWS, O_COLUMNS, O_RELATIVE_TO, O_DISAGG };

static const cli_opt_t s_opts[] = {
    {"dx", true, true, "indicator codes (derived ones too)"},
    {"pe", true, true,
     "periods: 2025, 2025Q3, 202507, ranges 202501..202512, relative THIS_YEAR, LAST_YEAR, "
     "LAST_12_MONTHS, LAST_4_QUARTERS, MONTHS_THIS_YEAR, ..."},
    {"ou", true, true,
     "units: codes, GROUP-code, USER_ORGUNIT (this key's territory), LEVEL-kraj (their units at "
     "that level); default USER_ORGUNIT"},
    {"rows", true, true, "dimensions shown as rows: dx, pe, ou (default ou)"},
    {"columns", true, true, "dimensions shown as columns (default the others)"},
    {"relative-to", true, false, "the day relative periods count from (default today)"},
    {"disaggregation", true, false, "dimension=option,... for every indicator (default the total)"},
    {NULL},
};

static const char *s_usage =
    "socin report pivot --dx IND,... --pe PERIOD,... [--ou UNIT,...] [OPTIONS]";

/* The items of dimension NAME in P, and their count. */
static Socin__V1__PivotItem **
s_items (const Socin__V1__Pivot *p, const char *name, size_t *n)
{
    *n = !strcmp (name, "dx") ? p->n_dx : !strcmp (name, "pe") ? p->n_pe : p->n_ou;
    return !strcmp (name, "dx") ? p->dx : !strcmp (name, "pe") ? p->pe : p->ou;
}

/* The product of the sizes of the N dimensions NAMES. */
static size_t
s_span (const Socin__V1__Pivot *p, char **names, size_t n)
{
    size_t span = 1, k;
    for (size_t i = 0; i < n; i++) {
        s_items (p, names[i], &k);
        span *= k;
    }
    return span;
}

/* The codes of combination AT of dimensions NAMES joined by spaces (the last fastest). */
static char *
s_label (const Socin__V1__Pivot *p, char **names, size_t n, size_t at, bool numeric)
{
    char **parts = socin_calloc (n + 1, sizeof *parts);
    for (size_t i = n; i-- > 0;) {
        size_t k;
        Socin__V1__PivotItem **items = s_items (p, names[i], &k);
        parts[i] = items[at % k]->code;
        at /= k;
    }
    socin_str_t s = SOCIN_STR_INIT;
    for (size_t i = 0; i < n; i++)
        socin_str_printf (&s, "%s%s", i ? " " : "", parts[i]);
    if (numeric) socin_str_puts (&s, "#");
    free (parts);
    return socin_str_take (&s);
}

static void
s_print (cli_t *cli, const Socin__V1__Pivot *p)
{
    size_t ncols = s_span (p, p->columns, p->n_columns), nrows = s_span (p, p->rows, p->n_rows);
    bool ou_row = false;
    for (size_t i = 0; i < p->n_rows; i++)
        ou_row |= !strcmp (p->rows[i], "ou");
    size_t lead = p->n_rows + ou_row, width = lead + ncols;
    char **names = socin_calloc (width + 1, sizeof *names);
    size_t c = 0;
    for (size_t i = 0; i < p->n_rows; i++) {
        names[c++] = socin_strdup (p->rows[i]);
        if (!strcmp (p->rows[i], "ou")) names[c++] = socin_strdup ("name");
    }
    for (size_t k = 0; k < ncols; k++)
        names[c++] = s_label (p, p->columns, p->n_columns, k, true);
    out_table_t *out = out_table_new ((const char *const *)names, (int)width);
    const char **cells = socin_calloc (width + 1, sizeof *cells);
    for (size_t r = 0; r < nrows; r++) {
        size_t at = r;
        c = lead;
        for (size_t i = p->n_rows; i-- > 0;) {
            size_t k;
            Socin__V1__PivotItem **items = s_items (p, p->rows[i], &k);
            size_t pos = 0;
            for (size_t j = 0; j < i; j++)
                pos += 1 + !strcmp (p->rows[j], "ou");
            cells[pos] = items[at % k]->code;
            if (!strcmp (p->rows[i], "ou")) cells[pos + 1] = items[at % k]->name;
            at /= k;
        }
        for (size_t k = 0; k < ncols; k++)
            cells[c++] = p->cells[r * ncols + k]->value;
        out_table_row (out, cells);
    }
    out_table_print (out, cli->format, stdout);
    out_table_destroy (&out);
    for (size_t i = 0; i < width; i++)
        free (names[i]);
    free (names);
    free (cells);
}

static void
s_footer (cli_t *cli, const Socin__V1__ReportReply *reply)
{
    if (cli->format != OUT_TABLE) return;
    printf ("(relative periods as of %s; registry seq %llu", reply->pivot->relative_to,
            (unsigned long long)reply->stamp->registry_seq);
    for (size_t i = 0; i < reply->stamp->n_sources; i++)
        printf ("%s %s=%llu", i ? "," : "; sources", reply->stamp->sources[i]->source,
                (unsigned long long)reply->stamp->sources[i]->applied_seq);
    printf (")\n");
}

int
cli_report_pivot (cli_t *cli, int argc, char **argv)
{
    cli_parsed_t p;
    if (cli_parse (s_opts, argc, argv, &p, s_usage)) return CLI_USAGE;
    if (p.help) {
        cli_usage (stdout, s_usage, s_opts);
        return CLI_OK;
    }
    Socin__V1__PivotQuery q = SOCIN__V1__PIVOT_QUERY__INIT;
    q.n_dx = cli_opt_words (&p, O_DX, &q.dx);
    q.n_pe = cli_opt_words (&p, O_PE, &q.pe);
    q.n_ou = cli_opt_words (&p, O_OU, &q.ou);
    q.n_rows = cli_opt_words (&p, O_ROWS, &q.rows);
    q.n_columns = cli_opt_words (&p, O_COLUMNS, &q.columns);
    q.relative_to = (char *)cli_opt_or_empty (&p, O_RELATIVE_TO);
    q.disaggregation = (char *)cli_opt_or_empty (&p, O_DISAGG);
    int rc = CLI_USAGE;
    if (!q.n_dx || !q.n_pe)
        cli_error ("report pivot needs --dx and --pe\nusage: %s", s_usage);
    else {
        Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
        req.request_id = "pivot";
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PIVOT;
        req.pivot = &q;
        Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)cli_call (
            cli, "reporting", &req.base, &socin__v1__report_reply__descriptor, &rc);
        if (reply && reply->error) {
            cli_report_error (reply->error);
            rc = CLI_FAILED;
        } else if (reply && reply->pivot) {
            s_print (cli, reply->pivot);
            s_footer (cli, reply);
        }
        if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    }
    cli_words_free (q.dx, q.n_dx);
    cli_words_free (q.pe, q.n_pe);
    cli_words_free (q.ou, q.n_ou);
    cli_words_free (q.rows, q.n_rows);
    cli_words_free (q.columns, q.n_columns);
    return rc;
}
