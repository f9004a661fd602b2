/*  test_feed: reading submission files item by item.

    Real DHIS2 files (from DHIS2's own test suite) in CSV and dataValueSets JSON, socin events
    JSON, the structural faults that stop a file with its line named, the item faults that
    are reported on the item, and a file of 200,000 rows read in constant memory.
*/
#include "feed.h"
#include "testing.h"

#include <stdlib.h>
#include <time.h>

/* What reading a whole text gave: the items (up to 64 kept), the last return code, the error. */
typedef struct {
    socin_feed_item_t items[64];
    size_t n;
    int rc;
    char err[512];
} s_result_t;

static s_result_t s_r;

static void
s_clear (void)
{
    for (size_t i = 0; i < s_r.n && i < 64; i++) socin_feed_item_clear (&s_r.items[i]);
    memset (&s_r, 0, sizeof s_r);
}

/* Reads LEN bytes of TEXT to the end or the first failure into s_r. */
static s_result_t *
s_read_n (const char *text, size_t len, const char *name, socin_feed_format_t format,
          bool deletions)
{
    s_clear ();
    socin_feed_t *feed = socin_feed_new (text, len, name, format, deletions);
    socin_feed_item_t item;
    while ((s_r.rc = socin_feed_next (feed, &item, s_r.err, sizeof s_r.err)) == 1) {
        if (s_r.n < 64)
            s_r.items[s_r.n] = item;
        else
            socin_feed_item_clear (&item);
        s_r.n++;
    }
    socin_feed_destroy (&feed);
    return &s_r;
}

static s_result_t *
s_read (const char *text, socin_feed_format_t format, bool deletions)
{
    return s_read_n (text, strlen (text), "feed.json", format, deletions);
}

static s_result_t *
s_read_csv (const char *text, bool deletions)
{
    return s_read_n (text, strlen (text), "feed.csv", SOCIN_FEED_CSV, deletions);
}

/* Expects the reading R to have stopped after ITEMS items with exactly MESSAGE. */
static void
s_refused (const s_result_t *r, size_t items, const char *message)
{
    CHECK_INT (r->rc, -1);
    CHECK_INT (r->n, items);
    CHECK_STR (r->err, message);
}

/* Reads the DHIS2 test file ../shared/data/dhis2/NAME into s_r: false when it cannot be opened. */
static bool
s_read_file (const char *name, socin_feed_format_t format, bool deletions)
{
    const char *shared = getenv ("SOCIN_SHARED");
    char path[1024];
    snprintf (path, sizeof path, "%s/data/dhis2/%s", shared ? shared : "../shared", name);
    FILE *file = fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "    cannot open %s\n", path);
        return false;
    }
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *data = malloc ((size_t)size + 1);
    size_t len = fread (data, 1, (size_t)size, file);
    fclose (file);
    s_read_n (data, len, name, format, deletions);
    free (data); /* the items hold copies */
    return true;
}

static Socin__V1__DataValue *
s_value (size_t i)
{
    static Socin__V1__DataValue empty = SOCIN__V1__DATA_VALUE__INIT;
    if (i >= s_r.n || s_r.items[i].kind != SOCIN_ITEM_VALUE || !s_r.items[i].value) {
        fprintf (stderr, "    item %zu is not a data value\n", i);
        return &empty;
    }
    return s_r.items[i].value;
}

static Socin__V1__ParticipationEvent *
s_event (size_t i)
{
    static Socin__V1__ParticipationEvent empty = SOCIN__V1__PARTICIPATION_EVENT__INIT;
    if (i >= s_r.n || s_r.items[i].kind != SOCIN_ITEM_EVENT || !s_r.items[i].event) {
        fprintf (stderr, "    item %zu is not an event\n", i);
        return &empty;
    }
    return s_r.items[i].event;
}

static void
reads_the_dhis2_boolean_csv_by_position (void)
{
    CHECK (s_read_file ("dataValueSetBooleanTest.csv", SOCIN_FEED_AUTO, false));
    CHECK_INT (s_r.rc, 0);
    CHECK_STR (s_r.err, "");
    CHECK_INT (s_r.n, 18);
    const char *values[] = {"true", "True", "false", "False", "f",     "F",
                            "t",    "T",    "1",     "0",     "test",  "not true",
                            "1",    "t",    "true",  "True",  "false", "test"};
    for (size_t i = 0; i < 18 && i < s_r.n; i++) {
        Socin__V1__DataValue *v = s_value (i);
        CHECK_INT (s_r.items[i].line, i + 2);
        CHECK_STR (s_r.items[i].error, "");
        CHECK_STR (v->value, values[i]);
        CHECK_STR (v->indicator, i < 12 ? "jH26dja2f30" : "jH26dja2f31");
        CHECK_STR (v->unit, i == 8 ? "BdfsJfj87js" : "DiszpKrYNg8");
        CHECK_STR (v->period, i < 2 || i == 8 ? "201201" : "201202");
        CHECK_STR (v->disaggregation, "");
        CHECK_STR (v->comment, "comment");
        CHECK (!v->delete_);
    }
    s_clear ();
}

