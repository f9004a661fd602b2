/*  file: whole files read into memory. See file.h. */
#include "file.h"

#include "error.h"
#include "str.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

char *
socin_file_read (const char *path, size_t *len, char *err, size_t errlen)
{
    bool is_stdin = !strcmp (path, "-");
    FILE *f = is_stdin ? stdin : fopen (path, "rb");
    if (!f) {
        socin_error_set (err, errlen, "cannot open %s: %s", path, strerror (errno));
        return NULL;
    }
    socin_str_t buf = SOCIN_STR_INIT;
    char chunk[1 << 16];
    size_t n;
    while ((n = fread (chunk, 1, sizeof chunk, f)) > 0)
        socin_str_append (&buf, chunk, n);
    int failed = ferror (f) ? errno : 0;
    if (!is_stdin) fclose (f);
    if (failed) {
        socin_error_set (err, errlen, "cannot read %s: %s", path, strerror (failed));
        socin_str_free (&buf);
        return NULL;
    }
    *len = buf.len;
    return socin_str_take (&buf);
}
