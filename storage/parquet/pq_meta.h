/*
 * pq_meta.h - Parquet footer metadata decoded into plain structs. Internal.
 *
 * lh_pq_meta_decode parses FileMetaData (Thrift compact) from the footer bytes, which
 * must outlive the result: names are copied, but statistics and key/value bytes point
 * into the footer. It then builds the leaf list (dotted path, max def/rep levels, the
 * logical lh_type_t and how to convert physical values to it) and validates every row
 * group against it. Page headers are decoded separately, page by page.
 *
 * Bounds (all rejected as LH_E_CORRUPT): footer size, schema size and depth, one chunk
 * per leaf in every row group, non-negative sizes and offsets inside the file.
 */
#ifndef LH_PQ_META_H
#define LH_PQ_META_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vec.h"

/* Largest footer we parse: far above real files (a 10k-column, 1k-row-group footer). */
#define LH_PQ_FOOTER_MAX (256u << 20)
/* Schema elements and depth: Delta checkpoints need ~80 elements and depth 5. */
#define LH_PQ_SCHEMA_MAX       100000
#define LH_PQ_SCHEMA_DEPTH_MAX 64
/* Largest page (header-declared sizes) we allocate for. */
#define LH_PQ_PAGE_MAX (1u << 30)
/* Largest page header we accept (statistics can make it big). */
#define LH_PQ_PAGE_HEADER_MAX (16u << 20)

/* How physical values become the leaf's lh_type_t. */
typedef enum pq_conv {
    PQ_CONV_NONE = 0,    /* same layout: copy */
    PQ_CONV_I32_TO_I8,   /* INT32 -> BYTE */
    PQ_CONV_I32_TO_I16,  /* INT32 -> SHORT (also UINT_8) */
    PQ_CONV_U32_TO_I64,  /* UINT_32 -> LONG */
    PQ_CONV_I32_TO_I64,  /* INT32 decimal -> int64 */
    PQ_CONV_I32_TO_I128, /* INT32 decimal -> i128 */
    PQ_CONV_I64_TO_I128, /* INT64 decimal -> i128 */
    PQ_CONV_U64_TO_I128, /* UINT_64 -> decimal(20,0) */
    PQ_CONV_MILLIS,      /* INT64 ms -> us */
    PQ_CONV_NANOS,       /* INT64 ns -> us */
    PQ_CONV_INT96,       /* INT96 -> us */
    PQ_CONV_BE_TO_I64,   /* BYTE_ARRAY / FLBA big-endian decimal -> int64 */
    PQ_CONV_BE_TO_I128,  /* ... -> i128 */
    PQ_CONV_F16,         /* FLBA(2) FLOAT16 -> float */
    PQ_CONV_I32_TO_U16,  /* UINT_16 -> INT (zero-extend low 16 bits) */
} pq_conv;

typedef struct pq_logical {
    int kind; /* LogicalType union member id (1 STRING ... 15 FLOAT16), 0 none */
    int scale, precision;
    bool ts_utc;
    int ts_unit; /* 1 MILLIS, 2 MICROS, 3 NANOS */
    int int_bits;
    bool int_signed;
} pq_logical_t;

typedef struct pq_schema_el {
    char *name;
    int type; /* -1 for groups */
    int32_t type_length;
    int repetition; /* -1 when absent (root) */
    int32_t num_children;
    int converted; /* -1 when absent */
    int32_t scale, precision;
    pq_logical_t logical;
} pq_schema_el_t;

typedef struct pq_bytes {
    const uint8_t *ptr; /* NULL = absent */
    uint32_t len;
} pq_bytes_t;

typedef struct pq_stats {
    pq_bytes_t max, min;             /* deprecated f1/f2 */
    pq_bytes_t max_value, min_value; /* f5/f6 */
    bool has_null_count;
    int64_t null_count;
} pq_stats_t;

typedef struct pq_chunk {
    int type;
    int codec;
    int64_t num_values;
    int64_t total_uncompressed;
    int64_t total_compressed;
    int64_t data_page_offset;
    int64_t dictionary_page_offset; /* 0 = absent */
    int64_t bloom_offset;           /* -1 = absent */
    int32_t bloom_length;           /* -1 = absent */
    bool has_stats;
    pq_stats_t stats;
    bool encrypted; /* ColumnChunk carries crypto metadata and no plain meta_data */
    uint32_t path_len;
} pq_chunk_t;

typedef struct pq_row_group {
    int64_t num_rows;
    int chunk_count;
    pq_chunk_t *chunks;
} pq_row_group_t;

typedef struct pq_leaf {
    char *path; /* dotted, below the root */
    int schema_index;
    int top_index;  /* index of its top-level ancestor among the root's children */
    int top_schema; /* schema index of that ancestor (== schema_index for top-level leaves) */
    int max_def, max_rep;
    int phys_type;
    int32_t type_length;
    lh_type_t type;
    pq_conv conv;
    int column_order; /* 0 absent/unknown, 1 TYPE_ORDER, 2 IEEE754, 3 INT96 */
    bool sort_signed; /* statistics order: true signed, false unsigned bytewise */
} pq_leaf_t;

typedef struct pq_meta {
    int32_t version;
    int64_t num_rows;
    const char *created_by; /* NUL-terminated copy or NULL */
    int schema_count;
    pq_schema_el_t *schema;
    int row_group_count;
    pq_row_group_t *row_groups;
    int leaf_count;
    pq_leaf_t *leaves;
    bool encrypted;
    /* the pool every allocation above comes from */
    struct pq_pool *pool;
} pq_meta_t;

/* Decode and validate the footer (bytes must outlive *out). file_size bounds offsets.
 * Release with pq_meta_free (also after an error). */
lh_err pq_meta_decode(const uint8_t *bytes, size_t len, uint64_t file_size, pq_meta_t *out,
                      lh_errbuf *eb);
void pq_meta_free(pq_meta_t *m);

typedef struct pq_page_header {
    int type;
    int32_t uncompressed_size;
    int32_t compressed_size;
    /* data page (v1 or v2) and dictionary page fields */
    int32_t num_values;
    int encoding;
    int def_encoding, rep_encoding; /* v1 */
    int32_t num_nulls, num_rows;    /* v2 */
    int32_t def_bytes, rep_bytes;   /* v2 */
    bool is_compressed;             /* v2; default true */
    bool has_data, has_dict, has_v2;
} pq_page_header_t;

/* Decode one page header from bytes; *used gets its encoded size. */
lh_err pq_page_header_decode(const uint8_t *bytes, size_t len, pq_page_header_t *out, size_t *used,
                             lh_errbuf *eb);

#endif
