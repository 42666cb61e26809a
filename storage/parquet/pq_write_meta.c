/*
 * pq_write_meta.c - the writer's metadata: type mapping (formats.md 1.4), statistics
 * (1.6) and the Thrift structures of the footer (ColumnChunk, SchemaElement,
 * FileMetaData). See pq_write_internal.h.
 *
 * Statistics are kept typed (pq_num, or owned bytes for strings) while pages fill, and
 * turned into PLAIN bytes only when a header is encoded: NaN is left out and counted, a
 * zero min is written as -0.0 and a zero max as +0.0, strings compare as unsigned bytes,
 * everything else signed, and null_count is always present.
 */
#include <math.h>
#include <string.h>

#include "storage/parquet/pq_format.h"
#include "storage/parquet/pq_write_internal.h"

/* Longer string statistics are left out of page and chunk headers (readers cap header
 * sizes, e.g. Arrow at 16 MiB; Arrow's own writer omits them past 4 KiB). */
#define STATS_BYTES_MAX 4096

/* ---- type mapping (formats.md 1.4) ----------------------------------------------------- */

/* Bytes of the smallest two's complement integer holding every decimal of precision p. */
static int decimal_flba_width(int precision)
{
    unsigned __int128 max = 1;
    for (int i = 0; i < precision; i++)
        max *= 10;
    max -= 1;
    int n = 1;
    while (n < 16 && max >= ((unsigned __int128)1 << (8 * n - 1)))
        n++;
    return n;
}

static void set_phys(pq_col_t *c, int phys, pq_kind kind, int width)
{
    c->phys = phys;
    c->kind = kind;
    c->width = width;
}

lh_err lh_pqw_map_type(pq_col_t *c, lh_type_t t, lh_errbuf *eb)
{
    c->type = t;
    switch (t.id) {
    case LH_TYPE_BOOLEAN:
        set_phys(c, PQ_BOOLEAN, PK_BOOL, 1);
        return LH_OK;
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
    case LH_TYPE_INT:
    case LH_TYPE_DATE:
        set_phys(c, PQ_INT32, PK_I32, 4);
        return LH_OK;
    case LH_TYPE_LONG:
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        set_phys(c, PQ_INT64, PK_I64, 8);
        return LH_OK;
    case LH_TYPE_FLOAT:
        set_phys(c, PQ_FLOAT, PK_F32, 4);
        return LH_OK;
    case LH_TYPE_DOUBLE:
        set_phys(c, PQ_DOUBLE, PK_F64, 8);
        return LH_OK;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        set_phys(c, PQ_BYTE_ARRAY, PK_BYTES, 0);
        return LH_OK;
    case LH_TYPE_DECIMAL:
        LH_FAIL_IF(t.precision < 1 || t.precision > 38 || t.scale > t.precision, LH_E_INVALID, eb,
                   "parquet: bad decimal(%u,%u)", t.precision, t.scale);
        if (t.precision <= 9)
            set_phys(c, PQ_INT32, PK_I32, 4);
        else if (t.precision <= 18)
            set_phys(c, PQ_INT64, PK_I64, 8);
        else
            set_phys(c, PQ_FIXED_LEN_BYTE_ARRAY, PK_FLBA, decimal_flba_width(t.precision));
        return LH_OK;
    default:
        LH_FAIL(LH_E_UNSUPPORTED, eb, "parquet: cannot store type id %d", (int)t.id);
    }
}

/* ---- statistics ------------------------------------------------------------------------ */

static bool is_float(const pq_col_t *c)
{
    return c->kind == PK_F32 || c->kind == PK_F64;
}

