/*
 * ops_dml.c - DELETE and UPDATE as copy-on-write rewrites.
 *
 * Both run the same steps in one transaction:
 *   1. Candidates: live files that may match (lh_delta_scan_files: partition pruning is
 *      exact, stats skipping conservative). The predicates become the read set, and so
 *      does every candidate file actually changed (ConcurrentDeleteRead on a race).
 *   2. Per candidate, count matching rows by reading only the predicate columns. DELETE
 *      with predicates only on partition columns skips this: the whole file matches.
 *   3. Files with no match stay. DELETE removes fully matched files outright. Every other
 *      affected file is removed and streamed through a row transform (drop / assign) into
 *      lh_delta_write_files, so the rewritten rows land in new files of their partition.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/ops_internal.h"

typedef struct row_filter {
    const int *cols;
    const lh_delta_pred_t *preds;
    int pred_count;
    const lh_value_t *assign; /* UPDATE: per table column, NULL = keep */
    uint8_t match[LH_BATCH_ROWS];
    uint32_t rows[LH_BATCH_ROWS];
} row_filter_t;

/* DELETE: keep the rows that do not match. */
static lh_err keep_unmatched(void *ctx, const lh_batch_t *in, lh_batch_t *out, lh_errbuf *eb)
{
    row_filter_t *rf = ctx;
    lh_delta_op_eval(in, rf->cols, rf->preds, rf->pred_count, rf->match);
    size_t n = 0;
    for (size_t r = 0; r < in->row_count; r++)
        if (!rf->match[r])
            rf->rows[n++] = (uint32_t)r;
    return lh_delta_op_copy_rows(in, rf->rows, n, out, eb);
}

/* UPDATE: matching rows take the assigned literals. */
static lh_err assign_matched(void *ctx, const lh_batch_t *in, lh_batch_t *out, lh_errbuf *eb)
{
    row_filter_t *rf = ctx;
    lh_delta_op_eval(in, rf->cols, rf->preds, rf->pred_count, rf->match);
    for (int c = 0; c < out->col_count; c++) {
        const lh_value_t *lit = rf->assign[c].type.id == LH_TYPE__COUNT ? NULL : &rf->assign[c];
        for (size_t r = 0; r < in->row_count; r++) {
            uint32_t row = (uint32_t)r;
            lh_err e = lit && rf->match[r]
                           ? lh_delta_vec_fill(out->cols[c], lit, 1)
                           : lh_delta_vec_gather(in->cols[c], &row, 0, 1, out->cols[c]);
            LH_FAIL_IF(e != LH_OK, LH_E_NOMEM, eb, "out of memory");
        }
    }
    out->row_count = in->row_count;
    return LH_OK;
}

/* Rewrite files through rf's transform into x. */
static lh_err rewrite(lh_delta_txn_t *x, const lh_delta_snapshot_t *s,
                      const lh_delta_add_t *const *files, size_t n, lh_delta_op_transform_fn fn,
                      row_filter_t *rf, const lh_delta_write_opts_t *wo, int64_t *rows_out,
                      lh_errbuf *eb)
{
    if (n == 0)
        return LH_OK;
    lh_delta_op_file_stream_t fs;
    lh_delta_table_t *t = lh_delta_txn_table(x);
    lh_err e = lh_delta_op_file_stream_init(&fs, t, s, files, n, fn, rf, eb);
    lh_delta_write_opts_t o = *wo;
    o.merge_schema = false;
    if (e == LH_OK)
        e = lh_delta_write_files(x, lh_delta_snapshot_metadata(s)->schema,
                                 lh_delta_op_file_stream_next, &fs, &o, eb);
    *rows_out += fs.rows_out;
    lh_delta_op_file_stream_close(&fs);
    return e;
}

/* Candidate files and the read set. *exact: every candidate matches entirely. */
static lh_err candidates(lh_delta_txn_t *x, const lh_delta_snapshot_t *s,
                         const lh_delta_pred_t *preds, int n, int *cols,
                         const lh_delta_add_t ***files, size_t *count, lh_errbuf *eb)
{
    const lh_delta_metadata_t *md = lh_delta_snapshot_metadata(s);
    LH_TRY(lh_delta_snapshot_check_readable(s, eb));
    LH_TRY(lh_delta_op_preds_check(md->schema, preds, n, cols, eb));
    LH_TRY(lh_delta_txn_read_predicate(x, preds, n, eb));
    return lh_delta_scan_files(s, preds, n, files, count, eb);
}

/* Remove f (read by this txn). */
static lh_err remove_file(lh_delta_txn_t *x, const lh_delta_add_t *f, lh_errbuf *eb)
{
    LH_TRY(lh_delta_txn_read_file(x, f->path, eb));
    return lh_delta_txn_remove_live(x, f, true, eb);
}

