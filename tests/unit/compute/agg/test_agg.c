/* Unit tests for compute/agg: every aggregate through bind, update (two partials split at
 * row `split`), combine and finalize, with groups. */
#include <math.h>
#include <stdint.h>

#include "../testfuncs.h"
#include "compute/agg/agg.h"
#include "t.h"

typedef struct run {
    lh_arena_t *a;
    lh_vec_t *out;
    lh_err err;
    lh_errbuf eb;
    lh_type_t ret;
} run_t;

/* Run name over args (rows rows, row i in group grp[i] or 0 when grp NULL) with constants
 * consts (may be NULL). Rows [0, split) go to partial A, the rest to partial B. */
static void agg_run(run_t *r, const char *name, int argc, lh_vec_t **args,
                    const lh_value_t **consts, size_t rows, const int *grp, int groups,
                    size_t split)
{
    memset(r, 0, sizeof *r);
    r->a = lh_arena_create();
    const lh_agg_func_t *f = lh_agg_find(name);
    LH_ASSERT(f != NULL);
    lh_type_t types[4], cast_to[4];
    for (int i = 0; i < argc; i++)
        types[i] = cast_to[i] = args[i]->type;
    const lh_value_t *cs[4] = {0};
    for (int i = 0; consts && i < argc; i++)
        cs[i] = consts[i];
    lh_func_bind_t b = {
        .arg_count = argc, .arg_types = types, .const_args = cs, .arena = r->a, .cast_to = cast_to};
    if ((r->err = f->bind(&b, &r->eb)) != LH_OK)
        return;
    r->ret = b.ret_type;
    for (int i = 0; i < argc; i++)
        LH_ASSERT(lh_type_equal(cast_to[i], types[i]) || cast_to[i].id == LH_TYPE_DOUBLE);
    size_t sz = f->state_size(b.bind_data);
    char *mem = calloc((size_t)groups * 2, sz);
    for (int g = 0; g < groups * 2; g++)
        f->init(b.bind_data, mem + (size_t)g * sz);
    void **states = calloc(rows + 1, sizeof *states);
    for (size_t i = 0; i < rows; i++)
        states[i] = mem + ((size_t)(grp ? grp[i] : 0) + (i >= split ? (size_t)groups : 0)) * sz;
    /* arguments the bind wants as double are converted here (the operator's casts) */
    lh_vec_t *conv[4] = {0};
    const lh_vec_t *use[4];
    for (int i = 0; i < argc; i++) {
        use[i] = args[i];
        if (!lh_type_equal(cast_to[i], types[i])) {
            conv[i] = lh_vec_create(cast_to[i], rows);
            for (size_t k = 0; k < rows; k++)
                if (lh_vec_is_valid(args[i], k))
                    lh_vec_append_f64(conv[i], lh_vec_get_f64(args[i], k));
                else
                    lh_vec_append_null(conv[i]);
            use[i] = conv[i];
        }
    }
    r->err = f->update(b.bind_data, states, use, rows, &r->eb);
    void *fin[16];
    for (int g = 0; g < groups; g++) {
        f->combine(b.bind_data, mem + (size_t)g * sz, mem + (size_t)(g + groups) * sz);
        fin[g] = mem + (size_t)g * sz;
    }
    r->out = lh_vec_create(b.ret_type, 4);
    if (r->err == LH_OK)
        r->err = f->finalize(b.bind_data, fin, (size_t)groups, r->out, &r->eb);
    if (f->destroy)
        for (int g = 0; g < groups * 2; g++)
            f->destroy(b.bind_data, mem + (size_t)g * sz);
    for (int i = 0; i < argc; i++)
        lh_vec_destroy(conv[i]);
    free(states);
    free(mem);
}

static void run_free(run_t *r)
{
    lh_vec_destroy(r->out);
    lh_arena_destroy(r->a);
}

/* A LONG vector; INT64_MIN entries are NULL. */
static lh_vec_t *longs(const int64_t *x, size_t n)
{
    lh_vec_t *v = lh_vec_create(TY(LONG), n);
    for (size_t i = 0; i < n; i++)
        if (x[i] == INT64_MIN)
            lh_vec_append_null(v);
        else
            lh_vec_append_i64(v, x[i]);
    return v;
}

