/*  clone: the serving half of the zguide's Clone pattern (registry.proto), which
    common/replica.c follows: every committed record published on the PUB socket, a heartbeat
    each second with the current sequence, and snapshots of what changed after a replica's
    sequence (everything when it follows another instance or is ahead).
*/
#ifndef SOCIN_REGISTRY_CLONE_H
#define SOCIN_REGISTRY_CLONE_H

#include <czmq.h>

#include "records.h"
#include "str.h"
#include "socin/v1/registry.pb-c.h"

typedef struct reg_clone_t reg_clone_t;

/* Publishes the changes of RECORDS on a PUB socket bound at ENDPOINT with CERT (CURVE).
   NULL with ERR when the endpoint cannot be bound. */
reg_clone_t *reg_clone_new (reg_records_t *records, zcert_t *cert, const char *endpoint,
                            size_t max_message, char *err, size_t errlen);
void reg_clone_destroy (reg_clone_t **self_p);

/* The PUB socket updates go out on. */
zsock_t *reg_clone_socket (reg_clone_t *self);

/* Sends the heartbeat from LOOP each second. */
void reg_clone_attach (reg_clone_t *self, zloop_t *loop);

/* Answers REQ on ROUTER, to the peer of ENVELOPE, with the records it lacks in chunks of at
   most 1,000, the last one marked. */
void reg_clone_snapshot (reg_clone_t *self, zsock_t *router, zmsg_t *envelope,
                         const char *request_id, const Socin__V1__SnapshotRequest *req);

/* "key:value" lines: snapshots sent, records published. */
void reg_clone_stats (reg_clone_t *self, socin_str_t *out);

#endif
