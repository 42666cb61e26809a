/*
 * bind_recursive.c - WITH RECURSIVE name [(cols)] AS (anchor UNION ALL step): the rows are
 * computed when the binder meets a reference, by iteration: the anchor's rows, then the
 * step's rows over the previous step's rows (the CTE's name inside the step is the
 * previous level's rows), until a step gives none. The result (every level's rows, in
 * level order) is kept for the statement and stands as inline rows (a VALUES plan) where
 * the CTE is read. Each level's rows take the anchor's column types (cast as UNION does).
 *
 * Spark's limits: 100 levels (RECURSION_LEVEL_LIMIT_EXCEEDED) and 1,000,000 rows
 * (RECURSION_ROW_LIMIT_EXCEEDED). UNION (DISTINCT) between the parts is not built.
 */
#include <string.h>

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
} rows_t;

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
        for (int c = 0; c < r->cols; c++) {
            lh_value_t v;
            lh_vec_get_value(batch->cols[c], i, &v);
            v.is_null = !lh_vec_is_valid(batch->cols[c], i);
            v.type = r->types[c];
            row[c] = lh_expr_const(r->b->a, &v, "v"); /* copies string bytes */
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
    if (q->set_quant != 1 || q->order_by.count || q->limit || q->offset)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "WITH RECURSIVE other than anchor UNION ALL step", NULL);
    binder inner = *b;
    inner.ctes = c->next; /* the anchor does not see the CTE */
    lh_plan_t *anchor;
    LH_TRY(bq_query(&inner, q->left, &anchor));
    int cols = anchor->col_count;
    const char **names = lh_arena_calloc(b->a, (size_t)cols + 1, sizeof *names);
    for (int i = 0; i < cols; i++)
        names[i] = i < c->cte->columns.count ? c->cte->columns.items[i].text : anchor->col_names[i];
    rows_t r = {b, cols, anchor->col_types, NULL, 0, 0};
    LH_TRY(run_into(b, anchor, &r));
    int from = 0;
    for (int level = 0; r.count > from; level++) {
        if (level >= LEVELS_MAX)
            return lh_sqlerr(b->eb, "RECURSION_LEVEL_LIMIT_EXCEEDED", "levelLimit", "100", NULL);
        int to = r.count;
        c->working = values_of(b, &r, from, to, names);
        binder step = *b;
        step.ctes = c; /* the step sees the CTE: the level before */
        lh_plan_t *sp;
        lh_err e = bq_query(&step, q->right, &sp);
        if (e == LH_OK)
            e = run_into(b, sp, &r);
        c->working = NULL;
        LH_TRY(e);
        from = to;
    }
    c->result = values_of(b, &r, 0, r.count, names);
    *plan = c->result;
    return LH_OK;
}
