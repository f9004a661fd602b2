/*  varint: protobuf's base-128 varints (7 bits a byte, the low ones first, the top bit set on
    every byte but the last), zigzag for signed numbers and the fields of a message on the wire,
    for the bytes socin reads and writes by hand: export rows (exportrow.h), change batches
    (changebatch.h, and reporting's decode.h), submissions (ingestreq.h) and compact value
    states (valuestate.h).
*/
#ifndef SOCIN_VARINT_H
#define SOCIN_VARINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* These are read and written for every value that passes through the daemons, so they are
   defined here, inline, rather than called. */

/* The bytes V takes (1 to 10). */
static inline size_t
socin_varint_size (uint64_t v)
{
    /* Seven bits a byte: the bits V needs (at least one), rounded up to sevens. */
    return (size_t)(64 - __builtin_clzll (v | 1) + 6) / 7;
}

/* Writes V at P (socin_varint_size bytes); returns the byte after it. */
static inline unsigned char *
socin_varint_put (unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* Reads a varint at *P (before END) into *V and moves *P past it. False when it runs past END
   or 10 bytes. */
static inline bool
socin_varint_get (const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        unsigned char b = *(*p)++;
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

/* Signed to unsigned and back, small magnitudes to small numbers: 0, -1, 1, -2... -> 0, 1, 2,
   3... */
static inline uint64_t
socin_zigzag (int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
socin_unzigzag (uint64_t u)
{
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Protobuf's wire types. */
enum { SOCIN_WIRE_VARINT = 0, SOCIN_WIRE_FIXED64 = 1, SOCIN_WIRE_LEN = 2, SOCIN_WIRE_FIXED32 = 5 };

/* One field of a message on the wire. */
typedef struct {
    uint32_t number;
    int wire;
    const unsigned char *start; /* its first byte (the tag) */
    uint64_t value;             /* a varint's value ... */
    size_t vlen;                /* ... and the bytes it took */
    const unsigned char *data;  /* a length-delimited field's bytes */
    size_t len;
} socin_wire_field_t;

/* Reads the field at *P (before END) into F and moves *P past it. False where protobuf-c's
   reading fails too, so that a reader by hand refuses what protobuf-c refuses: a tag or a
   length of more than five bytes, a tag past 32 bits, field number 0, a varint of more than
   ten bytes, a group or an unknown wire type, bytes past END. */
static inline bool
socin_wire_field (const unsigned char **p, const unsigned char *end, socin_wire_field_t *f)
{
    const unsigned char *q = *p;
    uint64_t tag, len;
    f->start = q;
    f->value = 0; /* what a field of another wire type reads as a number */
    if (q < end && *q < 0x80) /* tags of fields 1 to 15: one byte */
        tag = *q++;
    else if (!socin_varint_get (&q, end, &tag) || q - f->start > 5 || tag > UINT32_MAX)
        return false;
    f->number = (uint32_t)(tag >> 3);
    f->wire = (int)(tag & 7);
    if (!f->number) return false;
    const unsigned char *at = q;
    switch (f->wire) {
    case SOCIN_WIRE_VARINT:
        if (q < end && *q < 0x80)
            f->value = *q++;
        else if (!socin_varint_get (&q, end, &f->value))
            return false;
        f->vlen = (size_t)(q - at);
        break;
    case SOCIN_WIRE_FIXED64:
    case SOCIN_WIRE_FIXED32:
        if (end - q < (f->wire == SOCIN_WIRE_FIXED64 ? 8 : 4)) return false;
        q += f->wire == SOCIN_WIRE_FIXED64 ? 8 : 4;
        break;
    case SOCIN_WIRE_LEN:
        if (q < end && *q < 0x80)
            len = *q++;
        else if (!socin_varint_get (&q, end, &len) || q - at > 5)
            return false;
        if (len > (uint64_t)(end - q)) return false;
        f->data = q;
        f->len = (size_t)len;
        q += len;
        break;
    default:
        return false;
    }
    *p = q;
    return true;
}

#endif
