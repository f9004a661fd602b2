/*  valuekey: the storage key of one value, shared by ingest and reporting.

        "V" unit NUL indicator NUL period NUL disaggregation

    Unit first: a region's feed arrives municipality by municipality, so a batch's keys fall
    into a few contiguous runs of the B-tree and a commit rewrites few pages. The key holds
    codes, not ids, so it means the same thing to every replica of the registry.
*/
#ifndef SOCIN_VALUEKEY_H
#define SOCIN_VALUEKEY_H

#include <stdbool.h>
#include <stddef.h>

#define SOCIN_VALUE_KEY_MAX 400

/* Writes the key into KEY (SOCIN_VALUE_KEY_MAX bytes) and returns its length, or 0 when the
   parts do not fit. */
size_t socin_value_key (const char *indicator, const char *unit, const char *period,
                        const char *disaggregation, char *key);

/* Splits a key of LEN bytes: INDICATOR, UNIT and PERIOD point into KEY (each ends with its
   NUL), the disaggregation is copied into DISAGG (DLEN bytes). False when KEY is no value key. */
bool socin_value_key_split (const char *key, size_t len, const char **indicator, const char **unit,
                            const char **period, char *disagg, size_t dlen);

#endif
