/* Executor tests: set operations with duplicates and NULLs; writes (CTAS, INSERT append,
 * INSERT OVERWRITE) read back through the Delta reader. */
#include "exec_test_util.h"

/* VALUES of one nullable LONG column; INT64_MIN = NULL. */
static lh_plan_t *vals(lh_arena_t *a, const int64_t *x, int n)
{
    lh_plan_t *v = lh_plan_new(a, LH_PLAN_VALUES, 1, 0);
    x_set_col(v, 0, "x", TY(LONG));
    v->u.values.row_count = n;
    v->u.values.rows = lh_arena_calloc(a, (size_t)n, sizeof(lh_expr_t **));
    for (int i = 0; i < n; i++) {
        v->u.values.rows[i] = lh_arena_calloc(a, 1, sizeof(lh_expr_t *));
        v->u.values.rows[i][0] = x[i] == INT64_MIN ? tf_null(a, TY(LONG)) : tf_long(a, x[i]);
    }
    return v;
}

#define NL INT64_MIN

static lh_plan_t *setop(lh_arena_t *a, lh_setop_kind k, bool all)
{
    static const int64_t l[] = {1, 1, 2, NL, NL, 3}, r[] = {1, NL, 4, 1, 1};
    lh_plan_t *p = lh_plan_new(a, LH_PLAN_SETOP, 1, 2);
    p->children[0] = vals(a, l, 6);
    p->children[1] = vals(a, r, 5);
    x_set_col(p, 0, "x", TY(LONG));
    p->u.setop.kind = k;
    p->u.setop.all = all;
    return p;
}

static void test_setops(void)
{
    lh_arena_t *a = lh_arena_create();
    X_EXPECT(setop(a, LH_SETOP_UNION, true), false, "1;1;2;N;N;3;1;N;4;1;1");
    X_EXPECT(setop(a, LH_SETOP_UNION, false), true, "1;2;3;4;N");
    X_EXPECT(setop(a, LH_SETOP_INTERSECT, false), true, "1;N");
    X_EXPECT(setop(a, LH_SETOP_INTERSECT, true), true, "1;1;N");
    X_EXPECT(setop(a, LH_SETOP_EXCEPT, false), true, "2;3");
    X_EXPECT(setop(a, LH_SETOP_EXCEPT, true), true, "2;3;N");
    lh_arena_destroy(a);
}

/* VALUES (id, g) rows for writes. */
static lh_plan_t *rows2(lh_arena_t *a, int64_t first, int n)
{
    lh_plan_t *v = lh_plan_new(a, LH_PLAN_VALUES, 2, 0);
    x_set_col(v, 0, "id", TY(LONG));
    x_set_col(v, 1, "g", TY(STRING));
    v->u.values.row_count = n;
    v->u.values.rows = lh_arena_calloc(a, (size_t)n, sizeof(lh_expr_t **));
    for (int i = 0; i < n; i++) {
        v->u.values.rows[i] = lh_arena_calloc(a, 2, sizeof(lh_expr_t *));
        v->u.values.rows[i][0] = tf_long(a, first + i);
        v->u.values.rows[i][1] = tf_str(a, (first + i) % 2 ? "odd" : "even");
    }
    return v;
}

static lh_plan_t *wplan(lh_arena_t *a, const char *dir, lh_plan_t *child, bool create,
                        bool overwrite, const char *parts)
{
    lh_plan_t *w = lh_plan_new(a, LH_PLAN_WRITE, 2, 1);
    w->children[0] = child;
    x_set_col(w, 0, "num_affected_rows", TY(LONG));
    x_set_col(w, 1, "num_inserted_rows", TY(LONG));
    w->u.write.root = dir;
    w->u.write.table_name = "main.default.w";
    w->u.write.create = create;
    w->u.write.overwrite = overwrite;
    w->u.write.partition_by_json = parts;
    return w;
}

static lh_plan_t *scan2(lh_arena_t *a, const char *dir)
{
    static const int c[] = {0, 1};
    return x_scan(a, dir, c, 2);
}

static void test_writes(void)
{
    lh_arena_t *a = lh_arena_create();
    xtable t;
    x_mkdir(&t);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/tbl", t.dir);
    xrun r = {0};
    xout *o = malloc(sizeof *o);
    T_EQ_INT(x_run(&r, wplan(a, dir, rows2(a, 1, 3), true, false, "[\"g\"]"), false, o), LH_OK);
    T_EQ_STR(o->text, "3|3");
    T_EQ_INT(r.stats.rows_written, 3);
    X_EXPECT(scan2(a, dir), true, "1|odd;2|even;3|odd");
    /* CTAS onto an existing table fails */
    T_CHECK(x_run(&r, wplan(a, dir, rows2(a, 1, 1), true, false, NULL), false, o) != LH_OK);
    X_EXPECT(wplan(a, dir, rows2(a, 10, 2), false, false, NULL), false, "2|2");
    X_EXPECT(scan2(a, dir), true, "10|even;11|odd;1|odd;2|even;3|odd");
    /* an INSERT of no rows still commits */
    lh_plan_t *none = x_filter(a, rows2(a, 1, 1), tf_call(a, "gt", tf_long(a, 0), tf_long(a, 1)));
    X_EXPECT(wplan(a, dir, none, false, false, NULL), false, "0|0");
    X_EXPECT(wplan(a, dir, rows2(a, 20, 1), false, true, NULL), false, "1|1");
    X_EXPECT(scan2(a, dir), true, "20|even");
    /* the log: versions 0..3, partitioned by g */
    lh_objstore_t *os;
    lh_delta_table_t *dt;
    lh_delta_snapshot_t *snap;
    lh_errbuf eb;
    T_EQ_INT(lh_objstore_local_create(dir, &os, &eb), LH_OK);
    T_EQ_INT(lh_delta_table_open(os, "", &dt, &eb), LH_OK);
    T_EQ_INT(lh_delta_snapshot_latest(dt, &snap, &eb), LH_OK);
    T_EQ_INT(lh_delta_snapshot_version(snap), 3);
    T_EQ_INT(lh_delta_snapshot_metadata(snap)->partition_column_count, 1);
    lh_delta_snapshot_release(snap);
    lh_delta_table_close(dt);
    lh_objstore_destroy(os);
    /* time travel: version 1 through the scan */
    lh_plan_t *old = scan2(a, dir);
    old->u.scan.version = 1;
    X_EXPECT(old, true, "10|even;11|odd;1|odd;2|even;3|odd");
    free(o);
    x_rmdir(&t);
    lh_arena_destroy(a);
}

int main(void)
{
    T_RUN(test_setops);
    T_RUN(test_writes);
    return T_DONE();
}
