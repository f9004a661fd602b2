/*  followup: values marked for follow-up (DHIS2's `followup`), at the ingest.

    A mark names a stored value by its key and is checked as the value's key is (indicator,
    unit, period, disaggregation, the submitter's territory and data sets, the period's lock);
    it is applied after the submission's values, so a value and its mark can come together. A
    value sent with DataValue.followup set (the `followup` column of a DHIS2 file) is marked too,
    as if an item named it (without a comment, counted with the value); clearing the flag on a
    value leaves a mark standing, which only a mark item clears. The `followups` database keeps each
   marked value's key with the mark's batch and comment; clearing a mark removes it. Each accepted
   change rides to reporting in the submission's last change batch, where the later version wins.
*/
#ifndef SOCIN_INGEST_FOLLOWUP_H
#define SOCIN_INGEST_FOLLOWUP_H

#include <lmdb.h>

#include "validate.h"

/* Validates SUB's follow-up marks into OUT->followups (conflicts of ITEM_KIND_FOLLOWUP), after
   ing_validate: the conflicts so far then count as validation's (ing_checked_seal). */
void ing_followup_validate (const ing_context_t *ctx, const Socin__V1__Submission *sub,
                            ing_checked_t *out);

/* Applies P's marks inside TXN (VALUES: the current values; FOLLOWUPS: the marks) as change
   batch SEQ (nothing is written when DRY). A mark on a value that is not stored is refused
   (ERROR_CODE_NO_SUCH_VALUE); setting a mark counts as imported (updated when only the comment
   changes), clearing one as deleted, the same mark again as ignored. Changed marks go to
   CHANGES (room for every mark of P), their count to *NCHANGES. An LMDB code, or 0. */
int ing_followup_apply (MDB_txn *txn, MDB_dbi values, MDB_dbi followups, ing_checked_t *checked,
                        const Socin__V1__Submission *sub, ing_counts_t *counts, uint64_t seq,
                        bool dry, Socin__V1__FollowupMark *changes, size_t *nchanges);

#endif
