/*  groupfile: groups from a CSV, one row per member. See groupfile.h. */
#include "groupfile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"
#include "index.h"
#include "mem.h"
#include "str.h"
#include "territory.h"

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        socin_error_set (err, errlen, __VA_ARGS__);                                                \
        goto fail;                                                                                 \
    } while (0)

static const char *const s_columns[] = {"group_code", "kind",     "name", "member_code",
                                        "valid_from", "valid_to", NULL};
enum { C_CODE, C_KIND, C_NAME, C_MEMBER, C_FROM, C_TO, C_COUNT };

static const char *const s_kinds[] = {"association", "mas", "cohort", "lap", "rap", NULL};

typedef struct {
    socin_record_t **recs;
    size_t *lines; /* the line each group first appears on */
    size_t n, cap;
    socin_index_t *by_code; /* group code -> index + 1 */
    socin_index_t *members; /* "group\tmember" -> line */
    char **keys;            /* the member keys, owned */
    size_t nkeys;
} s_file_t;

static void
s_file_free (s_file_t *g, bool records_too)
{
    if (records_too) {
        for (size_t i = 0; i < g->n; i++)
            protobuf_c_message_free_unpacked (&g->recs[i]->base, NULL);
        free (g->recs);
    }
    free (g->lines);
    for (size_t i = 0; i < g->nkeys; i++)
        free (g->keys[i]);
    free (g->keys);
    socin_index_destroy (&g->by_code);
    socin_index_destroy (&g->members);
}

static bool
s_code_ok (const char *code)
{
    size_t n = strlen (code);
    return n > 0 && n <= 64 && !strpbrk (code, " \t,=|");
}

static bool
s_kind_ok (const char *kind)
{
    for (int k = 0; s_kinds[k]; k++)
        if (!strcmp (kind, s_kinds[k])) return true;
    return false;
}

/* Checks the fields of one row of line LINE alone. */
static int
s_row_check (const socin_model_t *model, char **f, size_t line, char *err, size_t errlen)
{
    char why[200];
    int32_t from = SOCIN_DAY_MIN, to = SOCIN_DAY_MAX;
    if (!s_code_ok (f[C_CODE]))
        return socin_error_set (err, errlen,
                                "line %zu: group_code '%s' must be 1 to 64 bytes without spaces, "
                                "commas, '=' or '|'",
                                line, f[C_CODE]);
    if (!s_kind_ok (f[C_KIND]))
        return socin_error_set (
            err, errlen, "line %zu: kind '%s' is not one of association, mas, cohort, lap, rap",
            line, f[C_KIND]);
    if (!*f[C_NAME]) return socin_error_set (err, errlen, "line %zu: name is empty", line);
    const socin_unit_t *u = socin_model_unit (model, f[C_MEMBER]);
    if (!u)
        return socin_error_set (err, errlen, "line %zu: member_code '%s' is not a known unit", line,
                                f[C_MEMBER]);
    if (u->level != SOCIN_LEVEL_MUNICIPALITY && u->level != SOCIN_LEVEL_DISTRICT)
        return socin_error_set (err, errlen,
                                "line %zu: member_code %s is a %s; members are municipalities or "
                                "city districts",
                                line, f[C_MEMBER], socin_level_name (u->level));
    if (*f[C_FROM] && socin_date_parse (f[C_FROM], &from, why, sizeof why))
        return socin_error_set (err, errlen, "line %zu: valid_from %s", line, why);
    if (*f[C_TO] && socin_date_parse (f[C_TO], &to, why, sizeof why))
        return socin_error_set (err, errlen, "line %zu: valid_to %s", line, why);
    if (from > to)
        return socin_error_set (err, errlen, "line %zu: valid_from %s is after valid_to %s", line,
                                f[C_FROM], f[C_TO]);
    return 0;
}

