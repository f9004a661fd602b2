/*  socin-ingest: validated, idempotent, durable submissions, forwarded without loss.

    One per region. Submissions arrive on a ROUTER socket (many in flight per client). The
    loop takes waiting submissions round-robin per client (fair.h) and gives them to the
    checker (worker.h), a second thread that decodes each and validates it against the
    registry replica while the loop commits the group before (and, when the loop would wait
    for it, the loop checks the newest ones itself: socin_worker_help). The loop takes them back
    checked, in that order, up to group_max and no more once they hold group_values items or
    the runs that dirty about group_pages of the values' leaf pages (socin_store_runs_bound),
    applies them all in one LMDB transaction and commits it once (group commit), and only
    then answers each with its import summary. Every submission that changed anything becomes
    one change batch in the outbox, in the same transaction, which forward.c sends to
    reporting until acknowledged.

    The submitter is the CURVE key the handshake proved: the ZAP handler lets in only keys the
    replica knows as submitters, and every item is checked against that submitter's territory.
    A resent submission id gets its stored summary and changes nothing.
*/
#include <malloc.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "csv.h"
#include "arena.h"
#include "clock.h"
#include "daemon.h"
#include "approval.h"
#include "worker.h"
#include "fair.h"
#include "followup.h"
#include "ingestreq.h"
#include "forward.h"
#include "ledger.h"
#include "progress.h"
#include "log.h"
#include "mem.h"
#include "replica.h"
#include "validate.h"
#include "varint.h"
#include "socin/v1/ingest.pb-c.h"

typedef struct {
    socin_daemon_t *daemon;
    socin_config_t *config;
    socin_store_t *store;
    socin_replica_t *replica;
    ing_ledger_t *ledger;
    ing_forward_t *forward;
    zsock_t *router;
    ing_fair_t *fair;        /* submissions waiting for the checker */
    socin_worker_t *checker; /* decodes and validates them on its own thread (worker.h) */
    size_t checking_bytes, ahead_bytes; /* payload bytes given to it and not yet taken; limit */
    uint64_t gen; /* the replica's changes so far (a job checked before one is checked again) */
    int backlog_timer; /* armed while some wait and the socket may be quiet (-1: not) */
    const char *source;
    size_t max_message, max_items, group_max, group_values, group_pages;
    uint32_t event_lock_days;
    uint32_t *territory;
    size_t nterritory;
    uint64_t submissions, replays, refusals, groups, items, conflicts, dry_runs;
    uint64_t commit_us_total, commit_us_max;
} ingest_t;

static ingest_t s_ingest;

static const socin_config_key_t s_keys[] = {
    {"source", SOCIN_CFG_STRING, "CZ",
     "this ingest's source name (its region, e.g. CZ064); its key is registered under it"},
    {"territory", SOCIN_CFG_STRING, "",
     "unit codes this ingest accepts, comma-separated (empty: any the submitter may report)"},
    {"data_dir", SOCIN_CFG_STRING, "${home}/ingest-${source}",
     "directory of the ingest's LMDB store and its own key"},
    {"endpoint", SOCIN_CFG_STRING, "tcp://127.0.0.1:7721", "submissions (ROUTER, CURVE)"},
    {"registry", SOCIN_CFG_STRING, "tcp://127.0.0.1:7701", "the registry's request endpoint"},
    {"registry_updates", SOCIN_CFG_STRING, "tcp://127.0.0.1:7702",
     "the registry's update endpoint"},
    {"registry_key", SOCIN_CFG_STRING, "${keys_dir}/registry.cert",
     "the registry's public key (Z85 or certificate file)"},
    {"reporting", SOCIN_CFG_STRING, "tcp://127.0.0.1:7712", "reporting's forwarding endpoint"},
    {"reporting_key", SOCIN_CFG_STRING, "${keys_dir}/reporting.cert",
     "reporting's public key (Z85 or certificate file)"},
    {"max_message", SOCIN_CFG_SIZE, "16M", "largest submission accepted"},
    {"max_items", SOCIN_CFG_INT, "100000",
     "most items (values, events, measure reports) in one submission"},
    {"batch_values", SOCIN_CFG_INT, "10000",
     "most values in one change batch forwarded to reporting; a larger submission goes in several"},
    {"group_max", SOCIN_CFG_INT, "512", "most submissions committed together (one fsync)"},
    {"group_values", SOCIN_CFG_INT, "100000",
     "a group takes no more submissions once it holds this many items (bounds commit time and "
     "memory)"},
    {"group_pages", SOCIN_CFG_INT, "50000",
     "a group takes no more submissions once their values' runs would dirty about this many of "
     "the stored values' leaf pages (bounds the memory a transaction holds; 0: no bound)"},
    {"event_lock_days", SOCIN_CFG_INT, "730",
     "events older than this many days are refused as locked"},
    {NULL},
};

/* ---- replies ---- */

static void
s_reply (ingest_t *self, zmsg_t *envelope, Socin__V1__IngestReply *reply)
{
    socin_wire_send (self->router, envelope, &reply->base);
}

static void s_refuse (ingest_t *self, zmsg_t *envelope, const char *request_id,
                      const char *submission_id, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 6, 7)));

