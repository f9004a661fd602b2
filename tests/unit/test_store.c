/*  test_store: the LMDB environment, its growing map and its backups.

    What matters to a daemon: a write is all or nothing, it survives a restart, a map that
    fills up grows by itself until map_max, and a map at its limit refuses the write with a
    message for the operator while the store keeps working for writes that fit.
*/
#include "store.h"
#include "testing.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MiB (1024ULL * 1024)

static char s_dir[64];
static char s_err[512];

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

/* A path under the temporary directory, in one of 4 rotating static buffers. */
static const char *
s_path (const char *name)
{
    static char bufs[4][128];
    static unsigned next;
    char *buf = bufs[next++ % 4];
    snprintf (buf, 128, "%s/%s", s_dir, name);
    return buf;
}

static socin_store_t *
s_open (const char *name, uint64_t map_initial, uint64_t map_max)
{
    socin_store_opts_t opts = {.map_initial = map_initial, .map_max = map_max};
    s_err[0] = 0;
    socin_store_t *store = socin_store_open (s_path (name), &opts, s_err, sizeof s_err);
    if (!store) fprintf (stderr, "    socin_store_open (%s): %s\n", name, s_err);
    return store;
}

/* What a write puts: COUNT values of SIZE bytes under keys FIRST, FIRST+1... (big-endian),
   each filled with its key's low byte. ABORT makes the function put them, then abort. */
typedef struct {
    MDB_dbi dbi;
    uint64_t first;
    size_t count;
    size_t size;
    bool abort;
    int runs; /* how many times the function ran */
} s_batch_t;

static int
s_put_batch (MDB_txn *txn, void *arg)
{
    s_batch_t *batch = arg;
    batch->runs++;
    unsigned char *value = malloc (batch->size);
    int rc = 0;
    for (size_t i = 0; i < batch->count && !rc; i++) {
        unsigned char key[8];
        socin_be64_put (key, batch->first + i);
        memset (value, (int)((batch->first + i) & 0xff), batch->size);
        MDB_val k = {8, key}, v = {batch->size, value};
        rc = mdb_put (txn, batch->dbi, &k, &v, 0);
    }
    free (value);
    if (!rc && batch->abort) return SOCIN_STORE_ABORT_RC;
    return rc;
}

/* Entries in DBI, seen from a new read transaction. */
static size_t
s_entries (socin_store_t *store, MDB_dbi dbi)
{
    MDB_txn *txn = NULL;
    MDB_stat st = {0};
    if (socin_store_read_begin (store, &txn) == 0) {
        mdb_stat (txn, dbi, &st);
        socin_store_read_end (&txn);
    }
    CHECK (txn == NULL);
    return st.ms_entries;
}

/* Whether the value under KEY in DBI has SIZE bytes, each KEY's low byte. */
static bool
s_holds (socin_store_t *store, MDB_dbi dbi, uint64_t key, size_t size)
{
    MDB_txn *txn;
    if (socin_store_read_begin (store, &txn)) return false;
    unsigned char kbuf[8];
    socin_be64_put (kbuf, key);
    MDB_val k = {8, kbuf}, v;
    bool ok = mdb_get (txn, dbi, &k, &v) == 0 && v.mv_size == size;
    for (size_t i = 0; ok && i < size; i++)
        ok = ((unsigned char *)v.mv_data)[i] == (key & 0xff);
    mdb_txn_abort (txn);
    return ok;
}

