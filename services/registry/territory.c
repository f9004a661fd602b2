/*  territory: units from the ČSÚ CSV, the sample file and population. See territory.h. */
#include "territory.h"

#include "error.h"
#include "mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "index.h"
#include "log.h"
#include "str.h"

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        socin_error_set (err, errlen, __VA_ARGS__);                                                \
        goto fail;                                                                                 \
    } while (0)

typedef struct {
    socin_record_t **recs;
    size_t n, cap;
    size_t *lines; /* the line each record was first seen on */
    socin_index_t *by_code;
} s_units_t;

socin_record_t *
socin_territory_unit_new (const char *code, int level, const char *name)
{
    socin_record_t *r = socin_malloc (sizeof *r);
    Socin__V1__Unit *u = socin_malloc (sizeof *u);
    socin__v1__record__init (r);
    socin__v1__unit__init (u);
    r->kind_case = SOCIN__V1__RECORD__KIND_UNIT;
    r->unit = u;
    u->code = socin_strdup (code);
    u->level = level;
    u->name = socin_strdup (name);
    return r;
}

static void
s_units_add (s_units_t *set, socin_record_t *r, size_t line)
{
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 1024;
        set->recs = socin_realloc (set->recs, set->cap * sizeof *set->recs);
        set->lines = socin_realloc (set->lines, set->cap * sizeof *set->lines);
    }
    set->recs[set->n] = r;
    set->lines[set->n] = line;
    set->n++;
    socin_index_put_str (set->by_code, r->unit->code, (void *)(uintptr_t)set->n);
}

/* The record of CODE in SET with its line, or NULL. */
static socin_record_t *
s_units_get (s_units_t *set, const char *code, size_t *line)
{
    uintptr_t i = (uintptr_t)socin_index_get_str (set->by_code, code);
    if (!i) return NULL;
    if (line) *line = set->lines[i - 1];
    return set->recs[i - 1];
}

static void
s_units_free (s_units_t *set, bool records_too)
{
    if (records_too)
        for (size_t i = 0; i < set->n; i++)
            protobuf_c_message_free_unpacked (&set->recs[i]->base, NULL);
    if (records_too) free (set->recs);
    free (set->lines);
    socin_index_destroy (&set->by_code);
}

