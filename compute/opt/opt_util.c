/*
 * opt_util.c - helpers the optimizer's rules share (opt_internal.h).
 */
#include <string.h>

#include "compute/func/func.h"
#include "compute/opt/opt_internal.h"

bool opt_deterministic(const lh_expr_t *e)
{
    if (e->kind == LH_EXPR_CALL && e->func != NULL && !e->func->deterministic)
        return false;
    for (int i = 0; i < e->arg_count; i++)
        if (!opt_deterministic(e->args[i]))
            return false;
    return true;
}

bool opt_is_equality(const lh_expr_t *e, bool *null_safe)
{
    if (e->kind != LH_EXPR_CALL || e->func == NULL || e->arg_count != 2)
        return false;
    const char *n = e->func->name;
    *null_safe = strcmp(n, "<=>") == 0 || strcmp(n, "equal_null") == 0;
    return *null_safe || strcmp(n, "=") == 0 || strcmp(n, "==") == 0 || strcmp(n, "equal") == 0;
}

lh_expr_t *opt_copy_expr(lh_arena_t *a, const lh_expr_t *e, lh_expr_t *const *subst, const int *map,
                         int shift)
{
    if (e->kind == LH_EXPR_COLUMN && subst != NULL)
        return opt_copy_expr(a, subst[e->column], NULL, NULL, 0);
    lh_expr_t *c = lh_arena_alloc(a, sizeof *c);
    *c = *e;
    if (e->kind == LH_EXPR_COLUMN)
        c->column = map != NULL ? map[e->column] : e->column + shift;
    if (e->arg_count > 0) {
        c->args = lh_arena_calloc(a, (size_t)e->arg_count, sizeof *c->args);
        for (int i = 0; i < e->arg_count; i++)
            c->args[i] = opt_copy_expr(a, e->args[i], subst, map, shift);
    }
    return c;
}

void opt_join_add_key(lh_arena_t *a, lh_plan_t *j, lh_expr_t *l, lh_expr_t *r, bool null_safe)
{
    int n = j->u.join.key_count;
    lh_expr_t **lk = lh_arena_calloc(a, (size_t)n + 1, sizeof *lk);
    lh_expr_t **rk = lh_arena_calloc(a, (size_t)n + 1, sizeof *rk);
    bool *ns = lh_arena_calloc(a, (size_t)n + 1, sizeof *ns);
    if (n) {
        memcpy(lk, j->u.join.left_keys, (size_t)n * sizeof *lk);
        memcpy(rk, j->u.join.right_keys, (size_t)n * sizeof *rk);
        if (j->u.join.null_safe != NULL)
            memcpy(ns, j->u.join.null_safe, (size_t)n * sizeof *ns);
    }
    lk[n] = l;
    rk[n] = r;
    ns[n] = null_safe;
    j->u.join.left_keys = lk;
    j->u.join.right_keys = rk;
    j->u.join.null_safe = ns;
    j->u.join.key_count = n + 1;
}

lh_expr_t *opt_and(lh_arena_t *a, lh_expr_t *e, lh_expr_t *f)
{
    if (e == NULL)
        return f;
    lh_expr_t *args[2] = {e, f};
    return lh_expr_node(a, LH_EXPR_AND, e->type, e->nullable || f->nullable, 2, args, "and");
}
