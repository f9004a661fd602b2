/*  socin: the command people and scripts use.

        socin [SETTINGS] COMMAND [ARGS]

    Settings (endpoints, keys) come from flags, from the environment (SOCIN_REGISTRY,
    SOCIN_REPORTING, SOCIN_INGEST, their _KEY variants, SOCIN_IDENTITY, SOCIN_HOME), from a client
    configuration file (--config, else HOME/client.conf when it exists), or default to a
    stack started on this machine with its defaults.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "str.h"
#include "wire.h"

static const socin_config_key_t s_keys[] = {
    {"registry", SOCIN_CFG_STRING, "${env:SOCIN_REGISTRY:-tcp://127.0.0.1:7701}", "the registry's request endpoint"},
    {"registry_key", SOCIN_CFG_STRING, "${env:SOCIN_REGISTRY_KEY:-${home}/keys/registry.cert}", "the registry's public key (Z85 or certificate file)"},
    {"reporting", SOCIN_CFG_STRING, "${env:SOCIN_REPORTING:-tcp://127.0.0.1:7711}", "reporting's query endpoint"},
    {"reporting_key", SOCIN_CFG_STRING, "${env:SOCIN_REPORTING_KEY:-${home}/keys/reporting.cert}", "reporting's public key"},
    {"ingest", SOCIN_CFG_STRING, "${env:SOCIN_INGEST:-tcp://127.0.0.1:7721}", "the ingest that takes submissions"},
    {"ingest_key", SOCIN_CFG_STRING, "${env:SOCIN_INGEST_KEY:-${home}/keys/ingest-CZ.cert}", "the ingest's public key"},
    {"identity", SOCIN_CFG_STRING, "${env:SOCIN_IDENTITY:-${home}/keys/admin.cert}", "this client's certificate (its _secret file must be beside it)"},
    {"timeout_ms", SOCIN_CFG_INT, "30000", "how long to wait for an answer"},
    {"format", SOCIN_CFG_STRING, "table", "output: table, csv or json"},
    {NULL},
};

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

socin_client_t *
cli_connect (cli_t *cli, const char *service)
{
    char key_name[64];
    snprintf (key_name, sizeof key_name, "%s_key", service);
    const char *endpoint = socin_config_str (cli->config, service);
    const char *server_key = socin_config_str (cli->config, key_name);
    const char *cert = socin_config_str (cli->config, "identity");
    char err[1024];
    socin_client_t *client = socin_client_new (endpoint, server_key, cert, 0, err, sizeof err);
    if (!client) cli_error ("cannot reach the %s at %s: %s", service, endpoint, err);
    return client;
}

/* ---- options ---- */

int
cli_parse (const cli_opt_t *opts, int argc, char **argv, cli_parsed_t *out, const char *usage)
{
    memset (out, 0, sizeof *out);
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
        size_t nlen = eq ? (size_t) (eq - name) : strlen (name);
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
        }
        else if (eq) {
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
        }
        else {
            out->values[found][0] = value;
            out->counts[found] = 1;
        }
    }
    return 0;
}

const char *
cli_opt (const cli_parsed_t *p, int i)
{
    return p->counts[i] ? p->values[i][0] : NULL;
}

