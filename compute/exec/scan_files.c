/*
 * scan_files.c - the file scan (a source) for csv.`/p`, json.`/p`, text.`/p`,
 * parquet.`/p` and read_files: one morsel per unit of compute/files (a file, or a byte
 * range of a big CSV file). Each morsel parses its unit straight into the worker's column
 * vectors (lh_ff_read) and pushes every batch; the bound scan is immutable, so workers
 * share it. Rows, files and bytes are counted in the query's statistics.
 */
#include <stdlib.h>

#include "compute/exec/exec_internal.h"
#include "compute/files/files.h"

typedef struct files_op {
    const lh_ff_scan_t *scan;
    lh_ff_unit_t *units;
    size_t unit_count;
} files_op;

typedef struct emit_ctx {
    exec_op *op;
    exec_thread *t;
    lh_vec_t *meta;   /* the unit's _metadata as a constant vector */
    lh_value_t value; /* ... its value */
    lh_vec_t **cols;  /* the batch's columns and meta */
} emit_ctx;

static size_t files_morsels(exec_op *op)
{
    return ((files_op *)op->data)->unit_count;
}

static lh_err emit(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    emit_ctx *c = ctx;
    LH_TRY(exec_check(c->op->q, eb));
    atomic_fetch_add(&c->op->q->rows_read, (int64_t)b->row_count);
    /* the plan's trailing _metadata column: the same value on every row of the unit */
    LH_FAIL_IF(lh_vec_set_constant(c->meta, &c->value, b->row_count) != LH_OK, LH_E_NOMEM, eb,
               "out of memory");
    for (int i = 0; i < b->col_count; i++)
        c->cols[i] = b->cols[i];
    c->cols[b->col_count] = c->meta;
    lh_batch_t with = {b->col_count + 1, c->cols, b->row_count};
    return exec_push(c->t, c->op->stage, &with, eb);
}

static lh_err files_produce(exec_op *op, void *local, size_t m, exec_thread *t, lh_errbuf *eb)
{
    (void)local;
    files_op *f = op->data;
    const lh_ff_unit_t *u = &f->units[m];
    if (u->start == 0) {
        atomic_fetch_add(&op->q->files_read, 1);
        atomic_fetch_add(&op->q->bytes_read, f->scan->sizes[u->file]);
    }
    emit_ctx c = {op, t, NULL, {.is_null = false}, NULL};
    lh_nbuf_t nb = {0};
    lh_err e = lh_ff_metadata_value(f->scan, u->file, u->start, u->end, &nb);
    if (e == LH_OK) {
        c.value.type = lh_ff_metadata_type();
        c.value.v.str = (lh_sv_t){nb.bytes, (uint32_t)nb.len};
        c.meta = lh_vec_create(c.value.type, 1);
        c.cols = calloc((size_t)f->scan->col_count + 2, sizeof *c.cols);
        if (c.meta == NULL || c.cols == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    } else {
        e = lh_err_set(eb, e, __FILE__, __LINE__, "out of memory");
    }
    if (e == LH_OK)
        e = lh_ff_read(f->scan, u, emit, &c, NULL, eb);
    free(c.cols);
    lh_vec_destroy(c.meta);
    lh_nbuf_free(&nb);
    return e;
}

static void files_free(exec_op *op)
{
    files_op *f = op->data;
    free(f->units);
    free(f);
}

static const exec_op_vt files_vt = {
    .name = "scan_files",
    .morsels = files_morsels,
    .produce = files_produce,
    .free = files_free,
};

lh_err exec_scan_files_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    files_op *f = calloc(1, sizeof *f);
    LH_FAIL_IF(f == NULL, LH_E_NOMEM, eb, "out of memory");
    f->scan = p->u.files.scan;
    lh_err e = lh_ff_units(f->scan, &f->units, &f->unit_count, eb);
    if (e != LH_OK) {
        free(f);
        return e;
    }
    *out = exec_op_new(q, &files_vt, p, f);
    return LH_OK;
}
