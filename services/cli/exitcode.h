/*  exitcode: how the socin command ends — its exit codes, and the one line on stderr that
    says why when it did not do what was asked.

    Exit codes (also in `socin help`):
        0   done; for submit: every item was accepted
        1   submit: some items were accepted, some rejected
        2   nothing was accepted, the request was refused, or a file could not be read
        64  the command line is wrong (usage)
        69  the service did not answer (not running, unreachable, or this key not registered)
*/
#ifndef SOCIN_CLI_EXITCODE_H
#define SOCIN_CLI_EXITCODE_H

#include "socin/v1/errors.pb-c.h"

#define CLI_OK          0
#define CLI_PARTIAL     1
#define CLI_FAILED      2
#define CLI_USAGE       64
#define CLI_UNAVAILABLE 69

/* Prints "socin: MESSAGE" on stderr. */
void cli_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Prints a service's refusal as an error line: its code's name, the unit it names (when it
   names one) and its message. */
void cli_report_error (const Socin__V1__Error *error);

#endif
