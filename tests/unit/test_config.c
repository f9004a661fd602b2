/*  test_config: a daemon's settings from defaults, a file and the command line.

    The cases follow what an operator does: write a file, override one value on the command
    line, make a typo, check with -n, send SIGHUP after editing the file. Every message is
    compared whole where the operator reads it, because it has to say what to fix.
*/
#include "config.h"
#include "testing.h"

#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define SVC "socin-test"

static const socin_config_key_t s_table[] = {
    {"endpoint", SOCIN_CFG_STRING, "tcp://*:7100", "where clients connect"},
    {"data_dir", SOCIN_CFG_STRING, "${home}/data", "the LMDB environment"},
    {"workers", SOCIN_CFG_INT, "4", "worker count"},
    {"fsync", SOCIN_CFG_BOOL, "true", "sync every commit"},
    {"map_max", SOCIN_CFG_SIZE, "1G", "largest LMDB map"},
    {"greeting", SOCIN_CFG_STRING, "", "text for the banner"},
    {NULL},
};

static char s_dir[64];  /* the temporary directory of this program */
static char s_conf[96]; /* s_dir/test.conf */
static char s_err[1024];

static int
s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove (path);
}

static void
s_write (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    CHECK (file != NULL);
    if (!file) return;
    fputs (text, file);
    fclose (file);
}

/* Parses the NULL-terminated ARGS (after the program name) into a new configuration. */
static int
s_parse (socin_config_t *cfg, const char *const *args)
{
    const char *argv[32] = {SVC};
    int argc = 1;
    for (; args[argc - 1] && argc < 31; argc++)
        argv[argc] = args[argc - 1];
    s_err[0] = 0;
    return socin_config_parse (cfg, argc, (char **)argv, s_err, sizeof s_err);
}

#define PARSE(cfg, ...) s_parse (cfg, (const char *const[]){__VA_ARGS__, NULL})

static void
defaults_apply_when_nothing_else_is_given (void)
{
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (s_parse (cfg, (const char *const[]){NULL}), 0);
    CHECK_STR (s_err, "");
    CHECK_STR (socin_config_str (cfg, "endpoint"), "tcp://*:7100");
    CHECK_INT (socin_config_int (cfg, "workers"), 4);
    CHECK (socin_config_bool (cfg, "fsync"));
    CHECK (socin_config_size (cfg, "map_max") == 1ULL << 30);
    CHECK_STR (socin_config_str (cfg, "greeting"), "");
    CHECK_STR (socin_config_str (cfg, "config"), "");
    CHECK (!socin_config_check_only (cfg));
    CHECK (!socin_config_help_only (cfg));
    socin_config_destroy (&cfg);
    CHECK (cfg == NULL);
    socin_config_destroy (&cfg); /* a second destroy is harmless */
}

static void
the_builtin_keys_are_always_present (void)
{
    /* A table that repeats a built-in key does not get it twice. */
    static const socin_config_key_t table[] = {
        {"home", SOCIN_CFG_STRING, "/ignored", "repeated"},
        {NULL},
    };
    socin_config_t *cfg = socin_config_new (SVC, table);
    CHECK_INT (PARSE (cfg, "--home", "/srv/socin"), 0);
    CHECK_STR (socin_config_str (cfg, "home"), "/srv/socin");
    socin_str_t dump = SOCIN_STR_INIT;
    socin_config_dump (cfg, &dump);
    CHECK_STR (socin_str_cstr (&dump), "config = \nhome = /srv/socin\n");
    socin_str_free (&dump);
    socin_config_destroy (&cfg);
}

