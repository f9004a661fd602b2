/*  districts: city districts from RÚIAN's list. See districts.h. */
#include "districts.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"
#include "index.h"
#include "mem.h"
#include "str.h"
#include "territory.h"
#include "socin/v1/errors.pb-c.h"

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        socin_error_set (err, errlen, __VA_ARGS__);                                                \
        goto fail;                                                                                 \
    } while (0)

static const char *const s_columns[] = {"momc_kod", "momc_nazev", "obec_kod", "obec_nazev", NULL};
enum { C_MOMC, C_MOMC_NAME, C_OBEC, C_OBEC_NAME, C_COUNT };

typedef struct {
    socin_record_t **recs;
    size_t n, cap;
    socin_index_t *seen;   /* district code -> line */
    socin_index_t *cities; /* municipality codes the file names */
    char **keys;           /* the district codes SEEN points to */
    size_t nkeys;
} s_plan_t;

static void
s_plan_free (s_plan_t *p)
{
    for (size_t i = 0; i < p->nkeys; i++)
        free (p->keys[i]);
    free (p->keys);
    socin_index_destroy (&p->seen);
    socin_index_destroy (&p->cities);
}

static void
s_push (s_plan_t *p, socin_record_t *r)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->recs = socin_realloc (p->recs, p->cap * sizeof *p->recs);
    }
    p->recs[p->n++] = r;
}

/* The name marks the undivided rest of a city, which is the municipality itself. */
static bool
s_undivided (const char *name)
{
    return strstr (name, "nečleněn") != NULL;
}

/* Checks one row (codes, the municipality) of line LINE. */
static int
s_row_check (const socin_model_t *model, s_plan_t *p, char **f, const int *col, size_t line,
             char *err, size_t errlen)
{
    const char *momc = f[col[C_MOMC]], *obec = f[col[C_OBEC]];
    if (!socin_territory_digits (momc, 6))
        return socin_error_set (err, errlen, "line %zu: momc_kod '%s' is not a 6-digit code", line,
                                momc);
    if (!socin_territory_digits (obec, 6))
        return socin_error_set (err, errlen, "line %zu: obec_kod '%s' is not a 6-digit code", line,
                                obec);
    if (!*f[col[C_MOMC_NAME]])
        return socin_error_set (err, errlen, "line %zu: momc_nazev is empty", line);
    const socin_unit_t *city = socin_model_unit (model, obec);
    if (!city || city->level != SOCIN_LEVEL_MUNICIPALITY)
        return socin_error_set (err, errlen,
                                "line %zu: obec_kod %s is not a municipality of the registry "
                                "(import the territory first)",
                                line, obec);
    if (strcmp (city->pb->name, f[col[C_OBEC_NAME]]))
        return socin_error_set (err, errlen,
                                "line %zu: obec_nazev '%s' is not the registry's name of %s ('%s')",
                                line, f[col[C_OBEC_NAME]], obec, city->pb->name);
    uintptr_t first = (uintptr_t)socin_index_get_str (p->seen, momc);
    if (first)
        return socin_error_set (err, errlen,
                                "line %zu: district %s appears again (first on line %zu)", line,
                                momc, (size_t)first);
    const socin_unit_t *same = socin_model_unit (model, momc);
    if (same && same->level != SOCIN_LEVEL_DISTRICT)
        return socin_error_set (err, errlen,
                                "line %zu: momc_kod %s is already a %s of the registry", line, momc,
                                socin_level_name (same->level));
    return 0;
}

/* The record a checked row gives: a new district, or the registry's one renamed, moved
   (dated from DAY) or reopened; NULL when unchanged. */
static socin_record_t *
s_row_record (const socin_model_t *model, char **f, const int *col, int32_t day,
              const char *valid_from, socin_districts_counts_t *counts, char *err, size_t errlen,
              int *rc)
{
    const char *momc = f[col[C_MOMC]];
    char *parent = f[col[C_OBEC]];
    const socin_record_t *old = socin_model_record (model, SOCIN_KIND_UNIT, momc);
    *rc = 0;
    if (!old) {
        socin_record_t *r =
            socin_territory_unit_new (momc, SOCIN_LEVEL_DISTRICT, f[col[C_MOMC_NAME]]);
        socin_strv_push (&r->unit->parents, &r->unit->n_parents, parent);
        socin_territory_set_text (&r->unit->valid_from, valid_from);
        counts->added++;
        return r;
    }
    socin_record_t *r = socin_record_copy (old);
    Socin__V1__Unit *u = r->unit;
    socin_territory_set_text (&u->name, f[col[C_MOMC_NAME]]);
    u->sample = false;
    if (*u->valid_to) {
        socin_territory_set_text (&u->valid_to, "");
        socin_territory_set_text (&u->valid_from, valid_from);
    }
    if (socin_territory_reparent (u, &parent, 1, day, false, err, errlen)) {
        *rc = -1;
        protobuf_c_message_free_unpacked (&r->base, NULL);
        return NULL;
    }
    if (socin_record_same (r, old)) {
        counts->unchanged++;
        protobuf_c_message_free_unpacked (&r->base, NULL);
        return NULL;
    }
    counts->updated++;
    return r;
}

