/*
 * bind_generate.h - generators (bind_generate.c; module-internal): LATERAL VIEW and a
 * generator in the SELECT list, both a GENERATE node over the FROM/WHERE plan.
 */
#ifndef LH_COMPUTE_BIND_GENERATE_H
#define LH_COMPUTE_BIND_GENERATE_H

#include "compute/bind/bind_internal.h"

#define BG_COLS_MAX 64

/* The generator row index when e is a call of explode / posexplode / inline (and their
 * _outer forms), else -1. */
int bg_generator(const lh_ast_expr_t *e);
/* Put a GENERATE of call (over *sc) on *plan; its columns (named by aliases when given)
 * join *sc under qualifier (hidden from * when qualifier is NULL: a SELECT-list
 * generator). *first, *count: the generated columns' positions in the new plan. */
lh_err bg_generate(binder *b, const lh_ast_expr_t *call, bool outer, const char *qualifier,
                   const lh_ast_idents_t *aliases, lh_plan_t **plan, scope *sc, int *first,
                   int *count);

/* The steps of bg_generate, for a generator over an aggregate (bound in the SELECT list's
 * context, generated after the aggregation): bind call's argument in x; the generated
 * columns' names and types for an argument of arg_type (at most BG_COLS_MAX); the GENERATE
 * node of an already-bound argument. */
lh_err bg_arg(binder *b, const ectx *x, const lh_ast_expr_t *call, lh_expr_t **arg);
lh_err bg_columns(binder *b, const lh_ast_expr_t *call, lh_type_t arg_type,
                  const lh_ast_idents_t *aliases, int *count, const char **names, lh_type_t *types);
lh_err bg_generate_arg(binder *b, const lh_ast_expr_t *call, lh_expr_t *arg, bool outer,
                       const char *qualifier, const lh_ast_idents_t *aliases, lh_plan_t **plan,
                       scope *sc, int *first, int *count);

#endif
