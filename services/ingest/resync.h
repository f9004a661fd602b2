/*  resync: change batches rebuilt from the ingest's values and history.

    Reporting may ask again for batches it acknowledged long ago (restored from a backup, or
    with its store lost) after the outbox dropped them. Every change a batch made is still in
    the ledger: the state a batch gave a key is the key's current state when no later batch
    replaced it, and otherwise the history entry under that batch's sequence (a deletion is a
    tombstone there); who and when are in `batches`. So batch SEQ is every value and event
    state stamped SEQ, which rebuilds it exactly (its items in key order).

    Batches are rebuilt a range at a time — one scan of values, events and history for the
    range, at most RESYNC_CHANGES changes (a range always holds whole batches) — and kept
    until forwarding moves past them, so a whole store is resent in a few scans with bounded
    memory.
*/
#ifndef SOCIN_INGEST_RESYNC_H
#define SOCIN_INGEST_RESYNC_H

#include <czmq.h>
#include <stdint.h>

#include "store.h"

typedef struct ing_resync_t ing_resync_t;

/* Rebuilds from the ledger's databases in STORE (opened by the ledger before). */
ing_resync_t *ing_resync_new (socin_store_t *store);
void ing_resync_destroy (ing_resync_t **self_p);

/* Change batch SEQ (SEQ <= UPTO, the last batch the outbox no longer holds) as a packed
   ForwardMessage, in a new frame; a batch whose changes were all replaced in place (none can
   be) goes out with no items, so the sequence has no gap. NULL on a storage error. */
zframe_t *ing_resync_frame (ing_resync_t *self, uint64_t seq, uint64_t upto);

/* Drops the rebuilt batches up to ACKED (reporting applied them). */
void ing_resync_forget (ing_resync_t *self, uint64_t acked);

/* Batches rebuilt since start (for backlog). */
uint64_t ing_resync_rebuilt (ing_resync_t *self);

#endif
