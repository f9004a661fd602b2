/*  options: a subcommand's command line — its --options (declared in a table that also gives
    their help) and positional arguments, parsed in one pass; and the usage text made from the
    same table.
*/
#ifndef SOCIN_CLI_OPTIONS_H
#define SOCIN_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One option a subcommand takes. A table of them ends with {NULL}. */
typedef struct {
    const char *name; /* without the leading -- */
    bool takes_value;
    bool repeatable; /* values collect in a list */
    const char *help;
} cli_opt_t;

/* The most options one subcommand's table may hold. */
#define CLI_MAX_OPTS 32

typedef struct {
    const char *values[CLI_MAX_OPTS][64]; /* per option: its values (the last for non-repeatable) */
    int counts[CLI_MAX_OPTS];
    const char *args[256]; /* the positional arguments */
    int nargs;
    bool help;
} cli_parsed_t;

/* Parses ARGV[1..] against OPTS (at most 16). 0, or -1 after printing the problem. */
int cli_parse (const cli_opt_t *opts, int argc, char **argv, cli_parsed_t *out, const char *usage);

/* The value of option I (NULL when absent), and whether a flag was given. */
const char *cli_opt (const cli_parsed_t *p, int i);
bool cli_flag (const cli_parsed_t *p, int i);

/* The value of option I, or "" when it is absent. */
const char *cli_opt_or_empty (const cli_parsed_t *p, int i);

/* The values of option I, each split at commas and spaces ("CZ064,CZ063"), into *OUT (free
   with cli_words_free); the count. */
size_t cli_opt_words (const cli_parsed_t *p, int i, char ***out);
void cli_words_free (char **words, size_t n);

/* Prints USAGE and the options' help. */
void cli_usage (FILE *out, const char *usage, const cli_opt_t *opts);

#endif
