/*  approval: approval steps and the lock they put on data. See approval.h. */
#include "approval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#include "mem.h"
#include "store.h"

#define KIND_APPROVAL SOCIN__V1__ITEM_KIND__ITEM_KIND_APPROVAL
#define KIND_VALUE    SOCIN__V1__ITEM_KIND__ITEM_KIND_VALUE
#define STEP_CENTRE   SOCIN__V1__APPROVAL_STEP__APPROVAL_STEP_CENTRE

const char *
ing_approval_step_name (int step)
{
    static const char *names[] = {"none", "municipality", "region", "centre"};
    return step >= 0 && step <= 3 ? names[step] : "unknown";
}

/* "A" dataset NUL period NUL unit into KEY (ING_KEY_MAX bytes); its length, 0 when too long. */
static size_t
s_key (const char *dataset, const char *period, const char *unit, char *key)
{
    int n = snprintf (key, ING_KEY_MAX, "A%s%c%s%c%s", dataset, 0, period, 0, unit);
    return n > 0 && n < ING_KEY_MAX ? (size_t)n : 0;
}

/* Whether SUB may approve STEP for UNIT (its territory already covers UNIT). */
static bool
s_may_approve (const socin_model_t *m, const socin_submitter_t *sub, const socin_unit_t *unit,
               int step)
{
    if (step == 1) return true;
    for (size_t r = 0; r < sub->nroots; r++) {
        const socin_unit_t *root = socin_model_unit_at (m, sub->roots[r]);
        if (!root || !socin_unit_under (unit, root->id)) continue;
        if (step == STEP_CENTRE && root->level == SOCIN_LEVEL_COUNTRY) return true;
        if (step == 2 && root != unit && root->level < SOCIN_LEVEL_MUNICIPALITY) return true;
    }
    return false;
}

/* The data set, period and unit of approval item A: known, of one another's kind. */
static bool
s_check_target (const ing_context_t *ctx, const Socin__V1__Approval *a, uint32_t i,
                ing_checked_t *out, ing_approval_t *ok)
{
    char why[200];
    socin_period_t period;
    ok->dataset = socin_model_dataset (ctx->model, a->dataset);
    ok->unit = socin_model_unit (ctx->model, a->unit);
    if (!ok->dataset) {
        ing_conflict (out, KIND_APPROVAL, i, SOCIN_E (UNKNOWN_DATASET), "dataset", a->dataset,
                      "data set \"%s\" is not in the catalogue", a->dataset);
        return false;
    }
    if (!ok->unit) {
        ing_conflict (out, KIND_APPROVAL, i, SOCIN_E (UNKNOWN_UNIT), "unit", a->unit,
                      "unit \"%s\" is not in the registry", a->unit);
        return false;
    }
    if (socin_period_parse (a->period, &period, why, sizeof why)) {
        ing_conflict (out, KIND_APPROVAL, i, SOCIN_E (MALFORMED_PERIOD), "period", a->period, "%s",
                      why);
        return false;
    }
    if (period.type != ok->dataset->period_type) {
        ing_conflict (out, KIND_APPROVAL, i, SOCIN_E (WRONG_PERIOD_TYPE), "period", a->period,
                      "data set %s is reported %s; %s is %s", ok->dataset->code,
                      socin_period_type_name (ok->dataset->period_type), a->period,
                      socin_period_type_name (period.type));
        return false;
    }
    if (!socin_dataset_includes (ctx->model, ok->dataset, ok->unit)) {
        ing_conflict (out, KIND_APPROVAL, i, SOCIN_E (INDICATOR_NOT_IN_DATASET), "unit", a->unit,
                      "unit %s does not report data set %s", a->unit, ok->dataset->code);
        return false;
    }
    socin_period_format (period, ok->period, sizeof ok->period);
    return true;
}

