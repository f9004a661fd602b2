/*  monitor: a socket's connection events. See monitor.h. */
#include "monitor.h"

#include <string.h>

#include "mem.h"

struct socin_monitor_t {
    zsock_t *pair;
    zsock_t *watched; /* not owned; NULL once stopped */
};

socin_monitor_t *
socin_monitor_new (zsock_t *sock, int events, char *err, size_t errlen)
{
    static int s_count;
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://socin-monitor-%d-%d", (int)getpid (), ++s_count);
    if (zmq_socket_monitor (zsock_resolve (sock), endpoint, events)) {
        snprintf (err, errlen, "cannot monitor the socket: %s", zmq_strerror (zmq_errno ()));
        return NULL;
    }
    socin_monitor_t *self = socin_calloc (1, sizeof *self);
    self->watched = sock;
    self->pair = zsock_new (ZMQ_PAIR);
    zsock_set_linger (self->pair, 0);
    /* No bound on what waits to be read: libzmq sends each event from its I/O thread with a
       blocking send, so a full queue (a connection retried for a minute while nobody read)
       would stop every socket of the process. */
    zsock_set_rcvhwm (self->pair, 0);
    if (zsock_connect (self->pair, "%s", endpoint)) {
        snprintf (err, errlen, "cannot read the socket's events: %s", zmq_strerror (zmq_errno ()));
        socin_monitor_destroy (&self);
    }
    return self;
}

void
socin_monitor_destroy (socin_monitor_t **self_p)
{
    socin_monitor_t *self = *self_p;
    if (!self) return;
    /* Once this end is gone an event sent to the other blocks libzmq's I/O thread for good:
       stop the monitor first (socin_monitor_stop) while the watched socket lives. */
    zsock_destroy (&self->pair);
    free (self);
    *self_p = NULL;
}

void
socin_monitor_stop (socin_monitor_t *self)
{
    if (!self || !self->watched) return;
    zmq_socket_monitor (zsock_resolve (self->watched), NULL, 0);
    self->watched = NULL;
}

zsock_t *
socin_monitor_socket (socin_monitor_t *self)
{
    return self->pair;
}

int
socin_monitor_next (socin_monitor_t *self, socin_monitor_event_t *out)
{
    memset (out, 0, sizeof *out);
    zmq_pollitem_t item = {zsock_resolve (self->pair), 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, 0) <= 0) return -1;
    /* Two frames: 6 bytes (uint16 event, uint32 value, host order), then the address. */
    zmsg_t *msg = zmsg_recv (self->pair);
    if (!msg) return -1;
    zframe_t *head = zmsg_first (msg), *addr = zmsg_next (msg);
    int rc = -1;
    if (head && zframe_size (head) == 6) {
        uint16_t event;
        memcpy (&event, zframe_data (head), 2);
        memcpy (&out->value, zframe_data (head) + 2, 4);
        out->event = event;
        if (addr) {
            size_t n = zframe_size (addr) < sizeof out->address - 1 ? zframe_size (addr)
                                                                    : sizeof out->address - 1;
            memcpy (out->address, zframe_data (addr), n);
        }
        rc = 0;
    }
    zmsg_destroy (&msg);
    return rc;
}
