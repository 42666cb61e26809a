/*
 * nested.c - interned nested type descriptors and the binary value format (see nested.h).
 *
 * Interning: a fixed table of hash buckets under one mutex. Descriptors are never freed
 * (there are as many as distinct types the process meets: few). Children are interned
 * before their parent, so structural equality of a candidate is a shallow comparison.
 */
#include "common/nested.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BUCKETS 256

typedef struct node {
    struct node *next;
    lh_ntype_t t;
} node;

static pthread_mutex_t intern_mu = PTHREAD_MUTEX_INITIALIZER;
static node *intern_table[BUCKETS]; /* guarded by intern_mu; entries immutable */

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t type_hash(uint64_t h, lh_type_t t)
{
    h = mix(h, (uint64_t)t.id);
    h = mix(h, ((uint64_t)t.precision << 8) | t.scale);
    return mix(h, (uint64_t)(uintptr_t)t.nested);
}

static bool same_type(lh_type_t a, lh_type_t b)
{
    return a.id == b.id && a.precision == b.precision && a.scale == b.scale && a.nested == b.nested;
}

static bool same_desc(const lh_ntype_t *a, const lh_ntype_t *b)
{
    if (a->id != b->id || !same_type(a->elem, b->elem) || !same_type(a->value, b->value) ||
        a->field_count != b->field_count)
        return false;
    for (int i = 0; i < a->field_count; i++)
        if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
            !same_type(a->fields[i].type, b->fields[i].type))
            return false;
    return true;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    LH_ASSERT(p != NULL);
    return p;
}

/* The interned copy of *want (fields copied deeply on first sight). */
static lh_type_t intern(const lh_ntype_t *want)
{
    uint64_t h = mix(mix(0, (uint64_t)want->id), (uint64_t)want->field_count);
    h = type_hash(type_hash(h, want->elem), want->value);
    for (int i = 0; i < want->field_count; i++) {
        h = type_hash(h, want->fields[i].type);
        for (const char *c = want->fields[i].name; *c; c++)
            h = mix(h, (uint64_t)(unsigned char)*c);
    }
    pthread_mutex_lock(&intern_mu);
    node **bucket = &intern_table[h % BUCKETS];
    node *n = *bucket;
    while (n != NULL && !same_desc(&n->t, want))
        n = n->next;
    if (n == NULL) {
        n = xmalloc(sizeof *n);
        n->t = *want;
        if (want->field_count > 0) {
            lh_nfield_t *f = xmalloc((size_t)want->field_count * sizeof *f);
            for (int i = 0; i < want->field_count; i++) {
                size_t len = strlen(want->fields[i].name);
                char *name = xmalloc(len + 1);
                memcpy(name, want->fields[i].name, len + 1);
                f[i] = (lh_nfield_t){name, want->fields[i].type};
            }
            n->t.fields = f;
        }
        n->next = *bucket;
        *bucket = n;
    }
    pthread_mutex_unlock(&intern_mu);
    return (lh_type_t){want->id, 0, 0, &n->t};
}

lh_type_t lh_type_array(lh_type_t elem)
{
    lh_ntype_t d = {.id = LH_TYPE_ARRAY, .elem = elem};
    return intern(&d);
}

lh_type_t lh_type_map(lh_type_t key, lh_type_t value)
{
    lh_ntype_t d = {.id = LH_TYPE_MAP, .elem = key, .value = value};
    return intern(&d);
}

lh_type_t lh_type_struct(int field_count, const char *const *names, const lh_type_t *types)
{
    lh_nfield_t stack[16];
    lh_nfield_t *f = field_count <= 16 ? stack : xmalloc((size_t)field_count * sizeof *f);
    for (int i = 0; i < field_count; i++)
        f[i] = (lh_nfield_t){names[i], types[i]};
    lh_ntype_t d = {.id = LH_TYPE_STRUCT, .field_count = field_count, .fields = f};
    lh_type_t t = intern(&d);
    if (f != stack)
        free(f);
    return t;
}

