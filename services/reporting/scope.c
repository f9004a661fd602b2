/*  scope: what the key that asks may read. See scope.h. */
#include "scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mem.h"
#include "str.h"

int
rep_scope_of (const socin_model_t *model, const char *key, rep_scope_t *out)
{
    memset (out, 0, sizeof *out);
    socin_peer_t *peer = key ? socin_model_peer_by_key (model, key) : NULL;
    if (peer && (peer->pb->role == SOCIN_ROLE_ADMIN || peer->pb->role == SOCIN_ROLE_READER)) {
        out->who = peer->code;
        out->limited = peer->pb->role == SOCIN_ROLE_READER && peer->limited;
        out->roots = peer->roots;
        out->nroots = peer->nroots;
        out->codes = peer->pb->territories;
        out->ncodes = peer->pb->n_territories;
        return 0;
    }
    socin_submitter_t *sub = key ? socin_model_submitter_by_key (model, key) : NULL;
    if (!sub) return -1;
    out->who = sub->code;
    out->limited = true; /* a submitter with no known territory reads nothing */
    out->roots = sub->roots;
    out->nroots = sub->nroots;
    out->codes = sub->pb->territories;
    out->ncodes = sub->pb->n_territories;
    return 0;
}

bool
rep_scope_has_unit (const rep_scope_t *self, const socin_unit_t *unit)
{
    if (!self->limited) return true;
    for (size_t r = 0; r < self->nroots; r++)
        if (socin_unit_under (unit, self->roots[r])) return true;
    return false;
}

bool
rep_scope_has_group (const rep_scope_t *self, const socin_model_t *model,
                     const socin_group_t *group)
{
    if (!self->limited) return true;
    if (!group->nmembers) return false;
    for (size_t i = 0; i < group->nmembers; i++)
        if (!rep_scope_has_unit (self, socin_model_unit_at (model, group->members[i])))
            return false;
    return true;
}

static Socin__V1__Error *
s_error (int code, const char *field, const char *unit, const char *message)
{
    Socin__V1__Error *e = socin_malloc (sizeof *e);
    socin__v1__error__init (e);
    e->code = code;
    e->message = socin_strdup (message);
    e->field = socin_strdup (field ? field : "");
    e->unit = socin_strdup (unit ? unit : "");
    return e;
}

Socin__V1__Error *
rep_scope_denied (void)
{
    return s_error (SOCIN_E (PERMISSION_DENIED), NULL, NULL,
                    "this key may not query reporting: it is registered as no admin, reader or "
                    "submitter");
}

/* "CZ064, CZ063" (at most 200 bytes of it) for messages. */
static void
s_codes (const rep_scope_t *self, char *out, size_t len)
{
    socin_str_t s = SOCIN_STR_INIT;
    for (size_t i = 0; i < self->ncodes && s.len < 200; i++)
        socin_str_printf (&s, "%s%s", i ? ", " : "", self->codes[i]);
    snprintf (out, len, "%s", s.len ? s.data : "nothing");
    socin_str_free (&s);
}

int
rep_scope_check_code (const rep_scope_t *self, const socin_model_t *model, const char *code,
                      bool is_group, const char *field, Socin__V1__Error **err)
{
    if (!self->limited) return 0;
    const char *name = code && *code ? code : "CZ";
    bool inside;
    if (is_group) {
        const socin_group_t *g = socin_model_group (model, name);
        if (!g) return 0;
        inside = rep_scope_has_group (self, model, g);
    } else {
        const socin_unit_t *u = socin_model_unit (model, name);
        if (!u) return 0;
        inside = rep_scope_has_unit (self, u);
    }
    if (inside) return 0;
    char codes[256], text[1024];
    s_codes (self, codes, sizeof codes);
    socin_error_set (text, sizeof text,
                     "%s %s (%s) is outside the territory of key %s, which may read %s only%s",
                     is_group ? "group" : "unit", name, field, self->who, codes,
                     is_group ? " (a group is readable when every member is)"
                              : "; name one of them or a unit beneath it");
    *err = s_error (SOCIN_E (OUTSIDE_SCOPE), field, name, text);
    return -1;
}

