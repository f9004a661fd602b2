/*  Chaos: every acknowledged value counted exactly once, whatever is killed.

    A load generator submits to two regional ingests (Středočeský kraj and Moravskoslezský
    kraj of the official territory, 1,444 municipalities), keeping several submissions in
    flight each, and records every acknowledgement: a key's expected value is the one of the
    last acknowledged submission that wrote it (a key is never written by two submissions in
    flight at once, so acknowledgement order is commit order). Over 100,000 distinct keys
    (three monthly indicators, 24 months, every municipality) are written, most once, a tenth
    of the writes rewrite or delete a key written before; the new keys are spread over the
    whole run. Meanwhile a killer sends SIGKILL to a random daemon — registry, reporting or
    either ingest — at random moments and restarts it. Unanswered submissions are resent with
    the same id until answered (the ingest answers a resend from its stored summary).

    Every tenth kill is followed by a quiet period: no load at all until reporting has caught
    up with both ingests (what only a new submission would wake must not be needed). A third
    of the way in reporting is backed up; two thirds of the way in it is killed and restored
    from that older backup, and the ingests must resend what it lost. At the end reporting's
    value of every key is compared with the acknowledged one, and every kraj, okres and ORP
    roll-up with the sum of the acknowledged values under it: nothing lost, nothing counted
    twice, deletions stay deleted.

    SOCIN_CHAOS_KILLS sets the number of kills (default 50; `make chaos` runs more);
    SOCIN_CHAOS_SEED the random seed (default: the time, printed for reruns).
*/
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "clock.h"
#include "decimal.h"
#include "stack.h"
#include "testing.h"
#include "wire.h"
#include "socin/v1/ingest.pb-c.h"
#include "socin/v1/report.pb-c.h"

#define NREGIONS  2
#define NPERIODS  24 /* 2025-01 .. 2026-12, all open on the stack's day */
#define INFLIGHT  4
#define RESEND_MS 2000
#define QUIET_MS  60000 /* the longest a quiet period may take to catch up */

static const char *s_regions[NREGIONS] = {"CZ020", "CZ080"};
static const char *s_indicators[] = {"PART_EVENTS", "PART_PARTICIPANTS", "PART_VULNERABLE"};
static const uint32_t s_range[] = {10000, 1000000, 1000000};
#define NIND 3

typedef struct {
    int64_t acked; /* micros of the last acknowledged value */
    bool present;  /* the last acknowledged write stored a value (not a deletion) */
    bool written;  /* some acknowledged or in-flight write has named it */
    bool inflight;
} s_key_t;

typedef struct {
    char (*units)[8];
    char (*parents)[2][8]; /* each municipality's ORP and okres */
    int nunits;
    s_key_t *keys;       /* [unit][indicator][period] */
    uint32_t *order;     /* the keys in the order they are first written */
    size_t nkeys, fresh; /* keys, and how many of ORDER have been sent */
    t_daemon_t *ingest;
    socin_client_t *client;
    char endpoint[400], key_path[400];
} s_region_t;

typedef struct {
    int region;
    char id[64];
    Socin__V1__Submission sub;
    Socin__V1__DataValue *values;
    Socin__V1__DataValue **ptrs;
    char (*text)[2][24]; /* period, value per item */
    uint32_t *where;     /* key index per item */
    size_t n;
    int64_t sent_at;
    bool used;
} s_pending_t;

static char s_home[256];
static s_region_t s_reg[NREGIONS];
static t_daemon_t *s_registry, *s_reporting;
static s_pending_t s_pend[NREGIONS * INFLIGHT];
static uint64_t s_next_id, s_acked, s_values_acked, s_resends, s_kills[4], s_refused, s_rewrites,
    s_quiet;
static char s_admin[400];

static uint64_t s_rng;
static uint32_t
s_rand (void)
{
    s_rng = s_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(s_rng >> 33);
}

static void
s_period (int slot, char *out)
{
    sprintf (out, "%d%02d", 2025 + slot / 12, slot % 12 + 1);
}

