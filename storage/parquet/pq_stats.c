/*
 * pq_stats.c - chunk statistics as typed values, row-group skipping and bloom probes.
 *
 * Which statistics we trust: min_value/max_value (f6/f5) when column_orders says
 * TYPE_ORDER (or IEEE_754_TOTAL_ORDER for floats), or when it is absent but the column
 * sorts signed and is not a byte array;
 * the deprecated min/max (f2/f1, signed order) only for signed numeric columns. Never for
 * INT96 or FLOAT16. Float min/max with NaN are dropped; a zero min becomes -0.0 and a
 * zero max +0.0. Bloom filters (split-block, xxHash64 of the PLAIN bytes) are read on
 * demand from ColumnMetaData.bloom_filter_offset/length.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "storage/parquet/parquet.h"
#include "storage/parquet/pq_bloom.h"
#include "storage/parquet/pq_decode.h"
#include "storage/parquet/pq_file.h"
#include "storage/parquet/pq_format.h"
#include "storage/parquet/thrift_dec.h"

/* A value in target layout (per vec.h) as an lh_value_t. */
static void value_from_slot(lh_type_t t, const void *slot, lh_value_t *out)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    switch (lh_type_width(t)) {
    case 1:
        out->v.i64 = t.id == LH_TYPE_BOOLEAN ? *(const uint8_t *)slot : *(const int8_t *)slot;
        break;
    case 2:
        out->v.i64 = *(const int16_t *)slot;
        break;
    case 4:
        if (t.id == LH_TYPE_FLOAT)
            out->v.f64 = *(const float *)slot;
        else
            out->v.i64 = *(const int32_t *)slot;
        break;
    case 8:
        if (t.id == LH_TYPE_DOUBLE)
            out->v.f64 = *(const double *)slot;
        else
            out->v.i64 = *(const int64_t *)slot;
        break;
    default:
        if (t.id == LH_TYPE_DECIMAL)
            memcpy(&out->v.i128, slot, sizeof out->v.i128);
        else
            memcpy(&out->v.str, slot, sizeof out->v.str);
    }
}

/* Decode one statistics value (PLAIN bytes without length prefix). */
static bool stat_value(const pq_leaf_t *lf, pq_bytes_t b, lh_value_t *out)
{
    static const size_t fixed[8] = {1, 4, 8, 0, 4, 8, 0, 0};
    uint8_t phys[16] = {0}, slot[16] = {0};
    lh_sv_t sv = {b.ptr, b.len};
    if (lf->phys_type == PQ_BYTE_ARRAY || lf->phys_type == PQ_FIXED_LEN_BYTE_ARRAY) {
        if (lf->conv == PQ_CONV_F16)
            return false;
        if (lf->conv != PQ_CONV_NONE && (b.len > 16 || (lf->phys_type == PQ_FIXED_LEN_BYTE_ARRAY &&
                                                        b.len != (uint32_t)lf->type_length)))
            return false;
        memcpy(phys, &sv, sizeof sv);
    } else {
        if (fixed[lf->phys_type] == 0 || b.len != fixed[lf->phys_type])
            return false;
        memcpy(phys, b.ptr, b.len);
        if (lf->phys_type == PQ_BOOLEAN)
            phys[0] &= 1;
    }
    if (lf->conv == PQ_CONV_NONE)
        memcpy(slot, phys, sizeof slot);
    else
        pq_convert(lf->conv, phys, 1, slot);
    value_from_slot(lf->type, slot, out);
    return true;
}

static bool float_ok(lh_value_t *min, lh_value_t *max)
{
    if (isnan(min->v.f64) || isnan(max->v.f64))
        return false;
    if (min->v.f64 == 0.0)
        min->v.f64 = -0.0;
    if (max->v.f64 == 0.0)
        max->v.f64 = 0.0;
    return true;
}

