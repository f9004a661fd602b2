/*  test_ingest_store: the ingest opens the stores earlier versions of it wrote.

    What matters: a store that kept one LMDB entry per value in "values" (keys of the current
    layout, and some of the earlier unit-period-indicator one) opens with every value in the
    chunked map (ledger.h), the same bytes under the current key, "values" left empty; the
    count of values is right; a value's history still ends with its current value; opening
    the store again moves nothing and changes nothing.
*/
#include "chunks.h"
#include "ledger.h"

#include "testing.h"
#include "valuekey.h"
#include "valuestate.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Values of the current key layout, and values of the earlier one ("U" unit NUL period NUL
   indicator NUL) on top. */
#define N_VALUES 2500
#define N_OLD    12

static char s_dir[64];

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

/* Value I: its unit, period and indicator codes. */
static void
s_codes (int i, char *unit, char *period, char *ind)
{
    sprintf (unit, "%06d", 500000 + i / 40);
    sprintf (period, "2025%02d", 1 + i % 12);
    sprintf (ind, "IND_%02d", i % 40);
}

/* Value I's ledger state (its value I × 1.5, batch I + 1) into BUF; its length. */
static size_t
s_state (int i, unsigned char *buf)
{
    socin_value_state_t st = {.value = (socin_dec_t)i * 1500000, .seq = (uint64_t)i + 1};
    socin_value_state_pack (SOCIN_VALUE_LEDGER, &st, buf);
    return socin_value_state_size (SOCIN_VALUE_LEDGER, &st);
}

/* Writes the store as the ingest wrote it before the chunks. */
static int
s_old_store_txn (MDB_txn *txn, void *arg)
{
    MDB_dbi values = *(MDB_dbi *)arg;
    for (int i = 0; i < N_VALUES + N_OLD; i++) {
        char unit[16], period[16], ind[16], key[SOCIN_VALUE_KEY_MAX];
        unsigned char state[SOCIN_VALUE_HEAD_MAX];
        s_codes (i, unit, period, ind);
        size_t klen = i < N_VALUES
                          ? socin_value_key (ind, unit, period, "", key)
                          : (size_t)sprintf (key, "U%s%c%s%c%s%c", unit, 0, period, 0, ind, 0);
        MDB_val k = {klen, key}, v = {s_state (i, state), state};
        int rc = mdb_put (txn, values, &k, &v, 0);
        if (rc) return rc;
    }
    return 0;
}

/* Whether the chunked map holds every value, with its bytes, and "values" nothing. */
static void
s_check_moved (socin_store_t *store)
{
    MDB_txn *txn;
    CHECK_INT (socin_store_read_begin (store, &txn), 0);
    MDB_dbi plain = socin_store_dbi (store, "values", 0),
            chunked = socin_store_dbi (store, ING_VALUES_DB, 0);
    MDB_stat st;
    CHECK_INT (mdb_stat (txn, plain, &st), 0);
    CHECK_INT (st.ms_entries, 0);
    CHECK_INT (socin_chunks_count (txn, chunked), N_VALUES + N_OLD);
    int rc, wrong = 0;
    socin_chunks_t *h = socin_chunks_open (txn, chunked, &rc);
    CHECK (h != NULL);
    for (int i = 0; h && i < N_VALUES + N_OLD; i++) {
        char unit[16], period[16], ind[16], key[SOCIN_VALUE_KEY_MAX];
        unsigned char state[SOCIN_VALUE_HEAD_MAX];
        s_codes (i, unit, period, ind);
        MDB_val k = {socin_value_key (ind, unit, period, "", key), key}, v;
        size_t n = s_state (i, state);
        if (socin_chunks_get (h, &k, &v, MDB_SET_KEY) || v.mv_size != n ||
            memcmp (v.mv_data, state, n))
            wrong++;
    }
    CHECK_INT (wrong, 0);
    socin_chunks_close (&h, true);
    socin_store_read_end (&txn);
}

static void
a_store_of_one_entry_per_value_opens_with_every_value_in_chunks (void)
{
    char err[256];
    socin_store_t *store = socin_store_open (s_dir, NULL, err, sizeof err);
    CHECK (store != NULL);
    if (!store) return;
    MDB_dbi plain = socin_store_dbi (store, "values", 0);
    CHECK_INT (socin_store_write (store, s_old_store_txn, &plain, err, sizeof err), SOCIN_STORE_OK);

    ing_ledger_t *ledger = ing_ledger_new (store);
    s_check_moved (store);
    uint64_t values = 0, events = 1;
    ing_ledger_counts (ledger, &values, &events);
    CHECK_INT (values, N_VALUES + N_OLD);
    CHECK_INT (events, 0);
    /* A value moved from the earlier key layout: its history ends with it (1037 × 1.5). */
    char unit[16], period[16], ind[16], key[SOCIN_VALUE_KEY_MAX];
    s_codes (N_VALUES + 7, unit, period, ind);
    size_t klen = socin_value_key (ind, unit, period, "", key);
    Socin__V1__ValueHistory h = SOCIN__V1__VALUE_HISTORY__INIT;
    CHECK_INT (ing_ledger_history (ledger, key, klen, "CZ", &h), 0);
    CHECK_STR (h.current, "3760.5");
    ing_ledger_history_free (&h);
    ing_ledger_destroy (&ledger);

    /* Opened again: nothing left to move, nothing changed. */
    ledger = ing_ledger_new (store);
    s_check_moved (store);
    ing_ledger_counts (ledger, &values, &events);
    CHECK_INT (values, N_VALUES + N_OLD);
    ing_ledger_destroy (&ledger);
    socin_store_destroy (&store);
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-ingest-store-XXXXXX");
    if (!mkdtemp (s_dir)) return 1;
    RUN (a_store_of_one_entry_per_value_opens_with_every_value_in_chunks,
         "a store of one LMDB entry per value, of both key layouts, opens with every value in "
         "the chunked map, counted, its history ending with it, and opens again unchanged");
    nftw (s_dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
