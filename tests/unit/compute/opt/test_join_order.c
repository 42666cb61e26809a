/* Optimizer tests: join order (compute/opt/opt_join.c) over hand-built plans whose inputs
 * are one-column VALUES nodes with chosen estimates; the plans are compared as EXPLAIN. */
#include "t.h"
#include "compute/testfuncs.h"
#include "compute/opt/opt.h"

static const lh_func_t eq_fn = {"=", LH_FUNC_SCALAR, 2, 2, tf_bind_cmp, tf_eq, true};
static const lh_func_t rand_fn = {"rand", LH_FUNC_SCALAR, 2, 2, tf_bind_cmp, tf_lt, false};

static lh_expr_t *call(lh_arena_t *a, const lh_func_t *f, lh_expr_t *x, lh_expr_t *y)
{
    lh_expr_t *args[2] = {x, y};
    lh_expr_t *e = lh_expr_node(a, LH_EXPR_CALL, TY(BOOLEAN), true, 2, args, f->name);
    e->func = f;
    return e;
}

static lh_expr_t *col(lh_arena_t *a, int i, const char *name)
{
    return lh_expr_column(a, i, TY(LONG), true, name);
}

/* An input named name (its one column too) of est rows. */
static lh_plan_t *leaf(lh_arena_t *a, const char *name, double est)
{
    lh_plan_t *p = lh_plan_new(a, LH_PLAN_SCAN, 1, 0);
    p->u.scan.table_name = name;
    p->col_names[0] = name;
    p->col_types[0] = TY(LONG);
    p->col_nullable[0] = true;
    p->est_rows = est;
    return p;
}

static lh_plan_t *cross(lh_arena_t *a, lh_plan_t *l, lh_plan_t *r)
{
    lh_plan_t *j = lh_plan_new(a, LH_PLAN_JOIN, l->col_count + r->col_count, 2);
    j->children[0] = l;
    j->children[1] = r;
    for (int i = 0; i < j->col_count; i++) {
        const lh_plan_t *s = i < l->col_count ? l : r;
        int c = i < l->col_count ? i : i - l->col_count;
        j->col_names[i] = s->col_names[c];
        j->col_types[i] = s->col_types[c];
        j->col_nullable[i] = true;
    }
    j->u.join.kind = LH_PJOIN_CROSS;
    j->est_rows = l->est_rows > r->est_rows ? l->est_rows : r->est_rows;
    return j;
}

static lh_plan_t *filter(lh_arena_t *a, lh_plan_t *child, lh_expr_t *pred)
{
    lh_plan_t *f = lh_plan_new(a, LH_PLAN_FILTER, child->col_count, 1);
    f->children[0] = child;
    f->u.filter.pred = pred;
    for (int i = 0; i < child->col_count; i++) {
        f->col_names[i] = child->col_names[i];
        f->col_types[i] = child->col_types[i];
        f->col_nullable[i] = child->col_nullable[i];
    }
    return f;
}

static lh_expr_t *and2(lh_arena_t *a, lh_expr_t *x, lh_expr_t *y)
{
    lh_expr_t *args[2] = {x, y};
    return lh_expr_node(a, LH_EXPR_AND, TY(BOOLEAN), true, 2, args, "and");
}

/* big, s1, s2 WHERE big = s1 AND big = s2 (a Filter over two CROSS joins, as written). */
static lh_plan_t *star(lh_arena_t *a, const lh_func_t *extra)
{
    lh_plan_t *j = cross(a, cross(a, leaf(a, "big", 1e6), leaf(a, "s1", 10)), leaf(a, "s2", 20));
    lh_expr_t *p = and2(a, call(a, &eq_fn, col(a, 0, "big"), col(a, 1, "s1")),
                        call(a, &eq_fn, col(a, 0, "big"), col(a, 2, "s2")));
    if (extra)
        p = and2(a, p, call(a, extra, col(a, 1, "s1"), col(a, 2, "s2")));
    return filter(a, j, p);
}

static void test_star(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *p = star(a, NULL);
    lh_opt_join_order(a, p);
    T_EQ_STR(lh_plan_explain(a, p, false), "== Physical Plan ==\n"
                                           "Project [big, s1, s2]\n"
                                           "  +- Join Inner left=[big] right=[s2]\n"
                                           "    +- Join Inner left=[s1] right=[big]\n"
                                           "      +- Scan s1\n"
                                           "      +- Scan big\n"
                                           "    +- Scan s2\n");
    lh_arena_destroy(a);
}

/* A non-deterministic conjunct keeps the tree as written. */
static void test_nondeterministic(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *p = star(a, &rand_fn);
    const char *before = lh_plan_explain(a, p, false);
    lh_opt_join_order(a, p);
    T_EQ_STR(lh_plan_explain(a, p, false), before);
    lh_arena_destroy(a);
}

/* A residual over two smalls becomes the condition of the lowest join that has both. */
static void test_residual(void)
{
    lh_arena_t *a = lh_arena_create();
    const lh_func_t lt = {"<", LH_FUNC_SCALAR, 2, 2, tf_bind_cmp, tf_lt, true};
    lh_plan_t *p = star(a, &lt);
    lh_opt_join_order(a, p);
    const char *x = lh_plan_explain(a, p, false);
    T_CHECK(strstr(x, "Join Inner left=[big] right=[s2] condition=[<]") != NULL);
    lh_arena_destroy(a);
}

/* A chain of n inputs written backwards, sizes growing: keys between neighbours. More
 * inputs than the rule takes (64) leave the tree alone; fewer are reordered without a
 * cross product. */
static lh_plan_t *chain(lh_arena_t *a, int n)
{
    char *name = lh_arena_alloc(a, 16);
    snprintf(name, 16, "t%d", n - 1);
    lh_plan_t *j = leaf(a, name, 1000.0 * n);
    lh_expr_t *pred = NULL;
    for (int i = n - 2; i >= 0; i--) {
        name = lh_arena_alloc(a, 16);
        snprintf(name, 16, "t%d", i);
        int c = j->col_count;
        j = cross(a, j, leaf(a, name, 1000.0 * (i + 1)));
        lh_expr_t *eq = call(a, &eq_fn, col(a, c - 1, "l"), col(a, c, "r"));
        pred = pred ? and2(a, pred, eq) : eq;
    }
    return filter(a, j, pred);
}

static void test_chain(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *p = chain(a, 40);
    lh_opt_join_order(a, p);
    const char *x = lh_plan_explain(a, p, false);
    T_CHECK(strstr(x, "Cross") == NULL);
    T_CHECK(strncmp(x, "== Physical Plan ==\nProject", 27) == 0);
    T_EQ_INT(p->col_count, 40);
    lh_plan_t *q = chain(a, 70);
    lh_opt_join_order(a, q);
    T_CHECK(q->kind == LH_PLAN_JOIN || q->kind == LH_PLAN_FILTER);
    lh_arena_destroy(a);
}

int main(void)
{
    T_RUN(test_star);
    T_RUN(test_nondeterministic);
    T_RUN(test_residual);
    T_RUN(test_chain);
    return T_DONE();
}
