/*  test_regressions: the faults the fuzz targets (tests/fuzz/) caught, each pinned by the
    input that shows it, so that they stay fixed.

    Each case names the fuzz target that fails on it; the reproducer is also in that target's
    seed corpus (tests/fuzz/corpus/<target>/), so the fuzzers start from it too.
*/
#include "catalogue.h"

#include "error.h"
#include "csv.h"
#include "feed.h"
#include "plan.h"
#include "query.h"
#include "testing.h"
#include "validate.h"

#include <ftw.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir[64];

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

/*  fuzz_catalogue (corpus/catalogue/regression-duplicate-option.ini): an option given twice
    in a dimension was refused with a message that read the option's code from a buffer
    already freed (a heap use-after-free, garbage in the message without ASan). */
static void
a_dimension_option_given_twice_is_named_in_the_refusal (void)
{
    static const char text[] = "[dimension sex]\n"
                               "name_cs = Pohlaví\n"
                               "option = f | Ženy | Women\n"
                               "option = m | Muži | Men\n"
                               "option = f | Ženy | Women\n";
    socin_record_t **recs = NULL;
    size_t n = 0;
    char err[256] = "";
    CHECK_INT (socin_catalogue_parse (text, sizeof text - 1, &recs, &n, err, sizeof err), -1);
    CHECK_STR (err, "line 5: option 'f' is given twice");
}

/* Puts a copy of REC (whose fields point to literals) into MODEL. */
static void
s_put (socin_model_t *model, socin_record_t *rec)
{
    CHECK_INT (socin_model_put (model, socin_record_copy (rec)), 0);
}

/* A registry of one municipality (Brno, in CZ), one monthly indicator by event type in one
   data set, and one submitter for the whole country. */
static socin_model_t *
s_model (void)
{
    socin_model_t *model = socin_model_new ();
    socin_record_t rec = SOCIN__V1__RECORD__INIT;
    Socin__V1__Unit country = SOCIN__V1__UNIT__INIT, brno = SOCIN__V1__UNIT__INIT;
    country.code = "CZ";
    country.name = "Česká republika";
    country.level = SOCIN_LEVEL_COUNTRY;
    rec.kind_case = SOCIN__V1__RECORD__KIND_UNIT;
    rec.unit = &country;
    s_put (model, &rec);
    char *parents[] = {"CZ"};
    brno.code = "582786";
    brno.name = "Brno";
    brno.level = SOCIN_LEVEL_MUNICIPALITY;
    brno.parents = parents;
    brno.n_parents = 1;
    brno.population = 382405;
    rec.unit = &brno;
    s_put (model, &rec);

    Socin__V1__DimensionOption option = SOCIN__V1__DIMENSION_OPTION__INIT, *options[] = {&option};
    option.code = "public_meeting";
    Socin__V1__Dimension dim = SOCIN__V1__DIMENSION__INIT;
    dim.code = "event_type";
    dim.options = options;
    dim.n_options = 1;
    rec = (socin_record_t)SOCIN__V1__RECORD__INIT;
    rec.kind_case = SOCIN__V1__RECORD__KIND_DIMENSION;
    rec.dimension = &dim;
    s_put (model, &rec);

    char *dims[] = {"event_type"};
    Socin__V1__Indicator ind = SOCIN__V1__INDICATOR__INIT;
    ind.code = "PART_EVENTS";
    ind.value_type = SOCIN_VT_INTEGER;
    ind.aggregation = SOCIN_AGG_SUM;
    ind.period_type = "monthly";
    ind.dimensions = dims;
    ind.n_dimensions = 1;
    rec = (socin_record_t)SOCIN__V1__RECORD__INIT;
    rec.kind_case = SOCIN__V1__RECORD__KIND_INDICATOR;
    rec.indicator = &ind;
    s_put (model, &rec);

    char *indicators[] = {"PART_EVENTS"};
    Socin__V1__DataSet ds = SOCIN__V1__DATA_SET__INIT;
    ds.code = "DS_PARTICIPATION";
    ds.period_type = "monthly";
    ds.indicators = indicators;
    ds.n_indicators = 1;
    ds.level = SOCIN_LEVEL_MUNICIPALITY;
    rec = (socin_record_t)SOCIN__V1__RECORD__INIT;
    rec.kind_case = SOCIN__V1__RECORD__KIND_DATASET;
    rec.dataset = &ds;
    s_put (model, &rec);

    Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
    sub.name = "brno";
    sub.public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    sub.territories = parents;
    sub.n_territories = 1;
    rec = (socin_record_t)SOCIN__V1__RECORD__INIT;
    rec.kind_case = SOCIN__V1__RECORD__KIND_SUBMITTER;
    rec.submitter = &sub;
    s_put (model, &rec);
    socin_model_finish (model);
    return model;
}

