/*  decode: a ForwardMessage frame from an ingest, its change batch's values read straight from
    the wire.

    protobuf-c's unpack walks every message through its descriptor twice (a scan, then the
    parse) and makes each message and string separately: for a 10,000-value batch that was a
    fifth of reporting's work per value. Here a batch's values (ValueChange: a few strings and
    two scalars) are read directly into the structures protobuf-c would make, in the caller's
    arena; the batch's other repeated fields (events, measures, follow-up marks, approvals) go
    through protobuf-c's unpack of their own message. Whatever this reader does not expect —
    another body than a batch, a field it does not know, a known field with another wire type,
    a boolean longer than one byte — leaves the whole frame to protobuf-c, so the result is
    always what protobuf-c makes of the frame.
*/
#ifndef SOCIN_REPORTING_DECODE_H
#define SOCIN_REPORTING_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "socin/v1/forward.pb-c.h"

/* The ForwardMessage in the LEN bytes at DATA, allocated in ARENA (valid while it lives), or
   NULL when the bytes are not one — as socin__v1__forward_message__unpack with ARENA's
   allocator. */
Socin__V1__ForwardMessage *rep_decode_forward (socin_arena_t *arena, const uint8_t *data,
                                               size_t len);

#endif
