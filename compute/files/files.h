/*
 * files.h - reading plain files as tables: CSV, JSON lines, text, Parquet and binaryFile,
 * for path tables (csv.`/p`, json.`/p`, ...) and the read_files table-valued function.
 *
 * Three steps, each callable on its own (the binder does 1 and 2, the scan operator 3):
 *   1. lh_ff_list: a path (a file, a directory read recursively, or a glob) to the sorted
 *      list of data files, skipping hidden ones (names starting with '_' or '.') as Spark
 *      does. PATH_NOT_FOUND when nothing exists there.
 *   2. lh_ff_infer: the schema: fixed for text and binaryFile, the first file's footer for
 *      Parquet, and for CSV and JSON a pass over the files (up to LH_FF_INFER_BYTES_MAX)
 *      merging each value's type (see csv.c and json.c for the rules).
 *   3. lh_ff_read: one unit of work (a whole file, or a byte range of a big CSV file) parsed
 *      straight into column vectors, LH_BATCH_ROWS rows per batch handed to a callback.
 *
 * Malformed records follow the mode: PERMISSIVE (a value that does not convert becomes NULL
 * and, when the scan has a rescued data column, is kept there as JSON), DROPMALFORMED (the
 * record is skipped), FAILFAST (MALFORMED_RECORD_IN_PARSING). Thread-safety: a bound scan
 * (lh_ff_scan_t) is immutable; lh_ff_read may run on many threads at once.
 */
#ifndef LH_COMPUTE_FILES_H
#define LH_COMPUTE_FILES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"
#include "common/nested.h"
#include "common/vec.h"
#include "compute/func/tz.h"

/* Schema inference reads at most this many bytes over all files (Databricks samples the
 * first 50 GB / 1000 files; a local engine keeps bind time bounded). Values past it that
 * do not fit the inferred type follow the mode. */
#define LH_FF_INFER_BYTES_MAX (64ll << 20)
/* Files one scan may list (a runaway glob or directory stops with an error). */
#define LH_FF_FILES_MAX 100000
/* CSV files bigger than this are split into byte ranges of about this size (when no
 * record can span lines: the file has no quote character). */
#define LH_FF_SPLIT_BYTES (8ll << 20)
/* Nesting depth of JSON values (deeper is malformed). */
#define LH_FF_JSON_DEPTH_MAX 64

typedef enum { LH_FF_CSV, LH_FF_JSON, LH_FF_TEXT, LH_FF_PARQUET, LH_FF_BINARY } lh_ff_format;
typedef enum { LH_FF_PERMISSIVE, LH_FF_DROPMALFORMED, LH_FF_FAILFAST } lh_ff_mode;

typedef struct lh_ff_opts {
    lh_ff_format format;
    lh_ff_mode mode;
    bool header;             /* CSV: the first line names the columns (default false) */
    bool infer_types;        /* CSV: infer column types (inferSchema / inferColumnTypes) */
    bool multiline;          /* JSON: one value per file rather than per line */
    bool whole_text;         /* text: one row per file */
    bool rescued;            /* add the _rescued_data column (read_files for CSV and JSON) */
    char sep;                /* CSV: delimiter (',') */
    char quote;              /* CSV: quote ('"'); '\0' = no quoting */
    char escape;             /* CSV: escape inside quotes ('\\') */
    char comment;            /* CSV: lines starting with it are skipped; '\0' = none */
    const char *null_value;  /* CSV: this text (unquoted) reads as NULL ("") */
    const char *empty_value; /* CSV: a quoted empty field reads as this ("") */
    const char *time_zone;   /* for TIMESTAMP values without a zone */
} lh_ff_opts_t;

void lh_ff_opts_default(lh_ff_opts_t *o, lh_ff_format format);
/* The format of a name ("csv", "json", "text", "parquet", "binaryFile"; any case), or -1. */
int lh_ff_format_of(const char *name);
/* The format a file's extension suggests, or -1. */
int lh_ff_format_of_path(const char *path);
const char *lh_ff_format_name(lh_ff_format f);

/* A bound file scan: options, files and output columns (arena memory, immutable). */
typedef struct lh_ff_scan {
    lh_ff_opts_t opts;
    const char *display; /* the path as the user wrote it (EXPLAIN, errors) */
    int file_count;
    const char **files;
    int64_t *sizes;
    int64_t *mtimes_us;
    int col_count; /* including _rescued_data when opts.rescued */
    const char **names;
    lh_type_t *types;
    int rescued_col;  /* index of _rescued_data, or -1 */
    int header_count; /* CSV: columns the files have (the header's or the widest record's) */
} lh_ff_scan_t;

