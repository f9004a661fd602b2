/*  plans: plan fulfilment from the stored measure reports. See plans.h. */
#include "plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "error.h"
#include "index.h"
#include "mem.h"
#include "period.h"
#include "plan.h"
#include "valuekey.h"
#include "socin/v1/errors.pb-c.h"

#define S_DONE      SOCIN__V1__MEASURE_STATUS__MEASURE_STATUS_DONE
#define S_DELAYED   SOCIN__V1__MEASURE_STATUS__MEASURE_STATUS_DELAYED
#define S_CANCELLED SOCIN__V1__MEASURE_STATUS__MEASURE_STATUS_CANCELLED
#define S_PLANNED   SOCIN__V1__MEASURE_STATUS__MEASURE_STATUS_PLANNED
#define S_PROGRESS  SOCIN__V1__MEASURE_STATUS__MEASURE_STATUS_IN_PROGRESS

/* The latest report of one measure as of the day. */
typedef struct {
    Socin__V1__MeasureProgress *mp;
    int32_t start, end;
    char key[SOCIN_VALUE_KEY_MAX]; /* plan NUL measure */
    size_t keylen;
} s_latest_t;

/* One measure as it stands. */
typedef struct {
    const socin_plan_t *plan;
    const Socin__V1__Measure *m;
    const Socin__V1__MeasureProgress *mp; /* NULL: no report */
    int status;
    bool overdue, has_target, reached;
    socin_dec_t planned[SOCIN_FUNDING_COUNT + 1], spent[SOCIN_FUNDING_COUNT + 1];
} s_state_t;

typedef struct {
    const socin_model_t *model;
    const Socin__V1__PlanFulfilmentQuery *q;
    int32_t as_of;
    s_latest_t *latest;
    size_t nlatest, caplatest;
    socin_index_t *by_measure; /* plan NUL measure -> s_latest_t */
    s_state_t *states;
    size_t nstates;
} s_ctx_t;

/* ---- the reports ---- */

/* Keeps the report under K (value V) when it is for a period begun by the day and later than
   the one kept for its measure. */
static void
s_consider (s_ctx_t *c, const MDB_val *k, const MDB_val *v)
{
    const char *key = (const char *)k->mv_data + 1, *end = (const char *)k->mv_data + k->mv_size;
    const char *m = memchr (key, 0, (size_t)(end - key));
    const char *p = m ? memchr (m + 1, 0, (size_t)(end - m - 1)) : NULL;
    if (!p || v->mv_size < 17) return;
    char ptext[16];
    size_t plen = (size_t)(end - p - 1);
    socin_period_t period;
    if (plen >= sizeof ptext) return;
    memcpy (ptext, p + 1, plen);
    ptext[plen] = 0;
    if (socin_period_parse (ptext, &period, NULL, 0)) return;
    int32_t start = socin_period_start (period), pend = socin_period_end (period);
    if (start > c->as_of) return;
    size_t slen = ((const unsigned char *)v->mv_data)[16];
    if (v->mv_size < 17 + slen) return;
    Socin__V1__MeasureProgress *mp = socin__v1__measure_progress__unpack (
        NULL, v->mv_size - 17 - slen, (const uint8_t *)v->mv_data + 17 + slen);
    if (!mp) return;
    if (mp->delete_) {
        socin__v1__measure_progress__free_unpacked (mp, NULL);
        return;
    }
    size_t klen = (size_t)(p - key);
    s_latest_t *l = socin_index_get (c->by_measure, key, klen);
    if (l && (l->end > pend || (l->end == pend && l->start >= start))) {
        socin__v1__measure_progress__free_unpacked (mp, NULL);
        return;
    }
    if (l) {
        socin__v1__measure_progress__free_unpacked (l->mp, NULL);
    } else {
        if (c->nlatest == c->caplatest) {
            /* The index keys point into the array: it must not move, so it is sized first. */
            socin__v1__measure_progress__free_unpacked (mp, NULL);
            return;
        }
        l = &c->latest[c->nlatest++];
        memcpy (l->key, key, klen);
        l->keylen = klen;
        socin_index_put (c->by_measure, l->key, l->keylen, l);
    }
    l->mp = mp;
    l->start = start;
    l->end = pend;
}

