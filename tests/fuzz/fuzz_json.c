/*  fuzz_json: the pull tokenizer under the JSON readers, token by token to the end.

    Properties beyond "no crash, no sanitizer report": the tokens nest (a key only directly
    inside an object, every close matching its open, never deeper than the bound); string
    and key texts are valid UTF-8 of the length reported; a number's text is RFC 8259's
    grammar; after END comes END again and after ERROR comes ERROR again, with a message;
    lines only grow. A second tokenizer that skips the top-level value with socin_json_skip
    agrees with the full walk on whether the text is valid.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "csv.h"
#include "fixture.h"
#include "json.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    return 0;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
s_number_ok (const char *s)
{
    if (*s == '-') s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        return false;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9')) return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == 0;
}

/* Walks every token; true when the text is valid JSON. */
static bool
s_walk (const char *text, size_t size)
{
    socin_json_t *json = socin_json_new (text, size);
    char stack[SOCIN_JSON_MAX_DEPTH + 1];
    size_t depth = 0, line = 1, tokens = 0;
    bool want_value = true, valid = false;
    for (;;) {
        const char *t;
        size_t len;
        socin_json_token_t tok = socin_json_next (json, &t, &len);
        tokens++;
        FUZZ_ASSERT (socin_json_line (json) >= line, "line went back");
        line = socin_json_line (json);
        FUZZ_ASSERT (socin_json_offset (json) <= size, "offset past the text");
        if (tok == SOCIN_JSON_ERROR) {
            FUZZ_ASSERT (*socin_json_error (json), "an error without a message");
            fuzz_check_utf8 ("json error", socin_json_error (json));
            FUZZ_ASSERT (socin_json_next (json, NULL, NULL) == SOCIN_JSON_ERROR, "error, then not");
            break;
        }
        if (tok == SOCIN_JSON_END) {
            FUZZ_ASSERT (depth == 0 && !want_value, "END inside a value");
            FUZZ_ASSERT (socin_json_next (json, NULL, NULL) == SOCIN_JSON_END, "END, then not");
            valid = true;
            break;
        }
        bool in_object = depth && stack[depth - 1] == '{';
        switch (tok) {
        case SOCIN_JSON_KEY:
            FUZZ_ASSERT (in_object && !want_value, "a key outside an object's member list");
            FUZZ_ASSERT (t && socin_utf8_valid (t, len, NULL) && t[len] == 0, "key text");
            want_value = true;
            continue;
        case SOCIN_JSON_OBJECT_END:
        case SOCIN_JSON_ARRAY_END:
            FUZZ_ASSERT (depth && stack[depth - 1] == (tok == SOCIN_JSON_OBJECT_END ? '{' : '['),
                         "a close that matches no open");
            FUZZ_ASSERT (!want_value || !in_object, "an object closed after a key");
            depth--;
            break;
        case SOCIN_JSON_OBJECT:
        case SOCIN_JSON_ARRAY:
            FUZZ_ASSERT (want_value || (depth && stack[depth - 1] == '['), "a value unexpected");
            FUZZ_ASSERT (depth < SOCIN_JSON_MAX_DEPTH, "deeper than the bound");
            stack[depth++] = tok == SOCIN_JSON_OBJECT ? '{' : '[';
            want_value = tok == SOCIN_JSON_ARRAY;
            continue;
        case SOCIN_JSON_STRING:
            FUZZ_ASSERT (t && socin_utf8_valid (t, len, NULL) && t[len] == 0, "string text");
            break;
        case SOCIN_JSON_NUMBER:
            FUZZ_ASSERT (t && strlen (t) == len && s_number_ok (t), "number text \"%s\"", t);
            break;
        default:
            break;
        }
        /* A value (or a close) done: inside an array another value may follow. */
        FUZZ_ASSERT (tok == SOCIN_JSON_OBJECT_END || tok == SOCIN_JSON_ARRAY_END || want_value ||
                         (depth && stack[depth - 1] == '['),
                     "a value where a key belongs");
        want_value = depth && stack[depth - 1] == '[';
    }
    socin_json_destroy (&json);
    return valid;
}

/* Skips the top-level value; true when that and the END after it succeed. */
static bool
s_skip (const char *text, size_t size)
{
    socin_json_t *json = socin_json_new (text, size);
    socin_json_token_t tok = socin_json_next (json, NULL, NULL);
    bool ok = tok != SOCIN_JSON_ERROR && socin_json_skip (json, tok) == 0 &&
              socin_json_next (json, NULL, NULL) == SOCIN_JSON_END;
    socin_json_destroy (&json);
    return ok;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    bool valid = s_walk (text, size);
    FUZZ_ASSERT (s_skip (text, size) == valid, "walking says %s, skipping disagrees",
                 valid ? "valid" : "invalid");
    return 0;
}
