/*
 * vec.c - column vectors, flat schemas and batches (see vec.h for the layout).
 *
 * The string heap is a list of malloc'd chunks that only grows; lh_vec_reset keeps the
 * first chunk and frees the rest, so a vector reused batch after batch stops allocating.
 *
 * Constant and dictionary vectors (see vec.h) resolve a row to a slot of a flat vector
 * (slot 0 of themselves, or an entry of the dictionary) in resolve(); every accessor and
 * lh_vec_flatten go through it, so flat code paths stay as they were.
 */
#include "common/vec.h"

#include "common/nested.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEAP_CHUNK_MIN (64 * 1024)

typedef struct lh_vec_heap {
    struct lh_vec_heap *next;
    size_t used;
    size_t size;
    uint8_t bytes[];
} heap_chunk;

static const char *const type_names[LH_TYPE__COUNT] = {
    [LH_TYPE_NULL] = "void",
    [LH_TYPE_BOOLEAN] = "boolean",
    [LH_TYPE_BYTE] = "byte",
    [LH_TYPE_SHORT] = "short",
    [LH_TYPE_INT] = "integer",
    [LH_TYPE_LONG] = "long",
    [LH_TYPE_FLOAT] = "float",
    [LH_TYPE_DOUBLE] = "double",
    [LH_TYPE_STRING] = "string",
    [LH_TYPE_BINARY] = "binary",
    [LH_TYPE_DATE] = "date",
    [LH_TYPE_TIMESTAMP] = "timestamp",
    [LH_TYPE_TIMESTAMP_NTZ] = "timestamp_ntz",
    [LH_TYPE_DECIMAL] = "decimal",
    [LH_TYPE_INTERVAL_YM] = "interval year to month",
    [LH_TYPE_INTERVAL_DT] = "interval day to second",
    [LH_TYPE_INTERVAL_CAL] = "interval",
};

const char *lh_type_name(lh_type_t t, char *buf, size_t buf_size)
{
    if (t.id == LH_TYPE_DECIMAL)
        snprintf(buf, buf_size, "decimal(%u,%u)", t.precision, t.scale);
    else if (lh_type_is_nested(t))
        lh_type_catalog_string(t, buf, buf_size);
    else
        snprintf(buf, buf_size, "%s", type_names[t.id]);
    return buf;
}

lh_err lh_type_parse(const char *name, lh_type_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    unsigned p = 0, s = 0;
    if (strncasecmp(name, "decimal", 7) == 0) {
        if (name[7] == '\0') {
            out->id = LH_TYPE_DECIMAL;
            out->precision = 10;
            return LH_OK;
        }
        char tail = 0;
        int n = sscanf(name + 7, " (%u , %u )%c", &p, &s, &tail);
        LH_FAIL_IF(n != 2 || p < 1 || p > 38 || s > p, LH_E_INVALID, eb,
                   "invalid decimal type '%s'", name);
        out->id = LH_TYPE_DECIMAL;
        out->precision = (uint8_t)p;
        out->scale = (uint8_t)s;
        return LH_OK;
    }
    for (int i = 0; i < LH_TYPE__COUNT; i++) {
        if (i != LH_TYPE_DECIMAL && type_names[i] != NULL && strcasecmp(name, type_names[i]) == 0) {
            out->id = (lh_type_id)i;
            return LH_OK;
        }
    }
    static const struct {
        const char *alias;
        lh_type_id id;
    } aliases[] = {{"int", LH_TYPE_INT},        {"bigint", LH_TYPE_LONG},
                   {"smallint", LH_TYPE_SHORT}, {"tinyint", LH_TYPE_BYTE},
                   {"bool", LH_TYPE_BOOLEAN},   {"real", LH_TYPE_FLOAT}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcasecmp(name, aliases[i].alias) == 0) {
            out->id = aliases[i].id;
            return LH_OK;
        }
    }
    LH_FAIL(LH_E_UNSUPPORTED, eb, "unsupported data type '%s'", name);
}

bool lh_type_equal(lh_type_t a, lh_type_t b)
{
    if (a.id != b.id)
        return false;
    if (lh_type_is_nested(a))
        return a.nested == b.nested; /* interned */
    return a.id != LH_TYPE_DECIMAL || (a.precision == b.precision && a.scale == b.scale);
}

