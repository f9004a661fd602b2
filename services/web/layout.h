/*  layout: the frame around every page of socin-web — head, navigation, sign-in state,
    footer with the data's stamp and the map's credit — its style sheet, the form that picks
    indicator and period, and the sign-in page. Plain HTML and one CSS file: no script, nothing
    from elsewhere, so pages work offline and print. */
#ifndef SOCIN_WEB_LAYOUT_H
#define SOCIN_WEB_LAYOUT_H

#include "view.h"

/* The whole page: V's title and body inside the frame. */
void web_layout_page (web_view_t *v, socin_str_t *out);

/* The style sheet served at /static/socin.css. */
const char *web_layout_css (void);

/* A GET form to PATH choosing the indicator (from the catalogue) and the period, and the
   level when WITH_LEVEL; it keeps the current unit. */
void web_layout_form (web_view_t *v, socin_str_t *out, const char *path, bool with_level);

/* The breadcrumb from the country down to V's unit (each a link to its page). */
void web_layout_breadcrumb (web_view_t *v, socin_str_t *out);

/* The sign-in page, with an error line when ERROR is given. */
void web_layout_login (socin_str_t *out, const char *next, const char *error);

#endif
