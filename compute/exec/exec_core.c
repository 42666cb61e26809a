/*
 * exec_core.c - the query context (memory accounting against the limit, cancellation and
 * deadline checks, the first error), row sets, and the per-thread expression helper.
 *
 * Memory: operators charge what they hold (row sets, hash tables, sort runs) to one atomic
 * counter; a charge that would pass opts->memory_limit_bytes fails with Spark's
 * UNABLE_TO_ACQUIRE_MEMORY (SQLSTATE 53200) as LH_E_LIMIT, or, for operators that can
 * spill (sort, hash aggregate), is noticed first with exec_mem_would_exceed or their own
 * budget checks. Nothing is charged for the fixed per-thread scratch (a few batches).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "compute/exec/exec_internal.h"
#include "compute/sqlerr.h"

lh_err exec_mem_charge(exec_query *q, int64_t bytes, lh_errbuf *eb)
{
    int64_t limit = q->opts->memory_limit_bytes;
    int64_t now = atomic_fetch_add(&q->mem, bytes) + bytes;
    if (limit > 0 && bytes > 0 && now > limit) {
        atomic_fetch_sub(&q->mem, bytes);
        char req[32];
        snprintf(req, sizeof req, "%lld", (long long)bytes);
        lh_sqlerr(eb, "UNABLE_TO_ACQUIRE_MEMORY", "requestedBytes", req, "receivedBytes", "0",
                  NULL);
        if (eb)
            eb->code = LH_E_LIMIT;
        return LH_E_LIMIT;
    }
    int64_t peak = atomic_load(&q->peak);
    while (now > peak && !atomic_compare_exchange_weak(&q->peak, &peak, now)) {
    }
    return LH_OK;
}

void exec_mem_release(exec_query *q, int64_t bytes)
{
    atomic_fetch_sub(&q->mem, bytes);
}

bool exec_mem_would_exceed(exec_query *q, int64_t bytes)
{
    int64_t limit = q->opts->memory_limit_bytes;
    return limit > 0 && atomic_load(&q->mem) + bytes > limit;
}

lh_err exec_check(exec_query *q, lh_errbuf *eb)
{
    const lh_exec_opts_t *o = q->opts;
    bool cancelled = (o->cancel != NULL && atomic_load(o->cancel)) ||
                     (o->deadline_ns > 0 && lh_mono_ns() > o->deadline_ns);
    if (cancelled) {
        lh_sqlerr(eb, "OPERATION_CANCELED", NULL);
        if (eb)
            eb->code = LH_E_STATE;
        return LH_E_STATE;
    }
    if (atomic_load(&q->failed)) /* another worker failed: stop quietly */
        LH_FAIL(LH_E_STATE, eb, "stopped: another worker failed");
    return LH_OK;
}

void exec_fail(exec_query *q, const lh_errbuf *eb)
{
    pthread_mutex_lock(&q->mu);
    if (!atomic_load(&q->failed)) {
        q->err = *eb;
        atomic_store(&q->failed, true);
    }
    pthread_mutex_unlock(&q->mu);
}

int64_t exec_batch_bytes(const lh_batch_t *b)
{
    int64_t n = 0;
    for (int c = 0; c < b->col_count; c++) {
        const lh_vec_t *v = b->cols[c];
        n += (int64_t)(v->capacity * lh_vec_slot_width(v)) + (int64_t)(v->capacity / 8);
        if (lh_type_is_bytes(v->type))
            for (size_t i = 0; i < v->count; i++)
                n += ((const lh_sv_t *)v->data)[i].len;
    }
    return n + 64;
}

lh_err exec_spill_dir(exec_query *q, const char **dir, lh_errbuf *eb)
{
    pthread_mutex_lock(&q->mu);
    if (q->spill_dir[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        snprintf(q->spill_dir, sizeof q->spill_dir, "%s/lh-spill-XXXXXX", tmp ? tmp : "/tmp");
        if (mkdtemp(q->spill_dir) == NULL) {
            int e = errno;
            q->spill_dir[0] = '\0';
            pthread_mutex_unlock(&q->mu);
            LH_FAIL(LH_E_IO, eb, "cannot create a spill directory: %s", strerror(e));
        }
    }
    *dir = q->spill_dir;
    pthread_mutex_unlock(&q->mu);
    return LH_OK;
}

/* ---- row sets ------------------------------------------------------------------------ */

exec_rows *exec_rows_new(exec_query *q, int col_count, const lh_type_t *types)
{
    exec_rows *r = calloc(1, sizeof *r);
    LH_ASSERT(r != NULL);
    r->q = q;
    r->col_count = col_count;
    r->types = calloc((size_t)col_count + 1, sizeof *r->types);
    LH_ASSERT(r->types != NULL);
    for (int c = 0; c < col_count; c++)
        r->types[c] = types[c];
    return r;
}

void exec_rows_free(exec_rows *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->batch_count; i++)
        lh_batch_destroy(r->batches[i]);
    if (r->q != NULL)
        exec_mem_release(r->q, r->bytes);
    free(r->batches);
    free(r->types);
    free(r);
}

