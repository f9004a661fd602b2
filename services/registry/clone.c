/*  clone: snapshots, published updates and heartbeats. See clone.h. */
#include "clone.h"

#include <string.h>

#include "log.h"
#include "mem.h"
#include "wire.h"

#define S_CHUNK 1000

struct reg_clone_t {
    reg_records_t *records;
    zsock_t *pub;
    zloop_t *loop;
    int timer;
    uint64_t snapshots, published;
};

static void
s_publish (const socin_record_t *rec, void *arg)
{
    reg_clone_t *self = arg;
    Socin__V1__Publication pub = SOCIN__V1__PUBLICATION__INIT;
    pub.body_case = SOCIN__V1__PUBLICATION__BODY_UPDATE;
    pub.update = (socin_record_t *)rec;
    socin_wire_send (self->pub, NULL, &pub.base);
    self->published++;
}

static int
s_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    reg_clone_t *self = arg;
    Socin__V1__RegistryHeartbeat hb = SOCIN__V1__REGISTRY_HEARTBEAT__INIT;
    hb.seq = reg_records_seq (self->records);
    hb.registry_id = (char *)reg_records_id (self->records);
    Socin__V1__Publication pub = SOCIN__V1__PUBLICATION__INIT;
    pub.body_case = SOCIN__V1__PUBLICATION__BODY_HEARTBEAT;
    pub.heartbeat = &hb;
    socin_wire_send (self->pub, NULL, &pub.base);
    return 0;
}

reg_clone_t *
reg_clone_new (reg_records_t *records, zcert_t *cert, const char *endpoint, size_t max_message,
               char *err, size_t errlen)
{
    zsock_t *pub = socin_wire_bind (ZMQ_PUB, endpoint, cert, "registry", max_message, err, errlen);
    if (!pub) return NULL;
    zsock_set_sndhwm (pub, 1000000);
    reg_clone_t *self = socin_calloc (1, sizeof *self);
    self->records = records;
    self->pub = pub;
    reg_records_on_change (records, s_publish, self);
    return self;
}

void
reg_clone_destroy (reg_clone_t **self_p)
{
    reg_clone_t *self = *self_p;
    if (!self) return;
    reg_records_on_change (self->records, NULL, NULL);
    if (self->loop) zloop_timer_end (self->loop, self->timer);
    zsock_destroy (&self->pub);
    free (self);
    *self_p = NULL;
}

zsock_t *
reg_clone_socket (reg_clone_t *self)
{
    return self->pub;
}

void
reg_clone_attach (reg_clone_t *self, zloop_t *loop)
{
    self->loop = loop;
    self->timer = zloop_timer (loop, 1000, 0, s_heartbeat, self);
}

void
reg_clone_snapshot (reg_clone_t *self, zsock_t *router, zmsg_t *envelope, const char *request_id,
                    const Socin__V1__SnapshotRequest *req)
{
    uint64_t seq = reg_records_seq (self->records);
    const char *registry_id = reg_records_id (self->records);
    bool full = req->since_seq == 0 || req->since_seq > seq ||
                (*req->registry_id && strcmp (req->registry_id, registry_id));
    size_t n;
    const socin_record_t **recs = reg_records_since (self->records, full ? 0 : req->since_seq, &n);
    for (size_t off = 0;; off += S_CHUNK) {
        size_t take = n - off < S_CHUNK ? n - off : S_CHUNK;
        Socin__V1__SnapshotChunk part = SOCIN__V1__SNAPSHOT_CHUNK__INIT;
        part.records = (socin_record_t **)recs + off;
        part.n_records = take;
        part.last = off + take >= n;
        part.seq = seq;
        part.registry_id = (char *)registry_id;
        part.full = full;
        Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
        reply.request_id = (char *)request_id;
        reply.seq = seq;
        reply.body_case = SOCIN__V1__REGISTRY_REPLY__BODY_SNAPSHOT;
        reply.snapshot = &part;
        socin_wire_send (router, envelope, &reply.base);
        if (part.last) break;
    }
    self->snapshots++;
    socin_info ("snapshot.sent", "since=%llu records=%zu full=%d seq=%llu",
                (unsigned long long)req->since_seq, n, full, (unsigned long long)seq);
    free (recs);
}

void
reg_clone_stats (reg_clone_t *self, socin_str_t *out)
{
    socin_str_printf (out, "snapshots:%llu\npublished:%llu\n", (unsigned long long)self->snapshots,
                      (unsigned long long)self->published);
}
