/*  intake: reporting's side of the forwarding protocol (forward.proto).

    Each ingest says Hello and is welcomed with the sequence reporting applied from it and a
    credit window; its change batches are gathered into bounded groups, applied in one
    transaction (apply.c), then answered: one Ack per source after its last batch of the group,
    a Resend from the next expected sequence for a batch beyond it. Heartbeats are answered
    with the applied sequence. A key that is not a registered ingest, an oversized or
    undecodable message is refused with an Error; the ingest's forward.c holds the other half.

    Decoding a batch touches nothing but its bytes (under a tenth of reporting's CPU per
    value): a second thread (the decoder, worker.h) decodes the next group's batches while the
    loop applies and commits the group before, as the ingest's checker does with submissions.
    A message that arrives alone, with the decoder idle, is decoded on the loop: a trickle
    pays no handover. Everything else (the peer's lookup in the registry replica, the
    transaction, the cube, the answers) stays on the loop's thread, and batches are applied
    and answered in the order they were received.
*/
#ifndef SOCIN_REPORTING_INTAKE_H
#define SOCIN_REPORTING_INTAKE_H

#include <czmq.h>
#include <stddef.h>
#include <stdint.h>

#include "apply.h"
#include "cube.h"
#include "events.h"
#include "replica.h"
#include "store.h"
#include "str.h"

typedef struct rep_intake_t rep_intake_t;

/* How much the intake takes in: a source's credit beyond its last acknowledged batch, the
   most batches, values and runs one transaction applies (a first batch is taken whatever its
   size), the leaf pages its runs may dirty, the largest message accepted.

   A run is a batch's consecutive values of one unit and period: values in one run share
   B-tree pages, values in different runs mostly do not. LMDB holds the pages a transaction
   dirties in memory, and keeps as many for reuse as the largest transaction dirtied: that is
   what bounding a transaction's runs bounds. Runs that land at random among a tree's P leaf
   pages touch about P(1 - e^(-R/P)) of them, so a transaction takes at most the
   R = -P ln(1 - group_pages/P) runs that touch about group_pages pages, P as of the last
   commit (socin_store_runs_bound, store.h): a tree of P pages or fewer cannot have more dirtied,
   and then only group_values and group_max bound it. Fewer, larger transactions rewrite fewer pages
   per value: into a small tree scattered values go in groups of group_values, into a large one
   about group_pages runs at a time. group_runs, when not 0, is a fixed bound as well. */
typedef struct {
    uint32_t window;
    size_t group_max, group_values, group_runs, group_pages;
    size_t max_message;
} rep_intake_limits_t;

/* Applies batches from the ingests to APPLY's store (STORE), then to CUBE and EVENTS; peers
   are looked up in REPLICA's model. */
rep_intake_t *rep_intake_new (rep_apply_t *apply, socin_store_t *store, socin_replica_t *replica,
                              rep_cube_t *cube, rep_events_t *events,
                              const rep_intake_limits_t *limits);
void rep_intake_destroy (rep_intake_t **self_p);

/* Reads the forwarding socket SOCK (a bound ROUTER, not owned) from LOOP, and starts the
   thread that decodes what it reads. -1 when the thread cannot be started. */
int rep_intake_attach (rep_intake_t *self, zloop_t *loop, zsock_t *sock);

/* Appends the intake's counters to OUT (the `stats` command): batches_decoding, read from
   the socket and not yet applied (given to the decoder, or decoded and waiting for the next
   group); values_leaf_pages, the values' leaf pages as of the last commit; group_runs_bound,
   the most runs the next transaction takes (0: no bound but group_values). */
void rep_intake_stats (rep_intake_t *self, socin_str_t *out);

#endif
