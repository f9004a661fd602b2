/*  socin-registry: the source of truth for master data.

    Every change to a record (unit, group, dimension, indicator, data set, submitter, target,
    peer) is written in one LMDB transaction with the next sequence number, the record's
    earlier version kept in `history`; only after the commit is the change published on the
    PUB socket and applied to the in-memory model. Replicas follow the zguide's Clone pattern
    (registry.proto): a snapshot of everything changed after their sequence, then the
    published updates, with a heartbeat each second carrying the current sequence.

    Who may do what is decided by the CURVE key: any registered peer may replicate and query;
    only ROLE_ADMIN keys may change anything. Keys of local services are trusted from
    trust_dir (public certificates with role and name metadata), rescanned at start, on
    SIGHUP and when an unknown key knocks.
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalogue.h"
#include "csv.h"
#include "daemon.h"
#include "embedded.h"
#include "log.h"
#include "model.h"
#include "territory.h"
#include "tokens.h"
#include "socin/v1/registry.pb-c.h"

typedef struct {
    socin_daemon_t *daemon;
    socin_config_t *config;
    socin_store_t *store;
    MDB_dbi records, history, meta;
    socin_model_t *model;
    uint64_t seq;
    char registry_id[40];
    zsock_t *router;
    zsock_t *pub;
    size_t max_message;
    int64_t last_trust_scan;
    struct timespec trust_mtime; /* of trust_dir at the last scan */
    uint64_t requests, refusals, snapshots, published;
    reg_tokens_t *tokens; /* socin-web's bearer tokens (tokens.c) */
} registry_t;

static registry_t s_registry;

static const socin_config_key_t s_keys[] = {
    {"endpoint", SOCIN_CFG_STRING, "tcp://127.0.0.1:7701", "requests and snapshots (ROUTER, CURVE)"},
    {"updates", SOCIN_CFG_STRING, "tcp://127.0.0.1:7702", "published changes and heartbeats (PUB, CURVE)"},
    {"territory_file", SOCIN_CFG_STRING, "",
     "ČSÚ 'Struktura území ČR' CSV loaded on first start (empty: the embedded sample territory)"},
    {"population_file", SOCIN_CFG_STRING, "", "population CSV (obec_kod,pocet_obyvatel) loaded on first start"},
    {"population_date", SOCIN_CFG_STRING, "2021-01-01", "the day population_file refers to"},
    {"catalogue_file", SOCIN_CFG_STRING, "", "catalogue loaded on first start (empty: the embedded default)"},
    {"trust_dir", SOCIN_CFG_STRING, "${keys_dir}",
     "public certificates (role, name metadata) of services and analysts to register; empty: none"},
    {"bootstrap_admin", SOCIN_CFG_BOOL, "true",
     "on first start create an admin key in keys_dir, registered also as submitter 'local' for CZ"},
    {"max_message", SOCIN_CFG_SIZE, "64M", "largest request accepted"},
    {NULL},
};

/* ---- committing changes ---- */

typedef struct {
    registry_t *self;
    socin_record_t **recs;
    size_t n;
    int64_t now;
} s_commit_t;

static int
s_commit_txn (MDB_txn *txn, void *arg)
{
    s_commit_t *c = arg;
    registry_t *self = c->self;
    int rc = 0;
    for (size_t i = 0; i < c->n && !rc; i++) {
        socin_record_t *r = c->recs[i];
        r->seq = self->seq + i + 1;
        r->changed_ms = c->now;
        char key[130];
        size_t klen = socin_record_key (r, key);
        MDB_val k = {klen, key}, old;
        if (mdb_get (txn, self->records, &k, &old) == 0) {
            /* Keep the version it replaces, under the sequence that wrote it. */
            socin_record_t *prev = socin__v1__record__unpack (NULL, old.mv_size, old.mv_data);
            if (prev) {
                unsigned char hkey[8];
                socin_be64_put (hkey, prev->seq);
                MDB_val hk = {8, hkey};
                rc = mdb_put (txn, self->history, &hk, &old, 0);
                protobuf_c_message_free_unpacked (&prev->base, NULL);
                if (rc) break;
            }
        }
        MDB_val v;
        v.mv_size = socin__v1__record__get_packed_size (r);
        rc = mdb_put (txn, self->records, &k, &v, MDB_RESERVE);
        if (!rc) socin__v1__record__pack (r, v.mv_data);
    }
    if (!rc) rc = socin_store_put_u64 (txn, self->meta, "seq", self->seq + c->n);
    return rc;
}

static void
s_publish (registry_t *self, const socin_record_t *rec)
{
    Socin__V1__Publication pub = SOCIN__V1__PUBLICATION__INIT;
    pub.body_case = SOCIN__V1__PUBLICATION__BODY_UPDATE;
    pub.update = (socin_record_t *) rec;
    socin_wire_send (self->pub, NULL, &pub.base);
    self->published++;
}

/* Writes RECS as the next changes, one sequence number each, and takes ownership of them and
   of the array. On success they are in the model and published; on failure nothing changed
   and ERR says why. */
static int
s_commit (registry_t *self, socin_record_t **recs, size_t n, char *err, size_t errlen)
{
    if (n == 0) {
        free (recs);
        return 0;
    }
    s_commit_t c = {self, recs, n, socin_now_ms ()};
    socin_store_rc_t rc = socin_store_write (self->store, s_commit_txn, &c, err, errlen);
    if (rc != SOCIN_STORE_OK) {
        for (size_t i = 0; i < n; i++) protobuf_c_message_free_unpacked (&recs[i]->base, NULL);
        free (recs);
        return -1;
    }
    self->seq += n;
    for (size_t i = 0; i < n; i++) {
        if (self->pub) s_publish (self, recs[i]);
        socin_model_put (self->model, recs[i]);
    }
    free (recs);
    socin_model_finish (self->model);
    socin_info ("registry.changed", "records=%zu seq=%llu", n, (unsigned long long) self->seq);
    return 0;
}

