/*  wire: ZeroMQ sockets, CURVE keys, ZAP and protobuf framing. See wire.h. */
#include "wire.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "socin/v1/errors.pb-c.h"
#include "mem.h"

/* ---- keys ---- */

bool
socin_key_valid (const char *text)
{
    if (!text || strlen (text) != SOCIN_KEY_LEN) return false;
    uint8_t raw[32];
    return zmq_z85_decode (raw, text) != NULL;
}

zcert_t *
socin_keys_load_or_create (const char *dir, const char *name, char *err, size_t errlen)
{
    char path[1024], secret[1040];
    snprintf (path, sizeof path, "%s/%s.cert", dir, name);
    snprintf (secret, sizeof secret, "%s_secret", path);
    if (zsys_file_exists (secret)) {
        zcert_t *cert = zcert_load (path);
        if (!cert) snprintf (err, errlen, "cannot read the key in %s", secret);
        return cert;
    }
    if (zsys_dir_create ("%s", dir)) {
        snprintf (err, errlen, "cannot create key directory %s: %s", dir, strerror (errno));
        return NULL;
    }
    zcert_t *cert = zcert_new ();
    zcert_set_meta (cert, "name", "%s", name);
    mode_t old = umask (0077);
    int rc = zcert_save (cert, path);
    umask (old);
    /* The public half is for others to read. */
    if (rc == 0) chmod (path, 0644);
    if (rc) {
        snprintf (err, errlen, "cannot save a new key to %s: %s", path, strerror (errno));
        zcert_destroy (&cert);
        return NULL;
    }
    socin_info ("keys.created", "path=%s public=%s", socin_log_q (path), zcert_public_txt (cert));
    return cert;
}

int
socin_keys_publish (zcert_t *cert, const char *path, const char *name, const char *role, char *err,
                    size_t errlen)
{
    zcert_t *pub = zcert_new_from (zcert_public_key (cert), zcert_secret_key (cert));
    zcert_set_meta (pub, "name", "%s", name);
    zcert_set_meta (pub, "role", "%s", role);
    zcert_t *old = zsys_file_exists (path) ? zcert_load (path) : NULL;
    bool same = old && streq (zcert_public_txt (old), zcert_public_txt (pub)) &&
                zcert_meta (old, "role") && streq (zcert_meta (old, "role"), role);
    zcert_destroy (&old);
    int rc = 0;
    if (!same) {
        char dir[1024];
        snprintf (dir, sizeof dir, "%s", path);
        char *slash = strrchr (dir, '/');
        if (slash) {
            *slash = 0;
            zsys_dir_create ("%s", dir);
        }
        /* Write to a temporary name and rename, so a reader never sees half a file. */
        char tmp[1100];
        snprintf (tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid ());
        rc = zcert_save_public (pub, tmp);
        if (rc == 0) rc = rename (tmp, path);
        if (rc) {
            snprintf (err, errlen, "cannot publish key to %s: %s", path, strerror (errno));
            unlink (tmp);
        }
    }
    zcert_destroy (&pub);
    return rc ? -1 : 0;
}

