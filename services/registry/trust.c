/*  trust: trusted keys and ZAP decisions. See trust.h. */
#include "trust.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <czmq.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "wire.h"

struct reg_trust_t {
    reg_records_t *records;
    char *dir;
    int64_t last_scan;
    struct timespec mtime; /* of dir at the last scan */
};

reg_trust_t *
reg_trust_new (reg_records_t *records, const char *dir)
{
    reg_trust_t *self = socin_calloc (1, sizeof *self);
    self->records = records;
    self->dir = socin_strdup (dir);
    return self;
}

void
reg_trust_destroy (reg_trust_t **self_p)
{
    reg_trust_t *self = *self_p;
    if (!self) return;
    free (self->dir);
    free (self);
    *self_p = NULL;
}

static socin_record_t *
s_peer_record (const char *name, const char *key, int role)
{
    socin_record_t *r = socin_malloc (sizeof *r);
    Socin__V1__Peer *p = socin_malloc (sizeof *p);
    socin__v1__record__init (r);
    socin__v1__peer__init (p);
    r->kind_case = SOCIN__V1__RECORD__KIND_PEER;
    r->peer = p;
    p->name = socin_strdup (name);
    p->public_key = socin_strdup (key);
    p->role = role;
    return r;
}

/* The peer record CERT asks for when it is valid and not registered as it says; else NULL. */
static socin_record_t *
s_cert_change (reg_trust_t *self, zcert_t *cert)
{
    const char *role_name = zcert_meta (cert, "role"), *name = zcert_meta (cert, "name");
    int role = role_name ? socin_role_parse (role_name) : 0;
    if (!role || !name || !*name) return NULL;
    const char *key = zcert_public_txt (cert);
    socin_peer_t *known = socin_model_peer (reg_records_model (self->records), name);
    if (known && !strcmp (known->key, key) && (int)known->pb->role == role && !known->pb->disabled)
        return NULL;
    socin_info ("trust.registered", "name=%s role=%s key=%s", socin_log_q (name), role_name, key);
    return s_peer_record (name, key, role);
}

void
reg_trust_scan (reg_trust_t *self)
{
    self->last_scan = socin_mono_ms ();
    if (!*self->dir) return;
    struct stat st;
    if (stat (self->dir, &st) == 0) self->mtime = st.st_mtim;
    DIR *d = opendir (self->dir);
    if (!d) return;
    socin_record_t **recs = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        size_t len = strlen (e->d_name);
        if (len < 6 || strcmp (e->d_name + len - 5, ".cert")) continue;
        char path[1200];
        snprintf (path, sizeof path, "%s/%s", self->dir, e->d_name);
        zcert_t *cert = zcert_load (path);
        if (!cert) continue;
        socin_record_t *r = s_cert_change (self, cert);
        if (r) {
            recs = socin_realloc (recs, (n + 1) * sizeof *recs);
            recs[n++] = r;
        }
        zcert_destroy (&cert);
    }
    closedir (d);
    char err[512];
    if (n && reg_records_commit (self->records, recs, n, err, sizeof err))
        socin_error ("trust.commit_failed", "reason=%s", socin_log_q (err));
}

bool
reg_trust_authorize (reg_trust_t *self, const char *key)
{
    socin_model_t *model = reg_records_model (self->records);
    if (socin_model_peer_by_key (model, key)) return true;
    /* Rescan when the directory changed since the last scan, and at most once a second
       otherwise (an unknown key knocking again and again costs little). */
    struct stat st;
    bool changed =
        *self->dir && stat (self->dir, &st) == 0 &&
        (st.st_mtim.tv_sec != self->mtime.tv_sec || st.st_mtim.tv_nsec != self->mtime.tv_nsec);
    if (changed || socin_mono_ms () - self->last_scan >= 1000) {
        reg_trust_scan (self);
        return socin_model_peer_by_key (model, key) != NULL;
    }
    return false;
}

bool
reg_trust_is_admin (reg_trust_t *self, const char *key)
{
    socin_peer_t *p = socin_model_peer_by_key (reg_records_model (self->records), key);
    return p && p->pb->role == SOCIN_ROLE_ADMIN;
}

int
reg_trust_add_admin (reg_trust_t *self, const char *keys_dir, char *err, size_t errlen)
{
    zcert_t *admin = socin_keys_load_or_create (keys_dir, "admin", err, errlen);
    if (!admin) return -1;
    socin_record_t **recs = socin_malloc (2 * sizeof *recs);
    recs[0] = s_peer_record ("admin", zcert_public_txt (admin), SOCIN_ROLE_ADMIN);
    socin_record_t sub_rec = SOCIN__V1__RECORD__INIT;
    Socin__V1__Submitter sub = SOCIN__V1__SUBMITTER__INIT;
    char *territories[] = {"CZ"};
    sub.name = "local";
    sub.public_key = (char *)zcert_public_txt (admin);
    sub.territories = territories;
    sub.n_territories = 1;
    sub_rec.kind_case = SOCIN__V1__RECORD__KIND_SUBMITTER;
    sub_rec.submitter = &sub;
    recs[1] = socin_record_copy (&sub_rec);
    zcert_destroy (&admin);
    return reg_records_commit (self->records, recs, 2, err, errlen);
}