static s_key_t *
s_key (s_region_t *reg, uint32_t k)
{
    return &reg->keys[k];
}

/* The unit, indicator and period slot of key K. */
static void
s_key_parts (uint32_t k, int *u, int *ind, int *slot)
{
    *slot = (int)(k % NPERIODS);
    *ind = (int)(k / NPERIODS % NIND);
    *u = (int)(k / NPERIODS / NIND);
}

static void
s_connect (int r)
{
    char err[512];
    socin_client_destroy (&s_reg[r].client);
    s_reg[r].client =
        socin_client_new (s_reg[r].endpoint, s_reg[r].key_path, s_admin, 0, err, sizeof err);
    if (!s_reg[r].client) fprintf (stderr, "    client for %s: %s\n", s_regions[r], err);
}

static void
s_send (s_pending_t *p)
{
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = p->id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &p->sub;
    p->sent_at = zclock_mono ();
    if (s_reg[p->region].client) socin_client_send (s_reg[p->region].client, &req.base);
}

/* The next key for a submission of region R: a key never written (in the order drawn at the
   start), or one time in ten, and always once all were written, a key written before. -1 when
   none is free. */
static int64_t
s_next_key (s_region_t *reg, bool fresh_allowed)
{
    if (fresh_allowed && reg->fresh < reg->nkeys && s_rand () % 10) return reg->order[reg->fresh++];
    for (int tries = 0; tries < 8 && reg->fresh; tries++) {
        uint32_t k = reg->order[s_rand () % reg->fresh];
        if (!reg->keys[k].inflight) {
            s_rewrites++;
            return k;
        }
    }
    return -1;
}

/* A new submission for region R: WANT keys get new values, or are deleted (an eighth of the
   rewrites). */
static void
s_new_submission (int r, s_pending_t *p, size_t want, bool fresh_allowed)
{
    s_region_t *reg = &s_reg[r];
    memset (p, 0, sizeof *p);
    p->region = r;
    p->values = calloc (want, sizeof *p->values);
    p->ptrs = calloc (want, sizeof *p->ptrs);
    p->text = calloc (want, sizeof *p->text);
    p->where = calloc (want, sizeof *p->where);
    for (size_t tries = 0; p->n < want && tries < want * 2; tries++) {
        int64_t k = s_next_key (reg, fresh_allowed);
        if (k < 0) break;
        s_key_t *key = s_key (reg, (uint32_t)k);
        if (key->inflight) continue;
        bool rewrite = key->written;
        key->inflight = key->written = true;
        int u, ind, slot;
        s_key_parts ((uint32_t)k, &u, &ind, &slot);
        Socin__V1__DataValue *v = &p->values[p->n];
        socin__v1__data_value__init (v);
        v->indicator = (char *)s_indicators[ind];
        v->unit = reg->units[u];
        s_period (slot, p->text[p->n][0]);
        v->period = p->text[p->n][0];
        if (rewrite && s_rand () % 8 == 0)
            v->delete_ = true;
        else {
            sprintf (p->text[p->n][1], "%u", s_rand () % s_range[ind]);
            v->value = p->text[p->n][1];
        }
        p->where[p->n] = (uint32_t)k;
        p->ptrs[p->n] = v;
        p->n++;
    }
    socin__v1__submission__init (&p->sub);
    snprintf (p->id, sizeof p->id, "chaos-%s-%llu", s_regions[r], (unsigned long long)++s_next_id);
    p->sub.submission_id = p->id;
    p->sub.values = p->ptrs;
    p->sub.n_values = p->n;
    p->used = true;
    s_send (p);
}

static void
s_release (s_pending_t *p)
{
    free (p->values);
    free (p->ptrs);
    free (p->text);
    free (p->where);
    p->used = false;
}

