/*
 * suspend.c - parked requests: api.h's lh_req_suspend / lh_req_resume behind the server.
 *
 * A ticket is shared by three parties, so it is refcounted:
 *   - the holder (whoever got it from lh_req_suspend: a statement's waiter list), released
 *     by lh_req_resume or lh_suspend_release;
 *   - the deadline heap, released when the entry is popped (late entries of tickets that
 *     were already answered are popped and dropped lazily);
 *   - nobody else: the request itself never points back at a freed ticket because
 *     req->suspend is only read on the request's own thread before it completes.
 * Exactly one answer wins a compare-and-swap of state WAITING -> ANSWERED: the holder's
 * fill, the deadline's on_deadline, or the 503 of a shutdown. The winner fills the
 * request (the HTTP thread does not touch it while the connection is suspended) and then
 * resumes the connection; the HTTP glue answers on its next call.
 *
 * Deadlines: the tickets sit in a min-heap; a periodic timer of the background service
 * (every DEADLINE_TICK_MS, on its own 1-thread "deadlines" executor, so slow fills do not
 * hold up housekeeping) pops the due ones. A deadline is thus honoured within one tick.
 *
 * Lock order: sp->mu only (never held while a fill runs).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bg.h"
#include "common/limits.h"
#include "common/util.h"
#include "server/http.h"
#include "server/server.h"

enum { WAITING, ANSWERED };

typedef struct ticket {
    lh_suspend_t base; /* ops; must be first */
    atomic_int state;
    atomic_int refs;
    lh_req_t *req;
    lh_fill_fn on_deadline;
    void *arg;
    int64_t deadline_ns;
} ticket;

#define DEADLINE_TICK_MS 10

struct lh_suspender {
    lh_server_t *server;
    pthread_mutex_t mu;
    int stopping;
    lh_bg_timer_t *timer;
    ticket **heap; /* min-heap by deadline_ns */
    size_t count, cap;
};

static void unref(ticket *t)
{
    if (atomic_fetch_sub(&t->refs, 1) == 1)
        free(t);
}

/* ---- the heap (under sp->mu) ---- */

static void heap_swap(ticket **h, size_t a, size_t b)
{
    ticket *x = h[a];
    h[a] = h[b];
    h[b] = x;
}

static int heap_push(lh_suspender_t *sp, ticket *t)
{
    if (sp->count == sp->cap) {
        size_t cap = sp->cap ? sp->cap * 2 : 64;
        ticket **h = realloc(sp->heap, cap * sizeof *h);
        if (h == NULL)
            return -1;
        sp->heap = h;
        sp->cap = cap;
    }
    size_t i = sp->count++;
    sp->heap[i] = t;
    while (i > 0 && sp->heap[(i - 1) / 2]->deadline_ns > sp->heap[i]->deadline_ns) {
        heap_swap(sp->heap, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return 0;
}

static ticket *heap_pop(lh_suspender_t *sp)
{
    ticket **h = sp->heap, *top = h[0];
    h[0] = h[--sp->count];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < sp->count && h[l]->deadline_ns < h[m]->deadline_ns)
            m = l;
        if (r < sp->count && h[r]->deadline_ns < h[m]->deadline_ns)
            m = r;
        if (m == i)
            break;
        heap_swap(h, i, m);
        i = m;
    }
    return top;
}

/* ---- answering ---- */

/* Called by the winner of the CAS: fill the request and hand it back to its thread. */
static void answer(ticket *t, lh_fill_fn fill, void *arg, lh_err forced)
{
    lh_req_t *req = t->req;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_err e = forced != LH_OK ? lh_err_set(&eb, forced, __FILE__, __LINE__,
                                            "The server is shutting down; retry later")
               : fill          ? fill(req, arg, &eb)
                               : lh_err_set(&eb, LH_E_UNAVAILABLE, __FILE__, __LINE__,
                                            "The request timed out while waiting");
    if (e != LH_OK) {
        if (eb.code != e)
            lh_err_set(&eb, e, __FILE__, __LINE__, "%s", lh_err_code_name(e));
        lh_server_render_error(req, &eb);
    }
    lh_http_resume(req);
}

static int win(ticket *t)
{
    int expected = WAITING;
    return atomic_compare_exchange_strong(&t->state, &expected, ANSWERED);
}

