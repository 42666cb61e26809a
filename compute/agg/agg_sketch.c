/*
 * agg_sketch.c - count_min_sketch(x, eps, confidence, seed): a Count-Min sketch of x
 * (integral, STRING or BINARY), serialized as Spark's CountMinSketchImpl writes it (BINARY).
 *
 * width = ceil(2 / eps) and depth = ceil(-ln(1 - confidence) / ln 2) counters per row;
 * row i hashes with hashA[i], drawn by java.util.Random(seed).nextInt(Integer.MAX_VALUE).
 * An integral value v lands in ((int)((a*v + (a*v >> 32)) & (2^31 - 1))) % width (Spark's
 * addLong); bytes (a string's UTF-8) in |(h1 + i*h2) % width| with h1, h2 Murmur3_x86_32
 * of the bytes (seeds 0 and h1; Spark's addBinary). Serialized big-endian: version 1, the
 * total count, depth, width, the depth hashA values, then the counters row by row. A group
 * without values gets the empty sketch (not NULL). The state is the total and the counters
 * (hashA is the bind data's: one seed for every group).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/agg/agg_internal.h"
#include "compute/func/coerce.h"
#include "compute/func/dec.h"
#include "compute/func/format.h"
#include "compute/func/murmur.h"
#include "compute/sqlerr.h"

#define SKETCH_MAX_CELLS (1 << 22) /* depth * width counters a state may hold */

typedef struct sketch_bd {
    int32_t depth, width;
    int64_t *hash_a;
} sketch_bd;

/* ---- java.util.Random ------------------------------------------------------------------- */

#define RNG_MULT 0x5DEECE66DULL
#define RNG_MASK ((1ULL << 48) - 1)

static int32_t rng_next(uint64_t *s, int bits)
{
    *s = (*s * RNG_MULT + 0xB) & RNG_MASK;
    return (int32_t)(*s >> (48 - bits));
}

/* Random.nextInt(bound) for a bound that is not a power of two. */
static int32_t rng_int(uint64_t *s, int32_t bound)
{
    for (;;) {
        int32_t u = rng_next(s, 31), r = u % bound;
        if ((int64_t)u - r + (bound - 1) <= INT32_MAX)
            return r;
    }
}

/* ---- the aggregate ---------------------------------------------------------------------- */

static lh_err out_of_range(const char *name, const char *range, double v, lh_errbuf *eb)
{
    char cur[64];
    snprintf(cur, sizeof cur, "%.17g", v);
    return lh_sqlerr(eb, "DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE", "sqlExpr",
                     "\"count_min_sketch(...)\"", "exprName", name, "valueRange", range,
                     "currentValue", cur, NULL);
}

static lh_err sketch_bind(lh_func_bind_t *b, lh_errbuf *eb)
{
    lh_type_id t = b->arg_types[0].id;
    if (!lh_type_is_integral(t) && t != LH_TYPE_STRING && t != LH_TYPE_BINARY &&
        t != LH_TYPE_NULL) {
        char ty[64], q[80];
        lh_format_type_sql(b->arg_types[0], ty, sizeof ty);
        snprintf(q, sizeof q, "\"%s\"", ty);
        return lh_sqlerr(eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr",
                         "\"count_min_sketch(...)\"", "paramIndex", "first", "requiredType",
                         "(\"INTEGRAL\" or \"STRING\" or \"BINARY\")", "inputSql", "the argument",
                         "inputType", q, NULL);
    }
    for (int i = 1; i < 4; i++) {
        const lh_value_t *c = b->const_args ? b->const_args[i] : NULL;
        if (c == NULL)
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "sqlExpr",
                             "\"count_min_sketch(...)\"", "inputName",
                             i == 1   ? "`eps`"
                             : i == 2 ? "`confidence`"
                                      : "`seed`",
                             "inputType", i == 3 ? "\"INT\"" : "\"DOUBLE\"", "inputExpr", "", NULL);
        if (c->is_null)
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.UNEXPECTED_NULL", "sqlExpr",
                             "\"count_min_sketch(...)\"", "exprName",
                             i == 1   ? "eps"
                             : i == 2 ? "confidence"
                                      : "seed",
                             NULL);
    }
    lh_value_t d[3];
    for (int i = 1; i < 4; i++) {
        d[i - 1] = *b->const_args[i];
        if (lh_type_is_integral(d[i - 1].type.id))
            d[i - 1].v.f64 = (double)d[i - 1].v.i64;
        else if (d[i - 1].type.id == LH_TYPE_DECIMAL)
            d[i - 1].v.f64 = lh_dec_to_double(
                d[i - 1].type.precision > 18 ? d[i - 1].v.i128 : (lh_i128)d[i - 1].v.i64,
                d[i - 1].type.scale);
        else if (d[i - 1].type.id != LH_TYPE_DOUBLE && d[i - 1].type.id != LH_TYPE_FLOAT)
            return lh_sqlerr(eb, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "sqlExpr",
                             "\"count_min_sketch(...)\"", "paramIndex",
                             i == 1   ? "second"
                             : i == 2 ? "third"
                                      : "fourth",
                             "requiredType", i == 3 ? "\"INT\"" : "\"DOUBLE\"", "inputSql",
                             "the argument", "inputType", "", NULL);
    }
    double eps = d[0].v.f64, conf = d[1].v.f64;
    if (!(eps > 0))
        return out_of_range("eps", "(0, +Infinity)", eps, eb);
    if (!(conf > 0 && conf < 1))
        return out_of_range("confidence", "(0, 1)", conf, eb);
    double w = ceil(2 / eps), dp = ceil(-log(1 - conf) / log(2));
    if (w * dp > SKETCH_MAX_CELLS)
        return lh_sqlerr(eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "a count_min_sketch of more than 4194304 counters", NULL);
    sketch_bd *bd = lh_arena_calloc(b->arena, 1, sizeof *bd);
    bd->width = (int32_t)w;
    bd->depth = (int32_t)dp;
    bd->hash_a = lh_arena_calloc(b->arena, (size_t)bd->depth + 1, sizeof *bd->hash_a);
    uint64_t rng = ((uint64_t)(int64_t)(int32_t)d[2].v.f64 ^ RNG_MULT) & RNG_MASK;
    for (int i = 0; i < bd->depth; i++)
        bd->hash_a[i] = rng_int(&rng, INT32_MAX);
    if (lh_type_is_integral(t))
        b->cast_to[0] = (lh_type_t){.id = LH_TYPE_LONG};
    b->cast_to[1] = b->cast_to[2] = (lh_type_t){.id = LH_TYPE_DOUBLE};
    b->cast_to[3] = (lh_type_t){.id = LH_TYPE_INT};
    b->ret_type = (lh_type_t){.id = LH_TYPE_BINARY};
    b->ret_nullable = false;
    b->bind_data = bd;
    return LH_OK;
}