/* A reporting service's state over MODEL, its store in the temporary directory. */
typedef struct {
    socin_store_t *store;
    rep_apply_t *apply;
    rep_cube_t *cube;
    rep_events_t *events;
} s_reporting_t;

static bool
s_reporting_open (s_reporting_t *r, const socin_model_t *model)
{
    char err[512] = "";
    memset (r, 0, sizeof *r);
    r->store = socin_store_open (s_dir, NULL, err, sizeof err);
    if (!r->store) {
        fprintf (stderr, "    socin_store_open: %s\n", err);
        return false;
    }
    r->apply = rep_apply_new (r->store);
    r->cube = rep_cube_new (model);
    r->events = rep_events_new ();
    return true;
}

static void
s_reporting_close (s_reporting_t *r)
{
    rep_events_destroy (&r->events);
    rep_cube_destroy (&r->cube);
    rep_apply_destroy (&r->apply);
    socin_store_destroy (&r->store);
}

/* True when every byte of TEXT is part of valid UTF-8. */
static bool
s_utf8 (const char *text)
{
    return socin_utf8_valid (text, strlen (text), NULL);
}

/*  fuzz_report_request (corpus/report_request/completeness): a completeness answer whose rows
    list no missing unit sorted each row's empty list with qsort (NULL, 0, ...), which the C
    library declares undefined (UBSan: "null pointer passed as argument 1, which is declared
    to never be null"). This case fails under `make asan`, where UBSan watches. */
static void
completeness_with_no_missing_unit_answers_without_sorting_nothing (void)
{
    socin_model_t *model = s_model ();
    s_reporting_t r;
    CHECK (s_reporting_open (&r, model));
    if (!r.store) {
        socin_model_destroy (&model);
        return;
    }
    Socin__V1__CompletenessQuery q = SOCIN__V1__COMPLETENESS_QUERY__INIT;
    q.dataset = "DS_PARTICIPATION";
    q.period = "202503";
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.request_id = "q1";
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS;
    req.completeness = &q;
    rep_query_ctx_t ctx = {model, 1, r.cube, r.events, r.apply, socin_date_from_ymd (2026, 3, 16)};
    Socin__V1__ReportReply *reply = rep_query_answer (&ctx, &req);
    CHECK (reply->error == NULL);
    CHECK_INT (reply->body_case, SOCIN__V1__REPORT_REPLY__BODY_COMPLETENESS);
    if (reply->body_case == SOCIN__V1__REPORT_REPLY__BODY_COMPLETENESS) {
        CHECK_INT (reply->completeness->n_rows, 1);
        if (reply->completeness->n_rows == 1) {
            CHECK_STR (reply->completeness->rows[0]->unit, "CZ");
            CHECK_INT (reply->completeness->rows[0]->expected, 1);
            CHECK_INT (reply->completeness->rows[0]->n_missing, 0);
        }
    }
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    s_reporting_close (&r);
    socin_model_destroy (&model);
}

/*  fuzz_report_request (corpus/report_request/regression-long-indicator): a refusal quoting a
    long request text was cut to its 1,024-byte buffer inside a character, so a request of
    valid UTF-8 got a reply that clients in other languages cannot decode. */
static void
a_refusal_quoting_a_long_code_stays_valid_utf8 (void)
{
    static char code[1300] = "a";
    for (int i = 0; i < 600; i++)
        strcat (code, "č");
    socin_model_t *model = s_model ();
    s_reporting_t r;
    CHECK (s_reporting_open (&r, model));
    if (!r.store) {
        socin_model_destroy (&model);
        return;
    }
    Socin__V1__RollupQuery q = SOCIN__V1__ROLLUP_QUERY__INIT;
    q.indicator = code;
    q.period = "2025";
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
    req.rollup = &q;
    rep_query_ctx_t ctx = {model, 1, r.cube, r.events, r.apply, socin_date_from_ymd (2026, 3, 16)};
    Socin__V1__ReportReply *reply = rep_query_answer (&ctx, &req);
    CHECK (reply->error != NULL);
    if (reply->error) {
        CHECK_INT (reply->error->code, SOCIN__V1__ERROR_CODE__ERROR_CODE_NOT_FOUND);
        CHECK (strncmp (reply->error->message, "indicator 'ač", 14) == 0);
        CHECK (s_utf8 (reply->error->message));
    }
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    s_reporting_close (&r);
    socin_model_destroy (&model);
}

