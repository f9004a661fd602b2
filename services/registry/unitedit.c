/*  unitedit: rename, close or move one unit. See unitedit.h. */
#include "unitedit.h"

#include <string.h>

#include "error.h"
#include "territory.h"
#include "socin/v1/errors.pb-c.h"

/* The number of units whose latest parents include UNIT and that are open after DAY; the
   first one's code in *EXAMPLE. */
static size_t
s_open_children (const socin_model_t *model, const socin_unit_t *unit, int32_t day,
                 const char **example)
{
    size_t n = 0;
    for (uint32_t id = 1; id <= socin_model_count (model, SOCIN_KIND_UNIT); id++) {
        const socin_unit_t *u = socin_model_unit_at (model, id);
        if (u->valid_to <= day) continue;
        for (int p = 0; p < u->nparents; p++)
            if (u->parents[p] == unit->id) {
                if (!n++) *example = u->code;
                break;
            }
    }
    return n;
}

static int
s_close (const socin_model_t *model, const socin_unit_t *unit, Socin__V1__Unit *u,
         const char *close_on, char *err, size_t errlen)
{
    int32_t day;
    char why[200];
    if (socin_date_parse (close_on, &day, why, sizeof why)) {
        socin_error_set (err, errlen, "close_on %s", why);
        return SOCIN_E (INVALID_ARGUMENT);
    }
    if (day < unit->valid_from) {
        socin_error_set (err, errlen, "unit %s begins on %s, after close_on %s", unit->code,
                         unit->pb->valid_from, close_on);
        return SOCIN_E (TERRITORY_OUT_OF_ORDER);
    }
    const char *example = NULL;
    size_t open = s_open_children (model, unit, day, &example);
    if (open) {
        socin_error_set (err, errlen,
                         "unit %s has %zu units beneath it open after %s (%s among them): move "
                         "or close them first",
                         unit->code, open, close_on, example);
        return SOCIN_E (INVALID_ARGUMENT);
    }
    socin_territory_set_text (&u->valid_to, close_on);
    return 0;
}

/* Checks the new parents of UNIT: known, above it, and for a municipality one ORP and one
   okres. */
static int
s_check_parents (const socin_model_t *model, const socin_unit_t *unit,
                 const Socin__V1__EditUnit *req, char *err, size_t errlen)
{
    int orp = 0, okres = 0;
    for (size_t p = 0; p < req->n_move_to; p++) {
        const socin_unit_t *parent = socin_model_unit (model, req->move_to[p]);
        if (!parent)
            return socin_error_set (err, errlen, "move_to: '%s' is not a known unit",
                                    req->move_to[p]);
        if (parent->level >= unit->level)
            return socin_error_set (err, errlen, "move_to: %s is a %s, not above %s %s",
                                    parent->code, socin_level_name (parent->level),
                                    socin_level_name (unit->level), unit->code);
        orp += parent->level == SOCIN_LEVEL_ORP;
        okres += parent->level == SOCIN_LEVEL_OKRES;
    }
    if (unit->level == SOCIN_LEVEL_MUNICIPALITY && (orp != 1 || okres != 1 || req->n_move_to != 2))
        return socin_error_set (err, errlen,
                                "move_to: a municipality has one ORP and one okres as parents");
    return 0;
}

static int
s_move (const socin_model_t *model, const socin_unit_t *unit, Socin__V1__Unit *u,
        const Socin__V1__EditUnit *req, char *err, size_t errlen)
{
    int32_t day;
    char why[200];
    if (s_check_parents (model, unit, req, err, errlen)) return SOCIN_E (INVALID_ARGUMENT);
    if (!*req->move_from) {
        socin_error_set (err, errlen, "move_from: the day the new parents take effect is needed");
        return SOCIN_E (INVALID_ARGUMENT);
    }
    if (socin_date_parse (req->move_from, &day, why, sizeof why)) {
        socin_error_set (err, errlen, "move_from %s", why);
        return SOCIN_E (INVALID_ARGUMENT);
    }
    if (socin_territory_reparent (u, req->move_to, req->n_move_to, day, false, err, errlen))
        return SOCIN_E (TERRITORY_OUT_OF_ORDER);
    return 0;
}

int
socin_unit_edit_plan (const socin_model_t *model, const Socin__V1__EditUnit *req,
                      socin_record_t **out, char *err, size_t errlen)
{
    *out = NULL;
    const socin_unit_t *unit = socin_model_unit (model, req->code);
    if (!unit) {
        socin_error_set (err, errlen, "unit '%s' is not in the registry", req->code);
        return SOCIN_E (NOT_FOUND);
    }
    if (!*req->rename && !*req->close_on && !req->n_move_to) {
        socin_error_set (err, errlen, "name at least one of rename, close_on, move_to");
        return SOCIN_E (INVALID_ARGUMENT);
    }
    size_t bad;
    if (*req->rename && (strlen (req->rename) > 200 ||
                         !socin_utf8_valid (req->rename, strlen (req->rename), &bad))) {
        socin_error_set (err, errlen, "rename: a name is valid UTF-8 of at most 200 bytes");
        return SOCIN_E (INVALID_ARGUMENT);
    }
    socin_record_t *r = socin_record_copy (socin_model_record (model, SOCIN_KIND_UNIT, unit->code));
    int code = 0;
    if (*req->rename) socin_territory_set_text (&r->unit->name, req->rename);
    if (req->n_move_to) code = s_move (model, unit, r->unit, req, err, errlen);
    if (!code && *req->close_on) code = s_close (model, unit, r->unit, req->close_on, err, errlen);
    if (code) {
        protobuf_c_message_free_unpacked (&r->base, NULL);
        return code;
    }
    *out = r;
    return 0;
}
