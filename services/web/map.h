/*  map: choropleth maps of kraje and okresy, drawn as SVG on the server.

    The embedded boundaries (embedded.h) are read once at start: each polygon's lon/lat are
    projected equirectangularly with the longitude scaled by cos(49.8°), the middle of
    Czechia, and kept as SVG path text. A map colours each unit by the class of its value
    (quantiles, five classes, a legend with each class's range), gives each a title (hover:
    name and value) and a link to its page; units without a value, or outside the reader's
    scope, are grey. The view box fits the units drawn, so a kraj's okresy fill the picture.
*/
#ifndef SOCIN_WEB_MAP_H
#define SOCIN_WEB_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

typedef struct web_map_t web_map_t;

/* Reads the embedded boundaries; NULL with a message when they do not parse. */
web_map_t *web_map_new (char *err, size_t errlen);
void web_map_destroy (web_map_t **self_p);

/* One unit on a map: its code, name, value ("" for none), link (NULL: none, grey). */
typedef struct {
    const char *code, *name, *value, *href;
    bool in_scope;
} web_map_unit_t;

/* Draws the map of LEVEL ("kraj" or "okres") with the units of UNITS (matched by code; any
   feature not among them is left out when ONLY_LISTED, else drawn grey), titled TITLE with
   the legend's measure MEASURE. Returns the features drawn. */
size_t web_map_svg (web_map_t *self, socin_str_t *out, const char *level, const web_map_unit_t *units,
                    size_t nunits, bool only_listed, const char *title, const char *measure);

/* Features at LEVEL ("kraj" or "okres"). */
size_t web_map_count (web_map_t *self, const char *level);

#endif
