/*
 * ops_dml.c - DELETE and UPDATE with literal predicates: thin adapters over the write
 * transaction of rewrite.h (the SQL engine drives the same primitives with its own row
 * decisions).
 *
 * Both run the same steps in one write transaction:
 *   1. Candidates: lh_delta_wtxn_scan_files records the predicates as read and lists the
 *      live files their partition values / stats cannot exclude.
 *   2. Per candidate, count matching rows by reading only the predicate columns. DELETE
 *      with predicates only on partition columns skips this when add.stats has
 *      numRecords: the whole file matches.
 *   3. A file with no match stays. DELETE of all its rows: lh_delta_wtxn_remove (no read).
 *      Otherwise lh_delta_wtxn_rewrite (EAGER: the count says it changes) with a callback
 *      that deletes the matching rows (DELETE_ROWS, a selection) or replaces the batch by
 *      one with the assigned literals (REPLACE); the rows land in new files of their
 *      partition, shared by all rewritten files of the transaction.
 *   4. Commit DELETE / UPDATE with Spark's parameters and metrics, or nothing when no file
 *      changed (the write transaction is then destroyed, which aborts it).
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/ops_internal.h"

typedef struct row_filter {
    const int *cols;
    const lh_delta_pred_t *preds;
    int pred_count;
    const lh_value_t *assign; /* UPDATE: per table column, type LH_TYPE__COUNT = keep */
    lh_batch_t *out;          /* UPDATE: the replacement batch */
    uint8_t match[LH_BATCH_ROWS];
    uint32_t rows[LH_BATCH_ROWS];
} row_filter_t;

/* match[] for in; the number of matching rows. */
static size_t eval(row_filter_t *rf, const lh_batch_t *in)
{
    LH_ASSERT(in->row_count <= LH_BATCH_ROWS); /* the reader's batch size */
    lh_delta_op_eval(in, rf->cols, rf->preds, rf->pred_count, rf->match);
    size_t n = 0;
    for (size_t r = 0; r < in->row_count; r++)
        n += rf->match[r];
    return n;
}

/* DELETE: the matching rows go. */
static lh_err delete_matched(void *ctx, const lh_batch_t *in, lh_delta_rewrite_result_t *out,
                             lh_errbuf *eb)
{
    row_filter_t *rf = ctx;
    (void)eb;
    eval(rf, in);
    size_t n = 0;
    for (size_t r = 0; r < in->row_count; r++)
        if (rf->match[r])
            rf->rows[n++] = (uint32_t)r;
    out->action = LH_DELTA_REWRITE_DELETE_ROWS;
    out->rows = rf->rows;
    out->row_count = n;
    return LH_OK;
}

/* UPDATE: matching rows take the assigned literals (a replacement batch). */
static lh_err assign_matched(void *ctx, const lh_batch_t *in, lh_delta_rewrite_result_t *out,
                             lh_errbuf *eb)
{
    row_filter_t *rf = ctx;
    if (eval(rf, in) == 0)
        return LH_OK; /* KEEP_ALL */
    lh_batch_t *b = rf->out;
    lh_batch_reset(b);
    for (int c = 0; c < b->col_count; c++) {
        const lh_value_t *lit = rf->assign[c].type.id == LH_TYPE__COUNT ? NULL : &rf->assign[c];
        for (size_t r = 0; r < in->row_count; r++) {
            uint32_t row = (uint32_t)r;
            lh_err e = lit && rf->match[r]
                           ? lh_delta_vec_fill(b->cols[c], lit, 1)
                           : lh_delta_vec_gather(in->cols[c], &row, 0, 1, b->cols[c]);
            LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
        }
    }
    b->row_count = in->row_count;
    out->action = LH_DELTA_REWRITE_REPLACE;
    out->batch = b;
    return LH_OK;
}

/* Check the predicates and list the candidate files (recording the read set). */
static lh_err candidates(lh_delta_wtxn_t *w, const lh_delta_pred_t *preds, int n, int *cols,
                         const lh_delta_add_t ***files, size_t *count, lh_errbuf *eb)
{
    const lh_delta_snapshot_t *s = lh_delta_wtxn_snapshot(w);
    LH_TRY(lh_delta_snapshot_check_readable(s, eb));
    LH_TRY(lh_delta_op_preds_check(lh_delta_snapshot_metadata(s)->schema, preds, n, cols, eb));
    return lh_delta_wtxn_scan_files(w, preds, n, files, count, eb);
}

/* Rewrite f (known to change) through fn; adds the rows written to res. */
static lh_err rewrite(lh_delta_wtxn_t *w, const lh_delta_add_t *f, lh_delta_rewrite_fn fn,
                      row_filter_t *rf, lh_delta_op_result_t *res, lh_errbuf *eb)
{
    lh_delta_rewrite_stats_t st;
    LH_TRY(lh_delta_wtxn_rewrite(w, f, fn, rf, LH_DELTA_REWRITE_EAGER, &st, eb));
    res->rows_written += st.rows_written;
    return LH_OK;
}

