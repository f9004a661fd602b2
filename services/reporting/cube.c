/*  cube: values in memory with aggregates kept up to date. See cube.h.

    Slots: a slab's periods are numbered finest first, then each coarser type in turn:
        weekly      53 weeks, 12 months, 4 quarters, 2 half-years, 1 year   (72)
        monthly     12 months, 4 quarters, 2 half-years, 1 year             (19)
        quarterly   4 quarters, 2 half-years, 1 year                        (7)
        half-yearly 2 half-years, 1 year                                    (3)
        yearly      1 year                                                  (1)
    For each slot the slab knows which finest periods it holds (a bit mask), and for each
    finest period the slots that hold it, so a change touches exactly those cells.
*/
#include "cube.h"

#include <stdlib.h>
#include <string.h>

#include "cubefile.h"
#include "index.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#define MAX_SLOTS   72
#define MAX_FINEST  53
#define MAX_PARENTS 5
#define TOTAL       0 /* combo id of the total */
#define MAX_ANC     24

typedef struct {
    socin_sum_t sum, wsum, wden, last;
    socin_dec_t min, max;
    uint32_t n, units, units_true;
    uint8_t dirty; /* min/max need a recount */
} s_cell_t;

/* The nodes each unit's values feed in one year: its ancestors and groups on the year's
   territory day (socin_unit_ancestors_on, socin_group_has_on); a city district's values go
   no higher than its municipality, which counts them only when it has no value of its own
   (rep_cube_node). */
typedef struct {
    int year;
    uint16_t (*anc)[MAX_ANC]; /* per unit: node slots */
    uint8_t *nanc;
    uint32_t *cls;      /* per unit: which of the year's distinct ancestor lists it has (1...) */
    uint32_t *cls_unit; /* per class: a unit (id - 1) that has it */
} s_terr_t;

typedef struct {
    unsigned char key[6]; /* indicator id, combo id, year (16 bits each) */
    uint32_t indicator;
    uint16_t combo;
    uint16_t year;
    socin_period_type_t type;
    int nfinest, nslots;
    uint64_t mask[MAX_SLOTS];                 /* finest periods in each slot */
    uint8_t parents[MAX_FINEST][MAX_PARENTS]; /* slots holding each finest period */
    uint8_t nparents[MAX_FINEST];
    socin_period_t slot_period[MAX_SLOTS];
    const s_terr_t *terr; /* the territory of its year */
    /* Leaves (NULL in the total slab of an indicator with dimensions). */
    socin_dec_t *values; /* [unit][finest] */
    int32_t *first_day;  /* [unit][finest] */
    uint64_t *present;   /* [unit] */
    uint64_t *truth;     /* [unit] */
    s_cell_t *cells;     /* [node][slot] */
    uint64_t *nvalues;   /* in its record (s_rec_t) when the cube has a file */
    void *heap;          /* the block of the arrays above when it is not in the file */
    uint64_t own_nvalues;
} s_slab_t;

/* What the cube's file keeps to find its slabs and disaggregations again (cubefile.h). */
enum { REC_SLAB = 1, REC_COMBO = 2, REC_IND_COMBO = 3 };
typedef struct {
    uint32_t kind;
    uint32_t indicator;   /* SLAB, IND_COMBO */
    uint16_t combo, year; /* SLAB; IND_COMBO: combo; COMBO: its id */
    uint32_t len;         /* COMBO: the name's bytes after the record */
    uint64_t nvalues;     /* SLAB */
    uint64_t block;       /* SLAB: offset of its arrays */
} s_rec_t;

typedef struct {
    uint16_t *combos; /* combo ids with values, for indicators with dimensions */
    size_t ncombos;
} s_ind_t;

/* What new values add to each cell of a slot: a count, sums, and their extremes. */
typedef struct {
    socin_sum_t sum, wsum, wden, last;
    socin_dec_t min, max;
    uint32_t n, units, units_true;
} s_added_t;

/* New values of one slab (rep_cube_set_many) waiting to be added to their ancestors' cells:
   summed per class of units with the same ancestors and slot, and added to those ancestors'
   cells once per class and slot instead of once per value. */
typedef struct {
    s_slab_t *slab;    /* NULL when nothing waits */
    s_added_t *added;  /* [class * the slab's slots + slot], zero where nothing waits */
    uint32_t *touched; /* the entries of added[] with something waiting */
    size_t ntouched, cap;
} s_run_t;

struct rep_cube_t {
    const socin_model_t *model;
    size_t nunits, nnodes;
    int32_t *node_of_unit; /* unit id - 1 -> node slot, or -1 */
    size_t group_base;     /* node slot of group 1 */
    s_terr_t **terrs;      /* per year seen: what each unit's values feed */
    size_t nterrs;
    uint32_t *divided; /* municipalities with city districts */
    size_t ndivided;
    socin_index_t *slabs; /* 6-byte key -> slab */
    s_slab_t **slab_list;
    size_t nslabs, capslabs;
    socin_index_t *combo_ids; /* string -> id + 1 */
    char **combo_names;       /* id -> string */
    size_t ncombo_names;
    s_ind_t *inds; /* per indicator id - 1 */
    size_t ninds;
    s_slab_t *last_slab;  /* the slab found last: values come in runs of one slab */
    rep_cubefile_t *file; /* where slabs live, or NULL: on the heap */
    s_run_t run;
    size_t maxcls; /* the most classes of ancestors a year's territory has */
    uint32_t *place, *order, *sorted, *counts; /* rep_cube_set_many's, kept */
    size_t capplace, capcounts;
};

/* ---- layout ---- */

static int
s_count_of (socin_period_type_t type)
{
    switch (type) {
    case SOCIN_PERIOD_WEEK:
        return 53;
    case SOCIN_PERIOD_MONTH:
        return 12;
    case SOCIN_PERIOD_QUARTER:
        return 4;
    case SOCIN_PERIOD_HALF:
        return 2;
    default:
        return 1;
    }
}

static int
s_nfinest (socin_period_type_t type, int year)
{
    return type == SOCIN_PERIOD_WEEK ? socin_iso_weeks_in_year (year) : s_count_of (type);
}

/* The slot of P in a slab whose finest type is FINEST, or -1. */
static int
s_slot (socin_period_type_t finest, socin_period_t p)
{
    if (p.type < finest || p.type > SOCIN_PERIOD_YEAR) return -1;
    int offset = 0;
    for (int t = finest; t < p.type; t++)
        offset += s_count_of ((socin_period_type_t)t);
    return offset + p.index - 1;
}

static int
s_nslots (socin_period_type_t finest)
{
    int n = 0;
    for (int t = finest; t <= SOCIN_PERIOD_YEAR; t++)
        n += s_count_of ((socin_period_type_t)t);
    return n;
}

