/*  error: coded failures and the messages people read.

    A domain failure is a value: a code from the wire API's ErrorCode enum plus one line of text
    that tells a person what to fix. This module holds what every producer of such lines shares:
    the short name for a code, printf into a caller's buffer, quoting outside input safely, and
    keeping a message valid UTF-8 (protobuf string fields must be, or strict clients in other
    languages cannot decode the reply at all).
*/
#ifndef SOCIN_ERROR_H
#define SOCIN_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "socin/v1/errors.pb-c.h"

/* The wire API's error code NAME (SOCIN_E (UNKNOWN_UNIT)); needs errors.pb-c.h. */
#define SOCIN_E(name) SOCIN__V1__ERROR_CODE__ERROR_CODE_##name

/* The code's name without its prefix ("UNKNOWN_UNIT"), or "ERROR_<n>" for an unknown one. */
const char *socin_error_name (int code);

/* Formats into ERR (ERRLEN bytes; ERR may be NULL) and returns -1, so a failing function can
   `return socin_error_set (err, errlen, "...", ...)`. */
int socin_error_set (char *err, size_t errlen, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Formats into TEXT (LEN bytes) and cuts the result before any byte that is not valid UTF-8
   (a character cut by the buffer's end, or invalid bytes quoted from input). */
void socin_error_vformat (char *text, size_t len, const char *format, va_list args)
    __attribute__ ((format (printf, 3, 0)));

/* An Error message for a reply, with the room its text needs. */
typedef struct {
    Socin__V1__Error error;
    char text[1024];
} socin_error_msg_t;

/* Sets SELF to CODE with the formatted message (socin_error_vformat's rules): SELF->error is
   ready to put in a reply for as long as SELF lives. */
void socin_error_msg_vset (socin_error_msg_t *self, int code, const char *format, va_list args)
    __attribute__ ((format (printf, 3, 0)));

/* Outside text quoted for a message: between double quotes, at most SOCIN_QUOTE_SHOWN bytes
   of it (then "..."), control characters and non-ASCII bytes as '?'. QUOTED holds
   SOCIN_QUOTE_SIZE bytes. */
#define SOCIN_QUOTE_SHOWN 40
#define SOCIN_QUOTE_SIZE  (SOCIN_QUOTE_SHOWN + 3)
void socin_error_quote (const char *text, size_t len, char *quoted);

/* True when the LEN bytes at TEXT are valid UTF-8 (no overlongs, no surrogates). When not,
 *BAD (if given) is set to the offset of the first invalid byte. */
bool socin_utf8_valid (const char *text, size_t len, size_t *bad);

/* The length of the valid UTF-8 sequence at S (LEN > 0 bytes available): 1 for ASCII, 2 to 4,
   or 0 when it is not one (overlongs, surrogates and code points past U+10FFFF are not). */
size_t socin_utf8_seq (const unsigned char *s, size_t len);

#endif