static lh_vec_t *doubles(const double *x, size_t n)
{
    lh_vec_t *v = lh_vec_create(TY(DOUBLE), n);
    for (size_t i = 0; i < n; i++)
        if (x[i] == -999)
            lh_vec_append_null(v);
        else
            lh_vec_append_f64(v, x[i]);
    return v;
}

static lh_vec_t *strs(const char *const *x, size_t n)
{
    lh_vec_t *v = lh_vec_create(TY(STRING), n);
    for (size_t i = 0; i < n; i++)
        if (x[i] == NULL)
            lh_vec_append_null(v);
        else
            lh_vec_append_str(v, x[i], strlen(x[i]));
    return v;
}

#define N INT64_MIN

static void test_count(void)
{
    int64_t x[] = {1, N, 3, N, 5};
    lh_vec_t *v = longs(x, 5);
    int grp[] = {0, 0, 1, 1, 1};
    run_t r;
    agg_run(&r, "count", 0, NULL, NULL, 5, grp, 2, 2);
    T_EQ_INT(r.err, LH_OK);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 2);
    T_EQ_INT(lh_vec_get_i64(r.out, 1), 3);
    run_free(&r);
    agg_run(&r, "COUNT", 1, &v, NULL, 5, grp, 2, 3);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 1);
    T_EQ_INT(lh_vec_get_i64(r.out, 1), 2);
    T_EQ_INT(r.ret.id, LH_TYPE_LONG);
    run_free(&r);
    lh_vec_t *b = lh_vec_create(TY(BOOLEAN), 4);
    lh_vec_append_bool(b, true);
    lh_vec_append_null(b);
    lh_vec_append_bool(b, false);
    lh_vec_append_bool(b, true);
    agg_run(&r, "count_if", 1, &b, NULL, 4, NULL, 1, 1);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 2);
    run_free(&r);
    lh_vec_destroy(b);
    lh_vec_destroy(v);
}

static void test_sum_avg(void)
{
    int64_t x[] = {1, 2, N, 4};
    lh_vec_t *v = longs(x, 4);
    run_t r;
    agg_run(&r, "sum", 1, &v, NULL, 4, NULL, 1, 2);
    T_EQ_INT(r.ret.id, LH_TYPE_LONG);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 7);
    run_free(&r);
    agg_run(&r, "avg", 1, &v, NULL, 4, NULL, 1, 2);
    T_EQ_INT(r.ret.id, LH_TYPE_DOUBLE);
    T_CHECK(fabs(lh_vec_get_f64(r.out, 0) - 7.0 / 3) < 1e-12);
    run_free(&r);
    /* all NULL -> NULL */
    int64_t nn[] = {N, N};
    lh_vec_t *vn = longs(nn, 2);
    agg_run(&r, "sum", 1, &vn, NULL, 2, NULL, 1, 1);
    T_CHECK(!lh_vec_is_valid(r.out, 0));
    run_free(&r);
    /* overflow: within a partial and across the combine */
    int64_t big[] = {INT64_MAX, 1};
    lh_vec_t *vb = longs(big, 2);
    agg_run(&r, "sum", 1, &vb, NULL, 2, NULL, 1, 2);
    T_EQ_INT(r.err, LH_E_INVALID);
    T_EQ_STR(r.eb.error_code, "ARITHMETIC_OVERFLOW");
    run_free(&r);
    agg_run(&r, "sum", 1, &vb, NULL, 2, NULL, 1, 1);
    T_EQ_STR(r.eb.error_code, "ARITHMETIC_OVERFLOW");
    run_free(&r);
    /* decimal(5,2): 1.00 + 2.00 + 2.00; sum DECIMAL(15,2), avg DECIMAL(9,6) = 1.666667 */
    lh_vec_t *d = lh_vec_create((lh_type_t){.id = LH_TYPE_DECIMAL, .precision = 5, .scale = 2}, 4);
    lh_vec_append_i64(d, 100);
    lh_vec_append_i64(d, 200);
    lh_vec_append_i64(d, 200);
    agg_run(&r, "sum", 1, &d, NULL, 3, NULL, 1, 1);
    T_EQ_INT(r.ret.precision, 15);
    T_EQ_INT(r.ret.scale, 2);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 500);
    run_free(&r);
    agg_run(&r, "avg", 1, &d, NULL, 3, NULL, 1, 2);
    T_EQ_INT(r.ret.precision, 9);
    T_EQ_INT(r.ret.scale, 6);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 1666667);
    run_free(&r);
    double dd[] = {1.5, -999, 2.5};
    lh_vec_t *vd = doubles(dd, 3);
    agg_run(&r, "sum", 1, &vd, NULL, 3, NULL, 1, 1);
    T_CHECK(lh_vec_get_f64(r.out, 0) == 4.0);
    run_free(&r);
    lh_vec_t *s = strs((const char *[]){"a"}, 1);
    agg_run(&r, "sum", 1, &s, NULL, 1, NULL, 1, 1); /* strings: cast to double */
    T_EQ_INT(r.ret.id, LH_TYPE_DOUBLE);
    run_free(&r);
    lh_vec_t *bo = lh_vec_create(TY(BOOLEAN), 1);
    lh_vec_append_bool(bo, true);
    agg_run(&r, "sum", 1, &bo, NULL, 1, NULL, 1, 1);
    T_EQ_STR(r.eb.error_code, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
    run_free(&r);
    lh_vec_destroy(bo);
    lh_vec_destroy(s);
    lh_vec_destroy(vd);
    lh_vec_destroy(d);
    lh_vec_destroy(vb);
    lh_vec_destroy(vn);
    lh_vec_destroy(v);
}

