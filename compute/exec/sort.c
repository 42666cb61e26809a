/*
 * sort.c - ORDER BY as a pipeline sink, and the sorting helpers top_n and window share.
 *
 * Each worker copies its input rows with the evaluated sort keys appended as extra columns
 * into a local row set. When the rows pass the worker's share of 40% of the query's memory
 * limit (or the next copy would pass the limit), the worker sorts what it holds and writes
 * it out as a run file (spill.c), then starts over: an external merge sort. result:
 * without runs, every row is sorted at once (exec_sort_refs: 64K-row slices sorted on the
 * pool, then merged through a binary heap) and gathered in order; with runs, the rows still
 * in memory become one more run and the runs are merged batch by batch through a binary
 * heap of run cursors, first in groups into longer runs while there are more runs than
 * read buffers fit in half the memory left (multi-pass), then all at once. At the root of
 * a plan (below any projections and filters), or below another breaker when it spilled,
 * the finished sort is the source of the next pipeline (exec_sort_source_new), so a
 * spilled sort never holds its output in memory.
 *
 * Order: keys compared in turn; NULLs first or last as the key says (Spark: ASC NULLS
 * FIRST, DESC NULLS LAST by default, set by the binder); NaN greatest; ties keep input
 * order (the row's position breaks them), so the sort is stable.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"
#include "compute/exec/spill.h"

/* ---- helpers --------------------------------------------------------------------------- */

int exec_ref_cmp(const exec_rows *r, const exec_sort_spec *s, exec_ref a, exec_ref b)
{
    for (int k = 0; k < s->key_count; k++) {
        const lh_vec_t *x = r->batches[a.batch]->cols[s->key_cols[k]];
        const lh_vec_t *y = r->batches[b.batch]->cols[s->key_cols[k]];
        bool xv = lh_vec_is_valid(x, a.row), yv = lh_vec_is_valid(y, b.row);
        if (!xv || !yv) {
            if (xv == yv)
                continue;
            return (!xv) == s->nulls_first[k] ? -1 : 1;
        }
        int c = lh_vecops_cmp(x, a.row, y, b.row);
        if (c != 0)
            return s->descending[k] ? -c : c;
    }
    if (a.batch != b.batch)
        return a.batch < b.batch ? -1 : 1;
    return a.row < b.row ? -1 : (a.row > b.row);
}

/* ---- a binary heap of cursors (the k-way merges) ---------------------------------------- */

/* Indexes of cursors ordered by less(ctx, a, b); the smallest at h[0]. */
typedef struct mheap {
    size_t *h;
    size_t n;
    bool (*less)(void *ctx, size_t a, size_t b);
    void *ctx;
} mheap;

static void heap_down(mheap *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, best = i;
        if (l < m->n && m->less(m->ctx, m->h[l], m->h[best]))
            best = l;
        if (l + 1 < m->n && m->less(m->ctx, m->h[l + 1], m->h[best]))
            best = l + 1;
        if (best == i)
            return;
        size_t t = m->h[i];
        m->h[i] = m->h[best];
        m->h[best] = t;
        i = best;
    }
}

static void heap_build(mheap *m)
{
    for (size_t i = m->n / 2; i-- > 0;)
        heap_down(m, i);
}

/* The top cursor advanced: keep it (more rows) or drop it (exhausted). */
static void heap_next(mheap *m, bool exhausted)
{
    if (exhausted)
        m->h[0] = m->h[--m->n];
    if (m->n > 0)
        heap_down(m, 0);
}

/* ---- in-memory sorting: sorted slices on the pool, then a heap merge ----------------- */

/* Slices stay small so a cancel is noticed between them (~10 ms of sorting each). */
#define SLICE_ROWS 65536

/* Sorting works on entries { a, b, ref }: a and b are order-preserving 64-bit images of
 * the first two sort keys (a normalized key prefix), computed once in row order, so most
 * comparisons read two words of a contiguous array instead of the rows' columns at random.
 * b decides only where equal a means an equal first key (image_exact); everything else
 * falls back to the full comparison (exec_ref_cmp), which also orders what the images
 * cannot tell apart (NULLs against extreme values, long strings, wide decimals). */
typedef struct sort_ent {
    uint64_t a, b;
    exec_ref r;
} sort_ent;