static void
reads_key_value_lines_with_comments_and_quotes (void)
{
    s_write (s_conf, "# socin test configuration\n"
                     "   # an indented comment\n"
                     "\n"
                     "endpoint = tcp://*:7200\n"
                     "workers=8   # eight workers\n"
                     "greeting = \"hello # not a comment\"\n"
                     "  fsync\t=\tno  \n"
                     "map-max = 512M\n"
                     "data_dir = '/srv/socin data'\n");
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", s_conf), 0);
    CHECK_STR (s_err, "");
    CHECK_STR (socin_config_str (cfg, "config"), s_conf);
    CHECK_STR (socin_config_str (cfg, "endpoint"), "tcp://*:7200");
    CHECK_INT (socin_config_int (cfg, "workers"), 8);
    CHECK_STR (socin_config_str (cfg, "greeting"), "hello # not a comment");
    CHECK (!socin_config_bool (cfg, "fsync"));
    CHECK (socin_config_size (cfg, "map_max") == 512ULL << 20);
    CHECK_STR (socin_config_str (cfg, "data_dir"), "/srv/socin data");
    socin_config_destroy (&cfg);
}

static void
a_quoted_value_may_be_followed_by_a_comment (void)
{
    s_write (s_conf, "greeting = \"hi there\"   # what the banner says\n"
                     "endpoint = 'ipc:///tmp/x' # single quotes too\n"
                     "data_dir = \"a\"b\"\n"
                     "workers = \"12\"\n");
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", s_conf), 0);
    CHECK_STR (s_err, "");
    CHECK_STR (socin_config_str (cfg, "greeting"), "hi there");
    CHECK_STR (socin_config_str (cfg, "endpoint"), "ipc:///tmp/x");
    CHECK_STR (socin_config_str (cfg, "data_dir"), "a\"b");
    CHECK_INT (socin_config_int (cfg, "workers"), 12);
    socin_config_destroy (&cfg);
}

static void
reads_flags_in_every_form (void)
{
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--workers", "16", "--endpoint=ipc:///run/x.ipc", "--data-dir", "/d",
                      "--map-max=2G", "--fsync=off", "--greeting", "--not-a-flag"),
               0);
    CHECK_STR (s_err, "");
    CHECK_INT (socin_config_int (cfg, "workers"), 16);
    CHECK_STR (socin_config_str (cfg, "endpoint"), "ipc:///run/x.ipc");
    CHECK_STR (socin_config_str (cfg, "data_dir"), "/d");
    CHECK (socin_config_size (cfg, "map_max") == 2ULL << 30);
    CHECK (!socin_config_bool (cfg, "fsync"));
    CHECK_STR (socin_config_str (cfg, "greeting"), "--not-a-flag");
    socin_config_destroy (&cfg);
}

static void
command_line_beats_file_beats_default (void)
{
    s_write (s_conf, "workers = 8\nendpoint = tcp://*:7200\n");
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    /* The flag comes before -c: order on the command line does not matter. */
    CHECK_INT (PARSE (cfg, "--workers", "16", "--config", s_conf), 0);
    CHECK_INT (socin_config_int (cfg, "workers"), 16);              /* command line */
    CHECK_STR (socin_config_str (cfg, "endpoint"), "tcp://*:7200"); /* file */
    CHECK (socin_config_bool (cfg, "fsync"));                       /* default */
    socin_config_set (cfg, "endpoint", "tcp://*:7300");
    CHECK_STR (socin_config_str (cfg, "endpoint"), "tcp://*:7300");
    socin_str_t dump = SOCIN_STR_INIT;
    socin_config_dump (cfg, &dump);
    CHECK_CONTAINS (socin_str_cstr (&dump), "\nworkers = 16\n");
    CHECK_CONTAINS (socin_str_cstr (&dump), "\nendpoint = tcp://*:7300\n");
    CHECK_CONTAINS (socin_str_cstr (&dump), "\nfsync = true\n");
    socin_str_free (&dump);
    socin_config_destroy (&cfg);
}