/* Closes, the day before DAY, the open districts of the cities the file names that it lacks. */
static void
s_close_missing (const socin_model_t *model, s_plan_t *p, int32_t day,
                 socin_districts_counts_t *counts)
{
    char close_day[SOCIN_DATE_STRLEN];
    socin_date_format (day - 1, close_day, sizeof close_day);
    for (uint32_t id = 1; id <= socin_model_count (model, SOCIN_KIND_UNIT); id++) {
        const socin_unit_t *u = socin_model_unit_at (model, id);
        if (u->level != SOCIN_LEVEL_DISTRICT || *u->pb->valid_to || !u->pb->n_parents) continue;
        if (socin_index_get_str (p->seen, u->code) ||
            !socin_index_get_str (p->cities, u->pb->parents[0]))
            continue;
        socin_record_t *r =
            socin_record_copy (socin_model_record (model, SOCIN_KIND_UNIT, u->code));
        socin_territory_set_text (&r->unit->valid_to, close_day);
        s_push (p, r);
        counts->closed++;
    }
}

int
socin_districts_plan (const socin_model_t *model, const char *data, size_t len,
                      const char *valid_from, socin_record_t ***out, size_t *count,
                      socin_districts_counts_t *counts, char *err, size_t errlen)
{
    s_plan_t p = {0};
    p.seen = socin_index_new ();
    p.cities = socin_index_new ();
    socin_csv_t *csv = socin_csv_new (data, len);
    memset (counts, 0, sizeof *counts);
    char **f, why[200];
    size_t nf, header_n;
    int col[C_COUNT], rc;
    int32_t day = SOCIN_DAY_MIN;
    int code = SOCIN_E (MALFORMED_FILE);
    if (socin_csv_utf8 (data, len, "", err, errlen)) goto fail;
    if (valid_from && *valid_from && socin_date_parse (valid_from, &day, why, sizeof why))
        FAIL ("valid_from %s", why);
    if ((rc = socin_csv_next (csv, &f, &nf, err, errlen)) <= 0) {
        if (rc == 0) socin_error_set (err, errlen, "the file is empty");
        goto fail;
    }
    header_n = nf;
    if (socin_csv_columns (f, nf, s_columns, col,
                           " (the header is momc_kod,momc_nazev,obec_kod,obec_nazev)", err, errlen))
        goto fail;
    while ((rc = socin_csv_next (csv, &f, &nf, err, errlen)) > 0) {
        size_t line = socin_csv_line (csv);
        if (nf != header_n)
            FAIL ("line %zu: %zu fields, expected %zu as in the header", line, nf, header_n);
        if (s_row_check (model, &p, f, col, line, err, errlen)) goto fail;
        if (s_undivided (f[col[C_MOMC_NAME]])) {
            counts->skipped++;
            continue;
        }
        socin_strv_push (&p.keys, &p.nkeys, f[col[C_MOMC]]);
        socin_index_put_str (p.seen, p.keys[p.nkeys - 1], (void *)(uintptr_t)line);
        socin_index_put_str (p.cities, socin_model_unit (model, f[col[C_OBEC]])->code, (void *)1);
        socin_record_t *r = s_row_record (model, f, col, day, valid_from ? valid_from : "", counts,
                                          why, sizeof why, &rc);
        if (rc) {
            code = SOCIN_E (TERRITORY_OUT_OF_ORDER);
            FAIL ("line %zu: %s", line, why);
        }
        if (r) s_push (&p, r);
    }
    if (rc < 0) goto fail;
    if (day != SOCIN_DAY_MIN) s_close_missing (model, &p, day, counts);
    socin_csv_destroy (&csv);
    s_plan_free (&p);
    *out = p.recs;
    *count = p.n;
    return 0;
fail:
    for (size_t i = 0; i < p.n; i++)
        protobuf_c_message_free_unpacked (&p.recs[i]->base, NULL);
    free (p.recs);
    socin_csv_destroy (&csv);
    s_plan_free (&p);
    return code;
}
