/*  json: a pull tokenizer for JSON text in memory (RFC 8259), with line numbers. See json.h.

    The tokenizer is a small state machine: what may come next (a value, a member name, a
    colon, a comma or a closing bracket) plus a stack of the open containers, one byte per
    level. Nothing is kept of a value once its token is handed out, so memory is the depth
    stack and one buffer as long as the longest string.
*/
#include "json.h"

#include "error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"

typedef enum {
    S_VALUE,        /* a value: at the top, after ':', after ',' in an array */
    S_VALUE_OR_END, /* after '[' */
    S_KEY_OR_END,   /* after '{' */
    S_KEY,          /* after ',' in an object */
    S_COLON,        /* after a member name */
    S_COMMA_OR_END, /* after a value inside a container */
    S_AFTER_TOP,    /* after the top-level value: only whitespace */
    S_FINISHED,     /* END was returned */
    S_FAILED,       /* ERROR was returned */
} s_state_t;

struct socin_json_t {
    const char *data;
    size_t len;
    size_t pos;
    size_t line;       /* line of the byte at pos */
    size_t token_line; /* line of the last token */
    s_state_t state;
    bool after_comma; /* the value or key expected follows a ',' (for messages) */
    size_t depth;
    char stack[SOCIN_JSON_MAX_DEPTH]; /* '{' or '[' per open container */
    char *buf;                        /* the last string, key or number, NUL-terminated */
    size_t cap;
    size_t n;
    char error[256];
};

socin_json_t *
socin_json_new (const char *data, size_t len)
{
    socin_json_t *self = socin_calloc (1, sizeof *self);
    self->data = data;
    self->len = len;
    self->line = 1;
    self->token_line = 1;
    self->state = S_VALUE;
    if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0) self->pos = 3;
    return self;
}

void
socin_json_destroy (socin_json_t **self_p)
{
    socin_json_t *self = *self_p;
    if (!self) return;
    free (self->buf);
    free (self);
    *self_p = NULL;
}

size_t
socin_json_line (socin_json_t *self)
{
    return self->token_line;
}

size_t
socin_json_offset (socin_json_t *self)
{
    return self->pos;
}

const char *
socin_json_error (socin_json_t *self)
{
    return self->error;
}

/* ---- errors ---- */

static socin_json_token_t s_fail (socin_json_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Sets the error "line N: ..." (N the current line) and stops the tokenizer for good. */
static socin_json_token_t
s_fail (socin_json_t *self, const char *format, ...)
{
    int n = snprintf (self->error, sizeof self->error, "line %zu: ", self->line);
    va_list args;
    va_start (args, format);
    if (n > 0 && (size_t)n < sizeof self->error)
        vsnprintf (self->error + n, sizeof self->error - (size_t)n, format, args);
    va_end (args);
    self->token_line = self->line;
    self->state = S_FAILED;
    return SOCIN_JSON_ERROR;
}

static bool
s_is_word_char (unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '+' || c == '-';
}

/*  Describes what is at POS for a message: "the end of the text", "'}'", "'tru'" (a word is
    shown whole, up to 20 bytes), "byte 0xC3". The result is plain ASCII. */
static const char *
s_found (socin_json_t *self, char *out, size_t outlen)
{
    if (self->pos >= self->len) return "the end of the text";
    unsigned char c = (unsigned char)self->data[self->pos];
    if (s_is_word_char (c)) {
        size_t end = self->pos;
        while (end < self->len && end - self->pos < 20 &&
               s_is_word_char ((unsigned char)self->data[end]))
            end++;
        snprintf (out, outlen, "'%.*s'", (int)(end - self->pos), self->data + self->pos);
    } else if (c >= 0x21 && c < 0x7F)
        snprintf (out, outlen, "'%c'", c);
    else
        snprintf (out, outlen, "byte 0x%02X", c);
    return out;
}

/* ---- scanning ---- */

static void
s_skip_space (socin_json_t *self)
{
    while (self->pos < self->len) {
        char c = self->data[self->pos];
        if (c == '\n')
            self->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            break;
        self->pos++;
    }
}

static void
s_reserve (socin_json_t *self, size_t more)
{
    if (self->n + more + 1 <= self->cap) return;
    size_t cap = self->cap ? self->cap : 256;
    while (cap < self->n + more + 1)
        cap *= 2;
    char *grown = socin_realloc (self->buf, cap);
    self->buf = grown;
    self->cap = cap;
}

static void
s_put (socin_json_t *self, const char *bytes, size_t len)
{
    s_reserve (self, len);
    memcpy (self->buf + self->n, bytes, len);
    self->n += len;
}

static void
s_put_utf8 (socin_json_t *self, uint32_t cp)
{
    unsigned char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | cp >> 6);
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cp >> 12);
        n = 3;
    } else {
        out[0] = (unsigned char)(0xF0 | cp >> 18);
        n = 4;
    }
    for (size_t i = 1; i < n; i++)
        out[i] = (unsigned char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
    s_put (self, (const char *)out, n);
}