/* The hidden _metadata column a file scan's plan ends with (the scan's col_count does not
 * count it; compute/exec/scan_files.c fills it per file as a constant vector): Spark's
 * STRUCT<file_path STRING, file_name STRING, file_size BIGINT, file_block_start BIGINT,
 * file_block_length BIGINT, file_modification_time TIMESTAMP>. */
lh_type_t lh_ff_metadata_type(void);
/* The _metadata value of unit u of s, encoded into b (cleared first). */
lh_err lh_ff_metadata_value(const lh_ff_scan_t *s, int file, int64_t start, int64_t end,
                            lh_nbuf_t *b);

/* List the data files under path (absolute local path; may hold a glob in any segment).
 * Results in arena, sorted by path. PATH_NOT_FOUND when nothing matches. */
lh_err lh_ff_list(const char *path, lh_arena_t *a, lh_ff_scan_t *s, lh_errbuf *eb);

/* Fill s->names / s->types (s->files and s->opts set). Hints (may be 0) override the types
 * of the named columns (schemaHints). UNABLE_TO_INFER_SCHEMA when there are no files. */
typedef struct lh_ff_hint {
    const char *name;
    lh_type_t type;
} lh_ff_hint_t;
lh_err lh_ff_infer(lh_ff_scan_t *s, int hint_count, const lh_ff_hint_t *hints, lh_arena_t *a,
                   lh_errbuf *eb);

/* Units of work for a scan: one per file, or several byte ranges of a big CSV file. */
typedef struct lh_ff_unit {
    int file;
    int64_t start, end; /* byte range; end = -1: to the end */
} lh_ff_unit_t;
/* A malloc'd array (caller frees) of *count units. */
lh_err lh_ff_units(const lh_ff_scan_t *s, lh_ff_unit_t **units, size_t *count, lh_errbuf *eb);

/* Called with each parsed batch (s->col_count columns; valid only during the call). A
 * non-OK return stops the read and is passed on. */
typedef lh_err (*lh_ff_emit_fn)(void *ctx, const lh_batch_t *b, lh_errbuf *eb);

/* Read one unit. rows_read (may be NULL) gets the rows emitted. */
lh_err lh_ff_read(const lh_ff_scan_t *s, const lh_ff_unit_t *u, lh_ff_emit_fn emit, void *ctx,
                  int64_t *rows_read, lh_errbuf *eb);

/* ---- the parsers (csv.c, json.c), exposed for the fuzz targets ------------------------ */

/* Parse a CSV buffer as s describes (types fixed) and emit its rows. first_unit: the
 * buffer starts at the file's start (a header line is skipped there). */
lh_err lh_ff_csv_parse(const lh_ff_scan_t *s, const char *path, const char *buf, size_t len,
                       bool first_unit, lh_ff_emit_fn emit, void *ctx, int64_t *rows,
                       lh_errbuf *eb);
/* Infer CSV columns over a buffer: merges into the state (see csv.c). */
typedef struct lh_ff_csv_infer lh_ff_csv_infer_t;
lh_ff_csv_infer_t *lh_ff_csv_infer_new(void);
void lh_ff_csv_infer_free(lh_ff_csv_infer_t *st);
lh_err lh_ff_csv_infer_add(lh_ff_csv_infer_t *st, const lh_ff_opts_t *o, const char *buf,
                           size_t len, bool names_from_header, lh_errbuf *eb);
/* The inferred columns (names in arena). */
void lh_ff_csv_infer_result(const lh_ff_csv_infer_t *st, const lh_ff_opts_t *o, lh_arena_t *a,
                            int *count, const char ***names, lh_type_t **types);

lh_err lh_ff_json_parse(const lh_ff_scan_t *s, const char *path, const char *buf, size_t len,
                        lh_ff_emit_fn emit, void *ctx, int64_t *rows, lh_errbuf *eb);
typedef struct lh_ff_json_infer lh_ff_json_infer_t;
lh_ff_json_infer_t *lh_ff_json_infer_new(void);
void lh_ff_json_infer_free(lh_ff_json_infer_t *st);
lh_err lh_ff_json_infer_add(lh_ff_json_infer_t *st, const lh_ff_opts_t *o, const char *buf,
                            size_t len, lh_errbuf *eb);
void lh_ff_json_infer_result(const lh_ff_json_infer_t *st, lh_arena_t *a, int *count,
                             const char ***names, lh_type_t **types);

/* ---- shared by the parsers (files_util.c) ---------------------------------------------- */

#endif
