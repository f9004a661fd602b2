/*  outliers: values far from their unit's own history.

    For each unit asked about, its figure for the period (as roll-ups compute it) is set
    against its figures in the `history` periods of the same type before it (those with a
    value; at least two). zscore: an outlier when |x - mean| > k x the population standard
    deviation, decided exactly: with n values, S their sum and Q the sum of their squares,
    (n x - S)^2 > k^2 (n Q - S^2), in 256-bit integers of micros (a history without spread
    makes any other value an outlier). minmax: below the history's minimum or above its
    maximum. The z-score shown beside an outlier is computed in floating point for display
    only; nothing is decided or stored with it.
*/
#ifndef SOCIN_REPORTING_OUTLIERS_H
#define SOCIN_REPORTING_OUTLIERS_H

#include "query.h"

/* Answers Q into REPLY (body outliers, or an error). */
void rep_outliers_find (const rep_query_ctx_t *ctx, const Socin__V1__OutliersQuery *q,
                        Socin__V1__ReportReply *reply);

#endif
