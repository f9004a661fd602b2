/*  changebatch: ChangeBatch packed with its values by hand. See changebatch.h. */
#include "changebatch.h"

#include <string.h>

#include "varint.h"

/* ValueChange's fields (forward.proto): strings 1-4 and 7, value_micros 5 (sint64), deleted 6,
   stored_by 60, followup 61; ChangeBatch's values are its field 6, between the head (1-5)
   and the rest (7 and up). */
#define F_VALUES   6
#define TAG_STORED ((60 << 3) | SOCIN_WIRE_LEN)    /* two bytes as a varint */
#define TAG_FOLLOW ((61 << 3) | SOCIN_WIRE_VARINT) /* two bytes as a varint */

/* C's strings in field order (the last is stored_by, field 60) with their lengths. */
#define NSTRINGS 6
static void
s_strings (const Socin__V1__ValueChange *c, const char *s[NSTRINGS], size_t lens[NSTRINGS])
{
    const char *all[NSTRINGS] = {c->indicator,      c->unit,    c->period,
                                 c->disaggregation, c->comment, c->stored_by};
    for (int i = 0; i < NSTRINGS; i++) {
        s[i] = all[i];
        lens[i] = all[i] ? strlen (all[i]) : 0;
    }
}

/* The size of C's message (without its tag and length). */
static size_t
s_change_size (const char *const s[NSTRINGS], const size_t lens[NSTRINGS],
               const Socin__V1__ValueChange *c)
{
    size_t n = 0;
    for (int i = 0; i < NSTRINGS; i++)
        if (lens[i]) n += (i == NSTRINGS - 1 ? 2 : 1) + socin_varint_size (lens[i]) + lens[i];
    if (c->value_micros) n += 1 + socin_varint_size (socin_zigzag (c->value_micros));
    if (c->deleted) n += 2;
    if (c->followup) n += 3;
    return n;
}

static uint8_t *
s_string_put (uint8_t *p, uint32_t tag, const char *s, size_t len)
{
    if (!len) return p;
    p = socin_varint_put (p, tag);
    p = socin_varint_put (p, len);
    memcpy (p, s, len);
    return p + len;
}

/* Writes C (its strings S with their LENS, its message LEN bytes long) as BATCH's field 6 at
   P: its tag, its length and its fields in number order. */
static uint8_t *
s_change_put (uint8_t *p, const char *const s[NSTRINGS], const size_t lens[NSTRINGS], size_t len,
              const Socin__V1__ValueChange *c)
{
    *p++ = (F_VALUES << 3) | SOCIN_WIRE_LEN;
    p = socin_varint_put (p, len);
    for (int f = 1; f <= 4; f++)
        p = s_string_put (p, (uint32_t)(f << 3 | SOCIN_WIRE_LEN), s[f - 1], lens[f - 1]);
    if (c->value_micros) {
        *p++ = 5 << 3 | SOCIN_WIRE_VARINT;
        p = socin_varint_put (p, socin_zigzag (c->value_micros));
    }
    if (c->deleted) {
        *p++ = 6 << 3 | SOCIN_WIRE_VARINT;
        *p++ = 1;
    }
    p = s_string_put (p, 7 << 3 | SOCIN_WIRE_LEN, s[4], lens[4]);
    p = s_string_put (p, TAG_STORED, s[5], lens[5]);
    if (c->followup) {
        p = socin_varint_put (p, TAG_FOLLOW);
        *p++ = 1;
    }
    return p;
}

/* BATCH split into its fields before the values (HEAD) and after them (TAIL). */
static void
s_split (const Socin__V1__ChangeBatch *batch, Socin__V1__ChangeBatch *head,
         Socin__V1__ChangeBatch *tail)
{
    *head = *batch;
    head->n_values = head->n_events = head->n_measures = head->n_followups = head->n_approvals = 0;
    *tail = *batch;
    tail->seq = 0;
    tail->submission_id = tail->submitter = tail->submitter_key = (char *)"";
    tail->accepted_ms = 0;
    tail->n_values = 0;
}

size_t
socin_change_batch_pack (const Socin__V1__ChangeBatch *batch, socin_str_t *out)
{
    Socin__V1__ChangeBatch head, tail;
    s_split (batch, &head, &tail);
    socin_str_clear (out);
    uint8_t *p =
        (uint8_t *)socin_str_extend (out, socin__v1__change_batch__get_packed_size (&head));
    socin__v1__change_batch__pack (&head, p);
    /* Each value's strings are measured once: for its length, which goes first, and for its
       bytes. */
    for (size_t i = 0; i < batch->n_values; i++) {
        const Socin__V1__ValueChange *c = batch->values[i];
        const char *s[NSTRINGS];
        size_t lens[NSTRINGS];
        s_strings (c, s, lens);
        size_t len = s_change_size (s, lens, c);
        p = (uint8_t *)socin_str_extend (out, 1 + socin_varint_size (len) + len);
        s_change_put (p, s, lens, len, c);
    }
    p = (uint8_t *)socin_str_extend (out, socin__v1__change_batch__get_packed_size (&tail));
    socin__v1__change_batch__pack (&tail, p);
    return out->len;
}
