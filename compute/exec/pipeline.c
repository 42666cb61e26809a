/*
 * pipeline.c - the driver: cuts a plan into pipelines at its breakers and runs them.
 *
 *   exec_materialize(node)    a breaker's output as a row set:
 *     AGGREGATE, SORT, TOPN   pipeline(child) -> that operator's sink -> result rows
 *     LIMIT                   pipeline(child) -> collect sink that stops the pipeline once
 *                             offset + limit rows of a morsel prefix are in, then slice
 *     WINDOW, SETOP, WRITE    children materialized, then the operator runs on the rows
 *     anything else           pipeline(node) -> collect sink (keeps morsel order)
 *   exec_build(node, pl)      sources and streaming operators of a pipeline:
 *     SCAN, VALUES            the source
 *     FILTER, PROJECT         child's pipeline, then the operator
 *     JOIN                    the right side materialized (the build), the left side's
 *                             pipeline, then the probe
 *     SORT, AGGREGATE         their pipeline run into the sink; when it spilled, the
 *                             finished sink streams as a one-morsel source, else its
 *                             result rows become a row-set source
 *     other breakers          materialized, then a row-set source
 *
 * exec_pipeline_run runs `threads` workers (lh_pool_parallel_for); each makes its locals,
 * claims morsels in increasing order and pushes their batches down the stages. Then,
 * on the calling thread: each stage's finish (worker 0's locals), the sink's combine per
 * worker in worker order, and the sink's result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ftw.h>
#include <unistd.h>

#include "common/util.h"
#include "compute/exec/exec_internal.h"

exec_op *exec_op_new(exec_query *q, const exec_op_vt *vt, const lh_plan_t *plan, void *data)
{
    exec_op *op = calloc(1, sizeof *op);
    LH_ASSERT(op != NULL);
    op->vt = vt;
    op->q = q;
    op->plan = plan;
    op->data = data;
    return op;
}

void exec_op_free(exec_op *op)
{
    if (op == NULL)
        return;
    if (op->vt->free)
        op->vt->free(op);
    free(op);
}

exec_pipeline *exec_pipeline_new(exec_query *q)
{
    exec_pipeline *p = calloc(1, sizeof *p);
    LH_ASSERT(p != NULL);
    p->q = q;
    return p;
}

lh_err exec_pipeline_add(exec_pipeline *pl, exec_op *op, lh_errbuf *eb)
{
    if (pl->stage_count == EXEC_STAGES_MAX) {
        exec_op_free(op);
        LH_FAIL(LH_E_LIMIT, eb, "the plan has more than %d operators in one pipeline",
                EXEC_STAGES_MAX);
    }
    op->stage = pl->stage_count;
    pl->stages[pl->stage_count++] = op;
    return LH_OK;
}

static void thread_free(exec_pipeline *p, exec_thread *t)
{
    if (t == NULL)
        return;
    for (int s = 0; s < p->stage_count; s++)
        if (t->local[s] != NULL && p->stages[s]->vt->local_free)
            p->stages[s]->vt->local_free(p->stages[s], t->local[s]);
    free(t);
}

void exec_pipeline_free(exec_pipeline *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < p->thread_count; i++)
        thread_free(p, p->threads[i]);
    free(p->threads);
    for (int s = 0; s < p->stage_count; s++)
        exec_op_free(p->stages[s]);
    free(p);
}

lh_err exec_push(exec_thread *t, int from, const lh_batch_t *b, lh_errbuf *eb)
{
    exec_pipeline *p = t->p;
    LH_TRY(exec_check(p->q, eb));
    if (b->row_count == 0)
        return LH_OK;
    int s = from + 1;
    exec_op *op = p->stages[s];
    if (s == p->stage_count - 1) {
        lh_err e = op->vt->consume(op, t->local[s], b, t, eb);
        t->seq++;
        return e;
    }
    return op->vt->process(op, t->local[s], b, t, eb);
}

static exec_thread *thread_new(exec_pipeline *p, int index)
{
    exec_thread *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->p = p;
    t->index = index;
    for (int s = 0; s < p->stage_count; s++)
        if (p->stages[s]->vt->local_new &&
            (t->local[s] = p->stages[s]->vt->local_new(p->stages[s])) == NULL) {
            thread_free(p, t);
            return NULL;
        }
    return t;
}

static void worker(void *arg, size_t i)
{
    exec_pipeline *p = arg;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    exec_thread *t = p->threads[i] = thread_new(p, (int)i);
    if (t == NULL) {
        lh_err_set(&eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        exec_fail(p->q, &eb);
        return;
    }
    exec_op *src = p->stages[0];
    size_t n = src->vt->morsels(src);
    while (!atomic_load(&p->stop) && !atomic_load(&p->q->failed)) {
        size_t m = atomic_fetch_add(&p->next_morsel, 1);
        if (m >= n)
            break;
        t->morsel = m;
        t->seq = 0;
        if (src->vt->produce(src, t->local[0], m, t, &eb) != LH_OK) {
            exec_fail(p->q, &eb);
            break;
        }
    }
}

lh_err exec_pipeline_execute(exec_pipeline *p, lh_errbuf *eb)
{
    exec_query *q = p->q;
    LH_ASSERT(p->stage_count >= 2);
    int threads = q->threads;
    size_t morsels = p->stages[0]->vt->morsels(p->stages[0]);
    if ((size_t)threads > morsels)
        threads = morsels > 0 ? (int)morsels : 1;
    p->threads = calloc((size_t)threads, sizeof *p->threads);
    LH_FAIL_IF(p->threads == NULL, LH_E_NOMEM, eb, "out of memory");
    p->thread_count = threads;
    if (q->opts->pool != NULL && threads > 1)
        lh_pool_parallel_for(q->opts->pool, (size_t)threads, worker, p);
    else
        for (int i = 0; i < threads; i++)
            worker(p, (size_t)i);
    for (int s = 1; s < p->stage_count && !atomic_load(&q->failed); s++) {
        exec_op *op = p->stages[s];
        exec_thread *t0 = p->threads[0];
        if (op->vt->finish && t0 != NULL) {
            t0->morsel = morsels; /* after every morsel */
            t0->seq = 0;
            if (op->vt->finish(op, t0->local[s], t0, eb) != LH_OK)
                exec_fail(q, eb);
        }
    }
    exec_op *sink = p->stages[p->stage_count - 1];
    for (int i = 0; i < threads && !atomic_load(&q->failed); i++)
        if (sink->vt->combine && p->threads[i] &&
            sink->vt->combine(sink, p->threads[i]->local[p->stage_count - 1], eb) != LH_OK)
            exec_fail(q, eb);
    if (atomic_load(&q->failed)) {
        if (eb)
            *eb = q->err;
        return q->err.code ? q->err.code : LH_E_INTERNAL;
    }
    return LH_OK;
}

