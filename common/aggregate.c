/*  aggregate: the figures of the aggregations. See aggregate.h. */
#include "aggregate.h"

#include "model.h"

void
socin_agg_add (socin_agg_t *a, socin_dec_t v, uint64_t pop)
{
    if (a->n == 0 || v < a->min) a->min = v;
    if (a->n == 0 || v > a->max) a->max = v;
    a->n++;
    a->sum += v;
    a->wsum += (socin_sum_t)v * (socin_sum_t)pop;
    a->wden += (socin_sum_t)pop;
}

void
socin_agg_merge (socin_agg_t *a, const socin_agg_t *b)
{
    if (!b->n && !b->units) return;
    if (b->n) {
        if (!a->n || b->min < a->min) a->min = b->min;
        if (!a->n || b->max > a->max) a->max = b->max;
    }
    a->n += b->n;
    a->sum += b->sum;
    a->wsum += b->wsum;
    a->wden += b->wden;
    a->last += b->last;
    a->units += b->units;
    a->units_true += b->units_true;
}

int
socin_agg_value (const socin_agg_t *a, int aggregation, socin_dec_t *out)
{
    switch (aggregation) {
    case SOCIN_AGG_COUNT:
        *out = (socin_dec_t)a->units * SOCIN_DEC_SCALE;
        return a->units ? 0 : 1;
    case SOCIN_AGG_COUNT_TRUE:
        *out = (socin_dec_t)a->units_true * SOCIN_DEC_SCALE;
        return a->n ? 0 : 1;
    default:
        break;
    }
    if (a->n == 0) return 1;
    switch (aggregation) {
    case SOCIN_AGG_SUM:
        return socin_sum_to_dec (a->sum, out);
    case SOCIN_AGG_AVERAGE:
        return socin_sum_div (a->sum, (socin_sum_t)a->n, out);
    case SOCIN_AGG_WAVERAGE:
        return a->wden ? socin_sum_div (a->wsum, a->wden, out) : 1;
    case SOCIN_AGG_MIN:
        *out = a->min;
        return 0;
    case SOCIN_AGG_MAX:
        *out = a->max;
        return 0;
    case SOCIN_AGG_LAST:
        return socin_sum_to_dec (a->last, out);
    default:
        return socin_sum_to_dec (a->sum, out);
    }
}
