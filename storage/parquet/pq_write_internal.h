/*
 * pq_write_internal.h - the writer's shared core, used by pq_write.c (flat files) and
 * pq_write_nested.c (schema trees with pre-shredded leaves). Internal.
 *
 * A writer owns one pq_col per leaf. A column accumulates the current page (levels,
 * PLAIN values or dictionary indices, statistics); a full page is compressed and appended
 * to the column's chunk buffer. At the end of a row group every chunk (dictionary page
 * first) goes to the sink in leaf order, then the chunks' bloom filters, and the
 * RowGroup's metadata is encoded at once into rg_meta; the footer concatenates them.
 */
#ifndef LH_PQ_WRITE_INTERNAL_H
#define LH_PQ_WRITE_INTERNAL_H

#include "storage/parquet/parquet.h"
#include "storage/parquet/pq_encode.h"
#include "storage/parquet/thrift_enc.h"

/* Physical value kinds in the writer's staging buffers. */
typedef enum pq_kind { PK_BOOL, PK_I32, PK_I64, PK_F32, PK_F64, PK_BYTES, PK_FLBA } pq_kind;

typedef union pq_num {
    int64_t i64;  /* BOOL, I32, I64 */
    double f64;   /* F32, F64 */
    lh_i128 i128; /* FLBA decimals */
} pq_num;

typedef struct pq_stats {
    bool has_min_max;
    int64_t null_count;
    int64_t nan_count;
    pq_num min, max;
    lh_pq_buf_t min_bytes, max_bytes; /* PK_BYTES */
} pq_stats_t;

typedef struct pq_col {
    /* schema */
    char **path; /* path_in_schema, path_len names */
    int path_len;
    lh_type_t type;
    int phys; /* enum pq_type */
    pq_kind kind;
    int width; /* bytes per staged value (fixed kinds), FLBA type_length */
    int max_def, max_rep;
    bool bloom;
    bool dict_enabled;
    /* page */
    lh_pq_buf_t def, rep; /* one byte per level */
    lh_pq_buf_t vals;     /* PLAIN values (PK_BOOL: one byte per value) */
    uint32_t *idx;        /* dictionary indices */
    size_t idx_cap;
    size_t page_levels, page_values;
    pq_stats_t page_stats;
    /* chunk */
    lh_pq_dict_t dict;
    bool dict_active;    /* pages are dictionary-encoded (until fallback) */
    bool dict_used;      /* some page of this chunk is */
    bool dict_probed;    /* the early "nearly all distinct?" check ran for this chunk */
    int64_t dict_values; /* values looked up in this chunk's dictionary */
    lh_pq_buf_t chunk;   /* data pages (headers + bodies) */
    int64_t chunk_levels, chunk_unc;
    uint32_t encodings; /* bit per enum pq_encoding */
    pq_stats_t chunk_stats;
    lh_pq_hset_t bloom_set;
    /* the chunk as written, for its ColumnMetaData */
    int64_t m_dict_off, m_data_off, m_unc, m_comp, m_bloom_off;
    int32_t m_bloom_len;
    /* file */
    pq_stats_t file_stats;
    int64_t file_levels;
    /* staging scratch */
    lh_pq_buf_t scratch;
} pq_col_t;

/* Schema depth a writer builds, as deep as the reader reads (LH_PQ_SCHEMA_DEPTH_MAX). */
#define LH_PQ_NESTED_DEPTH_MAX 64

/* The staged levels and values of one leaf of an ARRAY/MAP/STRUCT column (pq_write_shred.c)
 * for the slice of rows being written. */
typedef struct pq_shred_leaf {
    int16_t *def, *rep;
    size_t count, cap;
    lh_vec_t *vals; /* the non-null values, in order */
} pq_shred_leaf_t;

/* One schema element, depth-first; the root is element 0. */
typedef struct pq_snode {
    char *name;
    int repetition;
    int child_count;
    lh_pq_annot annot;
    int leaf; /* column index, or -1 for a group */
} pq_snode_t;

