/*
 * pq_meta.c - decode FileMetaData and PageHeader (Thrift compact) into pq_meta.h structs.
 *
 * Steps of pq_meta_decode:
 *   1. parse FileMetaData: schema elements, row groups (column chunks, their
 *      ColumnMetaData and Statistics), created_by, column_orders; skip unknown fields;
 *   2. walk the schema tree depth-first (bounded depth, exact element count) into leaves
 *      with dotted paths, max def/rep levels and the logical type mapping;
 *   3. check each row group has exactly one chunk per leaf, of the leaf's physical type.
 * All memory comes from a pool freed at once by pq_meta_free.
 */
#include "storage/parquet/pq_meta.h"

#include <stdlib.h>
#include <string.h>

#include "storage/parquet/pq_format.h"
#include "storage/parquet/thrift_dec.h"

typedef struct pq_pool {
    struct pq_pool *next;
    _Alignas(16) unsigned char bytes[];
} pq_pool_t;

static void *pool_alloc(pq_meta_t *m, size_t n)
{
    pq_pool_t *b = calloc(1, sizeof *b + (n ? n : 1));
    if (b == NULL)
        return NULL;
    b->next = m->pool;
    m->pool = b;
    return b->bytes;
}

static lh_err pool_array(pq_meta_t *m, size_t count, size_t size, void **out, lh_errbuf *eb)
{
    LH_FAIL_IF(count > SIZE_MAX / 2 / (size ? size : 1), LH_E_CORRUPT, eb,
               "parquet: metadata array too large");
    *out = pool_alloc(m, count * size);
    LH_FAIL_IF(*out == NULL, LH_E_NOMEM, eb, "parquet: out of memory for metadata");
    return LH_OK;
}

static lh_err pool_str(pq_meta_t *m, const uint8_t *p, uint32_t len, char **out, lh_errbuf *eb)
{
    char *s = pool_alloc(m, (size_t)len + 1);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "parquet: out of memory for metadata");
    if (len > 0)
        memcpy(s, p, len);
    *out = s;
    return LH_OK;
}

void pq_meta_free(pq_meta_t *m)
{
    pq_pool_t *b = m->pool;
    while (b != NULL) {
        pq_pool_t *next = b->next;
        free(b);
        b = next;
    }
    memset(m, 0, sizeof *m);
}

/* ---- small structs ----------------------------------------------------------------- */

/* Read an i32 enum field into *out, range-checked. */
static lh_err enum_field(lh_tdec_t *d, uint8_t type, int lo, int hi, int *out)
{
    int64_t v;
    LH_TRY(lh_tdec_int(d, type, INT32_MIN, INT32_MAX, &v));
    if (v < lo || v > hi)
        return lh_err_set(d->eb, LH_E_CORRUPT, __FILE__, __LINE__,
                          "parquet: enum value %lld out of range", (long long)v);
    *out = (int)v;
    return LH_OK;
}

/* TIMESTAMP/TIME {1 isAdjustedToUTC, 2 unit: union {1 MILLIS, 2 MICROS, 3 NANOS}} */
static lh_err decode_time_unit(lh_tdec_t *d, int *unit)
{
    LH_TRY(lh_tdec_struct_begin(d));
    int16_t last = 0, id;
    uint8_t type;
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        if (type == TC_STRUCT && id >= 1 && id <= 3)
            *unit = id;
        LH_TRY(lh_tdec_skip(d, type));
    }
    lh_tdec_struct_end(d);
    return LH_OK;
}

static lh_err decode_logical_member(lh_tdec_t *d, int member, pq_logical_t *lt)
{
    LH_TRY(lh_tdec_struct_begin(d));
    int16_t last = 0, id;
    uint8_t type;
    int64_t v;
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        if (member == 5 && (id == 1 || id == 2) && type != TC_STRUCT) {
            LH_TRY(lh_tdec_int(d, type, INT32_MIN, INT32_MAX, &v));
            *(id == 1 ? &lt->scale : &lt->precision) = (int)v;
        } else if ((member == 7 || member == 8) && id == 1 && type <= TC_BOOL_FALSE) {
            LH_TRY(lh_tdec_bool(d, type, &lt->ts_utc));
        } else if ((member == 7 || member == 8) && id == 2 && type == TC_STRUCT) {
            LH_TRY(decode_time_unit(d, &lt->ts_unit));
        } else if (member == 10 && id == 1 && type == TC_I8) {
            LH_TRY(lh_tdec_int(d, type, -128, 127, &v));
            lt->int_bits = (int)v;
        } else if (member == 10 && id == 2 && type <= TC_BOOL_FALSE) {
            LH_TRY(lh_tdec_bool(d, type, &lt->int_signed));
        } else {
            LH_TRY(lh_tdec_skip(d, type));
        }
    }
    lh_tdec_struct_end(d);
    return LH_OK;
}

