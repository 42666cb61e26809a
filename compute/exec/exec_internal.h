/*
 * exec_internal.h - what the physical operators of compute/exec share: the query context
 * (memory accounting, cancellation, the first error), row sets (materialized batches), the
 * one operator vtable, and pipelines.
 *
 * A pipeline is stage 0 (a source: morsels it produces batches for), stages 1..n-1
 * (streaming operators: each input batch becomes zero or more output batches pushed to
 * the next stage) and stage n (a sink: consumes batches into per-thread local state,
 * combined when every morsel is done, then turned into its result row set). Every
 * operator implements the roles it plays through one vtable (exec_op_vt); per-thread
 * state ("local") is created by local_new for each stage on each worker.
 *
 * Threads: exec_pipeline_run runs `threads` workers through lh_pool_parallel_for; each
 * claims morsels from an atomic counter in increasing order, so when a sink stops the
 * pipeline early (LIMIT) every morsel before the last claimed one still completes. Output
 * order: sinks that keep order (collect) sort what they got by (morsel, sequence).
 */
#ifndef LH_COMPUTE_EXEC_INTERNAL_H
#define LH_COMPUTE_EXEC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "compute/exec/exec.h"
#include "compute/expr/vecops.h"

/* ---- query context ------------------------------------------------------------------- */

typedef struct exec_query {
    const lh_exec_opts_t *opts;
    const lh_sql_conf_t *conf;
    int threads;
    _Atomic int64_t mem, peak, spill_bytes;
    _Atomic int64_t rows_read, bytes_read, files_read, files_pruned, rows_written;
    _Atomic int64_t row_groups_read, row_groups_pruned, scan_morsels;
    atomic_bool failed;
    pthread_mutex_t mu;  /* guards err */
    lh_errbuf err;       /* the first error */
    char spill_dir[256]; /* created on first spill, removed at the end */
    lh_arena_t *arena;   /* expression copies; used while building, on the calling thread */
    _Atomic int spill_seq;
} exec_query;

/* Account bytes (may be negative) against the limit. LH_E_LIMIT with Spark's
 * UNABLE_TO_ACQUIRE_MEMORY when the query would exceed it (nothing is charged then). */
lh_err exec_mem_charge(exec_query *q, int64_t bytes, lh_errbuf *eb);
void exec_mem_release(exec_query *q, int64_t bytes);
/* Whether charging bytes would exceed the limit (for operators that can spill instead). */
bool exec_mem_would_exceed(exec_query *q, int64_t bytes);
/* LH_E_STATE with OPERATION_CANCELED when the query was cancelled or passed its deadline,
 * or the error another worker hit. Cheap: call between batches and in long loops. */
lh_err exec_check(exec_query *q, lh_errbuf *eb);
/* Record the first error of the query (thread-safe). */
void exec_fail(exec_query *q, const lh_errbuf *eb);
/* Bytes a batch holds (data, validity, string bytes), for accounting. */
int64_t exec_batch_bytes(const lh_batch_t *b);
/* The query's spill directory (created on first use). */
lh_err exec_spill_dir(exec_query *q, const char **dir, lh_errbuf *eb);

/* ---- row sets ------------------------------------------------------------------------ */

/* Materialized batches of one schema (flat vectors, strings owned), charged to the query. */
typedef struct exec_rows {
    int col_count;
    lh_type_t *types;
    size_t batch_count, batch_cap;
    lh_batch_t **batches;
    int64_t row_count;
    int64_t bytes; /* charged */
    exec_query *q;
} exec_rows;

exec_rows *exec_rows_new(exec_query *q, int col_count, const lh_type_t *types);
void exec_rows_free(exec_rows *r);
/* Append a deep copy of b (rows sel[0..n), or all when sel is NULL). */
lh_err exec_rows_append(exec_rows *r, const lh_batch_t *b, const uint32_t *sel, size_t n,
                        lh_errbuf *eb);
/* Take ownership of b (already flat, strings owned). */
lh_err exec_rows_take(exec_rows *r, lh_batch_t *b, lh_errbuf *eb);
/* Move every batch of src to the end of dst (src left empty). */
void exec_rows_move(exec_rows *dst, exec_rows *src);
/* A new empty batch with r's types. */
lh_batch_t *exec_rows_batch(const exec_rows *r, size_t capacity);

