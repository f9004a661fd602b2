/*  stack: what service tests share — temporary directories, real daemons started and
    stopped by process id, control-socket commands, files.

    Daemons are the binaries under test ($SOCIN_BIN, set by `make test`), started with
    --home in a temporary directory and ipc:// endpoints inside it, so tests never collide
    with each other or with a stack running on the machine. Each daemon's stderr goes to
    HOME/NAME.log; a failed wait prints its tail.
*/
#ifndef SOCIN_TEST_STACK_H
#define SOCIN_TEST_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    char name[64];
    char binary[64];
    char home[512];
    char ctl[600];
    char log[600];
    char *args[48]; /* the extra arguments, kept for restarts */
    int nargs;
} t_daemon_t;

/* A new empty directory under /tmp (fatal on failure). */
void t_tmpdir (char *out, size_t len);

/* What every test program of daemons does first: CZMQ quiet and without its signal handler,
   the daemons' clock on TODAY (SOCIN_TODAY, inherited by every daemon started; NULL: the
   system's), and a new temporary directory in HOME. */
void t_begin (char *home, size_t len, const char *today);

/* Removes a directory tree (kept when SOCIN_KEEP is set, for a look after a failure). */
void t_rmtree (const char *path);

/* Starts BINARY ("socin-registry"...) as NAME with --home HOME, --data-dir HOME/NAME,
   --control HOME/NAME.sock and the NULL-terminated extra ARGS; returns once the control
   socket answers (NULL after 20 s, with the log's tail printed). */
t_daemon_t *t_start (const char *binary, const char *name, const char *home,
                     const char *const *args);

/* Starts the same daemon again (after a stop or kill). 0 or -1. */
int t_restart (t_daemon_t *d);

/* SIGTERM, then waits (SIGKILL after 15 s). Returns the exit status (or -1 when killed). */
int t_stop (t_daemon_t *d);

/* SIGKILL and wait. */
void t_kill9 (t_daemon_t *d);

/* Stops (if running) and frees. */
void t_free (t_daemon_t **d);

/* Sends one command to a control socket; the answer (without the closing empty line) goes to
   OUT. 0, or -1 when the socket cannot be reached. */
int t_ctl (const char *path, const char *command, char *out, size_t len);

/* The value of "key:value" in TEXT, as a number (-1 when absent) or copied to OUT. */
long long t_field (const char *text, const char *key);
int t_field_str (const char *text, const char *key, char *out, size_t len);

/* The number under KEY in D's answer to COMMAND (-1 when absent or unanswered). */
long long t_ctl_field (t_daemon_t *d, const char *command, const char *key);

/* Reads a whole file (NULL when it cannot); *LEN gets its size. Free with free(). */
char *t_read_file (const char *path, size_t *len);

int t_write_file (const char *path, const char *data, size_t len);

/* The size of the file at PATH (0 when there is none): where a daemon's log stands now. */
size_t t_file_size (const char *path);

/* The lines of the log at PATH from byte FROM on that name EVENT; *ONES, when given, gets how
   many of them also say FIELD (such as "batches=") is 1. */
int t_log_events (const char *path, size_t from, const char *event, const char *field, int *ones);

/* The leaf pages of database DB in the LMDB store in DIR, as LMDB counts them, read while its
   daemon may be writing (-1 when it cannot be read). */
long long t_store_leaf_pages (const char *dir, const char *db);

/* A path in the shared data ($SOCIN_SHARED/data/...). */
const char *t_shared (const char *relative);

/* Polls CONDITION (a function returning true when done) every 50 ms for up to MS. */
bool t_wait_for (bool (*condition) (void *arg), void *arg, int ms);

/* The registry's current sequence (its `seq` control command), -1 when it does not answer. */
long long t_registry_seq (t_daemon_t *registry);

/* Waits up to MS until D's replica is live and holds everything REGISTRY has now (live is
   enough when the registry does not answer); says on stderr what D reports when it is not. */
bool t_wait_replica (t_daemon_t *d, t_daemon_t *registry, int ms);

#endif
