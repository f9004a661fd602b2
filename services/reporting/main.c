/*  socin-reporting: the central indicator aggregator.

    Two ROUTER sockets: `forward`, where each regional ingest delivers its change batches
    (forward.proto, intake.c), and `endpoint`, where analysts and programs ask questions
    (report.proto). Batches waiting when the loop wakes are applied together in one LMDB
    transaction that also stores each source's applied sequence (apply.c), then reflected in
    the in-memory cube and event list, then acknowledged. Queries are answered from memory
    (query.c), each stamped with the registry and source sequences it reflects.

    Keys: an ingest is known by its CURVE key, registered in the registry as a peer with
    role ingest and its source name; any key may connect for queries, and access.c answers
    each by what the key may read (admin, reader, limited reader, submitter).
*/
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "access.h"
#include "apply.h"
#include "cube.h"
#include "daemon.h"
#include "events.h"
#include "intake.h"
#include "log.h"
#include "query.h"
#include "replica.h"
#include "socin/v1/report.pb-c.h"

typedef struct {
    socin_daemon_t *daemon;
    socin_config_t *config;
    socin_store_t *store;
    socin_replica_t *replica;
    rep_apply_t *apply;
    rep_intake_t *intake;
    rep_cube_t *cube;
    rep_events_t *events;
    zsock_t *forward, *queries;
    size_t max_message;
    uint64_t queries_answered, rebuilds;
    int64_t query_us_total;
} reporting_t;

static reporting_t s_reporting;

static const socin_config_key_t s_keys[] = {
    {"endpoint", SOCIN_CFG_STRING, "tcp://127.0.0.1:7711",
     "queries (ROUTER, CURVE; admin, reader and submitter keys, each within its scope)"},
    {"forward", SOCIN_CFG_STRING, "tcp://127.0.0.1:7712",
     "change batches from the ingests (ROUTER, CURVE)"},
    {"registry", SOCIN_CFG_STRING, "tcp://127.0.0.1:7701", "the registry's request endpoint"},
    {"registry_updates", SOCIN_CFG_STRING, "tcp://127.0.0.1:7702",
     "the registry's update endpoint"},
    {"registry_key", SOCIN_CFG_STRING, "${keys_dir}/registry.cert",
     "the registry's public key (Z85 or certificate file)"},
    {"window", SOCIN_CFG_INT, "64",
     "change batches a source may send beyond the last acknowledged"},
    {"group_max", SOCIN_CFG_INT, "256", "most change batches applied in one transaction"},
    {"group_values", SOCIN_CFG_INT, "200000",
     "a transaction takes no batch that would take it past this many values (bounds commit "
     "time: a backlog of scattered values is applied in fewer, larger transactions, each "
     "rewriting most of the tree)"},
    {"group_pages", SOCIN_CFG_INT, "50000",
     "a transaction takes no batch that would make its values dirty more than about this many "
     "of the values' leaf pages (LMDB keeps a transaction's dirty pages in memory, 4 kB each: "
     "scattered values dirty a page each, until the tree has no more pages to dirty; 0: no "
     "such bound)"},
    {"group_runs", SOCIN_CFG_INT, "0",
     "a transaction takes no batch that would take its values past this many runs of one unit "
     "and period (0: only group_pages bounds them)"},
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
                socin_log_q (why), (unsigned long long)n, rep_events_count (self->events),
                (unsigned long long)unresolved, (long long)(socin_mono_ms () - t0));
}

/* At start: the cube as its file kept it, when the file holds it whole for this model and
   these applied sequences; else rebuilt from the store. */
static void
s_restore (reporting_t *self)
{
    int64_t t0 = socin_mono_ms ();
    char path[1200];
    snprintf (path, sizeof path, "%s/cube.map", socin_store_dir (self->store));
    bool stale;
    if (!rep_cube_attach (self->cube, path, rep_apply_digest (self->apply), &stale)) {
        s_rebuild (self, "start");
        return;
    }
    uint64_t unresolved;
    rep_apply_load (self->apply, socin_replica_model (self->replica), NULL, self->events,
                    &unresolved);
    rep_apply_set_stale (self->apply, stale);
    uint64_t slabs, values, bytes;
    rep_cube_stats (self->cube, &slabs, &values, &bytes);
    socin_info ("cube.restored", "values=%llu events=%zu stale=%d ms=%lld",
                (unsigned long long)values, rep_events_count (self->events), (int)stale,
                (long long)(socin_mono_ms () - t0));
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
            socin_warn ("message.too_large", "bytes=%zu max_message=%zu key=%s",
                        zframe_size (msg.payload), self->max_message, socin_log_q (msg.peer));
        Socin__V1__ReportRequest *req =
            large ? NULL
                  : (Socin__V1__ReportRequest *)socin_wire_unpack (
                        &socin__v1__report_request__descriptor, msg.payload);
        if (!req) {
            Socin__V1__Error error = SOCIN__V1__ERROR__INIT;
            error.code = large ? SOCIN_E (MESSAGE_TOO_LARGE) : SOCIN_E (MALFORMED_MESSAGE);
            error.message = large ? "the request is larger than max_message"
                                  : "the message is not a socin.v1.ReportRequest";
            Socin__V1__ReportReply reply = SOCIN__V1__REPORT_REPLY__INIT;
            reply.error = &error;
            socin_wire_send (sock, msg.envelope, &reply.base);
            socin_wire_msg_release (&msg);
            continue;
        }
        rep_query_ctx_t ctx = {socin_replica_model (self->replica),
                               socin_replica_seq (self->replica),
                               self->cube,
                               self->events,
                               self->apply,
                               socin_date_today ()};
        Socin__V1__ReportReply *reply = rep_access_answer (&ctx, msg.peer, req);
        socin_wire_send (sock, msg.envelope, &reply->base);
        int64_t us = zclock_usecs () - t0;
        self->queries_answered++;
        self->query_us_total += us;
        socin_debug ("query.answered", "id=%s kind=%d us=%lld", socin_log_q (req->request_id),
                     (int)req->body_case, (long long)us);
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
    /* Queries: every key connects, and each question is answered — refused with a code when
       the key may not read it (access.c) — rather than left to a handshake that never ends. */
    if (strcmp (domain, "forward")) return true;
    socin_peer_t *peer = socin_model_peer_by_key (socin_replica_model (self->replica), key);
    return peer && peer->pb->role == SOCIN_ROLE_INGEST;
}

