/*  test_wire: CURVE keys, the ZAP handler and protobuf messages over ZeroMQ.

    The round trip is real: a ROUTER bound on ipc:// in a temporary directory with CURVE, our
    ZAP handler deciding each handshake (served from a zloop this test drives in short runs),
    and DEALER and REQ clients, one of them with a key the handler refuses.
*/
#include "wire.h"
#include "testing.h"

#include "socin/v1/errors.pb-c.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir[64];
static char s_err[512];

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

/* A path under the temporary directory, in one of 4 rotating static buffers. */
static const char *
s_path (const char *name)
{
    static char bufs[4][128];
    static unsigned next;
    char *buf = bufs[next++ % 4];
    snprintf (buf, 128, "%s/%s", s_dir, name);
    return buf;
}

/* ---- keys ---- */

static void
recognises_well_formed_z85_keys (void)
{
    zcert_t *cert = zcert_new ();
    CHECK (socin_key_valid (zcert_public_txt (cert)));
    CHECK (socin_key_valid (zcert_secret_txt (cert)));
    char text[64];
    snprintf (text, sizeof text, "%s", zcert_public_txt (cert));
    text[39] = 0;
    CHECK (!socin_key_valid (text)); /* 39 characters */
    snprintf (text, sizeof text, "%sA", zcert_public_txt (cert));
    CHECK (!socin_key_valid (text)); /* 41 characters */
    snprintf (text, sizeof text, "%s", zcert_public_txt (cert));
    text[10] = '~'; /* not in the Z85 alphabet */
    CHECK (!socin_key_valid (text));
    CHECK (!socin_key_valid ("########################################")); /* overflows */
    CHECK (socin_key_valid ("0000000000000000000000000000000000000000"));
    CHECK (!socin_key_valid (""));
    CHECK (!socin_key_valid (NULL));
    zcert_destroy (&cert);
}

static void
creates_a_key_once_and_reloads_it (void)
{
    const char *dir = s_path ("keys/ingest");
    zcert_t *cert = socin_keys_load_or_create (dir, "ingest", s_err, sizeof s_err);
    CHECK (cert != NULL);
    if (!cert) return;
    char public_key[SOCIN_KEY_LEN + 1];
    snprintf (public_key, sizeof public_key, "%s", zcert_public_txt (cert));
    CHECK (socin_key_valid (public_key));
    CHECK_STR (zcert_meta (cert, "name"), "ingest");

    char secret_path[160], public_path[160];
    snprintf (public_path, sizeof public_path, "%s/ingest.cert", dir);
    snprintf (secret_path, sizeof secret_path, "%s/ingest.cert_secret", dir);
    struct stat st;
    CHECK_INT (stat (secret_path, &st), 0);
    CHECK_INT (st.st_mode & 0777, 0600);
    CHECK_INT (stat (public_path, &st), 0);

    /* The second start loads the same key instead of making a new one. */
    zcert_t *again = socin_keys_load_or_create (dir, "ingest", s_err, sizeof s_err);
    CHECK (again != NULL);
    if (again) {
        CHECK_STR (zcert_public_txt (again), public_key);
        CHECK_STR (zcert_secret_txt (again), zcert_secret_txt (cert));
        zcert_destroy (&again);
    }
    /* The secret file alone is enough. */
    unlink (public_path);
    again = socin_keys_load_or_create (dir, "ingest", s_err, sizeof s_err);
    CHECK (again != NULL);
    if (again) {
        CHECK_STR (zcert_public_txt (again), public_key);
        zcert_destroy (&again);
    }
    zcert_destroy (&cert);

    /* A directory that cannot be made is reported. */
    FILE *file = fopen (s_path ("plain-file"), "w");
    if (file) fclose (file);
    cert = socin_keys_load_or_create (s_path ("plain-file/keys"), "x", s_err, sizeof s_err);
    CHECK (cert == NULL);
    CHECK_CONTAINS (s_err, "cannot create key directory");
}

