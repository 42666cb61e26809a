/*
 * test_bg.c - the background service: timer order, periodic timers, cancel (before a
 * fire, from inside the callback, racing a fire), serial executor order, parallel
 * executors, a full queue refusing with LH_E_LIMIT, the queue cap test hook, shutdown
 * draining and joining. Run under ASan (leaks) and TSan by scripts/test.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

#include "common/bg.h"
#include "common/limits.h"
#include "common/util.h"
#include "t.h"

static void sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* Wait up to 5 s for *v to reach want. */
static bool wait_at_least(atomic_int *v, int want)
{
    for (int i = 0; i < 5000 && atomic_load(v) < want; i++)
        sleep_ms(1);
    return atomic_load(v) >= want;
}

static lh_bg_t *make_bg(int cap)
{
    lh_bg_t *bg = NULL;
    lh_errbuf eb = {0};
    LH_ASSERT(lh_bg_create(cap, &bg, &eb) == LH_OK);
    return bg;
}

/* ---- timers ---- */

typedef struct {
    pthread_mutex_t mu;
    int order[16];
    atomic_int n;
} order_log;

typedef struct {
    order_log *log;
    int tag;
} tagged;

static void log_tag(void *arg)
{
    tagged *t = arg;
    pthread_mutex_lock(&t->log->mu);
    t->log->order[atomic_load(&t->log->n)] = t->tag;
    atomic_fetch_add(&t->log->n, 1);
    pthread_mutex_unlock(&t->log->mu);
}

static void test_timer_order(void)
{
    lh_bg_t *bg = make_bg(0);
    order_log log = {.mu = PTHREAD_MUTEX_INITIALIZER};
    static const int delays[] = {60, 20, 40, 20, 0};
    static const int want[] = {4, 1, 3, 2, 0}; /* by due time, ties in the order added */
    tagged tags[5];
    for (int i = 0; i < 5; i++) {
        tags[i] = (tagged){&log, i};
        T_EQ_INT(lh_bg_timer_add(bg, NULL, delays[i], 0, log_tag, &tags[i], NULL, NULL), LH_OK);
    }
    T_CHECK(wait_at_least(&log.n, 5));
    for (int i = 0; i < 5; i++)
        T_EQ_INT(log.order[i], want[i]);
    lh_bg_destroy(bg);
}

static void count_up(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
}

static void test_periodic(void)
{
    lh_bg_t *bg = make_bg(0);
    atomic_int n = 0;
    lh_bg_timer_t *t = NULL;
    int64_t t0 = lh_mono_ns();
    T_EQ_INT(lh_bg_timer_add(bg, NULL, 0, 5, count_up, &n, &t, NULL), LH_OK);
    T_CHECK(wait_at_least(&n, 10));
    T_CHECK(lh_mono_ns() - t0 >= 40 * 1000000LL); /* 10 runs, 5 ms apart */
    lh_bg_timer_cancel(t);
    int after = atomic_load(&n);
    sleep_ms(30);
    T_EQ_INT(atomic_load(&n), after); /* nothing runs after cancel returns */
    lh_bg_destroy(bg);
}

static void test_cancel_before_fire(void)
{
    lh_bg_t *bg = make_bg(0);
    atomic_int n = 0;
    lh_bg_timer_t *t = NULL;
    T_EQ_INT(lh_bg_timer_add(bg, NULL, 30, 0, count_up, &n, &t, NULL), LH_OK);
    lh_bg_timer_cancel(t);
    sleep_ms(60);
    T_EQ_INT(atomic_load(&n), 0);
    /* a one-shot with a handle is cancelled (freed) after it fired, too */
    T_EQ_INT(lh_bg_timer_add(bg, NULL, 0, 0, count_up, &n, &t, NULL), LH_OK);
    T_CHECK(wait_at_least(&n, 1));
    sleep_ms(5);
    lh_bg_timer_cancel(t);
    T_EQ_INT(atomic_load(&n), 1);
    lh_bg_destroy(bg);
}

typedef struct {
    lh_bg_timer_t *_Atomic self;
    atomic_int runs;
} self_cancel;

static void cancel_on_third(void *arg)
{
    self_cancel *s = arg;
    if (atomic_fetch_add(&s->runs, 1) + 1 == 3)
        lh_bg_timer_cancel(atomic_load(&s->self));
}

static void test_cancel_from_callback(void)
{
    lh_bg_t *bg = make_bg(0);
    self_cancel s;
    atomic_init(&s.self, NULL);
    atomic_init(&s.runs, 0);
    lh_bg_timer_t *t = NULL;
    /* first run after 20 ms, so the handle is stored before any callback reads it */
    T_EQ_INT(lh_bg_timer_add(bg, NULL, 20, 2, cancel_on_third, &s, &t, NULL), LH_OK);
    atomic_store(&s.self, t);
    T_CHECK(wait_at_least(&s.runs, 3));
    sleep_ms(30);
    T_EQ_INT(atomic_load(&s.runs), 3);
    lh_bg_destroy(bg);
}

