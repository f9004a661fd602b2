/*  view: one request from arguments to answer. See view.h. */
#include "view.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "csv.h"
#include "frame.h"
#include "log.h"
#include "token.h"

#define MAX_PATH  512
#define MAX_VALUE 1024

/* ---- arguments ---- */

typedef enum {
    A_CODE,
    A_CODES,
    A_PERIOD,
    A_PERIODS,
    A_LEVEL,
    A_WORD,
    A_TOKEN,
    A_PATH,
    A_DISAGG
} s_kind_t;

static const struct {
    const char *name;
    size_t offset;
    s_kind_t kind;
} s_args[] = {
    {"indicator", offsetof (web_args_t, indicator), A_CODE},
    {"period", offsetof (web_args_t, period), A_PERIOD},
    {"level", offsetof (web_args_t, level), A_LEVEL},
    {"unit", offsetof (web_args_t, unit), A_CODE},
    {"dataset", offsetof (web_args_t, dataset), A_CODE},
    {"format", offsetof (web_args_t, format), A_WORD},
    {"table", offsetof (web_args_t, table), A_CODE},
    {"dx", offsetof (web_args_t, dx), A_CODES},
    {"pe", offsetof (web_args_t, pe), A_PERIODS},
    {"ou", offsetof (web_args_t, ou), A_CODES},
    {"token", offsetof (web_args_t, token), A_TOKEN},
    {"next", offsetof (web_args_t, next), A_PATH},
    {"disaggregation", offsetof (web_args_t, disaggregation), A_DISAGG},
    {"via", offsetof (web_args_t, via), A_WORD},
};

static bool
s_chars (const char *text, const char *extra)
{
    for (const char *c = text; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              strchr (extra, *c)))
            return false;
    return true;
}

/* Checks VALUE as KIND; NULL when good, else what is wrong. */
static const char *
s_check_value (s_kind_t kind, const char *value)
{
    char err[256];
    socin_period_t p;
    switch (kind) {
    case A_CODE:
        return s_chars (value, "_-.") && strlen (value) <= 64
                   ? NULL
                   : "is not a code (letters, digits, _ - .)";
    case A_CODES:
        return s_chars (value, "_-.;") ? NULL : "is not a list of codes separated by ;";
    case A_PERIOD:
        return socin_period_parse (value, &p, err, sizeof err)
                   ? "is not a period (2025, 2025S1, 2025Q3, 202507, 2025W05)"
                   : NULL;
    case A_PERIODS:
        return s_chars (value, ";_.") ? NULL
                                      : "is not a list of periods (2025Q3, 202501..202512, "
                                        "LAST_12_MONTHS) separated by ;";
    case A_LEVEL:
        return socin_level_parse (value)
                   ? NULL
                   : "is not country, kraj, okres, orp, municipality or district";
    case A_WORD:
        return s_chars (value, "_") && strlen (value) <= 16 ? NULL : "is not a word";
    case A_TOKEN:
        return socin_token_valid (value) ? NULL : "is not a token";
    case A_PATH:
        return value[0] == '/' && value[1] != '/' && s_chars (value, "/_-.?=&;") &&
                       !strstr (value, "..")
                   ? NULL
                   : "is not a path of this site";
    case A_DISAGG:
        return s_chars (value, "_-=,*") ? NULL : "is not a disaggregation (dimension=option,...)";
    }
    return "is not accepted";
}

typedef struct {
    web_view_t *v;
    char problem[300];
} s_argcheck_t;

static int
s_on_arg (void *arg, const char *key, const char *value)
{
    s_argcheck_t *a = arg;
    for (size_t i = 0; i < sizeof s_args / sizeof s_args[0]; i++) {
        if (strcmp (key, s_args[i].name)) continue;
        const char *why = !value                       ? "has no value"
                          : strlen (value) > MAX_VALUE ? "is too long"
                                                       : NULL;
        if (!why && !socin_utf8_valid (value, strlen (value), NULL)) why = "is not valid UTF-8";
        if (!why && *value) why = s_check_value (s_args[i].kind, value);
        if (why) {
            snprintf (a->problem, sizeof a->problem, "the argument %s %s", key, why);
            return -1;
        }
        if (*value) *(const char **)((char *)&a->v->args + s_args[i].offset) = value;
        return 0;
    }
    char shown[40];
    snprintf (shown, sizeof shown, "%s", key);
    size_t bad;
    if (!socin_utf8_valid (shown, strlen (shown), &bad)) shown[bad] = 0;
    snprintf (a->problem, sizeof a->problem, "unknown argument '%s'", shown);
    return -1;
}

