/*  warnings: the validation rules a submission's values break (ImportSummary.rule_warnings),
    collected over the files socin submit sends and printed after its conflicts: a table of
    their own, a second CSV block after an empty line, or each file's "warnings" in JSON. The
    values were stored all the same; warnings do not change the exit code.
*/
#ifndef SOCIN_CLI_WARNINGS_H
#define SOCIN_CLI_WARNINGS_H

#include <stddef.h>
#include <stdio.h>

#include "output.h"
#include "socin/v1/ingest.pb-c.h"

typedef struct cli_warnings_t cli_warnings_t;

cli_warnings_t *cli_warnings_new (void);
void cli_warnings_destroy (cli_warnings_t **self_p);

/* Keeps SUMMARY's rule warnings as FILE's (copied). */
void cli_warnings_add (cli_warnings_t *self, const char *file,
                       const Socin__V1__ImportSummary *summary);

/* How many warnings FILE has (every file's when FILE is NULL). */
size_t cli_warnings_count (const cli_warnings_t *self, const char *file);

/* Writes FILE's warnings to OUT as a JSON array of objects: rule, importance, unit, period,
   left_value, operator, right_value, left, right, message. */
void cli_warnings_json (const cli_warnings_t *self, const char *file, FILE *out);

/* Prints every warning in FORMAT (table or CSV) after an empty line, when there are any:
   file, rule, importance, unit, period, left, operator, right, message. */
void cli_warnings_print (const cli_warnings_t *self, out_format_t format, FILE *out);

#endif
