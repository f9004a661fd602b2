/*  decode: a ForwardMessage frame, its values read straight from the wire. See decode.h. */
#include "decode.h"

#include <stdbool.h>
#include <string.h>

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

typedef struct {
    const uint8_t *p, *end;
} s_in_t;

/* A varint of at most MAX bytes from IN into *OUT; false when it is longer or cut short.
   Bits beyond 64 are dropped, as protobuf-c drops them. */
static inline bool
s_varint (s_in_t *in, int max, uint64_t *out)
{
    if (in->p < in->end && *in->p < 0x80) { /* tags, lengths and small numbers: one byte */
        *out = *in->p++;
        return true;
    }
    uint64_t v = 0;
    for (int i = 0; i < max && in->p < in->end; i++) {
        uint8_t b = *in->p++;
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (b < 0x80) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* A field's tag: its number and wire type. */
static inline bool
s_tag (s_in_t *in, uint32_t *field, int *wire)
{
    uint64_t tag;
    if (!s_varint (in, 5, &tag) || tag > UINT32_MAX) return false;
    *field = (uint32_t)(tag >> 3);
    *wire = (int)(tag & 7);
    return true;
}

/* A length-delimited field's bytes into *OUT. */
static inline bool
s_bytes (s_in_t *in, s_in_t *out)
{
    uint64_t len;
    if (!s_varint (in, 5, &len) || len > (uint64_t)(in->end - in->p)) return false;
    out->p = in->p;
    out->end = in->p + len;
    in->p += len;
    return true;
}

/* A boolean of one byte, the form encoders write (longer ones are left to protobuf-c). */
static inline bool
s_bool (s_in_t *in, protobuf_c_boolean *out)
{
    if (in->p == in->end || *in->p >= 0x80) return false;
    *out = *in->p++ != 0;
    return true;
}

/* The texts of a batch, copied one after another into a block the size of the batch: each
   takes its length and a NUL, and came on the wire with at least a tag and a length byte. */
static inline char *
s_text (char **at, const s_in_t *bytes)
{
    size_t n = (size_t)(bytes->end - bytes->p);
    char *s = *at;
    memcpy (s, bytes->p, n);
    s[n] = 0;
    *at += n + 1;
    return s;
}

/* One ValueChange from IN into C. */
static bool
s_value (s_in_t in, char **texts, Socin__V1__ValueChange *c)
{
    *c = (Socin__V1__ValueChange)SOCIN__V1__VALUE_CHANGE__INIT;
    while (in.p < in.end) {
        uint32_t field;
        int wire;
        s_in_t bytes;
        uint64_t v;
        if (!s_tag (&in, &field, &wire)) return false;
        switch (field) {
        case 1:
        case 2:
        case 3:
        case 4:
        case 7:
        case 60: {
            if (wire != WIRE_LEN || !s_bytes (&in, &bytes)) return false;
            char *s = s_text (texts, &bytes);
            if (field == 1)
                c->indicator = s;
            else if (field == 2)
                c->unit = s;
            else if (field == 3)
                c->period = s;
            else if (field == 4)
                c->disaggregation = s;
            else if (field == 7)
                c->comment = s;
            else
                c->stored_by = s;
            break;
        }
        case 5: /* sint64: zigzag */
            if (wire != WIRE_VARINT || !s_varint (&in, 10, &v)) return false;
            c->value_micros = (int64_t)((v >> 1) ^ (~(v & 1) + 1));
            break;
        case 6:
            if (wire != WIRE_VARINT || !s_bool (&in, &c->deleted)) return false;
            break;
        case 61:
            if (wire != WIRE_VARINT || !s_bool (&in, &c->followup)) return false;
            break;
        default:
            return false;
        }
    }
    return true;
}

/* Room for N pointers in ARENA (NULL for none, as protobuf-c leaves an empty repeated field). */
static void *
s_array (socin_arena_t *arena, size_t n)
{
    return n ? socin_arena_alloc (arena, n * sizeof (void *)) : NULL;
}

/* A message of DESC in BYTES, by protobuf-c, appended to the repeated field LIST (*N). */
static bool
s_message (ProtobufCAllocator *alloc, const ProtobufCMessageDescriptor *desc, const s_in_t *bytes,
           ProtobufCMessage **list, size_t *n)
{
    ProtobufCMessage *m =
        protobuf_c_message_unpack (desc, alloc, (size_t)(bytes->end - bytes->p), bytes->p);
    if (m) list[(*n)++] = m;
    return m != NULL;
}

/* The ChangeBatch in IN into B, in ARENA. First a pass that counts the repeated fields and
   checks that every field is one this reader knows, then the one that fills them. */
static bool
s_batch (socin_arena_t *arena, s_in_t in, Socin__V1__ChangeBatch *b)
{
    *b = (Socin__V1__ChangeBatch)SOCIN__V1__CHANGE_BATCH__INIT;
    size_t nvalues = 0, nevents = 0, nmeasures = 0, nfollowups = 0, napprovals = 0;
    for (s_in_t scan = in; scan.p < scan.end;) {
        uint32_t field;
        int wire;
        s_in_t bytes;
        uint64_t v;
        if (!s_tag (&scan, &field, &wire)) return false;
        switch (field) {
        case 1:
        case 5:
            if (wire != WIRE_VARINT || !s_varint (&scan, 10, &v)) return false;
            break;
        case 2:
        case 3:
        case 4:
        case 6:
        case 7:
        case 20:
        case 80:
        case 81:
            if (wire != WIRE_LEN || !s_bytes (&scan, &bytes)) return false;
            nvalues += field == 6;
            nevents += field == 7;
            nmeasures += field == 20;
            nfollowups += field == 80;
            napprovals += field == 81;
            break;
        default:
            return false;
        }
    }
    ProtobufCAllocator *alloc = socin_arena_allocator (arena);
    Socin__V1__ValueChange *changes =
        nvalues ? socin_arena_alloc (arena, nvalues * sizeof *changes) : NULL;
    char *texts = socin_arena_alloc (arena, (size_t)(in.end - in.p) + 1);
    b->values = s_array (arena, nvalues);
    b->events = s_array (arena, nevents);
    b->measures = s_array (arena, nmeasures);
    b->followups = s_array (arena, nfollowups);
    b->approvals = s_array (arena, napprovals);
    while (in.p < in.end) {
        uint32_t field = 0;
        int wire = WIRE_VARINT;
        s_in_t bytes = {in.p, in.p};
        uint64_t v = 0;
        s_tag (&in, &field, &wire); /* as checked above */
        if (wire == WIRE_VARINT)
            s_varint (&in, 10, &v);
        else
            s_bytes (&in, &bytes);
        switch (field) {
        case 1:
            b->seq = v;
            break;
        case 5:
            b->accepted_ms = (int64_t)v;
            break;
        case 2:
            b->submission_id = s_text (&texts, &bytes);
            break;
        case 3:
            b->submitter = s_text (&texts, &bytes);
            break;
        case 4:
            b->submitter_key = s_text (&texts, &bytes);
            break;
        case 6: {
            Socin__V1__ValueChange *c = &changes[b->n_values];
            if (!s_value (bytes, &texts, c)) return false;
            b->values[b->n_values++] = c;
            break;
        }
        case 7:
            if (!s_message (alloc, &socin__v1__participation_event__descriptor, &bytes,
                            (ProtobufCMessage **)b->events, &b->n_events))
                return false;
            break;
        case 20:
            if (!s_message (alloc, &socin__v1__measure_progress__descriptor, &bytes,
                            (ProtobufCMessage **)b->measures, &b->n_measures))
                return false;
            break;
        case 80:
            if (!s_message (alloc, &socin__v1__followup_mark__descriptor, &bytes,
                            (ProtobufCMessage **)b->followups, &b->n_followups))
                return false;
            break;
        default: /* 81 */
            if (!s_message (alloc, &socin__v1__approval_state__descriptor, &bytes,
                            (ProtobufCMessage **)b->approvals, &b->n_approvals))
                return false;
            break;
        }
    }
    return true;
}

Socin__V1__ForwardMessage *
rep_decode_forward (socin_arena_t *arena, const uint8_t *data, size_t len)
{
    s_in_t in = {data, data + len}, body;
    uint32_t field;
    int wire;
    /* A batch, and nothing else in the frame: the common case, read here. */
    if (len && s_tag (&in, &field, &wire) && field == 2 && wire == WIRE_LEN &&
        s_bytes (&in, &body) && in.p == in.end) {
        Socin__V1__ChangeBatch *b = socin_arena_alloc (arena, sizeof *b);
        if (s_batch (arena, body, b)) {
            Socin__V1__ForwardMessage *fm = socin_arena_alloc (arena, sizeof *fm);
            *fm = (Socin__V1__ForwardMessage)SOCIN__V1__FORWARD_MESSAGE__INIT;
            fm->body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH;
            fm->batch = b;
            return fm;
        }
    }
    return socin__v1__forward_message__unpack (socin_arena_allocator (arena), len, data);
}
