/*
 * generate.c - the generate operator (LATERAL VIEW and generators in the SELECT list):
 * each input row repeated once per element of its ARRAY (or entry of its MAP), the child's
 * columns followed by the generated ones: explode (col, or key and value), posexplode (pos
 * first), inline (the fields of an array of structs). OUTER turns a NULL or empty
 * collection into one row of NULLs instead of none.
 *
 * Streaming: per input batch the generator expression is evaluated once; output rows are
 * gathered into the worker's batch (child columns by row index, strings still in the
 * input's memory) and pushed whenever it holds LH_BATCH_ROWS rows.
 */
#include <stdlib.h>

#include "common/nested.h"
#include "compute/exec/exec_internal.h"

typedef struct generate {
    lh_expr_t *expr;
    int node_count;
    lh_gen_kind kind;
    bool outer;
    int child_cols; /* the generated columns follow */
} generate;

typedef struct generate_local {
    exec_eval ev;
    lh_batch_t *out;
    uint32_t *idx; /* input row of each output row */
    lh_batch_t *child;
} generate_local;

static lh_err append_value(lh_vec_t *v, const lh_value_t *x)
{
    if (lh_type_is_bytes(v->type))
        return lh_vec_append_str(v, x->v.str.ptr, x->v.str.len);
    switch (v->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return lh_vec_append_f64(v, x->v.f64);
    case LH_TYPE_BOOLEAN:
        return lh_vec_append_bool(v, x->v.i64 != 0);
    case LH_TYPE_NULL:
        return lh_vec_append_null(v);
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18)
            return lh_vec_append_i128(v, x->v.i128);
        /* fall through */
    default:
        return lh_vec_append_i64(v, x->v.i64);
    }
}

/* Gather the child columns of the n rows so far and push the batch. */
static lh_err flush(exec_op *op, generate_local *l, const lh_batch_t *in, size_t n, exec_thread *t,
                    lh_errbuf *eb)
{
    generate *g = op->data;
    if (n == 0)
        return LH_OK;
    for (int c = 0; c < g->child_cols; c++)
        LH_FAIL_IF(lh_vecops_gather(l->out->cols[c], in->cols[c], l->idx, n) != LH_OK, LH_E_NOMEM,
                   eb, "out of memory");
    l->out->row_count = n;
    lh_err e = exec_push(t, op->stage, l->out, eb);
    for (int c = g->child_cols; c < l->out->col_count; c++)
        lh_vec_reset(l->out->cols[c]);
    return e;
}

/* Append one generated row's values (elem NULL: an OUTER row of NULLs). */
static lh_err put_row(generate *g, generate_local *l, const lh_type_t coll, uint32_t pos,
                      const lh_value_t *elem, const lh_value_t *value)
{
    lh_vec_t **cols = l->out->cols + g->child_cols;
    int k = 0;
    if (g->kind == LH_GEN_POSEXPLODE) {
        LH_TRY(elem ? lh_vec_append_i64(cols[k], pos) : lh_vec_append_null(cols[k]));
        k++;
    }
    if (g->kind == LH_GEN_INLINE) {
        lh_type_t st = coll.nested->elem;
        for (int f = 0; f < st.nested->field_count; f++) {
            lh_value_t fv = {.is_null = true};
            if (elem && !elem->is_null)
                lh_nstruct_get(st, elem->v.str, f, &fv);
            LH_TRY(fv.is_null ? lh_vec_append_null(cols[k + f]) : append_value(cols[k + f], &fv));
        }
        return LH_OK;
    }
    LH_TRY(!elem || elem->is_null ? lh_vec_append_null(cols[k]) : append_value(cols[k], elem));
    if (coll.id == LH_TYPE_MAP)
        LH_TRY(!value || value->is_null ? lh_vec_append_null(cols[k + 1])
                                        : append_value(cols[k + 1], value));
    return LH_OK;
}

static lh_err generate_process(exec_op *op, void *local, const lh_batch_t *in, exec_thread *t,
                               lh_errbuf *eb)
{
    generate *g = op->data;
    generate_local *l = local;
    LH_TRY(exec_eval_run(&l->ev, in, eb));
    const lh_vec_t *v = l->ev.vals[0];
    size_t n = 0;
    for (size_t r = 0; r < in->row_count; r++) {
        lh_narray_t a = {0}, vals = {0};
        bool null = v->type.id == LH_TYPE_NULL || !lh_vec_is_valid(v, r);
        if (!null && v->type.id == LH_TYPE_MAP)
            lh_nmap_open(v->type, ((const lh_sv_t *)v->data)[r], &a, &vals);
        else if (!null)
            lh_narray_open(v->type.nested->elem, ((const lh_sv_t *)v->data)[r], &a);
        uint32_t count = null ? 0 : a.count;
        for (uint32_t k = 0; k < (count ? count : (g->outer ? 1u : 0u)); k++) {
            if (n == LH_BATCH_ROWS) {
                LH_TRY(flush(op, l, in, n, t, eb));
                n = 0;
            }
            l->idx[n++] = (uint32_t)r;
            lh_value_t e, x;
            if (count == 0) {
                LH_FAIL_IF(put_row(g, l, v->type, 0, NULL, NULL) != LH_OK, LH_E_NOMEM, eb,
                           "out of memory");
                continue;
            }
            lh_narray_get(&a, k, &e);
            if (v->type.id == LH_TYPE_MAP)
                lh_narray_get(&vals, k, &x);
            LH_FAIL_IF(put_row(g, l, v->type, k, &e, v->type.id == LH_TYPE_MAP ? &x : NULL) !=
                           LH_OK,
                       LH_E_NOMEM, eb, "out of memory");
        }
    }
    return flush(op, l, in, n, t, eb);
}

static void *generate_local_new(exec_op *op)
{
    generate *g = op->data;
    generate_local *l = calloc(1, sizeof *l);
    lh_errbuf eb;
    if (l == NULL)
        return NULL;
    l->out = lh_vecops_batch_new(op->plan->col_count, op->plan->col_types, LH_BATCH_ROWS);
    l->idx = malloc(LH_BATCH_ROWS * sizeof *l->idx);
    if (l->out == NULL || l->idx == NULL ||
        exec_eval_init(&l->ev, op->q, &g->expr, 1, g->node_count, &eb) != LH_OK) {
        exec_eval_free(&l->ev);
        lh_batch_destroy(l->out);
        free(l->idx);
        free(l);
        return NULL;
    }
    return l;
}

static void generate_local_free(exec_op *op, void *local)
{
    (void)op;
    generate_local *l = local;
    exec_eval_free(&l->ev);
    lh_batch_destroy(l->out);
    free(l->idx);
    free(l);
}

static void generate_free(exec_op *op)
{
    free(op->data);
}

static const exec_op_vt generate_vt = {
    .name = "generate",
    .process = generate_process,
    .local_new = generate_local_new,
    .local_free = generate_local_free,
    .free = generate_free,
};

lh_err exec_generate_new(exec_query *q, const lh_plan_t *p, exec_op **out, lh_errbuf *eb)
{
    generate *g = calloc(1, sizeof *g);
    LH_FAIL_IF(g == NULL, LH_E_NOMEM, eb, "out of memory");
    g->expr = p->u.generate.expr;
    g->kind = p->u.generate.kind;
    g->outer = p->u.generate.outer;
    g->child_cols = p->children[0]->col_count;
    g->node_count = exec_number(q, &g->expr, 1);
    *out = exec_op_new(q, &generate_vt, p, g);
    return LH_OK;
}
