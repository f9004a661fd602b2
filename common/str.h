/*  str: a growable byte string for building answers, log lines and files.

    socin_str_t is a plain struct (not opaque) so it can live on the stack: initialise with
    SOCIN_STR_INIT, append, then socin_str_free. data is always NUL-terminated. Allocation
    failure is fatal (the daemons cannot do anything sensible without memory).
*/
#ifndef SOCIN_STR_H
#define SOCIN_STR_H

#include <stdarg.h>
#include <stddef.h>

#include "mem.h"

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} socin_str_t;

#define SOCIN_STR_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Appends LEN bytes, a C string, or printf-formatted text. */
void socin_str_append (socin_str_t *self, const void *bytes, size_t len);
void socin_str_puts (socin_str_t *self, const char *text);
void socin_str_printf (socin_str_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
void socin_str_vprintf (socin_str_t *self, const char *fmt, va_list args);

/* Adds LEN bytes to the string's length and returns where they are, for the caller to fill
   (the NUL after them is written). */
char *socin_str_extend (socin_str_t *self, size_t len);

/* Empties the string, keeping its memory; frees it (and zeroes the struct). */
void socin_str_clear (socin_str_t *self);
void socin_str_free (socin_str_t *self);

/* Returns the data (never NULL: "" for an empty string). */
const char *socin_str_cstr (const socin_str_t *self);

/* Appends a copy of TEXT to the malloc'ed array *ARR of *N strings (the layout protobuf-c
   uses for repeated string fields, so the result can be freed with the message). */
void socin_strv_push (char ***arr, size_t *n, const char *text);

/* Hands the buffer to the caller (free it with free()) and empties SELF. */
char *socin_str_take (socin_str_t *self);

#endif
