/*  client: a DEALER connection to one socin service. See client.h. */
#include "client.h"

#include <string.h>

#include "log.h"
#include "mem.h"
#include "monitor.h"
#include "wire.h"

struct socin_client_t {
    zsock_t *sock;
    zcert_t *cert;
    socin_monitor_t *monitor; /* the socket's connection events (NULL when unavailable) */
    bool connected, up, refused;
    unsigned retries, failures; /* connection attempts that failed; handshakes that failed */
};

/* Connection events that tell the reasons for silence apart. */
#define S_EVENTS                                                                                   \
    (ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_DELAYED | ZMQ_EVENT_CONNECT_RETRIED |                 \
     ZMQ_EVENT_CLOSED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |            \
     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |                       \
     ZMQ_EVENT_HANDSHAKE_SUCCEEDED)

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
    char why[256];
    self->monitor = socin_monitor_new (sock, S_EVENTS, why, sizeof why);
    return self;
}

void
socin_client_destroy (socin_client_t **self_p)
{
    socin_client_t *self = *self_p;
    if (!self) return;
    /* No event for the monitor once it is gone (monitor.h): closing the socket sends some. */
    socin_monitor_stop (self->monitor);
    socin_monitor_destroy (&self->monitor);
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

/* Takes in the events that wait. */
static void
s_events (socin_client_t *self)
{
    socin_monitor_event_t e;
    while (self->monitor && socin_monitor_next (self->monitor, &e) == 0) {
        switch (e.event) {
        case ZMQ_EVENT_CONNECTED:
            self->connected = true;
            break;
        case ZMQ_EVENT_CONNECT_RETRIED:
            self->retries++;
            break;
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            self->up = true;
            self->failures = 0;
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            self->refused = true;
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            self->up = false;
            self->failures++;
            break;
        case ZMQ_EVENT_DISCONNECTED:
            self->up = false;
            break;
        default:
            break;
        }
    }
}

socin_link_t
socin_client_link (socin_client_t *self)
{
    s_events (self);
    if (self->refused) return SOCIN_LINK_REFUSED;
    if (self->up) return SOCIN_LINK_UP;
    if (self->failures) return SOCIN_LINK_SERVER_KEY;
    if (self->retries && !self->connected) return SOCIN_LINK_NOTHING;
    return SOCIN_LINK_WAITING;
}

const char *
socin_link_text (socin_link_t link)
{
    switch (link) {
    case SOCIN_LINK_NOTHING:
        return "nothing answers there (is the daemon running?)";
    case SOCIN_LINK_REFUSED:
        return "the service does not know this key (register it: socin registry "
               "add-submitter/add-peer)";
    case SOCIN_LINK_SERVER_KEY:
        return "the server's key is not the one configured";
    case SOCIN_LINK_UP:
        return "the service took the connection but did not answer (busy?)";
    default:
        return "no connection came up (is the service reachable?)";
    }
}

ProtobufCMessage *
socin_client_recv (socin_client_t *self, const ProtobufCMessageDescriptor *desc, int timeout_ms,
                   char *err, size_t errlen)
{
    /* The reply, or a refusal of this key, whichever comes first. */
    int64_t deadline = zclock_mono () + timeout_ms;
    int rc = 0;
    for (;;) {
        zmq_pollitem_t items[] = {
            {zsock_resolve (self->sock), 0, ZMQ_POLLIN, 0},
            {self->monitor ? zsock_resolve (socin_monitor_socket (self->monitor)) : NULL, 0,
             ZMQ_POLLIN, 0}};
        int left = (int)(deadline - zclock_mono ());
        rc = zmq_poll (items, self->monitor ? 2 : 1, left > 0 ? left : 0);
        if (rc > 0 && items[0].revents) break;
        if (socin_client_link (self) == SOCIN_LINK_REFUSED || left <= 0 || rc < 0) {
            rc = 0;
            break;
        }
    }
    if (rc <= 0) {
        snprintf (err, errlen, "no answer within %d ms: %s", timeout_ms,
                  socin_link_text (socin_client_link (self)));
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
    const char *id = *(const char *const *)((const char *)msg + f->offset);
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
        int left = (int)(deadline - zclock_mono ());
        if (left < 0) left = 0;
        ProtobufCMessage *reply = socin_client_recv (self, reply_desc, left, err, errlen);
        if (!reply) return NULL;
        const char *got = s_request_id (reply);
        /* An empty id answers a request the service could not decode: take it. */
        if (!strcmp (got, want) || !*got) return reply;
        protobuf_c_message_free_unpacked (reply, NULL);
    }
}
