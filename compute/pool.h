/*
 * pool.h - compute pools: worker threads with a bounded task queue.
 *
 * A running cluster (or SQL warehouse) owns one pool. Instance pools are pools too: their
 * idle workers are already-started threads that a cluster adopts (lh_pool_move_workers)
 * and hands back when it terminates, which is why a cluster from a warm instance pool
 * starts without creating threads.
 *
 * Workers are threads that serve whichever pool they are attached to. Moving a worker is
 * asynchronous: a busy worker finishes its current task first. Pool counts are logical
 * (they change at once); the threads follow.
 *
 * Thread-safety: every function may be called from any thread, except that
 * lh_pool_destroy must not race other calls on the same pool.
 * Lock order: a pool's mutex is never held while taking another pool's.
 */
#ifndef LH_COMPUTE_POOL_H
#define LH_COMPUTE_POOL_H

#include <stddef.h>

#include "common/err.h"

typedef struct lh_pool lh_pool_t;
typedef void (*lh_task_fn)(void *arg);

/* A pool named name with `threads` new workers (0 allowed). NULL if threads can't start. */
lh_pool_t *lh_pool_create(const char *name, int threads);
/* Stop every worker (after running what is queued) and free the pool. Blocks. */
void lh_pool_destroy(lh_pool_t *p);

/* Queue fn(arg). LH_E_LIMIT when the queue is full (callers answer 429), LH_E_STATE when
 * the pool is stopping. Never blocks. */
lh_err lh_pool_submit(lh_pool_t *p, lh_task_fn fn, void *arg, lh_errbuf *eb);

/* Workers currently assigned to the pool. */
int lh_pool_worker_count(lh_pool_t *p);
/* Start n more workers. */
lh_err lh_pool_grow(lh_pool_t *p, int n, lh_errbuf *eb);
/* Move up to n workers from src to dst (dst NULL: stop them). Returns how many moved. */
int lh_pool_move_workers(lh_pool_t *src, lh_pool_t *dst, int n);
/* Wait until the queue is empty and no task is running. */
void lh_pool_wait_idle(lh_pool_t *p);

/* Fork-join: run fn(arg, i) for every i in [0, n) on the pool's workers and the calling
 * thread, returning when all are done. Safe to call from outside the pool only. */
void lh_pool_parallel_for(lh_pool_t *p, size_t n, void (*fn)(void *arg, size_t i), void *arg);

/* Number of online CPU cores (>= 1). */
int lh_cpu_count(void);

#endif
