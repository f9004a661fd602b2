/*  valuekey: the storage key of one value. See valuekey.h. */
#include "valuekey.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"

#define TAG 'P'
/* Earlier layouts, in the order they were used: unit-indicator-period, unit-period-indicator. */
static const char s_old_tags[] = "VU";

size_t
socin_value_key (const char *indicator, const char *unit, const char *period,
                 const char *disaggregation, char *key)
{
    size_t a = strlen (unit), b = strlen (indicator), c = strlen (period), d = strlen (disaggregation);
    if (4 + a + b + c + d > SOCIN_VALUE_KEY_MAX) return 0;
    char *p = key;
    *p++ = TAG;
    memcpy (p, period, c + 1);
    p += c + 1;
    memcpy (p, unit, a + 1);
    p += a + 1;
    memcpy (p, indicator, b + 1);
    p += b + 1;
    memcpy (p, disaggregation, d);
    p += d;
    return (size_t) (p - key);
}

/* The three NUL-terminated parts after KEY's tag, in the order they are stored. */
static bool
s_parts (const char *key, size_t len, const char **first, const char **second, const char **third,
         const char **rest)
{
    const char *end = key + len, *p = key + 1;
    *first = p;
    p = memchr (p, 0, (size_t) (end - p));
    if (!p) return false;
    *second = ++p;
    p = memchr (p, 0, (size_t) (end - p));
    if (!p) return false;
    *third = ++p;
    p = memchr (p, 0, (size_t) (end - p));
    if (!p) return false;
    *rest = p + 1;
    return true;
}

bool
socin_value_key_split (const char *key, size_t len, const char **indicator, const char **unit,
                       const char **period, char *disagg, size_t dlen)
{
    const char *rest;
    if (len < 2 || key[0] != TAG || !s_parts (key, len, period, unit, indicator, &rest)) return false;
    size_t n = (size_t) (key + len - rest);
    if (n >= dlen) return false;
    memcpy (disagg, rest, n);
    disagg[n] = 0;
    return true;
}

/* ---- from the earlier layout ---- */

typedef struct {
    char tag; /* the earlier layout being rewritten */
    MDB_dbi dbi;
    size_t suffix_len;
    int marker;
    size_t chunk;
    size_t moved;
    bool done;
    char from[1100]; /* where this chunk starts */
    size_t fromlen;
    char next[1100]; /* where the next one starts, once this one is committed */
    size_t nextlen;
} s_migrate_t;

/* The current key for OLD (LEN bytes, an earlier-layout key, possibly with a history suffix)
   into OUT (SOCIN_VALUE_KEY_MAX + LEN bytes); 0 when OLD is not one. */
static size_t
s_convert (const s_migrate_t *m, const char *old, size_t len, char *out)
{
    const char *unit, *indicator, *period, *rest;
    if (len < 2 || old[0] != m->tag) return 0;
    if (m->tag == 'V' ? !s_parts (old, len, &unit, &indicator, &period, &rest)
                      : !s_parts (old, len, &unit, &period, &indicator, &rest))
        return 0;
    const char *end = old + len, *dend = end;
    if (m->suffix_len) {
        if ((size_t) (end - rest) < m->suffix_len) return 0;
        dend = end - m->suffix_len;
    }
    else if (m->marker >= 0) {
        dend = memchr (rest, m->marker, (size_t) (end - rest));
        if (!dend) return 0;
    }
    char disagg[SOCIN_VALUE_KEY_MAX + 1];
    size_t dlen = (size_t) (dend - rest);
    if (dlen > SOCIN_VALUE_KEY_MAX) return 0;
    memcpy (disagg, rest, dlen);
    disagg[dlen] = 0;
    size_t klen = socin_value_key (indicator, unit, period, disagg, out);
    if (!klen) return 0;
    memcpy (out + klen, dend, (size_t) (end - dend));
    return klen + (size_t) (end - dend);
}

