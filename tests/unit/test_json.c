/*  test_json: the pull tokenizer, against RFC 8259.

    Every token kind, every escape, surrogate pairs, numbers kept exactly as written, and the
    message a person sees for each kind of malformed text, with the line it names.
*/
#include "json.h"
#include "testing.h"

#include <stdlib.h>

/*  The tokens of TEXT as one line: "{ k:a s:b n:1 true false null [ ] } $" ("$" is END), or
    the tokens up to an error followed by "error: MESSAGE". */
static const char *
s_tokens_n (const char *text, size_t textlen)
{
    static char out[4096];
    size_t at = 0;
    out[0] = 0;
    socin_json_t *json = socin_json_new (text, textlen);
    for (int guard = 0; guard < 500; guard++) {
        const char *t = NULL;
        size_t len = 0;
        socin_json_token_t token = socin_json_next (json, &t, &len);
        char one[600];
        switch (token) {
        case SOCIN_JSON_OBJECT:
            snprintf (one, sizeof one, "{");
            break;
        case SOCIN_JSON_OBJECT_END:
            snprintf (one, sizeof one, "}");
            break;
        case SOCIN_JSON_ARRAY:
            snprintf (one, sizeof one, "[");
            break;
        case SOCIN_JSON_ARRAY_END:
            snprintf (one, sizeof one, "]");
            break;
        case SOCIN_JSON_KEY:
            snprintf (one, sizeof one, "k:%s", t);
            break;
        case SOCIN_JSON_STRING:
            snprintf (one, sizeof one, "s:%s", t);
            break;
        case SOCIN_JSON_NUMBER:
            snprintf (one, sizeof one, "n:%s", t);
            break;
        case SOCIN_JSON_TRUE:
            snprintf (one, sizeof one, "true");
            break;
        case SOCIN_JSON_FALSE:
            snprintf (one, sizeof one, "false");
            break;
        case SOCIN_JSON_NULL:
            snprintf (one, sizeof one, "null");
            break;
        case SOCIN_JSON_END:
            snprintf (one, sizeof one, "$");
            break;
        case SOCIN_JSON_ERROR:
            snprintf (one, sizeof one, "error: %s", socin_json_error (json));
            break;
        }
        at += (size_t)snprintf (out + at, sizeof out - at, "%s%s", at ? " " : "", one);
        if (token == SOCIN_JSON_END || token == SOCIN_JSON_ERROR || at >= sizeof out - 1) break;
    }
    socin_json_destroy (&json);
    return out;
}

static const char *
s_tokens (const char *text)
{
    return s_tokens_n (text, strlen (text));
}

/* The error message TEXT ends with ("" when it has none). */
static const char *
s_error (const char *text)
{
    const char *tokens = s_tokens (text);
    const char *e = strstr (tokens, "error: ");
    return e ? e + 7 : "";
}

static void
hands_out_every_token_kind_in_order (void)
{
    CHECK_STR (s_tokens ("{\"a\": \"b\", \"n\": 1, \"t\": true, \"f\": false, \"z\": null, "
                         "\"l\": [1, [], {}], \"o\": {\"x\": -2}}"),
               "{ k:a s:b k:n n:1 k:t true k:f false k:z null k:l [ n:1 [ ] { } ] k:o { k:x n:-2 } "
               "} $");
    CHECK_STR (s_tokens ("[]"), "[ ] $");
    CHECK_STR (s_tokens ("{}"), "{ } $");
    CHECK_STR (s_tokens ("\"alone\""), "s:alone $");
    CHECK_STR (s_tokens ("42"), "n:42 $");
    CHECK_STR (s_tokens ("null"), "null $");
    CHECK_STR (s_tokens (" \t\r\n true \n"), "true $");
}

