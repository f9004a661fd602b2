/*  bootstrap: territory, population and catalogue into the records. See bootstrap.h. */
#include "bootstrap.h"

#include <stdlib.h>

#include "catalogue.h"
#include "districts.h"
#include "embedded.h"
#include "error.h"
#include "file.h"
#include "groupfile.h"
#include "log.h"
#include "plans.h"
#include "territory.h"
#include "socin/v1/errors.pb-c.h"

/* Commits the planned RECS, or frees them on a DRY_RUN. 0 or STORAGE_FULL with ERR. */
static int
s_commit_unless_dry (reg_records_t *records, socin_record_t **recs, size_t n, bool dry_run,
                     char *err, size_t errlen)
{
    if (dry_run) {
        reg_records_discard (recs, n);
        return 0;
    }
    return reg_records_commit (records, recs, n, err, errlen) ? SOCIN_E (STORAGE_FULL) : 0;
}

int
reg_bootstrap_territory (reg_records_t *records, const char *data, size_t len,
                         const char *valid_from, bool dry_run, reg_changes_t *changes, char *err,
                         size_t errlen)
{
    socin_record_t **parsed, **recs;
    size_t nparsed, n;
    int32_t edition;
    if (socin_territory_parse_csu (data, len, valid_from, &parsed, &nparsed, &edition, err, errlen))
        return SOCIN_E (MALFORMED_FILE);
    if (socin_territory_plan (reg_records_model (records), parsed, nparsed, edition, &recs, &n,
                              &changes->added, &changes->updated, &changes->unchanged,
                              &changes->closed, err, errlen))
        return SOCIN_E (TERRITORY_OUT_OF_ORDER);
    return s_commit_unless_dry (records, recs, n, dry_run, err, errlen);
}

int
reg_bootstrap_population (reg_records_t *records, const char *data, size_t len, const char *as_of,
                          bool dry_run, reg_changes_t *changes, char *err, size_t errlen)
{
    socin_record_t **recs;
    size_t n;
    if (socin_population_plan (reg_records_model (records), data, len, as_of, &recs, &n, err,
                               errlen))
        return SOCIN_E (MALFORMED_FILE);
    changes->updated += (uint32_t)n;
    return s_commit_unless_dry (records, recs, n, dry_run, err, errlen);
}

int
reg_bootstrap_catalogue (reg_records_t *records, const char *text, size_t len, bool dry_run,
                         reg_changes_t *changes, char *err, size_t errlen)
{
    socin_record_t **recs;
    size_t n;
    if (socin_catalogue_parse (text, len, &recs, &n, err, errlen)) return SOCIN_E (MALFORMED_FILE);
    if (socin_catalogue_check_text (reg_records_model (records), recs, n, text, len, err, errlen)) {
        reg_records_discard (recs, n);
        return SOCIN_E (MALFORMED_FILE);
    }
    n = reg_records_keep_changed (records, recs, n, changes);
    return s_commit_unless_dry (records, recs, n, dry_run, err, errlen);
}

int
reg_bootstrap_districts (reg_records_t *records, const char *data, size_t len,
                         const char *valid_from, bool dry_run, reg_changes_t *changes, char *err,
                         size_t errlen)
{
    socin_record_t **recs;
    size_t n;
    socin_districts_counts_t c;
    int code = socin_districts_plan (reg_records_model (records), data, len, valid_from, &recs, &n,
                                     &c, err, errlen);
    if (code) return code;
    changes->added += c.added;
    changes->updated += c.updated;
    changes->unchanged += c.unchanged;
    changes->closed += c.closed;
    return s_commit_unless_dry (records, recs, n, dry_run, err, errlen);
}

int
reg_bootstrap_groups (reg_records_t *records, const char *data, size_t len, bool dry_run,
                      reg_changes_t *changes, char *err, size_t errlen)
{
    socin_record_t **recs;
    size_t n;
    if (socin_groupfile_parse (reg_records_model (records), data, len, &recs, &n, err, errlen))
        return SOCIN_E (MALFORMED_FILE);
    n = reg_records_keep_changed (records, recs, n, changes);
    return s_commit_unless_dry (records, recs, n, dry_run, err, errlen);
}

