/*  token: bearer tokens for socin-web. See token.h. */
#include "token.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char s_prefix[] = "socin_";

int
socin_token_new (char *out)
{
    if (sodium_init () < 0) return -1;
    unsigned char raw[32];
    randombytes_buf (raw, sizeof raw);
    memcpy (out, s_prefix, sizeof s_prefix - 1);
    sodium_bin2hex (out + sizeof s_prefix - 1, 65, raw, sizeof raw);
    sodium_memzero (raw, sizeof raw);
    return 0;
}

bool
socin_token_valid (const char *text)
{
    if (!text || strlen (text) != SOCIN_TOKEN_LEN || strncmp (text, s_prefix, sizeof s_prefix - 1))
        return false;
    for (const char *c = text + sizeof s_prefix - 1; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))) return false;
    return true;
}

void
socin_token_hash (const char *token, unsigned char *hash, char *id)
{
    crypto_hash_sha256 (hash, (const unsigned char *) token, strlen (token));
    if (id) sodium_bin2hex (id, SOCIN_TOKEN_ID_LEN + 1, hash, SOCIN_TOKEN_ID_LEN / 2);
}
