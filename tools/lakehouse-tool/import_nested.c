/*
 * import_nested.c - `import` of sources with nested columns (LIST, MAP, STRUCT).
 *
 * The flat path (lh_delta_append/overwrite) carries only primitive columns, so a file with
 * nested ones goes through one Delta transaction built here instead:
 * Sources: a Parquet file (its leaves copied as they are) or JSON lines (import_json.c,
 * shredded into leaves); either gives a schemaString, a schema tree and a writer callback.
 *   1. map the source's schema (an unsupported shape is refused before any write);
 *   2. begin on the latest snapshot (an existing table must have the same schemaString,
 *      ignoring field metadata order, and no partition columns) or create the table with
 *      a metaData whose schemaString holds the nested types;
 *   3. overwrite: remove every live file (reading the whole table);
 *   4. write one data file over the schema tree from the source's leaves (Dremel levels +
 *      values; a Parquet source's are copied, nothing is re-shredded);
 *   5. stage its add (stats: numRecords) and commit WRITE with Spark's metrics.
 * A failure before the commit leaves at most an unreferenced data file (VACUUM garbage).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "tools/lakehouse-tool/tool.h"

typedef struct nested_import {
    lh_delta_table_t *t;
    const tool_nested_src_t *src;
    lh_delta_snapshot_t *s;
    lh_delta_txn_t *x;
    bool overwrite;
    lh_delta_op_result_t *res;
} nested_import_t;

/* The latest snapshot, or NULL when the table has no commits yet. */
static lh_err latest_or_none(lh_delta_table_t *t, lh_delta_snapshot_t **out, lh_errbuf *eb)
{
    int64_t v;
    *out = NULL;
    if (lh_delta_latest_version(t, &v, NULL) == LH_E_NOT_FOUND)
        return LH_OK;
    return lh_delta_snapshot_latest(t, out, eb);
}

static lh_err check_same_table(const nested_import_t *ni, lh_errbuf *eb)
{
    const lh_delta_metadata_t *md = lh_delta_snapshot_metadata(ni->s);
    LH_FAIL_IF(md->partition_column_count > 0, LH_E_UNSUPPORTED, eb,
               "the table is partitioned; importing nested columns into a partitioned table is "
               "not supported");
    json_t *a = json_loads(md->schema_string, 0, NULL);
    json_t *b = json_loads(ni->src->schema_string, 0, NULL);
    bool same = a && b && json_equal(a, b);
    json_decref(a);
    json_decref(b);
    LH_FAIL_IF(!same, LH_E_INVALID, eb,
               "the file's columns differ from the table's schema; a file with nested columns "
               "must match the table's schema exactly (compare `lakehouse-tool schema` of both)");
    return LH_OK;
}

static lh_err create_metadata(nested_import_t *ni, lh_errbuf *eb)
{
    char id[37];
    lh_uuid4(id);
    char *none[1] = {NULL};
    lh_delta_metadata_t md = {
        .id = id,
        .format_provider = "parquet",
        .schema_string = (char *)ni->src->schema_string,
        .partition_columns = none,
        .has_created_time = true,
        .created_time_ms = lh_now_ms(),
    };
    return lh_delta_txn_set_metadata(ni->x, &md, eb);
}

static lh_err begin(nested_import_t *ni, lh_errbuf *eb)
{
    LH_TRY(latest_or_none(ni->t, &ni->s, eb));
    if (ni->s != NULL)
        LH_TRY(check_same_table(ni, eb));
    LH_TRY(lh_delta_txn_begin(ni->t, ni->s, &ni->x, eb));
    if (ni->s == NULL)
        return create_metadata(ni, eb);
    if (!ni->overwrite)
        return LH_OK;
    lh_delta_txn_read_whole_table(ni->x);
    for (size_t i = 0; i < lh_delta_snapshot_file_count(ni->s); i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(ni->s, i);
        LH_TRY(lh_delta_txn_remove_live(ni->x, f, true, eb));
        ni->res->files_removed++;
        ni->res->bytes_removed += f->size_bytes;
    }
    return LH_OK;
}

static lh_err stage_add(nested_import_t *ni, char *path, const lh_pq_file_summary_t *sum,
                        lh_errbuf *eb)
{
    char stats[64];
    snprintf(stats, sizeof stats, "{\"numRecords\":%lld}", (long long)sum->num_rows);
    lh_delta_add_t add = {
        .path = path,
        .size_bytes = (int64_t)sum->file_bytes,
        .modification_time_ms = lh_now_ms(),
        .data_change = true,
        .stats = stats,
    };
    LH_TRY(lh_delta_txn_add_file(ni->x, &add, eb));
    ni->res->files_added++;
    ni->res->bytes_added += (int64_t)sum->file_bytes;
    return LH_OK;
}

