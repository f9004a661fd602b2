/*  drops: the connections a daemon's server sockets drop, logged and counted.

    libzmq closes a connection without a word when a message is larger than the socket's
    ZMQ_MAXMSGSIZE (four times max_message, wire.h) or breaks the protocol, and the client
    then waits for an answer that never comes. A socket monitor (monitor.h) tells when a
    connection ends; a duplicate of its descriptor, taken when it was accepted, tells how:
    the peer closed it (end of file, or reset), or this side dropped it while the peer was
    still there (bytes unread, or none and no failed handshake to account for it). Each drop
    is logged with the peer (address and port, or pid and uid over ipc) and counted for stats.
*/
#ifndef SOCIN_DROPS_H
#define SOCIN_DROPS_H

#include <czmq.h>
#include <stdint.h>

typedef struct socin_drops_t socin_drops_t;

socin_drops_t *socin_drops_new (void);
void socin_drops_destroy (socin_drops_t **self_p);

/* Watches SOCK, a bound server socket named NAME in log lines whose transport limit is LIMIT
   bytes, with events read in LOOP. 0, or -1 with the reason logged. */
int socin_drops_watch (socin_drops_t *self, zloop_t *loop, zsock_t *sock, const char *name,
                       size_t limit);

/* Stops watching: no more events from the watched sockets, which must still exist (before
   they are destroyed, monitor.h). */
void socin_drops_stop (socin_drops_t *self);

/* Connections dropped by this side, and handshakes that failed (CURVE errors, refused keys),
   since start. */
void socin_drops_counts (const socin_drops_t *self, uint64_t *dropped, uint64_t *failed);

#endif
