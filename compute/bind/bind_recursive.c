/*
 * bind_recursive.c - WITH RECURSIVE name [(cols)] AS (anchor UNION [ALL] step): the rows are
 * computed when the binder meets a reference, by iteration: the anchor's rows, then the
 * step's rows over the previous step's rows (the CTE's name inside the step is the
 * previous level's rows), until a step gives none. The result (every level's rows, in
 * level order) is kept for the statement and stands as inline rows (a VALUES plan) where
 * the CTE is read. Each level's rows take the anchor's column types (cast as UNION does).
 *
 * Spark's limits: 100 levels (RECURSION_LEVEL_LIMIT_EXCEEDED) and 1,000,000 rows
 * (RECURSION_ROW_LIMIT_EXCEEDED). With UNION (DISTINCT) a row equal to one already produced
 * (in any level, the anchor's included) is dropped, so the next step sees only new rows and a
 * cycle in the data ends the iteration.
 */
#include <string.h>

#include "common/hashmap.h"
#include "common/limits.h"
#include "compute/bind/bind_internal.h"
#include "compute/exec/exec.h"
#include "compute/expr/expr.h"
#include "compute/sql/sqlerr.h"

#define LEVELS_MAX 100
#define ROWS_MAX   1000000

typedef struct rows_t {
    binder *b;
    int cols;
    const lh_type_t *types;
    lh_expr_t ***rows;
    int count, cap;
    lh_hashmap_t *seen; /* UNION (DISTINCT): the rows produced, as row_key blobs */
} rows_t;

/* A row's identity for UNION: its values' bytes, length-prefixed (arena). */
typedef struct row_key {
    uint32_t len;
    uint8_t bytes[];
} row_key;

static uint64_t key_hash(const void *k)
{
    const row_key *r = k;
    return lh_hash_bytes(r->bytes, r->len);
}

static bool key_equal(const void *a, const void *b)
{
    const row_key *x = a, *y = b;
    return x->len == y->len && memcmp(x->bytes, y->bytes, x->len) == 0;
}

static const lh_hashmap_type KEYS = {key_hash, key_equal, NULL, NULL};

static row_key *row_key_of(binder *b, const lh_value_t *vals, int cols)
{
    size_t n = 0;
    for (int c = 0; c < cols; c++) {
        bool str = vals[c].type.id == LH_TYPE_STRING || vals[c].type.id == LH_TYPE_BINARY ||
                   lh_type_is_nested(vals[c].type) || vals[c].type.id == LH_TYPE_INTERVAL_CAL;
        n += 1 + (vals[c].is_null ? 0 : str ? 4 + vals[c].v.str.len : sizeof vals[c].v);
    }
    row_key *k = lh_arena_alloc(b->a, sizeof *k + n);
    uint8_t *o = k->bytes;
    for (int c = 0; c < cols; c++) {
        const lh_value_t *v = &vals[c];
        bool str = v->type.id == LH_TYPE_STRING || v->type.id == LH_TYPE_BINARY ||
                   lh_type_is_nested(v->type) || v->type.id == LH_TYPE_INTERVAL_CAL;
        *o++ = v->is_null;
        if (v->is_null)
            continue;
        if (str) {
            memcpy(o, &v->v.str.len, 4);
            memcpy(o + 4, v->v.str.ptr, v->v.str.len);
            o += 4 + v->v.str.len;
        } else {
            lh_value_t z; /* the union's bytes, unused ones zeroed */
            memset(&z, 0, sizeof z);
            if (v->type.id == LH_TYPE_FLOAT || v->type.id == LH_TYPE_DOUBLE)
                z.v.f64 = v->v.f64 == 0 ? 0 : v->v.f64; /* -0.0 equals 0.0 */
            else if (v->type.id == LH_TYPE_DECIMAL && v->type.precision > 18)
                z.v.i128 = v->v.i128;
            else
                z.v.i64 = v->v.i64;
            memcpy(o, &z.v, sizeof z.v);
            o += sizeof z.v;
        }
    }
    k->len = (uint32_t)(o - k->bytes);
    return k;
}

static lh_err take_rows(void *ctx, const lh_batch_t *batch, lh_errbuf *eb)
{
    rows_t *r = ctx;
    for (size_t i = 0; i < batch->row_count; i++) {
        if (r->count >= ROWS_MAX)
            return lh_sqlerr(eb, "RECURSION_ROW_LIMIT_EXCEEDED", "rowLimit", "1000000", NULL);
        if (r->count == r->cap) {
            int cap = r->cap ? r->cap * 2 : 64;
            lh_expr_t ***n = lh_arena_calloc(r->b->a, (size_t)cap, sizeof *n);
            if (r->count)
                memcpy(n, r->rows, (size_t)r->count * sizeof *n);
            r->rows = n;
            r->cap = cap;
        }
        lh_expr_t **row = lh_arena_calloc(r->b->a, (size_t)r->cols + 1, sizeof *row);
        lh_value_t *vals = lh_arena_calloc(r->b->a, (size_t)r->cols + 1, sizeof *vals);
        for (int c = 0; c < r->cols; c++) {
            lh_value_t *v = &vals[c];
            lh_vec_get_value(batch->cols[c], i, v);
            v->is_null = !lh_vec_is_valid(batch->cols[c], i);
            v->type = r->types[c];
            row[c] = lh_expr_const(r->b->a, v, "v"); /* copies string bytes */
        }
        if (r->seen != NULL) {
            bool added;
            LH_TRY(lh_hashmap_put_new(r->seen, row_key_of(r->b, vals, r->cols), NULL, &added, eb));
            if (!added)
                continue; /* produced before */
        }
        r->rows[r->count++] = row;
    }
    return LH_OK;
}

