/*  submit.c: a complete minimal socin client in C. It sends one submission of indicator values
    to a regional ingest and prints the import summary (docs/clients.md explains each step).

        submit [-t TIMEOUT_MS] [-a ATTEMPTS] ENDPOINT INGEST_CERT MY_CERT SUBMISSION_ID < ITEMS

    ENDPOINT     the ingest, e.g. tcp://10.60.0.64:7721 (or ipc:///path on the same host)
    INGEST_CERT  the ingest's public certificate (ingest-CZ064.cert) or its Z85 public key
    MY_CERT      this submitter's certificate; MY_CERT_secret must be beside it
    ITEMS        one value per line: INDICATOR UNIT PERIOD VALUE [DISAGGREGATION]

    Exit: 0 every item accepted, 1 some rejected, 2 nothing accepted or the request refused,
    64 wrong usage, 69 no answer after every attempt (the ingest is down or unreachable, or
    this key is not registered: a refused key hears nothing).

    Build with the C code protoc-c generates from the .proto files (errors, registry and ingest:
    ingest.proto imports the other two), e.g. from /usr/share/socin/proto:

        protoc-c --proto_path=/usr/share/socin/proto --c_out=. socin/v1/errors.proto \
            socin/v1/registry.proto socin/v1/ingest.proto
        cc -I. submit.c socin/v1/errors.pb-c.c socin/v1/registry.pb-c.c \
            socin/v1/ingest.pb-c.c -lczmq -lzmq -lprotobuf-c
*/
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "socin/v1/ingest.pb-c.h"

#define MAX_ITEMS 100000 /* the ingest's default max_items */

/* The name of an enum value ("UNKNOWN_UNIT" for ERROR_CODE_UNKNOWN_UNIT). */
static const char *
s_enum_name (const ProtobufCEnumDescriptor *desc, int value, const char *prefix)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value (desc, value);
    if (!v) return "?";
    size_t n = strlen (prefix);
    return strncmp (v->name, prefix, n) == 0 ? v->name + n : v->name;
}

/* Reads "INDICATOR UNIT PERIOD VALUE [DISAGGREGATION]" lines into VALUES; returns the count,
   or -1 after a message naming the line at fault. */
static int
s_read_items (FILE *in, Socin__V1__DataValue *values, Socin__V1__DataValue **ptrs, int max)
{
    char line[4096];
    int n = 0, lineno = 0;
    while (fgets (line, sizeof line, in)) {
        lineno++;
        char *field[5] = {0};
        int nf = 0;
        for (char *tok = strtok (line, " \t\r\n"); tok && nf < 5; tok = strtok (NULL, " \t\r\n"))
            field[nf++] = strdup (tok);
        if (nf == 0) continue;
        if (nf < 4 || n == max) {
            fprintf (stderr, "submit: line %d: %s\n", lineno,
                     nf < 4 ? "expected INDICATOR UNIT PERIOD VALUE [DISAGGREGATION]"
                            : "too many items for one submission");
            return -1;
        }
        Socin__V1__DataValue *v = &values[n];
        socin__v1__data_value__init (v);
        v->indicator = field[0];
        v->unit = field[1];
        v->period = field[2];
        v->value = field[3];
        if (field[4]) v->disaggregation = field[4];
        ptrs[n++] = v;
    }
    return n;
}

static int
s_print_summary (const Socin__V1__ImportSummary *s)
{
    printf ("%s: %s imported=%u updated=%u ignored=%u deleted=%u rejected=%u replayed=%s "
            "source=%s seq=%llu\n",
            s->submission_id,
            s_enum_name (&socin__v1__import_status__descriptor, s->status, "IMPORT_STATUS_"),
            s->imported, s->updated, s->ignored, s->deleted, s->rejected,
            s->replayed ? "yes" : "no", s->source, (unsigned long long)s->source_seq);
    for (size_t i = 0; i < s->n_conflicts; i++) {
        const Socin__V1__Conflict *c = s->conflicts[i];
        printf ("conflict: item %u %s %s='%s': %s\n", c->index,
                s_enum_name (&socin__v1__error_code__descriptor, c->code, "ERROR_CODE_"), c->field,
                c->value, c->message);
    }
    if (s->error)
        printf ("refused: %s: %s\n",
                s_enum_name (&socin__v1__error_code__descriptor, s->error->code, "ERROR_CODE_"),
                s->error->message);
    switch (s->status) {
    case SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_SUCCESS:
        return 0;
    case SOCIN__V1__IMPORT_STATUS__IMPORT_STATUS_WARNING:
        return 1;
    default:
        return 2;
    }
}

