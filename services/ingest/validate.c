/*  validate: submission items against the registry replica. See validate.h. */
#include "validate.h"

#include "error.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "index.h"
#include "log.h"
#include "mem.h"
#include "str.h"
#include "valuekey.h"

#define KIND_VALUE SOCIN__V1__ITEM_KIND__ITEM_KIND_VALUE
#define KIND_EVENT SOCIN__V1__ITEM_KIND__ITEM_KIND_EVENT

void
ing_conflict (ing_checked_t *out, int kind, uint32_t index, int code, const char *field,
              const char *value, const char *fmt, ...)
{
    char text[600];
    va_list args;
    va_start (args, fmt);
    vsnprintf (text, sizeof text, fmt, args);
    va_end (args);
    Socin__V1__Conflict *c = socin_malloc (sizeof *c);
    socin__v1__conflict__init (c);
    c->kind = kind;
    c->index = index;
    c->code = code;
    c->field = socin_strdup (field);
    /* The offending text as sent, cut to a readable length and kept valid UTF-8. */
    size_t len = value ? strlen (value) : 0, bad;
    if (len > 200) len = 200;
    if (value && !socin_utf8_valid (value, len, &bad)) len = bad;
    c->value = socin_strndup (value ? value : "", len);
    /* The message too: a text cut to fit a buffer (here or in a message it quotes) may end
       inside a character, and one invalid byte makes the whole summary undecodable for
       clients in other languages. */
    len = strlen (text);
    if (!socin_utf8_valid (text, len, &bad)) len = bad;
    c->message = socin_strndup (text, len);
    if (out->nconflicts == out->capconflicts) {
        out->capconflicts = out->capconflicts ? out->capconflicts * 2 : 16;
        out->conflicts = socin_realloc (out->conflicts, out->capconflicts * sizeof *out->conflicts);
    }
    out->conflicts[out->nconflicts++] = c;
}

/* Text that stays where it is until the checked submission is freed. */
struct ing_arena_t {
    ing_arena_t *next;
    size_t used, size;
    char data[];
};

char *
ing_arena_copy (ing_checked_t *out, const char *text, size_t len)
{
    ing_arena_t *a = out->arena;
    if (!a || a->used + len > a->size) {
        size_t size = len > 65536 ? len : 65536;
        ing_arena_t *b = socin_malloc (sizeof *b + size);
        b->next = a;
        b->used = 0;
        b->size = size;
        out->arena = a = b;
    }
    char *p = a->data + a->used;
    memcpy (p, text, len);
    a->used += len;
    return p;
}

static void
s_warnings_free (ing_checked_t *checked)
{
    for (size_t i = 0; i < checked->nwarnings; i++)
        protobuf_c_message_free_unpacked (&checked->warnings[i]->base, NULL);
    free (checked->warnings);
    checked->warnings = NULL;
    checked->nwarnings = 0;
}

void
ing_checked_free (ing_checked_t *checked)
{
    s_warnings_free (checked);
    for (ing_arena_t *a = checked->arena, *next; a; a = next) {
        next = a->next;
        free (a);
    }
    for (size_t i = 0; i < checked->nconflicts; i++)
        protobuf_c_message_free_unpacked (&checked->conflicts[i]->base, NULL);
    free (checked->conflicts);
    free (checked->values);
    free (checked->events);
    free (checked->followups);
    free (checked->approvals);
    /* Measure reports, checked by progress.c. */
    for (size_t i = 0; i < checked->nmeasures; i++)
        protobuf_c_message_free_unpacked (&checked->measures[i].progress->base, NULL);
    free (checked->measures);
    memset (checked, 0, sizeof *checked);
}

int
ing_parse_bool (const char *text, bool *out)
{
    static const char *yes[] = {"true", "1", "t", "yes"}, *no[] = {"false", "0", "f", "no"};
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp (text, yes[i])) return *out = true, 0;
        if (!strcasecmp (text, no[i])) return *out = false, 0;
    }
    return -1;
}

bool
ing_submission_id_ok (const char *text)
{
    size_t n = strlen (text);
    if (n == 0 || n > ING_ID_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum ((unsigned char)text[i]) && !strchr ("._:-", text[i])) return false;
    return true;
}

int
ing_value_key (const char *indicator, const char *unit, const char *period,
               const char *disaggregation, char *key, size_t *keylen)
{
    *keylen = socin_value_key (indicator, unit, period, disaggregation, key);
    return *keylen ? 0 : -1;
}

