/*  export: the stored values, page by page. See export.h. */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "error.h"
#include "exportrow.h"
#include "mem.h"
#include "pivot.h"
#include "store.h"
#include "str.h"
#include "valuekey.h"
#include "valuestate.h"

typedef struct {
    const rep_query_ctx_t *ctx;
    const rep_apply_dbs_t *dbs;
    MDB_txn *txn;
    uint8_t *inds; /* indicator ids asked for (NULL: all) */
    socin_period_t *pe;
    size_t npe;                 /* 0: all periods */
    const socin_unit_t **units; /* the units to visit, in store order (by code) */
    size_t nunits;
    Socin__V1__ExportPage *page;
    socin_str_t rows;               /* the page's values, as exportrow.h packs them */
    size_t n, max;                  /* values in rows, most in a page */
    char last[SOCIN_VALUE_KEY_MAX]; /* the key of the last value in rows */
    size_t last_len;
    socin_str_t comment, stored_by; /* the last change's, NUL-terminated */
    uint8_t *listed;                /* indicators already in page->indicators */
    char period_text[SOCIN_PERIOD_STRLEN];
    bool period_ok;
    char batch_source[128];
    uint64_t batch_seq;
    char *submitter;
} s_export_t;

/* Failures go through query.c's, which every answer shares. */
#define s_fail rep_query_fail

/* ---- what the query covers ---- */

static int
s_indicators (s_export_t *x, const Socin__V1__ExportQuery *q, Socin__V1__ReportReply *reply)
{
    if (!q->n_dx) return 0;
    x->inds = socin_calloc (socin_model_count (x->ctx->model, SOCIN_KIND_INDICATOR) + 1, 1);
    for (size_t i = 0; i < q->n_dx; i++) {
        const socin_indicator_t *ind = socin_model_indicator (x->ctx->model, q->dx[i]);
        if (!ind)
            return s_fail (reply, SOCIN_E (NOT_FOUND), "dx: indicator '%s' is not in the catalogue",
                           q->dx[i]);
        if (ind->derived)
            return s_fail (
                reply, SOCIN_E (INVALID_ARGUMENT),
                "dx: %s is derived, computed from others: it has no stored values to export",
                ind->code);
        x->inds[ind->id] = 1;
    }
    return 0;
}

static int
s_cmp_unit (const void *a, const void *b)
{
    return strcmp ((*(const socin_unit_t *const *)a)->code,
                   (*(const socin_unit_t *const *)b)->code);
}

/* Every unit at or beneath OU's units and each of its groups' members, each once, sorted by
   code as the store sorts them. */
static void
s_units (s_export_t *x, const rep_ou_t *ou)
{
    const socin_model_t *m = x->ctx->model;
    size_t total = socin_model_count (m, SOCIN_KIND_UNIT);
    uint8_t *seen = socin_calloc (total + 1, 1);
    x->units = socin_calloc (total + 1, sizeof *x->units);
    for (size_t i = 0; i < ou->n; i++) {
        const socin_unit_t **units;
        size_t n =
            rep_query_units_at (m, 0, ou->units[i], ou->groups[i], INT32_MIN, INT32_MAX, &units);
        for (size_t k = 0; k < n; k++)
            if (!seen[units[k]->id]++) x->units[x->nunits++] = units[k];
        free (units);
    }
    free (seen);
    qsort (x->units, x->nunits, sizeof *x->units, s_cmp_unit);
}

/* ---- one value ---- */

/* The period PTEXT lies within one of those asked for. */
static bool
s_period_wanted (s_export_t *x, const char *ptext)
{
    if (!x->npe) return true;
    if (strcmp (ptext, x->period_text)) {
        snprintf (x->period_text, sizeof x->period_text, "%s", ptext);
        socin_period_t p;
        char why[128];
        x->period_ok = false;
        if (socin_period_parse (ptext, &p, why, sizeof why) == 0)
            for (size_t i = 0; i < x->npe && !x->period_ok; i++)
                x->period_ok = socin_period_contains (x->pe[i], p);
    }
    return x->period_ok;
}