static void
publishes_the_public_half_with_its_role (void)
{
    zcert_t *cert = zcert_new ();
    const char *path = s_path ("trust/ingest-19.cert");
    CHECK_INT (socin_keys_publish (cert, path, "ingest-19", "ingest", s_err, sizeof s_err), 0);
    zcert_t *loaded = zcert_load (path);
    CHECK (loaded != NULL);
    if (loaded) {
        CHECK_STR (zcert_public_txt (loaded), zcert_public_txt (cert));
        CHECK_STR (zcert_meta (loaded, "role"), "ingest");
        CHECK_STR (zcert_meta (loaded, "name"), "ingest-19");
        zcert_destroy (&loaded);
    }
    /* Only the public half is written. */
    char *text = NULL;
    FILE *file = fopen (path, "r");
    CHECK (file != NULL);
    if (file) {
        char buf[4096];
        size_t n = fread (buf, 1, sizeof buf - 1, file);
        buf[n] = 0;
        fclose (file);
        text = buf;
        CHECK_CONTAINS (text, zcert_public_txt (cert));
        CHECK (strstr (text, zcert_secret_txt (cert)) == NULL);
    }
    char resolved[SOCIN_KEY_LEN + 1] = "";
    CHECK_INT (socin_keys_public (path, resolved, s_err, sizeof s_err), 0);
    CHECK_STR (resolved, zcert_public_txt (cert));

    /* Publishing the same again leaves the file alone; a new role rewrites it. */
    struct stat before, after;
    CHECK_INT (stat (path, &before), 0);
    CHECK_INT (socin_keys_publish (cert, path, "ingest-19", "ingest", s_err, sizeof s_err), 0);
    CHECK_INT (stat (path, &after), 0);
    CHECK (before.st_ino == after.st_ino);
    CHECK_INT (socin_keys_publish (cert, path, "ingest-19", "reporting", s_err, sizeof s_err), 0);
    loaded = zcert_load (path);
    CHECK (loaded != NULL);
    if (loaded) {
        CHECK_STR (zcert_meta (loaded, "role"), "reporting");
        zcert_destroy (&loaded);
    }
    zcert_destroy (&cert);
}

static void
resolves_a_key_from_text_or_certificate_files (void)
{
    zcert_t *cert = socin_keys_load_or_create (s_path ("keys/cli"), "cli", s_err, sizeof s_err);
    CHECK (cert != NULL);
    if (!cert) return;
    const char *expected = zcert_public_txt (cert);
    char out[SOCIN_KEY_LEN + 1];

    CHECK_INT (socin_keys_public (expected, out, s_err, sizeof s_err), 0);
    CHECK_STR (out, expected);
    memset (out, 0, sizeof out);
    CHECK_INT (socin_keys_public (s_path ("keys/cli/cli.cert"), out, s_err, sizeof s_err), 0);
    CHECK_STR (out, expected);
    memset (out, 0, sizeof out);
    CHECK_INT (socin_keys_public (s_path ("keys/cli/cli.cert_secret"), out, s_err, sizeof s_err),
               0);
    CHECK_STR (out, expected);
    /* The secret file works alone, as it does for socin_keys_load_or_create. */
    unlink (s_path ("keys/cli/cli.cert"));
    memset (out, 0, sizeof out);
    CHECK_INT (socin_keys_public (s_path ("keys/cli/cli.cert_secret"), out, s_err, sizeof s_err),
               0);
    CHECK_STR (out, expected);

    CHECK_INT (socin_keys_public ("not-a-key", out, s_err, sizeof s_err), -1);
    CHECK_STR (s_err, "'not-a-key' is neither a Z85 public key nor a readable certificate file");
    FILE *file = fopen (s_path ("keys/junk.cert"), "w");
    if (file) {
        /* Well-formed ZPL without keys (text zconfig cannot parse leaks in CZMQ 4.2). */
        fputs ("metadata\n    name = \"junk\"\n", file);
        fclose (file);
    }
    CHECK_INT (socin_keys_public (s_path ("keys/junk.cert"), out, s_err, sizeof s_err), -1);
    CHECK_CONTAINS (s_err, "is neither a Z85 public key nor a readable certificate file");

    /* A path of exactly 40 characters is also well-formed Z85: an existing file wins. */
    char dir[64];
    snprintf (dir, sizeof dir, "/tmp/socin-z85-XXXXXX");
    if (mkdtemp (dir)) {
        char path[128];
        size_t n = strlen (dir);
        memcpy (path, dir, n);
        path[n++] = '/';
        while (n < SOCIN_KEY_LEN - 5) path[n++] = 'k';
        memcpy (path + n, ".cert", 6);
        CHECK_INT (strlen (path), SOCIN_KEY_LEN);
        CHECK (socin_key_valid (path));
        CHECK_INT (zcert_save_public (cert, path), 0);
        memset (out, 0, sizeof out);
        CHECK_INT (socin_keys_public (path, out, s_err, sizeof s_err), 0);
        CHECK_STR (out, expected);
        unlink (path);
        rmdir (dir);
    }
    zcert_destroy (&cert);
}