bool
socin_territory_digits (const char *s, size_t n)
{
    if (strlen (s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit ((unsigned char)s[i])) return false;
    return true;
}

/* NUTS-like: "CZ" followed by DIGITS digits and then EXTRA alphanumerics. */
static bool
s_nuts (const char *s, size_t total)
{
    if (strlen (s) != total || s[0] != 'C' || s[1] != 'Z') return false;
    for (size_t i = 2; i < total; i++)
        if (!isalnum ((unsigned char)s[i])) return false;
    return true;
}

/* A unit that may appear on many rows: it must have the same name and parent each time. */
static int
s_shared_unit (s_units_t *set, const char *code, int level, const char *name, const char *parent,
               size_t line, const char *what, char *err, size_t errlen)
{
    size_t first;
    socin_record_t *r = s_units_get (set, code, &first);
    if (!r) {
        r = socin_territory_unit_new (code, level, name);
        socin_strv_push (&r->unit->parents, &r->unit->n_parents, parent);
        s_units_add (set, r, line);
        return 0;
    }
    if (strcmp (r->unit->name, name)) {
        socin_error_set (err, errlen, "line %zu: %s %s is named '%s' here but '%s' on line %zu",
                         line, what, code, name, r->unit->name, first);
        return -1;
    }
    if (strcmp (r->unit->parents[0], parent)) {
        socin_error_set (err, errlen, "line %zu: %s %s lies in %s here but in %s on line %zu", line,
                         what, code, parent, r->unit->parents[0], first);
        return -1;
    }
    return 0;
}

static const char *const s_csu_columns[] = {"platnost_datum",
                                            "obec_text",
                                            "obec_kod",
                                            "obec_typ",
                                            "orp_text",
                                            "orp_csu_cis65_kod",
                                            "okres_text",
                                            "okres_csu_cis109_nuts_kod",
                                            "kraj_text",
                                            "kraj_csu_cis108_nuts_kod",
                                            "stat_text",
                                            "stat_csu_cis105_nuts_kod",
                                            NULL};
enum {
    C_DATE,
    C_OBEC_TEXT,
    C_OBEC,
    C_OBEC_TYP,
    C_ORP_TEXT,
    C_ORP,
    C_OKRES_TEXT,
    C_OKRES,
    C_KRAJ_TEXT,
    C_KRAJ,
    C_STAT_TEXT,
    C_STAT,
    C_COUNT
};

/* Finds the columns of the ČSÚ file in its header row F (NF fields) and puts their indexes
   into COL. */
static int
s_csu_header (char **f, size_t nf, int col[C_COUNT], char *err, size_t errlen)
{
    return socin_csv_columns (f, nf, s_csu_columns, col,
                              " (is this the ČSÚ 'Struktura území ČR' CSV?)", err, errlen);
}

/* Checks the codes of one row of the ČSÚ file: every field filled, each code of its form. */
static int
s_csu_row_check (char **f, const int col[C_COUNT], size_t line, char *err, size_t errlen)
{
    const char *obec = f[col[C_OBEC]], *orp = f[col[C_ORP]], *okres = f[col[C_OKRES]],
               *kraj = f[col[C_KRAJ]], *stat = f[col[C_STAT]];
    if (!socin_territory_digits (obec, 6))
        return socin_error_set (err, errlen, "line %zu: obec_kod '%s' is not a 6-digit code", line,
                                obec);
    if (!socin_territory_digits (orp, 4))
        return socin_error_set (
            err, errlen, "line %zu: orp_csu_cis65_kod '%s' is not a 4-digit code", line, orp);
    if (!s_nuts (kraj, 5))
        return socin_error_set (
            err, errlen,
            "line %zu: kraj_csu_cis108_nuts_kod '%s' is not a NUTS3 code such as CZ064", line,
            kraj);
    if (!s_nuts (okres, 6) || strncmp (okres, kraj, 5))
        return socin_error_set (
            err, errlen,
            "line %zu: okres_csu_cis109_nuts_kod '%s' is not a NUTS code inside kraj %s", line,
            okres, kraj);
    if (strcmp (stat, "CZ"))
        return socin_error_set (err, errlen, "line %zu: stat_csu_cis105_nuts_kod '%s' is not CZ",
                                line, stat);
    for (int c = 0; c < C_COUNT; c++)
        if (c != C_DATE && !*f[col[c]])
            return socin_error_set (err, errlen, "line %zu: %s is empty", line, s_csu_columns[c]);
    return 0;
}

/* Adds the units one checked row names to SET: the country, its kraj, okres and ORP (the same
   on every row that names them) and its municipality (on this row only). */
static int
s_csu_row_units (s_units_t *set, char **f, const int col[C_COUNT], size_t line, char *err,
                 size_t errlen)
{
    const char *obec = f[col[C_OBEC]], *orp = f[col[C_ORP]], *okres = f[col[C_OKRES]],
               *kraj = f[col[C_KRAJ]];
    if (!s_units_get (set, "CZ", NULL))
        s_units_add (set, socin_territory_unit_new ("CZ", SOCIN_LEVEL_COUNTRY, f[col[C_STAT_TEXT]]),
                     line);
    if (s_shared_unit (set, kraj, SOCIN_LEVEL_KRAJ, f[col[C_KRAJ_TEXT]], "CZ", line, "kraj", err,
                       errlen) ||
        s_shared_unit (set, okres, SOCIN_LEVEL_OKRES, f[col[C_OKRES_TEXT]], kraj, line, "okres",
                       err, errlen) ||
        s_shared_unit (set, orp, SOCIN_LEVEL_ORP, f[col[C_ORP_TEXT]], kraj, line, "ORP", err,
                       errlen))
        return -1;
    size_t first;
    if (s_units_get (set, obec, &first))
        return socin_error_set (err, errlen,
                                "line %zu: municipality %s appears again (first on line %zu)", line,
                                obec, first);
    socin_record_t *r =
        socin_territory_unit_new (obec, SOCIN_LEVEL_MUNICIPALITY, f[col[C_OBEC_TEXT]]);
    r->unit->kind = socin_strdup (f[col[C_OBEC_TYP]]);
    socin_strv_push (&r->unit->parents, &r->unit->n_parents, orp);
    socin_strv_push (&r->unit->parents, &r->unit->n_parents, okres);
    s_units_add (set, r, line);
    return 0;
}

int
socin_territory_parse_csu (const char *data, size_t len, const char *valid_from,
                           socin_record_t ***out, size_t *count, int32_t *edition, char *err,
                           size_t errlen)
{
    s_units_t set = {0};
    set.by_code = socin_index_new ();
    socin_csv_t *csv = socin_csv_new (data, len);
    char **f;
    size_t nf, header_n = 0;
    int col[C_COUNT];
    char why[200];
    int32_t day = SOCIN_DAY_MIN;
    if (socin_csv_utf8 (data, len, " (ČSÚ publishes it in UTF-8)", err, errlen)) goto fail;
    if (valid_from && *valid_from) {
        if (socin_date_parse (valid_from, &day, why, sizeof why)) FAIL ("valid_from %s", why);
    }
    int rc = socin_csv_next (csv, &f, &nf, err, errlen);
    if (rc < 0) goto fail;
    if (rc == 0) FAIL ("the file is empty");
    header_n = nf;
    if (s_csu_header (f, nf, col, err, errlen)) goto fail;
    while ((rc = socin_csv_next (csv, &f, &nf, err, errlen)) > 0) {
        size_t line = socin_csv_line (csv);
        if (nf != header_n)
            FAIL ("line %zu: %zu fields, expected %zu as in the header", line, nf, header_n);
        if (s_csu_row_check (f, col, line, err, errlen)) goto fail;
        if (day == SOCIN_DAY_MIN) {
            if (socin_date_parse (f[col[C_DATE]], &day, why, sizeof why))
                FAIL ("line %zu: platnost_datum %s", line, why);
        }
        if (s_csu_row_units (&set, f, col, line, err, errlen)) goto fail;
    }
    if (rc < 0) goto fail;
    if (set.n == 0) FAIL ("the file has a header but no municipality");
    char date[SOCIN_DATE_STRLEN];
    socin_date_format (day, date, sizeof date);
    for (size_t i = 0; i < set.n; i++)
        set.recs[i]->unit->valid_from = socin_strdup (date);
    socin_csv_destroy (&csv);
    s_units_free (&set, false);
    *out = set.recs;
    *count = set.n;
    *edition = day;
    return 0;
fail:
    socin_csv_destroy (&csv);
    s_units_free (&set, true);
    return -1;
}

int
socin_territory_parse_sample (const char *data, size_t len, socin_record_t ***out, size_t *count,
                              char *err, size_t errlen)
{
    s_units_t set = {0};
    set.by_code = socin_index_new ();
    socin_csv_t *csv = socin_csv_new (data, len);
    char **f;
    size_t nf;
    int rc;
    bool header = false;
    while ((rc = socin_csv_next (csv, &f, &nf, err, errlen)) > 0) {
        size_t line = socin_csv_line (csv);
        if (f[0][0] == '#') continue;
        if (!header) {
            if (nf != 6 || strcmp (f[0], "code") || strcmp (f[1], "level"))
                FAIL ("line %zu: expected the header code,level,name,parents,kind,population",
                      line);
            header = true;
            continue;
        }
        if (nf != 6) FAIL ("line %zu: %zu fields, expected 6", line, nf);
        int level = socin_level_parse (f[1]);
        if (!level) FAIL ("line %zu: unknown level '%s'", line, f[1]);
        if (!*f[0] || !*f[2]) FAIL ("line %zu: code and name must not be empty", line);
        if (s_units_get (&set, f[0], NULL)) FAIL ("line %zu: unit %s appears twice", line, f[0]);
        socin_record_t *r = socin_territory_unit_new (f[0], level, f[2]);
        char *save = NULL, *parents = socin_strdup (f[3]);
        for (char *p = strtok_r (parents, ";", &save); p; p = strtok_r (NULL, ";", &save))
            socin_strv_push (&r->unit->parents, &r->unit->n_parents, p);
        free (parents);
        r->unit->kind = socin_strdup (f[4]);
        r->unit->sample = true;
        if (*f[5]) {
            char *end;
            errno = 0;
            unsigned long long pop = strtoull (f[5], &end, 10);
            if (errno || *end || f[5][0] == '-') {
                protobuf_c_message_free_unpacked (&r->base, NULL);
                FAIL ("line %zu: population '%s' is not a count", line, f[5]);
            }
            r->unit->population = pop;
            r->unit->population_date = socin_strdup ("2021-01-01");
        }
        s_units_add (&set, r, line);
    }
    if (rc < 0) goto fail;
    for (size_t i = 0; i < set.n; i++)
        for (size_t p = 0; p < set.recs[i]->unit->n_parents; p++)
            if (!s_units_get (&set, set.recs[i]->unit->parents[p], NULL))
                FAIL ("line %zu: parent %s of %s is not in the file", set.lines[i],
                      set.recs[i]->unit->parents[p], set.recs[i]->unit->code);
    socin_csv_destroy (&csv);
    s_units_free (&set, false);
    *out = set.recs;
    *count = set.n;
    return 0;
fail:
    socin_csv_destroy (&csv);
    s_units_free (&set, true);
    return -1;
}

int
socin_population_plan (const socin_model_t *model, const char *data, size_t len,
                       const char *population_date, socin_record_t ***out, size_t *count, char *err,
                       size_t errlen)
{
    socin_csv_t *csv = socin_csv_new (data, len);
    socin_record_t **recs = NULL;
    size_t n = 0, cap = 0;
    char **f;
    size_t nf;
    int rc;
    char why[200];
    int32_t day;
    socin_index_t *seen = socin_index_new ();
    if (population_date && *population_date &&
        socin_date_parse (population_date, &day, why, sizeof why))
        FAIL ("as_of %s", why);
    rc = socin_csv_next (csv, &f, &nf, err, errlen);
    if (rc <= 0) {
        if (rc == 0) socin_error_set (err, errlen, "the file is empty");
        goto fail;
    }
    if (nf != 2) FAIL ("line 1: expected the header obec_kod,pocet_obyvatel");
    while ((rc = socin_csv_next (csv, &f, &nf, err, errlen)) > 0) {
        size_t line = socin_csv_line (csv);
        if (nf != 2) FAIL ("line %zu: %zu fields, expected 2", line, nf);
        const socin_unit_t *u = socin_model_unit (model, f[0]);
        if (!u) FAIL ("line %zu: unit '%s' is not in the registry", line, f[0]);
        char *end;
        errno = 0;
        unsigned long long pop = strtoull (f[1], &end, 10);
        if (errno || end == f[1] || *end || f[1][0] == '-')
            FAIL ("line %zu: population '%s' is not a count", line, f[1]);
        if (socin_index_get_str (seen, u->code))
            FAIL ("line %zu: unit %s appears twice", line, f[0]);
        socin_index_put_str (seen, u->code, (void *)u);
        const char *date = population_date && *population_date ? population_date : "";
        if (u->pb->population == pop && !strcmp (u->pb->population_date, date)) continue;
        socin_record_t *r =
            socin_record_copy (socin_model_record (model, SOCIN_KIND_UNIT, u->code));
        r->unit->population = pop;
        if (r->unit->population_date != protobuf_c_empty_string) free (r->unit->population_date);
        r->unit->population_date = socin_strdup (date);
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            recs = socin_realloc (recs, cap * sizeof *recs);
        }
        recs[n++] = r;
    }
    if (rc < 0) goto fail;
    socin_csv_destroy (&csv);
    socin_index_destroy (&seen);
    *out = recs;
    *count = n;
    return 0;
fail:
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked (&recs[i]->base, NULL);
    free (recs);
    socin_csv_destroy (&csv);
    socin_index_destroy (&seen);
    return -1;
}

