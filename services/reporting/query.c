/*  query: reporting's answers. See query.h. */
#include "query.h"
#include "wire.h"

#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "csv.h"
#include "log.h"
#include "mem.h"
#include "str.h"
#include "plans.h"
#include "valuekey.h"
#include "valuestate.h"

int
rep_query_fail (Socin__V1__ReportReply *reply, int code, const char *fmt, ...)
{
    char text[1024];
    va_list args;
    va_start (args, fmt);
    socin_error_vformat (text, sizeof text, fmt, args);
    va_end (args);
    Socin__V1__Error *e = socin_calloc (1, sizeof *e);
    socin__v1__error__init (e);
    e->code = code;
    e->message = socin_strdup (text);
    reply->error = e;
    return -1;
}

/* This file's answers fail through the function pivot.c and export.c share. */
#define s_fail rep_query_fail

static char *
s_dec_text (socin_dec_t v)
{
    char buf[SOCIN_DEC_STRLEN];
    socin_dec_format (v, buf, sizeof buf);
    return socin_strdup (buf);
}

static char *
s_sum_text (socin_sum_t v)
{
    char buf[SOCIN_DEC_STRLEN];
    socin_sum_format (v, buf, sizeof buf);
    return socin_strdup (buf);
}

/* Everything reported at or beneath UNIT (or by GROUP's members) for IND. */
static int
s_aggregate (const rep_query_ctx_t *ctx, const socin_indicator_t *ind, const socin_unit_t *unit,
             const socin_group_t *group, socin_period_t period, const char *disagg,
             socin_agg_t *out)
{
    if (rep_cube_node (ctx->cube, ind, unit, group, period, disagg, out)) return -1;
    if (unit) {
        socin_agg_t own;
        rep_cube_unit (ctx->cube, ind, unit, period, disagg, &own);
        socin_agg_merge (out, &own);
    }
    return 0;
}

int
rep_query_aggregate (const rep_query_ctx_t *ctx, const socin_indicator_t *ind,
                     const socin_unit_t *unit, socin_period_t period, const char *disagg,
                     socin_agg_t *out)
{
    return s_aggregate (ctx, ind, unit, NULL, period, disagg, out);
}

/* The period of TYPE to use for a component queried for PERIOD: PERIOD itself when the
   component is finer or equal, else the component's period that holds it. */
static socin_period_t
s_component_period (socin_period_t period, socin_period_type_t type)
{
    socin_period_t p = period;
    if (type > period.type) socin_period_parent (period, type, &p);
    return p;
}

void
rep_query_figure (const rep_query_ctx_t *ctx, const socin_indicator_t *ind,
                  const socin_unit_t *unit, const socin_group_t *group, socin_period_t period,
                  const char *disagg, Socin__V1__Row *row)
{
    socin_dec_t v;
    if (ind->derived) {
        const socin_indicator_t *num = socin_model_indicator_at (ctx->model, ind->numerator);
        const socin_indicator_t *den = socin_model_indicator_at (ctx->model, ind->denominator);
        if (!num || !den) return;
        socin_agg_t an, ad;
        if (s_aggregate (ctx, num, unit, group, s_component_period (period, num->period_type), "",
                         &an) ||
            s_aggregate (ctx, den, unit, group, s_component_period (period, den->period_type), "",
                         &ad))
            return;
        socin_dec_t n, d;
        bool hn = socin_agg_value (&an, num->aggregation, &n) == 0;
        bool hd = socin_agg_value (&ad, den->aggregation, &d) == 0;
        if (hn) row->numerator = s_dec_text (n);
        if (hd) row->denominator = s_dec_text (d);
        row->values = an.n + ad.n;
        row->units = an.units > ad.units ? an.units : ad.units;
        if (hn && hd && socin_dec_ratio (n, d, ind->factor, &v) == 0) row->value = s_dec_text (v);
        return;
    }
    socin_agg_t a;
    if (s_aggregate (ctx, ind, unit, group, period, disagg, &a)) return;
    row->values = a.n;
    row->units = a.units;
    int rc = socin_agg_value (&a, ind->aggregation, &v);
    if (rc == 0)
        row->value = s_dec_text (v);
    else if (rc < 0)
        row->value = s_sum_text (ind->aggregation == SOCIN_AGG_LAST ? a.last : a.sum);
}

