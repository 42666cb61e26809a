/*
 * bind_decorr.c - decorrelation: a subquery's plan with outer references, joined with the
 * domain of those references, becomes a plan without them.
 *
 * The domain D is the distinct values of the outer expressions a subquery reads (nc
 * columns). decorrelate(N) answers N evaluated once per domain row, with the domain
 * columns appended: output = N's columns ++ D's columns. It walks down from the top:
 *   Filter      over an uncorrelated child: a join of the child with D, the conjuncts
 *               `inner = outer` as hash keys, the other correlated ones as its residual
 *               (the common case: a hash join, no nested loop); else the filter over the
 *               rewritten child, outer references reading the appended columns;
 *   Project     the rewritten child, the domain columns passed through;
 *   Aggregate   grouped by the domain columns too; a global aggregate (no GROUP BY) is
 *               left-joined from D so a domain row without input still gets its one row,
 *               with each aggregate's value over no rows (count 0: the "COUNT bug");
 *   Join        the domain goes to the correlated side (both sides for outer joins,
 *               joined on the domain columns, null-safe);
 *   Union/...   both children; Sort: the child; Limit: row_number() per domain row;
 *   Window      partitioned by the domain columns too;
 *   anything without outer references: a cross join with D.
 * Outer references left anywhere else answer UNSUPPORTED_FEATURE.NOT_YET.
 */
#include <stdio.h>
#include <string.h>

#include "compute/bind/bind_internal.h"
#include "common/limits.h"
#include "compute/exec/exec.h"

/* ---- plan pieces ------------------------------------------------------------------------ */

static void copy_cols(lh_plan_t *p, int at, const lh_plan_t *src, int from, int n)
{
    for (int i = 0; i < n; i++) {
        p->col_names[at + i] = src->col_names[from + i];
        p->col_types[at + i] = src->col_types[from + i];
        p->col_nullable[at + i] = src->col_nullable[from + i];
    }
}

lh_expr_t *bd_col(binder *b, const lh_plan_t *p, int i)
{
    return lh_expr_column(b->a, i, p->col_types[i], p->col_nullable[i], p->col_names[i]);
}

lh_plan_t *bd_project(binder *b, lh_plan_t *child, int n, lh_expr_t **exprs, const char **names)
{
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_PROJECT, n, 1);
    p->children[0] = child;
    p->u.project.exprs = exprs;
    for (int i = 0; i < n; i++) {
        p->col_names[i] = names ? names[i] : exprs[i]->name;
        p->col_types[i] = exprs[i]->type;
        p->col_nullable[i] = exprs[i]->nullable;
    }
    p->est_rows = child->est_rows;
    return p;
}

lh_plan_t *bd_filter(binder *b, lh_plan_t *child, lh_expr_t *pred)
{
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_FILTER, child->col_count, 1);
    p->children[0] = child;
    p->u.filter.pred = pred;
    copy_cols(p, 0, child, 0, child->col_count);
    p->est_rows = child->est_rows >= 0 ? child->est_rows / 3 : -1;
    return p;
}

lh_plan_t *bd_join(binder *b, lh_join_kind kind, lh_plan_t *l, lh_plan_t *r, int key_count,
                   lh_expr_t **lk, lh_expr_t **rk, bool *null_safe, lh_expr_t *residual)
{
    bool semi = kind == LH_PJOIN_SEMI || kind == LH_PJOIN_ANTI;
    int n = semi ? l->col_count : l->col_count + r->col_count;
    lh_plan_t *j = lh_plan_new(b->a, LH_PLAN_JOIN, n, 2);
    j->children[0] = l;
    j->children[1] = r;
    copy_cols(j, 0, l, 0, l->col_count);
    if (!semi)
        copy_cols(j, l->col_count, r, 0, r->col_count);
    for (int i = 0; i < n; i++) {
        bool left = i < l->col_count;
        if ((left && (kind == LH_PJOIN_RIGHT || kind == LH_PJOIN_FULL)) ||
            (!left && (kind == LH_PJOIN_LEFT || kind == LH_PJOIN_FULL)))
            j->col_nullable[i] = true;
    }
    if (null_safe == NULL)
        null_safe = lh_arena_calloc(b->a, (size_t)key_count + 1, sizeof *null_safe);
    if (kind == LH_PJOIN_CROSS || kind == LH_PJOIN_INNER)
        kind = key_count == 0 && residual == NULL ? LH_PJOIN_CROSS : LH_PJOIN_INNER;
    j->u.join.kind = kind;
    j->u.join.key_count = key_count;
    j->u.join.left_keys = lk;
    j->u.join.right_keys = rk;
    j->u.join.null_safe = null_safe;
    j->u.join.residual = residual;
    j->est_rows = l->est_rows > r->est_rows ? l->est_rows : r->est_rows;
    return j;
}

