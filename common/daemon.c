/*  daemon: the shared life of a socin daemon. See daemon.h.

    Signals are turned into bytes on a self-pipe that the loop polls, so every reaction to a
    signal runs in the loop like any other event. CZMQ's own SIGINT/SIGTERM handler is
    switched off: draining is ours to do.
*/
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "drops.h"
#include "log.h"
#include "mem.h"
#include "period.h"

#define MAX_BACKUPS 4

typedef struct {
    pid_t pid;
    uint64_t token;
    char path[512];
    int64_t started;
} s_backup_t;

struct socin_daemon_t {
    const socin_service_t *service;
    socin_config_t *config;
    socin_store_t *store;
    zcert_t *cert;
    zloop_t *loop;
    socin_ctl_t *ctl;
    socin_zap_t *zap;
    socin_drops_t *drops; /* the server sockets' dropped connections */
    int signal_pipe[2];
    bool draining;
    bool stopping;
    int64_t drain_started;
    int64_t released_at;
    int64_t started;
    s_backup_t backups[MAX_BACKUPS];
    socin_config_key_t *keys; /* service keys + shared keys */
};

static int s_signal_fd = -1;

socin_config_t *
socin_daemon_config (socin_daemon_t *self)
{
    return self->config;
}

socin_store_t *
socin_daemon_store (socin_daemon_t *self)
{
    return self->store;
}

zloop_t *
socin_daemon_loop (socin_daemon_t *self)
{
    return self->loop;
}

zcert_t *
socin_daemon_cert (socin_daemon_t *self)
{
    return self->cert;
}

socin_ctl_t *
socin_daemon_ctl (socin_daemon_t *self)
{
    return self->ctl;
}

void
socin_daemon_watch (socin_daemon_t *self, zsock_t *sock, const char *name, size_t max_msg)
{
    if (!self->drops) self->drops = socin_drops_new ();
    socin_drops_watch (self->drops, self->loop, sock, name, socin_wire_limit (max_msg));
}

bool
socin_daemon_draining (socin_daemon_t *self)
{
    return self->draining;
}

void
socin_daemon_drain (socin_daemon_t *self)
{
    if (self->draining) return;
    self->draining = true;
    self->drain_started = socin_mono_ms ();
    socin_info ("daemon.draining", NULL);
}

/* ---- shared control commands ---- */

static int
s_cmd_status (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    socin_daemon_t *self = arg;
    socin_str_printf (
        out,
        "# Server\nservice:%s\npid:%d\nuptime_s:%lld\nstate:%s\nlog_level:%s\n"
        "data_dir:%s\ncontrol:%s\npublic_key:%s\n",
        self->service->name, (int)getpid (), (long long)((socin_mono_ms () - self->started) / 1000),
        self->draining ? "draining" : "running", socin_log_level_name (),
        socin_store_dir (self->store), socin_ctl_path (self->ctl), zcert_public_txt (self->cert));
    if (self->service->status) self->service->status (self, out, self->service->arg);
    return SOCIN_CTL_OK;
}

static int
s_cmd_stats (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    socin_daemon_t *self = arg;
    uint64_t allowed, refused;
    socin_zap_counts (self->zap, &allowed, &refused);
    uint64_t dropped, failed;
    socin_drops_counts (self->drops, &dropped, &failed);
    socin_str_printf (out,
                      "# Auth\nhandshakes_allowed:%llu\nhandshakes_refused:%llu\n"
                      "# Connections\nconnections_dropped:%llu\nhandshakes_failed:%llu\n# Store\n",
                      (unsigned long long)allowed, (unsigned long long)refused,
                      (unsigned long long)dropped, (unsigned long long)failed);
    socin_store_stats (self->store, out);
    if (self->service->stats) self->service->stats (self, out, self->service->arg);
    return SOCIN_CTL_OK;
}

static int
s_cmd_log_level (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    if (argc == 1) {
        socin_str_printf (out, "log_level:%s\n", socin_log_level_name ());
        return SOCIN_CTL_OK;
    }
    if (socin_log_set_level (argv[1])) {
        socin_str_printf (out, "unknown level '%s' (debug, info, warn or error)", argv[1]);
        return SOCIN_CTL_ERROR;
    }
    socin_info ("log.level_changed", "level=%s", argv[1]);
    socin_str_printf (out, "log_level:%s\n", argv[1]);
    return SOCIN_CTL_OK;
}