static void pick_min_max(const pq_leaf_t *lf, const pq_stats_t *s, lh_pq_col_stats_t *out)
{
    bool bytes = lf->phys_type == PQ_BYTE_ARRAY || lf->phys_type == PQ_FIXED_LEN_BYTE_ARRAY;
    pq_bytes_t lo = {0}, hi = {0};
    if (lf->phys_type == PQ_INT96)
        return;
    bool fp = lf->type.id == LH_TYPE_FLOAT || lf->type.id == LH_TYPE_DOUBLE;
    bool new_ok = lf->column_order == 1 || (lf->column_order == 2 && fp) ||
                  (lf->column_order == 0 && lf->sort_signed && !bytes);
    if (new_ok && s->min_value.ptr && s->max_value.ptr) {
        lo = s->min_value;
        hi = s->max_value;
    } else if (s->min.ptr && s->max.ptr && lf->sort_signed && !bytes) {
        lo = s->min;
        hi = s->max;
    } else {
        return;
    }
    if (!stat_value(lf, lo, &out->min) || !stat_value(lf, hi, &out->max))
        return;
    if (lf->type.id == LH_TYPE_FLOAT || lf->type.id == LH_TYPE_DOUBLE)
        if (!float_ok(&out->min, &out->max))
            return;
    out->has_min_max = true;
}

static lh_err flat_chunk(const lh_pq_file_t *f, int rg, int col, const pq_leaf_t **lf,
                         const pq_chunk_t **ch, lh_errbuf *eb)
{
    LH_FAIL_IF(rg < 0 || rg >= f->meta.row_group_count, LH_E_INVALID, eb,
               "parquet: no row group %d", rg);
    LH_FAIL_IF(col < 0 || col >= f->schema->field_count, LH_E_INVALID, eb, "parquet: no column %d",
               col);
    int li = f->flat_leaf[col];
    *lf = &f->meta.leaves[li];
    *ch = &f->meta.row_groups[rg].chunks[li];
    return LH_OK;
}

lh_err lh_pq_column_stats(const lh_pq_file_t *f, int rg, int col, lh_pq_col_stats_t *out,
                          lh_errbuf *eb)
{
    const pq_leaf_t *lf;
    const pq_chunk_t *ch;
    memset(out, 0, sizeof *out);
    LH_TRY(flat_chunk(f, rg, col, &lf, &ch, eb));
    out->min.type = out->max.type = lf->type;
    out->value_count = ch->num_values;
    if (!ch->has_stats)
        return LH_OK;
    out->has_null_count = ch->stats.has_null_count;
    out->null_count = ch->stats.null_count;
    pick_min_max(lf, &ch->stats, out);
    return LH_OK;
}

/* ---- predicates -------------------------------------------------------------------------- */

static bool is_int_family(lh_type_id t)
{
    return t == LH_TYPE_BYTE || t == LH_TYPE_SHORT || t == LH_TYPE_INT || t == LH_TYPE_LONG;
}

/* Make a literal comparable with a column of type t; false if we cannot. */
static bool coerce(const lh_value_t *lit, lh_type_t t, lh_value_t *out)
{
    if (lit->is_null)
        return false;
    *out = *lit;
    if (lh_type_equal(lit->type, t))
        return true;
    if (is_int_family(lit->type.id) && is_int_family(t.id)) {
        out->type = t;
        return true;
    }
    bool lf = lit->type.id == LH_TYPE_FLOAT || lit->type.id == LH_TYPE_DOUBLE;
    bool cf = t.id == LH_TYPE_FLOAT || t.id == LH_TYPE_DOUBLE;
    if (lf && cf) {
        out->type = t;
        return true;
    }
    return false;
}

/* Compare with int-family values compared as int64 whatever their width. */
static int cmp(const lh_value_t *a, const lh_value_t *b)
{
    return lh_value_compare(a, b);
}

