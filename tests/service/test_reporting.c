/*  Reporting, as a real daemon beside a real registry that holds the official territory (6,258
    municipalities, with their population) and a test catalogue: every aggregation, national,
    kraj, okres and ORP roll-ups, quarters, half-years and years of monthly values, weeks by their
    Thursday, a derived share against the mean of shares, disaggregations, a group, completeness
    with late, partial and missing units, participation, CZ0046 progress, the history of a value,
    and exactly-once application under replay, duplicates, gaps and kill -9.

    Every expected figure is computed here from the input this test generated (a hash of unit
    code, indicator and period gives each value; populations come from the shared file), never
    read back from the service: sums are 128-bit sums of micros, and only the final rounding uses
    common/decimal.h. Most values reach reporting from a fake ingest that the test drives over
    the forwarding protocol, so sequences, duplicates and gaps are exact; completeness, history
    and part of the events go through a real socin-ingest whose clock (SOCIN_TODAY) is set to make
    units on time or late.

    Dates: the data are for 2026, the year of the official file's edition. Registry and
    reporting run on 2026-12-31; the ingest submits on 2026-02-05 (on time for
    January with 15 timely days) and, restarted, on 2026-03-20 (late). */
#include <math.h>
#include <czmq.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "csv.h"
#include "decimal.h"
#include "model.h"
#include "stack.h"
#include "str.h"
#include "testing.h"
#include "wire.h"
#include "socin/v1/forward.pb-c.h"
#include "socin/v1/ingest.pb-c.h"
#include "socin/v1/registry.pb-c.h"
#include "socin/v1/report.pb-c.h"

#define SCALE         SOCIN_DEC_SCALE
#define DAY_REPORTING "2026-12-31"
#define DAY_ONTIME    "2026-02-05"
#define DAY_LATE      "2026-03-20"
#define BATCH_MAX     100000
#define EVENT(name)   SOCIN__V1__EVENT_TYPE__EVENT_TYPE_##name
/* Fake-ingest batches are accepted on 2026-12-01 at 10:00 UTC, a second apart. */
#define BULK_MS 1796119200000LL

static char s_home[256];
static char s_reg_req[400], s_reg_pub[400], s_reg_key[400], s_admin_cert[400];
static char s_query_ep[400], s_forward_ep[400], s_rep_key[400];
static char s_ingest_ep[400], s_ingest_key[400];
static t_daemon_t *s_registry, *s_reporting, *s_ingest;
static socin_client_t *s_admin;   /* the registry's admin */
static socin_client_t *s_analyst; /* queries to reporting (the admin key) */
static socin_client_t *s_local;   /* submitter "local" to the real ingest */
static int s_printed;             /* mismatch lines printed in the current case */

/* ---- the territory, as this test reads it from the shared files ---- */

typedef struct {
    char code[8], kraj[8], okres[8], orp[8];
    char name[96];
    uint64_t pop;
} s_muni_t;

static s_muni_t *s_muni;
static size_t s_nmuni;
static char s_kraje[16][8];
static int s_nkraje;

#define GROUP      "T_GROUP"
#define GROUP_SIZE 9
static int s_group[GROUP_SIZE]; /* municipality indexes */

static int
s_cmp_code (const void *a, const void *b)
{
    return strcmp ((const char *)a, (const char *)b);
}

static int
s_cmp_muni (const void *a, const void *b)
{
    return strcmp (((const s_muni_t *)a)->code, ((const s_muni_t *)b)->code);
}

static int
s_muni_index (const char *code)
{
    s_muni_t key;
    memset (&key, 0, sizeof key);
    snprintf (key.code, sizeof key.code, "%s", code);
    s_muni_t *m = bsearch (&key, s_muni, s_nmuni, sizeof *s_muni, s_cmp_muni);
    return m ? (int)(m - s_muni) : -1;
}

static int
s_column (char **f, size_t nf, const char *name)
{
    for (size_t i = 0; i < nf; i++)
        if (!strcmp (f[i], name)) return (int)i;
    fprintf (stderr, "    column %s is missing\n", name);
    return -1;
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
    int rc = -1;
    if (socin_csv_next (csv, &f, &nf, err, sizeof err) == 1) {
        int c_code = s_column (f, nf, "obec_kod"), c_name = s_column (f, nf, "obec_text");
        int c_kraj = s_column (f, nf, "kraj_csu_cis108_nuts_kod");
        int c_okres = s_column (f, nf, "okres_csu_cis109_nuts_kod");
        int c_orp = s_column (f, nf, "orp_csu_cis65_kod");
        s_muni = calloc (8000, sizeof *s_muni);
        while (c_code >= 0 && c_name >= 0 && c_kraj >= 0 && c_okres >= 0 && c_orp >= 0 &&
               s_nmuni < 8000 && socin_csv_next (csv, &f, &nf, err, sizeof err) == 1) {
            s_muni_t *m = &s_muni[s_nmuni++];
            snprintf (m->code, sizeof m->code, "%s", f[c_code]);
            snprintf (m->name, sizeof m->name, "%s", f[c_name]);
            snprintf (m->kraj, sizeof m->kraj, "%s", f[c_kraj]);
            snprintf (m->okres, sizeof m->okres, "%s", f[c_okres]);
            snprintf (m->orp, sizeof m->orp, "%s", f[c_orp]);
        }
        rc = 0;
    }
    socin_csv_destroy (&csv);
    free (data);
    if (rc) return rc;
    qsort (s_muni, s_nmuni, sizeof *s_muni, s_cmp_muni);
    data = t_read_file (t_shared ("data/cz/obce_population_2021-01-01.csv"), &len);
    if (!data) return -1;
    csv = socin_csv_new (data, len);
    size_t rows = 0;
    if (socin_csv_next (csv, &f, &nf, err, sizeof err) == 1)
        while (socin_csv_next (csv, &f, &nf, err, sizeof err) == 1 && nf >= 2) {
            int i = s_muni_index (f[0]);
            if (i >= 0) s_muni[i].pop = strtoull (f[1], NULL, 10);
            rows++;
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
    for (int k = 0; k < GROUP_SIZE; k++)
        s_group[k] = 11 + 700 * k;
    return s_nmuni == 6258 && rows == 6258 && s_nkraje == 14 ? 0 : -1;
}

static bool
s_in_group (int i)
{
    for (int k = 0; k < GROUP_SIZE; k++)
        if (s_group[k] == i) return true;
    return false;
}

/* Municipality I lies in NODE: the country, a kraj, an okres, an ORP, the group, or itself. */
static bool
s_in (int i, const char *node)
{
    const s_muni_t *m = &s_muni[i];
    size_t n = strlen (node);
    if (!strcmp (node, "CZ")) return true;
    if (!strcmp (node, GROUP)) return s_in_group (i);
    if (n == 5 && !strncmp (node, "CZ", 2)) return !strcmp (m->kraj, node);
    if (n == 6 && !strncmp (node, "CZ", 2)) return !strcmp (m->okres, node);
    if (n == 4) return !strcmp (m->orp, node);
    return !strcmp (m->code, node);
}

/* The codes of the units at LEVEL under UNDER (or the members of GROUP), sorted, as rows
   come. Returns the count; *OUT is malloc'ed. */
static size_t
s_row_codes (int level, const char *under, const char *group, char (**out)[8])
{
    char (*codes)[8] = calloc (s_nmuni + 1, sizeof *codes);
    size_t n = 0;
    for (size_t i = 0; i < s_nmuni; i++) {
        if (group ? !s_in ((int)i, group) : !s_in ((int)i, under ? under : "CZ")) continue;
        const s_muni_t *m = &s_muni[i];
        const char *code = level == SOCIN_LEVEL_KRAJ    ? m->kraj
                           : level == SOCIN_LEVEL_OKRES ? m->okres
                           : level == SOCIN_LEVEL_ORP   ? m->orp
                                                        : m->code;
        snprintf (codes[n++], 8, "%s", code);
    }
    qsort (codes, n, sizeof *codes, s_cmp_code);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (!u || strcmp (codes[u - 1], codes[i])) memcpy (codes[u++], codes[i], 8);
    *out = codes;
    return u;
}

/* ---- the generated values ---- */

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

/* One series of values: an indicator with one disaggregation, per municipality and period
   (1-based: months 1-12, weeks 1-53, or the year as 1). */
enum {
    S_SUM_F,
    S_SUM_M,
    S_AVG,
    S_WAVG,
    S_MIN,
    S_MAX,
    S_LAST,
    S_COUNT,
    S_FLAG,
    S_NUM,
    S_DEN,
    S_WEEK,
    S_N
};

typedef struct {
    const char *indicator, *disagg;
    int nper;
    int64_t *v;
    uint8_t *has;
} s_series_t;

static s_series_t s_series[S_N] = {
    [S_SUM_F] = {"T_SUM", "sex=f", 12}, [S_SUM_M] = {"T_SUM", "sex=m", 12},
    [S_AVG] = {"T_AVG", "", 12},        [S_WAVG] = {"T_WAVG", "", 12},
    [S_MIN] = {"T_MIN", "", 12},        [S_MAX] = {"T_MAX", "", 12},
    [S_LAST] = {"T_LAST", "", 12},      [S_COUNT] = {"T_COUNT", "", 12},
    [S_FLAG] = {"T_FLAG", "", 12},      [S_NUM] = {"T_NUM", "", 12},
    [S_DEN] = {"T_DEN", "", 1},         [S_WEEK] = {"T_WEEK", "", 53},
};

#define AT(s, i, p) ((size_t)(i) * (size_t)s_series[s].nper + (size_t)(p)-1)

/* The indicators and the series they hold. */
typedef struct {
    const char *code;
    int agg;
    int series[2];
    int ns;
} s_ind_t;

static const s_ind_t s_inds[] = {
    {"T_SUM", SOCIN_AGG_SUM, {S_SUM_F, S_SUM_M}, 2},
    {"T_AVG", SOCIN_AGG_AVERAGE, {S_AVG}, 1},
    {"T_WAVG", SOCIN_AGG_WAVERAGE, {S_WAVG}, 1},
    {"T_MIN", SOCIN_AGG_MIN, {S_MIN}, 1},
    {"T_MAX", SOCIN_AGG_MAX, {S_MAX}, 1},
    {"T_LAST", SOCIN_AGG_LAST, {S_LAST}, 1},
    {"T_COUNT", SOCIN_AGG_COUNT, {S_COUNT}, 1},
    {"T_FLAG", SOCIN_AGG_COUNT_TRUE, {S_FLAG}, 1},
    {"T_NUM", SOCIN_AGG_SUM, {S_NUM}, 1},
    {"T_DEN", SOCIN_AGG_LAST, {S_DEN}, 1},
    {"T_WEEK", SOCIN_AGG_SUM, {S_WEEK}, 1},
};
#define N_AGGREGATIONS 8 /* the first eight: one per aggregation */

static const s_ind_t *
s_ind (const char *code)
{
    for (size_t k = 0; k < sizeof s_inds / sizeof *s_inds; k++)
        if (!strcmp (s_inds[k].code, code)) return &s_inds[k];
    return NULL;
}

static bool *s_alone;

static void
s_generate_values (void)
{
    s_alone = calloc (s_nmuni, sizeof *s_alone);
    for (size_t i = 0; i < s_nmuni; i++) {
        int n = 0;
        for (size_t j = 0; j < s_nmuni && n < 2; j++)
            n += !strcmp (s_muni[i].orp, s_muni[j].orp);
        s_alone[i] = n == 1;
    }
    for (int s = 0; s < S_N; s++) {
        s_series_t *se = &s_series[s];
        se->v = calloc (s_nmuni * (size_t)se->nper, sizeof *se->v);
        se->has = calloc (s_nmuni * (size_t)se->nper, 1);
        for (size_t i = 0; i < s_nmuni; i++)
            for (int p = 1; p <= se->nper; p++) {
                uint64_t h = s_hash (s_muni[i].code, (unsigned)s + 1, (unsigned)p);
                /* A municipality alone in its ORP (Praha, Brno...) reports everything, so
                   every kraj, okres and ORP row has a figure. */
                int coverage = s_alone[i]    ? 100
                               : s == S_DEN  ? 95
                               : s == S_WEEK ? (i % 10 == 3 ? 90 : 0)
                                             : 85;
                if ((int)(h % 100) >= coverage) continue;
                uint64_t r = h >> 8;
                int64_t v;
                switch (s) {
                case S_SUM_F:
                case S_SUM_M:
                    v = (int64_t)(r % 1000) * SCALE;
                    break;
                case S_AVG:
                    v = ((int64_t)(r % 200001) - 100000) * 10;
                    break;
                case S_WAVG:
                    v = (int64_t)(r % 100000001);
                    break;
                case S_MIN:
                    v = (int64_t)(r % 2000001) - 1000000;
                    break;
                case S_MAX:
                    v = (int64_t)(r % 100000) * SCALE;
                    break;
                case S_LAST:
                    v = (int64_t)(r % 5000) * SCALE;
                    break;
                case S_COUNT:
                    v = (int64_t)(r % 10) * SCALE;
                    break;
                case S_FLAG:
                    v = r % 3 == 0 ? SCALE : 0;
                    break;
                case S_NUM:
                    v = (int64_t)(r % 500) * SCALE;
                    break;
                case S_DEN:
                    v = (int64_t)(1000 + r % 100000) * SCALE;
                    break;
                default:
                    v = (int64_t)(r % 100) * SCALE;
                    break;
                }
                se->v[AT (s, i, p)] = v;
                se->has[AT (s, i, p)] = 1;
            }
    }
}

/* ---- periods, as this test reckons them ---- */

/* The month holding the Thursday of week W of 2026 (2026-01-01 is a Thursday, so the
   Thursday of week W is day 7 (W - 1) of the year, and 2026 is not a leap year). */
static int
s_thursday_month (int w)
{
    static const int starts[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};
    int doy = 7 * (w - 1), m = 0;
    while (m < 12 && doy >= starts[m + 1])
        m++;
    return m + 1;
}

/* The months (or the week) of a queried period of 2026. */
static void
s_months_of (const char *period, int *m0, int *m1, int *week)
{
    size_t n = strlen (period);
    *week = 0;
    *m0 = 1;
    *m1 = 12;
    if (n == 4) return;
    int k = atoi (period + 5);
    if (period[4] == 'S')
        *m0 = 6 * k - 5, *m1 = 6 * k;
    else if (period[4] == 'Q')
        *m0 = 3 * k - 2, *m1 = 3 * k;
    else if (period[4] == 'W')
        *week = k, *m0 = *m1 = 0;
    else
        *m0 = *m1 = atoi (period + 4);
}

/* Period P of series S rolls up into PERIOD (a yearly series: the year that holds it). */
static bool
s_selected (int s, int p, const char *period)
{
    int m0, m1, w;
    s_months_of (period, &m0, &m1, &w);
    if (s_series[s].nper == 1) return true;
    if (s_series[s].nper == 53) {
        if (w) return p == w;
        int m = s_thursday_month (p);
        return m >= m0 && m <= m1;
    }
    return !w && p >= m0 && p <= m1;
}

/* ---- expected figures ---- */

typedef struct {
    uint64_t n, units, units_true;
    socin_sum_t sum, wsum, wden, last;
    int64_t min, max;
} s_exp_t;

/* Everything the series NS of SERIES hold for municipalities in NODE within PERIOD. */
static void
s_expect (const int *series, int ns, const char *node, const char *period, s_exp_t *e)
{
    memset (e, 0, sizeof *e);
    bool sel[2][54];
    for (int k = 0; k < ns; k++)
        for (int p = 1; p <= s_series[series[k]].nper; p++)
            sel[k][p] = s_selected (series[k], p, period);
    for (size_t i = 0; i < s_nmuni; i++) {
        if (!s_in ((int)i, node)) continue;
        bool any = false, truth = false;
        for (int k = 0; k < ns; k++) {
            int s = series[k], latest = 0;
            for (int p = 1; p <= s_series[s].nper; p++) {
                if (!sel[k][p] || !s_series[s].has[AT (s, i, p)]) continue;
                int64_t v = s_series[s].v[AT (s, i, p)];
                if (!e->n || v < e->min) e->min = v;
                if (!e->n || v > e->max) e->max = v;
                e->n++;
                e->sum += v;
                e->wsum += (socin_sum_t)v * (socin_sum_t)s_muni[i].pop;
                e->wden += (socin_sum_t)s_muni[i].pop;
                any = true;
                truth |= v != 0;
                latest = p;
            }
            if (latest) e->last += s_series[s].v[AT (s, i, latest)];
        }
        e->units += any;
        e->units_true += truth;
    }
}

static void
s_dec_text (int64_t v, char *out, size_t len)
{
    char buf[SOCIN_DEC_STRLEN];
    socin_dec_format (v, buf, sizeof buf);
    snprintf (out, len, "%s", buf);
}

static void
s_sum_text (socin_sum_t v, char *out, size_t len)
{
    char buf[SOCIN_DEC_STRLEN];
    socin_sum_format (v, buf, sizeof buf);
    snprintf (out, len, "%s", buf);
}

/* The figure AGG gives for E ("" when there is none). */
static void
s_figure (int agg, const s_exp_t *e, char *out, size_t len)
{
    socin_dec_t v;
    out[0] = 0;
    if (agg == SOCIN_AGG_COUNT) {
        if (e->units) s_dec_text ((int64_t)e->units * SCALE, out, len);
        return;
    }
    if (agg == SOCIN_AGG_COUNT_TRUE) {
        if (e->n) s_dec_text ((int64_t)e->units_true * SCALE, out, len);
        return;
    }
    if (!e->n) return;
    switch (agg) {
    case SOCIN_AGG_SUM:
        s_sum_text (e->sum, out, len);
        break;
    case SOCIN_AGG_AVERAGE:
        if (socin_sum_div (e->sum, (socin_sum_t)e->n, &v) == 0) s_dec_text (v, out, len);
        break;
    case SOCIN_AGG_WAVERAGE:
        if (e->wden && socin_sum_div (e->wsum, e->wden, &v) == 0) s_dec_text (v, out, len);
        break;
    case SOCIN_AGG_MIN:
        s_dec_text (e->min, out, len);
        break;
    case SOCIN_AGG_MAX:
        s_dec_text (e->max, out, len);
        break;
    case SOCIN_AGG_LAST:
        s_sum_text (e->last, out, len);
        break;
    default:
        break;
    }
}

/* ---- the registry ---- */

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
    if (reply && reply->error) fprintf (stderr, "    registry error: %s\n", reply->error->message);
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

/* The test catalogue: one monthly indicator per aggregation (T_SUM by sex), a derived share
   over a yearly denominator, a weekly indicator, two indicators for completeness, their data
   sets, and a group. */
static char *
s_catalogue (size_t *len)
{
    static const char *const inds[][5] = {
        /* code, type, aggregation, period, extra line */
        {"T_SUM", "integer", "sum", "monthly", "dimensions = sex"},
        {"T_AVG", "decimal", "average", "monthly", ""},
        {"T_WAVG", "percentage", "weighted_average", "monthly", ""},
        {"T_MIN", "decimal", "min", "monthly", ""},
        {"T_MAX", "integer", "max", "monthly", ""},
        {"T_LAST", "integer", "last", "monthly", ""},
        {"T_COUNT", "integer", "count", "monthly", ""},
        {"T_FLAG", "boolean", "count_true", "monthly", ""},
        {"T_NUM", "integer", "sum", "monthly", ""},
        {"T_DEN", "integer", "last", "yearly", ""},
        {"T_SHARE", "percentage", "last", "monthly", "formula = T_NUM / T_DEN * 100"},
        {"T_WEEK", "integer", "sum", "weekly", ""},
        {"T_C1", "integer", "sum", "monthly", "range = 0..100000"},
        {"T_C2", "integer", "sum", "monthly", "range = 0..100000"},
    };
    socin_str_t out = SOCIN_STR_INIT;
    for (size_t k = 0; k < sizeof inds / sizeof *inds; k++)
        socin_str_printf (&out,
                          "[indicator %s]\nname_en = Test %s\ntype = %s\naggregation = %s\n"
                          "period = %s\n%s\n\n",
                          inds[k][0], inds[k][0], inds[k][1], inds[k][2], inds[k][3], inds[k][4]);
    socin_str_puts (&out,
                    "[dataset DS_T_MONTHLY]\nname = Test monthly\nperiod = monthly\n"
                    "indicators = T_SUM, T_AVG, T_WAVG, T_MIN, T_MAX, T_LAST, T_COUNT, T_FLAG, "
                    "T_NUM\nterritories = CZ\nlevel = municipality\ndeadline = 30\ntimely = 15\n"
                    "lock = 730\n\n"
                    "[dataset DS_T_YEARLY]\nname = Test yearly\nperiod = yearly\n"
                    "indicators = T_DEN\nterritories = CZ\nlevel = municipality\ndeadline = 90\n"
                    "timely = 60\nlock = 1095\n\n"
                    "[dataset DS_T_WEEKLY]\nname = Test weekly\nperiod = weekly\n"
                    "indicators = T_WEEK\nterritories = CZ\nlevel = municipality\ndeadline = 7\n"
                    "timely = 3\nlock = 730\n\n"
                    "[dataset DS_T_COMP]\nname = Test completeness\nperiod = monthly\n"
                    "indicators = T_C1, T_C2\nterritories = CZ\nlevel = municipality\n"
                    "deadline = 20\ntimely = 15\nlock = 730\n\n");
    socin_str_printf (&out,
                      "[group %s]\nname = Testovací skupina\nkind = cohort\nmembers = ", GROUP);
    for (int k = 0; k < GROUP_SIZE; k++)
        socin_str_printf (&out, "%s%s", k ? ", " : "", s_muni[s_group[k]].code);
    socin_str_puts (&out, "\n");
    *len = out.len;
    return socin_str_take (&out);
}

static bool
s_import_catalogue (void)
{
    size_t len;
    char *text = s_catalogue (&len);
    Socin__V1__ImportCatalogue imp = SOCIN__V1__IMPORT_CATALOGUE__INIT;
    imp.text.data = (uint8_t *)text;
    imp.text.len = len;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_CATALOGUE;
    req.import_catalogue = &imp;
    Socin__V1__RegistryReply *r = s_reg_call (&req);
    bool ok = r && r->changes && r->changes->added == 14 + 4 + 1;
    if (r && r->changes && !ok) fprintf (stderr, "    catalogue: %u added\n", r->changes->added);
    if (r) protobuf_c_message_free_unpacked (&r->base, NULL);
    free (text);
    return ok;
}

static void
s_set_today (const char *day)
{
    setenv ("SOCIN_TODAY", day, 1);
}

static long long
s_stat (const char *key)
{
    char out[4096];
    if (t_ctl (s_reporting->ctl, "stats", out, sizeof out)) return -1;
    return t_field (out, key);
}

/* ---- queries to reporting ---- */

static Socin__V1__ReportReply *
s_report (Socin__V1__ReportRequest *req)
{
    static int n;
    char id[32], err[512];
    snprintf (id, sizeof id, "q%d", ++n);
    req->request_id = id;
    Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)socin_client_call (
        s_analyst, &req->base, &socin__v1__report_reply__descriptor, 60000, err, sizeof err);
    if (!reply) fprintf (stderr, "    report call failed: %s\n", err);
    return reply;
}

