/*
 * tool.h - shared pieces of lakehouse-tool (inspect and import Parquet files and Delta
 * tables over the storage library).
 *
 *   main.c        command table, argument parsing, opening PATHs
 *   out.c         output: a growable text buffer, JSON text of values (cat), base64
 *   cmd_read.c    schema, cat, history
 *   import.c      import: CSV (RFC 4180), JSON lines and Parquet sources, type inference
 *   cmd_maint.c   optimize, vacuum
 *
 * Every command returns lh_err; main prints "lakehouse-tool: <message>" on stderr and
 * exits non-zero. Output goes to stdout, JSON (one object per line where there are many).
 */
#ifndef LH_TOOL_H
#define LH_TOOL_H

#include <stdbool.h>
#include <stdio.h>

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

/* ---- commands ---- */

lh_err tool_cmd_schema(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_cat(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_history(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_import(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_optimize(const tool_args_t *a, lh_errbuf *eb);
lh_err tool_cmd_vacuum(const tool_args_t *a, lh_errbuf *eb);

#endif
