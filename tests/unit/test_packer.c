/*  test_packer: runs of new keys inserted into the middle of a B-tree.

    What matters: whatever the packer does to the pages, the database holds exactly what plain
    puts would have made; an existing key, lifted out of the tree or not, answers
    MDB_KEYEXIST with its stored value; an abandoned transaction changes nothing; and runs
    inserted between existing keys, as a feed inserts them, end up in far fewer pages.
*/
#include "packer.h"
#include "testing.h"

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

/* A new environment in s_dir/NAME with one database, "values". */
static MDB_env *
s_env (const char *name, MDB_dbi *dbi)
{
    char path[128];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    mkdir (path, 0700);
    MDB_env *env;
    MDB_txn *txn;
    if (mdb_env_create (&env) || mdb_env_set_mapsize (env, 256u << 20) ||
        mdb_env_set_maxdbs (env, 2) || mdb_env_open (env, path, MDB_NOSYNC, 0600) ||
        mdb_txn_begin (env, NULL, 0, &txn) || mdb_dbi_open (txn, "values", MDB_CREATE, dbi) ||
        mdb_txn_commit (txn)) {
        fprintf (stderr, "cannot open %s\n", path);
        exit (1);
    }
    return env;
}

/* The key of value I of group G: groups interleave in key order as kraje's municipalities do
   ("G%05d" for the position, the group's number after it). */
static size_t
s_key (char *out, int pos, int group, int i)
{
    return (size_t)sprintf (out, "P202501%c%05d%c%d%cIND_%02d", 0, pos, 0, group, 0, i);
}

/* Puts, group by group (a kraj's month: one transaction), the 7 groups' values into DBI:
   each group has 4 positions (municipalities) of every 28, 40 keys each, so a group inserts
   runs of 160 keys between the runs of the groups before it; through a packer when PACK.
   Returns how many entries the packers lifted. */
static size_t
s_feed (MDB_env *env, MDB_dbi dbi, bool pack)
{
    size_t lifted = 0;
    char key[64], val[32];
    memset (val, 'v', sizeof val);
    for (int g = 0; g < 7; g++) {
        MDB_txn *txn;
        int rc = mdb_txn_begin (env, NULL, 0, &txn);
        socin_packer_t *p = pack ? socin_packer_new (txn, dbi, &rc) : NULL;
        for (int pos = 0; pos < 7 * 300 && !rc; pos++)
            for (int i = 0; i < 40 && !rc && pos / 4 % 7 == g; i++) {
                MDB_val k = {s_key (key, pos, g, i), key}, v = {sizeof val, val};
                rc = pack ? socin_packer_put (p, &k, &v, MDB_NOOVERWRITE)
                          : mdb_put (txn, dbi, &k, &v, MDB_NOOVERWRITE);
            }
        CHECK_INT (rc, 0);
        if (pack) lifted += socin_packer_lifted (p);
        if (pack) CHECK_INT (socin_packer_destroy (&p, 0), 0);
        CHECK_INT (mdb_txn_commit (txn), 0);
    }
    return lifted;
}

static void
a_runs_mid_tree_fill_pages_and_keep_every_entry (void)
{
    MDB_dbi pd, qd;
    MDB_env *plain = s_env ("plain", &pd), *packed = s_env ("packed", &qd);
    s_feed (plain, pd, false);
    size_t lifted = s_feed (packed, qd, true);
    MDB_txn *a, *b;
    mdb_txn_begin (plain, NULL, MDB_RDONLY, &a);
    mdb_txn_begin (packed, NULL, MDB_RDONLY, &b);
    MDB_stat sa, sb;
    mdb_stat (a, pd, &sa);
    mdb_stat (b, qd, &sb);
    CHECK_INT (sb.ms_entries, 7 * 300 * 40);
    CHECK_INT (sa.ms_entries, sb.ms_entries);
    /* The same entries, in the same order. */
    MDB_cursor *ca, *cb;
    mdb_cursor_open (a, pd, &ca);
    mdb_cursor_open (b, qd, &cb);
    MDB_val ka, va, kb, vb;
    size_t same = 0;
    while (mdb_cursor_get (ca, &ka, &va, MDB_NEXT) == 0 &&
           mdb_cursor_get (cb, &kb, &vb, MDB_NEXT) == 0 && ka.mv_size == kb.mv_size &&
           !memcmp (ka.mv_data, kb.mv_data, ka.mv_size) && va.mv_size == vb.mv_size &&
           !memcmp (va.mv_data, vb.mv_data, va.mv_size))
        same++;
    CHECK_INT (same, sb.ms_entries);
    /* Plain puts leave the runs in pages about half full. */
    printf ("    leaf pages: plain %zu, packed %zu\n", sa.ms_leaf_pages, sb.ms_leaf_pages);
    CHECK (sb.ms_leaf_pages * 10 < sa.ms_leaf_pages * 8);
    /* A lift takes what follows the run on the run's page, half a page on average, not a
       page's worth: groups 1 to 6 put 75 runs each between existing keys. */
    size_t per_page = sb.ms_entries / sb.ms_leaf_pages, gaps = 6 * 75;
    printf ("    lifted %zu entries for %zu runs, %zu entries a page\n", lifted, gaps, per_page);
    CHECK (lifted > 0);
    CHECK (lifted * 4 < gaps * per_page * 3);
    mdb_cursor_close (ca);
    mdb_cursor_close (cb);
    mdb_txn_abort (a);
    mdb_txn_abort (b);
    mdb_env_close (plain);
    mdb_env_close (packed);
}

