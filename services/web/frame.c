/*  frame: the HTML around every page. See frame.h. */
#include "frame.h"

#include "table.h"

static const char s_css[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:#1a1a1a;background:#fff}\n"
    "header{background:#123a5c;color:#fff;padding:.5em "
    "1em;display:flex;gap:1.5em;align-items:center}\n"
    "header a{color:#fff;text-decoration:none;font-weight:bold}header "
    ".who{margin-left:auto;font-weight:normal}\n"
    "main{padding:0 1em "
    "2em;max-width:1200px}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}\n"
    "table{border-collapse:collapse;margin:.5em "
    "0;font-size:.9em}caption{text-align:left;font-weight:bold;padding:.3em 0}\n"
    "th,td{border-bottom:1px solid #ddd;padding:.2em "
    ".6em;text-align:left}td.n,th.n{text-align:right;"
    "font-variant-numeric:tabular-nums}\n"
    "a.dl{font-weight:normal;font-size:.85em;margin-left:.5em}td.more{color:#666;font-style:italic}"
    "\n"
    ".error{color:#a00;font-weight:bold}.note{color:#555}.big{font-size:2em;font-weight:bold}\n"
    ".met{color:#070}.notmet{color:#a60}nav.crumbs{margin:.8em 0}form.pick{margin:.8em 0}\n"
    "svg{max-width:100%;height:auto}footer{color:#666;font-size:.8em;padding:1em;border-top:1px "
    "solid #ddd}\n"
    "@media print{header,form.pick,a.dl{display:none}}\n";

const char *
web_frame_css (void)
{
    return s_css;
}

void
web_frame_page (socin_str_t *out, const char *title, const web_scope_t *scope,
                const socin_str_t *body)
{
    socin_str_puts (
        out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    web_html (out, title);
    socin_str_puts (
        out, " — socin</title><link rel=\"stylesheet\" href=\"/static/socin.css\"></head>\n<body>\n"
             "<header><a href=\"/\">socin</a><a href=\"/\">Dashboard</a><a href=\"/map\">Map</a>"
             "<a href=\"/api\">API</a><span class=\"who\">");
    if (scope->signed_in) {
        socin_str_puts (out, "signed in as ");
        web_html (out, scope->peer);
        for (int i = 0; i < scope->nroots; i++) {
            socin_str_puts (out, i ? ", " : " (");
            web_html (out, scope->roots[i]);
        }
        socin_str_puts (out, scope->nroots ? ") · <a href=\"/logout\">sign out</a>"
                                           : " · <a href=\"/logout\">sign out</a>");
    } else
        socin_str_puts (out, "public view · <a href=\"/login\">sign in</a>");
    socin_str_puts (out, "</span></header>\n<main>\n<h1>");
    web_html (out, title);
    socin_str_puts (out, "</h1>\n");
    socin_str_append (out, body->data ? body->data : "", body->len);
    socin_str_puts (
        out,
        "</main>\n<footer>socin — social inclusion monitoring. Figures come from socin-reporting"
        " and are exact decimals. Map boundaries: jlacko/powerbi-cesko (MIT), simplified from"
        " ČSÚ codes; see <a href=\"/credits\">credits</a>.</footer>\n</body></html>\n");
}

void
web_frame_login (socin_str_t *out, const char *next, const char *error)
{
    socin_str_puts (out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                         "charset=\"utf-8\"><title>Sign in — socin</title>"
                         "<link rel=\"stylesheet\" "
                         "href=\"/static/socin.css\"></head>\n<body><header><a href=\"/\">socin</a>"
                         "</header><main><h1>Sign in</h1>\n");
    if (error) {
        socin_str_puts (out, "<p class=\"error\">");
        web_html (out, error);
        socin_str_puts (out, "</p>\n");
    }
    socin_str_puts (
        out,
        "<p>Paste the token your administrator gave you (<code>socin token issue</code>).</p>\n"
        "<form method=\"post\" action=\"/login\"><input type=\"password\" name=\"token\" "
        "size=\"72\" "
        "autocomplete=\"off\"><input type=\"hidden\" name=\"next\" value=\"");
    web_html (out, next ? next : "/");
    socin_str_puts (out,
                    "\"> <button type=\"submit\">Sign in</button></form></main></body></html>\n");
}
