/*  Resource faults: a full LMDB map or a full disk is answered as a clear error, the daemon
    stays up and takes the same submission once space returns; a client that floods the ingest
    over many connections holds another back by two group commits at most. */
#include <czmq.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "error.h"
#include "client.h"
#include "registry.h"
#include "stack.h"
#include "testing.h"
#include "wire.h"
#include "socin/v1/ingest.pb-c.h"

static char s_home[256], s_reg[400], s_upd[400], s_admin[400];
static t_daemon_t *s_registry;
static char s_units[200][8];
static int s_nunits;

/* The sample territory's municipalities, from the registry. */
static int
s_load_units (void)
{
    char err[512], key[400];
    snprintf (key, sizeof key, "%s/keys/registry.cert", s_home);
    socin_client_t *client = socin_client_new (s_reg, key, s_admin, 0, err, sizeof err);
    if (!client) return -1;
    Socin__V1__DescendantsQuery q = SOCIN__V1__DESCENDANTS_QUERY__INIT;
    q.code = "CZ";
    q.level = SOCIN__V1__LEVEL__LEVEL_MUNICIPALITY;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.request_id = "u";
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_DESCENDANTS;
    req.descendants = &q;
    Socin__V1__RegistryReply *reply = (Socin__V1__RegistryReply *)socin_client_call (
        client, &req.base, &socin__v1__registry_reply__descriptor, 10000, err, sizeof err);
    socin_client_destroy (&client);
    if (!reply || !reply->records) return -1;
    for (size_t i = 0; i < reply->records->n_records && s_nunits < 200; i++)
        snprintf (s_units[s_nunits++], 8, "%s", reply->records->records[i]->unit->code);
    protobuf_c_message_free_unpacked (&reply->base, NULL);
    return s_nunits > 0 ? 0 : -1;
}

/* A submission of N values of distinct keys from a running counter; packed into a frame. */
static zframe_t *
s_submission (const char *id, int n, int *counter)
{
    Socin__V1__DataValue *v = calloc ((size_t)n, sizeof *v);
    Socin__V1__DataValue **vp = calloc ((size_t)n, sizeof *vp);
    char (*text)[3][24] = calloc ((size_t)n, sizeof *text);
    for (int i = 0; i < n; i++, (*counter)++) {
        int k = *counter;
        socin__v1__data_value__init (&v[i]);
        /* Keys cycle through every municipality and month, so a submission (at most that
           many values) never holds one key twice, and later submissions update earlier keys:
           the store keeps every version in its history and keeps growing. */
        v[i].indicator = "PART_PARTICIPANTS";
        v[i].unit = (char *)s_units[k % s_nunits];
        snprintf (text[i][0], 24, "2025%02d", (k / s_nunits) % 12 + 1);
        v[i].period = text[i][0];
        snprintf (text[i][1], 24, "%d", k % 1000);
        v[i].value = text[i][1];
        snprintf (text[i][2], 24, "v%d", k);
        v[i].comment = text[i][2];
        vp[i] = &v[i];
    }
    Socin__V1__Submission sub = SOCIN__V1__SUBMISSION__INIT;
    sub.submission_id = (char *)id;
    sub.values = vp;
    sub.n_values = (size_t)n;
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = (char *)id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &sub;
    size_t len = socin__v1__ingest_request__get_packed_size (&req);
    zframe_t *frame = zframe_new (NULL, len);
    socin__v1__ingest_request__pack (&req, zframe_data (frame));
    free (v);
    free (vp);
    free (text);
    return frame;
}

static Socin__V1__ImportSummary *
s_send_wait (socin_client_t *c, zframe_t *frame, Socin__V1__IngestReply **reply)
{
    zframe_t *copy = zframe_dup (frame);
    char err[256];
    socin_client_send_frame (c, &copy);
    *reply = (Socin__V1__IngestReply *)socin_client_recv (c, &socin__v1__ingest_reply__descriptor,
                                                          20000, err, sizeof err);
    return *reply ? (*reply)->summary : NULL;
}

