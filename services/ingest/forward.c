/*  forward: change batches to reporting with acknowledgements and credit. See forward.h. */
#include "forward.h"

#include <string.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "resync.h"
#include "wire.h"
#include "socin/v1/forward.pb-c.h"

#define HEARTBEAT_MS   1000
#define SILENCE_MS     5000
#define STALL_MS       3000
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000

struct ing_forward_t {
    ing_ledger_t *ledger;
    ing_resync_t *resync; /* batches the outbox no longer holds, rebuilt when asked for */
    zcert_t *cert;
    char *endpoint, *server_key, *source;
    char key[SOCIN_KEY_LEN + 1];
    zloop_t *loop;
    zsock_t *sock;
    bool welcomed, paused;
    uint64_t acked;     /* reporting applied everything up to here */
    uint64_t next_send; /* the next batch to send */
    uint32_t window;
    /* sent_at: anything sent (heartbeats are due when idle); batch_at: a batch sent (the
       resend rule looks at this one only: heartbeats never postpone a resend) */
    int64_t heard_at, sent_at, batch_at, acked_at, connected_at, tried_at;
    /* Retryable refusals (reporting cannot store now): nothing is sent before hold_until,
       and each refusal while holding doubles the wait (up to BACKOFF_MAX_MS). */
    int64_t hold_until, backoff_ms;
    int refused_code;
    uint64_t sent, resent, acks, reconnects, refusals, resyncs;
    char reported_source[128];
};

ing_forward_t *
ing_forward_new (ing_ledger_t *ledger, zcert_t *cert, const char *endpoint, const char *server_key,
                 const char *source)
{
    ing_forward_t *self = socin_calloc (1, sizeof *self);
    self->ledger = ledger;
    self->resync = ing_resync_new (ing_ledger_store (ledger));
    self->cert = cert;
    self->endpoint = socin_strdup (endpoint);
    self->server_key = socin_strdup (server_key);
    self->source = socin_strdup (source);
    self->acked = ing_ledger_acked_seq (ledger);
    self->next_send = self->acked + 1;
    return self;
}

static void
s_disconnect (ing_forward_t *self)
{
    if (self->sock) {
        zloop_reader_end (self->loop, self->sock);
        zsock_destroy (&self->sock);
    }
    self->welcomed = false;
}

void
ing_forward_destroy (ing_forward_t **self_p)
{
    ing_forward_t *self = *self_p;
    if (!self) return;
    s_disconnect (self);
    ing_resync_destroy (&self->resync);
    free (self->endpoint);
    free (self->server_key);
    free (self->source);
    free (self);
    *self_p = NULL;
}

static void
s_send (ing_forward_t *self, Socin__V1__ForwardMessage *msg)
{
    socin_wire_send (self->sock, NULL, &msg->base);
    self->sent_at = socin_mono_ms ();
}

static void
s_hello (ing_forward_t *self)
{
    Socin__V1__Hello hello = SOCIN__V1__HELLO__INIT;
    hello.source = self->source;
    hello.last_seq = ing_ledger_last_seq (self->ledger);
    Socin__V1__ForwardMessage msg = SOCIN__V1__FORWARD_MESSAGE__INIT;
    msg.body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_HELLO;
    msg.hello = &hello;
    s_send (self, &msg);
}

void
ing_forward_pump (ing_forward_t *self)
{
    if (!self->sock || !self->welcomed || self->paused) return;
    if (self->hold_until && socin_mono_ms () < self->hold_until) return;
    uint64_t last = ing_ledger_last_seq (self->ledger);
    while (self->next_send <= last && self->next_send <= self->acked + self->window) {
        zframe_t *frame = ing_ledger_outbox_frame (self->ledger, self->next_send);
        /* Trimmed after an acknowledgement that reporting has since lost: rebuilt. */
        uint64_t trimmed = ing_ledger_acked_seq (self->ledger);
        if (!frame && self->next_send <= trimmed)
            frame = ing_resync_frame (self->resync, self->next_send, trimmed);
        if (frame) {
            if (zframe_send (&frame, self->sock, ZFRAME_DONTWAIT)) {
                zframe_destroy (&frame);
                break;
            }
            self->sent++;
            self->sent_at = self->batch_at = socin_mono_ms ();
        }
        self->next_send++;
    }
}

