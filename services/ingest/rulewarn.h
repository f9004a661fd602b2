/*  rulewarn: the catalogue's validation rules checked over one submission, as warnings.

    For each unit and period where the submission's accepted values take part in both sides
    of a rule (a side of numbers only always counts), the rule is evaluated over the unit's own
    values as stored once the submission is applied (a dry run's as they would be;
    common/ruleeval.h: exact decimals, each
    indicator by its own aggregation, as reporting evaluates it for a unit without units
    beneath it), and each violation becomes an ImportSummary.rule_warnings entry. Rules warn,
    they do not refuse: the values are stored all the same. Only values of the same period
    meet, so a rule comparing indicators of different period types is left to reporting
    (`socin report violations`), which also sees the units beneath one.
*/
#ifndef SOCIN_INGEST_RULEWARN_H
#define SOCIN_INGEST_RULEWARN_H

#include <lmdb.h>
#include <stdbool.h>

#include "validate.h"

/* Adds to CHECKED's warnings each rule of CHECKED's model that the values stored in VALUES
   inside TXN break, for the units and periods of CHECKED's accepted values. An LMDB code, or 0. */
int ing_rulewarn_check (MDB_txn *txn, MDB_dbi values, ing_checked_t *checked);

/* Whether ing_rulewarn_check may read the stored values of the unit and period of CHECKED's
   values [FROM, TO) (one run of one period and unit, ing_shape_run_end of 2 parts), whichever
   of them the checks against the stored state go on to refuse: false when no rule has both
   sides taken by them (then it warns of nothing there, whatever is stored). */
bool ing_rulewarn_reads (const ing_checked_t *checked, size_t from, size_t to);

#endif
