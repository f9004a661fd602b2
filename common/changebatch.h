/*  changebatch: a ChangeBatch (forward.proto) packed with its values written by hand. The
    ingest packs one per 10,000 values into its outbox; protobuf-c's packing walks every field
    of every ValueChange through its descriptor twice (size, then bytes), which cost the
    ingest more than a tenth of its work per value. Here each value is measured once, into a
    buffer that grows (the caller keeps it from one batch to the next). The bytes are the ones
    protobuf-c packs.
*/
#ifndef SOCIN_CHANGEBATCH_H
#define SOCIN_CHANGEBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "socin/v1/forward.pb-c.h"
#include "str.h"

/* Packs BATCH into OUT (emptied first, grown as needed): its fields in number order, empty
   strings, zeros and unset flags left out, as protobuf-c packs it. Returns the length. */
size_t socin_change_batch_pack (const Socin__V1__ChangeBatch *batch, socin_str_t *out);

#endif