static bool in_range(const lh_pq_col_stats_t *s, lh_pq_op op, const lh_value_t *v)
{
    switch (op) {
    case LH_PQ_EQ:
    case LH_PQ_IN:
        return cmp(v, &s->min) >= 0 && cmp(v, &s->max) <= 0;
    case LH_PQ_LT:
        return cmp(&s->min, v) < 0;
    case LH_PQ_LE:
        return cmp(&s->min, v) <= 0;
    case LH_PQ_GT:
        return cmp(&s->max, v) > 0;
    case LH_PQ_GE:
        return cmp(&s->max, v) >= 0;
    }
    return true;
}

/* PLAIN encoding of a literal in the column's physical type; false if we cannot. */
static bool plain_bytes(const pq_leaf_t *lf, const lh_value_t *v, uint8_t *tmp, const void **p,
                        size_t *len)
{
    int32_t i32;
    float f32;
    switch (lf->phys_type) {
    case PQ_INT32:
        if (lf->conv != PQ_CONV_NONE && lf->conv != PQ_CONV_I32_TO_I8 &&
            lf->conv != PQ_CONV_I32_TO_I16 && lf->conv != PQ_CONV_I32_TO_I64)
            return false;
        if (v->v.i64 < INT32_MIN || v->v.i64 > INT32_MAX)
            return false;
        i32 = (int32_t)v->v.i64;
        memcpy(tmp, &i32, 4);
        *len = 4;
        break;
    case PQ_INT64:
        if (lf->conv != PQ_CONV_NONE)
            return false;
        memcpy(tmp, &v->v.i64, 8);
        *len = 8;
        break;
    case PQ_FLOAT:
        f32 = (float)v->v.f64;
        memcpy(tmp, &f32, 4);
        *len = 4;
        break;
    case PQ_DOUBLE:
        memcpy(tmp, &v->v.f64, 8);
        *len = 8;
        break;
    case PQ_BYTE_ARRAY:
    case PQ_FIXED_LEN_BYTE_ARRAY:
        if (lf->conv != PQ_CONV_NONE)
            return false;
        *p = v->v.str.ptr;
        *len = v->v.str.len;
        return true;
    default:
        return false;
    }
    *p = tmp;
    return true;
}

typedef struct bloom {
    uint8_t *bits;
    size_t nbytes;
} bloom;

/* BloomFilterHeader: 1 numBytes, 2 algorithm {1 BLOCK}, 3 hash {1 XXHASH},
 * 4 compression {1 UNCOMPRESSED}. */
