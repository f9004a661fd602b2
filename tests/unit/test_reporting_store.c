/*  test_reporting_store: reporting opens the stores earlier versions of it wrote.

    What matters: a store with unit-period-indicator keys whose current versions were written
    before versions held their change (the change was in the history too) opens with every
    value under its new key; a value's history lists each change once, in version order, with
    the current value; a later change keeps that history whole and writes its version in the
    current layout; a change older than all of them arriving late goes into the history in its
    place and moves the day the value was first received.
*/
#include "apply.h"
#include "chunks.h"
#include "query.h"

#include "testing.h"
#include "valuekey.h"
#include "valuestate.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY_MS 86400000LL

static char s_dir[64];

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

typedef struct {
    MDB_dbi dbi;
    MDB_val k, v;
} s_put_t;

static int
s_put_txn (MDB_txn *txn, void *arg)
{
    s_put_t *p = arg;
    return mdb_put (txn, p->dbi, &p->k, &p->v, 0);
}

static void
s_put (socin_store_t *store, const char *db, const void *key, size_t klen, const void *val,
       size_t vlen)
{
    char err[256];
    s_put_t p = {socin_store_dbi (store, db, 0), {klen, (void *)key}, {vlen, (void *)val}};
    CHECK_INT (socin_store_write (store, s_put_txn, &p, err, sizeof err), SOCIN_STORE_OK);
}

/* The key of an earlier layout: "U" unit NUL period NUL indicator NUL (no disaggregation). */
static const char s_old_key[] = "U582786\0"
                                "202501\0"
                                "IND\0";
#define OLD_KEY_LEN (sizeof s_old_key - 1)

/* A history entry of the earlier store: the change of batch SEQ from CZ accepted on DAY. */
static void
s_old_change (socin_store_t *store, int day, uint64_t seq, socin_dec_t value, const char *comment)
{
    unsigned char key[OLD_KEY_LEN + 1 + 8 + 3 + 8];
    memcpy (key, s_old_key, OLD_KEY_LEN);
    key[OLD_KEY_LEN] = 0xFF;
    socin_be64_put (key + OLD_KEY_LEN + 1, (uint64_t)(day * DAY_MS));
    memcpy (key + OLD_KEY_LEN + 9, "CZ", 3);
    socin_be64_put (key + OLD_KEY_LEN + 12, seq);
    /* The fixed form: flags, value, comment (reporting writes a change this short compact
       now; both read the same). */
    unsigned char val[64];
    val[0] = 0;
    memcpy (val + 1, &value, 8);
    memcpy (val + 9, comment, strlen (comment));
    s_put (store, "history", key, sizeof key, val, 9 + strlen (comment));
}

/* Writes, as reporting wrote it before: two changes of one value from CZ (5 on day 1000, then
   7 on day 1002), the current version 7 without its change (flags bit 1 clear), CZ at 2. */
static void
s_old_store (socin_store_t *store)
{
    s_old_change (store, 1000, 1, 5000000, "first");
    s_old_change (store, 1002, 2, 7000000, "second");
    unsigned char version[29 + 2];
    int64_t value = 7000000, ms = 1002 * DAY_MS;
    uint64_t seq = 2;
    int32_t first = 1000;
    memcpy (version, &value, 8);
    memcpy (version + 8, &ms, 8);
    memcpy (version + 16, &seq, 8);
    version[24] = 0; /* flags: present, the change in the history */
    memcpy (version + 25, &first, 4);
    memcpy (version + 29, "CZ", 2);
    s_put (store, "values", s_old_key, OLD_KEY_LEN, version, sizeof version);
    unsigned char applied[8];
    socin_be64_put (applied, 2);
    s_put (store, "sources", "CZ", 2, applied, 8);
}

/* The current version of the value, read from the store. */
static bool
s_version (socin_store_t *store, socin_value_state_t *out, int32_t *first_day, bool *logged)
{
    char key[SOCIN_VALUE_KEY_MAX];
    size_t klen = socin_value_key ("IND", "582786", "202501", "", key);
    MDB_txn *txn;
    if (socin_store_read_begin (store, &txn)) return false;
    MDB_val k = {klen, key}, v;
    int rc;
    socin_chunks_t *values =
        socin_chunks_open (txn, socin_store_dbi (store, REP_VALUES_DB, 0), &rc);
    bool ok = values && socin_chunks_get (values, &k, &v, MDB_SET_KEY) == 0 &&
              socin_value_state_unpack (SOCIN_VALUE_VERSION, v.mv_data, v.mv_size, out);
    if (ok) {
        *first_day = out->first_day;
        *logged = out->logged;
        /* The comment, kept past the handle that read it. */
        static char comment[256];
        out->comment_len = out->comment_len < sizeof comment ? out->comment_len : sizeof comment;
        memcpy (comment, out->comment, out->comment_len);
        out->comment = comment;
        out->text = out->stored_by = NULL;
    }
    socin_chunks_close (&values, true);
    socin_store_read_end (&txn);
    return ok;
}

