/*  log: logfmt lines on stderr. See log.h.

    Each line is built whole in memory and written with one write(2), so lines from several
    processes sharing a terminal or file do not interleave.
*/
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *s_svc = "socin";
static socin_log_level_t s_level = SOCIN_LOG_INFO;
static const char *s_names[] = {"debug", "info", "warn", "error"};

void
socin_log_init (const char *svc)
{
    s_svc = svc;
    const char *env = getenv ("SOCIN_LOG_LEVEL");
    if (env) socin_log_set_level (env);
}

int
socin_log_set_level (const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp (name, s_names[i]) == 0) {
            s_level = (socin_log_level_t) i;
            return 0;
        }
    return -1;
}

const char *
socin_log_level_name (void)
{
    return s_names[s_level];
}

bool
socin_log_enabled (socin_log_level_t level)
{
    return level >= s_level;
}

static void
s_emit (const char *level, const char *event, const char *fmt, va_list args, const char *err)
{
    char line[4096];
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);
    size_t n = strftime (line, sizeof line, "ts=%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t) snprintf (line + n, sizeof line - n, ".%03ldZ level=%s svc=%s event=%s",
                            now.tv_nsec / 1000000, level, s_svc, event);
    if (fmt && *fmt && n < sizeof line - 2) {
        line[n++] = ' ';
        int k = vsnprintf (line + n, sizeof line - n, fmt, args);
        if (k > 0) n += (size_t) k;
    }
    if (err && n < sizeof line) {
        int k = snprintf (line + n, sizeof line - n, " err=%s", socin_log_q (err));
        if (k > 0) n += (size_t) k;
    }
    if (n > sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    ssize_t rc = write (STDERR_FILENO, line, n);
    (void) rc;
}

void
socin_log (socin_log_level_t level, const char *event, const char *fmt, ...)
{
    if (level < s_level) return;
    va_list args;
    va_start (args, fmt);
    s_emit (s_names[level], event, fmt, args, NULL);
    va_end (args);
}

void
socin_log_errno (socin_log_level_t level, const char *event, const char *fmt, ...)
{
    int saved = errno;
    if (level < s_level) return;
    va_list args;
    va_start (args, fmt);
    s_emit (s_names[level], event, fmt, args, strerror (saved));
    va_end (args);
}

void
socin_fatal (const char *event, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    s_emit ("fatal", event, fmt, args, NULL);
    va_end (args);
    exit (1);
}

const char *
socin_log_q (const char *text)
{
    static __thread char bufs[8][420];
    static __thread unsigned next;
    char *out = bufs[next++ % 8];
    if (!text) text = "";
    bool bare = *text != 0;
    for (const char *p = text; *p && bare; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f) bare = false;
    size_t len = strlen (text);
    if (bare && len < 400) return text;
    size_t n = 0;
    out[n++] = '"';
    for (const unsigned char *p = (const unsigned char *) text; *p && n < 400; p++) {
        if (*p == '"' || *p == '\\') {
            out[n++] = '\\';
            out[n++] = (char) *p;
        }
        else if (*p == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        }
        else if (*p < ' ' || *p == 0x7f)
            n += (size_t) snprintf (out + n, 8, "\\x%02x", *p);
        else
            out[n++] = (char) *p;
    }
    out[n++] = '"';
    out[n] = 0;
    return out;
}
