/*  catalogue: the analyst-editable catalogue file, parsed into registry records.
    See catalogue.h and docs/catalogue.md. */
#include "catalogue.h"

#include "error.h"
#include "mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "log.h"
#include "ruleexpr.h"
#include "str.h"

typedef struct {
    socin_record_t **recs;
    size_t n, cap;
    socin_record_t *cur; /* the section being read */
    size_t cur_line;
    bool seen[32]; /* keys seen in the section, by index in its key table */
} s_parse_t;

/* Key tables: the order gives each key its index in `seen`. */
static const char *s_dimension_keys[] = {"name_cs", "name_en", "option", NULL};
static const char *s_indicator_keys[] = {"name_cs",     "name_en", "measure",     "type",
                                         "aggregation", "range",   "area",        "dimensions",
                                         "period",      "formula", "description", NULL};
static const char *s_dataset_keys[] = {"name",   "period",   "indicators", "territories", "level",
                                       "groups", "deadline", "timely",     "lock",        NULL};
static const char *s_target_keys[] = {
    "name",        "commitment",  "description", "level",        "rule",
    "event_types", "public_only", "min_events",  "min_quarters", "platform_representation",
    "indicator",   "min_value",   "threshold",   "window",       "deadline",
    NULL};
static const char *s_group_keys[] = {"name", "kind", "members", "valid", NULL};
static const char *s_rule_keys[] = {"name",       "left",    "operator", "right",
                                    "importance", "message", NULL};

static const char **
s_keys_of (const socin_record_t *rec)
{
    switch (rec->kind_case) {
    case SOCIN__V1__RECORD__KIND_DIMENSION:
        return s_dimension_keys;
    case SOCIN__V1__RECORD__KIND_INDICATOR:
        return s_indicator_keys;
    case SOCIN__V1__RECORD__KIND_DATASET:
        return s_dataset_keys;
    case SOCIN__V1__RECORD__KIND_TARGET:
        return s_target_keys;
    case SOCIN__V1__RECORD__KIND_GROUP:
        return s_group_keys;
    case SOCIN__V1__RECORD__KIND_RULE:
        return s_rule_keys;
    default:
        return NULL;
    }
}

