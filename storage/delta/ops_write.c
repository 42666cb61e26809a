/*
 * ops_write.c - APPEND and OVERWRITE (DataFrameWriter modes "Append" / "Overwrite").
 *
 *   append:     [create table] -> write files -> commit WRITE (a blind append when the
 *               table existed: nothing read, only adds).
 *   overwrite:  [create table] -> read whole table, remove every live file -> write files
 *               -> commit WRITE.
 *   overwrite + replaceWhere: read the predicates, stage a DELETE of the matching rows
 *               (lh_delta_op_delete_rows: whole files where the predicates decide by partition,
 *               rewrite.h's file rewrites otherwise) -> write the new rows, each checked to
 *               satisfy the predicates (a row that does not, or is null there, fails the
 *               whole write as Delta's DELTA_REPLACE_WHERE_MISMATCH) -> commit WRITE.
 * All run in one write transaction (rewrite.h); a failure aborts it, deleting the files it
 * wrote.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "storage/delta/ops_internal.h"

typedef struct in_stream {
    lh_delta_batch_next_fn next;
    void *ctx;
    int64_t rows;
    const lh_delta_pred_t *rw; /* replaceWhere, evaluated on the input schema */
    int rw_count;
    int *rw_cols;
    uint8_t *match;
} in_stream_t;

