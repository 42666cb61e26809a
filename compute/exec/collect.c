/*
 * collect.c - the sink that materializes a pipeline's rows in order.
 *
 * Each worker copies its batches into its own list tagged (morsel, sequence); combine
 * gathers every list and result sorts the batches by tag, which is the order one thread
 * would have produced. With a row limit (LIMIT's offset + limit), the sink raises the
 * pipeline's stop flag once that many rows are in: workers then claim no new morsel, and
 * since morsels are claimed in increasing order every earlier morsel still completes, so
 * the first `limit` rows in order are all present. Rows a finish step pushes (an outer
 * join's unmatched build rows, judged from the morsels that ran) sort after every morsel,
 * so they are never among those first rows when the pipeline stopped early.
 */
#include <stdlib.h>

#include "compute/exec/exec_internal.h"

typedef struct tagged {
    size_t morsel;
    uint64_t seq;
    lh_batch_t *b;
} tagged;

typedef struct collect {
    exec_rows *proto; /* types; receives the batches at the end */
    int64_t limit;
    _Atomic int64_t rows;
    tagged *all;
    size_t all_count, all_cap;
} collect;

typedef struct collect_local {
    exec_rows *rows; /* charged copies */
    tagged *tags;
    size_t tag_cap;
} collect_local;

static lh_err collect_consume(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                              lh_errbuf *eb)
{
    collect *c = op->data;
    collect_local *l = local;
    LH_TRY(exec_rows_append(l->rows, in, NULL, 0, eb));
    if (l->rows->batch_count > l->tag_cap) {
        size_t cap = l->tag_cap ? l->tag_cap * 2 : 16;
        tagged *nt = realloc(l->tags, cap * sizeof *nt);
        LH_FAIL_IF(nt == NULL, LH_E_NOMEM, eb, "out of memory");
        l->tags = nt;
        l->tag_cap = cap;
    }
    l->tags[l->rows->batch_count - 1] = (tagged){
        .morsel = t->morsel, .seq = t->seq, .b = l->rows->batches[l->rows->batch_count - 1]};
    int64_t total = atomic_fetch_add(&c->rows, (int64_t)in->row_count) + (int64_t)in->row_count;
    if (c->limit >= 0 && total >= c->limit)
        atomic_store(&t->p->stop, true);
    return LH_OK;
}

static lh_err collect_combine(exec_op *op, void *local, lh_errbuf *eb)
{
    collect *c = op->data;
    collect_local *l = local;
    size_t n = l->rows->batch_count;
    if (c->all_count + n > c->all_cap) {
        size_t cap = (c->all_count + n) * 2;
        tagged *na = realloc(c->all, cap * sizeof *na);
        LH_FAIL_IF(na == NULL, LH_E_NOMEM, eb, "out of memory");
        c->all = na;
        c->all_cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        c->all[c->all_count++] = l->tags[i];
    exec_rows_move(c->proto, l->rows); /* ownership and the charge move; order fixed below */
    return LH_OK;
}

static int cmp_tag(const void *a, const void *b)
{
    const tagged *x = a, *y = b;
    if (x->morsel != y->morsel)
        return x->morsel < y->morsel ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static lh_err collect_result(exec_op *op, exec_rows **out, lh_errbuf *eb)
{
    (void)eb;
    collect *c = op->data;
    if (c->all_count > 1)
        qsort(c->all, c->all_count, sizeof *c->all, cmp_tag);
    LH_ASSERT(c->all_count == c->proto->batch_count);
    for (size_t i = 0; i < c->all_count; i++)
        c->proto->batches[i] = c->all[i].b;
    *out = c->proto;
    c->proto = NULL;
    return LH_OK;
}

static void *collect_local_new(exec_op *op)
{
    collect *c = op->data;
    collect_local *l = calloc(1, sizeof *l);
    if (l != NULL)
        l->rows = exec_rows_new(op->q, c->proto->col_count, c->proto->types);
    return l;
}

static void collect_local_free(exec_op *op, void *local)
{
    (void)op;
    collect_local *l = local;
    exec_rows_free(l->rows);
    free(l->tags);
    free(l);
}

static void collect_free(exec_op *op)
{
    collect *c = op->data;
    exec_rows_free(c->proto);
    free(c->all);
    free(c);
}

static const exec_op_vt collect_vt = {
    .name = "collect",
    .consume = collect_consume,
    .combine = collect_combine,
    .result = collect_result,
    .local_new = collect_local_new,
    .local_free = collect_local_free,
    .free = collect_free,
};

lh_err exec_collect_new(exec_query *q, int col_count, const lh_type_t *types, int64_t limit,
                        exec_op **out, lh_errbuf *eb)
{
    collect *c = calloc(1, sizeof *c);
    LH_FAIL_IF(c == NULL, LH_E_NOMEM, eb, "out of memory");
    c->proto = exec_rows_new(q, col_count, types);
    c->limit = limit;
    *out = exec_op_new(q, &collect_vt, NULL, c);
    return LH_OK;
}
