/*  test_worker: the second thread that checks the ingest's submissions and decodes
    reporting's change batches while the loop commits.

    What matters: jobs come back in the order given, each done once and on the worker's own
    thread, which bears the name given; the oldest job holds back the later ones until it is
    checked; jobs the loop does itself (socin_worker_help) are the newest, done once, and
    still come back in order; after socin_worker_drain nothing is being checked, so what
    checks read (the registry replica) can change; the descriptor wakes the loop; a stop
    drops every job not taken, once.
*/
#include "worker.h"
#include "testing.h"

#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define S_JOBS 200

typedef struct {
    int index;
    int checks;         /* times checked */
    pthread_t thread;   /* the thread that checked it */
    char name[16];      /* that thread's name */
    int model_at_start; /* the "model" the check saw as it began and ended */
    int model_at_end;
    bool gated; /* waits on the gate before checking */
} s_job_t;

static int s_model = 1; /* what checks read; changed only after a drain */
static sem_t s_gate;
static atomic_int s_checking; /* checks under way */
static atomic_int s_dropped;

static void
s_check (void *arg, void *ctx)
{
    s_job_t *job = arg;
    atomic_fetch_add (&s_checking, 1);
    if (job->gated) sem_wait (&s_gate);
    job->model_at_start = s_model;
    for (volatile int spin = 0; spin < 2000; spin++) {
    }
    job->model_at_end = s_model;
    job->thread = pthread_self ();
    pthread_getname_np (job->thread, job->name, sizeof job->name);
    job->checks++;
    atomic_fetch_sub (&s_checking, 1);
}

static void
s_drop (void *arg, void *ctx)
{
    atomic_fetch_add (&s_dropped, 1);
}

/* Jobs given and not yet taken; of them checked. */
static size_t
s_given (socin_worker_t *c)
{
    size_t given;
    socin_worker_counts (c, &given, NULL);
    return given;
}

static size_t
s_checked (socin_worker_t *c)
{
    size_t checked;
    socin_worker_counts (c, NULL, &checked);
    return checked;
}

/* Puts JOBS[0..N) in order, each with its index. */
static void
s_put_all (socin_worker_t *c, s_job_t *jobs, int n)
{
    for (int i = 0; i < n; i++) {
        jobs[i] = (s_job_t){.index = i};
        socin_worker_put (c, &jobs[i]);
    }
}

/* Whether FD becomes readable within MS milliseconds. */
static bool
s_readable (int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll (&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static void
jobs_come_back_in_order_checked_once_on_the_thread (void)
{
    socin_worker_t *c = socin_worker_new ("test-worker", s_check, s_drop, NULL);
    CHECK (c != NULL);
    if (!c) return;
    static s_job_t jobs[S_JOBS];
    s_put_all (c, jobs, S_JOBS);
    int taken = 0, in_order = 1;
    while (taken < S_JOBS) {
        if (!s_checked (c)) CHECK (s_readable (socin_worker_fd (c), 5000));
        socin_worker_clear (c);
        s_job_t *job;
        while ((job = socin_worker_take (c))) {
            in_order &= job->index == taken;
            taken++;
        }
    }
    CHECK (in_order);
    CHECK_INT ((int)s_given (c), 0);
    CHECK (socin_worker_take (c) == NULL);
    int once = 1, elsewhere = 1, named = 1;
    for (int i = 0; i < S_JOBS; i++) {
        once &= jobs[i].checks == 1;
        elsewhere &= !pthread_equal (jobs[i].thread, pthread_self ());
        named &= !strcmp (jobs[i].name, "test-worker");
    }
    CHECK (once);
    CHECK (elsewhere);
    CHECK (named);
    socin_worker_destroy (&c);
    CHECK (c == NULL);
    CHECK_INT (atomic_load (&s_dropped), 0);
}

static void
the_oldest_job_holds_back_the_later_ones (void)
{
    socin_worker_t *c = socin_worker_new ("test-worker", s_check, s_drop, NULL);
    CHECK (c != NULL);
    if (!c) return;
    s_job_t first = {.index = 0, .gated = true}, second = {.index = 1};
    socin_worker_put (c, &first);
    socin_worker_put (c, &second);
    /* The first waits at the gate: nothing is ready, whatever the time given. */
    CHECK (!s_readable (socin_worker_fd (c), 100));
    CHECK_INT ((int)s_checked (c), 0);
    CHECK (s_checked (c) != s_given (c));
    CHECK (socin_worker_take (c) == NULL);
    CHECK_INT ((int)s_given (c), 2);
    sem_post (&s_gate);
    socin_worker_drain (c);
    CHECK (s_checked (c) == s_given (c));
    CHECK_INT ((int)s_checked (c), 2);
    CHECK (socin_worker_take (c) == &first);
    CHECK (socin_worker_take (c) == &second);
    CHECK_INT (first.checks + second.checks, 2);
    socin_worker_destroy (&c);
}

static void
after_a_drain_nothing_is_checked_until_the_next_job (void)
{
    socin_worker_t *c = socin_worker_new ("test-worker", s_check, s_drop, NULL);
    CHECK (c != NULL);
    if (!c) return;
    static s_job_t jobs[2 * S_JOBS];
    int consistent = 1;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 10; i++) {
            s_job_t *job = &jobs[(round * 10 + i) % (2 * S_JOBS)];
            *job = (s_job_t){.index = i};
            socin_worker_put (c, job);
        }
        socin_worker_drain (c);
        CHECK_INT (atomic_load (&s_checking), 0);
        /* The "registry" changes while jobs wait to be taken: none is being checked. */
        s_model++;
        s_job_t *job;
        while ((job = socin_worker_take (c)))
            consistent &=
                job->model_at_start == job->model_at_end && job->model_at_start == s_model - 1;
    }
    CHECK (consistent);
    socin_worker_destroy (&c);
}