/* The history of the value as "old>new comment source; ..." and its current value. */
static void
s_history (rep_apply_t *apply, char *out, size_t len)
{
    char key[SOCIN_VALUE_KEY_MAX];
    size_t klen = socin_value_key ("IND", "582786", "202501", "", key);
    Socin__V1__ValueHistory h = SOCIN__V1__VALUE_HISTORY__INIT;
    CHECK_INT (rep_query_history (apply, key, klen, &h), 0);
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < h.n_entries && n < len; i++) {
        const Socin__V1__HistoryEntry *e = h.entries[i];
        n += (size_t)snprintf (out + n, len - n, "%s>%s %s %s; ", e->old_value, e->new_value,
                               e->comment, e->source);
    }
    if (n < len) snprintf (out + n, len - n, "now %s", h.current);
    for (size_t i = 0; i < h.n_entries; i++)
        protobuf_c_message_free_unpacked (&h.entries[i]->base, NULL);
    free (h.entries);
    if (h.current != protobuf_c_empty_string) free (h.current);
}

/* Applies one change of IND 582786 202501 as batch SEQ of SOURCE accepted on DAY. */
static void
s_apply (rep_apply_t *apply, const socin_model_t *model, rep_cube_t *cube, rep_events_t *events,
         const char *source, uint64_t seq, int day, socin_dec_t value, const char *comment)
{
    Socin__V1__ValueChange c = SOCIN__V1__VALUE_CHANGE__INIT, *cs[] = {&c};
    c.indicator = "IND";
    c.unit = "582786";
    c.period = "202501";
    c.value_micros = value;
    c.comment = (char *)comment;
    Socin__V1__ChangeBatch b = SOCIN__V1__CHANGE_BATCH__INIT;
    b.seq = seq;
    b.accepted_ms = day * DAY_MS;
    b.values = cs;
    b.n_values = 1;
    rep_batch_t rb = {source, &b, REP_GAP};
    char err[256];
    CHECK_INT (rep_apply_batches (apply, &rb, 1, model, cube, events, err, sizeof err),
               SOCIN_STORE_OK);
    CHECK_INT (rb.outcome, REP_APPLIED);
}

static void
an_earlier_store_reads_and_grows_in_version_order (void)
{
    char err[256], text[1024];
    socin_store_t *store = socin_store_open (s_dir, NULL, err, sizeof err);
    CHECK (store != NULL);
    if (!store) return;
    s_old_store (store);
    /* Indicator and unit unknown to this (empty) registry: the store alone is tested. */
    socin_model_t *model = socin_model_new ();
    socin_model_finish (model);
    rep_cube_t *cube = rep_cube_new (model);
    rep_events_t *events = rep_events_new ();
    rep_apply_t *apply = rep_apply_new (store);
    CHECK_INT (rep_apply_applied (apply, "CZ"), 2);

    /* Each change once, the current one not twice. */
    s_history (apply, text, sizeof text);
    CHECK_STR (text, ">5 first CZ; 5>7 second CZ; now 7");
    socin_value_state_t st;
    int32_t first = 0;
    bool logged = false;
    CHECK (s_version (store, &st, &first, &logged) && logged && first == 1000);

    /* A later change: the history keeps both, the new version holds its change. */
    s_apply (apply, model, cube, events, "CZ", 3, 1005, 9000000, "third");
    s_history (apply, text, sizeof text);
    CHECK_STR (text, ">5 first CZ; 5>7 second CZ; 7>9 third CZ; now 9");
    CHECK (s_version (store, &st, &first, &logged) && !logged && first == 1000);
    CHECK (st.comment_len == 5 && !memcmp (st.comment, "third", 5));

    /* An older change from another source, late: in its place, and first received then. */
    s_apply (apply, model, cube, events, "AA", 1, 999, 4000000, "late");
    s_history (apply, text, sizeof text);
    CHECK_STR (text, ">4 late AA; 4>5 first CZ; 5>7 second CZ; 7>9 third CZ; now 9");
    CHECK (s_version (store, &st, &first, &logged) && !logged && first == 999);
    CHECK (st.value == 9000000 && st.seq == 3);

    /* One more on top: the version it replaces joins the history once. */
    s_apply (apply, model, cube, events, "CZ", 4, 1006, 11000000, "fourth");
    s_history (apply, text, sizeof text);
    CHECK_STR (text, ">4 late AA; 4>5 first CZ; 5>7 second CZ; 7>9 third CZ; 9>11 fourth CZ; "
                     "now 11");
    CHECK (s_version (store, &st, &first, &logged) && first == 999);

    rep_apply_destroy (&apply);
    rep_events_destroy (&events);
    rep_cube_destroy (&cube);
    socin_model_destroy (&model);
    socin_store_destroy (&store);
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-repstore-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    RUN (an_earlier_store_reads_and_grows_in_version_order,
         "a store of the earlier layouts opens: each change once in the history, in version "
         "order, later and late changes added in their place, the first day received moved");
    nftw (s_dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
