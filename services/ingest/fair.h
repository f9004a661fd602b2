/*  fair: submissions waiting for the checker, taken round-robin per client.

    The loop moves what waits on the ROUTER into per-client queues (a client is the CURVE key
    the handshake proved; one key's connections take turns inside its share), and gives them
    to the checker (worker.h) one per client in turn; the checker holds about one group. A
    client flooding the ingest, even over many connections, then holds back another client's
    submission by two groups at most: the group being committed and the one being checked.
*/
#ifndef SOCIN_INGEST_FAIR_H
#define SOCIN_INGEST_FAIR_H

#include "wire.h"

typedef struct ing_fair_t ing_fair_t;

ing_fair_t *ing_fair_new (void);
/* Frees every waiting message too. */
void ing_fair_destroy (ing_fair_t **self_p);

/* Moves MSG (its envelope and payload) to the end of its client's connection's queue; MSG is
   left empty. */
void ing_fair_put (ing_fair_t *self, socin_wire_msg_t *msg);

/* The next message round-robin: the next client's next connection's oldest message, into OUT
   (release it with socin_wire_msg_release). 0, or -1 when nothing waits. */
int ing_fair_take (ing_fair_t *self, socin_wire_msg_t *out);

/* Messages waiting, and their payloads' bytes. */
size_t ing_fair_waiting (const ing_fair_t *self);
size_t ing_fair_bytes (const ing_fair_t *self);

#endif