/* Who sent batch SEQ of SOURCE (SLEN bytes): its submitter's name, looked up once per batch. */
static const char *
s_submitter (s_export_t *x, const char *source, size_t slen, uint64_t seq)
{
    if (slen >= sizeof x->batch_source) slen = sizeof x->batch_source - 1;
    if (x->submitter && seq == x->batch_seq && strlen (x->batch_source) == slen &&
        !memcmp (x->batch_source, source, slen))
        return x->submitter;
    memcpy (x->batch_source, source, slen);
    x->batch_source[slen] = 0;
    x->batch_seq = seq;
    free (x->submitter);
    x->submitter = socin_strdup ("");
    char key[REP_APPLY_BATCH_KEY_MAX];
    MDB_val k = {rep_apply_batch_key (x->batch_source, seq, key), key}, v;
    if (mdb_get (x->txn, x->dbs->batches, &k, &v) == 0) {
        Socin__V1__ChangeBatch *b = socin__v1__change_batch__unpack (NULL, v.mv_size, v.mv_data);
        if (b) {
            free (x->submitter);
            x->submitter = socin_strdup (b->submitter);
            socin__v1__change_batch__free_unpacked (b, NULL);
        }
    }
    return x->submitter;
}

/* Fills E's comment, stored_by and follow-up mark from the change that made state ST of
   value KEY (KLEN bytes): the state holds it, or says it had none; a state stored before
   holds neither and its change is looked up in history. E's texts are valid until the next
   call. */
static void
s_last_change (s_export_t *x, const char *key, size_t klen, const socin_value_state_t *st,
               Socin__V1__ExportValue *e)
{
    char hkey[SOCIN_VALUE_KEY_MAX + 1 + 8 + 127 + 1 + 8];
    if (st->plain || klen > SOCIN_VALUE_KEY_MAX) return;
    socin_value_state_t change = socin_value_change_of (st);
    /* The current version holds its change, but an older store's has it in the history. */
    if (st->logged) {
        memcpy (hkey, key, klen);
        MDB_val k = {rep_apply_history_key (hkey, klen, st->ms, st->text, st->text_len, st->seq),
                     hkey},
                v;
        if (mdb_get (x->txn, x->dbs->history, &k, &v) ||
            !socin_value_state_unpack (SOCIN_VALUE_CHANGE, v.mv_data, v.mv_size, &change))
            return;
    }
    socin_str_clear (&x->comment);
    socin_str_append (&x->comment, change.text, change.text_len);
    socin_str_clear (&x->stored_by);
    socin_str_append (&x->stored_by, change.stored_by, change.stored_by_len);
    e->comment = x->comment.data;
    e->stored_by = x->stored_by.data;
    e->followup = change.followup;
}

/* Lists UNIT and IND in the page's dictionary when they are new to it. */
static void
s_dictionary (s_export_t *x, const socin_unit_t *unit, const socin_indicator_t *ind)
{
    Socin__V1__ExportPage *p = x->page;
    if (!p->n_units || strcmp (p->units[p->n_units - 1]->code, unit->code)) {
        p->units = socin_realloc (p->units, (p->n_units + 1) * sizeof *p->units);
        p->units[p->n_units++] = rep_pivot_item (unit->code, unit->pb->name, unit->level);
    }
    if (!x->listed[ind->id]++) {
        p->indicators =
            socin_realloc (p->indicators, (p->n_indicators + 1) * sizeof *p->indicators);
        p->indicators[p->n_indicators++] =
            rep_pivot_item (ind->code, *ind->pb->name_cs ? ind->pb->name_cs : ind->pb->name_en, 0);
    }
}

/* Adds the value of UNIT under key K with state V to the page's rows when the query wants it;
   true when it did. */
