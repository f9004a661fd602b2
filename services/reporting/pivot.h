/*  pivot: many indicators × periods × units in one answer, as DHIS2's analytics gives them
    (dimensions dx, pe, ou; rows and columns chosen by the caller).

    Each cell is the figure a roll-up gives (query.c's rep_query_figure: one cube cell read,
    or two for a derived indicator), so a pivot of 14 kraje × 12 months × 10 indicators reads
    1,680 cells. Periods may be ranges and DHIS2's relative periods (periodset.h), resolved
    against the request's day; units may be a level beneath units, groups, or the asking key's
    own territory (USER_ORGUNIT), and every unit and group is checked against the key's scope
    before anything is computed.
*/
#ifndef SOCIN_REPORTING_PIVOT_H
#define SOCIN_REPORTING_PIVOT_H

#include "query.h"
#include "scope.h"

/* Most cells one pivot answers (QUERY_TOO_LARGE beyond). */
#define REP_PIVOT_MAX_CELLS 1000000

/* Answers Q, asked by a key of SCOPE, into REPLY: its pivot body, or its error (NOT_FOUND,
   INVALID_ARGUMENT, OUTSIDE_SCOPE naming the unit, QUERY_TOO_LARGE). */
void rep_pivot_answer (const rep_query_ctx_t *ctx, const rep_scope_t *scope,
                       const Socin__V1__PivotQuery *q, Socin__V1__ReportReply *reply);

/* The units and groups of an ou list (shared with exports): unit codes, "GROUP-code",
   "USER_ORGUNIT" and "LEVEL-name" or "LEVEL-n" as PivotQuery documents, with no level the
   items themselves. Units valid on some day of [START, END], in the items' order, each once. */
typedef struct {
    const socin_unit_t **units; /* a NULL entry stands for the group of the same index */
    const socin_group_t **groups;
    size_t n;
    int level; /* the LEVEL- item, 0 when none */
} rep_ou_t;

/* Resolves the N ITEMS for SCOPE into OUT (free with rep_ou_free); no unit or group item
   means USER_ORGUNIT. 0, or -1 with REPLY's error set. */
int rep_ou_resolve (const socin_model_t *model, const rep_scope_t *scope, char **items, size_t n,
                    int32_t start, int32_t end, Socin__V1__ReportReply *reply, rep_ou_t *out);
void rep_ou_free (rep_ou_t *ou);

/* A malloc'ed item of a dimension (or of an export page's dictionary). */
Socin__V1__PivotItem *rep_pivot_item (const char *code, const char *name, int level);

/* The day of RELATIVE_TO (CTX's today when empty): 0, or -1 with REPLY's error set. */
int rep_pivot_day (const rep_query_ctx_t *ctx, const char *relative_to, int32_t *day,
                   Socin__V1__ReportReply *reply);

/* The periods of the N ITEMS resolved against DAY, each once, in the items' order (at most
   MAX): 0 with *OUT (free()) and *NOUT, or -1 with REPLY's error set. */
int rep_pivot_periods (char **items, size_t n, int32_t day, size_t max, socin_period_t **out,
                       size_t *nout, Socin__V1__ReportReply *reply);

#endif
