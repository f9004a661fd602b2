/*  shape: a total and its breakdowns are alternatives, never summed together.

    For one indicator, unit and period the values stored are either the total alone or
    breakdowns by one set of dimensions (all `sex=…`, or all `sex=…,age=…`), so that the sum of
    what a unit sent is its total whatever it sent — the roll-ups, completeness and rules then
    count each person once. A value of another shape than the values stored for its indicator,
    unit and period (after the submission's own deletions) is refused with
    ERROR_CODE_MIXED_DISAGGREGATION; when nothing is stored, the submission's first value of
    that key (in item order) sets the shape. To change shape, delete the stored values in the
    same or an earlier submission. See docs/catalogue.md, "Totals and breakdowns".
*/
#ifndef SOCIN_INGEST_SHAPE_H
#define SOCIN_INGEST_SHAPE_H

#include <lmdb.h>
#include <stdbool.h>

#include "validate.h"

/* Refuses (marks refused, with a conflict) each of CHECKED's values that would mix shapes
   with the values stored in VALUES inside TXN. An LMDB code, or 0. */
int ing_shape_check (MDB_txn *txn, MDB_dbi values, ing_checked_t *checked);

/* A check of the values [FROM, TO) of CHECKED, which share the first parts of their key
   (PLEN bytes). An LMDB code, or 0. */
typedef int (ing_shape_run_fn) (MDB_txn *txn, MDB_dbi values, ing_checked_t *checked, size_t from,
                                size_t to, size_t plen);

/* Calls FN for each run of CHECKED's values (in key order) that share the first PARTS
   NUL-terminated parts of their key ("U" unit, period, indicator), until one fails; its code,
   or 0. */
int ing_shape_runs (MDB_txn *txn, MDB_dbi values, ing_checked_t *checked, int parts,
                    ing_shape_run_fn *fn);

/* Whether canonical disaggregations A and B name the same dimensions ("" for the total). */
bool ing_shape_same (const char *a, const char *b);

#endif