lh_plan_t *bd_aggregate(binder *b, lh_plan_t *child, int key_count, lh_expr_t **keys, int agg_count,
                        lh_agg_call_t *aggs)
{
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_AGGREGATE, key_count + agg_count, 1);
    p->children[0] = child;
    for (int i = 0; i < key_count; i++) {
        p->col_names[i] = keys[i]->name ? keys[i]->name : "key";
        p->col_types[i] = keys[i]->type;
        p->col_nullable[i] = keys[i]->nullable;
    }
    for (int i = 0; i < agg_count; i++) {
        p->col_names[key_count + i] = aggs[i].name;
        p->col_types[key_count + i] = aggs[i].type;
        p->col_nullable[key_count + i] = true;
    }
    p->u.aggregate.key_count = key_count;
    p->u.aggregate.keys = keys;
    p->u.aggregate.agg_count = agg_count;
    p->u.aggregate.aggs = aggs;
    p->est_rows = child->est_rows;
    return p;
}

/* A deep copy of the nodes (expressions are shared: operators evaluate private copies). */
lh_plan_t *bd_copy(binder *b, const lh_plan_t *p)
{
    lh_plan_t *c = lh_arena_alloc(b->a, sizeof *c);
    *c = *p;
    if (p->child_count > 0) {
        c->children = lh_arena_calloc(b->a, (size_t)p->child_count, sizeof *c->children);
        for (int i = 0; i < p->child_count; i++)
            c->children[i] = bd_copy(b, p->children[i]);
    }
    return c;
}

lh_err bd_agg_call(binder *b, const char *fn, int argc, lh_expr_t **args, lh_agg_call_t *out)
{
    const lh_agg_func_t *af = lh_agg_find(fn);
    LH_ASSERT(af != NULL);
    lh_type_t *types = lh_arena_calloc(b->a, (size_t)argc + 1, sizeof *types);
    const lh_value_t **consts = lh_arena_calloc(b->a, (size_t)argc + 1, sizeof *consts);
    lh_expr_t **a = lh_arena_calloc(b->a, (size_t)argc + 1, sizeof *a);
    for (int i = 0; i < argc; i++)
        types[i] = args[i]->type, a[i] = args[i];
    lh_func_bind_t fb = {.arg_count = argc,
                         .arg_types = types,
                         .const_args = consts,
                         .conf = lh_session_conf(b->env->session),
                         .arena = b->a};
    fb.cast_to = lh_arena_calloc(b->a, (size_t)argc + 1, sizeof *fb.cast_to);
    memcpy(fb.cast_to, types, (size_t)argc * sizeof *types);
    LH_TRY(af->bind(&fb, b->eb));
    for (int i = 0; i < argc; i++)
        LH_TRY(bx_coerce(b, &a[i], fb.cast_to[i]));
    *out = (lh_agg_call_t){.func = af,
                           .bind_data = fb.bind_data,
                           .arg_count = argc,
                           .args = a,
                           .type = fb.ret_type,
                           .name = fn};
    return LH_OK;
}

/* ---- outer references --------------------------------------------------------------------- */

static bool is_outer(int column)
{
    return column <= LH_OUTER_MARKER && column > LH_OUTER_MARKER - LH_MARKER_SPAN;
}

bool bd_expr_has_outer(const lh_expr_t *e)
{
    if (e == NULL)
        return false;
    if (e->kind == LH_EXPR_COLUMN && is_outer(e->column))
        return true;
    for (int i = 0; i < e->arg_count; i++)
        if (bd_expr_has_outer(e->args[i]))
            return true;
    return false;
}

static bool exprs_have_outer(lh_expr_t *const *e, int n)
{
    for (int i = 0; i < n; i++)
        if (bd_expr_has_outer(e[i]))
            return true;
    return false;
}

