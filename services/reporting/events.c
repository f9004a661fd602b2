/*  events: participation events in memory. See events.h. */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "log.h"
#include "mem.h"
#include "period.h"

#define MAX_GROUPS 16

typedef struct {
    char *key; /* unit NUL event_id, owned */
    size_t keylen;
    char *unit;
    int32_t day;
    int type;
    uint32_t participants;
    bool open, platform;
    struct {
        char group[32];
        uint32_t n;
    } vulnerable[MAX_GROUPS];
    int nvulnerable;
    bool live;
} s_event_t;

struct rep_events_t {
    s_event_t *list;
    size_t n, cap, live;
    socin_index_t *by_key; /* key -> index + 1 */
};

rep_events_t *
rep_events_new (void)
{
    rep_events_t *self = socin_calloc (1, sizeof *self);
    self->by_key = socin_index_new ();
    return self;
}

void
rep_events_clear (rep_events_t *self)
{
    for (size_t i = 0; i < self->n; i++) {
        free (self->list[i].key);
        free (self->list[i].unit);
    }
    self->n = self->live = 0;
    socin_index_clear (self->by_key);
}

void
rep_events_destroy (rep_events_t **self_p)
{
    rep_events_t *self = *self_p;
    if (!self) return;
    rep_events_clear (self);
    free (self->list);
    socin_index_destroy (&self->by_key);
    free (self);
    *self_p = NULL;
}

size_t
rep_events_count (rep_events_t *self)
{
    return self->live;
}

void
rep_events_set (rep_events_t *self, const Socin__V1__ParticipationEvent *ev)
{
    size_t a = strlen (ev->unit), b = strlen (ev->event_id);
    char *key = socin_malloc (a + b + 2);
    memcpy (key, ev->unit, a + 1);
    memcpy (key + a + 1, ev->event_id, b + 1);
    uintptr_t at = (uintptr_t)socin_index_get (self->by_key, key, a + 1 + b);
    s_event_t *e;
    if (at) {
        e = &self->list[at - 1];
        free (key);
        if (ev->delete_) {
            if (e->live) self->live--;
            e->live = false;
            return;
        }
    } else {
        if (ev->delete_) {
            free (key);
            return;
        }
        if (self->n == self->cap) {
            self->cap = self->cap ? self->cap * 2 : 256;
            self->list = socin_realloc (self->list, self->cap * sizeof *self->list);
            /* Keys live in the entries' own allocations, so the index survives the move. */
        }
        e = &self->list[self->n++];
        memset (e, 0, sizeof *e);
        e->key = key;
        e->keylen = a + 1 + b;
        e->unit = socin_strdup (ev->unit);
        socin_index_put (self->by_key, e->key, e->keylen, (void *)(uintptr_t)self->n);
    }
    char err[64];
    if (socin_date_parse (ev->date, &e->day, err, sizeof err)) e->day = 0;
    e->type = ev->type;
    e->participants = ev->participants;
    e->open = ev->open_to_public;
    e->platform = ev->platform_includes_vulnerable;
    e->nvulnerable = 0;
    for (size_t i = 0; i < ev->n_vulnerable && e->nvulnerable < MAX_GROUPS; i++) {
        snprintf (e->vulnerable[e->nvulnerable].group, sizeof e->vulnerable[0].group, "%s",
                  ev->vulnerable[i]->group);
        e->vulnerable[e->nvulnerable++].n = ev->vulnerable[i]->participants;
    }
    if (!e->live) self->live++;
    e->live = true;
}

/* ---- participation ---- */

static int
s_cmp_code (const void *a, const void *b)
{
    return strcmp ((*(const socin_unit_t *const *)a)->code,
                   (*(const socin_unit_t *const *)b)->code);
}

typedef struct {
    const socin_unit_t *unit;
    const socin_group_t *group;
    int type;
    uint64_t events, participants;
    uint64_t vulnerable[MAX_GROUPS];
    uint32_t *municipalities; /* distinct units with an event */
    size_t nmunicipalities;
} s_row_t;

static void
s_row_add_unit (s_row_t *r, uint32_t unit)
{
    for (size_t i = 0; i < r->nmunicipalities; i++)
        if (r->municipalities[i] == unit) return;
    r->municipalities =
        socin_realloc (r->municipalities, (r->nmunicipalities + 1) * sizeof *r->municipalities);
    r->municipalities[r->nmunicipalities++] = unit;
}

/* A participation figure being computed. */
typedef struct {
    const socin_model_t *model;
    const Socin__V1__ParticipationQuery *q;
    const socin_group_t *group; /* the query's group, or */
    const socin_unit_t *root;   /* the unit it is under */
    int32_t start, end;
    int32_t day;                 /* the period's territory day (model.h) */
    const socin_dimension_t *tg; /* the vulnerable groups: the column order */
    size_t ngroups;
    int ntypes;
    s_row_t *rows;
    size_t nrows;
    int32_t *row_of; /* unit id -> first row of the unit at the level, -1 */
} s_tally_t;

