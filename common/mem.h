/*  mem: allocation that never fails.

    A daemon that cannot get memory cannot do anything sensible for its clients, so running out
    is fatal here (logged as memory.exhausted, then exit), once, instead of a check after every
    call. Use these wherever the caller would otherwise have to give up anyway.
*/
#ifndef SOCIN_MEM_H
#define SOCIN_MEM_H

#include <stddef.h>

/* malloc, calloc and realloc that return only with memory. SIZE 0 still returns a pointer. */
void *socin_malloc (size_t size);
void *socin_calloc (size_t count, size_t size);
void *socin_realloc (void *ptr, size_t size);

/* strdup and strndup that never fail (NULL is copied as ""). */
char *socin_strdup (const char *text);
char *socin_strndup (const char *text, size_t len);

/* A malloc'ed copy of LEN bytes at DATA. */
void *socin_memdup (const void *data, size_t len);

#endif
