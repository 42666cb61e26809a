/*
 * rows_source.c - a materialized row set as a pipeline source: one morsel per batch, so
 * the rows after a breaker flow on in parallel and in order.
 */
#include "compute/exec/exec_internal.h"

static size_t rs_morsels(exec_op *op)
{
    return ((exec_rows *)op->data)->batch_count;
}

static lh_err rs_produce(exec_op *op, void *local, size_t m, exec_thread *t, lh_errbuf *eb)
{
    (void)local;
    return exec_push(t, op->stage, ((exec_rows *)op->data)->batches[m], eb);
}

static void rs_free(exec_op *op)
{
    exec_rows_free(op->data);
}

static const exec_op_vt rs_vt = {
    .name = "rows",
    .morsels = rs_morsels,
    .produce = rs_produce,
    .free = rs_free,
};

exec_op *exec_rows_source_new(exec_query *q, exec_rows *rows)
{
    return exec_op_new(q, &rs_vt, NULL, rows);
}
