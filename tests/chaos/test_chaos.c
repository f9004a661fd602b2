/*  Chaos: every acknowledged value counted exactly once, whatever is killed.

    A load generator submits continuously to two regional ingests, keeping several
    submissions in flight each, and records every acknowledgement: a key's expected value is
    the one of the last acknowledged submission that wrote it (a key is never written by two
    submissions in flight at once, so acknowledgement order is commit order). Meanwhile a
    killer sends SIGKILL to a random daemon — registry, reporting or either ingest — at random
    moments and restarts it. Unanswered submissions are resent with the same id until answered
    (the ingest answers a resend from its stored summary). At the end the generator stops,
    reporting catches up with both ingests, and reporting's value of every key is compared
    with the acknowledged one: nothing lost, nothing counted twice, deletions stay deleted.

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
#define NMONTHS   12
#define MAX_UNITS 32
#define INFLIGHT  4
#define RESEND_MS 2000

static const char *s_regions[NREGIONS] = {"CZ064", "CZ080"};
static const char *s_indicators[] = {"PART_PARTICIPANTS", "LP_MEETINGS"};
static const int s_monthly[] = {1, 0}; /* LP_MEETINGS is quarterly */
#define NIND 2

typedef struct {
    int64_t acked; /* micros of the last acknowledged value */
    bool present;  /* the last acknowledged write stored a value (not a deletion) */
    bool inflight;
} s_key_t;

typedef struct {
    char units[MAX_UNITS][8];
    int nunits;
    s_key_t keys[NIND][MAX_UNITS][NMONTHS];
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
    char (*text)[3][24]; /* period, value per item */
    int (*where)[3];     /* indicator, unit, slot per item */
    size_t n;
    int64_t sent_at;
    bool used;
} s_pending_t;

static char s_home[256];
static s_region_t s_reg[NREGIONS];
static t_daemon_t *s_registry, *s_reporting;
static s_pending_t s_pend[NREGIONS * INFLIGHT];
static uint64_t s_next_id, s_acked, s_values_acked, s_resends, s_kills[4], s_refused;
static char s_admin[400];

static uint64_t s_rng;
static uint32_t
s_rand (void)
{
    s_rng = s_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(s_rng >> 33);
}

static void
s_period (int ind, int slot, char *out)
{
    if (s_monthly[ind])
        sprintf (out, "2025%02d", slot + 1);
    else
        sprintf (out, "2025Q%d", slot + 1);
}

