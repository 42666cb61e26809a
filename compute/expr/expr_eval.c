/*
 * expr_eval.c - the batch evaluator (see expr.h).
 *
 * Each node owns one output vector in the state (by its id), reused batch after batch.
 * Lazy nodes (AND, OR, CASE, COALESCE) evaluate a child on a subset of rows by gathering
 * those rows of the input into the node's own scratch batch, evaluating the child on it,
 * and scattering the child's values back into place. Row indices always refer to the
 * node's own input, so one scratch batch per node suffices.
 */
#include <stdlib.h>
#include <string.h>

#include "compute/expr/expr.h"
#include "compute/expr/expr_internal.h"
#include "compute/expr/vecops.h"
#include "compute/sqlerr.h"

struct lh_expr_state {
    int node_count;
    const lh_sql_conf_t *conf;
    lh_vec_t **out;   /* per node: its result */
    size_t *filled;   /* CONST: rows already broadcast into out */
    lh_batch_t **sub; /* per node: gathered rows for a lazy child */
    uint32_t **idx;   /* per node: two index lists of capacity idx_cap */
    size_t *idx_cap;
    lh_expr_lambda_t lambda; /* the lambda variables bound now (expr_hof.c) */
    lh_vec_t **lambda_copy;  /* per node: a lazy child's values evaluated inside a lambda */
};

lh_expr_lambda_t *lh_expr_state_lambda(lh_expr_state_t *st)
{
    return &st->lambda;
}

lh_expr_state_t *lh_expr_state_create(int node_count, const lh_sql_conf_t *conf)
{
    lh_expr_state_t *st = calloc(1, sizeof *st);
    if (st == NULL)
        return NULL;
    size_t n = node_count > 0 ? (size_t)node_count : 1;
    st->node_count = node_count;
    st->conf = conf;
    st->out = calloc(n, sizeof *st->out);
    st->filled = calloc(n, sizeof *st->filled);
    st->sub = calloc(n, sizeof *st->sub);
    st->idx = calloc(n, sizeof *st->idx);
    st->idx_cap = calloc(n, sizeof *st->idx_cap);
    st->lambda_copy = calloc(n, sizeof *st->lambda_copy);
    if (!st->out || !st->filled || !st->sub || !st->idx || !st->idx_cap || !st->lambda_copy) {
        lh_expr_state_destroy(st);
        return NULL;
    }
    return st;
}

void lh_expr_state_destroy(lh_expr_state_t *st)
{
    if (st == NULL)
        return;
    for (int i = 0; i < st->node_count && st->out; i++) {
        lh_vec_destroy(st->out[i]);
        if (st->lambda_copy)
            lh_vec_destroy(st->lambda_copy[i]);
        lh_batch_destroy(st->sub[i]);
        free(st->idx[i]);
    }
    free(st->out);
    free(st->filled);
    free(st->sub);
    free(st->idx);
    free(st->idx_cap);
    free(st->lambda_copy);
    free(st->lambda.vars);
    free(st->lambda.active);
    free(st);
}