lh_batch_t *exec_rows_batch(const exec_rows *r, size_t capacity)
{
    return lh_vecops_batch_new(r->col_count, r->types, capacity);
}

lh_err exec_rows_take(exec_rows *r, lh_batch_t *b, lh_errbuf *eb)
{
    int64_t bytes = exec_batch_bytes(b);
    lh_err e = r->q ? exec_mem_charge(r->q, bytes, eb) : LH_OK;
    if (e != LH_OK) {
        lh_batch_destroy(b);
        return e;
    }
    if (r->batch_count == r->batch_cap) {
        size_t cap = r->batch_cap ? r->batch_cap * 2 : 16;
        lh_batch_t **nb = realloc(r->batches, cap * sizeof *nb);
        if (nb == NULL) {
            lh_batch_destroy(b);
            if (r->q)
                exec_mem_release(r->q, bytes);
            LH_FAIL(LH_E_NOMEM, eb, "out of memory");
        }
        r->batches = nb;
        r->batch_cap = cap;
    }
    r->batches[r->batch_count++] = b;
    r->row_count += (int64_t)b->row_count;
    r->bytes += bytes;
    return LH_OK;
}

lh_err exec_rows_append(exec_rows *r, const lh_batch_t *b, const uint32_t *sel, size_t n,
                        lh_errbuf *eb)
{
    size_t rows = sel ? n : b->row_count;
    if (rows == 0)
        return LH_OK;
    lh_batch_t *c = exec_rows_batch(r, rows);
    LH_FAIL_IF(c == NULL, LH_E_NOMEM, eb, "out of memory");
    for (int k = 0; k < r->col_count; k++) {
        lh_err e = LH_OK;
        if (sel == NULL) {
            e = lh_vec_append_range(c->cols[k], b->cols[k], 0, rows);
        } else {
            for (size_t i = 0; i < n && e == LH_OK; i++)
                e = lh_vec_append_range(c->cols[k], b->cols[k], sel[i], 1);
        }
        if (e != LH_OK) {
            lh_batch_destroy(c);
            LH_FAIL(LH_E_NOMEM, eb, "out of memory");
        }
    }
    c->row_count = rows;
    return exec_rows_take(r, c, eb);
}

void exec_rows_move(exec_rows *dst, exec_rows *src)
{
    for (size_t i = 0; i < src->batch_count; i++) {
        if (dst->batch_count == dst->batch_cap) {
            size_t cap = dst->batch_cap ? dst->batch_cap * 2 : 16;
            lh_batch_t **nb = realloc(dst->batches, cap * sizeof *nb);
            LH_ASSERT(nb != NULL);
            dst->batches = nb;
            dst->batch_cap = cap;
        }
        dst->batches[dst->batch_count++] = src->batches[i];
    }
    dst->row_count += src->row_count;
    dst->bytes += src->bytes;
    src->batch_count = 0;
    src->row_count = 0;
    src->bytes = 0;
}

/* ---- expressions ----------------------------------------------------------------------- */

static lh_expr_t *copy_tree(lh_arena_t *a, const lh_expr_t *e)
{
    lh_expr_t *c = lh_arena_alloc(a, sizeof *c);
    *c = *e;
    if (e->arg_count > 0) {
        c->args = lh_arena_calloc(a, (size_t)e->arg_count, sizeof *c->args);
        for (int i = 0; i < e->arg_count; i++)
            c->args[i] = copy_tree(a, e->args[i]);
    }
    return c;
}

int exec_number(exec_query *q, lh_expr_t **exprs, int count)
{
    for (int i = 0; i < count; i++)
        if (exprs[i] != NULL)
            exprs[i] = copy_tree(q->arena, exprs[i]);
    return lh_expr_number(exprs, count);
}

lh_err exec_eval_init(exec_eval *ev, exec_query *q, lh_expr_t **exprs, int count, int node_count,
                      lh_errbuf *eb)
{
    memset(ev, 0, sizeof *ev);
    ev->count = count;
    ev->exprs = exprs;
    ev->st = lh_expr_state_create(node_count, q->conf);
    ev->vals = calloc((size_t)count + 1, sizeof *ev->vals);
    LH_FAIL_IF(ev->st == NULL || ev->vals == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

lh_err exec_eval_run(exec_eval *ev, const lh_batch_t *in, lh_errbuf *eb)
{
    return exec_eval_first(ev, in, ev->count, eb);
}

lh_err exec_eval_first(exec_eval *ev, const lh_batch_t *in, int n, lh_errbuf *eb)
{
    for (int i = 0; i < n && i < ev->count; i++)
        if (ev->exprs[i] != NULL)
            LH_TRY(lh_expr_eval(ev->st, ev->exprs[i], in, &ev->vals[i], eb));
    return LH_OK;
}

void exec_eval_free(exec_eval *ev)
{
    lh_expr_state_destroy(ev->st);
    free(ev->vals);
    memset(ev, 0, sizeof *ev);
}
