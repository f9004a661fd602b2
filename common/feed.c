/*  feed: reading submission files item by item, with the line each item came from. See feed.h.

    CSV goes through the csv reader row by row. JSON goes through the pull tokenizer: one item
    object is turned into a protobuf message at a time, so memory does not grow with the file.
    Before the first JSON item a first pass walks the top-level object (skipping the arrays),
    which finds the "period" and "orgUnit" defaults wherever they stand and refuses a file with
    broken JSON before any of it is handed out.
*/
#include "feed.h"

#include "error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "model.h"
#include "plan.h"
#include "str.h"

#define S_CSV_COLUMNS                                                                              \
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"          \
    "lastupdated,comment,followup"
#define S_CSV_REQUIRED                                                                             \
    "dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, value"
#define S_CSV_ALL S_CSV_REQUIRED ", storedby, lastupdated, comment, followup"
#define S_CSV_MIN 6
#define S_CSV_MAX 10

/* Quoted values in item messages are cut to this many bytes. */
#define S_QUOTE_SHOWN 60

/* Where the JSON reading stands. */
typedef enum {
    S_START,      /* before the top-level value */
    S_MEMBERS,    /* among the top-level object's members */
    S_VALUES,     /* inside "dataValues" */
    S_EVENTS,     /* inside "events" */
    S_MEASURES,   /* inside "measures" */
    S_TOP_VALUES, /* inside a top-level array of data values */
    S_DONE,       /* after the top-level value */
} s_where_t;

struct socin_feed_t {
    const char *data;
    size_t len;
    char *name;
    socin_feed_format_t format;
    bool deletions;
    bool started;
    bool failed;
    char error[512]; /* the message of the failure, repeated by later calls */
    socin_csv_t *csv;
    bool header_read;
    char *columns[SOCIN_CSV_MAX_FIELDS]; /* a measure progress CSV's header, else NULL */
    size_t ncolumns;
    socin_json_t *json;
    s_where_t where;
    char *default_period; /* top-level "period" and "orgUnit", or NULL */
    char *default_unit;
};

socin_feed_t *
socin_feed_new (const char *data, size_t len, const char *name, socin_feed_format_t format,
                bool deletions)
{
    socin_feed_t *self = socin_calloc (1, sizeof *self);
    self->data = data;
    self->len = len;
    self->name = socin_strdup (name ? name : "input");
    self->deletions = deletions;
    if (format == SOCIN_FEED_AUTO) {
        size_t at = len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        while (at < len &&
               (data[at] == ' ' || data[at] == '\t' || data[at] == '\r' || data[at] == '\n'))
            at++;
        format =
            at < len && (data[at] == '{' || data[at] == '[') ? SOCIN_FEED_JSON : SOCIN_FEED_CSV;
    }
    self->format = format;
    return self;
}

void
socin_feed_destroy (socin_feed_t **self_p)
{
    socin_feed_t *self = *self_p;
    if (!self) return;
    socin_csv_destroy (&self->csv);
    socin_json_destroy (&self->json);
    free (self->default_period);
    free (self->default_unit);
    for (size_t i = 0; i < self->ncolumns; i++)
        free (self->columns[i]);
    free (self->name);
    free (self);
    *self_p = NULL;
}

size_t
socin_feed_offset (socin_feed_t *self)
{
    if (self->csv) return socin_csv_offset (self->csv);
    if (self->json) return socin_json_offset (self->json);
    return 0;
}

socin_feed_format_t
socin_feed_format (socin_feed_t *self)
{
    return self->format;
}

/* ---- messages ---- */