static void
s_reply_free (Socin__V1__ReportReply **reply)
{
    if (*reply) protobuf_c_message_free_unpacked (&(*reply)->base, NULL);
    *reply = NULL;
}

static Socin__V1__ReportReply *
s_rollup (const char *indicator, const char *period, int level, const char *under,
          const char *group, const char *disagg)
{
    Socin__V1__RollupQuery q = SOCIN__V1__ROLLUP_QUERY__INIT;
    q.indicator = (char *)indicator;
    q.period = (char *)period;
    q.level = (Socin__V1__Level)level;
    q.under = (char *)(under ? under : "");
    q.group = (char *)(group ? group : "");
    q.disaggregation = (char *)(disagg ? disagg : "");
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
    req.rollup = &q;
    return s_report (&req);
}

static Socin__V1__ReportReply *
s_values_query (const char *indicator, const char *period, const char *under, int level,
                const char *unit, const char *disagg)
{
    Socin__V1__ValuesQuery q = SOCIN__V1__VALUES_QUERY__INIT;
    q.indicator = (char *)indicator;
    q.period = (char *)period;
    q.under = (char *)(under ? under : "");
    q.level = (Socin__V1__Level)level;
    q.unit = (char *)(unit ? unit : "");
    q.disaggregation = (char *)(disagg ? disagg : "");
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_VALUES;
    req.values = &q;
    return s_report (&req);
}