static int
s_start (socin_daemon_t *daemon, void *arg)
{
    reporting_t *self = arg;
    self->daemon = daemon;
    self->config = socin_daemon_config (daemon);
    self->store = socin_daemon_store (daemon);
    self->max_message = socin_config_size (self->config, "max_message");
    zcert_t *cert = socin_daemon_cert (daemon);
    self->apply = rep_apply_new (self->store);
    socin_replica_opts_t ropts = {socin_config_str (self->config, "registry"),
                                  socin_config_str (self->config, "registry_updates"),
                                  socin_config_str (self->config, "registry_key")};
    self->replica = socin_replica_new (self->store, cert, &ropts);
    self->cube = rep_cube_new (socin_replica_model (self->replica));
    self->events = rep_events_new ();
    rep_intake_limits_t limits = {(uint32_t)socin_config_int (self->config, "window"),
                                  (size_t)socin_config_int (self->config, "group_max"),
                                  (size_t)socin_config_int (self->config, "group_values"),
                                  (size_t)socin_config_int (self->config, "group_runs"),
                                  (size_t)socin_config_int (self->config, "group_pages"),
                                  self->max_message};
    self->intake =
        rep_intake_new (self->apply, self->store, self->replica, self->cube, self->events, &limits);
    s_restore (self);
    socin_replica_on_change (self->replica, s_on_registry_change, self);

    char err[1024], path[1200];
    snprintf (path, sizeof path, "%s/reporting.cert", socin_config_str (self->config, "keys_dir"));
    if (socin_keys_publish (cert, path, "reporting", "reporting", err, sizeof err))
        socin_warn ("keys.publish_failed", "reason=%s", socin_log_q (err));
    self->forward = socin_wire_bind (ZMQ_ROUTER, socin_config_str (self->config, "forward"), cert,
                                     "forward", self->max_message, err, sizeof err);
    if (self->forward)
        self->queries = socin_wire_bind (ZMQ_ROUTER, socin_config_str (self->config, "endpoint"),
                                         cert, "query", self->max_message, err, sizeof err);
    if (!self->forward || !self->queries) {
        socin_error ("endpoint.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    zloop_t *loop = socin_daemon_loop (daemon);
    /* One malloc arena for every thread: what the decoder allocates (a batch's arena) the
       loop frees. */
    mallopt (M_ARENA_MAX, 1);
    socin_daemon_watch (daemon, self->forward, "forward", self->max_message);
    socin_daemon_watch (daemon, self->queries, "queries", self->max_message);
    if (rep_intake_attach (self->intake, loop, self->forward)) {
        socin_error ("decoder.failed", "reason=%s", socin_log_q ("cannot start its thread"));
        return -1;
    }
    zloop_reader (loop, self->queries, s_on_query, self);
    socin_replica_attach (self->replica, loop);
    socin_info ("reporting.serving", "endpoint=%s forward=%s",
                socin_config_str (self->config, "endpoint"),
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
    rep_intake_destroy (&self->intake);
    rep_cube_sync (self->cube);
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
                          (unsigned long long)s->applied_seq, (unsigned long long)s->lag,
                          s->last_contact_ms ? (long long)(now - s->last_contact_ms) : -1LL);
        if (s->refused_code)
            socin_str_printf (out, " refused=%s refused_ms_ago=%lld refused_batches=%llu",
                              socin_error_name (s->refused_code),
                              (long long)(now - s->refused_since_ms),
                              (unsigned long long)s->refused_batches);
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
                      socin_config_str (self->config, "endpoint"),
                      socin_config_str (self->config, "forward"), (unsigned long long)values,
                      (unsigned long long)slabs, (unsigned long long)bytes,
                      rep_events_count (self->events));
    socin_replica_status (self->replica, out);
    s_sources (self, out);
}

static void
s_stats (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    reporting_t *self = arg;
    rep_apply_stats (self->apply, out);
    rep_intake_stats (self->intake, out);
    socin_str_printf (out, "# Queries\nqueries:%llu\nquery_us_avg:%lld\ncube_rebuilds:%llu\n",
                      (unsigned long long)self->queries_answered,
                      self->queries_answered
                          ? (long long)(self->query_us_total / (int64_t)self->queries_answered)
                          : 0LL,
                      (unsigned long long)self->rebuilds);
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
    socin_str_printf (out, "cube_values:%llu\n", (unsigned long long)values);
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
