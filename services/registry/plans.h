/*  plans: the plans file (docs/plans.md) — plans with their measures as CSV (one row per
    measure, the plan's columns repeated on each of its rows) or JSON — read into registry
    records. Every field is checked as it is read (codes, kinds, dates, areas, amounts, the
    owner and target group against the registry) and every error names its line and field, so
    a file is accepted whole or not at all.
*/
#ifndef SOCIN_REGISTRY_PLANS_H
#define SOCIN_REGISTRY_PLANS_H

#include <stddef.h>

#include "model.h"

/* Reads LEN bytes of DATA as FORMAT ("csv", "json", or "" to tell by the first non-blank
   byte) against MODEL. 0 with a malloc'ed array of *COUNT plan records (free with
   reg_records_discard), or -1 with a message ("line 7, field owner: '999999' is neither a
   unit nor a group in the registry"). */
int reg_plans_parse (const socin_model_t *model, const char *data, size_t len, const char *format,
                     socin_record_t ***out, size_t *count, char *err, size_t errlen);

#endif
