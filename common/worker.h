/*  worker: a second thread that does a daemon's per-message work that touches no storage
    (decoding, digests, validation) while the loop commits the group before.

    The loop gives each received message to the worker as a job, goes on applying and
    committing the previous group, and takes the jobs back once done, in the order it gave
    them; everything that reads or writes the store stays on the loop's thread. The ingest
    checks submissions on it (services/ingest/main.c), reporting decodes change batches
    (services/reporting/intake.c).

    What a job reads that the loop may change (the replica's model, say) may change only once
    socin_worker_drain has returned: the worker is then idle and stays so until the loop gives
    it a job again. Jobs done before such a change are the caller's to do again (the ingest
    stamps each job with the replica's generation).
*/
#ifndef SOCIN_WORKER_H
#define SOCIN_WORKER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct socin_worker_t socin_worker_t;

/* Does JOB; runs on the worker's thread, one job at a time, in the order given. */
typedef void (socin_work_fn) (void *job, void *arg);
/* Frees a job the worker still held when it was destroyed. */
typedef void (socin_job_free_fn) (void *job, void *arg);

/* Starts the thread, named NAME (at most 15 characters, as `top -H` shows it); NULL when it
   cannot be started. */
socin_worker_t *socin_worker_new (const char *name, socin_work_fn *work, socin_job_free_fn *drop,
                                  void *arg);
/* Stops the thread (after the job it is doing) and drops every job not taken. */
void socin_worker_destroy (socin_worker_t **self_p);

/* A descriptor that is readable once a job has been done since the last socin_worker_clear
   (for the loop's poller). */
int socin_worker_fd (socin_worker_t *self);
void socin_worker_clear (socin_worker_t *self);

/* Gives JOB to the thread, after every job given before. */
void socin_worker_put (socin_worker_t *self, void *job);

/* The oldest job given when it is done (the caller owns it again), else NULL. */
void *socin_worker_take (socin_worker_t *self);

/* Does the newest job the thread has not started on the calling thread, which is the loop's
   (the one that gives, takes and drains), while it would otherwise wait for the thread; the
   thread passes that job by. False when there is none (every job after the one the thread is
   on is done). The job's function must be safe to run beside itself on another job. */
bool socin_worker_help (socin_worker_t *self);

/* Jobs given and not yet taken into *GIVEN, of them those done into *DONE (either may be
   NULL). The thread does the oldest first; jobs socin_worker_help did may be done before
   older ones. Every job given is done when the two are equal. */
void socin_worker_counts (socin_worker_t *self, size_t *given, size_t *done);

/* Returns once every job given so far is done: the thread is idle until the next
   socin_worker_put. */
void socin_worker_drain (socin_worker_t *self);

#endif
