/*  index: a hash map from text keys to pointers, for per-value lookups.

    Open addressing with linear probing and FNV-1a hashing; keys are not copied (they point
    into the records the values belong to, which outlive the entry). Looking up an
    indicator, unit or key costs one hash and a probe or two, never an LMDB read.
*/
#ifndef SOCIN_INDEX_H
#define SOCIN_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct socin_index_t socin_index_t;

socin_index_t *socin_index_new (void);
void socin_index_destroy (socin_index_t **self_p);

/* Maps KEY (LEN bytes, kept by pointer) to VALUE, replacing an earlier value of the same key. */
void socin_index_put (socin_index_t *self, const char *key, size_t len, void *value);

/* The value of KEY, or NULL. */
void *socin_index_get (const socin_index_t *self, const char *key, size_t len);

/* The same for NUL-terminated keys. */
void socin_index_put_str (socin_index_t *self, const char *key, void *value);
void *socin_index_get_str (const socin_index_t *self, const char *key);

/* Asks the processor for what a look-up of KEY (NUL-terminated) soon to come will read, in
   two calls a few look-ups apart: STEP 0 for the slot KEY's hash starts at; STEP 1, once that
   slot is in the cache, for the key the first slot with KEY's hash holds and the first LINES
   cache lines of its value. A loop over many look-ups of scattered keys (a submission's
   units) otherwise waits for each of those in turn. Changes nothing. */
void socin_index_prefetch_str (const socin_index_t *self, const char *key, int step, int lines);

/* Removes every entry. */
void socin_index_clear (socin_index_t *self);
size_t socin_index_size (const socin_index_t *self);

uint64_t socin_hash (const void *data, size_t len);

#endif
