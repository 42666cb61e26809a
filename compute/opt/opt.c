/*
 * opt.c - the optimizer's rules (see opt.h).
 */
#include "compute/opt/opt.h"

#include <string.h>

#include "compute/func/func.h"

/* ---- prune: which columns each node reads of its children -------------------------- */

static void mark_expr(const lh_expr_t *e, bool *used, int n, int offset)
{
    if (e == NULL)
        return;
    if (e->kind == LH_EXPR_COLUMN) {
        int c = e->column - offset;
        if (c >= 0 && c < n)
            used[c] = true;
    }
    for (int i = 0; i < e->arg_count; i++)
        mark_expr(e->args[i], used, n, offset);
}

static void mark_all(bool *used, int n)
{
    for (int i = 0; i < n; i++)
        used[i] = true;
}

/* Columns of child k that node p reads, given the node's own used outputs. */
static void child_needs(const lh_plan_t *p, const bool *out_used, int k, bool *used)
{
    const lh_plan_t *c = p->children[k];
    int n = c->col_count;
    switch (p->kind) {
    case LH_PLAN_FILTER:
        memcpy(used, out_used, (size_t)n * sizeof *used);
        mark_expr(p->u.filter.pred, used, n, 0);
        return;
    case LH_PLAN_PROJECT:
        for (int i = 0; i < p->col_count; i++)
            if (out_used[i])
                mark_expr(p->u.project.exprs[i], used, n, 0);
        return;
    case LH_PLAN_AGGREGATE:
        for (int i = 0; i < p->u.aggregate.key_count; i++)
            mark_expr(p->u.aggregate.keys[i], used, n, 0);
        for (int i = 0; i < p->u.aggregate.agg_count; i++) {
            const lh_agg_call_t *a = &p->u.aggregate.aggs[i];
            for (int j = 0; j < a->arg_count; j++)
                mark_expr(a->args[j], used, n, 0);
            mark_expr(a->filter, used, n, 0);
        }
        return;
    case LH_PLAN_JOIN: {
        int nl = p->children[0]->col_count;
        bool semi = p->u.join.kind == LH_PJOIN_SEMI || p->u.join.kind == LH_PJOIN_ANTI;
        int off = k == 0 ? 0 : nl;
        for (int i = 0; i < n && (k == 0 || !semi); i++)
            if (off + i < p->col_count && out_used[off + i])
                used[i] = true;
        lh_expr_t **keys = k == 0 ? p->u.join.left_keys : p->u.join.right_keys;
        for (int i = 0; i < p->u.join.key_count; i++)
            mark_expr(keys[i], used, n, 0);
        mark_expr(p->u.join.residual, used, n, off);
        return;
    }
    case LH_PLAN_SORT:
    case LH_PLAN_TOPN:
        memcpy(used, out_used, (size_t)n * sizeof *used);
        for (int i = 0; i < p->u.sort.key_count; i++)
            mark_expr(p->u.sort.keys[i].expr, used, n, 0);
        return;
    case LH_PLAN_LIMIT:
        memcpy(used, out_used, (size_t)n * sizeof *used);
        return;
    case LH_PLAN_WINDOW:
        memcpy(used, out_used, (size_t)n * sizeof *used);
        for (int i = 0; i < p->u.window.call_count; i++) {
            const lh_window_call_t *w = &p->u.window.calls[i];
            for (int j = 0; j < w->arg_count; j++)
                mark_expr(w->args[j], used, n, 0);
            for (int j = 0; j < w->partition_count; j++)
                mark_expr(w->partition[j], used, n, 0);
            for (int j = 0; j < w->order_count; j++)
                mark_expr(w->order[j].expr, used, n, 0);
            for (int j = 0; j < 2; j++)
                if (w->frame_bound[j] != NULL)
                    mark_expr(w->frame_bound[j], used, n, 0);
        }
        return;
    default: /* set operations, writes and anything new: every column */
        mark_all(used, n);
        return;
    }
}

static void prune(lh_arena_t *a, lh_plan_t *p, const bool *out_used)
{
    if (p->kind == LH_PLAN_SCAN) {
        bool all = true;
        for (int i = 0; i < p->col_count; i++)
            all = all && out_used[i];
        if (p->u.scan.filter != NULL || all)
            return; /* a residual filter may read any column */
        bool *u = lh_arena_calloc(a, (size_t)p->col_count + 1, sizeof *u);
        memcpy(u, out_used, (size_t)p->col_count * sizeof *u);
        bool any = false;
        for (int i = 0; i < p->col_count; i++)
            any = any || u[i];
        if (!any && p->col_count > 0) /* count(*): read one column for the row counts */
            u[0] = true;
        p->u.scan.column_used = u;
        return;
    }
    for (int k = 0; k < p->child_count; k++) {
        int n = p->children[k]->col_count;
        bool *used = lh_arena_calloc(a, (size_t)n + 1, sizeof *used);
        child_needs(p, out_used, k, used);
        prune(a, p->children[k], used);
    }
}

/* ---- pushdown: Filter(Scan) comparisons into scan predicates ------------------------ */

typedef struct op_row {
    const char *names[3];
    lh_pq_op op, flipped;
} op_row;

static const op_row comparisons[] = {
    {{"=", "equal", "eq"}, LH_PQ_EQ, LH_PQ_EQ},
    {{"<", "less", "lt"}, LH_PQ_LT, LH_PQ_GT},
    {{"<=", "less_equal", "le"}, LH_PQ_LE, LH_PQ_GE},
    {{">", "greater", "gt"}, LH_PQ_GT, LH_PQ_LT},
    {{">=", "greater_equal", "ge"}, LH_PQ_GE, LH_PQ_LE},
};