bool
ing_text_ok (ing_checked_t *out, int kind, uint32_t index, const char *field, const char *text,
             size_t max)
{
    /* Most fields are short and ASCII (or empty): one pass finds the length and whether any
       byte needs the UTF-8 check. */
    const unsigned char *t = (const unsigned char *)text;
    unsigned char high = 0;
    size_t len = 0, bad;
    while (t[len])
        high |= t[len++];
    if ((high & 0x80) && !socin_utf8_valid (text, len, &bad)) {
        ing_conflict (out, kind, index, SOCIN_E (INVALID_TEXT), field, text,
                      "%s is not valid UTF-8 (byte %zu)", field, bad + 1);
        return false;
    }
    if (len > max) {
        ing_conflict (out, kind, index, SOCIN_E (FIELD_TOO_LONG), field, text,
                      "%s has %zu bytes; at most %zu are accepted", field, len, max);
        return false;
    }
    return true;
}

/* Whether the ingest's own territory (when it has one) covers UNIT. */
static bool
s_served (const ing_context_t *ctx, const socin_unit_t *unit)
{
    if (!ctx->nterritory) return true;
    for (size_t i = 0; i < ctx->nterritory; i++)
        if (socin_unit_under (unit, ctx->territory[i])) return true;
    return false;
}

static void
s_territory_list (const socin_model_t *model, const uint32_t *ids, size_t n, char *buf, size_t len)
{
    size_t w = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && w < len; i++)
        w += (size_t)snprintf (buf + w, len - w, "%s%s", i ? ", " : "",
                               socin_model_unit_at (model, ids[i])->code);
}

static const char *
s_unit_label (const socin_unit_t *u, char *buf, size_t len)
{
    snprintf (buf, len, "%s (%s %s)", u->code, socin_level_name (u->level), u->pb->name);
    return buf;
}

bool
ing_territory_ok (const ing_context_t *ctx, ing_checked_t *out, int kind, uint32_t index,
                  const socin_unit_t *unit)
{
    char label[200], list[300];
    if (!socin_submitter_covers (ctx->submitter, unit)) {
        s_territory_list (ctx->model, ctx->submitter->roots, ctx->submitter->nroots, list,
                          sizeof list);
        ing_conflict (out, kind, index, SOCIN_E (OUTSIDE_TERRITORY), "unit", unit->code,
                      "unit %s is outside the territory of submitter %s (%s)",
                      s_unit_label (unit, label, sizeof label), ctx->submitter->code, list);
        return false;
    }
    if (!s_served (ctx, unit)) {
        s_territory_list (ctx->model, ctx->territory, ctx->nterritory, list, sizeof list);
        ing_conflict (out, kind, index, SOCIN_E (OUTSIDE_TERRITORY), "unit", unit->code,
                      "unit %s is outside the territory this ingest serves (%s); submit it to "
                      "the ingest of its region",
                      s_unit_label (unit, label, sizeof label), list);
        return false;
    }
    return true;
}

/* What the previous value resolved to: items of a feed come in runs (one indicator, one
   unit, one period after another), so most lookups repeat the last one. */
typedef struct {
    const char *ind_text;
    const socin_indicator_t *ind;
    const char *unit_text;
    const socin_unit_t *unit;
    const char *period_text;
    socin_period_t period;
    bool period_ok;
    char period_why[200];
    int32_t period_start, period_end; /* of a period of the right form */
    char period_canon[SOCIN_PERIOD_STRLEN];
    const socin_unit_t *terr_unit; /* the last unit found in the territory */
    const socin_indicator_t *ds_ind;
    const socin_unit_t *ds_unit;
    const socin_dataset_t *ds_found, *ds_allowed;
    const socin_indicator_t *dis_ind;
    const char *dis_text;
    char dis_canon[256];
} s_cache_t;

/* One value being checked: where it is and what it resolved to so far. */
typedef struct {
    const ing_context_t *ctx;
    const Socin__V1__DataValue *dv;
    uint32_t index;
    ing_checked_t *out;
    s_cache_t *cache;
    const socin_indicator_t *ind;
    const socin_unit_t *unit;
    socin_period_t period;
    int32_t start, end;
    socin_dec_t value;
} s_value_check_t;

