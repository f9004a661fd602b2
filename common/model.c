/*  model: the registry's records in memory. See model.h. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "log.h"
#include "mem.h"

/* Every wrapper starts with these two fields. */
typedef struct {
    uint32_t id;
    const char *code;
} s_head_t;

typedef struct {
    s_head_t **items;       /* wrappers, at id - 1 */
    socin_record_t **recs;  /* their records */
    size_t count, cap;
    size_t wrapper_size;
    socin_index_t *by_code;
} s_table_t;

struct socin_model_t {
    s_table_t units, groups, dimensions, indicators, datasets, submitters, targets, peers, plans;
    s_table_t rules; /* validation rules */
    socin_index_t *submitter_keys;
    socin_index_t *peer_keys;
    bool dated; /* some unit has earlier parents */
};

static void
s_table_init (s_table_t *t, size_t wrapper_size)
{
    memset (t, 0, sizeof *t);
    t->wrapper_size = wrapper_size;
    t->by_code = socin_index_new ();
}

static void s_free_derived (socin_model_t *self);

static void
s_table_free (s_table_t *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free (t->items[i]);
        protobuf_c_message_free_unpacked (&t->recs[i]->base, NULL);
    }
    free (t->items);
    free (t->recs);
    socin_index_destroy (&t->by_code);
}

socin_model_t *
socin_model_new (void)
{
    socin_model_t *self = socin_calloc (1, sizeof *self);
    s_table_init (&self->units, sizeof (socin_unit_t));
    s_table_init (&self->groups, sizeof (socin_group_t));
    s_table_init (&self->dimensions, sizeof (socin_dimension_t));
    s_table_init (&self->indicators, sizeof (socin_indicator_t));
    s_table_init (&self->datasets, sizeof (socin_dataset_t));
    s_table_init (&self->submitters, sizeof (socin_submitter_t));
    s_table_init (&self->targets, sizeof (socin_target_t));
    s_table_init (&self->peers, sizeof (socin_peer_t));
    s_table_init (&self->plans, sizeof (socin_plan_t));
    s_table_init (&self->rules, sizeof (socin_rule_t));
    self->submitter_keys = socin_index_new ();
    self->peer_keys = socin_index_new ();
    return self;
}

void
socin_model_destroy (socin_model_t **self_p)
{
    socin_model_t *self = *self_p;
    if (!self) return;
    s_free_derived (self);
    s_table_free (&self->units);
    s_table_free (&self->groups);
    s_table_free (&self->dimensions);
    s_table_free (&self->indicators);
    s_table_free (&self->datasets);
    s_table_free (&self->submitters);
    s_table_free (&self->targets);
    s_table_free (&self->peers);
    s_table_free (&self->plans);
    s_table_free (&self->rules);
    socin_index_destroy (&self->submitter_keys);
    socin_index_destroy (&self->peer_keys);
    free (self);
    *self_p = NULL;
}

socin_kind_t
socin_record_kind (const socin_record_t *rec)
{
    switch (rec->kind_case) {
    case SOCIN__V1__RECORD__KIND_UNIT: return SOCIN_KIND_UNIT;
    case SOCIN__V1__RECORD__KIND_GROUP: return SOCIN_KIND_GROUP;
    case SOCIN__V1__RECORD__KIND_DIMENSION: return SOCIN_KIND_DIMENSION;
    case SOCIN__V1__RECORD__KIND_INDICATOR: return SOCIN_KIND_INDICATOR;
    case SOCIN__V1__RECORD__KIND_DATASET: return SOCIN_KIND_DATASET;
    case SOCIN__V1__RECORD__KIND_SUBMITTER: return SOCIN_KIND_SUBMITTER;
    case SOCIN__V1__RECORD__KIND_TARGET: return SOCIN_KIND_TARGET;
    case SOCIN__V1__RECORD__KIND_PEER: return SOCIN_KIND_PEER;
    case SOCIN__V1__RECORD__KIND_PLAN: return SOCIN_KIND_PLAN;
    case SOCIN__V1__RECORD__KIND_RULE: return SOCIN_KIND_RULE;
    default: return (socin_kind_t) 0;
    }
}

