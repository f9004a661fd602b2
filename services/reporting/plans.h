/*  plans: plan fulfilment (report.proto's PlanFulfilmentQuery) from the measure reports
    apply.c stores and the plans of the registry replica.

    Each measure stands as its latest report for a period begun on or before the day asked
    about (greatest period end, then start); a measure without one is planned. Which report
    is latest for a key was settled by version when it was applied, so no figure depends on
    the order sources delivered in. Rows count measures by status, the overdue ones (end
    before that day, neither done nor cancelled), the share done by count and by planned
    budget, planned and spent money by funding source, and output targets reached; every
    figure is an exact decimal. The reports are read from the store for each question: a
    country's plans hold some tens of thousands of reports, a scan of milliseconds.
*/
#ifndef SOCIN_REPORTING_PLANS_H
#define SOCIN_REPORTING_PLANS_H

#include <stddef.h>
#include <stdint.h>

#include "apply.h"
#include "model.h"
#include "socin/v1/report.pb-c.h"

/* Answers Q into OUT (an initialised PlanFulfilment; its parts are malloc'ed) from DBS and
   MODEL, TODAY standing for an empty as_of. 0, or an ErrorCode (INVALID_ARGUMENT, NOT_FOUND,
   STORAGE_ERROR) with WHY. */
int rep_plans_answer (const socin_model_t *model, const rep_apply_dbs_t *dbs, int32_t today,
                      const Socin__V1__PlanFulfilmentQuery *q, Socin__V1__PlanFulfilment *out,
                      char *why, size_t whylen);

#endif
