/*  auth: tokens and scopes. See auth.h. */
#include "auth.h"

#include <czmq.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "token.h"
#include "tokenscope.h"

typedef struct {
    bool good;
    web_scope_t scope;
    int64_t at_ms;
} s_entry_t;

struct web_auth_t {
    zhashx_t *known; /* hex SHA-256 of the token -> s_entry_t */
    int cache_ms;
    uint64_t checked, refused;
};

static void
s_entry_free (void **item)
{
    free (*item);
    *item = NULL;
}

web_auth_t *
web_auth_new (int cache_ms)
{
    web_auth_t *self = socin_calloc (1, sizeof *self);
    self->known = zhashx_new ();
    zhashx_set_destructor (self->known, s_entry_free);
    self->cache_ms = cache_ms;
    return self;
}

void
web_auth_destroy (web_auth_t **self_p)
{
    web_auth_t *self = *self_p;
    if (!self) return;
    zhashx_destroy (&self->known);
    free (self);
    *self_p = NULL;
}

static void
s_key (const char *token, char *key)
{
    unsigned char hash[32];
    socin_token_hash (token, hash, NULL);
    sodium_bin2hex (key, 65, hash, sizeof hash);
}

int
web_auth_lookup (web_auth_t *self, const char *token, web_scope_t *scope)
{
    memset (scope, 0, sizeof *scope);
    if (!socin_token_valid (token)) return 0;
    char key[65];
    s_key (token, key);
    s_entry_t *e = zhashx_lookup (self->known, key);
    if (!e || socin_mono_ms () - e->at_ms >= self->cache_ms) return -1;
    if (!e->good) return 0;
    *scope = e->scope;
    return 1;
}

void
web_auth_store (web_auth_t *self, const socin_model_t *model, const char *token,
                const Socin__V1__TokenInfo *info)
{
    if (!socin_token_valid (token)) return;
    char key[65];
    s_key (token, key);
    s_entry_t *e = socin_calloc (1, sizeof *e);
    e->at_ms = socin_mono_ms ();
    e->good = info != NULL;
    self->checked++;
    /* The registry narrowed the token to its reader's territories; so does this replica (the
       same rule, tokenscope.h), in case the registry answered before the peer changed. */
    char **roots = NULL;
    size_t nroots = 0;
    if (info &&
        socin_tokenscope_narrow (model, socin_model_peer (model, info->peer), info->territories,
                                 info->n_territories, &roots, &nroots, NULL))
        e->good = false;
    if (e->good) {
        e->scope.signed_in = true;
        snprintf (e->scope.peer, sizeof e->scope.peer, "%s", info->peer);
        snprintf (e->scope.id, sizeof e->scope.id, "%s", info->id);
        for (size_t i = 0; i < nroots && e->scope.nroots < WEB_SCOPE_MAX; i++)
            snprintf (e->scope.roots[e->scope.nroots++], sizeof e->scope.roots[0], "%s", roots[i]);
        /* A token for more subtrees than we keep sees only the first ones: narrower, never wider.
         */
    } else
        self->refused++;
    socin_tokenscope_free (&roots, &nroots);
    zhashx_update (self->known, key, e);
}

void
web_auth_tick (web_auth_t *self)
{
    int64_t now = socin_mono_ms ();
    zlistx_t *keys = zhashx_keys (self->known);
    for (const char *k = zlistx_first (keys); k; k = zlistx_next (keys)) {
        s_entry_t *e = zhashx_lookup (self->known, k);
        if (e && now - e->at_ms >= self->cache_ms) zhashx_delete (self->known, k);
    }
    zlistx_destroy (&keys);
}

bool
web_scope_allows (const web_scope_t *scope, const socin_model_t *model, const socin_unit_t *unit)
{
    if (!unit) return false;
    if (!scope->nroots) return true;
    for (int i = 0; i < scope->nroots; i++) {
        const socin_unit_t *root = socin_model_unit (model, scope->roots[i]);
        if (root && socin_unit_under (unit, root->id)) return true;
    }
    return false;
}

const socin_unit_t *
web_scope_root (const web_scope_t *scope, const socin_model_t *model)
{
    for (int i = 0; i < scope->nroots; i++) {
        const socin_unit_t *root = socin_model_unit (model, scope->roots[i]);
        if (root) return root;
    }
    return scope->nroots ? NULL : socin_model_unit (model, "CZ");
}

void
web_auth_stats (web_auth_t *self, socin_str_t *out)
{
    socin_str_printf (out, "# Auth\ntokens_checked:%llu\ntokens_refused:%llu\ntokens_known:%zu\n",
                      (unsigned long long)self->checked, (unsigned long long)self->refused,
                      zhashx_size (self->known));
}