struct lh_pq_writer {
    lh_pq_write_opts_t opts;
    lh_byte_sink_t sink;
    lh_schema_t *schema;    /* flat writers only */
    int *field_leaf;        /* flat: the first leaf of each schema column */
    int64_t *field_nulls;   /* flat: NULL rows written per schema column (nested ones) */
    pq_shred_leaf_t *shred; /* flat with nested columns: per leaf, else NULL */
    int snode_count;
    pq_snode_t *snodes;
    int col_count;
    pq_col_t *cols;
    uint64_t offset; /* bytes sent to the sink */
    int64_t rg_rows; /* rows in the open row group */
    int64_t num_rows;
    int rg_count;
    lh_pq_buf_t rg_meta; /* encoded RowGroup structs */
    lh_pq_buf_t body, comp, hdr;
    uint32_t *rows_scratch; /* flat: physical row indices of valid rows */
    size_t rows_scratch_cap;
    bool failed;
    bool finished;
    lh_pq_col_stats_t *summary_cols;   /* per schema column (flat), per leaf (nested) */
    lh_pq_col_stats_t *summary_leaves; /* per leaf */
};

/* Allocate a writer with copies of opts (and created_by). */
lh_err lh_pqw_alloc(const lh_pq_write_opts_t *opts, lh_byte_sink_t sink, lh_pq_writer_t **out,
                    lh_errbuf *eb);
/* Append a schema element (leaf >= 0 for leaves, set by lh_pqw_add_leaf's return). */
lh_err lh_pqw_add_snode(lh_pq_writer_t *w, const char *name, int repetition, int child_count,
                        lh_pq_annot annot, int leaf, lh_errbuf *eb);
/* Add a leaf column; *leaf gets its index. */
lh_err lh_pqw_add_leaf(lh_pq_writer_t *w, lh_type_t type, const char *const *path, int path_len,
                       int max_def, int max_rep, lh_errbuf *eb, int *leaf);
/* Write the leading magic; call once the schema is complete. */
lh_err lh_pqw_start(lh_pq_writer_t *w, lh_errbuf *eb);
/* Stage n levels (def/rep may be NULL when the max is 0) and the nvals values of vals from
 * val_start on (vals may be NULL when nvals == 0). Levels start on a record boundary. */
lh_err lh_pqw_put_levels(lh_pq_writer_t *w, pq_col_t *c, const int16_t *def, const int16_t *rep,
                         size_t n, const lh_vec_t *vals, size_t val_start, size_t nvals,
                         lh_errbuf *eb);
/* Flush the open row group (rg_rows rows) to the sink. */
lh_err lh_pqw_close_row_group(lh_pq_writer_t *w, lh_errbuf *eb);

/* pq_write_shred.c: ARRAY/MAP/STRUCT columns of flat writers. */
/* Add the schema elements and leaves of nested column f. */
lh_err lh_pqw_add_nested_column(lh_pq_writer_t *w, const lh_field_t *f, lh_errbuf *eb);
/* Staging buffers for every leaf (after the schema is complete). */
lh_err lh_pqw_shred_init(lh_pq_writer_t *w, lh_errbuf *eb);
void lh_pqw_shred_free(lh_pq_writer_t *w);
/* Rows [pos, pos+n) of nested schema column field (v: its flat vector, maybe selected). */
lh_err lh_pqw_put_nested(lh_pq_writer_t *w, int field, const lh_vec_t *v, size_t pos, size_t n,
                         lh_errbuf *eb);

/* pq_write_meta.c: type mapping, statistics, footer structures. */
lh_err lh_pqw_map_type(pq_col_t *c, lh_type_t t, lh_errbuf *eb);
void lh_pqw_stats_reset(pq_stats_t *s);
void lh_pqw_stats_free(pq_stats_t *s);
/* Fold n staged values (physical form of c) into s. */
void lh_pqw_stats_add(pq_col_t *c, pq_stats_t *s, const void *vals, size_t n);
void lh_pqw_stats_merge(const pq_col_t *c, pq_stats_t *dst, const pq_stats_t *src);
/* A Statistics struct as field id of the struct being encoded. */
void lh_pqw_encode_stats(lh_tenc_t *t, int16_t id, const pq_col_t *c, const pq_stats_t *s);
/* Big-endian two's complement in w bytes (FLBA decimals). */
void lh_pqw_i128_to_be(lh_i128 v, uint8_t *p, int w);
/* One ColumnChunk list element for the row group just written. */
void lh_pqw_encode_column_chunk(lh_tenc_t *t, const lh_pq_writer_t *w, const pq_col_t *c);
/* FileMetaData (without the length and magic that follow it). */
void lh_pqw_encode_footer(const lh_pq_writer_t *w, lh_pq_buf_t *out);
/* The summary of everything written; strings point into the writer. */
void lh_pqw_fill_summary(lh_pq_writer_t *w, lh_pq_file_summary_t *sum);

#endif
