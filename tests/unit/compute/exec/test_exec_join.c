/* Executor tests: every join kind with NULL keys and duplicates, null-safe keys, residual
 * conditions, the nested loop (CROSS). */
#include "exec_test_util.h"

static xtable tl, tr;

static void make_tables(void)
{
    x_mkdir(&tl);
    x_mkdir(&tr);
    xrow l1[] = {{1, "a", 0, 10}, {2, "a", 0, 20}, {3, "a", 0, 0, false, true}};
    xrow l2[] = {{4, "b", 0, 10}, {5, "b", 0, 30}, {6, NULL, 0, 20}};
    xrow r[] = {{10, "a", 0, 10},
                {11, "x", 0, 10},
                {12, "c", 0, 20},
                {13, NULL, 0, 0, false, true},
                {14, "d", 0, 40}};
    x_append_rows(&tl, l1, 3, NULL);
    x_append_rows(&tl, l2, 3, NULL);
    x_append_rows(&tr, r, 5, NULL);
}

/* l JOIN r ON l.k = r.k [AND residual]; output projected to (l.id, r.id). */
static lh_plan_t *join(lh_arena_t *a, lh_join_kind kind, bool null_safe, bool residual)
{
    lh_plan_t *l = x_scan_all(a, tl.dir), *r = x_scan_all(a, tr.dir);
    bool semi = kind == LH_PJOIN_SEMI || kind == LH_PJOIN_ANTI;
    lh_plan_t *j = lh_plan_new(a, LH_PLAN_JOIN, semi ? 4 : 8, 2);
    j->children[0] = l;
    j->children[1] = r;
    for (int i = 0; i < 4; i++) {
        x_set_col(j, i, l->col_names[i], l->col_types[i]);
        if (!semi)
            x_set_col(j, 4 + i, r->col_names[i], r->col_types[i]);
    }
    j->u.join.kind = kind;
    if (kind != LH_PJOIN_CROSS) {
        j->u.join.key_count = 1;
        j->u.join.left_keys = lh_arena_calloc(a, 1, sizeof(lh_expr_t *));
        j->u.join.right_keys = lh_arena_calloc(a, 1, sizeof(lh_expr_t *));
        j->u.join.left_keys[0] = x_col(a, l, 3);
        j->u.join.right_keys[0] = x_col(a, r, 3);
        j->u.join.null_safe = lh_arena_calloc(a, 1, sizeof(bool));
        j->u.join.null_safe[0] = null_safe;
    }
    if (residual) /* r.id > l.id + 9, over left ++ right */
        j->u.join.residual = tf_call(a, "gt", lh_expr_column(a, 4, TY(LONG), false, "rid"),
                                     tf_call(a, "add", x_col(a, l, 0), tf_long(a, 9)));
    lh_expr_t *ex[2] = {x_col(a, j, 0), semi ? NULL : x_col(a, j, 4)};
    return x_project(a, j, ex, semi ? 1 : 2);
}

/* Run with the right side built, then with the left side built: the same rows. */
#define X_BOTH(plan, want)                                                                         \
    do {                                                                                           \
        lh_plan_t *x_p_ = (plan);                                                                  \
        X_EXPECT(x_p_, true, want);                                                                \
        x_p_->children[0]->u.join.build_left = true;                                               \
        X_EXPECT(x_p_, true, want);                                                                \
    } while (0)

static void test_inner_outer(void)
{
    lh_arena_t *a = lh_arena_create();
    X_BOTH(join(a, LH_PJOIN_INNER, false, false), "1|10;1|11;2|12;4|10;4|11;6|12");
    X_BOTH(join(a, LH_PJOIN_LEFT, false, false), "1|10;1|11;2|12;3|N;4|10;4|11;5|N;6|12");
    X_BOTH(join(a, LH_PJOIN_RIGHT, false, false), "1|10;1|11;2|12;4|10;4|11;6|12;N|13;N|14");
    /* LIMIT over a RIGHT join: every probe morsel runs before unmatched rows are padded */
    lh_plan_t *lim = lh_plan_new(a, LH_PLAN_LIMIT, 2, 1);
    lim->children[0] = join(a, LH_PJOIN_RIGHT, false, false);
    x_set_col(lim, 0, "l", TY(LONG));
    x_set_col(lim, 1, "r", TY(LONG));
    lim->u.limit.limit = 100;
    X_EXPECT(lim, true, "1|10;1|11;2|12;4|10;4|11;6|12;N|13;N|14");
    lim->u.limit.limit = 7;
    xout *o = malloc(sizeof *o);
    T_EQ_INT(x_run(NULL, lim, true, o), LH_OK);
    T_EQ_INT(o->rows, 7);
    T_CHECK(strstr(o->text, "N|10") == NULL && strstr(o->text, "N|11") == NULL);
    free(o);
    X_BOTH(join(a, LH_PJOIN_FULL, false, false), "1|10;1|11;2|12;3|N;4|10;4|11;5|N;6|12;N|13;N|14");
    lh_arena_destroy(a);
}

static void test_semi_anti_nullsafe(void)
{
    lh_arena_t *a = lh_arena_create();
    X_BOTH(join(a, LH_PJOIN_SEMI, false, false), "1;2;4;6");
    X_BOTH(join(a, LH_PJOIN_ANTI, false, false), "3;5");
    /* <=>: NULL matches NULL */
    X_BOTH(join(a, LH_PJOIN_INNER, true, false), "1|10;1|11;2|12;3|13;4|10;4|11;6|12");
    X_BOTH(join(a, LH_PJOIN_ANTI, true, false), "5");
    lh_arena_destroy(a);
}

static void test_residual_cross(void)
{
    lh_arena_t *a = lh_arena_create();
    X_BOTH(join(a, LH_PJOIN_INNER, false, true), "1|11;2|12");
    X_BOTH(join(a, LH_PJOIN_LEFT, false, true), "1|11;2|12;3|N;4|N;5|N;6|N");
    X_BOTH(join(a, LH_PJOIN_FULL, false, true), "1|11;2|12;3|N;4|N;5|N;6|N;N|10;N|13;N|14");
    X_BOTH(join(a, LH_PJOIN_SEMI, false, true), "1;2");
    X_BOTH(join(a, LH_PJOIN_ANTI, false, true), "3;4;5;6");
    /* CROSS: 6 x 5 rows; with the residual r.id > l.id + 9 */
    xout *o = malloc(sizeof *o);
    T_EQ_INT(x_run(NULL, join(a, LH_PJOIN_CROSS, false, false), false, o), LH_OK);
    T_EQ_INT(o->rows, 30);
    X_BOTH(join(a, LH_PJOIN_CROSS, false, true),
           "1|11;1|12;1|13;1|14;2|12;2|13;2|14;3|13;3|14;4|14");
    free(o);
    lh_arena_destroy(a);
}

int main(void)
{
    make_tables();
    T_RUN(test_inner_outer);
    T_RUN(test_semi_anti_nullsafe);
    T_RUN(test_residual_cross);
    x_rmdir(&tl);
    x_rmdir(&tr);
    return T_DONE();
}