static int
s_cmd_backup (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    socin_daemon_t *self = arg;
    if (argv[1][0] != '/') {
        socin_str_printf (out, "backup path '%s' must be absolute", argv[1]);
        return SOCIN_CTL_ERROR;
    }
    int slot = -1;
    for (int i = 0; i < MAX_BACKUPS && slot < 0; i++)
        if (!self->backups[i].pid) slot = i;
    if (slot < 0) {
        socin_str_printf (out, "%d backups are already running; try again later", MAX_BACKUPS);
        return SOCIN_CTL_ERROR;
    }
    char err[512];
    pid_t pid = socin_store_backup_start (self->store, argv[1], err, sizeof err);
    if (pid < 0) {
        socin_str_puts (out, err);
        return SOCIN_CTL_ERROR;
    }
    s_backup_t *b = &self->backups[slot];
    b->pid = pid;
    b->token = socin_ctl_defer (ctl);
    b->started = socin_mono_ms ();
    snprintf (b->path, sizeof b->path, "%s", argv[1]);
    socin_info ("backup.started", "path=%s pid=%d", socin_log_q (argv[1]), (int)pid);
    return SOCIN_CTL_DEFERRED;
}

static int
s_cmd_drain (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    socin_daemon_drain (arg);
    socin_str_puts (out, "draining: the daemon exits once in-flight work is done\n");
    return SOCIN_CTL_OK;
}

static int
s_cmd_config (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    socin_daemon_t *self = arg;
    socin_config_dump (self->config, out);
    return SOCIN_CTL_OK;
}

static int
s_cmd_today (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    char date[SOCIN_DATE_STRLEN], err[256];
    if (argc == 2) {
        int32_t day;
        if (socin_date_parse (argv[1], &day, err, sizeof err)) {
            socin_str_puts (out, err);
            return SOCIN_CTL_ERROR;
        }
        if (socin_date_set_today (day)) {
            socin_str_puts (out, "this daemon runs on the system's clock; only a daemon started "
                                 "with SOCIN_TODAY (a simulated clock, for tests and demos) can "
                                 "be moved");
            return SOCIN_CTL_ERROR;
        }
        socin_date_format (day, date, sizeof date);
        socin_info ("clock.set", "today=%s", date);
    }
    socin_date_format (socin_date_today (), date, sizeof date);
    socin_str_printf (out, "today:%s\nclock:%s\n", date,
                      socin_date_simulated () ? "simulated" : "system");
    return SOCIN_CTL_OK;
}

static const socin_ctl_cmd_t s_commands[] = {
    {"status", NULL, "service, state, uptime, data directory and key", s_cmd_status, 0, 0},
    {"stats", NULL, "counters of the service and its store", s_cmd_stats, 0, 0},
    {"log-level", "[LEVEL]", "show or set the log level (debug, info, warn, error)",
     s_cmd_log_level, 0, 1},
    {"backup", "PATH", "hot, compacted copy of the store into the empty directory PATH",
     s_cmd_backup, 1, 1},
    {"drain", NULL, "finish in-flight work, then exit (as SIGTERM)", s_cmd_drain, 0, 0},
    {"config", NULL, "the effective configuration", s_cmd_config, 0, 0},
    {"today", "[DATE]", "show the daemon's date, or move a simulated clock (SOCIN_TODAY) to DATE",
     s_cmd_today, 0, 1},
    {NULL},
};

/* ---- loop events ---- */

static void
s_on_signal (int signo)
{
    unsigned char b = (unsigned char)signo;
    int saved = errno;
    ssize_t rc = write (s_signal_fd, &b, 1);
    (void)rc;
    errno = saved;
}

static int
s_signal_event (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    socin_daemon_t *self = arg;
    unsigned char b;
    while (read (self->signal_pipe[0], &b, 1) == 1) {
        if (b == SIGHUP) {
            char err[512];
            if (socin_config_reload (self->config, err, sizeof err))
                socin_error ("config.reload_failed", "reason=%s", socin_log_q (err));
            else {
                socin_log_set_level (socin_config_str (self->config, "log_level"));
                socin_store_set_map_max (self->store, socin_config_size (self->config, "map_max"));
                socin_info ("config.reloaded", NULL);
                if (self->service->reload) self->service->reload (self, self->service->arg);
            }
        } else if (b == SIGTERM || b == SIGINT) {
            if (self->draining && b == SIGINT) {
                socin_warn ("daemon.interrupted", "detail=%s", socin_log_q ("second interrupt"));
                self->stopping = true;
                return -1;
            }
            socin_daemon_drain (self);
        }
    }
    return 0;
}