static t_daemon_t *
s_ingest (const char *name, const char *conf, const char *group_max, const char *data_dir,
          char *endpoint, size_t len)
{
    snprintf (endpoint, len, "ipc://%s/%s.ipc", s_home, name);
    char default_dir[400];
    snprintf (default_dir, sizeof default_dir, "%s/%s", s_home, name);
    const char *args[] = {"-c",
                          conf,
                          "--source",
                          name,
                          "--endpoint",
                          endpoint,
                          "--registry",
                          s_reg,
                          "--registry-updates",
                          s_upd,
                          "--reporting",
                          "ipc:///nonexistent/forward.ipc",
                          "--group-max",
                          group_max,
                          "--data-dir",
                          data_dir ? data_dir : default_dir,
                          NULL};
    t_daemon_t *d = t_start ("socin-ingest", name, s_home, args);
    /* Its replica must hold the registry's submitters, or its first handshakes are refused
       (and libzmq does not retry a refused handshake): on a loaded machine that takes long. */
    if (d && !t_wait_replica (d, s_registry, 60000))
        fprintf (stderr, "    %s: the replica did not catch up with the registry\n", name);
    return d;
}

static socin_client_t *
s_client (const char *name, const char *endpoint)
{
    char key[400], err[512];
    snprintf (key, sizeof key, "%s/keys/ingest-%s.cert", s_home, name);
    socin_client_t *c = socin_client_new (endpoint, key, s_admin, 0, err, sizeof err);
    if (!c) fprintf (stderr, "    client: %s\n", err);
    return c;
}

static bool
s_alive (t_daemon_t *d)
{
    char out[4096];
    return t_ctl (d->ctl, "status", out, sizeof out) == 0 && strstr (out, "state:running");
}

/* Submits until the store refuses; returns the refused frame (or NULL). */
static zframe_t *
s_fill (socin_client_t *c, const char *prefix, int per, int *counter, int *accepted, char *message,
        size_t mlen)
{
    for (int i = 0; i < 400; i++) {
        char id[64];
        snprintf (id, sizeof id, "%s-%d", prefix, i);
        zframe_t *frame = s_submission (id, per, counter);
        Socin__V1__IngestReply *reply;
        Socin__V1__ImportSummary *s = s_send_wait (c, frame, &reply);
        if (!s) {
            zframe_destroy (&frame);
            if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
            return NULL;
        }
        if (s->error) {
            snprintf (message, mlen, "%s (code %d)", s->error->message, s->error->code);
            bool full = s->error->code == SOCIN_E (STORAGE_FULL);
            protobuf_c_message_free_unpacked (&reply->base, NULL);
            if (full) return frame;
            zframe_destroy (&frame);
            return NULL;
        }
        (*accepted)++;
        protobuf_c_message_free_unpacked (&reply->base, NULL);
        zframe_destroy (&frame);
    }
    return NULL;
}

static void
test_map_full (void)
{
    char conf[400], endpoint[400], message[1024] = "";
    snprintf (conf, sizeof conf, "%s/small.conf", s_home);
    const char *small =
        "# a store that may not grow beyond 3 MiB\nmap_initial = 1M\nmap_max = 3M\n";
    CHECK_INT (t_write_file (conf, small, strlen (small)), 0);
    t_daemon_t *d = s_ingest ("SMALL", conf, "512", NULL, endpoint, sizeof endpoint);
    CHECK (d != NULL);
    if (!d) return;
    socin_client_t *c = s_client ("SMALL", endpoint);
    int counter = 0, accepted = 0;
    zframe_t *refused =
        c ? s_fill (c, "map", 1000, &counter, &accepted, message, sizeof message) : NULL;
    CHECK (refused != NULL);
    CHECK (accepted > 0);
    CHECK_CONTAINS (message, "storage full");
    CHECK_CONTAINS (message, "map_max");
    CHECK (s_alive (d));
    if (refused) {
        /* Sent again as it is: refused again, nothing half-stored. */
        Socin__V1__IngestReply *reply;
        Socin__V1__ImportSummary *s = s_send_wait (c, refused, &reply);
        CHECK (s && s->error && s->error->code == SOCIN_E (STORAGE_FULL));
        if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
        /* The operator raises the limit and reloads: the same submission goes through. */
        const char *big = "map_initial = 1M\nmap_max = 256M\n";
        CHECK_INT (t_write_file (conf, big, strlen (big)), 0);
        kill (d->pid, SIGHUP);
        Socin__V1__ImportSummary *ok = NULL;
        for (int i = 0; i < 40 && !ok; i++) {
            zclock_sleep (50);
            s = s_send_wait (c, refused, &reply);
            if (s && !s->error) {
                CHECK_INT (s->rejected, 0);
                CHECK_INT (s->imported + s->updated + s->ignored, 1000);
                CHECK (!s->replayed);
                ok = s;
            }
            if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
        }
        CHECK (ok != NULL);
        zframe_destroy (&refused);
    }
    /* What was acknowledged before is all there: the first submission is answered from its
       stored summary. */
    int again = 0;
    zframe_t *first = s_submission ("map-0", 1000, &again);
    Socin__V1__IngestReply *reply;
    Socin__V1__ImportSummary *s = s_send_wait (c, first, &reply);
    CHECK (s && s->replayed);
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    zframe_destroy (&first);
    CHECK (s_alive (d));
    socin_client_destroy (&c);
    t_free (&d);
}

