/*
 * cast.h - CAST / TRY_CAST between every pair of scalar types with Spark 4 ANSI semantics.
 *
 * The registry rows "cast" and "try_cast" take one argument; the binder sets
 * lh_func_bind_t.bind_data to the target lh_type_t (in the arena) before calling bind.
 * The evaluator may also call lh_cast_vec directly (implicit casts the binder inserts).
 * Errors (CAST, ansi): CAST_INVALID_INPUT, CAST_OVERFLOW,
 * NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION with Spark's parameters; TRY_CAST (or a
 * non-ANSI session) returns NULL instead. Thread-safe.
 */
#ifndef LH_COMPUTE_FUNC_CAST_H
#define LH_COMPUTE_FUNC_CAST_H

#include <stdbool.h>

#include "compute/func/func.h"

/* Cast rows [0, rows) of in into out (created with the target type, capacity >= rows);
 * out->count = rows. try_ = TRY_CAST semantics. */
lh_err lh_cast_vec(const lh_vec_t *in, lh_vec_t *out, size_t rows, const lh_sql_conf_t *conf,
                   bool try_, lh_errbuf *eb);
/* Cast one value into row i of out (strings copied into out's heap). */
lh_err lh_cast_row(const lh_value_t *in, lh_vec_t *out, size_t i, const lh_sql_conf_t *conf,
                   bool try_, lh_errbuf *eb);

#endif