static void
a_committed_write_is_visible_and_survives_reopening (void)
{
    socin_store_t *store = s_open ("basic/nested/data", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    struct stat st;
    CHECK_INT (stat (s_path ("basic/nested/data"), &st), 0);
    CHECK_INT (st.st_mode & 0777, 0700);
    CHECK_STR (socin_store_dir (store), s_path ("basic/nested/data"));
    CHECK (socin_store_env (store) != NULL);
    MDB_dbi items = socin_store_dbi (store, "items", 0);
    MDB_dbi meta = socin_store_dbi (store, "meta", 0);
    s_batch_t batch = {.dbi = items, .first = 1, .count = 10, .size = 100};
    CHECK_INT (socin_store_write (store, s_put_batch, &batch, s_err, sizeof s_err), SOCIN_STORE_OK);
    CHECK_INT (batch.runs, 1);
    CHECK_INT (s_entries (store, items), 10);
    CHECK_INT (s_entries (store, meta), 0);
    CHECK (s_holds (store, items, 1, 100));
    CHECK (s_holds (store, items, 10, 100));
    CHECK (!s_holds (store, items, 11, 100));
    socin_str_t stats = SOCIN_STR_INIT;
    socin_store_stats (store, &stats);
    CHECK_CONTAINS (socin_str_cstr (&stats), "store_db_items_entries:10\n");
    CHECK_CONTAINS (socin_str_cstr (&stats), "store_db_meta_entries:0\n");
    CHECK_CONTAINS (socin_str_cstr (&stats), "store_map_bytes:67108864\n");
    socin_str_free (&stats);
    CHECK (socin_store_file_size (store) > 0);
    socin_store_destroy (&store);
    CHECK (store == NULL);

    store = s_open ("basic/nested/data", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    items = socin_store_dbi (store, "items", 0);
    CHECK_INT (s_entries (store, items), 10);
    CHECK (s_holds (store, items, 7, 100));
    socin_store_destroy (&store);

    /* Read-only opening sees the same data. */
    socin_store_opts_t ro = {.read_only = true};
    store = socin_store_open (s_path ("basic/nested/data"), &ro, s_err, sizeof s_err);
    CHECK (store != NULL);
    if (store) {
        MDB_txn *txn;
        CHECK_INT (socin_store_read_begin (store, &txn), 0);
        MDB_dbi dbi;
        CHECK_INT (mdb_dbi_open (txn, "items", 0, &dbi), 0);
        MDB_stat ds;
        CHECK_INT (mdb_stat (txn, dbi, &ds), 0);
        CHECK_INT (ds.ms_entries, 10);
        mdb_txn_abort (txn);
        socin_store_destroy (&store);
    }
}

static void
an_aborting_function_writes_nothing (void)
{
    socin_store_t *store = s_open ("abort", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    MDB_dbi items = socin_store_dbi (store, "items", 0);
    s_batch_t batch = {.dbi = items, .first = 1, .count = 5, .size = 10, .abort = true};
    CHECK_INT (socin_store_write (store, s_put_batch, &batch, s_err, sizeof s_err),
               SOCIN_STORE_ABORT);
    CHECK_INT (batch.runs, 1);
    CHECK_INT (s_entries (store, items), 0);
    socin_store_destroy (&store);
    store = s_open ("abort", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    items = socin_store_dbi (store, "items", 0);
    CHECK_INT (s_entries (store, items), 0);
    socin_store_destroy (&store);
}

static int
s_put_twice (MDB_txn *txn, void *arg)
{
    MDB_dbi dbi = *(MDB_dbi *)arg;
    MDB_val k = {3, "key"}, v = {5, "value"};
    int rc = mdb_put (txn, dbi, &k, &v, MDB_NOOVERWRITE);
    if (!rc) rc = mdb_put (txn, dbi, &k, &v, MDB_NOOVERWRITE);
    return rc;
}

static void
an_lmdb_error_writes_nothing_and_says_so (void)
{
    socin_store_t *store = s_open ("lmdb-error", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    MDB_dbi items = socin_store_dbi (store, "items", 0);
    CHECK_INT (socin_store_write (store, s_put_twice, &items, s_err, sizeof s_err),
               SOCIN_STORE_ERROR);
    char expected[256];
    snprintf (expected, sizeof expected, "storage error in %s: %s", s_path ("lmdb-error"),
              mdb_strerror (MDB_KEYEXIST));
    CHECK_STR (s_err, expected);
    CHECK_INT (s_entries (store, items), 0);
    socin_store_destroy (&store);
}

static void
a_write_larger_than_the_map_grows_it (void)
{
    socin_store_t *store = s_open ("grow", 1 * MiB, 0);
    CHECK (store != NULL);
    if (!store) return;
    MDB_dbi items = socin_store_dbi (store, "items", 0);
    /* 8 MiB in one transaction: 128 values of 64 KiB. */
    s_batch_t batch = {.dbi = items, .first = 1000, .count = 128, .size = 64 * 1024};
    CHECK_INT (socin_store_write (store, s_put_batch, &batch, s_err, sizeof s_err), SOCIN_STORE_OK);
    CHECK (batch.runs > 1); /* it ran again after each growth */
    CHECK_INT (s_entries (store, items), 128);
    CHECK (s_holds (store, items, 1000, 64 * 1024));
    CHECK (s_holds (store, items, 1127, 64 * 1024));
    MDB_envinfo info;
    mdb_env_info (socin_store_env (store), &info);
    CHECK (info.me_mapsize >= 8 * MiB);
    CHECK (info.me_mapsize <= 16 * MiB); /* doubled, not more */
    CHECK (socin_store_file_size (store) >= 8 * MiB);
    socin_store_destroy (&store);

    /* Reopened with the small initial map, the data is all there. */
    store = s_open ("grow", 1 * MiB, 0);
    CHECK (store != NULL);
    if (!store) return;
    items = socin_store_dbi (store, "items", 0);
    CHECK_INT (s_entries (store, items), 128);
    CHECK (s_holds (store, items, 1064, 64 * 1024));
    socin_store_destroy (&store);
}

static void
a_map_at_its_limit_refuses_the_write_and_keeps_working (void)
{
    socin_store_t *store = s_open ("full", 1 * MiB, 2 * MiB);
    CHECK (store != NULL);
    if (!store) return;
    MDB_dbi items = socin_store_dbi (store, "items", 0);
    s_batch_t small = {.dbi = items, .first = 1, .count = 4, .size = 1000};
    CHECK_INT (socin_store_write (store, s_put_batch, &small, s_err, sizeof s_err), SOCIN_STORE_OK);

    s_batch_t big = {.dbi = items, .first = 1000, .count = 128, .size = 64 * 1024};
    s_err[0] = 0;
    CHECK_INT (socin_store_write (store, s_put_batch, &big, s_err, sizeof s_err), SOCIN_STORE_FULL);
    CHECK_CONTAINS (s_err, "storage full");
    CHECK_CONTAINS (s_err, s_path ("full"));
    CHECK_CONTAINS (s_err, "limit of 2 MiB (map_max)");
    /* Nothing of the refused transaction is visible; what was there before still is. */
    CHECK_INT (s_entries (store, items), 4);
    CHECK (!s_holds (store, items, 1000, 64 * 1024));
    CHECK (s_holds (store, items, 4, 1000));

    /* The store keeps working: a write that fits succeeds, again and again. */
    s_batch_t after = {.dbi = items, .first = 10, .count = 20, .size = 1000};
    CHECK_INT (socin_store_write (store, s_put_batch, &after, s_err, sizeof s_err), SOCIN_STORE_OK);
    CHECK_INT (s_entries (store, items), 24);
    CHECK_INT (socin_store_write (store, s_put_batch, &big, s_err, sizeof s_err), SOCIN_STORE_FULL);
    after.first = 100;
    CHECK_INT (socin_store_write (store, s_put_batch, &after, s_err, sizeof s_err), SOCIN_STORE_OK);
    CHECK_INT (s_entries (store, items), 44);
    socin_store_destroy (&store);

    store = s_open ("full", 1 * MiB, 2 * MiB);
    CHECK (store != NULL);
    if (!store) return;
    items = socin_store_dbi (store, "items", 0);
    CHECK_INT (s_entries (store, items), 44);
    socin_store_destroy (&store);
}

static int
s_delete_from (MDB_txn *txn, void *arg)
{
    s_batch_t *batch = arg;
    for (size_t i = 0; i < batch->count; i++) {
        unsigned char key[8];
        socin_be64_put (key, batch->first + i);
        MDB_val k = {8, key};
        int rc = mdb_del (txn, batch->dbi, &k, NULL);
        if (rc) return rc;
    }
    return 0;
}

static void
a_copy_is_compacted_and_holds_the_same_data (void)
{
    socin_store_t *store = s_open ("copy-from", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    MDB_dbi items = socin_store_dbi (store, "items", 0);
    MDB_dbi meta = socin_store_dbi (store, "meta", 0);
    s_batch_t batch = {.dbi = items, .first = 1, .count = 64, .size = 32 * 1024};
    CHECK_INT (socin_store_write (store, s_put_batch, &batch, s_err, sizeof s_err), SOCIN_STORE_OK);
    /* Delete most of it: the file keeps its size, a compacted copy does not. */
    batch.count = 60;
    CHECK_INT (socin_store_write (store, s_delete_from, &batch, s_err, sizeof s_err),
               SOCIN_STORE_OK);
    CHECK_INT (s_entries (store, items), 4);
    uint64_t original = socin_store_file_size (store);
    socin_store_destroy (&store); /* LMDB must not be opened twice by one process */

    CHECK_INT (
        socin_store_copy (s_path ("copy-from"), s_path ("backups/copy-to"), s_err, sizeof s_err),
        0);
    store = s_open ("backups/copy-to", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    CHECK (socin_store_file_size (store) < original / 4);
    items = socin_store_dbi (store, "items", 0);
    meta = socin_store_dbi (store, "meta", 0);
    CHECK_INT (s_entries (store, items), 4);
    CHECK_INT (s_entries (store, meta), 0);
    for (uint64_t key = 61; key <= 64; key++)
        CHECK (s_holds (store, items, key, 32 * 1024));
    CHECK (!s_holds (store, items, 1, 32 * 1024));
    socin_store_destroy (&store);

    /* A directory that already holds an environment is refused, and left alone. */
    CHECK_INT (
        socin_store_copy (s_path ("copy-from"), s_path ("backups/copy-to"), s_err, sizeof s_err),
        -1);
    char expected[256];
    snprintf (expected, sizeof expected,
              "%s already holds a data.mdb; back up into an empty directory",
              s_path ("backups/copy-to"));
    CHECK_STR (s_err, expected);
    store = s_open ("backups/copy-to", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    items = socin_store_dbi (store, "items", 0);
    CHECK_INT (s_entries (store, items), 4);
    socin_store_destroy (&store);

    /* A source that is no environment is an error with a message. */
    CHECK_INT (
        socin_store_copy (s_path ("no-such-store"), s_path ("backups/other"), s_err, sizeof s_err),
        -1);
    CHECK_CONTAINS (s_err, "backup of ");
}

static void
opening_fails_with_a_message (void)
{
    FILE *file = fopen (s_path ("a-file"), "w");
    if (file) fclose (file);
    socin_store_t *store = socin_store_open (s_path ("a-file/data"), NULL, s_err, sizeof s_err);
    CHECK (store == NULL);
    char expected[256];
    snprintf (expected, sizeof expected, "cannot create data directory %s: Not a directory",
              s_path ("a-file/data"));
    CHECK_STR (s_err, expected);
    socin_store_opts_t ro = {.read_only = true};
    store = socin_store_open (s_path ("missing"), &ro, s_err, sizeof s_err);
    CHECK (store == NULL);
    CHECK_CONTAINS (s_err, "cannot open LMDB environment in ");
}

static void
big_endian_helpers_round_trip_and_sort_as_numbers (void)
{
    unsigned char buf[8];
    socin_be64_put (buf, 0x0102030405060708ULL);
    CHECK (memcmp (buf, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0);
    CHECK (socin_be64_get (buf) == 0x0102030405060708ULL);
    const uint64_t v64[] = {0, 1, 255, 256, 0xffffffffULL, 1ULL << 32, UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof v64 / sizeof v64[0]; i++) {
        socin_be64_put (buf, v64[i]);
        CHECK (socin_be64_get (buf) == v64[i]);
        if (i) {
            unsigned char prev[8];
            socin_be64_put (prev, v64[i - 1]);
            CHECK (memcmp (prev, buf, 8) < 0);
        }
    }
    socin_be32_put (buf, 0xa1b2c3d4U);
    CHECK (memcmp (buf, "\xa1\xb2\xc3\xd4", 4) == 0);
    CHECK (socin_be32_get (buf) == 0xa1b2c3d4U);
    const uint32_t v32[] = {0, 1, 255, 65536, 0x7fffffffU, 0x80000000U, UINT32_MAX};
    for (size_t i = 0; i < sizeof v32 / sizeof v32[0]; i++) {
        socin_be32_put (buf, v32[i]);
        CHECK (socin_be32_get (buf) == v32[i]);
    }
}

typedef struct {
    MDB_dbi dbi;
    uint64_t seen;
} s_meta_t;

static int
s_bump_sequence (MDB_txn *txn, void *arg)
{
    s_meta_t *meta = arg;
    meta->seen = socin_store_get_u64 (txn, meta->dbi, "sequence", 41);
    int rc = socin_store_put_u64 (txn, meta->dbi, "sequence", meta->seen + 1);
    MDB_val k = {5, "wrong"}, v = {3, "abc"};
    if (!rc) rc = mdb_put (txn, meta->dbi, &k, &v, 0);
    return rc;
}

static void
u64_meta_values_default_and_round_trip (void)
{
    socin_store_t *store = s_open ("meta", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    s_meta_t meta = {.dbi = socin_store_dbi (store, "meta", 0)};
    CHECK_INT (socin_store_write (store, s_bump_sequence, &meta, s_err, sizeof s_err),
               SOCIN_STORE_OK);
    CHECK_INT (meta.seen, 41); /* absent: the default */
    CHECK_INT (socin_store_write (store, s_bump_sequence, &meta, s_err, sizeof s_err),
               SOCIN_STORE_OK);
    CHECK_INT (meta.seen, 42);
    MDB_txn *txn;
    CHECK_INT (socin_store_read_begin (store, &txn), 0);
    CHECK_INT (socin_store_get_u64 (txn, meta.dbi, "sequence", 0), 43);
    CHECK_INT (socin_store_get_u64 (txn, meta.dbi, "absent", 7), 7);
    CHECK_INT (socin_store_get_u64 (txn, meta.dbi, "wrong", 9), 9); /* not 8 bytes */
    socin_store_read_end (&txn);
    CHECK (txn == NULL);
    socin_store_read_end (&txn); /* harmless on NULL */
    socin_store_destroy (&store);
}

/* LMDB's default order: the bytes, then the shorter first. */
static int
s_ref_cmp (const void *a, const void *b)
{
    const MDB_val *x = a, *y = b;
    size_t n = x->mv_size < y->mv_size ? x->mv_size : y->mv_size;
    int c = n ? memcmp (x->mv_data, y->mv_data, n) : 0;
    if (c) return c < 0 ? -1 : 1;
    return x->mv_size < y->mv_size ? -1 : x->mv_size > y->mv_size;
}

#define NKEYS 3000

/* Keys with long shared beginnings, as value keys have: bytes from a small alphabet that
   holds 0x00, 0x7F, 0x80 and 0xFF, 0 to 40 of them. */
static void
s_random_keys (MDB_val *keys, unsigned char (*bytes)[40], unsigned seed)
{
    static const unsigned char alphabet[] = {0x00, 'P', '2', '0', 0x7F, 0x80, 0xFF};
    for (int i = 0; i < NKEYS; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % 41;
        for (size_t j = 0; j < len; j++) {
            seed = seed * 1103515245u + 12345u;
            /* Mostly the same first bytes: the words compared are often equal. */
            bytes[i][j] = j < 12 && (seed >> 16) % 8 ? alphabet[1 + j % 3]
                                                     : alphabet[(seed >> 16) % sizeof alphabet];
        }
        keys[i] = (MDB_val){len, bytes[i]};
    }
}

static int
s_put_keys (MDB_txn *txn, void *arg)
{
    MDB_val *keys = arg;
    MDB_dbi dbi;
    int rc = mdb_dbi_open (txn, "keys", 0, &dbi);
    for (int i = 0; i < NKEYS && !rc; i++) {
        MDB_val v = {1, "x"};
        if (keys[i].mv_size) rc = mdb_put (txn, dbi, &keys[i], &v, 0);
    }
    return rc;
}

static void
keys_sort_in_lmdbs_own_order (void)
{
    static unsigned char bytes[NKEYS][40];
    static MDB_val keys[NKEYS], sorted[NKEYS];
    s_random_keys (keys, bytes, 7);
    /* Every pair compares as LMDB's default would. */
    int wrong = 0;
    for (int i = 0; i < NKEYS; i++)
        for (int j = i; j < i + 50 && j < NKEYS; j++) {
            int a = socin_store_cmp (&keys[i], &keys[j]), b = s_ref_cmp (&keys[i], &keys[j]);
            wrong += (a < 0) != (b < 0) || (a > 0) != (b > 0);
        }
    CHECK_INT (wrong, 0);

    /* A store written with it reads in that order, and LMDB's own order finds every key in
       it: stores written before and after are the same trees. */
    socin_store_t *store = s_open ("order", 0, 0);
    CHECK (store != NULL);
    if (!store) return;
    socin_store_dbi (store, "keys", 0);
    CHECK_INT (socin_store_write (store, s_put_keys, keys, s_err, sizeof s_err), SOCIN_STORE_OK);
    socin_store_destroy (&store);
    memcpy (sorted, keys, sizeof keys);
    qsort (sorted, NKEYS, sizeof *sorted, s_ref_cmp);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    CHECK_INT (mdb_env_create (&env), 0);
    mdb_env_set_maxdbs (env, 64);
    CHECK_INT (mdb_env_open (env, s_path ("order"), MDB_RDONLY, 0600), 0);
    CHECK_INT (mdb_txn_begin (env, NULL, MDB_RDONLY, &txn), 0);
    CHECK_INT (mdb_dbi_open (txn, "keys", 0, &dbi), 0);
    CHECK_INT (mdb_cursor_open (txn, dbi, &cur), 0);
    MDB_val k, v;
    int i = 0, n = 0, out_of_order = 0, missing = 0;
    while (i < NKEYS && !sorted[i].mv_size)
        i++; /* LMDB keeps no empty key */
    for (int rc = mdb_cursor_get (cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT), n++) {
        out_of_order += i >= NKEYS || s_ref_cmp (&k, &sorted[i]) != 0;
        while (i + 1 < NKEYS && !s_ref_cmp (&sorted[i], &sorted[i + 1]))
            i++; /* duplicates */
        i++;
    }
    CHECK_INT (out_of_order, 0);
    CHECK_INT (i, NKEYS);
    for (int j = 0; j < NKEYS; j++) {
        k = keys[j];
        missing += k.mv_size && mdb_cursor_get (cur, &k, &v, MDB_SET) != 0;
    }
    CHECK_INT (missing, 0);
    CHECK (n > 1000);
    mdb_cursor_close (cur);
    mdb_txn_abort (txn);
    mdb_env_close (env);
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-store-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    RUN (a_committed_write_is_visible_and_survives_reopening,
         "a committed write is visible at once and after reopening");
    RUN (an_aborting_function_writes_nothing, "a function returning ABORT_RC writes nothing");
    RUN (an_lmdb_error_writes_nothing_and_says_so,
         "a function failing with an LMDB error writes nothing and says so");
    RUN (a_write_larger_than_the_map_grows_it,
         "a write larger than the map succeeds by growing the map");
    RUN (a_map_at_its_limit_refuses_the_write_and_keeps_working,
         "a map at map_max refuses the write as storage full and keeps working");
    RUN (a_copy_is_compacted_and_holds_the_same_data,
         "a copy is compacted, holds the same data and never overwrites one");
    RUN (opening_fails_with_a_message, "opening a store that cannot be made fails with a message");
    RUN (big_endian_helpers_round_trip_and_sort_as_numbers,
         "big-endian keys round trip and sort as numbers");
    RUN (u64_meta_values_default_and_round_trip, "u64 meta values default and round trip");
    RUN (keys_sort_in_lmdbs_own_order,
         "keys sort in LMDB's own order (bytes, then the shorter first): a store written reads the "
         "same with LMDB's default comparison");
    nftw (s_dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
