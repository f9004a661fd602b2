/*  test_reporting_cube: changes given to the cube together (rep_cube_set_many, which adds a
    run of new values to their ancestors' cells once) leave every figure as the same changes
    given one at a time (rep_cube_set) do.

    The registry is the one a fresh socin-registry holds (the fuzz targets' fixture: the
    embedded sample territory with its groups and city districts, the default catalogue).
    Changes are drawn at random — new values, changed values, zeros, removals, a value changed
    twice in a row — for indicators of every aggregation, period type and with dimensions,
    ordered slab by slab as reporting gives them, with a share left in random order. Then
    every node's and group's figure for every period, the total and each disaggregation, and
    each unit's own figures and first days must be the same in both cubes.

    And the cube reporting rebuilds from its store at a start (rep_apply_load, which gives the
    stored values to rep_cube_set_many a chunk at a time): four years of every unit, indicator
    and finest period, several chunks, must give every figure the same values give one at a
    time.
*/
#include "apply.h"
#include "chunks.h"
#include "cube.h"
#include "events.h"
#include "fixture.h"
#include "valuekey.h"
#include "valuestate.h"

#include "testing.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NCHANGES 30000
#define YEAR     2025

static uint64_t s_seed = 0x9E3779B97F4A7C15ULL;

static uint32_t
s_rand (uint32_t below)
{
    s_seed ^= s_seed << 13;
    s_seed ^= s_seed >> 7;
    s_seed ^= s_seed << 17;
    return (uint32_t)(s_seed % below);
}

static const char *s_disaggs[] = {"a=1", "a=2", "a=1,b=2"};

static int
s_count_of (int type)
{
    return type == SOCIN_PERIOD_WEEK      ? 52
           : type == SOCIN_PERIOD_MONTH   ? 12
           : type == SOCIN_PERIOD_QUARTER ? 4
           : type == SOCIN_PERIOD_HALF    ? 2
                                          : 1;
}

/* Slab by slab, then unit, as reporting queues them (a share of them keeps its place). */
static int
s_cmp_change (const void *a, const void *b)
{
    const rep_cube_change_t *x = a, *y = b;
    if (x->ind->id != y->ind->id) return x->ind->id < y->ind->id ? -1 : 1;
    int c = strcmp (x->disaggregation, y->disaggregation);
    if (c) return c;
    if (x->period.index != y->period.index) return x->period.index < y->period.index ? -1 : 1;
    if (x->unit->id != y->unit->id) return x->unit->id < y->unit->id ? -1 : 1;
    return 0;
}

static int
s_same_agg (const socin_agg_t *a, const socin_agg_t *b)
{
    return a->n == b->n && a->sum == b->sum && a->wsum == b->wsum && a->wden == b->wden &&
           a->last == b->last && a->units == b->units && a->units_true == b->units_true &&
           (a->n == 0 || (a->min == b->min && a->max == b->max));
}

/* How many of the figures of YEAR differ between cubes ONE and MANY: every node's and group's
   for every period, the total and each disaggregation, and each unit's own figures and first
   days. COMPARED counts the nodes' figures that hold values. */
static size_t
s_differ (socin_model_t *model, int year, rep_cube_t *one, rep_cube_t *many, size_t *compared)
{
    size_t nunits = socin_model_count (model, SOCIN_KIND_UNIT);
    size_t ninds = socin_model_count (model, SOCIN_KIND_INDICATOR);
    size_t ngroups = socin_model_count (model, SOCIN_KIND_GROUP);
    size_t differ = 0;
    *compared = 0;
    for (uint32_t id = 1; id <= ninds; id++) {
        const socin_indicator_t *ind = socin_model_indicator_at (model, id);
        const char *disaggs[4] = {"", s_disaggs[0], s_disaggs[1], s_disaggs[2]};
        size_t nd = ind->ndims ? 4 : 1;
        for (int type = (int)ind->period_type; type <= SOCIN_PERIOD_YEAR; type++) {
            for (int k = 1; k <= s_count_of (type); k++) {
                socin_period_t p = {(uint8_t)type, year, (uint8_t)k};
                for (size_t d = 0; d < nd; d++) {
                    socin_agg_t a, b;
                    for (uint32_t u = 1; u <= nunits; u++) {
                        const socin_unit_t *unit = socin_model_unit_at (model, u);
                        int ra = rep_cube_unit (one, ind, unit, p, disaggs[d], &a);
                        int rb = rep_cube_unit (many, ind, unit, p, disaggs[d], &b);
                        differ += ra != rb || !s_same_agg (&a, &b);
                        if (unit->has_children) {
                            ra = rep_cube_node (one, ind, unit, NULL, p, disaggs[d], &a);
                            rb = rep_cube_node (many, ind, unit, NULL, p, disaggs[d], &b);
                            differ += ra != rb || !s_same_agg (&a, &b);
                            *compared += a.n > 0;
                        }
                        if (type == (int)ind->period_type && d == 0)
                            differ += rep_cube_received (one, ind, unit, p) !=
                                      rep_cube_received (many, ind, unit, p);
                    }
                    for (uint32_t g = 1; g <= ngroups; g++) {
                        const socin_group_t *group = socin_model_group_at (model, g);
                        int ra = rep_cube_node (one, ind, NULL, group, p, disaggs[d], &a);
                        int rb = rep_cube_node (many, ind, NULL, group, p, disaggs[d], &b);
                        differ += ra != rb || !s_same_agg (&a, &b);
                    }
                }
            }
        }
    }
    return differ;
}