static char *
s_trim (char *s)
{
    while (isspace ((unsigned char)*s))
        s++;
    size_t n = strlen (s);
    while (n && isspace ((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

/* Splits VALUE on commas into trimmed, non-empty items appended to *ARR. */
static void
s_list (const char *value, char ***arr, size_t *n)
{
    char *copy = socin_strdup (value);
    char *save = NULL;
    for (char *item = strtok_r (copy, ",", &save); item; item = strtok_r (NULL, ",", &save)) {
        item = s_trim (item);
        if (*item) socin_strv_push (arr, n, item);
    }
    free (copy);
}

static int
s_uint (const char *value, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul (value, &end, 10);
    if (errno || end == value || *end || *value == '-' || v > UINT32_MAX) return -1;
    *out = (uint32_t)v;
    return 0;
}

static int
s_bool (const char *value, bool *out)
{
    if (!strcmp (value, "true") || !strcmp (value, "yes")) return *out = true, 0;
    if (!strcmp (value, "false") || !strcmp (value, "no")) return *out = false, 0;
    return -1;
}

static int
s_decimal_ok (const char *text, char *why, size_t whylen)
{
    socin_dec_t v;
    return socin_dec_parse (text, strlen (text), &v, why, whylen);
}

/* Splits "A..B" into two trimmed parts (either may be empty). */
static int
s_range (const char *value, char **lo, char **hi)
{
    const char *dots = strstr (value, "..");
    if (!dots) return -1;
    char *a = socin_strndup (value, (size_t)(dots - value));
    char *b = socin_strdup (dots + 2);
    *lo = socin_strdup (s_trim (a));
    *hi = socin_strdup (s_trim (b));
    free (a);
    free (b);
    return 0;
}

static int
s_date_ok (const char *text, char *why, size_t whylen)
{
    int32_t day;
    return socin_date_parse (text, &day, why, whylen);
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        socin_error_set (err, errlen, __VA_ARGS__);                                                \
        return -1;                                                                                 \
    } while (0)

static int
s_set_dimension (Socin__V1__Dimension *d, const char *key, const char *value, size_t line,
                 char *err, size_t errlen)
{
    if (!strcmp (key, "name_cs"))
        d->name_cs = socin_strdup (value);
    else if (!strcmp (key, "name_en"))
        d->name_en = socin_strdup (value);
    else if (!strcmp (key, "option")) {
        char *copy = socin_strdup (value), *parts[3] = {NULL, NULL, NULL}, *save = NULL;
        int k = 0;
        for (char *p = strtok_r (copy, "|", &save); p && k < 3; p = strtok_r (NULL, "|", &save))
            parts[k++] = s_trim (p);
        if (k == 0 || !*parts[0] || strchr (parts[0], ',') || strchr (parts[0], '=') ||
            strchr (parts[0], ' ')) {
            free (copy);
            FAIL ("line %zu: option needs 'code | name in Czech | name in English' with a code "
                  "free of spaces, commas and '='",
                  line);
        }
        Socin__V1__DimensionOption *o = socin_malloc (sizeof *o);
        socin__v1__dimension_option__init (o);
        o->code = socin_strdup (parts[0]);
        if (parts[1]) o->name_cs = socin_strdup (parts[1]);
        if (parts[2]) o->name_en = socin_strdup (parts[2]);
        free (copy);
        for (size_t i = 0; i < d->n_options; i++)
            if (!strcmp (d->options[i]->code, o->code)) {
                protobuf_c_message_free_unpacked (&o->base, NULL);
                FAIL ("line %zu: option '%s' is given twice", line, d->options[i]->code);
            }
        d->options = socin_realloc (d->options, (d->n_options + 1) * sizeof *d->options);
        d->options[d->n_options++] = o;
    }
    return 0;
}

static int
s_set_indicator (Socin__V1__Indicator *ind, const char *key, const char *value, size_t line,
                 char *err, size_t errlen)
{
    char why[160];
    if (!strcmp (key, "name_cs"))
        ind->name_cs = socin_strdup (value);
    else if (!strcmp (key, "name_en"))
        ind->name_en = socin_strdup (value);
    else if (!strcmp (key, "measure"))
        ind->measure = socin_strdup (value);
    else if (!strcmp (key, "area"))
        ind->policy_area = socin_strdup (value);
    else if (!strcmp (key, "description"))
        ind->description = socin_strdup (value);
    else if (!strcmp (key, "dimensions"))
        s_list (value, &ind->dimensions, &ind->n_dimensions);
    else if (!strcmp (key, "type")) {
        int t = socin_value_type_parse (value);
        if (!t)
            FAIL ("line %zu: unknown type '%s' (integer, decimal, percentage, boolean)", line,
                  value);
        ind->value_type = t;
    } else if (!strcmp (key, "aggregation")) {
        int a = socin_aggregation_parse (value);
        if (!a)
            FAIL ("line %zu: unknown aggregation '%s' (sum, average, weighted_average, min, max, "
                  "last, count, count_true)",
                  line, value);
        ind->aggregation = a;
    } else if (!strcmp (key, "period")) {
        if (!socin_period_type_parse (value))
            FAIL ("line %zu: unknown period type '%s' (weekly, monthly, quarterly, half-yearly, "
                  "yearly)",
                  line, value);
        ind->period_type = socin_strdup (value);
    } else if (!strcmp (key, "range")) {
        char *lo, *hi;
        if (s_range (value, &lo, &hi)) FAIL ("line %zu: range '%s' is not MIN..MAX", line, value);
        ind->min = lo;
        ind->max = hi;
        if (*lo && s_decimal_ok (lo, why, sizeof why))
            FAIL ("line %zu: range minimum %s", line, why);
        if (*hi && s_decimal_ok (hi, why, sizeof why))
            FAIL ("line %zu: range maximum %s", line, why);
    } else if (!strcmp (key, "formula")) {
        /* NUMERATOR / DENOMINATOR [* FACTOR] */
        char num[128], den[128], factor[64] = "1";
        int n = sscanf (value, " %127[A-Za-z0-9_] / %127[A-Za-z0-9_] * %63s", num, den, factor);
        if (n < 2)
            FAIL ("line %zu: formula '%s' is not 'NUMERATOR / DENOMINATOR * FACTOR'", line, value);
        if (s_decimal_ok (factor, why, sizeof why)) FAIL ("line %zu: formula factor %s", line, why);
        ind->formula = socin_malloc (sizeof *ind->formula);
        socin__v1__formula__init (ind->formula);
        ind->formula->numerator = socin_strdup (num);
        ind->formula->denominator = socin_strdup (den);
        ind->formula->factor = socin_strdup (factor);
    }
    return 0;
}

static int
s_set_dataset (Socin__V1__DataSet *ds, const char *key, const char *value, size_t line, char *err,
               size_t errlen)
{
    if (!strcmp (key, "name"))
        ds->name = socin_strdup (value);
    else if (!strcmp (key, "indicators"))
        s_list (value, &ds->indicators, &ds->n_indicators);
    else if (!strcmp (key, "territories"))
        s_list (value, &ds->territories, &ds->n_territories);
    else if (!strcmp (key, "groups"))
        s_list (value, &ds->groups, &ds->n_groups);
    else if (!strcmp (key, "period")) {
        if (!socin_period_type_parse (value))
            FAIL ("line %zu: unknown period type '%s' (weekly, monthly, quarterly, half-yearly, "
                  "yearly)",
                  line, value);
        ds->period_type = socin_strdup (value);
    } else if (!strcmp (key, "level")) {
        int l = socin_level_parse (value);
        if (!l)
            FAIL (
                "line %zu: unknown level '%s' (country, kraj, okres, orp, municipality, district)",
                line, value);
        ds->level = l;
    } else {
        uint32_t v;
        if (s_uint (value, &v))
            FAIL ("line %zu: %s '%s' is not a number of days", line, key, value);
        if (!strcmp (key, "deadline"))
            ds->deadline_days = v;
        else if (!strcmp (key, "timely"))
            ds->timely_days = v;
        else
            ds->lock_days = v;
    }
    return 0;
}

/* The "event_types" of an events rule: a list of event type names. */
static int
s_set_event_types (Socin__V1__EventRule *rule, const char *value, size_t line, char *err,
                   size_t errlen)
{
    char **types = NULL;
    size_t n = 0;
    int rc = 0;
    s_list (value, &types, &n);
    rule->types = socin_calloc (n ? n : 1, sizeof *rule->types);
    for (size_t i = 0; i < n && !rc; i++) {
        int et = socin_event_type_parse (types[i]);
        if (et)
            rule->types[rule->n_types++] = et;
        else
            rc = socin_error_set (err, errlen,
                                  "line %zu: unknown event type '%s' (public_meeting, round_table, "
                                  "focus_group, working_group, survey, family_interviews)",
                                  line, types[i]);
    }
    for (size_t k = 0; k < n; k++)
        free (types[k]);
    free (types);
    return rc;
}

/* A setting of the target's rule (events or value), which must come after 'rule = ...'. */
static int
s_set_target_rule (Socin__V1__Target *t, const char *key, const char *value, size_t line, char *err,
                   size_t errlen)
{
    char why[160];
    bool events_key = strcmp (key, "indicator") && strcmp (key, "min_value");
    if (events_key && t->rule_case != SOCIN__V1__TARGET__RULE_EVENTS)
        FAIL ("line %zu: %s needs 'rule = events' before it", line, key);
    if (!events_key && t->rule_case != SOCIN__V1__TARGET__RULE_VALUE)
        FAIL ("line %zu: %s needs 'rule = value' before it", line, key);
    if (!strcmp (key, "indicator"))
        t->value->indicator = socin_strdup (value);
    else if (!strcmp (key, "min_value")) {
        if (s_decimal_ok (value, why, sizeof why)) FAIL ("line %zu: min_value %s", line, why);
        t->value->min_value = socin_strdup (value);
    } else if (!strcmp (key, "event_types"))
        return s_set_event_types (t->events, value, line, err, errlen);
    else if (!strcmp (key, "public_only") || !strcmp (key, "platform_representation")) {
        bool b;
        if (s_bool (value, &b)) FAIL ("line %zu: %s '%s' is not true or false", line, key, value);
        if (key[0] == 'p' && key[1] == 'u')
            t->events->public_only = b;
        else
            t->events->require_platform_representation = b;
    } else {
        uint32_t v;
        if (s_uint (value, &v)) FAIL ("line %zu: %s '%s' is not a count", line, key, value);
        if (!strcmp (key, "min_events"))
            t->events->min_events = v;
        else
            t->events->min_distinct_quarters = v;
    }
    return 0;
}

static int
s_set_target (Socin__V1__Target *t, const char *key, const char *value, size_t line, char *err,
              size_t errlen)
{
    char why[160];
    if (!strcmp (key, "name"))
        t->name = socin_strdup (value);
    else if (!strcmp (key, "commitment"))
        t->commitment = socin_strdup (value);
    else if (!strcmp (key, "description"))
        t->description = socin_strdup (value);
    else if (!strcmp (key, "level")) {
        int l = socin_level_parse (value);
        if (!l) FAIL ("line %zu: unknown level '%s'", line, value);
        t->level = l;
    } else if (!strcmp (key, "rule")) {
        if (!strcmp (value, "events")) {
            t->rule_case = SOCIN__V1__TARGET__RULE_EVENTS;
            t->events = socin_malloc (sizeof *t->events);
            socin__v1__event_rule__init (t->events);
        } else if (!strcmp (value, "value")) {
            t->rule_case = SOCIN__V1__TARGET__RULE_VALUE;
            t->value = socin_malloc (sizeof *t->value);
            socin__v1__value_rule__init (t->value);
        } else
            FAIL ("line %zu: unknown rule '%s' (events or value)", line, value);
    } else if (!strcmp (key, "threshold")) {
        if (s_uint (value, &t->threshold))
            FAIL ("line %zu: threshold '%s' is not a count", line, value);
    } else if (!strcmp (key, "deadline")) {
        if (s_date_ok (value, why, sizeof why)) FAIL ("line %zu: deadline %s", line, why);
        t->deadline = socin_strdup (value);
    } else if (!strcmp (key, "window")) {
        char *lo, *hi;
        if (s_range (value, &lo, &hi)) FAIL ("line %zu: window '%s' is not FROM..TO", line, value);
        t->window_from = lo;
        t->window_to = hi;
        if (*lo && s_date_ok (lo, why, sizeof why)) FAIL ("line %zu: window start %s", line, why);
        if (*hi && s_date_ok (hi, why, sizeof why)) FAIL ("line %zu: window end %s", line, why);
    } else
        return s_set_target_rule (t, key, value, line, err, errlen);
    return 0;
}

static int
s_set_group (Socin__V1__Group *g, const char *key, const char *value, size_t line, char *err,
             size_t errlen)
{
    char why[160];
    if (!strcmp (key, "name"))
        g->name = socin_strdup (value);
    else if (!strcmp (key, "kind"))
        g->kind = socin_strdup (value);
    else if (!strcmp (key, "members"))
        s_list (value, &g->members, &g->n_members);
    else if (!strcmp (key, "valid")) {
        char *lo, *hi;
        if (s_range (value, &lo, &hi)) FAIL ("line %zu: valid '%s' is not FROM..TO", line, value);
        g->valid_from = lo;
        g->valid_to = hi;
        if (*lo && s_date_ok (lo, why, sizeof why)) FAIL ("line %zu: valid %s", line, why);
        if (*hi && s_date_ok (hi, why, sizeof why)) FAIL ("line %zu: valid %s", line, why);
    }
    return 0;
}

/* A setting of a validation rule; the sides are checked against the indicators later
   (socin_catalogue_check), the operator and importance here. */
static int
s_set_rule (Socin__V1__ValidationRule *r, const char *key, const char *value, size_t line,
            char *err, size_t errlen)
{
    socin_rule_term_t terms[SOCIN_RULE_TERMS_MAX];
    char why[200];
    if (!strcmp (key, "operator") && !socin_rule_operator (value))
        FAIL ("line %zu: unknown operator '%s' (<=, <, >=, >, ==, !=)", line, value);
    if (!strcmp (key, "importance") && strcmp (value, "high") && strcmp (value, "medium") &&
        strcmp (value, "low"))
        FAIL ("line %zu: importance '%s' is not high, medium or low", line, value);
    if ((!strcmp (key, "left") || !strcmp (key, "right")) &&
        socin_rule_expr_parse (value, terms, why, sizeof why) < 0)
        FAIL ("line %zu: %s side: %s", line, key, why);
    char **field = !strcmp (key, "name")       ? &r->name
                   : !strcmp (key, "left")     ? &r->left
                   : !strcmp (key, "operator") ? &r->operator_
                   : !strcmp (key, "right")    ? &r->right
                   : !strcmp (key, "message")  ? &r->message
                                               : &r->importance;
    *field = socin_strdup (value);
    return 0;
}

/* Checks the section just finished has what its kind requires. */
static int
s_close_section (s_parse_t *p, char *err, size_t errlen)
{
    socin_record_t *r = p->cur;
    if (!r) return 0;
    const char *code = socin_record_code (r);
    size_t line = p->cur_line;
    switch (r->kind_case) {
    case SOCIN__V1__RECORD__KIND_DIMENSION:
        if (!r->dimension->n_options) FAIL ("line %zu: dimension %s has no option", line, code);
        break;
    case SOCIN__V1__RECORD__KIND_INDICATOR: {
        Socin__V1__Indicator *i = r->indicator;
        if (!*i->name_cs && !*i->name_en)
            FAIL ("line %zu: indicator %s has no name_cs or name_en", line, code);
        if (!i->value_type) FAIL ("line %zu: indicator %s has no type", line, code);
        if (!i->aggregation) FAIL ("line %zu: indicator %s has no aggregation", line, code);
        if (!*i->period_type) FAIL ("line %zu: indicator %s has no period", line, code);
        if (i->value_type == SOCIN_VT_PERCENTAGE && !*i->min && !*i->max && !i->formula) {
            i->min = socin_strdup ("0");
            i->max = socin_strdup ("100");
        }
        break;
    }
    case SOCIN__V1__RECORD__KIND_DATASET:
        if (!*r->dataset->period_type) FAIL ("line %zu: dataset %s has no period", line, code);
        if (!r->dataset->n_indicators) FAIL ("line %zu: dataset %s has no indicators", line, code);
        if (!r->dataset->level) r->dataset->level = SOCIN_LEVEL_MUNICIPALITY;
        break;
    case SOCIN__V1__RECORD__KIND_TARGET:
        if (r->target->rule_case == SOCIN__V1__TARGET__RULE__NOT_SET)
            FAIL ("line %zu: target %s has no rule", line, code);
        if (!r->target->threshold) FAIL ("line %zu: target %s has no threshold", line, code);
        if (!r->target->level) r->target->level = SOCIN_LEVEL_MUNICIPALITY;
        if (r->target->rule_case == SOCIN__V1__TARGET__RULE_VALUE && !*r->target->value->indicator)
            FAIL ("line %zu: target %s has rule = value but no indicator", line, code);
        if (r->target->rule_case == SOCIN__V1__TARGET__RULE_EVENTS &&
            !r->target->events->min_events)
            r->target->events->min_events = 1;
        break;
    case SOCIN__V1__RECORD__KIND_RULE:
        if (!*r->rule->left || !*r->rule->right || !*r->rule->operator_)
            FAIL ("line %zu: rule %s needs left, operator and right", line, code);
        if (!*r->rule->importance) r->rule->importance = socin_strdup ("medium");
        break;
    default:
        break;
    }
    p->cur = NULL;
    return 0;
}

static int
s_open_section (s_parse_t *p, char *header, size_t line, char *err, size_t errlen)
{
    char *kind = s_trim (header), *code = kind;
    while (*code && !isspace ((unsigned char)*code))
        code++;
    if (*code) *code++ = 0;
    code = s_trim (code);
    if (!*code || strpbrk (code, " ,=|"))
        FAIL ("line %zu: a section is [KIND CODE] with a code free of spaces, commas, '=' and '|'",
              line);
    if (strlen (code) > 64) FAIL ("line %zu: code '%s' is longer than 64 bytes", line, code);
    socin_record_t *r = socin_malloc (sizeof *r);
    socin__v1__record__init (r);
#define S_NEW(field, type, init, case_)                                                            \
    r->kind_case = case_;                                                                          \
    r->field = socin_malloc (sizeof (type));                                                       \
    init (r->field)
    if (!strcmp (kind, "dimension")) {
        S_NEW (dimension, Socin__V1__Dimension, socin__v1__dimension__init,
               SOCIN__V1__RECORD__KIND_DIMENSION);
        r->dimension->code = socin_strdup (code);
    } else if (!strcmp (kind, "indicator")) {
        S_NEW (indicator, Socin__V1__Indicator, socin__v1__indicator__init,
               SOCIN__V1__RECORD__KIND_INDICATOR);
        r->indicator->code = socin_strdup (code);
    } else if (!strcmp (kind, "dataset")) {
        S_NEW (dataset, Socin__V1__DataSet, socin__v1__data_set__init,
               SOCIN__V1__RECORD__KIND_DATASET);
        r->dataset->code = socin_strdup (code);
    } else if (!strcmp (kind, "target")) {
        S_NEW (target, Socin__V1__Target, socin__v1__target__init, SOCIN__V1__RECORD__KIND_TARGET);
        r->target->code = socin_strdup (code);
    } else if (!strcmp (kind, "group")) {
        S_NEW (group, Socin__V1__Group, socin__v1__group__init, SOCIN__V1__RECORD__KIND_GROUP);
        r->group->code = socin_strdup (code);
    } else if (!strcmp (kind, "rule")) {
        S_NEW (rule, Socin__V1__ValidationRule, socin__v1__validation_rule__init,
               SOCIN__V1__RECORD__KIND_RULE);
        r->rule->code = socin_strdup (code);
    } else {
        free (r);
        FAIL ("line %zu: unknown section kind '%s' (dimension, indicator, dataset, target, group, "
              "rule)",
              line, kind);
    }
#undef S_NEW
    char key[130];
    size_t klen = socin_record_key (r, key);
    for (size_t i = 0; i < p->n; i++) {
        char other[130];
        size_t olen = socin_record_key (p->recs[i], other);
        if (olen == klen && !memcmp (other, key, klen)) {
            protobuf_c_message_free_unpacked (&r->base, NULL);
            FAIL ("line %zu: %s %s is defined twice", line, kind, code);
        }
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 32;
        p->recs = socin_realloc (p->recs, p->cap * sizeof *p->recs);
    }
    p->recs[p->n++] = r;
    p->cur = r;
    p->cur_line = line;
    memset (p->seen, 0, sizeof p->seen);
    return 0;
}

static int
s_setting (s_parse_t *p, char *text, size_t line, char *err, size_t errlen)
{
    char *eq = strchr (text, '=');
    if (!eq) FAIL ("line %zu: expected 'key = value' or a [KIND CODE] section", line);
    *eq = 0;
    char *key = s_trim (text), *value = s_trim (eq + 1);
    if (!p->cur) FAIL ("line %zu: '%s' comes before any [KIND CODE] section", line, key);
    const char **keys = s_keys_of (p->cur);
    int idx = -1;
    for (int i = 0; keys[i]; i++)
        if (!strcmp (keys[i], key)) idx = i;
    if (idx < 0) {
        socin_str_t list = SOCIN_STR_INIT;
        for (int i = 0; keys[i]; i++)
            socin_str_printf (&list, "%s%s", i ? ", " : "", keys[i]);
        socin_error_set (err, errlen, "line %zu: unknown key '%s' (this section takes %s)", line,
                         key, socin_str_cstr (&list));
        socin_str_free (&list);
        return -1;
    }
    bool repeatable = !strcmp (key, "option");
    if (p->seen[idx] && !repeatable)
        FAIL ("line %zu: '%s' is given twice in this section", line, key);
    p->seen[idx] = true;
    if (!*value) FAIL ("line %zu: '%s' has no value", line, key);
    switch (p->cur->kind_case) {
    case SOCIN__V1__RECORD__KIND_DIMENSION:
        return s_set_dimension (p->cur->dimension, key, value, line, err, errlen);
    case SOCIN__V1__RECORD__KIND_INDICATOR:
        return s_set_indicator (p->cur->indicator, key, value, line, err, errlen);
    case SOCIN__V1__RECORD__KIND_DATASET:
        return s_set_dataset (p->cur->dataset, key, value, line, err, errlen);
    case SOCIN__V1__RECORD__KIND_TARGET:
        return s_set_target (p->cur->target, key, value, line, err, errlen);
    case SOCIN__V1__RECORD__KIND_GROUP:
        return s_set_group (p->cur->group, key, value, line, err, errlen);
    case SOCIN__V1__RECORD__KIND_RULE:
        return s_set_rule (p->cur->rule, key, value, line, err, errlen);
    default:
        return 0;
    }
}

int
socin_catalogue_parse (const char *text, size_t len, socin_record_t ***out, size_t *count,
                       char *err, size_t errlen)
{
    size_t bad;
    if (!socin_utf8_valid (text, len, &bad)) {
        size_t line = 1;
        for (size_t i = 0; i < bad; i++)
            line += text[i] == '\n';
        FAIL ("line %zu: the text is not valid UTF-8", line);
    }
    if (memchr (text, 0, len)) FAIL ("the catalogue contains a NUL byte: it is not a text file");
    s_parse_t p = {0};
    int rc = 0;
    size_t line = 0;
    const char *pos = text, *end = text + len;
    if (len >= 3 && !memcmp (text, "\xEF\xBB\xBF", 3)) pos += 3;
    while (pos < end && rc == 0) {
        const char *nl = memchr (pos, '\n', (size_t)(end - pos));
        if (!nl) nl = end;
        line++;
        char *copy = socin_strndup (pos, (size_t)(nl - pos));
        pos = nl + 1;
        char *t = s_trim (copy);
        if (!*t || *t == '#') {
            free (copy);
            continue;
        }
        if (*t == '[') {
            char *close = strchr (t, ']');
            if (!close || s_trim (close + 1)[0]) {
                socin_error_set (err, errlen, "line %zu: a section header is [KIND CODE]", line);
                rc = -1;
            } else {
                *close = 0;
                rc = s_close_section (&p, err, errlen);
                if (!rc) rc = s_open_section (&p, t + 1, line, err, errlen);
            }
        } else
            rc = s_setting (&p, t, line, err, errlen);
        free (copy);
    }
    if (!rc) rc = s_close_section (&p, err, errlen);
    if (!rc && !p.n) {
        socin_error_set (err, errlen, "the catalogue has no entries");
        rc = -1;
    }
    if (rc) {
        for (size_t i = 0; i < p.n; i++)
            protobuf_c_message_free_unpacked (&p.recs[i]->base, NULL);
        free (p.recs);
        return -1;
    }
    *out = p.recs;
    *count = p.n;
    return 0;
}

/* ---- references ---- */

static const socin_record_t *
s_find (const socin_model_t *model, socin_record_t **recs, size_t n, socin_kind_t kind,
        const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (socin_record_kind (recs[i]) == kind && !strcmp (socin_record_code (recs[i]), code))
            return recs[i];
    return socin_model_record (model, kind, code);
}

/* A rule's side: every indicator defined, not derived, and braces naming its own dimensions. */
static int
s_check_side (const socin_model_t *model, socin_record_t **recs, size_t n, const char *code,
              const char *side, char *err, size_t errlen)
{
    socin_rule_term_t terms[SOCIN_RULE_TERMS_MAX];
    int nt = socin_rule_expr_parse (side, terms, err, errlen);
    for (int t = 0; t < nt; t++) {
        if (terms[t].number) continue;
        const socin_record_t *c = s_find (model, recs, n, SOCIN_KIND_INDICATOR, terms[t].indicator);
        if (!c) FAIL ("rule %s: indicator '%s' is not defined", code, terms[t].indicator);
        if (c->indicator->formula)
            FAIL ("rule %s: indicator %s is derived; a rule compares reported indicators", code,
                  terms[t].indicator);
        char copy[200], *save = NULL;
        snprintf (copy, sizeof copy, "%s", terms[t].pattern);
        for (char *it = strtok_r (copy, ",", &save); it; it = strtok_r (NULL, ",", &save)) {
            char *eq = strchr (it, '=');
            if (eq) *eq = 0;
            bool known = eq && eq[1];
            for (size_t d = 0; known && d < c->indicator->n_dimensions; d++)
                if (!strcmp (c->indicator->dimensions[d], it))
                    break;
                else if (d + 1 == c->indicator->n_dimensions)
                    known = false;
            if (!known || !c->indicator->n_dimensions)
                FAIL ("rule %s: %s{%s}: '%s' is not dimension=option (or =*) of %s", code,
                      terms[t].indicator, terms[t].pattern, it, terms[t].indicator);
        }
    }
    return nt < 0 ? -1 : 0;
}

/* Checks RECS; on a failure *BAD is the entry's index and *KEY the setting at fault. */
static int
s_check (const socin_model_t *model, socin_record_t **recs, size_t n, size_t *bad, const char **key,
         char *err, size_t errlen)
{
#define FAIL_AT(setting, ...)                                                                      \
    do {                                                                                           \
        *bad = i;                                                                                  \
        *key = setting;                                                                            \
        FAIL (__VA_ARGS__);                                                                        \
    } while (0)
    for (size_t i = 0; i < n; i++) {
        const socin_record_t *r = recs[i];
        const char *code = socin_record_code (r);
        if (r->kind_case == SOCIN__V1__RECORD__KIND_INDICATOR) {
            Socin__V1__Indicator *ind = r->indicator;
            for (size_t d = 0; d < ind->n_dimensions; d++)
                if (!s_find (model, recs, n, SOCIN_KIND_DIMENSION, ind->dimensions[d]))
                    FAIL_AT ("dimensions", "indicator %s: dimension '%s' is not defined", code,
                             ind->dimensions[d]);
            if (ind->formula) {
                const char *parts[2] = {ind->formula->numerator, ind->formula->denominator};
                for (int k = 0; k < 2; k++) {
                    const socin_record_t *c =
                        s_find (model, recs, n, SOCIN_KIND_INDICATOR, parts[k]);
                    if (!c)
                        FAIL_AT ("formula", "indicator %s: formula component '%s' is not defined",
                                 code, parts[k]);
                    if (c->indicator->formula)
                        FAIL_AT ("formula", "indicator %s: formula component %s is itself derived",
                                 code, parts[k]);
                    if (c->indicator->value_type == SOCIN_VT_BOOLEAN)
                        FAIL_AT ("formula", "indicator %s: formula component %s is boolean", code,
                                 parts[k]);
                }
            }
        } else if (r->kind_case == SOCIN__V1__RECORD__KIND_DATASET) {
            Socin__V1__DataSet *ds = r->dataset;
            for (size_t k = 0; k < ds->n_indicators; k++) {
                const socin_record_t *c =
                    s_find (model, recs, n, SOCIN_KIND_INDICATOR, ds->indicators[k]);
                if (!c)
                    FAIL_AT ("indicators", "dataset %s: indicator '%s' is not defined", code,
                             ds->indicators[k]);
                if (c->indicator->formula)
                    FAIL_AT ("indicators",
                             "dataset %s: indicator %s is derived and cannot be reported", code,
                             ds->indicators[k]);
                if (strcmp (c->indicator->period_type, ds->period_type))
                    FAIL_AT ("indicators", "dataset %s is %s but its indicator %s is %s", code,
                             ds->period_type, ds->indicators[k], c->indicator->period_type);
            }
            for (size_t k = 0; k < ds->n_territories; k++)
                if (!socin_model_unit (model, ds->territories[k]))
                    FAIL_AT ("territories", "dataset %s: territory '%s' is not a known unit", code,
                             ds->territories[k]);
            for (size_t k = 0; k < ds->n_groups; k++)
                if (!s_find (model, recs, n, SOCIN_KIND_GROUP, ds->groups[k]))
                    FAIL_AT ("groups", "dataset %s: group '%s' is not defined", code,
                             ds->groups[k]);
        } else if (r->kind_case == SOCIN__V1__RECORD__KIND_TARGET &&
                   r->target->rule_case == SOCIN__V1__TARGET__RULE_VALUE) {
            if (!s_find (model, recs, n, SOCIN_KIND_INDICATOR, r->target->value->indicator))
                FAIL_AT ("indicator", "target %s: indicator '%s' is not defined", code,
                         r->target->value->indicator);
        } else if (r->kind_case == SOCIN__V1__RECORD__KIND_RULE) {
            if (s_check_side (model, recs, n, code, r->rule->left, err, errlen)) {
                *bad = i;
                *key = "left";
                return -1;
            }
            if (s_check_side (model, recs, n, code, r->rule->right, err, errlen)) {
                *bad = i;
                *key = "right";
                return -1;
            }
        } else if (r->kind_case == SOCIN__V1__RECORD__KIND_GROUP) {
            for (size_t k = 0; k < r->group->n_members; k++)
                if (!socin_model_unit (model, r->group->members[k]))
                    FAIL_AT ("members", "group %s: member '%s' is not a known unit", code,
                             r->group->members[k]);
        }
    }
    return 0;
#undef FAIL_AT
}

int
socin_catalogue_check (const socin_model_t *model, socin_record_t **recs, size_t n, char *err,
                       size_t errlen)
{
    size_t bad;
    const char *key;
    return s_check (model, recs, n, &bad, &key, err, errlen);
}

static const char *
s_kind_word (const socin_record_t *r)
{
    switch (r->kind_case) {
    case SOCIN__V1__RECORD__KIND_DIMENSION:
        return "dimension";
    case SOCIN__V1__RECORD__KIND_INDICATOR:
        return "indicator";
    case SOCIN__V1__RECORD__KIND_DATASET:
        return "dataset";
    case SOCIN__V1__RECORD__KIND_TARGET:
        return "target";
    default:
        return "group";
    }
}

/* The line of setting KEY in the section of R in TEXT (its header's when KEY is absent), or
   0 when the section is not found. */
static size_t
s_line_of (const char *text, size_t len, const socin_record_t *r, const char *key)
{
    const char *pos = text, *end = text + len;
    size_t line = 0, header = 0;
    char want[160];
    snprintf (want, sizeof want, "%s %s", s_kind_word (r), socin_record_code (r));
    while (pos < end) {
        const char *nl = memchr (pos, '\n', (size_t)(end - pos));
        if (!nl) nl = end;
        line++;
        char *copy = socin_strndup (pos, (size_t)(nl - pos));
        pos = nl + 1;
        char *t = s_trim (copy), *close = *t == '[' ? strchr (t, ']') : NULL;
        if (close) {
            *close = 0;
            if (header) {
                free (copy);
                break;
            }
            if (!strcmp (s_trim (t + 1), want)) header = line;
        } else if (header && !strncmp (t, key, strlen (key)) &&
                   (t[strlen (key)] == ' ' || t[strlen (key)] == '=')) {
            free (copy);
            return line;
        }
        free (copy);
    }
    return header;
}

int
socin_catalogue_check_text (const socin_model_t *model, socin_record_t **recs, size_t n,
                            const char *text, size_t len, char *err, size_t errlen)
{
    size_t bad;
    const char *key;
    char why[1024];
    if (!s_check (model, recs, n, &bad, &key, why, sizeof why)) return 0;
    size_t line = s_line_of (text, len, recs[bad], key);
    if (line)
        socin_error_set (err, errlen, "line %zu: %s", line, why);
    else
        socin_error_set (err, errlen, "%s", why);
    return -1;
}