bool
cli_flag (const cli_parsed_t *p, int i)
{
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

char *
cli_read_file (const char *path, size_t *len)
{
    FILE *f = strcmp (path, "-") ? fopen (path, "rb") : stdin;
    if (!f) {
        cli_error ("cannot open %s: %s", path, strerror (errno));
        return NULL;
    }
    socin_str_t buf = SOCIN_STR_INIT;
    char chunk[1 << 16];
    size_t n;
    while ((n = fread (chunk, 1, sizeof chunk, f)) > 0) socin_str_append (&buf, chunk, n);
    bool failed = ferror (f);
    if (f != stdin) fclose (f);
    if (failed) {
        cli_error ("cannot read %s", path);
        socin_str_free (&buf);
        return NULL;
    }
    *len = buf.len;
    return socin_str_take (&buf);
}

/* ---- keys ---- */

int
cli_keys (cli_t *cli, int argc, char **argv)
{
    static const cli_opt_t opts[] = {
        {"dir", true, false, "directory for the certificate (default: the current one)"},
        {NULL},
    };
    const char *usage = "socin keys new NAME [--dir DIR]";
    cli_parsed_t p;
    if (cli_parse (opts, argc, argv, &p, usage)) return CLI_USAGE;
    if (p.help) {
        cli_usage (stdout, usage, opts);
        printf ("Makes a CURVE certificate for a new submitter or peer: NAME.cert (public, give it to\n"
                "the registry's administrator) and NAME.cert_secret (keep it; mode 0600).\n");
        return CLI_OK;
    }
    if (p.nargs != 2 || strcmp (p.args[0], "new")) {
        cli_usage (stderr, usage, opts);
        return CLI_USAGE;
    }
    const char *name = p.args[1];
    for (const char *c = name; *c; c++)
        if (!(*c == '-' || *c == '_' || *c == '.' || (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
              (*c >= 'A' && *c <= 'Z'))) {
            cli_error ("the name '%s' may only hold letters, digits, '.', '-' and '_'", name);
            return CLI_USAGE;
        }
    const char *dir = cli_opt (&p, 0) ? cli_opt (&p, 0) : ".";
    char path[1024];
    snprintf (path, sizeof path, "%s/%s.cert_secret", dir, name);
    if (access (path, F_OK) == 0) {
        cli_error ("%s exists already; choose another name or remove it", path);
        return CLI_FAILED;
    }
    char err[512];
    zcert_t *cert = socin_keys_load_or_create (dir, name, err, sizeof err);
    if (!cert) {
        cli_error ("%s", err);
        return CLI_FAILED;
    }
    if (cli->format == OUT_JSON) {
        printf ("{\"name\": ");
        out_json_string (stdout, name);
        printf (", \"public_key\": ");
        out_json_string (stdout, zcert_public_txt (cert));
        printf (", \"certificate\": ");
        char pub[1100];
        snprintf (pub, sizeof pub, "%s/%s.cert", dir, name);
        out_json_string (stdout, pub);
        printf ("}\n");
    }
    else
        printf ("public_key:%s\ncertificate:%s/%s.cert\nsecret:%s\n", zcert_public_txt (cert), dir, name, path);
    zcert_destroy (&cert);
    return CLI_OK;
}

/* ---- control sockets ---- */

int
cli_ctl (cli_t *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp (argv[1], "--help") || !strcmp (argv[1], "-h")) {
        fprintf (argc < 2 ? stderr : stdout, "usage: socin ctl SERVICE|SOCKET [COMMAND...]\n"
                "SERVICE is registry, reporting, ingest (the ingest of source CZ) or ingest-SOURCE,\n"
                "whose socket is HOME/SERVICE/ctl.sock; or give the socket's path. The default\n"
                "COMMAND is help.\n");
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    char path[1024];
    const char *target = argv[1];
    if (strchr (target, '/'))
        snprintf (path, sizeof path, "%s", target);
    else
        snprintf (path, sizeof path, "%s/%s/ctl.sock", socin_config_str (cli->config, "home"),
                  !strcmp (target, "ingest") ? "ingest-CZ" : target);
    socin_str_t line = SOCIN_STR_INIT;
    for (int i = 2; i < argc; i++) {
        if (i > 2) socin_str_puts (&line, " ");
        bool quote = strchr (argv[i], ' ') != NULL;
        if (quote) socin_str_puts (&line, "\"");
        socin_str_puts (&line, argv[i]);
        if (quote) socin_str_puts (&line, "\"");
    }
    if (argc == 2) socin_str_puts (&line, "help");
    socin_str_puts (&line, "\n");
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen (path) >= sizeof addr.sun_path) {
        cli_error ("socket path %s is too long", path);
        if (fd >= 0) close (fd);
        socin_str_free (&line);
        return CLI_USAGE;
    }
    memcpy (addr.sun_path, path, strlen (path) + 1);
    if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr)) {
        cli_error ("cannot connect to %s: %s (is the daemon running?)", path, strerror (errno));
        if (fd >= 0) close (fd);
        socin_str_free (&line);
        return CLI_UNAVAILABLE;
    }
    if (write (fd, line.data, line.len) != (ssize_t) line.len) {
        cli_error ("cannot send to %s: %s", path, strerror (errno));
        close (fd);
        socin_str_free (&line);
        return CLI_UNAVAILABLE;
    }
    socin_str_free (&line);
    shutdown (fd, SHUT_WR);
    socin_str_t answer = SOCIN_STR_INIT;
    char buf[4096];
    ssize_t n;
    while ((n = read (fd, buf, sizeof buf)) > 0) socin_str_append (&answer, buf, (size_t) n);
    close (fd);
    while (answer.len && answer.data[answer.len - 1] == '\n') answer.data[--answer.len] = 0;
    bool failed = !strncmp (socin_str_cstr (&answer), "error: ", 7);
    fprintf (failed ? stderr : stdout, "%s\n", socin_str_cstr (&answer));
    socin_str_free (&answer);
    return failed ? CLI_FAILED : CLI_OK;
}

/* ---- main ---- */

