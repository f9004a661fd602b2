/*  feed: reading submission files item by item, with the line each item came from.

    Three formats, as regional offices produce them:
      - DHIS2 CSV: a header row (read by position, as DHIS2 does: its names are not checked),
        then rows of dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo,
        value, storedby, lastupdated, comment, followup (the first six required). Codes are
        socin codes: dataelement is the indicator, orgunit the unit, categoryoptioncombo the
        disaggregation ("sex=f,target_group=roma"). storedby and followup travel with the
        value (DataValue.stored_by, .followup); attributeoptioncombo, which socin has no
        separate place for, joins the disaggregation when it is dimension=option pairs, is
        nothing when empty, "default" or DHIS2's default HllvX50cXC0, and makes the item an
        error otherwise (never silently dropped); lastupdated is the ingest's to set.
      - DHIS2 dataValueSets JSON: {"dataValues": [{"dataElement", "period", "orgUnit",
        "categoryOptionCombo", "attributeOptionCombo", "value", "storedBy", "comment",
        "followup", "deleted"}...]} (the columns as in CSV; other members are skipped) with optional
   top-level "period" and "orgUnit" applying to values that lack them; a value without "value" is a
   deletion when the reader was asked for deletions, else it is sent without a value.
      - socin events JSON: {"events": [{"event_id", "unit", "date", "type", "topic",
        "participants", "vulnerable": {"roma": 3, ...}, "open_to_public",
        "platform_includes_vulnerable", "delete"}...]} (and "dataValues" may sit beside it).
      - measure progress (docs/plans.md): JSON {"measures": [{"plan", "measure", "period",
        "status", "spent": {"own": "1200.50", ...}, "output_value", "comment", "delete"}...]}
        beside the others, or CSV whose header starts with "plan": plan, measure, period,
        status, spent_<source>..., output_value, comment, read by column name.
    The whole file must be valid UTF-8. Structural faults (a row with too few columns,
    broken JSON, a field of the wrong JSON type) stop the reading with a message naming the
    file, line and what is wrong, so a bad file is refused before anything of it is sent.
    Faults of one item that the file format itself shows (an unknown event type name) are
    reported on that item, which is then not sent; everything else is left to the ingest's
    validation.
*/
#ifndef SOCIN_FEED_H
#define SOCIN_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "socin/v1/ingest.pb-c.h"

typedef enum {
    SOCIN_FEED_AUTO = 0, /* by the first non-blank byte: '{' or '[' is JSON, else CSV */
    SOCIN_FEED_CSV = 1,
    SOCIN_FEED_JSON = 2,
} socin_feed_format_t;

typedef enum {
    SOCIN_ITEM_VALUE = 1,
    SOCIN_ITEM_EVENT = 2,
    SOCIN_ITEM_MEASURE = 3,
} socin_item_kind_t;

/* One item. VALUE or EVENT (by KIND) is malloc'ed with its strings: free it with
   protobuf_c_message_free_unpacked, or hand it on. When ERROR is not empty the item could not
   be read (e.g. an unknown event type) and must not be sent; CODE is the wire API's error
   code for it and FIELD the field at fault. */
typedef struct {
    socin_item_kind_t kind;
    Socin__V1__DataValue *value;
    Socin__V1__ParticipationEvent *event;
    Socin__V1__MeasureProgress *measure;
    size_t line;
    int code;
    char field[32];
    char error[300];
} socin_feed_item_t;

typedef struct socin_feed_t socin_feed_t;

/* A reader over LEN bytes of DATA (not copied; it must outlive the reader). NAME labels
   messages (the file name). DELETIONS makes values without a value deletions. */
socin_feed_t *socin_feed_new (const char *data, size_t len, const char *name,
                              socin_feed_format_t format, bool deletions);
void socin_feed_destroy (socin_feed_t **self_p);

/* The next item: 1 with ITEM filled, 0 at the end, or -1 with a message in ERR ("feed.csv
   line 7: 4 columns; a data value row has at least 6 (dataelement, period, orgunit,
   categoryoptioncombo, attributeoptioncombo, value)"), after which reading stops. */
int socin_feed_next (socin_feed_t *self, socin_feed_item_t *item, char *err, size_t errlen);

/* Bytes read so far, for progress. */
size_t socin_feed_offset (socin_feed_t *self);

/* The format being read (after AUTO resolved). */
socin_feed_format_t socin_feed_format (socin_feed_t *self);

/* Frees what ITEM holds (its value, event or measure progress) and zeroes it. */
void socin_feed_item_clear (socin_feed_item_t *item);

#endif
