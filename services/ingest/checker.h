/*  checker: a second thread that checks submissions while the loop commits the group before.

    Decoding a submission, its digest and its validation against the registry replica touch
    no storage and are about half of the ingest's work per value. The loop gives each received
    submission to the checker (a job), goes on applying and committing the previous group, and
    takes the jobs back once checked, in the order it gave them; everything that reads or
    writes the store (resend detection, the checks against stored state, the transaction, the
    answers) stays on the loop's thread.

    What a check reads that the loop may change (the replica's model, the ingest's territory)
    may change only once ing_checker_drain has returned: the worker is then idle and stays so
    until the loop gives it a job again. Jobs checked before such a change are the caller's to
    check again (main.c stamps each job with the replica's generation).
*/
#ifndef SOCIN_INGEST_CHECKER_H
#define SOCIN_INGEST_CHECKER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ing_checker_t ing_checker_t;

/* Checks JOB; runs on the checker's thread, one job at a time, in the order given. */
typedef void (ing_check_fn) (void *job, void *arg);
/* Frees a job the checker still held when it was destroyed. */
typedef void (ing_job_free_fn) (void *job, void *arg);

/* Starts the thread; NULL when it cannot be started. */
ing_checker_t *ing_checker_new (ing_check_fn *check, ing_job_free_fn *drop, void *arg);
/* Stops the thread (after the job it is checking) and drops every job not taken. */
void ing_checker_destroy (ing_checker_t **self_p);

/* A descriptor that is readable once a job has been checked since the last ing_checker_clear
   (for the loop's poller). */
int ing_checker_fd (ing_checker_t *self);
void ing_checker_clear (ing_checker_t *self);

/* Gives JOB to the thread, after every job given before. */
void ing_checker_put (ing_checker_t *self, void *job);

/* The oldest job given when it has been checked (the caller owns it again), else NULL. */
void *ing_checker_take (ing_checker_t *self);

/* Jobs given and not yet taken into *GIVEN, of them those checked (the oldest) into *CHECKED
   (either may be NULL). Every job given has been checked, and the thread is idle, when the two
   are equal. */
void ing_checker_counts (ing_checker_t *self, size_t *given, size_t *checked);

/* Returns once every job given so far has been checked: the thread is idle until the next
   ing_checker_put. */
void ing_checker_drain (ing_checker_t *self);

#endif
