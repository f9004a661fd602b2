/*  monitor: a socket's connection events (zmq_socket_monitor), read one at a time.

    libzmq reports what happens to a socket's connections (accepted, connected, retried,
    handshake failed or succeeded, disconnected) on a PAIR socket of ours; socin_monitor_next
    reads one event without waiting. Daemons watch their server sockets (drops.h), the socin
    command its connection (client.h).
*/
#ifndef SOCIN_MONITOR_H
#define SOCIN_MONITOR_H

#include <czmq.h>
#include <stdint.h>

typedef struct socin_monitor_t socin_monitor_t;

typedef struct {
    int event;         /* ZMQ_EVENT_* */
    uint32_t value;    /* the file descriptor, errno, or status the event carries */
    char address[256]; /* the endpoint it concerns */
} socin_monitor_event_t;

/* Monitors EVENTS (a ZMQ_EVENT_* mask) of SOCK from now on; NULL with a message. Events wait
   unread without bound. libzmq sends an event with a blocking send from its I/O thread, so
   an event sent once the monitor is destroyed blocks every socket of the process: stop the
   monitor (socin_monitor_stop) while SOCK exists, before closing SOCK or destroying the
   monitor. (Destroying does not stop it: a socket may be gone by then, as when a service
   that fails to start closes its own.) */
socin_monitor_t *socin_monitor_new (zsock_t *sock, int events, char *err, size_t errlen);
void socin_monitor_destroy (socin_monitor_t **self_p);

/* Stops the events of the watched socket, which must still exist: nothing more is sent to
   the monitor. Once is enough; SELF may be NULL. */
void socin_monitor_stop (socin_monitor_t *self);

/* The PAIR socket the events arrive on, to poll (zloop_reader, zpoller). */
zsock_t *socin_monitor_socket (socin_monitor_t *self);

/* The next event into OUT without waiting: 0, or -1 when none waits. */
int socin_monitor_next (socin_monitor_t *self, socin_monitor_event_t *out);

#endif