lh_vec_t *lh_vec_create(lh_type_t type, size_t capacity)
{
    lh_vec_t *v = calloc(1, sizeof *v);
    if (v == NULL)
        return NULL;
    v->type = type;
    if (capacity > 0 && lh_vec_reserve(v, capacity) != LH_OK) {
        free(v);
        return NULL;
    }
    return v;
}

static void heap_free(heap_chunk *h)
{
    while (h != NULL) {
        heap_chunk *next = h->next;
        free(h);
        h = next;
    }
}

void lh_vec_destroy(lh_vec_t *v)
{
    if (v == NULL)
        return;
    free(v->data);
    free(v->validity);
    free(v->sel);
    heap_free(v->heap);
    free(v);
}

size_t lh_vec_slot_width(const lh_vec_t *v)
{
    return v->kind == LH_VEC_DICT ? sizeof(uint32_t) : lh_type_width(v->type);
}

lh_err lh_vec_reserve(lh_vec_t *v, size_t capacity)
{
    LH_ASSERT(v->kind != LH_VEC_CONSTANT);
    if (capacity <= v->capacity)
        return LH_OK;
    size_t cap = v->capacity ? v->capacity : 16;
    while (cap < capacity)
        cap *= 2;
    size_t w = lh_vec_slot_width(v);
    void *data = realloc(v->data, cap * w);
    if (data == NULL)
        return LH_E_NOMEM;
    v->data = data;
    if (v->validity != NULL) {
        size_t old_words = (v->capacity + 63) / 64, new_words = (cap + 63) / 64;
        uint64_t *bits = realloc(v->validity, new_words * sizeof(uint64_t));
        if (bits == NULL)
            return LH_E_NOMEM;
        for (size_t i = old_words; i < new_words; i++)
            bits[i] = ~(uint64_t)0;
        v->validity = bits;
    }
    v->capacity = cap;
    return LH_OK;
}

void lh_vec_reset(lh_vec_t *v)
{
    if (v->kind != LH_VEC_FLAT) {
        free(v->data);
        v->data = NULL;
        v->capacity = 0;
        v->kind = LH_VEC_FLAT;
        v->dict = NULL;
    }
    v->count = 0;
    v->sel_count = 0;
    free(v->sel);
    v->sel = NULL;
    free(v->validity);
    v->validity = NULL;
    if (v->heap != NULL) {
        heap_free(v->heap->next);
        v->heap->next = NULL;
        v->heap->used = 0;
    }
}

lh_err lh_vec_set_null(lh_vec_t *v, size_t i, bool is_null)
{
    LH_ASSERT(i < v->capacity);
    if (v->validity == NULL) {
        if (!is_null)
            return LH_OK;
        size_t words = (v->capacity + 63) / 64;
        v->validity = malloc(words * sizeof(uint64_t));
        if (v->validity == NULL)
            return LH_E_NOMEM;
        memset(v->validity, 0xff, words * sizeof(uint64_t));
    }
    if (is_null)
        v->validity[i >> 6] &= ~((uint64_t)1 << (i & 63));
    else
        v->validity[i >> 6] |= (uint64_t)1 << (i & 63);
    return LH_OK;
}

/* len bytes of v's string heap, uninitialized; NULL on allocation failure. */
static uint8_t *heap_alloc(lh_vec_t *v, size_t len)
{
    heap_chunk *h = v->heap;
    if (h == NULL || h->size - h->used < len) {
        size_t size = len > HEAP_CHUNK_MIN ? len : HEAP_CHUNK_MIN;
        if (h != NULL && h->size * 2 > size && h->size < (64u << 20))
            size = h->size * 2;
        heap_chunk *n = malloc(sizeof *n + size);
        if (n == NULL)
            return NULL;
        n->size = size;
        n->used = 0;
        n->next = h;
        v->heap = h = n;
    }
    uint8_t *dst = h->bytes + h->used;
    h->used += len;
    return dst;
}

const uint8_t *lh_vec_heap_copy(lh_vec_t *v, const void *bytes, size_t len)
{
    uint8_t *dst = heap_alloc(v, len);
    if (dst != NULL && len > 0)
        memcpy(dst, bytes, len);
    return dst;
}

static lh_err grow_one(lh_vec_t *v)
{
    LH_ASSERT(v->kind != LH_VEC_CONSTANT);
    if (v->count < v->capacity)
        return LH_OK;
    return lh_vec_reserve(v, v->count + 1);
}

