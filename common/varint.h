/*  varint: protobuf's base-128 varints, for the messages socin packs by hand (exportrow.h,
    changebatch.h).
*/
#ifndef SOCIN_VARINT_H
#define SOCIN_VARINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The number of bytes V takes as a varint (1 to 10). */
size_t socin_varint_size (uint64_t v);

/* Writes V as a varint at P; returns the byte after it. */
uint8_t *socin_varint_put (uint8_t *p, uint64_t v);

/* Reads a varint at *P (before END) into *V and moves *P past it. False when it runs past END
   or 10 bytes. */
bool socin_varint_get (const uint8_t **p, const uint8_t *end, uint64_t *v);

#endif
