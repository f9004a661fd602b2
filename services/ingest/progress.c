/*  progress: measure progress items against the replica. See progress.h. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "index.h"
#include "mem.h"
#include "plan.h"
#include "socin/v1/errors.pb-c.h"

#define KIND_MEASURE SOCIN__V1__ITEM_KIND__ITEM_KIND_MEASURE

/* One item being checked. */
typedef struct {
    const ing_context_t *ctx;
    const Socin__V1__MeasureProgress *mp;
    uint32_t index;
    ing_checked_t *out;
    const socin_plan_t *plan;
    const Socin__V1__Measure *measure;
    socin_dec_t spent[SOCIN_FUNDING_COUNT + 1];
    socin_dec_t output;
    bool has_output;
} s_check_t;

static bool
s_text_ok (s_check_t *c, const char *field, const char *text, size_t max)
{
    size_t len = strlen (text), bad;
    if (!socin_utf8_valid (text, len, &bad)) {
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (INVALID_TEXT), field, text,
                      "%s is not valid UTF-8 (byte %zu)", field, bad + 1);
        return false;
    }
    if (len > max) {
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (FIELD_TOO_LONG), field, text,
                      "%s has %zu bytes; at most %zu are accepted", field, len, max);
        return false;
    }
    return true;
}

/* Required fields, text that is text, a known plan and measure. */
static bool
s_resolve (s_check_t *c)
{
    const Socin__V1__MeasureProgress *mp = c->mp;
    const char *fields[] = {"plan", mp->plan, "measure", mp->measure, "period", mp->period};
    for (int f = 0; f < 6; f += 2) {
        if (!*fields[f + 1]) {
            ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (MISSING_FIELD), fields[f], "",
                          "%s is empty", fields[f]);
            return false;
        }
        if (!s_text_ok (c, fields[f], fields[f + 1], ING_ID_MAX)) return false;
    }
    if (!s_text_ok (c, "comment", mp->comment, ING_COMMENT_MAX) ||
        !s_text_ok (c, "output_value", mp->output_value, 100))
        return false;
    if (!(c->plan = socin_model_plan (c->ctx->model, mp->plan))) {
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (UNKNOWN_PLAN), "plan", mp->plan,
                      "plan \"%s\" is not in the registry (socin registry list plans)", mp->plan);
        return false;
    }
    if (!(c->measure = socin_plan_measure (c->plan, mp->measure))) {
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (UNKNOWN_MEASURE), "measure",
                      mp->measure,
                      "plan %s has no measure \"%s\" (it has %zu measures; socin "
                      "registry show plan %s)",
                      mp->plan, mp->measure, c->plan->pb->n_measures, mp->plan);
        return false;
    }
    return true;
}

/* The plan's owner lies inside the submitter's territory and this ingest's. */
static bool
s_territory (s_check_t *c)
{
    const ing_context_t *ctx = c->ctx;
    const socin_plan_t *plan = c->plan;
    if (!socin_plan_covered_by (ctx->model, plan, ctx->submitter)) {
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (OUTSIDE_TERRITORY), "plan",
                      c->mp->plan,
                      "plan %s belongs to %s, which is outside the territory of "
                      "submitter %s",
                      plan->code, plan->pb->owner, ctx->submitter->code);
        return false;
    }
    if (!ctx->nterritory) return true;
    /* The ingest serves the owner (a group's first member decides for a group). */
    const socin_unit_t *unit = NULL;
    if (plan->owner_unit)
        unit = socin_model_unit_at (ctx->model, plan->owner_unit);
    else {
        const socin_group_t *g = socin_model_group_at (ctx->model, plan->owner_group);
        if (g && g->nmembers) unit = socin_model_unit_at (ctx->model, g->members[0]);
    }
    for (size_t i = 0; unit && i < ctx->nterritory; i++)
        if (socin_unit_under (unit, ctx->territory[i])) return true;
    ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (OUTSIDE_TERRITORY), "plan", c->mp->plan,
                  "plan %s belongs to %s, outside the territory this ingest serves; submit it to "
                  "the ingest of its region",
                  plan->code, plan->pb->owner);
    return false;
}

/* The period: well formed, inside the plan's window, begun, not locked. */
static bool
s_period (s_check_t *c)
{
    const Socin__V1__MeasureProgress *mp = c->mp;
    socin_period_t period;
    char why[200], day[SOCIN_DATE_STRLEN];
    if (socin_period_parse (mp->period, &period, why, sizeof why)) {
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (MALFORMED_PERIOD), "period",
                      mp->period, "%s", why);
        return false;
    }
    int32_t start = socin_period_start (period), end = socin_period_end (period);
    if (start < c->plan->valid_from || end > c->plan->valid_to) {
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (OUTSIDE_PLAN_WINDOW), "period",
                      mp->period, "period %s is not inside the window of plan %s (%s to %s)",
                      mp->period, c->plan->code, c->plan->pb->valid_from, c->plan->pb->valid_to);
        return false;
    }
    if (start > c->ctx->today) {
        socin_date_format (c->ctx->today, day, sizeof day);
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (FUTURE_PERIOD), "period", mp->period,
                      "period %s has not begun (today is %s)", mp->period, day);
        return false;
    }
    uint32_t lock = c->plan->pb->lock_days;
    if (lock && (int64_t)end + lock < c->ctx->today) {
        socin_date_format (end + (int32_t)lock, day, sizeof day);
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (PERIOD_LOCKED), "period", mp->period,
                      "period %s locked after %s (plan %s locks %u days after a "
                      "period ends)",
                      mp->period, day, c->plan->code, lock);
        return false;
    }
    return true;
}