lh_err lh_vec_append_null(lh_vec_t *v)
{
    LH_TRY(grow_one(v));
    size_t w = lh_vec_slot_width(v);
    memset((char *)v->data + v->count * w, 0, w);
    LH_TRY(lh_vec_set_null(v, v->count, true));
    v->count++;
    return LH_OK;
}

lh_err lh_vec_append_i64(lh_vec_t *v, int64_t x)
{
    LH_ASSERT(v->kind == LH_VEC_FLAT);
    LH_TRY(grow_one(v));
    size_t i = v->count;
    switch (v->type.id) {
    case LH_TYPE_BOOLEAN:
        ((uint8_t *)v->data)[i] = x != 0;
        break;
    case LH_TYPE_BYTE:
        ((int8_t *)v->data)[i] = (int8_t)x;
        break;
    case LH_TYPE_SHORT:
        ((int16_t *)v->data)[i] = (int16_t)x;
        break;
    case LH_TYPE_INT:
    case LH_TYPE_DATE:
    case LH_TYPE_INTERVAL_YM:
        ((int32_t *)v->data)[i] = (int32_t)x;
        break;
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18) {
            ((lh_i128 *)v->data)[i] = x;
            break;
        }
        /* fall through */
    case LH_TYPE_LONG:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
    case LH_TYPE_INTERVAL_DT:
        ((int64_t *)v->data)[i] = x;
        break;
    case LH_TYPE_FLOAT:
        ((float *)v->data)[i] = (float)x;
        break;
    case LH_TYPE_DOUBLE:
        ((double *)v->data)[i] = (double)x;
        break;
    default:
        LH_ASSERT(!"lh_vec_append_i64 on non-numeric vector");
    }
    if (v->validity != NULL)
        LH_TRY(lh_vec_set_null(v, i, false));
    v->count++;
    return LH_OK;
}

lh_err lh_vec_append_bool(lh_vec_t *v, bool x)
{
    return lh_vec_append_i64(v, x ? 1 : 0);
}

lh_err lh_vec_append_f64(lh_vec_t *v, double x)
{
    LH_ASSERT(v->kind == LH_VEC_FLAT);
    LH_TRY(grow_one(v));
    if (v->type.id == LH_TYPE_FLOAT)
        ((float *)v->data)[v->count] = (float)x;
    else if (v->type.id == LH_TYPE_DOUBLE)
        ((double *)v->data)[v->count] = x;
    else
        return lh_vec_append_i64(v, (int64_t)x);
    if (v->validity != NULL)
        LH_TRY(lh_vec_set_null(v, v->count, false));
    v->count++;
    return LH_OK;
}

lh_err lh_vec_append_i128(lh_vec_t *v, lh_i128 x)
{
    if (v->type.id != LH_TYPE_DECIMAL || v->type.precision <= 18)
        return lh_vec_append_i64(v, (int64_t)x);
    LH_ASSERT(v->kind == LH_VEC_FLAT);
    LH_TRY(grow_one(v));
    ((lh_i128 *)v->data)[v->count] = x;
    if (v->validity != NULL)
        LH_TRY(lh_vec_set_null(v, v->count, false));
    v->count++;
    return LH_OK;
}

lh_err lh_vec_append_value(lh_vec_t *v, const lh_value_t *x)
{
    if (x->is_null)
        return lh_vec_append_null(v);
    if (lh_type_is_bytes(v->type))
        return lh_vec_append_str(v, x->v.str.ptr, x->v.str.len);
    switch (v->type.id) {
    case LH_TYPE_BOOLEAN:
        return lh_vec_append_bool(v, x->v.i64 != 0);
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return lh_vec_append_f64(v, x->v.f64);
    case LH_TYPE_DECIMAL:
        return v->type.precision > 18 ? lh_vec_append_i128(v, x->v.i128)
                                      : lh_vec_append_i64(v, x->v.i64);
    default:
        return lh_vec_append_i64(v, x->v.i64);
    }
}

lh_err lh_vec_append_str(lh_vec_t *v, const void *bytes, size_t len)
{
    LH_ASSERT(lh_type_is_bytes(v->type));
    LH_ASSERT(v->kind == LH_VEC_FLAT);
    if (len > UINT32_MAX)
        return LH_E_TOO_LARGE;
    LH_TRY(grow_one(v));
    const uint8_t *p = lh_vec_heap_copy(v, bytes, len);
    if (p == NULL)
        return LH_E_NOMEM;
    ((lh_sv_t *)v->data)[v->count] = (lh_sv_t){p, (uint32_t)len};
    if (v->validity != NULL)
        LH_TRY(lh_vec_set_null(v, v->count, false));
    v->count++;
    return LH_OK;
}