static void
s_refuse (ingest_t *self, zmsg_t *envelope, const char *request_id, const char *submission_id,
          int code, const char *fmt, ...)
{
    socin_error_msg_t e;
    va_list args;
    va_start (args, fmt);
    socin_error_msg_vset (&e, code, fmt, args);
    va_end (args);
    Socin__V1__IngestReply reply = SOCIN__V1__INGEST_REPLY__INIT;
    reply.request_id = (char *)(request_id ? request_id : "");
    Socin__V1__ImportSummary summary = SOCIN__V1__IMPORT_SUMMARY__INIT;
    if (submission_id) {
        /* A refused submission still gets an import summary, with the error in it. */
        summary.submission_id = (char *)submission_id;
        summary.status = SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_ERROR;
        summary.error = &e.error;
        summary.source = (char *)self->source;
        reply.body_case = SOCIN__V1__INGEST_REPLY__BODY_SUMMARY;
        reply.summary = &summary;
    } else {
        reply.body_case = SOCIN__V1__INGEST_REPLY__BODY_ERROR;
        reply.error = &e.error;
    }
    s_reply (self, envelope, &reply);
    self->refusals++;
    socin_info ("submission.refused", "id=%s code=%s reason=%s",
                socin_log_q (submission_id ? submission_id : request_id), socin_error_name (code),
                socin_log_q (e.text));
}

/* ---- submissions ---- */

typedef struct {
    ing_pending_t p;
    socin_arena_t *arena; /* the decoded request lives here */
    Socin__V1__IngestRequest *req;
    zmsg_t *envelope;
    int64_t received_us;
    int replay_of; /* index in the group of an earlier identical submission, or -1 */
} s_item_t;

/* The digest that tells a resend (same content) from a reused id: SHA-1 of the submission's
   bytes as received (field 2 of the IngestRequest), found by walking the top-level fields
   rather than packing the decoded message again. A client resends the bytes it sent. */
static void
s_digest (zframe_t *payload, uint8_t out[20])
{
    const unsigned char *p = zframe_data (payload), *end = p + zframe_size (payload);
    const unsigned char *start = p, *stop = p;
    socin_wire_field_t f;
    /* IngestRequest's fields are all length-delimited: anything else ends the walk. */
    while (p < end && socin_wire_field (&p, end, &f) && f.wire == SOCIN_WIRE_LEN)
        if (f.number == 2) {
            start = f.data;
            stop = f.data + f.len;
        }
    /* OpenSSL's SHA-1, the digest CZMQ's zdigest computes (stored digests were made with it):
       zdigest's portable code cost the ingest about a tenth of its work per value. It stays
       the fallback, should OpenSSL refuse SHA-1 (a policy may). */
    unsigned int len = 0;
    if (EVP_Digest (start, (size_t)(stop - start), out, &len, EVP_sha1 (), NULL) && len == 20)
        return;
    zdigest_t *d = zdigest_new ();
    zdigest_update (d, start, (size_t)(stop - start));
    memcpy (out, zdigest_data (d), 20);
    zdigest_destroy (&d);
}

static void
s_item_free (s_item_t *item)
{
    ing_checked_free (&item->p.checked);
    socin_arena_destroy (&item->arena);
    item->req = NULL;
    zmsg_destroy (&item->envelope);
}

static void
s_answer (ingest_t *self, s_item_t *item, int64_t now, bool replayed, const char *outcome)
{
    Socin__V1__ImportSummary summary = SOCIN__V1__IMPORT_SUMMARY__INIT;
    ing_ledger_summary (&item->p, self->source, now, &summary);
    summary.replayed = replayed;
    Socin__V1__IngestReply reply = SOCIN__V1__INGEST_REPLY__INIT;
    reply.request_id = item->req->request_id;
    reply.body_case = SOCIN__V1__INGEST_REPLY__BODY_SUMMARY;
    reply.summary = &summary;
    s_reply (self, item->envelope, &reply);
    double ms = (double)(zclock_usecs () - item->received_us) / 1000.0;
    socin_info (outcome,
                "id=%s submitter=%s imported=%u updated=%u ignored=%u deleted=%u rejected=%zu "
                "seq=%llu ms=%.1f",
                socin_log_q (item->p.sub->submission_id), socin_log_q (item->p.submitter),
                item->p.imported, item->p.updated, item->p.ignored, item->p.deleted,
                item->p.checked.nconflicts, (unsigned long long)item->p.seq, ms);
}

/* Sends the stored answer of an earlier submission with the same id. */
static void
s_replay (ingest_t *self, zmsg_t *envelope, const char *request_id, const uint8_t *packed,
          size_t len)
{
    Socin__V1__ImportSummary *summary = socin__v1__import_summary__unpack (NULL, len, packed);
    if (!summary) {
        s_refuse (self, envelope, request_id, NULL, SOCIN_E (INTERNAL),
                  "the stored summary cannot be read");
        return;
    }
    summary->replayed = true;
    if (summary->source != protobuf_c_empty_string) free (summary->source);
    summary->source = socin_strdup (self->source);
    Socin__V1__IngestReply reply = SOCIN__V1__INGEST_REPLY__INIT;
    reply.request_id = (char *)request_id;
    reply.body_case = SOCIN__V1__INGEST_REPLY__BODY_SUMMARY;
    reply.summary = summary;
    s_reply (self, envelope, &reply);
    self->replays++;
    socin_info ("submission.replayed", "id=%s", socin_log_q (summary->submission_id));
    socin__v1__import_summary__free_unpacked (summary, NULL);
}