/* Keeps of RECS those that differ from the model (freeing the rest); counts both. */
static size_t
s_only_changed (registry_t *self, socin_record_t **recs, size_t n, uint32_t *added,
                uint32_t *updated, uint32_t *unchanged)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const socin_record_t *old = socin_model_record (self->model, socin_record_kind (recs[i]),
                                                        socin_record_code (recs[i]));
        if (old && socin_record_same (old, recs[i])) {
            (*unchanged)++;
            protobuf_c_message_free_unpacked (&recs[i]->base, NULL);
            continue;
        }
        if (old)
            (*updated)++;
        else
            (*added)++;
        recs[kept++] = recs[i];
    }
    return kept;
}

/* ---- trusted keys ---- */

static socin_record_t *
s_peer_record (const char *name, const char *key, int role)
{
    socin_record_t *r = malloc (sizeof *r);
    Socin__V1__Peer *p = malloc (sizeof *p);
    if (!r || !p) socin_fatal ("memory.exhausted", NULL);
    socin__v1__record__init (r);
    socin__v1__peer__init (p);
    r->kind_case = SOCIN__V1__RECORD__KIND_PEER;
    r->peer = p;
    p->name = socin_strdup (name);
    p->public_key = socin_strdup (key);
    p->role = role;
    return r;
}

static void
s_scan_trust (registry_t *self)
{
    self->last_trust_scan = socin_mono_ms ();
    const char *dir = socin_config_str (self->config, "trust_dir");
    if (!*dir) return;
    struct stat st;
    if (stat (dir, &st) == 0) self->trust_mtime = st.st_mtim;
    DIR *d = opendir (dir);
    if (!d) return;
    socin_record_t **recs = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        size_t len = strlen (e->d_name);
        if (len < 6 || strcmp (e->d_name + len - 5, ".cert")) continue;
        char path[1200];
        snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
        zcert_t *cert = zcert_load (path);
        if (!cert) continue;
        const char *role_name = zcert_meta (cert, "role"), *name = zcert_meta (cert, "name");
        int role = role_name ? socin_role_parse (role_name) : 0;
        if (role && name && *name) {
            socin_peer_t *known = socin_model_peer (self->model, name);
            if (!known || strcmp (known->key, zcert_public_txt (cert)) ||
                (int) known->pb->role != role || known->pb->disabled) {
                recs = realloc (recs, (n + 1) * sizeof *recs);
                if (!recs) socin_fatal ("memory.exhausted", NULL);
                recs[n++] = s_peer_record (name, zcert_public_txt (cert), role);
                socin_info ("trust.registered", "name=%s role=%s key=%s", socin_log_q (name),
                            role_name, zcert_public_txt (cert));
            }
        }
        zcert_destroy (&cert);
    }
    closedir (d);
    char err[512];
    if (n && s_commit (self, recs, n, err, sizeof err))
        socin_error ("trust.commit_failed", "reason=%s", socin_log_q (err));
}

static bool
s_authorize (const char *domain, const char *key, void *arg)
{
    registry_t *self = arg;
    if (socin_model_peer_by_key (self->model, key)) return true;
    /* Rescan when the directory changed since the last scan, and at most once a second
       otherwise (an unknown key knocking again and again costs little). */
    struct stat st;
    const char *dir = socin_config_str (self->config, "trust_dir");
    bool changed = *dir && stat (dir, &st) == 0 &&
                   (st.st_mtim.tv_sec != self->trust_mtime.tv_sec ||
                    st.st_mtim.tv_nsec != self->trust_mtime.tv_nsec);
    if (changed || socin_mono_ms () - self->last_trust_scan >= 1000) {
        s_scan_trust (self);
        return socin_model_peer_by_key (self->model, key) != NULL;
    }
    return false;
}

/* ---- replies ---- */

static void
s_reply_error (registry_t *self, socin_wire_msg_t *msg, const char *request_id, int code,
               const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));

static void
s_reply_error (registry_t *self, socin_wire_msg_t *msg, const char *request_id, int code,
               const char *fmt, ...)
{
    char text[1024];
    va_list args;
    va_start (args, fmt);
    vsnprintf (text, sizeof text, fmt, args);
    va_end (args);
    /* A message cut to fit may end inside a character: keep it valid UTF-8 for every client. */
    size_t bad;
    if (!socin_utf8_valid (text, strlen (text), &bad)) text[bad] = 0;
    Socin__V1__Error error = SOCIN__V1__ERROR__INIT;
    error.code = code;
    error.message = text;
    Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
    reply.request_id = (char *) (request_id ? request_id : "");
    reply.error = &error;
    reply.seq = self->seq;
    socin_wire_send (self->router, msg->envelope, &reply.base);
    self->refusals++;
    socin_info ("request.refused", "id=%s code=%s reason=%s", socin_log_q (reply.request_id),
                socin_error_name (code), socin_log_q (text));
}