/* The node's output vector, reset with room for rows values. */
lh_err lh_expr_out_vec(lh_expr_state_t *st, const lh_expr_t *e, size_t rows, lh_vec_t **o,
                       lh_errbuf *eb)
{
    LH_ASSERT(e->id >= 0 && e->id < st->node_count);
    lh_vec_t *v = st->out[e->id];
    if (v == NULL && (v = st->out[e->id] = lh_vec_create(e->type, rows ? rows : 1)) == NULL)
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    lh_vec_reset(v);
    LH_FAIL_IF(lh_vec_reserve(v, rows ? rows : 1) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    *o = v;
    return LH_OK;
}

/* Two index arrays (a, b) of at least rows entries for node e. */
static lh_err idx_bufs(lh_expr_state_t *st, const lh_expr_t *e, size_t rows, uint32_t **a,
                       uint32_t **b, lh_errbuf *eb)
{
    if (st->idx_cap[e->id] < rows) {
        free(st->idx[e->id]);
        st->idx[e->id] = malloc(2 * rows * sizeof(uint32_t));
        LH_FAIL_IF(st->idx[e->id] == NULL, LH_E_NOMEM, eb, "out of memory");
        st->idx_cap[e->id] = rows;
    }
    *a = st->idx[e->id];
    *b = st->idx[e->id] + st->idx_cap[e->id];
    return LH_OK;
}

/* Evaluate child c over rows idx[0..n) of in (all rows when n == in->row_count and idx is
 * the identity, signalled by idx NULL). */
static lh_err eval_subset(lh_expr_state_t *st, const lh_expr_t *parent, const lh_expr_t *c,
                          const lh_batch_t *in, const uint32_t *idx, size_t n, const lh_vec_t **out,
                          lh_errbuf *eb)
{
    if (idx == NULL)
        return lh_expr_eval(st, c, in, out, eb);
    lh_batch_t *sb = st->sub[parent->id];
    if (sb != NULL && sb->col_count != in->col_count) {
        lh_batch_destroy(sb);
        sb = st->sub[parent->id] = NULL;
    }
    if (sb == NULL && (sb = st->sub[parent->id] = lh_vecops_batch_like(in, n ? n : 1)) == NULL)
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    LH_FAIL_IF(lh_vecops_batch_gather(sb, in, idx, n) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    lh_expr_lambda_t *l = &st->lambda;
    if (l->active_n == 0)
        return lh_expr_eval(st, c, sb, out, eb);
    /* inside a lambda: its variables follow the rows to the subset */
    const lh_vec_t **saved = calloc((size_t)l->active_n, sizeof *saved);
    lh_vec_t **sub = calloc((size_t)l->active_n, sizeof *sub);
    lh_err e =
        saved && sub ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    int done = 0;
    for (; done < l->active_n && e == LH_OK; done++) {
        int id = l->active[done];
        saved[done] = l->vars[id];
        sub[done] = lh_vec_create(saved[done]->type, n ? n : 1);
        if (sub[done] == NULL || lh_vecops_gather(sub[done], saved[done], idx, n) != LH_OK)
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        else
            l->vars[id] = sub[done];
    }
    if (e == LH_OK)
        e = lh_expr_eval(st, c, sb, out, eb);
    /* the result may borrow strings from the subset variables, freed below: it is copied
     * into the child's slot (kept until the child is evaluated again: the parent's output
     * may borrow from it) */
    for (int k = 0; k < done; k++)
        l->vars[l->active[k]] = saved[k];
    if (e == LH_OK && *out != NULL) {
        lh_vec_t *copy = lh_vec_create(c->type, n ? n : 1);
        if (copy == NULL || lh_vec_append_range(copy, *out, 0, n) != LH_OK) {
            lh_vec_destroy(copy);
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
        } else { /* owned by the child's slot until it is evaluated again */
            lh_vec_destroy(st->lambda_copy[c->id]);
            st->lambda_copy[c->id] = copy;
            *out = copy;
        }
    }
    for (int k = 0; k < done; k++)
        lh_vec_destroy(sub[k]);
    free(saved);
    free(sub);
    return e;
}

static bool valid(const lh_vec_t *v, size_t i)
{
    return v->validity == NULL || ((v->validity[i >> 6] >> (i & 63)) & 1u);
}

static bool bool_at(const lh_vec_t *v, size_t i)
{
    return ((const uint8_t *)v->data)[i] != 0;
}

static lh_err set_bool(lh_vec_t *o, size_t i, int x /* -1 null */)
{
    ((uint8_t *)o->data)[i] = x > 0;
    return x < 0 ? lh_vec_set_null(o, i, true) : LH_OK;
}

static lh_err eval_column(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                          const lh_vec_t **out, lh_errbuf *eb)
{
    LH_FAIL_IF(e->column < 0 || e->column >= in->col_count, LH_E_INTERNAL, eb,
               "column %d out of range (%d columns)", e->column, in->col_count);
    const lh_vec_t *src = in->cols[e->column];
    if (src->kind == LH_VEC_FLAT && src->sel == NULL) {
        *out = src;
        return LH_OK;
    }
    lh_vec_t *o;
    LH_TRY(lh_expr_out_vec(st, e, in->row_count, &o, eb));
    LH_FAIL_IF(lh_vec_append_range(o, src, 0, in->row_count) != LH_OK, LH_E_NOMEM, eb,
               "out of memory");
    *out = o;
    return LH_OK;
}

static lh_err eval_const(lh_expr_state_t *st, const lh_expr_t *e, size_t rows, const lh_vec_t **out,
                         lh_errbuf *eb)
{
    lh_vec_t *o = st->out[e->id];
    if (o != NULL && st->filled[e->id] >= rows) {
        o->count = rows;
        *out = o;
        return LH_OK;
    }
    LH_TRY(lh_expr_out_vec(st, e, rows, &o, eb));
    if (e->value.is_null || e->type.id == LH_TYPE_NULL) {
        LH_FAIL_IF(lh_vecops_fill_null(o, rows) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    } else {
        size_t w = lh_type_width(e->type);
        const void *src = &e->value.v;
        if (e->type.id == LH_TYPE_FLOAT) {
            static _Thread_local float f;
            f = (float)e->value.v.f64;
            src = &f;
        }
        for (size_t i = 0; i < rows; i++) /* little-endian: the low bytes of the union */
            memcpy((char *)o->data + i * w, src, w);
        o->count = rows;
    }
    st->filled[e->id] = rows;
    *out = o;
    return LH_OK;
}

static lh_err eval_call(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                        const lh_vec_t **out, lh_errbuf *eb)
{
    const lh_vec_t *argv[e->arg_count > 0 ? e->arg_count : 1];
    for (int i = 0; i < e->arg_count; i++)
        LH_TRY(lh_expr_eval(st, e->args[i], in, &argv[i], eb));
    lh_vec_t *o;
    LH_TRY(lh_expr_out_vec(st, e, in->row_count, &o, eb));
    lh_func_exec_t x = {.args = argv,
                        .arg_count = e->arg_count,
                        .rows = in->row_count,
                        .out = o,
                        .bind_data = e->bind_data,
                        .conf = st->conf};
    LH_TRY(e->func->exec(&x, eb));
    o->count = in->row_count;
    *out = o;
    return LH_OK;
}

/* AND / OR with three-valued logic; the right side sees only undecided rows. */
static lh_err eval_andor(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                         const lh_vec_t **out, lh_errbuf *eb)
{
    bool is_and = e->kind == LH_EXPR_AND;
    size_t rows = in->row_count;
    const lh_vec_t *l, *r;
    LH_TRY(lh_expr_eval(st, e->args[0], in, &l, eb));
    uint32_t *und, *unused;
    LH_TRY(idx_bufs(st, e, rows, &und, &unused, eb));
    size_t k = 0;
    for (size_t i = 0; i < rows; i++)
        if (!valid(l, i) || bool_at(l, i) == is_and)
            und[k++] = (uint32_t)i;
    if (k > 0)
        LH_TRY(eval_subset(st, e, e->args[1], in, k == rows ? NULL : und, k, &r, eb));
    lh_vec_t *o;
    LH_TRY(lh_expr_out_vec(st, e, rows, &o, eb));
    memset(o->data, is_and ? 0 : 1, rows);
    o->count = rows;
    for (size_t j = 0; j < k; j++) {
        size_t i = und[j];
        int rv = valid(r, j) ? bool_at(r, j) : -1;
        int res;
        if (valid(l, i))
            res = rv; /* left decided nothing: the right side's value */
        else if (rv == (is_and ? 0 : 1))
            res = rv; /* NULL AND false = false, NULL OR true = true */
        else
            res = -1;
        LH_FAIL_IF(set_bool(o, i, res) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    *out = o;
    return LH_OK;
}

static lh_err eval_not_isnull(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                              const lh_vec_t **out, lh_errbuf *eb)
{
    const lh_vec_t *a;
    LH_TRY(lh_expr_eval(st, e->args[0], in, &a, eb));
    lh_vec_t *o;
    LH_TRY(lh_expr_out_vec(st, e, in->row_count, &o, eb));
    uint8_t *d = o->data;
    for (size_t i = 0; i < in->row_count; i++) {
        bool ok = valid(a, i);
        if (e->kind == LH_EXPR_IS_NULL)
            d[i] = !ok;
        else if (e->kind == LH_EXPR_NOT_NULL)
            d[i] = ok;
        else if (ok)
            d[i] = !bool_at(a, i);
        else
            LH_FAIL_IF(set_bool(o, i, -1) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    o->count = in->row_count;
    *out = o;
    return LH_OK;
}

/* out := a flat vector of rows nulls of e's type (CASE without ELSE, COALESCE). */
static lh_err null_out(lh_expr_state_t *st, const lh_expr_t *e, size_t rows, lh_vec_t **o,
                       lh_errbuf *eb)
{
    LH_TRY(lh_expr_out_vec(st, e, rows, o, eb));
    LH_FAIL_IF(lh_vecops_fill_null(*o, rows) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

/* CASE: each WHEN sees the rows no earlier WHEN took; each THEN only its rows. */
static lh_err eval_case(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                        const lh_vec_t **out, lh_errbuf *eb)
{
    size_t rows = in->row_count, left = rows;
    uint32_t *rem, *hit;
    LH_TRY(idx_bufs(st, e, rows, &rem, &hit, eb));
    lh_vec_t *o;
    LH_TRY(null_out(st, e, rows, &o, eb));
    for (size_t i = 0; i < rows; i++)
        rem[i] = (uint32_t)i;
    int pairs = e->arg_count / 2;
    for (int p = 0; p < pairs && left > 0; p++) {
        const lh_vec_t *w, *t;
        LH_TRY(eval_subset(st, e, e->args[2 * p], in, left == rows ? NULL : rem, left, &w, eb));
        size_t nh = 0, nr = 0;
        for (size_t j = 0; j < left; j++) {
            if (valid(w, j) && bool_at(w, j))
                hit[nh++] = rem[j];
            else
                rem[nr++] = rem[j];
        }
        left = nr;
        if (nh == 0)
            continue;
        LH_TRY(eval_subset(st, e, e->args[2 * p + 1], in, nh == rows ? NULL : hit, nh, &t, eb));
        LH_FAIL_IF(lh_vecops_scatter(o, t, hit, nh) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    if ((e->arg_count & 1) && left > 0) {
        const lh_vec_t *t;
        LH_TRY(eval_subset(st, e, e->args[e->arg_count - 1], in, left == rows ? NULL : rem, left,
                           &t, eb));
        LH_FAIL_IF(lh_vecops_scatter(o, t, rem, left) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    *out = o;
    return LH_OK;
}

/* COALESCE: argument k sees only the rows still null after arguments 0..k-1. */
static lh_err eval_coalesce(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                            const lh_vec_t **out, lh_errbuf *eb)
{
    size_t rows = in->row_count, left = rows;
    uint32_t *rem, *next;
    LH_TRY(idx_bufs(st, e, rows, &rem, &next, eb));
    lh_vec_t *o;
    LH_TRY(null_out(st, e, rows, &o, eb));
    for (size_t i = 0; i < rows; i++)
        rem[i] = (uint32_t)i;
    for (int a = 0; a < e->arg_count && left > 0; a++) {
        const lh_vec_t *v;
        LH_TRY(eval_subset(st, e, e->args[a], in, left == rows ? NULL : rem, left, &v, eb));
        LH_FAIL_IF(lh_vecops_scatter(o, v, rem, left) != LH_OK, LH_E_NOMEM, eb, "out of memory");
        size_t nr = 0;
        for (size_t j = 0; j < left; j++)
            if (!valid(v, j))
                rem[nr++] = rem[j];
        left = nr;
    }
    *out = o;
    return LH_OK;
}

/* x IN (list): TRUE on a match; else NULL when x or any list value is NULL; else FALSE. */
static lh_err eval_in(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                      const lh_vec_t **out, lh_errbuf *eb)
{
    size_t rows = in->row_count;
    const lh_vec_t *x, *lst[e->arg_count];
    LH_TRY(lh_expr_eval(st, e->args[0], in, &x, eb));
    for (int a = 1; a < e->arg_count; a++)
        LH_TRY(lh_expr_eval(st, e->args[a], in, &lst[a], eb));
    lh_vec_t *o;
    LH_TRY(lh_expr_out_vec(st, e, rows, &o, eb));
    for (size_t i = 0; i < rows; i++) {
        int res = valid(x, i) ? 0 : -1;
        for (int a = 1; res == 0 && a < e->arg_count; a++) {
            if (!valid(lst[a], i))
                res = -2; /* null seen: NULL unless a later value matches */
            else if (lh_vecops_eq(x, i, lst[a], i))
                res = 1;
        }
        for (int a = 1; res == -2 && a < e->arg_count; a++)
            if (valid(lst[a], i) && lh_vecops_eq(x, i, lst[a], i))
                res = 1;
        LH_FAIL_IF(set_bool(o, i, res < 0 ? -1 : res) != LH_OK, LH_E_NOMEM, eb, "out of memory");
    }
    o->count = rows;
    *out = o;
    return LH_OK;
}

lh_err lh_expr_eval(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                    const lh_vec_t **out, lh_errbuf *eb)
{
    switch (e->kind) {
    case LH_EXPR_COLUMN:
        return eval_column(st, e, in, out, eb);
    case LH_EXPR_CONST:
        return eval_const(st, e, in->row_count, out, eb);
    case LH_EXPR_CALL:
        return eval_call(st, e, in, out, eb);
    case LH_EXPR_AND:
    case LH_EXPR_OR:
        return eval_andor(st, e, in, out, eb);
    case LH_EXPR_NOT:
    case LH_EXPR_IS_NULL:
    case LH_EXPR_NOT_NULL:
        return eval_not_isnull(st, e, in, out, eb);
    case LH_EXPR_CASE:
        return eval_case(st, e, in, out, eb);
    case LH_EXPR_COALESCE:
        return eval_coalesce(st, e, in, out, eb);
    case LH_EXPR_IN:
        return eval_in(st, e, in, out, eb);
    case LH_EXPR_PARAM:
        return lh_sqlerr(eb, "INTERNAL_ERROR", "message",
                         "a statement parameter was not bound before execution", NULL);
    case LH_EXPR_HOF:
        return lh_expr_eval_hof(st, e, in, out, eb);
    case LH_EXPR_LAMBDA_VAR: {
        const lh_expr_lambda_t *l = &st->lambda;
        LH_FAIL_IF(e->lambda_var >= l->cap || l->vars[e->lambda_var] == NULL, LH_E_INTERNAL, eb,
                   "lambda variable %d is not bound", e->lambda_var);
        *out = l->vars[e->lambda_var];
        return LH_OK;
    }
    }
    LH_FAIL(LH_E_INTERNAL, eb, "unknown expression kind %d", (int)e->kind);
}

lh_err lh_expr_select(lh_expr_state_t *st, const lh_expr_t *pred, const lh_batch_t *in,
                      uint32_t *sel, size_t *count, lh_errbuf *eb)
{
    const lh_vec_t *v;
    LH_TRY(lh_expr_eval(st, pred, in, &v, eb));
    size_t k = 0;
    const uint8_t *d = v->data;
    if (v->validity == NULL) {
        for (size_t i = 0; i < in->row_count; i++) {
            sel[k] = (uint32_t)i;
            k += d[i] != 0;
        }
    } else {
        for (size_t i = 0; i < in->row_count; i++) {
            sel[k] = (uint32_t)i;
            k += d[i] != 0 && valid(v, i);
        }
    }
    *count = k;
    return LH_OK;
}
