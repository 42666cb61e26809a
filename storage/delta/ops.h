/*
 * ops.h - whole-table write operations over storage/delta (the layer the SQL engine and
 * lakehouse-tool call): APPEND, OVERWRITE (incl. replaceWhere), DELETE, UPDATE, MERGE
 * (upsert by key), OPTIMIZE (bin-packing, ZORDER BY) and VACUUM. Protocol facts:
 * shared/reference/formats.md §2.6, §2.7, §2.11, §2.13.
 *
 * Every operation that changes the table is ONE transaction (delta.h): it reads the
 * latest snapshot, records what it read (so the conflict check of §2.7 applies), writes
 * new data files under unique names, stages adds/removes and commits with Spark's
 * commitInfo: operation, operationParameters (string values, lists JSON-encoded as
 * strings), operationMetrics (string values, as Spark writes them), isBlindAppend.
 *
 *   operation            read set                        isolation
 *   append   WRITE       nothing (blind append)          WriteSerializable
 *   overwrite WRITE      whole table / replaceWhere preds WriteSerializable
 *   delete   DELETE      predicates + every file touched WriteSerializable
 *   update   UPDATE      predicates + every file touched WriteSerializable
 *   merge    MERGE       whole table + every file touched WriteSerializable
 *   optimize OPTIMIZE    partition filter + files touched SnapshotIsolation
 *
 * As in Delta, a blind append never conflicts under WriteSerializable: an overwrite,
 * delete or update racing one still commits, and the appended rows stay (they were not
 * in the snapshot it replaced). Two operations that remove or read the same files do
 * conflict: the later commit fails with LH_E_CONFLICT (ConcurrentAppendException,
 * ConcurrentDeleteReadException, ...) and none of its changes become visible.
 *
 * DELETE / UPDATE / MERGE are copy-on-write: a file with no affected row stays; a file
 * whose rows are all deleted is removed; any other affected file is removed and its
 * surviving (or updated) rows are written to new files. Predicates (lh_delta_pred_t,
 * ANDed) are evaluated row by row with SQL null semantics: a null never matches.
 *
 * Errors: LH_E_INVALID (bad arguments, schema mismatch, replaceWhere violation, duplicate
 * merge source rows, VACUUM retention too short), LH_E_CONFLICT (errbuf->error_code is the
 * Delta exception name), LH_E_NOT_FOUND (no table where one is needed), plus the storage
 * errors of delta.h. On failure nothing is committed and the data files the operation
 * wrote are deleted (they stay as unreferenced garbage for VACUUM when the process dies,
 * or when a commit failed with an I/O error and its outcome is unknown). All functions
 * block on object-store I/O; a table handle may be used by several threads at once (each
 * call uses its own transaction).
 *
 * APPEND, OVERWRITE, DELETE, UPDATE and MERGE are adapters over the write transaction of
 * rewrite.h (file listing, per-batch file rewrites, inserts, commit), the same primitives
 * the SQL engine's DML sinks use with their own row decisions.
 */
#ifndef LH_STORAGE_DELTA_OPS_H
#define LH_STORAGE_DELTA_OPS_H

#include "storage/delta/delta.h"

#define LH_DELTA_OPTIMIZE_TARGET_BYTES (128LL << 20) /* target size of OPTIMIZE output */
#define LH_DELTA_VACUUM_RETAIN_HOURS   168.0         /* delta.deletedFileRetentionDuration */
#define LH_DELTA_ENGINE_INFO           "lakehouse/0.1.0"

/* What one operation did. Counters an operation does not use stay 0. */
typedef struct lh_delta_op_result {
    int64_t version; /* committed version; -1 when nothing needed committing */
    int64_t files_added, files_removed;
    int64_t bytes_added, bytes_removed;
    int64_t rows_written;  /* rows in the new files */
    int64_t rows_deleted;  /* DELETE, and rows replaced by OVERWRITE ... replaceWhere */
    int64_t rows_updated;  /* UPDATE, MERGE matched */
    int64_t rows_inserted; /* MERGE not matched */
    int64_t rows_copied;   /* unaffected rows rewritten with affected ones */
    int64_t source_rows;   /* MERGE */
} lh_delta_op_result_t;

typedef struct lh_delta_op_opts {
    /* When the table does not exist yet (append/overwrite create it): its partition
     * columns. When it exists, a non-empty list must equal the table's (LH_E_INVALID). */
    const char *const *partition_columns;
    int partition_column_count;
    /* OVERWRITE only: replace just the rows matching these predicates (ANDed; any
     * columns). Every new row must match them too, else LH_E_INVALID with error_code
     * "DELTA_REPLACE_WHERE_MISMATCH". */
    const lh_delta_pred_t *replace_where;
    int replace_where_count;
    /* mergeSchema, file size and codec of new files (write.merge_schema adds new columns
     * of the input as nullable columns in a metaData update). */
    lh_delta_write_opts_t write;
} lh_delta_op_opts_t;

