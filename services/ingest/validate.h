/*  validate: every item of a submission checked against the registry replica.

    A value is checked for: a known indicator that can be submitted (not derived), a known
    unit valid in the period, a data set holding the indicator that the unit reports, the
    submitter's territory (and this ingest's, when it serves one region), the submitter's data
    sets, a period of the indicator's type that is neither locked nor in the future, a value
    of the right type within the indicator's range, a known disaggregation, a comment of
    valid UTF-8 within 1,000 bytes, and no other item of the batch with the same key. An
    event likewise: id, unit level and territory, date, type, counts. Each failure becomes a
    conflict naming the item's index, the error code, the field, the offending text and what
    would be accepted. Nothing here touches storage.
*/
#ifndef SOCIN_INGEST_VALIDATE_H
#define SOCIN_INGEST_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decimal.h"
#include "model.h"
#include "period.h"
#include "valuekey.h"
#include "socin/v1/ingest.pb-c.h"

#define ING_KEY_MAX     SOCIN_VALUE_KEY_MAX
#define ING_COMMENT_MAX 1000
#define ING_ID_MAX      64

/* A value that passed validation, in canonical form. Kept small (values of a large
   submission are sorted): text lives in the checked submission's arena. */
typedef struct {
    uint32_t index; /* position in the submission */
    bool deleted;
    bool refused;         /* by a check against the stored state (approval.c, shape.c) */
    bool shape_at_insert; /* its shape is checked once it is stored (ing_shape_walk_defer) */
    char period[8];       /* the longest, 2025W05, fits */
    const socin_indicator_t *indicator;
    const socin_unit_t *unit;
    socin_dec_t value;
    const char *comment;        /* points into the submission */
    const char *stored_by;      /* DHIS2's storedBy, into the submission (at most 64 bytes) */
    bool followup;              /* DHIS2's followup */
    const char *disaggregation; /* canonical, in the arena ("" for the total) */
    /* The storage key (valuekey.h), in the arena. */
    const char *key;
    size_t keylen;
} ing_value_t;

/* An event that passed validation. */
typedef struct {
    uint32_t index;
    Socin__V1__ParticipationEvent *event; /* points into the submission */
    const socin_unit_t *unit;
    int32_t day;
    /* "E" unit NUL event_id. */
    char key[ING_KEY_MAX];
    size_t keylen;
} ing_event_t;

/* A follow-up mark that passed validation (followup.c). */
typedef struct {
    uint32_t index;
    bool followup;
    bool from_value; /* set by a value's own followup flag (DataValue.followup), not an item */
    size_t value_at; /* from_value: the value's place in the checked values */
    char period[8];
    const socin_indicator_t *indicator;
    const socin_unit_t *unit;
    const char *disaggregation; /* canonical, in the arena */
    const char *comment;        /* points into the submission */
    const char *key;            /* the value's storage key, in the arena */
    size_t keylen;
} ing_followup_t;

/* An approval item that passed validation (approval.c). */
typedef struct {
    uint32_t index;
    int step; /* Socin__V1__ApprovalStep */
    bool withdraw;
    char period[8];
    const socin_dataset_t *dataset;
    const socin_unit_t *unit;
    const char *comment;
    char key[ING_KEY_MAX]; /* "A" dataset NUL period NUL unit */
    size_t keylen;
} ing_approval_t;
/* A measure progress report that passed validation (progress.h). */
typedef struct {
    uint32_t index;
    Socin__V1__MeasureProgress *progress; /* canonical copy, owned by the checked submission */
    char key[ING_KEY_MAX];
    size_t keylen;
} ing_measure_t;

typedef struct ing_arena_t ing_arena_t;

/* The outcome of validating one submission. Values are in key order (so a transaction
   touches the B-tree's pages in order); conflicts keep the items' own indexes. */
