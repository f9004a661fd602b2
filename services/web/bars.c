/*  bars: horizontal bar charts. See bars.h. */
#include "bars.h"

#include <stdio.h>
#include <stdlib.h>

#include "table.h"

#define W     640.0
#define LEFT  120.0
#define RIGHT 90.0

static const char *s_colours[] = {"#1a9850", "#91cf60", "#fc8d59", "#999999", "#d9d9d9", "#4575b4"};

static void
s_open (socin_str_t *out, const char *title, double h)
{
    socin_str_printf (
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
        "role=\"img\" aria-label=\"",
        W, h);
    web_html (out, title);
    socin_str_puts (out, "\"><title>");
    web_html (out, title);
    socin_str_puts (out, "</title>\n<g font-size=\"11\" fill=\"#333\">\n");
}

/* A rectangle with its hover title "LABEL: VALUE". */
static void
s_rect (socin_str_t *out, double x, double y, double w, double h, const char *fill,
        const char *label, const char *value)
{
    socin_str_printf (
        out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>", x, y,
        w, h, fill);
    web_html (out, label);
    socin_str_puts (out, ": ");
    web_html (out, value);
    socin_str_puts (out, "</title></rect>\n");
}

void
web_bars_split (socin_str_t *out, const char *title, const char *const *labels,
                const unsigned *counts, size_t n)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += counts[i];
    s_open (out, title, 64);
    double x = 0, span = W;
    for (size_t i = 0; i < n && total; i++) {
        double w = span * counts[i] / total;
        char value[16];
        snprintf (value, sizeof value, "%u", counts[i]);
        s_rect (out, x, 4, w, 26, s_colours[i % 6], labels[i], value);
        x += w;
    }
    for (size_t i = 0; i < n; i++) {
        double lx = (double)i * W / (double)n;
        socin_str_printf (out,
                          "<rect x=\"%.1f\" y=\"42\" width=\"10\" height=\"10\" fill=\"%s\"/><text "
                          "x=\"%.1f\" y=\"51\">",
                          lx, s_colours[i % 6], lx + 14);
        web_html (out, labels[i]);
        socin_str_printf (out, " %u</text>\n", counts[i]);
    }
    socin_str_puts (out, "</g></svg>\n");
}

void
web_bars_pairs (socin_str_t *out, const char *title, const char *const *labels,
                const char *const *a, const char *const *b, size_t n, const char *a_name,
                const char *b_name)
{
    double hi = 0;
    for (size_t i = 0; i < n; i++) {
        double x = web_is_number (a[i]) ? strtod (a[i], NULL) : 0,
               y = web_is_number (b[i]) ? strtod (b[i], NULL) : 0;
        hi = x > hi ? x : hi;
        hi = y > hi ? y : hi;
    }
    if (hi <= 0) hi = 1;
    double pw = W - LEFT - RIGHT, row = 30;
    s_open (out, title, row * (double)n + 30);
    for (size_t i = 0; i < n; i++) {
        double y = row * (double)i + 4;
        const char *pair[2] = {a[i], b[i]};
        socin_str_printf (out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", LEFT - 6,
                          y + 15);
        web_html (out, labels[i]);
        socin_str_puts (out, "</text>\n");
        for (int k = 0; k < 2; k++) {
            double v = web_is_number (pair[k]) ? strtod (pair[k], NULL) : 0;
            s_rect (out, LEFT, y + 12 * k, pw * v / hi, 11, s_colours[k ? 1 : 5],
                    k ? b_name : a_name, *pair[k] ? pair[k] : "0");
            socin_str_printf (out, "<text x=\"%.1f\" y=\"%.1f\">", LEFT + pw * v / hi + 4,
                              y + 12 * k + 9);
            web_html (out, *pair[k] ? pair[k] : "0");
            socin_str_puts (out, "</text>\n");
        }
    }
    double ly = row * (double)n + 14;
    socin_str_printf (out,
                      "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/><text "
                      "x=\"%.1f\" y=\"%.1f\">",
                      LEFT, ly, s_colours[5], LEFT + 14, ly + 9);
    web_html (out, a_name);
    socin_str_printf (out,
                      "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" "
                      "fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">",
                      LEFT + 120, ly, s_colours[1], LEFT + 134, ly + 9);
    web_html (out, b_name);
    socin_str_puts (out, "</text>\n</g></svg>\n");
}
