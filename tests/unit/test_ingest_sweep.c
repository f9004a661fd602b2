/*  test_ingest_sweep: a group of submissions whose values the ingest applies in one sweep
    (ledger.c, "a run of submissions in one sweep") stores and answers exactly what the same
    submissions applied one at a time do.

    What matters: for every submission, the same import summary (counts, conflicts and their
    codes, the change batches it got); in the store, the same values with the same states
    (each naming the batch that carried it), the same history, change batches, outbox and
    stored answers. The submissions are scattered over few keys, so that they overwrite and
    delete each other's values, send unchanged ones, and mix totals with breakdowns (refused
    one way or the other depending on which submission came first); some are resent unchanged,
    so that the sweep foresees a batch wrongly and is applied again without; batches hold twelve
    values, so that the larger submissions take several. One indicator is in a validation rule, its
   values on two units: a submission of it is swept unless a later one of its group stores values in
   a unit and period its rule check reads, and the warnings are compared too.
*/
#include "catalogue.h"
#include "chunks.h"
#include "ledger.h"
#include "model.h"
#include "period.h"
#include "store.h"
#include "validate.h"

#include "testing.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_UNITS 12
#define N_SUBS  480
#define GROUP   6  /* submissions a group commit applies together */
#define PER     12 /* values a change batch holds */
#define NOW_MS  1773650000000LL

static const char *s_periods[] = {"202501", "202502"};
static const char *s_indicators[] = {"IND_A", "IND_B", "IND_RULED"};
static const char *s_disaggs[] = {"", "sex=f", "sex=m"};
static const char *s_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

/* The indicators, their data set and a rule over IND_RULED, as a catalogue file says them. */
static const char s_catalogue[] =
    "[dimension sex]\n"
    "name_cs = Pohlaví\n"
    "option = f | Ženy | Women\n"
    "option = m | Muži | Men\n"
    "[indicator IND_A]\nname_cs = A\nmeasure = persons\ntype = integer\n"
    "aggregation = sum\ndimensions = sex\nperiod = monthly\n"
    "[indicator IND_B]\nname_cs = B\nmeasure = persons\ntype = integer\n"
    "aggregation = sum\ndimensions = sex\nperiod = monthly\n"
    "[indicator IND_RULED]\nname_cs = R\nmeasure = persons\ntype = integer\n"
    "aggregation = sum\ndimensions = sex\nperiod = monthly\n"
    "[dataset DS_SWEEP]\nname = Sweep\nperiod = monthly\n"
    "indicators = IND_A, IND_B, IND_RULED\nterritories = CZ\n"
    "level = municipality\n"
    "[rule RULED_SMALL]\nleft = IND_RULED\noperator = <=\nright = 2\n"
    "message = at most two\n";

/* The country, N_UNITS municipalities, a submitter for the whole country, and s_catalogue. */
static socin_model_t *
s_model (void)
{
    socin_model_t *model = socin_model_new ();
    socin_record_t rec = SOCIN__V1__RECORD__INIT;
    Socin__V1__Unit unit = SOCIN__V1__UNIT__INIT;
    char *parents[] = {"CZ"};
    rec.kind_case = SOCIN__V1__RECORD__KIND_UNIT;
    rec.unit = &unit;
    for (int i = -1; i < N_UNITS; i++) {
        char code[16], name[32];
        snprintf (code, sizeof code, "%d", 500000 + i);
        snprintf (name, sizeof name, "Obec %d", i);
        unit = (Socin__V1__Unit)SOCIN__V1__UNIT__INIT;
        unit.code = i < 0 ? "CZ" : code;
        unit.name = name;
        unit.level = i < 0 ? SOCIN_LEVEL_COUNTRY : SOCIN_LEVEL_MUNICIPALITY;
        unit.parents = i < 0 ? NULL : parents;
        unit.n_parents = i < 0 ? 0 : 1;
        unit.population = 1000 + i;
        CHECK_INT (socin_model_put (model, socin_record_copy (&rec)), 0);
    }
    Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
    sub.name = "centre";
    sub.public_key = (char *)s_key;
    sub.territories = parents;
    sub.n_territories = 1;
    rec = (socin_record_t)SOCIN__V1__RECORD__INIT;
    rec.kind_case = SOCIN__V1__RECORD__KIND_SUBMITTER;
    rec.submitter = &sub;
    CHECK_INT (socin_model_put (model, socin_record_copy (&rec)), 0);
    socin_record_t **recs = NULL;
    size_t n = 0;
    char err[256] = "";
    CHECK_INT (
        socin_catalogue_parse (s_catalogue, sizeof s_catalogue - 1, &recs, &n, err, sizeof err), 0);
    if (*err) fprintf (stderr, "    catalogue: %s\n", err);
    for (size_t i = 0; i < n; i++)
        CHECK_INT (socin_model_put (model, recs[i]), 0);
    free (recs);
    socin_model_finish (model);
    return model;
}

static uint64_t s_rand_state = 20261203;

