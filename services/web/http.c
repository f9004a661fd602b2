/*  http: socin-web's HTTP server on libmicrohttpd. See http.h. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct web_http_t {
    struct MHD_Daemon *mhd;
    zloop_t *loop;
    web_handler_fn *handler;
    web_done_fn *done;
    void *arg;
    size_t max_body;
    uint64_t by_class[6]; /* answers by status / 100 */
    uint64_t open;
    web_req_t *suspended; /* requests waiting for their answer (MHD_stop_daemon must not
                             find any: they are answered 503 first) */
};

struct web_req_t {
    web_http_t *http;
    struct MHD_Connection *conn;
    char *method, *path;
    socin_str_t body;
    bool body_too_large;
    bool started, suspended;
    web_req_t *prev, *next;        /* on http->suspended while suspended */
    struct MHD_Response *response; /* once answered */
    int status;
    void *data;
};

/* Security headers on every answer: no script runs, nothing loads from elsewhere, the pages
   are not framed, and nothing is guessed from content. */
static const char *s_headers[][2] = {
    {"Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
};

static void
s_log (void *cls, const char *fmt, va_list ap)
{
    char text[512];
    vsnprintf (text, sizeof text, fmt, ap);
    size_t n = strlen (text);
    while (n && text[n - 1] == '\n')
        text[--n] = 0;
    socin_debug ("http.library", "text=%s", socin_log_q (text));
}

/* Takes REQ off the suspended list and lets libmicrohttpd go on with its connection. */
static void
s_resume (web_req_t *req)
{
    if (!req->suspended) return;
    req->suspended = false;
    if (req->prev)
        req->prev->next = req->next;
    else
        req->http->suspended = req->next;
    if (req->next) req->next->prev = req->prev;
    MHD_resume_connection (req->conn);
}

static enum MHD_Result
s_access (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
          const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    web_http_t *self = cls;
    web_req_t *req = *con_cls;
    if (!req) {
        req = socin_calloc (1, sizeof *req);
        req->http = self;
        req->conn = conn;
        req->method = socin_strdup (method);
        req->path = socin_strdup (url);
        *con_cls = req;
        self->open++;
        return MHD_YES;
    }
    if (*upload_size) {
        if (req->body.len + *upload_size > self->max_body)
            req->body_too_large = true;
        else
            socin_str_append (&req->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (!req->started) {
        req->started = true;
        self->handler (req, self->arg);
        if (!req->response) {
            req->suspended = true;
            req->prev = NULL;
            req->next = self->suspended;
            if (self->suspended) self->suspended->prev = req;
            self->suspended = req;
            MHD_suspend_connection (conn);
            return MHD_YES;
        }
    }
    if (!req->response) return MHD_YES;
    return MHD_queue_response (conn, (unsigned)req->status, req->response);
}

static void
s_completed (void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    web_http_t *self = cls;
    web_req_t *req = *con_cls;
    if (!req) return;
    if (req->started) self->done (req, self->arg);
    if (req->response) MHD_destroy_response (req->response);
    socin_str_free (&req->body);
    free (req->method);
    free (req->path);
    free (req);
    *con_cls = NULL;
    self->open--;
}

static int
s_on_epoll (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    web_http_run (arg);
    return 0;
}

/* Parses "host:port" or "[v6]:port" into ADDR. */
static int
s_address (const char *listen, struct sockaddr_storage *addr, char *err, size_t errlen)
{
    char host[128];
    const char *colon = strrchr (listen, ':');
    size_t hlen = colon ? (size_t)(colon - listen) : 0;
    char *end;
    long port = colon ? strtol (colon + 1, &end, 10) : -1;
    if (!colon || !*(colon + 1) || *end || port < 0 || port > 65535 || hlen >= sizeof host) {
        snprintf (err, errlen, "listen '%s' is not host:port", listen);
        return -1;
    }
    memcpy (host, listen, hlen);
    host[hlen] = 0;
    memset (addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (hlen > 2 && host[0] == '[' && host[hlen - 1] == ']') {
        host[hlen - 1] = 0;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons ((uint16_t)port);
        if (inet_pton (AF_INET6, host + 1, &v6->sin6_addr) == 1) return 0;
    } else {
        v4->sin_family = AF_INET;
        v4->sin_port = htons ((uint16_t)port);
        if (!strcmp (host, "localhost")) snprintf (host, sizeof host, "127.0.0.1");
        if (inet_pton (AF_INET, host, &v4->sin_addr) == 1) return 0;
    }
    snprintf (err, errlen, "listen '%s': the host must be an IPv4 address or [IPv6]", listen);
    return -1;
}

web_http_t *
web_http_new (const web_http_opts_t *opts, zloop_t *loop, web_handler_fn *handler,
              web_done_fn *done, void *arg, char *err, size_t errlen)
{
    struct sockaddr_storage addr;
    if (s_address (opts->listen, &addr, err, errlen)) return NULL;
    web_http_t *self = socin_calloc (1, sizeof *self);
    self->loop = loop;
    self->handler = handler;
    self->done = done;
    self->arg = arg;
    self->max_body = opts->max_body;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    if (addr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    self->mhd = MHD_start_daemon (
        flags, 0, NULL, NULL, s_access, self, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, opts->header_limit, MHD_OPTION_CONNECTION_LIMIT,
        opts->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, opts->timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, s_completed, self, MHD_OPTION_EXTERNAL_LOGGER, s_log, self,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
    if (!self->mhd) {
        snprintf (err, errlen, "cannot listen on %s: %s", opts->listen, strerror (errno));
        free (self);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    zmq_pollitem_t item = {NULL, info->epoll_fd, ZMQ_POLLIN, 0};
    zloop_poller (loop, &item, s_on_epoll, self);
    return self;
}

void
web_http_destroy (web_http_t **self_p)
{
    web_http_t *self = *self_p;
    if (!self) return;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    zmq_pollitem_t item = {NULL, info->epoll_fd, ZMQ_POLLIN, 0};
    zloop_poller_end (self->loop, &item);
    /* Requests still waiting for reporting or the registry are answered now: libmicrohttpd
       aborts the process when it is stopped with suspended connections. */
    while (self->suspended) {
        web_req_t *req = self->suspended;
        socin_str_t body = SOCIN_STR_INIT;
        socin_str_puts (&body, "socin-web is stopping; ask again shortly\n");
        web_req_respond (req, 503, "text/plain; charset=utf-8", &body, NULL);
        socin_str_free (&body);
        s_resume (req); /* (already answered: respond returned at once) */
    }
    /* A few rounds to write those answers out (bounded: a client not reading is cut off). */
    for (int round = 0; round < 20 && self->open; round++)
        MHD_run (self->mhd);
    MHD_stop_daemon (self->mhd);
    free (self);
    *self_p = NULL;
}

int
web_http_port (web_http_t *self)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->mhd, MHD_DAEMON_INFO_BIND_PORT);
    return info ? (int)info->port : 0;
}

void
web_http_run (web_http_t *self)
{
    /* One pass may only queue an answer (a resumed connection), the next writes it: go round
       while libmicrohttpd says there is more to do now (its timeout 0), so an answer leaves
       at once rather than on the next socket event or the next cron tick. Bounded. */
    for (int pass = 0; pass < 8; pass++) {
        MHD_run (self->mhd);
        MHD_UNSIGNED_LONG_LONG timeout;
        if (MHD_get_timeout (self->mhd, &timeout) != MHD_YES || timeout > 0) break;
    }
}

void
web_http_stats (web_http_t *self, socin_str_t *out)
{
    socin_str_printf (
        out,
        "# HTTP\nconnections_open:%llu\nanswers_2xx:%llu\nanswers_3xx:%llu\nanswers_4xx:%llu\n"
        "answers_5xx:%llu\n",
        (unsigned long long)self->open, (unsigned long long)self->by_class[2],
        (unsigned long long)self->by_class[3], (unsigned long long)self->by_class[4],
        (unsigned long long)self->by_class[5]);
}

/* ---- one request ---- */

const char *
web_req_method (web_req_t *self)
{
    return self->method;
}

const char *
web_req_path (web_req_t *self)
{
    return self->path;
}

const char *
web_req_header (web_req_t *self, const char *name)
{
    return MHD_lookup_connection_value (self->conn, MHD_HEADER_KIND, name);
}

const char *
web_req_cookie (web_req_t *self, const char *name)
{
    return MHD_lookup_connection_value (self->conn, MHD_COOKIE_KIND, name);
}

typedef struct {
    int (*fn) (void *arg, const char *key, const char *value);
    void *arg;
    int rc;
} s_args_t;

static enum MHD_Result
s_arg (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    s_args_t *a = cls;
    a->rc = a->fn (a->arg, key, value);
    return a->rc ? MHD_NO : MHD_YES;
}

int
web_req_args (web_req_t *self, int (*fn) (void *arg, const char *key, const char *value), void *arg)
{
    s_args_t a = {fn, arg, 0};
    MHD_get_connection_values (self->conn, MHD_GET_ARGUMENT_KIND, s_arg, &a);
    return a.rc;
}

const char *
web_req_body (web_req_t *self, size_t *len)
{
    if (len) *len = self->body.len;
    return socin_str_cstr (&self->body);
}

bool
web_req_body_too_large (web_req_t *self)
{
    return self->body_too_large;
}

void
web_req_set_data (web_req_t *self, void *data)
{
    self->data = data;
}

void *
web_req_data (web_req_t *self)
{
    return self->data;
}

void
web_req_respond (web_req_t *self, int status, const char *content_type, socin_str_t *body,
                 const char *headers)
{
    if (self->response) return;
    size_t len = body->len;
    char *data = socin_str_take (body);
    self->response = MHD_create_response_from_buffer (
        len, data ? data : "", data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    self->status = status;
    MHD_add_response_header (self->response, "Content-Type", content_type);
    for (size_t i = 0; i < sizeof s_headers / sizeof s_headers[0]; i++)
        MHD_add_response_header (self->response, s_headers[i][0], s_headers[i][1]);
    for (const char *h = headers; h && *h;) {
        const char *nl = strchr (h, '\n'), *colon = strchr (h, ':');
        size_t n = nl ? (size_t)(nl - h) : strlen (h);
        if (colon && colon < h + n) {
            char *name = socin_strndup (h, (size_t)(colon - h));
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            char *value = socin_strndup (v, (size_t)(h + n - v));
            MHD_add_response_header (self->response, name, value);
            free (name);
            free (value);
        }
        h += n + (nl ? 1 : 0);
    }
    if (status >= 100 && status < 600) self->http->by_class[status / 100]++;
    s_resume (self);
}