static void
s_layout (s_slab_t *slab)
{
    slab->nfinest = s_nfinest (slab->type, slab->year);
    slab->nslots = s_nslots (slab->type);
    for (int f = 0; f < slab->nfinest; f++) {
        socin_period_t p = {(uint8_t)slab->type, slab->year, (uint8_t)(f + 1)};
        for (int t = slab->type; t <= SOCIN_PERIOD_YEAR; t++) {
            socin_period_t parent;
            if (socin_period_parent (p, (socin_period_type_t)t, &parent)) continue;
            int s = s_slot (slab->type, parent);
            if (s < 0 || parent.year != slab->year) continue;
            slab->parents[f][slab->nparents[f]++] = (uint8_t)s;
            slab->mask[s] |= 1ULL << f;
            slab->slot_period[s] = parent;
        }
    }
}

/* ---- set-up ---- */

static void
s_free_slabs (rep_cube_t *self)
{
    for (size_t i = 0; i < self->nslabs; i++) {
        s_slab_t *s = self->slab_list[i];
        free (s->heap);
        free (s);
    }
    self->nslabs = 0;
    self->last_slab = NULL;
    self->run.slab = NULL;
    self->run.ntouched = 0;
    if (self->slabs) socin_index_clear (self->slabs);
    for (size_t i = 0; i < self->ncombo_names; i++)
        free (self->combo_names[i]);
    self->ncombo_names = 0;
    if (self->combo_ids) socin_index_clear (self->combo_ids);
    for (size_t i = 0; i < self->ninds; i++)
        free (self->inds[i].combos);
    free (self->inds);
    self->inds = NULL;
    self->ninds = 0;
}

static void
s_free_terrs (rep_cube_t *self)
{
    for (size_t i = 0; i < self->nterrs; i++) {
        free (self->terrs[i]->anc);
        free (self->terrs[i]->nanc);
        free (self->terrs[i]->cls);
        free (self->terrs[i]->cls_unit);
        free (self->terrs[i]);
    }
    free (self->terrs);
    self->terrs = NULL;
    self->nterrs = 0;
}

static void
s_index_model (rep_cube_t *self)
{
    const socin_model_t *m = self->model;
    self->nunits = socin_model_count (m, SOCIN_KIND_UNIT);
    free (self->node_of_unit);
    free (self->divided);
    s_free_terrs (self);
    self->node_of_unit = socin_malloc ((self->nunits + 1) * sizeof *self->node_of_unit);
    self->divided = socin_calloc (self->nunits + 1, sizeof *self->divided);
    self->ndivided = 0;
    /* A unit is a node when it is the parent of another, at some time. */
    size_t nodes = 0;
    for (uint32_t id = 1; id <= self->nunits; id++) {
        const socin_unit_t *u = socin_model_unit_at (m, id);
        self->node_of_unit[id - 1] = u->has_children ? (int32_t)nodes++ : -1;
        if (u->has_children && u->level == SOCIN_LEVEL_MUNICIPALITY)
            self->divided[self->ndivided++] = id;
    }
    self->group_base = nodes;
    self->nnodes = nodes + socin_model_count (m, SOCIN_KIND_GROUP);
    self->ninds = socin_model_count (m, SOCIN_KIND_INDICATOR);
    self->inds = socin_calloc (self->ninds + 1, sizeof *self->inds);
}

/* The nodes UNIT's values of a year whose territory day is DAY feed, into T. */
static void
s_terr_unit (rep_cube_t *self, s_terr_t *t, const socin_unit_t *u, int32_t day)
{
    const socin_model_t *m = self->model;
    uint32_t anc[SOCIN_MAX_ANCESTORS];
    int na = socin_unit_ancestors_on (m, u, day, anc);
    uint8_t n = 0;
    for (int a = 0; a < na && n < MAX_ANC; a++) {
        if (self->node_of_unit[anc[a] - 1] < 0) continue;
        if (u->level == SOCIN_LEVEL_DISTRICT &&
            socin_model_unit_at (m, anc[a])->level != SOCIN_LEVEL_MUNICIPALITY)
            continue;
        t->anc[u->id - 1][n++] = (uint16_t)self->node_of_unit[anc[a] - 1];
    }
    size_t ngroups = socin_model_count (m, SOCIN_KIND_GROUP);
    for (uint32_t g = 1; g <= ngroups && n < MAX_ANC; g++)
        if (socin_group_has_on (socin_model_group_at (m, g), u->id, day))
            t->anc[u->id - 1][n++] = (uint16_t)(self->group_base + g - 1);
    t->nanc[u->id - 1] = n;
}

/* The territory of YEAR, made on first use. */
static const s_terr_t *
s_terr (rep_cube_t *self, int year)
{
    for (size_t i = 0; i < self->nterrs; i++)
        if (self->terrs[i]->year == year) return self->terrs[i];
    s_terr_t *t = socin_calloc (1, sizeof *t);
    t->year = year;
    t->anc = socin_calloc (self->nunits + 1, sizeof *t->anc);
    t->nanc = socin_calloc (self->nunits + 1, sizeof *t->nanc);
    socin_period_t p = {SOCIN_PERIOD_YEAR, (uint16_t)year, 1};
    int32_t day = socin_territory_day (p);
    for (uint32_t id = 1; id <= self->nunits; id++)
        s_terr_unit (self, t, socin_model_unit_at (self->model, id), day);
    /* Units with the same ancestors share a class: rep_cube_set_many puts their values
       together. */
    socin_index_t *seen = socin_index_new ();
    t->cls = socin_calloc (self->nunits + 1, sizeof *t->cls);
    t->cls_unit = socin_calloc (self->nunits + 2, sizeof *t->cls_unit);
    uintptr_t ncls = 0;
    for (uint32_t id = 1; id <= self->nunits; id++) {
        const char *list = (const char *)t->anc[id - 1];
        size_t len = t->nanc[id - 1] * sizeof t->anc[0][0];
        uintptr_t c = (uintptr_t)socin_index_get (seen, list, len);
        if (!c) {
            socin_index_put (seen, list, len, (void *)(c = ++ncls));
            t->cls_unit[c] = id - 1;
        }
        t->cls[id - 1] = (uint32_t)c;
    }
    socin_index_destroy (&seen);
    if (ncls > self->maxcls) self->maxcls = ncls;
    self->terrs = socin_realloc (self->terrs, (self->nterrs + 1) * sizeof *self->terrs);
    self->terrs[self->nterrs++] = t;
    return t;
}

rep_cube_t *
rep_cube_new (const socin_model_t *model)
{
    rep_cube_t *self = socin_calloc (1, sizeof *self);
    self->slabs = socin_index_new ();
    self->combo_ids = socin_index_new ();
    self->model = model;
    s_index_model (self);
    return self;
}

