/*
 * dec.h - 128-bit decimal arithmetic helpers for DECIMAL(p,s) values (unscaled integers).
 *
 * Values are lh_i128 unscaled; a type's precision bounds |v| < 10^p. Rounding is HALF_UP
 * (Spark's Decimal.changePrecision default) unless a function asks for HALF_EVEN.
 */
#ifndef LH_COMPUTE_FUNC_DEC_H
#define LH_COMPUTE_FUNC_DEC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/vec.h"

#define LH_DEC_MAX_PRECISION 38

/* 10^n for 0 <= n <= 38. */
lh_i128 lh_dec_pow10(int n);
/* true when |v| < 10^precision. */
bool lh_dec_fits(lh_i128 v, int precision);
/* Rescale v from scale `from` to scale `to` (rounding HALF_UP, or HALF_EVEN when
 * half_even). false on 128-bit overflow. */
bool lh_dec_rescale(lh_i128 v, int from, int to, bool half_even, lh_i128 *out);
/* Digits of |v| (1 for 0). */
int lh_dec_digits(lh_i128 v);
/* Plain text "-123.45" of an unscaled value at scale s. buf >= 48 bytes. */
size_t lh_dec_format(lh_i128 v, int scale, char *buf, size_t cap);
/* Parse decimal text (optional sign, digits, '.', digits, optional exponent) to an exact
 * unscaled value and its scale (scale may be negative for big exponents). false when not
 * a number or more than 38 significant digits. */
bool lh_dec_parse(const char *s, size_t n, lh_i128 *unscaled, int *scale, int *precision);
/* Round a double to an unscaled decimal at scale s (HALF_UP on its exact decimal
 * expansion, as Java's BigDecimal(Double.toString)). false when out of range. */
bool lh_dec_from_double(double d, int scale, int precision, lh_i128 *out);
double lh_dec_to_double(lh_i128 v, int scale);

typedef enum { LH_DEC_ADD, LH_DEC_SUB, LH_DEC_MUL, LH_DEC_DIV, LH_DEC_MOD, LH_DEC_PMOD } lh_dec_op;
/* a (scale sa) op b (scale sb), computed exactly (256-bit intermediates) and rounded
 * HALF_UP to scale rs, as Spark's BigDecimal arithmetic. Returns 0 with *out set; 1 on an
 * intermediate beyond 256 bits; 2 on division by zero; 3 when the result does not fit
 * precision rp (text, if given, gets the rounded value as Spark prints it in
 * NUMERIC_VALUE_OUT_OF_RANGE). */
int lh_dec_arith(lh_dec_op op, lh_i128 a, int sa, lh_i128 b, int sb, int rs, int rp, lh_i128 *out,
                 char *text, size_t cap);

/* Read/write an unscaled decimal of any precision at row i. */
static inline lh_i128 lh_dec_get(const lh_vec_t *v, size_t i)
{
    return v->type.precision > 18 ? ((const lh_i128 *)v->data)[i]
                                  : (lh_i128)((const int64_t *)v->data)[i];
}
static inline void lh_dec_put(lh_vec_t *v, size_t i, lh_i128 x)
{
    if (v->type.precision > 18)
        ((lh_i128 *)v->data)[i] = x;
    else
        ((int64_t *)v->data)[i] = (int64_t)x;
}

#endif