/* ---- the round trip ---- */

typedef struct {
    socin_zap_t *zap;
    zloop_t *loop;
    zcert_t *server_cert, *good_cert, *bad_cert;
    char endpoint[128];
    zsock_t *server;
    char domain[64]; /* the domain the ZAP function last saw */
} s_fixture_t;

static s_fixture_t s_fx;

static bool
s_allow (const char *domain, const char *key, void *arg)
{
    s_fixture_t *fx = arg;
    snprintf (fx->domain, sizeof fx->domain, "%s", domain);
    return streq (key, zcert_public_txt (fx->good_cert));
}

static int
s_end_run (zloop_t *loop, int timer_id, void *arg)
{
    return -1;
}

/* Serves the ZAP handler for about 10 ms. */
static void
s_pump (void)
{
    zloop_start (s_fx.loop);
}

/* Serves ZAP until a message arrives on SOCK, for at most MSECS. 0 with OUT filled, or -1. */
static int
s_wait (zsock_t *sock, socin_wire_msg_t *out, int msecs)
{
    int64_t deadline = zclock_mono () + msecs;
    while (zclock_mono () < deadline) {
        if (socin_wire_recv (sock, out) == 0) return 0;
        s_pump ();
    }
    return socin_wire_recv (sock, out);
}

static void
s_fixture_new (void)
{
    s_fx.zap = socin_zap_new (s_allow, &s_fx);
    s_fx.loop = zloop_new ();
    socin_zap_attach (s_fx.zap, s_fx.loop);
    zloop_timer (s_fx.loop, 10, 0, s_end_run, NULL);
    s_fx.server_cert = zcert_new ();
    s_fx.good_cert = zcert_new ();
    s_fx.bad_cert = zcert_new ();
    snprintf (s_fx.endpoint, sizeof s_fx.endpoint, "ipc://%s/server.ipc", s_dir);
    s_fx.server = socin_wire_bind (ZMQ_ROUTER, s_fx.endpoint, s_fx.server_cert, "socin", 1024,
                                   s_err, sizeof s_err);
    if (!s_fx.server) fprintf (stderr, "    socin_wire_bind: %s\n", s_err);
}

static void
s_fixture_destroy (void)
{
    zsock_destroy (&s_fx.server);
    zcert_destroy (&s_fx.server_cert);
    zcert_destroy (&s_fx.good_cert);
    zcert_destroy (&s_fx.bad_cert);
    zloop_destroy (&s_fx.loop);
    socin_zap_destroy (&s_fx.zap);
}

static zsock_t *
s_client (int type, zcert_t *cert)
{
    zsock_t *sock = socin_wire_connect (
        type, s_fx.endpoint, cert, zcert_public_txt (s_fx.server_cert), 1024, s_err, sizeof s_err);
    if (!sock) fprintf (stderr, "    socin_wire_connect: %s\n", s_err);
    return sock;
}

/* Unpacks MSG's payload as an Error; NULL when it is none. */
static Socin__V1__Error *
s_error_of (socin_wire_msg_t *msg)
{
    return (Socin__V1__Error *)socin_wire_unpack (&socin__v1__error__descriptor, msg->payload);
}

static void
s_error_free (Socin__V1__Error *e)
{
    if (e) protobuf_c_message_free_unpacked (&e->base, NULL);
}