void
rep_cube_destroy (rep_cube_t **self_p)
{
    rep_cube_t *self = *self_p;
    if (!self) return;
    s_free_slabs (self);
    rep_cubefile_destroy (&self->file);
    socin_index_destroy (&self->slabs);
    socin_index_destroy (&self->combo_ids);
    free (self->slab_list);
    free (self->combo_names);
    free (self->node_of_unit);
    free (self->divided);
    s_free_terrs (self);
    free (self->run.added);
    free (self->run.touched);
    free (self->place);
    free (self->order);
    free (self->sorted);
    free (self->counts);
    free (self);
    *self_p = NULL;
}

static uint64_t s_fingerprint (const socin_model_t *model);

void
rep_cube_reset (rep_cube_t *self, const socin_model_t *model)
{
    s_free_slabs (self);
    self->model = model;
    s_index_model (self);
    if (self->file) rep_cubefile_reset (self->file, s_fingerprint (model));
}

/* ---- slabs ---- */

/* Appends a record of KIND to the cube's file (NAME: a combo's name); NULL without a file or
   when it is full (the file is then no longer trusted). */
static s_rec_t *
s_record (rep_cube_t *self, uint32_t kind, uint32_t indicator, uint16_t combo, uint16_t year,
          const char *name)
{
    if (!self->file) return NULL;
    size_t len = name ? strlen (name) : 0;
    s_rec_t *r = rep_cubefile_record (self->file, sizeof *r + len + 1);
    if (!r) {
        rep_cubefile_unusable (self->file);
        return NULL;
    }
    r->kind = kind;
    r->indicator = indicator;
    r->combo = combo;
    r->year = year;
    r->len = (uint32_t)len;
    if (len) memcpy (r + 1, name, len);
    return r;
}

static uint16_t
s_combo (rep_cube_t *self, const socin_indicator_t *ind, const char *disaggregation, bool create)
{
    if (!ind->ndims) return TOTAL;
    uintptr_t id = (uintptr_t)socin_index_get_str (self->combo_ids, disaggregation);
    if (!id) {
        if (!create) return UINT16_MAX;
        if (self->ncombo_names >= UINT16_MAX - 2) {
            /* Beyond what any catalogue allows: keep the value out of the cube (the store
               still has it) rather than stop the daemon. */
            socin_error ("cube.too_many_disaggregations", "indicator=%s", ind->code);
            return UINT16_MAX;
        }
        self->combo_names =
            socin_realloc (self->combo_names, (self->ncombo_names + 1) * sizeof *self->combo_names);
        char *name = socin_strdup (disaggregation);
        self->combo_names[self->ncombo_names++] = name;
        id = self->ncombo_names; /* ids start at 1: 0 is the total */
        socin_index_put_str (self->combo_ids, name, (void *)id);
        s_record (self, REC_COMBO, 0, (uint16_t)id, 0, name);
    }
    if (create) {
        s_ind_t *si = &self->inds[ind->id - 1];
        bool known = false;
        for (size_t i = 0; i < si->ncombos && !known; i++)
            known = si->combos[i] == id;
        if (!known) {
            si->combos = socin_realloc (si->combos, (si->ncombos + 1) * sizeof *si->combos);
            si->combos[si->ncombos++] = (uint16_t)id;
            s_record (self, REC_IND_COMBO, ind->id, (uint16_t)id, 0, NULL);
        }
    }
    return (uint16_t)id;
}

/* The bytes of SLAB's arrays (its layout set), one block: values, first days, present and
   truth bits, cells. */
static size_t
s_block_size (const rep_cube_t *self, const s_slab_t *slab, bool leaves)
{
    size_t n = leaves ? self->nunits * (size_t)slab->nfinest * (sizeof (socin_dec_t) + 4) +
                            self->nunits * 16
                      : 0;
    return (n + 15) / 16 * 16 + (self->nnodes * (size_t)slab->nslots + 1) * sizeof (s_cell_t);
}

/* Points SLAB's arrays into BLOCK (s_block_size bytes, zeroed or as kept). */
static void
s_place (const rep_cube_t *self, s_slab_t *slab, char *block, bool leaves)
{
    size_t nv = self->nunits * (size_t)slab->nfinest, at = 0;
    if (leaves) {
        slab->values = (socin_dec_t *)block;
        at = nv * sizeof (socin_dec_t);
        slab->present = (uint64_t *)(block + at);
        at += self->nunits * 8;
        slab->truth = (uint64_t *)(block + at);
        at += self->nunits * 8;
        slab->first_day = (int32_t *)(block + at);
        at += nv * 4;
    }
    slab->cells = (s_cell_t *)(block + (at + 15) / 16 * 16);
}

/* A slab struct for KEY, laid out for IND, listed and indexed (its arrays not yet placed). */
static s_slab_t *
s_slab_struct (rep_cube_t *self, const socin_indicator_t *ind, const unsigned char key[6],
               uint16_t combo, int year)
{
    s_slab_t *slab = socin_calloc (1, sizeof *slab);
    memcpy (slab->key, key, 6);
    slab->indicator = ind->id;
    slab->combo = combo;
    slab->year = (uint16_t)year;
    slab->type = ind->period_type;
    s_layout (slab);
    slab->terr = s_terr (self, year);
    slab->nvalues = &slab->own_nvalues;
    if (self->nslabs == self->capslabs) {
        self->capslabs = self->capslabs ? self->capslabs * 2 : 64;
        self->slab_list = socin_realloc (self->slab_list, self->capslabs * sizeof *self->slab_list);
    }
    self->slab_list[self->nslabs++] = slab;
    socin_index_put (self->slabs, (const char *)slab->key, 6, slab);
    return slab;
}

static s_slab_t *
s_slab (rep_cube_t *self, const socin_indicator_t *ind, uint16_t combo, int year, bool create)
{
    unsigned char key[6] = {(unsigned char)(ind->id >> 8), (unsigned char)ind->id,
                            (unsigned char)(combo >> 8),   (unsigned char)combo,
                            (unsigned char)(year >> 8),    (unsigned char)year};
    if (self->last_slab && !memcmp (self->last_slab->key, key, 6)) return self->last_slab;
    s_slab_t *slab = socin_index_get (self->slabs, (const char *)key, 6);
    if (slab) self->last_slab = slab;
    if (slab || !create) return slab;
    slab = s_slab_struct (self, ind, key, combo, year);
    bool leaves = combo != TOTAL || !ind->ndims;
    size_t size = s_block_size (self, slab, leaves);
    s_rec_t *rec = s_record (self, REC_SLAB, ind->id, combo, (uint16_t)year, NULL);
    char *block = rec ? rep_cubefile_alloc (self->file, size) : NULL;
    if (rec && block) {
        rec->block = rep_cubefile_offset (self->file, block);
        slab->nvalues = &rec->nvalues;
    } else {
        if (rec) rep_cubefile_unusable (self->file);
        block = slab->heap = socin_calloc (1, size);
    }
    s_place (self, slab, block, leaves);
    return slab;
}