static void
changes_together_leave_the_figures_of_changes_one_at_a_time (void)
{
    socin_model_t *model = fuzz_model_new (true, false);
    size_t nunits = socin_model_count (model, SOCIN_KIND_UNIT);
    size_t ninds = socin_model_count (model, SOCIN_KIND_INDICATOR);
    CHECK (nunits > 10 && ninds > 3);
    rep_cube_t *one = rep_cube_new (model), *many = rep_cube_new (model);
    rep_cube_change_t *ch = calloc (NCHANGES, sizeof *ch);
    for (size_t i = 0; i < NCHANGES; i++) {
        rep_cube_change_t *c = &ch[i];
        c->ind = socin_model_indicator_at (model, 1 + s_rand ((uint32_t)ninds));
        c->unit = socin_model_unit_at (model, 1 + s_rand ((uint32_t)nunits));
        socin_period_t p = {(uint8_t)c->ind->period_type, YEAR,
                            (uint8_t)(1 + s_rand ((uint32_t)s_count_of (c->ind->period_type)))};
        c->period = p;
        c->disaggregation = c->ind->ndims ? s_disaggs[s_rand (3)] : "";
        c->present = s_rand (10) != 0;
        c->value = (socin_dec_t)s_rand (8) * (s_rand (2) ? 1000000 : -250000);
        c->first_day = 20000 + (int32_t)s_rand (400);
        if (i > 0 && s_rand (20) == 0) { /* the same value again, changed */
            ch[i] = ch[i - 1];
            c->value += 1000000;
        }
    }
    /* Three quarters in reporting's order, the rest as drawn. */
    qsort (ch, NCHANGES / 4 * 3, sizeof *ch, s_cmp_change);
    for (size_t i = 0; i < NCHANGES; i++)
        rep_cube_set (one, ch[i].ind, ch[i].unit, ch[i].period, ch[i].disaggregation, ch[i].present,
                      ch[i].value, ch[i].first_day);
    size_t refused = 0;
    for (size_t i = 0; i < NCHANGES; i += 5000)
        refused += rep_cube_set_many (many, ch + i, NCHANGES - i < 5000 ? NCHANGES - i : 5000);
    CHECK_INT (refused, 0);

    size_t compared = 0, differ = s_differ (model, YEAR, one, many, &compared);
    CHECK_INT (differ, 0);
    CHECK (compared > 1000); /* the comparison saw figures, not empty cells */
    free (ch);
    rep_cube_destroy (&one);
    rep_cube_destroy (&many);
    socin_model_destroy (&model);
}

/* Puts every value of VALUES (N of them, their keys in KEYS) into the store's values (a chunked
   map, apply.h) as reporting's current versions. */
typedef struct {
    MDB_dbi dbi;
    const rep_cube_change_t *values;
    char (*keys)[SOCIN_VALUE_KEY_MAX];
    size_t n;
} s_fill_t;

