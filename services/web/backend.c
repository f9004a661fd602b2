/*  backend: socin-web's questions to reporting and the registry. See backend.h. */
#include "backend.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "wire.h"
#include "socin/v1/registry.pb-c.h"
#include "socin/v1/report.pb-c.h"

/* Who waits for an answer. */
typedef struct {
    web_backend_fn *fn;
    void *arg;
    size_t slot;
} s_waiter_t;

/* A question in flight: the same question asked again meanwhile waits for the same answer. */
typedef struct {
    web_service_t service;
    s_waiter_t *waiters;
    size_t nwaiters;
    char *cache_key; /* reporting questions only */
    int64_t asked_ms;
} s_pending_t;

typedef struct {
    zframe_t *answer;
    int64_t at_ms;
} s_cached_t;

struct web_backend_t {
    web_backend_opts_t opts;
    zcert_t *cert;
    zloop_t *loop;
    zsock_t *sock[2];
    int64_t heard_ms[2]; /* last answer on each connection, or when it was made */
    int64_t made_ms[2];  /* when each connection was made */
    bool refused[2];     /* a send failed: no peer (the handshake may have been refused) */
    zhashx_t *pending;   /* request id -> s_pending_t */
    zhashx_t *inflight;  /* cache key -> request id (not owned) */
    zhashx_t *cache;     /* hex of the packed question -> s_cached_t */
    uint64_t next_id;
    uint64_t asked, hits, timeouts, failures;
    void (*after) (void *arg);
    void *after_arg;
};

static const ProtobufCMessageDescriptor *s_reply_desc[2] = {&socin__v1__report_reply__descriptor,
                                                            &socin__v1__registry_reply__descriptor};
static const char *s_name[2] = {"reporting", "registry"};

static int s_on_answer (zloop_t *loop, zsock_t *sock, void *arg);

static void
s_connect (web_backend_t *self, web_service_t s)
{
    if (self->sock[s]) {
        zloop_reader_end (self->loop, self->sock[s]);
        zsock_destroy (&self->sock[s]);
    }
    self->heard_ms[s] = self->made_ms[s] = socin_mono_ms ();
    self->refused[s] = false;
    char key[SOCIN_KEY_LEN + 1], err[512];
    if (socin_keys_public (self->opts.key[s], key, err, sizeof err)) {
        socin_warn ("backend.no_key", "service=%s reason=%s", s_name[s], socin_log_q (err));
        return;
    }
    self->sock[s] = socin_wire_connect (ZMQ_DEALER, self->opts.endpoint[s], self->cert, key,
                                        self->opts.max_message, err, sizeof err);
    if (!self->sock[s]) {
        socin_warn ("backend.connect_failed", "service=%s reason=%s", s_name[s], socin_log_q (err));
        return;
    }
    zloop_reader (self->loop, self->sock[s], s_on_answer, self);
}

static void
s_pending_free (void **item)
{
    s_pending_t *p = *item;
    if (!p) return;
    free (p->cache_key);
    free (p->waiters);
    free (p);
    *item = NULL;
}

static void
s_cached_free (void **item)
{
    s_cached_t *c = *item;
    if (!c) return;
    zframe_destroy (&c->answer);
    free (c);
    *item = NULL;
}

web_backend_t *
web_backend_new (const web_backend_opts_t *opts, zcert_t *cert, zloop_t *loop)
{
    web_backend_t *self = socin_calloc (1, sizeof *self);
    self->opts = *opts;
    self->cert = cert;
    self->loop = loop;
    self->pending = zhashx_new ();
    zhashx_set_destructor (self->pending, s_pending_free);
    self->inflight = zhashx_new ();
    zhashx_set_duplicator (self->inflight, (zhashx_duplicator_fn *)strdup);
    zhashx_set_destructor (self->inflight, (zhashx_destructor_fn *)zstr_free);
    self->cache = zhashx_new ();
    zhashx_set_destructor (self->cache, s_cached_free);
    s_connect (self, WEB_REPORTING);
    s_connect (self, WEB_REGISTRY);
    return self;
}

void
web_backend_destroy (web_backend_t **self_p)
{
    web_backend_t *self = *self_p;
    if (!self) return;
    for (int s = 0; s < 2; s++)
        if (self->sock[s]) {
            zloop_reader_end (self->loop, self->sock[s]);
            zsock_destroy (&self->sock[s]);
        }
    zhashx_destroy (&self->pending);
    zhashx_destroy (&self->inflight);
    zhashx_destroy (&self->cache);
    free (self);
    *self_p = NULL;
}