static void
s_on_summary (s_pending_t *p, const Socin__V1__ImportSummary *s)
{
    s_region_t *reg = &s_reg[p->region];
    if (s->error) {
        /* Refused (storage, draining at shutdown): nothing was stored; send it again. */
        s_refused++;
        p->sent_at = 0;
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        s_key_t *k = s_key (reg, p->where[i]);
        k->inflight = false;
        if (p->values[i].delete_)
            k->present = false;
        else {
            k->present = true;
            k->acked = (int64_t)atoll (p->values[i].value) * SOCIN_DEC_SCALE;
        }
    }
    s_acked++;
    s_values_acked += p->n;
    s_release (p);
}

/* How much load to make: FRESH new keys at most may be sent by now (of all, spread over the
   kills); with none left, a slow trickle of rewrites, so that long runs stay mostly
   written-once. */
typedef struct {
    bool generate;
    size_t fresh_budget; /* new keys sent so far may reach this, per region */
    int64_t trickle_at;  /* the next rewrite-only submission */
} s_load_t;

static s_load_t s_load;

/* Takes every waiting answer, resends what waited too long, and makes new submissions as
   s_load allows. */
static void
s_pump (void)
{
    for (int r = 0; r < NREGIONS; r++) {
        char err[256];
        for (;;) {
            if (!s_reg[r].client) break;
            Socin__V1__IngestReply *reply = (Socin__V1__IngestReply *)socin_client_recv (
                s_reg[r].client, &socin__v1__ingest_reply__descriptor, 0, err, sizeof err);
            if (!reply) break;
            for (int i = 0; i < NREGIONS * INFLIGHT; i++)
                if (s_pend[i].used && s_pend[i].region == r &&
                    !strcmp (s_pend[i].id, reply->request_id) &&
                    reply->body_case == SOCIN__V1__INGEST_REPLY__BODY_SUMMARY)
                    s_on_summary (&s_pend[i], reply->summary);
            protobuf_c_message_free_unpacked (&reply->base, NULL);
        }
    }
    int64_t now = zclock_mono ();
    for (int i = 0; i < NREGIONS * INFLIGHT; i++) {
        s_pending_t *p = &s_pend[i];
        int r = i / INFLIGHT;
        if (p->used && now - p->sent_at > RESEND_MS) {
            if (p->sent_at) s_resends++;
            s_send (p);
        } else if (!p->used && s_load.generate) {
            size_t budget =
                s_load.fresh_budget < s_reg[r].nkeys ? s_load.fresh_budget : s_reg[r].nkeys;
            if (s_reg[r].fresh < budget)
                s_new_submission (r, p, 100 + s_rand () % 400, true);
            else if (now >= s_load.trickle_at) {
                s_new_submission (r, p, 5 + s_rand () % 20, false);
                s_load.trickle_at = now + 100;
            }
        }
    }
}

static bool
s_all_answered (void *arg)
{
    s_load.generate = false;
    s_pump ();
    for (int i = 0; i < NREGIONS * INFLIGHT; i++)
        if (s_pend[i].used) return false;
    return true;
}

static long long
s_ctl_field (t_daemon_t *d, const char *command, const char *key)
{
    char out[8192];
    if (t_ctl (d->ctl, command, out, sizeof out)) return -1;
    return t_field (out, key);
}

static bool
s_converged (void *arg)
{
    char out[8192];
    if (t_ctl (s_reporting->ctl, "sources", out, sizeof out)) return false;
    for (int r = 0; r < NREGIONS; r++) {
        long long last = s_ctl_field (s_reg[r].ingest, "backlog", "last_seq");
        char want[64];
        snprintf (want, sizeof want, "%s:applied=%lld ", s_regions[r], last);
        if (last < 0 || !strstr (out, want)) return false;
    }
    return true;
}

static t_daemon_t *
s_victim (int which)
{
    return which == 0 ? s_registry : which == 1 ? s_reporting : s_reg[which - 2].ingest;
}

/* No load until every submission is answered and reporting has applied all both ingests
   committed: nothing but the daemons' own timers may move it. */
static void
s_quiet_period (void)
{
    bool was = s_load.generate;
    CHECK (t_wait_for (s_all_answered, NULL, QUIET_MS));
    CHECK (t_wait_for (s_converged, NULL, QUIET_MS));
    s_quiet++;
    s_load.generate = was;
}

