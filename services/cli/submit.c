/*  submit: socin submit FILE... — values, events and measure progress from files to an ingest.

    Each file is read twice: once to check that it can be read whole (a file with a broken
    row or invalid UTF-8 is refused before anything of it is sent), then to send it in
    submissions of --batch items, several in flight. A submission's id is derived from its
    content (prefix, batch number, digest), so sending the same file again is answered from
    the ingest's stored summaries and changes nothing. Conflicts are reported with the file
    line of the item they concern.
*/
#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "options.h"
#include "feed.h"
#include "input.h"
#include "mem.h"
#include "str.h"
#include "wire.h"
#include "warnings.h"
#include "socin/v1/ingest.pb-c.h"

enum { O_DRY_RUN, O_ATOMIC, O_DELETE, O_ID, O_BATCH, O_INFLIGHT };

static const cli_opt_t s_opts[] = {
    {"dry-run", false, false, "validate and count, store nothing"},
    {"atomic", false, false,
     "all or nothing: one rejected item stores nothing (the file is one submission)"},
    {"delete", false, false, "values without a value delete the stored ones"},
    {"id", true, false, "prefix of the submission ids (default: from the file name)"},
    {"batch", true, false, "items per submission (default 10000)"},
    {"inflight", true, false, "submissions awaiting an answer at once (default 8)"},
    {NULL},
};

static const char *s_usage = "socin submit [--dry-run] [--atomic] [--delete] [--id PREFIX] FILE...";

typedef struct {
    char id[80];
    Socin__V1__Submission sub;
    size_t *value_lines, *event_lines, *measure_lines;
    size_t cap_values, cap_events, cap_measures;
    int64_t sent_at;
    int tries;
    bool waiting;
} s_batch_t;

typedef struct {
    char *file;
    size_t line;
    int code;
    char *field, *value, *message;
} s_conflict_t;

typedef struct {
    const char *name;
    size_t items, submissions, replayed;
    uint64_t imported, updated, ignored, deleted, rejected;
    bool failed;     /* unreadable or refused */
    bool unanswered; /* the ingest did not answer */
    char error[1200];
} s_file_t;

typedef struct {
    cli_t *cli;
    socin_client_t *client;
    bool dry, atomic, deletions;
    size_t batch_size, inflight;
    s_conflict_t *conflicts;
    size_t nconflicts, capconflicts;
    bool progress;
    size_t done_items, total_items;
    cli_warnings_t *warnings; /* the validation rules the values break */
} s_run_t;

static void
s_add_conflict (s_run_t *run, const char *file, size_t line, int code, const char *field,
                const char *value, const char *message)
{
    if (run->nconflicts == run->capconflicts) {
        run->capconflicts = run->capconflicts ? run->capconflicts * 2 : 64;
        run->conflicts = socin_realloc (run->conflicts, run->capconflicts * sizeof *run->conflicts);
    }
    s_conflict_t *c = &run->conflicts[run->nconflicts++];
    c->file = socin_strdup (file);
    c->line = line;
    c->code = code;
    c->field = socin_strdup (field);
    c->value = socin_strdup (value);
    c->message = socin_strdup (message);
}

/* The column or key the file used for a wire field, so messages speak the file's language. */
static const char *
s_file_field (socin_feed_format_t format, int kind, const char *field)
{
    if (kind == SOCIN__V1__ITEM_KIND__ITEM_KIND_EVENT ||
        kind == SOCIN__V1__ITEM_KIND__ITEM_KIND_MEASURE)
        return field;
    static const char *csv[][2] = {{"indicator", "dataelement"},
                                   {"unit", "orgunit"},
                                   {"disaggregation", "categoryoptioncombo"}};
    static const char *json[][2] = {{"indicator", "dataElement"},
                                    {"unit", "orgUnit"},
                                    {"disaggregation", "categoryOptionCombo"}};
    for (int i = 0; i < 3; i++) {
        if (format == SOCIN_FEED_CSV && !strcmp (field, csv[i][0])) return csv[i][1];
        if (format == SOCIN_FEED_JSON && !strcmp (field, json[i][0])) return json[i][1];
    }
    return field;
}

