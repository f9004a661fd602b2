/*  valuestate: what ingest and reporting store about one value, and the history entries a
    reader builds from it. Each layout has two forms on disk. The compact one is written
    whenever it is shorter than the fixed head below (so the length tells them apart, and a
    store holds both): one byte of flags (bits 0-3 as below; bits 4-7 how many decimal zeros
    were taken off the value's end), then varints — the value without those zeros
    (zigzagged); a version's accepted ms (zigzagged), seq and the days between its first day
    received and the day of its ms (zigzagged); a ledger's seq — then the texts as in the
    fixed form. A plain value's ledger state takes about 8 bytes instead of 17, its version
    about 18 instead of 32: with the keys, these states are most of both stores. The fixed
    forms are on disk in every store written before, so they never change:

        ledger   the ingest's current state and each replaced one (history):
                 value (8), seq (8), flags (1), comment
        version  reporting's current state: value (8), accepted ms (8), seq (8), flags (1),
                 first day received (4), then
                   flags bit 4 set: source length (1), source, then the change itself as a
                     change state's text holds it (stored_by when bit 2, comment), followup
                     in bit 1 — reporting's history does not hold this change (it keeps a
                     change there only once a later version replaces it, or when it arrives
                     already replaced);
                   flags bit 4 clear (stores written before): source — the history holds
                     this change too
        change   one change in reporting's history: flags (1), value (8), comment

    Integers are in host byte order (the stores are not moved between architectures); flags
    bit 0 marks a deletion (a tombstone). Since wire 1.2 ledger and change states also carry
    DHIS2's followup (flags bit 1) and storedby: with flags bit 2 set the text starts with
    one length byte and that many bytes of stored_by, then the comment. States written before
    have neither bit set and read as they always did.

    Version states since wire 1.2 set flags bit 3 ("plain") when the change that made them
    carried no comment, stored_by or follow-up mark: a reader that needs those (an export)
    then has nothing to fetch from history. A version without bits 3 and 4 (every one written
    before) may have them, and is read as before, from its change in history.
*/
#ifndef SOCIN_VALUESTATE_H
#define SOCIN_VALUESTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decimal.h"
#include "socin/v1/report.pb-c.h"

typedef enum {
    SOCIN_VALUE_LEDGER,
    SOCIN_VALUE_VERSION,
    SOCIN_VALUE_CHANGE,
} socin_value_layout_t;

/* The most bytes a state takes before its texts (a version: its head and source length). */
#define SOCIN_VALUE_HEAD_MAX 30

/* One stored state, unpacked. TEXT points into the packed bytes it came from. */
typedef struct {
    socin_dec_t value;
    bool deleted;
    uint64_t seq;      /* ledger, version: the change batch that gave it */
    int64_t ms;        /* version: accepted time */
    int32_t first_day; /* version: the day first received */
    const char *text;  /* ledger, change: the comment; version: the source */
    size_t text_len;
    const char *stored_by; /* who keyed it in (at most 255 bytes) */
    size_t stored_by_len;
    bool followup;       /* marked for follow-up */
    const char *comment; /* version: the change's comment (see logged) */
    size_t comment_len;
    bool logged; /* version, unpacked: the history holds this change too (an older store's
                    record, which has no comment, stored_by or followup); packing always
                    writes the change whole */
    bool plain;  /* version, unpacked: its change has no comment, stored_by or follow-up mark
                    (packing works it out) */
} socin_value_state_t;

/* The bytes STATE takes in LAYOUT. */
size_t socin_value_state_size (socin_value_layout_t layout, const socin_value_state_t *state);

/* How a state packs, worked out once for both its size and its bytes (the fields are
   valuestate's own). */
typedef struct {
    socin_value_layout_t layout;
    const socin_value_state_t *state;
    bool compact;
    unsigned exp;
    uint64_t n[4];
    size_t count;
    size_t size; /* the bytes it packs to */
} socin_value_packing_t;

/* Works out into P how STATE packs in LAYOUT and returns the bytes it takes; STATE must stay
   as it is until socin_value_state_pack_as packs it. */
size_t socin_value_state_measure (socin_value_packing_t *p, socin_value_layout_t layout,
                                  const socin_value_state_t *state);

/* Packs the state P measured into BUF (P->size bytes): what socin_value_state_pack makes. */
void socin_value_state_pack_as (const socin_value_packing_t *p, void *buf);

/* Packs STATE into BUF (socin_value_state_size bytes). */
void socin_value_state_pack (socin_value_layout_t layout, const socin_value_state_t *state,
                             void *buf);

/* Unpacks LEN bytes at DATA into STATE. False when they are too few for LAYOUT. */
bool socin_value_state_unpack (socin_value_layout_t layout, const void *data, size_t len,
                               socin_value_state_t *state);

/* The change a whole VERSION holds (its value, deletion, comment as text, stored_by, followup,
   seq and time), as a change state; it points into VERSION's texts. */
socin_value_state_t socin_value_change_of (const socin_value_state_t *version);

/* >0 when version A (accepted ms, source of ALEN bytes, sequence) is later than B, <0 when
   earlier, 0 when the same: between sources the later version wins, whatever the order
   they were delivered in. */
int socin_version_cmp (int64_t ams, const char *asrc, size_t alen, uint64_t aseq, int64_t bms,
                       const char *bsrc, size_t blen, uint64_t bseq);

/* Appends to OUT the history entry of CHANGE (its deleted, value, comment, stored_by and
   followup as text and seq), made by SOURCE (SOURCE_LEN bytes) at CHANGE->ms; BATCH (BATCH_LEN
   bytes of a packed ChangeBatch, or NULL) names the submitter and submission, and the time when
   CHANGE->ms is 0. The old value is the previous entry's new value ("" after a deletion). Returns
   the entry, owned by OUT. */
Socin__V1__HistoryEntry *socin_value_history_add (Socin__V1__ValueHistory *out,
                                                  const socin_value_state_t *change,
                                                  const char *source, size_t source_len,
                                                  const void *batch, size_t batch_len);

#endif
