/*  client: a DEALER connection to one socin service. See client.h. */
#include "client.h"

#include <string.h>

#include "log.h"
#include "wire.h"
#include "mem.h"

struct socin_client_t {
    zsock_t *sock;
    zcert_t *cert;
};

socin_client_t *
socin_client_new (const char *endpoint, const char *server_key, const char *cert_path,
                  size_t max_msg, char *err, size_t errlen)
{
    char key[SOCIN_KEY_LEN + 1];
    if (socin_keys_public (server_key, key, err, errlen)) return NULL;
    char path[1024];
    snprintf (path, sizeof path, "%s", cert_path);
    size_t n = strlen (path);
    if (n > 7 && !strcmp (path + n - 7, "_secret")) path[n - 7] = 0;
    char secret[1040];
    snprintf (secret, sizeof secret, "%s_secret", path);
    if (!zsys_file_exists (secret)) {
        snprintf (err, errlen, "no secret key at %s (make one with: socin keys new NAME)", secret);
        return NULL;
    }
    zcert_t *cert = zcert_load (path);
    if (!cert) {
        snprintf (err, errlen, "cannot read the key %s", secret);
        return NULL;
    }
    zsock_t *sock = socin_wire_connect (ZMQ_DEALER, endpoint, cert, key,
                                        max_msg ? max_msg : 256u << 20, err, errlen);
    if (!sock) {
        zcert_destroy (&cert);
        return NULL;
    }
    /* A command may wait a little for the connection to come up, never forever. */
    zsock_set_sndtimeo (sock, 5000);
    socin_client_t *self = socin_calloc (1, sizeof *self);
    self->sock = sock;
    self->cert = cert;
    return self;
}

void
socin_client_destroy (socin_client_t **self_p)
{
    socin_client_t *self = *self_p;
    if (!self) return;
    zsock_destroy (&self->sock);
    zcert_destroy (&self->cert);
    free (self);
    *self_p = NULL;
}

const char *
socin_client_key (socin_client_t *self)
{
    return zcert_public_txt (self->cert);
}

int
socin_client_send (socin_client_t *self, const ProtobufCMessage *msg)
{
    return socin_wire_send (self->sock, NULL, msg);
}

int
socin_client_send_frame (socin_client_t *self, zframe_t **frame)
{
    int rc = zframe_send (frame, self->sock, 0);
    if (rc) zframe_destroy (frame);
    return rc;
}

ProtobufCMessage *
socin_client_recv (socin_client_t *self, const ProtobufCMessageDescriptor *desc, int timeout_ms,
                   char *err, size_t errlen)
{
    zmq_pollitem_t item = {zsock_resolve (self->sock), 0, ZMQ_POLLIN, 0};
    int rc = zmq_poll (&item, 1, timeout_ms);
    if (rc <= 0) {
        snprintf (err, errlen,
                  "no answer within %d ms (is the service running, and is this key registered "
                  "with it?)",
                  timeout_ms);
        return NULL;
    }
    socin_wire_msg_t msg;
    if (socin_wire_recv (self->sock, &msg)) {
        snprintf (err, errlen, "receiving failed");
        return NULL;
    }
    ProtobufCMessage *reply = socin_wire_unpack (desc, msg.payload);
    socin_wire_msg_release (&msg);
    if (!reply) snprintf (err, errlen, "the answer is not a %s", desc->name);
    return reply;
}

static const char *
s_request_id (const ProtobufCMessage *msg)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name (msg->descriptor, "request_id");
    if (!f || f->type != PROTOBUF_C_TYPE_STRING) return "";
    const char *id = *(const char *const *) ((const char *) msg + f->offset);
    return id ? id : "";
}

ProtobufCMessage *
socin_client_call (socin_client_t *self, const ProtobufCMessage *req,
                   const ProtobufCMessageDescriptor *reply_desc, int timeout_ms, char *err,
                   size_t errlen)
{
    if (socin_client_send (self, req)) {
        snprintf (err, errlen, "sending failed: %s", zmq_strerror (zmq_errno ()));
        return NULL;
    }
    const char *want = s_request_id (req);
    int64_t deadline = zclock_mono () + timeout_ms;
    for (;;) {
        int left = (int) (deadline - zclock_mono ());
        if (left < 0) left = 0;
        ProtobufCMessage *reply = socin_client_recv (self, reply_desc, left, err, errlen);
        if (!reply) return NULL;
        const char *got = s_request_id (reply);
        /* An empty id answers a request the service could not decode: take it. */
        if (!strcmp (got, want) || !*got) return reply;
        protobuf_c_message_free_unpacked (reply, NULL);
    }
}
