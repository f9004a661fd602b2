/*  review: data-review answers. See review.h. */
#include "review.h"

#include <stdlib.h>

#include "error.h"
#include "marks.h"
#include "mem.h"
#include "outliers.h"
#include "rules.h"

bool
rep_review_handles (const Socin__V1__ReportRequest *req)
{
    switch (req->body_case) {
    case SOCIN__V1__REPORT_REQUEST__BODY_VIOLATIONS:
    case SOCIN__V1__REPORT_REQUEST__BODY_OUTLIERS:
    case SOCIN__V1__REPORT_REQUEST__BODY_FOLLOWUPS:
    case SOCIN__V1__REPORT_REQUEST__BODY_APPROVAL:
        return true;
    default:
        return false;
    }
}

static void
s_followups (const rep_query_ctx_t *ctx, const Socin__V1__FollowupQuery *q,
             Socin__V1__ReportReply *reply)
{
    const socin_unit_t *root = socin_model_unit (ctx->model, *q->under ? q->under : "CZ");
    if (!root) {
        rep_query_fail (reply, SOCIN_E (NOT_FOUND), "unit '%s' is not in the registry", q->under);
        return;
    }
    Socin__V1__Followups *out = socin_calloc (1, sizeof *out);
    socin__v1__followups__init (out);
    if (rep_marks_followups (&rep_apply_dbs (ctx->apply)->marks, ctx->model, root, q->period,
                             q->indicator, out)) {
        protobuf_c_message_free_unpacked (&out->base, NULL);
        rep_query_fail (reply, SOCIN_E (STORAGE_ERROR), "the store cannot be read");
        return;
    }
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_FOLLOWUPS;
    reply->followups = out;
}

static void
s_approval (const rep_query_ctx_t *ctx, const Socin__V1__ApprovalQuery *q,
            Socin__V1__ReportReply *reply)
{
    if (!socin_model_dataset (ctx->model, q->dataset) || !socin_model_unit (ctx->model, q->unit)) {
        rep_query_fail (reply, SOCIN_E (NOT_FOUND), "data set '%s' or unit '%s' is not known",
                        q->dataset, q->unit);
        return;
    }
    Socin__V1__ApprovalHistory *out = socin_calloc (1, sizeof *out);
    socin__v1__approval_history__init (out);
    out->dataset = socin_strdup (q->dataset);
    out->period = socin_strdup (q->period);
    out->unit = socin_strdup (q->unit);
    if (rep_marks_approval_history (&rep_apply_dbs (ctx->apply)->marks, q->dataset, q->period,
                                    q->unit, out)) {
        protobuf_c_message_free_unpacked (&out->base, NULL);
        rep_query_fail (reply, SOCIN_E (STORAGE_ERROR), "the store cannot be read");
        return;
    }
    reply->body_case = SOCIN__V1__REPORT_REPLY__BODY_APPROVAL;
    reply->approval = out;
}

Socin__V1__ReportReply *
rep_review_answer (const rep_query_ctx_t *ctx, const Socin__V1__ReportRequest *req)
{
    Socin__V1__ReportReply *reply = rep_query_reply_new (ctx, req->request_id);
    switch (req->body_case) {
    case SOCIN__V1__REPORT_REQUEST__BODY_VIOLATIONS:
        rep_rules_violations (ctx, req->violations, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_OUTLIERS:
        rep_outliers_find (ctx, req->outliers, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_FOLLOWUPS:
        s_followups (ctx, req->followups, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_APPROVAL:
        s_approval (ctx, req->approval, reply);
        break;
    default:
        rep_query_fail (reply, SOCIN_E (UNSUPPORTED), "the request has no body this service knows");
        break;
    }
    return reply;
}