/* Status, amounts and the output value. */
static bool
s_figures (s_check_t *c)
{
    const Socin__V1__MeasureProgress *mp = c->mp;
    int status = (int)mp->status;
    if (status <= 0 || status > SOCIN__V1__MEASURE_STATUS__MEASURE_STATUS_CANCELLED) {
        char text[16];
        snprintf (text, sizeof text, "%d", status);
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (UNKNOWN_MEASURE_STATUS), "status",
                      text, "status %d is not one of %s", status, socin_measure_status_names ());
        return false;
    }
    size_t bad;
    char why[300], field[32];
    int code = socin_funding_read (mp->spent, mp->n_spent, c->spent, &bad, why, sizeof why);
    if (code) {
        const Socin__V1__FundingAmount *a = mp->spent[bad];
        snprintf (field, sizeof field, "spent.%s", socin_funding_name ((int)a->source));
        ing_conflict (c->out, KIND_MEASURE, c->index, code, field, a->amount, "%s", why);
        return false;
    }
    c->has_output = *mp->output_value != 0;
    if (c->has_output && socin_dec_parse (mp->output_value, strlen (mp->output_value), &c->output,
                                          why, sizeof why)) {
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (MALFORMED_VALUE), "output_value",
                      mp->output_value, "output value %s", why);
        return false;
    }
    if (c->has_output && c->output < 0) {
        ing_conflict (c->out, KIND_MEASURE, c->index, SOCIN_E (NEGATIVE_AMOUNT), "output_value",
                      mp->output_value, "output value %s is negative; it is at least 0",
                      mp->output_value);
        return false;
    }
    return true;
}

/* The accepted item in canonical form. */
static Socin__V1__MeasureProgress *
s_canonical (const s_check_t *c)
{
    const Socin__V1__MeasureProgress *mp = c->mp;
    Socin__V1__MeasureProgress *out = socin_malloc (sizeof *out);
    socin__v1__measure_progress__init (out);
    out->plan = socin_strdup (mp->plan);
    out->measure = socin_strdup (mp->measure);
    out->period = socin_strdup (mp->period);
    out->delete_ = mp->delete_;
    if (mp->delete_) return out;
    out->status = mp->status;
    out->spent = socin_funding_list (c->spent, &out->n_spent);
    char buf[SOCIN_DEC_STRLEN];
    if (c->has_output) socin_dec_format (c->output, buf, sizeof buf);
    out->output_value = socin_strdup (c->has_output ? buf : "");
    out->comment = socin_strdup (mp->comment);
    return out;
}

static void
s_check (const ing_context_t *ctx, const Socin__V1__MeasureProgress *mp, uint32_t index,
         ing_checked_t *out, socin_index_t *seen)
{
    s_check_t c = {.ctx = ctx, .mp = mp, .index = index, .out = out};
    if (!s_resolve (&c) || !s_territory (&c) || !s_period (&c)) return;
    if (!mp->delete_ && !s_figures (&c)) return;
    ing_measure_t *ok = &out->measures[out->nmeasures];
    ok->index = index;
    ok->keylen = socin_measure_key (mp->plan, mp->measure, mp->period, ok->key, ING_KEY_MAX);
    uintptr_t first = (uintptr_t)socin_index_get (seen, ok->key, ok->keylen);
    if (first) {
        ing_conflict (out, KIND_MEASURE, index, SOCIN_E (DUPLICATE_KEY), "measure", mp->measure,
                      "item %zu has the same plan, measure and period (%s %s %s)",
                      (size_t)(first - 1), mp->plan, mp->measure, mp->period);
        return;
    }
    socin_index_put (seen, ok->key, ok->keylen, (void *)(uintptr_t)(index + 1));
    ok->progress = s_canonical (&c);
    out->nmeasures++;
}

void
ing_progress_validate (const ing_context_t *ctx, const Socin__V1__Submission *sub,
                       ing_checked_t *out)
{
    out->measures = socin_calloc (sub->n_measures ? sub->n_measures : 1, sizeof *out->measures);
    socin_index_t *seen = socin_index_new ();
    for (size_t i = 0; i < sub->n_measures; i++)
        s_check (ctx, sub->measures[i], (uint32_t)i, out, seen);
    socin_index_destroy (&seen);
}
