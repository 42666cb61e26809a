/*
 * filter.c - rows where the predicate is TRUE: a selection from lh_expr_select, then the
 * selected rows gathered into the worker's batch (strings stay in the input's memory,
 * which lives until the push returns).
 */
#include <stdlib.h>

#include "compute/exec/exec_internal.h"

typedef struct filter {
    lh_expr_t *pred;
    int node_count;
} filter;

typedef struct filter_local {
    exec_eval ev;
    lh_batch_t *out;
    uint32_t *sel;
    size_t sel_cap;
} filter_local;

static lh_err filter_process(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                             lh_errbuf *eb)
{
    filter *f = op->data;
    filter_local *l = local;
    if (l->sel_cap < in->row_count) {
        free(l->sel);
        l->sel_cap = in->row_count;
        l->sel = malloc(l->sel_cap * sizeof *l->sel);
        LH_FAIL_IF(l->sel == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    size_t n;
    LH_TRY(lh_expr_select(l->ev.st, f->pred, in, l->sel, &n, eb));
    if (n == in->row_count)
        return exec_push(t, op->stage, in, eb);
    if (l->out == NULL && (l->out = lh_vecops_batch_like(in, LH_BATCH_ROWS)) == NULL)
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    LH_FAIL_IF(lh_vecops_batch_gather(l->out, in, l->sel, n) != LH_OK, LH_E_NOMEM, eb,
               "out of memory");
    return exec_push(t, op->stage, l->out, eb);
}

static void *filter_local_new(exec_op *op)
{
    filter *f = op->data;
    filter_local *l = calloc(1, sizeof *l);
    lh_errbuf eb;
    if (l && exec_eval_init(&l->ev, op->q, &f->pred, 1, f->node_count, &eb) != LH_OK) {
        exec_eval_free(&l->ev);
        free(l);
        return NULL;
    }
    return l;
}

static void filter_local_free(exec_op *op, void *local)
{
    (void)op;
    filter_local *l = local;
    exec_eval_free(&l->ev);
    lh_batch_destroy(l->out);
    free(l->sel);
    free(l);
}

static void filter_free(exec_op *op)
{
    free(op->data);
}

static const exec_op_vt filter_vt = {
    .name = "filter",
    .process = filter_process,
    .local_new = filter_local_new,
    .local_free = filter_local_free,
    .free = filter_free,
};

lh_err exec_filter_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    filter *f = calloc(1, sizeof *f);
    LH_FAIL_IF(f == NULL, LH_E_NOMEM, eb, "out of memory");
    f->pred = p->u.filter.pred;
    f->node_count = exec_number(q, &f->pred, 1);
    *out = exec_op_new(q, &filter_vt, p, f);
    return LH_OK;
}
