/*
 * bg.c - the background service (see bg.h for the contract).
 *
 * Executors: a ring buffer of (fn, arg) of fixed capacity under the executor's mutex;
 * workers pop and run tasks with the mutex released. Timers: a binary min-heap ordered by
 * (due time, creation sequence) so timers due at the same instant fire in the order they
 * were added; each timer remembers its heap slot so cancel removes it in O(log n). Every
 * live timer is also on a list so destroy can free the ones not in the heap (fired
 * one-shots whose owner has not cancelled them yet).
 *
 * A timer's run is the task timer_run(t) on its executor. Timer fields are guarded by
 * bg->mu: `queued` (a run is posted and not finished), `running` (+ runner, the thread),
 * `cancelled`, `cancel_waiting` (a cancel on another thread waits for the run and frees
 * the timer itself). Whoever sees a cancelled timer with no run outstanding frees it.
 */
#include "common/bg.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/limits.h"
#include "common/util.h"

/* A one-shot timer whose executor was full is retried this much later. */
#define ONE_SHOT_RETRY_NS (10 * 1000000LL)

typedef struct {
    lh_bg_fn fn;
    void *arg;
} task;

struct lh_bg_executor {
    lh_bg_t *bg;
    char name[32];
    pthread_mutex_t mu; /* everything below; leaf lock (after bg->mu) */
    pthread_cond_t cond;
    task *ring;
    int cap, head, count;
    bool closing, joined;
    int nthreads;
    pthread_t threads[LH_BG_THREADS_MAX];
    uint64_t tasks_total, rejected_total;
};

struct lh_bg_timer {
    lh_bg_t *bg;
    lh_bg_executor_t *ex;
    lh_bg_fn fn;
    void *arg;
    int64_t due_ns, period_ns;
    uint64_t seq;
    int heap_idx; /* -1 when not in the heap */
    bool queued, running, cancelled, cancel_waiting, detached;
    pthread_t runner;
    lh_bg_timer_t *prev, *next; /* bg->timers */
};

struct lh_bg {
    pthread_mutex_t mu;  /* heap, timers, executors[], stopping */
    pthread_cond_t wake; /* timer thread: the heap's top changed or stopping */
    pthread_cond_t done; /* a timer run finished */
    lh_bg_timer_t **heap;
    int heap_n, heap_cap;
    lh_bg_timer_t *timers;
    int timer_count;
    uint64_t seq, skipped;
    bool stopping, timer_started;
    pthread_t timer_thread;
    int queue_cap;
    lh_bg_executor_t *executors[LH_BG_EXECUTORS_MAX];
    int executor_count;
    lh_bg_executor_t *dflt;
};

/* ---- executors ---- */

/* Queue one task (never blocks). Callers may hold bg->mu. */
static lh_err enqueue(lh_bg_executor_t *ex, lh_bg_fn fn, void *arg)
{
    pthread_mutex_lock(&ex->mu);
    lh_err e = LH_OK;
    if (ex->closing) {
        e = LH_E_UNAVAILABLE;
    } else if (ex->count == ex->cap) {
        e = LH_E_LIMIT;
        ex->rejected_total++;
    } else {
        ex->ring[(ex->head + ex->count) % ex->cap] = (task){fn, arg};
        ex->count++;
        ex->tasks_total++;
        pthread_cond_signal(&ex->cond);
    }
    pthread_mutex_unlock(&ex->mu);
    return e;
}

lh_err lh_bg_post(lh_bg_executor_t *ex, lh_bg_fn fn, void *arg, lh_errbuf *eb)
{
    LH_ASSERT(ex != NULL && fn != NULL);
    lh_err e = enqueue(ex, fn, arg);
    LH_FAIL_IF(e == LH_E_LIMIT, e, eb, "The %s queue is full; retry later", ex->name);
    LH_FAIL_IF(e == LH_E_UNAVAILABLE, e, eb, "The %s queue is shutting down", ex->name);
    return LH_OK;
}

