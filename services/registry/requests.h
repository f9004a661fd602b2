/*  requests: the registry's ROUTER endpoint. Each RegistryRequest is checked (size, form, an
    admin key for changes) and dispatched: snapshots to the Clone server, eight queries answered
    from the model, and six changes (territory, population, catalogue and plans imports,
    submitters, peers) committed before the reply.
*/
#ifndef SOCIN_REGISTRY_REQUESTS_H
#define SOCIN_REGISTRY_REQUESTS_H

#include <czmq.h>

#include "clone.h"
#include "records.h"
#include "str.h"
#include "tokens.h"
#include "trust.h"

typedef struct reg_requests_t reg_requests_t;

/* Serves RECORDS on a ROUTER socket bound at ENDPOINT with CERT (CURVE), refusing requests
   larger than MAX_MESSAGE; snapshots go to CLONE, permissions come from TRUST, socin-web's
   token requests to TOKENS. NULL with ERR when the endpoint cannot be bound. */
reg_requests_t *reg_requests_new (reg_records_t *records, reg_clone_t *clone, reg_trust_t *trust,
                                  reg_tokens_t *tokens, zcert_t *cert, const char *endpoint,
                                  size_t max_message, char *err, size_t errlen);
void reg_requests_destroy (reg_requests_t **self_p);

/* Reads and answers requests from LOOP. */
void reg_requests_attach (reg_requests_t *self, zloop_t *loop);

/* "key:value" lines: requests received, requests refused. */
void reg_requests_stats (reg_requests_t *self, socin_str_t *out);

#endif
