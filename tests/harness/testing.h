/*  testing.h: the assertions every socin test uses, and its closing line.

    A test program is a list of cases, each a function run by RUN() with the behaviour it
    proves as its name. A failed CHECK prints the expression, file and line (as LMDB's E()
    does) and marks the case failed; the program ends with TEST_SUMMARY(), which prints
    "N passed, N failed" and returns the exit code. tests/run adds these lines up.
*/
#ifndef SOCIN_TESTING_H
#define SOCIN_TESTING_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_passed, t_failed, t_case_failed;

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fprintf (stderr, "    %s:%d: CHECK (%s) failed\n", __FILE__, __LINE__, #expr);         \
            t_case_failed = 1;                                                                     \
        }                                                                                          \
    } while (0)

#define CHECK_INT(actual, expected)                                                                \
    do {                                                                                           \
        long long t_a_ = (long long) (actual), t_e_ = (long long) (expected);                      \
        if (t_a_ != t_e_) {                                                                        \
            fprintf (stderr, "    %s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__,         \
                     #actual, t_a_, t_e_);                                                         \
            t_case_failed = 1;                                                                     \
        }                                                                                          \
    } while (0)

#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        const char *t_a_ = (actual), *t_e_ = (expected);                                           \
        if (!t_a_ || !t_e_ || strcmp (t_a_, t_e_) != 0) {                                          \
            fprintf (stderr, "    %s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__,     \
                     #actual, t_a_ ? t_a_ : "(null)", t_e_ ? t_e_ : "(null)");                     \
            t_case_failed = 1;                                                                     \
        }                                                                                          \
    } while (0)

/* CHECK_CONTAINS: the text holds the fragment (for messages meant for people). */
#define CHECK_CONTAINS(text, fragment)                                                             \
    do {                                                                                           \
        const char *t_a_ = (text), *t_e_ = (fragment);                                             \
        if (!t_a_ || !strstr (t_a_, t_e_)) {                                                       \
            fprintf (stderr, "    %s:%d: %s is \"%s\", expected it to contain \"%s\"\n", __FILE__, \
                     __LINE__, #text, t_a_ ? t_a_ : "(null)", t_e_);                               \
            t_case_failed = 1;                                                                     \
        }                                                                                          \
    } while (0)

#define RUN(fn, description)                                                                       \
    do {                                                                                           \
        t_case_failed = 0;                                                                         \
        fn ();                                                                                     \
        if (t_case_failed) {                                                                       \
            t_failed++;                                                                            \
            printf ("FAIL - %s\n", description);                                                   \
        }                                                                                          \
        else {                                                                                     \
            t_passed++;                                                                            \
            printf ("ok - %s\n", description);                                                     \
        }                                                                                          \
        fflush (stdout);                                                                           \
    } while (0)

#define TEST_SUMMARY()                                                                             \
    (printf ("%d passed, %d failed\n", t_passed, t_failed), fflush (stdout), t_failed ? 1 : 0)

#endif
