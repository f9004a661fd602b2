/*  test_valuestate: the stored state of a value, and the history entries built from it.

    What matters: a state whose compact form is shorter than its layout's fixed head packs
    compact, any other packs to exactly the fixed bytes the stores already hold (stores written
    before must read the same); both unpack back to what was packed, bytes cut short are
    refused, and a history lists old and new values, deletions and who sent each change.
*/
#include "valuestate.h"
#include "testing.h"

#include <stdlib.h>
#include <string.h>

#include "socin/v1/forward.pb-c.h"

static const socin_dec_t s_value = 12500000; /* 12.5 */

/* The bytes of the layouts as ingest and reporting wrote them by hand (little-endian). */
static const unsigned char s_ledger[] = {
    0x20, 0xBC, 0xBE, 0x00, 0x00, 0x00, 0x00, 0x00,                          /* value */
    0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                          /* seq */
    0x00,                                                                    /* flags */
    'c',  'h',  'e',  'c',  'k',  'e',  'd',  ' ',  't', 'w', 'i', 'c', 'e', /* comment */
};
static const unsigned char s_version[] = {
    0x20, 0xBC, 0xBE, 0x00, 0x00, 0x00, 0x00, 0x00, /* value */
    0x00, 0x10, 0x20, 0x30, 0x40, 0x01, 0x00, 0x00, /* accepted ms */
    0x2A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* seq */
    0x01,                                           /* flags: deleted */
    0x8E, 0x50, 0x00, 0x00,                         /* first day */
    'P',  'H',  'A',                                /* source */
};
/* The same version as reporting writes it now: the change whole (flags bit 4), its source
   length, source and comment. */
static const unsigned char s_version_whole[] = {
    0x20, 0xBC, 0xBE, 0x00, 0x00, 0x00, 0x00, 0x00, /* value */
    0x00, 0x10, 0x20, 0x30, 0x40, 0x01, 0x00, 0x00, /* accepted ms */
    0x2A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* seq */
    0x11,                                           /* flags: deleted, whole */
    0x8E, 0x50, 0x00, 0x00,                         /* first day */
    0x03, 'P',  'H',  'A',                          /* source */
    'f',  'i',  'x',  'e',  'd',  ' ',  't',  'h',  'e', ' ', 's', 'u', 'm', /* comment */
};
static const unsigned char s_change[] = {
    0x00,                                                                    /* flags */
    0x20, 0xBC, 0xBE, 0x00, 0x00, 0x00, 0x00, 0x00,                          /* value */
    'f',  'i',  'x',  'e',  'd',  ' ',  't',  'h',  'e', ' ', 's', 'u', 'm', /* comment */
};
/* The compact form of 12.5, seq 7, "ok": flags with five zeros taken off (0x50), 125 zigzagged
   (250 as a varint), seq 7, the comment. */
static const unsigned char s_ledger_compact[] = {0x50, 0xFA, 0x01, 0x07, 'o', 'k'};

static bool
s_packs_to (socin_value_layout_t layout, const socin_value_state_t *st, const unsigned char *bytes,
            size_t len)
{
    unsigned char buf[64];
    if (socin_value_state_size (layout, st) != len) return false;
    memset (buf, 0xEE, sizeof buf);
    socin_value_state_pack (layout, st, buf);
    return memcmp (buf, bytes, len) == 0 && buf[len] == 0xEE;
}

