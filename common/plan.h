/*  plan: what services ask of a plan and its measures — the names people type for plan kinds,
    funding sources and measure statuses, the policy areas a plan may cover, a measure by its
    code, whether a submitter covers a plan's owner, and lists of money by funding source.
    The records themselves are in model.h; reading plans files is services/registry/plans.c.
*/
#ifndef SOCIN_PLAN_H
#define SOCIN_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "decimal.h"
#include "model.h"
#include "socin/v1/ingest.pb-c.h"

/* Funding sources are 1..SOCIN_FUNDING_COUNT (FundingSource). */
#define SOCIN_FUNDING_COUNT 8

/* Names as users type and read them ("lap", "ope_plus", "in_progress") and back (0 for an
   unknown name; "unspecified" for an unknown value). */
const char *socin_plan_kind_name (int kind);
int socin_plan_kind_parse (const char *name);
const char *socin_funding_name (int source);
int socin_funding_parse (const char *name);
const char *socin_measure_status_name (int status);
int socin_measure_status_parse (const char *name);

/* The names of every plan kind, funding source or status joined by ", " (for messages). */
const char *socin_plan_kind_names (void);
const char *socin_funding_names (void);
const char *socin_measure_status_names (void);

/* AREA is one of the six EU key areas or the policy area of an indicator in MODEL. */
bool socin_policy_area_known (const socin_model_t *model, const char *area);

/* The six EU key areas joined by ", " (for messages). */
const char *socin_policy_area_eu_names (void);

/* The measure of PLAN with CODE, or NULL. */
const Socin__V1__Measure *socin_plan_measure (const socin_plan_t *plan, const char *code);

/* SUB's territory covers PLAN's owner: the owner unit, or every member of the owner group
   (false while the owner is unknown). */
bool socin_plan_covered_by (const socin_model_t *model, const socin_plan_t *plan,
                            const socin_submitter_t *sub);

/* PLAN is owned by ROOT or a unit beneath it, or by a group with a member beneath ROOT. */
bool socin_plan_under (const socin_model_t *model, const socin_plan_t *plan, uint32_t root);

/* The storage key of a measure report, "M" plan NUL measure NUL period, into KEY (MAX bytes):
   its length, or 0 when it does not fit. */
size_t socin_measure_key (const char *plan, const char *measure, const char *period, char *key,
                          size_t max);

/* Reads N amounts into OUT (indexed by source, SOCIN_FUNDING_COUNT + 1 entries, zeroed first).
   0, or an ErrorCode (UNKNOWN_FUNDING_SOURCE for a source out of range or given twice,
   MALFORMED_VALUE, NEGATIVE_AMOUNT) with *BAD the index of the amount at fault and WHY. */
int socin_funding_read (Socin__V1__FundingAmount *const *amounts, size_t n, socin_dec_t *out,
                        size_t *bad, char *why, size_t whylen);

/* The non-zero amounts of IN (indexed by source) as canonical FundingAmounts in source order,
   malloc'ed (each with its amount text): *N receives how many. Free with
   socin_funding_free. */
Socin__V1__FundingAmount **socin_funding_list (const socin_dec_t *in, size_t *n);
void socin_funding_free (Socin__V1__FundingAmount **list, size_t n);

#endif