int
socin_keys_public (const char *spec, char *out, char *err, size_t errlen)
{
    char path[1024];
    snprintf (path, sizeof path, "%s", spec);
    size_t n = strlen (path);
    if (n > 7 && streq (path + n - 7, "_secret")) path[n - 7] = 0;
    /* A file first: '/' and '.' are Z85 characters, so a 40-character path such as
       /etc/socin/keys/registry-centre-01.cert is also a well-formed Z85 key. */
    bool file = zsys_file_exists (path) || zsys_file_exists (spec);
    if (!file && socin_key_valid (spec)) {
        memcpy (out, spec, SOCIN_KEY_LEN + 1);
        return 0;
    }
    /* zcert_load (path) reads path_secret when it exists, so a secret file alone will do. */
    zcert_t *cert = file ? zcert_load (path) : NULL;
    if (!cert) {
        snprintf (err, errlen, "'%s' is neither a Z85 public key nor a readable certificate file",
                  spec);
        return -1;
    }
    snprintf (out, SOCIN_KEY_LEN + 1, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
    return 0;
}

/* ---- sockets ---- */

zsock_t *
socin_wire_bind (int type, const char *endpoint, zcert_t *cert, const char *domain, size_t max_msg,
                 char *err, size_t errlen)
{
    zsock_t *sock = zsock_new (type);
    if (!sock) {
        snprintf (err, errlen, "cannot create a socket: %s", zmq_strerror (zmq_errno ()));
        return NULL;
    }
    zcert_apply (cert, sock);
    zsock_set_curve_server (sock, 1);
    zsock_set_zap_domain (sock, domain);
    if (max_msg)
        zsock_set_maxmsgsize (sock, (int)(max_msg * 4 > INT32_MAX ? INT32_MAX : max_msg * 4));
    zsock_set_linger (sock, 0);
    if (type == ZMQ_ROUTER) {
        zsock_set_router_mandatory (sock, 0);
        zsock_set_sndhwm (sock, 100000);
        zsock_set_rcvhwm (sock, 100000);
    }
    if (zsock_bind (sock, "%s", endpoint) < 0) {
        snprintf (err, errlen, "cannot bind %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&sock);
        return NULL;
    }
    return sock;
}

zsock_t *
socin_wire_connect (int type, const char *endpoint, zcert_t *cert, const char *server_key,
                    size_t max_msg, char *err, size_t errlen)
{
    if (!socin_key_valid (server_key)) {
        snprintf (err, errlen, "the server key for %s is not a valid Z85 key", endpoint);
        return NULL;
    }
    zsock_t *sock = zsock_new (type);
    if (!sock) {
        snprintf (err, errlen, "cannot create a socket: %s", zmq_strerror (zmq_errno ()));
        return NULL;
    }
    zcert_apply (cert, sock);
    zsock_set_curve_serverkey (sock, server_key);
    if (max_msg)
        zsock_set_maxmsgsize (sock, (int)(max_msg * 4 > INT32_MAX ? INT32_MAX : max_msg * 4));
    zsock_set_linger (sock, 0);
    /* A client socket whose peer is gone (or refused the handshake) must never block the
       daemon's loop: sends fail at once instead, and the protocols resend. */
    zsock_set_sndtimeo (sock, 0);
    zsock_set_reconnect_ivl (sock, 100);
    zsock_set_reconnect_ivl_max (sock, 2000);
    zsock_set_sndhwm (sock, 100000);
    zsock_set_rcvhwm (sock, 100000);
    if (zsock_connect (sock, "%s", endpoint) < 0) {
        snprintf (err, errlen, "cannot connect to %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&sock);
        return NULL;
    }
    return sock;
}

/* ---- messages ---- */

/* A request is at most a routing id, an empty delimiter (from REQ clients) and the payload. */
#define S_MAX_FRAMES 3

int
socin_wire_recv (zsock_t *sock, socin_wire_msg_t *out)
{
    memset (out, 0, sizeof *out);
    void *handle = zsock_resolve (sock);
    zmq_pollitem_t item = {handle, 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, 0) <= 0) return -1;
    /* Frame by frame, keeping at most S_MAX_FRAMES: a message of a million frames costs its
       reading and nothing else (no envelope of a million frames to copy into the reply). */
    zframe_t *frames[S_MAX_FRAMES];
    size_t kept = 0, total = 0;
    for (bool more = true; more;) {
        zframe_t *frame = zframe_recv_nowait (sock);
        if (!frame) break;
        more = zframe_more (frame);
        total++;
        if (kept < S_MAX_FRAMES)
            frames[kept++] = frame;
        else
            zframe_destroy (&frame);
    }
    if (!kept) return -1;
    out->frames = total;
    /* Who sent it: the key the connection proved, on every frame that came over it. */
    const char *user = zframe_meta (frames[kept - 1], "User-Id");
    if (user && strlen (user) == SOCIN_KEY_LEN) memcpy (out->peer, user, SOCIN_KEY_LEN + 1);
    if (total > S_MAX_FRAMES) {
        /* Refused whole: on a ROUTER the routing id stays so the service can answer. */
        bool router = zsock_type (sock) == ZMQ_ROUTER;
        for (size_t i = router ? 1 : 0; i < kept; i++)
            zframe_destroy (&frames[i]);
        if (router) {
            out->envelope = zmsg_new ();
            zmsg_append (out->envelope, &frames[0]);
        }
        return 0;
    }
    /* The payload is the last frame; every frame before it is envelope. */
    for (size_t i = 0; i + 1 < kept; i++) {
        if (!out->envelope) out->envelope = zmsg_new ();
        zmsg_append (out->envelope, &frames[i]);
    }
    out->payload = frames[kept - 1];
    return 0;
}

void
socin_wire_msg_release (socin_wire_msg_t *msg)
{
    zmsg_destroy (&msg->envelope);
    zframe_destroy (&msg->payload);
}

int
socin_wire_send (zsock_t *sock, zmsg_t *envelope, const ProtobufCMessage *msg)
{
    size_t size = protobuf_c_message_get_packed_size (msg);
    zframe_t *frame = zframe_new (NULL, size);
    protobuf_c_message_pack (msg, zframe_data (frame));
    zmsg_t *out = envelope ? zmsg_dup (envelope) : zmsg_new ();
    zmsg_append (out, &frame);
    int rc = zmsg_send (&out, sock);
    if (rc) zmsg_destroy (&out);
    return rc;
}

ProtobufCMessage *
socin_wire_unpack (const ProtobufCMessageDescriptor *desc, zframe_t *payload)
{
    if (!payload) return NULL;
    return protobuf_c_message_unpack (desc, NULL, zframe_size (payload), zframe_data (payload));
}

const char *
socin_wire_id_echo (const char *id)
{
    return id && socin_utf8_valid (id, strlen (id), NULL) ? id : "";
}

/* Every enum field of MSG and of the messages inside it holds a value of its enum. */
static int
s_enums_check (const ProtobufCMessage *msg, char *field, size_t flen, char *why, size_t wlen)
{
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *at = (const char *)msg + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) continue; /* no request repeats one */
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF &&
            *(const uint32_t *)((const char *)msg + f->quantifier_offset) != f->id)
            continue;
        if (f->type == PROTOBUF_C_TYPE_ENUM) {
            int value = *(const int *)at;
            if (!protobuf_c_enum_descriptor_get_value (f->descriptor, value)) {
                snprintf (field, flen, "%s", f->name);
                snprintf (why, wlen, "%s %d is not one of the values of %s", f->name, value,
                          ((const ProtobufCEnumDescriptor *)f->descriptor)->name);
                return -1;
            }
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)at;
            if (sub && s_enums_check (sub, field, flen, why, wlen)) return -1;
        }
    }
    return 0;
}

