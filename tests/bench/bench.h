/*  bench: what the parts of `make bench` share.

    bench.c runs the stages in order; workload.c makes the deterministic workload and packs it
    into submissions; drive.c keeps submissions in flight against real ingests and times the
    answers; machine.c measures this machine's LMDB and ZeroMQ limits; pg.c runs the same
    workload through PostgreSQL; results.c keeps every figure and prints the table and the
    JSON document.
*/
#ifndef SOCIN_BENCH_H
#define SOCIN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "client.h"
#include "socin/v1/registry.pb-c.h"

/* ---- time ---- */

/* Microseconds on the monotonic clock. */
int64_t b_now_us (void);
void b_sleep_us (int64_t us);

/* One progress line on stderr ("[ 12.3s] message"), so a person sees where the run is. */
void b_note (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Fatal: prints, cleans up every process and directory, exits 1. */
void b_fail (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));

/* ---- samples ---- */

typedef struct {
    double *v;
    size_t n, cap;
} b_samples_t;

void b_samples_add (b_samples_t *s, double x);
/* The P-th percentile (0..100) by nearest rank; NAN when empty. Sorts the samples. */
double b_percentile (b_samples_t *s, double p);
void b_samples_free (b_samples_t *s);

/* ---- clients ---- */

/* A client of the daemon SERVICE ("registry", "reporting") of the stack in HOME, at EP, as
   the admin whose certificate file is ADMIN; fatal when it cannot be made. */
socin_client_t *b_client (const char *home, const char *service, const char *ep, const char *admin);

/* REQ asked of the registry of the stack in HOME at EP as the admin ADMIN: its reply (free
   it), fatal (naming WHAT) when there is none or it is an error. */
Socin__V1__RegistryReply *b_registry_call (const char *home, const char *ep, const char *admin,
                                           Socin__V1__RegistryRequest *req, const char *what);

/* ---- processes and files ---- */

/* A field of /proc/PID/status in kB ("VmHWM": peak resident set, "VmRSS"), -1 when unreadable. */
long long b_proc_kb (pid_t pid, const char *field);

/* The peak anonymous resident memory of up to B_ANON_MAX processes while they are watched: a
   thread of its own reads each one's /proc/PID/statm (resident less shared pages: RssAnon)
   every 10 ms. Each is named by where its pid lies (*PIDS[i]), so a process restarted meanwhile
   is watched on. */
#define B_ANON_MAX 8
typedef struct b_anon_t b_anon_t;
b_anon_t *b_anon_watch (pid_t *const *pids, int n);
/* The largest RssAnon process I has had so far, in kB (the last reading included). */
long long b_anon_peak_kb (b_anon_t *self, int i);
void b_anon_stop (b_anon_t **self_p);

/* Bytes PID has caused to be written to storage (/proc/PID/io write_bytes), -1 when unreadable. */
long long b_proc_written (pid_t pid);

/* Bytes allocated on disk by FILE (st_blocks), or by every file under DIR. */
long long b_disk_bytes (const char *path);

/* ---- the workload ---- */

#define B_NIND   40
#define B_MONTHS 12

typedef struct {
    char code[8];  /* municipality, 6 digits */
    char orp[8];   /* ORP code from the ČSÚ file */
    char kraj[8];  /* NUTS3, CZ064 */
    int kraj_idx;
    long long population;
} b_unit_t;

typedef struct {
    b_unit_t *units; /* in feed order: kraj, then code */
    int nunits;
    char kraje[16][8];
    int kraj_first[16], kraj_count[16];
    int nkraje;
} b_territory_t;

/* One item of a submission: a value (kind 0) or a participation event (kind 1). */
typedef struct {
    uint16_t unit;
    uint8_t kind;
    uint8_t ind;   /* value: indicator 0..39; event: its number within the unit */
    uint8_t month; /* 1..12 */
    uint16_t year;
} b_item_t;

typedef struct {
    b_item_t *items;
    size_t n, cap;
} b_items_t;

/* A packed IngestRequest, ready to send. */
typedef struct {
    uint8_t *data;
    size_t len;
    uint32_t nvalues, nevents, nmeasures;
    char id[48];
} b_sub_t;

typedef struct {
    b_sub_t *subs;
    size_t n;
    uint64_t values, events, measures, bytes;
} b_subs_t;

/* Indicator I's code, type and aggregation as written in the catalogue. */
const char *b_ind_code (int i);
const char *b_ind_aggregation (int i);
bool b_ind_decimal (int i);

/* The whole of file PATH, NUL-terminated (its length without the NUL in *LEN); fatal when
   unreadable. */
char *b_slurp (const char *path, size_t *len);

/* Reads the ČSÚ territory and the population file. */
void b_territory_load (b_territory_t *t, const char *csv, const char *population);

/* The value of indicator IND for unit U in YEAR-MONTH, in micros, and as text. */
int64_t b_value_micros (int ind, int unit, int year, int month);
void b_value_text (int ind, int unit, int year, int month, char *out, size_t len);

/* Events of unit U in YEAR: how many (0..3), and the fields of event K. */
int b_events_of (int unit, int year);
typedef struct {
    char id[24], date[11];
    int type; /* EventType 1..6 */
    bool open;
    uint32_t participants, roma;
} b_event_t;
void b_event (int unit, int year, int k, b_event_t *out);

