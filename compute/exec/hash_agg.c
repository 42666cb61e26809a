/*
 * hash_agg.c - GROUP BY (with GROUPING SETS / ROLLUP / CUBE) as a pipeline sink.
 *
 * Each worker aggregates its morsels into its own table: a group is one bump-allocated
 * entry { key_len, key bytes (lh_vecops_encode of every key, a non-grouped key encoded as
 * NULL, then the 8-byte grouping id when there are sets), the aggregate states }. For a
 * batch, the keys are encoded row by row and looked up once per grouping set, giving a
 * state pointer per row; each aggregate then updates all rows with one call (scatter
 * update). FILTER (WHERE ...) rows are gathered first. combine merges worker tables into
 * the first one (states combined, or entries adopted with their memory); result decodes
 * the keys and finalizes the states 2048 groups at a time.
 *
 * DISTINCT aggregates: the workers only collect the rows, and result aggregates them on
 * one thread, passing a row to a DISTINCT aggregate only when (group, arguments) is new
 * (a per-aggregate set). Output: keys ++ aggregates (++ the grouping id, BIGINT, Spark's
 * spark_grouping_id: bit n-1-k set when key k is not grouped in the row's set).
 * A global aggregate (no keys, no sets) over no rows still yields its one row.
 */
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"

typedef struct table {
    exec_ht ht;
    exec_bump bump;
    void **groups; /* insertion order */
    size_t n, cap;
} table;

typedef struct agg_op {
    int key_count, agg_count, set_count;
    const uint64_t *sets;
    uint64_t full_set;
    size_t *off;       /* per aggregate: state offset after the key header */
    size_t states;     /* bytes of all states */
    lh_expr_t **exprs; /* keys, then args of each aggregate, then filters */
    int *arg_at, *filter_at;
    int expr_count, node_count;
    bool distinct_mode;
    table global;
    exec_rows *raw; /* DISTINCT mode: the collected input */
} agg_op;

typedef struct agg_local {
    exec_eval ev;
    table t;
    uint8_t *key;
    size_t key_cap;
    void **base; /* per row: its group entry */
    void **st;   /* per row: one aggregate's state */
    uint32_t *sel;
    size_t rows_cap;
    lh_vec_t *gathered[8];
    exec_rows *raw;
    exec_ht *seen; /* DISTINCT: per aggregate (result only) */
    exec_bump seen_mem;
} agg_local;

static size_t hdr_size(size_t key_len)
{
    return (8 + key_len + 15) & ~(size_t)15;
}

static void *state_of(const agg_op *a, void *entry, int k)
{
    return (uint8_t *)entry + hdr_size(EXEC_HT_KEY_LEN(entry)) + a->off[k];
}

static void table_init(table *t, exec_query *q)
{
    memset(t, 0, sizeof *t);
    exec_ht_init(&t->ht, q);
    exec_bump_init(&t->bump, q);
}

static void table_free(const lh_plan_t *p, agg_op *a, table *t)
{
    for (size_t g = 0; g < t->n; g++)
        for (int k = 0; k < a->agg_count; k++) {
            const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
            if (c->func->destroy)
                c->func->destroy(c->bind_data, state_of(a, t->groups[g], k));
        }
    free(t->groups);
    exec_ht_free(&t->ht);
    exec_bump_free(&t->bump);
    memset(t, 0, sizeof *t);
}

static lh_err table_push(table *t, void *entry, lh_errbuf *eb)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        void **g = realloc(t->groups, cap * sizeof *g);
        LH_FAIL_IF(g == NULL, LH_E_NOMEM, eb, "out of memory");
        t->groups = g;
        t->cap = cap;
    }
    t->groups[t->n++] = entry;
    return LH_OK;
}