static Socin__V1__Row *
s_row (const socin_unit_t *unit, const socin_group_t *group, const char *period, const char *disagg)
{
    Socin__V1__Row *row = socin_calloc (1, sizeof *row);
    socin__v1__row__init (row);
    row->unit = socin_strdup (unit ? unit->code : group ? group->code : "");
    row->name = socin_strdup (unit ? unit->pb->name : group ? group->pb->name : "");
    row->level = unit ? unit->level : 0;
    row->period = socin_strdup (period);
    row->disaggregation = socin_strdup (disagg);
    return row;
}

static void
s_add_row (Socin__V1__Table *t, Socin__V1__Row *row)
{
    t->rows = socin_realloc (t->rows, (t->n_rows + 1) * sizeof *t->rows);
    t->rows[t->n_rows++] = row;
}

static int
s_cmp_unit (const void *a, const void *b)
{
    const socin_unit_t *x = *(const socin_unit_t *const *)a, *y = *(const socin_unit_t *const *)b;
    return strcmp (x->code, y->code);
}

static int
s_cmp_text (const void *a, const void *b)
{
    return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* Units at LEVEL under ROOT (or members of GROUP), valid during PERIOD, in code order; both
   on the territory of PERIOD (model.h: socin_territory_day). */
static size_t
s_units_at (const socin_model_t *m, int level, const socin_unit_t *root, const socin_group_t *group,
            socin_period_t period, const socin_unit_t ***out)
{
    return rep_query_units_at (m, level, root, group, socin_period_start (period),
                               socin_period_end (period), out);
}

size_t
rep_query_units_at (const socin_model_t *m, int level, const socin_unit_t *root,
                    const socin_group_t *group, int32_t start, int32_t end,
                    const socin_unit_t ***out)
{
    size_t total = socin_model_count (m, SOCIN_KIND_UNIT), n = 0;
    const socin_unit_t **list = socin_calloc (total + 1, sizeof *list);
    /* On the territory of the year END falls in (model.h: socin_territory_day). */
    int32_t day = socin_territory_day (socin_period_of_day (SOCIN_PERIOD_YEAR, end));
    for (uint32_t id = 1; id <= total; id++) {
        const socin_unit_t *u = socin_model_unit_at (m, id);
        if (level && u->level != level) continue;
        if (group ? !socin_group_has_on (group, id, day)
                  : !socin_unit_under_on (m, u, root->id, day))
            continue;
        if (!socin_unit_valid_during (u, start, end)) continue;
        list[n++] = u;
    }
    qsort (list, n, sizeof *list, s_cmp_unit);
    *out = list;
    return n;
}

/* Common arguments of values and roll-ups. */
static int
s_resolve (const rep_query_ctx_t *ctx, Socin__V1__ReportReply *reply, const char *ind_code,
           const char *period_text, const char *under, const char *group_code,
           const char *disagg_text, const socin_indicator_t **ind, socin_period_t *period,
           const socin_unit_t **root, const socin_group_t **group, char *disagg, size_t dlen)
{
    char why[256];
    *ind = socin_model_indicator (ctx->model, ind_code);
    if (!*ind)
        return s_fail (reply, SOCIN_E (NOT_FOUND), "indicator '%s' is not in the catalogue",
                       ind_code);
    if (socin_period_parse (period_text, period, why, sizeof why))
        return s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "period %s", why);
    if (period->type < (*ind)->period_type)
        return s_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                       "period %s is %s, finer than %s, which is reported %s", period_text,
                       socin_period_type_name (period->type), ind_code,
                       socin_period_type_name ((*ind)->period_type));
    *group = NULL;
    *root = NULL;
    if (group_code && *group_code) {
        *group = socin_model_group (ctx->model, group_code);
        if (!*group)
            return s_fail (reply, SOCIN_E (NOT_FOUND), "group '%s' is not in the registry",
                           group_code);
    } else {
        *root = socin_model_unit (ctx->model, under && *under ? under : "CZ");
        if (!*root)
            return s_fail (reply, SOCIN_E (NOT_FOUND), "unit '%s' is not in the registry", under);
    }
    disagg[0] = 0;
    if (disagg_text && !strcmp (disagg_text, "*")) {
        snprintf (disagg, dlen, "*");
        if ((*ind)->derived)
            return s_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                           "a derived indicator has no disaggregations");
    } else if (disagg_text && *disagg_text) {
        if ((*ind)->derived)
            return s_fail (reply, SOCIN_E (INVALID_ARGUMENT),
                           "a derived indicator has no disaggregations");
        if (socin_model_disaggregation (ctx->model, *ind, disagg_text, disagg, dlen, why,
                                        sizeof why))
            return s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "disaggregation %s", why);
    }
    return 0;
}