static void
reads_the_minimal_dhis2_json_with_the_line_of_its_object (void)
{
    CHECK (s_read_file ("dataValueSetJ.json", SOCIN_FEED_AUTO, false));
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 1);
    CHECK_INT (s_r.items[0].kind, SOCIN_ITEM_VALUE);
    CHECK_INT (s_r.items[0].line, 3);
    CHECK_STR (s_value (0)->value, "10");
    CHECK_STR (s_value (0)->indicator, "f7n9E0hX8qk");
    CHECK_STR (s_value (0)->period, "201201");
    CHECK_STR (s_value (0)->unit, "DiszpKrYNg8");
    CHECK_STR (s_value (0)->disaggregation, "");
    CHECK (!s_value (0)->delete_);
    s_clear ();
}

static void
a_value_without_a_value_is_a_deletion_only_when_asked (void)
{
    CHECK (s_read_file ("dataValueSetJDeleteNoValue.json", SOCIN_FEED_JSON, true));
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 1);
    CHECK_INT (s_r.items[0].line, 3);
    CHECK (s_value (0)->delete_);
    CHECK_STR (s_value (0)->indicator, "f7n9E0hX8qk");
    CHECK (s_read_file ("dataValueSetJDeleteNoValue.json", SOCIN_FEED_JSON, false));
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 1);
    CHECK (!s_value (0)->delete_);
    CHECK_STR (s_value (0)->value, "");
    s_clear ();
}

static void
top_level_period_and_org_unit_apply_to_values_that_lack_them (void)
{
    s_read ("{\"period\": \"2025Q1\", \"orgUnit\": \"582786\", \"dataValues\": [\n"
            "  {\"dataElement\": \"A\", \"value\": \"1\"},\n"
            "  {\"dataElement\": \"B\", \"period\": \"2025Q2\", \"orgUnit\": \"X\", \"value\": "
            "\"2\"}]}",
            SOCIN_FEED_AUTO, false);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 2);
    CHECK_STR (s_value (0)->period, "2025Q1");
    CHECK_STR (s_value (0)->unit, "582786");
    CHECK_STR (s_value (1)->period, "2025Q2");
    CHECK_STR (s_value (1)->unit, "X");
    /* Also when they stand after the values (JSON members have no order). */
    s_read ("{\"dataValues\": [{\"dataElement\": \"A\", \"value\": \"1\"}],\n"
            " \"dataSet\": \"DS\", \"completeDate\": \"2025-04-01\", \"attributeOptionCombo\": "
            "\"x\", \"other\": {\"deep\": [1, 2]},\n"
            " \"period\": \"2025\", \"orgUnit\": \"554782\"}",
            SOCIN_FEED_AUTO, false);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 1);
    CHECK_STR (s_value (0)->period, "2025");
    CHECK_STR (s_value (0)->unit, "554782");
    s_clear ();
}

static void
takes_json_values_as_strings_numbers_or_booleans (void)
{
    s_read ("{\"dataValues\": [\n"
            "{\"dataElement\": \"A\", \"period\": \"2025\", \"orgUnit\": \"1\", \"value\": "
            "12.500000, \"categoryOptionCombo\": \"sex=f,target_group=roma\", "
            "\"attributeOptionCombo\": \"HllvX50cXC0\", \"comment\": \"a \\\"quoted\\\" note\", "
            "\"storedBy\": \"john\", \"created\": \"2025-01-01\", \"lastUpdated\": \"2025-01-02\", "
            "\"followup\": false, \"unknown\": {\"x\": [1, {}]}},\n"
            "{\"dataElement\": \"B\", \"value\": true},\n"
            "{\"dataElement\": \"C\", \"value\": false, \"deleted\": true},\n"
            "{\"dataElement\": \"D\", \"value\": \"  7 \"},\n"
            "{\"dataElement\": \"E\", \"value\": -0},\n"
            "{\"dataElement\": \"F\", \"value\": 1e3, \"deleted\": false}\n"
            "]}",
            SOCIN_FEED_JSON, false);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 6);
    CHECK_STR (s_value (0)->value, "12.500000");
    CHECK_STR (s_value (0)->disaggregation, "sex=f,target_group=roma");
    CHECK_STR (s_value (0)->comment, "a \"quoted\" note");
    CHECK_INT (s_r.items[0].line, 2);
    CHECK_STR (s_value (1)->value, "true");
    CHECK_STR (s_value (2)->value, "false");
    CHECK (s_value (2)->delete_);
    CHECK (!s_value (1)->delete_);
    CHECK_STR (s_value (3)->value, "  7 ");
    CHECK_STR (s_value (4)->value, "-0");
    CHECK_STR (s_value (5)->value, "1e3");
    CHECK_INT (s_r.items[5].line, 7);
    s_clear ();
}

