/*  test_valuekey: the storage key of a value, and the rewrite of stores of the earlier layout.

    What matters: a key splits back into exactly its parts; the values of one period sort
    together, unit by unit (what keeps a period's feed to a few B-tree runs); and a store
    written with either earlier layout (unit-indicator-period, unit-period-indicator) comes out
    with every value and every history entry under the new key, byte for byte the same, other
    keys untouched, whatever the chunk size and however often it is run.
*/
#include "valuekey.h"
#include "testing.h"

#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char s_dir[64];

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

static void
a_key_splits_into_its_parts (void)
{
    char key[SOCIN_VALUE_KEY_MAX], disagg[64];
    size_t len = socin_value_key ("PART_PARTICIPANTS", "582786", "202507", "sex=f", key);
    CHECK_INT (len, 1 + 7 + 7 + 18 + 5);
    CHECK_INT (key[0], 'P');
    CHECK (!memcmp (key + 1, "202507\0" "582786\0", 14));
    const char *ind, *unit, *period;
    CHECK (socin_value_key_split (key, len, &ind, &unit, &period, disagg, sizeof disagg));
    CHECK_STR (ind, "PART_PARTICIPANTS");
    CHECK_STR (unit, "582786");
    CHECK_STR (period, "202507");
    CHECK_STR (disagg, "sex=f");
    /* No disaggregation. */
    len = socin_value_key ("EMP_JOBSEEKERS", "CZ064", "2025", "", key);
    CHECK (socin_value_key_split (key, len, &ind, &unit, &period, disagg, sizeof disagg));
    CHECK_STR (ind, "EMP_JOBSEEKERS");
    CHECK_STR (disagg, "");
    /* A disaggregation longer than the caller's buffer, a truncated key, another tag. */
    len = socin_value_key ("I", "582786", "2025", "a-long-disaggregation", key);
    CHECK (!socin_value_key_split (key, len, &ind, &unit, &period, disagg, 8));
    CHECK (!socin_value_key_split (key, 9, &ind, &unit, &period, disagg, sizeof disagg));
    key[0] = 'V';
    CHECK (!socin_value_key_split (key, len, &ind, &unit, &period, disagg, sizeof disagg));
    /* Parts too long for a key. */
    char big[400];
    memset (big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CHECK_INT (socin_value_key ("I", big, "2025", "", key), 0);
}

static int
s_cmp (const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return memcmp (*x, *y, SOCIN_VALUE_KEY_MAX);
}

static void
a_period_sorts_together_unit_by_unit (void)
{
    /* Two units × two months × three indicators, sorted as LMDB sorts them: each month is one
       run of six, each unit's month in it one run of three. */
    const char *units[] = {"500011", "582786"}, *periods[] = {"202501", "202502"},
               *inds[] = {"A_ONE", "B_TWO", "C_THREE"};
    char keys[12][SOCIN_VALUE_KEY_MAX];
    char *ptrs[12];
    int n = 0;
    for (int i = 0; i < 3; i++)
        for (int p = 0; p < 2; p++)
            for (int u = 0; u < 2; u++) {
                memset (keys[n], 0, SOCIN_VALUE_KEY_MAX);
                socin_value_key (inds[i], units[u], periods[p], "", keys[n]);
                ptrs[n] = keys[n];
                n++;
            }
    qsort (ptrs, (size_t)n, sizeof *ptrs, s_cmp);
    for (int k = 0; k < n; k++) {
        const char *period = ptrs[k] + 1, *unit = period + strlen (period) + 1;
        CHECK_STR (period, periods[k / 6]);
        CHECK_STR (unit, units[(k / 3) % 2]);
    }
}

/* ---- migration ---- */

/* The layout s_old_key writes: 'V' (unit NUL indicator NUL period NUL disagg) or 'U' (unit
   NUL period NUL indicator NUL disagg). */
static char s_tag;

/* An earlier-layout key, then SUFFIX. */
static size_t
s_old_key (char *out, const char *unit, const char *ind, const char *period, const char *disagg,
           const void *suffix, size_t slen)
{
    size_t n = s_tag == 'V'
                   ? (size_t)sprintf (out, "V%s%c%s%c%s%c%s", unit, 0, ind, 0, period, 0, disagg)
                   : (size_t)sprintf (out, "U%s%c%s%c%s%c%s", unit, 0, period, 0, ind, 0, disagg);
    memcpy (out + n, suffix, slen);
    return n + slen;
}

static int
s_put (MDB_txn *txn, void *arg)
{
    MDB_val *kv = arg;
    return mdb_put (txn, (MDB_dbi)(uintptr_t)kv[2].mv_size, &kv[0], &kv[1], 0);
}

static void
s_store_put (socin_store_t *store, MDB_dbi dbi, const void *key, size_t klen, const void *val,
             size_t vlen)
{
    char err[256];
    MDB_val kv[3] = {{klen, (void *)key}, {vlen, (void *)val}, {dbi, NULL}};
    CHECK_INT (socin_store_write (store, s_put, kv, err, sizeof err), SOCIN_STORE_OK);
}

/* The value under KEY in DBI, as a string ("" when absent: no test value is empty). */
static const char *
s_get (socin_store_t *store, MDB_dbi dbi, const void *key, size_t klen)
{
    static char buf[128];
    buf[0] = 0;
    MDB_txn *txn;
    if (socin_store_read_begin (store, &txn)) return buf;
    MDB_val k = {klen, (void *)key}, v;
    if (mdb_get (txn, dbi, &k, &v) == 0 && v.mv_size < sizeof buf) {
        memcpy (buf, v.mv_data, v.mv_size);
        buf[v.mv_size] = 0;
    }
    socin_store_read_end (&txn);
    return buf;
}

static size_t
s_count (socin_store_t *store, MDB_dbi dbi, char tag)
{
    MDB_txn *txn;
    size_t n = 0;
    if (socin_store_read_begin (store, &txn)) return 0;
    MDB_cursor *cur;
    mdb_cursor_open (txn, dbi, &cur);
    MDB_val k, v;
    while (mdb_cursor_get (cur, &k, &v, MDB_NEXT) == 0)
        if (k.mv_size && ((const char *)k.mv_data)[0] == tag) n++;
    mdb_cursor_close (cur);
    socin_store_read_end (&txn);
    return n;
}

#define NUNITS 30
#define NINDS  7

/* Fills a store of the earlier layout, migrates it CHUNK keys per transaction and checks
   every entry. KILLED: first a child process starts the migration one key per transaction
   and is killed with SIGKILL part way; the migration then runs again and must finish it. */
static void
s_migration (size_t chunk, bool killed, char tag)
{
    char path[128], err[256];
    s_tag = tag;
    snprintf (path, sizeof path, "%s/m%c%zu%s", s_dir, tag, chunk, killed ? "k" : "");
    socin_store_t *store = socin_store_open (path, NULL, err, sizeof err);
    CHECK (store != NULL);
    if (!store) return;
    MDB_dbi values = socin_store_dbi (store, "values", 0);
    MDB_dbi ih = socin_store_dbi (store, "ihistory", 0); /* the ingest's: key + be64 seq */
    MDB_dbi rh = socin_store_dbi (store, "rhistory", 0); /* reporting's: key 0xFF ... */
    char key[512], val[64], unit[16], ind[16];
    for (int u = 0; u < NUNITS; u++)
        for (int i = 0; i < NINDS; i++) {
            snprintf (unit, sizeof unit, "%06d", 500000 + u * 37);
            snprintf (ind, sizeof ind, "IND_%d", i);
            const char *disagg = i % 3 == 0 ? "sex=f" : "";
            size_t n = s_old_key (key, unit, ind, "202503", disagg, "", 0);
            int vl = snprintf (val, sizeof val, "v-%d-%d", u, i);
            s_store_put (store, values, key, n, val, (size_t)vl);
            unsigned char seq[8];
            socin_be64_put (seq, (uint64_t)(u * NINDS + i + 1));
            n = s_old_key (key, unit, ind, "202503", disagg, seq, 8);
            vl = snprintf (val, sizeof val, "ih-%d-%d", u, i);
            s_store_put (store, ih, key, n, val, (size_t)vl);
            /* 0xFF, an 8-byte time holding 0xFF and NUL bytes, source, NUL, seq. */
            unsigned char suffix[1 + 8 + 6 + 8] = {0xFF, 0, 0, 1, 0xFF, 0, 0xFF, 2, 3, 'C', 'Z', '0', '6', '4', 0};
            memcpy (suffix + 15, seq, 8);
            n = s_old_key (key, unit, ind, "202503", disagg, suffix, sizeof suffix);
            vl = snprintf (val, sizeof val, "rh-%d-%d", u, i);
            s_store_put (store, rh, key, n, val, (size_t)vl);
        }
    /* Keys that are not values stay: an event ('E') in the ingest's history, and an
       earlier-layout key that does not parse. */
    s_store_put (store, ih, "E500000\0ev-1\0\0\0\0\0\0\0\1", 21, "event", 5);
    s_store_put (store, values, tag == 'V' ? "Vbroken" : "Ubroken", 7, "odd", 3);

    socin_value_history_t hist[2] = {{ih, 8, -1}, {rh, 0, 0xFF}};
    long long before = 0;
    if (killed) {
        /* LMDB environments do not cross fork(): the child opens its own. */
        socin_store_destroy (&store);
        pid_t pid = fork ();
        if (pid == 0) {
            socin_store_t *st = socin_store_open (path, NULL, err, sizeof err);
            if (!st) _exit (1);
            MDB_dbi cv = socin_store_dbi (st, "values", 0);
            socin_value_history_t ch[2] = {{socin_store_dbi (st, "ihistory", 0), 8, -1},
                                           {socin_store_dbi (st, "rhistory", 0), 0, 0xFF}};
            socin_value_keys_migrate (st, cv, ch, 2, 1, err, sizeof err);
            _exit (0);
        }
        CHECK (pid > 0);
        /* LMDB serves several processes at once: watch the child's commits, kill it once it
           has rewritten some keys (it needs a transaction per key for the rest). */
        store = socin_store_open (path, NULL, err, sizeof err);
        CHECK (store != NULL);
        if (!store) {
            kill (pid, SIGKILL);
            waitpid (pid, NULL, 0);
            return;
        }
        values = socin_store_dbi (store, "values", 0);
        hist[0].dbi = ih = socin_store_dbi (store, "ihistory", 0);
        hist[1].dbi = rh = socin_store_dbi (store, "rhistory", 0);
        for (int i = 0; i < 100000 && s_count (store, values, 'P') < 20; i++) usleep (50);
        kill (pid, SIGKILL);
        waitpid (pid, NULL, 0);
        before = (long long)(s_count (store, values, 'P') + s_count (store, ih, 'P') + s_count (store, rh, 'P'));
        CHECK (before >= 20 && before < 3 * NUNITS * NINDS);
        fprintf (stderr, "    %lld of %d keys rewritten when the first run was killed\n", before,
                 3 * NUNITS * NINDS);
    }
    long long moved = socin_value_keys_migrate (store, values, hist, 2, chunk, err, sizeof err);
    if (!killed)
        CHECK_INT (moved, 3 * NUNITS * NINDS);
    else
        /* Not exactly the rest: a transaction the child committed as it was killed may be
           seen by the next writer before readers see it (LMDB publishes it to readers last).
           The counts below are what matters. */
        CHECK (moved > 0 && before + moved <= 3 * NUNITS * NINDS);
    CHECK_INT (s_count (store, values, 'P'), NUNITS * NINDS);
    CHECK_INT (s_count (store, values, tag), 1);
    CHECK_STR (s_get (store, values, tag == 'V' ? "Vbroken" : "Ubroken", 7), "odd");
    CHECK_INT (s_count (store, ih, 'P'), NUNITS * NINDS);
    CHECK_INT (s_count (store, ih, tag), 0);
    CHECK_INT (s_count (store, ih, 'E'), 1);
    CHECK_INT (s_count (store, rh, 'P'), NUNITS * NINDS);
    CHECK_INT (s_count (store, rh, tag), 0);
    /* Each entry under its new key, with its value and suffix. */
    int wrong = 0;
    for (int u = 0; u < NUNITS; u++)
        for (int i = 0; i < NINDS; i++) {
            snprintf (unit, sizeof unit, "%06d", 500000 + u * 37);
            snprintf (ind, sizeof ind, "IND_%d", i);
            size_t n = socin_value_key (ind, unit, "202503", i % 3 == 0 ? "sex=f" : "", key);
            snprintf (val, sizeof val, "v-%d-%d", u, i);
            wrong += strcmp (s_get (store, values, key, n), val) != 0;
            unsigned char seq[8];
            socin_be64_put (seq, (uint64_t)(u * NINDS + i + 1));
            memcpy (key + n, seq, 8);
            snprintf (val, sizeof val, "ih-%d-%d", u, i);
            wrong += strcmp (s_get (store, ih, key, n + 8), val) != 0;
            unsigned char suffix[1 + 8 + 6 + 8] = {0xFF, 0, 0, 1, 0xFF, 0, 0xFF, 2, 3, 'C', 'Z', '0', '6', '4', 0};
            memcpy (suffix + 15, seq, 8);
            memcpy (key + n, suffix, sizeof suffix);
            snprintf (val, sizeof val, "rh-%d-%d", u, i);
            wrong += strcmp (s_get (store, rh, key, n + sizeof suffix), val) != 0;
        }
    CHECK_INT (wrong, 0);
    /* Run again (the next start): nothing left to do. */
    CHECK_INT (socin_value_keys_migrate (store, values, hist, 2, chunk, err, sizeof err), 0);
    socin_store_destroy (&store);
}

static void
an_earlier_store_is_rewritten_whole (void)
{
    s_migration (50000, false, 'V');
    s_migration (50000, false, 'U');
}

static void
an_earlier_store_is_rewritten_in_small_chunks (void)
{
    s_migration (1, false, 'V');
    s_migration (16, false, 'U');
}

static void
a_migration_killed_part_way_is_finished_by_the_next (void)
{
    s_migration (16, true, 'V');
    s_migration (16, true, 'U');
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-valuekey-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    RUN (a_key_splits_into_its_parts, "a value key splits back into indicator, unit, period and "
                                      "disaggregation; malformed and foreign keys do not");
    RUN (a_period_sorts_together_unit_by_unit,
         "the values of one period sort together, unit by unit");
    RUN (an_earlier_store_is_rewritten_whole,
         "a store of either earlier key layout (unit-indicator-period, unit-period-indicator) is "
         "rewritten: every value and both kinds of history under the new key, other keys "
         "untouched, and a second run finds nothing to do");
    RUN (an_earlier_store_is_rewritten_in_small_chunks,
         "the same with one and sixteen keys per transaction");
    RUN (a_migration_killed_part_way_is_finished_by_the_next,
         "a migration killed with SIGKILL part way is finished by the next run, every entry right");
    nftw (s_dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