static Socin__V1__Table *
s_table (const socin_indicator_t *ind, const char *period)
{
    Socin__V1__Table *t = socin_calloc (1, sizeof *t);
    socin__v1__table__init (t);
    t->indicator = socin_strdup (ind->code);
    t->period = socin_strdup (period);
    t->aggregation = ind->aggregation;
    return t;
}

static void
s_rollup (const rep_query_ctx_t *ctx, const Socin__V1__RollupQuery *q,
          Socin__V1__ReportReply *reply)
{
    const socin_indicator_t *ind;
    const socin_unit_t *root;
    const socin_group_t *group;
    socin_period_t period;
    char disagg[256], ptext[SOCIN_PERIOD_STRLEN];
    if (s_resolve (ctx, reply, q->indicator, q->period, q->under, q->group, q->disaggregation, &ind,
                   &period, &root, &group, disagg, sizeof disagg))
        return;
    socin_period_format (period, ptext, sizeof ptext);
    Socin__V1__Table *t = s_table (ind, ptext);
    const char **combos = NULL;
    size_t ncombos = 1;
    const char *only[] = {disagg};
    if (!strcmp (disagg, "*"))
        ncombos = rep_cube_disaggregations (ctx->cube, ind, &combos);
    else
        combos = only;
    if (!q->level) {
        for (size_t c = 0; c < ncombos; c++) {
            Socin__V1__Row *row = s_row (root, group, ptext, combos[c]);
            rep_query_figure (ctx, ind, root, group, period, combos[c], row);
            s_add_row (t, row);
        }
    } else {
        const socin_unit_t **units;
        size_t n = s_units_at (ctx->model, q->level, root, group, period, &units);
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < ncombos; c++) {
                Socin__V1__Row *row = s_row (units[i], NULL, ptext, combos[c]);
                rep_query_figure (ctx, ind, units[i], NULL, period, combos[c], row);
                s_add_row (t, row);
            }
        free (units);
    }
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_TABLE;
    reply->table = t;
}

static void
s_values (const rep_query_ctx_t *ctx, const Socin__V1__ValuesQuery *q,
          Socin__V1__ReportReply *reply)
{
    const socin_indicator_t *ind;
    const socin_unit_t *root;
    const socin_group_t *group;
    socin_period_t period;
    char disagg[256], ptext[SOCIN_PERIOD_STRLEN];
    if (s_resolve (ctx, reply, q->indicator, q->period, q->under, NULL, q->disaggregation, &ind,
                   &period, &root, &group, disagg, sizeof disagg))
        return;
    if (ind->derived) {
        s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "%s is derived: ask for its roll-up by level",
                ind->code);
        return;
    }
    socin_period_format (period, ptext, sizeof ptext);
    Socin__V1__Table *t = s_table (ind, ptext);
    const socin_unit_t **units;
    size_t n;
    if (*q->unit) {
        const socin_unit_t *u = socin_model_unit (ctx->model, q->unit);
        if (!u) {
            protobuf_c_message_free_unpacked (&t->base, NULL);
            s_fail (reply, SOCIN_E (NOT_FOUND), "unit '%s' is not in the registry", q->unit);
            return;
        }
        units = socin_calloc (1, sizeof *units);
        units[0] = u;
        n = 1;
    } else
        n = s_units_at (ctx->model, q->level ? (int)q->level : SOCIN_LEVEL_MUNICIPALITY, root, NULL,
                        period, &units);
    const char **combos;
    const char *only[] = {disagg};
    size_t ncombos = !strcmp (disagg, "*") ? rep_cube_disaggregations (ctx->cube, ind, &combos)
                                           : (combos = only, 1);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < ncombos; c++) {
            socin_agg_t a;
            socin_dec_t v;
            if (rep_cube_unit (ctx->cube, ind, units[i], period, combos[c], &a) ||
                (!a.n && !a.units))
                continue;
            Socin__V1__Row *row = s_row (units[i], NULL, ptext, combos[c]);
            row->values = a.n;
            row->units = a.units;
            if (socin_agg_value (&a, ind->aggregation, &v) == 0) row->value = s_dec_text (v);
            s_add_row (t, row);
        }
    free (units);
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_TABLE;
    reply->table = t;
}

