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
    LH_EXPR_COLUMN,     /* column: input column index */
    LH_EXPR_CONST,      /* value (its type is type) */
    LH_EXPR_CALL,       /* func(args) with bind_data */
    LH_EXPR_AND,        /* args[0] AND args[1] */
    LH_EXPR_OR,         /* args[0] OR args[1] */
    LH_EXPR_NOT,        /* NOT args[0] */
    LH_EXPR_IS_NULL,    /* args[0] IS NULL */
    LH_EXPR_NOT_NULL,   /* args[0] IS NOT NULL */
    LH_EXPR_CASE,       /* args: when0, then0, when1, then1, ..., [else] (odd count = else) */
    LH_EXPR_COALESCE,   /* first non-null of args */
    LH_EXPR_IN,         /* args[0] IN (args[1..]); all args already of one comparable type */
    LH_EXPR_PARAM,      /* a statement parameter (:name / ?), replaced by CONST before run */
    LH_EXPR_HOF,        /* a higher-order function (column: its lh_hof_kind): args = the
                           collections (aggregate: the array, then the initial value), then
                           the lambda bodies; lambda_var: the id of its first lambda variable,
                           lambda_n: how many its first lambda takes (expr_hof.c) */
    LH_EXPR_LAMBDA_VAR, /* a lambda variable of an enclosing HOF (lambda_var: its id) */
} lh_expr_kind;

typedef enum lh_hof_kind {
    LH_HOF_TRANSFORM,        /* (arr, x [, i] -> f): array of f */
    LH_HOF_FILTER,           /* (arr, x [, i] -> p): the elements where p */
    LH_HOF_EXISTS,           /* (arr, x -> p): any p (three-valued) */
    LH_HOF_FORALL,           /* (arr, x -> p): every p (three-valued) */
    LH_HOF_AGGREGATE,        /* (arr, init, (acc, x) -> merge [, acc -> finish]) */
    LH_HOF_ZIP_WITH,         /* (a, b, (x, y) -> f): to the longer length, NULL past an end */
    LH_HOF_MAP_FILTER,       /* (m, (k, v) -> p) */
    LH_HOF_TRANSFORM_KEYS,   /* (m, (k, v) -> f) */
    LH_HOF_TRANSFORM_VALUES, /* (m, (k, v) -> f) */
    LH_HOF_MAP_ZIP_WITH,     /* (m1, m2, (k, v1, v2) -> f): over the union of the keys */
    LH_HOF_ARRAY_SORT,       /* (arr, (l, r) -> cmp): sorted by the comparator (stable) */
} lh_hof_kind;

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
    int lambda_var;   /* HOF, LAMBDA_VAR (see their kinds) */
    int lambda_n;
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
/* A cast of e to type (no node when e already has it); try = TRY_CAST. The cast is a
 * CALL of the registry's "cast" (or "try_cast") row, looked up with lh_func_find at bind
 * time (INTERNAL_ERROR naming the missing function when the registry has none), with one
 * argument, e; the target type is the bind_data the row's bind starts from (func.h's
 * convention). lh_expr_call does not insert casts around the argument of a cast row. */
lh_err lh_expr_cast(lh_arena_t *a, lh_expr_t *e, lh_type_t type, bool try_cast,
                    const lh_sql_conf_t *conf, lh_expr_t **out, lh_errbuf *eb);

/* Whether e has no column reference and only deterministic calls (foldable). */
bool lh_expr_is_foldable(const lh_expr_t *e);
/* Evaluate a foldable expression once (constant folding, LIMIT values, VALUES rows). */
lh_err lh_expr_fold(lh_arena_t *a, const lh_expr_t *e, const lh_sql_conf_t *conf, lh_value_t *out,
                    lh_errbuf *eb);

/* Number the nodes of a set of trees (ids for scratch); returns the node count. NULL roots
 * are skipped. Numbering writes the nodes: the executor numbers private copies of each
 * operator's trees, on one thread, before its workers start, so plans may share nodes
 * between operators. Not thread-safe on a tree others are numbering or evaluating. */
int lh_expr_number(lh_expr_t **roots, int count);

/* Per-thread evaluation scratch for a numbered set of trees (one output vector per node,
 * reused batch after batch: no malloc per batch once warm). */
typedef struct lh_expr_state lh_expr_state_t;
lh_expr_state_t *lh_expr_state_create(int node_count, const lh_sql_conf_t *conf);
void lh_expr_state_destroy(lh_expr_state_t *st);

/* Evaluate e over the rows of in (in->row_count rows; vectors of any kind: a column that
 * is not flat or carries a selection is flattened into scratch). *out is flat, owned by st
 * and valid until the next evaluation of the same node; its strings may point into in's
 * memory. Runtime errors are Spark's classes (DIVIDE_BY_ZERO ...). Evaluating a foldable
 * tree over a batch of 0 columns and row_count rows is allowed (VALUES, folding). */
lh_err lh_expr_eval(lh_expr_state_t *st, const lh_expr_t *e, const lh_batch_t *in,
                    const lh_vec_t **out, lh_errbuf *eb);
/* Evaluate a BOOLEAN predicate into a selection: the indices of rows where it is TRUE
 * (null and false drop the row). Returns the count; sel has room for in->row_count. */
lh_err lh_expr_select(lh_expr_state_t *st, const lh_expr_t *pred, const lh_batch_t *in,
                      uint32_t *sel, size_t *count, lh_errbuf *eb);

/* Row helpers shared with the operators (gather, scatter, compare, key encoding) are in
 * compute/expr/vecops.h. */

#endif
