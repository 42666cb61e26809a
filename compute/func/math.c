/*
 * math.c - numeric functions: abs, round/bround, floor/ceil, the double functions (sqrt,
 * cbrt, ln, log, log10, log2, exp, pow, trigonometry...), sign, greatest/least, rand with
 * Spark's XORShiftRandom, pi/e, bin, hex/unhex, conv, factorial.
 *
 * Double functions share one bind (argument cast to DOUBLE) and one exec switching on a
 * small op code once per batch.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "compute/func/fn.h"
#include "compute/func/format.h"

/* ---- unary/binary double functions ---- */

typedef enum {
    D_SQRT,
    D_CBRT,
    D_LN,
    D_LOG10,
    D_LOG2,
    D_LOG1P,
    D_EXP,
    D_EXPM1,
    D_SIN,
    D_COS,
    D_TAN,
    D_ASIN,
    D_ACOS,
    D_ATAN,
    D_SINH,
    D_COSH,
    D_TANH,
    D_DEGREES,
    D_RADIANS,
    D_SIGN,
    D_RINT,
    D_POW,
    D_LOG,
    D_ATAN2,
    D_HYPOT,
    D_COT,
    D_SEC,
    D_CSC,
    D_ASINH,
    D_ACOSH,
    D_ATANH,
    D_NANVL
} dop_t;

static double dop1(dop_t op, double a, bool *null)
{
    switch (op) {
    case D_SQRT:
        return sqrt(a);
    case D_CBRT:
        return cbrt(a);
    case D_LN:
        *null = a <= 0;
        return log(a);
    case D_LOG10:
        *null = a <= 0;
        return log10(a);
    case D_LOG2:
        *null = a <= 0;
        return log2(a);
    case D_LOG1P:
        *null = a <= -1;
        return log1p(a);
    case D_EXP:
        return exp(a);
    case D_EXPM1:
        return expm1(a);
    case D_SIN:
        return sin(a);
    case D_COS:
        return cos(a);
    case D_TAN:
        return tan(a);
    case D_COT:
        return 1 / tan(a);
    case D_SEC:
        return 1 / cos(a);
    case D_CSC:
        return 1 / sin(a);
    case D_ASINH:
        return asinh(a);
    case D_ACOSH:
        return acosh(a);
    case D_ATANH:
        return atanh(a);
    case D_ASIN:
        return asin(a);
    case D_ACOS:
        return acos(a);
    case D_ATAN:
        return atan(a);
    case D_SINH:
        return sinh(a);
    case D_COSH:
        return cosh(a);
    case D_TANH:
        return tanh(a);
    case D_DEGREES:
        return a * 180.0 / M_PI;
    case D_RADIANS:
        return a / 180.0 * M_PI;
    case D_SIGN:
        return isnan(a) ? a : (a > 0) - (a < 0);
    case D_RINT:
        return rint(a);
    default:
        return NAN;
    }
}

static double dop2(dop_t op, double a, double b, bool *null)
{
    switch (op) {
    case D_POW:
        return pow(a, b);
    case D_ATAN2:
        return atan2(a + 0.0, b + 0.0);
    case D_HYPOT:
        return hypot(a, b);
    case D_NANVL:
        return isnan(a) ? b : a;
    default: /* D_LOG: log(base, x) */
        *null = a <= 0 || b <= 0;
        return log(b) / log(a);
    }
}

static lh_err bind_double(lh_func_bind_t *b, dop_t op)
{
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = fn_type(LH_TYPE_DOUBLE);
    b->ret_type = fn_type(LH_TYPE_DOUBLE);
    b->ret_nullable = true;
    dop_t *bd = lh_arena_alloc(b->arena, sizeof *bd);
    *bd = op;
    if (op == D_LN && b->arg_count == 2)
        *bd = D_LOG;
    b->bind_data = bd;
    return LH_OK;
}

static lh_err exec_double(const lh_func_exec_t *x, lh_errbuf *eb)
{
    dop_t op = *(const dop_t *)x->bind_data;
    fn_begin(x);
    const double *a = x->args[0]->data;
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        bool null = false;
        double r = x->arg_count == 2 ? dop2(op, a[i], ((const double *)x->args[1]->data)[i], &null)
                                     : dop1(op, a[i], &null);
        if (null)
            LH_TRY(fn_put_null(x->out, i));
        else
            fn_put_f64(x->out, i, r);
    }
    return LH_OK;
}

#define DBIND(fn, op)                                                                              \
    static lh_err fn(lh_func_bind_t *b, lh_errbuf *eb)                                             \
    {                                                                                              \
        return bind_double(b, op);                                                                 \
    }