static void
s_progress (s_run_t *run, const char *name)
{
    if (!run->progress || !run->total_items) return;
    int width = 30;
    int filled = (int)((double)run->done_items / (double)run->total_items * width);
    if (filled > width) filled = width;
    fprintf (stderr, "\r%-20.20s [", name);
    for (int i = 0; i < width; i++)
        fputc (i < filled ? '#' : ' ', stderr);
    fprintf (stderr, "] %3d%% %zu/%zu items",
             (int)(100.0 * (double)run->done_items / (double)run->total_items), run->done_items,
             run->total_items);
    fflush (stderr);
}

static void
s_batch_free (s_batch_t *b)
{
    for (size_t i = 0; i < b->sub.n_values; i++)
        protobuf_c_message_free_unpacked (&b->sub.values[i]->base, NULL);
    for (size_t i = 0; i < b->sub.n_events; i++)
        protobuf_c_message_free_unpacked (&b->sub.events[i]->base, NULL);
    free (b->sub.values);
    for (size_t i = 0; i < b->sub.n_measures; i++)
        protobuf_c_message_free_unpacked (&b->sub.measures[i]->base, NULL);
    free (b->sub.events);
    free (b->sub.measures);
    free (b->value_lines);
    free (b->event_lines);
    free (b->measure_lines);
    memset (b, 0, sizeof *b);
    socin__v1__submission__init (&b->sub);
}

static void
s_batch_add (s_batch_t *b, socin_feed_item_t *item)
{
    if (item->kind == SOCIN_ITEM_VALUE) {
        if (b->sub.n_values == b->cap_values) {
            b->cap_values = b->cap_values ? b->cap_values * 2 : 256;
            b->sub.values = socin_realloc (b->sub.values, b->cap_values * sizeof *b->sub.values);
            b->value_lines = socin_realloc (b->value_lines, b->cap_values * sizeof *b->value_lines);
        }
        b->value_lines[b->sub.n_values] = item->line;
        b->sub.values[b->sub.n_values++] = item->value;
    } else if (item->kind == SOCIN_ITEM_MEASURE) {
        if (b->sub.n_measures == b->cap_measures) {
            b->cap_measures = b->cap_measures ? b->cap_measures * 2 : 64;
            b->sub.measures =
                socin_realloc (b->sub.measures, b->cap_measures * sizeof *b->sub.measures);
            b->measure_lines =
                socin_realloc (b->measure_lines, b->cap_measures * sizeof *b->measure_lines);
        }
        b->measure_lines[b->sub.n_measures] = item->line;
        b->sub.measures[b->sub.n_measures++] = item->measure;
    } else {
        if (b->sub.n_events == b->cap_events) {
            b->cap_events = b->cap_events ? b->cap_events * 2 : 64;
            b->sub.events = socin_realloc (b->sub.events, b->cap_events * sizeof *b->sub.events);
            b->event_lines = socin_realloc (b->event_lines, b->cap_events * sizeof *b->event_lines);
        }
        b->event_lines[b->sub.n_events] = item->line;
        b->sub.events[b->sub.n_events++] = item->event;
    }
}

/* Names the submission after the file, its place in it and its content. */
static void
s_batch_id (s_batch_t *b, const char *prefix, size_t number, bool dry)
{
    b->sub.dry_run = false;
    size_t len = socin__v1__submission__get_packed_size (&b->sub);
    uint8_t *buf = socin_malloc (len);
    socin__v1__submission__pack (&b->sub, buf);
    zdigest_t *d = zdigest_new ();
    zdigest_update (d, buf, len);
    free (buf);
    snprintf (b->id, sizeof b->id, "%s-%zu-%.12s", prefix, number, zdigest_string (d));
    zdigest_destroy (&d);
    for (char *c = b->id; *c; c++)
        if (*c >= 'A' && *c <= 'F') *c = (char)(*c - 'A' + 'a');
    b->sub.submission_id = b->id;
    b->sub.dry_run = dry;
}

static int
s_send (s_run_t *run, s_batch_t *b)
{
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = b->id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &b->sub;
    b->sent_at = zclock_mono ();
    b->tries++;
    b->waiting = true;
    return socin_client_send (run->client, &req.base);
}

