/*  ctl: a daemon's control socket.

    A Unix stream socket (mode 0600) that takes one command per line and answers each with
    text lines followed by one empty line, so it works with socat as well as `socin ctl`:

        echo status | socat - UNIX-CONNECT:/var/lib/socin/ingest/ctl.sock

    Commands come from tables of {name, arguments, help, handler}, as HAProxy's CLI does;
    `help` is generated from the tables. A failed command answers one line "error: ...". A
    handler that cannot answer at once (a backup) defers the answer and completes it later
    from the event loop.
*/
#ifndef SOCIN_CTL_H
#define SOCIN_CTL_H

#include <czmq.h>
#include <stdint.h>

#include "str.h"

typedef struct socin_ctl_t socin_ctl_t;

/* Handler results. */
#define SOCIN_CTL_OK       0
#define SOCIN_CTL_ERROR    (-1) /* OUT holds the reason (one line, without "error: ") */
#define SOCIN_CTL_DEFERRED 1    /* the handler took a token with socin_ctl_defer */

typedef int(socin_ctl_fn) (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg);

typedef struct {
    const char *name;  /* the command word */
    const char *args;  /* argument synopsis for help, e.g. "LEVEL" (NULL: none) */
    const char *help;  /* one line */
    socin_ctl_fn *fn;
    int min_args, max_args; /* arguments after the command word */
} socin_ctl_cmd_t;

/* Listens on PATH (a stale socket file nobody answers on is replaced; one in use is an
   error). NULL with a message on failure. */
socin_ctl_t *socin_ctl_new (const char *path, char *err, size_t errlen);
void socin_ctl_destroy (socin_ctl_t **self_p);

/* Adds a table of commands (ending with {NULL}) whose handlers get ARG. */
void socin_ctl_register (socin_ctl_t *self, const socin_ctl_cmd_t *table, void *arg);

/* Serves the socket from LOOP. */
int socin_ctl_attach (socin_ctl_t *self, zloop_t *loop);

/* Runs one command line as if a client had sent it; the answer (without the closing empty
   line) goes to OUT. Returns SOCIN_CTL_OK or SOCIN_CTL_ERROR (deferred commands are refused
   here). For tests and fuzzing. */
int socin_ctl_execute (socin_ctl_t *self, const char *line, socin_str_t *out);

/* Splits a command line into words (spaces separate; "double quotes" keep spaces, with \"
   and \\ inside). Returns the count, or -1 with a message for an unterminated quote or more
   than MAX words. The words point into BUF, which is modified. */
int socin_ctl_split (char *buf, char **argv, int max, char *err, size_t errlen);

/* Inside a handler: a token for answering later. */
uint64_t socin_ctl_defer (socin_ctl_t *self);

/* Answers a deferred command (the client may have gone: then nothing happens). OK false
   makes the text an error line. */
void socin_ctl_complete (socin_ctl_t *self, uint64_t token, bool ok, const char *text);

const char *socin_ctl_path (socin_ctl_t *self);

#endif
