/*  embedded: the map boundaries compiled into socin-web (data/kraje.geojson and
    data/okresy.geojson, MIT, credit in data/CREDITS.md), so the map needs no file at run time. */
#ifndef SOCIN_WEB_EMBEDDED_H
#define SOCIN_WEB_EMBEDDED_H

#include <stddef.h>

const char *web_embedded_kraje (size_t *len);
const char *web_embedded_okresy (size_t *len);
const char *web_embedded_credits (size_t *len);

#endif
