/*  Reporting gives the same answers whatever order its sources deliver in. Two fake ingests,
    driven by this test over the forwarding protocol, send the same twelve change batches to two
    reporting daemons beside one registry (the official territory, the default catalogue): the
    first daemon gets them one at a time in the order of their versions, the second gets one
    source's six batches, pipelined, and then the other's. The batches overlap: both sources write
    the same keys at different accepted times (twice at the same millisecond, which the source
    name decides), delete them, and replace and delete the same events.

    Expected: the later version of every key wins in both daemons (computed here from what was
    sent), completeness counts a value by the first day of its present version whatever order
    the versions came in, and every answer (roll-ups at each level and period, values,
    disaggregations, the derived share, completeness, participation, targets, history) is
    byte-identical between the two, and again after a rebuild and a kill -9. */
#include <czmq.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "csv.h"
#include "decimal.h"
#include "model.h"
#include "period.h"
#include "stack.h"
#include "str.h"
#include "testing.h"
#include "wire.h"
#include "socin/v1/forward.pb-c.h"
#include "socin/v1/registry.pb-c.h"
#include "socin/v1/report.pb-c.h"

#define SCALE SOCIN_DEC_SCALE
#define NSRC  2
#define NB    6     /* batches per source */
#define NU    300   /* municipalities written to */
#define NEU   60    /* of them, those holding events */
#define DAY0  20454 /* 2026-01-01 as a day number */

static char s_home[256];
static char s_reg_req[400], s_reg_pub[400], s_reg_key[400], s_admin_cert[400];
static t_daemon_t *s_registry;
static socin_client_t *s_admin;
static int s_printed;

/* ---- the territory ---- */

typedef struct {
    char code[8], kraj[8];
    uint64_t pop;
} s_muni_t;

static s_muni_t *s_muni;
static size_t s_nmuni;
static char s_kraje[16][8];
static int s_nkraje;

static int
s_cmp_code (const void *a, const void *b)
{
    return strcmp ((const char *)a, (const char *)b);
}

static int
s_muni_index (const char *code)
{
    s_muni_t key;
    memset (&key, 0, sizeof key);
    snprintf (key.code, sizeof key.code, "%s", code);
    s_muni_t *m = bsearch (&key, s_muni, s_nmuni, sizeof *s_muni, s_cmp_code);
    return m ? (int)(m - s_muni) : -1;
}

static int
s_load_territory (void)
{
    size_t len;
    char *data = t_read_file (t_shared ("data/cz/struktura_uzemi_cr.csv"), &len);
    if (!data) return -1;
    socin_csv_t *csv = socin_csv_new (data, len);
    char **f, err[256];
    size_t nf;
    int c_code = -1, c_kraj = -1;
    if (socin_csv_next (csv, &f, &nf, err, sizeof err) == 1)
        for (size_t i = 0; i < nf; i++) {
            if (!strcmp (f[i], "obec_kod")) c_code = (int)i;
            if (!strcmp (f[i], "kraj_csu_cis108_nuts_kod")) c_kraj = (int)i;
        }
    s_muni = calloc (8000, sizeof *s_muni);
    while (c_code >= 0 && c_kraj >= 0 && s_nmuni < 8000 &&
           socin_csv_next (csv, &f, &nf, err, sizeof err) == 1) {
        snprintf (s_muni[s_nmuni].code, 8, "%s", f[c_code]);
        snprintf (s_muni[s_nmuni++].kraj, 8, "%s", f[c_kraj]);
    }
    socin_csv_destroy (&csv);
    free (data);
    qsort (s_muni, s_nmuni, sizeof *s_muni, s_cmp_code);
    data = t_read_file (t_shared ("data/cz/obce_population_2021-01-01.csv"), &len);
    if (!data) return -1;
    csv = socin_csv_new (data, len);
    if (socin_csv_next (csv, &f, &nf, err, sizeof err) == 1)
        while (socin_csv_next (csv, &f, &nf, err, sizeof err) == 1 && nf >= 2) {
            int i = s_muni_index (f[0]);
            if (i >= 0) s_muni[i].pop = strtoull (f[1], NULL, 10);
        }
    socin_csv_destroy (&csv);
    free (data);
    for (size_t i = 0; i < s_nmuni; i++) {
        bool seen = false;
        for (int k = 0; k < s_nkraje && !seen; k++)
            seen = !strcmp (s_kraje[k], s_muni[i].kraj);
        if (!seen && s_nkraje < 16) snprintf (s_kraje[s_nkraje++], 8, "%s", s_muni[i].kraj);
    }
    qsort (s_kraje, (size_t)s_nkraje, sizeof s_kraje[0], s_cmp_code);
    return s_nmuni == 6258 && s_nkraje == 14 ? 0 : -1;
}

/* The municipalities written to: every twentieth. */
static int
s_unit (int u)
{
    return 5 + 20 * u;
}

/* ---- what the sources send ---- */

static uint64_t
s_hash (const char *code, unsigned a, unsigned b)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = code; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h ^= (uint64_t)a * 0x9E3779B97F4A7C15ULL;
    h ^= (uint64_t)b * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 31;
    return h;
}

/* The keys written for each municipality (default catalogue indicators). */
typedef struct {
    const char *indicator, *period, *disagg;
} s_slot_t;

