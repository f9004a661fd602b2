/*  ruleeval: validation rules evaluated from supplied figures. See ruleeval.h. */
#include "ruleeval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleexpr.h"

/* Adds IND's figure for DISAGG, times T's factor and sign, to SIDE. */
static void
s_add_figure (const socin_rule_figures_t *f, const socin_indicator_t *ind, const char *disagg,
              const socin_rule_term_t *t, socin_rule_side_t *side)
{
    socin_dec_t v;
    int rc = f->figure (f->arg, ind, disagg, &v);
    if (rc < 0) side->unavailable = true;
    if (rc) return;
    side->any = true;
    side->sum += (socin_sum_t)t->sign * (socin_sum_t)v * (socin_sum_t)t->factor;
}

/* Adds term T to SIDE. */
static void
s_add_term (const socin_model_t *model, const socin_rule_figures_t *f, const socin_rule_term_t *t,
            socin_rule_side_t *side)
{
    if (t->number) {
        side->sum += (socin_sum_t)t->sign * (socin_sum_t)t->factor * SOCIN_DEC_SCALE;
        return;
    }
    const socin_indicator_t *ind = socin_model_indicator (model, t->indicator);
    if (!ind || ind->derived) return;
    if (!t->braces || !*t->pattern) {
        s_add_figure (f, ind, "", t, side);
        return;
    }
    if (!strchr (t->pattern, '*')) {
        char canon[256], why[200];
        if (socin_model_disaggregation (model, ind, t->pattern, canon, sizeof canon, why,
                                        sizeof why) == 0)
            s_add_figure (f, ind, canon, t, side);
        return;
    }
    char **names = NULL;
    size_t n = f->disaggregations (f->arg, ind, &names);
    for (size_t i = 0; i < n; i++) {
        if (socin_rule_pattern_matches (t->pattern, names[i]))
            s_add_figure (f, ind, names[i], t, side);
        free (names[i]);
    }
    free (names);
}

static socin_rule_side_t
s_side (const socin_model_t *model, const socin_rule_figures_t *f, const char *text)
{
    socin_rule_side_t side = {0};
    socin_rule_term_t terms[SOCIN_RULE_TERMS_MAX];
    char why[200];
    int n = socin_rule_expr_parse (text, terms, why, sizeof why);
    bool figures = false;
    for (int i = 0; i < n; i++) {
        s_add_term (model, f, &terms[i], &side);
        figures = figures || !terms[i].number;
    }
    /* A side of numbers only is always there. */
    if (!figures) side.any = true;
    if (n < 0) side.unavailable = true; /* checked at import; never evaluated half-read */
    return side;
}

socin_rule_outcome_t
socin_rule_evaluate (const socin_model_t *model, const socin_rule_t *rule,
                     const socin_rule_figures_t *figures, socin_rule_side_t *left,
                     socin_rule_side_t *right)
{
    *left = s_side (model, figures, rule->pb->left);
    *right = s_side (model, figures, rule->pb->right);
    if (left->unavailable || right->unavailable) return SOCIN_RULE_UNAVAILABLE;
    if (!left->any || !right->any) return SOCIN_RULE_SKIPPED;
    return socin_rule_holds (socin_rule_operator (rule->pb->operator_), left->sum, right->sum)
               ? SOCIN_RULE_HOLDS
               : SOCIN_RULE_VIOLATED;
}

bool
socin_rule_side_takes (const char *text, const socin_indicator_t *ind, const char *disagg)
{
    socin_rule_term_t terms[SOCIN_RULE_TERMS_MAX];
    char why[200];
    int n = socin_rule_expr_parse (text, terms, why, sizeof why);
    bool figures = false;
    for (int i = 0; i < n; i++) {
        const socin_rule_term_t *t = &terms[i];
        if (t->number) continue;
        figures = true;
        if (strcmp (t->indicator, ind->code)) continue;
        /* INDICATOR is the total the unit sent or the sum of its breakdowns: any value. */
        if (!t->braces || !*t->pattern || socin_rule_pattern_matches (t->pattern, disagg))
            return true;
    }
    return n >= 0 && !figures;
}

const char *
socin_rule_side_text (socin_sum_t sum, char *buf, size_t len)
{
    socin_dec_t v;
    if (socin_sum_div (sum, SOCIN_DEC_SCALE, &v))
        snprintf (buf, len, "overflow");
    else
        socin_dec_format (v, buf, len);
    return buf;
}
