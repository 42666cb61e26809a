/*
 * exec.h - running an optimized plan (compute/plan/plan.h) to completion.
 *
 * The plan is cut into pipelines at its breakers (hash-aggregate and hash-join build,
 * sort, window, set operations, write): a pipeline is a source (table morsels: one file
 * or row group each; or the output of a finished breaker), a chain of streaming operators
 * (filter, project, join probe, limit) and a sink. A pipeline's morsels run on the
 * worker pool (lh_pool_parallel_for) with per-thread local sink state that is combined
 * when the pipeline ends, then the next pipeline starts. Batches are at most
 * LH_BATCH_ROWS rows of flat vectors.
 *
 * Results leave through the caller's sink, in the plan's order (ORDER BY honoured; without
 * one, any order), on one thread at a time. Memory is counted per query against
 * memory_limit_bytes: over it, a breaker that can spill does, otherwise the query fails
 * with RESOURCE_EXHAUSTED (LH_E_LIMIT + error_code). Setting *cancel makes the query stop
 * within a batch or so with LH_E_STATE and error_code "CANCELLED"... (see lh_exec_run).
 */
#ifndef LH_COMPUTE_EXEC_H
#define LH_COMPUTE_EXEC_H

#include <stdatomic.h>
#include <stdint.h>

#include "compute/plan/plan.h"
#include "compute/pool.h"

typedef lh_err (*lh_exec_sink_fn)(void *ctx, const lh_batch_t *batch, lh_errbuf *eb);

typedef struct lh_exec_opts {
    lh_pool_t *pool;            /* NULL = everything on the calling thread */
    const lh_sql_conf_t *conf;  /* session settings for functions */
    int64_t memory_limit_bytes; /* 0 = no limit */
    const atomic_bool *cancel;  /* NULL = not cancellable */
    int64_t deadline_ns;        /* lh_mono_ns() deadline, 0 = none */
} lh_exec_opts_t;

/* What a run did (query history and metrics). */
typedef struct lh_exec_stats {
    int64_t rows_produced;
    int64_t rows_read, bytes_read;
    int64_t files_read, files_pruned, row_groups_pruned;
    int64_t spill_bytes;
    int64_t peak_memory_bytes;
    int64_t execution_ns;
    int64_t rows_written; /* WRITE plans */
} lh_exec_stats_t;

/* Run plan; every output batch goes to sink(ctx, batch) (the batch is valid during the
 * call). Blocks the calling thread until done, failed or cancelled. Errors: the first
 * error any worker hits (Spark's classes for runtime errors), LH_E_STATE with error_code
 * "QUERY_CANCELLED"-style text when *cancel was set, LH_E_LIMIT for the memory limit,
 * storage errors as they come. */
lh_err lh_exec_run(const lh_plan_t *plan, const lh_exec_opts_t *opts, lh_exec_sink_fn sink,
                   void *ctx, lh_exec_stats_t *stats, lh_errbuf *eb);

#endif
