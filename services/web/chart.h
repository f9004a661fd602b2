/*  chart: time series drawn as SVG on the server — a line over the periods, a marker per
    value with its exact figure as the title (hover), gaps where a period has no value, a
    y axis from zero (or the lowest value when below zero) with four gridlines. */
#ifndef SOCIN_WEB_CHART_H
#define SOCIN_WEB_CHART_H

#include <stddef.h>

#include "str.h"

/* Draws N points: LABELS[i] (periods) and VALUES[i] (exact decimal text, "" for none). */
void web_chart_series (socin_str_t *out, const char *title, const char *const *labels, const char *const *values,
                       size_t n);

#endif
