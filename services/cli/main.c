/*  socin: the command people and scripts use.

        socin [SETTINGS] COMMAND [ARGS]

    Settings (endpoints, keys) come from flags, from the environment (SOCIN_REGISTRY,
    SOCIN_REPORTING, SOCIN_INGEST, their _KEY variants, SOCIN_IDENTITY, SOCIN_HOME), from a client
    configuration file (--config, else HOME/client.conf when it exists), or default to a
    stack started on this machine with its defaults (session.c). This file only finds the
    command and hands it its words.
*/
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "log.h"

typedef struct {
    const char *name;
    int (*handler) (cli_t *cli, int argc, char **argv); /* NULL: help, which main answers */
    const char *words;                                  /* the name and its arguments */
    const char *help;
} s_command_t;

static const s_command_t s_commands[] = {
    {"submit", cli_submit, "submit FILE...",
     "send values, events and measure progress (DHIS2 CSV, dataValueSets JSON, events\n"
     "                            JSON, measure progress CSV or JSON)"},
    {"report", cli_report, "report KIND",
     "values, rollup, pivot, completeness, participation, targets, history, sources,\n"
     "                            plans, violations, outliers, followups, approval"},
    {"followup", cli_followup, "followup mark|unmark ...",
     "mark a value for follow-up, or clear it"},
    {"approve", cli_approve, "approve DS PERIOD UNIT STEP", "approve (or --withdraw) a step"},
    {"export", cli_export, "export FORMAT",
     "stored values as csv, json, dhis2 (dataValueSets) or sdmx (SDMX-CSV 2.0), streamed"},
    {"registry", cli_registry, "registry ACTION",
     "import-territory, import-population, import-catalogue, import-plans,\n"
     "                            import-districts, import-groups, edit-unit, list, show,\n"
     "                            add-submitter, add-peer"},
    {"keys", cli_keys, "keys new NAME", "a CURVE certificate for a new submitter or peer"},
    {"ctl", cli_ctl, "ctl SERVICE COMMAND...", "a daemon's control socket"},
    {"token", cli_token, "token issue|check|revoke", "bearer tokens of reader keys for socin-web"},
    {"help", NULL, "help [COMMAND]", "this text, or a command's"},
    {NULL},
};

static void
s_help (FILE *out)
{
    fprintf (out, "usage: socin [SETTINGS] COMMAND [ARGS]\n\ncommands:\n");
    for (const s_command_t *c = s_commands; c->name; c++)
        fprintf (out, "  %-25s %s\n", c->words, c->help);
    fprintf (out, "\nsettings (flags; also SOCIN_* environment variables or a client.conf):\n");
    cli_session_help (out);
    fprintf (out,
             "\n"
             "exit codes: 0 done (everything accepted), 1 partly accepted, 2 nothing accepted or\n"
             "refused or unreadable, 64 wrong usage, 69 the service did not answer.\n");
}

static bool
s_is_help (const char *word)
{
    return !strcmp (word, "help") || !strcmp (word, "--help") || !strcmp (word, "-h");
}

/* Runs the command ARGV[0] (ARGC words, room for one more). */
static int
s_dispatch (cli_t *cli, int argc, char **argv)
{
    if (argc == 0 || s_is_help (argv[0])) {
        if (argc < 2 || !strcmp (argv[1], "help")) {
            s_help (argc ? stdout : stderr);
            return argc ? CLI_OK : CLI_USAGE;
        }
        /* socin help COMMAND is COMMAND --help. */
        argv[argc++] = "--help";
        memmove (argv, argv + 1, (size_t)(argc - 1) * sizeof *argv);
        argc--;
    }
    for (const s_command_t *c = s_commands; c->name; c++)
        if (c->handler && !strcmp (c->name, argv[0])) return c->handler (cli, argc, argv);
    cli_error ("unknown command '%s' (socin help lists the commands)", argv[0]);
    return CLI_USAGE;
}

int
main (int argc, char **argv)
{
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL);
    socin_log_init ("socin");
    socin_log_set_level ("warn");
    cli_t cli;
    char **rest;
    int nrest;
    int rc = cli_session_open (&cli, argc, argv, &rest, &nrest);
    if (rc == CLI_OK) rc = s_dispatch (&cli, nrest, rest);
    cli_session_close (&cli);
    free (rest);
    return rc;
}