static void
end_is_returned_again_after_the_end (void)
{
    socin_json_t *json = socin_json_new ("[1]", 3);
    const char *text;
    size_t len;
    CHECK_INT (socin_json_next (json, &text, &len), SOCIN_JSON_ARRAY);
    CHECK_INT (socin_json_next (json, &text, &len), SOCIN_JSON_NUMBER);
    CHECK_STR (text, "1");
    CHECK_INT (len, 1);
    CHECK_INT (socin_json_next (json, &text, &len), SOCIN_JSON_ARRAY_END);
    CHECK_INT (socin_json_next (json, &text, &len), SOCIN_JSON_END);
    CHECK_INT (socin_json_next (json, NULL, NULL), SOCIN_JSON_END);
    CHECK_INT (socin_json_offset (json), 3);
    socin_json_destroy (&json);
    CHECK (json == NULL);
    socin_json_destroy (&json);
}

static void
unescapes_every_escape (void)
{
    const char *text = "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t u\\u0041\\u00e9\\u20AC\"";
    socin_json_t *json = socin_json_new (text, strlen (text));
    const char *s;
    size_t len;
    CHECK_INT (socin_json_next (json, &s, &len), SOCIN_JSON_STRING);
    CHECK_STR (s, "q\" b\\ s/ \b\f\n\r\t uA\xC3\xA9\xE2\x82\xAC");
    CHECK_INT (len, strlen ("q\" b\\ s/ \b\f\n\r\t uA\xC3\xA9\xE2\x82\xAC"));
    socin_json_destroy (&json);
    /* Keys are unescaped too. */
    CHECK_STR (s_tokens ("{\"a\\u0062\": 1}"), "{ k:ab n:1 } $");
    CHECK_STR (s_tokens ("\"\""), "s: $");
}

static void
combines_surrogate_pairs_into_one_character (void)
{
    CHECK_STR (s_tokens ("\"\\ud83d\\ude00\""), "s:\xF0\x9F\x98\x80 $");
    CHECK_STR (s_tokens ("\"x\\uD834\\uDD1Ey\""), "s:x\xF0\x9D\x84\x9Ey $");
    CHECK_STR (s_tokens ("\"\\uDBFF\\uDFFF\""), "s:\xF4\x8F\xBF\xBF $");
}

static void
keeps_raw_utf8_and_escaped_nul_with_its_length (void)
{
    CHECK_STR (s_tokens ("\"Brno-\xC5\xBDidenice \xF0\x9F\x98\x80\""),
               "s:Brno-\xC5\xBDidenice \xF0\x9F\x98\x80 $");
    socin_json_t *json = socin_json_new ("\"a\\u0000b\"", 10);
    const char *s;
    size_t len;
    CHECK_INT (socin_json_next (json, &s, &len), SOCIN_JSON_STRING);
    CHECK_INT (len, 3);
    CHECK (memcmp (s, "a\0b", 4) == 0);
    socin_json_destroy (&json);
}

static void
keeps_numbers_as_written (void)
{
    CHECK_STR (
        s_tokens ("[12.500000, -0, 1e3, 0, -12, 0.5E-10, 1E+2, 123456789012345678901234]"),
        "[ n:12.500000 n:-0 n:1e3 n:0 n:-12 n:0.5E-10 n:1E+2 n:123456789012345678901234 ] $");
}

static void
rejects_numbers_outside_the_grammar (void)
{
    CHECK_STR (s_error ("01"),
               "line 1: a number with a leading zero ('01'; expected no zeros before the first "
               "digit)");
    CHECK_STR (s_error ("[-007]"),
               "line 1: a number with a leading zero ('-007'; expected no zeros before the first "
               "digit)");
    CHECK_STR (s_error ("-"), "line 1: expected a digit after '-' in a number, found the end of "
                              "the text");
    CHECK_STR (s_error ("[1.]"), "line 1: expected a digit after '.' in a number, found ']'");
    CHECK_STR (s_error ("1e"),
               "line 1: expected a digit in the exponent of a number, found the end of the text");
    CHECK_STR (s_error ("[1e+]"),
               "line 1: expected a digit in the exponent of a number, found ']'");
    CHECK_STR (s_error ("+1"), "line 1: expected a value (object, array, string, number, true, "
                               "false or null), found '+1'");
    CHECK_STR (s_error (".5"), "line 1: expected a value (object, array, string, number, true, "
                               "false or null), found '.5'");
    CHECK_STR (s_error ("[12,5x]"), "line 1: expected a number, found '5x'");
    CHECK_STR (s_error ("1.2.3"), "line 1: expected a number, found '1.2.3'");
    CHECK_STR (s_error ("[0x1F]"), "line 1: expected a number, found '0x1F'");
}

