/*  intake: change batches from the ingests, acknowledged, with credit. See intake.h. */
#include "intake.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "decode.h"
#include "error.h"
#include "log.h"
#include "mem.h"
#include "wire.h"
#include "worker.h"
#include "socin/v1/forward.pb-c.h"

struct rep_intake_t {
    rep_apply_t *apply;
    socin_store_t *store;
    socin_replica_t *replica;
    rep_cube_t *cube;
    rep_events_t *events;
    rep_intake_limits_t limits;
    zsock_t *sock;
    zloop_t *loop;
    socin_worker_t *decoder; /* decodes the next batches while a group commits (worker.h) */
    struct s_job_t *held;    /* decoded, left for the next group (it would pass a bound) */
    size_t decoding_bytes;   /* payload bytes given to the decoder and not taken back */
    int backlog_timer;       /* a group left ready gets the next wake (-1: none set) */
};

/* A received message on its way through the decoder. */
typedef struct s_job_t {
    socin_wire_msg_t msg;
    char source[128];              /* the sending ingest (looked up on the loop) */
    socin_arena_t *arena;          /* what the decoder made lives here */
    Socin__V1__ForwardMessage *fm; /* NULL: not a ForwardMessage */
    size_t runs;                   /* a batch's runs (s_runs) */
    size_t bytes;                  /* the payload's size */
} s_job_t;

/* A batch received, waiting for the group's transaction. */
typedef struct {
    rep_batch_t batch;
    socin_arena_t *arena; /* the decoded message lives here */
    zmsg_t *envelope;
    char source[128];
} s_pending_t;

/* The group being gathered: at most group_max batches, their values and runs. */
typedef struct {
    s_pending_t *items;
    size_t n, values, runs;
    size_t runs_max; /* s_runs_max */
} s_group_t;

rep_intake_t *
rep_intake_new (rep_apply_t *apply, socin_store_t *store, socin_replica_t *replica,
                rep_cube_t *cube, rep_events_t *events, const rep_intake_limits_t *limits)
{
    rep_intake_t *self = socin_calloc (1, sizeof *self);
    self->apply = apply;
    self->store = store;
    self->replica = replica;
    self->cube = cube;
    self->events = events;
    self->limits = *limits;
    if (self->limits.window < 1) self->limits.window = 1;
    if (self->limits.group_max < 1) self->limits.group_max = 1;
    self->backlog_timer = -1;
    return self;
}

static void s_job_destroy (s_job_t **job_p);
static void s_job_drop (void *job, void *arg);

void
rep_intake_destroy (rep_intake_t **self_p)
{
    rep_intake_t *self = *self_p;
    if (!self) return;
    /* Batches decoded and not applied were never acknowledged: their ingests send them again. */
    socin_worker_destroy (&self->decoder);
    s_job_destroy (&self->held);
    if (self->backlog_timer >= 0) zloop_timer_end (self->loop, self->backlog_timer);
    free (self);
    *self_p = NULL;
}

/* ---- answers ---- */

static void
s_reply (rep_intake_t *self, zmsg_t *envelope, Socin__V1__ForwardReply *reply)
{
    socin_wire_send (self->sock, envelope, &reply->base);
}

static void
s_error (rep_intake_t *self, zmsg_t *envelope, int code, const char *text)
{
    Socin__V1__Error error = SOCIN__V1__ERROR__INIT;
    error.code = code;
    error.message = (char *)text;
    Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
    reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_ERROR;
    reply.error = &error;
    s_reply (self, envelope, &reply);
}

static void
s_ack (rep_intake_t *self, zmsg_t *envelope, const char *source)
{
    Socin__V1__Ack ack = SOCIN__V1__ACK__INIT;
    ack.applied_seq = rep_apply_applied (self->apply, source);
    ack.window = self->limits.window;
    Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
    reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_ACK;
    reply.ack = &ack;
    s_reply (self, envelope, &reply);
}