static lh_err write_file(nested_import_t *ni, lh_errbuf *eb)
{
    char uuid[37], path[128];
    lh_uuid4(uuid);
    snprintf(path, sizeof path, "part-00000-%s-c000.zstd.parquet", uuid);
    char *key = lh_delta_table_key(ni->t, path);
    LH_FAIL_IF(key == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_obj_writer_t *ow;
    lh_err e = lh_objstore_open_write(lh_delta_table_store(ni->t), key, &ow, eb);
    free(key);
    LH_TRY(e);
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    lh_pq_writer_t *w = NULL;
    lh_pq_file_summary_t sum = {0};
    e = lh_pq_writer_create_nested(ni->src->tree, &o, lh_obj_writer_sink(ow), &w, eb);
    if (e == LH_OK)
        e = ni->src->write(ni->src->ctx, w, eb);
    if (e == LH_OK)
        e = lh_pq_writer_finish(w, &sum, eb);
    lh_pq_writer_destroy(w);
    if (e != LH_OK) {
        lh_obj_writer_abort(ow);
        return e;
    }
    LH_TRY(lh_obj_writer_commit(ow, eb));
    ni->res->rows_written = sum.num_rows;
    return stage_add(ni, path, &sum, eb);
}

static void put_metric(json_t *m, const char *name, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    json_object_set_new(m, name, json_string(buf));
}

static lh_err commit(nested_import_t *ni, lh_errbuf *eb)
{
    const lh_delta_op_result_t *r = ni->res;
    json_t *m = json_object();
    put_metric(m, "numFiles", r->files_added);
    put_metric(m, "numOutputRows", r->rows_written);
    put_metric(m, "numOutputBytes", r->bytes_added);
    if (ni->overwrite) {
        put_metric(m, "numRemovedFiles", r->files_removed);
        put_metric(m, "numRemovedBytes", r->bytes_removed);
    }
    char *metrics = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(m);
    LH_FAIL_IF(metrics == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e =
        lh_delta_txn_set_operation(ni->x, "WRITE",
                                   ni->overwrite ? "{\"mode\":\"Overwrite\",\"partitionBy\":\"[]\"}"
                                                 : "{\"mode\":\"Append\",\"partitionBy\":\"[]\"}",
                                   eb);
    if (e == LH_OK)
        e = lh_delta_txn_set_metrics(ni->x, metrics, eb);
    free(metrics);
    LH_TRY(e);
    return lh_delta_txn_commit(ni->x, &ni->res->version, eb);
}

lh_err tool_nested_commit(lh_delta_table_t *t, const tool_nested_src_t *src, bool overwrite,
                          int partition_column_count, lh_delta_op_result_t *res, lh_errbuf *eb)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    LH_FAIL_IF(partition_column_count > 0, LH_E_UNSUPPORTED, eb,
               "--partition-by is not supported when the source has nested columns (first: "
               "'%s')",
               src->first_nested);
    nested_import_t ni = {.t = t, .src = src, .overwrite = overwrite, .res = res};
    lh_err e = begin(&ni, eb);
    if (e == LH_OK && src->rows > 0)
        e = write_file(&ni, eb);
    if (e == LH_OK)
        e = commit(&ni, eb);
    lh_delta_txn_destroy(ni.x);
    lh_delta_snapshot_release(ni.s);
    return e;
}

/* ---- a Parquet source ----------------------------------------------------------------------- */

/* Copy every row group of the file into w, leaves as they are. */
static lh_err copy_row_groups(void *ctx, lh_pq_writer_t *w, lh_errbuf *eb)
{
    tool_nested_t *n = ctx;
    for (int rg = 0; rg < lh_pq_row_group_count(n->f); rg++) {
        LH_TRY(tool_nested_load(n, rg, eb));
        LH_TRY(lh_pq_writer_write_leaves(w, n->rows, n->leaves, n->leaf_count, eb));
    }
    return LH_OK;
}

lh_err tool_import_nested(lh_delta_table_t *t, lh_pq_file_t *f, bool overwrite,
                          int partition_column_count, lh_delta_op_result_t *res, lh_errbuf *eb)
{
    tool_nested_t n;
    lh_err e = tool_nested_open(&n, f, eb);
    if (e == LH_OK) {
        tool_nested_src_t src = {
            .schema_string = n.schema_string,
            .tree = n.tree,
            .write = copy_row_groups,
            .ctx = &n,
            .rows = lh_pq_num_rows(f),
            .first_nested = lh_pq_nested_column_name(f, 0),
        };
        e = tool_nested_commit(t, &src, overwrite, partition_column_count, res, eb);
    }
    tool_nested_close(&n);
    return e;
}
