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

#include "chunks.h"
#include "validate.h"

/* Refuses (marks refused, with a conflict) each of CHECKED's values that would mix shapes
   with the values stored in VALUES inside TXN. An LMDB code, or 0. */
int ing_shape_check (MDB_txn *txn, MDB_dbi values, ing_checked_t *checked);

/* The same check a part at a time, so that a value's shape is checked just before it is
   applied (the pages the check read are then still in the CPU's caches for the insert): a
   walk over CHECKED's values from the first, whole runs at a time. Between two parts the
   caller may write only the values of runs already checked (their keys come before every
   later run's), and must have flushed the handle it wrote VALUES with (a chunked map,
   chunks.h): the check reads VALUES as it is. */
typedef struct ing_shape_walk_t ing_shape_walk_t;
ing_shape_walk_t *ing_shape_walk_new (MDB_txn *txn, MDB_dbi values, int *rc);
void ing_shape_walk_destroy (ing_shape_walk_t **self_p);
/* Lets the walk leave a run of a single value (neither a deletion nor refused) unsearched
   when a stored key may share its indicator, unit and period: the value is marked
   shape_at_insert instead, and the caller, once it has stored the value as a new key, checks
   it with ing_shape_check_stored. The keys of one indicator, unit and period are next to each
   other in the tree, so if any is stored one lies just before or just after the new key: the
   walk's search is saved, and the insert's own finds those neighbours on its page. A value
   whose key was stored already has that key's shape, the stored shape. The caller stores
   every such value or finds its key (no dry run). */
void ing_shape_walk_defer (ing_shape_walk_t *self);

/* For value V of CHECKED (marked shape_at_insert), just stored as a new key: refuses it
   (marks it refused, with the conflict the walk would record) when BEFORE or AFTER, the
   stored keys just before and after it (mv_size 0 for none), is of its indicator, unit and
   period and of another shape. Whether it was refused: the caller then takes it out again. */
bool ing_shape_check_stored (ing_checked_t *checked, ing_value_t *v, const MDB_val *before,
                             const MDB_val *after);

/* Checks the runs of CHECKED's values from where the walk stands until at least the value
   before UPTO (whole runs: it may go past UPTO). An LMDB code, or 0. */
int ing_shape_walk (ing_shape_walk_t *self, ing_checked_t *checked, size_t upto);
/* The first value the walk has not checked. */
size_t ing_shape_walked (const ing_shape_walk_t *self);

/* The end of the run of CHECKED's values from FROM that share the first PARTS NUL-terminated
   parts of their key (3: indicator, unit and period), whose length goes to *PLEN. */
size_t ing_shape_run_end (const ing_checked_t *checked, size_t from, int parts, size_t *plen);

/* Checks the run of CHECKED's values [FROM, TO) (ing_shape_run_end of 3 parts, prefix PLEN
   bytes) against VALUES as they are now, for a caller that applies each run just after its
   check, as a deferring walk does (ing_shape_walk_defer: the same duty for the caller), and
   that may store other submissions' values between two runs: then OTHERS tells that it did
   since the last, so that nothing an earlier search found is trusted. WRITER, the handle the
   caller writes VALUES with, is flushed when the check searches. An LMDB code, or 0. */
int ing_shape_check_run (ing_shape_walk_t *self, ing_checked_t *checked, size_t from, size_t to,
                         size_t plen, socin_chunks_t *writer, bool others);

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
