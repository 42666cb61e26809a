/*
 * collection.c - ARRAY and STRUCT functions: constructors (array, named_struct), access
 * (a[i], s.f, element_at, get), and the array library (size, array_contains, sort_array,
 * array_distinct, array_join, array_min/max, array_position, flatten, sequence, slice,
 * concat of arrays, typeof). Maps are in collection_map.c.
 *
 * Each exec decodes a row's value (common/nested.h), works on lh_value_t elements and
 * encodes the result into a per-call buffer copied into the output vector's heap. NULL
 * semantics and errors are Spark 4's (ANSI): an out-of-range a[i] or element_at raises
 * INVALID_ARRAY_INDEX(_IN_ELEMENT_AT), try_element_at and get return NULL; size(NULL) is
 * NULL under ANSI (-1 otherwise, Spark's legacy sizeOfNull).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/func/fn.h"
#include "compute/func/format.h"
#include "compute/func/nested_fn.h"

/* ---- shared helpers ---------------------------------------------------------------------- */

lh_err lh_fnc_vals_need(lh_fnc_vals_t *v, size_t n)
{
    if (n <= v->cap)
        return LH_OK;
    size_t cap = v->cap ? v->cap * 2 : 64;
    while (cap < n)
        cap *= 2;
    lh_value_t *p = realloc(v->v, cap * sizeof *p);
    if (p == NULL)
        return LH_E_NOMEM;
    v->v = p;
    v->cap = cap;
    return LH_OK;
}

void lh_fnc_vals_free(lh_fnc_vals_t *v)
{
    free(v->v);
    *v = (lh_fnc_vals_t){0};
}

lh_err lh_fnc_put_array(lh_vec_t *out, size_t i, const lh_value_t *vals, size_t n, lh_nbuf_t *nb)
{
    LH_ASSERT(out->type.id == LH_TYPE_ARRAY);
    nb->len = 0;
    LH_TRY(lh_nested_put_array(nb, out->type.nested->elem, vals, n));
    return fn_put_str(out, i, nb->bytes, nb->len);
}

/* The elements of array row i of v into vals (pointing into v's bytes). */
lh_err lh_fnc_get_array(const lh_vec_t *v, size_t i, lh_fnc_vals_t *vals, uint32_t *n)
{
    lh_narray_t a;
    lh_narray_open(v->type.nested->elem, fn_str(v, i), &a);
    LH_TRY(lh_fnc_vals_need(vals, a.count + 1));
    for (uint32_t k = 0; k < a.count; k++)
        lh_narray_get(&a, k, &vals->v[k]);
    *n = a.count;
    return LH_OK;
}

bool lh_fnc_value_eq(const lh_value_t *a, const lh_value_t *b)
{
    return lh_nested_value_cmp(a, b) == 0;
}

static lh_err type_error(lh_func_bind_t *b, lh_errbuf *eb, const char *fname, int idx,
                         const char *required)
{
    return fn_bad_input(b, eb, fname, idx, required);
}

static lh_err diff_types(lh_func_bind_t *b, lh_errbuf *eb, const char *fname)
{
    char types[512] = "[";
    for (int i = 0; i < b->arg_count; i++) {
        char t[128];
        size_t n = strlen(types);
        snprintf(types + n, sizeof types - n, "%s\"%s\"", i ? ", " : "",
                 lh_format_type_sql(b->arg_types[i], t, sizeof t));
    }
    strncat(types, "]", sizeof types - strlen(types) - 1);
    char sql[256];
    snprintf(sql, sizeof sql, "\"%s\"", b->sql ? b->sql : fname);
    return lh_sqlerr(eb, "DATATYPE_MISMATCH.DATA_DIFF_TYPES", "functionName",
                     lh_arena_sprintf(b->arena, "`%s`", fname), "dataType", types, "sqlExpr", sql,
                     NULL);
}

/* ---- array(...) -------------------------------------------------------------------------- */