DBIND(b_sqrt, D_SQRT)
DBIND(b_cbrt, D_CBRT)
DBIND(b_ln, D_LN)
DBIND(b_log10, D_LOG10)
DBIND(b_log2, D_LOG2)
DBIND(b_log1p, D_LOG1P)
DBIND(b_exp, D_EXP)
DBIND(b_expm1, D_EXPM1)
DBIND(b_sin, D_SIN)
DBIND(b_cos, D_COS)
DBIND(b_tan, D_TAN)
DBIND(b_asin, D_ASIN)
DBIND(b_acos, D_ACOS)
DBIND(b_atan, D_ATAN) DBIND(b_sinh, D_SINH) DBIND(b_cosh, D_COSH) DBIND(b_tanh, D_TANH)
    DBIND(b_degrees, D_DEGREES) DBIND(b_radians, D_RADIANS) DBIND(b_rint, D_RINT)
        DBIND(b_pow, D_POW) DBIND(b_atan2, D_ATAN2) DBIND(b_hypot, D_HYPOT) DBIND(b_cot, D_COT)
            DBIND(b_sec, D_SEC) DBIND(b_csc, D_CSC) DBIND(b_asinh, D_ASINH) DBIND(b_acosh, D_ACOSH)
                DBIND(b_atanh, D_ATANH) DBIND(b_nanvl, D_NANVL)

                    static lh_err b_ln_or_log(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_double(b, b->arg_count == 2 ? D_LOG : D_LN);
}

/* ---- isnan: FLOAT/DOUBLE NaN (false for NULL; never NULL) ---- */

