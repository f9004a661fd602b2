/*  test_chunks: a sorted map kept in LMDB as chunks of consecutive entries.

    What matters: however the entries are cut into chunks, the map answers every read, put and
    deletion exactly as a plain LMDB database (one entry per key, in the same environment and
    transactions) answers it, committed or aborted, and counts its entries; a handle reads its
    own writes before they are flushed, and another handle's once they are; runs of keys put in
    order take at most 35% of a plain database's leaf pages; a migration moves a plain
    database whole, and again when more entries arrive; keys out of bounds are refused and
    change nothing. A disagreement is printed with the seed, transaction and operation that
    reached it, so that it can be retraced.
*/
#include "chunks.h"
#include "store.h"
#include "testing.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char s_dir[64];

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

/* ---- the same numbers for the same seed (splitmix64) ---- */

static uint64_t s_rng;

static uint64_t
s_next (void)
{
    uint64_t z = (s_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* 0 to N - 1. */
static unsigned
s_below (unsigned n)
{
    return (unsigned)(s_next () % n);
}

/* ---- both sides: the chunked map and the reference ---- */

/* An environment with the chunked map C and the reference P, a plain database; and, between
   s_both_begin and s_both_end, a transaction TXN of it (begun with FLAGS), a handle H on C and
   the reference's cursor CUR. */
typedef struct {
    MDB_env *env;
    MDB_dbi c, p;
    MDB_txn *txn;
    unsigned flags;
    socin_chunks_t *h;
    MDB_cursor *cur;
} s_both_t;

/* A new environment in s_dir/NAME with the chunked map "c" and the plain database "p", both
   ordered by socin_store_cmp as the stores order them, into BOTH. */
static void
s_env (s_both_t *both, const char *name)
{
    char path[128];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    mkdir (path, 0700);
    MDB_env *env;
    MDB_txn *txn;
    if (mdb_env_create (&env) || mdb_env_set_mapsize (env, 256u << 20) ||
        mdb_env_set_maxdbs (env, 2) || mdb_env_open (env, path, MDB_NOSYNC, 0600) ||
        mdb_txn_begin (env, NULL, 0, &txn) || mdb_dbi_open (txn, "c", MDB_CREATE, &both->c) ||
        mdb_set_compare (txn, both->c, socin_store_cmp) ||
        mdb_dbi_open (txn, "p", MDB_CREATE, &both->p) ||
        mdb_set_compare (txn, both->p, socin_store_cmp) || mdb_txn_commit (txn)) {
        fprintf (stderr, "cannot open %s\n", path);
        exit (1);
    }
    both->env = env;
}

/* Begins a transaction of BOTH's environment with FLAGS (0, or MDB_RDONLY), opens a handle on
   the chunked map in it and a cursor on the reference. */
static void
s_both_begin (s_both_t *both, unsigned flags)
{
    both->flags = flags;
    mdb_txn_begin (both->env, NULL, flags, &both->txn);
    int rc = 0;
    both->h = socin_chunks_open (both->txn, both->c, &rc);
    mdb_cursor_open (both->txn, both->p, &both->cur);
}

/* Ends what s_both_begin began: closes the cursor, then the handle unless it is gone (its
   writes abandoned with ABORT), and commits the transaction, or aborts it with ABORT or when
   it is read-only. The handle's code, or else the commit's: 0 when all went well. */
static int
s_both_end (s_both_t *both, bool abort)
{
    mdb_cursor_close (both->cur);
    int rc = both->h ? socin_chunks_close (&both->h, abort) : 0;
    if (abort || both->flags & MDB_RDONLY)
        mdb_txn_abort (both->txn);
    else {
        int committed = mdb_txn_commit (both->txn);
        if (!rc) rc = committed;
    }
    both->txn = NULL;
    both->cur = NULL;
    return rc;
}

/* ---- keys and data ---- */

/* Disaggregations: none mostly, short ones, two long texts (keys of about 175 and 465 bytes),
   and one no test puts (keys certain to be absent). */
enum { D_NONE, D_F, D_M, D_LONG, D_LONGER, D_ABSENT };
static char s_long[2][448];

static const char *
s_disagg (int d)
{
    static const char *const shorts[] = {"", "sex=f", "sex=m"};
    return d == D_ABSENT ? "none=put" : d >= D_LONG ? s_long[d - D_LONG] : shorts[d];
}

/* A value key as socin writes it: "P" period NUL unit NUL indicator NUL disaggregation, into
   OUT of KEY_BUF bytes. */
#define KEY_BUF 520

static size_t
s_key (char *out, int month, int unit, int ind, int disagg)
{
    return (size_t)snprintf (out, KEY_BUF, "P2025%02d%c%06d%cBENCH_%02d%c%s", month, 0,
                             500000 + 13 * unit, 0, ind, 0, s_disagg (disagg));
}

/* A random key of the random tests' 3 months × 200 units × 40 indicators, some disaggregated. */
static size_t
s_random_key (char *out)
{
    int month = 1 + (int)s_below (3), unit = (int)s_below (200), ind = (int)s_below (40);
    unsigned r = s_below (100);
    int disagg = r < 85 ? D_NONE : r < 95 ? D_F + (int)s_below (2) : D_LONG + (int)s_below (2);
    return s_key (out, month, unit, ind, disagg);
}

/* Data sizes: mostly small, some empty, a few bigger than a chunk. */
static size_t
s_random_size (void)
{
    unsigned r = s_below (100);
    return r < 6    ? 0
           : r < 8  ? 3000 + s_below (2001)
           : r < 60 ? 1 + s_below (16)
                    : 17 + s_below (284);
}

static bool
s_same (const MDB_val *a, const MDB_val *b)
{
    return a->mv_size == b->mv_size &&
           (!a->mv_size || !memcmp (a->mv_data, b->mv_data, a->mv_size));
}

/* V for a message: its size, then its bytes with NUL as '|' and other unprintable ones as
   \xHH, cut after about 100 characters. */
static const char *
s_show (const MDB_val *v)
{
    static char bufs[4][160];
    static int next;
    char *out = bufs[next++ % 4];
    const unsigned char *p = v->mv_data;
    size_t n = (size_t)snprintf (out, 24, "%zu:", v->mv_size);
    for (size_t i = 0; i < v->mv_size && n < 120; i++)
        if (p[i] >= 32 && p[i] < 127)
            out[n++] = (char)p[i];
        else if (p[i] == 0)
            out[n++] = '|';
        else
            n += (size_t)snprintf (out + n, 5, "\\x%02x", p[i]);
    strcpy (out + n, n >= 120 ? "..." : "");
    return out;
}

/* ---- the map against the reference ---- */

/* Where a comparison is, for the message of its first disagreement: that one is printed, the
   case fails, and a random run stops there (what would follow only repeats it). */
static struct {
    uint64_t seed;
    int txn, op;
    char what[600];
    bool failed;
} s_at;

static void
s_begin (uint64_t seed)
{
    memset (&s_at, 0, sizeof s_at);
    s_at.seed = s_rng = seed;
}

static void
s_disagree (int line, const char *detail)
{
    if (s_at.failed) return;
    s_at.failed = true;
    t_case_failed = 1;
    if (s_at.op < 0)
        fprintf (stderr, "    seed %llu, the check after transaction %d: %s\n    line %d: %s\n",
                 (unsigned long long)s_at.seed, s_at.txn, s_at.what, line, detail);
    else
        fprintf (stderr, "    seed %llu, transaction %d, operation %d: %s\n    line %d: %s\n",
                 (unsigned long long)s_at.seed, s_at.txn, s_at.op, s_at.what, line, detail);
}

static bool
s_agree (bool ok, const char *expr, int line)
{
    char detail[300];
    snprintf (detail, sizeof detail, "%s is false", expr);
    if (!ok) s_disagree (line, detail);
    return ok;
}

static bool
s_agree_rc (int mine, int ref, const char *expr, int line)
{
    if (mine == ref) return true;
    char detail[400];
    snprintf (detail, sizeof detail, "%s is %d (%s), the reference's %d", expr, mine,
              mdb_strerror (mine), ref);
    s_disagree (line, detail);
    return false;
}

static bool
s_agree_val (const MDB_val *mine, const MDB_val *ref, const char *what, int line)
{
    if (s_same (mine, ref)) return true;
    char detail[400];
    snprintf (detail, sizeof detail, "%s is %s, the reference's %s", what, s_show (mine),
              s_show (ref));
    s_disagree (line, detail);
    return false;
}

#define AGREE(expr)                s_agree ((expr), #expr, __LINE__)
#define AGREE_RC(mine, ref)        s_agree_rc ((mine), (ref), #mine, __LINE__)
#define AGREE_VAL(mine, ref, what) s_agree_val ((mine), (ref), (what), __LINE__)

/* Adds TEXT to the operation's description. */
static void
s_note (const char *text)
{
    size_t n = strlen (s_at.what);
    snprintf (s_at.what + n, sizeof s_at.what - n, "%s", text);
}

/* One read on both sides, the handle H and the reference's cursor CUR, with OP and, for the
   ops that take one, the key PROBE: the same code, key and data. True when they agree on an
   entry, so that a step may follow. */
static bool
s_read (socin_chunks_t *h, MDB_cursor *cur, MDB_cursor_op op, const MDB_val *probe)
{
    MDB_val hk = {0, NULL}, hd = {0, NULL}, rk = {0, NULL}, rd = {0, NULL};
    if (probe) hk = rk = *probe;
    int hrc = socin_chunks_get (h, &hk, &hd, op);
    int rrc = mdb_cursor_get (cur, &rk, &rd, op);
    return AGREE_RC (hrc, rrc) && hrc == 0 && AGREE_VAL (&hk, &rk, "the key") &&
           AGREE_VAL (&hd, &rd, "the data");
}

/* A walk on both sides from FIRST (MDB_FIRST, MDB_LAST, or MDB_NEXT or MDB_PREV on a handle and
   a cursor not positioned yet) by STEP to the end: they agree all the way. */
static void
s_walk (socin_chunks_t *h, MDB_cursor *cur, MDB_cursor_op first, MDB_cursor_op step)
{
    snprintf (s_at.what, sizeof s_at.what, "a %s scan", step == MDB_NEXT ? "forward" : "backward");
    for (bool on = s_read (h, cur, first, NULL); on;)
        on = s_read (h, cur, step, NULL);
}

/* Whole scans agree: forward from FIRST (MDB_FIRST, or MDB_NEXT on a handle and a cursor not
   positioned yet), then backward from MDB_LAST, past the first entry. */
static void
s_check_scans (socin_chunks_t *h, MDB_cursor *cur, MDB_cursor_op first)
{
    s_walk (h, cur, first, MDB_NEXT);
    s_walk (h, cur, MDB_LAST, MDB_PREV);
}

/* A key to look for: a stored one (near a random one), one a byte shorter or longer than that,
   a random value key (mostly absent), or one sorting before or after every value key (some
   next to the count's "\x01", which no read may find). */
static size_t
s_probe (MDB_cursor *cur, char *out)
{
    static const MDB_val edges[] = {
        {1, "\x00"}, {1, "\x01"},  {2, "\x01\xff"}, {1, "\x02"},      {2, "\x02P"},
        {1, "A"},    {5, "P2024"}, {1, "Q"},        {6, "P2025\xff"}, {2, "\xff\xff"},
    };
    unsigned r = s_below (10);
    if (r < 2) {
        const MDB_val *e = &edges[s_below (sizeof edges / sizeof *edges)];
        memcpy (out, e->mv_data, e->mv_size);
        return e->mv_size;
    }
    size_t n = s_random_key (out);
    if (r < 4) return n;
    MDB_val k = {n, out}, d;
    int rc = mdb_cursor_get (cur, &k, &d, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND) rc = mdb_cursor_get (cur, &k, &d, MDB_LAST);
    if (rc) return n;
    memcpy (out, k.mv_data, k.mv_size);
    n = k.mv_size;
    if (r == 4 && n > 1) return n - 1;
    if (r >= 5 && r <= 6 && n < 511) {
        out[n] = r == 5 ? 0 : (char)0xff;
        return n + 1;
    }
    return n;
}

/* A probe (s_probe) with MDB_SET_RANGE, MDB_SET_KEY or MDB_SET, then a few steps from there. */
static void
s_check_probe (socin_chunks_t *h, MDB_cursor *cur)
{
    static const MDB_cursor_op ops[] = {MDB_SET_RANGE, MDB_SET_RANGE, MDB_SET_KEY, MDB_SET},
                               steps[] = {MDB_NEXT, MDB_NEXT, MDB_PREV, MDB_PREV, MDB_GET_CURRENT};
    static const char *const names[] = {"MDB_SET_RANGE", "MDB_SET_RANGE", "MDB_SET_KEY", "MDB_SET"},
                             *const step_names[] = {" NEXT", " NEXT", " PREV", " PREV",
                                                    " GET_CURRENT"};
    char buf[KEY_BUF];
    MDB_val k = {s_probe (cur, buf), buf};
    unsigned o = s_below (4);
    snprintf (s_at.what, sizeof s_at.what, "a read, %s %s, then", names[o], s_show (&k));
    if (!s_read (h, cur, ops[o], &k)) return;
    for (unsigned i = s_below (6); i > 0; i--) {
        unsigned s = s_below (5);
        s_note (step_names[s]);
        if (!s_read (h, cur, steps[s], NULL)) return;
    }
}

/* The map in C and the reference P agree in TXN, read through new handles: forward (MDB_NEXT
   on a handle not positioned yet), at 30 probes and next to them, in their counts, and
   backward (MDB_PREV on another new handle). */
static void
s_check_all (MDB_txn *txn, MDB_dbi c, MDB_dbi p)
{
    for (int backward = 0; backward < 2 && !s_at.failed; backward++) {
        int rc = 0;
        socin_chunks_t *h = socin_chunks_open (txn, c, &rc);
        MDB_cursor *cur;
        mdb_cursor_open (txn, p, &cur);
        if (!AGREE (h != NULL)) return;
        s_walk (h, cur, backward ? MDB_PREV : MDB_NEXT, backward ? MDB_PREV : MDB_NEXT);
        for (int i = 0; i < 30 && !backward && !s_at.failed; i++)
            s_check_probe (h, cur);
        MDB_stat st;
        mdb_stat (txn, p, &st);
        snprintf (s_at.what, sizeof s_at.what, "socin_chunks_count");
        AGREE_RC ((int)socin_chunks_count (txn, c), (int)st.ms_entries);
        snprintf (s_at.what, sizeof s_at.what, "closing a handle that only read");
        AGREE_RC (socin_chunks_close (&h, false), 0);
        mdb_cursor_close (cur);
    }
}

/* s_check_all in a read-only transaction of BOTH's environment, once a transaction is over;
   sets *MOST to the entries when more. */
static void
s_check_after (const s_both_t *both, size_t *most)
{
    s_at.op = -1;
    MDB_txn *txn;
    mdb_txn_begin (both->env, NULL, MDB_RDONLY, &txn);
    s_check_all (txn, both->c, both->p);
    MDB_stat st;
    mdb_stat (txn, both->p, &st);
    if (most && st.ms_entries > *most) *most = st.ms_entries;
    mdb_txn_abort (txn);
}

static char s_data[5120];

/* Puts KEY with SIZE random bytes on both sides with FLAGS (MDB_NOOVERWRITE; MDB_RESERVE, the
   bytes then copied into the space reserved at once) and checks that the map answers as the
   reference: the same code, the stored data with MDB_KEYEXIST, the neighbours of a new key,
   and then (sometimes) the handle on the key. */
static void
s_put_both (socin_chunks_t *h, MDB_txn *txn, MDB_dbi p, MDB_cursor *cur, const MDB_val *key,
            size_t size, unsigned flags)
{
    static char nbuf[2][KEY_BUF];
    for (size_t i = 0; i < size; i++)
        s_data[i] = (char)s_next ();
    snprintf (s_at.what, sizeof s_at.what, "put %s, %zu bytes%s%s", s_show (key), size,
              flags & MDB_NOOVERWRITE ? ", MDB_NOOVERWRITE" : "",
              flags & MDB_RESERVE ? ", MDB_RESERVE" : "");
    /* The reference's neighbours, found before the put. */
    MDB_val k = *key, d, before = {0, nbuf[0]}, after = {0, nbuf[1]};
    int rc = mdb_cursor_get (cur, &k, &d, MDB_SET_RANGE);
    bool was = rc == 0 && s_same (&k, key);
    if (!was && rc == 0) memcpy (nbuf[1], k.mv_data, after.mv_size = k.mv_size);
    if (!was && mdb_cursor_get (cur, &k, &d, rc ? MDB_LAST : MDB_PREV) == 0)
        memcpy (nbuf[0], k.mv_data, before.mv_size = k.mv_size);

    MDB_val ref = {size, s_data}, mine = {size, flags & MDB_RESERVE ? NULL : s_data}, hb, ha;
    int rrc = mdb_put (txn, p, (MDB_val *)key, &ref, flags & MDB_NOOVERWRITE);
    int hrc = socin_chunks_put (h, key, &mine, flags, &hb, &ha);
    if (hrc == 0 && (flags & MDB_RESERVE) &&
        AGREE (mine.mv_size == size && (mine.mv_data || !size)) && size)
        memcpy (mine.mv_data, s_data, size);
    if (!AGREE_RC (hrc, rrc)) return;
    if (hrc == MDB_KEYEXIST) AGREE_VAL (&mine, &ref, "the stored data");
    if (hrc || (!was && !(AGREE_VAL (&hb, &before, "the key before") &&
                          AGREE_VAL (&ha, &after, "the key after"))))
        return;
    /* The handle is on the key: its entry, or the one next to it, as the reference's. */
    unsigned r = s_below (8);
    if (r < 3) {
        static const MDB_cursor_op ops[] = {MDB_GET_CURRENT, MDB_NEXT, MDB_PREV};
        s_note (r == 0 ? ", then GET_CURRENT" : r == 1 ? ", then NEXT" : ", then PREV");
        k = *key;
        mdb_cursor_get (cur, &k, &d, MDB_SET_KEY);
        s_read (h, cur, ops[r], NULL);
    }
}

/* Deletes KEY on both sides: the same code; after it (sometimes) a step of the handle, which
   gives the entry after KEY (MDB_NEXT) or before it (MDB_PREV), as after mdb_cursor_del. */
static void
s_del_both (socin_chunks_t *h, MDB_txn *txn, MDB_dbi p, MDB_cursor *cur, const MDB_val *key)
{
    snprintf (s_at.what, sizeof s_at.what, "delete %s", s_show (key));
    int rrc = mdb_del (txn, p, (MDB_val *)key, NULL), hrc = socin_chunks_del (h, key);
    if (!AGREE_RC (hrc, rrc) || hrc || s_below (4)) return;
    bool next = s_below (2);
    s_note (next ? ", then NEXT" : ", then PREV");
    MDB_val hk = {0, NULL}, hd = {0, NULL}, rk = *key, rd = {0, NULL};
    int rc = mdb_cursor_get (cur, &rk, &rd, MDB_SET_RANGE);
    if (!next) rc = mdb_cursor_get (cur, &rk, &rd, rc ? MDB_LAST : MDB_PREV);
    hrc = socin_chunks_get (h, &hk, &hd, next ? MDB_NEXT : MDB_PREV);
    if (AGREE_RC (hrc, rc) && !hrc && AGREE_VAL (&hk, &rk, "the key"))
        AGREE_VAL (&hd, &rd, "the data");
}

/* A stored key of the reference: the first, the last, or the one at or after a random key.
   Its length, 0 when nothing is stored. */
static size_t
s_stored (MDB_cursor *cur, char *out)
{
    MDB_val k = {0, out}, d;
    unsigned r = s_below (6);
    int rc;
    if (r < 2)
        rc = mdb_cursor_get (cur, &k, &d, r ? MDB_LAST : MDB_FIRST);
    else {
        k.mv_size = s_random_key (out);
        rc = mdb_cursor_get (cur, &k, &d, MDB_SET_RANGE);
        if (rc == MDB_NOTFOUND) rc = mdb_cursor_get (cur, &k, &d, MDB_LAST);
    }
    if (rc) return 0;
    memmove (out, k.mv_data, k.mv_size);
    return k.mv_size;
}

/* ---- random transactions ---- */

enum { PUT_NEW, PUT_RUN, PUT_AGAIN, DEL_ONE, DEL_RUN, DEL_ABSENT, READ, SCAN, FLUSH, REOPEN, OPS };

/* How often each operation comes in a transaction that grows the map, and in one that shrinks
   it. */
static const unsigned s_grow[OPS] = {30, 12, 12, 12, 2, 5, 20, 2, 4, 3},
                      s_shrink[OPS] = {8, 3, 10, 40, 14, 5, 14, 3, 3, 3};

static int
s_pick (const unsigned *weights)
{
    unsigned sum = 0, op = 0;
    for (int i = 0; i < OPS; i++)
        sum += weights[i];
    for (unsigned r = s_below (sum); r >= weights[op]; op++)
        r -= weights[op];
    return (int)op;
}

/* One random operation on both sides, through the handle *H on C (which it may close and open
   again) and the reference P, whose cursor CUR it uses to choose keys. */
static void
s_random_op (socin_chunks_t **h, MDB_txn *txn, MDB_dbi c, MDB_dbi p, MDB_cursor *cur,
             const unsigned *weights)
{
    static char keys[64][KEY_BUF];
    static size_t lens[64];
    char buf[KEY_BUF];
    MDB_val k = {0, buf}, d;
    unsigned flags = (s_below (2) ? MDB_NOOVERWRITE : 0) | (s_below (10) < 3 ? MDB_RESERVE : 0);
    switch (s_pick (weights)) {
    case PUT_NEW:
        k.mv_size = s_random_key (buf);
        s_put_both (*h, txn, p, cur, &k, s_random_size (), flags);
        break;
    case PUT_RUN: {
        /* Consecutive keys in order, as a feed puts a unit's values, between stored ones. */
        int month = 1 + (int)s_below (3), unit = (int)s_below (200), ind = (int)s_below (40);
        for (int i = 2 + (int)s_below (60); i > 0 && !s_at.failed; i--, ind++) {
            if (ind == 40) {
                ind = 0;
                unit++;
            }
            k.mv_size = s_key (buf, month, unit, ind, D_NONE);
            s_put_both (*h, txn, p, cur, &k, s_random_size (), flags);
        }
        break;
    }
    case PUT_AGAIN:
        if ((k.mv_size = s_stored (cur, buf)))
            s_put_both (*h, txn, p, cur, &k, s_random_size (), flags);
        break;
    case DEL_ONE:
        if ((k.mv_size = s_stored (cur, buf))) s_del_both (*h, txn, p, cur, &k);
        break;
    case DEL_RUN: {
        /* Consecutive stored keys, forward or backward: chunks empty and go. */
        int n = 0, len = 5 + (int)s_below (60);
        k.mv_size = s_random_key (buf);
        for (int rc = mdb_cursor_get (cur, &k, &d, MDB_SET_RANGE); !rc && n < len;
             rc = mdb_cursor_get (cur, &k, &d, MDB_NEXT)) {
            memcpy (keys[n], k.mv_data, k.mv_size);
            lens[n++] = k.mv_size;
        }
        bool back = s_below (2);
        for (int i = 0; i < n && !s_at.failed; i++) {
            int j = back ? n - 1 - i : i;
            MDB_val dk = {lens[j], keys[j]};
            s_del_both (*h, txn, p, cur, &dk);
        }
        break;
    }
    case DEL_ABSENT:
        k.mv_size = s_below (4) ? s_key (buf, 1 + (int)s_below (3), (int)s_below (200),
                                         (int)s_below (40), D_ABSENT)
                                : (size_t)sprintf (buf, "Q%u", s_below (100));
        s_del_both (*h, txn, p, cur, &k);
        break;
    case READ:
        s_check_probe (*h, cur);
        break;
    case SCAN:
        /* Both ways through the handle that writes: it ends before the first entry. */
        s_check_scans (*h, cur, MDB_FIRST);
        break;
    case FLUSH:
        snprintf (s_at.what, sizeof s_at.what, "socin_chunks_flush");
        AGREE_RC (socin_chunks_flush (*h), 0);
        break;
    case REOPEN: {
        snprintf (s_at.what, sizeof s_at.what, "the handle closed and another opened");
        int rc = 0;
        AGREE_RC (socin_chunks_close (h, false), 0);
        *h = socin_chunks_open (txn, c, &rc);
        AGREE (*h != NULL);
        break;
    }
    }
}

/* Deletes every entry in one transaction, the first and the last by turns, and checks the map
   is empty then: no entry, a count of 0, and no chunk left in LMDB (the count's entry aside). */
static void
s_delete_all (s_both_t *both)
{
    s_both_begin (both, 0);
    char buf[KEY_BUF];
    MDB_val k, d;
    for (s_at.op = 0;
         !s_at.failed && !mdb_cursor_get (both->cur, &k, &d, s_at.op % 2 ? MDB_LAST : MDB_FIRST);
         s_at.op++) {
        memcpy (buf, k.mv_data, k.mv_size);
        k.mv_data = buf;
        s_del_both (both->h, both->txn, both->p, both->cur, &k);
    }
    snprintf (s_at.what, sizeof s_at.what, "every entry deleted, close, commit");
    AGREE_RC (s_both_end (both, false), 0);
    s_check_after (both, NULL);
    MDB_stat st;
    MDB_txn *txn;
    mdb_txn_begin (both->env, NULL, MDB_RDONLY, &txn);
    mdb_stat (txn, both->c, &st);
    AGREE (st.ms_entries <= 1);
    mdb_txn_abort (txn);
}

/* One seed's run: TXNS transactions of random size, some shrinking the map, some aborted, each
   checked once it is over; then every entry deleted. */
static void
s_random_run (uint64_t seed, int txns)
{
    s_begin (seed);
    char name[32];
    snprintf (name, sizeof name, "random-%llu", (unsigned long long)seed);
    s_both_t both;
    s_env (&both, name);
    int aborted = 0, ops = 0;
    size_t most = 0;
    for (s_at.txn = 0; s_at.txn < txns && !s_at.failed; s_at.txn++) {
        unsigned r = s_below (10);
        int count = r < 2   ? 1
                    : r < 5 ? 2 + (int)s_below (9)
                    : r < 8 ? 10 + (int)s_below (51)
                            : 100 + (int)s_below (201);
        bool abort = s_below (6) == 0, shrink = s_below (4) == 0;
        s_both_begin (&both, 0);
        for (s_at.op = 0; s_at.op < count && both.h && !s_at.failed; s_at.op++)
            s_random_op (&both.h, both.txn, both.c, both.p, both.cur, shrink ? s_shrink : s_grow);
        snprintf (s_at.what, sizeof s_at.what, "%s",
                  abort ? "close abandoned, abort" : "close, commit");
        AGREE_RC (s_both_end (&both, abort), 0);
        aborted += abort;
        ops += count;
        s_check_after (&both, &most);
    }
    if (!s_at.failed) s_delete_all (&both);
    printf ("    seed %llu: %d operations in %d transactions, %d aborted; at most %zu entries\n",
            (unsigned long long)seed, ops, s_at.txn, aborted, most);
    mdb_env_close (both.env);
}

static void
random_operations_answer_as_a_plain_database (void)
{
    static const uint64_t seeds[] = {1, 2, 3, 20250314};
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++)
        s_random_run (seeds[i], 60);
}

/* ---- handles in one transaction ---- */

/* A case's start: the seed SEED, a new environment NAME in BOTH, and 300 entries put (units 0
   to 14, even indicators of month 1) through one handle and committed. */
static void
s_prefill (s_both_t *both, uint64_t seed, const char *name)
{
    s_begin (seed);
    s_env (both, name);
    s_both_begin (both, 0);
    char buf[KEY_BUF];
    for (int i = 0; i < 300 && !s_at.failed; i++) {
        MDB_val k = {s_key (buf, 1, i / 20, 2 * (i % 20), D_NONE), buf};
        s_put_both (both->h, both->txn, both->p, both->cur, &k, 20, MDB_NOOVERWRITE);
    }
    CHECK_INT (s_both_end (both, false), 0);
}

static void
a_handle_reads_its_own_unflushed_writes (void)
{
    s_both_t both;
    s_prefill (&both, 7, "own");
    s_both_begin (&both, 0);
    char buf[KEY_BUF];
    /* Each put read back at once through the same handle, whole scans now and then. */
    for (s_at.op = 0; s_at.op < 150 && !s_at.failed; s_at.op++) {
        MDB_val k = {s_key (buf, 1, (int)s_below (16), 2 * (int)s_below (20) + 1, (int)s_below (3)),
                     buf};
        s_put_both (both.h, both.txn, both.p, both.cur, &k, s_random_size (),
                    s_below (2) ? MDB_NOOVERWRITE : 0);
        s_note (", then MDB_SET_KEY");
        s_read (both.h, both.cur, MDB_SET_KEY, &k);
        if (s_at.op % 30 == 29) s_check_scans (both.h, both.cur, MDB_FIRST);
    }
    /* Each deletion: the key gone at once, and from scans. */
    for (s_at.op = 150; s_at.op < 250 && !s_at.failed; s_at.op++) {
        MDB_val k = {s_stored (both.cur, buf), buf};
        s_del_both (both.h, both.txn, both.p, both.cur, &k);
        s_note (", then MDB_SET");
        s_read (both.h, both.cur, MDB_SET, &k);
        if (s_at.op % 25 == 24) s_check_scans (both.h, both.cur, MDB_FIRST);
    }
    /* Walked past the last entry, then past the first: the entry at that end deleted, and a
       key put beyond it. */
    for (int i = 0; i < 4 && !s_at.failed; i++, s_at.op++) {
        bool last = i % 2 == 0;
        s_walk (both.h, both.cur, last ? MDB_FIRST : MDB_LAST, last ? MDB_NEXT : MDB_PREV);
        MDB_val k = {0, buf}, d;
        if (!mdb_cursor_get (both.cur, &k, &d, last ? MDB_LAST : MDB_FIRST)) {
            memmove (buf, k.mv_data, k.mv_size);
            k.mv_data = buf;
            s_del_both (both.h, both.txn, both.p, both.cur, &k);
        }
        s_walk (both.h, both.cur, last ? MDB_FIRST : MDB_LAST, last ? MDB_NEXT : MDB_PREV);
        k.mv_size = s_key (buf, last ? 4 : 0, i, 0, D_NONE);
        s_put_both (both.h, both.txn, both.p, both.cur, &k, 8, MDB_NOOVERWRITE);
    }
    s_check_scans (both.h, both.cur, MDB_FIRST);
    for (int i = 0; i < 30 && !s_at.failed; i++)
        s_check_probe (both.h, both.cur);
    CHECK_INT (s_both_end (&both, false), 0);
    s_check_after (&both, NULL);
    mdb_env_close (both.env);
}

static void
a_handle_sees_another_handles_flushed_writes (void)
{
    s_both_t both;
    s_prefill (&both, 8, "two");
    s_both_begin (&both, 0);
    /* B is the handle s_both_begin opened, A one opened later; both compare their reads with
       the reference's cursor and put and delete through a second one, WCUR. */
    int rc = 0;
    socin_chunks_t *a, *b = both.h;
    MDB_cursor *wcur;
    mdb_cursor_open (both.txn, both.p, &wcur);
    char buf[KEY_BUF], at[KEY_BUF];
    /* B reads the region of unit 5 first: on indicator 10, the next 12. */
    MDB_val on = {s_key (at, 1, 5, 10, D_NONE), at};
    snprintf (s_at.what, sizeof s_at.what, "B reads unit 5");
    s_read (b, both.cur, MDB_SET_KEY, &on);
    s_read (b, both.cur, MDB_NEXT, NULL);
    s_read (b, both.cur, MDB_PREV, NULL);
    /* A then puts indicators 9 and 11 and 60 more (enough to split B's chunk), deletes 12,
       and flushes. */
    a = socin_chunks_open (both.txn, both.c, &rc);
    for (int i = 0; i < 62 && !s_at.failed; i++) {
        MDB_val k = {i < 2 ? s_key (buf, 1, 5, 9 + 2 * i, D_NONE)
                           : s_key (buf, 1, 5, 2 * ((i - 2) / 3) + 1, D_F + (i - 2) % 3),
                     buf};
        s_put_both (a, both.txn, both.p, wcur, &k, 100, MDB_NOOVERWRITE);
    }
    MDB_val gone = {s_key (buf, 1, 5, 12, D_NONE), buf};
    s_del_both (a, both.txn, both.p, wcur, &gone);
    CHECK_INT (socin_chunks_flush (a), 0);
    /* B, still on indicator 10, finds A's 11 next, A's 9 and every other entry. */
    snprintf (s_at.what, sizeof s_at.what, "B's NEXT from indicator 10 after A's writes");
    mdb_cursor_get (both.cur, &on, &(MDB_val){0, NULL}, MDB_SET_KEY);
    s_read (b, both.cur, MDB_NEXT, NULL);
    MDB_val nine = {s_key (buf, 1, 5, 9, D_NONE), buf};
    snprintf (s_at.what, sizeof s_at.what, "B's MDB_SET_KEY of A's indicator 9");
    s_read (b, both.cur, MDB_SET_KEY, &nine);
    s_check_scans (b, both.cur, MDB_FIRST);
    /* The other way round: B writes in unit 5 and 6, flushes, A reads it. */
    for (int i = 0; i < 40 && !s_at.failed; i++) {
        MDB_val k = {s_key (buf, 1, 5 + i / 20, 2 * (i % 20) + 1, D_LONG), buf};
        s_put_both (b, both.txn, both.p, wcur, &k, 30, 0);
    }
    CHECK_INT (socin_chunks_flush (b), 0);
    MDB_val bs = {s_key (buf, 1, 6, 39, D_LONG), buf};
    snprintf (s_at.what, sizeof s_at.what, "A's MDB_SET_KEY of B's last put");
    s_read (a, both.cur, MDB_SET_KEY, &bs);
    s_check_scans (a, both.cur, MDB_FIRST);
    mdb_cursor_close (wcur);
    CHECK_INT (socin_chunks_close (&a, false), 0);
    CHECK_INT (s_both_end (&both, false), 0);
    s_check_after (&both, NULL);
    mdb_env_close (both.env);
}

/* ---- packing ---- */

#define FEED_UNITS 6258
#define FEED_INDS  40
#define FEED_N     (FEED_UNITS * FEED_INDS)

/* Puts one month of FEED_UNITS units × FEED_INDS indicators, 8 bytes each, into the chunked map
   and the plain database of a new environment NAME, 25,000 a transaction: in key order (a
   feed's: unit by unit, indicator by indicator) or, when ORDER is given, in that order. Checks
   both hold the same and sets PAGES to their leaf pages, the chunked map's first. */
static void
s_pack (const char *name, const int *order, size_t pages[2])
{
    s_both_t both;
    s_env (&both, name);
    MDB_txn *txn;
    for (int from = 0; from < FEED_N; from += 25000) {
        mdb_txn_begin (both.env, NULL, 0, &txn);
        int rc = 0;
        socin_chunks_t *h = socin_chunks_open (txn, both.c, &rc);
        for (int i = from; i < from + 25000 && i < FEED_N && !rc; i++) {
            int v = order ? order[i] : i;
            char key[KEY_BUF];
            uint64_t data = (uint64_t)v * 2654435761u;
            MDB_val k = {s_key (key, 3, v / FEED_INDS, v % FEED_INDS, D_NONE), key}, d = {8, &data};
            rc = socin_chunks_put (h, &k, &d, MDB_NOOVERWRITE, NULL, NULL);
            d = (MDB_val){8, &data};
            if (!rc) rc = mdb_put (txn, both.p, &k, &d, MDB_NOOVERWRITE);
        }
        CHECK_INT (rc, 0);
        CHECK_INT (socin_chunks_close (&h, false), 0);
        CHECK_INT (mdb_txn_commit (txn), 0);
    }
    mdb_txn_begin (both.env, NULL, MDB_RDONLY, &txn);
    s_check_all (txn, both.c, both.p);
    CHECK_INT (socin_chunks_count (txn, both.c), FEED_N);
    MDB_stat st;
    mdb_stat (txn, both.c, &st);
    pages[0] = st.ms_leaf_pages;
    mdb_stat (txn, both.p, &st);
    pages[1] = st.ms_leaf_pages;
    mdb_txn_abort (txn);
    mdb_env_close (both.env);
}

static void
runs_put_in_order_take_about_a_third_of_the_pages (void)
{
    s_begin (4);
    size_t fed[2], shuffled[2];
    s_pack ("fed", NULL, fed);
    printf ("    in key order: leaf pages plain %zu, chunked %zu\n", fed[1], fed[0]);
    CHECK (fed[0] * 100 <= fed[1] * 35);
    int *order = malloc (FEED_N * sizeof *order);
    for (int i = 0; i < FEED_N; i++)
        order[i] = i;
    for (int i = FEED_N - 1; i > 0; i--) {
        int j = (int)s_below ((unsigned)i + 1), t = order[i];
        order[i] = order[j], order[j] = t;
    }
    s_pack ("shuffled", order, shuffled);
    free (order);
    printf ("    in random order: leaf pages plain %zu, chunked %zu\n", shuffled[1], shuffled[0]);
    CHECK (shuffled[0] * 2 <= shuffled[1]);
}

/* ---- migration ---- */

/* Entry I of the migration's plain database: unit I / 40, indicator I % 40 of 2025-06 (every
   ninth with a long disaggregation), with I % 40 bytes of data, 3000 or more every 61st. */
static void
s_entry (int i, MDB_val *key, MDB_val *data, char *kbuf, char *dbuf)
{
    key->mv_size = s_key (kbuf, 6, i / 40, i % 40, i % 9 ? D_NONE : D_LONG);
    key->mv_data = kbuf;
    data->mv_size = i % 61 ? (size_t)i % 40 : 3000 + (size_t)i % 2000;
    data->mv_data = dbuf;
    for (size_t j = 0; j < data->mv_size; j++)
        dbuf[j] = (char)(i * 31 + (int)j);
}

typedef struct {
    MDB_dbi dbi;
    int first, last, step;
} s_fill_t;

/* Puts entries FIRST, FIRST + STEP... before LAST into the plain database DBI. */
static int
s_fill (MDB_txn *txn, void *arg)
{
    const s_fill_t *f = arg;
    int rc = 0;
    for (int i = f->first; i < f->last && !rc; i += f->step) {
        char kbuf[KEY_BUF], dbuf[5120];
        MDB_val k, d;
        s_entry (i, &k, &d, kbuf, dbuf);
        rc = mdb_put (txn, f->dbi, &k, &d, 0);
    }
    return rc;
}

/* The chunked map TO holds entries 0, STEP, 2 STEP... before LAST, nothing else, and counts
   them; the plain database FROM is empty. */
static void
s_check_migrated (socin_store_t *store, MDB_dbi from, MDB_dbi to, int last, int step)
{
    MDB_txn *txn;
    CHECK_INT (socin_store_read_begin (store, &txn), 0);
    int rc = 0, misplaced = -1;
    socin_chunks_t *h = socin_chunks_open (txn, to, &rc);
    CHECK (h != NULL);
    if (!h) return;
    MDB_val hk, hd;
    for (int i = 0; i < last && misplaced < 0; i += step) {
        char kbuf[KEY_BUF], dbuf[5120];
        MDB_val k, d;
        s_entry (i, &k, &d, kbuf, dbuf);
        if (socin_chunks_get (h, &hk, &hd, MDB_NEXT) || !s_same (&hk, &k) || !s_same (&hd, &d))
            misplaced = i;
    }
    CHECK_INT (misplaced, -1);
    CHECK_INT (socin_chunks_get (h, &hk, &hd, MDB_NEXT), MDB_NOTFOUND);
    CHECK_INT (socin_chunks_count (txn, to), (last + step - 1) / step);
    MDB_stat st;
    mdb_stat (txn, from, &st);
    CHECK_INT (st.ms_entries, 0);
    CHECK_INT (socin_chunks_close (&h, false), 0);
    socin_store_read_end (&txn);
}

static void
a_migration_moves_a_plain_database_into_chunks (void)
{
    char path[128], err[256] = "";
    snprintf (path, sizeof path, "%s/migrate", s_dir);
    socin_store_t *store = socin_store_open (path, NULL, err, sizeof err);
    CHECK (store != NULL);
    if (!store) return;
    MDB_dbi from = socin_store_dbi (store, "p", 0), to = socin_store_dbi (store, "c", 0);
    /* The even indicators of 60 units, in transactions of 1000. */
    s_fill_t even = {from, 0, 2400, 2};
    CHECK_INT (socin_store_write (store, s_fill, &even, err, sizeof err), SOCIN_STORE_OK);
    CHECK_INT (socin_chunks_migrate (store, from, to, 1000, err, sizeof err), 1200);
    s_check_migrated (store, from, to, 2400, 2);
    CHECK_INT (socin_chunks_migrate (store, from, to, 1000, err, sizeof err), 0);
    /* As if a migration had stopped part way and more had come: the odd indicators, between
       the entries moved, and two more units after them, 7 a transaction. */
    s_fill_t odd = {from, 1, 2400, 2}, more = {from, 2400, 2480, 1};
    CHECK_INT (socin_store_write (store, s_fill, &odd, err, sizeof err), SOCIN_STORE_OK);
    CHECK_INT (socin_store_write (store, s_fill, &more, err, sizeof err), SOCIN_STORE_OK);
    CHECK_INT (socin_chunks_migrate (store, from, to, 7, err, sizeof err), 1280);
    s_check_migrated (store, from, to, 2480, 1);
    CHECK_INT (socin_chunks_migrate (store, from, to, 7, err, sizeof err), 0);
    if (t_case_failed) fprintf (stderr, "    last error: %s\n", err);
    socin_store_destroy (&store);
}

/* ---- keys out of bounds, and at them ---- */

static void
keys_out_of_bounds_are_refused_and_change_nothing (void)
{
    s_both_t both;
    s_prefill (&both, 9, "bad");
    s_both_begin (&both, 0);
    char big[KEY_BUF], counts[32];
    memset (big, 'x', sizeof big);
    size_t n = s_key (big, 1, 5, 11, D_NONE);
    big[n] = 'x';
    counts[0] = 1;
    memcpy (counts + 1, big, n);
    char low[32] = {0};
    memcpy (low + 1, big, n);
    MDB_val bad[] = {{n + 1, counts}, {n + 1, low}, {1, low}, {0, big}, {512, big}};
    static const unsigned flags[] = {0, MDB_NOOVERWRITE, MDB_RESERVE};
    for (int i = 0; i < 5; i++)
        for (int f = 0; f < 3; f++) {
            MDB_val d = {3, "bad"}, before, after;
            CHECK (socin_chunks_put (both.h, &bad[i], &d, flags[f], &before, &after) != 0);
        }
    /* Reads with keys out of bounds, and ops a handle does not take. */
    MDB_val k = bad[3], d;
    CHECK_INT (socin_chunks_get (both.h, &k, &d, MDB_SET_KEY), EINVAL);
    k = bad[4];
    CHECK_INT (socin_chunks_get (both.h, &k, &d, MDB_SET_RANGE), EINVAL);
    k = (MDB_val){n, big};
    CHECK_INT (socin_chunks_get (both.h, &k, &d, MDB_GET_BOTH), EINVAL);
    s_check_scans (both.h, both.cur, MDB_FIRST);
    CHECK_INT (s_both_end (&both, false), 0);
    s_check_after (&both, NULL);
    mdb_env_close (both.env);
}

/* Puts KEYS (N) into the map of BOTH with 8 bytes each, as a transaction of their own, then
   deletes them in another, checking both sides after each. */
static void
s_put_and_delete (s_both_t *both, const MDB_val *keys, int n)
{
    for (int round = 0; round < 2 && !s_at.failed; round++) {
        s_both_begin (both, 0);
        for (s_at.op = 0; s_at.op < n && !s_at.failed; s_at.op++)
            if (round == 0)
                s_put_both (both->h, both->txn, both->p, both->cur, &keys[s_at.op], 8,
                            MDB_NOOVERWRITE);
            else
                s_del_both (both->h, both->txn, both->p, both->cur, &keys[s_at.op]);
        s_check_scans (both->h, both->cur, MDB_FIRST);
        for (int i = 0; i < 30 && !s_at.failed; i++)
            s_check_probe (both->h, both->cur);
        CHECK_INT (s_both_end (both, false), 0);
        s_check_after (both, NULL);
        s_at.txn++;
    }
}

static void
keys_at_the_bounds_are_stored_as_any_other (void)
{
    s_both_t both;
    s_prefill (&both, 10, "bounds");
    static char longest[2][511];
    memset (longest[0], 'x', 511);
    memcpy (longest[0], "P2025", 5);
    memset (longest[1], 0xff, 511);
    /* 1 and 511 bytes, and keys sorting just after the count's "\x01". */
    const MDB_val keys[] = {
        {1, "P"}, {1, "\x02"}, {6, "\x02P2025"}, {511, longest[0]}, {511, longest[1]}};
    s_put_and_delete (&both, keys, sizeof keys / sizeof *keys);
    mdb_env_close (both.env);
}

/* Looks for keys next to the count's "\x01" in the map of BOTH: each finds what a plain
   database finds, never the count. */
static void
s_look_near_the_count (s_both_t *both)
{
    static const MDB_val keys[] = {
        {1, "\x00"}, {2, "\x00\xff"}, {1, "\x01"}, {2, "\x01\xff"}, {9, "\x01\0\0\0\0\0\0\0\0"}};
    static const MDB_cursor_op ops[] = {MDB_SET_RANGE, MDB_SET_KEY, MDB_SET};
    s_both_begin (both, MDB_RDONLY);
    for (size_t i = 0; i < 3 * sizeof keys / sizeof *keys && !s_at.failed; i++) {
        snprintf (s_at.what, sizeof s_at.what, "a read, op %d of %s, then NEXT, PREV",
                  (int)ops[i % 3], s_show (&keys[i / 3]));
        if (s_read (both->h, both->cur, ops[i % 3], &keys[i / 3]) &&
            s_read (both->h, both->cur, MDB_NEXT, NULL))
            s_read (both->h, both->cur, MDB_PREV, NULL);
    }
    CHECK_INT (s_both_end (both, false), 0);
}

static void
keys_next_to_the_counts_entry_are_looked_for_as_any_other (void)
{
    s_both_t both;
    s_prefill (&both, 11, "low");
    s_look_near_the_count (&both);
    /* And once every entry is deleted again: the count's entry stays, alone. */
    s_delete_all (&both);
    s_look_near_the_count (&both);
    mdb_env_close (both.env);
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-chunks-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    static const char text[] = "age=15-24;education=tertiary;region=CZ064;";
    for (int l = 0; l < 2; l++) {
        size_t n = l ? 440 : 150;
        for (size_t i = 0; i < n; i++)
            s_long[l][i] = text[i % (sizeof text - 1)];
    }
    RUN (random_operations_answer_as_a_plain_database,
         "random puts, deletions and reads, in transactions committed or aborted, answer as a "
         "plain LMDB database's: codes, stored data, neighbours, scans, probes and counts");
    RUN (a_handle_reads_its_own_unflushed_writes,
         "a handle reads its own puts and deletions before they are flushed");
    RUN (a_handle_sees_another_handles_flushed_writes,
         "a handle sees what another handle in its transaction wrote and flushed, even in the "
         "chunk it read before");
    RUN (runs_put_in_order_take_about_a_third_of_the_pages,
         "a month's values put in feed order take at most 35% of a plain database's leaf "
         "pages, at most half put in random order, and the same entries");
    RUN (a_migration_moves_a_plain_database_into_chunks,
         "a migration moves every entry of a plain database into the chunked map, leaves it "
         "empty, and moves what comes later on a second run");
    RUN (keys_out_of_bounds_are_refused_and_change_nothing,
         "puts of an empty key, one of 512 bytes and ones starting with 0x00 or 0x01 are "
         "refused and change nothing");
    RUN (keys_at_the_bounds_are_stored_as_any_other,
         "keys of 1 and 511 bytes, and keys sorting just after the count's \"\\x01\", are stored "
         "and read as any other");
    RUN (keys_next_to_the_counts_entry_are_looked_for_as_any_other,
         "keys starting with 0x00 or 0x01, next to the count's \"\\x01\", are looked for as any "
         "other, in a full map and an emptied one, and never find the count");
    nftw (s_dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