/* ---- the file ---- */

/* FNV-1a over LEN bytes at P, continuing from H. */
static uint64_t
s_fnv (uint64_t h, const void *p, size_t len)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static uint64_t
s_fnv_message (uint64_t h, const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size (msg);
    uint8_t small[1024], *buf = len <= sizeof small ? small : socin_malloc (len);
    protobuf_c_message_pack (msg, buf);
    h = s_fnv (h, &len, sizeof len);
    h = s_fnv (h, buf, len);
    if (buf != small) free (buf);
    return h;
}

/* What the cube's layout depends on: units, groups, dimensions and indicators, each by id
   (the registry records the replica changes the cube for). */
static uint64_t
s_fingerprint (const socin_model_t *m)
{
    uint64_t h = 14695981039346656037ULL;
    size_t n = socin_model_count (m, SOCIN_KIND_UNIT);
    for (uint32_t id = 1; id <= n; id++)
        h = s_fnv_message (h, &socin_model_unit_at (m, id)->pb->base);
    n = socin_model_count (m, SOCIN_KIND_GROUP);
    for (uint32_t id = 1; id <= n; id++)
        h = s_fnv_message (h, &socin_model_group_at (m, id)->pb->base);
    n = socin_model_count (m, SOCIN_KIND_DIMENSION);
    for (uint32_t id = 1; id <= n; id++)
        h = s_fnv_message (h, &socin_model_dimension_at (m, id)->pb->base);
    n = socin_model_count (m, SOCIN_KIND_INDICATOR);
    for (uint32_t id = 1; id <= n; id++)
        h = s_fnv_message (h, &socin_model_indicator_at (m, id)->pb->base);
    return h;
}

/* Takes back what record R says (the cube holds nothing yet); false when it does not fit the
   model. */
static bool
s_replay (rep_cube_t *self, s_rec_t *r)
{
    if (r->kind == REC_COMBO) {
        if (r->combo != self->ncombo_names + 1) return false;
        self->combo_names =
            socin_realloc (self->combo_names, (self->ncombo_names + 1) * sizeof *self->combo_names);
        char *name = socin_strndup ((const char *)(r + 1), r->len);
        self->combo_names[self->ncombo_names++] = name;
        socin_index_put_str (self->combo_ids, name, (void *)(uintptr_t)r->combo);
        return true;
    }
    const socin_indicator_t *ind = r->indicator && r->indicator <= self->ninds
                                       ? socin_model_indicator_at (self->model, r->indicator)
                                       : NULL;
    if (!ind || r->combo > self->ncombo_names) return false;
    if (r->kind == REC_IND_COMBO) {
        s_ind_t *si = &self->inds[ind->id - 1];
        si->combos = socin_realloc (si->combos, (si->ncombos + 1) * sizeof *si->combos);
        si->combos[si->ncombos++] = r->combo;
        return true;
    }
    unsigned char key[6] = {(unsigned char)(ind->id >> 8),  (unsigned char)ind->id,
                            (unsigned char)(r->combo >> 8), (unsigned char)r->combo,
                            (unsigned char)(r->year >> 8),  (unsigned char)r->year};
    s_slab_t *slab = s_slab_struct (self, ind, key, r->combo, r->year);
    bool leaves = r->combo != TOTAL || !ind->ndims;
    char *block = rep_cubefile_at (self->file, r->block);
    if (!block || r->block + s_block_size (self, slab, leaves) > rep_cubefile_used (self->file))
        return false;
    s_place (self, slab, block, leaves);
    slab->nvalues = &r->nvalues;
    return true;
}

bool
rep_cube_attach (rep_cube_t *self, const char *path, uint64_t digest, bool *stale)
{
    *stale = false;
    if (!self->file) self->file = rep_cubefile_open (path);
    if (!self->file) return false;
    const char *why = rep_cubefile_check (self->file, s_fingerprint (self->model), digest);
    bool whole = !why;
    for (s_rec_t *r = whole ? rep_cubefile_first (self->file) : NULL; r && whole;
         r = rep_cubefile_next (self->file, r))
        whole = s_replay (self, r);
    if (whole) {
        *stale = rep_cubefile_stale (self->file);
        return true;
    }
    socin_info ("cube.file_not_used", "path=%s reason=%s", socin_log_q (path),
                socin_log_q (why ? why : "a record does not fit the registry"));
    rep_cube_reset (self, self->model);
    return false;
}

void
rep_cube_begin (rep_cube_t *self)
{
    if (self->file) rep_cubefile_begin (self->file);
}

void
rep_cube_done (rep_cube_t *self, uint64_t digest, bool stale)
{
    if (self->file) rep_cubefile_done (self->file, digest, stale);
}

void
rep_cube_sync (rep_cube_t *self)
{
    if (self->file) rep_cubefile_sync (self->file);
}

/* ---- unit summaries ---- */

/* The latest value of UNIT in MASK within SLAB, or 0 when none (a LAST contribution). */
static socin_dec_t
s_last (const s_slab_t *slab, size_t unit, uint64_t present, uint64_t mask)
{
    uint64_t bits = present & mask;
    if (!bits) return 0;
    int f = 63 - __builtin_clzll (bits);
    return slab->values[unit * (size_t)slab->nfinest + (size_t)f];
}

/* s_last, with the value at finest period F taken as V (what it is or is about to be): V
   when F is the latest present in MASK. */
static socin_dec_t
s_last_with (const s_slab_t *slab, size_t unit, uint64_t present, uint64_t mask, size_t f,
             socin_dec_t v)
{
    return ((present & mask) >> f) == 1 ? v : s_last (slab, unit, present, mask);
}

/* For the total of an indicator with dimensions: whether UNIT has any value (TRUTH: any true
   value) in MASK across all disaggregations, given the one being changed (CHANGED) has
   PRESENT/TRUTH bits as given. */
static bool
s_any_combo (rep_cube_t *self, const socin_indicator_t *ind, int year, size_t unit, uint64_t mask,
             const s_slab_t *changed, uint64_t changed_bits, bool truth)
{
    const s_ind_t *si = &self->inds[ind->id - 1];
    for (size_t i = 0; i < si->ncombos; i++) {
        const s_slab_t *s = s_slab (self, ind, si->combos[i], year, false);
        if (!s) continue;
        uint64_t bits = s == changed ? changed_bits : (truth ? s->truth[unit] : s->present[unit]);
        if (bits & mask) return true;
    }
    return false;
}

