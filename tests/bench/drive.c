/*  drive: keeps pre-packed submissions in flight against real ingests and times each answer.

    One DEALER per ingest, one poll loop over all of them, so several regional feeds go at
    once from one process. The submissions are packed before the clock starts; sending one is
    a copy into ZeroMQ. In saturation mode a feed keeps WINDOW submissions in flight; in paced
    mode it sends one every INTERVAL, on schedule whatever the answers do (open loop), and a
    submission's latency counts from the moment it was due, so a stall is not hidden
    (no coordinated omission).
*/
#include <czmq.h>
#include <string.h>

#include "bench.h"
#include "wire.h"
#include "socin/v1/ingest.pb-c.h"

struct b_feed_t {
    char name[32];
    zsock_t *sock;
    zcert_t *cert;
};

b_feed_t *
b_feed_new (const char *name, const char *endpoint, const char *server_key, const char *cert_path)
{
    char key[SOCIN_KEY_LEN + 1], err[512], path[1024];
    if (socin_keys_public (server_key, key, err, sizeof err)) b_fail ("%s: %s", name, err);
    snprintf (path, sizeof path, "%s", cert_path);
    size_t n = strlen (path);
    if (n > 7 && !strcmp (path + n - 7, "_secret")) path[n - 7] = 0;
    b_feed_t *self = calloc (1, sizeof *self);
    snprintf (self->name, sizeof self->name, "%s", name);
    self->cert = zcert_load (path);
    if (!self->cert) b_fail ("cannot load the key %s", path);
    self->sock = socin_wire_connect (ZMQ_DEALER, endpoint, self->cert, key, 256u << 20, err, sizeof err);
    if (!self->sock) b_fail ("%s: %s", name, err);
    /* Sends may wait for the connection (the socket is new); never forever. */
    zsock_set_sndtimeo (self->sock, 30000);
    return self;
}

void
b_feed_destroy (b_feed_t **self_p)
{
    b_feed_t *self = *self_p;
    if (!self) return;
    zsock_destroy (&self->sock);
    zcert_destroy (&self->cert);
    free (self);
    *self_p = NULL;
}

typedef struct {
    b_feed_t *feed;
    b_subs_t *subs;
    size_t next, inflight, answered;
    int64_t *sent;
    bool *done;
    b_drive_result_t *r;
} s_state_t;

static void
s_problem (b_drive_result_t *r, const char *fmt, ...)
{
    if (r->first_problem[0]) return;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (r->first_problem, sizeof r->first_problem, fmt, ap);
    va_end (ap);
}

static void
s_on_reply (s_state_t *st, const uint8_t *data, size_t len, int64_t now)
{
    b_drive_result_t *r = st->r;
    Socin__V1__IngestReply *reply = socin__v1__ingest_reply__unpack (NULL, len, data);
    if (!reply) {
        s_problem (r, "%s: an answer that is not an IngestReply (%zu bytes)", st->feed->name, len);
        return;
    }
    const char *dash = strrchr (reply->request_id, '-');
    size_t idx = dash ? (size_t) strtoull (dash + 1, NULL, 10) : (size_t) -1;
    if (idx >= st->subs->n || st->done[idx] || strcmp (st->subs->subs[idx].id, reply->request_id)) {
        s_problem (r, "%s: an answer to an unknown or already answered request '%s'", st->feed->name,
                   reply->request_id);
        socin__v1__ingest_reply__free_unpacked (reply, NULL);
        return;
    }
    st->done[idx] = true;
    st->inflight--;
    st->answered++;
    b_sub_t *sub = &st->subs->subs[idx];
    if (reply->body_case != SOCIN__V1__INGEST_REPLY__BODY_SUMMARY) {
        r->refused++;
        s_problem (r, "%s: submission %s answered with an error: %s", st->feed->name, sub->id,
                   reply->error ? reply->error->message : "(no body)");
    }
    else {
        Socin__V1__ImportSummary *s = reply->summary;
        if (s->error) {
            r->refused++;
            s_problem (r, "%s: submission %s refused: %s", st->feed->name, sub->id, s->error->message);
        }
        else {
            r->subs++;
            r->values_acked += sub->nvalues;
            r->events_acked += sub->nevents;
            r->imported += s->imported + s->updated;
            r->rejected += s->rejected;
            if (s->n_conflicts)
                s_problem (r, "%s: submission %s: %u rejected, first: item %u: %s", st->feed->name, sub->id,
                           s->rejected, s->conflicts[0]->index, s->conflicts[0]->message);
            if (s->source_seq > r->max_seq) r->max_seq = s->source_seq;
            if (now > r->last_ack_us) r->last_ack_us = now;
            b_samples_add (&r->latency_ms, (double) (now - st->sent[idx]) / 1000.0);
        }
    }
    socin__v1__ingest_reply__free_unpacked (reply, NULL);
}