static void
accepts_a_top_level_array_of_values (void)
{
    s_read ("\n[\n {\"dataElement\": \"A\", \"period\": \"2025\", \"orgUnit\": \"1\", \"value\": "
            "\"3\"},\n {\"dataElement\": \"B\", \"value\": 4}\n]\n",
            SOCIN_FEED_AUTO, false);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 2);
    CHECK_INT (s_r.items[0].line, 3);
    CHECK_INT (s_r.items[1].line, 4);
    CHECK_STR (s_value (0)->indicator, "A");
    CHECK_STR (s_value (1)->value, "4");
    s_refused (s_read ("[1]", SOCIN_FEED_AUTO, false), 0,
               "feed.json line 1: each element of the top-level array must be an object, found a "
               "number");
    s_clear ();
}

static void
refuses_a_json_field_of_the_wrong_type_naming_the_line (void)
{
    s_refused (s_read ("{\"dataValues\": [\n{\"dataElement\": \"A\", \"value\": \"1\"},\n"
                       "{\"dataElement\": \"A\",\n \"period\": 5}]}",
                       SOCIN_FEED_JSON, false),
               1, "feed.json line 4: \"period\" must be a string, found a number");
    s_refused (s_read ("{\n\"dataValues\": {}}", SOCIN_FEED_JSON, false), 0,
               "feed.json line 2: \"dataValues\" must be an array of objects, found an "
               "object");
    s_refused (s_read ("{\"events\": \"none\"}", SOCIN_FEED_JSON, false), 0,
               "feed.json line 1: \"events\" must be an array of objects, found a string");
    s_refused (s_read ("{\"dataValues\": [{\"value\": \"1\"}], \"orgUnit\": 582786}",
                       SOCIN_FEED_JSON, false),
               0, "feed.json line 1: \"orgUnit\" must be a string, found a number");
    s_refused (s_read ("{\"dataValues\": [{\"value\": [1]}]}", SOCIN_FEED_JSON, false), 0,
               "feed.json line 1: \"value\" must be a string, a number, true or false, "
               "found an array");
    s_refused (s_read ("{\"dataValues\": [{\"deleted\": \"yes\"}]}", SOCIN_FEED_JSON, false), 0,
               "feed.json line 1: \"deleted\" must be true or false, found a string");
    s_refused (s_read ("{\"dataValues\": [{\"value\": \"1\"}, \"x\"]}", SOCIN_FEED_JSON, false), 1,
               "feed.json line 1: each element of \"dataValues\" must be an object, found "
               "a string");
    s_refused (s_read ("{\"dataValues\": [{\"comment\": \"a\\u0000b\"}]}", SOCIN_FEED_JSON, false),
               0, "feed.json line 1: \"comment\" holds a NUL character (\\u0000)");
    s_refused (s_read ("\"dataValues\"", SOCIN_FEED_JSON, false), 0,
               "feed.json line 1: expected a JSON object ({\"dataValues\": [...]} or "
               "{\"events\": [...]}) or an array of data values, found a string");
    s_clear ();
}

