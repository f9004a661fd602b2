/*  test_ctl: the control socket, its command tables and its line protocol.

    The splitting and dispatching cases run through socin_ctl_execute; the connection cases
    open the socket for real in a temporary directory, serve it from a zloop driven by this
    test (short runs ended by a timer), and talk to it as socat would: a plain AF_UNIX
    stream, one command per line, each answer closed by an empty line.
*/
#include "ctl.h"
#include "testing.h"

#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char s_dir[64];
static char s_err[512];

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

/* ---- splitting ---- */

/* Splits TEXT (copied) into at most MAX words, joined by '|' into a static buffer; the
   count goes to *COUNT. */
static const char *
s_split (const char *text, int max, int *count)
{
    static char joined[512];
    char buf[256];
    char *argv[16];
    snprintf (buf, sizeof buf, "%s", text);
    s_err[0] = 0;
    *count = socin_ctl_split (buf, argv, max, s_err, sizeof s_err);
    joined[0] = 0;
    for (int i = 0; i < *count; i++) {
        if (i) strcat (joined, "|");
        strcat (joined, argv[i]);
    }
    return joined;
}

static void
split_separates_words_on_blanks (void)
{
    int n;
    CHECK_STR (s_split ("status", 8, &n), "status");
    CHECK_INT (n, 1);
    CHECK_STR (s_split ("  log-level   debug  ", 8, &n), "log-level|debug");
    CHECK_INT (n, 2);
    CHECK_STR (s_split ("a\tb\r", 8, &n), "a|b");
    CHECK_INT (n, 2);
    CHECK_STR (s_split ("a\\b c", 8, &n), "a\\b|c"); /* a backslash outside quotes is kept */
    CHECK_INT (n, 2);
    s_split ("", 8, &n);
    CHECK_INT (n, 0);
    s_split (" \t \r", 8, &n);
    CHECK_INT (n, 0);
}

static void
split_keeps_quoted_spaces_and_escapes (void)
{
    int n;
    CHECK_STR (s_split ("backup \"/var/backups/socin 2025\" now", 8, &n),
               "backup|/var/backups/socin 2025|now");
    CHECK_INT (n, 3);
    CHECK_STR (s_split ("say \"he said \\\"hi\\\" \\\\ \\n\"", 8, &n), "say|he said \"hi\" \\ \\n");
    CHECK_INT (n, 2);
    CHECK_STR (s_split ("set \"\" x", 8, &n), "set||x");
    CHECK_INT (n, 3);
    /* A quoted word ends at its closing quote; what follows is the next word, not lost. */
    CHECK_STR (s_split ("set \"a b\"c d", 8, &n), "set|a b|c|d");
    CHECK_INT (n, 4);
}

static void
split_refuses_an_unterminated_quote (void)
{
    int n;
    s_split ("backup \"/var/backups", 8, &n);
    CHECK_INT (n, -1);
    CHECK_STR (s_err, "a quote (\") is not closed");
    s_split ("say \"ends in a backslash\\\"", 8, &n);
    CHECK_INT (n, -1);
    CHECK_STR (s_err, "a quote (\") is not closed");
}

static void
split_refuses_too_many_words (void)
{
    int n;
    CHECK_STR (s_split ("a b c", 3, &n), "a|b|c");
    CHECK_INT (n, 3);
    s_split ("a b c d", 3, &n);
    CHECK_INT (n, -1);
    CHECK_STR (s_err, "too many words (at most 3)");
    CHECK_STR (s_split ("a b c   ", 3, &n), "a|b|c"); /* trailing blanks are no word */
    CHECK_INT (n, 3);
}

/* ---- dispatching ---- */

typedef struct {
    int calls;
    uint64_t token;
    socin_ctl_t *ctl;
} s_state_t;

static int
s_echo (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    s_state_t *state = arg;
    state->calls++;
    for (int i = 1; i < argc; i++)
        socin_str_printf (out, "%s%s", i > 1 ? " " : "", argv[i]);
    return SOCIN_CTL_OK;
}

static int
s_jam (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    socin_str_puts (out, "the widget is jammed");
    return SOCIN_CTL_ERROR;
}

static int
s_backup (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    s_state_t *state = arg;
    state->token = socin_ctl_defer (ctl);
    return SOCIN_CTL_DEFERRED;
}

static int
s_stats (socin_ctl_t *ctl, int argc, char **argv, socin_str_t *out, void *arg)
{
    socin_str_puts (out, "# Store\nentries:3\n");
    return SOCIN_CTL_OK;
}