static bool node_has_outer(const lh_plan_t *p)
{
    switch (p->kind) {
    case LH_PLAN_FILTER:
        return bd_expr_has_outer(p->u.filter.pred);
    case LH_PLAN_PROJECT:
        return exprs_have_outer(p->u.project.exprs, p->col_count);
    case LH_PLAN_AGGREGATE: {
        if (exprs_have_outer(p->u.aggregate.keys, p->u.aggregate.key_count))
            return true;
        for (int i = 0; i < p->u.aggregate.agg_count; i++) {
            const lh_agg_call_t *c = &p->u.aggregate.aggs[i];
            if (exprs_have_outer(c->args, c->arg_count) || bd_expr_has_outer(c->filter))
                return true;
        }
        return false;
    }
    case LH_PLAN_JOIN:
        return exprs_have_outer(p->u.join.left_keys, p->u.join.key_count) ||
               exprs_have_outer(p->u.join.right_keys, p->u.join.key_count) ||
               bd_expr_has_outer(p->u.join.residual);
    case LH_PLAN_SORT:
        for (int i = 0; i < p->u.sort.key_count; i++)
            if (bd_expr_has_outer(p->u.sort.keys[i].expr))
                return true;
        return false;
    case LH_PLAN_WINDOW:
        for (int i = 0; i < p->u.window.call_count; i++) {
            const lh_window_call_t *c = &p->u.window.calls[i];
            if (exprs_have_outer(c->args, c->arg_count) ||
                exprs_have_outer(c->partition, c->partition_count))
                return true;
            for (int k = 0; k < c->order_count; k++)
                if (bd_expr_has_outer(c->order[k].expr))
                    return true;
        }
        return false;
    case LH_PLAN_VALUES:
        for (int r = 0; r < p->u.values.row_count; r++)
            if (exprs_have_outer(p->u.values.rows[r], p->col_count))
                return true;
        return false;
    case LH_PLAN_SCAN:
        return bd_expr_has_outer(p->u.scan.filter);
    default:
        return false;
    }
}

bool bd_plan_has_outer(const lh_plan_t *p)
{
    if (node_has_outer(p))
        return true;
    for (int i = 0; i < p->child_count; i++)
        if (bd_plan_has_outer(p->children[i]))
            return true;
    return false;
}

/* A copy of e: outer reference k reads column mbase + k; columns >= split move by shift. */
typedef struct remap {
    int split, shift, mbase;
} remap;

static lh_expr_t *rw(binder *b, const lh_expr_t *e, remap m)
{
    if (e == NULL)
        return NULL;
    lh_expr_t *c = lh_arena_alloc(b->a, sizeof *c);
    *c = *e;
    if (c->kind == LH_EXPR_COLUMN && is_outer(c->column))
        c->column = m.mbase + (LH_OUTER_MARKER - c->column);
    else if (c->kind == LH_EXPR_COLUMN && c->column >= m.split)
        c->column += m.shift;
    if (e->arg_count) {
        c->args = lh_arena_calloc(b->a, (size_t)e->arg_count, sizeof *c->args);
        for (int i = 0; i < e->arg_count; i++)
            c->args[i] = rw(b, e->args[i], m);
    }
    return c;
}

static lh_expr_t **rw_all(binder *b, lh_expr_t *const *e, int n, int extra, remap m)
{
    lh_expr_t **out = lh_arena_calloc(b->a, (size_t)(n + extra) + 1, sizeof *out);
    for (int i = 0; i < n; i++)
        out[i] = rw(b, e[i], m);
    return out;
}

static remap at(int mbase)
{
    return (remap){1 << 30, 0, mbase};
}

/* ---- the rewrite -------------------------------------------------------------------------- */

typedef struct dctx {
    binder *b;
    lh_plan_t *dom;
    int nc;
} dctx;

static lh_err push(dctx *d, lh_plan_t *n, lh_plan_t **out);

static lh_err not_yet(dctx *d, const char *what)
{
    return lh_sqlerr(
        d->b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
        lh_arena_sprintf(d->b->a, "a correlated subquery with outer references %s", what), NULL);
}

static lh_expr_t *and2(binder *b, lh_expr_t *x, lh_expr_t *y)
{
    if (x == NULL)
        return y;
    if (y == NULL)
        return x;
    lh_expr_t *both[2] = {x, y};
    return lh_expr_node(b->a, LH_EXPR_AND, (lh_type_t){LH_TYPE_BOOLEAN}, x->nullable || y->nullable,
                        2, both, NULL);
}

/* Project child's columns 0..n ordered by idx. */
static lh_plan_t *reorder(binder *b, lh_plan_t *child, int n, const int *idx)
{
    lh_expr_t **e = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *e);
    const char **names = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *names);
    for (int i = 0; i < n; i++) {
        e[i] = bd_col(b, child, idx[i]);
        names[i] = child->col_names[idx[i]];
    }
    return bd_project(b, child, n, e, names);
}

static lh_plan_t *cross_dom(dctx *d, lh_plan_t *n)
{
    return bd_join(d->b, LH_PJOIN_INNER, n, bd_copy(d->b, d->dom), 0, NULL, NULL, NULL, NULL);
}

static bool reads_columns(const lh_expr_t *e)
{
    if (e->kind == LH_EXPR_COLUMN && !is_outer(e->column))
        return true;
    for (int i = 0; i < e->arg_count; i++)
        if (reads_columns(e->args[i]))
            return true;
    return false;
}

