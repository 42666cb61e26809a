/*
 * testfuncs.h - a few scalar function rows for the engine's unit tests (compute/func's
 * real registry is another module): BIGINT add, div (DIVIDE_BY_ZERO on 0), comparisons
 * eq/lt/gt over BIGINT, DOUBLE or STRING, and a "cast" between integer and double types
 * following expr.h's cast convention. Plus value/expression helpers.
 */
#ifndef LH_TEST_TESTFUNCS_H
#define LH_TEST_TESTFUNCS_H

#include <string.h>

#include "compute/expr/expr.h"
#include "compute/expr/vecops.h"
#include "compute/sqlerr.h"

#define TY(x) ((lh_type_t){.id = LH_TYPE_##x})

static inline bool tf_valid(const lh_vec_t *v, size_t i)
{
    return v->validity == NULL || ((v->validity[i >> 6] >> (i & 63)) & 1u);
}

static inline lh_err tf_bind_long2(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    b->ret_type = TY(LONG);
    b->cast_to[0] = b->cast_to[1] = TY(LONG);
    return LH_OK;
}

static inline lh_err tf_add(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const int64_t *a = x->args[0]->data, *b = x->args[1]->data;
    int64_t *o = x->out->data;
    for (size_t i = 0; i < x->rows; i++) {
        o[i] = a[i] + b[i];
        if (!tf_valid(x->args[0], i) || !tf_valid(x->args[1], i))
            LH_TRY(lh_vec_set_null(x->out, i, true));
    }
    x->out->count = x->rows;
    (void)eb;
    return LH_OK;
}

static inline lh_err tf_div(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const int64_t *a = x->args[0]->data, *b = x->args[1]->data;
    int64_t *o = x->out->data;
    for (size_t i = 0; i < x->rows; i++) {
        if (!tf_valid(x->args[0], i) || !tf_valid(x->args[1], i)) {
            LH_TRY(lh_vec_set_null(x->out, i, true));
            continue;
        }
        if (b[i] == 0)
            return lh_sqlerr(eb, "DIVIDE_BY_ZERO", "config", "\"spark.sql.ansi.enabled\"", NULL);
        o[i] = a[i] / b[i];
    }
    x->out->count = x->rows;
    return LH_OK;
}

static inline lh_err tf_bind_cmp(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    b->ret_type = TY(BOOLEAN);
    if (b->arg_types[0].id != b->arg_types[1].id) /* long vs double: compare as double */
        b->cast_to[0] = b->cast_to[1] = TY(DOUBLE);
    return LH_OK;
}

#define TF_CMP(name, test)                                                                         \
    static inline lh_err name(const lh_func_exec_t *x, lh_errbuf *eb)                              \
    {                                                                                              \
        uint8_t *o = x->out->data;                                                                 \
        for (size_t i = 0; i < x->rows; i++) {                                                     \
            if (!tf_valid(x->args[0], i) || !tf_valid(x->args[1], i)) {                            \
                o[i] = 0;                                                                          \
                LH_TRY(lh_vec_set_null(x->out, i, true));                                          \
                continue;                                                                          \
            }                                                                                      \
            int c = lh_vecops_cmp(x->args[0], i, x->args[1], i);                                   \
            o[i] = (test);                                                                         \
        }                                                                                          \
        x->out->count = x->rows;                                                                   \
        (void)eb;                                                                                  \
        return LH_OK;                                                                              \
    }
TF_CMP(tf_eq, c == 0)
TF_CMP(tf_lt, c < 0)
TF_CMP(tf_gt, c > 0)

static inline lh_err tf_bind_cast(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    b->ret_type = *(const lh_type_t *)b->bind_data; /* the target, preset (func.h) */
    return LH_OK;
}

static inline lh_err tf_cast(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const lh_vec_t *a = x->args[0];
    for (size_t i = 0; i < x->rows; i++) {
        if (!tf_valid(a, i)) {
            LH_TRY(lh_vec_set_null(x->out, i, true));
            continue;
        }
        bool af = a->type.id == LH_TYPE_DOUBLE || a->type.id == LH_TYPE_FLOAT;
        double d = af ? lh_vec_get_f64(a, i) : (double)lh_vec_get_i64(a, i);
        int64_t l = af ? (int64_t)lh_vec_get_f64(a, i) : lh_vec_get_i64(a, i);
        switch (x->out->type.id) {
        case LH_TYPE_DOUBLE:
            ((double *)x->out->data)[i] = d;
            break;
        case LH_TYPE_LONG:
            ((int64_t *)x->out->data)[i] = l;
            break;
        case LH_TYPE_INT:
            ((int32_t *)x->out->data)[i] = (int32_t)l;
            break;
        default:
            LH_FAIL(LH_E_UNSUPPORTED, eb, "test cast");
        }
    }
    x->out->count = x->rows;
    return LH_OK;
}

static const lh_func_t tf_funcs[] = {
    {"add", LH_FUNC_SCALAR, 2, 2, tf_bind_long2, tf_add, true},
    {"div", LH_FUNC_SCALAR, 2, 2, tf_bind_long2, tf_div, true},
    {"eq", LH_FUNC_SCALAR, 2, 2, tf_bind_cmp, tf_eq, true},
    {"lt", LH_FUNC_SCALAR, 2, 2, tf_bind_cmp, tf_lt, true},
    {"gt", LH_FUNC_SCALAR, 2, 2, tf_bind_cmp, tf_gt, true},
    {"cast", LH_FUNC_SCALAR, 1, 1, tf_bind_cast, tf_cast, true},
};

static inline const lh_func_t *tf_find(const char *name)
{
    for (size_t i = 0; i < sizeof tf_funcs / sizeof tf_funcs[0]; i++)
        if (strcmp(tf_funcs[i].name, name) == 0)
            return &tf_funcs[i];
    return NULL;
}

/* Bind name(a, b) (asserts success). */
static inline lh_expr_t *tf_call(lh_arena_t *ar, const char *name, lh_expr_t *a, lh_expr_t *b)
{
    lh_expr_t *args[2] = {a, b}, *out = NULL;
    lh_errbuf eb;
    const lh_func_t *f = tf_find(name);
    /* bind without the registry: cast nodes are built by hand when needed */
    lh_type_t types[2] = {a->type, b->type}, cast_to[2] = {a->type, b->type};
    lh_func_bind_t bd = {.arg_count = 2, .arg_types = types, .arena = ar, .cast_to = cast_to};
    LH_ASSERT(f->bind(&bd, &eb) == LH_OK);
    out = lh_expr_node(ar, LH_EXPR_CALL, bd.ret_type, true, 2, args, name);
    out->func = f;
    return out;
}

static inline lh_expr_t *tf_col(lh_arena_t *ar, int i, lh_type_t t)
{
    return lh_expr_column(ar, i, t, true, "c");
}

static inline lh_expr_t *tf_long(lh_arena_t *ar, int64_t x)
{
    lh_value_t v = {.type = TY(LONG), .v.i64 = x};
    return lh_expr_const(ar, &v, "lit");
}

static inline lh_expr_t *tf_null(lh_arena_t *ar, lh_type_t t)
{
    lh_value_t v = {.type = t, .is_null = true};
    return lh_expr_const(ar, &v, "NULL");
}

static inline lh_expr_t *tf_str(lh_arena_t *ar, const char *s)
{
    lh_value_t v = {.type = TY(STRING)};
    v.v.str.ptr = (const uint8_t *)s;
    v.v.str.len = (uint32_t)strlen(s);
    return lh_expr_const(ar, &v, "lit");
}

#endif