/* The reply holds a table (printing the error otherwise). */
static bool
s_table_ok (const Socin__V1__ReportReply *r, const char *what)
{
    if (r && r->table && !r->error) return true;
    fprintf (stderr, "    %s: no table (%s)\n", what,
             !r         ? "no answer"
             : r->error ? r->error->message
                        : "another body");
    t_case_failed = 1;
    return false;
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

static void
s_check_row (const char *what, const Socin__V1__Row *row, const char *unit, const char *value,
             uint64_t values, uint64_t units)
{
    if (strcmp (row->unit, unit) || strcmp (row->value, value) || row->values != values ||
        row->units != units)
        s_mismatch ("%s: row %s value \"%s\" values %llu units %llu, expected %s \"%s\" %llu %llu",
                    what, row->unit, row->value, (unsigned long long)row->values,
                    (unsigned long long)row->units, unit, value, (unsigned long long)values,
                    (unsigned long long)units);
}

/* Queries the roll-up of IND and checks every row against the figures computed here (over the
   series DISAGG names, or all the indicator's). Returns the rows with a figure. */
static int
s_check_rollup (const char *indicator, const char *period, int level, const char *under,
                const char *group, const char *disagg)
{
    const s_ind_t *ind = s_ind (indicator);
    int series[2] = {ind->series[0], ind->series[1]}, ns = ind->ns;
    if (disagg && *disagg) {
        ns = 0;
        for (int k = 0; k < ind->ns; k++)
            if (!strcmp (s_series[ind->series[k]].disagg, disagg)) series[ns++] = ind->series[k];
    }
    char what[160];
    snprintf (what, sizeof what, "%s %s level %d under %s%s%s", indicator, period, level,
              group   ? group
              : under ? under
                      : "CZ",
              disagg ? " " : "", disagg ? disagg : "");
    Socin__V1__ReportReply *r = s_rollup (indicator, period, level, under, group, disagg);
    int figures = 0;
    if (s_table_ok (r, what)) {
        CHECK_STR (r->table->indicator, indicator);
        CHECK_STR (r->table->period, period);
        CHECK_INT (r->table->aggregation, ind->agg);
        char (*codes)[8] = NULL, one[1][8];
        size_t n;
        if (level)
            n = s_row_codes (level, under, group, &codes);
        else {
            snprintf (one[0], 8, "%s", group ? group : under ? under : "CZ");
            n = 1;
        }
        if (r->table->n_rows != n)
            s_mismatch ("%s: %zu rows, expected %zu", what, r->table->n_rows, n);
        for (size_t k = 0; k < n && k < r->table->n_rows; k++) {
            const char *code = codes ? codes[k] : one[0];
            s_exp_t e;
            char value[64];
            s_expect (series, ns, code, period, &e);
            s_figure (ind->agg, &e, value, sizeof value);
            s_check_row (what, r->table->rows[k], code, value, e.n, e.units);
            CHECK_STR (r->table->rows[k]->period, period);
            figures += *value != 0;
        }
        free (codes);
    }
    s_reply_free (&r);
    return figures;
}

/* ---- a fake ingest, driven by the test over the forwarding protocol ---- */

typedef struct {
    const char *name;
    char cert[400];
    char key[SOCIN_KEY_LEN + 1];
    socin_client_t *conn;
    uint64_t seq; /* the last batch sent */
} s_source_t;

static s_source_t s_bulk = {.name = "BULK"};
static s_source_t s_pipe = {.name = "PIPE"}; /* test_pipelined's */

static bool
s_source_register (s_source_t *src)
{
    zcert_t *cert = zcert_new ();
    snprintf (src->cert, sizeof src->cert, "%s/%s.cert", s_home, src->name);
    snprintf (src->key, sizeof src->key, "%s", zcert_public_txt (cert));
    bool ok =
        zcert_save (cert, src->cert) == 0 && s_put_peer (src->name, src->key, SOCIN_ROLE_INGEST);
    zcert_destroy (&cert);
    return ok;
}

static Socin__V1__ForwardReply *
s_fwd_recv (s_source_t *src, int ms)
{
    char err[512];
    return (Socin__V1__ForwardReply *)socin_client_recv (
        src->conn, &socin__v1__forward_reply__descriptor, ms, err, sizeof err);
}

static void
s_fwd_free (Socin__V1__ForwardReply **r)
{
    if (*r) protobuf_c_message_free_unpacked (&(*r)->base, NULL);
    *r = NULL;
}

/* Connects (again) and says Hello: the Welcome's applied sequence, or -1. */
static long long
s_source_hello (s_source_t *src)
{
    char err[512];
    socin_client_destroy (&src->conn);
    src->conn = socin_client_new (s_forward_ep, s_rep_key, src->cert, 0, err, sizeof err);
    if (!src->conn) {
        fprintf (stderr, "    %s: %s\n", src->name, err);
        return -1;
    }
    Socin__V1__Hello hello = SOCIN__V1__HELLO__INIT;
    hello.source = (char *)src->name;
    hello.last_seq = src->seq;
    Socin__V1__ForwardMessage m = SOCIN__V1__FORWARD_MESSAGE__INIT;
    m.body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_HELLO;
    m.hello = &hello;
    if (socin_client_send (src->conn, &m.base)) return -1;
    Socin__V1__ForwardReply *r = s_fwd_recv (src, 30000);
    long long applied = -1;
    if (r && r->body_case == SOCIN__V1__FORWARD_REPLY__BODY_WELCOME) {
        CHECK_STR (r->welcome->source, src->name);
        CHECK_INT (r->welcome->window, 64);
        applied = (long long)r->welcome->applied_seq;
    } else
        fprintf (stderr, "    %s: no welcome\n", src->name);
    s_fwd_free (&r);
    return applied;
}

static int
s_fwd_batch (s_source_t *src, Socin__V1__ChangeBatch *b)
{
    Socin__V1__ForwardMessage m = SOCIN__V1__FORWARD_MESSAGE__INIT;
    m.body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH;
    m.batch = b;
    return socin_client_send (src->conn, &m.base);
}

/* The next reply that is not a heartbeat (NULL after MS). */
static Socin__V1__ForwardReply *
s_fwd_answer (s_source_t *src, int ms)
{
    for (;;) {
        Socin__V1__ForwardReply *r = s_fwd_recv (src, ms);
        if (!r || r->body_case != SOCIN__V1__FORWARD_REPLY__BODY_HEARTBEAT) return r;
        s_fwd_free (&r);
    }
}

/* Waits for the Ack that covers SEQ. */
static bool
s_wait_ack (s_source_t *src, uint64_t seq)
{
    for (;;) {
        Socin__V1__ForwardReply *r = s_fwd_answer (src, 120000);
        if (!r) {
            fprintf (stderr, "    %s: no ack for %llu\n", src->name, (unsigned long long)seq);
            return false;
        }
        bool ack = r->body_case == SOCIN__V1__FORWARD_REPLY__BODY_ACK;
        uint64_t applied = ack ? r->ack->applied_seq : 0;
        if (!ack)
            fprintf (stderr, "    %s: reply %d while waiting for ack %llu\n", src->name,
                     (int)r->body_case, (unsigned long long)seq);
        s_fwd_free (&r);
        if (!ack) return false;
        if (applied >= seq) return applied == seq;
    }
}

static void
s_batch_init (Socin__V1__ChangeBatch *b, s_source_t *src, uint64_t seq, int64_t ms)
{
    static char ids[64][32];
    socin__v1__change_batch__init (b);
    b->seq = seq;
    snprintf (ids[seq % 64], sizeof ids[0], "%s-%llu", src->name, (unsigned long long)seq);
    b->submission_id = ids[seq % 64];
    b->submitter = "bulk";
    b->submitter_key = src->key;
    b->accepted_ms = ms;
}

static char s_month_txt[13][16], s_week_txt[54][24];

static const char *
s_period_txt (int s, int p)
{
    return s_series[s].nper == 1 ? "2026" : s_series[s].nper == 53 ? s_week_txt[p] : s_month_txt[p];
}

static Socin__V1__ValueChange *s_vc, **s_vcp;

static void
s_vc_set (size_t n, int s, int i, int p, int64_t micros, bool deleted)
{
    Socin__V1__ValueChange *c = &s_vc[n];
    socin__v1__value_change__init (c);
    c->indicator = (char *)s_series[s].indicator;
    c->unit = s_muni[i].code;
    c->period = (char *)s_period_txt (s, p);
    c->disaggregation = (char *)s_series[s].disagg;
    c->value_micros = micros;
    c->deleted = deleted;
    s_vcp[n] = c;
}

/* Sends the first N prepared value changes (and NE events) as the next batch of SRC and waits
   for its Ack. */
static bool
s_send_values (s_source_t *src, size_t n, Socin__V1__ParticipationEvent **events, size_t ne)
{
    Socin__V1__ChangeBatch b;
    s_batch_init (&b, src, src->seq + 1, BULK_MS + (int64_t)(src->seq + 1) * 1000);
    b.values = s_vcp;
    b.n_values = n;
    b.events = events;
    b.n_events = ne;
    if (s_fwd_batch (src, &b)) return false;
    src->seq++;
    return s_wait_ack (src, src->seq);
}

/* ---- events ---- */

typedef struct {
    int muni;
    char id[16], date[12];
    int type;
    uint32_t participants, roma, children;
    bool open, platform, live;
} s_event_t;

static s_event_t s_events[96];
static int s_nevents;

static s_event_t *
s_ev_add (int muni, const char *id, const char *date, int type, uint32_t participants, bool open,
          bool platform)
{
    s_event_t *e = &s_events[s_nevents++];
    memset (e, 0, sizeof *e);
    e->muni = muni;
    snprintf (e->id, sizeof e->id, "%s", id);
    snprintf (e->date, sizeof e->date, "%s", date);
    e->type = type;
    e->participants = participants;
    e->open = open;
    e->platform = platform;
    e->live = true;
    return e;
}

typedef struct {
    Socin__V1__ParticipationEvent pb;
    Socin__V1__GroupParticipants g[2], *gp[2];
} s_pbev_t;

static void
s_event_pb (const s_event_t *e, s_pbev_t *out, bool delete_)
{
    socin__v1__participation_event__init (&out->pb);
    out->pb.event_id = (char *)e->id;
    out->pb.unit = s_muni[e->muni].code;
    out->pb.date = (char *)e->date;
    out->pb.type = (Socin__V1__EventType)e->type;
    out->pb.topic = "housing";
    out->pb.participants = e->participants;
    out->pb.open_to_public = e->open;
    out->pb.platform_includes_vulnerable = e->platform;
    out->pb.delete_ = delete_;
    size_t n = 0;
    const char *names[2] = {"roma", "children"};
    uint32_t counts[2] = {e->roma, e->children};
    for (int k = 0; k < 2; k++) {
        if (!counts[k]) continue;
        socin__v1__group_participants__init (&out->g[n]);
        out->g[n].group = (char *)names[k];
        out->g[n].participants = counts[k];
        out->gp[n] = &out->g[n];
        n++;
    }
    out->pb.vulnerable = out->gp;
    out->pb.n_vulnerable = n;
}

/* Municipalities that hold events (indexes into s_muni), chosen far apart. */
#define Q_UNIT(k)  (7 + 311 * (k))   /* 20 that qualify for CZ0046_PUBLIC */
#define N_UNIT(k)  (100 + 311 * (k)) /* 5 that do not */
#define SY_UNIT(k) (300 + 311 * (k)) /* 6 for CZ0046_SYSTEMATIC, 3 of which qualify */
#define X_UNIT(k)  (200 + (k))       /* 2 with a public event outside the window or late */

/* The events the fake ingest sends (in its last bulk batch). */
static int
s_fake_events (s_pbev_t *out)
{
    int n = 0;
    s_event_t *e =
        s_ev_add (X_UNIT (0), "x-0", "2024-12-31", EVENT (PUBLIC_MEETING), 7, true, false);
    s_event_pb (e, &out[n++], false);
    e = s_ev_add (X_UNIT (1), "x-1", "2026-06-15", EVENT (ROUND_TABLE), 9, true, false);
    s_event_pb (e, &out[n++], false);
    /* SY0-2: four events over two quarters with the platform: they qualify. SY3: one quarter;
       SY4: no platform; SY5: three events. */
    static const char *const dates[4] = {"2026-02-10", "2026-02-20", "2026-05-10", "2026-05-20"};
    static const char *const q1[4] = {"2026-01-10", "2026-01-20", "2026-02-10", "2026-03-10"};
    for (int k = 0; k < 6; k++)
        for (int j = 0; j < (k == 5 ? 3 : 4); j++) {
            char id[32];
            snprintf (id, sizeof id, "sy-%d-%d", k, j);
            e = s_ev_add (SY_UNIT (k), id, k == 3 ? q1[j] : dates[j], EVENT (WORKING_GROUP),
                          12 + (uint32_t)j, false, j == 0 && k != 4);
            e->roma = (uint32_t)j;
            s_event_pb (e, &out[n++], false);
        }
    return n;
}

/* ---- cases: the bulk load ---- */

static size_t s_bulk_values;

static void
test_bulk (void)
{
    long long applied = s_source_hello (&s_bulk);
    CHECK_INT (applied, 0);
    if (applied != 0) return;
    size_t n = 0;
    int batches = 0;
    bool ok = true;
    for (int s = 0; s < S_N && ok; s++)
        for (size_t i = 0; i < s_nmuni && ok; i++)
            for (int p = 1; p <= s_series[s].nper && ok; p++) {
                if (!s_series[s].has[AT (s, i, p)]) continue;
                s_vc_set (n++, s, (int)i, p, s_series[s].v[AT (s, i, p)], false);
                s_bulk_values++;
                if (n == BATCH_MAX) {
                    ok = s_send_values (&s_bulk, n, NULL, 0);
                    batches++;
                    n = 0;
                }
            }
    static s_pbev_t events[40];
    Socin__V1__ParticipationEvent *ep[40];
    int ne = s_fake_events (events);
    for (int k = 0; k < ne; k++)
        ep[k] = &events[k].pb;
    ok = ok && s_send_values (&s_bulk, n, ep, (size_t)ne);
    batches++;
    CHECK (ok);
    CHECK_INT (s_bulk.seq, (uint64_t)batches);
    CHECK (s_bulk_values > 600000);
    CHECK_INT (s_stat ("batches_applied"), batches);
    CHECK_INT (s_stat ("changes_applied"), s_bulk_values + (size_t)ne);
    CHECK_INT (s_stat ("changes_unresolved"), 0);
    char out[4096];
    t_ctl (s_reporting->ctl, "status", out, sizeof out);
    CHECK_INT (t_field (out, "cube_values"), s_bulk_values);
    CHECK_INT (t_field (out, "events"), ne);
}

/* ---- cases: a source that does not wait ---- */

#define PIPE_BATCH 5000
#define S_GROUP_PAGES 200 /* reporting's group_pages here */
#define PIPE_MS    (BULK_MS + 86400000LL)

/* A source sends every batch at once, as an ingest with a backlog does (up to its window):
   reporting reads ahead, decodes the next batches on its decoder thread while it commits, and
   must still apply them in order, each once, refuse bytes that are no ForwardMessage in the
   middle of the stream, and apply what follows them. */
/* The values' leaf pages in the reporting's store, as LMDB counts them (-1 when unreadable). */
static long long
s_store_leaf_pages (void)
{
    char dir[600];
    snprintf (dir, sizeof dir, "%s/reporting", s_home);
    return t_store_leaf_pages (dir, "value_chunks" /* apply.h: REP_VALUES_DB */);
}

/* Reporting runs with group_pages = S_GROUP_PAGES: once the values' tree has more leaf pages
   than that, a transaction takes at most the runs that dirty about that many (intake.h), and
   a batch of PIPE_BATCH scattered values is more runs than that on its own. So each of the
   pipelined batches (logged from offset LOG0 on) was applied alone, however many waited. */
static void
s_check_page_bound (size_t log0)
{
    long long leaf = s_stat ("values_leaf_pages"), bound = s_stat ("group_runs_bound");
    CHECK_INT (leaf, s_store_leaf_pages ());
    CHECK (leaf > S_GROUP_PAGES);
    double p = (double)leaf, want = floor (-p * log1p (-(double)S_GROUP_PAGES / p));
    CHECK_INT (bound, (long long)want);
    CHECK (bound > 0 && bound < PIPE_BATCH);
    int alone,
        groups = t_log_events (s_reporting->log, log0, "batches.applied", "batches=", &alone);
    CHECK (groups > 10);
    CHECK_INT (alone, groups);
}

static void
test_pipelined (void)
{
    long long applied = s_source_hello (&s_pipe);
    CHECK_INT (applied, 0);
    if (applied != 0) return;
    long long batches0 = s_stat ("batches_applied"), changes0 = s_stat ("changes_applied");
    size_t log0 = t_file_size (s_reporting->log);
    static char months[13][16];
    for (int m = 1; m <= 12; m++)
        snprintf (months[m], sizeof months[m], "2024%02d", m);
    /* Every municipality's twelve months of 2024 (a year no other case writes) in batches of
       5,000 values, with 11 bytes of garbage after the eighth batch. */
    size_t total = s_nmuni * 12, nb = (total + PIPE_BATCH - 1) / PIPE_BATCH, k = 0;
    int64_t sum = 0;
    bool sent = true;
    for (size_t b = 0; b < nb; b++) {
        size_t n = 0;
        for (; n < PIPE_BATCH && k < total; n++, k++) {
            int i = (int)(k / 12), p = (int)(k % 12) + 1;
            Socin__V1__ValueChange *c = &s_vc[n];
            socin__v1__value_change__init (c);
            c->indicator = "T_SUM";
            c->unit = s_muni[i].code;
            c->period = months[p];
            c->disaggregation = "sex=f";
            c->value_micros = (int64_t)(i % 997 + p) * SCALE;
            sum += c->value_micros;
            s_vcp[n] = c;
        }
        Socin__V1__ChangeBatch cb;
        s_batch_init (&cb, &s_pipe, s_pipe.seq + 1, PIPE_MS + (int64_t)(s_pipe.seq + 1) * 1000);
        cb.values = s_vcp;
        cb.n_values = n;
        sent &= s_fwd_batch (&s_pipe, &cb) == 0;
        s_pipe.seq++;
        if (b == 7) {
            zframe_t *f = zframe_new ("\xff\xff\xffgarbage", 11);
            sent &= socin_client_send_frame (s_pipe.conn, &f) == 0;
        }
    }
    CHECK (sent);
    CHECK (nb > 10);
    /* Acks only rise, the garbage gets one MALFORMED_MESSAGE, nothing asks for a resend. */
    uint64_t acked = 0;
    int malformed = 0, other = 0;
    bool rising = true;
    while (acked < nb) {
        Socin__V1__ForwardReply *r = s_fwd_answer (&s_pipe, 60000);
        if (!r) break;
        if (r->body_case == SOCIN__V1__FORWARD_REPLY__BODY_ACK) {
            rising &= r->ack->applied_seq > acked;
            acked = r->ack->applied_seq;
        } else if (r->body_case == SOCIN__V1__FORWARD_REPLY__BODY_ERROR &&
                   r->error->code == SOCIN__V1__ERROR_CODE__ERROR_CODE_MALFORMED_MESSAGE)
            malformed++;
        else {
            fprintf (stderr, "    PIPE: reply %d\n", (int)r->body_case);
            other++;
        }
        s_fwd_free (&r);
    }
    CHECK_INT (acked, nb);
    CHECK (rising);
    CHECK_INT (malformed, 1);
    CHECK_INT (other, 0);
    CHECK_INT (s_stat ("batches_applied") - batches0, (long long)nb);
    CHECK_INT (s_stat ("changes_applied") - changes0, (long long)total);
    CHECK_INT (s_stat ("batches_decoding"), 0);
    s_check_page_bound (log0);
    /* The year's national sum is every value sent. */
    char want[64];
    s_dec_text (sum, want, sizeof want);
    Socin__V1__ReportReply *r = s_rollup ("T_SUM", "2024", 0, NULL, NULL, "sex=f");
    if (s_table_ok (r, "T_SUM 2024") && r->table->n_rows == 1)
        CHECK_STR (r->table->rows[0]->value, want);
    else
        CHECK (false);
    s_reply_free (&r);
}

/* ---- cases: roll-ups ---- */

static void
test_aggregations (void)
{
    for (int k = 0; k < N_AGGREGATIONS; k++) {
        CHECK_INT (s_check_rollup (s_inds[k].code, "202603", 0, NULL, NULL, NULL), 1);
        CHECK_INT (s_check_rollup (s_inds[k].code, "202603", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL),
                   14);
        CHECK_INT (s_check_rollup (s_inds[k].code, "202611", SOCIN_LEVEL_KRAJ, "CZ", NULL, NULL),
                   14);
    }
    /* Praha is one municipality: its kraj row is that municipality's own value. */
    Socin__V1__ReportReply *r = s_rollup ("T_MAX", "202603", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL);
    if (s_table_ok (r, "T_MAX kraje") && r->table->n_rows == 14) {
        CHECK_STR (r->table->rows[0]->unit, "CZ010");
        CHECK_STR (r->table->rows[0]->name, "Hlavní město Praha");
        CHECK_INT (r->table->rows[0]->level, SOCIN_LEVEL_KRAJ);
        int praha = s_muni_index ("554782");
        char v[64] = "";
        if (s_series[S_MAX].has[AT (S_MAX, praha, 3)])
            s_dec_text (s_series[S_MAX].v[AT (S_MAX, praha, 3)], v, sizeof v);
        CHECK_STR (r->table->rows[0]->value, v);
    }
    s_reply_free (&r);
}

static void
test_orp_okres (void)
{
    /* Jihomoravský kraj: 21 ORP and 7 okresy; Turnov (5109) spans three okresy. */
    for (int k = 0; k < N_AGGREGATIONS; k++) {
        CHECK_INT (s_check_rollup (s_inds[k].code, "202603", SOCIN_LEVEL_ORP, "CZ064", NULL, NULL),
                   21);
        CHECK_INT (
            s_check_rollup (s_inds[k].code, "202603", SOCIN_LEVEL_OKRES, "CZ064", NULL, NULL), 7);
    }
    CHECK_INT (s_check_rollup ("T_SUM", "2026Q1", SOCIN_LEVEL_OKRES, "CZ051", NULL, NULL), 4);
    CHECK_INT (s_check_rollup ("T_SUM", "2026Q1", 0, "5109", NULL, NULL), 1);
    CHECK (s_check_rollup ("T_AVG", "202607", SOCIN_LEVEL_MUNICIPALITY, "5109", NULL, NULL) > 20);
}

static void
test_periods (void)
{
    static const char *const periods[] = {"2026Q1", "2026Q4", "2026S1", "2026S2", "2026"};
    for (int k = 0; k < N_AGGREGATIONS; k++) {
        for (size_t p = 0; p < sizeof periods / sizeof *periods; p++)
            CHECK_INT (s_check_rollup (s_inds[k].code, periods[p], 0, NULL, NULL, NULL), 1);
        CHECK_INT (s_check_rollup (s_inds[k].code, "2026Q2", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL),
                   14);
        CHECK_INT (s_check_rollup (s_inds[k].code, "2026", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL), 14);
    }
    CHECK_INT (s_check_rollup ("T_LAST", "2026S2", SOCIN_LEVEL_ORP, "CZ080", NULL, NULL), 22);
    /* A yearly indicator for its year; a period finer than the indicator's is refused. */
    CHECK_INT (s_check_rollup ("T_DEN", "2026", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL), 14);
    Socin__V1__ReportReply *r = s_rollup ("T_DEN", "2026Q1", 0, NULL, NULL, NULL);
    CHECK (r && r->error);
    if (r && r->error) {
        CHECK_INT (r->error->code, SOCIN__V1__ERROR_CODE__ERROR_CODE_INVALID_ARGUMENT);
        CHECK_CONTAINS (r->error->message, "finer than T_DEN");
    }
    s_reply_free (&r);
    /* The service does not merely agree with itself: the year's sum is the sum of its
       quarters, each checked above against the input. */
    s_exp_t y, q;
    socin_sum_t quarters = 0;
    static const char *const qs[] = {"2026Q1", "2026Q2", "2026Q3", "2026Q4"};
    for (int k = 0; k < 4; k++) {
        s_expect (s_inds[0].series, 2, "CZ", qs[k], &q);
        quarters += q.sum;
    }
    s_expect (s_inds[0].series, 2, "CZ", "2026", &y);
    CHECK (y.sum == quarters && y.n > 100000);
}

static void
test_weeks (void)
{
    /* 2026W01 (from 2025-12-29) has its Thursday on 1 January; 2026W05 (26 January to
       1 February) on 29 January; 2026W14 (30 March to 5 April) on 2 April. */
    CHECK_INT (s_thursday_month (1), 1);
    CHECK_INT (s_thursday_month (5), 1);
    CHECK_INT (s_thursday_month (14), 4);
    CHECK_INT (s_thursday_month (53), 12);
    static const char *const periods[] = {"2026W01", "2026W14", "202601", "202603", "202604",
                                          "202612",  "2026Q1",  "2026Q2", "2026"};
    for (size_t p = 0; p < sizeof periods / sizeof *periods; p++)
        CHECK_INT (s_check_rollup ("T_WEEK", periods[p], 0, NULL, NULL, NULL), 1);
    CHECK_INT (s_check_rollup ("T_WEEK", "202604", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL), 14);
    /* March holds four weeks (W10-W13), not W14. */
    s_exp_t e;
    int s[1] = {S_WEEK};
    s_expect (s, 1, "CZ", "202603", &e);
    uint64_t weeks = 0;
    for (size_t i = 0; i < s_nmuni; i++)
        for (int w = 10; w <= 13; w++)
            weeks += s_series[S_WEEK].has[AT (S_WEEK, i, w)];
    CHECK_INT (e.n, weeks);
}

/* The expected row of T_SHARE for NODE and PERIOD. */
static void
s_check_share_row (const char *period, const Socin__V1__Row *row, const char *node)
{
    int num[1] = {S_NUM}, den[1] = {S_DEN};
    s_exp_t en, ed;
    s_expect (num, 1, node, period, &en);
    s_expect (den, 1, node, "2026", &ed);
    char n[64] = "", d[64] = "", value[64] = "", what[64];
    socin_dec_t v;
    if (en.n) s_sum_text (en.sum, n, sizeof n);
    if (ed.n) s_sum_text (ed.last, d, sizeof d);
    if (en.n && ed.n && socin_dec_ratio (en.sum, ed.last, 100 * SCALE, &v) == 0)
        s_dec_text (v, value, sizeof value);
    snprintf (what, sizeof what, "T_SHARE %s %s", period, node);
    s_check_row (what, row, node, value, en.n + ed.n, en.units > ed.units ? en.units : ed.units);
    if (strcmp (row->numerator, n) || strcmp (row->denominator, d))
        s_mismatch ("%s: numerator %s denominator %s, expected %s and %s", what, row->numerator,
                    row->denominator, n, d);
}

static void
test_derived (void)
{
    static const char *const periods[] = {"202603", "2026Q1", "2026"};
    for (size_t p = 0; p < sizeof periods / sizeof *periods; p++) {
        Socin__V1__ReportReply *r =
            s_rollup ("T_SHARE", periods[p], SOCIN_LEVEL_KRAJ, NULL, NULL, NULL);
        if (s_table_ok (r, "T_SHARE") && r->table->n_rows == 14)
            for (int k = 0; k < 14; k++)
                s_check_share_row (periods[p], r->table->rows[k], s_kraje[k]);
        else
            CHECK (r && r->table && r->table->n_rows == 14);
        s_reply_free (&r);
    }
    /* For Jihomoravský kraj in March: sum over sum, which is not the mean of the
       municipalities' shares. */
    Socin__V1__ReportReply *r = s_rollup ("T_SHARE", "202603", 0, "CZ064", NULL, NULL);
    if (s_table_ok (r, "T_SHARE CZ064") && r->table->n_rows == 1) {
        s_check_share_row ("202603", r->table->rows[0], "CZ064");
        socin_sum_t shares = 0;
        int64_t count = 0;
        for (size_t i = 0; i < s_nmuni; i++) {
            if (strcmp (s_muni[i].kraj, "CZ064") || !s_series[S_NUM].has[AT (S_NUM, i, 3)] ||
                !s_series[S_DEN].has[AT (S_DEN, i, 1)])
                continue;
            socin_dec_t share;
            if (socin_dec_ratio (s_series[S_NUM].v[AT (S_NUM, i, 3)],
                                 s_series[S_DEN].v[AT (S_DEN, i, 1)], 100 * SCALE, &share) == 0) {
                shares += share;
                count++;
            }
        }
        socin_dec_t mean;
        char text[64] = "";
        if (count && socin_sum_div (shares, count, &mean) == 0)
            s_dec_text (mean, text, sizeof text);
        CHECK (count > 500);
        CHECK (*r->table->rows[0]->value && *text && strcmp (r->table->rows[0]->value, text));
    }
    s_reply_free (&r);
    /* A derived indicator is never listed per unit or by disaggregation. */
    r = s_values_query ("T_SHARE", "202603", "CZ064", 0, NULL, NULL);
    CHECK (r && r->error);
    s_reply_free (&r);
}

static void
test_disaggregation (void)
{
    CHECK_INT (s_check_rollup ("T_SUM", "202603", SOCIN_LEVEL_KRAJ, NULL, NULL, "sex=f"), 14);
    CHECK_INT (s_check_rollup ("T_SUM", "202603", SOCIN_LEVEL_KRAJ, NULL, NULL, "sex=m"), 14);
    CHECK_INT (s_check_rollup ("T_SUM", "2026Q3", 0, NULL, NULL, "sex=f"), 1);
    /* The total is the sum of both, kraj by kraj. */
    Socin__V1__ReportReply *f = s_rollup ("T_SUM", "202603", SOCIN_LEVEL_KRAJ, NULL, NULL, "sex=f");
    Socin__V1__ReportReply *m = s_rollup ("T_SUM", "202603", SOCIN_LEVEL_KRAJ, NULL, NULL, "sex=m");
    Socin__V1__ReportReply *t = s_rollup ("T_SUM", "202603", SOCIN_LEVEL_KRAJ, NULL, NULL, "");
    if (s_table_ok (f, "f") && s_table_ok (m, "m") && s_table_ok (t, "total") &&
        f->table->n_rows == 14 && m->table->n_rows == 14 && t->table->n_rows == 14)
        for (int k = 0; k < 14; k++) {
            CHECK_STR (f->table->rows[k]->disaggregation, "sex=f");
            CHECK_STR (t->table->rows[k]->disaggregation, "");
            CHECK_INT (atoll (f->table->rows[k]->value) + atoll (m->table->rows[k]->value),
                       atoll (t->table->rows[k]->value));
            CHECK_INT (f->table->rows[k]->values + m->table->rows[k]->values,
                       t->table->rows[k]->values);
        }
    s_reply_free (&f);
    s_reply_free (&m);
    s_reply_free (&t);
    /* "*" lists each disaggregation. */
    Socin__V1__ReportReply *r = s_rollup ("T_SUM", "2026", 0, NULL, NULL, "*");
    if (s_table_ok (r, "T_SUM *") && r->table->n_rows == 2) {
        int series[2][1] = {{S_SUM_F}, {S_SUM_M}};
        for (int k = 0; k < 2; k++) {
            s_exp_t e;
            char v[64];
            s_expect (series[k], 1, "CZ", "2026", &e);
            s_figure (SOCIN_AGG_SUM, &e, v, sizeof v);
            CHECK_STR (r->table->rows[k]->disaggregation, k ? "sex=m" : "sex=f");
            s_check_row ("T_SUM * 2026", r->table->rows[k], "CZ", v, e.n, e.units);
        }
    } else
        CHECK (r && r->table && r->table->n_rows == 2);
    s_reply_free (&r);
    /* An option the dimension does not have is refused. */
    r = s_rollup ("T_SUM", "202603", 0, NULL, NULL, "sex=x");
    CHECK (r && r->error && r->error->code == SOCIN__V1__ERROR_CODE__ERROR_CODE_INVALID_ARGUMENT);
    s_reply_free (&r);
}

static void
test_values_query (void)
{
    /* Each municipality of ORP Brno (6203) with a T_AVG value in March. */
    Socin__V1__ReportReply *r = s_values_query ("T_AVG", "202603", "6203", 0, NULL, NULL);
    if (s_table_ok (r, "values T_AVG 6203")) {
        size_t k = 0;
        for (size_t i = 0; i < s_nmuni; i++) {
            if (strcmp (s_muni[i].orp, "6203") || !s_series[S_AVG].has[AT (S_AVG, i, 3)]) continue;
            char v[64];
            s_dec_text (s_series[S_AVG].v[AT (S_AVG, i, 3)], v, sizeof v);
            if (k < r->table->n_rows)
                s_check_row ("values", r->table->rows[k], s_muni[i].code, v, 1, 1);
            k++;
        }
        CHECK_INT (r->table->n_rows, k);
        CHECK (k > 0);
    }
    s_reply_free (&r);
    /* One unit, each disaggregation of a quarter. */
    int brno = s_muni_index ("582786");
    r = s_values_query ("T_SUM", "2026Q1", NULL, 0, "582786", "*");
    if (s_table_ok (r, "values T_SUM Brno *")) {
        size_t k = 0;
        int series[2] = {S_SUM_F, S_SUM_M};
        for (int j = 0; j < 2; j++) {
            s_exp_t e;
            char v[64];
            s_expect (&series[j], 1, "582786", "2026Q1", &e);
            if (!e.n) continue;
            s_figure (SOCIN_AGG_SUM, &e, v, sizeof v);
            if (k < r->table->n_rows) {
                s_check_row ("values Brno", r->table->rows[k], "582786", v, e.n, 1);
                CHECK_STR (r->table->rows[k]->disaggregation, s_series[series[j]].disagg);
            }
            k++;
        }
        CHECK_INT (r->table->n_rows, k);
        CHECK (brno >= 0 && k > 0);
    }
    s_reply_free (&r);
}

static void
test_group (void)
{
    for (int k = 0; k < N_AGGREGATIONS; k++)
        CHECK_INT (s_check_rollup (s_inds[k].code, "2026Q2", 0, NULL, GROUP, NULL), 1);
    CHECK_INT (s_check_rollup ("T_SUM", "2026", SOCIN_LEVEL_MUNICIPALITY, NULL, GROUP, NULL),
               GROUP_SIZE);
    Socin__V1__ReportReply *r = s_rollup ("T_SUM", "2026", 0, NULL, GROUP, NULL);
    if (s_table_ok (r, "group") && r->table->n_rows == 1) {
        CHECK_STR (r->table->rows[0]->unit, GROUP);
        CHECK_STR (r->table->rows[0]->name, "Testovací skupina");
        CHECK_INT (r->table->rows[0]->units, GROUP_SIZE);
    }
    s_reply_free (&r);
    r = s_rollup ("T_SHARE", "2026Q2", 0, NULL, GROUP, NULL);
    if (s_table_ok (r, "group share") && r->table->n_rows == 1)
        s_check_share_row ("2026Q2", r->table->rows[0], GROUP);
    s_reply_free (&r);
}

/* ---- cases: the real pipeline ---- */

/* Completeness of DS_T_COMP for January: each municipality's category from its code.
   0-4: both indicators on time; 5: both late; 6: T_C1 on time, T_C2 late; 7: only T_C1, on
   time; 8: only T_C2, late; 9: nothing. Brno is 0, and its T_C1 is changed twice. */
static int *s_cat;
static int64_t *s_c1, *s_c2;
#define BRNO_V2 1234
#define BRNO_V3 1500

typedef struct {
    Socin__V1__Submission sub;
    Socin__V1__DataValue *v, **vp;
    char (*text)[24];
    size_t cap;
    s_pbev_t *e;
    Socin__V1__ParticipationEvent **ep;
    size_t ecap;
} s_sub_t;

static void
s_sub_init (s_sub_t *b, const char *id, size_t cap, size_t ecap)
{
    memset (b, 0, sizeof *b);
    socin__v1__submission__init (&b->sub);
    b->sub.submission_id = (char *)id;
    b->v = calloc (cap + 1, sizeof *b->v);
    b->vp = calloc (cap + 1, sizeof *b->vp);
    b->text = calloc (cap + 1, sizeof *b->text);
    b->cap = cap;
    b->e = calloc (ecap + 1, sizeof *b->e);
    b->ep = calloc (ecap + 1, sizeof *b->ep);
    b->ecap = ecap;
    b->sub.values = b->vp;
    b->sub.events = b->ep;
}

static void
s_sub_free (s_sub_t *b)
{
    free (b->v);
    free (b->vp);
    free (b->text);
    free (b->e);
    free (b->ep);
}

static void
s_sub_value (s_sub_t *b, const char *indicator, int muni, int64_t units)
{
    if (b->sub.n_values >= b->cap) return;
    size_t n = b->sub.n_values++;
    Socin__V1__DataValue *v = &b->v[n];
    socin__v1__data_value__init (v);
    v->indicator = (char *)indicator;
    v->unit = s_muni[muni].code;
    v->period = "202601";
    snprintf (b->text[n], sizeof b->text[n], "%lld", (long long)units);
    v->value = b->text[n];
    b->vp[n] = v;
}

static void
s_sub_event (s_sub_t *b, const s_event_t *e, bool delete_)
{
    if (b->sub.n_events >= b->ecap) return;
    size_t n = b->sub.n_events++;
    s_event_pb (e, &b->e[n], delete_);
    b->ep[n] = &b->e[n].pb;
}

/* Submits B to the real ingest; true when every item was accepted (or the summary was
   REPLAYED as asked). */
/* The change batches that carried the last submission (its summary's source_seq_first and
   source_seq). */
static uint64_t s_sub_seq_first, s_sub_seq_last;

static bool
s_submit (s_sub_t *b, bool replayed)
{
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = b->sub.submission_id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &b->sub;
    char err[512];
    Socin__V1__IngestReply *reply = (Socin__V1__IngestReply *)socin_client_call (
        s_local, &req.base, &socin__v1__ingest_reply__descriptor, 60000, err, sizeof err);
    bool ok = reply && reply->summary &&
              reply->summary->status == SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_SUCCESS &&
              reply->summary->rejected == 0 && reply->summary->replayed == replayed;
    if (!ok) {
        fprintf (stderr, "    submission %s: %s\n", b->sub.submission_id,
                 !reply                        ? err
                 : !reply->summary             ? "no summary"
                 : reply->summary->n_conflicts ? reply->summary->conflicts[0]->message
                 : reply->summary->error       ? reply->summary->error->message
                                               : "unexpected status");
        t_case_failed = 1;
    }
    s_sub_seq_first = s_sub_seq_last = 0;
    if (reply) {
        if (ok) {
            s_sub_seq_first = reply->summary->source_seq_first;
            s_sub_seq_last = reply->summary->source_seq;
        }
        protobuf_c_message_free_unpacked (&reply->base, NULL);
    }
    return ok;
}

/* The applied sequence of SOURCE in reporting's stamp (-1 when absent). */
static long long
s_applied (const char *source)
{
    Socin__V1__SourcesQuery q = SOCIN__V1__SOURCES_QUERY__INIT;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_SOURCES;
    req.sources = &q;
    Socin__V1__ReportReply *r = s_report (&req);
    long long applied = -1;
    for (size_t i = 0; r && r->stamp && i < r->stamp->n_sources; i++)
        if (!strcmp (r->stamp->sources[i]->source, source))
            applied = (long long)r->stamp->sources[i]->applied_seq;
    s_reply_free (&r);
    return applied;
}

static long long
s_ingest_last (void)
{
    char out[4096];
    if (t_ctl (s_ingest->ctl, "backlog", out, sizeof out)) return -1;
    return t_field (out, "last_seq");
}

static bool
s_forwarded (void *arg)
{
    long long last = s_ingest_last ();
    return last > 0 && s_applied ("REAL") == last;
}

/* Waits until reporting applied everything the real ingest accepted. */
static bool
s_wait_forwarded (void)
{
    if (t_wait_for (s_forwarded, NULL, 30000)) return true;
    fprintf (stderr, "    reporting applied %lld of the ingest's %lld batches\n",
             s_applied ("REAL"), s_ingest_last ());
    return false;
}

static void
s_generate_completeness (void)
{
    s_cat = calloc (s_nmuni, sizeof *s_cat);
    s_c1 = calloc (s_nmuni, sizeof *s_c1);
    s_c2 = calloc (s_nmuni, sizeof *s_c2);
    for (size_t i = 0; i < s_nmuni; i++) {
        s_cat[i] = (int)(s_hash (s_muni[i].code, 77, 1) % 10);
        s_c1[i] = (int64_t)(s_hash (s_muni[i].code, 101, 1) % 1000);
        s_c2[i] = (int64_t)(s_hash (s_muni[i].code, 102, 1) % 500);
    }
    s_cat[s_muni_index ("582786")] = 0;
}

/* The real ingest's batch_values, and the change batches that carried Brno's three T_C1
   values of 202601 (set by test_pipeline, read by test_history). */
/* Where the ingest puts UNIT's INDICATOR among B's values: it forwards them in key order
   (valuekey.h: unit, period, indicator; B's values share one period, and municipality codes
   all have six digits). */
static size_t
s_key_position (const s_sub_t *b, const char *unit, const char *indicator)
{
    size_t before = 0;
    for (size_t i = 0; i < b->sub.n_values; i++) {
        int c = strcmp (b->v[i].unit, unit);
        if (c < 0 || (c == 0 && strcmp (b->v[i].indicator, indicator) < 0)) before++;
    }
    return before;
}

#define BATCH_VALUES      5000
#define BATCH_VALUES_TEXT "5000"
static uint64_t s_brno_seqs[3];
static long long s_real_batches; /* all the change batches the real ingest sent */

static void
test_pipeline (void)
{
    /* On time: submitted on 2026-02-05. */
    int brno = s_muni_index ("582786");
    s_sub_t b;
    s_sub_init (&b, "ontime", 2 * s_nmuni, 0);
    for (size_t i = 0; i < s_nmuni; i++) {
        if (s_cat[i] <= 4 || s_cat[i] == 6 || s_cat[i] == 7)
            s_sub_value (&b, "T_C1", (int)i, s_c1[i]);
        if (s_cat[i] <= 4) s_sub_value (&b, "T_C2", (int)i, s_c2[i]);
    }
    size_t ontime = b.sub.n_values, brno_at = s_key_position (&b, s_muni[brno].code, "T_C1");
    s_submit (&b, false);
    s_sub_free (&b);
    /* The ingest forwards at most BATCH_VALUES values per change batch: this submission goes
       in several, its summary naming the first and the last. */
    uint64_t nontime = (ontime + BATCH_VALUES - 1) / BATCH_VALUES;
    CHECK (nontime >= 2);
    CHECK_INT (s_sub_seq_first, 1);
    CHECK_INT (s_sub_seq_last, nontime);
    s_brno_seqs[0] = 1 + brno_at / BATCH_VALUES;
    s_sub_init (&b, "hist-2", 1, 0);
    s_sub_value (&b, "T_C1", brno, BRNO_V2);
    s_submit (&b, false);
    s_sub_free (&b);
    CHECK_INT (s_sub_seq_first, nontime + 1);
    CHECK_INT (s_sub_seq_last, nontime + 1);
    s_brno_seqs[1] = nontime + 1;
    /* The events of January. */
    s_sub_init (&b, "ev-1", 0, 40);
    for (int k = 0; k < 19; k++) {
        char id[32], date[32];
        snprintf (id, sizeof id, "q-%d", k);
        snprintf (date, sizeof date, "2026-01-%02d", 5 + k);
        s_event_t *e = s_ev_add (Q_UNIT (k), id, date, 1 + k % 4, 10 + (uint32_t)k, true, false);
        e->roma = (uint32_t)(k % 4);
        e->children = 1;
        s_sub_event (&b, e, false);
        if (k == 1 || k == 2) {
            snprintf (id, sizeof id, "q-%d-b", k);
            s_sub_event (
                &b, s_ev_add (Q_UNIT (k), id, "2026-01-30", EVENT (SURVEY), 5, true, false), false);
        }
    }
    s_sub_event (&b, s_ev_add (N_UNIT (0), "n-0", "2026-01-10", EVENT (SURVEY), 30, true, false),
                 false);
    s_sub_event (
        &b, s_ev_add (N_UNIT (1), "n-1", "2026-01-11", EVENT (ROUND_TABLE), 8, false, true), false);
    s_sub_event (
        &b, s_ev_add (N_UNIT (2), "n-2", "2026-01-12", EVENT (FAMILY_INTERVIEWS), 3, true, false),
        false);
    s_sub_event (
        &b, s_ev_add (N_UNIT (3), "n-3", "2026-01-13", EVENT (PUBLIC_MEETING), 50, true, false),
        false);
    s_event_t *n4 =
        s_ev_add (N_UNIT (4), "n-4", "2026-01-20", EVENT (PUBLIC_MEETING), 40, true, false);
    s_sub_event (&b, n4, false);
    s_submit (&b, false);
    s_sub_free (&b);
    CHECK (s_wait_forwarded ());
    CHECK_INT (s_ingest_last (), nontime + 2);

    /* Late: the ingest restarted on 2026-03-20. */
    CHECK_INT (t_stop (s_ingest), 0);
    s_set_today (DAY_LATE);
    CHECK_INT (t_restart (s_ingest), 0);
    s_set_today (DAY_REPORTING);
    s_sub_init (&b, "late", 2 * s_nmuni, 0);
    for (size_t i = 0; i < s_nmuni; i++) {
        if (s_cat[i] == 5) s_sub_value (&b, "T_C1", (int)i, s_c1[i]);
        if (s_cat[i] == 5 || s_cat[i] == 6 || s_cat[i] == 8)
            s_sub_value (&b, "T_C2", (int)i, s_c2[i]);
    }
    s_sub_value (&b, "T_C1", brno, BRNO_V3);
    size_t late = b.sub.n_values;
    brno_at = s_key_position (&b, s_muni[brno].code, "T_C1");
    s_submit (&b, false);
    s_sub_free (&b);
    uint64_t nlate = (late + BATCH_VALUES - 1) / BATCH_VALUES;
    CHECK_INT (s_sub_seq_first, nontime + 3);
    CHECK_INT (s_sub_seq_last, nontime + 2 + nlate);
    s_brno_seqs[2] = nontime + 3 + brno_at / BATCH_VALUES;
    s_sub_init (&b, "ev-2", 0, 4);
    s_event_t *q19 =
        s_ev_add (Q_UNIT (19), "q-19", "2026-03-10", EVENT (PUBLIC_MEETING), 29, true, false);
    q19->roma = 2;
    s_sub_event (&b, q19, false);
    for (int k = 0; k < s_nevents; k++)
        if (!strcmp (s_events[k].id, "n-3")) {
            s_sub_event (&b, &s_events[k], true);
            s_events[k].live = false;
        }
    n4->open = false;
    n4->participants = 41;
    s_sub_event (&b, n4, false);
    s_submit (&b, false);
    s_sub_free (&b);
    CHECK (s_wait_forwarded ());
    s_real_batches = (long long)(nontime + nlate + 3);
    CHECK_INT (s_ingest_last (), s_real_batches);
    CHECK (ontime > 6000 && late > 1000);
    s_c1[brno] = BRNO_V3;

    /* The figures of T_C1 and T_C2 as they arrived through the ingest. */
    for (int k = 0; k < 2; k++) {
        Socin__V1__ReportReply *r =
            s_rollup (k ? "T_C2" : "T_C1", "202601", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL);
        if (s_table_ok (r, "T_C") && r->table->n_rows == 14)
            for (int j = 0; j < 14; j++) {
                socin_sum_t sum = 0;
                uint64_t n = 0;
                for (size_t i = 0; i < s_nmuni; i++) {
                    bool has = k ? s_cat[i] <= 6 || s_cat[i] == 8 : s_cat[i] <= 7;
                    if (!has || strcmp (s_muni[i].kraj, s_kraje[j])) continue;
                    sum += (k ? s_c2[i] : s_c1[i]) * SCALE;
                    n++;
                }
                char v[64];
                s_sum_text (sum, v, sizeof v);
                s_check_row (k ? "T_C2" : "T_C1", r->table->rows[j], s_kraje[j], v, n, n);
            }
        else
            CHECK (r && r->table && r->table->n_rows == 14);
        s_reply_free (&r);
    }
}

static void
s_check_completeness_row (const Socin__V1__CompletenessRow *row, const char *node)
{
    uint32_t expected = 0, complete = 0, on_time = 0, partial = 0;
    size_t nmissing = 0;
    char **missing = calloc (s_nmuni + 1, sizeof *missing);
    for (size_t i = 0; i < s_nmuni; i++) {
        if (!s_in ((int)i, node)) continue;
        int c = s_cat[i];
        expected++;
        complete += c <= 6;
        on_time += c <= 4;
        partial += c <= 8;
        if (c == 9) missing[nmissing++] = s_muni[i].code;
    }
    if (strcmp (row->unit, node) || row->expected != expected || row->complete != complete ||
        row->on_time != on_time || row->partial != partial)
        s_mismatch ("completeness %s: %u/%u/%u/%u, expected %s %u/%u/%u/%u", row->unit,
                    row->expected, row->complete, row->on_time, row->partial, node, expected,
                    complete, on_time, partial);
    CHECK_INT (row->n_missing, nmissing);
    if (row->n_missing == nmissing) {
        /* In code order, as the test's own list is. */
        for (size_t k = 0; k < nmissing; k++)
            if (strcmp (row->missing[k], missing[k]))
                s_mismatch ("completeness %s: missing %s, expected %s", node, row->missing[k],
                            missing[k]);
    }
    if (expected > 100)
        CHECK (expected > complete && complete > on_time && partial > complete && nmissing > 0);
    free (missing);
}

static Socin__V1__ReportReply *
s_completeness (const char *dataset, const char *period, int level, const char *under)
{
    Socin__V1__CompletenessQuery q = SOCIN__V1__COMPLETENESS_QUERY__INIT;
    q.dataset = (char *)dataset;
    q.period = (char *)period;
    q.level = (Socin__V1__Level)level;
    q.under = (char *)(under ? under : "");
    q.list_missing = true;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS;
    req.completeness = &q;
    return s_report (&req);
}

static void
test_completeness (void)
{
    Socin__V1__ReportReply *r = s_completeness ("DS_T_COMP", "202601", SOCIN_LEVEL_KRAJ, NULL);
    CHECK (r && r->completeness);
    if (r && r->completeness) {
        CHECK_STR (r->completeness->dataset, "DS_T_COMP");
        CHECK_STR (r->completeness->period, "202601");
        CHECK_STR (r->completeness->due, "2026-02-20");
        CHECK_STR (r->completeness->timely_until, "2026-02-15");
        CHECK_INT (r->completeness->n_rows, 14);
        for (size_t k = 0; k < r->completeness->n_rows && k < 14; k++)
            s_check_completeness_row (r->completeness->rows[k], s_kraje[k]);
    }
    s_reply_free (&r);
    r = s_completeness ("DS_T_COMP", "202601", 0, NULL);
    if (r && r->completeness && r->completeness->n_rows == 1) {
        s_check_completeness_row (r->completeness->rows[0], "CZ");
        CHECK_INT (r->completeness->rows[0]->expected, 6258);
    } else
        CHECK (r && r->completeness && r->completeness->n_rows == 1);
    s_reply_free (&r);
    /* February: nobody reported. */
    r = s_completeness ("DS_T_COMP", "202602", 0, "CZ064");
    if (r && r->completeness && r->completeness->n_rows == 1) {
        CHECK_INT (r->completeness->rows[0]->expected, 673);
        CHECK_INT (r->completeness->rows[0]->partial, 0);
        CHECK_INT (r->completeness->rows[0]->n_missing, 673);
    } else
        CHECK (r && r->completeness && r->completeness->n_rows == 1);
    s_reply_free (&r);
}

static void
s_day_text (int64_t ms, char *out, size_t len)
{
    char buf[SOCIN_DATE_STRLEN];
    socin_date_format ((int32_t)(ms / 86400000), buf, sizeof buf);
    snprintf (out, len, "%s", buf);
}

static void
test_history (void)
{
    int brno = s_muni_index ("582786");
    Socin__V1__HistoryQuery q = SOCIN__V1__HISTORY_QUERY__INIT;
    q.indicator = "T_C1";
    q.unit = "582786";
    q.period = "202601";
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_HISTORY;
    req.history = &q;
    Socin__V1__ReportReply *r = s_report (&req);
    CHECK (r && r->history);
    if (r && r->history) {
        Socin__V1__ValueHistory *h = r->history;
        char v1[32], v2[32], v3[32], day[16];
        snprintf (v1, sizeof v1, "%lld", (long long)(s_hash (s_muni[brno].code, 101, 1) % 1000));
        snprintf (v2, sizeof v2, "%d", BRNO_V2);
        snprintf (v3, sizeof v3, "%d", BRNO_V3);
        CHECK_STR (h->current, v3);
        CHECK_INT (h->n_entries, 3);
        const char *olds[3] = {"", v1, v2}, *news[3] = {v1, v2, v3};
        const char *subs[3] = {"ontime", "hist-2", "late"};
        const char *days[3] = {DAY_ONTIME, DAY_ONTIME, DAY_LATE};
        const uint64_t *seqs = s_brno_seqs;
        for (size_t k = 0; k < h->n_entries && k < 3; k++) {
            Socin__V1__HistoryEntry *e = h->entries[k];
            CHECK_STR (e->old_value, olds[k]);
            CHECK_STR (e->new_value, news[k]);
            CHECK_STR (e->submission_id, subs[k]);
            CHECK_STR (e->submitter, "local");
            CHECK_STR (e->source, "REAL");
            CHECK_INT (e->source_seq, seqs[k]);
            CHECK (!e->deleted);
            s_day_text (e->changed_ms, day, sizeof day);
            CHECK_STR (day, days[k]);
        }
    }
    s_reply_free (&r);
    /* A key never written has an empty history. */
    q.unit = "554782";
    q.period = "202602";
    r = s_report (&req);
    CHECK (r && r->history && r->history->n_entries == 0 && !*r->history->current);
    s_reply_free (&r);
}

/* Expected participation of NODE in [FROM, TO]. */
static void
s_check_participation_row (const Socin__V1__ParticipationRow *row, const char *node,
                           const char *from, const char *to, int type)
{
    uint64_t events = 0, participants = 0, roma = 0, children = 0, munis = 0;
    int seen[96];
    for (int k = 0; k < s_nevents; k++) {
        const s_event_t *e = &s_events[k];
        if (!e->live || strcmp (e->date, from) < 0 || strcmp (e->date, to) > 0 ||
            !s_in (e->muni, node) || (type && e->type != type))
            continue;
        events++;
        participants += e->participants;
        roma += e->roma;
        children += e->children;
        bool dup = false;
        for (uint64_t j = 0; j < munis && !dup; j++)
            dup = seen[j] == e->muni;
        if (!dup) seen[munis++] = e->muni;
    }
    bool groups = row->n_vulnerable == 6 && !strcmp (row->vulnerable[0]->group, "roma") &&
                  !strcmp (row->vulnerable[2]->group, "children");
    if (strcmp (row->unit, node) || row->events != events || row->participants != participants ||
        row->municipalities != munis || !groups || row->vulnerable[0]->participants != roma ||
        row->vulnerable[2]->participants != children || (int)row->type != type)
        s_mismatch ("participation %s type %d: %llu events %llu participants %llu municipalities, "
                    "expected %s %llu %llu %llu (roma %llu, children %llu)",
                    row->unit, (int)row->type, (unsigned long long)row->events,
                    (unsigned long long)row->participants, (unsigned long long)row->municipalities,
                    node, (unsigned long long)events, (unsigned long long)participants,
                    (unsigned long long)munis, (unsigned long long)roma,
                    (unsigned long long)children);
}

static Socin__V1__ReportReply *
s_participation (const char *period, int level, const char *under, bool by_type)
{
    Socin__V1__ParticipationQuery q = SOCIN__V1__PARTICIPATION_QUERY__INIT;
    q.period = (char *)period;
    q.level = (Socin__V1__Level)level;
    q.under = (char *)(under ? under : "");
    q.by_type = by_type;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PARTICIPATION;
    req.participation = &q;
    return s_report (&req);
}

static void
test_participation (void)
{
    Socin__V1__ReportReply *r = s_participation ("2026Q1", SOCIN_LEVEL_KRAJ, NULL, false);
    CHECK (r && r->participation && r->participation->n_rows == 14);
    uint64_t total = 0;
    for (size_t k = 0; r && r->participation && k < r->participation->n_rows && k < 14; k++) {
        s_check_participation_row (r->participation->rows[k], s_kraje[k], "2026-01-01",
                                   "2026-03-31", 0);
        total += r->participation->rows[k]->events;
    }
    CHECK (total > 30);
    s_reply_free (&r);
    r = s_participation ("2026", 0, NULL, true);
    CHECK (r && r->participation && r->participation->n_rows == 6);
    for (size_t k = 0; r && r->participation && k < r->participation->n_rows && k < 6; k++)
        s_check_participation_row (r->participation->rows[k], "CZ", "2026-01-01", "2026-12-31",
                                   (int)k + 1);
    s_reply_free (&r);
    r = s_participation ("202605", 0, "CZ", false);
    if (r && r->participation && r->participation->n_rows == 1)
        s_check_participation_row (r->participation->rows[0], "CZ", "2026-05-01", "2026-05-31", 0);
    else
        CHECK (r && r->participation && r->participation->n_rows == 1);
    s_reply_free (&r);
}

/* The municipalities qualifying for the default CZ0046 targets as of AS_OF, sorted. */
static size_t
s_qualifying (bool systematic, const char *as_of, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < s_nmuni; i++) {
        int count = 0, quarters = 0;
        bool platform = false, ok = false;
        for (int k = 0; k < s_nevents; k++) {
            const s_event_t *e = &s_events[k];
            if (e->muni != (int)i || !e->live || strcmp (e->date, "2025-01-01") < 0 ||
                strcmp (e->date, as_of) > 0 || strcmp (e->date, "2028-12-31") > 0)
                continue;
            platform |= e->platform;
            int month = atoi (e->date + 5), year = atoi (e->date);
            quarters |= 1 << ((year - 2025) * 4 + (month - 1) / 3);
            count++;
            ok |= e->type >= EVENT (PUBLIC_MEETING) && e->type <= EVENT (WORKING_GROUP) && e->open;
        }
        if (systematic) ok = count >= 4 && __builtin_popcount ((unsigned)quarters) >= 2 && platform;
        if (ok) out[n++] = s_muni[i].code;
    }
    return n;
}