/* The cell of NODE at SLOT of SLAB. */
static inline s_cell_t *
s_cell (const s_slab_t *slab, size_t node, size_t slot)
{
    return &slab->cells[node * (size_t)slab->nslots + slot];
}

/* ---- changing a value ---- */

typedef struct {
    bool op, np;        /* present before, after */
    socin_dec_t ov, nv; /* value before, after */
    int du, dt;         /* change in units, units_true for this slot */
    socin_sum_t dlast;  /* change in the unit's latest value */
    uint64_t pop;
    /* The same for every cell the change reaches: worked out once (s_delta_sums). */
    socin_sum_t dsum, dwsum, dwden;
} s_delta_t;

static void
s_delta_sums (s_delta_t *d)
{
    socin_sum_t nv = d->np ? d->nv : 0, ov = d->op ? d->ov : 0;
    d->dsum = nv - ov;
    d->dwsum = d->dsum * (socin_sum_t)d->pop;
    d->dwden = ((socin_sum_t)d->np - (socin_sum_t)d->op) * (socin_sum_t)d->pop;
}

static void
s_apply_cell (s_cell_t *c, const s_delta_t *d)
{
    bool had_values = c->n > 0;
    c->n = c->n + (uint32_t)d->np - (uint32_t)d->op;
    c->sum += d->dsum;
    c->wsum += d->dwsum;
    c->wden += d->dwden;
    c->last += d->dlast;
    c->units = (uint32_t)((int64_t)c->units + d->du);
    c->units_true = (uint32_t)((int64_t)c->units_true + d->dt);
    if (c->n == 0) {
        c->dirty = 0;
        return;
    }
    if (d->np && c->n == 1 && (d->op || !had_values)) {
        /* The only value beneath the node. */
        c->min = c->max = d->nv;
        c->dirty = 0;
        return;
    }
    if (c->dirty) return;
    if (d->op && (!d->np || d->nv != d->ov)) {
        /* The old value leaves: if it was an extreme, recount later. */
        if ((d->ov == c->min && (!d->np || d->nv > d->ov)) ||
            (d->ov == c->max && (!d->np || d->nv < d->ov))) {
            c->dirty = 1;
            return;
        }
    }
    if (d->np) {
        if (d->nv < c->min) c->min = d->nv;
        if (d->nv > c->max) c->max = d->nv;
    }
}

static void
s_apply_slab (rep_cube_t *self, s_slab_t *slab, size_t unit, int slot, const s_delta_t *d)
{
    const s_terr_t *t = slab->terr;
    for (uint8_t a = 0; a < t->nanc[unit]; a++)
        s_apply_cell (s_cell (slab, t->anc[unit][a], (size_t)slot), d);
}

/* Adds the new values A holds to cell C: what s_apply_cell does for each of them in turn
   (the first value of an empty cell is its minimum and maximum; a dirty cell stays dirty). */
static void
s_add_cell (s_cell_t *c, const s_added_t *a)
{
    bool had_values = c->n > 0;
    c->n += a->n;
    c->sum += a->sum;
    c->wsum += a->wsum;
    c->wden += a->wden;
    c->last += a->last;
    c->units += a->units;
    c->units_true += a->units_true;
    if (!had_values) {
        c->min = a->min;
        c->max = a->max;
        c->dirty = 0;
        return;
    }
    if (c->dirty) return;
    if (a->min < c->min) c->min = a->min;
    if (a->max > c->max) c->max = a->max;
}

/* How many entries ahead s_run_flush asks for the cells it will add to: the entries come in
   the order they were first touched, and their ancestors' cells are spread over the slab. */
#define S_FLUSH_AHEAD 4

/* Adds what waits to the ancestors' cells, and empties the run. */
static void
s_run_flush (rep_cube_t *self)
{
    s_run_t *r = &self->run;
    if (!r->slab) return;
    const s_slab_t *slab = r->slab;
    const s_terr_t *t = slab->terr;
    for (size_t i = 0; i < r->ntouched; i++) {
        if (i + S_FLUSH_AHEAD < r->ntouched) {
            /* The cells of an entry a few ahead, and what waits for them. */
            uint32_t ea = r->touched[i + S_FLUSH_AHEAD], sa = ea % (uint32_t)slab->nslots,
                     ua = t->cls_unit[ea / (uint32_t)slab->nslots];
            __builtin_prefetch (&r->added[ea]);
            for (uint8_t k = 0; k < t->nanc[ua]; k++) {
                const s_cell_t *c = s_cell (slab, t->anc[ua][k], sa);
                __builtin_prefetch (c, 1);
                __builtin_prefetch ((const char *)(c + 1) - 1, 1);
            }
        }
        uint32_t e = r->touched[i], slot = e % (uint32_t)slab->nslots,
                 u = t->cls_unit[e / (uint32_t)slab->nslots];
        for (uint8_t k = 0; k < t->nanc[u]; k++)
            s_add_cell (s_cell (slab, t->anc[u][k], slot), &r->added[e]);
        memset (&r->added[e], 0, sizeof r->added[e]);
    }
    r->ntouched = 0;
    r->slab = NULL;
}

/* Room in the run for the classes of every territory made so far (nothing may wait). */
static void
s_run_room (rep_cube_t *self)
{
    s_run_t *r = &self->run;
    size_t want = (self->maxcls + 1) * MAX_SLOTS;
    if (want <= r->cap) return;
    free (r->added);
    free (r->touched);
    r->added = socin_calloc (want, sizeof *r->added);
    r->touched = socin_malloc (want * sizeof *r->touched);
    r->cap = want;
}

/* A new value's part D at SLOT of SLAB, for unit U, into the run. */
static void
s_run_add (rep_cube_t *self, s_slab_t *slab, size_t u, int slot, const s_delta_t *d)
{
    s_run_t *r = &self->run;
    if (r->slab != slab) {
        s_run_flush (self);
        r->slab = slab;
    }
    uint32_t e = slab->terr->cls[u] * (uint32_t)slab->nslots + (uint32_t)slot;
    s_added_t *a = &r->added[e];
    if (a->n == 0) {
        r->touched[r->ntouched++] = e;
        a->min = a->max = d->nv;
    }
    a->n++;
    a->sum += d->dsum;
    a->wsum += d->dwsum;
    a->wden += d->dwden;
    a->last += d->dlast;
    a->units += (uint32_t)d->du;
    a->units_true += (uint32_t)d->dt;
    if (d->nv < a->min) a->min = d->nv;
    if (d->nv > a->max) a->max = d->nv;
}

/* rep_cube_set; with BATCH, a value that is new (nothing there before) in a slab without a
   total of dimensions joins the run of such values instead of changing the cells now
   (anything else adds the run first). */