/* Reads four hex digits at POS into *CP: 0, or -1 when they are not there. */
static int
s_hex4 (socin_json_t *self, uint32_t *cp)
{
    if (self->len - self->pos < 4) return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = self->data[self->pos + (size_t)i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    self->pos += 4;
    *cp = v;
    return 0;
}

/* The \uXXXX escape whose 'u' was just read (a surrogate pair as one code point) into buf:
   0, or -1 with the error set. */
static int
s_unicode_escape (socin_json_t *self)
{
    const char *d = self->data;
    uint32_t cp;
    if (s_hex4 (self, &cp) != 0) {
        s_fail (self, "an invalid \\u escape in a string (expected four hex digits after \\u)");
        return -1;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        s_fail (self,
                "a lone surrogate \\u%04X in a string (a low surrogate must follow a high "
                "one, \\uD800 to \\uDBFF)",
                cp);
        return -1;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t low = 0;
        size_t at = self->pos;
        bool paired = self->len - self->pos >= 2 && d[self->pos] == '\\' && d[self->pos + 1] == 'u';
        if (paired) {
            self->pos += 2;
            paired = s_hex4 (self, &low) == 0 && low >= 0xDC00 && low <= 0xDFFF;
        }
        if (!paired) {
            self->pos = at;
            s_fail (self,
                    "a lone surrogate \\u%04X in a string (expected a low surrogate "
                    "\\uDC00 to \\uDFFF right after it)",
                    cp);
            return -1;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    s_put_utf8 (self, cp);
    return 0;
}

/* The escape after a backslash (just passed) into buf: 0, or -1 with the error set. */
static int
s_escape (socin_json_t *self)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (self->pos >= self->len) {
        s_fail (self, "a string is not closed (expected '\"' before the end of the text)");
        return -1;
    }
    char e = self->data[self->pos++];
    if (e == 'u') return s_unicode_escape (self);
    const char *at = e ? strchr (from, e) : NULL;
    if (at) {
        s_put (self, to + (at - from), 1);
        return 0;
    }
    char shown[24];
    if ((unsigned char)e >= 0x21 && (unsigned char)e < 0x7F)
        snprintf (shown, sizeof shown, "\\%c", e);
    else
        snprintf (shown, sizeof shown, "\\ and byte 0x%02X", (unsigned char)e);
    s_fail (self,
            "an invalid escape %s in a string (expected \\\" \\\\ \\/ \\b \\f \\n \\r "
            "\\t or \\uXXXX)",
            shown);
    return -1;
}

/* The byte at POS, which ends a plain run, that is neither a quote nor a backslash: a
   multi-byte UTF-8 character copied into buf (0), or an error (-1). */
static int
s_string_byte (socin_json_t *self, unsigned char c)
{
    if (c == '\n') {
        s_fail (self, "a string is not closed on its line (expected '\"'; a line break "
                      "inside a string is written \\n)");
        return -1;
    }
    if (c < 0x20) {
        s_fail (self,
                "a control character (byte 0x%02X) inside a string (expected it escaped, "
                "as \\u%04X)",
                c, c);
        return -1;
    }
    size_t n =
        socin_utf8_seq ((const unsigned char *)self->data + self->pos, self->len - self->pos);
    if (n == 0) {
        s_fail (self, "a string is not valid UTF-8 (byte 0x%02X)", c);
        return -1;
    }
    s_put (self, self->data + self->pos, n);
    self->pos += n;
    return 0;
}

/* Reads a string whose opening quote is at POS into buf: 0, or -1 with the error set. */
static int
s_string (socin_json_t *self)
{
    const char *d = self->data;
    self->pos++;
    self->n = 0;
    for (;;) {
        /* Copy the plain run in one go. */
        size_t start = self->pos;
        while (self->pos < self->len) {
            unsigned char c = (unsigned char)d[self->pos];
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
            self->pos++;
        }
        if (self->pos > start) s_put (self, d + start, self->pos - start);
        if (self->pos >= self->len) {
            s_fail (self, "a string is not closed (expected '\"' before the end of the text)");
            return -1;
        }
        unsigned char c = (unsigned char)d[self->pos];
        if (c == '"') {
            self->pos++;
            break;
        }
        int rc;
        if (c == '\\') {
            self->pos++;
            rc = s_escape (self);
        } else
            rc = s_string_byte (self, c);
        if (rc) return -1;
    }
    s_reserve (self, 0);
    self->buf[self->n] = 0;
    return 0;
}

static bool
s_is_digit (char c)
{
    return c >= '0' && c <= '9';
}

/* Reads one or more digits at POS: 0, or -1 ("expected a digit WHERE, found ...") when none. */
static int
s_digits (socin_json_t *self, const char *where)
{
    if (self->pos >= self->len || !s_is_digit (self->data[self->pos])) {
        char found[32];
        s_fail (self, "expected a digit %s, found %s", where, s_found (self, found, sizeof found));
        return -1;
    }
    while (self->pos < self->len && s_is_digit (self->data[self->pos]))
        self->pos++;
    return 0;
}

/* Reads a number at POS (a '-' or a digit) into buf, checked against RFC 8259's grammar. */
static int
s_number (socin_json_t *self)
{
    const char *d = self->data;
    size_t start = self->pos;
    if (d[self->pos] == '-') self->pos++;
    size_t integer = self->pos;
    if (s_digits (self, "after '-' in a number") != 0) return -1;
    if (d[integer] == '0' && self->pos - integer > 1) {
        size_t shown = self->pos - start < 20 ? self->pos - start : 20;
        self->pos = integer + 1;
        s_fail (self,
                "a number with a leading zero ('%.*s'; expected no zeros before the first "
                "digit)",
                (int)shown, d + start);
        return -1;
    }
    if (self->pos < self->len && d[self->pos] == '.') {
        self->pos++;
        if (s_digits (self, "after '.' in a number") != 0) return -1;
    }
    if (self->pos < self->len && (d[self->pos] == 'e' || d[self->pos] == 'E')) {
        self->pos++;
        if (self->pos < self->len && (d[self->pos] == '+' || d[self->pos] == '-')) self->pos++;
        if (s_digits (self, "in the exponent of a number") != 0) return -1;
    }
    if (self->pos < self->len && s_is_word_char ((unsigned char)d[self->pos])) {
        /* "5x", "1.2.3", "0x1F": show the whole word. */
        size_t at = self->pos;
        self->pos = start;
        char found[32];
        s_found (self, found, sizeof found);
        self->pos = at;
        s_fail (self, "expected a number, found %s", found);
        return -1;
    }
    self->n = 0;
    s_put (self, d + start, self->pos - start);
    self->buf[self->n] = 0;
    return 0;
}

/* After a value: what may follow it. */
static void
s_value_done (socin_json_t *self)
{
    self->state = self->depth ? S_COMMA_OR_END : S_AFTER_TOP;
}

static const char *
s_expected_value (socin_json_t *self)
{
    return self->after_comma ? "expected a value after ','"
                             : "expected a value (object, array, string, number, true, false "
                               "or null)";
}

/* Reads a value's first token at POS (whitespace already skipped). */
static socin_json_token_t
s_value (socin_json_t *self, const char **text, size_t *len)
{
    char found[32];
    if (self->pos >= self->len)
        return s_fail (self, "%s, found the end of the text", s_expected_value (self));
    const char *d = self->data;
    char c = d[self->pos];
    self->token_line = self->line;
    if (c == '{' || c == '[') {
        if (self->depth == SOCIN_JSON_MAX_DEPTH)
            return s_fail (self,
                           "more than %d nested objects and arrays (expected at most %d levels)",
                           SOCIN_JSON_MAX_DEPTH, SOCIN_JSON_MAX_DEPTH);
        self->stack[self->depth++] = c;
        self->pos++;
        self->after_comma = false;
        self->state = c == '{' ? S_KEY_OR_END : S_VALUE_OR_END;
        return c == '{' ? SOCIN_JSON_OBJECT : SOCIN_JSON_ARRAY;
    }
    if (c == '"') {
        if (s_string (self) != 0) return SOCIN_JSON_ERROR;
        *text = self->buf;
        *len = self->n;
        s_value_done (self);
        return SOCIN_JSON_STRING;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        if (s_number (self) != 0) return SOCIN_JSON_ERROR;
        *text = self->buf;
        *len = self->n;
        s_value_done (self);
        return SOCIN_JSON_NUMBER;
    }
    static const struct {
        const char *word;
        size_t len;
        socin_json_token_t token;
    } literals[] = {
        {"true", 4, SOCIN_JSON_TRUE}, {"false", 5, SOCIN_JSON_FALSE}, {"null", 4, SOCIN_JSON_NULL}};
    for (size_t i = 0; i < sizeof literals / sizeof literals[0]; i++) {
        size_t n = literals[i].len;
        if (self->len - self->pos >= n && memcmp (d + self->pos, literals[i].word, n) == 0 &&
            (self->len - self->pos == n || !s_is_word_char ((unsigned char)d[self->pos + n]))) {
            self->pos += n;
            s_value_done (self);
            return literals[i].token;
        }
    }
    if (c == ']' && self->state == S_VALUE && self->after_comma)
        return s_fail (self, "expected a value after ',', found ']' (a trailing comma)");
    return s_fail (self, "%s, found %s", s_expected_value (self),
                   s_found (self, found, sizeof found));
}

/* Reads a member name at POS (whitespace already skipped). */
static socin_json_token_t
s_key (socin_json_t *self, const char **text, size_t *len)
{
    char found[32];
    if (self->pos < self->len && self->data[self->pos] == '"') {
        self->token_line = self->line;
        if (s_string (self) != 0) return SOCIN_JSON_ERROR;
        *text = self->buf;
        *len = self->n;
        self->state = S_COLON;
        return SOCIN_JSON_KEY;
    }
    if (self->after_comma && self->pos < self->len && self->data[self->pos] == '}')
        return s_fail (self, "expected a member name after ',', found '}' (a trailing comma)");
    return s_fail (self, "expected a member name (a string in double quotes)%s, found %s",
                   self->after_comma ? " after ','" : "", s_found (self, found, sizeof found));
}

socin_json_token_t
socin_json_next (socin_json_t *self, const char **text, size_t *len)
{
    const char *unused_text;
    size_t unused_len;
    if (!text) text = &unused_text;
    if (!len) len = &unused_len;
    *text = NULL;
    *len = 0;
    char found[32];
    if (self->state == S_FAILED) return SOCIN_JSON_ERROR;
    if (self->state == S_FINISHED) return SOCIN_JSON_END;
    s_skip_space (self);
    switch (self->state) {
    case S_FAILED:
        return SOCIN_JSON_ERROR;
    case S_FINISHED:
        return SOCIN_JSON_END;
    case S_AFTER_TOP:
        if (self->pos < self->len)
            return s_fail (self, "expected the end of the text after the top-level value, found %s",
                           s_found (self, found, sizeof found));
        self->token_line = self->line;
        self->state = S_FINISHED;
        return SOCIN_JSON_END;
    case S_VALUE:
        return s_value (self, text, len);
    case S_VALUE_OR_END:
        if (self->pos < self->len && self->data[self->pos] == ']') break;
        return s_value (self, text, len);
    case S_KEY_OR_END:
        if (self->pos < self->len && self->data[self->pos] == '}') break;
        return s_key (self, text, len);
    case S_KEY:
        return s_key (self, text, len);
    case S_COLON:
        if (self->pos >= self->len || self->data[self->pos] != ':')
            return s_fail (self, "expected ':' after the member name, found %s",
                           s_found (self, found, sizeof found));
        self->pos++;
        s_skip_space (self);
        self->state = S_VALUE;
        self->after_comma = false;
        return s_value (self, text, len);
    case S_COMMA_OR_END: {
        bool object = self->stack[self->depth - 1] == '{';
        char close = object ? '}' : ']';
        if (self->pos < self->len && self->data[self->pos] == close) break;
        if (self->pos >= self->len || self->data[self->pos] != ',')
            return s_fail (self, "expected ',' or '%c' after %s, found %s", close,
                           object ? "an object member" : "an array element",
                           s_found (self, found, sizeof found));
        self->pos++;
        s_skip_space (self);
        self->after_comma = true;
        if (object) {
            self->state = S_KEY;
            return s_key (self, text, len);
        }
        self->state = S_VALUE;
        return s_value (self, text, len);
    }
    }
    /* A closing bracket at POS ends the innermost container. */
    self->token_line = self->line;
    self->after_comma = false;
    char open = self->stack[--self->depth];
    self->pos++;
    s_value_done (self);
    return open == '{' ? SOCIN_JSON_OBJECT_END : SOCIN_JSON_ARRAY_END;
}

int
socin_json_skip (socin_json_t *self, socin_json_token_t token)
{
    switch (token) {
    case SOCIN_JSON_STRING:
    case SOCIN_JSON_NUMBER:
    case SOCIN_JSON_TRUE:
    case SOCIN_JSON_FALSE:
    case SOCIN_JSON_NULL:
        return 0;
    case SOCIN_JSON_OBJECT:
    case SOCIN_JSON_ARRAY:
        break;
    default:
        if (self->state != S_FAILED)
            s_fail (self, "expected a value to skip (an object, array, string, number, true, "
                          "false or null)");
        return -1;
    }
    size_t open = 1;
    while (open > 0) {
        switch (socin_json_next (self, NULL, NULL)) {
        case SOCIN_JSON_OBJECT:
        case SOCIN_JSON_ARRAY:
            open++;
            break;
        case SOCIN_JSON_OBJECT_END:
        case SOCIN_JSON_ARRAY_END:
            open--;
            break;
        case SOCIN_JSON_ERROR:
        case SOCIN_JSON_END:
            return -1;
        default:
            break;
        }
    }
    return 0;
}