static lh_err delete_files(lh_delta_wtxn_t *w, const lh_delta_pred_t *preds, int n,
                           const lh_delta_add_t **files, size_t count, row_filter_t *rf,
                           lh_delta_op_result_t *res, lh_errbuf *eb)
{
    const lh_delta_snapshot_t *s = lh_delta_wtxn_snapshot(w);
    lh_delta_table_t *t = lh_delta_txn_table(lh_delta_wtxn_txn(w));
    bool exact = lh_delta_op_preds_on_partitions(lh_delta_snapshot_metadata(s), preds, n);
    for (size_t i = 0; i < count; i++) {
        const lh_delta_add_t *f = files[i];
        int64_t matched = lh_delta_op_stats_num_records(f), total = matched;
        if (!exact || matched < 0)
            LH_TRY(lh_delta_op_count_matches(t, s, f, preds, exact ? 0 : n, &matched, &total, eb));
        if (matched == 0 && !(exact && total == 0))
            continue;
        res->files_removed++;
        res->rows_deleted += matched;
        if (matched == total) {
            LH_TRY(lh_delta_wtxn_remove(w, f, eb));
            continue;
        }
        res->rows_copied += total - matched;
        LH_TRY(rewrite(w, f, delete_matched, rf, res, eb));
    }
    return LH_OK;
}

lh_err lh_delta_op_delete_rows(lh_delta_wtxn_t *w, const lh_delta_pred_t *preds, int n,
                               lh_delta_op_result_t *res, lh_errbuf *eb)
{
    row_filter_t *rf = calloc(1, sizeof *rf);
    int *cols = calloc((size_t)n + 1, sizeof *cols);
    const lh_delta_add_t **files = NULL;
    size_t count = 0;
    lh_err e = rf && cols ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "no memory");
    if (e == LH_OK)
        e = candidates(w, preds, n, cols, &files, &count, eb);
    if (e == LH_OK) {
        *rf = (row_filter_t){.cols = cols, .preds = preds, .pred_count = n};
        e = delete_files(w, preds, n, files, count, rf, res, eb);
    }
    free(files);
    free(cols);
    free(rf);
    return e;
}

/* ---- DELETE --------------------------------------------------------------------------------- */

static void dml_metrics(const lh_delta_txn_t *x, lh_delta_op_result_t *r, bool is_delete,
                        int64_t t0_ms, lh_delta_op_metric_t *m)
{
    lh_delta_op_staged_tally(x, r);
    m[0] = (lh_delta_op_metric_t){"numRemovedFiles", r->files_removed};
    m[1] = (lh_delta_op_metric_t){"numAddedFiles", r->files_added};
    m[2] = (lh_delta_op_metric_t){is_delete ? "numDeletedRows" : "numUpdatedRows",
                                  is_delete ? r->rows_deleted : r->rows_updated};
    m[3] = (lh_delta_op_metric_t){"numCopiedRows", r->rows_copied};
    m[4] = (lh_delta_op_metric_t){"numAddedBytes", r->bytes_added};
    m[5] = (lh_delta_op_metric_t){"numRemovedBytes", r->bytes_removed};
    m[6] = (lh_delta_op_metric_t){"numAddedChangeFiles", 0};
    m[7] = (lh_delta_op_metric_t){"executionTimeMs", lh_now_ms() - t0_ms};
}

static lh_err dml_commit(lh_delta_wtxn_t *w, bool is_delete, const lh_delta_pred_t *preds, int n,
                         int64_t t0, lh_delta_op_result_t *res, lh_errbuf *eb)
{
    LH_TRY(lh_delta_wtxn_flush(w, eb)); /* the adds the metrics count */
    char *pj = lh_delta_op_preds_json(preds, n);
    LH_FAIL_IF(pj == NULL, LH_E_NOMEM, eb, "out of memory");
    json_t *params = json_pack("{s:s}", "predicate", pj);
    free(pj);
    lh_delta_op_metric_t m[8];
    dml_metrics(lh_delta_wtxn_txn(w), res, is_delete, t0, m);
    return lh_delta_op_commit_w(w, is_delete ? "DELETE" : "UPDATE", params, m, 8, 0, res, eb);
}

lh_err lh_delta_delete(lh_delta_table_t *t, const lh_delta_pred_t *preds, int pred_count,
                       lh_delta_op_result_t *res, lh_errbuf *eb)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    int64_t t0 = lh_now_ms();
    lh_delta_snapshot_t *s;
    LH_TRY(lh_delta_snapshot_latest(t, &s, eb));
    lh_delta_wtxn_t *w = NULL;
    lh_err e = lh_delta_wtxn_begin(t, s, NULL, &w, eb);
    if (e == LH_OK)
        e = lh_delta_op_delete_rows(w, preds, pred_count, res, eb);
    if (e == LH_OK && res->files_removed > 0)
        e = dml_commit(w, true, preds, pred_count, t0, res, eb);
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    return e;
}