/* The data set and period asked about, and the unit under which: false when refused. */
static bool
s_completeness_scope (const rep_query_ctx_t *ctx, const Socin__V1__CompletenessQuery *q,
                      Socin__V1__ReportReply *reply, const socin_dataset_t **ds,
                      socin_period_t *period, const socin_unit_t **root)
{
    char why[256];
    *ds = socin_model_dataset (ctx->model, q->dataset);
    if (!*ds)
        return s_fail (reply, SOCIN_E (NOT_FOUND), "data set '%s' is not in the catalogue",
                       q->dataset),
               false;
    if (socin_period_parse (q->period, period, why, sizeof why))
        return s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "period %s", why), false;
    if (period->type != (*ds)->period_type)
        return s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "data set %s is reported %s; %s is %s",
                       (*ds)->code, socin_period_type_name ((*ds)->period_type), q->period,
                       socin_period_type_name (period->type)),
               false;
    *root = socin_model_unit (ctx->model, *q->under ? q->under : "CZ");
    if (!*root)
        return s_fail (reply, SOCIN_E (NOT_FOUND), "unit '%s' is not in the registry", q->under),
               false;
    return true;
}

/* The answer's head: data set, period, due day and the last day on time. */
static Socin__V1__Completeness *
s_completeness_new (const socin_dataset_t *ds, socin_period_t period)
{
    char ptext[SOCIN_PERIOD_STRLEN], day[SOCIN_DATE_STRLEN];
    int32_t end = socin_period_end (period);
    Socin__V1__Completeness *c = socin_calloc (1, sizeof *c);
    socin__v1__completeness__init (c);
    socin_period_format (period, ptext, sizeof ptext);
    c->dataset = socin_strdup (ds->code);
    c->period = socin_strdup (ptext);
    socin_date_format (end + (int32_t)ds->pb->deadline_days, day, sizeof day);
    c->due = socin_strdup (day);
    socin_date_format (end + (int32_t)ds->pb->timely_days, day, sizeof day);
    c->timely_until = socin_strdup (day);
    return c;
}

/* The rows: units at the level under ROOT, or ROOT alone; ROW_OF maps a unit id to its row. */
static void
s_completeness_rows (const rep_query_ctx_t *ctx, const Socin__V1__CompletenessQuery *q,
                     const socin_unit_t *root, socin_period_t period, Socin__V1__Completeness *c,
                     int32_t *row_of)
{
    const socin_unit_t **units;
    size_t nrows;
    if (q->level)
        nrows = s_units_at (ctx->model, q->level, root, NULL, period, &units);
    else {
        units = socin_calloc (1, sizeof *units);
        units[0] = root;
        nrows = 1;
    }
    c->rows = socin_calloc (nrows + 1, sizeof *c->rows);
    for (size_t i = 0; i < nrows; i++) {
        Socin__V1__CompletenessRow *r = socin_calloc (1, sizeof *r);
        socin__v1__completeness_row__init (r);
        r->unit = socin_strdup (units[i]->code);
        r->name = socin_strdup (units[i]->pb->name);
        r->level = units[i]->level;
        c->rows[c->n_rows++] = r;
        row_of[units[i]->id] = (int32_t)i;
    }
    free (units);
}

/* U is a member, on DAY, of one of the groups data set DS names. */
static bool
s_member_on (const socin_model_t *m, const socin_dataset_t *ds, const socin_unit_t *u, int32_t day)
{
    for (size_t g = 0; g < ds->ngroups; g++)
        if (socin_group_has_on (socin_model_group_at (m, ds->groups[g]), u->id, day)) return true;
    return false;
}

/* What the cube says of every unit for one data set and period (rep_cube_received_units). */
typedef struct {
    size_t nindicators;
    uint32_t *got; /* per unit id: indicators with a value */
    uint8_t *late; /* per unit id: one of them first received after the last day on time */
    bool list_missing;
} s_received_t;

/* Counts unit U into row R: expected, partial, complete, on time. */
static void
s_completeness_count (const s_received_t *rc, const socin_unit_t *u, Socin__V1__CompletenessRow *r)
{
    r->expected++;
    uint32_t got = rc->got[u->id];
    if (got) r->partial++;
    if (got == rc->nindicators) {
        r->complete++;
        if (!rc->late[u->id]) r->on_time++;
    }
    if (!got && rc->list_missing) socin_strv_push (&r->missing, &r->n_missing, u->code);
}

/* A data set of groups asked about as a whole: one row per group, labelled with it, counting
   the members it has on the period's territory day. */