/* ---- operators ----------------------------------------------------------------------- */

typedef struct exec_op exec_op;
typedef struct exec_thread exec_thread;

typedef struct exec_op_vt {
    const char *name;
    /* source */
    size_t (*morsels)(exec_op *op);
    lh_err (*produce)(exec_op *op, void *local, size_t morsel, exec_thread *t, lh_errbuf *eb);
    /* streaming operator */
    lh_err (*process)(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                      lh_errbuf *eb);
    /* after every morsel, on one thread, in stage order: may push more batches */
    lh_err (*finish)(exec_op *op, void *local, exec_thread *t, lh_errbuf *eb);
    /* sink */
    lh_err (*consume)(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                      lh_errbuf *eb);
    lh_err (*combine)(exec_op *op, void *local, lh_errbuf *eb); /* per worker, in order */
    lh_err (*result)(exec_op *op, exec_rows **out, lh_errbuf *eb);
    /* every role */
    void *(*local_new)(exec_op *op);
    void (*local_free)(exec_op *op, void *local);
    void (*free)(exec_op *op);
} exec_op_vt;

struct exec_op {
    const exec_op_vt *vt;
    exec_query *q;
    const lh_plan_t *plan;
    int stage;
    void *data; /* the operator's own state */
};

#define EXEC_STAGES_MAX 64

typedef struct exec_pipeline {
    exec_query *q;
    int stage_count;
    exec_op *stages[EXEC_STAGES_MAX];
    _Atomic size_t next_morsel;
    atomic_bool stop; /* a sink has all it needs (LIMIT) */
    exec_thread **threads;
    int thread_count;
} exec_pipeline;

struct exec_thread {
    exec_pipeline *p;
    int index;
    void *local[EXEC_STAGES_MAX];
    size_t morsel; /* the morsel being produced */
    uint64_t seq;  /* batches pushed to the sink within this morsel */
};

/* Push b from stage `from` to stage from+1 (an operator or the sink). */
lh_err exec_push(exec_thread *t, int from, const lh_batch_t *b, lh_errbuf *eb);
/* Run p's morsels on the pool, then finish and combine (not the sink's result). */
lh_err exec_pipeline_execute(exec_pipeline *p, lh_errbuf *eb);
/* exec_pipeline_execute, then the sink's result. */
lh_err exec_pipeline_run(exec_pipeline *p, exec_rows **out, lh_errbuf *eb);
void exec_pipeline_free(exec_pipeline *p);
void exec_op_free(exec_op *op);
exec_op *exec_op_new(exec_query *q, const exec_op_vt *vt, const lh_plan_t *plan, void *data);

/* Materialize a plan node (pipelines.c): its output rows, in order when ordered. */
lh_err exec_materialize(exec_query *q, const lh_plan_t *p, exec_rows **out, lh_errbuf *eb);
/* Append the operators producing p's output to pipeline pl (sources and streaming ops;
 * breakers below are materialized first). */
lh_err exec_build(exec_query *q, const lh_plan_t *p, exec_pipeline *pl, lh_errbuf *eb);
/* Append op as the next stage of pl. */
lh_err exec_pipeline_add(exec_pipeline *pl, exec_op *op, lh_errbuf *eb);
exec_pipeline *exec_pipeline_new(exec_query *q);

/* ---- operator constructors (one file each) -------------------------------------------- */

lh_err exec_scan_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
lh_err exec_scan_filtered_new(exec_query *q, const lh_plan_t *p, lh_expr_t *filter, exec_op **out,
                              lh_errbuf *eb);
lh_err exec_values_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
lh_err exec_range_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
lh_err exec_scan_files_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
exec_op *exec_rows_source_new(exec_query *q, exec_rows *rows); /* takes rows */
lh_err exec_filter_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
lh_err exec_project_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
lh_err exec_generate_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
lh_err exec_join_new(exec_query *q, const lh_plan_t *p, exec_rows *build, exec_op **out,
                     lh_errbuf *eb); /* takes build */
/* Whether the join hashes its left child (build_left honoured for non-SEMI/ANTI kinds). */
bool exec_join_builds_left(const lh_plan_t *p);
lh_err exec_collect_new(exec_query *q, int col_count, const lh_type_t *types, int64_t limit,
                        exec_op **out, lh_errbuf *eb); /* limit < 0: all rows */