static void
rejects_misspelled_literals (void)
{
    CHECK_STR (s_error ("[tru]"), "line 1: expected a value (object, array, string, number, true, "
                                  "false or null), found 'tru'");
    CHECK_STR (s_error ("nulls"), "line 1: expected a value (object, array, string, number, true, "
                                  "false or null), found 'nulls'");
    CHECK_STR (s_error ("True"), "line 1: expected a value (object, array, string, number, true, "
                                 "false or null), found 'True'");
    CHECK_STR (s_error ("{\"a\": 'b'}"), "line 1: expected a value (object, array, string, "
                                         "number, true, false or null), found '''");
}

static void
rejects_a_trailing_comma (void)
{
    CHECK_STR (s_tokens ("[1, 2,]"),
               "[ n:1 n:2 error: line 1: expected a value after ',', found ']' (a trailing comma)");
    CHECK_STR (s_error ("{\"a\": 1,\n}"),
               "line 2: expected a member name after ',', found '}' (a trailing comma)");
    CHECK_STR (s_error ("[1,,2]"), "line 1: expected a value after ',', found ','");
    CHECK_STR (s_error ("{,}"),
               "line 1: expected a member name (a string in double quotes), found ','");
}

static void
rejects_a_missing_colon_or_comma (void)
{
    CHECK_STR (s_tokens ("{\"a\" 1}"),
               "{ k:a error: line 1: expected ':' after the member name, found '1'");
    CHECK_STR (s_error ("{\"a\": 1 \"b\": 2}"),
               "line 1: expected ',' or '}' after an object member, found '\"'");
    CHECK_STR (s_error ("[1 2]"), "line 1: expected ',' or ']' after an array element, found '2'");
    CHECK_STR (s_error ("{a: 1}"),
               "line 1: expected a member name (a string in double quotes), found 'a'");
    CHECK_STR (s_error ("{\"a\": 1"),
               "line 1: expected ',' or '}' after an object member, found the end of the text");
    CHECK_STR (s_error ("[1, {\"a\": [2}]"),
               "line 1: expected ',' or ']' after an array element, found '}'");
    CHECK_STR (s_error ("{\"a\":}"), "line 1: expected a value (object, array, string, number, "
                                     "true, false or null), found '}'");
}

static void
rejects_an_unterminated_string (void)
{
    CHECK_STR (s_error ("{\"a\": \"b"),
               "line 1: a string is not closed (expected '\"' before the end of the text)");
    CHECK_STR (s_error ("[\n\"abc\ndef\"]"),
               "line 2: a string is not closed on its line (expected '\"'; a line break inside "
               "a string is written \\n)");
    CHECK_STR (s_error ("\"ends in a backslash\\"),
               "line 1: a string is not closed (expected '\"' before the end of the text)");
}

static void
rejects_a_bad_escape (void)
{
    CHECK_STR (s_error ("\"a\\x\""), "line 1: an invalid escape \\x in a string (expected \\\" "
                                     "\\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)");
    CHECK_STR (s_error ("\"a\\'\""), "line 1: an invalid escape \\' in a string (expected \\\" "
                                     "\\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)");
    CHECK_STR (s_error ("\"\\u12G4\""),
               "line 1: an invalid \\u escape in a string (expected four hex digits after \\u)");
    CHECK_STR (s_error ("\"\\u12\""),
               "line 1: an invalid \\u escape in a string (expected four hex digits after \\u)");
}