static void
test_disk_full (void)
{
    char dir[400], conf[400], endpoint[400], filler[500], message[1024] = "";
    /* The tmpfs holds only the ingest's store: the control socket stays outside. */
    snprintf (dir, sizeof dir, "%s/tmpfs", s_home);
    mkdir (dir, 0700);
    snprintf (conf, sizeof conf, "%s/disk.conf", s_home);
    CHECK_INT (t_write_file (conf, "# defaults\n", 11), 0);
    char data_dir[500];
    snprintf (data_dir, sizeof data_dir, "%s/ingest", dir);
    t_daemon_t *d = s_ingest ("DISK", conf, "512", data_dir, endpoint, sizeof endpoint);
    CHECK (d != NULL);
    if (!d) return;
    socin_client_t *c = s_client ("DISK", endpoint);
    /* Leave about 2 MiB free. */
    snprintf (filler, sizeof filler, "%s/filler", dir);
    char cmd[2400];
    snprintf (
        cmd, sizeof cmd,
        "fallocate -l $(( $(df -B1 --output=avail '%s' | tail -n 1) - 2097152 )) '%s' 2>/dev/null"
        " || dd if=/dev/zero of='%s' bs=1M count=$(( $(df -m --output=avail '%s' | tail -n 1) - 2 "
        ")) 2>/dev/null",
        dir, filler, filler, dir);
    CHECK_INT (system (cmd), 0);
    int counter = 0, accepted = 0;
    zframe_t *refused =
        c ? s_fill (c, "disk", 1000, &counter, &accepted, message, sizeof message) : NULL;
    CHECK (refused != NULL);
    CHECK_CONTAINS (message, "disk full");
    CHECK (s_alive (d));
    /* Space returns: the same submission goes through. */
    unlink (filler);
    if (refused) {
        Socin__V1__IngestReply *reply;
        Socin__V1__ImportSummary *s = s_send_wait (c, refused, &reply);
        CHECK (s && !s->error && s->rejected == 0);
        if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
        zframe_destroy (&refused);
    }
    CHECK (s_alive (d));
    socin_client_destroy (&c);
    t_free (&d);
}

/* The change batch that carries REPLY's submission: its place in the commit order (0 when the
   reply is none or an error). */
static uint64_t
s_seq (const Socin__V1__IngestReply *reply)
{
    return reply && reply->summary && !reply->summary->error ? reply->summary->source_seq : 0;
}

#define S_FLOOD_CONNS 100 /* the flooding submitter's connections */
#define S_FLOOD_EACH  3   /* submissions each sends at once */
#define S_FLOOD_GROUP 4   /* the ingest's group_max */