/* Required fields, and text that is text. */
static bool
s_value_fields (s_value_check_t *c)
{
    const Socin__V1__DataValue *dv = c->dv;
    const char *fields[] = {"indicator", dv->indicator, "unit", dv->unit, "period", dv->period};
    for (int f = 0; f < 6; f += 2) {
        if (!*fields[f + 1]) {
            ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (MISSING_FIELD), fields[f], "",
                          "%s is empty", fields[f]);
            return false;
        }
        if (!ing_text_ok (c->out, KIND_VALUE, c->index, fields[f], fields[f + 1], ING_ID_MAX))
            return false;
    }
    return ing_text_ok (c->out, KIND_VALUE, c->index, "disaggregation", dv->disaggregation, 200) &&
           ing_text_ok (c->out, KIND_VALUE, c->index, "comment", dv->comment, ING_COMMENT_MAX) &&
           ing_text_ok (c->out, KIND_VALUE, c->index, "stored_by", dv->stored_by, ING_ID_MAX) &&
           ing_text_ok (c->out, KIND_VALUE, c->index, "value", dv->value, 100);
}

/* The indicator (known, not derived) and the unit (known). */
static bool
s_value_resolve (s_value_check_t *c)
{
    const Socin__V1__DataValue *dv = c->dv;
    s_cache_t *cache = c->cache;
    if (!cache->ind_text || strcmp (cache->ind_text, dv->indicator)) {
        cache->ind_text = dv->indicator;
        cache->ind = socin_model_indicator (c->ctx->model, dv->indicator);
    }
    const socin_indicator_t *ind = c->ind = cache->ind;
    if (!ind) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (UNKNOWN_INDICATOR), "indicator",
                      dv->indicator,
                      "indicator \"%s\" is not in the catalogue (socin registry list indicators "
                      "shows the codes)",
                      dv->indicator);
        return false;
    }
    if (ind->derived) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (DERIVED_INDICATOR), "indicator",
                      dv->indicator,
                      "indicator %s is derived (%s / %s) and cannot be submitted; submit its "
                      "components",
                      ind->code, ind->pb->formula->numerator, ind->pb->formula->denominator);
        return false;
    }
    if (!cache->unit_text || strcmp (cache->unit_text, dv->unit)) {
        cache->unit_text = dv->unit;
        cache->unit = socin_model_unit (c->ctx->model, dv->unit);
    }
    c->unit = cache->unit;
    if (!c->unit) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (UNKNOWN_UNIT), "unit", dv->unit,
                      "unit \"%s\" is not in the registry (municipalities have 6-digit ČSÚ codes "
                      "such as 582786)",
                      dv->unit);
        return false;
    }
    return true;
}

/* The period: well formed, of the indicator's type, while the unit existed. */
static bool
s_value_period (s_value_check_t *c)
{
    const Socin__V1__DataValue *dv = c->dv;
    s_cache_t *cache = c->cache;
    char label[200];
    if (!cache->period_text || strcmp (cache->period_text, dv->period)) {
        cache->period_text = dv->period;
        cache->period_ok = socin_period_parse (dv->period, &cache->period, cache->period_why,
                                               sizeof cache->period_why) == 0;
        if (cache->period_ok) {
            cache->period_start = socin_period_start (cache->period);
            cache->period_end = socin_period_end (cache->period);
            socin_period_format (cache->period, cache->period_canon, sizeof cache->period_canon);
        }
    }
    c->period = cache->period;
    if (!cache->period_ok) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (MALFORMED_PERIOD), "period",
                      dv->period, "%s", cache->period_why);
        return false;
    }
    if (c->period.type != c->ind->period_type) {
        char example[SOCIN_PERIOD_STRLEN];
        socin_period_t sample =
            socin_period_of_day (c->ind->period_type, socin_period_start (c->period));
        socin_period_format (sample, example, sizeof example);
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (WRONG_PERIOD_TYPE), "period",
                      dv->period, "period %s is %s but %s is reported %s (e.g. %s)", dv->period,
                      socin_period_type_name (c->period.type), c->ind->code,
                      socin_period_type_name (c->ind->period_type), example);
        return false;
    }
    c->start = cache->period_start;
    c->end = cache->period_end;
    if (!socin_unit_valid_during (c->unit, c->start, c->end)) {
        const socin_unit_t *unit = c->unit;
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (UNIT_NOT_VALID_IN_PERIOD), "unit",
                      dv->unit, "unit %s did not exist during %s (valid %s to %s)",
                      s_unit_label (unit, label, sizeof label), dv->period,
                      *unit->pb->valid_from ? unit->pb->valid_from : "always",
                      *unit->pb->valid_to ? unit->pb->valid_to : "now");
        return false;
    }
    return true;
}