/* LogicalType union: the member id is the kind; unknown members mean "no annotation". */
static lh_err decode_logical(lh_tdec_t *d, pq_logical_t *lt)
{
    LH_TRY(lh_tdec_struct_begin(d));
    int16_t last = 0, id;
    uint8_t type;
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        if (type == TC_STRUCT && id >= 1 && id <= 15) {
            lt->kind = id;
            LH_TRY(decode_logical_member(d, id, lt));
        } else {
            LH_TRY(lh_tdec_skip(d, type));
        }
    }
    lh_tdec_struct_end(d);
    return LH_OK;
}

static lh_err decode_schema_el(pq_meta_t *m, lh_tdec_t *d, pq_schema_el_t *el)
{
    el->type = -1;
    el->repetition = -1;
    el->converted = -1;
    el->scale = el->precision = -1;
    bool has_name = false;
    int16_t last = 0, id;
    uint8_t type;
    const uint8_t *p;
    uint32_t n;
    LH_TRY(lh_tdec_struct_begin(d));
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        switch (id) {
        case 1:
            LH_TRY(enum_field(d, type, 0, 7, &el->type));
            break;
        case 2:
            LH_TRY(lh_tdec_i32(d, type, &el->type_length));
            break;
        case 3:
            LH_TRY(enum_field(d, type, 0, 2, &el->repetition));
            break;
        case 4:
            LH_TRY(lh_tdec_binary(d, type, &p, &n));
            LH_TRY(pool_str(m, p, n, &el->name, d->eb));
            has_name = true;
            break;
        case 5:
            LH_TRY(lh_tdec_i32(d, type, &el->num_children));
            break;
        case 6:
            LH_TRY(enum_field(d, type, 0, INT32_MAX, &el->converted));
            break;
        case 7:
            LH_TRY(lh_tdec_i32(d, type, &el->scale));
            break;
        case 8:
            LH_TRY(lh_tdec_i32(d, type, &el->precision));
            break;
        case 10:
            LH_TRY(lh_tdec_expect(d, type, TC_STRUCT, "logicalType"));
            LH_TRY(decode_logical(d, &el->logical));
            break;
        default:
            LH_TRY(lh_tdec_skip(d, type));
        }
    }
    lh_tdec_struct_end(d);
    LH_FAIL_IF(!has_name, LH_E_CORRUPT, d->eb, "parquet: schema element without a name");
    LH_FAIL_IF(el->num_children < 0, LH_E_CORRUPT, d->eb, "parquet: negative num_children");
    return LH_OK;
}

static lh_err decode_stats(lh_tdec_t *d, pq_stats_t *s)
{
    int16_t last = 0, id;
    uint8_t type;
    LH_TRY(lh_tdec_struct_begin(d));
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        pq_bytes_t *b = id == 1   ? &s->max
                        : id == 2 ? &s->min
                        : id == 5 ? &s->max_value
                        : id == 6 ? &s->min_value
                                  : NULL;
        if (b != NULL) {
            LH_TRY(lh_tdec_binary(d, type, &b->ptr, &b->len));
        } else if (id == 3) {
            LH_TRY(lh_tdec_i64(d, type, &s->null_count));
            s->has_null_count = s->null_count >= 0;
        } else {
            LH_TRY(lh_tdec_skip(d, type));
        }
    }
    lh_tdec_struct_end(d);
    return LH_OK;
}

/* ---- ColumnChunk / RowGroup ------------------------------------------------------------ */

enum {
    CM_TYPE = 1,
    CM_CODEC = 2,
    CM_NUMV = 4,
    CM_UNC = 8,
    CM_COMP = 16,
    CM_DPO = 32,
    CM_PATH = 64
};

static lh_err decode_path(lh_tdec_t *d, uint8_t type, pq_chunk_t *c)
{
    uint8_t et;
    uint32_t n;
    const uint8_t *p;
    uint32_t len;
    LH_TRY(lh_tdec_list(d, type, &et, &n, 1));
    LH_TRY(lh_tdec_expect(d, n ? et : TC_BINARY, TC_BINARY, "path_in_schema"));
    for (uint32_t i = 0; i < n; i++)
        LH_TRY(lh_tdec_binary(d, TC_BINARY, &p, &len));
    c->path_len = n;
    return LH_OK;
}

