/*  rules: validation rules evaluated from the cube. See rules.h. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mem.h"
#include "ruleeval.h"

/* The unit and period whose figures a rule is evaluated with. */
typedef struct {
    const rep_query_ctx_t *ctx;
    const socin_unit_t *unit;
    socin_period_t period;
} s_at_t;

/* IND's figure for DISAGG over the unit and everything beneath it (socin_rule_figures_t). */
static int
s_figure (void *arg, const socin_indicator_t *ind, const char *disagg, socin_dec_t *out)
{
    const s_at_t *at = arg;
    socin_agg_t agg;
    if (rep_query_aggregate (at->ctx, ind, at->unit, at->period, disagg, &agg)) return -1;
    return socin_agg_value (&agg, ind->aggregation, out) ? 1 : 0;
}

/* The disaggregations of IND the cube holds (socin_rule_figures_t). */
static size_t
s_disaggregations (void *arg, const socin_indicator_t *ind, char ***out)
{
    const s_at_t *at = arg;
    const char **names;
    size_t n = rep_cube_disaggregations (at->ctx->cube, ind, &names);
    /* The names live in a buffer the next call reuses: copies. */
    *out = socin_calloc (n + 1, sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = socin_strdup (names[i]);
    return n;
}

/* A side's figure as text. */
static char *
s_text (socin_sum_t sum)
{
    char buf[SOCIN_DEC_STRLEN];
    return socin_strdup (socin_rule_side_text (sum, buf, sizeof buf));
}

static Socin__V1__Violation *
s_violation (const socin_rule_t *r, const socin_unit_t *unit, const char *period,
             const socin_rule_side_t *l, const socin_rule_side_t *rt)
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
    socin_rule_side_t l, rt;
    s_at_t at = {ctx, unit, period};
    socin_rule_figures_t figures = {s_figure, s_disaggregations, &at};
    socin_rule_outcome_t outcome = socin_rule_evaluate (ctx->model, r, &figures, &l, &rt);
    if (outcome == SOCIN_RULE_UNAVAILABLE) return false;
    if (outcome == SOCIN_RULE_SKIPPED) out->skipped++;
    if (outcome != SOCIN_RULE_VIOLATED) return true;
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
