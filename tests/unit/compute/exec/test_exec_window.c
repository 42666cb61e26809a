/* Executor tests: window functions (ranking, offsets, ROWS and RANGE frames, aggregates,
 * IGNORE NULLS, ntile, percent_rank, cume_dist). */
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

typedef struct wspec {
    const char *fn;  /* ranking / offset function, or NULL */
    const char *agg; /* aggregate, or NULL */
    int args[3];     /* column indexes; -1 ends; -2 = constant cval */
    int64_t cval[3];
    int part;  /* partition column or -1 */
    int order; /* order column or -1 */
    bool rows;
    int64_t start, end;
    bool agg_const_true; /* aggregate's second argument: constant true (ignoreNulls) */
    lh_type_t type;
} wspec;

static lh_window_call_t call(lh_arena_t *a, const lh_plan_t *s, const wspec *w)
{
    lh_window_call_t c = {0};
    c.rank_fn = w->fn;
    c.args = lh_arena_calloc(a, 4, sizeof(lh_expr_t *));
    for (int i = 0; i < 3 && w->args[i] != -1; i++)
        c.args[c.arg_count++] = w->args[i] == -2 ? tf_long(a, w->cval[i]) : x_col(a, s, w->args[i]);
    if (w->agg_const_true) {
        lh_value_t t = {.type = TY(BOOLEAN), .v.i64 = 1};
        c.args[c.arg_count++] = lh_expr_const(a, &t, "true");
    }
    if (w->part >= 0) {
        c.partition_count = 1;
        c.partition = lh_arena_calloc(a, 1, sizeof(lh_expr_t *));
        c.partition[0] = x_col(a, s, w->part);
    }
    if (w->order >= 0) {
        c.order_count = 1;
        c.order = lh_arena_calloc(a, 1, sizeof(lh_sort_key_t));
        c.order[0].expr = x_col(a, s, w->order);
        c.order[0].nulls_first = true;
    }
    c.frame_rows = w->rows;
    c.frame_start = w->start;
    c.frame_end = w->end;
    c.frame_start_f = (double)w->start; /* RANGE over a DOUBLE key reads these */
    c.frame_end_f = (double)w->end;
    c.type = w->type;
    if (w->agg) {
        c.agg = lh_agg_find(w->agg);
        lh_type_t types[4], cast_to[4];
        const lh_value_t *consts[4] = {0};
        for (int i = 0; i < c.arg_count; i++) {
            types[i] = cast_to[i] = c.args[i]->type;
            consts[i] = c.args[i]->kind == LH_EXPR_CONST ? &c.args[i]->value : NULL;
        }
        lh_func_bind_t b = {.arg_count = c.arg_count,
                            .arg_types = types,
                            .const_args = consts,
                            .arena = a,
                            .cast_to = cast_to};
        lh_errbuf eb;
        LH_ASSERT(c.agg->bind(&b, &eb) == LH_OK);
        c.bind_data = b.bind_data;
        c.type = b.ret_type;
    }
    return c;
}

#define U_MIN INT64_MIN
#define U_MAX INT64_MAX

static void test_window(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *s = x_scan_all(a, tb.dir);
    wspec specs[] = {
        {"row_number", NULL, {-1}, {0}, 1, 0, true, U_MIN, 0, false, TY(INT)},
        {"rank", NULL, {-1}, {0}, -1, 3, false, U_MIN, 0, false, TY(INT)},
        {"dense_rank", NULL, {-1}, {0}, -1, 3, false, U_MIN, 0, false, TY(INT)},
        {"lag", NULL, {0, -1}, {0}, 1, 0, true, U_MIN, 0, false, TY(LONG)},
        {"lead", NULL, {0, -2, -2}, {0, 1, -1}, 1, 0, true, U_MIN, 0, false, TY(LONG)},
        {NULL, "sum", {3, -1}, {0}, 1, 0, true, U_MIN, 0, false, TY(LONG)},
        {NULL, "sum", {3, -1}, {0}, -1, 0, true, -1, 1, false, TY(LONG)},
        {NULL, "sum", {3, -1}, {0}, -1, 2, false, -2, 0, false, TY(LONG)},
        {NULL, "count", {-1}, {0}, 1, -1, false, U_MIN, U_MAX, false, TY(LONG)},
        {NULL, "last", {2, -1}, {0}, 1, 0, true, U_MIN, 0, true, TY(DOUBLE)},
        {"ntile", NULL, {-2, -1}, {2}, -1, 0, true, U_MIN, 0, false, TY(INT)},
        {"percent_rank", NULL, {-1}, {0}, -1, 3, false, U_MIN, 0, false, TY(DOUBLE)},
        {"cume_dist", NULL, {-1}, {0}, -1, 3, false, U_MIN, 0, false, TY(DOUBLE)},
    };
    int n = (int)(sizeof specs / sizeof specs[0]);
    lh_plan_t *w = lh_plan_new(a, LH_PLAN_WINDOW, 4 + n, 1);
    w->children[0] = s;
    w->u.window.call_count = n;
    w->u.window.calls = lh_arena_calloc(a, (size_t)n, sizeof(lh_window_call_t));
    for (int i = 0; i < 4; i++)
        x_set_col(w, i, s->col_names[i], s->col_types[i]);
    for (int i = 0; i < n; i++) {
        w->u.window.calls[i] = call(a, s, &specs[i]);
        x_set_col(w, 4 + i, "w", w->u.window.calls[i].type);
    }
    lh_expr_t *ex[1 + 13];
    ex[0] = x_col(a, w, 0);
    for (int i = 0; i < n; i++)
        ex[1 + i] = x_col(a, w, 4 + i);
    X_EXPECT(x_project(a, w, ex, 1 + n), true,
             "1|1|2|2|N|2|10|30|10|3|1.5|1|0.2|0.5;"
             "2|2|4|3|1|3|30|30|20|3|1.5|1|0.6|0.833333;"
             "3|3|1|1|2|-1|30|30|10|3|3.5|1|0|0.166667;"
             "4|1|2|2|N|5|10|40|10|2|4|2|0.2|0.5;"
             "5|2|6|4|4|-1|40|60|30|2|-1|2|1|1;"
             "6|1|4|3|N|-1|20|50|30|1|6|2|0.6|0.833333");
    lh_arena_destroy(a);
}

