/*  ruleeval: a validation rule evaluated for one unit and period, from figures its caller
    supplies: reporting's cube (services/reporting/rules.c, the unit and everything beneath
    it) or the ingest's stored values of one unit (services/ingest/rulewarn.c). Each side is
    the sum of its terms, each an indicator's figure (or a number) times its factor; figures
    and factors are micros, so a side is an exact 128-bit count of 10^-12 and the comparison
    never rounds. A rule is decided only when each side has at least one value (a side of
    numbers only always has one).
*/
#ifndef SOCIN_RULEEVAL_H
#define SOCIN_RULEEVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "decimal.h"
#include "model.h"

/* One side of a rule for one unit and period. */
typedef struct {
    socin_sum_t sum;  /* 10^-12 */
    bool any;         /* a value took part (or the side is numbers only) */
    bool unavailable; /* a figure cannot be had (reporting: reported more coarsely than the
                         period), or the side does not parse */
} socin_rule_side_t;

/* Where the figures come from, for the unit and period being evaluated. */
typedef struct {
    /* IND's figure for canonical disaggregation DISAGG ("" for the total: the total the unit
       sent or its breakdowns, by IND's own aggregation) into *OUT: 0, 1 when there is none,
       -1 when it cannot be had. */
    int (*figure) (void *arg, const socin_indicator_t *ind, const char *disagg, socin_dec_t *out);
    /* The canonical disaggregations of IND there may be figures for, as malloc'ed copies into
     *OUT (free each and the array); their count. */
    size_t (*disaggregations) (void *arg, const socin_indicator_t *ind, char ***out);
    void *arg;
} socin_rule_figures_t;

typedef enum {
    SOCIN_RULE_HOLDS,
    SOCIN_RULE_VIOLATED,
    SOCIN_RULE_SKIPPED,     /* a side has no value */
    SOCIN_RULE_UNAVAILABLE, /* a figure cannot be had */
} socin_rule_outcome_t;

/* Evaluates RULE with FIGURES (indicators from MODEL); both sides into LEFT and RIGHT. */
socin_rule_outcome_t socin_rule_evaluate (const socin_model_t *model, const socin_rule_t *rule,
                                          const socin_rule_figures_t *figures,
                                          socin_rule_side_t *left, socin_rule_side_t *right);

/* Whether side TEXT has a figure once a value of IND with canonical DISAGG is known: it is
   numbers only, or one of its terms takes that value. */
bool socin_rule_side_takes (const char *text, const socin_indicator_t *ind, const char *disagg);

/* A side's figure as exact decimal text (rounded half away from zero to micros) into BUF of
   SOCIN_DEC_STRLEN bytes, "overflow" when it does not fit; returns BUF. */
const char *socin_rule_side_text (socin_sum_t sum, char *buf, size_t len);

#endif