/* The period and the group or unit asked about. */
static int
s_tally_scope (s_tally_t *t, char *err, size_t errlen)
{
    const Socin__V1__ParticipationQuery *q = t->q;
    socin_period_t period;
    if (socin_period_parse (q->period, &period, err, errlen)) return -1;
    t->start = socin_period_start (period);
    t->end = socin_period_end (period);
    t->day = socin_territory_day (period);
    if (*q->group) {
        t->group = socin_model_group (t->model, q->group);
        if (!t->group) {
            snprintf (err, errlen, "group '%s' is not in the registry", q->group);
            return -1;
        }
        return 0;
    }
    t->root = socin_model_unit (t->model, *q->under ? q->under : "CZ");
    if (!t->root) {
        snprintf (err, errlen, "unit '%s' is not in the registry", q->under);
        return -1;
    }
    return 0;
}

/* Adds the rows of unit U (one, or one per event type). */
static void
s_tally_add_rows (s_tally_t *t, const socin_unit_t *u)
{
    if (u) t->row_of[u->id] = (int32_t)t->nrows;
    t->rows = socin_realloc (t->rows, (t->nrows + (size_t)t->ntypes) * sizeof *t->rows);
    for (int k = 0; k < t->ntypes; k++) {
        s_row_t *r = &t->rows[t->nrows + (size_t)k];
        memset (r, 0, sizeof *r);
        r->unit = u;
        r->type = t->q->by_type ? k + 1 : 0;
    }
    t->nrows += (size_t)t->ntypes;
}

/* Rows: one per unit at the level (or group member), or one for the root or group. */
static void
s_tally_rows (s_tally_t *t)
{
    size_t total = socin_model_count (t->model, SOCIN_KIND_UNIT);
    t->row_of = socin_malloc ((total + 1) * sizeof *t->row_of);
    for (size_t i = 0; i <= total; i++)
        t->row_of[i] = -1;
    t->ntypes = t->q->by_type ? 6 : 1;
    if (!t->q->level) {
        s_tally_add_rows (t, t->group ? NULL : t->root);
        return;
    }
    /* Rows in code order, as every answer lists units: ids follow the order the replica learnt
       the units in, which differs between a fresh replica and a restarted one. */
    const socin_unit_t **take = socin_calloc (total + 1, sizeof *take);
    size_t ntake = 0;
    for (uint32_t id = 1; id <= total; id++) {
        const socin_unit_t *u = socin_model_unit_at (t->model, id);
        if ((int)u->level == (int)t->q->level && socin_unit_valid_during (u, t->start, t->end) &&
            (t->group ? socin_group_has_on (t->group, id, t->day)
                      : socin_unit_under_on (t->model, u, t->root->id, t->day)))
            take[ntake++] = u;
    }
    qsort (take, ntake, sizeof *take, s_cmp_code);
    for (size_t k = 0; k < ntake; k++)
        s_tally_add_rows (t, take[k]);
    free (take);
}

/* The first row event E of unit U counts in, or -1. */
static int32_t
s_tally_base (const s_tally_t *t, const socin_unit_t *u)
{
    if (t->q->level) {
        /* The row of the unit itself or of its ancestor at the level. */
        int32_t base = t->row_of[u->id];
        uint32_t anc[SOCIN_MAX_ANCESTORS];
        int na = socin_unit_ancestors_on (t->model, u, t->day, anc);
        for (int a = 0; a < na && base < 0; a++)
            base = t->row_of[anc[a]];
        return base;
    }
    bool in = t->group
                  ? socin_group_has_on (t->group, u->id, t->day) ||
                        (u->municipality && socin_group_has_on (t->group, u->municipality, t->day))
                  : socin_unit_under_on (t->model, u, t->root->id, t->day);
    return in ? 0 : -1;
}

/* Counts every live event of the period into its row. */
static void
s_tally_events (s_tally_t *t, rep_events_t *self)
{
    for (size_t i = 0; i < self->n; i++) {
        const s_event_t *e = &self->list[i];
        if (!e->live || e->day < t->start || e->day > t->end) continue;
        const socin_unit_t *u = socin_model_unit (t->model, e->unit);
        if (!u) continue;
        int32_t base = s_tally_base (t, u);
        if (base < 0 || (t->q->by_type && (e->type < 1 || e->type > 6))) continue;
        s_row_t *r = &t->rows[(size_t)base + (size_t)(t->q->by_type ? e->type - 1 : 0)];
        r->events++;
        r->participants += e->participants;
        for (int v = 0; v < e->nvulnerable; v++)
            for (size_t g = 0; g < t->ngroups; g++)
                if (!strcmp (t->tg->pb->options[g]->code, e->vulnerable[v].group))
                    r->vulnerable[g] += e->vulnerable[v].n;
        s_row_add_unit (r, u->id);
    }
}

