/*  pg: the same workload through what a ministry would otherwise build — PostgreSQL.

    Debian's PostgreSQL server (/usr/lib/postgresql/VERSION/bin), a new cluster in a temporary
    directory (initdb -A trust, C locale), listening only on a Unix socket in that directory,
    with the distribution's defaults otherwise: fsync and synchronous_commit on, so a commit is
    durable as socin's acknowledgement is. PostgreSQL refuses to run as root; as root, initdb
    and pg_ctl run as `nobody` (runuser) in a directory that user owns; psql and pgbench connect
    over the socket as the cluster's role `bench`.

    Schema: obs (indicator, unit, period, disaggregation, value numeric) with PRIMARY KEY
    (indicator, unit, period, disaggregation); units (unit, kraj, orp, population); events.
    Figures:
      - COPY of the same values (same order: feed order, shuffled) into the keyed table: rows/s
        to the commit (durable); visible to queries at that commit;
      - COPY of the regional shares into a new keyed table from 1, 2, 4 sessions at once;
      - the same five questions in SQL, timed by psql (\timing) in one session over the socket;
      - pgbench: 500-row upserts paced at the same 50,000 values/s (latency from the scheduled
        start, as socin's), and as fast as 8 sessions go;
      - largest peak RSS among the server's processes, table + index size per million rows;
      - after CHECKPOINT, 1,000,000 more rows, kill -9 of every server process: time until
        the restarted server answers the national roll-up (crash recovery replays the WAL).
*/
#include <dirent.h>
#include <glob.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "pg.h"

static char s_bin[512], s_dir[512], s_as[64];
static volatile pid_t s_postmaster;

void
b_pg_emergency_stop (void)
{
    if (s_postmaster > 0) kill (s_postmaster, SIGQUIT);
}

/* ---- commands ---- */

