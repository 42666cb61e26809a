/*
 * opt_join.c - join order from estimated cardinalities.
 *
 * A maximal tree of INNER / CROSS joins (and deterministic Filters between them) is one
 * join graph: its leaves are the inputs that are anything else (outer, semi and anti
 * joins, aggregates, projections, scans ...), its predicates every join key (as an
 * equality), every residual conjunct and every Filter conjunct inside the tree, over the
 * tree's output columns (leaf after leaf, as written).
 *
 * Order (greedy): from a first leaf, repeatedly join the leaf connected to what is joined
 * so far by an equality (one side over the joined leaves, the other over that leaf) whose
 * estimated result is smallest; a cross product (the smallest remaining leaf) only when no
 * leaf is connected. Every leaf is tried as the first one and the order whose joins make
 * the fewest estimated rows in all wins (ties: the smallest first leaf), so a cross
 * product is made where it costs least: last, or first between two small inputs that only
 * connect through a big one. Estimates, documented and simple:
 *   key join       max(left, right)     (keys are mostly foreign keys into one side)
 *   cross product  left * right
 *   each other conjunct that becomes applicable at the join divides by 3.
 * Unknown leaf estimates (< 0) count as 1e12 (large: joined last).
 *
 * Rebuild: a left-deep tree in that order; each join's keys are the equalities between its
 * two sides (one type on both sides; <=> stays null-safe), every other conjunct is a
 * residual of the lowest join that has all its columns. A Project on top restores the
 * tree's original output (columns in the written order, names, types, nullability), so no
 * node above changes (a Project directly above reads the new tree itself instead).
 * Left as they are: trees of fewer than three leaves (build side covers them) or more than
 * 64, trees already in the chosen left-deep order, trees with a non-deterministic conjunct
 * or directly under a non-deterministic Filter, trees with a written key whose side reads
 * more than one leaf (or none). DML nodes are not entered (their executor reads the shapes
 * the binder built).
 */
#include <string.h>

#include "compute/func/func.h"
#include "compute/opt/opt.h"
#include "compute/opt/opt_internal.h"

#define MAX_LEAVES   64
#define UNKNOWN_ROWS 1e12

typedef struct jpred {
    lh_expr_t *e;       /* the conjunct over the tree's output columns */
    lh_expr_t *k0, *k1; /* equality sides (e's args), or NULL */
    bool null_safe;
    bool written_key;      /* a key of the tree as written: e is no expression, only columns */
    uint64_t mask, m0, m1; /* leaves read by e, k0, k1 */
    bool placed;
} jpred;

typedef struct jgraph {
    lh_plan_t *leaf[MAX_LEAVES];
    int base[MAX_LEAVES]; /* first output column of each leaf */
    int leaf_count;
    int col_count;
    jpred *pred;
    int pred_count, pred_cap;
    bool left_deep; /* the tree as written is left-deep */
    bool ok;        /* false: leave the tree alone */
} jgraph;

static bool inner_join(const lh_plan_t *p)
{
    return p->kind == LH_PLAN_JOIN &&
           (p->u.join.kind == LH_PJOIN_INNER || p->u.join.kind == LH_PJOIN_CROSS);
}

/* Whether p starts a join graph: an inner join, or deterministic Filters over one. */
static bool graph_root(const lh_plan_t *p)
{
    while (p->kind == LH_PLAN_FILTER && opt_deterministic(p->u.filter.pred))
        p = p->children[0];
    return inner_join(p);
}

static void add_pred(lh_arena_t *a, jgraph *g, lh_expr_t *e, lh_expr_t *k0, lh_expr_t *k1,
                     bool null_safe)
{
    bool written = k0 != NULL;
    if (e->kind == LH_EXPR_AND && k0 == NULL) {
        add_pred(a, g, e->args[0], NULL, NULL, false);
        add_pred(a, g, e->args[1], NULL, NULL, false);
        return;
    }
    if (!opt_deterministic(e))
        g->ok = false;
    if (g->pred_count == g->pred_cap) {
        int cap = g->pred_cap ? g->pred_cap * 2 : 16;
        jpred *v = lh_arena_calloc(a, (size_t)cap, sizeof *v);
        if (g->pred_count)
            memcpy(v, g->pred, (size_t)g->pred_count * sizeof *v);
        g->pred = v;
        g->pred_cap = cap;
    }
    bool ns = false;
    if (k0 == NULL && opt_is_equality(e, &ns) &&
        lh_type_equal(e->args[0]->type, e->args[1]->type)) {
        k0 = e->args[0];
        k1 = e->args[1];
        null_safe = ns;
    }
    g->pred[g->pred_count++] = (jpred){e, k0, k1, null_safe, written, 0, 0, 0, false};
}