void
socin_territory_set_text (char **field, const char *value)
{
    if (*field && *field != protobuf_c_empty_string) free (*field);
    *field = socin_strdup (value);
}

static bool
s_strv_same (char **a, size_t na, char **b, size_t nb)
{
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp (a[i], b[i])) return false;
    return true;
}

static void
s_strv_free (char ***v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free ((*v)[i]);
    free (*v);
    *v = NULL;
    *n = 0;
}

int
socin_territory_reparent (Socin__V1__Unit *u, char **parents, size_t nparents, int32_t day,
                          bool replace, char *err, size_t errlen)
{
    if (s_strv_same (u->parents, u->n_parents, parents, nparents)) return 0;
    int32_t since = socin_day_or (u->parents_from, SOCIN_DAY_MIN);
    char date[SOCIN_DATE_STRLEN], since_text[SOCIN_DATE_STRLEN];
    if (!replace && day < since) {
        socin_date_format (day, date, sizeof date);
        socin_date_format (since, since_text, sizeof since_text);
        return socin_error_set (err, errlen,
                                "unit %s: its parents changed on %s, after %s; apply territory "
                                "changes in date order",
                                u->code, since_text, date);
    }
    if (!replace && day != since && day != SOCIN_DAY_MIN) {
        /* The parents in force until now become an earlier set ending the day before. */
        Socin__V1__UnitParents *era = socin_malloc (sizeof *era);
        socin__v1__unit_parents__init (era);
        era->parents = u->parents;
        era->n_parents = u->n_parents;
        u->parents = NULL;
        u->n_parents = 0;
        socin_date_format (day - 1, date, sizeof date);
        era->valid_to = socin_strdup (date);
        u->earlier_parents = socin_realloc (u->earlier_parents, (u->n_earlier_parents + 1) *
                                                                    sizeof *u->earlier_parents);
        u->earlier_parents[u->n_earlier_parents++] = era;
        socin_date_format (day, date, sizeof date);
        socin_territory_set_text (&u->parents_from, date);
    }
    s_strv_free (&u->parents, &u->n_parents);
    for (size_t p = 0; p < nparents; p++)
        socin_strv_push (&u->parents, &u->n_parents, parents[p]);
    return 0;
}