static void
an_allowed_client_is_heard_and_answered_through_the_envelope (void)
{
    CHECK (s_fx.server != NULL);
    if (!s_fx.server) return;
    zsock_t *client = s_client (ZMQ_DEALER, s_fx.good_cert);
    CHECK (client != NULL);
    if (!client) return;
    socin_wire_msg_t msg;
    CHECK_INT (socin_wire_recv (s_fx.server, &msg), -1); /* nothing is waiting yet */
    CHECK (msg.envelope == NULL && msg.payload == NULL);

    Socin__V1__Error request = SOCIN__V1__ERROR__INIT;
    request.code = SOCIN__V1__ERROR_CODE__ERROR_CODE_PERIOD_LOCKED;
    request.message = "period 2025Q1 is locked";
    request.field = "period";
    CHECK_INT (socin_wire_send (client, NULL, &request.base), 0);

    CHECK_INT (s_wait (s_fx.server, &msg, 3000), 0);
    CHECK (msg.payload != NULL);
    CHECK_STR (msg.peer, zcert_public_txt (s_fx.good_cert));
    CHECK_STR (s_fx.domain, "socin");
    CHECK (msg.envelope != NULL && zmsg_size (msg.envelope) == 1); /* the routing id */
    Socin__V1__Error *got = s_error_of (&msg);
    CHECK (got != NULL);
    if (got) {
        CHECK_INT (got->code, SOCIN__V1__ERROR_CODE__ERROR_CODE_PERIOD_LOCKED);
        CHECK_STR (got->message, "period 2025Q1 is locked");
        CHECK_STR (got->field, "period");
    }
    s_error_free (got);

    Socin__V1__Error reply = SOCIN__V1__ERROR__INIT;
    reply.code = SOCIN__V1__ERROR_CODE__ERROR_CODE_OK;
    reply.message = "understood";
    CHECK_INT (socin_wire_send (s_fx.server, msg.envelope, &reply.base), 0);
    CHECK (msg.envelope != NULL); /* the envelope is copied, not taken */
    socin_wire_msg_release (&msg);
    CHECK (msg.envelope == NULL && msg.payload == NULL);

    socin_wire_msg_t answer;
    CHECK_INT (s_wait (client, &answer, 2000), 0);
    CHECK (answer.envelope == NULL); /* a DEALER gets the payload alone */
    CHECK_STR (answer.peer, "");     /* no ZAP on the client side */
    got = s_error_of (&answer);
    CHECK (got != NULL);
    if (got) {
        CHECK_INT (got->code, SOCIN__V1__ERROR_CODE__ERROR_CODE_OK);
        CHECK_STR (got->message, "understood");
        CHECK_STR (got->field, "");
    }
    s_error_free (got);
    socin_wire_msg_release (&answer);
    zsock_destroy (&client);
}

static void
a_req_clients_envelope_comes_back_unchanged (void)
{
    CHECK (s_fx.server != NULL);
    if (!s_fx.server) return;
    zsock_t *client = s_client (ZMQ_REQ, s_fx.good_cert);
    CHECK (client != NULL);
    if (!client) return;
    Socin__V1__Error request = SOCIN__V1__ERROR__INIT;
    request.message = "from REQ";
    CHECK_INT (socin_wire_send (client, NULL, &request.base), 0);
    socin_wire_msg_t msg;
    CHECK_INT (s_wait (s_fx.server, &msg, 3000), 0);
    CHECK (msg.envelope != NULL && zmsg_size (msg.envelope) == 2); /* routing id, delimiter */
    if (msg.envelope && zmsg_size (msg.envelope) == 2)
        CHECK_INT (zframe_size (zmsg_last (msg.envelope)), 0);
    CHECK_STR (msg.peer, zcert_public_txt (s_fx.good_cert));
    Socin__V1__Error *got = s_error_of (&msg);
    CHECK (got && streq (got->message, "from REQ"));
    s_error_free (got);
    Socin__V1__Error reply = SOCIN__V1__ERROR__INIT;
    reply.message = "to REQ";
    CHECK_INT (socin_wire_send (s_fx.server, msg.envelope, &reply.base), 0);
    socin_wire_msg_release (&msg);
    socin_wire_msg_t answer;
    CHECK_INT (s_wait (client, &answer, 2000), 0);
    CHECK (answer.envelope == NULL); /* REQ strips the delimiter */
    got = s_error_of (&answer);
    CHECK (got && streq (got->message, "to REQ"));
    s_error_free (got);
    socin_wire_msg_release (&answer);
    zsock_destroy (&client);
}

static void
a_refused_client_is_never_heard_and_is_counted (void)
{
    CHECK (s_fx.server != NULL);
    if (!s_fx.server) return;
    uint64_t allowed, refused;
    socin_zap_counts (s_fx.zap, &allowed, &refused);
    CHECK_INT (allowed, 2);
    CHECK_INT (refused, 0);
    zsock_t *client = s_client (ZMQ_DEALER, s_fx.bad_cert);
    CHECK (client != NULL);
    if (!client) return;
    Socin__V1__Error request = SOCIN__V1__ERROR__INIT;
    request.message = "let me in";
    socin_wire_send (client, NULL, &request.base);
    socin_wire_msg_t msg;
    CHECK_INT (s_wait (s_fx.server, &msg, 1000), -1);
    socin_zap_counts (s_fx.zap, &allowed, &refused);
    CHECK_INT (allowed, 2);
    CHECK_INT (refused, 1);
    zsock_destroy (&client);
}

