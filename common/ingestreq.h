/*  ingestreq: an IngestRequest unpacked with its submission's values read by hand. A 10,000-
    value submission is 10,000 DataValue messages; protobuf-c finds each field of each through
    its descriptor and allocates each string on its own, a fifth of the ingest's work per
    value. Here the values are read straight into one array (socin_wire_field, their strings
    copied into the caller's arena), and the rest of the request is left to protobuf-c. Anything a plain reading does not
    cover (an unknown or repeated-in-an-odd-way field, a wire type a field cannot have) is
    left to protobuf-c whole, so the result is always what protobuf-c would unpack.
*/
#ifndef SOCIN_INGESTREQ_H
#define SOCIN_INGESTREQ_H

#include <stddef.h>
#include <stdint.h>

#include "socin/v1/ingest.pb-c.h"

/* socin__v1__ingest_request__unpack (ALLOCATOR, LEN, DATA), faster. ALLOCATOR must be one
   that frees everything at once (an arena: the values are not separate allocations; with
   NULL, protobuf-c unpacks it all); NULL when the bytes are no IngestRequest. */
Socin__V1__IngestRequest *socin_ingest_request_unpack (ProtobufCAllocator *allocator, size_t len,
                                                       const uint8_t *data);

#endif
