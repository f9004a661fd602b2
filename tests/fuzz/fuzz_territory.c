/*  fuzz_territory: territory files as an administrator loads them into the registry — the
    ČSÚ "Struktura území ČR" CSV (socin_territory_parse_csu, with and without a valid_from
    override) and the sample format (socin_territory_parse_sample).

    A file that parses is planned against a fresh registry model (socin_territory_plan, as the
    registry's import does) and committed into it, and the model is recomputed, so what a file
    can make of the units (parents, ancestors, cycles) is reached too.

    Properties beyond "no crash, no sanitizer report": a refusal has a message; parsed units
    each have a code; the plan of a first edition adds every unit.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "territory.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    return 0;
}

/* Plans RECS (taken) as the first edition of an empty registry and commits them. */
static void
s_plan (socin_record_t **recs, size_t n, int32_t edition)
{
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT (recs[i]->kind_case == SOCIN__V1__RECORD__KIND_UNIT &&
                         socin_record_code (recs[i]),
                     "unit %zu has no code", i);
    socin_model_t *m = socin_model_new ();
    socin_record_t **changes;
    size_t nchanges;
    uint32_t added, updated, unchanged, closed;
    char err[512];
    FUZZ_ASSERT (socin_territory_plan (m, recs, n, edition, &changes, &nchanges, &added, &updated,
                                       &unchanged, &closed, err, sizeof err) == 0,
                 "a first edition refused: %s", err);
    FUZZ_ASSERT (added == n && nchanges == n && !updated && !unchanged && !closed,
                 "a first edition of %zu units planned as %u added, %u updated", n, added, updated);
    for (size_t i = 0; i < nchanges; i++)
        FUZZ_ASSERT (socin_model_put (m, changes[i]) == 0, "unit %zu refused by the model", i);
    free (changes);
    socin_model_finish (m);
    for (uint32_t id = 1; id <= socin_model_count (m, SOCIN_KIND_UNIT); id++) {
        const socin_unit_t *u = socin_model_unit_at (m, id);
        FUZZ_ASSERT (u->nancestors <= SOCIN_MAX_ANCESTORS && u->nparents <= SOCIN_MAX_PARENTS,
                     "unit %s has %d ancestors", u->code, u->nancestors);
    }
    socin_model_destroy (&m);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    socin_record_t **recs;
    size_t n;
    int32_t edition;
    char err[1024];
    static const char *overrides[] = {"", "2026-01-01"};
    for (int k = 0; k < 2; k++) {
        if (socin_territory_parse_csu (text, size, overrides[k], &recs, &n, &edition, err,
                                       sizeof err)) {
            FUZZ_ASSERT (err[0], "a refusal without a message");
        } else
            s_plan (recs, n, edition);
    }
    if (socin_territory_parse_sample (text, size, &recs, &n, err, sizeof err)) {
        FUZZ_ASSERT (err[0], "a refusal without a message");
    } else
        s_plan (recs, n, socin_date_from_ymd (2026, 1, 1));
    return 0;
}
