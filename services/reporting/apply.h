/*  apply: reporting's durable state, and change batches applied to it exactly once.

        value_chunks  value key (valuekey.h: "P" period NUL unit NUL indicator NUL disagg.) ->
                 the current version: value, accepted time, source, sequence, first day
                 received, and the change itself: comment, stored_by, followup (valuestate.h);
                 a chunked map (chunks.h: many values an LMDB entry), read and written through
                 socin_chunks_t only. Stores written before kept one entry per value in
                 "values", moved at start-up.
        history  value key, 0xFF, be64(accepted ms), source, NUL, be64(seq) -> a change that
                 is not the current version: flags (deleted, followup), value, stored_by,
                 comment
        batches  source NUL be64(seq) -> who and when: submitter, key, submission id, time
        events   unit NUL event id -> version and event
        sources  source name -> the last sequence applied from it
        measures  "M" plan NUL measure NUL period (socin_measure_key) -> the latest version of a
                  measure report: ms 8, seq 8, source length 1, source, packed MeasureProgress
                  (a deletion stays as a tombstone with `delete` set); every change also goes
                  to history under the key with 'm' for 'M', 0xFF, accepted time, source, seq

    A value's history is its history entries, in version order, then its current version: a
    change goes to history only once a later version replaces it (or when it arrives already
    replaced), so a value written once costs one B-tree entry. Stores written before keep every
    change in history, the current one too; their versions say so (valuestate.h) and are read
    without it twice.

    A group of batches (from any sources) is applied in one transaction that also stores
    each source's applied sequence, so a crash can neither lose a batch nor apply one twice:
    a batch at or below the applied sequence changes nothing, one beyond the next is refused
    (the source resends). Between sources the later version wins (accepted time, then source
    name, then sequence), so the state does not depend on the order sources delivered in;
    deletions leave a tombstone so an older change arriving later cannot bring a value back.
    The first day received is that of the earliest version after the last deletion, in version
    order (an older change arriving late still moves it), so completeness does not depend on
    that order either.
    Only after the commit are the cube and the event list changed. This module writes; the
    answers read (query.c, through rep_apply_dbs).
*/
#ifndef SOCIN_REPORTING_APPLY_H
#define SOCIN_REPORTING_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "cube.h"
#include "events.h"
#include "marks.h"
#include "model.h"
#include "store.h"
#include "str.h"
#include "socin/v1/forward.pb-c.h"
#include "socin/v1/ingest.pb-c.h"
#include "socin/v1/report.pb-c.h"

typedef struct rep_apply_t rep_apply_t;

/* The database of the values' current versions (a chunked map, chunks.h). */
#define REP_VALUES_DB "value_chunks"

/* What became of a batch. */
typedef enum { REP_APPLIED, REP_DUPLICATE, REP_GAP } rep_outcome_t;

typedef struct {
    const char *source;
    Socin__V1__ChangeBatch *batch;
    rep_outcome_t outcome; /* set by rep_apply_batches */
} rep_batch_t;

/* Where the state lives, for the modules that read it (query.c). */
typedef struct {
    socin_store_t *store;
    MDB_dbi values, history, events, sources, batches, measures;
    rep_marks_dbs_t marks; /* follow-up marks and approvals (marks.h) */
} rep_apply_dbs_t;

/* The longest key rep_apply_batch_key writes. */
#define REP_APPLY_BATCH_KEY_MAX 140

rep_apply_t *rep_apply_new (socin_store_t *store);
void rep_apply_destroy (rep_apply_t **self_p);

/* Rebuilds CUBE and EVENTS (already emptied) from the store against MODEL, and tells the cube
   it is whole (rep_cube_done). Returns the values loaded; *UNRESOLVED counts values whose
   indicator or unit MODEL does not know. With CUBE NULL only the events are loaded. */
uint64_t rep_apply_load (rep_apply_t *self, const socin_model_t *model, rep_cube_t *cube,
                         rep_events_t *events, uint64_t *unresolved);

/* Applies BATCHES (in order) in one durable transaction, then to CUBE (between rep_cube_begin
   and rep_cube_done) and EVENTS. Sets each batch's outcome. On failure nothing changed and ERR
   says why. */
socin_store_rc_t rep_apply_batches (rep_apply_t *self, rep_batch_t *batches, size_t n,
                                    const socin_model_t *model, rep_cube_t *cube,
                                    rep_events_t *events, char *err, size_t errlen);

/* The last sequence applied from SOURCE (0 when none). */
uint64_t rep_apply_applied (rep_apply_t *self, const char *source);

/* Notes that SOURCE was heard from and announced LAST (its last durable sequence). */
void rep_apply_contact (rep_apply_t *self, const char *source, uint64_t last);

/* The store and its databases, for reading. */
const rep_apply_dbs_t *rep_apply_dbs (rep_apply_t *self);

/* The leaf pages of the values' B-tree as of the last commit (the intake's page bound). */
size_t rep_apply_leaf_pages (const rep_apply_t *self);

/* Writes the key of batch SEQ of SOURCE in `batches` (the source cut to 127 bytes) into KEY
   (REP_APPLY_BATCH_KEY_MAX bytes); returns its length. */
size_t rep_apply_batch_key (const char *source, uint64_t seq, char *key);

/* Extends value KEY (KLEN bytes; KEY must have room for 1 + 8 + 127 + 1 + 8 more) to the
   key of its change in `history` by batch SEQ of SOURCE (SLEN bytes, cut to 127) accepted
   at MS; returns the length.
   A value's state (version) names the change that made it, so an export finds its comment,
   stored_by and follow-up mark with one lookup. */
size_t rep_apply_history_key (char *key, size_t klen, int64_t ms, const char *source, size_t slen,
                              uint64_t seq);

/* The history of one value is read on the query side: rep_query_history (query.h). */

/* True the first time SOURCE is heard from since this process started: reporting then asks it
   for everything after its applied sequence (forward.proto Resync), whatever the source saw
   acknowledged before (the store may have been restored from a backup, or lost). */
bool rep_apply_first_contact (rep_apply_t *self, const char *source);

/* The state every answer reflects: each source's applied sequence, lag and last contact. */
void rep_apply_stamp (rep_apply_t *self, Socin__V1__Stamp *stamp);
void rep_apply_stamp_free (Socin__V1__Stamp *stamp);

/* Counters for stats. */
void rep_apply_stats (rep_apply_t *self, socin_str_t *out);

/* A digest of the applied sequences (each source's, in name order): what the cube reflects. */
uint64_t rep_apply_digest (rep_apply_t *self);

/* Says whether values wait for registry data (a cube taken back from its file knows). */
void rep_apply_set_stale (rep_apply_t *self, bool stale);

/* Values whose indicator or unit the model did not know when they arrived (the cube must be
   rebuilt once the registry replica knows them). */
bool rep_apply_stale (rep_apply_t *self);

#endif
