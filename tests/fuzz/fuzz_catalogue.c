/*  fuzz_catalogue: catalogue files as an administrator loads them into the registry.

    What the registry does with `socin registry import-catalogue` (services/registry/main.c
    s_load_catalogue, then s_commit): parse the text (socin_catalogue_parse), check its
    references against the registry (socin_catalogue_check, here the sample territory with
    the default catalogue), and put the records into the model and recompute it. A catalogue
    that passes is put into a fresh model holding the sample territory and the default
    catalogue, which is then asked what validation and reporting ask of it (the
    disaggregation of each indicator, the units each data set includes).

    Properties beyond "no crash, no sanitizer report": a refusal has a message; an accepted
    catalogue has records each with a kind and a code; the parse is deterministic (a second
    parse gives the same records).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "fixture.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static socin_model_t *s_model;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    s_model = fuzz_model_new (true, false);
    return 0;
}

static void
s_free (socin_record_t **recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked (&recs[i]->base, NULL);
    free (recs);
}

/* Puts the accepted RECS (taken) into a registry model and asks it what services ask. */
static void
s_commit (socin_record_t **recs, size_t n)
{
    socin_model_t *m = fuzz_model_new (true, false);
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT (socin_model_put (m, recs[i]) == 0, "record %zu was refused by the model", i);
    free (recs);
    socin_model_finish (m);
    char out[256], err[256];
    for (uint32_t id = 1; id <= socin_model_count (m, SOCIN_KIND_INDICATOR); id++) {
        const socin_indicator_t *ind = socin_model_indicator_at (m, id);
        socin_model_disaggregation (m, ind, "", out, sizeof out, err, sizeof err);
        for (int d = 0; d < ind->ndims; d++) {
            const socin_dimension_t *dim = socin_model_dimension_at (m, ind->dims[d]);
            for (size_t o = 0; o < dim->pb->n_options; o++) {
                char text[300];
                snprintf (text, sizeof text, "%s=%s", dim->code, dim->pb->options[o]->code);
                socin_model_disaggregation (m, ind, text, out, sizeof out, err, sizeof err);
            }
        }
    }
    const socin_unit_t *brno = socin_model_unit (m, "582786");
    for (uint32_t id = 1; id <= socin_model_count (m, SOCIN_KIND_DATASET); id++)
        socin_dataset_includes (m, socin_model_dataset_at (m, id), brno);
    socin_model_destroy (&m);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    socin_record_t **recs;
    size_t n;
    char err[1024];
    if (socin_catalogue_parse (text, size, &recs, &n, err, sizeof err)) {
        FUZZ_ASSERT (err[0], "a refusal without a message");
        return 0;
    }
    FUZZ_ASSERT (n > 0, "an accepted catalogue without records");
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT (socin_record_kind (recs[i]) && socin_record_code (recs[i]),
                     "record %zu has no kind or code", i);
    socin_record_t **again;
    size_t m;
    FUZZ_ASSERT (socin_catalogue_parse (text, size, &again, &m, err, sizeof err) == 0 && m == n,
                 "a second parse differs");
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT (socin_record_same (recs[i], again[i]), "record %zu differs the second time",
                     i);
    s_free (again, m);
    if (socin_catalogue_check (s_model, recs, n, err, sizeof err)) {
        FUZZ_ASSERT (err[0], "a refusal without a message");
        s_free (recs, n);
        return 0;
    }
    s_commit (recs, n);
    return 0;
}
