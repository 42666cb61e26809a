/*
 * query.h - the engine's facade: SQL text in a session to rows, for api/sql (the
 * Statement Execution API), jobs (notebook cells) and the tests' SQL runner. No JSON and
 * no HTTP here.
 *
 *   text -> parse (compute/sql) -> bind (compute/bind) -> [commands run] -> exec
 *
 * A text may hold several statements separated by ';' (notebook cells, SQL files): each
 * runs in turn in the session; the rows of the last one are the answer. Before any row,
 * on_schema announces the answer's columns (count, names, types) so a caller can write a
 * manifest; rows arrive as batches through on_batch. Blocking; call it from a worker
 * thread, never from an HTTP thread.
 */
#ifndef LH_COMPUTE_QUERY_H
#define LH_COMPUTE_QUERY_H

#include <stdatomic.h>

#include "compute/bind/bind.h"
#include "compute/exec/exec.h"

typedef struct lh_query_columns {
    int count;
    const char *const *names;
    const lh_type_t *types;
    const bool *nullable;
} lh_query_columns_t;

typedef struct lh_query_opts {
    const lh_resolver_t *resolver;
    const char *user;
    lh_pool_t *pool;
    int64_t memory_limit_bytes;
    const atomic_bool *cancel;
    int64_t deadline_ns;
    int param_count; /* named parameter markers (:name) and their values */
    const char *const *param_names;
    const lh_value_t *param_values;
    int pos_param_count; /* positional parameter markers (?) and their values */
    const lh_value_t *pos_param_values;
    struct lh_data_cache *data_cache; /* decoded Parquet chunks shared by queries, or NULL */
} lh_query_opts_t;

typedef struct lh_query_sink {
    void *ctx;
    lh_err (*on_schema)(void *ctx, const lh_query_columns_t *cols, lh_errbuf *eb);
    lh_exec_sink_fn on_batch;
} lh_query_sink_t;

/* What ran (query history, lineage). Strings live in the arena. */
typedef struct lh_query_info {
    const char *statement_type; /* of the last statement */
    lh_exec_stats_t stats;
    int64_t compile_ns;
    lh_lineage_t lineage; /* of the last statement with a plan */
} lh_query_info_t;

lh_err lh_query_run(const char *sql, size_t bytes, lh_session_t *session,
                    const lh_query_opts_t *opts, const lh_query_sink_t *sink, lh_arena_t *arena,
                    lh_query_info_t *info, lh_errbuf *eb);

#endif
