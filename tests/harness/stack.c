/*  stack: daemons and files for service tests. See stack.h. */
#include "stack.h"

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
s_sleep_ms (int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep (&ts, NULL);
}

void
t_tmpdir (char *out, size_t len)
{
    snprintf (out, len, "/tmp/socin-test-XXXXXX");
    if (!mkdtemp (out)) {
        perror ("mkdtemp");
        exit (2);
    }
}

void
t_begin (char *home, size_t len, const char *today)
{
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL);
    if (today) setenv ("SOCIN_TODAY", today, 1);
    t_tmpdir (home, len);
}

void
t_rmtree (const char *path)
{
    if (!path || strncmp (path, "/tmp/", 5)) return;
    if (getenv ("SOCIN_KEEP")) {
        fprintf (stderr, "    kept %s (SOCIN_KEEP is set)\n", path);
        return;
    }
    char cmd[1200];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system (cmd)) {
    }
}

static void
s_tail (const char *log)
{
    char cmd[800];
    snprintf (cmd, sizeof cmd, "tail -n 20 '%s' >&2", log);
    if (system (cmd)) {
    }
}

static pid_t
s_spawn (t_daemon_t *d)
{
    const char *bindir = getenv ("SOCIN_BIN");
    char exe[600];
    snprintf (exe, sizeof exe, "%s/%s", bindir ? bindir : "bin", d->binary);
    char data_dir[600];
    snprintf (data_dir, sizeof data_dir, "%s/%s", d->home, d->name);
    char *argv[64];
    int n = 0;
    argv[n++] = exe;
    argv[n++] = "--home";
    argv[n++] = d->home;
    argv[n++] = "--data-dir";
    argv[n++] = data_dir;
    argv[n++] = "--control";
    argv[n++] = d->ctl;
    for (int i = 0; i < d->nargs && n < 62; i++)
        argv[n++] = d->args[i];
    argv[n] = NULL;
    pid_t pid = fork ();
    if (pid == 0) {
        int fd = open (d->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2 (fd, 2);
            dup2 (fd, 1);
            close (fd);
        }
        execv (exe, argv);
        fprintf (stderr, "cannot run %s: %s\n", exe, strerror (errno));
        _exit (127);
    }
    return pid;
}

static int
s_wait_ready (t_daemon_t *d)
{
    char out[4096];
    for (int i = 0; i < 400; i++) {
        if (t_ctl (d->ctl, "status", out, sizeof out) == 0 && strstr (out, "state:running"))
            return 0;
        int status;
        if (waitpid (d->pid, &status, WNOHANG) == d->pid) {
            fprintf (stderr, "    %s exited during start-up (status %d); log:\n", d->name, status);
            s_tail (d->log);
            d->pid = 0;
            return -1;
        }
        s_sleep_ms (50);
    }
    fprintf (stderr, "    %s did not answer on %s within 20 s; log:\n", d->name, d->ctl);
    s_tail (d->log);
    return -1;
}

t_daemon_t *
t_start (const char *binary, const char *name, const char *home, const char *const *args)
{
    t_daemon_t *d = calloc (1, sizeof *d);
    snprintf (d->binary, sizeof d->binary, "%s", binary);
    snprintf (d->name, sizeof d->name, "%s", name);
    snprintf (d->home, sizeof d->home, "%s", home);
    snprintf (d->ctl, sizeof d->ctl, "%s/%s.sock", home, name);
    snprintf (d->log, sizeof d->log, "%s/%s.log", home, name);
    for (int i = 0; args && args[i] && i < 48; i++)
        d->args[d->nargs++] = strdup (args[i]);
    d->pid = s_spawn (d);
    if (s_wait_ready (d)) {
        t_free (&d);
        return NULL;
    }
    return d;
}

int
t_restart (t_daemon_t *d)
{
    d->pid = s_spawn (d);
    return s_wait_ready (d);
}

int
t_stop (t_daemon_t *d)
{
    if (!d || d->pid <= 0) return -1;
    kill (d->pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; i++) {
        if (waitpid (d->pid, &status, WNOHANG) == d->pid) {
            d->pid = 0;
            return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
        }
        s_sleep_ms (50);
    }
    kill (d->pid, SIGKILL);
    waitpid (d->pid, &status, 0);
    d->pid = 0;
    return -1;
}

void
t_kill9 (t_daemon_t *d)
{
    if (!d || d->pid <= 0) return;
    kill (d->pid, SIGKILL);
    waitpid (d->pid, NULL, 0);
    d->pid = 0;
}

void
t_free (t_daemon_t **d_p)
{
    t_daemon_t *d = *d_p;
    if (!d) return;
    if (d->pid > 0) t_stop (d);
    for (int i = 0; i < d->nargs; i++)
        free (d->args[i]);
    free (d);
    *d_p = NULL;
}