static void test_min_max_bool(void)
{
    const char *s[] = {"pear", NULL, "apple", "zoo", "fig"};
    lh_vec_t *v = strs(s, 5);
    int grp[] = {0, 0, 0, 1, 1};
    run_t r;
    agg_run(&r, "min", 1, &v, NULL, 5, grp, 2, 1);
    T_EQ_INT(r.ret.id, LH_TYPE_STRING);
    lh_sv_t a = lh_vec_get_str(r.out, 0), b = lh_vec_get_str(r.out, 1);
    T_CHECK(a.len == 5 && memcmp(a.ptr, "apple", 5) == 0);
    T_CHECK(b.len == 3 && memcmp(b.ptr, "fig", 3) == 0);
    run_free(&r);
    agg_run(&r, "max", 1, &v, NULL, 5, grp, 2, 4);
    a = lh_vec_get_str(r.out, 0);
    T_CHECK(a.len == 4 && memcmp(a.ptr, "pear", 4) == 0);
    run_free(&r);
    double d[] = {1.0, NAN, -3.0};
    lh_vec_t *vd = doubles(d, 3);
    agg_run(&r, "max", 1, &vd, NULL, 3, NULL, 1, 1);
    T_CHECK(isnan(lh_vec_get_f64(r.out, 0))); /* NaN is greatest */
    run_free(&r);
    agg_run(&r, "min", 1, &vd, NULL, 3, NULL, 1, 2);
    T_CHECK(lh_vec_get_f64(r.out, 0) == -3.0);
    run_free(&r);
    lh_vec_t *bo = lh_vec_create(TY(BOOLEAN), 4);
    lh_vec_append_bool(bo, true);
    lh_vec_append_null(bo);
    lh_vec_append_bool(bo, false);
    agg_run(&r, "bool_and", 1, &bo, NULL, 3, NULL, 1, 1);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 0);
    run_free(&r);
    agg_run(&r, "some", 1, &bo, NULL, 3, NULL, 1, 2);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 1);
    run_free(&r);
    agg_run(&r, "every", 1, &bo, NULL, 2, NULL, 1, 1); /* true, NULL */
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 1);
    run_free(&r);
    lh_vec_destroy(bo);
    lh_vec_destroy(vd);
    lh_vec_destroy(v);
}

