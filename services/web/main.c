/*  socin-web: the figures on a page, for analysts and the public.

    An HTTP server (libmicrohttpd, http.c) inside the daemon's event loop, that reads only what
    the wire API gives any reader: a replica of the registry (units, catalogue, data sets) for
    names, drill-down and scope checks, and questions to reporting (backend.c) for every figure.
    It serves the dashboard (dashboard.c), the choropleth map and unit pages (pages.c, map.c,
    chart.c) and a JSON API (api.c), every table also as CSV and JSON. Readers authenticate
    with tokens the registry issued to reader keys (auth.c); every answer keeps to the token's
    territory; without a token only the sections in `public` are shown. It listens on loopback
    by default: TLS belongs to a reverse proxy (deploy/nginx/socin-web.conf).
*/
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "backend.h"
#include "daemon.h"
#include "http.h"
#include "log.h"
#include "map.h"
#include "replica.h"
#include "view.h"

typedef struct {
    socin_daemon_t *daemon;
    socin_config_t *config;
    web_ctx_t ctx;
    web_http_t *http;
    char url[160]; /* where it listens, with the port it got */
} web_t;

static web_t s_web;

static const socin_config_key_t s_keys[] = {
    {"listen", SOCIN_CFG_STRING, "127.0.0.1:8080", "HTTP address:port (loopback by default; TLS in a reverse proxy)"},
    {"public", SOCIN_CFG_STRING, "targets",
     "sections shown without a token, comma-separated: targets, participation, completeness, indicators, plans, map, "
     "units, api; or all; empty: none"},
    {"reporting", SOCIN_CFG_STRING, "tcp://127.0.0.1:7711", "reporting's query endpoint"},
    {"reporting_key", SOCIN_CFG_STRING, "${keys_dir}/reporting.cert", "reporting's public key (Z85 or certificate file)"},
    {"registry", SOCIN_CFG_STRING, "tcp://127.0.0.1:7701", "the registry's request endpoint"},
    {"registry_updates", SOCIN_CFG_STRING, "tcp://127.0.0.1:7702", "the registry's update endpoint"},
    {"registry_key", SOCIN_CFG_STRING, "${keys_dir}/registry.cert", "the registry's public key (Z85 or certificate file)"},
    {"cache_ms", SOCIN_CFG_INT, "1000", "reporting's answers are reused this long (0: never)"},
    {"token_cache_ms", SOCIN_CFG_INT, "30000", "a token's check is reused this long (a revocation takes effect within it)"},
    {"timeout_ms", SOCIN_CFG_INT, "5000", "how long to wait for reporting or the registry"},
    {"header_limit", SOCIN_CFG_SIZE, "16K", "bytes of a request's line and headers (beyond: 414 or 431)"},
    {"max_connections", SOCIN_CFG_INT, "512", "open HTTP connections at most"},
    {"idle_timeout_s", SOCIN_CFG_INT, "30", "idle HTTP connections are closed after this many seconds"},
    {"cookie_secure", SOCIN_CFG_BOOL, "false", "mark the sign-in cookie Secure (set it behind a TLS proxy)"},
    {"max_message", SOCIN_CFG_SIZE, "64M", "largest answer accepted from reporting"},
    {NULL},
};

static void
s_after_answers (void *arg)
{
    web_t *self = arg;
    if (self->http) web_http_run (self->http);
}

