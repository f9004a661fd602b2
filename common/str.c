/*  str: a growable byte string. See str.h. */
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void
s_reserve (socin_str_t *self, size_t extra)
{
    size_t need = self->len + extra + 1;
    if (need <= self->cap) return;
    size_t cap = self->cap ? self->cap : 64;
    while (cap < need)
        cap *= 2;
    self->data = socin_realloc (self->data, cap);
    self->cap = cap;
}

void
socin_str_append (socin_str_t *self, const void *bytes, size_t len)
{
    s_reserve (self, len);
    if (len) memcpy (self->data + self->len, bytes, len);
    self->len += len;
    self->data[self->len] = 0;
}

char *
socin_str_extend (socin_str_t *self, size_t len)
{
    s_reserve (self, len);
    char *at = self->data + self->len;
    self->len += len;
    self->data[self->len] = 0;
    return at;
}

void
socin_str_puts (socin_str_t *self, const char *text)
{
    socin_str_append (self, text, strlen (text));
}

void
socin_str_vprintf (socin_str_t *self, const char *fmt, va_list args)
{
    va_list copy;
    va_copy (copy, args);
    int n = vsnprintf (NULL, 0, fmt, copy);
    va_end (copy);
    if (n < 0) return;
    s_reserve (self, (size_t)n);
    vsnprintf (self->data + self->len, (size_t)n + 1, fmt, args);
    self->len += (size_t)n;
}

void
socin_str_printf (socin_str_t *self, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    socin_str_vprintf (self, fmt, args);
    va_end (args);
}

void
socin_str_clear (socin_str_t *self)
{
    self->len = 0;
    if (self->data) self->data[0] = 0;
}

void
socin_str_free (socin_str_t *self)
{
    free (self->data);
    self->data = NULL;
    self->len = self->cap = 0;
}

const char *
socin_str_cstr (const socin_str_t *self)
{
    return self->data ? self->data : "";
}

char *
socin_str_take (socin_str_t *self)
{
    char *data = self->data;
    if (!data) data = socin_strdup ("");
    self->data = NULL;
    self->len = self->cap = 0;
    return data;
}

void
socin_strv_push (char ***arr, size_t *n, const char *text)
{
    char **grown = socin_realloc (*arr, (*n + 1) * sizeof **arr);
    grown[*n] = socin_strdup (text);
    *arr = grown;
    (*n)++;
}