static void
refuses_broken_json_before_handing_out_any_item (void)
{
    s_refused (s_read ("{\"dataValues\": [\n{\"dataElement\": \"A\", \"value\": \"1\"},\n"
                       "{\"dataElement\": \"B\", \"value\": \"2\"},\n]}",
                       SOCIN_FEED_JSON, false),
               0, "feed.json line 4: expected a value after ',', found ']' (a trailing comma)");
    s_refused (s_read ("{\"dataValues\": []} {}", SOCIN_FEED_JSON, false), 0,
               "feed.json line 1: expected the end of the text after the top-level value, "
               "found '{'");
    /* Once stopped, the reader keeps saying why. */
    socin_feed_t *feed =
        socin_feed_new ("{\"dataValues\": [}", 17, "x.json", SOCIN_FEED_AUTO, true);
    socin_feed_item_t item;
    char err[256] = "";
    CHECK_INT (socin_feed_next (feed, &item, err, sizeof err), -1);
    CHECK_CONTAINS (err, "x.json line 1: ");
    err[0] = 0;
    CHECK_INT (socin_feed_next (feed, &item, err, sizeof err), -1);
    CHECK_CONTAINS (err, "x.json line 1: expected a value");
    CHECK (item.value == NULL && item.event == NULL);
    socin_feed_destroy (&feed);
    s_clear ();
}

static const char *s_events_json =
    "{\"events\": [\n"
    "  {\"event_id\": \"ev-1\", \"unit\": \"582786\", \"date\": \"2025-03-04\",\n"
    "   \"type\": \"round_table\", \"topic\": \"housing\", \"participants\": 25,\n"
    "   \"vulnerable\": {\"roma\": 3, \"seniors\": 0}, \"open_to_public\": true,\n"
    "   \"platform_includes_vulnerable\": true, \"delete\": false, \"note\": \"ignored\"},\n"
    "  {\"event_id\": \"ev-2\", \"unit\": \"582786\", \"type\": \"family_interviews\", "
    "\"delete\": true}\n"
    "]}";

static void
reads_events_with_every_field (void)
{
    s_read (s_events_json, SOCIN_FEED_AUTO, false);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 2);
    Socin__V1__ParticipationEvent *e = s_event (0);
    CHECK_INT (s_r.items[0].line, 2);
    CHECK_STR (s_r.items[0].error, "");
    CHECK_STR (e->event_id, "ev-1");
    CHECK_STR (e->unit, "582786");
    CHECK_STR (e->date, "2025-03-04");
    CHECK_INT (e->type, 2);
    CHECK_STR (e->topic, "housing");
    CHECK_INT (e->participants, 25);
    CHECK_INT (e->n_vulnerable, 2);
    if (e->n_vulnerable == 2) {
        CHECK_STR (e->vulnerable[0]->group, "roma");
        CHECK_INT (e->vulnerable[0]->participants, 3);
        CHECK_STR (e->vulnerable[1]->group, "seniors");
        CHECK_INT (e->vulnerable[1]->participants, 0);
    }
    CHECK (e->open_to_public);
    CHECK (e->platform_includes_vulnerable);
    CHECK (!e->delete_);
    e = s_event (1);
    CHECK_INT (s_r.items[1].line, 6);
    CHECK_INT (e->type, 6);
    CHECK (e->delete_);
    CHECK (!e->open_to_public);
    CHECK_INT (e->n_vulnerable, 0);
    s_clear ();
}

static void
an_unknown_event_type_is_reported_on_its_item (void)
{
    s_read ("{\"events\": [\n"
            "  {\"event_id\": \"a\", \"type\": \"town_hall\", \"participants\": 4},\n"
            "  {\"event_id\": \"b\", \"type\": \"survey\"}\n"
            "]}",
            SOCIN_FEED_JSON, false);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 2);
    CHECK_INT (s_r.items[0].kind, SOCIN_ITEM_EVENT);
    CHECK_INT (s_r.items[0].line, 2);
    CHECK_INT (s_r.items[0].code, 19);
    CHECK_STR (s_r.items[0].field, "type");
    CHECK_STR (s_r.items[0].error,
               "unknown event type \"town_hall\" (expected one of public_meeting, round_table, "
               "focus_group, working_group, survey, family_interviews)");
    CHECK_STR (s_event (0)->event_id, "a");
    CHECK_INT (s_event (0)->participants, 4);
    CHECK_STR (s_r.items[1].error, "");
    CHECK_INT (s_r.items[1].code, 0);
    CHECK_INT (s_event (1)->type, 5);
    /* The name is quoted safely in the message: control characters hidden, long text cut. */
    s_read ("{\"events\": [{\"type\": \"Public\\nMeeting\"}, {\"type\": "
            "\"\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e"
            "\u017e"
            "\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e"
            "\u017e\u017e"
            "\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\u017e\"}]}",
            SOCIN_FEED_JSON, false);
    CHECK_INT (s_r.n, 2);
    CHECK_CONTAINS (s_r.items[0].error, "unknown event type \"Public?Meeting\" (expected");
    CHECK_CONTAINS (s_r.items[1].error,
                    "unknown event type \"\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE"
                    "\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE"
                    "\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE"
                    "\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE\xC5\xBE...\" (expected");
    s_clear ();
}