const char *
socin_record_code (const socin_record_t *rec)
{
    const char *code = NULL;
    switch (rec->kind_case) {
    case SOCIN__V1__RECORD__KIND_UNIT: code = rec->unit ? rec->unit->code : NULL; break;
    case SOCIN__V1__RECORD__KIND_GROUP: code = rec->group ? rec->group->code : NULL; break;
    case SOCIN__V1__RECORD__KIND_DIMENSION:
        code = rec->dimension ? rec->dimension->code : NULL;
        break;
    case SOCIN__V1__RECORD__KIND_INDICATOR:
        code = rec->indicator ? rec->indicator->code : NULL;
        break;
    case SOCIN__V1__RECORD__KIND_DATASET: code = rec->dataset ? rec->dataset->code : NULL; break;
    case SOCIN__V1__RECORD__KIND_SUBMITTER:
        code = rec->submitter ? rec->submitter->name : NULL;
        break;
    case SOCIN__V1__RECORD__KIND_TARGET: code = rec->target ? rec->target->code : NULL; break;
    case SOCIN__V1__RECORD__KIND_PEER: code = rec->peer ? rec->peer->name : NULL; break;
    case SOCIN__V1__RECORD__KIND_PLAN: code = rec->plan ? rec->plan->code : NULL; break;
    case SOCIN__V1__RECORD__KIND_RULE: code = rec->rule ? rec->rule->code : NULL; break;
    default: break;
    }
    return code && *code ? code : NULL;
}

size_t
socin_record_key (const socin_record_t *rec, char *buf)
{
    socin_kind_t kind = socin_record_kind (rec);
    const char *code = socin_record_code (rec);
    if (!kind || !code) return 0;
    size_t n = strlen (code);
    if (n > 126) n = 126;
    buf[0] = (char) kind;
    memcpy (buf + 1, code, n);
    return n + 1;
}

socin_record_t *
socin_record_copy (const socin_record_t *rec)
{
    size_t len = socin__v1__record__get_packed_size (rec);
    uint8_t *buf = socin_malloc (len ? len : 1);
    socin__v1__record__pack (rec, buf);
    socin_record_t *copy = socin__v1__record__unpack (NULL, len, buf);
    free (buf);
    return copy;
}

static uint8_t *
s_pack_content (const socin_record_t *rec, size_t *len)
{
    socin_record_t tmp = *rec;
    tmp.seq = 0;
    tmp.changed_ms = 0;
    *len = socin__v1__record__get_packed_size (&tmp);
    uint8_t *buf = socin_malloc (*len ? *len : 1);
    socin__v1__record__pack (&tmp, buf);
    return buf;
}

bool
socin_record_same (const socin_record_t *a, const socin_record_t *b)
{
    size_t la, lb;
    uint8_t *pa = s_pack_content (a, &la), *pb = s_pack_content (b, &lb);
    bool same = la == lb && memcmp (pa, pb, la) == 0;
    free (pa);
    free (pb);
    return same;
}

static s_table_t *
s_table (const socin_model_t *self, socin_kind_t kind)
{
    socin_model_t *m = (socin_model_t *) self;
    switch (kind) {
    case SOCIN_KIND_UNIT: return &m->units;
    case SOCIN_KIND_GROUP: return &m->groups;
    case SOCIN_KIND_DIMENSION: return &m->dimensions;
    case SOCIN_KIND_INDICATOR: return &m->indicators;
    case SOCIN_KIND_DATASET: return &m->datasets;
    case SOCIN_KIND_SUBMITTER: return &m->submitters;
    case SOCIN_KIND_TARGET: return &m->targets;
    case SOCIN_KIND_PEER: return &m->peers;
    case SOCIN_KIND_PLAN: return &m->plans;
    case SOCIN_KIND_RULE: return &m->rules;
    }
    return NULL;
}

/* Points a wrapper's pb field at its record's message. */
static void
s_bind (socin_kind_t kind, s_head_t *head, socin_record_t *rec)
{
    head->code = socin_record_code (rec);
    switch (kind) {
    case SOCIN_KIND_UNIT: ((socin_unit_t *) head)->pb = rec->unit; break;
    case SOCIN_KIND_GROUP: ((socin_group_t *) head)->pb = rec->group; break;
    case SOCIN_KIND_DIMENSION: ((socin_dimension_t *) head)->pb = rec->dimension; break;
    case SOCIN_KIND_INDICATOR: ((socin_indicator_t *) head)->pb = rec->indicator; break;
    case SOCIN_KIND_DATASET: ((socin_dataset_t *) head)->pb = rec->dataset; break;
    case SOCIN_KIND_SUBMITTER: ((socin_submitter_t *) head)->pb = rec->submitter; break;
    case SOCIN_KIND_TARGET: ((socin_target_t *) head)->pb = rec->target; break;
    case SOCIN_KIND_PEER: ((socin_peer_t *) head)->pb = rec->peer; break;
    case SOCIN_KIND_PLAN: ((socin_plan_t *) head)->pb = rec->plan; break;
    case SOCIN_KIND_RULE: ((socin_rule_t *) head)->pb = rec->rule; break;
    }
}

