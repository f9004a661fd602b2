/*  config: defaults, a flat key = value file, and command-line flags. See config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"

#define MAX_KEYS 96

typedef struct {
    socin_config_key_t key;
    char *file_value; /* from the file, or NULL */
    char *arg_value;  /* from the command line, or NULL */
} s_entry_t;

struct socin_config_t {
    const char *svc;
    s_entry_t entries[MAX_KEYS];
    size_t count;
    bool check_only;
    bool help_only;
    char *expanded[MAX_KEYS]; /* cache of expanded values, retired on change */
    char **retired;           /* expansions replaced since: callers may still hold them */
    size_t nretired;
};

static const socin_config_key_t s_builtin[] = {
    {"config", SOCIN_CFG_STRING, "", "configuration file (-c FILE)"},
    {"home", SOCIN_CFG_STRING, "${env:SOCIN_HOME}",
     "directory under which data, control sockets and keys are placed by default"},
};

static void
s_norm_key (char *key)
{
    for (char *p = key; *p; p++)
        if (*p == '-') *p = '_';
}

static s_entry_t *
s_find (socin_config_t *self, const char *key)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->entries[i].key.key, key) == 0) return &self->entries[i];
    return NULL;
}

/* Drops the cached expansions. They are kept until destroy, not freed: a daemon may hold a
   value it read at start (the ingest its source) across a SIGHUP reload. */
static void
s_forget_expanded (socin_config_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        if (!self->expanded[i]) continue;
        char **more = socin_realloc (self->retired, (self->nretired + 1) * sizeof *more);
        self->retired = more;
        self->retired[self->nretired++] = self->expanded[i];
        self->expanded[i] = NULL;
    }
}

socin_config_t *
socin_config_new (const char *svc, const socin_config_key_t *table)
{
    socin_config_t *self = socin_calloc (1, sizeof *self);
    self->svc = svc;
    for (size_t i = 0; i < sizeof s_builtin / sizeof s_builtin[0]; i++)
        self->entries[self->count++].key = s_builtin[i];
    for (; table && table->key; table++) {
        if (s_find (self, table->key)) continue;
        if (self->count == MAX_KEYS) socin_fatal ("config.too_many_keys", NULL);
        self->entries[self->count++].key = *table;
    }
    return self;
}

void
socin_config_destroy (socin_config_t **self_p)
{
    socin_config_t *self = *self_p;
    if (!self) return;
    s_forget_expanded (self);
    for (size_t i = 0; i < self->nretired; i++) free (self->retired[i]);
    free (self->retired);
    for (size_t i = 0; i < self->count; i++) {
        free (self->entries[i].file_value);
        free (self->entries[i].arg_value);
    }
    free (self);
    *self_p = NULL;
}

const char *
socin_config_default_home (void)
{
    static char home[1024];
    const char *env = getenv ("SOCIN_HOME");
    if (env && *env)
        snprintf (home, sizeof home, "%s", env);
    else if ((env = getenv ("XDG_STATE_HOME")) && *env)
        snprintf (home, sizeof home, "%s/socin", env);
    else if ((env = getenv ("HOME")) && *env)
        snprintf (home, sizeof home, "%s/.local/state/socin", env);
    else
        snprintf (home, sizeof home, "/tmp/socin-%u", (unsigned) getuid ());
    return home;
}

