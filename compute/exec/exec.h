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
 * one, the order of the morsels: the table's files in path order), on the calling thread.
 * Memory (row sets, hash tables, sort runs, collected results) is counted per query
 * against memory_limit_bytes: over it, the sort spills sorted runs to a temporary
 * directory and merges them (k-way, in several passes when there are many runs), and the
 * hash aggregate (without grouping sets) partitions its input to files by key hash and
 * aggregates partition by partition; both stream their output to the next pipeline or the
 * sink. The join build, collected results, grouping sets, and a partition that cannot fit
 * even when split again fail with Spark's UNABLE_TO_ACQUIRE_MEMORY (SQLSTATE 53200;
 * LH_E_LIMIT, eb->error_code the class). Spill files are removed when the run ends, in
 * every case. Setting
 * *cancel, or passing deadline_ns, stops the query between batches (and every 2048 pairs
 * of a nested loop, every 1024 merged or window rows) with Spark's OPERATION_CANCELED
 * (SQLSTATE HY008; LH_E_STATE). Module map: compute/exec/README.md.
 */
#ifndef LH_COMPUTE_EXEC_H
#define LH_COMPUTE_EXEC_H

#include <stdatomic.h>
#include <stdint.h>

#include "compute/plan/plan.h"
#include "compute/pool.h"

typedef lh_err (*lh_exec_sink_fn)(void *ctx, const lh_batch_t *batch, lh_errbuf *eb);

typedef struct lh_exec_opts {
    lh_pool_t *pool;                  /* NULL = everything on the calling thread */
    const lh_sql_conf_t *conf;        /* session settings for functions */
    int64_t memory_limit_bytes;       /* 0 = no limit */
    const atomic_bool *cancel;        /* NULL = not cancellable */
    int64_t deadline_ns;              /* lh_mono_ns() deadline, 0 = none */
    struct lh_data_cache *data_cache; /* decoded Parquet chunks (storage/delta), or NULL */
} lh_exec_opts_t;

/* What a run did (query history and metrics). */
typedef struct lh_exec_stats {
    int64_t rows_produced;
    int64_t rows_read, bytes_read;
    int64_t files_read, files_pruned, row_groups_pruned;
    int64_t row_groups_read; /* Parquet row groups decoded by scans */
    int64_t scan_morsels;    /* units of scan work handed to the workers */
    int64_t spill_bytes;
    int64_t peak_memory_bytes;
    int64_t execution_ns;
    int64_t rows_written; /* WRITE plans */
} lh_exec_stats_t;

/* Run plan; every output batch goes to sink(ctx, batch) (the batch is valid during the
 * call; flat vectors). Blocks the calling thread until done, failed or cancelled; the
 * pool's workers help (opts->pool; threads = its workers + the caller). Errors: the first
 * error any worker hits (Spark's classes for runtime errors, e.g. DIVIDE_BY_ZERO), the
 * sink's error, LH_E_STATE / OPERATION_CANCELED when cancelled or past the deadline,
 * LH_E_LIMIT / UNABLE_TO_ACQUIRE_MEMORY over the memory limit, storage errors as they
 * come (a missing table: LH_E_NOT_FOUND). stats (may be NULL) is filled in either case. */
lh_err lh_exec_run(const lh_plan_t *plan, const lh_exec_opts_t *opts, lh_exec_sink_fn sink,
                   void *ctx, lh_exec_stats_t *stats, lh_errbuf *eb);

#endif