/* The group of key (created with initialized states when new). */
static lh_err group_of(const lh_plan_t *p, agg_op *a, table *t, const uint8_t *key, size_t len,
                       void **out, lh_errbuf *eb)
{
    uint64_t h = exec_ht_hash(key, len);
    void *e = exec_ht_find(&t->ht, h, key, len);
    if (e == NULL) {
        LH_TRY(exec_bump_alloc(&t->bump, hdr_size(len) + a->states, &e, eb));
        *(uint32_t *)e = (uint32_t)len;
        memcpy((uint8_t *)e + 8, key, len);
        for (int k = 0; k < a->agg_count; k++) {
            const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
            c->func->init(c->bind_data, state_of(a, e, k));
        }
        LH_TRY(exec_ht_insert(&t->ht, h, e, eb));
        LH_TRY(table_push(t, e, eb));
    }
    *out = e;
    return LH_OK;
}

static lh_err grow_rows(agg_local *l, size_t rows, lh_errbuf *eb)
{
    if (rows <= l->rows_cap)
        return LH_OK;
    free(l->base);
    free(l->st);
    free(l->sel);
    l->base = malloc(rows * sizeof *l->base);
    l->st = malloc(rows * sizeof *l->st);
    l->sel = malloc(rows * sizeof *l->sel);
    LH_FAIL_IF(!l->base || !l->st || !l->sel, LH_E_NOMEM, eb, "out of memory");
    l->rows_cap = rows;
    return LH_OK;
}