static lh_err bloom_header(const uint8_t *p, size_t len, int32_t *nbytes, size_t *used,
                           lh_errbuf *eb)
{
    lh_tdec_t d;
    lh_tdec_init(&d, p, len, eb);
    int16_t last = 0, id;
    uint8_t type;
    bool ok_n = false;
    LH_TRY(lh_tdec_struct_begin(&d));
    for (;;) {
        LH_TRY(lh_tdec_field(&d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        if (id == 1) {
            LH_TRY(lh_tdec_i32(&d, type, nbytes));
            ok_n = true;
        } else if (id >= 2 && id <= 4) {
            /* each is a union whose member 1 is the only one defined */
            const uint8_t *start = d.p;
            LH_TRY(lh_tdec_skip(&d, type));
            LH_FAIL_IF(type != TC_STRUCT || d.p - start < 2 || (start[0] >> 4) != 1,
                       LH_E_UNSUPPORTED, eb, "parquet: unsupported bloom filter kind");
        } else {
            LH_TRY(lh_tdec_skip(&d, type));
        }
    }
    LH_FAIL_IF(!ok_n || *nbytes < (int32_t)LH_PQ_BLOOM_BYTES_MIN ||
                   (uint32_t)*nbytes > LH_PQ_BLOOM_BYTES_MAX || (*nbytes & (*nbytes - 1)) != 0,
               LH_E_CORRUPT, eb, "parquet: bad bloom filter size");
    *used = (size_t)(d.p - p);
    return LH_OK;
}

static lh_err bloom_read(const lh_pq_file_t *f, const pq_chunk_t *ch, bloom *b, lh_errbuf *eb)
{
    uint8_t head[256];
    uint64_t off = (uint64_t)ch->bloom_offset;
    LH_FAIL_IF(ch->bloom_offset < 4 || off >= f->src.size, LH_E_CORRUPT, eb,
               "parquet: bloom filter offset outside the file");
    size_t hl = f->src.size - off < sizeof head ? (size_t)(f->src.size - off) : sizeof head;
    if (ch->bloom_length > 0 && (size_t)ch->bloom_length < hl)
        hl = (size_t)ch->bloom_length;
    LH_TRY(pq_src_read(f, off, head, hl, eb));
    int32_t n = 0;
    size_t used = 0;
    LH_TRY(bloom_header(head, hl, &n, &used, eb));
    LH_FAIL_IF(ch->bloom_length > 0 && (int64_t)used + n > ch->bloom_length, LH_E_CORRUPT, eb,
               "parquet: bloom filter longer than its recorded length");
    b->bits = malloc((size_t)n);
    LH_FAIL_IF(b->bits == NULL, LH_E_NOMEM, eb, "parquet: out of memory for a bloom filter");
    b->nbytes = (size_t)n;
    return pq_src_read(f, off + used, b->bits, (size_t)n, eb);
}

/* Whether any of the values may be in the chunk's bloom filter (true without one). */
static bool bloom_may_contain(const lh_pq_file_t *f, const pq_leaf_t *lf, const pq_chunk_t *ch,
                              const lh_pq_pred_t *p)
{
    if (ch->bloom_offset < 0)
        return true;
    bloom b = {0};
    if (bloom_read(f, ch, &b, NULL) != LH_OK) {
        free(b.bits);
        return true;
    }
    bool any = false;
    for (int i = 0; i < p->value_count && !any; i++) {
        lh_value_t v;
        uint8_t tmp[16];
        const void *bytes;
        size_t len;
        if (!coerce(&p->values[i], lf->type, &v) || !plain_bytes(lf, &v, tmp, &bytes, &len))
            any = true;
        else
            any = lh_pq_bloom_check(b.bits, b.nbytes, lh_pq_bloom_hash(bytes, len));
    }
    free(b.bits);
    return any;
}

static bool stats_may_match(const lh_pq_col_stats_t *s, lh_type_t t, const lh_pq_pred_t *p)
{
    if (s->has_null_count && s->value_count > 0 && s->null_count >= s->value_count)
        return false; /* all null: no comparison holds */
    if (!s->has_min_max)
        return true;
    for (int i = 0; i < p->value_count; i++) {
        lh_value_t v;
        if (!coerce(&p->values[i], t, &v) || in_range(s, p->op, &v))
            return true;
    }
    return false;
}

static bool pred_may_match(lh_pq_file_t *f, int rg, const lh_pq_pred_t *p)
{
    const pq_leaf_t *lf;
    const pq_chunk_t *ch;
    lh_pq_col_stats_t s;
    if (p->values == NULL || p->value_count <= 0 || (p->op != LH_PQ_IN && p->value_count != 1))
        return true;
    if (flat_chunk(f, rg, p->col, &lf, &ch, NULL) != LH_OK ||
        lh_pq_column_stats(f, rg, p->col, &s, NULL) != LH_OK)
        return true;
    if (!stats_may_match(&s, lf->type, p))
        return false;
    if (p->op == LH_PQ_EQ || p->op == LH_PQ_IN)
        return bloom_may_contain(f, lf, ch, p);
    return true;
}

bool lh_pq_row_group_may_match(lh_pq_file_t *f, int rg, const lh_pq_pred_t *preds, int pred_count)
{
    for (int i = 0; i < pred_count; i++)
        if (!pred_may_match(f, rg, &preds[i]))
            return false;
    return true;
}

bool lh_pq_has_bloom_filter(const lh_pq_file_t *f, int rg, int col)
{
    const pq_leaf_t *lf;
    const pq_chunk_t *ch;
    if (flat_chunk(f, rg, col, &lf, &ch, NULL) != LH_OK)
        return false;
    return ch->bloom_offset >= 4 && (uint64_t)ch->bloom_offset < f->src.size;
}