lh_err exec_pipeline_run(exec_pipeline *p, exec_rows **out, lh_errbuf *eb)
{
    LH_TRY(exec_pipeline_execute(p, eb));
    exec_op *sink = p->stages[p->stage_count - 1];
    return sink->vt->result(sink, out, eb);
}

/* ---- building ----------------------------------------------------------------------- */

static lh_err run_breaker(exec_query *q, const lh_plan_t *bp, exec_op **out, lh_errbuf *eb);
static exec_op *breaker_source(exec_query *q, exec_op *op);

typedef lh_err (*op_ctor)(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb);

static lh_err add_new(exec_query *q, const lh_plan_t *p, exec_pipeline *pl, op_ctor make,
                      lh_errbuf *eb)
{
    exec_op *op = NULL;
    LH_TRY(make(q, p, &op, eb));
    return exec_pipeline_add(pl, op, eb);
}

lh_err exec_build(exec_query *q, const lh_plan_t *p, exec_pipeline *pl, lh_errbuf *eb)
{
    switch (p->kind) {
    case LH_PLAN_SCAN:
        return add_new(q, p, pl, exec_scan_new, eb);
    case LH_PLAN_VALUES:
        return add_new(q, p, pl, exec_values_new, eb);
    case LH_PLAN_RANGE:
        return add_new(q, p, pl, exec_range_new, eb);
    case LH_PLAN_FILES:
        return add_new(q, p, pl, exec_scan_files_new, eb);
    case LH_PLAN_FILTER:
        if (p->children[0]->kind == LH_PLAN_SCAN && p->children[0]->u.scan.filter == NULL) {
            exec_op *op = NULL; /* fused: the scan filters, decoding other columns late */
            LH_TRY(exec_scan_filtered_new(q, p->children[0], p->u.filter.pred, &op, eb));
            return exec_pipeline_add(pl, op, eb);
        }
        LH_TRY(exec_build(q, p->children[0], pl, eb));
        return add_new(q, p, pl, exec_filter_new, eb);
    case LH_PLAN_PROJECT:
        LH_TRY(exec_build(q, p->children[0], pl, eb));
        return add_new(q, p, pl, exec_project_new, eb);
    case LH_PLAN_GENERATE:
        LH_TRY(exec_build(q, p->children[0], pl, eb));
        return add_new(q, p, pl, exec_generate_new, eb);
    case LH_PLAN_JOIN: {
        exec_rows *build;
        exec_op *op = NULL;
        int b = exec_join_builds_left(p) ? 0 : 1;
        LH_TRY(exec_materialize(q, p->children[b], &build, eb));
        lh_err e = exec_build(q, p->children[1 - b], pl, eb);
        if (e != LH_OK) {
            exec_rows_free(build);
            return e;
        }
        LH_TRY(exec_join_new(q, p, build, &op, eb));
        return exec_pipeline_add(pl, op, eb);
    }
    case LH_PLAN_SORT:
    case LH_PLAN_AGGREGATE: { /* spilled output streams; the rest flows on in parallel */
        exec_op *op = NULL;
        LH_TRY(run_breaker(q, p, &op, eb));
        if (p->kind == LH_PLAN_SORT ? exec_sort_spilled(op) : exec_agg_spilled(op))
            return exec_pipeline_add(pl, breaker_source(q, op), eb);
        exec_rows *rows = NULL;
        lh_err e = op->vt->result(op, &rows, eb);
        exec_op_free(op);
        LH_TRY(e);
        return exec_pipeline_add(pl, exec_rows_source_new(q, rows), eb);
    }
    default: {
        exec_rows *rows;
        LH_TRY(exec_materialize(q, p, &rows, eb));
        return exec_pipeline_add(pl, exec_rows_source_new(q, rows), eb);
    }
    }
}

