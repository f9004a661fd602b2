/*  tokenscope: the territory a web token may see, never wider than its reader key's.

    A token is issued to a peer for territory subtrees (none: the whole country). A reader
    peer registered with territories (Peer.territories) reads only those, so each of its
    tokens is narrowed to them: the registry refuses to issue one asking for more, narrows
    every answer to CheckToken to the peer's territories as they are now, and socin-web
    narrows again with its own replica.
*/
#ifndef SOCIN_TOKENSCOPE_H
#define SOCIN_TOKENSCOPE_H

#include <stddef.h>

#include "model.h"

/* The territories a token of PEER asking for CODES (N unit codes; none: the whole country)
   may see, into *OUT (an array of N_OUT copies, freed as protobuf-c frees a repeated string;
   *OUT NULL and 0 mean the whole country): for an admin or a reader without territories,
   CODES; for a limited reader, each of CODES at or beneath one of the reader's territories,
   and each of the reader's territories at or beneath one of CODES (none given: the reader's
   own). A subtree that only overlaps (an ORP across okresy) is left out: narrower, never
   wider. *OUTSIDE (may be NULL) gets the first of CODES not wholly inside the reader's
   territories, or NULL. Returns 0, or -1 when nothing is left to see (*OUT is then empty). */
int socin_tokenscope_narrow (const socin_model_t *model, const socin_peer_t *peer,
                             char *const *codes, size_t n, char ***out, size_t *n_out,
                             const char **outside);

/* Frees what socin_tokenscope_narrow gave. */
void socin_tokenscope_free (char ***codes, size_t *n);

#endif
