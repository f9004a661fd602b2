/*  decode: a ForwardMessage frame, its values read straight from the wire. See decode.h. */
#include "decode.h"

#include <stdbool.h>
#include <string.h>

#include "varint.h"

typedef struct {
    const uint8_t *p, *end;
} s_in_t;

/* A field's bytes as a region of their own. */
static inline s_in_t
s_bytes (const socin_wire_field_t *f)
{
    return (s_in_t){f->data, f->data + f->len};
}

/* A boolean of one byte, the form encoders write (longer ones are left to protobuf-c). */
static inline bool
s_bool (const socin_wire_field_t *f, protobuf_c_boolean *out)
{
    if (f->wire != SOCIN_WIRE_VARINT || f->vlen != 1) return false;
    *out = f->value != 0;
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
    socin_wire_field_t f;
    while (in.p < in.end) {
        if (!socin_wire_field (&in.p, in.end, &f)) return false;
        char **text = NULL;
        switch (f.number) {
        case 1: text = &c->indicator; break;
        case 2: text = &c->unit; break;
        case 3: text = &c->period; break;
        case 4: text = &c->disaggregation; break;
        case 7: text = &c->comment; break;
        case 60: text = &c->stored_by; break;
        case 5: /* sint64 */
            if (f.wire != SOCIN_WIRE_VARINT) return false;
            c->value_micros = socin_unzigzag (f.value);
            break;
        case 6:
            if (!s_bool (&f, &c->deleted)) return false;
            break;
        case 61:
            if (!s_bool (&f, &c->followup)) return false;
            break;
        default:
            return false;
        }
        if (text) {
            if (f.wire != SOCIN_WIRE_LEN) return false;
            s_in_t bytes = s_bytes (&f);
            *text = s_text (texts, &bytes);
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
    socin_wire_field_t f;
    for (s_in_t scan = in; scan.p < scan.end;) {
        if (!socin_wire_field (&scan.p, scan.end, &f)) return false;
        switch (f.number) {
        case 1:
        case 5:
            if (f.wire != SOCIN_WIRE_VARINT) return false;
            break;
        case 2:
        case 3:
        case 4:
        case 6:
        case 7:
        case 20:
        case 80:
        case 81:
            if (f.wire != SOCIN_WIRE_LEN) return false;
            nvalues += f.number == 6;
            nevents += f.number == 7;
            nmeasures += f.number == 20;
            nfollowups += f.number == 80;
            napprovals += f.number == 81;
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
        socin_wire_field (&in.p, in.end, &f); /* as checked above */
        s_in_t bytes = f.wire == SOCIN_WIRE_LEN ? s_bytes (&f) : (s_in_t){in.p, in.p};
        uint64_t v = f.wire == SOCIN_WIRE_VARINT ? f.value : 0;
        switch (f.number) {
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
    const uint8_t *p = data, *end = data + len;
    socin_wire_field_t f;
    /* A batch, and nothing else in the frame: the common case, read here. */
    if (len && socin_wire_field (&p, end, &f) && f.number == 2 && f.wire == SOCIN_WIRE_LEN &&
        p == end) {
        Socin__V1__ChangeBatch *b = socin_arena_alloc (arena, sizeof *b);
        if (s_batch (arena, s_bytes (&f), b)) {
            Socin__V1__ForwardMessage *fm = socin_arena_alloc (arena, sizeof *fm);
            *fm = (Socin__V1__ForwardMessage)SOCIN__V1__FORWARD_MESSAGE__INIT;
            fm->body_case = SOCIN__V1__FORWARD_MESSAGE__BODY_BATCH;
            fm->batch = b;
            return fm;
        }
    }
    return socin__v1__forward_message__unpack (socin_arena_allocator (arena), len, data);
}
