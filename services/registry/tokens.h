/*  tokens: the bearer tokens the registry issues to reader peers for socin-web.

    Tokens live in the registry's own store (database "tokens", keyed by the token's SHA-256),
    outside the replicated records: replicas never hold them, and socin-web asks the registry
    (CheckToken). Only the hash is stored; the token is shown once, in the answer to
    IssueToken. See registry.proto, "web tokens".
*/
#ifndef SOCIN_REGISTRY_TOKENS_H
#define SOCIN_REGISTRY_TOKENS_H

#include "model.h"
#include "store.h"
#include "socin/v1/registry.pb-c.h"

typedef struct reg_tokens_t reg_tokens_t;

/* Opens the "tokens" database of STORE (call at start-up, before other transactions). */
reg_tokens_t *reg_tokens_new (socin_store_t *store);
void reg_tokens_destroy (reg_tokens_t **self_p);

/* Answers REQ (check_token, issue_token or revoke_token) against MODEL's peers and units.
   Returns the TokenInfo to send (owned by SELF, valid until the next call), or NULL with
   *CODE (an ErrorCode) and ERR set. */
const Socin__V1__TokenInfo *reg_tokens_answer (reg_tokens_t *self, const socin_model_t *model,
                                               const Socin__V1__RegistryRequest *req, int *code,
                                               char *err, size_t errlen);

/* Tokens stored (revoked and expired ones included). */
size_t reg_tokens_count (reg_tokens_t *self);

#endif
