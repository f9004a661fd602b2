/*  fuzz_feed: the submission files `socin submit` reads (DHIS2 CSV, dataValueSets JSON, socin
    events JSON), read item by item to the end or the first fault.

    Each input is read six times: in AUTO, CSV and JSON mode, each without and with deletions.
    Properties beyond "no crash, no sanitizer report": AUTO reads exactly as the format it
    chose; deletions change no count and no outcome; an item holds what its kind says, with a
    line inside the text; its strings and its error (when it has one) are valid UTF-8, as
    protobuf strings must be; and each item packs, as `socin submit` packs it into a
    submission. After a failure, the reader keeps failing with the same message.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "fixture.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
    size_t items, values, events, item_errors;
    int rc;
    socin_feed_format_t format;
    char err[512];
} s_outcome_t;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    return 0;
}

static void
s_check_item (const socin_feed_item_t *item, size_t lines)
{
    FUZZ_ASSERT (item->line >= 1 && item->line <= lines, "item on line %zu of %zu", item->line,
                 lines);
    const ProtobufCMessage *msg = NULL;
    if (item->kind == SOCIN_ITEM_VALUE) {
        FUZZ_ASSERT (item->value && !item->event, "a value item without its value");
        msg = &item->value->base;
    } else if (item->kind == SOCIN_ITEM_MEASURE) {
        FUZZ_ASSERT (item->measure && !item->value && !item->event,
                     "a measure item without its progress");
        msg = &item->measure->base;
    } else {
        FUZZ_ASSERT (item->kind == SOCIN_ITEM_EVENT && item->event && !item->value,
                     "an item of kind %d", (int)item->kind);
        msg = &item->event->base;
    }
    fuzz_check_message_utf8 ("item", msg);
    if (item->error[0]) {
        fuzz_check_utf8 ("item error", item->error);
        FUZZ_ASSERT (item->code != 0 && item->field[0], "an item error without code or field");
    }
    size_t len = protobuf_c_message_get_packed_size (msg);
    uint8_t *buf = malloc (len ? len : 1);
    FUZZ_ASSERT (buf, "out of memory");
    FUZZ_ASSERT (protobuf_c_message_pack (msg, buf) == len, "pack length");
    free (buf);
}

static s_outcome_t
s_read (const char *data, size_t size, socin_feed_format_t format, bool deletions)
{
    s_outcome_t o = {0};
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    socin_feed_t *feed = socin_feed_new (data, size, "fuzz.txt", format, deletions);
    socin_feed_item_t item;
    while ((o.rc = socin_feed_next (feed, &item, o.err, sizeof o.err)) == 1) {
        s_check_item (&item, lines);
        o.items++;
        o.values += item.kind == SOCIN_ITEM_VALUE;
        o.events += item.kind == SOCIN_ITEM_EVENT;
        o.item_errors += item.error[0] != 0;
        socin_feed_item_clear (&item);
    }
    FUZZ_ASSERT (o.rc == 0 || o.rc == -1, "socin_feed_next returned %d", o.rc);
    FUZZ_ASSERT (socin_feed_offset (feed) <= size, "offset %zu past %zu bytes",
                 socin_feed_offset (feed), size);
    if (o.rc < 0) {
        FUZZ_ASSERT (o.err[0], "a failure without a message");
        char again[512];
        FUZZ_ASSERT (socin_feed_next (feed, &item, again, sizeof again) == -1 &&
                         !strcmp (again, o.err),
                     "after \"%s\" the reader said \"%s\"", o.err, again);
    }
    o.format = socin_feed_format (feed);
    socin_feed_destroy (&feed);
    return o;
}

static void
s_same (const s_outcome_t *a, const s_outcome_t *b, const char *what)
{
    FUZZ_ASSERT (a->items == b->items && a->values == b->values && a->events == b->events &&
                     a->item_errors == b->item_errors && a->rc == b->rc && !strcmp (a->err, b->err),
                 "%s: %zu items, rc %d, \"%s\" against %zu items, rc %d, \"%s\"", what, a->items,
                 a->rc, a->err, b->items, b->rc, b->err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    s_outcome_t outcome[3][2];
    static const socin_feed_format_t formats[3] = {SOCIN_FEED_AUTO, SOCIN_FEED_CSV,
                                                   SOCIN_FEED_JSON};
    for (int f = 0; f < 3; f++)
        for (int d = 0; d < 2; d++)
            outcome[f][d] = s_read (text, size, formats[f], d);
    for (int f = 0; f < 3; f++)
        s_same (&outcome[f][0], &outcome[f][1], "with deletions");
    const s_outcome_t *chosen = &outcome[outcome[0][0].format == SOCIN_FEED_JSON ? 2 : 1][0];
    s_same (&outcome[0][0], chosen, "AUTO against its format");
    return 0;
}