/* Expands ${key} and ${env:NAME} in TEXT into OUT; depth guards against cycles. */
static int
s_expand (socin_config_t *self, const char *text, socin_str_t *out, int depth, char *err,
          size_t errlen)
{
    if (depth > 8) {
        snprintf (err, errlen, "'%s': ${...} references nest too deep (a cycle?)", text);
        return -1;
    }
    const char *p = text;
    while (*p) {
        const char *open = strstr (p, "${");
        if (!open) {
            socin_str_puts (out, p);
            break;
        }
        socin_str_append (out, p, (size_t) (open - p));
        /* The matching '}': a fallback may itself hold ${...}. */
        const char *close = NULL;
        int nest = 0;
        for (const char *c = open + 2; *c && !close; c++) {
            if (c[0] == '$' && c[1] == '{') {
                nest++;
                c++;
            }
            else if (*c == '}' && nest-- == 0)
                close = c;
        }
        if (!close) {
            snprintf (err, errlen, "'%s': '${' without '}'", text);
            return -1;
        }
        char name[512];
        size_t n = (size_t) (close - open - 2);
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy (name, open + 2, n);
        name[n] = 0;
        if (strncmp (name, "env:", 4) == 0) {
            /* ${env:NAME} or ${env:NAME:-fallback} (the fallback when NAME is unset or empty). */
            char *fallback = strstr (name + 4, ":-");
            if (fallback) {
                *fallback = 0;
                fallback += 2;
            }
            const char *env = getenv (name + 4);
            if (strcmp (name + 4, "SOCIN_HOME") == 0)
                socin_str_puts (out, socin_config_default_home ());
            else if (env && *env)
                socin_str_puts (out, env);
            else if (fallback && s_expand (self, fallback, out, depth + 1, err, errlen))
                return -1;
        }
        else {
            s_entry_t *ref = s_find (self, name);
            if (!ref) {
                snprintf (err, errlen, "'%.60s': ${%.60s} names no key", text, name);
                return -1;
            }
            const char *raw = ref->arg_value ? ref->arg_value
                              : ref->file_value ? ref->file_value
                                                : ref->key.def;
            if (s_expand (self, raw, out, depth + 1, err, errlen)) return -1;
        }
        p = close + 1;
    }
    return 0;
}

static int
s_parse_bool (const char *v, bool *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp (v, yes[i]) == 0) return *out = true, 0;
        if (strcasecmp (v, no[i]) == 0) return *out = false, 0;
    }
    return -1;
}

static int
s_parse_int (const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll (v, &end, 10);
    if (errno || end == v || *end) return -1;
    *out = n;
    return 0;
}

static int
s_parse_size (const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull (v, &end, 10);
    if (errno || end == v || *v == '-') return -1;
    unsigned shift = 0;
    switch (toupper ((unsigned char) *end)) {
    case 0: break;
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    default: return -1;
    }
    if (*end && end[1] && !(toupper ((unsigned char) end[1]) == 'B' && !end[2]) &&
        !(toupper ((unsigned char) end[1]) == 'I' && toupper ((unsigned char) end[2]) == 'B' &&
          !end[3]))
        return -1;
    if (shift && n > (UINT64_MAX >> shift)) return -1;
    *out = (uint64_t) n << shift;
    return 0;
}

/* Checks the type of every effective value; appends problems to ERR. */
static int
s_check_all (socin_config_t *self, char *err, size_t errlen)
{
    socin_str_t problems = SOCIN_STR_INIT;
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        socin_str_t v = SOCIN_STR_INIT;
        char why[256] = "";
        const char *raw = e->arg_value ? e->arg_value : e->file_value ? e->file_value : e->key.def;
        if (s_expand (self, raw, &v, 0, why, sizeof why)) {
            socin_str_printf (&problems, "%s%s: %s", problems.len ? "; " : "", e->key.key, why);
            socin_str_free (&v);
            continue;
        }
        const char *val = socin_str_cstr (&v);
        bool b;
        int64_t n;
        uint64_t sz;
        const char *want = NULL;
        if (e->key.type == SOCIN_CFG_BOOL && s_parse_bool (val, &b))
            want = "true or false";
        else if (e->key.type == SOCIN_CFG_INT && s_parse_int (val, &n))
            want = "a whole number";
        else if (e->key.type == SOCIN_CFG_SIZE && s_parse_size (val, &sz))
            want = "a size in bytes such as 512M or 4G";
        if (want)
            socin_str_printf (&problems, "%s%s: '%s' is not %s%s", problems.len ? "; " : "",
                              e->key.key, val, want,
                              e->arg_value ? " (command line)" : e->file_value ? " (file)" : "");
        socin_str_free (&v);
    }
    int rc = problems.len ? -1 : 0;
    if (rc) snprintf (err, errlen, "%s", socin_str_cstr (&problems));
    socin_str_free (&problems);
    return rc;
}

