/*  frame: the HTML around every page of socin-web — head, navigation, who is signed in and
    to which territory, footer with the map's credit — its style sheet, and the sign-in page.
    Plain HTML and one CSS file: no script, nothing from elsewhere, so pages work offline and
    print. */
#ifndef SOCIN_WEB_FRAME_H
#define SOCIN_WEB_FRAME_H

#include "auth.h"
#include "str.h"

/* The whole page: TITLE and BODY inside the frame, the navigation saying who SCOPE is. */
void web_frame_page (socin_str_t *out, const char *title, const web_scope_t *scope,
                     const socin_str_t *body);

/* The style sheet served at /static/socin.css. */
const char *web_frame_css (void);

/* The sign-in page, with an error line when ERROR is given. */
void web_frame_login (socin_str_t *out, const char *next, const char *error);

#endif
