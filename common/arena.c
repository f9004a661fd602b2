/*  arena: bump allocation, released at once. See arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>

#include "log.h"
#include "mem.h"

#define BLOCK (256 * 1024)

typedef struct s_block_t {
    struct s_block_t *next;
    size_t used, size;
    max_align_t data[];
} s_block_t;

struct socin_arena_t {
    s_block_t *blocks;
    ProtobufCAllocator allocator;
};

static void *
s_alloc (void *data, size_t len)
{
    return socin_arena_alloc (data, len);
}

static void
s_free (void *data, void *ptr)
{
}

socin_arena_t *
socin_arena_new (void)
{
    socin_arena_t *self = socin_calloc (1, sizeof *self);
    self->allocator.alloc = s_alloc;
    self->allocator.free = s_free;
    self->allocator.allocator_data = self;
    return self;
}

void
socin_arena_destroy (socin_arena_t **self_p)
{
    socin_arena_t *self = *self_p;
    if (!self) return;
    for (s_block_t *b = self->blocks, *next; b; b = next) {
        next = b->next;
        free (b);
    }
    free (self);
    *self_p = NULL;
}

void *
socin_arena_alloc (socin_arena_t *self, size_t len)
{
    size_t align = sizeof (max_align_t);
    len = (len + align - 1) / align * align;
    s_block_t *b = self->blocks;
    if (!b || b->used + len > b->size) {
        size_t size = len > BLOCK ? len : BLOCK;
        b = socin_malloc (sizeof *b + size);
        b->used = 0;
        b->size = size;
        b->next = self->blocks;
        self->blocks = b;
    }
    void *p = (char *) b->data + b->used;
    b->used += len;
    return p;
}

ProtobufCAllocator *
socin_arena_allocator (socin_arena_t *self)
{
    return &self->allocator;
}