static const socin_ctl_cmd_t s_cmds[] = {
    {"echo", "WORD...", "repeat one to three words", s_echo, 1, 3},
    {"jam", NULL, "always fails", s_jam, 0, 0},
    {"backup", "DIR", "copy the store to DIR", s_backup, 1, 1},
    {NULL},
};

static const socin_ctl_cmd_t s_more_cmds[] = {
    {"stats", "[SECTION]", "show counters", s_stats, 0, 1},
    {NULL},
};

/* A control socket in the temporary directory under NAME, with both tables. */
static socin_ctl_t *
s_ctl_new (const char *name, s_state_t *state)
{
    char path[128];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    socin_ctl_t *ctl = socin_ctl_new (path, s_err, sizeof s_err);
    if (!ctl) {
        fprintf (stderr, "    socin_ctl_new (%s): %s\n", path, s_err);
        return NULL;
    }
    socin_ctl_register (ctl, s_cmds, state);
    socin_ctl_register (ctl, s_more_cmds, NULL);
    state->ctl = ctl;
    return ctl;
}

/* Runs LINE through socin_ctl_execute: the answer into a static buffer, the result to *RC. */
static const char *
s_exec (socin_ctl_t *ctl, const char *line, int *rc)
{
    static char answer[2048];
    socin_str_t out = SOCIN_STR_INIT;
    *rc = socin_ctl_execute (ctl, line, &out);
    snprintf (answer, sizeof answer, "%s", socin_str_cstr (&out));
    socin_str_free (&out);
    return answer;
}

static void
help_lists_every_command_of_every_table (void)
{
    s_state_t state = {0};
    socin_ctl_t *ctl = s_ctl_new ("help.sock", &state);
    CHECK (ctl != NULL);
    if (!ctl) return;
    int rc;
    const char *help = s_exec (ctl, "help", &rc);
    CHECK_INT (rc, SOCIN_CTL_OK);
    CHECK_CONTAINS (help, "help                     list the commands\n");
    CHECK_CONTAINS (help, "echo WORD...             repeat one to three words\n");
    CHECK_CONTAINS (help, "jam                      always fails\n");
    CHECK_CONTAINS (help, "backup DIR               copy the store to DIR\n");
    CHECK_CONTAINS (help, "stats [SECTION]          show counters\n");
    int lines = 0;
    for (const char *p = help; *p; p++)
        lines += *p == '\n';
    CHECK_INT (lines, 5);
    CHECK (strncmp (help, "help ", 5) == 0); /* the built-in table comes first */
    s_exec (ctl, "help me", &rc);
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    socin_ctl_destroy (&ctl);
    CHECK (ctl == NULL);
}

static void
commands_get_their_words_and_table_argument (void)
{
    s_state_t state = {0};
    socin_ctl_t *ctl = s_ctl_new ("args.sock", &state);
    CHECK (ctl != NULL);
    if (!ctl) return;
    int rc;
    CHECK_STR (s_exec (ctl, "echo one", &rc), "one");
    CHECK_INT (rc, SOCIN_CTL_OK);
    CHECK_STR (s_exec (ctl, "  echo \"two words\"  three four ", &rc), "two words three four");
    CHECK_INT (rc, SOCIN_CTL_OK);
    CHECK_INT (state.calls, 2);
    CHECK_STR (s_exec (ctl, "stats", &rc), "# Store\nentries:3\n");
    CHECK_INT (rc, SOCIN_CTL_OK);
    CHECK_STR (s_exec (ctl, "stats store", &rc), "# Store\nentries:3\n");
    CHECK_INT (rc, SOCIN_CTL_OK);
    /* An empty line is no command and answers nothing. */
    CHECK_STR (s_exec (ctl, "", &rc), "");
    CHECK_INT (rc, SOCIN_CTL_OK);
    CHECK_STR (s_exec (ctl, "   ", &rc), "");
    CHECK_INT (rc, SOCIN_CTL_OK);
    socin_ctl_destroy (&ctl);
}

static void
a_wrong_argument_count_answers_the_usage (void)
{
    s_state_t state = {0};
    socin_ctl_t *ctl = s_ctl_new ("usage.sock", &state);
    CHECK (ctl != NULL);
    if (!ctl) return;
    int rc;
    CHECK_STR (s_exec (ctl, "echo", &rc), "usage: echo WORD...");
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    CHECK_STR (s_exec (ctl, "echo a b c d", &rc), "usage: echo WORD...");
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    CHECK_STR (s_exec (ctl, "jam now", &rc), "usage: jam");
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    CHECK_STR (s_exec (ctl, "stats a b", &rc), "usage: stats [SECTION]");
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    CHECK_INT (state.calls, 0); /* the handler never ran */
    socin_ctl_destroy (&ctl);
}