static int
s_fill_txn (MDB_txn *txn, void *arg)
{
    s_fill_t *f = arg;
    int rc;
    socin_chunks_t *h = socin_chunks_open (txn, f->dbi, &rc);
    for (size_t i = 0; h && i < f->n; i++) {
        const rep_cube_change_t *c = &f->values[i];
        char period[16];
        socin_period_format (c->period, period, sizeof period);
        size_t klen =
            socin_value_key (c->ind->code, c->unit->code, period, c->disaggregation, f->keys[i]);
        socin_value_state_t st = {.value = c->value,
                                  .seq = i + 1,
                                  .ms = 1000,
                                  .first_day = c->first_day,
                                  .text = "CZ",
                                  .text_len = 2};
        unsigned char buf[SOCIN_VALUE_HEAD_MAX + 64];
        socin_value_state_pack (SOCIN_VALUE_VERSION, &st, buf);
        MDB_val k = {klen, f->keys[i]},
                v = {socin_value_state_size (SOCIN_VALUE_VERSION, &st), buf};
        rc = klen ? socin_chunks_put (h, &k, &v, 0, NULL, NULL) : -1;
        if (rc) break;
    }
    int crc = socin_chunks_close (&h, rc != 0);
    return rc ? rc : crc;
}

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

static void
a_cube_rebuilt_from_the_store_has_the_figures_of_its_values (void)
{
    socin_model_t *model = fuzz_model_new (true, false);
    size_t nunits = socin_model_count (model, SOCIN_KIND_UNIT);
    size_t ninds = socin_model_count (model, SOCIN_KIND_INDICATOR);
    /* Every unit, indicator and finest period of four years: several of the rebuild's
       chunks. */
    size_t cap = 4 * nunits * ninds * 53, n = 0;
    rep_cube_change_t *values = calloc (cap, sizeof *values);
    for (int year = YEAR - 3; year <= YEAR; year++)
        for (uint32_t id = 1; id <= ninds; id++) {
            const socin_indicator_t *ind = socin_model_indicator_at (model, id);
            for (uint32_t u = 1; u <= nunits; u++)
                for (int k = 1; k <= s_count_of (ind->period_type); k++) {
                    rep_cube_change_t *c = &values[n++];
                    c->ind = ind;
                    c->unit = socin_model_unit_at (model, u);
                    c->period = (socin_period_t){(uint8_t)ind->period_type, year, (uint8_t)k};
                    c->disaggregation = ind->ndims ? s_disaggs[s_rand (3)] : "";
                    c->present = true;
                    c->value = (socin_dec_t)(1 + s_rand (1000)) * 250000;
                    c->first_day = 20000 + (int32_t)s_rand (400);
                }
        }
    CHECK (n > 2 * 65536);
    char dir[64], err[256];
    snprintf (dir, sizeof dir, "/tmp/socin-test-rebuild-XXXXXX");
    CHECK (mkdtemp (dir) != NULL);
    socin_store_t *store = socin_store_open (dir, NULL, err, sizeof err);
    CHECK (store != NULL);
    if (!store) return;
    rep_apply_t *apply = rep_apply_new (store);
    s_fill_t fill = {socin_store_dbi (store, REP_VALUES_DB, 0), values,
                     calloc (n, SOCIN_VALUE_KEY_MAX), n};
    CHECK_INT (socin_store_write (store, s_fill_txn, &fill, err, sizeof err), SOCIN_STORE_OK);

    rep_cube_t *one = rep_cube_new (model), *rebuilt = rep_cube_new (model);
    for (size_t i = 0; i < n; i++)
        rep_cube_set (one, values[i].ind, values[i].unit, values[i].period,
                      values[i].disaggregation, true, values[i].value, values[i].first_day);
    rep_events_t *events = rep_events_new ();
    uint64_t unresolved = 1;
    CHECK_INT ((long long)rep_apply_load (apply, model, rebuilt, events, &unresolved),
               (long long)n);
    CHECK_INT ((long long)unresolved, 0);
    for (int year = YEAR - 3; year <= YEAR; year++) {
        size_t compared = 0;
        CHECK_INT (s_differ (model, year, one, rebuilt, &compared), 0);
        CHECK (compared > 1000);
    }

    rep_events_destroy (&events);
    rep_cube_destroy (&one);
    rep_cube_destroy (&rebuilt);
    rep_apply_destroy (&apply);
    socin_store_destroy (&store);
    nftw (dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free (fill.keys);
    free (values);
    socin_model_destroy (&model);
}

int
main (void)
{
    RUN (changes_together_leave_the_figures_of_changes_one_at_a_time,
         "changes given to the cube together leave the figures of changes given one at a time");
    RUN (a_cube_rebuilt_from_the_store_has_the_figures_of_its_values,
         "a cube rebuilt from the store, a chunk of values at a time, has every figure of the "
         "same values given one at a time");
    return TEST_SUMMARY ();
}
