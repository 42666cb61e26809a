/*
 * bitwise.c - Spark's bitwise functions: the operators & | ^ (bitand, bitor, bitxor) and
 * ~ (bitnot), shiftleft / shiftright / shiftrightunsigned (<< >> >>>), bit_count.
 *
 * Types follow Spark: & | ^ take two integral operands widened to their common type, which
 * is the result's; ~ keeps its operand's type. The shifts take an INT or BIGINT base (TINYINT
 * and SMALLINT widen to INT) and an INT count, with Java's semantics: the count is taken
 * modulo the base's width (32 or 64) and >>> shifts zeros in. bit_count counts the set bits
 * of the value sign-extended to 64 bits (bit_count(-1) = 64, as Spark's Long.bitCount), and
 * of a BOOLEAN as 1 or 0; it answers INT. bit_get/getbit(x, pos) is bit pos (0 = lowest) of
 * an integral x as a TINYINT (pos outside the type's width raises
 * INVALID_PARAMETER_VALUE.BIT_POSITION_RANGE). The bitmap helpers map a BIGINT to its
 * bucket (bitmap_bucket_number) and position in it (bitmap_bit_position) for buckets of
 * 32768 bits, and bitmap_count counts the set bits of a BINARY bitmap (Spark's
 * BitmapExpressionUtils).
 */
#include <stdio.h>

#include "compute/func/coerce.h"
#include "compute/func/fn.h"

typedef enum { OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHR, OP_USHR } bit_op;

static bool integral_or_null(lh_type_t t)
{
    return t.id == LH_TYPE_NULL || lh_type_is_integral(t.id);
}

static lh_err bind_logic(lh_func_bind_t *b, const char *name, lh_errbuf *eb)
{
    for (int i = 0; i < 2; i++)
        if (!integral_or_null(b->arg_types[i]))
            return fn_bad_input(b, eb, name, i, "\"INTEGRAL\"");
    lh_type_t a = b->arg_types[0], c = b->arg_types[1];
    lh_type_t t = a.id == LH_TYPE_NULL ? c : c.id == LH_TYPE_NULL ? a : a.id > c.id ? a : c;
    if (t.id == LH_TYPE_NULL)
        t = fn_type(LH_TYPE_INT);
    b->cast_to[0] = b->cast_to[1] = b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err b_and(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->bind_data = (void *)(intptr_t)OP_AND;
    return bind_logic(b, "&", eb);
}

static lh_err b_or(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->bind_data = (void *)(intptr_t)OP_OR;
    return bind_logic(b, "|", eb);
}

static lh_err b_xor(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->bind_data = (void *)(intptr_t)OP_XOR;
    return bind_logic(b, "^", eb);
}

static lh_err bind_shift(lh_func_bind_t *b, bit_op op, const char *name, lh_errbuf *eb)
{
    for (int i = 0; i < 2; i++)
        if (!integral_or_null(b->arg_types[i]) || (i == 1 && b->arg_types[1].id == LH_TYPE_LONG))
            return fn_bad_input(b, eb, name, i, i == 0 ? "(\"INT\" or \"BIGINT\")" : "\"INT\"");
    lh_type_t t = b->arg_types[0].id == LH_TYPE_LONG ? fn_type(LH_TYPE_LONG) : fn_type(LH_TYPE_INT);
    b->cast_to[0] = b->ret_type = t;
    b->cast_to[1] = fn_type(LH_TYPE_INT);
    b->ret_nullable = true;
    b->bind_data = (void *)(intptr_t)op;
    return LH_OK;
}

static lh_err b_shl(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_shift(b, OP_SHL, "shiftleft", eb);
}

static lh_err b_shr(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_shift(b, OP_SHR, "shiftright", eb);
}

static lh_err b_ushr(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_shift(b, OP_USHR, "shiftrightunsigned", eb);
}

/* x op y in the result type's width (64 or 32 bits for shifts). */
static int64_t apply(bit_op op, bool wide, int64_t x, int64_t y)
{
    switch (op) {
    case OP_AND:
        return x & y;
    case OP_OR:
        return x | y;
    case OP_XOR:
        return x ^ y;
    case OP_SHL:
        return wide ? (int64_t)((uint64_t)x << (y & 63))
                    : (int32_t)((uint32_t)(int32_t)x << (y & 31));
    case OP_SHR:
        return wide ? x >> (y & 63) : (int32_t)x >> (y & 31);
    default:
        return wide ? (int64_t)((uint64_t)x >> (y & 63))
                    : (int32_t)((uint32_t)(int32_t)x >> (y & 31));
    }
}

static lh_err x_binary(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    bit_op op = (bit_op)(intptr_t)x->bind_data;
    bool wide = x->out->type.id == LH_TYPE_LONG;
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        fn_put_i64(x->out, i, apply(op, wide, fn_i64(x->args[0], i), fn_i64(x->args[1], i)));
    }
    return LH_OK;
}