int
socin_model_put (socin_model_t *self, socin_record_t *rec)
{
    socin_kind_t kind = socin_record_kind (rec);
    const char *code = socin_record_code (rec);
    if (!kind || !code) {
        protobuf_c_message_free_unpacked (&rec->base, NULL);
        return -1;
    }
    s_table_t *t = s_table (self, kind);
    s_head_t *head = socin_index_get_str (t->by_code, code);
    socin_record_t *replaced = NULL;
    if (head) {
        replaced = t->recs[head->id - 1];
        t->recs[head->id - 1] = rec;
    }
    else {
        if (t->count == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 64;
            t->items = socin_realloc (t->items, t->cap * sizeof *t->items);
            t->recs = socin_realloc (t->recs, t->cap * sizeof *t->recs);
        }
        head = socin_calloc (1, t->wrapper_size);
        head->id = (uint32_t) t->count + 1;
        t->items[t->count] = head;
        t->recs[t->count] = rec;
        t->count++;
    }
    s_bind (kind, head, rec);
    /* The index's key moves to the new record before the old one (whose code it pointed
       into) is freed. */
    socin_index_put_str (t->by_code, head->code, head);
    if (replaced) protobuf_c_message_free_unpacked (&replaced->base, NULL);
    return 0;
}

int
socin_model_put_packed (socin_model_t *self, const void *data, size_t len)
{
    socin_record_t *rec = socin__v1__record__unpack (NULL, len, data);
    if (!rec) return -1;
    return socin_model_put (self, rec);
}

const socin_record_t *
socin_model_record (const socin_model_t *self, socin_kind_t kind, const char *code)
{
    s_table_t *t = s_table (self, kind);
    if (!t || !code) return NULL;
    s_head_t *head = socin_index_get_str (t->by_code, code);
    return head ? t->recs[head->id - 1] : NULL;
}

void
socin_model_each_record (const socin_model_t *self,
                         void (*fn) (const socin_record_t *rec, void *arg), void *arg)
{
    const s_table_t *tables[] = {&self->units,      &self->groups,  &self->dimensions,
                                 &self->indicators, &self->datasets, &self->submitters,
                                 &self->targets,    &self->peers,    &self->plans,
                                 &self->rules};
    for (size_t k = 0; k < sizeof tables / sizeof tables[0]; k++)
        for (size_t i = 0; i < tables[k]->count; i++) fn (tables[k]->recs[i], arg);
}

size_t
socin_model_record_count (const socin_model_t *self)
{
    return self->units.count + self->groups.count + self->dimensions.count +
           self->indicators.count + self->datasets.count + self->submitters.count +
           self->targets.count + self->peers.count + self->plans.count +
           self->rules.count;
}

size_t
socin_model_count (const socin_model_t *self, socin_kind_t kind)
{
    s_table_t *t = s_table (self, kind);
    return t ? t->count : 0;
}

#define S_LOOKUP(fn, type, table)                                                                  \
    type *fn (const socin_model_t *self, const char *code)                                         \
    {                                                                                              \
        return code ? socin_index_get_str (self->table.by_code, code) : NULL;                      \
    }                                                                                              \
    type *fn##_at (const socin_model_t *self, uint32_t id)                                         \
    {                                                                                              \
        return id >= 1 && id <= self->table.count ? (type *) self->table.items[id - 1] : NULL;     \
    }

S_LOOKUP (socin_model_unit, socin_unit_t, units)
S_LOOKUP (socin_model_indicator, socin_indicator_t, indicators)
S_LOOKUP (socin_model_dimension, socin_dimension_t, dimensions)
S_LOOKUP (socin_model_dataset, socin_dataset_t, datasets)
S_LOOKUP (socin_model_group, socin_group_t, groups)
S_LOOKUP (socin_model_target, socin_target_t, targets)
S_LOOKUP (socin_model_submitter, socin_submitter_t, submitters)
S_LOOKUP (socin_model_peer, socin_peer_t, peers)
S_LOOKUP (socin_model_plan, socin_plan_t, plans)
S_LOOKUP (socin_model_rule, socin_rule_t, rules)

/* How many items ahead each step of socin_model_units_prefetch runs. */
#define S_UNIT_AHEAD 4
/* The longest code worth prefetching: units' codes are ids of at most 64 bytes (what the
   ingest accepts), and hashing a hostile submission's long texts ahead is work for nothing. */
#define S_UNIT_CODE_MAX 64

void
socin_model_units_prefetch (const socin_model_t *self, void *const *items, size_t unit_at, size_t i,
                            size_t n)
{
    for (int step = 0; step < 2; step++) {
        size_t a = i + (size_t)(2 - step) * S_UNIT_AHEAD;
        if (a >= n) continue;
        const char *code = *(const char *const *)((const char *)items[a] + unit_at),
                   *before = *(const char *const *)((const char *)items[a - 1] + unit_at);
        if (strnlen (code, S_UNIT_CODE_MAX + 1) > S_UNIT_CODE_MAX || !strcmp (code, before))
            continue;
        socin_index_prefetch_str (self->units.by_code, code, step,
                                  (int)((sizeof (socin_unit_t) + 63) / 64));
    }
}