static bool is_int_type(uint8_t type)
{
    return type == TC_I8 || type == TC_I16 || type == TC_I32 || type == TC_I64;
}

static lh_err cm_field(lh_tdec_t *d, int16_t id, uint8_t type, pq_chunk_t *c, unsigned *seen)
{
    /* Optional fields of an unexpected type (e.g. Dremio's list in field 15) are skipped. */
    if (((id == 11 || id == 14 || id == 15) && !is_int_type(type)) ||
        (id == 12 && type != TC_STRUCT))
        return lh_tdec_skip(d, type);
    switch (id) {
    case 1:
        *seen |= CM_TYPE;
        return enum_field(d, type, 0, 7, &c->type);
    case 3:
        *seen |= CM_PATH;
        return decode_path(d, type, c);
    case 4:
        *seen |= CM_CODEC;
        return enum_field(d, type, 0, INT32_MAX, &c->codec);
    case 5:
        *seen |= CM_NUMV;
        return lh_tdec_int(d, type, 0, INT64_MAX, &c->num_values);
    case 6:
        *seen |= CM_UNC;
        return lh_tdec_int(d, type, 0, INT64_MAX, &c->total_uncompressed);
    case 7:
        *seen |= CM_COMP;
        return lh_tdec_int(d, type, 0, INT64_MAX, &c->total_compressed);
    case 9:
        *seen |= CM_DPO;
        return lh_tdec_int(d, type, 0, INT64_MAX, &c->data_page_offset);
    case 11:
        return lh_tdec_int(d, type, INT64_MIN, INT64_MAX, &c->dictionary_page_offset);
    case 12:
        c->has_stats = true;
        return decode_stats(d, &c->stats);
    case 14:
        return lh_tdec_int(d, type, INT64_MIN, INT64_MAX, &c->bloom_offset);
    case 15:
        return lh_tdec_i32(d, type, &c->bloom_length);
    default:
        return lh_tdec_skip(d, type);
    }
}

static lh_err decode_column_meta(lh_tdec_t *d, pq_chunk_t *c)
{
    unsigned seen = 0;
    int16_t last = 0, id;
    uint8_t type;
    LH_TRY(lh_tdec_struct_begin(d));
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        LH_TRY(cm_field(d, id, type, c, &seen));
    }
    lh_tdec_struct_end(d);
    LH_FAIL_IF(seen != 127, LH_E_CORRUPT, d->eb,
               "parquet: ColumnMetaData lacks required fields (mask %#x)", seen);
    return LH_OK;
}

static lh_err decode_chunk(lh_tdec_t *d, pq_chunk_t *c)
{
    bool has_meta = false;
    int16_t last = 0, id;
    uint8_t type;
    c->bloom_offset = -1;
    c->bloom_length = -1;
    LH_TRY(lh_tdec_struct_begin(d));
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        if (id == 3 && type == TC_STRUCT) {
            LH_TRY(decode_column_meta(d, c));
            has_meta = true;
        } else {
            if (id == 8 || id == 9)
                c->encrypted = true;
            LH_TRY(lh_tdec_skip(d, type));
        }
    }
    lh_tdec_struct_end(d);
    LH_FAIL_IF(!has_meta && !c->encrypted, LH_E_CORRUPT, d->eb,
               "parquet: column chunk without metadata");
    return LH_OK;
}

static lh_err decode_chunks(pq_meta_t *m, lh_tdec_t *d, uint8_t type, pq_row_group_t *rg)
{
    uint8_t et;
    uint32_t n;
    LH_TRY(lh_tdec_list(d, type, &et, &n, 1));
    LH_FAIL_IF(n > 0 && et != TC_STRUCT, LH_E_CORRUPT, d->eb, "parquet: bad columns list");
    LH_TRY(pool_array(m, n, sizeof(pq_chunk_t), (void **)&rg->chunks, d->eb));
    rg->chunk_count = (int)n;
    for (uint32_t i = 0; i < n; i++)
        LH_TRY(decode_chunk(d, &rg->chunks[i]));
    return LH_OK;
}

