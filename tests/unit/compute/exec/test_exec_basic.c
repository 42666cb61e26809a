/* Executor tests: scan (projection, pruning, residual filter), filter, project, values,
 * sort (nulls, descending, ties), limit/offset, top-N, runtime errors. */
#include "exec_test_util.h"

static xtable tb;

/* 6 rows in 3 files partitioned by g ('a', 'b', NULL). */
static void make_table(void)
{
    x_mkdir(&tb);
    xrow a[] = {{1, "a", 1.5, 10}, {2, "a", 0, 20, true}, {3, "a", 3.5, 0, false, true}};
    xrow b[] = {{4, "b", 4.0, 10}, {5, "b", -1.0, 30}};
    xrow n[] = {{6, NULL, 6.0, 20}};
    x_append_rows(&tb, a, 3, "g");
    x_append_rows(&tb, b, 2, "g");
    x_append_rows(&tb, n, 1, "g");
}

static lh_expr_t *dbl(lh_arena_t *a, double x)
{
    lh_value_t v = {.type = TY(DOUBLE), .v.f64 = x};
    return lh_expr_const(a, &v, "d");
}

static void test_scan(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *s = x_scan_all(a, tb.dir);
    X_EXPECT(s, true, "1|a|1.5|10;2|a|N|20;3|a|3.5|N;4|b|4|10;5|b|-1|30;6|N|6|20");
    int cols[] = {3, 0};
    X_EXPECT(x_scan(a, tb.dir, cols, 2), true, "10|1;10|4;20|2;20|6;30|5;N|3");
    /* pushed predicate g = 'b': two of three files pruned */
    lh_plan_t *p = x_scan_all(a, tb.dir);
    lh_value_t b = {.type = TY(STRING)};
    b.v.str.ptr = (const uint8_t *)"b";
    b.v.str.len = 1;
    lh_delta_pred_t pred = {.column = "g", .op = LH_PQ_EQ, .value_count = 1, .values = &b};
    p->u.scan.preds = &pred;
    p->u.scan.pred_count = 1;
    xrun r = {0};
    xout *o = malloc(sizeof *o);
    T_EQ_INT(x_run(&r, p, true, o), LH_OK);
    T_EQ_STR(o->text, "4|b|4|10;5|b|-1|30");
    T_EQ_INT(r.stats.files_pruned, 2);
    T_EQ_INT(r.stats.files_read, 1);
    T_EQ_INT(r.stats.rows_read, 2);
    T_EQ_INT(r.stats.rows_produced, 2);
    /* the scan's residual filter: k > 15 (NULL k dropped) */
    p = x_scan_all(a, tb.dir);
    p->u.scan.filter = tf_call(a, "gt", x_col(a, p, 3), tf_long(a, 15));
    X_EXPECT(p, true, "2|a|N|20;5|b|-1|30;6|N|6|20");
    free(o);
    lh_arena_destroy(a);
}

static void test_filter_project_values(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *s = x_scan_all(a, tb.dir);
    lh_plan_t *f = x_filter(a, s, tf_call(a, "gt", x_col(a, s, 2), dbl(a, 2.0)));
    lh_expr_t *ex[] = {x_col(a, f, 0), tf_call(a, "add", x_col(a, f, 3), tf_long(a, 1)),
                       lh_expr_node(a, LH_EXPR_IS_NULL, TY(BOOLEAN), false, 1,
                                    (lh_expr_t *[]){x_col(a, f, 3)}, "isnull")};
    X_EXPECT(x_project(a, f, ex, 3), true, "3|N|true;4|11|false;6|21|false");
    /* a subtree shared by the filter and the projection above it (and the scan's filter) */
    lh_plan_t *s2 = x_scan_all(a, tb.dir);
    lh_expr_t *inc = tf_call(a, "add", x_col(a, s2, 0), tf_long(a, 1));
    lh_expr_t *pred = tf_call(a, "gt", inc, tf_long(a, 3));
    s2->u.scan.filter = pred;
    lh_plan_t *f2 = x_filter(a, s2, pred);
    lh_expr_t *ex2[] = {x_col(a, f2, 0), tf_call(a, "add", inc, inc), inc};
    X_EXPECT(x_project(a, f2, ex2, 3), true, "3|8|4;4|10|5;5|12|6;6|14|7");
    /* VALUES (1, 'x'), (2, NULL) */
    lh_plan_t *v = lh_plan_new(a, LH_PLAN_VALUES, 2, 0);
    x_set_col(v, 0, "a", TY(LONG));
    x_set_col(v, 1, "b", TY(STRING));
    v->u.values.row_count = 2;
    v->u.values.rows = lh_arena_calloc(a, 2, sizeof(lh_expr_t **));
    v->u.values.rows[0] = lh_arena_calloc(a, 2, sizeof(lh_expr_t *));
    v->u.values.rows[1] = lh_arena_calloc(a, 2, sizeof(lh_expr_t *));
    v->u.values.rows[0][0] = tf_call(a, "add", tf_long(a, 0), tf_long(a, 1));
    v->u.values.rows[0][1] = tf_str(a, "x");
    v->u.values.rows[1][0] = tf_long(a, 2);
    v->u.values.rows[1][1] = tf_null(a, TY(STRING));
    X_EXPECT(v, false, "1|x;2|N");
    lh_arena_destroy(a);
}