/* Is e `inner = outer` (one side inner columns only, the other outer references only)? */
static bool corr_key(const lh_expr_t *e, lh_expr_t **inner, lh_expr_t **outer)
{
    static const char *const eq[] = {"=", "equal", "eq"};
    if (e->kind != LH_EXPR_CALL || e->arg_count != 2 || e->func != bx_func(eq) ||
        !lh_type_equal(e->args[0]->type, e->args[1]->type))
        return false;
    for (int s = 0; s < 2; s++) {
        lh_expr_t *o = e->args[s], *i = e->args[1 - s];
        if (bd_expr_has_outer(o) && !reads_columns(o) && !bd_expr_has_outer(i) &&
            reads_columns(i)) {
            *inner = i;
            *outer = o;
            return true;
        }
    }
    return false;
}

typedef struct conj {
    int count;
    lh_expr_t *items[64];
} conj;

static void split_and(lh_expr_t *e, conj *c, lh_expr_t **rest, binder *b)
{
    if (e->kind == LH_EXPR_AND) {
        split_and(e->args[0], c, rest, b);
        split_and(e->args[1], c, rest, b);
    } else if (c->count < 64) {
        c->items[c->count++] = e;
    } else {
        *rest = and2(b, *rest, e);
    }
}

/* Filter over an uncorrelated child: child JOIN D on the `inner = outer` conjuncts. */
static lh_err push_filter_leaf(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    binder *b = d->b;
    lh_plan_t *child = n->children[0];
    int w = child->col_count;
    conj c = {0};
    lh_expr_t *below = NULL, *residual = NULL;
    split_and(n->u.filter.pred, &c, &residual, b);
    if (residual != NULL)
        residual = rw(b, residual, at(w));
    lh_expr_t **lk = lh_arena_calloc(b->a, (size_t)c.count + 1, sizeof *lk);
    lh_expr_t **rk = lh_arena_calloc(b->a, (size_t)c.count + 1, sizeof *rk);
    int nk = 0;
    for (int i = 0; i < c.count; i++) {
        lh_expr_t *e = c.items[i], *in, *o;
        if (!bd_expr_has_outer(e))
            below = and2(b, below, e);
        else if (corr_key(e, &in, &o)) {
            lk[nk] = in;
            rk[nk++] = rw(b, o, at(0));
        } else {
            residual = and2(b, residual, rw(b, e, at(w)));
        }
    }
    if (below != NULL)
        child = bd_filter(b, child, below);
    *out = bd_join(b, LH_PJOIN_INNER, child, bd_copy(b, d->dom), nk, lk, rk, NULL, residual);
    return LH_OK;
}

static lh_err push_filter(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    if (!bd_plan_has_outer(n->children[0]))
        return push_filter_leaf(d, n, out);
    lh_plan_t *c;
    LH_TRY(push(d, n->children[0], &c));
    *out = bd_filter(d->b, c, rw(d->b, n->u.filter.pred, at(n->children[0]->col_count)));
    return LH_OK;
}

static lh_err push_project(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    binder *b = d->b;
    lh_plan_t *c;
    LH_TRY(push(d, n->children[0], &c));
    int w = n->children[0]->col_count, m = n->col_count;
    lh_expr_t **e = rw_all(b, n->u.project.exprs, m, d->nc, at(w));
    const char **names = lh_arena_calloc(b->a, (size_t)(m + d->nc) + 1, sizeof *names);
    memcpy(names, n->col_names, (size_t)m * sizeof *names);
    for (int k = 0; k < d->nc; k++) {
        e[m + k] = bd_col(b, c, w + k);
        names[m + k] = c->col_names[w + k];
    }
    *out = bd_project(b, c, m + d->nc, e, names);
    return LH_OK;
}

/* The values a global aggregate gives over no rows (count 0, most others NULL). */
typedef struct row_sink {
    binder *b;
    int n;
    lh_value_t *vals;
    bool got;
} row_sink;

static lh_err take_row(void *ctx, const lh_batch_t *batch, lh_errbuf *eb)
{
    (void)eb;
    row_sink *r = ctx;
    for (size_t i = 0; i < batch->row_count && !r->got; i++) {
        for (int c = 0; c < r->n && c < (int)batch->col_count; c++) {
            lh_vec_get_value(batch->cols[c], i, &r->vals[c]);
            lh_value_t *v = &r->vals[c];
            if (!v->is_null && lh_type_is_bytes(v->type)) {
                uint8_t *copy = lh_arena_alloc(r->b->a, v->v.str.len + 1);
                memcpy(copy, v->v.str.ptr, v->v.str.len);
                v->v.str.ptr = copy;
            }
        }
        r->got = true;
    }
    return LH_OK;
}

