/*  marks: follow-up marks and approval states at reporting, as the ingests forwarded them.

        followups         value key -> the latest mark's version, flag, submitter, comment
        approvals         "A" dataset NUL period NUL unit -> the latest state's version, step,
                          submitter, comment
        approval_history  approval key, 0xFF, be64(ms), source, NUL, be64(seq) -> each change

    They ride in change batches, so each is applied exactly once, in the batch's transaction;
    between sources the later version wins (accepted time, source, sequence) and a cleared mark
    is kept with its version, so the state does not depend on delivery order. Reads open their
    own read transaction (or take the caller's).
*/
#ifndef SOCIN_REPORTING_MARKS_H
#define SOCIN_REPORTING_MARKS_H

#include <lmdb.h>

#include "model.h"
#include "store.h"
#include "socin/v1/forward.pb-c.h"
#include "socin/v1/report.pb-c.h"

/* Where they live. */
typedef struct {
    socin_store_t *store;
    MDB_dbi values; /* reporting's current values (apply.h), for the marked values */
    MDB_dbi approvals, approval_history, followups;
} rep_marks_dbs_t;

/* Opens the databases in STORE (at start-up); VALUES is apply.h's. */
void rep_marks_open (rep_marks_dbs_t *dbs, socin_store_t *store, MDB_dbi values);

/* Applies BATCH's follow-up marks and approval states from SOURCE inside TXN. An LMDB code,
   or 0. */
int rep_marks_apply (const rep_marks_dbs_t *dbs, MDB_txn *txn, const char *source,
                     const Socin__V1__ChangeBatch *batch);

/* The approval step (Socin__V1__ApprovalStep, 0 none) of DATASET for UNIT and PERIOD (text)
   in TXN. */
int rep_marks_step (const rep_marks_dbs_t *dbs, MDB_txn *txn, const char *dataset,
                    const char *period, const char *unit);

/* The approval step of DATASET for each unit of MODEL in PERIOD (text), read from TXN in one
   pass over the data set's and period's states, into STEP[unit id] (NUNITS + 1 entries, 0 for
   a unit with none). */
void rep_marks_steps (const rep_marks_dbs_t *dbs, MDB_txn *txn, const socin_model_t *model,
                      const char *dataset, const char *period, size_t nunits, uint8_t *step);

/* The values marked for follow-up whose unit lies under ROOT, of PERIOD and INDICATOR when
   not empty, into OUT (an initialised Followups; parts malloc'ed), in key order (unit, period,
   indicator). -1 when the store cannot be read. */
int rep_marks_followups (const rep_marks_dbs_t *dbs, const socin_model_t *model,
                         const socin_unit_t *root, const char *period, const char *indicator,
                         Socin__V1__Followups *out);

/* The approval history of DATASET, PERIOD, UNIT, oldest first, and the current step into OUT
   (an initialised ApprovalHistory; parts malloc'ed). -1 when the store cannot be read. */
int rep_marks_approval_history (const rep_marks_dbs_t *dbs, const char *dataset, const char *period,
                                const char *unit, Socin__V1__ApprovalHistory *out);

#endif