static const s_slot_t s_slots[] = {
    {"EMP_JOBSEEKERS", "202601", "sex=f"},
    {"EMP_JOBSEEKERS", "202601", "sex=m"},
    {"EMP_JOBSEEKERS", "202602", "sex=f"},
    {"EMP_JOBSEEKERS", "202602", "sex=m"},
    {"EMP_JOBSEEKERS", "202603", "sex=f"},
    {"EMP_JOBSEEKERS", "202603", "sex=m"},
    {"EMP_LONGTERM", "202601", "sex=f"},
    {"POP_15_64", "2026", ""},
    {"SS_WAIT_DAYS_MAX", "2026Q1", ""},
    {"SS_WAIT_DAYS_MAX", "2026Q2", ""},
    {"FIN_MEASURES_MIN_BUDGET", "2026", ""},
    {"SH_ARREARS_SHARE", "2026", ""},
    {"PART_PLATFORM_VULNERABLE", "2026", ""},
    {"PART_EVENTS", "202601", "event_type=public_meeting"},
    {"PART_EVENTS", "202602", "event_type=survey"},
};
#define NSLOTS (int)(sizeof s_slots / sizeof *s_slots)

static const char *const s_src_names[NSRC] = {"SRC_A", "SRC_B"};
/* Days of 2026 (0: 1 January) each batch was accepted on, at 10:00 UTC. A2 and B2 (5 February)
   and A5 and B5 (10 March) share their millisecond; 10 February is the last day on time for
   January's employment data (10 timely days). */
static const int s_doy[NSRC][NB] = {{19, 35, 42, 59, 68, 90}, {24, 35, 39, 58, 68, 83}};

static int64_t
s_ms (int src, int b)
{
    return ((int64_t)(DAY0 + s_doy[src][b]) * 86400 + 36000) * 1000;
}

/* Whether batch B of SRC writes slot S of unit U, and what. */
static bool
s_write (int src, int b, int u, int s, bool *deleted, int64_t *value)
{
    uint64_t h = s_hash (s_muni[s_unit (u)].code, (unsigned)(s * 16 + src * 8 + b), 7);
    if (h % 100 >= 30) return false;
    *deleted = (h >> 8) % 100 < 15;
    uint64_t r = h >> 16;
    const char *ind = s_slots[s].indicator;
    if (!strncmp (ind, "EMP_", 4) || !strcmp (ind, "PART_EVENTS"))
        *value = (int64_t)(r % 1000) * SCALE;
    else if (!strcmp (ind, "POP_15_64"))
        *value = (int64_t)(1000 + r % 50000) * SCALE;
    else if (!strcmp (ind, "SS_WAIT_DAYS_MAX"))
        *value = (int64_t)(r % 365) * SCALE;
    else if (!strcmp (ind, "FIN_MEASURES_MIN_BUDGET"))
        *value = (int64_t)(r % 1000000) * 10000;
    else if (!strcmp (ind, "SH_ARREARS_SHARE"))
        *value = (int64_t)(r % 100000001);
    else
        *value = r % 2 ? SCALE : 0;
    return true;
}

typedef struct {
    char id[8], date[12];
    int type;
    uint32_t participants, roma;
    bool open, platform;
} s_ev_t;

/* Whether batch B of SRC writes event E (0 or 1) of unit U, and what. */
static bool
s_write_event (int src, int b, int u, int e, bool *deleted, s_ev_t *ev)
{
    uint64_t h = s_hash (s_muni[s_unit (u)].code, (unsigned)(500 + e * 16 + src * 8 + b), 9);
    if (h % 100 >= 30) return false;
    *deleted = (h >> 8) % 100 < 15;
    snprintf (ev->id, sizeof ev->id, "e%d", e);
    socin_date_format (DAY0 + (int32_t)((h >> 16) % 180), ev->date, sizeof ev->date);
    ev->type = 1 + (int)((h >> 24) % 6);
    ev->participants = 5 + (uint32_t)((h >> 32) % 40);
    ev->roma = (uint32_t)((h >> 40) % 5);
    ev->open = (h >> 44) & 1;
    ev->platform = (h >> 45) & 1;
    return true;
}

/* The twelve batches in version order: accepted time, then source name. */
static int s_order[NSRC * NB][2];

static void
s_version_order (void)
{
    int n = 0;
    for (int src = 0; src < NSRC; src++)
        for (int b = 0; b < NB; b++) {
            s_order[n][0] = src;
            s_order[n][1] = b;
            n++;
        }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0; j--) {
            int *x = s_order[j - 1], *y = s_order[j];
            int64_t mx = s_ms (x[0], x[1]), my = s_ms (y[0], y[1]);
            bool later = mx > my || (mx == my && strcmp (s_src_names[x[0]], s_src_names[y[0]]) > 0);
            if (!later) break;
            int t0 = x[0], t1 = x[1];
            x[0] = y[0], x[1] = y[1];
            y[0] = t0, y[1] = t1;
        }
}

/* The final state of slot S of unit U: present, value, and the first day of the present
   version (the day of the earliest version after the last deletion), from every version in
   version order. Returns the number of versions. */
static int
s_final (int u, int s, bool *present, int64_t *value, int32_t *first_day)
{
    int n = 0;
    *present = false;
    *value = 0;
    *first_day = 0;
    for (int k = 0; k < NSRC * NB; k++) {
        bool deleted;
        int64_t v;
        if (!s_write (s_order[k][0], s_order[k][1], u, s, &deleted, &v)) continue;
        n++;
        if (deleted) {
            *present = false;
            continue;
        }
        if (!*present) *first_day = DAY0 + s_doy[s_order[k][0]][s_order[k][1]];
        *present = true;
        *value = v;
    }
    return n;
}