socin_submitter_t *
socin_model_submitter_by_key (const socin_model_t *self, const char *key)
{
    return key ? socin_index_get_str (self->submitter_keys, key) : NULL;
}

socin_peer_t *
socin_model_peer_by_key (const socin_model_t *self, const char *key)
{
    return key ? socin_index_get_str (self->peer_keys, key) : NULL;
}

/* ---- derived fields ---- */

int32_t
socin_day_or (const char *text, int32_t def)
{
    int32_t day;
    char err[8];
    if (!text || !*text || socin_date_parse (text, &day, err, sizeof err)) return def;
    return day;
}

static uint32_t *
s_ids (const s_table_t *t, char **codes, size_t n, size_t *count)
{
    uint32_t *ids = n ? socin_calloc (n, sizeof *ids) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        s_head_t *h = socin_index_get_str (t->by_code, codes[i]);
        if (h) ids[k++] = h->id;
    }
    *count = k;
    return ids;
}

static int
s_cmp_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

static void
s_free_derived (socin_model_t *self)
{
    for (size_t i = 0; i < self->datasets.count; i++) {
        socin_dataset_t *d = (socin_dataset_t *) self->datasets.items[i];
        free (d->indicators);
        free (d->roots);
        free (d->groups);
        d->indicators = d->roots = d->groups = NULL;
    }
    for (size_t i = 0; i < self->groups.count; i++) {
        socin_group_t *g = (socin_group_t *) self->groups.items[i];
        free (g->members);
        free (g->terms);
        g->members = NULL;
        g->terms = NULL;
    }
    for (size_t i = 0; i < self->units.count; i++) {
        socin_unit_t *u = (socin_unit_t *) self->units.items[i];
        free (u->earlier);
        u->earlier = NULL;
        u->nearlier = 0;
    }
    for (size_t i = 0; i < self->submitters.count; i++) {
        socin_submitter_t *s = (socin_submitter_t *) self->submitters.items[i];
        free (s->roots);
        free (s->datasets);
        s->roots = s->datasets = NULL;
    }
    for (size_t i = 0; i < self->peers.count; i++) {
        socin_peer_t *p = (socin_peer_t *) self->peers.items[i];
        free (p->roots);
        p->roots = NULL;
        p->nroots = 0;
    }
}

static void s_ancestors_on (const socin_model_t *self, const socin_unit_t *u,
                            const socin_unit_t *from, int32_t day, uint32_t *out, int *n,
                            int depth);

static void
s_set_level_ids (socin_model_t *self, socin_unit_t *u, uint32_t id)
{
    socin_unit_t *a = socin_model_unit_at (self, id);
    switch (a->level) {
    case SOCIN_LEVEL_COUNTRY: u->country = id; break;
    case SOCIN_LEVEL_KRAJ: u->kraj = id; break;
    case SOCIN_LEVEL_OKRES: u->okres = id; break;
    case SOCIN_LEVEL_ORP: u->orp = id; break;
    case SOCIN_LEVEL_MUNICIPALITY: u->municipality = id; break;
    default: break;
    }
}

/* The ids of CODES (N of them, unknown ones and U itself left out) into OUT; the count. */
static int
s_parent_ids (socin_model_t *self, const socin_unit_t *u, char **codes, size_t n,
              uint32_t out[SOCIN_MAX_PARENTS])
{
    int k = 0;
    for (size_t p = 0; p < n && k < SOCIN_MAX_PARENTS; p++) {
        socin_unit_t *parent = socin_model_unit (self, codes[p]);
        if (parent && parent != u) {
            out[k++] = parent->id;
            parent->has_children = true;
        }
    }
    return k;
}

/* The parents of U through time: the latest and the earlier ones with their last days. */
static void
s_unit_parents (socin_model_t *self, socin_unit_t *u)
{
    Socin__V1__Unit *pb = u->pb;
    u->nparents = s_parent_ids (self, u, pb->parents, pb->n_parents, u->parents);
    u->parents_from = socin_day_or (pb->parents_from, SOCIN_DAY_MIN);
    u->nearlier = 0;
    if (!pb->n_earlier_parents) return;
    u->earlier = socin_calloc (pb->n_earlier_parents, sizeof *u->earlier);
    for (size_t e = 0; e < pb->n_earlier_parents; e++) {
        const Socin__V1__UnitParents *src = pb->earlier_parents[e];
        socin_parents_era_t *era = &u->earlier[u->nearlier++];
        era->valid_to = socin_day_or (src->valid_to, SOCIN_DAY_MIN);
        era->nparents = s_parent_ids (self, u, src->parents, src->n_parents, era->parents);
    }
}

