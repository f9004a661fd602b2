/*  backend: socin-web's connections to reporting and the registry, asked without waiting.

    One DEALER to each (CURVE, socin-web's own reader key). A question is a ReportRequest or
    RegistryRequest; its answer comes back through a callback from the daemon's loop, matched
    by request_id. Reporting's answers are kept for cache_ms under the packed question, so many
    readers of the same page cost reporting one query each second at most. A question not
    answered within timeout_ms is answered NULL with a reason, and a connection that answered
    nothing meanwhile is made anew (libzmq does not retry a refused handshake).
*/
#ifndef SOCIN_WEB_BACKEND_H
#define SOCIN_WEB_BACKEND_H

#include <czmq.h>
#include <protobuf-c/protobuf-c.h>

#include "str.h"

typedef struct web_backend_t web_backend_t;

typedef enum { WEB_REPORTING = 0, WEB_REGISTRY = 1 } web_service_t;

typedef struct {
    const char *endpoint[2]; /* reporting, registry */
    const char *key[2];      /* their public keys (Z85 or certificate path) */
    int timeout_ms;
    int cache_ms;
    size_t max_message;
} web_backend_opts_t;

/* REPLY is the unpacked ReportReply or RegistryReply (the callee owns it: free with
   protobuf_c_message_free_unpacked), or NULL with ERR saying why. */
typedef void(web_backend_fn) (void *arg, size_t slot, ProtobufCMessage *reply, const char *err);

web_backend_t *web_backend_new (const web_backend_opts_t *opts, zcert_t *cert, zloop_t *loop);
void web_backend_destroy (web_backend_t **self_p);

/* Asks SERVICE the question REQ (its request_id is set here); FN (ARG, SLOT, ...) gets the
   answer later, or at once when reporting's answer is cached. */
void web_backend_ask (web_backend_t *self, web_service_t service, ProtobufCMessage *req,
                      web_backend_fn *fn, void *arg, size_t slot);

/* FN (ARG) runs after each batch of answers was handed out (to let the HTTP server send
   what they completed). */
void web_backend_on_answers (web_backend_t *self, void (*fn) (void *arg), void *arg);

/* Drops every pending callback to ARG (its request ended). */
void web_backend_forget (web_backend_t *self, void *arg);

/* Timeouts and cache expiry; from the cron. */
void web_backend_tick (web_backend_t *self);

/* "key:value" lines: questions asked, cache hits, timeouts, pending. */
void web_backend_stats (web_backend_t *self, socin_str_t *out);

#endif
