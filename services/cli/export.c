/*  export: socin export FORMAT — the stored values, streamed from reporting page by page
    into a file other systems read.

    Formats:
      csv    UTF-8, a header row, codes and names: indicator, indicator_name, unit, unit_name,
             level, period, disaggregation, value, last_updated, submitter, stored_by, comment,
             followup
      json   {"values": [{the same members}...]}
      dhis2  DHIS2 dataValueSets JSON ({"dataValues": [{"dataElement", "period", "orgUnit",
             "categoryOptionCombo", "value", "storedBy", "lastUpdated", "comment",
             "followup"}...]}), which `socin submit` reads back: a round trip gives the same
             roll-ups
      sdmx   SDMX-CSV 2.0: STRUCTURE, STRUCTURE_ID, ACTION, then the dimensions FREQ,
             INDICATOR, REF_AREA, one column per disaggregation dimension (its option, or
             _T for the total), TIME_PERIOD, then OBS_VALUE and the attribute OBS_COMMENT
             (docs/exports.md documents the dataflow and its codelists)
    Each page is written out before the next is asked for, so memory stays one page whatever
    the size; on a terminal, stderr shows a progress line.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "exitcode.h"
#include "exportrow.h"
#include "mem.h"
#include "model.h"
#include "options.h"
#include "period.h"
#include "str.h"
#include "socin/v1/report.pb-c.h"

enum { O_DX, O_PE, O_OU, O_RELATIVE_TO, O_OUTPUT, O_PAGE, O_DATAFLOW };

static const cli_opt_t s_opts[] = {
    {"dx", true, true, "indicator codes (default every indicator)"},
    {"pe", true, true, "periods, ranges (202501..202512) or relative periods (LAST_YEAR, ...)"},
    {"ou", true, true,
     "units (every value at or beneath them) or GROUP-code (default this key's territory)"},
    {"relative-to", true, false, "the day relative periods count from (default today)"},
    {"output", true, false, "write to FILE (default standard output)"},
    {"page-values", true, false,
     "values per page asked of reporting (default 10000, at most 100000)"},
    {"dataflow", true, false,
     "sdmx: the dataflow, AGENCY:ID(VERSION) (default SOCIN:DF_SOCIN(1.0))"},
    {NULL},
};

static const char *s_usage =
    "socin export csv|json|dhis2|sdmx [--dx IND,...] [--pe PERIOD,...] [--ou UNIT,...] [OPTIONS]";

typedef enum { F_CSV, F_JSON, F_DHIS2, F_SDMX } s_format_t;

typedef struct {
    FILE *out;
    s_format_t format;
    const char *dataflow;
    uint64_t written;
    bool started;
    /* The page being written: where its current unit and indicator are in its lists. */
    const Socin__V1__ExportPage *page;
    size_t unit_at, ind_at;
    socin_export_row_t row; /* the row being written, of a page in rows */
    int64_t when_ms;        /* the last time written, and its text (a batch's values share it) */
    char when[SOCIN_TIME_STRLEN];
} s_writer_t;

/* ---- cells ---- */

static void
s_csv (FILE *out, const char *text, bool last)
{
    if (!strpbrk (text, ",\"\r\n"))
        fputs (text, out);
    else {
        fputc ('"', out);
        for (const char *c = text; *c; c++) {
            if (*c == '"') fputc ('"', out);
            fputc (*c, out);
        }
        fputc ('"', out);
    }
    fputc (last ? '\n' : ',', out);
}

/* "name": "text" and a comma unless LAST. */
static void
s_json_member (FILE *out, const char *name, const char *text, bool last)
{
    fputc ('"', out);
    fputs (name, out);
    fputs ("\": ", out);
    out_json_string (out, text);
    if (!last) fputs (", ", out);
}

/* The page's item for CODE, looked up from *AT onwards (values come in unit order, and
   indicators repeat), NULL when the page does not list it. */
static const Socin__V1__PivotItem *
s_find (Socin__V1__PivotItem **items, size_t n, size_t *at, const char *code)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = (*at + k) % n;
        if (!strcmp (items[i]->code, code)) {
            *at = i;
            return items[i];
        }
    }
    return NULL;
}

/* ---- the formats ---- */