/* Reads the file into file_value slots; on failure nothing changes. */
static int
s_load_file (socin_config_t *self, const char *path, char *err, size_t errlen)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        snprintf (err, errlen, "cannot open configuration file %s: %s", path, strerror (errno));
        return -1;
    }
    char *values[MAX_KEYS] = {0};
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets (line, sizeof line, file)) {
        lineno++;
        size_t len = strlen (line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            snprintf (err, errlen, "%s line %d: line is longer than %zu bytes", path, lineno,
                      sizeof line - 2);
            rc = -1;
            break;
        }
        while (len && isspace ((unsigned char) line[len - 1])) line[--len] = 0;
        char *p = line;
        while (isspace ((unsigned char) *p)) p++;
        if (!*p || *p == '#') continue;
        char *eq = strchr (p, '=');
        if (!eq) {
            snprintf (err, errlen, "%s line %d: expected 'key = value', got '%s'", path, lineno, p);
            rc = -1;
            break;
        }
        char *kend = eq;
        while (kend > p && isspace ((unsigned char) kend[-1])) kend--;
        *kend = 0;
        s_norm_key (p);
        char *v = eq + 1;
        while (isspace ((unsigned char) *v)) v++;
        size_t vlen = strlen (v);
        if (*v == '"' || *v == '\'') {
            /* The closing quote is the first one followed by nothing or a # comment (ZPL
               allows a comment after a quoted value). */
            for (char *q = strchr (v + 1, *v); q; q = strchr (q + 1, *v)) {
                char *rest = q + 1;
                while (isspace ((unsigned char) *rest)) rest++;
                if (!*rest || *rest == '#') {
                    *rest = 0;
                    vlen = (size_t) (q - v) + 1;
                    break;
                }
            }
            if (vlen < 2 || v[vlen - 1] != *v) {
                snprintf (err, errlen, "%s line %d: value of '%s' lacks its closing quote", path,
                          lineno, p);
                rc = -1;
                break;
            }
            v[vlen - 1] = 0;
            v++;
        }
        else {
            char *hash = strstr (v, " #");
            if (hash) {
                *hash = 0;
                while (hash > v && isspace ((unsigned char) hash[-1])) *--hash = 0;
            }
        }
        s_entry_t *e = s_find (self, p);
        if (!e || strcmp (p, "config") == 0) {
            snprintf (err, errlen, "%s line %d: unknown key '%s' (%s -h lists the keys)", path,
                      lineno, p, self->svc);
            rc = -1;
            break;
        }
        size_t idx = (size_t) (e - self->entries);
        free (values[idx]);
        values[idx] = socin_strdup (v);
    }
    fclose (file);
    if (rc == 0) {
        for (size_t i = 0; i < self->count; i++) {
            free (self->entries[i].file_value);
            self->entries[i].file_value = values[i];
        }
    }
    else
        for (size_t i = 0; i < MAX_KEYS; i++) free (values[i]);
    s_forget_expanded (self);
    return rc;
}

int
socin_config_parse (socin_config_t *self, int argc, char **argv, char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp (arg, "-n") == 0 || strcmp (arg, "--check") == 0) {
            self->check_only = true;
            continue;
        }
        if (strcmp (arg, "-h") == 0 || strcmp (arg, "--help") == 0) {
            self->help_only = true;
            continue;
        }
        char key[128];
        const char *value = NULL;
        if (strcmp (arg, "-c") == 0)
            snprintf (key, sizeof key, "config");
        else if (strncmp (arg, "--", 2) == 0 && arg[2]) {
            const char *eq = strchr (arg, '=');
            size_t n = eq ? (size_t) (eq - arg - 2) : strlen (arg + 2);
            if (n >= sizeof key) n = sizeof key - 1;
            memcpy (key, arg + 2, n);
            key[n] = 0;
            if (eq) value = eq + 1;
        }
        else {
            snprintf (err, errlen, "unexpected argument '%s' (%s -h lists the flags)", arg,
                      self->svc);
            return -1;
        }
        s_norm_key (key);
        s_entry_t *e = s_find (self, key);
        if (!e) {
            snprintf (err, errlen, "unknown flag '%s' (%s -h lists the flags)", arg, self->svc);
            return -1;
        }
        if (!value) {
            if (i + 1 >= argc) {
                snprintf (err, errlen, "flag '%s' needs a value", arg);
                return -1;
            }
            value = argv[++i];
        }
        free (e->arg_value);
        e->arg_value = socin_strdup (value);
    }
    s_forget_expanded (self);
    if (self->help_only) return 0;
    const char *path = socin_config_str (self, "config");
    if (*path && s_load_file (self, path, err, errlen)) return -1;
    return s_check_all (self, err, errlen);
}

