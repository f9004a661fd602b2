/*  Liveness: nothing acknowledged stays invisible, and no client can exhaust a daemon.

    A registry, reporting and one regional ingest (CZ064) on ipc endpoints. The test submits
    values for the region's municipalities and keeps, for every key, the value of the last
    acknowledged write (or its deletion); after each fault it waits until reporting has applied
    everything the ingest holds, with no new submission, and compares every key and the kraj's
    sum with what it computed itself:

    - reporting killed (kill -9) while change batches it had not applied were on their way: the
      ingest sends them again within seconds, although reporting answers its heartbeats;
    - reporting restored from its own backup, after more values were acknowledged and trimmed
      from the ingest's outbox: the ingest rebuilds them from its values and history;
    - reporting that lost its store: rebuilt from the ingest;
    - reporting's store full: the batches are reported as refused (reporting's `sources` and
      `status`, the ingest's backlog, a warning line), the ingest waits between resends instead
      of resending in a storm, and everything arrives once space returns;
    - a message of a million frames to each server socket is answered with MALFORMED_MESSAGE
      at once, and the daemon answers the next request;
    - a message above max_message to reporting's query socket is answered with
      MESSAGE_TOO_LARGE; a request_id that is not UTF-8, and a level outside the enum, are
      refused with INVALID_ARGUMENT. */
#include <czmq.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client.h"
#include "decimal.h"
#include "stack.h"
#include "testing.h"
#include "wire.h"
#include "socin/v1/forward.pb-c.h"
#include "socin/v1/ingest.pb-c.h"
#include "socin/v1/registry.pb-c.h"
#include "socin/v1/report.pb-c.h"

#define REGION      "CZ064"
#define INDICATOR   "PART_PARTICIPANTS"
#define MAX_UNITS   64
#define NMONTHS     12
#define CONVERGE_MS 20000 /* before the fix: stuck for minutes, or for good */

static char s_home[256], s_reg[400], s_upd[400], s_query[400], s_fwd[400], s_ingest_ep[400];
static char s_admin[400], s_ingest_key[400], s_rep_key[400], s_rep_conf[400];
static t_daemon_t *s_registry, *s_reporting, *s_ingest;
static socin_client_t *s_submitter, *s_analyst;
static char s_units[MAX_UNITS][8];
static int s_nunits;
static int64_t s_value[MAX_UNITS][NMONTHS]; /* micros of the last acknowledged write */
static bool s_present[MAX_UNITS][NMONTHS];
static int s_next_id;
static int s_comment_len; /* long comments make a store fill quickly */
static char s_comment[1001];

/* ---- submitting ---- */

/* Submits one write for each K in [FIRST, FIRST + N), N at most s_keys () (key K mod
   s_keys (): unit K mod units, month K / units mod 12): value K * 7 + SALT, or a deletion when
   DELETE_EVERY divides K. Records what was acknowledged; 0, or -1 when the submission was not
   acknowledged. */
static int
s_keys (void)
{
    return s_nunits * NMONTHS;
}

