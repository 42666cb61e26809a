/*
 * collection_more.c - Spark 4's collection functions without lambdas: array_append,
 * array_prepend, array_compact, array_except, array_intersect, array_union, array_insert,
 * array_remove, array_repeat, array_size, arrays_overlap, arrays_zip, map_concat,
 * map_entries, map_from_entries, shuffle, isnull, isnotnull, json_array_length and
 * json_object_keys.
 *
 * Like collection.c, each exec loops over a batch's rows, decodes a row's arrays into
 * lh_value_t elements (common/nested.h) and encodes the answer. NULL semantics are Spark's:
 * a NULL array gives NULL; the set functions (array_except/intersect/union) treat NULL
 * elements as values and return distinct elements in first-seen order; arrays_overlap is
 * three-valued (NULL when no common non-null element exists but a NULL element was seen in
 * two non-empty arrays); map_concat and map_from_entries raise DUPLICATED_MAP_KEY
 * (spark.sql.mapKeyDedupPolicy = EXCEPTION) and NULL_MAP_KEY. array_insert follows Spark 4
 * (spark.sql.legacy.negativeIndexInArrayInsert = false): -1 appends, positions past either
 * end pad with NULLs, 0 raises INVALID_INDEX_OF_ZERO.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/limits.h"
#include "compute/func/coerce.h"
#include "compute/func/fn.h"
#include "compute/func/nested_fn.h"

/* Longest array these functions build (Spark's limit is 2147483632 elements; a row's value
 * must fit the vector heap long before that). */
#define ARR_MAX_ELEMS 10000000

static bool args_null(const lh_func_exec_t *x, size_t i)
{
    for (int k = 0; k < x->arg_count; k++)
        if (x->args[k]->type.id == LH_TYPE_NULL || fn_null(x->args[k], i))
            return true;
    return false;
}

static const char *type_sql(lh_func_bind_t *b, lh_type_t t)
{
    char buf[256];
    return lh_arena_sprintf(b->arena, "\"%s\"", lh_format_type_sql(t, buf, sizeof buf));
}

static const char *call_sql(lh_func_bind_t *b, const char *fname)
{
    return lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : fname);
}

static lh_err size_limit(lh_errbuf *eb, const char *fname, const char *param, int64_t n)
{
    char num[32], max[32];
    snprintf(num, sizeof num, "%lld", (long long)n);
    snprintf(max, sizeof max, "%d", ARR_MAX_ELEMS);
    char f[64];
    snprintf(f, sizeof f, "`%s`", fname);
    return lh_sqlerr(eb, "COLLECTION_SIZE_LIMIT_EXCEEDED.PARAMETER", "numberOfElements", num,
                     "maxRoundedArrayLength", max, "parameter", param, "functionName", f, NULL);
}

/* The first argument an ARRAY (an untyped NULL as ARRAY<VOID>): its type in *t. */
static lh_err bind_array0(lh_func_bind_t *b, lh_errbuf *eb, const char *fname, lh_type_t *t)
{
    *t = b->arg_types[0];
    if (t->id == LH_TYPE_NULL) {
        *t = lh_type_array(fn_type(LH_TYPE_NULL));
        b->cast_to[0] = *t;
    }
    if (t->id != LH_TYPE_ARRAY)
        return fn_bad_input(b, eb, fname, 0, "\"ARRAY\"");
    return LH_OK;
}

/* Whether a and b meet without a string promotion (Spark's findWiderTypeWithoutStringPromotion
 * and findTightestCommonType never turn a number into a string or back): numeric with
 * numeric, string with string, else the same kind of type. */
static bool same_kind(lh_type_t a, lh_type_t b)
{
    if (a.id == LH_TYPE_NULL || b.id == LH_TYPE_NULL)
        return true;
    if (lh_type_is_numeric(a.id) || lh_type_is_numeric(b.id))
        return lh_type_is_numeric(a.id) && lh_type_is_numeric(b.id);
    if (a.id == LH_TYPE_STRING || b.id == LH_TYPE_STRING)
        return a.id == b.id;
    if (a.id == LH_TYPE_ARRAY && b.id == LH_TYPE_ARRAY)
        return same_kind(a.nested->elem, b.nested->elem);
    return true;
}

/* arg 0 an array, arg vi a value: both cast to the element type they meet in (Spark's
 * ArrayFunctionDiffTypes check); *elem gets it. */
static lh_err bind_array_elem(lh_func_bind_t *b, lh_errbuf *eb, const char *fname, int vi,
                              lh_type_t *elem)
{
    lh_type_t a;
    LH_TRY(bind_array0(b, eb, fname, &a));
    lh_type_t v = b->arg_types[vi], t;
    if (!lh_type_common(a.nested->elem, v, &t) || !same_kind(a.nested->elem, v))
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.ARRAY_FUNCTION_DIFF_TYPES", "sqlExpr",
                         call_sql(b, fname), "functionName",
                         lh_arena_sprintf(b->arena, "`%s`", fname), "dataType", "\"ARRAY\"",
                         "leftType", type_sql(b, a), "rightType", type_sql(b, v), NULL);
    b->cast_to[0] = lh_type_array(t);
    b->cast_to[vi] = t;
    *elem = t;
    return LH_OK;
}

/* Digits of an integral type (Spark's DecimalType.forType). */
static int int_digits(lh_type_id t)
{
    return t == LH_TYPE_BYTE ? 3 : t == LH_TYPE_SHORT ? 5 : t == LH_TYPE_INT ? 10 : 20;
}

