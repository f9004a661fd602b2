/*  bench: `make bench` — socin's throughput, latency, queries and footprint on this machine,
    beside PostgreSQL doing the same work and beside the machine's own limits.

    Usage: bench --dir DIR --pg-dir DIR --out FILE [--root DIR] [--shared DIR] [--scale N]
                 [--only STAGE,...]
    (tests/bench/run sets these up and cleans up after it; --scale N keeps every Nth
    municipality and --only runs some of the stages — machine, feed, shuffled, regions,
    decade, pg; access is stack A's feed and then only its pivots and exports — for a quick
    look while working on the benchmark or on one figure).

    Stages, in order (each stack is new, in its own directory under DIR, with IPC endpoints,
    the bootstrap admin key as submitter "local" for all CZ and as the analyst, and
    SOCIN_TODAY=2026-03-15 so that 2022–2025 are open):

      machine    LMDB's durable sequential append rate at socin's batch sizes, ZeroMQ's
                 ipc+CURVE message rate at socin's message sizes
      A (feed)   registry (official territory, bench catalogue), reporting, one national
                 ingest: the full workload in feed order; queries; footprint; reporting
                 killed and restarted with the full cube; acknowledgement latency paced at
                 50,000 values/s and at saturation; a backlog with forwarding paused, the
                 ingest killed and restarted, the backlog drained
      B (shuffled) the same workload shuffled, into a new stack; then 1,000-, 10,000- and
                 50,000-value submissions
      C1, C2, C4   new stacks with 1, 2 and 4 regional ingests, each fed its kraj at once
      D (decade) ten years (2016–2025) of the full workload into a new stack, year by year,
                 each year followed by the quarterly progress of the measures of every kraj's
                 regional plan and of the local plans of the municipalities of 10,000 or more;
                 roll-ups, completeness and plan fulfilment over it, disk per million values,
                 each daemon's RssAnon, reporting killed and restarted
      PostgreSQL the same values by COPY into a keyed table, the same roll-ups in SQL, the
                 same latency and restart figures (pg.c)
*/
#include <czmq.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access.h"
#include "bench.h"
#include "web.h"
#include "client.h"
#include "decimal.h"
#include "pg.h"
#include "stack.h"
#include "socin/v1/registry.pb-c.h"
#include "socin/v1/report.pb-c.h"

#define TODAY        "2026-03-15"
#define YEAR         2025
#define PER_SUB      10000 /* values per submission in the throughput runs */
#define LAT_PER_SUB  500   /* values per submission in the latency runs */
#define LAT_RATE     50000 /* offered values per second */
#define LAT_SECONDS  10
#define QUERY_REPS   200

/* ---- options and cleanup ---- */

static struct {
    char dir[512], pgdir[512], out[512], root[512], shared[512], only[256];
    int scale;
} s_opt;

/* Whether --only (a comma-separated list of stage names) lets STAGE run. */
static bool
s_want (const char *stage)
{
    if (!s_opt.only[0]) return true;
    size_t n = strlen (stage);
    for (const char *p = s_opt.only; *p;) {
        size_t len = strcspn (p, ",");
        if (len == n && !strncmp (p, stage, n)) return true;
        p += len;
        if (*p == ',') p++;
    }
    return false;
}

static b_territory_t s_terr;
static t_daemon_t *s_daemons[64];
static int s_ndaemons;
static int64_t s_t0;
static double s_nvalues, s_nevents;

static void
s_track (t_daemon_t *d)
{
    for (int i = 0; i < s_ndaemons; i++)
        if (s_daemons[i] == d) return;
    if (s_ndaemons < 64) s_daemons[s_ndaemons++] = d;
}

static void
s_untrack (t_daemon_t *d)
{
    for (int i = 0; i < s_ndaemons; i++)
        if (s_daemons[i] == d) s_daemons[i] = s_daemons[--s_ndaemons];
}

static void
s_kill_all (void)
{
    for (int i = 0; i < s_ndaemons; i++)
        if (s_daemons[i]->pid > 0) kill (s_daemons[i]->pid, SIGKILL);
    b_pg_emergency_stop ();
}

static void
s_on_signal (int sig)
{
    s_kill_all ();
    _exit (128 + sig);
}

void
b_fail (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "bench: ");
    vfprintf (stderr, fmt, ap);
    fputc ('\n', stderr);
    va_end (ap);
    s_kill_all ();
    for (int i = 0; i < s_ndaemons; i++) waitpid (s_daemons[i]->pid, NULL, 0);
    exit (1);
}

static double
s_secs (int64_t from_us, int64_t to_us)
{
    return (double) (to_us - from_us) / 1e6;
}

/* ---- stacks ---- */

typedef struct {
    char name[16], home[600];
    char reg_ep[700], upd_ep[700], query_ep[700], fwd_ep[700], admin[700];
    t_daemon_t *registry, *reporting, *ingest[4];
    char src[4][16];
    int ningest;
    /* Each daemon's peak anonymous memory while the stack runs: registry, reporting, ingests. */
    pid_t *watched[B_ANON_MAX];
    b_anon_t *anon;
} s_stack_t;

static t_daemon_t *
s_start_daemon (const char *binary, const char *name, const char *home, const char *const *args)
{
    t_daemon_t *d = t_start (binary, name, home, args);
    if (!d) b_fail ("%s did not start (see %s/%s.log)", name, home, name);
    s_track (d);
    return d;
}

static long long
s_ctl_num (t_daemon_t *d, const char *command, const char *key)
{
    char out[16384];
    if (t_ctl (d->ctl, command, out, sizeof out)) return -1;
    return t_field (out, key);
}

static bool
s_ctl_has (t_daemon_t *d, const char *command, const char *text)
{
    char out[16384];
    return t_ctl (d->ctl, command, out, sizeof out) == 0 && strstr (out, text);
}

static void
s_stack_start (s_stack_t *s, const char *name, const char *const *sources, const char *const *territories, int n)
{
    memset (s, 0, sizeof *s);
    snprintf (s->name, sizeof s->name, "%s", name);
    snprintf (s->home, sizeof s->home, "%s/%s", s_opt.dir, name);
    mkdir (s->home, 0700);
    snprintf (s->reg_ep, sizeof s->reg_ep, "ipc://%s/registry.ipc", s->home);
    snprintf (s->upd_ep, sizeof s->upd_ep, "ipc://%s/updates.ipc", s->home);
    snprintf (s->query_ep, sizeof s->query_ep, "ipc://%s/query.ipc", s->home);
    snprintf (s->fwd_ep, sizeof s->fwd_ep, "ipc://%s/forward.ipc", s->home);
    snprintf (s->admin, sizeof s->admin, "%s/keys/admin.cert", s->home);
    char territory[1024], population[1024], catalogue[1024];
    snprintf (territory, sizeof territory, "%s/data/cz/struktura_uzemi_cr.csv", s_opt.shared);
    snprintf (population, sizeof population, "%s/data/cz/obce_population_2021-01-01.csv", s_opt.shared);
    snprintf (catalogue, sizeof catalogue, "%s/catalogue.ini", s_opt.dir);
    const char *rargs[] = {"--endpoint", s->reg_ep, "--updates", s->upd_ep, "--territory-file", territory,
                           "--population-file", population, "--catalogue-file", catalogue, NULL};
    s->registry = s_start_daemon ("socin-registry", "registry", s->home, rargs);
    const char *pargs[] = {"--endpoint", s->query_ep, "--forward", s->fwd_ep, "--registry", s->reg_ep,
                           "--registry-updates", s->upd_ep, NULL};
    s->reporting = s_start_daemon ("socin-reporting", "reporting", s->home, pargs);
    for (int i = 0; i < n; i++) {
        snprintf (s->src[i], sizeof s->src[i], "%s", sources[i]);
        char ep[700], dname[64];
        snprintf (ep, sizeof ep, "ipc://%s/ingest-%s.ipc", s->home, sources[i]);
        snprintf (dname, sizeof dname, "ingest-%s", sources[i]);
        const char *iargs[16];
        int k = 0;
        iargs[k++] = "--source";
        iargs[k++] = sources[i];
        if (territories && territories[i]) {
            iargs[k++] = "--territory";
            iargs[k++] = territories[i];
        }
        const char *rest[] = {"--endpoint", ep, "--registry", s->reg_ep, "--registry-updates", s->upd_ep,
                              "--reporting", s->fwd_ep, NULL};
        for (int j = 0; rest[j]; j++) iargs[k++] = rest[j];
        iargs[k] = NULL;
        s->ingest[i] = s_start_daemon ("socin-ingest", dname, s->home, iargs);
    }
    s->ningest = n;
    /* Ready: every replica has the registry's sequence, every ingest is forwarding. */
    long long seq = s_ctl_num (s->registry, "seq", "seq");
    int64_t deadline = b_now_us () + 60 * 1000000LL;
    for (int i = 0; i < n; i++) {
        while (s_ctl_num (s->ingest[i], "status", "replica_seq") < seq ||
               !s_ctl_has (s->ingest[i], "backlog", "forward_state:forwarding")) {
            if (b_now_us () > deadline) b_fail ("stack %s: ingest %s is not ready after 60 s", name, sources[i]);
            b_sleep_us (20000);
        }
    }
    while (s_ctl_num (s->reporting, "status", "replica_seq") < seq) {
        if (b_now_us () > deadline) b_fail ("stack %s: reporting's replica is not ready after 60 s", name);
        b_sleep_us (20000);
    }
    s->watched[0] = &s->registry->pid;
    s->watched[1] = &s->reporting->pid;
    for (int i = 0; i < n; i++) s->watched[2 + i] = &s->ingest[i]->pid;
    s->anon = b_anon_watch (s->watched, 2 + n);
}

