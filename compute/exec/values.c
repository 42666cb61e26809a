/*
 * values.c - VALUES rows (a source of one morsel): every cell is a foldable expression,
 * folded once when the operator is built; zero columns = row_count empty rows.
 */
#include <stdlib.h>

#include "compute/exec/exec_internal.h"

static size_t values_morsels(exec_op *op)
{
    (void)op;
    return 1;
}

static lh_err values_produce(exec_op *op, void *local, size_t m, exec_thread *t, lh_errbuf *eb)
{
    (void)local;
    (void)m;
    exec_rows *r = op->data;
    for (size_t i = 0; i < r->batch_count; i++)
        LH_TRY(exec_push(t, op->stage, r->batches[i], eb));
    return LH_OK;
}

static void values_free(exec_op *op)
{
    exec_rows_free(op->data);
}

static const exec_op_vt values_vt = {
    .name = "values",
    .morsels = values_morsels,
    .produce = values_produce,
    .free = values_free,
};

static bool closed(const lh_expr_t *e)
{
    if (e->kind == LH_EXPR_COLUMN || e->kind == LH_EXPR_PARAM)
        return false;
    for (int i = 0; i < e->arg_count; i++)
        if (!closed(e->args[i]))
            return false;
    return true;
}

/* A cell that reads no column but is not foldable (current_timestamp(), now()): evaluated
 * once on a one-row batch, as Spark evaluates an inline table's expressions. */
static lh_err append_evaluated(exec_query *q, lh_expr_t *e, lh_vec_t *col, lh_errbuf *eb)
{
    lh_expr_t *root = e;
    int n = lh_expr_number(&root, 1);
    lh_expr_state_t *st = lh_expr_state_create(n, q->conf);
    LH_FAIL_IF(st == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_batch_t in = {.col_count = 0, .cols = NULL, .row_count = 1};
    const lh_vec_t *v;
    lh_err err = lh_expr_eval(st, e, &in, &v, eb);
    if (err == LH_OK && lh_vec_append_range(col, v, 0, 1) != LH_OK)
        err = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    lh_expr_state_destroy(st);
    return err;
}

/* Fold row r's cells and append them to b. */
static lh_err append_row(exec_query *q, const lh_plan_t *p, int r, lh_batch_t *b, lh_arena_t *a,
                         lh_errbuf *eb)
{
    for (int c = 0; c < p->col_count; c++) {
        lh_expr_t *cell = p->u.values.rows[r][c];
        if (!lh_expr_is_foldable(cell) && closed(cell)) {
            LH_TRY(append_evaluated(q, cell, b->cols[c], eb));
            continue;
        }
        lh_value_t v;
        LH_TRY(lh_expr_fold(a, p->u.values.rows[r][c], q->conf, &v, eb));
        lh_vec_t *col = b->cols[c];
        lh_err e;
        if (v.is_null) {
            e = lh_vec_append_null(col);
        } else if (lh_type_is_bytes(col->type)) {
            e = lh_vec_append_str(col, v.v.str.ptr, v.v.str.len);
        } else if (col->type.id == LH_TYPE_FLOAT || col->type.id == LH_TYPE_DOUBLE) {
            e = lh_vec_append_f64(col, v.v.f64);
        } else if (col->type.id == LH_TYPE_BOOLEAN) {
            e = lh_vec_append_bool(col, v.v.i64 != 0);
        } else if (col->type.id == LH_TYPE_DECIMAL && col->type.precision > 18) {
            e = lh_vec_append_i128(col, v.v.i128);
        } else {
            e = lh_vec_append_i64(col, v.v.i64);
        }
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

static lh_err fill(exec_query *q, const lh_plan_t *p, exec_rows *rows, lh_errbuf *eb)
{
    lh_arena_t *a = lh_arena_create();
    lh_batch_t *b = NULL;
    lh_err e = LH_OK;
    for (int r = 0; r < p->u.values.row_count && e == LH_OK; r++) {
        if (b == NULL && (b = exec_rows_batch(rows, LH_BATCH_ROWS)) == NULL)
            e = LH_E_NOMEM;
        if (e == LH_OK)
            e = append_row(q, p, r, b, a, eb);
        if (e == LH_OK && ++b->row_count == LH_BATCH_ROWS) {
            e = exec_rows_take(rows, b, eb);
            b = NULL;
        }
    }
    if (e == LH_OK && b != NULL)
        e = exec_rows_take(rows, b, eb);
    else
        lh_batch_destroy(b);
    lh_arena_destroy(a);
    return e;
}

lh_err exec_values_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    exec_rows *rows = exec_rows_new(q, p->col_count, p->col_types);
    lh_err e = fill(q, p, rows, eb);
    if (e != LH_OK) {
        exec_rows_free(rows);
        return e;
    }
    *out = exec_op_new(q, &values_vt, p, rows);
    return LH_OK;
}