static void
s_completeness_groups (const rep_query_ctx_t *ctx, const s_received_t *rc,
                       const socin_dataset_t *ds, socin_period_t period, Socin__V1__Completeness *c)
{
    const socin_model_t *m = ctx->model;
    int32_t start = socin_period_start (period), end = socin_period_end (period);
    int32_t day = socin_territory_day (period);
    c->rows = socin_calloc (ds->ngroups + 1, sizeof *c->rows);
    for (size_t g = 0; g < ds->ngroups; g++) {
        const socin_group_t *grp = socin_model_group_at (m, ds->groups[g]);
        Socin__V1__CompletenessRow *r = socin_calloc (1, sizeof *r);
        socin__v1__completeness_row__init (r);
        r->unit = socin_strdup (grp->code);
        r->name = socin_strdup (grp->pb->name);
        c->rows[c->n_rows++] = r;
        for (size_t k = 0; k < grp->nmembers; k++) {
            const socin_unit_t *u = socin_model_unit_at (m, grp->members[k]);
            if (socin_group_has_on (grp, u->id, day) && socin_unit_valid_during (u, start, end))
                s_completeness_count (rc, u, r);
        }
    }
}

static void
s_completeness (const rep_query_ctx_t *ctx, const Socin__V1__CompletenessQuery *q,
                Socin__V1__ReportReply *reply)
{
    const socin_model_t *m = ctx->model;
    const socin_dataset_t *ds;
    socin_period_t period;
    const socin_unit_t *root;
    if (!s_completeness_scope (ctx, q, reply, &ds, &period, &root)) return;
    int32_t start = socin_period_start (period), end = socin_period_end (period);
    int32_t timely = end + (int32_t)ds->pb->timely_days, day = socin_territory_day (period);
    Socin__V1__Completeness *c = s_completeness_new (ds, period);
    size_t total = socin_model_count (m, SOCIN_KIND_UNIT);
    /* Each indicator's slab is read once, in unit order, for every unit at once: far cheaper
       than a look-up per unit and indicator. */
    const socin_indicator_t **inds = socin_malloc ((ds->nindicators + 1) * sizeof *inds);
    for (size_t k = 0; k < ds->nindicators; k++)
        inds[k] = socin_model_indicator_at (m, ds->indicators[k]);
    s_received_t rc = {ds->nindicators, socin_malloc ((total + 1) * sizeof *rc.got),
                       socin_malloc (total + 1), q->list_missing};
    rep_cube_received_units (ctx->cube, inds, ds->nindicators, period, timely, total, rc.got,
                             rc.late);
    free (inds);
    int32_t *row_of = socin_malloc ((total + 1) * sizeof *row_of);
    for (size_t i = 0; i <= total; i++)
        row_of[i] = -1;
    bool by_group = ds->ngroups && !q->level && !*q->under;
    if (by_group)
        s_completeness_groups (ctx, &rc, ds, period, c);
    else
        s_completeness_rows (ctx, q, root, period, c, row_of);
    /* Approval state: how many expected units are approved at each step (marks.h), read in one
       pass over the data set's states for the period. */
    const rep_marks_dbs_t *marks = &rep_apply_dbs (ctx->apply)->marks;
    uint8_t *step = socin_malloc (total + 1);
    MDB_txn *txn = NULL;
    if (by_group || socin_store_read_begin (marks->store, &txn)) txn = NULL;
    if (txn) {
        rep_marks_steps (marks, txn, m, ds->code, c->period, total, step);
        mdb_txn_abort (txn);
    } else
        memset (step, 0, total + 1);
    for (uint32_t id = 1; id <= total && !by_group; id++) {
        const socin_unit_t *u = socin_model_unit_at (m, id);
        if (!socin_unit_under_on (m, u, root->id, day) ||
            !socin_unit_valid_during (u, start, end) || !socin_dataset_includes (m, ds, u) ||
            (ds->ngroups && !s_member_on (m, ds, u, day)))
            continue;
        int32_t row = row_of[id];
        uint32_t anc[SOCIN_MAX_ANCESTORS];
        int na = socin_unit_ancestors_on (m, u, day, anc);
        for (int a = 0; a < na && row < 0; a++)
            row = row_of[anc[a]];
        if (row < 0) continue;
        s_completeness_count (&rc, u, c->rows[row]);
        c->rows[row]->approved_municipality += step[id] >= 1;
        c->rows[row]->approved_region += step[id] >= 2;
        c->rows[row]->approved_centre += step[id] >= 3;
    }
    /* Missing codes in code order, whatever order the replica learnt the units in. */
    for (size_t i = 0; i < c->n_rows; i++)
        if (c->rows[i]->n_missing)
            qsort (c->rows[i]->missing, c->rows[i]->n_missing, sizeof (char *), s_cmp_text);
    free (step);
    free (rc.got);
    free (rc.late);
    free (row_of);
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_COMPLETENESS;
    reply->completeness = c;
}

