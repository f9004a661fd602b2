/*  ctl: a daemon's line-based control socket. See ctl.h. */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"

#define MAX_LINE   8192
#define MAX_WORDS  32
#define MAX_TABLES 8
#define MAX_CONNS  64
/* A connection silent this long is closed by the sweep; when every slot is taken, the one
   silent longest (and not waiting for a deferred answer) makes room for a new operator at
   once, so idle or abandoned sessions can never lock operators out. */
#define IDLE_MS  300000
#define SWEEP_MS 10000

typedef struct {
    int fd;
    uint64_t id;
    char in[MAX_LINE];
    size_t inlen;
    uint64_t pending; /* deferred token being waited on, 0 when none */
    bool eof;         /* the client closed its side: close after the pending answer */
    int64_t active;   /* zclock_mono () of the last byte read or answer written */
} s_conn_t;

struct socin_ctl_t {
    char path[sizeof ((struct sockaddr_un *)0)->sun_path];
    int fd;
    zloop_t *loop;
    struct {
        const socin_ctl_cmd_t *cmds;
        void *arg;
    } tables[MAX_TABLES];
    int ntables;
    s_conn_t *conns[MAX_CONNS];
    uint64_t next_id;
    uint64_t deferring; /* set while a handler runs: the token it may take */
    bool deferred;
};

static int s_help (socin_ctl_t *self, int argc, char **argv, socin_str_t *out, void *arg);

static const socin_ctl_cmd_t s_builtin[] = {
    {"help", NULL, "list the commands", s_help, 0, 0},
    {NULL},
};

socin_ctl_t *
socin_ctl_new (const char *path, char *err, size_t errlen)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen (path) >= sizeof addr.sun_path) {
        snprintf (err, errlen, "control socket path %s is longer than %zu bytes", path,
                  sizeof addr.sun_path - 1);
        return NULL;
    }
    strcpy (addr.sun_path, path);
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf (err, errlen, "cannot create control socket: %s", strerror (errno));
        return NULL;
    }
    /* A leftover socket file: replace it only when nothing answers on it. */
    if (access (path, F_OK) == 0) {
        int probe = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int in_use = probe >= 0 && connect (probe, (struct sockaddr *)&addr, sizeof addr) == 0;
        if (probe >= 0) close (probe);
        if (in_use) {
            snprintf (err, errlen, "control socket %s is in use: is the daemon already running?",
                      path);
            close (fd);
            return NULL;
        }
        unlink (path);
    }
    mode_t old = umask (0177);
    int rc = bind (fd, (struct sockaddr *)&addr, sizeof addr);
    umask (old);
    if (rc || chmod (path, 0600) || listen (fd, 16)) {
        snprintf (err, errlen, "cannot listen on control socket %s: %s", path, strerror (errno));
        close (fd);
        return NULL;
    }
    socin_ctl_t *self = socin_calloc (1, sizeof *self);
    self->fd = fd;
    snprintf (self->path, sizeof self->path, "%s", path);
    self->next_id = 1;
    socin_ctl_register (self, s_builtin, NULL);
    return self;
}

static void
s_conn_close (socin_ctl_t *self, int slot)
{
    s_conn_t *conn = self->conns[slot];
    if (!conn) return;
    if (self->loop) {
        zmq_pollitem_t item = {NULL, conn->fd, ZMQ_POLLIN, 0};
        zloop_poller_end (self->loop, &item);
    }
    close (conn->fd);
    free (conn);
    self->conns[slot] = NULL;
}

void
socin_ctl_destroy (socin_ctl_t **self_p)
{
    socin_ctl_t *self = *self_p;
    if (!self) return;
    for (int i = 0; i < MAX_CONNS; i++)
        s_conn_close (self, i);
    if (self->loop) {
        zmq_pollitem_t item = {NULL, self->fd, ZMQ_POLLIN, 0};
        zloop_poller_end (self->loop, &item);
    }
    close (self->fd);
    unlink (self->path);
    free (self);
    *self_p = NULL;
}

void
socin_ctl_register (socin_ctl_t *self, const socin_ctl_cmd_t *table, void *arg)
{
    if (self->ntables == MAX_TABLES) socin_fatal ("ctl.too_many_tables", NULL);
    self->tables[self->ntables].cmds = table;
    self->tables[self->ntables].arg = arg;
    self->ntables++;
}

const char *
socin_ctl_path (socin_ctl_t *self)
{
    return self->path;
}

static int
s_help (socin_ctl_t *self, int argc, char **argv, socin_str_t *out, void *arg)
{
    for (int t = 0; t < self->ntables; t++)
        for (const socin_ctl_cmd_t *c = self->tables[t].cmds; c->name; c++) {
            char synopsis[96];
            snprintf (synopsis, sizeof synopsis, "%s%s%s", c->name, c->args ? " " : "",
                      c->args ? c->args : "");
            socin_str_printf (out, "%-24s %s\n", synopsis, c->help);
        }
    return SOCIN_CTL_OK;
}