/* The largest anonymous memory daemon D of S has had since S started, in MiB. */
static double
s_anon_peak (s_stack_t *s, t_daemon_t *d)
{
    for (int i = 0; i < 2 + s->ningest; i++)
        if (s->watched[i] == &d->pid) return (double) b_anon_peak_kb (s->anon, i) / 1024.0;
    return NAN;
}

static void
s_stack_stop (s_stack_t *s)
{
    b_anon_stop (&s->anon);
    for (int i = 0; i < s->ningest; i++) {
        s_untrack (s->ingest[i]);
        t_free (&s->ingest[i]);
    }
    s_untrack (s->reporting);
    t_free (&s->reporting);
    s_untrack (s->registry);
    t_free (&s->registry);
    t_rmtree (s->home);
}

static b_feed_t *
s_feed (s_stack_t *s, int i)
{
    char ep[700], key[700];
    snprintf (ep, sizeof ep, "ipc://%s/ingest-%s.ipc", s->home, s->src[i]);
    snprintf (key, sizeof key, "%s/keys/ingest-%s.cert", s->home, s->src[i]);
    return b_feed_new (s->src[i], ep, key, s->admin);
}

/* Reporting's applied sequence of SOURCE (-1 when unknown). */
static long long
s_applied (s_stack_t *s, const char *source)
{
    char out[16384], want[64];
    if (t_ctl (s->reporting->ctl, "sources", out, sizeof out)) return -1;
    snprintf (want, sizeof want, "\n%s:applied=", source);
    char *p = strstr (out, want);
    return p ? atoll (p + strlen (want)) : -1;
}

/* Waits until reporting has applied SEQS[i] of each source; returns the moment it saw it. */
static int64_t
s_wait_applied (s_stack_t *s, const uint64_t *seqs, int n, int timeout_s)
{
    int64_t deadline = b_now_us () + (int64_t) timeout_s * 1000000;
    for (;;) {
        bool all = true;
        for (int i = 0; i < n && all; i++)
            if (s_applied (s, s->src[i]) < (long long) seqs[i]) all = false;
        int64_t now = b_now_us ();
        if (all) return now;
        if (now > deadline) {
            for (int i = 0; i < n; i++)
                fprintf (stderr, "    %s: applied %lld of %llu\n", s->src[i], s_applied (s, s->src[i]),
                         (unsigned long long) seqs[i]);
            b_fail ("stack %s: reporting did not apply every batch within %d s", s->name, timeout_s);
        }
        b_sleep_us (5000);
    }
}

static void
s_check_drive (const char *what, const b_drive_result_t *r, uint64_t want_values)
{
    if (r->refused || r->rejected || r->values_acked != want_values) {
        b_note ("%s: %llu of %llu values acknowledged, %llu rejected, %llu submissions refused; first: %s", what,
                (unsigned long long) r->values_acked, (unsigned long long) want_values,
                (unsigned long long) r->rejected, (unsigned long long) r->refused, r->first_problem);
        b_fail ("%s: the ingest did not accept the whole workload", what);
    }
}

/* ---- CPU time of the daemons and of this program ---- */

typedef struct {
    double registry, reporting, ingest[4], self;
    long long w_reporting, w_ingest[4];
} s_cpu_t;

