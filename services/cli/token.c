/*  token: socin token issue|check|revoke — bearer tokens of reader keys, for socin-web. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "options.h"
#include "output.h"
#include "clock.h"
#include "str.h"

enum { O_TERRITORY, O_LABEL, O_DAYS };

static const cli_opt_t s_opts[] = {
    {"territory", true, true, "unit codes the token may see (default: the whole country)"},
    {"label", true, false, "whom the token is given to (for the operator)"},
    {"days", true, false, "days until it expires (default 90)"},
    {NULL},
};

static const char *s_usage = "socin token issue PEER [--territory CODE...] [--label TEXT] [--days N] |\n"
                             "       check TOKEN | revoke ID";

static void
s_print (cli_t *cli, const Socin__V1__TokenInfo *t)
{
    char issued[SOCIN_TIME_STRLEN], expires[SOCIN_TIME_STRLEN];
    socin_time_text (t->issued_ms, issued);
    socin_time_text (t->expires_ms, expires);
    socin_str_t terr = SOCIN_STR_INIT;
    for (size_t i = 0; i < t->n_territories; i++) socin_str_printf (&terr, "%s%s", i ? "," : "", t->territories[i]);
    if (!t->n_territories) socin_str_puts (&terr, "CZ");
    if (cli->format == OUT_JSON) {
        printf ("{\"id\": \"%s\", \"peer\": ", t->id);
        out_json_string (stdout, t->peer);
        printf (", \"territories\": ");
        out_json_string (stdout, socin_str_cstr (&terr));
        printf (", \"label\": ");
        out_json_string (stdout, t->label);
        printf (", \"issued\": \"%s\", \"expires\": \"%s\"", issued, expires);
        if (*t->token) printf (", \"token\": \"%s\"", t->token);
        printf ("}\n");
    }
    else {
        if (*t->token) printf ("token:%s\n", t->token);
        printf ("id:%s\npeer:%s\nterritories:%s\nlabel:%s\nissued:%s\nexpires:%s\n", t->id, t->peer,
                socin_str_cstr (&terr), t->label, issued, expires);
        if (*t->token) fprintf (stderr, "socin: the token is shown only now; the registry keeps only its hash\n");
    }
    socin_str_free (&terr);
}

int
cli_token (cli_t *cli, int argc, char **argv)
{
    cli_parsed_t p;
    if (cli_parse (s_opts, argc, argv, &p, s_usage)) return CLI_USAGE;
    if (p.help || p.nargs != 2) {
        cli_usage (p.help ? stdout : stderr, s_usage, s_opts);
        if (p.help)
            printf ("A token lets a person read socin-web's pages and API as the reader key PEER, limited to\n"
                    "the territories given. check shows what a token grants; revoke ends it.\n");
        return p.help ? CLI_OK : CLI_USAGE;
    }
    const char *action = p.args[0];
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    Socin__V1__IssueToken issue = SOCIN__V1__ISSUE_TOKEN__INIT;
    Socin__V1__CheckToken check = SOCIN__V1__CHECK_TOKEN__INIT;
    Socin__V1__RevokeToken revoke = SOCIN__V1__REVOKE_TOKEN__INIT;
    if (!strcmp (action, "issue")) {
        issue.peer = (char *) p.args[1];
        issue.territories = (char **) p.values[O_TERRITORY];
        issue.n_territories = (size_t) p.counts[O_TERRITORY];
        issue.label = (char *) (cli_opt (&p, O_LABEL) ? cli_opt (&p, O_LABEL) : "");
        const char *days = cli_opt (&p, O_DAYS);
        if (days) {
            char *end;
            long d = strtol (days, &end, 10);
            if (*end || d < 1 || d > 3650) {
                cli_error ("--days must be a whole number from 1 to 3650");
                return CLI_USAGE;
            }
            issue.valid_days = (uint32_t) d;
        }
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_ISSUE_TOKEN;
        req.issue_token = &issue;
    }
    else if (!strcmp (action, "check")) {
        check.token = (char *) p.args[1];
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_CHECK_TOKEN;
        req.check_token = &check;
    }
    else if (!strcmp (action, "revoke")) {
        revoke.id = (char *) p.args[1];
        req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_REVOKE_TOKEN;
        req.revoke_token = &revoke;
    }
    else {
        cli_usage (stderr, s_usage, s_opts);
        return CLI_USAGE;
    }
    int rc;
    Socin__V1__RegistryReply *reply = cli_registry_call (cli, &req, &rc);
    if (!reply) return rc;
    if (reply->body_case != SOCIN__V1__REGISTRY_REPLY__BODY_TOKEN) {
        cli_error ("the registry answered without a token (is it older than wire API 1.2?)");
        rc = CLI_FAILED;
    }
    else
        s_print (cli, reply->token);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return rc;
}