static void
s_check_target (const char *code, const char *as_of, uint32_t current, bool met)
{
    Socin__V1__TargetProgressQuery q = SOCIN__V1__TARGET_PROGRESS_QUERY__INIT;
    q.code = (char *)code;
    q.as_of = (char *)(as_of ? as_of : "");
    q.list_units = true;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_TARGETS;
    req.targets = &q;
    Socin__V1__ReportReply *r = s_report (&req);
    CHECK (r && r->targets && r->targets->n_targets == 1);
    if (r && r->targets && r->targets->n_targets == 1) {
        Socin__V1__TargetProgress *t = r->targets->targets[0];
        const char *want[96];
        bool systematic = !strcmp (code, "CZ0046_SYSTEMATIC");
        size_t n = s_qualifying (systematic, as_of ? as_of : DAY_REPORTING, want);
        CHECK_INT (n, current); /* the test's own event plan */
        CHECK_STR (t->code, code);
        CHECK_STR (t->commitment, "OGP CZ0046");
        CHECK_INT (t->threshold, systematic ? 6 : 20);
        CHECK_STR (t->window_from, "2025-01-01");
        CHECK_STR (t->window_to, "2028-12-31");
        CHECK_STR (t->deadline, "2028-12-31");
        CHECK_INT (t->current, n);
        CHECK_INT (t->met, met);
        CHECK_INT (t->n_units, n);
        CHECK_INT (t->n_unit_names, n);
        for (size_t k = 0; k < n && k < t->n_units; k++) {
            CHECK_STR (t->units[k], want[k]);
            CHECK_STR (t->unit_names[k], s_muni[s_muni_index (want[k])].name);
        }
    }
    s_reply_free (&r);
}

