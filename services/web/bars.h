/*  bars: horizontal bar charts drawn as SVG on the server — one bar split into parts (the
    measures of a plan by status) and pairs of bars per label (planned and spent money by
    funding source), each part and bar with its exact figure as its title (hover). */
#ifndef SOCIN_WEB_BARS_H
#define SOCIN_WEB_BARS_H

#include <stddef.h>

#include "str.h"

/* One bar of N parts: LABELS[i] with COUNTS[i], in that order, with a legend. */
void web_bars_split (socin_str_t *out, const char *title, const char *const *labels,
                     const unsigned *counts, size_t n);

/* Two bars for each of N labels: A[i] and B[i] (exact decimal text, "" as 0), named A_NAME
   and B_NAME in the legend, on one scale. */
void web_bars_pairs (socin_str_t *out, const char *title, const char *const *labels,
                     const char *const *a, const char *const *b, size_t n, const char *a_name,
                     const char *b_name);

#endif