static int
s_read_reports (s_ctx_t *c, const rep_apply_dbs_t *dbs)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    if (socin_store_read_begin (dbs->store, &txn)) return -1;
    MDB_stat st;
    mdb_stat (txn, dbs->measures, &st);
    c->caplatest = st.ms_entries + 1;
    c->latest = socin_calloc (c->caplatest, sizeof *c->latest);
    mdb_cursor_open (txn, dbs->measures, &cur);
    MDB_val k, v;
    while (mdb_cursor_get (cur, &k, &v, MDB_NEXT) == 0)
        if (k.mv_size > 3 && ((const char *)k.mv_data)[0] == 'M') s_consider (c, &k, &v);
    mdb_cursor_close (cur);
    mdb_txn_abort (txn);
    return 0;
}

/* ---- measures as they stand ---- */

static bool
s_plan_wanted (const s_ctx_t *c, const socin_plan_t *plan)
{
    if (!plan->owner_unit && !plan->owner_group) return false;
    if (*c->q->plan) return !strcmp (plan->code, c->q->plan);
    return !c->q->kind || (int)plan->pb->kind == (int)c->q->kind;
}

static void
s_state (s_ctx_t *c, const socin_plan_t *plan, const Socin__V1__Measure *m, s_state_t *s)
{
    memset (s, 0, sizeof *s);
    s->plan = plan;
    s->m = m;
    char key[SOCIN_VALUE_KEY_MAX];
    size_t a = strlen (plan->code), b = strlen (m->code), bad;
    char why[200];
    if (a + b + 1 <= sizeof key) {
        memcpy (key, plan->code, a + 1);
        memcpy (key + a + 1, m->code, b);
        s_latest_t *l = socin_index_get (c->by_measure, key, a + 1 + b);
        s->mp = l ? l->mp : NULL;
    }
    s->status = s->mp ? (int)s->mp->status : S_PLANNED;
    s->overdue = socin_day_or (m->end, SOCIN_DAY_MAX) < c->as_of && s->status != S_DONE &&
                 s->status != S_CANCELLED;
    socin_funding_read (m->budget, m->n_budget, s->planned, &bad, why, sizeof why);
    if (s->mp)
        socin_funding_read (s->mp->spent, s->mp->n_spent, s->spent, &bad, why, sizeof why);
    else
        memset (s->spent, 0, sizeof s->spent);
    socin_dec_t target, got;
    s->has_target =
        *m->output_target &&
        !socin_dec_parse (m->output_target, strlen (m->output_target), &target, why, sizeof why);
    s->reached = s->has_target && s->mp && *s->mp->output_value &&
                 !socin_dec_parse (s->mp->output_value, strlen (s->mp->output_value), &got, why,
                                   sizeof why) &&
                 got >= target;
}

/* Every measure of the wanted plans (of the wanted area), plan by plan in model order. */
static void
s_states (s_ctx_t *c)
{
    size_t nplans = socin_model_count (c->model, SOCIN_KIND_PLAN), n = 0;
    for (uint32_t id = 1; id <= nplans; id++) {
        const socin_plan_t *plan = socin_model_plan_at (c->model, id);
        if (s_plan_wanted (c, plan)) n += plan->pb->n_measures;
    }
    c->states = socin_calloc (n ? n : 1, sizeof *c->states);
    for (uint32_t id = 1; id <= nplans; id++) {
        const socin_plan_t *plan = socin_model_plan_at (c->model, id);
        if (!s_plan_wanted (c, plan)) continue;
        for (size_t i = 0; i < plan->pb->n_measures; i++) {
            const Socin__V1__Measure *m = plan->pb->measures[i];
            if (*c->q->policy_area && strcmp (m->policy_area, c->q->policy_area)) continue;
            s_state (c, plan, m, &c->states[c->nstates++]);
        }
    }
}

/* ---- rows ---- */

typedef struct {
    uint32_t plans, measures, by_status[6], overdue, targets, reached;
    socin_sum_t planned[SOCIN_FUNDING_COUNT + 1], spent[SOCIN_FUNDING_COUNT + 1];
    socin_sum_t budget, budget_done, spent_total;
} s_sums_t;

typedef bool (s_in_fn) (const s_ctx_t *c, const socin_plan_t *plan, const void *arg);

