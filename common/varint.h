/*  varint: protobuf's base-128 varints (7 bits a byte, the low ones first, the top bit set on
    every byte but the last) and zigzag for signed numbers, for the bytes socin reads and writes by
    hand: export rows (exportrow.h), change batches (changebatch.h), submissions (ingestreq.h)
    and compact value states (valuestate.h).
*/
#ifndef SOCIN_VARINT_H
#define SOCIN_VARINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The bytes V takes (1 to 10). */
size_t socin_varint_size (uint64_t v);

/* Writes V at P (socin_varint_size bytes); returns the byte after it. */
unsigned char *socin_varint_put (unsigned char *p, uint64_t v);

/* Reads a varint at *P (before END) into *V and moves *P past it. False when it runs past END
   or 10 bytes. */
bool socin_varint_get (const unsigned char **p, const unsigned char *end, uint64_t *v);

/* Signed to unsigned and back, small magnitudes to small numbers: 0, -1, 1, -2... -> 0, 1, 2,
   3... */
uint64_t socin_zigzag (int64_t v);
int64_t socin_unzigzag (uint64_t u);

#endif
