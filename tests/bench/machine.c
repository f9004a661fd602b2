/*  machine: the limits of this machine, measured in the same run as the pipeline.

    LMDB: sequential appends (MDB_APPEND, increasing 24-byte keys, 17-byte values: the size
    of an ingest's value record) of BATCH values per transaction, each commit durable (no
    NOSYNC, no WRITEMAP: as socin's store), in the directory the daemons use.

    ZeroMQ: a DEALER sends messages of BYTES bytes over ipc:// with CURVE to a ROUTER in
    another thread (its own context and I/O thread), which answers each with a 16-byte
    acknowledgement, WINDOW messages in flight: the shape of a feed talking to an ingest.
*/
#include <errno.h>
#include <lmdb.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zmq.h>

#include "bench.h"

/* ---- LMDB ---- */

#define L(call)                                                                                    \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_) b_fail ("lmdb: %s: %s", #call, mdb_strerror (rc_));                              \
    } while (0)

void
b_lmdb_append_rate (const char *dir, size_t batch, double seconds, b_lmdb_rate_t *out)
{
    char path[1024], cmd[1200];
    snprintf (path, sizeof path, "%s/lmdb-append-%zu", dir, batch);
    mkdir (path, 0700);
    MDB_env *env;
    L (mdb_env_create (&env));
    L (mdb_env_set_mapsize (env, (size_t) 32 << 30));
    L (mdb_env_set_maxdbs (env, 4));
    L (mdb_env_open (env, path, MDB_NOTLS, 0600));
    MDB_txn *txn;
    MDB_dbi dbi;
    L (mdb_txn_begin (env, NULL, 0, &txn));
    L (mdb_dbi_open (txn, "values", MDB_CREATE, &dbi));
    L (mdb_txn_commit (txn));
    unsigned char key[24], val[17];
    memset (key, 'k', sizeof key);
    memset (val, 'v', sizeof val);
    uint64_t counter = 0, commits = 0;
    long long w0 = b_proc_written (getpid ());
    int64_t t0 = b_now_us (), elapsed = 0;
    while (elapsed < (int64_t) (seconds * 1e6) || commits < 3) {
        L (mdb_txn_begin (env, NULL, 0, &txn));
        for (size_t i = 0; i < batch; i++) {
            uint64_t c = ++counter;
            for (int b = 7; b >= 0; b--, c >>= 8) key[b] = (unsigned char) c;
            MDB_val k = {sizeof key, key}, v = {sizeof val, val};
            L (mdb_put (txn, dbi, &k, &v, MDB_APPEND));
        }
        L (mdb_txn_commit (txn));
        commits++;
        elapsed = b_now_us () - t0;
    }
    long long w1 = b_proc_written (getpid ());
    mdb_env_close (env);
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system (cmd)) {
    }
    out->batch = batch;
    out->values_per_s = (double) counter / ((double) elapsed / 1e6);
    out->commits_per_s = (double) commits / ((double) elapsed / 1e6);
    out->mbytes_per_s = w0 >= 0 && w1 >= w0 ? (double) (w1 - w0) / 1e6 / ((double) elapsed / 1e6) : NAN;
}

/* ---- ZeroMQ ---- */

typedef struct {
    char endpoint[600];
    char server_public[41], server_secret[41];
    pthread_mutex_t lock;
    pthread_cond_t ready_cv;
    int ready;
} s_zmq_t;

static void *
s_router (void *arg)
{
    s_zmq_t *z = arg;
    void *ctx = zmq_ctx_new ();
    void *sock = zmq_socket (ctx, ZMQ_ROUTER);
    int one = 1, zero = 0, hwm = 100000;
    int64_t maxmsg = -1;
    zmq_setsockopt (sock, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt (sock, ZMQ_CURVE_SECRETKEY, z->server_secret, 40);
    zmq_setsockopt (sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt (sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    int rc = zmq_bind (sock, z->endpoint);
    pthread_mutex_lock (&z->lock);
    z->ready = rc == 0 ? 1 : -1;
    pthread_cond_signal (&z->ready_cv);
    pthread_mutex_unlock (&z->lock);
    char ack[16] = "ack";
    while (rc == 0) {
        zmq_msg_t id, body;
        zmq_msg_init (&id);
        zmq_msg_init (&body);
        if (zmq_msg_recv (&id, sock, 0) < 0 || zmq_msg_recv (&body, sock, 0) < 0) break;
        bool stop = zmq_msg_size (&body) == 0;
        zmq_msg_send (&id, sock, ZMQ_SNDMORE);
        zmq_send (sock, ack, sizeof ack, 0);
        zmq_msg_close (&id);
        zmq_msg_close (&body);
        if (stop) break;
    }
    zmq_close (sock);
    zmq_ctx_term (ctx);
    return NULL;
}

void
b_zmq_rate (const char *dir, size_t bytes, double seconds, size_t window, b_zmq_rate_t *out)
{
    s_zmq_t z;
    memset (&z, 0, sizeof z);
    snprintf (z.endpoint, sizeof z.endpoint, "ipc://%s/zmq-rate-%zu.ipc", dir, bytes);
    pthread_mutex_init (&z.lock, NULL);
    pthread_cond_init (&z.ready_cv, NULL);
    zmq_curve_keypair (z.server_public, z.server_secret);
    pthread_t thread;
    pthread_create (&thread, NULL, s_router, &z);
    pthread_mutex_lock (&z.lock);
    while (!z.ready) pthread_cond_wait (&z.ready_cv, &z.lock);
    pthread_mutex_unlock (&z.lock);
    if (z.ready < 0) b_fail ("zmq: cannot bind %s", z.endpoint);

    char pub[41], sec[41];
    zmq_curve_keypair (pub, sec);
    void *ctx = zmq_ctx_new ();
    void *sock = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0, hwm = 100000;
    int64_t maxmsg = -1;
    zmq_setsockopt (sock, ZMQ_CURVE_SERVERKEY, z.server_public, 40);
    zmq_setsockopt (sock, ZMQ_CURVE_PUBLICKEY, pub, 40);
    zmq_setsockopt (sock, ZMQ_CURVE_SECRETKEY, sec, 40);
    zmq_setsockopt (sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt (sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_connect (sock, z.endpoint)) b_fail ("zmq: cannot connect %s", z.endpoint);
    char *msg = malloc (bytes), ack[64];
    for (size_t i = 0; i < bytes; i++) msg[i] = (char) (i * 31 + 7);
    /* One round trip first: the handshake is not part of the rate. */
    zmq_send (sock, msg, bytes, 0);
    zmq_recv (sock, ack, sizeof ack, 0);
    uint64_t sent = 0, acked = 0;
    int64_t t0 = b_now_us (), limit = (int64_t) (seconds * 1e6), elapsed = 0;
    while (elapsed < limit || acked < sent) {
        while (elapsed < limit && sent - acked < window) {
            zmq_send (sock, msg, bytes, 0);
            sent++;
        }
        if (zmq_recv (sock, ack, sizeof ack, 0) >= 0) acked++;
        elapsed = b_now_us () - t0;
    }
    zmq_send (sock, "", 0, 0);
    zmq_recv (sock, ack, sizeof ack, 0);
    pthread_join (thread, NULL);
    zmq_close (sock);
    zmq_ctx_term (ctx);
    free (msg);
    char path[700];
    snprintf (path, sizeof path, "%s/zmq-rate-%zu.ipc", dir, bytes);
    unlink (path);
    out->bytes = bytes;
    out->msgs_per_s = (double) acked / ((double) elapsed / 1e6);
    out->mbytes_per_s = out->msgs_per_s * (double) bytes / 1e6;
}
