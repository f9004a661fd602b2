/*  forward: the ingest's side of the forwarding protocol (forward.proto).

    Change batches leave the outbox in sequence order, at most `window` beyond the last one
    reporting acknowledged (credit-based flow control, as the zguide's fileio3), and are
    deleted from the outbox only once acknowledged. Silence from reporting (no answer to
    heartbeats) makes it connect again and say Hello; acknowledgements that stop coming make it
    resend from the first unacknowledged batch. Reporting ignores what it already applied, so
    resending is always safe, and a reporting outage only lets the outbox grow.
*/
#ifndef SOCIN_INGEST_FORWARD_H
#define SOCIN_INGEST_FORWARD_H

#include <czmq.h>
#include <stdbool.h>

#include "ledger.h"
#include "str.h"

typedef struct ing_forward_t ing_forward_t;

/* Forwards LEDGER's outbox to reporting at ENDPOINT (its key: Z85 or certificate path, which
   may appear later), authenticating with CERT, as SOURCE. */
ing_forward_t *ing_forward_new (ing_ledger_t *ledger, zcert_t *cert, const char *endpoint,
                                const char *server_key, const char *source);
void ing_forward_destroy (ing_forward_t **self_p);

void ing_forward_attach (ing_forward_t *self, zloop_t *loop);

/* Sends what the credit allows: call after new batches were committed. */
void ing_forward_pump (ing_forward_t *self);

/* Housekeeping from the cron timer: heartbeats, silence, resends, acknowledgements
   persisted (the outbox trimmed). */
void ing_forward_tick (ing_forward_t *self);

/* Stops or restarts sending batches (heartbeats go on). */
void ing_forward_pause (ing_forward_t *self, bool paused);

/* "key:value" lines for backlog and status. */
void ing_forward_status (ing_forward_t *self, socin_str_t *out);

#endif