static void
a_count_of_the_wrong_type_stops_the_file_and_a_bad_count_its_item (void)
{
    s_refused (s_read ("{\"events\": [\n  {\"event_id\": \"a\",\n   \"participants\": \"25\"}]}",
                       SOCIN_FEED_JSON, false),
               0, "feed.json line 3: \"participants\" must be a number, found a string");
    s_refused (s_read ("{\"events\": [{\"vulnerable\": [\"roma\"]}]}", SOCIN_FEED_JSON, false), 0,
               "feed.json line 1: \"vulnerable\" must be an object of group names and "
               "numbers, found an array");
    s_refused (
        s_read ("{\"events\": [{\"vulnerable\": {\"roma\":\n true}}]}", SOCIN_FEED_JSON, false), 0,
        "feed.json line 2: \"vulnerable\" group \"roma\" must be a number of "
        "participants, found true");
    s_refused (s_read ("{\"events\": [{\"open_to_public\": 1}]}", SOCIN_FEED_JSON, false), 0,
               "feed.json line 1: \"open_to_public\" must be true or false, found a "
               "number");
    s_refused (s_read ("{\"events\": [{\"type\": 3}]}", SOCIN_FEED_JSON, false), 0,
               "feed.json line 1: \"type\" must be a string, found a number");

    s_read ("{\"events\": [{\"participants\": -3}, {\"participants\": 2.5}, "
            "{\"participants\": 4294967296}, {\"participants\": 4294967295, \"vulnerable\": "
            "{\"roma\": 1e2}}]}",
            SOCIN_FEED_JSON, false);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 4);
    CHECK_INT (s_r.items[0].code, 16);
    CHECK_STR (s_r.items[0].field, "participants");
    CHECK_STR (s_r.items[0].error,
               "participants must be a whole number from 0 to 4294967295, found -3");
    CHECK_CONTAINS (s_r.items[1].error, "found 2.5");
    CHECK_CONTAINS (s_r.items[2].error, "found 4294967296");
    CHECK_INT (s_event (3)->participants, 4294967295u);
    CHECK_STR (s_r.items[3].field, "vulnerable");
    CHECK_STR (s_r.items[3].error, "participants from group \"roma\" must be a whole number from "
                                   "0 to 4294967295, found 1e2");
    s_clear ();
}

static void
hands_out_values_and_events_in_file_order (void)
{
    s_read ("{\"events\": [{\"event_id\": \"e1\"}],\n"
            " \"dataValues\": [{\"dataElement\": \"v1\", \"value\": \"1\"},\n"
            "                {\"dataElement\": \"v2\", \"value\": \"2\"}],\n"
            " \"period\": \"2025\"}",
            SOCIN_FEED_JSON, false);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 3);
    CHECK_STR (s_event (0)->event_id, "e1");
    CHECK_INT (s_r.items[0].line, 1);
    CHECK_STR (s_value (1)->indicator, "v1");
    CHECK_INT (s_r.items[1].line, 2);
    CHECK_STR (s_value (2)->indicator, "v2");
    CHECK_STR (s_value (2)->period, "2025");
    CHECK_INT (s_r.items[2].line, 3);
    s_clear ();
}

static const char *s_header = "dataelement,period,orgunit,categoryoptioncombo,"
                              "attributeoptioncombo,value,storedby,lastupdated,comment,followup\n";

/* Reads ROWS after the standard header as CSV. */
static s_result_t *
s_read_rows (const char *rows, bool deletions)
{
    char text[2048];
    snprintf (text, sizeof text, "%s%s", s_header, rows);
    return s_read_csv (text, deletions);
}