typedef struct {
    atomic_int in_cb, runs;
} racer;

static void slow_cb(void *arg)
{
    racer *r = arg;
    atomic_store(&r->in_cb, 1);
    usleep(200);
    atomic_fetch_add(&r->runs, 1);
    atomic_store(&r->in_cb, 0);
}

/* Cancel lands before, during and after the fire; after it returns the callback is never
 * running and never runs again. */
static void test_cancel_races_fire(void)
{
    lh_bg_t *bg = make_bg(0);
    lh_bg_executor_t *ex = NULL;
    T_EQ_INT(lh_bg_executor(bg, "race", 2, 64, &ex, NULL), LH_OK);
    racer r = {0};
    int late = 0;
    for (int i = 0; i < 300; i++) {
        lh_bg_timer_t *t = NULL;
        T_EQ_INT(lh_bg_timer_add(bg, ex, 0, i % 2 ? 1 : 0, slow_cb, &r, &t, NULL), LH_OK);
        usleep((useconds_t)(i % 7) * 50);
        lh_bg_timer_cancel(t);
        late += atomic_load(&r.in_cb);
        int runs = atomic_load(&r.runs);
        usleep(300);
        late += atomic_load(&r.runs) != runs;
    }
    T_EQ_INT(late, 0);
    T_CHECK(atomic_load(&r.runs) > 0); /* some fires won the race */
    lh_bg_destroy(bg);
}

/* ---- executors ---- */

typedef struct {
    atomic_int next, bad, active, max_active;
} serial_log;

typedef struct {
    serial_log *log;
    int i;
} serial_task;

static void serial_step(void *arg)
{
    serial_task *t = arg;
    int a = atomic_fetch_add(&t->log->active, 1) + 1;
    if (a > atomic_load(&t->log->max_active))
        atomic_store(&t->log->max_active, a);
    if (atomic_load(&t->log->next) != t->i)
        atomic_fetch_add(&t->log->bad, 1);
    atomic_store(&t->log->next, t->i + 1);
    atomic_fetch_sub(&t->log->active, 1);
}

static void test_serial_order(void)
{
    lh_bg_t *bg = make_bg(0);
    lh_bg_executor_t *ex = NULL;
    T_EQ_INT(lh_bg_executor(bg, "serial", 1, 1000, &ex, NULL), LH_OK);
    serial_log log = {0};
    static serial_task tasks[1000];
    for (int i = 0; i < 1000; i++) {
        tasks[i] = (serial_task){&log, i};
        T_EQ_INT(lh_bg_post(ex, serial_step, &tasks[i], NULL), LH_OK);
    }
    T_CHECK(wait_at_least(&log.next, 1000));
    T_EQ_INT(atomic_load(&log.bad), 0);
    T_EQ_INT(atomic_load(&log.max_active), 1);
    lh_bg_destroy(bg);
}

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool open;
    atomic_int started;
} gate;

static void wait_gate(void *arg)
{
    gate *g = arg;
    atomic_fetch_add(&g->started, 1);
    pthread_mutex_lock(&g->mu);
    while (!g->open)
        pthread_cond_wait(&g->cond, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

static void open_gate(gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = true;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->mu);
}

static void test_parallel_executor(void)
{
    lh_bg_t *bg = make_bg(0);
    lh_bg_executor_t *ex = NULL;
    T_EQ_INT(lh_bg_executor(bg, "par", 3, 8, &ex, NULL), LH_OK);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};
    for (int i = 0; i < 3; i++)
        T_EQ_INT(lh_bg_post(ex, wait_gate, &g, NULL), LH_OK);
    T_CHECK(wait_at_least(&g.started, 3)); /* all three blocked at once */
    open_gate(&g);
    lh_bg_destroy(bg);
}