static bool
s_final_event (int u, int e, s_ev_t *ev)
{
    bool live = false;
    for (int k = 0; k < NSRC * NB; k++) {
        bool deleted;
        s_ev_t x;
        if (!s_write_event (s_order[k][0], s_order[k][1], u, e, &deleted, &x)) continue;
        live = !deleted;
        if (live) *ev = x;
    }
    return live;
}

/* ---- the registry and the daemons ---- */

static Socin__V1__RegistryReply *
s_reg_call (Socin__V1__RegistryRequest *req)
{
    static int n;
    char id[32], err[512];
    snprintf (id, sizeof id, "r%d", ++n);
    req->request_id = id;
    Socin__V1__RegistryReply *reply = (Socin__V1__RegistryReply *)socin_client_call (
        s_admin, &req->base, &socin__v1__registry_reply__descriptor, 30000, err, sizeof err);
    if (!reply) fprintf (stderr, "    registry call failed: %s\n", err);
    return reply;
}

static bool
s_put_peer (const char *name, const char *key, int role)
{
    Socin__V1__Peer peer = SOCIN__V1__PEER__INIT;
    peer.name = (char *)name;
    peer.public_key = (char *)key;
    peer.role = (Socin__V1__Role)role;
    Socin__V1__PutPeer put = SOCIN__V1__PUT_PEER__INIT;
    put.peer = &peer;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_PEER;
    req.put_peer = &put;
    Socin__V1__RegistryReply *r = s_reg_call (&req);
    bool ok = r && r->changes && r->changes->added + r->changes->updated == 1;
    if (r) protobuf_c_message_free_unpacked (&r->base, NULL);
    return ok;
}

/* A reporting daemon and this test's connections to it. */
typedef struct {
    t_daemon_t *d;
    char query[400], forward[400], key[SOCIN_KEY_LEN + 1];
    socin_client_t *analyst;
    socin_client_t *src[NSRC]; /* each fake ingest's connection */
} s_rep_t;

static s_rep_t s_rep[2];
static char s_src_cert[NSRC][400];

static long long
s_stat (s_rep_t *r, const char *key)
{
    char out[4096];
    if (t_ctl (r->d->ctl, "stats", out, sizeof out)) return -1;
    return t_field (out, key);
}