static void
passes_csv_fields_on_as_written (void)
{
    const char *rows =
        "PART_EVENTS,2025Q1,582786,,,  1 ,john,2025-01-01,\"two\nlines, and \"\"quotes\"\"\",\n"
        "PART_EVENTS,2025Q2,582786,\"sex=f,target_group=roma\",,3\r\n"
        "\r\n"
        "PART_EVENTS,2025Q3,582786,,,,x,y,to delete\n";
    s_read_rows (rows, true);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 3);
    CHECK_INT (s_r.items[0].line, 2);
    CHECK_STR (s_value (0)->value, "  1 ");
    CHECK_STR (s_value (0)->comment, "two\nlines, and \"quotes\"");
    CHECK (!s_value (0)->delete_);
    CHECK_INT (s_r.items[1].line, 4);
    CHECK_STR (s_value (1)->disaggregation, "sex=f,target_group=roma");
    CHECK_STR (s_value (1)->value, "3");
    CHECK_STR (s_value (1)->comment, "");
    CHECK_INT (s_r.items[2].line, 6);
    CHECK_STR (s_value (2)->value, "");
    CHECK (s_value (2)->delete_);
    CHECK_STR (s_value (2)->comment, "to delete");
    /* Without deletions an empty value is sent as it is. */
    s_read_rows (rows, false);
    CHECK_INT (s_r.n, 3);
    CHECK (!s_value (2)->delete_);
    s_clear ();
}

static void
refuses_a_csv_header_of_the_wrong_width (void)
{
    s_read_csv ("dataelement,period,orgunit,value\nA,2025,1,5\n", false);
    CHECK_INT (s_r.rc, -1);
    CHECK_INT (s_r.n, 0);
    CHECK_STR (s_r.err, "feed.csv line 1: the header row has 4 columns; expected 6 to 10: "
                        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,"
                        "value,storedby,lastupdated,comment,followup");
    s_read_csv ("a,b,c,d,e,f,g,h,i,j,k\n", false);
    CHECK_CONTAINS (s_r.err, "feed.csv line 1: the header row has 11 columns; expected 6 to 10");
    s_refused (s_read_csv ("", false), 0,
               "feed.csv line 1: the file is empty (expected a header row: dataelement,"
               "period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
               "lastupdated,comment,followup)");
    s_read_csv ("a,b,c,d,e,f\n", false); /* a header alone: nothing to send */
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 0);
    s_clear ();
}

static void
refuses_a_csv_row_of_the_wrong_width_naming_its_line (void)
{
    s_read_rows ("A,2025,1,,,5\nA,2025,1\n", false);
    CHECK_INT (s_r.n, 1);
    CHECK_INT (s_r.rc, -1);
    CHECK_STR (s_r.err, "feed.csv line 3: 3 columns; a data value row has at least 6 (dataelement, "
                        "period, orgunit, categoryoptioncombo, attributeoptioncombo, value)");
    s_read_rows ("A,2025,1,,,5\n\nA,2025,1,,,5,s,l,c,f,extra\n", false);
    CHECK_INT (s_r.n, 1);
    CHECK_STR (s_r.err,
               "feed.csv line 4: 11 columns; a data value row has at most 10 (dataelement, "
               "period, orgunit, categoryoptioncombo, attributeoptioncombo, value, "
               "storedby, lastupdated, comment, followup)");
    s_read_rows ("A\n", false);
    CHECK_CONTAINS (s_r.err, "feed.csv line 2: 1 column; a data value row has at least 6");
    s_clear ();
}

static void
refuses_a_quote_inside_an_unquoted_csv_field (void)
{
    s_refused (s_read_rows ("A,2025,1,,,5\nA,2025,1,,,5,john,x,say \"hi\",f\n", false), 1,
               "feed.csv line 3: a quote inside an unquoted field (quote the whole field "
               "and double the quote)");
    s_refused (s_read_rows ("A,2025,1,,,\"5\n", false), 0,
               "feed.csv line 2: a quoted field is not closed");
    s_clear ();
}

static void
refuses_text_that_is_not_utf8_naming_the_line (void)
{
    char text[512];
    s_refused (s_read_rows ("A,2025,1,,,5\nA,2025,1,,,5,j,x,caf\xE9\nA,2025,1,,,6\n", false), 0,
               "feed.csv line 3: the text is not valid UTF-8 (byte 0xE9)");
    const char *json = "{\"dataValues\": [\n\n{\"comment\": \"\xC0\xAF\"}]}";
    s_refused (s_read_n (json, strlen (json), "v.json", SOCIN_FEED_AUTO, false), 0,
               "v.json line 3: the text is not valid UTF-8 (byte 0xC0)");
    /* Valid UTF-8 passes untouched, a byte-order mark included. */
    snprintf (text, sizeof text, "\xEF\xBB\xBF%sA,2025,1,,,5,j,x,\xC5\xBEidle\n", s_header);
    s_read_csv (text, false);
    CHECK_INT (s_r.rc, 0);
    CHECK_INT (s_r.n, 1);
    CHECK_STR (s_value (0)->comment, "\xC5\xBEidle");
    s_clear ();
}

