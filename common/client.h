/*  client: a DEALER connection to one socin service, for the socin command and the tests.

    It loads the caller's CURVE certificate (a secret certificate file), trusts the service's
    public key (Z85 text or a certificate file), and exchanges protobuf messages whose first
    field is request_id, matching each reply to its request. Many requests may be in flight.

    CURVE keeps a refused client in silence on the wire, so the client watches its socket's
    events (monitor.h) to say why no answer came: nothing listens at the endpoint, the service
    refused this key (ZAP status 400), the handshake failed (the server's key is not the one
    trusted), or the service took the connection and is slow.
*/
#ifndef SOCIN_CLIENT_H
#define SOCIN_CLIENT_H

#include <czmq.h>
#include <protobuf-c/protobuf-c.h>

typedef struct socin_client_t socin_client_t;

/* Connects to ENDPOINT trusting SERVER_KEY (Z85 or a certificate path), authenticating with
   the secret certificate at CERT_PATH ("x.cert_secret", or "x.cert" next to it). NULL with a
   message on failure. MAX_MSG bounds replies (0: 256 MiB). */
socin_client_t *socin_client_new (const char *endpoint, const char *server_key,
                                  const char *cert_path, size_t max_msg, char *err, size_t errlen);
void socin_client_destroy (socin_client_t **self_p);

/* Sends MSG. 0 or -1. */
int socin_client_send (socin_client_t *self, const ProtobufCMessage *msg);

/* Sends an already packed message (taking the frame). 0 or -1. For load generators that pack
   their requests before timing. */
int socin_client_send_frame (socin_client_t *self, zframe_t **frame);

/* Waits up to TIMEOUT_MS for the next reply, unpacked as DESC. NULL on timeout (ERR says why,
   from socin_client_link), at once when the service refused this key, or when the reply is
   not such a message. */
ProtobufCMessage *socin_client_recv (socin_client_t *self, const ProtobufCMessageDescriptor *desc,
                                     int timeout_ms, char *err, size_t errlen);

/* Sends REQ and waits for the reply with the same request_id (others are dropped). */
ProtobufCMessage *socin_client_call (socin_client_t *self, const ProtobufCMessage *req,
                                     const ProtobufCMessageDescriptor *reply_desc, int timeout_ms,
                                     char *err, size_t errlen);

/* What the connection's events say so far. */
typedef enum {
    SOCIN_LINK_WAITING,    /* connecting, nothing known yet */
    SOCIN_LINK_NOTHING,    /* connecting failed and is retried: nothing listens there */
    SOCIN_LINK_REFUSED,    /* the service refused this key (libzmq does not retry) */
    SOCIN_LINK_SERVER_KEY, /* connected, but the handshake failed: the server's key differs */
    SOCIN_LINK_UP,         /* the handshake succeeded: the service took the connection */
} socin_link_t;

socin_link_t socin_client_link (socin_client_t *self);

/* The reason LINK gives for silence, as the end of a sentence ("nothing answers there (is the
   daemon running?)"). */
const char *socin_link_text (socin_link_t link);

/* The public key this client authenticates with. */
const char *socin_client_key (socin_client_t *self);

#endif
