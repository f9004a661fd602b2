/*  requests: queries and changes on the ROUTER endpoint. See requests.h. */
#include "requests.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "error.h"
#include "log.h"
#include "mem.h"
#include "unitedit.h"
#include "plan.h"
#include "wire.h"
#include "socin/v1/errors.pb-c.h"
#include "socin/v1/registry.pb-c.h"

struct reg_requests_t {
    reg_records_t *records;
    reg_clone_t *clone;
    reg_trust_t *trust;
    reg_tokens_t *tokens;
    zsock_t *router;
    zloop_t *loop;
    size_t max_message;
    uint64_t requests, refusals;
};

/* ---- replies ---- */

static void s_reply_error (reg_requests_t *self, socin_wire_msg_t *msg, const char *request_id,
                           int code, const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));

static void
s_reply_error (reg_requests_t *self, socin_wire_msg_t *msg, const char *request_id, int code,
               const char *fmt, ...)
{
    socin_error_msg_t e;
    va_list args;
    va_start (args, fmt);
    socin_error_msg_vset (&e, code, fmt, args);
    va_end (args);
    Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
    reply.request_id = (char *)(request_id ? request_id : "");
    reply.error = &e.error;
    reply.seq = reg_records_seq (self->records);
    socin_wire_send (self->router, msg->envelope, &reply.base);
    self->refusals++;
    socin_info ("request.refused", "id=%s code=%s reason=%s", socin_log_q (reply.request_id),
                socin_error_name (code), socin_log_q (e.text));
}

static void
s_reply_records (reg_requests_t *self, socin_wire_msg_t *msg, const char *request_id,
                 const socin_record_t **recs, size_t n)
{
    Socin__V1__RecordList list = SOCIN__V1__RECORD_LIST__INIT;
    list.records = (socin_record_t **)recs;
    list.n_records = n;
    Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
    reply.request_id = (char *)request_id;
    reply.seq = reg_records_seq (self->records);
    reply.body_case = SOCIN__V1__REGISTRY_REPLY__BODY_RECORDS;
    reply.records = &list;
    socin_wire_send (self->router, msg->envelope, &reply.base);
}

static void
s_reply_changes (reg_requests_t *self, socin_wire_msg_t *msg, const char *request_id,
                 const reg_changes_t *changes, bool dry_run)
{
    Socin__V1__ChangeSummary sum = SOCIN__V1__CHANGE_SUMMARY__INIT;
    sum.added = changes->added;
    sum.updated = changes->updated;
    sum.unchanged = changes->unchanged;
    sum.closed = changes->closed;
    sum.seq = reg_records_seq (self->records);
    sum.dry_run = dry_run;
    Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
    reply.request_id = (char *)request_id;
    reply.seq = sum.seq;
    reply.body_case = SOCIN__V1__REGISTRY_REPLY__BODY_CHANGES;
    reply.changes = &sum;
    socin_wire_send (self->router, msg->envelope, &reply.base);
}

static int
s_cmp_code (const void *a, const void *b)
{
    return strcmp (socin_record_code (*(const socin_record_t *const *)a),
                   socin_record_code (*(const socin_record_t *const *)b));
}

/* Replies with RECS sorted by code, and frees the array. */
static void
s_reply_sorted (reg_requests_t *self, socin_wire_msg_t *msg, const char *request_id,
                const socin_record_t **recs, size_t n)
{
    if (n > 1) qsort (recs, n, sizeof *recs, s_cmp_code);
    s_reply_records (self, msg, request_id, recs, n);
    free (recs);
}

static void
s_reply_no_unit (reg_requests_t *self, socin_wire_msg_t *msg, const char *id, const char *code)
{
    s_reply_error (self, msg, id, SOCIN_E (NOT_FOUND), "unit '%s' is not in the registry", code);
}

/* ---- queries ---- */