static void
s_reply_records (registry_t *self, socin_wire_msg_t *msg, const char *request_id,
                 const socin_record_t **recs, size_t n)
{
    Socin__V1__RecordList list = SOCIN__V1__RECORD_LIST__INIT;
    list.records = (socin_record_t **) recs;
    list.n_records = n;
    Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
    reply.request_id = (char *) request_id;
    reply.seq = self->seq;
    reply.body_case = SOCIN__V1__REGISTRY_REPLY__BODY_RECORDS;
    reply.records = &list;
    socin_wire_send (self->router, msg->envelope, &reply.base);
}

static void
s_reply_changes (registry_t *self, socin_wire_msg_t *msg, const char *request_id, uint32_t added,
                 uint32_t updated, uint32_t unchanged, uint32_t closed, bool dry_run)
{
    Socin__V1__ChangeSummary sum = SOCIN__V1__CHANGE_SUMMARY__INIT;
    sum.added = added;
    sum.updated = updated;
    sum.unchanged = unchanged;
    sum.closed = closed;
    sum.seq = self->seq;
    sum.dry_run = dry_run;
    Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
    reply.request_id = (char *) request_id;
    reply.seq = self->seq;
    reply.body_case = SOCIN__V1__REGISTRY_REPLY__BODY_CHANGES;
    reply.changes = &sum;
    socin_wire_send (self->router, msg->envelope, &reply.base);
}

/* ---- snapshot ---- */

typedef struct {
    const socin_record_t **recs;
    size_t n, cap;
    uint64_t since;
} s_collect_t;

static void
s_collect (const socin_record_t *rec, void *arg)
{
    s_collect_t *c = arg;
    if (rec->seq <= c->since) return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->recs = realloc (c->recs, c->cap * sizeof *c->recs);
        if (!c->recs) socin_fatal ("memory.exhausted", NULL);
    }
    c->recs[c->n++] = rec;
}

static void
s_snapshot (registry_t *self, socin_wire_msg_t *msg, const char *request_id,
            const Socin__V1__SnapshotRequest *req)
{
    bool full = req->since_seq == 0 || req->since_seq > self->seq ||
                (*req->registry_id && strcmp (req->registry_id, self->registry_id));
    s_collect_t c = {NULL, 0, 0, full ? 0 : req->since_seq};
    socin_model_each_record (self->model, s_collect, &c);
    size_t chunk = 1000;
    for (size_t off = 0;; off += chunk) {
        size_t take = c.n - off < chunk ? c.n - off : chunk;
        Socin__V1__SnapshotChunk part = SOCIN__V1__SNAPSHOT_CHUNK__INIT;
        part.records = (socin_record_t **) c.recs + off;
        part.n_records = take;
        part.last = off + take >= c.n;
        part.seq = self->seq;
        part.registry_id = self->registry_id;
        part.full = full;
        Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
        reply.request_id = (char *) request_id;
        reply.seq = self->seq;
        reply.body_case = SOCIN__V1__REGISTRY_REPLY__BODY_SNAPSHOT;
        reply.snapshot = &part;
        socin_wire_send (self->router, msg->envelope, &reply.base);
        if (part.last) break;
    }
    self->snapshots++;
    socin_info ("snapshot.sent", "since=%llu records=%zu full=%d seq=%llu",
                (unsigned long long) req->since_seq, c.n, full, (unsigned long long) self->seq);
    free (c.recs);
}

/* ---- queries ---- */

static int
s_cmp_code (const void *a, const void *b)
{
    return strcmp (socin_record_code (*(const socin_record_t *const *) a),
                   socin_record_code (*(const socin_record_t *const *) b));
}

static void
s_reply_sorted (registry_t *self, socin_wire_msg_t *msg, const char *request_id,
                const socin_record_t **recs, size_t n)
{
    if (n > 1) qsort (recs, n, sizeof *recs, s_cmp_code);
    s_reply_records (self, msg, request_id, recs, n);
    free (recs);
}

static const socin_record_t **
s_alloc_recs (size_t n)
{
    const socin_record_t **recs = calloc (n ? n : 1, sizeof *recs);
    if (!recs) socin_fatal ("memory.exhausted", NULL);
    return recs;
}

static void
s_query_unit (registry_t *self, socin_wire_msg_t *msg, const char *id, const char *code)
{
    socin_unit_t *u = socin_model_unit (self->model, code);
    if (!u) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_NOT_FOUND,
                       "unit '%s' is not in the registry", code);
        return;
    }
    const socin_record_t **recs = s_alloc_recs ((size_t) u->nancestors + 1);
    size_t n = 0;
    recs[n++] = socin_model_record (self->model, SOCIN_KIND_UNIT, u->code);
    for (int a = 0; a < u->nancestors; a++)
        recs[n++] = socin_model_record (self->model, SOCIN_KIND_UNIT,
                                        socin_model_unit_at (self->model, u->ancestors[a])->code);
    s_reply_records (self, msg, id, recs, n);
    free (recs);
}

static void
s_query_descendants (registry_t *self, socin_wire_msg_t *msg, const char *id,
                     const Socin__V1__DescendantsQuery *q)
{
    const char *code = *q->code ? q->code : "CZ";
    socin_unit_t *root = socin_model_unit (self->model, code);
    if (!root) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_NOT_FOUND,
                       "unit '%s' is not in the registry", code);
        return;
    }
    bool any_day = !strcmp (q->as_of, "*");
    int32_t day = socin_date_today ();
    char why[200];
    if (*q->as_of && !any_day && socin_date_parse (q->as_of, &day, why, sizeof why)) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_INVALID_ARGUMENT,
                       "as_of %s", why);
        return;
    }
    size_t total = socin_model_count (self->model, SOCIN_KIND_UNIT), n = 0;
    const socin_record_t **recs = s_alloc_recs (total);
    for (uint32_t i = 1; i <= total; i++) {
        socin_unit_t *u = socin_model_unit_at (self->model, i);
        if (u == root || !socin_unit_under (u, root->id)) continue;
        if (q->level && u->level != (int) q->level) continue;
        if (!any_day && !socin_unit_valid_during (u, day, day)) continue;
        recs[n++] = socin_model_record (self->model, SOCIN_KIND_UNIT, u->code);
    }
    s_reply_sorted (self, msg, id, recs, n);
}

