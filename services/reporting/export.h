/*  export: the stored values, page by page, for the files other systems read.

    A page is read from the store in one read transaction, in unit order, then period,
    indicator, disaggregation: the store's keys go period first (valuekey.h), so the periods
    the store holds and the query wants are found first (one seek each), then for each unit
    the query covers, in code order, each period's range of keys for that unit. A page ends
    after page_values values; its `next` token is the last key written,
    and the next request starts just after it. So the service keeps nothing between pages and
    holds one page at a time, and the client writes each page out before it asks for the next:
    a year of the whole country (3 million values) streams through a few megabytes.

    Each value comes with what its last change carried (comment, stored_by, follow-up mark:
    kept in the value's state, nothing to fetch; a state stored before keeps it in `history`,
    whose key the state names, looked up unless the state says the change had none —
    valuestate.h) and who sent it (the batch, looked up once per batch).

    Values are packed as rows (exportrow.h) into one buffer as they are read, without an
    allocation per value: the page hands the buffer over as ExportPage.rows when the query
    asks for rows, else unpacks it into ExportPage.values for a client that does not. Building
    ExportValue messages and packing them with protobuf-c cost four times as much, and the
    client's unpacking of them as much again (tests/bench/README.md has the figures).
*/
#ifndef SOCIN_REPORTING_EXPORT_H
#define SOCIN_REPORTING_EXPORT_H

#include "query.h"
#include "scope.h"

#define REP_EXPORT_PAGE_DEFAULT 10000
#define REP_EXPORT_PAGE_MAX     100000

/* Answers one page of Q, asked by a key of SCOPE, into REPLY: its export body, or its error
   (NOT_FOUND, INVALID_ARGUMENT, OUTSIDE_SCOPE naming the unit, BAD_CONTINUATION,
   STORAGE_ERROR). */
void rep_export_answer (const rep_query_ctx_t *ctx, const rep_scope_t *scope,
                        const Socin__V1__ExportQuery *q, Socin__V1__ReportReply *reply);

#endif