/* Collect the tree under p, whose output starts at column base. */
static void collect(lh_arena_t *a, jgraph *g, lh_plan_t *p, int base)
{
    if (!g->ok)
        return;
    if (p->kind == LH_PLAN_FILTER && opt_deterministic(p->u.filter.pred) && graph_root(p)) {
        add_pred(a, g, opt_copy_expr(a, p->u.filter.pred, NULL, NULL, base), NULL, NULL, false);
        collect(a, g, p->children[0], base);
        return;
    }
    if (inner_join(p)) {
        int nl = p->children[0]->col_count;
        if (graph_root(p->children[1]))
            g->left_deep = false;
        collect(a, g, p->children[0], base);
        collect(a, g, p->children[1], base + nl);
        for (int i = 0; i < p->u.join.key_count; i++) {
            lh_expr_t *l = opt_copy_expr(a, p->u.join.left_keys[i], NULL, NULL, base);
            lh_expr_t *r = opt_copy_expr(a, p->u.join.right_keys[i], NULL, NULL, base + nl);
            bool ns = p->u.join.null_safe != NULL && p->u.join.null_safe[i];
            lh_expr_t *args[2] = {l, r};
            add_pred(a, g, lh_expr_node(a, LH_EXPR_AND, l->type, true, 2, args, "key"), l, r, ns);
        }
        if (p->u.join.residual != NULL)
            add_pred(a, g, opt_copy_expr(a, p->u.join.residual, NULL, NULL, base), NULL, NULL,
                     false);
        return;
    }
    if (g->leaf_count == MAX_LEAVES) {
        g->ok = false;
        return;
    }
    g->leaf[g->leaf_count] = p;
    g->base[g->leaf_count++] = base;
}

static uint64_t cols_mask(const jgraph *g, const lh_expr_t *e)
{
    uint64_t m = 0;
    if (e->kind == LH_EXPR_COLUMN) {
        for (int i = g->leaf_count - 1; i >= 0; i--)
            if (e->column >= g->base[i]) {
                m |= (uint64_t)1 << i;
                break;
            }
    }
    for (int i = 0; i < e->arg_count; i++)
        m |= cols_mask(g, e->args[i]);
    return m;
}

static double est(const lh_plan_t *p)
{
    return p->est_rows >= 0 ? p->est_rows : UNKNOWN_ROWS;
}

static bool sub(uint64_t m, uint64_t of)
{
    return (m & ~of) == 0;
}

/* Whether pred i joins set s with leaf set t by an equality (one side each). */
static bool connects(const jpred *q, uint64_t s, uint64_t t)
{
    if (q->k0 == NULL || q->m0 == 0 || q->m1 == 0)
        return false;
    return (sub(q->m0, s) && sub(q->m1, t)) || (sub(q->m0, t) && sub(q->m1, s));
}

/* The estimate of joining set s (estimate rows) with leaf j; *connected when keyed. The
 * conjuncts counted are the ones that become applicable at this join. */
static double join_est(const jgraph *g, uint64_t s, double rows, int j, bool *connected)
{
    uint64_t t = (uint64_t)1 << j;
    double r = est(g->leaf[j]);
    *connected = false;
    int others = 0;
    for (int i = 0; i < g->pred_count; i++) {
        const jpred *q = &g->pred[i];
        if (q->placed || !sub(q->mask, s | t) || sub(q->mask, s))
            continue;
        if (connects(q, s, t))
            *connected = true;
        else
            others++;
    }
    double out = *connected ? (rows > r ? rows : r) : rows * r;
    for (int i = 0; i < others; i++)
        out /= 3;
    return out;
}

static lh_plan_t *join_node(lh_arena_t *a, lh_plan_t *l, lh_plan_t *r)
{
    lh_plan_t *j = lh_plan_new(a, LH_PLAN_JOIN, l->col_count + r->col_count, 2);
    j->children[0] = l;
    j->children[1] = r;
    for (int i = 0; i < j->col_count; i++) {
        const lh_plan_t *src = i < l->col_count ? l : r;
        int c = i < l->col_count ? i : i - l->col_count;
        j->col_names[i] = src->col_names[c];
        j->col_types[i] = src->col_types[c];
        j->col_nullable[i] = src->col_nullable[c];
    }
    return j;
}