/* Appends to OUT the values of UNITS (indices, or every unit when NULL / n 0) for the months
   FROM..TO of YEAR, in feed order (kraj by kraj; in a kraj, month by month, unit by unit,
   indicator by indicator), with each kraj's events of YEAR after its values when EVENTS. */
void b_items_feed (b_items_t *out, const b_territory_t *t, int kraj, int year, int from, int to,
                   bool events);
/* The plans of the decade stage: a regional action plan of each kraj (B_RAP_MEASURES measures)
   and a local action plan of each municipality of at least 10,000 inhabitants (B_LAP_MEASURES),
   valid from the first day of FROM to the last of TO (years), written to PATH as the plans file
   of docs/plans.md. Returns how many measures they have. */
#define B_RAP_MEASURES 10
#define B_LAP_MEASURES 8
size_t b_write_plans_csv (const b_territory_t *t, int from, int to, const char *path);

/* The progress reports of those plans' measures for each quarter of YEAR (in progress; done in
   the last quarter of LAST_YEAR), PER items to a submission, IDs TAG-n. */
void b_pack_progress (b_subs_t *out, const b_territory_t *t, int year, int last_year, size_t per,
                      const char *tag);

/* Shuffles ITEMS (a fixed seed: the same order on every run). */
void b_items_shuffle (b_items_t *items, uint64_t seed);
void b_items_free (b_items_t *items);

/* Packs ITEMS into submissions of at most PER items, ids TAG-000000... */
void b_pack (b_subs_t *out, const b_items_t *items, const b_territory_t *t, size_t per,
             const char *tag);
void b_subs_free (b_subs_t *subs);

/* The catalogue the benchmark loads: the default catalogue plus its 40 indicators and the
   data set DS_BENCH. Written to PATH. */
void b_write_catalogue (const char *path, const char *default_catalogue);

/* Writes ITEMS' values as CSV (indicator,unit,period,disaggregation,value) and, when EVENTS
   is given, its events (unit,event_id,date,type,open,participants). Returns rows written. */
size_t b_write_values_csv (const b_items_t *items, const b_territory_t *t, const char *path);
size_t b_write_events_csv (const b_items_t *items, const b_territory_t *t, const char *path);

/* ---- driving ingests ---- */

typedef struct b_feed_t b_feed_t;

/* A DEALER to an ingest at ENDPOINT (its key SERVER_KEY: a certificate file), as CERT. */
b_feed_t *b_feed_new (const char *name, const char *endpoint, const char *server_key, const char *cert);
void b_feed_destroy (b_feed_t **self_p);

typedef struct {
    size_t window;      /* most submissions in flight per feed */
    int64_t interval_us; /* paced: one submission every INTERVAL_US per feed (0: saturation) */
    int64_t timeout_ms;  /* no answer for this long: the run fails */
} b_drive_opts_t;

typedef struct {
    int64_t first_send_us, last_ack_us;
    uint64_t values_acked, events_acked, imported, rejected, refused, subs;
    uint64_t max_seq; /* highest source_seq in the summaries */
    b_samples_t latency_ms; /* send (or scheduled send) to acknowledgement, per submission */
    char first_problem[512];
} b_drive_result_t;

/* Sends every submission of SUBS[i] to FEEDS[i] (NFEEDS feeds, at once, one poll loop) and
   waits for every answer. Fills RESULTS[i] per feed and TOTAL over all. */
void b_drive (b_feed_t **feeds, b_subs_t **subs, int nfeeds, const b_drive_opts_t *opts,
              b_drive_result_t *results, b_drive_result_t *total);
void b_drive_result_free (b_drive_result_t *r);

/* ---- machine limits ---- */

typedef struct {
    size_t batch;
    double values_per_s, commits_per_s, mbytes_per_s;
} b_lmdb_rate_t;

typedef struct {
    size_t bytes;
    double msgs_per_s, mbytes_per_s;
} b_zmq_rate_t;

void b_lmdb_append_rate (const char *dir, size_t batch, double seconds, b_lmdb_rate_t *out);
void b_zmq_rate (const char *dir, size_t bytes, double seconds, size_t window, b_zmq_rate_t *out);

/* ---- results ---- */

typedef enum { B_HIGHER, B_LOWER, B_INFO } b_better_t;

/* A figure: socin's value, PostgreSQL's (NAN: none), the target (NAN: none; met when the
   value is on the better side), unit text, and a note (what bounded it). */
void b_result (const char *section, const char *name, const char *unit, b_better_t better,
               double socin, double pg, double target, const char *note);
/* A figure of the machine itself (no PostgreSQL column). */
void b_result_machine (const char *name, const char *unit, double value, const char *note);
/* Adds to the JSON document a free field (e.g. the workload's size). */
void b_meta (const char *key, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void b_meta_num (const char *key, double value);
/* Finds a recorded figure's socin value (NAN when absent). */
double b_result_value (const char *name);
/* Sets the PostgreSQL value of a recorded figure. */
void b_result_set_pg (const char *name, double pg);
void b_result_set_note (const char *name, const char *note);
void b_results_print (FILE *out);
int b_results_write_json (const char *path);

#endif
