/*
 * pool.c - worker threads that follow a `target` pool (see pool.h).
 *
 * Worker loop:
 *   attach to p (p->attached++)
 *   loop: if w->target != p -> detach (p->attached--, signal) and go to w->target,
 *         or exit when it is NULL; else run the next task or wait on p->cond.
 * Membership (p->workers, who will be joined by whom) changes under the pool mutexes at
 * move time; p->attached counts threads physically inside p, so destroy can wait until no
 * thread touches p before freeing it.
 */
#include "compute/pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"

typedef struct task {
    struct task *next;
    lh_task_fn fn;
    void *arg;
} task;

typedef struct worker {
    struct worker *next; /* membership list of its target pool (guarded by that pool's mu) */
    pthread_t thread;
    _Atomic(struct lh_pool *) target;
} worker;

struct lh_pool {
    char name[32];
    pthread_mutex_t mu;
    pthread_cond_t cond;      /* work available or a worker must leave */
    pthread_cond_t idle_cond; /* queue drained / a worker detached */
    task *head, *tail;
    size_t queued;
    int running;  /* tasks executing now */
    int attached; /* threads inside this pool's loop */
    int members;  /* workers assigned (logical) */
    worker *workers;
    int stopping;
};

int lh_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void run_in(worker *w, lh_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    p->attached++;
    for (;;) {
        if (atomic_load(&w->target) != p)
            break;
        task *t = p->head;
        if (t == NULL) {
            pthread_cond_wait(&p->cond, &p->mu);
            continue;
        }
        p->head = t->next;
        if (p->head == NULL)
            p->tail = NULL;
        p->queued--;
        p->running++;
        pthread_mutex_unlock(&p->mu);
        t->fn(t->arg);
        free(t);
        pthread_mutex_lock(&p->mu);
        p->running--;
        if (p->queued == 0 && p->running == 0)
            pthread_cond_broadcast(&p->idle_cond);
    }
    p->attached--;
    pthread_cond_broadcast(&p->idle_cond);
    pthread_mutex_unlock(&p->mu);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    lh_pool_t *p;
    while ((p = atomic_load(&w->target)) != NULL)
        run_in(w, p);
    return NULL;
}

lh_pool_t *lh_pool_create(const char *name, int threads)
{
    lh_pool_t *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    snprintf(p->name, sizeof p->name, "%s", name);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cond, NULL);
    pthread_cond_init(&p->idle_cond, NULL);
    if (threads > 0 && lh_pool_grow(p, threads, NULL) != LH_OK) {
        lh_pool_destroy(p);
        return NULL;
    }
    return p;
}

lh_err lh_pool_grow(lh_pool_t *p, int n, lh_errbuf *eb)
{
    for (int i = 0; i < n; i++) {
        worker *w = calloc(1, sizeof *w);
        LH_FAIL_IF(w == NULL, LH_E_NOMEM, eb, "out of memory starting a worker");
        atomic_init(&w->target, p);
        pthread_mutex_lock(&p->mu);
        int full = p->members >= LH_POOL_THREADS_MAX;
        if (!full) {
            w->next = p->workers;
            p->workers = w;
            p->members++;
        }
        pthread_mutex_unlock(&p->mu);
        if (full) {
            free(w);
            LH_FAIL(LH_E_LIMIT, eb, "pool %s already has %d workers", p->name, LH_POOL_THREADS_MAX);
        }
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            pthread_mutex_lock(&p->mu);
            for (worker **pp = &p->workers; *pp != NULL; pp = &(*pp)->next) {
                if (*pp == w) {
                    *pp = w->next;
                    break;
                }
            }
            p->members--;
            pthread_mutex_unlock(&p->mu);
            free(w);
            LH_FAIL(LH_E_IO, eb, "cannot start a worker thread");
        }
    }
    return LH_OK;
}

/* Detach up to n members of src (under src->mu) into a list. */
static worker *take_members(lh_pool_t *src, int n, int *taken)
{
    worker *list = NULL;
    *taken = 0;
    pthread_mutex_lock(&src->mu);
    while (*taken < n && src->workers != NULL) {
        worker *w = src->workers;
        src->workers = w->next;
        src->members--;
        w->next = list;
        list = w;
        (*taken)++;
    }
    pthread_mutex_unlock(&src->mu);
    return list;
}