static void
test_targets (void)
{
    /* 19 municipalities held a public event by March 1; the 20th on March 10; one more on
       June 15 (counted by today, 2026-12-31). Deleted, non-public, excluded types and events
       before the window do not count. */
    s_check_target ("CZ0046_PUBLIC", "2026-03-01", 19, false);
    s_check_target ("CZ0046_PUBLIC", "2026-03-31", 20, true);
    s_check_target ("CZ0046_PUBLIC", NULL, 21, true);
    s_check_target ("CZ0046_SYSTEMATIC", NULL, 3, false);
    s_check_target ("CZ0046_SYSTEMATIC", "2026-04-30", 0, false);
    Socin__V1__TargetProgressQuery q = SOCIN__V1__TARGET_PROGRESS_QUERY__INIT;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_TARGETS;
    req.targets = &q;
    Socin__V1__ReportReply *r = s_report (&req);
    CHECK (r && r->targets && r->targets->n_targets == 2);
    if (r && r->targets && r->targets->n_targets == 2) {
        CHECK_INT (r->targets->targets[0]->current, 21);
        CHECK_INT (r->targets->targets[0]->n_units, 0);
    }
    s_reply_free (&r);
}

/* ---- cases: exactly once ---- */

/* The bodies of a set of answers, packed: two calls give equal bytes when nothing changed. */
static char *
s_answers (size_t *len)
{
    socin_str_t out = SOCIN_STR_INIT;
    Socin__V1__ReportReply *r[8];
    r[0] = s_rollup ("T_SUM", "2026", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL);
    r[1] = s_rollup ("T_MIN", "202603", SOCIN_LEVEL_ORP, "CZ064", NULL, NULL);
    r[2] = s_rollup ("T_LAST", "2026Q1", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL);
    r[3] = s_rollup ("T_SHARE", "2026", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL);
    r[4] = s_rollup ("T_WAVG", "2026S1", SOCIN_LEVEL_OKRES, NULL, NULL, NULL);
    r[5] = s_completeness ("DS_T_COMP", "202601", SOCIN_LEVEL_KRAJ, NULL);
    r[6] = s_participation ("2026", SOCIN_LEVEL_KRAJ, NULL, true);
    r[7] = s_values_query ("T_C1", "202601", "CZ064", 0, NULL, NULL);
    for (int k = 0; k < 8; k++) {
        if (!r[k] || r[k]->error) {
            socin_str_printf (&out, "[answer %d missing]", k);
            s_reply_free (&r[k]);
            continue;
        }
        if (r[k]->stamp) protobuf_c_message_free_unpacked (&r[k]->stamp->base, NULL);
        r[k]->stamp = NULL;
        free (r[k]->request_id);
        r[k]->request_id = NULL;
        size_t n = socin__v1__report_reply__get_packed_size (r[k]);
        uint8_t *buf = malloc (n + 1);
        socin__v1__report_reply__pack (r[k], buf);
        socin_str_append (&out, (const char *)buf, n);
        free (buf);
        s_reply_free (&r[k]);
    }
    *len = out.len;
    return socin_str_take (&out);
}