static void
s_header (s_writer_t *w)
{
    const Socin__V1__ExportPage *p = w->page;
    switch (w->format) {
    case F_CSV:
        fputs ("indicator,indicator_name,unit,unit_name,level,period,disaggregation,value,"
               "last_updated,submitter,stored_by,comment,followup\n",
               w->out);
        break;
    case F_JSON:
        fputs ("{\"values\": [\n", w->out);
        break;
    case F_DHIS2:
        fputs ("{\"dataValues\": [\n", w->out);
        break;
    case F_SDMX:
        fputs ("STRUCTURE,STRUCTURE_ID,ACTION,FREQ,INDICATOR,REF_AREA,", w->out);
        for (size_t d = 0; d < p->n_dimensions; d++) {
            for (const char *c = p->dimensions[d]->code; *c; c++)
                fputc (*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c, w->out);
            fputc (',', w->out);
        }
        fputs ("TIME_PERIOD,OBS_VALUE,OBS_COMMENT\n", w->out);
        break;
    }
}

static void
s_csv_row (s_writer_t *w, const Socin__V1__ExportValue *v, const Socin__V1__PivotItem *unit,
           const Socin__V1__PivotItem *ind, const char *when)
{
    const char *cells[] = {v->indicator,
                           ind ? ind->name : "",
                           v->unit,
                           unit ? unit->name : "",
                           unit ? socin_level_name (unit->level) : "",
                           v->period,
                           v->disaggregation,
                           v->value,
                           when,
                           v->submitter,
                           v->stored_by,
                           v->comment,
                           v->followup ? "true" : "false"};
    size_t n = sizeof cells / sizeof *cells;
    for (size_t i = 0; i < n; i++)
        s_csv (w->out, cells[i], i + 1 == n);
}

static void
s_json_row (s_writer_t *w, const Socin__V1__ExportValue *v, const Socin__V1__PivotItem *unit,
            const Socin__V1__PivotItem *ind, const char *when)
{
    FILE *o = w->out;
    fputs (w->written ? ",\n{" : "{", o);
    if (w->format == F_DHIS2) {
        s_json_member (o, "dataElement", v->indicator, false);
        s_json_member (o, "period", v->period, false);
        s_json_member (o, "orgUnit", v->unit, false);
        s_json_member (o, "categoryOptionCombo", v->disaggregation, false);
        s_json_member (o, "value", v->value, false);
        s_json_member (o, "storedBy", v->stored_by, false);
        s_json_member (o, "lastUpdated", when, false);
        s_json_member (o, "comment", v->comment, false);
        fprintf (o, "\"followup\": %s}", v->followup ? "true" : "false");
        return;
    }
    s_json_member (o, "indicator", v->indicator, false);
    s_json_member (o, "indicator_name", ind ? ind->name : "", false);
    s_json_member (o, "unit", v->unit, false);
    s_json_member (o, "unit_name", unit ? unit->name : "", false);
    s_json_member (o, "level", unit ? socin_level_name (unit->level) : "", false);
    s_json_member (o, "period", v->period, false);
    s_json_member (o, "disaggregation", v->disaggregation, false);
    fprintf (o, "\"value\": %s, ", v->value);
    s_json_member (o, "last_updated", when, false);
    s_json_member (o, "submitter", v->submitter, false);
    s_json_member (o, "stored_by", v->stored_by, false);
    s_json_member (o, "comment", v->comment, false);
    fprintf (o, "\"followup\": %s}", v->followup ? "true" : "false");
}

/* SDMX's frequency and time period of a socin period ("202507" -> M, "2025-07"). */
static void
s_sdmx_time (const char *text, char *freq, char *out, size_t len)
{
    socin_period_t p;
    char why[128];
    *freq = 'A';
    snprintf (out, len, "%s", text);
    if (socin_period_parse (text, &p, why, sizeof why)) return;
    static const char freqs[] = " WMQSA";
    *freq = freqs[p.type];
    switch (p.type) {
    case SOCIN_PERIOD_WEEK:
        snprintf (out, len, "%u-W%02u", p.year, p.index);
        break;
    case SOCIN_PERIOD_MONTH:
        snprintf (out, len, "%u-%02u", p.year, p.index);
        break;
    case SOCIN_PERIOD_QUARTER:
        snprintf (out, len, "%u-Q%u", p.year, p.index);
        break;
    case SOCIN_PERIOD_HALF:
        snprintf (out, len, "%u-S%u", p.year, p.index);
        break;
    default:
        snprintf (out, len, "%u", p.year);
        break;
    }
}

