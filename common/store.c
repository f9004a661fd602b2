/*  store: one LMDB environment per daemon, with a map that grows. See store.h.

    Durability: the environment is opened without MDB_NOSYNC or MDB_WRITEMAP, so a commit
    returns only after its pages and meta page are on disk (fdatasync), and a disk that fills
    up makes a write fail with ENOSPC instead of a SIGBUS in a mapped page.
*/
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"

#define MiB (1024ULL * 1024)

struct socin_store_t {
    MDB_env *env;
    char dir[PATH_MAX];
    uint64_t map_size;
    uint64_t map_max;
    char *names[64];
    MDB_dbi dbis[64];
    size_t ndbs;
};

static int
s_mkdir_p (const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    snprintf (buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir (buf, mode) && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir (buf, mode) && errno != EEXIST) return -1;
    return 0;
}

socin_store_t *
socin_store_open (const char *dir, const socin_store_opts_t *opts, char *err, size_t errlen)
{
    socin_store_opts_t o = {64 * MiB, 1024ULL * 1024 * MiB, 32, false};
    if (opts) {
        if (opts->map_initial) o.map_initial = opts->map_initial;
        if (opts->map_max) o.map_max = opts->map_max;
        if (opts->max_dbs) o.max_dbs = opts->max_dbs;
        o.read_only = opts->read_only;
    }
    if (o.map_initial > o.map_max) o.map_initial = o.map_max;
    if (!o.read_only && s_mkdir_p (dir, 0700)) {
        snprintf (err, errlen, "cannot create data directory %s: %s", dir, strerror (errno));
        return NULL;
    }
    socin_store_t *self = socin_calloc (1, sizeof *self);
    snprintf (self->dir, sizeof self->dir, "%s", dir);
    self->map_max = o.map_max;
    int rc = mdb_env_create (&self->env);
    if (!rc) rc = mdb_env_set_maxdbs (self->env, o.max_dbs);
    if (!rc) rc = mdb_env_set_mapsize (self->env, o.map_initial);
    if (!rc) rc = mdb_env_open (self->env, dir, o.read_only ? MDB_RDONLY : 0, 0600);
    if (rc) {
        snprintf (err, errlen, "cannot open LMDB environment in %s: %s", dir, mdb_strerror (rc));
        if (self->env) mdb_env_close (self->env);
        free (self);
        return NULL;
    }
    MDB_envinfo info;
    mdb_env_info (self->env, &info);
    self->map_size = info.me_mapsize;
    return self;
}

void
socin_store_destroy (socin_store_t **self_p)
{
    socin_store_t *self = *self_p;
    if (!self) return;
    mdb_env_close (self->env);
    for (size_t i = 0; i < self->ndbs; i++) free (self->names[i]);
    free (self);
    *self_p = NULL;
}

MDB_env *
socin_store_env (socin_store_t *self)
{
    return self->env;
}

const char *
socin_store_dir (socin_store_t *self)
{
    return self->dir;
}

/* The order of the 8 bytes at P and Q: their big-endian values. */
static inline int
s_cmp_word (const unsigned char *p, const unsigned char *q)
{
    uint64_t x, y;
    memcpy (&x, p, 8);
    memcpy (&y, q, 8);
    if (x == y) return 0;
    return __builtin_bswap64 (x) < __builtin_bswap64 (y) ? -1 : 1;
}

int
socin_store_cmp (const MDB_val *a, const MDB_val *b)
{
    const unsigned char *p = a->mv_data, *q = b->mv_data;
    size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size, i = 0;
    int c = 0;
    if (n >= 8) {
        /* Eight bytes at a time; the last word ends at N and overlaps the one before, whose
           bytes are equal. */
        for (; i + 8 <= n && !c; i += 8)
            c = s_cmp_word (p + i, q + i);
        if (!c && i < n) c = s_cmp_word (p + n - 8, q + n - 8);
    } else
        for (; i < n && !c; i++)
            c = p[i] != q[i] ? (p[i] < q[i] ? -1 : 1) : 0;
    if (c) return c;
    return a->mv_size < b->mv_size ? -1 : a->mv_size > b->mv_size;
}

MDB_dbi
socin_store_dbi (socin_store_t *self, const char *name, unsigned flags)
{
    MDB_txn *txn;
    MDB_dbi dbi;
    int rc = mdb_txn_begin (self->env, NULL, 0, &txn);
    if (!rc) rc = mdb_dbi_open (txn, name, flags | MDB_CREATE, &dbi);
    /* The same order as LMDB's own, in fewer instructions (see socin_store_cmp). */
    if (!rc && !(flags & (MDB_INTEGERKEY | MDB_REVERSEKEY)))
        rc = mdb_set_compare (txn, dbi, socin_store_cmp);
    if (!rc) rc = mdb_txn_commit (txn);
    else if (txn)
        mdb_txn_abort (txn);
    if (rc) socin_fatal ("store.dbi_failed", "db=%s err=%s", name, socin_log_q (mdb_strerror (rc)));
    if (self->ndbs < 64) {
        self->names[self->ndbs] = socin_strdup (name);
        self->dbis[self->ndbs++] = dbi;
    }
    return dbi;
}