static int64_t flat_get_i64(const lh_vec_t *v, size_t i)
{
    switch (v->type.id) {
    case LH_TYPE_BOOLEAN:
        return ((const uint8_t *)v->data)[i];
    case LH_TYPE_BYTE:
        return ((const int8_t *)v->data)[i];
    case LH_TYPE_SHORT:
        return ((const int16_t *)v->data)[i];
    case LH_TYPE_INT:
    case LH_TYPE_DATE:
    case LH_TYPE_INTERVAL_YM:
        return ((const int32_t *)v->data)[i];
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18)
            return (int64_t)((const lh_i128 *)v->data)[i];
        return ((const int64_t *)v->data)[i];
    case LH_TYPE_LONG:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
    case LH_TYPE_INTERVAL_DT:
        return ((const int64_t *)v->data)[i];
    case LH_TYPE_FLOAT:
        return (int64_t)((const float *)v->data)[i];
    case LH_TYPE_DOUBLE:
        return (int64_t)((const double *)v->data)[i];
    default:
        return 0;
    }
}

static double flat_get_f64(const lh_vec_t *v, size_t i)
{
    if (v->type.id == LH_TYPE_FLOAT)
        return ((const float *)v->data)[i];
    if (v->type.id == LH_TYPE_DOUBLE)
        return ((const double *)v->data)[i];
    return (double)flat_get_i64(v, i);
}

/* ---- kinds: resolve a row to a slot of a flat vector ------------------------------------ */

static bool flat_valid(const lh_vec_t *v, size_t i)
{
    return v->validity == NULL || ((v->validity[i >> 6] >> (i & 63)) & 1u);
}

/* The flat vector and slot holding row i, or NULL for a null row of a non-flat vector. */
static const lh_vec_t *resolve(const lh_vec_t *v, size_t i, size_t *slot)
{
    switch (v->kind) {
    case LH_VEC_FLAT:
        *slot = i;
        return v;
    case LH_VEC_CONSTANT:
        *slot = 0;
        return flat_valid(v, 0) ? v : NULL;
    case LH_VEC_DICT:
        if (!flat_valid(v, i))
            return NULL;
        *slot = ((const uint32_t *)v->data)[i];
        LH_ASSERT(*slot < v->dict->count);
        return v->dict;
    }
    LH_ASSERT(!"bad vector kind");
    return NULL;
}

bool lh_vec_is_valid_kind(const lh_vec_t *v, size_t i)
{
    size_t slot;
    const lh_vec_t *f = resolve(v, i, &slot);
    return f != NULL && flat_valid(f, slot);
}

int64_t lh_vec_get_i64(const lh_vec_t *v, size_t i)
{
    size_t slot;
    const lh_vec_t *f = resolve(v, i, &slot);
    return f ? flat_get_i64(f, slot) : 0;
}

double lh_vec_get_f64(const lh_vec_t *v, size_t i)
{
    size_t slot;
    const lh_vec_t *f = resolve(v, i, &slot);
    return f ? flat_get_f64(f, slot) : 0.0;
}

lh_i128 lh_vec_get_i128(const lh_vec_t *v, size_t i)
{
    size_t slot;
    const lh_vec_t *f = resolve(v, i, &slot);
    if (f == NULL)
        return 0;
    if (f->type.id == LH_TYPE_DECIMAL && f->type.precision > 18)
        return ((const lh_i128 *)f->data)[slot];
    return flat_get_i64(f, slot);
}

lh_sv_t lh_vec_get_str(const lh_vec_t *v, size_t i)
{
    LH_ASSERT(lh_type_is_bytes(v->type));
    size_t slot;
    const lh_vec_t *f = resolve(v, i, &slot);
    return f ? ((const lh_sv_t *)f->data)[slot] : (lh_sv_t){NULL, 0};
}

void lh_vec_get_value(const lh_vec_t *v, size_t i, lh_value_t *out)
{
    memset(out, 0, sizeof *out);
    out->type = v->type;
    out->is_null = !lh_vec_is_valid(v, i);
    if (out->is_null)
        return;
    switch (v->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        out->v.f64 = lh_vec_get_f64(v, i);
        break;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        out->v.str = lh_vec_get_str(v, i);
        break;
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18) {
            out->v.i128 = lh_vec_get_i128(v, i);
            break;
        }
        /* fall through */
    default:
        out->v.i64 = lh_vec_get_i64(v, i);
    }
}