static void
s_history (ingest_t *self, zmsg_t *envelope, const char *request_id, const char *peer,
           const Socin__V1__HistoryQuery *q)
{
    socin_model_t *m = socin_replica_model (self->replica);
    socin_submitter_t *sub = socin_model_submitter_by_key (m, peer);
    socin_unit_t *unit = socin_model_unit (m, q->unit);
    socin_indicator_t *ind = socin_model_indicator (m, q->indicator);
    if (!sub || !unit || !ind || !socin_submitter_covers (sub, unit)) {
        s_refuse (self, envelope, request_id, NULL,
                  !unit || !ind ? SOCIN_E (NOT_FOUND) : SOCIN_E (PERMISSION_DENIED), "%s",
                  !unit  ? "unknown unit"
                  : !ind ? "unknown indicator"
                         : "the unit is outside the submitter's territory");
        return;
    }
    char disagg[256], why[200], key[ING_KEY_MAX];
    socin_period_t period;
    size_t keylen;
    if (socin_period_parse (q->period, &period, why, sizeof why) ||
        socin_model_disaggregation (m, ind, q->disaggregation, disagg, sizeof disagg, why,
                                    sizeof why)) {
        s_refuse (self, envelope, request_id, NULL, SOCIN_E (INVALID_ARGUMENT), "%s", why);
        return;
    }
    char ptext[SOCIN_PERIOD_STRLEN];
    socin_period_format (period, ptext, sizeof ptext);
    if (ing_value_key (ind->code, unit->code, ptext, disagg, key, &keylen)) {
        s_refuse (self, envelope, request_id, NULL, SOCIN_E (INVALID_ARGUMENT),
                  "the value's key is too long");
        return;
    }
    Socin__V1__ValueHistory history = SOCIN__V1__VALUE_HISTORY__INIT;
    ing_ledger_history (self->ledger, key, keylen, self->source, &history);
    Socin__V1__IngestReply reply = SOCIN__V1__INGEST_REPLY__INIT;
    reply.request_id = (char *)request_id;
    reply.body_case = SOCIN__V1__INGEST_REPLY__BODY_HISTORY;
    reply.history = &history;
    s_reply (self, envelope, &reply);
    ing_ledger_history_free (&history);
}

/* ---- checking (on the checker's thread: nothing here touches the store or a socket) ---- */

/* What the check made of a received message. */
enum { S_JOB_REFUSED, S_JOB_HISTORY, S_JOB_SUBMISSION };

/* A received message on its way through the checker (worker.h). */
typedef struct {
    socin_wire_msg_t msg;
    s_item_t item;   /* the decoded request and, for a submission, its checked items */
    int32_t today;   /* the day it was received, for the checks of periods and dates */
    uint64_t gen;    /* the replica's generation it was given to the checker in */
    size_t bytes;    /* its payload's, counted in checking_bytes while the checker holds it */
    int kind;        /* S_JOB_* */
    const char *rid; /* the request id to answer with ("" until decoded) */
    int code;        /* S_JOB_REFUSED: the error code, the text, the submission id */
    char text[600];
    char sid[81];
    bool has_sid;
} s_job_t;

