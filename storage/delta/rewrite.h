/*
 * rewrite.h - file-level write primitives of storage/delta: the boundary between the SQL
 * engine and storage (DuckDB's split). The engine decides which rows DELETE, UPDATE and
 * MERGE touch; storage lists candidate files, rewrites files through the engine's
 * per-batch decisions, stages adds and removes and commits. ops.h's literal-predicate
 * operations are thin adapters over these primitives.
 *
 * Protocol of a write transaction (lh_delta_wtxn_t), all in one thread:
 *
 *   begin(t, snapshot)            read version R = the snapshot's (NULL: create the table)
 *     |
 *   scan_files(preds)  ...........  records preds as the read predicate; returns the live
 *     |                             files whose partition values / stats cannot exclude them
 *   rewrite(file, cb) ............  records file as read; reads it batch by batch and asks
 *     |                             cb(batch) for KEEP_ALL | KEEP_ROWS | DELETE_ROWS | REPLACE.
 *     |                             First change: stage remove(file) (earlier kept batches
 *     |                             are read again and written). Surviving / replacement rows
 *     |                             go to the transaction's output writer.
 *   remove(file) ..................  records file as read; stages its remove (no read)
 *   insert(batch) .................  rows for the output writer (table schema)
 *   write(stream) .................  flush, then new files from a stream of any schema
 *     |
 *   flush() .......................  close the output writer's files: adds with stats staged
 *     |
 *   commit(op, params, metrics) ...  flush; assert each staged action (commit_check.c);
 *     |                              put-if-absent <R+1>.json, conflict check against the
 *     |                              winners and retry (commit.c); read the version back and
 *     |                              assert it holds what was staged
 *   abort() / destroy() ...........  without a commit: delete every data file this
 *                                    transaction wrote (their adds were never committed)
 *
 * Output files: rows from every rewrite and insert of one transaction share one writer, so
 * they land in new files per partition of up to target_file_rows rows (the rows of two
 * rewritten files of one partition share a file), exactly as lh_delta_write_files would
 * write them. Row order within a partition follows the order of the calls.
 *
 * Conflicts: the read set recorded by scan_files / rewrite / remove (and anything set on
 * lh_delta_wtxn_txn) is what commit.c checks against concurrent winners (formats.md §2.7):
 * a winner removing a file we read or rewrote fails us with ConcurrentDeleteRead; a
 * winner's blind append does not conflict under WriteSerializable.
 *
 * Crash safety: data files are committed objects under unique names before the log entry
 * that references them; a crash anywhere leaves at most unreferenced files (VACUUM
 * garbage), never a visible partial change. Abort deletes what it can; when a commit
 * failed with an I/O error its outcome is unknown, so abort then keeps the files.
 *
 * No-op transactions: a rewrite whose callback keeps every row stages nothing; commit with
 * nothing staged (no add, remove, metaData, protocol, txn or domain) writes no version and
 * gives *version -1, unless flags has LH_DELTA_COMMIT_ALLOW_EMPTY (an append of no rows
 * still commits an empty WRITE, as Spark does).
 *
 * Errors: LH_E_INVALID (a callback's selection out of range or not ascending, a batch
 * whose columns do not match the table, a file that is not live in the snapshot),
 * LH_E_STATE (use after commit or abort), LH_E_CONFLICT from commit, and the storage errors
 * of delta.h. Functions block on object-store I/O.
 */
#ifndef LH_STORAGE_DELTA_REWRITE_H
#define LH_STORAGE_DELTA_REWRITE_H

#include "storage/delta/delta.h"

typedef struct lh_delta_wtxn lh_delta_wtxn_t;

/* What the rewrite callback decides for one batch. */
typedef enum lh_delta_rewrite_action {
    LH_DELTA_REWRITE_KEEP_ALL = 0, /* every row survives unchanged (the default) */
    LH_DELTA_REWRITE_KEEP_ROWS,    /* rows[0..row_count) survive, the others are deleted */
    LH_DELTA_REWRITE_DELETE_ROWS,  /* rows[0..row_count) are deleted, the others survive */
    LH_DELTA_REWRITE_REPLACE,      /* batch replaces the whole input batch */
} lh_delta_rewrite_action;

typedef struct lh_delta_rewrite_result {
    lh_delta_rewrite_action action;
    /* KEEP_ROWS / DELETE_ROWS: strictly ascending row indices < the batch's row_count
     * (logical rows, as lh_vec_t selections index them). Owned by the callback; valid
     * until it is called again. */
    const uint32_t *rows;
    size_t row_count;
    /* REPLACE: the table's columns in schema order with the table's types, any number of
     * rows (0 deletes the batch). Owned by the callback; valid until it is called again. */
    const lh_batch_t *batch;
} lh_delta_rewrite_result_t;

/* Called once per batch of the file being rewritten, in file order. batch has the table's
 * columns in schema order (partition columns filled from partitionValues) and is valid
 * only during the call. *out arrives zeroed (KEEP_ALL). An error stops the rewrite. */
typedef lh_err (*lh_delta_rewrite_fn)(void *ctx, const lh_batch_t *batch,
                                      lh_delta_rewrite_result_t *out, lh_errbuf *eb);

