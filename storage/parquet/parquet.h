/*
 * parquet.h - our own Parquet reader and writer (public contract of storage/parquet).
 *
 * Three levels of access:
 *   - flat: a file's top-level primitive columns as an lh_schema_t, read per row group
 *     into common/ vectors (nulls in the validity bitmap), written from lh_batch_t;
 *   - nested: a top-level LIST/MAP/STRUCT column read per row group as ARRAY/MAP/STRUCT
 *     values (common/nested.h), and written from them by the flat writer;
 *   - leaf: any leaf column (nested too) as Dremel def/rep levels plus its non-null
 *     values. Delta checkpoints (struct/map/list) are read and written this way.
 *
 * Reader: PLAIN, RLE/bit-packed, PLAIN_DICTIONARY/RLE_DICTIONARY, DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; data pages v1 and v2;
 * UNCOMPRESSED, SNAPPY, GZIP, ZSTD; INT96 timestamps. LZ4 and encrypted files are
 * refused with LH_E_UNSUPPORTED; malformed files with LH_E_CORRUPT. Never crashes on input.
 * One writer bug is read as its peers read it: parquet-mr before 1.2.9 left the dictionary
 * page header out of total_compressed_size (PARQUET-816); for that writer only, a chunk
 * opening with a dictionary page is read that header's length further.
 *
 * Writer: schemas of every lh_type_id (ARRAY/MAP/STRUCT columns as the standard three-level
 * LIST, MAP and groups), PLAIN or dictionary (falling back to PLAIN),
 * v1 data pages, ZSTD (default) / SNAPPY / UNCOMPRESSED, page + chunk statistics,
 * column_orders, split-block bloom filters (xxHash64) for chosen columns.
 *
 * Threading: an lh_pq_file_t is immutable after open; different threads may read
 * different (row group, column) pairs concurrently if the source's read_at is thread-safe
 * (the file source uses pread, so it is). A writer belongs to one thread.
 */
#ifndef LH_STORAGE_PARQUET_H
#define LH_STORAGE_PARQUET_H

#include <stdbool.h>
#include <stdint.h>

#include "common/bytes.h"
#include "common/err.h"
#include "common/vec.h"

/* Byte sources and sinks live in common/bytes.h. The old names stay as aliases for code
 * not yet moved to the new ones (storage/delta). */
typedef lh_byte_source_t lh_pq_source_t;
typedef lh_byte_sink_t lh_pq_sink_t;

/* ---- reader ------------------------------------------------------------------------ */

typedef struct lh_pq_file lh_pq_file_t;

/* Parse the footer. Takes ownership of src (closed by lh_pq_close, also on error). */
lh_err lh_pq_open(lh_byte_source_t *src, lh_pq_file_t **out, lh_errbuf *eb);
void lh_pq_close(lh_pq_file_t *f);

int64_t lh_pq_num_rows(const lh_pq_file_t *f);
int lh_pq_row_group_count(const lh_pq_file_t *f);
int64_t lh_pq_row_group_num_rows(const lh_pq_file_t *f, int rg);
const char *lh_pq_created_by(const lh_pq_file_t *f); /* may be NULL */

/* Flat view: top-level primitive columns. Nested top-level columns (groups, and repeated
 * primitives) are absent from it: they are listed by lh_pq_nested_column_count/name and read
 * with lh_pq_read_nested. */
const lh_schema_t *lh_pq_schema(const lh_pq_file_t *f);
int lh_pq_nested_column_count(const lh_pq_file_t *f);
const char *lh_pq_nested_column_name(const lh_pq_file_t *f, int i);

/* The type nested column i reads as: a LIST group (three-level, or the legacy two-level
 * forms) or a repeated field is an ARRAY (elements of a repeated field are never NULL), a
 * MAP group a MAP, another group a STRUCT of its fields. LH_E_UNSUPPORTED naming the column
 * for shapes that are none of these (a MAP without a value, a LIST without a repeated
 * child, a group repeating a field name); LH_E_INVALID for a bad i. */