/* The request_id field is the first of both request messages. */
static void
s_set_id (web_service_t s, ProtobufCMessage *req, char *id)
{
    if (s == WEB_REPORTING)
        ((Socin__V1__ReportRequest *)req)->request_id = id;
    else
        ((Socin__V1__RegistryRequest *)req)->request_id = id;
}

static char *
s_hex (const uint8_t *data, size_t len)
{
    char *out = socin_malloc (2 * len + 1);
    for (size_t i = 0; i < len; i++)
        snprintf (out + 2 * i, 3, "%02x", data[i]);
    out[2 * len] = 0;
    return out;
}

static void
s_wait (s_pending_t *p, web_backend_fn *fn, void *arg, size_t slot)
{
    p->waiters = socin_realloc (p->waiters, (p->nwaiters + 1) * sizeof *p->waiters);
    p->waiters[p->nwaiters++] = (s_waiter_t){fn, arg, slot};
}

/* Sends REQ (taking KEY); FN (may be NULL: a refresh nobody waits for) gets the answer. */
static void
s_send (web_backend_t *self, web_service_t s, ProtobufCMessage *req, char *key, web_backend_fn *fn,
        void *arg, size_t slot)
{
    char id[32];
    snprintf (id, sizeof id, "w%llu", (unsigned long long)++self->next_id);
    s_set_id (s, req, id);
    int rc = self->sock[s] ? socin_wire_send (self->sock[s], NULL, req) : -1;
    s_set_id (s, req, "");
    if (rc) {
        free (key);
        self->failures++;
        self->refused[s] = true;
        char err[128];
        snprintf (err, sizeof err, "%s cannot be reached now", s_name[s]);
        if (fn) fn (arg, slot, NULL, err);
        return;
    }
    s_pending_t *p = socin_calloc (1, sizeof *p);
    p->service = s;
    p->cache_key = key;
    p->asked_ms = socin_mono_ms ();
    if (fn) s_wait (p, fn, arg, slot);
    zhashx_insert (self->pending, id, p);
    if (key) zhashx_update (self->inflight, key, id);
}

void
web_backend_ask (web_backend_t *self, web_service_t s, ProtobufCMessage *req, web_backend_fn *fn,
                 void *arg, size_t slot)
{
    self->asked++;
    if (s != WEB_REPORTING || self->opts.cache_ms <= 0) {
        s_send (self, s, req, NULL, fn, arg, slot);
        return;
    }
    s_set_id (s, req, "");
    size_t len = protobuf_c_message_get_packed_size (req);
    uint8_t *buf = socin_malloc (len ? len : 1);
    protobuf_c_message_pack (req, buf);
    char *key = s_hex (buf, len);
    free (buf);
    /* Fresh: answered from the cache. Stale (within timeout_ms after): answered from the cache
       too, while one question refreshes it. Older: asked, once however many wait. */
    s_cached_t *c = zhashx_lookup (self->cache, key);
    int64_t age = c ? socin_mono_ms () - c->at_ms : INT64_MAX;
    const char *flying = zhashx_lookup (self->inflight, key);
    s_pending_t *p = flying ? zhashx_lookup (self->pending, flying) : NULL;
    if (c && age < self->opts.cache_ms + self->opts.timeout_ms) {
        ProtobufCMessage *reply = socin_wire_unpack (s_reply_desc[s], c->answer);
        self->hits++;
        fn (arg, slot, reply, reply ? NULL : "a cached answer did not unpack");
        if (age >= self->opts.cache_ms && !p)
            s_send (self, s, req, key, NULL, NULL, 0);
        else
            free (key);
        return;
    }
    if (p) {
        self->hits++;
        s_wait (p, fn, arg, slot);
        free (key);
        return;
    }
    s_send (self, s, req, key, fn, arg, slot);
}

