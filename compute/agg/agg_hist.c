/*
 * agg_hist.c - histogram_numeric(x, nb): an approximate histogram of at most nb bins as
 * ARRAY<STRUCT<x: input type, y: DOUBLE>> (Ben-Haim and Tom-Tov's streaming histogram, as
 * Hive's and Spark's NumericHistogram build it).
 *
 * State: the bins sorted by x (a malloc'd array), their count, nb, and a java.util.Random
 * seeded 31183 (Spark breaks ties between equally close bin pairs with it, so the same
 * input order gives Spark's bins). Adding a value bumps the bin with that exact x or
 * inserts a bin of height 1; past nb bins, the two closest neighbours merge into their
 * height-weighted mean. Combine merges the sorted bin lists and trims the same way.
 * Finalize writes each bin's x back in the input type (integers truncated as Java's casts
 * do) and NULL for a group without values.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/nested.h"
#include "compute/agg/agg_internal.h"
#include "compute/func/coerce.h"
#include "compute/func/dec.h"
#include "compute/func/format.h"
#include "compute/sqlerr.h"

#define TYPE(id) ((lh_type_t){(id), 0, 0})

typedef struct bin {
    double x, y;
} bin;

typedef struct hist_state {
    bin *bins;
    uint32_t used, cap;
    int64_t rng; /* java.util.Random's 48-bit seed */
} hist_state;

typedef struct hist_bd {
    lh_type_t in; /* the input type (DOUBLE for an untyped NULL column) */
    lh_type_t st; /* STRUCT<x, y> */
    int32_t nb;   /* maximum bins */
} hist_bd;

#define RNG_MULT 0x5DEECE66DLL
#define RNG_MASK ((1LL << 48) - 1)

static int32_t rng_next(hist_state *s, int bits)
{
    /* 48-bit LCG: multiply in unsigned arithmetic (it wraps; only the low 48 bits matter) */
    s->rng = (int64_t)(((uint64_t)s->rng * (uint64_t)RNG_MULT + 0xB) & (uint64_t)RNG_MASK);
    return (int32_t)(s->rng >> (48 - bits));
}

static double rng_double(hist_state *s)
{
    int64_t hi = rng_next(s, 26), lo = rng_next(s, 27);
    return (double)((hi << 27) + lo) * 0x1.0p-53;
}

static bool hist_type_ok(lh_type_id t)
{
    return lh_type_is_numeric(t) || t == LH_TYPE_DATE || t == LH_TYPE_TIMESTAMP ||
           t == LH_TYPE_TIMESTAMP_NTZ || lh_type_is_interval(t) || t == LH_TYPE_NULL;
}

static lh_err bad_input(lh_func_bind_t *b, int idx, const char *required, lh_errbuf *eb)
{
    char t[64], ty[80];
    lh_format_type_sql(b->arg_types[idx], t, sizeof t);
    snprintf(ty, sizeof ty, "\"%s\"", t);
    return lh_sqlerr(eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr",
                     "\"histogram_numeric(...)\"", "paramIndex", idx == 0 ? "first" : "second",
                     "requiredType", required, "inputSql", "the argument", "inputType", ty, NULL);
}

static lh_err hist_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    if (!hist_type_ok(b->arg_types[0].id))
        return bad_input(b, 0,
                         "(\"NUMERIC\" or \"TIMESTAMP\" or \"DATE\" or \"TIMESTAMP_NTZ\" or "
                         "\"INTERVAL YEAR TO MONTH\" or \"INTERVAL DAY TO SECOND\")",
                         eb);
    const lh_value_t *nb = b->const_args ? b->const_args[1] : NULL;
    if (nb == NULL || nb->is_null || !lh_type_is_integral(nb->type.id))
        return bad_input(b, 1, "\"INT\"", eb);
    if (nb->v.i64 < 2 || nb->v.i64 > INT32_MAX) {
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)nb->v.i64);
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE", "sqlExpr",
                         "\"histogram_numeric\"", "exprName", "`nb`", "valueRange",
                         "[2, 2147483647]", "currentValue", v, NULL);
    }
    hist_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->in = b->arg_types[0].id == LH_TYPE_NULL ? TYPE(LH_TYPE_DOUBLE) : b->arg_types[0];
    bd->nb = (int32_t)nb->v.i64;
    static const char *const names[] = {"x", "y"};
    lh_type_t ft[2] = {bd->in, TYPE(LH_TYPE_DOUBLE)};
    bd->st = lh_type_struct(2, names, ft);
    b->cast_to[0] = bd->in;
    b->cast_to[1] = TYPE(LH_TYPE_INT);
    b->bind_data = bd;
    b->ret_type = lh_type_array(bd->st);
    b->ret_nullable = true;
    return LH_OK;
}