static void
s_finish_units (socin_model_t *self)
{
    for (size_t i = 0; i < self->units.count; i++)
        ((socin_unit_t *) self->units.items[i])->has_children = false;
    for (size_t i = 0; i < self->units.count; i++) {
        socin_unit_t *u = (socin_unit_t *) self->units.items[i];
        u->level = u->pb->level;
        u->valid_from = socin_day_or (u->pb->valid_from, SOCIN_DAY_MIN);
        u->valid_to = socin_day_or (u->pb->valid_to, SOCIN_DAY_MAX);
        u->population = u->pb->population;
        s_unit_parents (self, u);
    }
    self->dated = false;
    for (size_t i = 0; i < self->units.count; i++)
        self->dated |= ((socin_unit_t *) self->units.items[i])->nearlier > 0;
    for (size_t i = 0; i < self->units.count; i++) {
        socin_unit_t *u = (socin_unit_t *) self->units.items[i];
        u->nancestors = 0;
        u->country = u->kraj = u->okres = u->orp = u->municipality = 0;
        s_ancestors_on (self, u, u, SOCIN_DAY_MAX, u->ancestors, &u->nancestors, 0);
        s_set_level_ids (self, u, u->id);
        for (int a = 0; a < u->nancestors; a++) s_set_level_ids (self, u, u->ancestors[a]);
    }
}

static void
s_finish_indicators (socin_model_t *self)
{
    char err[128];
    for (size_t i = 0; i < self->indicators.count; i++) {
        socin_indicator_t *ind = (socin_indicator_t *) self->indicators.items[i];
        Socin__V1__Indicator *pb = ind->pb;
        ind->value_type = pb->value_type;
        ind->aggregation = pb->aggregation;
        ind->period_type = socin_period_type_parse (pb->period_type);
        ind->has_min = *pb->min && socin_dec_parse (pb->min, strlen (pb->min), &ind->min, err,
                                                    sizeof err) == 0;
        ind->has_max = *pb->max && socin_dec_parse (pb->max, strlen (pb->max), &ind->max, err,
                                                    sizeof err) == 0;
        ind->ndims = 0;
        for (size_t d = 0; d < pb->n_dimensions && ind->ndims < 8; d++) {
            socin_dimension_t *dim = socin_model_dimension (self, pb->dimensions[d]);
            if (dim) ind->dims[ind->ndims++] = dim->id;
        }
        ind->derived = pb->formula && *pb->formula->numerator;
        ind->numerator = ind->denominator = 0;
        ind->factor = SOCIN_DEC_SCALE;
        if (ind->derived) {
            socin_indicator_t *n = socin_model_indicator (self, pb->formula->numerator);
            socin_indicator_t *d = socin_model_indicator (self, pb->formula->denominator);
            ind->numerator = n ? n->id : 0;
            ind->denominator = d ? d->id : 0;
            if (*pb->formula->factor)
                socin_dec_parse (pb->formula->factor, strlen (pb->formula->factor), &ind->factor,
                                 err, sizeof err);
        }
        ind->ndatasets = 0;
    }
}

static void
s_finish_datasets (socin_model_t *self)
{
    for (size_t i = 0; i < self->datasets.count; i++) {
        socin_dataset_t *ds = (socin_dataset_t *) self->datasets.items[i];
        Socin__V1__DataSet *pb = ds->pb;
        ds->period_type = socin_period_type_parse (pb->period_type);
        ds->level = pb->level ? (int) pb->level : SOCIN_LEVEL_MUNICIPALITY;
        ds->indicators = s_ids (&self->indicators, pb->indicators, pb->n_indicators,
                                &ds->nindicators);
        ds->roots = s_ids (&self->units, pb->territories, pb->n_territories, &ds->nroots);
        ds->groups = s_ids (&self->groups, pb->groups, pb->n_groups, &ds->ngroups);
        for (size_t k = 0; k < ds->nindicators; k++) {
            socin_indicator_t *ind = socin_model_indicator_at (self, ds->indicators[k]);
            if (ind->ndatasets < 16) ind->datasets[ind->ndatasets++] = ds->id;
        }
    }
}

