/*  packer: inserts runs of new keys into the middle of an LMDB B-tree so that its pages end
    up full instead of half full.

    LMDB splits a full leaf page in half, except when the new key goes at the page's end: then
    it leaves the old page full and starts a new one (sequential inserts pack). A feed inserts
    runs of consecutive new keys between existing ones (a kraj's month between the months of
    the kraje before it, a year's values before the next year's): every insert of such a run
    lands before the entries that follow it on its page, every split halves a page, and the
    run ends up in pages about half full. Once a run is seen (a few new keys in a row in the
    same gap), the packer lifts the entries that follow the gap on the run's page out of the
    tree — the rest of that page, at most a page's worth — so the run's keys go at page ends,
    and puts them back, behind the run, when it is flushed.

    Between a lift and the flush those entries are missing from the database: everything the
    caller does to the database meanwhile must go through socin_packer_put (which flushes
    itself when a key reaches the lifted ones), and the caller flushes before it reads or
    writes the database otherwise and before the transaction commits. Abandoning the
    transaction instead needs no flush. The database's contents after a flush are exactly
    what plain puts would have made; only the pages differ.
*/
#ifndef SOCIN_PACKER_H
#define SOCIN_PACKER_H

#include <lmdb.h>
#include <stddef.h>

typedef struct socin_packer_t socin_packer_t;

/* A packer for DBI (no duplicates; keys compared by the database's own function) in write
   transaction TXN; NULL, with *RC set, when LMDB cannot open a cursor. */
socin_packer_t *socin_packer_new (MDB_txn *txn, MDB_dbi dbi, int *rc);

/* Flushes (see socin_packer_flush) unless the transaction is being abandoned (ABANDON), then
   frees the packer. Returns the flush's LMDB code. */
int socin_packer_destroy (socin_packer_t **self_p, int abandon);

/* mdb_put (TXN, DBI, KEY, DATA, FLAGS) with MDB_NOOVERWRITE in FLAGS (MDB_RESERVE allowed):
   0 when KEY was new (DATA as mdb_put leaves it), MDB_KEYEXIST with DATA the stored value
   when it was there, or another LMDB code. */
int socin_packer_put (socin_packer_t *self, MDB_val *key, MDB_val *data, unsigned flags);

/* socin_packer_put, and when KEY was new the keys of the entries just before and after it
   in the database as a flush would leave it (lifted entries counted) in *BEFORE and *AFTER
   (mv_size 0 when there is none; NULL for either when not wanted), valid until the database
   next changes. */
int socin_packer_put_near (socin_packer_t *self, MDB_val *key, MDB_val *data, unsigned flags,
                           MDB_val *before, MDB_val *after);

/* Deletes KEY, which the last socin_packer_put stored as new. An LMDB code, or 0. */
int socin_packer_unput (socin_packer_t *self, const MDB_val *key);

/* How many entries the packer has lifted out of the tree (and put back) so far. */
size_t socin_packer_lifted (const socin_packer_t *self);

/* Puts the lifted entries back. Returns an LMDB code. */
int socin_packer_flush (socin_packer_t *self);

#endif
