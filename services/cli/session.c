/*  session: the settings of one run of socin and its calls to the services. See session.h. */
#include "session.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "mem.h"

static const socin_config_key_t s_keys[] = {
    {"registry", SOCIN_CFG_STRING, "${env:SOCIN_REGISTRY:-tcp://127.0.0.1:7701}",
     "the registry's request endpoint"},
    {"registry_key", SOCIN_CFG_STRING, "${env:SOCIN_REGISTRY_KEY:-${home}/keys/registry.cert}",
     "the registry's public key (Z85 or certificate file)"},
    {"reporting", SOCIN_CFG_STRING, "${env:SOCIN_REPORTING:-tcp://127.0.0.1:7711}",
     "reporting's query endpoint"},
    {"reporting_key", SOCIN_CFG_STRING, "${env:SOCIN_REPORTING_KEY:-${home}/keys/reporting.cert}",
     "reporting's public key"},
    {"ingest", SOCIN_CFG_STRING, "${env:SOCIN_INGEST:-tcp://127.0.0.1:7721}",
     "the ingest that takes submissions"},
    {"ingest_key", SOCIN_CFG_STRING, "${env:SOCIN_INGEST_KEY:-${home}/keys/ingest-CZ.cert}",
     "the ingest's public key"},
    {"identity", SOCIN_CFG_STRING, "${env:SOCIN_IDENTITY:-${home}/keys/admin.cert}",
     "this client's certificate (its _secret file must be beside it)"},
    {"timeout_ms", SOCIN_CFG_INT, "30000", "how long to wait for an answer"},
    {"format", SOCIN_CFG_STRING, "table", "output: table, csv or json"},
    {NULL},
};

/* Whether ARG is a settings flag (its name a config key); *TAKES is set when it has a separate
 * value. */
static bool
s_is_setting (const char *arg, bool *takes)
{
    if (strncmp (arg, "--", 2)) return false;
    const char *name = arg + 2, *eq = strchr (name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen (name);
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

/* The local stack's client.conf, when no file was named. 0, or -1 after printing why. */
static int
s_load_client_conf (cli_t *self)
{
    if (*socin_config_str (self->config, "config")) return 0;
    char path[1024], err[1024];
    snprintf (path, sizeof path, "%s/client.conf", socin_config_str (self->config, "home"));
    if (access (path, R_OK) != 0) return 0;
    socin_config_set (self->config, "config", path);
    if (socin_config_reload (self->config, err, sizeof err)) {
        cli_error ("%s", err);
        return -1;
    }
    return 0;
}

int
cli_session_open (cli_t *self, int argc, char **argv, char ***rest, int *nrest)
{
    char **settings = socin_calloc ((size_t)argc + 1, sizeof *settings);
    *rest = socin_calloc ((size_t)argc + 1, sizeof **rest);
    *nrest = 0;
    int ns = 0;
    settings[ns++] = argv[0];
    for (int i = 1; i < argc; i++) {
        bool takes;
        if (s_is_setting (argv[i], &takes)) {
            settings[ns++] = argv[i];
            if (takes && i + 1 < argc) settings[ns++] = argv[++i];
        } else
            (*rest)[(*nrest)++] = argv[i];
    }
    *self = (cli_t){socin_config_new ("socin", s_keys), OUT_TABLE, 30000};
    char err[1024];
    int rc = CLI_USAGE;
    if (socin_config_parse (self->config, ns, settings, err, sizeof err))
        cli_error ("%s", err);
    else if (s_load_client_conf (self))
        ;
    else if (out_format_parse (socin_config_str (self->config, "format"), &self->format))
        cli_error ("--format must be table, csv or json");
    else {
        self->timeout_ms = (int)socin_config_int (self->config, "timeout_ms");
        rc = CLI_OK;
    }
    free (settings);
    return rc;
}

void
cli_session_close (cli_t *self)
{
    socin_config_destroy (&self->config);
}

void
cli_session_help (FILE *out)
{
    for (const socin_config_key_t *k = s_keys; k->key; k++) {
        char flag[64];
        snprintf (flag, sizeof flag, "--%s", k->key);
        for (char *c = flag + 2; *c; c++)
            if (*c == '_') *c = '-';
        fprintf (out, "  %-22s %s\n", flag, k->help);
    }
    fprintf (out, "  %-22s %s\n  %-22s %s\n", "--home DIR",
             "where a local stack keeps keys and sockets (SOCIN_HOME)", "--config FILE",
             "client settings file (default HOME/client.conf)");
}

socin_client_t *
cli_connect (cli_t *self, const char *service)
{
    char key_name[64];
    snprintf (key_name, sizeof key_name, "%s_key", service);
    const char *endpoint = socin_config_str (self->config, service);
    const char *server_key = socin_config_str (self->config, key_name);
    const char *cert = socin_config_str (self->config, "identity");
    char err[1024];
    socin_client_t *client = socin_client_new (endpoint, server_key, cert, 0, err, sizeof err);
    if (!client) cli_error ("cannot reach the %s at %s: %s", service, endpoint, err);
    return client;
}

void
cli_unanswered (cli_t *self, const char *service, socin_client_t *client, const char *err,
                char *out, size_t len)
{
    const char *endpoint = socin_config_str (self->config, service);
    socin_link_t link = socin_client_link (client);
    if (link == SOCIN_LINK_SERVER_KEY)
        snprintf (out, len, "%s at %s: %s (%s_key)", service, endpoint, socin_link_text (link),
                  service);
    else if (link == SOCIN_LINK_NOTHING || link == SOCIN_LINK_REFUSED)
        snprintf (out, len, "%s at %s: %s", service, endpoint, socin_link_text (link));
    else
        snprintf (out, len, "%s at %s: %s", service, endpoint, err);
}

ProtobufCMessage *
cli_call (cli_t *self, const char *service, const ProtobufCMessage *req,
          const ProtobufCMessageDescriptor *reply_desc, int *rc)
{
    *rc = CLI_UNAVAILABLE;
    socin_client_t *client = cli_connect (self, service);
    if (!client) return NULL;
    char err[1024];
    ProtobufCMessage *reply =
        socin_client_call (client, req, reply_desc, self->timeout_ms, err, sizeof err);
    if (!reply) {
        char why[1400];
        cli_unanswered (self, service, client, err, why, sizeof why);
        cli_error ("%s", why);
    }
    socin_client_destroy (&client);
    if (!reply) return NULL;
    *rc = CLI_OK;
    return reply;
}