static lh_err decode_row_group(pq_meta_t *m, lh_tdec_t *d, pq_row_group_t *rg)
{
    bool has_cols = false, has_rows = false;
    int16_t last = 0, id;
    uint8_t type;
    LH_TRY(lh_tdec_struct_begin(d));
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        if (id == 1 && !has_cols) {
            LH_TRY(decode_chunks(m, d, type, rg));
            has_cols = true;
        } else if (id == 3) {
            LH_TRY(lh_tdec_int(d, type, 0, INT64_MAX, &rg->num_rows));
            has_rows = true;
        } else {
            LH_TRY(lh_tdec_skip(d, type));
        }
    }
    lh_tdec_struct_end(d);
    LH_FAIL_IF(!has_cols || !has_rows, LH_E_CORRUPT, d->eb,
               "parquet: row group lacks columns or num_rows");
    return LH_OK;
}

/* ---- FileMetaData ------------------------------------------------------------------ */

static lh_err decode_schema_list(pq_meta_t *m, lh_tdec_t *d, uint8_t type)
{
    uint8_t et;
    uint32_t n;
    LH_TRY(lh_tdec_list(d, type, &et, &n, 2));
    LH_FAIL_IF(n == 0 || et != TC_STRUCT, LH_E_CORRUPT, d->eb, "parquet: empty or bad schema");
    LH_FAIL_IF(n > LH_PQ_SCHEMA_MAX, LH_E_CORRUPT, d->eb, "parquet: schema of %u elements", n);
    LH_TRY(pool_array(m, n, sizeof(pq_schema_el_t), (void **)&m->schema, d->eb));
    m->schema_count = (int)n;
    for (uint32_t i = 0; i < n; i++)
        LH_TRY(decode_schema_el(m, d, &m->schema[i]));
    return LH_OK;
}

static lh_err decode_row_groups(pq_meta_t *m, lh_tdec_t *d, uint8_t type)
{
    uint8_t et;
    uint32_t n;
    LH_TRY(lh_tdec_list(d, type, &et, &n, 4));
    LH_FAIL_IF(n > 0 && et != TC_STRUCT, LH_E_CORRUPT, d->eb, "parquet: bad row group list");
    LH_FAIL_IF(n > INT32_MAX / 2, LH_E_CORRUPT, d->eb, "parquet: too many row groups");
    LH_TRY(pool_array(m, n, sizeof(pq_row_group_t), (void **)&m->row_groups, d->eb));
    m->row_group_count = (int)n;
    for (uint32_t i = 0; i < n; i++)
        LH_TRY(decode_row_group(m, d, &m->row_groups[i]));
    return LH_OK;
}

/* column_orders: a list of ColumnOrder unions, one per leaf; kept in a temporary array
 * until the leaves exist. */
static lh_err decode_column_orders(pq_meta_t *m, lh_tdec_t *d, uint8_t type, int **orders,
                                   int *count)
{
    uint8_t et;
    uint32_t n;
    LH_TRY(lh_tdec_list(d, type, &et, &n, 1));
    LH_FAIL_IF(n > 0 && et != TC_STRUCT, LH_E_CORRUPT, d->eb, "parquet: bad column_orders");
    LH_TRY(pool_array(m, n, sizeof(int), (void **)orders, d->eb));
    *count = (int)n;
    for (uint32_t i = 0; i < n; i++) {
        int16_t last = 0, id;
        uint8_t ft;
        LH_TRY(lh_tdec_struct_begin(d));
        for (;;) {
            LH_TRY(lh_tdec_field(d, &last, &id, &ft));
            if (ft == TC_STOP)
                break;
            if (ft == TC_STRUCT && id >= 1 && id <= 3)
                (*orders)[i] = id;
            LH_TRY(lh_tdec_skip(d, ft));
        }
        lh_tdec_struct_end(d);
    }
    return LH_OK;
}

typedef struct fm_state {
    unsigned seen;
    int *orders;
    int order_count;
} fm_state;

