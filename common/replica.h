/*  replica: a persistent copy of the registry inside ingest and reporting.

    The zguide's Clone pattern: subscribe to the registry's updates first, then ask for a
    snapshot of every record changed after the sequence this replica holds, apply it, then
    apply the updates that follow it in sequence order. A gap in the sequence, a heartbeat
    ahead of it, a registry with another instance id, or a snapshot that does not come makes it
    ask again, by itself. Every record is written to the daemon's own LMDB (databases
    "replica" and "replica_meta") before it is used, so after a restart the daemon validates
    from its copy at once, even while the registry is unreachable.

    Lookups go to the in-memory model (model.h): hash lookups, never an LMDB read per value.
*/
#ifndef SOCIN_REPLICA_H
#define SOCIN_REPLICA_H

#include <czmq.h>
#include <stdbool.h>

#include "model.h"
#include "store.h"
#include "str.h"

typedef struct socin_replica_t socin_replica_t;

typedef struct {
    const char *endpoint;   /* the registry's request endpoint (ROUTER) */
    const char *updates;    /* the registry's PUB endpoint */
    const char *server_key; /* the registry's public key: Z85, or a certificate path (which may
                               appear later: the replica keeps trying) */
} socin_replica_opts_t;

/* A replica persisting into STORE (its databases are opened here, so call it at start-up
   before other transactions), authenticating with CERT. Loads what the store holds. */
socin_replica_t *socin_replica_new (socin_store_t *store, zcert_t *cert,
                                    const socin_replica_opts_t *opts);
void socin_replica_destroy (socin_replica_t **self_p);

/* Connects and follows the registry from LOOP. */
void socin_replica_attach (socin_replica_t *self, zloop_t *loop);

/* Housekeeping (timeouts, reconnecting); call from the daemon's cron. */
void socin_replica_tick (socin_replica_t *self);

/* Called after changes have been applied. STRUCTURE is true when the model was replaced
   (a full snapshot) or units, groups, dimensions or indicators changed: whatever holds ids or
   derived figures of those must be rebuilt at once. */
typedef void(socin_replica_fn) (void *arg, bool structure);
void socin_replica_on_change (socin_replica_t *self, socin_replica_fn *fn, void *arg);

/* Called before a change reaches the model (once it is stored): whatever reads the model from
   another thread must have stopped reading it when FN returns, and may read it again after
   the on_change call that follows. */
typedef void(socin_replica_before_fn) (void *arg);
void socin_replica_on_before_change (socin_replica_t *self, socin_replica_before_fn *fn,
                                     void *arg);

socin_model_t *socin_replica_model (socin_replica_t *self);
uint64_t socin_replica_seq (socin_replica_t *self);

/* True once it holds any registry data (from its store or a snapshot). */
bool socin_replica_ready (socin_replica_t *self);

/* True while it follows a registry heard from in the last few seconds. */
bool socin_replica_live (socin_replica_t *self);

/* "key:value" lines: state, seq, registry id, last heartbeat age, records. */
void socin_replica_status (socin_replica_t *self, socin_str_t *out);

#endif