static void
a_layouts_pack_to_the_stored_bytes (void)
{
    socin_value_state_t ledger = {.value = s_value, .seq = 7, .text = "ok", .text_len = 2};
    CHECK (s_packs_to (SOCIN_VALUE_LEDGER, &ledger, s_ledger_compact, sizeof s_ledger_compact));
    /* Thirteen bytes of comment make the compact form as long as the fixed head: fixed. */
    ledger.text = "checked twice";
    ledger.text_len = 13;
    CHECK (s_packs_to (SOCIN_VALUE_LEDGER, &ledger, s_ledger, sizeof s_ledger));
    socin_value_state_t version = {.value = s_value,
                                   .deleted = true,
                                   .seq = 42,
                                   .ms = 0x0140302010 * 256,
                                   .first_day = 20622,
                                   .text = "PHA",
                                   .text_len = 3,
                                   .comment = "fixed the sum",
                                   .comment_len = 13};
    CHECK (s_packs_to (SOCIN_VALUE_VERSION, &version, s_version_whole, sizeof s_version_whole));
    socin_value_state_t change = {.value = s_value, .text = "fixed the sum", .text_len = 13};
    CHECK (s_packs_to (SOCIN_VALUE_CHANGE, &change, s_change, sizeof s_change));
    /* Shorter comments: compact, each shorter than its fixed head. */
    version.comment_len = change.text_len = 3;
    CHECK (socin_value_state_size (SOCIN_VALUE_VERSION, &version) < 29);
    CHECK (socin_value_state_size (SOCIN_VALUE_CHANGE, &change) < 9);
    /* A tombstone: flags, a zero and the seq. */
    socin_value_state_t gone = {.deleted = true, .seq = 9};
    CHECK_INT (socin_value_state_size (SOCIN_VALUE_LEDGER, &gone), 3);
    CHECK (socin_value_state_size (SOCIN_VALUE_VERSION, &gone) <= SOCIN_VALUE_HEAD_MAX);
}

static void
a_stored_bytes_unpack_to_their_state (void)
{
    socin_value_state_t st;
    CHECK (socin_value_state_unpack (SOCIN_VALUE_LEDGER, s_ledger, sizeof s_ledger, &st));
    CHECK (st.value == s_value);
    CHECK_INT (st.seq, 7);
    CHECK (!st.deleted);
    CHECK_INT (st.text_len, 13);
    CHECK (!memcmp (st.text, "checked twice", 13));
    CHECK (socin_value_state_unpack (SOCIN_VALUE_LEDGER, s_ledger_compact, sizeof s_ledger_compact,
                                     &st));
    CHECK (st.value == s_value && st.seq == 7 && !st.deleted);
    CHECK (st.text_len == 2 && !memcmp (st.text, "ok", 2));
    CHECK (socin_value_state_unpack (SOCIN_VALUE_VERSION, s_version, sizeof s_version, &st));
    CHECK (st.value == s_value);
    CHECK (st.deleted);
    CHECK_INT (st.seq, 42);
    CHECK (st.ms == 0x0140302010 * 256);
    CHECK_INT (st.first_day, 20622);
    CHECK (st.text_len == 3 && !memcmp (st.text, "PHA", 3));
    /* An older store's version: its change is in the history, with the comment. */
    CHECK (st.logged && st.comment_len == 0);
    CHECK (socin_value_state_unpack (SOCIN_VALUE_VERSION, s_version_whole, sizeof s_version_whole,
                                     &st));
    CHECK (st.value == s_value && st.deleted && st.seq == 42 && st.first_day == 20622);
    CHECK (st.text_len == 3 && !memcmp (st.text, "PHA", 3));
    CHECK (!st.logged && st.comment_len == 13 && !memcmp (st.comment, "fixed the sum", 13));
    /* A version with who keyed it in and a follow-up mark round-trips them with its comment. */
    {
        socin_value_state_t in = {.value = 5,
                                  .text = "CZ",
                                  .text_len = 2,
                                  .stored_by = "ana",
                                  .stored_by_len = 3,
                                  .followup = true,
                                  .comment = "c",
                                  .comment_len = 1};
        unsigned char buf[64];
        socin_value_state_pack (SOCIN_VALUE_VERSION, &in, buf);
        /* Compact: flags, value, ms, seq, days, then source length, source, stored_by's
           length, stored_by, comment. */
        CHECK_INT (socin_value_state_size (SOCIN_VALUE_VERSION, &in), 5 + 1 + 2 + 1 + 3 + 1);
        CHECK (socin_value_state_unpack (SOCIN_VALUE_VERSION, buf,
                                         socin_value_state_size (SOCIN_VALUE_VERSION, &in), &st));
        CHECK (st.text_len == 2 && !memcmp (st.text, "CZ", 2) && st.stored_by_len == 3 &&
               !memcmp (st.stored_by, "ana", 3) && st.followup && st.comment_len == 1 &&
               st.comment[0] == 'c' && !st.logged);
    }
    /* A source length beyond the bytes there are. */
    CHECK (!socin_value_state_unpack (SOCIN_VALUE_VERSION, s_version_whole, 31, &st));
    CHECK (socin_value_state_unpack (SOCIN_VALUE_CHANGE, s_change, sizeof s_change, &st));
    CHECK (st.value == s_value && !st.deleted);
    CHECK (st.text_len == 13 && !memcmp (st.text, "fixed the sum", 13));
    /* Compact bytes cut short: no flags, a varint without its end, a version without its
       source length. */
    CHECK (!socin_value_state_unpack (SOCIN_VALUE_LEDGER, s_ledger_compact, 0, &st));
    CHECK (!socin_value_state_unpack (SOCIN_VALUE_LEDGER, s_ledger_compact, 2, &st));
    CHECK (!socin_value_state_unpack (SOCIN_VALUE_CHANGE, s_ledger_compact, 2, &st));
    const unsigned char version_cut[] = {0x00, 0x02, 0x04, 0x06, 0x00};
    CHECK (!socin_value_state_unpack (SOCIN_VALUE_VERSION, version_cut, sizeof version_cut, &st));
}