static lh_err empty_values(binder *b, const lh_plan_t *child, int agg_count, lh_agg_call_t *aggs,
                           lh_value_t **out)
{
    lh_plan_t *empty = lh_plan_new(b->a, LH_PLAN_EMPTY, child->col_count, 0);
    copy_cols(empty, 0, child, 0, child->col_count);
    lh_plan_t *agg = bd_aggregate(b, empty, 0, NULL, agg_count, aggs);
    row_sink r = {b, agg_count, lh_arena_calloc(b->a, (size_t)agg_count + 1, sizeof(lh_value_t)),
                  false};
    for (int i = 0; i < agg_count; i++)
        r.vals[i] = (lh_value_t){.type = aggs[i].type, .is_null = true};
    lh_exec_opts_t o = {NULL, lh_session_conf(b->env->session), LH_QUERY_MEMORY_DEFAULT, NULL, 0};
    lh_exec_stats_t stats;
    LH_TRY(lh_exec_run(agg, &o, take_row, &r, &stats, b->eb));
    *out = r.vals;
    return LH_OK;
}

static lh_agg_call_t *rw_aggs(binder *b, const lh_plan_t *n, int w)
{
    int na = n->u.aggregate.agg_count;
    lh_agg_call_t *aggs = lh_arena_calloc(b->a, (size_t)na + 1, sizeof *aggs);
    for (int i = 0; i < na; i++) {
        aggs[i] = n->u.aggregate.aggs[i];
        aggs[i].args = rw_all(b, aggs[i].args, aggs[i].arg_count, 0, at(w));
        aggs[i].filter = rw(b, aggs[i].filter, at(w));
    }
    return aggs;
}

/* A global aggregate: D LEFT JOIN (aggregate by D), empty groups get the no-row values. */
static lh_err push_global_agg(dctx *d, lh_plan_t *n, lh_plan_t *c, int w, lh_agg_call_t *aggs,
                              lh_plan_t **out)
{
    binder *b = d->b;
    int na = n->u.aggregate.agg_count, nc = d->nc;
    lh_value_t *none;
    LH_TRY(empty_values(b, c, na, aggs, &none));
    lh_expr_t **keys = lh_arena_calloc(b->a, (size_t)nc + 1, sizeof *keys);
    for (int k = 0; k < nc; k++)
        keys[k] = bd_col(b, c, w + k);
    lh_plan_t *g = bd_aggregate(b, c, nc, keys, na, aggs);
    lh_plan_t *dom = bd_copy(b, d->dom);
    lh_expr_t **lk = lh_arena_calloc(b->a, (size_t)nc + 1, sizeof *lk);
    lh_expr_t **rk = lh_arena_calloc(b->a, (size_t)nc + 1, sizeof *rk);
    bool *ns = lh_arena_calloc(b->a, (size_t)nc + 1, sizeof *ns);
    for (int k = 0; k < nc; k++) {
        lk[k] = bd_col(b, dom, k);
        rk[k] = bd_col(b, g, k);
        ns[k] = true;
    }
    lh_plan_t *j = bd_join(b, LH_PJOIN_LEFT, dom, g, nc, lk, rk, ns, NULL);
    lh_expr_t **e = lh_arena_calloc(b->a, (size_t)(na + nc) + 1, sizeof *e);
    const char **names = lh_arena_calloc(b->a, (size_t)(na + nc) + 1, sizeof *names);
    for (int i = 0; i < na; i++) {
        lh_expr_t *v = bd_col(b, j, nc + nc + i);
        if (!none[i].is_null) {
            lh_expr_t *pair[2] = {v, lh_expr_const(b->a, &none[i], NULL)};
            v = lh_expr_node(b->a, LH_EXPR_COALESCE, v->type, false, 2, pair, v->name);
        }
        e[i] = v;
        names[i] = n->col_names[i];
    }
    for (int k = 0; k < nc; k++) {
        e[na + k] = bd_col(b, j, k);
        names[na + k] = j->col_names[k];
    }
    *out = bd_project(b, j, na + nc, e, names);
    return LH_OK;
}