static void
s_query_kind (registry_t *self, socin_wire_msg_t *msg, const char *id, socin_kind_t kind,
              const char *code, bool (*keep) (registry_t *, const socin_record_t *, const void *),
              const void *arg)
{
    size_t total = socin_model_count (self->model, kind), n = 0;
    const socin_record_t **recs = s_alloc_recs (total);
    s_collect_t c = {NULL, 0, 0, 0};
    socin_model_each_record (self->model, s_collect, &c);
    for (size_t i = 0; i < c.n; i++) {
        if (socin_record_kind (c.recs[i]) != kind) continue;
        if (code && *code && strcmp (socin_record_code (c.recs[i]), code)) continue;
        if (keep && !keep (self, c.recs[i], arg)) continue;
        recs[n++] = c.recs[i];
    }
    free (c.recs);
    if (code && *code && n == 0) {
        free (recs);
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_NOT_FOUND, "'%s' is not in the registry", code);
        return;
    }
    s_reply_sorted (self, msg, id, recs, n);
}

static bool
s_keep_area (registry_t *self, const socin_record_t *rec, const void *arg)
{
    const char *area = arg;
    return !*area || !strcmp (rec->indicator->policy_area, area);
}

static bool
s_keep_dataset_of (registry_t *self, const socin_record_t *rec, const void *arg)
{
    const socin_unit_t *unit = arg;
    if (!unit) return true;
    return socin_dataset_includes (self->model, socin_model_dataset (self->model, rec->dataset->code), unit);
}

static bool
s_keep_key (registry_t *self, const socin_record_t *rec, const void *arg)
{
    const char *key = arg;
    return !*key || !strcmp (rec->submitter->public_key, key);
}

/* ---- changes ---- */

static bool
s_is_admin (registry_t *self, socin_wire_msg_t *msg)
{
    socin_peer_t *p = socin_model_peer_by_key (self->model, msg->peer);
    return p && p->pb->role == SOCIN_ROLE_ADMIN;
}

static void
s_import_territory (registry_t *self, socin_wire_msg_t *msg, const char *id,
                    const Socin__V1__ImportTerritory *req)
{
    char err[1024];
    socin_record_t **parsed;
    size_t nparsed;
    int32_t edition;
    if (socin_territory_parse_csu ((const char *) req->csv.data, req->csv.len, req->valid_from,
                                   &parsed, &nparsed, &edition, err, sizeof err)) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_MALFORMED_FILE, "%s", err);
        return;
    }
    socin_record_t **changes;
    size_t n;
    uint32_t added, updated, unchanged, closed;
    socin_territory_plan (self->model, parsed, nparsed, edition, &changes, &n, &added, &updated,
                          &unchanged, &closed);
    if (req->dry_run) {
        for (size_t i = 0; i < n; i++) protobuf_c_message_free_unpacked (&changes[i]->base, NULL);
        free (changes);
    }
    else if (s_commit (self, changes, n, err, sizeof err)) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_STORAGE_FULL, "%s", err);
        return;
    }
    socin_info ("territory.imported", "added=%u updated=%u unchanged=%u closed=%u dry_run=%d",
                added, updated, unchanged, closed, req->dry_run);
    s_reply_changes (self, msg, id, added, updated, unchanged, closed, req->dry_run);
}

static void
s_import_population (registry_t *self, socin_wire_msg_t *msg, const char *id,
                     const Socin__V1__ImportPopulation *req)
{
    char err[1024];
    socin_record_t **changes;
    size_t n;
    if (socin_population_plan (self->model, (const char *) req->csv.data, req->csv.len,
                               req->as_of, &changes, &n, err, sizeof err)) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_MALFORMED_FILE, "%s", err);
        return;
    }
    uint32_t updated = (uint32_t) n;
    if (req->dry_run) {
        for (size_t i = 0; i < n; i++) protobuf_c_message_free_unpacked (&changes[i]->base, NULL);
        free (changes);
    }
    else if (s_commit (self, changes, n, err, sizeof err)) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_STORAGE_FULL, "%s", err);
        return;
    }
    s_reply_changes (self, msg, id, 0, updated, 0, 0, req->dry_run);
}

/* Parses, checks and commits a catalogue; 0 or -1 with ERR. */
static int
s_load_catalogue (registry_t *self, const char *text, size_t len, bool dry_run, uint32_t *added,
                  uint32_t *updated, uint32_t *unchanged, int *code, char *err, size_t errlen)
{
    socin_record_t **recs;
    size_t n;
    *code = SOCIN__V1__ERROR_CODE__ERROR_CODE_MALFORMED_FILE;
    if (socin_catalogue_parse (text, len, &recs, &n, err, errlen)) return -1;
    if (socin_catalogue_check (self->model, recs, n, err, errlen)) {
        for (size_t i = 0; i < n; i++) protobuf_c_message_free_unpacked (&recs[i]->base, NULL);
        free (recs);
        return -1;
    }
    *added = *updated = *unchanged = 0;
    n = s_only_changed (self, recs, n, added, updated, unchanged);
    if (dry_run) {
        for (size_t i = 0; i < n; i++) protobuf_c_message_free_unpacked (&recs[i]->base, NULL);
        free (recs);
        return 0;
    }
    *code = SOCIN__V1__ERROR_CODE__ERROR_CODE_STORAGE_FULL;
    return s_commit (self, recs, n, err, errlen);
}

