/*  model: the registry's records in memory, with the indexes validation and roll-ups need.

    The registry, and the replica inside ingest and reporting, hold every record (unit, group,
    dimension, indicator, data set, submitter, target, peer) as its protobuf message, wrapped
    in a struct of derived fields: ids of parents and of every ancestor on both paths, the
    kraj/okres/ORP of a municipality, parsed ranges and validity days, data sets of each
    indicator, members of groups. Lookups by code or key are hash lookups; ids are dense
    (1..count per kind, 0 meaning none) and stable for the life of the model, since records
    are replaced, never removed.

    socin_model_put() takes records in any order; socin_model_finish() then recomputes the
    derived fields (a few milliseconds for the full territory), so a batch of puts is followed
    by one finish before the model is used.
*/
#ifndef SOCIN_MODEL_H
#define SOCIN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decimal.h"
#include "period.h"
#include "socin/v1/registry.pb-c.h"

typedef Socin__V1__Record socin_record_t;

/* Short names for the wire API's enums. */
#define SOCIN_LEVEL_COUNTRY      SOCIN__V1__LEVEL__LEVEL_COUNTRY
#define SOCIN_LEVEL_KRAJ         SOCIN__V1__LEVEL__LEVEL_KRAJ
#define SOCIN_LEVEL_OKRES        SOCIN__V1__LEVEL__LEVEL_OKRES
#define SOCIN_LEVEL_ORP          SOCIN__V1__LEVEL__LEVEL_ORP
#define SOCIN_LEVEL_MUNICIPALITY SOCIN__V1__LEVEL__LEVEL_MUNICIPALITY
#define SOCIN_LEVEL_DISTRICT     SOCIN__V1__LEVEL__LEVEL_DISTRICT
#define SOCIN_AGG_SUM            SOCIN__V1__AGGREGATION__AGGREGATION_SUM
#define SOCIN_AGG_AVERAGE        SOCIN__V1__AGGREGATION__AGGREGATION_AVERAGE
#define SOCIN_AGG_WAVERAGE       SOCIN__V1__AGGREGATION__AGGREGATION_WEIGHTED_AVERAGE
#define SOCIN_AGG_MIN            SOCIN__V1__AGGREGATION__AGGREGATION_MIN
#define SOCIN_AGG_MAX            SOCIN__V1__AGGREGATION__AGGREGATION_MAX
#define SOCIN_AGG_LAST           SOCIN__V1__AGGREGATION__AGGREGATION_LAST
#define SOCIN_AGG_COUNT          SOCIN__V1__AGGREGATION__AGGREGATION_COUNT
#define SOCIN_AGG_COUNT_TRUE     SOCIN__V1__AGGREGATION__AGGREGATION_COUNT_TRUE
#define SOCIN_VT_INTEGER         SOCIN__V1__VALUE_TYPE__VALUE_TYPE_INTEGER
#define SOCIN_VT_DECIMAL         SOCIN__V1__VALUE_TYPE__VALUE_TYPE_DECIMAL
#define SOCIN_VT_PERCENTAGE      SOCIN__V1__VALUE_TYPE__VALUE_TYPE_PERCENTAGE
#define SOCIN_VT_BOOLEAN         SOCIN__V1__VALUE_TYPE__VALUE_TYPE_BOOLEAN
#define SOCIN_ROLE_ADMIN         SOCIN__V1__ROLE__ROLE_ADMIN
#define SOCIN_ROLE_READER        SOCIN__V1__ROLE__ROLE_READER
#define SOCIN_ROLE_INGEST        SOCIN__V1__ROLE__ROLE_INGEST
#define SOCIN_ROLE_REPORTING     SOCIN__V1__ROLE__ROLE_REPORTING

#define SOCIN_MAX_PARENTS   4
#define SOCIN_MAX_ANCESTORS 12
#define SOCIN_DAY_MIN       INT32_MIN
#define SOCIN_DAY_MAX       INT32_MAX

