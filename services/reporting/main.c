/*  socin-reporting: the central indicator aggregator.

    Two ROUTER sockets: `forward`, where each regional ingest delivers its change batches
    (forward.proto), and `endpoint`, where analysts and programs ask questions
    (report.proto). Batches waiting when the loop wakes are applied together in one LMDB
    transaction that also stores each source's applied sequence (apply.c), then reflected in
    the in-memory cube and event list, then acknowledged. Queries are answered from memory
    (query.c), each stamped with the registry and source sequences it reflects.

    Keys: an ingest is known by its CURVE key, registered in the registry as a peer with
    role ingest and its source name; queries need a reader or admin key.
*/
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "apply.h"
#include "arena.h"
#include "cube.h"
#include "daemon.h"
#include "events.h"
#include "log.h"
#include "query.h"
#include "replica.h"
#include "socin/v1/forward.pb-c.h"
#include "socin/v1/report.pb-c.h"


typedef struct {
    socin_daemon_t *daemon;
    socin_config_t *config;
    socin_store_t *store;
    socin_replica_t *replica;
    rep_apply_t *apply;
    rep_cube_t *cube;
    rep_events_t *events;
    zsock_t *forward, *queries;
    size_t max_message;
    uint32_t window;
    size_t group_max, group_values;
    uint64_t queries_answered, rebuilds;
    int64_t query_us_total;
} reporting_t;

static reporting_t s_reporting;

static const socin_config_key_t s_keys[] = {
    {"endpoint", SOCIN_CFG_STRING, "tcp://127.0.0.1:7711", "queries (ROUTER, CURVE; reader or admin keys)"},
    {"forward", SOCIN_CFG_STRING, "tcp://127.0.0.1:7712", "change batches from the ingests (ROUTER, CURVE)"},
    {"registry", SOCIN_CFG_STRING, "tcp://127.0.0.1:7701", "the registry's request endpoint"},
    {"registry_updates", SOCIN_CFG_STRING, "tcp://127.0.0.1:7702", "the registry's update endpoint"},
    {"registry_key", SOCIN_CFG_STRING, "${keys_dir}/registry.cert", "the registry's public key (Z85 or certificate file)"},
    {"window", SOCIN_CFG_INT, "64", "change batches a source may send beyond the last acknowledged"},
    {"group_max", SOCIN_CFG_INT, "256", "most change batches applied in one transaction"},
    {"group_values", SOCIN_CFG_INT, "20000",
     "a transaction takes no more batches once it holds this many values (bounds commit time and the "
     "memory LMDB keeps for dirty pages)"},
    {"max_message", SOCIN_CFG_SIZE, "64M", "largest message accepted"},
    {NULL},
};

/* ---- rebuilding ---- */

static void
s_rebuild (reporting_t *self, const char *why)
{
    int64_t t0 = socin_mono_ms ();
    rep_cube_reset (self->cube, socin_replica_model (self->replica));
    rep_events_clear (self->events);
    uint64_t unresolved;
    uint64_t n = rep_apply_load (self->apply, socin_replica_model (self->replica), self->cube,
                                 self->events, &unresolved);
    self->rebuilds++;
    socin_info ("cube.rebuilt", "reason=%s values=%llu events=%zu unresolved=%llu ms=%lld",
                socin_log_q (why), (unsigned long long) n, rep_events_count (self->events),
                (unsigned long long) unresolved, (long long) (socin_mono_ms () - t0));
}

static void
s_on_registry_change (void *arg, bool structure)
{
    reporting_t *self = arg;
    if (structure)
        s_rebuild (self, "registry changed");
    else if (rep_apply_stale (self->apply))
        s_rebuild (self, "values waiting for registry data");
}

/* ---- forwarding ---- */

static void
s_forward_reply (reporting_t *self, zmsg_t *envelope, Socin__V1__ForwardReply *reply)
{
    socin_wire_send (self->forward, envelope, &reply->base);
}

static void
s_forward_error (reporting_t *self, zmsg_t *envelope, int code, const char *text)
{
    Socin__V1__Error error = SOCIN__V1__ERROR__INIT;
    error.code = code;
    error.message = (char *) text;
    Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
    reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_ERROR;
    reply.error = &error;
    s_forward_reply (self, envelope, &reply);
}

