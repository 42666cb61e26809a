/*
 * agg_pct.c - aggregates over the whole value set: percentile / median (exact, DOUBLE,
 * linear interpolation as Spark's Percentile), percentile_approx / approx_percentile,
 * approx_count_distinct (HyperLogLog++). collect_list / collect_set are in agg_collect.c.
 *
 * percentile_approx is computed exactly: Spark's answer is the element of 1-based rank
 * ceil(p * n) of the sorted values (its Greenwald-Khanna summary is exact while it holds
 * every sample, i.e. for inputs up to about the accuracy argument, default 10000); for
 * larger inputs Spark's answer may differ from ours by at most n / accuracy ranks. The
 * result has the input's type. The accuracy argument is accepted and checked only.
 *
 * approx_count_distinct follows Spark's HyperLogLogPlusPlus: p = ceil(2 log2(1.106/rsd))
 * (rsd 0.05 -> p = 9, 512 registers), values hashed with XXH64 seed 42 the way Spark hashes
 * them (int-like types as 4 bytes, long-like as 8, floats by their bits with -0.0 as 0.0,
 * strings by their bytes), register = leading zeros of (hash << p | 1 << (p-1)) + 1. The
 * estimate uses linear counting while it is below Spark's threshold for p (400 for p = 9):
 * there our numbers are Spark's exactly. Above it, up to a raw estimate of 5 * 2^p (where
 * HLL++ subtracts an empirical bias from its tables, which we do not carry) we keep linear
 * counting, which is unbiased there; beyond, the raw HLL estimate, as Spark. So between
 * about 400 and 2560 distinct values (p = 9) our answer is within the relative error of
 * Spark's but not bit-identical.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "common/nested.h"
#include "compute/agg/agg_internal.h"
#include "compute/sqlerr.h"

/* ---- collected values ------------------------------------------------------------------ */

typedef struct pct_bd {
    lh_type_t type; /* input (percentile_approx result) type */
    double p;
    bool approx;
    /* percentile_disc: the first of the ordered values whose cumulative fraction (i + 1) / n
     * reaches p (Spark 4's calculation; no interpolation); DESC counts from the largest */
    bool discrete, desc;
    bool legacy;   /* spark.sql.legacy.percentileDiscCalculation: the value at floor(p * (n-1)) */
    bool array;    /* percentile(x, array(p1, p2, ..)): an ARRAY of results, one per ps[i] */
    bool interval; /* an interval input: months / micros as numbers, the result truncated
                      back to the input's interval type (Spark's toInt / toLong) */
    double *ps;
    uint32_t pn;
} pct_bd;

typedef struct pct_state {
    union pv {
        int64_t i;
        double d;
    } * v;
    size_t n, cap;
} pct_state;

static bool is_float(lh_type_t t)
{
    return t.id == LH_TYPE_FLOAT || t.id == LH_TYPE_DOUBLE;
}

/* A constant number as a double (false: not a number). */
static bool number_of(const lh_value_t *c, double *out)
{
    if (c->is_null || !lh_agg_is_numeric(c->type))
        return false;
    if (is_float(c->type))
        *out = c->v.f64;
    else if (c->type.id == LH_TYPE_DECIMAL)
        *out = (c->type.precision > 18 ? (double)c->v.i128 : (double)c->v.i64) /
               pow(10, c->type.scale);
    else
        *out = (double)c->v.i64;
    return true;
}

static lh_err check_p(double p, lh_errbuf *eb)
{
    LH_FAIL_IF(!(p >= 0 && p <= 1), LH_E_INVALID, eb,
               "[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] The percentage must be between 0.0 and "
               "1.0, but got %g SQLSTATE: 42K09",
               p);
    return LH_OK;
}