typedef struct sort_ctx {
    exec_query *q;
    const exec_rows *r;
    const exec_sort_spec *s;
    sort_ent *ents;
    bool exact0; /* image_exact of the first key's type */
    size_t n, parts;
    size_t *pos, *end; /* merge cursors per slice */
} sort_ctx;

/* The image of row i of v as sort key k: non-decreasing in the key's order (ties allowed). */
static uint64_t key_image(const exec_sort_spec *s, int k, const lh_vec_t *v, size_t i)
{
    if (!lh_vec_is_valid(v, i))
        return s->nulls_first[k] ? 0 : UINT64_MAX;
    uint64_t x = 0;
    switch (v->type.id) {
    case LH_TYPE_BOOLEAN:
        x = ((const uint8_t *)v->data)[i];
        break;
    case LH_TYPE_BYTE:
        x = (uint64_t)(int64_t)((const int8_t *)v->data)[i] ^ (1ull << 63);
        break;
    case LH_TYPE_SHORT:
        x = (uint64_t)(int64_t)((const int16_t *)v->data)[i] ^ (1ull << 63);
        break;
    case LH_TYPE_INT:
    case LH_TYPE_DATE:
    case LH_TYPE_INTERVAL_YM:
        x = (uint64_t)(int64_t)((const int32_t *)v->data)[i] ^ (1ull << 63);
        break;
    case LH_TYPE_LONG:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
    case LH_TYPE_INTERVAL_DT:
        x = (uint64_t)((const int64_t *)v->data)[i] ^ (1ull << 63);
        break;
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18)
            return 0; /* the full comparison decides */
        x = (uint64_t)((const int64_t *)v->data)[i] ^ (1ull << 63);
        break;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE: {
        double d = v->type.id == LH_TYPE_FLOAT ? ((const float *)v->data)[i]
                                               : ((const double *)v->data)[i];
        d = isnan(d) ? NAN : (d == 0.0 ? 0.0 : d); /* one NaN (the largest), one zero */
        memcpy(&x, &d, 8);
        x = (x >> 63) ? ~x : x | (1ull << 63);
        break;
    }
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY: { /* the first 8 bytes, big-endian: memcmp's order */
        lh_sv_t sv = ((const lh_sv_t *)v->data)[i];
        for (uint32_t j = 0; j < 8; j++)
            x = x << 8 | (j < sv.len ? sv.ptr[j] : 0);
        break;
    }
    default:
        return 0;
    }
    return s->descending[k] ? ~x : x;
}

/* Whether equal images of the first key mean equal keys (so b may decide): fixed-width
 * numbers and dates, not string prefixes or wide decimals. NULL's images (0, all ones)
 * can meet extreme values, so those two never let b decide. */
static bool image_exact(lh_type_t t)
{
    switch (t.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return false;
    case LH_TYPE_DECIMAL:
        return t.precision <= 18;
    default:
        return true;
    }
}

static int ent_cmp(const sort_ctx *c, const sort_ent *x, const sort_ent *y)
{
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    if (c->exact0 && x->a != 0 && x->a != UINT64_MAX && x->b != y->b)
        return x->b < y->b ? -1 : 1;
    return exec_ref_cmp(c->r, c->s, x->r, y->r);
}

static int qcmp(const void *a, const void *b, void *arg)
{
    return ent_cmp(arg, a, b);
}

/* Worker i of c->parts sorts slices i, i + parts, ... (each SLICE_ROWS entries). */
static void sort_part(void *arg, size_t i)
{
    sort_ctx *c = arg;
    lh_errbuf eb;
    for (size_t from = i * SLICE_ROWS; from < c->n; from += c->parts * SLICE_ROWS) {
        if (exec_check(c->q, &eb) != LH_OK)
            return; /* the caller's check reports it */
        size_t m = c->n - from < SLICE_ROWS ? c->n - from : SLICE_ROWS;
        qsort_r(c->ents + from, m, sizeof *c->ents, qcmp, c);
    }
}

static bool slice_less(void *arg, size_t a, size_t b)
{
    const sort_ctx *c = arg;
    return ent_cmp(c, &c->ents[c->pos[a]], &c->ents[c->pos[b]]) < 0;
}

