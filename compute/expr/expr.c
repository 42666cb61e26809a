/*
 * expr.c - bound expression construction (constructors, binding a function call with its
 * implicit casts), numbering, and constant folding. The evaluator is expr_eval.c.
 *
 * Binding calls and casts is expr_bind.c.
 */
#include "compute/expr/expr.h"

#include <string.h>

lh_expr_t *lh_expr_column(lh_arena_t *a, int column, lh_type_t type, bool nullable,
                          const char *name)
{
    lh_expr_t *e = lh_arena_calloc(a, 1, sizeof *e);
    e->kind = LH_EXPR_COLUMN;
    e->column = column;
    e->type = type;
    e->nullable = nullable;
    e->name = name;
    return e;
}

/* A copy of v whose string bytes live in the arena. */
static lh_value_t value_in_arena(lh_arena_t *a, const lh_value_t *v)
{
    lh_value_t c = *v;
    if (!v->is_null && (lh_type_is_bytes(v->type))) {
        uint8_t *p = lh_arena_alloc(a, v->v.str.len + 1);
        if (v->v.str.len)
            memcpy(p, v->v.str.ptr, v->v.str.len);
        p[v->v.str.len] = 0;
        c.v.str.ptr = p;
    }
    return c;
}

lh_expr_t *lh_expr_const(lh_arena_t *a, const lh_value_t *v, const char *name)
{
    lh_expr_t *e = lh_arena_calloc(a, 1, sizeof *e);
    e->kind = LH_EXPR_CONST;
    e->value = value_in_arena(a, v);
    e->type = v->type;
    e->nullable = v->is_null;
    e->name = name;
    return e;
}

lh_expr_t *lh_expr_node(lh_arena_t *a, lh_expr_kind kind, lh_type_t type, bool nullable, int argc,
                        lh_expr_t *const *args, const char *name)
{
    lh_expr_t *e = lh_arena_calloc(a, 1, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->nullable = nullable;
    e->arg_count = argc;
    e->args = lh_arena_calloc(a, (size_t)argc + 1, sizeof *e->args);
    for (int i = 0; i < argc; i++)
        e->args[i] = args[i];
    e->name = name;
    return e;
}

bool lh_expr_is_foldable(const lh_expr_t *e)
{
    if (e->kind == LH_EXPR_COLUMN || e->kind == LH_EXPR_PARAM || e->kind == LH_EXPR_LAMBDA_VAR)
        return false;
    if (e->kind == LH_EXPR_CALL && !e->func->deterministic)
        return false;
    for (int i = 0; i < e->arg_count; i++)
        if (!lh_expr_is_foldable(e->args[i]))
            return false;
    return true;
}

static int number(lh_expr_t *e, int next)
{
    e->id = next++;
    for (int i = 0; i < e->arg_count; i++)
        next = number(e->args[i], next);
    return next;
}

int lh_expr_number(lh_expr_t **roots, int count)
{
    int n = 0;
    for (int i = 0; i < count; i++)
        if (roots[i] != NULL)
            n = number(roots[i], n);
    return n;
}

lh_err lh_expr_fold(lh_arena_t *a, const lh_expr_t *e, const lh_sql_conf_t *conf, lh_value_t *out,
                    lh_errbuf *eb)
{
    LH_FAIL_IF(!lh_expr_is_foldable(e), LH_E_INVALID, eb, "expression is not foldable");
    if (e->kind == LH_EXPR_CONST) {
        *out = e->value;
        return LH_OK;
    }
    lh_expr_t *root = (lh_expr_t *)e; /* numbering writes ids only */
    int n = lh_expr_number(&root, 1);
    lh_expr_state_t *st = lh_expr_state_create(n, conf);
    LH_FAIL_IF(st == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_batch_t in = {.col_count = 0, .cols = NULL, .row_count = 1};
    const lh_vec_t *v;
    lh_err err = lh_expr_eval(st, e, &in, &v, eb);
    if (err == LH_OK) {
        lh_value_t tmp;
        lh_vec_get_value(v, 0, &tmp);
        tmp.type = e->type;
        tmp.is_null = !lh_vec_is_valid(v, 0);
        *out = value_in_arena(a, &tmp);
    }
    lh_expr_state_destroy(st);
    return err;
}
