/*  ctl: socin ctl SERVICE COMMAND... — one line to a daemon's control socket, its answer back. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "str.h"

int
cli_ctl (cli_t *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp (argv[1], "--help") || !strcmp (argv[1], "-h")) {
        fprintf (
            argc < 2 ? stderr : stdout,
            "usage: socin ctl SERVICE|SOCKET [COMMAND...]\n"
            "SERVICE is registry, reporting, ingest (the ingest of source CZ) or ingest-SOURCE,\n"
            "whose socket is HOME/SERVICE/ctl.sock; or give the socket's path. The default\n"
            "COMMAND is help.\n");
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    char path[1024];
    const char *target = argv[1];
    if (strchr (target, '/'))
        snprintf (path, sizeof path, "%s", target);
    else
        snprintf (path, sizeof path, "%s/%s/ctl.sock", socin_config_str (cli->config, "home"),
                  !strcmp (target, "ingest") ? "ingest-CZ" : target);
    socin_str_t line = SOCIN_STR_INIT;
    for (int i = 2; i < argc; i++) {
        if (i > 2) socin_str_puts (&line, " ");
        bool quote = strchr (argv[i], ' ') != NULL;
        if (quote) socin_str_puts (&line, "\"");
        socin_str_puts (&line, argv[i]);
        if (quote) socin_str_puts (&line, "\"");
    }
    if (argc == 2) socin_str_puts (&line, "help");
    socin_str_puts (&line, "\n");
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen (path) >= sizeof addr.sun_path) {
        cli_error ("socket path %s is too long", path);
        if (fd >= 0) close (fd);
        socin_str_free (&line);
        return CLI_USAGE;
    }
    memcpy (addr.sun_path, path, strlen (path) + 1);
    if (fd < 0 || connect (fd, (struct sockaddr *)&addr, sizeof addr)) {
        cli_error ("cannot connect to %s: %s (is the daemon running?)", path, strerror (errno));
        if (fd >= 0) close (fd);
        socin_str_free (&line);
        return CLI_UNAVAILABLE;
    }
    if (write (fd, line.data, line.len) != (ssize_t)line.len) {
        cli_error ("cannot send to %s: %s", path, strerror (errno));
        close (fd);
        socin_str_free (&line);
        return CLI_UNAVAILABLE;
    }
    socin_str_free (&line);
    shutdown (fd, SHUT_WR);
    socin_str_t answer = SOCIN_STR_INIT;
    char buf[4096];
    ssize_t n;
    while ((n = read (fd, buf, sizeof buf)) > 0)
        socin_str_append (&answer, buf, (size_t)n);
    close (fd);
    while (answer.len && answer.data[answer.len - 1] == '\n')
        answer.data[--answer.len] = 0;
    bool failed = !strncmp (socin_str_cstr (&answer), "error: ", 7);
    fprintf (failed ? stderr : stdout, "%s\n", socin_str_cstr (&answer));
    socin_str_free (&answer);
    return failed ? CLI_FAILED : CLI_OK;
}
