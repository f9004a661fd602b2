/*  web: the socin-web stage of the benchmark. See web.h.

    Two runs of socin-web against stage A's stack (6,258 municipalities, 3 million values):
    with cache_ms = 0, every dashboard asks reporting all its questions (eight), and its
    latency is timed one request at a time (50 requests: median, p99); with the default
    cache_ms (1 s), 16 keep-alive connections ask for the dashboard for 5 s and the rate is
    counted — what a crowd of readers of the same page costs. The client is a small poll loop
    over plain sockets in this process. */
#include "web.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "client.h"
#include "socin/v1/registry.pb-c.h"

#define CONNS   16
#define SECONDS 5
#define SERIAL  50

typedef struct {
    int fd;
    char buf[1 << 17];
    size_t len;
    int64_t sent_us;
} s_conn_t;

static char s_request[512];
static size_t s_request_len;
static int s_port;

static int
s_connect (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons ((uint16_t) s_port)};
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (fd < 0 || connect (fd, (struct sockaddr *) &a, sizeof a)) b_fail ("web: cannot connect to port %d", s_port);
    return fd;
}

/* The length of a whole response at the start of BUF (0: not whole yet); its status in *STATUS. */
static size_t
s_whole (const char *buf, size_t len, int *status)
{
    const char *end = memmem (buf, len, "\r\n\r\n", 4);
    if (!end) return 0;
    *status = atoi (buf + 9);
    const char *cl = strcasestr (buf, "\r\nContent-Length:");
    size_t body = cl && cl < end ? (size_t) strtoul (cl + 17, NULL, 10) : 0;
    size_t total = (size_t) (end + 4 - buf) + body;
    return total <= len ? total : 0;
}

/* Sends the request on C and reads its whole response; returns the status. */
static int
s_roundtrip (s_conn_t *c)
{
    if (write (c->fd, s_request, s_request_len) != (ssize_t) s_request_len) b_fail ("web: send failed");
    c->len = 0;
    int status = 0;
    size_t whole = 0;
    while (!(whole = s_whole (c->buf, c->len, &status))) {
        ssize_t n = read (c->fd, c->buf + c->len, sizeof c->buf - c->len - 1);
        if (n <= 0) b_fail ("web: the connection closed");
        c->len += (size_t) n;
        c->buf[c->len] = 0;
    }
    return status;
}

/* Requests per second over CONNS connections for SECONDS. */
static double
s_rate (void)
{
    s_conn_t *conns = calloc (CONNS, sizeof *conns);
    struct pollfd pfd[CONNS];
    for (int i = 0; i < CONNS; i++) {
        conns[i].fd = s_connect ();
        pfd[i] = (struct pollfd) {conns[i].fd, POLLIN, 0};
        if (write (conns[i].fd, s_request, s_request_len) != (ssize_t) s_request_len) b_fail ("web: send failed");
    }
    long long done = 0, bad = 0;
    int64_t t0 = b_now_us (), until = t0 + SECONDS * 1000000LL;
    while (b_now_us () < until) {
        if (poll (pfd, CONNS, 1000) <= 0) continue;
        for (int i = 0; i < CONNS; i++) {
            if (!(pfd[i].revents & POLLIN)) continue;
            s_conn_t *c = &conns[i];
            ssize_t n = read (c->fd, c->buf + c->len, sizeof c->buf - c->len - 1);
            if (n <= 0) b_fail ("web: a connection closed under load");
            c->len += (size_t) n;
            c->buf[c->len] = 0;
            int status;
            size_t whole = s_whole (c->buf, c->len, &status);
            if (!whole) continue;
            done++;
            bad += status != 200;
            memmove (c->buf, c->buf + whole, c->len - whole);
            c->len -= whole;
            if (write (c->fd, s_request, s_request_len) != (ssize_t) s_request_len) b_fail ("web: send failed");
        }
    }
    double secs = (double) (b_now_us () - t0) / 1e6;
    for (int i = 0; i < CONNS; i++) close (conns[i].fd);
    free (conns);
    if (bad) b_fail ("web: %lld of %lld answers were not 200", bad, done);
    return (double) done / secs;
}