static lh_err b_not(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = b->arg_types[0];
    if (!integral_or_null(t))
        return fn_bad_input(b, eb, "~", 0, "\"INTEGRAL\"");
    if (t.id == LH_TYPE_NULL)
        t = fn_type(LH_TYPE_INT);
    b->cast_to[0] = b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_not(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        if (!fn_any_null(x, i))
            fn_put_i64(x->out, i, ~fn_i64(x->args[0], i));
    return LH_OK;
}

static lh_err b_count(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = b->arg_types[0];
    if (!integral_or_null(t) && t.id != LH_TYPE_BOOLEAN)
        return fn_bad_input(b, eb, "bit_count", 0, "(\"INTEGRAL\" or \"BOOLEAN\")");
    if (t.id == LH_TYPE_NULL)
        b->cast_to[0] = fn_type(LH_TYPE_INT);
    b->ret_type = fn_type(LH_TYPE_INT);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_count(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        if (!fn_any_null(x, i))
            fn_put_i64(x->out, i, __builtin_popcountll((uint64_t)fn_i64(x->args[0], i)));
    return LH_OK;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
/* ---- bit_get / getbit ---- */

static lh_err b_bit_get(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (!integral_or_null(b->arg_types[0]))
        return fn_bad_input(b, eb, "bit_get", 0, "\"INTEGRAL\"");
    if (!integral_or_null(b->arg_types[1]))
        return fn_bad_input(b, eb, "bit_get", 1, "\"INT\"");
    if (b->arg_types[0].id == LH_TYPE_NULL)
        b->cast_to[0] = fn_type(LH_TYPE_INT);
    b->cast_to[1] = fn_type(LH_TYPE_INT);
    b->ret_type = fn_type(LH_TYPE_BYTE);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_bit_get(const lh_func_exec_t *x, lh_errbuf *eb)
{
    int bits = 8 * (int)lh_type_width(x->args[0]->type);
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t pos = fn_i64(x->args[1], i);
        if (pos < 0 || pos >= bits) {
            char up[8], got[24];
            snprintf(up, sizeof up, "%d", bits);
            snprintf(got, sizeof got, "%lld", (long long)pos);
            return lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.BIT_POSITION_RANGE", "parameter", "`pos`",
                             "functionName", "`bit_get`", "upper", up, "invalidValue", got, NULL);
        }
        fn_put_i64(x->out, i, (int64_t)(((uint64_t)fn_i64(x->args[0], i) >> pos) & 1));
    }
    return LH_OK;
}

/* ---- bitmap_bucket_number, bitmap_bit_position, bitmap_count ---- */

#define BITMAP_BITS 32768

static lh_err b_bitmap_long(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (!integral_or_null(b->arg_types[0]))
        return fn_bad_input(b, eb, "bitmap_bucket_number", 0, "\"INTEGRAL\"");
    b->cast_to[0] = b->ret_type = fn_type(LH_TYPE_LONG);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_bitmap_bucket(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t v = fn_i64(x->args[0], i);
        fn_put_i64(x->out, i, v > 0 ? 1 + (v - 1) / BITMAP_BITS : v / BITMAP_BITS);
    }
    return LH_OK;
}

static lh_err x_bitmap_position(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t v = fn_i64(x->args[0], i);
        /* (-v) of INT64_MIN wraps as in Java; its remainder is 0 either way */
        uint64_t m = v > 0 ? (uint64_t)(v - 1) : (uint64_t)0 - (uint64_t)v;
        fn_put_i64(x->out, i, (int64_t)(m % BITMAP_BITS));
    }
    return LH_OK;
}

static lh_err b_bitmap_count(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (b->arg_types[0].id != LH_TYPE_BINARY && b->arg_types[0].id != LH_TYPE_NULL)
        return fn_bad_input(b, eb, "bitmap_count", 0, "\"BINARY\"");
    b->cast_to[0] = fn_type(LH_TYPE_BINARY);
    b->ret_type = fn_type(LH_TYPE_LONG);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_bitmap_count(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        int64_t n = 0;
        for (size_t k = 0; k < s.len; k++)
            n += __builtin_popcount(s.ptr[k]);
        fn_put_i64(x->out, i, n);
    }
    return LH_OK;
}

const lh_func_t lh_fn_bitwise[] = {
    F("&", 2, 2, b_and, x_binary),
    F("^", 2, 2, b_xor, x_binary),
    F("bit_count", 1, 1, b_count, x_count),
    F("bit_get", 2, 2, b_bit_get, x_bit_get),
    F("bitmap_bit_position", 1, 1, b_bitmap_long, x_bitmap_position),
    F("bitmap_bucket_number", 1, 1, b_bitmap_long, x_bitmap_bucket),
    F("bitmap_count", 1, 1, b_bitmap_count, x_bitmap_count),
    F("getbit", 2, 2, b_bit_get, x_bit_get),
    F("shiftleft", 2, 2, b_shl, x_binary),
    F("shiftright", 2, 2, b_shr, x_binary),
    F("shiftrightunsigned", 2, 2, b_ushr, x_binary),
    F("|", 2, 2, b_or, x_binary),
    F("~", 1, 1, b_not, x_not),
};
FN_COUNT(lh_fn_bitwise);
