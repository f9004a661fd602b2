/*  records: the registry's record store. See records.h. */
#include "records.h"

#include <stdio.h>
#include <string.h>

#include <czmq.h>

#include "clock.h"
#include "log.h"
#include "mem.h"

struct reg_records_t {
    socin_store_t *store;
    MDB_dbi records, history, meta;
    socin_model_t *model;
    uint64_t seq;
    char registry_id[40];
    reg_records_fn *on_change;
    void *on_change_arg;
};

/* ---- loading ---- */

/* Reads the sequence, the instance id and every record into the model. */
static int
s_load (reg_records_t *self)
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
    socin_info ("registry.loaded", "records=%zu seq=%llu", n, (unsigned long long)self->seq);
    return 0;
}

static int
s_put_id_txn (MDB_txn *txn, void *arg)
{
    reg_records_t *self = arg;
    MDB_val k = {11, "registry_id"}, v = {strlen (self->registry_id), self->registry_id};
    return mdb_put (txn, self->meta, &k, &v, 0);
}

/* Gives a store without an instance id a new random one. */
static int
s_make_id (reg_records_t *self, char *err, size_t errlen)
{
    uint8_t raw[16];
    zuuid_t *uuid = zuuid_new ();
    memcpy (raw, zuuid_data (uuid), 16);
    zuuid_destroy (&uuid);
    for (int i = 0; i < 16; i++)
        snprintf (self->registry_id + 2 * i, 3, "%02x", raw[i]);
    return socin_store_write (self->store, s_put_id_txn, self, err, errlen) == SOCIN_STORE_OK ? 0
                                                                                              : -1;
}

reg_records_t *
reg_records_new (socin_store_t *store)
{
    reg_records_t *self = socin_calloc (1, sizeof *self);
    self->store = store;
    self->records = socin_store_dbi (store, "records", 0);
    self->history = socin_store_dbi (store, "history", 0);
    self->meta = socin_store_dbi (store, "meta", 0);
    self->model = socin_model_new ();
    char err[1024];
    if (s_load (self)) {
        socin_error ("registry.load_failed", "reason=%s", "no read transaction");
        reg_records_destroy (&self);
        return NULL;
    }
    if (!*self->registry_id && s_make_id (self, err, sizeof err)) {
        socin_error ("registry.id_failed", "reason=%s", socin_log_q (err));
        reg_records_destroy (&self);
        return NULL;
    }
    return self;
}

void
reg_records_destroy (reg_records_t **self_p)
{
    reg_records_t *self = *self_p;
    if (!self) return;
    socin_model_destroy (&self->model);
    free (self);
    *self_p = NULL;
}

void
reg_records_on_change (reg_records_t *self, reg_records_fn *fn, void *arg)
{
    self->on_change = fn;
    self->on_change_arg = arg;
}

/* ---- committing ---- */

typedef struct {
    reg_records_t *self;
    socin_record_t **recs;
    size_t n;
    int64_t now;
} s_commit_t;

/* Keeps the version stored under K, if any, in history under the sequence that wrote it. */
static int
s_keep_history (reg_records_t *self, MDB_txn *txn, MDB_val *k)
{
    MDB_val old;
    if (mdb_get (txn, self->records, k, &old)) return 0;
    socin_record_t *prev = socin__v1__record__unpack (NULL, old.mv_size, old.mv_data);
    if (!prev) return 0;
    unsigned char hkey[8];
    socin_be64_put (hkey, prev->seq);
    protobuf_c_message_free_unpacked (&prev->base, NULL);
    MDB_val hk = {8, hkey};
    return mdb_put (txn, self->history, &hk, &old, 0);
}

