/*  bootstrap: loading territory, population, catalogue and plans into the records — from the
    configured files (or the embedded defaults) on first start, and from the import requests.
    A file is parsed and checked whole, then committed in one change or not at all.
*/
#ifndef SOCIN_REGISTRY_BOOTSTRAP_H
#define SOCIN_REGISTRY_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "records.h"
#include "trust.h"

/* Fills an empty registry from CONFIG: territory_file (or the embedded sample territory),
   population_file, catalogue_file (or the embedded catalogue) and, with bootstrap_admin, the
   admin key. 0, or -1 with the failure logged. */
int reg_bootstrap_run (reg_records_t *records, reg_trust_t *trust, socin_config_t *config);

/* Imports LEN bytes of a ČSÚ territory CSV (VALID_FROM overrides its date when not empty):
   new and changed units, and units it lacks closed. Returns 0 with CHANGES counted (nothing
   written when DRY_RUN), or the ErrorCode (MALFORMED_FILE, STORAGE_FULL) with ERR. */
int reg_bootstrap_territory (reg_records_t *records, const char *data, size_t len,
                             const char *valid_from, bool dry_run, reg_changes_t *changes,
                             char *err, size_t errlen);

/* Imports a population CSV (obec_kod,pocet_obyvatel) as of AS_OF: the units whose population
   differs count as updated. 0 or an ErrorCode as above. */
int reg_bootstrap_population (reg_records_t *records, const char *data, size_t len,
                              const char *as_of, bool dry_run, reg_changes_t *changes, char *err,
                              size_t errlen);

/* Imports a catalogue (docs/catalogue.md): the entries that are new or differ. 0 or an
   ErrorCode as above. */
int reg_bootstrap_catalogue (reg_records_t *records, const char *text, size_t len, bool dry_run,
                             reg_changes_t *changes, char *err, size_t errlen);

/* Imports a city districts CSV (districts.h) effective VALID_FROM (may be empty). 0 or an
   ErrorCode as above (TERRITORY_OUT_OF_ORDER for a move before a district's last one). */
int reg_bootstrap_districts (reg_records_t *records, const char *data, size_t len,
                             const char *valid_from, bool dry_run, reg_changes_t *changes,
                             char *err, size_t errlen);

/* Imports a groups CSV (groupfile.h): each group in it replaces the one of its code. 0 or an
   ErrorCode as above. */
int reg_bootstrap_groups (reg_records_t *records, const char *data, size_t len, bool dry_run,
                          reg_changes_t *changes, char *err, size_t errlen);

/* Imports a plans file (docs/plans.md) as FORMAT ("csv", "json" or "" to tell): the plans
   that are new or differ, each replaced whole. 0 or an ErrorCode as above. */
int reg_bootstrap_plans (reg_records_t *records, const char *data, size_t len, const char *format,
                         bool dry_run, reg_changes_t *changes, char *err, size_t errlen);

#endif