static void
s_sum (const s_ctx_t *c, s_in_fn *in, const void *arg, s_sums_t *out)
{
    memset (out, 0, sizeof *out);
    const socin_plan_t *last = NULL;
    bool last_in = false;
    for (size_t i = 0; i < c->nstates; i++) {
        const s_state_t *s = &c->states[i];
        if (s->plan != last) {
            last = s->plan;
            last_in = in (c, s->plan, arg);
            if (last_in) out->plans++;
        }
        if (!last_in) continue;
        out->measures++;
        out->by_status[s->status >= 1 && s->status <= 5 ? s->status : S_PLANNED]++;
        out->overdue += s->overdue;
        out->targets += s->has_target;
        out->reached += s->reached;
        socin_sum_t total = 0;
        for (int src = 1; src <= SOCIN_FUNDING_COUNT; src++) {
            out->planned[src] += s->planned[src];
            out->spent[src] += s->spent[src];
            out->spent_total += s->spent[src];
            total += s->planned[src];
        }
        out->budget += total;
        if (s->status == S_DONE) out->budget_done += total;
    }
}

static char *
s_sum_text (socin_sum_t v)
{
    char buf[SOCIN_DEC_STRLEN];
    socin_sum_format (v, buf, sizeof buf);
    return socin_strdup (buf);
}

/* PART / WHOLE x 100, exact to six places ("" when WHOLE is 0). */
static char *
s_share (socin_sum_t part, socin_sum_t whole)
{
    socin_dec_t v;
    if (!whole || socin_dec_ratio (part, whole, 100 * SOCIN_DEC_SCALE, &v))
        return socin_strdup ("");
    char buf[SOCIN_DEC_STRLEN];
    socin_dec_format (v, buf, sizeof buf);
    return socin_strdup (buf);
}

static Socin__V1__FundingFigures **
s_funding (const socin_sum_t *planned, const socin_sum_t *spent, size_t *n)
{
    Socin__V1__FundingFigures **list = socin_calloc (SOCIN_FUNDING_COUNT, sizeof *list);
    *n = 0;
    for (int src = 1; src <= SOCIN_FUNDING_COUNT; src++) {
        if (!planned[src] && !spent[src]) continue;
        Socin__V1__FundingFigures *f = socin_malloc (sizeof *f);
        socin__v1__funding_figures__init (f);
        f->source = src;
        f->planned = s_sum_text (planned[src]);
        f->spent = s_sum_text (spent[src]);
        list[(*n)++] = f;
    }
    return list;
}

static Socin__V1__PlanRow *
s_row (const char *code, const char *name, int level, const s_sums_t *s)
{
    Socin__V1__PlanRow *r = socin_malloc (sizeof *r);
    socin__v1__plan_row__init (r);
    r->unit = socin_strdup (code);
    r->name = socin_strdup (name);
    r->level = level;
    r->plans = s->plans;
    r->measures = s->measures;
    r->done = s->by_status[S_DONE];
    r->in_progress = s->by_status[S_PROGRESS];
    r->delayed = s->by_status[S_DELAYED];
    r->cancelled = s->by_status[S_CANCELLED];
    r->planned = s->by_status[S_PLANNED];
    r->overdue = s->overdue;
    r->done_share = s_share ((socin_sum_t)r->done * SOCIN_DEC_SCALE,
                             (socin_sum_t)s->measures * SOCIN_DEC_SCALE);
    r->done_budget_share = s_share (s->budget_done, s->budget);
    r->budget_planned = s_sum_text (s->budget);
    r->budget_done = s_sum_text (s->budget_done);
    r->spent = s_sum_text (s->spent_total);
    r->funding = s_funding (s->planned, s->spent, &r->n_funding);
    r->targets = s->targets;
    r->targets_reached = s->reached;
    return r;
}

static void
s_add_row (Socin__V1__PlanFulfilment *out, Socin__V1__PlanRow *r)
{
    out->rows = socin_realloc (out->rows, (out->n_rows + 1) * sizeof *out->rows);
    out->rows[out->n_rows++] = r;
}

static bool
s_in_unit (const s_ctx_t *c, const socin_plan_t *plan, const void *arg)
{
    return socin_plan_under (c->model, plan, ((const socin_unit_t *)arg)->id);
}

static bool
s_in_group (const s_ctx_t *c, const socin_plan_t *plan, const void *arg)
{
    const socin_group_t *g = arg;
    return plan->owner_group == g->id ||
           (plan->owner_unit && socin_group_has (g, plan->owner_unit));
}

static bool
s_in_all (const s_ctx_t *c, const socin_plan_t *plan, const void *arg)
{
    return true;
}

static int
s_cmp_code (const void *a, const void *b)
{
    return strcmp ((*(const socin_unit_t *const *)a)->code,
                   (*(const socin_unit_t *const *)b)->code);
}