/* The units that qualify for value target T as of AS_OF into *UNITS (malloc'ed); their count.
   A unit qualifies when its figure for some year of the window reaches min_value. */
static size_t
s_value_qualifying (const rep_query_ctx_t *ctx, const socin_target_t *t, int32_t as_of,
                    uint32_t **units)
{
    const socin_model_t *m = ctx->model;
    const socin_indicator_t *ind = socin_model_indicator (m, t->pb->value->indicator);
    char why[256];
    socin_dec_t min = 0;
    socin_dec_parse (t->pb->value->min_value, strlen (t->pb->value->min_value), &min, why,
                     sizeof why);
    int y0, y1, mo, d;
    socin_date_to_ymd (t->window_from == SOCIN_DAY_MIN ? as_of : t->window_from, &y0, &mo, &d);
    socin_date_to_ymd (t->window_to < as_of ? t->window_to : as_of, &y1, &mo, &d);
    size_t total = socin_model_count (m, SOCIN_KIND_UNIT), count = 0;
    for (uint32_t uid = 1; ind && uid <= total; uid++) {
        const socin_unit_t *u = socin_model_unit_at (m, uid);
        if ((int)u->level != (int)t->pb->level) continue;
        bool ok = false;
        for (int y = y0; y <= y1 && !ok; y++) {
            socin_period_t p = {SOCIN_PERIOD_YEAR, (uint16_t)y, 1};
            socin_agg_t a;
            socin_dec_t v;
            if (rep_cube_unit (ctx->cube, ind, u, p, "", &a) == 0 &&
                socin_agg_value (&a, ind->aggregation, &v) == 0 && v >= min)
                ok = true;
        }
        if (!ok) continue;
        *units = socin_realloc (*units, (count + 1) * sizeof **units);
        (*units)[count++] = uid;
    }
    return count;
}

static void
s_targets (const rep_query_ctx_t *ctx, const Socin__V1__TargetProgressQuery *q,
           Socin__V1__ReportReply *reply)
{
    const socin_model_t *m = ctx->model;
    int32_t as_of = ctx->today;
    char why[256];
    if (*q->as_of && socin_date_parse (q->as_of, &as_of, why, sizeof why)) {
        s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "as_of %s", why);
        return;
    }
    if (*q->code && !socin_model_target (m, q->code)) {
        s_fail (reply, SOCIN_E (NOT_FOUND), "target '%s' is not in the catalogue", q->code);
        return;
    }
    Socin__V1__Targets *out = socin_calloc (1, sizeof *out);
    socin__v1__targets__init (out);
    size_t n = socin_model_count (m, SOCIN_KIND_TARGET);
    out->targets = socin_calloc (n + 1, sizeof *out->targets);
    for (uint32_t id = 1; id <= n; id++) {
        const socin_target_t *t = socin_model_target_at (m, id);
        if (*q->code && strcmp (t->code, q->code)) continue;
        uint32_t *units = NULL;
        size_t count = 0;
        if (t->pb->rule_case == SOCIN__V1__TARGET__RULE_EVENTS)
            count = rep_events_qualifying (ctx->events, m, t, as_of, &units);
        else if (t->pb->rule_case == SOCIN__V1__TARGET__RULE_VALUE)
            count = s_value_qualifying (ctx, t, as_of, &units);
        Socin__V1__TargetProgress *tp = socin_calloc (1, sizeof *tp);
        socin__v1__target_progress__init (tp);
        tp->code = socin_strdup (t->code);
        tp->name = socin_strdup (t->pb->name);
        tp->commitment = socin_strdup (t->pb->commitment);
        tp->threshold = t->pb->threshold;
        tp->deadline = socin_strdup (t->pb->deadline);
        tp->window_from = socin_strdup (t->pb->window_from);
        tp->window_to = socin_strdup (t->pb->window_to);
        tp->current = (uint32_t)count;
        tp->met = count >= t->pb->threshold;
        if (q->list_units) {
            const socin_unit_t **list = socin_calloc (count + 1, sizeof *list);
            for (size_t i = 0; i < count; i++)
                list[i] = socin_model_unit_at (m, units[i]);
            qsort (list, count, sizeof *list, s_cmp_unit);
            for (size_t i = 0; i < count; i++) {
                socin_strv_push (&tp->units, &tp->n_units, list[i]->code);
                socin_strv_push (&tp->unit_names, &tp->n_unit_names, list[i]->pb->name);
            }
            free (list);
        }
        free (units);
        out->targets[out->n_targets++] = tp;
    }
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_TARGETS;
    reply->targets = out;
}

