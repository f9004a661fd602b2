/*  plans: what the socin command shows of plans — a plan's row in `socin registry list
    plans`, one plan with its measures (`socin registry show plan CODE`), and `socin report
    plans`, plan fulfilment from reporting.
*/
#ifndef SOCIN_CLI_PLANS_H
#define SOCIN_CLI_PLANS_H

#include "model.h"
#include "output.h"
#include "session.h"

/* Adds R (a plan record) as a row of *OUT, made by the first call. */
void cli_plans_row (out_table_t **out, const socin_record_t *r);

/* Prints PLAN's measures as a table in the session's format (the plan's own row first, in a
   table, when the format is one). */
void cli_plans_show (cli_t *cli, const Socin__V1__Plan *plan);

/* socin report plans [OPTIONS]: the exit code. */
int cli_report_plans (cli_t *cli, int argc, char **argv);

#endif