/* Encode row i's key for set mask into l->key; returns the length. */
static lh_err encode_key(agg_op *a, agg_local *l, size_t i, uint64_t mask, size_t *len,
                         lh_errbuf *eb)
{
    size_t need = 8;
    for (int k = 0; k < a->key_count; k++)
        need += lh_vecops_encoded_size(l->ev.vals[k], i);
    if (need > l->key_cap) {
        free(l->key);
        l->key_cap = need * 2;
        l->key = malloc(l->key_cap);
        LH_FAIL_IF(l->key == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    size_t o = 0;
    int64_t gid = 0;
    for (int k = 0; k < a->key_count; k++) {
        if (mask >> k & 1) {
            o += lh_vecops_encode(l->ev.vals[k], i, l->key + o);
        } else {
            l->key[o++] = 0;
            gid |= (int64_t)1 << (a->key_count - 1 - k);
        }
    }
    if (a->sets != NULL) {
        memcpy(l->key + o, &gid, 8);
        o += 8;
    }
    *len = o;
    return LH_OK;
}

/* Whether (group, args) is new for DISTINCT aggregate k. */
static lh_err distinct_new(agg_op *a, agg_local *l, int k, const lh_agg_call_t *c, void *group,
                           size_t i, bool *fresh, lh_errbuf *eb)
{
    size_t need = 8;
    for (int j = 0; j < c->arg_count; j++)
        need += lh_vecops_encoded_size(l->ev.vals[a->arg_at[k] + j], i);
    if (need > l->key_cap) {
        free(l->key);
        l->key_cap = need * 2;
        l->key = malloc(l->key_cap);
        LH_FAIL_IF(l->key == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    memcpy(l->key, &group, 8);
    size_t o = 8;
    for (int j = 0; j < c->arg_count; j++)
        o += lh_vecops_encode(l->ev.vals[a->arg_at[k] + j], i, l->key + o);
    uint64_t h = exec_ht_hash(l->key, o);
    *fresh = exec_ht_find(&l->seen[k], h, l->key, o) == NULL;
    if (!*fresh)
        return LH_OK;
    void *e;
    LH_TRY(exec_bump_alloc(&l->seen_mem, 8 + o, &e, eb));
    *(uint32_t *)e = (uint32_t)o;
    memcpy((uint8_t *)e + 8, l->key, o);
    return exec_ht_insert(&l->seen[k], h, e, eb);
}

/* Update aggregate k for the rows whose filter is TRUE (and, DISTINCT, are new). */
static lh_err update_one(const lh_plan_t *p, agg_op *a, agg_local *l, int k, size_t rows,
                         lh_errbuf *eb)
{
    const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
    const lh_vec_t *args[8];
    LH_FAIL_IF(c->arg_count > 8, LH_E_UNSUPPORTED, eb, "aggregate with more than 8 arguments");
    for (int j = 0; j < c->arg_count; j++)
        args[j] = l->ev.vals[a->arg_at[k] + j];
    const lh_vec_t *f = c->filter ? l->ev.vals[a->filter_at[k]] : NULL;
    if (f == NULL && !c->distinct) {
        for (size_t i = 0; i < rows; i++)
            l->st[i] = state_of(a, l->base[i], k);
        return c->func->update(c->bind_data, l->st, args, rows, eb);
    }
    size_t n = 0;
    for (size_t i = 0; i < rows; i++) {
        bool keep = f == NULL || (lh_vec_is_valid(f, i) && ((const uint8_t *)f->data)[i]);
        if (keep && c->distinct)
            LH_TRY(distinct_new(a, l, k, c, l->base[i], i, &keep, eb));
        if (keep) {
            l->sel[n] = (uint32_t)i;
            l->st[n++] = state_of(a, l->base[i], k);
        }
    }
    for (int j = 0; j < c->arg_count; j++) {
        if (l->gathered[j] == NULL || !lh_type_equal(l->gathered[j]->type, args[j]->type)) {
            lh_vec_destroy(l->gathered[j]);
            l->gathered[j] = lh_vec_create(args[j]->type, n ? n : 1);
            LH_FAIL_IF(l->gathered[j] == NULL, LH_E_NOMEM, eb, "out of memory");
        }
        LH_FAIL_IF(lh_vecops_gather(l->gathered[j], args[j], l->sel, n) != LH_OK, LH_E_NOMEM, eb,
                   "out of memory");
        args[j] = l->gathered[j];
    }
    return n ? c->func->update(c->bind_data, l->st, args, n, eb) : LH_OK;
}

static lh_err agg_batch(const lh_plan_t *p, agg_op *a, agg_local *l, const lh_batch_t *in,
                        lh_errbuf *eb)
{
    LH_TRY(exec_eval_run(&l->ev, in, eb));
    LH_TRY(grow_rows(l, in->row_count, eb));
    int sets = a->sets ? a->set_count : 1;
    for (int s = 0; s < sets; s++) {
        uint64_t mask = a->sets ? a->sets[s] : a->full_set;
        for (size_t i = 0; i < in->row_count; i++) {
            size_t len = 0;
            LH_TRY(encode_key(a, l, i, mask, &len, eb));
            LH_TRY(group_of(p, a, &l->t, l->key, len, &l->base[i], eb));
        }
        for (int k = 0; k < a->agg_count; k++)
            LH_TRY(update_one(p, a, l, k, in->row_count, eb));
    }
    return LH_OK;
}

static lh_err agg_consume(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                          lh_errbuf *eb)
{
    (void)t;
    agg_op *a = op->data;
    agg_local *l = local;
    if (a->distinct_mode)
        return exec_rows_append(l->raw, in, NULL, 0, eb);
    return agg_batch(op->plan, a, l, in, eb);
}

/* Merge table src into dst (src left empty; its memory moves to dst). */
static lh_err merge(const lh_plan_t *p, agg_op *a, table *dst, table *src, lh_errbuf *eb)
{
    for (size_t g = 0; g < src->n; g++) {
        void *e = src->groups[g];
        size_t len = EXEC_HT_KEY_LEN(e);
        uint64_t h = exec_ht_hash(EXEC_HT_KEY(e), len);
        void *d = exec_ht_find(&dst->ht, h, EXEC_HT_KEY(e), len);
        if (d == NULL) {
            LH_TRY(exec_ht_insert(&dst->ht, h, e, eb));
            LH_TRY(table_push(dst, e, eb));
            continue;
        }
        for (int k = 0; k < a->agg_count; k++) {
            const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
            c->func->combine(c->bind_data, state_of(a, d, k), state_of(a, e, k));
            if (c->func->destroy)
                c->func->destroy(c->bind_data, state_of(a, e, k));
        }
    }
    src->n = 0;
    exec_bump_move(&dst->bump, &src->bump);
    return LH_OK;
}

static lh_err agg_combine(exec_op *op, void *local, lh_errbuf *eb)
{
    agg_op *a = op->data;
    agg_local *l = local;
    if (a->distinct_mode) {
        exec_rows_move(a->raw, l->raw);
        return LH_OK;
    }
    return merge(op->plan, a, &a->global, &l->t, eb);
}

/* DISTINCT mode: aggregate the collected rows on this thread. */
static lh_err run_distinct(exec_op *op, lh_errbuf *eb)
{
    agg_op *a = op->data;
    agg_local *l = op->vt->local_new(op);
    LH_FAIL_IF(l == NULL, LH_E_NOMEM, eb, "out of memory");
    l->seen = calloc((size_t)a->agg_count, sizeof *l->seen);
    exec_bump_init(&l->seen_mem, op->q);
    lh_err e = l->seen ? LH_OK : LH_E_NOMEM;
    for (int k = 0; k < a->agg_count && l->seen; k++)
        exec_ht_init(&l->seen[k], op->q);
    for (size_t b = 0; b < a->raw->batch_count && e == LH_OK; b++)
        if ((e = exec_check(op->q, eb)) == LH_OK)
            e = agg_batch(op->plan, a, l, a->raw->batches[b], eb);
    if (e == LH_OK)
        e = merge(op->plan, a, &a->global, &l->t, eb);
    for (int k = 0; k < a->agg_count && l->seen; k++)
        exec_ht_free(&l->seen[k]);
    free(l->seen);
    l->seen = NULL;
    exec_bump_free(&l->seen_mem);
    op->vt->local_free(op, l);
    return e;
}

/* Finalize groups [from, from+n) into a new batch of the plan's columns. */
static lh_err emit(exec_op *op, size_t from, size_t n, exec_rows *out, lh_errbuf *eb)
{
    const lh_plan_t *p = op->plan;
    agg_op *a = op->data;
    lh_batch_t *b = exec_rows_batch(out, n);
    LH_FAIL_IF(b == NULL, LH_E_NOMEM, eb, "out of memory");
    void **g = a->global.groups + from;
    int64_t *gids = a->sets != NULL ? malloc((n ? n : 1) * sizeof *gids) : NULL;
    if (a->sets != NULL && gids == NULL) {
        lh_batch_destroy(b);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *k = EXEC_HT_KEY(g[i]);
        for (int c = 0; c < a->key_count; c++)
            k += lh_vecops_decode(k, b->cols[c]);
        if (gids != NULL)
            memcpy(&gids[i], k, 8);
        if (gids != NULL && p->col_count > a->key_count + a->agg_count)
            lh_vec_append_i64(b->cols[a->key_count + a->agg_count], gids[i]);
    }
    void **st = malloc((n ? n : 1) * sizeof *st);
    lh_err e = st ? LH_OK : LH_E_NOMEM;
    for (int k = 0; k < a->agg_count && e == LH_OK; k++) {
        const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
        for (size_t i = 0; i < n; i++)
            st[i] = state_of(a, g[i], k);
        e = c->func->finalize(c->bind_data, st, n, b->cols[a->key_count + k], eb);
        if (e == LH_OK && gids != NULL && strcmp(c->func->name, LH_AGG_GROUPING_ID) == 0)
            memcpy(b->cols[a->key_count + k]->data, gids, n * sizeof *gids);
    }
    free(st);
    free(gids);
    b->row_count = n;
    if (e != LH_OK) {
        lh_batch_destroy(b);
        return e;
    }
    return exec_rows_take(out, b, eb);
}

static lh_err agg_result(exec_op *op, exec_rows **out, lh_errbuf *eb)
{
    agg_op *a = op->data;
    const lh_plan_t *p = op->plan;
    if (a->distinct_mode)
        LH_TRY(run_distinct(op, eb));
    if (a->global.n == 0 && a->key_count == 0 && a->sets == NULL) {
        void *e;
        LH_TRY(group_of(p, a, &a->global, (const uint8_t *)"", 0, &e, eb));
    }
    exec_rows *r = exec_rows_new(op->q, p->col_count, p->col_types);
    for (size_t from = 0; from < a->global.n; from += LH_BATCH_ROWS) {
        size_t n = a->global.n - from < LH_BATCH_ROWS ? a->global.n - from : LH_BATCH_ROWS;
        lh_err e = emit(op, from, n, r, eb);
        if (e != LH_OK) {
            exec_rows_free(r);
            return e;
        }
    }
    *out = r;
    return LH_OK;
}

static void *agg_local_new(exec_op *op)
{
    agg_op *a = op->data;
    agg_local *l = calloc(1, sizeof *l);
    lh_errbuf eb;
    if (l == NULL)
        return NULL;
    table_init(&l->t, op->q);
    l->raw =
        exec_rows_new(op->q, op->plan->children[0]->col_count, op->plan->children[0]->col_types);
    if (exec_eval_init(&l->ev, op->q, a->exprs, a->expr_count, a->node_count, &eb) != LH_OK) {
        op->vt->local_free(op, l);
        return NULL;
    }
    return l;
}

static void agg_local_free(exec_op *op, void *local)
{
    agg_local *l = local;
    table_free(op->plan, op->data, &l->t);
    exec_eval_free(&l->ev);
    exec_rows_free(l->raw);
    for (int j = 0; j < 8; j++)
        lh_vec_destroy(l->gathered[j]);
    free(l->key);
    free(l->base);
    free(l->st);
    free(l->sel);
    free(l);
}

static void agg_free(exec_op *op)
{
    agg_op *a = op->data;
    table_free(op->plan, a, &a->global);
    exec_rows_free(a->raw);
    free(a->off);
    free(a->exprs);
    free(a->arg_at);
    free(a->filter_at);
    free(a);
}

static const exec_op_vt agg_vt = {
    .name = "hash_agg",
    .consume = agg_consume,
    .combine = agg_combine,
    .result = agg_result,
    .local_new = agg_local_new,
    .local_free = agg_local_free,
    .free = agg_free,
};

/* Lay out states and list every expression (keys, args, filters) for one evaluator. */
static lh_err layout(exec_query *q, agg_op *a, const lh_plan_t *p, lh_errbuf *eb)
{
    int n = a->key_count;
    for (int k = 0; k < a->agg_count; k++)
        n += p->u.aggregate.aggs[k].arg_count + 1;
    a->exprs = calloc((size_t)n + 1, sizeof *a->exprs);
    a->off = calloc((size_t)a->agg_count + 1, sizeof *a->off);
    a->arg_at = calloc((size_t)a->agg_count + 1, sizeof *a->arg_at);
    a->filter_at = calloc((size_t)a->agg_count + 1, sizeof *a->filter_at);
    LH_FAIL_IF(!a->exprs || !a->off || !a->arg_at || !a->filter_at, LH_E_NOMEM, eb,
               "out of memory");
    int e = 0;
    for (int k = 0; k < a->key_count; k++)
        a->exprs[e++] = p->u.aggregate.keys[k];
    for (int k = 0; k < a->agg_count; k++) {
        const lh_agg_call_t *c = &p->u.aggregate.aggs[k];
        a->arg_at[k] = e;
        for (int j = 0; j < c->arg_count; j++)
            a->exprs[e++] = c->args[j];
        a->filter_at[k] = e;
        a->exprs[e++] = c->filter; /* NULL: skipped by the evaluator */
        a->off[k] = a->states;
        a->states += (c->func->state_size(c->bind_data) + 15) & ~(size_t)15;
        a->distinct_mode |= c->distinct;
    }
    a->expr_count = e;
    a->node_count = exec_number(q, a->exprs, e);
    return LH_OK;
}

lh_err exec_agg_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    agg_op *a = calloc(1, sizeof *a);
    LH_FAIL_IF(a == NULL, LH_E_NOMEM, eb, "out of memory");
    exec_op *op = exec_op_new(q, &agg_vt, p, a);
    a->key_count = p->u.aggregate.key_count;
    a->agg_count = p->u.aggregate.agg_count;
    a->set_count = p->u.aggregate.set_count;
    a->sets = p->u.aggregate.sets;
    a->full_set = a->key_count >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << a->key_count) - 1);
    table_init(&a->global, q);
    a->raw = exec_rows_new(q, p->children[0]->col_count, p->children[0]->col_types);
    lh_err e = a->key_count > 63 ? lh_err_set(eb, LH_E_UNSUPPORTED, __FILE__, __LINE__,
                                              "more than 63 grouping keys")
                                 : layout(q, a, p, eb);
    if (e != LH_OK) {
        exec_op_free(op);
        return e;
    }
    *out = op;
    return LH_OK;
}
