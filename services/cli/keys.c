/*  keys: socin keys new NAME — a CURVE certificate for a new submitter or peer. */
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "options.h"
#include "wire.h"

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
        printf (
            "Makes a CURVE certificate for a new submitter or peer: NAME.cert (public, give it to\n"
            "the registry's administrator) and NAME.cert_secret (keep it; mode 0600).\n");
        return CLI_OK;
    }
    if (p.nargs != 2 || strcmp (p.args[0], "new")) {
        cli_usage (stderr, usage, opts);
        return CLI_USAGE;
    }
    const char *name = p.args[1];
    for (const char *c = name; *c; c++)
        if (!(*c == '-' || *c == '_' || *c == '.' || (*c >= '0' && *c <= '9') ||
              (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))) {
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
    } else
        printf ("public_key:%s\ncertificate:%s/%s.cert\nsecret:%s\n", zcert_public_txt (cert), dir,
                name, path);
    zcert_destroy (&cert);
    return CLI_OK;
}