/* Record kinds, as the first byte of a record's storage key. */
typedef enum {
    SOCIN_KIND_UNIT = 'u',
    SOCIN_KIND_GROUP = 'g',
    SOCIN_KIND_DIMENSION = 'm',
    SOCIN_KIND_INDICATOR = 'i',
    SOCIN_KIND_DATASET = 'd',
    SOCIN_KIND_SUBMITTER = 's',
    SOCIN_KIND_TARGET = 't',
    SOCIN_KIND_PEER = 'p',
    SOCIN_KIND_PLAN = 'P',
    SOCIN_KIND_RULE = 'r', /* validation rule */
} socin_kind_t;

/* A set of direct parents a unit had until VALID_TO (inclusive). */
typedef struct {
    int32_t valid_to;
    uint32_t parents[SOCIN_MAX_PARENTS];
    int nparents;
} socin_parents_era_t;

typedef struct {
    uint32_t id;
    const char *code;
    int level; /* Socin__V1__Level */
    int32_t valid_from, valid_to;
    uint32_t parents[SOCIN_MAX_PARENTS]; /* the latest, in force from parents_from */
    int nparents;
    int32_t parents_from;
    socin_parents_era_t *earlier; /* the parents before those, oldest first */
    int nearlier;
    bool has_children; /* some unit has it as a parent, at some time */
    /* Every unit above, both paths, by the latest parents, nearest first, no repeats. */
    uint32_t ancestors[SOCIN_MAX_ANCESTORS];
    int nancestors;
    /* The unit's own ancestor at each level (0: none); for a kraj, kraj is itself, etc. */
    uint32_t country, kraj, okres, orp, municipality;
    uint64_t population;
    Socin__V1__Unit *pb;
} socin_unit_t;

typedef struct {
    uint32_t id;
    const char *code;
    Socin__V1__Dimension *pb;
} socin_dimension_t;

typedef struct {
    uint32_t id;
    const char *code;
    int value_type;  /* Socin__V1__ValueType */
    int aggregation; /* Socin__V1__Aggregation */
    socin_period_type_t period_type;
    bool has_min, has_max;
    socin_dec_t min, max;
    uint32_t dims[8];
    int ndims;
    bool derived;
    uint32_t numerator, denominator; /* indicator ids, for a derived indicator */
    socin_dec_t factor;
    uint32_t datasets[16]; /* ids of the data sets that hold it */
    int ndatasets;
    Socin__V1__Indicator *pb;
} socin_indicator_t;

typedef struct {
    uint32_t id;
    const char *code;
    socin_period_type_t period_type;
    uint32_t *indicators;
    size_t nindicators;
    uint32_t *roots;
    size_t nroots;
    uint32_t *groups;
    size_t ngroups;
    int level;
    Socin__V1__DataSet *pb;
} socin_dataset_t;

typedef struct {
    uint32_t id;
    const char *code;
    uint32_t *members; /* unit ids, sorted */
    size_t nmembers;
    int32_t (*terms)[2]; /* per member: its first and last day (the group's when not given) */
    int32_t valid_from, valid_to;
    Socin__V1__Group *pb;
} socin_group_t;

typedef struct {
    uint32_t id;
    const char *code; /* its name */
    const char *key;
    uint32_t *roots;
    size_t nroots;
    uint32_t *datasets; /* empty: all */
    size_t ndatasets;
    Socin__V1__Submitter *pb;
} socin_submitter_t;

typedef struct {
    uint32_t id;
    const char *code;
    int32_t window_from, window_to, deadline;
    Socin__V1__Target *pb;
} socin_target_t;

typedef struct {
    uint32_t id;
    const char *code; /* its name */
    const char *key;
    /* A reader limited to territories (pb->territories non-empty): the ids of those the model
       knows. Limited with none known reads nothing, never everything. */
    bool limited;
    uint32_t *roots;
    size_t nroots;
    Socin__V1__Peer *pb;
} socin_peer_t;

/* A plan with its measures (common/plan.h has what is asked of one). OWNER_UNIT or
   OWNER_GROUP is the id of its owner (the other 0; both 0 while the owner is unknown). */