static int cmp_bytes(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    if (r != 0)
        return r;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

void lh_pqw_stats_reset(pq_stats_t *s)
{
    s->has_min_max = false;
    s->null_count = 0;
    s->nan_count = 0;
    s->min_bytes.len = 0;
    s->max_bytes.len = 0;
}

void lh_pqw_stats_free(pq_stats_t *s)
{
    lh_pq_buf_free(&s->min_bytes);
    lh_pq_buf_free(&s->max_bytes);
}

static void set_bytes(lh_pq_buf_t *b, const uint8_t *p, size_t n)
{
    b->len = 0;
    lh_pq_buf_append(b, p, n);
}

/* Fold a [lo, hi] range (or min/max strings) into s. */
static void fold_i64(pq_stats_t *s, int64_t lo, int64_t hi)
{
    if (!s->has_min_max || lo < s->min.i64)
        s->min.i64 = lo;
    if (!s->has_min_max || hi > s->max.i64)
        s->max.i64 = hi;
    s->has_min_max = true;
}

static void fold_f64(pq_stats_t *s, double lo, double hi)
{
    if (!s->has_min_max || lo < s->min.f64)
        s->min.f64 = lo;
    if (!s->has_min_max || hi > s->max.f64)
        s->max.f64 = hi;
    s->has_min_max = true;
}

static void fold_i128(pq_stats_t *s, lh_i128 lo, lh_i128 hi)
{
    if (!s->has_min_max || lo < s->min.i128)
        s->min.i128 = lo;
    if (!s->has_min_max || hi > s->max.i128)
        s->max.i128 = hi;
    s->has_min_max = true;
}

static void fold_bytes(pq_stats_t *s, const uint8_t *lo, size_t lo_len, const uint8_t *hi,
                       size_t hi_len)
{
    if (!s->has_min_max || cmp_bytes(lo, lo_len, s->min_bytes.data, s->min_bytes.len) < 0)
        set_bytes(&s->min_bytes, lo, lo_len);
    if (!s->has_min_max || cmp_bytes(hi, hi_len, s->max_bytes.data, s->max_bytes.len) > 0)
        set_bytes(&s->max_bytes, hi, hi_len);
    s->has_min_max = true;
}

static lh_i128 be_to_i128(const uint8_t *p, int w)
{
    unsigned __int128 u = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
    for (int i = 0; i < w; i++)
        u = (u << 8) | p[i];
    return (lh_i128)u;
}

#define FOLD_INTS(T)                                                                               \
    do {                                                                                           \
        const T *x = vals;                                                                         \
        int64_t lo = x[0], hi = x[0];                                                              \
        for (size_t i = 1; i < n; i++) {                                                           \
            lo = x[i] < lo ? x[i] : lo;                                                            \
            hi = x[i] > hi ? x[i] : hi;                                                            \
        }                                                                                          \
        fold_i64(s, lo, hi);                                                                       \
    } while (0)

#define FOLD_FLOATS(T)                                                                             \
    do {                                                                                           \
        const T *x = vals;                                                                         \
        double lo = INFINITY, hi = -INFINITY;                                                      \
        size_t nans = 0;                                                                           \
        for (size_t i = 0; i < n; i++) {                                                           \
            double d = x[i];                                                                       \
            if (isnan(d)) {                                                                        \
                nans++;                                                                            \
                continue;                                                                          \
            }                                                                                      \
            lo = d < lo ? d : lo;                                                                  \
            hi = d > hi ? d : hi;                                                                  \
        }                                                                                          \
        s->nan_count += (int64_t)nans;                                                             \
        if (nans < n)                                                                              \
            fold_f64(s, lo, hi);                                                                   \
    } while (0)

void lh_pqw_stats_add(pq_col_t *c, pq_stats_t *s, const void *vals, size_t n)
{
    if (n == 0)
        return;
    switch (c->kind) {
    case PK_BOOL:
        FOLD_INTS(uint8_t);
        break;
    case PK_I32:
        FOLD_INTS(int32_t);
        break;
    case PK_I64:
        FOLD_INTS(int64_t);
        break;
    case PK_F32:
        FOLD_FLOATS(float);
        break;
    case PK_F64:
        FOLD_FLOATS(double);
        break;
    case PK_FLBA: {
        const uint8_t *x = vals;
        lh_i128 lo = be_to_i128(x, c->width), hi = lo;
        for (size_t i = 1; i < n; i++) {
            lh_i128 v = be_to_i128(x + i * (size_t)c->width, c->width);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        fold_i128(s, lo, hi);
        break;
    }
    case PK_BYTES: {
        const lh_sv_t *x = vals;
        size_t lo = 0, hi = 0;
        for (size_t i = 1; i < n; i++) {
            if (cmp_bytes(x[i].ptr, x[i].len, x[lo].ptr, x[lo].len) < 0)
                lo = i;
            else if (cmp_bytes(x[i].ptr, x[i].len, x[hi].ptr, x[hi].len) > 0)
                hi = i;
        }
        fold_bytes(s, x[lo].ptr, x[lo].len, x[hi].ptr, x[hi].len);
        break;
    }
    }
}

void lh_pqw_stats_merge(const pq_col_t *c, pq_stats_t *dst, const pq_stats_t *src)
{
    dst->null_count += src->null_count;
    dst->nan_count += src->nan_count;
    if (!src->has_min_max)
        return;
    switch (c->kind) {
    case PK_BOOL:
    case PK_I32:
    case PK_I64:
        fold_i64(dst, src->min.i64, src->max.i64);
        break;
    case PK_F32:
    case PK_F64:
        fold_f64(dst, src->min.f64, src->max.f64);
        break;
    case PK_FLBA:
        fold_i128(dst, src->min.i128, src->max.i128);
        break;
    case PK_BYTES:
        fold_bytes(dst, src->min_bytes.data, src->min_bytes.len, src->max_bytes.data,
                   src->max_bytes.len);
        break;
    }
}

static void put_le(uint8_t *p, uint64_t x, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

void lh_pqw_i128_to_be(lh_i128 v, uint8_t *p, int w)
{
    unsigned __int128 u = (unsigned __int128)v;
    for (int i = w - 1; i >= 0; i--) {
        p[i] = (uint8_t)u;
        u >>= 8;
    }
}

/* The PLAIN bytes of a statistic (length prefix excluded); *p points into buf or s. */
static size_t stat_bytes(const pq_col_t *c, const pq_stats_t *s, bool is_max, uint8_t buf[16],
                         const uint8_t **p)
{
    const pq_num *v = is_max ? &s->max : &s->min;
    *p = buf;
    switch (c->kind) {
    case PK_BOOL:
        buf[0] = v->i64 ? 1 : 0;
        return 1;
    case PK_I32:
        put_le(buf, (uint64_t)v->i64, 4);
        return 4;
    case PK_I64:
        put_le(buf, (uint64_t)v->i64, 8);
        return 8;
    case PK_F32: {
        float f = (float)v->f64;
        if (f == 0.0f)
            f = is_max ? 0.0f : -0.0f;
        memcpy(buf, &f, 4);
        return 4;
    }
    case PK_F64: {
        double d = v->f64;
        if (d == 0.0)
            d = is_max ? 0.0 : -0.0;
        memcpy(buf, &d, 8);
        return 8;
    }
    case PK_FLBA:
        lh_pqw_i128_to_be(v->i128, buf, c->width);
        return (size_t)c->width;
    case PK_BYTES: {
        const lh_pq_buf_t *b = is_max ? &s->max_bytes : &s->min_bytes;
        *p = b->data;
        return b->len;
    }
    }
    return 0;
}

void lh_pqw_encode_stats(lh_tenc_t *t, int16_t id, const pq_col_t *c, const pq_stats_t *s)
{
    uint8_t buf[16];
    const uint8_t *p;
    lh_tenc_struct_begin(t, id);
    lh_tenc_i64(t, 3, s->null_count);
    bool too_long = c->kind == PK_BYTES &&
                    (s->min_bytes.len > STATS_BYTES_MAX || s->max_bytes.len > STATS_BYTES_MAX);
    if (s->has_min_max && !too_long) {
        size_t n = stat_bytes(c, s, true, buf, &p);
        lh_tenc_binary(t, 5, p, n);
        n = stat_bytes(c, s, false, buf, &p);
        lh_tenc_binary(t, 6, p, n);
        lh_tenc_bool(t, 7, true);
        lh_tenc_bool(t, 8, true);
    }
    if (is_float(c))
        lh_tenc_i64(t, 9, s->nan_count);
    lh_tenc_struct_end(t);
}

void lh_pqw_encode_column_chunk(lh_tenc_t *t, const lh_pq_writer_t *w, const pq_col_t *c)
{
    lh_tenc_elem_struct_begin(t);
    lh_tenc_i64(t, 2, 0); /* file_offset: deprecated, 0 */
    lh_tenc_struct_begin(t, 3);
    lh_tenc_i32(t, 1, c->phys);
    uint32_t n = 0;
    for (int e = 0; e < 32; e++)
        n += (c->encodings >> e) & 1;
    lh_tenc_list_begin(t, 2, TC_I32, n);
    for (int e = 0; e < 32; e++)
        if ((c->encodings >> e) & 1)
            lh_tenc_elem_i32(t, e);
    lh_tenc_list_begin(t, 3, TC_BINARY, (uint32_t)c->path_len);
    for (int i = 0; i < c->path_len; i++)
        lh_tenc_elem_binary(t, c->path[i], strlen(c->path[i]));
    lh_tenc_i32(t, 4, (int32_t)w->opts.codec);
    lh_tenc_i64(t, 5, c->chunk_levels);
    lh_tenc_i64(t, 6, c->m_unc);
    lh_tenc_i64(t, 7, c->m_comp);
    lh_tenc_i64(t, 9, c->m_data_off);
    if (c->m_dict_off >= 0)
        lh_tenc_i64(t, 11, c->m_dict_off);
    lh_pqw_encode_stats(t, 12, c, &c->chunk_stats);
    if (c->bloom) {
        lh_tenc_i64(t, 14, c->m_bloom_off);
        lh_tenc_i32(t, 15, c->m_bloom_len);
    }
    lh_tenc_struct_end(t);
    lh_tenc_struct_end(t);
}

/* ---- schema and footer
 * ------------------------------------------------------------------------------ */

static void enc_leaf_annotations(lh_tenc_t *t, const pq_col_t *c)
{
    lh_type_t ty = c->type;
    int ct = -1;
    switch (ty.id) {
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
        ct = ty.id == LH_TYPE_BYTE ? PQ_CT_INT_8 : PQ_CT_INT_16;
        break;
    case LH_TYPE_STRING:
        ct = PQ_CT_UTF8;
        break;
    case LH_TYPE_DATE:
        ct = PQ_CT_DATE;
        break;
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        ct = PQ_CT_TIMESTAMP_MICROS;
        break;
    case LH_TYPE_DECIMAL:
        ct = PQ_CT_DECIMAL;
        break;
    default:
        return;
    }
    lh_tenc_i32(t, 6, ct);
    if (ty.id == LH_TYPE_DECIMAL) {
        lh_tenc_i32(t, 7, ty.scale);
        lh_tenc_i32(t, 8, ty.precision);
    }
    lh_tenc_struct_begin(t, 10);
    switch (ty.id) {
    case LH_TYPE_BYTE:
    case LH_TYPE_SHORT:
        lh_tenc_struct_begin(t, 10);
        lh_tenc_i8(t, 1, ty.id == LH_TYPE_BYTE ? 8 : 16);
        lh_tenc_bool(t, 2, true);
        lh_tenc_struct_end(t);
        break;
    case LH_TYPE_STRING:
        lh_tenc_empty_struct(t, 1);
        break;
    case LH_TYPE_DATE:
        lh_tenc_empty_struct(t, 6);
        break;
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
        lh_tenc_struct_begin(t, 8);
        lh_tenc_bool(t, 1, ty.id == LH_TYPE_TIMESTAMP);
        lh_tenc_struct_begin(t, 2);
        lh_tenc_empty_struct(t, 2); /* MICROS */
        lh_tenc_struct_end(t);
        lh_tenc_struct_end(t);
        break;
    default: /* DECIMAL */
        lh_tenc_struct_begin(t, 5);
        lh_tenc_i32(t, 1, ty.scale);
        lh_tenc_i32(t, 2, ty.precision);
        lh_tenc_struct_end(t);
        break;
    }
    lh_tenc_struct_end(t);
}

static void enc_schema_element(lh_tenc_t *t, const lh_pq_writer_t *w, const pq_snode_t *s,
                               bool is_root)
{
    lh_tenc_elem_struct_begin(t);
    const pq_col_t *c = s->leaf >= 0 ? &w->cols[s->leaf] : NULL;
    if (c != NULL) {
        lh_tenc_i32(t, 1, c->phys);
        if (c->kind == PK_FLBA)
            lh_tenc_i32(t, 2, c->width);
    }
    if (!is_root)
        lh_tenc_i32(t, 3, s->repetition);
    lh_tenc_string(t, 4, s->name);
    if (c == NULL)
        lh_tenc_i32(t, 5, s->child_count);
    if (c != NULL) {
        enc_leaf_annotations(t, c);
    } else if (s->annot == LH_PQ_ANNOT_LIST || s->annot == LH_PQ_ANNOT_MAP) {
        bool is_list = s->annot == LH_PQ_ANNOT_LIST;
        lh_tenc_i32(t, 6, is_list ? PQ_CT_LIST : PQ_CT_MAP);
        lh_tenc_struct_begin(t, 10);
        lh_tenc_empty_struct(t, is_list ? 3 : 2);
        lh_tenc_struct_end(t);
    }
    lh_tenc_struct_end(t);
}

void lh_pqw_encode_footer(const lh_pq_writer_t *w, lh_pq_buf_t *out)
{
    lh_tenc_t t;
    lh_tenc_init(&t, out);
    lh_tenc_i32(&t, 1, 1);
    lh_tenc_list_begin(&t, 2, TC_STRUCT, (uint32_t)w->snode_count);
    for (int i = 0; i < w->snode_count; i++)
        enc_schema_element(&t, w, &w->snodes[i], i == 0);
    lh_tenc_i64(&t, 3, w->num_rows);
    lh_tenc_list_begin(&t, 4, TC_STRUCT, (uint32_t)w->rg_count);
    lh_pq_buf_append(out, w->rg_meta.data, w->rg_meta.len);
    lh_tenc_string(&t, 6, w->opts.created_by);
    lh_tenc_list_begin(&t, 7, TC_STRUCT, (uint32_t)w->col_count);
    for (int i = 0; i < w->col_count; i++) {
        lh_tenc_elem_struct_begin(&t);
        lh_tenc_empty_struct(&t, 1); /* TYPE_ORDER */
        lh_tenc_struct_end(&t);
    }
    lh_tenc_stop(&t);
}

void lh_pqw_fill_summary(lh_pq_writer_t *w, lh_pq_file_summary_t *sum)
{
    for (int i = 0; i < w->col_count; i++) {
        const pq_col_t *c = &w->cols[i];
        const pq_stats_t *s = &c->file_stats;
        lh_pq_col_stats_t *o = &w->summary_leaves[i];
        memset(o, 0, sizeof *o);
        o->has_min_max = s->has_min_max;
        o->has_null_count = true;
        o->null_count = s->null_count;
        o->value_count = c->file_levels;
        o->min.type = o->max.type = c->type;
        if (!s->has_min_max)
            continue;
        switch (c->kind) {
        case PK_BOOL:
        case PK_I32:
        case PK_I64:
            o->min.v.i64 = s->min.i64, o->max.v.i64 = s->max.i64;
            break;
        case PK_F32:
        case PK_F64:
            o->min.v.f64 = s->min.f64 == 0.0 ? -0.0 : s->min.f64;
            o->max.v.f64 = s->max.f64 == 0.0 ? 0.0 : s->max.f64;
            break;
        case PK_FLBA:
            o->min.v.i128 = s->min.i128, o->max.v.i128 = s->max.i128;
            break;
        case PK_BYTES:
            o->min.v.str = (lh_sv_t){s->min_bytes.data, (uint32_t)s->min_bytes.len};
            o->max.v.str = (lh_sv_t){s->max_bytes.data, (uint32_t)s->max_bytes.len};
            break;
        }
    }
    sum->num_rows = w->num_rows;
    sum->file_bytes = w->offset;
    sum->leaf_count = w->col_count;
    sum->leaves = w->summary_leaves;
    sum->col_count = w->schema ? w->schema->field_count : w->col_count;
    sum->cols = w->summary_cols;
    for (int i = 0; i < sum->col_count; i++) {
        if (w->schema == NULL || !lh_type_is_nested(w->schema->fields[i].type)) {
            w->summary_cols[i] = w->summary_leaves[w->schema ? w->field_leaf[i] : i];
            continue;
        }
        lh_pq_col_stats_t *o = &w->summary_cols[i]; /* a nested column: its NULL rows */
        memset(o, 0, sizeof *o);
        o->min.type = o->max.type = w->schema->fields[i].type;
        o->has_null_count = true;
        o->null_count = w->field_nulls[i];
        o->value_count = w->num_rows;
    }
}