static bool
s_same_answers (const char *before, size_t len)
{
    size_t n;
    char *now = s_answers (&n);
    bool same = n == len && !memcmp (now, before, n);
    free (now);
    return same;
}

static void
test_replay (void)
{
    /* The ingest answers a resent submission from its store and forwards nothing. */
    size_t len;
    char *before = s_answers (&len);
    long long last = s_ingest_last ();
    s_sub_t b;
    s_sub_init (&b, "hist-2", 1, 0);
    s_sub_value (&b, "T_C1", s_muni_index ("582786"), BRNO_V2);
    CHECK (s_submit (&b, true));
    s_sub_free (&b);
    CHECK_INT (s_ingest_last (), last);
    CHECK (s_wait_forwarded ());
    CHECK_INT (s_applied ("REAL"), last);
    CHECK (s_same_answers (before, len));
    free (before);
}

static void
test_duplicate (void)
{
    size_t len;
    char *before = s_answers (&len);
    long long dups = s_stat ("batches_duplicate");
    /* Sequence 2 again, as 100,000 other values accepted later than any: applied, it would
       change every figure; it is acknowledged with the applied sequence and changes nothing. */
    size_t n = 0;
    for (int s = 0; s < S_N && n < BATCH_MAX; s++)
        for (size_t i = 0; i < s_nmuni && n < BATCH_MAX; i++)
            for (int p = 1; p <= s_series[s].nper && n < BATCH_MAX; p++)
                if (s_series[s].has[AT (s, i, p)])
                    s_vc_set (n++, s, (int)i, p, 12345 * SCALE, false);
    Socin__V1__ChangeBatch b;
    s_batch_init (&b, &s_bulk, 2, BULK_MS + 999999);
    b.values = s_vcp;
    b.n_values = n;
    CHECK_INT (s_fwd_batch (&s_bulk, &b), 0);
    Socin__V1__ForwardReply *r = s_fwd_answer (&s_bulk, 60000);
    CHECK (r && r->body_case == SOCIN__V1__FORWARD_REPLY__BODY_ACK);
    if (r && r->ack) CHECK_INT (r->ack->applied_seq, s_bulk.seq);
    s_fwd_free (&r);
    /* The last sequence applied, twice more. */
    b.seq = s_bulk.seq;
    b.n_values = 10;
    for (int k = 0; k < 2; k++) {
        CHECK_INT (s_fwd_batch (&s_bulk, &b), 0);
        r = s_fwd_answer (&s_bulk, 60000);
        CHECK (r && r->ack && r->ack->applied_seq == s_bulk.seq);
        s_fwd_free (&r);
    }
    CHECK_INT (s_stat ("batches_duplicate"), dups + 3);
    CHECK_INT (s_applied ("BULK"), s_bulk.seq);
    CHECK (s_same_answers (before, len));
    free (before);
}