/* Spark's TypeCoercion.findTightestCommonType: equal types, NULL with anything, an integral
 * type with a decimal wide enough for it, two non-decimal numbers (the higher), datetimes,
 * arrays element-wise; no string promotion, no decimal widening. */
static bool tightest(lh_type_t a, lh_type_t b, lh_type_t *out)
{
    if (lh_type_equal(a, b) || b.id == LH_TYPE_NULL) {
        *out = a;
        return true;
    }
    if (a.id == LH_TYPE_NULL) {
        *out = b;
        return true;
    }
    if (a.id == LH_TYPE_DECIMAL || b.id == LH_TYPE_DECIMAL) {
        lh_type_t d = a.id == LH_TYPE_DECIMAL ? a : b, o = a.id == LH_TYPE_DECIMAL ? b : a;
        if (!lh_type_is_integral(o.id) || d.precision - d.scale < int_digits(o.id))
            return false;
        *out = d;
        return true;
    }
    if (lh_type_is_numeric(a.id) && lh_type_is_numeric(b.id))
        return lh_type_common(a, b, out);
    bool dt_a = a.id == LH_TYPE_DATE || a.id == LH_TYPE_TIMESTAMP || a.id == LH_TYPE_TIMESTAMP_NTZ;
    bool dt_b = b.id == LH_TYPE_DATE || b.id == LH_TYPE_TIMESTAMP || b.id == LH_TYPE_TIMESTAMP_NTZ;
    if (dt_a && dt_b)
        return lh_type_common(a, b, out);
    if (a.id == LH_TYPE_ARRAY && b.id == LH_TYPE_ARRAY) {
        lh_type_t e;
        if (!tightest(a.nested->elem, b.nested->elem, &e))
            return false;
        *out = lh_type_array(e);
        return true;
    }
    return false;
}

/* Two arrays of one element type (Spark's BinaryArrayExpressionWithImplicitCast). */
static lh_err bind_two_arrays(lh_func_bind_t *b, lh_errbuf *eb, const char *fname, lh_type_t *elem)
{
    lh_type_t l = b->arg_types[0], r = b->arg_types[1], t;
    if (l.id == LH_TYPE_NULL && r.id == LH_TYPE_ARRAY)
        l = r;
    if (r.id == LH_TYPE_NULL && l.id == LH_TYPE_ARRAY)
        r = l;
    if (l.id == LH_TYPE_NULL && r.id == LH_TYPE_NULL)
        l = r = lh_type_array(fn_type(LH_TYPE_NULL));
    if (l.id != LH_TYPE_ARRAY || r.id != LH_TYPE_ARRAY || !tightest(l, r, &t))
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.BINARY_ARRAY_DIFF_TYPES", "sqlExpr",
                         call_sql(b, fname), "functionName",
                         lh_arena_sprintf(b->arena, "`%s`", fname), "arrayType", "\"ARRAY\"",
                         "leftType", type_sql(b, b->arg_types[0]), "rightType",
                         type_sql(b, b->arg_types[1]), NULL);
    b->cast_to[0] = b->cast_to[1] = t;
    *elem = t.nested->elem;
    return LH_OK;
}

/* Whether v is among vals[0..n) (NULL equals NULL: the set functions' rule). */
static bool has_val(const lh_value_t *vals, size_t n, const lh_value_t *v)
{
    for (size_t j = 0; j < n; j++) {
        if (vals[j].is_null || v->is_null) {
            if (vals[j].is_null && v->is_null)
                return true;
            continue;
        }
        if (lh_fnc_value_eq(&vals[j], v))
            return true;
    }
    return false;
}

/* ---- array_append, array_prepend ------------------------------------------------------------ */