static bool
s_value (s_export_t *x, const socin_unit_t *unit, const MDB_val *k, const MDB_val *v)
{
    const char *ind_code, *unit_code, *ptext;
    char disagg[256];
    socin_value_state_t st;
    if (!socin_value_key_split (k->mv_data, k->mv_size, &ind_code, &unit_code, &ptext, disagg,
                                sizeof disagg) ||
        !socin_value_state_unpack (SOCIN_VALUE_VERSION, v->mv_data, v->mv_size, &st) ||
        st.deleted || !s_period_wanted (x, ptext))
        return false;
    const socin_indicator_t *ind = socin_model_indicator (x->ctx->model, ind_code);
    if (!ind || (x->inds && !x->inds[ind->id])) return false;
    s_dictionary (x, unit, ind);
    char text[SOCIN_DEC_STRLEN];
    socin_dec_format (st.value, text, sizeof text);
    /* The row is packed at once: its texts point into the key, the state and this frame. */
    Socin__V1__ExportValue e = SOCIN__V1__EXPORT_VALUE__INIT;
    e.indicator = (char *)ind_code;
    e.unit = (char *)unit_code;
    e.period = (char *)ptext;
    e.disaggregation = disagg;
    e.value = text;
    e.changed_ms = st.ms;
    e.submitter = (char *)s_submitter (x, st.text, st.text_len, st.seq);
    s_last_change (x, k->mv_data, k->mv_size, &st, &e);
    socin_export_row_append (&x->rows, &e);
    x->n++;
    return true;
}

static int
s_cmp_dimension (const void *a, const void *b)
{
    return strcmp ((*(const socin_dimension_t *const *)a)->code,
                   (*(const socin_dimension_t *const *)b)->code);
}

/* Lists in the page the dimensions of the indicators asked for (all when none was named). */
static void
s_dimensions (s_export_t *x)
{
    const socin_model_t *m = x->ctx->model;
    size_t ndims = socin_model_count (m, SOCIN_KIND_DIMENSION);
    uint8_t *used = socin_calloc (ndims + 1, 1);
    for (uint32_t id = 1; id <= socin_model_count (m, SOCIN_KIND_INDICATOR); id++) {
        const socin_indicator_t *ind = socin_model_indicator_at (m, id);
        if (x->inds && !x->inds[id]) continue;
        for (int d = 0; d < ind->ndims; d++)
            used[ind->dims[d]] = 1;
    }
    const socin_dimension_t **list = socin_calloc (ndims + 1, sizeof *list);
    size_t n = 0;
    for (uint32_t id = 1; id <= ndims; id++)
        if (used[id]) list[n++] = socin_model_dimension_at (m, id);
    qsort (list, n, sizeof *list, s_cmp_dimension);
    Socin__V1__ExportPage *p = x->page;
    p->dimensions = socin_calloc (n + 1, sizeof *p->dimensions);
    for (size_t i = 0; i < n; i++)
        p->dimensions[p->n_dimensions++] = rep_pivot_item (
            list[i]->code, *list[i]->pb->name_cs ? list[i]->pb->name_cs : list[i]->pb->name_en, 0);
    free (list);
    free (used);
}

/* ---- the page ---- */

/* The periods the store holds values of and the query wants, in key order, into *OUT (free
   it): one seek per period, skipping over each one's values. */
static size_t
s_periods (s_export_t *x, socin_chunks_t *cur, char (**out)[SOCIN_PERIOD_STRLEN])
{
    size_t n = 0, cap = 16;
    *out = socin_malloc (cap * sizeof **out);
    char seek[SOCIN_PERIOD_STRLEN + 2] = "P";
    MDB_val k = {1, seek}, v;
    int rc = socin_chunks_get (cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size > 1 && ((const char *)k.mv_data)[0] == 'P') {
        const char *ptext = (const char *)k.mv_data + 1;
        size_t plen = strnlen (ptext, k.mv_size - 1);
        if (plen == k.mv_size - 1 || plen >= SOCIN_PERIOD_STRLEN) break; /* no value key */
        memcpy (seek + 1, ptext, plen);
        seek[1 + plen] = 0;
        if (s_period_wanted (x, seek + 1)) {
            if (n == cap) *out = socin_realloc (*out, (cap *= 2) * sizeof **out);
            memcpy ((*out)[n++], seek + 1, plen + 1);
        }
        /* Past every key of this period: they all go on with a NUL after it. */
        seek[1 + plen] = 1;
        k.mv_data = seek;
        k.mv_size = 2 + plen;
        rc = socin_chunks_get (cur, &k, &v, MDB_SET_RANGE);
    }
    return n;
}

