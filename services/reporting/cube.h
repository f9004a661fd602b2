/*  cube: every value in memory, with aggregates kept up to date as values change.

    Values live in slabs, one per (indicator, disaggregation, year): the value of each unit in
    each period of the indicator's type (a month of a monthly indicator...), which periods are
    present, and the day each was first received. Beside the values, each slab keeps one
    aggregate cell per (node, period) for every node — a unit above others (country, kraj,
    okres, ORP, a municipality with districts) or a group — and every period of the year at
    the indicator's type or coarser (months, quarters, half-years, the year; weeks too for a
    weekly indicator). A cell holds everything any aggregation needs: count, sum,
    population-weighted sum and weight, minimum and maximum, the sum of each unit's latest
    value (LAST), and how many units reported and reported true. A changed value changes the
    cells of its unit's ancestors on both paths and its groups, for each period that holds
    it, by a delta: a roll-up is then one cell read. Only a minimum or maximum that was
    removed marks its cell for a recount from the values beneath it on the next query.

    The total of an indicator with dimensions (disaggregation "") is its own slab of cells,
    fed by every disaggregation. All sums are 128-bit integers of micros: exact, and the same
    whatever the order values arrived in. The cube is derived state: the LMDB store holds
    every value, and the cube is rebuilt from it when the territory changes, and at start-up
    unless its file (rep_cube_attach) still holds it: the slabs live in a shared file mapping
    (cubefile.h), page cache rather than the daemon's own memory, which a kill -9 leaves as
    it was.
*/
#ifndef SOCIN_REPORTING_CUBE_H
#define SOCIN_REPORTING_CUBE_H

#include <stdbool.h>
#include <stdint.h>

#include "aggregate.h"
#include "decimal.h"
#include "model.h"
#include "period.h"

typedef struct rep_cube_t rep_cube_t;

/* A cube for MODEL's units, groups and indicators. */
rep_cube_t *rep_cube_new (const socin_model_t *model);
void rep_cube_destroy (rep_cube_t **self_p);

/* Keeps the cube in the file at PATH (cubefile.h) from now on. True when the file held the
   whole cube for this model reflecting the applied sequences DIGEST (rep_apply_digest): the
   cube is then as it was (*STALE: with values waiting for registry data). False when it did
   not: the cube is empty, to be fed with rep_cube_set, then rep_cube_done. */
bool rep_cube_attach (rep_cube_t *self, const char *path, uint64_t digest, bool *stale);

/* Around each set of changes: the file is not trusted from rep_cube_begin until rep_cube_done
   says which applied sequences (DIGEST) the cube now reflects and whether values wait for
   registry data (STALE). No-ops without a file. */
void rep_cube_begin (rep_cube_t *self);
void rep_cube_done (rep_cube_t *self, uint64_t digest, bool stale);

/* Writes the cube's file to disk (a clean stop): it is trusted after a reboot too. */
void rep_cube_sync (rep_cube_t *self);

/* Drops every value and cell and takes MODEL (after registry changes to territory, groups or
   the catalogue): feed the values again with rep_cube_set. */
void rep_cube_reset (rep_cube_t *self, const socin_model_t *model);

/* The value of IND for UNIT, PERIOD (of IND's type) and canonical DISAGGREGATION is now
   VALUE (PRESENT) or gone (!PRESENT); FIRST_DAY is the day it was first received. Returns 0,
   or -1 when the period is not of the indicator's type. */
int rep_cube_set (rep_cube_t *self, const socin_indicator_t *ind, const socin_unit_t *unit,
                  socin_period_t period, const char *disaggregation, bool present,
                  socin_dec_t value, int32_t first_day);

/* One value's change, as rep_cube_set takes it. */
typedef struct {
    const socin_indicator_t *ind;
    const socin_unit_t *unit;
    socin_period_t period;
    const char *disaggregation;
    bool present;
    socin_dec_t value;
    int32_t first_day;
} rep_cube_change_t;

/* The N CHANGES as rep_cube_set makes each, with the same result; returns how many it
   refused. Changes of one value are made in the order given, the others slab by slab
   (indicator by indicator, year by year); new values (nothing there before) of a slab are
   summed per class of units with the same ancestors and added to those ancestors' cells once
   per class, instead of once per value. */
size_t rep_cube_set_many (rep_cube_t *self, const rep_cube_change_t *changes, size_t n);

/* The aggregate of IND over the units beneath node UNIT (or GROUP when unit is NULL) for
   PERIOD (the indicator's type or coarser) and DISAGGREGATION ("" for the total), along the
   territory of PERIOD's year. City districts stand in for their municipality only where it
   has no value of its own in PERIOD (then counted as one unit): for a municipality this is
   its districts' aggregate or nothing, and a node above adds it to its own cell. 0 with OUT
   set (OUT->n == 0 when nothing was reported), or -1 when the period is finer than the
   indicator's type. */
int rep_cube_node (rep_cube_t *self, const socin_indicator_t *ind, const socin_unit_t *unit,
                   const socin_group_t *group, socin_period_t period, const char *disaggregation,
                   socin_agg_t *out);

/* The same over UNIT's own values only. */
int rep_cube_unit (rep_cube_t *self, const socin_indicator_t *ind, const socin_unit_t *unit,
                   socin_period_t period, const char *disaggregation, socin_agg_t *out);

/* The first day any value of IND (any disaggregation) was received for UNIT and PERIOD
   (the indicator's type), or INT32_MAX when none is present. */
int32_t rep_cube_received (rep_cube_t *self, const socin_indicator_t *ind, const socin_unit_t *unit,
                           socin_period_t period);

/* For every unit id from 1 to NUNITS: how many of the N indicators INDS it has a value of in
   PERIOD (any disaggregation) into GOT[id], and into LATE[id] whether one of those it has was
   first received after day BY (an indicator's first day being its earliest disaggregation's:
   rep_cube_received). An indicator of another period type counts for no unit. GOT and LATE
   hold NUNITS + 1 entries; entry 0 is unused. One pass over each slab's arrays in unit order,
   for completeness over a whole territory. */
void rep_cube_received_units (rep_cube_t *self, const socin_indicator_t *const *inds, size_t n,
                              socin_period_t period, int32_t by, size_t nunits, uint32_t *got,
                              uint8_t *late);

/* The disaggregations IND has values for (canonical strings; "" included when used), in
   code order, for listing "*" queries. Returns the count; *OUT points into the cube. */
size_t rep_cube_disaggregations (rep_cube_t *self, const socin_indicator_t *ind, const char ***out);

/* Slabs, cells and bytes held (for stats). */
void rep_cube_stats (rep_cube_t *self, uint64_t *slabs, uint64_t *values, uint64_t *bytes);

#endif