/* Run pipeline(child) into sink. */
static lh_err run_into(exec_query *q, const lh_plan_t *child, exec_op *sink, exec_rows **out,
                       lh_errbuf *eb)
{
    exec_pipeline *pl = exec_pipeline_new(q);
    lh_err e = exec_build(q, child, pl, eb);
    if (e == LH_OK)
        e = exec_pipeline_add(pl, sink, eb);
    else
        exec_op_free(sink);
    if (e == LH_OK)
        e = exec_pipeline_run(pl, out, eb);
    exec_pipeline_free(pl);
    return e;
}

static lh_err collect(exec_query *q, const lh_plan_t *p, const lh_plan_t *src, int64_t limit,
                      exec_rows **out, lh_errbuf *eb)
{
    exec_op *sink = NULL;
    LH_TRY(exec_collect_new(q, p->col_count, p->col_types, limit, &sink, eb));
    return run_into(q, src, sink, out, eb);
}

static lh_err materialize_setop(exec_query *q, const lh_plan_t *p, exec_rows **out, lh_errbuf *eb)
{
    exec_rows *acc = NULL;
    for (int c = 0; c < p->child_count; c++) {
        exec_rows *r;
        lh_err e = collect(q, p->children[c], p->children[c], -1, &r, eb);
        if (e != LH_OK) {
            exec_rows_free(acc);
            return e;
        }
        if (acc == NULL) {
            acc = r;
            continue;
        }
        LH_TRY(exec_setop_run(q, p, acc, r, &acc, eb));
    }
    *out = acc;
    return LH_OK;
}