static void
s_on_ack (ing_forward_t *self, uint64_t applied, uint32_t window)
{
    if (applied > self->acked) {
        self->acked = applied;
        self->acked_at = socin_mono_ms ();
        if (self->refused_code)
            socin_info ("forward.accepted_again", "applied=%llu refusals=%llu",
                        (unsigned long long)applied, (unsigned long long)self->refusals);
        /* Progress: reporting stores again. */
        self->refused_code = 0;
        self->backoff_ms = 0;
        self->hold_until = 0;
    }
    if (self->next_send <= self->acked) self->next_send = self->acked + 1;
    self->window = window;
    self->acks++;
}

/* Reporting has applied only up to APPLIED: send everything after it again. Below what it
   acknowledged before (reporting restored from a backup, or its store lost) the batches are
   rebuilt from the values and history when the outbox no longer holds them. */
static void
s_rewind (ing_forward_t *self, uint64_t applied, const char *why)
{
    if (applied < self->acked) {
        socin_warn ("forward.resync", "from=%llu acked=%llu reason=%s",
                    (unsigned long long)applied + 1, (unsigned long long)self->acked,
                    socin_log_q (why));
        self->acked = applied;
        self->resyncs++;
    } else if (applied > self->acked)
        self->acked = applied;
    self->next_send = applied + 1;
    self->acked_at = socin_mono_ms ();
}

static void
s_on_welcome (ing_forward_t *self, const Socin__V1__Welcome *w)
{
    uint64_t last = ing_ledger_last_seq (self->ledger);
    snprintf (self->reported_source, sizeof self->reported_source, "%s", w->source);
    if (strcmp (w->source, self->source))
        socin_warn ("forward.source_mismatch", "configured=%s registered=%s",
                    socin_log_q (self->source), socin_log_q (w->source));
    if (w->applied_seq > last)
        socin_error ("forward.reporting_ahead", "applied=%llu last=%llu detail=%s",
                     (unsigned long long)w->applied_seq, (unsigned long long)last,
                     socin_log_q ("reporting applied batches this ingest no longer has "
                                  "(store restored from an older backup?)"));
    self->welcomed = true;
    s_rewind (self, w->applied_seq, "reporting's applied sequence is below what it acknowledged");
    self->window = w->window;
    socin_info ("forward.welcomed", "source=%s applied=%llu last=%llu window=%u",
                socin_log_q (w->source), (unsigned long long)w->applied_seq,
                (unsigned long long)last, w->window);
}

/* A refusal: not welcomed (below 200: say Hello again after the next silence check), or
   reporting cannot store now (200 and up: wait before resending, longer each time). */
static void
s_on_error (ing_forward_t *self, const Socin__V1__Error *error)
{
    self->refusals++;
    if (error->code < 200) {
        socin_warn ("forward.refused", "code=%s reason=%s", socin_error_name (error->code),
                    socin_log_q (error->message));
        self->welcomed = false;
        self->next_send = self->acked + 1;
        return;
    }
    int64_t now = socin_mono_ms ();
    if (self->hold_until && now < self->hold_until) return; /* the rest of the same window */
    self->backoff_ms = self->backoff_ms ? self->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (self->backoff_ms > BACKOFF_MAX_MS) self->backoff_ms = BACKOFF_MAX_MS;
    self->hold_until = now + self->backoff_ms;
    self->refused_code = error->code;
    self->next_send = self->acked + 1;
    socin_warn ("forward.refused", "code=%s from=%llu retry_ms=%lld refusals=%llu reason=%s",
                socin_error_name (error->code), (unsigned long long)self->acked + 1,
                (long long)self->backoff_ms, (unsigned long long)self->refusals,
                socin_log_q (error->message));
}