static void
s_issue_token (const char *home, const char *reg_ep, const char *admin_cert, char *token, size_t len)
{
    Socin__V1__IssueToken issue = SOCIN__V1__ISSUE_TOKEN__INIT;
    issue.peer = "admin";
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.request_id = "bench-token";
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_ISSUE_TOKEN;
    req.issue_token = &issue;
    Socin__V1__RegistryReply *reply = b_registry_call (home, reg_ep, admin_cert, &req, "web: a token");
    if (!reply->token) b_fail ("web: no token from the registry");
    snprintf (token, len, "%s", reply->token->token);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
}

static t_daemon_t *
s_start (const char *home, const char *name, const char *reg_ep, const char *upd_ep, const char *query_ep,
         const char *cache_ms)
{
    const char *args[] = {"--listen", "127.0.0.1:0", "--registry", reg_ep, "--registry-updates", upd_ep,
                          "--reporting", query_ep, "--cache-ms", cache_ms, NULL};
    t_daemon_t *d = t_start ("socin-web", name, home, args);
    if (!d) b_fail ("web: %s did not start", name);
    char out[4096];
    if (t_ctl (d->ctl, "status", out, sizeof out)) b_fail ("web: no status");
    const char *p = strstr (out, "url:http://127.0.0.1:");
    if (!p) b_fail ("web: no url in the status");
    s_port = atoi (p + 21);
    return d;
}

/* Waits until the dashboard is whole (the replica has the territory, reporting answers). */
static void
s_wait_ready (void)
{
    s_conn_t *c = calloc (1, sizeof *c);
    int64_t deadline = b_now_us () + 60 * 1000000LL;
    for (;;) {
        c->fd = s_connect ();
        int status = s_roundtrip (c);
        close (c->fd);
        if (status == 200 && !strstr (c->buf, "cannot be reached") && !strstr (c->buf, "did not answer")) break;
        if (b_now_us () > deadline) b_fail ("web: the dashboard is not ready after 60 s (status %d)", status);
        b_sleep_us (200000);
    }
    free (c);
}

void
b_web_stage (const char *home, const char *reg_ep, const char *upd_ep, const char *query_ep, const char *admin_cert,
             void (*track) (t_daemon_t *), void (*untrack) (t_daemon_t *))
{
    char token[128];
    s_issue_token (home, reg_ep, admin_cert, token, sizeof token);
    s_request_len = (size_t) snprintf (s_request, sizeof s_request,
                                       "GET /?period=2025&indicator=BENCH_01 HTTP/1.1\r\nHost: bench\r\n"
                                       "Authorization: Bearer %s\r\n\r\n", token);
    /* Every dashboard asks reporting: the latency of a page nobody asked for in the last second. */
    t_daemon_t *d = s_start (home, "web-nocache", reg_ep, upd_ep, query_ep, "0");
    track (d);
    s_wait_ready ();
    b_samples_t ms = {0};
    s_conn_t *c = calloc (1, sizeof *c);
    c->fd = s_connect ();
    size_t bytes = 0;
    for (int i = 0; i < SERIAL; i++) {
        int64_t t0 = b_now_us ();
        if (s_roundtrip (c) != 200) b_fail ("web: the dashboard failed");
        b_samples_add (&ms, (double) (b_now_us () - t0) / 1000.0);
        bytes = c->len;
    }
    close (c->fd);
    free (c);
    double uncached_rate = s_rate ();
    untrack (d);
    t_stop (d);
    t_free (&d);
    char note[160];
    snprintf (note, sizeof note, "full scale, every figure asked of reporting (cache_ms=0), %zu-byte page", bytes);
    b_result ("web", "dashboard HTML latency, uncached: median", "ms", B_LOWER, b_percentile (&ms, 50), NAN, 50, note);
    b_result ("web", "dashboard HTML latency, uncached: p99", "ms", B_LOWER, b_percentile (&ms, 99), NAN, 50, NULL);
    b_result ("web", "dashboards per second, uncached, 16 connections", "req/s", B_HIGHER, uncached_rate, NAN, NAN, NULL);
    b_samples_free (&ms);

    /* The deployed setting: reporting's answers reused for a second. */
    d = s_start (home, "web", reg_ep, upd_ep, query_ep, "1000");
    track (d);
    s_wait_ready ();
    double rate = s_rate ();
    untrack (d);
    t_stop (d);
    t_free (&d);
    b_result ("web", "dashboards per second, 16 connections (cache_ms=1000)", "req/s", B_HIGHER, rate, NAN, 500,
              "socin-web is one thread; the load client shares the 2 cores");
}