static int
s_submit (int first, int n, int salt, int delete_every)
{
    Socin__V1__DataValue *v = calloc ((size_t)n, sizeof *v);
    Socin__V1__DataValue **vp = calloc ((size_t)n, sizeof *vp);
    char (*text)[2][24] = calloc ((size_t)n, sizeof *text);
    for (int i = 0; i < n; i++) {
        int k = first + i;
        socin__v1__data_value__init (&v[i]);
        v[i].indicator = INDICATOR;
        v[i].unit = s_units[(k % s_keys ()) % s_nunits];
        snprintf (text[i][0], 24, "2025%02d", (k % s_keys ()) / s_nunits + 1);
        v[i].period = text[i][0];
        v[i].comment = s_comment_len ? s_comment : "";
        if (delete_every && k % delete_every == 0)
            v[i].delete_ = true;
        else {
            snprintf (text[i][1], 24, "%d", k * 7 + salt);
            v[i].value = text[i][1];
        }
        vp[i] = &v[i];
    }
    char id[32];
    snprintf (id, sizeof id, "live-%d", ++s_next_id);
    Socin__V1__Submission sub = SOCIN__V1__SUBMISSION__INIT;
    sub.submission_id = id;
    sub.values = vp;
    sub.n_values = (size_t)n;
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &sub;
    char err[256];
    Socin__V1__IngestReply *reply = (Socin__V1__IngestReply *)socin_client_call (
        s_submitter, &req.base, &socin__v1__ingest_reply__descriptor, 30000, err, sizeof err);
    int rc =
        reply && reply->summary && !reply->summary->error && reply->summary->rejected == 0 ? 0 : -1;
    if (rc)
        fprintf (stderr, "    submission %s: %s\n", id,
                 !reply                                    ? err
                 : reply->summary && reply->summary->error ? reply->summary->error->message
                 : reply->summary && reply->summary->n_conflicts
                     ? reply->summary->conflicts[0]->message
                     : "rejected items");
    for (int i = 0; i < n && !rc; i++) {
        int k = first + i, u = (k % s_keys ()) % s_nunits, m = (k % s_keys ()) / s_nunits;
        s_present[u][m] = !v[i].delete_;
        s_value[u][m] = v[i].delete_ ? 0 : (int64_t)(k * 7 + salt) * SOCIN_DEC_SCALE;
    }
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    free (v);
    free (vp);
    free (text);
    return rc;
}

/* ---- watching ---- */

/* Reporting applied everything the ingest holds. */
static bool
s_converged (void *arg)
{
    char out[8192], want[64];
    long long last = t_ctl_field (s_ingest, "backlog", "last_seq");
    if (last <= 0 || t_ctl (s_reporting->ctl, "sources", out, sizeof out)) return false;
    snprintf (want, sizeof want, REGION ":applied=%lld ", last);
    return strstr (out, want) != NULL;
}

static void s_reconnect_analyst (void);

/* A query; a reporting that has just started refuses our key until its registry replica
   knows it (and libzmq does not retry a refused handshake): connect again and ask again. */
static Socin__V1__ReportReply *
s_ask (Socin__V1__ReportRequest *req)
{
    char err[256];
    for (int i = 0; i < 10; i++) {
        ProtobufCMessage *reply = socin_client_call (
            s_analyst, &req->base, &socin__v1__report_reply__descriptor, 3000, err, sizeof err);
        if (reply) return (Socin__V1__ReportReply *)reply;
        s_reconnect_analyst ();
    }
    return NULL;
}

/* Every key and the kraj's monthly sums, against what was acknowledged. Returns the
   mismatches (printing the first few). */