static double
s_cpu_of (pid_t pid)
{
    char path[64], buf[1024];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *f = fopen (path, "r");
    if (!f) return 0;
    size_t n = fread (buf, 1, sizeof buf - 1, f);
    fclose (f);
    buf[n] = 0;
    char *p = strrchr (buf, ')');
    unsigned long long ut = 0, st = 0;
    /* After the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (!p || sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return 0;
    return (double) (ut + st) / (double) sysconf (_SC_CLK_TCK);
}

static void
s_cpu_sample (s_stack_t *s, s_cpu_t *out)
{
    memset (out, 0, sizeof *out);
    out->registry = s_cpu_of (s->registry->pid);
    out->reporting = s_cpu_of (s->reporting->pid);
    for (int i = 0; i < s->ningest; i++) {
        out->ingest[i] = s_cpu_of (s->ingest[i]->pid);
        out->w_ingest[i] = b_proc_written (s->ingest[i]->pid);
    }
    out->self = s_cpu_of (getpid ());
    out->w_reporting = b_proc_written (s->reporting->pid);
}

/* "cores busy: ingest 0.95, reporting 0.80, client 0.10; written: ..." over SECONDS, for VALUES. */
static void
s_cpu_text (s_stack_t *s, const s_cpu_t *a, const s_cpu_t *b, double seconds, uint64_t values, char *out, size_t len)
{
    double ing = 0, wing = 0;
    for (int i = 0; i < s->ningest; i++) {
        ing += b->ingest[i] - a->ingest[i];
        wing += (double) (b->w_ingest[i] - a->w_ingest[i]);
    }
    double wrep = (double) (b->w_reporting - a->w_reporting);
    snprintf (out, len,
              "CPU (cores busy meanwhile): ingest%s %.2f, reporting %.2f, client %.2f; written to disk meanwhile: "
              "ingest%s %.0f MB/s (%.0f bytes/value), reporting %.0f MB/s",
              s->ningest > 1 ? "s" : "", ing / seconds, (b->reporting - a->reporting) / seconds, (b->self - a->self) / seconds,
              s->ningest > 1 ? "s" : "", wing / 1e6 / seconds, values ? wing / (double) values : 0.0, wrep / 1e6 / seconds);
}

/* The ingest's own view of latency: its log's ms= (receipt to answer) for submissions whose id
   starts with PREFIX. */
static void
s_server_latency (t_daemon_t *d, const char *prefix, b_samples_t *out)
{
    FILE *f = fopen (d->log, "r");
    char line[2048], want[96];
    snprintf (want, sizeof want, "event=submission.accepted id=%s", prefix);
    while (f && fgets (line, sizeof line, f)) {
        if (!strstr (line, want)) continue;
        char *ms = strstr (line, " ms=");
        if (ms) b_samples_add (out, atof (ms + 4));
    }
    if (f) fclose (f);
}

/* The ingest's group commits since it started: "N group commits (V values each), X ms avg, Y ms max". */
static void
s_commit_text (t_daemon_t *ingest, uint64_t values, char *out, size_t len)
{
    char st[8192], avg[32] = "?", max[32] = "?";
    if (t_ctl (ingest->ctl, "stats", st, sizeof st)) {
        snprintf (out, len, "no stats");
        return;
    }
    long long groups = t_field (st, "group_commits");
    t_field_str (st, "commit_ms_avg", avg, sizeof avg);
    t_field_str (st, "commit_ms_max", max, sizeof max);
    snprintf (out, len, "%lld group commits (%.0f values each), commit %s ms average, %s ms longest", groups,
              groups > 0 ? (double) values / (double) groups : 0.0, avg, max);
}

/* ---- figures from a run ---- */

static double
s_rate (uint64_t values, int64_t from, int64_t to)
{
    return to > from ? (double) values / s_secs (from, to) : NAN;
}

/* ---- queries ---- */

typedef struct {
    const char *name;
    Socin__V1__ReportRequest req;
    Socin__V1__RollupQuery rollup;
    Socin__V1__CompletenessQuery completeness;
    Socin__V1__TargetProgressQuery targets;
    Socin__V1__PlanFulfilmentQuery plans;
} s_query_t;

/* Past the five questions PostgreSQL is asked too: plan fulfilment kraj by kraj, asked of the
   decade (s_expect_measures: its plans' measures, every one done by the last reports). */
#define S_QUERY_PLANS 5
#define S_NQUERIES    6

const char *const b_query_names[5] = {"national roll-up, one indicator, year", "kraj-by-kraj roll-up",
                                      "ORP roll-up inside one kraj", "completeness by kraj, one month",
                                      "CZ0046 progress"};

static int64_t s_expect_national;  /* micros: BENCH_01 over CZ for YEAR */
static uint64_t s_expect_cz0046;   /* municipalities qualifying for CZ0046_PUBLIC */
static size_t s_expect_measures;   /* the decade's plan measures */

static void
s_expectations (void)
{
    s_expect_national = 0;
    for (int u = 0; u < s_terr.nunits; u++)
        for (int m = 1; m <= 12; m++) s_expect_national += b_value_micros (0, u, YEAR, m);
    s_expect_cz0046 = 0;
    for (int u = 0; u < s_terr.nunits; u++) {
        bool q = false;
        for (int k = 0; k < b_events_of (u, YEAR); k++) {
            b_event_t e;
            b_event (u, YEAR, k, &e);
            if (e.open && e.type >= 1 && e.type <= 4) q = true;
        }
        s_expect_cz0046 += q;
    }
}

static void
s_queries_init (s_query_t *q)
{
    for (int i = 0; i < S_NQUERIES; i++) {
        memset (&q[i], 0, sizeof q[i]);
        q[i].name = i < 5 ? b_query_names[i] : "plan fulfilment by kraj";
        socin__v1__report_request__init (&q[i].req);
        socin__v1__rollup_query__init (&q[i].rollup);
        socin__v1__completeness_query__init (&q[i].completeness);
        socin__v1__target_progress_query__init (&q[i].targets);
        socin__v1__plan_fulfilment_query__init (&q[i].plans);
        q[i].req.request_id = "q";
        q[i].rollup.indicator = (char *) b_ind_code (0);
        q[i].rollup.period = "2025";
    }
    q[0].req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
    q[0].req.rollup = &q[0].rollup;
    q[1].req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
    q[1].req.rollup = &q[1].rollup;
    q[1].rollup.level = SOCIN__V1__LEVEL__LEVEL_KRAJ;
    q[2].req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
    q[2].req.rollup = &q[2].rollup;
    q[2].rollup.level = SOCIN__V1__LEVEL__LEVEL_ORP;
    q[2].rollup.under = "CZ064";
    q[3].req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS;
    q[3].req.completeness = &q[3].completeness;
    q[3].completeness.dataset = "DS_BENCH";
    q[3].completeness.period = "202512";
    q[3].completeness.level = SOCIN__V1__LEVEL__LEVEL_KRAJ;
    q[4].req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_TARGETS;
    q[4].req.targets = &q[4].targets;
    q[4].targets.code = "CZ0046_PUBLIC";
    q[S_QUERY_PLANS].req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PLANS;
    q[S_QUERY_PLANS].req.plans = &q[S_QUERY_PLANS].plans;
    q[S_QUERY_PLANS].plans.level = SOCIN__V1__LEVEL__LEVEL_KRAJ;
}

/* Checks an answer against the workload; "" when right, else what is wrong. */
static const char *
s_check_answer (int which, const Socin__V1__ReportReply *r)
{
    static char why[256];
    if (r->error) {
        snprintf (why, sizeof why, "error: %s", r->error->message);
        return why;
    }
    switch (which) {
    case 0: {
        if (!r->table || r->table->n_rows != 1) return "not one row";
        socin_dec_t got = 0;
        char e[64];
        const char *v = r->table->rows[0]->value;
        if (socin_dec_parse (v, strlen (v), &got, e, sizeof e) || got != s_expect_national) {
            snprintf (why, sizeof why, "national sum %s, expected %lld", v, (long long) (s_expect_national / 1000000));
            return why;
        }
        return "";
    }
    case 1:
        return r->table && r->table->n_rows == 14 ? "" : "not 14 kraje";
    case 2:
        return r->table && r->table->n_rows > 10 ? "" : "too few ORP rows";
    case 3: {
        if (!r->completeness || r->completeness->n_rows != 14) return "not 14 kraje";
        uint64_t complete = 0;
        for (size_t i = 0; i < r->completeness->n_rows; i++) complete += r->completeness->rows[i]->complete;
        if (complete != (uint64_t) s_terr.nunits) {
            snprintf (why, sizeof why, "%llu municipalities complete, expected %d", (unsigned long long) complete,
                      s_terr.nunits);
            return why;
        }
        return "";
    }
    case S_QUERY_PLANS: {
        if (!r->plans || r->plans->n_rows != 14) return "not 14 kraje";
        uint64_t measures = 0, done = 0;
        for (size_t i = 0; i < r->plans->n_rows; i++) {
            measures += r->plans->rows[i]->measures;
            done += r->plans->rows[i]->done;
        }
        if (measures != s_expect_measures || done != s_expect_measures) {
            snprintf (why, sizeof why, "%llu measures, %llu done; expected %zu and %zu", (unsigned long long) measures,
                      (unsigned long long) done, s_expect_measures, s_expect_measures);
            return why;
        }
        return "";
    }
    case 4:
        if (!r->targets || r->targets->n_targets != 1) return "no target";
        if (r->targets->targets[0]->current != s_expect_cz0046) {
            snprintf (why, sizeof why, "CZ0046 current %u, expected %llu", r->targets->targets[0]->current,
                      (unsigned long long) s_expect_cz0046);
            return why;
        }
        return "";
    }
    return "";
}

static socin_client_t *
s_query_client (s_stack_t *s)
{
    return b_client (s->home, "reporting", s->query_ep, s->admin);
}

/* One query; its reply (free it) or NULL. */
static Socin__V1__ReportReply *
s_ask (socin_client_t *c, s_query_t *q, int timeout_ms)
{
    char err[512];
    return (Socin__V1__ReportReply *) socin_client_call (c, &q->req.base, &socin__v1__report_reply__descriptor,
                                                         timeout_ms, err, sizeof err);
}

/* The first NQ of the five queries (and plan fulfilment with PLANS), QUERY_REPS times each;
   figures named with SUFFIX. */
static void
s_stage_queries (s_stack_t *s, int nq, bool plans, const char *suffix)
{
    s_query_t q[S_NQUERIES];
    s_queries_init (q);
    socin_client_t *c = s_query_client (s);
    for (int i = 0; i < S_NQUERIES; i++) {
        if (i >= nq && !(plans && i == S_QUERY_PLANS)) continue;
        b_samples_t lat = {0};
        const char *wrong = NULL;
        for (int rep = 0; rep < QUERY_REPS + 5; rep++) {
            int64_t t0 = b_now_us ();
            Socin__V1__ReportReply *r = s_ask (c, &q[i], 30000);
            int64_t t1 = b_now_us ();
            if (!r) b_fail ("query '%s' got no answer", q[i].name);
            if (rep == 0) {
                const char *w = s_check_answer (i, r);
                if (*w) wrong = strdup (w);
            }
            if (rep >= 5) b_samples_add (&lat, (double) (t1 - t0) / 1000.0);
            protobuf_c_message_free_unpacked (&r->base, NULL);
        }
        char name[128], note[400];
        snprintf (note, sizeof note, "%s%s%d repetitions, one in flight, client-side (DEALER over ipc+CURVE)",
                  wrong ? "WRONG ANSWER: " : "", wrong ? wrong : "", QUERY_REPS);
        if (wrong) b_note ("query '%s': %s", q[i].name, wrong);
        /* The targets: roll-ups under 2 ms (kraj by kraj 5 ms for one year), completeness
           under 5 ms. */
        double target = i == 0 ? 2.0 : i == 1 ? (*suffix ? 2.0 : 5.0) : i == 3 ? 5.0 : NAN;
        snprintf (name, sizeof name, "%s%s: median", q[i].name, suffix);
        b_result ("queries", name, "ms", B_LOWER, b_percentile (&lat, 50), NAN, target, note);
        snprintf (name, sizeof name, "%s%s: p99", q[i].name, suffix);
        b_result ("queries", name, "ms", B_LOWER, b_percentile (&lat, 99), NAN, NAN, NULL);
        b_note ("  %-40s median %.3f ms, p99 %.3f ms", q[i].name, b_percentile (&lat, 50), b_percentile (&lat, 99));
        b_samples_free (&lat);
    }
    socin_client_destroy (&c);
}

/* ---- the stages ---- */

static b_items_t s_items_feed, s_items_2024;
static b_subs_t s_subs_feed;
static size_t s_sub500_bytes, s_sub10k_bytes;
static double s_lmdb10k, s_zmq10k;

static void
s_stage_machine (void)
{
    b_note ("machine: LMDB durable sequential append, ZeroMQ ipc+CURVE message rate");
    size_t batches[3] = {LAT_PER_SUB, PER_SUB, 10 * PER_SUB};
    for (int i = 0; i < 3; i++) {
        b_lmdb_rate_t r;
        b_lmdb_append_rate (s_opt.dir, batches[i], 1.5, &r);
        char name[128], note[200];
        snprintf (name, sizeof name, "LMDB sequential durable append, %zu values/commit", batches[i]);
        snprintf (note, sizeof note, "(%.0f commits/s, %.0f MB/s written)", r.commits_per_s, r.mbytes_per_s);
        b_result_machine (name, "values/s", r.values_per_s, note);
        b_note ("  %s: %.0f values/s, %.0f commits/s", name, r.values_per_s, r.commits_per_s);
        if (batches[i] == PER_SUB) s_lmdb10k = r.values_per_s;
    }
    size_t sizes[2] = {s_sub500_bytes, s_sub10k_bytes};
    size_t per[2] = {LAT_PER_SUB, PER_SUB};
    for (int i = 0; i < 2; i++) {
        b_zmq_rate_t r;
        b_zmq_rate (s_opt.dir, sizes[i], 1.5, 16, &r);
        char name[128], note[200];
        snprintf (name, sizeof name, "ZeroMQ ipc+CURVE DEALER→ROUTER, %zu-byte messages", sizes[i]);
        snprintf (note, sizeof note, "(%.0f MB/s; = %.0f values/s at %zu values/message)", r.mbytes_per_s,
                  r.msgs_per_s * (double) per[i], per[i]);
        b_result_machine (name, "msgs/s", r.msgs_per_s, note);
        b_note ("  %s: %.0f msgs/s %s", name, r.msgs_per_s, note);
        if (per[i] == PER_SUB) s_zmq10k = r.msgs_per_s * PER_SUB;
    }
}

/* Daemon D's peak resident set (VmHWM: its own memory and the store and cube pages it mapped,
   beside PostgreSQL's) and its peak anonymous memory since the stack started, which the target
   is for: mapped pages are page cache the kernel may write back and drop. */
static double
s_rss_one (s_stack_t *s, t_daemon_t *d, const char *label, const char *when, const char *extra)
{
    char name[128], note[400];
    double peak = (double) b_proc_kb (d->pid, "VmHWM") / 1024.0;
    snprintf (name, sizeof name, "peak RSS %s (%s)", label, when);
    snprintf (note, sizeof note, "VmHWM; now %.0f MiB anonymous + %.0f MiB mapped file (LMDB pages, reclaimable)%s",
              (double) b_proc_kb (d->pid, "RssAnon") / 1024.0, (double) b_proc_kb (d->pid, "RssFile") / 1024.0, extra);
    b_result ("footprint", name, "MiB", B_LOWER, peak, NAN, NAN, note);
    snprintf (name, sizeof name, "peak RssAnon %s (%s)", label, when);
    b_result ("footprint", name, "MiB", B_LOWER, s_anon_peak (s, d), NAN, 256,
              "the largest anonymous resident memory (heap, stacks) read every 10 ms since the stack started");
    return peak;
}

static void
s_rss (s_stack_t *s, const char *when)
{
    double max = s_rss_one (s, s->registry, "registry", when, "");
    for (int i = 0; i < s->ningest; i++) {
        char label[64];
        snprintf (label, sizeof label, "ingest %s", s->src[i]);
        double v = s_rss_one (s, s->ingest[i], label, when, "");
        if (v > max) max = v;
    }
    char extra[128];
    snprintf (extra, sizeof extra, "; cube %.0f MiB", (double) s_ctl_num (s->reporting, "status", "cube_bytes") / 1048576.0);
    double v = s_rss_one (s, s->reporting, "reporting", when, extra);
    if (v > max) max = v;
    if (!strcmp (when, "full load")) {
        b_result ("footprint", "peak RSS, largest process (full load)", "MiB", B_LOWER, max, NAN, NAN,
                  "socin: the largest of the daemons; PostgreSQL: the largest of the server's processes");
    }
}

/* Kills reporting with kill -9, restarts it and asks the national roll-up until the answer is
   right: the figure NAME (seconds) in SECTION, for a store of VALUES values. */
static void
s_restart_reporting (s_stack_t *s, double values, const char *section, const char *name)
{
    int64_t t0 = b_now_us ();
    t_kill9 (s->reporting);
    if (t_restart (s->reporting)) b_fail ("reporting did not restart");
    int64_t ctl_ready = b_now_us ();
    s_query_t q[S_NQUERIES];
    s_queries_init (q);
    socin_client_t *c = s_query_client (s);
    int64_t answered = 0;
    while (!answered) {
        Socin__V1__ReportReply *rep = s_ask (c, &q[0], 2000);
        if (rep && !*s_check_answer (0, rep)) answered = b_now_us ();
        if (rep) protobuf_c_message_free_unpacked (&rep->base, NULL);
        if (b_now_us () - t0 > 300 * 1000000LL) b_fail ("reporting did not answer within 300 s of its restart");
    }
    socin_client_destroy (&c);
    char note[400];
    snprintf (note, sizeof note, "%.0f values in the cube (taken back from its file, or rebuilt from LMDB: the log says); control socket answered after %.2f s; "
              "afterwards its peak RSS is %.0f MiB (%.0f MiB anonymous)",
              values, s_secs (t0, ctl_ready), (double) b_proc_kb (s->reporting->pid, "VmHWM") / 1024.0,
              (double) b_proc_kb (s->reporting->pid, "RssAnon") / 1024.0);
    b_result (section, name, "s", B_LOWER, s_secs (t0, answered), NAN, NAN, note);
    b_note ("  answered after %.2f s", s_secs (t0, answered));
}

static char s_pipeline_note[1200];

static void
s_stage_feed (void)
{
    b_note ("stack A: registry, reporting, one national ingest; %llu values + %llu events in %zu submissions, "
            "feed order",
            (unsigned long long) s_subs_feed.values, (unsigned long long) s_subs_feed.events, s_subs_feed.n);
    s_stack_t s;
    const char *src[] = {"CZ"};
    s_stack_start (&s, "a", src, NULL, 1);
    b_feed_t *feed = s_feed (&s, 0);
    b_subs_t *subs[] = {&s_subs_feed};
    b_drive_opts_t o = {.window = 16, .interval_us = 0, .timeout_ms = 120000};
    b_drive_result_t per, r;
    s_cpu_t cpu0, cpu1;
    s_cpu_sample (&s, &cpu0);
    b_drive (&feed, subs, 1, &o, &per, &r);
    s_cpu_sample (&s, &cpu1);
    s_check_drive ("feed order", &r, s_subs_feed.values);
    char cpu[400];
    s_cpu_text (&s, &cpu0, &cpu1, s_secs (r.first_send_us, r.last_ack_us), r.values_acked, cpu, sizeof cpu);
    uint64_t seq = r.max_seq;
    int64_t applied = s_wait_applied (&s, &seq, 1, 600);
    double ack = s_rate (r.values_acked, r.first_send_us, r.last_ack_us);
    double app = s_rate (r.values_acked, r.first_send_us, applied);
    b_note ("  acknowledged in %.2f s: %.0f values/s; applied in reporting after %.2f s: %.0f values/s",
            s_secs (r.first_send_us, r.last_ack_us), ack, s_secs (r.first_send_us, applied), app);
    char commits[200];
    s_commit_text (s.ingest[0], r.values_acked, commits, sizeof commits);
    char limits[200] = "the machine's limits not measured (--only); ";
    if (s_lmdb10k > 0 && s_zmq10k > 0)
        snprintf (limits, sizeof limits,
                  "%.1f%% of LMDB's sequential durable append at %d values/commit, %.1f%% of ZeroMQ's ipc+CURVE "
                  "rate at %d-value messages; ",
                  100.0 * ack / s_lmdb10k, PER_SUB, 100.0 * ack / s_zmq10k, PER_SUB);
    snprintf (s_pipeline_note, sizeof s_pipeline_note,
              "%sclient to ImportSummary, %d submissions of %d values in flight, forwarding on; %s; %s", limits, 16,
              PER_SUB, cpu, commits);
    b_note ("  %s; %s", cpu, commits);
    b_result ("ingest", "to durable acknowledgement, feed order", "values/s", B_HIGHER, ack, NAN, 1000000,
              s_pipeline_note);
    b_result ("ingest", "to applied in reporting, feed order", "values/s", B_HIGHER, app, NAN, 1000000,
              "until reporting's `sources` shows the ingest's last sequence applied");
    {
        b_samples_t srv = {0};
        s_server_latency (s.ingest[0], "feed-", &srv);
        char note[300];
        snprintf (note, sizeof note, "16 in flight: mostly queueing; the ingest's own receipt-to-answer time: p50 %.1f ms, "
                  "p99 %.1f ms (a wake takes every waiting submission into one group commit)",
                  b_percentile (&srv, 50), b_percentile (&srv, 99));
        b_result ("ingest", "10,000-value submission ack latency at saturation: p50", "ms", B_INFO,
                  b_percentile (&r.latency_ms, 50), NAN, NAN, note);
        b_samples_free (&srv);
    }
    b_result ("ingest", "10,000-value submission ack latency at saturation: p99", "ms", B_INFO,
              b_percentile (&r.latency_ms, 99), NAN, NAN, NULL);
    b_meta_num ("feed_order_seconds_to_ack", s_secs (r.first_send_us, r.last_ack_us));
    b_meta_num ("feed_order_seconds_to_applied", s_secs (r.first_send_us, applied));
    b_drive_result_free (&r);
    b_drive_result_free (&per);

    if (s_want ("feed")) {
        b_note ("stack A: queries (%d each)", QUERY_REPS);
        s_stage_queries (&s, 5, false, "");
    }
    {
        b_note ("stack A: pivots and exports");
        socin_client_t *c = s_query_client (&s);
        b_access_stage (c, (double) s_subs_feed.values);
        socin_client_destroy (&c);
    }
    if (!s_want ("feed")) {
        /* --only access: the feed and the pivot and export stage, nothing more. */
        b_feed_destroy (&feed);
        s_stack_stop (&s);
        return;
    }
    b_note ("stack A: socin-web's dashboard");
    b_web_stage (s.home, s.reg_ep, s.upd_ep, s.query_ep, s.admin, s_track, s_untrack);

    /* Footprint at full scale, before the extra stages below add more data. */
    s_rss (&s, "full load");
    char path[1024];
    snprintf (path, sizeof path, "%s/ingest-CZ/data.mdb", s.home);
    double mvalues = (double) s_subs_feed.values / 1e6;
    b_result ("footprint", "ingest on disk per million values", "MB", B_LOWER, (double) b_disk_bytes (path) / 1e6 / mvalues,
              NAN, NAN, "data.mdb allocated blocks: values, their outbox batches (trimmed once acknowledged), submissions");
    double ingest_bytes = (double) b_disk_bytes (path);
    snprintf (path, sizeof path, "%s/reporting/data.mdb", s.home);
    double reporting_bytes = (double) b_disk_bytes (path);
    b_result ("footprint", "reporting on disk per million values", "MB", B_LOWER, reporting_bytes / 1e6 / mvalues, NAN, NAN,
              "data.mdb allocated blocks: values and history");
    b_result ("footprint", "on disk per million values, all stores", "MB", B_LOWER,
              (ingest_bytes + reporting_bytes) / 1e6 / mvalues, NAN, NAN,
              "socin: the ingest's and reporting's stores; PostgreSQL: the keyed table with its index");

    /* Reporting killed with the full cube: until it answers queries again, right. */
    b_note ("stack A: kill -9 reporting, restart, until it answers with the full cube");
    s_restart_reporting (&s, (double) s_subs_feed.values, "footprint", "reporting restart after kill -9 until it answers queries");

    /* Latency: paced at 50,000 values/s, then saturation, with 500-value submissions. */
    size_t lat_subs = (size_t) LAT_RATE * LAT_SECONDS / LAT_PER_SUB;
    size_t lat_values = lat_subs * LAT_PER_SUB, sat_values = 2000 * (size_t) LAT_PER_SUB;
    if (lat_values + sat_values > s_items_2024.n) b_fail ("the 2024 workload is too small");
    b_items_t paced = {s_items_2024.items, lat_values, 0}, sat = {s_items_2024.items + lat_values, sat_values, 0};
    b_subs_t paced_subs, sat_subs;
    b_pack (&paced_subs, &paced, &s_terr, LAT_PER_SUB, "paced");
    b_pack (&sat_subs, &sat, &s_terr, LAT_PER_SUB, "sat");
    b_note ("stack A: acknowledgement latency, %d-value submissions every %d ms for %d s (%d values/s)", LAT_PER_SUB,
            (int) (1000 * LAT_PER_SUB / LAT_RATE), LAT_SECONDS, LAT_RATE);
    {
        b_subs_t *ss[] = {&paced_subs};
        b_drive_opts_t po = {.window = 100000, .interval_us = 1000000LL * LAT_PER_SUB / LAT_RATE, .timeout_ms = 60000};
        b_drive (&feed, ss, 1, &po, &per, &r);
        s_check_drive ("paced", &r, paced_subs.values);
        double p50 = b_percentile (&r.latency_ms, 50), p99 = b_percentile (&r.latency_ms, 99),
               p999 = b_percentile (&r.latency_ms, 99.9);
        char note[600];
        snprintf (note, sizeof note, "%zu submissions of %d values, open loop; from the scheduled send to the ImportSummary; "
                  "achieved %.0f values/s", lat_subs, LAT_PER_SUB, s_rate (r.values_acked, r.first_send_us, r.last_ack_us));
        b_samples_t srv = {0};
        s_server_latency (s.ingest[0], "paced-", &srv);
        size_t w = strlen (note);
        snprintf (note + w, sizeof note - w, "; the ingest's own receipt-to-answer: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms",
                  b_percentile (&srv, 50), b_percentile (&srv, 99), b_percentile (&srv, 99.9));
        b_samples_free (&srv);
        b_result ("latency", "ack latency at 50,000 values/s: p50", "ms", B_LOWER, p50, NAN, NAN, note);
        b_result ("latency", "ack latency at 50,000 values/s: p99", "ms", B_LOWER, p99, NAN, 10, NULL);
        b_result ("latency", "ack latency at 50,000 values/s: p99.9", "ms", B_LOWER, p999, NAN, NAN, NULL);
        b_note ("  p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms", p50, p99, p999);
        b_drive_result_free (&r);
        b_drive_result_free (&per);
    }
    b_note ("stack A: acknowledgement latency at saturation, %d-value submissions, 32 in flight", LAT_PER_SUB);
    {
        b_subs_t *ss[] = {&sat_subs};
        b_drive_opts_t so = {.window = 32, .interval_us = 0, .timeout_ms = 60000};
        b_drive (&feed, ss, 1, &so, &per, &r);
        s_check_drive ("saturation", &r, sat_subs.values);
        double rate = s_rate (r.values_acked, r.first_send_us, r.last_ack_us);
        b_samples_t srv = {0};
        s_server_latency (s.ingest[0], "sat-", &srv);
        char note[400];
        snprintf (note, sizeof note, "%zu submissions of %d values, 32 in flight; the ingest's own receipt-to-answer: p50 %.1f ms, "
                  "p99 %.1f ms", sat_subs.n, LAT_PER_SUB, b_percentile (&srv, 50), b_percentile (&srv, 99));
        b_samples_free (&srv);
        /* Reporting catches up before the next stage. */
        uint64_t last = r.max_seq;
        s_wait_applied (&s, &last, 1, 600);
        b_result ("latency", "saturation with 500-value submissions", "values/s", B_HIGHER, rate, NAN, NAN, note);
        b_result ("latency", "ack latency at saturation: p50", "ms", B_LOWER, b_percentile (&r.latency_ms, 50), NAN, NAN, NULL);
        b_result ("latency", "ack latency at saturation: p99", "ms", B_LOWER, b_percentile (&r.latency_ms, 99), NAN, NAN, NULL);
        b_result ("latency", "ack latency at saturation: p99.9", "ms", B_LOWER, b_percentile (&r.latency_ms, 99.9), NAN, NAN,
                  NULL);
        b_note ("  %.0f values/s; p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms", rate, b_percentile (&r.latency_ms, 50),
                b_percentile (&r.latency_ms, 99), b_percentile (&r.latency_ms, 99.9));
        b_drive_result_free (&r);
        b_drive_result_free (&per);
    }
    b_subs_free (&paced_subs);
    b_subs_free (&sat_subs);

    /* A large backlog: forwarding paused, 1,000,000 values accepted, the ingest killed. */
    {
        size_t from = lat_values + sat_values, n = 1000000;
        if (from + n > s_items_2024.n) n = s_items_2024.n - from;
        b_items_t back = {s_items_2024.items + from, n, 0};
        b_subs_t back_subs;
        b_pack (&back_subs, &back, &s_terr, PER_SUB, "backlog");
        b_note ("stack A: forwarding paused, %llu values submitted, kill -9 the ingest, restart",
                (unsigned long long) back_subs.values);
        char out[4096];
        t_ctl (s.ingest[0]->ctl, "pause", out, sizeof out);
        b_subs_t *ss[] = {&back_subs};
        b_drive (&feed, ss, 1, &o, &per, &r);
        s_check_drive ("backlog", &r, back_subs.values);
        double paused_rate = s_rate (r.values_acked, r.first_send_us, r.last_ack_us);
        b_result ("ingest", "to durable acknowledgement, forwarding paused", "values/s", B_HIGHER, paused_rate, NAN, NAN,
                  "the ingest alone: reporting idle (the other cores free)");
        long long backlog = s_ctl_num (s.ingest[0], "backlog", "backlog_batches");
        uint64_t last = r.max_seq;
        b_drive_result_free (&r);
        b_drive_result_free (&per);
        int64_t t0 = b_now_us ();
        t_kill9 (s.ingest[0]);
        if (t_restart (s.ingest[0])) b_fail ("the ingest did not restart");
        int64_t ready = b_now_us ();
        while (!s_ctl_has (s.ingest[0], "backlog", "forward_state:forwarding")) {
            if (b_now_us () - t0 > 120 * 1000000LL) b_fail ("the restarted ingest is not forwarding after 120 s");
            b_sleep_us (5000);
        }
        int64_t forwarding = b_now_us ();
        int64_t drained = s_wait_applied (&s, &last, 1, 600);
        char note[300];
        snprintf (note, sizeof note, "%lld batches (%llu values) waiting; forwarding again after %.2f s", backlog,
                  (unsigned long long) back_subs.values, s_secs (t0, forwarding));
        b_result ("footprint", "ingest restart after kill -9 with a backlog, until ready", "s", B_LOWER,
                  s_secs (t0, ready), NAN, NAN, note);
        b_result ("ingest", "backlog drained into reporting after restart", "values/s", B_HIGHER,
                  s_rate (back_subs.values, forwarding, drained), NAN, NAN,
                  "reporting applying a standing backlog: its apply rate with no new submissions");
        b_note ("  ready after %.2f s, forwarding after %.2f s, backlog applied after %.2f s", s_secs (t0, ready),
                s_secs (t0, forwarding), s_secs (t0, drained));
        b_subs_free (&back_subs);
    }
    s_rss (&s, "after the latency and backlog runs");
    b_feed_destroy (&feed);
    s_stack_stop (&s);
}

static void
s_stage_shuffled (void)
{
    b_items_t items = {0};
    b_items_feed (&items, &s_terr, -1, YEAR, 1, 12, true);
    b_items_shuffle (&items, 20250101);
    b_subs_t subs;
    b_pack (&subs, &items, &s_terr, PER_SUB, "shuffled");
    b_note ("stack B: the same workload shuffled (%zu submissions)", subs.n);
    s_stack_t s;
    const char *src[] = {"CZ"};
    s_stack_start (&s, "b", src, NULL, 1);
    b_feed_t *feed = s_feed (&s, 0);
    b_subs_t *ss[] = {&subs};
    b_drive_opts_t o = {.window = 16, .interval_us = 0, .timeout_ms = 120000};
    b_drive_result_t per, r;
    s_cpu_t cpu0, cpu1;
    s_cpu_sample (&s, &cpu0);
    b_drive (&feed, ss, 1, &o, &per, &r);
    s_cpu_sample (&s, &cpu1);
    s_check_drive ("shuffled", &r, subs.values);
    char cpu[400];
    s_cpu_text (&s, &cpu0, &cpu1, s_secs (r.first_send_us, r.last_ack_us), r.values_acked, cpu, sizeof cpu);
    uint64_t seq = r.max_seq;
    int64_t applied = s_wait_applied (&s, &seq, 1, 600);
    double ack = s_rate (r.values_acked, r.first_send_us, r.last_ack_us), app = s_rate (r.values_acked, r.first_send_us, applied);
    b_note ("  acknowledged: %.0f values/s; applied in reporting: %.0f values/s", ack, app);
    char commits[200], note[800];
    s_commit_text (s.ingest[0], r.values_acked, commits, sizeof commits);
    /* How many submissions the ingest applied in sweeps of their group (ledger.c). */
    snprintf (note, sizeof note, "%s; %s; %lld of %zu submissions swept with their group, %lld groups applied again one "
              "at a time",
              cpu, commits, s_ctl_num (s.ingest[0], "stats", "swept_submissions"), subs.n,
              s_ctl_num (s.ingest[0], "stats", "sweeps_redone"));
    b_note ("  %s", note);
    /* Scattered values: the target is 500,000 a second, acknowledged and applied (visible to
       queries); the feed order's is a million. */
    b_result ("ingest", "to durable acknowledgement, shuffled", "values/s", B_HIGHER, ack, NAN, 500000, note);
    b_result ("ingest", "to applied in reporting, shuffled", "values/s", B_HIGHER, app, NAN, 500000, NULL);
    b_drive_result_free (&r);
    b_drive_result_free (&per);
    s_rss (&s, "shuffled load");

    /* Submission sizes: 600,000 fresh values (2024, feed order) at each size, same stack. */
    size_t sizes[3] = {1000, PER_SUB, 50000}, slice = 600000;
    for (int i = 0; i < 3 && (size_t) (i + 1) * slice <= s_items_2024.n; i++) {
        b_items_t part = {s_items_2024.items + (size_t) i * slice, slice, 0};
        b_subs_t ps;
        char tag[32], name[128], snote[160];
        snprintf (tag, sizeof tag, "size%zu", sizes[i]);
        b_pack (&ps, &part, &s_terr, sizes[i], tag);
        b_subs_t *pss[] = {&ps};
        size_t window = sizes[i] >= 50000 ? 4 : sizes[i] >= PER_SUB ? 16 : 64;
        b_drive_opts_t so = {.window = window, .interval_us = 0, .timeout_ms = 120000};
        b_drive (&feed, pss, 1, &so, &per, &r);
        s_check_drive (tag, &r, ps.values);
        double rate = s_rate (r.values_acked, r.first_send_us, r.last_ack_us);
        snprintf (name, sizeof name, "to durable acknowledgement, %zu-value submissions", sizes[i]);
        snprintf (snote, sizeof snote, "%zu values in %zu submissions, %zu in flight (after the shuffled load)", slice, ps.n,
                  window);
        b_result ("ingest", name, "values/s", B_HIGHER, rate, NAN, NAN, snote);
        b_note ("  %zu-value submissions: %.0f values/s", sizes[i], rate);
        b_drive_result_free (&r);
        b_drive_result_free (&per);
        b_subs_free (&ps);
    }
    b_feed_destroy (&feed);
    s_stack_stop (&s);
    b_subs_free (&subs);
    /* PostgreSQL loads the same order. */
    char path[1024];
    snprintf (path, sizeof path, "%s/values-shuffled.csv", s_opt.pgdir);
    b_write_values_csv (&items, &s_terr, path);
    b_items_free (&items);
}

/* A decade: the full territory × 40 indicators × 12 months for DECADE_FROM..YEAR (with the
   events of the last year: older ones are locked after 730 days), one year after the other into one national ingest, each year
   followed by its plan progress (b_pack_progress); then the roll-ups, completeness and plan
   fulfilment over it, reporting killed and restarted, the daemons' anonymous memory and the
   disk per million values. Each year is packed just before it is sent, so the benchmark never
   holds more than one year's submissions. */
#define DECADE_FROM (YEAR - 9)

static void
s_rss_anon (s_stack_t *s, t_daemon_t *d, const char *label, const char *when)
{
    char name[128], note[300];
    snprintf (name, sizeof name, "RssAnon %s (%s)", label, when);
    snprintf (note, sizeof note, "anonymous resident memory (heap, stacks); beside it %.0f MiB of mapped store and cube "
              "pages (page cache), peak resident set %.0f MiB; at most %.0f MiB anonymous since the stack started",
              (double) b_proc_kb (d->pid, "RssFile") / 1024.0, (double) b_proc_kb (d->pid, "VmHWM") / 1024.0,
              s_anon_peak (s, d));
    b_result ("decade", name, "MiB", B_LOWER, (double) b_proc_kb (d->pid, "RssAnon") / 1024.0, NAN, 256, note);
}

/* Imports the plans file PATH into S's registry and waits until every replica has it. */
static void
s_import_plans (s_stack_t *s, const char *path)
{
    size_t size;
    char *data = b_slurp (path, &size);
    Socin__V1__ImportPlans import = SOCIN__V1__IMPORT_PLANS__INIT;
    import.data.data = (uint8_t *) data;
    import.data.len = size;
    import.format = "csv";
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.request_id = "bench-plans";
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_PLANS;
    req.import_plans = &import;
    Socin__V1__RegistryReply *reply = b_registry_call (s->home, s->reg_ep, s->admin, &req, "plans");
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    free (data);
    long long seq = s_ctl_num (s->registry, "seq", "seq");
    int64_t deadline = b_now_us () + 60 * 1000000LL;
    while (s_ctl_num (s->reporting, "status", "replica_seq") < seq ||
           s_ctl_num (s->ingest[0], "status", "replica_seq") < seq) {
        if (b_now_us () > deadline) b_fail ("plans: the replicas do not have them after 60 s");
        b_sleep_us (20000);
    }
}

static void
s_stage_decade (void)
{
    b_note ("stack D: a decade, %d–%d, into one national ingest, year after year", DECADE_FROM, YEAR);
    s_stack_t s;
    const char *src[] = {"CZ"};
    s_stack_start (&s, "d", src, NULL, 1);
    /* Plans, and each year's progress of their measures after its values. */
    char plans_path[1024];
    snprintf (plans_path, sizeof plans_path, "%s/plans-decade.csv", s_opt.dir);
    size_t measures = b_write_plans_csv (&s_terr, DECADE_FROM, YEAR, plans_path);
    s_import_plans (&s, plans_path);
    b_feed_t *feed = s_feed (&s, 0);
    b_drive_opts_t o = {.window = 16, .interval_us = 0, .timeout_ms = 120000};
    uint64_t values = 0, events = 0, reports = 0, last = 0;
    s_cpu_t cpu0, cpu1;
    s_cpu_sample (&s, &cpu0);
    int64_t t0 = b_now_us (), packing = 0;
    for (int y = DECADE_FROM; y <= YEAR; y++) {
        int64_t p0 = b_now_us ();
        b_items_t items = {0};
        /* Events lock after 730 days: only the last year carries them. */
        b_items_feed (&items, &s_terr, -1, y, 1, 12, y == YEAR);
        b_subs_t subs;
        char tag[32];
        snprintf (tag, sizeof tag, "decade%d", y);
        b_pack (&subs, &items, &s_terr, PER_SUB, tag);
        b_items_free (&items);
        packing += b_now_us () - p0;
        b_subs_t *ss[] = {&subs};
        b_drive_result_t per, r;
        b_drive (&feed, ss, 1, &o, &per, &r);
        s_check_drive (tag, &r, subs.values);
        values += subs.values;
        events += subs.events;
        last = r.max_seq;
        b_drive_result_free (&r);
        b_drive_result_free (&per);
        b_subs_free (&subs);
        p0 = b_now_us ();
        snprintf (tag, sizeof tag, "progress%d", y);
        b_pack_progress (&subs, &s_terr, y, YEAR, PER_SUB, tag);
        packing += b_now_us () - p0;
        b_drive (&feed, ss, 1, &o, &per, &r);
        s_check_drive (tag, &r, 0);
        if (r.imported != subs.measures)
            b_fail ("%s: %llu of %llu progress reports imported", tag, (unsigned long long) r.imported,
                    (unsigned long long) subs.measures);
        reports += subs.measures;
        if (r.max_seq > last) last = r.max_seq;
        b_drive_result_free (&r);
        b_drive_result_free (&per);
        b_subs_free (&subs);
    }
    int64_t acked = b_now_us ();
    int64_t applied = s_wait_applied (&s, &last, 1, 900);
    s_cpu_sample (&s, &cpu1);
    char cpu[400], note[700];
    s_cpu_text (&s, &cpu0, &cpu1, s_secs (t0, applied), values, cpu, sizeof cpu);
    snprintf (note, sizeof note, "%llu values + %llu events + %llu progress reports of %zu plan measures, %d years, each "
              "packed before it is sent (%.1f s of packing included, the daemons idle meanwhile once they catch up); "
              "acknowledged after %.1f s; %s",
              (unsigned long long) values, (unsigned long long) events, (unsigned long long) reports, measures,
              YEAR - DECADE_FROM + 1, (double) packing / 1e6, s_secs (t0, acked), cpu);
    b_result ("decade", "a decade loaded: to applied in reporting", "values/s", B_HIGHER, s_rate (values, t0, applied), NAN,
              NAN, note);
    b_note ("  %llu values applied after %.1f s (%.0f values/s, %.1f s of it packing); %s", (unsigned long long) values,
            s_secs (t0, applied), s_rate (values, t0, applied), (double) packing / 1e6, cpu);
    s_expect_measures = measures;
    s_stage_queries (&s, 4, true, " (decade)");
    char path[1024];
    snprintf (path, sizeof path, "%s/ingest-CZ/data.mdb", s.home);
    double bytes = (double) b_disk_bytes (path);
    snprintf (path, sizeof path, "%s/reporting/data.mdb", s.home);
    double rbytes = (double) b_disk_bytes (path);
    snprintf (note, sizeof note, "ingest %.0f MB + reporting %.0f MB per million values (data.mdb allocated blocks)",
              bytes / (double) values, rbytes / (double) values);
    b_result ("decade", "on disk per million values, all stores (decade)", "MB", B_LOWER, (bytes + rbytes) / (double) values,
              NAN, 150, note);
    s_rss_anon (&s, s.registry, "registry", "decade");
    s_rss_anon (&s, s.ingest[0], "ingest CZ", "decade");
    s_rss_anon (&s, s.reporting, "reporting", "decade");
    b_result ("decade", "peak RssAnon, largest daemon (decade load)", "MiB", B_LOWER,
              fmax (s_anon_peak (&s, s.registry), fmax (s_anon_peak (&s, s.ingest[0]), s_anon_peak (&s, s.reporting))),
              NAN, 256, "the largest anonymous resident memory any daemon had while the decade loaded, read every 10 ms");
    b_note ("  RssAnon: registry %.0f MiB, ingest %.0f MiB, reporting %.0f MiB",
            (double) b_proc_kb (s.registry->pid, "RssAnon") / 1024.0,
            (double) b_proc_kb (s.ingest[0]->pid, "RssAnon") / 1024.0,
            (double) b_proc_kb (s.reporting->pid, "RssAnon") / 1024.0);
    b_note ("stack D: kill -9 reporting, restart, until it answers");
    s_restart_reporting (&s, (double) values, "decade", "reporting restart after kill -9 with a decade, until it answers");
    s_rss_anon (&s, s.reporting, "reporting", "decade, after its restart");
    b_feed_destroy (&feed);
    s_stack_stop (&s);
}

/* Regional feeds: the kraje and the months of each step. */
static const char *s_regions[4] = {"CZ031", "CZ032", "CZ063", "CZ064"};

static int
s_kraj_index (const char *code)
{
    for (int k = 0; k < s_terr.nkraje; k++)
        if (!strcmp (s_terr.kraje[k], code)) return k;
    b_fail ("kraj %s is not in the territory", code);
}

static void
s_stage_regions (void)
{
    b_note ("stacks C1, C2, C4: 1, 2 and 4 regional ingests (%s, %s, %s, %s), each fed its kraj at once", s_regions[0],
            s_regions[1], s_regions[2], s_regions[3]);
    /* Each feed sends the same values in every step: its kraj's 2025, 2024 and 2023, cut to
       what the smallest of the four kraje has, so every feed carries the same load. */
    size_t cap = (size_t) -1;
    for (int f = 0; f < 4; f++) {
        size_t c = (size_t) s_terr.kraj_count[s_kraj_index (s_regions[f])] * B_NIND * 12 * 3;
        if (c < cap) cap = c;
    }
    b_items_t items[4];
    b_subs_t subs[4], *ss[4];
    for (int f = 0; f < 4; f++) {
        memset (&items[f], 0, sizeof items[f]);
        for (int y = YEAR; y > YEAR - 3; y--) b_items_feed (&items[f], &s_terr, s_kraj_index (s_regions[f]), y, 1, 12, false);
        items[f].n = cap;
        char tag[32], path[1024];
        snprintf (tag, sizeof tag, "region-%s", s_regions[f]);
        b_pack (&subs[f], &items[f], &s_terr, PER_SUB, tag);
        ss[f] = &subs[f];
        snprintf (path, sizeof path, "%s/values-region-%d.csv", s_opt.pgdir, f);
        b_write_values_csv (&items[f], &s_terr, path);
        b_items_free (&items[f]);
    }
    int steps[3] = {1, 2, 4};
    double rate1 = NAN, app1 = NAN;
    for (int st = 0; st < 3; st++) {
        int n = steps[st];
        char name[128], note[800];
        snprintf (name, sizeof name, "c%d", n);
        s_stack_t s;
        s_stack_start (&s, name, s_regions, s_regions, n);
        b_feed_t *feeds[4];
        for (int f = 0; f < n; f++) feeds[f] = s_feed (&s, f);
        b_drive_opts_t o = {.window = 16, .interval_us = 0, .timeout_ms = 120000};
        b_drive_result_t per[4], r;
        s_cpu_t cpu0, cpu1;
        s_cpu_sample (&s, &cpu0);
        b_drive (feeds, ss, n, &o, per, &r);
        s_cpu_sample (&s, &cpu1);
        s_check_drive ("regional feeds", &r, (uint64_t) cap * (uint64_t) n);
        uint64_t seqs[4];
        for (int f = 0; f < n; f++) seqs[f] = per[f].max_seq;
        int64_t applied = s_wait_applied (&s, seqs, n, 600);
        double ack = s_rate (r.values_acked, r.first_send_us, r.last_ack_us);
        double app = s_rate (r.values_acked, r.first_send_us, applied);
        if (n == 1) {
            rate1 = ack;
            app1 = app;
        }
        char cpu[400];
        s_cpu_text (&s, &cpu0, &cpu1, s_secs (r.first_send_us, r.last_ack_us), r.values_acked, cpu, sizeof cpu);
        snprintf (name, sizeof name, "%d concurrent regional feed%s: to durable acknowledgement", n, n > 1 ? "s" : "");
        snprintf (note, sizeof note, "%d × %zu values, %.2f× one feed; %s", n, cap, ack / rate1, cpu);
        b_result ("scaling", name, "values/s", B_HIGHER, ack, NAN, NAN, note);
        snprintf (name, sizeof name, "%d concurrent regional feed%s: to applied in reporting", n, n > 1 ? "s" : "");
        snprintf (note, sizeof note, "%.2f× one feed: one reporting applies every region", app / app1);
        /* The central path's target: a million values a second applied with four regions feeding. */
        b_result ("scaling", name, "values/s", B_HIGHER, app, NAN, n == 4 ? 1000000 : NAN, n > 1 ? note : NULL);
        b_note ("  %d feed(s): %.0f values/s acknowledged, %.0f values/s applied; %s", n, ack, app, cpu);
        for (int f = 0; f < n; f++) {
            b_drive_result_free (&per[f]);
            b_feed_destroy (&feeds[f]);
        }
        b_drive_result_free (&r);
        s_stack_stop (&s);
    }
    for (int f = 0; f < 4; f++) b_subs_free (&subs[f]);
}

/* ---- main ---- */

/* The share of all cores busy (not idle or waiting for I/O) over SECONDS, from /proc/stat. */
static double
s_cpu_busy (double seconds)
{
    unsigned long long v[2][8];
    for (int k = 0; k < 2; k++) {
        memset (v[k], 0, sizeof v[k]);
        FILE *f = fopen ("/proc/stat", "r");
        if (!f || fscanf (f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[k][0], &v[k][1], &v[k][2], &v[k][3],
                          &v[k][4], &v[k][5], &v[k][6], &v[k][7]) != 8) {
            if (f) fclose (f);
            return NAN;
        }
        fclose (f);
        if (k == 0) b_sleep_us ((int64_t) (seconds * 1e6));
    }
    unsigned long long total = 0, idle = (v[1][3] - v[0][3]) + (v[1][4] - v[0][4]);
    for (int i = 0; i < 8; i++) total += v[1][i] - v[0][i];
    return total ? 1.0 - (double) idle / (double) total : NAN;
}

static void
s_machine_meta (void)
{
    char line[512];
    FILE *f = fopen ("/proc/cpuinfo", "r");
    while (f && fgets (line, sizeof line, f))
        if (!strncmp (line, "model name", 10)) {
            char *v = strchr (line, ':');
            if (v) {
                v += 2;
                v[strcspn (v, "\n")] = 0;
                b_meta ("cpu", "%s", v);
            }
            break;
        }
    if (f) fclose (f);
    b_meta_num ("cores", (double) sysconf (_SC_NPROCESSORS_ONLN));
    b_meta_num ("memory_mib", (double) sysconf (_SC_PHYS_PAGES) * (double) sysconf (_SC_PAGESIZE) / 1048576.0);
    char cmd[1200];
    snprintf (cmd, sizeof cmd, "git -C '%s' describe --always --dirty 2>/dev/null", s_opt.root);
    FILE *p = popen (cmd, "r");
    if (p && fgets (line, sizeof line, p)) {
        line[strcspn (line, "\n")] = 0;
        b_meta ("commit", "%s", line);
    }
    if (p) pclose (p);
    f = fopen ("/proc/loadavg", "r");
    if (f && fgets (line, sizeof line, f)) {
        line[strcspn (line, "\n")] = 0;
        b_meta ("loadavg_at_start", "%s", line);
    }
    if (f) fclose (f);
    /* Other work on the machine: the share of all cores busy over one second before the run. */
    double busy = s_cpu_busy (1.0);
    b_meta_num ("cpu_busy_before_run", busy);
    if (busy > 0.2)
        b_note ("note: %.0f%% of the machine's CPU was busy with other work just before the run: the figures will be noisy",
                100 * busy);
}

int
main (int argc, char **argv)
{
    snprintf (s_opt.root, sizeof s_opt.root, ".");
    snprintf (s_opt.shared, sizeof s_opt.shared, "../shared");
    snprintf (s_opt.out, sizeof s_opt.out, "bench/results.json");
    s_opt.scale = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp (argv[i], "--dir")) snprintf (s_opt.dir, sizeof s_opt.dir, "%s", argv[i + 1]);
        else if (!strcmp (argv[i], "--pg-dir")) snprintf (s_opt.pgdir, sizeof s_opt.pgdir, "%s", argv[i + 1]);
        else if (!strcmp (argv[i], "--out")) snprintf (s_opt.out, sizeof s_opt.out, "%s", argv[i + 1]);
        else if (!strcmp (argv[i], "--root")) snprintf (s_opt.root, sizeof s_opt.root, "%s", argv[i + 1]);
        else if (!strcmp (argv[i], "--shared")) snprintf (s_opt.shared, sizeof s_opt.shared, "%s", argv[i + 1]);
        else if (!strcmp (argv[i], "--scale")) s_opt.scale = atoi (argv[i + 1]) > 0 ? atoi (argv[i + 1]) : 1;
        else if (!strcmp (argv[i], "--only")) snprintf (s_opt.only, sizeof s_opt.only, "%s", argv[i + 1]);
        else {
            fprintf (stderr, "usage: bench --dir DIR --pg-dir DIR [--out FILE] [--root DIR] [--shared DIR] [--scale N] "
                             "[--only machine,feed,access,shuffled,regions,decade,pg]\n");
            return 64;
        }
    }
    if (!s_opt.dir[0] || !s_opt.pgdir[0]) {
        fprintf (stderr, "bench: --dir and --pg-dir are required (tests/bench/run sets them)\n");
        return 64;
    }
    signal (SIGINT, s_on_signal);
    signal (SIGTERM, s_on_signal);
    signal (SIGHUP, s_on_signal);
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL);
    setenv ("SOCIN_TODAY", TODAY, 1);
    s_t0 = b_now_us ();
    b_note ("socin bench: workload from %s/data/cz", s_opt.shared);
    s_machine_meta ();

    /* The workload. */
    char path[1024], path2[1024];
    snprintf (path, sizeof path, "%s/data/cz/struktura_uzemi_cr.csv", s_opt.shared);
    snprintf (path2, sizeof path2, "%s/data/cz/obce_population_2021-01-01.csv", s_opt.shared);
    b_territory_load (&s_terr, path, path2);
    if (s_opt.scale > 1) {
        /* Every Nth municipality (a quick run while working on the benchmark). */
        int w = 0;
        for (int i = 0; i < s_terr.nunits; i += s_opt.scale) s_terr.units[w++] = s_terr.units[i];
        s_terr.nunits = w;
        memset (s_terr.kraj_count, 0, sizeof s_terr.kraj_count);
        for (int k = 0; k < s_terr.nkraje; k++) s_terr.kraj_first[k] = -1;
        for (int i = 0; i < w; i++) {
            int k = s_terr.units[i].kraj_idx;
            if (s_terr.kraj_first[k] < 0) s_terr.kraj_first[k] = i;
            s_terr.kraj_count[k]++;
        }
        for (int k = 0; k < s_terr.nkraje; k++)
            if (s_terr.kraj_first[k] < 0) s_terr.kraj_first[k] = 0;
    }
    snprintf (path, sizeof path, "%s/services/registry/data/catalogue.ini", s_opt.root);
    snprintf (path2, sizeof path2, "%s/catalogue.ini", s_opt.dir);
    b_write_catalogue (path2, path);
    int64_t g0 = b_now_us ();
    b_items_feed (&s_items_feed, &s_terr, -1, YEAR, 1, 12, true);
    b_pack (&s_subs_feed, &s_items_feed, &s_terr, PER_SUB, "feed");
    /* Fresh keys for the latency runs and the backlog: 2024 (and earlier years on a scaled run). */
    for (int y = 2024; s_items_2024.n < 2600000 && y >= 2008; y--) b_items_feed (&s_items_2024, &s_terr, -1, y, 1, 12, false);
    s_expectations ();
    {
        b_items_t one = {s_items_feed.items, LAT_PER_SUB, 0};
        b_subs_t s500;
        b_pack (&s500, &one, &s_terr, LAT_PER_SUB, "size");
        s_sub500_bytes = s500.subs[0].len;
        b_subs_free (&s500);
        s_sub10k_bytes = s_subs_feed.subs[0].len;
    }
    b_note ("workload: %d municipalities in %d kraje × %d indicators × 12 months = %llu values + %llu events, "
            "%zu submissions (%.1f MB packed; %zu bytes per %d values) in %.1f s",
            s_terr.nunits, s_terr.nkraje, B_NIND, (unsigned long long) s_subs_feed.values,
            (unsigned long long) s_subs_feed.events, s_subs_feed.n, (double) s_subs_feed.bytes / 1e6, s_sub10k_bytes,
            PER_SUB, s_secs (g0, b_now_us ()));
    b_meta_num ("municipalities", s_terr.nunits);
    b_meta_num ("indicators", B_NIND);
    s_nvalues = (double) s_subs_feed.values;
    s_nevents = (double) s_subs_feed.events;
    b_meta_num ("values", (double) s_subs_feed.values);
    b_meta_num ("events", (double) s_subs_feed.events);
    b_meta_num ("values_per_submission", PER_SUB);
    b_meta_num ("bytes_per_10000_value_submission", (double) s_sub10k_bytes);
    b_meta_num ("bytes_per_500_value_submission", (double) s_sub500_bytes);
    b_meta ("today", "%s", TODAY);

    /* PostgreSQL's copy of the workload, written now (the daemons are not running yet). */
    snprintf (path, sizeof path, "%s/values-feed.csv", s_opt.pgdir);
    b_write_values_csv (&s_items_feed, &s_terr, path);
    snprintf (path, sizeof path, "%s/events.csv", s_opt.pgdir);
    b_write_events_csv (&s_items_feed, &s_terr, path);
    snprintf (path, sizeof path, "%s/units.csv", s_opt.pgdir);
    {
        FILE *f = fopen (path, "w");
        if (!f) b_fail ("cannot write %s", path);
        for (int u = 0; u < s_terr.nunits; u++)
            fprintf (f, "%s,%s,%s,%lld\n", s_terr.units[u].code, s_terr.units[u].kraj, s_terr.units[u].orp,
                     s_terr.units[u].population);
        fclose (f);
    }

    if (s_want ("machine")) s_stage_machine ();
    if (s_want ("feed") || s_want ("access")) s_stage_feed ();
    b_subs_free (&s_subs_feed);
    if (s_want ("shuffled")) s_stage_shuffled ();
    if (s_want ("regions")) s_stage_regions ();
    if (s_want ("decade")) s_stage_decade ();

    /* PostgreSQL: the same workload. */
    b_pg_opts_t pg = {0};
    snprintf (pg.dir, sizeof pg.dir, "%s", s_opt.pgdir);
    pg.reps = QUERY_REPS;
    pg.lat_rate = LAT_RATE;
    pg.lat_per_tx = LAT_PER_SUB;
    pg.lat_seconds = LAT_SECONDS;
    pg.year = YEAR;
    pg.backlog_values = 1000000;
    pg.expect_national = s_expect_national;
    {
        /* The backlog for PostgreSQL's crash recovery: the same 2024 values the ingest held. */
        size_t from = (size_t) LAT_RATE * LAT_SECONDS + 2000 * (size_t) LAT_PER_SUB, n = 1000000;
        if (from + n > s_items_2024.n) n = s_items_2024.n - from;
        b_items_t back = {s_items_2024.items + from, n, 0};
        snprintf (path, sizeof path, "%s/values-backlog.csv", s_opt.pgdir);
        pg.backlog_values = b_write_values_csv (&back, &s_terr, path);
    }
    if (s_want ("pg")) b_pg_run (&pg);

    double total = s_secs (s_t0, b_now_us ());
    b_meta_num ("seconds", total);
    {
        char line[256];
        FILE *f = fopen ("/proc/loadavg", "r");
        if (f && fgets (line, sizeof line, f)) {
            line[strcspn (line, "\n")] = 0;
            b_meta ("loadavg_at_end", "%s", line);
        }
        if (f) fclose (f);
    }
    b_results_print (stdout);
    printf ("\nworkload: %d municipalities × %d indicators × 12 months = %.0f values (+%.0f events); whole run %.0f s\n",
            s_terr.nunits, B_NIND, s_nvalues, s_nevents, total);
    if (b_results_write_json (s_opt.out)) b_fail ("cannot write %s", s_opt.out);
    printf ("figures written to %s\n", s_opt.out);
    b_items_free (&s_items_feed);
    b_items_free (&s_items_2024);
    return 0;
}