/* Store a non-null value in slot i of flat-layout data (strings copied into v's heap). */
static lh_err put_value(lh_vec_t *v, size_t i, const lh_value_t *x)
{
    void *slot = (char *)v->data + i * lh_type_width(v->type);
    switch (v->type.id) {
    case LH_TYPE_FLOAT:
        *(float *)slot = (float)x->v.f64;
        return LH_OK;
    case LH_TYPE_DOUBLE:
        *(double *)slot = x->v.f64;
        return LH_OK;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT: {
        const uint8_t *p = lh_vec_heap_copy(v, x->v.str.ptr, x->v.str.len);
        if (p == NULL)
            return LH_E_NOMEM;
        *(lh_sv_t *)slot = (lh_sv_t){p, x->v.str.len};
        return LH_OK;
    }
    case LH_TYPE_DECIMAL:
        if (v->type.precision > 18) {
            *(lh_i128 *)slot = x->v.i128;
            return LH_OK;
        }
        /* fall through */
    default: {
        size_t count = v->count;
        v->count = i; /* reuse the typed store of append_i64 */
        lh_err e = lh_vec_append_i64(v, x->v.i64);
        v->count = count;
        return e;
    }
    }
}

lh_err lh_vec_set_constant(lh_vec_t *v, const lh_value_t *value, size_t count)
{
    lh_vec_reset(v);
    LH_TRY(lh_vec_reserve(v, 1));
    bool is_null = value == NULL || value->is_null;
    if (is_null) {
        memset(v->data, 0, lh_type_width(v->type));
        LH_TRY(lh_vec_set_null(v, 0, true));
    } else {
        LH_ASSERT(lh_type_equal(value->type, v->type));
        LH_TRY(put_value(v, 0, value));
    }
    v->kind = LH_VEC_CONSTANT;
    v->count = count;
    return LH_OK;
}

lh_vec_t *lh_vec_create_constant(lh_type_t type, const lh_value_t *value, size_t count)
{
    lh_vec_t *v = lh_vec_create(type, 0);
    if (v != NULL && lh_vec_set_constant(v, value, count) != LH_OK) {
        lh_vec_destroy(v);
        return NULL;
    }
    return v;
}

lh_err lh_vec_set_dict(lh_vec_t *v, const lh_vec_t *dict)
{
    LH_ASSERT(dict->kind == LH_VEC_FLAT && lh_type_equal(dict->type, v->type));
    lh_vec_reset(v);
    free(v->data); /* flat slots have another width */
    v->data = NULL;
    v->capacity = 0;
    v->kind = LH_VEC_DICT;
    v->dict = dict;
    return LH_OK;
}

lh_err lh_vec_append_index(lh_vec_t *v, uint32_t index)
{
    LH_ASSERT(v->kind == LH_VEC_DICT && index < v->dict->count);
    LH_TRY(grow_one(v));
    ((uint32_t *)v->data)[v->count] = index;
    if (v->validity != NULL)
        LH_TRY(lh_vec_set_null(v, v->count, false));
    v->count++;
    return LH_OK;
}

/* Copy row i of src (any kind) into slot j of dst (flat; room reserved), strings into
 * dst's heap. */
static lh_err copy_row(lh_vec_t *dst, size_t j, const lh_vec_t *src, size_t i)
{
    size_t slot;
    const lh_vec_t *f = resolve(src, i, &slot);
    if (f == NULL || !flat_valid(f, slot)) {
        memset((char *)dst->data + j * lh_type_width(dst->type), 0, lh_type_width(dst->type));
        return lh_vec_set_null(dst, j, true);
    }
    size_t w = lh_type_width(dst->type);
    if (lh_type_is_bytes(dst->type)) {
        lh_sv_t sv = ((const lh_sv_t *)f->data)[slot];
        const uint8_t *p = sv.len ? lh_vec_heap_copy(dst, sv.ptr, sv.len) : sv.ptr;
        if (sv.len && p == NULL)
            return LH_E_NOMEM;
        ((lh_sv_t *)dst->data)[j] = (lh_sv_t){p, sv.len};
    } else {
        memcpy((char *)dst->data + j * w, (const char *)f->data + slot * w, w);
    }
    return dst->validity != NULL ? lh_vec_set_null(dst, j, false) : LH_OK;
}

