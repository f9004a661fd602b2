/*  marks: follow-up marks and approval states at reporting. See marks.h. */
#include "marks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "decimal.h"
#include "mem.h"
#include "store.h"
#include "valuekey.h"
#include "valuestate.h"

#define KEY_MAX (SOCIN_VALUE_KEY_MAX + 160)

void
rep_marks_open (rep_marks_dbs_t *dbs, socin_store_t *store, MDB_dbi values)
{
    dbs->store = store;
    dbs->values = values;
    dbs->approvals = socin_store_dbi (store, "approvals", 0);
    dbs->approval_history = socin_store_dbi (store, "approval_history", 0);
    dbs->followups = socin_store_dbi (store, "followups", 0);
}

/* A stored mark or approval state. */
typedef struct {
    int64_t ms;
    uint64_t seq;
    const char *source, *submitter, *comment;
    size_t slen, sublen, clen;
    int flag; /* the mark (0/1) or the step */
} s_state_t;

/* be64 ms, be64 seq, source length, source, flag, submitter length, submitter, comment. */
static size_t
s_pack (const s_state_t *st, unsigned char *out)
{
    size_t n = 0;
    if (out) socin_be64_put (out, (uint64_t)st->ms);
    if (out) socin_be64_put (out + 8, st->seq);
    n = 16;
    if (out) out[n] = (unsigned char)st->slen;
    n++;
    if (out) memcpy (out + n, st->source, st->slen);
    n += st->slen;
    if (out) out[n] = (unsigned char)st->flag;
    n++;
    if (out) out[n] = (unsigned char)st->sublen;
    n++;
    if (out) memcpy (out + n, st->submitter, st->sublen);
    n += st->sublen;
    if (out) memcpy (out + n, st->comment, st->clen);
    return n + st->clen;
}

static bool
s_unpack (const MDB_val *v, s_state_t *st)
{
    const unsigned char *p = v->mv_data;
    size_t len = v->mv_size;
    if (len < 19) return false;
    st->ms = (int64_t)socin_be64_get (p);
    st->seq = socin_be64_get (p + 8);
    st->slen = p[16];
    if (17 + st->slen + 2 > len) return false;
    st->source = (const char *)p + 17;
    st->flag = p[17 + st->slen];
    st->sublen = p[18 + st->slen];
    size_t at = 19 + st->slen;
    if (at + st->sublen > len) return false;
    st->submitter = (const char *)p + at;
    st->comment = (const char *)p + at + st->sublen;
    st->clen = len - at - st->sublen;
    return true;
}

/* Puts ST under K when it is later than what K holds. */
static int
s_put_later (MDB_txn *txn, MDB_dbi dbi, const MDB_val *k, const s_state_t *st)
{
    MDB_val old;
    int rc = mdb_get (txn, dbi, (MDB_val *)k, &old);
    s_state_t was;
    if (rc == 0 && s_unpack (&old, &was) &&
        socin_version_cmp (st->ms, st->source, st->slen, st->seq, was.ms, was.source, was.slen,
                           was.seq) <= 0)
        return 0;
    if (rc && rc != MDB_NOTFOUND) return rc;
    MDB_val v = {s_pack (st, NULL), NULL};
    rc = mdb_put (txn, dbi, (MDB_val *)k, &v, MDB_RESERVE);
    if (!rc) s_pack (st, v.mv_data);
    return rc;
}

/* "A" dataset NUL period NUL unit; its length (0 when too long). */
static size_t
s_approval_key (const char *dataset, const char *period, const char *unit, char *key)
{
    int n = snprintf (key, SOCIN_VALUE_KEY_MAX, "A%s%c%s%c%s", dataset, 0, period, 0, unit);
    return n > 0 && n < SOCIN_VALUE_KEY_MAX ? (size_t)n : 0;
}

