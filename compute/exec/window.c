/*
 * window.c - window functions over the materialized input: output = input columns ++ one
 * column per window call.
 *
 * Per call: the partition keys, order keys and arguments are evaluated for every row (a
 * side row set aligned batch for batch with the input), the rows are sorted by (partition
 * keys, order keys) with exec_sort_refs, and each partition is walked once:
 *   ranking     row_number, rank, dense_rank, percent_rank, cume_dist, ntile from the row's
 *               position and its peer group (rows with equal order keys);
 *   offsets     lag / lead (offset constant, default any expression, IGNORE NULLS), and
 *               nth_value over the frame;
 *   aggregates  any lh_agg_func_t over the frame: ROWS frames by position, RANGE frames by
 *               the first order key's value (numeric, DATE or TIMESTAMP offsets) or by peer
 *               group for CURRENT ROW. The state grows incrementally while the frame's
 *               start stays put (running totals are linear) and is rebuilt when it moves.
 * Frame bounds in the plan: signed offsets (negative = PRECEDING, 0 = CURRENT ROW,
 * positive = FOLLOWING), INT64_MIN / INT64_MAX = UNBOUNDED.
 * Results are computed in sorted order and scattered back to the rows' input positions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/exec/exec_internal.h"
#include "compute/func/datetime.h"
#include "compute/func/tz.h"

typedef struct wcall {
    exec_query *q;
    const lh_window_call_t *c;
    exec_rows *side; /* partition ++ order ++ args of every call sharing the sort */
    exec_ref *refs;  /* sorted */
    size_t n;
    lh_vec_t **args;  /* per argument: values in sorted order */
    lh_vec_t *order0; /* first order key in sorted order (RANGE frames) */
    lh_vec_t *out;    /* results in sorted order */
    int pk, ok;       /* key counts */
    exec_sort_spec spec;
    int *key_cols;
    bool *desc, *nf;
    /* per sorted row: whether it starts a partition, and its peer group [lo, hi) (rows
     * with equal partition and order keys), found once for every call sharing the sort */
    uint8_t *pbrk;
    uint32_t *peer_lo, *peer_hi;
    int arg_at; /* the call's first argument column in side */
} wcall;