static void test_window_more(void)
{
    lh_arena_t *a = lh_arena_create();
    lh_plan_t *s = x_scan_all(a, tb.dir);
    wspec specs[] = {
        {"lag", NULL, {2, -1}, {0}, -1, 0, true, U_MIN, 0, false, TY(DOUBLE)},
        {"nth_value", NULL, {2, -2, -1}, {0, 2}, -1, 0, true, U_MIN, U_MAX, false, TY(DOUBLE)},
        {NULL, "sum", {0, -1}, {0}, -1, 3, false, -10, 0, false, TY(LONG)},
        {NULL, "min", {2, -1}, {0}, 1, 0, true, 1, 2, false, TY(DOUBLE)},
    };
    int n = (int)(sizeof specs / sizeof specs[0]);
    lh_plan_t *w = lh_plan_new(a, LH_PLAN_WINDOW, 4 + n, 1);
    w->children[0] = s;
    w->u.window.call_count = n;
    w->u.window.calls = lh_arena_calloc(a, (size_t)n, sizeof(lh_window_call_t));
    for (int i = 0; i < 4; i++)
        x_set_col(w, i, s->col_names[i], s->col_types[i]);
    for (int i = 0; i < n; i++) {
        w->u.window.calls[i] = call(a, s, &specs[i]);
        x_set_col(w, 4 + i, "w", w->u.window.calls[i].type);
    }
    w->u.window.calls[0].ignore_nulls = true;
    w->u.window.calls[1].ignore_nulls = true;
    w->u.window.calls[2].order[0].descending = true; /* RANGE 10 PRECEDING over k DESC */
    w->u.window.calls[2].order[0].nulls_first = false;
    lh_expr_t *ex[5] = {x_col(a, w, 0), x_col(a, w, 4), x_col(a, w, 5), x_col(a, w, 6),
                        x_col(a, w, 7)};
    /* min(v) ROWS 1 FOLLOWING .. 2 FOLLOWING within g: a: (N,3.5)->3.5, (3.5)->3.5, ()->N */
    /* an unknown ranking function is an error */
    lh_window_call_t saved = w->u.window.calls[0];
    w->u.window.calls[0].rank_fn = "no_such_fn";
    xrun r = {0};
    xout *o = malloc(sizeof *o);
    T_EQ_INT(x_run(&r, w, false, o), LH_E_INVALID);
    T_CHECK(strstr(r.eb.msg, "no_such_fn") != NULL);
    w->u.window.calls[0].arg_count = 0;
    w->u.window.calls[0].rank_fn = "lag";
    T_EQ_INT(x_run(&r, w, false, o), LH_E_INVALID);
    free(o);
    w->u.window.calls[0] = saved;
    X_EXPECT(x_project(a, w, ex, 5), true,
             "1|N|3.5|13|3.5;2|1.5|3.5|13|3.5;3|1.5|3.5|3|N;4|3.5|3.5|13|-1;5|4|3.5|5|N;"
             "6|-1|3.5|13|N");
    lh_arena_destroy(a);
}

int main(void)
{
    make_table();
    T_RUN(test_window);
    T_RUN(test_window_more);
    x_rmdir(&tb);
    return T_DONE();
}