/* Who: the submitter's and this ingest's territory, the data set, the step's right. */
static bool
s_check_right (const ing_context_t *ctx, const Socin__V1__Approval *a, uint32_t i,
               ing_checked_t *out, ing_approval_t *ok)
{
    char step[16];
    snprintf (step, sizeof step, "%d", (int)a->step);
    if (a->step < 1 || a->step > STEP_CENTRE) {
        ing_conflict (out, KIND_APPROVAL, i, SOCIN_E (UNKNOWN_STEP), "step", step,
                      "step %d is not municipality (1), region (2) or centre (3)", (int)a->step);
        return false;
    }
    if (!ing_territory_ok (ctx, out, KIND_APPROVAL, i, ok->unit)) return false;
    if (!socin_submitter_may_report (ctx->submitter, ok->dataset->id)) {
        ing_conflict (out, KIND_APPROVAL, i, SOCIN_E (DATASET_NOT_ALLOWED), "dataset", a->dataset,
                      "submitter %s may not report (nor approve) data set %s", ctx->submitter->code,
                      a->dataset);
        return false;
    }
    if (!s_may_approve (ctx->model, ctx->submitter, ok->unit, (int)a->step)) {
        ing_conflict (out, KIND_APPROVAL, i, SOCIN_E (NOT_APPROVER), "step", step,
                      "submitter %s may not approve the %s step for %s: that needs a territory "
                      "%s",
                      ctx->submitter->code, ing_approval_step_name ((int)a->step), a->unit,
                      a->step == STEP_CENTRE ? "of the whole country"
                                             : "of an ORP, okres or kraj above the unit");
        return false;
    }
    ok->step = (int)a->step;
    return true;
}

void
ing_approval_validate (const ing_context_t *ctx, const Socin__V1__Submission *sub,
                       ing_checked_t *out)
{
    out->approvals = socin_calloc (sub->n_approvals + 1, sizeof *out->approvals);
    for (size_t i = 0; i < sub->n_approvals; i++) {
        const Socin__V1__Approval *a = sub->approvals[i];
        ing_approval_t *ok = &out->approvals[out->napprovals];
        memset (ok, 0, sizeof *ok);
        if (!ing_text_ok (out, KIND_APPROVAL, (uint32_t)i, "comment", a->comment, 1000) ||
            !s_check_target (ctx, a, (uint32_t)i, out, ok) ||
            !s_check_right (ctx, a, (uint32_t)i, out, ok))
            continue;
        ok->keylen = s_key (ok->dataset->code, ok->period, ok->unit->code, ok->key);
        bool twice = !ok->keylen;
        for (size_t k = 0; k < out->napprovals && !twice; k++)
            twice = out->approvals[k].keylen == ok->keylen &&
                    !memcmp (out->approvals[k].key, ok->key, ok->keylen);
        if (twice) {
            ing_conflict (out, KIND_APPROVAL, (uint32_t)i, SOCIN_E (DUPLICATE_KEY), "dataset",
                          a->dataset, "another approval item of this submission names %s %s for %s",
                          ok->dataset->code, ok->period, ok->unit->code);
            continue;
        }
        ok->index = (uint32_t)i;
        ok->withdraw = a->withdraw;
        ok->comment = a->comment;
        out->napprovals++;
    }
    ing_checked_seal (out);
}