/* ---- the view's life ---- */

static void s_finish (web_view_t *v);
static void s_after_auth (web_view_t *v);

int
web_view_fail (web_view_t *v, int status, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    socin_str_clear (&v->message);
    socin_str_vprintf (&v->message, fmt, args);
    va_end (args);
    v->status = status;
    return status;
}

web_table_t *
web_view_table (web_view_t *v, web_table_t *table)
{
    if (v->ntables == WEB_MAX_TABLES) {
        web_table_destroy (&table);
        return NULL;
    }
    return v->tables[v->ntables++] = table;
}

bool
web_view_may (web_view_t *v, const char *section)
{
    if (v->scope.signed_in || !section) return true;
    const char *list = v->ctx->public_sections;
    size_t n = strlen (section);
    for (const char *p = list; (p = strstr (p, section)); p += n)
        if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
            (p[n] == 0 || p[n] == ',' || p[n] == ' '))
            return true;
    return !strcmp (list, "all");
}

static void
s_on_reply (void *arg, size_t slot, ProtobufCMessage *reply, const char *err)
{
    web_view_t *v = arg;
    Socin__V1__ReportReply *r = (Socin__V1__ReportReply *)reply;
    if (r && r->error) {
        v->errors[slot] = socin_strdup (r->error->message);
        v->codes[slot] = r->error->code;
        protobuf_c_message_free_unpacked (reply, NULL);
        r = NULL;
    } else if (!r)
        v->errors[slot] = socin_strdup (err ? err : "no answer");
    v->replies[slot] = r;
    v->pending--;
    if (!v->planning && v->pending == 0) s_finish (v);
}

size_t
web_view_ask (web_view_t *v, Socin__V1__ReportRequest *req)
{
    if (v->nq == WEB_MAX_QUERIES)
        return WEB_MAX_QUERIES - 1; /* the last slot answers for all beyond */
    size_t slot = v->nq++;
    v->pending++;
    web_backend_ask (v->ctx->backend, WEB_REPORTING, &req->base, s_on_reply, v, slot);
    return slot;
}

const Socin__V1__ReportReply *
web_view_reply (web_view_t *v, size_t slot)
{
    return slot < v->nq ? v->replies[slot] : NULL;
}

const char *
web_view_error (web_view_t *v, size_t slot)
{
    return slot < v->nq && v->errors[slot] ? v->errors[slot] : "";
}

int
web_view_error_code (web_view_t *v, size_t slot)
{
    return slot < v->nq ? v->codes[slot] : 0;
}

static void
s_free (web_view_t *v)
{
    for (size_t i = 0; i < v->nq; i++) {
        if (v->replies[i]) protobuf_c_message_free_unpacked (&v->replies[i]->base, NULL);
        free (v->errors[i]);
    }
    for (size_t i = 0; i < v->ntables; i++)
        web_table_destroy (&v->tables[i]);
    socin_str_free (&v->body);
    socin_str_free (&v->message);
    free (v->token);
    free (v);
}

void
web_view_done (web_req_t *req, void *ctx)
{
    web_view_t *v = web_req_data (req);
    if (!v) return;
    web_backend_forget (((web_ctx_t *)ctx)->backend, v);
    s_free (v);
}

/* ---- whole answers, kept for cache_ms ---- */

typedef struct {
    int64_t at_ms;
    char *type, *headers;
    socin_str_t body;
} s_page_t;

static void
s_page_free (void **item)
{
    s_page_t *p = *item;
    if (!p) return;
    free (p->type);
    free (p->headers);
    socin_str_free (&p->body);
    free (p);
    *item = NULL;
}

/* The key of V's answer: who asks (the token's id, or the public) and what, every argument. */
static char *
s_page_key (web_view_t *v)
{
    socin_str_t key = SOCIN_STR_INIT;
    socin_str_printf (&key, "%s ", v->scope.signed_in ? v->scope.id : "-");
    web_view_link (v, &key, web_req_path (v->req), NULL, NULL);
    socin_str_printf (&key, " %s %s", v->args.format ? v->args.format : "",
                      v->args.table ? v->args.table : "");
    return socin_str_take (&key);
}

