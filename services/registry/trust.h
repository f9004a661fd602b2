/*  trust: who may talk to the registry, decided by the CURVE key. Any registered peer may
    replicate and query; only ROLE_ADMIN keys may change anything. Keys of local services are
    registered from trust_dir (public certificates with role and name metadata), rescanned at
    start, on SIGHUP and when an unknown key knocks.
*/
#ifndef SOCIN_REGISTRY_TRUST_H
#define SOCIN_REGISTRY_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#include "records.h"

typedef struct reg_trust_t reg_trust_t;

/* Trust kept as peer records in RECORDS, registering certificates from DIR (empty: none). */
reg_trust_t *reg_trust_new (reg_records_t *records, const char *dir);
void reg_trust_destroy (reg_trust_t **self_p);

/* Registers (commits as peers) the certificates in the trust directory that are new or
   differ from the peer of their name; a commit failure is logged. */
void reg_trust_scan (reg_trust_t *self);

/* The ZAP decision for KEY (Z85): true for a registered peer. An unknown key makes it rescan
   when the directory changed, or at most once a second otherwise. */
bool reg_trust_authorize (reg_trust_t *self, const char *key);

/* True when KEY belongs to a peer with the admin role. */
bool reg_trust_is_admin (reg_trust_t *self, const char *key);

/* On first start: the admin key in KEYS_DIR (created when missing), registered as peer
   "admin" and as submitter "local" for CZ. 0, or -1 with ERR. */
int reg_trust_add_admin (reg_trust_t *self, const char *keys_dir, char *err, size_t errlen);

#endif