int
socin_ctl_split (char *buf, char **argv, int max, char *err, size_t errlen)
{
    int argc = 0;
    char *p = buf;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p) break;
        if (argc == max) {
            snprintf (err, errlen, "too many words (at most %d)", max);
            return -1;
        }
        char *word = p, *w = p;
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) p++;
                *w++ = *p++;
            }
            if (*p != '"') {
                snprintf (err, errlen, "a quote (\") is not closed");
                return -1;
            }
            p++;
        } else
            while (*p && *p != ' ' && *p != '\t' && *p != '\r')
                *w++ = *p++;
        /* Step over the separator (the NUL below may overwrite it), but not over text that
           follows a closing quote at once: that is the next word. */
        if (*p == ' ' || *p == '\t' || *p == '\r') p++;
        *w = 0;
        argv[argc++] = word;
    }
    return argc;
}

/* Runs LINE; the answer goes to OUT. Returns OK, ERROR or DEFERRED. */
static int
s_dispatch (socin_ctl_t *self, const char *line, socin_str_t *out)
{
    char buf[MAX_LINE];
    char *argv[MAX_WORDS];
    char err[128];
    snprintf (buf, sizeof buf, "%s", line);
    int argc = socin_ctl_split (buf, argv, MAX_WORDS, err, sizeof err);
    if (argc < 0) {
        socin_str_puts (out, err);
        return SOCIN_CTL_ERROR;
    }
    if (argc == 0) return SOCIN_CTL_OK;
    for (int t = 0; t < self->ntables; t++)
        for (const socin_ctl_cmd_t *c = self->tables[t].cmds; c->name; c++) {
            if (strcmp (c->name, argv[0]) != 0) continue;
            int nargs = argc - 1;
            if (nargs < c->min_args || nargs > c->max_args) {
                socin_str_printf (out, "usage: %s%s%s", c->name, c->args ? " " : "",
                                  c->args ? c->args : "");
                return SOCIN_CTL_ERROR;
            }
            int rc = c->fn (self, argc, argv, out, self->tables[t].arg);
            return rc < 0 ? SOCIN_CTL_ERROR : rc;
        }
    socin_str_printf (out, "unknown command '%s' (help lists the commands)", argv[0]);
    return SOCIN_CTL_ERROR;
}

int
socin_ctl_execute (socin_ctl_t *self, const char *line, socin_str_t *out)
{
    self->deferring = 0;
    int rc = s_dispatch (self, line, out);
    if (rc == SOCIN_CTL_DEFERRED) {
        socin_str_clear (out);
        socin_str_puts (out, "this command answers later; use the control socket");
        return SOCIN_CTL_ERROR;
    }
    return rc;
}

uint64_t
socin_ctl_defer (socin_ctl_t *self)
{
    if (!self->deferring) return 0;
    self->deferred = true;
    return self->deferring;
}

static void
s_write_all (int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write (fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {fd, POLLOUT, 0};
            if (poll (&p, 1, 2000) <= 0) return; /* a client that never reads is dropped */
            continue;
        }
        if (n <= 0) return;
        data += n;
        len -= (size_t)n;
    }
}

static void
s_answer (s_conn_t *conn, int rc, socin_str_t *out)
{
    socin_str_t text = SOCIN_STR_INIT;
    if (rc == SOCIN_CTL_ERROR) {
        socin_str_puts (&text, "error: ");
        socin_str_append (&text, out->data ? out->data : "", out->len);
        while (text.len && text.data[text.len - 1] == '\n')
            text.data[--text.len] = 0;
        socin_str_puts (&text, "\n");
    } else {
        socin_str_append (&text, out->data ? out->data : "", out->len);
        if (text.len && text.data[text.len - 1] != '\n') socin_str_puts (&text, "\n");
    }
    socin_str_puts (&text, "\n");
    s_write_all (conn->fd, text.data, text.len);
    conn->active = zclock_mono ();
    socin_str_free (&text);
}

/* Runs the complete lines buffered on CONN, stopping at a deferred one. */
static void
s_run_lines (socin_ctl_t *self, s_conn_t *conn)
{
    while (!conn->pending) {
        char *nl = memchr (conn->in, '\n', conn->inlen);
        if (!nl) break;
        *nl = 0;
        socin_str_t out = SOCIN_STR_INIT;
        self->deferring = self->next_id++;
        self->deferred = false;
        int rc = s_dispatch (self, conn->in, &out);
        if (rc == SOCIN_CTL_DEFERRED && self->deferred)
            conn->pending = self->deferring;
        else
            s_answer (conn, rc == SOCIN_CTL_DEFERRED ? SOCIN_CTL_OK : rc, &out);
        self->deferring = 0;
        socin_str_free (&out);
        size_t used = (size_t)(nl - conn->in) + 1;
        memmove (conn->in, nl + 1, conn->inlen - used);
        conn->inlen -= used;
    }
}