static bool
s_page_cached (web_view_t *v)
{
    if (v->ctx->cache_ms <= 0 || !v->ctx->pages) return false;
    char *key = s_page_key (v);
    s_page_t *p = zhashx_lookup (v->ctx->pages, key);
    free (key);
    if (!p || socin_mono_ms () - p->at_ms >= v->ctx->cache_ms) return false;
    socin_str_t body = SOCIN_STR_INIT;
    socin_str_append (&body, p->body.data ? p->body.data : "", p->body.len);
    web_req_respond (v->req, 200, p->type, &body, p->headers);
    v->ctx->page_hits++;
    return true;
}

static void
s_page_keep (web_view_t *v, const char *type, const socin_str_t *body, const char *headers)
{
    if (v->ctx->cache_ms <= 0) return;
    if (!v->ctx->pages) {
        v->ctx->pages = zhashx_new ();
        zhashx_set_destructor (v->ctx->pages, s_page_free);
    }
    s_page_t *p = socin_calloc (1, sizeof *p);
    p->at_ms = socin_mono_ms ();
    p->type = socin_strdup (type);
    p->headers = socin_strdup (headers);
    socin_str_append (&p->body, body->data ? body->data : "", body->len);
    char *key = s_page_key (v);
    zhashx_update (v->ctx->pages, key, p);
    free (key);
}

void
web_view_cache_tick (web_ctx_t *ctx, bool all)
{
    zhashx_t *pages = ctx->pages;
    if (!pages) return;
    if (all) {
        zhashx_destroy (&pages);
        ctx->pages = NULL;
        return;
    }
    int64_t now = socin_mono_ms ();
    zlistx_t *keys = zhashx_keys (pages);
    for (const char *k = zlistx_first (keys); k; k = zlistx_next (keys)) {
        s_page_t *p = zhashx_lookup (pages, k);
        if (p && now - p->at_ms >= ctx->cache_ms) zhashx_delete (pages, k);
    }
    zlistx_destroy (&keys);
}

/* ---- answers ---- */

static const char *
s_format (web_view_t *v)
{
    const char *f = v->args.format;
    if (f && (!strcmp (f, "csv") || !strcmp (f, "json"))) return f;
    return v->route && v->route->api ? "json" : "html";
}

static void
s_respond_error (web_view_t *v)
{
    socin_str_t out = SOCIN_STR_INIT;
    const char *format = s_format (v);
    const char *headers =
        v->status == 401 && v->token
            ? "Set-Cookie: socin_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\n"
            : NULL;
    v->ctx->refused++;
    if (!strcmp (format, "html")) {
        snprintf (v->title, sizeof v->title, "%d", v->status);
        socin_str_clear (&v->body);
        socin_str_puts (&v->body, "<p class=\"error\">");
        web_html (&v->body, socin_str_cstr (&v->message));
        socin_str_puts (&v->body, "</p>\n");
        if (v->status == 401)
            socin_str_puts (&v->body, "<p><a href=\"/login\">Sign in with a token</a></p>\n");
        web_frame_page (&out, v->title, &v->scope, &v->body);
        web_req_respond (v->req, v->status, "text/html; charset=utf-8", &out, headers);
    } else {
        socin_str_printf (&out, "{\"status\": %d, \"error\": ", v->status);
        web_json_string (&out, socin_str_cstr (&v->message));
        socin_str_puts (&out, "}\n");
        web_req_respond (v->req, v->status, "application/json; charset=utf-8", &out, headers);
    }
    socin_info ("web.refused", "path=%s status=%d reason=%s", socin_log_q (web_req_path (v->req)),
                v->status, socin_log_q (socin_str_cstr (&v->message)));
}

static const web_table_t *
s_find_table (web_view_t *v)
{
    for (size_t i = 0; i < v->ntables; i++)
        if (!v->args.table || !strcmp (web_table_id (v->tables[i]), v->args.table))
            return v->tables[i];
    return NULL;
}