/* The data sets that hold the indicator and that the unit reports: the first, and the first
   the submitter may report. */
static void
s_value_datasets (s_value_check_t *c)
{
    s_cache_t *cache = c->cache;
    if (cache->ds_ind == c->ind && cache->ds_unit == c->unit) return;
    cache->ds_ind = c->ind;
    cache->ds_unit = c->unit;
    cache->ds_found = cache->ds_allowed = NULL;
    for (int d = 0; d < c->ind->ndatasets; d++) {
        const socin_dataset_t *ds = socin_model_dataset_at (c->ctx->model, c->ind->datasets[d]);
        if (!socin_dataset_includes (c->ctx->model, ds, c->unit)) continue;
        if (!cache->ds_found) cache->ds_found = ds;
        if (!cache->ds_allowed && socin_submitter_may_report (c->ctx->submitter, ds->id))
            cache->ds_allowed = ds;
    }
}

/* Refuses a value whose indicator is in no data set the unit reports. */
static void
s_value_no_dataset (s_value_check_t *c)
{
    char list[300] = "none", label[200];
    size_t w = 0;
    for (int d = 0; d < c->ind->ndatasets && w < sizeof list; d++) {
        const socin_dataset_t *ds = socin_model_dataset_at (c->ctx->model, c->ind->datasets[d]);
        w += (size_t)snprintf (list + w, sizeof list - w, "%s%s (%s level)", d ? ", " : "",
                               ds->code, socin_level_name (ds->level));
    }
    ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (INDICATOR_NOT_IN_DATASET), "indicator",
                  c->dv->indicator,
                  "indicator %s is not in any data set that unit %s reports (its data sets: %s)",
                  c->ind->code, s_unit_label (c->unit, label, sizeof label), list);
}

/* Who may report it, and when: a data set the submitter may report, in its territory, a
   period that has begun and is not locked. */
static bool
s_value_allowed (s_value_check_t *c)
{
    const Socin__V1__DataValue *dv = c->dv;
    s_value_datasets (c);
    const socin_dataset_t *ds_found = c->cache->ds_found, *ds_allowed = c->cache->ds_allowed;
    if (!ds_found) {
        s_value_no_dataset (c);
        return false;
    }
    /* The territory depends on the unit alone: a unit's run of values is checked once. */
    if (c->cache->terr_unit != c->unit) {
        if (!ing_territory_ok (c->ctx, c->out, KIND_VALUE, c->index, c->unit)) return false;
        c->cache->terr_unit = c->unit;
    }
    if (!ds_allowed) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (DATASET_NOT_ALLOWED), "indicator",
                      dv->indicator, "submitter %s may not report data set %s, which holds %s",
                      c->ctx->submitter->code, ds_found->code, c->ind->code);
        return false;
    }
    if (c->start > c->ctx->today) {
        char today[SOCIN_DATE_STRLEN];
        socin_date_format (c->ctx->today, today, sizeof today);
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (FUTURE_PERIOD), "period", dv->period,
                      "period %s has not begun (today is %s)", dv->period, today);
        return false;
    }
    uint32_t lock = ds_allowed->pb->lock_days;
    if (lock && (int64_t)c->end + lock < c->ctx->today) {
        char day[SOCIN_DATE_STRLEN];
        socin_date_format (c->end + (int32_t)lock, day, sizeof day);
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (PERIOD_LOCKED), "period", dv->period,
                      "period %s locked after %s (data set %s locks %u days after a period ends)",
                      dv->period, day, ds_allowed->code, lock);
        return false;
    }
    return true;
}