/* A unit and its ancestors (by its latest parents), with its earlier versions when asked. */
static void
s_query_unit (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
              const Socin__V1__UnitQuery *q)
{
    socin_model_t *model = reg_records_model (self->records);
    socin_unit_t *u = socin_model_unit (model, q->code);
    if (!u) {
        s_reply_no_unit (self, msg, id, q->code);
        return;
    }
    const socin_record_t **recs = socin_calloc ((size_t)u->nancestors + 1, sizeof *recs);
    size_t n = 0, nhist = 0;
    recs[n++] = socin_model_record (model, SOCIN_KIND_UNIT, u->code);
    for (int a = 0; a < u->nancestors; a++)
        recs[n++] = socin_model_record (model, SOCIN_KIND_UNIT,
                                        socin_model_unit_at (model, u->ancestors[a])->code);
    socin_record_t **hist = NULL;
    if (q->history) {
        char key[130];
        size_t klen = socin_record_key (recs[0], key);
        hist = reg_records_history (self->records, key, klen, &nhist);
    }
    Socin__V1__RecordList list = SOCIN__V1__RECORD_LIST__INIT;
    list.records = (socin_record_t **)recs;
    list.n_records = n;
    Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
    reply.request_id = (char *)id;
    reply.seq = reg_records_seq (self->records);
    reply.body_case = SOCIN__V1__REGISTRY_REPLY__BODY_RECORDS;
    reply.records = &list;
    reply.history = hist;
    reply.n_history = nhist;
    socin_wire_send (self->router, msg->envelope, &reply.base);
    reg_records_discard (hist, nhist);
    free (recs);
}

/* The units under one (of a level, valid on a day), sorted by code. */
static void
s_query_descendants (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
                     const Socin__V1__DescendantsQuery *q)
{
    socin_model_t *model = reg_records_model (self->records);
    const char *code = *q->code ? q->code : "CZ";
    socin_unit_t *root = socin_model_unit (model, code);
    if (!root) {
        s_reply_no_unit (self, msg, id, code);
        return;
    }
    bool any_day = !strcmp (q->as_of, "*");
    int32_t day = socin_date_today ();
    char why[200];
    if (*q->as_of && !any_day && socin_date_parse (q->as_of, &day, why, sizeof why)) {
        s_reply_error (self, msg, id, SOCIN_E (INVALID_ARGUMENT), "as_of %s", why);
        return;
    }
    size_t total = socin_model_count (model, SOCIN_KIND_UNIT), n = 0;
    const socin_record_t **recs = socin_calloc (total, sizeof *recs);
    for (uint32_t i = 1; i <= total; i++) {
        socin_unit_t *u = socin_model_unit_at (model, i);
        if (u == root) continue;
        if (any_day ? !socin_unit_under (u, root->id)
                    : !socin_unit_under_on (model, u, root->id, day))
            continue;
        if (q->level && u->level != (int)q->level) continue;
        if (!any_day && !socin_unit_valid_during (u, day, day)) continue;
        recs[n++] = socin_model_record (model, SOCIN_KIND_UNIT, u->code);
    }
    s_reply_sorted (self, msg, id, recs, n);
}

typedef bool (s_keep_fn) (socin_model_t *model, const socin_record_t *rec, const void *arg);

/* The records of KIND (only CODE when given, which must exist; only those KEEP keeps), sorted
   by code. */
static void
s_query_kind (reg_requests_t *self, socin_wire_msg_t *msg, const char *id, socin_kind_t kind,
              const char *code, s_keep_fn *keep, const void *arg)
{
    socin_model_t *model = reg_records_model (self->records);
    size_t total, n = 0;
    const socin_record_t **all = reg_records_since (self->records, 0, &total);
    const socin_record_t **recs = socin_calloc (socin_model_count (model, kind), sizeof *recs);
    for (size_t i = 0; i < total; i++) {
        if (socin_record_kind (all[i]) != kind) continue;
        if (code && *code && strcmp (socin_record_code (all[i]), code)) continue;
        if (keep && !keep (model, all[i], arg)) continue;
        recs[n++] = all[i];
    }
    free (all);
    if (code && *code && n == 0) {
        free (recs);
        s_reply_error (self, msg, id, SOCIN_E (NOT_FOUND), "'%s' is not in the registry", code);
        return;
    }
    s_reply_sorted (self, msg, id, recs, n);
}