/* A submitter with its own key, for all CZ; its secret certificate goes to PATH. */
static int
s_new_submitter (const char *name, char *path, size_t len)
{
    char err[512];
    snprintf (path, len, "%s/%s.cert", s_home, name);
    zcert_t *cert = zcert_new ();
    int rc = zcert_save (cert, path);
    char key[SOCIN_KEY_LEN + 1];
    snprintf (key, sizeof key, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
    char regkey[400];
    snprintf (regkey, sizeof regkey, "%s/keys/registry.cert", s_home);
    socin_client_t *admin = socin_client_new (s_reg, regkey, s_admin, 0, err, sizeof err);
    if (rc || !admin) return -1;
    rc = t_put_submitter (admin, name, key, "CZ", NULL, false);
    socin_client_destroy (&admin);
    return rc;
}

/* How many lines of the log at PATH hold NEEDLE and NEEDLE2. */
static int
s_log_lines (const char *path, const char *needle, const char *needle2)
{
    size_t len;
    char *text = t_read_file (path, &len);
    int n = 0;
    for (char *line = text ? strtok (text, "\n") : NULL; line; line = strtok (NULL, "\n"))
        n += strstr (line, needle) && strstr (line, needle2);
    free (text);
    return n;
}

static void
test_flood (void)
{
    char conf[400], endpoint[400], path[400], err[512], group[16];
    snprintf (conf, sizeof conf, "%s/flood.conf", s_home);
    snprintf (group, sizeof group, "%d", S_FLOOD_GROUP);
    CHECK_INT (t_write_file (conf, "# defaults\n", 11), 0);
    CHECK_INT (s_new_submitter ("flooder", path, sizeof path), 0);
    t_daemon_t *d = s_ingest ("FLOOD", conf, group, NULL, endpoint, sizeof endpoint);
    CHECK (d != NULL);
    if (!d) return;
    CHECK (t_wait_replica (d, s_registry, 20000));
    /* The flooder over many connections of its one key; the other client is admin's key. */
    char ingest_key[400];
    snprintf (ingest_key, sizeof ingest_key, "%s/keys/ingest-FLOOD.cert", s_home);
    socin_client_t *flooders[S_FLOOD_CONNS] = {0}, *other = s_client ("FLOOD", endpoint);
    int counter = 0, ok = other != NULL;
    Socin__V1__IngestReply *reply;
    for (int c = 0; c < S_FLOOD_CONNS; c++) {
        flooders[c] = socin_client_new (endpoint, ingest_key, path, 0, err, sizeof err);
        /* A first exchange each, so every connection is up before the flood. */
        char id[32];
        snprintf (id, sizeof id, "warm-%d", c);
        zframe_t *warm = s_submission (id, 1, &counter);
        ok = ok && flooders[c] && s_seq (s_send_wait (flooders[c], warm, &reply) ? reply : NULL);
        if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
        zframe_destroy (&warm);
    }
    zframe_t *warm = s_submission ("warm-other", 1, &counter);
    ok = ok && s_seq (s_send_wait (other, warm, &reply) ? reply : NULL);
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    zframe_destroy (&warm);
    CHECK (ok);
    long long before = t_ctl_field (d, "stats", "group_commits");
    for (int i = 0; ok && i < S_FLOOD_EACH; i++)
        for (int c = 0; c < S_FLOOD_CONNS; c++) {
            char id[32];
            snprintf (id, sizeof id, "flood-%d-%d", c, i);
            zframe_t *f = s_submission (id, 400, &counter);
            socin_client_send_frame (flooders[c], &f);
        }
    /* Once the flood is being committed, the other client sends one small submission. The
       ingest is stopped meanwhile, so that the submission has arrived when it goes on and
       what it committed before is known (its log): on a busy machine the sending could
       otherwise take longer than a group commit, which would count as unfairness. */
    for (int i = 0; ok && i < 400 && t_ctl_field (d, "stats", "group_commits") < before + 1; i++)
        zclock_sleep (5);
    CHECK (kill (d->pid, SIGSTOP) == 0);
    zframe_t *small = s_submission ("other-1", 5, &counter);
    socin_client_send_frame (other, &small);
    zclock_sleep (200); /* the client's I/O thread writes it to the ingest's socket */
    long long committed = s_log_lines (d->log, "submission.accepted", "id=flood-");
    CHECK (kill (d->pid, SIGCONT) == 0);
    reply = (Socin__V1__IngestReply *)socin_client_recv (
        other, &socin__v1__ingest_reply__descriptor, 20000, err, sizeof err);
    uint64_t other_seq = ok ? s_seq (reply) : 0;
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    CHECK (other_seq > 0);
    /* How many flooding submissions were committed before it, beyond those already committed
       when it was sent: at most the group being committed when it arrived, the group the
       checker held meanwhile, and one more taken before it when the checker takes one
       submission per client in turn; and, because the ingest resumes with the submission
       still in its socket's kernel buffer, one group the loop may commit before ZeroMQ's I/O
       thread hands the submission over (the loop is faster than the I/O thread's wake-up on a
       loaded machine). */
    int ahead = 0, answered = 0;
    for (int c = 0; ok && c < S_FLOOD_CONNS; c++)
        for (int i = 0; i < S_FLOOD_EACH; i++) {
            ProtobufCMessage *r = socin_client_recv (
                flooders[c], &socin__v1__ingest_reply__descriptor, 60000, err, sizeof err);
            uint64_t seq = s_seq ((Socin__V1__IngestReply *)r);
            answered += seq > 0;
            ahead += seq > 0 && seq < other_seq;
            if (r) protobuf_c_message_free_unpacked (r, NULL);
        }
    printf ("    %lld flooding submissions were committed when the other client sent; %d "
            "before its own, of %d\n",
            committed, ahead, S_FLOOD_CONNS * S_FLOOD_EACH);
    CHECK_INT (answered, S_FLOOD_CONNS * S_FLOOD_EACH);
    CHECK (committed >= 0 && ahead - committed <= 3 * S_FLOOD_GROUP + 1);
    CHECK (s_alive (d));
    for (int c = 0; c < S_FLOOD_CONNS; c++)
        socin_client_destroy (&flooders[c]);
    socin_client_destroy (&other);
    t_free (&d);
}

/* Waits up to 10 s until D's stats say FIELD is at least MIN; the last value. */
static long long
s_stat_reaches (t_daemon_t *d, const char *field, long long min)
{
    long long v = -1;
    for (int i = 0; i < 200 && (v = t_ctl_field (d, "stats", field)) < min; i++)
        zclock_sleep (50);
    return v;
}

/* A frame of SIZE bytes that is no request. */
static zframe_t *
s_junk (size_t size)
{
    zframe_t *f = zframe_new (NULL, size);
    memset (zframe_data (f), 0x0a, size);
    return f;
}

static void
test_oversized (void)
{
    char conf[400], endpoint[400], err[256];
    snprintf (conf, sizeof conf, "%s/big.conf", s_home);
    CHECK_INT (t_write_file (conf, "max_message = 1M\n", 17), 0);
    t_daemon_t *d = s_ingest ("BIG", conf, "16", NULL, endpoint, sizeof endpoint);
    CHECK (d != NULL);
    if (!d) return;
    socin_client_t *big = s_client ("BIG", endpoint), *polite = s_client ("BIG", endpoint);
    int counter = 0;
    Socin__V1__IngestReply *reply;
    zframe_t *warm = s_submission ("big-warm", 1, &counter);
    CHECK (s_send_wait (big, warm, &reply) != NULL);
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    zframe_destroy (&warm);
    /* A client that closes its connection itself is no drop. */
    warm = s_submission ("polite-warm", 1, &counter);
    CHECK (s_send_wait (polite, warm, &reply) != NULL);
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    zframe_destroy (&warm);
    socin_client_destroy (&polite);
    /* Between max_message and the transport's limit (4 x 1 MiB): answered. */
    zframe_t *f = s_junk (2u << 20);
    socin_client_send_frame (big, &f);
    reply = (Socin__V1__IngestReply *)socin_client_recv (big, &socin__v1__ingest_reply__descriptor,
                                                         20000, err, sizeof err);
    CHECK (reply && reply->error && reply->error->code == SOCIN_E (MESSAGE_TOO_LARGE));
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    /* Above it: libzmq drops the connection, unanswered; the drop is logged once, with the
       peer (this process, over ipc), and counted. */
    f = s_junk (6u << 20);
    socin_client_send_frame (big, &f);
    CHECK_INT (s_stat_reaches (d, "connections_dropped", 1), 1);
    reply = (Socin__V1__IngestReply *)socin_client_recv (big, &socin__v1__ingest_reply__descriptor,
                                                         500, err, sizeof err);
    CHECK (reply == NULL);
    char peer[64];
    snprintf (peer, sizeof peer, "peer=\"pid=%d,", (int)getpid ());
    CHECK_INT (s_log_lines (d->log, "event=connection.dropped socket=submissions", peer), 1);
    CHECK_INT (s_log_lines (d->log, "event=connection.dropped", ""), 1);
    /* The client's socket connects again by itself, and its next request is answered. */
    zframe_t *again = s_submission ("big-again", 1, &counter);
    Socin__V1__ImportSummary *s = s_send_wait (big, again, &reply);
    CHECK (s && !s->error && s->imported == 1);
    if (reply) protobuf_c_message_free_unpacked (&reply->base, NULL);
    zframe_destroy (&again);
    CHECK_INT (t_ctl_field (d, "stats", "connections_dropped"), 1);
    socin_client_destroy (&big);

    /* The registry's request socket (max_message 1M here) the same. */
    char regkey[400];
    snprintf (regkey, sizeof regkey, "%s/keys/registry.cert", s_home);
    socin_client_t *admin = socin_client_new (s_reg, regkey, s_admin, 0, err, sizeof err);
    CHECK (admin != NULL);
    long long before = t_ctl_field (s_registry, "stats", "connections_dropped");
    f = s_junk (6u << 20);
    if (admin) socin_client_send_frame (admin, &f);
    zframe_destroy (&f);
    CHECK_INT (s_stat_reaches (s_registry, "connections_dropped", before + 1), before + 1);
    CHECK_INT (s_log_lines (s_registry->log, "event=connection.dropped socket=requests", peer), 1);
    socin_client_destroy (&admin);
    CHECK (s_alive (d));
    t_free (&d);
}

int
main (void)
{
    t_begin (s_home, sizeof s_home, "2026-03-15");
    snprintf (s_reg, sizeof s_reg, "ipc://%s/registry.ipc", s_home);
    snprintf (s_upd, sizeof s_upd, "ipc://%s/updates.ipc", s_home);
    snprintf (s_admin, sizeof s_admin, "%s/keys/admin.cert", s_home);
    const char *rargs[] = {"--endpoint", s_reg, "--updates", s_upd, "--max-message", "1M", NULL};
    s_registry = t_start ("socin-registry", "registry", s_home, rargs);
    if (!s_registry || s_load_units ()) {
        printf ("FAIL - the registry starts\n0 passed, 1 failed\n");
        return 1;
    }
    RUN (test_map_full, "a full LMDB map is refused as STORAGE_FULL, the daemon stays up, a raised "
                        "map_max lets the same submission in");
    /* A full disk needs a small file system of our own: a tmpfs, when this machine lets us mount.
     */
    char dir[400];
    snprintf (dir, sizeof dir, "%s/tmpfs", s_home);
    mkdir (dir, 0700);
    if (mount ("tmpfs", dir, "tmpfs", 0, "size=24m,mode=0700") == 0) {
        RUN (test_disk_full, "a full disk is refused as STORAGE_FULL, the daemon stays up, freed "
                             "space lets the same submission in");
        umount2 (dir, MNT_DETACH);
    } else
        printf ("SKIP - a full disk: cannot mount a small tmpfs here (%s); not tested\n",
                strerror (errno));
    RUN (test_flood, "a client flooding the ingest over many connections holds another client's "
                     "submission back by two group commits at most");
    RUN (test_oversized, "a message above max_message is answered MESSAGE_TOO_LARGE; above the "
                         "transport's limit its connection is dropped, logged once with the peer "
                         "and counted in stats, and the client's next request is answered");
    t_free (&s_registry);
    t_rmtree (s_home);
    return TEST_SUMMARY ();
}
