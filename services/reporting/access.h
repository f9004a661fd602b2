/*  access: the door of reporting's query socket — who asks, what they may read, and which
    module answers.

    Any CURVE key may connect to the query endpoint, so that every question gets an answer:
    a key registered as no admin, reader or submitter is refused with PERMISSION_DENIED, and
    a question outside the key's scope (scope.h) with OUTSIDE_SCOPE naming the unit, at once,
    instead of a handshake the client can only wait out. Questions within scope go to query.c
    (the single-indicator reports), pivot.c and export.c.
*/
#ifndef SOCIN_REPORTING_ACCESS_H
#define SOCIN_REPORTING_ACCESS_H

#include "query.h"

/* The answer to REQ asked by the client key KEY (Z85; NULL when unknown), malloc'ed (free
   with protobuf_c_message_free_unpacked). REQ may be changed on the way. */
Socin__V1__ReportReply *rep_access_answer (const rep_query_ctx_t *ctx, const char *key,
                                           Socin__V1__ReportRequest *req);

#endif
