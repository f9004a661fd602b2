/*  tokenscope: a token's territory narrowed to its key's. See tokenscope.h. */
#include "tokenscope.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

/* True when UNIT lies at or beneath one of PEER's territories. */
static bool
s_in_peer (const socin_peer_t *peer, const socin_unit_t *unit)
{
    for (size_t r = 0; r < peer->nroots; r++)
        if (socin_unit_under (unit, peer->roots[r])) return true;
    return false;
}

/* True when UNIT lies at or beneath one of the units CODES. */
static bool
s_in_codes (const socin_model_t *model, char *const *codes, size_t n, const socin_unit_t *unit)
{
    for (size_t i = 0; i < n; i++) {
        const socin_unit_t *root = socin_model_unit (model, codes[i]);
        if (root && socin_unit_under (unit, root->id)) return true;
    }
    return false;
}

static void
s_push_once (char ***out, size_t *n, const char *code)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp ((*out)[i], code)) return;
    socin_strv_push (out, n, code);
}

int
socin_tokenscope_narrow (const socin_model_t *model, const socin_peer_t *peer, char *const *codes,
                         size_t n, char ***out, size_t *n_out, const char **outside)
{
    *out = NULL;
    *n_out = 0;
    if (outside) *outside = NULL;
    bool limited = peer && peer->pb->role == SOCIN_ROLE_READER && peer->limited;
    for (size_t i = 0; i < n; i++) {
        const socin_unit_t *u = socin_model_unit (model, codes[i]);
        if (!u) continue;
        if (limited && !s_in_peer (peer, u)) {
            if (outside && !*outside) *outside = codes[i];
            continue;
        }
        s_push_once (out, n_out, codes[i]);
    }
    if (!limited) return n && !*n_out ? -1 : 0;
    /* The reader's own territories that lie inside the token's (all of them when it names none). */
    for (size_t r = 0; r < peer->nroots; r++) {
        const socin_unit_t *root = socin_model_unit_at (model, peer->roots[r]);
        if (root && (!n || s_in_codes (model, codes, n, root)))
            s_push_once (out, n_out, root->code);
    }
    return *n_out ? 0 : -1;
}

void
socin_tokenscope_free (char ***codes, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free ((*codes)[i]);
    free (*codes);
    *codes = NULL;
    *n = 0;
}