/* True when no official edition was loaded yet: every kraj, okres, ORP and municipality the
   registry holds (if any) comes from the embedded sample. */
static bool
s_no_edition_yet (const socin_model_t *model)
{
    for (uint32_t id = 1; id <= socin_model_count (model, SOCIN_KIND_UNIT); id++) {
        const socin_unit_t *u = socin_model_unit_at (model, id);
        if (u->level >= SOCIN_LEVEL_KRAJ && u->level <= SOCIN_LEVEL_MUNICIPALITY && !u->pb->sample)
            return false;
    }
    return true;
}

/* The registry's record OLD as the edition (day EDITION, FIRST: replacing the sample) gives
   it in PARSED: names, kind and parents from the file (parents dated unless FIRST),
   population kept when the file has none, reopened on the edition's day when it was closed.
   NULL with ERR when the move is out of date order. */
static socin_record_t *
s_plan_existing (const socin_record_t *old, const Socin__V1__Unit *parsed, int32_t edition,
                 bool first, char *err, size_t errlen)
{
    socin_record_t *r = socin_record_copy (old);
    Socin__V1__Unit *u = r->unit;
    u->level = parsed->level;
    socin_territory_set_text (&u->name, parsed->name);
    socin_territory_set_text (&u->kind, parsed->kind);
    u->sample = false;
    if (parsed->population || *parsed->population_date) {
        u->population = parsed->population;
        socin_territory_set_text (&u->population_date, parsed->population_date);
    }
    if (*u->valid_to) {
        socin_territory_set_text (&u->valid_to, "");
        socin_territory_set_text (&u->valid_from, first ? "" : parsed->valid_from);
    }
    if (first) socin_territory_set_text (&u->valid_from, "");
    if (socin_territory_reparent (u, parsed->parents, parsed->n_parents, edition, first, err,
                                  errlen)) {
        protobuf_c_message_free_unpacked (&r->base, NULL);
        return NULL;
    }
    return r;
}