/* ---- the history of one value: apply.h has the layout ---- */

/* The packed ChangeBatch SEQ of SOURCE in BV (who sent it, and when): false when absent. */
static bool
s_history_batch (const rep_apply_dbs_t *dbs, MDB_txn *txn, const char *source, uint64_t seq,
                 MDB_val *bv)
{
    char bkey[REP_APPLY_BATCH_KEY_MAX];
    MDB_val bk = {rep_apply_batch_key (source, seq, bkey), bkey};
    return mdb_get (txn, dbs->batches, &bk, bv) == 0;
}

/* Adds the change under history key K (value key of KEYLEN bytes, 0xFF, be64 ms, source,
   NUL, be64 seq) with record V to OUT. False when K or V is not one. */
static bool
s_history_entry (const rep_apply_dbs_t *dbs, MDB_txn *txn, size_t keylen, const MDB_val *k,
                 const MDB_val *v, Socin__V1__ValueHistory *out)
{
    socin_value_state_t change;
    if (k->mv_size < keylen + 1 + 8 + 1 + 8 ||
        !socin_value_state_unpack (SOCIN_VALUE_CHANGE, v->mv_data, v->mv_size, &change))
        return false;
    const unsigned char *hk = (const unsigned char *)k->mv_data + keylen + 1;
    size_t slen = k->mv_size - keylen - 1 - 8 - 1 - 8;
    char source[128];
    snprintf (source, sizeof source, "%.*s", (int)slen, (const char *)hk + 8);
    change.ms = (int64_t)socin_be64_get (hk);
    change.seq = socin_be64_get (hk + 8 + slen + 1);
    MDB_val bv;
    bool found = s_history_batch (dbs, txn, source, change.seq, &bv);
    socin_value_history_add (out, &change, (const char *)hk + 8, slen, found ? bv.mv_data : NULL,
                             found ? bv.mv_size : 0);
    return true;
}

/* The history of value KEY (KEYLEN bytes), oldest first, and its current value into OUT. The
   history holds the replaced changes; the current one is in its record (an older store's
   history holds it too). */
int
rep_query_history (rep_apply_t *apply, const char *key, size_t keylen, Socin__V1__ValueHistory *out)
{
    const rep_apply_dbs_t *dbs = rep_apply_dbs (apply);
    MDB_txn *txn;
    char prefix[SOCIN_VALUE_KEY_MAX + 1];
    if (keylen + 1 > sizeof prefix || socin_store_read_begin (dbs->store, &txn)) return -1;
    memcpy (prefix, key, keylen);
    prefix[keylen] = (char)0xFF;
    MDB_cursor *cur;
    mdb_cursor_open (txn, dbs->history, &cur);
    MDB_val k = {keylen + 1, prefix}, v;
    int rc = mdb_cursor_get (cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size >= keylen + 1 && !memcmp (k.mv_data, prefix, keylen + 1) &&
           s_history_entry (dbs, txn, keylen, &k, &v, out))
        rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT);
    mdb_cursor_close (cur);
    MDB_val ck = {keylen, (void *)key};
    socin_value_state_t now;
    socin_chunks_t *h = socin_chunks_open (txn, dbs->values, &rc);
    if (h && socin_chunks_get (h, &ck, &v, MDB_SET_KEY) == 0 &&
        socin_value_state_unpack (SOCIN_VALUE_VERSION, v.mv_data, v.mv_size, &now)) {
        if (!now.logged) {
            socin_value_state_t change = socin_value_change_of (&now);
            char source[128];
            snprintf (source, sizeof source, "%.*s", (int)now.text_len, now.text);
            MDB_val bv;
            bool found = s_history_batch (dbs, txn, source, now.seq, &bv);
            socin_value_history_add (out, &change, now.text, now.text_len,
                                     found ? bv.mv_data : NULL, found ? bv.mv_size : 0);
        }
        if (!now.deleted) out->current = s_dec_text (now.value);
    }
    socin_chunks_close (&h, true); /* it only reads */
    mdb_txn_abort (txn);
    return 0;
}