static void
test_gap (void)
{
    size_t len;
    char *before = s_answers (&len);
    long long gaps = s_stat ("batches_gap");
    s_vc_set (0, S_SUM_F, 0, 1, 777 * SCALE, false);
    Socin__V1__ChangeBatch b;
    s_batch_init (&b, &s_bulk, s_bulk.seq + 2, BULK_MS + 888888);
    b.values = s_vcp;
    b.n_values = 1;
    CHECK_INT (s_fwd_batch (&s_bulk, &b), 0);
    Socin__V1__ForwardReply *r = s_fwd_answer (&s_bulk, 60000);
    CHECK (r && r->body_case == SOCIN__V1__FORWARD_REPLY__BODY_RESEND);
    if (r && r->resend) CHECK_INT (r->resend->from_seq, s_bulk.seq + 1);
    s_fwd_free (&r);
    CHECK_INT (s_stat ("batches_gap"), gaps + 1);
    CHECK_INT (s_applied ("BULK"), s_bulk.seq);
    CHECK (s_same_answers (before, len));
    free (before);
}

/* Finds the municipality of KRAJ holding the smallest (or largest) value of S in month P. */
static int
s_extreme (int s, const char *kraj, int p, bool largest)
{
    int best = -1;
    for (size_t i = 0; i < s_nmuni; i++) {
        if ((kraj && strcmp (s_muni[i].kraj, kraj)) || !s_series[s].has[AT (s, i, p)]) continue;
        int64_t v = s_series[s].v[AT (s, i, p)];
        if (best < 0 ||
            (largest ? v > s_series[s].v[AT (s, best, p)] : v < s_series[s].v[AT (s, best, p)]))
            best = (int)i;
    }
    return best;
}

/* Changes value (S, I, P) in the test's copy and prepares it as change N. */
static void
s_change (size_t n, int s, int i, int p, bool present, int64_t v)
{
    s_series[s].has[AT (s, i, p)] = present;
    s_series[s].v[AT (s, i, p)] = present ? v : 0;
    s_vc_set (n, s, i, p, present ? v : 0, !present);
}

static void
s_check_updates (void)
{
    static const char *const inds[] = {"T_MIN", "T_MAX", "T_LAST", "T_FLAG", "T_SUM", "T_AVG"};
    for (size_t k = 0; k < sizeof inds / sizeof *inds; k++) {
        CHECK_INT (s_check_rollup (inds[k], "202603", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL), 14);
        CHECK_INT (s_check_rollup (inds[k], "2026Q1", 0, NULL, NULL, NULL), 1);
        CHECK (s_check_rollup (inds[k], "202603", SOCIN_LEVEL_ORP, "CZ064", NULL, NULL) >= 20);
    }
    CHECK_INT (s_check_rollup ("T_SUM", "202603", SOCIN_LEVEL_KRAJ, NULL, NULL, "sex=f"), 14);
    Socin__V1__ReportReply *r = s_rollup ("T_SHARE", "2026", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL);
    if (s_table_ok (r, "T_SHARE") && r->table->n_rows == 14)
        for (int k = 0; k < 14; k++)
            s_check_share_row ("2026", r->table->rows[k], s_kraje[k]);
    s_reply_free (&r);
}

static void
test_update_batch (void)
{
    size_t n = 0;
    /* The smallest T_MIN of Jihomoravský kraj in March rises (its cells recount), the
       largest T_MAX of the country goes (deleted), a municipality's latest T_LAST of the
       first quarter goes (the quarter falls back to February), a true T_FLAG turns false,
       100 T_SUM values for women change, a T_DEN changes, a T_AVG appears. */
    int lo = s_extreme (S_MIN, "CZ064", 3, false), hi = s_extreme (S_MAX, NULL, 3, true);
    s_change (n++, S_MIN, lo, 3, true, 999999);
    s_change (n++, S_MAX, hi, 3, false, 0);
    int last = -1, flag = -1, avg = -1;
    for (size_t i = 0; i < s_nmuni && (last < 0 || flag < 0 || avg < 0); i++) {
        if (last < 0 && s_series[S_LAST].has[AT (S_LAST, i, 3)] &&
            s_series[S_LAST].has[AT (S_LAST, i, 2)] && !strcmp (s_muni[i].kraj, "CZ064"))
            last = (int)i;
        if (flag < 0 && s_series[S_FLAG].has[AT (S_FLAG, i, 3)] &&
            s_series[S_FLAG].v[AT (S_FLAG, i, 3)] && !s_series[S_FLAG].v[AT (S_FLAG, i, 1)] &&
            !s_series[S_FLAG].v[AT (S_FLAG, i, 2)])
            flag = (int)i;
        if (avg < 0 && !s_series[S_AVG].has[AT (S_AVG, i, 3)] && !strcmp (s_muni[i].kraj, "CZ064"))
            avg = (int)i;
    }
    CHECK (lo >= 0 && hi >= 0 && last >= 0 && flag >= 0 && avg >= 0);
    if (lo < 0 || hi < 0 || last < 0 || flag < 0 || avg < 0) return;
    s_change (n++, S_LAST, last, 3, false, 0);
    s_change (n++, S_FLAG, flag, 3, true, 0);
    s_change (n++, S_AVG, avg, 3, true, -123456);
    for (size_t i = 0, k = 0; i < s_nmuni && k < 100; i += 61, k++)
        s_change (n++, S_SUM_F, (int)i, 3, true, (int64_t)(1000 + k) * SCALE);
    s_change (n++, S_DEN, s_muni_index ("582786"), 1, true, 250000 * SCALE);
    long long applied = s_stat ("batches_applied");
    CHECK (s_send_values (&s_bulk, n, NULL, 0));
    CHECK_INT (s_stat ("batches_applied"), applied + 1);
    s_check_updates ();
    /* The same batch again changes nothing. */
    Socin__V1__ChangeBatch b;
    s_batch_init (&b, &s_bulk, s_bulk.seq, BULK_MS + (int64_t)s_bulk.seq * 1000);
    b.values = s_vcp;
    b.n_values = n;
    CHECK_INT (s_fwd_batch (&s_bulk, &b), 0);
    CHECK (s_wait_ack (&s_bulk, s_bulk.seq));
    CHECK_INT (s_stat ("batches_applied"), applied + 1);
    s_check_updates ();
}

/* ---- completeness as values and approvals change ---- */

#define MARCH_ONTIME_MS 1775044800000LL /* 2026-04-01 12:00: on time for 202603 (until 04-15) */
#define MARCH_LATE_MS   1777636800000LL /* 2026-05-01 12:00: late */

/* March's completeness of DS_T_COMP in Jihomoravský kraj as the test has changed it. */
typedef struct {
    uint32_t partial, complete, on_time, approved[3];
    size_t missing;
} s_march_t;

static s_march_t s_march;
static uint64_t s_march_ms; /* the latest accepted time sent: each change is later */

/* A value change of IND for municipality I in 202603 into the prepared changes at N. */
static void
s_march_value (size_t n, const char *ind, int i, int64_t micros, bool deleted)
{
    s_vc_set (n, S_SUM_F, i, 3, micros, deleted);
    s_vc[n].indicator = (char *)ind;
    s_vc[n].period = "202603";
    s_vc[n].disaggregation = "";
}

/* Sends the first N prepared changes and NA approval states as BULK's next batch, accepted at
   MS (or, when earlier, just after the last one sent), and waits for its Ack. */
static bool
s_march_send (int64_t ms, size_t n, Socin__V1__ApprovalState **approvals, size_t na)
{
    if ((uint64_t)ms <= s_march_ms) ms = (int64_t)s_march_ms + 1000;
    s_march_ms = (uint64_t)ms;
    Socin__V1__ChangeBatch b;
    s_batch_init (&b, &s_bulk, s_bulk.seq + 1, ms);
    b.values = s_vcp;
    b.n_values = n;
    b.approvals = approvals;
    b.n_approvals = na;
    if (s_fwd_batch (&s_bulk, &b)) return false;
    s_bulk.seq++;
    return s_wait_ack (&s_bulk, s_bulk.seq);
}

static Socin__V1__ApprovalState *
s_march_approval (Socin__V1__ApprovalState *a, const char *dataset, const char *period, int i,
                  int step)
{
    socin__v1__approval_state__init (a);
    a->dataset = (char *)dataset;
    a->period = (char *)period;
    a->unit = s_muni[i].code;
    a->step = (Socin__V1__ApprovalStep)step;
    a->comment = "";
    return a;
}