lh_err exec_materialize(exec_query *q, const lh_plan_t *p, exec_rows **out, lh_errbuf *eb)
{
    exec_op *sink = NULL;
    exec_rows *in;
    switch (p->kind) {
    case LH_PLAN_AGGREGATE:
        LH_TRY(exec_agg_new(q, p, &sink, eb));
        return run_into(q, p->children[0], sink, out, eb);
    case LH_PLAN_SORT:
        LH_TRY(exec_sort_new(q, p, &sink, eb));
        return run_into(q, p->children[0], sink, out, eb);
    case LH_PLAN_TOPN:
        LH_TRY(exec_topn_new(q, p, &sink, eb));
        return run_into(q, p->children[0], sink, out, eb);
    case LH_PLAN_LIMIT: {
        int64_t lim = p->u.limit.limit < 0 ? -1 : p->u.limit.limit + p->u.limit.offset;
        LH_TRY(collect(q, p, p->children[0], lim, &in, eb));
        return exec_limit_run(q, p, in, out, eb);
    }
    case LH_PLAN_WINDOW:
        LH_TRY(collect(q, p->children[0], p->children[0], -1, &in, eb));
        return exec_window_run(q, p, in, out, eb);
    case LH_PLAN_SETOP:
        return materialize_setop(q, p, out, eb);
    case LH_PLAN_WRITE: {
        int64_t n = 0;
        LH_TRY(collect(q, p->children[0], p->children[0], -1, &in, eb));
        return exec_write_run(q, p, in, out, &n, eb);
    }
    case LH_PLAN_DML:
        return exec_dml_run(q, p, out, eb);
    case LH_PLAN_EMPTY:
        *out = exec_rows_new(q, p->col_count, p->col_types);
        return LH_OK;
    default:
        return collect(q, p, p, -1, out, eb);
    }
}

/* ---- the entry point ----------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

/* The caller's sink as a pipeline sink (one-morsel pipelines only: order is kept). */
typedef struct forward {
    lh_exec_sink_fn sink;
    void *ctx;
    int64_t rows;
} forward;

static lh_err forward_consume(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                              lh_errbuf *eb)
{
    (void)local;
    (void)t;
    forward *f = op->data;
    f->rows += (int64_t)in->row_count;
    return f->sink(f->ctx, in, eb);
}

static const exec_op_vt forward_vt = {.name = "forward", .consume = forward_consume};

/* Whether p is [PROJECT | FILTER]* over a SORT or an AGGREGATE: its output can stream. */
static const lh_plan_t *root_breaker(const lh_plan_t *p)
{
    while (p->kind == LH_PLAN_PROJECT || p->kind == LH_PLAN_FILTER)
        p = p->children[0];
    return p->kind == LH_PLAN_SORT || p->kind == LH_PLAN_AGGREGATE ? p : NULL;
}

/* Add the PROJECT / FILTER operators from just above `below` up to p, bottom first. */
static lh_err add_chain(exec_query *q, const lh_plan_t *p, const lh_plan_t *below,
                        exec_pipeline *pl, lh_errbuf *eb)
{
    if (p == below)
        return LH_OK;
    LH_TRY(add_chain(q, p->children[0], below, pl, eb));
    return add_new(q, p, pl, p->kind == LH_PLAN_FILTER ? exec_filter_new : exec_project_new, eb);
}

/* Run the input pipeline of breaker bp (SORT or AGGREGATE) into its sink; *out is the
 * finished sink (its locals freed), ready to become a source. */
static lh_err run_breaker(exec_query *q, const lh_plan_t *bp, exec_op **out, lh_errbuf *eb)
{
    exec_op *op = NULL;
    LH_TRY(bp->kind == LH_PLAN_SORT ? exec_sort_new(q, bp, &op, eb) : exec_agg_new(q, bp, &op, eb));
    exec_pipeline *pl = exec_pipeline_new(q);
    lh_err e = exec_build(q, bp->children[0], pl, eb);
    if (e == LH_OK)
        e = exec_pipeline_add(pl, op, eb);
    else
        exec_op_free(op);
    if (e == LH_OK)
        e = exec_pipeline_execute(pl, eb);
    if (e == LH_OK) { /* the sink (its locals freed) leaves the pipeline */
        int last_stage = --pl->stage_count;
        for (int i = 0; i < pl->thread_count; i++)
            if (pl->threads[i] && pl->threads[i]->local[last_stage]) {
                op->vt->local_free(op, pl->threads[i]->local[last_stage]);
                pl->threads[i]->local[last_stage] = NULL;
            }
        pl->stages[last_stage] = NULL;
        *out = op;
    }
    exec_pipeline_free(pl);
    return e;
}