/* state: the total count, then depth * width counters */
static size_t sketch_size(const void *bdp)
{
    const sketch_bd *bd = bdp;
    return sizeof(int64_t) * (1 + (size_t)bd->depth * (size_t)bd->width);
}

static void sketch_init(const void *bdp, void *st)
{
    memset(st, 0, sketch_size(bdp));
}

static lh_err sketch_update(const void *bdp, void **states, const lh_vec_t *const *args,
                            size_t rows, lh_errbuf *eb)
{
    const sketch_bd *bd = bdp;
    const lh_vec_t *v = args[0];
    int32_t w = bd->width;
    (void)eb;
    if (v->type.id == LH_TYPE_NULL)
        return LH_OK;
    bool bytes = lh_type_is_bytes(v->type);
    for (size_t i = 0; i < rows; i++) {
        if (!lh_agg_valid(v, i))
            continue;
        int64_t *s = states[i];
        s[0]++;
        if (!bytes) {
            int64_t x = ((const int64_t *)v->data)[i];
            for (int32_t d = 0; d < bd->depth; d++) {
                uint64_t h = (uint64_t)bd->hash_a[d] * (uint64_t)x;
                h += (uint64_t)((int64_t)h >> 32);
                h &= (1ULL << 31) - 1;
                s[1 + (size_t)d * (size_t)w + (size_t)((int32_t)h % w)]++;
            }
            continue;
        }
        lh_sv_t sv = ((const lh_sv_t *)v->data)[i];
        int32_t h1 = (int32_t)lh_murmur3_bytes(sv.ptr, sv.len, 0);
        int32_t h2 = (int32_t)lh_murmur3_bytes(sv.ptr, sv.len, (uint32_t)h1);
        for (int32_t d = 0; d < bd->depth; d++) {
            int32_t c = (int32_t)((uint32_t)h1 + (uint32_t)d * (uint32_t)h2) % w;
            s[1 + (size_t)d * (size_t)w + (size_t)(c < 0 ? -c : c)]++;
        }
    }
    return LH_OK;
}

static void sketch_combine(const void *bdp, void *dstp, const void *srcp)
{
    int64_t *d = dstp;
    const int64_t *s = srcp;
    size_t n = sketch_size(bdp) / sizeof(int64_t);
    for (size_t i = 0; i < n; i++)
        d[i] += s[i];
}

static void put_be(uint8_t **p, uint64_t v, int bytes)
{
    for (int k = bytes - 1; k >= 0; k--)
        *(*p)++ = (uint8_t)(v >> (8 * k));
}

static lh_err sketch_finalize(const void *bdp, void *const *states, size_t count, lh_vec_t *out,
                              lh_errbuf *eb)
{
    const sketch_bd *bd = bdp;
    size_t cells = (size_t)bd->depth * (size_t)bd->width;
    size_t len = 4 + 8 + 4 + 4 + 8 * (size_t)bd->depth + 8 * cells;
    uint8_t *buf = malloc(len);
    LH_FAIL_IF(buf == NULL, LH_E_NOMEM, eb, "count_min_sketch: out of memory");
    lh_err e = LH_OK;
    for (size_t k = 0; k < count && e == LH_OK; k++) {
        const int64_t *s = states[k];
        uint8_t *p = buf;
        put_be(&p, 1, 4); /* version */
        put_be(&p, (uint64_t)s[0], 8);
        put_be(&p, (uint64_t)bd->depth, 4);
        put_be(&p, (uint64_t)bd->width, 4);
        for (int32_t d = 0; d < bd->depth; d++)
            put_be(&p, (uint64_t)bd->hash_a[d], 8);
        for (size_t c = 0; c < cells; c++)
            put_be(&p, (uint64_t)s[1 + c], 8);
        e = lh_vec_append_str(out, buf, (uint32_t)len);
    }
    free(buf);
    LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "count_min_sketch: out of memory");
    return LH_OK;
}

const lh_agg_func_t lh_agg_sketch_rows[] = {
    {"count_min_sketch", 4, 4, sketch_bind, sketch_size, sketch_init, sketch_update, sketch_combine,
     sketch_finalize, NULL, false},
};
const int lh_agg_sketch_count = sizeof lh_agg_sketch_rows / sizeof lh_agg_sketch_rows[0];