static lh_err b_isnan(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    b->cast_to[0] = fn_type(LH_TYPE_DOUBLE);
    b->ret_type = fn_type(LH_TYPE_BOOLEAN);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err x_isnan(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    fn_begin(x);
    const lh_vec_t *a = x->args[0];
    const double *d = a->data;
    uint8_t *o = x->out->data;
    for (size_t i = 0; i < x->rows; i++)
        o[i] = !fn_null(a, i) && isnan(d[i]);
    return LH_OK;
}

/* ---- abs / sign ---- */

static lh_err b_abs(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_t t = b->arg_types[0];
    if (t.id == LH_TYPE_STRING || t.id == LH_TYPE_NULL)
        t = fn_type(LH_TYPE_DOUBLE);
    if (!lh_type_is_numeric(t.id) && !lh_type_is_interval(t.id))
        return fn_bad_input(b, eb, "abs", 0, "(\"NUMERIC\" or \"INTERVAL\")");
    b->cast_to[0] = b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_abs(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    const lh_vec_t *a = x->args[0];
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        if (a->type.id == LH_TYPE_FLOAT || a->type.id == LH_TYPE_DOUBLE) {
            fn_put_f64(x->out, i, fabs(fn_f64(a, i)));
        } else if (a->type.id == LH_TYPE_DECIMAL) {
            lh_i128 v = lh_dec_get(a, i);
            lh_dec_put(x->out, i, v < 0 ? -v : v);
        } else {
            int64_t v = fn_i64(a, i);
            int64_t lim = a->type.id == LH_TYPE_BYTE    ? INT8_MIN
                          : a->type.id == LH_TYPE_SHORT ? INT16_MIN
                          : a->type.id == LH_TYPE_INT || a->type.id == LH_TYPE_INTERVAL_YM
                              ? INT32_MIN
                              : INT64_MIN;
            if (v == lim)
                return lh_sqlerr(eb, "ARITHMETIC_OVERFLOW", "message",
                                 a->type.id == LH_TYPE_INT ? "integer overflow" : "long overflow",
                                 "alternative", "", "config", "\"spark.sql.ansi.enabled\"", NULL);
            fn_put_i64(x->out, i, v < 0 ? -v : v);
        }
    }
    return LH_OK;
}

/* ---- round / bround / floor / ceil ---- */

typedef struct round_bd {
    int scale; /* digits to keep (may be negative) */
    bool half_even;
    int mode; /* 0 round, 1 floor, 2 ceil */
} round_bd_t;

static lh_type_t round_decimal_type(lh_type_t t, int scale)
{
    int p = t.precision, s = t.scale, least = p - s + 1;
    if (scale < 0) {
        int np = least > -scale + 1 ? least : -scale + 1;
        return lh_type_decimal(np, 0);
    }
    int ns = s < scale ? s : scale;
    return lh_type_decimal(least + ns, ns);
}

static lh_err bind_round(lh_func_bind_t *b, int mode, bool half_even, lh_errbuf *eb)
{
    round_bd_t *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->mode = mode, bd->half_even = half_even;
    if (b->arg_count == 2) {
        const lh_value_t *s = b->const_args ? b->const_args[1] : NULL;
        if (s == NULL || !lh_type_is_integral(s->type.id))
            return fn_bad_input(b, eb, mode ? (mode == 1 ? "floor" : "ceil") : "round", 1,
                                "\"INT\"");
        bd->scale = s->is_null ? 0 : (int)s->v.i64;
        b->cast_to[1] = fn_type(LH_TYPE_INT);
    }
    lh_type_t t = b->arg_types[0];
    if (t.id == LH_TYPE_STRING || t.id == LH_TYPE_NULL)
        t = fn_type(LH_TYPE_DOUBLE);
    if (!lh_type_is_numeric(t.id))
        return fn_bad_input(b, eb, "round", 0, "\"NUMERIC\"");
    b->cast_to[0] = t;
    b->bind_data = bd;
    b->ret_nullable = true;
    if (mode == 0) {
        b->ret_type = t.id == LH_TYPE_DECIMAL ? round_decimal_type(t, bd->scale) : t;
    } else if (b->arg_count == 1) {
        b->ret_type = t.id == LH_TYPE_DECIMAL ? lh_type_decimal(t.precision - t.scale + 1, 0)
                                              : fn_type(LH_TYPE_LONG);
    } else {
        lh_type_t d = t.id == LH_TYPE_DECIMAL     ? t
                      : lh_type_is_integral(t.id) ? lh_type_as_decimal(t)
                                                  : lh_type_decimal(30, 15);
        b->cast_to[0] = d;
        b->ret_type = round_decimal_type(d, bd->scale);
    }
    return LH_OK;
}

/* Round an unscaled decimal at scale s to `keep` digits by mode; result at scale
 * max(keep, 0) unless to_scale says otherwise. */
static lh_i128 round_dec(lh_i128 v, int s, int keep, const round_bd_t *bd)
{
    if (keep >= s)
        return v;
    lh_i128 m = lh_dec_pow10(s - keep), q = v / m, r = v % m;
    if (bd->mode == 1 && r < 0)
        q -= 1;
    else if (bd->mode == 2 && r > 0)
        q += 1;
    else if (bd->mode == 0) {
        lh_i128 ar = r < 0 ? -r : r, half = m / 2;
        if (ar > half || (ar == half && (!bd->half_even || q % 2 != 0)))
            q += v < 0 ? -1 : 1;
    }
    return q;
}

static lh_err x_round(const lh_func_exec_t *x, lh_errbuf *eb)
{
    const round_bd_t *bd = x->bind_data;
    const lh_vec_t *a = x->args[0];
    lh_type_t rt = x->out->type;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_null(a, i) || a->type.id == LH_TYPE_NULL) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        if (a->type.id == LH_TYPE_DECIMAL) {
            int s = a->type.scale;
            lh_i128 q = round_dec(lh_dec_get(a, i), s, bd->scale, bd);
            int qs = bd->scale < s ? bd->scale : s;
            lh_i128 r;
            lh_dec_rescale(q, qs, rt.id == LH_TYPE_DECIMAL ? rt.scale : 0, false, &r);
            if (rt.id == LH_TYPE_DECIMAL)
                lh_dec_put(x->out, i, r);
            else
                fn_put_i64(x->out, i, (int64_t)r);
        } else if (a->type.id == LH_TYPE_FLOAT || a->type.id == LH_TYPE_DOUBLE) {
            double d = fn_f64(a, i);
            if (bd->mode != 0) {
                double r = bd->mode == 1 ? floor(d) : ceil(d);
                fn_put_i64(x->out, i,
                           r >= 9.2233720368547758e18    ? INT64_MAX
                           : r <= -9.2233720368547758e18 ? INT64_MIN
                           : isnan(r)                    ? 0
                                                         : (int64_t)r);
                continue;
            }
            lh_i128 u;
            char buf[40];
            if (!isfinite(d) || !lh_dec_from_double(d, 38 - 20, 38, &u)) {
                fn_put_f64(x->out, i, d);
                continue;
            }
            lh_i128 q = round_dec(u, 18, bd->scale, bd);
            lh_dec_format(q, bd->scale > 0 ? bd->scale : 0, buf, sizeof buf);
            double r = strtod(buf, NULL);
            if (bd->scale < 0)
                r *= pow(10, -bd->scale);
            fn_put_f64(x->out, i, r);
        } else {
            int64_t v = fn_i64(a, i);
            if (bd->scale >= 0 || bd->mode != 0 || bd->scale < -18) {
                if (bd->scale < -18 && bd->mode == 0)
                    v = 0;
                fn_put_i64(x->out, i, v);
                continue;
            }
            lh_i128 r = round_dec(v, 0, bd->scale, bd) * lh_dec_pow10(-bd->scale);
            lh_type_id id = a->type.id;
            int64_t hi = id == LH_TYPE_BYTE    ? INT8_MAX
                         : id == LH_TYPE_SHORT ? INT16_MAX
                         : id == LH_TYPE_INT   ? INT32_MAX
                                               : INT64_MAX;
            if (r > hi || r < -hi - 1)
                return lh_sqlerr(eb, "ARITHMETIC_OVERFLOW", "message", "Overflow", "alternative",
                                 "", "config", "\"spark.sql.ansi.enabled\"", NULL);
            fn_put_i64(x->out, i, (int64_t)r);
        }
    }
    return LH_OK;
}