lh_err lh_vec_flatten(lh_vec_t *v)
{
    if (v->kind == LH_VEC_FLAT)
        return LH_OK;
    lh_vec_t tmp = {.type = v->type};
    lh_err e = lh_vec_append_range(&tmp, v, 0, v->count);
    if (e != LH_OK) {
        free(tmp.data);
        free(tmp.validity);
        heap_free(tmp.heap);
        return e;
    }
    /* Keep v's heap (a constant string lives there) and selection; take tmp's slots. */
    free(v->data);
    free(v->validity);
    v->data = tmp.data;
    v->validity = tmp.validity;
    v->capacity = tmp.capacity;
    v->kind = LH_VEC_FLAT;
    v->dict = NULL;
    if (tmp.heap != NULL) {
        heap_chunk *last = tmp.heap;
        while (last->next != NULL)
            last = last->next;
        last->next = v->heap;
        v->heap = tmp.heap;
    }
    return LH_OK;
}

/* Row validity bits of src [from, from+n) onto dst [at, at+n) (room reserved). */
static lh_err copy_validity(lh_vec_t *dst, size_t at, const lh_vec_t *src, size_t from, size_t n)
{
    if (src->validity == NULL && dst->validity == NULL)
        return LH_OK;
    for (size_t k = 0; k < n; k++) {
        size_t i = at + k;
        if (!flat_valid(src, from + k)) {
            if (dst->validity == NULL)
                LH_TRY(lh_vec_set_null(dst, i, true));
            else
                dst->validity[i >> 6] &= ~((uint64_t)1 << (i & 63));
        } else if (dst->validity != NULL) {
            dst->validity[i >> 6] |= (uint64_t)1 << (i & 63);
        }
    }
    return LH_OK;
}

/* Flat strings src [from, from+n) onto dst [at, ...): the bytes in one heap block. The
 * value slots of NULL rows are never read (producers need not fill them); they copy empty. */
static lh_err copy_strings(lh_vec_t *dst, size_t at, const lh_vec_t *src, size_t from, size_t n)
{
    const lh_sv_t *s = (const lh_sv_t *)src->data + from;
    lh_sv_t *d = (lh_sv_t *)dst->data + at;
    size_t total = 0;
    for (size_t k = 0; k < n; k++)
        total += lh_vec_is_valid(src, from + k) ? s[k].len : 0;
    uint8_t *p = total > 0 ? heap_alloc(dst, total) : NULL;
    if (total > 0 && p == NULL)
        return LH_E_NOMEM;
    for (size_t k = 0; k < n; k++) {
        size_t len = lh_vec_is_valid(src, from + k) ? s[k].len : 0;
        d[k] = (lh_sv_t){len > 0 ? p : NULL, (uint32_t)len};
        if (len > 0) { /* p is NULL when every value is empty: no arithmetic on it */
            memcpy(p, s[k].ptr, len);
            p += len;
        }
    }
    return LH_OK;
}

static lh_err append_indexes(lh_vec_t *dst, const lh_vec_t *src, size_t from, size_t n)
{
    LH_ASSERT(src->kind == LH_VEC_DICT && src->dict == dst->dict);
    LH_TRY(lh_vec_reserve(dst, dst->count + n));
    memcpy((uint32_t *)dst->data + dst->count, (const uint32_t *)src->data + from,
           n * sizeof(uint32_t));
    LH_TRY(copy_validity(dst, dst->count, src, from, n));
    dst->count += n;
    return LH_OK;
}

lh_err lh_vec_append_range(lh_vec_t *dst, const lh_vec_t *src, size_t from, size_t n)
{
    LH_ASSERT(from <= src->count && n <= src->count - from);
    LH_ASSERT(lh_type_equal(dst->type, src->type));
    if (dst->kind == LH_VEC_DICT)
        return append_indexes(dst, src, from, n);
    LH_ASSERT(dst->kind == LH_VEC_FLAT);
    LH_TRY(lh_vec_reserve(dst, dst->count + n));
    bool bytes = lh_type_is_bytes(src->type);
    if (src->kind == LH_VEC_FLAT) {
        size_t w = lh_type_width(src->type);
        if (bytes)
            LH_TRY(copy_strings(dst, dst->count, src, from, n));
        else
            memcpy((char *)dst->data + dst->count * w, (const char *)src->data + from * w, n * w);
        LH_TRY(copy_validity(dst, dst->count, src, from, n));
        dst->count += n;
        return LH_OK;
    }
    for (size_t k = 0; k < n; k++)
        LH_TRY(copy_row(dst, dst->count + k, src, from + k));
    dst->count += n;
    return LH_OK;
}