static int
s_set (rep_cube_t *self, const socin_indicator_t *ind, const socin_unit_t *unit,
       socin_period_t period, const char *disaggregation, bool present, socin_dec_t value,
       int32_t first_day, bool batch)
{
    if (period.type != ind->period_type || ind->id > self->ninds || unit->id > self->nunits)
        return -1;
    uint16_t combo = s_combo (self, ind, disaggregation, present);
    if (combo == UINT16_MAX) return 0; /* removing what was never there */
    s_slab_t *slab = s_slab (self, ind, combo, period.year, present);
    if (!slab) return 0;
    s_slab_t *total = combo == TOTAL ? NULL : s_slab (self, ind, TOTAL, period.year, true);
    size_t u = unit->id - 1, f = (size_t)period.index - 1;
    if (f >= (size_t)slab->nfinest) return -1;
    size_t at = u * (size_t)slab->nfinest + f;
    uint64_t bit = 1ULL << f;
    bool op = slab->present[u] & bit;
    socin_dec_t ov = slab->values[at];
    if (op == present && (!present || ov == value)) {
        if (present) slab->first_day[at] = first_day;
        return 0;
    }
    uint64_t pb = slab->present[u], tb = slab->truth[u];
    uint64_t pa = present ? pb | bit : pb & ~bit;
    uint64_t ta = present && value != 0 ? tb | bit : tb & ~bit;
    s_delta_t d = {op, present, ov, value, 0, 0, 0, unit->population, 0, 0, 0};
    s_delta_sums (&d);
    bool run = batch && !total && !op && present && self->run.cap;
    if (!run) s_run_flush (self);
    /* The unit's latest values per slot, before and after (the new value where F is). */
    for (uint8_t k = 0; k < slab->nparents[f]; k++) {
        int s = slab->parents[f][k];
        uint64_t mask = slab->mask[s];
        socin_dec_t last_before = s_last_with (slab, u, pb, mask, f, ov);
        socin_dec_t last_after = s_last_with (slab, u, pa, mask, f, value);
        d.dlast = (socin_sum_t)last_after - last_before;
        d.du = (int)((pa & mask) != 0) - (int)((pb & mask) != 0);
        d.dt = (int)((ta & mask) != 0) - (int)((tb & mask) != 0);
        if (run) {
            s_run_add (self, slab, u, s, &d);
            continue;
        }
        s_apply_slab (self, slab, u, s, &d);
        if (total) {
            s_delta_t td = d;
            bool any_b = s_any_combo (self, ind, period.year, u, mask, slab, pb, false);
            bool any_a = s_any_combo (self, ind, period.year, u, mask, slab, pa, false);
            bool tru_b = s_any_combo (self, ind, period.year, u, mask, slab, tb, true);
            bool tru_a = s_any_combo (self, ind, period.year, u, mask, slab, ta, true);
            td.du = (int)any_a - (int)any_b;
            td.dt = (int)tru_a - (int)tru_b;
            s_apply_slab (self, total, u, s, &td);
        }
    }
    slab->values[at] = present ? value : 0;
    slab->present[u] = pa;
    slab->truth[u] = ta;
    slab->first_day[at] = present ? first_day : 0;
    *slab->nvalues = *slab->nvalues + (uint64_t)present - (uint64_t)op;
    return 0;
}

int
rep_cube_set (rep_cube_t *self, const socin_indicator_t *ind, const socin_unit_t *unit,
              socin_period_t period, const char *disaggregation, bool present, socin_dec_t value,
              int32_t first_day)
{
    return s_set (self, ind, unit, period, disaggregation, present, value, first_day, false);
}

/* Puts the N items of FROM into TO by KEY (each below NKEYS), keeping their order within
   a key (a counting sort). */
static void
s_count_sort (rep_cube_t *self, const uint32_t *from, uint32_t *to, size_t n, const uint32_t *key,
              size_t nkeys)
{
    if (nkeys + 1 > self->capcounts) {
        self->capcounts = nkeys + 1;
        self->counts = socin_realloc (self->counts, self->capcounts * sizeof *self->counts);
    }
    uint32_t *start = self->counts;
    memset (start, 0, (nkeys + 1) * sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[key[from[i]] + 1]++;
    for (size_t k = 1; k <= nkeys; k++)
        start[k] += start[k - 1];
    for (size_t i = 0; i < n; i++)
        to[start[key[from[i]]]++] = from[i];
}

/* How many changes ahead rep_cube_set_many asks for what a change will read, in three steps
   (the change, then its unit, then its unit's entries in the slab found last): in slab order
   the changes, their units and the units' entries are each scattered through memory, and
   without this nearly every change waited for each of them in turn. */
#define S_AHEAD 8

/* The slab found last when C's value is in it (its unit's index in U, the value's in AT),
   else NULL. The caller prefetches: GCC takes a function whose only effect is
   __builtin_prefetch for one without effects, and drops its calls. */
static const s_slab_t *
s_ahead (const rep_cube_t *self, const rep_cube_change_t *c, size_t *u, size_t *at)
{
    const s_slab_t *slab = self->last_slab;
    if (!slab || !slab->values || slab->indicator != c->ind->id || c->ind->ndims ||
        slab->year != (uint16_t)c->period.year || c->unit->id > self->nunits)
        return NULL;
    size_t f = (size_t)c->period.index - 1;
    if (f >= (size_t)slab->nfinest) return NULL;
    *u = c->unit->id - 1;
    *at = *u * (size_t)slab->nfinest + f;
    return slab;
}

size_t
rep_cube_set_many (rep_cube_t *self, const rep_cube_change_t *changes, size_t n)
{
    if (n > self->capplace) {
        self->capplace = n + n / 2;
        self->place = socin_realloc (self->place, self->capplace * sizeof *self->place);
        self->order = socin_realloc (self->order, self->capplace * sizeof *self->order);
        self->sorted = socin_realloc (self->sorted, self->capplace * sizeof *self->sorted);
    }
    /* The order: indicator by indicator, year by year (a slab at a time), and within those
       as given. Each sort keeps the order of what it finds equal, so the changes of one value
       stay in the order given. A present value's slab needs its year's territory: made
       first, so that the run has room for every class of units. */
    int ymin = INT32_MAX, ymax = INT32_MIN, last = INT32_MIN;
    for (size_t i = 0; i < n; i++) {
        int y = changes[i].period.year;
        if (y < ymin) ymin = y;
        if (y > ymax) ymax = y;
        if (changes[i].present && y != last) s_terr (self, last = y);
        self->order[i] = (uint32_t)i;
    }
    s_run_room (self);
    size_t years = (size_t)((int64_t)ymax - ymin + 1);
    const uint32_t *order = self->order;
    if (n && years > 1 && years <= 1000) {
        for (size_t i = 0; i < n; i++)
            self->place[i] = (uint32_t)(changes[i].period.year - ymin);
        s_count_sort (self, self->order, self->sorted, n, self->place, years);
        order = self->sorted;
    }
    for (size_t i = 0; i < n; i++)
        self->place[i] = changes[i].ind->id <= self->ninds ? changes[i].ind->id : 0;
    s_count_sort (self, order, order == self->order ? self->sorted : self->order, n, self->place,
                  self->ninds + 1);
    order = order == self->order ? self->sorted : self->order;
    size_t refused = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 3 * S_AHEAD < n) __builtin_prefetch (&changes[order[i + 3 * S_AHEAD]]);
        if (i + 2 * S_AHEAD < n) {
            const socin_unit_t *unit = changes[order[i + 2 * S_AHEAD]].unit;
            __builtin_prefetch (unit);
            __builtin_prefetch (&unit->population);
        }
        size_t u, at;
        const s_slab_t *slab =
            i + S_AHEAD < n ? s_ahead (self, &changes[order[i + S_AHEAD]], &u, &at) : NULL;
        if (slab) {
            __builtin_prefetch (&slab->present[u]);
            __builtin_prefetch (&slab->truth[u]);
            __builtin_prefetch (&slab->values[u * (size_t)slab->nfinest]);
            __builtin_prefetch (&slab->values[u * (size_t)slab->nfinest + slab->nfinest - 1]);
            __builtin_prefetch (&slab->first_day[at]);
            __builtin_prefetch (&slab->terr->cls[u]);
        }
        const rep_cube_change_t *c = &changes[order[i]];
        refused += s_set (self, c->ind, c->unit, c->period, c->disaggregation, c->present, c->value,
                          c->first_day, true) != 0;
    }
    s_run_flush (self);
    return refused;
}

