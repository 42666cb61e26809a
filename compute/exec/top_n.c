/*
 * top_n.c - ORDER BY ... LIMIT n [OFFSET m] (the optimizer's TOPN) as a sink: each worker
 * keeps at most its best offset + limit rows, pruning (sort, keep the head) whenever it
 * holds twice that many (and at least 4096), so memory stays bounded by the limit; result
 * merges every worker's rows, sorts them and returns rows [offset, offset + limit).
 */
#include <stdlib.h>

#include "compute/exec/exec_internal.h"

typedef struct topn_op {
    int cols, keys;
    lh_expr_t **exprs;
    int node_count;
    int *key_cols;
    bool *desc, *nulls_first;
    exec_sort_spec spec;
    lh_type_t *types;
    int64_t keep; /* offset + limit */
    exec_rows *rows;
} topn_op;

typedef struct topn_local {
    exec_eval ev;
    exec_rows *rows;
    lh_batch_t view;
} topn_local;

/* Replace *rows by its best `keep` rows (all columns). */
static lh_err prune(exec_op *op, exec_rows **rows, lh_errbuf *eb)
{
    topn_op *t = op->data;
    exec_ref *refs;
    size_t n;
    LH_TRY(exec_sort_refs(op->q, *rows, &t->spec, &refs, &n, eb));
    exec_rows *best;
    size_t k = (size_t)t->keep < n ? (size_t)t->keep : n;
    lh_err e = exec_rows_gather(op->q, *rows, t->cols + t->keys, refs, k, &best, eb);
    free(refs);
    if (e == LH_OK) {
        exec_rows_free(*rows);
        *rows = best;
    }
    return e;
}

static lh_err topn_consume(exec_op *op, void *local, const lh_batch_t *in, exec_thread *th,
                           lh_errbuf *eb)
{
    (void)th;
    topn_op *t = op->data;
    topn_local *l = local;
    LH_TRY(exec_eval_run(&l->ev, in, eb));
    for (int c = 0; c < t->cols; c++)
        l->view.cols[c] = in->cols[c];
    for (int k = 0; k < t->keys; k++)
        l->view.cols[t->cols + k] = (lh_vec_t *)l->ev.vals[k];
    l->view.row_count = in->row_count;
    LH_TRY(exec_rows_append(l->rows, &l->view, NULL, 0, eb));
    int64_t bound = t->keep * 2 > 4096 ? t->keep * 2 : 4096;
    return l->rows->row_count > bound ? prune(op, &l->rows, eb) : LH_OK;
}

static lh_err topn_combine(exec_op *op, void *local, lh_errbuf *eb)
{
    (void)eb;
    exec_rows_move(((topn_op *)op->data)->rows, ((topn_local *)local)->rows);
    return LH_OK;
}

static lh_err topn_result(exec_op *op, exec_rows **out, lh_errbuf *eb)
{
    topn_op *t = op->data;
    const lh_plan_t *p = op->plan;
    exec_ref *refs;
    size_t n;
    LH_TRY(exec_sort_refs(op->q, t->rows, &t->spec, &refs, &n, eb));
    size_t from = (size_t)p->u.sort.offset < n ? (size_t)p->u.sort.offset : n;
    size_t to = (size_t)t->keep < n ? (size_t)t->keep : n;
    lh_err e = exec_rows_gather(op->q, t->rows, t->cols, refs + from, to - from, out, eb);
    free(refs);
    return e;
}

static void *topn_local_new(exec_op *op)
{
    topn_op *t = op->data;
    topn_local *l = calloc(1, sizeof *l);
    lh_errbuf eb;
    if (l == NULL)
        return NULL;
    l->rows = exec_rows_new(op->q, t->cols + t->keys, t->types);
    l->view.col_count = t->cols + t->keys;
    l->view.cols = calloc((size_t)(t->cols + t->keys) + 1, sizeof *l->view.cols);
    if (l->view.cols == NULL ||
        exec_eval_init(&l->ev, op->q, t->exprs, t->keys, t->node_count, &eb) != LH_OK) {
        op->vt->local_free(op, l);
        return NULL;
    }
    return l;
}

static void topn_local_free(exec_op *op, void *local)
{
    (void)op;
    topn_local *l = local;
    exec_eval_free(&l->ev);
    exec_rows_free(l->rows);
    free(l->view.cols);
    free(l);
}

static void topn_free(exec_op *op)
{
    topn_op *t = op->data;
    exec_rows_free(t->rows);
    free(t->exprs);
    free(t->key_cols);
    free(t->desc);
    free(t->nulls_first);
    free(t->types);
    free(t);
}

static const exec_op_vt topn_vt = {
    .name = "top_n",
    .consume = topn_consume,
    .combine = topn_combine,
    .result = topn_result,
    .local_new = topn_local_new,
    .local_free = topn_local_free,
    .free = topn_free,
};

lh_err exec_topn_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    topn_op *t = calloc(1, sizeof *t);
    LH_FAIL_IF(t == NULL, LH_E_NOMEM, eb, "out of memory");
    const lh_plan_t *child = p->children[0];
    int k = p->u.sort.key_count;
    t->cols = child->col_count;
    t->keys = k;
    t->keep = p->u.sort.offset + (p->u.sort.limit < 0 ? INT32_MAX : p->u.sort.limit);
    t->exprs = calloc((size_t)k + 1, sizeof *t->exprs);
    t->key_cols = calloc((size_t)k + 1, sizeof *t->key_cols);
    t->desc = calloc((size_t)k + 1, sizeof *t->desc);
    t->nulls_first = calloc((size_t)k + 1, sizeof *t->nulls_first);
    t->types = calloc((size_t)(t->cols + k) + 1, sizeof *t->types);
    exec_op *op = exec_op_new(q, &topn_vt, p, t);
    if (!t->exprs || !t->key_cols || !t->desc || !t->nulls_first || !t->types) {
        exec_op_free(op);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    for (int c = 0; c < t->cols; c++)
        t->types[c] = child->col_types[c];
    for (int i = 0; i < k; i++) {
        t->exprs[i] = p->u.sort.keys[i].expr;
        t->key_cols[i] = t->cols + i;
        t->desc[i] = p->u.sort.keys[i].descending;
        t->nulls_first[i] = p->u.sort.keys[i].nulls_first;
        t->types[t->cols + i] = t->exprs[i]->type;
    }
    t->spec = (exec_sort_spec){k, t->key_cols, t->desc, t->nulls_first};
    t->node_count = exec_number(q, t->exprs, k);
    t->rows = exec_rows_new(q, t->cols + k, t->types);
    *out = op;
    return LH_OK;
}