static void
a_message_far_above_max_msg_never_arrives (void)
{
    CHECK (s_fx.server != NULL);
    if (!s_fx.server) return;
    char text[8192];
    /* max_msg is 1024: 3000 bytes is for the service to refuse, 6000 for libzmq to drop. */
    zsock_t *client = s_client (ZMQ_DEALER, s_fx.good_cert);
    CHECK (client != NULL);
    if (!client) return;
    Socin__V1__Error request = SOCIN__V1__ERROR__INIT;
    memset (text, 'x', 3000);
    text[3000] = 0;
    request.message = text;
    CHECK_INT (socin_wire_send (client, NULL, &request.base), 0);
    socin_wire_msg_t msg;
    CHECK_INT (s_wait (s_fx.server, &msg, 3000), 0);
    CHECK (msg.payload && zframe_size (msg.payload) > 3000);
    socin_wire_msg_release (&msg);
    memset (text, 'x', 6000);
    text[6000] = 0;
    CHECK_INT (socin_wire_send (client, NULL, &request.base), 0);
    CHECK_INT (s_wait (s_fx.server, &msg, 500), -1);
    zsock_destroy (&client);
}

static void
a_message_of_many_frames_is_refused_up_front (void)
{
    CHECK (s_fx.server != NULL);
    if (!s_fx.server) return;
    zsock_t *client = s_client (ZMQ_DEALER, s_fx.good_cert);
    CHECK (client != NULL);
    if (!client) return;
    zmsg_t *many = zmsg_new ();
    for (int i = 0; i < 100000; i++) zmsg_addmem (many, "", 0);
    CHECK_INT (zmsg_send (&many, client), 0);
    socin_wire_msg_t msg;
    CHECK_INT (s_wait (s_fx.server, &msg, 5000), 0);
    CHECK_INT (msg.frames, 100001); /* with the routing id */
    CHECK (msg.payload == NULL);                                  /* nothing to decode */
    CHECK (msg.envelope != NULL && zmsg_size (msg.envelope) == 1); /* just the routing id */
    socin_wire_msg_release (&msg);
    /* The connection still works for a well-formed message. */
    Socin__V1__Error request = SOCIN__V1__ERROR__INIT;
    request.message = "after";
    CHECK_INT (socin_wire_send (client, NULL, &request.base), 0);
    CHECK_INT (s_wait (s_fx.server, &msg, 3000), 0);
    CHECK_INT (msg.frames, 2);
    Socin__V1__Error *got = s_error_of (&msg);
    CHECK (got && streq (got->message, "after"));
    s_error_free (got);
    socin_wire_msg_release (&msg);
    zsock_destroy (&client);
}

/* Counts the lines of the file at PATH holding TEXT. */
static int
s_count_lines (const char *path, const char *text)
{
    FILE *f = fopen (path, "r");
    if (!f) return -1;
    char line[2048];
    int n = 0;
    while (fgets (line, sizeof line, f))
        if (strstr (line, text)) n++;
    fclose (f);
    return n;
}

static void
a_refused_key_is_logged_once_however_often_it_tries (void)
{
    CHECK (s_fx.server != NULL);
    if (!s_fx.server) return;
    char path[256];
    snprintf (path, sizeof path, "%s/stderr.log", s_dir);
    fflush (stderr);
    int saved = dup (2);
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2 (fd, 2);
    close (fd);
    uint64_t allowed, refused_before, refused;
    socin_zap_counts (s_fx.zap, &allowed, &refused_before);
    socin_wire_msg_t msg;
    for (int i = 0; i < 3; i++) {
        zsock_t *client = s_client (ZMQ_DEALER, s_fx.bad_cert);
        Socin__V1__Error request = SOCIN__V1__ERROR__INIT;
        request.message = "again";
        if (client) socin_wire_send (client, NULL, &request.base);
        CHECK_INT (s_wait (s_fx.server, &msg, 500), -1);
        zsock_destroy (&client);
    }
    fflush (stderr);
    dup2 (saved, 2);
    close (saved);
    socin_zap_counts (s_fx.zap, &allowed, &refused);
    CHECK (refused >= refused_before + 3); /* every refusal is counted */
    char line[128];
    snprintf (line, sizeof line, "key=%s", zcert_public_txt (s_fx.bad_cert));
    /* The key was refused once before this case (and logged then): no new line at all. */
    CHECK_INT (s_count_lines (path, line), 0);
}

