/*  worker: a second thread that does the loop's jobs. See worker.h.

    The jobs form one list in the order given: the loop appends at the tail and takes from the
    head once the head is done; the thread works from `next`, the oldest job not yet
    done. One mutex guards the list; the thread sleeps on `work` when nothing waits to be
    done, and socin_worker_drain sleeps on `idle`. An eventfd tells the loop's poller that
    done jobs wait.
*/
#include "worker.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mem.h"

typedef struct s_node_t {
    struct s_node_t *next;
    void *job;
    bool done;
    bool claimed; /* by socin_worker_help: the thread passes it by */
} s_node_t;

struct socin_worker_t {
    socin_work_fn *fn;
    char name[16];
    socin_job_free_fn *drop;
    void *arg;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t work, idle;
    s_node_t *head, *tail, *next; /* next: the oldest job not yet done (NULL: none) */
    size_t count, done;
    bool busy, stop;
    int fd;
};

/* Tells the loop that done jobs wait. Only a counter at its limit refuses the write, and
   the loop then has a wake pending anyway. */
static void
s_wake (socin_worker_t *self)
{
    uint64_t one = 1;
    ssize_t n = write (self->fd, &one, sizeof one);
    (void)n;
}

static void *
s_run (void *arg)
{
    socin_worker_t *self = arg;
    pthread_setname_np (pthread_self (), self->name);
    pthread_mutex_lock (&self->mutex);
    while (!self->stop) {
        if (!self->next) {
            pthread_cond_wait (&self->work, &self->mutex);
            continue;
        }
        s_node_t *node = self->next;
        if (node->claimed) {
            /* Done, or being done, by socin_worker_help on another thread. */
            self->next = node->next;
            if (!self->next) pthread_cond_broadcast (&self->idle);
            continue;
        }
        self->busy = true;
        pthread_mutex_unlock (&self->mutex);
        self->fn (node->job, self->arg);
        pthread_mutex_lock (&self->mutex);
        node->done = true;
        self->done++;
        self->next = node->next;
        self->busy = false;
        if (!self->next) pthread_cond_broadcast (&self->idle);
        s_wake (self);
    }
    pthread_mutex_unlock (&self->mutex);
    return NULL;
}

socin_worker_t *
socin_worker_new (const char *name, socin_work_fn *work, socin_job_free_fn *drop, void *arg)
{
    socin_worker_t *self = socin_calloc (1, sizeof *self);
    self->fn = work;
    snprintf (self->name, sizeof self->name, "%s", name);
    self->drop = drop;
    self->arg = arg;
    self->fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init (&self->mutex, NULL);
    pthread_cond_init (&self->work, NULL);
    pthread_cond_init (&self->idle, NULL);
    if (self->fd < 0 || pthread_create (&self->thread, NULL, s_run, self)) {
        if (self->fd >= 0) close (self->fd);
        pthread_mutex_destroy (&self->mutex);
        pthread_cond_destroy (&self->work);
        pthread_cond_destroy (&self->idle);
        free (self);
        return NULL;
    }
    return self;
}

void
socin_worker_destroy (socin_worker_t **self_p)
{
    socin_worker_t *self = *self_p;
    if (!self) return;
    pthread_mutex_lock (&self->mutex);
    self->stop = true;
    pthread_cond_signal (&self->work);
    pthread_mutex_unlock (&self->mutex);
    pthread_join (self->thread, NULL);
    for (s_node_t *n = self->head, *next; n; n = next) {
        next = n->next;
        if (self->drop) self->drop (n->job, self->arg);
        free (n);
    }
    close (self->fd);
    pthread_mutex_destroy (&self->mutex);
    pthread_cond_destroy (&self->work);
    pthread_cond_destroy (&self->idle);
    free (self);
    *self_p = NULL;
}

int
socin_worker_fd (socin_worker_t *self)
{
    return self->fd;
}

void
socin_worker_clear (socin_worker_t *self)
{
    uint64_t count;
    /* EAGAIN when nothing was done since the last clear. */
    ssize_t n = read (self->fd, &count, sizeof count);
    (void)n;
}

void
socin_worker_put (socin_worker_t *self, void *job)
{
    s_node_t *node = socin_calloc (1, sizeof *node);
    node->job = job;
    pthread_mutex_lock (&self->mutex);
    if (self->tail)
        self->tail->next = node;
    else
        self->head = node;
    self->tail = node;
    self->count++;
    if (!self->next) {
        self->next = node;
        pthread_cond_signal (&self->work);
    }
    pthread_mutex_unlock (&self->mutex);
}

void *
socin_worker_take (socin_worker_t *self)
{
    pthread_mutex_lock (&self->mutex);
    s_node_t *node = self->head && self->head->done ? self->head : NULL;
    if (node) {
        self->head = node->next;
        if (!self->head) self->tail = NULL;
        self->count--;
        self->done--;
    }
    pthread_mutex_unlock (&self->mutex);
    if (!node) return NULL;
    void *job = node->job;
    free (node);
    return job;
}

bool
socin_worker_help (socin_worker_t *self)
{
    pthread_mutex_lock (&self->mutex);
    /* The newest job not started: after the one the thread is on or about to start. */
    s_node_t *pick = NULL;
    for (s_node_t *n = self->next ? self->next->next : NULL; n; n = n->next)
        if (!n->done && !n->claimed) pick = n;
    if (pick) pick->claimed = true;
    pthread_mutex_unlock (&self->mutex);
    if (!pick) return false;
    self->fn (pick->job, self->arg);
    pthread_mutex_lock (&self->mutex);
    pick->done = true;
    self->done++;
    pthread_mutex_unlock (&self->mutex);
    return true;
}

void
socin_worker_counts (socin_worker_t *self, size_t *given, size_t *done)
{
    pthread_mutex_lock (&self->mutex);
    if (given) *given = self->count;
    if (done) *done = self->done;
    pthread_mutex_unlock (&self->mutex);
}

void
socin_worker_drain (socin_worker_t *self)
{
    pthread_mutex_lock (&self->mutex);
    while (self->next || self->busy)
        pthread_cond_wait (&self->idle, &self->mutex);
    pthread_mutex_unlock (&self->mutex);
}
