/*  auth: who reads socin-web, and which territory they may see.

    A reader presents a bearer token (issued by the registry to a reader key: socin token
    issue) in the cookie socin_token, set by /login, or in "Authorization: Bearer". socin-web
    asks the registry about a token it has not seen within cache_ms (CheckToken) and keeps
    the answer, good or bad, for that long: a revoked token stops working within cache_ms.
    Tokens are kept only as their SHA-256. A scope is the token's territory subtrees; every
    page and API answer is limited to it, as the wire API limits a scoped key.
*/
#ifndef SOCIN_WEB_AUTH_H
#define SOCIN_WEB_AUTH_H

#include <stdbool.h>

#include "model.h"
#include "str.h"
#include "socin/v1/registry.pb-c.h"

#define WEB_SCOPE_MAX 8

typedef struct {
    bool signed_in;
    char peer[72];
    char id[20];                   /* the token's id (never the token) */
    char roots[WEB_SCOPE_MAX][24]; /* unit codes; none: the whole country */
    int nroots;
} web_scope_t;

typedef struct web_auth_t web_auth_t;

web_auth_t *web_auth_new (int cache_ms);
void web_auth_destroy (web_auth_t **self_p);

/* What is known of TOKEN: 1 a good token (SCOPE filled), 0 a bad one (malformed, or the
   registry said no within cache_ms), -1 unknown: ask the registry, then web_auth_store. */
int web_auth_lookup (web_auth_t *self, const char *token, web_scope_t *scope);

/* Remembers the registry's answer about TOKEN (INFO NULL: not a good token), its territories
   narrowed to those of its reader in MODEL (tokenscope.h): a token whose reader may see none
   of them is not a good token. */
void web_auth_store (web_auth_t *self, const socin_model_t *model, const char *token,
                     const Socin__V1__TokenInfo *info);

/* Drops answers older than cache_ms; from the cron. */
void web_auth_tick (web_auth_t *self);

/* True when SCOPE may see UNIT (the unit lies in one of its subtrees). */
bool web_scope_allows (const web_scope_t *scope, const socin_model_t *model,
                       const socin_unit_t *unit);

/* The unit a scope's pages start from: its first subtree, or the country. */
const socin_unit_t *web_scope_root (const web_scope_t *scope, const socin_model_t *model);

/* "key:value" lines. */
void web_auth_stats (web_auth_t *self, socin_str_t *out);

#endif
