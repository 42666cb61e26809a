/*
 * coerce.c - Spark's implicit type coercion and cast legality (see coerce.h).
 */
#include "compute/func/coerce.h"

#include "common/nested.h"

bool lh_type_is_integral(lh_type_id id)
{
    return id == LH_TYPE_BYTE || id == LH_TYPE_SHORT || id == LH_TYPE_INT || id == LH_TYPE_LONG;
}

bool lh_type_is_numeric(lh_type_id id)
{
    return lh_type_is_integral(id) || id == LH_TYPE_FLOAT || id == LH_TYPE_DOUBLE ||
           id == LH_TYPE_DECIMAL;
}

bool lh_type_is_datetime(lh_type_id id)
{
    return id == LH_TYPE_DATE || id == LH_TYPE_TIMESTAMP || id == LH_TYPE_TIMESTAMP_NTZ;
}

bool lh_type_is_interval(lh_type_id id)
{
    return id == LH_TYPE_INTERVAL_YM || id == LH_TYPE_INTERVAL_DT;
}

lh_type_t lh_type_decimal(int precision, int scale)
{
    lh_type_t t = {LH_TYPE_DECIMAL, 0, 0};
    t.precision = (uint8_t)(precision > 38 ? 38 : precision < 1 ? 1 : precision);
    t.scale = (uint8_t)(scale > 38 ? 38 : scale < 0 ? 0 : scale);
    return t;
}

lh_type_t lh_type_as_decimal(lh_type_t t)
{
    switch (t.id) {
    case LH_TYPE_BYTE:
        return lh_type_decimal(3, 0);
    case LH_TYPE_SHORT:
        return lh_type_decimal(5, 0);
    case LH_TYPE_INT:
        return lh_type_decimal(10, 0);
    case LH_TYPE_LONG:
        return lh_type_decimal(20, 0);
    default:
        return t;
    }
}

static int numeric_rank(lh_type_id id)
{
    switch (id) {
    case LH_TYPE_BYTE:
        return 1;
    case LH_TYPE_SHORT:
        return 2;
    case LH_TYPE_INT:
        return 3;
    case LH_TYPE_LONG:
        return 4;
    case LH_TYPE_FLOAT:
        return 6;
    case LH_TYPE_DOUBLE:
        return 7;
    default:
        return 0;
    }
}

static lh_type_t wider_decimal(lh_type_t a, lh_type_t b)
{
    a = lh_type_as_decimal(a);
    b = lh_type_as_decimal(b);
    int scale = a.scale > b.scale ? a.scale : b.scale;
    int ra = a.precision - a.scale, rb = b.precision - b.scale;
    int range = ra > rb ? ra : rb;
    return lh_type_decimal(range + scale, scale);
}

static bool numeric_common(lh_type_t a, lh_type_t b, lh_type_t *out)
{
    if (a.id == LH_TYPE_DECIMAL || b.id == LH_TYPE_DECIMAL) {
        lh_type_id other = a.id == LH_TYPE_DECIMAL ? b.id : a.id;
        if (other == LH_TYPE_FLOAT || other == LH_TYPE_DOUBLE) {
            *out = (lh_type_t){LH_TYPE_DOUBLE, 0, 0};
            return true;
        }
        *out = wider_decimal(a, b);
        return true;
    }
    *out = numeric_rank(a.id) >= numeric_rank(b.id) ? a : b;
    return true;
}

/* ARRAY/MAP/STRUCT of the same shape widen part by part (struct names from a). */
static bool nested_common(lh_type_t a, lh_type_t b, lh_type_t *out)
{
    const lh_ntype_t *x = a.nested, *y = b.nested;
    lh_type_t e, v;
    if (a.id == LH_TYPE_ARRAY) {
        if (!lh_type_common(x->elem, y->elem, &e))
            return false;
        *out = lh_type_array(e);
        return true;
    }
    if (a.id == LH_TYPE_MAP) {
        if (!lh_type_common(x->elem, y->elem, &e) || !lh_type_common(x->value, y->value, &v))
            return false;
        *out = lh_type_map(e, v);
        return true;
    }
    if (x->field_count != y->field_count || x->field_count > 64)
        return false;
    const char *names[64];
    lh_type_t types[64];
    for (int i = 0; i < x->field_count; i++) {
        names[i] = x->fields[i].name;
        if (!lh_type_common(x->fields[i].type, y->fields[i].type, &types[i]))
            return false;
    }
    *out = lh_type_struct(x->field_count, names, types);
    return true;
}