static void
s_reap_backups (socin_daemon_t *self)
{
    for (int i = 0; i < MAX_BACKUPS; i++) {
        s_backup_t *b = &self->backups[i];
        if (!b->pid) continue;
        int status;
        pid_t rc = waitpid (b->pid, &status, WNOHANG);
        if (rc == 0) continue;
        bool ok = rc == b->pid && WIFEXITED (status) && WEXITSTATUS (status) == 0;
        char text[768];
        int64_t ms = socin_mono_ms () - b->started;
        if (ok) {
            char file[600];
            snprintf (file, sizeof file, "%s/data.mdb", b->path);
            zfile_t *f = zfile_new (NULL, file);
            long long bytes = f ? (long long)zfile_cursize (f) : 0;
            zfile_destroy (&f);
            snprintf (text, sizeof text, "backup:%s\nbytes:%lld\nms:%lld\n", b->path, bytes,
                      (long long)ms);
            socin_info ("backup.done", "path=%s bytes=%lld ms=%lld", socin_log_q (b->path), bytes,
                        (long long)ms);
        } else {
            snprintf (text, sizeof text,
                      "backup to %s failed (the directory must be new or empty and writable; "
                      "see the daemon log)",
                      b->path);
            socin_error ("backup.failed", "path=%s", socin_log_q (b->path));
        }
        socin_ctl_complete (self->ctl, b->token, ok, text);
        b->pid = 0;
    }
}

static int
s_cron (zloop_t *loop, int timer_id, void *arg)
{
    socin_daemon_t *self = arg;
    s_reap_backups (self);
    /* Every few seconds, give the heap pages large transactions left free back to the system.
       (The store's mapped pages are page cache: the kernel reclaims them as it needs, and they
       are not the daemon's memory, which is judged by its anonymous resident set.) */
    int64_t now = socin_mono_ms ();
    if (now - self->released_at >= 3000) {
        self->released_at = now;
        malloc_trim (0);
    }
    if (self->service->cron) self->service->cron (self, self->service->arg);
    if (self->draining) {
        bool done = !self->service->drain || self->service->drain (self, self->service->arg);
        int64_t limit = socin_config_int (self->config, "drain_timeout_ms");
        if (!done && socin_mono_ms () - self->drain_started > limit) {
            socin_warn ("daemon.drain_timeout", "ms=%lld", (long long)limit);
            done = true;
        }
        if (done) return -1;
    }
    return 0;
}

/* ---- main ---- */

/* The shared keys; "@" in a default stands for the service's name. */
static const char *s_shared_help[][3] = {
    {"data_dir", "${home}/@", "directory of the daemon's LMDB store and its own key"},
    {"control", "${data_dir}/ctl.sock", "control socket (Unix stream, mode 0600)"},
    {"keys_dir", "${home}/keys", "directory where public keys of the local services are published"},
    {"log_level", "info", "debug, info, warn or error"},
    {"map_initial", "64M", "initial size of the LMDB map"},
    {"map_max", "256G",
     "the LMDB map grows up to this size; beyond it writes fail as storage full"},
    {"cron_ms", "100", "period of the housekeeping timer in milliseconds"},
    {"drain_timeout_ms", "10000", "longest wait for in-flight work when draining"},
};

