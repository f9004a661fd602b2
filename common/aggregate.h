/*  aggregate: what an aggregation needs to know about a set of values, and the figure each
    aggregation makes of it. Reporting keeps one per cube cell (services/reporting/cube.c);
    the ingest builds one over a unit's stored values when it checks validation rules. Sums
    are 128-bit integers of micros: exact, whatever the order values are added in.
*/
#ifndef SOCIN_AGGREGATE_H
#define SOCIN_AGGREGATE_H

#include <stdint.h>

#include "decimal.h"

/* What a cell (or a unit's own values) knows about the values beneath it for a period. */
typedef struct {
    uint64_t n;       /* values */
    socin_sum_t sum;  /* of values (micros) */
    socin_sum_t wsum; /* of value x population */
    socin_sum_t wden; /* of population, once per value */
    socin_sum_t last; /* of each unit's latest value in the period */
    socin_dec_t min, max;
    uint64_t units;      /* distinct units with a value */
    uint64_t units_true; /* distinct units with a true (non-zero) value */
} socin_agg_t;

/* Adds value V of a unit of population POP to A's count, sum, weighted sum, minimum and
   maximum (the per-unit fields, units, units_true and last, are the caller's). */
void socin_agg_add (socin_agg_t *a, socin_dec_t v, uint64_t pop);

/* Adds B's figures to A (sums, counts, extremes): a node's cell and the node's own values. */
void socin_agg_merge (socin_agg_t *a, const socin_agg_t *b);

/* The figure AGGREGATION (socin_aggregation_t) makes of A: 0 with OUT, 1 when there is no
   figure (no values, or a zero weight), -1 on overflow. */
int socin_agg_value (const socin_agg_t *a, int aggregation, socin_dec_t *out);

#endif
