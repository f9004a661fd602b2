/*  approval: a data set's period for a unit, approved step by step, and locked once approved.

    Steps: municipality (1) → region (2) → centre (3), each on top of the one below. Who may
    approve a step for a unit (a unit that reports the data set): any submitter whose territory
    covers it and who may report the data set (municipality); such a submitter whose territory
    is an ORP, okres, kraj or the country above the unit (region); a submitter for the whole
    country (centre). Withdrawing a step needs the same right, and the step above withdrawn
    first. Approved data is locked: a value of an indicator in an approved data set, for that
    unit and period, is refused with ERROR_CODE_DATA_APPROVED until every step is withdrawn.

        approvals  "A" dataset NUL period NUL unit -> step (1 byte), be64 seq, comment
        history    the same key + be64(seq) -> the state that batch left (every change)

    Approvals are checked against the stored state inside the group's transaction (so an
    approval and a value in one group are decided in arrival order, as commits are), and each
    accepted change rides in the submission's last change batch to reporting, exactly once.
*/
#ifndef SOCIN_INGEST_APPROVAL_H
#define SOCIN_INGEST_APPROVAL_H

#include <lmdb.h>

#include "validate.h"
#include "socin/v1/forward.pb-c.h"

/* Validates SUB's approval items into OUT->approvals (conflicts of ITEM_KIND_APPROVAL), after
   ing_validate and ing_followup_validate (ing_checked_seal). */
void ing_approval_validate (const ing_context_t *ctx, const Socin__V1__Submission *sub,
                            ing_checked_t *out);

/* Refuses (marks refused, with a conflict) each of CHECKED's values whose data set is
   approved for its unit and period in APPROVALS. An LMDB code, or 0. */
int ing_approval_lock (MDB_txn *txn, MDB_dbi approvals, ing_checked_t *checked);

/* Applies P's approval items inside TXN as batch SEQ (nothing written when DRY): the next step
   up (or the top step withdrawn) changes the state, counted as imported (updated when a state
   was stored; deleted when the last step is withdrawn); a step already in that state is
   ignored; out of order is refused (ERROR_CODE_APPROVAL_ORDER). The states left go to
   CHANGES (room for every item), their count to *NCHANGES. An LMDB code, or 0. */
int ing_approval_apply (MDB_txn *txn, MDB_dbi approvals, MDB_dbi history, ing_checked_t *checked,
                        const Socin__V1__Submission *sub, ing_counts_t *counts, uint64_t seq,
                        bool dry, Socin__V1__ApprovalState *changes, size_t *nchanges);

/* The step name users type and read ("municipality", "region", "centre"), and back (0 when
   unknown). */
const char *ing_approval_step_name (int step);

#endif