/* ---- reading ---- */

/* A unit's own values in MASK of SLAB into A (and its per-unit figures). */
static void
s_unit_leaves (const s_slab_t *slab, size_t u, uint64_t mask, uint64_t pop, socin_agg_t *a,
               bool *any, bool *any_true, socin_dec_t *last)
{
    uint64_t bits = slab->present[u] & mask;
    *any = *any || bits != 0;
    *any_true = *any_true || (slab->truth[u] & mask) != 0;
    *last += s_last (slab, u, slab->present[u], mask);
    while (bits) {
        int f = __builtin_ctzll (bits);
        bits &= bits - 1;
        socin_agg_add (a, slab->values[u * (size_t)slab->nfinest + (size_t)f], pop);
    }
}

/* Recounts the minimum and maximum of a dirty cell from the values beneath the node. */
static void
s_recount (rep_cube_t *self, const socin_indicator_t *ind, s_slab_t *slab, size_t node, int slot,
           s_cell_t *c)
{
    const s_ind_t *si = &self->inds[ind->id - 1];
    bool first = true;
    uint64_t mask = slab->mask[slot];
    for (size_t u = 0; u < self->nunits; u++) {
        bool below = false;
        for (uint8_t a = 0; a < slab->terr->nanc[u] && !below; a++)
            below = slab->terr->anc[u][a] == node;
        if (!below) continue;
        size_t nsrc = slab->values ? 1 : si->ncombos;
        for (size_t i = 0; i < nsrc; i++) {
            const s_slab_t *src =
                slab->values ? slab : s_slab (self, ind, si->combos[i], slab->year, false);
            if (!src) continue;
            uint64_t bits = src->present[u] & mask;
            while (bits) {
                int f = __builtin_ctzll (bits);
                bits &= bits - 1;
                socin_dec_t v = src->values[u * (size_t)src->nfinest + (size_t)f];
                if (first || v < c->min) c->min = v;
                if (first || v > c->max) c->max = v;
                first = false;
            }
        }
    }
    c->dirty = 0;
}

static void
s_from_cell (const s_cell_t *c, socin_agg_t *out)
{
    out->n = c->n;
    out->sum = c->sum;
    out->wsum = c->wsum;
    out->wden = c->wden;
    out->last = c->last;
    out->min = c->min;
    out->max = c->max;
    out->units = c->units;
    out->units_true = c->units_true;
}

/* The cell of NODE at SLOT of SLAB into OUT, recounted first when dirty. */
static void
s_cell_read (rep_cube_t *self, const socin_indicator_t *ind, s_slab_t *slab, size_t node, int slot,
             socin_agg_t *out)
{
    s_cell_t *c = s_cell (slab, node, (size_t)slot);
    if (c->dirty) s_recount (self, ind, slab, node, slot, c);
    s_from_cell (c, out);
}

/* What the city districts of municipality M stand for: their aggregate, M counted as one
   unit, when M has no value of its own in PERIOD; nothing when it has one (its own value is
   the municipality's figure and already counts above it). */
static void
s_districts_part (rep_cube_t *self, const socin_indicator_t *ind, s_slab_t *slab,
                  const socin_unit_t *m, int slot, socin_period_t period, const char *disagg,
                  socin_agg_t *out)
{
    socin_agg_t own;
    memset (out, 0, sizeof *out);
    rep_cube_unit (self, ind, m, period, disagg, &own);
    if (own.n || own.units) return;
    s_cell_read (self, ind, slab, (size_t)self->node_of_unit[m->id - 1], slot, out);
    out->units = out->units > 0;
    out->units_true = out->units_true > 0;
}

int
rep_cube_node (rep_cube_t *self, const socin_indicator_t *ind, const socin_unit_t *unit,
               const socin_group_t *group, socin_period_t period, const char *disaggregation,
               socin_agg_t *out)
{
    memset (out, 0, sizeof *out);
    int slot = s_slot (ind->period_type, period);
    if (slot < 0 || ind->id > self->ninds) return -1;
    uint16_t combo = s_combo (self, ind, disaggregation ? disaggregation : "", false);
    if (disaggregation && *disaggregation == 0) combo = TOTAL;
    if (combo == UINT16_MAX) return 0;
    s_slab_t *slab = s_slab (self, ind, combo, period.year, false);
    if (!slab) return 0;
    size_t node;
    if (group) {
        if (group->id > socin_model_count (self->model, SOCIN_KIND_GROUP)) return 0;
        node = self->group_base + group->id - 1;
    } else {
        if (unit->id > self->nunits || self->node_of_unit[unit->id - 1] < 0) return 0;
        node = (size_t)self->node_of_unit[unit->id - 1];
        if (unit->level == SOCIN_LEVEL_MUNICIPALITY) {
            s_districts_part (self, ind, slab, unit, slot, period, disaggregation, out);
            return 0;
        }
    }
    s_cell_read (self, ind, slab, node, slot, out);
    /* Districts feed no node above their municipality: add what they stand for in each
       divided municipality beneath this node (eight cities at most). */
    for (size_t i = 0; i < self->ndivided; i++) {
        uint32_t m = self->divided[i];
        bool below = false;
        for (uint8_t a = 0; a < slab->terr->nanc[m - 1] && !below; a++)
            below = slab->terr->anc[m - 1][a] == node;
        if (!below) continue;
        socin_agg_t part;
        s_districts_part (self, ind, slab, socin_model_unit_at (self->model, m), slot, period,
                          disaggregation, &part);
        socin_agg_merge (out, &part);
    }
    return 0;
}

