/*  valuekey: the storage key of one value, shared by ingest and reporting.

        "P" period NUL unit NUL indicator NUL disaggregation

    Period, then unit: feeds come period by period (a municipality reports a data set — many
    indicators — for one period at a time, DHIS2's data entry and exports go by org unit and
    period, and a regional office sends its municipalities' month together), so the values of
    one submission fall into one or a few contiguous runs of the B-tree, and what a month adds
    goes beside the same month of the neighbouring units instead of into the middle of every
    unit's earlier months: a commit rewrites the runs it adds to instead of about two pages per
    unit it touches (applying the bench's feed, reporting wrote 630 bytes per value with
    unit-then-period keys and 300 with these). Every period string starts with its year, so a year's values are
    one range of keys. The key holds codes, not ids, so it means the same thing to every
    replica of the registry.

    Stores written before this layout hold "V" unit NUL indicator NUL period NUL disagg. or
    "U" unit NUL period NUL indicator NUL disagg. keys; socin_value_keys_migrate() rewrites
    them when a daemon opens its store.
*/
#ifndef SOCIN_VALUEKEY_H
#define SOCIN_VALUEKEY_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>

#include "store.h"

#define SOCIN_VALUE_KEY_MAX 400

/* Writes the key into KEY (SOCIN_VALUE_KEY_MAX bytes) and returns its length, or 0 when the
   parts do not fit. */
size_t socin_value_key (const char *indicator, const char *unit, const char *period,
                        const char *disaggregation, char *key);

/* Splits a key of LEN bytes: INDICATOR, UNIT and PERIOD point into KEY (each ends with its
   NUL), the disaggregation is copied into DISAGG (DLEN bytes). False when KEY is no value key. */
bool socin_value_key_split (const char *key, size_t len, const char **indicator, const char **unit,
                            const char **period, char *disagg, size_t dlen);

/* How a history database extends a value key: by a fixed number of bytes (the ingest: its
   sequence), or by a marker byte and whatever follows (reporting: 0xFF, time, source, seq). */
typedef struct {
    MDB_dbi dbi;
    size_t suffix_len; /* fixed suffix length, or 0 */
    int marker;        /* the byte that starts the suffix, or -1 */
} socin_value_history_t;

/* Rewrites every key of an earlier layout in VALUES and in the history databases HISTORY (N
   of them) to the current one, at most CHUNK keys per transaction: each transaction is whole,
   so a daemon killed meanwhile continues where it stopped. Other keys are left alone. Returns
   the number of keys rewritten, or -1 with ERR set. */
long long socin_value_keys_migrate (socin_store_t *store, MDB_dbi values, const socin_value_history_t *history,
                                    size_t n, size_t chunk, char *err, size_t errlen);

#endif
