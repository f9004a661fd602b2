/*  replica: the Clone-pattern follower of the registry. See replica.h. */
#include "replica.h"

#include <string.h>

#include "clock.h"
#include "log.h"
#include "wire.h"
#include "socin/v1/registry.pb-c.h"
#include "mem.h"

#define SNAPSHOT_TIMEOUT_MS 5000
#define SILENCE_MS          4000

typedef enum { S_WAITING_KEY, S_SYNCING, S_LIVE } s_state_t;

struct socin_replica_t {
    socin_store_t *store;
    zcert_t *cert;
    char *endpoint, *updates, *server_key;
    MDB_dbi db, meta;
    socin_model_t *model;
    uint64_t seq;
    char registry_id[40];
    s_state_t state;
    zloop_t *loop;
    zsock_t *dealer, *sub;
    /* syncing */
    char request_id[32];
    uint64_t requests;
    int64_t requested_at;
    socin_record_t **snap;  /* chunks received so far */
    size_t nsnap, capsnap;
    socin_record_t **queue; /* updates heard while syncing */
    size_t nqueue, capqueue;
    int64_t heard_at; /* last heartbeat or update, monotonic ms */
    char key[SOCIN_KEY_LEN + 1]; /* the registry key the sockets trust */
    int64_t key_tried_at;
    socin_replica_fn *on_change;
    void *on_change_arg;
    socin_replica_before_fn *on_before;
    void *on_before_arg;
    uint64_t applied, resyncs;
};

static void
s_push (socin_record_t ***arr, size_t *n, size_t *cap, socin_record_t *rec)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *arr = socin_realloc (*arr, *cap * sizeof **arr);
    }
    (*arr)[(*n)++] = rec;
}

static void
s_free_all (socin_record_t **arr, size_t *n)
{
    for (size_t i = 0; i < *n; i++) protobuf_c_message_free_unpacked (&arr[i]->base, NULL);
    *n = 0;
}

static void
s_load (socin_replica_t *self)
{
    MDB_txn *txn;
    if (socin_store_read_begin (self->store, &txn)) return;
    self->seq = socin_store_get_u64 (txn, self->meta, "seq", 0);
    MDB_val k = {11, "registry_id"}, v;
    if (mdb_get (txn, self->meta, &k, &v) == 0 && v.mv_size < sizeof self->registry_id)
        memcpy (self->registry_id, v.mv_data, v.mv_size);
    MDB_cursor *cur;
    mdb_cursor_open (txn, self->db, &cur);
    while (mdb_cursor_get (cur, &k, &v, MDB_NEXT) == 0)
        socin_model_put_packed (self->model, v.mv_data, v.mv_size);
    mdb_cursor_close (cur);
    mdb_txn_abort (txn);
    socin_model_finish (self->model);
}

socin_replica_t *
socin_replica_new (socin_store_t *store, zcert_t *cert, const socin_replica_opts_t *opts)
{
    socin_replica_t *self = socin_calloc (1, sizeof *self);
    self->store = store;
    self->cert = cert;
    self->endpoint = socin_strdup (opts->endpoint);
    self->updates = socin_strdup (opts->updates);
    self->server_key = socin_strdup (opts->server_key);
    self->db = socin_store_dbi (store, "replica", 0);
    self->meta = socin_store_dbi (store, "replica_meta", 0);
    self->model = socin_model_new ();
    s_load (self);
    socin_info ("replica.loaded", "records=%zu seq=%llu",
                socin_model_record_count (self->model), (unsigned long long) self->seq);
    return self;
}

void
socin_replica_destroy (socin_replica_t **self_p)
{
    socin_replica_t *self = *self_p;
    if (!self) return;
    if (self->loop && self->dealer) zloop_reader_end (self->loop, self->dealer);
    if (self->loop && self->sub) zloop_reader_end (self->loop, self->sub);
    zsock_destroy (&self->dealer);
    zsock_destroy (&self->sub);
    s_free_all (self->snap, &self->nsnap);
    s_free_all (self->queue, &self->nqueue);
    free (self->snap);
    free (self->queue);
    socin_model_destroy (&self->model);
    free (self->endpoint);
    free (self->updates);
    free (self->server_key);
    free (self);
    *self_p = NULL;
}

void
socin_replica_on_change (socin_replica_t *self, socin_replica_fn *fn, void *arg)
{
    self->on_change = fn;
    self->on_change_arg = arg;
}

void
socin_replica_on_before_change (socin_replica_t *self, socin_replica_before_fn *fn, void *arg)
{
    self->on_before = fn;
    self->on_before_arg = arg;
}

