/*  cli: what the socin command's subcommands share.

    Exit codes (also in `socin help`):
        0   done; for submit: every item was accepted
        1   submit: some items were accepted, some rejected
        2   nothing was accepted, the request was refused, or a file could not be read
        64  the command line is wrong (usage)
        69  the service did not answer (not running, unreachable, or this key not registered)
*/
#ifndef SOCIN_CLI_H
#define SOCIN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "client.h"
#include "config.h"
#include "output.h"
#include "socin/v1/registry.pb-c.h"

#define CLI_OK          0
#define CLI_PARTIAL     1
#define CLI_FAILED      2
#define CLI_USAGE       64
#define CLI_UNAVAILABLE 69

typedef struct {
    socin_config_t *config;
    out_format_t format;
    int timeout_ms;
} cli_t;

/* The subcommands: ARGV[0] is the subcommand's name. Each returns an exit code. */
int cli_submit (cli_t *cli, int argc, char **argv);
int cli_report (cli_t *cli, int argc, char **argv);
int cli_registry (cli_t *cli, int argc, char **argv);
int cli_keys (cli_t *cli, int argc, char **argv);
int cli_ctl (cli_t *cli, int argc, char **argv);
int cli_token (cli_t *cli, int argc, char **argv);

/* A connection to SERVICE ("registry", "reporting" or "ingest") with the configured
   endpoint, service key and client key; NULL after printing why. */
socin_client_t *cli_connect (cli_t *cli, const char *service);

/* Sends REQ to the registry and returns its answer; NULL after printing why, with *RC the exit
   code (unavailable, or failed when the registry refused). Free with
   protobuf_c_message_free_unpacked. */
Socin__V1__RegistryReply *cli_registry_call (cli_t *cli, Socin__V1__RegistryRequest *req, int *rc);

/* Prints "socin: MESSAGE" on stderr. */
void cli_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Command-line options of a subcommand. */
typedef struct {
    const char *name;  /* without the leading -- */
    bool takes_value;
    bool repeatable;   /* values collect in a list */
    const char *help;
} cli_opt_t;

typedef struct {
    const char *values[16][64]; /* per option: its values (the last for non-repeatable) */
    int counts[16];
    const char *args[256];      /* the positional arguments */
    int nargs;
    bool help;
} cli_parsed_t;

/* Parses ARGV[1..] against OPTS (at most 16). 0, or -1 after printing the problem. */
int cli_parse (const cli_opt_t *opts, int argc, char **argv, cli_parsed_t *out, const char *usage);

/* The value of option I (NULL when absent), and whether a flag was given. */
const char *cli_opt (const cli_parsed_t *p, int i);
bool cli_flag (const cli_parsed_t *p, int i);

/* Prints USAGE and the options' help. */
void cli_usage (FILE *out, const char *usage, const cli_opt_t *opts);

/* Reads a whole file into memory (or standard input for "-"); NULL after printing why. The
   caller frees it. */
char *cli_read_file (const char *path, size_t *len);

#endif
