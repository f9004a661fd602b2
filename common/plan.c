/*  plan: names, areas, measures and money of plans. See plan.h. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mem.h"
#include "socin/v1/errors.pb-c.h"

static const char *s_kinds[] = {"",     "strategic",       "lap",           "rap",
                                "kpss", "local_inclusion", "remote_support"};
static const char *s_sources[] = {"",     "own",    "kraj", "state",   "ope_plus",
                                  "irop", "op_jak", "mv",   "eu_other"};
static const char *s_statuses[] = {"", "planned", "in_progress", "done", "delayed", "cancelled"};
static const char *s_eu_areas[] = {"employment",    "social_protection",
                                   "access",        "early_school_leaving",
                                   "child_poverty", "migrants_minorities"};

#define S_COUNT(table) (sizeof table / sizeof table[0])

static const char *
s_name (const char *const *table, size_t n, int v)
{
    return v <= 0 || (size_t)v >= n ? "unspecified" : table[v];
}

static int
s_parse (const char *const *table, size_t n, const char *name)
{
    for (size_t i = 1; name && i < n; i++)
        if (!strcmp (name, table[i])) return (int)i;
    return 0;
}

/* The entries of TABLE from FIRST on, joined by ", " into BUF. */
static const char *
s_join (const char *const *table, size_t first, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = first; i < n && len < size; i++)
        len += (size_t)snprintf (buf + len, size - len, "%s%s", i > first ? ", " : "", table[i]);
    return buf;
}

#define S_NAMES(name_fn, parse_fn, list_fn, table)                                                 \
    const char *name_fn (int v)                                                                    \
    {                                                                                              \
        return s_name (table, S_COUNT (table), v);                                                 \
    }                                                                                              \
    int parse_fn (const char *name)                                                                \
    {                                                                                              \
        return s_parse (table, S_COUNT (table), name);                                             \
    }                                                                                              \
    const char *list_fn (void)                                                                     \
    {                                                                                              \
        static char buf[160];                                                                      \
        return buf[0] ? buf : s_join (table, 1, S_COUNT (table), buf, sizeof buf);                 \
    }

S_NAMES (socin_plan_kind_name, socin_plan_kind_parse, socin_plan_kind_names, s_kinds)
S_NAMES (socin_funding_name, socin_funding_parse, socin_funding_names, s_sources)
S_NAMES (socin_measure_status_name, socin_measure_status_parse, socin_measure_status_names,
         s_statuses)

const char *
socin_policy_area_eu_names (void)
{
    static char buf[160];
    return buf[0] ? buf : s_join (s_eu_areas, 0, S_COUNT (s_eu_areas), buf, sizeof buf);
}

bool
socin_policy_area_known (const socin_model_t *model, const char *area)
{
    if (!area || !*area) return false;
    for (size_t i = 0; i < S_COUNT (s_eu_areas); i++)
        if (!strcmp (area, s_eu_areas[i])) return true;
    size_t n = socin_model_count (model, SOCIN_KIND_INDICATOR);
    for (uint32_t id = 1; id <= n; id++)
        if (!strcmp (socin_model_indicator_at (model, id)->pb->policy_area, area)) return true;
    return false;
}

const Socin__V1__Measure *
socin_plan_measure (const socin_plan_t *plan, const char *code)
{
    for (size_t i = 0; code && i < plan->pb->n_measures; i++)
        if (!strcmp (plan->pb->measures[i]->code, code)) return plan->pb->measures[i];
    return NULL;
}

bool
socin_plan_covered_by (const socin_model_t *model, const socin_plan_t *plan,
                       const socin_submitter_t *sub)
{
    if (plan->owner_unit)
        return socin_submitter_covers (sub, socin_model_unit_at (model, plan->owner_unit));
    const socin_group_t *group = socin_model_group_at (model, plan->owner_group);
    if (!group || !group->nmembers) return false;
    for (size_t m = 0; m < group->nmembers; m++)
        if (!socin_submitter_covers (sub, socin_model_unit_at (model, group->members[m])))
            return false;
    return true;
}

bool
socin_plan_under (const socin_model_t *model, const socin_plan_t *plan, uint32_t root)
{
    if (plan->owner_unit)
        return socin_unit_under (socin_model_unit_at (model, plan->owner_unit), root);
    const socin_group_t *group = socin_model_group_at (model, plan->owner_group);
    for (size_t m = 0; group && m < group->nmembers; m++)
        if (socin_unit_under (socin_model_unit_at (model, group->members[m]), root)) return true;
    return false;
}

size_t
socin_measure_key (const char *plan, const char *measure, const char *period, char *key, size_t max)
{
    size_t a = strlen (plan), b = strlen (measure), c = strlen (period);
    if (a + b + c + 3 > max) return 0;
    key[0] = 'M';
    memcpy (key + 1, plan, a + 1);
    memcpy (key + 2 + a, measure, b + 1);
    memcpy (key + 3 + a + b, period, c);
    return 3 + a + b + c;
}

int
socin_funding_read (Socin__V1__FundingAmount *const *amounts, size_t n, socin_dec_t *out,
                    size_t *bad, char *why, size_t whylen)
{
    bool seen[SOCIN_FUNDING_COUNT + 1] = {false};
    memset (out, 0, (SOCIN_FUNDING_COUNT + 1) * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const Socin__V1__FundingAmount *a = amounts[i];
        *bad = i;
        int src = (int)a->source;
        if (src <= 0 || src > SOCIN_FUNDING_COUNT) {
            socin_error_set (why, whylen, "funding source %d is not one of %s", src,
                             socin_funding_names ());
            return SOCIN_E (UNKNOWN_FUNDING_SOURCE);
        }
        if (seen[src]) {
            socin_error_set (why, whylen, "funding source %s is given twice",
                             socin_funding_name (src));
            return SOCIN_E (UNKNOWN_FUNDING_SOURCE);
        }
        seen[src] = true;
        char msg[200], q[SOCIN_QUOTE_SIZE];
        const char *text = a->amount ? a->amount : "";
        if (socin_dec_parse (text, strlen (text), &out[src], msg, sizeof msg)) {
            socin_error_quote (text, strlen (text), q);
            socin_error_set (why, whylen, "amount %s (%s) %s", q, socin_funding_name (src), msg);
            return SOCIN_E (MALFORMED_VALUE);
        }
        if (out[src] < 0) {
            socin_error_set (why, whylen, "amount %s (%s) is negative; amounts are at least 0",
                             text, socin_funding_name (src));
            return SOCIN_E (NEGATIVE_AMOUNT);
        }
    }
    return 0;
}

Socin__V1__FundingAmount **
socin_funding_list (const socin_dec_t *in, size_t *n)
{
    Socin__V1__FundingAmount **list = socin_calloc (SOCIN_FUNDING_COUNT, sizeof *list);
    *n = 0;
    for (int src = 1; src <= SOCIN_FUNDING_COUNT; src++) {
        if (!in[src]) continue;
        Socin__V1__FundingAmount *a = socin_malloc (sizeof *a);
        socin__v1__funding_amount__init (a);
        a->source = src;
        char buf[SOCIN_DEC_STRLEN];
        socin_dec_format (in[src], buf, sizeof buf);
        a->amount = socin_strdup (buf);
        list[(*n)++] = a;
    }
    return list;
}

void
socin_funding_free (Socin__V1__FundingAmount **list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free (list[i]->amount);
        free (list[i]);
    }
    free (list);
}