static bool
s_start_reporting (int k)
{
    s_rep_t *r = &s_rep[k];
    char name[32], dir[400], keys[400], err[512];
    snprintf (name, sizeof name, k ? "reporting%d" : "reporting", k + 1);
    snprintf (r->query, sizeof r->query, "ipc://%s/query%d.ipc", s_home, k + 1);
    snprintf (r->forward, sizeof r->forward, "ipc://%s/forward%d.ipc", s_home, k + 1);
    /* Its key, made before it starts and registered as a reporting peer (the second one
       publishes into keys2, so that the two do not take each other's place in keys). */
    snprintf (dir, sizeof dir, "%s/%s/keys", s_home, name);
    zcert_t *cert = socin_keys_load_or_create (dir, "server", err, sizeof err);
    if (!cert) return false;
    snprintf (r->key, sizeof r->key, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
    if (!s_put_peer (name, r->key, SOCIN_ROLE_REPORTING)) return false;
    snprintf (keys, sizeof keys, "%s/keys%d", s_home, k + 1);
    const char *args[] = {"--endpoint",
                          r->query,
                          "--forward",
                          r->forward,
                          "--registry",
                          s_reg_req,
                          "--registry-updates",
                          s_reg_pub,
                          "--registry-key",
                          s_reg_key,
                          "--keys-dir",
                          keys,
                          NULL};
    r->d = t_start ("socin-reporting", name, s_home, args);
    if (!r->d || !t_wait_replica (r->d, s_registry, 30000)) return false;
    r->analyst = socin_client_new (r->query, r->key, s_admin_cert, 0, err, sizeof err);
    return r->analyst != NULL;
}

/* ---- forwarding ---- */

static Socin__V1__ForwardReply *
s_fwd_recv (socin_client_t *c, int ms)
{
    char err[512];
    for (;;) {
        Socin__V1__ForwardReply *r = (Socin__V1__ForwardReply *)socin_client_recv (
            c, &socin__v1__forward_reply__descriptor, ms, err, sizeof err);
        if (!r || r->body_case != SOCIN__V1__FORWARD_REPLY__BODY_HEARTBEAT) return r;
        protobuf_c_message_free_unpacked (&r->base, NULL);
    }
}

/* Connects SRC to reporting R and says Hello: the Welcome's applied sequence, or -1. */
static long long
s_hello (s_rep_t *r, int src)
{
    char err[512];
    socin_client_destroy (&r->src[src]);
    r->src[src] = socin_client_new (r->forward, r->key, s_src_cert[src], 0, err, sizeof err);
    if (!r->src[src]) return -1;
    Socin__V1__Hello hello = SOCIN__V1__HELLO__INIT;
    hello.source = (char *)s_src_names[src];
    hello.last_seq = NB;
    Socin__V1__ForwardMessage m = SOCIN__V1__FORWARD_MESSAGE__INIT;
    m.body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_HELLO;
    m.hello = &hello;
    if (socin_client_send (r->src[src], &m.base)) return -1;
    Socin__V1__ForwardReply *w = s_fwd_recv (r->src[src], 30000);
    long long applied = w && w->welcome ? (long long)w->welcome->applied_seq : -1;
    if (w) protobuf_c_message_free_unpacked (&w->base, NULL);
    return applied;
}

/* Sends batch B (0-based) of SRC to R. */
static bool
s_send (s_rep_t *r, int src, int b)
{
    static Socin__V1__ValueChange vc[NU * NSLOTS], *vcp[NU * NSLOTS];
    static Socin__V1__ParticipationEvent pe[NEU * 2], *pep[NEU * 2];
    static s_ev_t evs[NEU * 2];
    static char units[NU][8];
    Socin__V1__ChangeBatch batch = SOCIN__V1__CHANGE_BATCH__INIT;
    char id[32];
    snprintf (id, sizeof id, "%s-%d", s_src_names[src], b + 1);
    batch.seq = (uint64_t)b + 1;
    batch.submission_id = id;
    batch.submitter = "order";
    batch.accepted_ms = s_ms (src, b);
    for (int u = 0; u < NU; u++) {
        snprintf (units[u], 8, "%s", s_muni[s_unit (u)].code);
        for (int s = 0; s < NSLOTS; s++) {
            bool deleted;
            int64_t v;
            if (!s_write (src, b, u, s, &deleted, &v)) continue;
            Socin__V1__ValueChange *c = &vc[batch.n_values];
            socin__v1__value_change__init (c);
            c->indicator = (char *)s_slots[s].indicator;
            c->unit = units[u];
            c->period = (char *)s_slots[s].period;
            c->disaggregation = (char *)s_slots[s].disagg;
            c->value_micros = deleted ? 0 : v;
            c->deleted = deleted;
            vcp[batch.n_values++] = c;
        }
        for (int e = 0; u < NEU && e < 2; e++) {
            bool deleted;
            s_ev_t *x = &evs[batch.n_events];
            if (!s_write_event (src, b, u, e, &deleted, x)) continue;
            Socin__V1__ParticipationEvent *p = &pe[batch.n_events];
            socin__v1__participation_event__init (p);
            p->event_id = x->id;
            p->unit = units[u];
            p->date = x->date;
            p->type = (Socin__V1__EventType)x->type;
            p->participants = x->participants;
            p->open_to_public = x->open;
            p->platform_includes_vulnerable = x->platform;
            p->delete_ = deleted;
            pep[batch.n_events++] = p;
        }
    }
    batch.values = vcp;
    batch.events = pep;
    Socin__V1__ForwardMessage m = SOCIN__V1__FORWARD_MESSAGE__INIT;
    m.body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH;
    m.batch = &batch;
    return socin_client_send (r->src[src], &m.base) == 0;
}

/* Waits for the Ack of SRC's batch SEQ on R. */
static bool
s_ack (s_rep_t *r, int src, uint64_t seq)
{
    for (;;) {
        Socin__V1__ForwardReply *a = s_fwd_recv (r->src[src], 60000);
        bool ack = a && a->body_case == SOCIN__V1__FORWARD_REPLY__BODY_ACK;
        uint64_t applied = ack ? a->ack->applied_seq : 0;
        if (a) protobuf_c_message_free_unpacked (&a->base, NULL);
        if (!ack) {
            fprintf (stderr, "    %s: no ack for %llu\n", s_src_names[src],
                     (unsigned long long)seq);
            return false;
        }
        if (applied >= seq) return applied == seq;
    }
}

/* ---- queries ---- */

static Socin__V1__ReportReply *
s_report (s_rep_t *r, Socin__V1__ReportRequest *req)
{
    static int n;
    char id[32], err[512];
    snprintf (id, sizeof id, "q%d", ++n);
    req->request_id = id;
    Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)socin_client_call (
        r->analyst, &req->base, &socin__v1__report_reply__descriptor, 60000, err, sizeof err);
    if (!reply) fprintf (stderr, "    report call failed: %s\n", err);
    return reply;
}

static void
s_reply_free (Socin__V1__ReportReply **reply)
{
    if (*reply) protobuf_c_message_free_unpacked (&(*reply)->base, NULL);
    *reply = NULL;
}