socin_model_t *
socin_replica_model (socin_replica_t *self)
{
    return self->model;
}

uint64_t
socin_replica_seq (socin_replica_t *self)
{
    return self->seq;
}

bool
socin_replica_ready (socin_replica_t *self)
{
    return socin_model_record_count (self->model) > 0;
}

bool
socin_replica_live (socin_replica_t *self)
{
    return self->state == S_LIVE && socin_mono_ms () - self->heard_at < SILENCE_MS;
}

/* ---- persistence ---- */

typedef struct {
    socin_replica_t *self;
    socin_record_t **recs;
    size_t n;
    uint64_t seq;
    const char *registry_id;
    bool full;
} s_write_t;

static int
s_write_txn (MDB_txn *txn, void *arg)
{
    s_write_t *w = arg;
    int rc = 0;
    if (w->full) rc = mdb_drop (txn, w->self->db, 0);
    for (size_t i = 0; i < w->n && !rc; i++) {
        char key[130];
        size_t klen = socin_record_key (w->recs[i], key);
        if (!klen) continue;
        MDB_val k = {klen, key}, v;
        v.mv_size = socin__v1__record__get_packed_size (w->recs[i]);
        rc = mdb_put (txn, w->self->db, &k, &v, MDB_RESERVE);
        if (!rc) socin__v1__record__pack (w->recs[i], v.mv_data);
    }
    if (!rc) rc = socin_store_put_u64 (txn, w->self->meta, "seq", w->seq);
    if (!rc && w->registry_id) {
        MDB_val k = {11, "registry_id"}, v = {strlen (w->registry_id), (void *) w->registry_id};
        rc = mdb_put (txn, w->self->meta, &k, &v, 0);
    }
    return rc;
}

