/*  review: the answers about reviewing data — validation rule violations (rules.c), outliers
    (outliers.c), the values marked for follow-up and the approval history of a data set's
    period (marks.c) — each with the stamp every answer carries.
*/
#ifndef SOCIN_REPORTING_REVIEW_H
#define SOCIN_REPORTING_REVIEW_H

#include <stdbool.h>

#include "query.h"

/* Whether REQ is one of the kinds answered here. */
bool rep_review_handles (const Socin__V1__ReportRequest *req);

/* A malloc'ed answer to REQ (free with protobuf_c_message_free_unpacked). */
Socin__V1__ReportReply *rep_review_answer (const rep_query_ctx_t *ctx,
                                           const Socin__V1__ReportRequest *req);

#endif