int
t_ctl (const char *path, const char *command, char *out, size_t len)
{
    out[0] = 0;
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf (addr.sun_path, sizeof addr.sun_path, "%s", path);
    if (fd < 0 || connect (fd, (struct sockaddr *)&addr, sizeof addr)) {
        if (fd >= 0) close (fd);
        return -1;
    }
    struct timeval tv = {30, 0};
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char line[1024];
    snprintf (line, sizeof line, "%s\n", command);
    if (write (fd, line, strlen (line)) < 0) {
        close (fd);
        return -1;
    }
    shutdown (fd, SHUT_WR);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < len && (r = read (fd, out + n, len - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = 0;
    close (fd);
    /* Drop the closing empty line. */
    while (n && out[n - 1] == '\n')
        out[--n] = 0;
    return 0;
}

int
t_field_str (const char *text, const char *key, char *out, size_t len)
{
    size_t klen = strlen (key);
    for (const char *p = text; p && *p;) {
        if (!strncmp (p, key, klen) && p[klen] == ':') {
            const char *v = p + klen + 1, *e = strchr (v, '\n');
            size_t n = e ? (size_t)(e - v) : strlen (v);
            if (n >= len) n = len - 1;
            memcpy (out, v, n);
            out[n] = 0;
            return 0;
        }
        p = strchr (p, '\n');
        if (p) p++;
    }
    return -1;
}

long long
t_ctl_field (t_daemon_t *d, const char *command, const char *key)
{
    char out[16384];
    if (t_ctl (d->ctl, command, out, sizeof out)) return -1;
    return t_field (out, key);
}

long long
t_field (const char *text, const char *key)
{
    char v[64];
    return t_field_str (text, key, v, sizeof v) ? -1 : atoll (v);
}

char *
t_read_file (const char *path, size_t *len)
{
    FILE *f = fopen (path, "rb");
    if (!f) return NULL;
    fseek (f, 0, SEEK_END);
    long size = ftell (f);
    fseek (f, 0, SEEK_SET);
    char *data = malloc ((size_t)size + 1);
    if (!data || fread (data, 1, (size_t)size, f) != (size_t)size) {
        free (data);
        fclose (f);
        return NULL;
    }
    data[size] = 0;
    fclose (f);
    if (len) *len = (size_t)size;
    return data;
}

int
t_write_file (const char *path, const char *data, size_t len)
{
    FILE *f = fopen (path, "wb");
    if (!f) return -1;
    size_t w = fwrite (data, 1, len, f);
    fclose (f);
    return w == len ? 0 : -1;
}

const char *
t_shared (const char *relative)
{
    static char path[4][1024];
    static int next;
    char *out = path[next++ % 4];
    const char *root = getenv ("SOCIN_SHARED");
    snprintf (out, 1024, "%s/%s", root ? root : "../shared", relative);
    return out;
}

bool
t_wait_for (bool (*condition) (void *arg), void *arg, int ms)
{
    for (int waited = 0; waited <= ms; waited += 50) {
        if (condition (arg)) return true;
        s_sleep_ms (50);
    }
    return condition (arg);
}

long long
t_registry_seq (t_daemon_t *registry)
{
    char out[1024];
    if (t_ctl (registry->ctl, "seq", out, sizeof out)) return -1;
    return t_field (out, "seq");
}

typedef struct {
    t_daemon_t *d;
    long long seq; /* the registry sequence the replica must reach; -1: live is enough */
} s_replica_wait_t;

static bool
s_replica_caught_up (void *arg)
{
    s_replica_wait_t *w = arg;
    char out[4096];
    if (t_ctl (w->d->ctl, "status", out, sizeof out) || !strstr (out, "replica_state:live"))
        return false;
    return w->seq < 0 || t_field (out, "replica_seq") >= w->seq;
}

bool
t_wait_replica (t_daemon_t *d, t_daemon_t *registry, int ms)
{
    s_replica_wait_t w = {d, t_registry_seq (registry)};
    if (t_wait_for (s_replica_caught_up, &w, ms)) return true;
    char out[4096] = "";
    t_ctl (d->ctl, "status", out, sizeof out);
    fprintf (stderr, "    %s's replica did not reach registry seq %lld:\n%s\n", d->name, w.seq,
             out);
    return false;
}

long long
t_store_leaf_pages (const char *dir, const char *db)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_stat st;
    long long pages = -1;
    if (mdb_env_create (&env)) return -1;
    mdb_env_set_maxdbs (env, 64);
    if (!mdb_env_open (env, dir, MDB_RDONLY, 0600) &&
        !mdb_txn_begin (env, NULL, MDB_RDONLY, &txn)) {
        if (!mdb_dbi_open (txn, db, 0, &dbi) && !mdb_stat (txn, dbi, &st))
            pages = (long long)st.ms_leaf_pages;
        mdb_txn_abort (txn);
    }
    mdb_env_close (env);
    return pages;
}

size_t
t_file_size (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 ? (size_t)st.st_size : 0;
}

int
t_log_events (const char *path, size_t from, const char *event, const char *field, int *ones)
{
    size_t len = 0;
    char *log = t_read_file (path, &len);
    int n = 0;
    if (ones) *ones = 0;
    for (char *line = log && len > from ? log + from : NULL, *end; line && *line; line = end) {
        end = strchr (line, '\n');
        if (end) *end++ = 0;
        if (!strstr (line, event)) continue;
        n++;
        const char *f = field ? strstr (line, field) : NULL;
        if (ones && f && atoi (f + strlen (field)) == 1) (*ones)++;
    }
    free (log);
    return n;
}