static lh_err fm_field(pq_meta_t *m, lh_tdec_t *d, int16_t id, uint8_t type, fm_state *st)
{
    const uint8_t *p;
    uint32_t n;
    switch (id) {
    case 1:
        return lh_tdec_i32(d, type, &m->version);
    case 2:
        LH_FAIL_IF(st->seen & 1, LH_E_CORRUPT, d->eb, "parquet: two schemas");
        st->seen |= 1;
        return decode_schema_list(m, d, type);
    case 3:
        st->seen |= 2;
        return lh_tdec_int(d, type, 0, INT64_MAX, &m->num_rows);
    case 4:
        LH_FAIL_IF(st->seen & 4, LH_E_CORRUPT, d->eb, "parquet: two row group lists");
        st->seen |= 4;
        return decode_row_groups(m, d, type);
    case 6:
        LH_TRY(lh_tdec_binary(d, type, &p, &n));
        return pool_str(m, p, n, (char **)&m->created_by, d->eb);
    case 7:
        LH_FAIL_IF(st->orders != NULL, LH_E_CORRUPT, d->eb, "parquet: two column_orders");
        return decode_column_orders(m, d, type, &st->orders, &st->order_count);
    case 8:
        m->encrypted = true;
        return lh_tdec_skip(d, type);
    default:
        return lh_tdec_skip(d, type);
    }
}

/* ---- schema tree -> leaves ------------------------------------------------------------ */

typedef struct walker {
    pq_meta_t *m;
    int next;       /* next schema element to consume */
    int leaf_count; /* leaves filled so far */
    lh_errbuf *eb;
} walker;

static bool is_string_annot(const pq_schema_el_t *el)
{
    int k = el->logical.kind;
    return k == 1 || k == 4 || k == 12 || el->converted == PQ_CT_UTF8 ||
           el->converted == PQ_CT_ENUM || el->converted == PQ_CT_JSON;
}

static bool decimal_params(const pq_schema_el_t *el, int *prec, int *scale)
{
    if (el->logical.kind == 5) {
        *prec = el->logical.precision;
        *scale = el->logical.scale;
    } else if (el->converted == PQ_CT_DECIMAL) {
        *prec = el->precision;
        *scale = el->scale;
    } else {
        return false;
    }
    return *prec >= 1 && *prec <= 38 && *scale >= 0 && *scale <= *prec;
}

static void set_decimal(pq_leaf_t *lf, int prec, int scale)
{
    lf->type.id = LH_TYPE_DECIMAL;
    lf->type.precision = (uint8_t)prec;
    lf->type.scale = (uint8_t)scale;
}

static void map_int32(const pq_schema_el_t *el, pq_leaf_t *lf, int prec, int scale, bool dec)
{
    int ct = el->converted, bits = el->logical.kind == 10 ? el->logical.int_bits : 0;
    bool uns = el->logical.kind == 10 ? !el->logical.int_signed
                                      : (ct >= PQ_CT_UINT_8 && ct <= PQ_CT_UINT_64);
    if (!bits)
        bits = ct == PQ_CT_INT_8 || ct == PQ_CT_UINT_8     ? 8
               : ct == PQ_CT_INT_16 || ct == PQ_CT_UINT_16 ? 16
                                                           : 32;
    lf->type.id = LH_TYPE_INT;
    if (dec) {
        set_decimal(lf, prec, scale);
        lf->conv = prec <= 18 ? PQ_CONV_I32_TO_I64 : PQ_CONV_I32_TO_I128;
    } else if (el->logical.kind == 6 || ct == PQ_CT_DATE) {
        lf->type.id = LH_TYPE_DATE;
    } else if (bits == 8 && !uns) {
        lf->type.id = LH_TYPE_BYTE;
        lf->conv = PQ_CONV_I32_TO_I8;
    } else if ((bits == 16 && !uns) || (bits == 8 && uns)) {
        lf->type.id = LH_TYPE_SHORT;
        lf->conv = PQ_CONV_I32_TO_I16;
    } else if (bits == 16 && uns) {
        lf->conv = PQ_CONV_I32_TO_U16;
    } else if (uns) {
        lf->type.id = LH_TYPE_LONG;
        lf->conv = PQ_CONV_U32_TO_I64;
    }
    lf->sort_signed = !uns || dec;
}

static void map_int64(const pq_schema_el_t *el, pq_leaf_t *lf, int prec, int scale, bool dec)
{
    int ct = el->converted;
    const pq_logical_t *lt = &el->logical;
    lf->type.id = LH_TYPE_LONG;
    if (dec) {
        set_decimal(lf, prec, scale);
        lf->conv = prec <= 18 ? PQ_CONV_NONE : PQ_CONV_I64_TO_I128;
    } else if (lt->kind == 8) {
        lf->type.id = lt->ts_utc ? LH_TYPE_TIMESTAMP : LH_TYPE_TIMESTAMP_NTZ;
        lf->conv = lt->ts_unit == 1   ? PQ_CONV_MILLIS
                   : lt->ts_unit == 3 ? PQ_CONV_NANOS
                                      : PQ_CONV_NONE;
    } else if (ct == PQ_CT_TIMESTAMP_MILLIS || ct == PQ_CT_TIMESTAMP_MICROS) {
        lf->type.id = LH_TYPE_TIMESTAMP;
        lf->conv = ct == PQ_CT_TIMESTAMP_MILLIS ? PQ_CONV_MILLIS : PQ_CONV_NONE;
    } else if ((lt->kind == 10 && !lt->int_signed) || (lt->kind != 10 && ct == PQ_CT_UINT_64)) {
        set_decimal(lf, 20, 0);
        lf->conv = PQ_CONV_U64_TO_I128;
        lf->sort_signed = false;
    }
}

