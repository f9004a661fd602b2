/*  ruleexpr: validation rule sides. See ruleexpr.h. */
#include "ruleexpr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static const char *
s_skip (const char *p)
{
    while (isspace ((unsigned char)*p))
        p++;
    return p;
}

/* A decimal at *P (digits and one dot): 0 with *OUT, -1 with ERR. */
static int
s_number (const char **p, socin_dec_t *out, char *err, size_t errlen)
{
    const char *start = *p, *q = start;
    while (isdigit ((unsigned char)*q) || *q == '.')
        q++;
    char why[160];
    if (q == start || socin_dec_parse (start, (size_t)(q - start), out, why, sizeof why))
        return socin_error_set (err, errlen, "'%.*s' is not a number: %s", (int)(q - start), start,
                                q == start ? "no digits" : why);
    *p = q;
    return 0;
}

static int
s_cmp_str (const void *a, const void *b)
{
    return strcmp (*(char *const *)a, *(char *const *)b);
}

/* Sorts PATTERN's comma-separated pairs (in place), as canonical disaggregations are. */
static void
s_sort_pairs (char *pattern)
{
    char copy[200], *items[32], *save = NULL;
    int n = 0;
    snprintf (copy, sizeof copy, "%s", pattern);
    for (char *it = strtok_r (copy, ",", &save); it && n < 32; it = strtok_r (NULL, ",", &save))
        items[n++] = it;
    qsort (items, (size_t)n, sizeof *items, s_cmp_str);
    size_t w = 0;
    for (int i = 0; i < n; i++)
        w += (size_t)snprintf (pattern + w, 200 - w, "%s%s", i ? "," : "", items[i]);
}

/* An indicator code with its optional {pattern} at *P into T. */
static int
s_atom (const char **p, socin_rule_term_t *t, char *err, size_t errlen)
{
    const char *q = *p;
    size_t n = 0;
    while (isalnum ((unsigned char)q[n]) || q[n] == '_')
        n++;
    if (n == 0 || n >= sizeof t->indicator)
        return socin_error_set (err, errlen, "expected an indicator code or a number at '%s'", q);
    memcpy (t->indicator, q, n);
    t->indicator[n] = 0;
    q += n;
    if (*q == '{') {
        const char *close = strchr (q, '}');
        size_t len = close ? (size_t)(close - q - 1) : 0;
        if (!close || len >= sizeof t->pattern)
            return socin_error_set (err, errlen, "%s{ has no closing } (or is too long)",
                                    t->indicator);
        t->braces = true;
        size_t w = 0;
        for (size_t i = 0; i < len; i++)
            if (!isspace ((unsigned char)q[1 + i])) t->pattern[w++] = q[1 + i];
        t->pattern[w] = 0;
        s_sort_pairs (t->pattern);
        q = close + 1;
    }
    *p = q;
    return 0;
}

/* One term at *P: ATOM [* NUMBER], NUMBER * ATOM, or NUMBER. */
static int
s_term (const char **p, socin_rule_term_t *t, char *err, size_t errlen)
{
    const char *q = s_skip (*p);
    t->factor = SOCIN_DEC_SCALE;
    if (isdigit ((unsigned char)*q) || *q == '.') {
        if (s_number (&q, &t->factor, err, errlen)) return -1;
        const char *r = s_skip (q);
        if (*r != '*') {
            t->number = true;
            *p = q;
            return 0;
        }
        q = s_skip (r + 1);
        if (s_atom (&q, t, err, errlen)) return -1;
    } else {
        if (s_atom (&q, t, err, errlen)) return -1;
        const char *r = s_skip (q);
        if (*r == '*') {
            q = s_skip (r + 1);
            if (s_number (&q, &t->factor, err, errlen)) return -1;
        }
    }
    *p = q;
    return 0;
}

int
socin_rule_expr_parse (const char *text, socin_rule_term_t *terms, char *err, size_t errlen)
{
    const char *p = s_skip (text);
    if (!*p) return socin_error_set (err, errlen, "the side is empty");
    int n = 0, sign = 1;
    if (*p == '-' || *p == '+') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    for (;;) {
        if (n == SOCIN_RULE_TERMS_MAX)
            return socin_error_set (err, errlen, "more than %d terms", SOCIN_RULE_TERMS_MAX);
        socin_rule_term_t *t = &terms[n];
        memset (t, 0, sizeof *t);
        t->sign = sign;
        if (s_term (&p, t, err, errlen)) return -1;
        n++;
        p = s_skip (p);
        if (!*p) return n;
        if (*p != '+' && *p != '-')
            return socin_error_set (err, errlen, "expected + or - at '%s'", p);
        sign = *p == '-' ? -1 : 1;
        p++;
    }
}

int
socin_rule_operator (const char *text)
{
    static const char *ops[] = {"<=", "<", ">=", ">", "==", "!="};
    for (int i = 0; i < 6; i++)
        if (!strcmp (text, ops[i])) return i + 1;
    return 0;
}

bool
socin_rule_holds (int op, socin_sum_t left, socin_sum_t right)
{
    switch (op) {
    case 1:
        return left <= right;
    case 2:
        return left < right;
    case 3:
        return left >= right;
    case 4:
        return left > right;
    case 5:
        return left == right;
    case 6:
        return left != right;
    default:
        return true;
    }
}

/* The next "dim=opt" item of *S into DIM and OPT (NUL-terminated copies); false at the end. */
static bool
s_pair (const char **s, char *dim, char *opt, size_t len)
{
    if (!**s) return false;
    const char *comma = strchr (*s, ','), *end = comma ? comma : *s + strlen (*s);
    const char *eq = memchr (*s, '=', (size_t)(end - *s));
    size_t dl = eq ? (size_t)(eq - *s) : (size_t)(end - *s);
    size_t ol = eq ? (size_t)(end - eq - 1) : 0;
    if (dl >= len) dl = len - 1;
    if (ol >= len) ol = len - 1;
    memcpy (dim, *s, dl);
    dim[dl] = 0;
    if (eq) memcpy (opt, eq + 1, ol);
    opt[ol] = 0;
    *s = comma ? comma + 1 : end;
    return true;
}

bool
socin_rule_pattern_matches (const char *pattern, const char *disagg)
{
    /* Both are sorted by dimension (the pattern is canonicalised when the rule is read). */
    char pd[100], po[100], dd[100], dv[100];
    const char *p = pattern, *d = disagg;
    for (;;) {
        bool hp = s_pair (&p, pd, po, sizeof pd), hd = s_pair (&d, dd, dv, sizeof dd);
        if (!hp || !hd) return hp == hd;
        if (strcmp (pd, dd) || (strcmp (po, "*") && strcmp (po, dv))) return false;
    }
}
