/*  The registry, as a real daemon: the official territory, re-imported editions, malformed
    files, permissions, and a replica that keeps up through restarts and missed updates. */
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "clock.h"
#include "model.h"
#include "replica.h"
#include "stack.h"
#include "store.h"
#include "testing.h"
#include "wire.h"
#include "socin/v1/registry.pb-c.h"

static char s_home[256];
static char s_req[400], s_pub[400];
static t_daemon_t *s_registry;
static socin_client_t *s_admin;

/* ---- helpers ---- */

static Socin__V1__RegistryReply *
s_call (socin_client_t *client, Socin__V1__RegistryRequest *req)
{
    static int n;
    char id[32];
    snprintf (id, sizeof id, "t%d", ++n);
    req->request_id = id;
    char err[512];
    Socin__V1__RegistryReply *reply = (Socin__V1__RegistryReply *) socin_client_call (
        client, &req->base, &socin__v1__registry_reply__descriptor, 20000, err, sizeof err);
    if (!reply) fprintf (stderr, "    registry call failed: %s\n", err);
    return reply;
}

static void
s_free (Socin__V1__RegistryReply **reply)
{
    if (*reply) protobuf_c_message_free_unpacked (&(*reply)->base, NULL);
    *reply = NULL;
}

static Socin__V1__RegistryReply *
s_descendants (const char *code, int level, const char *as_of)
{
    Socin__V1__DescendantsQuery q = SOCIN__V1__DESCENDANTS_QUERY__INIT;
    q.code = (char *) code;
    q.level = level;
    q.as_of = (char *) (as_of ? as_of : "");
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_DESCENDANTS;
    req.descendants = &q;
    return s_call (s_admin, &req);
}

static size_t
s_count (Socin__V1__RegistryReply *reply)
{
    return reply && reply->records ? reply->records->n_records : (size_t) -1;
}

static long long
s_seq (void)
{
    char out[1024];
    t_ctl (s_registry->ctl, "seq", out, sizeof out);
    return t_field (out, "seq");
}

static Socin__V1__RegistryReply *
s_import (const char *csv, size_t len, bool dry_run)
{
    Socin__V1__ImportTerritory imp = SOCIN__V1__IMPORT_TERRITORY__INIT;
    imp.csv.data = (uint8_t *) csv;
    imp.csv.len = len;
    imp.dry_run = dry_run;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_TERRITORY;
    req.import_territory = &imp;
    return s_call (s_admin, &req);
}

static Socin__V1__RegistryReply *
s_put_submitter (const char *name, const char *key, const char *territory)
{
    Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
    char *territories[] = {(char *) territory};
    sub.name = (char *) name;
    sub.public_key = (char *) key;
    sub.territories = territories;
    sub.n_territories = 1;
    Socin__V1__PutSubmitter put = SOCIN__V1__PUT_SUBMITTER__INIT;
    put.submitter = &sub;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_SUBMITTER;
    req.put_submitter = &put;
    return s_call (s_admin, &req);
}

/* A copy of the official file with line LINE (1-based) rewritten by FN. */
static char *
s_edit_line (const char *data, size_t len, int line, void (*fn) (socin_str_t *out, const char *l, size_t n),
             size_t *outlen)
{
    socin_str_t out = SOCIN_STR_INIT;
    const char *p = data, *end = data + len;
    for (int i = 1; p < end; i++) {
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
        if (i == line)
            fn (&out, p, n);
        else
            socin_str_append (&out, p, n);
        socin_str_puts (&out, "\n");
        p += n + 1;
    }
    *outlen = out.len;
    return socin_str_take (&out);
}

static void
s_replace (socin_str_t *out, const char *l, size_t n, const char *from, const char *to)
{
    char *line = socin_strndup (l, n);
    char *at = strstr (line, from);
    if (at) {
        socin_str_append (out, line, (size_t) (at - line));
        socin_str_puts (out, to);
        socin_str_puts (out, at + strlen (from));
    }
    else
        socin_str_puts (out, line);
    free (line);
}

/* The line number of the row holding TEXT. */
static int
s_line_of (const char *data, const char *text)
{
    const char *at = strstr (data, text);
    int line = 1;
    for (const char *p = data; p < at; p++) line += *p == '\n';
    return at ? line : -1;
}