/* The periodic tick: answer every ticket whose deadline has passed. */
static void on_tick(void *arg)
{
    lh_suspender_t *sp = arg;
    int64_t now = lh_mono_ns();
    pthread_mutex_lock(&sp->mu);
    while (!sp->stopping && sp->count > 0 && sp->heap[0]->deadline_ns <= now) {
        ticket *t = heap_pop(sp);
        pthread_mutex_unlock(&sp->mu);
        if (win(t))
            answer(t, t->on_deadline, t->arg, LH_OK);
        unref(t);
        pthread_mutex_lock(&sp->mu);
    }
    pthread_mutex_unlock(&sp->mu);
}

/* ---- the ops behind api.h ---- */

static lh_suspend_t *op_suspend(lh_req_t *req, int64_t timeout_ms, lh_fill_fn on_deadline,
                                void *arg)
{
    lh_server_t *s = req->ctx->server;
    lh_suspender_t *sp = s->suspender;
    ticket *t = calloc(1, sizeof *t);
    LH_ASSERT(t != NULL);
    if (timeout_ms < 0 || timeout_ms > LH_SUSPEND_TIMEOUT_MAX_MS)
        timeout_ms = LH_SUSPEND_TIMEOUT_MAX_MS;
    t->base.ops = &lh_server_req_ops;
    atomic_init(&t->state, WAITING);
    atomic_init(&t->refs, 2); /* holder + heap */
    t->req = req;
    t->on_deadline = on_deadline;
    t->arg = arg;
    t->deadline_ns = lh_mono_ns() + timeout_ms * 1000000;
    req->suspend = &t->base;
    lh_http_suspend(req); /* before anyone can resume it */
    pthread_mutex_lock(&sp->mu);
    int rc = sp->stopping ? -1 : heap_push(sp, t);
    pthread_mutex_unlock(&sp->mu);
    if (rc != 0 && win(t)) { /* no room or shutting down: answer at once */
        atomic_fetch_sub(&t->refs, 1);
        answer(t, NULL, NULL, LH_E_UNAVAILABLE);
    }
    return &t->base;
}

static bool op_resume(lh_suspend_t *base, lh_fill_fn fill, void *arg)
{
    ticket *t = (ticket *)base;
    bool won = win(t);
    if (won)
        answer(t, fill, arg, LH_OK);
    unref(t);
    return won;
}

static void op_release(lh_suspend_t *base)
{
    unref((ticket *)base);
}

const lh_req_ops_t lh_server_req_ops = {op_suspend, op_resume, op_release};

lh_err lh_suspender_create(lh_server_t *s, lh_suspender_t **out, lh_errbuf *eb)
{
    lh_suspender_t *sp = calloc(1, sizeof *sp);
    LH_FAIL_IF(sp == NULL, LH_E_NOMEM, eb, "out of memory");
    sp->server = s;
    pthread_mutex_init(&sp->mu, NULL);
    lh_bg_executor_t *ex = NULL;
    lh_err e = lh_bg_executor(s->ctx.bg, "deadlines", 1, 64, &ex, eb);
    if (e == LH_OK)
        e = lh_bg_timer_add(s->ctx.bg, ex, DEADLINE_TICK_MS, DEADLINE_TICK_MS, on_tick, sp,
                            &sp->timer, eb);
    if (e != LH_OK) {
        pthread_mutex_destroy(&sp->mu);
        free(sp);
        return e;
    }
    *out = sp;
    return LH_OK;
}

void lh_suspender_drain(lh_suspender_t *sp)
{
    if (sp == NULL)
        return;
    lh_bg_timer_cancel(sp->timer); /* waits for a tick in progress */
    sp->timer = NULL;
    pthread_mutex_lock(&sp->mu);
    sp->stopping = 1;
    pthread_mutex_unlock(&sp->mu);
    while (sp->count > 0) { /* no tick runs any more, and suspend refuses: no lock needed */
        ticket *t = heap_pop(sp);
        if (win(t))
            answer(t, NULL, NULL, LH_E_UNAVAILABLE);
        unref(t);
    }
}

void lh_suspender_destroy(lh_suspender_t *sp)
{
    if (sp == NULL)
        return;
    LH_ASSERT(sp->stopping && sp->count == 0);
    pthread_mutex_destroy(&sp->mu);
    free(sp->heap);
    free(sp);
}