/* Reporting restored from the older backup BACKUP: killed, its store replaced, started. */
static void
s_restore_reporting (const char *backup)
{
    char cmd[1400];
    snprintf (
        cmd, sizeof cmd,
        "rm -f '%s/reporting/data.mdb' '%s/reporting/lock.mdb' && cp '%s/data.mdb' '%s/reporting/'",
        s_home, s_home, backup, s_home);
    CHECK_INT (system (cmd), 0);
}

/* New keys a region may have sent by now: its share of all, spread evenly over the kills. */
static void
s_budget (long done, long kills)
{
    s_load.generate = true;
    s_load.fresh_budget = 0;
    for (int r = 0; r < NREGIONS; r++) {
        size_t b =
            done >= kills ? s_reg[r].nkeys : s_reg[r].nkeys * (size_t)(done + 1) / (size_t)kills;
        if (b > s_load.fresh_budget) s_load.fresh_budget = b;
    }
}

/* ---- the cases ---- */

static void
test_chaos (void)
{
    long kills = getenv ("SOCIN_CHAOS_KILLS") ? atol (getenv ("SOCIN_CHAOS_KILLS")) : 50;
    if (kills < 3) kills = 3;
    char backup[400], cmd[600], out[1024];
    snprintf (backup, sizeof backup, "%s/reporting-backup", s_home);
    int64_t next_kill = zclock_mono () + 300;
    long done = 0;
    bool backed_up = false, restored = false;
    for (;;) {
        bool fresh_left = false;
        for (int r = 0; r < NREGIONS; r++)
            fresh_left |= s_reg[r].fresh < s_reg[r].nkeys;
        if (done >= kills && !fresh_left) break;
        s_budget (done, kills);
        s_pump ();
        if (done >= kills || zclock_mono () < next_kill) {
            zclock_sleep (2);
            continue;
        }
        if (done == kills / 3 && !backed_up) {
            snprintf (cmd, sizeof cmd, "backup %s", backup);
            CHECK_INT (t_ctl (s_reporting->ctl, cmd, out, sizeof out), 0);
            CHECK_CONTAINS (out, "bytes:");
            backed_up = true;
        }
        bool restore = backed_up && !restored && done == 2 * kills / 3;
        int which = restore ? 1 : (int)(s_rand () % 4);
        t_daemon_t *d = s_victim (which);
        t_kill9 (d);
        s_kills[which]++;
        done++;
        if (restore) {
            s_restore_reporting (backup);
            restored = true;
        }
        /* Sometimes the victim stays down while the load goes on. */
        int64_t down_until = zclock_mono () + (s_rand () % 3 == 0 ? 200 + s_rand () % 600 : 0);
        while (zclock_mono () < down_until) {
            s_pump ();
            zclock_sleep (2);
        }
        if (t_restart (d)) {
            CHECK (!"a killed daemon restarts");
            return;
        }
        if (restore || done % 10 == 0) s_quiet_period ();
        next_kill = zclock_mono () + 50 + s_rand () % 400;
    }
    CHECK (restored);
    /* Stop generating; every submission in flight is answered in the end. */
    CHECK (t_wait_for (s_all_answered, NULL, 60000));
    CHECK (t_wait_for (s_converged, NULL, 60000));
}

static socin_client_t *
s_analyst (void)
{
    char err[512], key[400], endpoint[400];
    snprintf (key, sizeof key, "%s/keys/reporting.cert", s_home);
    snprintf (endpoint, sizeof endpoint, "ipc://%s/query.ipc", s_home);
    socin_client_t *client = socin_client_new (endpoint, key, s_admin, 0, err, sizeof err);
    if (!client) fprintf (stderr, "    analyst: %s\n", err);
    return client;
}

/* Reporting's table of indicator IND in period SLOT: every unit's value (LEVEL 0), or the
   roll-ups at LEVEL across the country. NULL after saying why. */