static void
s_ack (reporting_t *self, zmsg_t *envelope, const char *source)
{
    Socin__V1__Ack ack = SOCIN__V1__ACK__INIT;
    ack.applied_seq = rep_apply_applied (self->apply, source);
    ack.window = self->window;
    Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
    reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_ACK;
    reply.ack = &ack;
    s_forward_reply (self, envelope, &reply);
}

typedef struct {
    rep_batch_t batch;
    socin_arena_t *arena; /* the decoded message lives here */
    Socin__V1__ForwardMessage *msg;
    zmsg_t *envelope;
    char source[128];
} s_pending_t;

static int
s_on_forward (zloop_t *loop, zsock_t *sock, void *arg)
{
    reporting_t *self = arg;
    socin_model_t *model = socin_replica_model (self->replica);
    s_pending_t *group = calloc (self->group_max, sizeof *group);
    if (!group) socin_fatal ("memory.exhausted", NULL);
    size_t n = 0, values = 0, last = 0;
    socin_wire_msg_t msg;
    /* Bounded groups: a transaction's dirty pages stay few, and acknowledgements come soon. A
       batch's size is known only once it is read: the group stops when one more batch like the
       last would pass group_values. */
    while (n < self->group_max && (values == 0 || values + last <= self->group_values)
           && socin_wire_recv (sock, &msg) == 0) {
        socin_peer_t *peer = socin_model_peer_by_key (model, msg.peer);
        if (!peer || peer->pb->role != SOCIN_ROLE_INGEST) {
            s_forward_error (self, msg.envelope, SOCIN_E (PERMISSION_DENIED), "this key is not a registered ingest");
            socin_wire_msg_release (&msg);
            continue;
        }
        const char *source = peer->code;
        if (msg.payload && zframe_size (msg.payload) > self->max_message) {
            s_forward_error (self, msg.envelope, SOCIN_E (MESSAGE_TOO_LARGE), "the batch is larger than max_message");
            socin_wire_msg_release (&msg);
            continue;
        }
        socin_arena_t *arena = socin_arena_new ();
        Socin__V1__ForwardMessage *fm = msg.payload ? socin__v1__forward_message__unpack (
                                                          socin_arena_allocator (arena), zframe_size (msg.payload),
                                                          zframe_data (msg.payload))
                                                    : NULL;
        if (!fm) {
            socin_arena_destroy (&arena);
            s_forward_error (self, msg.envelope, SOCIN_E (MALFORMED_MESSAGE), "the message is not a socin.v1.ForwardMessage");
            socin_wire_msg_release (&msg);
            continue;
        }
        switch (fm->body_case) {
        case SOCIN__V1__FORWARD_MESSAGE__BODY_HELLO: {
            rep_apply_first_contact (self->apply, source); /* the Welcome says where to start */
            rep_apply_contact (self->apply, source, fm->hello->last_seq);
            if (strcmp (fm->hello->source, source))
                socin_warn ("forward.source_mismatch", "key_source=%s hello_source=%s",
                            socin_log_q (source), socin_log_q (fm->hello->source));
            Socin__V1__Welcome w = SOCIN__V1__WELCOME__INIT;
            w.source = (char *) source;
            w.applied_seq = rep_apply_applied (self->apply, source);
            w.window = self->window;
            Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
            reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_WELCOME;
            reply.welcome = &w;
            s_forward_reply (self, msg.envelope, &reply);
            socin_info ("source.hello", "source=%s applied=%llu announced=%llu", socin_log_q (source),
                        (unsigned long long) w.applied_seq, (unsigned long long) fm->hello->last_seq);
            socin_arena_destroy (&arena);
            break;
        }
        case SOCIN__V1__FORWARD_MESSAGE__BODY_HEARTBEAT: {
            rep_apply_contact (self->apply, source, fm->heartbeat->seq);
            if (rep_apply_first_contact (self->apply, source)) {
                /* The source kept its connection across our restart: ask for everything after
                   what this store applied, which may be less than it saw acknowledged. */
                Socin__V1__Resync rs = SOCIN__V1__RESYNC__INIT;
                rs.from_seq = rep_apply_applied (self->apply, source) + 1;
                rs.reason = "reporting started";
                Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
                reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_RESYNC;
                reply.resync = &rs;
                s_forward_reply (self, msg.envelope, &reply);
                socin_info ("source.resync", "source=%s from=%llu announced=%llu", socin_log_q (source),
                            (unsigned long long) rs.from_seq, (unsigned long long) fm->heartbeat->seq);
                socin_arena_destroy (&arena);
                break;
            }
            Socin__V1__ForwardHeartbeat hb = SOCIN__V1__FORWARD_HEARTBEAT__INIT;
            hb.seq = rep_apply_applied (self->apply, source);
            hb.time_ms = socin_now_ms ();
            Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
            reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_HEARTBEAT;
            reply.heartbeat = &hb;
            s_forward_reply (self, msg.envelope, &reply);
            socin_arena_destroy (&arena);
            break;
        }
        case SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH: {
            rep_apply_first_contact (self->apply, source); /* a gap or a duplicate says the rest */
            rep_apply_contact (self->apply, source, 0);
            s_pending_t *p = &group[n++];
            p->msg = fm;
            p->arena = arena;
            p->batch.batch = fm->batch;
            snprintf (p->source, sizeof p->source, "%s", source);
            p->batch.source = p->source;
            p->envelope = msg.envelope;
            msg.envelope = NULL;
            values += fm->batch->n_values;
            last = fm->batch->n_values;
            break;
        }
        default:
            s_forward_error (self, msg.envelope, SOCIN_E (UNSUPPORTED), "unknown forward message");
            socin_arena_destroy (&arena);
        }
        socin_wire_msg_release (&msg);
    }
    if (n) {
        rep_batch_t *batches = calloc (n, sizeof *batches);
        if (!batches) socin_fatal ("memory.exhausted", NULL);
        for (size_t i = 0; i < n; i++) batches[i] = group[i].batch;
        char err[1024];
        int64_t t0 = zclock_usecs ();
        socin_store_rc_t rc = rep_apply_batches (self->apply, batches, n, model, self->cube,
                                                 self->events, err, sizeof err);
        double ms = (double) (zclock_usecs () - t0) / 1000.0;
        for (size_t i = 0; i < n; i++) {
            s_pending_t *p = &group[i];
            if (rc != SOCIN_STORE_OK) {
                s_forward_error (self, p->envelope, rc == SOCIN_STORE_FULL ? SOCIN_E (STORAGE_FULL) : SOCIN_E (STORAGE_ERROR), err);
                continue;
            }
            /* One answer per source: after its last batch of the group. */
            bool later = false;
            for (size_t j = i + 1; j < n && !later; j++) later = !strcmp (group[j].source, p->source);
            if (batches[i].outcome == REP_GAP) {
                Socin__V1__Resend resend = SOCIN__V1__RESEND__INIT;
                resend.from_seq = rep_apply_applied (self->apply, p->source) + 1;
                Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
                reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_RESEND;
                reply.resend = &resend;
                s_forward_reply (self, p->envelope, &reply);
                socin_info ("batch.gap", "source=%s seq=%llu expected=%llu", socin_log_q (p->source),
                            (unsigned long long) p->batch.batch->seq, (unsigned long long) resend.from_seq);
            }
            else if (!later)
                s_ack (self, p->envelope, p->source);
            if (batches[i].outcome == REP_APPLIED)
                socin_debug ("batch.applied", "source=%s seq=%llu values=%zu events=%zu",
                             socin_log_q (p->source), (unsigned long long) p->batch.batch->seq,
                             p->batch.batch->n_values, p->batch.batch->n_events);
        }
        if (rc != SOCIN_STORE_OK)
            socin_error ("batch.store_failed", "batches=%zu reason=%s", n, socin_log_q (err));
        else
            socin_info ("batches.applied", "batches=%zu values=%zu ms=%.1f", n, values, ms);
        /* A transaction maps much of the store: let go of it once it adds up (see store.h). */
        socin_store_release_pages_if_large (self->store);
        free (batches);
    }
    for (size_t i = 0; i < n; i++) {
        socin_arena_destroy (&group[i].arena);
        zmsg_destroy (&group[i].envelope);
    }
    free (group);
    return 0;
}