/* One row per unit of the level under ROOT (valid on the day), in code order. */
static void
s_level_rows (const s_ctx_t *c, const socin_unit_t *root, int level, Socin__V1__PlanFulfilment *out)
{
    size_t total = socin_model_count (c->model, SOCIN_KIND_UNIT), n = 0;
    const socin_unit_t **units = socin_calloc (total ? total : 1, sizeof *units);
    for (uint32_t id = 1; id <= total; id++) {
        const socin_unit_t *u = socin_model_unit_at (c->model, id);
        if (u->level == level && socin_unit_under (u, root->id) &&
            socin_unit_valid_during (u, c->as_of, c->as_of))
            units[n++] = u;
    }
    qsort (units, n, sizeof *units, s_cmp_code);
    for (size_t i = 0; i < n; i++) {
        s_sums_t s;
        s_sum (c, s_in_unit, units[i], &s);
        s_add_row (out, s_row (units[i]->code, units[i]->pb->name, level, &s));
    }
    free (units);
}

/* ---- measure states in the answer ---- */

static Socin__V1__MeasureState *
s_measure_state (const s_ctx_t *c, const s_state_t *s)
{
    Socin__V1__MeasureState *ms = socin_malloc (sizeof *ms);
    socin__v1__measure_state__init (ms);
    const Socin__V1__Plan *p = s->plan->pb;
    const Socin__V1__Measure *m = s->m;
    ms->plan = socin_strdup (p->code);
    ms->measure = socin_strdup (m->code);
    ms->title = socin_strdup (m->title);
    ms->owner = socin_strdup (p->owner);
    const socin_unit_t *u = socin_model_unit_at (c->model, s->plan->owner_unit);
    const socin_group_t *g = socin_model_group_at (c->model, s->plan->owner_group);
    ms->owner_name = socin_strdup (u ? u->pb->name : g ? g->pb->name : "");
    ms->responsible = socin_strdup (m->responsible);
    ms->policy_area = socin_strdup (m->policy_area);
    ms->start = socin_strdup (m->start);
    ms->end = socin_strdup (m->end);
    ms->status = s->status;
    ms->period = socin_strdup (s->mp ? s->mp->period : "");
    ms->overdue = s->overdue;
    socin_sum_t planned[SOCIN_FUNDING_COUNT + 1], spent[SOCIN_FUNDING_COUNT + 1], tp = 0, ts = 0;
    for (int src = 0; src <= SOCIN_FUNDING_COUNT; src++) {
        planned[src] = s->planned[src];
        spent[src] = s->spent[src];
        tp += planned[src];
        ts += spent[src];
    }
    ms->budget_planned = s_sum_text (tp);
    ms->spent = s_sum_text (ts);
    ms->funding = s_funding (planned, spent, &ms->n_funding);
    ms->output_indicator = socin_strdup (m->output_indicator);
    ms->output_target = socin_strdup (m->output_target);
    ms->output_value = socin_strdup (s->mp ? s->mp->output_value : "");
    ms->target_reached = s->reached;
    ms->comment = socin_strdup (s->mp ? s->mp->comment : "");
    return ms;
}

static int
s_cmp_state (const void *a, const void *b)
{
    const s_state_t *x = *(const s_state_t *const *)a, *y = *(const s_state_t *const *)b;
    int d = strcmp (x->plan->code, y->plan->code);
    return d ? d : strcmp (x->m->code, y->m->code);
}

/* The measures IN keeps (only the late ones when LATE) into *LIST, by plan and code. */
static void
s_list (const s_ctx_t *c, s_in_fn *in, const void *arg, bool late, Socin__V1__MeasureState ***list,
        size_t *n)
{
    const s_state_t **pick = socin_calloc (c->nstates ? c->nstates : 1, sizeof *pick);
    size_t k = 0;
    for (size_t i = 0; i < c->nstates; i++) {
        const s_state_t *s = &c->states[i];
        if (late && !s->overdue && s->status != S_DELAYED) continue;
        if (in (c, s->plan, arg)) pick[k++] = s;
    }
    qsort (pick, k, sizeof *pick, s_cmp_state);
    *list = socin_calloc (k ? k : 1, sizeof **list);
    for (size_t i = 0; i < k; i++)
        (*list)[i] = s_measure_state (c, pick[i]);
    *n = k;
    free (pick);
}

/* ---- the answer ---- */

