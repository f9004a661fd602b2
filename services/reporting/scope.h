/*  scope: what the key that asks may read, and every question checked against it.

    An admin key, and a reader registered without territories, read the whole country; a
    reader registered with territories (Peer.territories), and a submitter (its
    Submitter.territories), read only the units at or beneath those, and groups whose every
    member is. A question naming anything else is refused at once with OUTSIDE_SCOPE and the
    unit's code in Error.unit — never answered with silence, never with a partial figure.
    Target progress, a national count, is answered for a limited key over its own units only.
*/
#ifndef SOCIN_REPORTING_SCOPE_H
#define SOCIN_REPORTING_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "socin/v1/report.pb-c.h"

typedef struct {
    const char *who;       /* the key's registered name, for messages */
    bool limited;          /* false: the whole country */
    const uint32_t *roots; /* unit ids (borrowed from the model) */
    size_t nroots;
    char *const *codes; /* their codes as registered (borrowed) */
    size_t ncodes;
} rep_scope_t;

/* The scope of the client KEY (Z85) in MODEL: 0 with *OUT set, or -1 when the key may not
   query reporting at all (it is no admin, reader or enabled submitter). */
int rep_scope_of (const socin_model_t *model, const char *key, rep_scope_t *out);

/* UNIT lies within SELF. */
bool rep_scope_has_unit (const rep_scope_t *self, const socin_unit_t *unit);

/* Every member of GROUP lies within SELF. */
bool rep_scope_has_group (const rep_scope_t *self, const socin_model_t *model,
                          const socin_group_t *group);

/* Checks that what REQ names lies within SELF: 0, or -1 with a malloc'ed Error in *ERR
   (OUTSIDE_SCOPE, naming the unit in its message and its `unit` field, and the request field
   in `field`). Codes the model does not know pass: the query answers NOT_FOUND for them.
   Pivot and export items are checked where they are resolved (rep_scope_check_unit). */
int rep_scope_check (const rep_scope_t *self, const socin_model_t *model,
                     const Socin__V1__ReportRequest *req, Socin__V1__Error **err);

/* The check of one unit or group code named by request field FIELD ("" means the
   country): 0, or -1 with *ERR as above. */
int rep_scope_check_code (const rep_scope_t *self, const socin_model_t *model, const char *code,
                          bool is_group, const char *field, Socin__V1__Error **err);

/* Stamps REPLY with SELF's territories (ReportReply.scope) and, for target progress, keeps
   only the qualifying units within SELF: `current` and `met` count those alone, and the
   lists are dropped unless LIST_UNITS. REPLY was answered with list_units set (see
   rep_scope_request). */
void rep_scope_reply (const rep_scope_t *self, const socin_model_t *model, bool list_units,
                      Socin__V1__ReportReply *reply);

/* The refusal of a key that may not query: a malloc'ed PERMISSION_DENIED Error. */
Socin__V1__Error *rep_scope_denied (void);

#endif