static Socin__V1__ReportReply *
s_query (socin_client_t *client, int ind, int slot, Socin__V1__Level level)
{
    char err[512], period[16];
    s_period (slot, period);
    Socin__V1__ValuesQuery vq = SOCIN__V1__VALUES_QUERY__INIT;
    Socin__V1__RollupQuery rq = SOCIN__V1__ROLLUP_QUERY__INIT;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.request_id = "q";
    vq.indicator = rq.indicator = (char *)s_indicators[ind];
    vq.period = rq.period = period;
    rq.level = level;
    if (level) {
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
        req.rollup = &rq;
    } else {
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_VALUES;
        req.values = &vq;
    }
    Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)socin_client_call (
        client, &req.base, &socin__v1__report_reply__descriptor, 30000, err, sizeof err);
    if (reply && reply->table) return reply;
    fprintf (stderr, "    query failed: %s\n",
             !reply         ? err
             : reply->error ? reply->error->message
                            : "no table");
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    return NULL;
}

/* A row's figure: true with *OUT when it has one. */
static bool
s_figure (const Socin__V1__Row *row, socin_dec_t *out)
{
    char why[64];
    *out = 0;
    return row && *row->value &&
           socin_dec_parse (row->value, strlen (row->value), out, why, sizeof why) == 0;
}

/* Region and unit of CODE among the units written to, in *R and *U; false when none. */
static bool
s_find_unit (zhashx_t *index, const char *code, int *r, int *u)
{
    uintptr_t at = (uintptr_t)zhashx_lookup (index, code);
    if (!at) return false;
    *r = (int)((at - 1) >> 24);
    *u = (int)((at - 1) & 0xffffff);
    return true;
}

static zhashx_t *
s_unit_index (void)
{
    zhashx_t *index = zhashx_new ();
    for (int r = 0; r < NREGIONS; r++)
        for (int u = 0; u < s_reg[r].nunits; u++)
            zhashx_insert (index, s_reg[r].units[u],
                           (void *)(uintptr_t)(((uintptr_t)r << 24) + (uintptr_t)u + 1));
    return index;
}

static void
test_every_value (void)
{
    socin_client_t *client = s_analyst ();
    CHECK (client != NULL);
    if (!client) return;
    zhashx_t *index = s_unit_index ();
    uint64_t checked = 0, wrong = 0, present = 0, once = 0;
    for (int ind = 0; ind < NIND; ind++)
        for (int slot = 0; slot < NPERIODS; slot++) {
            char period[16];
            s_period (slot, period);
            Socin__V1__ReportReply *reply = s_query (client, ind, slot, 0);
            CHECK (reply != NULL);
            if (!reply) continue;
            /* Each unit's row, if any. */
            const Socin__V1__Row **rows[NREGIONS];
            for (int r = 0; r < NREGIONS; r++)
                rows[r] = calloc ((size_t)s_reg[r].nunits, sizeof *rows[r]);
            for (size_t i = 0; i < reply->table->n_rows; i++) {
                const Socin__V1__Row *row = reply->table->rows[i];
                int r, u;
                socin_dec_t got;
                if (s_find_unit (index, row->unit, &r, &u))
                    rows[r][u] = row;
                else if (s_figure (row, &got) && wrong++ < 10)
                    fprintf (stderr, "    %s %s %s: a value no one sent\n", s_indicators[ind],
                             row->unit, period);
            }
            for (int r = 0; r < NREGIONS; r++) {
                for (int u = 0; u < s_reg[r].nunits; u++) {
                    s_key_t *k = s_key (&s_reg[r], (uint32_t)((u * NIND + ind) * NPERIODS + slot));
                    const Socin__V1__Row *row = rows[r][u];
                    checked++;
                    present += k->present;
                    socin_dec_t got;
                    bool has = s_figure (row, &got);
                    if (has != k->present || (has && got != k->acked) ||
                        (row && row->values != (has ? 1 : 0))) {
                        if (wrong++ < 10)
                            fprintf (stderr,
                                     "    %s %s %s: reporting has %s (%llu values), acknowledged "
                                     "%s %lld\n",
                                     s_indicators[ind], s_reg[r].units[u], period,
                                     row ? row->value : "nothing",
                                     row ? (unsigned long long)row->values : 0ULL,
                                     k->present ? "value" : "deletion",
                                     (long long)(k->acked / SOCIN_DEC_SCALE));
                    }
                }
                free (rows[r]);
            }
            protobuf_c_message_free_unpacked (&reply->base, NULL);
        }
    for (int r = 0; r < NREGIONS; r++)
        once += s_reg[r].fresh;
    zhashx_destroy (&index);
    socin_client_destroy (&client);
    printf ("    checked %llu keys (%llu written, %llu holding a value; %llu rewrites) against "
            "reporting: %llu wrong\n",
            (unsigned long long)checked, (unsigned long long)once, (unsigned long long)present,
            (unsigned long long)s_rewrites, (unsigned long long)wrong);
    CHECK_INT (wrong, 0);
    CHECK (once >= 100000);
    CHECK (s_rewrites > 0 && s_rewrites < once);
}