typedef struct {
    ing_value_t *values;
    size_t nvalues;
    /* How many runs the values make: stretches of one period and unit, which are next to
       each other in the store (valuekey.h), so each run dirties about one leaf page
       (socin_store_runs_bound). */
    size_t runs;
    ing_event_t *events;
    size_t nevents;
    ing_followup_t *followups;
    size_t nfollowups;
    ing_approval_t *approvals;
    size_t napprovals;
    ing_measure_t *measures;
    size_t nmeasures;
    Socin__V1__Conflict **conflicts; /* each malloc'ed with its strings */
    size_t nconflicts, capconflicts;
    /* Validation rules the stored values break (rulewarn.h), each malloc'ed with its strings;
       made inside the transaction, so dropped by ing_checked_reset. */
    Socin__V1__RuleWarning **warnings;
    size_t nwarnings;
    /* Conflicts found by validation; those after them come from checks against the stored
       state inside the transaction, which a retried transaction makes again. */
    size_t nvalidated;
    const socin_model_t *model;
    ing_arena_t *arena;
} ing_checked_t;

/* What validation needs besides the submission. */
typedef struct {
    const socin_model_t *model;
    const socin_submitter_t *submitter;
    /* Units this ingest serves (ids); none: any. */
    const uint32_t *territory;
    size_t nterritory;
    int32_t today;
    uint32_t event_lock_days;
} ing_context_t;

/* Validates every item of SUB into OUT (which the caller zeroes and later frees with
   ing_checked_free). */
void ing_validate (const ing_context_t *ctx, const Socin__V1__Submission *sub, ing_checked_t *out);
void ing_checked_free (ing_checked_t *checked);

/* Adds a conflict (the message is printf-formatted). */
void ing_conflict (ing_checked_t *out, int kind, uint32_t index, int code, const char *field,
                   const char *value, const char *fmt, ...) __attribute__ ((format (printf, 7, 8)));

/* Copies LEN bytes of TEXT into OUT's arena (kept until ing_checked_free). */
char *ing_arena_copy (ing_checked_t *out, const char *text, size_t len);

/* Whether the submitter and this ingest may report for UNIT; adds a conflict of KIND and
   INDEX when not. */
bool ing_territory_ok (const ing_context_t *ctx, ing_checked_t *out, int kind, uint32_t index,
                       const socin_unit_t *unit);

/* Whether TEXT is valid UTF-8 of at most MAX bytes; adds a conflict naming FIELD when not. */
bool ing_text_ok (ing_checked_t *out, int kind, uint32_t index, const char *field, const char *text,
                  size_t max);

/* Checks DV's key (indicator, unit, period, disaggregation), its submitter, data set, period
   and comment as a value's are checked (its value is not: DV has delete set), into OK; a
   failure becomes a conflict of KIND and INDEX. True when it passed. */
bool ing_validate_key (const ing_context_t *ctx, const Socin__V1__DataValue *dv, uint32_t index,
                       int kind, ing_checked_t *out, ing_value_t *ok);

/* Ends validation: sorts every conflict and counts them as validation's (nvalidated). */
void ing_checked_seal (ing_checked_t *checked);

/* What a submission's items did to the stored state. */
typedef struct {
    uint32_t imported, updated, ignored, deleted;
} ing_counts_t;

/* Drops the conflicts, refusals and warnings of an earlier attempt of the transaction (the
   conflicts after nvalidated), so that the checks against the stored state run afresh. */
void ing_checked_reset (ing_checked_t *checked);

/* Sorts the conflicts after nvalidated by kind and index (all of them while validating): an
   answer lists validation's conflicts first, then those found against the stored state. */
void ing_checked_sort (ing_checked_t *checked);

/* The storage key of a value (for history queries): 0, or -1 when too long. */
int ing_value_key (const char *indicator, const char *unit, const char *period,
                   const char *disaggregation, char *key, size_t *keylen);

/* Parses a boolean as submissions spell it (true/false, 1/0, t/f, yes/no, any case). */
int ing_parse_bool (const char *text, bool *out);

/* True when TEXT is a valid submission id: 1 to 64 bytes of [A-Za-z0-9._:-]. */
bool ing_submission_id_ok (const char *text);

#endif