/* UNDER or GROUP (one of them set) of a query. */
static int
s_check_root (const rep_scope_t *self, const socin_model_t *model, const char *under,
              const char *group, Socin__V1__Error **err)
{
    if (group && *group) return rep_scope_check_code (self, model, group, true, "group", err);
    return rep_scope_check_code (self, model, under, false, "under", err);
}

int
rep_scope_check (const rep_scope_t *self, const socin_model_t *model,
                 const Socin__V1__ReportRequest *req, Socin__V1__Error **err)
{
    if (!self->limited) return 0;
    switch (req->body_case) {
    case SOCIN__V1__REPORT_REQUEST__BODY_VALUES:
        if (*req->values->unit)
            return rep_scope_check_code (self, model, req->values->unit, false, "unit", err);
        return s_check_root (self, model, req->values->under, NULL, err);
    case SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP:
        return s_check_root (self, model, req->rollup->under, req->rollup->group, err);
    case SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS:
        return s_check_root (self, model, req->completeness->under, NULL, err);
    case SOCIN__V1__REPORT_REQUEST__BODY_PARTICIPATION:
        return s_check_root (self, model, req->participation->under, req->participation->group,
                             err);
    case SOCIN__V1__REPORT_REQUEST__BODY_HISTORY:
        return rep_scope_check_code (self, model, req->history->unit, false, "unit", err);
    case SOCIN__V1__REPORT_REQUEST__BODY_VIOLATIONS:
        return s_check_root (self, model, req->violations->under, NULL, err);
    case SOCIN__V1__REPORT_REQUEST__BODY_OUTLIERS:
        return s_check_root (self, model, req->outliers->under, NULL, err);
    case SOCIN__V1__REPORT_REQUEST__BODY_FOLLOWUPS:
        return s_check_root (self, model, req->followups->under, NULL, err);
    case SOCIN__V1__REPORT_REQUEST__BODY_APPROVAL:
        return rep_scope_check_code (self, model, req->approval->unit, false, "unit", err);
    default:
        /* Sources name no unit; targets are cut to the scope (rep_scope_reply); pivots and
           exports check each unit as they resolve it. */
        return 0;
    }
}

/* Keeps TP's units within SELF (query.c lists a name beside every code). */
static void
s_cut_target (const rep_scope_t *self, const socin_model_t *model, bool list_units,
              Socin__V1__TargetProgress *tp)
{
    size_t kept = 0, count = 0;
    for (size_t i = 0; i < tp->n_units; i++) {
        const socin_unit_t *u = socin_model_unit (model, tp->units[i]);
        bool inside = u && rep_scope_has_unit (self, u);
        char *name = i < tp->n_unit_names ? tp->unit_names[i] : NULL;
        count += inside;
        if (inside && list_units) {
            tp->units[kept] = tp->units[i];
            tp->unit_names[kept++] = name ? name : socin_strdup ("");
            continue;
        }
        free (tp->units[i]);
        free (name);
    }
    tp->current = (uint32_t)count;
    tp->met = count >= tp->threshold;
    tp->n_units = tp->n_unit_names = kept;
}

void
rep_scope_reply (const rep_scope_t *self, const socin_model_t *model, bool list_units,
                 Socin__V1__ReportReply *reply)
{
    if (!self->limited) return;
    for (size_t i = 0; i < self->ncodes; i++)
        socin_strv_push (&reply->scope, &reply->n_scope, self->codes[i]);
    if (reply->body_case != SOCIN__V1__REPORT_REPLY__BODY_TARGETS) return;
    for (size_t t = 0; t < reply->targets->n_targets; t++)
        s_cut_target (self, model, list_units, reply->targets->targets[t]);
}
