/*  ruleexpr: one side of a validation rule, parsed into terms.

    A side is terms joined by + or -: `PART_VULNERABLE`, `SH_FLATS * 4`, `2 * X`, `X{sex=f}`,
    `X{target_group=*}` (the sum of X's breakdowns by target_group alone), or a number. The
    registry checks a rule's sides when a catalogue is imported; ruleeval.h evaluates them
    for reporting and the ingest. Factors and numbers are exact decimals.
*/
#ifndef SOCIN_RULEEXPR_H
#define SOCIN_RULEEXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "decimal.h"

#define SOCIN_RULE_TERMS_MAX 16

typedef struct {
    int sign;           /* +1 or -1 */
    socin_dec_t factor; /* micros: 1.0 is SOCIN_DEC_SCALE; for a number, the number itself */
    bool number;        /* a constant: no indicator */
    char indicator[65]; /* indicator code */
    bool braces;        /* a {disaggregation} follows the code */
    char pattern[200];  /* inside the braces: "dim=opt,dim=*" ("" for braces left empty) */
} socin_rule_term_t;

/* Parses TEXT into at most SOCIN_RULE_TERMS_MAX TERMS; returns their count, or -1 with ERR
   naming what is wrong and where. */
int socin_rule_expr_parse (const char *text, socin_rule_term_t *terms, char *err, size_t errlen);

/* The comparison an operator text names: 1 <=, 2 <, 3 >=, 4 >, 5 ==, 6 != ; 0 unknown. */
int socin_rule_operator (const char *text);

/* Whether LEFT OP RIGHT holds (OP from socin_rule_operator). */
bool socin_rule_holds (int op, socin_sum_t left, socin_sum_t right);

/* Whether canonical disaggregation DISAGG ("dim=opt,...") matches PATTERN: the same dimensions,
   each option equal or the pattern's '*'. */
bool socin_rule_pattern_matches (const char *pattern, const char *disagg);

#endif