static void
the_loop_helps_with_the_newest_jobs_and_they_still_come_back_in_order (void)
{
    socin_worker_t *c = socin_worker_new ("test-worker", s_check, s_drop, NULL);
    CHECK (c != NULL);
    if (!c) return;
    enum { N = 6 };
    static s_job_t jobs[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (s_job_t){.index = i, .gated = i == 0}; /* the thread stays on the first */
        socin_worker_put (c, &jobs[i]);
    }
    /* The caller does the newest first, never the one the thread is on or about to start. */
    int helped = 0, newest_first = 1;
    while (socin_worker_help (c)) {
        helped++;
        newest_first &= jobs[N - helped].checks == 1 && jobs[N - helped - 1].checks == 0;
    }
    CHECK_INT (helped, N - 1);
    CHECK (newest_first);
    CHECK_INT ((int)s_checked (c), N - 1);
    CHECK (s_checked (c) != s_given (c));
    CHECK (socin_worker_take (c) == NULL); /* the oldest holds them back */
    sem_post (&s_gate);
    socin_worker_drain (c);
    CHECK_INT ((int)s_checked (c), N);
    int in_order = 1, once = 1, here = 1;
    for (int i = 0; i < N; i++) {
        in_order &= socin_worker_take (c) == &jobs[i];
        once &= jobs[i].checks == 1;
        here &= !!pthread_equal (jobs[i].thread, pthread_self ()) == (i > 0);
    }
    CHECK (in_order);
    CHECK (once);
    CHECK (here);
    CHECK (!socin_worker_help (c));
    socin_worker_destroy (&c);
}

static void
a_stop_drops_every_job_not_taken_once (void)
{
    atomic_store (&s_dropped, 0);
    socin_worker_t *c = socin_worker_new ("test-worker", s_check, s_drop, NULL);
    CHECK (c != NULL);
    if (!c) return;
    static s_job_t jobs[S_JOBS];
    s_put_all (c, jobs, S_JOBS);
    /* Some taken, the rest checked or not when it stops. */
    int taken = 0;
    while (taken < 10) {
        if (socin_worker_take (c))
            taken++;
        else
            s_readable (socin_worker_fd (c), 100);
    }
    socin_worker_destroy (&c);
    CHECK_INT (atomic_load (&s_dropped), S_JOBS - taken);
}

int
main (void)
{
    sem_init (&s_gate, 0, 0);
    RUN (jobs_come_back_in_order_checked_once_on_the_thread,
         "jobs come back in the order given, each done once, on the worker's named thread");
    RUN (the_oldest_job_holds_back_the_later_ones,
         "nothing is taken before the oldest job given is checked");
    RUN (after_a_drain_nothing_is_checked_until_the_next_job,
         "after a drain no check is under way, so the registry it reads may change");
    RUN (the_loop_helps_with_the_newest_jobs_and_they_still_come_back_in_order,
         "the loop does the newest jobs not started, each once, and all come back in order");
    RUN (a_stop_drops_every_job_not_taken_once, "a stop drops every job not taken, once each");
    sem_destroy (&s_gate);
    return TEST_SUMMARY ();
}