/* ---- UPDATE --------------------------------------------------------------------------------- */

/* Per table column: the converted literal, or type LH_TYPE__COUNT when not assigned. */
static lh_err check_assigns(const lh_schema_t *schema, const lh_delta_assign_t *a, int n,
                            lh_value_t *per_col, lh_errbuf *eb)
{
    LH_FAIL_IF(n < 1, LH_E_INVALID, eb, "UPDATE needs at least one SET clause");
    for (int c = 0; c < schema->field_count; c++)
        per_col[c].type.id = LH_TYPE__COUNT;
    char tn[32];
    for (int i = 0; i < n; i++) {
        int c = a[i].column ? lh_schema_find(schema, a[i].column) : -1;
        LH_FAIL_IF(c < 0, LH_E_INVALID, eb, "UPDATE column '%s' is not in the table",
                   a[i].column ? a[i].column : "(null)");
        const lh_field_t *f = &schema->fields[c];
        LH_FAIL_IF(per_col[c].type.id != LH_TYPE__COUNT, LH_E_INVALID, eb,
                   "column '%s' is assigned twice", f->name);
        LH_FAIL_IF(a[i].value.is_null && !f->nullable, LH_E_INVALID, eb,
                   "NULL cannot be assigned to non-nullable column '%s'", f->name);
        LH_FAIL_IF(!lh_delta_op_value_convert(&a[i].value, f->type, &per_col[c]), LH_E_INVALID, eb,
                   "value does not fit column '%s' of type %s", f->name,
                   lh_type_name(f->type, tn, sizeof tn));
    }
    return LH_OK;
}

static lh_err update_rows(lh_delta_wtxn_t *w, const lh_delta_pred_t *preds, int n, row_filter_t *rf,
                          lh_delta_op_result_t *res, lh_errbuf *eb)
{
    const lh_delta_add_t **files = NULL;
    size_t count = 0;
    lh_delta_table_t *t = lh_delta_txn_table(lh_delta_wtxn_txn(w));
    lh_err e = candidates(w, preds, n, (int *)rf->cols, &files, &count, eb);
    for (size_t i = 0; e == LH_OK && i < count; i++) {
        int64_t matched, total;
        e = lh_delta_op_count_matches(t, lh_delta_wtxn_snapshot(w), files[i], preds, n, &matched,
                                      &total, eb);
        if (e != LH_OK || matched == 0)
            continue;
        res->files_removed++;
        res->rows_updated += matched;
        res->rows_copied += total - matched;
        e = rewrite(w, files[i], assign_matched, rf, res, eb);
    }
    free(files);
    return e;
}

lh_err lh_delta_update(lh_delta_table_t *t, const lh_delta_pred_t *preds, int pred_count,
                       const lh_delta_assign_t *assigns, int assign_count,
                       lh_delta_op_result_t *res, lh_errbuf *eb)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    int64_t t0 = lh_now_ms();
    lh_delta_snapshot_t *s;
    LH_TRY(lh_delta_snapshot_latest(t, &s, eb));
    lh_err e = lh_delta_snapshot_check_readable(s, eb);
    const lh_schema_t *schema = lh_delta_snapshot_metadata(s)->schema;
    row_filter_t *rf = calloc(1, sizeof *rf);
    int *cols = calloc((size_t)pred_count + 1, sizeof *cols);
    lh_value_t *per_col = schema ? calloc((size_t)schema->field_count + 1, sizeof *per_col) : NULL;
    lh_batch_t *out = schema ? lh_batch_create(schema, LH_BATCH_ROWS) : NULL;
    if (e == LH_OK && (!rf || !cols || !per_col || !out))
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = check_assigns(schema, assigns, assign_count, per_col, eb);
    lh_delta_wtxn_t *w = NULL;
    if (e == LH_OK)
        e = lh_delta_wtxn_begin(t, s, NULL, &w, eb);
    if (e == LH_OK) {
        *rf = (row_filter_t){
            .cols = cols, .preds = preds, .pred_count = pred_count, .assign = per_col, .out = out};
        e = update_rows(w, preds, pred_count, rf, res, eb);
    }
    if (e == LH_OK && res->files_removed > 0)
        e = dml_commit(w, false, preds, pred_count, t0, res, eb);
    lh_delta_wtxn_destroy(w);
    lh_batch_destroy(out);
    free(per_col);
    free(cols);
    free(rf);
    lh_delta_snapshot_release(s);
    return e;
}