/* A number within the indicator's type and range. */
static bool
s_value_number (s_value_check_t *c)
{
    const Socin__V1__DataValue *dv = c->dv;
    const socin_indicator_t *ind = c->ind;
    char why[200], bound[SOCIN_DEC_STRLEN];
    if (socin_dec_parse (dv->value, strlen (dv->value), &c->value, why, sizeof why)) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (MALFORMED_VALUE), "value", dv->value,
                      "%s", why);
        return false;
    }
    if (ind->value_type == SOCIN_VT_INTEGER && c->value % SOCIN_DEC_SCALE) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (WRONG_VALUE_TYPE), "value", dv->value,
                      "value %s is not a whole number; %s counts whole %s", dv->value, ind->code,
                      *ind->pb->measure ? ind->pb->measure : "units");
        return false;
    }
    if (ind->has_min && c->value < ind->min) {
        socin_dec_format (ind->min, bound, sizeof bound);
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (VALUE_OUT_OF_RANGE), "value",
                      dv->value, "value %s is below the minimum %s of %s", dv->value, bound,
                      ind->code);
        return false;
    }
    if (ind->has_max && c->value > ind->max) {
        socin_dec_format (ind->max, bound, sizeof bound);
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (VALUE_OUT_OF_RANGE), "value",
                      dv->value, "value %s is above the maximum %s of %s", dv->value, bound,
                      ind->code);
        return false;
    }
    return true;
}

/* The value itself: present unless deleted, a boolean or a number as the indicator says. */
static bool
s_value_value (s_value_check_t *c)
{
    const Socin__V1__DataValue *dv = c->dv;
    c->value = 0;
    if (dv->delete_) return true;
    if (!*dv->value) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (MISSING_FIELD), "value", "",
                      "value is empty (to delete the stored value, set delete)");
        return false;
    }
    if (c->ind->value_type != SOCIN_VT_BOOLEAN) return s_value_number (c);
    bool b;
    if (ing_parse_bool (dv->value, &b)) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (WRONG_VALUE_TYPE), "value", dv->value,
                      "value \"%s\" is not a boolean (true, false, 1, 0, t, f, yes, no); "
                      "%s is boolean",
                      dv->value, c->ind->code);
        return false;
    }
    c->value = b ? SOCIN_DEC_SCALE : 0;
    return true;
}

/* The disaggregation in its canonical form (in the cache), or NULL when refused. */
static const char *
s_value_disaggregation (s_value_check_t *c)
{
    const Socin__V1__DataValue *dv = c->dv;
    s_cache_t *cache = c->cache;
    char why[200];
    if (!*dv->disaggregation) return ""; /* the total, of any indicator */
    if (cache->dis_ind != c->ind || !cache->dis_text ||
        strcmp (cache->dis_text, dv->disaggregation)) {
        if (socin_model_disaggregation (c->ctx->model, c->ind, dv->disaggregation, cache->dis_canon,
                                        sizeof cache->dis_canon, why, sizeof why)) {
            cache->dis_ind = NULL;
            ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (UNKNOWN_DISAGGREGATION),
                          "disaggregation", dv->disaggregation, "%s", why);
            return NULL;
        }
        cache->dis_ind = c->ind;
        cache->dis_text = dv->disaggregation;
    }
    return cache->dis_canon;
}

/* Fills OK with the checked value under its key (DISAGG canonical); false when the key is
   too long. */
static bool
s_value_accept (s_value_check_t *c, const char *disagg, ing_value_t *ok)
{
    const char *period_text = c->cache->period_canon;
    char key[ING_KEY_MAX];
    size_t keylen;
    if (ing_value_key (c->ind->code, c->unit->code, period_text, disagg, key, &keylen)) {
        ing_conflict (c->out, KIND_VALUE, c->index, SOCIN_E (FIELD_TOO_LONG), "disaggregation",
                      c->dv->disaggregation, "the item's key is too long");
        return false;
    }
    ok->index = c->index;
    ok->indicator = c->ind;
    ok->unit = c->unit;
    size_t plen = strlen (period_text);
    assert (plen < sizeof ok->period); /* formatted periods have at most 7 characters */
    memcpy (ok->period, period_text, plen + 1);
    ok->value = c->value;
    ok->deleted = c->dv->delete_;
    ok->comment = c->dv->comment;
    ok->stored_by = c->dv->stored_by;
    ok->followup = c->dv->followup;
    /* The key, then the disaggregation as its own string (the key ends with it). */
    size_t dlen = strlen (disagg);
    ok->key = ing_arena_copy (c->out, key, keylen);
    ok->keylen = keylen;
    ok->disaggregation = dlen ? ing_arena_copy (c->out, disagg, dlen + 1) : "";
    return true;
}

