/*
 * vecops.c - gather, scatter, compare and key encoding over flat vectors (see vecops.h).
 *
 * Gather and scatter move fixed-width slots with memcpy by width and copy validity bit by
 * bit; strings move as {ptr, len} slices (no byte copy). Comparison dispatches on the type
 * once per call; callers in hot loops (sort) pay one switch per compared pair.
 */
#include "compute/expr/vecops.h"

#include "common/nested.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static bool valid(const lh_vec_t *v, size_t i)
{
    return v->validity == NULL || ((v->validity[i >> 6] >> (i & 63)) & 1u);
}

lh_err lh_vecops_gather(lh_vec_t *dst, const lh_vec_t *src, const uint32_t *idx, size_t n)
{
    lh_vec_reset(dst);
    return lh_vecops_gather_append(dst, src, idx, n);
}

lh_err lh_vecops_gather_append(lh_vec_t *dst, const lh_vec_t *src, const uint32_t *idx, size_t n)
{
    size_t at = dst->count;
    LH_TRY(lh_vec_reserve(dst, at + n ? at + n : 1));
    size_t w = lh_type_width(src->type);
    char *d = (char *)dst->data + at * w;
    const char *s = src->data;
    switch (w) { /* constant sizes let the copies become single moves */
    case 16:
        for (size_t k = 0; k < n; k++)
            memcpy(d + k * 16, s + (size_t)idx[k] * 16, 16);
        break;
    case 8:
        for (size_t k = 0; k < n; k++)
            memcpy(d + k * 8, s + (size_t)idx[k] * 8, 8);
        break;
    case 4:
        for (size_t k = 0; k < n; k++)
            memcpy(d + k * 4, s + (size_t)idx[k] * 4, 4);
        break;
    default:
        for (size_t k = 0; k < n; k++)
            memcpy(d + k * w, s + (size_t)idx[k] * w, w);
    }
    if (src->validity != NULL)
        for (size_t k = 0; k < n; k++)
            if (!valid(src, idx[k]))
                LH_TRY(lh_vec_set_null(dst, at + k, true));
    dst->count = at + n;
    return LH_OK;
}

lh_err lh_vecops_scatter(lh_vec_t *dst, const lh_vec_t *src, const uint32_t *idx, size_t n)
{
    size_t w = lh_type_width(src->type);
    LH_ASSERT(w == lh_type_width(dst->type)); /* the binder casts every branch to one type */
    char *d = dst->data;
    const char *s = src->data;
    for (size_t k = 0; k < n; k++) {
        memcpy(d + (size_t)idx[k] * w, s + k * w, w);
        bool ok = valid(src, k);
        if (!ok || dst->validity != NULL)
            LH_TRY(lh_vec_set_null(dst, idx[k], !ok));
    }
    return LH_OK;
}

lh_err lh_vecops_append_row(lh_vec_t *dst, const lh_vec_t *src, size_t i)
{
    return lh_vec_append_range(dst, src, i, 1);
}

lh_err lh_vecops_fill_null(lh_vec_t *dst, size_t n)
{
    lh_vec_reset(dst);
    LH_TRY(lh_vec_reserve(dst, n ? n : 1));
    memset(dst->data, 0, n * lh_type_width(dst->type));
    size_t words = (dst->capacity + 63) / 64;
    dst->validity = calloc(words, sizeof(uint64_t));
    if (dst->validity == NULL)
        return LH_E_NOMEM;
    dst->count = n;
    return LH_OK;
}

static int cmp_f64(double a, double b)
{
    bool na = isnan(a), nb = isnan(b);
    if (na || nb)
        return na == nb ? 0 : (na ? 1 : -1);
    return a < b ? -1 : (a > b ? 1 : 0);
}

static int cmp_sv(lh_sv_t a, lh_sv_t b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c != 0)
        return c < 0 ? -1 : 1;
    return a.len < b.len ? -1 : (a.len > b.len ? 1 : 0);
}

static int64_t slot_i64(const lh_vec_t *v, size_t i)
{
    switch (lh_type_width(v->type)) {
    case 1:
        return v->type.id == LH_TYPE_BOOLEAN ? ((const uint8_t *)v->data)[i]
                                             : ((const int8_t *)v->data)[i];
    case 2:
        return ((const int16_t *)v->data)[i];
    case 4:
        return ((const int32_t *)v->data)[i];
    default:
        return ((const int64_t *)v->data)[i];
    }
}