static void
s_put_submitter (registry_t *self, socin_wire_msg_t *msg, const char *id,
                 const Socin__V1__Submitter *sub)
{
    int bad = SOCIN__V1__ERROR_CODE__ERROR_CODE_INVALID_ARGUMENT;
    if (!sub || !*sub->name || strlen (sub->name) > 64) {
        s_reply_error (self, msg, id, bad, "a submitter needs a name of 1 to 64 bytes");
        return;
    }
    if (!socin_key_valid (sub->public_key)) {
        s_reply_error (self, msg, id, bad, "submitter %s: public_key is not a 40-character Z85 CURVE key", sub->name);
        return;
    }
    if (!sub->n_territories) {
        s_reply_error (self, msg, id, bad, "submitter %s: name at least one territory", sub->name);
        return;
    }
    for (size_t i = 0; i < sub->n_territories; i++)
        if (!socin_model_unit (self->model, sub->territories[i])) {
            s_reply_error (self, msg, id, bad, "submitter %s: territory '%s' is not a known unit", sub->name, sub->territories[i]);
            return;
        }
    for (size_t i = 0; i < sub->n_datasets; i++)
        if (!socin_model_dataset (self->model, sub->datasets[i])) {
            s_reply_error (self, msg, id, bad, "submitter %s: data set '%s' is not defined", sub->name, sub->datasets[i]);
            return;
        }
    socin_submitter_t *holder = socin_model_submitter_by_key (self->model, sub->public_key);
    if (holder && strcmp (holder->code, sub->name)) {
        s_reply_error (self, msg, id, bad, "key %s already belongs to submitter %s", sub->public_key, holder->code);
        return;
    }
    socin_record_t rec = SOCIN__V1__RECORD__INIT;
    rec.kind_case = SOCIN__V1__RECORD__KIND_SUBMITTER;
    rec.submitter = (Socin__V1__Submitter *) sub;
    socin_record_t **recs = malloc (sizeof *recs);
    if (!recs) socin_fatal ("memory.exhausted", NULL);
    recs[0] = socin_record_copy (&rec);
    uint32_t added = 0, updated = 0, unchanged = 0;
    size_t n = s_only_changed (self, recs, 1, &added, &updated, &unchanged);
    char err[512];
    if (s_commit (self, recs, n, err, sizeof err)) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_STORAGE_FULL, "%s", err);
        return;
    }
    s_reply_changes (self, msg, id, added, updated, unchanged, 0, false);
}

static void
s_put_peer (registry_t *self, socin_wire_msg_t *msg, const char *id, const Socin__V1__Peer *peer)
{
    int bad = SOCIN__V1__ERROR_CODE__ERROR_CODE_INVALID_ARGUMENT;
    if (!peer || !*peer->name || strlen (peer->name) > 64) {
        s_reply_error (self, msg, id, bad, "a peer needs a name of 1 to 64 bytes");
        return;
    }
    if (!socin_key_valid (peer->public_key)) {
        s_reply_error (self, msg, id, bad, "peer %s: public_key is not a 40-character Z85 CURVE key", peer->name);
        return;
    }
    if (!socin_role_name (peer->role)[0] || peer->role == SOCIN__V1__ROLE__ROLE_UNSPECIFIED ||
        peer->role > SOCIN_ROLE_REPORTING) {
        s_reply_error (self, msg, id, bad, "peer %s: role must be admin, reader, ingest or reporting", peer->name);
        return;
    }
    socin_record_t rec = SOCIN__V1__RECORD__INIT;
    rec.kind_case = SOCIN__V1__RECORD__KIND_PEER;
    rec.peer = (Socin__V1__Peer *) peer;
    socin_record_t **recs = malloc (sizeof *recs);
    if (!recs) socin_fatal ("memory.exhausted", NULL);
    recs[0] = socin_record_copy (&rec);
    uint32_t added = 0, updated = 0, unchanged = 0;
    size_t n = s_only_changed (self, recs, 1, &added, &updated, &unchanged);
    char err[512];
    if (s_commit (self, recs, n, err, sizeof err)) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_STORAGE_FULL, "%s", err);
        return;
    }
    s_reply_changes (self, msg, id, added, updated, unchanged, 0, false);
}

static void
s_token (registry_t *self, socin_wire_msg_t *msg, const Socin__V1__RegistryRequest *req)
{
    char err[512];
    int code;
    const Socin__V1__TokenInfo *info = reg_tokens_answer (self->tokens, self->model, req, &code, err, sizeof err);
    if (!info) {
        s_reply_error (self, msg, req->request_id, code, "%s", err);
        return;
    }
    Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
    reply.request_id = req->request_id;
    reply.seq = self->seq;
    reply.body_case = SOCIN__V1__REGISTRY_REPLY__BODY_TOKEN;
    reply.token = (Socin__V1__TokenInfo *) info;
    socin_wire_send (self->router, msg->envelope, &reply.base);
}

/* ---- request dispatch ---- */