/* Merge the sorted slices of c->ents into out (refs). */
static lh_err merge_slices(sort_ctx *c, size_t slices, exec_ref *out, lh_errbuf *eb)
{
    size_t *buf = malloc(3 * slices * sizeof *buf);
    LH_FAIL_IF(buf == NULL, LH_E_NOMEM, eb, "out of memory");
    c->pos = buf;
    c->end = buf + slices;
    mheap m = {.h = buf + 2 * slices, .n = 0, .less = slice_less, .ctx = c};
    for (size_t i = 0; i < slices; i++) {
        c->pos[i] = i * SLICE_ROWS;
        c->end[i] = (i + 1) * SLICE_ROWS < c->n ? (i + 1) * SLICE_ROWS : c->n;
        m.h[m.n++] = i;
    }
    heap_build(&m);
    lh_err e = LH_OK;
    for (size_t o = 0; m.n > 0; o++) {
        if ((o & 4095) == 0 && (e = exec_check(c->q, eb)) != LH_OK)
            break;
        size_t t = m.h[0];
        out[o] = c->ents[c->pos[t]++].r;
        heap_next(&m, c->pos[t] == c->end[t]);
    }
    free(buf);
    return e;
}

lh_err exec_sort_refs(exec_query *q, const exec_rows *r, const exec_sort_spec *s, exec_ref **out,
                      size_t *count, lh_errbuf *eb)
{
    size_t n = (size_t)r->row_count;
    int64_t bytes = (int64_t)(n * (sizeof(exec_ref) + sizeof(sort_ent)));
    LH_TRY(exec_mem_charge(q, bytes, eb));
    exec_ref *refs = malloc((n + 1) * sizeof *refs);
    sort_ent *ents = malloc((n + 1) * sizeof *ents);
    if (refs == NULL || ents == NULL) {
        free(refs);
        free(ents);
        exec_mem_release(q, bytes);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    size_t k = 0;
    for (size_t b = 0; b < r->batch_count; b++) {
        const lh_batch_t *bt = r->batches[b];
        const lh_vec_t *k0 = s->key_count > 0 ? bt->cols[s->key_cols[0]] : NULL;
        const lh_vec_t *k1 = s->key_count > 1 ? bt->cols[s->key_cols[1]] : NULL;
        for (size_t i = 0; i < bt->row_count; i++, k++) {
            ents[k].a = k0 ? key_image(s, 0, k0, i) : 0;
            ents[k].b = k1 ? key_image(s, 1, k1, i) : 0;
            ents[k].r = (exec_ref){(uint32_t)b, (uint32_t)i};
        }
    }
    /* sort fixed slices (in parallel on the pool), then merge them */
    size_t slices = (n + SLICE_ROWS - 1) / SLICE_ROWS;
    sort_ctx c = {.q = q, .r = r, .s = s, .ents = ents, .n = n, .parts = 1};
    c.exact0 = s->key_count > 0 && r->batch_count > 0 &&
               image_exact(r->batches[0]->cols[s->key_cols[0]]->type);
    if (q->opts->pool != NULL && q->threads > 1 && slices > 1)
        c.parts = slices < (size_t)q->threads ? slices : (size_t)q->threads;
    if (c.parts > 1)
        lh_pool_parallel_for(q->opts->pool, c.parts, sort_part, &c);
    else
        sort_part(&c, 0);
    lh_err e = exec_check(q, eb);
    if (e == LH_OK && slices > 1) {
        e = merge_slices(&c, slices, refs, eb);
    } else if (e == LH_OK) {
        for (size_t i = 0; i < n; i++)
            refs[i] = ents[i].r;
    }
    free(ents);
    exec_mem_release(q, bytes);
    if (e != LH_OK) {
        free(refs);
        return e;
    }
    *out = refs;
    *count = n;
    return LH_OK;
}

/* Append row `row` of src to dst (strings copied). */
static lh_err append_value(lh_vec_t *dst, const lh_vec_t *src, size_t row)
{
    if (!lh_vec_is_valid(src, row))
        return lh_vec_append_null(dst);
    if (lh_type_is_bytes(dst->type)) {
        lh_sv_t sv = ((const lh_sv_t *)src->data)[row];
        return lh_vec_append_str(dst, sv.ptr, sv.len);
    }
    LH_TRY(lh_vec_reserve(dst, dst->count + 1));
    size_t w = lh_type_width(dst->type);
    memcpy((char *)dst->data + dst->count * w, (const char *)src->data + row * w, w);
    if (dst->validity != NULL)
        LH_TRY(lh_vec_set_null(dst, dst->count, false));
    dst->count++;
    return LH_OK;
}

/* Rows refs[0..m) of column c of src appended to dst: fixed-width values copied by a loop
 * per width (the rows' vectors are flat: row sets hold deep copies), strings one by one. */
static lh_err gather_refs(lh_vec_t *dst, const exec_rows *src, int c, const exec_ref *refs,
                          size_t m)
{
    if (lh_type_is_bytes(dst->type) || dst->type.id == LH_TYPE_NULL) {
        for (size_t i = 0; i < m; i++)
            LH_TRY(append_value(dst, src->batches[refs[i].batch]->cols[c], refs[i].row));
        return LH_OK;
    }
    size_t at = dst->count, w = lh_type_width(dst->type);
    LH_TRY(lh_vec_reserve(dst, at + m));
    char *d = (char *)dst->data + at * w;
#define GATHER_W(W)                                                                                \
    for (size_t i = 0; i < m; i++)                                                                 \
        memcpy(d + i * (W),                                                                        \
               (const char *)src->batches[refs[i].batch]->cols[c]->data +                          \
                   (size_t)refs[i].row * (W),                                                      \
               (W));
    switch (w) {
    case 1:
        GATHER_W(1);
        break;
    case 2:
        GATHER_W(2);
        break;
    case 4:
        GATHER_W(4);
        break;
    case 8:
        GATHER_W(8);
        break;
    default:
        GATHER_W(w);
    }
#undef GATHER_W
    for (size_t i = 0; i < m; i++) {
        const lh_vec_t *v = src->batches[refs[i].batch]->cols[c];
        bool valid = lh_vec_is_valid(v, refs[i].row);
        if (!valid || dst->validity != NULL) /* (bits past the old count are not known) */
            LH_TRY(lh_vec_set_null(dst, at + i, !valid));
    }
    dst->count = at + m;
    return LH_OK;
}

lh_err exec_rows_gather(exec_query *q, const exec_rows *src, int col_count, const exec_ref *refs,
                        size_t n, exec_rows **out, lh_errbuf *eb)
{
    exec_rows *r = exec_rows_new(q, col_count, src->types);
    for (size_t from = 0; from < n; from += LH_BATCH_ROWS) {
        size_t m = n - from < LH_BATCH_ROWS ? n - from : LH_BATCH_ROWS;
        lh_batch_t *b = exec_rows_batch(r, m);
        lh_err e = b ? LH_OK : LH_E_NOMEM;
        for (int c = 0; c < col_count && e == LH_OK; c++)
            e = gather_refs(b->cols[c], src, c, refs + from, m);
        if (e == LH_OK) {
            b->row_count = m;
            e = exec_rows_take(r, b, eb);
        } else {
            lh_batch_destroy(b);
            lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        }
        if (e != LH_OK) {
            exec_rows_free(r);
            return e;
        }
    }
    *out = r;
    return LH_OK;
}

/* ---- the sort sink --------------------------------------------------------------------- */

typedef struct sort_op {
    int cols, keys; /* input columns; keys appended after them */
    lh_expr_t **exprs;
    int node_count;
    int *key_cols;
    bool *desc, *nulls_first;
    exec_sort_spec spec;
    lh_type_t *types; /* cols + keys */
    exec_rows *rows;  /* combined in-memory rows */
    pthread_mutex_t mu;
    exec_run **runs; /* spilled sorted runs (guarded by mu while workers run) */
    size_t run_count, run_cap;
} sort_op;

typedef struct sort_local {
    exec_eval ev;
    exec_rows *rows;
    lh_batch_t view;
} sort_local;

/* Rows per batch of a run: a read buffer stays under 1/16 of the limit, so a merge of
 * several runs fits (2048 without a limit; at least 64). */
static size_t spill_batch_rows(exec_query *q, const exec_rows *rows)
{
    int64_t limit = q->opts->memory_limit_bytes;
    int64_t per_row = rows->row_count > 0 ? rows->bytes / rows->row_count + 1 : 64;
    int64_t n = limit > 0 ? limit / 16 / per_row : LH_BATCH_ROWS;
    return n < 64 ? 64 : n > LH_BATCH_ROWS ? LH_BATCH_ROWS : (size_t)n;
}

/* Sort rows and write them as one run. */
static lh_err spill_rows(exec_op *op, exec_rows *rows, lh_errbuf *eb)
{
    sort_op *s = op->data;
    exec_ref *refs;
    size_t n;
    exec_run *run = NULL;
    exec_rows *sorted = NULL;
    /* the sorted copy is written batch by batch, so it is not charged */
    rows->q = NULL;
    exec_mem_release(op->q, rows->bytes);
    lh_err e = exec_sort_refs(op->q, rows, &s->spec, &refs, &n, eb);
    if (e != LH_OK)
        return e;
    e = exec_run_create(op->q, s->cols + s->keys, s->types, &run, eb);
    int64_t bytes = 0;
    size_t step = spill_batch_rows(op->q, rows);
    for (size_t from = 0; e == LH_OK && from < n; from += step) {
        size_t m = n - from < step ? n - from : step;
        if ((e = exec_check(op->q, eb)) != LH_OK)
            break;
        e = exec_rows_gather(NULL, rows, s->cols + s->keys, refs + from, m, &sorted, eb);
        if (e == LH_OK)
            e = exec_run_write(run, sorted->batches[0], &bytes, eb);
        exec_rows_free(sorted);
        sorted = NULL;
    }
    free(refs);
    if (e == LH_OK)
        e = exec_run_seal(run, eb);
    atomic_fetch_add(&op->q->spill_bytes, bytes);
    pthread_mutex_lock(&s->mu);
    if (e == LH_OK && s->run_count == s->run_cap) {
        size_t cap = s->run_cap ? s->run_cap * 2 : 8;
        exec_run **nr = realloc(s->runs, cap * sizeof *nr);
        if (nr == NULL)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        else {
            s->runs = nr;
            s->run_cap = cap;
        }
    }
    if (e == LH_OK)
        s->runs[s->run_count++] = run;
    else
        exec_run_close(run);
    pthread_mutex_unlock(&s->mu);
    return e;
}

/* Bytes of rows one worker gathers before it writes a run: its share of 40% of the limit
 * (sorting a run needs as much again for its refs; the rest is the other operators'). */
static int64_t run_budget(exec_query *q)
{
    int64_t limit = q->opts->memory_limit_bytes;
    return limit > 0 ? limit * 2 / 5 / (q->threads > 0 ? q->threads : 1) : INT64_MAX;
}

static lh_err sort_consume(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                           lh_errbuf *eb)
{
    (void)t;
    sort_op *s = op->data;
    sort_local *l = local;
    LH_TRY(exec_eval_run(&l->ev, in, eb));
    for (int c = 0; c < s->cols; c++)
        l->view.cols[c] = in->cols[c];
    for (int k = 0; k < s->keys; k++)
        l->view.cols[s->cols + k] = (lh_vec_t *)l->ev.vals[k];
    l->view.row_count = in->row_count;
    int64_t need = exec_batch_bytes(&l->view) * 2;
    if (l->rows->row_count > 0 &&
        (l->rows->bytes + need > run_budget(op->q) || exec_mem_would_exceed(op->q, need))) {
        exec_rows *full = l->rows;
        l->rows = exec_rows_new(op->q, s->cols + s->keys, s->types);
        lh_err e = spill_rows(op, full, eb);
        exec_rows_free(full);
        LH_TRY(e);
    }
    return exec_rows_append(l->rows, &l->view, NULL, 0, eb);
}

static lh_err sort_combine(exec_op *op, void *local, lh_errbuf *eb)
{
    (void)eb;
    sort_op *s = op->data;
    exec_rows_move(s->rows, ((sort_local *)local)->rows);
    return LH_OK;
}

/* Merge state: one current batch and position per run; ties go to the earlier run. */
typedef struct merge_src {
    exec_run *run;
    const lh_batch_t *b;
    size_t pos;
} merge_src;

typedef struct merge_ctx {
    const sort_op *s;
    merge_src *src;
} merge_ctx;

static bool src_less(void *arg, size_t ia, size_t ib)
{
    const merge_ctx *m = arg;
    const sort_op *s = m->s;
    const merge_src *a = &m->src[ia], *b = &m->src[ib];
    for (int k = 0; k < s->keys; k++) {
        const lh_vec_t *x = a->b->cols[s->key_cols[k]];
        const lh_vec_t *y = b->b->cols[s->key_cols[k]];
        bool xv = lh_vec_is_valid(x, a->pos), yv = lh_vec_is_valid(y, b->pos);
        if (!xv || !yv) {
            if (xv == yv)
                continue;
            return (!xv) == s->nulls_first[k];
        }
        int c = lh_vecops_cmp(x, a->pos, y, b->pos);
        if (c != 0)
            return s->desc[k] ? c > 0 : c < 0;
    }
    return ia < ib;
}

/* Merge runs[0..n) (columns 0..cols-1 of the output), handing full batches to emit. Read
 * buffers (one batch per run) are charged to the query while the merge runs. */
static lh_err merge_some(exec_op *op, exec_run **runs, size_t n, int cols, size_t out_rows,
                         lh_err (*emit)(void *, lh_batch_t *, lh_errbuf *), void *ctx,
                         lh_errbuf *eb)
{
    sort_op *s = op->data;
    int64_t buf_bytes = 0;
    if (out_rows == 0)
        out_rows = LH_BATCH_ROWS;
    for (size_t i = 0; i < n; i++)
        buf_bytes += exec_run_batch_bytes(runs[i]);
    LH_TRY(exec_mem_charge(op->q, buf_bytes, eb));
    merge_src *src = calloc(n + 1, sizeof *src);
    size_t *heap = calloc(n + 1, sizeof *heap);
    merge_ctx mc = {s, src};
    mheap m = {.h = heap, .n = 0, .less = src_less, .ctx = &mc};
    lh_err e =
        src && heap ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (size_t i = 0; i < n && e == LH_OK; i++) {
        src[i].run = runs[i];
        if ((e = exec_run_rewind(src[i].run, eb)) == LH_OK)
            e = exec_run_next(src[i].run, &src[i].b, eb);
        if (e == LH_OK && src[i].b != NULL)
            m.h[m.n++] = i;
    }
    heap_build(&m);
    lh_batch_t *out = NULL;
    for (uint64_t rows = 0; e == LH_OK && m.n > 0; rows++) {
        if ((rows & 1023) == 0 && (e = exec_check(op->q, eb)) != LH_OK)
            break;
        if (out == NULL && (out = lh_vecops_batch_new(cols, s->types, out_rows)) == NULL) {
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
            break;
        }
        merge_src *t = &src[m.h[0]];
        for (int c = 0; c < cols && e == LH_OK; c++)
            if (append_value(out->cols[c], t->b->cols[c], t->pos) != LH_OK)
                e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        if (e != LH_OK)
            break;
        if (++out->row_count == out_rows) {
            e = emit(ctx, out, eb);
            out = NULL;
        }
        if (++t->pos == t->b->row_count) {
            t->pos = 0;
            if (e == LH_OK)
                e = exec_run_next(t->run, &t->b, eb);
        }
        heap_next(&m, t->b == NULL);
    }
    if (e == LH_OK && out != NULL && out->row_count > 0) {
        e = emit(ctx, out, eb);
        out = NULL;
    }
    lh_batch_destroy(out);
    for (size_t i = 0; src && i < n; i++) /* drop the descriptor and read buffer */
        if (exec_run_seal(runs[i], eb) != LH_OK && e == LH_OK)
            e = LH_E_IO;
    free(heap);
    free(src);
    exec_mem_release(op->q, buf_bytes);
    return e;
}

typedef struct run_sink {
    exec_run *run;
    int64_t bytes;
} run_sink;

static lh_err emit_run(void *ctx, lh_batch_t *b, lh_errbuf *eb)
{
    run_sink *r = ctx;
    lh_err e = exec_run_write(r->run, b, &r->bytes, eb);
    lh_batch_destroy(b);
    return e;
}

/* How many runs one merge reads at once: read buffers in half the memory left (at least
 * 2, at most 128). */
static size_t fan_in(exec_op *op)
{
    sort_op *s = op->data;
    int64_t limit = op->q->opts->memory_limit_bytes, per = 1;
    for (size_t i = 0; i < s->run_count; i++)
        if (exec_run_batch_bytes(s->runs[i]) > per)
            per = exec_run_batch_bytes(s->runs[i]);
    if (limit <= 0)
        return 128;
    int64_t f = (limit - atomic_load(&op->q->mem)) / 2 / per;
    return f < 2 ? 2 : f > 128 ? 128 : (size_t)f;
}

/* Multi-pass: merge groups of fan-in runs into longer runs until one merge can read all. */
static lh_err reduce_runs(exec_op *op, lh_errbuf *eb)
{
    sort_op *s = op->data;
    size_t f = fan_in(op);
    while (s->run_count > f) {
        size_t w = 0;
        for (size_t i = 0; i < s->run_count; i += f) {
            size_t k = s->run_count - i < f ? s->run_count - i : f;
            if (k == 1) {
                s->runs[w++] = s->runs[i];
                continue;
            }
            run_sink rs = {0};
            lh_err e = exec_run_create(op->q, s->cols + s->keys, s->types, &rs.run, eb);
            if (e == LH_OK)
                e = merge_some(op, s->runs + i, k, s->cols + s->keys,
                               (size_t)exec_run_batch_rows(s->runs[i]), emit_run, &rs, eb);
            if (e == LH_OK)
                e = exec_run_seal(rs.run, eb);
            atomic_fetch_add(&op->q->spill_bytes, rs.bytes);
            if (e != LH_OK) { /* keep the list whole: unmerged runs stay, rs.run goes */
                exec_run_close(rs.run);
                for (size_t j = i; j < s->run_count; j++)
                    s->runs[w++] = s->runs[j];
                s->run_count = w;
                return e;
            }
            for (size_t j = i; j < i + k; j++)
                exec_run_close(s->runs[j]);
            s->runs[w++] = rs.run;
        }
        s->run_count = w;
    }
    return LH_OK;
}

/* Merge every run, handing batches of the input columns to emit. */
static lh_err merge_runs(exec_op *op, lh_err (*emit)(void *, lh_batch_t *, lh_errbuf *), void *ctx,
                         lh_errbuf *eb)
{
    sort_op *s = op->data;
    LH_TRY(reduce_runs(op, eb));
    return merge_some(op, s->runs, s->run_count, s->cols, LH_BATCH_ROWS, emit, ctx, eb);
}

static lh_err emit_rows(void *ctx, lh_batch_t *b, lh_errbuf *eb)
{
    return exec_rows_take(ctx, b, eb);
}

/* Spilled: the in-memory rows become the last run. */
static lh_err spill_rest(exec_op *op, lh_errbuf *eb)
{
    sort_op *s = op->data;
    if (s->rows->row_count == 0)
        return LH_OK;
    exec_rows *rest = s->rows;
    s->rows = exec_rows_new(op->q, s->cols + s->keys, s->types);
    lh_err e = spill_rows(op, rest, eb);
    exec_rows_free(rest);
    return e;
}

static lh_err sort_result(exec_op *op, exec_rows **out, lh_errbuf *eb)
{
    sort_op *s = op->data;
    if (s->run_count > 0) {
        LH_TRY(spill_rest(op, eb));
        exec_rows *r = exec_rows_new(op->q, s->cols, s->types);
        lh_err e = merge_runs(op, emit_rows, r, eb);
        if (e != LH_OK) {
            exec_rows_free(r);
            return e;
        }
        *out = r;
        return LH_OK;
    }
    exec_ref *refs;
    size_t n;
    LH_TRY(exec_sort_refs(op->q, s->rows, &s->spec, &refs, &n, eb));
    lh_err e = exec_rows_gather(op->q, s->rows, s->cols, refs, n, out, eb);
    free(refs);
    return e;
}

/* ---- a finished sort as a source (the root of a plan) ---------------------------------- */

typedef struct push_ctx {
    exec_thread *t;
    int stage;
} push_ctx;

static lh_err emit_push(void *ctx, lh_batch_t *b, lh_errbuf *eb)
{
    push_ctx *c = ctx;
    lh_err e = exec_push(c->t, c->stage, b, eb);
    lh_batch_destroy(b);
    return e;
}

static size_t sorted_morsels(exec_op *op)
{
    (void)op;
    return 1;
}

static lh_err sorted_produce(exec_op *op, void *local, size_t m, exec_thread *t, lh_errbuf *eb)
{
    (void)local;
    (void)m;
    exec_op *sort = op->data;
    sort_op *s = sort->data;
    push_ctx c = {t, op->stage};
    if (s->run_count > 0) {
        LH_TRY(spill_rest(sort, eb));
        return merge_runs(sort, emit_push, &c, eb);
    }
    exec_rows *rows;
    LH_TRY(sort_result(sort, &rows, eb));
    lh_err e = LH_OK;
    for (size_t i = 0; i < rows->batch_count && e == LH_OK; i++)
        e = exec_push(t, op->stage, rows->batches[i], eb);
    exec_rows_free(rows);
    return e;
}

static void sorted_free(exec_op *op)
{
    exec_op_free(op->data);
}

static const exec_op_vt sorted_vt = {
    .name = "sorted",
    .morsels = sorted_morsels,
    .produce = sorted_produce,
    .free = sorted_free,
};

bool exec_sort_spilled(exec_op *sort)
{
    return ((sort_op *)sort->data)->run_count > 0;
}

exec_op *exec_sort_source_new(exec_query *q, exec_op *sort)
{
    return exec_op_new(q, &sorted_vt, sort->plan, sort);
}

static void *sort_local_new(exec_op *op)
{
    sort_op *s = op->data;
    sort_local *l = calloc(1, sizeof *l);
    lh_errbuf eb;
    if (l == NULL)
        return NULL;
    l->rows = exec_rows_new(op->q, s->cols + s->keys, s->types);
    l->view.col_count = s->cols + s->keys;
    l->view.cols = calloc((size_t)(s->cols + s->keys) + 1, sizeof *l->view.cols);
    if (l->view.cols == NULL ||
        exec_eval_init(&l->ev, op->q, s->exprs, s->keys, s->node_count, &eb) != LH_OK) {
        op->vt->local_free(op, l);
        return NULL;
    }
    return l;
}

static void sort_local_free(exec_op *op, void *local)
{
    (void)op;
    sort_local *l = local;
    exec_eval_free(&l->ev);
    exec_rows_free(l->rows);
    free(l->view.cols);
    free(l);
}

static void sort_free(exec_op *op)
{
    sort_op *s = op->data;
    exec_rows_free(s->rows);
    for (size_t i = 0; i < s->run_count; i++)
        exec_run_close(s->runs[i]);
    free(s->runs);
    free(s->exprs);
    free(s->key_cols);
    free(s->desc);
    free(s->nulls_first);
    free(s->types);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static const exec_op_vt sort_vt = {
    .name = "sort",
    .consume = sort_consume,
    .combine = sort_combine,
    .result = sort_result,
    .local_new = sort_local_new,
    .local_free = sort_local_free,
    .free = sort_free,
};

lh_err exec_sort_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    sort_op *s = calloc(1, sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    const lh_plan_t *child = p->children[0];
    int k = p->u.sort.key_count;
    s->cols = child->col_count;
    s->keys = k;
    s->exprs = calloc((size_t)k + 1, sizeof *s->exprs);
    s->key_cols = calloc((size_t)k + 1, sizeof *s->key_cols);
    s->desc = calloc((size_t)k + 1, sizeof *s->desc);
    s->nulls_first = calloc((size_t)k + 1, sizeof *s->nulls_first);
    s->types = calloc((size_t)(s->cols + k) + 1, sizeof *s->types);
    pthread_mutex_init(&s->mu, NULL);
    exec_op *op = exec_op_new(q, &sort_vt, p, s);
    if (!s->exprs || !s->key_cols || !s->desc || !s->nulls_first || !s->types) {
        exec_op_free(op);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    for (int c = 0; c < s->cols; c++)
        s->types[c] = child->col_types[c];
    for (int i = 0; i < k; i++) {
        s->exprs[i] = p->u.sort.keys[i].expr;
        s->key_cols[i] = s->cols + i;
        s->desc[i] = p->u.sort.keys[i].descending;
        s->nulls_first[i] = p->u.sort.keys[i].nulls_first;
        s->types[s->cols + i] = s->exprs[i]->type;
    }
    s->spec = (exec_sort_spec){k, s->key_cols, s->desc, s->nulls_first};
    s->node_count = exec_number(q, s->exprs, k);
    s->rows = exec_rows_new(q, s->cols + k, s->types);
    *out = op;
    return LH_OK;
}