static bool
s_keep_area (socin_model_t *model, const socin_record_t *rec, const void *arg)
{
    const char *area = arg;
    return !*area || !strcmp (rec->indicator->policy_area, area);
}

static bool
s_keep_dataset_of (socin_model_t *model, const socin_record_t *rec, const void *arg)
{
    const socin_unit_t *unit = arg;
    if (!unit) return true;
    return socin_dataset_includes (model, socin_model_dataset (model, rec->dataset->code), unit);
}

static bool
s_keep_key (socin_model_t *model, const socin_record_t *rec, const void *arg)
{
    const char *key = arg;
    return !*key || !strcmp (rec->submitter->public_key, key);
}

/* A plan matching a PlansQuery: its owner beneath the named owner, its kind, its area. */
static bool
s_keep_plan (socin_model_t *model, const socin_record_t *rec, const void *arg)
{
    const Socin__V1__PlansQuery *q = arg;
    const socin_plan_t *plan = socin_model_plan (model, rec->plan->code);
    if (q->kind && (int)q->kind != (int)plan->pb->kind) return false;
    if (*q->policy_area) {
        bool covers = false;
        for (size_t i = 0; i < plan->pb->n_policy_areas && !covers; i++)
            covers = !strcmp (plan->pb->policy_areas[i], q->policy_area);
        if (!covers) return false;
    }
    if (!*q->owner || !strcmp (plan->pb->owner, q->owner)) return true;
    const socin_unit_t *unit = socin_model_unit (model, q->owner);
    if (unit) return socin_plan_under (model, plan, unit->id);
    const socin_group_t *group = socin_model_group (model, q->owner);
    return group && plan->owner_unit && socin_group_has (group, plan->owner_unit);
}

static bool
s_keep_importance (socin_model_t *model, const socin_record_t *rec, const void *arg)
{
    const char *importance = arg;
    return !*importance || !strcmp (rec->rule->importance, importance);
}

static void
s_query_plans (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
               const Socin__V1__PlansQuery *q)
{
    socin_model_t *model = reg_records_model (self->records);
    if (*q->owner && !socin_model_unit (model, q->owner) && !socin_model_group (model, q->owner)) {
        s_reply_error (self, msg, id, SOCIN_E (NOT_FOUND),
                       "owner '%s' is neither a unit nor a group in the registry", q->owner);
        return;
    }
    s_query_kind (self, msg, id, SOCIN_KIND_PLAN, q->code, s_keep_plan, q);
}

/* The data sets (those that include a unit, when one is named). */
static void
s_query_datasets (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
                  const Socin__V1__DataSetsQuery *q)
{
    const socin_unit_t *unit = NULL;
    if (*q->unit && !(unit = socin_model_unit (reg_records_model (self->records), q->unit))) {
        s_reply_no_unit (self, msg, id, q->unit);
        return;
    }
    s_query_kind (self, msg, id, SOCIN_KIND_DATASET, NULL, s_keep_dataset_of, unit);
}

/* ---- changes ---- */

/* Replies to an import: the error CODE with ERR, or the CHANGES it made. */
static void
s_reply_import (reg_requests_t *self, socin_wire_msg_t *msg, const char *id, int code,
                const char *err, const reg_changes_t *changes, bool dry_run)
{
    if (code)
        s_reply_error (self, msg, id, code, "%s", err);
    else
        s_reply_changes (self, msg, id, changes, dry_run);
}

static void
s_import_territory (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
                    const Socin__V1__ImportTerritory *req)
{
    char err[1024];
    reg_changes_t c = {0};
    int code = reg_bootstrap_territory (self->records, (const char *)req->csv.data, req->csv.len,
                                        req->valid_from, req->dry_run, &c, err, sizeof err);
    if (!code)
        socin_info ("territory.imported", "added=%u updated=%u unchanged=%u closed=%u dry_run=%d",
                    c.added, c.updated, c.unchanged, c.closed, req->dry_run);
    s_reply_import (self, msg, id, code, err, &c, req->dry_run);
}

