/*  test_token: socin-web's bearer tokens as common/token.c makes, checks and hashes them.

    What matters: every token is new and has the one accepted form; anything else (another
    prefix, upper-case or non-hex digits, one character more or less) is refused before any
    lookup; the hash is SHA-256 and the id its first 16 hex digits, so the registry and
    socin-web name the same token the same way without keeping it.
*/
#include "token.h"
#include "testing.h"

#include <string.h>

static void
a_new_token_has_the_accepted_form (void)
{
    char a[SOCIN_TOKEN_LEN + 1], b[SOCIN_TOKEN_LEN + 1];
    CHECK_INT (socin_token_new (a), 0);
    CHECK_INT (socin_token_new (b), 0);
    CHECK_INT (strlen (a), SOCIN_TOKEN_LEN);
    CHECK (!strncmp (a, "socin_", 6));
    CHECK (socin_token_valid (a));
    CHECK (strcmp (a, b) != 0);
}

static void
a_malformed_token_is_refused (void)
{
    char t[SOCIN_TOKEN_LEN + 2];
    socin_token_new (t);
    CHECK (!socin_token_valid (NULL));
    CHECK (!socin_token_valid (""));
    t[10] = 'G';
    CHECK (!socin_token_valid (t));
    t[10] = 'A';
    CHECK (!socin_token_valid (t));
    t[10] = '0';
    t[0] = 'S';
    CHECK (!socin_token_valid (t));
    t[0] = 's';
    CHECK (socin_token_valid (t));
    strcat (t, "0");
    CHECK (!socin_token_valid (t));
    t[SOCIN_TOKEN_LEN - 1] = 0;
    CHECK (!socin_token_valid (t));
}

static void
the_hash_is_sha256_and_the_id_its_start (void)
{
    unsigned char hash[32];
    char id[SOCIN_TOKEN_ID_LEN + 1];
    /* SHA-256 ("abc") = ba7816bf 8f01cfea ... */
    socin_token_hash ("abc", hash, id);
    CHECK_INT (hash[0], 0xba);
    CHECK_INT (hash[31], 0xad);
    CHECK (!strcmp (id, "ba7816bf8f01cfea"));
}

int
main (void)
{
    RUN (a_new_token_has_the_accepted_form, "a new token is random and has the one accepted form");
    RUN (a_malformed_token_is_refused,
         "another prefix, upper-case or non-hex digits, or one character more or less is refused");
    RUN (the_hash_is_sha256_and_the_id_its_start, "the hash is SHA-256 and the id its first 16 hex digits");
    return TEST_SUMMARY ();
}