static void map_bytes(const pq_schema_el_t *el, pq_leaf_t *lf, int prec, int scale, bool dec)
{
    lf->type.id = LH_TYPE_BINARY;
    if (dec && (el->type == PQ_BYTE_ARRAY || el->type_length <= 16)) {
        set_decimal(lf, prec, scale);
        lf->conv = prec <= 18 ? PQ_CONV_BE_TO_I64 : PQ_CONV_BE_TO_I128;
    } else if (el->type == PQ_FIXED_LEN_BYTE_ARRAY && el->logical.kind == 15 &&
               el->type_length == 2) {
        lf->type.id = LH_TYPE_FLOAT;
        lf->conv = PQ_CONV_F16;
    } else if (is_string_annot(el)) {
        lf->type.id = LH_TYPE_STRING;
    }
}

static void map_type(const pq_schema_el_t *el, pq_leaf_t *lf)
{
    int prec = 0, scale = 0;
    bool dec = decimal_params(el, &prec, &scale);
    lf->conv = PQ_CONV_NONE;
    lf->sort_signed = true;
    switch (el->type) {
    case PQ_BOOLEAN:
        lf->type.id = LH_TYPE_BOOLEAN;
        break;
    case PQ_INT32:
        map_int32(el, lf, prec, scale, dec);
        break;
    case PQ_INT64:
        map_int64(el, lf, prec, scale, dec);
        break;
    case PQ_INT96:
        lf->type.id = LH_TYPE_TIMESTAMP;
        lf->conv = PQ_CONV_INT96;
        break;
    case PQ_FLOAT:
        lf->type.id = LH_TYPE_FLOAT;
        break;
    case PQ_DOUBLE:
        lf->type.id = LH_TYPE_DOUBLE;
        break;
    default:
        map_bytes(el, lf, prec, scale, dec);
        lf->sort_signed = lf->type.id == LH_TYPE_DECIMAL;
        break;
    }
}

static lh_err join_path(walker *w, const char *prefix, const char *name, char **out)
{
    size_t a = prefix ? strlen(prefix) : 0, b = strlen(name);
    char *s = pool_alloc(w->m, a + b + 2);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, w->eb, "parquet: out of memory for schema");
    if (a) {
        memcpy(s, prefix, a);
        s[a++] = '.';
    }
    memcpy(s + a, name, b + 1);
    *out = s;
    return LH_OK;
}

static lh_err add_leaf(walker *w, int idx, const char *path, int def, int rep, int top,
                       int top_schema)
{
    const pq_schema_el_t *el = &w->m->schema[idx];
    LH_FAIL_IF(el->type < 0, LH_E_CORRUPT, w->eb, "parquet: leaf '%s' has no type", path);
    LH_FAIL_IF(el->type == PQ_FIXED_LEN_BYTE_ARRAY && el->type_length <= 0, LH_E_CORRUPT, w->eb,
               "parquet: FIXED_LEN_BYTE_ARRAY '%s' without a length", path);
    pq_leaf_t *lf = &w->m->leaves[w->leaf_count++];
    lf->path = (char *)path;
    lf->schema_index = idx;
    lf->top_index = top;
    lf->top_schema = top_schema;
    lf->max_def = def;
    lf->max_rep = rep;
    lf->phys_type = el->type;
    lf->type_length = el->type_length;
    map_type(el, lf);
    return LH_OK;
}

