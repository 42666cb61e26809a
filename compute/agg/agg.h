/*
 * agg.h - aggregate functions (compute/agg/): rows of data like scalar functions (func.h), with a
 * fixed size state per group that the hash aggregate lays out in its own memory.
 *
 * The hash aggregate (compute/exec/hash_agg.c) gives update one state pointer per input
 * row (the row's group), so one call updates many groups with a typed loop ("scatter
 * update"); combine merges two partial states of one group (per-thread partials, then the
 * merge); finalize writes one value per state. States that own heap memory (collect_list,
 * percentile) free it in destroy. DISTINCT aggregates are handled by the operator
 * (deduplicating per group before update); FILTER (WHERE ...) likewise (rows whose filter
 * is not TRUE are not passed). Thread-safety: bind_data read-only; each state belongs to
 * one thread until combine.
 */
#ifndef LH_COMPUTE_AGG_H
#define LH_COMPUTE_AGG_H

#include <stddef.h>

#include "compute/func/func.h"

/* The grouping-set id pseudo-aggregate (agg_basic.c; filled in by the hash aggregate). */
#define LH_AGG_GROUPING_ID "spark_grouping_id"

typedef struct lh_agg_func {
    const char *name;       /* lower case */
    int min_args, max_args; /* max_args -1 = variadic (count) */
    /* Same contract as scalar bind (ret_type, cast_to, bind_data). */
    lh_err (*bind)(lh_func_bind_t *b, lh_errbuf *eb);
    size_t (*state_size)(const void *bind_data);
    void (*init)(const void *bind_data, void *state);
    /* For i < rows: fold args' row i into states[i] (nulls as the function defines:
     * most aggregates skip them; count(*) has no args). */
    lh_err (*update)(const void *bind_data, void **states, const lh_vec_t *const *args, size_t rows,
                     lh_errbuf *eb);
    /* dst := dst (+) src, both of one group. */
    void (*combine)(const void *bind_data, void *dst, const void *src);
    /* out gets one value per state, appended in order (out created with ret_type). */
    lh_err (*finalize)(const void *bind_data, void *const *states, size_t count, lh_vec_t *out,
                       lh_errbuf *eb);
    void (*destroy)(const void *bind_data, void *state); /* NULL when states own nothing */
    bool order_sensitive; /* first/last/collect_list: results depend on input order */
} lh_agg_func_t;

/* The row for a name (case-insensitive; aliases are rows of their own: every, any, some,
 * std, stddev, variance, median ...), or NULL. */
const lh_agg_func_t *lh_agg_find(const char *name);
/* Every row, for SHOW FUNCTIONS: rows 0..lh_agg_count()-1. (Replaces lh_agg_all: the
 * rows live in several tables, one per file.) */
int lh_agg_count(void);
const lh_agg_func_t *lh_agg_row(int i);

/* Error classes the aggregates raise: ARITHMETIC_OVERFLOW (integral sum past BIGINT,
 * decimal sum past its precision, in ANSI mode; NULL otherwise), INVALID_PARAMETER_VALUE
 * style DATATYPE_MISMATCH at bind for wrong argument types. */

#endif
