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

/* A malloc'ed answer to REQ (free with protobuf_c_message_free_unpacked). */
Socin__V1__ReportReply *rep_query_answer (const rep_query_ctx_t *ctx,
                                          const Socin__V1__ReportRequest *req);

/* The history of value KEY (KEYLEN bytes) in APPLY's store, oldest first, and its current
   value into OUT (an initialised ValueHistory; its parts are malloc'ed). -1 when the store
   cannot be read. */
int rep_query_history (rep_apply_t *apply, const char *key, size_t keylen,
                       Socin__V1__ValueHistory *out);

#endif