static void
unknown_commands_and_handler_errors_are_one_line (void)
{
    s_state_t state = {0};
    socin_ctl_t *ctl = s_ctl_new ("errors.sock", &state);
    CHECK (ctl != NULL);
    if (!ctl) return;
    int rc;
    CHECK_STR (s_exec (ctl, "bogus", &rc), "unknown command 'bogus' (help lists the commands)");
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    CHECK_STR (s_exec (ctl, "Echo x", &rc), "unknown command 'Echo' (help lists the commands)");
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    CHECK_STR (s_exec (ctl, "jam", &rc), "the widget is jammed");
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    CHECK_STR (s_exec (ctl, "echo \"unclosed", &rc), "a quote (\") is not closed");
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    /* A command that answers later cannot run here. */
    CHECK_STR (s_exec (ctl, "backup /tmp/x", &rc),
               "this command answers later; use the control socket");
    CHECK_INT (rc, SOCIN_CTL_ERROR);
    CHECK (state.token == 0);
    socin_ctl_destroy (&ctl);
}

/* ---- the socket ---- */

static int
s_end_run (zloop_t *loop, int timer_id, void *arg)
{
    return -1;
}

/* Runs LOOP for about 10 ms: the timer registered by s_loop_new ends each run. */
static void
s_pump (zloop_t *loop)
{
    zloop_start (loop);
}

static zloop_t *
s_loop_new (void)
{
    zloop_t *loop = zloop_new ();
    zloop_timer (loop, 10, 0, s_end_run, NULL);
    return loop;
}

