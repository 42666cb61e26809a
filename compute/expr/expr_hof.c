/*
 * expr_hof.c - higher-order functions (LH_EXPR_HOF): transform, filter, exists, forall,
 * aggregate / reduce, zip_with, map_filter, transform_keys, transform_values, map_zip_with,
 * array_sort with a comparator.
 *
 * Vectorized over the batch: the elements of every row's array (or map) go into one
 * element vector per lambda variable, the batch's rows are gathered once per element (so
 * the body can read the row's columns), and the body is evaluated once over all of them;
 * the results are then cut back into rows. The lambda variables are bound in the state by
 * id while the body runs; variables of enclosing lambdas are gathered along, so nested
 * lambdas see them aligned. aggregate folds position by position: step j evaluates the
 * merge over the rows whose array has a j-th element.
 *
 * Spark's semantics: a NULL collection gives NULL; exists / forall are three-valued
 * (exists: TRUE if any TRUE, else NULL if any NULL, else FALSE); zip_with pads the shorter
 * array with NULLs; transform_keys refuses a NULL key (NULL_MAP_KEY) and a repeated one
 * (DUPLICATED_MAP_KEY); map_zip_with runs over the first map's keys, then the second's new
 * ones, with NULL for a missing side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/expr/expr_internal.h"
#include "compute/expr/vecops.h"
#include "compute/sqlerr.h"

#define OOM(eb) lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory")

/* Growable uint32 list. */
typedef struct u32s {
    uint32_t *v;
    size_t n, cap;
} u32s;

static bool u32_push(u32s *l, uint32_t x)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        uint32_t *p = realloc(l->v, cap * sizeof *p);
        if (p == NULL)
            return false;
        l->v = p;
        l->cap = cap;
    }
    l->v[l->n++] = x;
    return true;
}

static bool active_push(lh_expr_lambda_t *l, int id, const lh_vec_t *v)
{
    if (id >= l->cap) {
        int cap = l->cap ? l->cap : 8;
        while (cap <= id)
            cap *= 2;
        const lh_vec_t **p = realloc(l->vars, (size_t)cap * sizeof *p);
        if (p == NULL)
            return false;
        memset(p + l->cap, 0, (size_t)(cap - l->cap) * sizeof *p);
        l->vars = p;
        l->cap = cap;
    }
    if (l->active_n == l->active_cap) {
        int cap = l->active_cap ? l->active_cap * 2 : 8;
        int *a = realloc(l->active, (size_t)cap * sizeof *a);
        if (a == NULL)
            return false;
        l->active = a;
        l->active_cap = cap;
    }
    l->active[l->active_n++] = id;
    l->vars[id] = v;
    return true;
}

/* Evaluate body over the element rows: row_of[k] is the batch row of element k (n of
 * them); the HOF's variables first_var.. are vars[0..nv). *res: an owned copy. */
static lh_err run_body(lh_expr_state_t *st, const lh_expr_t *body, const lh_batch_t *in,
                       const uint32_t *row_of, size_t n, int first_var, lh_vec_t *const *vars,
                       int nv, lh_vec_t **res, lh_errbuf *eb)
{
    *res = NULL;
    lh_expr_lambda_t *l = lh_expr_state_lambda(st);
    int outer_n = l->active_n;
    const lh_vec_t **saved = calloc((size_t)outer_n + 1, sizeof *saved);
    lh_vec_t **moved = calloc((size_t)outer_n + 1, sizeof *moved);
    lh_batch_t *sb = lh_vecops_batch_like(in, n ? n : 1);
    lh_err e = saved && moved && sb ? LH_OK : OOM(eb);
    if (e == LH_OK && lh_vecops_batch_gather(sb, in, row_of, n) != LH_OK)
        e = OOM(eb);
    int realigned = 0;
    for (int k = 0; k < outer_n && e == LH_OK; k++, realigned++) { /* enclosing variables */
        int id = l->active[k];
        saved[k] = l->vars[id];
        moved[k] = lh_vec_create(saved[k]->type, n ? n : 1);
        if (moved[k] == NULL || lh_vecops_gather(moved[k], saved[k], row_of, n) != LH_OK)
            e = OOM(eb);
        else
            l->vars[id] = moved[k];
    }
    for (int k = 0; k < nv && e == LH_OK; k++)
        if (!active_push(l, first_var + k, vars[k]))
            e = OOM(eb);
    const lh_vec_t *r = NULL;
    if (e == LH_OK)
        e = lh_expr_eval(st, body, sb, &r, eb);
    if (e == LH_OK) {
        lh_vec_t *copy = lh_vec_create(body->type, n ? n : 1);
        if (copy == NULL || lh_vec_append_range(copy, r, 0, n) != LH_OK) {
            lh_vec_destroy(copy);
            e = OOM(eb);
        } else {
            *res = copy;
        }
    }
    for (int k = 0; k < l->active_n - outer_n; k++) /* unbind ours */
        l->vars[l->active[outer_n + k]] = NULL;
    l->active_n = outer_n;
    for (int k = 0; k < realigned; k++) {
        l->vars[l->active[k]] = saved[k];
        lh_vec_destroy(moved[k]);
    }
    free(saved);
    free(moved);
    lh_batch_destroy(sb);
    return e;
}