static void
rejects_lone_surrogates (void)
{
    CHECK_STR (s_error ("\"\\ud83d\""), "line 1: a lone surrogate \\uD83D in a string (expected a "
                                        "low surrogate \\uDC00 to \\uDFFF right after it)");
    CHECK_STR (s_error ("\"\\ud83dx\""), "line 1: a lone surrogate \\uD83D in a string (expected "
                                         "a low surrogate \\uDC00 to \\uDFFF right after it)");
    CHECK_STR (s_error ("\"\\ud83d\\u0041\""),
               "line 1: a lone surrogate \\uD83D in a string (expected a low surrogate \\uDC00 to "
               "\\uDFFF right after it)");
    CHECK_STR (s_error ("\"\\ude00\""), "line 1: a lone surrogate \\uDE00 in a string (a low "
                                        "surrogate must follow a high one, \\uD800 to \\uDBFF)");
}

static void
rejects_control_characters_and_bad_utf8_in_strings (void)
{
    CHECK_STR (s_error ("\"a\tb\""), "line 1: a control character (byte 0x09) inside a string "
                                     "(expected it escaped, as \\u0009)");
    CHECK_STR (s_error ("[\"\x01\"]"), "line 1: a control character (byte 0x01) inside a string "
                                       "(expected it escaped, as \\u0001)");
    CHECK_STR (s_error ("\"\xC3\x28\""), "line 1: a string is not valid UTF-8 (byte 0xC3)");
    CHECK_STR (s_error ("\"\xED\xA0\x80\""), "line 1: a string is not valid UTF-8 (byte 0xED)");
    CHECK_STR (s_error ("\"\xC0\xAF\""), "line 1: a string is not valid UTF-8 (byte 0xC0)");
    CHECK_STR (s_error ("\xC3\xA9"), "line 1: expected a value (object, array, string, number, "
                                     "true, false or null), found byte 0xC3");
}

/* N nested arrays, closed. */
static char *
s_nested (int n)
{
    char *text = malloc ((size_t)n * 2 + 1);
    for (int i = 0; i < n; i++) {
        text[i] = '[';
        text[n + i] = ']';
    }
    text[2 * n] = 0;
    return text;
}