static void test_first_last_by(void)
{
    int64_t x[] = {N, 2, 3, N};
    lh_vec_t *v = longs(x, 4);
    lh_value_t t = {.type = TY(BOOLEAN), .v.i64 = 1};
    const lh_value_t *ign[] = {NULL, &t};
    lh_vec_t *args[2] = {v, NULL};
    lh_vec_t *flag = lh_vec_create(TY(BOOLEAN), 4);
    for (int i = 0; i < 4; i++)
        lh_vec_append_bool(flag, true);
    args[1] = flag;
    run_t r;
    agg_run(&r, "first", 1, args, NULL, 4, NULL, 1, 2);
    T_CHECK(!lh_vec_is_valid(r.out, 0)); /* NULL counts without ignoreNulls */
    run_free(&r);
    agg_run(&r, "first", 2, args, ign, 4, NULL, 1, 1);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 2);
    run_free(&r);
    agg_run(&r, "last", 2, args, ign, 4, NULL, 1, 3);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 3);
    run_free(&r);
    agg_run(&r, "last", 1, args, NULL, 4, NULL, 1, 2);
    T_CHECK(!lh_vec_is_valid(r.out, 0));
    run_free(&r);
    agg_run(&r, "any_value", 2, args, ign, 4, NULL, 1, 4);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 2);
    run_free(&r);
    /* min_by(name, score), max_by */
    const char *names[] = {"a", "b", "c", "d"};
    double sc[] = {5, 1, -999, 9};
    lh_vec_t *nv = strs(names, 4), *sv = doubles(sc, 4);
    lh_vec_t *by[2] = {nv, sv};
    agg_run(&r, "min_by", 2, by, NULL, 4, NULL, 1, 1);
    lh_sv_t s = lh_vec_get_str(r.out, 0);
    T_CHECK(s.len == 1 && s.ptr[0] == 'b');
    run_free(&r);
    agg_run(&r, "max_by", 2, by, NULL, 4, NULL, 1, 3);
    s = lh_vec_get_str(r.out, 0);
    T_CHECK(s.len == 1 && s.ptr[0] == 'd');
    run_free(&r);
    lh_vec_destroy(nv);
    lh_vec_destroy(sv);
    lh_vec_destroy(flag);
    lh_vec_destroy(v);
}

static void test_stats(void)
{
    double x[] = {1, 2, 3, 4, -999};
    lh_vec_t *v = doubles(x, 5);
    run_t r;
    struct {
        const char *fn;
        double want;
    } cases[] = {{"var_samp", 5.0 / 3},     {"variance", 5.0 / 3},          {"var_pop", 1.25},
                 {"stddev", sqrt(5.0 / 3)}, {"stddev_samp", sqrt(5.0 / 3)}, {"std", sqrt(5.0 / 3)},
                 {"stddev_pop", sqrt(1.25)}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        agg_run(&r, cases[k].fn, 1, &v, NULL, 5, NULL, 1, 2);
        T_CHECK(fabs(lh_vec_get_f64(r.out, 0) - cases[k].want) < 1e-12);
        run_free(&r);
    }
    agg_run(&r, "var_samp", 1, &v, NULL, 1, NULL, 1, 1); /* one row: NULL */
    T_CHECK(!lh_vec_is_valid(r.out, 0));
    run_free(&r);
    agg_run(&r, "var_pop", 1, &v, NULL, 1, NULL, 1, 1);
    T_CHECK(lh_vec_get_f64(r.out, 0) == 0.0);
    run_free(&r);
    /* integral input is cast to double */
    int64_t li[] = {1, 2, 3, 4};
    lh_vec_t *lv = longs(li, 4);
    agg_run(&r, "var_pop", 1, &lv, NULL, 4, NULL, 1, 1);
    T_CHECK(fabs(lh_vec_get_f64(r.out, 0) - 1.25) < 1e-12);
    run_free(&r);
    double y[] = {2, 4, 7, 9, 1};
    lh_vec_t *vy = doubles(y, 5);
    lh_vec_t *xy[2] = {v, vy};
    /* x = 1..4, y = 2,4,7,9: means 2.5, 5.5; sum dx*dy = 12, dx^2 = 5, dy^2 = 29 */
    agg_run(&r, "covar_pop", 2, xy, NULL, 5, NULL, 1, 2);
    T_CHECK(fabs(lh_vec_get_f64(r.out, 0) - 12.0 / 4) < 1e-12);
    run_free(&r);
    agg_run(&r, "covar_samp", 2, xy, NULL, 5, NULL, 1, 3);
    T_CHECK(fabs(lh_vec_get_f64(r.out, 0) - 12.0 / 3) < 1e-12);
    run_free(&r);
    agg_run(&r, "corr", 2, xy, NULL, 5, NULL, 1, 1);
    T_CHECK(fabs(lh_vec_get_f64(r.out, 0) - 12.0 / sqrt(5.0 * 29.0)) < 1e-12);
    run_free(&r);
    lh_vec_destroy(lv);
    lh_vec_destroy(vy);
    lh_vec_destroy(v);
}

