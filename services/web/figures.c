/*  figures: questions to reporting and their answers as tables. See figures.h. */
#include "figures.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "decimal.h"
#include "log.h"

#define CELLS(...) ((const char *const[]){__VA_ARGS__})

/* ---- questions ---- */

size_t
web_ask_rollup (web_view_t *v, const char *indicator, const char *period, int level,
                const char *under)
{
    Socin__V1__RollupQuery q = SOCIN__V1__ROLLUP_QUERY__INIT;
    q.indicator = (char *)indicator;
    q.period = (char *)period;
    q.level = level;
    q.under = (char *)under;
    q.disaggregation = (char *)(v->args.disaggregation ? v->args.disaggregation : "");
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_ROLLUP;
    req.rollup = &q;
    return web_view_ask (v, &req);
}

size_t
web_ask_completeness (web_view_t *v, const char *dataset, const char *period, int level,
                      const char *under, bool missing)
{
    Socin__V1__CompletenessQuery q = SOCIN__V1__COMPLETENESS_QUERY__INIT;
    q.dataset = (char *)dataset;
    q.period = (char *)period;
    q.level = level;
    q.under = (char *)under;
    q.list_missing = missing;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_COMPLETENESS;
    req.completeness = &q;
    return web_view_ask (v, &req);
}

size_t
web_ask_participation (web_view_t *v, const char *period, int level, const char *under)
{
    Socin__V1__ParticipationQuery q = SOCIN__V1__PARTICIPATION_QUERY__INIT;
    q.period = (char *)period;
    q.level = level;
    q.under = (char *)under;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_PARTICIPATION;
    req.participation = &q;
    return web_view_ask (v, &req);
}

size_t
web_ask_targets (web_view_t *v)
{
    Socin__V1__TargetProgressQuery q = SOCIN__V1__TARGET_PROGRESS_QUERY__INIT;
    q.list_units = true;
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_TARGETS;
    req.targets = &q;
    return web_view_ask (v, &req);
}

size_t
web_ask_history (web_view_t *v, const char *indicator, const char *unit, const char *period)
{
    Socin__V1__HistoryQuery q = SOCIN__V1__HISTORY_QUERY__INIT;
    q.indicator = (char *)indicator;
    q.unit = (char *)unit;
    q.period = (char *)period;
    q.disaggregation = (char *)(v->args.disaggregation ? v->args.disaggregation : "");
    Socin__V1__ReportRequest req = SOCIN__V1__REPORT_REQUEST__INIT;
    req.body_case = SOCIN__V1__REPORT_REQUEST__BODY_HISTORY;
    req.history = &q;
    return web_view_ask (v, &req);
}

/* ---- helpers ---- */

void
web_unit_href (web_view_t *v, socin_str_t *out, const char *unit)
{
    socin_str_t path = SOCIN_STR_INIT;
    socin_str_puts (&path, "/unit/");
    socin_str_puts (&path, unit);
    web_view_link (v, out, socin_str_cstr (&path), "unit", NULL);
    socin_str_free (&path);
}

web_table_t *
web_failed_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    web_table_t *t = web_table_new (id, title, CELLS ("error"), 1);
    web_table_row (t, CELLS (web_view_error (v, slot)), NULL);
    return web_view_table (v, t);
}

static void
s_u64 (char *buf, uint64_t n)
{
    snprintf (buf, 24, "%llu", (unsigned long long)n);
}

static void
s_percent (char *buf, uint64_t part, uint64_t whole)
{
    web_percent (buf, (socin_sum_t)part * SOCIN_DEC_SCALE, (socin_sum_t)whole * SOCIN_DEC_SCALE);
}

void
web_percent (char *buf, socin_sum_t part, socin_sum_t whole)
{
    socin_dec_t v;
    buf[0] = 0;
    if (!whole || socin_dec_ratio (part, whole, 100 * SOCIN_DEC_SCALE, &v)) return;
    socin_dec_t rounded;
    socin_sum_div ((socin_sum_t)v, 100000, &rounded);
    socin_dec_format (rounded * 100000, buf, 24);
}

const char *
web_unit_link (web_view_t *v, socin_str_t *buf, const char *unit)
{
    socin_str_clear (buf);
    const socin_unit_t *u = socin_model_unit (v->model, unit);
    if (!u || !web_scope_allows (&v->scope, v->model, u)) return NULL;
    web_unit_href (v, buf, unit);
    return socin_str_cstr (buf);
}

/* ---- answers as tables ---- */

web_table_t *
web_rollup_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    if (!r || !r->table) return web_failed_table (v, slot, id, title);
    return web_rows_table (v, r->table->rows, r->table->n_rows, id, title);
}