typedef struct {
    uint32_t id;
    const char *code;
    int32_t valid_from, valid_to;
    uint32_t owner_unit, owner_group;
    Socin__V1__Plan *pb;
} socin_plan_t;
/* A validation rule (its sides are parsed where they are evaluated: reporting's rules.c). */
typedef struct {
    uint32_t id;
    const char *code;
    Socin__V1__ValidationRule *pb;
} socin_rule_t;

typedef struct socin_model_t socin_model_t;

socin_model_t *socin_model_new (void);
void socin_model_destroy (socin_model_t **self_p);

/* Adds or replaces a record (by kind and code), taking ownership of REC (an unpacked
   Socin__V1__Record). Returns 0, or -1 when it holds no known kind or no code (REC is then
   freed). */
int socin_model_put (socin_model_t *self, socin_record_t *rec);

/* Unpacks and puts a packed record. 0 or -1. */
int socin_model_put_packed (socin_model_t *self, const void *data, size_t len);

/* Recomputes the derived fields after puts. */
void socin_model_finish (socin_model_t *self);

/* The record of KIND and CODE, or NULL. */
const socin_record_t *socin_model_record (const socin_model_t *self, socin_kind_t kind,
                                          const char *code);

/* Calls FN for every record (in insertion order per kind). */
void socin_model_each_record (const socin_model_t *self,
                              void (*fn) (const socin_record_t *rec, void *arg), void *arg);
size_t socin_model_record_count (const socin_model_t *self);

/* The storage key of a record: its kind byte followed by its code. Returns the length
   (0 for a record without kind or code). BUF must hold 128 bytes. */
size_t socin_record_key (const socin_record_t *rec, char *buf);
socin_kind_t socin_record_kind (const socin_record_t *rec);
const char *socin_record_code (const socin_record_t *rec);

/* A deep copy of a record (fatal when memory runs out). */
socin_record_t *socin_record_copy (const socin_record_t *rec);

/* True when A and B hold the same content, whatever their seq and changed_ms. */
bool socin_record_same (const socin_record_t *a, const socin_record_t *b);

/* Lookups by code (NULL when absent). */
socin_unit_t *socin_model_unit (const socin_model_t *self, const char *code);
socin_indicator_t *socin_model_indicator (const socin_model_t *self, const char *code);
socin_dimension_t *socin_model_dimension (const socin_model_t *self, const char *code);
socin_dataset_t *socin_model_dataset (const socin_model_t *self, const char *code);
socin_group_t *socin_model_group (const socin_model_t *self, const char *code);
socin_target_t *socin_model_target (const socin_model_t *self, const char *code);
socin_submitter_t *socin_model_submitter (const socin_model_t *self, const char *name);
socin_peer_t *socin_model_peer (const socin_model_t *self, const char *name);
socin_plan_t *socin_model_plan (const socin_model_t *self, const char *code);
socin_rule_t *socin_model_rule (const socin_model_t *self, const char *code);

/* Called before looking up the unit of item I of the N ITEMS (protobuf messages whose unit
   code is the string pointer at byte UNIT_AT of each, offsetof (Socin__V1__DataValue, unit)
   say): prefetches the look-ups of the units of items a few ahead, in socin_index_prefetch_str's
   two steps (the hash slot 8 items ahead, the code and the whole unit record 4 ahead). An
   item naming the same unit as the one before it is passed by (the caller keeps the last
   look-up), and so is a code longer than any unit's. Changes nothing. */
void socin_model_units_prefetch (const socin_model_t *self, void *const *items, size_t unit_at,
                                 size_t i, size_t n);

/* By public key (Z85): enabled submitters and peers only. */
socin_submitter_t *socin_model_submitter_by_key (const socin_model_t *self, const char *key);
socin_peer_t *socin_model_peer_by_key (const socin_model_t *self, const char *key);