static void *worker_main(void *arg)
{
    lh_bg_executor_t *ex = arg;
    pthread_mutex_lock(&ex->mu);
    for (;;) {
        while (ex->count == 0 && !ex->closing)
            pthread_cond_wait(&ex->cond, &ex->mu);
        if (ex->count == 0)
            break; /* closing and drained */
        task t = ex->ring[ex->head];
        ex->head = (ex->head + 1) % ex->cap;
        ex->count--;
        pthread_mutex_unlock(&ex->mu);
        t.fn(t.arg);
        pthread_mutex_lock(&ex->mu);
    }
    pthread_mutex_unlock(&ex->mu);
    return NULL;
}

static bool is_own_thread(const lh_bg_executor_t *ex)
{
    for (int i = 0; i < ex->nthreads; i++) {
        if (pthread_equal(ex->threads[i], pthread_self()))
            return true;
    }
    return false;
}

void lh_bg_executor_shutdown(lh_bg_executor_t *ex)
{
    LH_ASSERT(!is_own_thread(ex));
    pthread_mutex_lock(&ex->mu);
    bool first = !ex->joined;
    ex->closing = true;
    ex->joined = true;
    pthread_cond_broadcast(&ex->cond);
    pthread_mutex_unlock(&ex->mu);
    if (!first)
        return;
    for (int i = 0; i < ex->nthreads; i++)
        pthread_join(ex->threads[i], NULL);
}

int lh_bg_executor_depth(lh_bg_executor_t *ex)
{
    pthread_mutex_lock(&ex->mu);
    int n = ex->count;
    pthread_mutex_unlock(&ex->mu);
    return n;
}

static void executor_free(lh_bg_executor_t *ex)
{
    pthread_cond_destroy(&ex->cond);
    pthread_mutex_destroy(&ex->mu);
    free(ex->ring);
    free(ex);
}