/* The option of dimension DIM in the canonical DISAGG ("sex=f,target_group=roma"), or "_T". */
static void
s_sdmx_option (const char *disagg, const char *dim, char *out, size_t len)
{
    size_t n = strlen (dim);
    for (const char *at = disagg; at && *at; at = strchr (at, ',') ? strchr (at, ',') + 1 : NULL)
        if (!strncmp (at, dim, n) && at[n] == '=') {
            const char *end = strchr (at + n + 1, ',');
            snprintf (out, len, "%.*s",
                      (int)(end ? (size_t)(end - at - n - 1) : strlen (at + n + 1)), at + n + 1);
            return;
        }
    snprintf (out, len, "_T");
}

static void
s_sdmx_row (s_writer_t *w, const Socin__V1__ExportValue *v)
{
    char freq, time[32], opt[128], f[2] = {0};
    s_sdmx_time (v->period, &freq, time, sizeof time);
    f[0] = freq;
    s_csv (w->out, "dataflow", false);
    s_csv (w->out, w->dataflow, false);
    s_csv (w->out, "I", false);
    s_csv (w->out, f, false);
    s_csv (w->out, v->indicator, false);
    s_csv (w->out, v->unit, false);
    for (size_t d = 0; d < w->page->n_dimensions; d++) {
        s_sdmx_option (v->disaggregation, w->page->dimensions[d]->code, opt, sizeof opt);
        s_csv (w->out, opt, false);
    }
    s_csv (w->out, time, false);
    s_csv (w->out, v->value, false);
    s_csv (w->out, v->comment, true);
}

static void
s_value (s_writer_t *w, const Socin__V1__ExportValue *v)
{
    const Socin__V1__ExportPage *page = w->page;
    const Socin__V1__PivotItem *unit = s_find (page->units, page->n_units, &w->unit_at, v->unit);
    const Socin__V1__PivotItem *ind =
        s_find (page->indicators, page->n_indicators, &w->ind_at, v->indicator);
    if (v->changed_ms != w->when_ms) {
        w->when_ms = v->changed_ms;
        w->when[0] = 0;
        if (v->changed_ms) socin_time_text (v->changed_ms, w->when);
    }
    if (w->format == F_CSV)
        s_csv_row (w, v, unit, ind, w->when);
    else if (w->format == F_SDMX)
        s_sdmx_row (w, v);
    else
        s_json_row (w, v, unit, ind, w->when);
    w->written++;
}

/* Writes PAGE's values (in rows, or as values from a service that sends them so). 0, or -1
   when its rows cannot be read. */
static int
s_page (s_writer_t *w, const Socin__V1__ExportPage *page)
{
    w->page = page;
    w->unit_at = w->ind_at = 0;
    if (!w->started) {
        s_header (w);
        w->started = true;
    }
    for (size_t i = 0; i < page->n_values; i++)
        s_value (w, page->values[i]);
    size_t at = 0;
    int rc;
    while ((rc = socin_export_row_next (&w->row, page->rows.data, page->rows.len, &at)) == 1)
        s_value (w, &w->row.value);
    return rc;
}

static void
s_finish (s_writer_t *w)
{
    if (!w->started) {
        Socin__V1__ExportPage empty = SOCIN__V1__EXPORT_PAGE__INIT;
        w->page = &empty;
        s_header (w);
    }
    if (w->format == F_JSON || w->format == F_DHIS2) fputs (w->written ? "\n]}\n" : "]}\n", w->out);
}

/* ---- the conversation ---- */

static void
s_progress (const s_writer_t *w, int64_t t0, bool done)
{
    if (!isatty (STDERR_FILENO)) return;
    int64_t ms = socin_mono_ms () - t0;
    fprintf (stderr, "\rexported %llu values (%llu/s)%s", (unsigned long long)w->written,
             (unsigned long long)(ms > 0 ? w->written * 1000 / (uint64_t)ms : 0), done ? "\n" : "");
}