/* The scope of the rows: a plan, a group, or a unit with a level. */
static int
s_rows (s_ctx_t *c, Socin__V1__PlanFulfilment *out, char *why, size_t whylen)
{
    const Socin__V1__PlanFulfilmentQuery *q = c->q;
    if (*q->plan) {
        const socin_plan_t *plan = socin_model_plan (c->model, q->plan);
        s_sums_t s;
        s_sum (c, s_in_all, NULL, &s);
        s_add_row (out, s_row (plan->code, plan->pb->name, 0, &s));
        Socin__V1__Record rec = SOCIN__V1__RECORD__INIT;
        rec.kind_case = SOCIN__V1__RECORD__KIND_PLAN;
        rec.plan = plan->pb;
        socin_record_t *copy = socin_record_copy (&rec);
        out->plan = copy->plan;
        copy->plan = NULL;
        copy->kind_case = SOCIN__V1__RECORD__KIND__NOT_SET;
        protobuf_c_message_free_unpacked (&copy->base, NULL);
        s_list (c, s_in_all, NULL, false, &out->measures, &out->n_measures);
        if (q->list_late) s_list (c, s_in_all, NULL, true, &out->late, &out->n_late);
        return 0;
    }
    if (*q->group) {
        const socin_group_t *g = socin_model_group (c->model, q->group);
        if (!g) return socin_error_set (why, whylen, "group '%s' is not in the registry", q->group);
        s_sums_t s;
        s_sum (c, s_in_group, g, &s);
        s_add_row (out, s_row (g->code, g->pb->name, 0, &s));
        if (q->list_late) s_list (c, s_in_group, g, true, &out->late, &out->n_late);
        return 0;
    }
    const char *code = *q->under ? q->under : "CZ";
    const socin_unit_t *root = socin_model_unit (c->model, code);
    if (!root) return socin_error_set (why, whylen, "unit '%s' is not in the registry", code);
    if (q->level) {
        s_level_rows (c, root, (int)q->level, out);
    } else {
        s_sums_t s;
        s_sum (c, s_in_unit, root, &s);
        s_add_row (out, s_row (root->code, root->pb->name, root->level, &s));
    }
    if (q->list_late) s_list (c, s_in_unit, root, true, &out->late, &out->n_late);
    return 0;
}

/* The arguments: a day, a known plan kind, a plan that exists, a level. */
static int
s_check (const socin_model_t *model, const Socin__V1__PlanFulfilmentQuery *q, int32_t *as_of,
         char *why, size_t whylen)
{
    char err[200];
    if (*q->as_of && socin_date_parse (q->as_of, as_of, err, sizeof err)) {
        socin_error_set (why, whylen, "as_of %s", err);
        return SOCIN_E (INVALID_ARGUMENT);
    }
    if ((int)q->kind < 0 || (int)q->kind > SOCIN__V1__PLAN_KIND__PLAN_KIND_REMOTE_SUPPORT) {
        socin_error_set (why, whylen, "plan kind %d is not one of %s", (int)q->kind,
                         socin_plan_kind_names ());
        return SOCIN_E (INVALID_ARGUMENT);
    }
    if ((int)q->level < 0 || (int)q->level > SOCIN_LEVEL_DISTRICT) {
        socin_error_set (why, whylen, "level %d is not a territorial level", (int)q->level);
        return SOCIN_E (INVALID_ARGUMENT);
    }
    if (*q->plan && !socin_model_plan (model, q->plan)) {
        socin_error_set (why, whylen, "plan '%s' is not in the registry", q->plan);
        return SOCIN_E (NOT_FOUND);
    }
    return 0;
}

int
rep_plans_answer (const socin_model_t *model, const rep_apply_dbs_t *dbs, int32_t today,
                  const Socin__V1__PlanFulfilmentQuery *q, Socin__V1__PlanFulfilment *out,
                  char *why, size_t whylen)
{
    s_ctx_t c = {.model = model, .q = q, .as_of = today};
    int code = s_check (model, q, &c.as_of, why, whylen);
    if (code) return code;
    c.by_measure = socin_index_new ();
    if (s_read_reports (&c, dbs)) {
        socin_error_set (why, whylen, "the store cannot be read");
        code = SOCIN_E (STORAGE_ERROR);
    } else {
        s_states (&c);
        if (s_rows (&c, out, why, whylen)) code = SOCIN_E (NOT_FOUND);
    }
    char day[SOCIN_DATE_STRLEN];
    socin_date_format (c.as_of, day, sizeof day);
    out->as_of = socin_strdup (day);
    for (size_t i = 0; i < c.nlatest; i++)
        socin__v1__measure_progress__free_unpacked (c.latest[i].mp, NULL);
    free (c.latest);
    free (c.states);
    socin_index_destroy (&c.by_measure);
    return code;
}