/* ---- queries ---- */

static int
s_on_query (zloop_t *loop, zsock_t *sock, void *arg)
{
    reporting_t *self = arg;
    socin_wire_msg_t msg;
    for (int i = 0; i < 1000 && socin_wire_recv (sock, &msg) == 0; i++) {
        int64_t t0 = zclock_usecs ();
        /* Above max_message (and below the transport's limit, four times that): answered
           without being parsed. */
        bool large = msg.payload && zframe_size (msg.payload) > self->max_message;
        if (large)
            socin_warn ("message.too_large", "bytes=%zu max_message=%zu key=%s", zframe_size (msg.payload),
                        self->max_message, socin_log_q (msg.peer));
        Socin__V1__ReportRequest *req = large ? NULL
                                              : (Socin__V1__ReportRequest *) socin_wire_unpack (
                                                    &socin__v1__report_request__descriptor, msg.payload);
        if (!req) {
            Socin__V1__Error error = SOCIN__V1__ERROR__INIT;
            error.code = large ? SOCIN_E (MESSAGE_TOO_LARGE) : SOCIN_E (MALFORMED_MESSAGE);
            error.message = large ? "the request is larger than max_message" : "the message is not a socin.v1.ReportRequest";
            Socin__V1__ReportReply reply = SOCIN__V1__REPORT_REPLY__INIT;
            reply.error = &error;
            socin_wire_send (sock, msg.envelope, &reply.base);
            socin_wire_msg_release (&msg);
            continue;
        }
        rep_query_ctx_t ctx = {socin_replica_model (self->replica), socin_replica_seq (self->replica),
                               self->cube, self->events, self->apply, socin_date_today ()};
        Socin__V1__ReportReply *reply = rep_query_answer (&ctx, req);
        socin_wire_send (sock, msg.envelope, &reply->base);
        int64_t us = zclock_usecs () - t0;
        self->queries_answered++;
        self->query_us_total += us;
        socin_debug ("query.answered", "id=%s kind=%d us=%lld", socin_log_q (req->request_id),
                     (int) req->body_case, (long long) us);
        protobuf_c_message_free_unpacked (&reply->base, NULL);
        protobuf_c_message_free_unpacked (&req->base, NULL);
        socin_wire_msg_release (&msg);
    }
    return 0;
}