/* By id (1..count); counts. */
socin_unit_t *socin_model_unit_at (const socin_model_t *self, uint32_t id);
socin_indicator_t *socin_model_indicator_at (const socin_model_t *self, uint32_t id);
socin_dimension_t *socin_model_dimension_at (const socin_model_t *self, uint32_t id);
socin_dataset_t *socin_model_dataset_at (const socin_model_t *self, uint32_t id);
socin_group_t *socin_model_group_at (const socin_model_t *self, uint32_t id);
socin_target_t *socin_model_target_at (const socin_model_t *self, uint32_t id);
socin_submitter_t *socin_model_submitter_at (const socin_model_t *self, uint32_t id);
socin_peer_t *socin_model_peer_at (const socin_model_t *self, uint32_t id);
socin_plan_t *socin_model_plan_at (const socin_model_t *self, uint32_t id);
socin_rule_t *socin_model_rule_at (const socin_model_t *self, uint32_t id);
size_t socin_model_count (const socin_model_t *self, socin_kind_t kind);

/* UNIT is ROOT or lies beneath it. */
bool socin_unit_under (const socin_unit_t *unit, uint32_t root);

/* ---- territory through time ----

   A unit's parents may change (a later edition or an edit moved it: Unit.parents_from and
   earlier_parents); group members have their own terms. A value of a period rolls up along
   the territory in force on the period's territory day: the last day of the period's year.
   Czech territorial changes take effect on 1 January, so a year's months, quarters and the
   year itself see one territory; the cube keeps one ancestor table per year. */

/* The territory day of PERIOD: 31 December of its year. */
int32_t socin_territory_day (socin_period_t period);

/* The direct parents of UNIT in force on DAY; *PARENTS points into the model. */
int socin_unit_parents_on (const socin_unit_t *unit, int32_t day, const uint32_t **parents);

/* The ancestors of UNIT on DAY, both paths, nearest first, no repeats, into OUT (room for
   SOCIN_MAX_ANCESTORS); returns how many. The one function roll-ups, completeness and
   targets take a period's territory from. */
int socin_unit_ancestors_on (const socin_model_t *self, const socin_unit_t *unit, int32_t day,
                             uint32_t *out);

/* UNIT is ROOT or lies beneath it on DAY. */
bool socin_unit_under_on (const socin_model_t *self, const socin_unit_t *unit, uint32_t root,
                          int32_t day);

/* UNIT is a member of GROUP on DAY (the group and the membership both valid). */
bool socin_group_has_on (const socin_group_t *group, uint32_t unit, int32_t day);

/* UNIT exists on some day in [START, END]. */
bool socin_unit_valid_during (const socin_unit_t *unit, int32_t start, int32_t end);

/* UNIT must report DATASET (level and territory, or group membership). */
bool socin_dataset_includes (const socin_model_t *self, const socin_dataset_t *ds,
                             const socin_unit_t *unit);

/* UNIT is a member of GROUP. */
bool socin_group_has (const socin_group_t *group, uint32_t unit);

/* SUBMITTER may report for UNIT (its territory covers it). */
bool socin_submitter_covers (const socin_submitter_t *sub, const socin_unit_t *unit);

/* SUBMITTER may report for DATASET. */
bool socin_submitter_may_report (const socin_submitter_t *sub, uint32_t dataset);

/* Canonical form of a disaggregation for INDICATOR: "dimension=option" pairs sorted by
   dimension code, joined by commas ("" for the total). Spaces around items are ignored.
   0, or -1 with a message naming the dimension or option at fault and what the indicator
   accepts. OUT must hold OUTLEN bytes (256 is ample). */
int socin_model_disaggregation (const socin_model_t *self, const socin_indicator_t *ind,
                                const char *text, char *out, size_t outlen, char *err,
                                size_t errlen);

/* Names as users type and read them, and back (0 / UNSPECIFIED for unknown names). */
const char *socin_level_name (int level);
int socin_level_parse (const char *name);
const char *socin_aggregation_name (int aggregation);
int socin_aggregation_parse (const char *name);
const char *socin_value_type_name (int type);
int socin_value_type_parse (const char *name);
const char *socin_event_type_name (int type);
int socin_event_type_parse (const char *name);
const char *socin_role_name (int role);
int socin_role_parse (const char *name);

/* A date field ("" or YYYY-MM-DD) as a day; DEF when empty or malformed. */
int32_t socin_day_or (const char *text, int32_t def);

#endif