/* Reads the values of UNIT under PREFIX (PLEN bytes), from just after key AFTER when it is
   set, until the page is full: 1 when it is, 0 when the prefix is done, else an LMDB error. */
static int
s_read_run (s_export_t *x, socin_chunks_t *cur, const socin_unit_t *unit, const char *prefix,
            size_t plen, const MDB_val *after)
{
    MDB_val k = after ? *after : (MDB_val){plen, (void *)prefix}, v;
    int rc = socin_chunks_get (cur, &k, &v, MDB_SET_RANGE);
    if (rc == 0 && after && k.mv_size == after->mv_size &&
        !memcmp (k.mv_data, after->mv_data, k.mv_size))
        rc = socin_chunks_get (cur, &k, &v, MDB_NEXT);
    for (; rc == 0 && k.mv_size > plen && !memcmp (k.mv_data, prefix, plen);
         rc = socin_chunks_get (cur, &k, &v, MDB_NEXT)) {
        if (x->n == x->max) {
            /* Full: the next page starts after the last key this one took. */
            x->page->more = true;
            return 1;
        }
        if (s_value (x, unit, &k, &v) && k.mv_size <= sizeof x->last) {
            memcpy (x->last, k.mv_data, k.mv_size);
            x->last_len = k.mv_size;
        }
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Reads from the unit at UNITS[FROM] (starting after key AFTER when it is set) until the page
   is full. Keys go period first (valuekey.h): the values of a unit are read period by period,
   so that the export is in unit order (then period, indicator, disaggregation) as before. */
static int
s_read (s_export_t *x, size_t from, const MDB_val *after)
{
    int rc;
    socin_chunks_t *cur = socin_chunks_open (x->txn, x->dbs->values, &rc);
    if (!cur) return rc;
    char (*periods)[SOCIN_PERIOD_STRLEN];
    size_t nperiods = s_periods (x, cur, &periods);
    /* The token's unit and period, when it names the first unit to read. */
    const char *tperiod = after ? (const char *)after->mv_data + 1 : NULL;
    const char *tunit = tperiod ? tperiod + strlen (tperiod) + 1 : NULL;
    char prefix[SOCIN_VALUE_KEY_MAX + SOCIN_PERIOD_STRLEN];
    for (size_t c = from; c < x->nunits && !rc; c++) {
        const char *code = x->units[c]->code;
        bool resume = c == from && tunit && !strcmp (tunit, code);
        for (size_t p = 0; p < nperiods && !rc; p++) {
            int order = resume ? strcmp (periods[p], tperiod) : 1;
            if (order < 0) continue;
            int n = snprintf (prefix, sizeof prefix, "P%s%c%s%c", periods[p], 0, code, 0);
            if (n <= 0 || (size_t)n >= sizeof prefix) continue;
            rc = s_read_run (x, cur, x->units[c], prefix, (size_t)n, order == 0 ? after : NULL);
        }
    }
    free (periods);
    socin_chunks_close (&cur, true); /* it only reads */
    return rc == 1 ? 0 : rc;
}

/* The first unit to read: the one AFTER names, or the first after it. -1 when AFTER is no
   token of this service (a value key: "P" period NUL unit NUL ...). */
static long
s_resume (const s_export_t *x, const ProtobufCBinaryData *after)
{
    if (!after->len) return 0;
    const char *t = (const char *)after->data;
    const char *end = t + after->len;
    const char *nul = memchr (t, 0, after->len);
    const char *unit = nul ? nul + 1 : NULL;
    if (after->len > SOCIN_VALUE_KEY_MAX || t[0] != 'P' || !unit || unit >= end ||
        !memchr (unit, 0, (size_t)(end - unit)))
        return -1;
    size_t lo = 0, hi = x->nunits;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp (x->units[mid]->code, unit) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo;
}

static int
s_setup (s_export_t *x, const rep_scope_t *scope, const Socin__V1__ExportQuery *q,
         Socin__V1__ReportReply *reply)
{
    int32_t day;
    if (s_indicators (x, q, reply) || rep_pivot_day (x->ctx, q->relative_to, &day, reply) ||
        rep_pivot_periods (q->pe, q->n_pe, day, 100000, &x->pe, &x->npe, reply))
        return -1;
    rep_ou_t ou;
    if (rep_ou_resolve (x->ctx->model, scope, q->ou, q->n_ou, INT32_MIN, INT32_MAX, reply, &ou))
        return -1;
    for (size_t i = 0; i < q->n_ou; i++)
        if (!strncmp (q->ou[i], "LEVEL-", 6)) {
            rep_ou_free (&ou);
            return s_fail (
                reply, SOCIN_E (INVALID_ARGUMENT),
                "ou: an export takes units and groups (every value beneath them), not %s",
                q->ou[i]);
        }
    s_units (x, &ou);
    rep_ou_free (&ou);
    x->max = q->page_values ? q->page_values : REP_EXPORT_PAGE_DEFAULT;
    if (x->max > REP_EXPORT_PAGE_MAX) x->max = REP_EXPORT_PAGE_MAX;
    return 0;
}

/* Hands the page its rows: packed as they are when Q asks for rows, else as values (a client
   of 1.2 before rows). */
static void
s_finish (s_export_t *x, const Socin__V1__ExportQuery *q)
{
    Socin__V1__ExportPage *p = x->page;
    if (x->last_len) {
        p->next.data = socin_memdup (x->last, x->last_len);
        p->next.len = x->last_len;
    }
    if (q->rows) {
        p->rows.len = x->rows.len;
        p->rows.data = (uint8_t *)socin_str_take (&x->rows);
        return;
    }
    p->values = socin_calloc (x->n + 1, sizeof *p->values);
    const uint8_t *row;
    size_t at = 0, len;
    while (p->n_values < x->n &&
           socin_export_row_span ((const uint8_t *)x->rows.data, x->rows.len, &at, &row, &len) == 1)
        p->values[p->n_values++] = socin__v1__export_value__unpack (NULL, len, row);
}

void
rep_export_answer (const rep_query_ctx_t *ctx, const rep_scope_t *scope,
                   const Socin__V1__ExportQuery *q, Socin__V1__ReportReply *reply)
{
    s_export_t x = {.ctx = ctx, .dbs = rep_apply_dbs (ctx->apply)};
    long from = -1;
    if (s_setup (&x, scope, q, reply) == 0 && (from = s_resume (&x, &q->after)) < 0)
        s_fail (reply, SOCIN_E (BAD_CONTINUATION), "after: not a continuation token of an export");
    if (from >= 0 && !reply->error) {
        x.page = socin_malloc (sizeof *x.page);
        socin__v1__export_page__init (x.page);
        x.listed = socin_calloc (socin_model_count (ctx->model, SOCIN_KIND_INDICATOR) + 1, 1);
        s_dimensions (&x);
        MDB_val after = {q->after.len, q->after.data};
        int rc = socin_store_read_begin (x.dbs->store, &x.txn);
        if (!rc) {
            rc = s_read (&x, (size_t)from, q->after.len ? &after : NULL);
            mdb_txn_abort (x.txn);
        }
        if (rc) {
            protobuf_c_message_free_unpacked (&x.page->base, NULL);
            s_fail (reply, SOCIN_E (STORAGE_ERROR), "the store cannot be read: %s",
                    mdb_strerror (rc));
        } else {
            s_finish (&x, q);
            reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_EXPORT;
            reply->export = x.page;
        }
    }
    free (x.inds);
    free (x.pe);
    free (x.units);
    free (x.listed);
    free (x.submitter);
    socin_str_free (&x.rows);
    socin_str_free (&x.comment);
    socin_str_free (&x.stored_by);
}