static bool
s_grow (socin_store_t *self)
{
    if (self->map_size >= self->map_max) return false;
    uint64_t next = self->map_size * 2;
    if (next > self->map_max) next = self->map_max;
    int rc = mdb_env_set_mapsize (self->env, next);
    if (rc) {
        socin_error ("store.grow_failed", "from=%llu to=%llu err=%s",
                     (unsigned long long) self->map_size, (unsigned long long) next,
                     socin_log_q (mdb_strerror (rc)));
        return false;
    }
    socin_info ("store.grown", "from_mib=%llu to_mib=%llu",
                (unsigned long long) (self->map_size / MiB), (unsigned long long) (next / MiB));
    self->map_size = next;
    return true;
}

/* True when the file system holding DIR has less than 4 MiB left. */
static bool
s_disk_nearly_full (const char *dir)
{
    struct statvfs st;
    if (statvfs (dir, &st)) return false;
    return (uint64_t) st.f_bavail * st.f_frsize < 4 * MiB;
}

socin_store_rc_t
socin_store_write (socin_store_t *self, socin_store_fn *fn, void *arg, char *err, size_t errlen)
{
    for (;;) {
        MDB_txn *txn = NULL;
        int rc = mdb_txn_begin (self->env, NULL, 0, &txn);
        if (rc == MDB_MAP_RESIZED) {
            mdb_env_set_mapsize (self->env, 0);
            continue;
        }
        if (rc == MDB_PANIC) socin_fatal ("store.panic", "dir=%s", socin_log_q (self->dir));
        if (!rc) {
            rc = fn (txn, arg);
            if (rc == SOCIN_STORE_ABORT_RC) {
                mdb_txn_abort (txn);
                return SOCIN_STORE_ABORT;
            }
            if (rc == 0)
                rc = mdb_txn_commit (txn);
            else
                mdb_txn_abort (txn);
        }
        if (rc == 0) return SOCIN_STORE_OK;
        if (rc == MDB_MAP_FULL) {
            if (s_grow (self)) continue;
            snprintf (err, errlen,
                      "storage full: the LMDB map in %s reached its limit of %llu MiB (map_max); "
                      "raise map_max or free data, then resend",
                      self->dir, (unsigned long long) (self->map_max / MiB));
            return SOCIN_STORE_FULL;
        }
        /* LMDB reports a write the disk cut short as EIO: with the file system (nearly) full,
           that is a full disk too. */
        if (rc == EIO && s_disk_nearly_full (self->dir)) rc = ENOSPC;
        if (rc == ENOSPC || rc == EDQUOT) {
            snprintf (err, errlen, "disk full: %s writing %s/data.mdb; free space, then resend",
                      strerror (rc), self->dir);
            return SOCIN_STORE_FULL;
        }
        if (rc == MDB_PANIC) socin_fatal ("store.panic", "dir=%s", socin_log_q (self->dir));
        snprintf (err, errlen, "storage error in %s: %s", self->dir, mdb_strerror (rc));
        return SOCIN_STORE_ERROR;
    }
}

void
socin_store_set_map_max (socin_store_t *self, uint64_t map_max)
{
    if (map_max == self->map_max) return;
    socin_info ("store.map_max_changed", "from_mib=%llu to_mib=%llu",
                (unsigned long long) (self->map_max / MiB), (unsigned long long) (map_max / MiB));
    self->map_max = map_max;
}

int
socin_store_read_begin (socin_store_t *self, MDB_txn **txn)
{
    int rc = mdb_txn_begin (self->env, NULL, MDB_RDONLY, txn);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize (self->env, 0);
        rc = mdb_txn_begin (self->env, NULL, MDB_RDONLY, txn);
    }
    return rc;
}

void
socin_store_read_end (MDB_txn **txn)
{
    if (*txn) mdb_txn_abort (*txn);
    *txn = NULL;
}

