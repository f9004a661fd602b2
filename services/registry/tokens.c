/*  tokens: bearer tokens for socin-web. See tokens.h. */
#include "tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "token.h"
#include "tokenscope.h"

#define E(name) SOCIN__V1__ERROR_CODE__ERROR_CODE_##name
#define DAY_MS  (86400LL * 1000)

struct reg_tokens_t {
    socin_store_t *store;
    MDB_dbi dbi;
    Socin__V1__TokenInfo *answer; /* the last answer, freed on the next call */
    char token[SOCIN_TOKEN_LEN + 1];
};

reg_tokens_t *
reg_tokens_new (socin_store_t *store)
{
    reg_tokens_t *self = calloc (1, sizeof *self);
    if (!self) socin_fatal ("memory.exhausted", NULL);
    self->store = store;
    self->dbi = socin_store_dbi (store, "tokens", 0);
    return self;
}

static void
s_forget_answer (reg_tokens_t *self)
{
    if (self->answer) {
        self->answer->token = NULL; /* points into self->token */
        protobuf_c_message_free_unpacked (&self->answer->base, NULL);
        self->answer = NULL;
    }
    memset (self->token, 0, sizeof self->token);
}

void
reg_tokens_destroy (reg_tokens_t **self_p)
{
    reg_tokens_t *self = *self_p;
    if (!self) return;
    s_forget_answer (self);
    free (self);
    *self_p = NULL;
}

/* ---- storage ---- */

typedef struct {
    reg_tokens_t *self;
    unsigned char hash[32];
    const Socin__V1__TokenInfo *info;
} s_put_t;

static int
s_put_txn (MDB_txn *txn, void *arg)
{
    s_put_t *p = arg;
    MDB_val k = {sizeof p->hash, p->hash}, v;
    v.mv_size = socin__v1__token_info__get_packed_size (p->info);
    int rc = mdb_put (txn, p->self->dbi, &k, &v, MDB_RESERVE);
    if (!rc) socin__v1__token_info__pack (p->info, v.mv_data);
    return rc;
}

static int
s_put (reg_tokens_t *self, const unsigned char *hash, const Socin__V1__TokenInfo *info, int *code,
       char *err, size_t errlen)
{
    s_put_t p = {self, {0}, info};
    memcpy (p.hash, hash, sizeof p.hash);
    if (socin_store_write (self->store, s_put_txn, &p, err, errlen) == SOCIN_STORE_OK) return 0;
    *code = E (STORAGE_FULL);
    return -1;
}

/* The stored info of the token with HASH (NULL when none). */
static Socin__V1__TokenInfo *
s_get (reg_tokens_t *self, const unsigned char *hash)
{
    MDB_txn *txn;
    if (socin_store_read_begin (self->store, &txn)) return NULL;
    MDB_val k = {32, (void *)hash}, v;
    Socin__V1__TokenInfo *info = NULL;
    if (mdb_get (txn, self->dbi, &k, &v) == 0)
        info = socin__v1__token_info__unpack (NULL, v.mv_size, v.mv_data);
    socin_store_read_end (&txn);
    return info;
}

/* The stored info and hash of the token whose id is ID (NULL when none). */
static Socin__V1__TokenInfo *
s_find_id (reg_tokens_t *self, const char *id, unsigned char *hash)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    if (socin_store_read_begin (self->store, &txn)) return NULL;
    Socin__V1__TokenInfo *found = NULL;
    if (mdb_cursor_open (txn, self->dbi, &cur) == 0) {
        MDB_val k, v;
        for (int op = MDB_FIRST; !found && mdb_cursor_get (cur, &k, &v, op) == 0; op = MDB_NEXT) {
            Socin__V1__TokenInfo *info = socin__v1__token_info__unpack (NULL, v.mv_size, v.mv_data);
            if (info && !strcmp (info->id, id) && k.mv_size == 32) {
                memcpy (hash, k.mv_data, 32);
                found = info;
            } else if (info)
                protobuf_c_message_free_unpacked (&info->base, NULL);
        }
        mdb_cursor_close (cur);
    }
    socin_store_read_end (&txn);
    return found;
}

