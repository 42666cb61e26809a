/*
 * range.c - the range(start, end, step) table function: one BIGINT column of the values
 * start, start + step, ... strictly before end (after it for a negative step). A source of
 * many morsels (RANGE_MORSEL_ROWS each), so big ranges run on every worker; values are
 * computed in 128-bit arithmetic so steps near the int64 limits never overflow.
 */
#include <stdlib.h>

#include "compute/exec/exec_internal.h"

#define RANGE_MORSEL_ROWS (LH_BATCH_ROWS * 32)

typedef struct range_op {
    int64_t start, step;
    uint64_t count; /* rows in all */
    lh_type_t type;
} range_op;

static size_t range_morsels(exec_op *op)
{
    const range_op *r = op->data;
    return (size_t)((r->count + RANGE_MORSEL_ROWS - 1) / RANGE_MORSEL_ROWS);
}

static lh_err range_produce(exec_op *op, void *local, size_t m, exec_thread *t, lh_errbuf *eb)
{
    (void)local;
    const range_op *r = op->data;
    uint64_t first = (uint64_t)m * RANGE_MORSEL_ROWS, end = first + RANGE_MORSEL_ROWS;
    if (end > r->count)
        end = r->count;
    lh_vec_t *v = lh_vec_create(r->type, LH_BATCH_ROWS);
    LH_FAIL_IF(v == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_batch_t b = {1, &v, 0};
    lh_err e = LH_OK;
    for (uint64_t i = first; i < end && e == LH_OK; i += LH_BATCH_ROWS) {
        size_t n = end - i < LH_BATCH_ROWS ? (size_t)(end - i) : LH_BATCH_ROWS;
        lh_vec_reset(v);
        int64_t *d = v->data;
        __int128 x = (__int128)r->start + (__int128)i * r->step;
        for (size_t k = 0; k < n; k++, x += r->step)
            d[k] = (int64_t)x;
        v->count = n;
        b.row_count = n;
        e = exec_push(t, op->stage, &b, eb);
    }
    lh_vec_destroy(v);
    return e;
}

static void range_free(exec_op *op)
{
    free(op->data);
}

static const exec_op_vt range_vt = {
    .name = "range",
    .morsels = range_morsels,
    .produce = range_produce,
    .free = range_free,
};

lh_err exec_range_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    range_op *r = calloc(1, sizeof *r);
    LH_FAIL_IF(r == NULL, LH_E_NOMEM, eb, "out of memory");
    int64_t s = p->u.range.start, e = p->u.range.end, st = p->u.range.step;
    __int128 span = (__int128)e - s;
    if (st > 0 && span > 0)
        r->count = (uint64_t)((span + st - 1) / st);
    else if (st < 0 && span < 0)
        r->count = (uint64_t)((-span + (-(__int128)st) - 1) / -(__int128)st);
    r->start = s;
    r->step = st;
    r->type = p->col_types[0];
    *out = exec_op_new(q, &range_vt, p, r);
    return LH_OK;
}
