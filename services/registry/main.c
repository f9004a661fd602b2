/*  socin-registry: the source of truth for master data.

    Every change to a record (unit, group, dimension, indicator, data set, submitter, target,
    peer) is written in one LMDB transaction with the next sequence number, the record's
    earlier version kept in `history`; only after the commit is the change published on the
    PUB socket and applied to the in-memory model. Replicas follow the zguide's Clone pattern
    (registry.proto): a snapshot of everything changed after their sequence, then the
    published updates, with a heartbeat each second carrying the current sequence.

    Who may do what is decided by the CURVE key: any registered peer may replicate and query;
    only ROLE_ADMIN keys may change anything. Keys of local services are trusted from
    trust_dir (public certificates with role and name metadata), rescanned at start, on
    SIGHUP and when an unknown key knocks.

    The modules: records.c (the store and its sequence), clone.c (snapshots, updates,
    heartbeats), trust.c (trusted keys, ZAP), requests.c (queries and changes), bootstrap.c
    (territory, population and catalogue loading). This file wires them into the daemon.
*/
#include <stdio.h>

#include "bootstrap.h"
#include "clone.h"
#include "daemon.h"
#include "log.h"
#include "records.h"
#include "requests.h"
#include "tokens.h"
#include "trust.h"

typedef struct {
    socin_config_t *config;
    reg_records_t *records;
    reg_trust_t *trust;
    reg_clone_t *clone;
    reg_requests_t *requests;
    reg_tokens_t *tokens; /* socin-web's bearer tokens (tokens.c) */
} registry_t;

static registry_t s_registry;

static const socin_config_key_t s_keys[] = {
    {"endpoint", SOCIN_CFG_STRING, "tcp://127.0.0.1:7701",
     "requests and snapshots (ROUTER, CURVE)"},
    {"updates", SOCIN_CFG_STRING, "tcp://127.0.0.1:7702",
     "published changes and heartbeats (PUB, CURVE)"},
    {"territory_file", SOCIN_CFG_STRING, "",
     "ČSÚ 'Struktura území ČR' CSV loaded on first start (empty: the embedded sample territory)"},
    {"population_file", SOCIN_CFG_STRING, "",
     "population CSV (obec_kod,pocet_obyvatel) loaded on first start"},
    {"population_date", SOCIN_CFG_STRING, "2021-01-01", "the day population_file refers to"},
    {"catalogue_file", SOCIN_CFG_STRING, "",
     "catalogue loaded on first start (empty: the embedded default)"},
    {"trust_dir", SOCIN_CFG_STRING, "${keys_dir}",
     "public certificates (role, name metadata) of services and analysts to register; empty: none"},
    {"bootstrap_admin", SOCIN_CFG_BOOL, "true",
     "on first start create an admin key in keys_dir, registered also as submitter 'local' for CZ"},
    {"max_message", SOCIN_CFG_SIZE, "64M", "largest request accepted"},
    {NULL},
};

