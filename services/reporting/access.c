/*  access: who asks, what they may read, and which module answers. See access.h. */
#include "access.h"
#include "review.h"

#include "error.h"
#include "export.h"
#include "log.h"
#include "pivot.h"
#include "scope.h"

/* A reply carrying only ERROR (taken). */
static Socin__V1__ReportReply *
s_refused (const rep_query_ctx_t *ctx, const Socin__V1__ReportRequest *req, Socin__V1__Error *error)
{
    Socin__V1__ReportReply *reply = rep_query_reply_new (ctx, req->request_id);
    reply->error = error;
    return reply;
}

Socin__V1__ReportReply *
rep_access_answer (const rep_query_ctx_t *ctx, const char *key, Socin__V1__ReportRequest *req)
{
    rep_scope_t scope;
    if (rep_scope_of (ctx->model, key, &scope)) {
        socin_info ("query.refused", "key=%s reason=not_registered", socin_log_q (key ? key : ""));
        return s_refused (ctx, req, rep_scope_denied ());
    }
    Socin__V1__Error *error = NULL;
    if (rep_scope_check (&scope, ctx->model, req, &error)) {
        socin_info ("query.refused", "key=%s name=%s unit=%s reason=outside_scope",
                    socin_log_q (key), socin_log_q (scope.who), socin_log_q (error->unit));
        return s_refused (ctx, req, error);
    }
    Socin__V1__ReportReply *reply;
    bool list_units = false;
    switch (req->body_case) {
    case SOCIN__V1__REPORT_REQUEST__BODY_PIVOT:
        reply = rep_query_reply_new (ctx, req->request_id);
        rep_pivot_answer (ctx, &scope, req->pivot, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_EXPORT:
        reply = rep_query_reply_new (ctx, req->request_id);
        rep_export_answer (ctx, &scope, req->export, reply);
        break;
    case SOCIN__V1__REPORT_REQUEST__BODY_TARGETS:
        /* A limited key's count is cut from the list of qualifying units. */
        list_units = req->targets->list_units;
        if (scope.limited) req->targets->list_units = true;
        reply = rep_query_answer (ctx, req);
        break;
    default:
        /* Data review (rules, outliers, follow-up, approval) has its own module. */
        reply =
            rep_review_handles (req) ? rep_review_answer (ctx, req) : rep_query_answer (ctx, req);
        break;
    }
    if (reply->error && reply->error->code == SOCIN_E (OUTSIDE_SCOPE))
        socin_info ("query.refused", "key=%s name=%s unit=%s reason=outside_scope",
                    socin_log_q (key), socin_log_q (scope.who), socin_log_q (reply->error->unit));
    rep_scope_reply (&scope, ctx->model, list_units, reply);
    return reply;
}