static void
s_respond (web_view_t *v)
{
    if (v->status != 200) {
        s_respond_error (v);
        return;
    }
    socin_str_t out = SOCIN_STR_INIT, headers = SOCIN_STR_INIT;
    socin_str_puts (&headers, v->scope.signed_in ? "Cache-Control: private, no-store\n"
                                                 : "Cache-Control: no-cache\n");
    const char *format = s_format (v), *type = "text/html; charset=utf-8";
    if (!strcmp (format, "html"))
        web_frame_page (&out, v->title, &v->scope, &v->body);
    else if (v->args.table || !strcmp (format, "csv")) {
        const web_table_t *t = s_find_table (v);
        if (!t) {
            web_view_fail (v, 404, "this page has no table '%s'",
                           v->args.table ? v->args.table : "");
            s_respond_error (v);
            socin_str_free (&headers);
            return;
        }
        socin_str_printf (&headers, "Content-Disposition: attachment; filename=\"%s.%s\"\n",
                          web_table_id (t), format);
        if (!strcmp (format, "csv")) {
            web_table_csv (t, &out);
            type = "text/csv; charset=utf-8";
        } else {
            web_table_json (t, &out);
            socin_str_puts (&out, "\n");
            type = "application/json; charset=utf-8";
        }
    } else {
        socin_str_puts (&out, "{\"title\": ");
        web_json_string (&out, v->title);
        socin_str_puts (&out, ", \"tables\": [");
        for (size_t i = 0; i < v->ntables; i++) {
            if (i) socin_str_puts (&out, ",\n");
            web_table_json (v->tables[i], &out);
        }
        socin_str_puts (&out, "]}\n");
        type = "application/json; charset=utf-8";
    }
    s_page_keep (v, type, &out, socin_str_cstr (&headers));
    web_req_respond (v->req, 200, type, &out, socin_str_cstr (&headers));
    socin_str_free (&headers);
}

static void
s_finish (web_view_t *v)
{
    if (v->status == 200 && v->route->render) v->route->render (v);
    s_respond (v);
}

/* ---- resolving the arguments ---- */

static int
s_resolve (web_view_t *v)
{
    v->model = socin_replica_model (v->ctx->replica);
    if (!socin_replica_ready (v->ctx->replica))
        return web_view_fail (v, 503,
                              "socin-web has no copy of the registry yet; try again in a moment");
    const web_args_t *a = &v->args;
    if (a->unit) {
        v->unit = socin_model_unit (v->model, a->unit);
        if (!v->unit) return web_view_fail (v, 404, "unit '%s' is not in the registry", a->unit);
        if (!web_scope_allows (&v->scope, v->model, v->unit))
            return web_view_fail (v, 403, "unit %s (%s) is outside the territory of this token",
                                  a->unit, v->unit->pb->name);
    } else if (!(v->unit = web_scope_root (&v->scope, v->model)))
        return web_view_fail (v, 403, "none of this token's territory is in the registry");
    if (a->indicator) {
        v->indicator = socin_model_indicator (v->model, a->indicator);
        if (!v->indicator)
            return web_view_fail (v, 404, "indicator '%s' is not in the catalogue", a->indicator);
    } else {
        v->indicator = socin_model_indicator (v->model, "PART_EVENTS");
        if (!v->indicator && socin_model_count (v->model, SOCIN_KIND_INDICATOR))
            v->indicator = socin_model_indicator_at (v->model, 1);
    }
    char err[256];
    if (a->period)
        socin_period_parse (a->period, &v->period, err,
                            sizeof err); /* checked with the arguments */
    else {
        int y, m, d;
        socin_date_to_ymd (socin_date_today (), &y, &m, &d);
        v->period = socin_period_of_day (SOCIN_PERIOD_YEAR, socin_date_from_ymd (y - 1, 1, 1));
    }
    socin_period_format (v->period, v->period_text, sizeof v->period_text);
    v->level = a->level ? socin_level_parse (a->level) : 0;
    return 0;
}

/* ---- tokens ---- */

static void
s_on_token (void *arg, size_t slot, ProtobufCMessage *reply, const char *err)
{
    web_view_t *v = arg;
    Socin__V1__RegistryReply *r = (Socin__V1__RegistryReply *)reply;
    if (!r)
        web_view_fail (v, 503, "the registry cannot check the token now: %s",
                       err ? err : "no answer");
    else {
        bool good = !r->error && r->body_case == SOCIN__V1__REGISTRY_REPLY__BODY_TOKEN;
        if (r->error && r->error->code != SOCIN__V1__ERROR_CODE__ERROR_CODE_NOT_FOUND)
            web_view_fail (v, 503, "the registry cannot check the token: %s", r->error->message);
        else {
            web_auth_store (v->ctx->auth, socin_replica_model (v->ctx->replica), v->token,
                            good ? r->token : NULL);
            if (web_auth_lookup (v->ctx->auth, v->token, &v->scope) != 1)
                web_view_fail (v, 401,
                               good ? "the token's territory is outside its reader's"
                                    : "the token is unknown, revoked or expired");
        }
        protobuf_c_message_free_unpacked (reply, NULL);
    }
    if (v->status != 200)
        s_respond (v);
    else
        s_after_auth (v);
}

