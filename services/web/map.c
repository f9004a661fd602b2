/*  map: choropleth SVG maps of kraje and okresy. See map.h. */
#include "map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "json.h"
#include "log.h"
#include "table.h"

#define SCALE   100.0 /* SVG units per degree of latitude */
#define LON0    12.0
#define LAT_TOP 51.1
#define CLASSES 5

static const char *s_palette[CLASSES] = {"#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"};
static const char *s_no_data = "#d9d9d9";

typedef struct {
    char *code, *name;
    socin_str_t path;
    double minx, miny, maxx, maxy;
} s_feature_t;

typedef struct {
    s_feature_t *items;
    size_t n;
} s_layer_t;

struct web_map_t {
    s_layer_t kraje, okresy;
};

/* ---- reading GeoJSON ---- */

typedef struct {
    socin_json_t *json;
    s_feature_t *f;
    bool ring_open;
    double coslat;
} s_reader_t;

static void
s_point (s_reader_t *r, double lon, double lat)
{
    double x = (lon - LON0) * r->coslat * SCALE, y = (LAT_TOP - lat) * SCALE;
    s_feature_t *f = r->f;
    socin_str_printf (&f->path, r->ring_open ? " %.1f %.1f" : "M%.1f %.1f", x, y);
    r->ring_open = true;
    if (x < f->minx) f->minx = x;
    if (x > f->maxx) f->maxx = x;
    if (y < f->miny) f->miny = y;
    if (y > f->maxy) f->maxy = y;
}

/* After an ARRAY token: 1 when it was a position, 2 a ring of positions, 3 anything else;
   -1 when broken. */
static int
s_coords (s_reader_t *r)
{
    const char *text;
    socin_json_token_t t = socin_json_next (r->json, &text, NULL);
    if (t == SOCIN_JSON_NUMBER) {
        double lon = strtod (text, NULL);
        if (socin_json_next (r->json, &text, NULL) != SOCIN_JSON_NUMBER) return -1;
        double lat = strtod (text, NULL);
        while ((t = socin_json_next (r->json, NULL, NULL)) == SOCIN_JSON_NUMBER)
            ; /* an altitude */
        if (t != SOCIN_JSON_ARRAY_END) return -1;
        s_point (r, lon, lat);
        return 1;
    }
    bool points = false;
    for (; t == SOCIN_JSON_ARRAY; t = socin_json_next (r->json, NULL, NULL)) {
        int kind = s_coords (r);
        if (kind < 0) return -1;
        points |= kind == 1;
    }
    if (t != SOCIN_JSON_ARRAY_END) return -1;
    if (points) {
        socin_str_puts (&r->f->path, "Z");
        r->ring_open = false;
        return 2;
    }
    return 3;
}

/* Reads an object's members, calling FN for each key (FN reads or skips the value). */
static int
s_object (s_reader_t *r, int (*fn) (s_reader_t *r, const char *key, void *arg), void *arg)
{
    const char *text;
    socin_json_token_t t;
    while ((t = socin_json_next (r->json, &text, NULL)) == SOCIN_JSON_KEY) {
        char key[64];
        snprintf (key, sizeof key, "%s", text);
        if (fn (r, key, arg)) return -1;
    }
    return t == SOCIN_JSON_OBJECT_END ? 0 : -1;
}

static int
s_skip_value (s_reader_t *r)
{
    return socin_json_skip (r->json, socin_json_next (r->json, NULL, NULL));
}

static int
s_on_property (s_reader_t *r, const char *key, void *arg)
{
    const char *code_key = arg, *text;
    socin_json_token_t t = socin_json_next (r->json, &text, NULL);
    if (t == SOCIN_JSON_STRING && !strcmp (key, code_key))
        r->f->code = socin_strdup (text);
    else if (t == SOCIN_JSON_STRING && strstr (key, "_nazev"))
        r->f->name = socin_strdup (text);
    else
        return socin_json_skip (r->json, t);
    return 0;
}

static int
s_on_geometry (s_reader_t *r, const char *key, void *arg)
{
    if (strcmp (key, "coordinates")) return s_skip_value (r);
    if (socin_json_next (r->json, NULL, NULL) != SOCIN_JSON_ARRAY) return -1;
    return s_coords (r) < 0 ? -1 : 0;
}

static int
s_on_feature (s_reader_t *r, const char *key, void *arg)
{
    if (!strcmp (key, "properties") || !strcmp (key, "geometry")) {
        if (socin_json_next (r->json, NULL, NULL) != SOCIN_JSON_OBJECT) return -1;
        return s_object (r, !strcmp (key, "properties") ? s_on_property : s_on_geometry, arg);
    }
    return s_skip_value (r);
}