/* ---- territory ---- */

static void
test_counts (void)
{
    char out[2048];
    CHECK_INT (t_ctl (s_registry->ctl, "counts", out, sizeof out), 0);
    CHECK_CONTAINS (out, "country:1/1\n");
    CHECK_CONTAINS (out, "kraj:14/14\n");
    CHECK_CONTAINS (out, "okres:77/77\n");
    CHECK_CONTAINS (out, "orp:206/206\n");
    CHECK_CONTAINS (out, "municipality:6258/6258\n");
}

static void
test_kraj_counts (void)
{
    Socin__V1__RegistryReply *r = s_descendants ("CZ064", SOCIN_LEVEL_MUNICIPALITY, NULL);
    CHECK_INT (s_count (r), 673);
    s_free (&r);
    r = s_descendants ("CZ020", SOCIN_LEVEL_MUNICIPALITY, NULL);
    CHECK_INT (s_count (r), 1144);
    s_free (&r);
    r = s_descendants ("CZ010", SOCIN_LEVEL_MUNICIPALITY, NULL);
    CHECK_INT (s_count (r), 1);
    if (s_count (r) == 1) CHECK_STR (r->records->records[0]->unit->code, "554782");
    s_free (&r);
    r = s_descendants ("CZ064", SOCIN_LEVEL_OKRES, NULL);
    CHECK_INT (s_count (r), 7);
    s_free (&r);
}

static void
test_brno (void)
{
    Socin__V1__UnitQuery q = SOCIN__V1__UNIT_QUERY__INIT;
    q.code = "582786";
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_UNIT;
    req.unit = &q;
    Socin__V1__RegistryReply *r = s_call (s_admin, &req);
    CHECK (r && r->records);
    if (!r || !r->records) return;
    Socin__V1__Unit *brno = r->records->records[0]->unit;
    CHECK_STR (brno->name, "Brno");
    CHECK_INT (brno->level, SOCIN_LEVEL_MUNICIPALITY);
    CHECK_INT (brno->n_parents, 2);
    if (brno->n_parents == 2) {
        CHECK_STR (brno->parents[0], "6203");
        CHECK_STR (brno->parents[1], "CZ0642");
    }
    CHECK_INT (brno->population, 382405);
    bool orp = false, okres = false, kraj = false, cz = false;
    for (size_t i = 1; i < r->records->n_records; i++) {
        const char *code = r->records->records[i]->unit->code;
        orp |= !strcmp (code, "6203");
        okres |= !strcmp (code, "CZ0642");
        kraj |= !strcmp (code, "CZ064");
        cz |= !strcmp (code, "CZ");
    }
    CHECK (orp && okres && kraj && cz);
    CHECK_INT (r->records->n_records, 5);
    s_free (&r);
}

static void
test_turnov (void)
{
    Socin__V1__RegistryReply *r = s_descendants ("5109", SOCIN_LEVEL_MUNICIPALITY, NULL);
    CHECK (s_count (r) > 30);
    char okresy[8][16];
    int n = 0;
    for (size_t i = 0; r && i < r->records->n_records; i++) {
        Socin__V1__Unit *u = r->records->records[i]->unit;
        CHECK_INT (u->n_parents, 2);
        CHECK_STR (u->parents[0], "5109");
        bool seen = false;
        for (int k = 0; k < n; k++) seen |= !strcmp (okresy[k], u->parents[1]);
        if (!seen && n < 8) snprintf (okresy[n++], 16, "%s", u->parents[1]);
    }
    CHECK_INT (n, 3);
    bool a = false, b = false, c = false;
    for (int k = 0; k < n; k++) {
        a |= !strcmp (okresy[k], "CZ0512");
        b |= !strcmp (okresy[k], "CZ0513");
        c |= !strcmp (okresy[k], "CZ0514");
    }
    CHECK (a && b && c);
    s_free (&r);
}

static void
test_population (void)
{
    Socin__V1__RegistryReply *r = s_descendants ("CZ", SOCIN_LEVEL_MUNICIPALITY, NULL);
    unsigned long long sum = 0;
    for (size_t i = 0; r && i < r->records->n_records; i++)
        sum += r->records->records[i]->unit->population;
    CHECK_INT (sum, 10701777);
    s_free (&r);
}