static int
s_mismatches (void)
{
    int wrong = 0;
    for (int m = 0; m < NMONTHS; m++) {
        char period[16];
        snprintf (period, sizeof period, "2025%02d", m + 1);
        Socin__V1__ValuesQuery q = SOCIN__V1__VALUES_QUERY__INIT;
        q.indicator = INDICATOR;
        q.period = period;
        q.under = REGION;
        Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
        req.request_id = "values";
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_VALUES;
        req.values = &q;
        Socin__V1__ReportReply *reply = s_ask (&req);
        if (!reply || !reply->table) {
            if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
            return wrong + 1000;
        }
        __int128 sum = 0;
        for (int u = 0; u < s_nunits; u++) {
            const Socin__V1__Row *row = NULL;
            for (size_t i = 0; i < reply->table->n_rows && !row; i++)
                if (!strcmp (reply->table->rows[i]->unit, s_units[u])) row = reply->table->rows[i];
            socin_dec_t got = 0;
            char why[64];
            bool has =
                row && *row->value &&
                socin_dec_parse (row->value, strlen (row->value), &got, why, sizeof why) == 0;
            if (s_present[u][m]) sum += s_value[u][m];
            if (has != s_present[u][m] || (has && got != s_value[u][m])) {
                if (wrong++ < 5)
                    fprintf (stderr, "    %s %s: reporting has %s, acknowledged %s %lld\n",
                             s_units[u], period, row ? row->value : "nothing",
                             s_present[u][m] ? "value" : "deletion",
                             (long long)(s_value[u][m] / SOCIN_DEC_SCALE));
            }
        }
        protobuf_c_message_free_unpacked (&reply->base, NULL);
        Socin__V1__RollupQuery r = SOCIN__V1__ROLLUP_QUERY__INIT;
        r.indicator = INDICATOR;
        r.period = period;
        r.level = SOCIN__V1__LEVEL__LEVEL_KRAJ;
        r.under = REGION;
        req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
        req.rollup = &r;
        reply = s_ask (&req);
        char want[SOCIN_DEC_STRLEN] = "";
        bool any = false;
        for (int u = 0; u < s_nunits; u++)
            any = any || s_present[u][m];
        if (any) socin_dec_format ((socin_dec_t)sum, want, sizeof want);
        const char *got = reply && reply->table && reply->table->n_rows
                              ? reply->table->rows[0]->value
                              : "(no row)";
        if (strcmp (got, want) && wrong++ < 5)
            fprintf (stderr, "    %s %s: reporting's sum is %s, acknowledged %s\n", REGION, period,
                     got, want);
        if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    }
    return wrong;
}

static void
s_reconnect_analyst (void)
{
    char err[256];
    socin_client_destroy (&s_analyst);
    s_analyst = socin_client_new (s_query, s_rep_key, s_admin, 0, err, sizeof err);
}

/* ---- the cases ---- */

static void
test_killed_in_flight (void)
{
    CHECK_INT (s_submit (0, s_keys (), 1, 0), 0);
    CHECK (t_wait_for (s_converged, NULL, CONVERGE_MS));
    /* Reporting stops reading; the ingest acknowledges four more submissions and sends their
       batches, which reporting never applies: it is killed before it wakes. */
    kill (s_reporting->pid, SIGSTOP);
    for (int i = 0; i < 4; i++)
        CHECK_INT (s_submit (i * 20, 20, 2, 0), 0);
    zclock_sleep (1000);
    t_kill9 (s_reporting);
    CHECK_INT (t_restart (s_reporting), 0);
    s_reconnect_analyst ();
    /* No new submission: the ingest must notice on its own. */
    CHECK (t_wait_for (s_converged, NULL, CONVERGE_MS));
    CHECK_INT (s_mismatches (), 0);
}

static void
test_restored_from_backup (void)
{
    char backup[400], out[1024], cmd[1400];
    snprintf (backup, sizeof backup, "%s/reporting-backup", s_home);
    CHECK_INT (s_submit (0, s_keys (), 3, 0), 0);
    CHECK (t_wait_for (s_converged, NULL, CONVERGE_MS));
    snprintf (cmd, sizeof cmd, "backup %s", backup);
    CHECK_INT (t_ctl (s_reporting->ctl, cmd, out, sizeof out), 0);
    long long before = t_ctl_field (s_ingest, "backlog", "last_seq");
    /* After the backup: new keys, rewritten keys and deletions, all acknowledged, applied and
       trimmed from the ingest's outbox. */
    CHECK_INT (s_submit (0, s_keys () / 2, 4, 0), 0);
    CHECK_INT (s_submit (0, s_keys (), 5, 9), 0);
    CHECK_INT (s_submit (10, s_keys () / 3, 6, 4), 0);
    CHECK (t_wait_for (s_converged, NULL, CONVERGE_MS));
    zclock_sleep (1500); /* the ingest persists the acknowledgement from its cron */
    CHECK_INT (t_ctl_field (s_ingest, "backlog", "backlog_batches"), 0);
    CHECK (t_ctl_field (s_ingest, "backlog", "last_seq") > before);
    /* The restore, as docs/operations.md has it: stop, put the backup in place, start. */
    CHECK_INT (t_stop (s_reporting), 0);
    snprintf (
        cmd, sizeof cmd,
        "rm -f '%s/reporting/data.mdb' '%s/reporting/lock.mdb' && cp '%s/data.mdb' '%s/reporting/'",
        s_home, s_home, backup, s_home);
    CHECK_INT (system (cmd), 0);
    CHECK_INT (t_restart (s_reporting), 0);
    s_reconnect_analyst ();
    CHECK (t_wait_for (s_converged, NULL, CONVERGE_MS));
    CHECK_INT (s_mismatches (), 0);
}