/* Row R as an answer's row. */
static Socin__V1__ParticipationRow *
s_tally_row (const s_tally_t *t, const s_row_t *r)
{
    Socin__V1__ParticipationRow *pr = socin_malloc (sizeof *pr);
    socin__v1__participation_row__init (pr);
    pr->unit = socin_strdup (r->unit ? r->unit->code : t->group->code);
    pr->name = socin_strdup (r->unit ? r->unit->pb->name : t->group->pb->name);
    pr->level = r->unit ? r->unit->level : 0;
    pr->type = r->type;
    pr->events = r->events;
    pr->participants = r->participants;
    pr->municipalities = r->nmunicipalities;
    pr->vulnerable = socin_calloc (t->ngroups + 1, sizeof *pr->vulnerable);
    for (size_t g = 0; g < t->ngroups; g++) {
        Socin__V1__GroupParticipants *gp = socin_malloc (sizeof *gp);
        socin__v1__group_participants__init (gp);
        gp->group = socin_strdup (t->tg->pb->options[g]->code);
        gp->participants = (uint32_t)r->vulnerable[g];
        pr->vulnerable[pr->n_vulnerable++] = gp;
    }
    return pr;
}

int
rep_events_participation (rep_events_t *self, const socin_model_t *model,
                          const Socin__V1__ParticipationQuery *q, Socin__V1__Participation *out,
                          char *err, size_t errlen)
{
    s_tally_t t = {.model = model, .q = q};
    if (s_tally_scope (&t, err, errlen)) return -1;
    t.tg = socin_model_dimension (model, "target_group");
    t.ngroups = t.tg ? t.tg->pb->n_options : 0;
    if (t.ngroups > MAX_GROUPS) t.ngroups = MAX_GROUPS;
    s_tally_rows (&t);
    s_tally_events (&t, self);
    out->period = socin_strdup (q->period);
    out->rows = socin_calloc (t.nrows + 1, sizeof *out->rows);
    for (size_t i = 0; i < t.nrows; i++) {
        out->rows[out->n_rows++] = s_tally_row (&t, &t.rows[i]);
        free (t.rows[i].municipalities);
    }
    free (t.rows);
    free (t.row_of);
    return 0;
}

/* ---- targets ---- */

size_t
rep_events_qualifying (rep_events_t *self, const socin_model_t *model, const socin_target_t *target,
                       int32_t as_of, uint32_t **units)
{
    *units = NULL;
    const Socin__V1__EventRule *rule = target->pb->events;
    if (target->pb->rule_case != SOCIN__V1__TARGET__RULE_EVENTS || !rule) return 0;
    size_t total = socin_model_count (model, SOCIN_KIND_UNIT);
    /* Per unit: events that count, the quarters they fall in, platform representation. */
    uint32_t *count = socin_calloc (total + 1, sizeof *count);
    uint64_t *quarters = socin_calloc (total + 1, sizeof *quarters);
    bool *platform = socin_calloc (total + 1, sizeof *platform);
    int32_t to = target->window_to < as_of ? target->window_to : as_of;
    int first_year = 0;
    if (target->window_from != SOCIN_DAY_MIN) {
        int m, d;
        socin_date_to_ymd (target->window_from, &first_year, &m, &d);
    }
    for (size_t i = 0; i < self->n; i++) {
        const s_event_t *e = &self->list[i];
        if (!e->live || e->day < target->window_from || e->day > to) continue;
        const socin_unit_t *u = socin_model_unit (model, e->unit);
        if (!u) continue;
        /* Events of a city district count for its municipality. */
        uint32_t id = u->level == SOCIN_LEVEL_DISTRICT && u->municipality ? u->municipality : u->id;
        if ((int)socin_model_unit_at (model, id)->level != (int)target->pb->level) continue;
        if (e->platform) platform[id] = true;
        bool type_ok = rule->n_types == 0;
        for (size_t t = 0; t < rule->n_types && !type_ok; t++)
            type_ok = (int)rule->types[t] == e->type;
        if (!type_ok || (rule->public_only && !e->open)) continue;
        count[id]++;
        socin_period_t q = socin_period_of_day (SOCIN_PERIOD_QUARTER, e->day);
        int slot = (q.year - first_year) * 4 + q.index - 1;
        if (slot >= 0 && slot < 64) quarters[id] |= 1ULL << slot;
    }
    size_t n = 0;
    for (uint32_t id = 1; id <= total; id++) {
        if (!count[id] || count[id] < rule->min_events) continue;
        if ((uint32_t)__builtin_popcountll (quarters[id]) < rule->min_distinct_quarters) continue;
        if (rule->require_platform_representation && !platform[id]) continue;
        *units = socin_realloc (*units, (n + 1) * sizeof **units);
        (*units)[n++] = id;
    }
    free (count);
    free (quarters);
    free (platform);
    return n;
}