static void
expands_keys_and_environment_variables (void)
{
    setenv ("SOCIN_HOME", "/var/lib/socin", 1);
    setenv ("SOCIN_TEST_REGION", "kraj-19", 1);
    unsetenv ("SOCIN_TEST_UNSET");
    s_write (s_conf, "greeting = ${env:SOCIN_TEST_REGION} at ${endpoint}${env:SOCIN_TEST_UNSET}\n"
                     "endpoint = ipc://${data_dir}/ingest.ipc\n");
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", s_conf), 0);
    CHECK_STR (socin_config_str (cfg, "home"), "/var/lib/socin");
    CHECK_STR (socin_config_str (cfg, "data_dir"), "/var/lib/socin/data");
    CHECK_STR (socin_config_str (cfg, "endpoint"), "ipc:///var/lib/socin/data/ingest.ipc");
    CHECK_STR (socin_config_str (cfg, "greeting"),
               "kraj-19 at ipc:///var/lib/socin/data/ingest.ipc");
    /* A change to the referenced key shows in every value that names it. */
    socin_config_set (cfg, "home", "/srv");
    CHECK_STR (socin_config_str (cfg, "endpoint"), "ipc:///srv/data/ingest.ipc");
    socin_config_destroy (&cfg);

    /* Typed values are checked after expansion. */
    setenv ("SOCIN_TEST_WORKERS", "24", 1);
    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--workers", "${env:SOCIN_TEST_WORKERS}"), 0);
    CHECK_INT (socin_config_int (cfg, "workers"), 24);
    socin_config_destroy (&cfg);
    unsetenv ("SOCIN_TEST_WORKERS");
    unsetenv ("SOCIN_TEST_REGION");
}