static void
test_store_lost (void)
{
    char cmd[1200];
    CHECK_INT (t_stop (s_reporting), 0);
    snprintf (cmd, sizeof cmd, "rm -f '%s/reporting/data.mdb' '%s/reporting/lock.mdb'", s_home,
              s_home);
    CHECK_INT (system (cmd), 0);
    CHECK_INT (t_restart (s_reporting), 0);
    s_reconnect_analyst ();
    CHECK (t_wait_for (s_converged, NULL, CONVERGE_MS));
    CHECK_INT (s_mismatches (), 0);
}

static bool
s_refused (void *arg)
{
    char out[8192];
    return t_ctl (s_ingest->ctl, "backlog", out, sizeof out) == 0 &&
           strstr (out, "refused_code:STORAGE_FULL");
}

static void
test_store_full (void)
{
    /* The map may not grow any more: the next batches that do not fit are refused. */
    const char *full = "map_initial = 1M\nmap_max = 1M\n";
    CHECK_INT (t_write_file (s_rep_conf, full, strlen (full)), 0);
    kill (s_reporting->pid, SIGHUP);
    zclock_sleep (300);
    /* Every key rewritten with a long comment, again and again: reporting's history grows. */
    memset (s_comment, 'c', 900);
    s_comment_len = 900;
    for (int i = 0; i < 60 && !s_refused (NULL); i++)
        CHECK_INT (s_submit (0, s_nunits * NMONTHS, 100 + i, 0), 0);
    s_comment_len = 0;
    CHECK (t_wait_for (s_refused, NULL, CONVERGE_MS));
    /* Refused is what everyone says: reporting's sources and status, with a lag. */
    char out[16384];
    CHECK_INT (t_ctl (s_reporting->ctl, "sources", out, sizeof out), 0);
    CHECK_CONTAINS (out, "refused=STORAGE_FULL");
    CHECK (!strstr (out, "lag=0 "));
    CHECK_INT (t_ctl (s_reporting->ctl, "status", out, sizeof out), 0);
    CHECK_CONTAINS (out, "refused=STORAGE_FULL");
    size_t len;
    char *log = t_read_file (s_reporting->log, &len);
    CHECK_CONTAINS (log, "level=warn svc=reporting event=batch.refused");
    free (log);
    log = t_read_file (s_ingest->log, &len);
    CHECK_CONTAINS (log, "event=forward.refused code=STORAGE_FULL");
    free (log);
    /* Resends wait longer and longer: over three seconds the ingest sends no more than a few
       windows (64 batches each) again, where it sent thousands a second before. */
    long long sent0 = t_ctl_field (s_ingest, "backlog", "batches_sent");
    zclock_sleep (3000);
    long long sent1 = t_ctl_field (s_ingest, "backlog", "batches_sent");
    printf ("    batches sent again while refused, over 3 s: %lld\n", sent1 - sent0);
    CHECK (sent1 - sent0 <= 3 * 64);
    /* Space returns: everything arrives, and nothing is refused any more. */
    const char *room = "map_initial = 1M\nmap_max = 1G\n";
    CHECK_INT (t_write_file (s_rep_conf, room, strlen (room)), 0);
    kill (s_reporting->pid, SIGHUP);
    CHECK (t_wait_for (s_converged, NULL, 60000));
    CHECK_INT (t_ctl (s_reporting->ctl, "sources", out, sizeof out), 0);
    CHECK (!strstr (out, "refused=STORAGE_FULL"));
    CHECK_INT (s_mismatches (), 0);
}