static void
s_on_message (ing_forward_t *self, Socin__V1__ForwardReply *reply)
{
    switch (reply->body_case) {
    case SOCIN__V1__FORWARD_REPLY__BODY_WELCOME:
        s_on_welcome (self, reply->welcome);
        break;
    case SOCIN__V1__FORWARD_REPLY__BODY_ACK:
        s_on_ack (self, reply->ack->applied_seq, reply->ack->window);
        break;
    case SOCIN__V1__FORWARD_REPLY__BODY_RESEND: {
        uint64_t from = reply->resend->from_seq;
        socin_info ("forward.resend", "from=%llu", (unsigned long long)from);
        if (from && from <= self->acked)
            s_rewind (self, from - 1, "reporting asked for batches it had acknowledged");
        else if (from > self->acked)
            self->next_send = from;
        self->resent++;
        break;
    }
    case SOCIN__V1__FORWARD_REPLY__BODY_RESYNC:
        if (reply->resync->from_seq) {
            socin_info ("forward.resync_asked", "from=%llu acked=%llu reason=%s",
                        (unsigned long long)reply->resync->from_seq,
                        (unsigned long long)self->acked, socin_log_q (reply->resync->reason));
            s_rewind (self, reply->resync->from_seq - 1, reply->resync->reason);
        }
        break;
    case SOCIN__V1__FORWARD_REPLY__BODY_HEARTBEAT:
        /* Reporting's applied sequence only grows while its store lives (and answers keep
           their order on a connection): below what it acknowledged, it restarted from a
           backup or an empty store, the connection kept — ask as a Resync would. */
        if (self->welcomed && reply->heartbeat->seq > self->acked)
            s_on_ack (self, reply->heartbeat->seq, self->window);
        else if (self->welcomed && reply->heartbeat->seq < self->acked)
            s_rewind (self, reply->heartbeat->seq, "reporting's applied sequence went back");
        break;
    case SOCIN__V1__FORWARD_REPLY__BODY_ERROR:
        s_on_error (self, reply->error);
        break;
    default:
        break;
    }
}

static int
s_on_reply (zloop_t *loop, zsock_t *sock, void *arg)
{
    ing_forward_t *self = arg;
    socin_wire_msg_t msg;
    for (int i = 0; i < 1000 && socin_wire_recv (sock, &msg) == 0; i++) {
        Socin__V1__ForwardReply *reply = (Socin__V1__ForwardReply *)socin_wire_unpack (
            &socin__v1__forward_reply__descriptor, msg.payload);
        socin_wire_msg_release (&msg);
        if (!reply) continue;
        self->heard_at = socin_mono_ms ();
        s_on_message (self, reply);
        protobuf_c_message_free_unpacked (&reply->base, NULL);
    }
    ing_forward_pump (self);
    return 0;
}

static void
s_connect (ing_forward_t *self)
{
    self->tried_at = socin_mono_ms ();
    char key[SOCIN_KEY_LEN + 1], err[512];
    if (socin_keys_public (self->server_key, key, err, sizeof err)) {
        socin_debug ("forward.no_key", "reason=%s", socin_log_q (err));
        return;
    }
    memcpy (self->key, key, sizeof key);
    self->sock =
        socin_wire_connect (ZMQ_DEALER, self->endpoint, self->cert, key, 0, err, sizeof err);
    if (!self->sock) {
        socin_error ("forward.connect_failed", "reason=%s", socin_log_q (err));
        return;
    }
    zloop_reader (self->loop, self->sock, s_on_reply, self);
    self->welcomed = false;
    self->connected_at = self->heard_at = socin_mono_ms ();
    self->reconnects++;
    s_hello (self);
    socin_info ("forward.connecting", "endpoint=%s", self->endpoint);
}

void
ing_forward_attach (ing_forward_t *self, zloop_t *loop)
{
    self->loop = loop;
    s_connect (self);
}

