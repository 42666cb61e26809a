/*
 * expr.h - bound expressions: what the binder produces from the AST and the executor
 * evaluates, one whole batch at a time (a tree walk per batch, typed loops per node; never
 * a walk per row).
 *
 * A bound expression is immutable once built (arena-allocated with its plan) and shared by
 * every thread that runs the query; per-thread scratch lives in an lh_expr_state_t.
 * Column references are positions in the operator's input batch (for a join, the left
 * input's columns then the right's). Every node carries its result type and nullability.
 *
 * Semantics the evaluator owns (not the function registry), because they decide which
 * rows an argument is evaluated for:
 *   AND / OR       SQL three-valued logic; the right side is evaluated only for rows the
 *                  left side has not decided, so `x <> 0 AND 1/x > 2` never divides by 0;
 *   CASE / IF      each branch is evaluated only for the rows that reach it;
 *   COALESCE, NVL  later arguments only for rows still null;
 *   IN (list)      with Spark's null semantics (x IN (1, NULL) is NULL when not found).
 * Everything else is a CALL of a compute/func row (operators, casts included).
 */
#ifndef LH_COMPUTE_EXPR_H
#define LH_COMPUTE_EXPR_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/err.h"
#include "common/vec.h"
#include "compute/func/func.h"

typedef enum lh_expr_kind {
    LH_EXPR_COLUMN,   /* column: input column index */
    LH_EXPR_CONST,    /* value (its type is type) */
    LH_EXPR_CALL,     /* func(args) with bind_data */
    LH_EXPR_AND,      /* args[0] AND args[1] */
    LH_EXPR_OR,       /* args[0] OR args[1] */
    LH_EXPR_NOT,      /* NOT args[0] */
    LH_EXPR_IS_NULL,  /* args[0] IS NULL */
    LH_EXPR_NOT_NULL, /* args[0] IS NOT NULL */
    LH_EXPR_CASE,     /* args: when0, then0, when1, then1, ..., [else] (odd count = else) */
    LH_EXPR_COALESCE, /* first non-null of args */
    LH_EXPR_IN,       /* args[0] IN (args[1..]); all args already of one comparable type */
    LH_EXPR_PARAM,    /* a statement parameter (:name / ?), replaced by CONST before run */
} lh_expr_kind;

typedef struct lh_expr {
    lh_expr_kind kind;
    lh_type_t type;
    bool nullable;
    int id;                /* 0..n-1 within its tree set (lh_expr_number), for scratch */
    int column;            /* COLUMN */
    lh_value_t value;      /* CONST (strings point into the plan's arena) */
    const lh_func_t *func; /* CALL */
    void *bind_data;       /* CALL: from func->bind */
    int arg_count;
    struct lh_expr **args;
    const char *name; /* the column header Spark would print for it ("sum(x)", "(a + 1)") */
} lh_expr_t;

/* Constructors (arena-allocated; never fail: the arena aborts on OOM). */
lh_expr_t *lh_expr_column(lh_arena_t *a, int column, lh_type_t type, bool nullable,
                          const char *name);
lh_expr_t *lh_expr_const(lh_arena_t *a, const lh_value_t *v, const char *name);
lh_expr_t *lh_expr_node(lh_arena_t *a, lh_expr_kind kind, lh_type_t type, bool nullable, int argc,
                        lh_expr_t *const *args, const char *name);
/* Bind func over args (runs func->bind, then wraps args needing an implicit cast in a
 * "cast" CALL). Errors are the function's (Spark classes). */
lh_err lh_expr_call(lh_arena_t *a, const lh_func_t *func, int argc, lh_expr_t *const *args,
                    const lh_sql_conf_t *conf, const char *name, lh_expr_t **out, lh_errbuf *eb);
/* A cast of e to type (no node when e already has it); try = TRY_CAST. */
lh_err lh_expr_cast(lh_arena_t *a, lh_expr_t *e, lh_type_t type, bool try_cast,
                    const lh_sql_conf_t *conf, lh_expr_t **out, lh_errbuf *eb);

/* Whether e has no column reference and only deterministic calls (foldable). */
bool lh_expr_is_foldable(const lh_expr_t *e);
/* Evaluate a foldable expression once (constant folding, LIMIT values, VALUES rows). */
lh_err lh_expr_fold(lh_arena_t *a, const lh_expr_t *e, const lh_sql_conf_t *conf, lh_value_t *out,
                    lh_errbuf *eb);

/* Number the nodes of a set of trees (ids for scratch); returns the node count. */
int lh_expr_number(lh_expr_t **roots, int count);

/* Per-thread evaluation scratch for a numbered set of trees (one output vector per node,
 * reused batch after batch: no malloc per batch once warm). */
typedef struct lh_expr_state lh_expr_state_t;
lh_expr_state_t *lh_expr_state_create(int node_count, const lh_sql_conf_t *conf);
void lh_expr_state_destroy(lh_expr_state_t *st);

/* Evaluate e over the rows of in (flat vectors, in->row_count rows). *out is owned by st
 * and valid until the next evaluation of the same node. Runtime errors are Spark's
 * classes (DIVIDE_BY_ZERO ...). */
lh_err lh_expr_eval(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                    const lh_vec_t **out, lh_errbuf *eb);
/* Evaluate a BOOLEAN predicate into a selection: the indices of rows where it is TRUE
 * (null and false drop the row). Returns the count; sel has room for in->row_count. */
lh_err lh_expr_select(lh_expr_state_t *st, const lh_expr_t *pred, const lh_batch_t *in,
                      uint32_t *sel, size_t *count, lh_errbuf *eb);

#endif
