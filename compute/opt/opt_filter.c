/*
 * opt_filter.c - filters move down the plan (Spark's PushDownPredicates family), and
 * equalities between the two sides of a join become its keys.
 *
 * The plan is walked top down with the conjuncts (AND-parts) that must hold above each
 * node. A Filter node gives its conjuncts to its child and disappears; each node then
 * takes what it can push to its children and puts the rest back as a Filter over itself:
 *   Project    a conjunct is rewritten over the child (columns replaced by their
 *              deterministic expressions) and goes down;
 *   Join       INNER / CROSS: conjuncts over one side go to that side; `l = r` between an
 *              expression of each side (one type) becomes an equi-join key (a CROSS join
 *              becomes INNER); LEFT: left-side conjuncts go left; RIGHT: right-side ones go
 *              right; SEMI / ANTI: the output is the left side, so all go left; FULL: none;
 *   Aggregate  (no grouping sets) conjuncts over grouping keys only go below it;
 *   Sort       everything goes through;
 *   anything else (Scan, Limit, TopN, Window, set operations, ...) keeps them above itself.
 * Conjuncts that call a non-deterministic function (rand, uuid, current_timestamp) never
 * move, and neither does anything below them change how often they run. A Filter that
 * ends directly over a Scan is what opt.c's pushdown then gives to the scan.
 */
#include <string.h>

#include "compute/func/func.h"
#include "compute/opt/opt.h"
#include "compute/opt/opt_internal.h"

typedef struct conj {
    lh_expr_t **v;
    int n, cap;
} conj;

static void conj_add(lh_arena_t *a, conj *c, lh_expr_t *e)
{
    if (e->kind == LH_EXPR_AND) {
        conj_add(a, c, e->args[0]);
        conj_add(a, c, e->args[1]);
        return;
    }
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 8;
        lh_expr_t **v = lh_arena_calloc(a, (size_t)cap, sizeof *v);
        if (c->n)
            memcpy(v, c->v, (size_t)c->n * sizeof *v);
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = e;
}

/* The range of column indexes e reads: *lo > *hi when it reads none. */
static void col_range(const lh_expr_t *e, int *lo, int *hi)
{
    if (e->kind == LH_EXPR_COLUMN) {
        if (e->column < *lo)
            *lo = e->column;
        if (e->column > *hi)
            *hi = e->column;
    }
    for (int i = 0; i < e->arg_count; i++)
        col_range(e->args[i], lo, hi);
}

static void copy_cols(lh_plan_t *dst, const lh_plan_t *src)
{
    for (int i = 0; i < src->col_count; i++) {
        dst->col_names[i] = src->col_names[i];
        dst->col_types[i] = src->col_types[i];
        dst->col_nullable[i] = src->col_nullable[i];
    }
}

/* child under a Filter of the conjuncts c (child itself when there are none). */
static lh_plan_t *wrap(lh_arena_t *a, lh_plan_t *child, const conj *c)
{
    if (c->n == 0)
        return child;
    lh_expr_t *pred = NULL;
    for (int i = 0; i < c->n; i++)
        pred = opt_and(a, pred, c->v[i]);
    lh_plan_t *f = lh_plan_new(a, LH_PLAN_FILTER, child->col_count, 1);
    f->children[0] = child;
    f->u.filter.pred = pred;
    copy_cols(f, child);
    f->est_rows = child->est_rows >= 0 ? child->est_rows / 3 : -1;
    return f;
}

static lh_plan_t *push(lh_arena_t *a, lh_plan_t *p, conj *above);

/* Children of p get nothing pushed (walked for their own filters). */
static void push_children(lh_arena_t *a, lh_plan_t *p)
{
    for (int k = 0; k < p->child_count; k++) {
        conj none = {0};
        p->children[k] = push(a, p->children[k], &none);
    }
}