/* Resolves the token, then goes on (at once, or once the registry answered). */
static void
s_auth (web_view_t *v)
{
    const char *token = v->args.token, *bearer = web_req_header (v->req, "Authorization");
    if (!token && bearer && !strncasecmp (bearer, "Bearer ", 7)) token = bearer + 7;
    if (!token) token = web_req_cookie (v->req, "socin_token");
    if (!token || !*token) {
        s_after_auth (v);
        return;
    }
    v->token = socin_strdup (token);
    int known = web_auth_lookup (v->ctx->auth, token, &v->scope);
    if (known == 0) {
        web_view_fail (v, 401, "the token is unknown, revoked or expired");
        s_respond (v);
        return;
    }
    if (known == 1) {
        s_after_auth (v);
        return;
    }
    Socin__V1__CheckToken check = SOCIN__V1__CHECK_TOKEN__INIT;
    check.token = v->token;
    Socin__V1__RegistryRequest req = SOCIN__V1__REGISTRY_REQUEST__INIT;
    req.body_case = SOCIN__V1__REGISTRY_REQUEST__BODY_CHECK_TOKEN;
    req.check_token = &check;
    web_backend_ask (v->ctx->backend, WEB_REGISTRY, &req.base, s_on_token, v, 0);
}

static void
s_after_auth (web_view_t *v)
{
    if (!v->route) { /* /login with a token */
        if (!v->scope.signed_in) {
            web_view_fail (v, 401, "the token is unknown, revoked or expired");
            s_respond (v);
            return;
        }
        socin_str_t out = SOCIN_STR_INIT, headers = SOCIN_STR_INIT;
        socin_str_printf (
            &headers,
            "Location: %s\nSet-Cookie: socin_token=%s; Path=/; HttpOnly; SameSite=Strict%s\n",
            v->args.next ? v->args.next : "/", v->token, v->ctx->cookie_secure ? "; Secure" : "");
        socin_str_puts (&out, "signed in\n");
        web_req_respond (v->req, 303, "text/plain; charset=utf-8", &out, socin_str_cstr (&headers));
        socin_str_free (&headers);
        socin_info ("web.signed_in", "token=%s peer=%s", v->scope.id, socin_log_q (v->scope.peer));
        return;
    }
    if (!web_view_may (v, v->route->section)) {
        web_view_fail (v, 401, "this page needs a token: sign in");
        s_respond (v);
        return;
    }
    if (s_page_cached (v)) return;
    if (s_resolve (v) == 0) {
        v->planning = true;
        if (v->route->plan) v->route->plan (v);
        v->planning = false;
    }
    if (v->status != 200 || v->pending == 0) s_finish (v);
}

/* ---- entry ---- */

static const web_route_t *
s_route (const char *path, const char **sub)
{
    const web_route_t *tables[] = {web_dashboard_routes, web_page_routes, web_api_routes};
    for (size_t t = 0; t < 3; t++)
        for (const web_route_t *r = tables[t]; r->path; r++) {
            size_t n = strlen (r->path);
            bool prefix = n > 1 && r->path[n - 1] == '/';
            if (prefix ? !strncmp (path, r->path, n) && path[n] && !strchr (path + n, '/')
                       : !strcmp (path, r->path)) {
                *sub = path + (prefix ? n : strlen (path));
                return r;
            }
        }
    return NULL;
}

/* Decodes the value of KEY in an application/x-www-form-urlencoded BODY into OUT. */
static bool
s_form_value (const char *body, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen (key);
    for (const char *p = body; p && *p; p = strchr (p, '&') ? strchr (p, '&') + 1 : NULL) {
        if (strncmp (p, key, klen) || p[klen] != '=') continue;
        size_t n = 0;
        for (const char *c = p + klen + 1; *c && *c != '&' && n + 1 < outlen; c++) {
            unsigned hex;
            if (*c == '+')
                out[n++] = ' ';
            else if (*c == '%' && sscanf (c + 1, "%2x", &hex) == 1) {
                out[n++] = (char)hex;
                c += 2;
            } else
                out[n++] = *c;
        }
        out[n] = 0;
        return true;
    }
    return false;
}

static void
s_static (web_view_t *v, int status, const char *type, const char *text, const char *headers)
{
    socin_str_t out = SOCIN_STR_INIT;
    socin_str_puts (&out, text);
    web_req_respond (v->req, status, type, &out, headers);
}

