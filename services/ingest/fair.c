/*  fair: submissions waiting for a group commit, taken round-robin per client. See fair.h.

    Two rings: clients (keys) with something waiting, and inside each its connections (routing
    ids) with something waiting. Taking moves the client and the connection it took from to
    the end of their rings; an emptied connection or client leaves its ring and is freed, so
    the tables hold only who has something waiting.
*/
#include "fair.h"

#include <string.h>

#include "mem.h"

typedef struct {
    char id[130];      /* the routing id in hex ("" on a socket without one) */
    zlistx_t *msgs;    /* socin_wire_msg_t *, oldest first */
    void *ring_handle; /* in the client's ring */
} s_conn_t;

typedef struct {
    char key[SOCIN_KEY_LEN + 1];
    zlistx_t *ring;    /* s_conn_t *, the next to take from first */
    zhashx_t *conns;   /* id -> s_conn_t * */
    void *ring_handle; /* in the clients' ring */
} s_client_t;

struct ing_fair_t {
    zlistx_t *ring;    /* s_client_t *, the next to take from first */
    zhashx_t *clients; /* key -> s_client_t * */
    size_t waiting, bytes;
};

static void
s_conn_free (s_conn_t **conn_p)
{
    s_conn_t *conn = *conn_p;
    socin_wire_msg_t *msg;
    while ((msg = zlistx_detach (conn->msgs, NULL))) {
        socin_wire_msg_release (msg);
        free (msg);
    }
    zlistx_destroy (&conn->msgs);
    free (conn);
    *conn_p = NULL;
}

static void
s_client_free (s_client_t **client_p)
{
    s_client_t *client = *client_p;
    s_conn_t *conn;
    while ((conn = zlistx_detach (client->ring, NULL)))
        s_conn_free (&conn);
    zlistx_destroy (&client->ring);
    zhashx_destroy (&client->conns);
    free (client);
    *client_p = NULL;
}

ing_fair_t *
ing_fair_new (void)
{
    ing_fair_t *self = socin_calloc (1, sizeof *self);
    self->ring = zlistx_new ();
    self->clients = zhashx_new ();
    return self;
}

void
ing_fair_destroy (ing_fair_t **self_p)
{
    ing_fair_t *self = *self_p;
    if (!self) return;
    s_client_t *client;
    while ((client = zlistx_detach (self->ring, NULL)))
        s_client_free (&client);
    zlistx_destroy (&self->ring);
    zhashx_destroy (&self->clients);
    free (self);
    *self_p = NULL;
}

/* The routing id of MSG (the envelope's first frame) in hex, "" without one. */
static void
s_conn_id (const socin_wire_msg_t *msg, char *out, size_t len)
{
    *out = 0;
    zframe_t *first = msg->envelope ? zmsg_first (msg->envelope) : NULL;
    if (!first) return;
    const uint8_t *data = zframe_data (first);
    size_t n = zframe_size (first), at = 0;
    for (size_t i = 0; i < n && at + 3 <= len; i++, at += 2)
        snprintf (out + at, 3, "%02x", data[i]);
}

void
ing_fair_put (ing_fair_t *self, socin_wire_msg_t *msg)
{
    s_client_t *client = zhashx_lookup (self->clients, msg->peer);
    if (!client) {
        client = socin_calloc (1, sizeof *client);
        snprintf (client->key, sizeof client->key, "%s", msg->peer);
        client->ring = zlistx_new ();
        client->conns = zhashx_new ();
        client->ring_handle = zlistx_add_end (self->ring, client);
        zhashx_insert (self->clients, client->key, client);
    }
    char id[sizeof ((s_conn_t *)0)->id];
    s_conn_id (msg, id, sizeof id);
    s_conn_t *conn = zhashx_lookup (client->conns, id);
    if (!conn) {
        conn = socin_calloc (1, sizeof *conn);
        memcpy (conn->id, id, sizeof id);
        conn->msgs = zlistx_new ();
        conn->ring_handle = zlistx_add_end (client->ring, conn);
        zhashx_insert (client->conns, conn->id, conn);
    }
    socin_wire_msg_t *copy = socin_malloc (sizeof *copy);
    *copy = *msg;
    memset (msg, 0, sizeof *msg);
    zlistx_add_end (conn->msgs, copy);
    self->waiting++;
    if (copy->payload) self->bytes += zframe_size (copy->payload);
}

int
ing_fair_take (ing_fair_t *self, socin_wire_msg_t *out)
{
    s_client_t *client = zlistx_first (self->ring);
    if (!client) return -1;
    s_conn_t *conn = zlistx_first (client->ring);
    socin_wire_msg_t *msg = zlistx_detach (conn->msgs, NULL);
    *out = *msg;
    free (msg);
    self->waiting--;
    if (out->payload) self->bytes -= zframe_size (out->payload);
    /* The connection, then the client, go to the end of their rings, or leave them empty. */
    if (zlistx_size (conn->msgs))
        zlistx_move_end (client->ring, conn->ring_handle);
    else {
        zlistx_delete (client->ring, conn->ring_handle);
        zhashx_delete (client->conns, conn->id);
        s_conn_free (&conn);
    }
    if (zlistx_size (client->ring))
        zlistx_move_end (self->ring, client->ring_handle);
    else {
        zlistx_delete (self->ring, client->ring_handle);
        zhashx_delete (self->clients, client->key);
        s_client_free (&client);
    }
    return 0;
}

size_t
ing_fair_waiting (const ing_fair_t *self)
{
    return self->waiting;
}

size_t
ing_fair_bytes (const ing_fair_t *self)
{
    return self->bytes;
}