int lh_type_field(lh_type_t t, const char *name)
{
    if (t.id != LH_TYPE_STRUCT)
        return -1;
    for (int i = 0; i < t.nested->field_count; i++)
        if (strcasecmp(t.nested->fields[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- type strings ------------------------------------------------------------------------ */

static const char *scalar_catalog(lh_type_t t, char *buf, size_t cap)
{
    static const char *const names[LH_TYPE__COUNT] = {
        [LH_TYPE_NULL] = "void",
        [LH_TYPE_BOOLEAN] = "boolean",
        [LH_TYPE_BYTE] = "tinyint",
        [LH_TYPE_SHORT] = "smallint",
        [LH_TYPE_INT] = "int",
        [LH_TYPE_LONG] = "bigint",
        [LH_TYPE_FLOAT] = "float",
        [LH_TYPE_DOUBLE] = "double",
        [LH_TYPE_STRING] = "string",
        [LH_TYPE_BINARY] = "binary",
        [LH_TYPE_DATE] = "date",
        [LH_TYPE_TIMESTAMP] = "timestamp",
        [LH_TYPE_TIMESTAMP_NTZ] = "timestamp_ntz",
        [LH_TYPE_INTERVAL_YM] = "interval year to month",
        [LH_TYPE_INTERVAL_DT] = "interval day to second",
        [LH_TYPE_INTERVAL_CAL] = "interval",
    };
    if (t.id == LH_TYPE_DECIMAL)
        snprintf(buf, cap, "decimal(%u,%u)", t.precision, t.scale);
    else
        snprintf(buf, cap, "%s", names[t.id] ? names[t.id] : "?");
    return buf;
}

typedef struct sbuf {
    char *p;
    size_t cap, len;
} sbuf;

static void sput(sbuf *s, const char *text)
{
    size_t n = strlen(text);
    if (s->len < s->cap) {
        size_t room = s->cap - s->len - 1;
        memcpy(s->p + s->len, text, n < room ? n : room);
        s->p[s->len + (n < room ? n : room)] = '\0';
    }
    s->len += n;
}

/* A field name in SQL text: back-quoted unless it is letters, digits and '_' (and not all
 * digits), as Spark's quoteIfNeeded. */
static void put_name(sbuf *s, const char *name)
{
    bool plain = name[0] != '\0', digits = true;
    for (const char *c = name; *c; c++) {
        plain &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '_';
        digits &= *c >= '0' && *c <= '9';
    }
    if (plain && !digits) {
        sput(s, name);
        return;
    }
    sput(s, "`");
    for (const char *c = name; *c; c++)
        sput(s, *c == '`' ? "``" : (char[2]){*c, '\0'});
    sput(s, "`");
}

static void type_string(sbuf *s, lh_type_t t, bool sql,
                        const char *(*scalar)(lh_type_t, char *, size_t))
{
    char tmp[64];
    const lh_ntype_t *d = t.nested;
    switch (t.id) {
    case LH_TYPE_ARRAY:
        sput(s, sql ? "ARRAY<" : "array<");
        type_string(s, d->elem, sql, scalar);
        sput(s, ">");
        return;
    case LH_TYPE_MAP:
        sput(s, sql ? "MAP<" : "map<");
        type_string(s, d->elem, sql, scalar);
        sput(s, sql ? ", " : ",");
        type_string(s, d->value, sql, scalar);
        sput(s, ">");
        return;
    case LH_TYPE_STRUCT:
        sput(s, sql ? "STRUCT<" : "struct<");
        for (int i = 0; i < d->field_count; i++) {
            if (i > 0)
                sput(s, sql ? ", " : ",");
            if (sql)
                put_name(s, d->fields[i].name);
            else
                sput(s, d->fields[i].name);
            sput(s, sql ? ": " : ":");
            type_string(s, d->fields[i].type, sql, scalar);
        }
        sput(s, ">");
        return;
    default:
        sput(s, scalar(t, tmp, sizeof tmp));
    }
}

const char *lh_type_catalog_string(lh_type_t t, char *buf, size_t cap)
{
    sbuf s = {buf, cap, 0};
    if (cap > 0)
        buf[0] = '\0';
    type_string(&s, t, false, scalar_catalog);
    return buf;
}

const char *lh_type_sql_string(lh_type_t t, const char *(*scalar_sql)(lh_type_t, char *, size_t),
                               char *buf, size_t cap)
{
    sbuf s = {buf, cap, 0};
    if (cap > 0)
        buf[0] = '\0';
    type_string(&s, t, true, scalar_sql);
    return buf;
}

/* ---- writing ----------------------------------------------------------------------------- */

void lh_nbuf_free(lh_nbuf_t *b)
{
    free(b->bytes);
    *b = (lh_nbuf_t){0};
}

static lh_err nbuf_grow(lh_nbuf_t *b, size_t n)
{
    if (n > UINT32_MAX || b->len + n > UINT32_MAX)
        return LH_E_TOO_LARGE;
    if (b->len + n <= b->cap)
        return LH_OK;
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->len + n)
        cap *= 2;
    uint8_t *p = realloc(b->bytes, cap);
    if (p == NULL)
        return LH_E_NOMEM;
    b->bytes = p;
    b->cap = cap;
    return LH_OK;
}

lh_err lh_nbuf_put(lh_nbuf_t *b, const void *bytes, size_t n)
{
    LH_TRY(nbuf_grow(b, n));
    if (n > 0)
        memcpy(b->bytes + b->len, bytes, n);
    b->len += n;
    return LH_OK;
}

static lh_err put_u32(lh_nbuf_t *b, uint32_t x)
{
    return lh_nbuf_put(b, &x, 4);
}

static void put_u32_at(lh_nbuf_t *b, size_t at, uint32_t x)
{
    memcpy(b->bytes + at, &x, 4);
}

static size_t fixed_width(lh_type_t t)
{
    return lh_type_is_bytes(t) ? 0 : lh_type_width(t);
}

/* The slot bytes of a non-null fixed-width value. */
static void fixed_bytes(lh_type_t t, const lh_value_t *v, uint8_t *out)
{
    size_t w = lh_type_width(t);
    if (t.id == LH_TYPE_FLOAT) {
        float f = (float)v->v.f64;
        memcpy(out, &f, 4);
    } else if (t.id == LH_TYPE_DOUBLE) {
        memcpy(out, &v->v.f64, 8);
    } else if (w == 16) {
        memcpy(out, &v->v.i128, 16);
    } else {
        int64_t x = v->v.i64;
        if (w == 1) {
            int8_t y = (int8_t)x;
            memcpy(out, &y, 1);
        } else if (w == 2) {
            int16_t y = (int16_t)x;
            memcpy(out, &y, 2);
        } else if (w == 4) {
            int32_t y = (int32_t)x;
            memcpy(out, &y, 4);
        } else {
            memcpy(out, &x, 8);
        }
    }
}

lh_err lh_nested_put_array(lh_nbuf_t *b, lh_type_t elem, const lh_value_t *vals, size_t n)
{
    if (n > UINT32_MAX / 2)
        return LH_E_TOO_LARGE;
    LH_TRY(put_u32(b, (uint32_t)n));
    size_t nb = (n + 7) / 8, w = fixed_width(elem), at = b->len;
    LH_TRY(nbuf_grow(b, nb + n * (w ? w : 4)));
    memset(b->bytes + at, 0, nb + n * (w ? w : 4));
    b->len += nb + n * (w ? w : 4);
    for (size_t i = 0; i < n; i++)
        if (vals[i].is_null)
            b->bytes[at + i / 8] |= (uint8_t)(1u << (i % 8));
    size_t slots = at + nb;
    if (w > 0) {
        for (size_t i = 0; i < n; i++)
            if (!vals[i].is_null)
                fixed_bytes(elem, &vals[i], b->bytes + slots + i * w);
        return LH_OK;
    }
    size_t heap = b->len;
    for (size_t i = 0; i < n; i++) {
        if (!vals[i].is_null)
            LH_TRY(lh_nbuf_put(b, vals[i].v.str.ptr, vals[i].v.str.len));
        put_u32_at(b, slots + i * 4, (uint32_t)(b->len - heap));
    }
    return LH_OK;
}

lh_err lh_nested_put_map(lh_nbuf_t *b, lh_type_t map, const lh_value_t *keys,
                         const lh_value_t *vals, size_t n)
{
    LH_ASSERT(map.id == LH_TYPE_MAP);
    size_t at = b->len;
    LH_TRY(put_u32(b, 0));
    LH_TRY(lh_nested_put_array(b, map.nested->elem, keys, n));
    put_u32_at(b, at, (uint32_t)(b->len - at - 4));
    return lh_nested_put_array(b, map.nested->value, vals, n);
}

lh_err lh_nested_put_struct(lh_nbuf_t *b, lh_type_t st, const lh_value_t *vals)
{
    LH_ASSERT(st.id == LH_TYPE_STRUCT);
    int nf = st.nested->field_count;
    size_t nb = ((size_t)nf + 7) / 8, at = b->len;
    LH_TRY(nbuf_grow(b, nb));
    if (nb > 0) /* a struct of no fields (EXCEPT dropped them all) has no null bitmap */
        memset(b->bytes + at, 0, nb);
    b->len += nb;
    for (int i = 0; i < nf; i++) {
        lh_type_t ft = st.nested->fields[i].type;
        size_t w = fixed_width(ft);
        if (vals[i].is_null)
            b->bytes[at + (size_t)i / 8] |= (uint8_t)(1u << (i % 8));
        if (w > 0) {
            uint8_t slot[16] = {0};
            if (!vals[i].is_null)
                fixed_bytes(ft, &vals[i], slot);
            LH_TRY(lh_nbuf_put(b, slot, w));
        } else {
            uint32_t len = vals[i].is_null ? 0 : vals[i].v.str.len;
            LH_TRY(put_u32(b, len));
            if (len > 0)
                LH_TRY(lh_nbuf_put(b, vals[i].v.str.ptr, len));
        }
    }
    return LH_OK;
}

/* ---- reading ----------------------------------------------------------------------------- */

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

void lh_narray_open(lh_type_t elem, lh_sv_t bytes, lh_narray_t *out)
{
    *out = (lh_narray_t){.elem = elem};
    if (bytes.len < 4)
        return; /* an empty value reads as an empty array */
    out->count = get_u32(bytes.ptr);
    out->nulls = bytes.ptr + 4;
    out->slots = out->nulls + (out->count + 7) / 8;
    out->width = fixed_width(elem);
    if (out->width > 0) {
        out->size = (size_t)(out->slots - bytes.ptr) + out->count * out->width;
    } else {
        out->heap = out->slots + (size_t)out->count * 4;
        out->size = (size_t)(out->heap - bytes.ptr) +
                    (out->count ? get_u32(out->slots + (out->count - 1) * 4) : 0);
    }
}

bool lh_narray_is_null(const lh_narray_t *a, uint32_t i)
{
    return (a->nulls[i / 8] >> (i % 8)) & 1u;
}

static void read_fixed(lh_type_t t, const uint8_t *p, lh_value_t *out)
{
    size_t w = lh_type_width(t);
    if (t.id == LH_TYPE_FLOAT) {
        float f;
        memcpy(&f, p, 4);
        out->v.f64 = f;
    } else if (t.id == LH_TYPE_DOUBLE) {
        memcpy(&out->v.f64, p, 8);
    } else if (w == 16) {
        memcpy(&out->v.i128, p, 16);
    } else if (w == 1) {
        int8_t y;
        memcpy(&y, p, 1);
        out->v.i64 = t.id == LH_TYPE_BOOLEAN ? (uint8_t)y : y;
    } else if (w == 2) {
        int16_t y;
        memcpy(&y, p, 2);
        out->v.i64 = y;
    } else if (w == 4) {
        int32_t y;
        memcpy(&y, p, 4);
        out->v.i64 = y;
    } else {
        memcpy(&out->v.i64, p, 8);
    }
}

void lh_narray_get(const lh_narray_t *a, uint32_t i, lh_value_t *out)
{
    memset(out, 0, sizeof *out);
    out->type = a->elem;
    out->is_null = lh_narray_is_null(a, i);
    if (out->is_null)
        return;
    if (a->width > 0) {
        read_fixed(a->elem, a->slots + (size_t)i * a->width, out);
        return;
    }
    uint32_t start = i ? get_u32(a->slots + (size_t)(i - 1) * 4) : 0;
    uint32_t end = get_u32(a->slots + (size_t)i * 4);
    out->v.str = (lh_sv_t){a->heap + start, end - start};
}

void lh_nmap_open(lh_type_t map, lh_sv_t bytes, lh_narray_t *keys, lh_narray_t *vals)
{
    LH_ASSERT(map.id == LH_TYPE_MAP);
    if (bytes.len < 4) {
        lh_narray_open(map.nested->elem, (lh_sv_t){0}, keys);
        lh_narray_open(map.nested->value, (lh_sv_t){0}, vals);
        return;
    }
    uint32_t klen = get_u32(bytes.ptr);
    lh_narray_open(map.nested->elem, (lh_sv_t){bytes.ptr + 4, klen}, keys);
    lh_narray_open(map.nested->value, (lh_sv_t){bytes.ptr + 4 + klen, bytes.len - 4 - klen}, vals);
}

void lh_nstruct_get(lh_type_t st, lh_sv_t bytes, int field, lh_value_t *out)
{
    LH_ASSERT(st.id == LH_TYPE_STRUCT && field < st.nested->field_count);
    const lh_nfield_t *f = st.nested->fields;
    int nf = st.nested->field_count;
    memset(out, 0, sizeof *out);
    out->type = f[field].type;
    const uint8_t *p = bytes.ptr + ((size_t)nf + 7) / 8;
    for (int i = 0; i < field; i++) {
        size_t w = fixed_width(f[i].type);
        p += w > 0 ? w : 4 + get_u32(p);
    }
    out->is_null = (bytes.ptr[field / 8] >> (field % 8)) & 1u;
    if (out->is_null)
        return;
    size_t w = fixed_width(f[field].type);
    if (w > 0)
        read_fixed(f[field].type, p, out);
    else
        out->v.str = (lh_sv_t){p + 4, get_u32(p)};
}

/* ---- validation -------------------------------------------------------------------------- */

static bool validate_array(lh_type_t elem, const uint8_t *p, size_t len, size_t *used);

static bool validate_value(lh_type_t t, lh_sv_t v)
{
    if (!lh_type_is_nested(t))
        return true;
    size_t used = 0;
    if (t.id == LH_TYPE_ARRAY)
        return validate_array(t.nested->elem, v.ptr, v.len, &used) && used == v.len;
    if (t.id == LH_TYPE_MAP) {
        if (v.len < 4)
            return false;
        uint32_t klen = get_u32(v.ptr);
        size_t u2 = 0;
        if (klen > v.len - 4 || !validate_array(t.nested->elem, v.ptr + 4, klen, &used) ||
            used != klen ||
            !validate_array(t.nested->value, v.ptr + 4 + klen, v.len - 4 - klen, &u2) ||
            u2 != v.len - 4 - klen)
            return false;
        return get_u32(v.ptr + 4) == get_u32(v.ptr + 4 + klen);
    }
    int nf = t.nested->field_count;
    size_t at = ((size_t)nf + 7) / 8;
    if (at > v.len)
        return false;
    for (int i = 0; i < nf; i++) {
        lh_type_t ft = t.nested->fields[i].type;
        size_t w = fixed_width(ft);
        if (w > 0) {
            if (v.len - at < w)
                return false;
            at += w;
            continue;
        }
        if (v.len - at < 4)
            return false;
        uint32_t n = get_u32(v.ptr + at);
        if (n > v.len - at - 4)
            return false;
        bool is_null = (v.ptr[i / 8] >> (i % 8)) & 1u;
        if (!is_null && !validate_value(ft, (lh_sv_t){v.ptr + at + 4, n}))
            return false;
        at += 4 + n;
    }
    return at == v.len;
}

static bool validate_array(lh_type_t elem, const uint8_t *p, size_t len, size_t *used)
{
    if (len < 4)
        return false;
    uint32_t n = get_u32(p);
    size_t w = fixed_width(elem), head = 4 + ((size_t)n + 7) / 8;
    if (head > len)
        return false;
    if (w > 0) {
        if ((len - head) / w < n)
            return false;
        *used = head + (size_t)n * w;
        return true;
    }
    if ((len - head) / 4 < n)
        return false;
    const uint8_t *ends = p + head, *heap = ends + (size_t)n * 4;
    size_t room = len - head - (size_t)n * 4;
    uint32_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t end = get_u32(ends + (size_t)i * 4);
        if (end < prev || end > room)
            return false;
        bool is_null = (p[4 + i / 8] >> (i % 8)) & 1u;
        if (!is_null && !validate_value(elem, (lh_sv_t){heap + prev, end - prev}))
            return false;
        prev = end;
    }
    *used = (size_t)(heap - p) + prev;
    return true;
}

bool lh_nested_validate(lh_type_t t, lh_sv_t bytes)
{
    if (!lh_type_is_nested(t) || (bytes.ptr == NULL && bytes.len > 0))
        return false;
    return validate_value(t, bytes);
}

/* ---- ordering ---------------------------------------------------------------------------- */

static int cmp_double(double a, double b)
{
    bool na = isnan(a), nb = isnan(b);
    if (na || nb)
        return na - nb;
    return (a > b) - (a < b);
}

int lh_nested_value_cmp(const lh_value_t *a, const lh_value_t *b)
{
    switch (a->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return cmp_double(a->v.f64, b->v.f64);
    case LH_TYPE_ARRAY:
    case LH_TYPE_MAP:
    case LH_TYPE_STRUCT:
        return lh_nested_compare(a->type, a->v.str, b->v.str);
    default:
        return lh_value_compare(a, b);
    }
}

/* Element-wise, NULL first, then the shorter array first. */
static int cmp_arrays(const lh_narray_t *x, const lh_narray_t *y)
{
    uint32_t n = x->count < y->count ? x->count : y->count;
    for (uint32_t i = 0; i < n; i++) {
        lh_value_t a, b;
        lh_narray_get(x, i, &a);
        lh_narray_get(y, i, &b);
        if (a.is_null || b.is_null) {
            if (a.is_null != b.is_null)
                return a.is_null ? -1 : 1;
            continue;
        }
        int c = lh_nested_value_cmp(&a, &b);
        if (c != 0)
            return c;
    }
    return (x->count > y->count) - (x->count < y->count);
}

int lh_nested_compare(lh_type_t t, lh_sv_t a, lh_sv_t b)
{
    if (t.id == LH_TYPE_ARRAY) {
        lh_narray_t x, y;
        lh_narray_open(t.nested->elem, a, &x);
        lh_narray_open(t.nested->elem, b, &y);
        return cmp_arrays(&x, &y);
    }
    if (t.id == LH_TYPE_MAP) { /* not orderable in Spark; keys then values, for determinism */
        lh_narray_t xk, xv, yk, yv;
        lh_nmap_open(t, a, &xk, &xv);
        lh_nmap_open(t, b, &yk, &yv);
        int c = cmp_arrays(&xk, &yk);
        return c != 0 ? c : cmp_arrays(&xv, &yv);
    }
    for (int i = 0; i < t.nested->field_count; i++) {
        lh_value_t x, y;
        lh_nstruct_get(t, a, i, &x);
        lh_nstruct_get(t, b, i, &y);
        if (x.is_null || y.is_null) {
            if (x.is_null != y.is_null)
                return x.is_null ? -1 : 1;
            continue;
        }
        int c = lh_nested_value_cmp(&x, &y);
        if (c != 0)
            return c;
    }
    return 0;
}

bool lh_type_orderable(lh_type_t t)
{
    const lh_ntype_t *d = t.nested;
    switch (t.id) {
    case LH_TYPE_INTERVAL_CAL:
        return false;
    case LH_TYPE_ARRAY:
        return lh_type_orderable(d->elem);
    case LH_TYPE_MAP:
        return lh_type_orderable(d->elem) && lh_type_orderable(d->value);
    case LH_TYPE_STRUCT:
        for (int i = 0; i < d->field_count; i++)
            if (!lh_type_orderable(d->fields[i].type))
                return false;
        return true;
    default:
        return true;
    }
}
