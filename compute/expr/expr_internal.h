/*
 * expr_internal.h - what the evaluator (expr_eval.c) shares with the higher-order
 * functions (expr_hof.c): a node's output vector and the lambda variables bound now.
 */
#ifndef LH_COMPUTE_EXPR_INTERNAL_H
#define LH_COMPUTE_EXPR_INTERNAL_H

#include "compute/expr/expr.h"

/* Lambda variables by id: vars[id] is the vector (aligned with the batch being evaluated)
 * of each variable bound now; active lists their ids (to realign them for a nested HOF). */
typedef struct lh_expr_lambda {
    const lh_vec_t **vars;
    int cap;
    int *active;
    int active_n, active_cap;
} lh_expr_lambda_t;

lh_expr_lambda_t *lh_expr_state_lambda(lh_expr_state_t *st);
lh_err lh_expr_out_vec(lh_expr_state_t *st, const lh_expr_t *e, size_t rows, lh_vec_t **o,
                       lh_errbuf *eb);
lh_err lh_expr_eval_hof(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                        const lh_vec_t **out, lh_errbuf *eb);

#endif