static lh_err b_round(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_round(b, 0, false, eb);
}
static lh_err b_bround(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_round(b, 0, true, eb);
}
static lh_err b_floor(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_round(b, 1, false, eb);
}
static lh_err b_ceil(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_round(b, 2, false, eb);
}

/* ---- greatest / least ---- */

static lh_err bind_extreme(lh_func_bind_t *b, const char *name, lh_errbuf *eb)
{
    lh_type_t t = b->arg_types[0];
    for (int i = 1; i < b->arg_count; i++) {
        if (!lh_type_common(t, b->arg_types[i], &t)) {
            char e[96];
            snprintf(e, sizeof e, "\"%s(...)\"", name);
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.DATA_DIFF_TYPES", "sqlExpr", e, "functionName",
                             name, "dataType", "(...)", NULL);
        }
    }
    LH_TRY(lh_func_check_orderable(b, eb, name, t));
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = t;
    b->ret_type = t;
    b->ret_nullable = true;
    return LH_OK;
}

static int cmp_vals(const lh_value_t *a, const lh_value_t *b)
{
    if (a->type.id == LH_TYPE_DOUBLE || a->type.id == LH_TYPE_FLOAT) {
        if (isnan(a->v.f64) || isnan(b->v.f64))
            return isnan(a->v.f64) - isnan(b->v.f64);
    }
    return lh_value_compare(a, b);
}

static lh_err exec_extreme(const lh_func_exec_t *x, int sign)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        lh_value_t best = {.is_null = true};
        for (int k = 0; k < x->arg_count; k++) {
            lh_value_t v = fn_get(x->args[k], i);
            if (!v.is_null && (best.is_null || sign * cmp_vals(&v, &best) > 0))
                best = v;
        }
        LH_TRY(fn_put(x->out, i, &best));
    }
    return LH_OK;
}

static lh_err b_greatest(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_extreme(b, "greatest", eb);
}
static lh_err b_least(lh_func_bind_t *b, lh_errbuf *eb)
{
    return bind_extreme(b, "least", eb);
}
static lh_err x_greatest(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return exec_extreme(x, 1);
}
static lh_err x_least(const lh_func_exec_t *x, lh_errbuf *eb)
{
    return exec_extreme(x, -1);
}

/* ---- rand, randn, uniform, randstr: Spark's XORShiftRandom ---- */

static uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static uint32_t scala_mix(uint32_t h, uint32_t k, bool last)
{
    k *= 0xcc9e2d51u;
    k = rotl32(k, 15);
    k *= 0x1b873593u;
    h ^= k;
    if (last)
        return h;
    h = rotl32(h, 13);
    return h * 5 + 0xe6546b64u;
}

static uint32_t scala_bytes_hash(const uint8_t *d, int len, uint32_t seed)
{
    uint32_t h = seed;
    int i = 0;
    for (; len - i >= 4; i += 4)
        h = scala_mix(h,
                      (uint32_t)d[i] | (uint32_t)d[i + 1] << 8 | (uint32_t)d[i + 2] << 16 |
                          (uint32_t)d[i + 3] << 24,
                      false);
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint64_t xorshift_seed(int64_t seed)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)((uint64_t)seed >> (56 - 8 * i));
    uint32_t lo = scala_bytes_hash(b, 8, 0x3c074a61u);
    uint32_t hi = scala_bytes_hash(b, 8, lo);
    return (uint64_t)hi << 32 | lo;
}

static int32_t xorshift_next(uint64_t *s, int bits)
{
    uint64_t n = *s ^ (*s << 21);
    n ^= n >> 35;
    n ^= n << 4;
    *s = n;
    return (int32_t)(n & ((1ULL << bits) - 1));
}

/* A random function's seed and the number of batches it has drawn: batch k draws from
 * XORShiftRandom(seed + k), as Spark's partition k does (the first batch gives Spark's
 * values for partition 0; later batches, which Spark would hold in one partition, get
 * streams of their own rather than a repeat). The count is the one piece of bind data
 * that changes at run time (atomically: batches run on several threads). */
typedef struct rand_bd {
    int64_t seed;
    _Atomic int64_t batches;
} rand_bd;

/* r's seed: s when given (an integer), else the clock; no batch drawn yet. */
static void rand_init(lh_func_bind_t *b, rand_bd *r, const lh_value_t *s)
{
    r->seed = s && !s->is_null ? s->v.i64 : (int64_t)fn_now_us(b->conf);
    atomic_init(&r->batches, 0);
}

static uint64_t rand_stream(const lh_func_exec_t *x)
{
    rand_bd *bd = (rand_bd *)x->bind_data;
    return xorshift_seed(bd->seed + atomic_fetch_add(&bd->batches, 1));
}

static double next_double(uint64_t *st)
{
    int64_t hi = xorshift_next(st, 26), lo = xorshift_next(st, 27);
    return (double)((hi << 27) + lo) * 0x1.0p-53;
}