static void
a_state_round_trips (void)
{
    const socin_value_layout_t layouts[] = {SOCIN_VALUE_LEDGER, SOCIN_VALUE_VERSION,
                                            SOCIN_VALUE_CHANGE};
    const socin_dec_t values[] = {-123456789, INT64_MIN, INT64_MAX, 0, -10, 1000000000000000000};
    for (size_t i = 0; i < 18; i++) {
        socin_value_state_t in = {
            .value = values[i / 3], .deleted = true, .text = "", .text_len = 0};
        if (layouts[i % 3] != SOCIN_VALUE_CHANGE) in.seq = UINT64_MAX;
        if (layouts[i % 3] == SOCIN_VALUE_VERSION) {
            in.ms = -5;
            in.first_day = -1;
        }
        unsigned char buf[64];
        socin_value_state_t out;
        socin_value_state_pack (layouts[i % 3], &in, buf);
        CHECK (socin_value_state_unpack (layouts[i % 3], buf,
                                         socin_value_state_size (layouts[i % 3], &in), &out));
        CHECK (out.value == in.value && out.deleted && out.seq == in.seq && out.ms == in.ms &&
               out.first_day == in.first_day && out.text_len == 0);
    }
}

static void
a_history_lists_old_and_new_values_and_who (void)
{
    Socin__V1__ChangeBatch batch = SOCIN__V1__CHANGE_BATCH__INIT;
    batch.seq = 3;
    batch.submitter = "praha";
    batch.submitter_key = "KEY";
    batch.submission_id = "sub-1";
    batch.accepted_ms = 1750000000000;
    uint8_t packed[256];
    size_t plen = socin__v1__change_batch__pack (&batch, packed);
    Socin__V1__ValueHistory h = SOCIN__V1__VALUE_HISTORY__INIT;
    socin_value_state_t first = {.value = s_value, .seq = 3, .text = "first", .text_len = 5};
    Socin__V1__HistoryEntry *e = socin_value_history_add (&h, &first, "PHA-x", 3, packed, plen);
    CHECK_STR (e->new_value, "12.5");
    CHECK_STR (e->old_value, "");
    CHECK_STR (e->comment, "first");
    CHECK_STR (e->source, "PHA");
    CHECK_INT (e->source_seq, 3);
    CHECK_STR (e->submitter, "praha");
    CHECK_STR (e->submitter_key, "KEY");
    CHECK_STR (e->submission_id, "sub-1");
    CHECK (e->changed_ms == 1750000000000); /* from the batch: the change had no time */
    socin_value_state_t gone = {.deleted = true, .seq = 4, .ms = 5};
    e = socin_value_history_add (&h, &gone, "PHA", 3, NULL, 0);
    CHECK (e->deleted);
    CHECK_STR (e->new_value, "");
    CHECK_STR (e->old_value, "12.5");
    CHECK (e->changed_ms == 5);
    CHECK_STR (e->submitter, "");
    socin_value_state_t again = {.value = 1, .seq = 5};
    e = socin_value_history_add (&h, &again, "PHA", 3, NULL, 0);
    CHECK_STR (e->new_value, "0.000001");
    CHECK_STR (e->old_value, "");
    CHECK_INT (h.n_entries, 3);
    for (size_t i = 0; i < h.n_entries; i++)
        protobuf_c_message_free_unpacked (&h.entries[i]->base, NULL);
    free (h.entries);
}