static lh_err walk(walker *w, int depth, int def, int rep, const char *prefix, int top,
                   int top_schema)
{
    LH_FAIL_IF(depth > LH_PQ_SCHEMA_DEPTH_MAX, LH_E_CORRUPT, w->eb, "parquet: schema too deep");
    LH_FAIL_IF(w->next >= w->m->schema_count, LH_E_CORRUPT, w->eb,
               "parquet: schema children exceed the element list");
    int idx = w->next++;
    if (depth == 1)
        top_schema = idx;
    const pq_schema_el_t *el = &w->m->schema[idx];
    LH_FAIL_IF(el->repetition < 0, LH_E_CORRUPT, w->eb, "parquet: '%s' lacks repetition_type",
               el->name);
    def += el->repetition != PQ_REQUIRED;
    rep += el->repetition == PQ_REPEATED;
    char *path = NULL;
    LH_TRY(join_path(w, prefix, el->name, &path));
    if (el->num_children == 0)
        return add_leaf(w, idx, path, def, rep, top, top_schema);
    for (int i = 0; i < el->num_children; i++)
        LH_TRY(walk(w, depth + 1, def, rep, path, top, top_schema));
    return LH_OK;
}

static lh_err build_leaves(pq_meta_t *m, lh_errbuf *eb)
{
    int leaves = 0;
    for (int i = 1; i < m->schema_count; i++)
        leaves += m->schema[i].num_children == 0;
    LH_TRY(pool_array(m, (size_t)leaves, sizeof(pq_leaf_t), (void **)&m->leaves, eb));
    walker w = {.m = m, .next = 1, .eb = eb};
    const pq_schema_el_t *root = &m->schema[0];
    for (int i = 0; i < root->num_children; i++)
        LH_TRY(walk(&w, 1, 0, 0, NULL, i, -1));
    LH_FAIL_IF(w.next != m->schema_count, LH_E_CORRUPT, eb,
               "parquet: schema tree covers %d of %d elements", w.next, m->schema_count);
    m->leaf_count = w.leaf_count;
    return LH_OK;
}

static lh_err check_row_groups(pq_meta_t *m, uint64_t file_size, lh_errbuf *eb)
{
    for (int r = 0; r < m->row_group_count; r++) {
        pq_row_group_t *rg = &m->row_groups[r];
        LH_FAIL_IF(rg->chunk_count != m->leaf_count, LH_E_CORRUPT, eb,
                   "parquet: row group %d has %d chunks for %d leaf columns", r, rg->chunk_count,
                   m->leaf_count);
        for (int c = 0; c < rg->chunk_count; c++) {
            pq_chunk_t *ch = &rg->chunks[c];
            if (ch->encrypted)
                continue;
            LH_FAIL_IF(ch->type != m->leaves[c].phys_type, LH_E_CORRUPT, eb,
                       "parquet: chunk %d/%d type differs from the schema", r, c);
            LH_FAIL_IF((uint64_t)ch->total_compressed > file_size ||
                           (uint64_t)ch->data_page_offset > file_size,
                       LH_E_CORRUPT, eb, "parquet: chunk %d/%d lies outside the file", r, c);
        }
    }
    return LH_OK;
}

static void apply_orders(pq_meta_t *m, const int *orders, int count)
{
    for (int i = 0; i < m->leaf_count && i < count; i++)
        m->leaves[i].column_order = orders[i];
}

