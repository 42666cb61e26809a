/*
 * coerce.h - Spark's type coercion rules (ANSI mode) as functions the binder calls.
 *
 * lh_type_common: the type two operands of a comparison, IN, CASE branch, UNION column or
 * COALESCE argument are brought to: numeric widening (TINYINT < SMALLINT < INT < BIGINT <
 * FLOAT < DOUBLE; integral with DECIMAL widens the decimal; DECIMAL with FLOAT/DOUBLE is
 * DOUBLE), decimal widening (scale max, integer digits max, capped at 38), STRING against
 * a number/date/timestamp/boolean/binary takes the other type (Spark ANSI casts the string;
 * beside a DECIMAL both sides compare as DOUBLE),
 * DATE with TIMESTAMP is TIMESTAMP, TIMESTAMP_NTZ with TIMESTAMP is TIMESTAMP, NULL takes
 * the other type. false when no common type exists (DATATYPE_MISMATCH for the binder).
 *
 * Decimal arithmetic result types are Spark's DecimalPrecision: with allowPrecisionLoss
 * (the default) a result wider than 38 digits keeps its integer digits and at least
 * min(scale, 6) fraction digits; without it (exact) the type is only bounded to 38 (a
 * division splits what is over between both sides). Integer operands count as
 * DECIMAL(3|5|10|20, 0) (an integer literal beside a decimal as the digits it has: the
 * binder's caller passes that type).
 */
#ifndef LH_COMPUTE_FUNC_COERCE_H
#define LH_COMPUTE_FUNC_COERCE_H

#include <stdbool.h>

#include "common/vec.h"

typedef enum { LH_ARITH_ADD, LH_ARITH_SUB, LH_ARITH_MUL, LH_ARITH_DIV, LH_ARITH_MOD } lh_arith_op;

bool lh_type_is_integral(lh_type_id id); /* BYTE..LONG */
bool lh_type_is_numeric(lh_type_id id);  /* integral, FLOAT, DOUBLE, DECIMAL */
bool lh_type_is_datetime(lh_type_id id); /* DATE, TIMESTAMP, TIMESTAMP_NTZ */
bool lh_type_is_interval(lh_type_id id);
/* The DECIMAL an integral type widens to (TINYINT -> DECIMAL(3,0) ...); a DECIMAL as is. */
lh_type_t lh_type_as_decimal(lh_type_t t);
/* DECIMAL(p,s) bounded to 38 digits (scale kept up to 38). */
lh_type_t lh_type_decimal(int precision, int scale);

bool lh_type_common(lh_type_t a, lh_type_t b, lh_type_t *out);
/* Whether CAST(from AS to) is allowed (ansi: Spark's Cast.canAnsiCast, else canCast). */
bool lh_type_can_cast(lh_type_t from, lh_type_t to, bool ansi);
/* Result type of a op b for two DECIMAL (or integral-as-decimal) operands. */
lh_type_t lh_type_decimal_result(lh_arith_op op, lh_type_t a, lh_type_t b, bool exact);

#endif