/* 1.2: stored_by and followup ride in ledger and change states; older bytes read as before. */
static void
a_stored_by_and_followup_round_trip (void)
{
    socin_value_state_t change = {.value = 7000000,
                                  .text = "checked",
                                  .text_len = 7,
                                  .stored_by = "jana.novakova",
                                  .stored_by_len = 13,
                                  .followup = true};
    unsigned char buf[128];
    CHECK_INT (socin_value_state_size (SOCIN_VALUE_CHANGE, &change), 9 + 1 + 13 + 7);
    socin_value_state_pack (SOCIN_VALUE_CHANGE, &change, buf);
    CHECK_INT (buf[0], 2 | 4); /* followup, stored_by present */
    CHECK_INT (buf[9], 13);
    socin_value_state_t back;
    CHECK (socin_value_state_unpack (SOCIN_VALUE_CHANGE, buf, 30, &back));
    CHECK (back.followup && !back.deleted && back.value == 7000000);
    CHECK (back.stored_by_len == 13 && !memcmp (back.stored_by, "jana.novakova", 13));
    CHECK (back.text_len == 7 && !memcmp (back.text, "checked", 7));
    socin_value_state_t ledger = {.value = 1, .seq = 9, .stored_by = "petr", .stored_by_len = 4};
    socin_value_state_pack (SOCIN_VALUE_LEDGER, &ledger, buf);
    size_t len = socin_value_state_size (SOCIN_VALUE_LEDGER, &ledger);
    CHECK_INT (len, 3 + 5);
    CHECK (socin_value_state_unpack (SOCIN_VALUE_LEDGER, buf, len, &back));
    CHECK (back.seq == 9 && !back.followup && back.stored_by_len == 4 && back.text_len == 0);
    /* A length byte beyond the bytes there are is refused, never read past. */
    buf[3] = 200;
    CHECK (!socin_value_state_unpack (SOCIN_VALUE_LEDGER, buf, len, &back));
    Socin__V1__ValueHistory h = SOCIN__V1__VALUE_HISTORY__INIT;
    Socin__V1__HistoryEntry *e = socin_value_history_add (&h, &change, "CZ020", 5, NULL, 0);
    CHECK_STR (e->stored_by, "jana.novakova");
    CHECK (e->followup);
    CHECK_STR (e->comment, "checked");
    protobuf_c_message_free_unpacked (&e->base, NULL);
    free (h.entries);
}

/* 1.2: a version whose change carried nothing beside the value says so (flags bit 3); every
   version written before reads as not plain, so a reader still fetches its change. */