static int
s_apply_approval (const rep_marks_dbs_t *dbs, MDB_txn *txn, const s_state_t *base,
                  const Socin__V1__ApprovalState *a)
{
    char key[KEY_MAX];
    size_t klen = s_approval_key (a->dataset, a->period, a->unit, key);
    if (!klen) return 0;
    s_state_t st = *base;
    st.flag = a->step;
    st.comment = a->comment;
    st.clen = strlen (a->comment);
    MDB_val k = {klen, key};
    int rc = s_put_later (txn, dbs->approvals, &k, &st);
    if (rc) return rc;
    /* History: the approval key, 0xFF, then the version, which orders it. */
    size_t n = klen;
    key[n++] = (char)0xFF;
    socin_be64_put ((unsigned char *)key + n, (uint64_t)st.ms);
    n += 8;
    memcpy (key + n, st.source, st.slen);
    n += st.slen;
    key[n++] = 0;
    socin_be64_put ((unsigned char *)key + n, st.seq);
    MDB_val hk = {n + 8, key}, hv = {s_pack (&st, NULL), NULL};
    rc = mdb_put (txn, dbs->approval_history, &hk, &hv, MDB_RESERVE);
    if (!rc) s_pack (&st, hv.mv_data);
    return rc;
}

int
rep_marks_apply (const rep_marks_dbs_t *dbs, MDB_txn *txn, const char *source,
                 const Socin__V1__ChangeBatch *batch)
{
    s_state_t base = {.ms = batch->accepted_ms,
                      .seq = batch->seq,
                      .source = source,
                      .slen = strlen (source),
                      .submitter = batch->submitter,
                      .sublen = strlen (batch->submitter)};
    if (base.slen > 127) base.slen = 127;
    if (base.sublen > 255) base.sublen = 255;
    int rc = 0;
    for (size_t i = 0; i < batch->n_followups && !rc; i++) {
        const Socin__V1__FollowupMark *m = batch->followups[i];
        char key[KEY_MAX];
        MDB_val k = {socin_value_key (m->indicator, m->unit, m->period, m->disaggregation, key),
                     key};
        if (!k.mv_size) continue;
        s_state_t st = base;
        st.flag = m->followup;
        st.comment = m->comment;
        st.clen = strlen (m->comment);
        rc = s_put_later (txn, dbs->followups, &k, &st);
    }
    for (size_t i = 0; i < batch->n_approvals && !rc; i++)
        rc = s_apply_approval (dbs, txn, &base, batch->approvals[i]);
    return rc;
}

int
rep_marks_step (const rep_marks_dbs_t *dbs, MDB_txn *txn, const char *dataset, const char *period,
                const char *unit)
{
    char key[KEY_MAX];
    MDB_val k = {s_approval_key (dataset, period, unit, key), key}, v;
    s_state_t st;
    if (!k.mv_size || mdb_get (txn, dbs->approvals, &k, &v) || !s_unpack (&v, &st)) return 0;
    return st.flag;
}

void
rep_marks_steps (const rep_marks_dbs_t *dbs, MDB_txn *txn, const socin_model_t *model,
                 const char *dataset, const char *period, size_t nunits, uint8_t *step)
{
    memset (step, 0, nunits + 1);
    char key[KEY_MAX], code[KEY_MAX];
    /* The key of the unit "" is the prefix every unit's key of this data set and period has. */
    size_t plen = s_approval_key (dataset, period, "", key);
    MDB_cursor *cur;
    if (!plen || mdb_cursor_open (txn, dbs->approvals, &cur)) return;
    MDB_val k = {plen, key}, v;
    int rc = mdb_cursor_get (cur, &k, &v, MDB_SET_RANGE);
    for (; rc == 0 && k.mv_size >= plen && !memcmp (k.mv_data, key, plen);
         rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT)) {
        s_state_t st;
        size_t clen = k.mv_size - plen;
        if (!s_unpack (&v, &st) || clen >= sizeof code) continue;
        memcpy (code, (const char *)k.mv_data + plen, clen);
        code[clen] = 0;
        const socin_unit_t *u = socin_model_unit (model, code);
        if (u && u->id <= nunits) step[u->id] = (uint8_t)st.flag;
    }
    mdb_cursor_close (cur);
}

