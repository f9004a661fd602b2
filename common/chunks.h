/*  chunks: a sorted map of small entries kept in an LMDB database as chunks of consecutive
    entries, one LMDB entry per chunk instead of one per entry.

        chunk key    the chunk's first entry's key
        chunk data   its entries in key order, each
                       varint shared  bytes its key has in common with the key before it (the
                                      first entry: the chunk key, so all of them)
                       varint rest    that many more bytes of its key, then
                       varint size    that many bytes of data
        "\x01"       be64: how many entries the map holds (absent: none)

    Why: a value's entry in a B-tree of its own costs about 50 bytes (its key repeats the
    period and unit its neighbours share, and LMDB adds a node header and an index slot); in a
    chunk the shared key costs a byte, so the same values take about a third of the leaf pages. A
    transaction of V scattered values dirties P(1 - e^(-V/P)) of a tree's P leaf pages and
    LMDB writes each whole at the commit: a smaller tree dirties and writes that much less,
    and each value costs one search of a shallower tree (tests/bench/README.md, "Chunks").

    A chunk grows to CHUNK_MAX bytes (chunks.c) and is then split in two: when the entry just
    put is the last, it starts a chunk of its own and the rest stays full (a run of keys put
    in order fills chunks); else after it, when the part up to it is at least half a chunk;
    else in the middle. Chunks emptied by deletions go; chunks made small are not merged.

    A handle (socin_chunks_t) reads and writes one database in one transaction, like an LMDB
    cursor, and keeps the chunk it last used in memory: puts and deletions change that copy,
    and a chunk is written to LMDB when the handle moves to another, on socin_chunks_flush and
    on socin_chunks_close. So, as with LMDB's own cursors but stricter:

      - keys and data a handle returns lie in the handle's memory, valid until its next call;
      - before anything else reads or writes the database in the transaction (another handle
        included), flush a handle that wrote; before the transaction commits, close it;
      - a handle notices writes by others in its thread (a counter each write moves) and reads
        the chunk again; a handle in a read-only transaction needs none of this.

    Keys put are 1 to 511 bytes and start with a byte above 0x01 (the count's key is "\x01";
    value keys start with "P"); any key may be looked for.
*/
#ifndef SOCIN_CHUNKS_H
#define SOCIN_CHUNKS_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct socin_chunks_t socin_chunks_t;

/* A handle on the chunked map in DBI (opened without MDB_DUPSORT, keys compared as LMDB's
   default does) in TXN; NULL, with *RC set, when LMDB cannot open a cursor. */
socin_chunks_t *socin_chunks_open (MDB_txn *txn, MDB_dbi dbi, int *rc);

/* Flushes the handle (unless ABANDON: the transaction is being aborted) and writes how many
   entries its puts and deletions added or took away, then frees it. An LMDB code, or 0. */
int socin_chunks_close (socin_chunks_t **self_p, bool abandon);

/* Writes the chunk the handle changed, if it did. An LMDB code, or 0. */
int socin_chunks_flush (socin_chunks_t *self);

/* An LMDB cursor's read: OP is MDB_FIRST, MDB_LAST, MDB_NEXT, MDB_PREV, MDB_GET_CURRENT,
   MDB_SET, MDB_SET_KEY or MDB_SET_RANGE, with mdb_cursor_get's meaning (MDB_NEXT on a handle
   not yet positioned is MDB_FIRST, MDB_PREV is MDB_LAST). 0, MDB_NOTFOUND, EINVAL for another
   OP or a key out of bounds, or an LMDB code. */
int socin_chunks_get (socin_chunks_t *self, MDB_val *key, MDB_val *data, MDB_cursor_op op);

/* Stores DATA under KEY. FLAGS: MDB_NOOVERWRITE (when KEY is stored: MDB_KEYEXIST, and DATA
   the stored data), MDB_RESERVE (DATA->mv_size bytes are reserved and DATA->mv_data points at
   them: fill them before the handle's next call). When KEY was new, *BEFORE and *AFTER (either
   may be NULL) get the keys stored just before and after it (mv_size 0: none). The handle is
   positioned on KEY. An LMDB code, or 0. */
int socin_chunks_put (socin_chunks_t *self, const MDB_val *key, MDB_val *data, unsigned flags,
                      MDB_val *before, MDB_val *after);

/* Deletes KEY: 0, or MDB_NOTFOUND when it is not stored, or an LMDB code. As after
   mdb_cursor_del, MDB_NEXT then gives the entry after KEY and MDB_PREV the one before it. */
int socin_chunks_del (socin_chunks_t *self, const MDB_val *key);

/* How many entries the map in DBI holds, as of TXN. */
uint64_t socin_chunks_count (MDB_txn *txn, MDB_dbi dbi);

/* Moves every entry of the plain database FROM (one LMDB entry per key) into the chunked map
   in TO, at most CHUNK entries a transaction of STORE's: each transaction is whole, so a
   process killed meanwhile goes on where it stopped. Returns the entries moved, or -1 with
   ERR set. */
long long socin_chunks_migrate (socin_store_t *store, MDB_dbi from, MDB_dbi to, size_t chunk,
                                char *err, size_t errlen);

#endif