static void push_residual(lh_arena_t *a, lh_plan_t *j, lh_expr_t *e)
{
    j->u.join.residual = opt_and(a, j->u.join.residual, e);
}

/* The greedy order from leaf first into order[]; returns its cost, the sum of the
 * estimated rows of every join it makes. */
static double greedy(const jgraph *g, int first, int *order)
{
    int n = g->leaf_count;
    bool used[MAX_LEAVES] = {false};
    order[0] = first;
    used[first] = true;
    uint64_t s = (uint64_t)1 << first;
    double rows = est(g->leaf[first]), cost = 0;
    for (int k = 1; k < n; k++) {
        int best = -1, cross = -1;
        double best_est = 0;
        for (int j = 0; j < n; j++) {
            if (used[j])
                continue;
            bool conn;
            double e = join_est(g, s, rows, j, &conn);
            if (conn && (best < 0 || e < best_est ||
                         (e == best_est && est(g->leaf[j]) < est(g->leaf[best])))) {
                best = j;
                best_est = e;
            }
            if (cross < 0 || est(g->leaf[j]) < est(g->leaf[cross]))
                cross = j;
        }
        if (best < 0) {
            bool conn;
            best = cross;
            best_est = join_est(g, s, rows, cross, &conn);
        }
        order[k] = best;
        used[best] = true;
        s |= (uint64_t)1 << best;
        rows = best_est;
        cost += best_est;
    }
    return cost;
}

/* The reordered tree for graph g (whose original root is orig), or NULL to keep it. */
static lh_plan_t *reorder(lh_arena_t *a, jgraph *g, const lh_plan_t *orig)
{
    int n = g->leaf_count;
    for (int i = 0; i < g->pred_count; i++) {
        jpred *q = &g->pred[i];
        q->mask = cols_mask(g, q->e);
        if (q->k0 != NULL) {
            q->m0 = cols_mask(g, q->k0);
            q->m1 = cols_mask(g, q->k1);
        }
    }
    int order[MAX_LEAVES], try_order[MAX_LEAVES];
    double cost = -1;
    for (int first = 0; first < n; first++) {
        double c = greedy(g, first, try_order);
        if (cost < 0 || c < cost || (c == cost && est(g->leaf[first]) < est(g->leaf[order[0]]))) {
            cost = c;
            memcpy(order, try_order, sizeof order);
        }
    }
    bool identity = true;
    for (int k = 0; k < n; k++)
        identity = identity && order[k] == k;
    if (identity && g->left_deep)
        return NULL;

    /* pos[c]: where original column c is in the tree built so far (-1 = not yet) */
    int *pos = lh_arena_calloc(a, (size_t)g->col_count + 1, sizeof *pos);
    for (int c = 0; c < g->col_count; c++)
        pos[c] = -1;
    lh_plan_t *cur = g->leaf[order[0]];
    for (int c = 0; c < cur->col_count; c++)
        pos[g->base[order[0]] + c] = c;
    uint64_t s = (uint64_t)1 << order[0];
    double rows = est(cur);
    for (int k = 1; k < n; k++) {
        int li = order[k];
        uint64_t t = (uint64_t)1 << li;
        lh_plan_t *r = g->leaf[li];
        bool conn;
        double e = join_est(g, s, rows, li, &conn);
        lh_plan_t *j = join_node(a, cur, r);
        int nl = cur->col_count;
        /* rpos: right-side columns in the right input (its keys); jpos: every joined
         * column in the join's output (residuals, and pos once joined) */
        int *rpos = lh_arena_calloc(a, (size_t)g->col_count + 1, sizeof *rpos);
        int *jpos = lh_arena_calloc(a, (size_t)g->col_count + 1, sizeof *jpos);
        for (int c = 0; c < g->col_count; c++)
            rpos[c] = -1;
        for (int c = 0; c < r->col_count; c++)
            rpos[g->base[li] + c] = c;
        for (int c = 0; c < g->col_count; c++)
            jpos[c] = rpos[c] >= 0 ? nl + rpos[c] : pos[c];
        for (int i = 0; i < g->pred_count; i++) {
            jpred *q = &g->pred[i];
            if (q->placed || !sub(q->mask, s | t))
                continue;
            q->placed = true;
            if (connects(q, s, t)) {
                bool left0 = sub(q->m0, s);
                lh_expr_t *lk = left0 ? q->k0 : q->k1, *rk = left0 ? q->k1 : q->k0;
                opt_join_add_key(a, j, opt_copy_expr(a, lk, NULL, pos, 0),
                                 opt_copy_expr(a, rk, NULL, rpos, 0), q->null_safe);
            } else {
                push_residual(a, j,
                              opt_copy_expr(a, q->e, NULL, jpos, 0)); /* never a written key */
            }
        }
        pos = jpos;
        j->u.join.kind =
            j->u.join.key_count > 0 || j->u.join.residual != NULL ? LH_PJOIN_INNER : LH_PJOIN_CROSS;
        j->est_rows = e;
        cur = j;
        s |= t;
        rows = e;
    }
    lh_plan_t *p = lh_plan_new(a, LH_PLAN_PROJECT, orig->col_count, 1);
    p->children[0] = cur;
    p->u.project.exprs =
        lh_arena_calloc(a, (size_t)orig->col_count + 1, sizeof *p->u.project.exprs);
    for (int c = 0; c < orig->col_count; c++) {
        p->col_names[c] = orig->col_names[c];
        p->col_types[c] = orig->col_types[c];
        p->col_nullable[c] = orig->col_nullable[c];
        p->u.project.exprs[c] = lh_expr_column(a, pos[c], orig->col_types[c], orig->col_nullable[c],
                                               orig->col_names[c]);
    }
    p->est_rows = orig->est_rows;
    return p;
}