static lh_err b_rand(lh_func_bind_t *b, lh_errbuf *eb)
{
    const lh_value_t *s = b->arg_count ? b->const_args[0] : NULL;
    if (b->arg_count &&
        (s == NULL || (!lh_type_is_integral(s->type.id) && s->type.id != LH_TYPE_NULL)))
        return fn_bad_input(b, eb, "rand", 0, "(\"INT\" or \"BIGINT\")");
    rand_bd *bd = lh_arena_alloc(b->arena, sizeof *bd);
    rand_init(b, bd, s);
    b->bind_data = bd;
    b->ret_type = fn_type(LH_TYPE_DOUBLE);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err x_rand(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    uint64_t st = rand_stream(x);
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        fn_put_f64(x->out, i, next_double(&st));
    return LH_OK;
}

/* randn: java.util.Random.nextGaussian (polar method) over the same generator. */
static lh_err x_randn(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    uint64_t st = rand_stream(x);
    bool have_next = false;
    double next = 0;
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (have_next) {
            have_next = false;
            fn_put_f64(x->out, i, next);
            continue;
        }
        double v1, v2, s;
        do {
            v1 = 2 * next_double(&st) - 1;
            v2 = 2 * next_double(&st) - 1;
            s = v1 * v1 + v2 * v2;
        } while (s >= 1 || s == 0);
        double m = sqrt(-2 * log(s) / s);
        next = v2 * m, have_next = true;
        fn_put_f64(x->out, i, v1 * m);
    }
    return LH_OK;
}

/* monotonically_increasing_id(): (k << 33) + the row's place in its batch for batch k (Spark's
 * partition index << 33 + record number: unique and increasing within a batch, not
 * consecutive); spark_partition_id(): k, the batch's number in the query's run. */
static lh_err b_mono_id(lh_func_bind_t *b, lh_errbuf *eb)
{
    (void)eb;
    rand_bd *bd = lh_arena_alloc(b->arena, sizeof *bd);
    bd->seed = 0;
    atomic_init(&bd->batches, 0);
    b->bind_data = bd;
    b->ret_type = fn_type(LH_TYPE_LONG);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err b_partition_id(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(b_mono_id(b, eb));
    b->ret_type = fn_type(LH_TYPE_INT);
    return LH_OK;
}

static lh_err x_mono_id(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    rand_bd *bd = (rand_bd *)x->bind_data;
    int64_t k = atomic_fetch_add(&bd->batches, 1);
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        fn_put_i64(x->out, i, x->out->type.id == LH_TYPE_INT ? k : (k << 33) + (int64_t)i);
    return LH_OK;
}

/* uniform(min, max[, seed]) (Spark 4): min + (max - min) * rand(seed), cast to the
 * arguments' type: the wider integer when both are SMALLINT/INT/BIGINT, else DOUBLE or
 * FLOAT. min, max and seed must be constants. */
typedef struct uniform_bd {
    rand_bd r; /* first: rand_stream reads it */
    double lo, span;
} uniform_bd;

static bool uniform_type(lh_type_id t)
{
    return t == LH_TYPE_SHORT || t == LH_TYPE_INT || t == LH_TYPE_LONG || t == LH_TYPE_FLOAT ||
           t == LH_TYPE_DOUBLE;
}

static lh_err b_uniform(lh_func_bind_t *b, lh_errbuf *eb)
{
    static const char *const names[] = {"min", "max", "seed"};
    for (int i = 0; i < b->arg_count; i++) {
        const lh_value_t *v = b->const_args ? b->const_args[i] : NULL;
        if (v == NULL)
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "sqlExpr",
                             lh_arena_sprintf(b->arena, "\"%s\"", b->sql ? b->sql : "uniform"),
                             "inputName", names[i], "inputType", "integer or floating-point",
                             "inputExpr",
                             lh_arena_sprintf(b->arena, "\"%s\"",
                                              lh_func_arg_sql(b, i) ? lh_func_arg_sql(b, i) : "?"),
                             NULL);
        if (!uniform_type(b->arg_types[i].id) || (i == 2 && v->is_null))
            return fn_bad_input(b, eb, "uniform", i, "\"integer or floating-point\"");
    }
    lh_type_id t0 = b->arg_types[0].id, t1 = b->arg_types[1].id, rt;
    bool ints = lh_type_is_integral(t0) && lh_type_is_integral(t1);
    if (ints)
        rt = t0 == LH_TYPE_LONG || t1 == LH_TYPE_LONG ? LH_TYPE_LONG
             : t0 == LH_TYPE_INT || t1 == LH_TYPE_INT ? LH_TYPE_INT
                                                      : LH_TYPE_SHORT;
    else
        rt = t0 == LH_TYPE_DOUBLE || t1 == LH_TYPE_DOUBLE ? LH_TYPE_DOUBLE : LH_TYPE_FLOAT;
    uniform_bd *bd = lh_arena_alloc(b->arena, sizeof *bd);
    const lh_value_t *mn = b->const_args[0], *mx = b->const_args[1];
    const lh_value_t *seed = b->arg_count > 2 ? b->const_args[2] : NULL;
    lh_value_t iseed;
    if (seed && !lh_type_is_integral(seed->type.id)) { /* a floating seed: its integer part */
        iseed = *seed;
        iseed.v.i64 = (int64_t)seed->v.f64;
        seed = &iseed;
    }
    rand_init(b, &bd->r, seed);
    double lo = lh_type_is_integral(t0) ? (double)mn->v.i64 : mn->v.f64;
    double hi = lh_type_is_integral(t1) ? (double)mx->v.i64 : mx->v.f64;
    bd->lo = lo;
    bd->span = hi - lo;
    b->bind_data = bd;
    b->ret_type = fn_type(rt);
    b->ret_nullable = mn->is_null || mx->is_null;
    for (int i = 0; i < b->arg_count; i++)
        b->cast_to[i] = b->arg_types[i];
    if (mn->is_null || mx->is_null)
        bd->span = NAN;
    return LH_OK;
}