/* A new environment NAME (s_env) holding positions 0..999 of group 0, one key each, the
   value "was " and its position. */
static MDB_env *
s_existing (const char *name, MDB_dbi *dbi)
{
    MDB_env *env = s_env (name, dbi);
    char key[64];
    MDB_txn *txn;
    mdb_txn_begin (env, NULL, 0, &txn);
    for (int pos = 0; pos < 1000; pos++) {
        char val[16];
        MDB_val k = {s_key (key, pos, 0, 0), key}, v = {(size_t)sprintf (val, "was %d", pos), val};
        mdb_put (txn, *dbi, &k, &v, 0);
    }
    CHECK_INT (mdb_txn_commit (txn), 0);
    return env;
}

static void
a_existing_key_answers_keyexist_even_when_lifted (void)
{
    MDB_dbi dbi;
    MDB_env *env = s_existing ("exist", &dbi);
    char key[64];
    MDB_txn *txn;
    /* A run after position 500 (group 1 sorts after group 0 there): the entries after it are
       lifted; then position 510, one of them, is put again. */
    mdb_txn_begin (env, NULL, 0, &txn);
    int rc;
    socin_packer_t *p = socin_packer_new (txn, dbi, &rc);
    for (int i = 0; i < 20; i++) {
        MDB_val k = {s_key (key, 500, 1, i), key}, v = {3, "new"};
        CHECK_INT (socin_packer_put (p, &k, &v, MDB_NOOVERWRITE), 0);
    }
    MDB_val k = {s_key (key, 510, 0, 0), key}, v = {3, "new"};
    CHECK_INT (socin_packer_put (p, &k, &v, MDB_NOOVERWRITE), MDB_KEYEXIST);
    CHECK (v.mv_size == 7 && !memcmp (v.mv_data, "was 510", 7));
    /* Abandoned: nothing of it stays. */
    CHECK_INT (socin_packer_destroy (&p, 1), 0);
    mdb_txn_abort (txn);
    mdb_txn_begin (env, NULL, 0, &txn);
    MDB_stat st;
    mdb_stat (txn, dbi, &st);
    CHECK_INT (st.ms_entries, 1000);
    /* Committed after a flush: every entry there, the lifted ones as they were. */
    p = socin_packer_new (txn, dbi, &rc);
    for (int i = 0; i < 20; i++) {
        MDB_val nk = {s_key (key, 500, 1, i), key}, nv = {3, "new"};
        CHECK_INT (socin_packer_put (p, &nk, &nv, MDB_NOOVERWRITE | MDB_RESERVE), 0);
        memcpy (nv.mv_data, "NEW", 3);
    }
    CHECK_INT (socin_packer_destroy (&p, 0), 0);
    CHECK_INT (mdb_txn_commit (txn), 0);
    mdb_txn_begin (env, NULL, MDB_RDONLY, &txn);
    mdb_stat (txn, dbi, &st);
    CHECK_INT (st.ms_entries, 1020);
    for (int pos = 0; pos < 1000; pos += 7) {
        char want[16];
        MDB_val gk = {s_key (key, pos, 0, 0), key}, gv;
        CHECK_INT (mdb_get (txn, dbi, &gk, &gv), 0);
        CHECK (gv.mv_size == (size_t)sprintf (want, "was %d", pos) &&
               !memcmp (gv.mv_data, want, gv.mv_size));
    }
    MDB_val gk = {s_key (key, 500, 1, 19), key}, gv;
    CHECK (mdb_get (txn, dbi, &gk, &gv) == 0 && gv.mv_size == 3 && !memcmp (gv.mv_data, "NEW", 3));
    mdb_txn_abort (txn);
    mdb_env_close (env);
}