lh_err lh_pq_nested_column_type(const lh_pq_file_t *f, int i, lh_type_t *out, lh_errbuf *eb);
/* Append the rows of nested column i in row group rg to out, a flat vector of the wanted
 * nested type (one value of common/nested.h per row, NULL rows in validity). The wanted type
 * may differ from lh_pq_nested_column_type as Spark's Parquet reader allows: struct fields
 * are matched by name case-insensitively (a field the file lacks reads as NULL; fields not
 * wanted are not read), integers read as wider integers and FLOAT as DOUBLE; other
 * differences are LH_E_UNSUPPORTED. Levels that contradict the schema or the row count are
 * LH_E_CORRUPT (out keeps its earlier rows on error). Reads the needed leaves of the row
 * group whole. Thread-safety as lh_pq_read_column. */
lh_err lh_pq_read_nested(lh_pq_file_t *f, int rg, int i, lh_vec_t *out, lh_errbuf *eb);

/* Decode all rows of column `col` (index into lh_pq_schema) in row group rg, appending
 * them to out (whose type must equal the schema's). Reads only that chunk's bytes. */
lh_err lh_pq_read_column(lh_pq_file_t *f, int rg, int col, lh_vec_t *out, lh_errbuf *eb);

/* Chunk statistics of a flat column, as typed values. has_min_max is false when the
 * file has none we can trust. String min/max point into the file's footer memory. */
typedef struct lh_pq_col_stats {
    bool has_min_max;
    lh_value_t min, max;
    bool has_null_count;
    int64_t null_count;
    int64_t value_count; /* including nulls */
} lh_pq_col_stats_t;

lh_err lh_pq_column_stats(const lh_pq_file_t *f, int rg, int col, lh_pq_col_stats_t *out,
                          lh_errbuf *eb);

/* A predicate on one flat column, for skipping row groups. */
typedef enum lh_pq_op { LH_PQ_EQ, LH_PQ_LT, LH_PQ_LE, LH_PQ_GT, LH_PQ_GE, LH_PQ_IN } lh_pq_op;

typedef struct lh_pq_pred {
    int col; /* index into lh_pq_schema */
    lh_pq_op op;
    int value_count; /* 1, or the list length for IN */
    const lh_value_t *values;
} lh_pq_pred_t;

/* False only if no row of row group rg can satisfy every predicate (AND), judged from
 * min/max statistics and, for EQ and IN, the column's bloom filter. Reads the bloom
 * filter bytes when needed. Errors reading the filter are treated as "may match". */
bool lh_pq_row_group_may_match(lh_pq_file_t *f, int rg, const lh_pq_pred_t *preds, int pred_count);
/* Whether column col of row group rg has a bloom filter. */
bool lh_pq_has_bloom_filter(const lh_pq_file_t *f, int rg, int col);

/* ---- per-column cursor ----------------------------------------------------------------- */

/* A cursor over one flat column of one row group, read page by page: it holds at most one
 * decoded page (plus the chunk's dictionary and a read window of about one compressed
 * page), never the whole chunk, so a scan of many columns costs one page per column.
 *
 * read n replaces out's contents with the next min(n, rows left) rows. skip n passes over
 * the next min(n, rows left) rows: whole data pages inside the skipped range are passed
 * by their header's row count without reading or decoding their body; a skip that ends
 * inside a page decodes that page (the rows after the skip are needed next anyway).
 *
 * With LH_PQ_CURSOR_DICT, rows from dictionary-encoded pages come back as a DICT vector
 * over the chunk's dictionary (owned by the cursor: valid until lh_pq_cursor_close, not
 * expanded); when a read also spans a page that is not dictionary-encoded (a writer's
 * fall back to PLAIN) out is flattened first. Without the flag, out is always flat.
 * String values are copied into out's heap (flat) or live in the dictionary (DICT).
 *
 * Errors: LH_E_INVALID for a bad row group, column or output type; LH_E_CORRUPT and
 * LH_E_UNSUPPORTED as the chunk reader. After an error other than LH_E_INVALID the cursor
 * is failed and answers LH_E_STATE. A cursor belongs to one thread; cursors over
 * different columns of one file may run on different threads (the file is immutable). */
