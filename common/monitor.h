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
   unread without bound. libzmq sends an event with a blocking send from its I/O thread, and
   once the monitor is destroyed nothing reads them: stop the monitor of a socket that lives
   on (socin_monitor_stop) before destroying it, or destroy the socket first and the monitor
   once the socket's connections are closed (a daemon at exit). */
socin_monitor_t *socin_monitor_new (zsock_t *sock, int events, char *err, size_t errlen);
void socin_monitor_destroy (socin_monitor_t **self_p);

/* Stops the events of SOCK (which must still exist): nothing more is sent to its monitor. */
void socin_monitor_stop (zsock_t *sock);

/* The PAIR socket the events arrive on, to poll (zloop_reader, zpoller). */
zsock_t *socin_monitor_socket (socin_monitor_t *self);

/* The next event into OUT without waiting: 0, or -1 when none waits. */
int socin_monitor_next (socin_monitor_t *self, socin_monitor_event_t *out);

#endif