lh_err pq_meta_decode(const uint8_t *bytes, size_t len, uint64_t file_size, pq_meta_t *out,
                      lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    lh_tdec_t d;
    lh_tdec_init(&d, bytes, len, eb);
    fm_state st = {0};
    int16_t last = 0, id;
    uint8_t type;
    LH_TRY(lh_tdec_struct_begin(&d));
    for (;;) {
        LH_TRY(lh_tdec_field(&d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        LH_TRY(fm_field(out, &d, id, type, &st));
    }
    LH_FAIL_IF((st.seen & 7) != 7, LH_E_CORRUPT, eb,
               "parquet: footer lacks schema, num_rows or row_groups");
    LH_FAIL_IF(out->schema[0].num_children <= 0 && out->schema_count > 1, LH_E_CORRUPT, eb,
               "parquet: schema root has no children");
    LH_TRY(build_leaves(out, eb));
    apply_orders(out, st.orders, st.order_count);
    return check_row_groups(out, file_size, eb);
}

/* ---- PageHeader ---------------------------------------------------------------------- */

static lh_err decode_data_header(lh_tdec_t *d, pq_page_header_t *h, bool v2)
{
    int16_t last = 0, id;
    uint8_t type;
    unsigned seen = 0;
    h->is_compressed = true;
    LH_TRY(lh_tdec_struct_begin(d));
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        int key = v2 ? id + 100 : id;
        if (id >= 1 && id <= 8)
            seen |= 1u << id;
        switch (key) {
        case 1:
        case 101:
            LH_TRY(lh_tdec_i32(d, type, &h->num_values));
            break;
        case 2:
        case 104:
            LH_TRY(enum_field(d, type, 0, INT32_MAX, &h->encoding));
            break;
        case 3:
            LH_TRY(enum_field(d, type, 0, INT32_MAX, &h->def_encoding));
            break;
        case 4:
            LH_TRY(enum_field(d, type, 0, INT32_MAX, &h->rep_encoding));
            break;
        case 102:
            LH_TRY(lh_tdec_i32(d, type, &h->num_nulls));
            break;
        case 103:
            LH_TRY(lh_tdec_i32(d, type, &h->num_rows));
            break;
        case 105:
            LH_TRY(lh_tdec_i32(d, type, &h->def_bytes));
            break;
        case 106:
            LH_TRY(lh_tdec_i32(d, type, &h->rep_bytes));
            break;
        case 107:
            LH_TRY(lh_tdec_bool(d, type, &h->is_compressed));
            break;
        default:
            LH_TRY(lh_tdec_skip(d, type));
        }
    }
    lh_tdec_struct_end(d);
    unsigned need = v2 ? 0x7e : 0x06;
    LH_FAIL_IF((seen & need) != need, LH_E_CORRUPT, d->eb, "parquet: data page header incomplete");
    LH_FAIL_IF(h->num_values < 0 || h->num_nulls < 0 || h->num_rows < 0 || h->def_bytes < 0 ||
                   h->rep_bytes < 0,
               LH_E_CORRUPT, d->eb, "parquet: negative count in a page header");
    return LH_OK;
}

static lh_err decode_dict_header(lh_tdec_t *d, pq_page_header_t *h)
{
    int16_t last = 0, id;
    uint8_t type;
    bool has_n = false;
    LH_TRY(lh_tdec_struct_begin(d));
    for (;;) {
        LH_TRY(lh_tdec_field(d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        if (id == 1) {
            LH_TRY(lh_tdec_i32(d, type, &h->num_values));
            has_n = true;
        } else if (id == 2) {
            LH_TRY(enum_field(d, type, 0, INT32_MAX, &h->encoding));
        } else {
            LH_TRY(lh_tdec_skip(d, type));
        }
    }
    lh_tdec_struct_end(d);
    LH_FAIL_IF(!has_n || h->num_values < 0, LH_E_CORRUPT, d->eb,
               "parquet: bad dictionary page header");
    return LH_OK;
}

static lh_err page_field(lh_tdec_t *d, int16_t id, uint8_t type, pq_page_header_t *h,
                         unsigned *seen)
{
    switch (id) {
    case 1:
        *seen |= 1;
        return enum_field(d, type, 0, INT32_MAX, &h->type);
    case 2:
        *seen |= 2;
        return lh_tdec_i32(d, type, &h->uncompressed_size);
    case 3:
        *seen |= 4;
        return lh_tdec_i32(d, type, &h->compressed_size);
    case 5:
    case 8:
        if (type != TC_STRUCT || h->has_data)
            return lh_tdec_skip(d, type);
        h->has_data = true;
        h->has_v2 = id == 8;
        return decode_data_header(d, h, id == 8);
    case 7:
        if (type != TC_STRUCT || h->has_dict)
            return lh_tdec_skip(d, type);
        h->has_dict = true;
        return decode_dict_header(d, h);
    default:
        return lh_tdec_skip(d, type);
    }
}

lh_err pq_page_header_decode(const uint8_t *bytes, size_t len, pq_page_header_t *out, size_t *used,
                             lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    lh_tdec_t d;
    lh_tdec_init(&d, bytes, len, eb);
    unsigned seen = 0;
    int16_t last = 0, id;
    uint8_t type;
    LH_TRY(lh_tdec_struct_begin(&d));
    for (;;) {
        LH_TRY(lh_tdec_field(&d, &last, &id, &type));
        if (type == TC_STOP)
            break;
        LH_TRY(page_field(&d, id, type, out, &seen));
    }
    LH_FAIL_IF(seen != 7, LH_E_CORRUPT, eb, "parquet: page header lacks required fields");
    LH_FAIL_IF(out->uncompressed_size < 0 || out->compressed_size < 0, LH_E_CORRUPT, eb,
               "parquet: negative page size");
    *used = (size_t)(d.p - bytes);
    return LH_OK;
}
