/*  api: socin-web's read-only JSON API (/api/...), mirroring reporting's queries and the
    DHIS2-style pivot (dx = indicators, pe = periods, ou = units and LEVEL-name), answered by
    fanning the question out into report requests. Each answer is {"title", "tables": [...]}
    (one table with table=ID; CSV with format=csv), limited to the token's territory.
    docs/web.md documents each endpoint. Routes: web_api_routes (view.h). */
#ifndef SOCIN_WEB_API_H
#define SOCIN_WEB_API_H

#include "view.h"

#endif