static void test_percentiles(void)
{
    int64_t x[] = {4, 1, N, 3, 2};
    lh_vec_t *v = longs(x, 5);
    lh_value_t half = {.type = TY(DOUBLE), .v.f64 = 0.5}, q = {.type = TY(DOUBLE), .v.f64 = 0.25};
    lh_vec_t *args[2] = {v, v};
    const lh_value_t *ch[] = {NULL, &half}, *cq[] = {NULL, &q};
    run_t r;
    agg_run(&r, "median", 1, args, NULL, 5, NULL, 1, 2);
    T_EQ_INT(r.ret.id, LH_TYPE_DOUBLE);
    T_CHECK(lh_vec_get_f64(r.out, 0) == 2.5);
    run_free(&r);
    agg_run(&r, "percentile", 2, args, cq, 5, NULL, 1, 3);
    T_CHECK(fabs(lh_vec_get_f64(r.out, 0) - 1.75) < 1e-12);
    run_free(&r);
    agg_run(&r, "percentile_approx", 2, args, ch, 5, NULL, 1, 1);
    T_EQ_INT(r.ret.id, LH_TYPE_LONG); /* the input's type */
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 2);
    run_free(&r);
    agg_run(&r, "approx_percentile", 2, args, cq, 5, NULL, 1, 1);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), 1);
    run_free(&r);
    lh_value_t bad = {.type = TY(DOUBLE), .v.f64 = 1.5};
    const lh_value_t *cb[] = {NULL, &bad};
    agg_run(&r, "percentile", 2, args, cb, 5, NULL, 1, 1);
    T_EQ_INT(r.err, LH_E_INVALID);
    run_free(&r);
    agg_run(&r, "collect_list", 1, args, NULL, 5, NULL, 1, 1);
    T_EQ_INT(r.err, LH_OK);
    T_EQ_INT(r.ret.id, LH_TYPE_ARRAY);
    run_free(&r);
    lh_vec_destroy(v);
}

static void test_approx_count_distinct(void)
{
    /* 10 distinct values, each 3 times: linear counting over 512 registers (one register
     * collision among them gives 9, as it would in Spark); duplicates change nothing */
    size_t n = 30;
    int64_t *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = (int64_t)(i % 10) * 1000;
    lh_vec_t *v = longs(x, n);
    run_t r;
    agg_run(&r, "approx_count_distinct", 1, &v, NULL, n, NULL, 1, 11);
    T_EQ_INT(r.ret.id, LH_TYPE_LONG);
    int64_t ten = lh_vec_get_i64(r.out, 0);
    T_CHECK(ten == 9 || ten == 10);
    run_free(&r);
    agg_run(&r, "approx_count_distinct", 1, &v, NULL, 10, NULL, 1, 10);
    T_EQ_INT(lh_vec_get_i64(r.out, 0), ten);
    run_free(&r);
    lh_vec_destroy(v);
    free(x);
    /* 20000 distinct strings: within 3 standard errors (15%) */
    n = 20000;
    char(*buf)[16] = malloc(n * 16);
    const char **s = malloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], 16, "k%zu", i);
        s[i] = buf[i];
    }
    v = strs(s, n);
    agg_run(&r, "approx_count_distinct", 1, &v, NULL, n, NULL, 1, n / 2);
    int64_t est = lh_vec_get_i64(r.out, 0);
    T_CHECK(est > 17000 && est < 23000);
    run_free(&r);
    lh_value_t rsd = {.type = TY(DOUBLE), .v.f64 = 0.01};
    const lh_value_t *cr[] = {NULL, &rsd};
    lh_vec_t *args[2] = {v, v};
    agg_run(&r, "approx_count_distinct", 2, args, cr, n, NULL, 1, 7);
    est = lh_vec_get_i64(r.out, 0);
    T_CHECK(est > 19400 && est < 20600); /* p = 14 */
    run_free(&r);
    lh_vec_destroy(v);
    free(s);
    free(buf);
}

static void test_registry(void)
{
    T_CHECK(lh_agg_find("STDDEV_POP") != NULL);
    T_CHECK(lh_agg_find("nope") == NULL);
    int n = lh_agg_count();
    T_CHECK(n > 30);
    for (int i = 0; i < n; i++)
        T_CHECK(lh_agg_row(i)->name != NULL);
    T_CHECK(lh_agg_row(n) == NULL);
}

int main(void)
{
    T_RUN(test_count);
    T_RUN(test_sum_avg);
    T_RUN(test_min_max_bool);
    T_RUN(test_first_last_by);
    T_RUN(test_stats);
    T_RUN(test_percentiles);
    T_RUN(test_approx_count_distinct);
    T_RUN(test_registry);
    return T_DONE();
}