static void
s_resend (rep_intake_t *self, const s_pending_t *p)
{
    Socin__V1__Resend resend = SOCIN__V1__RESEND__INIT;
    resend.from_seq = rep_apply_applied (self->apply, p->source) + 1;
    Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
    reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_RESEND;
    reply.resend = &resend;
    s_reply (self, p->envelope, &reply);
    socin_info ("batch.gap", "source=%s seq=%llu expected=%llu", socin_log_q (p->source),
                (unsigned long long)p->batch.batch->seq, (unsigned long long)resend.from_seq);
}

static void
s_welcome (rep_intake_t *self, zmsg_t *envelope, const char *source, const Socin__V1__Hello *hello)
{
    rep_apply_first_contact (self->apply, source); /* the Welcome says where to start */
    rep_apply_contact (self->apply, source, hello->last_seq);
    if (strcmp (hello->source, source))
        socin_warn ("forward.source_mismatch", "key_source=%s hello_source=%s",
                    socin_log_q (source), socin_log_q (hello->source));
    Socin__V1__Welcome w = SOCIN__V1__WELCOME__INIT;
    w.source = (char *)source;
    w.applied_seq = rep_apply_applied (self->apply, source);
    w.window = self->limits.window;
    Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
    reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_WELCOME;
    reply.welcome = &w;
    s_reply (self, envelope, &reply);
    socin_info ("source.hello", "source=%s applied=%llu announced=%llu", socin_log_q (source),
                (unsigned long long)w.applied_seq, (unsigned long long)hello->last_seq);
}

/* The source kept its connection across our restart: ask for everything after what this
   store applied, which may be less than it saw acknowledged (a backup restored, a store lost). */
static void
s_resync (rep_intake_t *self, zmsg_t *envelope, const char *source, uint64_t announced)
{
    Socin__V1__Resync rs = SOCIN__V1__RESYNC__INIT;
    rs.from_seq = rep_apply_applied (self->apply, source) + 1;
    rs.reason = "reporting started";
    Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
    reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_RESYNC;
    reply.resync = &rs;
    s_reply (self, envelope, &reply);
    socin_info ("source.resync", "source=%s from=%llu announced=%llu", socin_log_q (source),
                (unsigned long long)rs.from_seq, (unsigned long long)announced);
}

static void
s_heartbeat (rep_intake_t *self, zmsg_t *envelope, const char *source,
             const Socin__V1__ForwardHeartbeat *heard)
{
    rep_apply_contact (self->apply, source, heard->seq);
    if (rep_apply_first_contact (self->apply, source)) {
        s_resync (self, envelope, source, heard->seq);
        return;
    }
    Socin__V1__ForwardHeartbeat hb = SOCIN__V1__FORWARD_HEARTBEAT__INIT;
    hb.seq = rep_apply_applied (self->apply, source);
    hb.time_ms = socin_now_ms ();
    Socin__V1__ForwardReply reply = SOCIN__V1__FORWARD_REPLY__INIT;
    reply.body_case = SOCIN__V1__FORWARD_REPLY__BODY_HEARTBEAT;
    reply.heartbeat = &hb;
    s_reply (self, envelope, &reply);
}

/* ---- receiving ---- */

/* The runs of BATCH's values: consecutive values of one unit and period (rep_intake_limits_t).
   A feed's batch of 10,000 values holds about 250, a scattered one nearly 10,000. */
static size_t
s_runs (const Socin__V1__ChangeBatch *batch)
{
    size_t runs = batch->n_values ? 1 : 0;
    for (size_t i = 1; i < batch->n_values; i++) {
        const Socin__V1__ValueChange *a = batch->values[i - 1], *b = batch->values[i];
        runs += strcmp (a->unit, b->unit) || strcmp (a->period, b->period);
    }
    return runs;
}

/* socin_work_fn: decodes JOB's payload into a new arena, and counts a batch's runs. Runs on
   the decoder's thread (or on the loop's, for a message that arrived alone: s_group): it
   reads nothing but the job. */
static void
s_decode (void *arg, void *ctx)
{
    s_job_t *job = arg;
    job->arena = socin_arena_new ();
    job->fm = rep_decode_forward (job->arena, zframe_data (job->msg.payload),
                                  zframe_size (job->msg.payload));
    if (!job->fm)
        socin_arena_destroy (&job->arena);
    else if (job->fm->body_case == SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH)
        job->runs = s_runs (job->fm->batch);
}