static unsigned
s_rand (unsigned n)
{
    s_rand_state ^= s_rand_state << 13;
    s_rand_state ^= s_rand_state >> 7;
    s_rand_state ^= s_rand_state << 17;
    return (unsigned)(s_rand_state % n);
}

/* Submission K: a resend of K - 1's values under its own id when K % 97 == 40, values of the
   ruled indicator alone when K % 13 is 7 or 8, else up to 11 values (20 to 39 when K % 11 ==
   3) scattered over few keys. */
static Socin__V1__Submission *
s_submission (int k, const Socin__V1__Submission *before)
{
    Socin__V1__Submission *sub = calloc (1, sizeof *sub);
    socin__v1__submission__init (sub);
    sub->submission_id = malloc (16);
    snprintf (sub->submission_id, 16, "s%04d", k);
    bool resend = k % 97 == 40, ruled = k % 13 == 7 || k % 13 == 8;
    size_t n = resend ? before->n_values : k % 11 == 3 ? 20 + s_rand (20) : 1 + s_rand (11);
    sub->values = calloc (n, sizeof *sub->values);
    sub->n_values = n;
    for (size_t i = 0; i < n; i++) {
        Socin__V1__DataValue *dv = calloc (1, sizeof *dv);
        socin__v1__data_value__init (dv);
        sub->values[i] = dv;
        if (resend) {
            const Socin__V1__DataValue *was = before->values[i];
            dv->indicator = strdup (was->indicator);
            dv->unit = strdup (was->unit);
            dv->period = strdup (was->period);
            dv->disaggregation = strdup (was->disaggregation);
            dv->value = strdup (was->value);
            dv->delete_ = was->delete_;
            continue;
        }
        char unit[16], value[16];
        /* The ruled indicator's values fall on two units, so that two such submissions in one
           group meet. */
        unsigned u = s_rand (ruled ? 2 : N_UNITS), ind = ruled ? 2 : s_rand (2);
        snprintf (unit, sizeof unit, "%u", 500000 + u);
        snprintf (value, sizeof value, "%u", s_rand (4));
        dv->indicator = strdup (s_indicators[ind]);
        dv->unit = strdup (unit);
        dv->period = strdup (s_periods[s_rand (2)]);
        /* Each unit and indicator has a shape, and one value in six is of the other. */
        bool total = (u + ind) % 2 != (s_rand (6) == 0);
        dv->disaggregation = strdup (total ? "" : s_disaggs[1 + s_rand (2)]);
        dv->value = strdup (value);
        dv->delete_ = s_rand (8) == 0;
    }
    return sub;
}

/* A ledger in a directory of its own. */
typedef struct {
    char dir[64];
    socin_store_t *store;
    ing_ledger_t *ledger;
} s_side_t;

static bool
s_side_open (s_side_t *side)
{
    char err[512] = "";
    snprintf (side->dir, sizeof side->dir, "/tmp/socin-sweep-XXXXXX");
    if (!mkdtemp (side->dir)) return false;
    side->store = socin_store_open (side->dir, NULL, err, sizeof err);
    if (!side->store) {
        fprintf (stderr, "    socin_store_open: %s\n", err);
        return false;
    }
    side->ledger = ing_ledger_new (side->store);
    ing_ledger_set_batch_values (side->ledger, PER);
    return true;
}