static void
s_import_population (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
                     const Socin__V1__ImportPopulation *req)
{
    char err[1024];
    reg_changes_t c = {0};
    int code = reg_bootstrap_population (self->records, (const char *)req->csv.data, req->csv.len,
                                         req->as_of, req->dry_run, &c, err, sizeof err);
    s_reply_import (self, msg, id, code, err, &c, req->dry_run);
}

static void
s_import_catalogue (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
                    const Socin__V1__ImportCatalogue *req)
{
    char err[1024];
    reg_changes_t c = {0};
    int code = reg_bootstrap_catalogue (self->records, (const char *)req->text.data, req->text.len,
                                        req->dry_run, &c, err, sizeof err);
    s_reply_import (self, msg, id, code, err, &c, req->dry_run);
}

static void
s_import_districts (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
                    const Socin__V1__ImportDistricts *req)
{
    char err[1024];
    reg_changes_t c = {0};
    int code = reg_bootstrap_districts (self->records, (const char *)req->csv.data, req->csv.len,
                                        req->valid_from, req->dry_run, &c, err, sizeof err);
    if (!code)
        socin_info ("districts.imported", "added=%u updated=%u unchanged=%u closed=%u dry_run=%d",
                    c.added, c.updated, c.unchanged, c.closed, req->dry_run);
    s_reply_import (self, msg, id, code, err, &c, req->dry_run);
}

static void
s_import_groups (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
                 const Socin__V1__ImportGroups *req)
{
    char err[1024];
    reg_changes_t c = {0};
    int code = reg_bootstrap_groups (self->records, (const char *)req->csv.data, req->csv.len,
                                     req->dry_run, &c, err, sizeof err);
    s_reply_import (self, msg, id, code, err, &c, req->dry_run);
}

/* Renames, closes or moves one unit; the registry's history keeps its earlier version. */
static void
s_edit_unit (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
             const Socin__V1__EditUnit *req)
{
    char err[1024];
    reg_changes_t c = {0};
    socin_record_t **recs = socin_malloc (sizeof *recs);
    int code =
        socin_unit_edit_plan (reg_records_model (self->records), req, &recs[0], err, sizeof err);
    if (code) {
        free (recs);
        s_reply_error (self, msg, id, code, "%s", err);
        return;
    }
    size_t n = reg_records_keep_changed (self->records, recs, 1, &c);
    if (req->dry_run)
        reg_records_discard (recs, n);
    else if (reg_records_commit (self->records, recs, n, err, sizeof err))
        code = SOCIN_E (STORAGE_FULL);
    else if (n)
        socin_info ("unit.edited", "unit=%s rename=%s close_on=%s parents=%zu move_from=%s",
                    socin_log_q (req->code), socin_log_q (req->rename), socin_log_q (req->close_on),
                    req->n_move_to, socin_log_q (req->move_from));
    s_reply_import (self, msg, id, code, err, &c, req->dry_run);
}

static void
s_import_plans (reg_requests_t *self, socin_wire_msg_t *msg, const char *id,
                const Socin__V1__ImportPlans *req)
{
    char err[1024];
    reg_changes_t c = {0};
    int code = reg_bootstrap_plans (self->records, (const char *)req->data.data, req->data.len,
                                    req->format, req->dry_run, &c, err, sizeof err);
    if (!code)
        socin_info ("plans.imported", "added=%u updated=%u unchanged=%u dry_run=%d", c.added,
                    c.updated, c.unchanged, req->dry_run);
    s_reply_import (self, msg, id, code, err, &c, req->dry_run);
}

/* What a holder of a key (WHAT: "submitter" or "peer") needs: a name and a valid key. */
static int
s_check_holder (const char *what, const char *name, const char *key, char *err, size_t errlen)
{
    if (!name || !*name || strlen (name) > 64)
        return socin_error_set (err, errlen, "a %s needs a name of 1 to 64 bytes", what);
    if (!socin_key_valid (key))
        return socin_error_set (
            err, errlen, "%s %s: public_key is not a 40-character Z85 CURVE key", what, name);
    return 0;
}

