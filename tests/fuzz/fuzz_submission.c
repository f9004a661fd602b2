/*  fuzz_submission: an IngestRequest frame as socin-ingest unpacks it, and a submission in it
    validated against the registry model and answered with its import summary.

    What the ingest does after the ZeroMQ framing (services/ingest/main.c s_take): unpack the
    payload, check the submission id and the item count, validate every item (ing_validate)
    and put the conflicts in the ImportSummary it sends back (ing_ledger_summary), which is
    packed. A history query goes through the same lookups as the ingest's s_history: unit,
    indicator, period, disaggregation and the value key.

    Properties beyond "no crash, no sanitizer report": every accepted item and conflict names
    an item of the submission; every string of the summary is valid UTF-8 (clients in other
    languages refuse a message that is not); the packed summary unpacks to as many conflicts.
    Half of the inputs (by length) are validated by an ingest that serves only kraj CZ064, so
    the "outside the territory this ingest serves" path is reached as well.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "ledger.h"
#include "validate.h"
#include "socin/v1/ingest.pb-c.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_ITEMS 100000 /* the ingest's default max_items */

static socin_model_t *s_model;
static const socin_submitter_t *s_submitter;
static uint32_t s_region[1];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    s_model = fuzz_model_new (true, true);
    s_submitter = socin_model_submitter (s_model, "fuzz");
    const socin_unit_t *kraj = socin_model_unit (s_model, "CZ064");
    FUZZ_ASSERT (s_submitter && kraj, "the fixture lacks the submitter or CZ064");
    s_region[0] = kraj->id;
    return 0;
}

static void
s_check_summary (const Socin__V1__Submission *sub, const ing_checked_t *checked)
{
    ing_pending_t p = {0};
    p.sub = sub;
    p.submitter = s_submitter->code;
    p.submitter_key = s_submitter->key;
    p.checked = *checked;
    p.imported = (uint32_t)(checked->nvalues + checked->nevents);
    p.status = checked->nconflicts ? SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_WARNING
                                   : SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_SUCCESS;
    Socin__V1__ImportSummary summary = SOCIN__V1__IMPORT_SUMMARY__INIT;
    ing_ledger_summary (&p, "CZ064", 1767225600000, &summary);
    fuzz_check_message_utf8 ("ImportSummary", &summary.base);
    for (size_t i = 0; i < summary.n_conflicts; i++) {
        const Socin__V1__Conflict *c = summary.conflicts[i];
        FUZZ_ASSERT (*c->message, "conflict %zu has no message", i);
        size_t n = c->kind == SOCIN__V1__ITEM_KIND__ITEM_KIND_VALUE ? sub->n_values : sub->n_events;
        FUZZ_ASSERT (c->index < n, "conflict %zu names item %u of %zu", i, c->index, n);
    }
    size_t len = socin__v1__import_summary__get_packed_size (&summary);
    uint8_t *buf = malloc (len ? len : 1);
    FUZZ_ASSERT (buf, "out of memory");
    FUZZ_ASSERT (socin__v1__import_summary__pack (&summary, buf) == len, "pack length");
    Socin__V1__ImportSummary *back = socin__v1__import_summary__unpack (NULL, len, buf);
    FUZZ_ASSERT (back && back->n_conflicts == summary.n_conflicts, "the summary does not unpack");
    socin__v1__import_summary__free_unpacked (back, NULL);
    free (buf);
}

static void
s_submission (const Socin__V1__Submission *sub, bool regional)
{
    /* What s_take refuses before validation. */
    if (!ing_submission_id_ok (sub->submission_id)) return;
    if (sub->n_values + sub->n_events > MAX_ITEMS) return;
    ing_context_t ctx = {s_model,          s_submitter,   regional ? s_region : NULL,
                         regional ? 1 : 0, fuzz_today (), 730};
    ing_checked_t checked = {0};
    ing_validate (&ctx, sub, &checked);
    FUZZ_ASSERT (
        checked.nvalues + checked.nevents + checked.nconflicts == sub->n_values + sub->n_events,
        "%zu values and %zu events accepted, %zu conflicts, for %zu items", checked.nvalues,
        checked.nevents, checked.nconflicts, sub->n_values + sub->n_events);
    for (size_t i = 0; i < checked.nvalues; i++) {
        const ing_value_t *v = &checked.values[i];
        FUZZ_ASSERT (v->index < sub->n_values, "value index %u", v->index);
        FUZZ_ASSERT (v->keylen > 0 && v->keylen <= ING_KEY_MAX, "key length %zu", v->keylen);
        socin_period_t p;
        FUZZ_ASSERT (socin_period_parse (v->period, &p, NULL, 0) == 0,
                     "accepted period \"%s\" does not parse", v->period);
    }
    for (size_t i = 0; i < checked.nevents; i++)
        FUZZ_ASSERT (checked.events[i].index < sub->n_events, "event index %u",
                     checked.events[i].index);
    s_check_summary (sub, &checked);
    ing_checked_free (&checked);
}

/* The lookups of the ingest's s_history, up to the key it reads the ledger with. */
static void
s_history (const Socin__V1__HistoryQuery *q)
{
    socin_unit_t *unit = socin_model_unit (s_model, q->unit);
    socin_indicator_t *ind = socin_model_indicator (s_model, q->indicator);
    if (!unit || !ind || !socin_submitter_covers (s_submitter, unit)) return;
    char disagg[256], why[200], key[ING_KEY_MAX];
    socin_period_t period;
    size_t keylen;
    if (socin_period_parse (q->period, &period, why, sizeof why)) {
        fuzz_check_utf8 ("period message", why);
        return;
    }
    if (socin_model_disaggregation (s_model, ind, q->disaggregation, disagg, sizeof disagg, why,
                                    sizeof why))
        return;
    char ptext[SOCIN_PERIOD_STRLEN];
    socin_period_format (period, ptext, sizeof ptext);
    FUZZ_ASSERT (ing_value_key (ind->code, unit->code, ptext, disagg, key, &keylen) == 0,
                 "the value key of a valid history query is too long");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    Socin__V1__IngestRequest *req = socin__v1__ingest_request__unpack (NULL, size, data);
    if (!req) return 0;
    if (req->body_case == SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION)
        s_submission (req->submission, size & 1);
    else if (req->body_case == SOCIN__V1__INGEST_REQUEST__BODY_HISTORY)
        s_history (req->history);
    socin__v1__ingest_request__free_unpacked (req, NULL);
    return 0;
}