static lh_plan_t *push_join(lh_arena_t *a, lh_plan_t *p, conj *above)
{
    lh_join_kind kind = p->u.join.kind;
    int nl = p->children[0]->col_count;
    bool inner = kind == LH_PJOIN_INNER || kind == LH_PJOIN_CROSS;
    bool left_ok = inner || kind == LH_PJOIN_LEFT || kind == LH_PJOIN_SEMI || kind == LH_PJOIN_ANTI;
    bool right_ok = inner || kind == LH_PJOIN_RIGHT;
    conj l = {0}, r = {0}, keep = {0};
    for (int i = 0; i < above->n; i++) {
        lh_expr_t *e = above->v[i];
        int lo = 1 << 30, hi = -1;
        col_range(e, &lo, &hi);
        bool null_safe = false;
        if (!opt_deterministic(e) || lo > hi) {
            conj_add(a, &keep, e);
        } else if (hi < nl && left_ok) {
            conj_add(a, &l, e);
        } else if (lo >= nl && right_ok) {
            conj_add(a, &r, opt_copy_expr(a, e, NULL, NULL, -nl));
        } else if (inner && opt_is_equality(e, &null_safe) &&
                   lh_type_equal(e->args[0]->type, e->args[1]->type)) {
            int lo0 = 1 << 30, hi0 = -1, lo1 = 1 << 30, hi1 = -1;
            col_range(e->args[0], &lo0, &hi0);
            col_range(e->args[1], &lo1, &hi1);
            if (lo0 <= hi0 && lo1 <= hi1 && hi0 < nl && lo1 >= nl) {
                opt_join_add_key(a, p, e->args[0], opt_copy_expr(a, e->args[1], NULL, NULL, -nl),
                                 null_safe);
                p->u.join.kind = LH_PJOIN_INNER;
            } else if (lo0 <= hi0 && lo1 <= hi1 && hi1 < nl && lo0 >= nl) {
                opt_join_add_key(a, p, e->args[1], opt_copy_expr(a, e->args[0], NULL, NULL, -nl),
                                 null_safe);
                p->u.join.kind = LH_PJOIN_INNER;
            } else {
                conj_add(a, &keep, e);
            }
        } else {
            conj_add(a, &keep, e);
        }
    }
    p->children[0] = push(a, p->children[0], &l);
    p->children[1] = push(a, p->children[1], &r);
    return wrap(a, p, &keep);
}

static lh_plan_t *push(lh_arena_t *a, lh_plan_t *p, conj *above)
{
    switch (p->kind) {
    case LH_PLAN_FILTER: {
        conj c = {0};
        for (int i = 0; i < above->n; i++)
            conj_add(a, &c, above->v[i]);
        conj_add(a, &c, p->u.filter.pred);
        if (!opt_deterministic(p->u.filter.pred)) { /* it stays where it is, and all above it */
            conj none = {0};
            p->children[0] = push(a, p->children[0], &none);
            return wrap(a, p, above);
        }
        return push(a, p->children[0], &c);
    }
    case LH_PLAN_PROJECT: {
        bool simple = true;
        for (int i = 0; i < p->col_count && simple; i++)
            simple = opt_deterministic(p->u.project.exprs[i]);
        conj down = {0}, keep = {0};
        for (int i = 0; i < above->n; i++) {
            if (simple && opt_deterministic(above->v[i]))
                conj_add(a, &down, opt_copy_expr(a, above->v[i], p->u.project.exprs, NULL, 0));
            else
                conj_add(a, &keep, above->v[i]);
        }
        p->children[0] = push(a, p->children[0], &down);
        return wrap(a, p, &keep);
    }
    case LH_PLAN_JOIN:
        return push_join(a, p, above);
    case LH_PLAN_AGGREGATE: {
        conj down = {0}, keep = {0};
        int kc = p->u.aggregate.key_count;
        bool keys_ok = p->u.aggregate.sets == NULL && kc > 0;
        for (int i = 0; i < kc && keys_ok; i++)
            keys_ok = opt_deterministic(p->u.aggregate.keys[i]);
        for (int i = 0; i < above->n; i++) {
            int lo = 1 << 30, hi = -1;
            col_range(above->v[i], &lo, &hi);
            if (keys_ok && lo <= hi && hi < kc && opt_deterministic(above->v[i]))
                conj_add(a, &down, opt_copy_expr(a, above->v[i], p->u.aggregate.keys, NULL, 0));
            else
                conj_add(a, &keep, above->v[i]);
        }
        p->children[0] = push(a, p->children[0], &down);
        return wrap(a, p, &keep);
    }
    case LH_PLAN_SORT:
        p->children[0] = push(a, p->children[0], above);
        return p;
    case LH_PLAN_DML: /* its executor reads its children's shapes as the binder built them */
        return wrap(a, p, above);
    default:
        push_children(a, p);
        return wrap(a, p, above);
    }
}

void lh_opt_push_filters(lh_arena_t *a, lh_plan_t *plan)
{
    conj none = {0};
    lh_plan_t *top = push(a, plan, &none);
    if (top != plan) /* the root was a Filter: its node takes the new top's place */
        *plan = *top;
}