static lh_err push_aggregate(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    binder *b = d->b;
    lh_plan_t *c;
    LH_TRY(push(d, n->children[0], &c));
    int w = n->children[0]->col_count, nk = n->u.aggregate.key_count;
    int na = n->u.aggregate.agg_count, nc = d->nc;
    lh_agg_call_t *aggs = rw_aggs(b, n, w);
    if (nk == 0 && n->u.aggregate.set_count == 0)
        return push_global_agg(d, n, c, w, aggs, out);
    lh_expr_t **keys = rw_all(b, n->u.aggregate.keys, nk, nc, at(w));
    for (int k = 0; k < nc; k++)
        keys[nk + k] = bd_col(b, c, w + k);
    lh_plan_t *g = bd_aggregate(b, c, nk + nc, keys, na, aggs);
    for (int i = 0; i < nk; i++) /* grouping sets: the domain is in every set */
        g->col_nullable[i] = n->col_nullable[i];
    if (n->u.aggregate.set_count > 0) {
        if (nk + nc > 63)
            return not_yet(d, "in a large grouping set");
        int sc = n->u.aggregate.set_count;
        uint64_t *sets = lh_arena_calloc(b->a, (size_t)sc + 1, sizeof *sets);
        for (int s = 0; s < sc; s++) {
            sets[s] = n->u.aggregate.sets[s];
            for (int k = 0; k < nc; k++)
                sets[s] |= 1ull << (nk + k);
        }
        g->u.aggregate.set_count = sc;
        g->u.aggregate.sets = sets;
    }
    int *idx = lh_arena_calloc(b->a, (size_t)(nk + na + nc) + 1, sizeof *idx);
    for (int i = 0; i < nk; i++)
        idx[i] = i;
    for (int i = 0; i < na; i++)
        idx[nk + i] = nk + nc + i;
    for (int k = 0; k < nc; k++)
        idx[nk + na + k] = nk + k;
    *out = reorder(b, g, nk + na + nc, idx);
    for (int i = 0; i < nk + na; i++)
        (*out)->col_names[i] = n->col_names[i];
    return LH_OK;
}

static lh_expr_t **shift_keys(binder *b, lh_expr_t **k, int n, remap m)
{
    return rw_all(b, k, n, 0, m);
}

static lh_err push_join(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    binder *b = d->b;
    lh_plan_t *l = n->children[0], *r = n->children[1];
    lh_join_kind kind = n->u.join.kind;
    int wl = l->col_count, wr = r->col_count, nc = d->nc, nk = n->u.join.key_count;
    bool ml = bd_plan_has_outer(l), mr = bd_plan_has_outer(r),
         semi = kind == LH_PJOIN_SEMI || kind == LH_PJOIN_ANTI;
    bool mcond = node_has_outer(n);
    bool left_only =
        !mr && (kind == LH_PJOIN_INNER || kind == LH_PJOIN_CROSS || kind == LH_PJOIN_LEFT || semi);
    bool right_only = !ml && !mcond &&
                      (kind == LH_PJOIN_INNER || kind == LH_PJOIN_CROSS || kind == LH_PJOIN_RIGHT);
    lh_plan_t *l2 = l, *r2 = r;
    if (right_only) {
        LH_TRY(push(d, r, &r2));
        lh_expr_t **rk = shift_keys(b, n->u.join.right_keys, nk, at(wr));
        lh_expr_t *res = rw(b, n->u.join.residual, at(wl + wr));
        *out = bd_join(b, kind, l, r2, nk, n->u.join.left_keys, rk, n->u.join.null_safe, res);
        return LH_OK; /* l ++ r ++ D already */
    }
    LH_TRY(push(d, l, &l2));
    if (!left_only)
        LH_TRY(push(d, r, &r2));
    int extra = left_only ? 0 : nc;
    lh_expr_t **lk = lh_arena_calloc(b->a, (size_t)(nk + extra) + 1, sizeof *lk);
    lh_expr_t **rk = lh_arena_calloc(b->a, (size_t)(nk + extra) + 1, sizeof *rk);
    bool *ns = lh_arena_calloc(b->a, (size_t)(nk + extra) + 1, sizeof *ns);
    for (int i = 0; i < nk; i++) {
        lk[i] = rw(b, n->u.join.left_keys[i], at(wl));
        rk[i] = rw(b, n->u.join.right_keys[i], at(wr));
        ns[i] = n->u.join.null_safe ? n->u.join.null_safe[i] : false;
    }
    for (int k = 0; k < extra; k++) {
        lk[nk + k] = bd_col(b, l2, wl + k);
        rk[nk + k] = bd_col(b, r2, wr + k);
        ns[nk + k] = true;
    }
    lh_expr_t *res = rw(b, n->u.join.residual, (remap){wl, nc, wl});
    lh_plan_t *j = bd_join(b, kind, l2, r2, nk + extra, lk, rk, ns, res);
    if (semi)
        return *out = j, LH_OK;
    /* l, Dl, r[, Dr] -> l, r, D */
    int *idx = lh_arena_calloc(b->a, (size_t)(wl + wr + nc) + 1, sizeof *idx);
    for (int i = 0; i < wl; i++)
        idx[i] = i;
    for (int i = 0; i < wr; i++)
        idx[wl + i] = wl + nc + i;
    for (int k = 0; k < nc; k++)
        idx[wl + wr + k] = kind == LH_PJOIN_RIGHT && !left_only ? wl + nc + wr + k : wl + k;
    *out = reorder(b, j, wl + wr + nc, idx);
    if (kind == LH_PJOIN_FULL) { /* the domain from whichever side has the row */
        for (int k = 0; k < nc; k++) {
            lh_expr_t *pair[2] = {bd_col(b, j, wl + k), bd_col(b, j, wl + nc + wr + k)};
            (*out)->u.project.exprs[wl + wr + k] =
                lh_expr_node(b->a, LH_EXPR_COALESCE, pair[0]->type, true, 2, pair, NULL);
        }
    }
    return LH_OK;
}