static void
s_bad_code (socin_str_t *out, const char *l, size_t n)
{
    s_replace (out, l, n, "\"582786\"", "\"58278\"");
}

static void
s_bad_orp_name (socin_str_t *out, const char *l, size_t n)
{
    s_replace (out, l, n, "\"Ostrov\",\"4106\"", "\"Ostrovv\",\"4106\"");
}

static void
test_malformed (void)
{
    size_t len, badlen;
    char *data = t_read_file (t_shared ("data/cz/struktura_uzemi_cr.csv"), &len);
    CHECK (data != NULL);
    if (!data) return;
    long long before = s_seq ();
    int line = s_line_of (data, "\"Brno\",\"582786\"");
    char *bad = s_edit_line (data, len, line, s_bad_code, &badlen);
    Socin__V1__RegistryReply *r = s_import (bad, badlen, false);
    CHECK (r && r->error);
    if (r && r->error) {
        char want[128];
        snprintf (want, sizeof want, "line %d: obec_kod '58278' is not a 6-digit code", line);
        CHECK_INT (r->error->code, SOCIN__V1__ERROR_CODE__ERROR_CODE_MALFORMED_FILE);
        CHECK_CONTAINS (r->error->message, want);
    }
    s_free (&r);
    free (bad);
    /* A unit named differently on two rows (Abertamy, the first row, names its ORP Ostrov
       "Ostrovv"): both lines are named. */
    bad = s_edit_line (data, len, 2, s_bad_orp_name, &badlen);
    r = s_import (bad, badlen, false);
    CHECK (r && r->error);
    if (r && r->error) {
        CHECK_CONTAINS (r->error->message, "ORP 4106 is named 'Ostrov' here but 'Ostrovv' on line 2");
    }
    s_free (&r);
    free (bad);
    /* Not the ČSÚ file at all. */
    r = s_import ("a,b\n1,2\n", 8, false);
    CHECK (r && r->error);
    if (r && r->error) CHECK_CONTAINS (r->error->message, "line 1: column 'platnost_datum' is missing");
    s_free (&r);
    CHECK_INT (s_seq (), before);
    r = s_descendants ("CZ064", SOCIN_LEVEL_MUNICIPALITY, NULL);
    CHECK_INT (s_count (r), 673);
    s_free (&r);
    free (data);
}

/* The newer edition: valid from 2027-01-01, Adamov (581291) renamed, Abertamy (554979) moved
   from ORP Ostrov (4106) to ORP Karlovy Vary (4103), and Kněževes (581721)
   gone. */
static char *
s_new_edition (size_t *outlen)
{
    size_t len;
    char *data = t_read_file (t_shared ("data/cz/struktura_uzemi_cr.csv"), &len);
    socin_str_t out = SOCIN_STR_INIT;
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        size_t n = nl ? (size_t) (nl - p) + 1 : (size_t) (end - p);
        char *line = socin_strndup (p, n);
        p += n;
        if (strstr (line, "\"581721\"")) {
            free (line);
            continue;
        }
        socin_str_t l = SOCIN_STR_INIT;
        s_replace (&l, line, strlen (line), "\"2026-01-01\"", "\"2027-01-01\"");
        free (line);
        line = socin_str_take (&l);
        if (strstr (line, "\"581291\"")) {
            s_replace (&l, line, strlen (line), "\"Adamov\",\"581291\"", "\"Adamov u Brna\",\"581291\"");
            free (line);
            line = socin_str_take (&l);
        }
        if (strstr (line, "\"554979\"")) {
            s_replace (&l, line, strlen (line), "\"Ostrov\",\"4106\",\"540\",\"555428\"",
                       "\"Karlovy Vary\",\"4103\",\"531\",\"554961\"");
            free (line);
            line = socin_str_take (&l);
        }
        socin_str_puts (&out, line);
        free (line);
    }
    free (data);
    *outlen = out.len;
    return socin_str_take (&out);
}

