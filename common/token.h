/*  token: bearer tokens for socin-web, as the registry issues them and socin-web checks them.

    A token is "socin_" followed by 64 hex digits (32 random bytes). Nobody stores a token:
    the registry keeps its SHA-256 and names it by an id, the first 16 hex digits of that
    hash, which may appear in logs and revocations.
*/
#ifndef SOCIN_TOKEN_H
#define SOCIN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define SOCIN_TOKEN_LEN    70 /* "socin_" + 64 hex digits */
#define SOCIN_TOKEN_ID_LEN 16

/* A new random token in OUT (SOCIN_TOKEN_LEN + 1 bytes). 0, or -1 when the system has no
   randomness to give. */
int socin_token_new (char *out);

/* True when TEXT has the form of a token (it says nothing about whether one was issued). */
bool socin_token_valid (const char *text);

/* The SHA-256 of TOKEN into HASH (32 bytes), and its id into ID (SOCIN_TOKEN_ID_LEN + 1
   bytes; may be NULL). */
void socin_token_hash (const char *token, unsigned char *hash, char *id);

#endif