typedef struct {
    socin_dec_t sum;
    uint64_t count;
} s_total_t;

/* The sums of the acknowledged values of IND in SLOT per kraj, okres and ORP (by code). */
static zhashx_t *
s_expected (int ind, int slot)
{
    zhashx_t *totals = zhashx_new ();
    zhashx_set_destructor (totals, (zhashx_destructor_fn *)zstr_free);
    for (int r = 0; r < NREGIONS; r++)
        for (int u = 0; u < s_reg[r].nunits; u++) {
            s_key_t *k = s_key (&s_reg[r], (uint32_t)((u * NIND + ind) * NPERIODS + slot));
            if (!k->present) continue;
            const char *codes[] = {s_regions[r], s_reg[r].parents[u][0], s_reg[r].parents[u][1]};
            for (int c = 0; c < 3; c++) {
                if (!*codes[c]) continue;
                s_total_t *t = zhashx_lookup (totals, codes[c]);
                if (!t) {
                    t = calloc (1, sizeof *t);
                    zhashx_insert (totals, codes[c], t);
                }
                t->sum += k->acked;
                t->count++;
            }
        }
    return totals;
}

static void
test_rollups (void)
{
    socin_client_t *client = s_analyst ();
    CHECK (client != NULL);
    if (!client) return;
    const Socin__V1__Level levels[] = {SOCIN__V1__LEVEL__LEVEL_KRAJ, SOCIN__V1__LEVEL__LEVEL_OKRES,
                                       SOCIN__V1__LEVEL__LEVEL_ORP};
    uint64_t rows = 0, wrong = 0, nonzero = 0;
    for (int ind = 0; ind < NIND; ind++)
        for (int slot = 0; slot < NPERIODS; slot++) {
            char period[16];
            s_period (slot, period);
            zhashx_t *totals = s_expected (ind, slot);
            size_t matched = 0;
            for (int l = 0; l < 3; l++) {
                Socin__V1__ReportReply *reply = s_query (client, ind, slot, levels[l]);
                CHECK (reply != NULL);
                if (!reply) continue;
                for (size_t i = 0; i < reply->table->n_rows; i++) {
                    const Socin__V1__Row *row = reply->table->rows[i];
                    s_total_t none = {0, 0}, *want = zhashx_lookup (totals, row->unit);
                    if (want) matched++;
                    if (!want) want = &none;
                    socin_dec_t got;
                    bool has = s_figure (row, &got);
                    rows++;
                    nonzero += want->count > 0;
                    if (row->values != want->count || (want->count && (!has || got != want->sum)) ||
                        (!want->count && has && got != 0)) {
                        char text[64];
                        socin_dec_format (want->sum, text, sizeof text);
                        if (wrong++ < 10)
                            fprintf (stderr,
                                     "    %s %s %s: reporting has %s of %llu values, acknowledged "
                                     "%s of %llu\n",
                                     s_indicators[ind], row->unit, period, row->value,
                                     (unsigned long long)row->values, text,
                                     (unsigned long long)want->count);
                    }
                }
                protobuf_c_message_free_unpacked (&reply->base, NULL);
            }
            /* Every kraj, okres and ORP with an acknowledged value had its row. */
            if (matched != zhashx_size (totals) && wrong++ < 10)
                fprintf (stderr, "    %s %s: %zu units with values, %zu rows for them\n",
                         s_indicators[ind], period, zhashx_size (totals), matched);
            zhashx_destroy (&totals);
        }
    socin_client_destroy (&client);
    printf ("    checked %llu kraj, okres and ORP roll-ups (%llu with values) against the "
            "acknowledged sums: %llu wrong\n",
            (unsigned long long)rows, (unsigned long long)nonzero, (unsigned long long)wrong);
    CHECK_INT (wrong, 0);
    CHECK (nonzero > 0);
}

