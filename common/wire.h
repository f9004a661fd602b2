/*  wire: ZeroMQ sockets, CURVE keys, ZAP and protobuf framing.

    Every socin message is one ZeroMQ frame holding one protobuf message; on a ROUTER the
    frames before it (routing id, and an empty delimiter from REQ clients) are its envelope,
    returned unchanged with the answer. Every endpoint uses CURVE, on TCP and IPC alike: the
    server learns who sent a message from the key the handshake proved, which our ZAP handler
    stamps on each message as its User-Id (the Z85 public key). Messages above a socket's
    max_msg are answered with MESSAGE_TOO_LARGE by the service; above four times that, libzmq
    drops the connection (ZMQ_MAXMSGSIZE), so no process ever buffers an unbounded message.
*/
#ifndef SOCIN_WIRE_H
#define SOCIN_WIRE_H

#include <czmq.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>

#include "error.h"

#define SOCIN_KEY_LEN 40 /* Z85 text of a 32-byte key */

/* ---- keys ---- */

/* Loads DIR/NAME.cert_secret, or on first start creates a new certificate there (mode 0600,
   the public half in DIR/NAME.cert). NULL with a message on failure. */
zcert_t *socin_keys_load_or_create (const char *dir, const char *name, char *err, size_t errlen);

/* Writes the public half of CERT to PATH with metadata (name, role), for peers to trust.
   Existing identical files are left alone. 0, or -1 with a message. */
int socin_keys_publish (zcert_t *cert, const char *path, const char *name, const char *role,
                        char *err, size_t errlen);

/* Resolves SPEC, either the path of a certificate file (public or secret) or a 40-character
   Z85 key, to the Z85 public key in OUT (41 bytes); an existing file wins (a path can be
   well-formed Z85 too). 0, or -1 with a message. */
int socin_keys_public (const char *spec, char *out, char *err, size_t errlen);

/* True when TEXT is a well-formed Z85 public key. */
bool socin_key_valid (const char *text);

/* ---- sockets ---- */

/* A server socket of TYPE bound to ENDPOINT with CERT as its CURVE identity; connections are
   checked by the ZAP handler under DOMAIN. MAX_MSG bounds messages (see above). */
zsock_t *socin_wire_bind (int type, const char *endpoint, zcert_t *cert, const char *domain,
                          size_t max_msg, char *err, size_t errlen);

/* A client socket of TYPE connected to ENDPOINT, authenticating with CERT, trusting the
   server key SERVER_KEY (Z85). Sends never wait: with no peer (not connected, or the
   handshake was refused) they fail at once. */
zsock_t *socin_wire_connect (int type, const char *endpoint, zcert_t *cert,
                             const char *server_key, size_t max_msg, char *err, size_t errlen);

/* ---- messages ---- */

typedef struct {
    zmsg_t *envelope;  /* frames before the payload (NULL on a DEALER) */
    zframe_t *payload; /* the protobuf bytes */
    char peer[SOCIN_KEY_LEN + 1]; /* Z85 key the connection proved ("" when unauthenticated) */
    size_t frames;     /* how many frames the message had */
} socin_wire_msg_t;

/* Receives one message from SOCK without waiting. 0 with OUT filled, or -1 when nothing is
   waiting. A message of more frames than a request has (routing id, delimiter, payload) is
   refused up front: its frames are read and dropped, payload is NULL, FRAMES says how many
   came, and on a ROUTER the envelope holds just the routing id so the service can answer. */
int socin_wire_recv (zsock_t *sock, socin_wire_msg_t *out);
void socin_wire_msg_release (socin_wire_msg_t *msg);

/* Packs MSG into one frame and sends it, after a copy of ENVELOPE when given. 0 or -1. */
int socin_wire_send (zsock_t *sock, zmsg_t *envelope, const ProtobufCMessage *msg);

/* Unpacks PAYLOAD as DESC's message (NULL when the bytes are not one). Free with
   protobuf_c_message_free_unpacked. */
ProtobufCMessage *socin_wire_unpack (const ProtobufCMessageDescriptor *desc, zframe_t *payload);

/* Checks a request just unpacked for what no handler should meet: a request_id that is not
   UTF-8 (echoed in the reply, it would make the reply unreadable to a strict protobuf
   client), or an enum value its enum does not have anywhere in REQ (proto3 lets unknown
   values through, and a level 999 would select nothing instead of being refused). 0, or -1
   with the field's name in FIELD and a sentence in WHY; the reply then carries the
   request_id only when socin_wire_id_echo allows it. */
int socin_wire_request_check (const ProtobufCMessage *req, char *field, size_t flen, char *why, size_t wlen);

/* ID when it may be echoed in a reply (valid UTF-8), else "". */
const char *socin_wire_id_echo (const char *id);

/* ---- ZAP ---- */

/* Decides whether the client with public key KEY (Z85) may connect to a socket of DOMAIN. */
typedef bool(socin_zap_fn) (const char *domain, const char *key, void *arg);

typedef struct socin_zap_t socin_zap_t;

/* Binds the ZAP handler (inproc://zeromq.zap.01) in CZMQ's context; must exist before any
   server socket is bound. Every CURVE handshake is decided by FN. */
socin_zap_t *socin_zap_new (socin_zap_fn *fn, void *arg);
void socin_zap_destroy (socin_zap_t **self_p);
int socin_zap_attach (socin_zap_t *self, zloop_t *loop);

/* Handshakes allowed and refused since start. */
void socin_zap_counts (socin_zap_t *self, uint64_t *allowed, uint64_t *refused);



#endif
