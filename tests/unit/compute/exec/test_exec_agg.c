/* Executor tests: hash aggregate (groups with NULL keys, FILTER, DISTINCT, grouping sets,
 * the global aggregate over no rows). */
#include "compute/agg/agg.h"
#include "exec_test_util.h"

static xtable tb;

static void make_table(void)
{
    x_mkdir(&tb);
    xrow a[] = {{1, "a", 1.5, 10}, {2, "a", 0, 20, true}, {3, "a", 3.5, 0, false, true}};
    xrow b[] = {{4, "b", 4.0, 10}, {5, "b", -1.0, 30}};
    xrow n[] = {{6, NULL, 6.0, 20}};
    x_append_rows(&tb, a, 3, NULL);
    x_append_rows(&tb, b, 2, NULL);
    x_append_rows(&tb, n, 1, NULL);
}

/* Bind an aggregate call over args. */
static lh_agg_call_t agg(lh_arena_t *a, const char *name, int argc, lh_expr_t **args)
{
    lh_agg_call_t c = {0};
    c.func = lh_agg_find(name);
    LH_ASSERT(c.func != NULL);
    lh_type_t types[4], cast_to[4];
    for (int i = 0; i < argc; i++)
        types[i] = cast_to[i] = args[i]->type;
    const lh_value_t *consts[4] = {0};
    lh_func_bind_t b = {.arg_count = argc,
                        .arg_types = types,
                        .const_args = consts,
                        .arena = a,
                        .cast_to = cast_to};
    lh_errbuf eb;
    LH_ASSERT(c.func->bind(&b, &eb) == LH_OK);
    c.bind_data = b.bind_data;
    c.arg_count = argc;
    c.args = lh_arena_calloc(a, (size_t)argc + 1, sizeof(lh_expr_t *));
    for (int i = 0; i < argc; i++)
        c.args[i] = args[i];
    c.type = b.ret_type;
    c.name = name;
    return c;
}

static lh_plan_t *aggregate(lh_arena_t *a, lh_plan_t *child, lh_expr_t **keys, int nk,
                            lh_agg_call_t *aggs, int na, bool gid)
{
    lh_plan_t *p = lh_plan_new(a, LH_PLAN_AGGREGATE, nk + na + (gid ? 1 : 0), 1);
    p->children[0] = child;
    p->u.aggregate.key_count = nk;
    p->u.aggregate.keys = keys;
    p->u.aggregate.agg_count = na;
    p->u.aggregate.aggs = aggs;
    for (int i = 0; i < nk; i++)
        x_set_col(p, i, "key", keys[i]->type);
    for (int i = 0; i < na; i++)
        x_set_col(p, nk + i, aggs[i].name, aggs[i].type);
    if (gid)
        x_set_col(p, nk + na, "gid", TY(LONG));
    return p;
}

static void test_group_by(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *s = x_scan_all(a, tb.dir);
    lh_expr_t *k = x_col(a, s, 3), *v = x_col(a, s, 2), *id = x_col(a, s, 0);
    lh_expr_t **keys = lh_arena_calloc(a, 1, sizeof(lh_expr_t *));
    keys[0] = x_col(a, s, 1);
    lh_agg_call_t *ag = lh_arena_calloc(a, 6, sizeof *ag);
    ag[0] = agg(a, "count", 0, NULL);
    ag[1] = agg(a, "sum", 1, &k);
    ag[2] = agg(a, "avg", 1, &v);
    ag[3] = agg(a, "count", 1, &k);
    ag[4] = agg(a, "sum", 1, &k); /* FILTER (WHERE id > 1) */
    ag[4].filter = tf_call(a, "gt", id, tf_long(a, 1));
    ag[5] = agg(a, "max", 1, &id);
    X_EXPECT(aggregate(a, s, keys, 1, ag, 6, false), true,
             "N|1|20|6|1|20|6;a|3|30|2.5|2|20|3;b|2|40|1.5|2|40|5");
    /* global aggregate over no rows: one row */
    lh_plan_t *none =
        x_filter(a, x_scan_all(a, tb.dir), tf_call(a, "gt", x_col(a, s, 0), tf_long(a, 100)));
    lh_agg_call_t *g2 = lh_arena_calloc(a, 2, sizeof *g2);
    g2[0] = agg(a, "count", 0, NULL);
    g2[1] = agg(a, "sum", 1, &k);
    X_EXPECT(aggregate(a, none, NULL, 0, g2, 2, false), false, "0|N");
    /* grouped over no rows: no row */
    X_EXPECT(aggregate(a, none, keys, 1, g2, 2, false), false, "");
    lh_arena_destroy(a);
}

static void test_distinct(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *s = x_scan_all(a, tb.dir);
    lh_expr_t *k = x_col(a, s, 3);
    lh_agg_call_t *ag = lh_arena_calloc(a, 3, sizeof *ag);
    ag[0] = agg(a, "count", 1, &k);
    ag[0].distinct = true;
    ag[1] = agg(a, "sum", 1, &k);
    ag[1].distinct = true;
    ag[2] = agg(a, "sum", 1, &k);
    X_EXPECT(aggregate(a, s, NULL, 0, ag, 3, false), false, "3|60|90");
    lh_expr_t **keys = lh_arena_calloc(a, 1, sizeof(lh_expr_t *));
    keys[0] = x_col(a, s, 1);
    X_EXPECT(aggregate(a, s, keys, 1, ag, 3, false), true, "N|1|20|20;a|2|30|30;b|2|40|40");
    lh_arena_destroy(a);
}

static void test_grouping_sets(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *s = x_scan_all(a, tb.dir);
    lh_expr_t **keys = lh_arena_calloc(a, 2, sizeof(lh_expr_t *));
    keys[0] = x_col(a, s, 1);
    keys[1] = x_col(a, s, 3);
    lh_agg_call_t *ag = lh_arena_calloc(a, 1, sizeof *ag);
    ag[0] = agg(a, "count", 0, NULL);
    /* ROLLUP(g, k): (g, k), (g), () */
    lh_plan_t *p = aggregate(a, s, keys, 2, ag, 1, true);
    p->u.aggregate.set_count = 3;
    p->u.aggregate.sets = lh_arena_calloc(a, 3, sizeof(uint64_t));
    p->u.aggregate.sets[0] = 3;
    p->u.aggregate.sets[1] = 1;
    p->u.aggregate.sets[2] = 0;
    X_EXPECT(p, true,
             "N|20|1|0;N|N|1|1;N|N|6|3;a|10|1|0;a|20|1|0;a|N|1|0;a|N|3|1;b|10|1|0;b|30|1|0;"
             "b|N|2|1");
    lh_arena_destroy(a);
}

int main(void)
{
    make_table();
    T_RUN(test_group_by);
    T_RUN(test_distinct);
    T_RUN(test_grouping_sets);
    x_rmdir(&tb);
    return T_DONE();
}