static void
sockets_with_bad_settings_are_refused_with_a_message (void)
{
    zcert_t *cert = zcert_new ();
    zsock_t *sock = socin_wire_connect (ZMQ_DEALER, "ipc:///tmp/none.ipc", cert, "short", 0, s_err,
                                        sizeof s_err);
    CHECK (sock == NULL);
    CHECK_STR (s_err, "the server key for ipc:///tmp/none.ipc is not a valid Z85 key");
    sock = socin_wire_bind (ZMQ_ROUTER, "bogus://nowhere", cert, "socin", 0, s_err, sizeof s_err);
    CHECK (sock == NULL);
    CHECK_CONTAINS (s_err, "cannot bind bogus://nowhere: ");
    zcert_destroy (&cert);
}

static void
unpack_refuses_bytes_that_are_no_message (void)
{
    CHECK (socin_wire_unpack (&socin__v1__error__descriptor, NULL) == NULL);
    zframe_t *frame = zframe_new ("\x07\x07\x07\xff\xff", 5);
    CHECK (socin_wire_unpack (&socin__v1__error__descriptor, frame) == NULL);
    zframe_destroy (&frame);
    frame = zframe_new ("\x12\x10only", 6); /* a string field longer than the bytes */
    CHECK (socin_wire_unpack (&socin__v1__error__descriptor, frame) == NULL);
    zframe_destroy (&frame);
    /* An empty frame is a message with every field at its default. */
    frame = zframe_new (NULL, 0);
    Socin__V1__Error *e =
        (Socin__V1__Error *)socin_wire_unpack (&socin__v1__error__descriptor, frame);
    CHECK (e != NULL);
    if (e) CHECK_INT (e->code, 0);
    s_error_free (e);
    zframe_destroy (&frame);
}

static void
names_error_codes (void)
{
    CHECK_STR (socin_error_name (0), "OK");
    CHECK_STR (socin_error_name (1), "UNKNOWN_UNIT");
    CHECK_STR (socin_error_name (SOCIN__V1__ERROR_CODE__ERROR_CODE_PERIOD_LOCKED), "PERIOD_LOCKED");
    CHECK_STR (socin_error_name (9999), "ERROR_9999");
    CHECK_STR (socin_error_name (-3), "ERROR_-3");
}

int
main (void)
{
    zsys_handler_set (NULL);
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-wire-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    RUN (recognises_well_formed_z85_keys, "only 40 characters of valid Z85 are a key");
    RUN (creates_a_key_once_and_reloads_it,
         "a key is created once (secret file 0600) and reloaded after");
    RUN (publishes_the_public_half_with_its_role,
         "a published certificate holds the public key, name and role, and no secret");
    RUN (resolves_a_key_from_text_or_certificate_files,
         "a key resolves from Z85 text, a certificate or its _secret file; garbage is refused");
    s_fixture_new ();
    RUN (an_allowed_client_is_heard_and_answered_through_the_envelope,
         "an allowed client's message arrives stamped with its key and is answered");
    RUN (a_req_clients_envelope_comes_back_unchanged,
         "a REQ client's envelope (routing id, delimiter) comes back unchanged");
    RUN (a_refused_client_is_never_heard_and_is_counted,
         "a refused client's message never arrives and the refusal is counted");
    RUN (a_message_far_above_max_msg_never_arrives,
         "a message above four times max_msg never arrives");
    RUN (a_refused_key_is_logged_once_however_often_it_tries,
         "a refused key is logged once, however often it tries, and every refusal counted");
    RUN (a_message_of_many_frames_is_refused_up_front,
         "a message of 100,000 frames is refused up front, keeping only the routing id");
    s_fixture_destroy ();
    RUN (sockets_with_bad_settings_are_refused_with_a_message,
         "a bad server key or endpoint is refused with a message");
    RUN (unpack_refuses_bytes_that_are_no_message,
         "unpack returns NULL for bytes that are no message");
    RUN (names_error_codes, "error codes are named without their prefix, unknown ones by number");
    nftw (s_dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
