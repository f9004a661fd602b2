/*  registry: the registry requests service tests make. See registry.h. */
#include "registry.h"

#include <stdio.h>

#include "socin/v1/registry.pb-c.h"

int
t_put_submitter (socin_client_t *admin, const char *name, const char *key, const char *territory,
                 const char *dataset, bool disabled)
{
    Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
    char *datasets[] = {(char *)dataset};
    sub.datasets = datasets;
    sub.n_datasets = dataset ? 1 : 0;
    sub.disabled = disabled;
    char *territories[] = {(char *)territory};
    sub.name = (char *)name;
    sub.public_key = (char *)key;
    sub.territories = territories;
    sub.n_territories = 1;
    Socin__V1__PutSubmitter put = SOCIN__V1__PUT_SUBMITTER__INIT;
    put.submitter = &sub;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    static int n;
    char id[32], err[512];
    snprintf (id, sizeof id, "put-submitter-%d", ++n);
    req.request_id = id;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_SUBMITTER;
    req.put_submitter = &put;
    Socin__V1__RegistryReply *r = (Socin__V1__RegistryReply *)socin_client_call (
        admin, &req.base, &socin__v1__registry_reply__descriptor, 20000, err, sizeof err);
    if (!r) fprintf (stderr, "    registry call failed: %s\n", err);
    bool ok = r && r->changes && r->changes->added + r->changes->updated == 1;
    if (r) protobuf_c_message_free_unpacked (&r->base, NULL);
    return ok ? 0 : -1;
}