static void
test_new_edition (void)
{
    size_t len;
    char *edition = s_new_edition (&len);
    CHECK (strstr (edition, "\"Karlovy Vary\",\"4103\",\"531\",\"554961\",\"Karlovy Vary\"") != NULL);
    /* A dry run reports the same counts and changes nothing. */
    long long before = s_seq ();
    Socin__V1__RegistryReply *r = s_import (edition, len, true);
    CHECK (r && r->changes);
    if (r && r->changes) {
        CHECK_INT (r->changes->updated, 2);
        CHECK_INT (r->changes->closed, 1);
        CHECK_INT (r->changes->added, 0);
        CHECK (r->changes->dry_run);
    }
    s_free (&r);
    CHECK_INT (s_seq (), before);

    r = s_import (edition, len, false);
    CHECK (r && r->changes);
    if (r && r->changes) {
        CHECK_INT (r->changes->updated, 2);
        CHECK_INT (r->changes->closed, 1);
        CHECK_INT (r->changes->added, 0);
        CHECK_INT (r->changes->unchanged, 6258 + 206 + 77 + 14 + 1 - 1 - 2);
    }
    s_free (&r);
    CHECK_INT (s_seq (), before + 3);

    /* The unit that disappeared is closed the day before the edition, not deleted. */
    Socin__V1__UnitQuery q = SOCIN__V1__UNIT_QUERY__INIT;
    q.code = "581721";
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_UNIT;
    req.unit = &q;
    r = s_call (s_admin, &req);
    CHECK (r && r->records);
    if (r && r->records) {
        CHECK_STR (r->records->records[0]->unit->name, "Kněževes");
        CHECK_STR (r->records->records[0]->unit->valid_to, "2026-12-31");
        CHECK_INT (r->records->records[0]->unit->population, 170);
    }
    s_free (&r);
    q.code = "581291";
    r = s_call (s_admin, &req);
    if (r && r->records) CHECK_STR (r->records->records[0]->unit->name, "Adamov u Brna");
    s_free (&r);
    q.code = "554979";
    r = s_call (s_admin, &req);
    if (r && r->records) {
        Socin__V1__Unit *u = r->records->records[0]->unit;
        CHECK_STR (u->parents[0], "4103");
        CHECK_STR (u->valid_from, "");
        /* The ORP it had is kept, with its last day. */
        CHECK_STR (u->parents_from, "2027-01-01");
        CHECK_INT (u->n_earlier_parents, 1);
        if (u->n_earlier_parents == 1) {
            CHECK_STR (u->earlier_parents[0]->parents[0], "4106");
            CHECK_STR (u->earlier_parents[0]->valid_to, "2026-12-31");
        }
    }
    s_free (&r);
    /* Still valid today, gone from the edition's first day on. */
    r = s_descendants ("CZ064", SOCIN_LEVEL_MUNICIPALITY, "2026-12-31");
    CHECK_INT (s_count (r), 673);
    s_free (&r);
    r = s_descendants ("CZ064", SOCIN_LEVEL_MUNICIPALITY, "2027-01-01");
    CHECK_INT (s_count (r), 672);
    s_free (&r);
    /* In ORP Ostrov until the edition's day, in Karlovy Vary from it. */
    bool in_ostrov = false;
    r = s_descendants ("4106", SOCIN_LEVEL_MUNICIPALITY, "2026-12-31");
    for (size_t i = 0; r && i < r->records->n_records; i++)
        in_ostrov |= !strcmp (r->records->records[i]->unit->code, "554979");
    CHECK (in_ostrov);
    s_free (&r);
    r = s_descendants ("4106", SOCIN_LEVEL_MUNICIPALITY, "2027-01-01");
    for (size_t i = 0; r && i < r->records->n_records; i++)
        CHECK (strcmp (r->records->records[i]->unit->code, "554979"));
    s_free (&r);
    /* The same edition again changes nothing. */
    r = s_import (edition, len, false);
    if (r && r->changes) {
        CHECK_INT (r->changes->updated, 0);
        CHECK_INT (r->changes->closed, 0);
    }
    s_free (&r);
    CHECK_INT (s_seq (), before + 3);
    free (edition);
}