static lh_err in_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    in_stream_t *in = ctx;
    LH_TRY(in->next(in->ctx, out, eb));
    const lh_batch_t *b = *out;
    if (b == NULL)
        return LH_OK;
    in->rows += (int64_t)b->row_count;
    if (in->rw_count == 0)
        return LH_OK;
    if (in->match == NULL || b->row_count > LH_BATCH_ROWS) {
        free(in->match);
        in->match = malloc(b->row_count > LH_BATCH_ROWS ? b->row_count : LH_BATCH_ROWS);
        LH_FAIL_IF(in->match == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    lh_delta_op_eval(b, in->rw_cols, in->rw, in->rw_count, in->match);
    for (size_t r = 0; r < b->row_count; r++)
        if (!in->match[r])
            return lh_err_set_code(eb, LH_E_INVALID, "DELTA_REPLACE_WHERE_MISMATCH", __FILE__,
                                   __LINE__,
                                   "Written data does not conform to partial table overwrite "
                                   "condition or constraint (replaceWhere): input row %zu",
                                   (size_t)(in->rows - (int64_t)b->row_count + (int64_t)r));
    return LH_OK;
}

static bool same_partitioning(const lh_delta_metadata_t *md, const lh_delta_op_opts_t *o)
{
    if (o->partition_column_count == 0)
        return true;
    if (o->partition_column_count != md->partition_column_count)
        return false;
    for (int i = 0; i < md->partition_column_count; i++)
        if (strcasecmp(md->partition_columns[i], o->partition_columns[i]) != 0)
            return false;
    return true;
}

/* Begin a write transaction on the latest snapshot, or one creating the table from schema. */
static lh_err begin(lh_delta_table_t *t, const lh_schema_t *schema, const lh_delta_op_opts_t *o,
                    lh_delta_snapshot_t **s, lh_delta_wtxn_t **w, lh_errbuf *eb)
{
    LH_TRY(lh_delta_op_snapshot_or_none(t, s, eb));
    LH_TRY(lh_delta_wtxn_begin(t, *s, &o->write, w, eb));
    if (*s != NULL) {
        LH_FAIL_IF(!same_partitioning(lh_delta_snapshot_metadata(*s), o), LH_E_INVALID, eb,
                   "partition columns do not match the partition columns of the table");
        return LH_OK;
    }
    lh_delta_metadata_t md;
    memset(&md, 0, sizeof md);
    lh_err e =
        lh_delta_metadata_init(&md, schema, o->partition_columns, o->partition_column_count, eb);
    if (e == LH_OK)
        e = lh_delta_txn_set_metadata(lh_delta_wtxn_txn(*w), &md, eb);
    lh_delta_metadata_clear(&md);
    return e;
}

static json_t *write_params(const lh_delta_op_opts_t *o, bool overwrite)
{
    json_t *pb = json_array();
    for (int i = 0; i < o->partition_column_count; i++)
        json_array_append_new(pb, json_string(o->partition_columns[i]));
    char *pbs = json_dumps(pb, JSON_COMPACT);
    json_decref(pb);
    json_t *p = json_object();
    json_object_set_new(p, "mode", json_string(overwrite ? "Overwrite" : "Append"));
    json_object_set_new(p, "partitionBy", pbs ? json_string(pbs) : json_string("[]"));
    free(pbs);
    if (o->replace_where_count > 0) {
        char *pj = lh_delta_op_preds_json(o->replace_where, o->replace_where_count);
        json_object_set_new(p, "predicate", json_string(pj ? pj : "[]"));
        free(pj);
    }
    return p;
}

static lh_err commit_write(lh_delta_wtxn_t *w, const lh_delta_op_opts_t *o, bool overwrite,
                           lh_delta_op_result_t *res, lh_errbuf *eb)
{
    LH_TRY(lh_delta_wtxn_flush(w, eb));
    lh_delta_op_staged_tally(lh_delta_wtxn_txn(w), res);
    lh_delta_op_metric_t m[] = {
        {"numFiles", res->files_added},          {"numOutputRows", res->rows_written},
        {"numOutputBytes", res->bytes_added},    {"numRemovedFiles", res->files_removed},
        {"numRemovedBytes", res->bytes_removed}, {"numDeletedRows", res->rows_deleted},
        {"numCopiedRows", res->rows_copied},
    };
    return lh_delta_op_commit_w(w, "WRITE", write_params(o, overwrite), m, overwrite ? 7 : 3,
                                LH_DELTA_COMMIT_ALLOW_EMPTY, res, eb);
}

/* Stage the removals of an overwrite. */
static lh_err stage_overwrite(lh_delta_wtxn_t *w, const lh_delta_snapshot_t *s,
                              const lh_schema_t *schema, const lh_delta_op_opts_t *o,
                              in_stream_t *in, lh_delta_op_result_t *res, lh_errbuf *eb)
{
    if (o->replace_where_count > 0) {
        in->rw = o->replace_where;
        in->rw_count = o->replace_where_count;
        in->rw_cols = calloc((size_t)o->replace_where_count, sizeof(int));
        LH_FAIL_IF(in->rw_cols == NULL, LH_E_NOMEM, eb, "out of memory");
        LH_TRY(lh_delta_op_preds_check(schema, o->replace_where, o->replace_where_count,
                                       in->rw_cols, eb));
        if (s == NULL)
            return LH_OK;
        return lh_delta_op_delete_rows(w, o->replace_where, o->replace_where_count, res, eb);
    }
    if (s == NULL)
        return LH_OK;
    lh_delta_txn_t *x = lh_delta_wtxn_txn(w);
    lh_delta_txn_read_whole_table(x);
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
        LH_TRY(lh_delta_txn_remove_live(x, lh_delta_snapshot_file(s, i), true, eb));
    return LH_OK;
}

static lh_err write_op(lh_delta_table_t *t, const lh_schema_t *schema, lh_delta_batch_next_fn next,
                       void *ctx, const lh_delta_op_opts_t *opts, bool overwrite,
                       lh_delta_op_result_t *res, lh_errbuf *eb)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    lh_delta_op_opts_t def;
    if (opts == NULL) {
        lh_delta_op_opts_default(&def);
        opts = &def;
    }
    LH_FAIL_IF(!overwrite && opts->replace_where_count > 0, LH_E_INVALID, eb,
               "replaceWhere is only valid with overwrite");
    lh_delta_snapshot_t *s = NULL;
    lh_delta_wtxn_t *w = NULL;
    in_stream_t in = {.next = next, .ctx = ctx};
    lh_err e = begin(t, schema, opts, &s, &w, eb);
    if (e == LH_OK && overwrite)
        e = stage_overwrite(w, s, schema, opts, &in, res, eb);
    int64_t rewritten = res->rows_written;
    if (e == LH_OK)
        e = lh_delta_wtxn_write(w, schema, in_next, &in, &opts->write, eb);
    res->rows_written = rewritten + in.rows;
    if (e == LH_OK)
        e = commit_write(w, opts, overwrite, res, eb);
    free(in.rw_cols);
    free(in.match);
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    return e;
}

lh_err lh_delta_append(lh_delta_table_t *t, const lh_schema_t *schema, lh_delta_batch_next_fn next,
                       void *ctx, const lh_delta_op_opts_t *opts, lh_delta_op_result_t *res,
                       lh_errbuf *eb)
{
    return write_op(t, schema, next, ctx, opts, false, res, eb);
}

lh_err lh_delta_overwrite(lh_delta_table_t *t, const lh_schema_t *schema,
                          lh_delta_batch_next_fn next, void *ctx, const lh_delta_op_opts_t *opts,
                          lh_delta_op_result_t *res, lh_errbuf *eb)
{
    return write_op(t, schema, next, ctx, opts, true, res, eb);
}