static void
s_finish_groups (socin_model_t *self)
{
    for (size_t i = 0; i < self->groups.count; i++) {
        socin_group_t *g = (socin_group_t *) self->groups.items[i];
        g->members = s_ids (&self->units, g->pb->members, g->pb->n_members, &g->nmembers);
        if (g->nmembers) qsort (g->members, g->nmembers, sizeof *g->members, s_cmp_u32);
        g->valid_from = socin_day_or (g->pb->valid_from, SOCIN_DAY_MIN);
        g->valid_to = socin_day_or (g->pb->valid_to, SOCIN_DAY_MAX);
        g->terms = g->nmembers ? socin_malloc (g->nmembers * sizeof *g->terms) : NULL;
        for (size_t m = 0; m < g->nmembers; m++) {
            g->terms[m][0] = g->valid_from;
            g->terms[m][1] = g->valid_to;
        }
        for (size_t t = 0; t < g->pb->n_member_terms; t++) {
            const Socin__V1__GroupMember *term = g->pb->member_terms[t];
            socin_unit_t *u = socin_model_unit (self, term->unit);
            uint32_t *at = u && g->nmembers ? bsearch (&u->id, g->members, g->nmembers,
                                                       sizeof u->id, s_cmp_u32)
                                            : NULL;
            if (!at) continue;
            int32_t *days = g->terms[at - g->members];
            days[0] = socin_day_or (term->valid_from, g->valid_from);
            days[1] = socin_day_or (term->valid_to, g->valid_to);
        }
    }
}

static void
s_finish_people (socin_model_t *self)
{
    socin_index_clear (self->submitter_keys);
    for (size_t i = 0; i < self->submitters.count; i++) {
        socin_submitter_t *s = (socin_submitter_t *) self->submitters.items[i];
        s->key = s->pb->public_key;
        s->roots = s_ids (&self->units, s->pb->territories, s->pb->n_territories, &s->nroots);
        s->datasets = s_ids (&self->datasets, s->pb->datasets, s->pb->n_datasets, &s->ndatasets);
        if (!s->pb->disabled && *s->key) socin_index_put_str (self->submitter_keys, s->key, s);
    }
    socin_index_clear (self->peer_keys);
    for (size_t i = 0; i < self->peers.count; i++) {
        socin_peer_t *p = (socin_peer_t *) self->peers.items[i];
        p->key = p->pb->public_key;
        p->limited = p->pb->n_territories > 0;
        p->roots = s_ids (&self->units, p->pb->territories, p->pb->n_territories, &p->nroots);
        if (!p->pb->disabled && *p->key) socin_index_put_str (self->peer_keys, p->key, p);
    }
    for (size_t i = 0; i < self->targets.count; i++) {
        socin_target_t *t = (socin_target_t *) self->targets.items[i];
        t->window_from = socin_day_or (t->pb->window_from, SOCIN_DAY_MIN);
        t->window_to = socin_day_or (t->pb->window_to, SOCIN_DAY_MAX);
        t->deadline = socin_day_or (t->pb->deadline, SOCIN_DAY_MAX);
    }
}

static void
s_finish_plans (socin_model_t *self)
{
    for (size_t i = 0; i < self->plans.count; i++) {
        socin_plan_t *p = (socin_plan_t *) self->plans.items[i];
        p->valid_from = socin_day_or (p->pb->valid_from, SOCIN_DAY_MIN);
        p->valid_to = socin_day_or (p->pb->valid_to, SOCIN_DAY_MAX);
        socin_unit_t *unit = socin_model_unit (self, p->pb->owner);
        socin_group_t *group = unit ? NULL : socin_model_group (self, p->pb->owner);
        p->owner_unit = unit ? unit->id : 0;
        p->owner_group = group ? group->id : 0;
    }
}

void
socin_model_finish (socin_model_t *self)
{
    s_free_derived (self);
    s_finish_units (self);
    s_finish_indicators (self);
    s_finish_groups (self);
    s_finish_datasets (self);
    s_finish_people (self);
    s_finish_plans (self);
}

/* ---- questions ---- */

bool
socin_unit_under (const socin_unit_t *unit, uint32_t root)
{
    if (unit->id == root) return true;
    for (int a = 0; a < unit->nancestors; a++)
        if (unit->ancestors[a] == root) return true;
    return false;
}

int32_t
socin_territory_day (socin_period_t period)
{
    return socin_date_from_ymd (period.year, 12, 31);
}

int
socin_unit_parents_on (const socin_unit_t *unit, int32_t day, const uint32_t **parents)
{
    if (day >= unit->parents_from || !unit->nearlier) {
        *parents = unit->parents;
        return unit->nparents;
    }
    for (int e = 0; e < unit->nearlier; e++)
        if (day <= unit->earlier[e].valid_to || e == unit->nearlier - 1) {
            *parents = unit->earlier[e].parents;
            return unit->earlier[e].nparents;
        }
    *parents = unit->parents;
    return unit->nparents;
}