static socin_config_key_t *
s_merge_keys (const socin_service_t *service)
{
    size_t n = 0, shared = sizeof s_shared_help / sizeof s_shared_help[0];
    for (const socin_config_key_t *k = service->keys; k && k->key; k++)
        n++;
    socin_config_key_t *keys = socin_calloc (n + shared + 1, sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = service->keys[i];
    for (size_t i = 0; i < shared; i++) {
        socin_config_key_t *k = &keys[n + i];
        k->key = s_shared_help[i][0];
        socin_str_t def = SOCIN_STR_INIT;
        for (const char *p = s_shared_help[i][1]; *p; p++)
            if (*p == '@')
                socin_str_puts (&def, service->name);
            else
                socin_str_append (&def, p, 1);
        k->def = socin_str_take (&def);
        k->help = s_shared_help[i][2];
        k->type = strstr (k->key, "map_")  ? SOCIN_CFG_SIZE
                  : strstr (k->key, "_ms") ? SOCIN_CFG_INT
                                           : SOCIN_CFG_STRING;
    }
    return keys;
}

static void
s_free_keys (socin_config_key_t *keys, const socin_service_t *service)
{
    size_t n = 0;
    for (const socin_config_key_t *k = service->keys; k && k->key; k++)
        n++;
    for (socin_config_key_t *k = keys + n; k->key; k++)
        free ((char *)k->def);
    free (keys);
}

/* -h, -n and a bad configuration end here: the exit status, or -1 to go on and run. */
static int
s_configure (socin_daemon_t *self, int argc, char **argv)
{
    char err[1024];
    if (socin_config_parse (self->config, argc, argv, err, sizeof err)) {
        fprintf (stderr, "%s: %s\n", argv[0], err);
        return 2;
    }
    if (socin_config_help_only (self->config)) {
        socin_config_usage (self->config, stdout);
        return 0;
    }
    if (socin_log_set_level (socin_config_str (self->config, "log_level"))) {
        fprintf (stderr, "%s: log_level: '%s' is not debug, info, warn or error\n", argv[0],
                 socin_config_str (self->config, "log_level"));
        return 2;
    }
    if (socin_config_check_only (self->config)) {
        printf ("%s: configuration OK\n", argv[0]);
        return 0;
    }
    return -1;
}

/* The store, the server key, the loop with the control socket and the ZAP handler: 0, or -1
   after logging what failed. */
static int
s_open (socin_daemon_t *self)
{
    char err[1024];
    socin_store_opts_t opts = {socin_config_size (self->config, "map_initial"),
                               socin_config_size (self->config, "map_max"), 32, false};
    const char *data_dir = socin_config_str (self->config, "data_dir");
    self->store = socin_store_open (data_dir, &opts, err, sizeof err);
    if (!self->store) {
        socin_error ("store.open_failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    char keydir[1024];
    snprintf (keydir, sizeof keydir, "%s/keys", data_dir);
    self->cert = socin_keys_load_or_create (keydir, "server", err, sizeof err);
    if (!self->cert) {
        socin_error ("keys.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    self->loop = zloop_new ();
    self->ctl = socin_ctl_new (socin_config_str (self->config, "control"), err, sizeof err);
    if (!self->ctl) {
        socin_error ("control.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    socin_ctl_register (self->ctl, s_commands, self);
    if (self->service->commands)
        socin_ctl_register (self->ctl, self->service->commands, self->service->arg);
    socin_ctl_attach (self->ctl, self->loop);
    self->zap = socin_zap_new (self->service->authorize, self->service->arg);
    socin_zap_attach (self->zap, self->loop);
    return 0;
}

/* Signals reach the loop through a self-pipe; the cron timer runs housekeeping. */
static void
s_signals_and_cron (socin_daemon_t *self)
{
    if (pipe2 (self->signal_pipe, O_CLOEXEC | O_NONBLOCK))
        socin_fatal ("daemon.pipe_failed", "err=%s", socin_log_q (strerror (errno)));
    s_signal_fd = self->signal_pipe[1];
    struct sigaction sa = {0};
    sa.sa_handler = s_on_signal;
    sigemptyset (&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction (SIGTERM, &sa, NULL);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGHUP, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);
    zmq_pollitem_t item = {NULL, self->signal_pipe[0], ZMQ_POLLIN, 0};
    zloop_poller (self->loop, &item, s_signal_event, self);
    zloop_timer (self->loop, (size_t)socin_config_int (self->config, "cron_ms"), 0, s_cron, self);
}

static void
s_close (socin_daemon_t *self)
{
    for (int i = 0; i < MAX_BACKUPS; i++)
        if (self->backups[i].pid) waitpid (self->backups[i].pid, NULL, 0);
    socin_ctl_destroy (&self->ctl);
    socin_zap_destroy (&self->zap);
    socin_drops_destroy (&self->drops);
    zloop_destroy (&self->loop);
    zcert_destroy (&self->cert);
    socin_store_destroy (&self->store);
    socin_config_destroy (&self->config);
    s_free_keys (self->keys, self->service);
    if (self->signal_pipe[0]) {
        close (self->signal_pipe[0]);
        close (self->signal_pipe[1]);
    }
}

int
socin_daemon_main (const socin_service_t *service, int argc, char **argv)
{
    if (argc >= 2 && streq (argv[1], "--store-backup")) return socin_store_backup_main (argc, argv);

    socin_daemon_t self_ = {0}, *self = &self_;
    self->service = service;
    self->started = socin_mono_ms ();
    socin_log_init (service->name);
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL);

    self->keys = s_merge_keys (service);
    self->config = socin_config_new (argv[0], self->keys);
    /* What ends before running frees what it used (a leak would make -n fail under
       LeakSanitizer, and the systemd units run -n before every start). */
    int status = s_configure (self, argc, argv);
    if (status >= 0) {
        socin_config_destroy (&self->config);
        s_free_keys (self->keys, service);
        return status;
    }
    status = 1;
    if (s_open (self) == 0) {
        s_signals_and_cron (self);
        if (service->start (self, service->arg) == 0) {
            socin_info ("daemon.ready", "pid=%d data_dir=%s control=%s", (int)getpid (),
                        socin_log_q (socin_config_str (self->config, "data_dir")),
                        socin_log_q (socin_ctl_path (self->ctl)));
            zloop_set_nonstop (self->loop, true);
            /* zloop_start returns 0 when a signal interrupts its poll (EINTR; SA_RESTART does
               not restart poll): the signal's byte waits on the self-pipe, so go round again.
               It returns -1 when a handler ended the loop (drained, or a second SIGINT). */
            while (zloop_start (self->loop) == 0 && zmq_errno () == EINTR)
                ;
            /* The server sockets' monitors stop before the service closes the sockets. */
            socin_drops_stop (self->drops);
            if (service->stop) service->stop (self, service->arg);
            socin_info ("daemon.stopped", "pid=%d", (int)getpid ());
            status = 0;
        }
    }
    s_close (self);
    return status;
}
