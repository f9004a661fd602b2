/*  valuekey: the storage key of one value. See valuekey.h. */
#include "valuekey.h"

#include <string.h>

size_t
socin_value_key (const char *indicator, const char *unit, const char *period,
                 const char *disaggregation, char *key)
{
    size_t a = strlen (unit), b = strlen (indicator), c = strlen (period), d = strlen (disaggregation);
    if (4 + a + b + c + d > SOCIN_VALUE_KEY_MAX) return 0;
    char *p = key;
    *p++ = 'V';
    memcpy (p, unit, a + 1);
    p += a + 1;
    memcpy (p, indicator, b + 1);
    p += b + 1;
    memcpy (p, period, c + 1);
    p += c + 1;
    memcpy (p, disaggregation, d);
    p += d;
    return (size_t) (p - key);
}

bool
socin_value_key_split (const char *key, size_t len, const char **indicator, const char **unit,
                       const char **period, char *disagg, size_t dlen)
{
    if (len < 2 || key[0] != 'V') return false;
    const char *end = key + len, *p = key + 1;
    *unit = p;
    p = memchr (p, 0, (size_t) (end - p));
    if (!p) return false;
    *indicator = ++p;
    p = memchr (p, 0, (size_t) (end - p));
    if (!p) return false;
    *period = ++p;
    p = memchr (p, 0, (size_t) (end - p));
    if (!p) return false;
    p++;
    size_t n = (size_t) (end - p);
    if (n >= dlen) return false;
    memcpy (disagg, p, n);
    disagg[n] = 0;
    return true;
}