static void
bounds_the_nesting_depth (void)
{
    char *deepest = s_nested (SOCIN_JSON_MAX_DEPTH);
    const char *tokens = s_tokens (deepest);
    CHECK (strstr (tokens, "error") == NULL);
    CHECK (strlen (tokens) > 2 && strcmp (tokens + strlen (tokens) - 2, " $") == 0);
    free (deepest);
    char *deeper = s_nested (SOCIN_JSON_MAX_DEPTH + 1);
    CHECK_STR (s_error (deeper),
               "line 1: more than 64 nested objects and arrays (expected at most 64 levels)");
    free (deeper);
    CHECK_STR (s_error ("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":[[[[[[[[[["
                        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["),
               "line 1: more than 64 nested objects and arrays (expected at most 64 levels)");
}

static void
accepts_a_single_top_level_value_only (void)
{
    CHECK_STR (s_tokens ("{} {}"), "{ } error: line 1: expected the end of the text after the "
                                   "top-level value, found '{'");
    CHECK_STR (s_error ("[1]\n\n]"), "line 3: expected the end of the text after the top-level "
                                     "value, found ']'");
    CHECK_STR (s_error ("1 2"), "line 1: expected the end of the text after the top-level value, "
                                "found '2'");
    CHECK_STR (s_error ("\"a\" x"), "line 1: expected the end of the text after the top-level "
                                    "value, found 'x'");
    CHECK_STR (s_error (""), "line 1: expected a value (object, array, string, number, true, "
                             "false or null), found the end of the text");
    CHECK_STR (s_error ("  \n "), "line 2: expected a value (object, array, string, number, true, "
                                  "false or null), found the end of the text");
    CHECK_STR (s_tokens_n ("[1]\0", 4), "[ n:1 ] error: line 1: expected the end of the text "
                                        "after the top-level value, found byte 0x00");
}

static void
skips_a_byte_order_mark_at_the_start_only (void)
{
    CHECK_STR (s_tokens ("\xEF\xBB\xBF{\"a\": 1}"), "{ k:a n:1 } $");
    CHECK_STR (s_error ("[\xEF\xBB\xBF]"), "line 1: expected a value (object, array, string, "
                                           "number, true, false or null), found byte 0xEF");
}

static void
counts_lines_across_newlines (void)
{
    const char *text = "{\n  \"a\": [\n    1,\r\n    \"x\"\n  ],\n\n  \"b\": true\n}\n";
    socin_json_t *json = socin_json_new (text, strlen (text));
    size_t expected[] = {1, 2, 2, 3, 4, 5, 7, 7, 8, 9};
    socin_json_token_t kinds[] = {SOCIN_JSON_OBJECT, SOCIN_JSON_KEY,    SOCIN_JSON_ARRAY,
                                  SOCIN_JSON_NUMBER, SOCIN_JSON_STRING, SOCIN_JSON_ARRAY_END,
                                  SOCIN_JSON_KEY,    SOCIN_JSON_TRUE,   SOCIN_JSON_OBJECT_END,
                                  SOCIN_JSON_END};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const char *t;
        size_t len;
        CHECK_INT (socin_json_next (json, &t, &len), kinds[i]);
        CHECK_INT (socin_json_line (json), expected[i]);
    }
    socin_json_destroy (&json);
    CHECK_STR (s_error ("[\n1,\n2,\n\n3\n4]"),
               "line 6: expected ',' or ']' after an array element, found '4'");
    CHECK_STR (s_error ("{\n\"a\"\n\n:\n1,\n\"b\"\n2}"),
               "line 7: expected ':' after the member name, found '2'");
}

static void
stays_failed_after_an_error (void)
{
    socin_json_t *json = socin_json_new ("[1,]", 4);
    socin_json_token_t token;
    while ((token = socin_json_next (json, NULL, NULL)) != SOCIN_JSON_ERROR)
        CHECK (token != SOCIN_JSON_END);
    CHECK_INT (socin_json_next (json, NULL, NULL), SOCIN_JSON_ERROR);
    CHECK_INT (socin_json_line (json), 1);
    CHECK_STR (socin_json_error (json),
               "line 1: expected a value after ',', found ']' (a trailing comma)");
    socin_json_destroy (&json);
}

static void
skips_a_value_with_everything_nested_in_it (void)
{
    const char *text = "{\"skip\": {\"a\": [1, {\"b\": [[]]}, \"}\"], \"c\": {}}, \"keep\": 2, "
                       "\"s\": \"x\", \"l\": [3]}";
    socin_json_t *json = socin_json_new (text, strlen (text));
    const char *t;
    size_t len;
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_OBJECT);
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_KEY);
    CHECK_STR (t, "skip");
    socin_json_token_t token = socin_json_next (json, &t, &len);
    CHECK_INT (token, SOCIN_JSON_OBJECT);
    CHECK_INT (socin_json_skip (json, token), 0);
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_KEY);
    CHECK_STR (t, "keep");
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_NUMBER);
    CHECK_STR (t, "2");
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_KEY);
    token = socin_json_next (json, &t, &len);
    CHECK_INT (socin_json_skip (json, token), 0); /* a scalar: nothing more to read */
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_KEY);
    CHECK_STR (t, "l");
    token = socin_json_next (json, &t, &len);
    CHECK_INT (socin_json_skip (json, token), 0);
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_OBJECT_END);
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_END);
    socin_json_destroy (&json);

    /* A member name starts no value. */
    json = socin_json_new ("{\"a\": 1}", 8);
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_OBJECT);
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_KEY);
    CHECK_INT (socin_json_skip (json, SOCIN_JSON_KEY), -1);
    CHECK_CONTAINS (socin_json_error (json), "line 1: expected a value to skip");
    socin_json_destroy (&json);

    /* An error inside the skipped value is reported. */
    json = socin_json_new ("[{\"a\": [1 2]}]", 14);
    CHECK_INT (socin_json_next (json, &t, &len), SOCIN_JSON_ARRAY);
    CHECK_INT (socin_json_skip (json, SOCIN_JSON_ARRAY), -1);
    CHECK_STR (socin_json_error (json),
               "line 1: expected ',' or ']' after an array element, found '2'");
    socin_json_destroy (&json);
}

static void
reads_a_long_document_in_order (void)
{
    /* 100,000 array elements across lines, each a small object. */
    size_t n = 100000;
    char *text = malloc (n * 40 + 16);
    size_t at = 0;
    text[at++] = '[';
    for (size_t i = 0; i < n; i++)
        at += (size_t)sprintf (text + at, "%s\n{\"i\": %zu, \"s\": \"v%zu\"}", i ? "," : "", i, i);
    text[at++] = ']';
    socin_json_t *json = socin_json_new (text, at);
    size_t objects = 0, bad = 0;
    socin_json_token_t token;
    const char *t;
    size_t len;
    while ((token = socin_json_next (json, &t, &len)) != SOCIN_JSON_END &&
           token != SOCIN_JSON_ERROR) {
        if (token == SOCIN_JSON_OBJECT) {
            if (socin_json_line (json) != objects + 2) bad++;
            objects++;
        }
    }
    CHECK_INT (token, SOCIN_JSON_END);
    CHECK_INT (objects, n);
    CHECK_INT (bad, 0);
    CHECK_INT (socin_json_offset (json), at);
    socin_json_destroy (&json);
    free (text);
}

int
main (void)
{
    RUN (hands_out_every_token_kind_in_order, "hands out every token kind in order");
    RUN (end_is_returned_again_after_the_end, "END is returned again after the end");
    RUN (unescapes_every_escape, "unescapes every escape");
    RUN (combines_surrogate_pairs_into_one_character,
         "combines surrogate pairs into one character");
    RUN (keeps_raw_utf8_and_escaped_nul_with_its_length,
         "keeps raw UTF-8, and an escaped NUL with its length");
    RUN (keeps_numbers_as_written, "keeps numbers as written");
    RUN (rejects_numbers_outside_the_grammar, "rejects numbers outside the grammar");
    RUN (rejects_misspelled_literals, "rejects misspelled literals");
    RUN (rejects_a_trailing_comma, "rejects a trailing comma");
    RUN (rejects_a_missing_colon_or_comma, "rejects a missing colon or comma");
    RUN (rejects_an_unterminated_string, "rejects an unterminated string");
    RUN (rejects_a_bad_escape, "rejects a bad escape");
    RUN (rejects_lone_surrogates, "rejects lone surrogates");
    RUN (rejects_control_characters_and_bad_utf8_in_strings,
         "rejects control characters and bad UTF-8 in strings");
    RUN (bounds_the_nesting_depth, "bounds the nesting depth");
    RUN (accepts_a_single_top_level_value_only, "accepts a single top-level value only");
    RUN (skips_a_byte_order_mark_at_the_start_only, "skips a byte-order mark at the start only");
    RUN (counts_lines_across_newlines, "counts lines across newlines");
    RUN (stays_failed_after_an_error, "stays failed after an error");
    RUN (skips_a_value_with_everything_nested_in_it, "skips a value with everything nested in it");
    RUN (reads_a_long_document_in_order, "reads a long document in order");
    return TEST_SUMMARY ();
}
