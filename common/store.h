/*  store: the LMDB environment of one daemon.

    One environment per daemon, in its data directory, with named databases. Writes go
    through socin_store_write(), which runs a caller's function inside one write transaction
    and commits it (one fsync): when the map is full it aborts, doubles the map (up to
    map_max) and runs the function again, so the function must not change anything outside
    the transaction before the commit is known to have succeeded. A full disk or a map at its
    limit is reported as SOCIN_STORE_FULL with a message for the operator, and the daemon keeps
    running: the same write succeeds once space returns.
*/
#ifndef SOCIN_STORE_H
#define SOCIN_STORE_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "str.h"

typedef struct socin_store_t socin_store_t;

/* Outcome of a write. */
typedef enum {
    SOCIN_STORE_OK = 0,
    SOCIN_STORE_FULL = 1,  /* disk full or map at map_max: retry later */
    SOCIN_STORE_ERROR = 2, /* another storage failure */
    SOCIN_STORE_ABORT = 3, /* the caller's function asked to abort; nothing was written */
} socin_store_rc_t;

typedef struct {
    uint64_t map_initial; /* initial map size in bytes (default 64 MiB) */
    uint64_t map_max;     /* the map never grows beyond this (default 1 TiB) */
    unsigned max_dbs;     /* named databases (default 32) */
    bool read_only;
} socin_store_opts_t;

/* Opens (creating when needed, mode 0700) DIR and its environment. NULL on failure with a
   message in ERR. */
socin_store_t *socin_store_open (const char *dir, const socin_store_opts_t *opts, char *err,
                                 size_t errlen);
void socin_store_destroy (socin_store_t **self_p);

MDB_env *socin_store_env (socin_store_t *self);
const char *socin_store_dir (socin_store_t *self);

/* LMDB's default order of keys (their bytes, then the shorter first), compared a word at a
   time: what the keys' comparison costs is most of an insert's search, and LMDB's own calls
   memcmp through its own function for every one. Negative, 0 or positive as A sorts before,
   equal to or after B. Every database without MDB_INTEGERKEY or MDB_REVERSEKEY uses it, so
   the stores' order is the one they always had and LMDB's tools read them as before. */
int socin_store_cmp (const MDB_val *a, const MDB_val *b);

/* Opens (creating) the named database with FLAGS (MDB_DUPSORT, MDB_INTEGERKEY...). Call at
   start-up, before any other transaction. Fatal on failure. */
MDB_dbi socin_store_dbi (socin_store_t *self, const char *name, unsigned flags);

/* The function run inside a write transaction: return 0 to commit, an LMDB error code
   (MDB_MAP_FULL is handled by growing and retrying), or SOCIN_STORE_ABORT_RC to abort
   quietly. */
#define SOCIN_STORE_ABORT_RC (-30000)
typedef int(socin_store_fn) (MDB_txn *txn, void *arg);

/* Runs FN in one write transaction and commits it durably. See the module comment. On
   failure ERR says what happened ("disk full: no space left on device writing
   /var/lib/socin/ingest/data.mdb; free space and resend"). */
socin_store_rc_t socin_store_write (socin_store_t *self, socin_store_fn *fn, void *arg, char *err,
                                    size_t errlen);

/* Changes the limit the map may grow to (a SIGHUP reload): writes refused as storage full go
   through again once the limit allows them. */
void socin_store_set_map_max (socin_store_t *self, uint64_t map_max);

/* A read-only transaction; end it with mdb_txn_abort (or socin_store_read_end). */
int socin_store_read_begin (socin_store_t *self, MDB_txn **txn);
void socin_store_read_end (MDB_txn **txn);

/* Copies the environment, compacted, to the directory PATH (created; must be empty) while the
   daemon keeps running. The copy is made by a child process (this program run with
   --store-backup), so the daemon's loop and its map growth are never blocked. Returns the
   child's pid, or -1 with a message. socin_store_backup_main is that child's entry point. */
pid_t socin_store_backup_start (socin_store_t *self, const char *path, char *err, size_t errlen);
int socin_store_backup_main (int argc, char **argv);
int socin_store_copy (const char *from_dir, const char *to_dir, char *err, size_t errlen);

/* Map size, pages used, and the entry count of each named database, as "key:value" lines. */
void socin_store_stats (socin_store_t *self, socin_str_t *out);

/* Bytes of the data file on disk. */
uint64_t socin_store_file_size (socin_store_t *self);

/* Little helpers for fixed-width big-endian keys (they sort as numbers). */
void socin_be64_put (unsigned char *buf, uint64_t v);
uint64_t socin_be64_get (const unsigned char *buf);
void socin_be32_put (unsigned char *buf, uint32_t v);
uint32_t socin_be32_get (const unsigned char *buf);

/* get/put of a uint64 under a string key in DBI (meta values: sequences, ids). get returns
   DEFAULT when absent. */
uint64_t socin_store_get_u64 (MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t def);
int socin_store_put_u64 (MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t value);

/* The leaf pages of DBI as TXN sees them (0 when LMDB cannot say). */
size_t socin_store_leaf_pages (MDB_txn *txn, MDB_dbi dbi);

/* How many runs a write transaction may take so that it dirties about PAGES of a tree's LEAF
   pages: SIZE_MAX (no bound) when PAGES is 0 or LEAF is PAGES or fewer.

   A run is a stretch of new keys that lands between the same two stored keys, so that its
   values share leaf pages, while different runs mostly do not. LMDB holds the pages a write
   transaction dirties in memory, and keeps as many for reuse as the largest transaction
   dirtied; each is written whole at the commit. Runs that land at random among P leaf pages
   touch about P(1 - e^(-R/P)) of them, so R = -P ln(1 - PAGES/P) runs touch about PAGES: a
   tree of P pages or fewer cannot have more dirtied. */
size_t socin_store_runs_bound (size_t pages, size_t leaf);

#endif