static int
s_slots (int ind)
{
    return s_monthly[ind] ? NMONTHS : 4;
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

/* A new submission for region R: keys not in flight get new values or are deleted. */
static void
s_new_submission (int r, s_pending_t *p)
{
    s_region_t *reg = &s_reg[r];
    size_t want = 5 + s_rand () % 40;
    memset (p, 0, sizeof *p);
    p->region = r;
    p->values = calloc (want, sizeof *p->values);
    p->ptrs = calloc (want, sizeof *p->ptrs);
    p->text = calloc (want, sizeof *p->text);
    p->where = calloc (want, sizeof *p->where);
    for (size_t tries = 0; p->n < want && tries < want * 8; tries++) {
        int ind = (int)(s_rand () % NIND), u = (int)(s_rand () % (uint32_t)reg->nunits);
        int slot = (int)(s_rand () % (uint32_t)s_slots (ind));
        s_key_t *k = &reg->keys[ind][u][slot];
        if (k->inflight) continue;
        k->inflight = true;
        Socin__V1__DataValue *v = &p->values[p->n];
        socin__v1__data_value__init (v);
        v->indicator = (char *)s_indicators[ind];
        v->unit = reg->units[u];
        s_period (ind, slot, p->text[p->n][0]);
        v->period = p->text[p->n][0];
        /* One write in eight deletes the key (an absent one: the ingest ignores it). */
        if (s_rand () % 8 == 0)
            v->delete_ = true;
        else {
            sprintf (p->text[p->n][1], "%u", s_rand () % (ind == 0 ? 100000 : 100));
            v->value = p->text[p->n][1];
        }
        p->where[p->n][0] = ind;
        p->where[p->n][1] = u;
        p->where[p->n][2] = slot;
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
        s_key_t *k = &reg->keys[p->where[i][0]][p->where[i][1]][p->where[i][2]];
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

/* Takes every waiting answer, resends what waited too long. */
static void
s_pump (bool generate)
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
        if (p->used && now - p->sent_at > RESEND_MS) {
            if (p->sent_at) s_resends++;
            s_send (p);
        } else if (!p->used && generate)
            s_new_submission (i / INFLIGHT, p);
    }
}

static bool
s_all_answered (void *arg)
{
    s_pump (false);
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

/* ---- the cases ---- */

static void
test_chaos (void)
{
    long kills = getenv ("SOCIN_CHAOS_KILLS") ? atol (getenv ("SOCIN_CHAOS_KILLS")) : 50;
    int64_t next_kill = zclock_mono () + 300;
    long done = 0;
    while (done < kills) {
        s_pump (true);
        if (zclock_mono () < next_kill) {
            zclock_sleep (2);
            continue;
        }
        int which = (int)(s_rand () % 4);
        t_daemon_t *d = s_victim (which);
        t_kill9 (d);
        s_kills[which]++;
        done++;
        /* Sometimes the victim stays down while the load goes on. */
        int64_t down_until = zclock_mono () + (s_rand () % 3 == 0 ? 200 + s_rand () % 600 : 0);
        while (zclock_mono () < down_until) {
            s_pump (true);
            zclock_sleep (2);
        }
        if (t_restart (d)) {
            CHECK (!"a killed daemon restarts");
            return;
        }
        next_kill = zclock_mono () + 50 + s_rand () % 400;
    }
    /* Stop generating; every submission in flight is answered in the end. */
    CHECK (t_wait_for (s_all_answered, NULL, 60000));
    CHECK (t_wait_for (s_converged, NULL, 60000));
}

static void
test_every_value (void)
{
    char err[512], key[400];
    snprintf (key, sizeof key, "%s/keys/reporting.cert", s_home);
    char endpoint[400];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/query.ipc", s_home);
    socin_client_t *client = socin_client_new (endpoint, key, s_admin, 0, err, sizeof err);
    CHECK (client != NULL);
    if (!client) return;
    uint64_t checked = 0, wrong = 0, present = 0;
    for (int ind = 0; ind < NIND; ind++)
        for (int slot = 0; slot < s_slots (ind); slot++) {
            char period[16];
            s_period (ind, slot, period);
            Socin__V1__ValuesQuery q = SOCIN__V1__VALUES_QUERY__INIT;
            q.indicator = (char *)s_indicators[ind];
            q.period = period;
            Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
            req.request_id = "v";
            req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_VALUES;
            req.values = &q;
            Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)socin_client_call (
                client, &req.base, &socin__v1__report_reply__descriptor, 30000, err, sizeof err);
            CHECK (reply && reply->table);
            if (!reply || !reply->table) {
                if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
                continue;
            }
            for (int r = 0; r < NREGIONS; r++)
                for (int u = 0; u < s_reg[r].nunits; u++) {
                    s_key_t *k = &s_reg[r].keys[ind][u][slot];
                    const Socin__V1__Row *row = NULL;
                    for (size_t i = 0; i < reply->table->n_rows && !row; i++)
                        if (!strcmp (reply->table->rows[i]->unit, s_reg[r].units[u]))
                            row = reply->table->rows[i];
                    checked++;
                    if (k->present) present++;
                    socin_dec_t got = 0;
                    char why[64];
                    bool has = row && *row->value &&
                               socin_dec_parse (row->value, strlen (row->value), &got, why,
                                                sizeof why) == 0;
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
            protobuf_c_message_free_unpacked (&reply->base, NULL);
        }
    socin_client_destroy (&client);
    printf ("    checked %llu keys (%llu holding a value) against reporting: %llu wrong\n",
            (unsigned long long)checked, (unsigned long long)present, (unsigned long long)wrong);
    CHECK_INT (wrong, 0);
    CHECK (present > 0);
}

/* The units of a kraj in the sample territory (from the registry). */
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
        client, &req.base, &socin__v1__registry_reply__descriptor, 10000, err, sizeof err);
    socin_client_destroy (&client);
    if (!reply || !reply->records) return -1;
    for (size_t i = 0; i < reply->records->n_records && s_reg[r].nunits < MAX_UNITS; i++)
        snprintf (s_reg[r].units[s_reg[r].nunits++], 8, "%s",
                  reply->records->records[i]->unit->code);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return s_reg[r].nunits > 0 ? 0 : -1;
}

int
main (void)
{
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL);
    setenv ("SOCIN_TODAY", "2026-03-15", 1);
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
    const char *rargs[] = {"--endpoint", reg, "--updates", upd, NULL};
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
        /* The second region forwards at most 16 values per change batch: its submissions
           (5 to 44 values) often travel in several batches, which must count exactly once
           whatever is killed between them. */
        const char *iargs[] = {
            "--source",        s_regions[r], "--territory",    s_regions[r],         "--endpoint",
            s_reg[r].endpoint, "--registry", reg,              "--registry-updates", upd,
            "--reporting",     fwd,          "--batch-values", r == 1 ? "16" : "10000", NULL};
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
    RUN (test_chaos, "submissions go on while daemons are killed at random and restarted; every "
                     "one is answered");
    printf ("    kills: registry %llu, reporting %llu, ingest %s %llu, ingest %s %llu; submissions "
            "acknowledged %llu "
            "(%llu values), resends %llu, refusals %llu\n",
            (unsigned long long)s_kills[0], (unsigned long long)s_kills[1], s_regions[0],
            (unsigned long long)s_kills[2], s_regions[1], (unsigned long long)s_kills[3],
            (unsigned long long)s_acked, (unsigned long long)s_values_acked,
            (unsigned long long)s_resends, (unsigned long long)s_refused);
    RUN (
        test_every_value,
        "reporting holds exactly the acknowledged value of every key: nothing lost, nothing twice");
    for (int r = 0; r < NREGIONS; r++) {
        socin_client_destroy (&s_reg[r].client);
        t_free (&s_reg[r].ingest);
    }
    for (int i = 0; i < NREGIONS * INFLIGHT; i++)
        if (s_pend[i].used) s_release (&s_pend[i]);
    t_free (&s_reporting);
    t_free (&s_registry);
    t_rmtree (s_home);
    return TEST_SUMMARY ();
}