/* Asks for pages of Q until the last, writing each: CLI_OK, or an error code after saying why. */
static int
s_stream (cli_t *cli, Socin__V1__ExportQuery *q, s_writer_t *w)
{
    socin_client_t *client = cli_connect (cli, "reporting");
    if (!client) return CLI_UNAVAILABLE;
    int64_t t0 = socin_mono_ms ();
    int rc = CLI_OK;
    uint8_t *token = NULL;
    for (unsigned n = 1;; n++) {
        char id[32], err[1024];
        snprintf (id, sizeof id, "export-%u", n);
        Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
        req.request_id = id;
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_EXPORT;
        req.export = q;
        Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)socin_client_call (
            client, &req.base, &socin__v1__report_reply__descriptor, cli->timeout_ms, err,
            sizeof err);
        if (!reply) {
            char why[1400];
            cli_unanswered (cli, "reporting", client, err, why, sizeof why);
            cli_error ("%s", why);
            rc = CLI_UNAVAILABLE;
            break;
        }
        if (reply->error || !reply->export) {
            if (reply->error) cli_report_error (reply->error);
            protobuf_c_message_free_unpacked (&reply->base, NULL);
            rc = CLI_FAILED;
            break;
        }
        if (s_page (w, reply->export)) {
            cli_error ("reporting at %s: page %u of the export is not readable",
                       socin_config_str (cli->config, "reporting"), n);
            protobuf_c_message_free_unpacked (&reply->base, NULL);
            rc = CLI_FAILED;
            break;
        }
        s_progress (w, t0, false);
        bool more = reply->export->more;
        free (token);
        token = socin_malloc (reply->export->next.len + 1);
        memcpy (token, reply->export->next.data, reply->export->next.len);
        q->after.data = token;
        q->after.len = reply->export->next.len;
        protobuf_c_message_free_unpacked (&reply->base, NULL);
        if (!more) break;
    }
    free (token);
    socin_client_destroy (&client);
    if (rc == CLI_OK) s_finish (w);
    s_progress (w, t0, true);
    return rc;
}

static int
s_format (const char *name, s_format_t *out)
{
    static const char *names[] = {"csv", "json", "dhis2", "sdmx"};
    for (int i = 0; i < 4; i++)
        if (!strcmp (name, names[i])) {
            *out = (s_format_t)i;
            return 0;
        }
    return -1;
}

int
cli_export (cli_t *cli, int argc, char **argv)
{
    cli_parsed_t p;
    if (cli_parse (s_opts, argc, argv, &p, s_usage)) return CLI_USAGE;
    s_writer_t w = {.out = stdout, .dataflow = "SOCIN:DF_SOCIN(1.0)"};
    if (p.help || p.nargs != 1 || s_format (p.args[0], &w.format)) {
        if (!p.help && p.nargs == 1)
            cli_error ("export format '%s' is not csv, json, dhis2 or sdmx", p.args[0]);
        cli_usage (p.help ? stdout : stderr, s_usage, s_opts);
        return p.help ? CLI_OK : CLI_USAGE;
    }
    if (cli_opt (&p, O_DATAFLOW)) w.dataflow = cli_opt (&p, O_DATAFLOW);
    Socin__V1__ExportQuery q = SOCIN__V1__EXPORT_QUERY__INIT;
    q.n_dx = cli_opt_words (&p, O_DX, &q.dx);
    q.n_pe = cli_opt_words (&p, O_PE, &q.pe);
    q.n_ou = cli_opt_words (&p, O_OU, &q.ou);
    q.relative_to = (char *)cli_opt_or_empty (&p, O_RELATIVE_TO);
    q.page_values = cli_opt (&p, O_PAGE) ? (uint32_t)strtoul (cli_opt (&p, O_PAGE), NULL, 10) : 0;
    q.rows = true;
    int rc = CLI_OK;
    const char *path = cli_opt (&p, O_OUTPUT);
    if (path && !(w.out = fopen (path, "w"))) {
        cli_error ("cannot write %s: %m", path);
        rc = CLI_FAILED;
    }
    /* Rows are written cell by cell into stdio's buffer; a large one means few writes (it
       outlives the call: stdout keeps it). */
    static char buf[1 << 16];
    if (rc == CLI_OK) {
        setvbuf (w.out, buf, _IOFBF, sizeof buf);
        rc = s_stream (cli, &q, &w);
    }
    if (w.out != stdout && w.out && fclose (w.out) && rc == CLI_OK) {
        cli_error ("cannot write %s: %m", path);
        rc = CLI_FAILED;
    }
    socin_export_row_free (&w.row);
    cli_words_free (q.dx, q.n_dx);
    cli_words_free (q.pe, q.n_pe);
    cli_words_free (q.ou, q.n_ou);
    return rc;
}
