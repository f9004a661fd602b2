/*  http: socin-web's HTTP server, libmicrohttpd driven from the daemon's event loop.

    libmicrohttpd runs without threads of its own (external epoll mode): its epoll descriptor
    is one more poller of the daemon's zloop, and the cron calls it for its timeouts. A request
    whose answer needs reporting or the registry is suspended; the answer resumes it from the
    same loop, so nothing ever blocks. Request lines and headers are bounded by the connection
    memory limit (libmicrohttpd answers 414 or 431 beyond it); a body (only POST /login has one)
    by max_body.
*/
#ifndef SOCIN_WEB_HTTP_H
#define SOCIN_WEB_HTTP_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>

#include "str.h"

typedef struct web_http_t web_http_t;
typedef struct web_req_t web_req_t;

/* Called once a request has arrived whole: it answers with web_req_respond, now or later.
   DONE is called when the request ends (answered, or the connection lost), so that whatever
   the handler started for it is dropped; REQ is freed after it. */
typedef void(web_handler_fn) (web_req_t *req, void *arg);
typedef void(web_done_fn) (web_req_t *req, void *arg);

typedef struct {
    const char *listen;      /* host:port, [v6]:port; port 0: one the system picks */
    size_t header_limit;     /* bytes for the request line and headers */
    size_t max_body;         /* bytes of a request body */
    unsigned max_connections;
    unsigned timeout_s;      /* idle connections are closed after it */
} web_http_opts_t;

/* Listens as OPTS says and serves from LOOP. NULL with a message on failure. */
web_http_t *web_http_new (const web_http_opts_t *opts, zloop_t *loop, web_handler_fn *handler,
                          web_done_fn *done, void *arg, char *err, size_t errlen);
void web_http_destroy (web_http_t **self_p);

/* The TCP port it listens on (the one the system chose for port 0). */
int web_http_port (web_http_t *self);

/* Lets libmicrohttpd do due work (timeouts, resumed requests): from the cron, and after
   answers arrived. */
void web_http_run (web_http_t *self);

/* Requests answered, by class, since start; connections now open. */
void web_http_stats (web_http_t *self, socin_str_t *out);

/* ---- one request ---- */

const char *web_req_method (web_req_t *self);
/* The path as sent, percent-decoded by libmicrohttpd. */
const char *web_req_path (web_req_t *self);
/* A header (case-insensitive name), a cookie, or NULL. */
const char *web_req_header (web_req_t *self, const char *name);
const char *web_req_cookie (web_req_t *self, const char *name);
/* Calls FN for each query-string argument (VALUE NULL for "?key" without "="); stops when FN
   returns non-zero and returns that. */
int web_req_args (web_req_t *self, int (*fn) (void *arg, const char *key, const char *value), void *arg);
/* The body (POST), NUL-terminated; "" when none. */
const char *web_req_body (web_req_t *self, size_t *len);
/* True when the body exceeded max_body (the handler answers 413). */
bool web_req_body_too_large (web_req_t *self);

/* The handler's own state for this request. */
void web_req_set_data (web_req_t *self, void *data);
void *web_req_data (web_req_t *self);

/* Answers with STATUS, CONTENT_TYPE and BODY (taken: the string is emptied), plus the extra
   header lines in HEADERS ("Name: value\n" each; may be NULL). Only the first call counts. */
void web_req_respond (web_req_t *self, int status, const char *content_type, socin_str_t *body,
                      const char *headers);

#endif