int lh_vecops_cmp(const lh_vec_t *a, size_t i, const lh_vec_t *b, size_t j)
{
    switch (a->type.id) {
    case LH_TYPE_FLOAT:
        return cmp_f64(((const float *)a->data)[i], ((const float *)b->data)[j]);
    case LH_TYPE_DOUBLE:
        return cmp_f64(((const double *)a->data)[i], ((const double *)b->data)[j]);
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
        return cmp_sv(((const lh_sv_t *)a->data)[i], ((const lh_sv_t *)b->data)[j]);
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return lh_nested_compare(a->type, ((const lh_sv_t *)a->data)[i],
                                 ((const lh_sv_t *)b->data)[j]);
    case LH_TYPE_DECIMAL:
        if (a->type.precision > 18) {
            lh_i128 x = ((const lh_i128 *)a->data)[i], y = ((const lh_i128 *)b->data)[j];
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        /* fall through */
    default: {
        int64_t x = slot_i64(a, i), y = slot_i64(b, j);
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    }
}

bool lh_vecops_eq(const lh_vec_t *a, size_t i, const lh_vec_t *b, size_t j)
{
    return lh_vecops_cmp(a, i, b, j) == 0;
}

int lh_vecops_value_cmp(const lh_value_t *a, const lh_value_t *b)
{
    switch (a->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return cmp_f64(a->v.f64, b->v.f64);
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
        return cmp_sv(a->v.str, b->v.str);
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return lh_nested_compare(a->type, a->v.str, b->v.str);
    case LH_TYPE_DECIMAL:
        if (a->type.precision > 18)
            return a->v.i128 < b->v.i128 ? -1 : (a->v.i128 > b->v.i128 ? 1 : 0);
        /* fall through */
    default:
        return a->v.i64 < b->v.i64 ? -1 : (a->v.i64 > b->v.i64 ? 1 : 0);
    }
}

size_t lh_vecops_encoded_size(const lh_vec_t *v, size_t i)
{
    if (!valid(v, i))
        return 1;
    if (lh_type_is_bytes(v->type))
        return 5 + ((const lh_sv_t *)v->data)[i].len;
    return 1 + lh_type_width(v->type);
}

size_t lh_vecops_encode(const lh_vec_t *v, size_t i, uint8_t *out)
{
    if (!valid(v, i)) {
        out[0] = 0;
        return 1;
    }
    out[0] = 1;
    switch (v->type.id) {
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT: {
        lh_sv_t s = ((const lh_sv_t *)v->data)[i];
        memcpy(out + 1, &s.len, 4);
        if (s.len)
            memcpy(out + 5, s.ptr, s.len);
        return 5 + s.len;
    }
    case LH_TYPE_FLOAT: {
        float f = ((const float *)v->data)[i];
        f = isnan(f) ? NAN : (f == 0.0f ? 0.0f : f);
        memcpy(out + 1, &f, 4);
        return 5;
    }
    case LH_TYPE_DOUBLE: {
        double d = ((const double *)v->data)[i];
        d = isnan(d) ? NAN : (d == 0.0 ? 0.0 : d);
        memcpy(out + 1, &d, 8);
        return 9;
    }
    default: {
        size_t w = lh_type_width(v->type);
        memcpy(out + 1, (const char *)v->data + i * w, w);
        return 1 + w;
    }
    }
}

size_t lh_vecops_decode(const uint8_t *in, lh_vec_t *dst)
{
    if (in[0] == 0) {
        LH_ASSERT(lh_vec_append_null(dst) == LH_OK);
        return 1;
    }
    if (lh_type_is_bytes(dst->type)) {
        uint32_t len;
        memcpy(&len, in + 1, 4);
        LH_ASSERT(lh_vec_append_str(dst, in + 5, len) == LH_OK);
        return 5 + len;
    }
    size_t w = lh_type_width(dst->type);
    LH_ASSERT(lh_vec_reserve(dst, dst->count + 1) == LH_OK);
    memcpy((char *)dst->data + dst->count * w, in + 1, w);
    if (dst->validity != NULL)
        LH_ASSERT(lh_vec_set_null(dst, dst->count, false) == LH_OK);
    dst->count++;
    return 1 + w;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    return x;
}

uint64_t lh_vecops_hash(const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    if (len > 16) /* short keys (most group and join keys) skip the library call */
        return XXH3_64bits(bytes, len);
    uint64_t a = 0, b = 0;
    if (len >= 8) {
        memcpy(&a, p, 8);
        memcpy(&b, p + len - 8, 8);
    } else if (len >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + len - 4, 4);
        a = x;
        b = y;
    } else if (len > 0) {
        a = (uint64_t)p[0] | (uint64_t)p[len >> 1] << 8 | (uint64_t)p[len - 1] << 16;
    }
    return mix64(a ^ mix64(b ^ (len * 0x9E3779B97F4A7C15ull)));
}

lh_batch_t *lh_vecops_batch_new(int col_count, const lh_type_t *types, size_t capacity)
{
    lh_batch_t *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->cols = calloc(col_count > 0 ? (size_t)col_count : 1, sizeof *b->cols);
    if (b->cols == NULL) {
        free(b);
        return NULL;
    }
    b->col_count = col_count;
    for (int i = 0; i < col_count; i++)
        if ((b->cols[i] = lh_vec_create(types[i], capacity)) == NULL) {
            lh_batch_destroy(b);
            return NULL;
        }
    return b;
}

lh_batch_t *lh_vecops_batch_like(const lh_batch_t *src, size_t capacity)
{
    lh_type_t types[src->col_count > 0 ? src->col_count : 1];
    for (int i = 0; i < src->col_count; i++)
        types[i] = src->cols[i]->type;
    return lh_vecops_batch_new(src->col_count, types, capacity);
}

lh_err lh_vecops_batch_gather(lh_batch_t *dst, const lh_batch_t *src, const uint32_t *idx, size_t n)
{
    for (int c = 0; c < src->col_count; c++)
        LH_TRY(lh_vecops_gather(dst->cols[c], src->cols[c], idx, n));
    dst->row_count = n;
    return LH_OK;
}