/* The elements of collection row i (array: elements; map: keys and values). */
typedef struct coll {
    lh_narray_t a, b; /* array: a; map: a keys, b values */
    bool null;
} coll;

static void coll_open(const lh_vec_t *v, size_t i, coll *c)
{
    memset(c, 0, sizeof *c);
    c->null = v->type.id == LH_TYPE_NULL || !lh_vec_is_valid(v, i);
    if (c->null)
        return;
    lh_value_t x;
    lh_vec_get_value(v, i, &x);
    if (v->type.id == LH_TYPE_MAP)
        lh_nmap_open(v->type, x.v.str, &c->a, &c->b);
    else
        lh_narray_open(v->type.nested->elem, x.v.str, &c->a);
}

static lh_err append_elem(lh_vec_t *v, const lh_narray_t *a, uint32_t k, lh_errbuf *eb)
{
    lh_value_t x;
    if (a == NULL || k >= a->count) {
        x = (lh_value_t){.type = v->type, .is_null = true};
    } else {
        lh_narray_get(a, k, &x);
    }
    return lh_vec_append_value(v, &x) == LH_OK ? LH_OK : OOM(eb);
}

static lh_type_t elem_type(lh_type_t t, int which)
{
    if (t.id == LH_TYPE_MAP)
        return which == 0 ? t.nested->elem : t.nested->value;
    return t.id == LH_TYPE_ARRAY ? t.nested->elem : (lh_type_t){LH_TYPE_NULL};
}

typedef struct hof_run {
    lh_vec_t *vars[3];
    u32s row_of;
    lh_vec_t *res;
    lh_value_t *vals; /* scratch for one output row */
    size_t vals_cap;
    lh_nbuf_t nb;
} hof_run;

static void run_free(hof_run *r)
{
    for (int k = 0; k < 3; k++)
        lh_vec_destroy(r->vars[k]);
    lh_vec_destroy(r->res);
    free(r->row_of.v);
    free(r->vals);
    lh_nbuf_free(&r->nb);
}

static bool vals_need(hof_run *r, size_t n)
{
    if (n <= r->vals_cap)
        return true;
    size_t cap = r->vals_cap ? r->vals_cap * 2 : 64;
    while (cap < n)
        cap *= 2;
    lh_value_t *p = realloc(r->vals, cap * sizeof *p);
    if (p == NULL)
        return false;
    r->vals = p;
    r->vals_cap = cap;
    return true;
}

static lh_err make_vars(hof_run *r, const lh_type_t *types, int n, lh_errbuf *eb)
{
    for (int k = 0; k < n; k++)
        if ((r->vars[k] = lh_vec_create(types[k], 256)) == NULL)
            return OOM(eb);
    return LH_OK;
}