static lh_err push_setop(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    lh_plan_t *p = lh_plan_new(d->b->a, LH_PLAN_SETOP, n->col_count + d->nc, n->child_count);
    p->u = n->u;
    p->est_rows = n->est_rows;
    for (int i = 0; i < n->child_count; i++)
        LH_TRY(push(d, n->children[i], &p->children[i]));
    copy_cols(p, 0, p->children[0], 0, p->col_count);
    copy_cols(p, 0, n, 0, n->col_count);
    *out = p;
    return LH_OK;
}

static lh_sort_key_t *sort_keys(binder *b, const lh_sort_key_t *keys, int n, const lh_plan_t *c)
{
    lh_sort_key_t *k = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *k);
    for (int i = 0; i < n; i++) {
        k[i] = keys[i];
        k[i].expr = rw(b, keys[i].expr, at(c->col_count));
    }
    return k;
}

/* Sort: the order matters only under a Limit, which takes it along. */
static lh_err push_sort(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    lh_plan_t *c;
    LH_TRY(push(d, n->children[0], &c));
    lh_plan_t *p = lh_arena_alloc(d->b->a, sizeof *p);
    *p = *n;
    p->children = lh_arena_calloc(d->b->a, 1, sizeof *p->children);
    p->children[0] = c;
    p->col_count = c->col_count;
    p->col_names = c->col_names;
    p->col_types = c->col_types;
    p->col_nullable = c->col_nullable;
    p->u.sort.keys = sort_keys(d->b, n->u.sort.keys, n->u.sort.key_count, n->children[0]);
    *out = p;
    return LH_OK;
}

static lh_plan_t *window_over(binder *b, lh_plan_t *c, int nwin, lh_window_call_t *calls)
{
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_WINDOW, c->col_count + nwin, 1);
    p->children[0] = c;
    copy_cols(p, 0, c, 0, c->col_count);
    for (int i = 0; i < nwin; i++) {
        p->col_names[c->col_count + i] = calls[i].name;
        p->col_types[c->col_count + i] = calls[i].type;
        p->col_nullable[c->col_count + i] = true;
    }
    p->u.window.call_count = nwin;
    p->u.window.calls = calls;
    p->est_rows = c->est_rows;
    return p;
}

static lh_expr_t **dom_cols(binder *b, const lh_plan_t *c, int w, int nc)
{
    lh_expr_t **e = lh_arena_calloc(b->a, (size_t)nc + 1, sizeof *e);
    for (int k = 0; k < nc; k++)
        e[k] = bd_col(b, c, w + k);
    return e;
}