/* Run plan (its columns cast to types first) and append its rows to r. */
static lh_err run_into(binder *b, lh_plan_t *plan, rows_t *r)
{
    if (plan->col_count != r->cols)
        return lh_sqlerr(b->eb, "NUM_COLUMNS_MISMATCH", "operator", "UNION", "firstNumColumns",
                         lh_arena_sprintf(b->a, "%d", r->cols), "invalidOrdinalNum", "second",
                         "invalidNumColumns", lh_arena_sprintf(b->a, "%d", plan->col_count), NULL);
    bool cast = false;
    for (int c = 0; c < r->cols; c++)
        cast |= !lh_type_equal(plan->col_types[c], r->types[c]);
    if (cast) {
        lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_PROJECT, r->cols, 1);
        p->children[0] = plan;
        p->u.project.exprs = lh_arena_calloc(b->a, (size_t)r->cols + 1, sizeof(lh_expr_t *));
        for (int c = 0; c < r->cols; c++) {
            lh_expr_t *col = lh_expr_column(b->a, c, plan->col_types[c], true, plan->col_names[c]);
            LH_TRY(bx_coerce(b, &col, r->types[c]));
            p->u.project.exprs[c] = col;
            p->col_names[c] = plan->col_names[c];
            p->col_types[c] = r->types[c];
            p->col_nullable[c] = true;
        }
        plan = p;
    }
    lh_exec_opts_t o = {NULL, lh_session_conf(b->env->session), LH_QUERY_MEMORY_DEFAULT, NULL, 0};
    lh_exec_stats_t stats;
    return lh_exec_run(plan, &o, take_rows, r, &stats, b->eb);
}

/* Inline rows rows[from, to) as a VALUES plan with the CTE's names and types. */
static lh_plan_t *values_of(binder *b, const rows_t *r, int from, int to, const char **names)
{
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_VALUES, r->cols, 0);
    for (int c = 0; c < r->cols; c++) {
        p->col_names[c] = names[c];
        p->col_types[c] = r->types[c];
        p->col_nullable[c] = true;
    }
    p->u.values.row_count = to - from;
    p->u.values.rows = r->rows + from;
    p->est_rows = to - from;
    return p;
}

bool br_is_recursive(const cte_def *c)
{
    const lh_ast_query_t *q = c->cte->query;
    return c->recursive && q->kind == LH_Q_SETOP && q->setop == LH_SET_UNION;
}

/* The anchor's rows, then each level's, into r. */
static lh_err iterate(binder *b, cte_def *c, const lh_ast_query_t *q, lh_plan_t *anchor,
                      const char **names, rows_t *r)
{
    LH_TRY(run_into(b, anchor, r));
    int from = 0;
    for (int level = 0; r->count > from; level++) {
        if (level >= LEVELS_MAX)
            return lh_sqlerr(b->eb, "RECURSION_LEVEL_LIMIT_EXCEEDED", "levelLimit", "100", NULL);
        int to = r->count;
        c->working = values_of(b, r, from, to, names);
        binder step = *b;
        step.ctes = c; /* the step sees the CTE: the level before */
        lh_plan_t *sp;
        lh_err e = bq_query(&step, q->right, &sp);
        if (e == LH_OK)
            e = run_into(b, sp, r);
        c->working = NULL;
        LH_TRY(e);
        from = to;
    }
    return LH_OK;
}

lh_err br_reference(binder *b, cte_def *c, lh_plan_t **plan)
{
    if (c->working != NULL) { /* the step reading the previous level */
        *plan = c->working;
        return LH_OK;
    }
    if (c->result != NULL) {
        *plan = c->result;
        return LH_OK;
    }
    const lh_ast_query_t *q = c->cte->query;
    if (q->order_by.count || q->limit || q->offset)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "WITH RECURSIVE other than anchor UNION [ALL] step", NULL);
    binder inner = *b;
    inner.ctes = c->next; /* the anchor does not see the CTE */
    lh_plan_t *anchor;
    LH_TRY(bq_query(&inner, q->left, &anchor));
    int cols = anchor->col_count;
    const char **names = lh_arena_calloc(b->a, (size_t)cols + 1, sizeof *names);
    for (int i = 0; i < cols; i++)
        names[i] = i < c->cte->columns.count ? c->cte->columns.items[i].text : anchor->col_names[i];
    rows_t r = {b, cols, anchor->col_types, NULL, 0, 0, NULL};
    if (q->set_quant != 1) {
        r.seen = lh_hashmap_create(&KEYS, 64);
        LH_FAIL_IF(r.seen == NULL, LH_E_NOMEM, b->eb, "out of memory");
    }
    lh_err e = iterate(b, c, q, anchor, names, &r);
    lh_hashmap_destroy(r.seen);
    LH_TRY(e);
    c->result = values_of(b, &r, 0, r.count, names);
    *plan = c->result;
    return LH_OK;
}