/* Reporting's answer for March, under the kraj and as the kraj's row of the country, against
   s_march; the other kraje have nothing. */
static void
s_march_check (const char *when)
{
    for (int level = 0; level <= SOCIN_LEVEL_KRAJ; level += SOCIN_LEVEL_KRAJ) {
        Socin__V1__ReportReply *r =
            s_completeness ("DS_T_COMP", "202603", level, level ? NULL : "CZ064");
        size_t nrows = level ? 14 : 1;
        CHECK (r && r->completeness && r->completeness->n_rows == nrows);
        for (size_t k = 0; r && r->completeness && k < r->completeness->n_rows; k++) {
            const Socin__V1__CompletenessRow *row = r->completeness->rows[k];
            bool ours = !strcmp (row->unit, "CZ064");
            s_march_t want = ours ? s_march : (s_march_t){0};
            uint32_t expected = 0;
            for (size_t i = 0; i < s_nmuni; i++)
                expected += s_in ((int)i, row->unit);
            want.missing = expected - want.partial;
            if (row->expected != expected || row->partial != want.partial ||
                row->complete != want.complete || row->on_time != want.on_time ||
                row->n_missing != want.missing || row->approved_municipality != want.approved[0] ||
                row->approved_region != want.approved[1] ||
                row->approved_centre != want.approved[2])
                s_mismatch ("%s: March %s: %u/%u/%u/%u missing %zu approved %u/%u/%u, expected "
                            "%u/%u/%u/%u missing %zu approved %u/%u/%u",
                            when, row->unit, row->expected, row->partial, row->complete,
                            row->on_time, row->n_missing, row->approved_municipality,
                            row->approved_region, row->approved_centre, expected, want.partial,
                            want.complete, want.on_time, want.missing, want.approved[0],
                            want.approved[1], want.approved[2]);
        }
        s_reply_free (&r);
    }
}

static void
test_completeness_follows (void)
{
    /* Three municipalities of the kraj: Brno and the first two others. */
    int u[3] = {s_muni_index ("582786"), -1, -1};
    for (size_t i = 0, k = 1; i < s_nmuni && k < 3; i++)
        if (s_in ((int)i, "CZ064") && (int)i != u[0]) u[k++] = (int)i;
    CHECK (u[0] >= 0 && u[1] >= 0 && u[2] >= 0);
    if (u[0] < 0 || u[1] < 0 || u[2] < 0) return;
    s_march_check ("before anything");
    /* Brno both on time; the second only T_C1; the third T_C1 on time and T_C2 late. */
    s_march_value (0, "T_C1", u[0], 1 * SCALE, false);
    s_march_value (1, "T_C2", u[0], 2 * SCALE, false);
    s_march_value (2, "T_C1", u[1], 3 * SCALE, false);
    s_march_value (3, "T_C1", u[2], 4 * SCALE, false);
    CHECK (s_march_send (MARCH_ONTIME_MS, 4, NULL, 0));
    s_march = (s_march_t){.partial = 3, .complete = 1, .on_time = 1};
    s_march_check ("values applied after a question");
    s_march_value (0, "T_C2", u[2], 5 * SCALE, false);
    CHECK (s_march_send (MARCH_LATE_MS, 1, NULL, 0));
    s_march.complete = 2;
    s_march_check ("a late value");
    /* Brno's T_C2 replaced late keeps its first day: still on time. The second's T_C1
       deleted: it reported nothing. */
    s_march_value (0, "T_C2", u[0], 6 * SCALE, false);
    s_march_value (1, "T_C1", u[1], 0, true);
    CHECK (s_march_send (MARCH_LATE_MS, 2, NULL, 0));
    s_march.partial = 2;
    s_march_check ("a value replaced, one deleted");
    /* Approvals: Brno by the centre, the third by its municipality; others of another period
       and another data set count nowhere. Then the third's withdrawn. */
    Socin__V1__ApprovalState a[4], *ap[4];
    ap[0] = s_march_approval (&a[0], "DS_T_COMP", "202603", u[0], 3);
    ap[1] = s_march_approval (&a[1], "DS_T_COMP", "202603", u[2], 1);
    ap[2] = s_march_approval (&a[2], "DS_T_COMP", "202604", u[1], 3);
    ap[3] = s_march_approval (&a[3], "DS_EMPLOYMENT", "202603", u[1], 3);
    CHECK (s_march_send (MARCH_LATE_MS, 0, ap, 4));
    s_march.approved[0] = 2;
    s_march.approved[1] = s_march.approved[2] = 1;
    s_march_check ("approvals");
    ap[0] = s_march_approval (&a[0], "DS_T_COMP", "202603", u[2], 0);
    CHECK (s_march_send (MARCH_LATE_MS, 0, ap, 1));
    s_march.approved[0] = 1;
    s_march_check ("an approval withdrawn");
    /* The cube rebuilt from the store answers the same. */
    char out[4096];
    CHECK_INT (t_ctl (s_reporting->ctl, "rebuild", out, sizeof out), 0);
    s_march_check ("after a rebuild");
}

static bool
s_no_source (void *arg)
{
    return s_applied ((const char *)arg) >= 0;
}

static void
test_kill9 (void)
{
    size_t len;
    char *before = s_answers (&len);
    CHECK (len > 10000);
    t_kill9 (s_reporting);
    s_set_today (DAY_REPORTING);
    CHECK_INT (t_restart (s_reporting), 0);
    /* The analyst's connection comes back by itself; the figures are those acknowledged. */
    CHECK (t_wait_for (s_no_source, "BULK", 30000));
    CHECK (s_same_answers (before, len));
    free (before);
    long long applied = s_source_hello (&s_bulk);
    CHECK_INT (applied, s_bulk.seq);
    long long dups = s_stat ("batches_duplicate"), batches = s_stat ("batches_applied");
    /* Everything resent from an earlier sequence is acknowledged and ignored. */
    s_vc_set (0, S_SUM_F, 0, 1, 4242 * SCALE, false);
    Socin__V1__ChangeBatch b;
    for (uint64_t seq = s_bulk.seq - 1; seq <= s_bulk.seq; seq++) {
        s_batch_init (&b, &s_bulk, seq, BULK_MS + (int64_t)seq * 1000);
        b.values = s_vcp;
        b.n_values = 1;
        CHECK_INT (s_fwd_batch (&s_bulk, &b), 0);
    }
    CHECK (s_wait_ack (&s_bulk, s_bulk.seq));
    CHECK_INT (s_stat ("batches_duplicate"), dups + 2);
    CHECK_INT (s_stat ("batches_applied"), batches);
    s_check_updates ();
    CHECK_INT (s_check_rollup ("T_SUM", "2026", SOCIN_LEVEL_KRAJ, NULL, NULL, NULL), 14);
    test_completeness ();
    s_march_check ("after kill -9");
    test_targets ();
    /* The real ingest reconnects and its applied sequence survived too. */
    CHECK (s_wait_forwarded ());
    CHECK_INT (s_applied ("REAL"), s_real_batches);
    /* Every answer names the registry sequence and the sources' applied sequences. */
    Socin__V1__ReportReply *r = s_rollup ("T_SUM", "202601", 0, NULL, NULL, NULL);
    CHECK (r && r->stamp);
    if (r && r->stamp) {
        CHECK_INT (r->stamp->registry_seq, t_registry_seq (s_registry));
        CHECK_INT (r->stamp->n_sources, 2);
    }
    s_reply_free (&r);
}

int
main (void)
{
    s_set_today (DAY_REPORTING);
    t_begin (s_home, sizeof s_home, NULL);
    snprintf (s_reg_req, sizeof s_reg_req, "ipc://%s/registry.ipc", s_home);
    snprintf (s_reg_pub, sizeof s_reg_pub, "ipc://%s/updates.ipc", s_home);
    snprintf (s_reg_key, sizeof s_reg_key, "%s/keys/registry.cert", s_home);
    snprintf (s_admin_cert, sizeof s_admin_cert, "%s/keys/admin.cert", s_home);
    snprintf (s_query_ep, sizeof s_query_ep, "ipc://%s/query.ipc", s_home);
    snprintf (s_forward_ep, sizeof s_forward_ep, "ipc://%s/forward.ipc", s_home);
    snprintf (s_rep_key, sizeof s_rep_key, "%s/keys/reporting.cert", s_home);
    snprintf (s_ingest_ep, sizeof s_ingest_ep, "ipc://%s/ingest-REAL.ipc", s_home);
    snprintf (s_ingest_key, sizeof s_ingest_key, "%s/keys/ingest-REAL.cert", s_home);
    for (int m = 1; m <= 12; m++)
        snprintf (s_month_txt[m], sizeof s_month_txt[m], "2026%02d", m);
    for (int w = 1; w <= 53; w++)
        snprintf (s_week_txt[w], sizeof s_week_txt[w], "2026W%02d", w);
    s_vc = calloc (BATCH_MAX, sizeof *s_vc);
    s_vcp = calloc (BATCH_MAX, sizeof *s_vcp);

    bool ready = s_load_territory () == 0;
    if (ready) {
        s_generate_values ();
        s_generate_completeness ();
    }
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
    if (s_registry) {
        s_admin = socin_client_new (s_reg_req, s_reg_key, s_admin_cert, 0, err, sizeof err);
        ready = s_admin && s_import_catalogue ();
    }
    char group_pages[32];
    snprintf (group_pages, sizeof group_pages, "%d", S_GROUP_PAGES);
    const char *rep_args[] = {"--endpoint",         s_query_ep,   "--forward",
                              s_forward_ep,         "--registry", s_reg_req,
                              "--registry-updates", s_reg_pub,    "--group-pages",
                              group_pages,          NULL};
    s_reporting =
        ready && s_registry ? t_start ("socin-reporting", "reporting", s_home, rep_args) : NULL;
    const char *ing_args[] = {"--source",           "REAL",          "--endpoint",  s_ingest_ep,
                              "--registry",         s_reg_req,       "--registry-updates",
                              s_reg_pub,            "--reporting",   s_forward_ep,
                              "--batch-values",     BATCH_VALUES_TEXT, NULL};
    s_set_today (DAY_ONTIME);
    s_ingest = s_reporting ? t_start ("socin-ingest", "ingest", s_home, ing_args) : NULL;
    s_set_today (DAY_REPORTING);
    ready = ready && s_ingest && s_source_register (&s_bulk) && s_source_register (&s_pipe) &&
            t_wait_replica (s_reporting, s_registry, 30000) &&
            t_wait_replica (s_ingest, s_registry, 30000);
    if (ready) {
        s_analyst = socin_client_new (s_query_ep, s_rep_key, s_admin_cert, 0, err, sizeof err);
        s_local = socin_client_new (s_ingest_ep, s_ingest_key, s_admin_cert, 0, err, sizeof err);
        ready = s_analyst && s_local;
        if (!ready) fprintf (stderr, "    client: %s\n", err);
    }
    if (!ready) {
        printf ("FAIL - a registry with the official territory and the test catalogue, reporting "
                "and an ingest start and replicate\n");
        t_failed++;
    } else {
        RUN (test_bulk, "a fake ingest's change batches of up to 100,000 values each are applied "
                        "in order, acknowledged and all counted");
        RUN (test_aggregations, "sum, average, weighted average, min, max, last, count and count "
                                "of true give the exact national and kraj-by-kraj figures");
        RUN (test_orp_okres, "ORP, okres and municipality roll-ups inside a kraj are exact, "
                             "Turnov's ORP across three okresy included");
        RUN (test_periods, "months roll up into quarters, half-years and the year by each "
                           "aggregation; a finer period than the indicator's is refused");
        RUN (test_weeks, "weeks roll up into the month, quarter and year of their Thursday");
        RUN (test_derived, "a derived share is the sum of numerators over the sum of "
                           "denominators, not the mean of municipal shares");
        RUN (test_disaggregation, "a disaggregation filter gives its part, the total the sum of "
                                  "all parts, and '*' each part");
        RUN (test_values_query, "values per municipality and per disaggregation are those sent");
        RUN (test_group, "a catalogue group rolls up as a whole and member by member");
        RUN (test_pipeline, "values and events submitted through a real ingest, on time and "
                            "late, reach reporting exactly");
        RUN (test_completeness, "completeness counts expected, complete, on-time and partial "
                                "units per kraj and lists the missing ones");
        RUN (test_history, "the history of a value lists its two updates in order, with old and "
                           "new values, submitter, submission, day and source sequence");
        RUN (test_participation, "participation counts events, participants, vulnerable groups "
                                 "and municipalities per kraj, per type and per period");
        RUN (test_targets, "CZ0046 progress counts exactly the qualifying municipalities as of a "
                           "day, and is met at 20");
        RUN (test_replay, "a submission resent to the ingest changes nothing in reporting");
        RUN (test_duplicate, "a batch delivered again is acknowledged and changes nothing");
        RUN (test_gap, "a batch beyond the next expected one is answered Resend and changes "
                       "nothing");
        RUN (test_update_batch, "a batch of updates and deletions changes exactly the figures "
                                "it touches, extremes recounted, once");
        RUN (test_completeness_follows,
             "completeness follows what is applied after a question: values arriving, a late "
             "one, a replaced value keeping its first day, a deletion, approvals and their "
             "withdrawal, and a rebuild of the cube");
        RUN (test_kill9, "after kill -9 reporting restarts with every acknowledged batch, says so "
                         "in Welcome, and ignores resent ones");
        RUN (test_pipelined,
             "batches sent all at once are applied in order, each once, with "
             "garbage among them refused MALFORMED_MESSAGE and what follows it applied");
    }
    socin_client_destroy (&s_bulk.conn);
    socin_client_destroy (&s_pipe.conn);
    socin_client_destroy (&s_analyst);
    socin_client_destroy (&s_local);
    socin_client_destroy (&s_admin);
    t_free (&s_ingest);
    t_free (&s_reporting);
    t_free (&s_registry);
    t_rmtree (s_home);
    for (int s = 0; s < S_N; s++) {
        free (s_series[s].v);
        free (s_series[s].has);
    }
    free (s_vc);
    free (s_vcp);
    free (s_muni);
    free (s_alone);
    free (s_cat);
    free (s_c1);
    free (s_c2);
    return TEST_SUMMARY ();
}