static int
s_connect (const char *path)
{
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf (addr.sun_path, sizeof addr.sun_path, "%s", path);
    if (fd >= 0 && connect (fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close (fd);
        fd = -1;
    }
    return fd;
}

static void
s_send (int fd, const char *text)
{
    ssize_t n = write (fd, text, strlen (text));
    CHECK_INT (n, strlen (text));
}

/* Serves LOOP until FD has received ANSWERS empty lines (the "\n\n" that close answers) or
   has been closed, for at most MSECS. What was read goes to BUF. Returns 1 when the server
   closed the connection. ANSWERS 0 serves for the whole time. */
static int
s_read_answers (zloop_t *loop, int fd, int answers, char *buf, size_t size, int msecs)
{
    size_t len = 0;
    buf[0] = 0;
    int64_t deadline = zclock_mono () + msecs;
    while (zclock_mono () < deadline) {
        int closed = 0;
        struct pollfd p = {fd, POLLIN, 0};
        while (poll (&p, 1, 0) > 0 && len < size - 1) {
            ssize_t n = read (fd, buf + len, size - 1 - len);
            if (n <= 0) {
                closed = 1;
                break;
            }
            len += (size_t)n;
            buf[len] = 0;
        }
        int found = 0;
        for (const char *q = buf; (q = strstr (q, "\n\n")); q += 2)
            found++;
        if (closed) return 1;
        if (answers && found >= answers) return 0;
        s_pump (loop);
    }
    return 0;
}

static void
the_socket_file_is_private_and_removed_at_the_end (void)
{
    s_state_t state = {0};
    socin_ctl_t *ctl = s_ctl_new ("mode.sock", &state);
    CHECK (ctl != NULL);
    if (!ctl) return;
    struct stat st;
    CHECK_INT (stat (socin_ctl_path (ctl), &st), 0);
    CHECK (S_ISSOCK (st.st_mode));
    CHECK_INT (st.st_mode & 07777, 0600);
    char path[128];
    snprintf (path, sizeof path, "%s/mode.sock", s_dir);
    CHECK_STR (socin_ctl_path (ctl), path);
    socin_ctl_destroy (&ctl);
    CHECK (access (path, F_OK) != 0);
}

static void
a_client_gets_one_answer_per_line_each_closed_by_an_empty_line (void)
{
    s_state_t state = {0};
    socin_ctl_t *ctl = s_ctl_new ("serve.sock", &state);
    CHECK (ctl != NULL);
    if (!ctl) return;
    zloop_t *loop = s_loop_new ();
    CHECK_INT (socin_ctl_attach (ctl, loop), 0);
    int fd = s_connect (socin_ctl_path (ctl));
    CHECK (fd >= 0);
    if (fd >= 0) {
        s_send (fd, "help\nbogus\n");
        char buf[4096];
        s_read_answers (loop, fd, 2, buf, sizeof buf, 2000);
        int rc;
        char expected[4096];
        snprintf (expected, sizeof expected,
                  "%s\nerror: unknown command 'bogus' (help lists the commands)\n\n",
                  s_exec (ctl, "help", &rc));
        CHECK_STR (buf, expected);

        /* A command split over two writes, an answer without a final newline, a handler
           error and an empty line. */
        s_send (fd, "echo a");
        s_read_answers (loop, fd, 0, buf, sizeof buf, 200); /* serve for a while: no answer yet */
        CHECK_STR (buf, "");
        s_send (fd, " b\r\njam\n\nstats\n");
        s_read_answers (loop, fd, 3, buf, sizeof buf, 2000); /* the empty answer joins two */
        CHECK_STR (buf, "a b\n\nerror: the widget is jammed\n\n\n# Store\nentries:3\n\n");
        close (fd);
    }
    socin_ctl_destroy (&ctl);
    zloop_destroy (&loop);
}

static void
a_deferred_answer_keeps_the_order_of_lines (void)
{
    s_state_t state = {0};
    socin_ctl_t *ctl = s_ctl_new ("defer.sock", &state);
    CHECK (ctl != NULL);
    if (!ctl) return;
    zloop_t *loop = s_loop_new ();
    socin_ctl_attach (ctl, loop);
    int fd = s_connect (socin_ctl_path (ctl));
    CHECK (fd >= 0);
    if (fd >= 0) {
        s_send (fd, "backup /tmp/b1\necho after\n");
        char buf[1024];
        s_read_answers (loop, fd, 0, buf, sizeof buf, 200);
        CHECK_STR (buf, ""); /* the backup holds the echo back */
        CHECK (state.token != 0);
        CHECK_INT (state.calls, 0);
        socin_ctl_complete (ctl, state.token + 1000, true, "not this one");
        socin_ctl_complete (ctl, state.token, true, "backup done");
        s_read_answers (loop, fd, 2, buf, sizeof buf, 2000);
        CHECK_STR (buf, "backup done\n\nafter\n\n");

        /* A failed deferred command answers an error line. */
        s_send (fd, "backup /tmp/b2\n");
        s_read_answers (loop, fd, 0, buf, sizeof buf, 200);
        socin_ctl_complete (ctl, state.token, false, "disk full\n");
        s_read_answers (loop, fd, 1, buf, sizeof buf, 2000);
        CHECK_STR (buf, "error: disk full\n\n");

        /* A client that closes its side still gets the answer to a last line without a
           newline, and then the server closes. */
        s_send (fd, "echo last");
        shutdown (fd, SHUT_WR);
        CHECK_INT (s_read_answers (loop, fd, 99, buf, sizeof buf, 2000), 1);
        CHECK_STR (buf, "last\n\n");
        close (fd);
    }
    socin_ctl_destroy (&ctl);
    zloop_destroy (&loop);
}

static void
a_socket_in_use_is_refused (void)
{
    s_state_t state = {0};
    socin_ctl_t *ctl = s_ctl_new ("busy.sock", &state);
    CHECK (ctl != NULL);
    if (!ctl) return;
    char err[256] = "";
    socin_ctl_t *second = socin_ctl_new (socin_ctl_path (ctl), err, sizeof err);
    CHECK (second == NULL);
    char expected[256];
    snprintf (expected, sizeof expected,
              "control socket %s is in use: is the daemon already running?", socin_ctl_path (ctl));
    CHECK_STR (err, expected);
    /* The first one still listens on its file. */
    int fd = s_connect (socin_ctl_path (ctl));
    CHECK (fd >= 0);
    if (fd >= 0) close (fd);
    socin_ctl_destroy (&ctl);
}

static void
a_stale_socket_file_is_replaced (void)
{
    char path[100];
    snprintf (path, sizeof path, "%s/stale.sock", s_dir);
    int fd = socket (AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf (addr.sun_path, sizeof addr.sun_path, "%s", path);
    CHECK_INT (bind (fd, (struct sockaddr *)&addr, sizeof addr), 0);
    CHECK_INT (listen (fd, 1), 0);
    close (fd); /* a daemon that died without unlinking */
    CHECK_INT (access (path, F_OK), 0);
    CHECK (s_connect (path) < 0);

    s_state_t state = {0};
    socin_ctl_t *ctl = socin_ctl_new (path, s_err, sizeof s_err);
    CHECK (ctl != NULL);
    if (!ctl) {
        fprintf (stderr, "    %s\n", s_err);
        return;
    }
    socin_ctl_register (ctl, s_cmds, &state);
    zloop_t *loop = s_loop_new ();
    socin_ctl_attach (ctl, loop);
    fd = s_connect (path);
    CHECK (fd >= 0);
    if (fd >= 0) {
        s_send (fd, "echo alive\n");
        char buf[256];
        s_read_answers (loop, fd, 1, buf, sizeof buf, 2000);
        CHECK_STR (buf, "alive\n\n");
        close (fd);
    }
    socin_ctl_destroy (&ctl);
    zloop_destroy (&loop);
}

static void
a_path_too_long_for_a_socket_is_refused (void)
{
    char path[200];
    memset (path, 'x', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = 0;
    socin_ctl_t *ctl = socin_ctl_new (path, s_err, sizeof s_err);
    CHECK (ctl == NULL);
    CHECK_CONTAINS (s_err, "is longer than 107 bytes");
    snprintf (path, sizeof path, "%s/no/such/dir/ctl.sock", s_dir);
    ctl = socin_ctl_new (path, s_err, sizeof s_err);
    CHECK (ctl == NULL);
    CHECK_CONTAINS (s_err, "cannot listen on control socket");
}

static void
idle_connections_make_room_for_a_new_operator (void)
{
    s_state_t state = {0};
    socin_ctl_t *ctl = s_ctl_new ("idle.sock", &state);
    CHECK (ctl != NULL);
    if (!ctl) return;
    zloop_t *loop = s_loop_new ();
    socin_ctl_attach (ctl, loop);
    /* Every slot taken by a connection that never says anything. */
    enum { IDLE = 64 };
    int idle[IDLE];
    char buf[256];
    for (int i = 0; i < IDLE; i++) {
        idle[i] = s_connect (socin_ctl_path (ctl));
        s_pump (loop);
    }
    CHECK (idle[0] >= 0 && idle[IDLE - 1] >= 0);
    /* The next operator is answered, and the connection silent longest is told why it goes. */
    int fd = s_connect (socin_ctl_path (ctl));
    CHECK (fd >= 0);
    if (fd >= 0) {
        s_send (fd, "echo alive\n");
        s_read_answers (loop, fd, 1, buf, sizeof buf, 2000);
        CHECK_STR (buf, "alive\n\n");
        close (fd);
    }
    CHECK_INT (s_read_answers (loop, idle[0], 1, buf, sizeof buf, 2000), 1);
    CHECK_STR (buf, "error: closed to make room for another connection\n\n");
    for (int i = 0; i < IDLE; i++)
        if (idle[i] >= 0) close (idle[i]);
    socin_ctl_destroy (&ctl);
    zloop_destroy (&loop);
}

int
main (void)
{
    zsys_handler_set (NULL);
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-ctl-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    RUN (split_separates_words_on_blanks, "split separates words on spaces, tabs and CRs");
    RUN (split_keeps_quoted_spaces_and_escapes,
         "split keeps spaces inside double quotes, with \\\" and \\\\");
    RUN (split_refuses_an_unterminated_quote, "split refuses an unterminated quote");
    RUN (split_refuses_too_many_words, "split refuses more words than allowed");
    RUN (help_lists_every_command_of_every_table, "help lists every command of every table");
    RUN (commands_get_their_words_and_table_argument,
         "commands get their words and their table's argument");
    RUN (a_wrong_argument_count_answers_the_usage, "a wrong argument count answers \"usage: ...\"");
    RUN (unknown_commands_and_handler_errors_are_one_line,
         "unknown commands and handler errors answer one line");
    RUN (the_socket_file_is_private_and_removed_at_the_end,
         "the socket file has mode 0600 and is removed at the end");
    RUN (a_client_gets_one_answer_per_line_each_closed_by_an_empty_line,
         "a client gets one answer per line, each closed by an empty line");
    RUN (a_deferred_answer_keeps_the_order_of_lines,
         "a deferred answer comes later and keeps the order of lines");
    RUN (a_socket_in_use_is_refused, "a second listener on a socket in use is refused");
    RUN (idle_connections_make_room_for_a_new_operator,
         "idle connections in every slot make room for a new operator");
    RUN (a_stale_socket_file_is_replaced, "a stale socket file is replaced");
    RUN (a_path_too_long_for_a_socket_is_refused,
         "a path too long for a socket or in no directory is refused");
    nftw (s_dir, s_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
