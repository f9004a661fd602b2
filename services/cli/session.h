/*  session: one run of the socin command — its settings (endpoints, keys, output format,
    timeout), read from flags, the environment and a client configuration file, and the
    connections and calls it makes to the services with them.
*/
#ifndef SOCIN_CLI_SESSION_H
#define SOCIN_CLI_SESSION_H

#include <stdio.h>

#include "client.h"
#include "config.h"
#include "output.h"

typedef struct {
    socin_config_t *config;
    out_format_t format;
    int timeout_ms;
} cli_t;

/* Reads the settings flags of ARGV (they may stand anywhere), the environment and the client
   configuration file into SELF, and collects the other words of ARGV, the command and its
   arguments, into *REST (*NREST of them, room for one more; the caller frees it). CLI_OK, or
   CLI_USAGE after printing the problem; SELF is to be closed either way. */
int cli_session_open (cli_t *self, int argc, char **argv, char ***rest, int *nrest);

/* Releases what cli_session_open made. */
void cli_session_close (cli_t *self);

/* Prints the settings flags with their help, for `socin help`. */
void cli_session_help (FILE *out);

/* A connection to SERVICE ("registry", "reporting" or "ingest") with the configured
   endpoint, service key and client key; NULL after printing why. */
socin_client_t *cli_connect (cli_t *self, const char *service);

/* Why SERVICE, reached through CLIENT, gave no answer, into OUT: "SERVICE at ENDPOINT: " and
   what the connection's events say (nothing listens there, this key is unknown to it, its key
   is not SERVICE_key), or ERR when they say nothing more. */
void cli_unanswered (cli_t *self, const char *service, socin_client_t *client, const char *err,
                     char *out, size_t len);

/* Sends REQ to SERVICE and waits for its reply, unpacked as REPLY_DESC. NULL after printing
   why (*RC is then CLI_UNAVAILABLE); the caller frees the reply. */
ProtobufCMessage *cli_call (cli_t *self, const char *service, const ProtobufCMessage *req,
                            const ProtobufCMessageDescriptor *reply_desc, int *rc);

#endif