static void
s_job_destroy (s_job_t **job_p)
{
    s_job_t *job = *job_p;
    if (!job) return;
    socin_arena_destroy (&job->arena);
    socin_wire_msg_release (&job->msg);
    free (job);
    *job_p = NULL;
}

/* socin_job_free_fn: a job the decoder held at the stop. */
static void
s_job_drop (void *job, void *arg)
{
    s_job_t *j = job;
    s_job_destroy (&j);
}

/* MSG as a job to decode, or NULL when it is refused at once: its key is no registered ingest,
   or it is larger than max_message or empty. MSG is the job's, or released. */
static s_job_t *
s_job_new (rep_intake_t *self, socin_wire_msg_t *msg)
{
    socin_peer_t *peer = socin_model_peer_by_key (socin_replica_model (self->replica), msg->peer);
    if (!peer || peer->pb->role != SOCIN_ROLE_INGEST)
        s_error (self, msg->envelope, SOCIN_E (PERMISSION_DENIED),
                 "this key is not a registered ingest");
    else if (!msg->payload)
        s_error (self, msg->envelope, SOCIN_E (MALFORMED_MESSAGE),
                 "the message is not a socin.v1.ForwardMessage");
    else if (zframe_size (msg->payload) > self->limits.max_message)
        s_error (self, msg->envelope, SOCIN_E (MESSAGE_TOO_LARGE),
                 "the batch is larger than max_message");
    else {
        s_job_t *job = socin_calloc (1, sizeof *job);
        job->msg = *msg;
        snprintf (job->source, sizeof job->source, "%s", peer->code);
        job->bytes = zframe_size (msg->payload);
        return job;
    }
    socin_wire_msg_release (msg);
    return NULL;
}

/* Batches given to the decoder and not yet taken back. */
static size_t
s_decoding (rep_intake_t *self)
{
    size_t given = 0;
    if (self->decoder) socin_worker_counts (self->decoder, &given, NULL);
    return given;
}

/* The decoder's share of what may be read ahead: about a group's batches, at most this many
   bytes (a group of 100,000 values is about 3.4 MB on the wire). */
#define S_AHEAD_BYTES ((size_t)64 << 20)

/* Gives the decoder what waits on the socket, until it holds about one group's batches: the
   next group, decoded while the one before commits. The rest waits on the socket, where each
   ingest's credit window bounds it. A message that arrives alone, with the decoder idle and
   nothing left over, is returned to be decoded on the loop instead (s_group). */
static s_job_t *
s_receive (rep_intake_t *self, bool alone_ok)
{
    socin_wire_msg_t msg;
    s_job_t *first = NULL;
    while (s_decoding (self) < self->limits.group_max && self->decoding_bytes < S_AHEAD_BYTES &&
           socin_wire_recv (self->sock, &msg) == 0) {
        s_job_t *job = s_job_new (self, &msg);
        if (!job) continue;
        if (alone_ok && !first && !self->held && !s_decoding (self)) {
            first = job; /* decoded on the loop unless another message follows */
            continue;
        }
        if (first) {
            self->decoding_bytes += first->bytes;
            socin_worker_put (self->decoder, first);
            first = NULL;
            alone_ok = false;
        }
        self->decoding_bytes += job->bytes;
        socin_worker_put (self->decoder, job);
    }
    return first;
}

/* The oldest job given to the decoder once decoded, else NULL. */
static s_job_t *
s_decoded (rep_intake_t *self)
{
    s_job_t *job = socin_worker_take (self->decoder);
    if (job) self->decoding_bytes -= job->bytes;
    return job;
}

/* Whether a group is to be taken now: one was left over, or the decoder has decoded
   everything it was given or a whole group's count. Taking less while it still decodes would
   make small groups, each with its own commit. */
static bool
s_group_ready (rep_intake_t *self)
{
    if (self->held) return true;
    size_t given, done;
    socin_worker_counts (self->decoder, &given, &done);
    return done && (done >= self->limits.group_max || done == given);
}