/* The stored step of KEY (0: none). */
static int
s_step (MDB_txn *txn, MDB_dbi approvals, const char *key, size_t keylen, int *step)
{
    MDB_val k = {keylen, (void *)key}, v;
    int rc = mdb_get (txn, approvals, &k, &v);
    *step = rc == 0 && v.mv_size >= 9 ? ((const unsigned char *)v.mv_data)[0] : 0;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int
ing_approval_lock (MDB_txn *txn, MDB_dbi approvals, ing_checked_t *c)
{
    /* Most stores hold no approval at all: then nothing is locked, and no value needs its
       approval key built and looked up. */
    MDB_stat st;
    int rc = mdb_stat (txn, approvals, &st);
    if (rc) return rc;
    if (!st.ms_entries) return 0;
    /* Values are in key order (period, unit, indicator): neighbours share the data set,
       period and unit, so the last look-up answers most of them. */
    const socin_dataset_t *last_ds = NULL;
    const socin_unit_t *last_unit = NULL;
    const char *last_period = NULL;
    int last_step = 0;
    for (size_t i = 0; i < c->nvalues; i++) {
        ing_value_t *v = &c->values[i];
        if (v->refused) continue;
        for (int d = 0; d < v->indicator->ndatasets && !v->refused; d++) {
            const socin_dataset_t *ds =
                socin_model_dataset_at (c->model, v->indicator->datasets[d]);
            if (!ds || !socin_dataset_includes (c->model, ds, v->unit)) continue;
            int step;
            if (ds == last_ds && v->unit == last_unit && !strcmp (v->period, last_period))
                step = last_step;
            else {
                char key[ING_KEY_MAX];
                size_t klen = s_key (ds->code, v->period, v->unit->code, key);
                step = 0;
                if (klen && (rc = s_step (txn, approvals, key, klen, &step))) return rc;
                last_ds = ds;
                last_unit = v->unit;
                last_period = v->period;
                last_step = step;
            }
            if (!step) continue;
            v->refused = true;
            ing_conflict (c, KIND_VALUE, v->index, SOCIN_E (DATA_APPROVED), "period", v->period,
                          "data set %s for %s, period %s is approved (%s step): its values cannot "
                          "change until the approval is withdrawn",
                          ds->code, v->unit->code, v->period, ing_approval_step_name (step));
        }
    }
    return 0;
}

/* Writes state STEP of approval A as batch SEQ, in APPROVALS and HISTORY. */
static int
s_put (MDB_txn *txn, MDB_dbi approvals, MDB_dbi history, const ing_approval_t *a, int step,
       uint64_t seq)
{
    size_t clen = strlen (a->comment);
    unsigned char *state = socin_malloc (9 + clen);
    state[0] = (unsigned char)step;
    socin_be64_put (state + 1, seq);
    memcpy (state + 9, a->comment, clen);
    char hkey[ING_KEY_MAX + 8];
    memcpy (hkey, a->key, a->keylen);
    socin_be64_put ((unsigned char *)hkey + a->keylen, seq);
    MDB_val k = {a->keylen, (void *)a->key}, hk = {a->keylen + 8, hkey}, v = {9 + clen, state};
    int rc = mdb_put (txn, history, &hk, &v, 0);
    if (!rc) rc = step ? mdb_put (txn, approvals, &k, &v, 0) : mdb_del (txn, approvals, &k, NULL);
    free (state);
    return rc;
}

/* The state approval item A leaves when the stored step is CUR: the new step, CUR when
   nothing changes, or -1 when out of order (with a conflict in CHECKED). */
static int
s_next (ing_checked_t *checked, const ing_approval_t *a, int cur)
{
    const char *need = NULL;
    int next = cur;
    if (!a->withdraw && cur < a->step - 1)
        need = "the step below it approved first";
    else if (!a->withdraw && cur == a->step - 1)
        next = a->step;
    else if (a->withdraw && cur > a->step)
        need = "the step above it withdrawn first";
    else if (a->withdraw && cur == a->step)
        next = a->step - 1;
    if (!need) return next;
    char step[16];
    snprintf (step, sizeof step, "%d", a->step);
    ing_conflict (checked, KIND_APPROVAL, a->index, SOCIN_E (APPROVAL_ORDER), "step", step,
                  "%s the %s step of %s %s for %s needs %s (it is now approved to the %s step)",
                  a->withdraw ? "withdrawing" : "approving", ing_approval_step_name (a->step),
                  a->dataset->code, a->period, a->unit->code, need, ing_approval_step_name (cur));
    return -1;
}

int
ing_approval_apply (MDB_txn *txn, MDB_dbi approvals, MDB_dbi history, ing_checked_t *checked,
                    const Socin__V1__Submission *sub, ing_counts_t *counts, uint64_t seq, bool dry,
                    Socin__V1__ApprovalState *changes, size_t *nchanges)
{
    for (size_t i = 0; i < checked->napprovals; i++) {
        const ing_approval_t *a = &checked->approvals[i];
        int cur, rc = s_step (txn, approvals, a->key, a->keylen, &cur);
        if (rc) return rc;
        int next = s_next (checked, a, cur);
        if (next < 0) continue;
        if (next == cur) {
            counts->ignored++;
            continue;
        }
        if (!cur)
            counts->imported++;
        else if (!next)
            counts->deleted++;
        else
            counts->updated++;
        if (!dry && (rc = s_put (txn, approvals, history, a, next, seq))) return rc;
        Socin__V1__ApprovalState *c = &changes[(*nchanges)++];
        socin__v1__approval_state__init (c);
        c->dataset = (char *)a->dataset->code;
        c->period = (char *)a->period;
        c->unit = (char *)a->unit->code;
        c->step = next;
        c->comment = (char *)a->comment;
    }
    return 0;
}