static void test_sort_limit_topn(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *s = x_scan_all(a, tb.dir);
    int c1[] = {3, 0};
    bool d1[] = {false, true};
    int proj[] = {0};
    (void)proj;
    /* k ASC (NULLS FIRST), id DESC */
    lh_plan_t *srt = x_sort(a, s, c1, d1, 2);
    lh_expr_t *ids[] = {x_col(a, srt, 0)};
    X_EXPECT(x_project(a, srt, ids, 1), false, "3;4;1;6;2;5");
    /* k DESC (NULLS LAST), id ASC */
    bool d2[] = {true, false};
    lh_plan_t *srt2 = x_sort(a, x_scan_all(a, tb.dir), c1, d2, 2);
    lh_expr_t *ids2[] = {x_col(a, srt2, 0)};
    X_EXPECT(x_project(a, srt2, ids2, 1), false, "5;2;6;1;4;3");
    /* explicit NULLS FIRST on a DESC key */
    lh_plan_t *srt3 = x_sort(a, x_scan_all(a, tb.dir), c1, d2, 2);
    srt3->u.sort.keys[0].nulls_first = true;
    lh_expr_t *ids3[] = {x_col(a, srt3, 0)};
    X_EXPECT(x_project(a, srt3, ids3, 1), false, "3;5;2;6;1;4");
    /* strings: g DESC (NULLS LAST), id */
    int cg[] = {1, 0};
    lh_plan_t *srt4 = x_sort(a, x_scan_all(a, tb.dir), cg, d2, 2);
    lh_expr_t *ids4[] = {x_col(a, srt4, 0)};
    X_EXPECT(x_project(a, srt4, ids4, 1), false, "4;5;1;2;3;6");
    /* ORDER BY id LIMIT 2 OFFSET 1 */
    int c0[] = {0};
    bool asc[] = {false};
    lh_plan_t *lim = x_unary(a, LH_PLAN_LIMIT, x_sort(a, x_scan_all(a, tb.dir), c0, asc, 1), 4);
    lh_plan_t *lp = lim;
    lp->u.limit.limit = 2;
    lp->u.limit.offset = 1;
    lh_expr_t *lids[] = {x_col(a, lim, 0)};
    X_EXPECT(x_project(a, lim, lids, 1), false, "2;3");
    /* LIMIT 0, OFFSET past the end, no limit */
    lp->u.limit.limit = 0;
    X_EXPECT(lim, false, "");
    lp->u.limit.limit = -1;
    lp->u.limit.offset = 5;
    X_EXPECT(x_project(a, lim, lids, 1), false, "6");
    /* LIMIT 3 without ORDER BY: three rows */
    lh_plan_t *l3 = x_unary(a, LH_PLAN_LIMIT, x_scan_all(a, tb.dir), 4);
    l3->u.limit.limit = 3;
    xout *o = malloc(sizeof *o);
    T_EQ_INT(x_run(NULL, l3, false, o), LH_OK);
    T_EQ_INT(o->rows, 3);
    /* TOPN: k DESC NULLS LAST, id ASC, LIMIT 3 OFFSET 1 */
    lh_plan_t *tn = x_sort(a, x_scan_all(a, tb.dir), c1, d2, 2);
    tn->kind = LH_PLAN_TOPN;
    tn->u.sort.limit = 3;
    tn->u.sort.offset = 1;
    lh_expr_t *tids[] = {x_col(a, tn, 0)};
    X_EXPECT(x_project(a, tn, tids, 1), false, "2;6;1");
    free(o);
    lh_arena_destroy(a);
}

static void test_runtime_error(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *s = x_scan_all(a, tb.dir);
    lh_expr_t *ex[] = {tf_call(a, "div", x_col(a, s, 0), tf_long(a, 0))};
    xrun r = {0};
    xout *o = malloc(sizeof *o);
    T_EQ_INT(x_run(&r, x_project(a, s, ex, 1), false, o), LH_E_INVALID);
    T_EQ_STR(r.eb.error_code, "DIVIDE_BY_ZERO");
    /* a missing table */
    lh_plan_t *m = x_scan_all(a, "/tmp/lh-exec-no-such-table");
    T_CHECK(x_run(&r, m, false, o) != LH_OK);
    free(o);
    lh_arena_destroy(a);
}

int main(void)
{
    make_table();
    T_RUN(test_scan);
    T_RUN(test_filter_project_values);
    T_RUN(test_sort_limit_topn);
    T_RUN(test_runtime_error);
    x_rmdir(&tb);
    return T_DONE();
}