/* Adds the ancestors of FROM on DAY to OUT (N so far), depth-first, nearest first. */
static void
s_ancestors_on (const socin_model_t *self, const socin_unit_t *u, const socin_unit_t *from,
                int32_t day, uint32_t *out, int *n, int depth)
{
    if (depth > 8) return;
    const uint32_t *parents;
    int np = socin_unit_parents_on (from, day, &parents);
    for (int p = 0; p < np; p++) {
        bool seen = parents[p] == u->id;
        for (int a = 0; a < *n && !seen; a++) seen = out[a] == parents[p];
        if (!seen && *n < SOCIN_MAX_ANCESTORS) out[(*n)++] = parents[p];
    }
    for (int p = 0; p < np; p++)
        s_ancestors_on (self, u, socin_model_unit_at (self, parents[p]), day, out, n, depth + 1);
}

int
socin_unit_ancestors_on (const socin_model_t *self, const socin_unit_t *unit, int32_t day,
                         uint32_t *out)
{
    if (!self->dated) {
        memcpy (out, unit->ancestors, (size_t) unit->nancestors * sizeof *out);
        return unit->nancestors;
    }
    int n = 0;
    s_ancestors_on (self, unit, unit, day, out, &n, 0);
    return n;
}

bool
socin_unit_under_on (const socin_model_t *self, const socin_unit_t *unit, uint32_t root,
                     int32_t day)
{
    if (!self->dated) return socin_unit_under (unit, root);
    if (unit->id == root) return true;
    uint32_t anc[SOCIN_MAX_ANCESTORS];
    int n = socin_unit_ancestors_on (self, unit, day, anc);
    for (int a = 0; a < n; a++)
        if (anc[a] == root) return true;
    return false;
}

bool
socin_group_has_on (const socin_group_t *group, uint32_t unit, int32_t day)
{
    if (!group->nmembers || day < group->valid_from || day > group->valid_to) return false;
    const uint32_t *at = bsearch (&unit, group->members, group->nmembers, sizeof unit, s_cmp_u32);
    return at && day >= group->terms[at - group->members][0] &&
           day <= group->terms[at - group->members][1];
}

bool
socin_unit_valid_during (const socin_unit_t *unit, int32_t start, int32_t end)
{
    return unit->valid_from <= end && unit->valid_to >= start;
}

bool
socin_group_has (const socin_group_t *group, uint32_t unit)
{
    return group->nmembers &&
           bsearch (&unit, group->members, group->nmembers, sizeof unit, s_cmp_u32) != NULL;
}

bool
socin_dataset_includes (const socin_model_t *self, const socin_dataset_t *ds,
                        const socin_unit_t *unit)
{
    if (ds->ngroups) {
        for (size_t g = 0; g < ds->ngroups; g++)
            if (socin_group_has (socin_model_group_at (self, ds->groups[g]), unit->id))
                return true;
        return false;
    }
    if (unit->level != ds->level) return false;
    if (!ds->nroots) return true;
    for (size_t r = 0; r < ds->nroots; r++)
        if (socin_unit_under (unit, ds->roots[r])) return true;
    return false;
}

bool
socin_submitter_covers (const socin_submitter_t *sub, const socin_unit_t *unit)
{
    for (size_t r = 0; r < sub->nroots; r++)
        if (socin_unit_under (unit, sub->roots[r])) return true;
    return false;
}

bool
socin_submitter_may_report (const socin_submitter_t *sub, uint32_t dataset)
{
    if (!sub->ndatasets) return true;
    for (size_t d = 0; d < sub->ndatasets; d++)
        if (sub->datasets[d] == dataset) return true;
    return false;
}

typedef struct {
    const socin_dimension_t *dim;
    const char *option;
    size_t optlen;
} s_pair_t;

static int
s_cmp_pair (const void *a, const void *b)
{
    return strcmp (((const s_pair_t *) a)->dim->code, ((const s_pair_t *) b)->dim->code);
}

static void
s_list_dims (const socin_model_t *self, const socin_indicator_t *ind, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (int d = 0; d < ind->ndims && n < len; d++)
        n += (size_t) snprintf (buf + n, len - n, "%s%s", d ? ", " : "",
                                socin_model_dimension_at (self, ind->dims[d])->code);
    if (!ind->ndims) snprintf (buf, len, "none");
}