static void
test_permissions (void)
{
    char keys[400], err[512], path[500];
    snprintf (keys, sizeof keys, "%s/analyst", s_home);
    zcert_t *cert = socin_keys_load_or_create (keys, "analyst", err, sizeof err);
    CHECK (cert != NULL);
    if (!cert) return;
    /* Unknown key: the handshake is refused, so no answer ever comes. */
    snprintf (path, sizeof path, "%s/analyst.cert", keys);
    char regkey[500];
    snprintf (regkey, sizeof regkey, "%s/keys/registry.cert", s_home);
    socin_client_t *client = socin_client_new (s_req, regkey, path, 0, err, sizeof err);
    CHECK (client != NULL);
    Socin__V1__TargetsQuery tq = SOCIN__V1__TARGETS_QUERY__INIT;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.request_id = "q1";
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_TARGETS;
    req.targets = &tq;
    ProtobufCMessage *none = socin_client_call (client, &req.base, &socin__v1__registry_reply__descriptor, 1500, err, sizeof err);
    CHECK (none == NULL);
    socin_client_destroy (&client);

    /* Registered as a reader: it may query, not change. */
    Socin__V1__Peer peer = SOCIN__V1__PEER__INIT;
    peer.name = "analyst";
    peer.public_key = (char *) zcert_public_txt (cert);
    peer.role = SOCIN_ROLE_READER;
    Socin__V1__PutPeer put = SOCIN__V1__PUT_PEER__INIT;
    put.peer = &peer;
    Socin__V1__RegistryRequest preq = SOCIN__V1__REGISTRY_REQUEST__INIT;
    preq.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_PEER;
    preq.put_peer = &put;
    Socin__V1__RegistryReply *r = s_call (s_admin, &preq);
    CHECK (r && r->changes && r->changes->added == 1);
    s_free (&r);
    client = socin_client_new (s_req, regkey, path, 0, err, sizeof err);
    r = s_call (client, &req);
    CHECK (r && r->records);
    if (r && r->records) {
        CHECK_INT (r->records->n_records, 2);
        CHECK_STR (r->records->records[0]->target->code, "CZ0046_PUBLIC");
        CHECK_INT (r->records->records[0]->target->threshold, 20);
    }
    s_free (&r);
    Socin__V1__RegistryRequest sreq = SOCIN__V1__REGISTRY_REQUEST__INIT;
    Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
    Socin__V1__PutSubmitter psub = SOCIN__V1__PUT_SUBMITTER__INIT;
    sub.name = "sneaky";
    sub.public_key = (char *) zcert_public_txt (cert);
    psub.submitter = &sub;
    sreq.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_SUBMITTER;
    sreq.put_submitter = &psub;
    r = s_call (client, &sreq);
    CHECK (r && r->error);
    if (r && r->error) CHECK_INT (r->error->code, SOCIN__V1__ERROR_CODE__ERROR_CODE_PERMISSION_DENIED);
    s_free (&r);
    socin_client_destroy (&client);
    zcert_destroy (&cert);
}

static void
test_bad_submitter (void)
{
    Socin__V1__RegistryReply *r = s_put_submitter ("x", "not-a-key", "CZ064");
    CHECK (r && r->error);
    if (r && r->error) {
        CHECK_INT (r->error->code, SOCIN__V1__ERROR_CODE__ERROR_CODE_INVALID_ARGUMENT);
        CHECK_CONTAINS (r->error->message, "public_key is not a 40-character Z85 CURVE key");
    }
    s_free (&r);
    r = s_put_submitter ("x", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "CZ999");
    CHECK (r && r->error);
    if (r && r->error) CHECK_CONTAINS (r->error->message, "territory 'CZ999' is not a known unit");
    s_free (&r);
}

/* ---- the replica ---- */

typedef struct {
    socin_store_t *store;
    zcert_t *cert;
    socin_replica_t *replica;
    zloop_t *loop;
    long long want_seq;
} s_rep_t;

static s_rep_t s_rep;

static int
s_tick (zloop_t *loop, int id, void *arg)
{
    socin_replica_tick (arg);
    return 0;
}

static int
s_stop_loop (zloop_t *loop, int id, void *arg)
{
    return -1;
}

/* Runs the replica's loop until its sequence reaches WANT (or the registry's, when -1). */
static bool
s_follow (long long want_seq, int ms)
{
    long long want = want_seq;
    for (int waited = 0; waited < ms; waited += 100) {
        if (want_seq < 0) want = s_seq ();
        int id = zloop_timer (s_rep.loop, 100, 1, s_stop_loop, NULL);
        zloop_start (s_rep.loop);
        zloop_timer_end (s_rep.loop, id);
        if ((long long) socin_replica_seq (s_rep.replica) == want && socin_replica_live (s_rep.replica))
            return true;
    }
    fprintf (stderr, "    replica at %llu, wanted %lld\n",
             (unsigned long long) socin_replica_seq (s_rep.replica), want);
    return false;
}

