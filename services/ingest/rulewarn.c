/*  rulewarn: validation rules over a submission's units and periods. See rulewarn.h. */
#include "rulewarn.h"

#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "chunks.h"
#include "mem.h"
#include "ruleeval.h"
#include "shape.h"
#include "valuekey.h"
#include "valuestate.h"

/* One stored value of the unit and period. */
typedef struct {
    const socin_indicator_t *indicator;
    char *disaggregation;
    socin_dec_t value;
} s_stored_t;

/* The stored values of one unit and period: the figures of socin_rule_figures_t. */
typedef struct {
    const socin_unit_t *unit;
    s_stored_t *values;
    size_t n;
} s_stored_set_t;

static int
s_figure (void *arg, const socin_indicator_t *ind, const char *disagg, socin_dec_t *out)
{
    const s_stored_set_t *set = arg;
    socin_agg_t agg = {0};
    for (size_t i = 0; i < set->n; i++) {
        const s_stored_t *s = &set->values[i];
        /* The total is the unit's total or its breakdowns (one shape per key: shape.h). */
        if (s->indicator != ind || (*disagg && strcmp (disagg, s->disaggregation))) continue;
        socin_agg_add (&agg, s->value, set->unit->population);
        /* One unit, one period: each value is its key's latest. */
        agg.last += s->value;
        agg.units = 1;
        if (s->value) agg.units_true = 1;
    }
    return socin_agg_value (&agg, ind->aggregation, out) ? 1 : 0;
}

static size_t
s_disaggregations (void *arg, const socin_indicator_t *ind, char ***out)
{
    const s_stored_set_t *set = arg;
    size_t n = 0;
    *out = socin_calloc (set->n + 1, sizeof **out);
    for (size_t i = 0; i < set->n; i++)
        if (set->values[i].indicator == ind)
            (*out)[n++] = socin_strdup (set->values[i].disaggregation);
    return n;
}

static void
s_stored_free (s_stored_set_t *set)
{
    for (size_t i = 0; i < set->n; i++)
        free (set->values[i].disaggregation);
    free (set->values);
    set->values = NULL;
    set->n = 0;
}