static lh_err b_array_append(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t;
    LH_TRY(bind_array_elem(b, eb, "array_append", 1, &t));
    b->ret_type = lh_type_array(t);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_array_prepend(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t;
    LH_TRY(bind_array_elem(b, eb, "array_prepend", 1, &t));
    b->ret_type = lh_type_array(t);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err pend(const lh_func_exec_t *x, bool front)
{
    fn_begin(x);
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    const lh_vec_t *a = x->args[0], *e = x->args[1];
    lh_type_t t = x->out->type.nested->elem;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (a->type.id == LH_TYPE_NULL || fn_null(a, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        lh_narray_t arr;
        lh_narray_open(a->type.nested->elem, fn_str(a, i), &arr);
        err = lh_fnc_vals_need(&vals, (size_t)arr.count + 2);
        if (err != LH_OK)
            break;
        size_t off = front ? 1 : 0;
        for (uint32_t k = 0; k < arr.count; k++)
            lh_narray_get(&arr, k, &vals.v[k + off]);
        lh_value_t v = {.type = t, .is_null = true};
        if (e->type.id != LH_TYPE_NULL && !fn_null(e, i))
            v = fn_get(e, i);
        vals.v[front ? 0 : arr.count] = v;
        err = lh_fnc_put_array(x->out, i, vals.v, (size_t)arr.count + 1, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

static lh_err x_array_append(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return pend(x, false);
}

static lh_err x_array_prepend(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return pend(x, true);
}

/* ---- array_compact, array_remove ------------------------------------------------------------ */

static lh_err b_array_compact(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t;
    LH_TRY(bind_array0(b, eb, "array_compact", &t));
    b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_array_remove(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t;
    LH_TRY(bind_array_elem(b, eb, "array_remove", 1, &t));
    b->ret_type = lh_type_array(t);
    b->ret_nullable = true;
    return LH_OK;
}

/* array_compact (x->arg_count 1: drop NULLs) and array_remove (drop elements equal to arg 1;
 * a NULL arg 1 gives NULL). */
static lh_err x_array_filter(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        uint32_t n;
        err = lh_fnc_get_array(x->args[0], i, &vals, &n);
        if (err != LH_OK)
            break;
        lh_value_t v = x->arg_count > 1 ? fn_get(x->args[1], i) : (lh_value_t){.is_null = true};
        uint32_t m = 0;
        for (uint32_t k = 0; k < n; k++) {
            const lh_value_t *e = &vals.v[k];
            bool drop = e->is_null ? x->arg_count == 1 : !v.is_null && lh_fnc_value_eq(e, &v);
            if (!drop)
                vals.v[m++] = *e;
        }
        err = lh_fnc_put_array(x->out, i, vals.v, m, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- array_except, array_intersect, array_union, arrays_overlap ----------------------------- */

typedef enum { SET_EXCEPT, SET_INTERSECT, SET_UNION } set_op;

#define BIND_SET(fn, name)                                                                         \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        lh_type_t t;                                                                               \
        LH_TRY(bind_two_arrays(b, eb, name, &t));                                                  \
        b->ret_type = lh_type_array(t);                                                            \
        b->ret_nullable = true;                                                                    \
        return LH_OK;                                                                              \
    }
BIND_SET(b_array_except, "array_except")
BIND_SET(b_array_intersect, "array_intersect")
BIND_SET(b_array_union, "array_union")

static lh_err set_exec(const lh_func_exec_t *x, set_op op)
{
    fn_begin(x);
    lh_fnc_vals_t l = {0}, r = {0}, o = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        uint32_t ln, rn;
        err = lh_fnc_get_array(x->args[0], i, &l, &ln);
        if (err == LH_OK)
            err = lh_fnc_get_array(x->args[1], i, &r, &rn);
        if (err == LH_OK)
            err = lh_fnc_vals_need(&o, (size_t)ln + rn + 1);
        if (err != LH_OK)
            break;
        size_t m = 0;
        for (uint32_t k = 0; k < ln; k++) {
            const lh_value_t *e = &l.v[k];
            if (has_val(o.v, m, e))
                continue;
            if (op == SET_EXCEPT && has_val(r.v, rn, e))
                continue;
            if (op == SET_INTERSECT && !has_val(r.v, rn, e))
                continue;
            o.v[m++] = *e;
        }
        for (uint32_t k = 0; op == SET_UNION && k < rn; k++)
            if (!has_val(o.v, m, &r.v[k]))
                o.v[m++] = r.v[k];
        err = lh_fnc_put_array(x->out, i, o.v, m, &nb);
    }
    lh_fnc_vals_free(&l);
    lh_fnc_vals_free(&r);
    lh_fnc_vals_free(&o);
    lh_nbuf_free(&nb);
    return err;
}

static lh_err x_array_except(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return set_exec(x, SET_EXCEPT);
}

static lh_err x_array_intersect(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return set_exec(x, SET_INTERSECT);
}

static lh_err x_array_union(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return set_exec(x, SET_UNION);
}

static lh_err b_arrays_overlap(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t;
    LH_TRY(bind_two_arrays(b, eb, "arrays_overlap", &t));
    b->ret_type = fn_type(LH_TYPE_BOOLEAN);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_arrays_overlap(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    lh_fnc_vals_t l = {0}, r = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        uint32_t ln, rn;
        err = lh_fnc_get_array(x->args[0], i, &l, &ln);
        if (err == LH_OK)
            err = lh_fnc_get_array(x->args[1], i, &r, &rn);
        if (err != LH_OK)
            break;
        bool found = false, saw_null = false;
        for (uint32_t k = 0; k < ln && !found; k++) {
            if (l.v[k].is_null) {
                saw_null = true;
                continue;
            }
            for (uint32_t j = 0; j < rn && !found; j++) {
                if (r.v[j].is_null)
                    saw_null = true;
                else
                    found = lh_fnc_value_eq(&l.v[k], &r.v[j]);
            }
        }
        for (uint32_t j = 0; j < rn && !found && !saw_null; j++)
            saw_null = r.v[j].is_null;
        if (!found && saw_null && ln > 0 && rn > 0)
            err = fn_put_null(x->out, i);
        else
            fn_put_i64(x->out, i, found);
    }
    lh_fnc_vals_free(&l);
    lh_fnc_vals_free(&r);
    return err;
}

/* ---- array_insert ------------------------------------------------------------------------ */

static lh_err b_array_insert(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t;
    LH_TRY(bind_array_elem(b, eb, "array_insert", 2, &t));
    lh_type_id p = b->arg_types[1].id;
    if (p != LH_TYPE_NULL && p != LH_TYPE_INT && p != LH_TYPE_SHORT && p != LH_TYPE_BYTE)
        return fn_bad_input(b, eb, "array_insert", 1, "\"INT\"");
    b->cast_to[1] = fn_type(LH_TYPE_INT);
    b->ret_type = lh_type_array(t);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_array_insert(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    lh_fnc_vals_t vals = {0}, o = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    const lh_vec_t *a = x->args[0], *p = x->args[1], *e = x->args[2];
    lh_type_t t = x->out->type.nested->elem;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (a->type.id == LH_TYPE_NULL || p->type.id == LH_TYPE_NULL || fn_null(a, i) ||
            fn_null(p, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        int64_t pos = fn_i64(p, i);
        if (pos == 0) {
            err = lh_sqlerr(eb, "INVALID_INDEX_OF_ZERO", NULL);
            break;
        }
        uint32_t n;
        err = lh_fnc_get_array(a, i, &vals, &n);
        if (err != LH_OK)
            break;
        lh_value_t v = {.type = t, .is_null = true};
        if (e->type.id != LH_TYPE_NULL && !fn_null(e, i))
            v = fn_get(e, i);
        lh_value_t null = {.type = t, .is_null = true};
        /* at: 0-based insertion point; before/after: NULLs padded before/after the array */
        int64_t at, len, lead = 0;
        if (pos > 0) {
            at = pos - 1;
            len = at > (int64_t)n ? at + 1 : (int64_t)n + 1;
        } else if (-pos > (int64_t)n) { /* extends to the left: v, NULLs, the array */
            at = 0;
            lead = -pos - (int64_t)n - 1;
            len = -pos;
        } else {
            at = (int64_t)n + pos + 1;
            len = (int64_t)n + 1;
        }
        if (len > ARR_MAX_ELEMS) {
            err = size_limit(eb, "array_insert", "`pos`", len);
            break;
        }
        err = lh_fnc_vals_need(&o, (size_t)len + 1);
        if (err != LH_OK)
            break;
        size_t m = 0;
        if (pos < 0 && -pos > (int64_t)n) {
            o.v[m++] = v;
            for (int64_t k = 0; k < lead; k++)
                o.v[m++] = null;
            for (uint32_t k = 0; k < n; k++)
                o.v[m++] = vals.v[k];
        } else {
            for (int64_t k = 0; k < at && k < (int64_t)n; k++)
                o.v[m++] = vals.v[k];
            while ((int64_t)m < at)
                o.v[m++] = null;
            o.v[m++] = v;
            for (int64_t k = at; k < (int64_t)n; k++)
                o.v[m++] = vals.v[k];
        }
        err = lh_fnc_put_array(x->out, i, o.v, m, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_fnc_vals_free(&o);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- array_repeat, array_size -----------------------------------------------------------------
 */

static lh_err b_array_repeat(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_id c = b->arg_types[1].id;
    if (c != LH_TYPE_NULL && c != LH_TYPE_INT && c != LH_TYPE_SHORT && c != LH_TYPE_BYTE)
        return fn_bad_input(b, eb, "array_repeat", 1, "\"INT\"");
    b->cast_to[1] = fn_type(LH_TYPE_INT);
    b->ret_type = lh_type_array(b->arg_types[0]);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_array_repeat(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    const lh_vec_t *e = x->args[0], *c = x->args[1];
    lh_type_t t = x->out->type.nested->elem;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (c->type.id == LH_TYPE_NULL || fn_null(c, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        int64_t n = fn_i64(c, i);
        if (n < 0)
            n = 0;
        if (n > ARR_MAX_ELEMS) {
            err = size_limit(eb, "array_repeat", "`count`", n);
            break;
        }
        err = lh_fnc_vals_need(&vals, (size_t)n + 1);
        if (err != LH_OK)
            break;
        lh_value_t v = {.type = t, .is_null = true};
        if (e->type.id != LH_TYPE_NULL && !fn_null(e, i))
            v = fn_get(e, i);
        for (int64_t k = 0; k < n; k++)
            vals.v[k] = v;
        err = lh_fnc_put_array(x->out, i, vals.v, (size_t)n, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

static lh_err b_array_size(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t;
    LH_TRY(bind_array0(b, eb, "array_size", &t));
    b->ret_type = fn_type(LH_TYPE_INT);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_array_size(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    const lh_vec_t *a = x->args[0];
    for (size_t i = 0; i < x->rows; i++) {
        if (a->type.id == LH_TYPE_NULL || fn_null(a, i)) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        lh_sv_t s = fn_str(a, i);
        uint32_t n = 0;
        if (s.len >= 4)
            memcpy(&n, s.ptr, 4);
        fn_put_i64(x->out, i, n);
    }
    return LH_OK;
}

/* ---- arrays_zip ------------------------------------------------------------------------------ */

static lh_err b_arrays_zip(lh_func_bind_t *b, lh_errbuf *eb)
{
    int n = b->arg_count;
    if (n > 256)
        return fn_bad_input(b, eb, "arrays_zip", 256, "\"ARRAY\"");
    const char *names[256];
    lh_type_t types[256];
    for (int i = 0; i < n; i++) {
        lh_type_t t = b->arg_types[i];
        if (t.id == LH_TYPE_NULL) {
            t = lh_type_array(fn_type(LH_TYPE_NULL));
            b->cast_to[i] = t;
        }
        if (t.id != LH_TYPE_ARRAY)
            return fn_bad_input(b, eb, "arrays_zip", i, "\"ARRAY\"");
        types[i] = t.nested->elem;
        /* a column's name (Spark: a named argument), else the position; the binder's
         * columns for aggregates and window results carry their headers ("sum(x)"), which
         * in Spark are not named arguments */
        const char *sql = b->arg_sql ? b->arg_sql[i] : NULL;
        names[i] = sql != NULL && *sql != '\0' && strcmp(sql, "?") != 0 && !strchr(sql, '(')
                       ? sql
                       : lh_arena_sprintf(b->arena, "%d", i);
    }
    b->ret_type = lh_type_array(lh_type_struct(n, names, types));
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_arrays_zip(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0}, sb = {0};
    lh_err err = LH_OK;
    int n = x->arg_count;
    lh_type_t st = x->out->type.nested->elem;
    lh_narray_t arr[256];
    lh_value_t fields[256];
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i) && n > 0) {
            err = fn_put_null(x->out, i);
            continue;
        }
        uint32_t len = 0;
        for (int k = 0; k < n; k++) {
            lh_narray_open(x->args[k]->type.nested->elem, fn_str(x->args[k], i), &arr[k]);
            if (arr[k].count > len)
                len = arr[k].count;
        }
        err = lh_fnc_vals_need(&vals, (size_t)len + 1);
        /* the struct bytes of every element, back to back in sb; vals point into it after */
        size_t *ends = NULL;
        if (err == LH_OK && len > 0 && (ends = malloc(len * sizeof *ends)) == NULL)
            err = LH_E_NOMEM;
        sb.len = 0;
        for (uint32_t j = 0; j < len && err == LH_OK; j++) {
            for (int k = 0; k < n; k++) {
                if (j < arr[k].count)
                    lh_narray_get(&arr[k], j, &fields[k]);
                else
                    fields[k] = (lh_value_t){.type = st.nested->fields[k].type, .is_null = true};
            }
            err = lh_nested_put_struct(&sb, st, fields);
            ends[j] = sb.len;
        }
        for (uint32_t j = 0; j < len && err == LH_OK; j++) {
            size_t b0 = j ? ends[j - 1] : 0;
            vals.v[j] = (lh_value_t){.type = st, .v.str = {sb.bytes + b0, ends[j] - b0}};
        }
        free(ends);
        if (err == LH_OK)
            err = lh_fnc_put_array(x->out, i, vals.v, len, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    lh_nbuf_free(&sb);
    return err;
}

/* ---- map_concat, map_entries, map_from_entries ----------------------------------------------- */

static lh_err dup_key(const lh_value_t *key, const lh_sql_conf_t *conf, lh_errbuf *eb)
{
    char buf[LH_FMT_MAX];
    const char *txt;
    size_t len = lh_type_is_nested(key->type)
                     ? lh_format_nested(key, fn_tz(conf), LH_FMT_CAST, &txt)
                     : lh_format_value(key, fn_tz(conf), LH_FMT_CAST, buf, &txt);
    char k[256];
    snprintf(k, sizeof k, "%.*s", (int)(len < 200 ? len : 200), txt);
    return lh_sqlerr(eb, "DUPLICATED_MAP_KEY", "key", k, "mapKeyDedupPolicy",
                     "\"spark.sql.mapKeyDedupPolicy\"", NULL);
}

static lh_err b_map_concat(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = fn_type(LH_TYPE_NULL);
    bool bad = false;
    for (int i = 0; i < b->arg_count; i++) {
        lh_type_t a = b->arg_types[i];
        if (a.id != LH_TYPE_MAP && a.id != LH_TYPE_NULL)
            bad = true;
    }
    if (bad) {
        char types[512] = "[";
        for (int i = 0; i < b->arg_count; i++) {
            char tb[128];
            size_t n = strlen(types);
            snprintf(types + n, sizeof types - n, "%s\"%s\"", i ? ", " : "",
                     lh_format_type_sql(b->arg_types[i], tb, sizeof tb));
        }
        strncat(types, "]", sizeof types - strlen(types) - 1);
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.MAP_CONCAT_DIFF_TYPES", "sqlExpr",
                         call_sql(b, "map_concat"), "functionName", "`map_concat`", "dataType",
                         types, NULL);
    }
    for (int i = 0; i < b->arg_count; i++) {
        lh_type_t a = b->arg_types[i];
        if (a.id == LH_TYPE_MAP && !lh_type_common(t, a, &t)) {
            char types[512] = "[";
            for (int k = 0; k < b->arg_count; k++) {
                char tb[128];
                size_t n = strlen(types);
                snprintf(types + n, sizeof types - n, "%s\"%s\"", k ? ", " : "",
                         lh_format_type_sql(b->arg_types[k], tb, sizeof tb));
            }
            strncat(types, "]", sizeof types - strlen(types) - 1);
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.DATA_DIFF_TYPES", "functionName",
                             "`map_concat`", "dataType", types, "sqlExpr",
                             call_sql(b, "map_concat"), NULL);
        }
    }
    if (t.id != LH_TYPE_MAP)
        t = lh_type_map(fn_type(LH_TYPE_STRING), fn_type(LH_TYPE_STRING));
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = t;
    b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_map_concat(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    lh_fnc_vals_t keys = {0}, vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        size_t n = 0;
        for (int k = 0; k < x->arg_count && err == LH_OK; k++) {
            lh_narray_t mk, mv;
            lh_nmap_open(x->args[k]->type, fn_str(x->args[k], i), &mk, &mv);
            err = lh_fnc_vals_need(&keys, n + mk.count + 1);
            if (err == LH_OK)
                err = lh_fnc_vals_need(&vals, n + mk.count + 1);
            for (uint32_t j = 0; j < mk.count && err == LH_OK; j++) {
                lh_narray_get(&mk, j, &keys.v[n]);
                lh_narray_get(&mv, j, &vals.v[n]);
                for (size_t q = 0; q < n && err == LH_OK; q++)
                    if (!keys.v[q].is_null && !keys.v[n].is_null &&
                        lh_fnc_value_eq(&keys.v[q], &keys.v[n]))
                        err = dup_key(&keys.v[n], x->conf, eb);
                n++;
            }
        }
        if (err == LH_OK) {
            nb.len = 0;
            err = lh_nested_put_map(&nb, x->out->type, keys.v, vals.v, n);
        }
        if (err == LH_OK)
            err = fn_put_str(x->out, i, nb.bytes, nb.len);
    }
    lh_fnc_vals_free(&keys);
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

static lh_err b_map_entries(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t m = b->arg_types[0];
    if (m.id != LH_TYPE_MAP)
        return fn_bad_input(b, eb, "map_entries", 0, "\"MAP\"");
    const char *names[2] = {"key", "value"};
    lh_type_t types[2] = {m.nested->elem, m.nested->value};
    b->ret_type = lh_type_array(lh_type_struct(2, names, types));
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_map_entries(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0}, sb = {0};
    lh_err err = LH_OK;
    lh_type_t st = x->out->type.nested->elem;
    const lh_vec_t *m = x->args[0];
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (fn_null(m, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        lh_narray_t mk, mv;
        lh_nmap_open(m->type, fn_str(m, i), &mk, &mv);
        err = lh_fnc_vals_need(&vals, (size_t)mk.count + 1);
        size_t *ends = NULL;
        if (err == LH_OK && mk.count > 0 && (ends = malloc(mk.count * sizeof *ends)) == NULL)
            err = LH_E_NOMEM;
        sb.len = 0;
        for (uint32_t j = 0; j < mk.count && err == LH_OK; j++) {
            lh_value_t f[2];
            lh_narray_get(&mk, j, &f[0]);
            lh_narray_get(&mv, j, &f[1]);
            err = lh_nested_put_struct(&sb, st, f);
            ends[j] = sb.len;
        }
        for (uint32_t j = 0; j < mk.count && err == LH_OK; j++) {
            size_t b0 = j ? ends[j - 1] : 0;
            vals.v[j] = (lh_value_t){.type = st, .v.str = {sb.bytes + b0, ends[j] - b0}};
        }
        free(ends);
        if (err == LH_OK)
            err = lh_fnc_put_array(x->out, i, vals.v, mk.count, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    lh_nbuf_free(&sb);
    return err;
}

static lh_err b_map_from_entries(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t a = b->arg_types[0];
    if (a.id != LH_TYPE_ARRAY || a.nested->elem.id != LH_TYPE_STRUCT ||
        a.nested->elem.nested->field_count != 2)
        return fn_bad_input(b, eb, "map_from_entries", 0, "\"ARRAY\" of pair \"STRUCT\"");
    const lh_ntype_t *st = a.nested->elem.nested;
    b->ret_type = lh_type_map(st->fields[0].type, st->fields[1].type);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_map_from_entries(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    lh_fnc_vals_t ents = {0}, keys = {0}, vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    const lh_vec_t *a = x->args[0];
    lh_type_t st = a->type.nested->elem;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (fn_null(a, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        uint32_t n;
        err = lh_fnc_get_array(a, i, &ents, &n);
        if (err == LH_OK)
            err = lh_fnc_vals_need(&keys, (size_t)n + 1);
        if (err == LH_OK)
            err = lh_fnc_vals_need(&vals, (size_t)n + 1);
        if (err != LH_OK)
            break;
        bool null = false;
        for (uint32_t j = 0; j < n && !null; j++) {
            if (ents.v[j].is_null) {
                null = true;
                break;
            }
            lh_nstruct_get(st, ents.v[j].v.str, 0, &keys.v[j]);
            lh_nstruct_get(st, ents.v[j].v.str, 1, &vals.v[j]);
        }
        if (null) { /* a NULL entry makes the map NULL (Spark) */
            err = fn_put_null(x->out, i);
            continue;
        }
        for (uint32_t j = 0; j < n && err == LH_OK; j++) {
            if (keys.v[j].is_null) {
                err = lh_sqlerr(eb, "NULL_MAP_KEY", NULL);
                break;
            }
            for (uint32_t q = 0; q < j && err == LH_OK; q++)
                if (lh_fnc_value_eq(&keys.v[q], &keys.v[j]))
                    err = dup_key(&keys.v[j], x->conf, eb);
        }
        if (err == LH_OK) {
            nb.len = 0;
            err = lh_nested_put_map(&nb, x->out->type, keys.v, vals.v, n);
        }
        if (err == LH_OK)
            err = fn_put_str(x->out, i, nb.bytes, nb.len);
    }
    lh_fnc_vals_free(&ents);
    lh_fnc_vals_free(&keys);
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- shuffle ------------------------------------------------------------------------------- */

typedef struct shuffle_bd {
    bool seeded;
    uint64_t seed;
} shuffle_bd;

static lh_err b_shuffle(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t;
    LH_TRY(bind_array0(b, eb, "shuffle", &t));
    shuffle_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    if (b->arg_count > 1) {
        const lh_value_t *c = b->const_args ? b->const_args[1] : NULL;
        lh_type_id s = b->arg_types[1].id;
        if (c == NULL || (!lh_type_is_integral(s) && s != LH_TYPE_NULL))
            return fn_bad_input(b, eb, "shuffle", 1, "\"BIGINT\"");
        if (!c->is_null && s != LH_TYPE_NULL) {
            bd->seeded = true;
            bd->seed = (uint64_t)c->v.i64;
        }
    }
    b->bind_data = bd;
    b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static lh_err x_shuffle(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    const shuffle_bd *bd = x->bind_data;
    uint64_t state;
    if (bd != NULL && bd->seeded) {
        state = bd->seed;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        state = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)x->out;
    }
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (x->args[0]->type.id == LH_TYPE_NULL || fn_null(x->args[0], i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        uint32_t n;
        err = lh_fnc_get_array(x->args[0], i, &vals, &n);
        if (err != LH_OK)
            break;
        for (uint32_t k = n; k > 1; k--) { /* Fisher-Yates */
            uint32_t j = (uint32_t)(splitmix(&state) % k);
            lh_value_t t = vals.v[k - 1];
            vals.v[k - 1] = vals.v[j];
            vals.v[j] = t;
        }
        err = lh_fnc_put_array(x->out, i, vals.v, n, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- isnull, isnotnull ------------------------------------------------------------------------
 */

static lh_err b_isnull(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    b->ret_type = fn_type(LH_TYPE_BOOLEAN);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err is_null(const lh_func_exec_t *x, bool want)
{
    fn_begin(x);
    const lh_vec_t *a = x->args[0];
    for (size_t i = 0; i < x->rows; i++)
        fn_put_i64(x->out, i, (a->type.id == LH_TYPE_NULL || fn_null(a, i)) == want);
    return LH_OK;
}

static lh_err x_isnull(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return is_null(x, true);
}

static lh_err x_isnotnull(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return is_null(x, false);
}

/* ---- json_array_length, json_object_keys ------------------------------------------------------
 */

static size_t js_ws(const uint8_t *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* End of the string whose quote is at i, or 0. */
static size_t js_string(const uint8_t *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
        else if (s[i] < 0x20)
            return 0;
    }
    return 0;
}

static size_t js_digits(const uint8_t *s, size_t n, size_t i)
{
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* End of the value at i (after whitespace), or 0 when malformed. */
static size_t js_value(const uint8_t *s, size_t n, size_t i, int depth)
{
    i = js_ws(s, n, i);
    if (i >= n || depth > LH_SQL_JSON_DEPTH_MAX)
        return 0;
    uint8_t c = s[i];
    if (c == '"')
        return js_string(s, n, i);
    if (c == '{' || c == '[') {
        uint8_t close = c == '{' ? '}' : ']';
        i = js_ws(s, n, i + 1);
        if (i < n && s[i] == close)
            return i + 1;
        for (;;) {
            if (c == '{') {
                i = js_ws(s, n, i);
                if (i >= n || s[i] != '"' || (i = js_string(s, n, i)) == 0)
                    return 0;
                i = js_ws(s, n, i);
                if (i >= n || s[i] != ':')
                    return 0;
                i++;
            }
            if ((i = js_value(s, n, i, depth + 1)) == 0)
                return 0;
            i = js_ws(s, n, i);
            if (i < n && s[i] == ',') {
                i++;
                continue;
            }
            return i < n && s[i] == close ? i + 1 : 0;
        }
    }
    if (n - i >= 4 && (memcmp(s + i, "true", 4) == 0 || memcmp(s + i, "null", 4) == 0))
        return i + 4;
    if (n - i >= 5 && memcmp(s + i, "false", 5) == 0)
        return i + 5;
    /* a number as JSON spells it: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
    if (i < n && s[i] == '-')
        i++;
    size_t d = js_digits(s, n, i);
    if (d == i || (s[i] == '0' && d - i > 1))
        return 0;
    i = d;
    if (i < n && s[i] == '.') {
        if ((d = js_digits(s, n, i + 1)) == i + 1)
            return 0;
        i = d;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if ((d = js_digits(s, n, i)) == i)
            return 0;
        i = d;
    }
    return i;
}

static lh_err b_json_array_length(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_id t = b->arg_types[0].id;
    if (t != LH_TYPE_STRING && t != LH_TYPE_NULL)
        return fn_bad_input(b, eb, "json_array_length", 0, "\"STRING\"");
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_INT);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_json_array_length(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    const lh_vec_t *a = x->args[0];
    for (size_t i = 0; i < x->rows; i++) {
        if (a->type.id == LH_TYPE_NULL || fn_null(a, i)) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        lh_sv_t sv = fn_str(a, i);
        const uint8_t *s = sv.ptr;
        size_t n = sv.len, p = js_ws(s, n, 0);
        int64_t count = -1;
        if (p < n && s[p] == '[') {
            p = js_ws(s, n, p + 1);
            count = 0;
            if (p < n && s[p] == ']') {
                /* empty */
            } else {
                for (;;) {
                    if ((p = js_value(s, n, p, 1)) == 0) {
                        count = -1;
                        break;
                    }
                    count++;
                    p = js_ws(s, n, p);
                    if (p < n && s[p] == ',') {
                        p++;
                        continue;
                    }
                    if (p >= n || s[p] != ']')
                        count = -1;
                    break;
                }
            }
        }
        if (count < 0)
            LH_TRY(fn_put_null(x->out, i));
        else
            fn_put_i64(x->out, i, count);
    }
    return LH_OK;
}

static lh_err b_json_object_keys(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_id t = b->arg_types[0].id;
    if (t != LH_TYPE_STRING && t != LH_TYPE_NULL)
        return fn_bad_input(b, eb, "json_object_keys", 0, "\"STRING\"");
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    b->ret_type = lh_type_array(fn_type(LH_TYPE_STRING));
    b->ret_nullable = true;
    return LH_OK;
}

static int hexv(uint8_t c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Unescape the JSON string at [b, e) (quotes included) onto out; false when malformed. */
static bool js_unescape(const uint8_t *s, size_t b, size_t e, lh_nbuf_t *out)
{
    for (size_t i = b + 1; i + 1 < e; i++) {
        uint8_t c = s[i];
        if (c != '\\') {
            if (lh_nbuf_put(out, &c, 1) != LH_OK)
                return false;
            continue;
        }
        c = s[++i];
        uint8_t o;
        switch (c) {
        case 'b':
            o = '\b';
            break;
        case 'f':
            o = '\f';
            break;
        case 'n':
            o = '\n';
            break;
        case 'r':
            o = '\r';
            break;
        case 't':
            o = '\t';
            break;
        case '"':
        case '\\':
        case '/':
            o = c;
            break;
        case 'u': {
            if (i + 5 > e - 1)
                return false;
            uint32_t cp = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hexv(s[i + k]);
                if (h < 0)
                    return false;
                cp = cp * 16 + (uint32_t)h;
            }
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < e - 1 + 1 && s[i + 1] == '\\' &&
                s[i + 2] == 'u') {
                uint32_t lo = 0;
                bool ok = true;
                for (int k = 3; k <= 6 && ok; k++) {
                    int h = hexv(s[i + k]);
                    ok = h >= 0;
                    lo = lo * 16 + (uint32_t)(h < 0 ? 0 : h);
                }
                if (ok && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp < 0xE000)
                cp = 0xFFFD;
            uint8_t u[4];
            size_t un = fn_utf8_put(cp, u);
            if (lh_nbuf_put(out, u, un) != LH_OK)
                return false;
            continue;
        }
        default:
            return false;
        }
        if (lh_nbuf_put(out, &o, 1) != LH_OK)
            return false;
    }
    return true;
}

static lh_err x_json_object_keys(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    const lh_vec_t *a = x->args[0];
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0}, kb = {0};
    size_t *ends = NULL, ends_cap = 0;
    lh_err err = LH_OK;
    lh_type_t str = fn_type(LH_TYPE_STRING);
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (a->type.id == LH_TYPE_NULL || fn_null(a, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        lh_sv_t sv = fn_str(a, i);
        const uint8_t *s = sv.ptr;
        size_t n = sv.len, p = js_ws(s, n, 0), m = 0;
        bool ok = p < n && s[p] == '{';
        kb.len = 0;
        if (ok) {
            p = js_ws(s, n, p + 1);
            if (p < n && s[p] == '}')
                p++;
            else
                for (;;) {
                    size_t kb0 = p, ke;
                    if (p >= n || s[p] != '"' || (ke = js_string(s, n, p)) == 0 ||
                        !js_unescape(s, kb0, ke, &kb)) {
                        ok = false;
                        break;
                    }
                    if (m >= ends_cap) {
                        size_t c = ends_cap ? ends_cap * 2 : 16;
                        size_t *e2 = realloc(ends, c * sizeof *e2);
                        if (e2 == NULL) {
                            err = LH_E_NOMEM;
                            break;
                        }
                        ends = e2, ends_cap = c;
                    }
                    ends[m++] = kb.len;
                    p = js_ws(s, n, ke);
                    if (p >= n || s[p] != ':' || (p = js_value(s, n, p + 1, 1)) == 0) {
                        ok = false;
                        break;
                    }
                    p = js_ws(s, n, p);
                    if (p < n && s[p] == ',') {
                        p = js_ws(s, n, p + 1);
                        continue;
                    }
                    ok = p < n && s[p] == '}';
                    break;
                }
        }
        if (err != LH_OK)
            break;
        if (!ok) {
            err = fn_put_null(x->out, i);
            continue;
        }
        err = lh_fnc_vals_need(&vals, m + 1);
        for (size_t k = 0; k < m && err == LH_OK; k++) {
            size_t b0 = k ? ends[k - 1] : 0;
            vals.v[k] = (lh_value_t){.type = str, .v.str = {kb.bytes + b0, ends[k] - b0}};
        }
        if (err == LH_OK)
            err = lh_fnc_put_array(x->out, i, vals.v, m, &nb);
    }
    free(ends);
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    lh_nbuf_free(&kb);
    return err;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_collection_more[] = {
    F("array_append", 2, 2, b_array_append, x_array_append),
    F("array_compact", 1, 1, b_array_compact, x_array_filter),
    F("array_except", 2, 2, b_array_except, x_array_except),
    F("array_insert", 3, 3, b_array_insert, x_array_insert),
    F("array_intersect", 2, 2, b_array_intersect, x_array_intersect),
    F("array_prepend", 2, 2, b_array_prepend, x_array_prepend),
    F("array_remove", 2, 2, b_array_remove, x_array_filter),
    F("array_repeat", 2, 2, b_array_repeat, x_array_repeat),
    F("array_size", 1, 1, b_array_size, x_array_size),
    F("array_union", 2, 2, b_array_union, x_array_union),
    F("arrays_overlap", 2, 2, b_arrays_overlap, x_arrays_overlap),
    F("arrays_zip", 0, -1, b_arrays_zip, x_arrays_zip),
    F("isnotnull", 1, 1, b_isnull, x_isnotnull),
    F("isnull", 1, 1, b_isnull, x_isnull),
    F("json_array_length", 1, 1, b_json_array_length, x_json_array_length),
    F("json_object_keys", 1, 1, b_json_object_keys, x_json_object_keys),
    F("map_concat", 0, -1, b_map_concat, x_map_concat),
    F("map_entries", 1, 1, b_map_entries, x_map_entries),
    F("map_from_entries", 1, 1, b_map_from_entries, x_map_from_entries),
    {"shuffle", LH_FUNC_SCALAR, 1, 2, b_shuffle, x_shuffle, false},
};
FN_COUNT(lh_fn_collection_more);