static int
s_on_client (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    socin_ctl_t *self = arg;
    int slot = -1;
    for (int i = 0; i < MAX_CONNS; i++)
        if (self->conns[i] && self->conns[i]->fd == item->fd) slot = i;
    if (slot < 0) return 0;
    s_conn_t *conn = self->conns[slot];
    ssize_t n = read (conn->fd, conn->in + conn->inlen, sizeof conn->in - 1 - conn->inlen);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    conn->active = zclock_mono ();
    if (n <= 0) {
        /* EOF: a final line without newline still counts. */
        if (conn->inlen && !memchr (conn->in, '\n', conn->inlen)) conn->in[conn->inlen++] = '\n';
        conn->eof = true;
    } else
        conn->inlen += (size_t)n;
    s_run_lines (self, conn);
    if (conn->inlen == sizeof conn->in - 1 && !memchr (conn->in, '\n', conn->inlen)) {
        socin_str_t out = SOCIN_STR_INIT;
        socin_str_printf (&out, "line longer than %d bytes", MAX_LINE - 2);
        s_answer (conn, SOCIN_CTL_ERROR, &out);
        socin_str_free (&out);
        s_conn_close (self, slot);
        return 0;
    }
    if (conn->eof && !conn->pending)
        s_conn_close (self, slot);
    else if (conn->eof) {
        /* Stop polling a closed socket while the deferred answer is outstanding. */
        zmq_pollitem_t it = {NULL, conn->fd, ZMQ_POLLIN, 0};
        zloop_poller_end (self->loop, &it);
    }
    return 0;
}

/* Closes the connection silent longest that waits for no deferred answer, telling it why;
   returns its slot, or -1 when every connection is busy. */
static int
s_evict_idlest (socin_ctl_t *self)
{
    int idlest = -1;
    for (int i = 0; i < MAX_CONNS; i++) {
        s_conn_t *conn = self->conns[i];
        if (conn && !conn->pending && (idlest < 0 || conn->active < self->conns[idlest]->active))
            idlest = i;
    }
    if (idlest < 0) return -1;
    static const char bye[] = "error: closed to make room for another connection\n\n";
    s_write_all (self->conns[idlest]->fd, bye, sizeof bye - 1);
    socin_info ("ctl.evicted", "idle_ms=%lld",
                (long long)(zclock_mono () - self->conns[idlest]->active));
    s_conn_close (self, idlest);
    return idlest;
}

static int
s_on_sweep (zloop_t *loop, int timer_id, void *arg)
{
    socin_ctl_t *self = arg;
    int64_t now = zclock_mono ();
    for (int i = 0; i < MAX_CONNS; i++) {
        s_conn_t *conn = self->conns[i];
        if (!conn || conn->pending || now - conn->active < IDLE_MS) continue;
        static const char bye[] = "error: closed after 300 s without a command\n\n";
        s_write_all (conn->fd, bye, sizeof bye - 1);
        s_conn_close (self, i);
    }
    return 0;
}

static int
s_on_accept (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    socin_ctl_t *self = arg;
    int fd = accept4 (self->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return 0;
    int slot = -1;
    for (int i = 0; i < MAX_CONNS && slot < 0; i++)
        if (!self->conns[i]) slot = i;
    if (slot < 0) slot = s_evict_idlest (self);
    if (slot < 0) {
        static const char busy[] = "error: too many control connections\n\n";
        s_write_all (fd, busy, sizeof busy - 1);
        close (fd);
        return 0;
    }
    s_conn_t *conn = socin_calloc (1, sizeof *conn);
    conn->fd = fd;
    conn->id = self->next_id++;
    conn->active = zclock_mono ();
    self->conns[slot] = conn;
    zmq_pollitem_t it = {NULL, fd, ZMQ_POLLIN, 0};
    zloop_poller (loop, &it, s_on_client, self);
    return 0;
}

int
socin_ctl_attach (socin_ctl_t *self, zloop_t *loop)
{
    self->loop = loop;
    zmq_pollitem_t item = {NULL, self->fd, ZMQ_POLLIN, 0};
    if (zloop_timer (loop, SWEEP_MS, 0, s_on_sweep, self) < 0) return -1;
    return zloop_poller (loop, &item, s_on_accept, self);
}

void
socin_ctl_complete (socin_ctl_t *self, uint64_t token, bool ok, const char *text)
{
    for (int i = 0; i < MAX_CONNS; i++) {
        s_conn_t *conn = self->conns[i];
        if (!conn || conn->pending != token) continue;
        socin_str_t out = SOCIN_STR_INIT;
        socin_str_puts (&out, text);
        s_answer (conn, ok ? SOCIN_CTL_OK : SOCIN_CTL_ERROR, &out);
        socin_str_free (&out);
        conn->pending = 0;
        s_run_lines (self, conn);
        if (conn->eof && !conn->pending) s_conn_close (self, i);
        return;
    }
}