void
ing_forward_tick (ing_forward_t *self)
{
    int64_t now = socin_mono_ms ();
    /* Persist what reporting acknowledged, trimming the outbox. */
    if (self->acked > ing_ledger_acked_seq (self->ledger)) {
        char err[512];
        if (ing_ledger_ack (self->ledger, self->acked, err, sizeof err))
            socin_warn ("forward.ack_store_failed", "reason=%s", socin_log_q (err));
    }
    ing_resync_forget (self->resync, self->acked);
    if (!self->sock) {
        if (now - self->tried_at >= 1000) s_connect (self);
        return;
    }
    if (now - self->heard_at > SILENCE_MS) {
        socin_info ("forward.silent", "ms=%lld detail=%s", (long long)(now - self->heard_at),
                    socin_log_q ("reporting did not answer; connecting again"));
        s_disconnect (self);
        s_connect (self);
        return;
    }
    if (!self->welcomed && now - self->connected_at >= 2 * HEARTBEAT_MS) {
        /* No Welcome: reporting may have refused our handshake (our key not yet in its
           replica), and libzmq does not retry a refused handshake: connect anew. */
        s_disconnect (self);
        s_connect (self);
        return;
    }
    /* Batches sent but not acknowledged for long: send them again. Only batches count as
       sent here: the heartbeats sent while waiting must not postpone this for ever (reporting
       killed after acknowledging some batches lost the rest, and answers heartbeats). */
    bool holding = self->hold_until && now < self->hold_until;
    if (!holding && self->next_send > self->acked + 1 && now - self->acked_at > STALL_MS &&
        now - self->batch_at > STALL_MS) {
        socin_info ("forward.resending", "from=%llu", (unsigned long long)self->acked + 1);
        self->next_send = self->acked + 1;
        self->acked_at = now;
        self->resent++;
    }
    ing_forward_pump (self);
    if (now - self->sent_at >= HEARTBEAT_MS) {
        Socin__V1__ForwardHeartbeat hb = SOCIN__V1__FORWARD_HEARTBEAT__INIT;
        hb.seq = ing_ledger_last_seq (self->ledger);
        hb.time_ms = socin_now_ms ();
        Socin__V1__ForwardMessage msg = SOCIN__V1__FORWARD_MESSAGE__INIT;
        msg.body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_HEARTBEAT;
        msg.heartbeat = &hb;
        s_send (self, &msg);
    }
}

void
ing_forward_pause (ing_forward_t *self, bool paused)
{
    self->paused = paused;
    if (!paused) ing_forward_pump (self);
}

void
ing_forward_status (ing_forward_t *self, socin_str_t *out)
{
    uint64_t last = ing_ledger_last_seq (self->ledger), batches, bytes;
    ing_ledger_outbox_size (self->ledger, &batches, &bytes);
    int64_t now = socin_mono_ms ();
    const char *state = !self->sock                               ? "waiting_for_reporting_key"
                        : self->paused                            ? "paused"
                        : !self->welcomed                         ? "connecting"
                        : self->refused_code                      ? "refused"
                        : now - self->heard_at > 2 * HEARTBEAT_MS ? "silent"
                                                                  : "forwarding";
    socin_str_printf (
        out,
        "# Forwarding\nforward_state:%s\nforward_endpoint:%s\nlast_seq:%llu\n"
        "acked_seq:%llu\nbacklog_batches:%llu\nbacklog_bytes:%llu\nnext_send:%llu\n"
        "window:%u\nheard_ms_ago:%lld\nbatches_sent:%llu\nresends:%llu\nacks:%llu\n"
        "connects:%llu\nrefusals:%llu\nrefused_code:%s\nretry_in_ms:%lld\nresyncs:%llu\n"
        "batches_rebuilt:%llu\n",
        state, self->endpoint, (unsigned long long)last, (unsigned long long)self->acked,
        (unsigned long long)(last > self->acked ? last - self->acked : 0),
        (unsigned long long)bytes, (unsigned long long)self->next_send, self->window,
        self->sock ? (long long)(now - self->heard_at) : -1LL, (unsigned long long)self->sent,
        (unsigned long long)self->resent, (unsigned long long)self->acks,
        (unsigned long long)self->reconnects, (unsigned long long)self->refusals,
        self->refused_code ? socin_error_name (self->refused_code) : "none",
        self->hold_until > now ? (long long)(self->hold_until - now) : 0LL,
        (unsigned long long)self->resyncs, (unsigned long long)ing_resync_rebuilt (self->resync));
}