static lh_err x_uniform(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    const uniform_bd *bd = x->bind_data;
    uint64_t st = rand_stream(x);
    fn_begin(x);
    lh_type_id t = x->out->type.id;
    for (size_t i = 0; i < x->rows; i++) {
        double v = bd->lo + bd->span * next_double(&st);
        if (isnan(bd->span))
            LH_TRY(fn_put_null(x->out, i));
        else if (t == LH_TYPE_DOUBLE || t == LH_TYPE_FLOAT)
            fn_put_f64(x->out, i, v);
        else if (v >= 9223372036854775808.0) /* max = BIGINT's top, rounded up in DOUBLE */
            fn_put_i64(x->out, i, INT64_MAX);
        else
            fn_put_i64(x->out, i, (int64_t)v);
    }
    return LH_OK;
}

/* randstr(length[, seed]) (Spark 4): `length` characters each from abs(nextInt() % 30):
 * 0-9, then a-j, then A-J (Spark's pool as its code draws it). */
typedef struct randstr_bd {
    rand_bd r;
    int32_t length;
} randstr_bd;

static lh_err b_randstr(lh_func_bind_t *b, lh_errbuf *eb)
{
    for (int i = 0; i < b->arg_count; i++) {
        const lh_value_t *v = b->const_args ? b->const_args[i] : NULL;
        lh_type_id t = b->arg_types[i].id;
        bool ok = v != NULL && !v->is_null &&
                  (t == LH_TYPE_SHORT || t == LH_TYPE_INT || (i == 1 && t == LH_TYPE_LONG));
        if (!ok)
            return fn_bad_input(b, eb, "randstr", i, "\"constant value of INT or SMALLINT\"");
    }
    int64_t n = b->const_args[0]->v.i64;
    if (n < 0)
        return lh_sqlerr(eb, "INVALID_PARAMETER_VALUE.LENGTH", "parameter", "`length`",
                         "functionName", "`randstr`", "length",
                         lh_arena_sprintf(b->arena, "%lld", (long long)n), NULL);
    randstr_bd *bd = lh_arena_alloc(b->arena, sizeof *bd);
    rand_init(b, &bd->r, b->arg_count > 1 ? b->const_args[1] : NULL);
    bd->length = (int32_t)n;
    b->bind_data = bd;
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = false;
    return LH_OK;
}

static lh_err x_randstr(const lh_func_exec_t *x, lh_errbuf *eb)
{
    (void)eb;
    const randstr_bd *bd = x->bind_data;
    uint64_t st = rand_stream(x);
    char *buf = malloc((size_t)bd->length + 1);
    LH_FAIL_IF(buf == NULL, LH_E_NOMEM, eb, "randstr: out of memory");
    fn_begin(x);
    lh_err e = LH_OK;
    for (size_t i = 0; i < x->rows && e == LH_OK; i++) {
        for (int32_t k = 0; k < bd->length; k++) {
            int32_t v = xorshift_next(&st, 32) % 30;
            v = v < 0 ? -v : v;
            buf[k] = (char)(v < 10 ? '0' + v : v < 20 ? 'a' + v - 10 : 'A' + v - 20);
        }
        e = fn_put_str(x->out, i, buf, (size_t)bd->length);
    }
    free(buf);
    return e;
}

/* ---- constants ---- */

static lh_err b_const_double(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->ret_type = fn_type(LH_TYPE_DOUBLE);
    return LH_OK;
}
static lh_err x_pi(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        fn_put_f64(x->out, i, M_PI);
    return LH_OK;
}
static lh_err x_e(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++)
        fn_put_f64(x->out, i, M_E);
    return LH_OK;
}

/* ---- bin / factorial / conv ---- */

static lh_err b_long_to_string(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_LONG);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_bin(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        uint64_t v = (uint64_t)fn_i64(x->args[0], i);
        char buf[65];
        int n = 0;
        do
            buf[64 - ++n] = (char)('0' + (v & 1));
        while ((v >>= 1) != 0);
        LH_TRY(fn_put_str(x->out, i, buf + 64 - n, (size_t)n));
    }
    return LH_OK;
}

