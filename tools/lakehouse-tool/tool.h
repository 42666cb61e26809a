/*
 * tool.h - shared pieces of lakehouse-tool (inspect and import Parquet files and Delta
 * tables over the storage library).
 *
 *   main.c        command table, argument parsing, opening PATHs
 *   out.c         output: a growable text buffer, JSON text of values (cat), base64
 *   cmd_read.c    schema, cat, history
 *   import.c      import: CSV (RFC 4180), JSON lines and Parquet sources, type inference
 *   cmd_maint.c   optimize, vacuum
 *   nested.c      Parquet LIST/MAP/STRUCT columns: Delta schema, rows as JSON
 *   import_nested.c  import of such files (data copied leaf by leaf), the commit
 *   import_json.c JSON lines with arrays/objects: ARRAY/STRUCT inference, shredding
 *   import_files.c   the data files of a nested import (partitions routed by row)
 *
 * Every command returns lh_err; main prints "lakehouse-tool: <message>" on stderr and
 * exits non-zero. Output goes to stdout, JSON (one object per line where there are many).
 */
#ifndef LH_TOOL_H
#define LH_TOOL_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "storage/delta/ops.h"

/* ---- arguments ---- */

typedef struct tool_args {
    int count;
    char **items; /* positional arguments after the command */
    const char *opt_names[16];
    const char *opt_values[16]; /* "" for flags */
    int opt_count;
} tool_args_t;

/* Value of --name (NULL when absent; "" for a flag). */
const char *tool_opt(const tool_args_t *a, const char *name);
/* --name as an integer in [min, max]; def when absent. */
lh_err tool_opt_int(const tool_args_t *a, const char *name, int64_t def, int64_t min, int64_t max,
                    int64_t *out, lh_errbuf *eb);
/* Split "a,b,c" into malloc'd items (free with tool_list_free). */
int tool_split_list(const char *s, char ***out);
void tool_list_free(char **items, int n);

/* ---- opening ---- */

/* Whether path is an existing directory / regular file. */
bool tool_is_dir(const char *path);
bool tool_is_file(const char *path);
/* A table handle on DELTA_DIR (store rooted at the directory, created if must_exist is
 * false). LH_E_NOT_FOUND when must_exist and there is no _delta_log. */
lh_err tool_open_table(const char *dir, bool must_exist, lh_objstore_t **os, lh_delta_table_t **t,
                       lh_errbuf *eb);
void tool_close_table(lh_objstore_t *os, lh_delta_table_t *t);
/* A Parquet file. */
lh_err tool_open_parquet(const char *path, lh_pq_file_t **out, lh_errbuf *eb);

/* A Parquet file's flat columns as batches (one row group at a time, sliced). */
typedef struct tool_pq_stream {
    lh_pq_file_t *f;
    const lh_schema_t *schema; /* the file's flat schema */
    int *cols;                 /* projection: file column per output column */
    lh_schema_t *out_schema;
    lh_batch_t *rg, *out;
    int next_rg;
    size_t rg_rows, rg_off;
} tool_pq_stream_t;

lh_err tool_pq_stream_open(tool_pq_stream_t *ps, lh_pq_file_t *f, char **columns, int column_count,
                           lh_errbuf *eb);
lh_err tool_pq_stream_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb);
void tool_pq_stream_close(tool_pq_stream_t *ps);

/* ---- output ---- */

typedef struct tool_buf {
    char *ptr;
    size_t len, cap;
} tool_buf_t;

