/*  exitcode: the socin command's error line. See exitcode.h. */
#include "exitcode.h"

#include <stdarg.h>
#include <stdio.h>

void
cli_error (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    fputs ("socin: ", stderr);
    vfprintf (stderr, fmt, args);
    fputc ('\n', stderr);
    va_end (args);
}