bool lh_type_common(lh_type_t a, lh_type_t b, lh_type_t *out)
{
    if (a.id == b.id && lh_type_is_nested(a) && !lh_type_equal(a, b))
        return nested_common(a, b, out);
    if ((lh_type_is_nested(a) && b.id != LH_TYPE_NULL) ||
        (lh_type_is_nested(b) && a.id != LH_TYPE_NULL)) {
        if (!lh_type_equal(a, b))
            return false;
    }
    if (lh_type_equal(a, b) || (a.id == b.id && lh_type_is_interval(a.id))) {
        *out = a;
        if (lh_type_is_interval(a.id)) { /* fields widen: min start, max end */
            int full_end = a.id == LH_TYPE_INTERVAL_YM ? 2 : 4;
            int sa = a.precision ? a.precision : 1, sb = b.precision ? b.precision : 1;
            int ea = a.scale ? a.scale : full_end, eb = b.scale ? b.scale : full_end;
            out->precision = (uint8_t)(sa < sb ? sa : sb);
            out->scale = (uint8_t)(ea > eb ? ea : eb);
            if (out->precision == 1 && out->scale == full_end)
                out->precision = out->scale = 0; /* the full range is written 0, 0 */
        }
        return true;
    }
    if (a.id == LH_TYPE_NULL || b.id == LH_TYPE_NULL) {
        *out = a.id == LH_TYPE_NULL ? b : a;
        return true;
    }
    if (lh_type_is_numeric(a.id) && lh_type_is_numeric(b.id))
        return numeric_common(a, b, out);
    if (a.id == LH_TYPE_STRING || b.id == LH_TYPE_STRING) {
        lh_type_t other = a.id == LH_TYPE_STRING ? b : a;
        if (lh_type_is_interval(other.id))
            return false;
        /* beside a DECIMAL, Spark compares a string as DOUBLE ('1.51' keeps its digits) */
        *out = other.id == LH_TYPE_DECIMAL ? (lh_type_t){LH_TYPE_DOUBLE, 0, 0} : other;
        return true;
    }
    if (lh_type_is_datetime(a.id) && lh_type_is_datetime(b.id)) {
        bool ntz = (a.id == LH_TYPE_TIMESTAMP_NTZ || a.id == LH_TYPE_DATE) &&
                   (b.id == LH_TYPE_TIMESTAMP_NTZ || b.id == LH_TYPE_DATE);
        *out = (lh_type_t){ntz ? LH_TYPE_TIMESTAMP_NTZ : LH_TYPE_TIMESTAMP, 0, 0};
        return true;
    }
    return false;
}

bool lh_type_can_cast(lh_type_t from, lh_type_t to, bool ansi)
{
    lh_type_id f = from.id, t = to.id;
    if (lh_type_is_nested(from) && f == t) { /* part by part */
        const lh_ntype_t *x = from.nested, *y = to.nested;
        if (f == LH_TYPE_ARRAY)
            return lh_type_can_cast(x->elem, y->elem, ansi);
        if (f == LH_TYPE_MAP)
            return lh_type_can_cast(x->elem, y->elem, ansi) &&
                   lh_type_can_cast(x->value, y->value, ansi);
        if (x->field_count != y->field_count)
            return false;
        for (int i = 0; i < x->field_count; i++)
            if (!lh_type_can_cast(x->fields[i].type, y->fields[i].type, ansi))
                return false;
        return true;
    }
    if (lh_type_is_nested(to) && f != LH_TYPE_NULL)
        return false;
    if (lh_type_is_nested(from) && t != LH_TYPE_STRING)
        return false;
    if (f == t || f == LH_TYPE_NULL || t == LH_TYPE_STRING)
        return true;
    if (f == LH_TYPE_STRING)
        return true;
    bool fn = lh_type_is_numeric(f), tn = lh_type_is_numeric(t);
    if ((fn || f == LH_TYPE_BOOLEAN) && (tn || t == LH_TYPE_BOOLEAN))
        return true;
    if (t == LH_TYPE_BINARY)
        return f == LH_TYPE_STRING || (!ansi && lh_type_is_integral(f));
    if (lh_type_is_datetime(f) && lh_type_is_datetime(t))
        return true;
    if (f == LH_TYPE_TIMESTAMP && tn)
        return true; /* seconds since the epoch */
    if (fn && t == LH_TYPE_TIMESTAMP)
        return true;
    if (!ansi && (f == LH_TYPE_DATE || t == LH_TYPE_DATE) && (fn || tn || f == LH_TYPE_BOOLEAN))
        return true;
    if (lh_type_is_interval(f) && (lh_type_is_integral(t) || t == LH_TYPE_DECIMAL))
        return true; /* a single-field interval to a number */
    if (lh_type_is_interval(t) && (lh_type_is_integral(f) || f == LH_TYPE_DECIMAL))
        return true;
    return false;
}

lh_type_t lh_type_decimal_result(lh_arith_op op, lh_type_t a, lh_type_t b, bool exact)
{
    a = lh_type_as_decimal(a);
    b = lh_type_as_decimal(b);
    int p1 = a.precision, s1 = a.scale, p2 = b.precision, s2 = b.scale, p, s;
    switch (op) {
    case LH_ARITH_ADD:
    case LH_ARITH_SUB:
        s = s1 > s2 ? s1 : s2;
        p = (p1 - s1 > p2 - s2 ? p1 - s1 : p2 - s2) + s + 1;
        break;
    case LH_ARITH_MUL:
        p = p1 + p2 + 1, s = s1 + s2;
        break;
    case LH_ARITH_DIV:
        s = 6 > s1 + p2 + 1 ? 6 : s1 + p2 + 1;
        p = p1 - s1 + s2 + s;
        if (exact) { /* integer and fraction digits each at most 38; a surplus split */
            int int_dig = p1 - s1 + s2 < 38 ? p1 - s1 + s2 : 38, dec_dig = s < 38 ? s : 38;
            int diff = int_dig + dec_dig - 38;
            if (diff > 0) {
                dec_dig -= diff / 2 + 1;
                int_dig = 38 - dec_dig;
            }
            return lh_type_decimal(int_dig + dec_dig, dec_dig);
        }
        break;
    default: /* MOD */
        s = s1 > s2 ? s1 : s2;
        p = (p1 - s1 < p2 - s2 ? p1 - s1 : p2 - s2) + s;
        break;
    }
    if (p <= 38 || exact)
        return lh_type_decimal(p, s); /* bounded */
    /* adjustPrecisionScale: keep the integer digits, give the scale what is left but at
     * least min(s, 6) */
    int int_digits = p - s, min_scale = s < 6 ? s : 6;
    int adj = 38 - int_digits > min_scale ? 38 - int_digits : min_scale;
    return lh_type_decimal(38, adj);
}