int
socin_territory_plan (const socin_model_t *model, socin_record_t **parsed, size_t nparsed,
                      int32_t edition, socin_record_t ***out, size_t *count, uint32_t *added,
                      uint32_t *updated, uint32_t *unchanged, uint32_t *closed, char *err,
                      size_t errlen)
{
    socin_record_t **changes =
        socin_malloc ((nparsed + socin_model_count (model, SOCIN_KIND_UNIT) + 1) * sizeof *changes);
    size_t n = 0, i;
    *added = *updated = *unchanged = *closed = 0;
    socin_index_t *in_file = socin_index_new ();
    /* The first edition loaded (over an empty registry or the embedded sample) describes
       units that existed before it took effect: they get no first day. Units a later one
       adds begin on its day. */
    bool first = s_no_edition_yet (model);
    for (i = 0; i < nparsed; i++) {
        socin_record_t *r = parsed[i];
        if (first) socin_territory_set_text (&r->unit->valid_from, "");
        const socin_record_t *old = socin_model_record (model, SOCIN_KIND_UNIT, r->unit->code);
        if (!old) {
            socin_index_put_str (in_file, r->unit->code, r);
            changes[n++] = r;
            (*added)++;
            continue;
        }
        /* The key must outlive R, which is freed below: use the model's copy. */
        socin_index_put_str (in_file, old->unit->code, r);
        socin_record_t *next = s_plan_existing (old, r->unit, edition, first, err, errlen);
        protobuf_c_message_free_unpacked (&r->base, NULL);
        if (!next) goto fail;
        if (socin_record_same (next, old)) {
            (*unchanged)++;
            protobuf_c_message_free_unpacked (&next->base, NULL);
            continue;
        }
        changes[n++] = next;
        (*updated)++;
    }
    char close_day[SOCIN_DATE_STRLEN];
    socin_date_format (edition - 1, close_day, sizeof close_day);
    for (uint32_t id = 1; id <= socin_model_count (model, SOCIN_KIND_UNIT); id++) {
        const socin_unit_t *u = socin_model_unit_at (model, id);
        if (u->level < SOCIN_LEVEL_KRAJ || u->level > SOCIN_LEVEL_MUNICIPALITY) continue;
        if (*u->pb->valid_to || socin_index_get_str (in_file, u->code)) continue;
        socin_record_t *r =
            socin_record_copy (socin_model_record (model, SOCIN_KIND_UNIT, u->code));
        socin_territory_set_text (&r->unit->valid_to, close_day);
        changes[n++] = r;
        (*closed)++;
    }
    socin_index_destroy (&in_file);
    free (parsed);
    *out = changes;
    *count = n;
    return 0;
fail:
    for (size_t k = i + 1; k < nparsed; k++)
        protobuf_c_message_free_unpacked (&parsed[k]->base, NULL);
    for (size_t k = 0; k < n; k++)
        protobuf_c_message_free_unpacked (&changes[k]->base, NULL);
    free (changes);
    free (parsed);
    socin_index_destroy (&in_file);
    return -1;
}