void tool_buf_putn(tool_buf_t *b, const char *s, size_t n);
void tool_buf_puts(tool_buf_t *b, const char *s);
void tool_buf_printf(tool_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal of n bytes (invalid UTF-8 becomes U+FFFD). */
void tool_buf_json_string(tool_buf_t *b, const char *s, size_t n);
/* JSON text of row r of v: dates YYYY-MM-DD, timestamps ISO-8601 with microseconds (UTC
 * with Z), decimals as exact decimal strings, binary as base64, NaN/Infinity as strings. */
void tool_buf_json_value(tool_buf_t *b, const lh_vec_t *v, size_t r);
void tool_buf_free(tool_buf_t *b);

/* ---- text values (import.c) ---- */

#define TOOL_K_ALL 31 /* every kind of scalar still possible (no value seen) */
/* Append text s (NULL = null) converted to v's type; false when it does not parse. */
bool tool_append_text(lh_vec_t *v, const char *s);
/* The kinds of scalar a JSON value can be (TOOL_K_ALL for null, 0 for arrays/objects and
 * strings that are neither dates nor timestamps); its text in *text (malloc'd or NULL). */
int tool_json_value_kinds(json_t *v, char **text);
/* The column type of the kinds every value allows (string when none or all). */
lh_type_t tool_type_of_kinds(int kinds);

/* ---- nested columns (nested.c, import_nested.c, import_json.c) ---- */

/* A Parquet file with nested columns: its schema tree mapped onto a Delta schema, and its
 * rows assembled from the leaves one row group at a time. */
typedef struct tool_nested {
    lh_pq_file_t *f;     /* not owned */
    lh_pq_node_t *tree;  /* lh_pq_schema_tree; top-level columns are its children */
    char *schema_string; /* the Delta schemaString of every column */
    struct tool_node_info *info;
    int leaf_count;
    lh_pq_leaf_data_t *leaves; /* the loaded row group */
    size_t *pos, *vpos;        /* per leaf: next level, next value */
    int64_t rows;              /* rows of the loaded row group */
    bool corrupt;
} tool_nested_t;

/* Map f's schema; LH_E_UNSUPPORTED naming the column whose shape Delta cannot state. */
lh_err tool_nested_open(tool_nested_t *n, lh_pq_file_t *f, lh_errbuf *eb);
void tool_nested_close(tool_nested_t *n);
/* Top-level column by case-insensitive name, or -1. */
int tool_nested_find(const tool_nested_t *n, const char *name);
/* Read every leaf of row group rg and start at its first row. */
lh_err tool_nested_load(tool_nested_t *n, int rg, lh_errbuf *eb);
/* Append the JSON of top-level column top for its next row (maps become objects whose
 * non-string keys are their JSON text). */
void tool_nested_emit(tool_nested_t *n, int top, tool_buf_t *b);
/* After every row of the group: LH_E_CORRUPT when column top's levels did not fit. */
lh_err tool_nested_check(const tool_nested_t *n, int top, lh_errbuf *eb);

/* The Delta schemaString of a Parquet schema tree (LH_E_UNSUPPORTED naming a column whose
 * shape it cannot state). *out is malloc'd. */
lh_err tool_nested_schema_string(const lh_pq_node_t *root, char **out, lh_errbuf *eb);

/* The data files of one nested import (import_files.c): one per partition directory.
 * parts are top-level primitive columns of tree (matched case-insensitively). */
typedef struct tool_fileset tool_fileset_t;
lh_err tool_fileset_create(lh_delta_table_t *t, const lh_pq_node_t *tree, const char *const *parts,
                           int nparts, tool_fileset_t **out, lh_errbuf *eb);
/* Partition column k as the tree spells it. */
const char *tool_fileset_part_name(const tool_fileset_t *fs, int k);
/* One row group: every leaf of the tree (levels + values), rows records. */
lh_err tool_fileset_put(tool_fileset_t *fs, int64_t rows, const lh_pq_leaf_data_t *leaves,
                        lh_errbuf *eb);
/* Finish and commit every file to the store and stage its add in x (counted in res). */
lh_err tool_fileset_finish(tool_fileset_t *fs, lh_delta_txn_t *x, lh_delta_op_result_t *res,
                           lh_errbuf *eb);
void tool_fileset_destroy(tool_fileset_t *fs); /* aborts files not finished */

/* A source of nested rows. */
typedef struct tool_nested_src {
    const char *schema_string; /* Delta schemaString of every column */
    const lh_pq_node_t *tree;  /* its Parquet schema (partition columns included) */
    /* Put every row group into fs (tool_fileset_put). */
    lh_err (*write)(void *ctx, tool_fileset_t *fs, lh_errbuf *eb);
    void *ctx;
} tool_nested_src_t;

/* Commit src as data files (append or overwrite), partitioned by parts (an existing
 * table's partitioning when it exists; a non-empty parts must equal it). An existing
 * table must have the same schemaString. */
lh_err tool_nested_commit(lh_delta_table_t *t, const tool_nested_src_t *src, bool overwrite,
                          const char *const *parts, int nparts, lh_delta_op_result_t *res,
                          lh_errbuf *eb);
/* Import f (which has nested columns) into the table, its leaves copied as they are. */
lh_err tool_import_nested(lh_delta_table_t *t, lh_pq_file_t *f, bool overwrite,
                          const char *const *parts, int nparts, lh_delta_op_result_t *res,
                          lh_errbuf *eb);
/* Import JSON objects (a json array of them; columns = the keys in first-seen order) of
 * which some values are arrays or objects: ARRAY / STRUCT columns inferred over every
 * value, refused naming the column when its values mix arrays, objects and scalars. */
lh_err tool_import_json_nested(lh_delta_table_t *t, json_t *objs, bool overwrite,
                               const char *const *parts, int nparts, lh_delta_op_result_t *res,
                               lh_errbuf *eb);

/* ---- commands ---- */

lh_err tool_cmd_schema(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_cat(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_history(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_import(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_optimize(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_vacuum(const tool_args_t *a, lh_errbuf *eb);

#endif
