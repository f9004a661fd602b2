/*  followup: follow-up marks at the ingest. See followup.h. */
#include "followup.h"

#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "error.h"

#include "mem.h"
#include "wire.h"

#define KIND_FOLLOWUP SOCIN__V1__ITEM_KIND__ITEM_KIND_FOLLOWUP

/* A value sent with its followup flag set (DHIS2's followup column) is marked too, unless an
   item of the submission marks or clears it already. */
static void
s_from_values (const Socin__V1__Submission *sub, ing_checked_t *out)
{
    size_t explicit_marks = out->nfollowups, n = 0;
    for (size_t i = 0; i < out->nvalues; i++)
        n += sub->values[out->values[i].index]->followup && !out->values[i].deleted;
    if (!n) return;
    out->followups =
        socin_realloc (out->followups, (out->nfollowups + n + 1) * sizeof *out->followups);
    for (size_t i = 0; i < out->nvalues; i++) {
        const ing_value_t *v = &out->values[i];
        if (!sub->values[v->index]->followup || v->deleted) continue;
        bool named = false;
        for (size_t k = 0; k < explicit_marks && !named; k++)
            named = out->followups[k].keylen == v->keylen &&
                    !memcmp (out->followups[k].key, v->key, v->keylen);
        if (named) continue;
        ing_followup_t *f = &out->followups[out->nfollowups++];
        memset (f, 0, sizeof *f);
        f->index = v->index;
        f->followup = true;
        f->from_value = true;
        f->value_at = i;
        memcpy (f->period, v->period, sizeof f->period);
        f->indicator = v->indicator;
        f->unit = v->unit;
        f->disaggregation = v->disaggregation;
        f->comment = "";
        f->key = v->key;
        f->keylen = v->keylen;
    }
}

void
ing_followup_validate (const ing_context_t *ctx, const Socin__V1__Submission *sub,
                       ing_checked_t *out)
{
    out->followups = socin_calloc (sub->n_followups + 1, sizeof *out->followups);
    for (size_t i = 0; i < sub->n_followups; i++) {
        const Socin__V1__FollowupMark *m = sub->followups[i];
        Socin__V1__DataValue dv = SOCIN__V1__DATA_VALUE__INIT;
        dv.indicator = m->indicator;
        dv.unit = m->unit;
        dv.period = m->period;
        dv.disaggregation = m->disaggregation;
        dv.comment = m->comment;
        dv.delete_ = true; /* the key only */
        ing_value_t v;
        if (!ing_validate_key (ctx, &dv, (uint32_t)i, KIND_FOLLOWUP, out, &v)) continue;
        bool twice = false;
        for (size_t k = 0; k < out->nfollowups && !twice; k++)
            twice = out->followups[k].keylen == v.keylen &&
                    !memcmp (out->followups[k].key, v.key, v.keylen);
        if (twice) {
            ing_conflict (out, KIND_FOLLOWUP, (uint32_t)i, SOCIN_E (DUPLICATE_KEY), "indicator",
                          m->indicator,
                          "another follow-up mark of this submission names the "
                          "same value (%s %s %s)",
                          v.indicator->code, v.unit->code, v.period);
            continue;
        }
        ing_followup_t *f = &out->followups[out->nfollowups++];
        f->index = (uint32_t)i;
        f->followup = m->followup;
        memcpy (f->period, v.period, sizeof f->period);
        f->indicator = v.indicator;
        f->unit = v.unit;
        f->disaggregation = v.disaggregation;
        f->comment = m->comment;
        f->key = v.key;
        f->keylen = v.keylen;
    }
    s_from_values (sub, out);
    ing_checked_seal (out);
}

/* The stored mark: be64 seq, then the comment. */
static int
s_put_mark (MDB_txn *txn, MDB_dbi followups, const ing_followup_t *f, uint64_t seq)
{
    MDB_val k = {f->keylen, (void *)f->key};
    size_t clen = strlen (f->comment);
    MDB_val v = {8 + clen, NULL};
    int rc = mdb_put (txn, followups, &k, &v, MDB_RESERVE);
    if (rc) return rc;
    socin_be64_put (v.mv_data, seq);
    memcpy ((char *)v.mv_data + 8, f->comment, clen);
    return 0;
}

/* What mark F makes of the stored one: 0 nothing, 1 set (new), 2 comment changed, 3 cleared;
   -1 refused (no such value), or an LMDB error in *RC. */
static int
s_effect (MDB_txn *txn, MDB_dbi values, MDB_dbi followups, const ing_followup_t *f, int *rc)
{
    MDB_val k = {f->keylen, (void *)f->key}, v;
    *rc = mdb_get (txn, followups, &k, &v);
    if (*rc && *rc != MDB_NOTFOUND) return 0;
    bool marked = *rc == 0;
    size_t clen = strlen (f->comment);
    bool same =
        marked && v.mv_size == 8 + clen && !memcmp ((char *)v.mv_data + 8, f->comment, clen);
    *rc = 0;
    if (!f->followup) return marked ? 3 : 0;
    MDB_val cur;
    socin_chunks_t *h = socin_chunks_open (txn, values, rc);
    if (!h) return 0;
    *rc = socin_chunks_get (h, &k, &cur, MDB_SET_KEY);
    socin_chunks_close (&h, true); /* it only reads */
    if (*rc == MDB_NOTFOUND) return *rc = 0, -1;
    if (*rc) return 0;
    return !marked ? 1 : same ? 0 : 2;
}

int
ing_followup_apply (MDB_txn *txn, MDB_dbi values, MDB_dbi followups, ing_checked_t *checked,
                    const Socin__V1__Submission *sub, ing_counts_t *counts, uint64_t seq, bool dry,
                    Socin__V1__FollowupMark *changes, size_t *nchanges)
{
    for (size_t i = 0; i < checked->nfollowups; i++) {
        const ing_followup_t *f = &checked->followups[i];
        if (f->from_value && checked->values[f->value_at].refused) continue;
        int rc, effect = s_effect (txn, values, followups, f, &rc);
        if (rc) return rc;
        if (f->from_value) {
            /* Counted with its value; a refused value leaves no mark and no conflict. */
            if (effect <= 0 || effect == 2) continue;
        } else if (effect < 0) {
            const Socin__V1__FollowupMark *m = sub->followups[f->index];
            ing_conflict (checked, KIND_FOLLOWUP, f->index, SOCIN_E (NO_SUCH_VALUE), "indicator",
                          m->indicator,
                          "no value of %s for unit %s, period %s%s%s is stored to mark for "
                          "follow-up",
                          f->indicator->code, f->unit->code, f->period,
                          *f->disaggregation ? ", " : "", f->disaggregation);
            continue;
        }
        if (effect == 0 && !f->from_value) {
            counts->ignored++;
            continue;
        }
        if (!f->from_value) {
            counts->imported += effect == 1;
            counts->updated += effect == 2;
            counts->deleted += effect == 3;
        }
        if (!dry) {
            MDB_val k = {f->keylen, (void *)f->key};
            rc = effect == 3 ? mdb_del (txn, followups, &k, NULL)
                             : s_put_mark (txn, followups, f, seq);
            if (rc) return rc;
        }
        Socin__V1__FollowupMark *c = &changes[(*nchanges)++];
        socin__v1__followup_mark__init (c);
        c->indicator = (char *)f->indicator->code;
        c->unit = (char *)f->unit->code;
        c->period = (char *)f->period;
        c->disaggregation = (char *)f->disaggregation;
        c->followup = f->followup;
        c->comment = (char *)f->comment;
    }
    return 0;
}
