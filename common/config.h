/*  config: a daemon's settings, from defaults, a file and the command line.

    Each daemon declares a table of keys with type, default and help. A value comes from the
    command line (--key value or --key=value; '-' and '_' are the same in key names), else the
    configuration file (-c FILE: "key = value" lines, # comments, values optionally in double
    quotes; the flat subset of ZPL), else the default. Values may name other keys as ${key},
    and ${env:NAME} for an environment variable (${env:NAME:-fallback} when it may be unset),
    so one `home` key can place every file.
    -n checks the configuration and exits; -h prints the keys with their help.
*/
#ifndef SOCIN_CONFIG_H
#define SOCIN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "str.h"

typedef enum {
    SOCIN_CFG_STRING,
    SOCIN_CFG_INT,  /* a whole number */
    SOCIN_CFG_BOOL, /* true/false, yes/no, on/off, 1/0 */
    SOCIN_CFG_SIZE, /* bytes, with an optional K, M, G or T suffix (powers of 1024) */
} socin_config_type_t;

typedef struct {
    const char *key;
    socin_config_type_t type;
    const char *def;
    const char *help;
} socin_config_key_t;

typedef struct socin_config_t socin_config_t;

/* A configuration for the service SVC with the keys of TABLE, which ends with a {NULL} entry
   and must outlive the object. The keys `config` and `home` are always present. */
socin_config_t *socin_config_new (const char *svc, const socin_config_key_t *table);
void socin_config_destroy (socin_config_t **self_p);

/* Reads the command line (and the file it names). Returns 0, or -1 with a message naming the
   flag, file line or key at fault, e.g. "line 3: unknown key 'endpint'". Every value is type
   checked, so a -n run reports every mistake in one go (joined by "; "). */
int socin_config_parse (socin_config_t *self, int argc, char **argv, char *err, size_t errlen);

/* Re-reads the file (SIGHUP); command-line values keep their precedence. 0 or -1 as above;
   on failure the previous values stay. */
int socin_config_reload (socin_config_t *self, char *err, size_t errlen);

/* Whether -n or -h was given. */
bool socin_config_check_only (socin_config_t *self);
bool socin_config_help_only (socin_config_t *self);

/* Effective values (with ${...} expanded). The key must be in the table: asking for another
   is a programming error and aborts. A returned string stays valid until the object is
   destroyed; after a reload or a set it may be out of date (ask again for the current value). */
const char *socin_config_str (socin_config_t *self, const char *key);
int64_t socin_config_int (socin_config_t *self, const char *key);
bool socin_config_bool (socin_config_t *self, const char *key);
uint64_t socin_config_size (socin_config_t *self, const char *key);

/* Sets a value as if given on the command line (used by tests and by derived settings). */
void socin_config_set (socin_config_t *self, const char *key, const char *value);

/* Usage text with every key, its default and help; the effective values, one per line. */
void socin_config_usage (socin_config_t *self, FILE *out);
void socin_config_dump (socin_config_t *self, socin_str_t *out);

/* The default home for data, sockets and keys: $SOCIN_HOME, else $XDG_STATE_HOME/socin,
   else $HOME/.local/state/socin, else /tmp/socin-UID. Returned in a static buffer. */
const char *socin_config_default_home (void);

#endif
