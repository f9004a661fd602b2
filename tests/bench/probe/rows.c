/*  probe-rows: what a smaller values tree would save on scattered values, measured against
    LMDB alone (tests/bench/README.md, "Disk or CPU").

        build/tests/bench/probe-rows entries|rows shuffled|feed DIR

    Writes the bench's 3,003,840 values (6,258 units × 40 indicators × 12 months) in one fixed
    random order (shuffled) or month by month, unit by unit, indicator by indicator (feed)
    into a new LMDB environment in DIR (an empty directory), 80,000 values per durable commit,
    as the bench's stages give them to the ingest, and prints the time, the CPU, the bytes
    written per value (/proc/self/io: wchar, and write_bytes as the bench's notes count) and
    the tree's size.

        entries  one entry per value, keyed as the stores key them (valuekey.h: "P" period NUL
                 unit NUL indicator NUL), its state a flags byte and two varints (value, seq)
        rows     one record per period and unit, keyed "P" period NUL unit NUL, holding that
                 unit's values in indicator order: indicator number, flags, value, seq; the
                 values of one record that come one after another are put together

    It is a probe, not socin's storage: no history, no texts, no checks.
*/
#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UNITS      6258
#define INDICATORS 40
#define MONTHS     12
#define PER_TXN    80000

static double
s_seconds (clockid_t clock)
{
    struct timespec t;
    clock_gettime (clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A counter of /proc/self/io ("wchar:", the bytes handed to write calls; "write_bytes:", the
   page cache the kernel charged as dirtied: whole folios, see tests/bench/README.md). */
static long long
s_io (const char *field)
{
    FILE *f = fopen ("/proc/self/io", "r");
    char line[128];
    long long v = 0;
    size_t len = strlen (field);
    while (f && fgets (line, sizeof line, f))
        if (!strncmp (line, field, len)) v = atoll (line + len);
    if (f) fclose (f);
    return v;
}

static size_t
s_varint (unsigned char *p, uint64_t v)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        p[n++] = (unsigned char)(v | 0x80);
    p[n++] = (unsigned char)v;
    return n;
}

static void
s_skip_varint (const unsigned char *p, size_t *at)
{
    while (p[(*at)++] & 0x80)
        ;
}

/* RECORD (LEN bytes, entries in indicator order) with ENTRY (for indicator IND) put in its
   place, into OUT; returns the new length. */
static size_t
s_record_put (const unsigned char *record, size_t len, int ind, const unsigned char *entry,
              size_t elen, unsigned char *out)
{
    size_t i = 0, o = 0;
    bool done = false;
    while (i < len) {
        size_t from = i;
        int at = record[i];
        i += 2;
        s_skip_varint (record, &i);
        s_skip_varint (record, &i);
        if (!done && at >= ind) {
            memcpy (out + o, entry, elen);
            o += elen;
            done = true;
            if (at == ind) continue;
        }
        memcpy (out + o, record + from, i - from);
        o += i - from;
    }
    if (!done) {
        memcpy (out + o, entry, elen);
        o += elen;
    }
    return o;
}

int
main (int argc, char **argv)
{
    if (argc != 4 || (strcmp (argv[1], "entries") && strcmp (argv[1], "rows")) ||
        (strcmp (argv[2], "shuffled") && strcmp (argv[2], "feed"))) {
        fprintf (stderr, "usage: probe-rows entries|rows shuffled|feed DIR\n");
        return 2;
    }
    bool rows = !strcmp (argv[1], "rows"), shuffled = !strcmp (argv[2], "shuffled");
    const char *dir = argv[3];
    size_t n = (size_t)UNITS * INDICATORS * MONTHS;
    uint32_t *order = malloc (n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    /* A fixed permutation (Fisher-Yates over a 64-bit LCG); value I is indicator I % 40 of
       unit I / 40 % 6258 in month I / 40 / 6258, so the identity is the feed's order. */
    uint64_t lcg = 42;
    for (size_t i = n - 1; shuffled && i > 0; i--) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t j = (size_t)((lcg >> 33) % (i + 1));
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi = 0;
    int rc = mdb_env_create (&env);
    if (!rc) rc = mdb_env_set_mapsize (env, 8ULL << 30);
    if (!rc) rc = mdb_env_open (env, dir, 0, 0600);
    if (rc) {
        fprintf (stderr, "probe-rows: %s: %s\n", dir, mdb_strerror (rc));
        return 1;
    }
    long long w0 = s_io ("wchar:"), d0 = s_io ("write_bytes:");
    double t0 = s_seconds (CLOCK_MONOTONIC), c0 = s_seconds (CLOCK_PROCESS_CPUTIME_ID);
    for (size_t at = 0; at < n && !rc;) {
        rc = mdb_txn_begin (env, NULL, 0, &txn);
        if (!rc) rc = mdb_dbi_open (txn, NULL, 0, &dbi);
        /* rows: the record being changed, put once the values of its period and unit that
           come together (a feed's run) are in. */
        int rec_month = 0, rec_unit = 0;
        unsigned char rec[2048], next[2048];
        size_t rlen = 0;
        char key[64];
        MDB_val k_val, v_val;
        for (size_t k = 0; k < PER_TXN && at < n && !rc; k++, at++) {
            uint32_t x = order[at];
            int ind = (int)(x % INDICATORS), unit = 500000 + (int)(x / INDICATORS % UNITS),
                month = 1 + (int)(x / INDICATORS / UNITS);
            uint64_t value = (uint64_t)(x * 2654435761u % 100000), seq = 1 + at / 10000;
            unsigned char entry[32];
            size_t elen = 0;
            if (rows) entry[elen++] = (unsigned char)ind;
            entry[elen++] = 0; /* flags */
            elen += s_varint (entry + elen, value);
            elen += s_varint (entry + elen, seq);
            if (!rows) {
                k_val.mv_size = (size_t)snprintf (key, sizeof key, "P2025%02d%c%06d%cBENCH_%02d%c",
                                                  month, 0, unit, 0, ind + 1, 0);
                k_val.mv_data = key;
                v_val = (MDB_val){elen, entry};
                rc = mdb_put (txn, dbi, &k_val, &v_val, 0);
                continue;
            }
            if (month != rec_month || unit != rec_unit) {
                if (rec_month) {
                    v_val = (MDB_val){rlen, rec};
                    if ((rc = mdb_put (txn, dbi, &k_val, &v_val, 0))) break;
                }
                rec_month = month;
                rec_unit = unit;
                k_val.mv_size =
                    (size_t)snprintf (key, sizeof key, "P2025%02d%c%06d%c", month, 0, unit, 0);
                k_val.mv_data = key;
                MDB_val stored;
                rlen = 0;
                if (mdb_get (txn, dbi, &k_val, &stored) == 0) {
                    memcpy (rec, stored.mv_data, stored.mv_size);
                    rlen = stored.mv_size;
                }
            }
            rlen = s_record_put (rec, rlen, ind, entry, elen, next);
            memcpy (rec, next, rlen);
        }
        if (!rc && rows && rec_month) {
            v_val = (MDB_val){rlen, rec};
            rc = mdb_put (txn, dbi, &k_val, &v_val, 0);
        }
        if (!rc)
            rc = mdb_txn_commit (txn);
        else
            mdb_txn_abort (txn);
    }
    if (rc) {
        fprintf (stderr, "probe-rows: %s\n", mdb_strerror (rc));
        return 1;
    }
    double t1 = s_seconds (CLOCK_MONOTONIC), c1 = s_seconds (CLOCK_PROCESS_CPUTIME_ID);
    long long w1 = s_io ("wchar:"), d1 = s_io ("write_bytes:");
    MDB_stat st = {0};
    if (!mdb_txn_begin (env, NULL, MDB_RDONLY, &txn)) {
        mdb_stat (txn, dbi, &st);
        mdb_txn_abort (txn);
    }
    printf ("%s, %s: %zu values in %.2f s (%.2f s of CPU): %.2f us a value, %.0f bytes written "
            "a value (write_bytes %.0f); %zu entries in %zu leaf pages, depth %u\n",
            argv[1], argv[2], n, t1 - t0, c1 - c0, (t1 - t0) / (double)n * 1e6,
            (double)(w1 - w0) / (double)n, (double)(d1 - d0) / (double)n, (size_t)st.ms_entries,
            (size_t)st.ms_leaf_pages, st.ms_depth);
    mdb_env_close (env);
    free (order);
    return 0;
}
