/*  chart: SVG time series. See chart.h. */
#include "chart.h"

#include <math.h>
#include <stdlib.h>

#include "table.h"

#define W      640.0
#define H      220.0
#define LEFT   64.0
#define RIGHT  16.0
#define TOP    16.0
#define BOTTOM 34.0

/* A round step for about four gridlines over SPAN. */
static double
s_step (double span)
{
    double raw = span / 4, mag = pow (10, floor (log10 (raw))), f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

void
web_chart_series (socin_str_t *out, const char *title, const char *const *labels, const char *const *values, size_t n)
{
    double lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++)
        if (web_is_number (values[i])) {
            double x = strtod (values[i], NULL);
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    if (hi <= lo) hi = lo + 1;
    double step = s_step (hi - lo);
    hi = ceil (hi / step) * step;
    lo = floor (lo / step) * step;
    double pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM, dx = n > 1 ? pw / (double) (n - 1) : 0;
    socin_str_printf (out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
                           "role=\"img\" aria-label=\"", W, H);
    web_html (out, title);
    socin_str_puts (out, "\"><title>");
    web_html (out, title);
    socin_str_puts (out, "</title>\n<g font-size=\"10\" fill=\"#444\">\n");
    for (double g = lo; g <= hi + step / 2; g += step) {
        double y = TOP + ph - (g - lo) / (hi - lo) * ph;
        socin_str_printf (out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                          LEFT, W - RIGHT, y, y, LEFT - 6, y + 3.5, g);
    }
    for (size_t i = 0; i < n; i++) {
        socin_str_printf (out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", LEFT + dx * (double) i, H - BOTTOM + 16);
        web_html (out, labels[i]);
        socin_str_puts (out, "</text>\n");
    }
    socin_str_puts (out, "</g>\n<path fill=\"none\" stroke=\"#2c7fb8\" stroke-width=\"2\" d=\"");
    bool pen = false;
    for (size_t i = 0; i < n; i++) {
        if (!web_is_number (values[i])) {
            pen = false;
            continue;
        }
        double y = TOP + ph - (strtod (values[i], NULL) - lo) / (hi - lo) * ph;
        socin_str_printf (out, "%s%.1f %.1f", pen ? " L" : " M", LEFT + dx * (double) i, y);
        pen = true;
    }
    socin_str_puts (out, "\"/>\n");
    for (size_t i = 0; i < n; i++) {
        if (!web_is_number (values[i])) continue;
        double y = TOP + ph - (strtod (values[i], NULL) - lo) / (hi - lo) * ph;
        socin_str_printf (out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#253494\" data-period=\"", LEFT + dx * (double) i, y);
        web_html (out, labels[i]);
        socin_str_puts (out, "\" data-value=\"");
        web_html (out, values[i]);
        socin_str_puts (out, "\"><title>");
        web_html (out, labels[i]);
        socin_str_puts (out, ": ");
        web_html (out, values[i]);
        socin_str_puts (out, "</title></circle>\n");
    }
    socin_str_puts (out, "</svg>\n");
}