/* /login: the form, or a token (query or form body) to check and keep in a cookie. */
static void
s_login (web_view_t *v)
{
    char token[SOCIN_TOKEN_LEN + 2] = "", next[MAX_PATH] = "";
    if (!strcmp (web_req_method (v->req), "POST")) {
        if (web_req_body_too_large (v->req)) {
            web_view_fail (v, 413, "the form is too large");
            s_respond (v);
            return;
        }
        const char *body = web_req_body (v->req, NULL);
        s_form_value (body, "token", token, sizeof token);
        if (s_form_value (body, "next", next, sizeof next) && *next &&
            !s_check_value (A_PATH, next))
            v->args.next = next;
        if (!socin_token_valid (token)) {
            socin_str_t out = SOCIN_STR_INIT;
            web_frame_login (&out, v->args.next,
                             "That is not a socin token (socin_ and 64 hex digits).");
            web_req_respond (v->req, 401, "text/html; charset=utf-8", &out, NULL);
            return;
        }
        v->args.token = token;
    }
    if (!v->args.token) {
        socin_str_t out = SOCIN_STR_INIT;
        web_frame_login (&out, v->args.next, NULL);
        web_req_respond (v->req, 200, "text/html; charset=utf-8", &out, NULL);
        return;
    }
    s_auth (v);
}

void
web_view_handle (web_req_t *req, void *arg)
{
    web_ctx_t *ctx = arg;
    web_view_t *v = socin_calloc (1, sizeof *v);
    v->ctx = ctx;
    v->req = req;
    v->status = 200;
    web_req_set_data (req, v);
    ctx->views++;
    const char *path = web_req_path (req), *method = web_req_method (req);
    bool post = !strcmp (method, "POST");
    if (strcmp (method, "GET") && strcmp (method, "HEAD") && !post) {
        web_view_fail (v, 405, "only GET and HEAD (and POST to /login)");
        s_respond (v);
        return;
    }
    /* Paths are fixed names: no file is ever opened from one, and anything else is refused. */
    if (strlen (path) > MAX_PATH || path[0] != '/' || strstr (path, "..") || strstr (path, "//") ||
        !s_chars (path, "/_-.")) {
        web_view_fail (v, 400, "the path is not one this site has");
        s_respond (v);
        return;
    }
    s_argcheck_t check = {v, ""};
    if (web_req_args (req, s_on_arg, &check)) {
        web_view_fail (v, 400, "%s", check.problem);
        s_respond (v);
        return;
    }
    if (!strcmp (path, "/static/socin.css")) {
        s_static (v, 200, "text/css; charset=utf-8", web_frame_css (),
                  "Cache-Control: max-age=3600\n");
        return;
    }
    if (!strcmp (path, "/healthz")) {
        s_static (v, socin_replica_ready (ctx->replica) ? 200 : 503, "text/plain", "ok\n", NULL);
        return;
    }
    if (!strcmp (path, "/login")) {
        s_login (v);
        return;
    }
    if (!strcmp (path, "/logout")) {
        s_static (v, 303, "text/plain", "signed out\n",
                  "Location: /\nSet-Cookie: socin_token=; Path=/; Max-Age=0; HttpOnly; "
                  "SameSite=Strict\n");
        return;
    }
    v->route = post ? NULL : s_route (path, &v->subpath);
    if (!v->route) {
        web_view_fail (v, post ? 405 : 404, "there is no page %s", path);
        s_respond (v);
        return;
    }
    s_auth (v);
}

void
web_view_link (web_view_t *v, socin_str_t *out, const char *path, const char *key,
               const char *value)
{
    socin_str_puts (out, path);
    char sep = '?';
    for (size_t i = 0; i < sizeof s_args / sizeof s_args[0]; i++) {
        const char *name = s_args[i].name;
        if (!strcmp (name, "token") || !strcmp (name, "format") || !strcmp (name, "table") ||
            !strcmp (name, "next"))
            continue;
        const char *val = key && !strcmp (name, key)
                              ? value
                              : *(const char **)((char *)&v->args + s_args[i].offset);
        if (!val || !*val) continue;
        socin_str_printf (out, "%c%s=", sep, name);
        web_url (out, val);
        sep = '&';
    }
    if (key && value && *value) {
        bool known = false;
        for (size_t i = 0; i < sizeof s_args / sizeof s_args[0]; i++)
            known |= !strcmp (s_args[i].name, key);
        if (!known) {
            socin_str_printf (out, "%c%s=", sep, key);
            web_url (out, value);
        }
    }
}
