/*  valuestate: stored value states and history entries. See valuestate.h. */
#include "valuestate.h"

#include <string.h>

#include "mem.h"
#include "socin/v1/forward.pb-c.h"
#include "varint.h"

#define FLAG_DELETE   1
#define FLAG_FOLLOWUP 2  /* marked for follow-up (1.2) */
#define FLAG_STORED   4  /* the text starts with stored_by, its length first (1.2) */
#define FLAG_PLAIN    8  /* version: nothing in its change beside the value (1.2) */
#define FLAG_WHOLE    16 /* version: source length, source and the change itself follow */
#define LEDGER_HEAD   17 /* value 8, seq 8, flags 1 */
#define VERSION_HEAD  29 /* value 8, ms 8, seq 8, flags 1, first day 4 */
#define CHANGE_HEAD   9  /* flags 1, value 8 */

static size_t
s_head (socin_value_layout_t layout)
{
    return layout == SOCIN_VALUE_LEDGER    ? LEDGER_HEAD
           : layout == SOCIN_VALUE_VERSION ? VERSION_HEAD
                                           : CHANGE_HEAD;
}

/* States carry stored_by before their comment, when there is one. */
static bool
s_has_stored (const socin_value_state_t *state)
{
    return state->stored_by_len;
}

/* The source of a version is cut to what its length byte can say. */
static size_t
s_source_len (const socin_value_state_t *state)
{
    return state->text_len > 255 ? 255 : state->text_len;
}

/* At most 255 bytes of stored_by are kept (the ingest accepts 64). */
static size_t
s_stored_len (const socin_value_state_t *state)
{
    return state->stored_by_len > 255 ? 255 : state->stored_by_len;
}

/* ---- the compact form (valuestate.h) ---- */

#define EXP_MAX 15 /* the most decimal zeros bits 4-7 of the flags can say */
_Static_assert(8 + 4 + 2 + 1 == EXP_MAX, "s_compact's steps take off at most EXP_MAX zeros");

static int32_t
s_day (int64_t ms)
{
    int64_t d = ms / 86400000;
    if (ms < 0 && ms % 86400000) d--;
    return (int32_t)d;
}

/* The compact head's numbers for STATE in LAYOUT into P, and its length. */
static size_t
s_compact (socin_value_packing_t *p, socin_value_layout_t layout, const socin_value_state_t *state)
{
    socin_dec_t m = state->value;
    p->exp = 0;
    p->count = 0;
    /* The decimal zeros at the end of M, at most EXP_MAX (15 = 8 + 4 + 2 + 1): one step for
       each bit, by constants the compiler multiplies by, instead of a division per zero (a
       value in micros often ends in six or more). */
    if (m != 0 && m % 100000000 == 0) m /= 100000000, p->exp += 8;
    if (m != 0 && m % 10000 == 0) m /= 10000, p->exp += 4;
    if (m != 0 && m % 100 == 0) m /= 100, p->exp += 2;
    if (m != 0 && m % 10 == 0) m /= 10, p->exp += 1;
    p->n[p->count++] = socin_zigzag (m);
    if (layout == SOCIN_VALUE_VERSION) {
        p->n[p->count++] = socin_zigzag (state->ms);
        p->n[p->count++] = state->seq;
        p->n[p->count++] = socin_zigzag ((int64_t)s_day (state->ms) - state->first_day);
    } else if (layout == SOCIN_VALUE_LEDGER)
        p->n[p->count++] = state->seq;
    size_t len = 1;
    for (size_t i = 0; i < p->count; i++)
        len += socin_varint_size (p->n[i]);
    return len;
}

/* The bytes of STATE's texts in LAYOUT (the same in both forms). */
static size_t
s_texts_size (socin_value_layout_t layout, const socin_value_state_t *state)
{
    size_t stored = s_has_stored (state) ? 1 + s_stored_len (state) : 0;
    if (layout == SOCIN_VALUE_VERSION)
        return 1 + s_source_len (state) + stored + state->comment_len;
    return stored + state->text_len;
}

size_t
socin_value_state_measure (socin_value_packing_t *p, socin_value_layout_t layout,
                           const socin_value_state_t *state)
{
    p->layout = layout;
    p->state = state;
    size_t compact = s_compact (p, layout, state), texts = s_texts_size (layout, state);
    /* The compact form when it is shorter than the layout's fixed head. */
    p->compact = compact + texts < s_head (layout);
    p->size = (p->compact ? compact : s_head (layout)) + texts;
    return p->size;
}

size_t
socin_value_state_size (socin_value_layout_t layout, const socin_value_state_t *state)
{
    socin_value_packing_t p;
    return socin_value_state_measure (&p, layout, state);
}

void
socin_value_state_pack (socin_value_layout_t layout, const socin_value_state_t *state, void *buf)
{
    socin_value_packing_t p;
    socin_value_state_measure (&p, layout, state);
    socin_value_state_pack_as (&p, buf);
}

