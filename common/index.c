/*  index: open-addressing hash map from text to pointers. See index.h. */
#include "index.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"

typedef struct {
    const char *key;
    size_t len;
    uint64_t hash;
    void *value;
} s_slot_t;

struct socin_index_t {
    s_slot_t *slots;
    size_t cap; /* power of two */
    size_t size;
};

uint64_t
socin_hash (const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

socin_index_t *
socin_index_new (void)
{
    socin_index_t *self = socin_calloc (1, sizeof *self);
    self->cap = 16;
    self->slots = socin_calloc (self->cap, sizeof *self->slots);
    return self;
}

void
socin_index_destroy (socin_index_t **self_p)
{
    socin_index_t *self = *self_p;
    if (!self) return;
    free (self->slots);
    free (self);
    *self_p = NULL;
}

static s_slot_t *
s_find (const socin_index_t *self, const char *key, size_t len, uint64_t hash)
{
    size_t mask = self->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        s_slot_t *slot = &self->slots[i];
        if (!slot->key) return slot;
        if (slot->hash == hash && slot->len == len && memcmp (slot->key, key, len) == 0)
            return slot;
    }
}

static void
s_grow (socin_index_t *self)
{
    s_slot_t *old = self->slots;
    size_t oldcap = self->cap;
    self->cap *= 2;
    self->slots = socin_calloc (self->cap, sizeof *self->slots);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key) *s_find (self, old[i].key, old[i].len, old[i].hash) = old[i];
    free (old);
}

void
socin_index_put (socin_index_t *self, const char *key, size_t len, void *value)
{
    if ((self->size + 1) * 4 > self->cap * 3) s_grow (self);
    uint64_t hash = socin_hash (key, len);
    s_slot_t *slot = s_find (self, key, len, hash);
    if (!slot->key) self->size++;
    slot->key = key;
    slot->len = len;
    slot->hash = hash;
    slot->value = value;
}

void *
socin_index_get (const socin_index_t *self, const char *key, size_t len)
{
    s_slot_t *slot = s_find (self, key, len, socin_hash (key, len));
    return slot->key ? slot->value : NULL;
}

void
socin_index_put_str (socin_index_t *self, const char *key, void *value)
{
    socin_index_put (self, key, strlen (key), value);
}

void *
socin_index_get_str (const socin_index_t *self, const char *key)
{
    return socin_index_get (self, key, strlen (key));
}

void
socin_index_prefetch_str (const socin_index_t *self, const char *key, int step, int lines)
{
    /* An effect the compiler keeps: GCC takes a function whose only effect is
       __builtin_prefetch for one without effects and may drop its calls. */
    __asm__ volatile("");
    uint64_t hash = socin_hash (key, strlen (key));
    size_t mask = self->cap - 1, i = hash & mask;
    if (step == 0) {
        __builtin_prefetch (&self->slots[i]);
        return;
    }
    for (; self->slots[i].key; i = (i + 1) & mask)
        if (self->slots[i].hash == hash) {
            __builtin_prefetch (self->slots[i].key);
            for (int l = 0; l < lines; l++)
                __builtin_prefetch ((const char *)self->slots[i].value + 64 * l);
            return;
        }
}

void
socin_index_clear (socin_index_t *self)
{
    memset (self->slots, 0, self->cap * sizeof *self->slots);
    self->size = 0;
}

size_t
socin_index_size (const socin_index_t *self)
{
    return self->size;
}