static int
s_on_answer (zloop_t *loop, zsock_t *sock, void *arg)
{
    web_backend_t *self = arg;
    web_service_t s = sock == self->sock[WEB_REPORTING] ? WEB_REPORTING : WEB_REGISTRY;
    socin_wire_msg_t msg;
    for (int i = 0; i < 1000 && socin_wire_recv (sock, &msg) == 0; i++) {
        self->heard_ms[s] = socin_mono_ms ();
        ProtobufCMessage *reply =
            msg.payload ? socin_wire_unpack (s_reply_desc[s], msg.payload) : NULL;
        const char *id = !reply               ? ""
                         : s == WEB_REPORTING ? ((Socin__V1__ReportReply *)reply)->request_id
                                              : ((Socin__V1__RegistryReply *)reply)->request_id;
        s_pending_t *p = zhashx_lookup (self->pending, id);
        if (!p) {
            if (reply) protobuf_c_message_free_unpacked (reply, NULL);
            socin_wire_msg_release (&msg);
            continue;
        }
        bool failed = s == WEB_REPORTING && ((Socin__V1__ReportReply *)reply)->error;
        if (p->cache_key && !failed) {
            s_cached_t *c = socin_calloc (1, sizeof *c);
            c->answer = zframe_dup (msg.payload);
            c->at_ms = socin_mono_ms ();
            zhashx_update (self->cache, p->cache_key, c);
        }
        /* Each waiter gets its own copy; the pending entry goes before any callback runs. */
        s_waiter_t *waiters = p->waiters;
        size_t n = p->nwaiters;
        p->waiters = NULL;
        if (p->cache_key) zhashx_delete (self->inflight, p->cache_key);
        zhashx_delete (self->pending, id);
        for (size_t w = 0; w < n; w++) {
            ProtobufCMessage *copy =
                w + 1 == n ? reply : socin_wire_unpack (s_reply_desc[s], msg.payload);
            waiters[w].fn (waiters[w].arg, waiters[w].slot, copy,
                           copy ? NULL : "the answer did not unpack");
        }
        if (!n && reply) protobuf_c_message_free_unpacked (reply, NULL);
        free (waiters);
        socin_wire_msg_release (&msg);
    }
    if (self->after) self->after (self->after_arg);
    return 0;
}

void
web_backend_on_answers (web_backend_t *self, void (*fn) (void *arg), void *arg)
{
    self->after = fn;
    self->after_arg = arg;
}

void
web_backend_forget (web_backend_t *self, void *arg)
{
    zlistx_t *keys = zhashx_keys (self->pending);
    for (const char *k = zlistx_first (keys); k; k = zlistx_next (keys)) {
        s_pending_t *p = zhashx_lookup (self->pending, k);
        size_t kept = 0;
        for (size_t w = 0; p && w < p->nwaiters; w++)
            if (p->waiters[w].arg != arg) p->waiters[kept++] = p->waiters[w];
        if (p) p->nwaiters = kept; /* the answer still fills the cache */
    }
    zlistx_destroy (&keys);
}

void
web_backend_tick (web_backend_t *self)
{
    int64_t now = socin_mono_ms ();
    bool stale[2] = {false, false};
    zlistx_t *keys = zhashx_keys (self->pending);
    for (const char *k = zlistx_first (keys); k; k = zlistx_next (keys)) {
        s_pending_t *p = zhashx_lookup (self->pending, k);
        if (!p || now - p->asked_ms < self->opts.timeout_ms) continue;
        web_service_t s = p->service;
        if (now - self->heard_ms[s] >= self->opts.timeout_ms) stale[s] = true;
        s_waiter_t *waiters = p->waiters;
        size_t n = p->nwaiters;
        p->waiters = NULL;
        if (p->cache_key) zhashx_delete (self->inflight, p->cache_key);
        zhashx_delete (self->pending, k);
        self->timeouts++;
        char err[128];
        snprintf (err, sizeof err, "%s did not answer within %d ms", s_name[s],
                  self->opts.timeout_ms);
        for (size_t w = 0; w < n; w++)
            waiters[w].fn (waiters[w].arg, waiters[w].slot, NULL, err);
        free (waiters);
    }
    zlistx_destroy (&keys);
    /* A connection that cannot send (our key was registered after the handshake was refused,
       and libzmq does not try again) is made anew, at most once a second. */
    for (int s = 0; s < 2; s++)
        if (stale[s] || ((!self->sock[s] || self->refused[s]) && now - self->made_ms[s] >= 1000)) {
            socin_warn ("backend.reconnect", "service=%s", s_name[s]);
            s_connect (self, (web_service_t)s);
        }
    /* Expired answers go; the cache never holds more than a few seconds of questions. */
    zlistx_t *ckeys = zhashx_keys (self->cache);
    for (const char *k = zlistx_first (ckeys); k; k = zlistx_next (ckeys)) {
        s_cached_t *c = zhashx_lookup (self->cache, k);
        if (c && now - c->at_ms >= self->opts.cache_ms + self->opts.timeout_ms)
            zhashx_delete (self->cache, k);
    }
    zlistx_destroy (&ckeys);
}

void
web_backend_stats (web_backend_t *self, socin_str_t *out)
{
    socin_str_printf (out,
                      "# "
                      "Backend\nasked:%llu\ncache_hits:%llu\ncached:%zu\ntimeouts:%"
                      "llu\nunreachable:%llu\npending:%zu\n",
                      (unsigned long long)self->asked, (unsigned long long)self->hits,
                      zhashx_size (self->cache), (unsigned long long)self->timeouts,
                      (unsigned long long)self->failures, zhashx_size (self->pending));
}