int
rep_cube_unit (rep_cube_t *self, const socin_indicator_t *ind, const socin_unit_t *unit,
               socin_period_t period, const char *disaggregation, socin_agg_t *out)
{
    memset (out, 0, sizeof *out);
    int slot = s_slot (ind->period_type, period);
    if (slot < 0 || ind->id > self->ninds || unit->id > self->nunits) return -1;
    size_t u = unit->id - 1;
    bool any = false, any_true = false;
    socin_dec_t last = 0;
    bool total = !disaggregation || !*disaggregation;
    if (total && ind->ndims) {
        const s_ind_t *si = &self->inds[ind->id - 1];
        for (size_t i = 0; i < si->ncombos; i++) {
            const s_slab_t *s = s_slab (self, ind, si->combos[i], period.year, false);
            if (!s) continue;
            s_unit_leaves (s, u, s->mask[slot], unit->population, out, &any, &any_true, &last);
        }
    } else {
        uint16_t combo = s_combo (self, ind, total ? "" : disaggregation, false);
        if (combo == UINT16_MAX) return 0;
        const s_slab_t *s = s_slab (self, ind, combo, period.year, false);
        if (!s) return 0;
        s_unit_leaves (s, u, s->mask[slot], unit->population, out, &any, &any_true, &last);
    }
    out->units = any;
    out->units_true = any_true;
    out->last = last;
    return 0;
}

int32_t
rep_cube_received (rep_cube_t *self, const socin_indicator_t *ind, const socin_unit_t *unit,
                   socin_period_t period)
{
    if (period.type != ind->period_type || ind->id > self->ninds || unit->id > self->nunits)
        return INT32_MAX;
    size_t u = unit->id - 1, f = (size_t)period.index - 1;
    int32_t best = INT32_MAX;
    const s_ind_t *si = &self->inds[ind->id - 1];
    size_t n = ind->ndims ? si->ncombos : 1;
    for (size_t i = 0; i < n; i++) {
        const s_slab_t *s =
            s_slab (self, ind, ind->ndims ? si->combos[i] : TOTAL, period.year, false);
        if (!s || f >= (size_t)s->nfinest || !(s->present[u] & (1ULL << f))) continue;
        int32_t day = s->first_day[u * (size_t)s->nfinest + f];
        if (day < best) best = day;
    }
    return best;
}

void
rep_cube_received_units (rep_cube_t *self, const socin_indicator_t *const *inds, size_t n,
                         socin_period_t period, int32_t by, size_t nunits, uint32_t *got,
                         uint8_t *late)
{
    memset (got, 0, (nunits + 1) * sizeof *got);
    memset (late, 0, (nunits + 1) * sizeof *late);
    size_t nu = nunits < self->nunits ? nunits : self->nunits, f = (size_t)period.index - 1;
    uint64_t bit = 1ULL << (f & 63);
    /* For an indicator with dimensions: whether each unit has some disaggregation, and one
       received by BY. */
    uint8_t *any = NULL, *early = NULL;
    for (size_t k = 0; k < n; k++) {
        const socin_indicator_t *ind = inds[k];
        if (period.type != ind->period_type || ind->id > self->ninds) continue;
        if (!ind->ndims) {
            const s_slab_t *s = s_slab (self, ind, TOTAL, period.year, false);
            if (!s || f >= (size_t)s->nfinest) continue;
            const int32_t *day = s->first_day + f;
            for (size_t u = 0; u < nu; u++)
                if (s->present[u] & bit) {
                    got[u + 1]++;
                    /* A unit already late needs no more first days read. */
                    if (!late[u + 1] && day[u * (size_t)s->nfinest] > by) late[u + 1] = 1;
                }
            continue;
        }
        if (!any) {
            any = socin_malloc (nu + 1);
            early = socin_malloc (nu + 1);
        }
        memset (any, 0, nu + 1);
        memset (early, 0, nu + 1);
        const s_ind_t *si = &self->inds[ind->id - 1];
        for (size_t i = 0; i < si->ncombos; i++) {
            const s_slab_t *s = s_slab (self, ind, si->combos[i], period.year, false);
            if (!s || f >= (size_t)s->nfinest) continue;
            const int32_t *day = s->first_day + f;
            for (size_t u = 0; u < nu; u++)
                if (s->present[u] & bit) {
                    any[u] = 1;
                    if (!early[u] && day[u * (size_t)s->nfinest] <= by) early[u] = 1;
                }
        }
        for (size_t u = 0; u < nu; u++)
            if (any[u]) {
                got[u + 1]++;
                if (!early[u]) late[u + 1] = 1;
            }
    }
    free (any);
    free (early);
}

static int
s_cmp_name (const void *a, const void *b)
{
    return strcmp (*(const char *const *)a, *(const char *const *)b);
}

size_t
rep_cube_disaggregations (rep_cube_t *self, const socin_indicator_t *ind, const char ***out)
{
    static const char *none[] = {""};
    if (ind->id > self->ninds) return 0;
    if (!ind->ndims) {
        *out = none;
        return 1;
    }
    const s_ind_t *si = &self->inds[ind->id - 1];
    static __thread const char **names;
    static __thread size_t cap;
    if (cap < si->ncombos + 1) {
        cap = si->ncombos + 1;
        names = socin_realloc (names, cap * sizeof *names);
    }
    for (size_t i = 0; i < si->ncombos; i++)
        names[i] = self->combo_names[si->combos[i] - 1];
    /* In code order: the order they were first seen in depends on the order of arrival. */
    qsort (names, si->ncombos, sizeof *names, s_cmp_name);
    *out = names;
    return si->ncombos;
}

void
rep_cube_stats (rep_cube_t *self, uint64_t *slabs, uint64_t *values, uint64_t *bytes)
{
    *slabs = self->nslabs;
    *values = 0;
    *bytes = 0;
    for (size_t i = 0; i < self->nslabs; i++) {
        const s_slab_t *s = self->slab_list[i];
        *values += *s->nvalues;
        *bytes += sizeof *s + self->nnodes * (size_t)s->nslots * sizeof (s_cell_t);
        if (s->values) *bytes += self->nunits * ((size_t)s->nfinest * 12 + 16);
    }
}
