/*  fixture: the registry model and string checks the fuzz targets share. See fixture.h. */
#include "error.h"
#include "fixture.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue.h"
#include "csv.h"
#include "embedded.h"
#include "log.h"
#include "territory.h"

static void
s_die (const char *what, const char *why)
{
    fprintf (stderr, "fuzz fixture: %s: %s\n", what, why);
    abort ();
}

/* Puts RECS (taking them and the array) into MODEL and recomputes it, as the registry's
   commit does. */
static void
s_commit (socin_model_t *model, socin_record_t **recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (socin_model_put (model, recs[i])) s_die ("model", "a record without kind or code");
    free (recs);
    socin_model_finish (model);
}

socin_model_t *
fuzz_model_new (bool catalogue, bool submitter)
{
    socin_model_t *model = socin_model_new ();
    char err[1024];
    size_t len, n;
    socin_record_t **recs;

    const char *text = socin_embedded_territory (&len);
    if (socin_territory_parse_sample (text, len, &recs, &n, err, sizeof err))
        s_die ("embedded territory", err);
    socin_record_t **changes;
    size_t nchanges;
    uint32_t added, updated, unchanged, closed;
    if (socin_territory_plan (model, recs, n, socin_date_from_ymd (2026, 1, 1), &changes,
                              &nchanges, &added, &updated, &unchanged, &closed, err, sizeof err))
        s_die ("embedded territory", err);
    s_commit (model, changes, nchanges);
    if (!catalogue) return model;

    text = socin_embedded_catalogue (&len);
    if (socin_catalogue_parse (text, len, &recs, &n, err, sizeof err))
        s_die ("embedded catalogue", err);
    if (socin_catalogue_check (model, recs, n, err, sizeof err)) s_die ("embedded catalogue", err);
    s_commit (model, recs, n);
    if (!submitter) return model;

    socin_record_t rec = SOCIN__V1__RECORD__INIT;
    Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
    char *territories[] = {"CZ"};
    sub.name = "fuzz";
    sub.public_key = FUZZ_SUBMITTER_KEY;
    sub.territories = territories;
    sub.n_territories = 1;
    rec.kind_case = SOCIN__V1__RECORD__KIND_SUBMITTER;
    rec.submitter = &sub;
    recs = malloc (sizeof *recs);
    if (!recs) s_die ("memory", "exhausted");
    recs[0] = socin_record_copy (&rec);
    s_commit (model, recs, 1);
    if (!socin_model_submitter_by_key (model, FUZZ_SUBMITTER_KEY))
        s_die ("submitter", "not found by its key");
    return model;
}

int32_t
fuzz_today (void)
{
    return socin_date_from_ymd (2026, 3, 16);
}

void
fuzz_fail (const char *file, int line, const char *expr, const char *fmt, ...)
{
    fprintf (stderr, "\n%s:%d: property broken: %s\n    ", file, line, expr);
    va_list args;
    va_start (args, fmt);
    vfprintf (stderr, fmt, args);
    va_end (args);
    fprintf (stderr, "\n");
    abort ();
}

void
fuzz_check_utf8 (const char *what, const char *text)
{
    size_t len = strlen (text), bad;
    if (socin_utf8_valid (text, len, &bad)) return;
    fprintf (stderr, "\n%s is not valid UTF-8 at byte %zu of %zu:\n    ", what, bad, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7f)
            fputc (c, stderr);
        else
            fprintf (stderr, "\\x%02X", c);
    }
    fprintf (stderr, "\n");
    abort ();
}

/* Whether FIELD of MSG holds a value: a oneof member only when its case is chosen. */
static bool
s_present (const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *field)
{
    if (!(field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) return true;
    uint32_t chosen;
    memcpy (&chosen, (const char *)msg + field->quantifier_offset, sizeof chosen);
    return chosen == field->id;
}

/* Walks the string fields of MSG at any depth: false at the first one that is not valid
   UTF-8 (aborting with a report instead when CHECK). */
static bool
s_message_utf8 (const char *what, const ProtobufCMessage *msg, bool check)
{
    if (!msg) return true;
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE) continue;
        if (!s_present (msg, f)) continue;
        char name[256];
        snprintf (name, sizeof name, "%s.%s", what, f->name);
        const char *at = (const char *)msg + f->offset;
        size_t n = 1;
        const void *const *items = (const void *const *)at;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            memcpy (&n, (const char *)msg + f->quantifier_offset, sizeof n);
            memcpy (&items, at, sizeof items);
        }
        for (size_t k = 0; k < n; k++) {
            bool ok = true;
            if (f->type == PROTOBUF_C_TYPE_MESSAGE)
                ok = s_message_utf8 (name, items[k], check);
            else if (items[k] && check)
                fuzz_check_utf8 (name, items[k]);
            else if (items[k])
                ok = socin_utf8_valid (items[k], strlen (items[k]), NULL);
            if (!ok) return false;
        }
    }
    return true;
}

void
fuzz_check_message_utf8 (const char *what, const ProtobufCMessage *msg)
{
    s_message_utf8 (what, msg, true);
}

bool
fuzz_message_utf8 (const ProtobufCMessage *msg)
{
    return s_message_utf8 ("", msg, false);
}

/* ---- the temporary directory ---- */

static char s_tmpdir[256];

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

static void
s_cleanup (void)
{
    if (s_tmpdir[0]) nftw (s_tmpdir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
fuzz_tmpdir (void)
{
    if (s_tmpdir[0]) return s_tmpdir;
    const char *base = getenv ("TMPDIR");
    snprintf (s_tmpdir, sizeof s_tmpdir, "%s/socin-fuzz-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp (s_tmpdir)) {
        s_tmpdir[0] = 0;
        s_die ("temporary directory", "mkdtemp failed");
    }
    atexit (s_cleanup);
    return s_tmpdir;
}

void
fuzz_quiet (void)
{
    socin_log_init ("fuzz");
    socin_log_set_level ("error");
}