static void
a_plain_version_says_so_and_older_ones_read_as_before (void)
{
    socin_value_state_t v = {
        .value = s_value, .seq = 42, .ms = 7, .text = "PHA", .text_len = 3, .plain = true};
    unsigned char buf[64];
    socin_value_state_pack (SOCIN_VALUE_VERSION, &v, buf);
    CHECK_INT (buf[0] & 15, 8); /* plain (compact: the change is always whole) */
    socin_value_state_t back;
    CHECK (socin_value_state_unpack (SOCIN_VALUE_VERSION, buf,
                                     socin_value_state_size (SOCIN_VALUE_VERSION, &v), &back));
    CHECK (back.plain && !back.deleted && back.value == s_value && back.seq == 42);
    CHECK (back.text_len == 3 && !memcmp (back.text, "PHA", 3));
    /* Plain follows from the change: a comment makes a version not plain. */
    v.comment = "c";
    v.comment_len = 1;
    socin_value_state_pack (SOCIN_VALUE_VERSION, &v, buf);
    CHECK_INT (buf[0] & 15, 0);
    /* A plain version as 1.2 stored it before versions held their change: source only. */
    unsigned char old_plain[sizeof s_version];
    memcpy (old_plain, s_version, sizeof s_version);
    old_plain[24] = 8;
    CHECK (socin_value_state_unpack (SOCIN_VALUE_VERSION, old_plain, sizeof old_plain, &back));
    CHECK (back.plain && back.logged && back.text_len == 3 && !memcmp (back.text, "PHA", 3));
    /* The bytes reporting stored before 1.2: not plain. */
    CHECK (socin_value_state_unpack (SOCIN_VALUE_VERSION, s_version, sizeof s_version, &back));
    CHECK (!back.plain && back.deleted);
    /* Ledger and change states never carry the bit. */
    socin_value_state_t change = {.value = 1, .plain = true};
    socin_value_state_pack (SOCIN_VALUE_CHANGE, &change, buf);
    CHECK_INT (buf[0], 0);
    socin_value_state_pack (SOCIN_VALUE_LEDGER, &change, buf);
    CHECK_INT (buf[0], 0);
}

/* The zeros a compact state takes off its value, counted one division at a time. */
static unsigned
s_zeros (socin_dec_t m)
{
    unsigned e = 0;
    while (e < 15 && m != 0 && m % 10 == 0) {
        m /= 10;
        e++;
    }
    return e;
}

static void
a_compact_value_takes_off_each_count_of_zeros (void)
{
    /* Mantissas with no zero at the end, times every power of ten that fits in 63 bits, both
       signs: bits 4-7 of the flags say how many zeros came off (at most 15), and the value
       comes back exactly. */
    static const socin_dec_t mant[] = {1, 3, 7, 9, 11, 125, 99999, 123456789};
    int checked = 0;
    for (size_t i = 0; i < sizeof mant / sizeof mant[0]; i++) {
        socin_dec_t v = mant[i];
        for (int z = 0; z <= 18 && v <= INT64_MAX / 10; z++, v *= 10)
            for (int sign = 1; sign >= -1; sign -= 2) {
                socin_value_state_t st = {.value = v * sign, .seq = 3}, back;
                unsigned char buf[64];
                size_t len = socin_value_state_size (SOCIN_VALUE_LEDGER, &st);
                socin_value_state_pack (SOCIN_VALUE_LEDGER, &st, buf);
                CHECK (len < 17); /* compact */
                CHECK_INT (buf[0] >> 4, (int)s_zeros (v * sign));
                CHECK (socin_value_state_unpack (SOCIN_VALUE_LEDGER, buf, len, &back));
                CHECK (back.value == v * sign && back.seq == 3);
                checked++;
            }
    }
    CHECK (checked > 250);
}

int
main (void)
{
    RUN (a_layouts_pack_to_the_stored_bytes,
         "a state packs compact when that is shorter than its layout's fixed head, otherwise to "
         "exactly the fixed bytes the stores hold");
    RUN (a_stored_bytes_unpack_to_their_state,
         "stored bytes, fixed or compact, unpack to their state; bytes cut short are refused");
    RUN (a_compact_value_takes_off_each_count_of_zeros,
         "a compact state takes every count of decimal zeros off its value, at most 15, and gives "
         "the value back exactly");
    RUN (a_state_round_trips, "a state packed and unpacked comes back the same in every layout");
    RUN (a_history_lists_old_and_new_values_and_who,
         "a history lists each change's old and new value, deletions, and who sent it when");
    RUN (a_stored_by_and_followup_round_trip,
         "stored_by and followup ride in ledger and change states and reach the history; a bad "
         "length is refused");
    RUN (a_plain_version_says_so_and_older_ones_read_as_before,
         "a version whose change has no comment, stored_by or follow-up says so; versions stored "
         "before read as not plain");
    return TEST_SUMMARY ();
}