static lh_err b_factorial(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_INT);
    b->ret_type = fn_type(LH_TYPE_LONG);
    b->ret_nullable = true;
    return LH_OK;
}

static lh_err x_factorial(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t n = fn_i64(x->args[0], i), r = 1;
        if (n < 0 || n > 20) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        for (int64_t k = 2; k <= n; k++)
            r *= k;
        fn_put_i64(x->out, i, r);
    }
    return LH_OK;
}

static lh_err b_conv(lh_func_bind_t *b, lh_errbuf *eb)
{
    b->cast_to[0] = fn_type(LH_TYPE_STRING);
    b->cast_to[1] = b->cast_to[2] = fn_type(LH_TYPE_INT);
    b->ret_type = fn_type(LH_TYPE_STRING);
    b->ret_nullable = true;
    return LH_OK;
}

/* Spark's NumberConverter: unsigned 64-bit arithmetic, negative to_base = signed output. */
static lh_err x_conv(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        lh_sv_t s = fn_str(x->args[0], i);
        int64_t from = fn_i64(x->args[1], i), to = fn_i64(x->args[2], i);
        int af = (int)llabs(from), at = (int)llabs(to);
        if (af < 2 || af > 36 || at < 2 || at > 36 || s.len == 0) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        bool neg = s.ptr[0] == '-';
        uint64_t v = 0;
        bool overflow = false;
        for (uint32_t k = neg; k < s.len; k++) {
            int c = s.ptr[k], d = c >= '0' && c <= '9'                 ? c - '0'
                                  : (c | 32) >= 'a' && (c | 32) <= 'z' ? (c | 32) - 'a' + 10
                                                                       : 99;
            if (d >= af)
                break;
            if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)af) {
                overflow = true;
                break;
            }
            v = v * (uint64_t)af + (uint64_t)d;
        }
        if (overflow)
            return lh_sqlerr(eb, "ARITHMETIC_OVERFLOW", "message", "Overflow in function conv()",
                             "alternative", "", "config", "\"spark.sql.ansi.enabled\"", NULL);
        bool out_neg = false;
        if (neg) {
            if (to < 0 && (int64_t)v > 0) {
                out_neg = true;
            } else {
                v = (uint64_t)(-(int64_t)v);
            }
        }
        if (to < 0 && (int64_t)v < 0 && !neg) {
            v = (uint64_t)(-(int64_t)v);
            out_neg = true;
        }
        char buf[72];
        int n = 0;
        do {
            int d = (int)(v % (uint64_t)at);
            buf[70 - n++] = (char)(d < 10 ? '0' + d : 'A' + d - 10);
            v /= (uint64_t)at;
        } while (v);
        if (out_neg)
            buf[70 - n++] = '-';
        LH_TRY(fn_put_str(x->out, i, buf + 71 - n, (size_t)n));
    }
    return LH_OK;
}

/* ---- sign ---- */

static lh_err x_sign_interval(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        int64_t v = fn_i64(x->args[0], i);
        fn_put_f64(x->out, i, v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0);
    }
    return LH_OK;
}

static lh_err x_sign(const lh_func_exec_t *x, lh_errbuf *eb)
{
    if (lh_type_is_interval(x->args[0]->type.id))
        return x_sign_interval(x, eb);
    return exec_double(x, eb);
}

static lh_err b_sign(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (lh_type_is_interval(b->arg_types[0].id)) { /* signum(INTERVAL '-10' YEAR) = -1.0 */
        b->ret_type = fn_type(LH_TYPE_DOUBLE);
        b->ret_nullable = true;
        return LH_OK;
    }
    return bind_double(b, D_SIGN);
}

/* ---- width_bucket(v, min, max, n) ---- */

static lh_err b_width_bucket(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_id t0 = b->arg_types[0].id;
    bool iv = lh_type_is_interval(t0);
    for (int i = 1; iv && i < 3; i++)
        iv = b->arg_types[i].id == t0;
    /* intervals of one kind compare in their units (months or microseconds) */
    for (int i = 0; i < 3; i++)
        b->cast_to[i] = iv ? b->arg_types[i] : fn_type(LH_TYPE_DOUBLE);
    b->cast_to[3] = fn_type(LH_TYPE_LONG);
    b->ret_type = fn_type(LH_TYPE_LONG);
    b->ret_nullable = true;
    return LH_OK;
}

static double num_at(const lh_vec_t *v, size_t i)
{
    return lh_type_is_interval(v->type.id) ? (double)fn_i64(v, i) : fn_f64(v, i);
}

/* Spark's WidthBucket: NULL for n <= 0, n = Long.MaxValue, min = max or non-finite
 * bounds; 0 below the range, n + 1 at or past its end; min > max counts downwards. */