/* The percentages of a constant ARRAY argument into bd->ps. */
static lh_err array_ps(lh_func_bind_t *b, const lh_value_t *c, pct_bd *bd, lh_errbuf *eb)
{
    lh_narray_t arr;
    lh_narray_open(c->type.nested->elem, c->v.str, &arr);
    bd->array = true;
    bd->pn = arr.count;
    bd->ps = lh_arena_calloc(b->arena, (size_t)arr.count + 1, sizeof *bd->ps);
    for (uint32_t i = 0; i < arr.count; i++) {
        lh_value_t v;
        lh_narray_get(&arr, i, &v);
        LH_FAIL_IF(!number_of(&v, &bd->ps[i]), LH_E_INVALID, eb,
                   "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] the percentages must be non-null "
                   "numbers SQLSTATE: 42K09");
        LH_TRY(check_p(bd->ps[i], eb));
    }
    return LH_OK;
}

static lh_err pct_bind_common(lh_func_bind_t *b, bool approx, double p_default, lh_errbuf *eb)
{
    pct_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    lh_type_t t = b->arg_types[0];
    bool interval = t.id == LH_TYPE_INTERVAL_YM || t.id == LH_TYPE_INTERVAL_DT;
    bool ok = lh_agg_is_numeric(t) || (!approx && interval) ||
              (approx && (t.id == LH_TYPE_DATE || t.id == LH_TYPE_TIMESTAMP ||
                          t.id == LH_TYPE_TIMESTAMP_NTZ));
    LH_FAIL_IF(!ok || (t.id == LH_TYPE_DECIMAL && t.precision > 18), LH_E_INVALID, eb,
               "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] percentile needs a numeric input "
               "SQLSTATE: 42K09");
    bd->p = p_default;
    if (b->arg_count >= 2) {
        const lh_value_t *c = b->const_args ? b->const_args[1] : NULL;
        if (c != NULL && !c->is_null && c->type.id == LH_TYPE_ARRAY) {
            LH_TRY(array_ps(b, c, bd, eb));
        } else {
            LH_FAIL_IF(c == NULL || !number_of(c, &bd->p), LH_E_INVALID, eb,
                       "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] the percentage must be a constant "
                       "number or array of numbers SQLSTATE: 42K09");
            LH_TRY(check_p(bd->p, eb));
        }
    }
    bd->approx = approx;
    bd->type = t;
    bd->interval = interval;
    if (!approx && !interval)
        b->cast_to[0] = (lh_type_t){.id = LH_TYPE_DOUBLE};
    /* an interval's result spans the whole range (interval year to month / day to second) */
    b->ret_type = approx     ? t
                  : interval ? (lh_type_t){.id = t.id}
                             : (lh_type_t){.id = LH_TYPE_DOUBLE};
    if (bd->array)
        b->ret_type = lh_type_array(b->ret_type);
    b->ret_nullable = true;
    b->bind_data = bd;
    return LH_OK;
}

static lh_err percentile_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return pct_bind_common(b, false, 0.5, eb);
}

/* percentile_cont(p) WITHIN GROUP (ORDER BY x DESC): the percentile at 1 - p */
static lh_err cont_desc_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(pct_bind_common(b, false, 0.5, eb));
    pct_bd *bd = b->bind_data;
    bd->p = 1 - bd->p;
    return LH_OK;
}

/* percentile_disc(p) WITHIN GROUP (ORDER BY x [DESC]) */
static lh_err disc_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(pct_bind_common(b, false, 0.5, eb));
    ((pct_bd *)b->bind_data)->discrete = true;
    return LH_OK;
}

static lh_err disc_desc_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(pct_bind_common(b, false, 0.5, eb)); /* p kept: counted from the largest value */
    ((pct_bd *)b->bind_data)->discrete = true;
    ((pct_bd *)b->bind_data)->desc = true;
    return LH_OK;
}

static lh_err disc_legacy_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(disc_bind(b, eb));
    ((pct_bd *)b->bind_data)->legacy = true;
    return LH_OK;
}

static lh_err disc_legacy_desc_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    LH_TRY(disc_desc_bind(b, eb));
    ((pct_bd *)b->bind_data)->legacy = true;
    return LH_OK;
}

static lh_err approx_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    return pct_bind_common(b, true, 0.5, eb);
}

static size_t pct_size(const void *bd)
{
    (void)bd;
    return sizeof(pct_state);
}