lh_err exec_agg_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
/* Whether a finished aggregate sink (pipeline executed) spilled its input to partitions. */
bool exec_agg_spilled(exec_op *agg);
/* A finished aggregate sink as a one-morsel source: its groups batch by batch (partition
 * by partition when it spilled, so they are never all in memory). Takes agg. */
exec_op *exec_agg_source_new(exec_query *q, exec_op *agg);
lh_err exec_sort_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
/* A finished sort sink (its pipeline executed, result not taken) as a one-morsel source:
 * its rows in order, merged from spilled runs batch by batch when it spilled. Takes sort. */
exec_op *exec_sort_source_new(exec_query *q, exec_op *sort);
/* Whether a finished sort sink (pipeline executed) wrote runs. */
bool exec_sort_spilled(exec_op *sort);
lh_err exec_topn_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);
lh_err exec_window_run(exec_query *q, const lh_plan_t *p, exec_rows *in, exec_rows **out,
                       lh_errbuf *eb); /* takes in */
lh_err exec_setop_run(exec_query *q, const lh_plan_t *p, exec_rows *left, exec_rows *right,
                      exec_rows **out, lh_errbuf *eb); /* takes both */
lh_err exec_limit_run(exec_query *q, const lh_plan_t *p, exec_rows *in, exec_rows **out,
                      lh_errbuf *eb); /* takes in */
lh_err exec_write_run(exec_query *q, const lh_plan_t *p, exec_rows *in, exec_rows **out,
                      int64_t *rows_written, lh_errbuf *eb); /* takes in */

/* DELETE / UPDATE / MERGE (dml.c): one write transaction; the answer's one row. */
lh_err exec_dml_run(exec_query *q, const lh_plan_t *p, exec_rows **out, lh_errbuf *eb);

/* Constraints of a write (checks.c): CHECK and NOT NULL over batches of the table's
 * columns; a violation is Delta's error class (LH_E_INVALID). */
typedef struct exec_checker {
    const lh_plan_checks_t *c;
    exec_query *q;
    lh_expr_t **exprs; /* private numbered copies */
    lh_expr_state_t *st;
} exec_checker;
lh_err exec_checker_init(exec_checker *k, exec_query *q, const lh_plan_checks_t *c, lh_errbuf *eb);

/* identity.c: IDENTITY columns a write assigns (INSERT, MERGE INSERT). init reads the
 * columns' delta.identity.* metadata from md (fill[i]: column i is assigned; at most 16);
 * fill overwrites those columns of a batch with the next values (start, or past the
 * highWaterMark, by step); commit stages the metaData with the new highWaterMarks in txn
 * (nothing when no row was filled). */
typedef struct exec_ident {
    int count;
    struct exec_ident_col {
        int col;
        const char *name; /* points into schema */
        int64_t next, step, last;
        bool exhausted; /* next would overflow */
    } cols[16];
    bool used;
    struct json_t *schema; /* the schema string's JSON */
} exec_ident;
struct lh_delta_metadata;
struct lh_delta_txn;
lh_err exec_ident_init(exec_ident *x, const struct lh_delta_metadata *md, const bool *fill, int n,
                       lh_errbuf *eb);
lh_err exec_ident_fill(exec_ident *x, lh_batch_t *b, lh_errbuf *eb);
lh_err exec_ident_commit(exec_ident *x, struct lh_delta_txn *txn, lh_errbuf *eb);
void exec_ident_free(exec_ident *x);
lh_err exec_checker_run(exec_checker *k, const lh_batch_t *b, lh_errbuf *eb);
void exec_checker_free(exec_checker *k);
/* A commit conflict (LH_E_CONFLICT, storage's exception name in error_code) rewritten as
 * Delta's class (DELTA_CONCURRENT_DELETE_READ, ...); other errors pass unchanged. */
lh_err exec_delta_error(lh_err e, lh_errbuf *eb);

/* ---- hash tables (hashtable.c) -------------------------------------------------------- */

/* Bump memory for entries, charged to the query in chunks. */
typedef struct exec_bump {
    exec_query *q;
    struct bump_chunk *head;
    int64_t charged;
} exec_bump;