static lh_err b_array(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = fn_type(LH_TYPE_NULL);
    for (int i = 0; i < b->arg_count; i++)
        if (!lh_type_common(t, b->arg_types[i], &t))
            return diff_types(b, eb, "array");
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = t;
    b->ret_type = lh_type_array(t);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err x_array(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = lh_fnc_vals_need(&vals, (size_t)x->arg_count + 1);
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        for (int k = 0; k < x->arg_count; k++)
            vals.v[k] = fn_get(x->args[k], i);
        err = lh_fnc_put_array(x->out, i, vals.v, (size_t)x->arg_count, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- named_struct('a', x, ...) ------------------------------------------------------------ */

static lh_err b_named_struct(lh_func_bind_t *b, lh_errbuf *eb)
{
    int n = b->arg_count / 2;
    if (b->arg_count % 2 != 0 || n > 256)
        return lh_sqlerr(eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName", "`named_struct`",
                         "expectedNum", "2n (n > 0)", "actualNum",
                         lh_arena_sprintf(b->arena, "%d", b->arg_count), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    const char *names[256];
    lh_type_t types[256];
    for (int i = 0; i < n; i++) {
        const lh_value_t *c = b->const_args ? b->const_args[2 * i] : NULL;
        if (c == NULL || c->is_null || c->type.id != LH_TYPE_STRING)
            return lh_sqlerr(
                eb, "DATATYPE_MISMATCH.CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING", "sqlExpr",
                lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : "named_struct"),
                "inputExprs",
                lh_arena_sprintf(b->arena, "[\"%s\"]", b->arg_sql ? b->arg_sql[2 * i] : "?"), NULL);
        names[i] = lh_arena_strndup(b->arena, (const char *)c->v.str.ptr, c->v.str.len);
        types[i] = b->arg_types[2 * i + 1];
    }
    b->ret_type = lh_type_struct(n, names, types);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err x_named_struct(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    int n = x->arg_count / 2;
    lh_value_t vals[256];
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        for (int k = 0; k < n; k++) {
            vals[k] = fn_get(x->args[2 * k + 1], i);
            vals[k].type = x->out->type.nested->fields[k].type;
        }
        nb.len = 0;
        err = lh_nested_put_struct(&nb, x->out->type, vals);
        if (err == LH_OK)
            err = fn_put_str(x->out, i, nb.bytes, nb.len);
    }
    lh_nbuf_free(&nb);
    return err;
}

/* ---- s.f ------------------------------------------------------------------------------------ */

static lh_err b_field(lh_func_bind_t *b, lh_errbuf *eb)
{
    const lh_value_t *c = b->const_args ? b->const_args[1] : NULL;
    LH_FAIL_IF(b->arg_types[0].id != LH_TYPE_STRUCT || c == NULL || c->is_null, LH_E_INTERNAL, eb,
               "__field: bad arguments");
    char *name = lh_arena_strndup(b->arena, (const char *)c->v.str.ptr, c->v.str.len);
    int *idx = lh_arena_alloc(b->arena, sizeof *idx);
    *idx = lh_type_field(b->arg_types[0], name);
    LH_FAIL_IF(*idx < 0, LH_E_INTERNAL, eb, "__field: no field %s", name);
    b->bind_data = idx;
    b->ret_type = b->arg_types[0].nested->fields[*idx].type;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_field(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    int idx = *(const int *)x->bind_data;
    const lh_vec_t *s = x->args[0];
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_null(s, i)) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        lh_value_t v;
        lh_nstruct_get(s->type, fn_str(s, i), idx, &v);
        LH_TRY(fn_put(x->out, i, &v));
    }
    return LH_OK;
}

/* ---- a[i], m[k], element_at, try_element_at, get --------------------------------------------- */

typedef enum { IDX_SUBSCRIPT, IDX_ELEMENT_AT, IDX_TRY_ELEMENT_AT, IDX_GET } idx_kind;

static lh_err bind_index(lh_func_bind_t *b, lh_errbuf *eb, idx_kind kind, const char *fname)
{
    lh_type_t t = b->arg_types[0];
    idx_kind *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = kind;
    b->bind_data = bd;
    b->ret_nullable = true;
    if (t.id == LH_TYPE_ARRAY) {
        if (!lh_type_is_integral(b->arg_types[1].id) && b->arg_types[1].id != LH_TYPE_NULL &&
            b->arg_types[1].id != LH_TYPE_STRING)
            return type_error(b, eb, fname, 1, "\"INT\"");
        b->cast_to[1] = fn_type(LH_TYPE_INT);
        b->ret_type = t.nested->elem;
        return LH_OK;
    }
    if (t.id == LH_TYPE_MAP && kind != IDX_GET) {
        lh_type_t k;
        if (!lh_type_common(t.nested->elem, b->arg_types[1], &k) ||
            !lh_type_equal(k, t.nested->elem))
            return type_error(b, eb, fname, 1, "\"MAP KEY\"");
        b->cast_to[1] = t.nested->elem;
        b->ret_type = t.nested->value;
        return LH_OK;
    }
    if (t.id == LH_TYPE_NULL) {
        b->ret_type = fn_type(LH_TYPE_NULL);
        return LH_OK;
    }
    return type_error(b, eb, fname, 0, kind == IDX_GET ? "\"ARRAY\"" : "(\"ARRAY\" or \"MAP\")");
}

#define BIND_INDEX(fn, kind, name)                                                                 \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_index(b, eb, kind, name);                                                      \
    }
BIND_INDEX(b_subscript, IDX_SUBSCRIPT, "subscript")
BIND_INDEX(b_element_at, IDX_ELEMENT_AT, "element_at")
BIND_INDEX(b_try_element_at, IDX_TRY_ELEMENT_AT, "try_element_at")
BIND_INDEX(b_get, IDX_GET, "get")

static lh_err map_lookup(const lh_vec_t *m, size_t i, const lh_value_t *key, lh_value_t *out)
{
    lh_narray_t k, v;
    lh_nmap_open(m->type, fn_str(m, i), &k, &v);
    out->is_null = true;
    for (uint32_t j = 0; j < k.count; j++) {
        lh_value_t kj;
        lh_narray_get(&k, j, &kj);
        if (!kj.is_null && lh_fnc_value_eq(&kj, key)) {
            lh_narray_get(&v, j, out);
            return LH_OK;
        }
    }
    return LH_OK;
}

static lh_err index_error(idx_kind kind, int64_t idx, uint32_t count, const lh_sql_conf_t *conf,
                          bool *is_null, lh_errbuf *eb)
{
    *is_null = true;
    if (kind == IDX_GET || kind == IDX_TRY_ELEMENT_AT || (conf && !conf->ansi))
        return LH_OK;
    char iv[32], sz[32];
    snprintf(iv, sizeof iv, "%lld", (long long)idx);
    snprintf(sz, sizeof sz, "%u", count);
    return lh_sqlerr(
        eb, kind == IDX_ELEMENT_AT ? "INVALID_ARRAY_INDEX_IN_ELEMENT_AT" : "INVALID_ARRAY_INDEX",
        "indexValue", iv, "arraySize", sz, "ansiConfig", "\"spark.sql.ansi.enabled\"", NULL);
}

static lh_err x_index(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    idx_kind kind = *(const idx_kind *)x->bind_data;
    const lh_vec_t *c = x->args[0];
    for (size_t i = 0; i < x->rows; i++) {
        if (c->type.id == LH_TYPE_NULL || fn_null(c, i) || fn_null(x->args[1], i) ||
            x->args[1]->type.id == LH_TYPE_NULL) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        lh_value_t v = {.is_null = true};
        if (c->type.id == LH_TYPE_MAP) {
            lh_value_t key = fn_get(x->args[1], i);
            LH_TRY(map_lookup(c, i, &key, &v));
        } else {
            lh_narray_t a;
            lh_narray_open(c->type.nested->elem, fn_str(c, i), &a);
            int64_t idx = fn_i64(x->args[1], i), pos;
            if (kind == IDX_SUBSCRIPT || kind == IDX_GET) {
                pos = idx;
            } else {
                if (idx == 0 && kind == IDX_ELEMENT_AT)
                    return lh_sqlerr(eb, "INVALID_INDEX_OF_ZERO", NULL);
                pos = idx > 0 ? idx - 1 : (int64_t)a.count + idx;
            }
            if (pos < 0 || pos >= (int64_t)a.count) {
                bool is_null;
                LH_TRY(index_error(kind, idx, a.count, x->conf, &is_null, eb));
            } else {
                lh_narray_get(&a, (uint32_t)pos, &v);
            }
        }
        LH_TRY(fn_put(x->out, i, &v));
    }
    return LH_OK;
}

/* ---- size / cardinality -------------------------------------------------------------------- */

static lh_err b_size(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_id t = b->arg_types[0].id;
    if (t != LH_TYPE_ARRAY && t != LH_TYPE_MAP && t != LH_TYPE_NULL)
        return type_error(b, eb, "size", 0, "(\"ARRAY\" or \"MAP\")");
    b->ret_type = fn_type(LH_TYPE_INT);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_size(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    const lh_vec_t *a = x->args[0];
    bool legacy = x->conf && !x->conf->ansi;
    for (size_t i = 0; i < x->rows; i++) {
        if (a->type.id == LH_TYPE_NULL || fn_null(a, i)) {
            if (legacy)
                fn_put_i64(x->out, i, -1);
            else
                LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        lh_sv_t s = fn_str(a, i);
        uint32_t n = 0;
        if (s.len >= 4)
            memcpy(&n, a->type.id == LH_TYPE_MAP ? s.ptr + 4 : s.ptr, 4);
        fn_put_i64(x->out, i, n);
    }
    return LH_OK;
}

/* ---- array_contains, array_position ------------------------------------------------------- */

/* arg 0 an array, arg 1 a value of a type both meet in (the array cast when it widens). */
static lh_err bind_array_value(lh_func_bind_t *b, lh_errbuf *eb, const char *fname, lh_type_t ret)
{
    lh_type_t a = b->arg_types[0], v = b->arg_types[1], t;
    if (a.id == LH_TYPE_NULL || v.id == LH_TYPE_NULL) {
        b->ret_type = ret;
        b->ret_nullable = true;
        if (a.id == LH_TYPE_ARRAY)
            b->cast_to[1] = a.nested->elem;
        return LH_OK;
    }
    if (a.id != LH_TYPE_ARRAY || !lh_type_common(a.nested->elem, v, &t) ||
        (lh_type_is_numeric(t.id) != lh_type_is_numeric(v.id) && v.id != LH_TYPE_NULL)) {
        char l[128], r[128];
        return lh_sqlerr(
            eb, "DATATYPE_MISMATCH.ARRAY_FUNCTION_DIFF_TYPES", "sqlExpr",
            lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : fname), "functionName",
            lh_arena_sprintf(b->arena, "`%s`", fname), "dataType", "\"ARRAY\"", "leftType",
            lh_arena_sprintf(b->arena, "\"%s\"", lh_format_type_sql(a, l, sizeof l)), "rightType",
            lh_arena_sprintf(b->arena, "\"%s\"", lh_format_type_sql(v, r, sizeof r)), NULL);
    }
    b->cast_to[0] = lh_type_array(t);
    b->cast_to[1] = t;
    b->ret_type = ret;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_array_contains(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_array_value(b, eb, "array_contains", fn_type(LH_TYPE_BOOLEAN));
}

static lh_err b_array_position(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_array_value(b, eb, "array_position", fn_type(LH_TYPE_LONG));
}

/* -1 when not found; *saw_null when a null element was passed. */
static int64_t find_in(const lh_vec_t *a, size_t i, const lh_value_t *v, bool *saw_null)
{
    lh_narray_t arr;
    lh_narray_open(a->type.nested->elem, fn_str(a, i), &arr);
    *saw_null = false;
    for (uint32_t k = 0; k < arr.count; k++) {
        lh_value_t e;
        lh_narray_get(&arr, k, &e);
        if (e.is_null) {
            *saw_null = true;
            continue;
        }
        if (lh_fnc_value_eq(&e, v))
            return k;
    }
    return -1;
}

static bool args_null(const lh_func_exec_t *x, size_t i)
{
    for (int k = 0; k < x->arg_count; k++)
        if (x->args[k]->type.id == LH_TYPE_NULL || fn_null(x->args[k], i))
            return true;
    return false;
}

static lh_err x_array_contains(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (args_null(x, i)) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        lh_value_t v = fn_get(x->args[1], i);
        bool saw_null;
        int64_t k = find_in(x->args[0], i, &v, &saw_null);
        if (k < 0 && saw_null)
            LH_TRY(fn_put_null(x->out, i));
        else
            fn_put_i64(x->out, i, k >= 0);
    }
    return LH_OK;
}

static lh_err x_array_position(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (args_null(x, i)) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        lh_value_t v = fn_get(x->args[1], i);
        bool saw_null;
        fn_put_i64(x->out, i, find_in(x->args[0], i, &v, &saw_null) + 1);
    }
    return LH_OK;
}

/* ---- array -> array: sort_array, array_sort, array_distinct ------------------------------- */

static lh_err b_array_arg(lh_func_bind_t *b, lh_errbuf *eb, const char *fname)
{
    lh_type_t t = b->arg_types[0];
    if (t.id == LH_TYPE_NULL) {
        t = lh_type_array(fn_type(LH_TYPE_NULL));
        b->cast_to[0] = t;
    }
    if (t.id != LH_TYPE_ARRAY)
        return type_error(b, eb, fname, 0, "\"ARRAY\"");
    b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_sort_array(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(b_array_arg(b, eb, "sort_array"));
    LH_TRY(lh_func_check_orderable(b, eb, "sort_array", b->ret_type.nested->elem));
    if (b->arg_count > 1) {
        const lh_value_t *c = b->const_args ? b->const_args[1] : NULL;
        if (b->arg_types[1].id != LH_TYPE_BOOLEAN || c == NULL)
            return type_error(b, eb, "sort_array", 1, "\"BOOLEAN\"");
    }
    return LH_OK;
}

static lh_err b_array_sort(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(b_array_arg(b, eb, "array_sort"));
    return lh_func_check_orderable(b, eb, "array_sort", b->ret_type.nested->elem);
}

static lh_err b_array_distinct(lh_func_bind_t *b, lh_errbuf *eb)
{
    return b_array_arg(b, eb, "array_distinct");
}

/* Stable insertion-merge sort of values; nulls first when asc, last otherwise (sort_array),
 * or always last (array_sort). */
static void sort_vals(lh_value_t *v, size_t n, bool asc, bool nulls_last)
{
    for (size_t i = 1; i < n; i++) {
        lh_value_t k = v[i];
        size_t j = i;
        while (j > 0) {
            const lh_value_t *p = &v[j - 1];
            int c;
            if (p->is_null || k.is_null)
                c = p->is_null == k.is_null
                        ? 0
                        : (p->is_null ? (nulls_last ? 1 : -1) : (nulls_last ? -1 : 1));
            else
                c = asc ? lh_nested_value_cmp(p, &k) : lh_nested_value_cmp(&k, p);
            if (c <= 0)
                break;
            v[j] = v[j - 1];
            j--;
        }
        v[j] = k;
    }
}

typedef enum { TF_SORT_ARRAY, TF_ARRAY_SORT, TF_DISTINCT, TF_REVERSE } tform;

static lh_err array_tform(const lh_func_exec_t *x, tform op)
{
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
        if (op == TF_SORT_ARRAY) {
            bool asc = x->arg_count < 2 || fn_i64(x->args[1], i) != 0;
            sort_vals(vals.v, n, asc, !asc);
        } else if (op == TF_ARRAY_SORT) {
            sort_vals(vals.v, n, true, true);
        } else if (op == TF_REVERSE) {
            for (uint32_t k = 0; k < n / 2; k++) {
                lh_value_t t = vals.v[k];
                vals.v[k] = vals.v[n - 1 - k];
                vals.v[n - 1 - k] = t;
            }
        } else {
            uint32_t m = 0;
            bool seen_null = false;
            for (uint32_t k = 0; k < n; k++) {
                bool dup = false;
                if (vals.v[k].is_null) {
                    dup = seen_null;
                    seen_null = true;
                } else {
                    for (uint32_t j = 0; j < m && !dup; j++)
                        dup = !vals.v[j].is_null && lh_fnc_value_eq(&vals.v[j], &vals.v[k]);
                }
                if (!dup)
                    vals.v[m++] = vals.v[k];
            }
            n = m;
        }
        err = lh_fnc_put_array(x->out, i, vals.v, n, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

static lh_err x_sort_array(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return array_tform(x, TF_SORT_ARRAY);
}

static lh_err x_array_sort(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return array_tform(x, TF_ARRAY_SORT);
}

static lh_err x_array_distinct(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return array_tform(x, TF_DISTINCT);
}

lh_err lh_fnc_array_reverse(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return array_tform(x, TF_REVERSE);
}

/* ---- array_min / array_max ------------------------------------------------------------------ */

static lh_err b_array_minmax(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_types[0].id != LH_TYPE_ARRAY)
        return type_error(b, eb, "array_min", 0, "\"ARRAY\"");
    LH_TRY(lh_func_check_orderable(b, eb, "array_min", b->arg_types[0].nested->elem));
    b->ret_type = b->arg_types[0].nested->elem;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err minmax(const lh_func_exec_t *x, int sign)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        lh_value_t best = {.is_null = true};
        if (!fn_null(x->args[0], i)) {
            lh_narray_t a;
            lh_narray_open(x->args[0]->type.nested->elem, fn_str(x->args[0], i), &a);
            for (uint32_t k = 0; k < a.count; k++) {
                lh_value_t e;
                lh_narray_get(&a, k, &e);
                if (!e.is_null && (best.is_null || sign * lh_nested_value_cmp(&e, &best) > 0))
                    best = e;
            }
        }
        LH_TRY(fn_put(x->out, i, &best));
    }
    return LH_OK;
}

static lh_err x_array_min(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return minmax(x, -1);
}

static lh_err x_array_max(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    return minmax(x, 1);
}

/* ---- array_join ---------------------------------------------------------------------------- */

static lh_err b_array_join(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_types[0].id != LH_TYPE_ARRAY)
        return type_error(b, eb, "array_join", 0, "\"ARRAY<STRING>\"");
    b->cast_to[0] = lh_type_array(fn_type(LH_TYPE_STRING));
    for (int i = 1; i < b->arg_count; i++)
        b->cast_to[i] = fn_type(LH_TYPE_STRING);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_array_join(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        lh_narray_t a;
        lh_narray_open(x->args[0]->type.nested->elem, fn_str(x->args[0], i), &a);
        lh_sv_t sep = fn_str(x->args[1], i);
        bool has_repl = x->arg_count > 2;
        lh_sv_t repl = has_repl ? fn_str(x->args[2], i) : (lh_sv_t){0};
        nb.len = 0;
        bool first = true;
        for (uint32_t k = 0; k < a.count && err == LH_OK; k++) {
            lh_value_t e;
            lh_narray_get(&a, k, &e);
            if (e.is_null && !has_repl)
                continue;
            if (!first)
                err = lh_nbuf_put(&nb, sep.ptr, sep.len);
            first = false;
            lh_sv_t s = e.is_null ? repl : e.v.str;
            if (err == LH_OK)
                err = lh_nbuf_put(&nb, s.ptr, s.len);
        }
        if (err == LH_OK)
            err = fn_put_str(x->out, i, nb.bytes, nb.len);
    }
    lh_nbuf_free(&nb);
    return err;
}

/* ---- flatten, concat of arrays --------------------------------------------------------------- */

static lh_err b_flatten(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = b->arg_types[0];
    if (t.id != LH_TYPE_ARRAY || t.nested->elem.id != LH_TYPE_ARRAY)
        return type_error(b, eb, "flatten", 0, "\"ARRAY\" of \"ARRAY\"");
    b->ret_type = t.nested->elem;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_flatten(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    lh_type_t inner = x->args[0]->type.nested->elem;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (fn_null(x->args[0], i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        lh_narray_t outer;
        lh_narray_open(inner, fn_str(x->args[0], i), &outer);
        size_t n = 0;
        bool null = false;
        for (uint32_t k = 0; k < outer.count && !null && err == LH_OK; k++) {
            lh_value_t e;
            lh_narray_get(&outer, k, &e);
            if (e.is_null) {
                null = true;
                break;
            }
            lh_narray_t a;
            lh_narray_open(inner.nested->elem, e.v.str, &a);
            err = lh_fnc_vals_need(&vals, n + a.count + 1);
            for (uint32_t j = 0; j < a.count && err == LH_OK; j++)
                lh_narray_get(&a, j, &vals.v[n++]);
        }
        if (err == LH_OK)
            err = null ? fn_put_null(x->out, i) : lh_fnc_put_array(x->out, i, vals.v, n, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

lh_err lh_fnc_concat_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = fn_type(LH_TYPE_NULL);
    for (int i = 0; i < b->arg_count; i++) {
        lh_type_t a = b->arg_types[i];
        if (a.id != LH_TYPE_ARRAY && a.id != LH_TYPE_NULL)
            return type_error(b, eb, "concat", i, "\"ARRAY\"");
        if (a.id == LH_TYPE_ARRAY && !lh_type_common(t, a, &t))
            return diff_types(b, eb, "concat");
    }
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = t;
    b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

lh_err lh_fnc_concat_exec(const lh_func_exec_t *x, lh_errbuf *eb)
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
        size_t n = 0;
        for (int k = 0; k < x->arg_count && err == LH_OK; k++) {
            lh_narray_t a;
            lh_narray_open(x->out->type.nested->elem, fn_str(x->args[k], i), &a);
            err = lh_fnc_vals_need(&vals, n + a.count + 1);
            for (uint32_t j = 0; j < a.count && err == LH_OK; j++)
                lh_narray_get(&a, j, &vals.v[n++]);
        }
        if (err == LH_OK)
            err = lh_fnc_put_array(x->out, i, vals.v, n, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- sequence, slice ---------------------------------------------------------------------- */

static lh_err b_sequence(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = fn_type(LH_TYPE_BYTE);
    for (int i = 0; i < b->arg_count; i++) {
        if (!lh_type_is_integral(b->arg_types[i].id) && b->arg_types[i].id != LH_TYPE_NULL)
            return type_error(b, eb, "sequence", i, "\"INTEGRAL\"");
        if (b->arg_types[i].id != LH_TYPE_NULL)
            lh_type_common(t, b->arg_types[i], &t);
    }
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = t;
    b->ret_type = lh_type_array(t);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_sequence(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    lh_type_t t = x->out->type.nested->elem;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        int64_t start = fn_i64(x->args[0], i), stop = fn_i64(x->args[1], i);
        int64_t step = x->arg_count > 2 ? fn_i64(x->args[2], i) : (start <= stop ? 1 : -1);
        if (step == 0 || (step > 0 && start > stop) || (step < 0 && start < stop)) {
            if (!(start == stop && step != 0)) {
                err = lh_sqlerr(eb, "INTERNAL_ERROR", "message",
                                "Illegal sequence boundaries: step must be non-zero and go from "
                                "start towards stop",
                                NULL);
                break;
            }
        }
        __int128 count = ((__int128)stop - start) / step + 1;
        if (count > 1000000) {
            err = lh_sqlerr(eb, "INTERNAL_ERROR", "message",
                            "Too long sequence: more than 1000000 elements", NULL);
            break;
        }
        err = lh_fnc_vals_need(&vals, (size_t)count + 1);
        for (int64_t k = 0; k < (int64_t)count && err == LH_OK; k++)
            vals.v[k] = (lh_value_t){.type = t, .v.i64 = start + k * step};
        if (err == LH_OK)
            err = lh_fnc_put_array(x->out, i, vals.v, (size_t)count, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

static lh_err b_slice(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(b_array_arg(b, eb, "slice"));
    b->cast_to[1] = b->cast_to[2] = fn_type(LH_TYPE_INT);
    return LH_OK;
}

static lh_err x_slice(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    lh_fnc_vals_t vals = {0};
    lh_nbuf_t nb = {0};
    lh_err err = LH_OK;
    for (size_t i = 0; i < x->rows && err == LH_OK; i++) {
        if (args_null(x, i)) {
            err = fn_put_null(x->out, i);
            continue;
        }
        int64_t start = fn_i64(x->args[1], i), len = fn_i64(x->args[2], i);
        if (start == 0 || len < 0) {
            err = lh_sqlerr(eb, "INTERNAL_ERROR", "message",
                            start == 0 ? "Unexpected value for start in function slice: SQL array "
                                         "indices start at 1."
                                       : "Unexpected value for length in function slice: length "
                                         "must be greater than or equal to 0.",
                            NULL);
            break;
        }
        uint32_t n;
        err = lh_fnc_get_array(x->args[0], i, &vals, &n);
        if (err != LH_OK)
            break;
        int64_t from = start > 0 ? start - 1 : (int64_t)n + start;
        if (from < 0 || from >= (int64_t)n) {
            err = lh_fnc_put_array(x->out, i, vals.v, 0, &nb);
            continue;
        }
        int64_t m = len < (int64_t)n - from ? len : (int64_t)n - from;
        err = lh_fnc_put_array(x->out, i, vals.v + from, (size_t)m, &nb);
    }
    lh_fnc_vals_free(&vals);
    lh_nbuf_free(&nb);
    return err;
}

/* ---- typeof ---------------------------------------------------------------------------------- */

static lh_err b_typeof(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    char buf[1024];
    if (lh_type_is_interval(b->arg_types[0].id)) { /* with its fields: interval hour */
        lh_format_type_sql(b->arg_types[0], buf, sizeof buf);
        for (char *c = buf; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    } else {
        lh_type_catalog_string(b->arg_types[0], buf, sizeof buf);
    }
    b->bind_data = lh_arena_strdup(b->arena, buf);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err x_typeof(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    const char *s = x->bind_data;
    for (size_t i = 0; i < x->rows; i++)
        LH_TRY(fn_put_str(x->out, i, s, strlen(s)));
    return LH_OK;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_collection[] = {
    F("__field", 2, 2, b_field, x_field),
    F("__subscript", 2, 2, b_subscript, x_index),
    F("array", 0, -1, b_array, x_array),
    F("array_contains", 2, 2, b_array_contains, x_array_contains),
    F("array_distinct", 1, 1, b_array_distinct, x_array_distinct),
    F("array_join", 2, 3, b_array_join, x_array_join),
    F("array_max", 1, 1, b_array_minmax, x_array_max),
    F("array_min", 1, 1, b_array_minmax, x_array_min),
    F("array_position", 2, 2, b_array_position, x_array_position),
    F("array_sort", 1, 1, b_array_sort, x_array_sort),
    F("cardinality", 1, 1, b_size, x_size),
    F("element_at", 2, 2, b_element_at, x_index),
    F("flatten", 1, 1, b_flatten, x_flatten),
    F("get", 2, 2, b_get, x_index),
    F("named_struct", 0, -1, b_named_struct, x_named_struct),
    F("sequence", 2, 3, b_sequence, x_sequence),
    F("size", 1, 1, b_size, x_size),
    F("slice", 3, 3, b_slice, x_slice),
    F("sort_array", 1, 2, b_sort_array, x_sort_array),
    F("try_element_at", 2, 2, b_try_element_at, x_index),
    F("typeof", 1, 1, b_typeof, x_typeof),
};
FN_COUNT(lh_fn_collection);