int
main (int argc, char **argv)
{
    int timeout_ms = 10000, attempts = 3, opt;
    while ((opt = getopt (argc, argv, "t:a:")) != -1) {
        if (opt == 't')
            timeout_ms = atoi (optarg);
        else if (opt == 'a')
            attempts = atoi (optarg);
        else
            return 64;
    }
    if (argc - optind != 4 || timeout_ms <= 0 || attempts <= 0) {
        fprintf (stderr, "usage: submit [-t TIMEOUT_MS] [-a ATTEMPTS] ENDPOINT INGEST_CERT MY_CERT "
                         "SUBMISSION_ID < ITEMS\n");
        return 64;
    }
    const char *endpoint = argv[optind], *ingest_cert = argv[optind + 1];
    const char *my_cert = argv[optind + 2], *submission_id = argv[optind + 3];

    /* Keys. A certificate file is CZMQ's ZPL text; zcert_load reads NAME_secret when it exists
       (the secret half is needed for our own key, the public half for the ingest's). */
    zcert_t *me = zcert_load (my_cert);
    if (!me || zcert_secret_txt (me)[0] == 0 ||
        strcmp (zcert_secret_txt (me), "0000000000000000000000000000000000000000") == 0) {
        fprintf (stderr, "submit: cannot read a secret key from %s_secret\n", my_cert);
        return 64;
    }
    char server_key[41];
    zcert_t *server = zsys_file_exists (ingest_cert) ? zcert_load (ingest_cert) : NULL;
    snprintf (server_key, sizeof server_key, "%s",
              server ? zcert_public_txt (server) : ingest_cert);
    zcert_destroy (&server);
    if (strlen (server_key) != 40) {
        fprintf (stderr, "submit: %s is neither a certificate file nor a Z85 key\n", ingest_cert);
        return 64;
    }

    /* The submission: one IngestRequest whose request_id is the submission id. */
    Socin__V1__DataValue *values = calloc (MAX_ITEMS, sizeof *values);
    Socin__V1__DataValue **ptrs = calloc (MAX_ITEMS, sizeof *ptrs);
    int n = s_read_items (stdin, values, ptrs, MAX_ITEMS);
    if (n < 0) return 64;
    Socin__V1__Submission sub = SOCIN__V1__SUBMISSION__INIT;
    sub.submission_id = (char *)submission_id;
    sub.n_values = (size_t)n;
    sub.values = ptrs;
    Socin__V1__IngestRequest req = SOCIN__V1__INGEST_REQUEST__INIT;
    req.request_id = (char *)submission_id;
    req.body_case = SOCIN__V1__INGEST_REQUEST__BODY_SUBMISSION;
    req.submission = &sub;
    size_t len = socin__v1__ingest_request__get_packed_size (&req);
    uint8_t *packed = malloc (len);
    socin__v1__ingest_request__pack (&req, packed);

    /* Send, wait, and on silence resend the very same bytes on a new connection: the ingest
       answers a resent submission id from its stored summary, so nothing is counted twice.
       A new socket each time, because libzmq does not retry a handshake the server refused
       (the key may have been registered meanwhile). */
    int rc = 69;
    for (int attempt = 1; attempt <= attempts && rc == 69; attempt++) {
        zsock_t *sock = zsock_new (ZMQ_DEALER);
        zcert_apply (me, sock);
        zsock_set_curve_serverkey (sock, server_key);
        zsock_set_linger (sock, 0);
        if (zsock_connect (sock, "%s", endpoint) < 0) {
            fprintf (stderr, "submit: cannot connect to %s\n", endpoint);
            return 64;
        }
        zframe_t *frame = zframe_new (packed, len);
        zframe_send (&frame, sock, 0); /* one frame, no delimiter: the ingest is a ROUTER */
        zpoller_t *poller = zpoller_new (sock, NULL);
        int64_t deadline = zclock_mono () + timeout_ms;
        while (rc == 69 && zclock_mono () < deadline) {
            if (!zpoller_wait (poller, (int)(deadline - zclock_mono ()))) break;
            zframe_t *in = zframe_recv (sock);
            Socin__V1__IngestReply *reply =
                in ? socin__v1__ingest_reply__unpack (NULL, zframe_size (in), zframe_data (in))
                   : NULL;
            zframe_destroy (&in);
            if (!reply) continue;
            if (reply->body_case == SOCIN__V1__INGEST_REPLY__BODY_SUMMARY &&
                strcmp (reply->request_id, submission_id) == 0)
                rc = s_print_summary (reply->summary);
            else if (reply->body_case == SOCIN__V1__INGEST_REPLY__BODY_ERROR) {
                printf ("refused: %s: %s\n",
                        s_enum_name (&socin__v1__error_code__descriptor, reply->error->code,
                                     "ERROR_CODE_"),
                        reply->error->message);
                rc = 2;
            }
            socin__v1__ingest_reply__free_unpacked (reply, NULL);
        }
        zpoller_destroy (&poller);
        zsock_destroy (&sock);
        if (rc == 69)
            fprintf (stderr, "submit: no answer within %d ms (attempt %d of %d)\n", timeout_ms,
                     attempt, attempts);
    }
    if (rc == 69)
        fprintf (stderr,
                 "submit: the ingest did not answer: it is down or unreachable, or this key is "
                 "not registered as a submitter\n");
    free (packed);
    for (int i = 0; i < n; i++) {
        free (values[i].indicator);
        free (values[i].unit);
        free (values[i].period);
        free (values[i].value);
        if (values[i].disaggregation != protobuf_c_empty_string) free (values[i].disaggregation);
    }
    free (values);
    free (ptrs);
    zcert_destroy (&me);
    return rc;
}