static void
s_handle (registry_t *self, socin_wire_msg_t *msg)
{
    self->requests++;
    if (msg->payload && zframe_size (msg->payload) > self->max_message) {
        s_reply_error (self, msg, "", SOCIN__V1__ERROR_CODE__ERROR_CODE_MESSAGE_TOO_LARGE,
                       "the request has %zu bytes; at most %zu are accepted",
                       zframe_size (msg->payload), self->max_message);
        return;
    }
    Socin__V1__RegistryRequest *req = (Socin__V1__RegistryRequest *) socin_wire_unpack (
        &socin__v1__registry_request__descriptor, msg->payload);
    if (!req) {
        s_reply_error (self, msg, "", SOCIN__V1__ERROR_CODE__ERROR_CODE_MALFORMED_MESSAGE,
                       "the message is not a socin.v1.RegistryRequest");
        return;
    }
    const char *id = req->request_id;
    bool change = req->body_case >= SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_TERRITORY;
    if (change && !s_is_admin (self, msg)) {
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_PERMISSION_DENIED,
                       "only an administrator key may change the registry");
        protobuf_c_message_free_unpacked (&req->base, NULL);
        return;
    }
    char err[1024];
    uint32_t added, updated, unchanged;
    int code;
    switch (req->body_case) {
    case SOCIN__V1__REGISTRY_REQUEST__BODY_SNAPSHOT: s_snapshot (self, msg, id, req->snapshot); break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_UNIT: s_query_unit (self, msg, id, req->unit->code); break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_DESCENDANTS: s_query_descendants (self, msg, id, req->descendants); break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_INDICATORS:
        s_query_kind (self, msg, id, SOCIN_KIND_INDICATOR, NULL, s_keep_area, req->indicators->policy_area);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_DATASETS: {
        const socin_unit_t *unit = NULL;
        if (*req->datasets->unit && !(unit = socin_model_unit (self->model, req->datasets->unit))) {
            s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_NOT_FOUND,
                           "unit '%s' is not in the registry", req->datasets->unit);
            break;
        }
        s_query_kind (self, msg, id, SOCIN_KIND_DATASET, NULL, s_keep_dataset_of, unit);
        break;
    }
    case SOCIN__V1__REGISTRY_REQUEST__BODY_SUBMITTERS:
        s_query_kind (self, msg, id, SOCIN_KIND_SUBMITTER, NULL, s_keep_key, req->submitters->public_key);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_TARGETS:
        s_query_kind (self, msg, id, SOCIN_KIND_TARGET, req->targets->code, NULL, NULL);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_GROUPS:
        s_query_kind (self, msg, id, SOCIN_KIND_GROUP, req->groups->code, NULL, NULL);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_DIMENSIONS:
        s_query_kind (self, msg, id, SOCIN_KIND_DIMENSION, req->dimensions->code, NULL, NULL);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_TERRITORY: s_import_territory (self, msg, id, req->import_territory); break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_POPULATION: s_import_population (self, msg, id, req->import_population); break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_CATALOGUE:
        if (s_load_catalogue (self, (const char *) req->import_catalogue->text.data,
                              req->import_catalogue->text.len, req->import_catalogue->dry_run,
                              &added, &updated, &unchanged, &code, err, sizeof err))
            s_reply_error (self, msg, id, code, "%s", err);
        else
            s_reply_changes (self, msg, id, added, updated, unchanged, 0, req->import_catalogue->dry_run);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_SUBMITTER: s_put_submitter (self, msg, id, req->put_submitter->submitter); break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_PEER: s_put_peer (self, msg, id, req->put_peer->peer); break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_CHECK_TOKEN:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_ISSUE_TOKEN:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_REVOKE_TOKEN: s_token (self, msg, req); break;
    default:
        s_reply_error (self, msg, id, SOCIN__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED,
                       "the request has no body this registry knows");
    }
    protobuf_c_message_free_unpacked (&req->base, NULL);
}

static int
s_on_request (zloop_t *loop, zsock_t *sock, void *arg)
{
    registry_t *self = arg;
    socin_wire_msg_t msg;
    for (int i = 0; i < 1000 && socin_wire_recv (sock, &msg) == 0; i++) {
        s_handle (self, &msg);
        socin_wire_msg_release (&msg);
    }
    return 0;
}

static int
s_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    registry_t *self = arg;
    Socin__V1__RegistryHeartbeat hb = SOCIN__V1__REGISTRY_HEARTBEAT__INIT;
    hb.seq = self->seq;
    hb.registry_id = self->registry_id;
    Socin__V1__Publication pub = SOCIN__V1__PUBLICATION__INIT;
    pub.body_case = SOCIN__V1__PUBLICATION__BODY_HEARTBEAT;
    pub.heartbeat = &hb;
    socin_wire_send (self->pub, NULL, &pub.base);
    return 0;
}

/* ---- start-up ---- */

static char *
s_read_file (const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen (path, "rb");
    if (!f) {
        snprintf (err, errlen, "cannot open %s: %s", path, strerror (errno));
        return NULL;
    }
    socin_str_t buf = SOCIN_STR_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread (chunk, 1, sizeof chunk, f)) > 0) socin_str_append (&buf, chunk, n);
    fclose (f);
    *len = buf.len;
    return socin_str_take (&buf);
}