void
socin_value_state_pack_as (const socin_value_packing_t *pk, void *buf)
{
    socin_value_layout_t layout = pk->layout;
    const socin_value_state_t *state = pk->state;
    unsigned char *p = buf;
    unsigned char flags = state->deleted ? FLAG_DELETE : 0;
    if (state->followup) flags |= FLAG_FOLLOWUP;
    if (s_has_stored (state)) flags |= FLAG_STORED;
    if (layout == SOCIN_VALUE_VERSION && !state->comment_len && !state->stored_by_len &&
        !state->followup)
        flags |= FLAG_PLAIN;
    if (pk->compact) {
        *p++ = (unsigned char)(flags | pk->exp << 4);
        for (size_t i = 0; i < pk->count; i++)
            p = socin_varint_put (p, pk->n[i]);
    } else {
        switch (layout) {
        case SOCIN_VALUE_LEDGER:
            memcpy (p, &state->value, 8);
            memcpy (p + 8, &state->seq, 8);
            p[16] = flags;
            break;
        case SOCIN_VALUE_VERSION:
            memcpy (p, &state->value, 8);
            memcpy (p + 8, &state->ms, 8);
            memcpy (p + 16, &state->seq, 8);
            p[24] = flags | FLAG_WHOLE;
            memcpy (p + 25, &state->first_day, 4);
            break;
        case SOCIN_VALUE_CHANGE:
            p[0] = flags;
            memcpy (p + 1, &state->value, 8);
            break;
        }
        p += s_head (layout);
    }
    const char *text = state->text;
    size_t text_len = state->text_len;
    if (layout == SOCIN_VALUE_VERSION) {
        *p++ = (unsigned char)s_source_len (state);
        if (s_source_len (state)) memcpy (p, state->text, s_source_len (state));
        p += s_source_len (state);
        text = state->comment;
        text_len = state->comment_len;
    }
    if (flags & FLAG_STORED) {
        *p++ = (unsigned char)s_stored_len (state);
        memcpy (p, state->stored_by, s_stored_len (state));
        p += s_stored_len (state);
    }
    if (text_len) memcpy (p, text, text_len);
}

/* Takes stored_by (FLAGS say whether there is one) off the front of *TEXT into STATE. */
static bool
s_stored (unsigned char flags, const char **text, size_t *len, socin_value_state_t *state)
{
    if (!(flags & FLAG_STORED)) return true;
    size_t n = *len ? (unsigned char)(*text)[0] : 0;
    if (!*len || 1 + n > *len) return false;
    state->stored_by = *text + 1;
    state->stored_by_len = n;
    *text += 1 + n;
    *len -= 1 + n;
    return true;
}

/* Unpacks a state in compact form (LEN bytes at P, fewer than LAYOUT's fixed head). */
static bool
s_unpack_compact (socin_value_layout_t layout, const unsigned char *p, size_t len,
                  socin_value_state_t *state)
{
    const unsigned char *end = p + len;
    if (!len) return false;
    unsigned char flags = *p++;
    uint64_t m, ms, day;
    if (!socin_varint_get (&p, end, &m)) return false;
    uint64_t value = (uint64_t)socin_unzigzag (m);
    for (unsigned e = flags >> 4; e; e--)
        value *= 10;
    state->value = (socin_dec_t)value;
    state->deleted = flags & FLAG_DELETE;
    state->followup = flags & FLAG_FOLLOWUP;
    if (layout == SOCIN_VALUE_VERSION) {
        if (!socin_varint_get (&p, end, &ms) || !socin_varint_get (&p, end, &state->seq) ||
            !socin_varint_get (&p, end, &day))
            return false;
        state->ms = socin_unzigzag (ms);
        state->first_day = (int32_t)((int64_t)s_day (state->ms) - socin_unzigzag (day));
        state->plain = flags & FLAG_PLAIN;
    } else if (layout == SOCIN_VALUE_LEDGER && !socin_varint_get (&p, end, &state->seq))
        return false;
    const char *text = (const char *)p;
    size_t text_len = (size_t)(end - p);
    if (layout == SOCIN_VALUE_VERSION) {
        size_t n = text_len ? (unsigned char)text[0] : 0;
        if (!text_len || 1 + n > text_len) return false;
        state->text = text + 1;
        state->text_len = n;
        text += 1 + n;
        text_len -= 1 + n;
        if (!s_stored (flags, &text, &text_len, state)) return false;
        state->comment = text;
        state->comment_len = text_len;
        return true;
    }
    state->text = text;
    state->text_len = text_len;
    return s_stored (flags, &state->text, &state->text_len, state);
}