static size_t hist_size(const void *bd)
{
    (void)bd;
    return sizeof(hist_state);
}

static void hist_init(const void *bd, void *state)
{
    (void)bd;
    hist_state *s = state;
    memset(s, 0, sizeof *s);
    s->rng = (31183 ^ RNG_MULT) & RNG_MASK;
}

static bool reserve(hist_state *s, uint32_t n)
{
    if (n <= s->cap)
        return true;
    uint32_t cap = s->cap ? s->cap : 8;
    while (cap < n)
        cap *= 2;
    bin *p = realloc(s->bins, (size_t)cap * sizeof *p);
    if (p == NULL)
        return false;
    s->bins = p;
    s->cap = cap;
    return true;
}

/* Merge the closest neighbours until at most nb bins remain (ties: Spark's reservoir pick). */
static void trim(hist_state *s, uint32_t nb)
{
    while (s->used > nb) {
        double smallest = s->bins[1].x - s->bins[0].x;
        uint32_t loc = 0, ties = 1;
        for (uint32_t i = 1; i + 1 < s->used; i++) {
            double diff = s->bins[i + 1].x - s->bins[i].x;
            if (diff < smallest) {
                smallest = diff, loc = i, ties = 1;
            } else if (diff == smallest && rng_double(s) <= 1.0 / ++ties) {
                loc = i;
            }
        }
        bin *a = &s->bins[loc], *b = &s->bins[loc + 1];
        double d = a->y + b->y;
        a->x *= a->y / d;
        a->x += b->x / d * b->y;
        a->y = d;
        memmove(b, b + 1, (size_t)(s->used - loc - 2) * sizeof *b);
        s->used--;
    }
}

static bool add(hist_state *s, double v, uint32_t nb)
{
    uint32_t lo = 0, hi = s->used, at = 0;
    while (lo < hi) { /* the first bin with x >= v */
        at = (lo + hi) / 2;
        if (s->bins[at].x > v) {
            hi = at;
        } else if (s->bins[at].x < v) {
            lo = ++at;
        } else {
            break;
        }
    }
    if (at < s->used && s->bins[at].x == v) {
        s->bins[at].y++;
        return true;
    }
    if (!reserve(s, s->used + 1))
        return false;
    memmove(&s->bins[at + 1], &s->bins[at], (size_t)(s->used - at) * sizeof(bin));
    s->bins[at] = (bin){v, 1};
    if (++s->used > nb)
        trim(s, nb);
    return true;
}

static double as_double(const lh_vec_t *v, size_t i)
{
    switch (v->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return lh_vec_get_f64(v, i);
    case LH_TYPE_DECIMAL:
        return lh_dec_to_double(lh_vec_get_i128(v, i), v->type.scale);
    default:
        return (double)lh_vec_get_i64(v, i);
    }
}

static lh_err hist_update(const void *bdp, void **states, const lh_vec_t *const *args, size_t rows,
                          lh_errbuf *eb)
{
    const hist_bd *bd = bdp;
    const lh_vec_t *v = args[0];
    for (size_t i = 0; i < rows; i++) {
        if (v->type.id == LH_TYPE_NULL || !lh_agg_valid(v, i))
            continue;
        double x = as_double(v, i);
        LH_FAIL_IF(!add(states[i], x, (uint32_t)bd->nb), LH_E_NOMEM, eb,
                   "histogram_numeric: out of memory");
    }
    return LH_OK;
}

static void hist_combine(const void *bdp, void *dst, const void *src)
{
    const hist_bd *bd = bdp;
    hist_state *d = dst;
    const hist_state *s = src;
    if (s->used == 0 || !reserve(d, d->used + s->used))
        return;
    /* a stable merge of two sorted lists (Spark sorts their concatenation stably) */
    bin *tmp = malloc((size_t)(d->used + s->used) * sizeof *tmp);
    if (tmp == NULL)
        return;
    uint32_t i = 0, j = 0, k = 0;
    while (i < d->used || j < s->used)
        tmp[k++] = j >= s->used || (i < d->used && d->bins[i].x <= s->bins[j].x) ? d->bins[i++]
                                                                                 : s->bins[j++];
    memcpy(d->bins, tmp, (size_t)k * sizeof *tmp);
    free(tmp);
    d->used = k;
    trim(d, (uint32_t)bd->nb);
}