static int
s_start (socin_daemon_t *daemon, void *arg)
{
    web_t *self = arg;
    self->daemon = daemon;
    self->config = socin_daemon_config (daemon);
    socin_config_t *c = self->config;
    zcert_t *cert = socin_daemon_cert (daemon);
    char err[1024], path[1200];
    snprintf (path, sizeof path, "%s/web.cert", socin_config_str (c, "keys_dir"));
    if (socin_keys_publish (cert, path, "web", "reader", err, sizeof err))
        socin_warn ("keys.publish_failed", "reason=%s", socin_log_q (err));
    socin_replica_opts_t ropts = {socin_config_str (c, "registry"), socin_config_str (c, "registry_updates"),
                                  socin_config_str (c, "registry_key")};
    web_ctx_t *ctx = &self->ctx;
    ctx->replica = socin_replica_new (socin_daemon_store (daemon), cert, &ropts);
    web_backend_opts_t bopts = {{socin_config_str (c, "reporting"), socin_config_str (c, "registry")},
                                {socin_config_str (c, "reporting_key"), socin_config_str (c, "registry_key")},
                                (int) socin_config_int (c, "timeout_ms"), (int) socin_config_int (c, "cache_ms"),
                                socin_config_size (c, "max_message")};
    zloop_t *loop = socin_daemon_loop (daemon);
    ctx->backend = web_backend_new (&bopts, cert, loop);
    web_backend_on_answers (ctx->backend, s_after_answers, self);
    ctx->auth = web_auth_new ((int) socin_config_int (c, "token_cache_ms"));
    ctx->public_sections = socin_config_str (c, "public");
    ctx->cookie_secure = socin_config_bool (c, "cookie_secure");
    ctx->cache_ms = (int) socin_config_int (c, "cache_ms");
    if (!(ctx->map = web_map_new (err, sizeof err))) {
        socin_error ("map.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    web_http_opts_t hopts = {socin_config_str (c, "listen"), socin_config_size (c, "header_limit"), 4096,
                             (unsigned) socin_config_int (c, "max_connections"),
                             (unsigned) socin_config_int (c, "idle_timeout_s")};
    self->http = web_http_new (&hopts, loop, web_view_handle, web_view_done, ctx, err, sizeof err);
    if (!self->http) {
        socin_error ("endpoint.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    socin_replica_attach (ctx->replica, loop);
    const char *listen = socin_config_str (c, "listen"), *colon = strrchr (listen, ':');
    snprintf (self->url, sizeof self->url, "http://%.*s:%d/", (int) (colon - listen), listen, web_http_port (self->http));
    socin_info ("web.serving", "url=%s public=%s", self->url, socin_log_q (ctx->public_sections));
    return 0;
}

static bool
s_authorize (const char *domain, const char *key, void *arg)
{
    return false; /* socin-web binds no ZeroMQ socket */
}

static void
s_cron (socin_daemon_t *daemon, void *arg)
{
    web_t *self = arg;
    socin_replica_tick (self->ctx.replica);
    web_backend_tick (self->ctx.backend);
    web_auth_tick (self->ctx.auth);
    web_view_cache_tick (&self->ctx, false);
    web_http_run (self->http);
}

static void
s_reload (socin_daemon_t *daemon, void *arg)
{
    web_t *self = arg;
    self->ctx.public_sections = socin_config_str (self->config, "public");
    socin_info ("web.reloaded", "public=%s", socin_log_q (self->ctx.public_sections));
}

static void
s_stop (socin_daemon_t *daemon, void *arg)
{
    web_t *self = arg;
    web_http_destroy (&self->http);
    web_view_cache_tick (&self->ctx, true);
    web_backend_destroy (&self->ctx.backend);
    web_auth_destroy (&self->ctx.auth);
    web_map_destroy (&self->ctx.map);
    socin_replica_destroy (&self->ctx.replica);
}

static void
s_status (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    web_t *self = arg;
    socin_str_printf (out, "# Web\nurl:%s\npublic:%s\n", self->url, self->ctx.public_sections);
    socin_replica_status (self->ctx.replica, out);
}

static void
s_stats (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    web_t *self = arg;
    socin_str_printf (out, "# Views\nviews:%llu\nrefused:%llu\npage_cache_hits:%llu\n", (unsigned long long) self->ctx.views,
                      (unsigned long long) self->ctx.refused, (unsigned long long) self->ctx.page_hits);
    web_http_stats (self->http, out);
    web_backend_stats (self->ctx.backend, out);
    web_auth_stats (self->ctx.auth, out);
}

int
main (int argc, char **argv)
{
    socin_service_t service = {
        .name = "web",
        .keys = s_keys,
        .start = s_start,
        .authorize = s_authorize,
        .status = s_status,
        .stats = s_stats,
        .cron = s_cron,
        .stop = s_stop,
        .reload = s_reload,
        .arg = &s_web,
    };
    return socin_daemon_main (&service, argc, argv);
}