static int
s_check_submitter (socin_model_t *model, const Socin__V1__Submitter *sub, char *err, size_t errlen)
{
    if (s_check_holder ("submitter", sub ? sub->name : NULL, sub ? sub->public_key : NULL, err,
                        errlen))
        return -1;
    if (!sub->n_territories)
        return socin_error_set (err, errlen, "submitter %s: name at least one territory",
                                sub->name);
    for (size_t i = 0; i < sub->n_territories; i++)
        if (!socin_model_unit (model, sub->territories[i]))
            return socin_error_set (err, errlen, "submitter %s: territory '%s' is not a known unit",
                                    sub->name, sub->territories[i]);
    for (size_t i = 0; i < sub->n_datasets; i++)
        if (!socin_model_dataset (model, sub->datasets[i]))
            return socin_error_set (err, errlen, "submitter %s: data set '%s' is not defined",
                                    sub->name, sub->datasets[i]);
    socin_submitter_t *holder = socin_model_submitter_by_key (model, sub->public_key);
    if (holder && strcmp (holder->code, sub->name))
        return socin_error_set (err, errlen, "key %s already belongs to submitter %s",
                                sub->public_key, holder->code);
    return 0;
}

static int
s_check_peer (socin_model_t *model, const Socin__V1__Peer *peer, char *err, size_t errlen)
{
    if (s_check_holder ("peer", peer ? peer->name : NULL, peer ? peer->public_key : NULL, err,
                        errlen))
        return -1;
    if (!socin_role_name (peer->role)[0] || peer->role == SOCIN__V1__ROLE__ROLE_UNSPECIFIED ||
        peer->role > SOCIN_ROLE_REPORTING)
        return socin_error_set (
            err, errlen, "peer %s: role must be admin, reader, ingest or reporting", peer->name);
    /* Only what reads reporting can be limited: a limited admin or service would be a
       promise the services do not keep. */
    if (peer->n_territories && peer->role != SOCIN_ROLE_READER)
        return socin_error_set (err, errlen,
                                "peer %s: only a reader can be limited to territories, not %s",
                                peer->name, socin_role_name (peer->role));
    for (size_t i = 0; i < peer->n_territories; i++)
        if (!socin_model_unit (model, peer->territories[i]))
            return socin_error_set (err, errlen, "peer %s: territory '%s' is not a known unit",
                                    peer->name, peer->territories[i]);
    return 0;
}

/* Registers or changes one submitter or peer (REC, borrowed) after checking it. */
static void
s_put (reg_requests_t *self, socin_wire_msg_t *msg, const char *id, const socin_record_t *rec)
{
    char err[1024];
    int bad =
        rec->kind_case == SOCIN__V1__RECORD__KIND_SUBMITTER
            ? s_check_submitter (reg_records_model (self->records), rec->submitter, err, sizeof err)
            : s_check_peer (reg_records_model (self->records), rec->peer, err, sizeof err);
    if (bad) {
        s_reply_error (self, msg, id, SOCIN_E (INVALID_ARGUMENT), "%s", err);
        return;
    }
    socin_record_t **recs = socin_malloc (sizeof *recs);
    recs[0] = socin_record_copy (rec);
    reg_changes_t c = {0};
    size_t n = reg_records_keep_changed (self->records, recs, 1, &c);
    if (reg_records_commit (self->records, recs, n, err, sizeof err)) {
        s_reply_error (self, msg, id, SOCIN_E (STORAGE_FULL), "%s", err);
        return;
    }
    s_reply_changes (self, msg, id, &c, false);
}

