/*  layout: the parts of a page that follow its request — the form that picks indicator,
    period and level, and the breadcrumb down to the unit. The frame around every page is
    frame.h's. */
#ifndef SOCIN_WEB_LAYOUT_H
#define SOCIN_WEB_LAYOUT_H

#include "view.h"

/* A GET form to PATH choosing the indicator (from the catalogue) and the period, and the
   level when WITH_LEVEL; it keeps the current unit. */
void web_layout_form (web_view_t *v, socin_str_t *out, const char *path, bool with_level);

/* The breadcrumb from the country down to V's unit (each a link to its page). */
void web_layout_breadcrumb (web_view_t *v, socin_str_t *out);

#endif
