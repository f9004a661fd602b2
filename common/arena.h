/*  arena: memory handed out in order and released all at once.

    For decoding large protobuf messages: protobuf-c makes one allocation per value and per
    string of a submission, and frees each again; with an arena as its allocator, decoding a
    10,000-value submission costs a few large allocations and one release.
*/
#ifndef SOCIN_ARENA_H
#define SOCIN_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct socin_arena_t socin_arena_t;

socin_arena_t *socin_arena_new (void);

/* Releases everything the arena handed out, and the arena. */
void socin_arena_destroy (socin_arena_t **self_p);

/* LEN bytes aligned for any type (fatal when memory runs out). */
void *socin_arena_alloc (socin_arena_t *self, size_t len);

/* A protobuf-c allocator drawing on the arena; its free does nothing (the arena's destroy
   releases all). Valid while the arena lives. */
ProtobufCAllocator *socin_arena_allocator (socin_arena_t *self);

#endif
