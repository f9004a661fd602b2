/*  commands: the subcommands of socin. Each takes the session and its own words (ARGV[0] is
    the subcommand's name) and returns an exit code (exitcode.h).
*/
#ifndef SOCIN_CLI_COMMANDS_H
#define SOCIN_CLI_COMMANDS_H

#include <stdbool.h>

#include "session.h"
#include "socin/v1/registry.pb-c.h"

/* socin submit FILE...: values and events to an ingest (submit.c). */
int cli_submit (cli_t *cli, int argc, char **argv);

/* socin report KIND: questions to reporting (report.c). */
int cli_report (cli_t *cli, int argc, char **argv);

/* socin report pivot: several indicators, periods and units in one grid (pivot.c). */
int cli_report_pivot (cli_t *cli, int argc, char **argv);

/* socin export FORMAT: stored values streamed to a file (export.c). */
int cli_export (cli_t *cli, int argc, char **argv);
/* socin report violations|outliers|followups|approval: data review (quality.c); KIND is one
   of those when cli_quality_kind says so. */
bool cli_quality_kind (const char *kind);
int cli_quality_report (cli_t *cli, int argc, char **argv);

/* socin followup mark|unmark INDICATOR UNIT PERIOD: a follow-up mark (quality.c). */
int cli_followup (cli_t *cli, int argc, char **argv);

/* socin approve DATASET PERIOD UNIT STEP [--withdraw]: an approval step (quality.c). */
int cli_approve (cli_t *cli, int argc, char **argv);

/* socin registry ACTION: imports, listings and keys of the registry (registry.c). */
int cli_registry (cli_t *cli, int argc, char **argv);

/* Sends REQ to the registry and returns its answer; NULL after printing why, with *RC the exit
   code (unavailable, or failed when the registry refused). Free with
   protobuf_c_message_free_unpacked. */
Socin__V1__RegistryReply *cli_registry_call (cli_t *cli, Socin__V1__RegistryRequest *req, int *rc);

/* socin token issue|check|revoke: bearer tokens of reader keys for socin-web (token.c). */
int cli_token (cli_t *cli, int argc, char **argv);

/* socin keys new NAME: a CURVE certificate (keys.c). */
int cli_keys (cli_t *cli, int argc, char **argv);

/* socin ctl SERVICE COMMAND...: a daemon's control socket (ctl.c). */
int cli_ctl (cli_t *cli, int argc, char **argv);

#endif