/* ---- wiring ---- */

static bool
s_authorize (const char *domain, const char *key, void *arg)
{
    reporting_t *self = arg;
    socin_peer_t *peer = socin_model_peer_by_key (socin_replica_model (self->replica), key);
    if (!peer) return false;
    if (!strcmp (domain, "forward")) return peer->pb->role == SOCIN_ROLE_INGEST;
    return peer->pb->role == SOCIN_ROLE_READER || peer->pb->role == SOCIN_ROLE_ADMIN;
}

static int
s_start (socin_daemon_t *daemon, void *arg)
{
    reporting_t *self = arg;
    self->daemon = daemon;
    self->config = socin_daemon_config (daemon);
    self->store = socin_daemon_store (daemon);
    self->max_message = socin_config_size (self->config, "max_message");
    self->window = (uint32_t) socin_config_int (self->config, "window");
    if (self->window < 1) self->window = 1;
    self->group_max = (size_t) socin_config_int (self->config, "group_max");
    if (self->group_max < 1) self->group_max = 1;
    self->group_values = (size_t) socin_config_int (self->config, "group_values");
    zcert_t *cert = socin_daemon_cert (daemon);
    self->apply = rep_apply_new (self->store);
    socin_replica_opts_t ropts = {socin_config_str (self->config, "registry"),
                                  socin_config_str (self->config, "registry_updates"),
                                  socin_config_str (self->config, "registry_key")};
    self->replica = socin_replica_new (self->store, cert, &ropts);
    self->cube = rep_cube_new (socin_replica_model (self->replica));
    self->events = rep_events_new ();
    s_rebuild (self, "start");
    socin_replica_on_change (self->replica, s_on_registry_change, self);

    char err[1024], path[1200];
    snprintf (path, sizeof path, "%s/reporting.cert", socin_config_str (self->config, "keys_dir"));
    if (socin_keys_publish (cert, path, "reporting", "reporting", err, sizeof err))
        socin_warn ("keys.publish_failed", "reason=%s", socin_log_q (err));
    self->forward = socin_wire_bind (ZMQ_ROUTER, socin_config_str (self->config, "forward"), cert,
                                     "forward", self->max_message, err, sizeof err);
    if (self->forward)
        self->queries = socin_wire_bind (ZMQ_ROUTER, socin_config_str (self->config, "endpoint"), cert,
                                         "query", self->max_message, err, sizeof err);
    if (!self->forward || !self->queries) {
        socin_error ("endpoint.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    zloop_t *loop = socin_daemon_loop (daemon);
    zloop_reader (loop, self->forward, s_on_forward, self);
    zloop_reader (loop, self->queries, s_on_query, self);
    socin_replica_attach (self->replica, loop);
    socin_info ("reporting.serving", "endpoint=%s forward=%s", socin_config_str (self->config, "endpoint"),
                socin_config_str (self->config, "forward"));
    return 0;
}

static void
s_cron (socin_daemon_t *daemon, void *arg)
{
    reporting_t *self = arg;
    socin_replica_tick (self->replica);
}

static void
s_stop (socin_daemon_t *daemon, void *arg)
{
    reporting_t *self = arg;
    zsock_destroy (&self->forward);
    zsock_destroy (&self->queries);
    rep_cube_destroy (&self->cube);
    rep_events_destroy (&self->events);
    socin_replica_destroy (&self->replica);
    rep_apply_destroy (&self->apply);
}

static void
s_sources (reporting_t *self, socin_str_t *out)
{
    Socin__V1__Stamp stamp = SOCIN__V1__STAMP__INIT;
    rep_apply_stamp (self->apply, &stamp);
    int64_t now = socin_now_ms ();
    socin_str_printf (out, "# Sources (applied seq, lag, last contact)\n");
    for (size_t i = 0; i < stamp.n_sources; i++) {
        Socin__V1__SourceState *s = stamp.sources[i];
        socin_str_printf (out, "%s:applied=%llu lag=%llu last_contact_ms_ago=%lld", s->source,
                          (unsigned long long) s->applied_seq, (unsigned long long) s->lag,
                          s->last_contact_ms ? (long long) (now - s->last_contact_ms) : -1LL);
        if (s->refused_code)
            socin_str_printf (out, " refused=%s refused_ms_ago=%lld refused_batches=%llu",
                              socin_error_name (s->refused_code), (long long) (now - s->refused_since_ms),
                              (unsigned long long) s->refused_batches);
        socin_str_printf (out, "\n");
    }
    rep_apply_stamp_free (&stamp);
}

static void
s_status (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    reporting_t *self = arg;
    uint64_t slabs, values, bytes;
    rep_cube_stats (self->cube, &slabs, &values, &bytes);
    socin_str_printf (out,
                      "# Reporting\nendpoint:%s\nforward:%s\ncube_values:%llu\ncube_slabs:%llu\n"
                      "cube_bytes:%llu\nevents:%zu\n",
                      socin_config_str (self->config, "endpoint"), socin_config_str (self->config, "forward"),
                      (unsigned long long) values, (unsigned long long) slabs, (unsigned long long) bytes,
                      rep_events_count (self->events));
    socin_replica_status (self->replica, out);
    s_sources (self, out);
}

static void
s_stats (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    reporting_t *self = arg;
    rep_apply_stats (self->apply, out);
    socin_str_printf (out, "# Queries\nqueries:%llu\nquery_us_avg:%lld\ncube_rebuilds:%llu\n",
                      (unsigned long long) self->queries_answered,
                      self->queries_answered ? (long long) (self->query_us_total / (int64_t) self->queries_answered) : 0LL,
                      (unsigned long long) self->rebuilds);
}

static int
s_cmd_sources (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    s_sources (arg, out);
    return SOCIN_CTL_OK;
}

static int
s_cmd_rebuild (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    reporting_t *self = arg;
    s_rebuild (self, "control command");
    uint64_t slabs, values, bytes;
    rep_cube_stats (self->cube, &slabs, &values, &bytes);
    socin_str_printf (out, "cube_values:%llu\n", (unsigned long long) values);
    return SOCIN_CTL_OK;
}

static const socin_ctl_cmd_t s_commands[] = {
    {"sources", NULL, "each source's applied sequence, lag and last contact", s_cmd_sources, 0, 0},
    {"rebuild", NULL, "rebuild the in-memory aggregates from the store", s_cmd_rebuild, 0, 0},
    {NULL},
};

int
main (int argc, char **argv)
{
    socin_service_t service = {
        .name = "reporting",
        .keys = s_keys,
        .commands = s_commands,
        .start = s_start,
        .authorize = s_authorize,
        .status = s_status,
        .stats = s_stats,
        .cron = s_cron,
        .stop = s_stop,
        .arg = &s_reporting,
    };
    return socin_daemon_main (&service, argc, argv);
}