static void
s_replica_open (void)
{
    socin_replica_opts_t opts = {s_req, s_pub, ""};
    char key[500];
    snprintf (key, sizeof key, "%s/keys/registry.cert", s_home);
    opts.server_key = key;
    s_rep.replica = socin_replica_new (s_rep.store, s_rep.cert, &opts);
    s_rep.loop = zloop_new ();
    zloop_timer (s_rep.loop, 100, 0, s_tick, s_rep.replica);
    socin_replica_attach (s_rep.replica, s_rep.loop);
}

static void
s_replica_close (void)
{
    socin_replica_destroy (&s_rep.replica);
    zloop_destroy (&s_rep.loop);
}

static void
test_replica_snapshot (void)
{
    char dir[400], err[512], path[500];
    snprintf (dir, sizeof dir, "%s/replica", s_home);
    s_rep.store = socin_store_open (dir, NULL, err, sizeof err);
    s_rep.cert = socin_keys_load_or_create (dir, "server", err, sizeof err);
    CHECK (s_rep.store && s_rep.cert);
    /* Trusted as a local service by publishing its key where the registry looks. */
    snprintf (path, sizeof path, "%s/keys/replica.cert", s_home);
    CHECK_INT (socin_keys_publish (s_rep.cert, path, "replica", "reporting", err, sizeof err), 0);
    s_replica_open ();
    CHECK (s_follow (-1, 15000));
    socin_model_t *m = socin_replica_model (s_rep.replica);
    CHECK_INT (socin_model_count (m, SOCIN_KIND_UNIT), 6258 + 206 + 77 + 14 + 1);
    socin_unit_t *brno = socin_model_unit (m, "582786");
    CHECK (brno && brno->orp == socin_model_unit (m, "6203")->id);
    CHECK (brno && brno->kraj == socin_model_unit (m, "CZ064")->id);
    CHECK (socin_model_indicator (m, "EMP_SHARE") && socin_model_indicator (m, "EMP_SHARE")->derived);

    /* An update arrives by itself. */
    Socin__V1__RegistryReply *r = s_put_submitter ("jmk", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "CZ064");
    CHECK (r && r->changes && r->changes->added == 1);
    s_free (&r);
    CHECK (s_follow (-1, 5000));
    socin_submitter_t *sub = socin_model_submitter_by_key (socin_replica_model (s_rep.replica),
                                                           "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    CHECK (sub && !strcmp (sub->code, "jmk"));
    CHECK (sub && socin_submitter_covers (sub, socin_model_unit (socin_replica_model (s_rep.replica), "582786")));
    CHECK (sub && !socin_submitter_covers (sub, socin_model_unit (socin_replica_model (s_rep.replica), "554782")));
}

static void
test_replica_registry_restart (void)
{
    CHECK_INT (t_stop (s_registry), 0);
    CHECK_INT (t_restart (s_registry), 0);
    /* A change made at once after the restart, likely before the replica reconnected. */
    Socin__V1__RegistryReply *r = s_put_submitter ("jmk", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "CZ0642");
    CHECK (r && r->changes && r->changes->updated == 1);
    s_free (&r);
    CHECK (s_follow (-1, 15000));
    socin_submitter_t *sub = socin_model_submitter (socin_replica_model (s_rep.replica), "jmk");
    CHECK (sub && sub->pb->n_territories == 1 && !strcmp (sub->pb->territories[0], "CZ0642"));
}

static void
test_replica_restart (void)
{
    s_replica_close ();
    long long offline_seq = s_seq ();
    /* Changes it misses while it is down. */
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf (name, sizeof name, "kraj%d", i);
        zcert_t *cert = zcert_new ();
        Socin__V1__RegistryReply *r = s_put_submitter (name, zcert_public_txt (cert), "CZ064");
        zcert_destroy (&cert);
        CHECK (r && r->changes);
        s_free (&r);
    }
    s_replica_open ();
    /* From its own store it already knows everything up to when it stopped. */
    CHECK_INT (socin_replica_seq (s_rep.replica), offline_seq);
    CHECK (socin_model_unit (socin_replica_model (s_rep.replica), "582786") != NULL);
    CHECK (socin_replica_ready (s_rep.replica));
    CHECK (s_follow (offline_seq + 3, 15000));
    CHECK (socin_model_submitter (socin_replica_model (s_rep.replica), "kraj2") != NULL);
}