/* The values stored under key prefix PREFIX (PLEN bytes: "P" period NUL unit NUL) into SET. */
static int
s_stored_load (MDB_txn *txn, MDB_dbi values, const socin_model_t *model, const char *prefix,
               size_t plen, s_stored_set_t *set)
{
    int rc;
    socin_chunks_t *cur = socin_chunks_open (txn, values, &rc);
    if (!cur) return rc;
    MDB_val k = {plen, (void *)prefix}, v;
    size_t cap = 0;
    rc = socin_chunks_get (cur, &k, &v, MDB_SET_RANGE);
    for (; rc == 0 && k.mv_size >= plen && !memcmp (k.mv_data, prefix, plen);
         rc = socin_chunks_get (cur, &k, &v, MDB_NEXT)) {
        const char *ind, *unit, *period;
        char disagg[SOCIN_VALUE_KEY_MAX];
        socin_value_state_t state;
        if (!socin_value_key_split (k.mv_data, k.mv_size, &ind, &unit, &period, disagg,
                                    sizeof disagg) ||
            !socin_value_state_unpack (SOCIN_VALUE_LEDGER, v.mv_data, v.mv_size, &state) ||
            state.deleted)
            continue;
        const socin_indicator_t *indicator = socin_model_indicator (model, ind);
        if (!indicator) continue;
        if (set->n == cap) {
            cap = cap ? cap * 2 : 16;
            set->values = socin_realloc (set->values, cap * sizeof *set->values);
        }
        set->values[set->n++] = (s_stored_t){indicator, socin_strdup (disagg), state.value};
    }
    socin_chunks_close (&cur, true); /* it only reads */
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

/* The submission's accepted values [FROM, TO) of C over SET: what a real run has just stored,
   and what a dry run (which writes nothing) would have. */
static void
s_stored_overlay (const ing_checked_t *c, size_t from, size_t to, s_stored_set_t *set)
{
    for (size_t i = from; i < to; i++) {
        const ing_value_t *v = &c->values[i];
        if (v->refused) continue;
        size_t at = 0;
        while (at < set->n && (set->values[at].indicator != v->indicator ||
                               strcmp (set->values[at].disaggregation, v->disaggregation)))
            at++;
        if (v->deleted) {
            if (at == set->n) continue;
            free (set->values[at].disaggregation);
            set->values[at] = set->values[--set->n];
            continue;
        }
        if (at == set->n) {
            set->values = socin_realloc (set->values, (set->n + 1) * sizeof *set->values);
            set->values[set->n++] =
                (s_stored_t){v->indicator, socin_strdup (v->disaggregation), v->value};
        } else
            set->values[at].value = v->value;
    }
}

/* Whether the accepted values [FROM, TO) of C (or, with ANY, its values that are not
   deletions, refused or not) take part in side TEXT. */
static bool
s_takes (const ing_checked_t *c, size_t from, size_t to, const char *text, bool any)
{
    for (size_t i = from; i < to; i++) {
        const ing_value_t *v = &c->values[i];
        if (!v->deleted && (any || !v->refused) &&
            socin_rule_side_takes (text, v->indicator, v->disaggregation))
            return true;
    }
    return false;
}

static void
s_warn (ing_checked_t *c, const socin_rule_t *r, const ing_value_t *at, const socin_rule_side_t *l,
        const socin_rule_side_t *rt)
{
    const Socin__V1__ValidationRule *pb = r->pb;
    char buf[SOCIN_DEC_STRLEN];
    Socin__V1__RuleWarning *w = socin_calloc (1, sizeof *w);
    socin__v1__rule_warning__init (w);
    w->rule = socin_strdup (r->code);
    w->importance = socin_strdup (pb->importance);
    w->unit = socin_strdup (at->unit->code);
    w->period = socin_strdup (at->period);
    w->left_value = socin_strdup (socin_rule_side_text (l->sum, buf, sizeof buf));
    w->operator_ = socin_strdup (pb->operator_);
    w->right_value = socin_strdup (socin_rule_side_text (rt->sum, buf, sizeof buf));
    w->left = socin_strdup (pb->left);
    w->right = socin_strdup (pb->right);
    w->message = socin_strdup (pb->message);
    c->warnings = socin_realloc (c->warnings, (c->nwarnings + 1) * sizeof *c->warnings);
    c->warnings[c->nwarnings++] = w;
}

/* Whether rule R has both sides taken by the values [FROM, TO) of C (s_takes: with ANY, the
   refused ones count too). */
static bool
s_rule_taken (const ing_checked_t *c, size_t from, size_t to, const socin_rule_t *r, bool any)
{
    return r && s_takes (c, from, to, r->pb->left, any) && s_takes (c, from, to, r->pb->right, any);
}

/* The rules over the values [FROM, TO), which share unit and period (key prefix PLEN). */
static int
s_check_run (MDB_txn *txn, MDB_dbi values, ing_checked_t *c, size_t from, size_t to, size_t plen)
{
    const socin_model_t *model = c->model;
    size_t nrules = socin_model_count (model, SOCIN_KIND_RULE);
    s_stored_set_t set = {c->values[from].unit, NULL, 0};
    bool loaded = false;
    int rc = 0;
    for (uint32_t id = 1; id <= nrules && !rc; id++) {
        const socin_rule_t *r = socin_model_rule_at (model, id);
        if (!s_rule_taken (c, from, to, r, false)) continue;
        if (!loaded) {
            rc = s_stored_load (txn, values, model, c->values[from].key, plen, &set);
            loaded = true;
            if (rc) break;
            s_stored_overlay (c, from, to, &set);
        }
        socin_rule_side_t l, rt;
        socin_rule_figures_t figures = {s_figure, s_disaggregations, &set};
        if (socin_rule_evaluate (model, r, &figures, &l, &rt) == SOCIN_RULE_VIOLATED)
            s_warn (c, r, &c->values[from], &l, &rt);
    }
    s_stored_free (&set);
    return rc;
}

/* Unit, period, rule: the order of the answer, whatever the order the replica holds rules in. */
static int
s_cmp_warning (const void *a, const void *b)
{
    const Socin__V1__RuleWarning *x = *(Socin__V1__RuleWarning *const *)a,
                                 *y = *(Socin__V1__RuleWarning *const *)b;
    int d = strcmp (x->unit, y->unit);
    if (!d) d = strcmp (x->period, y->period);
    return d ? d : strcmp (x->rule, y->rule);
}

bool
ing_rulewarn_reads (const ing_checked_t *c, size_t from, size_t to)
{
    size_t nrules = c->model ? socin_model_count (c->model, SOCIN_KIND_RULE) : 0;
    for (uint32_t id = 1; id <= nrules; id++)
        if (s_rule_taken (c, from, to, socin_model_rule_at (c->model, id), true)) return true;
    return false;
}

int
ing_rulewarn_check (MDB_txn *txn, MDB_dbi values, ing_checked_t *c)
{
    if (!c->model || !socin_model_count (c->model, SOCIN_KIND_RULE)) return 0;
    /* Values are in key order, so one period and unit ("P" period, unit) is one run. */
    int rc = ing_shape_runs (txn, values, c, 2, s_check_run);
    if (!rc && c->nwarnings > 1)
        qsort (c->warnings, c->nwarnings, sizeof *c->warnings, s_cmp_warning);
    return rc;
}
