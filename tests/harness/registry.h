/*  registry: the registry requests service tests make as its administrator, over a client
    connected with the admin key (common/client.h).
*/
#ifndef SOCIN_TEST_REGISTRY_H
#define SOCIN_TEST_REGISTRY_H

#include <stdbool.h>

#include "client.h"

/* Adds or replaces submitter NAME with public KEY (Z85) for the one unit TERRITORY (DATASET:
   the only data set it may report, NULL for all; DISABLED: its connections are refused),
   through ADMIN. 0, or -1 with the reason on stderr. */
int t_put_submitter (socin_client_t *admin, const char *name, const char *key,
                     const char *territory, const char *dataset, bool disabled);

#endif
