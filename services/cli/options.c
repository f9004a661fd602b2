/*  options: parsing a subcommand's command line. See options.h. */
#include "options.h"

#include "mem.h"
#include "str.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"

int
cli_parse (const cli_opt_t *opts, int argc, char **argv, cli_parsed_t *out, const char *usage)
{
    memset (out, 0, sizeof *out);
    /* A table longer than the parsed result holds is a programming error, not a user's. */
    for (int o = 0; opts && opts[o].name; o++) assert (o < CLI_MAX_OPTS);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp (arg, "-h") || !strcmp (arg, "--help")) {
            out->help = true;
            continue;
        }
        if (strncmp (arg, "--", 2) || !arg[2]) {
            if (out->nargs == 256) {
                cli_error ("too many arguments");
                return -1;
            }
            out->args[out->nargs++] = arg;
            continue;
        }
        const char *name = arg + 2, *eq = strchr (name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen (name);
        int found = -1;
        for (int o = 0; opts && opts[o].name && found < 0; o++)
            if (strlen (opts[o].name) == nlen && !strncmp (opts[o].name, name, nlen)) found = o;
        if (found < 0) {
            cli_error ("unknown option '%s'\nusage: %s", arg, usage);
            return -1;
        }
        const char *value = "";
        if (opts[found].takes_value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                cli_error ("option --%s needs a value", opts[found].name);
                return -1;
            }
        } else if (eq) {
            cli_error ("option --%s takes no value", opts[found].name);
            return -1;
        }
        if (opts[found].repeatable && opts[found].takes_value) {
            /* A repeatable option takes several values after it, up to the next option. */
            int n = out->counts[found];
            if (n < 64) out->values[found][n++] = value;
            while (!eq && i + 1 < argc && strncmp (argv[i + 1], "--", 2) && n < 64)
                out->values[found][n++] = argv[++i];
            out->counts[found] = n;
        } else {
            out->values[found][0] = value;
            out->counts[found] = 1;
        }
    }
    return 0;
}

const char *
cli_opt (const cli_parsed_t *p, int i)
{
    assert (i >= 0 && i < CLI_MAX_OPTS);
    return p->counts[i] ? p->values[i][0] : NULL;
}

const char *
cli_opt_or_empty (const cli_parsed_t *p, int i)
{
    assert (i >= 0 && i < CLI_MAX_OPTS);
    return p->counts[i] ? p->values[i][0] : "";
}

size_t
cli_opt_words (const cli_parsed_t *p, int i, char ***out)
{
    *out = NULL;
    size_t n = 0;
    for (int k = 0; k < p->counts[i]; k++) {
        char *copy = socin_strdup (p->values[i][k]), *save = NULL;
        for (char *w = strtok_r (copy, ", ", &save); w; w = strtok_r (NULL, ", ", &save))
            socin_strv_push (out, &n, w);
        free (copy);
    }
    return n;
}

void
cli_words_free (char **words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free (words[i]);
    free (words);
}

bool
cli_flag (const cli_parsed_t *p, int i)
{
    assert (i >= 0 && i < CLI_MAX_OPTS);
    return p->counts[i] > 0;
}

void
cli_usage (FILE *out, const char *usage, const cli_opt_t *opts)
{
    fprintf (out, "usage: %s\n", usage);
    for (int o = 0; opts && opts[o].name; o++) {
        char left[64];
        snprintf (left, sizeof left, "--%s%s", opts[o].name, opts[o].takes_value ? " VALUE" : "");
        fprintf (out, "  %-26s %s\n", left, opts[o].help);
    }
}
