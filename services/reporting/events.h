/*  events: participation events in memory, for participation figures and target progress.

    Events are few (thousands a year, not millions), so they are held as a flat list with a
    hash from (unit, event id) to their place, and every question is one pass over the list.
    Like the cube, the list is derived state, loaded from the store at start-up.
*/
#ifndef SOCIN_REPORTING_EVENTS_H
#define SOCIN_REPORTING_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "str.h"
#include "socin/v1/ingest.pb-c.h"
#include "socin/v1/report.pb-c.h"

typedef struct rep_events_t rep_events_t;

rep_events_t *rep_events_new (void);
void rep_events_destroy (rep_events_t **self_p);

/* Adds or replaces the event (by unit and event id), or removes it when EV->delete_ is set.
   The event is copied. */
void rep_events_set (rep_events_t *self, const Socin__V1__ParticipationEvent *ev);

/* Drops every event. */
void rep_events_clear (rep_events_t *self);
size_t rep_events_count (rep_events_t *self);

/* Participation rows for the query against MODEL: per unit at the query's level under its
   root (or per member of its group), in code order, or one row for the root (or group). Rows are appended to
   OUT (malloc'ed, freed by the caller with protobuf_c_message_free_unpacked). 0, or -1 with
   a message. */
int rep_events_participation (rep_events_t *self, const socin_model_t *model,
                              const Socin__V1__ParticipationQuery *q,
                              Socin__V1__Participation *out, char *err, size_t errlen);

/* Units qualifying for an event rule of TARGET as of day AS_OF: their ids into *UNITS
   (malloc'ed), the count returned. */
size_t rep_events_qualifying (rep_events_t *self, const socin_model_t *model,
                              const socin_target_t *target, int32_t as_of, uint32_t **units);

#endif
