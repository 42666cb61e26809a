/*
 * bitwise.c - Spark's bitwise functions: the operators & | ^ (bitand, bitor, bitxor) and
 * ~ (bitnot), shiftleft / shiftright / shiftrightunsigned (<< >> >>>), bit_count.
 *
 * Types follow Spark: & | ^ take two integral operands widened to their common type, which
 * is the result's; ~ keeps its operand's type. The shifts take an INT or BIGINT base (TINYINT
 * and SMALLINT widen to INT) and an INT count, with Java's semantics: the count is taken
 * modulo the base's width (32 or 64) and >>> shifts zeros in. bit_count counts the set bits
 * of the value sign-extended to 64 bits (bit_count(-1) = 64, as Spark's Long.bitCount), and
 * of a BOOLEAN as 1 or 0; it answers INT.
 */
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
const lh_func_t lh_fn_bitwise[] = {
    F("&", 2, 2, b_and, x_binary),          F("^", 2, 2, b_xor, x_binary),
    F("bit_count", 1, 1, b_count, x_count), F("shiftleft", 2, 2, b_shl, x_binary),
    F("shiftright", 2, 2, b_shr, x_binary), F("shiftrightunsigned", 2, 2, b_ushr, x_binary),
    F("|", 2, 2, b_or, x_binary),           F("~", 1, 1, b_not, x_not),
};
FN_COUNT(lh_fn_bitwise);
