/*  records: the registry's record store in LMDB, with one sequence number per change.

        records   record key (model.h) -> the record as it is now, stamped with its seq
        history   be64(seq) -> a record's earlier version, under the seq that wrote it
        meta      "seq" -> the last sequence number; "registry_id" -> this instance's id

    A change is written in one transaction; only after the commit is it handed to the
    listener (the Clone server publishes it) and applied to the in-memory model.
*/
#ifndef SOCIN_REGISTRY_RECORDS_H
#define SOCIN_REGISTRY_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "store.h"

typedef struct reg_records_t reg_records_t;

/* What a change did to the records it was offered. */
typedef struct {
    uint32_t added, updated, unchanged, closed;
} reg_changes_t;

/* Opens the record databases in STORE (at start-up), loads every record into the model and
   gives the store an instance id when it has none. NULL on a storage failure (logged). */
reg_records_t *reg_records_new (socin_store_t *store);
void reg_records_destroy (reg_records_t **self_p);

/* Called once per committed record, in sequence order, before the model takes it. */
typedef void (reg_records_fn) (const socin_record_t *rec, void *arg);
void reg_records_on_change (reg_records_t *self, reg_records_fn *fn, void *arg);

/* Writes RECS (N of them) as the next changes, one sequence number each, and takes ownership
   of them and of the array. 0: they are in the model and handed to the listener; -1: nothing
   changed and ERR says why. */
int reg_records_commit (reg_records_t *self, socin_record_t **recs, size_t n, char *err,
                        size_t errlen);

/* Keeps of RECS (N of them, moved to the front) those that differ from the model and frees
   the rest; returns how many were kept and adds the counts to CHANGES. */
size_t reg_records_keep_changed (reg_records_t *self, socin_record_t **recs, size_t n,
                                 reg_changes_t *changes);

/* Frees N records and the array that holds them. */
void reg_records_discard (socin_record_t **recs, size_t n);

/* A malloc'ed array of the records changed after SINCE (0: all), in no particular order;
 *COUNT receives how many. The pointers are the model's: valid until the next commit. */
const socin_record_t **reg_records_since (reg_records_t *self, uint64_t since, size_t *count);

socin_model_t *reg_records_model (reg_records_t *self);

/* The earlier versions of the record KEY (KLEN bytes, socin_record_key), oldest first: a
   malloc'ed array of *COUNT unpacked records (free each with protobuf_c_message_free_unpacked
   and the array with free); NULL with *COUNT 0 when there are none. Reads the whole history
   (a query, not a hot path). */
socin_record_t **reg_records_history (reg_records_t *self, const char *key, size_t klen,
                                      size_t *count);

/* The last sequence number committed. */
uint64_t reg_records_seq (reg_records_t *self);

/* This instance's id (32 hex digits): replicas compare it to know a registry started anew. */
const char *reg_records_id (reg_records_t *self);

#endif