/* Orders records by their storage key (kind, then code). */
static int
s_cmp_record (const void *a, const void *b)
{
    char ka[130], kb[130];
    size_t la = socin_record_key (*(socin_record_t *const *) a, ka);
    size_t lb = socin_record_key (*(socin_record_t *const *) b, kb);
    int c = memcmp (ka, kb, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Persists RECS then applies them (taking ownership). 0, or -1 when the store refused (the
   records are freed and the replica resynchronises later). */
static int
s_apply (socin_replica_t *self, socin_record_t **recs, size_t n, uint64_t seq,
         const char *registry_id, bool full)
{
    s_write_t w = {self, recs, n, seq, registry_id, full};
    char err[512];
    if (socin_store_write (self->store, s_write_txn, &w, err, sizeof err) != SOCIN_STORE_OK) {
        socin_error ("replica.store_failed", "reason=%s", socin_log_q (err));
        s_free_all (recs, &n);
        return -1;
    }
    bool units = full;
    if (self->on_before && (n || full)) self->on_before (self->on_before_arg);
    if (full) {
        socin_model_destroy (&self->model);
        self->model = socin_model_new ();
        /* In the order the store gives them back at the next start, so that the model's ids
           (the order records were put in) are the same then: reporting's cube file is laid
           out by them. */
        qsort (recs, n, sizeof *recs, s_cmp_record);
    }
    for (size_t i = 0; i < n; i++) {
        socin_kind_t kind = socin_record_kind (recs[i]);
        if (kind == SOCIN_KIND_UNIT || kind == SOCIN_KIND_GROUP || kind == SOCIN_KIND_DIMENSION ||
            kind == SOCIN_KIND_INDICATOR)
            units = true;
        socin_model_put (self->model, recs[i]);
    }
    socin_model_finish (self->model);
    self->seq = seq;
    if (registry_id) snprintf (self->registry_id, sizeof self->registry_id, "%s", registry_id);
    self->applied += n;
    if (self->on_change && (n || full)) self->on_change (self->on_change_arg, units);
    return 0;
}

/* ---- protocol ---- */

static void
s_request_snapshot (socin_replica_t *self, bool full)
{
    s_free_all (self->snap, &self->nsnap);
    snprintf (self->request_id, sizeof self->request_id, "snap-%llu",
              (unsigned long long) ++self->requests);
    Socin__V1__SnapshotRequest snap = SOCIN__V1__SNAPSHOT_REQUEST__INIT;
    snap.since_seq = full ? 0 : self->seq;
    snap.registry_id = self->registry_id;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.request_id = self->request_id;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_SNAPSHOT;
    req.snapshot = &snap;
    socin_wire_send (self->dealer, NULL, &req.base);
    self->state = S_SYNCING;
    self->requested_at = socin_mono_ms ();
    socin_info ("replica.syncing", "since=%llu", (unsigned long long) snap.since_seq);
}

static void
s_resync (socin_replica_t *self, const char *why)
{
    self->resyncs++;
    socin_info ("replica.resync", "reason=%s seq=%llu", socin_log_q (why),
                (unsigned long long) self->seq);
    s_free_all (self->queue, &self->nqueue);
    s_request_snapshot (self, false);
}

/* Applies queued updates that follow SEQ without a gap; a gap means a resync. */
static void
s_drain_queue (socin_replica_t *self)
{
    socin_record_t **batch = NULL;
    size_t n = 0, cap = 0;
    uint64_t next = self->seq;
    bool gap = false;
    for (size_t i = 0; i < self->nqueue; i++) {
        socin_record_t *r = self->queue[i];
        if (r->seq <= next) {
            protobuf_c_message_free_unpacked (&r->base, NULL);
            continue;
        }
        if (r->seq != next + 1 || gap) {
            gap = true;
            protobuf_c_message_free_unpacked (&r->base, NULL);
            continue;
        }
        next = r->seq;
        s_push (&batch, &n, &cap, r);
    }
    self->nqueue = 0;
    if (n) s_apply (self, batch, n, next, NULL, false);
    free (batch);
    if (gap) s_resync (self, "gap in the update sequence");
}

static int
s_on_reply (zloop_t *loop, zsock_t *sock, void *arg)
{
    socin_replica_t *self = arg;
    socin_wire_msg_t msg;
    while (socin_wire_recv (sock, &msg) == 0) {
        Socin__V1__RegistryReply *reply = (Socin__V1__RegistryReply *) socin_wire_unpack (
            &socin__v1__registry_reply__descriptor, msg.payload);
        socin_wire_msg_release (&msg);
        if (!reply) continue;
        if (self->state == S_SYNCING && !strcmp (reply->request_id, self->request_id)) {
            if (reply->error) {
                socin_warn ("replica.refused", "code=%s reason=%s", socin_error_name (reply->error->code),
                            socin_log_q (reply->error->message));
            }
            else if (reply->body_case == SOCIN__V1__REGISTRY_REPLY__BODY_SNAPSHOT) {
                Socin__V1__SnapshotChunk *chunk = reply->snapshot;
                /* Steal the records from the reply. */
                for (size_t i = 0; i < chunk->n_records; i++) {
                    s_push (&self->snap, &self->nsnap, &self->capsnap, chunk->records[i]);
                    chunk->records[i] = NULL;
                }
                chunk->n_records = 0;
                if (chunk->last) {
                    bool full = chunk->full;
                    socin_record_t **recs = self->snap;
                    size_t n = self->nsnap;
                    self->snap = NULL;
                    self->nsnap = self->capsnap = 0;
                    self->heard_at = socin_mono_ms ();
                    if (s_apply (self, recs, n, chunk->seq, chunk->registry_id, full) == 0) {
                        self->state = S_LIVE;
                        socin_info ("replica.live", "records=%zu seq=%llu full=%d", n,
                                    (unsigned long long) self->seq, full);
                        s_drain_queue (self);
                    }
                    free (recs);
                }
            }
        }
        protobuf_c_message_free_unpacked (&reply->base, NULL);
    }
    return 0;
}

static int
s_on_update (zloop_t *loop, zsock_t *sock, void *arg)
{
    socin_replica_t *self = arg;
    socin_wire_msg_t msg;
    for (int i = 0; i < 10000 && socin_wire_recv (sock, &msg) == 0; i++) {
        Socin__V1__Publication *pub = (Socin__V1__Publication *) socin_wire_unpack (
            &socin__v1__publication__descriptor, msg.payload);
        socin_wire_msg_release (&msg);
        if (!pub) continue;
        self->heard_at = socin_mono_ms ();
        if (pub->body_case == SOCIN__V1__PUBLICATION__BODY_UPDATE) {
            s_push (&self->queue, &self->nqueue, &self->capqueue, pub->update);
            pub->update = NULL;
            pub->body_case = SOCIN__V1__PUBLICATION__BODY__NOT_SET;
        }
        else if (pub->body_case == SOCIN__V1__PUBLICATION__BODY_HEARTBEAT) {
            Socin__V1__RegistryHeartbeat *hb = pub->heartbeat;
            if (self->state == S_LIVE) {
                if (*self->registry_id && strcmp (hb->registry_id, self->registry_id)) {
                    socin_warn ("replica.new_registry", "was=%s now=%s", self->registry_id, hb->registry_id);
                    s_free_all (self->queue, &self->nqueue);
                    s_request_snapshot (self, true);
                }
                else {
                    s_drain_queue (self);
                    if (self->state == S_LIVE && hb->seq > self->seq)
                        s_resync (self, "heartbeat ahead of the replica");
                }
            }
        }
        protobuf_c_message_free_unpacked (&pub->base, NULL);
    }
    if (self->state == S_LIVE) s_drain_queue (self);
    return 0;
}

static void
s_connect (socin_replica_t *self)
{
    self->key_tried_at = socin_mono_ms ();
    char key[SOCIN_KEY_LEN + 1], err[512];
    if (socin_keys_public (self->server_key, key, err, sizeof err)) {
        socin_debug ("replica.no_key", "reason=%s", socin_log_q (err));
        return;
    }
    memcpy (self->key, key, sizeof key);
    self->sub = socin_wire_connect (ZMQ_SUB, self->updates, self->cert, key, 0, err, sizeof err);
    if (self->sub) {
        zsock_set_subscribe (self->sub, "");
        zsock_set_rcvhwm (self->sub, 1000000);
        self->dealer = socin_wire_connect (ZMQ_DEALER, self->endpoint, self->cert, key, 0, err,
                                           sizeof err);
    }
    if (!self->sub || !self->dealer) {
        socin_error ("replica.connect_failed", "reason=%s", socin_log_q (err));
        zsock_destroy (&self->sub);
        zsock_destroy (&self->dealer);
        return;
    }
    zloop_reader (self->loop, self->dealer, s_on_reply, self);
    zloop_reader (self->loop, self->sub, s_on_update, self);
    socin_info ("replica.connecting", "endpoint=%s updates=%s", self->endpoint, self->updates);
    s_request_snapshot (self, !*self->registry_id);
}

void
socin_replica_attach (socin_replica_t *self, zloop_t *loop)
{
    self->loop = loop;
    s_connect (self);
}

void
socin_replica_tick (socin_replica_t *self)
{
    int64_t now = socin_mono_ms ();
    if (!self->dealer) {
        if (now - self->key_tried_at >= 1000) s_connect (self);
        return;
    }
    /* Silent for long: the registry may have been replaced with a new key (a certificate
       file that now holds another key), or, while live, the connections may be dead without
       our end knowing — after a partition longer than TCP's retries the registry's end is
       closed, and a live replica sends nothing that would find out. Either way connect
       again (with the key the file holds now), which also resynchronises. */
    if (now - self->heard_at > SILENCE_MS && now - self->key_tried_at >= 1000) {
        char key[SOCIN_KEY_LEN + 1], err[256];
        self->key_tried_at = now;
        bool changed = socin_keys_public (self->server_key, key, err, sizeof err) == 0 &&
                       strcmp (key, self->key);
        if (changed)
            socin_warn ("replica.registry_key_changed", "was=%s now=%s", self->key, key);
        else if (self->state == S_LIVE)
            socin_info ("replica.silent", "ms=%lld detail=%s", (long long) (now - self->heard_at),
                        socin_log_q ("no heartbeat from the registry; connecting again"));
        if (changed || self->state == S_LIVE) {
            zloop_reader_end (self->loop, self->dealer);
            zloop_reader_end (self->loop, self->sub);
            zsock_destroy (&self->dealer);
            zsock_destroy (&self->sub);
            self->state = S_WAITING_KEY;
            s_connect (self);
            return;
        }
    }
    if (self->state == S_SYNCING && now - self->requested_at > SNAPSHOT_TIMEOUT_MS) {
        /* New sockets, so a handshake the registry refused (our key was not registered yet)
           is tried again: libzmq does not retry a refused handshake by itself. */
        socin_warn ("replica.snapshot_timeout", "endpoint=%s", self->endpoint);
        zloop_reader_end (self->loop, self->dealer);
        zloop_reader_end (self->loop, self->sub);
        zsock_destroy (&self->dealer);
        zsock_destroy (&self->sub);
        s_connect (self);
    }
}

void
socin_replica_status (socin_replica_t *self, socin_str_t *out)
{
    const char *state = !self->dealer               ? "waiting_for_registry_key"
                        : self->state == S_SYNCING ? "syncing"
                        : socin_replica_live (self) ? "live"
                                                    : "silent";
    socin_str_printf (out,
                      "# Replica\nreplica_state:%s\nreplica_seq:%llu\nreplica_registry_id:%s\n"
                      "replica_records:%zu\nreplica_heard_ms_ago:%lld\nreplica_resyncs:%llu\n",
                      state, (unsigned long long) self->seq, self->registry_id,
                      socin_model_record_count (self->model),
                      self->heard_at ? (long long) (socin_mono_ms () - self->heard_at) : -1LL,
                      (unsigned long long) self->resyncs);
}