/* Takes decoded JOB: answers a Hello or a heartbeat at once, refuses what is not a
   ForwardMessage; a batch joins GROUP (true: JOB is the group's now). */
static bool
s_take (rep_intake_t *self, s_job_t *job, s_group_t *group)
{
    socin_wire_msg_t *msg = &job->msg;
    if (!job->fm) {
        s_error (self, msg->envelope, SOCIN_E (MALFORMED_MESSAGE),
                 "the message is not a socin.v1.ForwardMessage");
        return false;
    }
    Socin__V1__ForwardMessage *fm = job->fm;
    switch (fm->body_case) {
    case SOCIN__V1__FORWARD_MESSAGE__BODY_HELLO:
        s_welcome (self, msg->envelope, job->source, fm->hello);
        return false;
    case SOCIN__V1__FORWARD_MESSAGE__BODY_HEARTBEAT:
        s_heartbeat (self, msg->envelope, job->source, fm->heartbeat);
        return false;
    case SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH:
        break;
    default:
        s_error (self, msg->envelope, SOCIN_E (UNSUPPORTED), "unknown forward message");
        return false;
    }
    rep_apply_first_contact (self->apply, job->source); /* a gap or a duplicate says the rest */
    rep_apply_contact (self->apply, job->source, 0);
    s_pending_t *p = &group->items[group->n++];
    p->arena = job->arena;
    job->arena = NULL;
    p->batch.batch = fm->batch;
    snprintf (p->source, sizeof p->source, "%s", job->source);
    p->batch.source = p->source;
    p->envelope = msg->envelope;
    msg->envelope = NULL;
    group->values += fm->batch->n_values;
    group->runs += job->runs;
    return true;
}

/* The most runs the next group takes: group_runs when set, and the runs that dirty about
   group_pages of the values' leaf pages (rep_intake_limits_t). */
static size_t
s_runs_max (rep_intake_t *self)
{
    size_t fixed = self->limits.group_runs ? self->limits.group_runs : SIZE_MAX,
           paged = socin_store_runs_bound (self->limits.group_pages,
                                           rep_apply_leaf_pages (self->apply));
    return fixed < paged ? fixed : paged;
}

/* Whether batch JOB would take GROUP past group_values or its runs bound (a first batch
   always fits: a group is never empty for want of room). */
static bool
s_too_many (rep_intake_t *self, const s_group_t *group, const s_job_t *job)
{
    if (!group->n || !job->fm || job->fm->body_case != SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH)
        return false;
    return group->values + job->fm->batch->n_values > self->limits.group_values ||
           group->runs + job->runs > group->runs_max;
}

/* ---- applying ---- */

/* Answers batch I of GROUP after the transaction (RC, ERR): one answer per source, after its
   last batch of the group; a gap asks for a resend. */
static void
s_answer (rep_intake_t *self, s_group_t *group, size_t i, socin_store_rc_t rc, const char *err)
{
    s_pending_t *p = &group->items[i];
    if (rc != SOCIN_STORE_OK) {
        s_error (self, p->envelope,
                 rc == SOCIN_STORE_FULL ? SOCIN_E (STORAGE_FULL) : SOCIN_E (STORAGE_ERROR), err);
        return;
    }
    bool later = false;
    for (size_t j = i + 1; j < group->n && !later; j++)
        later = !strcmp (group->items[j].source, p->source);
    if (p->batch.outcome == REP_GAP)
        s_resend (self, p);
    else if (!later)
        s_ack (self, p->envelope, p->source);
    if (p->batch.outcome == REP_APPLIED)
        socin_debug ("batch.applied", "source=%s seq=%llu values=%zu events=%zu",
                     socin_log_q (p->source), (unsigned long long)p->batch.batch->seq,
                     p->batch.batch->n_values, p->batch.batch->n_events);
}