static void
s_account (s_run_t *run, s_file_t *f, s_batch_t *b, const Socin__V1__ImportSummary *s,
           socin_feed_format_t format)
{
    if (s->error) {
        f->failed = true;
        snprintf (f->error, sizeof f->error, "submission %s refused: %s: %s", b->id,
                  socin_error_name (s->error->code), s->error->message);
        f->rejected += b->sub.n_values + b->sub.n_events + b->sub.n_measures;
        return;
    }
    if (s->replayed) f->replayed++;
    f->imported += s->imported;
    f->updated += s->updated;
    f->ignored += s->ignored;
    f->deleted += s->deleted;
    f->rejected += s->rejected;
    for (size_t i = 0; i < s->n_conflicts; i++) {
        const Socin__V1__Conflict *c = s->conflicts[i];
        bool event = c->kind == SOCIN__V1__ITEM_KIND__ITEM_KIND_EVENT;
        bool measure = c->kind == SOCIN__V1__ITEM_KIND__ITEM_KIND_MEASURE;
        size_t line = measure ? (c->index < b->sub.n_measures ? b->measure_lines[c->index] : 0)
                      : event ? (c->index < b->sub.n_events ? b->event_lines[c->index] : 0)
                              : (c->index < b->sub.n_values ? b->value_lines[c->index] : 0);
        s_add_conflict (run, f->name, line, c->code, s_file_field (format, c->kind, c->field),
                        c->value, c->message);
    }
    cli_warnings_add (run->warnings, f->name, s);
}

/* Waits for answers until at most KEEP submissions are outstanding. 0, or -1 when the ingest
   stopped answering. */
static int
s_drain (s_run_t *run, s_file_t *f, s_batch_t *slots, size_t nslots, size_t keep,
         socin_feed_format_t format)
{
    for (;;) {
        size_t waiting = 0;
        for (size_t i = 0; i < nslots; i++)
            waiting += slots[i].waiting;
        if (waiting <= keep) return 0;
        char err[512];
        Socin__V1__IngestReply *reply = (Socin__V1__IngestReply *)socin_client_recv (
            run->client, &socin__v1__ingest_reply__descriptor, 1000, err, sizeof err);
        if (!reply) {
            /* Resend what waited too long: the same id is answered once, whatever happens.
               Unless the connection never came up: nothing listens, the key was refused, or
               the handshake failed; resending cannot help, so say which at once. */
            int64_t now = zclock_mono ();
            socin_link_t link = socin_client_link (run->client);
            for (size_t i = 0; i < nslots; i++) {
                s_batch_t *b = &slots[i];
                if (!b->waiting) continue;
                bool late = now - b->sent_at >= run->cli->timeout_ms;
                if (link == SOCIN_LINK_REFUSED || (late && link != SOCIN_LINK_UP)) {
                    f->unanswered = true;
                    cli_unanswered (run->cli, "ingest", run->client, err, f->error,
                                    sizeof f->error);
                    return -1;
                }
                if (!late) continue;
                if (b->tries >= 3) {
                    f->unanswered = true;
                    snprintf (f->error, sizeof f->error,
                              "the ingest at %s did not answer submission %s (%d tries)",
                              socin_config_str (run->cli->config, "ingest"), b->id, b->tries);
                    return -1;
                }
                s_send (run, b);
            }
            continue;
        }
        const char *rid = reply->request_id;
        s_batch_t *b = NULL;
        for (size_t i = 0; i < nslots && !b; i++)
            if (slots[i].waiting && !strcmp (slots[i].id, rid)) b = &slots[i];
        if (b && reply->body_case == SOCIN__V1__INGEST_REPLY__BODY_SUMMARY) {
            s_account (run, f, b, reply->summary, format);
            run->done_items += b->sub.n_values + b->sub.n_events + b->sub.n_measures;
            s_progress (run, f->name);
            s_batch_free (b);
        } else if (reply->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR) {
            f->failed = true;
            snprintf (f->error, sizeof f->error, "%s: %s", socin_error_name (reply->error->code),
                      reply->error->message);
            if (b) {
                f->rejected += b->sub.n_values + b->sub.n_events + b->sub.n_measures;
                s_batch_free (b);
            }
        }
        protobuf_c_message_free_unpacked (&reply->base, NULL);
    }
}

