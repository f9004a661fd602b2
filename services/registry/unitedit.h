/*  unitedit: one change to one territorial unit without a whole edition — renamed, closed
    on a day, or moved to other parents from a day (the parents it had stay as an earlier
    set, so periods before the move keep rolling up as they did). The registry's history
    keeps every earlier version of the record.
*/
#ifndef SOCIN_REGISTRY_UNITEDIT_H
#define SOCIN_REGISTRY_UNITEDIT_H

#include <stddef.h>

#include "model.h"

/* The unit record REQ makes of its unit in MODEL, in *OUT (free with
   protobuf_c_message_free_unpacked; it may equal the current one). Returns 0, or an
   ErrorCode with ERR: NOT_FOUND (no such unit), INVALID_ARGUMENT (nothing asked, a bad
   date or name, an unknown or ill-placed parent, a unit closed while units beneath it stay
   open), TERRITORY_OUT_OF_ORDER (a move dated before the unit's last move, a closing before
   its first day). */
int socin_unit_edit_plan (const socin_model_t *model, const Socin__V1__EditUnit *req,
                          socin_record_t **out, char *err, size_t errlen);

#endif