static int
s_on_top (s_reader_t *r, const char *key, void *arg)
{
    if (strcmp (key, "features")) return s_skip_value (r);
    s_layer_t *layer = ((void **)arg)[0];
    if (socin_json_next (r->json, NULL, NULL) != SOCIN_JSON_ARRAY) return -1;
    socin_json_token_t t;
    while ((t = socin_json_next (r->json, NULL, NULL)) == SOCIN_JSON_OBJECT) {
        layer->items = socin_realloc (layer->items, (layer->n + 1) * sizeof *layer->items);
        r->f = &layer->items[layer->n++];
        *r->f = (s_feature_t){NULL, NULL, SOCIN_STR_INIT, 1e9, 1e9, -1e9, -1e9};
        if (s_object (r, s_on_feature, ((void **)arg)[1])) return -1;
        if (!r->f->code) return -1;
        if (!r->f->name) r->f->name = socin_strdup (r->f->code);
    }
    return t == SOCIN_JSON_ARRAY_END ? 0 : -1;
}

static int
s_read (s_layer_t *layer, const char *data, size_t len, const char *code_key, char *err,
        size_t errlen)
{
    s_reader_t r = {socin_json_new (data, len), NULL, false, cos (49.8 * M_PI / 180.0)};
    void *args[2] = {layer, (void *)code_key};
    int rc = socin_json_next (r.json, NULL, NULL) == SOCIN_JSON_OBJECT
                 ? s_object (&r, s_on_top, args)
                 : -1;
    if (rc)
        snprintf (err, errlen, "map boundaries (%s) do not parse: line %zu %s", code_key,
                  socin_json_line (r.json), socin_json_error (r.json));
    socin_json_destroy (&r.json);
    return rc;
}

static void
s_layer_free (s_layer_t *layer)
{
    for (size_t i = 0; i < layer->n; i++) {
        free (layer->items[i].code);
        free (layer->items[i].name);
        socin_str_free (&layer->items[i].path);
    }
    free (layer->items);
}

web_map_t *
web_map_new (char *err, size_t errlen)
{
    web_map_t *self = socin_calloc (1, sizeof *self);
    size_t klen, olen;
    const char *kraje = web_embedded_kraje (&klen), *okresy = web_embedded_okresy (&olen);
    if (s_read (&self->kraje, kraje, klen, "kraj_nuts3", err, errlen) ||
        s_read (&self->okresy, okresy, olen, "okres_nuts_kod", err, errlen)) {
        web_map_destroy (&self);
        return NULL;
    }
    return self;
}

void
web_map_destroy (web_map_t **self_p)
{
    web_map_t *self = *self_p;
    if (!self) return;
    s_layer_free (&self->kraje);
    s_layer_free (&self->okresy);
    free (self);
    *self_p = NULL;
}

size_t
web_map_count (web_map_t *self, const char *level)
{
    return strcmp (level, "okres") ? self->kraje.n : self->okresy.n;
}

/* ---- drawing ---- */

typedef struct {
    double value;
    const char *text;
} s_val_t;

static int
s_cmp_val (const void *a, const void *b)
{
    double x = ((const s_val_t *)a)->value, y = ((const s_val_t *)b)->value;
    return x < y ? -1 : x > y;
}

/* Class breaks by quantiles: class k holds the values sorted[lo[k]..lo[k+1]-1]. */
static int
s_class (const s_val_t *sorted, size_t n, const size_t *lo, int nclasses, double value)
{
    for (int k = nclasses - 1; k > 0; k--)
        if (lo[k] < n && value >= sorted[lo[k]].value) return k;
    return 0;
}

static const char *
s_fill (int k, int nclasses)
{
    if (k < 0) return s_no_data;
    return s_palette[nclasses == CLASSES ? k
                                         : k * (CLASSES - 1) / (nclasses > 1 ? nclasses - 1 : 1)];
}

