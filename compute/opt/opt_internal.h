/*
 * opt_internal.h - helpers the optimizer's rules share (opt_util.c); not for outside opt/.
 */
#ifndef LH_COMPUTE_OPT_INTERNAL_H
#define LH_COMPUTE_OPT_INTERNAL_H

#include "compute/plan/plan.h"

/* No call in e is non-deterministic (rand, uuid, current_timestamp). */
bool opt_deterministic(const lh_expr_t *e);
/* e is `a = b` (or ==, equal), or `a <=> b` / equal_null (*null_safe true). */
bool opt_is_equality(const lh_expr_t *e, bool *null_safe);
/* A copy of e in the arena where column c reads subst[c] (a copy of it) when subst is
 * given, else column map[c] when map is given, else column c + shift. */
lh_expr_t *opt_copy_expr(lh_arena_t *a, const lh_expr_t *e, lh_expr_t *const *subst, const int *map,
                         int shift);
/* Append the equi-join key (l, r) to join j (keys, right keys, null-safe flags). */
void opt_join_add_key(lh_arena_t *a, lh_plan_t *j, lh_expr_t *l, lh_expr_t *r, bool null_safe);
/* e AND f (f when e is NULL). */
lh_expr_t *opt_and(lh_arena_t *a, lh_expr_t *e, lh_expr_t *f);

#endif
