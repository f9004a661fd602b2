/*  results: every figure of the run, printed as a table and written as JSON.

    A figure has socin's value, PostgreSQL's (when the comparison has one), socin ÷ PostgreSQL
    and which side is better by it (higher is better for rates, lower for latencies, sizes and
    times), the target from the issue and whether it is met, and a note saying what bounded it
    when that can be told.
*/
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

typedef struct {
    char section[32], name[96], unit[24], note[1200];
    b_better_t better;
    double socin, pg, target;
    bool machine;
} s_fig_t;

static s_fig_t s_figs[160];
static int s_nfigs;
static char s_meta[64][2][256];
static int s_nmeta;

void
b_result (const char *section, const char *name, const char *unit, b_better_t better, double socin,
          double pg, double target, const char *note)
{
    if (s_nfigs == (int) (sizeof s_figs / sizeof s_figs[0])) return;
    s_fig_t *f = &s_figs[s_nfigs++];
    memset (f, 0, sizeof *f);
    snprintf (f->section, sizeof f->section, "%s", section);
    snprintf (f->name, sizeof f->name, "%s", name);
    snprintf (f->unit, sizeof f->unit, "%s", unit);
    snprintf (f->note, sizeof f->note, "%s", note ? note : "");
    f->better = better;
    f->socin = socin;
    f->pg = pg;
    f->target = target;
}

void
b_result_machine (const char *name, const char *unit, double value, const char *note)
{
    b_result ("machine", name, unit, B_HIGHER, value, NAN, NAN, note);
    s_figs[s_nfigs - 1].machine = true;
}

static s_fig_t *
s_find (const char *name)
{
    for (int i = 0; i < s_nfigs; i++)
        if (!strcmp (s_figs[i].name, name)) return &s_figs[i];
    return NULL;
}

double
b_result_value (const char *name)
{
    s_fig_t *f = s_find (name);
    return f ? f->socin : NAN;
}

void
b_result_set_pg (const char *name, double pg)
{
    s_fig_t *f = s_find (name);
    if (f) f->pg = pg;
}

void
b_result_set_note (const char *name, const char *note)
{
    s_fig_t *f = s_find (name);
    if (f) snprintf (f->note, sizeof f->note, "%s", note);
}

void
b_meta (const char *key, const char *fmt, ...)
{
    if (s_nmeta == 64) return;
    snprintf (s_meta[s_nmeta][0], sizeof s_meta[0][0], "%s", key);
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (s_meta[s_nmeta][1], sizeof s_meta[0][1], fmt, ap);
    va_end (ap);
    s_nmeta++;
}

void
b_meta_num (const char *key, double value)
{
    b_meta (key, "\x01%.17g", value);
}

/* ---- the table ---- */

static void
s_num (double v, const char *unit, char *out, size_t len)
{
    if (isnan (v)) {
        snprintf (out, len, "-");
        return;
    }
    double a = fabs (v);
    if (a >= 10000) {
        /* Thousands separated: 1,234,567 */
        char digits[64];
        snprintf (digits, sizeof digits, "%.0f", a);
        size_t n = strlen (digits), w = 0;
        char tmp[96];
        if (v < 0) tmp[w++] = '-';
        for (size_t i = 0; i < n; i++) {
            if (i && (n - i) % 3 == 0) tmp[w++] = ',';
            tmp[w++] = digits[i];
        }
        tmp[w] = 0;
        snprintf (out, len, "%s", tmp);
    }
    else if (a >= 100)
        snprintf (out, len, "%.0f", v);
    else if (a >= 10)
        snprintf (out, len, "%.1f", v);
    else if (a >= 1)
        snprintf (out, len, "%.2f", v);
    else
        snprintf (out, len, "%.3f", v);
    (void) unit;
}

static bool
s_met (const s_fig_t *f)
{
    if (f->better == B_LOWER) return f->socin <= f->target;
    return f->socin >= f->target;
}

/* Prints TEXT padded to WIDTH characters (UTF-8 aware), right-aligned when RIGHT. */
static void
s_cell (FILE *out, const char *text, int width, bool right)
{
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        if ((*p & 0xC0) != 0x80) chars++;
    int pad = width > chars ? width - chars : 0;
    if (right) fprintf (out, "%*s", pad, "");
    fputs (text, out);
    if (!right) fprintf (out, "%*s", pad, "");
}

static void
s_row (FILE *out, const char *name, const char *unit, const char *a, const char *b, const char *r, const char *better,
       const char *t, const char *met)
{
    fputs ("  ", out);
    s_cell (out, name, 60, false);
    fputc (' ', out);
    s_cell (out, unit, 9, false);
    fputc (' ', out);
    s_cell (out, a, 13, true);
    fputc (' ', out);
    s_cell (out, b, 13, true);
    fputc (' ', out);
    s_cell (out, r, 9, true);
    fputc (' ', out);
    s_cell (out, better, 6, false);
    fputc (' ', out);
    s_cell (out, t, 11, true);
    fputc (' ', out);
    s_cell (out, met, 4, false);
    fputc ('\n', out);
}

