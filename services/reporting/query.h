/*  query: reporting's answers (report.proto) from the cube, the events and the store.

    Roll-ups read one cell per row; a derived indicator is the ratio of its components, each
    aggregated by its own rule over the same units and period (a component of a coarser
    period type, such as a yearly population under a monthly count, is taken for the period
    that holds the queried one). Completeness reads, for every unit expected to report, when
    each indicator of the data set was first received. The history of one value is read from
    the store apply.c writes. Every answer carries the state it reflects.
*/
#ifndef SOCIN_REPORTING_QUERY_H
#define SOCIN_REPORTING_QUERY_H

#include "apply.h"
#include "cube.h"
#include "events.h"
#include "model.h"
#include "socin/v1/report.pb-c.h"

typedef struct {
    const socin_model_t *model;
    uint64_t registry_seq;
    rep_cube_t *cube;
    rep_events_t *events;
    rep_apply_t *apply;
    int32_t today;
} rep_query_ctx_t;

/* A malloc'ed reply to REQUEST_ID, stamped with the state it reflects, no body yet. */
Socin__V1__ReportReply *rep_query_reply_new (const rep_query_ctx_t *ctx, const char *request_id);

/* Sets REPLY's error: CODE and the message FMT formats (kept valid UTF-8). Returns -1. */
int rep_query_fail (Socin__V1__ReportReply *reply, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* A malloc'ed answer to REQ (free with protobuf_c_message_free_unpacked). */
Socin__V1__ReportReply *rep_query_answer (const rep_query_ctx_t *ctx,
                                          const Socin__V1__ReportRequest *req);

/* The figure of IND over node UNIT (or GROUP when UNIT is NULL) for PERIOD and canonical
   DISAGG, as a roll-up row shows it: ROW's value, values, units and (derived) numerator and
   denominator (malloc'ed texts). ROW is left empty when nothing contributes or PERIOD is
   finer than IND's type. */
void rep_query_figure (const rep_query_ctx_t *ctx, const socin_indicator_t *ind,
                       const socin_unit_t *unit, const socin_group_t *group, socin_period_t period,
                       const char *disagg, Socin__V1__Row *row);

/* The units at LEVEL (any when 0) under ROOT (or the members of GROUP) that exist on some day
   of [START, END], in code order: their count, the list in *OUT (free() it). Under ROOT and
   membership on the territory day of END's year (model.h). */
size_t rep_query_units_at (const socin_model_t *m, int level, const socin_unit_t *root,
                           const socin_group_t *group, int32_t start, int32_t end,
                           const socin_unit_t ***out);

/* Everything reported for IND at or beneath UNIT (its own values and those of the units
   beneath it) for PERIOD and DISAGG ("" the total) into OUT. -1 when PERIOD is finer than
   IND's type. */
int rep_query_aggregate (const rep_query_ctx_t *ctx, const socin_indicator_t *ind,
                         const socin_unit_t *unit, socin_period_t period, const char *disagg,
                         socin_agg_t *out);

/* The history of value KEY (KEYLEN bytes) in APPLY's store, oldest first, and its current
   value into OUT (an initialised ValueHistory; its parts are malloc'ed). -1 when the store
   cannot be read. */
int rep_query_history (rep_apply_t *apply, const char *key, size_t keylen,
                       Socin__V1__ValueHistory *out);

#endif