static void
refuses_a_nul_byte_in_csv_and_a_json_name_given_twice (void)
{
    static const char nul_row[] = "A,2025,1,,,5\nA,2025,1,,,5,j,x,cut\0here\n";
    /* The first row is the header. */
    s_refused (s_read_n (nul_row, sizeof nul_row - 1, "feed.csv", SOCIN_FEED_CSV, false), 0,
               "feed.csv line 2: field 9 holds a NUL byte");
    s_refused (s_read ("{\"dataValues\": [\n{\"dataElement\": \"A\", \"value\": \"1\",\n"
                       " \"value\": \"2\"}]}",
                       SOCIN_FEED_JSON, false),
               0, "feed.json line 3: \"value\" is given twice in one object");
    s_refused (s_read ("{\"events\": [{\"event_id\": \"e1\", \"unit\": \"1\", \"unit\": \"2\"}]}",
                       SOCIN_FEED_JSON, false),
               0, "feed.json line 1: \"unit\" is given twice in one object");
    s_refused (s_read ("{\"orgUnit\": \"1\", \"dataValues\": [], \"orgUnit\": \"2\"}",
                       SOCIN_FEED_JSON, false),
               0, "feed.json line 1: \"orgUnit\" is given twice in one object");
    s_clear ();
}

static void
detects_the_format_by_the_first_non_blank_byte (void)
{
    struct {
        const char *text;
        socin_feed_format_t format;
    } cases[] = {
        {"{\"dataValues\": []}", SOCIN_FEED_JSON},
        {"\xEF\xBB\xBF \r\n\t[]", SOCIN_FEED_JSON},
        {"\n\n{}", SOCIN_FEED_JSON},
        {"dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n",
         SOCIN_FEED_CSV},
        {"\"dataelement\",\"period\"", SOCIN_FEED_CSV},
        {"", SOCIN_FEED_CSV},
        {"   ", SOCIN_FEED_CSV},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        socin_feed_t *feed =
            socin_feed_new (cases[i].text, strlen (cases[i].text), "f", SOCIN_FEED_AUTO, false);
        CHECK_INT (socin_feed_format (feed), cases[i].format);
        socin_feed_destroy (&feed);
    }
    socin_feed_t *feed = socin_feed_new ("{}", 2, "f", SOCIN_FEED_CSV, false);
    CHECK_INT (socin_feed_format (feed), SOCIN_FEED_CSV);
    socin_feed_destroy (&feed);
    CHECK (feed == NULL);
    socin_feed_destroy (&feed);
    /* Forced to JSON, a CSV file is refused as such. */
    s_refused (s_read ("a,b,c,d,e,f\n", SOCIN_FEED_JSON, false), 0,
               "feed.json line 1: expected a value (object, array, string, number, true, "
               "false or null), found 'a'");
    s_clear ();
}