static void
s_prefix (const char *path, const char *given, char *out, size_t len)
{
    const char *base = given ? given : strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
    if (!strcmp (base, "-")) base = "stdin";
    size_t n = 0;
    for (const char *c = base; *c && n + 1 < len && n < 24; c++)
        out[n++] = (char)((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                                  (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'
                              ? *c
                              : '_');
    out[n] = 0;
    if (!n) snprintf (out, len, "file");
}

/* First pass: whether the whole file can be read; its items and format. 0, or -1 with ERR. */
static int
s_check_file (s_run_t *run, const char *data, size_t len, const char *path, size_t *items,
              socin_feed_format_t *format, char *err, size_t errlen)
{
    socin_feed_t *feed = socin_feed_new (data, len, path, SOCIN_FEED_AUTO, run->deletions);
    socin_feed_item_t item;
    int rc;
    *items = 0;
    while ((rc = socin_feed_next (feed, &item, err, errlen)) > 0) {
        (*items)++;
        socin_feed_item_clear (&item);
    }
    *format = socin_feed_format (feed);
    socin_feed_destroy (&feed);
    return rc < 0 ? -1 : 0;
}

/* Names the batch CUR and sends it. 0, or -1 (F says why) when it could not be sent. */
static int
s_send_batch (s_run_t *run, s_file_t *f, s_batch_t *cur, const char *prefix, size_t number)
{
    cur->sub.atomic = run->atomic;
    s_batch_id (cur, prefix, number, run->dry);
    if (s_send (run, cur)) {
        f->unanswered = true;
        snprintf (f->error, sizeof f->error, "cannot send to the ingest at %s",
                  socin_config_str (run->cli->config, "ingest"));
        return -1;
    }
    f->submissions++;
    return 0;
}

/* Second pass: the file's items in batches, --inflight of them awaiting answers at once. */
static void
s_send_file (s_run_t *run, s_file_t *f, const char *data, size_t len, const char *path,
             const char *prefix, socin_feed_format_t format)
{
    s_batch_t *slots = socin_calloc (run->inflight + 1, sizeof *slots);
    for (size_t i = 0; i <= run->inflight; i++)
        socin__v1__submission__init (&slots[i].sub);
    socin_feed_t *feed = socin_feed_new (data, len, path, SOCIN_FEED_AUTO, run->deletions);
    socin_feed_item_t item;
    s_batch_t *cur = NULL;
    size_t number = 0;
    char err[1000];
    for (;;) {
        int rc = socin_feed_next (feed, &item, err, sizeof err);
        if (rc > 0 && item.error[0]) {
            /* The file itself shows the item cannot be sent. */
            f->rejected++;
            s_add_conflict (run, path, item.line, item.code, item.field, "", item.error);
            socin_feed_item_clear (&item);
            run->done_items++;
            continue;
        }
        if (rc > 0) {
            if (!cur) {
                if (s_drain (run, f, slots, run->inflight, run->inflight - 1, format)) break;
                for (size_t i = 0; i < run->inflight && !cur; i++)
                    if (!slots[i].waiting) cur = &slots[i];
            }
            s_batch_add (cur, &item);
        }
        if (cur && (rc <= 0 || cur->sub.n_values + cur->sub.n_events + cur->sub.n_measures >=
                                   run->batch_size)) {
            if (s_send_batch (run, f, cur, prefix, ++number)) break;
            cur = NULL;
        }
        if (rc <= 0) break;
    }
    socin_feed_destroy (&feed);
    if (!f->unanswered) s_drain (run, f, slots, run->inflight, 0, format);
    for (size_t i = 0; i < run->inflight; i++)
        s_batch_free (&slots[i]);
    free (slots);
}

static void
s_submit_file (s_run_t *run, const char *path, const char *prefix_opt, s_file_t *f)
{
    size_t len;
    bool mapped;
    char *data = cli_input_load (path, &len, &mapped);
    if (!data) {
        f->failed = true;
        snprintf (f->error, sizeof f->error, "cannot read %s", path);
        return;
    }
    char err[1000];
    socin_feed_format_t format;
    if (s_check_file (run, data, len, path, &f->items, &format, err, sizeof err)) {
        f->failed = true;
        f->items = 0;
        snprintf (f->error, sizeof f->error, "%s; nothing of the file was sent", err);
    } else {
        run->total_items += f->items;
        if (run->atomic && f->items > run->batch_size) run->batch_size = f->items;
        char prefix[32];
        s_prefix (path, prefix_opt, prefix, sizeof prefix);
        s_send_file (run, f, data, len, path, prefix, format);
    }
    cli_input_release (data, len, mapped);
}

/* One file's object of the JSON answer, with its conflicts. */
static void
s_report_json_file (const s_run_t *run, const s_file_t *f, bool first_file)
{
    printf ("%s\n {\"file\": ", first_file ? "" : ",");
    out_json_string (stdout, f->name);
    printf (", \"items\": %zu, \"submissions\": %zu, \"imported\": %llu, \"updated\": %llu, "
            "\"ignored\": %llu, \"deleted\": %llu, \"rejected\": %llu, \"replayed\": %zu, "
            "\"error\": ",
            f->items, f->submissions, (unsigned long long)f->imported,
            (unsigned long long)f->updated, (unsigned long long)f->ignored,
            (unsigned long long)f->deleted, (unsigned long long)f->rejected, f->replayed);
    if (*f->error)
        out_json_string (stdout, f->error);
    else
        printf ("null");
    printf (", \"conflicts\": [");
    bool first = true;
    for (size_t c = 0; c < run->nconflicts; c++) {
        s_conflict_t *k = &run->conflicts[c];
        if (strcmp (k->file, f->name)) continue;
        printf ("%s\n   {\"line\": %zu, \"code\": \"%s\", \"field\": ", first ? "" : ",", k->line,
                socin_error_name (k->code));
        out_json_string (stdout, k->field);
        printf (", \"value\": ");
        out_json_string (stdout, k->value);
        printf (", \"message\": ");
        out_json_string (stdout, k->message);
        printf ("}");
        first = false;
    }
    printf ("], \"warnings\": ");
    cli_warnings_json (run->warnings, f->name, stdout);
    printf ("}");
}

static void
s_report_json (const s_run_t *run, const s_file_t *files, size_t nfiles, const char *status)
{
    printf ("{\"status\": \"%s\", \"dry_run\": %s, \"files\": [", status,
            run->dry ? "true" : "false");
    for (size_t i = 0; i < nfiles; i++)
        s_report_json_file (run, &files[i], i == 0);
    printf ("\n]}\n");
}

/* The conflicts of all files: file, line, code, field, value, message. */
static out_table_t *
s_conflict_table (const s_run_t *run)
{
    static const char *cols[] = {"file", "line#", "code", "field", "value", "message"};
    out_table_t *t = out_table_new (cols, 6);
    for (size_t c = 0; c < run->nconflicts; c++) {
        s_conflict_t *k = &run->conflicts[c];
        char line[32];
        snprintf (line, sizeof line, "%zu", k->line);
        const char *cells[] = {k->file,  line,     socin_error_name (k->code),
                               k->field, k->value, k->message};
        out_table_row (t, cells);
    }
    return t;
}

static void
s_report (s_run_t *run, s_file_t *files, size_t nfiles, const char *status)
{
    cli_t *cli = run->cli;
    if (cli->format == OUT_JSON) {
        s_report_json (run, files, nfiles, status);
        return;
    }
    out_table_t *t = s_conflict_table (run);
    if (cli->format == OUT_CSV) {
        out_table_print (t, OUT_CSV, stdout);
        out_table_destroy (&t);
        cli_warnings_print (run->warnings, OUT_CSV, stdout);
        for (size_t i = 0; i < nfiles; i++)
            if (*files[i].error) cli_error ("%s", files[i].error);
        return;
    }
    for (size_t i = 0; i < nfiles; i++) {
        s_file_t *f = &files[i];
        out_text (stdout, f->name);
        printf (": %zu items in %zu submission%s: %simported %llu, updated %llu, ignored %llu, "
                "deleted %llu, rejected %llu\n",
                f->items, f->submissions, f->submissions == 1 ? "" : "s",
                run->dry ? "(dry run) " : "", (unsigned long long)f->imported,
                (unsigned long long)f->updated, (unsigned long long)f->ignored,
                (unsigned long long)f->deleted, (unsigned long long)f->rejected);
        size_t nwarn = cli_warnings_count (run->warnings, f->name);
        if (nwarn)
            printf ("  %zu validation rule warning%s: the values are accepted, but break the "
                    "rules below\n",
                    nwarn, nwarn == 1 ? "" : "s");
        if (f->replayed)
            printf ("  %zu of the submissions had been sent before: these are their stored "
                    "answers, and nothing changed\n",
                    f->replayed);
        if (*f->error) {
            fputs ("  error: ", stdout);
            out_text (stdout, f->error);
            fputc ('\n', stdout);
        }
    }
    if (out_table_rows (t)) {
        printf ("\n");
        out_table_print (t, OUT_TABLE, stdout);
    }
    out_table_destroy (&t);
    cli_warnings_print (run->warnings, OUT_TABLE, stdout);
    printf ("\nstatus: %s\n", status);
}

/* Option I as a count from 1 to MAX into *OUT (left as it is when absent): 0, or -1 after
   printing the allowed range. */
static int
s_count_option (const cli_parsed_t *p, int i, long max, size_t *out)
{
    if (!cli_opt (p, i)) return 0;
    long n = atol (cli_opt (p, i));
    if (n < 1 || n > max) {
        cli_error ("--%s must be 1 to %ld", s_opts[i].name, max);
        return -1;
    }
    *out = (size_t)n;
    return 0;
}

/* The exit code of the whole run over its NFILES files. */
static int
s_outcome (const s_file_t *files, size_t nfiles)
{
    uint64_t accepted = 0, rejected = 0;
    bool failed = false, unanswered = false;
    for (size_t i = 0; i < nfiles; i++) {
        accepted += files[i].imported + files[i].updated + files[i].ignored + files[i].deleted;
        rejected += files[i].rejected;
        failed |= files[i].failed;
        unanswered |= files[i].unanswered;
    }
    if (unanswered) return CLI_UNAVAILABLE;
    if (!accepted && (rejected || failed)) return CLI_FAILED;
    return rejected || failed ? CLI_PARTIAL : CLI_OK;
}

static const char *
s_status (int rc)
{
    return rc == CLI_OK        ? "success: every item was accepted"
           : rc == CLI_PARTIAL ? "partial: some items were rejected"
           : rc == CLI_FAILED  ? "failed: nothing was accepted"
                               : "unanswered: the ingest did not answer";
}

static void
s_run_free (s_run_t *run)
{
    for (size_t c = 0; c < run->nconflicts; c++) {
        free (run->conflicts[c].file);
        free (run->conflicts[c].field);
        free (run->conflicts[c].value);
        free (run->conflicts[c].message);
    }
    free (run->conflicts);
    cli_warnings_destroy (&run->warnings);
    socin_client_destroy (&run->client);
}

static const char *s_files_help =
    "Files: DHIS2 CSV (dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,"
    "value,\n"
    "storedby,lastupdated,comment,followup), DHIS2 dataValueSets JSON, socin events JSON\n"
    "({\"events\": [...]}), measure progress JSON ({\"measures\": [...]}) or CSV (header\n"
    "plan,measure,period,status,spent_own,...; docs/plans.md); - reads standard input. Exit: 0 all "
    "accepted, 1 some rejected,\n"
    "2 nothing accepted or a file refused, 69 the ingest did not answer.\n";

int
cli_submit (cli_t *cli, int argc, char **argv)
{
    cli_parsed_t p;
    if (cli_parse (s_opts, argc, argv, &p, s_usage)) return CLI_USAGE;
    if (p.help) {
        cli_usage (stdout, s_usage, s_opts);
        fputs (s_files_help, stdout);
        return CLI_OK;
    }
    if (p.nargs < 1) {
        cli_usage (stderr, s_usage, s_opts);
        return CLI_USAGE;
    }
    s_run_t run = {.cli = cli,
                   .dry = cli_flag (&p, O_DRY_RUN),
                   .atomic = cli_flag (&p, O_ATOMIC),
                   .deletions = cli_flag (&p, O_DELETE),
                   .batch_size = 10000,
                   .inflight = 8,
                   .progress = isatty (2) && cli->format == OUT_TABLE};
    if (s_count_option (&p, O_BATCH, 100000, &run.batch_size) ||
        s_count_option (&p, O_INFLIGHT, 64, &run.inflight))
        return CLI_USAGE;
    run.client = cli_connect (cli, "ingest");
    if (!run.client) return CLI_UNAVAILABLE;
    run.warnings = cli_warnings_new ();
    s_file_t *files = socin_calloc ((size_t)p.nargs, sizeof *files);
    for (int i = 0; i < p.nargs; i++) {
        files[i].name = p.args[i];
        s_submit_file (&run, p.args[i], cli_opt (&p, O_ID), &files[i]);
        if (files[i].unanswered) break;
    }
    if (run.progress && run.total_items) fputc ('\n', stderr);
    int rc = s_outcome (files, (size_t)p.nargs);
    bool warned = cli_warnings_count (run.warnings, NULL) > 0;
    s_report (&run, files, (size_t)p.nargs,
              rc == CLI_OK && warned ? "success: every item was accepted; the values break "
                                       "validation rules (see the warnings)"
                                     : s_status (rc));
    free (files);
    s_run_free (&run);
    return rc;
}
