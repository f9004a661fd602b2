/*  rules: validation rules evaluated from the cube. See rules.h. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mem.h"
#include "ruleexpr.h"

/* One side of one rule for one unit: its sum in 10^-12 and whether any value took part. */
typedef struct {
    socin_sum_t sum;
    bool any;
    bool coarse; /* an indicator is reported more coarsely than the period */
} s_side_t;

/* Adds IND's figure for DISAGG at UNIT, times FACTOR (micros) and SIGN, to SIDE. */
static void
s_add_figure (const rep_query_ctx_t *ctx, const socin_indicator_t *ind, const socin_unit_t *unit,
              socin_period_t period, const char *disagg, const socin_rule_term_t *t, s_side_t *side)
{
    rep_agg_t agg;
    if (rep_query_aggregate (ctx, ind, unit, period, disagg, &agg)) {
        side->coarse = true;
        return;
    }
    socin_dec_t v;
    if (rep_agg_value (&agg, ind->aggregation, &v)) return;
    side->any = true;
    side->sum += (socin_sum_t)t->sign * (socin_sum_t)v * (socin_sum_t)t->factor;
}

/* Adds term T to SIDE. */
static void
s_add_term (const rep_query_ctx_t *ctx, const socin_rule_term_t *t, const socin_unit_t *unit,
            socin_period_t period, s_side_t *side)
{
    if (t->number) {
        side->sum += (socin_sum_t)t->sign * (socin_sum_t)t->factor * SOCIN_DEC_SCALE;
        return;
    }
    const socin_indicator_t *ind = socin_model_indicator (ctx->model, t->indicator);
    if (!ind || ind->derived) return;
    if (!t->braces || !*t->pattern) {
        s_add_figure (ctx, ind, unit, period, "", t, side);
        return;
    }
    if (!strchr (t->pattern, '*')) {
        char canon[256], why[200];
        if (socin_model_disaggregation (ctx->model, ind, t->pattern, canon, sizeof canon, why,
                                        sizeof why) == 0)
            s_add_figure (ctx, ind, unit, period, canon, t, side);
        return;
    }
    const char **names;
    size_t n = rep_cube_disaggregations (ctx->cube, ind, &names);
    /* The names live in a buffer the next call reuses: copy the matching ones first. */
    char **match = socin_calloc (n + 1, sizeof *match);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (socin_rule_pattern_matches (t->pattern, names[i])) match[m++] = socin_strdup (names[i]);
    for (size_t i = 0; i < m; i++) {
        s_add_figure (ctx, ind, unit, period, match[i], t, side);
        free (match[i]);
    }
    free (match);
}

static s_side_t
s_side (const rep_query_ctx_t *ctx, const char *text, const socin_unit_t *unit,
        socin_period_t period)
{
    s_side_t side = {0};
    socin_rule_term_t terms[SOCIN_RULE_TERMS_MAX];
    char why[200];
    int n = socin_rule_expr_parse (text, terms, why, sizeof why);
    bool figures = false;
    for (int i = 0; i < n; i++) {
        s_add_term (ctx, &terms[i], unit, period, &side);
        figures = figures || !terms[i].number;
    }
    /* A side of numbers only is always there. */
    if (!figures) side.any = true;
    if (n < 0) side.coarse = true; /* checked at import; never evaluated half-read */
    return side;
}

/* A side's figure as text: the sum of 10^-12 rounded to micros. */
static char *
s_text (socin_sum_t sum)
{
    socin_dec_t v;
    char buf[SOCIN_DEC_STRLEN];
    if (socin_sum_div (sum, SOCIN_DEC_SCALE, &v)) return socin_strdup ("overflow");
    socin_dec_format (v, buf, sizeof buf);
    return socin_strdup (buf);
}

static Socin__V1__Violation *
s_violation (const socin_rule_t *r, const socin_unit_t *unit, const char *period, const s_side_t *l,
             const s_side_t *rt)
{
    const Socin__V1__ValidationRule *pb = r->pb;
    Socin__V1__Violation *v = socin_calloc (1, sizeof *v);
    socin__v1__violation__init (v);
    v->rule = socin_strdup (r->code);
    v->name = socin_strdup (pb->name);
    v->importance = socin_strdup (pb->importance);
    v->unit = socin_strdup (unit->code);
    v->unit_name = socin_strdup (unit->pb->name);
    v->level = unit->level;
    v->period = socin_strdup (period);
    v->left_value = s_text (l->sum);
    v->operator_ = socin_strdup (pb->operator_);
    v->right_value = s_text (rt->sum);
    v->left = socin_strdup (pb->left);
    v->right = socin_strdup (pb->right);
    v->message = socin_strdup (pb->message);
    return v;
}