static const op_row *comparison(const lh_func_t *f)
{
    for (size_t i = 0; i < sizeof comparisons / sizeof comparisons[0]; i++)
        for (int j = 0; j < 3 && comparisons[i].names[j]; j++)
            if (strcmp(f->name, comparisons[i].names[j]) == 0)
                return &comparisons[i];
    return NULL;
}

static void add_pred(lh_arena_t *a, lh_plan_t *scan, int col, lh_pq_op op, int count,
                     const lh_value_t *values)
{
    int n = scan->u.scan.pred_count;
    lh_delta_pred_t *preds = lh_arena_calloc(a, (size_t)n + 1, sizeof *preds);
    if (n)
        memcpy(preds, scan->u.scan.preds, (size_t)n * sizeof *preds);
    preds[n] = (lh_delta_pred_t){scan->u.scan.columns[col], op, count, values};
    scan->u.scan.preds = preds;
    scan->u.scan.pred_count = n + 1;
}

/* The value of e when it is a literal, or a cast of one the binder added to make it the
 * column's type (folded here; not to TIMESTAMP types, whose casts read the session time
 * zone); false for anything else, a failing cast or NULL. */
static bool const_value(lh_arena_t *a, const lh_expr_t *e, lh_value_t *out)
{
    if (e->kind == LH_EXPR_CONST) {
        *out = e->value;
        return !out->is_null;
    }
    if (e->kind != LH_EXPR_CALL || e->arg_count != 1 || e->args[0]->kind != LH_EXPR_CONST ||
        e->type.id == LH_TYPE_TIMESTAMP || e->type.id == LH_TYPE_TIMESTAMP_NTZ ||
        lh_type_is_nested(e->type) || !lh_expr_is_foldable(e))
        return false;
    lh_errbuf eb;
    return lh_expr_fold(a, e, NULL, out, &eb) == LH_OK && !out->is_null &&
           lh_type_equal(out->type, e->type);
}

/* One conjunct: col <op> const, const <op> col, col IN (consts). Types must match the
 * column exactly (the binder's casts make them); anything else stays in the Filter only. */
static void push_conjunct(lh_arena_t *a, lh_plan_t *scan, const lh_expr_t *e)
{
    if (e->kind == LH_EXPR_AND) {
        push_conjunct(a, scan, e->args[0]);
        push_conjunct(a, scan, e->args[1]);
        return;
    }
    if (e->kind == LH_EXPR_IN && e->args[0]->kind == LH_EXPR_COLUMN) {
        const lh_expr_t *c = e->args[0];
        lh_value_t *vals = lh_arena_calloc(a, (size_t)e->arg_count, sizeof *vals);
        for (int i = 1; i < e->arg_count; i++) {
            if (!const_value(a, e->args[i], &vals[i - 1]) ||
                !lh_type_equal(vals[i - 1].type, scan->col_types[c->column]))
                return;
        }
        add_pred(a, scan, c->column, LH_PQ_IN, e->arg_count - 1, vals);
        return;
    }
    if (e->kind != LH_EXPR_CALL || e->arg_count != 2 || e->func == NULL)
        return;
    const op_row *r = comparison(e->func);
    if (r == NULL)
        return;
    const lh_expr_t *x = e->args[0], *y = e->args[1];
    bool flip = x->kind != LH_EXPR_COLUMN;
    const lh_expr_t *col = flip ? y : x, *val = flip ? x : y;
    lh_value_t *v = lh_arena_alloc(a, sizeof *v);
    if (col->kind != LH_EXPR_COLUMN || col->column >= scan->u.scan.column_count ||
        !const_value(a, val, v) || !lh_type_equal(v->type, scan->col_types[col->column]))
        return;
    add_pred(a, scan, col->column, flip ? r->flipped : r->op, 1, v);
}

static void pushdown(lh_arena_t *a, lh_plan_t *p)
{
    if (p->kind == LH_PLAN_FILTER && p->children[0]->kind == LH_PLAN_SCAN)
        push_conjunct(a, p->children[0], p->u.filter.pred);
    for (int k = 0; k < p->child_count; k++)
        pushdown(a, p->children[k]);
}

/* ---- build side: hash the smaller input of a join ------------------------------------ */

/* A join hashes its right input and streams the left one through; when the left input is
 * estimated well under the right one (half or less), the left one is hashed instead
 * (build_left). SEMI and ANTI joins always hash the right side. Estimates come from the
 * binder (scan sizes, filters a third, joins the larger input). */
static void build_side(lh_plan_t *p)
{
    for (int k = 0; k < p->child_count; k++)
        build_side(p->children[k]);
    if (p->kind != LH_PLAN_JOIN || p->u.join.kind == LH_PJOIN_SEMI ||
        p->u.join.kind == LH_PJOIN_ANTI)
        return;
    double l = p->children[0]->est_rows, r = p->children[1]->est_rows;
    if (l >= 0 && r > 0 && l * 2 <= r)
        p->u.join.build_left = true;
}

void lh_opt_run(lh_arena_t *a, lh_plan_t *plan)
{
    lh_opt_push_filters(a, plan);
    lh_opt_join_order(a, plan);
    pushdown(a, plan);
    build_side(plan);
    bool *all = lh_arena_calloc(a, (size_t)plan->col_count + 1, sizeof *all);
    mark_all(all, plan->col_count);
    prune(a, plan, all);
}