/* Whether V is the key of value I of group G at POS. */
static bool
s_is_key (const MDB_val *v, int pos, int group, int i)
{
    char key[64];
    size_t len = s_key (key, pos, group, i);
    return v->mv_size == len && !memcmp (v->mv_data, key, len);
}

static void
a_put_near_finds_neighbours_lifted_or_not_and_unput_takes_a_key_out (void)
{
    MDB_dbi dbi;
    MDB_env *env = s_existing ("around", &dbi);
    char key[64];
    MDB_txn *txn;
    mdb_txn_begin (env, NULL, 0, &txn);
    int rc;
    socin_packer_t *p = socin_packer_new (txn, dbi, &rc);
    MDB_val before, after;
    /* The first key of a run after position 500: both neighbours in the tree. */
    MDB_val k = {s_key (key, 500, 1, 0), key}, v = {3, "new"};
    CHECK_INT (socin_packer_put_near (p, &k, &v, MDB_NOOVERWRITE, &before, &after), 0);
    CHECK (s_is_key (&before, 500, 0, 0));
    CHECK (s_is_key (&after, 501, 0, 0));
    /* Further on in the run the entries after it are lifted out of the tree: the one after
       the last key is the first of them all the same. */
    for (int i = 1; i < 19; i++) {
        k = (MDB_val){s_key (key, 500, 1, i), key};
        v = (MDB_val){3, "new"};
        CHECK_INT (socin_packer_put (p, &k, &v, MDB_NOOVERWRITE), 0);
    }
    CHECK (socin_packer_lifted (p) > 0);
    k = (MDB_val){s_key (key, 500, 1, 19), key};
    v = (MDB_val){3, "new"};
    CHECK_INT (socin_packer_put_near (p, &k, &v, MDB_NOOVERWRITE, &before, &after), 0);
    CHECK (s_is_key (&before, 500, 1, 18));
    CHECK (s_is_key (&after, 501, 0, 0));
    /* Taken out again; the next put of the run goes on. */
    CHECK_INT (socin_packer_unput (p, &k), 0);
    MDB_val gv;
    CHECK_INT (mdb_get (txn, dbi, &k, &gv), MDB_NOTFOUND);
    k = (MDB_val){s_key (key, 500, 1, 20), key};
    v = (MDB_val){3, "new"};
    CHECK_INT (socin_packer_put (p, &k, &v, MDB_NOOVERWRITE), 0);
    /* The very first key: nothing before it. */
    k = (MDB_val){s_key (key, 0, 0, 0) - 1, key};
    v = (MDB_val){3, "new"};
    CHECK_INT (socin_packer_put_near (p, &k, &v, MDB_NOOVERWRITE, &before, &after), 0);
    CHECK_INT (before.mv_size, 0);
    CHECK (s_is_key (&after, 0, 0, 0));
    CHECK_INT (socin_packer_destroy (&p, 0), 0);
    CHECK_INT (mdb_txn_commit (txn), 0);
    mdb_txn_begin (env, NULL, MDB_RDONLY, &txn);
    MDB_stat st;
    mdb_stat (txn, dbi, &st);
    CHECK_INT (st.ms_entries, 1000 + 19 + 1 + 1);
    MDB_val gk = {s_key (key, 500, 1, 19), key};
    CHECK_INT (mdb_get (txn, dbi, &gk, &gv), MDB_NOTFOUND);
    gk = (MDB_val){s_key (key, 501, 0, 0), key};
    CHECK (mdb_get (txn, dbi, &gk, &gv) == 0 && gv.mv_size == 7 &&
           !memcmp (gv.mv_data, "was 501", 7));
    mdb_txn_abort (txn);
    mdb_env_close (env);
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-packer-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    RUN (a_runs_mid_tree_fill_pages_and_keep_every_entry,
         "runs of new keys put between existing ones keep every entry, in fuller pages");
    RUN (a_existing_key_answers_keyexist_even_when_lifted,
         "an existing key answers MDB_KEYEXIST with its value, lifted or not; an abandoned "
         "transaction changes nothing");
    RUN (a_put_near_finds_neighbours_lifted_or_not_and_unput_takes_a_key_out,
         "the entries next to a key just put are found, lifted out of the tree or not, and the "
         "key can be taken out again");
    nftw (s_dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