/* Applies GROUP's batches in one transaction, then answers each. */
static void
s_apply (rep_intake_t *self, s_group_t *group)
{
    rep_batch_t *batches = socin_calloc (group->n, sizeof *batches);
    for (size_t i = 0; i < group->n; i++)
        batches[i] = group->items[i].batch;
    char err[1024];
    int64_t t0 = zclock_usecs ();
    socin_store_rc_t rc =
        rep_apply_batches (self->apply, batches, group->n, socin_replica_model (self->replica),
                           self->cube, self->events, err, sizeof err);
    double ms = (double)(zclock_usecs () - t0) / 1000.0;
    for (size_t i = 0; i < group->n; i++) {
        group->items[i].batch.outcome = batches[i].outcome;
        s_answer (self, group, i, rc, err);
    }
    if (rc != SOCIN_STORE_OK)
        socin_error ("batch.store_failed", "batches=%zu reason=%s", group->n, socin_log_q (err));
    else
        socin_info ("batches.applied", "batches=%zu values=%zu ms=%.1f", group->n, group->values,
                    ms);
    /* A transaction maps much of the store: let go of it once it adds up (see store.h). */
    free (batches);
}

/* One group's transaction of the decoded batches, in the order they were received; FIRST,
   when given, is a message that arrived alone (s_receive), not yet decoded. */
static void
s_group (rep_intake_t *self, s_job_t *first)
{
    if (first)
        s_decode (first, self);
    else if (!s_group_ready (self))
        return;
    s_group_t group = {.items = socin_calloc (self->limits.group_max, sizeof *group.items),
                       .runs_max = s_runs_max (self)};
    s_job_t *job = first;
    while (group.n < self->limits.group_max) {
        if (!job) {
            job = self->held;
            self->held = NULL;
        }
        if (!job && !(job = s_decoded (self))) break;
        if (s_too_many (self, &group, job)) {
            self->held = job;
            break;
        }
        s_take (self, job, &group);
        s_job_destroy (&job);
    }
    /* The decoder goes on with the next batches while this group commits. */
    s_receive (self, false);
    if (group.n) s_apply (self, &group);
    for (size_t i = 0; i < group.n; i++) {
        socin_arena_destroy (&group.items[i].arena);
        zmsg_destroy (&group.items[i].envelope);
    }
    free (group.items);
}

static int s_on_backlog (zloop_t *loop, int timer_id, void *arg);

/* One group per wake, so the loop's other work (queries, the registry, control) runs in
   between. The decoder's descriptor wakes the loop for what it decodes meanwhile; a group
   left ready gets the next wake even when nothing new arrives. */
static void
s_serve (rep_intake_t *self)
{
    s_group (self, s_receive (self, true));
    s_receive (self, false);
    if (s_group_ready (self) && self->backlog_timer < 0)
        self->backlog_timer = zloop_timer (self->loop, 1, 1, s_on_backlog, self);
}

static int
s_on_backlog (zloop_t *loop, int timer_id, void *arg)
{
    rep_intake_t *self = arg;
    self->backlog_timer = -1;
    s_serve (self);
    return 0;
}

static int
s_on_forward (zloop_t *loop, zsock_t *sock, void *arg)
{
    s_serve (arg);
    return 0;
}

static int
s_on_decoded (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    rep_intake_t *self = arg;
    socin_worker_clear (self->decoder);
    s_serve (self);
    return 0;
}

int
rep_intake_attach (rep_intake_t *self, zloop_t *loop, zsock_t *sock)
{
    self->sock = sock;
    self->loop = loop;
    self->decoder = socin_worker_new ("rep-decoder", s_decode, s_job_drop, self);
    if (!self->decoder) return -1;
    zmq_pollitem_t decoded = {NULL, socin_worker_fd (self->decoder), ZMQ_POLLIN, 0};
    zloop_poller (loop, &decoded, s_on_decoded, self);
    zloop_reader (loop, sock, s_on_forward, self);
    return 0;
}

void
rep_intake_stats (rep_intake_t *self, socin_str_t *out)
{
    size_t bound = s_runs_max (self);
    socin_str_printf (
        out, "# Intake\nbatches_decoding:%zu\nvalues_leaf_pages:%zu\ngroup_runs_bound:%zu\n",
        s_decoding (self) + (self->held ? 1 : 0), rep_apply_leaf_pages (self->apply),
        bound == SIZE_MAX ? 0 : bound);
}