static void
s_check_value (const ing_context_t *ctx, const Socin__V1__DataValue *dv, uint32_t index,
               ing_checked_t *out, s_cache_t *cache, ing_value_t *ok, bool *valid)
{
    s_value_check_t c = {.ctx = ctx, .dv = dv, .index = index, .out = out, .cache = cache};
    *valid = false;
    if (!s_value_fields (&c) || !s_value_resolve (&c) || !s_value_period (&c) ||
        !s_value_allowed (&c) || !s_value_value (&c))
        return;
    const char *disagg = s_value_disaggregation (&c);
    *valid = disagg && s_value_accept (&c, disagg, ok);
}

bool
ing_validate_key (const ing_context_t *ctx, const Socin__V1__DataValue *dv, uint32_t index,
                  int kind, ing_checked_t *out, ing_value_t *ok)
{
    s_cache_t cache = {0};
    size_t before = out->nconflicts;
    bool valid;
    s_check_value (ctx, dv, index, out, &cache, ok, &valid);
    for (size_t i = before; i < out->nconflicts; i++)
        out->conflicts[i]->kind = kind;
    return valid;
}

/* Required fields, text that is text, and a unit that holds events in the territory. */
static const socin_unit_t *
s_event_unit (const ing_context_t *ctx, const Socin__V1__ParticipationEvent *ev, uint32_t index,
              ing_checked_t *out)
{
    char label[200];
    const char *fields[] = {"event_id", ev->event_id, "unit", ev->unit, "date", ev->date};
    for (int f = 0; f < 6; f += 2) {
        if (!*fields[f + 1] && !(ev->delete_ && f == 4)) {
            ing_conflict (out, KIND_EVENT, index, SOCIN_E (MISSING_FIELD), fields[f], "",
                          "%s is empty", fields[f]);
            return NULL;
        }
        if (!ing_text_ok (out, KIND_EVENT, index, fields[f], fields[f + 1], ING_ID_MAX))
            return NULL;
    }
    if (!ing_text_ok (out, KIND_EVENT, index, "topic", ev->topic, 200)) return NULL;
    const socin_unit_t *unit = socin_model_unit (ctx->model, ev->unit);
    if (!unit) {
        ing_conflict (out, KIND_EVENT, index, SOCIN_E (UNKNOWN_UNIT), "unit", ev->unit,
                      "unit \"%s\" is not in the registry (municipalities have 6-digit ČSÚ codes "
                      "such as 582786)",
                      ev->unit);
        return NULL;
    }
    if (unit->level != SOCIN_LEVEL_MUNICIPALITY && unit->level != SOCIN_LEVEL_DISTRICT) {
        ing_conflict (out, KIND_EVENT, index, SOCIN_E (WRONG_UNIT_LEVEL), "unit", ev->unit,
                      "unit %s is not a municipality or city district; events are held by those",
                      s_unit_label (unit, label, sizeof label));
        return NULL;
    }
    return ing_territory_ok (ctx, out, KIND_EVENT, index, unit) ? unit : NULL;
}

/* The day: well formed, not in the future, not locked, while UNIT existed. */
static bool
s_event_day (const ing_context_t *ctx, const Socin__V1__ParticipationEvent *ev, uint32_t index,
             ing_checked_t *out, const socin_unit_t *unit, int32_t *day)
{
    char label[200], why[200], today[SOCIN_DATE_STRLEN];
    if (socin_date_parse (ev->date, day, why, sizeof why)) {
        ing_conflict (out, KIND_EVENT, index, SOCIN_E (MALFORMED_DATE), "date", ev->date, "%s",
                      why);
        return false;
    }
    socin_date_format (ctx->today, today, sizeof today);
    if (*day > ctx->today) {
        ing_conflict (out, KIND_EVENT, index, SOCIN_E (FUTURE_PERIOD), "date", ev->date,
                      "date %s is in the future (today is %s)", ev->date, today);
        return false;
    }
    if (ctx->event_lock_days && (int64_t)*day + ctx->event_lock_days < ctx->today) {
        ing_conflict (out, KIND_EVENT, index, SOCIN_E (PERIOD_LOCKED), "date", ev->date,
                      "events older than %u days are locked (%s is before %s minus %u days)",
                      ctx->event_lock_days, ev->date, today, ctx->event_lock_days);
        return false;
    }
    if (!socin_unit_valid_during (unit, *day, *day)) {
        ing_conflict (out, KIND_EVENT, index, SOCIN_E (UNIT_NOT_VALID_IN_PERIOD), "unit", ev->unit,
                      "unit %s did not exist on %s", s_unit_label (unit, label, sizeof label),
                      ev->date);
        return false;
    }
    return true;
}