/* A finished breaker sink as the source of the next pipeline. */
static exec_op *breaker_source(exec_query *q, exec_op *op)
{
    return op->plan->kind == LH_PLAN_SORT ? exec_sort_source_new(q, op)
                                          : exec_agg_source_new(q, op);
}

/* ORDER BY or GROUP BY at the root: the breaker's input pipeline, then a last pipeline
 * from the finished breaker through the projections above it into the caller's sink. */
static lh_err run_root_breaker(exec_query *q, const lh_plan_t *plan, const lh_plan_t *bp,
                               lh_exec_sink_fn sink, void *ctx, int64_t *produced, lh_errbuf *eb)
{
    exec_op *op = NULL;
    LH_TRY(run_breaker(q, bp, &op, eb));
    exec_pipeline *last = exec_pipeline_new(q);
    forward f = {.sink = sink, .ctx = ctx};
    lh_err e = exec_pipeline_add(last, breaker_source(q, op), eb);
    if (e == LH_OK)
        e = add_chain(q, plan, bp, last, eb);
    if (e == LH_OK)
        e = exec_pipeline_add(last, exec_op_new(q, &forward_vt, NULL, &f), eb);
    if (e == LH_OK)
        e = exec_pipeline_execute(last, eb);
    *produced = f.rows;
    exec_pipeline_free(last);
    return e;
}

lh_err lh_exec_run(const lh_plan_t *plan, const lh_exec_opts_t *opts, lh_exec_sink_fn sink,
                   void *ctx, lh_exec_stats_t *stats, lh_errbuf *eb)
{
    exec_query q;
    memset(&q, 0, sizeof q);
    q.opts = opts;
    q.conf = opts->conf;
    q.threads = opts->pool ? lh_pool_worker_count(opts->pool) + 1 : 1;
    q.arena = lh_arena_create();
    pthread_mutex_init(&q.mu, NULL);
    int64_t t0 = lh_mono_ns();
    exec_rows *rows = NULL;
    int64_t produced = 0;
    const lh_plan_t *bp = root_breaker(plan);
    lh_err e = bp ? run_root_breaker(&q, plan, bp, sink, ctx, &produced, eb)
                  : exec_materialize(&q, plan, &rows, eb);
    for (size_t i = 0; e == LH_OK && rows != NULL && i < rows->batch_count; i++) {
        if ((e = exec_check(&q, eb)) != LH_OK)
            break;
        produced += (int64_t)rows->batches[i]->row_count;
        e = sink(ctx, rows->batches[i], eb);
    }
    exec_rows_free(rows);
    if (q.spill_dir[0])
        nftw(q.spill_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (stats != NULL) {
        stats->rows_produced = produced;
        stats->rows_read = atomic_load(&q.rows_read);
        stats->bytes_read = atomic_load(&q.bytes_read);
        stats->files_read = atomic_load(&q.files_read);
        stats->files_pruned = atomic_load(&q.files_pruned);
        stats->row_groups_read = atomic_load(&q.row_groups_read);
        stats->row_groups_pruned = atomic_load(&q.row_groups_pruned);
        stats->scan_morsels = atomic_load(&q.scan_morsels);
        stats->spill_bytes = atomic_load(&q.spill_bytes);
        stats->peak_memory_bytes = atomic_load(&q.peak);
        stats->execution_ns = lh_mono_ns() - t0;
        if ((plan->kind == LH_PLAN_WRITE || plan->kind == LH_PLAN_DML) && e == LH_OK)
            stats->rows_written = atomic_load(&q.rows_written);
    }
    pthread_mutex_destroy(&q.mu);
    lh_arena_destroy(q.arena);
    return e;
}