void
b_results_print (FILE *out)
{
    const char *section = "";
    fputc ('\n', out);
    s_row (out, "figure", "unit", "socin", "PostgreSQL", "socin÷PG", "better", "target", "met");
    for (int i = 0; i < 140; i++) fputc ('-', out);
    fputc ('\n', out);
    int notes = 0;
    for (int i = 0; i < s_nfigs; i++) {
        s_fig_t *f = &s_figs[i];
        if (f->machine) continue;
        if (strcmp (section, f->section)) {
            section = f->section;
            fprintf (out, "[%s]\n", section);
        }
        char a[32], b[32], r[32] = "-", t[48] = "-", met[8] = "", better[8] = "";
        s_num (f->socin, f->unit, a, sizeof a);
        s_num (f->pg, f->unit, b, sizeof b);
        if (!isnan (f->socin) && !isnan (f->pg) && f->pg != 0) {
            double ratio = f->socin / f->pg;
            snprintf (r, sizeof r, ratio >= 100 ? "%.0f" : ratio >= 10 ? "%.1f" : ratio >= 0.1 ? "%.2f" : "%.1e", ratio);
            if (f->better != B_INFO)
                snprintf (better, sizeof better, "%s",
                          ratio == 1 ? "=" : (ratio > 1) == (f->better == B_HIGHER) ? "socin" : "PG");
        }
        if (!isnan (f->target)) {
            char tv[32];
            s_num (f->target, f->unit, tv, sizeof tv);
            snprintf (t, sizeof t, "%s%s", f->better == B_LOWER ? "<" : "≥", tv);
            snprintf (met, sizeof met, "%s", isnan (f->socin) ? "?" : s_met (f) ? "yes" : "NO");
        }
        char name[128];
        snprintf (name, sizeof name, "%s%s", f->name, f->note[0] ? " *" : "");
        if (f->note[0]) notes++;
        s_row (out, name, f->unit, a, b, r, better, t, met);
    }
    fprintf (out, "\nMachine limits (measured in this run):\n");
    for (int i = 0; i < s_nfigs; i++) {
        s_fig_t *f = &s_figs[i];
        if (!f->machine) continue;
        char a[32];
        s_num (f->socin, f->unit, a, sizeof a);
        fprintf (out, "  %-58s %13s %s%s%s\n", f->name, a, f->unit, f->note[0] ? "  " : "", f->note);
    }
    if (notes) {
        fprintf (out, "\nNotes (* above): what the figure means, and what bounded it\n");
        for (int i = 0; i < s_nfigs; i++)
            if (!s_figs[i].machine && s_figs[i].note[0])
                fprintf (out, "  %s: %s\n", s_figs[i].name, s_figs[i].note);
    }
    fprintf (out, "\nsocin÷PG is socin's figure divided by PostgreSQL's; 'better' says whose figure is better "
                  "(higher rates, lower latencies, sizes and times).\n");
}

/* ---- JSON ---- */

static void
s_json_str (FILE *f, const char *s)
{
    fputc ('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\')
            fprintf (f, "\\%c", c);
        else if (c == '\n')
            fputs ("\\n", f);
        else if (c < 0x20)
            fprintf (f, "\\u%04x", c);
        else
            fputc (c, f);
    }
    fputc ('"', f);
}

static void
s_json_num (FILE *f, double v)
{
    if (isnan (v) || isinf (v))
        fputs ("null", f);
    else if (v == floor (v) && fabs (v) < 1e15)
        fprintf (f, "%.0f", v);
    else
        fprintf (f, "%.6g", v);
}

int
b_results_write_json (const char *path)
{
    FILE *f = fopen (path, "w");
    if (!f) return -1;
    time_t now = time (NULL);
    char when[32];
    strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime (&now));
    fprintf (f, "{\n  \"generated\": \"%s\",\n  \"run\": {", when);
    for (int i = 0; i < s_nmeta; i++) {
        fprintf (f, "%s\n    ", i ? "," : "");
        s_json_str (f, s_meta[i][0]);
        fputs (": ", f);
        if (s_meta[i][1][0] == '\x01')
            s_json_num (f, atof (s_meta[i][1] + 1));
        else
            s_json_str (f, s_meta[i][1]);
    }
    fputs ("\n  },\n  \"figures\": [", f);
    int n = 0;
    for (int i = 0; i < s_nfigs; i++) {
        s_fig_t *x = &s_figs[i];
        if (x->machine) continue;
        fprintf (f, "%s\n    {\"section\": ", n++ ? "," : "");
        s_json_str (f, x->section);
        fputs (", \"figure\": ", f);
        s_json_str (f, x->name);
        fputs (", \"unit\": ", f);
        s_json_str (f, x->unit);
        fprintf (f, ", \"better\": \"%s\", \"socin\": ",
                 x->better == B_HIGHER ? "higher" : x->better == B_LOWER ? "lower" : "info");
        s_json_num (f, x->socin);
        fputs (", \"postgresql\": ", f);
        s_json_num (f, x->pg);
        fputs (", \"socin_div_postgresql\": ", f);
        s_json_num (f, !isnan (x->socin) && !isnan (x->pg) && x->pg != 0 ? x->socin / x->pg : NAN);
        fputs (", \"target\": ", f);
        s_json_num (f, x->target);
        fputs (", \"met\": ", f);
        fputs (isnan (x->target) || isnan (x->socin) ? "null" : s_met (x) ? "true" : "false", f);
        fputs (", \"note\": ", f);
        s_json_str (f, x->note);
        fputc ('}', f);
    }
    fputs ("\n  ],\n  \"machine\": [", f);
    n = 0;
    for (int i = 0; i < s_nfigs; i++) {
        s_fig_t *x = &s_figs[i];
        if (!x->machine) continue;
        fprintf (f, "%s\n    {\"figure\": ", n++ ? "," : "");
        s_json_str (f, x->name);
        fputs (", \"unit\": ", f);
        s_json_str (f, x->unit);
        fputs (", \"value\": ", f);
        s_json_num (f, x->socin);
        fputs (", \"note\": ", f);
        s_json_str (f, x->note);
        fputc ('}', f);
    }
    fputs ("\n  ]\n}\n", f);
    return fclose (f) ? -1 : 0;
}