/* ---- requests ---- */

static const socin_peer_t *
s_reader_peer (const socin_model_t *model, const char *name)
{
    const socin_peer_t *peer = socin_model_peer (model, name);
    if (!peer || peer->pb->disabled) return NULL;
    if (peer->pb->role != SOCIN_ROLE_READER && peer->pb->role != SOCIN_ROLE_ADMIN) return NULL;
    return peer;
}

static Socin__V1__TokenInfo *s_issue_stored (reg_tokens_t *self, const socin_peer_t *peer,
                                             const Socin__V1__IssueToken *req, char **scope,
                                             size_t n, int *code, char *err, size_t errlen);

static Socin__V1__TokenInfo *
s_issue (reg_tokens_t *self, const socin_model_t *model, const Socin__V1__IssueToken *req,
         int *code, char *err, size_t errlen)
{
    *code = E (INVALID_ARGUMENT);
    const socin_peer_t *peer = s_reader_peer (model, req->peer);
    if (!peer) {
        snprintf (err, errlen, "peer '%s' is not a registered, enabled reader or admin key",
                  req->peer);
        return NULL;
    }
    for (size_t i = 0; i < req->n_territories; i++)
        if (!socin_model_unit (model, req->territories[i])) {
            *code = E (UNKNOWN_UNIT);
            snprintf (err, errlen, "unit '%s' is not in the registry", req->territories[i]);
            return NULL;
        }
    /* A limited reader's token never sees more than the reader: asking for more is refused,
       asking for nothing gives the reader's own territories. */
    char **scope = NULL;
    size_t nscope = 0;
    const char *outside = NULL;
    socin_tokenscope_narrow (model, peer, req->territories, req->n_territories, &scope, &nscope,
                             &outside);
    if (outside) {
        socin_tokenscope_free (&scope, &nscope);
        *code = E (OUTSIDE_SCOPE);
        snprintf (err, errlen,
                  "unit %s is outside the territories of reader '%s': a token never sees more than "
                  "its key",
                  outside, req->peer);
        return NULL;
    }
    Socin__V1__TokenInfo *out = s_issue_stored (self, peer, req, scope, nscope, code, err, errlen);
    socin_tokenscope_free (&scope, &nscope);
    return out;
}

/* Makes and stores the token of REQ for PEER seeing SCOPE (N codes); its info, or NULL. */
static Socin__V1__TokenInfo *
s_issue_stored (reg_tokens_t *self, const socin_peer_t *peer, const Socin__V1__IssueToken *req,
                char **scope, size_t n, int *code, char *err, size_t errlen)
{
    if (strlen (req->label) > 200) {
        snprintf (err, errlen, "the label has %zu bytes; at most 200", strlen (req->label));
        return NULL;
    }
    if (socin_token_new (self->token)) {
        *code = E (UNAVAILABLE);
        snprintf (err, errlen, "no randomness to make a token");
        return NULL;
    }
    unsigned char hash[32];
    char id[SOCIN_TOKEN_ID_LEN + 1];
    socin_token_hash (self->token, hash, id);
    Socin__V1__TokenInfo info = SOCIN__V1__TOKEN_INFO__INIT;
    info.id = id;
    info.peer = req->peer;
    info.role = peer->pb->role;
    info.territories = scope;
    info.n_territories = n;
    info.label = req->label;
    info.issued_ms = socin_now_ms ();
    info.expires_ms = info.issued_ms + (req->valid_days ? req->valid_days : 90) * DAY_MS;
    if (s_put (self, hash, &info, code, err, errlen)) return NULL;
    socin_info ("token.issued", "id=%s peer=%s expires_ms=%lld", id, socin_log_q (req->peer),
                (long long)info.expires_ms);
    /* A copy the caller can send (and we free later), with the token itself. */
    size_t len = socin__v1__token_info__get_packed_size (&info);
    uint8_t *buf = malloc (len ? len : 1);
    if (!buf) socin_fatal ("memory.exhausted", NULL);
    socin__v1__token_info__pack (&info, buf);
    Socin__V1__TokenInfo *out = socin__v1__token_info__unpack (NULL, len, buf);
    free (buf);
    if (!out) socin_fatal ("memory.exhausted", NULL);
    out->token = self->token; /* unpacked empty: protobuf-c's shared "", nothing to free */
    return out;
}