/* The type, and the vulnerable groups: known target groups, each once, none with more
   participants than the event. */
static bool
s_event_groups (const ing_context_t *ctx, const Socin__V1__ParticipationEvent *ev, uint32_t index,
                ing_checked_t *out)
{
    if (ev->type < SOCIN__V1__EVENT_TYPE__EVENT_TYPE_PUBLIC_MEETING ||
        ev->type > SOCIN__V1__EVENT_TYPE__EVENT_TYPE_FAMILY_INTERVIEWS) {
        char value[16];
        snprintf (value, sizeof value, "%d", (int)ev->type);
        ing_conflict (out, KIND_EVENT, index, SOCIN_E (UNKNOWN_EVENT_TYPE), "type", value,
                      "event type %d is not one of public_meeting (1), round_table (2), "
                      "focus_group (3), working_group (4), survey (5), family_interviews (6)",
                      (int)ev->type);
        return false;
    }
    const socin_dimension_t *groups = socin_model_dimension (ctx->model, "target_group");
    for (size_t g = 0; g < ev->n_vulnerable; g++) {
        const Socin__V1__GroupParticipants *gp = ev->vulnerable[g];
        if (!ing_text_ok (out, KIND_EVENT, index, "vulnerable", gp->group, ING_ID_MAX))
            return false;
        bool known = false;
        for (size_t o = 0; groups && o < groups->pb->n_options && !known; o++)
            known = !strcmp (groups->pb->options[o]->code, gp->group);
        if (!known) {
            ing_conflict (out, KIND_EVENT, index, SOCIN_E (UNKNOWN_DISAGGREGATION), "vulnerable",
                          gp->group,
                          "\"%s\" is not a target group (socin registry list "
                          "dimensions shows target_group's options)",
                          gp->group);
            return false;
        }
        for (size_t h = 0; h < g; h++)
            if (!strcmp (ev->vulnerable[h]->group, gp->group)) {
                ing_conflict (out, KIND_EVENT, index, SOCIN_E (DUPLICATE_KEY), "vulnerable",
                              gp->group, "target group %s is listed twice", gp->group);
                return false;
            }
        if (gp->participants > ev->participants) {
            char value[32];
            snprintf (value, sizeof value, "%u", gp->participants);
            ing_conflict (out, KIND_EVENT, index, SOCIN_E (INCONSISTENT_COUNTS), "vulnerable",
                          value, "%u participants from %s exceed the %u participants in total",
                          gp->participants, gp->group, ev->participants);
            return false;
        }
    }
    return true;
}

static void
s_check_event (const ing_context_t *ctx, Socin__V1__ParticipationEvent *ev, uint32_t index,
               ing_checked_t *out, socin_index_t *seen, ing_event_t *ok, bool *valid)
{
    *valid = false;
    const socin_unit_t *unit = s_event_unit (ctx, ev, index, out);
    if (!unit) return;
    int32_t day = 0;
    if (!ev->delete_ &&
        (!s_event_day (ctx, ev, index, out, unit, &day) || !s_event_groups (ctx, ev, index, out)))
        return;
    ok->index = index;
    ok->event = ev;
    ok->unit = unit;
    ok->day = day;
    size_t a = strlen (unit->code), b = strlen (ev->event_id);
    ok->key[0] = 'E';
    memcpy (ok->key + 1, unit->code, a + 1);
    memcpy (ok->key + 2 + a, ev->event_id, b);
    ok->keylen = 2 + a + b;
    uintptr_t first = (uintptr_t)socin_index_get (seen, ok->key, ok->keylen);
    if (first) {
        ing_conflict (out, KIND_EVENT, index, SOCIN_E (DUPLICATE_KEY), "event_id", ev->event_id,
                      "event %zu has the same unit and event id (%s %s)", (size_t)(first - 1),
                      unit->code, ev->event_id);
        return;
    }
    *valid = true;
}