static int s_fail (socin_feed_t *self, char *err, size_t errlen, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

/* Stops the reading with the message (which callers start with the file's name and line). */
static int
s_fail (socin_feed_t *self, char *err, size_t errlen, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (self->error, sizeof self->error, format, args);
    va_end (args);
    self->failed = true;
    if (err && errlen > 0) snprintf (err, errlen, "%s", self->error);
    return -1;
}

/* Stops the reading with the JSON tokenizer's message ("line 3: ..."). */
static int
s_fail_json (socin_feed_t *self, socin_json_t *json, char *err, size_t errlen)
{
    return s_fail (self, err, errlen, "%s %s", self->name, socin_json_error (json));
}

static const char *
s_json_kind (socin_json_token_t token)
{
    switch (token) {
    case SOCIN_JSON_OBJECT:
        return "an object";
    case SOCIN_JSON_ARRAY:
        return "an array";
    case SOCIN_JSON_STRING:
        return "a string";
    case SOCIN_JSON_NUMBER:
        return "a number";
    case SOCIN_JSON_TRUE:
        return "true";
    case SOCIN_JSON_FALSE:
        return "false";
    case SOCIN_JSON_NULL:
        return "null";
    default:
        return "something else";
    }
}

/* A field of the wrong JSON type: "feed.json line 5: "period" must be a string, found a number". */
static int
s_fail_type (socin_feed_t *self, socin_json_t *json, const char *key, const char *expected,
             socin_json_token_t found, char *err, size_t errlen)
{
    return s_fail (self, err, errlen, "%s line %zu: \"%s\" must be %s, found %s", self->name,
                   socin_json_line (json), key, expected, s_json_kind (found));
}

/*  Writes TEXT between double quotes into OUT (at least S_QUOTE_SHOWN + 6 bytes), cut at a
    character boundary with "..." when longer, control characters as '?': item messages travel
    in protobuf string fields, which must stay valid UTF-8. */
static void
s_quote (const char *text, char *out)
{
    size_t len = strlen (text), shown = len;
    if (len > S_QUOTE_SHOWN) {
        shown = S_QUOTE_SHOWN - 3;
        while (shown > 0 && ((unsigned char)text[shown] & 0xC0) == 0x80)
            shown--;
    }
    size_t at = 0;
    out[at++] = '"';
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)text[i];
        out[at++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    if (shown < len) {
        memcpy (out + at, "...", 3);
        at += 3;
    }
    out[at++] = '"';
    out[at] = 0;
}

/* Sets the item's error, unless it has one already (the first fault is the one reported). */
static void s_item_error (socin_feed_item_t *item, int code, const char *field, const char *format,
                          ...) __attribute__ ((format (printf, 4, 5)));

static void
s_item_error (socin_feed_item_t *item, int code, const char *field, const char *format, ...)
{
    if (item->error[0]) return;
    item->code = code;
    snprintf (item->field, sizeof item->field, "%s", field);
    va_list args;
    va_start (args, format);
    vsnprintf (item->error, sizeof item->error, format, args);
    va_end (args);
}

/* ---- building items ---- */

/* Replaces the protobuf string *DST with a copy of TEXT (the shared empty string for ""). */
static void
s_set (char **dst, const char *text)
{
    if (*dst != protobuf_c_empty_string) free (*dst);
    *dst = text[0] ? socin_strdup (text) : (char *)protobuf_c_empty_string;
}

static Socin__V1__DataValue *
s_value_new (void)
{
    Socin__V1__DataValue *value = socin_malloc (sizeof *value);
    socin__v1__data_value__init (value);
    return value;
}

/* DHIS2's attributeoptioncombo TEXT of ITEM's value: empty, "default" or DHIS2's default
   combination (HllvX50cXC0) mean none; "dimension=option" pairs join the disaggregation (so
   rows that differ only there stay apart, and the ingest checks the dimensions); anything
   else makes the item an error, never silently dropped. */
static void
s_attribute (socin_feed_item_t *item, const char *text)
{
    if (!*text || !strcmp (text, "default") || !strcmp (text, "HllvX50cXC0")) return;
    Socin__V1__DataValue *value = item->value;
    if (!strchr (text, '=')) {
        s_item_error (item, SOCIN_E (UNKNOWN_DISAGGREGATION), "attributeoptioncombo",
                      "attribute option combination \"%.64s\" is not dimension=option pairs: "
                      "socin keeps a value's categories in its disaggregation (leave it empty, "
                      "or write e.g. funding_source=ope_plus)",
                      text);
        return;
    }
    socin_str_t s = SOCIN_STR_INIT;
    socin_str_printf (&s, "%s%s%s", value->disaggregation, *value->disaggregation ? "," : "", text);
    s_set (&value->disaggregation, s.data);
    socin_str_free (&s);
}

/* DHIS2's followup column TEXT: "true"/"false" (also 1/0, empty for false). */
static void
s_followup (socin_feed_item_t *item, const char *text)
{
    if (!strcasecmp (text, "true") || !strcmp (text, "1"))
        item->value->followup = 1;
    else if (*text && strcasecmp (text, "false") && strcmp (text, "0"))
        s_item_error (item, SOCIN_E (MALFORMED_VALUE), "followup",
                      "followup \"%.64s\" is not true or false", text);
}

static Socin__V1__ParticipationEvent *
s_event_new (void)
{
    Socin__V1__ParticipationEvent *event = socin_malloc (sizeof *event);
    socin__v1__participation_event__init (event);
    return event;
}

static void
s_add_group (Socin__V1__ParticipationEvent *event, const char *group, uint32_t participants)
{
    Socin__V1__GroupParticipants *entry = socin_malloc (sizeof *entry);
    socin__v1__group_participants__init (entry);
    s_set (&entry->group, group);
    entry->participants = participants;
    Socin__V1__GroupParticipants **grown =
        socin_realloc (event->vulnerable, (event->n_vulnerable + 1) * sizeof *grown);
    grown[event->n_vulnerable++] = entry;
    event->vulnerable = grown;
}

/* Frees what the item holds and empties it. */
void
socin_feed_item_clear (socin_feed_item_t *item)
{
    if (item->value) protobuf_c_message_free_unpacked (&item->value->base, NULL);
    if (item->event) protobuf_c_message_free_unpacked (&item->event->base, NULL);
    if (item->measure) protobuf_c_message_free_unpacked (&item->measure->base, NULL);
    memset (item, 0, sizeof *item);
}

/* ---- measure progress ---- */

static Socin__V1__MeasureProgress *
s_measure_new (void)
{
    Socin__V1__MeasureProgress *m = socin_malloc (sizeof *m);
    socin__v1__measure_progress__init (m);
    return m;
}

/* A status by name into M (an item error when unknown). */
static void
s_measure_status (socin_feed_item_t *item, const char *name)
{
    if (!(item->measure->status = socin_measure_status_parse (name)))
        s_item_error (item, SOCIN__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_MEASURE_STATUS, "status",
                      "status \"%.60s\" is not one of %s", name, socin_measure_status_names ());
}

/* An amount spent from the source named SOURCE (an item error when unknown). */
static void
s_measure_spent (socin_feed_item_t *item, const char *source, const char *amount)
{
    Socin__V1__MeasureProgress *m = item->measure;
    int src = socin_funding_parse (source);
    if (!src) {
        s_item_error (item, SOCIN__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_FUNDING_SOURCE, "spent",
                      "\"%.60s\" is not a funding source (%s)", source, socin_funding_names ());
        return;
    }
    if (!*amount) return;
    m->spent = socin_realloc (m->spent, (m->n_spent + 1) * sizeof *m->spent);
    Socin__V1__FundingAmount *a = socin_malloc (sizeof *a);
    socin__v1__funding_amount__init (a);
    a->source = src;
    a->amount = socin_strdup (amount);
    m->spent[m->n_spent++] = a;
}

/* A row of a measure progress CSV, by the header's column names. */
static int
s_csv_measure (socin_feed_t *self, socin_feed_item_t *item, char **fields, size_t count,
               size_t line, char *err, size_t errlen)
{
    if (count != self->ncolumns)
        return s_fail (self, err, errlen, "%s line %zu: %zu columns where the header has %zu",
                       self->name, line, count, self->ncolumns);
    item->kind = SOCIN_ITEM_MEASURE;
    item->measure = s_measure_new ();
    item->line = line;
    Socin__V1__MeasureProgress *m = item->measure;
    for (size_t i = 0; i < count; i++) {
        const char *c = self->columns[i];
        if (!strcmp (c, "plan"))
            s_set (&m->plan, fields[i]);
        else if (!strcmp (c, "measure"))
            s_set (&m->measure, fields[i]);
        else if (!strcmp (c, "period"))
            s_set (&m->period, fields[i]);
        else if (!strcmp (c, "output_value"))
            s_set (&m->output_value, fields[i]);
        else if (!strcmp (c, "comment"))
            s_set (&m->comment, fields[i]);
        else if (!strcmp (c, "status") && *fields[i])
            s_measure_status (item, fields[i]);
        else if (!strncmp (c, "spent_", 6))
            s_measure_spent (item, c + 6, fields[i]);
    }
    if (self->deletions && !m->status && !item->error[0]) m->delete_ = 1;
    return 1;
}

/* A header row starting with "plan" makes the file a measure progress CSV. Its columns are
   kept only once every one is known, so a refused header leaves nothing behind. */
static int
s_csv_measure_header (socin_feed_t *self, char **fields, size_t count, char *err, size_t errlen)
{
    static const char *known[] = {"plan", "measure", "period", "status", "output_value", "comment"};
    for (size_t i = 0; i < count; i++) {
        bool ok = !strncmp (fields[i], "spent_", 6) && socin_funding_parse (fields[i] + 6);
        for (size_t k = 0; k < sizeof known / sizeof known[0] && !ok; k++)
            ok = !strcmp (fields[i], known[k]);
        if (!ok)
            return s_fail (self, err, errlen,
                           "%s line %zu: column \"%.60s\" is not one of plan, measure, period, "
                           "status, spent_<source> (%s), output_value, comment",
                           self->name, socin_csv_line (self->csv), fields[i],
                           socin_funding_names ());
    }
    for (size_t i = 0; i < count; i++)
        self->columns[i] = socin_strdup (fields[i]);
    self->ncolumns = count;
    return 0;
}

/* ---- CSV ---- */

static int
s_csv_next (socin_feed_t *self, socin_feed_item_t *item, char *err, size_t errlen)
{
    char **fields, csv_err[256];
    size_t count;
    if (!self->csv) self->csv = socin_csv_new (self->data, self->len);
    if (!self->header_read) {
        int rc = socin_csv_next (self->csv, &fields, &count, csv_err, sizeof csv_err);
        if (rc < 0) return s_fail (self, err, errlen, "%s %s", self->name, csv_err);
        if (rc == 0)
            return s_fail (self, err, errlen,
                           "%s line 1: the file is empty (expected a header row: %s)", self->name,
                           S_CSV_COLUMNS);
        self->header_read = true;
        if (!strcmp (fields[0], "plan"))
            return s_csv_measure_header (self, fields, count, err, errlen)
                       ? -1
                       : s_csv_next (self, item, err, errlen);
        self->header_read = false;
        if (count < S_CSV_MIN || count > S_CSV_MAX)
            return s_fail (self, err, errlen,
                           "%s line %zu: the header row has %zu column%s; expected %d to %d: %s",
                           self->name, socin_csv_line (self->csv), count, count == 1 ? "" : "s",
                           S_CSV_MIN, S_CSV_MAX, S_CSV_COLUMNS);
        self->header_read = true;
    }
    int rc = socin_csv_next (self->csv, &fields, &count, csv_err, sizeof csv_err);
    if (rc < 0) return s_fail (self, err, errlen, "%s %s", self->name, csv_err);
    if (rc == 0) return 0;
    size_t line = socin_csv_line (self->csv);
    if (self->ncolumns) return s_csv_measure (self, item, fields, count, line, err, errlen);
    if (count < S_CSV_MIN)
        return s_fail (
            self, err, errlen,
            "%s line %zu: %zu column%s; a data value row has at least %d (" S_CSV_REQUIRED ")",
            self->name, line, count, count == 1 ? "" : "s", S_CSV_MIN);
    if (count > S_CSV_MAX)
        return s_fail (self, err, errlen,
                       "%s line %zu: %zu columns; a data value row has at most %d (" S_CSV_ALL ")",
                       self->name, line, count, S_CSV_MAX);
    Socin__V1__DataValue *value = s_value_new ();
    s_set (&value->indicator, fields[0]);
    s_set (&value->period, fields[1]);
    s_set (&value->unit, fields[2]);
    s_set (&value->disaggregation, fields[3]);
    s_set (&value->value, fields[5]);
    if (count > 6) s_set (&value->stored_by, fields[6]);
    if (count > 8) s_set (&value->comment, fields[8]);
    if (!fields[5][0] && self->deletions) value->delete_ = 1;
    item->kind = SOCIN_ITEM_VALUE;
    item->value = value;
    item->line = line;
    s_attribute (item, fields[4]);
    if (count > 9) s_followup (item, fields[9]);
    return 1;
}

/* ---- JSON ---- */

/* One member of an object: its name (a name of 32 bytes or more, or one holding a NUL, is
   kept as "": it matches no field and is skipped as unknown) and its value's first token. */
typedef struct {
    char key[32];
    socin_json_token_t token;
    const char *text; /* for a string or number value, valid until the next token */
    size_t len;
} s_member_t;

/* The member names read so far in one object: a name given twice is refused, never silently
   taken as the last (another reader of the same file might take the first). Names past the
   first S_SEEN_MAX of an object are not tracked: no item has that many fields. */
#define S_SEEN_MAX 24
typedef struct {
    char keys[S_SEEN_MAX][32];
    size_t n;
} s_seen_t;

static int
s_seen_check (socin_feed_t *self, socin_json_t *json, s_seen_t *seen, const char *key, char *err,
              size_t errlen)
{
    if (!key[0]) return 0;
    for (size_t i = 0; i < seen->n; i++)
        if (strcmp (seen->keys[i], key) == 0)
            return s_fail (self, err, errlen, "%s line %zu: \"%s\" is given twice in one object",
                           self->name, socin_json_line (json), key);
    if (seen->n < S_SEEN_MAX) strcpy (seen->keys[seen->n++], key);
    return 0;
}

/* Reads the next member of the object being read (whose names so far are in SEEN): 1 with M
   filled, 0 at the object's end, -1 with the reading stopped. */
static int
s_member (socin_feed_t *self, socin_json_t *json, s_seen_t *seen, s_member_t *m, char *err,
          size_t errlen)
{
    socin_json_token_t token = socin_json_next (json, &m->text, &m->len);
    if (token == SOCIN_JSON_OBJECT_END) return 0;
    if (token != SOCIN_JSON_KEY) return s_fail_json (self, json, err, errlen);
    if (m->len >= sizeof m->key || strlen (m->text) != m->len)
        m->key[0] = 0;
    else
        memcpy (m->key, m->text, m->len + 1);
    if (s_seen_check (self, json, seen, m->key, err, errlen)) return -1;
    m->token = socin_json_next (json, &m->text, &m->len);
    if (m->token == SOCIN_JSON_ERROR) return s_fail_json (self, json, err, errlen);
    return 1;
}

/* A string member into *DST; null leaves it alone, and a number is taken as written when
   NUMBERS is set. 0, or -1 when it is of another type. */
static int
s_string_member (socin_feed_t *self, const s_member_t *m, bool numbers, char **dst, char *err,
                 size_t errlen)
{
    if (m->token == SOCIN_JSON_NULL) return 0;
    if (m->token != SOCIN_JSON_STRING && !(numbers && m->token == SOCIN_JSON_NUMBER))
        return s_fail_type (self, self->json, m->key, "a string", m->token, err, errlen);
    if (strlen (m->text) != m->len)
        return s_fail (self, err, errlen, "%s line %zu: \"%s\" holds a NUL character (\\u0000)",
                       self->name, socin_json_line (self->json), m->key);
    s_set (dst, m->text);
    return 0;
}

/* A boolean member into *DST (null is false). 0, or -1 when it is not true or false. */
static int
s_bool_member (socin_feed_t *self, const s_member_t *m, protobuf_c_boolean *dst, char *err,
               size_t errlen)
{
    if (m->token == SOCIN_JSON_TRUE || m->token == SOCIN_JSON_FALSE ||
        m->token == SOCIN_JSON_NULL) {
        *dst = m->token == SOCIN_JSON_TRUE;
        return 0;
    }
    return s_fail_type (self, self->json, m->key, "true or false", m->token, err, errlen);
}

/* A count as JSON number text: 0 with *OUT set when it is a whole number from 0 to UINT32_MAX
   written with digits only, else -1. */
static int
s_count (const char *text, uint32_t *out)
{
    uint64_t v = 0;
    if (!text[0]) return -1;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX) return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Reads the members of a data value object (its '{' just read) into ITEM. */
static int
s_json_value (socin_feed_t *self, socin_feed_item_t *item, char *err, size_t errlen)
{
    socin_json_t *json = self->json;
    Socin__V1__DataValue *value = s_value_new ();
    item->kind = SOCIN_ITEM_VALUE;
    item->value = value;
    item->line = socin_json_line (json);
    s_member_t m;
    s_seen_t seen = {.n = 0};
    char *aoc = (char *)protobuf_c_empty_string; /* applied once categoryOptionCombo is read */
    int rc;
    while ((rc = s_member (self, json, &seen, &m, err, errlen)) == 1) {
        if (strcmp (m.key, "dataElement") == 0)
            rc = s_string_member (self, &m, false, &value->indicator, err, errlen);
        else if (strcmp (m.key, "period") == 0)
            rc = s_string_member (self, &m, false, &value->period, err, errlen);
        else if (strcmp (m.key, "orgUnit") == 0)
            rc = s_string_member (self, &m, false, &value->unit, err, errlen);
        else if (strcmp (m.key, "categoryOptionCombo") == 0)
            rc = s_string_member (self, &m, false, &value->disaggregation, err, errlen);
        else if (strcmp (m.key, "comment") == 0)
            rc = s_string_member (self, &m, false, &value->comment, err, errlen);
        else if (strcmp (m.key, "deleted") == 0)
            rc = s_bool_member (self, &m, &value->delete_, err, errlen);
        else if (strcmp (m.key, "storedBy") == 0)
            rc = s_string_member (self, &m, false, &value->stored_by, err, errlen);
        else if (strcmp (m.key, "followup") == 0)
            rc = s_bool_member (self, &m, &value->followup, err, errlen);
        else if (strcmp (m.key, "attributeOptionCombo") == 0)
            rc = s_string_member (self, &m, false, &aoc, err, errlen);
        else if (strcmp (m.key, "value") == 0) {
            /* A string as it is, a number as written, a boolean as "true" or "false". */
            if (m.token == SOCIN_JSON_TRUE || m.token == SOCIN_JSON_FALSE)
                s_set (&value->value, m.token == SOCIN_JSON_TRUE ? "true" : "false");
            else if (m.token == SOCIN_JSON_NULL)
                s_set (&value->value, "");
            else if (m.token == SOCIN_JSON_STRING || m.token == SOCIN_JSON_NUMBER)
                rc = s_string_member (self, &m, true, &value->value, err, errlen);
            else
                rc = s_fail_type (self, json, m.key, "a string, a number, true or false", m.token,
                                  err, errlen);
        } else if (socin_json_skip (json, m.token) != 0)
            rc = s_fail_json (self, json, err, errlen);
        if (rc < 0) break;
    }
    if (rc == 0) s_attribute (item, aoc);
    s_set (&aoc, "");
    if (rc < 0) {
        socin_feed_item_clear (item);
        return -1;
    }
    if (!value->period[0] && self->default_period) s_set (&value->period, self->default_period);
    if (!value->unit[0] && self->default_unit) s_set (&value->unit, self->default_unit);
    if (!value->value[0] && self->deletions) value->delete_ = 1;
    return 1;
}

/* Reads "vulnerable": {"roma": 3, ...} (its '{' just read) into EVENT. */
static int
s_json_vulnerable (socin_feed_t *self, socin_feed_item_t *item, char *err, size_t errlen)
{
    socin_json_t *json = self->json;
    for (;;) {
        const char *text;
        size_t len;
        socin_json_token_t token = socin_json_next (json, &text, &len);
        if (token == SOCIN_JSON_OBJECT_END) return 0;
        if (token != SOCIN_JSON_KEY) return s_fail_json (self, json, err, errlen);
        if (strlen (text) != len)
            return s_fail (self, err, errlen,
                           "%s line %zu: a group name in \"vulnerable\" holds a NUL character "
                           "(\\u0000)",
                           self->name, socin_json_line (json));
        char *group = socin_strdup (text);
        token = socin_json_next (json, &text, &len);
        if (token != SOCIN_JSON_NUMBER) {
            char quoted[S_QUOTE_SHOWN + 8];
            s_quote (group, quoted);
            free (group);
            if (token == SOCIN_JSON_ERROR) return s_fail_json (self, json, err, errlen);
            return s_fail (self, err, errlen,
                           "%s line %zu: \"vulnerable\" group %s must be a number of participants, "
                           "found %s",
                           self->name, socin_json_line (json), quoted, s_json_kind (token));
        }
        uint32_t participants = 0;
        if (s_count (text, &participants) != 0) {
            char quoted[S_QUOTE_SHOWN + 8];
            s_quote (group, quoted);
            s_item_error (item, SOCIN__V1__ERROR_CODE__ERROR_CODE_MALFORMED_VALUE, "vulnerable",
                          "participants from group %s must be a whole number from 0 to %u, "
                          "found %s",
                          quoted, UINT32_MAX, text);
        }
        s_add_group (item->event, group, participants);
        free (group);
    }
}

/* Reads an event's type name (TEXT) into EVENT, or an item error when it is unknown ("" is
   left unspecified, for the ingest's validation to name as missing). */
static void
s_event_type (socin_feed_item_t *item, const char *name)
{
    if (!name[0]) return;
    int type = socin_event_type_parse (name);
    if (type > 0) {
        item->event->type = (Socin__V1__EventType)type;
        return;
    }
    char quoted[S_QUOTE_SHOWN + 8];
    s_quote (name, quoted);
    socin_str_t names = SOCIN_STR_INIT;
    for (int t = 1; strcmp (socin_event_type_name (t), "unspecified") != 0; t++)
        socin_str_printf (&names, "%s%s", t > 1 ? ", " : "", socin_event_type_name (t));
    s_item_error (item, SOCIN__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_EVENT_TYPE, "type",
                  "unknown event type %s (expected one of %s)", quoted, socin_str_cstr (&names));
    socin_str_free (&names);
}

/* Reads the members of an event object (its '{' just read) into ITEM. */
static int
s_json_event (socin_feed_t *self, socin_feed_item_t *item, char *err, size_t errlen)
{
    socin_json_t *json = self->json;
    Socin__V1__ParticipationEvent *event = s_event_new ();
    item->kind = SOCIN_ITEM_EVENT;
    item->event = event;
    item->line = socin_json_line (json);
    s_member_t m;
    s_seen_t seen = {.n = 0};
    int rc;
    while ((rc = s_member (self, json, &seen, &m, err, errlen)) == 1) {
        if (strcmp (m.key, "event_id") == 0)
            rc = s_string_member (self, &m, false, &event->event_id, err, errlen);
        else if (strcmp (m.key, "unit") == 0)
            rc = s_string_member (self, &m, false, &event->unit, err, errlen);
        else if (strcmp (m.key, "date") == 0)
            rc = s_string_member (self, &m, false, &event->date, err, errlen);
        else if (strcmp (m.key, "topic") == 0)
            rc = s_string_member (self, &m, false, &event->topic, err, errlen);
        else if (strcmp (m.key, "type") == 0) {
            char *name = (char *)protobuf_c_empty_string;
            rc = s_string_member (self, &m, false, &name, err, errlen);
            if (rc == 0) s_event_type (item, name);
            s_set (&name, "");
        } else if (strcmp (m.key, "participants") == 0) {
            if (m.token != SOCIN_JSON_NUMBER)
                rc = s_fail_type (self, json, m.key, "a number", m.token, err, errlen);
            else if (s_count (m.text, &event->participants) != 0)
                s_item_error (item, SOCIN__V1__ERROR_CODE__ERROR_CODE_MALFORMED_VALUE,
                              "participants",
                              "participants must be a whole number from 0 to %u, found %s",
                              UINT32_MAX, m.text);
        } else if (strcmp (m.key, "vulnerable") == 0) {
            if (m.token == SOCIN_JSON_OBJECT)
                rc = s_json_vulnerable (self, item, err, errlen);
            else if (m.token != SOCIN_JSON_NULL)
                rc = s_fail_type (self, json, m.key, "an object of group names and numbers",
                                  m.token, err, errlen);
        } else if (strcmp (m.key, "open_to_public") == 0)
            rc = s_bool_member (self, &m, &event->open_to_public, err, errlen);
        else if (strcmp (m.key, "platform_includes_vulnerable") == 0)
            rc = s_bool_member (self, &m, &event->platform_includes_vulnerable, err, errlen);
        else if (strcmp (m.key, "delete") == 0)
            rc = s_bool_member (self, &m, &event->delete_, err, errlen);
        else if (socin_json_skip (json, m.token) != 0)
            rc = s_fail_json (self, json, err, errlen);
        if (rc < 0) break;
    }
    if (rc < 0) {
        socin_feed_item_clear (item);
        return -1;
    }
    return 1;
}

/* "spent": {"own": "1200.50", "ope_plus": 300, ...} */
static int
s_json_spent (socin_feed_t *self, socin_feed_item_t *item, char *err, size_t errlen)
{
    s_member_t m;
    s_seen_t seen = {.n = 0};
    int rc;
    while ((rc = s_member (self, self->json, &seen, &m, err, errlen)) == 1) {
        char *amount = (char *)protobuf_c_empty_string;
        if (s_string_member (self, &m, true, &amount, err, errlen)) return -1;
        s_measure_spent (item, m.key, amount);
        s_set (&amount, "");
    }
    return rc;
}

static int
s_json_measure (socin_feed_t *self, socin_feed_item_t *item, char *err, size_t errlen)
{
    socin_json_t *json = self->json;
    Socin__V1__MeasureProgress *mp = s_measure_new ();
    item->kind = SOCIN_ITEM_MEASURE;
    item->measure = mp;
    item->line = socin_json_line (json);
    s_member_t m;
    s_seen_t seen = {.n = 0};
    int rc;
    while ((rc = s_member (self, json, &seen, &m, err, errlen)) == 1) {
        if (strcmp (m.key, "plan") == 0)
            rc = s_string_member (self, &m, false, &mp->plan, err, errlen);
        else if (strcmp (m.key, "measure") == 0)
            rc = s_string_member (self, &m, true, &mp->measure, err, errlen);
        else if (strcmp (m.key, "period") == 0)
            rc = s_string_member (self, &m, true, &mp->period, err, errlen);
        else if (strcmp (m.key, "output_value") == 0)
            rc = s_string_member (self, &m, true, &mp->output_value, err, errlen);
        else if (strcmp (m.key, "comment") == 0)
            rc = s_string_member (self, &m, false, &mp->comment, err, errlen);
        else if (strcmp (m.key, "status") == 0) {
            char *name = (char *)protobuf_c_empty_string;
            rc = s_string_member (self, &m, false, &name, err, errlen);
            if (rc == 0) s_measure_status (item, name);
            s_set (&name, "");
        } else if (strcmp (m.key, "spent") == 0) {
            rc = m.token == SOCIN_JSON_OBJECT
                     ? s_json_spent (self, item, err, errlen)
                     : s_fail_type (self, json, m.key, "an object of amounts by funding source",
                                    m.token, err, errlen);
        } else if (strcmp (m.key, "delete") == 0)
            rc = s_bool_member (self, &m, &mp->delete_, err, errlen);
        else if (socin_json_skip (json, m.token) != 0)
            rc = s_fail_json (self, json, err, errlen);
        if (rc < 0) break;
    }
    if (rc < 0) {
        socin_feed_item_clear (item);
        return -1;
    }
    return 1;
}

/* The top-level members "dataValues" and "events" hold arrays; "period" and "orgUnit" hold
   strings. Checks KEY's value (TOKEN, just read): 0, or -1 with the reading stopped. */
static int
s_check_top_member (socin_feed_t *self, socin_json_t *json, const char *key,
                    socin_json_token_t token, char *err, size_t errlen)
{
    if ((strcmp (key, "dataValues") == 0 || strcmp (key, "events") == 0 ||
         strcmp (key, "measures") == 0) &&
        token != SOCIN_JSON_ARRAY)
        return s_fail_type (self, json, key, "an array of objects", token, err, errlen);
    if ((strcmp (key, "period") == 0 || strcmp (key, "orgUnit") == 0) &&
        token != SOCIN_JSON_STRING && token != SOCIN_JSON_NULL)
        return s_fail_type (self, json, key, "a string", token, err, errlen);
    return 0;
}

/*  The first pass: walks the top-level value, skipping arrays, so that the "period" and
    "orgUnit" defaults are known before the first value (they may stand after "dataValues"),
    and broken JSON or a top-level member of the wrong type is refused before any item. */
static int
s_json_first_pass (socin_feed_t *self, char *err, size_t errlen)
{
    socin_json_t *json = socin_json_new (self->data, self->len);
    int rc = 0;
    socin_json_token_t token = socin_json_next (json, NULL, NULL);
    if (token == SOCIN_JSON_OBJECT) {
        s_member_t m;
        s_seen_t seen = {.n = 0};
        while ((rc = s_member (self, json, &seen, &m, err, errlen)) == 1) {
            if ((rc = s_check_top_member (self, json, m.key, m.token, err, errlen)) != 0) break;
            if (m.token == SOCIN_JSON_STRING &&
                (strcmp (m.key, "period") == 0 || strcmp (m.key, "orgUnit") == 0)) {
                char **dst =
                    strcmp (m.key, "period") == 0 ? &self->default_period : &self->default_unit;
                free (*dst);
                *dst = m.len && strlen (m.text) == m.len ? socin_strdup (m.text) : NULL;
            } else if (socin_json_skip (json, m.token) != 0) {
                rc = s_fail_json (self, json, err, errlen);
                break;
            }
        }
    } else if (token == SOCIN_JSON_ARRAY) {
        if (socin_json_skip (json, token) != 0) rc = s_fail_json (self, json, err, errlen);
    } else if (token != SOCIN_JSON_ERROR)
        rc = s_fail (self, err, errlen,
                     "%s line %zu: expected a JSON object ({\"dataValues\": [...]} or "
                     "{\"events\": [...]}) or an array of data values, found %s",
                     self->name, socin_json_line (json), s_json_kind (token));
    if (rc == 0 && socin_json_next (json, NULL, NULL) != SOCIN_JSON_END)
        rc = s_fail_json (self, json, err, errlen);
    socin_json_destroy (&json);
    return rc;
}

static int
s_json_next (socin_feed_t *self, socin_feed_item_t *item, char *err, size_t errlen)
{
    if (!self->json) {
        if (s_json_first_pass (self, err, errlen) != 0) return -1;
        self->json = socin_json_new (self->data, self->len);
    }
    socin_json_t *json = self->json;
    for (;;) {
        socin_json_token_t token;
        switch (self->where) {
        case S_START:
            /* The first pass saw an object or an array here. */
            token = socin_json_next (json, NULL, NULL);
            self->where = token == SOCIN_JSON_OBJECT ? S_MEMBERS : S_TOP_VALUES;
            break;
        case S_MEMBERS: {
            s_member_t m;
            s_seen_t seen = {.n = 0}; /* the first pass refused top-level names given twice */
            int rc = s_member (self, json, &seen, &m, err, errlen);
            if (rc < 0) return -1;
            if (rc == 0)
                self->where = S_DONE;
            else if (s_check_top_member (self, json, m.key, m.token, err, errlen) != 0)
                return -1;
            else if (strcmp (m.key, "dataValues") == 0)
                self->where = S_VALUES;
            else if (strcmp (m.key, "events") == 0)
                self->where = S_EVENTS;
            else if (strcmp (m.key, "measures") == 0)
                self->where = S_MEASURES;
            else if (socin_json_skip (json, m.token) != 0)
                return s_fail_json (self, json, err, errlen);
            break;
        }
        case S_VALUES:
        case S_EVENTS:
        case S_MEASURES:
        case S_TOP_VALUES:
            token = socin_json_next (json, NULL, NULL);
            if (token == SOCIN_JSON_ARRAY_END) {
                self->where = self->where == S_TOP_VALUES ? S_DONE : S_MEMBERS;
                break;
            }
            if (token == SOCIN_JSON_OBJECT && self->where == S_MEASURES)
                return s_json_measure (self, item, err, errlen);
            if (token == SOCIN_JSON_OBJECT)
                return self->where == S_EVENTS ? s_json_event (self, item, err, errlen)
                                               : s_json_value (self, item, err, errlen);
            if (token == SOCIN_JSON_ERROR) return s_fail_json (self, json, err, errlen);
            return s_fail (self, err, errlen,
                           "%s line %zu: each element of %s must be an object, found %s",
                           self->name, socin_json_line (json),
                           self->where == S_EVENTS     ? "\"events\""
                           : self->where == S_MEASURES ? "\"measures\""
                           : self->where == S_VALUES   ? "\"dataValues\""
                                                       : "the top-level array",
                           s_json_kind (token));
        case S_DONE:
            socin_json_next (json, NULL, NULL); /* END: the offset reaches the text's end */
            return 0;
        }
    }
}

/* ---- reading ---- */

/* Line of the byte at OFFSET (1-based). */
static size_t
s_line_at (const char *data, size_t offset)
{
    size_t line = 1;
    const char *p = data, *end = data + offset;
    while ((p = memchr (p, '\n', (size_t)(end - p))) != NULL) {
        line++;
        p++;
    }
    return line;
}

int
socin_feed_next (socin_feed_t *self, socin_feed_item_t *item, char *err, size_t errlen)
{
    memset (item, 0, sizeof *item);
    if (self->failed) {
        if (err && errlen > 0) snprintf (err, errlen, "%s", self->error);
        return -1;
    }
    if (!self->started) {
        self->started = true;
        size_t bad = 0;
        if (!socin_utf8_valid (self->data, self->len, &bad))
            return s_fail (self, err, errlen,
                           "%s line %zu: the text is not valid UTF-8 (byte 0x%02X)", self->name,
                           s_line_at (self->data, bad), (unsigned char)self->data[bad]);
    }
    if (self->format == SOCIN_FEED_JSON) return s_json_next (self, item, err, errlen);
    return s_csv_next (self, item, err, errlen);
}