static lh_plan_t *walk(lh_arena_t *a, lh_plan_t *p, bool frozen);

/* The graph rooted at p, reordered (its leaves walked first). */
static lh_plan_t *graph(lh_arena_t *a, lh_plan_t *p, bool frozen)
{
    jgraph *g = lh_arena_calloc(a, 1, sizeof *g);
    g->ok = true;
    g->left_deep = true;
    g->col_count = p->col_count;
    collect(a, g, p, 0);
    if (g->leaf_count == 0)
        return p;
    /* leaves are their own worlds: reorder inside them (in place: same outputs) */
    for (int i = 0; i < g->leaf_count; i++) {
        lh_plan_t *l = g->leaf[i];
        lh_plan_t *w = walk(a, l, false);
        if (w != l)
            *l = *w;
    }
    /* A written key must become a key again (it is no expression to put in a residual):
     * each side reads exactly one leaf, and not the same one. Anything else (a key over
     * two leaves of one side, a constant key) leaves the tree as written. */
    int cols = 0;
    for (int i = 0; i < g->leaf_count; i++)
        cols += g->leaf[i]->col_count;
    g->ok = g->ok && cols == g->col_count;
    for (int i = 0; i < g->pred_count; i++) {
        if (!g->pred[i].written_key)
            continue;
        uint64_t m0 = cols_mask(g, g->pred[i].k0), m1 = cols_mask(g, g->pred[i].k1);
        if (m0 == 0 || m1 == 0 || (m0 & (m0 - 1)) != 0 || (m1 & (m1 - 1)) != 0 || m0 == m1)
            g->ok = false;
    }
    if (frozen || !g->ok || g->leaf_count < 3)
        return p;
    lh_plan_t *r = reorder(a, g, p);
    return r != NULL ? r : p;
}

static lh_plan_t *walk(lh_arena_t *a, lh_plan_t *p, bool frozen)
{
    if (graph_root(p))
        return graph(a, p, frozen);
    if (p->kind == LH_PLAN_DML)
        return p;
    bool freeze = p->kind == LH_PLAN_FILTER && !opt_deterministic(p->u.filter.pred);
    for (int k = 0; k < p->child_count; k++) {
        lh_plan_t *c = p->children[k], *w = walk(a, c, freeze);
        p->children[k] = w;
        if (w != c && p->kind == LH_PLAN_PROJECT) {
            /* a Project over the reordered tree's column Project reads the tree directly */
            int *map = lh_arena_calloc(a, (size_t)w->col_count + 1, sizeof *map);
            for (int i = 0; i < w->col_count; i++)
                map[i] = w->u.project.exprs[i]->column;
            for (int i = 0; i < p->col_count; i++)
                p->u.project.exprs[i] = opt_copy_expr(a, p->u.project.exprs[i], NULL, map, 0);
            p->children[k] = w->children[0];
        }
    }
    return p;
}

void lh_opt_join_order(lh_arena_t *a, lh_plan_t *plan)
{
    lh_plan_t *top = walk(a, plan, false);
    if (top != plan)
        *plan = *top;
}
