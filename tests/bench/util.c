/*  util: clocks, progress lines, samples, /proc and disk figures for the benchmark. */
#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench.h"

static int64_t s_start_us;

int64_t
b_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
b_sleep_us (int64_t us)
{
    struct timespec ts = {(time_t) (us / 1000000), (long) (us % 1000000) * 1000};
    nanosleep (&ts, NULL);
}

void
b_note (const char *fmt, ...)
{
    if (!s_start_us) s_start_us = b_now_us ();
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "[%6.1fs] ", (double) (b_now_us () - s_start_us) / 1e6);
    vfprintf (stderr, fmt, ap);
    fputc ('\n', stderr);
    va_end (ap);
}

/* ---- samples ---- */

void
b_samples_add (b_samples_t *s, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc (s->v, s->cap * sizeof *s->v);
        if (!s->v) b_fail ("out of memory");
    }
    s->v[s->n++] = x;
}

static int
s_cmp_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

double
b_percentile (b_samples_t *s, double p)
{
    if (!s->n) return NAN;
    qsort (s->v, s->n, sizeof *s->v, s_cmp_double);
    /* Nearest rank: the smallest sample with at least P% of the samples at or below it. */
    size_t rank = (size_t) ceil (p / 100.0 * (double) s->n);
    if (rank < 1) rank = 1;
    if (rank > s->n) rank = s->n;
    return s->v[rank - 1];
}

void
b_samples_free (b_samples_t *s)
{
    free (s->v);
    memset (s, 0, sizeof *s);
}

/* ---- /proc and disk ---- */

long long
b_proc_kb (pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *f = fopen (path, "r");
    if (!f) return -1;
    long long kb = -1;
    size_t flen = strlen (field);
    while (fgets (line, sizeof line, f))
        if (!strncmp (line, field, flen) && line[flen] == ':') {
            kb = atoll (line + flen + 1);
            break;
        }
    fclose (f);
    return kb;
}

socin_client_t *
b_client (const char *home, const char *service, const char *ep, const char *admin)
{
    char key[700], err[512];
    snprintf (key, sizeof key, "%s/keys/%s.cert", home, service);
    socin_client_t *c = socin_client_new (ep, key, admin, 0, err, sizeof err);
    if (!c) b_fail ("%s client: %s", service, err);
    return c;
}

Socin__V1__RegistryReply *
b_registry_call (const char *home, const char *ep, const char *admin, Socin__V1__RegistryRequest *req,
                 const char *what)
{
    char err[512];
    socin_client_t *c = b_client (home, "registry", ep, admin);
    Socin__V1__RegistryReply *reply = (Socin__V1__RegistryReply *) socin_client_call (
        c, &req->base, &socin__v1__registry_reply__descriptor, 60000, err, sizeof err);
    socin_client_destroy (&c);
    if (!reply || reply->error)
        b_fail ("%s: the registry refused: %s", what, reply && reply->error ? reply->error->message : err);
    return reply;
}

struct b_anon_t {
    pid_t *const *pids;
    int n;
    long long peak_kb[B_ANON_MAX];
    pthread_mutex_t lock;
    bool stop;
    pthread_t thread;
};

/* PID's resident pages less its shared ones (RssAnon), in kB; -1 when unreadable. */
static long long
s_anon_kb (pid_t pid)
{
    char path[64];
    snprintf (path, sizeof path, "/proc/%d/statm", (int) pid);
    FILE *f = fopen (path, "r");
    if (!f) return -1;
    long long size, resident, shared;
    int got = fscanf (f, "%lld %lld %lld", &size, &resident, &shared);
    fclose (f);
    return got == 3 ? (resident - shared) * (sysconf (_SC_PAGESIZE) / 1024) : -1;
}

static void
s_anon_read (b_anon_t *self)
{
    for (int i = 0; i < self->n; i++) {
        long long kb = s_anon_kb (__atomic_load_n (self->pids[i], __ATOMIC_RELAXED));
        pthread_mutex_lock (&self->lock);
        if (kb > self->peak_kb[i]) self->peak_kb[i] = kb;
        pthread_mutex_unlock (&self->lock);
    }
}

static void *
s_anon_run (void *arg)
{
    b_anon_t *self = arg;
    for (;;) {
        pthread_mutex_lock (&self->lock);
        bool stop = self->stop;
        pthread_mutex_unlock (&self->lock);
        if (stop) return NULL;
        s_anon_read (self);
        b_sleep_us (10000);
    }
}

b_anon_t *
b_anon_watch (pid_t *const *pids, int n)
{
    b_anon_t *self = calloc (1, sizeof *self);
    self->pids = pids;
    self->n = n < B_ANON_MAX ? n : B_ANON_MAX;
    pthread_mutex_init (&self->lock, NULL);
    s_anon_read (self);
    if (pthread_create (&self->thread, NULL, s_anon_run, self)) b_fail ("cannot start a thread");
    return self;
}

long long
b_anon_peak_kb (b_anon_t *self, int i)
{
    s_anon_read (self);
    pthread_mutex_lock (&self->lock);
    long long kb = self->peak_kb[i];
    pthread_mutex_unlock (&self->lock);
    return kb;
}

void
b_anon_stop (b_anon_t **self_p)
{
    b_anon_t *self = *self_p;
    if (!self) return;
    pthread_mutex_lock (&self->lock);
    self->stop = true;
    pthread_mutex_unlock (&self->lock);
    pthread_join (self->thread, NULL);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

long long
b_proc_written (pid_t pid)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/io", (int) pid);
    FILE *f = fopen (path, "r");
    if (!f) return -1;
    long long bytes = -1;
    while (fgets (line, sizeof line, f))
        if (!strncmp (line, "write_bytes:", 12)) {
            bytes = atoll (line + 12);
            break;
        }
    fclose (f);
    return bytes;
}

long long
b_disk_bytes (const char *path)
{
    struct stat st;
    if (lstat (path, &st)) return 0;
    if (!S_ISDIR (st.st_mode)) return (long long) st.st_blocks * 512;
    long long total = 0;
    DIR *d = opendir (path);
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        if (!strcmp (e->d_name, ".") || !strcmp (e->d_name, "..")) continue;
        char sub[2048];
        snprintf (sub, sizeof sub, "%s/%s", path, e->d_name);
        total += b_disk_bytes (sub);
    }
    closedir (d);
    return total;
}