static Socin__V1__TokenInfo *
s_check (reg_tokens_t *self, const socin_model_t *model, const char *token, int *code, char *err,
         size_t errlen)
{
    *code = E (NOT_FOUND);
    snprintf (err, errlen, "the token is unknown, revoked or expired");
    if (!socin_token_valid (token)) return NULL;
    unsigned char hash[32];
    socin_token_hash (token, hash, NULL);
    Socin__V1__TokenInfo *info = s_get (self, hash);
    if (!info) return NULL;
    const socin_peer_t *peer = s_reader_peer (model, info->peer);
    if (info->revoked || info->expires_ms < socin_now_ms () || !peer) {
        protobuf_c_message_free_unpacked (&info->base, NULL);
        return NULL;
    }
    info->role = peer->pb->role; /* as the peer is now */
    /* Narrowed to the peer's territories as they are now (they may have shrunk since). */
    char **scope = NULL;
    size_t nscope = 0;
    if (socin_tokenscope_narrow (model, peer, info->territories, info->n_territories, &scope,
                                 &nscope, NULL)) {
        snprintf (err, errlen, "the token's territory is no longer within its reader's");
        protobuf_c_message_free_unpacked (&info->base, NULL);
        return NULL;
    }
    socin_tokenscope_free (&info->territories, &info->n_territories);
    info->territories = scope;
    info->n_territories = nscope;
    return info;
}

static Socin__V1__TokenInfo *
s_revoke (reg_tokens_t *self, const char *id, int *code, char *err, size_t errlen)
{
    unsigned char hash[32];
    Socin__V1__TokenInfo *info =
        strlen (id) == SOCIN_TOKEN_ID_LEN ? s_find_id (self, id, hash) : NULL;
    if (!info) {
        *code = E (NOT_FOUND);
        snprintf (err, errlen, "no token has the id '%.40s'", id);
        return NULL;
    }
    info->revoked = true;
    if (s_put (self, hash, info, code, err, errlen)) {
        protobuf_c_message_free_unpacked (&info->base, NULL);
        return NULL;
    }
    socin_info ("token.revoked", "id=%s peer=%s", info->id, socin_log_q (info->peer));
    return info;
}

const Socin__V1__TokenInfo *
reg_tokens_answer (reg_tokens_t *self, const socin_model_t *model,
                   const Socin__V1__RegistryRequest *req, int *code, char *err, size_t errlen)
{
    s_forget_answer (self);
    switch (req->body_case) {
    case SOCIN__V1__REGISTRY_REQUEST__BODY_CHECK_TOKEN:
        self->answer = s_check (self, model, req->check_token->token, code, err, errlen);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_ISSUE_TOKEN:
        self->answer = s_issue (self, model, req->issue_token, code, err, errlen);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_REVOKE_TOKEN:
        self->answer = s_revoke (self, req->revoke_token->id, code, err, errlen);
        break;
    default:
        *code = E (UNSUPPORTED);
        snprintf (err, errlen, "not a token request");
    }
    return self->answer;
}

size_t
reg_tokens_count (reg_tokens_t *self)
{
    MDB_txn *txn;
    MDB_stat st = {0};
    if (socin_store_read_begin (self->store, &txn)) return 0;
    mdb_stat (txn, self->dbi, &st);
    socin_store_read_end (&txn);
    return st.ms_entries;
}