int
socin_wire_request_check (const ProtobufCMessage *req, char *field, size_t flen, char *why,
                          size_t wlen)
{
    const ProtobufCFieldDescriptor *id =
        protobuf_c_message_descriptor_get_field_by_name (req->descriptor, "request_id");
    if (id && id->type == PROTOBUF_C_TYPE_STRING) {
        const char *text = *(const char *const *)((const char *)req + id->offset);
        if (text && !socin_utf8_valid (text, strlen (text), NULL)) {
            snprintf (field, flen, "request_id");
            snprintf (why, wlen, "request_id is not valid UTF-8");
            return -1;
        }
    }
    return s_enums_check (req, field, flen, why, wlen);
}

/* ---- ZAP (RFC 27) ---- */

/* Refused keys are logged once each (a client retrying every second would otherwise write a
   line a second, and a fresh stack's replicas retry until the registry's news reaches them);
   later refusals of a logged key are only counted. Past this many distinct keys, new ones are
   counted without a line of their own, so no client can grow the table or the log. */
#define S_ZAP_LOGGED_MAX 4096

struct socin_zap_t {
    zsock_t *handler;
    socin_zap_fn *fn;
    void *arg;
    uint64_t allowed, refused;
    zhashx_t *logged; /* key -> refusals since its line (uintptr_t) */
    bool full_noted;
};

socin_zap_t *
socin_zap_new (socin_zap_fn *fn, void *arg)
{
    socin_zap_t *self = socin_calloc (1, sizeof *self);
    self->fn = fn;
    self->arg = arg;
    self->logged = zhashx_new ();
    self->handler = zsock_new (ZMQ_REP);
    if (!self->handler || zsock_bind (self->handler, "inproc://zeromq.zap.01") < 0)
        socin_fatal ("zap.bind_failed", "err=%s", socin_log_q (zmq_strerror (zmq_errno ())));
    return self;
}