/* socin-web's tokens: checked for any registered peer, issued and revoked by admins. */
static void
s_token (reg_requests_t *self, socin_wire_msg_t *msg, const Socin__V1__RegistryRequest *req)
{
    char err[512];
    int code;
    const Socin__V1__TokenInfo *info = reg_tokens_answer (
        self->tokens, reg_records_model (self->records), req, &code, err, sizeof err);
    if (!info) {
        s_reply_error (self, msg, req->request_id, code, "%s", err);
        return;
    }
    Socin__V1__RegistryReply reply = SOCIN__V1__REGISTRY_REPLY__INIT;
    reply.request_id = req->request_id;
    reply.seq = reg_records_seq (self->records);
    reply.body_case = SOCIN__V1__REGISTRY_REPLY__BODY_TOKEN;
    reply.token = (Socin__V1__TokenInfo *)info;
    socin_wire_send (self->router, msg->envelope, &reply.base);
}

/* Whether BODY changes the registry (administrators only). The queries are named; every other
   body counts as a change, so a change added later is closed to other keys by default. */
static bool
s_is_change (Socin__V1__RegistryRequest__BodyCase body)
{
    switch (body) {
    case SOCIN__V1__REGISTRY_REQUEST__BODY__NOT_SET: /* answered UNSUPPORTED, whoever asks */
    case SOCIN__V1__REGISTRY_REQUEST__BODY_SNAPSHOT:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_UNIT:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_DESCENDANTS:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_INDICATORS:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_DATASETS:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_SUBMITTERS:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_TARGETS:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_GROUPS:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_DIMENSIONS:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_PLANS:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_RULES:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_CHECK_TOKEN:
        return false;
    default:
        return true;
    }
}

/* ---- dispatch ---- */

/* The request in MSG when it may be served; else NULL, refused. Free it when done. */
static Socin__V1__RegistryRequest *
s_admit (reg_requests_t *self, socin_wire_msg_t *msg)
{
    if (msg->payload && zframe_size (msg->payload) > self->max_message) {
        s_reply_error (self, msg, "", SOCIN_E (MESSAGE_TOO_LARGE),
                       "the request has %zu bytes; at most %zu are accepted",
                       zframe_size (msg->payload), self->max_message);
        return NULL;
    }
    Socin__V1__RegistryRequest *req = (Socin__V1__RegistryRequest *)socin_wire_unpack (
        &socin__v1__registry_request__descriptor, msg->payload);
    if (!req) {
        s_reply_error (self, msg, "", SOCIN_E (MALFORMED_MESSAGE),
                       "the message is not a socin.v1.RegistryRequest");
        return NULL;
    }
    char field[64], why[256];
    if (socin_wire_request_check (&req->base, field, sizeof field, why, sizeof why)) {
        s_reply_error (self, msg, socin_wire_id_echo (req->request_id), SOCIN_E (INVALID_ARGUMENT),
                       "%s", why);
        protobuf_c_message_free_unpacked (&req->base, NULL);
        return NULL;
    }
    if (s_is_change (req->body_case) && !reg_trust_is_admin (self->trust, msg->peer)) {
        s_reply_error (self, msg, req->request_id, SOCIN_E (PERMISSION_DENIED),
                       "only an administrator key may change the registry");
        protobuf_c_message_free_unpacked (&req->base, NULL);
        return NULL;
    }
    return req;
}