web_table_t *
web_rows_table (web_view_t *v, Socin__V1__Row *const *rows, size_t nrows, const char *id,
                const char *title)
{
    bool derived = false;
    for (size_t i = 0; i < nrows; i++)
        derived |= *rows[i]->numerator || *rows[i]->denominator;
    web_table_t *t =
        derived ? web_table_new (id, title,
                                 CELLS ("unit", "name", "level", "period", "value#", "numerator#",
                                        "denominator#", "values#", "units#"),
                                 9)
                : web_table_new (
                      id, title,
                      CELLS ("unit", "name", "level", "period", "value#", "values#", "units#"), 7);
    socin_str_t href = SOCIN_STR_INIT;
    for (size_t i = 0; i < nrows; i++) {
        const Socin__V1__Row *row = rows[i];
        char values[24], units[24];
        s_u64 (values, row->values);
        s_u64 (units, row->units);
        const char *level = row->level ? socin_level_name (row->level) : "group";
        if (derived)
            web_table_row (t,
                           CELLS (row->unit, row->name, level, row->period, row->value,
                                  row->numerator, row->denominator, values, units),
                           web_unit_link (v, &href, row->unit));
        else
            web_table_row (
                t, CELLS (row->unit, row->name, level, row->period, row->value, values, units),
                web_unit_link (v, &href, row->unit));
    }
    socin_str_free (&href);
    return web_view_table (v, t);
}

static const char *const s_completeness_cols[] = {"unit",          "name",        "expected#",
                                                  "reported#",     "complete#",   "on_time#",
                                                  "complete_pct#", "on_time_pct#"};

static void
s_completeness_row (web_table_t *t, const char *unit, const char *name, uint64_t expected,
                    uint64_t partial, uint64_t complete, uint64_t on_time, const char *href)
{
    char e[24], p[24], c[24], o[24], cp[24], op[24];
    s_u64 (e, expected), s_u64 (p, partial), s_u64 (c, complete), s_u64 (o, on_time);
    s_percent (cp, complete, expected), s_percent (op, on_time, expected);
    web_table_row (t, CELLS (unit, name, e, p, c, o, cp, op), href);
}

web_table_t *
web_completeness_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    if (!r || !r->completeness) return web_failed_table (v, slot, id, title);
    web_table_t *t = web_table_new (id, title, s_completeness_cols, 8);
    socin_str_t href = SOCIN_STR_INIT;
    for (size_t i = 0; i < r->completeness->n_rows; i++) {
        const Socin__V1__CompletenessRow *row = r->completeness->rows[i];
        s_completeness_row (t, row->unit, row->name, row->expected, row->partial, row->complete,
                            row->on_time, web_unit_link (v, &href, row->unit));
    }
    socin_str_free (&href);
    return web_view_table (v, t);
}

web_table_t *
web_completeness_total_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    if (!r || !r->completeness) return web_failed_table (v, slot, id, title);
    uint64_t expected = 0, partial = 0, complete = 0, on_time = 0;
    for (size_t i = 0; i < r->completeness->n_rows; i++) {
        const Socin__V1__CompletenessRow *row = r->completeness->rows[i];
        expected += row->expected, partial += row->partial, complete += row->complete,
            on_time += row->on_time;
    }
    web_table_t *t = web_table_new (id, title, s_completeness_cols, 8);
    socin_str_t href = SOCIN_STR_INIT;
    s_completeness_row (t, v->unit->code, v->unit->pb->name, expected, partial, complete, on_time,
                        web_unit_link (v, &href, v->unit->code));
    socin_str_free (&href);
    return web_view_table (v, t);
}

web_table_t *
web_missing_table (web_view_t *v, size_t slot, const char *id, const char *title, size_t max_rows)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    if (!r || !r->completeness) return web_failed_table (v, slot, id, title);
    web_table_t *t = web_table_new (id, title, CELLS ("unit", "name", "kraj"), 3);
    /* A page shows the first rows; only this table's download builds all of them. */
    bool whole = v->args.table && !strcmp (v->args.table, id);
    size_t total = 0;
    for (size_t i = 0; i < r->completeness->n_rows; i++)
        total += r->completeness->rows[i]->n_missing;
    web_table_set_total (t, total);
    socin_str_t href = SOCIN_STR_INIT;
    for (size_t i = 0; i < r->completeness->n_rows; i++)
        for (size_t k = 0;
             k < r->completeness->rows[i]->n_missing && (whole || web_table_rows (t) < max_rows);
             k++) {
            const char *code = r->completeness->rows[i]->missing[k];
            const socin_unit_t *u = socin_model_unit (v->model, code);
            const socin_unit_t *kraj =
                u && u->kraj ? socin_model_unit_at (v->model, u->kraj) : NULL;
            web_table_row (t, CELLS (code, u ? u->pb->name : "", kraj ? kraj->pb->name : ""),
                           web_unit_link (v, &href, code));
        }
    socin_str_free (&href);
    return web_view_table (v, t);
}

