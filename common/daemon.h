/*  daemon: what every socin daemon does the same way.

    socin_daemon_main() reads the configuration (-n checks it and exits), sets up logging,
    opens the daemon's LMDB store, loads or creates its CURVE key, starts the ZAP handler and
    the control socket with the shared commands (help, status, stats, log-level, backup,
    drain, config), installs the signals (SIGTERM and SIGINT drain and exit, SIGHUP reloads
    the configuration), then hands the event loop to the service's start hook. One periodic
    "cron" timer does the housekeeping (as Redis's serverCron); no service code sleeps.
*/
#ifndef SOCIN_DAEMON_H
#define SOCIN_DAEMON_H

#include <czmq.h>
#include <stdbool.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "store.h"
#include "str.h"
#include "wire.h"

typedef struct socin_daemon_t socin_daemon_t;

typedef struct {
    /* "registry", "ingest", "reporting": the svc= of every log line. */
    const char *name;
    /* The service's configuration keys (ending with {NULL}); they may override the shared
       keys' defaults (data_dir, control...). */
    const socin_config_key_t *keys;
    /* Extra control commands (ending with {NULL}), handlers get ARG. */
    const socin_ctl_cmd_t *commands;
    /* Called once the store, key, loop and control socket exist: open databases, bind sockets,
       load state. 0, or -1 (with the reason logged) to exit with status 1. */
    int (*start) (socin_daemon_t *daemon, void *arg);
    /* Decides CURVE handshakes for the service's sockets (see wire.h). */
    socin_zap_fn *authorize;
    /* Adds service lines to `status` and `stats` ("key:value" lines). */
    void (*status) (socin_daemon_t *daemon, socin_str_t *out, void *arg);
    void (*stats) (socin_daemon_t *daemon, socin_str_t *out, void *arg);
    /* Housekeeping, every cron_ms. */
    void (*cron) (socin_daemon_t *daemon, void *arg);
    /* Draining: stop taking new work; return true once in-flight work is done. Called on every
       cron tick until it returns true or drain_timeout_ms passes. NULL: drained at once. */
    bool (*drain) (socin_daemon_t *daemon, void *arg);
    /* After the loop ends: release everything. */
    void (*stop) (socin_daemon_t *daemon, void *arg);
    /* After the configuration file was re-read successfully. */
    void (*reload) (socin_daemon_t *daemon, void *arg);
    void *arg;
} socin_service_t;

/* Runs the daemon; returns the process exit status. */
int socin_daemon_main (const socin_service_t *service, int argc, char **argv);

socin_config_t *socin_daemon_config (socin_daemon_t *self);
socin_store_t *socin_daemon_store (socin_daemon_t *self);
zloop_t *socin_daemon_loop (socin_daemon_t *self);
zcert_t *socin_daemon_cert (socin_daemon_t *self);
socin_ctl_t *socin_daemon_ctl (socin_daemon_t *self);

/* Logs and counts (in stats) the connections SOCK, a server socket bound with MAX_MSG
   (wire.h) and named NAME in log lines, drops: see drops.h. */
void socin_daemon_watch (socin_daemon_t *self, zsock_t *sock, const char *name, size_t max_msg);

/* True once a drain has begun (SIGTERM, SIGINT or the drain command). */
bool socin_daemon_draining (socin_daemon_t *self);

/* Starts a drain, as SIGTERM does. */
void socin_daemon_drain (socin_daemon_t *self);

#endif
