/*  fuzz_ctl: command lines on a daemon's control socket, split into words and run.

    The control object is made once (its socket in a temporary directory) with a small table
    of commands like the daemons' (fixed and variable argument counts, a handler that fails,
    one that defers its answer) besides the built-in help. Each input is cut into lines at
    '\n', as the socket reads them, and every line is run with socin_ctl_execute.

    Each line is also split by socin_ctl_split directly, into at most 4 and at most 32 words.
    Properties beyond "no crash, no sanitizer report": the count is within the bound; the words
    lie inside the buffer, in order and without overlapping; and quoting every word again
    (with \" and \\) and splitting the result gives back the same words.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "fixture.h"
#include "log.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static socin_ctl_t *s_ctl;

static int
s_echo (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    for (int i = 1; i < argc; i++)
        socin_str_printf (out, "%s%s", i > 1 ? " " : "", argv[i]);
    socin_str_puts (out, "\n");
    return SOCIN_CTL_OK;
}

static int
s_set (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    if (!strcmp (argv[1], "level") && socin_log_set_level (argv[2]) == 0) {
        socin_log_set_level ("error");
        socin_str_puts (out, "ok\n");
        return SOCIN_CTL_OK;
    }
    socin_str_printf (out, "cannot set %s to %s", argv[1], argv[2]);
    return SOCIN_CTL_ERROR;
}

static int
s_later (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    socin_ctl_defer (ctl);
    return SOCIN_CTL_DEFERRED;
}

static const socin_ctl_cmd_t s_commands[] = {
    {"echo", "[WORDS...]", "answer the words", s_echo, 0, 31},
    {"set", "KEY VALUE", "set a value", s_set, 2, 2},
    {"backup", "DIR", "answer later", s_later, 1, 1},
    {NULL},
};

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    fuzz_quiet ();
    char path[512], err[256];
    snprintf (path, sizeof path, "%s/ctl.sock", fuzz_tmpdir ());
    s_ctl = socin_ctl_new (path, err, sizeof err);
    FUZZ_ASSERT (s_ctl, "cannot make the control socket: %s", err);
    socin_ctl_register (s_ctl, s_commands, NULL);
    return 0;
}

/* Splits LINE into at most MAX words and checks them; the round trip through quoting too. */
static void
s_split (const char *line, size_t len, int max)
{
    char *buf = malloc (len + 1), *argv[32], err[128];
    FUZZ_ASSERT (buf, "out of memory");
    memcpy (buf, line, len + 1);
    int argc = socin_ctl_split (buf, argv, max, err, sizeof err);
    if (argc < 0) {
        FUZZ_ASSERT (err[0], "a refusal without a message");
        free (buf);
        return;
    }
    FUZZ_ASSERT (argc <= max, "%d words, at most %d", argc, max);
    const char *end = buf;
    for (int i = 0; i < argc; i++) {
        FUZZ_ASSERT (argv[i] >= end && argv[i] < buf + len + 1, "word %d outside the buffer", i);
        end = argv[i] + strlen (argv[i]) + 1;
        FUZZ_ASSERT (end <= buf + len + 1, "word %d runs past the buffer", i);
    }
    socin_str_t quoted = SOCIN_STR_INIT;
    for (int i = 0; i < argc; i++) {
        socin_str_puts (&quoted, i ? " \"" : "\"");
        for (const char *p = argv[i]; *p; p++) {
            if (*p == '"' || *p == '\\') socin_str_puts (&quoted, "\\");
            socin_str_append (&quoted, p, 1);
        }
        socin_str_puts (&quoted, "\"");
    }
    char *again = socin_strdup (socin_str_cstr (&quoted)), *argv2[32];
    int argc2 = socin_ctl_split (again, argv2, max, err, sizeof err);
    FUZZ_ASSERT (argc2 == argc, "%d words, quoted again %d (%s)", argc, argc2,
                 argc2 < 0 ? err : "");
    for (int i = 0; i < argc; i++)
        FUZZ_ASSERT (!strcmp (argv[i], argv2[i]), "word %d \"%s\" came back as \"%s\"", i, argv[i],
                     argv2[i]);
    free (again);
    socin_str_free (&quoted);
    free (buf);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *text = malloc (size + 1);
    FUZZ_ASSERT (text, "out of memory");
    memcpy (text, data, size);
    text[size] = 0;
    /* Lines as the socket cuts them, at '\n' (a NUL inside one ends its string there). */
    size_t at = 0;
    while (at <= size) {
        const char *nl = memchr (text + at, '\n', size - at);
        size_t stop = nl ? (size_t)(nl - text) : size;
        text[stop] = 0;
        const char *line = text + at;
        socin_str_t out = SOCIN_STR_INIT;
        int rc = socin_ctl_execute (s_ctl, line, &out);
        FUZZ_ASSERT (rc == SOCIN_CTL_OK || rc == SOCIN_CTL_ERROR, "execute returned %d", rc);
        FUZZ_ASSERT (rc == SOCIN_CTL_OK || out.len, "an error without a reason");
        socin_str_free (&out);
        s_split (line, strlen (line), 4);
        s_split (line, strlen (line), 32);
        at = stop + 1;
    }
    free (text);
    return 0;
}