static void
s_dispatch (reg_requests_t *self, socin_wire_msg_t *msg, const Socin__V1__RegistryRequest *req)
{
    const char *id = req->request_id;
    socin_record_t rec = SOCIN__V1__RECORD__INIT;
    switch (req->body_case) {
    case SOCIN__V1__REGISTRY_REQUEST__BODY_SNAPSHOT:
        reg_clone_snapshot (self->clone, self->router, msg->envelope, id, req->snapshot);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_UNIT:
        s_query_unit (self, msg, id, req->unit);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_DESCENDANTS:
        s_query_descendants (self, msg, id, req->descendants);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_INDICATORS:
        s_query_kind (self, msg, id, SOCIN_KIND_INDICATOR, NULL, s_keep_area,
                      req->indicators->policy_area);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_DATASETS:
        s_query_datasets (self, msg, id, req->datasets);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_SUBMITTERS:
        s_query_kind (self, msg, id, SOCIN_KIND_SUBMITTER, NULL, s_keep_key,
                      req->submitters->public_key);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_TARGETS:
        s_query_kind (self, msg, id, SOCIN_KIND_TARGET, req->targets->code, NULL, NULL);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_GROUPS:
        s_query_kind (self, msg, id, SOCIN_KIND_GROUP, req->groups->code, NULL, NULL);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_DIMENSIONS:
        s_query_kind (self, msg, id, SOCIN_KIND_DIMENSION, req->dimensions->code, NULL, NULL);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_PLANS:
        s_query_plans (self, msg, id, req->plans);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_RULES:
        s_query_kind (self, msg, id, SOCIN_KIND_RULE, req->rules->code, s_keep_importance,
                      req->rules->importance);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_PLANS:
        s_import_plans (self, msg, id, req->import_plans);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_TERRITORY:
        s_import_territory (self, msg, id, req->import_territory);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_POPULATION:
        s_import_population (self, msg, id, req->import_population);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_CATALOGUE:
        s_import_catalogue (self, msg, id, req->import_catalogue);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_SUBMITTER:
        rec.kind_case = SOCIN__V1__RECORD__KIND_SUBMITTER;
        rec.submitter = req->put_submitter->submitter;
        s_put (self, msg, id, &rec);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_PUT_PEER:
        rec.kind_case = SOCIN__V1__RECORD__KIND_PEER;
        rec.peer = req->put_peer->peer;
        s_put (self, msg, id, &rec);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_DISTRICTS:
        s_import_districts (self, msg, id, req->import_districts);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_IMPORT_GROUPS:
        s_import_groups (self, msg, id, req->import_groups);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_EDIT_UNIT:
        s_edit_unit (self, msg, id, req->edit_unit);
        break;
    case SOCIN__V1__REGISTRY_REQUEST__BODY_CHECK_TOKEN:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_ISSUE_TOKEN:
    case SOCIN__V1__REGISTRY_REQUEST__BODY_REVOKE_TOKEN:
        s_token (self, msg, req);
        break;
    default:
        s_reply_error (self, msg, id, SOCIN_E (UNSUPPORTED),
                       "the request has no body this registry knows");
    }
}

static int
s_on_request (zloop_t *loop, zsock_t *sock, void *arg)
{
    reg_requests_t *self = arg;
    socin_wire_msg_t msg;
    for (int i = 0; i < 1000 && socin_wire_recv (sock, &msg) == 0; i++) {
        self->requests++;
        Socin__V1__RegistryRequest *req = s_admit (self, &msg);
        if (req) {
            s_dispatch (self, &msg, req);
            protobuf_c_message_free_unpacked (&req->base, NULL);
        }
        socin_wire_msg_release (&msg);
    }
    return 0;
}

/* ---- the object ---- */

reg_requests_t *
reg_requests_new (reg_records_t *records, reg_clone_t *clone, reg_trust_t *trust,
                  reg_tokens_t *tokens, zcert_t *cert, const char *endpoint, size_t max_message,
                  char *err, size_t errlen)
{
    zsock_t *router =
        socin_wire_bind (ZMQ_ROUTER, endpoint, cert, "registry", max_message, err, errlen);
    if (!router) return NULL;
    reg_requests_t *self = socin_calloc (1, sizeof *self);
    self->records = records;
    self->clone = clone;
    self->trust = trust;
    self->tokens = tokens;
    self->router = router;
    self->max_message = max_message;
    return self;
}

void
reg_requests_destroy (reg_requests_t **self_p)
{
    reg_requests_t *self = *self_p;
    if (!self) return;
    if (self->loop) zloop_reader_end (self->loop, self->router);
    zsock_destroy (&self->router);
    free (self);
    *self_p = NULL;
}

zsock_t *
reg_requests_socket (reg_requests_t *self)
{
    return self->router;
}

void
reg_requests_attach (reg_requests_t *self, zloop_t *loop)
{
    self->loop = loop;
    zloop_reader (loop, self->router, s_on_request, self);
}

void
reg_requests_stats (reg_requests_t *self, socin_str_t *out)
{
    socin_str_printf (out, "requests:%llu\nrefused:%llu\n", (unsigned long long)self->requests,
                      (unsigned long long)self->refusals);
}