typedef struct lh_pq_cursor lh_pq_cursor_t;

#define LH_PQ_CURSOR_DICT 1u /* flags: dictionary-encoded pages come back as DICT vectors */

lh_err lh_pq_cursor_open(lh_pq_file_t *f, int rg, int col, unsigned flags, lh_pq_cursor_t **out,
                         lh_errbuf *eb);
void lh_pq_cursor_close(lh_pq_cursor_t *c);
/* Move c to the same column of row group rg, keeping its buffers (a scan over row groups
 * allocates once). Clears a failure; DICT vectors read before point at a dictionary this
 * replaces and must not be used after. LH_E_INVALID for a bad rg. */
lh_err lh_pq_cursor_reopen(lh_pq_cursor_t *c, int rg, lh_errbuf *eb);
/* Rows not yet read or skipped. */
uint64_t lh_pq_cursor_rows_left(const lh_pq_cursor_t *c);
lh_err lh_pq_cursor_read(lh_pq_cursor_t *c, size_t n, lh_vec_t *out, lh_errbuf *eb);
lh_err lh_pq_cursor_skip(lh_pq_cursor_t *c, uint64_t n, lh_errbuf *eb);

typedef struct lh_pq_cursor_stats {
    uint64_t pages_decoded;  /* data pages decompressed and decoded */
    uint64_t pages_skipped;  /* data pages passed by skip without reading their body */
    uint64_t rows_decoded;   /* rows whose values were decoded (skipped rows mostly not) */
    size_t memory_bytes;     /* bytes of buffers the cursor holds now */
    size_t memory_bytes_max; /* the most it held at once since open */
} lh_pq_cursor_stats_t;

void lh_pq_cursor_get_stats(const lh_pq_cursor_t *c, lh_pq_cursor_stats_t *out);

/* ---- leaf (nested) access ------------------------------------------------------------ */

typedef struct lh_pq_leaf_info {
    const char *path; /* dotted path below the root, e.g. "add.partitionValues.key_value.key" */
    int max_def;
    int max_rep;
    lh_type_t type; /* logical type of its values */
} lh_pq_leaf_info_t;

typedef struct lh_pq_leaf_data {
    int16_t *def; /* level_count entries (NULL when max_def == 0) */
    int16_t *rep; /* level_count entries (NULL when max_rep == 0) */
    size_t level_count;
    lh_vec_t *values; /* only the values whose def == max_def, in order */
} lh_pq_leaf_data_t;

int lh_pq_leaf_count(const lh_pq_file_t *f);
lh_err lh_pq_leaf_get_info(const lh_pq_file_t *f, int leaf, lh_pq_leaf_info_t *out, lh_errbuf *eb);
/* Read one leaf column of a row group. Fills out (malloc'd def/rep, a new values vector);
 * release with lh_pq_leaf_data_free. */
lh_err lh_pq_read_leaf(lh_pq_file_t *f, int rg, int leaf, lh_pq_leaf_data_t *out, lh_errbuf *eb);
void lh_pq_leaf_data_free(lh_pq_leaf_data_t *d);

/* ---- writer ------------------------------------------------------------------------ */

typedef enum lh_pq_codec {
    LH_PQ_CODEC_UNCOMPRESSED = 0,
    LH_PQ_CODEC_SNAPPY = 1,
    LH_PQ_CODEC_GZIP = 2,
    LH_PQ_CODEC_ZSTD = 6,
} lh_pq_codec;

typedef struct lh_pq_write_opts {
    lh_pq_codec codec;        /* default ZSTD */
    int zstd_level;           /* default 3 */
    uint64_t row_group_bytes; /* close a row group past this many uncompressed bytes; 128 MiB */
    uint64_t row_group_rows;  /* ... or this many rows; default 122,880 (DuckDB's: a morsel) */
    uint64_t page_bytes;      /* target uncompressed data page size; default 1 MiB */
    uint64_t dict_bytes_max;  /* fall back to PLAIN past this dictionary size; default 1 MiB */
    bool dictionary;          /* try dictionary encoding; default true */
    const char *const *bloom_columns; /* column names that get a bloom filter */
    int bloom_column_count;
    double bloom_fpp;       /* target false-positive rate; default 0.01 */
    const char *created_by; /* default "lakehouse version 0.1.0 (build dev)" */
} lh_pq_write_opts_t;