/* The legend at X, Y in text units of U (the map's size over 64). */
static void
s_legend (socin_str_t *out, const s_val_t *sorted, size_t n, const size_t *lo, int nclasses,
          double x, double y, double u, const char *measure)
{
    socin_str_printf (
        out, "<g class=\"legend\" font-size=\"%.2f\" fill=\"#222\"><text x=\"%.1f\" y=\"%.1f\">", u,
        x, y);
    web_html (out, measure);
    socin_str_puts (out, "</text>\n");
    for (int k = 0; k <= nclasses; k++) {
        double ky = y + 0.8 * u + k * 1.6 * u;
        socin_str_printf (out,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" "
                          "stroke=\"#888\" "
                          "stroke-width=\"%.2f\"/><text x=\"%.1f\" y=\"%.1f\">",
                          x, ky, 1.4 * u, 1.3 * u, s_fill (k < nclasses ? k : -1, nclasses), u / 20,
                          x + 2 * u, ky + 1.05 * u);
        if (k == nclasses) {
            socin_str_puts (out, "no value</text>\n");
            break;
        }
        size_t first = lo[k], last = (k + 1 < nclasses ? lo[k + 1] : n) - 1;
        web_html (out, sorted[first].text);
        if (last != first) {
            socin_str_puts (out, " – ");
            web_html (out, sorted[last].text);
        }
        socin_str_puts (out, "</text>\n");
    }
    socin_str_puts (out, "</g>\n");
}

static const web_map_unit_t *
s_unit_of (const web_map_unit_t *units, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp (units[i].code, code)) return &units[i];
    return NULL;
}

size_t
web_map_svg (web_map_t *self, socin_str_t *out, const char *level, const web_map_unit_t *units,
             size_t nunits, bool only_listed, const char *title, const char *measure)
{
    const s_layer_t *layer = strcmp (level, "okres") ? &self->kraje : &self->okresy;
    /* The values of the units drawn, sorted, and their quantile classes. */
    s_val_t *vals = socin_calloc (nunits + 1, sizeof *vals);
    size_t n = 0;
    double minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
    for (size_t i = 0; i < layer->n; i++) {
        const s_feature_t *f = &layer->items[i];
        const web_map_unit_t *u = s_unit_of (units, nunits, f->code);
        if (only_listed && (!u || !u->in_scope)) continue;
        if (f->minx < minx) minx = f->minx;
        if (f->miny < miny) miny = f->miny;
        if (f->maxx > maxx) maxx = f->maxx;
        if (f->maxy > maxy) maxy = f->maxy;
        if (u && u->in_scope && web_is_number (u->value))
            vals[n++] = (s_val_t){strtod (u->value, NULL), u->value};
    }
    qsort (vals, n, sizeof *vals, s_cmp_val);
    int nclasses = n < CLASSES ? (int)n : CLASSES;
    size_t lo[CLASSES] = {0};
    for (int k = 0; k < nclasses; k++)
        lo[k] = (size_t)k * n / (size_t)nclasses;
    if (minx > maxx) minx = miny = 0, maxx = maxy = 100;
    double w = maxx - minx, h = maxy - miny, pad = 0.03 * (w > h ? w : h);
    double em = (w > h ? w : h) / 64, legend = 16 * em;
    socin_str_printf (
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"%.1f %.1f %.1f %.1f\" "
        "role=\"img\" aria-label=\"",
        minx - pad, miny - pad, w + 2 * pad + legend, h + 2 * pad);
    web_html (out, title);
    socin_str_puts (out, "\"><title>");
    web_html (out, title);
    socin_str_printf (
        out, "</title>\n<g stroke=\"#ffffff\" stroke-width=\"%.2f\" stroke-linejoin=\"round\">\n",
        em / 12);
    size_t drawn = 0;
    for (size_t i = 0; i < layer->n; i++) {
        const s_feature_t *f = &layer->items[i];
        const web_map_unit_t *u = s_unit_of (units, nunits, f->code);
        bool shown = u && u->in_scope;
        if (only_listed && !shown) continue;
        bool has = shown && web_is_number (u->value);
        int k = has ? s_class (vals, n, lo, nclasses, strtod (u->value, NULL)) : -1;
        const char *fill = s_fill (k, nclasses);
        if (shown && u->href) {
            socin_str_puts (out, "<a href=\"");
            web_html (out, u->href);
            socin_str_puts (out, "\">");
        }
        socin_str_puts (out, "<path data-code=\"");
        web_html (out, f->code);
        if (shown) {
            socin_str_puts (out, "\" data-value=\"");
            web_html (out, u->value);
        }
        socin_str_printf (out, "\" fill=\"%s\" d=\"%s\"><title>", fill, socin_str_cstr (&f->path));
        web_html (out, shown && u->name ? u->name : f->name);
        if (shown) {
            socin_str_puts (out, ": ");
            web_html (out, *u->value ? u->value : "no value");
        }
        socin_str_puts (out, "</title></path>");
        socin_str_puts (out, shown && u->href ? "</a>\n" : "\n");
        drawn++;
    }
    socin_str_puts (out, "</g>\n");
    if (n) s_legend (out, vals, n, lo, nclasses, maxx + pad, miny + 1.5 * em, em, measure);
    socin_str_puts (out, "</svg>\n");
    free (vals);
    return drawn;
}