/*  fuzz_submission (corpus/submission/regression-long-disaggregation): a disaggregation of 199
    bytes (within the 200 accepted) that is not dimension=option was quoted in a message cut
    to 200 bytes inside a character, and that message went into the import summary: a valid
    submission got an answer that clients in other languages cannot decode. */
static void
a_conflict_quoting_a_long_disaggregation_stays_valid_utf8 (void)
{
    char disagg[256] = "a";
    for (int i = 0; i < 99; i++)
        strcat (disagg, "č");
    socin_model_t *model = s_model ();
    Socin__V1__DataValue value = SOCIN__V1__DATA_VALUE__INIT, *values[] = {&value};
    value.indicator = "PART_EVENTS";
    value.unit = "582786";
    value.period = "202503";
    value.value = "2";
    value.disaggregation = disagg;
    Socin__V1__Submission sub = SOCIN__V1__SUBMISSION__INIT;
    sub.submission_id = "x1";
    sub.values = values;
    sub.n_values = 1;
    ing_context_t ctx = {model, socin_model_submitter (model, "brno"), NULL,
                         0,     socin_date_from_ymd (2026, 3, 16),     730};
    ing_checked_t checked = {0};
    ing_validate (&ctx, &sub, &checked);
    CHECK_INT (checked.nvalues, 0);
    CHECK_INT (checked.nconflicts, 1);
    if (checked.nconflicts == 1) {
        const Socin__V1__Conflict *c = checked.conflicts[0];
        CHECK_INT (c->code, SOCIN__V1__ERROR_CODE__ERROR_CODE_UNKNOWN_DISAGGREGATION);
        CHECK_STR (c->value, disagg);
        CHECK (strncmp (c->message, "\"ač", 4) == 0);
        CHECK (s_utf8 (c->message));
    }
    ing_checked_free (&checked);
    socin_model_destroy (&model);
}

/*  fuzz_feed (corpus/feed/regression-measure-header-bad-column.csv): a measure progress CSV
    whose header named a known column and then an unknown one was refused, but the names kept
    before the unknown one were never freed (a leak LeakSanitizer reports at exit, under `make
    asan`). The refusal names the column; nothing is left behind. */
static void
a_refused_measure_header_keeps_nothing (void)
{
    static const char text[] = "plan,measure,perio[d,output_value\nP1,M1,2025,3\n";
    socin_feed_t *feed =
        socin_feed_new (text, sizeof text - 1, "progress.csv", SOCIN_FEED_CSV, false);
    socin_feed_item_t item;
    char err[512] = "";
    CHECK_INT (socin_feed_next (feed, &item, err, sizeof err), -1);
    char want[512];
    snprintf (want, sizeof want,
              "progress.csv line 1: column \"perio[d\" is not one of plan, measure, period, "
              "status, spent_<source> (%s), output_value, comment",
              socin_funding_names ());
    CHECK_STR (err, want);
    socin_feed_destroy (&feed);
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-regressions-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    RUN (a_dimension_option_given_twice_is_named_in_the_refusal,
         "a dimension option given twice is named in the refusal");
    RUN (completeness_with_no_missing_unit_answers_without_sorting_nothing,
         "a completeness answer with no missing unit is given without sorting an empty list");
    RUN (a_refusal_quoting_a_long_code_stays_valid_utf8,
         "a refusal quoting a long indicator code stays valid UTF-8");
    RUN (a_conflict_quoting_a_long_disaggregation_stays_valid_utf8,
         "a conflict quoting a long disaggregation stays valid UTF-8");
    RUN (a_refused_measure_header_keeps_nothing,
         "a measure progress CSV header refused for an unknown column keeps none of its columns");
    nftw (s_dir, s_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
