/*  checker: a second thread that checks submissions. See checker.h.

    The jobs form one list in the order given: the loop appends at the tail and takes from the
    head once the head is checked; the thread checks from `next`, the oldest job not yet
    checked. One mutex guards the list; the thread sleeps on `work` when nothing waits to be
    checked, and ing_checker_drain sleeps on `idle`. An eventfd tells the loop's poller that
    checked jobs wait.
*/
#include "checker.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mem.h"

typedef struct s_node_t {
    struct s_node_t *next;
    void *job;
    bool checked;
} s_node_t;

struct ing_checker_t {
    ing_check_fn *check;
    ing_job_free_fn *drop;
    void *arg;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t work, idle;
    s_node_t *head, *tail, *next; /* next: the oldest job not yet checked (NULL: none) */
    size_t count, checked;
    bool busy, stop;
    int fd;
};

/* Tells the loop that checked jobs wait. Only a counter at its limit refuses the write, and
   the loop then has a wake pending anyway. */
static void
s_wake (ing_checker_t *self)
{
    uint64_t one = 1;
    ssize_t n = write (self->fd, &one, sizeof one);
    (void)n;
}

static void *
s_run (void *arg)
{
    ing_checker_t *self = arg;
    pthread_setname_np (pthread_self (), "ingest-checker");
    pthread_mutex_lock (&self->mutex);
    while (!self->stop) {
        if (!self->next) {
            pthread_cond_wait (&self->work, &self->mutex);
            continue;
        }
        s_node_t *node = self->next;
        self->busy = true;
        pthread_mutex_unlock (&self->mutex);
        self->check (node->job, self->arg);
        pthread_mutex_lock (&self->mutex);
        node->checked = true;
        self->checked++;
        self->next = node->next;
        self->busy = false;
        if (!self->next) pthread_cond_broadcast (&self->idle);
        s_wake (self);
    }
    pthread_mutex_unlock (&self->mutex);
    return NULL;
}

ing_checker_t *
ing_checker_new (ing_check_fn *check, ing_job_free_fn *drop, void *arg)
{
    ing_checker_t *self = socin_calloc (1, sizeof *self);
    self->check = check;
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
ing_checker_destroy (ing_checker_t **self_p)
{
    ing_checker_t *self = *self_p;
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
ing_checker_fd (ing_checker_t *self)
{
    return self->fd;
}

void
ing_checker_clear (ing_checker_t *self)
{
    uint64_t count;
    /* EAGAIN when nothing was checked since the last clear. */
    ssize_t n = read (self->fd, &count, sizeof count);
    (void)n;
}

void
ing_checker_put (ing_checker_t *self, void *job)
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
ing_checker_take (ing_checker_t *self)
{
    pthread_mutex_lock (&self->mutex);
    s_node_t *node = self->head && self->head->checked ? self->head : NULL;
    if (node) {
        self->head = node->next;
        if (!self->head) self->tail = NULL;
        self->count--;
        self->checked--;
    }
    pthread_mutex_unlock (&self->mutex);
    if (!node) return NULL;
    void *job = node->job;
    free (node);
    return job;
}

void
ing_checker_counts (ing_checker_t *self, size_t *given, size_t *checked)
{
    pthread_mutex_lock (&self->mutex);
    if (given) *given = self->count;
    if (checked) *checked = self->checked;
    pthread_mutex_unlock (&self->mutex);
}

void
ing_checker_drain (ing_checker_t *self)
{
    pthread_mutex_lock (&self->mutex);
    while (self->next || self->busy)
        pthread_cond_wait (&self->idle, &self->mutex);
    pthread_mutex_unlock (&self->mutex);
}