static lh_err gather_col(lh_vec_t **dst, const exec_rows *r, int col, const exec_ref *refs,
                         size_t n, lh_errbuf *eb)
{
    *dst = lh_vec_create(r->types[col], n ? n : 1);
    LH_FAIL_IF(*dst == NULL || lh_vec_reserve(*dst, n ? n : 1) != LH_OK, LH_E_NOMEM, eb,
               "out of memory");
    size_t w = lh_type_width(r->types[col]);
    for (size_t i = 0; i < n; i++) {
        const lh_vec_t *s = r->batches[refs[i].batch]->cols[col];
        memcpy((char *)(*dst)->data + i * w, (const char *)s->data + (size_t)refs[i].row * w, w);
        if (!lh_vec_is_valid(s, refs[i].row))
            LH_FAIL_IF(lh_vec_set_null(*dst, i, true) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    (*dst)->count = n;
    return LH_OK;
}

/* Evaluate the keys of calls[0] (which every call shares) and the args of every call for
 * every input batch into w->side; at[k]: call k's first argument column. */
static lh_err eval_side(wcall *w, const exec_rows *in, const lh_window_call_t *const *calls,
                        int ncalls, int *at, lh_errbuf *eb)
{
    const lh_window_call_t *c = calls[0];
    int n = c->partition_count + c->order_count;
    for (int k = 0; k < ncalls; k++) {
        at[k] = n;
        n += calls[k]->arg_count;
    }
    lh_expr_t **ex = calloc((size_t)n + 1, sizeof *ex);
    lh_type_t *types = calloc((size_t)n + 1, sizeof *types);
    if (ex == NULL || types == NULL) {
        free(ex);
        free(types);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    for (int i = 0; i < c->partition_count; i++)
        ex[i] = c->partition[i];
    for (int i = 0; i < c->order_count; i++)
        ex[c->partition_count + i] = c->order[i].expr;
    for (int k = 0; k < ncalls; k++)
        for (int i = 0; i < calls[k]->arg_count; i++)
            ex[at[k] + i] = calls[k]->args[i];
    for (int i = 0; i < n; i++)
        types[i] = ex[i]->type;
    w->side = exec_rows_new(w->q, n, types);
    free(types);
    exec_eval ev;
    lh_err e = w->side ? exec_eval_init(&ev, w->q, ex, n, exec_number(w->q, ex, n), eb)
                       : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e != LH_OK) {
        free(ex);
        return e;
    }
    lh_batch_t view = {.col_count = n, .cols = calloc((size_t)n + 1, sizeof(lh_vec_t *))};
    e = view.cols ? LH_OK : LH_E_NOMEM;
    for (size_t b = 0; b < in->batch_count && e == LH_OK; b++) {
        if ((e = exec_eval_run(&ev, in->batches[b], eb)) != LH_OK)
            break;
        for (int i = 0; i < n; i++)
            view.cols[i] = (lh_vec_t *)ev.vals[i];
        view.row_count = in->batches[b]->row_count;
        lh_batch_t *copy = exec_rows_batch(w->side, view.row_count);
        for (int i = 0; copy && i < n; i++)
            if (lh_vec_append_range(copy->cols[i], view.cols[i], 0, view.row_count) != LH_OK)
                e = LH_E_NOMEM;
        if (copy == NULL)
            e = LH_E_NOMEM;
        if (e == LH_OK) {
            copy->row_count = view.row_count;
            e = exec_rows_take(w->side, copy, eb);
        } else {
            lh_batch_destroy(copy);
        }
    }
    free(view.cols);
    free(ex);
    exec_eval_free(&ev);
    LH_FAIL_IF(e == LH_E_NOMEM, LH_E_NOMEM, eb, "out of memory");
    return e;
}

/* Whether sorted rows i and j agree on sort keys [from, to). */
static bool same(const wcall *w, size_t i, size_t j, int from, int to)
{
    for (int k = from; k < to; k++) {
        const lh_vec_t *x = w->side->batches[w->refs[i].batch]->cols[k];
        const lh_vec_t *y = w->side->batches[w->refs[j].batch]->cols[k];
        bool xv = lh_vec_is_valid(x, w->refs[i].row), yv = lh_vec_is_valid(y, w->refs[j].row);
        if (xv != yv)
            return false;
        if (xv && lh_vecops_cmp(x, w->refs[i].row, y, w->refs[j].row) != 0)
            return false;
    }
    return true;
}

/* Partition starts and peer groups of the sorted rows, in one pass each way. */
static lh_err find_peers(wcall *w, lh_errbuf *eb)
{
    size_t n = w->n;
    LH_FAIL_IF(n > UINT32_MAX - 1, LH_E_LIMIT, eb, "a window over more than 4G rows");
    w->pbrk = malloc(n + 1);
    w->peer_lo = malloc((n + 1) * sizeof *w->peer_lo);
    w->peer_hi = malloc((n + 1) * sizeof *w->peer_hi);
    LH_FAIL_IF(!w->pbrk || !w->peer_lo || !w->peer_hi, LH_E_NOMEM, eb, "out of memory");
    for (size_t i = 0; i < n; i++) {
        bool part = i == 0 || !same(w, i, i - 1, 0, w->pk);
        bool peer = part || !same(w, i, i - 1, w->pk, w->pk + w->ok);
        w->pbrk[i] = part;
        w->peer_lo[i] = peer ? (uint32_t)i : w->peer_lo[i - 1];
    }
    for (size_t i = n; i-- > 0;)
        w->peer_hi[i] =
            i + 1 < n && w->peer_lo[i + 1] == w->peer_lo[i] ? w->peer_hi[i + 1] : (uint32_t)(i + 1);
    return LH_OK;
}

static lh_err sort_side(wcall *w, lh_errbuf *eb)
{
    const lh_window_call_t *c = w->c;
    int k = c->partition_count + c->order_count;
    w->pk = c->partition_count;
    w->ok = c->order_count;
    w->key_cols = calloc((size_t)k + 1, sizeof *w->key_cols);
    w->desc = calloc((size_t)k + 1, sizeof *w->desc);
    w->nf = calloc((size_t)k + 1, sizeof *w->nf);
    LH_FAIL_IF(!w->key_cols || !w->desc || !w->nf, LH_E_NOMEM, eb, "out of memory");
    for (int i = 0; i < k; i++) {
        w->key_cols[i] = i;
        w->nf[i] = true;
    }
    for (int i = 0; i < c->order_count; i++) {
        w->desc[w->pk + i] = c->order[i].descending;
        w->nf[w->pk + i] = c->order[i].nulls_first;
    }
    w->spec = (exec_sort_spec){k, w->key_cols, w->desc, w->nf};
    LH_TRY(exec_sort_refs(w->q, w->side, &w->spec, &w->refs, &w->n, eb));
    if (c->order_count > 0)
        LH_TRY(gather_col(&w->order0, w->side, w->pk, w->refs, w->n, eb));
    return find_peers(w, eb);
}

/* The call's arguments in sorted order (w->args). */
static lh_err gather_args(wcall *w, lh_errbuf *eb)
{
    w->args = calloc((size_t)w->c->arg_count + 1, sizeof *w->args);
    LH_FAIL_IF(w->args == NULL, LH_E_NOMEM, eb, "out of memory");
    for (int a = 0; a < w->c->arg_count; a++)
        LH_TRY(gather_col(&w->args[a], w->side, w->arg_at + a, w->refs, w->n, eb));
    return LH_OK;
}

/* ---- ranking and offsets --------------------------------------------------------------- */

static lh_err rank_partition(wcall *w, size_t ps, size_t pe, lh_errbuf *eb)
{
    const char *fn = w->c->rank_fn;
    size_t n = pe - ps, peer_start = ps;
    int64_t dense = 0, buckets = 1;
    if (strcasecmp(fn, "ntile") == 0 && w->args[0] && lh_vec_is_valid(w->args[0], ps))
        buckets = lh_vec_get_i64(w->args[0], ps);
    LH_FAIL_IF(buckets <= 0, LH_E_INVALID, eb,
               "[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] ntile needs a positive bucket count "
               "SQLSTATE: 42K09");
    for (size_t i = ps; i < pe; i++) {
        if (i == ps || w->peer_lo[i] == i) {
            peer_start = i;
            dense++;
        }
        size_t peer_end = w->peer_hi[i];
        int64_t pos = (int64_t)(i - ps), rank = (int64_t)(peer_start - ps) + 1;
        lh_err e;
        if (strcasecmp(fn, "row_number") == 0)
            e = lh_vec_append_i64(w->out, pos + 1);
        else if (strcasecmp(fn, "rank") == 0)
            e = lh_vec_append_i64(w->out, rank);
        else if (strcasecmp(fn, "dense_rank") == 0)
            e = lh_vec_append_i64(w->out, dense);
        else if (strcasecmp(fn, "percent_rank") == 0)
            e = lh_vec_append_f64(w->out, n > 1 ? (double)(rank - 1) / (double)(n - 1) : 0.0);
        else if (strcasecmp(fn, "cume_dist") == 0)
            e = lh_vec_append_f64(w->out, (double)(peer_end - ps) / (double)n);
        else { /* ntile: the first n % b buckets hold one row more */
            int64_t sz = (int64_t)n / buckets, extra = (int64_t)n % buckets;
            int64_t big = extra * (sz + 1);
            int64_t b = pos < big ? pos / (sz + 1) : extra + (sz ? (pos - big) / sz : 0);
            e = lh_vec_append_i64(w->out, b + 1);
        }
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

/* lag / lead: the value `off` rows before (lag) or after (lead), else the default. */
static lh_err offset_partition(wcall *w, size_t ps, size_t pe, lh_errbuf *eb)
{
    const lh_window_call_t *c = w->c;
    bool lead = strcasecmp(c->rank_fn, "lead") == 0;
    int64_t off = 1;
    if (c->arg_count >= 2 && lh_vec_is_valid(w->args[1], ps))
        off = lh_vec_get_i64(w->args[1], ps);
    const lh_vec_t *x = w->args[0];
    for (size_t i = ps; i < pe; i++) {
        int64_t j = (int64_t)i, left = off < 0 ? -off : off;
        int dir = (lead ? 1 : -1) * (off < 0 ? -1 : 1);
        while (left > 0) {
            j += dir;
            if (j < (int64_t)ps || j >= (int64_t)pe)
                break;
            if (!c->ignore_nulls || lh_vec_is_valid(x, (size_t)j))
                left--;
        }
        bool hit = left == 0 && j >= (int64_t)ps && j < (int64_t)pe;
        lh_err e;
        if (hit)
            e = lh_vec_append_range(w->out, x, (size_t)j, 1);
        else if (c->arg_count >= 3)
            e = lh_vec_append_range(w->out, w->args[2], i, 1);
        else
            e = lh_vec_append_null(w->out);
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

/* ---- frames ---------------------------------------------------------------------------- */

/* The first order key's value as a number (DECIMAL unscaled; DATE days; TIMESTAMP micros). */
static double key_at(const lh_vec_t *k, size_t i)
{
    if (k->type.id == LH_TYPE_DECIMAL && k->type.precision > 18)
        return (double)lh_vec_get_i128(k, i);
    return lh_vec_get_f64(k, i);
}

/* A RANGE offset: the binder's number for FLOAT/DOUBLE/DECIMAL keys, else the integer. */
static double offset(const lh_window_call_t *c, int64_t bound, double f)
{
    lh_type_id id = c->order[0].expr->type.id;
    if (id == LH_TYPE_FLOAT || id == LH_TYPE_DOUBLE || id == LH_TYPE_DECIMAL)
        return f;
    return (double)bound;
}

/* The key v shifted by a RANGE offset: calendar months when the bound is an INTERVAL
 * YEAR TO MONTH (DATE / TIMESTAMP keys), else the offset in the key's units. */
static double shifted(const wcall *w, double v, bool desc, int64_t bound, double f, bool months)
{
    const lh_window_call_t *c = w->c;
    if (!months)
        return desc ? v - offset(c, bound, f) : v + offset(c, bound, f);
    const lh_sql_conf_t *conf = w->q->conf;
    const lh_tz_t *tz = lh_tz_get(conf && conf->time_zone ? conf->time_zone : "UTC");
    return (double)lh_dt_add_months(c->order[0].expr->type.id, (int64_t)v, desc ? -bound : bound,
                                    tz);
}

/* Rows [*lo, *hi) of the frame of sorted row i in partition [ps, pe). */
/* [vs, ve): the rows of [ps, pe) whose key k is not NULL (the NULLs sort together at one
 * end of a partition). */
static void valid_span(const lh_vec_t *k, size_t ps, size_t pe, size_t *vs, size_t *ve)
{
    *vs = ps;
    *ve = pe;
    if (ps == pe)
        return;
    bool nulls_first = !lh_vec_is_valid(k, ps);
    if (!nulls_first && lh_vec_is_valid(k, pe - 1))
        return;
    size_t a = ps, b = pe; /* first row whose validity differs from row ps's */
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (lh_vec_is_valid(k, m) == !nulls_first)
            a = m + 1;
        else
            b = m;
    }
    if (nulls_first)
        *vs = a;
    else
        *ve = a;
}

/* In the sorted non-NULL span [vs, ve) (ascending when less, else descending), the first
 * row j for which "key(j) is before t" stops holding (it holds for a prefix). before is
 * strict for the frame's lower end (lower: key < t, or > t descending) and includes t for
 * its upper end (key <= t, or >= t), so rows with key == t are inside the frame. */
static size_t first_not(const lh_vec_t *k, size_t vs, size_t ve, double t, bool less, bool lower)
{
    size_t a = vs, b = ve;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        double x = key_at(k, m);
        bool before = lower ? (less ? x < t : x > t) : (less ? x <= t : x >= t);
        if (before)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

static void frame(const wcall *w, size_t ps, size_t pe, size_t i, size_t *lo, size_t *hi)
{
    const lh_window_call_t *c = w->c;
    int64_t s = c->frame_start, e = c->frame_end;
    if (c->frame_rows || w->ok == 0) {
        int64_t a, b; /* saturating: an offset may be near the int64 range's ends */
        if (s == INT64_MIN || __builtin_add_overflow((int64_t)i, s, &a))
            a = s < 0 ? (int64_t)ps : INT64_MAX;
        if (e == INT64_MAX || __builtin_add_overflow((int64_t)i, e, &b) ||
            __builtin_add_overflow(b, 1, &b))
            b = e < 0 ? (int64_t)ps : (int64_t)pe;
        if (w->ok == 0 && !c->frame_rows) { /* RANGE without ORDER BY: the partition */
            a = (int64_t)ps;
            b = (int64_t)pe;
        }
        *lo = a < (int64_t)ps ? ps : a > (int64_t)pe ? pe : (size_t)a;
        *hi = b > (int64_t)pe ? pe : (b < (int64_t)*lo ? *lo : (size_t)b);
        return;
    }
    size_t peer_lo = w->peer_lo[i], peer_hi = w->peer_hi[i];
    const lh_vec_t *k = w->order0;
    bool valid = lh_vec_is_valid(k, i), desc = w->desc[w->pk];
    double v = valid ? key_at(k, i) : 0;
    *lo = s == INT64_MIN ? ps : peer_lo;
    *hi = e == INT64_MAX ? pe : peer_hi;
    if (!valid)
        return;
    /* The partition is sorted on the key, NULLs at one end: binary searches over its
     * non-NULL span find the frame's ends (a scan from the partition's start made RANGE
     * frames quadratic in the partition's size). */
    size_t vs, ve;
    valid_span(k, ps, pe, &vs, &ve);
    if (s != INT64_MIN && s != 0) { /* first row whose key is within the start offset */
        double t = shifted(w, v, desc, s, c->frame_start_f, c->start_months);
        size_t j = first_not(k, vs, ve, t, !desc, true);
        *lo = j == ve ? pe : j;
    }
    if (e != INT64_MAX && e != 0) { /* one past the last row within the end offset */
        double t = shifted(w, v, desc, e, c->frame_end_f, c->end_months);
        size_t j = first_not(k, vs, ve, t, !desc, false);
        *hi = j == vs ? ps : j;
    }
    if (*hi < *lo)
        *hi = *lo;
}

typedef struct agg_run {
    void *state;
    size_t lo, hi; /* rows in the state */
    void **states;
    uint32_t *idx;
    lh_vec_t *scratch[8];
} agg_run;

static lh_err add_rows(wcall *w, agg_run *r, size_t a, size_t b, lh_errbuf *eb)
{
    const lh_window_call_t *c = w->c;
    if (b <= a)
        return LH_OK;
    const lh_vec_t *args[8];
    for (size_t i = a; i < b; i++) {
        r->idx[i - a] = (uint32_t)i;
        r->states[i - a] = r->state;
    }
    for (int j = 0; j < c->arg_count && j < 8; j++) {
        if (r->scratch[j] == NULL && (r->scratch[j] = lh_vec_create(w->args[j]->type, 16)) == NULL)
            LH_FAIL(LH_E_NOMEM, eb, "out of memory");
        LH_FAIL_IF(lh_vecops_gather(r->scratch[j], w->args[j], r->idx, b - a) != LH_OK, LH_E_NOMEM,
                   eb, "out of memory");
        args[j] = r->scratch[j];
    }
    return c->agg->update(c->bind_data, r->states, args, b - a, eb);
}

static lh_err agg_partition(wcall *w, agg_run *r, size_t ps, size_t pe, lh_errbuf *eb)
{
    const lh_window_call_t *c = w->c;
    const lh_agg_func_t *f = c->agg;
    bool fresh = true;
    for (size_t i = ps; i < pe; i++) {
        size_t lo, hi;
        frame(w, ps, pe, i, &lo, &hi);
        if (fresh || lo != r->lo || hi < r->hi) {
            if (!fresh && f->destroy)
                f->destroy(c->bind_data, r->state);
            f->init(c->bind_data, r->state);
            r->lo = r->hi = lo;
            fresh = false;
        }
        LH_TRY(add_rows(w, r, r->hi, hi, eb));
        r->hi = hi > r->hi ? hi : r->hi;
        void *st = r->state;
        LH_TRY(f->finalize(c->bind_data, &st, 1, w->out, eb));
        if ((i & 1023) == 0)
            LH_TRY(exec_check(w->q, eb));
    }
    if (!fresh && f->destroy)
        f->destroy(c->bind_data, r->state);
    return LH_OK;
}

/* nth_value(x, n): the n-th (non-null, with IGNORE NULLS) value of the frame. */
static lh_err nth_partition(wcall *w, size_t ps, size_t pe, lh_errbuf *eb)
{
    const lh_window_call_t *c = w->c;
    int64_t nth =
        c->arg_count >= 2 && lh_vec_is_valid(w->args[1], ps) ? lh_vec_get_i64(w->args[1], ps) : 1;
    for (size_t i = ps; i < pe; i++) {
        size_t lo, hi, j;
        frame(w, ps, pe, i, &lo, &hi);
        int64_t left = nth;
        for (j = lo; j < hi; j++)
            if ((!c->ignore_nulls || lh_vec_is_valid(w->args[0], j)) && --left == 0)
                break;
        lh_err e =
            j < hi ? lh_vec_append_range(w->out, w->args[0], j, 1) : lh_vec_append_null(w->out);
        LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

/* A ranking or offset function this operator knows, with the arguments it needs. */
static lh_err check_rank_fn(const lh_window_call_t *c, lh_errbuf *eb)
{
    static const struct {
        const char *name;
        int min_args;
    } known[] = {{"row_number", 0},   {"rank", 0},      {"dense_rank", 0},
                 {"percent_rank", 0}, {"cume_dist", 0}, {"ntile", 1},
                 {"lag", 1},          {"lead", 1},      {"nth_value", 2}};
    LH_FAIL_IF(c->rank_fn == NULL, LH_E_INVALID, eb, "window call without a function");
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcasecmp(known[i].name, c->rank_fn) == 0) {
            LH_FAIL_IF(c->arg_count < known[i].min_args, LH_E_INVALID, eb,
                       "window function %s needs %d argument(s)", c->rank_fn, known[i].min_args);
            return LH_OK;
        }
    LH_FAIL(LH_E_INVALID, eb, "unknown window function %s", c->rank_fn);
}

static lh_err compute(wcall *w, lh_errbuf *eb)
{
    const lh_window_call_t *c = w->c;
    w->out = lh_vec_create(c->type, w->n ? w->n : 1);
    LH_FAIL_IF(w->out == NULL, LH_E_NOMEM, eb, "out of memory");
    agg_run r = {0};
    lh_err e = LH_OK;
    if (c->agg != NULL) {
        r.state = calloc(1, c->agg->state_size(c->bind_data) + 16);
        r.states = malloc((w->n + 1) * sizeof *r.states);
        r.idx = malloc((w->n + 1) * sizeof *r.idx);
        LH_FAIL_IF(!r.state || !r.states || !r.idx, LH_E_NOMEM, eb, "out of memory");
    } else {
        LH_TRY(check_rank_fn(c, eb));
    }
    for (size_t ps = 0; ps < w->n && e == LH_OK;) {
        size_t pe = ps + 1;
        while (pe < w->n && !w->pbrk[pe])
            pe++;
        if (c->agg != NULL)
            e = agg_partition(w, &r, ps, pe, eb);
        else if (strcasecmp(c->rank_fn, "lag") == 0 || strcasecmp(c->rank_fn, "lead") == 0)
            e = offset_partition(w, ps, pe, eb);
        else if (strcasecmp(c->rank_fn, "nth_value") == 0)
            e = nth_partition(w, ps, pe, eb);
        else
            e = rank_partition(w, ps, pe, eb);
        ps = pe;
    }
    free(r.state);
    free(r.states);
    free(r.idx);
    for (int j = 0; j < 8; j++)
        lh_vec_destroy(r.scratch[j]);
    return e;
}

/* What belongs to one call: its arguments and results. */
static void wcall_free_call(wcall *w)
{
    for (int a = 0; w->args && a < w->c->arg_count; a++)
        lh_vec_destroy(w->args[a]);
    free(w->args);
    w->args = NULL;
    lh_vec_destroy(w->out);
    w->out = NULL;
}

/* What the calls sharing a sort share. */
static void wcall_free_sort(wcall *w)
{
    exec_rows_free(w->side);
    free(w->refs);
    lh_vec_destroy(w->order0);
    free(w->key_cols);
    free(w->desc);
    free(w->nf);
    free(w->pbrk);
    free(w->peer_lo);
    free(w->peer_hi);
}

/* Call w->c's results in input order: result[0] (n rows; its strings point into
 * result[1], the sorted results, kept alive until the caller copies them). */
static lh_err run_call(wcall *w, const exec_rows *in, lh_vec_t **result, lh_errbuf *eb)
{
    const lh_window_call_t *c = w->c;
    lh_err e = gather_args(w, eb);
    if (e == LH_OK)
        e = compute(w, eb);
    size_t n = (size_t)in->row_count;
    if (e == LH_OK && ((*result = lh_vec_create(c->type, n ? n : 1)) == NULL ||
                       lh_vecops_fill_null(*result, n) != LH_OK))
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK) { /* scatter sorted results back to input positions */
        size_t *start = calloc(in->batch_count + 1, sizeof *start);
        uint32_t *pos = malloc((w->n + 1) * sizeof *pos);
        for (size_t b = 0; start && b < in->batch_count; b++)
            start[b + 1] = start[b] + in->batches[b]->row_count;
        for (size_t i = 0; start && pos && i < w->n; i++)
            pos[i] = (uint32_t)(start[w->refs[i].batch] + w->refs[i].row);
        if (!start || !pos || lh_vecops_scatter(*result, w->out, pos, w->n) != LH_OK)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        /* strings of *result point into w->out: copied when the output batches are built */
        LH_ASSERT(e != LH_OK || (*result)->count == n);
        free(start);
        free(pos);
        if (e == LH_OK) { /* keep w->out alive until the caller copies: hand it over */
            result[1] = w->out;
            w->out = NULL;
        }
    }
    wcall_free_call(w);
    return e;
}

/* Whether two calls have the same PARTITION BY and ORDER BY, all plain columns (so they
 * can share one evaluation, sort and peer search). */
static bool same_spec(const lh_window_call_t *a, const lh_window_call_t *b)
{
    if (a->partition_count != b->partition_count || a->order_count != b->order_count)
        return false;
    for (int i = 0; i < a->partition_count; i++)
        if (a->partition[i]->kind != LH_EXPR_COLUMN || b->partition[i]->kind != LH_EXPR_COLUMN ||
            a->partition[i]->column != b->partition[i]->column)
            return false;
    for (int i = 0; i < a->order_count; i++) {
        const lh_sort_key_t *x = &a->order[i], *y = &b->order[i];
        if (x->expr->kind != LH_EXPR_COLUMN || y->expr->kind != LH_EXPR_COLUMN ||
            x->expr->column != y->expr->column || x->descending != y->descending ||
            x->nulls_first != y->nulls_first)
            return false;
    }
    return true;
}

/* The calls of p listed in members[0..nm) (one spec): evaluated and sorted once, then each
 * computed into res[2 * k], res[2 * k + 1] (k: the call's index in p). With order != NULL,
 * the sorted refs are handed over there (the caller frees them). */
static lh_err run_group(exec_query *q, const lh_plan_t *p, const int *members, int nm,
                        const exec_rows *in, lh_vec_t **res, exec_ref **order, lh_errbuf *eb)
{
    const lh_window_call_t **calls = calloc((size_t)nm + 1, sizeof *calls);
    int *at = calloc((size_t)nm + 1, sizeof *at);
    wcall w = {.q = q};
    lh_err e =
        calls && at ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    for (int m = 0; m < nm && e == LH_OK; m++)
        calls[m] = &p->u.window.calls[members[m]];
    if (e == LH_OK) {
        w.c = calls[0];
        e = eval_side(&w, in, calls, nm, at, eb);
    }
    if (e == LH_OK)
        e = sort_side(&w, eb);
    for (int m = 0; m < nm && e == LH_OK; m++) {
        w.c = calls[m];
        w.arg_at = at[m];
        e = run_call(&w, in, &res[2 * members[m]], eb);
    }
    if (e == LH_OK && order != NULL) {
        *order = w.refs;
        w.refs = NULL;
    }
    wcall_free_sort(&w);
    free(calls);
    free(at);
    return e;
}

lh_err exec_window_run(exec_query *q, const lh_plan_t *p, exec_rows *in, exec_rows **out,
                       lh_errbuf *eb)
{
    int calls = p->u.window.call_count, cols = in->col_count;
    lh_vec_t **res = calloc((size_t)calls * 2 + 2, sizeof *res); /* result, its string owner */
    lh_err e = res ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    /* calls with the same PARTITION BY / ORDER BY share one sort */
    int *members = calloc((size_t)calls + 1, sizeof *members);
    bool *done = calloc((size_t)calls + 1, sizeof *done);
    if (e == LH_OK && (members == NULL || done == NULL))
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    exec_ref *order = NULL; /* the last call's sorted rows: the output's order */
    for (int k = 0; k < calls && e == LH_OK; k++) {
        if (done[k])
            continue;
        int nm = 0;
        for (int j = k; j < calls; j++)
            if (!done[j] && (j == k || same_spec(&p->u.window.calls[k], &p->u.window.calls[j]))) {
                members[nm++] = j;
                done[j] = true;
            }
        e = run_group(q, p, members, nm, in, res, done[calls - 1] && order == NULL ? &order : NULL,
                      eb);
    }
    free(members);
    free(done);
    exec_rows *r = exec_rows_new(q, p->col_count, p->col_types);
    size_t at = 0;
    for (size_t b = 0; b < in->batch_count && e == LH_OK; b++) {
        lh_batch_t *ob = exec_rows_batch(r, in->batches[b]->row_count);
        size_t n = in->batches[b]->row_count;
        for (int c = 0; ob && c < cols && e == LH_OK; c++)
            e = lh_vec_append_range(ob->cols[c], in->batches[b]->cols[c], 0, n);
        for (int k = 0; ob && k < calls && e == LH_OK; k++)
            e = lh_vec_append_range(ob->cols[cols + k], res[2 * k], at, n);
        if (ob == NULL || e != LH_OK) {
            lh_batch_destroy(ob);
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
            break;
        }
        ob->row_count = n;
        at += n;
        e = exec_rows_take(r, ob, eb);
    }
    for (int k = 0; res && k < 2 * calls; k++)
        lh_vec_destroy(res[k]);
    free(res);
    exec_rows_free(in);
    if (e == LH_OK && order != NULL) {
        /* Spark's Window emits its rows sorted by (partition keys, order keys), which later
         * stable sorts (and ties of a final ORDER BY) show: r's batches are in's */
        exec_rows *sorted = NULL;
        e = exec_rows_gather(q, r, p->col_count, order, (size_t)r->row_count, &sorted, eb);
        if (e == LH_OK) {
            exec_rows_free(r);
            r = sorted;
        }
    }
    free(order);
    if (e != LH_OK) {
        exec_rows_free(r);
        return e;
    }
    *out = r;
    return LH_OK;
}