int
socin_store_copy (const char *from_dir, const char *to_dir, char *err, size_t errlen)
{
    if (s_mkdir_p (to_dir, 0700)) {
        snprintf (err, errlen, "cannot create %s: %s", to_dir, strerror (errno));
        return -1;
    }
    char probe[PATH_MAX + 16];
    snprintf (probe, sizeof probe, "%s/data.mdb", to_dir);
    if (access (probe, F_OK) == 0) {
        snprintf (err, errlen, "%s already holds a data.mdb; back up into an empty directory",
                  to_dir);
        return -1;
    }
    MDB_env *env;
    int rc = mdb_env_create (&env);
    if (!rc) rc = mdb_env_set_maxdbs (env, 64);
    if (!rc) rc = mdb_env_open (env, from_dir, MDB_RDONLY, 0600);
    if (!rc) rc = mdb_env_copy2 (env, to_dir, MDB_CP_COMPACT);
    if (rc) snprintf (err, errlen, "backup of %s to %s failed: %s", from_dir, to_dir, mdb_strerror (rc));
    mdb_env_close (env);
    return rc ? -1 : 0;
}

int
socin_store_backup_main (int argc, char **argv)
{
    if (argc != 4) {
        fprintf (stderr, "usage: %s --store-backup FROM_DIR TO_DIR\n", argv[0]);
        return 2;
    }
    char err[512];
    if (socin_store_copy (argv[2], argv[3], err, sizeof err)) {
        fprintf (stderr, "%s\n", err);
        return 1;
    }
    return 0;
}

pid_t
socin_store_backup_start (socin_store_t *self, const char *path, char *err, size_t errlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf (err, errlen, "cannot find this program's path: %s", strerror (errno));
        return -1;
    }
    exe[n] = 0;
    pid_t pid = fork ();
    if (pid < 0) {
        snprintf (err, errlen, "cannot start the backup process: %s", strerror (errno));
        return -1;
    }
    if (pid == 0) {
        /* The child must not touch the parent's environment: exec at once. */
        for (int fd = 3; fd < 1024; fd++) close (fd);
        execl (exe, exe, "--store-backup", self->dir, path, (char *) NULL);
        _exit (127);
    }
    return pid;
}

void
socin_store_stats (socin_store_t *self, socin_str_t *out)
{
    MDB_envinfo info;
    MDB_stat st;
    mdb_env_info (self->env, &info);
    mdb_env_stat (self->env, &st);
    socin_str_printf (out, "store_dir:%s\nstore_map_bytes:%llu\nstore_map_max_bytes:%llu\n",
                      self->dir, (unsigned long long) info.me_mapsize,
                      (unsigned long long) self->map_max);
    socin_str_printf (out, "store_used_bytes:%llu\nstore_file_bytes:%llu\n",
                      (unsigned long long) (info.me_last_pgno + 1) * st.ms_psize,
                      (unsigned long long) socin_store_file_size (self));
    MDB_txn *txn;
    if (socin_store_read_begin (self, &txn)) return;
    for (size_t i = 0; i < self->ndbs; i++) {
        MDB_stat ds;
        if (mdb_stat (txn, self->dbis[i], &ds) == 0)
            socin_str_printf (out, "store_db_%s_entries:%zu\n", self->names[i], ds.ms_entries);
    }
    mdb_txn_abort (txn);
}

uint64_t
socin_store_file_size (socin_store_t *self)
{
    char path[PATH_MAX + 16];
    struct stat st;
    snprintf (path, sizeof path, "%s/data.mdb", self->dir);
    return stat (path, &st) == 0 ? (uint64_t) st.st_size : 0;
}

void
socin_be64_put (unsigned char *buf, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) buf[i] = (unsigned char) v;
}

uint64_t
socin_be64_get (const unsigned char *buf)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | buf[i];
    return v;
}

void
socin_be32_put (unsigned char *buf, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8) buf[i] = (unsigned char) v;
}

uint32_t
socin_be32_get (const unsigned char *buf)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = v << 8 | buf[i];
    return v;
}

uint64_t
socin_store_get_u64 (MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t def)
{
    MDB_val k = {strlen (key), (void *) key}, v;
    if (mdb_get (txn, dbi, &k, &v) || v.mv_size != 8) return def;
    return socin_be64_get (v.mv_data);
}

int
socin_store_put_u64 (MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t value)
{
    unsigned char buf[8];
    socin_be64_put (buf, value);
    MDB_val k = {strlen (key), (void *) key}, v = {8, buf};
    return mdb_put (txn, dbi, &k, &v, 0);
}

size_t
socin_store_leaf_pages (MDB_txn *txn, MDB_dbi dbi)
{
    MDB_stat st;
    return mdb_stat (txn, dbi, &st) == 0 ? st.ms_leaf_pages : 0;
}

size_t
socin_store_runs_bound (size_t pages, size_t leaf)
{
    if (!pages || leaf <= pages) return SIZE_MAX;
    double runs = -(double)leaf * log1p (-(double)pages / (double)leaf);
    return runs >= (double)SIZE_MAX ? SIZE_MAX : runs < 1.0 ? 1 : (size_t)runs;
}
