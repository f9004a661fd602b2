/*  plans: the plans file read into plan records. See plans.h and docs/plans.md. */
#include "plans.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"
#include "json.h"
#include "mem.h"
#include "plan.h"
#include "str.h"

#define S_CODE_MAX 64
#define S_TEXT_MAX 1000

/* A measure being read: its message, its budget by source, the line it began on. */
typedef struct {
    Socin__V1__Measure *pb;
    socin_dec_t budget[SOCIN_FUNDING_COUNT + 1];
    size_t line;
} s_measure_t;

typedef struct {
    const socin_model_t *model;
    char *err;
    size_t errlen;
    Socin__V1__Plan **plans;
    size_t *lines; /* the line each plan began on */
    size_t n, cap;
} s_ctx_t;

/* Sets the error "line L, field F: ..." and returns -1. */
static int s_fail (s_ctx_t *ctx, size_t line, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_fail (s_ctx_t *ctx, size_t line, const char *field, const char *fmt, ...)
{
    char text[600];
    va_list args;
    va_start (args, fmt);
    socin_error_vformat (text, sizeof text, fmt, args);
    va_end (args);
    return socin_error_set (ctx->err, ctx->errlen, "line %zu, field %s: %s", line, field, text);
}

static bool
s_code_ok (const char *code)
{
    size_t n = strlen (code);
    if (n == 0 || n > S_CODE_MAX) return false;
    for (const char *c = code; *c; c++)
        if (!isalnum ((unsigned char)*c) && !strchr ("._:/-", *c)) return false;
    return true;
}

/* TEXT as a date into *DAY ("" allowed when OPTIONAL). */
static int
s_date (s_ctx_t *ctx, size_t line, const char *field, const char *text, int32_t *day)
{
    char why[200];
    if (socin_date_parse (text, day, why, sizeof why))
        return s_fail (ctx, line, field, "'%s' %s (YYYY-MM-DD)", text, why);
    return 0;
}

/* TEXT as an amount of at least 0 into *OUT. */
static int
s_amount (s_ctx_t *ctx, size_t line, const char *field, const char *text, socin_dec_t *out)
{
    char why[200], q[SOCIN_QUOTE_SIZE];
    socin_error_quote (text, strlen (text), q);
    if (socin_dec_parse (text, strlen (text), out, why, sizeof why))
        return s_fail (ctx, line, field, "%s %s", q, why);
    if (*out < 0) return s_fail (ctx, line, field, "%s is negative; amounts are at least 0", q);
    return 0;
}

static void
s_set (char **slot, const char *text)
{
    *slot = socin_strdup (text);
}

/* ---- fields of a plan ---- */

static int
s_plan_area (s_ctx_t *ctx, Socin__V1__Plan *plan, const char *area, size_t line)
{
    if (!socin_policy_area_known (ctx->model, area))
        return s_fail (ctx, line, "areas",
                       "'%s' is not a policy area (the EU key areas %s, or an area of the "
                       "catalogue's indicators)",
                       area, socin_policy_area_eu_names ());
    for (size_t i = 0; i < plan->n_policy_areas; i++)
        if (!strcmp (plan->policy_areas[i], area))
            return s_fail (ctx, line, "areas", "'%s' is given twice", area);
    socin_strv_push (&plan->policy_areas, &plan->n_policy_areas, area);
    return 0;
}

/* Areas separated by commas or semicolons. */
static int
s_plan_areas (s_ctx_t *ctx, Socin__V1__Plan *plan, const char *text, size_t line)
{
    char *copy = socin_strdup (text), *save = NULL;
    int rc = 0;
    for (char *a = strtok_r (copy, ",;", &save); a && !rc; a = strtok_r (NULL, ",;", &save)) {
        while (isspace ((unsigned char)*a))
            a++;
        char *e = a + strlen (a);
        while (e > a && isspace ((unsigned char)e[-1]))
            *--e = 0;
        if (*a) rc = s_plan_area (ctx, plan, a, line);
    }
    free (copy);
    return rc;
}

static int
s_bool (s_ctx_t *ctx, size_t line, const char *field, const char *text, protobuf_c_boolean *out)
{
    static const char *yes[] = {"true", "yes", "1", "t", "y"},
                      *no[] = {"false", "no", "0", "f", "n", ""};
    for (size_t i = 0; i < 5; i++)
        if (!strcasecmp (text, yes[i])) return *out = 1, 0;
    for (size_t i = 0; i < 6; i++)
        if (!strcasecmp (text, no[i])) return *out = 0, 0;
    return s_fail (ctx, line, field, "'%s' is not true or false", text);
}

/* One plan field by its name (the code excepted); 1 when KEY is not a plan field. */
static int
s_plan_field (s_ctx_t *ctx, Socin__V1__Plan *plan, const char *key, const char *text, size_t line)
{
    int32_t day;
    if (!strcmp (key, "kind")) {
        if (!(plan->kind = socin_plan_kind_parse (text)))
            return s_fail (ctx, line, key, "'%s' is not a plan kind (%s)", text,
                           socin_plan_kind_names ());
    } else if (!strcmp (key, "name")) {
        s_set (&plan->name, text);
    } else if (!strcmp (key, "owner")) {
        if (!socin_model_unit (ctx->model, text) && !socin_model_group (ctx->model, text))
            return s_fail (ctx, line, key, "'%s' is neither a unit nor a group in the registry",
                           text);
        s_set (&plan->owner, text);
    } else if (!strcmp (key, "valid_from") || !strcmp (key, "valid_to")) {
        if (s_date (ctx, line, key, text, &day)) return -1;
        s_set (key[6] == 'f' ? &plan->valid_from : &plan->valid_to, text);
    } else if (!strcmp (key, "areas")) {
        return s_plan_areas (ctx, plan, text, line);
    } else if (!strcmp (key, "participative")) {
        return s_bool (ctx, line, key, text, &plan->participative);
    } else if (!strcmp (key, "lock_days")) {
        char *end;
        long v = strtol (text, &end, 10);
        if (!*text || *end || v < 0 || v > 100000)
            return s_fail (ctx, line, key, "'%s' is not a number of days (0 to 100000)", text);
        plan->lock_days = (uint32_t)v;
    } else
        return 1;
    return 0;
}

/* ---- fields of a measure ---- */

static int
s_target_group_ok (s_ctx_t *ctx, const char *text)
{
    const socin_dimension_t *dim = socin_model_dimension (ctx->model, "target_group");
    if (!*text || !dim) return 1;
    for (size_t o = 0; o < dim->pb->n_options; o++)
        if (!strcmp (dim->pb->options[o]->code, text)) return 1;
    return 0;
}

/* One measure field by its name (the code excepted); 1 when KEY is not a measure field. */
static int
s_measure_field (s_ctx_t *ctx, s_measure_t *m, const char *key, const char *text, size_t line)
{
    Socin__V1__Measure *pb = m->pb;
    int32_t day;
    if (!strncmp (key, "budget_", 7)) {
        int src = socin_funding_parse (key + 7);
        if (!src) return 1;
        return *text ? s_amount (ctx, line, key, text, &m->budget[src]) : 0;
    }
    if (strlen (text) > S_TEXT_MAX)
        return s_fail (ctx, line, key, "longer than %d bytes", S_TEXT_MAX);
    if (!strcmp (key, "title")) {
        s_set (&pb->title, text);
    } else if (!strcmp (key, "area")) {
        if (!socin_policy_area_known (ctx->model, text))
            return s_fail (ctx, line, key,
                           "'%s' is not a policy area (the EU key areas %s, or "
                           "an area of the catalogue's indicators)",
                           text, socin_policy_area_eu_names ());
        s_set (&pb->policy_area, text);
    } else if (!strcmp (key, "target_group")) {
        if (!s_target_group_ok (ctx, text))
            return s_fail (ctx, line, key, "'%s' is not an option of dimension target_group", text);
        s_set (&pb->target_group, text);
    } else if (!strcmp (key, "responsible")) {
        s_set (&pb->responsible, text);
    } else if (!strcmp (key, "start") || !strcmp (key, "end")) {
        if (s_date (ctx, line, key, text, &day)) return -1;
        s_set (key[0] == 's' ? &pb->start : &pb->end, text);
    } else if (!strcmp (key, "output_indicator")) {
        s_set (&pb->output_indicator, text);
    } else if (!strcmp (key, "output_target")) {
        socin_dec_t v;
        if (*text && s_amount (ctx, line, key, text, &v)) return -1;
        s_set (&pb->output_target, text);
    } else
        return 1;
    return 0;
}

static void
s_measure_begin (s_measure_t *m, size_t line)
{
    memset (m, 0, sizeof *m);
    m->pb = socin_malloc (sizeof *m->pb);
    socin__v1__measure__init (m->pb);
    m->line = line;
}

/* Checks a read measure and adds it to PLAN (which owns it then); on failure frees it. */
static int
s_measure_end (s_ctx_t *ctx, Socin__V1__Plan *plan, s_measure_t *m)
{
    Socin__V1__Measure *pb = m->pb;
    int rc = 0;
    int32_t start, end;
    if (!s_code_ok (pb->code))
        rc = s_fail (ctx, m->line, "measure",
                     "'%s' is not a code of 1 to 64 letters, digits "
                     "and ._:/-",
                     pb->code);
    else if (socin_plan_measure (&(socin_plan_t){.pb = plan}, pb->code))
        rc = s_fail (ctx, m->line, "measure", "plan %s already has a measure %s", plan->code,
                     pb->code);
    else if (!*pb->title || !*pb->policy_area || !*pb->start || !*pb->end)
        rc = s_fail (ctx, m->line,
                     !*pb->title         ? "title"
                     : !*pb->policy_area ? "area"
                     : !*pb->start       ? "start"
                                         : "end",
                     "measure %s needs a title, an area, a start and an end", pb->code);
    else if ((start = socin_day_or (pb->start, 0)) > (end = socin_day_or (pb->end, 0)))
        rc = s_fail (ctx, m->line, "end", "%s is before the start %s", pb->end, pb->start);
    else if (*pb->output_target && !*pb->output_indicator)
        rc = s_fail (ctx, m->line, "output_indicator", "an output target needs its indicator");
    if (rc) {
        protobuf_c_message_free_unpacked (&pb->base, NULL);
        return -1;
    }
    pb->budget = socin_funding_list (m->budget, &pb->n_budget);
    plan->measures =
        socin_realloc (plan->measures, (plan->n_measures + 1) * sizeof *plan->measures);
    plan->measures[plan->n_measures++] = pb;
    return 0;
}

/* ---- plans ---- */

static Socin__V1__Plan *
s_plan_new (const char *code)
{
    Socin__V1__Plan *plan = socin_malloc (sizeof *plan);
    socin__v1__plan__init (plan);
    plan->code = socin_strdup (code);
    return plan;
}

static Socin__V1__Plan *
s_plan_find (s_ctx_t *ctx, const char *code)
{
    for (size_t i = 0; i < ctx->n; i++)
        if (!strcmp (ctx->plans[i]->code, code)) return ctx->plans[i];
    return NULL;
}

static void
s_plan_add (s_ctx_t *ctx, Socin__V1__Plan *plan, size_t line)
{
    if (ctx->n == ctx->cap) {
        ctx->cap = ctx->cap ? ctx->cap * 2 : 32;
        ctx->plans = socin_realloc (ctx->plans, ctx->cap * sizeof *ctx->plans);
        ctx->lines = socin_realloc (ctx->lines, ctx->cap * sizeof *ctx->lines);
    }
    ctx->lines[ctx->n] = line;
    ctx->plans[ctx->n++] = plan;
}

/* A plan's own fields are complete and consistent. */
static int
s_plan_check (s_ctx_t *ctx, const Socin__V1__Plan *plan, size_t line)
{
    const char *missing = !plan->kind             ? "kind"
                          : !*plan->name          ? "name"
                          : !*plan->owner         ? "owner"
                          : !*plan->valid_from    ? "valid_from"
                          : !*plan->valid_to      ? "valid_to"
                          : !plan->n_policy_areas ? "areas"
                                                  : NULL;
    if (missing) return s_fail (ctx, line, missing, "plan %s has no %s", plan->code, missing);
    if (socin_day_or (plan->valid_from, 0) > socin_day_or (plan->valid_to, 0))
        return s_fail (ctx, line, "valid_to", "%s is before valid_from %s", plan->valid_to,
                       plan->valid_from);
    return 0;
}

/* The plans read, as records (the array of plans is freed). */
static socin_record_t **
s_records (s_ctx_t *ctx)
{
    socin_record_t **recs = socin_calloc (ctx->n ? ctx->n : 1, sizeof *recs);
    for (size_t i = 0; i < ctx->n; i++) {
        recs[i] = socin_malloc (sizeof *recs[i]);
        socin__v1__record__init (recs[i]);
        recs[i]->kind_case = SOCIN__V1__RECORD__KIND_PLAN;
        recs[i]->plan = ctx->plans[i];
    }
    free (ctx->plans);
    free (ctx->lines);
    return recs;
}

static void
s_free_plans (s_ctx_t *ctx)
{
    for (size_t i = 0; i < ctx->n; i++)
        protobuf_c_message_free_unpacked (&ctx->plans[i]->base, NULL);
    free (ctx->plans);
    free (ctx->lines);
}

/* ---- CSV ---- */

static const char *s_plan_columns[] = {"kind",     "name",  "owner",         "valid_from",
                                       "valid_to", "areas", "participative", "lock_days"};

/* True when A and B have the same plan fields (measures aside). */
static bool
s_same_plan_fields (Socin__V1__Plan *a, Socin__V1__Plan *b)
{
    size_t na = a->n_measures, nb = b->n_measures;
    a->n_measures = b->n_measures = 0;
    size_t la = protobuf_c_message_get_packed_size (&a->base);
    size_t lb = protobuf_c_message_get_packed_size (&b->base);
    bool same = la == lb;
    if (same) {
        uint8_t *pa = socin_malloc (la + 1), *pbuf = socin_malloc (lb + 1);
        protobuf_c_message_pack (&a->base, pa);
        protobuf_c_message_pack (&b->base, pbuf);
        same = !memcmp (pa, pbuf, la);
        free (pa);
        free (pbuf);
    }
    a->n_measures = na;
    b->n_measures = nb;
    return same;
}

static const char *s_measure_columns[] = {"title", "area", "target_group",     "responsible",
                                          "start", "end",  "output_indicator", "output_target"};

/* NAME is a column of a plans file. */
static bool
s_column_known (const char *name)
{
    if (!strcmp (name, "plan") || !strcmp (name, "measure")) return true;
    if (!strncmp (name, "budget_", 7)) return socin_funding_parse (name + 7) != 0;
    for (size_t c = 0; c < sizeof s_plan_columns / sizeof s_plan_columns[0]; c++)
        if (!strcmp (name, s_plan_columns[c])) return true;
    for (size_t c = 0; c < sizeof s_measure_columns / sizeof s_measure_columns[0]; c++)
        if (!strcmp (name, s_measure_columns[c])) return true;
    return false;
}

typedef struct {
    char *names[SOCIN_CSV_MAX_FIELDS];
    size_t ncols;
    int plan_col, measure_col;
} s_header_t;

static int
s_csv_header (s_ctx_t *ctx, s_header_t *h, char **fields, size_t count, size_t line)
{
    memset (h, 0, sizeof *h);
    h->plan_col = h->measure_col = -1;
    h->ncols = count;
    for (size_t i = 0; i < count; i++) {
        const char *name = fields[i];
        h->names[i] = socin_strdup (name);
        if (!s_column_known (name))
            return s_fail (ctx, line, name, "not a column of a plans file (see docs/plans.md)");
        if (!strcmp (name, "plan"))
            h->plan_col = (int)i;
        else if (!strcmp (name, "measure"))
            h->measure_col = (int)i;
        for (size_t k = 0; k < i; k++)
            if (!strcmp (h->names[k], name))
                return s_fail (ctx, line, name, "the column is named twice");
    }
    if (h->plan_col < 0)
        return s_fail (ctx, line, "plan",
                       "the header row has no column 'plan' (see docs/plans.md)");
    return 0;
}

/* The plan fields of one row, as a new plan. */
static Socin__V1__Plan *
s_csv_plan (s_ctx_t *ctx, const s_header_t *h, char **fields, size_t line)
{
    Socin__V1__Plan *plan = s_plan_new (fields[h->plan_col]);
    for (size_t c = 0; c < sizeof s_plan_columns / sizeof s_plan_columns[0]; c++)
        for (size_t i = 0; i < h->ncols; i++)
            if (!strcmp (h->names[i], s_plan_columns[c]) &&
                s_plan_field (ctx, plan, h->names[i], fields[i], line) < 0) {
                protobuf_c_message_free_unpacked (&plan->base, NULL);
                return NULL;
            }
    return plan;
}

/* The measure of one row, added to PLAN (none when the measure column is empty). */
static int
s_csv_measure (s_ctx_t *ctx, const s_header_t *h, char **fields, size_t line, Socin__V1__Plan *plan)
{
    if (h->measure_col < 0 || !*fields[h->measure_col]) return 0;
    s_measure_t m;
    s_measure_begin (&m, line);
    s_set (&m.pb->code, fields[h->measure_col]);
    for (size_t i = 0; i < h->ncols; i++) {
        if ((int)i == h->plan_col || (int)i == h->measure_col) continue;
        bool plan_col = false;
        for (size_t c = 0; c < sizeof s_plan_columns / sizeof s_plan_columns[0]; c++)
            plan_col |= !strcmp (h->names[i], s_plan_columns[c]);
        if (plan_col) continue;
        if (s_measure_field (ctx, &m, h->names[i], fields[i], line)) {
            protobuf_c_message_free_unpacked (&m.pb->base, NULL);
            return -1;
        }
    }
    return s_measure_end (ctx, plan, &m);
}

static int
s_csv_row (s_ctx_t *ctx, const s_header_t *h, char **fields, size_t count, size_t line)
{
    if (count != h->ncols)
        return s_fail (ctx, line, "plan", "%zu columns where the header has %zu", count, h->ncols);
    const char *code = fields[h->plan_col];
    if (!s_code_ok (code))
        return s_fail (ctx, line, "plan",
                       "'%s' is not a code of 1 to 64 letters, digits and "
                       "._:/-",
                       code);
    Socin__V1__Plan *row = s_csv_plan (ctx, h, fields, line);
    if (!row) return -1;
    Socin__V1__Plan *plan = s_plan_find (ctx, code);
    if (plan && !s_same_plan_fields (plan, row)) {
        protobuf_c_message_free_unpacked (&row->base, NULL);
        return s_fail (ctx, line, "plan", "the plan columns of %s differ from its earlier rows",
                       code);
    }
    if (plan)
        protobuf_c_message_free_unpacked (&row->base, NULL);
    else {
        if (s_plan_check (ctx, row, line)) {
            protobuf_c_message_free_unpacked (&row->base, NULL);
            return -1;
        }
        s_plan_add (ctx, row, line);
        plan = row;
    }
    return s_csv_measure (ctx, h, fields, line, plan);
}

static int
s_read_csv (s_ctx_t *ctx, const char *data, size_t len)
{
    socin_csv_t *csv = socin_csv_new (data, len);
    s_header_t h;
    memset (&h, 0, sizeof h);
    char **fields, why[300];
    size_t count;
    int rc = 0, got;
    bool header = false;
    while (!rc && (got = socin_csv_next (csv, &fields, &count, why, sizeof why)) == 1) {
        size_t line = socin_csv_line (csv);
        if (!header) {
            rc = s_csv_header (ctx, &h, fields, count, line);
            header = true;
        } else
            rc = s_csv_row (ctx, &h, fields, count, line);
    }
    if (!rc && got < 0) rc = socin_error_set (ctx->err, ctx->errlen, "%s", why);
    if (!rc && !header) rc = socin_error_set (ctx->err, ctx->errlen, "the file is empty");
    for (size_t i = 0; i < h.ncols; i++)
        free (h.names[i]);
    socin_csv_destroy (&csv);
    return rc;
}

/* ---- JSON ---- */

/* Reads a scalar value into TEXT (numbers and strings as written, booleans as true/false). */
static int
s_json_scalar (s_ctx_t *ctx, socin_json_t *js, const char *key, char *text, size_t size)
{
    const char *t;
    size_t n;
    socin_json_token_t tok = socin_json_next (js, &t, &n);
    size_t line = socin_json_line (js);
    if (tok == SOCIN_JSON_STRING || tok == SOCIN_JSON_NUMBER) {
        if (n >= size || strlen (t) != n)
            return s_fail (ctx, line, key, "longer than %zu bytes or holds a NUL", size - 1);
        memcpy (text, t, n + 1);
        return 0;
    }
    if (tok == SOCIN_JSON_TRUE || tok == SOCIN_JSON_FALSE || tok == SOCIN_JSON_NULL) {
        snprintf (text, size, "%s",
                  tok == SOCIN_JSON_TRUE    ? "true"
                  : tok == SOCIN_JSON_FALSE ? "false"
                                            : "");
        return 0;
    }
    if (tok == SOCIN_JSON_ERROR)
        return socin_error_set (ctx->err, ctx->errlen, "%s", socin_json_error (js));
    return s_fail (ctx, line, key, "expected a string, number or boolean");
}

/* Expects TOKEN next. */
static int
s_json_expect (s_ctx_t *ctx, socin_json_t *js, socin_json_token_t want, const char *what,
               const char *field)
{
    socin_json_token_t tok = socin_json_next (js, NULL, NULL);
    if (tok == want) return 0;
    if (tok == SOCIN_JSON_ERROR)
        return socin_error_set (ctx->err, ctx->errlen, "%s", socin_json_error (js));
    return s_fail (ctx, socin_json_line (js), field, "expected %s", what);
}

/* The next member name of an object into KEY: 1, 0 at the object's end, -1 on error. */
static int
s_json_key (s_ctx_t *ctx, socin_json_t *js, char *key, size_t size)
{
    const char *t;
    size_t n;
    socin_json_token_t tok = socin_json_next (js, &t, &n);
    if (tok == SOCIN_JSON_OBJECT_END) return 0;
    if (tok == SOCIN_JSON_KEY) {
        snprintf (key, size, "%s", t);
        return 1;
    }
    if (tok == SOCIN_JSON_ERROR)
        return socin_error_set (ctx->err, ctx->errlen, "%s", socin_json_error (js));
    return s_fail (ctx, socin_json_line (js), "-", "expected a member name");
}

/* "budget": {"own": "1000", ...} */
static int
s_json_budget (s_ctx_t *ctx, socin_json_t *js, s_measure_t *m)
{
    if (s_json_expect (ctx, js, SOCIN_JSON_OBJECT, "an object of amounts by source", "budget"))
        return -1;
    char key[80], field[100], text[200];
    int more;
    while ((more = s_json_key (ctx, js, key, sizeof key)) == 1) {
        snprintf (field, sizeof field, "budget_%s", key);
        if (!socin_funding_parse (key))
            return s_fail (ctx, socin_json_line (js), "budget", "'%s' is not a funding source (%s)",
                           key, socin_funding_names ());
        if (s_json_scalar (ctx, js, field, text, sizeof text) ||
            s_measure_field (ctx, m, field, text, socin_json_line (js)))
            return -1;
    }
    return more;
}

static int
s_json_measure_members (s_ctx_t *ctx, socin_json_t *js, s_measure_t *m)
{
    char key[80], text[S_TEXT_MAX + 1];
    int more;
    while ((more = s_json_key (ctx, js, key, sizeof key)) == 1) {
        size_t line = socin_json_line (js);
        if (!strcmp (key, "budget")) {
            if (s_json_budget (ctx, js, m)) return -1;
            continue;
        }
        if (s_json_scalar (ctx, js, key, text, sizeof text)) return -1;
        if (!strcmp (key, "code")) {
            s_set (&m->pb->code, text);
            continue;
        }
        int rc = strncmp (key, "budget_", 7) ? s_measure_field (ctx, m, key, text, line) : 1;
        if (rc > 0) return s_fail (ctx, line, key, "not a member of a measure (see docs/plans.md)");
        if (rc) return -1;
    }
    return more;
}

static int
s_json_measures (s_ctx_t *ctx, socin_json_t *js, Socin__V1__Plan *plan)
{
    if (s_json_expect (ctx, js, SOCIN_JSON_ARRAY, "an array of measures", "measures")) return -1;
    for (;;) {
        socin_json_token_t tok = socin_json_next (js, NULL, NULL);
        if (tok == SOCIN_JSON_ARRAY_END) return 0;
        if (tok != SOCIN_JSON_OBJECT)
            return tok == SOCIN_JSON_ERROR
                       ? socin_error_set (ctx->err, ctx->errlen, "%s", socin_json_error (js))
                       : s_fail (ctx, socin_json_line (js), "measures",
                                 "expected a measure object");
        s_measure_t m;
        s_measure_begin (&m, socin_json_line (js));
        if (s_json_measure_members (ctx, js, &m)) {
            protobuf_c_message_free_unpacked (&m.pb->base, NULL);
            return -1;
        }
        if (s_measure_end (ctx, plan, &m)) return -1;
    }
}

/* "areas": ["employment", ...] or "employment, housing" */
static int
s_json_areas (s_ctx_t *ctx, socin_json_t *js, Socin__V1__Plan *plan)
{
    const char *t;
    size_t n;
    socin_json_token_t tok = socin_json_next (js, &t, &n);
    if (tok == SOCIN_JSON_STRING) return s_plan_areas (ctx, plan, t, socin_json_line (js));
    if (tok != SOCIN_JSON_ARRAY)
        return s_fail (ctx, socin_json_line (js), "areas", "expected an array of policy areas");
    while ((tok = socin_json_next (js, &t, &n)) == SOCIN_JSON_STRING)
        if (s_plan_area (ctx, plan, t, socin_json_line (js))) return -1;
    if (tok == SOCIN_JSON_ARRAY_END) return 0;
    return s_fail (ctx, socin_json_line (js), "areas", "expected a policy area as a string");
}

static int
s_json_plan_members (s_ctx_t *ctx, socin_json_t *js, Socin__V1__Plan *plan)
{
    char key[80], text[S_TEXT_MAX + 1];
    int more;
    while ((more = s_json_key (ctx, js, key, sizeof key)) == 1) {
        size_t line = socin_json_line (js);
        if (!strcmp (key, "measures")) {
            if (s_json_measures (ctx, js, plan)) return -1;
            continue;
        }
        if (!strcmp (key, "areas")) {
            if (s_json_areas (ctx, js, plan)) return -1;
            continue;
        }
        if (s_json_scalar (ctx, js, key, text, sizeof text)) return -1;
        if (!strcmp (key, "code")) {
            if (!s_code_ok (text))
                return s_fail (ctx, line, "code",
                               "'%s' is not a code of 1 to 64 letters, digits "
                               "and ._:/-",
                               text);
            if (s_plan_find (ctx, text))
                return s_fail (ctx, line, "code", "plan %s is given twice", text);
            free (plan->code);
            plan->code = socin_strdup (text);
            continue;
        }
        int rc = s_plan_field (ctx, plan, key, text, line);
        if (rc > 0) return s_fail (ctx, line, key, "not a member of a plan (see docs/plans.md)");
        if (rc) return -1;
    }
    return more;
}

static int
s_read_json (s_ctx_t *ctx, const char *data, size_t len)
{
    socin_json_t *js = socin_json_new (data, len);
    char key[80];
    int rc = s_json_expect (ctx, js, SOCIN_JSON_OBJECT, "an object {\"plans\": [...]}", "-");
    if (!rc && (rc = s_json_key (ctx, js, key, sizeof key)) == 1 && strcmp (key, "plans"))
        rc = s_fail (ctx, socin_json_line (js), key, "the file holds one member, \"plans\"");
    else if (rc == 0)
        rc = s_fail (ctx, socin_json_line (js), "plans", "the file holds no \"plans\"");
    else if (rc == 1)
        rc = s_json_expect (ctx, js, SOCIN_JSON_ARRAY, "an array of plans", "plans");
    socin_json_token_t tok = SOCIN_JSON_END;
    while (!rc && (tok = socin_json_next (js, NULL, NULL)) == SOCIN_JSON_OBJECT) {
        size_t line = socin_json_line (js);
        Socin__V1__Plan *plan = s_plan_new ("");
        if (s_json_plan_members (ctx, js, plan) ||
            (!*plan->code && s_fail (ctx, line, "code", "the plan has no code")) ||
            s_plan_check (ctx, plan, line)) {
            protobuf_c_message_free_unpacked (&plan->base, NULL);
            rc = -1;
        } else
            s_plan_add (ctx, plan, line);
    }
    if (!rc && tok != SOCIN_JSON_ARRAY_END)
        rc = tok == SOCIN_JSON_ERROR
                 ? socin_error_set (ctx->err, ctx->errlen, "%s", socin_json_error (js))
                 : s_fail (ctx, socin_json_line (js), "plans", "expected a plan object");
    if (!rc && (rc = s_json_key (ctx, js, key, sizeof key)) != 0)
        rc = rc < 0
                 ? rc
                 : s_fail (ctx, socin_json_line (js), key, "the file holds one member, \"plans\"");
    socin_json_destroy (&js);
    return rc;
}

int
reg_plans_parse (const socin_model_t *model, const char *data, size_t len, const char *format,
                 socin_record_t ***out, size_t *count, char *err, size_t errlen)
{
    size_t bad;
    if (!socin_utf8_valid (data, len, &bad))
        return socin_error_set (err, errlen, "byte %zu is not valid UTF-8", bad + 1);
    bool json;
    if (format && *format) {
        if (strcmp (format, "csv") && strcmp (format, "json"))
            return socin_error_set (err, errlen, "format '%s' is neither csv nor json", format);
        json = !strcmp (format, "json");
    } else {
        size_t i = 0;
        if (len >= 3 && !memcmp (data, "\xEF\xBB\xBF", 3)) i = 3;
        while (i < len && isspace ((unsigned char)data[i]))
            i++;
        json = i < len && (data[i] == '{' || data[i] == '[');
    }
    s_ctx_t ctx = {.model = model, .err = err, .errlen = errlen};
    if (json ? s_read_json (&ctx, data, len) : s_read_csv (&ctx, data, len)) {
        s_free_plans (&ctx);
        return -1;
    }
    *count = ctx.n;
    *out = s_records (&ctx);
    return 0;
}