static void s_mismatch (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static void
s_mismatch (const char *fmt, ...)
{
    t_case_failed = 1;
    if (++s_printed > 25) return;
    va_list args;
    va_start (args, fmt);
    fprintf (stderr, "    ");
    vfprintf (stderr, fmt, args);
    fprintf (stderr, "\n");
    va_end (args);
}

/* The queries whose answers must not depend on the delivery order. */
typedef struct {
    Socin__V1__ReportRequest req;
    Socin__V1__RollupQuery rollup;
    Socin__V1__ValuesQuery values;
    Socin__V1__CompletenessQuery completeness;
    Socin__V1__ParticipationQuery participation;
    Socin__V1__TargetProgressQuery targets;
    Socin__V1__HistoryQuery history;
    char what[160];
} s_query_t;

static s_query_t *s_queries;
static size_t s_nqueries;

static s_query_t *s_query (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static s_query_t *
s_query (const char *fmt, ...)
{
    s_query_t *grown = realloc (s_queries, (s_nqueries + 1) * sizeof *s_queries);
    if (!grown) abort ();
    s_queries = grown;
    s_query_t *q = &s_queries[s_nqueries++];
    memset (q, 0, sizeof *q);
    socin__v1__report_request__init (&q->req);
    va_list args;
    va_start (args, fmt);
    vsnprintf (q->what, sizeof q->what, fmt, args);
    va_end (args);
    return q;
}

static void
s_add_rollup (const char *ind, const char *period, int level, const char *under, const char *disagg)
{
    s_query_t *q = s_query ("rollup %s %s level %d under %s %s", ind, period, level, under, disagg);
    socin__v1__rollup_query__init (&q->rollup);
    q->rollup.indicator = (char *)ind;
    q->rollup.period = (char *)period;
    q->rollup.level = (Socin__V1__Level)level;
    q->rollup.under = (char *)under;
    q->rollup.disaggregation = (char *)disagg;
}

static void
s_build_queries (void)
{
    static const char *const inds[][2] = {
        {"EMP_JOBSEEKERS", "m"},
        {"EMP_LONGTERM", "m"},
        {"EMP_SHARE", "m"},
        {"PART_EVENTS", "m"},
        {"SS_WAIT_DAYS_MAX", "q"},
        {"POP_15_64", "y"},
        {"FIN_MEASURES_MIN_BUDGET", "y"},
        {"SH_ARREARS_SHARE", "y"},
        {"PART_PLATFORM_VULNERABLE", "y"},
    };
    static const char *const monthly[] = {"202601", "202602", "202603", "2026Q1", "2026"};
    static const char *const quarterly[] = {"2026Q1", "2026Q2", "2026S1", "2026"};
    static const char *const yearly[] = {"2026"};
    for (size_t i = 0; i < sizeof inds / sizeof *inds; i++) {
        const char *const *periods = *inds[i][1] == 'm'   ? monthly
                                     : *inds[i][1] == 'q' ? quarterly
                                                          : yearly;
        size_t np = *inds[i][1] == 'm' ? 5 : *inds[i][1] == 'q' ? 4 : 1;
        bool derived = !strcmp (inds[i][0], "EMP_SHARE");
        for (size_t p = 0; p < np; p++) {
            s_add_rollup (inds[i][0], periods[p], 0, "", "");
            s_add_rollup (inds[i][0], periods[p], SOCIN_LEVEL_KRAJ, "", "");
            s_add_rollup (inds[i][0], periods[p], SOCIN_LEVEL_ORP, "CZ064", "");
            s_add_rollup (inds[i][0], periods[p], SOCIN_LEVEL_OKRES, "CZ020", "");
            if (derived) continue;
            s_add_rollup (inds[i][0], periods[p], SOCIN_LEVEL_KRAJ, "", "*");
            s_query_t *q = s_query ("values %s %s", inds[i][0], periods[p]);
            socin__v1__values_query__init (&q->values);
            q->values.indicator = (char *)inds[i][0];
            q->values.period = (char *)periods[p];
            q->values.disaggregation = "*";
        }
    }
    static const char *const comp[][2] = {{"202601", ""}, {"202601", "CZ020"}, {"202602", ""}};
    for (int k = 0; k < 3; k++)
        for (int level = 0; level <= SOCIN_LEVEL_ORP; level += 2) {
            s_query_t *q =
                s_query ("completeness %s under %s level %d", comp[k][0], comp[k][1], level);
            socin__v1__completeness_query__init (&q->completeness);
            q->completeness.dataset = "DS_EMPLOYMENT";
            q->completeness.period = (char *)comp[k][0];
            q->completeness.under = (char *)comp[k][1];
            q->completeness.level = (Socin__V1__Level)level;
            q->completeness.list_missing = true;
        }
    static const char *const part[] = {"2026", "2026Q1", "2026Q2", "202603"};
    for (int k = 0; k < 4; k++)
        for (int by_type = 0; by_type < 2; by_type++) {
            s_query_t *q = s_query ("participation %s by type %d", part[k], by_type);
            socin__v1__participation_query__init (&q->participation);
            q->participation.period = (char *)part[k];
            q->participation.level = SOCIN_LEVEL_KRAJ;
            q->participation.by_type = by_type;
        }
    static const char *const days[] = {"2026-03-31", "2026-12-31"};
    for (int k = 0; k < 2; k++) {
        s_query_t *q = s_query ("targets as of %s", days[k]);
        socin__v1__target_progress_query__init (&q->targets);
        q->targets.as_of = (char *)days[k];
        q->targets.list_units = true;
    }
    /* The history of the first keys both sources wrote. */
    int histories = 0;
    for (int u = 0; u < NU && histories < 40; u++)
        for (int s = 0; s < NSLOTS && histories < 40; s++) {
            bool d;
            int64_t v;
            bool a = false, b = false;
            for (int k = 0; k < NB; k++) {
                a |= s_write (0, k, u, s, &d, &v);
                b |= s_write (1, k, u, s, &d, &v);
            }
            if (!a || !b) continue;
            s_query_t *q = s_query ("history %s %s %s %s", s_slots[s].indicator,
                                    s_muni[s_unit (u)].code, s_slots[s].period, s_slots[s].disagg);
            socin__v1__history_query__init (&q->history);
            q->history.indicator = (char *)s_slots[s].indicator;
            q->history.unit = s_muni[s_unit (u)].code;
            q->history.period = (char *)s_slots[s].period;
            q->history.disaggregation = (char *)s_slots[s].disagg;
            histories++;
        }
    /* The request bodies point into the array, which is final now. */
    for (size_t i = 0; i < s_nqueries; i++) {
        s_query_t *q = &s_queries[i];
        if (q->rollup.base.descriptor) {
            q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
            q->req.rollup = &q->rollup;
        } else if (q->values.base.descriptor) {
            q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_VALUES;
            q->req.values = &q->values;
        } else if (q->completeness.base.descriptor) {
            q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS;
            q->req.completeness = &q->completeness;
        } else if (q->participation.base.descriptor) {
            q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PARTICIPATION;
            q->req.participation = &q->participation;
        } else if (q->targets.base.descriptor) {
            q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_TARGETS;
            q->req.targets = &q->targets;
        } else {
            q->req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_HISTORY;
            q->req.history = &q->history;
        }
    }
}

/* The answer to query I from R, packed without its stamp and request id (malloc'ed). */
static uint8_t *
s_answer (s_rep_t *r, size_t i, size_t *len)
{
    Socin__V1__ReportReply *reply = s_report (r, &s_queries[i].req);
    *len = 0;
    if (!reply) return NULL;
    if (reply->error) s_mismatch ("%s: error %s", s_queries[i].what, reply->error->message);
    if (reply->stamp) protobuf_c_message_free_unpacked (&reply->stamp->base, NULL);
    reply->stamp = NULL;
    free (reply->request_id);
    reply->request_id = NULL;
    *len = socin__v1__report_reply__get_packed_size (reply);
    uint8_t *buf = malloc (*len + 1);
    socin__v1__report_reply__pack (reply, buf);
    s_reply_free (&reply);
    return buf;
}

/* Every answer of the two daemons is the same, byte for byte. */
static void
s_compare (void)
{
    size_t same = 0;
    for (size_t i = 0; i < s_nqueries; i++) {
        size_t la, lb;
        uint8_t *a = s_answer (&s_rep[0], i, &la), *b = s_answer (&s_rep[1], i, &lb);
        if (a && b && la == lb && !memcmp (a, b, la))
            same++;
        else
            s_mismatch ("%s: the answers differ (%zu and %zu bytes)", s_queries[i].what, la, lb);
        free (a);
        free (b);
    }
    CHECK_INT (same, s_nqueries);
    CHECK (s_nqueries > 200);
}

/* ---- cases ---- */

static void
test_deliver (void)
{
    for (int k = 0; k < 2; k++)
        for (int src = 0; src < NSRC; src++)
            CHECK_INT (s_hello (&s_rep[k], src), 0);
    /* The first daemon: one batch at a time, in version order. */
    for (int k = 0; k < NSRC * NB; k++) {
        int src = s_order[k][0], b = s_order[k][1];
        CHECK (s_send (&s_rep[0], src, b) && s_ack (&s_rep[0], src, (uint64_t)b + 1));
    }
    /* The second: all of SRC_B, pipelined, then all of SRC_A. */
    for (int src = NSRC - 1; src >= 0; src--) {
        for (int b = 0; b < NB; b++)
            CHECK (s_send (&s_rep[1], src, b));
        CHECK (s_ack (&s_rep[1], src, NB));
    }
    for (int k = 0; k < 2; k++) {
        CHECK_INT (s_stat (&s_rep[k], "batches_applied"), NSRC * NB);
        CHECK_INT (s_stat (&s_rep[k], "changes_unresolved"), 0);
        Socin__V1__SourcesQuery sq = SOCIN__V1__SOURCES_QUERY__INIT;
        Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_SOURCES;
        req.sources = &sq;
        Socin__V1__ReportReply *r = s_report (&s_rep[k], &req);
        CHECK (r && r->stamp && r->stamp->n_sources == NSRC);
        for (size_t i = 0; r && r->stamp && i < r->stamp->n_sources; i++)
            CHECK_INT (r->stamp->sources[i]->applied_seq, NB);
        s_reply_free (&r);
    }
    /* In version order nothing is superseded; in the other order much is. */
    CHECK_INT (s_stat (&s_rep[0], "changes_superseded"), 0);
    CHECK (s_stat (&s_rep[1], "changes_superseded") > 1000);
}

static void
s_dec_text (int64_t v, char *out, size_t len)
{
    char buf[SOCIN_DEC_STRLEN];
    socin_dec_format (v, buf, sizeof buf);
    snprintf (out, len, "%s", buf);
}

/* Each key's value in R is the one of its latest version, or absent after a deletion. */
static void
s_check_values (s_rep_t *r)
{
    int contested = 0, deleted = 0;
    for (int s = 0; s < NSLOTS; s++) {
        Socin__V1__ValuesQuery q = SOCIN__V1__VALUES_QUERY__INIT;
        q.indicator = (char *)s_slots[s].indicator;
        q.period = (char *)s_slots[s].period;
        q.disaggregation = (char *)s_slots[s].disagg;
        Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_VALUES;
        req.values = &q;
        Socin__V1__ReportReply *reply = s_report (r, &req);
        if (!reply || !reply->table) {
            s_mismatch ("%s %s: no table", s_slots[s].indicator, s_slots[s].period);
            s_reply_free (&reply);
            continue;
        }
        size_t k = 0;
        for (int u = 0; u < NU; u++) {
            bool present;
            int64_t v;
            int32_t first;
            int versions = s_final (u, s, &present, &v, &first);
            contested += versions > 1;
            deleted += versions && !present;
            if (!present) continue;
            char want[64];
            bool weighted = !strcmp (s_slots[s].indicator, "SH_ARREARS_SHARE");
            if (weighted && !s_muni[s_unit (u)].pop)
                want[0] = 0;
            else
                s_dec_text (v, want, sizeof want);
            const char *code = s_muni[s_unit (u)].code;
            const Socin__V1__Row *row = k < reply->table->n_rows ? reply->table->rows[k] : NULL;
            if (!row || strcmp (row->unit, code) || strcmp (row->value, want) ||
                strcmp (row->disaggregation, s_slots[s].disagg))
                s_mismatch ("%s %s %s %s: %s \"%s\", expected \"%s\"", r->d->name,
                            s_slots[s].indicator, s_slots[s].period, code, row ? row->unit : "-",
                            row ? row->value : "-", want);
            k++;
        }
        if (reply->table->n_rows != k)
            s_mismatch ("%s %s: %zu rows, expected %zu", s_slots[s].indicator, s_slots[s].period,
                        reply->table->n_rows, k);
        s_reply_free (&reply);
    }
    CHECK (contested > 500 && deleted > 100);
}

/* The first day any disaggregation of slots [S0, S1] of unit U was received (INT32_MAX: none). */
static int32_t
s_received (int u, int s0, int s1)
{
    int32_t best = INT32_MAX;
    for (int s = s0; s <= s1; s++) {
        bool present;
        int64_t v;
        int32_t first;
        s_final (u, s, &present, &v, &first);
        if (present && first < best) best = first;
    }
    return best;
}

/* Completeness of DS_EMPLOYMENT (EMP_JOBSEEKERS by sex, EMP_LONGTERM) for January: on time
   when both were first received by 10 February. */
static void
s_check_completeness (s_rep_t *r)
{
    Socin__V1__CompletenessQuery q = SOCIN__V1__COMPLETENESS_QUERY__INIT;
    q.dataset = "DS_EMPLOYMENT";
    q.period = "202601";
    q.level = SOCIN_LEVEL_KRAJ;
    q.list_missing = true;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS;
    req.completeness = &q;
    Socin__V1__ReportReply *reply = s_report (r, &req);
    CHECK (reply && reply->completeness && reply->completeness->n_rows == 14);
    if (!reply || !reply->completeness || reply->completeness->n_rows != 14) {
        s_reply_free (&reply);
        return;
    }
    CHECK_STR (reply->completeness->timely_until, "2026-02-10");
    int32_t timely = DAY0 + 40;
    uint32_t late_total = 0;
    for (int k = 0; k < 14; k++) {
        uint32_t expected = 0, complete = 0, on_time = 0, partial = 0, missing = 0;
        for (size_t i = 0; i < s_nmuni; i++)
            if (!strcmp (s_muni[i].kraj, s_kraje[k])) expected++;
        for (int u = 0; u < NU; u++) {
            if (strcmp (s_muni[s_unit (u)].kraj, s_kraje[k])) continue;
            int32_t a = s_received (u, 0, 1), b = s_received (u, 6, 6);
            partial += a != INT32_MAX || b != INT32_MAX;
            if (a == INT32_MAX || b == INT32_MAX) continue;
            complete++;
            on_time += (a > b ? a : b) <= timely;
        }
        missing = expected - partial;
        late_total += complete - on_time;
        const Socin__V1__CompletenessRow *row = reply->completeness->rows[k];
        if (strcmp (row->unit, s_kraje[k]) || row->expected != expected ||
            row->complete != complete || row->on_time != on_time || row->partial != partial ||
            row->n_missing != missing)
            s_mismatch ("%s completeness %s: %u/%u/%u/%u/%zu, expected %s %u/%u/%u/%u/%u",
                        r->d->name, row->unit, row->expected, row->complete, row->on_time,
                        row->partial, row->n_missing, s_kraje[k], expected, complete, on_time,
                        partial, missing);
    }
    CHECK (late_total > 5);
    s_reply_free (&reply);
}

static void
test_later_wins (void)
{
    s_check_values (&s_rep[0]);
    s_check_values (&s_rep[1]);
}

static void
test_first_day (void)
{
    s_check_completeness (&s_rep[0]);
    s_check_completeness (&s_rep[1]);
}

static void
test_events (void)
{
    /* Participation in the whole year: the latest version of every event, none deleted. */
    uint64_t events = 0, participants = 0;
    for (int u = 0; u < NEU; u++)
        for (int e = 0; e < 2; e++) {
            s_ev_t ev;
            if (!s_final_event (u, e, &ev)) continue;
            events++;
            participants += ev.participants;
        }
    for (int k = 0; k < 2; k++) {
        Socin__V1__ParticipationQuery q = SOCIN__V1__PARTICIPATION_QUERY__INIT;
        q.period = "2026";
        Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PARTICIPATION;
        req.participation = &q;
        Socin__V1__ReportReply *r = s_report (&s_rep[k], &req);
        CHECK (r && r->participation && r->participation->n_rows == 1);
        if (r && r->participation && r->participation->n_rows == 1) {
            CHECK_INT (r->participation->rows[0]->events, events);
            CHECK_INT (r->participation->rows[0]->participants, participants);
        }
        s_reply_free (&r);
        char out[4096];
        t_ctl (s_rep[k].d->ctl, "status", out, sizeof out);
        CHECK_INT (t_field (out, "events"), events);
    }
    CHECK (events > 20);
}

static void
test_identical (void)
{
    s_compare ();
}

/* How many lines of D's log hold TEXT. */
static int
s_log_count (const t_daemon_t *d, const char *text)
{
    FILE *f = fopen (d->log, "r");
    char line[4096];
    int n = 0;
    while (f && fgets (line, sizeof line, f))
        n += strstr (line, text) != NULL;
    if (f) fclose (f);
    return n;
}

static void
test_rebuilt (void)
{
    /* Rebuilt from its store, and restarted after kill -9, the second daemon still answers
       as the first. */
    char out[1024];
    CHECK_INT (t_ctl (s_rep[1].d->ctl, "rebuild", out, sizeof out), 0);
    CHECK_CONTAINS (out, "cube_values:");
    int rebuilt = s_log_count (s_rep[0].d, "event=cube.rebuilt");
    t_kill9 (s_rep[0].d);
    CHECK_INT (t_restart (s_rep[0].d), 0);
    CHECK (t_wait_replica (s_rep[0].d, s_registry, 30000));
    s_compare ();
    s_check_completeness (&s_rep[0]);
    /* It took its cube back from its file, not from every value. */
    CHECK_INT (s_log_count (s_rep[0].d, "event=cube.restored"), 1);
    CHECK_INT (s_log_count (s_rep[0].d, "event=cube.rebuilt"), rebuilt);
}

static void
test_cube_file_not_trusted (void)
{
    /* A cube file that says a change was under way when the daemon died (the flags word after
       the magic and the version) is not trusted: rebuilt from the store, the same answers. */
    char path[1200];
    snprintf (path, sizeof path, "%s/%s/cube.map", s_rep[0].d->home, s_rep[0].d->name);
    int rebuilt = s_log_count (s_rep[0].d, "event=cube.rebuilt");
    t_kill9 (s_rep[0].d);
    FILE *f = fopen (path, "r+b");
    CHECK (f != NULL);
    if (f) {
        uint32_t busy = 1;
        CHECK (fseek (f, 12, SEEK_SET) == 0 && fwrite (&busy, 4, 1, f) == 1);
        fclose (f);
    }
    CHECK_INT (t_restart (s_rep[0].d), 0);
    CHECK (t_wait_replica (s_rep[0].d, s_registry, 30000));
    CHECK_INT (s_log_count (s_rep[0].d, "event=cube.rebuilt"), rebuilt + 1);
    CHECK_INT (s_log_count (s_rep[0].d, "event=cube.restored"), 1);
    s_compare ();
    s_check_completeness (&s_rep[0]);
}

int
main (void)
{
    t_begin (s_home, sizeof s_home, "2026-12-31");
    snprintf (s_reg_req, sizeof s_reg_req, "ipc://%s/registry.ipc", s_home);
    snprintf (s_reg_pub, sizeof s_reg_pub, "ipc://%s/updates.ipc", s_home);
    snprintf (s_reg_key, sizeof s_reg_key, "%s/keys/registry.cert", s_home);
    snprintf (s_admin_cert, sizeof s_admin_cert, "%s/keys/admin.cert", s_home);
    bool ready = s_load_territory () == 0;
    s_version_order ();
    const char *reg_args[] = {"--endpoint",
                              s_reg_req,
                              "--updates",
                              s_reg_pub,
                              "--territory-file",
                              t_shared ("data/cz/struktura_uzemi_cr.csv"),
                              "--population-file",
                              t_shared ("data/cz/obce_population_2021-01-01.csv"),
                              NULL};
    s_registry = ready ? t_start ("socin-registry", "registry", s_home, reg_args) : NULL;
    char err[512];
    if (s_registry)
        s_admin = socin_client_new (s_reg_req, s_reg_key, s_admin_cert, 0, err, sizeof err);
    ready = ready && s_admin;
    for (int src = 0; ready && src < NSRC; src++) {
        zcert_t *cert = zcert_new ();
        snprintf (s_src_cert[src], sizeof s_src_cert[src], "%s/%s.cert", s_home, s_src_names[src]);
        ready = zcert_save (cert, s_src_cert[src]) == 0 &&
                s_put_peer (s_src_names[src], zcert_public_txt (cert), SOCIN_ROLE_INGEST);
        zcert_destroy (&cert);
    }
    ready = ready && s_start_reporting (0) && s_start_reporting (1) &&
            t_wait_replica (s_rep[0].d, s_registry, 30000);
    if (!ready) {
        printf ("FAIL - a registry with the official territory and two reporting daemons start\n");
        t_failed++;
    } else {
        s_build_queries ();
        RUN (test_deliver, "two daemons apply the same twelve batches, one in version order, the "
                           "other one source after the other, pipelined");
        RUN (test_later_wins, "in both, every key holds its latest version (accepted time, then "
                              "source name), deletions included");
        RUN (test_first_day, "in both, completeness counts a value on time by the first day of "
                             "its present version, whatever order the versions came in");
        RUN (test_events, "in both, every event is its latest version, deleted ones gone");
        RUN (test_identical, "every roll-up, value, completeness, participation, target and "
                             "history answer is byte-identical between the two");
        RUN (test_rebuilt, "after a rebuild and a kill -9 the answers are still identical, the "
                           "restarted daemon's cube taken back from its file");
        RUN (test_cube_file_not_trusted,
             "a cube file left in the middle of a change is not trusted: rebuilt from the store, "
             "the answers identical");
    }
    for (int k = 0; k < 2; k++) {
        for (int src = 0; src < NSRC; src++)
            socin_client_destroy (&s_rep[k].src[src]);
        socin_client_destroy (&s_rep[k].analyst);
        t_free (&s_rep[k].d);
    }
    socin_client_destroy (&s_admin);
    t_free (&s_registry);
    t_rmtree (s_home);
    free (s_queries);
    free (s_muni);
    return TEST_SUMMARY ();
}