/* Sends a message of a million frames to ENDPOINT (authenticating with CERT), then expects
   an answer of DESC whose error (at OFFSET of the reply, an Error *) is MALFORMED_MESSAGE. */
static Socin__V1__Error *
s_error_of (ProtobufCMessage *reply)
{
    if (!reply) return NULL;
    if (reply->descriptor == &socin__v1__report_reply__descriptor)
        return ((Socin__V1__ReportReply *)reply)->error;
    if (reply->descriptor == &socin__v1__ingest_reply__descriptor) {
        Socin__V1__IngestReply *r = (Socin__V1__IngestReply *)reply;
        return r->error ? r->error : r->summary ? r->summary->error : NULL;
    }
    if (reply->descriptor == &socin__v1__registry_reply__descriptor)
        return ((Socin__V1__RegistryReply *)reply)->error;
    if (reply->descriptor == &socin__v1__forward_reply__descriptor)
        return ((Socin__V1__ForwardReply *)reply)->error;
    return NULL;
}

static int
s_million_frames (const char *endpoint, const char *server_key, const char *cert_path,
                  const ProtobufCMessageDescriptor *desc)
{
    char err[512], key[SOCIN_KEY_LEN + 1];
    zcert_t *cert = zcert_load (cert_path);
    if (!cert || socin_keys_public (server_key, key, err, sizeof err)) {
        zcert_destroy (&cert);
        return SOCIN_E (INTERNAL);
    }
    zsock_t *sock = socin_wire_connect (ZMQ_DEALER, endpoint, cert, key, 0, err, sizeof err);
    zcert_destroy (&cert);
    if (!sock) return SOCIN_E (INTERNAL);
    zsock_set_sndtimeo (sock, 30000);
    zmsg_t *big = zmsg_new ();
    for (int i = 0; i < 1000000; i++)
        zmsg_addmem (big, "x", 1);
    int code = -1;
    if (zmsg_send (&big, sock) == 0) {
        zsock_set_rcvtimeo (sock, 30000);
        zframe_t *frame = zframe_recv (sock);
        if (frame) {
            ProtobufCMessage *reply =
                protobuf_c_message_unpack (desc, NULL, zframe_size (frame), zframe_data (frame));
            Socin__V1__Error *e = s_error_of (reply);
            code = e ? (int)e->code : 0;
            if (reply) protobuf_c_message_free_unpacked (reply, NULL);
            zframe_destroy (&frame);
        }
    }
    zmsg_destroy (&big);
    zsock_destroy (&sock);
    return code;
}

static void
test_million_frames (void)
{
    char reg_key[400], fwd_cert[400];
    snprintf (reg_key, sizeof reg_key, "%s/keys/registry.cert", s_home);
    snprintf (fwd_cert, sizeof fwd_cert, "%s/ingest/keys/server.cert", s_home);
    CHECK_INT (s_million_frames (s_reg, reg_key, s_admin, &socin__v1__registry_reply__descriptor),
               SOCIN_E (MALFORMED_MESSAGE));
    CHECK_INT (
        s_million_frames (s_ingest_ep, s_ingest_key, s_admin, &socin__v1__ingest_reply__descriptor),
        SOCIN_E (MALFORMED_MESSAGE));
    CHECK_INT (s_million_frames (s_query, s_rep_key, s_admin, &socin__v1__report_reply__descriptor),
               SOCIN_E (MALFORMED_MESSAGE));
    CHECK_INT (s_million_frames (s_fwd, s_rep_key, fwd_cert, &socin__v1__forward_reply__descriptor),
               SOCIN_E (MALFORMED_MESSAGE));
    /* Every daemon answers the next request, and the forwarding goes on. */
    CHECK_INT (s_submit (5, 20, 8, 0), 0);
    CHECK (t_wait_for (s_converged, NULL, CONVERGE_MS));
    CHECK_INT (s_mismatches (), 0);
    CHECK (t_registry_seq (s_registry) > 0);
}

