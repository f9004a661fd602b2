/*  json: a pull tokenizer for JSON text in memory (RFC 8259), with line numbers.

    It hands out one token at a time — object and array starts and ends, keys, strings,
    numbers, true, false, null — so a reader can walk a file of any size without building a
    tree. Strings are unescaped into a buffer (\uXXXX and surrogate pairs to UTF-8); numbers
    are returned as their exact text (never converted to floating point). Nesting depth is
    bounded. Errors name the line and what was expected.
*/
#ifndef SOCIN_JSON_H
#define SOCIN_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SOCIN_JSON_END = 0, /* end of the text */
    SOCIN_JSON_OBJECT,  /* { */
    SOCIN_JSON_OBJECT_END,
    SOCIN_JSON_ARRAY, /* [ */
    SOCIN_JSON_ARRAY_END,
    SOCIN_JSON_KEY, /* a member name: text */
    SOCIN_JSON_STRING,
    SOCIN_JSON_NUMBER, /* text as written */
    SOCIN_JSON_TRUE,
    SOCIN_JSON_FALSE,
    SOCIN_JSON_NULL,
    SOCIN_JSON_ERROR
} socin_json_token_t;

#define SOCIN_JSON_MAX_DEPTH 64

typedef struct socin_json_t socin_json_t;

socin_json_t *socin_json_new (const char *data, size_t len);
void socin_json_destroy (socin_json_t **self_p);

/* The next token. For KEY, STRING and NUMBER, *TEXT (NUL-terminated, valid until the next
   call) and *LEN are set; TEXT and LEN may be NULL when the caller does not need them. LEN
   counts the bytes: a string with \u0000 holds a NUL, so check strlen (*TEXT) == *LEN where
   that matters. On ERROR, socin_json_error() has the message ("line 3: expected ',' or '}'
   after an object member"), and every later call returns ERROR again. After the single
   top-level value only END is valid (then END again). A UTF-8 byte-order mark at the start
   is skipped; strings must be valid UTF-8; lines end with LF (CRLF counts once). */
socin_json_token_t socin_json_next (socin_json_t *self, const char **text, size_t *len);

/* Skips the value that starts with TOKEN (already read), nested ones included; for a scalar
   there is nothing more to read. 0, or -1 when the text is broken (see socin_json_error) or
   TOKEN starts no value (a KEY, an END). */
int socin_json_skip (socin_json_t *self, socin_json_token_t token);

/* The line of the last token or error (1-based), the bytes consumed, the last error ("" when
   there is none). */
size_t socin_json_line (socin_json_t *self);
size_t socin_json_offset (socin_json_t *self);
const char *socin_json_error (socin_json_t *self);

#endif
