/*  layout: the parts of a page that follow the request: form and breadcrumb. See layout.h. */
#include "layout.h"

#include <string.h>

void
web_layout_form (web_view_t *v, socin_str_t *out, const char *path, bool with_level)
{
    socin_str_puts (out, "<form class=\"pick\" method=\"get\" action=\"");
    web_html (out, path);
    socin_str_puts (out, "\"><label>Indicator <select name=\"indicator\">");
    size_t n = socin_model_count (v->model, SOCIN_KIND_INDICATOR);
    for (uint32_t i = 1; i <= n; i++) {
        const socin_indicator_t *ind = socin_model_indicator_at (v->model, i);
        socin_str_puts (out, "<option value=\"");
        web_html (out, ind->code);
        socin_str_puts (out, ind == v->indicator ? "\" selected>" : "\">");
        web_html (out, ind->pb->name_en && *ind->pb->name_en ? ind->pb->name_en : ind->pb->name_cs);
        socin_str_puts (out, "</option>");
    }
    socin_str_puts (out,
                    "</select></label> <label>Period <input name=\"period\" size=\"8\" value=\"");
    web_html (out, v->period_text);
    socin_str_puts (out, "\"></label>");
    if (with_level) {
        socin_str_puts (out, " <label>Level <select name=\"level\">");
        static const char *levels[] = {"kraj", "okres"};
        for (int i = 0; i < 2; i++)
            socin_str_printf (out, "<option%s>%s</option>",
                              v->level == socin_level_parse (levels[i]) ? " selected" : "",
                              levels[i]);
        socin_str_puts (out, "</select></label>");
    }
    if (v->args.unit) {
        socin_str_puts (out, "<input type=\"hidden\" name=\"unit\" value=\"");
        web_html (out, v->args.unit);
        socin_str_puts (out, "\">");
    }
    socin_str_puts (out, " <button type=\"submit\">Show</button></form>\n");
}

static void
s_crumb (web_view_t *v, socin_str_t *out, const socin_unit_t *u, bool link)
{
    if (link) {
        socin_str_t href = SOCIN_STR_INIT;
        socin_str_printf (&href, "/unit/%s", u->code);
        socin_str_puts (out, "<a href=\"");
        web_view_link (v, out, socin_str_cstr (&href), "unit", NULL);
        socin_str_puts (out, "\">");
        socin_str_free (&href);
    }
    web_html (out, u->pb->name);
    if (link) socin_str_puts (out, "</a>");
}

void
web_layout_breadcrumb (web_view_t *v, socin_str_t *out)
{
    socin_str_puts (out, "<nav class=\"crumbs\">");
    /* Country, kraj, then ORP and okres (both paths), then the municipality. */
    const socin_unit_t *u = v->unit;
    uint32_t chain[] = {u->country, u->kraj, u->orp, u->okres, u->municipality};
    bool first = true;
    for (size_t i = 0; i < sizeof chain / sizeof chain[0]; i++) {
        if (!chain[i] || chain[i] == u->id) continue;
        const socin_unit_t *a = socin_model_unit_at (v->model, chain[i]);
        if (!a) continue;
        if (!first) socin_str_puts (out, i == 3 ? " / " : " › ");
        s_crumb (v, out, a, web_scope_allows (&v->scope, v->model, a));
        first = false;
    }
    if (!first) socin_str_puts (out, " › ");
    s_crumb (v, out, u, false);
    socin_str_puts (out, "</nav>\n");
}