/* One row of the follow-up list from key K and state ST. */
static Socin__V1__FollowupRow *
s_followup_row (const rep_marks_dbs_t *dbs, MDB_txn *txn, const MDB_val *k, const s_state_t *st,
                const socin_unit_t *unit, const char *indicator, const char *period,
                const char *disagg)
{
    Socin__V1__FollowupRow *r = socin_calloc (1, sizeof *r);
    socin__v1__followup_row__init (r);
    r->indicator = socin_strdup (indicator);
    r->unit = socin_strdup (unit->code);
    r->unit_name = socin_strdup (unit->pb->name);
    r->period = socin_strdup (period);
    r->disaggregation = socin_strdup (disagg);
    r->comment = socin_strndup (st->comment, st->clen);
    r->submitter = socin_strndup (st->submitter, st->sublen);
    r->source = socin_strndup (st->source, st->slen);
    r->marked_ms = st->ms;
    MDB_val v;
    socin_value_state_t now;
    char text[SOCIN_DEC_STRLEN];
    int rc;
    MDB_val ck = *k;
    socin_chunks_t *h = socin_chunks_open (txn, dbs->values, &rc);
    if (h && socin_chunks_get (h, &ck, &v, MDB_SET_KEY) == 0 &&
        socin_value_state_unpack (SOCIN_VALUE_VERSION, v.mv_data, v.mv_size, &now) &&
        !now.deleted) {
        socin_dec_format (now.value, text, sizeof text);
        r->value = socin_strdup (text);
    }
    socin_chunks_close (&h, true); /* it only reads */
    return r;
}

int
rep_marks_followups (const rep_marks_dbs_t *dbs, const socin_model_t *model,
                     const socin_unit_t *root, const char *period, const char *indicator,
                     Socin__V1__Followups *out)
{
    MDB_txn *txn;
    if (socin_store_read_begin (dbs->store, &txn)) return -1;
    MDB_cursor *cur;
    mdb_cursor_open (txn, dbs->followups, &cur);
    MDB_val k, v;
    size_t cap = 0;
    while (mdb_cursor_get (cur, &k, &v, MDB_NEXT) == 0) {
        const char *ind, *code, *per;
        char disagg[256];
        s_state_t st;
        if (!s_unpack (&v, &st) || !st.flag ||
            !socin_value_key_split (k.mv_data, k.mv_size, &ind, &code, &per, disagg, sizeof disagg))
            continue;
        const socin_unit_t *unit = socin_model_unit (model, code);
        if (!unit || !socin_unit_under (unit, root->id) || (*period && strcmp (period, per)) ||
            (*indicator && strcmp (indicator, ind)))
            continue;
        if (out->n_rows == cap) {
            cap = cap ? cap * 2 : 16;
            out->rows = socin_realloc (out->rows, cap * sizeof *out->rows);
        }
        out->rows[out->n_rows++] = s_followup_row (dbs, txn, &k, &st, unit, ind, per, disagg);
    }
    mdb_cursor_close (cur);
    mdb_txn_abort (txn);
    return 0;
}

int
rep_marks_approval_history (const rep_marks_dbs_t *dbs, const char *dataset, const char *period,
                            const char *unit, Socin__V1__ApprovalHistory *out)
{
    char key[KEY_MAX];
    size_t klen = s_approval_key (dataset, period, unit, key);
    MDB_txn *txn;
    if (!klen || socin_store_read_begin (dbs->store, &txn)) return -1;
    out->current = rep_marks_step (dbs, txn, dataset, period, unit);
    key[klen] = (char)0xFF;
    MDB_cursor *cur;
    mdb_cursor_open (txn, dbs->approval_history, &cur);
    MDB_val k = {klen + 1, key}, v;
    size_t cap = 0;
    int rc = mdb_cursor_get (cur, &k, &v, MDB_SET_RANGE);
    for (; rc == 0 && k.mv_size > klen + 1 && !memcmp (k.mv_data, key, klen + 1);
         rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT)) {
        s_state_t st;
        if (!s_unpack (&v, &st)) continue;
        Socin__V1__ApprovalEntry *e = socin_calloc (1, sizeof *e);
        socin__v1__approval_entry__init (e);
        e->step = st.flag;
        e->submitter = socin_strndup (st.submitter, st.sublen);
        e->changed_ms = st.ms;
        e->comment = socin_strndup (st.comment, st.clen);
        e->source = socin_strndup (st.source, st.slen);
        e->source_seq = st.seq;
        if (out->n_entries == cap) {
            cap = cap ? cap * 2 : 8;
            out->entries = socin_realloc (out->entries, cap * sizeof *out->entries);
        }
        out->entries[out->n_entries++] = e;
    }
    mdb_cursor_close (cur);
    mdb_txn_abort (txn);
    return 0;
}
