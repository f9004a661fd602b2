/*  ledger: the ingest's durable state in LMDB.

        value_chunks value key (valuekey.h: "P" period NUL unit NUL indicator ...) -> current state,
                     a chunked map (chunks.h: many values an LMDB entry); stores written
                     before kept one entry per value in "values", moved at start-up
        events       "E" unit NUL event id -> current event
        measures     "M" plan NUL measure NUL period -> current measure progress report
        history      key + be64(seq) -> the state that change batch `seq` gave the key,
                     kept once a later change replaces it (a deletion keeps a tombstone)
        batches      be64(seq) -> who and when: submitter, key, submission id, time
        outbox       be64(seq) -> the change batch as forwarded, until reporting acknowledges
        submissions  submitter key + submission id -> content digest + import summary
        meta         last_seq, acked_seq

    A group of submissions is applied in one write transaction, committed once (group
    commit: one fsync for many submissions); each submission that changed anything becomes
    one change batch with the next sequence number — or several consecutive ones of at most
    `batch_values` values, its events and measure reports in the last — in the outbox in that same
   transaction. Nothing is answered before that commit returns. A run of the group's submissions may
   have its values applied in one key-ordered pass, which stores and answers exactly what applying
    them one after the other would (ledger.c, "a run of submissions in one sweep").
*/
#ifndef SOCIN_INGEST_LEDGER_H
#define SOCIN_INGEST_LEDGER_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "validate.h"
#include "socin/v1/forward.pb-c.h"
#include "socin/v1/ingest.pb-c.h"

typedef struct ing_ledger_t ing_ledger_t;

/* The database of the values' current states (a chunked map, chunks.h). */
#define ING_VALUES_DB "value_chunks"

/* One submission in a group commit. */
typedef struct {
    /* in */
    const Socin__V1__Submission *sub;
    const char *submitter;     /* registered name */
    const char *submitter_key; /* Z85 */
    ing_checked_t checked;
    uint8_t digest[20];
    /* out, recomputed on each attempt of the transaction */
    uint32_t imported, updated, ignored, deleted;
    uint64_t seq;       /* its (last) change batch, 0 when it changed nothing */
    uint64_t seq_first; /* its first change batch */
    int status;   /* Socin__V1__ImportStatus */
} ing_pending_t;

/* Opens the ledger's databases in STORE (at start-up). */
ing_ledger_t *ing_ledger_new (socin_store_t *store);

/* The most values one change batch carries (default 10,000; at least 1). */
void ing_ledger_set_batch_values (ing_ledger_t *self, size_t batch_values);
void ing_ledger_destroy (ing_ledger_t **self_p);

/* The store the ledger's databases live in. */
socin_store_t *ing_ledger_store (ing_ledger_t *self);

uint64_t ing_ledger_last_seq (ing_ledger_t *self);
uint64_t ing_ledger_acked_seq (ing_ledger_t *self);

/* How many submissions were applied in sweeps (ing_ledger_apply) since start-up, and how many
   sweeps were aborted and applied again without (a change batch foreseen wrongly). */
void ing_ledger_sweeps (const ing_ledger_t *self, uint64_t *swept, uint64_t *misses);

/* The values' leaf pages, as of the last commit (or start-up). */
size_t ing_ledger_leaf_pages (const ing_ledger_t *self);

/* Applies PENDING (N of them) in one durable transaction stamped NOW. On success their
   outputs are set and each one's summary is stored under its id; on failure nothing is
   stored and ERR says why. A DRY run computes the same outputs and writes nothing. */
socin_store_rc_t ing_ledger_apply (ing_ledger_t *self, ing_pending_t **pending, size_t n,
                                   int64_t now, bool dry, char *err, size_t errlen);

/* Fills SUMMARY (an initialised ImportSummary whose strings point into P and its checked
   conflicts) from P's outputs. */
void ing_ledger_summary (const ing_pending_t *p, const char *source, int64_t now,
                         Socin__V1__ImportSummary *summary);

/* The stored answer to an earlier submission with this id from this key: 0 with DIGEST and
   a malloc'ed packed ImportSummary (free it), 1 when there is none, -1 on a storage error. */
int ing_ledger_find (ing_ledger_t *self, const char *key, const char *id, uint8_t digest[20],
                     uint8_t **summary, size_t *len);

/* The packed change batch SEQ from the outbox, copied into a new frame; NULL when absent. */
zframe_t *ing_ledger_outbox_frame (ing_ledger_t *self, uint64_t seq);

/* Records that reporting applied every batch up to ACKED and drops them from the outbox. */
socin_store_rc_t ing_ledger_ack (ing_ledger_t *self, uint64_t acked, char *err, size_t errlen);

/* Outbox size in batches and bytes (for backlog). */
void ing_ledger_outbox_size (ing_ledger_t *self, uint64_t *batches, uint64_t *bytes);

/* The history of one value key (oldest first) and its current value into OUT (whose
   strings are malloc'ed: free with ing_ledger_history_free). */
int ing_ledger_history (ing_ledger_t *self, const char *key, size_t keylen, const char *source,
                        Socin__V1__ValueHistory *out);
void ing_ledger_history_free (Socin__V1__ValueHistory *out);

/* Counts of values and events held. */
void ing_ledger_counts (ing_ledger_t *self, uint64_t *values, uint64_t *events);

#endif