int lh_pool_move_workers(lh_pool_t *src, lh_pool_t *dst, int n)
{
    int taken = 0;
    worker *list = take_members(src, n, &taken);
    worker *stopped = NULL;
    while (list != NULL) {
        worker *w = list;
        list = w->next;
        atomic_store(&w->target, dst);
        if (dst != NULL) {
            pthread_mutex_lock(&dst->mu);
            w->next = dst->workers;
            dst->workers = w;
            dst->members++;
            pthread_mutex_unlock(&dst->mu);
        } else {
            w->next = stopped;
            stopped = w;
        }
    }
    pthread_mutex_lock(&src->mu);
    pthread_cond_broadcast(&src->cond);
    pthread_mutex_unlock(&src->mu);
    while (stopped != NULL) { /* stopping: join them now */
        worker *w = stopped;
        stopped = w->next;
        pthread_join(w->thread, NULL);
        free(w);
    }
    return taken;
}

int lh_pool_worker_count(lh_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->members;
    pthread_mutex_unlock(&p->mu);
    return n;
}

lh_err lh_pool_submit(lh_pool_t *p, lh_task_fn fn, void *arg, lh_errbuf *eb)
{
    task *t = malloc(sizeof *t);
    LH_FAIL_IF(t == NULL, LH_E_NOMEM, eb, "out of memory queueing a task");
    t->fn = fn;
    t->arg = arg;
    t->next = NULL;
    pthread_mutex_lock(&p->mu);
    lh_err e = LH_OK;
    if (p->stopping)
        e = lh_err_set(eb, LH_E_STATE, __FILE__, __LINE__, "pool %s is stopping", p->name);
    else if (p->queued >= LH_POOL_QUEUE_MAX)
        e = lh_err_set(eb, LH_E_LIMIT, __FILE__, __LINE__, "pool %s queue is full", p->name);
    if (e == LH_OK) {
        if (p->tail)
            p->tail->next = t;
        else
            p->head = t;
        p->tail = t;
        p->queued++;
        pthread_cond_signal(&p->cond);
    }
    pthread_mutex_unlock(&p->mu);
    if (e != LH_OK)
        free(t);
    return e;
}

void lh_pool_wait_idle(lh_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->queued > 0 || p->running > 0)
        pthread_cond_wait(&p->idle_cond, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void lh_pool_destroy(lh_pool_t *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_mutex_unlock(&p->mu);
    if (lh_pool_worker_count(p) > 0)
        lh_pool_wait_idle(p);
    lh_pool_move_workers(p, NULL, LH_POOL_THREADS_MAX);
    pthread_mutex_lock(&p->mu); /* threads passing through on their way elsewhere */
    while (p->attached > 0)
        pthread_cond_wait(&p->idle_cond, &p->mu);
    task *t = p->head; /* only when there were no workers at all */
    pthread_mutex_unlock(&p->mu);
    while (t != NULL) {
        task *next = t->next;
        t->fn(t->arg);
        free(t);
        t = next;
    }
    pthread_cond_destroy(&p->cond);
    pthread_cond_destroy(&p->idle_cond);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

typedef struct pfor {
    void (*fn)(void *arg, size_t i);
    void *arg;
    size_t n;
    atomic_size_t next;
    atomic_size_t done;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    atomic_int helpers_left;
} pfor;

static void pfor_drain(pfor *f)
{
    size_t i;
    while ((i = atomic_fetch_add(&f->next, 1)) < f->n) {
        f->fn(f->arg, i);
        atomic_fetch_add(&f->done, 1);
    }
}

static void pfor_helper(void *arg)
{
    pfor *f = arg;
    pfor_drain(f);
    pthread_mutex_lock(&f->mu);
    atomic_fetch_sub(&f->helpers_left, 1);
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->mu);
}

void lh_pool_parallel_for(lh_pool_t *p, size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
    pfor f = {.fn = fn, .arg = arg, .n = n};
    atomic_init(&f.next, 0);
    atomic_init(&f.done, 0);
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cond, NULL);
    int helpers = lh_pool_worker_count(p);
    if ((size_t)helpers > n)
        helpers = (int)n;
    atomic_init(&f.helpers_left, 0);
    for (int i = 0; i < helpers; i++) {
        atomic_fetch_add(&f.helpers_left, 1);
        if (lh_pool_submit(p, pfor_helper, &f, NULL) != LH_OK) {
            atomic_fetch_sub(&f.helpers_left, 1);
            break;
        }
    }
    pfor_drain(&f);
    pthread_mutex_lock(&f.mu); /* helpers reference f until they signal */
    while (atomic_load(&f.helpers_left) > 0)
        pthread_cond_wait(&f.cond, &f.mu);
    pthread_mutex_unlock(&f.mu);
    pthread_cond_destroy(&f.cond);
    pthread_mutex_destroy(&f.mu);
}