static void test_queue_full(void)
{
    lh_bg_t *bg = make_bg(0);
    lh_bg_executor_t *ex = NULL;
    T_EQ_INT(lh_bg_executor(bg, "tiny", 1, 4, &ex, NULL), LH_OK);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};
    T_EQ_INT(lh_bg_post(ex, wait_gate, &g, NULL), LH_OK);
    T_CHECK(wait_at_least(&g.started, 1)); /* the worker is busy, the queue empty */
    atomic_int n = 0;
    for (int i = 0; i < 4; i++)
        T_EQ_INT(lh_bg_post(ex, count_up, &n, NULL), LH_OK);
    T_EQ_INT(lh_bg_executor_depth(ex), 4);
    lh_errbuf eb = {0};
    int64_t t0 = lh_mono_ns();
    T_EQ_INT(lh_bg_post(ex, count_up, &n, &eb), LH_E_LIMIT);
    T_CHECK(lh_mono_ns() - t0 < 1000 * 1000000LL); /* refused at once: never waits on the gate */
    T_CHECK(strstr(eb.msg, "tiny queue is full") != NULL);
    T_EQ_INT(lh_err_http_status(eb.code), 429);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lh_bg_render_metrics(bg, f);
    fclose(f);
    T_CHECK(strstr(text, "lakehouse_bg_rejected_total{executor=\"tiny\"} 1") != NULL);
    T_CHECK(strstr(text, "lakehouse_bg_queue_depth{executor=\"tiny\"} 4") != NULL);
    free(text);
    open_gate(&g);
    T_CHECK(wait_at_least(&n, 4));
    T_EQ_INT(lh_bg_post(ex, count_up, &n, NULL), LH_OK); /* room again */
    T_CHECK(wait_at_least(&n, 5));
    lh_bg_destroy(bg);
}

static void test_queue_cap(void)
{
    lh_bg_t *bg = make_bg(1); /* LAKEHOUSE_TEST_BG_QUEUE_MAX=1 */
    lh_bg_executor_t *ex = NULL;
    T_EQ_INT(lh_bg_executor(bg, "capped", 1, 1000, &ex, NULL), LH_OK);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};
    T_EQ_INT(lh_bg_post(ex, wait_gate, &g, NULL), LH_OK);
    T_CHECK(wait_at_least(&g.started, 1));
    atomic_int n = 0;
    T_EQ_INT(lh_bg_post(ex, count_up, &n, NULL), LH_OK);
    T_EQ_INT(lh_bg_post(ex, count_up, &n, NULL), LH_E_LIMIT);
    open_gate(&g);
    lh_bg_destroy(bg);
    T_EQ_INT(atomic_load(&n), 1);
}

/* A periodic timer whose previous run is still going skips ticks instead of queueing. */
static void test_periodic_skips_when_busy(void)
{
    lh_bg_t *bg = make_bg(0);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};
    lh_bg_timer_t *t = NULL;
    T_EQ_INT(lh_bg_timer_add(bg, NULL, 0, 1, wait_gate, &g, &t, NULL), LH_OK);
    T_CHECK(wait_at_least(&g.started, 1));
    sleep_ms(20);
    T_EQ_INT(lh_bg_executor_depth(lh_bg_default(bg)), 0);
    open_gate(&g);
    lh_bg_timer_cancel(t);
    lh_bg_destroy(bg);
}

static void test_shutdown_drains(void)
{
    lh_bg_t *bg = make_bg(0);
    lh_bg_executor_t *ex = NULL;
    T_EQ_INT(lh_bg_executor(bg, "drain", 1, 100, &ex, NULL), LH_OK);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};
    atomic_int n = 0;
    T_EQ_INT(lh_bg_post(ex, wait_gate, &g, NULL), LH_OK);
    for (int i = 0; i < 50; i++)
        T_EQ_INT(lh_bg_post(ex, count_up, &n, NULL), LH_OK);
    /* timers left running (detached and with a handle) are cancelled and freed */
    T_EQ_INT(lh_bg_timer_add(bg, NULL, 0, 1, count_up, &n, NULL, NULL), LH_OK);
    lh_bg_timer_t *t = NULL;
    T_EQ_INT(lh_bg_timer_add(bg, ex, 100000, 0, count_up, &n, &t, NULL), LH_OK);
    open_gate(&g);
    lh_bg_executor_shutdown(ex);
    T_CHECK(atomic_load(&n) >= 50); /* every queued task ran before the join */
    lh_errbuf eb = {0};
    T_EQ_INT(lh_bg_post(ex, count_up, &n, &eb), LH_E_UNAVAILABLE);
    lh_bg_executor_shutdown(ex); /* idempotent */
    lh_bg_destroy(bg);
    lh_bg_destroy(NULL);
}

static void test_limits(void)
{
    lh_bg_t *bg = make_bg(0);
    lh_bg_executor_t *ex = NULL;
    int made = 1; /* the default executor */
    while (lh_bg_executor(bg, "x", 1, 1, &ex, NULL) == LH_OK)
        made++;
    T_EQ_INT(made, LH_BG_EXECUTORS_MAX);
    lh_bg_destroy(bg);
}

int main(void)
{
    T_RUN(test_timer_order);
    T_RUN(test_periodic);
    T_RUN(test_cancel_before_fire);
    T_RUN(test_cancel_from_callback);
    T_RUN(test_cancel_races_fire);
    T_RUN(test_serial_order);
    T_RUN(test_parallel_executor);
    T_RUN(test_queue_full);
    T_RUN(test_queue_cap);
    T_RUN(test_periodic_skips_when_busy);
    T_RUN(test_shutdown_drains);
    T_RUN(test_limits);
    return T_DONE();
}
