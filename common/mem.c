/*  mem: allocation that never fails (see mem.h). */
#include "mem.h"

#include "log.h"

#include <stdlib.h>
#include <string.h>

static void
s_exhausted (size_t bytes)
{
    socin_fatal ("memory.exhausted", "bytes=%zu", bytes);
}

void *
socin_malloc (size_t size)
{
    void *p = malloc (size ? size : 1);
    if (!p) s_exhausted (size);
    return p;
}

void *
socin_calloc (size_t count, size_t size)
{
    void *p = calloc (count ? count : 1, size ? size : 1);
    if (!p) s_exhausted (count * size);
    return p;
}

void *
socin_realloc (void *ptr, size_t size)
{
    void *p = realloc (ptr, size ? size : 1);
    if (!p) s_exhausted (size);
    return p;
}

void *
socin_memdup (const void *data, size_t len)
{
    void *p = socin_malloc (len);
    if (len) memcpy (p, data, len);
    return p;
}

char *
socin_strdup (const char *text)
{
    if (!text) text = "";
    return socin_memdup (text, strlen (text) + 1);
}

char *
socin_strndup (const char *text, size_t len)
{
    if (!text) text = "";
    size_t n = strnlen (text, len);
    char *copy = socin_malloc (n + 1);
    memcpy (copy, text, n);
    copy[n] = 0;
    return copy;
}
