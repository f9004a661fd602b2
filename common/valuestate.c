/*  valuestate: stored value states and history entries. See valuestate.h. */
#include "valuestate.h"

#include <string.h>

#include "mem.h"
#include "socin/v1/forward.pb-c.h"

#define FLAG_DELETE  1
#define FLAG_WHOLE   2  /* version: source length, source and comment follow the head */
#define LEDGER_HEAD  17 /* value 8, seq 8, flags 1 */
#define VERSION_HEAD 29 /* value 8, ms 8, seq 8, flags 1, first day 4 */
#define CHANGE_HEAD  9  /* flags 1, value 8 */

static size_t
s_head (socin_value_layout_t layout)
{
    return layout == SOCIN_VALUE_LEDGER    ? LEDGER_HEAD
           : layout == SOCIN_VALUE_VERSION ? VERSION_HEAD
                                           : CHANGE_HEAD;
}

/* The source of a version is cut to what its length byte can say. */
static size_t
s_source_len (const socin_value_state_t *state)
{
    return state->text_len > 255 ? 255 : state->text_len;
}

size_t
socin_value_state_size (socin_value_layout_t layout, const socin_value_state_t *state)
{
    if (layout == SOCIN_VALUE_VERSION)
        return VERSION_HEAD + 1 + s_source_len (state) + state->comment_len;
    return s_head (layout) + state->text_len;
}

void
socin_value_state_pack (socin_value_layout_t layout, const socin_value_state_t *state, void *buf)
{
    unsigned char *p = buf;
    unsigned char flags = state->deleted ? FLAG_DELETE : 0;
    switch (layout) {
    case SOCIN_VALUE_LEDGER:
        memcpy (p, &state->value, 8);
        memcpy (p + 8, &state->seq, 8);
        p[16] = flags;
        break;
    case SOCIN_VALUE_VERSION: {
        size_t slen = s_source_len (state);
        memcpy (p, &state->value, 8);
        memcpy (p + 8, &state->ms, 8);
        memcpy (p + 16, &state->seq, 8);
        p[24] = flags | FLAG_WHOLE;
        memcpy (p + 25, &state->first_day, 4);
        p[VERSION_HEAD] = (unsigned char)slen;
        if (slen) memcpy (p + VERSION_HEAD + 1, state->text, slen);
        if (state->comment_len)
            memcpy (p + VERSION_HEAD + 1 + slen, state->comment, state->comment_len);
        return;
    }
    case SOCIN_VALUE_CHANGE:
        p[0] = flags;
        memcpy (p + 1, &state->value, 8);
        break;
    }
    if (state->text_len) memcpy (p + s_head (layout), state->text, state->text_len);
}

bool
socin_value_state_unpack (socin_value_layout_t layout, const void *data, size_t len,
                          socin_value_state_t *state)
{
    const unsigned char *p = data;
    size_t head = s_head (layout);
    memset (state, 0, sizeof *state);
    if (len < head) return false;
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
        memcpy (&state->first_day, p + 25, 4);
        if (p[24] & FLAG_WHOLE) {
            size_t slen = len > head ? p[head] : 0;
            if (len < head + 1 + slen) return false;
            state->text = (const char *)p + head + 1;
            state->text_len = slen;
            state->comment = state->text + slen;
            state->comment_len = len - head - 1 - slen;
            return true;
        }
        state->logged = true;
        state->comment = "";
        break;
    case SOCIN_VALUE_CHANGE:
        state->deleted = p[0] & FLAG_DELETE;
        memcpy (&state->value, p + 1, 8);
        break;
    }
    state->text = (const char *)p + head;
    state->text_len = len - head;
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
    e->changed_ms = change->ms;
    e->source = socin_strndup (source, source_len);
    e->source_seq = change->seq;
    if (batch) s_batch (e, batch, batch_len);
    out->entries = socin_realloc (out->entries, (out->n_entries + 1) * sizeof *out->entries);
    out->entries[out->n_entries++] = e;
    return e;
}