/* transform / filter / exists / forall: one array, x [, i]. */
static lh_err eval_array_fn(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                            lh_vec_t *o, hof_run *r, lh_errbuf *eb)
{
    const lh_vec_t *av;
    LH_TRY(lh_expr_eval(st, e->args[0], in, &av, eb));
    lh_type_t types[2] = {elem_type(av->type, 0), {LH_TYPE_INT}};
    int nv = e->lambda_n;
    LH_TRY(make_vars(r, types, nv, eb));
    for (size_t i = 0; i < in->row_count; i++) {
        coll c;
        coll_open(av, i, &c);
        for (uint32_t k = 0; !c.null && k < c.a.count; k++) {
            LH_TRY(append_elem(r->vars[0], &c.a, k, eb));
            if (nv > 1 && lh_vec_append_i64(r->vars[1], k) != LH_OK)
                return OOM(eb);
            if (!u32_push(&r->row_of, (uint32_t)i))
                return OOM(eb);
        }
    }
    LH_TRY(run_body(st, e->args[1], in, r->row_of.v, r->row_of.n, e->lambda_var, r->vars, nv,
                    &r->res, eb));
    lh_hof_kind kind = (lh_hof_kind)e->column;
    size_t at = 0;
    for (size_t i = 0; i < in->row_count; i++) {
        coll c;
        coll_open(av, i, &c);
        if (c.null) {
            LH_FAIL_IF(lh_vec_append_null(o) != LH_OK, LH_E_NOMEM, eb, "out of memory");
            continue;
        }
        uint32_t n = c.a.count;
        if (kind == LH_HOF_EXISTS || kind == LH_HOF_FORALL) {
            bool want = kind == LH_HOF_EXISTS, hit = false, null = false;
            for (uint32_t k = 0; k < n; k++) {
                size_t j = at + k;
                if (!lh_vec_is_valid(r->res, j))
                    null = true;
                else if ((((const uint8_t *)r->res->data)[j] != 0) == want)
                    hit = true;
            }
            lh_err ae =
                hit || !null ? lh_vec_append_bool(o, hit ? want : !want) : lh_vec_append_null(o);
            LH_FAIL_IF(ae != LH_OK, LH_E_NOMEM, eb, "out of memory");
            at += n;
            continue;
        }
        LH_FAIL_IF(!vals_need(r, n + 1), LH_E_NOMEM, eb, "out of memory");
        size_t m = 0;
        for (uint32_t k = 0; k < n; k++, at++) {
            if (kind == LH_HOF_TRANSFORM) {
                lh_vec_get_value(r->res, at, &r->vals[m]);
                r->vals[m].is_null = !lh_vec_is_valid(r->res, at);
                m++;
            } else if (lh_vec_is_valid(r->res, at) && ((const uint8_t *)r->res->data)[at]) {
                lh_narray_get(&c.a, k, &r->vals[m++]);
            }
        }
        r->nb.len = 0;
        lh_err pe = lh_nested_put_array(&r->nb, o->type.nested->elem, r->vals, m);
        if (pe == LH_OK)
            pe = lh_vec_append_str(o, r->nb.bytes, r->nb.len);
        LH_FAIL_IF(pe != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

/* zip_with(a, b, (x, y) -> f) */
static lh_err eval_zip(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in, lh_vec_t *o,
                       hof_run *r, lh_errbuf *eb)
{
    const lh_vec_t *av, *bv;
    LH_TRY(lh_expr_eval(st, e->args[0], in, &av, eb));
    LH_TRY(lh_expr_eval(st, e->args[1], in, &bv, eb));
    lh_type_t types[2] = {elem_type(av->type, 0), elem_type(bv->type, 0)};
    LH_TRY(make_vars(r, types, 2, eb));
    for (size_t i = 0; i < in->row_count; i++) {
        coll a, b;
        coll_open(av, i, &a);
        coll_open(bv, i, &b);
        if (a.null || b.null)
            continue;
        uint32_t n = a.a.count > b.a.count ? a.a.count : b.a.count;
        for (uint32_t k = 0; k < n; k++) {
            LH_TRY(append_elem(r->vars[0], &a.a, k, eb));
            LH_TRY(append_elem(r->vars[1], &b.a, k, eb));
            if (!u32_push(&r->row_of, (uint32_t)i))
                return OOM(eb);
        }
    }
    LH_TRY(run_body(st, e->args[2], in, r->row_of.v, r->row_of.n, e->lambda_var, r->vars, 2,
                    &r->res, eb));
    size_t at = 0;
    for (size_t i = 0; i < in->row_count; i++) {
        coll a, b;
        coll_open(av, i, &a);
        coll_open(bv, i, &b);
        if (a.null || b.null) {
            LH_FAIL_IF(lh_vec_append_null(o) != LH_OK, LH_E_NOMEM, eb, "out of memory");
            continue;
        }
        uint32_t n = a.a.count > b.a.count ? a.a.count : b.a.count;
        LH_FAIL_IF(!vals_need(r, n + 1), LH_E_NOMEM, eb, "out of memory");
        for (uint32_t k = 0; k < n; k++, at++) {
            lh_vec_get_value(r->res, at, &r->vals[k]);
            r->vals[k].is_null = !lh_vec_is_valid(r->res, at);
        }
        r->nb.len = 0;
        lh_err pe = lh_nested_put_array(&r->nb, o->type.nested->elem, r->vals, n);
        if (pe == LH_OK)
            pe = lh_vec_append_str(o, r->nb.bytes, r->nb.len);
        LH_FAIL_IF(pe != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

static bool same_value(const lh_value_t *a, const lh_value_t *b)
{
    return a->is_null == b->is_null && (a->is_null || lh_nested_value_cmp(a, b) == 0);
}

/* map_filter / transform_keys / transform_values: (k, v); map_zip_with: (k, v1, v2). */
static lh_err eval_map_fn(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                          lh_vec_t *o, hof_run *r, lh_errbuf *eb)
{
    lh_hof_kind kind = (lh_hof_kind)e->column;
    bool zip = kind == LH_HOF_MAP_ZIP_WITH;
    const lh_vec_t *mv, *m2 = NULL;
    LH_TRY(lh_expr_eval(st, e->args[0], in, &mv, eb));
    if (zip)
        LH_TRY(lh_expr_eval(st, e->args[1], in, &m2, eb));
    lh_type_t types[3] = {elem_type(mv->type, 0), elem_type(mv->type, 1),
                          zip ? elem_type(m2->type, 1) : (lh_type_t){LH_TYPE_NULL}};
    int nv = zip ? 3 : 2;
    LH_TRY(make_vars(r, types, nv, eb));
    /* the entries of each row: map_zip_with's keys are the first map's, then the second's
     * new ones (found by a scan: maps are small) */
    u32s ent = {0}; /* map_zip_with: per entry, the index in m2 (+1; 0: none) */
    lh_err err = LH_OK;
    for (size_t i = 0; i < in->row_count && err == LH_OK; i++) {
        coll a, b = {0};
        coll_open(mv, i, &a);
        if (zip)
            coll_open(m2, i, &b);
        if (a.null || b.null)
            continue;
        for (uint32_t k = 0; k < a.a.count && err == LH_OK; k++) {
            lh_value_t key;
            lh_narray_get(&a.a, k, &key);
            uint32_t in2 = 0;
            for (uint32_t q = 0; zip && q < b.a.count && in2 == 0; q++) {
                lh_value_t k2;
                lh_narray_get(&b.a, q, &k2);
                if (same_value(&key, &k2))
                    in2 = q + 1;
            }
            err = append_elem(r->vars[0], &a.a, k, eb);
            if (err == LH_OK)
                err = append_elem(r->vars[1], &a.b, k, eb);
            if (err == LH_OK && zip)
                err = append_elem(r->vars[2], in2 ? &b.b : NULL, in2 ? in2 - 1 : 0, eb);
            if (err == LH_OK && (!u32_push(&r->row_of, (uint32_t)i) || (zip && !u32_push(&ent, 0))))
                err = OOM(eb);
        }
        for (uint32_t q = 0; zip && q < b.a.count && err == LH_OK; q++) {
            lh_value_t k2;
            lh_narray_get(&b.a, q, &k2);
            bool seen = false;
            for (uint32_t k = 0; k < a.a.count && !seen; k++) {
                lh_value_t key;
                lh_narray_get(&a.a, k, &key);
                seen = same_value(&key, &k2);
            }
            if (seen)
                continue;
            err = append_elem(r->vars[0], &b.a, q, eb);
            if (err == LH_OK)
                err = append_elem(r->vars[1], NULL, 0, eb);
            if (err == LH_OK)
                err = append_elem(r->vars[2], &b.b, q, eb);
            if (err == LH_OK && (!u32_push(&r->row_of, (uint32_t)i) || !u32_push(&ent, 1)))
                err = OOM(eb);
        }
    }
    free(ent.v);
    LH_TRY(err);
    LH_TRY(run_body(st, e->args[zip ? 2 : 1], in, r->row_of.v, r->row_of.n, e->lambda_var, r->vars,
                    nv, &r->res, eb));
    lh_type_t out_k = o->type.nested->elem, out_v = o->type.nested->value;
    size_t at = 0;
    for (size_t i = 0; i < in->row_count; i++) {
        coll a, b = {0};
        coll_open(mv, i, &a);
        if (zip)
            coll_open(m2, i, &b);
        if (a.null || b.null) {
            LH_FAIL_IF(lh_vec_append_null(o) != LH_OK, LH_E_NOMEM, eb, "out of memory");
            continue;
        }
        size_t n = 0; /* this row's entries */
        while (at + n < r->row_of.n && r->row_of.v[at + n] == i)
            n++;
        LH_FAIL_IF(!vals_need(r, 2 * n + 2), LH_E_NOMEM, eb, "out of memory");
        lh_value_t *keys = r->vals, *vals = r->vals + n + 1;
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            size_t j = at + k;
            lh_value_t key, val, res;
            lh_vec_get_value(r->vars[0], j, &key);
            key.is_null = !lh_vec_is_valid(r->vars[0], j);
            lh_vec_get_value(r->vars[1], j, &val);
            val.is_null = !lh_vec_is_valid(r->vars[1], j);
            lh_vec_get_value(r->res, j, &res);
            res.is_null = !lh_vec_is_valid(r->res, j);
            if (kind == LH_HOF_MAP_FILTER) {
                if (res.is_null || res.v.i64 == 0)
                    continue;
                keys[m] = key, vals[m++] = val;
            } else if (kind == LH_HOF_TRANSFORM_KEYS) {
                if (res.is_null)
                    return lh_sqlerr(eb, "NULL_MAP_KEY", NULL);
                for (size_t q = 0; q < m; q++)
                    if (same_value(&keys[q], &res)) {
                        char key_text[128];
                        if (lh_type_is_bytes(res.type))
                            snprintf(key_text, sizeof key_text, "%.*s",
                                     (int)(res.v.str.len < 100 ? res.v.str.len : 100),
                                     (const char *)res.v.str.ptr);
                        else if (res.type.id == LH_TYPE_DOUBLE || res.type.id == LH_TYPE_FLOAT)
                            snprintf(key_text, sizeof key_text, "%g", res.v.f64);
                        else
                            snprintf(key_text, sizeof key_text, "%lld", (long long)res.v.i64);
                        return lh_sqlerr(eb, "DUPLICATED_MAP_KEY", "key", key_text,
                                         "mapKeyDedupPolicy", "\"spark.sql.mapKeyDedupPolicy\"",
                                         NULL);
                    }
                keys[m] = res, vals[m++] = val;
            } else { /* transform_values, map_zip_with */
                keys[m] = key, vals[m++] = res;
            }
        }
        at += n;
        r->nb.len = 0;
        lh_type_t mt = lh_type_map(out_k, out_v);
        lh_err pe = lh_nested_put_map(&r->nb, mt, keys, vals, m);
        if (pe == LH_OK)
            pe = lh_vec_append_str(o, r->nb.bytes, r->nb.len);
        LH_FAIL_IF(pe != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

/* aggregate(arr, init, (acc, x) -> merge [, acc -> finish]) */
static lh_err eval_aggregate(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                             lh_vec_t *o, hof_run *r, lh_errbuf *eb)
{
    const lh_vec_t *av, *iv;
    LH_TRY(lh_expr_eval(st, e->args[0], in, &av, eb));
    size_t rows = in->row_count;
    lh_type_t acc_t = e->args[2]->type;
    lh_vec_t *acc = lh_vec_create(acc_t, rows ? rows : 1);
    LH_FAIL_IF(acc == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err err = lh_expr_eval(st, e->args[1], in, &iv, eb);
    for (size_t i = 0; i < rows && err == LH_OK; i++) {
        lh_value_t x;
        lh_vec_get_value(iv, i, &x);
        x.is_null = !lh_vec_is_valid(iv, i);
        x.type = acc_t;
        if (lh_vec_append_value(acc, &x) != LH_OK)
            err = OOM(eb);
    }
    uint32_t maxlen = 0;
    for (size_t i = 0; i < rows; i++) {
        coll c;
        coll_open(av, i, &c);
        if (!c.null && c.a.count > maxlen)
            maxlen = c.a.count;
    }
    lh_type_t xt = elem_type(av->type, 0);
    for (uint32_t j = 0; j < maxlen && err == LH_OK; j++) {
        r->row_of.n = 0;
        lh_vec_t *vars[2] = {lh_vec_create(acc_t, 256), lh_vec_create(xt, 256)};
        lh_vec_t *res = NULL;
        if (vars[0] == NULL || vars[1] == NULL)
            err = OOM(eb);
        for (size_t i = 0; i < rows && err == LH_OK; i++) {
            coll c;
            coll_open(av, i, &c);
            if (c.null || c.a.count <= j)
                continue;
            if (!u32_push(&r->row_of, (uint32_t)i) ||
                lh_vecops_append_row(vars[0], acc, i) != LH_OK)
                err = OOM(eb);
            else
                err = append_elem(vars[1], &c.a, j, eb);
        }
        if (err == LH_OK)
            err = run_body(st, e->args[2], in, r->row_of.v, r->row_of.n, e->lambda_var, vars, 2,
                           &res, eb);
        if (err == LH_OK) { /* the new accumulators: res for those rows, acc for the rest */
            lh_vec_t *next = lh_vec_create(acc_t, rows ? rows : 1);
            size_t q = 0;
            for (size_t i = 0; next && i < rows && err == LH_OK; i++) {
                bool stepped = q < r->row_of.n && r->row_of.v[q] == i;
                if (lh_vecops_append_row(next, stepped ? res : acc, stepped ? q++ : i) != LH_OK)
                    err = OOM(eb);
            }
            if (next == NULL)
                err = OOM(eb);
            if (err == LH_OK) {
                lh_vec_destroy(acc);
                acc = next;
            } else {
                lh_vec_destroy(next);
            }
        }
        lh_vec_destroy(vars[0]);
        lh_vec_destroy(vars[1]);
        lh_vec_destroy(res);
    }
    lh_vec_t *fin = NULL;
    if (err == LH_OK && e->arg_count > 3) { /* finish over every row */
        r->row_of.n = 0;
        for (size_t i = 0; i < rows && err == LH_OK; i++)
            if (!u32_push(&r->row_of, (uint32_t)i))
                err = OOM(eb);
        if (err == LH_OK)
            err = run_body(st, e->args[3], in, r->row_of.v, rows, e->lambda_var + 2, &acc, 1, &fin,
                           eb);
    }
    const lh_vec_t *src = fin ? fin : acc;
    for (size_t i = 0; i < rows && err == LH_OK; i++) {
        coll c;
        coll_open(av, i, &c);
        lh_err ae = c.null ? lh_vec_append_null(o) : lh_vecops_append_row(o, src, i);
        if (ae != LH_OK)
            err = OOM(eb);
    }
    lh_vec_destroy(acc);
    lh_vec_destroy(fin);
    return err;
}

/* array_sort(arr, (l, r) -> cmp): the comparator over every pair (j < k) of each row's
 * elements in one evaluation, then a stable sort of the row by those answers (cmp(k, j) is
 * -cmp(j, k)). A NULL answer is COMPARATOR_RETURNS_NULL, as in Spark. Rows are sorted by
 * pairs, so an array is limited to 4096 elements. */
typedef struct sort_ctx {
    const int64_t *cmp; /* the row's pair answers, by pair index */
    uint32_t n;
} sort_ctx;

static _Thread_local const sort_ctx *sort_now;

static size_t pair_at(uint32_t j, uint32_t k, uint32_t n)
{
    return (size_t)j * n - (size_t)j * (j + 1) / 2 + (k - j - 1); /* j < k */
}

static int by_comparator(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    const sort_ctx *c = sort_now;
    int64_t v = a < b ? c->cmp[pair_at(a, b, c->n)] : -c->cmp[pair_at(b, a, c->n)];
    if (v != 0)
        return v < 0 ? -1 : 1;
    return a < b ? -1 : a > b; /* stable */
}

static lh_err eval_array_sort(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                              lh_vec_t *o, hof_run *r, lh_errbuf *eb)
{
    const lh_vec_t *av;
    LH_TRY(lh_expr_eval(st, e->args[0], in, &av, eb));
    lh_type_t types[2] = {elem_type(av->type, 0), elem_type(av->type, 0)};
    LH_TRY(make_vars(r, types, 2, eb));
    for (size_t i = 0; i < in->row_count; i++) {
        coll c;
        coll_open(av, i, &c);
        if (c.null)
            continue;
        if (c.a.count > 4096)
            return lh_sqlerr(eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                             "array_sort with a comparator over more than 4096 elements", NULL);
        for (uint32_t j = 0; j < c.a.count; j++)
            for (uint32_t k = j + 1; k < c.a.count; k++) {
                LH_TRY(append_elem(r->vars[0], &c.a, j, eb));
                LH_TRY(append_elem(r->vars[1], &c.a, k, eb));
                if (!u32_push(&r->row_of, (uint32_t)i))
                    return OOM(eb);
            }
    }
    LH_TRY(run_body(st, e->args[1], in, r->row_of.v, r->row_of.n, e->lambda_var, r->vars, 2,
                    &r->res, eb));
    size_t npairs = r->row_of.n;
    int64_t *cmp = malloc((npairs + 1) * sizeof *cmp);
    LH_FAIL_IF(cmp == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err err = LH_OK;
    for (size_t q = 0; q < npairs && err == LH_OK; q++) {
        if (!lh_vec_is_valid(r->res, q))
            err = lh_sqlerr(eb, "COMPARATOR_RETURNS_NULL", "firstValue", "?", "secondValue", "?",
                            NULL);
        else {
            lh_value_t v;
            lh_vec_get_value(r->res, q, &v);
            cmp[q] = v.v.i64;
        }
    }
    size_t at = 0;
    uint32_t *idx = NULL;
    for (size_t i = 0; i < in->row_count && err == LH_OK; i++) {
        coll c;
        coll_open(av, i, &c);
        if (c.null) {
            if (lh_vec_append_null(o) != LH_OK)
                err = OOM(eb);
            continue;
        }
        uint32_t n = c.a.count;
        uint32_t *ni = realloc(idx, ((size_t)n + 1) * sizeof *idx);
        if (ni == NULL || !vals_need(r, n + 1)) {
            free(ni);
            idx = NULL;
            err = OOM(eb);
            break;
        }
        idx = ni;
        for (uint32_t j = 0; j < n; j++)
            idx[j] = j;
        sort_ctx sc = {cmp + at, n};
        sort_now = &sc;
        qsort(idx, n, sizeof *idx, by_comparator);
        sort_now = NULL;
        at += (size_t)n * (n - (n > 0)) / 2;
        for (uint32_t j = 0; j < n; j++)
            lh_narray_get(&c.a, idx[j], &r->vals[j]);
        r->nb.len = 0;
        if (lh_nested_put_array(&r->nb, o->type.nested->elem, r->vals, n) != LH_OK ||
            lh_vec_append_str(o, r->nb.bytes, r->nb.len) != LH_OK)
            err = OOM(eb);
    }
    free(idx);
    free(cmp);
    return err;
}

lh_err lh_expr_eval_hof(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                        const lh_vec_t **out, lh_errbuf *eb)
{
    lh_vec_t *o;
    LH_TRY(lh_expr_out_vec(st, e, in->row_count, &o, eb));
    hof_run r;
    memset(&r, 0, sizeof r);
    lh_err err;
    switch ((lh_hof_kind)e->column) {
    case LH_HOF_TRANSFORM:
    case LH_HOF_FILTER:
    case LH_HOF_EXISTS:
    case LH_HOF_FORALL:
        err = eval_array_fn(st, e, in, o, &r, eb);
        break;
    case LH_HOF_ZIP_WITH:
        err = eval_zip(st, e, in, o, &r, eb);
        break;
    case LH_HOF_AGGREGATE:
        err = eval_aggregate(st, e, in, o, &r, eb);
        break;
    case LH_HOF_ARRAY_SORT:
        err = eval_array_sort(st, e, in, o, &r, eb);
        break;
    default:
        err = eval_map_fn(st, e, in, o, &r, eb);
        break;
    }
    run_free(&r);
    if (err == LH_OK)
        *out = o;
    return err;
}