/* lh_delta_wtxn_rewrite flags. */
#define LH_DELTA_REWRITE_EAGER                                                                     \
    1u /* the caller knows the file changes: stage its remove before                               \
        * reading (no re-read of kept leading batches); a file that                                \
        * turns out unchanged is still rewritten */

typedef struct lh_delta_rewrite_stats {
    bool changed;         /* the file's remove is staged */
    int64_t rows_read;    /* rows the file holds */
    int64_t rows_written; /* rows this rewrite sent to the output writer (0 if !changed) */
} lh_delta_rewrite_stats_t;

/* lh_delta_wtxn_commit flags. */
#define LH_DELTA_COMMIT_ALLOW_EMPTY 1u /* commit a version even when nothing is staged */

/* Begin a write transaction reading snapshot s (retained), or s NULL to create the table
 * (stage its metaData on lh_delta_wtxn_txn before writing). opts (NULL = defaults) are
 * used by the output writer (merge_schema is ignored there). LH_E_UNSUPPORTED when the
 * table is not writable by us. *out belongs to the calling thread. */
lh_err lh_delta_wtxn_begin(lh_delta_table_t *t, lh_delta_snapshot_t *s,
                           const lh_delta_write_opts_t *opts, lh_delta_wtxn_t **out, lh_errbuf *eb);
/* The underlying transaction: set metadata, isolation, app versions or extra read-set
 * entries on it. Do not stage adds on it directly (abort deletes the files of every
 * staged add) and do not commit it. Owned by w. */
lh_delta_txn_t *lh_delta_wtxn_txn(lh_delta_wtxn_t *w);
/* The snapshot read (NULL when creating); owned by w. */
const lh_delta_snapshot_t *lh_delta_wtxn_snapshot(const lh_delta_wtxn_t *w);

/* Record preds (ANDed; none = the whole table) as read and list the live files they may
 * match: partition values decide partition columns exactly, add.stats (min/max/nullCount)
 * decide data columns conservatively. *files is a malloc'd array (caller frees the array
 * only) of pointers into the snapshot, valid while w lives. LH_E_STATE when creating. */
lh_err lh_delta_wtxn_scan_files(lh_delta_wtxn_t *w, const lh_delta_pred_t *preds, int pred_count,
                                const lh_delta_add_t ***files, size_t *count, lh_errbuf *eb);

/* Rewrite live file f through fn (see the protocol above). stats may be NULL. On error
 * nothing of f's output is guaranteed; abort the transaction. */
lh_err lh_delta_wtxn_rewrite(lh_delta_wtxn_t *w, const lh_delta_add_t *f, lh_delta_rewrite_fn fn,
                             void *ctx, unsigned flags, lh_delta_rewrite_stats_t *stats,
                             lh_errbuf *eb);

/* Remove live file f without reading it (all its rows are deleted). */
lh_err lh_delta_wtxn_remove(lh_delta_wtxn_t *w, const lh_delta_add_t *f, lh_errbuf *eb);

/* Send rows[0..row_count) of b (strictly ascending row indices; all rows when rows is
 * NULL) to the output writer. b has the table's columns in schema order with the table's
 * types; on create, stage the metaData first. */
lh_err lh_delta_wtxn_insert(lh_delta_wtxn_t *w, const lh_batch_t *b, const uint32_t *rows,
                            size_t row_count, lh_errbuf *eb);

/* Flush, then write the stream as new files (lh_delta_write_files: schema checked,
 * opts->merge_schema honoured; opts NULL = the transaction's). */
lh_err lh_delta_wtxn_write(lh_delta_wtxn_t *w, const lh_schema_t *schema,
                           lh_delta_batch_next_fn next, void *ctx,
                           const lh_delta_write_opts_t *opts, lh_errbuf *eb);

/* Close the output writer's open files and stage their adds (with stats). */
lh_err lh_delta_wtxn_flush(lh_delta_wtxn_t *w, lh_errbuf *eb);

/* Whether any add or remove is staged (after a flush: whether the data changes). */
bool lh_delta_wtxn_changed(const lh_delta_wtxn_t *w);

/* Flush and commit with commitInfo operation (e.g. "DELETE"), operationParameters and
 * operationMetrics (JSON object texts with string values; either may be NULL). *version
 * (may be NULL) gets the committed version, or -1 when nothing was committed (see
 * "No-op transactions"). LH_E_CONFLICT names the Delta exception in errbuf->error_code. */
lh_err lh_delta_wtxn_commit(lh_delta_wtxn_t *w, const char *operation, const char *params_json,
                            const char *metrics_json, unsigned flags, int64_t *version,
                            lh_errbuf *eb);

/* Abort: unless committed, discard the open output files and delete the data files whose
 * adds are staged (best effort; kept when a commit failed with an unknown outcome). Later
 * calls on w but destroy fail with LH_E_STATE. Idempotent. */
void lh_delta_wtxn_abort(lh_delta_wtxn_t *w);
/* Abort (when not committed) and free. NULL is a no-op. */
void lh_delta_wtxn_destroy(lh_delta_wtxn_t *w);

#endif