int
reg_bootstrap_plans (reg_records_t *records, const char *data, size_t len, const char *format,
                     bool dry_run, reg_changes_t *changes, char *err, size_t errlen)
{
    socin_record_t **recs;
    size_t n;
    if (reg_plans_parse (reg_records_model (records), data, len, format, &recs, &n, err, errlen))
        return SOCIN_E (MALFORMED_FILE);
    n = reg_records_keep_changed (records, recs, n, changes);
    return s_commit_unless_dry (records, recs, n, dry_run, err, errlen);
}

/* ---- first start ---- */

/* The territory: territory_file when set, else the embedded sample. */
static int
s_territory (reg_records_t *records, socin_config_t *config)
{
    char err[1024];
    size_t len;
    reg_changes_t changes = {0};
    const char *path = socin_config_str (config, "territory_file");
    int code;
    if (*path) {
        char *data = socin_file_read (path, &len, err, sizeof err);
        code = data ? reg_bootstrap_territory (records, data, len, "", false, &changes, err,
                                               sizeof err)
                    : SOCIN_E (MALFORMED_FILE);
        free (data);
    } else {
        const char *data = socin_embedded_territory (&len);
        socin_record_t **recs;
        size_t n;
        code = SOCIN_E (MALFORMED_FILE);
        if (socin_territory_parse_sample (data, len, &recs, &n, err, sizeof err) == 0) {
            changes.added = (uint32_t)n;
            code = s_commit_unless_dry (records, recs, n, false, err, sizeof err);
        }
    }
    if (code == SOCIN_E (STORAGE_FULL)) {
        socin_error ("bootstrap.commit_failed", "reason=%s", socin_log_q (err));
        return -1;
    }
    if (code) {
        socin_error ("bootstrap.territory_failed", "file=%s reason=%s",
                     *path ? socin_log_q (path) : "embedded", socin_log_q (err));
        return -1;
    }
    socin_info ("bootstrap.territory", "units=%u source=%s",
                changes.added + changes.updated + changes.closed,
                *path ? socin_log_q (path) : "embedded");
    return 0;
}

/* Population from population_file, when set. */
static int
s_population (reg_records_t *records, socin_config_t *config)
{
    const char *path = socin_config_str (config, "population_file");
    if (!*path) return 0;
    char err[1024];
    size_t len;
    reg_changes_t changes = {0};
    char *data = socin_file_read (path, &len, err, sizeof err);
    int code = data ? reg_bootstrap_population (records, data, len,
                                                socin_config_str (config, "population_date"), false,
                                                &changes, err, sizeof err)
                    : SOCIN_E (MALFORMED_FILE);
    free (data);
    if (code) {
        socin_error ("bootstrap.population_failed", "file=%s reason=%s", socin_log_q (path),
                     socin_log_q (err));
        return -1;
    }
    return 0;
}

/* The catalogue: catalogue_file when set, else the embedded default. */
static int
s_catalogue (reg_records_t *records, socin_config_t *config)
{
    char err[1024];
    size_t len;
    reg_changes_t changes = {0};
    const char *path = socin_config_str (config, "catalogue_file");
    char *owned = NULL;
    const char *text;
    if (*path) {
        owned = socin_file_read (path, &len, err, sizeof err);
        if (!owned) {
            socin_error ("bootstrap.catalogue_failed", "reason=%s", socin_log_q (err));
            return -1;
        }
        text = owned;
    } else
        text = socin_embedded_catalogue (&len);
    int code = reg_bootstrap_catalogue (records, text, len, false, &changes, err, sizeof err);
    free (owned);
    if (code) {
        socin_error ("bootstrap.catalogue_failed", "file=%s reason=%s",
                     *path ? socin_log_q (path) : "embedded", socin_log_q (err));
        return -1;
    }
    socin_info ("bootstrap.catalogue", "records=%u", changes.added);
    return 0;
}

int
reg_bootstrap_run (reg_records_t *records, reg_trust_t *trust, socin_config_t *config)
{
    if (s_territory (records, config) || s_population (records, config) ||
        s_catalogue (records, config))
        return -1;
    if (socin_config_bool (config, "bootstrap_admin")) {
        char err[1024];
        if (reg_trust_add_admin (trust, socin_config_str (config, "keys_dir"), err, sizeof err)) {
            socin_error ("bootstrap.admin_failed", "reason=%s", socin_log_q (err));
            return -1;
        }
    }
    return 0;
}