static int
s_commit_txn (MDB_txn *txn, void *arg)
{
    s_commit_t *c = arg;
    reg_records_t *self = c->self;
    int rc = 0;
    for (size_t i = 0; i < c->n && !rc; i++) {
        socin_record_t *r = c->recs[i];
        r->seq = self->seq + i + 1;
        r->changed_ms = c->now;
        char key[130];
        size_t klen = socin_record_key (r, key);
        MDB_val k = {klen, key}, v;
        rc = s_keep_history (self, txn, &k);
        if (rc) break;
        v.mv_size = socin__v1__record__get_packed_size (r);
        rc = mdb_put (txn, self->records, &k, &v, MDB_RESERVE);
        if (!rc) socin__v1__record__pack (r, v.mv_data);
    }
    if (!rc) rc = socin_store_put_u64 (txn, self->meta, "seq", self->seq + c->n);
    return rc;
}

int
reg_records_commit (reg_records_t *self, socin_record_t **recs, size_t n, char *err, size_t errlen)
{
    if (n == 0) {
        free (recs);
        return 0;
    }
    s_commit_t c = {self, recs, n, socin_now_ms ()};
    if (socin_store_write (self->store, s_commit_txn, &c, err, errlen) != SOCIN_STORE_OK) {
        reg_records_discard (recs, n);
        return -1;
    }
    self->seq += n;
    for (size_t i = 0; i < n; i++) {
        if (self->on_change) self->on_change (recs[i], self->on_change_arg);
        socin_model_put (self->model, recs[i]);
    }
    free (recs);
    socin_model_finish (self->model);
    socin_info ("registry.changed", "records=%zu seq=%llu", n, (unsigned long long)self->seq);
    return 0;
}

size_t
reg_records_keep_changed (reg_records_t *self, socin_record_t **recs, size_t n,
                          reg_changes_t *changes)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const socin_record_t *old = socin_model_record (self->model, socin_record_kind (recs[i]),
                                                        socin_record_code (recs[i]));
        if (old && socin_record_same (old, recs[i])) {
            changes->unchanged++;
            protobuf_c_message_free_unpacked (&recs[i]->base, NULL);
            continue;
        }
        if (old)
            changes->updated++;
        else
            changes->added++;
        recs[kept++] = recs[i];
    }
    return kept;
}

void
reg_records_discard (socin_record_t **recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked (&recs[i]->base, NULL);
    free (recs);
}

/* ---- reading ---- */

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
        c->recs = socin_realloc (c->recs, c->cap * sizeof *c->recs);
    }
    c->recs[c->n++] = rec;
}

const socin_record_t **
reg_records_since (reg_records_t *self, uint64_t since, size_t *count)
{
    s_collect_t c = {NULL, 0, 0, since};
    socin_model_each_record (self->model, s_collect, &c);
    *count = c.n;
    return c.recs;
}

socin_model_t *
reg_records_model (reg_records_t *self)
{
    return self->model;
}

uint64_t
reg_records_seq (reg_records_t *self)
{
    return self->seq;
}

const char *
reg_records_id (reg_records_t *self)
{
    return self->registry_id;
}

socin_record_t **
reg_records_history (reg_records_t *self, const char *key, size_t klen, size_t *count)
{
    socin_record_t **out = NULL;
    size_t n = 0, cap = 0;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    *count = 0;
    if (socin_store_read_begin (self->store, &txn)) return NULL;
    if (mdb_cursor_open (txn, self->history, &cur)) {
        socin_store_read_end (&txn);
        return NULL;
    }
    for (int rc = mdb_cursor_get (cur, &k, &v, MDB_FIRST); !rc;
         rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT)) {
        socin_record_t *r = socin__v1__record__unpack (NULL, v.mv_size, v.mv_data);
        if (!r) continue;
        char rkey[130];
        size_t rlen = socin_record_key (r, rkey);
        if (rlen != klen || memcmp (rkey, key, klen)) {
            protobuf_c_message_free_unpacked (&r->base, NULL);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            out = socin_realloc (out, cap * sizeof *out);
        }
        out[n++] = r;
    }
    mdb_cursor_close (cur);
    socin_store_read_end (&txn);
    *count = n;
    return out;
}