static void
test_bad_requests (void)
{
    char err[256];
    /* Above max_message (1 MiB here), below the transport's limit: answered, not parsed. */
    zframe_t *big = zframe_new (NULL, 2u << 20);
    memset (zframe_data (big), 0x0a, zframe_size (big));
    socin_client_send_frame (s_analyst, &big);
    Socin__V1__ReportReply *reply = (Socin__V1__ReportReply *)socin_client_recv (
        s_analyst, &socin__v1__report_reply__descriptor, 30000, err, sizeof err);
    CHECK (reply && reply->error);
    if (reply && reply->error) CHECK_INT (reply->error->code, SOCIN_E (MESSAGE_TOO_LARGE));
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    size_t len;
    char *log = t_read_file (s_reporting->log, &len);
    CHECK_CONTAINS (log, "event=message.too_large");
    free (log);
    /* A request_id that is not UTF-8 is refused, and not echoed. */
    Socin__V1__SourcesQuery sq = SOCIN__V1__SOURCES_QUERY__INIT;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.request_id = "bad\xff\xfeid";
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_SOURCES;
    req.sources = &sq;
    socin_client_send (s_analyst, &req.base);
    zclock_sleep (200);
    reply = (Socin__V1__ReportReply *)socin_client_recv (
        s_analyst, &socin__v1__report_reply__descriptor, 30000, err, sizeof err);
    CHECK (reply && reply->error);
    if (reply && reply->error) {
        CHECK_INT (reply->error->code, SOCIN_E (INVALID_ARGUMENT));
        CHECK_STR (reply->error->field, "request_id");
        CHECK (socin_utf8_valid (reply->request_id, strlen (reply->request_id), NULL));
    }
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    /* A level the enum does not have. */
    Socin__V1__RollupQuery r = SOCIN__V1__ROLLUP_QUERY__INIT;
    r.indicator = INDICATOR;
    r.period = "202501";
    r.level = (Socin__V1__Level)999;
    req.request_id = "level";
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
    req.rollup = &r;
    reply = s_ask (&req);
    CHECK (reply && reply->error);
    if (reply && reply->error) {
        CHECK_INT (reply->error->code, SOCIN_E (INVALID_ARGUMENT));
        CHECK_STR (reply->error->field, "level");
    }
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
}

/* ---- the stack ---- */

static int
s_load_units (void)
{
    char err[512], key[400];
    snprintf (key, sizeof key, "%s/keys/registry.cert", s_home);
    socin_client_t *client = socin_client_new (s_reg, key, s_admin, 0, err, sizeof err);
    if (!client) return -1;
    Socin__V1__DescendantsQuery q = SOCIN__V1__DESCENDANTS_QUERY__INIT;
    q.code = REGION;
    q.level = SOCIN__V1__LEVEL__LEVEL_MUNICIPALITY;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.request_id = "u";
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_DESCENDANTS;
    req.descendants = &q;
    Socin__V1__RegistryReply *reply = (Socin__V1__RegistryReply *)socin_client_call (
        client, &req.base, &socin__v1__registry_reply__descriptor, 10000, err, sizeof err);
    socin_client_destroy (&client);
    if (!reply || !reply->records) return -1;
    for (size_t i = 0; i < reply->records->n_records && s_nunits < MAX_UNITS; i++)
        snprintf (s_units[s_nunits++], 8, "%s", reply->records->records[i]->unit->code);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return s_nunits > 0 ? 0 : -1;
}