static void s_job_refuse (s_job_t *job, const char *sid, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/* Records the refusal the loop sends: with a summary for submission id SID, else an error. */
static void
s_job_refuse (s_job_t *job, const char *sid, int code, const char *fmt, ...)
{
    job->kind = S_JOB_REFUSED;
    job->code = code;
    job->has_sid = sid != NULL;
    if (sid) snprintf (job->sid, sizeof job->sid, "%s", sid);
    va_list args;
    va_start (args, fmt);
    vsnprintf (job->text, sizeof job->text, fmt, args);
    va_end (args);
}

/* The request in JOB's message, decoded into its item's new arena; NULL when refused. */
static Socin__V1__IngestRequest *
s_decode (ingest_t *self, s_job_t *job)
{
    zframe_t *payload = job->msg.payload;
    if (payload && zframe_size (payload) > self->max_message) {
        s_job_refuse (job, NULL, SOCIN_E (MESSAGE_TOO_LARGE),
                      "the message has %zu bytes; at most %zu are accepted (split the submission)",
                      zframe_size (payload), self->max_message);
        return NULL;
    }
    job->item.arena = socin_arena_new ();
    Socin__V1__IngestRequest *req =
        payload ? socin_ingest_request_unpack (socin_arena_allocator (job->item.arena),
                                               zframe_size (payload), zframe_data (payload))
                : NULL;
    if (!req)
        s_job_refuse (job, NULL, SOCIN_E (MALFORMED_MESSAGE),
                      "the message is not a socin.v1.IngestRequest");
    return req;
}

/* Refuses a submission id that is not one. */
static void
s_bad_id (s_job_t *job, const char *sid)
{
    /* Echoed in the answer: cut to a readable length and kept valid UTF-8 (as conflict
       values are), or clients in other languages cannot decode the refusal. */
    char shown[81];
    size_t len = strlen (sid), bad;
    if (len > 80) len = 80;
    if (!socin_utf8_valid (sid, len, &bad)) len = bad;
    memcpy (shown, sid, len);
    shown[len] = 0;
    s_job_refuse (job, shown, SOCIN_E (BAD_SUBMISSION_ID),
                  "submission_id \"%s\" must be 1 to 64 characters of A-Z a-z 0-9 . _ : -", shown);
}

/* Who submits REQ's submission, when it may be taken at all; NULL when refused. */
static socin_submitter_t *
s_submitter (ingest_t *self, s_job_t *job, const Socin__V1__IngestRequest *req)
{
    const Socin__V1__Submission *sub = req->submission;
    const char *sid = sub->submission_id;
    if (!ing_submission_id_ok (sid)) {
        s_bad_id (job, sid);
        return NULL;
    }
    socin_submitter_t *submitter =
        socin_model_submitter_by_key (socin_replica_model (self->replica), job->msg.peer);
    if (!submitter) {
        s_job_refuse (job, sid, SOCIN_E (PERMISSION_DENIED), "key %s is not a registered submitter",
                      job->msg.peer);
        return NULL;
    }
    size_t nitems =
        sub->n_values + sub->n_events + sub->n_measures + sub->n_followups + sub->n_approvals;
    if (nitems > self->max_items) {
        s_job_refuse (job, sid, SOCIN_E (BATCH_TOO_LARGE),
                      "the submission has %zu items; at most %zu are accepted in one (split it)",
                      nitems, self->max_items);
        return NULL;
    }
    return submitter;
}

/* Decodes JOB's request and, for a submission, takes its digest and validates every item
   against the replica (socin_work_fn: on the checker's thread, or on the loop's to check a job
   again after the registry changed). */
static void
s_check (void *arg_job, void *arg)
{
    ingest_t *self = arg;
    s_job_t *job = arg_job;
    s_item_t *item = &job->item;
    /* A job checked before is checked anew: only its receipt time stays. */
    int64_t received = item->received_us;
    s_item_free (item);
    memset (item, 0, sizeof *item);
    item->received_us = received;
    job->kind = S_JOB_REFUSED;
    job->rid = "";
    job->has_sid = false;
    Socin__V1__IngestRequest *req = s_decode (self, job);
    if (!req) return;
    item->req = req;
    /* A request_id that is not UTF-8 is not echoed (the request itself may still be good:
       its submission id is checked on its own); an enum value outside its enum refuses it. */
    req->request_id = (char *)socin_wire_id_echo (req->request_id);
    job->rid = req->request_id;
    char field[64], why[256];
    if (socin_wire_request_check (&req->base, field, sizeof field, why, sizeof why)) {
        s_job_refuse (job, NULL, SOCIN_E (INVALID_ARGUMENT), "%s", why);
        return;
    }
    if (req->body_case == SOCIN__V1__INGEST_REQUEST__BODY_HISTORY) {
        job->kind = S_JOB_HISTORY;
        return;
    }
    if (req->body_case != SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION) {
        s_job_refuse (job, NULL, SOCIN_E (UNSUPPORTED),
                      "the request has no body this ingest knows");
        return;
    }
    socin_submitter_t *submitter = s_submitter (self, job, req);
    if (!submitter) return;
    const Socin__V1__Submission *sub = req->submission;
    ing_pending_t *p = &item->p;
    p->sub = sub;
    p->submitter = submitter->code;
    p->submitter_key = submitter->key;
    s_digest (job->msg.payload, p->digest);
    ing_context_t ctx = {socin_replica_model (self->replica),
                         submitter,
                         self->territory,
                         self->nterritory,
                         job->today,
                         self->event_lock_days};
    ing_validate (&ctx, sub, &p->checked);
    ing_progress_validate (&ctx, sub, &p->checked);
    ing_followup_validate (&ctx, sub, &p->checked);
    ing_approval_validate (&ctx, sub, &p->checked);
    job->kind = S_JOB_SUBMISSION;
}

static void
s_job_destroy (s_job_t **job_p)
{
    s_job_t *job = *job_p;
    if (!job) return;
    s_item_free (&job->item);
    socin_wire_msg_release (&job->msg);
    free (job);
    *job_p = NULL;
}

/* socin_job_free_fn: a job the checker held at the stop (never answered: the client resends). */
static void
s_job_drop (void *job, void *arg)
{
    s_job_t *j = job;
    s_job_destroy (&j);
}

/* ---- admitting checked jobs into a group (on the loop's thread) ---- */

static void
s_id_reused (ingest_t *self, zmsg_t *envelope, const char *request_id, const ing_pending_t *p)
{
    s_refuse (self, envelope, request_id, p->sub->submission_id, SOCIN_E (SUBMISSION_ID_REUSED),
              "submission id %s was used before by %s for other content; use a new id",
              p->sub->submission_id, p->submitter);
}

/* A resend of ITEM's submission: answered from the stored answer (true), refused when the
   content differs (true), or marked a replay of an earlier item of GROUP (false, as for a
   new submission). */
static bool
s_resent (ingest_t *self, socin_wire_msg_t *msg, const char *request_id, s_item_t *item,
          s_item_t *group, size_t ngroup)
{
    ing_pending_t *p = &item->p;
    const char *sid = p->sub->submission_id;
    uint8_t digest[20], *packed = NULL;
    size_t len = 0;
    if (ing_ledger_find (self->ledger, p->submitter_key, sid, digest, &packed, &len) == 0) {
        if (memcmp (digest, p->digest, 20))
            s_id_reused (self, msg->envelope, request_id, p);
        else
            s_replay (self, msg->envelope, request_id, packed, len);
        free (packed);
        return true;
    }
    for (size_t i = 0; i < ngroup; i++) {
        if (group[i].p.sub->dry_run || strcmp (group[i].p.submitter_key, p->submitter_key) ||
            strcmp (group[i].p.sub->submission_id, sid))
            continue;
        if (memcmp (group[i].p.digest, p->digest, 20)) {
            s_id_reused (self, msg->envelope, request_id, p);
            return true;
        }
        item->replay_of = (int)i;
        break;
    }
    return false;
}

/* Sends what JOB's check decided when it needs no commit (a refusal, a history) and returns
   false; for a submission to apply, moves it into ITEM and returns true (GROUP holds the
   NGROUP items admitted before it). */
static bool
s_admit (ingest_t *self, s_job_t *job, s_item_t *item, s_item_t *group, size_t ngroup)
{
    socin_wire_msg_t *msg = &job->msg;
    if (job->kind == S_JOB_REFUSED) {
        s_refuse (self, msg->envelope, job->rid, job->has_sid ? job->sid : NULL, job->code, "%s",
                  job->text);
        return false;
    }
    if (job->kind == S_JOB_HISTORY) {
        s_history (self, msg->envelope, job->rid, msg->peer, job->item.req->history);
        return false;
    }
    const Socin__V1__Submission *sub = job->item.req->submission;
    if (socin_daemon_draining (self->daemon)) {
        s_refuse (self, msg->envelope, job->rid, sub->submission_id, SOCIN_E (UNAVAILABLE),
                  "this ingest is shutting down; resend to it when it is back");
        return false;
    }
    job->item.replay_of = -1;
    if (!sub->dry_run && s_resent (self, msg, job->rid, &job->item, group, ngroup)) return false;
    *item = job->item;
    memset (&job->item, 0, sizeof job->item);
    item->envelope = msg->envelope;
    msg->envelope = NULL;
    return true;
}

static void
s_commit_group (ingest_t *self, s_item_t *group, size_t n)
{
    ing_pending_t **real = socin_calloc (n + 1, sizeof *real),
                  **dry = socin_calloc (n + 1, sizeof *dry);
    size_t nreal = 0, ndry = 0, runs = 0;
    for (size_t i = 0; i < n; i++) {
        if (group[i].replay_of >= 0) continue;
        if (group[i].p.sub->dry_run)
            dry[ndry++] = &group[i].p;
        else {
            real[nreal++] = &group[i].p;
            runs += group[i].p.checked.runs;
        }
        self->items +=
            group[i].p.sub->n_values + group[i].p.sub->n_events + group[i].p.sub->n_measures;
    }
    int64_t now = socin_now_ms ();
    char err[1024];
    socin_store_rc_t rc = SOCIN_STORE_OK;
    if (ndry) rc = ing_ledger_apply (self->ledger, dry, ndry, now, true, err, sizeof err);
    if (rc == SOCIN_STORE_OK)
        for (size_t i = 0; i < n; i++)
            if (group[i].p.sub->dry_run) {
                s_answer (self, &group[i], now, false, "submission.checked");
                self->dry_runs++;
                self->conflicts += group[i].p.checked.nconflicts;
            }
    int64_t t0 = zclock_usecs ();
    socin_store_rc_t rrc =
        nreal ? ing_ledger_apply (self->ledger, real, nreal, now, false, err, sizeof err)
              : SOCIN_STORE_OK;
    int64_t us = zclock_usecs () - t0;
    if (nreal) {
        self->groups++;
        self->commit_us_total += (uint64_t)us;
        if ((uint64_t)us > self->commit_us_max) self->commit_us_max = (uint64_t)us;
        if (rrc == SOCIN_STORE_OK)
            socin_info ("group.committed", "submissions=%zu runs=%zu ms=%.1f", nreal, runs,
                        (double)us / 1000.0);
    }
    for (size_t i = 0; i < n; i++) {
        s_item_t *item = &group[i];
        bool is_dry = item->p.sub->dry_run;
        socin_store_rc_t my = is_dry ? rc : rrc;
        if (my != SOCIN_STORE_OK) {
            s_refuse (self, item->envelope, item->req->request_id, item->p.sub->submission_id,
                      my == SOCIN_STORE_FULL ? SOCIN_E (STORAGE_FULL) : SOCIN_E (STORAGE_ERROR),
                      "nothing was stored: %s", err);
            continue;
        }
        if (is_dry) continue;
        if (item->replay_of >= 0) {
            /* The same submission twice in one group: the second gets the first's answer. */
            s_item_t *first = &group[item->replay_of];
            item->p.imported = first->p.imported;
            item->p.updated = first->p.updated;
            item->p.ignored = first->p.ignored;
            item->p.deleted = first->p.deleted;
            item->p.seq = first->p.seq;
            item->p.status = first->p.status;
            ing_checked_t saved = item->p.checked;
            item->p.checked = first->p.checked;
            s_answer (self, item, now, true, "submission.replayed");
            item->p.checked = saved;
            self->replays++;
            continue;
        }
        s_answer (self, item, now, false, "submission.accepted");
        self->submissions++;
        /* Counted once applied: checks against the stored state refuse values as they go. */
        self->conflicts += item->p.checked.nconflicts;
    }
    free (real);
    free (dry);
    if (nreal && rrc == SOCIN_STORE_OK) ing_forward_pump (self->forward);
    /* The commit mapped part of the store: let go of it once it adds up (see store.h). */
}

/* What may wait in the fair queue: the ROUTER is read until this much waits (what stays on
   the socket is read round-robin per connection by libzmq when there is room again). */
#define S_WAITING_MAX   4096
#define S_WAITING_BYTES ((size_t)256 << 20)

/* Moves what waits on the ROUTER into the fair queue. */
static void
s_gather (ingest_t *self)
{
    socin_wire_msg_t msg;
    while (ing_fair_waiting (self->fair) < S_WAITING_MAX &&
           ing_fair_bytes (self->fair) < S_WAITING_BYTES &&
           socin_wire_recv (self->router, &msg) == 0)
        ing_fair_put (self->fair, &msg);
}

/* A job for MSG (taken from the fair queue), stamped now. */
static s_job_t *
s_job_new (ingest_t *self, socin_wire_msg_t *msg)
{
    s_job_t *job = socin_calloc (1, sizeof *job);
    job->msg = *msg;
    job->item.received_us = zclock_usecs ();
    job->today = socin_date_today ();
    job->gen = self->gen;
    job->bytes = msg->payload ? zframe_size (msg->payload) : 0;
    return job;
}

/* Jobs given to the checker and not yet taken back. */
static size_t
s_checking (ingest_t *self)
{
    size_t given;
    socin_worker_counts (self->checker, &given, NULL);
    return given;
}

/* Gives the checker what waits in the fair queue, in its round-robin order, until it holds
   about one group's worth: the next group, checked while the one before commits. More would
   let a flood hold back another client's submission longer (fair.h). */
static void
s_feed (ingest_t *self)
{
    socin_wire_msg_t msg;
    while (s_checking (self) < self->group_max && self->checking_bytes < self->ahead_bytes &&
           ing_fair_take (self->fair, &msg) == 0) {
        s_job_t *job = s_job_new (self, &msg);
        self->checking_bytes += job->bytes;
        socin_worker_put (self->checker, job);
    }
}

/* A submission that arrived alone, with nothing in the checker's hands, checked on the loop:
   there is no commit to overlap with, and handing it to the other thread would only add the
   handover to its answer's latency. NULL unless that is the case. */
static s_job_t *
s_alone (ingest_t *self)
{
    socin_wire_msg_t msg;
    if (s_checking (self) || ing_fair_waiting (self->fair) != 1 || ing_fair_take (self->fair, &msg))
        return NULL;
    s_job_t *job = s_job_new (self, &msg);
    s_check (job, self);
    return job;
}

/* The oldest job given to the checker once checked, checked again here when the registry
   changed since it was given; NULL when none is ready. */
static s_job_t *
s_checked (ingest_t *self)
{
    s_job_t *job = socin_worker_take (self->checker);
    if (!job) return NULL;
    self->checking_bytes -= job->bytes;
    if (job->gen != self->gen) s_check (job, self);
    return job;
}

/* Whether a group is to be taken from the checker now: once it has checked everything given
   (about a group, see s_feed) or a whole group's count. Taking less while it still checks
   would make small groups, each with its own commit. */
static bool
s_group_ready (ingest_t *self)
{
    size_t given, checked;
    socin_worker_counts (self->checker, &given, &checked);
    return checked && (checked >= self->group_max || checked == given);
}

/* The most runs the next group takes: those that dirty about group_pages of the values' leaf
   pages as of the last commit (none while the tree has no more than that). */
static size_t
s_runs_max (ingest_t *self)
{
    return socin_store_runs_bound (self->group_pages, ing_ledger_leaf_pages (self->ledger));
}

/* One group commit of the checked submissions, in the order they were taken from the fair
   queue (round-robin per client, see fair.h); FIRST, when given, is the oldest (s_alone). */
static void
s_group (ingest_t *self, s_job_t *first)
{
    if (!first && !s_group_ready (self)) return;
    s_item_t *group = socin_calloc (self->group_max, sizeof *group);
    size_t n = 0, items = 0, runs = 0, runs_max = s_runs_max (self);
    s_job_t *job = first;
    while (n < self->group_max && items < self->group_values && runs < runs_max &&
           (job || (job = s_checked (self)))) {
        if (s_admit (self, job, &group[n], group, n)) {
            items +=
                group[n].p.sub->n_values + group[n].p.sub->n_events + group[n].p.sub->n_measures;
            runs += group[n].p.checked.runs;
            n++;
        }
        s_job_destroy (&job);
    }
    /* The checker goes on with the next submissions while this group commits. */
    s_feed (self);
    if (n) s_commit_group (self, group, n);
    for (size_t i = 0; i < n; i++)
        s_item_free (&group[i]);
    free (group);
}

static int s_on_backlog (zloop_t *loop, int timer_id, void *arg);

/* One group per wake, so the loop's other work (ZAP, forwarding, control) runs in between.
   The checker's descriptor wakes the loop for what it checks meanwhile; a group left ready
   gets the next wake even when nothing new arrives. */
static void
s_serve (ingest_t *self)
{
    s_gather (self);
    s_group (self, s_alone (self));
    s_gather (self);
    s_feed (self);
    /* While the checker is behind, the loop checks the newest submissions it has not started
       instead of waiting for it: with both cores busy the checker waits for one, and the
       loop would sleep meanwhile (socin_worker_help). */
    while (!s_group_ready (self) && socin_worker_help (self->checker))
        ;
    if (s_group_ready (self) && self->backlog_timer < 0)
        self->backlog_timer =
            zloop_timer (socin_daemon_loop (self->daemon), 1, 1, s_on_backlog, self);
}

static int
s_on_backlog (zloop_t *loop, int timer_id, void *arg)
{
    ingest_t *self = arg;
    self->backlog_timer = -1;
    s_serve (self);
    return 0;
}

static int
s_on_submissions (zloop_t *loop, zsock_t *sock, void *arg)
{
    s_serve (arg);
    return 0;
}

static int
s_on_checked (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    ingest_t *self = arg;
    socin_worker_clear (self->checker);
    s_serve (self);
    return 0;
}

/* ---- wiring ---- */

static void
s_resolve_territory (ingest_t *self)
{
    free (self->territory);
    self->territory = NULL;
    self->nterritory = 0;
    const char *list = socin_config_str (self->config, "territory");
    if (!*list) return;
    socin_model_t *m = socin_replica_model (self->replica);
    char *copy = socin_strdup (list), *save = NULL;
    for (char *code = strtok_r (copy, ", ", &save); code; code = strtok_r (NULL, ", ", &save)) {
        socin_unit_t *u = socin_model_unit (m, code);
        if (!u) {
            if (socin_replica_ready (self->replica))
                socin_warn ("territory.unknown_unit", "code=%s", socin_log_q (code));
            continue;
        }
        self->territory =
            socin_realloc (self->territory, (self->nterritory + 1) * sizeof *self->territory);
        self->territory[self->nterritory++] = u->id;
    }
    free (copy);
}

/* The replica is about to change the model the checker reads: let the checker finish what it
   holds, and have every job checked before the change checked again when it is taken. */
static void
s_on_registry_before (void *arg)
{
    ingest_t *self = arg;
    if (self->checker) socin_worker_drain (self->checker);
    self->gen++;
}

static void
s_on_registry_change (void *arg, bool units)
{
    ingest_t *self = arg;
    if (units) s_resolve_territory (self);
}

static bool
s_authorize (const char *domain, const char *key, void *arg)
{
    ingest_t *self = arg;
    return socin_model_submitter_by_key (socin_replica_model (self->replica), key) != NULL;
}

static int
s_start (socin_daemon_t *daemon, void *arg)
{
    ingest_t *self = arg;
    self->daemon = daemon;
    self->config = socin_daemon_config (daemon);
    self->store = socin_daemon_store (daemon);
    self->source = socin_config_str (self->config, "source");
    self->max_message = socin_config_size (self->config, "max_message");
    self->max_items = (size_t)socin_config_int (self->config, "max_items");
    self->group_max = (size_t)socin_config_int (self->config, "group_max");
    if (self->group_max < 1) self->group_max = 1;
    self->group_values = (size_t)socin_config_int (self->config, "group_values");
    int64_t group_pages = socin_config_int (self->config, "group_pages");
    self->group_pages = group_pages > 0 ? (size_t)group_pages : 0;
    self->event_lock_days = (uint32_t)socin_config_int (self->config, "event_lock_days");
    zcert_t *cert = socin_daemon_cert (daemon);

    self->ledger = ing_ledger_new (self->store);
    int64_t batch_values = socin_config_int (self->config, "batch_values");
    ing_ledger_set_batch_values (self->ledger, batch_values > 0 ? (size_t)batch_values : 1);
    socin_replica_opts_t ropts = {socin_config_str (self->config, "registry"),
                                  socin_config_str (self->config, "registry_updates"),
                                  socin_config_str (self->config, "registry_key")};
    self->replica = socin_replica_new (self->store, cert, &ropts);
    socin_replica_on_before_change (self->replica, s_on_registry_before, self);
    socin_replica_on_change (self->replica, s_on_registry_change, self);
    s_resolve_territory (self);
    self->forward =
        ing_forward_new (self->ledger, cert, socin_config_str (self->config, "reporting"),
                         socin_config_str (self->config, "reporting_key"), self->source);

    char err[1024], path[1200];
    snprintf (path, sizeof path, "%s/ingest-%s.cert", socin_config_str (self->config, "keys_dir"),
              self->source);
    if (socin_keys_publish (cert, path, self->source, "ingest", err, sizeof err))
        socin_warn ("keys.publish_failed", "reason=%s", socin_log_q (err));
    self->router = socin_wire_bind (ZMQ_ROUTER, socin_config_str (self->config, "endpoint"), cert,
                                    "submit", self->max_message, err, sizeof err);
    if (!self->router) {
        socin_error ("endpoint.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    zloop_t *loop = socin_daemon_loop (daemon);
    socin_daemon_watch (daemon, self->router, "submissions", self->max_message);
    self->fair = ing_fair_new ();
    self->backlog_timer = -1;
    /* One malloc arena for every thread: what the checker allocates the loop frees. And heap
       kept up to 64 MiB above what is in use: the checker's group is decoded while the one
       before is still held, and a heap trimmed back after each took its pages from the
       kernel again every group (page faults, about a tenth more CPU per value). */
    mallopt (M_ARENA_MAX, 1);
    mallopt (M_MMAP_THRESHOLD, 16 << 20);
    mallopt (M_TRIM_THRESHOLD, 64 << 20);
    /* About a group of submissions (a value takes ~34 bytes on the wire) in the checker's
       hands. */
    self->ahead_bytes =
        self->group_values * 48 > ((size_t)1 << 20) ? self->group_values * 48 : ((size_t)1 << 20);
    self->checker = socin_worker_new ("ingest-checker", s_check, s_job_drop, self);
    if (!self->checker) {
        socin_error ("checker.failed", "reason=%s", socin_log_q ("cannot start its thread"));
        return -1;
    }
    zloop_reader (loop, self->router, s_on_submissions, self);
    zmq_pollitem_t checked = {NULL, socin_worker_fd (self->checker), ZMQ_POLLIN, 0};
    zloop_poller (loop, &checked, s_on_checked, self);
    socin_replica_attach (self->replica, loop);
    ing_forward_attach (self->forward, loop);
    socin_info ("ingest.serving", "source=%s endpoint=%s last_seq=%llu acked_seq=%llu",
                socin_log_q (self->source), socin_config_str (self->config, "endpoint"),
                (unsigned long long)ing_ledger_last_seq (self->ledger),
                (unsigned long long)ing_ledger_acked_seq (self->ledger));
    return 0;
}

static void
s_cron (socin_daemon_t *daemon, void *arg)
{
    ingest_t *self = arg;
    socin_replica_tick (self->replica);
    ing_forward_tick (self->forward);
}

static void
s_stop (socin_daemon_t *daemon, void *arg)
{
    ingest_t *self = arg;
    socin_worker_destroy (&self->checker);
    ing_forward_destroy (&self->forward);
    socin_replica_destroy (&self->replica);
    ing_ledger_destroy (&self->ledger);
    ing_fair_destroy (&self->fair);
    zsock_destroy (&self->router);
    free (self->territory);
}

static void
s_status (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    ingest_t *self = arg;
    uint64_t values, events;
    ing_ledger_counts (self->ledger, &values, &events);
    socin_str_printf (out, "# Ingest\nsource:%s\nendpoint:%s\nvalues:%llu\nevents:%llu\n",
                      self->source, socin_config_str (self->config, "endpoint"),
                      (unsigned long long)values, (unsigned long long)events);
    socin_replica_status (self->replica, out);
    ing_forward_status (self->forward, out);
}

static void
s_stats (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    ingest_t *self = arg;
    size_t runs_max = s_runs_max (self);
    uint64_t swept, redone;
    ing_ledger_sweeps (self->ledger, &swept, &redone);
    socin_str_printf (
        out,
        "# Ingest\nsubmissions:%llu\nreplays:%llu\nrefused:%llu\ndry_runs:%llu\n"
        "items:%llu\nconflicts:%llu\ngroup_commits:%llu\ncommit_ms_avg:%.2f\n"
        "commit_ms_max:%.2f\nsubmissions_waiting:%zu\nsubmissions_checking:%zu\n"
        "values_leaf_pages:%zu\ngroup_runs_bound:%zu\nswept_submissions:%llu\n"
        "sweeps_redone:%llu\n",
        (unsigned long long)self->submissions, (unsigned long long)self->replays,
        (unsigned long long)self->refusals, (unsigned long long)self->dry_runs,
        (unsigned long long)self->items, (unsigned long long)self->conflicts,
        (unsigned long long)self->groups,
        self->groups ? (double)self->commit_us_total / (double)self->groups / 1000.0 : 0.0,
        (double)self->commit_us_max / 1000.0, ing_fair_waiting (self->fair), s_checking (self),
        ing_ledger_leaf_pages (self->ledger), runs_max == SIZE_MAX ? (size_t)0 : runs_max,
        (unsigned long long)swept, (unsigned long long)redone);
}

static int
s_cmd_backlog (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    ingest_t *self = arg;
    ing_forward_status (self->forward, out);
    return SOCIN_CTL_OK;
}

static int
s_cmd_pause (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    ingest_t *self = arg;
    ing_forward_pause (self->forward, true);
    socin_info ("forward.paused", NULL);
    socin_str_puts (
        out, "forwarding paused: submissions are still accepted; resume sends the backlog\n");
    return SOCIN_CTL_OK;
}

static int
s_cmd_resume (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    ingest_t *self = arg;
    ing_forward_pause (self->forward, false);
    socin_info ("forward.resumed", NULL);
    socin_str_puts (out, "forwarding resumed\n");
    return SOCIN_CTL_OK;
}

static int
s_cmd_history (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    ingest_t *self = arg;
    char key[ING_KEY_MAX];
    size_t keylen;
    if (ing_value_key (argv[1], argv[2], argv[3], argc > 4 ? argv[4] : "", key, &keylen)) {
        socin_str_puts (out, "the key is too long");
        return SOCIN_CTL_ERROR;
    }
    Socin__V1__ValueHistory history = SOCIN__V1__VALUE_HISTORY__INIT;
    ing_ledger_history (self->ledger, key, keylen, self->source, &history);
    if (!history.n_entries) socin_str_puts (out, "no value was ever stored under this key\n");
    for (size_t i = 0; i < history.n_entries; i++) {
        Socin__V1__HistoryEntry *e = history.entries[i];
        char when[SOCIN_TIME_STRLEN];
        socin_str_printf (out, "%s seq=%llu %s -> %s submitter=%s submission=%s",
                          socin_time_text (e->changed_ms, when), (unsigned long long)e->source_seq,
                          *e->old_value ? e->old_value : "(none)",
                          e->deleted ? "(deleted)" : e->new_value, e->submitter, e->submission_id);
        if (*e->stored_by || e->followup)
            socin_str_printf (out, " stored_by=%s followup=%s", socin_log_q (e->stored_by),
                              e->followup ? "yes" : "no");
        socin_str_puts (out, "\n");
    }
    ing_ledger_history_free (&history);
    return SOCIN_CTL_OK;
}

static const socin_ctl_cmd_t s_commands[] = {
    {"backlog", NULL, "change batches not yet acknowledged by reporting", s_cmd_backlog, 0, 0},
    {"pause", NULL, "stop forwarding (submissions are still accepted)", s_cmd_pause, 0, 0},
    {"resume", NULL, "resume forwarding", s_cmd_resume, 0, 0},
    {"history", "INDICATOR UNIT PERIOD [DISAGGREGATION]", "every change of one value",
     s_cmd_history, 3, 4},
    {NULL},
};

int
main (int argc, char **argv)
{
    socin_service_t service = {
        .name = "ingest",
        .keys = s_keys,
        .commands = s_commands,
        .start = s_start,
        .authorize = s_authorize,
        .status = s_status,
        .stats = s_stats,
        .cron = s_cron,
        .stop = s_stop,
        .arg = &s_ingest,
    };
    return socin_daemon_main (&service, argc, argv);
}