void
b_drive (b_feed_t **feeds, b_subs_t **subs, int nfeeds, const b_drive_opts_t *opts,
         b_drive_result_t *results, b_drive_result_t *total)
{
    s_state_t *st = calloc ((size_t) nfeeds, sizeof *st);
    zmq_pollitem_t *items = calloc ((size_t) nfeeds, sizeof *items);
    for (int f = 0; f < nfeeds; f++) {
        memset (&results[f], 0, sizeof results[f]);
        st[f] = (s_state_t) {feeds[f], subs[f], 0, 0, 0, calloc (subs[f]->n + 1, sizeof (int64_t)),
                             calloc (subs[f]->n + 1, sizeof (bool)), &results[f]};
        items[f] = (zmq_pollitem_t) {zsock_resolve (feeds[f]->sock), 0, ZMQ_POLLIN, 0};
    }
    size_t window = opts->window ? opts->window : 16;
    int64_t t0 = b_now_us (), last_progress = t0;
    for (int f = 0; f < nfeeds; f++) results[f].first_send_us = t0;
    for (;;) {
        int64_t now = b_now_us ();
        bool all_done = true;
        int64_t next_due = -1;
        for (int f = 0; f < nfeeds; f++) {
            s_state_t *s = &st[f];
            while (s->next < s->subs->n && s->inflight < window) {
                int64_t due = opts->interval_us ? t0 + (int64_t) s->next * opts->interval_us : now;
                if (due > now) {
                    if (next_due < 0 || due < next_due) next_due = due;
                    break;
                }
                b_sub_t *sub = &s->subs->subs[s->next];
                if (zmq_send (items[f].socket, sub->data, sub->len, 0) != (int) sub->len)
                    b_fail ("%s: sending %s failed: %s", s->feed->name, sub->id, zmq_strerror (zmq_errno ()));
                s->sent[s->next] = opts->interval_us ? due : b_now_us ();
                s->next++;
                s->inflight++;
                now = b_now_us ();
            }
            if (s->answered < s->subs->n) all_done = false;
        }
        if (all_done) break;
        long timeout = 100;
        if (next_due >= 0) {
            long ms = (long) ((next_due - now + 999) / 1000);
            if (ms < timeout) timeout = ms < 0 ? 0 : ms;
        }
        int rc = zmq_poll (items, nfeeds, timeout);
        if (rc < 0 && zmq_errno () != EINTR) b_fail ("poll: %s", zmq_strerror (zmq_errno ()));
        now = b_now_us ();
        for (int f = 0; f < nfeeds; f++) {
            if (!(items[f].revents & ZMQ_POLLIN)) continue;
            for (;;) {
                zmq_msg_t msg;
                zmq_msg_init (&msg);
                if (zmq_msg_recv (&msg, items[f].socket, ZMQ_DONTWAIT) < 0) {
                    zmq_msg_close (&msg);
                    break;
                }
                s_on_reply (&st[f], zmq_msg_data (&msg), zmq_msg_size (&msg), now);
                zmq_msg_close (&msg);
                last_progress = now;
            }
        }
        if (now - last_progress > opts->timeout_ms * 1000) {
            for (int f = 0; f < nfeeds; f++)
                fprintf (stderr, "    %s: sent %zu of %zu, answered %zu\n", st[f].feed->name, st[f].next,
                         st[f].subs->n, st[f].answered);
            b_fail ("no answer from the ingests for %lld ms", (long long) opts->timeout_ms);
        }
    }
    memset (total, 0, sizeof *total);
    total->first_send_us = t0;
    for (int f = 0; f < nfeeds; f++) {
        b_drive_result_t *r = &results[f];
        total->last_ack_us = r->last_ack_us > total->last_ack_us ? r->last_ack_us : total->last_ack_us;
        total->values_acked += r->values_acked;
        total->events_acked += r->events_acked;
        total->imported += r->imported;
        total->rejected += r->rejected;
        total->refused += r->refused;
        total->subs += r->subs;
        if (r->max_seq > total->max_seq) total->max_seq = r->max_seq;
        for (size_t i = 0; i < r->latency_ms.n; i++) b_samples_add (&total->latency_ms, r->latency_ms.v[i]);
        if (!total->first_problem[0] && r->first_problem[0])
            snprintf (total->first_problem, sizeof total->first_problem, "%s", r->first_problem);
        free (st[f].sent);
        free (st[f].done);
    }
    free (st);
    free (items);
}

void
b_drive_result_free (b_drive_result_t *r)
{
    b_samples_free (&r->latency_ms);
}