/* Binds the ROUTER and PUB endpoints with the daemon's CERT, published in keys_dir first. */
static int
s_serve (registry_t *self, zcert_t *cert)
{
    char err[1024], path[1100];
    snprintf (path, sizeof path, "%s/registry.cert", socin_config_str (self->config, "keys_dir"));
    if (socin_keys_publish (cert, path, "registry", "registry", err, sizeof err))
        socin_warn ("keys.publish_failed", "reason=%s", socin_log_q (err));
    size_t max_message = socin_config_size (self->config, "max_message");
    self->clone = reg_clone_new (self->records, cert, socin_config_str (self->config, "updates"),
                                 max_message, err, sizeof err);
    if (self->clone)
        self->requests = reg_requests_new (self->records, self->clone, self->trust, self->tokens,
                                           cert, socin_config_str (self->config, "endpoint"),
                                           max_message, err, sizeof err);
    if (!self->requests) {
        socin_error ("endpoint.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    return 0;
}

static int
s_start (socin_daemon_t *daemon, void *arg)
{
    registry_t *self = arg;
    self->config = socin_daemon_config (daemon);
    self->records = reg_records_new (socin_daemon_store (daemon));
    if (!self->records) return -1;
    self->tokens = reg_tokens_new (socin_daemon_store (daemon));
    self->trust = reg_trust_new (self->records, socin_config_str (self->config, "trust_dir"));
    if (socin_model_record_count (reg_records_model (self->records)) == 0 &&
        reg_bootstrap_run (self->records, self->trust, self->config))
        return -1;
    reg_trust_scan (self->trust);
    if (s_serve (self, socin_daemon_cert (daemon))) return -1;
    zloop_t *loop = socin_daemon_loop (daemon);
    reg_requests_attach (self->requests, loop);
    reg_clone_attach (self->clone, loop);
    socin_info (
        "registry.serving", "endpoint=%s updates=%s seq=%llu registry_id=%s",
        socin_config_str (self->config, "endpoint"), socin_config_str (self->config, "updates"),
        (unsigned long long)reg_records_seq (self->records), reg_records_id (self->records));
    return 0;
}

static void
s_stop (socin_daemon_t *daemon, void *arg)
{
    registry_t *self = arg;
    reg_requests_destroy (&self->requests);
    reg_clone_destroy (&self->clone);
    reg_trust_destroy (&self->trust);
    reg_records_destroy (&self->records);
    reg_tokens_destroy (&self->tokens);
}

static bool
s_authorize (const char *domain, const char *key, void *arg)
{
    registry_t *self = arg;
    return self->trust && reg_trust_authorize (self->trust, key);
}

static void
s_reload (socin_daemon_t *daemon, void *arg)
{
    registry_t *self = arg;
    if (self->trust) reg_trust_scan (self->trust);
}

static void
s_status (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    registry_t *self = arg;
    socin_str_printf (
        out, "# Registry\nseq:%llu\nregistry_id:%s\nendpoint:%s\nupdates:%s\nrecords:%zu\n",
        (unsigned long long)reg_records_seq (self->records), reg_records_id (self->records),
        socin_config_str (self->config, "endpoint"), socin_config_str (self->config, "updates"),
        socin_model_record_count (reg_records_model (self->records)));
}

static void
s_stats (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    registry_t *self = arg;
    socin_str_puts (out, "# Registry\n");
    reg_requests_stats (self->requests, out);
    reg_clone_stats (self->clone, out);
    socin_str_printf (out, "tokens:%zu\n", reg_tokens_count (self->tokens));
}

static int
s_cmd_seq (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    registry_t *self = arg;
    socin_str_printf (out, "seq:%llu\nregistry_id:%s\n",
                      (unsigned long long)reg_records_seq (self->records),
                      reg_records_id (self->records));
    return SOCIN_CTL_OK;
}

static int
s_cmd_counts (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    registry_t *self = arg;
    socin_model_t *model = reg_records_model (self->records);
    size_t by_level[8] = {0}, open_by_level[8] = {0};
    int32_t today = socin_date_today ();
    for (uint32_t i = 1; i <= socin_model_count (model, SOCIN_KIND_UNIT); i++) {
        socin_unit_t *u = socin_model_unit_at (model, i);
        if (u->level < 0 || u->level > 7) continue;
        by_level[u->level]++;
        if (socin_unit_valid_during (u, today, today)) open_by_level[u->level]++;
    }
    socin_str_puts (out, "# Units (valid today / ever)\n");
    for (int l = SOCIN_LEVEL_COUNTRY; l <= SOCIN_LEVEL_DISTRICT; l++)
        socin_str_printf (out, "%s:%zu/%zu\n", socin_level_name (l), open_by_level[l], by_level[l]);
    socin_str_printf (out,
                      "# Catalogue\ndimensions:%zu\nindicators:%zu\ndatasets:%zu\ntargets:%zu\n"
                      "groups:%zu\n# Keys\nsubmitters:%zu\npeers:%zu\n",
                      socin_model_count (model, SOCIN_KIND_DIMENSION),
                      socin_model_count (model, SOCIN_KIND_INDICATOR),
                      socin_model_count (model, SOCIN_KIND_DATASET),
                      socin_model_count (model, SOCIN_KIND_TARGET),
                      socin_model_count (model, SOCIN_KIND_GROUP),
                      socin_model_count (model, SOCIN_KIND_SUBMITTER),
                      socin_model_count (model, SOCIN_KIND_PEER));
    return SOCIN_CTL_OK;
}

static const socin_ctl_cmd_t s_commands[] = {
    {"seq", NULL, "the registry's current sequence and instance id", s_cmd_seq, 0, 0},
    {"counts", NULL, "units by level, catalogue entries and keys", s_cmd_counts, 0, 0},
    {NULL},
};

int
main (int argc, char **argv)
{
    socin_service_t service = {
        .name = "registry",
        .keys = s_keys,
        .commands = s_commands,
        .start = s_start,
        .authorize = s_authorize,
        .status = s_status,
        .stats = s_stats,
        .stop = s_stop,
        .reload = s_reload,
        .arg = &s_registry,
    };
    return socin_daemon_main (&service, argc, argv);
}