static int
s_migrate_txn (MDB_txn *txn, void *arg)
{
    s_migrate_t *m = arg;
    m->moved = 0;
    m->done = false;
    MDB_cursor *cur;
    int rc = mdb_cursor_open (txn, m->dbi, &cur);
    if (rc) return rc;
    /* Collect a chunk first: the puts below would move the cursor's pages. */
    MDB_val k = {m->fromlen, m->from}, v;
    MDB_val *keys = socin_calloc (m->chunk, sizeof *keys), *vals = socin_calloc (m->chunk, sizeof *vals);
    size_t n = 0;
    rc = mdb_cursor_get (cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && n < m->chunk && k.mv_size >= 1 && ((const char *) k.mv_data)[0] == m->tag) {
        keys[n].mv_size = k.mv_size;
        vals[n].mv_size = v.mv_size;
        keys[n].mv_data = socin_malloc (k.mv_size);
        vals[n].mv_data = socin_malloc (v.mv_size ? v.mv_size : 1);
        memcpy (keys[n].mv_data, k.mv_data, k.mv_size);
        memcpy (vals[n].mv_data, v.mv_data, v.mv_size);
        n++;
        rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close (cur);
    if (rc == MDB_NOTFOUND || (rc == 0 && n < m->chunk)) m->done = true;
    if (rc == MDB_NOTFOUND) rc = 0;
    /* The next chunk starts just after this one's last key (one that did not parse stays). */
    if (n && keys[n - 1].mv_size < sizeof m->next) {
        memcpy (m->next, keys[n - 1].mv_data, keys[n - 1].mv_size);
        m->next[keys[n - 1].mv_size] = 0;
        m->nextlen = keys[n - 1].mv_size + 1;
    }
    else if (n)
        m->done = true; /* no key of a value is that long */
    char *out = socin_malloc (SOCIN_VALUE_KEY_MAX + 1024);
    for (size_t i = 0; i < n && !rc; i++) {
        /* A key that does not parse stays where it is. */
        size_t len = keys[i].mv_size <= 1024 ? s_convert (m, keys[i].mv_data, keys[i].mv_size, out) : 0;
        if (!len) {
            socin_warn ("store.migrate_skipped", "bytes=%zu", keys[i].mv_size);
            continue;
        }
        MDB_val nk = {len, out};
        rc = mdb_put (txn, m->dbi, &nk, &vals[i], 0);
        if (!rc) rc = mdb_del (txn, m->dbi, &keys[i], NULL);
        if (!rc) m->moved++;
    }
    free (out);
    for (size_t i = 0; i < n; i++) {
        free (keys[i].mv_data);
        free (vals[i].mv_data);
    }
    free (keys);
    free (vals);
    return rc;
}

long long
socin_value_keys_migrate (socin_store_t *store, MDB_dbi values, const socin_value_history_t *history,
                          size_t n, size_t chunk, char *err, size_t errlen)
{
    long long total = 0;
    for (const char *tag = s_old_tags; *tag; tag++)
        for (size_t d = 0; d <= n; d++) {
            s_migrate_t m = {*tag, d ? history[d - 1].dbi : values, d ? history[d - 1].suffix_len : 0,
                             d ? history[d - 1].marker : -1, chunk ? chunk : 1, 0, false, {*tag}, 1, {0}, 0};
            while (!m.done) {
                if (socin_store_write (store, s_migrate_txn, &m, err, errlen) != SOCIN_STORE_OK) return -1;
                memcpy (m.from, m.next, m.nextlen);
                m.fromlen = m.nextlen;
                if (m.moved && total == 0)
                    socin_info ("store.keys_migrating", "from=%s to=period_unit_indicator",
                                *tag == 'V' ? "unit_indicator_period" : "unit_period_indicator");
                if (total / 1000000 != (total + (long long) m.moved) / 1000000)
                    socin_info ("store.keys_migrating", "done=%lld", total + (long long) m.moved);
                total += (long long) m.moved;
            }
        }
    if (total) socin_info ("store.keys_migrated", "keys=%lld layout=period_unit_indicator", total);
    return total;
}
