/*  pages: socin-web's pages beyond the dashboard — the choropleth map (/map), a unit's page
    for drilling down country → kraj → okres or ORP → municipality (/unit/CODE), the history
    of one value with its comments (/history), the API's index (/api) and the map's credits
    (/credits). Routes: web_page_routes (view.h). */
#ifndef SOCIN_WEB_PAGES_H
#define SOCIN_WEB_PAGES_H

#include "view.h"

#endif
