/*  drops: the connections a daemon's server sockets drop. See drops.h.

    Events of one socket arrive in order, so a connection's DISCONNECTED always follows its
    ACCEPTED; both carry the descriptor. The duplicate keeps the kernel's socket (and what the
    peer sent that libzmq did not read) until the DISCONNECTED is seen, then goes. At most
    S_TRACKED connections per socket are followed, and never more than a quarter of the
    process's descriptor limit, so the duplicates cannot starve libzmq of descriptors.
*/
#include "drops.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "log.h"
#include "mem.h"
#include "monitor.h"

#define S_TRACKED          512
#define S_LINES_PER_MINUTE 20

typedef struct {
    int fd;        /* libzmq's descriptor */
    int dup;       /* ours */
    char peer[96]; /* who it is */
} s_conn_t;

typedef struct {
    socin_drops_t *owner;
    socin_monitor_t *monitor;
    char name[32];
    size_t limit;
    s_conn_t *conns;
    size_t nconns, max;
    uint64_t failed_pending; /* handshake failures whose connection has not ended yet */
} s_watch_t;

struct socin_drops_t {
    s_watch_t **watches;
    size_t nwatches;
    uint64_t dropped, failed;
    int64_t window_ms; /* the minute log lines are counted in */
    unsigned lines;
    uint64_t unlogged;
};

socin_drops_t *
socin_drops_new (void)
{
    return socin_calloc (1, sizeof (socin_drops_t));
}

void
socin_drops_destroy (socin_drops_t **self_p)
{
    socin_drops_t *self = *self_p;
    if (!self) return;
    for (size_t i = 0; i < self->nwatches; i++) {
        s_watch_t *w = self->watches[i];
        for (size_t c = 0; c < w->nconns; c++)
            close (w->conns[c].dup);
        socin_monitor_destroy (&w->monitor);
        free (w->conns);
        free (w);
    }
    free (self->watches);
    free (self);
    *self_p = NULL;
}

void
socin_drops_counts (const socin_drops_t *self, uint64_t *dropped, uint64_t *failed)
{
    *dropped = self ? self->dropped : 0;
    *failed = self ? self->failed : 0;
}

/* Who is at the other end of FD: address and port, or the process over a unix socket. */
static void
s_peer (int fd, char *out, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    snprintf (out, len, "unknown");
    if (getpeername (fd, (struct sockaddr *)&ss, &sl)) return;
    char host[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop (AF_INET, &a->sin_addr, host, sizeof host);
        snprintf (out, len, "%s:%u", host, ntohs (a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop (AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf (out, len, "[%s]:%u", host, ntohs (a->sin6_port));
    } else if (ss.ss_family == AF_UNIX) {
        struct ucred cred;
        socklen_t cl = sizeof cred;
        if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
            snprintf (out, len, "pid=%d,uid=%u", (int)cred.pid, (unsigned)cred.uid);
    }
}

/* At most S_LINES_PER_MINUTE lines a minute; the rest are counted, and said in the next. */
static bool
s_may_log (socin_drops_t *self)
{
    int64_t now = zclock_mono ();
    if (now - self->window_ms >= 60000) {
        self->window_ms = now;
        self->lines = 0;
    }
    if (self->lines >= S_LINES_PER_MINUTE) {
        self->unlogged++;
        return false;
    }
    self->lines++;
    return true;
}

static void
s_accepted (s_watch_t *w, int fd)
{
    for (size_t i = 0; i < w->nconns; i++)
        if (w->conns[i].fd == fd) { /* its end was missed: the number is someone else's now */
            close (w->conns[i].dup);
            w->conns[i] = w->conns[--w->nconns];
            break;
        }
    if (w->nconns >= w->max) return;
    int dup = fcntl (fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return; /* gone already */
    s_conn_t *c = &w->conns[w->nconns++];
    c->fd = fd;
    c->dup = dup;
    s_peer (dup, c->peer, sizeof c->peer);
}

static void
s_disconnected (s_watch_t *w, int fd, const char *endpoint)
{
    size_t i = 0;
    while (i < w->nconns && w->conns[i].fd != fd)
        i++;
    if (i == w->nconns) return;
    s_conn_t c = w->conns[i];
    w->conns[i] = w->conns[--w->nconns];
    char byte;
    ssize_t n = recv (c.dup, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    int err = errno;
    close (c.dup);
    if (n == 0 || (n < 0 && err != EAGAIN && err != EWOULDBLOCK)) return; /* the peer closed */
    if (n < 0 && w->failed_pending) {
        w->failed_pending--; /* a failed handshake, counted when it failed */
        return;
    }
    socin_drops_t *self = w->owner;
    self->dropped++;
    if (!s_may_log (self)) return;
    socin_warn ("connection.dropped",
                "socket=%s endpoint=%s peer=%s unread=%s limit=%zu unlogged_before=%llu note=%s",
                w->name, socin_log_q (endpoint), socin_log_q (c.peer), n > 0 ? "yes" : "no",
                w->limit, (unsigned long long)self->unlogged,
                socin_log_q ("the peer sent a message above the limit (4 x max_message) or broke "
                             "the protocol; it gets no answer"));
    self->unlogged = 0;
}

static int
s_on_event (zloop_t *loop, zsock_t *reader, void *arg)
{
    s_watch_t *w = arg;
    socin_monitor_event_t e;
    while (socin_monitor_next (w->monitor, &e) == 0) {
        if (e.event == ZMQ_EVENT_ACCEPTED)
            s_accepted (w, (int)e.value);
        else if (e.event == ZMQ_EVENT_DISCONNECTED)
            s_disconnected (w, (int)e.value, e.address);
        else {
            w->owner->failed++;
            w->failed_pending++;
        }
    }
    return 0;
}

void
socin_drops_stop (socin_drops_t *self)
{
    for (size_t i = 0; self && i < self->nwatches; i++)
        socin_monitor_stop (self->watches[i]->monitor);
}

int
socin_drops_watch (socin_drops_t *self, zloop_t *loop, zsock_t *sock, const char *name,
                   size_t limit)
{
    char err[256];
    int events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED |
                 ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    socin_monitor_t *monitor = socin_monitor_new (sock, events, err, sizeof err);
    if (!monitor) {
        socin_warn ("connection.unwatched", "socket=%s reason=%s", name, socin_log_q (err));
        return -1;
    }
    s_watch_t *w = socin_calloc (1, sizeof *w);
    w->owner = self;
    w->monitor = monitor;
    snprintf (w->name, sizeof w->name, "%s", name);
    w->limit = limit;
    struct rlimit rl;
    w->max = S_TRACKED;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur / 4 < w->max) w->max = rl.rlim_cur / 4;
    w->conns = socin_calloc (w->max ? w->max : 1, sizeof *w->conns);
    self->watches = socin_realloc (self->watches, (self->nwatches + 1) * sizeof *self->watches);
    self->watches[self->nwatches++] = w;
    zloop_reader (loop, socin_monitor_socket (monitor), s_on_event, w);
    return 0;
}