web_table_t *
web_participation_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    if (!r || !r->participation) return web_failed_table (v, slot, id, title);
    web_table_t *t = web_table_new (
        id, title,
        CELLS ("unit", "name", "events#", "participants#", "vulnerable#", "municipalities#"), 6);
    socin_str_t href = SOCIN_STR_INIT;
    for (size_t i = 0; i < r->participation->n_rows; i++) {
        const Socin__V1__ParticipationRow *row = r->participation->rows[i];
        uint64_t vulnerable = 0;
        for (size_t g = 0; g < row->n_vulnerable; g++)
            vulnerable += row->vulnerable[g]->participants;
        char e[24], p[24], vu[24], m[24];
        s_u64 (e, row->events), s_u64 (p, row->participants), s_u64 (vu, vulnerable),
            s_u64 (m, row->municipalities);
        web_table_row (t, CELLS (row->unit, row->name, e, p, vu, m),
                       web_unit_link (v, &href, row->unit));
    }
    socin_str_free (&href);
    return web_view_table (v, t);
}

web_table_t *
web_targets_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    if (!r || !r->targets) return web_failed_table (v, slot, id, title);
    web_table_t *t = web_table_new (id, title,
                                    CELLS ("target", "name", "commitment", "current#", "threshold#",
                                           "met", "deadline", "window_from", "window_to"),
                                    9);
    for (size_t i = 0; i < r->targets->n_targets; i++) {
        const Socin__V1__TargetProgress *p = r->targets->targets[i];
        char cur[24], thr[24];
        s_u64 (cur, p->current), s_u64 (thr, p->threshold);
        web_table_row (t,
                       CELLS (p->code, p->name, p->commitment, cur, thr, p->met ? "yes" : "no",
                              p->deadline, p->window_from, p->window_to),
                       NULL);
    }
    return web_view_table (v, t);
}

web_table_t *
web_target_units_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    if (!r || !r->targets) return web_failed_table (v, slot, id, title);
    web_table_t *t = web_table_new (id, title, CELLS ("target", "unit", "name", "kraj"), 4);
    socin_str_t href = SOCIN_STR_INIT;
    for (size_t i = 0; i < r->targets->n_targets; i++) {
        const Socin__V1__TargetProgress *p = r->targets->targets[i];
        for (size_t k = 0; k < p->n_units; k++) {
            const socin_unit_t *u = socin_model_unit (v->model, p->units[k]);
            if (!u || !web_scope_allows (&v->scope, v->model, u)) continue;
            const socin_unit_t *kraj = u->kraj ? socin_model_unit_at (v->model, u->kraj) : NULL;
            web_table_row (t,
                           CELLS (p->code, p->units[k],
                                  k < p->n_unit_names ? p->unit_names[k] : u->pb->name,
                                  kraj ? kraj->pb->name : ""),
                           NULL);
        }
    }
    socin_str_free (&href);
    return web_view_table (v, t);
}

web_table_t *
web_history_table (web_view_t *v, size_t slot, const char *id, const char *title)
{
    const Socin__V1__ReportReply *r = web_view_reply (v, slot);
    if (!r || !r->history) return web_failed_table (v, slot, id, title);
    web_table_t *t = web_table_new (
        id, title, CELLS ("changed", "old_value#", "new_value#", "submitter", "comment", "source"),
        6);
    for (size_t i = 0; i < r->history->n_entries; i++) {
        const Socin__V1__HistoryEntry *e = r->history->entries[i];
        char when[SOCIN_TIME_STRLEN];
        socin_time_text (e->changed_ms, when);
        web_table_row (
            t, CELLS (when, e->old_value, e->new_value, e->submitter, e->comment, e->source), NULL);
    }
    return web_view_table (v, t);
}

/* ---- levels and periods ---- */

int
web_child_level (int level, const char *via)
{
    switch (level) {
    case SOCIN_LEVEL_COUNTRY:
        return SOCIN_LEVEL_KRAJ;
    case SOCIN_LEVEL_KRAJ:
        return via && !strcmp (via, "orp") ? SOCIN_LEVEL_ORP : SOCIN_LEVEL_OKRES;
    case SOCIN_LEVEL_OKRES:
    case SOCIN_LEVEL_ORP:
        return SOCIN_LEVEL_MUNICIPALITY;
    case SOCIN_LEVEL_MUNICIPALITY:
        return SOCIN_LEVEL_DISTRICT;
    default:
        return 0;
    }
}

socin_period_t
web_period_within (socin_period_t p, socin_period_type_t type)
{
    socin_period_t out = p;
    if (type >= p.type) {
        socin_period_parent (p, type, &out);
        return out;
    }
    socin_period_t q = socin_period_first_in (p, type);
    for (int i = 0; i < 60 && socin_period_contains (p, q); i++, q = socin_period_next (q))
        out = q;
    return out;
}

size_t
web_period_series (socin_period_t p, socin_period_type_t type, socin_period_t *out, size_t max)
{
    size_t n = 0;
    if (type >= p.type || type == SOCIN_PERIOD_NONE) {
        socin_period_t y =
            web_period_within (p, type == SOCIN_PERIOD_NONE ? SOCIN_PERIOD_YEAR : type);
        size_t count = max < 5 ? max : 5;
        for (size_t i = 0; i < count; i++) {
            out[count - 1 - i] = y;
            y.year--;
        }
        return count;
    }
    for (socin_period_t q = socin_period_first_in (p, type);
         n < max && socin_period_contains (p, q); q = socin_period_next (q))
        out[n++] = q;
    return n;
}