void lh_pq_write_opts_default(lh_pq_write_opts_t *o);

typedef struct lh_pq_writer lh_pq_writer_t;

/* Per-column summary of everything written, for Delta's add.stats. min/max strings are
 * owned by the writer and valid until lh_pq_writer_destroy. */
typedef struct lh_pq_file_summary {
    int64_t num_rows;
    uint64_t file_bytes;
    /* Flat writers: one entry per schema column; an ARRAY/MAP/STRUCT column has no min/max
     * and null_count = its NULL rows. Nested writers: one per leaf. */
    int col_count;
    lh_pq_col_stats_t *cols;
    /* Every leaf column, depth-first in schema order: min/max of its values, null_count =
     * its levels below the leaf's max definition level (for a leaf inside structs only,
     * the rows where it or a struct around it is NULL). */
    int leaf_count;
    lh_pq_col_stats_t *leaves;
} lh_pq_file_summary_t;

/* Start a flat file. The sink receives bytes in order; it must outlive the writer. */
lh_err lh_pq_writer_create(const lh_schema_t *schema, const lh_pq_write_opts_t *opts,
                           lh_byte_sink_t sink, lh_pq_writer_t **out, lh_errbuf *eb);
/* Append a batch whose vectors match the schema (types and order); honours validity and
 * selection vectors. A null in a non-nullable column (or a NULL map key) is LH_E_INVALID. */
lh_err lh_pq_writer_write_batch(lh_pq_writer_t *w, const lh_batch_t *b, lh_errbuf *eb);
/* The leaf columns a column of type t is written as: one per primitive inside it (an ARRAY
 * or MAP column's elements, keys and values, a STRUCT's fields, depth-first). */
int lh_pq_type_leaf_count(lh_type_t t);
/* Flush the last row group and the footer. summary (may be NULL) is filled on success. */
lh_err lh_pq_writer_finish(lh_pq_writer_t *w, lh_pq_file_summary_t *summary, lh_errbuf *eb);
void lh_pq_writer_destroy(lh_pq_writer_t *w);

/* Nested writing (for Delta checkpoints): a schema tree and pre-shredded leaves. */
typedef enum lh_pq_annot {
    LH_PQ_ANNOT_NONE = 0,
    LH_PQ_ANNOT_LIST, /* group annotated LIST */
    LH_PQ_ANNOT_MAP,  /* group annotated MAP */
} lh_pq_annot;

typedef struct lh_pq_node {
    const char *name;
    int repetition;  /* 0 REQUIRED, 1 OPTIONAL, 2 REPEATED */
    int child_count; /* 0 for a leaf */
    const struct lh_pq_node *children;
    lh_type_t type;    /* leaves only */
    lh_pq_annot annot; /* groups only */
} lh_pq_node_t;

/* The file's schema as a node tree: root = the message, children in file order, leaves
 * depth-first in lh_pq_leaf_get_info order carrying their logical type, LIST/MAP group
 * annotations kept (other group annotations dropped). Fit for lh_pq_writer_create_nested,
 * so nested columns can be copied leaf by leaf. One malloc'd block (release with free())
 * whose names point into f: it must not outlive f. */
lh_err lh_pq_schema_tree(const lh_pq_file_t *f, lh_pq_node_t **out, lh_errbuf *eb);

/* root is the message (its repetition is ignored). Leaves are numbered depth-first. */
lh_err lh_pq_writer_create_nested(const lh_pq_node_t *root, const lh_pq_write_opts_t *opts,
                                  lh_byte_sink_t sink, lh_pq_writer_t **out, lh_errbuf *eb);
/* Write one row group of num_rows records: leaves[i] holds leaf i's levels and values. */
lh_err lh_pq_writer_write_leaves(lh_pq_writer_t *w, int64_t num_rows,
                                 const lh_pq_leaf_data_t *leaves, int leaf_count, lh_errbuf *eb);

#endif