/* The group of the row (made on its first row), after checking its kind and name match. */
static Socin__V1__Group *
s_group (s_file_t *g, char **f, size_t line, char *err, size_t errlen)
{
    uintptr_t at = (uintptr_t)socin_index_get_str (g->by_code, f[C_CODE]);
    if (at) {
        Socin__V1__Group *grp = g->recs[at - 1]->group;
        if (strcmp (grp->kind, f[C_KIND]) || strcmp (grp->name, f[C_NAME])) {
            socin_error_set (
                err, errlen, "line %zu: group %s is %s '%s' here but %s '%s' on line %zu", line,
                f[C_CODE], f[C_KIND], f[C_NAME], grp->kind, grp->name, g->lines[at - 1]);
            return NULL;
        }
        return grp;
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->recs = socin_realloc (g->recs, g->cap * sizeof *g->recs);
        g->lines = socin_realloc (g->lines, g->cap * sizeof *g->lines);
    }
    socin_record_t *r = socin_malloc (sizeof *r);
    Socin__V1__Group *grp = socin_malloc (sizeof *grp);
    socin__v1__record__init (r);
    socin__v1__group__init (grp);
    r->kind_case = SOCIN__V1__RECORD__KIND_GROUP;
    r->group = grp;
    grp->code = socin_strdup (f[C_CODE]);
    grp->kind = socin_strdup (f[C_KIND]);
    grp->name = socin_strdup (f[C_NAME]);
    g->recs[g->n] = r;
    g->lines[g->n] = line;
    g->n++;
    socin_index_put_str (g->by_code, grp->code, (void *)(uintptr_t)g->n);
    return grp;
}

/* Adds the row's member to GRP (once), with its term when it has dates. */
static int
s_member (s_file_t *g, Socin__V1__Group *grp, char **f, size_t line, char *err, size_t errlen)
{
    char key[160];
    snprintf (key, sizeof key, "%s\t%s", f[C_CODE], f[C_MEMBER]);
    uintptr_t first = (uintptr_t)socin_index_get_str (g->members, key);
    if (first)
        return socin_error_set (err, errlen,
                                "line %zu: unit %s is already a member of group %s (line %zu)",
                                line, f[C_MEMBER], f[C_CODE], (size_t)first);
    socin_strv_push (&g->keys, &g->nkeys, key);
    socin_index_put_str (g->members, g->keys[g->nkeys - 1], (void *)(uintptr_t)line);
    socin_strv_push (&grp->members, &grp->n_members, f[C_MEMBER]);
    if (!*f[C_FROM] && !*f[C_TO]) return 0;
    Socin__V1__GroupMember *term = socin_malloc (sizeof *term);
    socin__v1__group_member__init (term);
    term->unit = socin_strdup (f[C_MEMBER]);
    term->valid_from = socin_strdup (f[C_FROM]);
    term->valid_to = socin_strdup (f[C_TO]);
    grp->member_terms =
        socin_realloc (grp->member_terms, (grp->n_member_terms + 1) * sizeof *grp->member_terms);
    grp->member_terms[grp->n_member_terms++] = term;
    return 0;
}

int
socin_groupfile_parse (const socin_model_t *model, const char *data, size_t len,
                       socin_record_t ***out, size_t *count, char *err, size_t errlen)
{
    s_file_t g = {0};
    g.by_code = socin_index_new ();
    g.members = socin_index_new ();
    socin_csv_t *csv = socin_csv_new (data, len);
    char **f, *row[C_COUNT];
    size_t nf, header_n = 0;
    int col[C_COUNT], rc;
    if (socin_csv_utf8 (data, len, "", err, errlen)) goto fail;
    while ((rc = socin_csv_next (csv, &f, &nf, err, errlen)) > 0) {
        size_t line = socin_csv_line (csv);
        if (f[0][0] == '#') continue;
        if (!header_n) {
            if (socin_csv_columns (f, nf, s_columns, col,
                                   " (the header is group_code,kind,name,member_code,valid_from,"
                                   "valid_to)",
                                   err, errlen))
                goto fail;
            header_n = nf;
            continue;
        }
        if (nf != header_n)
            FAIL ("line %zu: %zu fields, expected %zu as in the header", line, nf, header_n);
        for (int c = 0; c < C_COUNT; c++)
            row[c] = f[col[c]];
        if (s_row_check (model, row, line, err, errlen)) goto fail;
        Socin__V1__Group *grp = s_group (&g, row, line, err, errlen);
        if (!grp || s_member (&g, grp, row, line, err, errlen)) goto fail;
    }
    if (rc < 0) goto fail;
    if (!header_n) FAIL ("the file is empty");
    if (!g.n) FAIL ("the file has a header but no member");
    socin_csv_destroy (&csv);
    s_file_free (&g, false);
    *out = g.recs;
    *count = g.n;
    return 0;
fail:
    socin_csv_destroy (&csv);
    s_file_free (&g, true);
    return -1;
}