/* Evaluates rule R for UNIT into OUT; false when a side's indicator is coarser than PERIOD. */
static bool
s_evaluate (const rep_query_ctx_t *ctx, const socin_rule_t *r, const socin_unit_t *unit,
            socin_period_t period, Socin__V1__Violations *out, size_t *cap)
{
    s_side_t l = s_side (ctx, r->pb->left, unit, period);
    s_side_t rt = s_side (ctx, r->pb->right, unit, period);
    if (l.coarse || rt.coarse) return false;
    if (!l.any || !rt.any) {
        out->skipped++;
        return true;
    }
    if (socin_rule_holds (socin_rule_operator (r->pb->operator_), l.sum, rt.sum)) return true;
    if (out->n_violations == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        out->violations = socin_realloc (out->violations, *cap * sizeof *out->violations);
    }
    out->violations[out->n_violations++] = s_violation (r, unit, out->period, &l, &rt);
    return true;
}

/* The rules Q asks about into RULES (malloc'ed); their count, or -1 with REPLY failed. */
static int
s_rules (const rep_query_ctx_t *ctx, const Socin__V1__ViolationsQuery *q,
         Socin__V1__ReportReply *reply, const socin_rule_t ***rules)
{
    size_t total = socin_model_count (ctx->model, SOCIN_KIND_RULE);
    *rules = socin_calloc (total + 1, sizeof **rules);
    int n = 0;
    for (uint32_t id = 1; id <= total; id++) {
        const socin_rule_t *r = socin_model_rule_at (ctx->model, id);
        if ((*q->rule && strcmp (q->rule, r->code)) ||
            (*q->importance && strcmp (q->importance, r->pb->importance)))
            continue;
        (*rules)[n++] = r;
    }
    if (*q->rule && !n) {
        free (*rules);
        return rep_query_fail (reply, SOCIN_E (NOT_FOUND), "rule '%s' is not in the catalogue",
                               q->rule);
    }
    return n;
}

void
rep_rules_violations (const rep_query_ctx_t *ctx, const Socin__V1__ViolationsQuery *q,
                      Socin__V1__ReportReply *reply)
{
    char why[256], ptext[SOCIN_PERIOD_STRLEN];
    socin_period_t period;
    if (socin_period_parse (q->period, &period, why, sizeof why)) {
        rep_query_fail (reply, SOCIN_E (INVALID_ARGUMENT), "period %s", why);
        return;
    }
    const socin_unit_t *root = socin_model_unit (ctx->model, *q->under ? q->under : "CZ");
    if (!root) {
        rep_query_fail (reply, SOCIN_E (NOT_FOUND), "unit '%s' is not in the registry", q->under);
        return;
    }
    const socin_rule_t **rules;
    int nrules = s_rules (ctx, q, reply, &rules);
    if (nrules < 0) return;
    const socin_unit_t **units;
    size_t nunits = 1;
    if (q->level)
        nunits = rep_query_units_at (ctx->model, q->level, root, NULL, socin_period_start (period),
                                     socin_period_end (period), &units);
    else {
        units = socin_calloc (1, sizeof *units);
        units[0] = root;
    }
    Socin__V1__Violations *out = socin_calloc (1, sizeof *out);
    socin__v1__violations__init (out);
    socin_period_format (period, ptext, sizeof ptext);
    out->period = socin_strdup (ptext);
    size_t cap = 0;
    for (int r = 0; r < nrules; r++) {
        bool ok = true;
        for (size_t u = 0; u < nunits && ok; u++)
            ok = s_evaluate (ctx, rules[r], units[u], period, out, &cap);
        out->rules += ok;
        if (!ok && *q->rule)
            rep_query_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                            "rule %s compares indicators reported more coarsely than %s", q->rule,
                            ptext);
    }
    free (units);
    free (rules);
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_VIOLATIONS;
    reply->violations = out;
}