static void
s_history (const rep_query_ctx_t *ctx, const Socin__V1__HistoryQuery *q,
           Socin__V1__ReportReply *reply)
{
    const socin_model_t *m = ctx->model;
    const socin_indicator_t *ind = socin_model_indicator (m, q->indicator);
    char why[256], disagg[256], ptext[SOCIN_PERIOD_STRLEN];
    socin_period_t period;
    if (!ind) {
        s_fail (reply, SOCIN_E (NOT_FOUND), "indicator '%s' is not in the catalogue", q->indicator);
        return;
    }
    if (socin_period_parse (q->period, &period, why, sizeof why)) {
        s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "period %s", why);
        return;
    }
    if (socin_model_disaggregation (m, ind, q->disaggregation, disagg, sizeof disagg, why,
                                    sizeof why)) {
        s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "disaggregation %s", why);
        return;
    }
    socin_period_format (period, ptext, sizeof ptext);
    char key[SOCIN_VALUE_KEY_MAX];
    size_t keylen = socin_value_key (ind->code, q->unit, ptext, disagg, key);
    if (!keylen) {
        s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "the key is too long");
        return;
    }
    Socin__V1__ValueHistory *h = socin_calloc (1, sizeof *h);
    socin__v1__value_history__init (h);
    rep_query_history (ctx->apply, key, keylen, h);
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_HISTORY;
    reply->history = h;
}

Socin__V1__ReportReply *
rep_query_reply_new (const rep_query_ctx_t *ctx, const char *request_id)
{
    Socin__V1__ReportReply *reply = socin_calloc (1, sizeof *reply);
    socin__v1__report_reply__init (reply);
    reply->request_id = socin_strdup (socin_wire_id_echo (request_id));
    Socin__V1__Stamp *stamp = socin_calloc (1, sizeof *stamp);
    socin__v1__stamp__init (stamp);
    stamp->registry_seq = ctx->registry_seq;
    rep_apply_stamp (ctx->apply, stamp);
    reply->stamp = stamp;
    return reply;
}

Socin__V1__ReportReply *
rep_query_answer (const rep_query_ctx_t *ctx, const Socin__V1__ReportRequest *req)
{
    Socin__V1__ReportReply *reply = rep_query_reply_new (ctx, req->request_id);
    char why[256], field[64];
    if (socin_wire_request_check (&req->base, field, sizeof field, why, sizeof why)) {
        s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "%s", why);
        reply->error->field = socin_strdup (field);
        return reply;
    }
    switch (req->body_case) {
    case SOCIN__V1__REPORT_REQUEST__BODY_VALUES:
        s_values (ctx, req->values, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP:
        s_rollup (ctx, req->rollup, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS:
        s_completeness (ctx, req->completeness, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_PARTICIPATION: {
        Socin__V1__Participation *p = socin_calloc (1, sizeof *p);
        socin__v1__participation__init (p);
        if (rep_events_participation (ctx->events, ctx->model, req->participation, p, why,
                                      sizeof why)) {
            protobuf_c_message_free_unpacked (&p->base, NULL);
            s_fail (reply, SOCIN_E (INVALID_ARGUMENT), "%s", why);
            break;
        }
        reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_PARTICIPATION;
        reply->participation = p;
        break;
    }
    case SOCIN__V1__REPORT_REQUEST__BODY_TARGETS:
        s_targets (ctx, req->targets, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_HISTORY:
        s_history (ctx, req->history, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_PLANS: {
        Socin__V1__PlanFulfilment *p = socin_calloc (1, sizeof *p);
        socin__v1__plan_fulfilment__init (p);
        int code = rep_plans_answer (ctx->model, rep_apply_dbs (ctx->apply), ctx->today, req->plans,
                                     p, why, sizeof why);
        if (code) {
            protobuf_c_message_free_unpacked (&p->base, NULL);
            s_fail (reply, code, "%s", why);
            break;
        }
        reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_PLANS;
        reply->plans = p;
        break;
    }
    case SOCIN__V1__REPORT_REQUEST__BODY_SOURCES:
        reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_SOURCES;
        reply->sources = true;
        break;
    default:
        s_fail (reply, SOCIN_E (UNSUPPORTED), "the request has no body this service knows");
        break;
    }
    return reply;
}