static lh_err delete_rows(lh_delta_txn_t *x, const lh_delta_snapshot_t *s,
                          const lh_delta_pred_t *preds, int n, const lh_delta_add_t **files,
                          size_t count, row_filter_t *rf, const lh_delta_write_opts_t *wo,
                          lh_delta_op_result_t *res, lh_errbuf *eb)
{
    lh_delta_table_t *t = lh_delta_txn_table(x);
    bool exact = lh_delta_op_preds_on_partitions(lh_delta_snapshot_metadata(s), preds, n);
    size_t nrw = 0; /* files to rewrite, compacted to the front of files[] */
    for (size_t i = 0; i < count; i++) {
        const lh_delta_add_t *f = files[i];
        int64_t matched = lh_delta_op_stats_num_records(f), total = matched;
        if (!exact || matched < 0)
            LH_TRY(lh_delta_op_count_matches(t, s, f, preds, exact ? 0 : n, &matched, &total, eb));
        if (matched == 0 && !(exact && total == 0))
            continue;
        LH_TRY(remove_file(x, f, eb));
        res->files_removed++;
        res->rows_deleted += matched;
        if (matched < total) {
            res->rows_copied += total - matched;
            files[nrw++] = f;
        }
    }
    int64_t written = 0;
    LH_TRY(rewrite(x, s, files, nrw, keep_unmatched, rf, wo, &written, eb));
    res->rows_written += written;
    return LH_OK;
}

lh_err lh_delta_op_delete_rows(lh_delta_txn_t *x, const lh_delta_snapshot_t *s,
                               const lh_delta_pred_t *preds, int n, const lh_delta_write_opts_t *wo,
                               lh_delta_op_result_t *res, lh_errbuf *eb)
{
    row_filter_t *rf = calloc(1, sizeof *rf);
    int *cols = calloc((size_t)n + 1, sizeof *cols);
    const lh_delta_add_t **files = NULL;
    size_t count = 0;
    lh_err e = rf && cols ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "no memory");
    if (e == LH_OK)
        e = candidates(x, s, preds, n, cols, &files, &count, eb);
    if (e == LH_OK) {
        *rf = (row_filter_t){.cols = cols, .preds = preds, .pred_count = n};
        e = delete_rows(x, s, preds, n, files, count, rf, wo, res, eb);
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

static lh_err dml_commit(lh_delta_txn_t *x, bool is_delete, const lh_delta_pred_t *preds, int n,
                         int64_t t0, lh_delta_op_result_t *res, lh_errbuf *eb)
{
    char *pj = lh_delta_op_preds_json(preds, n);
    LH_FAIL_IF(pj == NULL, LH_E_NOMEM, eb, "out of memory");
    json_t *params = json_pack("{s:s}", "predicate", pj);
    free(pj);
    lh_delta_op_metric_t m[8];
    dml_metrics(x, res, is_delete, t0, m);
    return lh_delta_op_commit(x, is_delete ? "DELETE" : "UPDATE", params, m, 8, res, eb);
}

lh_err lh_delta_delete(lh_delta_table_t *t, const lh_delta_pred_t *preds, int pred_count,
                       lh_delta_op_result_t *res, lh_errbuf *eb)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    int64_t t0 = lh_now_ms();
    lh_delta_snapshot_t *s;
    LH_TRY(lh_delta_snapshot_latest(t, &s, eb));
    lh_delta_txn_t *x = NULL;
    lh_err e = lh_delta_txn_begin(t, s, &x, eb);
    lh_delta_write_opts_t wo;
    lh_delta_write_opts_default(&wo);
    if (e == LH_OK)
        e = lh_delta_op_delete_rows(x, s, preds, pred_count, &wo, res, eb);
    if (e == LH_OK && res->files_removed > 0)
        e = dml_commit(x, true, preds, pred_count, t0, res, eb);
    lh_delta_txn_destroy(x);
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

static lh_err update_rows(lh_delta_txn_t *x, const lh_delta_snapshot_t *s,
                          const lh_delta_pred_t *preds, int n, row_filter_t *rf,
                          lh_delta_op_result_t *res, lh_errbuf *eb)
{
    const lh_delta_add_t **files = NULL;
    size_t count = 0, nrw = 0;
    lh_err e = candidates(x, s, preds, n, (int *)rf->cols, &files, &count, eb);
    for (size_t i = 0; e == LH_OK && i < count; i++) {
        int64_t matched, total;
        e = lh_delta_op_count_matches(lh_delta_txn_table(x), s, files[i], preds, n, &matched,
                                      &total, eb);
        if (e != LH_OK || matched == 0)
            continue;
        e = remove_file(x, files[i], eb);
        res->files_removed++;
        res->rows_updated += matched;
        res->rows_copied += total - matched;
        files[nrw++] = files[i];
    }
    lh_delta_write_opts_t wo;
    lh_delta_write_opts_default(&wo);
    if (e == LH_OK)
        e = rewrite(x, s, files, nrw, assign_matched, rf, &wo, &res->rows_written, eb);
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
    if (e == LH_OK && (!rf || !cols || !per_col))
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = check_assigns(schema, assigns, assign_count, per_col, eb);
    lh_delta_txn_t *x = NULL;
    if (e == LH_OK)
        e = lh_delta_txn_begin(t, s, &x, eb);
    if (e == LH_OK) {
        *rf = (row_filter_t){
            .cols = cols, .preds = preds, .pred_count = pred_count, .assign = per_col};
        e = update_rows(x, s, preds, pred_count, rf, res, eb);
    }
    if (e == LH_OK && res->files_removed > 0)
        e = dml_commit(x, false, preds, pred_count, t0, res, eb);
    lh_delta_txn_destroy(x);
    free(per_col);
    free(cols);
    free(rf);
    lh_delta_snapshot_release(s);
    return e;
}
