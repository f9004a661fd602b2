/*  log: one logfmt line per event on stderr.

        ts=2026-11-22T10:00:00.123Z level=info svc=ingest event=submission.accepted id=a1 ms=3.1

    The caller names the event (a dotted noun.verb) and adds key=value pairs with a printf
    format; values that may hold spaces or quotes go through socin_log_q(). The level can be
    changed at run time (the control socket's log-level). As in OpenBSD's daemons, the _errno
    variants add err="strerror(errno)", and socin_fatal() logs and exits, never returning.
*/
#ifndef SOCIN_LOG_H
#define SOCIN_LOG_H

#include <stdbool.h>

typedef enum {
    SOCIN_LOG_DEBUG = 0,
    SOCIN_LOG_INFO = 1,
    SOCIN_LOG_WARN = 2,
    SOCIN_LOG_ERROR = 3,
} socin_log_level_t;

/* Sets the service name written as svc= (kept by pointer: pass a literal). */
void socin_log_init (const char *svc);

/* Sets the level by name ("debug", "info", "warn", "error"): 0, or -1 for an unknown name. */
int socin_log_set_level (const char *name);
const char *socin_log_level_name (void);
bool socin_log_enabled (socin_log_level_t level);

/* Writes one line when LEVEL is enabled. FMT (may be NULL) formats the pairs after event=. */
void socin_log (socin_log_level_t level, const char *event, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

#define socin_debug(event, ...) socin_log (SOCIN_LOG_DEBUG, event, __VA_ARGS__)
#define socin_info(event, ...)  socin_log (SOCIN_LOG_INFO, event, __VA_ARGS__)
#define socin_warn(event, ...)  socin_log (SOCIN_LOG_WARN, event, __VA_ARGS__)
#define socin_error(event, ...) socin_log (SOCIN_LOG_ERROR, event, __VA_ARGS__)

/* As socin_log, adding err="..." from errno (saved on entry). */
void socin_log_errno (socin_log_level_t level, const char *event, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Logs at level=fatal and exits with status 1. */
void socin_fatal (const char *event, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3), noreturn));

/* TEXT as a logfmt value: unchanged when it is a bare word, else quoted with \" and \\ and
   control characters escaped. The result lives in one of 8 rotating per-thread buffers, so
   up to 8 may appear in one call; long text is cut at 400 bytes. */
const char *socin_log_q (const char *text);

#endif