/* Limit per domain row: row_number() over (partition by D order by the sort keys). */
static lh_err push_limit(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    binder *b = d->b;
    lh_plan_t *inner = n->children[0];
    int nkeys = 0;
    lh_sort_key_t *keys = NULL;
    if (inner->kind == LH_PLAN_SORT) {
        nkeys = inner->u.sort.key_count;
        keys = inner->u.sort.keys;
        inner = inner->children[0];
    }
    lh_plan_t *c;
    LH_TRY(push(d, inner, &c));
    int w = inner->col_count;
    lh_window_call_t *call = lh_arena_calloc(b->a, 1, sizeof *call);
    call->rank_fn = "row_number";
    call->partition_count = d->nc;
    call->partition = dom_cols(b, c, w, d->nc);
    call->order_count = nkeys;
    call->order = keys ? sort_keys(b, keys, nkeys, inner) : NULL;
    call->frame_rows = true;
    call->frame_start = INT64_MIN;
    call->frame_end = 0;
    call->type = (lh_type_t){LH_TYPE_INT};
    call->name = "__rn";
    lh_plan_t *win = window_over(b, c, 1, call);
    lh_expr_t *rn = bd_col(b, win, c->col_count);
    static const char *const gt[] = {">", "greater", "gt"}, *const le[] = {"<=", "less_equal",
                                                                           "le"};
    lh_value_t off = {.type = {LH_TYPE_INT}, .v.i64 = n->u.limit.offset};
    lh_value_t lim = {.type = {LH_TYPE_INT}, .v.i64 = n->u.limit.offset + n->u.limit.limit};
    lh_expr_t *pred = NULL, *t, *pair[2] = {rn, lh_expr_const(b->a, &off, NULL)};
    const lh_sql_conf_t *conf = lh_session_conf(b->env->session);
    if (n->u.limit.offset > 0) {
        LH_TRY(lh_expr_call(b->a, bx_func(gt), 2, pair, conf, NULL, &t, b->eb));
        pred = t;
    }
    if (n->u.limit.limit >= 0) {
        pair[1] = lh_expr_const(b->a, &lim, NULL);
        LH_TRY(lh_expr_call(b->a, bx_func(le), 2, pair, conf, NULL, &t, b->eb));
        pred = and2(b, pred, t);
    }
    lh_plan_t *f = pred ? bd_filter(b, win, pred) : win;
    int *idx = lh_arena_calloc(b->a, (size_t)c->col_count + 1, sizeof *idx);
    for (int i = 0; i < c->col_count; i++)
        idx[i] = i;
    *out = reorder(b, f, c->col_count, idx);
    return LH_OK;
}

static lh_err push_window(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    binder *b = d->b;
    lh_plan_t *c;
    LH_TRY(push(d, n->children[0], &c));
    int w = n->children[0]->col_count, nw = n->u.window.call_count, nc = d->nc;
    lh_window_call_t *calls = lh_arena_calloc(b->a, (size_t)nw + 1, sizeof *calls);
    for (int i = 0; i < nw; i++) {
        lh_window_call_t *k = &calls[i];
        *k = n->u.window.calls[i];
        k->args = rw_all(b, k->args, k->arg_count, 0, at(w));
        lh_expr_t **part = rw_all(b, k->partition, k->partition_count, nc, at(w));
        for (int j = 0; j < nc; j++)
            part[k->partition_count + j] = bd_col(b, c, w + j);
        k->partition = part;
        k->partition_count += nc;
        lh_sort_key_t *order = lh_arena_calloc(b->a, (size_t)k->order_count + 1, sizeof *order);
        for (int j = 0; j < k->order_count; j++) {
            order[j] = k->order[j];
            order[j].expr = rw(b, order[j].expr, at(w));
        }
        k->order = order;
        for (int j = 0; j < 2; j++)
            if (k->frame_bound[j] != NULL)
                k->frame_bound[j] = rw(b, k->frame_bound[j], at(w));
    }
    lh_plan_t *win = window_over(b, c, nw, calls);
    int *idx = lh_arena_calloc(b->a, (size_t)(w + nw + nc) + 1, sizeof *idx);
    for (int i = 0; i < w; i++)
        idx[i] = i;
    for (int i = 0; i < nw; i++)
        idx[w + i] = w + nc + i;
    for (int k = 0; k < nc; k++)
        idx[w + nw + k] = w + k;
    *out = reorder(b, win, w + nw + nc, idx);
    return LH_OK;
}

static lh_err push(dctx *d, lh_plan_t *n, lh_plan_t **out)
{
    if (!bd_plan_has_outer(n)) {
        *out = cross_dom(d, n);
        return LH_OK;
    }
    switch (n->kind) {
    case LH_PLAN_FILTER:
        return push_filter(d, n, out);
    case LH_PLAN_PROJECT:
        return push_project(d, n, out);
    case LH_PLAN_AGGREGATE:
        return push_aggregate(d, n, out);
    case LH_PLAN_JOIN:
        return push_join(d, n, out);
    case LH_PLAN_SETOP:
        return push_setop(d, n, out);
    case LH_PLAN_SORT:
        return push_sort(d, n, out);
    case LH_PLAN_LIMIT:
        return push_limit(d, n, out);
    case LH_PLAN_WINDOW:
        return push_window(d, n, out);
    default:
        return not_yet(d, "in this position");
    }
}

lh_err bd_decorrelate(binder *b, lh_plan_t *sub, lh_plan_t *dom, int nc, lh_plan_t **out)
{
    dctx d = {b, dom, nc};
    LH_TRY(push(&d, sub, out));
    LH_ASSERT((*out)->col_count == sub->col_count + nc);
    return LH_OK; /* (outer references left are the enclosing query's, inside domains) */
}
