/*  intake: change batches from the ingests, acknowledged, with credit. See intake.h. */
#include "intake.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "decode.h"
#include "error.h"
#include "log.h"
#include "mem.h"
#include "wire.h"
#include "socin/v1/forward.pb-c.h"

struct rep_intake_t {
    rep_apply_t *apply;
    socin_store_t *store;
    socin_replica_t *replica;
    rep_cube_t *cube;
    rep_events_t *events;
    rep_intake_limits_t limits;
    zsock_t *sock;
};

/* A batch received, waiting for the group's transaction. */
typedef struct {
    rep_batch_t batch;
    socin_arena_t *arena; /* the decoded message lives here */
    zmsg_t *envelope;
    char source[128];
} s_pending_t;

/* The group being gathered: at most group_max batches; its values and runs, and those of
   the last batch taken. */
typedef struct {
    s_pending_t *items;
    size_t n, values, last, runs, last_runs;
} s_group_t;

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
    return self;
}

void
rep_intake_destroy (rep_intake_t **self_p)
{
    free (*self_p);
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

/* The source name of MSG's sender, or NULL (refused) when it is no registered ingest. */
static const char *
s_source_of (rep_intake_t *self, const socin_wire_msg_t *msg)
{
    socin_peer_t *peer = socin_model_peer_by_key (socin_replica_model (self->replica), msg->peer);
    if (!peer || peer->pb->role != SOCIN_ROLE_INGEST) {
        s_error (self, msg->envelope, SOCIN_E (PERMISSION_DENIED),
                 "this key is not a registered ingest");
        return NULL;
    }
    return peer->code;
}

/* MSG's ForwardMessage decoded into a new *ARENA, or NULL (refused). */
static Socin__V1__ForwardMessage *
s_decode (rep_intake_t *self, const socin_wire_msg_t *msg, socin_arena_t **arena)
{
    if (msg->payload && zframe_size (msg->payload) > self->limits.max_message) {
        s_error (self, msg->envelope, SOCIN_E (MESSAGE_TOO_LARGE),
                 "the batch is larger than max_message");
        return NULL;
    }
    *arena = socin_arena_new ();
    Socin__V1__ForwardMessage *fm =
        msg->payload
            ? rep_decode_forward (*arena, zframe_data (msg->payload), zframe_size (msg->payload))
            : NULL;
    if (!fm) {
        socin_arena_destroy (arena);
        s_error (self, msg->envelope, SOCIN_E (MALFORMED_MESSAGE),
                 "the message is not a socin.v1.ForwardMessage");
    }
    return fm;
}

/* Adds batch FM (its ARENA and MSG's envelope now the group's) from SOURCE to GROUP. */
static void
s_join (s_group_t *group, socin_wire_msg_t *msg, const char *source, Socin__V1__ForwardMessage *fm,
        socin_arena_t *arena)
{
    s_pending_t *p = &group->items[group->n++];
    p->arena = arena;
    p->batch.batch = fm->batch;
    snprintf (p->source, sizeof p->source, "%s", source);
    p->batch.source = p->source;
    p->envelope = msg->envelope;
    msg->envelope = NULL;
    group->values += fm->batch->n_values;
    group->last = fm->batch->n_values;
    group->last_runs = s_runs (fm->batch);
    group->runs += group->last_runs;
}

/* Takes one message: answers a Hello or a heartbeat at once, adds a batch to GROUP. */
static void
s_take (rep_intake_t *self, socin_wire_msg_t *msg, s_group_t *group)
{
    const char *source = s_source_of (self, msg);
    socin_arena_t *arena = NULL;
    Socin__V1__ForwardMessage *fm = source ? s_decode (self, msg, &arena) : NULL;
    if (!fm) return;
    switch (fm->body_case) {
    case SOCIN__V1__FORWARD_MESSAGE__BODY_HELLO:
        s_welcome (self, msg->envelope, source, fm->hello);
        break;
    case SOCIN__V1__FORWARD_MESSAGE__BODY_HEARTBEAT:
        s_heartbeat (self, msg->envelope, source, fm->heartbeat);
        break;
    case SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH:
        rep_apply_first_contact (self->apply, source); /* a gap or a duplicate says the rest */
        rep_apply_contact (self->apply, source, 0);
        s_join (group, msg, source, fm, arena);
        return;
    default:
        s_error (self, msg->envelope, SOCIN_E (UNSUPPORTED), "unknown forward message");
    }
    socin_arena_destroy (&arena);
}

/* Reads what waits on SOCK into GROUP. Bounded groups: a transaction's dirty pages stay few,
   and acknowledgements come soon. A batch's size is known only once it is read: the group
   stops when one more batch like the last would pass group_values or group_runs. */
static void
s_gather (rep_intake_t *self, zsock_t *sock, s_group_t *group)
{
    socin_wire_msg_t msg;
    while (group->n < self->limits.group_max &&
           (group->values == 0 || (group->values + group->last <= self->limits.group_values &&
                                   group->runs + group->last_runs <= self->limits.group_runs)) &&
           socin_wire_recv (sock, &msg) == 0) {
        s_take (self, &msg, group);
        socin_wire_msg_release (&msg);
    }
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

static int
s_on_forward (zloop_t *loop, zsock_t *sock, void *arg)
{
    rep_intake_t *self = arg;
    s_group_t group = {.items = socin_calloc (self->limits.group_max, sizeof *group.items)};
    s_gather (self, sock, &group);
    if (group.n) s_apply (self, &group);
    for (size_t i = 0; i < group.n; i++) {
        socin_arena_destroy (&group.items[i].arena);
        zmsg_destroy (&group.items[i].envelope);
    }
    free (group.items);
    return 0;
}

void
rep_intake_attach (rep_intake_t *self, zloop_t *loop, zsock_t *sock)
{
    self->sock = sock;
    zloop_reader (loop, sock, s_on_forward, self);
}