static void pct_init(const void *bd, void *st)
{
    (void)bd;
    memset(st, 0, sizeof(pct_state));
}

static void pct_destroy(const void *bd, void *st)
{
    (void)bd;
    free(((pct_state *)st)->v);
}

static bool pct_push(pct_state *s, union pv x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        union pv *v = realloc(s->v, cap * sizeof *v);
        if (v == NULL)
            return false;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return true;
}

static lh_err pct_update(const void *bdp, void **states, const lh_vec_t *const *args, size_t rows,
                         lh_errbuf *eb)
{
    const pct_bd *bd = bdp;
    bool f = !bd->approx || is_float(bd->type);
    for (size_t i = 0; i < rows; i++) {
        if (!lh_agg_valid(args[0], i))
            continue;
        union pv x;
        if (f)
            x.d = lh_vec_get_f64(args[0], i);
        else
            x.i = lh_vec_get_i64(args[0], i);
        LH_FAIL_IF(!pct_push(states[i], x), LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

static void pct_combine(const void *bd, void *dstp, const void *srcp)
{
    (void)bd;
    const pct_state *s = srcp;
    for (size_t k = 0; k < s->n; k++)
        LH_ASSERT(pct_push(dstp, s->v[k]));
}

static int cmp_d(const void *a, const void *b)
{
    double x = ((const union pv *)a)->d, y = ((const union pv *)b)->d;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return x < y ? -1 : (x > y);
}

static int cmp_i(const void *a, const void *b)
{
    int64_t x = ((const union pv *)a)->i, y = ((const union pv *)b)->i;
    return x < y ? -1 : (x > y);
}

/* The percentile p of the sorted, non-empty values of s. */
static lh_value_t pct_at(const pct_bd *bd, const pct_state *s, double p)
{
    bool f = !bd->approx || is_float(bd->type);
    lh_value_t r = {.type = f ? (lh_type_t){.id = LH_TYPE_DOUBLE} : bd->type};
    if (!bd->approx) {
        double pos = p * (double)(s->n - 1);
        size_t lo = (size_t)floor(pos), hi = (size_t)ceil(pos);
        if (bd->discrete && bd->legacy) {
            r.v.f64 = s->v[bd->desc ? s->n - 1 - lo : lo].d;
            return r;
        }
        if (bd->discrete) {
            size_t k = 0; /* (i + 1) / n as a division, so 0.6 of 5 values is 3 / 5 */
            while (k + 1 < s->n && (double)(k + 1) / (double)s->n < p)
                k++;
            r.v.f64 = s->v[bd->desc ? s->n - 1 - k : k].d;
            return r;
        }
        r.v.f64 = lo == hi ? s->v[lo].d
                           : ((double)hi - pos) * s->v[lo].d + (pos - (double)lo) * s->v[hi].d;
        return r;
    }
    size_t rank = (size_t)ceil(p * (double)s->n);
    size_t k = rank == 0 ? 0 : rank - 1;
    if (k >= s->n)
        k = s->n - 1;
    if (f)
        r.v.f64 = s->v[k].d;
    else
        r.v.i64 = s->v[k].i;
    return r;
}

static lh_err append_value(lh_vec_t *out, const lh_value_t *v)
{
    return v->type.id == LH_TYPE_DOUBLE || v->type.id == LH_TYPE_FLOAT
               ? lh_vec_append_f64(out, v->v.f64)
               : lh_vec_append_i64(out, v->v.i64);
}

/* An interval input's result: the number truncated back to the interval type. */
static lh_value_t as_result(const pct_bd *bd, lh_value_t r)
{
    if (!bd->interval)
        return r;
    double x = trunc(r.v.f64);
    if (bd->type.id == LH_TYPE_INTERVAL_YM)
        x = x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : x;
    else
        x = x < -9.2233720368547758e18   ? -9.2233720368547758e18
            : x >= 9.2233720368547758e18 ? 9.2233720368547748e18
                                         : x;
    return (lh_value_t){.type = {.id = bd->type.id}, .v.i64 = (int64_t)x};
}

static lh_err pct_one(const pct_bd *bd, pct_state *s, lh_vec_t *out, lh_nbuf_t *nb)
{
    if (s->n == 0)
        return lh_vec_append_null(out);
    bool f = !bd->approx || is_float(bd->type);
    qsort(s->v, s->n, sizeof *s->v, f ? cmp_d : cmp_i);
    if (!bd->array) {
        lh_value_t r = as_result(bd, pct_at(bd, s, bd->p));
        return append_value(out, &r);
    }
    lh_value_t *vals = malloc(((size_t)bd->pn + 1) * sizeof *vals);
    if (vals == NULL)
        return LH_E_NOMEM;
    for (uint32_t i = 0; i < bd->pn; i++)
        vals[i] = as_result(bd, pct_at(bd, s, bd->ps[i]));
    nb->len = 0;
    lh_err e = lh_nested_put_array(nb, out->type.nested->elem, vals, bd->pn);
    free(vals);
    return e != LH_OK ? e : lh_vec_append_str(out, nb->bytes, nb->len);
}

static lh_err pct_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                           lh_errbuf *eb)
{
    lh_nbuf_t nb = {0};
    lh_err e = LH_OK;
    for (size_t k = 0; k < count && e == LH_OK; k++)
        e = pct_one(bdp, states[k], out, &nb);
    lh_nbuf_free(&nb);
    LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

/* ---- approx_count_distinct ------------------------------------------------------------- */

typedef struct hll_bd {
    int p;
    lh_type_t type;
} hll_bd;

static lh_err hll_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    double rsd = 0.05;
    if (b->arg_count == 2) {
        const lh_value_t *c = b->const_args ? b->const_args[1] : NULL;
        LH_FAIL_IF(c == NULL || c->is_null || !is_float(c->type), LH_E_INVALID, eb,
                   "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] relativeSD must be a constant "
                   "double SQLSTATE: 42K09");
        rsd = c->v.f64;
    }
    LH_FAIL_IF(!(rsd >= 0.01 - 1e-12), LH_E_INVALID, eb,
               "[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] relativeSD must be at least 0.01 "
               "SQLSTATE: 42K09");
    LH_FAIL_IF(b->arg_types[0].id == LH_TYPE_DECIMAL && b->arg_types[0].precision > 18,
               LH_E_NOT_IMPLEMENTED, eb, "approx_count_distinct of DECIMAL(>18) is not supported");
    hll_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->p = (int)ceil(2.0 * log(1.106 / rsd) / log(2.0));
    bd->type = b->arg_types[0];
    b->ret_type = (lh_type_t){.id = LH_TYPE_LONG};
    b->ret_nullable = false;
    b->bind_data = bd;
    return LH_OK;
}

static size_t hll_size(const void *bdp)
{
    return (size_t)1 << ((const hll_bd *)bdp)->p;
}

static void hll_init(const void *bdp, void *st)
{
    memset(st, 0, hll_size(bdp));
}

/* Spark's XxHash64Function.hash(value, type, 42) for one valid row. */
static uint64_t spark_hash(const lh_vec_t *v, size_t i)
{
    switch (v->type.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY: {
        lh_sv_t s = lh_vec_get_str(v, i);
        return XXH64(s.ptr, s.len, 42);
    }
    case LH_TYPE_FLOAT: {
        float f = (float)lh_vec_get_f64(v, i);
        if (f == 0.0f)
            f = 0.0f;
        int32_t bits;
        memcpy(&bits, &f, 4);
        if (isnan(f))
            bits = 0x7fc00000;
        return XXH64(&bits, 4, 42);
    }
    case LH_TYPE_DOUBLE: {
        double d = lh_vec_get_f64(v, i);
        if (d == 0.0)
            d = 0.0;
        int64_t bits;
        memcpy(&bits, &d, 8);
        if (isnan(d))
            bits = 0x7ff8000000000000LL;
        return XXH64(&bits, 8, 42);
    }
    case LH_TYPE_LONG:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
    case LH_TYPE_DECIMAL: {
        int64_t x = lh_vec_get_i64(v, i);
        return XXH64(&x, 8, 42);
    }
    default: {
        int32_t x = (int32_t)lh_vec_get_i64(v, i);
        return XXH64(&x, 4, 42);
    }
    }
}

static lh_err hll_update(const void *bdp, void **states, const lh_vec_t *const *args, size_t rows,
                         lh_errbuf *eb)
{
    int p = ((const hll_bd *)bdp)->p;
    (void)eb;
    for (size_t i = 0; i < rows; i++) {
        if (!lh_agg_valid(args[0], i))
            continue;
        uint64_t x = spark_hash(args[0], i);
        size_t idx = (size_t)(x >> (64 - p));
        uint64_t w = (x << p) | ((uint64_t)1 << (p - 1));
        uint8_t pw = (uint8_t)(__builtin_clzll(w) + 1);
        uint8_t *reg = states[i];
        if (pw > reg[idx])
            reg[idx] = pw;
    }
    return LH_OK;
}

static void hll_combine(const void *bdp, void *dstp, const void *srcp)
{
    uint8_t *d = dstp;
    const uint8_t *s = srcp;
    for (size_t k = 0, m = hll_size(bdp); k < m; k++)
        if (s[k] > d[k])
            d[k] = s[k];
}

static int64_t hll_estimate(int p, const uint8_t *reg)
{
    static const double thresholds[] = {10,   20,   40,    80,    220,   400,    900,   1800,
                                        3100, 6500, 11500, 20000, 50000, 120000, 350000};
    double m = (double)((size_t)1 << p), alpha;
    alpha = p == 4 ? 0.673 : p == 5 ? 0.697 : p == 6 ? 0.709 : 0.7213 / (1.0 + 1.079 / m);
    double zinv = 0;
    size_t zeros = 0;
    for (size_t k = 0; k < (size_t)m; k++) {
        zinv += ldexp(1.0, -(int)reg[k]);
        zeros += reg[k] == 0;
    }
    double e = alpha * m * m / zinv;
    if (zeros > 0) {
        double small = m * log(m / (double)zeros);
        if (p - 4 < 15 && small <= thresholds[p - 4])
            return (int64_t)llround(small);
        if (e <= 5 * m) /* where HLL++ corrects the raw estimate's bias: linear counting */
            return (int64_t)llround(small);
    }
    return (int64_t)llround(e);
}

static lh_err hll_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                           lh_errbuf *eb)
{
    int p = ((const hll_bd *)bdp)->p;
    for (size_t k = 0; k < count; k++)
        LH_FAIL_IF(lh_vec_append_i64(out, hll_estimate(p, states[k])) != LH_OK, LH_E_NOMEM, eb,
                   "out of memory");
    return LH_OK;
}

#define PCT_ROW(nm, bind, mn, mx)                                                                  \
    {                                                                                              \
        nm, mn, mx, bind, pct_size, pct_init, pct_update, pct_combine, pct_finalize, pct_destroy,  \
            false                                                                                  \
    }

const lh_agg_func_t lh_agg_pct_rows[] = {
    PCT_ROW("percentile", percentile_bind, 2, 3),
    PCT_ROW("median", percentile_bind, 1, 1),
    PCT_ROW("percentile_cont", percentile_bind, 2, 2), /* the binder puts the ordering first */
    PCT_ROW("percentile_cont desc", cont_desc_bind, 2, 2),
    PCT_ROW("percentile_disc", disc_bind, 2, 2),
    PCT_ROW("percentile_disc desc", disc_desc_bind, 2, 2),
    PCT_ROW("percentile_disc legacy", disc_legacy_bind, 2, 2),
    PCT_ROW("percentile_disc legacy desc", disc_legacy_desc_bind, 2, 2),
    PCT_ROW("percentile_approx", approx_bind, 2, 3),
    PCT_ROW("approx_percentile", approx_bind, 2, 3),
    {"approx_count_distinct", 1, 2, hll_bind, hll_size, hll_init, hll_update, hll_combine,
     hll_finalize, NULL, false},
};
const int lh_agg_pct_count = sizeof lh_agg_pct_rows / sizeof lh_agg_pct_rows[0];