void lh_delta_op_opts_default(lh_delta_op_opts_t *o);

/* APPEND: write the stream (columns named by schema) as new files; creates the table
 * (protocol (1,2), metaData from schema and opts->partition_columns) when it has no log.
 * A lost creation race is LH_E_EXISTS ("DELTA_TABLE_ALREADY_EXISTS"). opts may be NULL. */
lh_err lh_delta_append(lh_delta_table_t *t, const lh_schema_t *schema, lh_delta_batch_next_fn next,
                       void *ctx, const lh_delta_op_opts_t *opts, lh_delta_op_result_t *res,
                       lh_errbuf *eb);

/* OVERWRITE: replace every live file by the stream's rows (or, with replaceWhere, only
 * the rows matching it; see lh_delta_op_opts_t). Creates the table like append. */
lh_err lh_delta_overwrite(lh_delta_table_t *t, const lh_schema_t *schema,
                          lh_delta_batch_next_fn next, void *ctx, const lh_delta_op_opts_t *opts,
                          lh_delta_op_result_t *res, lh_errbuf *eb);

/* DELETE FROM t WHERE preds (pred_count 0 = every row). res->rows_deleted counts them.
 * Nothing is committed (res->version -1) when no row matches. */
lh_err lh_delta_delete(lh_delta_table_t *t, const lh_delta_pred_t *preds, int pred_count,
                       lh_delta_op_result_t *res, lh_errbuf *eb);

/* One SET clause of UPDATE: column = literal (value.is_null for NULL). */
typedef struct lh_delta_assign {
    const char *column;
    lh_value_t value;
} lh_delta_assign_t;

/* UPDATE t SET assigns WHERE preds. The literal type must fit the column (integers widen,
 * integers into floats); NULL into a non-nullable column is LH_E_INVALID. Assigning a
 * partition column moves the rows. res->rows_updated counts matched rows. */
lh_err lh_delta_update(lh_delta_table_t *t, const lh_delta_pred_t *preds, int pred_count,
                       const lh_delta_assign_t *assigns, int assign_count,
                       lh_delta_op_result_t *res, lh_errbuf *eb);

/* MERGE INTO t USING source ON t.k = s.k (every key column)
 *   WHEN MATCHED THEN UPDATE SET *  WHEN NOT MATCHED THEN INSERT *.
 * The source must have exactly the table's columns (any order). Null keys never match.
 * A target row matched by more than one source row is LH_E_INVALID ("multiple source rows
 * matched", error_code "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE"), as in
 * Delta; duplicate source keys matching no target row are all inserted. Files whose key
 * stats (min/max) or partition values exclude every source key are not read. The source
 * is held in memory. */
lh_err lh_delta_merge(lh_delta_table_t *t, const lh_schema_t *source_schema,
                      lh_delta_batch_next_fn next, void *ctx, const char *const *keys,
                      int key_count, lh_delta_op_result_t *res, lh_errbuf *eb);

/* OPTIMIZE t [WHERE partition preds] [ZORDER BY cols]. Per partition, files smaller than
 * target_file_bytes (<= 0: 128 MiB) are bin-packed (smallest first) into bins of at most
 * that size; each bin of two or more files is rewritten as files near the target size.
 * With ZORDER BY every file of a partition forms one bin and rows are written in Morton
 * order of the columns (see ops_optimize.c). Removes and adds carry dataChange=false;
 * SnapshotIsolation. A predicate on a non-partition column is LH_E_INVALID. Nothing is
 * committed (res->version -1) when there is nothing to compact. */
lh_err lh_delta_optimize(lh_delta_table_t *t, const lh_delta_pred_t *preds, int pred_count,
                         int64_t target_file_bytes, const char *const *zorder_by, int zorder_count,
                         lh_delta_op_result_t *res, lh_errbuf *eb);

typedef struct lh_delta_vacuum_result {
    size_t count;  /* files deleted (or, in a dry run, that would be) */
    char **paths;  /* their table-relative paths, sorted; malloc'd */
    int64_t bytes; /* their total size */
    int64_t dirs_removed;
} lh_delta_vacuum_result_t;

/* VACUUM t [RETAIN retain_hours HOURS] [DRY RUN] (formats.md §2.11). retain_hours < 0
 * uses delta.deletedFileRetentionDuration (default 168 h); a shorter retention than that
 * is LH_E_INVALID unless force. Deletes data files that no live add references, that
 * are not tombstones removed inside the retention and whose mtime is older than the
 * retention; _delta_log and hidden paths (but partition directories) are never touched.
 * Then removes directories left empty (local stores). Free out with
 * lh_delta_vacuum_result_free. Writes nothing to the log. */
lh_err lh_delta_vacuum(lh_delta_table_t *t, double retain_hours, bool dry_run, bool force,
                       lh_delta_vacuum_result_t *out, lh_errbuf *eb);
void lh_delta_vacuum_result_free(lh_delta_vacuum_result_t *r);

#endif
