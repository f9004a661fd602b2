/*  file: whole files read into memory.

    Territory editions, catalogues, plans and submission files are read whole: they are a few
    MB at most, and every reader wants the bytes in one piece to refuse a file whole.
*/
#ifndef SOCIN_FILE_H
#define SOCIN_FILE_H

#include <stddef.h>

/* Reads the file at PATH ("-" is standard input) into a malloc'ed, NUL-terminated buffer and
   sets *LEN to its size. NULL with a message naming the file on failure. */
char *socin_file_read (const char *path, size_t *len, char *err, size_t errlen);

#endif