static void
s_side_close (s_side_t *side)
{
    ing_ledger_destroy (&side->ledger);
    socin_store_destroy (&side->store);
    nftw (side->dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Appends LEN bytes of DATA, length first, to the growing buffer OUT (*LEN_OUT bytes). */
static void
s_add (char **out, size_t *len_out, const void *data, size_t len)
{
    *out = realloc (*out, *len_out + sizeof len + len);
    memcpy (*out + *len_out, &len, sizeof len);
    memcpy (*out + *len_out + sizeof len, data, len);
    *len_out += sizeof len + len;
}

/* Every entry of the store's databases, in order: the values entry by entry (however the
   chunks split), the others as LMDB holds them. */
static char *
s_dump (s_side_t *side, size_t *len)
{
    static const char *plain[] = {"history", "batches", "outbox", "submissions", "meta"};
    char *out = NULL;
    *len = 0;
    MDB_txn *txn;
    CHECK_INT (socin_store_read_begin (side->store, &txn), 0);
    int rc;
    socin_chunks_t *h =
        socin_chunks_open (txn, socin_store_dbi (side->store, ING_VALUES_DB, 0), &rc);
    MDB_val k, v;
    while (h && socin_chunks_get (h, &k, &v, MDB_NEXT) == 0) {
        s_add (&out, len, k.mv_data, k.mv_size);
        s_add (&out, len, v.mv_data, v.mv_size);
    }
    socin_chunks_close (&h, true);
    for (size_t d = 0; d < sizeof plain / sizeof *plain; d++) {
        MDB_cursor *cur;
        CHECK_INT (mdb_cursor_open (txn, socin_store_dbi (side->store, plain[d], 0), &cur), 0);
        s_add (&out, len, plain[d], strlen (plain[d]));
        while (mdb_cursor_get (cur, &k, &v, MDB_NEXT) == 0) {
            s_add (&out, len, k.mv_data, k.mv_size);
            s_add (&out, len, v.mv_data, v.mv_size);
        }
        mdb_cursor_close (cur);
    }
    socin_store_read_end (&txn);
    return out;
}

/* P's answer, packed. */
static uint8_t *
s_answer (const ing_pending_t *p, size_t *len)
{
    Socin__V1__ImportSummary summary = SOCIN__V1__IMPORT_SUMMARY__INIT;
    ing_ledger_summary (p, "", NOW_MS, &summary);
    *len = socin__v1__import_summary__get_packed_size (&summary);
    uint8_t *out = malloc (*len ? *len : 1);
    socin__v1__import_summary__pack (&summary, out);
    return out;
}

static void
a_group_swept_stores_and_answers_what_one_submission_at_a_time_does (void)
{
    socin_model_t *model = s_model ();
    ing_context_t ctx = {.model = model,
                         .submitter = socin_model_submitter (model, "centre"),
                         .today = socin_date_from_ymd (2025, 6, 1)};
    CHECK (ctx.submitter != NULL);
    Socin__V1__Submission *subs[N_SUBS];
    ing_pending_t *pending = calloc (N_SUBS, sizeof *pending), *ptrs[N_SUBS];
    for (int k = 0; k < N_SUBS; k++) {
        subs[k] = s_submission (k, k ? subs[k - 1] : NULL);
        ing_pending_t *p = &pending[k];
        p->sub = subs[k];
        p->submitter = "centre";
        p->submitter_key = s_key;
        memset (p->digest, k, sizeof p->digest);
        ing_validate (&ctx, subs[k], &p->checked);
        ptrs[k] = p;
    }
    s_side_t swept = {0}, alone = {0};
    CHECK (s_side_open (&swept));
    CHECK (s_side_open (&alone));
    if (!swept.ledger || !alone.ledger) return;

    /* Each side's answers, packed, and what the submissions did in all. */
    uint8_t *answers[N_SUBS];
    size_t lens[N_SUBS];
    char err[256];
    uint64_t counts[4] = {0}, refused = 0, warned = 0;
    for (int k = 0; k < N_SUBS; k += GROUP) {
        CHECK_INT (ing_ledger_apply (swept.ledger, ptrs + k, GROUP, NOW_MS, false, err, sizeof err),
                   SOCIN_STORE_OK);
        for (int i = k; i < k + GROUP; i++)
            answers[i] = s_answer (&pending[i], &lens[i]);
    }
    int differ = 0;
    for (int k = 0; k < N_SUBS; k++) {
        CHECK_INT (ing_ledger_apply (alone.ledger, ptrs + k, 1, NOW_MS, false, err, sizeof err),
                   SOCIN_STORE_OK);
        size_t len;
        uint8_t *answer = s_answer (&pending[k], &len);
        if (len != lens[k] || memcmp (answer, answers[k], len)) {
            if (!differ++) fprintf (stderr, "    submission %d is answered otherwise\n", k);
        }
        counts[0] += pending[k].imported;
        counts[1] += pending[k].updated;
        counts[2] += pending[k].ignored;
        counts[3] += pending[k].deleted;
        refused += pending[k].checked.nconflicts;
        warned += pending[k].checked.nwarnings;
        free (answer);
        free (answers[k]);
    }
    CHECK_INT (differ, 0);
    /* The workload does what it is meant to: every kind of outcome, several times. */
    for (int i = 0; i < 4; i++)
        CHECK (counts[i] >= 20);
    CHECK (refused >= 20);
    CHECK (warned >= 10);

    size_t len_swept, len_alone;
    char *dump_swept = s_dump (&swept, &len_swept), *dump_alone = s_dump (&alone, &len_alone);
    CHECK_INT (len_swept, len_alone);
    CHECK (len_swept == len_alone && !memcmp (dump_swept, dump_alone, len_swept));
    CHECK_INT (ing_ledger_last_seq (swept.ledger), ing_ledger_last_seq (alone.ledger));
    free (dump_swept);
    free (dump_alone);

    /* The sweeps took place (most submissions), some were foreseen wrongly and done again,
       and the submissions applied one at a time were none of them. */
    uint64_t n_swept, misses;
    ing_ledger_sweeps (swept.ledger, &n_swept, &misses);
    CHECK (n_swept >= N_SUBS / 8);
    CHECK (misses >= 2);
    ing_ledger_sweeps (alone.ledger, &n_swept, &misses);
    CHECK_INT (n_swept, 0);
    CHECK_INT (misses, 0);

    s_side_close (&swept);
    s_side_close (&alone);
    for (int k = 0; k < N_SUBS; k++) {
        ing_checked_free (&pending[k].checked);
        socin__v1__submission__free_unpacked (subs[k], NULL);
    }
    free (pending);
    socin_model_destroy (&model);
}

int
main (void)
{
    RUN (a_group_swept_stores_and_answers_what_one_submission_at_a_time_does,
         "a group of submissions swept at once stores and answers exactly what the same "
         "submissions applied one at a time do");
    return TEST_SUMMARY ();
}
