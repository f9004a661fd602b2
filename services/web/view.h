/*  view: one request to socin-web, from its arguments to its answer.

    Every page and API call goes the same way: the path picks a route; each query-string
    argument is checked (known name, valid UTF-8, no control characters, bounded length, and
    the form of its kind: codes, periods, levels); the reader's token is resolved to a scope
    (asking the registry when needed); the route's plan asks reporting its questions, all at
    once; when every answer is in, the route's render builds tables and HTML; the answer is
    the page, or one table as CSV or JSON (format=csv|json&table=ID), or all tables as JSON.
    A unit outside the scope gets 403 naming the unit; a section the operator did not make
    public needs a token.
*/
#ifndef SOCIN_WEB_VIEW_H
#define SOCIN_WEB_VIEW_H

#include <stdbool.h>

#include "auth.h"
#include "backend.h"
#include "http.h"
#include "model.h"
#include "period.h"
#include "replica.h"
#include "str.h"
#include "table.h"
#include "socin/v1/report.pb-c.h"

typedef struct web_map_t web_map_t;

/* What every view shares: the daemon's pieces and settings. */
typedef struct {
    socin_replica_t *replica;
    web_backend_t *backend;
    web_auth_t *auth;
    web_map_t *map;
    const char *public_sections; /* comma-separated sections anyone may see */
    bool cookie_secure;
    int cache_ms;
    void *pages; /* whole answers for cache_ms, by reader's scope and request (view.c) */
    uint64_t views, refused, page_hits;
} web_ctx_t;

/* The checked arguments (NULL when absent). */
typedef struct {
    const char *indicator, *period, *level, *unit, *dataset, *format, *table, *dx, *pe, *ou, *token,
        *next, *disaggregation, *via;
} web_args_t;

#define WEB_MAX_QUERIES 160
#define WEB_MAX_TABLES  64

typedef struct web_view_t web_view_t;

typedef struct {
    const char *path;               /* exact, or a prefix when it ends with '/' */
    const char *section;            /* what the public setting names ("targets", "map"...) */
    int (*plan) (web_view_t *v);    /* asks its questions; 0, or an HTTP status (web_view_fail) */
    void (*render) (web_view_t *v); /* builds tables and HTML from the answers */
    bool api;                       /* JSON only */
} web_route_t;

struct web_view_t {
    web_ctx_t *ctx;
    web_req_t *req;
    const web_route_t *route;
    web_args_t args;
    web_scope_t scope;
    char *token;
    socin_model_t *model;
    /* Resolved arguments, with defaults: the unit (the scope's root when not given), the
       indicator, the period, the level of the rows (0: none given). */
    const socin_unit_t *unit;
    const socin_indicator_t *indicator;
    socin_period_t period;
    char period_text[SOCIN_PERIOD_STRLEN];
    int level;
    const char *subpath; /* after a prefix route's path */
    /* Questions and answers. */
    Socin__V1__ReportReply *replies[WEB_MAX_QUERIES];
    char *errors[WEB_MAX_QUERIES];
    int codes[WEB_MAX_QUERIES]; /* reporting's ErrorCode for a refused question */
    size_t nq, pending;
    bool planning;
    size_t mark[32]; /* the page's own bookkeeping (slots of its questions) */
    /* The result. */
    web_table_t *tables[WEB_MAX_TABLES];
    size_t ntables;
    socin_str_t body; /* the page's HTML inside the layout */
    char title[160];
    int status;
    socin_str_t message; /* the reason, when status is not 200 */
};

/* Drops answers older than cache_ms (from the cron), and all of them at the end. */
void web_view_cache_tick (web_ctx_t *ctx, bool all);

/* The daemon's request handler and its end-of-request hook (http.h). */
void web_view_handle (web_req_t *req, void *ctx);
void web_view_done (web_req_t *req, void *ctx);

/* Asks reporting REQ for V; returns the slot its answer lands in. */
size_t web_view_ask (web_view_t *v, Socin__V1__ReportRequest *req);

/* The answer in SLOT, or NULL (the reason is web_view_error). */
const Socin__V1__ReportReply *web_view_reply (web_view_t *v, size_t slot);
const char *web_view_error (web_view_t *v, size_t slot);
/* Reporting's ErrorCode when it refused the question in SLOT (0: none, or no answer). */
int web_view_error_code (web_view_t *v, size_t slot);

/* Sets STATUS with a message for the reader; returns STATUS (for plan's return). */
int web_view_fail (web_view_t *v, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Adds a table to the answer (taken). */
web_table_t *web_view_table (web_view_t *v, web_table_t *table);

/* True when the reader may see SECTION (signed in, or the operator made it public). */
bool web_view_may (web_view_t *v, const char *section);

/* This page's path and query with KEY set to VALUE (NULL: removed), HTML-unescaped; for links. */
void web_view_link (web_view_t *v, socin_str_t *out, const char *path, const char *key,
                    const char *value);

/* The routes (routes are in pages.c, dashboard.c and api.c). */
extern const web_route_t web_dashboard_routes[];
extern const web_route_t web_page_routes[];
extern const web_route_t web_api_routes[];

#endif
