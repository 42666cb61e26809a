/*
 * ops_internal.h - shared pieces of the table operations (ops_*.c), not for other modules.
 *
 *   ops_util.c     predicate checking and row evaluation, batch row copying, file
 *                  batch streams, commitInfo parameters/metrics, commit + tally
 *   ops_write.c    append, overwrite (+ replaceWhere)
 *   ops_dml.c      delete, update (adapters over rewrite.h, also for replaceWhere)
 *   ops_merge.c    merge (upsert by key)
 *   ops_optimize.c optimize, zorder
 *   ops_vacuum.c   vacuum
 */
#ifndef LH_STORAGE_DELTA_OPS_INTERNAL_H
#define LH_STORAGE_DELTA_OPS_INTERNAL_H

#include <jansson.h>

#include "storage/delta/delta_scan_internal.h"
#include "storage/delta/ops.h"
#include "storage/delta/rewrite.h"

/* ---- predicates -------------------------------------------------------------------------- */

/* Check preds against schema: every column exists, literal types fit the column, IN has
 * values, other ops exactly one. cols[i] (may be NULL) receives the column index. */
lh_err lh_delta_op_preds_check(const lh_schema_t *schema, const lh_delta_pred_t *preds, int n,
                               int *cols, lh_errbuf *eb);
/* Whether every predicate is on a partition column. */
bool lh_delta_op_preds_on_partitions(const lh_delta_metadata_t *md, const lh_delta_pred_t *preds,
                                     int n);
bool lh_delta_op_is_partition(const lh_delta_metadata_t *md, const char *col);
/* The value at row r of v (through its selection); strings borrow v's memory. */
void lh_delta_op_row_value(const lh_vec_t *v, size_t r, lh_value_t *out);
/* match[r] = 1 when row r satisfies every predicate (cols from lh_delta_op_preds_check over b's
 * schema); n == 0 matches all. */
void lh_delta_op_eval(const lh_batch_t *b, const int *cols, const lh_delta_pred_t *preds, int n,
                      uint8_t *match);
/* Convert literal v to column type t (integers widen, integers -> floats); false if not. */
bool lh_delta_op_value_convert(const lh_value_t *v, lh_type_t t, lh_value_t *out);
/* "[\"((a = 1) AND (b > 'x'))\"]"-style JSON list text of the predicates; malloc'd. */
char *lh_delta_op_preds_json(const lh_delta_pred_t *preds, int n);

/* ---- batches and streams ----------------------------------------------------------------- */

/* Append rows (n indices into in, or all when rows NULL) of in to out; same schema. */
lh_err lh_delta_op_copy_rows(const lh_batch_t *in, const uint32_t *rows, size_t n, lh_batch_t *out,
                             lh_errbuf *eb);

/* A stream over the full rows of some live files. */
typedef struct lh_delta_op_file_stream {
    lh_delta_table_t *t;
    const lh_delta_snapshot_t *s;
    const lh_delta_add_t *const *files;
    size_t file_count, next_file;
    lh_delta_reader_t *reader;
    int64_t rows_out;
} lh_delta_op_file_stream_t;

void lh_delta_op_file_stream_init(lh_delta_op_file_stream_t *fs, lh_delta_table_t *t,
                                  const lh_delta_snapshot_t *s, const lh_delta_add_t *const *files,
                                  size_t n);
lh_err lh_delta_op_file_stream_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb);
void lh_delta_op_file_stream_close(lh_delta_op_file_stream_t *fs);

/* A stream held in memory as owned batches. */
typedef struct lh_delta_op_batches {
    size_t count, cur;
    lh_batch_t **items;
    size_t rows; /* total rows loaded */
} lh_delta_op_batches_t;

/* Copy the whole stream into owned batches of schema (column c from the stream's column
 * src_col[c], or c when src_col is NULL). */
lh_err lh_delta_op_batches_load(lh_delta_op_batches_t *bs, const lh_schema_t *schema,
                                const int *src_col, lh_delta_batch_next_fn next, void *ctx,
                                lh_errbuf *eb);
void lh_delta_op_batches_free(lh_delta_op_batches_t *bs);

/* Live files read in full to count their rows matching preds (cols over the projection
 * of the predicate columns): *matched and *total. */
lh_err lh_delta_op_count_matches(lh_delta_table_t *t, const lh_delta_snapshot_t *s,
                                 const lh_delta_add_t *f, const lh_delta_pred_t *preds, int n,
                                 int64_t *matched, int64_t *total, lh_errbuf *eb);
/* numRecords from add.stats, or -1. */
int64_t lh_delta_op_stats_num_records(const lh_delta_add_t *f);

/* ---- commit ------------------------------------------------------------------------------ */

/* Metrics as Spark writes them: a JSON object of string values. */
typedef struct lh_delta_op_metric {
    const char *name;
    int64_t value;
} lh_delta_op_metric_t;

/* Set operation + parameters (a jansson object, stolen) + metrics, commit, and set
 * res->version. */
lh_err lh_delta_op_commit(lh_delta_txn_t *x, const char *operation, json_t *params,
                          const lh_delta_op_metric_t *metrics, int metric_count,
                          lh_delta_op_result_t *res, lh_errbuf *eb);
/* The same through a write transaction (flushed first): commit flags of rewrite.h. */
lh_err lh_delta_op_commit_w(lh_delta_wtxn_t *w, const char *operation, json_t *params,
                            const lh_delta_op_metric_t *metrics, int metric_count, unsigned flags,
                            lh_delta_op_result_t *res, lh_errbuf *eb);
/* Set the file/byte counters of res from the adds/removes staged in x (before commit). */
void lh_delta_op_staged_tally(const lh_delta_txn_t *x, lh_delta_op_result_t *res);

/* Latest snapshot, or *out NULL (LH_OK) when the table has no log yet. */
lh_err lh_delta_op_snapshot_or_none(lh_delta_table_t *t, lh_delta_snapshot_t **out, lh_errbuf *eb);

/* ---- shared by overwrite ... replaceWhere and delete (ops_dml.c) ------------------------ */

/* Stage the removal of every row matching preds in w (rewriting partly matched files);
 * records the read set; adds rows_deleted/rows_copied/rows_written/files_removed to res. */
lh_err lh_delta_op_delete_rows(lh_delta_wtxn_t *w, const lh_delta_pred_t *preds, int n,
                               lh_delta_op_result_t *res, lh_errbuf *eb);

#endif