bool
socin_value_state_unpack (socin_value_layout_t layout, const void *data, size_t len,
                          socin_value_state_t *state)
{
    const unsigned char *p = data;
    size_t head = s_head (layout);
    memset (state, 0, sizeof *state);
    if (len < head) return s_unpack_compact (layout, p, len, state);
    switch (layout) {
    case SOCIN_VALUE_LEDGER:
        memcpy (&state->value, p, 8);
        memcpy (&state->seq, p + 8, 8);
        state->deleted = p[16] & FLAG_DELETE;
        break;
    case SOCIN_VALUE_VERSION:
        memcpy (&state->value, p, 8);
        memcpy (&state->ms, p + 8, 8);
        memcpy (&state->seq, p + 16, 8);
        state->deleted = p[24] & FLAG_DELETE;
        state->plain = p[24] & FLAG_PLAIN;
        memcpy (&state->first_day, p + 25, 4);
        break;
    case SOCIN_VALUE_CHANGE:
        state->deleted = p[0] & FLAG_DELETE;
        memcpy (&state->value, p + 1, 8);
        break;
    }
    state->text = (const char *)p + head;
    state->text_len = len - head;
    unsigned char flags = layout == SOCIN_VALUE_LEDGER   ? p[16]
                          : layout == SOCIN_VALUE_CHANGE ? p[0]
                                                         : p[24];
    if (layout == SOCIN_VALUE_VERSION) {
        if (!(flags & FLAG_WHOLE)) {
            state->logged = true;
            state->comment = "";
            return true;
        }
        /* The source, then the change's texts as a change state holds them. */
        size_t n = state->text_len ? (unsigned char)state->text[0] : 0;
        if (!state->text_len || 1 + n > state->text_len) return false;
        const char *rest = state->text + 1 + n;
        size_t rest_len = state->text_len - 1 - n;
        state->text += 1;
        state->text_len = n;
        if (!s_stored (flags, &rest, &rest_len, state)) return false;
        state->comment = rest;
        state->comment_len = rest_len;
    } else if (!s_stored (flags, &state->text, &state->text_len, state))
        return false;
    state->followup = flags & FLAG_FOLLOWUP;
    return true;
}

/* Who made the change, and when (unless E has it), from the packed ChangeBatch. */
static void
s_batch (Socin__V1__HistoryEntry *e, const void *batch, size_t batch_len)
{
    Socin__V1__ChangeBatch *b = socin__v1__change_batch__unpack (NULL, batch_len, batch);
    if (!b) return;
    e->submitter = socin_strdup (b->submitter);
    e->submitter_key = socin_strdup (b->submitter_key);
    e->submission_id = socin_strdup (b->submission_id);
    if (!e->changed_ms) e->changed_ms = b->accepted_ms;
    socin__v1__change_batch__free_unpacked (b, NULL);
}

Socin__V1__HistoryEntry *
socin_value_history_add (Socin__V1__ValueHistory *out, const socin_value_state_t *change,
                         const char *source, size_t source_len, const void *batch, size_t batch_len)
{
    Socin__V1__HistoryEntry *e = socin_malloc (sizeof *e);
    socin__v1__history_entry__init (e);
    e->deleted = change->deleted;
    char text[SOCIN_DEC_STRLEN] = "";
    if (!change->deleted) socin_dec_format (change->value, text, sizeof text);
    e->new_value = socin_strdup (text);
    const Socin__V1__HistoryEntry *prev = out->n_entries ? out->entries[out->n_entries - 1] : NULL;
    e->old_value = socin_strdup (prev ? prev->new_value : "");
    e->comment = socin_strndup (change->text, change->text_len);
    e->stored_by =
        socin_strndup (change->stored_by ? change->stored_by : "", change->stored_by_len);
    e->followup = change->followup;
    e->changed_ms = change->ms;
    e->source = socin_strndup (source, source_len);
    e->source_seq = change->seq;
    if (batch) s_batch (e, batch, batch_len);
    out->entries = socin_realloc (out->entries, (out->n_entries + 1) * sizeof *out->entries);
    out->entries[out->n_entries++] = e;
    return e;
}

socin_value_state_t
socin_value_change_of (const socin_value_state_t *version)
{
    socin_value_state_t change = {.value = version->value,
                                  .deleted = version->deleted,
                                  .seq = version->seq,
                                  .ms = version->ms,
                                  .text = version->comment,
                                  .text_len = version->comment_len,
                                  .stored_by = version->stored_by,
                                  .stored_by_len = version->stored_by_len,
                                  .followup = version->followup};
    return change;
}

int
socin_version_cmp (int64_t ams, const char *asrc, size_t alen, uint64_t aseq, int64_t bms,
                   const char *bsrc, size_t blen, uint64_t bseq)
{
    if (ams != bms) return ams > bms ? 1 : -1;
    size_t n = alen < blen ? alen : blen;
    int c = memcmp (asrc, bsrc, n);
    if (c) return c;
    if (alen != blen) return alen > blen ? 1 : -1;
    if (aseq != bseq) return aseq > bseq ? 1 : -1;
    return 0;
}