static lh_err executor_new(lh_bg_t *bg, const char *name, int threads, int queue_max,
                           lh_bg_executor_t **out, lh_errbuf *eb)
{
    LH_ASSERT(threads >= 1 && threads <= LH_BG_THREADS_MAX);
    LH_ASSERT(queue_max >= 1 && queue_max <= LH_BG_QUEUE_MAX);
    if (bg->queue_cap > 0 && queue_max > bg->queue_cap)
        queue_max = bg->queue_cap;
    lh_bg_executor_t *ex = calloc(1, sizeof *ex);
    task *ring = calloc((size_t)queue_max, sizeof *ring);
    if (ex == NULL || ring == NULL) {
        free(ex);
        free(ring);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    ex->bg = bg;
    snprintf(ex->name, sizeof ex->name, "%s", name);
    pthread_mutex_init(&ex->mu, NULL);
    pthread_cond_init(&ex->cond, NULL);
    ex->ring = ring;
    ex->cap = queue_max;
    for (; ex->nthreads < threads; ex->nthreads++) {
        if (pthread_create(&ex->threads[ex->nthreads], NULL, worker_main, ex) != 0) {
            lh_bg_executor_shutdown(ex);
            executor_free(ex);
            LH_FAIL(LH_E_IO, eb, "cannot start a thread for the %s executor", name);
        }
    }
    *out = ex;
    return LH_OK;
}

lh_err lh_bg_executor(lh_bg_t *bg, const char *name, int threads, int queue_max,
                      lh_bg_executor_t **out, lh_errbuf *eb)
{
    pthread_mutex_lock(&bg->mu);
    lh_err e = LH_OK;
    if (bg->stopping)
        e = lh_err_set(eb, LH_E_UNAVAILABLE, __FILE__, __LINE__, "shutting down");
    else if (bg->executor_count == LH_BG_EXECUTORS_MAX)
        e = lh_err_set(eb, LH_E_LIMIT, __FILE__, __LINE__, "too many executors (%d)",
                       LH_BG_EXECUTORS_MAX);
    else if ((e = executor_new(bg, name, threads, queue_max, out, eb)) == LH_OK)
        bg->executors[bg->executor_count++] = *out;
    pthread_mutex_unlock(&bg->mu);
    return e;
}

lh_bg_executor_t *lh_bg_default(lh_bg_t *bg)
{
    return bg->dflt;
}

/* ---- the timer heap (bg->mu held) ---- */

static bool earlier(const lh_bg_timer_t *a, const lh_bg_timer_t *b)
{
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void heap_set(lh_bg_t *bg, int i, lh_bg_timer_t *t)
{
    bg->heap[i] = t;
    t->heap_idx = i;
}

static void sift_up(lh_bg_t *bg, int i)
{
    lh_bg_timer_t *t = bg->heap[i];
    while (i > 0 && earlier(t, bg->heap[(i - 1) / 2])) {
        heap_set(bg, i, bg->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(bg, i, t);
}

static void sift_down(lh_bg_t *bg, int i)
{
    lh_bg_timer_t *t = bg->heap[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= bg->heap_n)
            break;
        if (c + 1 < bg->heap_n && earlier(bg->heap[c + 1], bg->heap[c]))
            c++;
        if (!earlier(bg->heap[c], t))
            break;
        heap_set(bg, i, bg->heap[c]);
        i = c;
    }
    heap_set(bg, i, t);
}

/* The heap has room for every live timer (grown in timer_add), so push cannot fail. */
static void heap_push(lh_bg_t *bg, lh_bg_timer_t *t)
{
    LH_ASSERT(bg->heap_n < bg->heap_cap && t->heap_idx < 0);
    bg->heap[bg->heap_n] = t;
    t->heap_idx = bg->heap_n++;
    sift_up(bg, t->heap_idx);
}

static void heap_remove(lh_bg_t *bg, lh_bg_timer_t *t)
{
    int i = t->heap_idx;
    LH_ASSERT(i >= 0 && i < bg->heap_n && bg->heap[i] == t);
    t->heap_idx = -1;
    lh_bg_timer_t *last = bg->heap[--bg->heap_n];
    if (last == t)
        return;
    heap_set(bg, i, last);
    sift_up(bg, i);
    sift_down(bg, last->heap_idx);
}

/* ---- timers ---- */

static void timer_free_locked(lh_bg_timer_t *t)
{
    lh_bg_t *bg = t->bg;
    LH_ASSERT(t->heap_idx < 0 && !t->queued);
    if (t->prev)
        t->prev->next = t->next;
    else
        bg->timers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    bg->timer_count--;
    free(t);
}

static void timer_run(void *arg)
{
    lh_bg_timer_t *t = arg;
    lh_bg_t *bg = t->bg;
    pthread_mutex_lock(&bg->mu);
    if (!t->cancelled) {
        t->running = true;
        t->runner = pthread_self();
        pthread_mutex_unlock(&bg->mu);
        t->fn(t->arg);
        pthread_mutex_lock(&bg->mu);
        t->running = false;
    }
    t->queued = false;
    bool one_shot_done = t->period_ns == 0 && t->heap_idx < 0;
    if (t->cancel_waiting)
        pthread_cond_broadcast(&bg->done); /* the canceller frees it */
    else if (t->cancelled || (t->detached && one_shot_done))
        timer_free_locked(t);
    pthread_mutex_unlock(&bg->mu);
}

/* A due timer (popped from the heap): re-arm a periodic one, post its run. */
static void fire(lh_bg_t *bg, lh_bg_timer_t *t, int64_t now)
{
    if (t->period_ns > 0) {
        t->due_ns += t->period_ns;
        if (t->due_ns <= now) /* missed ticks are not replayed */
            t->due_ns = now + t->period_ns;
        heap_push(bg, t);
    }
    if (t->queued) {
        bg->skipped++;
        return;
    }
    lh_err e = enqueue(t->ex, timer_run, t);
    if (e == LH_OK) {
        t->queued = true;
        return;
    }
    bg->skipped++;
    if (t->period_ns == 0 && e == LH_E_LIMIT) { /* a one-shot must not be lost: retry */
        t->due_ns = now + ONE_SHOT_RETRY_NS;
        heap_push(bg, t);
    } else if (t->period_ns == 0 && t->detached) {
        timer_free_locked(t); /* executor shut down: dropped */
    }
}

static void *timer_main(void *arg)
{
    lh_bg_t *bg = arg;
    pthread_mutex_lock(&bg->mu);
    while (!bg->stopping) {
        int64_t now = lh_mono_ns();
        if (bg->heap_n == 0) {
            pthread_cond_wait(&bg->wake, &bg->mu);
        } else if (bg->heap[0]->due_ns > now) {
            int64_t due = bg->heap[0]->due_ns;
            struct timespec ts = {.tv_sec = due / 1000000000LL, .tv_nsec = due % 1000000000LL};
            pthread_cond_timedwait(&bg->wake, &bg->mu, &ts);
        } else {
            lh_bg_timer_t *t = bg->heap[0];
            heap_remove(bg, t);
            fire(bg, t, now);
        }
    }
    pthread_mutex_unlock(&bg->mu);
    return NULL;
}

static lh_err heap_reserve(lh_bg_t *bg, lh_errbuf *eb)
{
    LH_FAIL_IF(bg->timer_count >= LH_BG_TIMERS_MAX, LH_E_LIMIT, eb, "too many timers (%d)",
               LH_BG_TIMERS_MAX);
    if (bg->timer_count < bg->heap_cap)
        return LH_OK;
    int cap = bg->heap_cap ? bg->heap_cap * 2 : 16;
    lh_bg_timer_t **h = realloc(bg->heap, (size_t)cap * sizeof *h);
    LH_FAIL_IF(h == NULL, LH_E_NOMEM, eb, "out of memory");
    bg->heap = h;
    bg->heap_cap = cap;
    return LH_OK;
}

static lh_err timer_insert(lh_bg_t *bg, lh_bg_timer_t *t, lh_errbuf *eb)
{
    LH_FAIL_IF(bg->stopping, LH_E_UNAVAILABLE, eb, "shutting down");
    LH_TRY(heap_reserve(bg, eb));
    t->seq = bg->seq++;
    t->next = bg->timers;
    if (bg->timers)
        bg->timers->prev = t;
    bg->timers = t;
    bg->timer_count++;
    heap_push(bg, t);
    if (bg->heap[0] == t)
        pthread_cond_signal(&bg->wake);
    return LH_OK;
}

lh_err lh_bg_timer_add(lh_bg_t *bg, lh_bg_executor_t *ex, int64_t delay_ms, int64_t period_ms,
                       lh_bg_fn fn, void *arg, lh_bg_timer_t **out, lh_errbuf *eb)
{
    LH_ASSERT(fn != NULL && delay_ms >= 0 && period_ms >= 0);
    lh_bg_timer_t *t = calloc(1, sizeof *t);
    LH_FAIL_IF(t == NULL, LH_E_NOMEM, eb, "out of memory");
    *t = (lh_bg_timer_t){.bg = bg,
                         .ex = ex ? ex : bg->dflt,
                         .fn = fn,
                         .arg = arg,
                         .due_ns = lh_mono_ns() + delay_ms * 1000000LL,
                         .period_ns = period_ms * 1000000LL,
                         .heap_idx = -1,
                         .detached = out == NULL};
    pthread_mutex_lock(&bg->mu);
    lh_err e = timer_insert(bg, t, eb);
    pthread_mutex_unlock(&bg->mu);
    if (e != LH_OK) {
        free(t);
        return e;
    }
    if (out != NULL)
        *out = t;
    return LH_OK;
}

void lh_bg_timer_cancel(lh_bg_timer_t *t)
{
    if (t == NULL)
        return;
    lh_bg_t *bg = t->bg;
    pthread_mutex_lock(&bg->mu);
    LH_ASSERT(!t->cancelled && !t->detached);
    t->cancelled = true;
    if (t->heap_idx >= 0)
        heap_remove(bg, t);
    if (t->running && !pthread_equal(t->runner, pthread_self())) {
        t->cancel_waiting = true;
        while (t->running || t->queued)
            pthread_cond_wait(&bg->done, &bg->mu);
    }
    if (!t->queued) /* else the queued or own-thread run frees it when it ends */
        timer_free_locked(t);
    pthread_mutex_unlock(&bg->mu);
}

/* ---- the service ---- */

lh_err lh_bg_create(int queue_cap, lh_bg_t **out, lh_errbuf *eb)
{
    lh_bg_t *bg = calloc(1, sizeof *bg);
    LH_FAIL_IF(bg == NULL, LH_E_NOMEM, eb, "out of memory");
    bg->queue_cap = queue_cap;
    pthread_mutex_init(&bg->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&bg->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&bg->done, NULL);
    lh_err e = lh_bg_executor(bg, "default", 1, LH_BG_DEFAULT_QUEUE, &bg->dflt, eb);
    if (e == LH_OK && pthread_create(&bg->timer_thread, NULL, timer_main, bg) != 0)
        e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "cannot start the timer thread");
    bg->timer_started = e == LH_OK;
    if (e != LH_OK) {
        lh_bg_destroy(bg);
        return e;
    }
    *out = bg;
    return LH_OK;
}

/* Cancel every timer at shutdown (timer thread stopped): runs still queued free theirs. */
static void cancel_all(lh_bg_t *bg)
{
    pthread_mutex_lock(&bg->mu);
    lh_bg_timer_t *t = bg->timers;
    while (t != NULL) {
        lh_bg_timer_t *next = t->next;
        t->cancelled = true;
        if (t->heap_idx >= 0)
            heap_remove(bg, t);
        if (!t->queued)
            timer_free_locked(t);
        t = next;
    }
    pthread_mutex_unlock(&bg->mu);
}

void lh_bg_destroy(lh_bg_t *bg)
{
    if (bg == NULL)
        return;
    pthread_mutex_lock(&bg->mu);
    bg->stopping = true;
    pthread_cond_broadcast(&bg->wake);
    pthread_mutex_unlock(&bg->mu);
    if (bg->timer_started)
        pthread_join(bg->timer_thread, NULL);
    cancel_all(bg);
    for (int i = bg->executor_count - 1; i >= 0; i--) /* areas' first, the default last */
        lh_bg_executor_shutdown(bg->executors[i]);
    LH_ASSERT(bg->timers == NULL && bg->heap_n == 0);
    for (int i = 0; i < bg->executor_count; i++)
        executor_free(bg->executors[i]);
    free(bg->heap);
    pthread_cond_destroy(&bg->done);
    pthread_cond_destroy(&bg->wake);
    pthread_mutex_destroy(&bg->mu);
    free(bg);
}

void lh_bg_render_metrics(lh_bg_t *bg, FILE *out)
{
    fprintf(out, "# TYPE lakehouse_bg_queue_depth gauge\n"
                 "# TYPE lakehouse_bg_tasks_total counter\n"
                 "# TYPE lakehouse_bg_rejected_total counter\n");
    pthread_mutex_lock(&bg->mu);
    for (int i = 0; i < bg->executor_count; i++) {
        lh_bg_executor_t *ex = bg->executors[i];
        pthread_mutex_lock(&ex->mu);
        fprintf(out,
                "lakehouse_bg_queue_depth{executor=\"%s\"} %d\n"
                "lakehouse_bg_tasks_total{executor=\"%s\"} %llu\n"
                "lakehouse_bg_rejected_total{executor=\"%s\"} %llu\n",
                ex->name, ex->count, ex->name, (unsigned long long)ex->tasks_total, ex->name,
                (unsigned long long)ex->rejected_total);
        pthread_mutex_unlock(&ex->mu);
    }
    fprintf(out,
            "# TYPE lakehouse_bg_timer_skipped_total counter\n"
            "lakehouse_bg_timer_skipped_total %llu\n",
            (unsigned long long)bg->skipped);
    pthread_mutex_unlock(&bg->mu);
}
