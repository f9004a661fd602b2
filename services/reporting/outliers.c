/*  outliers: values against their unit's history. See outliers.h. */
#include "outliers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mem.h"

#define HISTORY_MAX 120

typedef unsigned __int128 s_u128_t;

/* A 256-bit unsigned integer, least significant word first. */
typedef struct {
    uint64_t w[4];
} s_u256_t;

static s_u256_t
s_mul (s_u128_t a, s_u128_t b)
{
    uint64_t x[2] = {(uint64_t)a, (uint64_t)(a >> 64)}, y[2] = {(uint64_t)b, (uint64_t)(b >> 64)};
    s_u256_t r = {{0, 0, 0, 0}};
    for (int i = 0; i < 2; i++) {
        s_u128_t carry = 0;
        for (int j = 0; j < 2; j++) {
            s_u128_t t = (s_u128_t)x[i] * y[j] + r.w[i + j] + carry;
            r.w[i + j] = (uint64_t)t;
            carry = t >> 64;
        }
        r.w[i + 2] = (uint64_t)carry;
    }
    return r;
}

static int
s_cmp (s_u256_t a, s_u256_t b)
{
    for (int i = 3; i >= 0; i--)
        if (a.w[i] != b.w[i]) return a.w[i] > b.w[i] ? 1 : -1;
    return 0;
}

static s_u128_t
s_abs (socin_sum_t v)
{
    return v < 0 ? (s_u128_t)0 - (s_u128_t)v : (s_u128_t)v;
}

/* A unit's history: its figures in the periods before, oldest first. */
typedef struct {
    socin_period_t periods[HISTORY_MAX];
    socin_dec_t values[HISTORY_MAX];
    int n;
} s_history_t;

/* IND's figure for UNIT in PERIOD: 0 with *OUT, 1 when there is none. */
static int
s_figure (const rep_query_ctx_t *ctx, const socin_indicator_t *ind, const socin_unit_t *unit,
          socin_period_t period, const char *disagg, socin_dec_t *out)
{
    socin_agg_t agg;
    if (rep_query_aggregate (ctx, ind, unit, period, disagg, &agg)) return 1;
    return socin_agg_value (&agg, ind->aggregation, out) ? 1 : 0;
}

static void
s_history (const rep_query_ctx_t *ctx, const socin_indicator_t *ind, const socin_unit_t *unit,
           socin_period_t period, const char *disagg, uint32_t depth, s_history_t *h)
{
    socin_period_t p = period;
    socin_period_t found[HISTORY_MAX];
    socin_dec_t vals[HISTORY_MAX];
    int n = 0;
    for (uint32_t i = 0; i < depth && i < HISTORY_MAX; i++) {
        p = socin_period_of_day (period.type, socin_period_start (p) - 1);
        if (s_figure (ctx, ind, unit, p, disagg, &vals[n]) == 0) found[n++] = p;
    }
    h->n = n;
    for (int i = 0; i < n; i++) {
        h->periods[i] = found[n - 1 - i];
        h->values[i] = vals[n - 1 - i];
    }
}

/* Whether X and H are small enough for the exact test's 128-bit sums of squares: within
   2^56 micros (about 72 billion) either way. Larger figures are not judged. */
static bool
s_in_bounds (socin_dec_t x, const s_history_t *h)
{
    const socin_dec_t lim = (socin_dec_t)1 << 56;
    bool ok = x < lim && x > -lim;
    for (int i = 0; i < h->n && ok; i++)
        ok = h->values[i] < lim && h->values[i] > -lim;
    return ok;
}

/* Whether X is an outlier against H by the z-score with K (micros) deviations; *Z gets the
   score for display (NAN when the history has no spread). */
static bool
s_zscore (socin_dec_t x, const s_history_t *h, socin_dec_t k, double *z)
{
    socin_sum_t n = h->n, s = 0, q = 0;
    for (int i = 0; i < h->n; i++) {
        s += h->values[i];
        q += (socin_sum_t)h->values[i] * h->values[i];
    }
    socin_sum_t a = n * x - s, var = n * q - s * s; /* n^2 (x - mean)^2 and n^2 sigma^2 */
    *z = var > 0 ? fabs ((double)a) / sqrt ((double)var) : NAN;
    if (var <= 0) return a != 0;
    s_u128_t am = s_abs (a) * (s_u128_t)SOCIN_DEC_SCALE, km = s_abs (k);
    /* (a 10^6)^2 > (k 10^6)^2 var  <=>  (x - mean)^2 > k^2 sigma^2 */
    return s_cmp (s_mul (am, am), s_mul (km * km, (s_u128_t)var)) > 0;
}

static char *
s_dec (socin_dec_t v)
{
    char buf[SOCIN_DEC_STRLEN];
    socin_dec_format (v, buf, sizeof buf);
    return socin_strdup (buf);
}