/* The municipalities of a kraj in the official territory (from the registry) with their ORP
   and okres, and the order their keys are first written in. */
static int
s_load_units (int r)
{
    char err[512], key[400], endpoint[400];
    snprintf (key, sizeof key, "%s/keys/registry.cert", s_home);
    snprintf (endpoint, sizeof endpoint, "ipc://%s/registry.ipc", s_home);
    socin_client_t *client = socin_client_new (endpoint, key, s_admin, 0, err, sizeof err);
    if (!client) return -1;
    Socin__V1__DescendantsQuery q = SOCIN__V1__DESCENDANTS_QUERY__INIT;
    q.code = (char *)s_regions[r];
    q.level = SOCIN__V1__LEVEL__LEVEL_MUNICIPALITY;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.request_id = "u";
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_DESCENDANTS;
    req.descendants = &q;
    Socin__V1__RegistryReply *reply = (Socin__V1__RegistryReply *)socin_client_call (
        client, &req.base, &socin__v1__registry_reply__descriptor, 30000, err, sizeof err);
    socin_client_destroy (&client);
    if (!reply || !reply->records) return -1;
    s_region_t *reg = &s_reg[r];
    size_t n = reply->records->n_records;
    reg->units = calloc (n + 1, sizeof *reg->units);
    reg->parents = calloc (n + 1, sizeof *reg->parents);
    for (size_t i = 0; i < n; i++) {
        const Socin__V1__Unit *unit = reply->records->records[i]->unit;
        snprintf (reg->units[reg->nunits], 8, "%s", unit->code);
        for (size_t p = 0; p < unit->n_parents && p < 2; p++)
            snprintf (reg->parents[reg->nunits][p], 8, "%s", unit->parents[p]);
        reg->nunits++;
    }
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    reg->nkeys = (size_t)reg->nunits * NIND * NPERIODS;
    reg->keys = calloc (reg->nkeys, sizeof *reg->keys);
    reg->order = calloc (reg->nkeys, sizeof *reg->order);
    for (size_t i = 0; i < reg->nkeys; i++)
        reg->order[i] = (uint32_t)i;
    for (size_t i = reg->nkeys - 1; i > 0; i--) {
        size_t j = s_rand () % (i + 1);
        uint32_t t = reg->order[i];
        reg->order[i] = reg->order[j];
        reg->order[j] = t;
    }
    return reg->nunits > 0 ? 0 : -1;
}