lh_schema_t *lh_schema_create(int field_count)
{
    lh_schema_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->fields = calloc(field_count > 0 ? (size_t)field_count : 1, sizeof *s->fields);
    if (s->fields == NULL) {
        free(s);
        return NULL;
    }
    s->field_count = field_count;
    return s;
}

lh_err lh_schema_set(lh_schema_t *s, int i, const char *name, lh_type_t type, bool nullable)
{
    LH_ASSERT(i >= 0 && i < s->field_count);
    char *copy = strdup(name);
    if (copy == NULL)
        return LH_E_NOMEM;
    free(s->fields[i].name);
    s->fields[i] = (lh_field_t){copy, type, nullable};
    return LH_OK;
}

void lh_schema_destroy(lh_schema_t *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < s->field_count; i++)
        free(s->fields[i].name);
    free(s->fields);
    free(s);
}

lh_schema_t *lh_schema_copy(const lh_schema_t *s)
{
    lh_schema_t *c = lh_schema_create(s->field_count);
    if (c == NULL)
        return NULL;
    for (int i = 0; i < s->field_count; i++) {
        if (lh_schema_set(c, i, s->fields[i].name, s->fields[i].type, s->fields[i].nullable)) {
            lh_schema_destroy(c);
            return NULL;
        }
    }
    return c;
}

int lh_schema_find(const lh_schema_t *s, const char *name)
{
    for (int i = 0; i < s->field_count; i++)
        if (s->fields[i].name != NULL && strcasecmp(s->fields[i].name, name) == 0)
            return i;
    return -1;
}

lh_batch_t *lh_batch_create(const lh_schema_t *schema, size_t capacity)
{
    lh_batch_t *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->cols = calloc(schema->field_count > 0 ? (size_t)schema->field_count : 1, sizeof *b->cols);
    if (b->cols == NULL) {
        free(b);
        return NULL;
    }
    b->col_count = schema->field_count;
    for (int i = 0; i < schema->field_count; i++) {
        b->cols[i] = lh_vec_create(schema->fields[i].type, capacity);
        if (b->cols[i] == NULL) {
            lh_batch_destroy(b);
            return NULL;
        }
    }
    return b;
}

void lh_batch_destroy(lh_batch_t *b)
{
    if (b == NULL)
        return;
    for (int i = 0; i < b->col_count; i++)
        lh_vec_destroy(b->cols[i]);
    free(b->cols);
    free(b);
}

void lh_batch_reset(lh_batch_t *b)
{
    for (int i = 0; i < b->col_count; i++)
        lh_vec_reset(b->cols[i]);
    b->row_count = 0;
}

int lh_value_compare(const lh_value_t *a, const lh_value_t *b)
{
    switch (a->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return (a->v.f64 > b->v.f64) - (a->v.f64 < b->v.f64);
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return lh_nested_compare(a->type, a->v.str, b->v.str);
    case LH_TYPE_STRING:
    case LH_TYPE_INTERVAL_CAL:
    case LH_TYPE_BINARY: {
        uint32_t n = a->v.str.len < b->v.str.len ? a->v.str.len : b->v.str.len;
        int c = n ? memcmp(a->v.str.ptr, b->v.str.ptr, n) : 0;
        if (c != 0)
            return c;
        return (a->v.str.len > b->v.str.len) - (a->v.str.len < b->v.str.len);
    }
    case LH_TYPE_DECIMAL:
        if (a->type.precision > 18)
            return (a->v.i128 > b->v.i128) - (a->v.i128 < b->v.i128);
        /* fall through */
    default:
        return (a->v.i64 > b->v.i64) - (a->v.i64 < b->v.i64);
    }
}

lh_value_t lh_value_text(const char *s)
{
    lh_value_t v = {.type = {LH_TYPE_STRING}};
    if (s == NULL)
        v.is_null = true;
    else
        v.v.str = (lh_sv_t){(const uint8_t *)s, (uint32_t)strlen(s)};
    return v;
}