static lh_err x_width_bucket(const lh_func_exec_t *x, lh_errbuf *eb)
{
    fn_begin(x);
    for (size_t i = 0; i < x->rows; i++) {
        if (fn_any_null(x, i))
            continue;
        double v = num_at(x->args[0], i), lo = num_at(x->args[1], i), hi = num_at(x->args[2], i);
        int64_t n = fn_i64(x->args[3], i);
        if (n <= 0 || n == INT64_MAX || isnan(v) || !isfinite(lo) || !isfinite(hi) || lo == hi) {
            LH_TRY(fn_put_null(x->out, i));
            continue;
        }
        int64_t r;
        if (lo < hi)
            r = v < lo ? 0 : v >= hi ? n + 1 : (int64_t)((double)n * (v - lo) / (hi - lo)) + 1;
        else
            r = v > lo ? 0 : v <= hi ? n + 1 : (int64_t)((double)n * (lo - v) / (lo - hi)) + 1;
        fn_put_i64(x->out, i, r);
    }
    return LH_OK;
}

#define F(name, lo, hi, bind, exec)                                                                \
    {                                                                                              \
        name, LH_FUNC_SCALAR, lo, hi, bind, exec, true                                             \
    }
const lh_func_t lh_fn_math[] = {
    F("abs", 1, 1, b_abs, x_abs),
    F("acos", 1, 1, b_acos, exec_double),
    F("acosh", 1, 1, b_acosh, exec_double),
    F("asin", 1, 1, b_asin, exec_double),
    F("asinh", 1, 1, b_asinh, exec_double),
    F("atan", 1, 1, b_atan, exec_double),
    F("atan2", 2, 2, b_atan2, exec_double),
    F("atanh", 1, 1, b_atanh, exec_double),
    F("bin", 1, 1, b_long_to_string, x_bin),
    F("bround", 1, 2, b_bround, x_round),
    F("cbrt", 1, 1, b_cbrt, exec_double),
    F("ceil", 1, 2, b_ceil, x_round),
    F("ceiling", 1, 2, b_ceil, x_round),
    F("conv", 3, 3, b_conv, x_conv),
    F("cos", 1, 1, b_cos, exec_double),
    F("cosh", 1, 1, b_cosh, exec_double),
    F("cot", 1, 1, b_cot, exec_double),
    F("csc", 1, 1, b_csc, exec_double),
    F("degrees", 1, 1, b_degrees, exec_double),
    F("e", 0, 0, b_const_double, x_e),
    F("exp", 1, 1, b_exp, exec_double),
    F("expm1", 1, 1, b_expm1, exec_double),
    F("factorial", 1, 1, b_factorial, x_factorial),
    F("floor", 1, 2, b_floor, x_round),
    F("greatest", 2, -1, b_greatest, x_greatest),
    F("hypot", 2, 2, b_hypot, exec_double),
    F("isnan", 1, 1, b_isnan, x_isnan),
    F("least", 2, -1, b_least, x_least),
    F("ln", 1, 1, b_ln, exec_double),
    F("log", 1, 2, b_ln_or_log, exec_double),
    F("log10", 1, 1, b_log10, exec_double),
    F("log1p", 1, 1, b_log1p, exec_double),
    F("log2", 1, 1, b_log2, exec_double),
    F("nanvl", 2, 2, b_nanvl, exec_double),
    F("pi", 0, 0, b_const_double, x_pi),
    F("pow", 2, 2, b_pow, exec_double),
    F("power", 2, 2, b_pow, exec_double),
    F("radians", 1, 1, b_radians, exec_double),
    {"rand", LH_FUNC_SCALAR, 0, 1, b_rand, x_rand, false},
    {"random", LH_FUNC_SCALAR, 0, 1, b_rand, x_rand, false},
    {"monotonically_increasing_id", LH_FUNC_SCALAR, 0, 0, b_mono_id, x_mono_id, false},
    {"randn", LH_FUNC_SCALAR, 0, 1, b_rand, x_randn, false},
    {"randstr", LH_FUNC_SCALAR, 1, 2, b_randstr, x_randstr, false},
    F("rint", 1, 1, b_rint, exec_double),
    F("round", 1, 2, b_round, x_round),
    F("sec", 1, 1, b_sec, exec_double),
    F("sign", 1, 1, b_sign, x_sign),
    F("signum", 1, 1, b_sign, x_sign),
    F("sin", 1, 1, b_sin, exec_double),
    F("sinh", 1, 1, b_sinh, exec_double),
    {"spark_partition_id", LH_FUNC_SCALAR, 0, 0, b_partition_id, x_mono_id, false},
    F("sqrt", 1, 1, b_sqrt, exec_double),
    F("tan", 1, 1, b_tan, exec_double),
    F("tanh", 1, 1, b_tanh, exec_double),
    {"uniform", LH_FUNC_SCALAR, 2, 3, b_uniform, x_uniform, false},
    F("width_bucket", 4, 4, b_width_bucket, x_width_bucket),
};
FN_COUNT(lh_fn_math);