int
main (void)
{
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL);
    setenv ("SOCIN_TODAY", "2026-12-15", 1);
    s_rng = getenv ("SOCIN_CHAOS_SEED") ? strtoull (getenv ("SOCIN_CHAOS_SEED"), NULL, 10)
                                        : (uint64_t)zclock_time ();
    printf ("    seed %llu (SOCIN_CHAOS_SEED reproduces the schedule)\n",
            (unsigned long long)s_rng);
    t_tmpdir (s_home, sizeof s_home);
    char reg[400], upd[400], query[400], fwd[400];
    snprintf (reg, sizeof reg, "ipc://%s/registry.ipc", s_home);
    snprintf (upd, sizeof upd, "ipc://%s/updates.ipc", s_home);
    snprintf (query, sizeof query, "ipc://%s/query.ipc", s_home);
    snprintf (fwd, sizeof fwd, "ipc://%s/forward.ipc", s_home);
    snprintf (s_admin, sizeof s_admin, "%s/keys/admin.cert", s_home);
    /* The official territory: enough municipalities for 100,000 keys in two kraje. */
    const char *rargs[] = {"--endpoint",
                           reg,
                           "--updates",
                           upd,
                           "--territory-file",
                           t_shared ("data/cz/struktura_uzemi_cr.csv"),
                           NULL};
    s_registry = t_start ("socin-registry", "registry", s_home, rargs);
    const char *pargs[] = {"--endpoint",         query, "--forward", fwd, "--registry", reg,
                           "--registry-updates", upd,   NULL};
    s_reporting = s_registry ? t_start ("socin-reporting", "reporting", s_home, pargs) : NULL;
    bool ok = s_registry && s_reporting;
    for (int r = 0; r < NREGIONS && ok; r++) {
        snprintf (s_reg[r].endpoint, sizeof s_reg[r].endpoint, "ipc://%s/ingest-%s.ipc", s_home,
                  s_regions[r]);
        snprintf (s_reg[r].key_path, sizeof s_reg[r].key_path, "%s/keys/ingest-%s.cert", s_home,
                  s_regions[r]);
        char name[32];
        snprintf (name, sizeof name, "ingest-%s", s_regions[r]);
        /* The second region forwards at most 64 values per change batch: its submissions
           (up to 500 values) travel in several batches, which must count exactly once
           whatever is killed between them. */
        const char *iargs[] = {"--source",
                               s_regions[r],
                               "--territory",
                               s_regions[r],
                               "--endpoint",
                               s_reg[r].endpoint,
                               "--registry",
                               reg,
                               "--registry-updates",
                               upd,
                               "--reporting",
                               fwd,
                               "--batch-values",
                               r == 1 ? "64" : "10000",
                               NULL};
        s_reg[r].ingest = t_start ("socin-ingest", name, s_home, iargs);
        ok = s_reg[r].ingest && s_load_units (r) == 0;
        /* Wait until its replica is live, so the first submissions are not refused. */
        for (int i = 0;
             ok && i < 200 && s_ctl_field (s_reg[r].ingest, "status", "replica_seq") <= 0; i++)
            zclock_sleep (50);
        if (ok) s_connect (r);
    }
    if (!ok) {
        printf ("FAIL - the stack starts\n0 passed, 1 failed\n");
        return 1;
    }
    RUN (test_chaos, "submissions of over 100,000 keys go on while daemons are killed at random "
                     "and restarted, reporting is restored from an older backup, and quiet periods "
                     "catch up without load; every submission is answered");
    printf (
        "    kills: registry %llu, reporting %llu (one restored from a backup), ingest %s %llu, "
        "ingest %s %llu; quiet periods %llu; submissions acknowledged %llu (%llu values), "
        "resends %llu, refusals %llu\n",
        (unsigned long long)s_kills[0], (unsigned long long)s_kills[1], s_regions[0],
        (unsigned long long)s_kills[2], s_regions[1], (unsigned long long)s_kills[3],
        (unsigned long long)s_quiet, (unsigned long long)s_acked,
        (unsigned long long)s_values_acked, (unsigned long long)s_resends,
        (unsigned long long)s_refused);
    RUN (
        test_every_value,
        "reporting holds exactly the acknowledged value of every key: nothing lost, nothing twice");
    RUN (test_rollups, "every kraj, okres and ORP roll-up is the sum of the acknowledged values "
                       "under it");
    for (int r = 0; r < NREGIONS; r++) {
        socin_client_destroy (&s_reg[r].client);
        t_free (&s_reg[r].ingest);
        free (s_reg[r].units);
        free (s_reg[r].parents);
        free (s_reg[r].keys);
        free (s_reg[r].order);
    }
    for (int i = 0; i < NREGIONS * INFLIGHT; i++)
        if (s_pend[i].used) s_release (&s_pend[i]);
    t_free (&s_reporting);
    t_free (&s_registry);
    t_rmtree (s_home);
    return TEST_SUMMARY ();
}
