/*
 * import_nested.c - `import` of sources with nested columns (LIST, MAP, STRUCT).
 *
 * The flat path (lh_delta_append/overwrite) carries only primitive columns, so sources
 * with nested ones go through one Delta transaction built here instead. Sources: a
 * Parquet file (its leaves copied as they are, nothing re-shredded) or JSON lines
 * (import_json.c, shredded into leaves); each gives a schemaString, a Parquet schema tree
 * and a callback that puts its row groups into a file set (import_files.c).
 *   1. the source's schema is mapped first (an unsupported shape is refused before any
 *      write);
 *   2. begin on the latest snapshot (an existing table must have the same schemaString,
 *      and its partitioning is used) or create the table with a metaData whose
 *      schemaString holds the nested types and the --partition-by columns;
 *   3. overwrite: remove every live file (reading the whole table);
 *   4. write the data files (one per partition directory) and stage their adds (stats:
 *      numRecords);
 *   5. commit WRITE with Spark's operationParameters and metrics.
 * A failure before the commit leaves at most unreferenced data files (VACUUM garbage).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "tools/lakehouse-tool/tool.h"

typedef struct nested_import {
    lh_delta_table_t *t;
    const tool_nested_src_t *src;
    const char *const *parts; /* requested, or the table's */
    int nparts;
    lh_delta_snapshot_t *s;
    lh_delta_txn_t *x;
    tool_fileset_t *fs;
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
    bool same_parts = ni->nparts == 0 || ni->nparts == md->partition_column_count;
    for (int i = 0; same_parts && i < ni->nparts; i++)
        same_parts = strcasecmp(ni->parts[i], md->partition_columns[i]) == 0;
    LH_FAIL_IF(!same_parts, LH_E_INVALID, eb,
               "partition columns do not match the partition columns of the table");
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
    char **parts = calloc((size_t)ni->nparts + 1, sizeof *parts);
    LH_FAIL_IF(parts == NULL, LH_E_NOMEM, eb, "out of memory");
    for (int i = 0; i < ni->nparts; i++) /* as the source spells them */
        parts[i] = (char *)tool_fileset_part_name(ni->fs, i);
    lh_delta_metadata_t md = {
        .id = id,
        .format_provider = "parquet",
        .schema_string = (char *)ni->src->schema_string,
        .partition_columns = parts,
        .partition_column_count = ni->nparts,
        .has_created_time = true,
        .created_time_ms = lh_now_ms(),
    };
    lh_err e = lh_delta_txn_set_metadata(ni->x, &md, eb);
    free(parts);
    return e;
}

static lh_err begin(nested_import_t *ni, lh_errbuf *eb)
{
    LH_TRY(latest_or_none(ni->t, &ni->s, eb));
    if (ni->s != NULL) {
        LH_TRY(check_same_table(ni, eb));
        const lh_delta_metadata_t *md = lh_delta_snapshot_metadata(ni->s);
        ni->parts = (const char *const *)md->partition_columns;
        ni->nparts = md->partition_column_count;
    }
    LH_TRY(tool_fileset_create(ni->t, ni->src->tree, ni->parts, ni->nparts, &ni->fs, eb));
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
    json_t *pb = json_array();
    for (int i = 0; i < ni->nparts; i++)
        json_array_append_new(pb, json_string(ni->parts[i]));
    char *pbs = json_dumps(pb, JSON_COMPACT);
    json_decref(pb);
    json_t *p = json_pack("{s:s,s:s}", "mode", ni->overwrite ? "Overwrite" : "Append",
                          "partitionBy", pbs ? pbs : "[]");
    free(pbs);
    char *params = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(p);
    lh_err e = params ? lh_delta_txn_set_operation(ni->x, "WRITE", params, eb) : LH_E_NOMEM;
    free(params);
    if (e == LH_OK)
        e = lh_delta_txn_set_metrics(ni->x, metrics, eb);
    free(metrics);
    LH_TRY(e);
    return lh_delta_txn_commit(ni->x, &ni->res->version, eb);
}

lh_err tool_nested_commit(lh_delta_table_t *t, const tool_nested_src_t *src, bool overwrite,
                          const char *const *parts, int nparts, lh_delta_op_result_t *res,
                          lh_errbuf *eb)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    nested_import_t ni = {
        .t = t, .src = src, .parts = parts, .nparts = nparts, .overwrite = overwrite, .res = res};
    lh_err e = begin(&ni, eb);
    if (e == LH_OK)
        e = src->write(src->ctx, ni.fs, eb);
    if (e == LH_OK)
        e = tool_fileset_finish(ni.fs, ni.x, res, eb);
    if (e == LH_OK)
        e = commit(&ni, eb);
    tool_fileset_destroy(ni.fs);
    lh_delta_txn_destroy(ni.x);
    lh_delta_snapshot_release(ni.s);
    return e;
}

/* ---- a Parquet source ------------------------------------------------------------------- */

/* Put every row group of the file, leaves as they are. */
static lh_err copy_row_groups(void *ctx, tool_fileset_t *fs, lh_errbuf *eb)
{
    tool_nested_t *n = ctx;
    for (int rg = 0; rg < lh_pq_row_group_count(n->f); rg++) {
        LH_TRY(tool_nested_load(n, rg, eb));
        LH_TRY(tool_fileset_put(fs, n->rows, n->leaves, eb));
    }
    return LH_OK;
}

lh_err tool_import_nested(lh_delta_table_t *t, lh_pq_file_t *f, bool overwrite,
                          const char *const *parts, int nparts, lh_delta_op_result_t *res,
                          lh_errbuf *eb)
{
    tool_nested_t n;
    lh_err e = tool_nested_open(&n, f, eb);
    if (e == LH_OK) {
        tool_nested_src_t src = {
            .schema_string = n.schema_string,
            .tree = n.tree,
            .write = copy_row_groups,
            .ctx = &n,
        };
        e = tool_nested_commit(t, &src, overwrite, parts, nparts, res, eb);
    }
    tool_nested_close(&n);
    return e;
}