/* Java's narrowing of a double: truncation toward zero, saturating, NaN as 0. */
static int64_t java_long(double x, int64_t lo, int64_t hi)
{
    if (isnan(x))
        return 0;
    if (x <= (double)lo)
        return lo;
    if (x >= (double)hi)
        return hi;
    return (int64_t)x;
}

static lh_value_t x_value(const hist_bd *bd, double x)
{
    lh_value_t v = {.type = bd->in};
    switch (bd->in.id) {
    case LH_TYPE_FLOAT:
        v.v.f64 = (float)x;
        break;
    case LH_TYPE_DOUBLE:
        v.v.f64 = x;
        break;
    case LH_TYPE_DECIMAL: {
        lh_i128 q;
        if (!lh_dec_from_double(x, bd->in.scale, bd->in.precision, &q))
            v.is_null = true;
        else if (bd->in.precision > 18)
            v.v.i128 = q;
        else
            v.v.i64 = (int64_t)q;
        break;
    }
    case LH_TYPE_LONG:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
    case LH_TYPE_INTERVAL_DT:
        v.v.i64 = java_long(x, INT64_MIN, INT64_MAX);
        break;
    default: { /* int, then Java's (byte)/(short) wrap of that int */
        int64_t n = java_long(x, INT32_MIN, INT32_MAX);
        if (bd->in.id == LH_TYPE_BYTE)
            n = (int8_t)(uint8_t)n;
        else if (bd->in.id == LH_TYPE_SHORT)
            n = (int16_t)(uint16_t)n;
        v.v.i64 = n;
    }
    }
    return v;
}

static lh_err encode(const hist_bd *bd, const hist_state *s, lh_nbuf_t *nb, lh_nbuf_t *row)
{
    size_t *ends = malloc((size_t)s->used * sizeof *ends);
    lh_value_t *vals = malloc((size_t)s->used * sizeof *vals);
    lh_err e = ends && vals ? LH_OK : LH_E_NOMEM;
    nb->len = 0;
    for (uint32_t k = 0; k < s->used && e == LH_OK; k++) {
        lh_value_t f[2] = {x_value(bd, s->bins[k].x),
                           {.type = TYPE(LH_TYPE_DOUBLE), .v.f64 = s->bins[k].y}};
        e = lh_nested_put_struct(nb, bd->st, f);
        ends[k] = nb->len;
    }
    for (uint32_t k = 0; k < s->used && e == LH_OK; k++) {
        size_t start = k ? ends[k - 1] : 0;
        vals[k] =
            (lh_value_t){.type = bd->st, .v.str = {nb->bytes + start, (uint32_t)(ends[k] - start)}};
    }
    row->len = 0;
    if (e == LH_OK)
        e = lh_nested_put_array(row, bd->st, vals, s->used);
    free(ends);
    free(vals);
    return e;
}

static lh_err hist_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                            lh_errbuf *eb)
{
    const hist_bd *bd = bdp;
    lh_nbuf_t nb = {0}, row = {0};
    lh_err e = LH_OK;
    for (size_t k = 0; k < count && e == LH_OK; k++) {
        const hist_state *s = states[k];
        if (s->used == 0) {
            e = lh_vec_append_null(out);
            continue;
        }
        e = encode(bd, s, &nb, &row);
        if (e == LH_OK)
            e = lh_vec_append_str(out, row.bytes, row.len);
    }
    lh_nbuf_free(&nb);
    lh_nbuf_free(&row);
    LH_FAIL_IF(e != LH_OK, e, eb, "histogram_numeric: out of memory");
    return LH_OK;
}

static void hist_destroy(const void *bd, void *state)
{
    (void)bd;
    hist_state *s = state;
    free(s->bins);
    memset(s, 0, sizeof *s);
}

const lh_agg_func_t lh_agg_hist_rows[] = {
    {"histogram_numeric", 2, 2, hist_bind, hist_size, hist_init, hist_update, hist_combine,
     hist_finalize, hist_destroy, true},
};
const int lh_agg_hist_count = sizeof lh_agg_hist_rows / sizeof lh_agg_hist_rows[0];