int
socin_config_reload (socin_config_t *self, char *err, size_t errlen)
{
    const char *path = socin_config_str (self, "config");
    if (!*path) return 0;
    /* Keep the old file values until the new file has been checked whole. */
    char *saved[MAX_KEYS];
    for (size_t i = 0; i < self->count; i++)
        saved[i] = self->entries[i].file_value ? socin_strdup (self->entries[i].file_value) : NULL;
    int rc = s_load_file (self, path, err, errlen);
    if (rc == 0) rc = s_check_all (self, err, errlen);
    for (size_t i = 0; i < self->count; i++) {
        if (rc) {
            free (self->entries[i].file_value);
            self->entries[i].file_value = saved[i];
        }
        else
            free (saved[i]);
    }
    s_forget_expanded (self);
    return rc;
}

bool
socin_config_check_only (socin_config_t *self)
{
    return self->check_only;
}

bool
socin_config_help_only (socin_config_t *self)
{
    return self->help_only;
}

const char *
socin_config_str (socin_config_t *self, const char *key)
{
    s_entry_t *e = s_find (self, key);
    if (!e) socin_fatal ("config.unknown_key", "key=%s", key);
    size_t idx = (size_t) (e - self->entries);
    if (!self->expanded[idx]) {
        socin_str_t v = SOCIN_STR_INIT;
        char err[256];
        const char *raw = e->arg_value ? e->arg_value : e->file_value ? e->file_value : e->key.def;
        if (s_expand (self, raw, &v, 0, err, sizeof err)) socin_str_clear (&v);
        self->expanded[idx] = socin_str_take (&v);
    }
    return self->expanded[idx];
}

int64_t
socin_config_int (socin_config_t *self, const char *key)
{
    int64_t n = 0;
    s_parse_int (socin_config_str (self, key), &n);
    return n;
}

bool
socin_config_bool (socin_config_t *self, const char *key)
{
    bool b = false;
    s_parse_bool (socin_config_str (self, key), &b);
    return b;
}

uint64_t
socin_config_size (socin_config_t *self, const char *key)
{
    uint64_t n = 0;
    s_parse_size (socin_config_str (self, key), &n);
    return n;
}

void
socin_config_set (socin_config_t *self, const char *key, const char *value)
{
    s_entry_t *e = s_find (self, key);
    if (!e) socin_fatal ("config.unknown_key", "key=%s", key);
    free (e->arg_value);
    e->arg_value = socin_strdup (value);
    s_forget_expanded (self);
}

void
socin_config_usage (socin_config_t *self, FILE *out)
{
    fprintf (out,
             "usage: %s [-c FILE] [-n] [--KEY VALUE]...\n"
             "  -c FILE   read settings from FILE (key = value lines)\n"
             "  -n        check the configuration and exit\n"
             "  -h        this help\n"
             "keys (each also a flag --KEY):\n",
             self->svc);
    for (size_t i = 0; i < self->count; i++) {
        const socin_config_key_t *k = &self->entries[i].key;
        fprintf (out, "  %-22s %s\n  %-22s (default: %s)\n", k->key, k->help, "",
                 *k->def ? k->def : "none");
    }
}

void
socin_config_dump (socin_config_t *self, socin_str_t *out)
{
    for (size_t i = 0; i < self->count; i++) {
        const char *key = self->entries[i].key.key;
        socin_str_printf (out, "%s = %s\n", key, socin_config_str (self, key));
    }
}
