/*  exitcode: the socin command's error line. See exitcode.h. */
#include "exitcode.h"

#include <stdarg.h>
#include <stdio.h>

#include "error.h"

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

void
cli_report_error (const Socin__V1__Error *error)
{
    if (error->unit && *error->unit)
        cli_error ("%s (%s): %s", socin_error_name (error->code), error->unit, error->message);
    else
        cli_error ("%s: %s", socin_error_name (error->code), error->message);
}