/* Key order, then item order (so of two items with one key the first comes first). */
static int
s_cmp_value (const void *a, const void *b)
{
    const ing_value_t *x = a, *y = b;
    size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
    int c = memcmp (x->key, y->key, n);
    if (c) return c;
    if (x->keylen != y->keylen) return x->keylen < y->keylen ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int
s_cmp_conflict (const void *a, const void *b)
{
    const Socin__V1__Conflict *x = *(const Socin__V1__Conflict *const *)a,
                              *y = *(const Socin__V1__Conflict *const *)b;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorted values with one key twice: every one after the first is a conflict. */
static void
s_drop_duplicates (const Socin__V1__Submission *sub, ing_checked_t *out)
{
    size_t kept = 0;
    for (size_t i = 0; i < out->nvalues; i++) {
        ing_value_t *v = &out->values[i];
        ing_value_t *prev = kept ? &out->values[kept - 1] : NULL;
        if (prev && prev->keylen == v->keylen && !memcmp (prev->key, v->key, v->keylen)) {
            const Socin__V1__DataValue *dv = sub->values[v->index];
            ing_conflict (
                out, KIND_VALUE, v->index, SOCIN_E (DUPLICATE_KEY), "indicator", dv->indicator,
                "item %u has the same indicator, unit, period and disaggregation (%s %s %s%s%s)",
                prev->index, v->indicator->code, v->unit->code, v->period,
                *v->disaggregation ? " " : "", v->disaggregation);
            continue;
        }
        out->values[kept++] = *v;
    }
    out->nvalues = kept;
}

void
ing_checked_reset (ing_checked_t *checked)
{
    for (size_t i = checked->nvalidated; i < checked->nconflicts; i++)
        protobuf_c_message_free_unpacked (&checked->conflicts[i]->base, NULL);
    if (checked->nconflicts > checked->nvalidated) checked->nconflicts = checked->nvalidated;
    s_warnings_free (checked);
    for (size_t i = 0; i < checked->nvalues; i++) {
        checked->values[i].refused = false;
        checked->values[i].shape_at_insert = false;
    }
}

void
ing_checked_sort (ing_checked_t *checked)
{
    size_t from = checked->nvalidated <= checked->nconflicts ? checked->nvalidated : 0;
    if (checked->nconflicts - from > 1)
        qsort (checked->conflicts + from, checked->nconflicts - from, sizeof *checked->conflicts,
               s_cmp_conflict);
}

void
ing_validate (const ing_context_t *ctx, const Socin__V1__Submission *sub, ing_checked_t *out)
{
    socin_index_t *seen = socin_index_new ();
    out->values = socin_calloc (sub->n_values ? sub->n_values : 1, sizeof *out->values);
    out->events = socin_calloc (sub->n_events ? sub->n_events : 1, sizeof *out->events);
    s_cache_t cache = {0};
    for (size_t i = 0; i < sub->n_values; i++) {
        /* Scattered values each look up another unit (a run of one is served by the cache). */
        socin_model_units_prefetch (ctx->model, (void *const *)sub->values,
                                    offsetof (Socin__V1__DataValue, unit), i, sub->n_values);
        ing_value_t *ok = &out->values[out->nvalues];
        bool valid;
        s_check_value (ctx, sub->values[i], (uint32_t)i, out, &cache, ok, &valid);
        if (valid) out->nvalues++;
    }
    if (out->nvalues > 1) {
        /* Feeds mostly send values in key order already: then there is nothing to sort. */
        size_t i = 1;
        while (i < out->nvalues && s_cmp_value (&out->values[i - 1], &out->values[i]) < 0)
            i++;
        if (i < out->nvalues)
            qsort (out->values, out->nvalues, sizeof *out->values, s_cmp_value);
        s_drop_duplicates (sub, out);
    }
    for (size_t i = 0; i < out->nvalues; i++)
        out->runs += i == 0 || out->values[i].unit != out->values[i - 1].unit ||
                     strcmp (out->values[i].period, out->values[i - 1].period);
    for (size_t i = 0; i < sub->n_events; i++) {
        ing_event_t *ok = &out->events[out->nevents];
        bool valid;
        s_check_event (ctx, sub->events[i], (uint32_t)i, out, seen, ok, &valid);
        if (!valid) continue;
        socin_index_put (seen, ok->key, ok->keylen, (void *)(uintptr_t)(i + 1));
        out->nevents++;
    }
    socin_index_destroy (&seen);
    out->model = ctx->model;
    ing_checked_seal (out);
}

void
ing_checked_seal (ing_checked_t *checked)
{
    checked->nvalidated = 0;
    ing_checked_sort (checked);
    checked->nvalidated = checked->nconflicts;
}