int
socin_model_disaggregation (const socin_model_t *self, const socin_indicator_t *ind,
                            const char *text, char *out, size_t outlen, char *err, size_t errlen)
{
    s_pair_t pairs[8];
    memset (pairs, 0, sizeof pairs);
    int npairs = 0;
    char dims[200];
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ') p++;
        const char *end = strchr (p, ',');
        if (!end) end = p + strlen (p);
        const char *last = end;
        while (last > p && last[-1] == ' ') last--;
        if (last == p) {
            if (*end == ',') {
                snprintf (err, errlen, "\"%s\" has an empty item between commas", text);
                return -1;
            }
            break;
        }
        const char *eq = memchr (p, '=', (size_t) (last - p));
        if (!eq) {
            snprintf (err, errlen, "\"%.*s\" is not dimension=option (e.g. sex=f)",
                      (int) (last - p), p);
            return -1;
        }
        const char *dim_end = eq;
        while (dim_end > p && dim_end[-1] == ' ') dim_end--;
        const char *opt = eq + 1;
        while (*opt == ' ' && opt < last) opt++;
        const socin_dimension_t *dim = NULL;
        for (int d = 0; d < ind->ndims && !dim; d++) {
            const socin_dimension_t *cand = socin_model_dimension_at (self, ind->dims[d]);
            if (strlen (cand->code) == (size_t) (dim_end - p) &&
                memcmp (cand->code, p, (size_t) (dim_end - p)) == 0)
                dim = cand;
        }
        if (!dim) {
            s_list_dims (self, ind, dims, sizeof dims);
            snprintf (err, errlen, "'%.*s' is not a dimension of %s (its dimensions: %s)",
                      (int) (dim_end - p), p, ind->code, dims);
            return -1;
        }
        bool known = false;
        for (size_t o = 0; o < dim->pb->n_options && !known; o++)
            known = strlen (dim->pb->options[o]->code) == (size_t) (last - opt) &&
                    memcmp (dim->pb->options[o]->code, opt, (size_t) (last - opt)) == 0;
        if (!known) {
            size_t n = 0;
            dims[0] = 0;
            for (size_t o = 0; o < dim->pb->n_options && n < sizeof dims; o++)
                n += (size_t) snprintf (dims + n, sizeof dims - n, "%s%s", o ? ", " : "",
                                        dim->pb->options[o]->code);
            snprintf (err, errlen, "'%.*s' is not an option of dimension %s (options: %s)",
                      (int) (last - opt), opt, dim->code, dims);
            return -1;
        }
        for (int k = 0; k < npairs; k++)
            if (pairs[k].dim == dim) {
                snprintf (err, errlen, "dimension %s is given twice", dim->code);
                return -1;
            }
        if (npairs == 8) {
            snprintf (err, errlen, "more than 8 dimensions");
            return -1;
        }
        pairs[npairs++] = (s_pair_t){dim, opt, (size_t) (last - opt)};
        p = *end ? end + 1 : end;
    }
    qsort (pairs, (size_t) npairs, sizeof pairs[0], s_cmp_pair);
    size_t n = 0;
    out[0] = 0;
    for (int k = 0; k < npairs; k++) {
        int w = snprintf (out + n, outlen - n, "%s%s=%.*s", k ? "," : "", pairs[k].dim->code,
                          (int) pairs[k].optlen, pairs[k].option);
        if (w < 0 || (size_t) w >= outlen - n) {
            snprintf (err, errlen, "disaggregation is longer than %zu bytes", outlen - 1);
            return -1;
        }
        n += (size_t) w;
    }
    return 0;
}

/* ---- names ---- */

static const char *s_levels[] = {"", "country", "kraj", "okres", "orp", "municipality", "district"};
static const char *s_aggs[] = {"",    "sum",  "average", "weighted_average", "min",
                               "max", "last", "count",   "count_true"};
static const char *s_types[] = {"", "integer", "decimal", "percentage", "boolean"};
static const char *s_events[] = {"",           "public_meeting", "round_table",      "focus_group",
                                 "working_group", "survey",      "family_interviews"};
static const char *s_roles[] = {"", "admin", "reader", "ingest", "reporting"};

static const char *
s_name (const char *const *table, size_t n, int v)
{
    if (v <= 0 || (size_t) v >= n) return "unspecified";
    return table[v];
}

static int
s_parse_name (const char *const *table, size_t n, const char *name)
{
    for (size_t i = 1; name && i < n; i++)
        if (strcmp (name, table[i]) == 0) return (int) i;
    return 0;
}

#define S_NAMES(name_fn, parse_fn, table)                                                          \
    const char *name_fn (int v)                                                                    \
    {                                                                                              \
        return s_name (table, sizeof table / sizeof table[0], v);                                  \
    }                                                                                              \
    int parse_fn (const char *name)                                                                \
    {                                                                                              \
        return s_parse_name (table, sizeof table / sizeof table[0], name);                         \
    }

S_NAMES (socin_level_name, socin_level_parse, s_levels)
S_NAMES (socin_aggregation_name, socin_aggregation_parse, s_aggs)
S_NAMES (socin_value_type_name, socin_value_type_parse, s_types)
S_NAMES (socin_event_type_name, socin_event_type_parse, s_events)
S_NAMES (socin_role_name, socin_role_parse, s_roles)