void exec_bump_init(exec_bump *b, exec_query *q);
/* size bytes, 16-aligned, zeroed; LH_E_LIMIT / LH_E_NOMEM. */
lh_err exec_bump_alloc(exec_bump *b, size_t size, void **out, lh_errbuf *eb);
void exec_bump_free(exec_bump *b);
/* Move src's chunks (and their charge) to dst. */
void exec_bump_move(exec_bump *dst, exec_bump *src);

/* Open addressing over entries that start with { uint32_t key_len; uint32_t pad; key }. */
/* A slot holds the hash beside the entry pointer, so a probe touches one cache line
 * before the entry itself. */
typedef struct exec_ht_slot {
    uint64_t hash; /* 0 = empty slot (hashes are forced non-zero) */
    void *entry;
} exec_ht_slot;

typedef struct exec_ht {
    exec_query *q;
    exec_ht_slot *slots;
    size_t cap, count;
    int64_t charged;
} exec_ht;

#define EXEC_HT_KEY(e)     ((const uint8_t *)(e) + 8)
#define EXEC_HT_KEY_LEN(e) (*(const uint32_t *)(e))

void exec_ht_init(exec_ht *h, exec_query *q);
void exec_ht_free(exec_ht *h);
uint64_t exec_ht_hash(const uint8_t *key, size_t len);
/* The entry with this key, or NULL. */
void *exec_ht_find(const exec_ht *h, uint64_t hash, const uint8_t *key, size_t len);
/* Insert an entry (its key must not be present yet). LH_E_LIMIT / LH_E_NOMEM. */
lh_err exec_ht_insert(exec_ht *h, uint64_t hash, void *entry, lh_errbuf *eb);
/* Hint that hash will be looked up soon (a batch's keys are hashed first, their slots
 * prefetched, then probed: the cache misses of a large table overlap). */
static inline __attribute__((always_inline)) void exec_ht_prefetch(const exec_ht *h, uint64_t hash)
{
    if (h->cap != 0)
        __builtin_prefetch(&h->slots[hash & (h->cap - 1)]);
}

/* ---- sorting helpers (sort.c), shared with top_n and window ---------------------------- */

/* A row of a row set. */
typedef struct exec_ref {
    uint32_t batch, row;
} exec_ref;

/* Sort keys: columns key_cols[k] of the row set, with direction and null order. */
typedef struct exec_sort_spec {
    int key_count;
    const int *key_cols;
    const bool *descending;
    const bool *nulls_first;
} exec_sort_spec;

int exec_ref_cmp(const exec_rows *r, const exec_sort_spec *s, exec_ref a, exec_ref b);
/* Every row of r as refs sorted by s (parallel runs and a k-way merge on the pool). The
 * array is malloc'd (caller frees). */
lh_err exec_sort_refs(exec_query *q, const exec_rows *r, const exec_sort_spec *s, exec_ref **out,
                      size_t *count, lh_errbuf *eb);
/* Gather rows refs[0..n) of src, columns 0..col_count-1, into a new row set. */
lh_err exec_rows_gather(exec_query *q, const exec_rows *src, int col_count, const exec_ref *refs,
                        size_t n, exec_rows **out, lh_errbuf *eb);

/* ---- expression helpers ---------------------------------------------------------------- */

/* Evaluate exprs over in, appending the result vectors as new columns of a batch that
 * shares in's columns: out->cols = in cols ++ results (vectors borrowed, not owned). */
typedef struct exec_eval {
    lh_expr_state_t *st;
    int count;
    lh_expr_t **exprs;
    const lh_vec_t **vals;
} exec_eval;

/* Replace exprs[i] (an array the operator owns) by private copies of the trees in the
 * query's arena and number them: the node count. Operators call it when they are built,
 * on the calling thread, so plans that share nodes between operators stay correct (ids
 * live in the nodes). */
int exec_number(exec_query *q, lh_expr_t **exprs, int count);
/* Per-thread evaluation state for exprs numbered with node_count nodes. */
lh_err exec_eval_init(exec_eval *ev, exec_query *q, lh_expr_t **exprs, int count, int node_count,
                      lh_errbuf *eb);
lh_err exec_eval_run(exec_eval *ev, const lh_batch_t *in, lh_errbuf *eb);
/* Only exprs[0..n): an operator that needs its keys before the rest. */
lh_err exec_eval_first(exec_eval *ev, const lh_batch_t *in, int n, lh_errbuf *eb);
void exec_eval_free(exec_eval *ev);

#endif