void
socin_zap_destroy (socin_zap_t **self_p)
{
    socin_zap_t *self = *self_p;
    if (!self) return;
    zsock_destroy (&self->handler);
    zhashx_destroy (&self->logged);
    free (self);
    *self_p = NULL;
}

/* The log line for a refusal: once per key (see S_ZAP_LOGGED_MAX). */
static void
s_zap_log_refusal (socin_zap_t *self, const char *domain, const char *address,
                   const char *mechanism, const char *key)
{
    const char *name = *key ? key : mechanism ? mechanism : "";
    uintptr_t seen = (uintptr_t)zhashx_lookup (self->logged, name);
    if (seen) {
        zhashx_update (self->logged, name, (void *)(seen + 1));
        return;
    }
    if (zhashx_size (self->logged) >= S_ZAP_LOGGED_MAX) {
        if (!self->full_noted)
            socin_warn ("auth.refused_many", "keys=%zu note=%s", zhashx_size (self->logged),
                        socin_log_q ("further refused keys are counted, not logged"));
        self->full_noted = true;
        return;
    }
    zhashx_insert (self->logged, name, (void *)(uintptr_t)1);
    socin_info ("auth.refused", "domain=%s address=%s mechanism=%s key=%s note=%s",
                socin_log_q (domain), socin_log_q (address), socin_log_q (mechanism),
                socin_log_q (key), socin_log_q ("logged once per key; stats counts them all"));
}

/* A key refused before and now let in (a replica that caught up): its refusals were expected. */
static void
s_zap_log_allowed (socin_zap_t *self, const char *key)
{
    uintptr_t seen = (uintptr_t)zhashx_lookup (self->logged, key);
    if (!seen) return;
    socin_info ("auth.allowed", "key=%s refused_before=%llu", socin_log_q (key),
                (unsigned long long)seen);
    zhashx_delete (self->logged, key);
}

static int
s_zap_request (zloop_t *loop, zsock_t *reader, void *arg)
{
    socin_zap_t *self = arg;
    zmsg_t *req = zmsg_recv (reader);
    if (!req) return 0;
    char *version = zmsg_popstr (req);
    char *request_id = zmsg_popstr (req);
    char *domain = zmsg_popstr (req);
    char *address = zmsg_popstr (req);
    char *identity = zmsg_popstr (req);
    char *mechanism = zmsg_popstr (req);
    zframe_t *credentials = zmsg_pop (req);
    char key[SOCIN_KEY_LEN + 1] = "";
    bool ok = false;
    if (mechanism && streq (mechanism, "CURVE") && credentials && zframe_size (credentials) == 32) {
        zmq_z85_encode (key, zframe_data (credentials), 32);
        ok = self->fn (domain ? domain : "", key, self->arg);
    }
    if (ok) {
        self->allowed++;
        s_zap_log_allowed (self, key);
    } else {
        self->refused++;
        s_zap_log_refusal (self, domain, address, mechanism, key);
    }
    zmsg_t *reply = zmsg_new ();
    zmsg_addstr (reply, "1.0");
    zmsg_addstr (reply, request_id ? request_id : "");
    zmsg_addstr (reply, ok ? "200" : "400");
    zmsg_addstr (reply, ok ? "OK" : "key not registered for this endpoint");
    zmsg_addstr (reply, ok ? key : "");
    zmsg_addmem (reply, "", 0);
    zmsg_send (&reply, reader);
    zstr_free (&version);
    zstr_free (&request_id);
    zstr_free (&domain);
    zstr_free (&address);
    zstr_free (&identity);
    zstr_free (&mechanism);
    zframe_destroy (&credentials);
    zmsg_destroy (&req);
    return 0;
}

int
socin_zap_attach (socin_zap_t *self, zloop_t *loop)
{
    return zloop_reader (loop, self->handler, s_zap_request, self);
}

void
socin_zap_counts (socin_zap_t *self, uint64_t *allowed, uint64_t *refused)
{
    *allowed = self->allowed;
    *refused = self->refused;
}

/* ---- error codes ---- */