static void
s_help (FILE *out)
{
    fprintf (out,
             "usage: socin [SETTINGS] COMMAND [ARGS]\n"
             "\n"
             "commands:\n"
             "  submit FILE...            send values and events (DHIS2 CSV, dataValueSets JSON, events JSON)\n"
             "  report KIND               values, rollup, completeness, participation, targets, history, sources\n"
             "  registry ACTION           import-territory, import-population, import-catalogue, list, show,\n"
             "                            add-submitter, add-peer\n"
             "  keys new NAME             a CURVE certificate for a new submitter or peer\n"
             "  ctl SERVICE COMMAND...    a daemon's control socket\n"
             "  token issue|check|revoke  bearer tokens of reader keys for socin-web\n"
             "  help [COMMAND]            this text, or a command's\n"
             "\n"
             "settings (flags; also SOCIN_* environment variables or a client.conf):\n");
    for (const socin_config_key_t *k = s_keys; k->key; k++) {
        char flag[64];
        snprintf (flag, sizeof flag, "--%s", k->key);
        for (char *c = flag + 2; *c; c++)
            if (*c == '_') *c = '-';
        fprintf (out, "  %-22s %s\n", flag, k->help);
    }
    fprintf (out,
             "  %-22s %s\n  %-22s %s\n"
             "\n"
             "exit codes: 0 done (everything accepted), 1 partly accepted, 2 nothing accepted or\n"
             "refused or unreadable, 64 wrong usage, 69 the service did not answer.\n",
             "--home DIR", "where a local stack keeps keys and sockets (SOCIN_HOME)", "--config FILE",
             "client settings file (default HOME/client.conf)");
}

/* Whether ARG is a settings flag (its name a config key); *TAKES is set when it has a separate value. */
static bool
s_is_setting (const char *arg, bool *takes)
{
    if (strncmp (arg, "--", 2)) return false;
    const char *name = arg + 2, *eq = strchr (name, '=');
    size_t n = eq ? (size_t) (eq - name) : strlen (name);
    char key[64];
    if (n >= sizeof key) return false;
    memcpy (key, name, n);
    key[n] = 0;
    for (char *c = key; *c; c++)
        if (*c == '-') *c = '_';
    *takes = !eq;
    if (!strcmp (key, "home") || !strcmp (key, "config")) return true;
    for (const socin_config_key_t *k = s_keys; k->key; k++)
        if (!strcmp (k->key, key)) return true;
    return false;
}

int
main (int argc, char **argv)
{
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL);
    socin_log_init ("socin");
    socin_log_set_level ("warn");
    /* Settings flags may stand anywhere; the rest belongs to the command. */
    char **settings = calloc ((size_t) argc + 1, sizeof *settings);
    char **rest = calloc ((size_t) argc + 1, sizeof *rest);
    if (!settings || !rest) return CLI_FAILED;
    int ns = 0, nr = 0;
    settings[ns++] = argv[0];
    for (int i = 1; i < argc; i++) {
        bool takes;
        if (s_is_setting (argv[i], &takes)) {
            settings[ns++] = argv[i];
            if (takes && i + 1 < argc) settings[ns++] = argv[++i];
        }
        else
            rest[nr++] = argv[i];
    }
    cli_t cli = {socin_config_new ("socin", s_keys), OUT_TABLE, 30000};
    char err[1024];
    int rc = CLI_USAGE;
    if (socin_config_parse (cli.config, ns, settings, err, sizeof err)) {
        cli_error ("%s", err);
        goto done;
    }
    /* The local stack's client.conf, when no file was named. */
    if (!*socin_config_str (cli.config, "config")) {
        char path[1024];
        snprintf (path, sizeof path, "%s/client.conf", socin_config_str (cli.config, "home"));
        if (access (path, R_OK) == 0) {
            socin_config_set (cli.config, "config", path);
            if (socin_config_reload (cli.config, err, sizeof err)) {
                cli_error ("%s", err);
                goto done;
            }
        }
    }
    if (out_format_parse (socin_config_str (cli.config, "format"), &cli.format)) {
        cli_error ("--format must be table, csv or json");
        goto done;
    }
    cli.timeout_ms = (int) socin_config_int (cli.config, "timeout_ms");
    if (nr == 0 || !strcmp (rest[0], "help") || !strcmp (rest[0], "--help") || !strcmp (rest[0], "-h")) {
        if (nr >= 2 && strcmp (rest[1], "help")) {
            /* socin help COMMAND is COMMAND --help. */
            rest[nr++] = "--help";
            memmove (rest, rest + 1, (size_t) (nr - 1) * sizeof *rest);
            nr--;
        }
        else {
            s_help (nr ? stdout : stderr);
            rc = nr ? CLI_OK : CLI_USAGE;
            goto done;
        }
    }
    const char *cmd = rest[0];
    if (!strcmp (cmd, "submit")) rc = cli_submit (&cli, nr, rest);
    else if (!strcmp (cmd, "report")) rc = cli_report (&cli, nr, rest);
    else if (!strcmp (cmd, "registry")) rc = cli_registry (&cli, nr, rest);
    else if (!strcmp (cmd, "keys")) rc = cli_keys (&cli, nr, rest);
    else if (!strcmp (cmd, "ctl")) rc = cli_ctl (&cli, nr, rest);
    else if (!strcmp (cmd, "token")) rc = cli_token (&cli, nr, rest);
    else {
        cli_error ("unknown command '%s' (socin help lists the commands)", cmd);
        rc = CLI_USAGE;
    }
done:
    socin_config_destroy (&cli.config);
    free (settings);
    free (rest);
    return rc;
}