static Socin__V1__Outlier *
s_outlier (const socin_unit_t *unit, socin_dec_t x, const s_history_t *h, double z)
{
    Socin__V1__Outlier *o = socin_calloc (1, sizeof *o);
    socin__v1__outlier__init (o);
    o->unit = socin_strdup (unit->code);
    o->name = socin_strdup (unit->pb->name);
    o->value = s_dec (x);
    socin_sum_t s = 0;
    socin_dec_t lo = h->values[0], hi = h->values[0], mean = 0;
    for (int i = 0; i < h->n; i++) {
        s += h->values[i];
        if (h->values[i] < lo) lo = h->values[i];
        if (h->values[i] > hi) hi = h->values[i];
    }
    socin_sum_div (s, h->n, &mean);
    o->mean = s_dec (mean);
    o->min = s_dec (lo);
    o->max = s_dec (hi);
    if (!isnan (z)) {
        char buf[64];
        snprintf (buf, sizeof buf, "%.2f", z);
        o->score = socin_strdup (buf);
    }
    o->history = socin_calloc ((size_t)h->n + 1, sizeof *o->history);
    for (int i = 0; i < h->n; i++) {
        Socin__V1__PeriodValue *pv = socin_calloc (1, sizeof *pv);
        socin__v1__period_value__init (pv);
        char ptext[SOCIN_PERIOD_STRLEN];
        socin_period_format (h->periods[i], ptext, sizeof ptext);
        pv->period = socin_strdup (ptext);
        pv->value = s_dec (h->values[i]);
        o->history[o->n_history++] = pv;
    }
    return o;
}

/* The query's arguments: 0, or -1 with REPLY failed. */
static int
s_args (const rep_query_ctx_t *ctx, const Socin__V1__OutliersQuery *q,
        Socin__V1__ReportReply *reply, const socin_indicator_t **ind, socin_period_t *period,
        const socin_unit_t **root, char *disagg, socin_dec_t *k)
{
    char why[256];
    *ind = socin_model_indicator (ctx->model, q->indicator);
    if (!*ind || (*ind)->derived)
        return rep_query_fail (reply, SOCIN_E (NOT_FOUND),
                               "indicator '%s' is not a reported indicator of the catalogue",
                               q->indicator);
    if (socin_period_parse (q->period, period, why, sizeof why))
        return rep_query_fail (reply, SOCIN_E (INVALID_ARGUMENT), "period %s", why);
    if (period->type < (*ind)->period_type)
        return rep_query_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                               "period %s is finer than %s, which is reported %s", q->period,
                               q->indicator, socin_period_type_name ((*ind)->period_type));
    *root = socin_model_unit (ctx->model, *q->under ? q->under : "CZ");
    if (!*root)
        return rep_query_fail (reply, SOCIN_E (NOT_FOUND), "unit '%s' is not in the registry",
                               q->under);
    disagg[0] = 0;
    if (*q->disaggregation && socin_model_disaggregation (ctx->model, *ind, q->disaggregation,
                                                          disagg, 256, why, sizeof why))
        return rep_query_fail (reply, SOCIN_E (INVALID_ARGUMENT), "disaggregation %s", why);
    if (*q->method && strcmp (q->method, "zscore") && strcmp (q->method, "minmax"))
        return rep_query_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                               "method '%s' is not zscore or minmax", q->method);
    const char *t = *q->threshold ? q->threshold : "3";
    if (socin_dec_parse (t, strlen (t), k, why, sizeof why) || *k <= 0 ||
        *k > 1000 * SOCIN_DEC_SCALE)
        return rep_query_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                               "threshold '%s' is not a decimal above 0 and at most 1000", t);
    return 0;
}

void
rep_outliers_find (const rep_query_ctx_t *ctx, const Socin__V1__OutliersQuery *q,
                   Socin__V1__ReportReply *reply)
{
    const socin_indicator_t *ind = NULL;
    const socin_unit_t *root = NULL;
    socin_period_t period;
    char disagg[256], ptext[SOCIN_PERIOD_STRLEN];
    socin_dec_t k;
    if (s_args (ctx, q, reply, &ind, &period, &root, disagg, &k)) return;
    bool minmax = !strcmp (q->method, "minmax");
    uint32_t depth = q->history ? q->history : 12;
    const socin_unit_t **units;
    size_t n = rep_query_units_at (ctx->model, q->level ? q->level : SOCIN_LEVEL_MUNICIPALITY, root,
                                   NULL, socin_period_start (period), socin_period_end (period),
                                   &units);
    Socin__V1__Outliers *out = socin_calloc (1, sizeof *out);
    socin__v1__outliers__init (out);
    socin_period_format (period, ptext, sizeof ptext);
    out->indicator = socin_strdup (ind->code);
    out->period = socin_strdup (ptext);
    out->disaggregation = socin_strdup (disagg);
    out->method = socin_strdup (minmax ? "minmax" : "zscore");
    out->outliers = socin_calloc (n + 1, sizeof *out->outliers);
    s_history_t *h = socin_malloc (sizeof *h);
    for (size_t u = 0; u < n; u++) {
        socin_dec_t x;
        if (s_figure (ctx, ind, units[u], period, disagg, &x)) continue;
        out->units++;
        s_history (ctx, ind, units[u], period, disagg, depth, h);
        if (h->n < 2 || !s_in_bounds (x, h)) continue;
        out->judged++;
        double z = NAN;
        bool far = false;
        if (minmax) {
            socin_dec_t lo = h->values[0], hi = h->values[0];
            for (int i = 1; i < h->n; i++) {
                if (h->values[i] < lo) lo = h->values[i];
                if (h->values[i] > hi) hi = h->values[i];
            }
            far = x < lo || x > hi;
        } else
            far = s_zscore (x, h, k, &z);
        if (far) out->outliers[out->n_outliers++] = s_outlier (units[u], x, h, z);
    }
    free (h);
    free (units);
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_OUTLIERS;
    reply->outliers = out;
}
