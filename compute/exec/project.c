/*
 * project.c - one output column per expression. Column references pass the input's
 * vector through; computed columns point at the evaluator's vectors (valid until the
 * next batch), so a projection copies nothing.
 */
#include <stdlib.h>

#include "compute/exec/exec_internal.h"

typedef struct project {
    lh_expr_t **exprs; /* private copies */
    int node_count;
} project;

typedef struct project_local {
    exec_eval ev;
    lh_batch_t view; /* cols borrowed from the evaluator */
} project_local;

static lh_err project_process(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                              lh_errbuf *eb)
{
    project_local *l = local;
    LH_TRY(exec_eval_run(&l->ev, in, eb));
    for (int c = 0; c < l->ev.count; c++)
        l->view.cols[c] = (lh_vec_t *)l->ev.vals[c];
    l->view.row_count = in->row_count;
    return exec_push(t, op->stage, &l->view, eb);
}

static void *project_local_new(exec_op *op)
{
    const lh_plan_t *p = op->plan;
    project_local *l = calloc(1, sizeof *l);
    lh_errbuf eb;
    if (l == NULL)
        return NULL;
    l->view.col_count = p->col_count;
    l->view.cols = calloc((size_t)p->col_count + 1, sizeof *l->view.cols);
    if (l->view.cols == NULL ||
        exec_eval_init(&l->ev, op->q, ((project *)op->data)->exprs, p->col_count,
                       ((project *)op->data)->node_count, &eb) != LH_OK) {
        op->vt->local_free(op, l);
        return NULL;
    }
    return l;
}

static void project_local_free(exec_op *op, void *local)
{
    (void)op;
    project_local *l = local;
    exec_eval_free(&l->ev);
    free(l->view.cols);
    free(l);
}

static void project_free(exec_op *op)
{
    project *pr = op->data;
    free(pr->exprs);
    free(pr);
}

static const exec_op_vt project_vt = {
    .name = "project",
    .process = project_process,
    .local_new = project_local_new,
    .local_free = project_local_free,
    .free = project_free,
};

lh_err exec_project_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    project *pr = calloc(1, sizeof *pr);
    LH_FAIL_IF(pr == NULL, LH_E_NOMEM, eb, "out of memory");
    pr->exprs = calloc((size_t)p->col_count + 1, sizeof *pr->exprs);
    if (pr->exprs == NULL) {
        free(pr);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    for (int i = 0; i < p->col_count; i++)
        pr->exprs[i] = p->u.project.exprs[i];
    pr->node_count = exec_number(q, pr->exprs, p->col_count);
    *out = exec_op_new(q, &project_vt, p, pr);
    return LH_OK;
}
