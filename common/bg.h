/*
 * bg.h - the daemon's one background service: a timer heap and bounded executors.
 *
 * Areas never start threads of their own; they post work here.
 *
 *   executor   a named FIFO queue served by a fixed number of threads (1..LH_BG_THREADS_MAX).
 *              A 1-thread executor is a serial queue: tasks run one at a time, in
 *              submission order. The queue holds at most queue_max tasks; posting to a
 *              full queue fails at once with LH_E_LIMIT (server/ answers 429 with
 *              Retry-After) and never blocks.
 *   timer      one-shot or periodic. The timer thread never runs a callback: when a timer
 *              is due it posts one run to the timer's executor. A periodic timer has at
 *              most one run queued or running; a tick that finds the previous run still
 *              pending, or the executor full, is skipped (counted in the metrics), so a
 *              slow callback never piles up runs. Missed ticks are not replayed.
 *
 * Threads: one timer thread, one "default" executor thread (lh_bg_default, for short
 * housekeeping such as the access-log flush), plus the threads of the executors areas
 * create. The clock is CLOCK_MONOTONIC.
 *
 * Shutdown (lh_bg_destroy, or lh_bg_executor_shutdown for one executor): posting is
 * refused with LH_E_UNAVAILABLE, then every task still queued is run (drained) before the
 * threads are joined. A task's owner that wants queued work skipped on shutdown sets its
 * own flag first and has the task only release its argument (tasks always run exactly
 * once, so arguments never leak). lh_bg_destroy first stops the timer thread and cancels
 * every timer (their queued runs are dropped, callbacks not called), then shuts down and
 * frees every executor.
 *
 * Lock order: bg->mu (timer heap and every timer's fields) -> an executor's mu. A worker
 * never holds its executor's mu while running a task, and the timer thread never holds
 * bg->mu while a callback runs (callbacks run on executors). Thread-safe: every function
 * may be called from any thread, including from inside a task or timer callback, except
 * the shutdown/destroy functions (see each).
 */
#ifndef LH_COMMON_BG_H
#define LH_COMMON_BG_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

typedef struct lh_bg lh_bg_t;
typedef struct lh_bg_executor lh_bg_executor_t;
typedef struct lh_bg_timer lh_bg_timer_t;
typedef void (*lh_bg_fn)(void *arg);

/* Queue length of the default executor. */
#define LH_BG_DEFAULT_QUEUE 256

/* Start the service (the timer thread and the 1-thread default executor). queue_cap > 0
 * caps every executor's queue_max at queue_cap (a test hook: LAKEHOUSE_TEST_BG_QUEUE_MAX,
 * read by server/config.c); 0 = no cap. LH_E_IO when a thread cannot start, LH_E_NOMEM. */
lh_err lh_bg_create(int queue_cap, lh_bg_t **out, lh_errbuf *eb);

/* Stop timers, cancel them, drain and join every executor, free everything. Executor and
 * timer handles are invalid afterwards. Must not be called from a task. NULL is a no-op. */
void lh_bg_destroy(lh_bg_t *bg);

/* A new executor named `name` (copied; used in metrics) with `threads` threads
 * (1..LH_BG_THREADS_MAX) and room for `queue_max` queued tasks (1..LH_BG_QUEUE_MAX, then
 * capped by lh_bg_create's queue_cap). The handle is owned by bg and valid until
 * lh_bg_destroy. LH_E_LIMIT past LH_BG_EXECUTORS_MAX executors, LH_E_IO if a thread
 * cannot start, LH_E_UNAVAILABLE while bg is being destroyed. */
lh_err lh_bg_executor(lh_bg_t *bg, const char *name, int threads, int queue_max,
                      lh_bg_executor_t **out, lh_errbuf *eb);

/* The built-in 1-thread executor for short housekeeping tasks. Never NULL. */
lh_bg_executor_t *lh_bg_default(lh_bg_t *bg);

/* Queue fn(arg). Never blocks. LH_E_LIMIT when the queue is full ("<name> queue is full"),
 * LH_E_UNAVAILABLE once the executor is shutting down. On error fn is not called and arg
 * stays the caller's. */
lh_err lh_bg_post(lh_bg_executor_t *ex, lh_bg_fn fn, void *arg, lh_errbuf *eb);

/* Refuse new posts, run what is queued, join the threads (blocks). Idempotent; the handle
 * stays valid (posts then fail with LH_E_UNAVAILABLE). Must not be called from one of
 * this executor's own tasks. */
void lh_bg_executor_shutdown(lh_bg_executor_t *ex);

/* Tasks queued but not started (a snapshot). */
int lh_bg_executor_depth(lh_bg_executor_t *ex);

/* Run fn(arg) on ex (NULL = the default executor) after delay_ms, then every period_ms if
 * period_ms > 0. With out != NULL the handle stays valid until lh_bg_timer_cancel, which
 * must be called exactly once (also after a one-shot has fired) and frees it; with
 * out == NULL the timer is detached: a one-shot frees itself after its run, a periodic one
 * lives until lh_bg_destroy. delay_ms, period_ms >= 0.
 * LH_E_LIMIT past LH_BG_TIMERS_MAX timers, LH_E_UNAVAILABLE while bg is being destroyed. */
lh_err lh_bg_timer_add(lh_bg_t *bg, lh_bg_executor_t *ex, int64_t delay_ms, int64_t period_ms,
                       lh_bg_fn fn, void *arg, lh_bg_timer_t **out, lh_errbuf *eb);

/* Stop a timer and free its handle. After it returns fn will not start again; if a run is
 * in progress on another thread, cancel waits for it to return (so never cancel while
 * holding a lock the callback takes). Called from inside the timer's own callback it does
 * not wait: the run in progress finishes and the handle is freed after it. */
void lh_bg_timer_cancel(lh_bg_timer_t *t);

/* Prometheus text: lakehouse_bg_queue_depth / _tasks_total / _rejected_total per
 * executor, lakehouse_bg_timer_skipped_total. */
void lh_bg_render_metrics(lh_bg_t *bg, FILE *out);

#endif