static void
test_replica_new_registry (void)
{
    /* The registry replaced by a fresh one (new storage, embedded sample territory) on the
       same endpoints: the replica drops what the new one does not have. */
    CHECK_INT (t_stop (s_registry), 0);
    char args_home[400];
    snprintf (args_home, sizeof args_home, "%s/registry2", s_home);
    const char *args[] = {"--endpoint", s_req, "--updates", s_pub, "--data-dir", args_home, NULL};
    t_daemon_t *fresh = t_start ("socin-registry", "registry2", s_home, args);
    CHECK (fresh != NULL);
    if (!fresh) return;
    char out[1024];
    t_ctl (fresh->ctl, "seq", out, sizeof out);
    long long seq = t_field (out, "seq");
    CHECK (s_follow (seq, 15000));
    socin_model_t *m = socin_replica_model (s_rep.replica);
    CHECK (socin_model_count (m, SOCIN_KIND_UNIT) < 500);
    CHECK (socin_model_unit (m, "582786") != NULL);
    CHECK (socin_model_unit (m, "581721") == NULL);
    CHECK (socin_model_submitter (m, "jmk") == NULL);
    t_free (&fresh);
    CHECK_INT (t_restart (s_registry), 0);
}

int
main (void)
{
    t_begin (s_home, sizeof s_home, NULL);
    snprintf (s_req, sizeof s_req, "ipc://%s/registry.ipc", s_home);
    snprintf (s_pub, sizeof s_pub, "ipc://%s/updates.ipc", s_home);
    const char *args[] = {"--endpoint", s_req, "--updates", s_pub,
                          "--territory-file", t_shared ("data/cz/struktura_uzemi_cr.csv"),
                          "--population-file", t_shared ("data/cz/obce_population_2021-01-01.csv"),
                          NULL};
    s_registry = t_start ("socin-registry", "registry", s_home, args);
    if (!s_registry) {
        printf ("FAIL - the registry starts with the official territory\n0 passed, 1 failed\n");
        return 1;
    }
    char admin[400], regkey[400], err[512];
    snprintf (admin, sizeof admin, "%s/keys/admin.cert", s_home);
    snprintf (regkey, sizeof regkey, "%s/keys/registry.cert", s_home);
    s_admin = socin_client_new (s_req, regkey, admin, 0, err, sizeof err);
    if (!s_admin) fprintf (stderr, "admin client: %s\n", err);

    RUN (test_counts, "the official file loads 14 kraje, 77 okresy, 206 ORP and 6,258 municipalities");
    RUN (test_kraj_counts, "CZ064 has 673 municipalities, CZ020 1,144, CZ010 one (Praha)");
    RUN (test_brno, "Brno 582786 sits in ORP 6203, okres CZ0642 and kraj CZ064");
    RUN (test_turnov, "ORP 5109 Turnov spans three okresy");
    RUN (test_population, "the municipalities' population sums to 10,701,777");
    RUN (test_malformed, "a malformed file is rejected with its line number and changes nothing");
    RUN (test_new_edition, "a newer edition renames, moves and closes units and keeps history");
    RUN (test_permissions, "unknown keys are refused at the handshake; readers may query, not change");
    RUN (test_bad_submitter, "a submitter with a bad key or unknown territory is refused with the reason");
    RUN (test_replica_snapshot, "a replica takes a snapshot and then follows every update");
    RUN (test_replica_registry_restart, "a replica catches up after a registry restart");
    RUN (test_replica_restart, "a restarted replica starts from its store and catches up on what it missed");
    RUN (test_replica_new_registry, "a replica follows a replaced registry and drops what it no longer has");

    s_replica_close ();
    socin_store_destroy (&s_rep.store);
    zcert_destroy (&s_rep.cert);
    socin_client_destroy (&s_admin);
    t_free (&s_registry);
    t_rmtree (s_home);
    return TEST_SUMMARY ();
}
