/*
 * limit.c - LIMIT / OFFSET over rows already collected in order (collect.c stops the
 * pipeline once offset + limit rows are in): rows [offset, offset + limit).
 */
#include <stdlib.h>

#include "compute/exec/exec_internal.h"

lh_err exec_limit_run(exec_query *q, const lh_plan_t *p, exec_rows *in, exec_rows **out,
                      lh_errbuf *eb)
{
    int64_t skip = p->u.limit.offset, left = p->u.limit.limit < 0 ? INT64_MAX : p->u.limit.limit;
    exec_rows *r = exec_rows_new(q, in->col_count, in->types);
    lh_err e = LH_OK;
    size_t most = 1;
    for (size_t i = 0; i < in->batch_count; i++)
        most = in->batches[i]->row_count > most ? in->batches[i]->row_count : most;
    uint32_t *sel = malloc(most * sizeof *sel);
    for (size_t i = 0; i < in->batch_count && left > 0 && e == LH_OK && sel; i++) {
        const lh_batch_t *b = in->batches[i];
        int64_t n = (int64_t)b->row_count;
        if (skip >= n) {
            skip -= n;
            continue;
        }
        int64_t take = n - skip < left ? n - skip : left;
        if (skip == 0 && take == n) {
            e = exec_rows_append(r, b, NULL, 0, eb);
        } else {
            for (int64_t k = 0; k < take; k++)
                sel[k] = (uint32_t)(skip + k);
            e = exec_rows_append(r, b, sel, (size_t)take, eb);
        }
        left -= take;
        skip = 0;
    }
    if (sel == NULL)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    free(sel);
    exec_rows_free(in);
    if (e != LH_OK) {
        exec_rows_free(r);
        return e;
    }
    *out = r;
    return LH_OK;
}