static int
s_bootstrap (registry_t *self)
{
    char err[1024];
    size_t len;
    socin_record_t **recs;
    size_t n;
    const char *path = socin_config_str (self->config, "territory_file");
    if (*path) {
        char *data = s_read_file (path, &len, err, sizeof err);
        int32_t edition;
        if (!data || socin_territory_parse_csu (data, len, "", &recs, &n, &edition, err, sizeof err)) {
            free (data);
            socin_error ("bootstrap.territory_failed", "file=%s reason=%s", socin_log_q (path), socin_log_q (err));
            return -1;
        }
        free (data);
        uint32_t a, u, un, c;
        socin_territory_plan (self->model, recs, n, edition, &recs, &n, &a, &u, &un, &c);
    }
    else {
        const char *data = socin_embedded_territory (&len);
        if (socin_territory_parse_sample (data, len, &recs, &n, err, sizeof err)) {
            socin_error ("bootstrap.territory_failed", "file=embedded reason=%s", socin_log_q (err));
            return -1;
        }
    }
    if (s_commit (self, recs, n, err, sizeof err)) {
        socin_error ("bootstrap.commit_failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    socin_info ("bootstrap.territory", "units=%zu source=%s", n, *path ? socin_log_q (path) : "embedded");

    path = socin_config_str (self->config, "population_file");
    if (*path) {
        char *data = s_read_file (path, &len, err, sizeof err);
        if (!data || socin_population_plan (self->model, data, len,
                                            socin_config_str (self->config, "population_date"),
                                            &recs, &n, err, sizeof err) ||
            s_commit (self, recs, n, err, sizeof err)) {
            free (data);
            socin_error ("bootstrap.population_failed", "file=%s reason=%s", socin_log_q (path), socin_log_q (err));
            return -1;
        }
        free (data);
    }

    path = socin_config_str (self->config, "catalogue_file");
    char *owned = NULL;
    const char *text;
    if (*path) {
        owned = s_read_file (path, &len, err, sizeof err);
        if (!owned) {
            socin_error ("bootstrap.catalogue_failed", "reason=%s", socin_log_q (err));
            return -1;
        }
        text = owned;
    }
    else
        text = socin_embedded_catalogue (&len);
    uint32_t added, updated, unchanged;
    int code;
    int rc = s_load_catalogue (self, text, len, false, &added, &updated, &unchanged, &code, err, sizeof err);
    free (owned);
    if (rc) {
        socin_error ("bootstrap.catalogue_failed", "file=%s reason=%s", *path ? socin_log_q (path) : "embedded", socin_log_q (err));
        return -1;
    }
    socin_info ("bootstrap.catalogue", "records=%u", added);

    if (socin_config_bool (self->config, "bootstrap_admin")) {
        zcert_t *admin = socin_keys_load_or_create (socin_config_str (self->config, "keys_dir"), "admin", err, sizeof err);
        if (!admin) {
            socin_error ("bootstrap.admin_failed", "reason=%s", socin_log_q (err));
            return -1;
        }
        recs = malloc (2 * sizeof *recs);
        if (!recs) socin_fatal ("memory.exhausted", NULL);
        recs[0] = s_peer_record ("admin", zcert_public_txt (admin), SOCIN_ROLE_ADMIN);
        socin_record_t sub_rec = SOCIN__V1__RECORD__INIT;
        Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
        char *territories[] = {"CZ"};
        sub.name = "local";
        sub.public_key = (char *) zcert_public_txt (admin);
        sub.territories = territories;
        sub.n_territories = 1;
        sub_rec.kind_case = SOCIN__V1__RECORD__KIND_SUBMITTER;
        sub_rec.submitter = &sub;
        recs[1] = socin_record_copy (&sub_rec);
        zcert_destroy (&admin);
        if (s_commit (self, recs, 2, err, sizeof err)) {
            socin_error ("bootstrap.admin_failed", "reason=%s", socin_log_q (err));
            return -1;
        }
    }
    return 0;
}

typedef struct {
    registry_t *self;
} s_load_t;

static int
s_load (registry_t *self)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    if (socin_store_read_begin (self->store, &txn)) return -1;
    self->seq = socin_store_get_u64 (txn, self->meta, "seq", 0);
    MDB_val k, v;
    size_t n = 0;
    mdb_cursor_open (txn, self->records, &cur);
    while (mdb_cursor_get (cur, &k, &v, MDB_NEXT) == 0) {
        if (socin_model_put_packed (self->model, v.mv_data, v.mv_size) == 0) n++;
    }
    mdb_cursor_close (cur);
    k.mv_size = 11;
    k.mv_data = "registry_id";
    if (mdb_get (txn, self->meta, &k, &v) == 0 && v.mv_size < sizeof self->registry_id)
        memcpy (self->registry_id, v.mv_data, v.mv_size);
    mdb_txn_abort (txn);
    socin_model_finish (self->model);
    socin_info ("registry.loaded", "records=%zu seq=%llu", n, (unsigned long long) self->seq);
    return 0;
}

static int
s_put_id_txn (MDB_txn *txn, void *arg)
{
    registry_t *self = arg;
    MDB_val k = {11, "registry_id"}, v = {strlen (self->registry_id), self->registry_id};
    return mdb_put (txn, self->meta, &k, &v, 0);
}

static int
s_start (socin_daemon_t *daemon, void *arg)
{
    registry_t *self = arg;
    self->daemon = daemon;
    self->config = socin_daemon_config (daemon);
    self->store = socin_daemon_store (daemon);
    self->records = socin_store_dbi (self->store, "records", 0);
    self->history = socin_store_dbi (self->store, "history", 0);
    self->meta = socin_store_dbi (self->store, "meta", 0);
    self->tokens = reg_tokens_new (self->store);
    self->model = socin_model_new ();
    self->max_message = socin_config_size (self->config, "max_message");
    if (s_load (self)) return -1;
    char err[1024];
    if (!*self->registry_id) {
        uint8_t raw[16];
        zuuid_t *uuid = zuuid_new ();
        memcpy (raw, zuuid_data (uuid), 16);
        zuuid_destroy (&uuid);
        for (int i = 0; i < 16; i++) snprintf (self->registry_id + 2 * i, 3, "%02x", raw[i]);
        if (socin_store_write (self->store, s_put_id_txn, self, err, sizeof err)) {
            socin_error ("registry.id_failed", "reason=%s", socin_log_q (err));
            return -1;
        }
    }
    if (socin_model_record_count (self->model) == 0 && s_bootstrap (self)) return -1;
    s_scan_trust (self);

    zcert_t *cert = socin_daemon_cert (daemon);
    const char *keys_dir = socin_config_str (self->config, "keys_dir");
    char path[1100];
    snprintf (path, sizeof path, "%s/registry.cert", keys_dir);
    if (socin_keys_publish (cert, path, "registry", "registry", err, sizeof err))
        socin_warn ("keys.publish_failed", "reason=%s", socin_log_q (err));
    self->router = socin_wire_bind (ZMQ_ROUTER, socin_config_str (self->config, "endpoint"), cert,
                                    "registry", self->max_message, err, sizeof err);
    if (!self->router) {
        socin_error ("endpoint.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    self->pub = socin_wire_bind (ZMQ_PUB, socin_config_str (self->config, "updates"), cert,
                                 "registry", self->max_message, err, sizeof err);
    if (!self->pub) {
        socin_error ("endpoint.failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    zsock_set_sndhwm (self->pub, 1000000);
    zloop_t *loop = socin_daemon_loop (daemon);
    zloop_reader (loop, self->router, s_on_request, self);
    zloop_timer (loop, 1000, 0, s_heartbeat, self);
    socin_info ("registry.serving", "endpoint=%s updates=%s seq=%llu registry_id=%s",
                socin_config_str (self->config, "endpoint"), socin_config_str (self->config, "updates"),
                (unsigned long long) self->seq, self->registry_id);
    return 0;
}

static void
s_stop (socin_daemon_t *daemon, void *arg)
{
    registry_t *self = arg;
    zsock_destroy (&self->router);
    zsock_destroy (&self->pub);
    socin_model_destroy (&self->model);
    reg_tokens_destroy (&self->tokens);
}

static void
s_reload (socin_daemon_t *daemon, void *arg)
{
    s_scan_trust (arg);
}

static void
s_status (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    registry_t *self = arg;
    socin_str_printf (out, "# Registry\nseq:%llu\nregistry_id:%s\nendpoint:%s\nupdates:%s\nrecords:%zu\n",
                      (unsigned long long) self->seq, self->registry_id,
                      socin_config_str (self->config, "endpoint"),
                      socin_config_str (self->config, "updates"),
                      socin_model_record_count (self->model));
}

static void
s_stats (socin_daemon_t *daemon, socin_str_t *out, void *arg)
{
    registry_t *self = arg;
    socin_str_printf (out, "# Registry\nrequests:%llu\nrefused:%llu\nsnapshots:%llu\npublished:%llu\n",
                      (unsigned long long) self->requests, (unsigned long long) self->refusals,
                      (unsigned long long) self->snapshots, (unsigned long long) self->published);
}

static int
s_cmd_seq (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    registry_t *self = arg;
    socin_str_printf (out, "seq:%llu\nregistry_id:%s\n", (unsigned long long) self->seq, self->registry_id);
    return SOCIN_CTL_OK;
}

static int
s_cmd_counts (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    registry_t *self = arg;
    size_t by_level[8] = {0}, open_by_level[8] = {0};
    int32_t today = socin_date_today ();
    for (uint32_t i = 1; i <= socin_model_count (self->model, SOCIN_KIND_UNIT); i++) {
        socin_unit_t *u = socin_model_unit_at (self->model, i);
        if (u->level < 0 || u->level > 7) continue;
        by_level[u->level]++;
        if (socin_unit_valid_during (u, today, today)) open_by_level[u->level]++;
    }
    socin_str_puts (out, "# Units (valid today / ever)\n");
    for (int l = SOCIN_LEVEL_COUNTRY; l <= SOCIN_LEVEL_DISTRICT; l++)
        socin_str_printf (out, "%s:%zu/%zu\n", socin_level_name (l), open_by_level[l], by_level[l]);
    socin_str_printf (out,
                      "# Catalogue\ndimensions:%zu\nindicators:%zu\ndatasets:%zu\ntargets:%zu\n"
                      "groups:%zu\n# Keys\nsubmitters:%zu\npeers:%zu\n",
                      socin_model_count (self->model, SOCIN_KIND_DIMENSION),
                      socin_model_count (self->model, SOCIN_KIND_INDICATOR),
                      socin_model_count (self->model, SOCIN_KIND_DATASET),
                      socin_model_count (self->model, SOCIN_KIND_TARGET),
                      socin_model_count (self->model, SOCIN_KIND_GROUP),
                      socin_model_count (self->model, SOCIN_KIND_SUBMITTER),
                      socin_model_count (self->model, SOCIN_KIND_PEER));
    return SOCIN_CTL_OK;
}

static const socin_ctl_cmd_t s_commands[] = {
    {"seq", NULL, "the registry's current sequence and instance id", s_cmd_seq, 0, 0},
    {"counts", NULL, "units by level, catalogue entries and keys", s_cmd_counts, 0, 0},
    {NULL},
};

int
main (int argc, char **argv)
{
    socin_service_t service = {
        .name = "registry",
        .keys = s_keys,
        .commands = s_commands,
        .start = s_start,
        .authorize = s_authorize,
        .status = s_status,
        .stats = s_stats,
        .stop = s_stop,
        .reload = s_reload,
        .arg = &s_registry,
    };
    return socin_daemon_main (&service, argc, argv);
}