static bool
s_start (void)
{
    snprintf (s_reg, sizeof s_reg, "ipc://%s/registry.ipc", s_home);
    snprintf (s_upd, sizeof s_upd, "ipc://%s/updates.ipc", s_home);
    snprintf (s_query, sizeof s_query, "ipc://%s/query.ipc", s_home);
    snprintf (s_fwd, sizeof s_fwd, "ipc://%s/forward.ipc", s_home);
    snprintf (s_ingest_ep, sizeof s_ingest_ep, "ipc://%s/ingest.ipc", s_home);
    snprintf (s_admin, sizeof s_admin, "%s/keys/admin.cert", s_home);
    snprintf (s_ingest_key, sizeof s_ingest_key, "%s/keys/ingest-" REGION ".cert", s_home);
    snprintf (s_rep_key, sizeof s_rep_key, "%s/keys/reporting.cert", s_home);
    snprintf (s_rep_conf, sizeof s_rep_conf, "%s/reporting.conf", s_home);
    const char *conf = "map_initial = 1M\nmap_max = 1G\n";
    if (t_write_file (s_rep_conf, conf, strlen (conf))) return false;
    const char *rargs[] = {"--endpoint", s_reg, "--updates", s_upd, NULL};
    s_registry = t_start ("socin-registry", "registry", s_home, rargs);
    const char *pargs[] = {
        "-c",         s_rep_conf, "--endpoint",         s_query, "--forward",     s_fwd,
        "--registry", s_reg,      "--registry-updates", s_upd,   "--max-message", "1M",
        NULL};
    s_reporting = s_registry ? t_start ("socin-reporting", "reporting", s_home, pargs) : NULL;
    const char *iargs[] = {"--source",           REGION,      "--territory", REGION,
                           "--endpoint",         s_ingest_ep, "--registry",  s_reg,
                           "--registry-updates", s_upd,       "--reporting", s_fwd,
                           "--batch-values",     "100",       NULL};
    s_ingest = s_reporting ? t_start ("socin-ingest", "ingest", s_home, iargs) : NULL;
    if (!s_ingest || s_load_units () || !t_wait_replica (s_ingest, s_registry, 20000) ||
        !t_wait_replica (s_reporting, s_registry, 20000))
        return false;
    char err[256];
    s_submitter = socin_client_new (s_ingest_ep, s_ingest_key, s_admin, 0, err, sizeof err);
    s_reconnect_analyst ();
    return s_submitter && s_analyst;
}

int
main (void)
{
    t_begin (s_home, sizeof s_home, "2026-03-15");
    if (!s_start ()) {
        printf ("FAIL - the stack starts\n0 passed, 1 failed\n");
        return 1;
    }
    RUN (test_killed_in_flight,
         "reporting killed while batches it had not applied were on their way "
         "converges with no new submission");
    RUN (test_restored_from_backup,
         "reporting restored from its own backup gets the batches acknowledged "
         "after it, trimmed from the ingest's outbox, and converges exactly");
    RUN (test_store_lost, "reporting that lost its store is rebuilt from the ingest, exactly");
    RUN (test_store_full,
         "reporting's full store: batches reported as refused (sources, status, lag, log), "
         "resends back off, everything arrives once space returns");
    RUN (test_million_frames,
         "a message of a million frames gets MALFORMED_MESSAGE from every daemon, "
         "which answers the next request");
    RUN (test_bad_requests,
         "reporting refuses a message above max_message (MESSAGE_TOO_LARGE), a request_id "
         "that is not UTF-8 and a level outside the enum (INVALID_ARGUMENT)");
    socin_client_destroy (&s_submitter);
    socin_client_destroy (&s_analyst);
    t_free (&s_ingest);
    t_free (&s_reporting);
    t_free (&s_registry);
    t_rmtree (s_home);
    return TEST_SUMMARY ();
}