static void
a_bad_reference_is_reported_with_its_key (void)
{
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--greeting", "hi ${nokey}"), -1);
    CHECK_STR (s_err, "greeting: 'hi ${nokey}': ${nokey} names no key");
    socin_config_destroy (&cfg);

    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--greeting", "${endpoint", "--workers", "${workers}"), -1);
    CHECK_STR (s_err, "workers: '${workers}': ${...} references nest too deep (a cycle?); "
                      "greeting: '${endpoint': '${' without '}'");
    socin_config_destroy (&cfg);
}

static void
typed_values_are_checked_with_exact_messages (void)
{
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--workers", "many"), -1);
    CHECK_STR (s_err, "workers: 'many' is not a whole number (command line)");
    socin_config_destroy (&cfg);

    /* Every mistake is reported at once, in table order, each saying where it came from. */
    s_write (s_conf, "fsync = maybe\nmap_max = 12X\nworkers = 1.5\n");
    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", s_conf, "--workers", "3x"), -1);
    CHECK_STR (s_err, "workers: '3x' is not a whole number (command line); "
                      "fsync: 'maybe' is not true or false (file); "
                      "map_max: '12X' is not a size in bytes such as 512M or 4G (file)");
    socin_config_destroy (&cfg);

    /* A bad default is reported too (without a source). */
    static const socin_config_key_t bad_default[] = {
        {"retries", SOCIN_CFG_INT, "", "retries"},
        {NULL},
    };
    cfg = socin_config_new (SVC, bad_default);
    CHECK_INT (s_parse (cfg, (const char *const[]){NULL}), -1);
    CHECK_STR (s_err, "retries: '' is not a whole number");
    socin_config_destroy (&cfg);
}

/* The value of map_max after parsing TEXT, or UINT64_MAX when TEXT is refused. */
static uint64_t
s_size (const char *text)
{
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    uint64_t size = UINT64_MAX;
    if (PARSE (cfg, "--map-max", text) == 0) size = socin_config_size (cfg, "map_max");
    socin_config_destroy (&cfg);
    return size;
}

static void
sizes_take_binary_suffixes (void)
{
    CHECK (s_size ("512") == 512);
    CHECK (s_size ("0") == 0);
    CHECK (s_size ("1K") == 1024);
    CHECK (s_size ("1k") == 1024);
    CHECK (s_size ("3M") == 3ULL << 20);
    CHECK (s_size ("4G") == 4ULL << 30);
    CHECK (s_size ("4GB") == 4ULL << 30);
    CHECK (s_size ("4GiB") == 4ULL << 30);
    CHECK (s_size ("2T") == 2ULL << 40);
    CHECK (s_size ("-1") == UINT64_MAX);
    CHECK (s_size ("1.5G") == UINT64_MAX);
    CHECK (s_size ("G") == UINT64_MAX);
    CHECK (s_size ("4Gx") == UINT64_MAX);
    CHECK (s_size ("4P") == UINT64_MAX);
    CHECK (s_size ("99999999999T") == UINT64_MAX); /* would overflow 64 bits */
    CHECK (s_size ("") == UINT64_MAX);
}

static void
booleans_take_the_usual_words (void)
{
    const char *yes[] = {"true", "yes", "on", "1", "TRUE", "Yes"};
    const char *no[] = {"false", "no", "off", "0", "False", "OFF"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        socin_config_t *cfg = socin_config_new (SVC, s_table);
        CHECK_INT (PARSE (cfg, "--fsync", yes[i]), 0);
        CHECK (socin_config_bool (cfg, "fsync"));
        CHECK_INT (PARSE (cfg, "--fsync", no[i]), 0);
        CHECK (!socin_config_bool (cfg, "fsync"));
        socin_config_destroy (&cfg);
    }
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--fsync", "y"), -1);
    CHECK_STR (s_err, "fsync: 'y' is not true or false (command line)");
    socin_config_destroy (&cfg);
}

static void
a_mistake_in_the_file_names_its_line (void)
{
    s_write (s_conf, "# comment\nworkers = 2\nendpint = tcp://*:1\n");
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", s_conf), -1);
    char expected[256];
    snprintf (expected, sizeof expected,
              "%s line 3: unknown key 'endpint' (" SVC " -h lists the keys)", s_conf);
    CHECK_STR (s_err, expected);
    /* Nothing from the rejected file was applied. */
    CHECK_INT (socin_config_int (cfg, "workers"), 4);
    socin_config_destroy (&cfg);

    s_write (s_conf, "workers = 2\n\nthis line has no equals sign\n");
    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", s_conf), -1);
    snprintf (expected, sizeof expected,
              "%s line 3: expected 'key = value', got 'this line has no equals sign'", s_conf);
    CHECK_STR (s_err, expected);
    socin_config_destroy (&cfg);

    s_write (s_conf, "greeting = \"unfinished\n");
    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", s_conf), -1);
    snprintf (expected, sizeof expected, "%s line 1: value of 'greeting' lacks its closing quote",
              s_conf);
    CHECK_STR (s_err, expected);
    socin_config_destroy (&cfg);

    /* The file cannot name another file. */
    s_write (s_conf, "config = /etc/other.conf\n");
    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", s_conf), -1);
    CHECK_CONTAINS (s_err, "line 1: unknown key 'config'");
    socin_config_destroy (&cfg);
}

static void
an_unknown_or_incomplete_flag_is_refused (void)
{
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--wrokers", "3"), -1);
    CHECK_STR (s_err, "unknown flag '--wrokers' (" SVC " -h lists the flags)");
    CHECK_INT (PARSE (cfg, "--bogus=1"), -1);
    CHECK_STR (s_err, "unknown flag '--bogus=1' (" SVC " -h lists the flags)");
    CHECK_INT (PARSE (cfg, "workers"), -1);
    CHECK_STR (s_err, "unexpected argument 'workers' (" SVC " -h lists the flags)");
    CHECK_INT (PARSE (cfg, "-x"), -1);
    CHECK_STR (s_err, "unexpected argument '-x' (" SVC " -h lists the flags)");
    CHECK_INT (PARSE (cfg, "--"), -1);
    CHECK_STR (s_err, "unexpected argument '--' (" SVC " -h lists the flags)");
    CHECK_INT (PARSE (cfg, "--workers"), -1);
    CHECK_STR (s_err, "flag '--workers' needs a value");
    CHECK_INT (PARSE (cfg, "-c"), -1);
    CHECK_STR (s_err, "flag '-c' needs a value");
    socin_config_destroy (&cfg);
}

static void
dash_n_checks_and_dash_h_asks_for_help (void)
{
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-n", "--workers", "5"), 0);
    CHECK (socin_config_check_only (cfg));
    CHECK (!socin_config_help_only (cfg));
    CHECK_INT (socin_config_int (cfg, "workers"), 5);
    socin_config_destroy (&cfg);

    /* -n still reports every mistake. */
    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--check", "--workers", "x", "--fsync", "x"), -1);
    CHECK (socin_config_check_only (cfg));
    CHECK_STR (s_err, "workers: 'x' is not a whole number (command line); "
                      "fsync: 'x' is not true or false (command line)");
    socin_config_destroy (&cfg);

    /* -h does not read the file, so help works even when the file is broken or missing. */
    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", "/nonexistent/socin.conf", "-h"), 0);
    CHECK (socin_config_help_only (cfg));
    CHECK (!socin_config_check_only (cfg));
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    socin_config_usage (cfg, out);
    fclose (out);
    CHECK_CONTAINS (text, "usage: " SVC " [-c FILE] [-n] [--KEY VALUE]...");
    for (const socin_config_key_t *k = s_table; k->key; k++) {
        CHECK_CONTAINS (text, k->key);
        CHECK_CONTAINS (text, k->help);
    }
    CHECK_CONTAINS (text, "(default: 4)");
    CHECK_CONTAINS (text, "(default: none)"); /* greeting has an empty default */
    free (text);
    socin_config_destroy (&cfg);

    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--help"), 0);
    CHECK (socin_config_help_only (cfg));
    socin_config_destroy (&cfg);
}

static void
reload_applies_a_good_file_and_keeps_values_on_a_bad_one (void)
{
    s_write (s_conf, "workers = 8\nendpoint = tcp://*:7200\nfsync = yes\n");
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", s_conf, "--fsync", "off"), 0);
    CHECK_INT (socin_config_int (cfg, "workers"), 8);

    /* A bad value: the reload fails and the old values stay. */
    s_write (s_conf, "workers = lots\nendpoint = tcp://*:7999\n");
    CHECK_INT (socin_config_reload (cfg, s_err, sizeof s_err), -1);
    CHECK_STR (s_err, "workers: 'lots' is not a whole number (file)");
    CHECK_INT (socin_config_int (cfg, "workers"), 8);
    CHECK_STR (socin_config_str (cfg, "endpoint"), "tcp://*:7200");

    /* An unknown key: the same, with the line number. */
    s_write (s_conf, "workers = 9\n\nwrokers = 10\n");
    CHECK_INT (socin_config_reload (cfg, s_err, sizeof s_err), -1);
    CHECK_CONTAINS (s_err, "line 3: unknown key 'wrokers'");
    CHECK_INT (socin_config_int (cfg, "workers"), 8);
    CHECK_STR (socin_config_str (cfg, "endpoint"), "tcp://*:7200");

    /* The file went away: the same. */
    unlink (s_conf);
    CHECK_INT (socin_config_reload (cfg, s_err, sizeof s_err), -1);
    CHECK_CONTAINS (s_err, "cannot open configuration file");
    CHECK_INT (socin_config_int (cfg, "workers"), 8);

    /* A good file is applied whole: a key it no longer names returns to its default, and
       command-line values keep their precedence. */
    s_write (s_conf, "workers = 12\nfsync = on\n");
    CHECK_INT (socin_config_reload (cfg, s_err, sizeof s_err), 0);
    CHECK_INT (socin_config_int (cfg, "workers"), 12);
    CHECK_STR (socin_config_str (cfg, "endpoint"), "tcp://*:7100");
    CHECK (!socin_config_bool (cfg, "fsync"));
    socin_config_destroy (&cfg);

    /* Without a file, reload has nothing to do. */
    cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "--workers", "2"), 0);
    CHECK_INT (socin_config_reload (cfg, s_err, sizeof s_err), 0);
    CHECK_INT (socin_config_int (cfg, "workers"), 2);
    socin_config_destroy (&cfg);
}

