/*  rules: validation rules (registry kind `rule`) evaluated for units and a period.

    For each unit asked about, each side of a rule is the sum of its terms: an indicator's
    figure for the unit (aggregated by the indicator's own rule over the unit and everything
    beneath it, as roll-ups are; common/ruleeval.h, shared with the ingest's warnings), one
   disaggregation of it, the sum of its breakdowns by the dimensions a `{dim=*}` names, or a number,
   each times its factor. Sides are compared exactly (figures and factors are micros, so a side is a
   128-bit count of 10^-12). A rule is evaluated for a unit when each side has at least one value
   (or is numbers only); otherwise the pair is counted as skipped. Rules whose indicators are
   reported more coarsely than the period are left out (refused when the query names the rule).
*/
#ifndef SOCIN_REPORTING_RULES_H
#define SOCIN_REPORTING_RULES_H

#include "query.h"

/* Answers Q into REPLY (body violations, or an error). */
void rep_rules_violations (const rep_query_ctx_t *ctx, const Socin__V1__ViolationsQuery *q,
                           Socin__V1__ReportReply *reply);

#endif