static double
s_seconds (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
reads_200000_csv_rows_one_by_one (void)
{
    size_t rows = 200000;
    char *text = malloc (rows * 80 + 200);
    size_t at = (size_t)sprintf (text, "%s", s_header);
    for (size_t i = 0; i < rows; i++)
        at += (size_t)sprintf (text + at, "PART_EVENTS,2025Q%zu,%zu,,,%zu,,,\"c %zu\",\n",
                               i % 4 + 1, 500000 + i % 6000, i, i);
    double start = s_seconds ();
    socin_feed_t *feed = socin_feed_new (text, at, "big.csv", SOCIN_FEED_AUTO, false);
    CHECK_INT (socin_feed_format (feed), SOCIN_FEED_CSV);
    socin_feed_item_t item;
    char err[256] = "";
    size_t n = 0, wrong = 0, last_line = 0;
    int rc;
    while ((rc = socin_feed_next (feed, &item, err, sizeof err)) == 1) {
        char expected[32];
        snprintf (expected, sizeof expected, "%zu", n);
        if (item.line != n + 2 || strcmp (item.value->value, expected) != 0) wrong++;
        last_line = item.line;
        protobuf_c_message_free_unpacked (&item.value->base, NULL);
        n++;
    }
    double took = s_seconds () - start;
    CHECK_INT (rc, 0);
    CHECK_STR (err, "");
    CHECK_INT (n, rows);
    CHECK_INT (wrong, 0);
    CHECK_INT (last_line, rows + 1);
    CHECK_INT (socin_feed_offset (feed), at);
    CHECK (took < 20.0);
    printf ("    %zu rows in %.2f s\n", n, took);
    socin_feed_destroy (&feed);
    free (text);
}

static void
reads_200000_json_values_one_by_one (void)
{
    size_t rows = 200000;
    char *text = malloc (rows * 100 + 200);
    size_t at = (size_t)sprintf (text, "{\"period\": \"2025\", \"dataValues\": [");
    for (size_t i = 0; i < rows; i++)
        at += (size_t)sprintf (text + at,
                               "%s\n{\"dataElement\": \"PART_EVENTS\", \"orgUnit\": \"%zu\", "
                               "\"value\": %zu}",
                               i ? "," : "", 500000 + i % 6000, i);
    at += (size_t)sprintf (text + at, "\n]}\n");
    double start = s_seconds ();
    socin_feed_t *feed = socin_feed_new (text, at, "big.json", SOCIN_FEED_AUTO, false);
    socin_feed_item_t item;
    char err[256] = "";
    size_t n = 0, wrong = 0;
    int rc;
    while ((rc = socin_feed_next (feed, &item, err, sizeof err)) == 1) {
        char expected[32];
        snprintf (expected, sizeof expected, "%zu", n);
        if (item.line != n + 2 || strcmp (item.value->value, expected) != 0 ||
            strcmp (item.value->period, "2025") != 0)
            wrong++;
        protobuf_c_message_free_unpacked (&item.value->base, NULL);
        n++;
    }
    double took = s_seconds () - start;
    CHECK_INT (rc, 0);
    CHECK_STR (err, "");
    CHECK_INT (n, rows);
    CHECK_INT (wrong, 0);
    CHECK_INT (socin_feed_offset (feed), at);
    CHECK (took < 20.0);
    printf ("    %zu values in %.2f s\n", n, took);
    socin_feed_destroy (&feed);
    free (text);
}

int
main (void)
{
    RUN (reads_the_dhis2_boolean_csv_by_position, "reads the DHIS2 boolean CSV by position");
    RUN (reads_the_minimal_dhis2_json_with_the_line_of_its_object,
         "reads the minimal DHIS2 JSON with the line of its object");
    RUN (a_value_without_a_value_is_a_deletion_only_when_asked,
         "a value without a value is a deletion only when asked");
    RUN (top_level_period_and_org_unit_apply_to_values_that_lack_them,
         "top-level period and orgUnit apply to values that lack them");
    RUN (takes_json_values_as_strings_numbers_or_booleans,
         "takes JSON values as strings, numbers (as written) or booleans");
    RUN (accepts_a_top_level_array_of_values, "accepts a top-level array of values");
    RUN (refuses_a_json_field_of_the_wrong_type_naming_the_line,
         "refuses a JSON field of the wrong type, naming the line");
    RUN (refuses_broken_json_before_handing_out_any_item,
         "refuses broken JSON before handing out any item");
    RUN (reads_events_with_every_field, "reads events with every field");
    RUN (an_unknown_event_type_is_reported_on_its_item,
         "an unknown event type is reported on its item");
    RUN (a_count_of_the_wrong_type_stops_the_file_and_a_bad_count_its_item,
         "a count of the wrong type stops the file, a bad count its item");
    RUN (hands_out_values_and_events_in_file_order, "hands out values and events in file order");
    RUN (passes_csv_fields_on_as_written, "passes CSV fields on as written");
    RUN (refuses_a_csv_header_of_the_wrong_width, "refuses a CSV header of the wrong width");
    RUN (refuses_a_csv_row_of_the_wrong_width_naming_its_line,
         "refuses a CSV row of the wrong width, naming its line");
    RUN (refuses_a_quote_inside_an_unquoted_csv_field,
         "refuses a quote inside an unquoted CSV field");
    RUN (refuses_text_that_is_not_utf8_naming_the_line,
         "refuses text that is not UTF-8, naming the line");
    RUN (refuses_a_nul_byte_in_csv_and_a_json_name_given_twice,
         "a NUL byte in a CSV field and a JSON name given twice are refused, naming the line");
    RUN (detects_the_format_by_the_first_non_blank_byte,
         "detects the format by the first non-blank byte");
    RUN (reads_200000_csv_rows_one_by_one, "reads 200,000 CSV rows one by one");
    RUN (reads_200000_json_values_one_by_one, "reads 200,000 JSON values one by one");
    return TEST_SUMMARY ();
}