static int
s_sh (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static int
s_sh (const char *fmt, ...)
{
    char cmd[4096], full[4700];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (cmd, sizeof cmd, fmt, ap);
    va_end (ap);
    snprintf (full, sizeof full, "(%s) >>'%s/commands.log' 2>&1", cmd, s_dir);
    int rc = system (full);
    return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

/* Runs SQL in one psql session (ON_ERROR_STOP); its standard output goes to OUT (when given). */
static int
s_psql (const char *sql, char *out, size_t outlen)
{
    char file[700], cmd[4096];
    snprintf (file, sizeof file, "%s/cmd.sql", s_dir);
    FILE *f = fopen (file, "w");
    if (!f) return -1;
    fputs (sql, f);
    fclose (f);
    snprintf (cmd, sizeof cmd, "'%s/psql' -X -q -A -t -v ON_ERROR_STOP=1 -h '%s' -U bench -d postgres -f '%s' 2>>'%s/commands.log'",
              s_bin, s_dir, file, s_dir);
    FILE *p = popen (cmd, "r");
    if (!p) return -1;
    size_t n = 0;
    char buf[4096];
    size_t got;
    while ((got = fread (buf, 1, sizeof buf, p)) > 0)
        if (out && n + 1 < outlen) {
            size_t take = got < outlen - 1 - n ? got : outlen - 1 - n;
            memcpy (out + n, buf, take);
            n += take;
        }
    if (out) out[n] = 0;
    int rc = pclose (p);
    return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

static int
s_psqlf (char *out, size_t outlen, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static int
s_psqlf (char *out, size_t outlen, const char *fmt, ...)
{
    char sql[8192];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (sql, sizeof sql, fmt, ap);
    va_end (ap);
    return s_psql (sql, out, outlen);
}

static double
s_psql_num (const char *sql)
{
    char out[256];
    if (s_psql (sql, out, sizeof out)) return NAN;
    return atof (out);
}

static bool
s_find_bin (void)
{
    glob_t g;
    if (glob ("/usr/lib/postgresql/*/bin/pg_ctl", 0, NULL, &g)) return false;
    /* The newest version (glob sorts; "15" after "13"; good enough for Debian's one server). */
    snprintf (s_bin, sizeof s_bin, "%s", g.gl_pathv[g.gl_pathc - 1]);
    globfree (&g);
    *strrchr (s_bin, '/') = 0;
    return true;
}

static pid_t
s_read_postmaster (void)
{
    char path[700], line[64] = "";
    snprintf (path, sizeof path, "%s/data/postmaster.pid", s_dir);
    FILE *f = fopen (path, "r");
    if (!f) return 0;
    if (!fgets (line, sizeof line, f)) line[0] = 0;
    fclose (f);
    return (pid_t) atoi (line);
}

static int
s_start (void)
{
    int rc = s_sh ("cd '%s' && %s'%s/pg_ctl' -D '%s/data' -l '%s/postgres.log' -w -t 300 "
                   "-o \"-c listen_addresses='' -k '%s'\" start",
                   s_dir, s_as, s_bin, s_dir, s_dir, s_dir);
    s_postmaster = s_read_postmaster ();
    return rc;
}

/* The server's processes: the postmaster and its children. */
static int
s_server_pids (pid_t *out, int max)
{
    int n = 0;
    if (s_postmaster <= 0) return 0;
    out[n++] = s_postmaster;
    DIR *d = opendir ("/proc");
    struct dirent *e;
    while (d && (e = readdir (d)) && n < max) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char path[300], buf[1024];
        snprintf (path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen (path, "r");
        if (!f) continue;
        size_t len = fread (buf, 1, sizeof buf - 1, f);
        fclose (f);
        buf[len] = 0;
        char *rp = strrchr (buf, ')');
        int ppid = 0;
        char state;
        if (rp && sscanf (rp + 2, "%c %d", &state, &ppid) == 2 && ppid == s_postmaster) out[n++] = (pid_t) atoi (e->d_name);
    }
    if (d) closedir (d);
    return n;
}

/* ---- timing SQL ---- */

/* Runs SQL REPS times in one session with \timing; the times (ms) go to OUT. */
static int
s_time_sql (const char *sql, int reps, b_samples_t *out)
{
    char file[700], cmd[4096], line[512];
    snprintf (file, sizeof file, "%s/timed.sql", s_dir);
    FILE *f = fopen (file, "w");
    if (!f) return -1;
    fprintf (f, "\\timing on\n\\o /dev/null\n");
    for (int i = 0; i < reps; i++) fprintf (f, "%s\n", sql);
    fclose (f);
    snprintf (cmd, sizeof cmd, "'%s/psql' -X -q -v ON_ERROR_STOP=1 -h '%s' -U bench -d postgres -f '%s' 2>>'%s/commands.log'",
              s_bin, s_dir, file, s_dir);
    FILE *p = popen (cmd, "r");
    if (!p) return -1;
    while (fgets (line, sizeof line, p))
        if (!strncmp (line, "Time: ", 6)) b_samples_add (out, atof (line + 6));
    int rc = pclose (p);
    return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

/* COPY FILE into TABLE from N sessions at once (FILES[i]); seconds until all committed. */
static double
s_copy (const char *table, char files[][700], int n)
{
    pid_t kids[8];
    char psql[600];
    snprintf (psql, sizeof psql, "%s/psql", s_bin);
    int64_t t0 = b_now_us ();
    for (int i = 0; i < n; i++) {
        kids[i] = fork ();
        if (kids[i] == 0) {
            char sql[1200];
            snprintf (sql, sizeof sql, "COPY %s FROM '%s' WITH (FORMAT csv, FORCE_NOT_NULL (disaggregation))", table,
                      files[i]);
            execl (psql, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                   s_dir, "-U", "bench", "-d", "postgres", "-c", sql, (char *) NULL);
            _exit (127);
        }
    }
    bool ok = true;
    for (int i = 0; i < n; i++) {
        int st = 0;
        waitpid (kids[i], &st, 0);
        if (!WIFEXITED (st) || WEXITSTATUS (st)) ok = false;
    }
    double secs = (double) (b_now_us () - t0) / 1e6;
    if (!ok) {
        b_note ("  PostgreSQL: COPY into %s failed (see %s/commands.log)", table, s_dir);
        return NAN;
    }
    return secs;
}

/* Every transaction's latency (ms) in pgbench's logs PREFIX.*; their count. */
static size_t
s_pgbench_log (const char *prefix, b_samples_t *out, double *first_s, double *last_s)
{
    char pattern[800], line[256];
    snprintf (pattern, sizeof pattern, "%s.*", prefix);
    glob_t g;
    size_t n = 0;
    *first_s = INFINITY;
    *last_s = 0;
    if (glob (pattern, 0, NULL, &g)) return 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE *f = fopen (g.gl_pathv[i], "r");
        while (f && fgets (line, sizeof line, f)) {
            long client, tx, script;
            double us, epoch, epoch_us;
            if (sscanf (line, "%ld %ld %lf %ld %lf %lf", &client, &tx, &us, &script, &epoch, &epoch_us) == 6) {
                b_samples_add (out, us / 1000.0);
                double end = epoch + epoch_us / 1e6;
                if (end < *first_s) *first_s = end - us / 1e6;
                if (end > *last_s) *last_s = end;
                n++;
            }
        }
        if (f) fclose (f);
        unlink (g.gl_pathv[i]);
    }
    globfree (&g);
    return n;
}

/* ---- the run ---- */

static void
s_rate_both (const char *ack_name, const char *applied_name, double rate, const char *note)
{
    b_result_set_pg (ack_name, rate);
    b_result_set_pg (applied_name, rate);
    (void) note;
}

void
b_pg_run (const b_pg_opts_t *o)
{
    snprintf (s_dir, sizeof s_dir, "%s", o->dir);
    if (!s_find_bin ()) {
        b_note ("PostgreSQL: no server under /usr/lib/postgresql (make deps installs it): skipped");
        b_meta ("postgresql", "not installed: skipped");
        return;
    }
    snprintf (s_as, sizeof s_as, "%s", geteuid () == 0 ? "runuser -u nobody -- " : "");
    char version[128] = "";
    {
        char cmd[700];
        snprintf (cmd, sizeof cmd, "'%s/postgres' --version", s_bin);
        FILE *p = popen (cmd, "r");
        if (p && fgets (version, sizeof version, p)) version[strcspn (version, "\n")] = 0;
        if (p) pclose (p);
        b_meta ("postgresql", "%s (%s), defaults but a C locale; fsync and synchronous_commit on", version, s_bin);
    }
    b_note ("PostgreSQL: %s in %s%s", version, s_dir, *s_as ? " (as nobody)" : "");
    if (s_sh ("cd '%s' && %s'%s/initdb' -D '%s/data' -A trust -U bench -N --locale=C -E UTF8", s_dir, s_as, s_bin, s_dir) ||
        s_start ()) {
        b_note ("PostgreSQL: the server did not start (see %s/commands.log, postgres.log): skipped", s_dir);
        return;
    }
    char out[65536];
    int rc = s_psqlf (NULL, 0,
                      "CREATE TABLE units (unit text PRIMARY KEY, kraj text NOT NULL, orp text NOT NULL, population bigint NOT NULL);\n"
                      "CREATE TABLE obs (indicator text, unit text, period text, disaggregation text, value numeric NOT NULL,\n"
                      "                  PRIMARY KEY (indicator, unit, period, disaggregation));\n"
                      "CREATE TABLE events (unit text, event_id text, date date NOT NULL, type int NOT NULL,\n"
                      "                     open_to_public bool NOT NULL, participants int, roma int, PRIMARY KEY (unit, event_id));\n"
                      "COPY units FROM '%s/units.csv' WITH (FORMAT csv);\n"
                      "COPY events FROM '%s/events.csv' WITH (FORMAT csv);\n",
                      s_dir, s_dir);
    if (rc) {
        b_note ("PostgreSQL: the schema could not be made (see %s/commands.log): skipped", s_dir);
        goto stop;
    }

    /* Feed order. */
    char files[4][700];
    snprintf (files[0], sizeof files[0], "%s/values-feed.csv", s_dir);
    double secs = s_copy ("obs", files, 1);
    double rows = s_psql_num ("SELECT count(*) FROM obs");
    double feed_rate = rows / secs;
    s_rate_both ("to durable acknowledgement, feed order", "to applied in reporting, feed order", feed_rate, NULL);
    b_note ("  COPY feed order: %.0f rows in %.2f s: %.0f rows/s", rows, secs, feed_rate);
    s_psql ("ANALYZE", NULL, 0);
    double bytes = s_psql_num ("SELECT pg_total_relation_size('obs')");
    b_result_set_pg ("on disk per million values, all stores", bytes / 1e6 / (rows / 1e6));

    /* Queries. */
    char inds[B_NIND * 16] = "";
    for (int i = 0; i < B_NIND; i++) {
        strcat (inds, i ? "," : "");
        strcat (inds, b_ind_code (i));
    }
    char sql[5][2048];
    const char *ind = b_ind_code (0);
    int y = o->year;
    snprintf (sql[0], sizeof sql[0],
              "SELECT sum(value), count(*), count(DISTINCT unit) FROM obs WHERE indicator = '%s' AND period BETWEEN "
              "'%d01' AND '%d12';",
              ind, y, y);
    snprintf (sql[1], sizeof sql[1],
              "SELECT u.kraj, sum(o.value), count(*), count(DISTINCT o.unit) FROM obs o JOIN units u ON u.unit = o.unit "
              "WHERE o.indicator = '%s' AND o.period BETWEEN '%d01' AND '%d12' GROUP BY u.kraj ORDER BY u.kraj;",
              ind, y, y);
    snprintf (sql[2], sizeof sql[2],
              "SELECT u.orp, sum(o.value), count(*), count(DISTINCT o.unit) FROM obs o JOIN units u ON u.unit = o.unit "
              "WHERE o.indicator = '%s' AND o.period BETWEEN '%d01' AND '%d12' AND u.kraj = 'CZ064' GROUP BY u.orp "
              "ORDER BY u.orp;",
              ind, y, y);
    snprintf (sql[3], sizeof sql[3],
              "SELECT u.kraj, count(*) AS expected, count(p.unit) FILTER (WHERE p.n = %d) AS complete, count(p.unit) AS "
              "partial FROM units u LEFT JOIN (SELECT unit, count(DISTINCT indicator) AS n FROM obs WHERE period = "
              "'%d12' AND indicator = ANY ('{%s}') GROUP BY unit) p ON p.unit = u.unit GROUP BY u.kraj ORDER BY u.kraj;",
              B_NIND, y, inds);
    snprintf (sql[4], sizeof sql[4],
              "SELECT count(DISTINCT unit) FROM events WHERE open_to_public AND type IN (1, 2, 3, 4) AND date BETWEEN "
              "'%d-01-01' AND '2026-03-15';",
              y);
    s_psqlf (out, sizeof out, "%s", sql[0]);
    out[strcspn (out, "\n")] = 0;
    b_meta ("postgresql_national_rollup", "%s", out);
    if (strtod (out, NULL) != (double) o->expect_national / 1e6)
        b_note ("  PostgreSQL's national roll-up is %s, the workload's is %.0f: the loads differ", out,
                (double) o->expect_national / 1e6);
    for (int q = 0; q < 5; q++) {
        b_samples_t probe = {0}, lat = {0};
        s_time_sql (sql[q], 3, &probe);
        double est = b_percentile (&probe, 50);
        /* Slow queries get fewer repetitions, so the run stays inside its time. */
        int reps = o->reps;
        if (est > 0 && 8000.0 / est < reps) reps = (int) (8000.0 / est);
        if (reps < 10) reps = 10;
        if (s_time_sql (sql[q], reps, &lat)) b_note ("  PostgreSQL: query %d failed (see %s/commands.log)", q, s_dir);
        char name[160];
        snprintf (name, sizeof name, "%s: median", b_query_names[q]);
        b_result_set_pg (name, b_percentile (&lat, 50));
        if (reps < o->reps) {
            char note[400];
            snprintf (note, sizeof note, "%d repetitions, one in flight, client-side (DEALER over ipc+CURVE); PostgreSQL: %d "
                      "repetitions (psql \\timing, Unix socket)", o->reps, reps);
            b_result_set_note (name, note);
        }
        snprintf (name, sizeof name, "%s: p99", b_query_names[q]);
        b_result_set_pg (name, b_percentile (&lat, 99));
        b_note ("  %-40s median %.3f ms, p99 %.3f ms (%d repetitions)", b_query_names[q], b_percentile (&lat, 50),
                b_percentile (&lat, 99), reps);
        b_samples_free (&probe);
        b_samples_free (&lat);
    }

    /* Latency: the same offered rate in 500-row transactions, then as fast as 8 sessions go. */
    {
        char script[700], prefix[700];
        snprintf (script, sizeof script, "%s/latency.sql", s_dir);
        FILE *f = fopen (script, "w");
        fprintf (f, "\\set b random(1, 1000000000)\n"
                    "INSERT INTO obs (indicator, unit, period, disaggregation, value) SELECT 'BENCH_' || lpad((g %% %d + 1)::text, "
                    "2, '0'), (:b::bigint * 13 + g / %d)::text, '202301', '', g %% 5000 FROM generate_series(0, %d) g "
                    "ON CONFLICT DO NOTHING;\n",
                    B_NIND, B_NIND, o->lat_per_tx - 1);
        fclose (f);
        snprintf (prefix, sizeof prefix, "%s/pgbench-paced", s_dir);
        int tps = o->lat_rate / o->lat_per_tx;
        b_meta ("postgresql_latency", "pgbench: one %d-row INSERT ... ON CONFLICT DO NOTHING into obs per transaction (rows "
                "spread over the 40 indicators like a submission's), %d tx/s from 4 sessions for %d s (latency from the "
                "scheduled start), then as fast as 8 sessions go for 5 s",
                o->lat_per_tx, tps, o->lat_seconds);
        b_meta ("postgresql_applied", "PostgreSQL's 'applied' figures are its COPY rates: its roll-ups read the table, so "
                "a row counts as soon as its COPY commits");
        s_sh ("cd '%s' && '%s/pgbench' -n -h '%s' -U bench -c 4 -j 1 -R %d -T %d -f '%s' -l --log-prefix='%s' postgres", s_dir,
              s_bin, s_dir, tps, o->lat_seconds, script, prefix);
        b_samples_t lat = {0};
        double first, last;
        size_t n = s_pgbench_log (prefix, &lat, &first, &last);
        b_result_set_pg ("ack latency at 50,000 values/s: p50", b_percentile (&lat, 50));
        b_result_set_pg ("ack latency at 50,000 values/s: p99", b_percentile (&lat, 99));
        b_result_set_pg ("ack latency at 50,000 values/s: p99.9", b_percentile (&lat, 99.9));
        b_note ("  pgbench paced (%d tx/s of %d rows, 4 sessions, %zu tx): p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms", tps,
                o->lat_per_tx, n, b_percentile (&lat, 50), b_percentile (&lat, 99), b_percentile (&lat, 99.9));
        b_samples_free (&lat);

        snprintf (prefix, sizeof prefix, "%s/pgbench-sat", s_dir);
        s_sh ("cd '%s' && '%s/pgbench' -n -h '%s' -U bench -c 8 -j 2 -T 5 -f '%s' -l --log-prefix='%s' postgres", s_dir, s_bin,
              s_dir, script, prefix);
        n = s_pgbench_log (prefix, &lat, &first, &last);
        double rate = n && last > first ? (double) n * o->lat_per_tx / (last - first) : NAN;
        b_result_set_pg ("saturation with 500-value submissions", rate);
        b_result_set_pg ("ack latency at saturation: p50", b_percentile (&lat, 50));
        b_result_set_pg ("ack latency at saturation: p99", b_percentile (&lat, 99));
        b_result_set_pg ("ack latency at saturation: p99.9", b_percentile (&lat, 99.9));
        b_note ("  pgbench saturation (8 sessions, %zu tx): %.0f rows/s; p50 %.2f ms, p99 %.2f ms", n, rate,
                b_percentile (&lat, 50), b_percentile (&lat, 99));
        b_samples_free (&lat);
    }

    /* Shuffled: a new keyed table. */
    s_psql ("CREATE TABLE obs_shuffled (LIKE obs INCLUDING ALL)", NULL, 0);
    snprintf (files[0], sizeof files[0], "%s/values-shuffled.csv", s_dir);
    secs = s_copy ("obs_shuffled", files, 1);
    rows = s_psql_num ("SELECT count(*) FROM obs_shuffled");
    s_rate_both ("to durable acknowledgement, shuffled", "to applied in reporting, shuffled", rows / secs, NULL);
    b_note ("  COPY shuffled: %.0f rows in %.2f s: %.0f rows/s", rows, secs, rows / secs);
    s_psql ("DROP TABLE obs_shuffled", NULL, 0);

    /* Regional shares from 1, 2 and 4 sessions at once, into a new keyed table. */
    int steps[3] = {1, 2, 4};
    for (int st = 0; st < 3; st++) {
        int n = steps[st];
        for (int f = 0; f < n; f++) snprintf (files[f], sizeof files[f], "%s/values-region-%d.csv", s_dir, f);
        /* A new keyed table for each step, as socin's steps have new stacks. */
        s_psql ("DROP TABLE IF EXISTS obs_regions; CREATE TABLE obs_regions (LIKE obs INCLUDING ALL)", NULL, 0);
        secs = s_copy ("obs_regions", files, n);
        double got = s_psql_num ("SELECT count(*) FROM obs_regions");
        char name[160];
        snprintf (name, sizeof name, "%d concurrent regional feed%s: to durable acknowledgement", n, n > 1 ? "s" : "");
        b_result_set_pg (name, got / secs);
        snprintf (name, sizeof name, "%d concurrent regional feed%s: to applied in reporting", n, n > 1 ? "s" : "");
        b_result_set_pg (name, got / secs);
        b_note ("  COPY from %d session(s) at once: %.0f rows/s", n, got / secs);
    }
    s_psql ("DROP TABLE obs_regions", NULL, 0);

    /* Footprint: the largest peak RSS among the server's processes. */
    {
        pid_t pids[256];
        int n = s_server_pids (pids, 256);
        double max = 0;
        for (int i = 0; i < n; i++) {
            long long kb = b_proc_kb (pids[i], "VmHWM");
            if (kb > max) max = (double) kb;
        }
        b_result_set_pg ("peak RSS, largest process (full load)", max / 1024.0);
        b_note ("  largest peak RSS among %d server processes: %.0f MiB", n, max / 1024.0);
    }

    /* Crash recovery with a backlog in the WAL. */
    {
        s_psql ("CHECKPOINT", NULL, 0);
        double lsn0 = s_psql_num ("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')");
        snprintf (files[0], sizeof files[0], "%s/values-backlog.csv", s_dir);
        s_copy ("obs", files, 1);
        double wal = s_psql_num ("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')") - lsn0;
        pid_t pids[256];
        int n = s_server_pids (pids, 256);
        int64_t t0 = b_now_us ();
        for (int i = 0; i < n; i++) kill (pids[i], SIGKILL);
        for (int i = 0; i < n; i++)
            for (int w = 0; w < 2000 && kill (pids[i], 0) == 0; w++) {
                waitpid (pids[i], NULL, WNOHANG);
                b_sleep_us (1000);
            }
        s_postmaster = 0;
        if (s_start ()) {
            b_note ("  PostgreSQL did not restart after kill -9 (see %s/postgres.log)", s_dir);
            goto stop;
        }
        int64_t answered = 0;
        while (!answered && b_now_us () - t0 < 300 * 1000000LL) {
            if (s_psql (sql[0], NULL, 0) == 0)
                answered = b_now_us ();
            else
                b_sleep_us (5000);
        }
        double s = (double) (answered - t0) / 1e6;
        b_result_set_pg ("reporting restart after kill -9 until it answers queries", s);
        b_result_set_pg ("ingest restart after kill -9 with a backlog, until ready", s);
        char note[300];
        snprintf (note, sizeof note, "PostgreSQL: kill -9 of every server process after CHECKPOINT and %zu more rows (%.0f MB of "
                  "WAL to replay), until the national roll-up answers",
                  o->backlog_values, wal / 1e6);
        b_meta ("postgresql_crash_recovery", "%s", note);
        b_note ("  crash recovery: answered %.2f s after kill -9 (%.0f MB of WAL)", s, wal / 1e6);
    }

stop:
    s_sh ("%s'%s/pg_ctl' -D '%s/data' -m fast -w stop", s_as, s_bin, s_dir);
    s_postmaster = 0;
}