static void
a_missing_file_is_an_error_naming_it (void)
{
    char path[128];
    snprintf (path, sizeof path, "%s/missing.conf", s_dir);
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_INT (PARSE (cfg, "-c", path), -1);
    char expected[256];
    snprintf (expected, sizeof expected,
              "cannot open configuration file %s: No such file or directory", path);
    CHECK_STR (s_err, expected);
    socin_config_destroy (&cfg);
}

static void
the_default_home_follows_the_environment (void)
{
    char *saved_home = getenv ("HOME") ? strdup (getenv ("HOME")) : NULL;
    setenv ("SOCIN_HOME", "/srv/socin", 1);
    setenv ("XDG_STATE_HOME", "/xdg", 1);
    CHECK_STR (socin_config_default_home (), "/srv/socin");
    unsetenv ("SOCIN_HOME");
    CHECK_STR (socin_config_default_home (), "/xdg/socin");
    unsetenv ("XDG_STATE_HOME");
    setenv ("HOME", "/home/ana", 1);
    CHECK_STR (socin_config_default_home (), "/home/ana/.local/state/socin");
    unsetenv ("HOME");
    char expected[64];
    snprintf (expected, sizeof expected, "/tmp/socin-%u", (unsigned)getuid ());
    CHECK_STR (socin_config_default_home (), expected);
    /* The home key defaults to the same place. */
    socin_config_t *cfg = socin_config_new (SVC, s_table);
    CHECK_STR (socin_config_str (cfg, "home"), expected);
    socin_config_destroy (&cfg);
    if (saved_home) setenv ("HOME", saved_home, 1);
    free (saved_home);
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/socin-test-config-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    snprintf (s_conf, sizeof s_conf, "%s/test.conf", s_dir);
    RUN (defaults_apply_when_nothing_else_is_given, "defaults apply when nothing else is given");
    RUN (the_builtin_keys_are_always_present, "config and home are always present, once");
    RUN (reads_key_value_lines_with_comments_and_quotes,
         "a file of key = value lines with comments and quoted values is read");
    RUN (a_quoted_value_may_be_followed_by_a_comment,
         "a quoted value may be followed by a # comment");
    RUN (reads_flags_in_every_form, "--key value, --key=value and --key-with-dashes all work");
    RUN (command_line_beats_file_beats_default,
         "the command line beats the file beats the default");
    RUN (expands_keys_and_environment_variables, "${key} and ${env:NAME} are expanded");
    RUN (a_bad_reference_is_reported_with_its_key,
         "a reference to no key, a cycle or an unclosed ${ is reported");
    RUN (typed_values_are_checked_with_exact_messages,
         "int, bool and size values are checked, every mistake reported at once");
    RUN (sizes_take_binary_suffixes, "sizes take K, M, G and T suffixes and refuse the rest");
    RUN (booleans_take_the_usual_words, "booleans take true/false, yes/no, on/off, 1/0");
    RUN (a_mistake_in_the_file_names_its_line, "a mistake in the file names its line");
    RUN (an_unknown_or_incomplete_flag_is_refused, "an unknown or incomplete flag is refused");
    RUN (dash_n_checks_and_dash_h_asks_for_help, "-n checks the configuration, -h asks for help");
    RUN (reload_applies_a_good_file_and_keeps_values_on_a_bad_one,
         "reload applies a good file and keeps the old values when the new one is bad");
    RUN (a_missing_file_is_an_error_naming_it, "a missing file is an error naming it");
    RUN (the_default_home_follows_the_environment,
         "the default home is SOCIN_HOME, XDG_STATE_HOME, HOME or /tmp");
    nftw (s_dir, s_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return TEST_SUMMARY ();
}
