/*
 * bind_delta_cmd.c - Delta's SQL commands: DESCRIBE DETAIL, DESCRIBE HISTORY, RESTORE,
 * OPTIMIZE and VACUUM, answered with Databricks' columns as VALUES plans.
 *
 * Nested result columns (DETAIL's partitionColumns, properties ...; HISTORY's
 * operationParameters and operationMetrics; OPTIMIZE's metrics struct) are STRING
 * columns holding their JSON text, as long as the engine has no nested types.
 *
 *   RESTORE  one transaction from the latest snapshot to the files of the old one: files
 *            only the old version has are added again, files only the latest has are
 *            removed, and the old metaData comes back (a plain txn: abort never deletes
 *            the restored files, which older versions still reference)
 *   OPTIMIZE storage's bin-packing / ZORDER (lh_delta_optimize); WHERE may name partition
 *            columns with =, <, <=, >, >= against literals, ANDed
 *   VACUUM   storage's vacuum; a retention under the table's (default 168 hours) fails as
 *            Delta does unless spark.databricks.delta.retentionDurationCheck.enabled is
 *            false in the session
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "storage/delta/ops.h"

static lh_value_t iv(lh_type_id t, int64_t x)
{
    lh_value_t v = {.type = {t}};
    v.v.i64 = x;
    return v;
}

static lh_value_t nullv(lh_type_id t)
{
    lh_value_t v = {.type = {t}, .is_null = true};
    return v;
}

static lh_bound_t *rows_bound(binder *b, lh_plan_t *p, const char *type)
{
    lh_bound_t *r = lh_arena_calloc(b->a, 1, sizeof *r);
    r->kind = LH_BOUND_QUERY;
    r->plan = p;
    r->statement_type = type;
    return r;
}

typedef struct dtable {
    lh_plan_t *scan;
    lh_table_info_t *info; /* NULL for path tables */
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
} dtable;

static lh_err open_table(binder *b, const lh_ast_name_t *name, dtable *d)
{
    memset(d, 0, sizeof *d);
    scope sc;
    LH_TRY(bf_table(b, name, NULL, &d->scan, &sc));
    if (d->scan->kind != LH_PLAN_SCAN)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "this Delta command on a view", NULL);
    return bd_open_snapshot(d->scan->u.scan.root, &d->os, &d->t, &d->snap, b->eb);
}

static void close_table(dtable *d)
{
    bd_close_snapshot(d->os, d->t, d->snap);
    memset(d, 0, sizeof *d);
}

static const char *json_text(binder *b, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    const char *out = lh_arena_strdup(b->a, s ? s : "null");
    free(s);
    return out;
}

/* ---- DESCRIBE DETAIL ------------------------------------------------------------------------ */

static lh_err describe_detail(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    dtable d;
    lh_err e = open_table(b, &st->name, &d);
    if (e != LH_OK) {
        close_table(&d);
        return e;
    }
    const lh_delta_metadata_t *md = lh_delta_snapshot_metadata(d.snap);
    const lh_delta_protocol_t *pr = lh_delta_snapshot_protocol(d.snap);
    int64_t files = (int64_t)lh_delta_snapshot_file_count(d.snap), bytes = 0;
    for (int64_t i = 0; i < files; i++)
        bytes += lh_delta_snapshot_file(d.snap, (size_t)i)->size_bytes;
    json_t *parts = json_array(), *props = json_object(), *features = json_array();
    for (int i = 0; i < md->partition_column_count; i++)
        json_array_append_new(parts, json_string(md->partition_columns[i]));
    for (int i = 0; i < md->configuration.count; i++)
        json_object_set_new(
            props, md->configuration.items[i].key,
            json_string(md->configuration.items[i].value ? md->configuration.items[i].value : ""));
    if (pr->min_writer_version >= 2 && pr->min_writer_version < 7)
        json_array_append_new(features, json_string("appendOnly")),
            json_array_append_new(features, json_string("invariants"));
    if (pr->min_writer_version >= 3 && pr->min_writer_version < 7)
        json_array_append_new(features, json_string("checkConstraints"));
    for (int i = 0; i < pr->writer_feature_count; i++)
        json_array_append_new(features, json_string(pr->writer_features[i]));
    static const char *const cols[] = {"format",
                                       "id",
                                       "name",
                                       "description",
                                       "location",
                                       "createdAt",
                                       "lastModified",
                                       "partitionColumns",
                                       "clusteringColumns",
                                       "numFiles",
                                       "sizeInBytes",
                                       "properties",
                                       "minReaderVersion",
                                       "minWriterVersion",
                                       "tableFeatures",
                                       "statistics"};
    enum { N = 16 };
    lh_type_t types[N];
    lh_value_t row[N];
    const char *name = d.scan->u.scan.table_name;
    int64_t created = md->has_created_time ? md->created_time_ms * 1000 : 0;
    row[0] = lh_value_text("delta");
    row[1] = lh_value_text(lh_arena_strdup(b->a, md->id));
    row[2] = lh_value_text(name);
    row[3] = lh_value_text(md->description ? lh_arena_strdup(b->a, md->description) : NULL);
    row[4] = lh_value_text(lh_arena_sprintf(b->a, "file:%s", d.scan->u.scan.root));
    row[5] = md->has_created_time ? iv(LH_TYPE_TIMESTAMP, created) : nullv(LH_TYPE_TIMESTAMP);
    row[6] = iv(LH_TYPE_TIMESTAMP, lh_delta_snapshot_timestamp_ms(d.snap) * 1000);
    row[7] = lh_value_text(json_text(b, parts));
    const lh_delta_domain_t *cl = lh_delta_snapshot_domain(d.snap, "delta.clustering");
    row[8] = lh_value_text(bcm_clustering_json(b, cl ? cl->configuration : NULL));
    row[9] = iv(LH_TYPE_LONG, files);
    row[10] = iv(LH_TYPE_LONG, bytes);
    row[11] = lh_value_text(json_text(b, props));
    row[12] = iv(LH_TYPE_INT, pr->min_reader_version);
    row[13] = iv(LH_TYPE_INT, pr->min_writer_version);
    row[14] = lh_value_text(json_text(b, features));
    row[15] = lh_value_text("{}");
    for (int i = 0; i < N; i++)
        types[i] = row[i].type;
    close_table(&d);
    lh_value_t *rows[1] = {row};
    lh_plan_t *p;
    LH_TRY(bs_values_plan(b, N, cols, types, 1, rows, &p));
    *out = rows_bound(b, p, "DESCRIBE");
    return LH_OK;
}

/* ---- DESCRIBE HISTORY ------------------------------------------------------------------------ */

static const char *ci_str(binder *b, json_t *ci, const char *key)
{
    json_t *v = json_object_get(ci, key);
    if (json_is_string(v))
        return lh_arena_strdup(b->a, json_string_value(v));
    if (v == NULL || json_is_null(v))
        return NULL;
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *o = lh_arena_strdup(b->a, s ? s : "");
    free(s);
    return o;
}

static lh_err describe_history(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    int64_t limit = 0;
    if (st->where != NULL)
        LH_TRY(bx_fold_int(b, st->where, "LIMIT", &limit));
    dtable d;
    lh_err e = open_table(b, &st->name, &d);
    lh_delta_history_entry_t *h = NULL;
    size_t n = 0;
    if (e == LH_OK)
        e = lh_delta_history(d.t, (size_t)limit, &h, &n, b->eb);
    close_table(&d);
    LH_TRY(e);
    static const char *const cols[] = {"version",
                                       "timestamp",
                                       "userId",
                                       "userName",
                                       "operation",
                                       "operationParameters",
                                       "job",
                                       "notebook",
                                       "clusterId",
                                       "readVersion",
                                       "isolationLevel",
                                       "isBlindAppend",
                                       "operationMetrics",
                                       "userMetadata",
                                       "engineInfo"};
    enum { N = 15 };
    static const lh_type_id ids[N] = {
        LH_TYPE_LONG,   LH_TYPE_TIMESTAMP, LH_TYPE_STRING, LH_TYPE_STRING, LH_TYPE_STRING,
        LH_TYPE_STRING, LH_TYPE_STRING,    LH_TYPE_STRING, LH_TYPE_STRING, LH_TYPE_LONG,
        LH_TYPE_STRING, LH_TYPE_BOOLEAN,   LH_TYPE_STRING, LH_TYPE_STRING, LH_TYPE_STRING};
    lh_type_t types[N];
    for (int i = 0; i < N; i++)
        types[i] = (lh_type_t){ids[i], 0, 0};
    lh_value_t **rows = lh_arena_calloc(b->a, n + 1, sizeof *rows);
    for (size_t r = 0; r < n; r++) {
        lh_value_t *row = rows[r] = lh_arena_calloc(b->a, N, sizeof *row);
        json_t *ci = h[r].info.json ? json_loads(h[r].info.json, 0, NULL) : NULL;
        row[0] = iv(LH_TYPE_LONG, h[r].version);
        row[1] = iv(LH_TYPE_TIMESTAMP, h[r].timestamp_ms * 1000);
        row[2] = lh_value_text(ci_str(b, ci, "userId"));
        row[3] = lh_value_text(ci_str(b, ci, "userName"));
        row[4] = lh_value_text(ci_str(b, ci, "operation"));
        row[5] = lh_value_text(ci_str(b, ci, "operationParameters"));
        row[6] = lh_value_text(ci_str(b, ci, "job"));
        row[7] = lh_value_text(ci_str(b, ci, "notebook"));
        row[8] = lh_value_text(ci_str(b, ci, "clusterId"));
        row[9] = h[r].info.has_read_version ? iv(LH_TYPE_LONG, h[r].info.read_version)
                                            : nullv(LH_TYPE_LONG);
        row[10] = lh_value_text(ci_str(b, ci, "isolationLevel"));
        row[11] = ci && json_object_get(ci, "isBlindAppend")
                      ? iv(LH_TYPE_BOOLEAN, json_is_true(json_object_get(ci, "isBlindAppend")))
                      : nullv(LH_TYPE_BOOLEAN);
        row[12] = lh_value_text(ci_str(b, ci, "operationMetrics"));
        row[13] = lh_value_text(ci_str(b, ci, "userMetadata"));
        row[14] = lh_value_text(ci_str(b, ci, "engineInfo"));
        json_decref(ci);
    }
    lh_delta_history_free(h, n);
    lh_plan_t *p;
    LH_TRY(bs_values_plan(b, N, cols, types, (int)n, rows, &p));
    *out = rows_bound(b, p, "DESCRIBE");
    return LH_OK;
}

lh_err bdc_describe(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    return st->describe_what == LH_DESC_DETAIL ? describe_detail(b, st, out)
                                               : describe_history(b, st, out);
}

/* ---- RESTORE -----------------------------------------------------------------------------------
 */

static bool has_file(const lh_delta_snapshot_t *s, const char *path)
{
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
        if (strcmp(lh_delta_snapshot_file(s, i)->path, path) == 0)
            return true;
    return false;
}

/* The snapshot RESTORE goes back to. */
static lh_err restore_target(binder *b, const lh_ast_stmt_t *st, dtable *d,
                             lh_delta_snapshot_t **old)
{
    const lh_ast_time_travel_t *tt = st->travel;
    int64_t latest = lh_delta_snapshot_version(d->snap);
    if (tt->kind == 2) {
        scope none = {0};
        ectx x = {&none, MODE_PRE, NULL, "TIMESTAMP AS OF", NULL};
        lh_expr_t *e;
        LH_TRY(bx_expr(b, &x, tt->value, &e));
        LH_TRY(lh_expr_cast(b->a, e, (lh_type_t){LH_TYPE_TIMESTAMP}, false,
                            lh_session_conf(b->env->session), &e, b->eb));
        lh_value_t v;
        LH_TRY(lh_expr_fold(b->a, e, lh_session_conf(b->env->session), &v, b->eb));
        int64_t ms = v.v.i64 / 1000;
        if (ms > lh_delta_snapshot_timestamp_ms(d->snap))
            return lh_sqlerr(
                b->eb, "DELTA_CANNOT_RESTORE_TIMESTAMP_GREATER", "requestedTimestamp",
                bd_span_text(b, tt->value->span), "latestTimestamp",
                lh_arena_sprintf(b->a, "%lld", (long long)lh_delta_snapshot_timestamp_ms(d->snap)),
                NULL);
        lh_errbuf inner;
        lh_errbuf_clear(&inner);
        if (lh_delta_snapshot_at_timestamp(d->t, ms, old, &inner) != LH_OK)
            return lh_sqlerr(b->eb, "DELTA_CANNOT_RESTORE_TIMESTAMP_EARLIER", "requestedTimestamp",
                             bd_span_text(b, tt->value->span), "earliestTimestamp",
                             "the first commit", NULL);
        return LH_OK;
    }
    int64_t v = 0;
    if (tt->value != NULL)
        LH_TRY(bx_fold_int(b, tt->value, "VERSION AS OF", &v));
    else
        v = strtoll(tt->at_text + (tt->at_text[0] == 'v' || tt->at_text[0] == 'V'), NULL, 10);
    lh_errbuf inner;
    lh_errbuf_clear(&inner);
    if (v > latest || lh_delta_snapshot_at_version(d->t, v, old, &inner) != LH_OK)
        return lh_sqlerr(b->eb, "DELTA_CANNOT_RESTORE_TABLE_VERSION", "version",
                         lh_arena_sprintf(b->a, "%lld", (long long)v), "startVersion", "0",
                         "endVersion", lh_arena_sprintf(b->a, "%lld", (long long)latest), NULL);
    return LH_OK;
}

typedef struct restore_stats {
    int64_t removed, restored, removed_bytes, restored_bytes, files_after, size_after;
} restore_stats;

static lh_err restore_commit(binder *b, dtable *d, lh_delta_snapshot_t *old, restore_stats *rs)
{
    lh_delta_txn_t *x;
    LH_TRY(lh_delta_txn_begin_enforcing(d->t, d->snap, &x, b->eb));
    lh_err e = LH_OK;
    lh_delta_txn_read_whole_table(x);
    for (size_t i = 0; e == LH_OK && i < lh_delta_snapshot_file_count(d->snap); i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(d->snap, i);
        if (has_file(old, f->path))
            continue;
        rs->removed++, rs->removed_bytes += f->size_bytes;
        e = lh_delta_txn_remove_live(x, f, true, b->eb);
    }
    for (size_t i = 0; e == LH_OK && i < lh_delta_snapshot_file_count(old); i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(old, i);
        rs->files_after++, rs->size_after += f->size_bytes;
        if (has_file(d->snap, f->path))
            continue;
        rs->restored++, rs->restored_bytes += f->size_bytes;
        lh_delta_add_t add = *f;
        add.data_change = true;
        add.modification_time_ms = f->modification_time_ms;
        e = lh_delta_txn_add_file(x, &add, b->eb);
    }
    if (e == LH_OK && strcmp(lh_delta_snapshot_metadata(old)->schema_string,
                             lh_delta_snapshot_metadata(d->snap)->schema_string) != 0)
        e = lh_delta_txn_set_metadata(x, lh_delta_snapshot_metadata(old), b->eb);
    if (e == LH_OK) {
        char params[128], metrics[512];
        snprintf(params, sizeof params, "{\"version\":\"%lld\"}",
                 (long long)lh_delta_snapshot_version(old));
        snprintf(metrics, sizeof metrics,
                 "{\"numRestoredFiles\":\"%lld\",\"removedFilesSize\":\"%lld\",\"numRemovedFiles\":"
                 "\"%lld\",\"restoredFilesSize\":\"%lld\",\"numOfFilesAfterRestore\":\"%lld\","
                 "\"tableSizeAfterRestore\":\"%lld\"}",
                 (long long)rs->restored, (long long)rs->removed_bytes, (long long)rs->removed,
                 (long long)rs->restored_bytes, (long long)rs->files_after,
                 (long long)rs->size_after);
        e = lh_delta_txn_set_operation(x, "RESTORE", params, b->eb);
        if (e == LH_OK)
            e = lh_delta_txn_set_metrics(x, metrics, b->eb);
    }
    if (e == LH_OK && (rs->removed > 0 || rs->restored > 0))
        e = lh_delta_txn_commit(x, NULL, b->eb);
    lh_delta_txn_destroy(x); /* an uncommitted txn leaves every data file in place */
    return e;
}

lh_err bdc_run_restore(binder *b, const lh_ast_stmt_t *st, lh_bound_t *bound)
{
    dtable d;
    lh_err e = open_table(b, &st->name, &d);
    lh_delta_snapshot_t *old = NULL;
    restore_stats rs = {0};
    if (e == LH_OK)
        e = restore_target(b, st, &d, &old);
    if (e == LH_OK)
        e = restore_commit(b, &d, old, &rs);
    if (old)
        lh_delta_snapshot_release(old);
    close_table(&d);
    LH_TRY(e);
    static const char *const cols[] = {"table_size_after_restore", "num_of_files_after_restore",
                                       "num_removed_files",        "num_restored_files",
                                       "removed_files_size",       "restored_files_size"};
    lh_type_t types[6];
    lh_value_t row[6] = {iv(LH_TYPE_LONG, rs.size_after),    iv(LH_TYPE_LONG, rs.files_after),
                         iv(LH_TYPE_LONG, rs.removed),       iv(LH_TYPE_LONG, rs.restored),
                         iv(LH_TYPE_LONG, rs.removed_bytes), iv(LH_TYPE_LONG, rs.restored_bytes)};
    for (int i = 0; i < 6; i++)
        types[i] = row[i].type;
    lh_value_t *rows[1] = {row};
    return bs_values_plan(b, 6, cols, types, 1, rows, &bound->plan);
}

/* ---- OPTIMIZE ----------------------------------------------------------------------------------
 */

static lh_err not_simple(binder *b)
{
    return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                     "OPTIMIZE ... WHERE other than partition-column comparisons with literals",
                     NULL);
}

/* WHERE (ANDed col <op> literal) to storage predicates. */
static lh_err simple_preds(binder *b, const lh_plan_t *scan, const lh_expr_t *e,
                           lh_delta_pred_t *preds, int *count, int max)
{
    if (e->kind == LH_EXPR_AND) {
        LH_TRY(simple_preds(b, scan, e->args[0], preds, count, max));
        return simple_preds(b, scan, e->args[1], preds, count, max);
    }
    static const struct {
        const char *name;
        lh_pq_op op, flipped;
    } ops[] = {{"=", LH_PQ_EQ, LH_PQ_EQ},
               {"<", LH_PQ_LT, LH_PQ_GT},
               {"<=", LH_PQ_LE, LH_PQ_GE},
               {">", LH_PQ_GT, LH_PQ_LT},
               {">=", LH_PQ_GE, LH_PQ_LE}};
    if (e->kind != LH_EXPR_CALL || e->arg_count != 2 || *count >= max)
        return not_simple(b);
    const lh_expr_t *l = e->args[0], *r = e->args[1];
    bool flip = l->kind == LH_EXPR_CONST;
    if (flip)
        l = e->args[1], r = e->args[0];
    if (l->kind != LH_EXPR_COLUMN || r->kind != LH_EXPR_CONST || r->value.is_null)
        return not_simple(b);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const lh_func_t *f = lh_func_find(ops[i].name);
        if (f == NULL || f != e->func)
            continue;
        lh_value_t *v = lh_arena_calloc(b->a, 1, sizeof *v);
        *v = r->value;
        preds[*count] =
            (lh_delta_pred_t){scan->col_names[l->column], flip ? ops[i].flipped : ops[i].op, 1, v};
        (*count)++;
        return LH_OK;
    }
    return not_simple(b);
}

lh_err bdc_run_optimize(binder *b, const lh_ast_stmt_t *st, lh_bound_t *bound)
{
    if (st->location != NULL)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", "OPTIMIZE 'path'", NULL);
    dtable d;
    lh_err e = open_table(b, &st->name, &d);
    lh_delta_pred_t preds[16];
    int pc = 0;
    if (e == LH_OK && st->where != NULL) {
        scope sc = bf_scope_of(b, d.scan, NULL);
        ectx x = {&sc, MODE_PRE, NULL, "WHERE", NULL};
        lh_expr_t *w;
        e = bx_bool(b, &x, st->where, &w);
        if (e == LH_OK)
            e = simple_preds(b, d.scan, w, preds, &pc, 16);
    }
    const char **z = lh_arena_calloc(b->a, (size_t)st->zorder.count + 1, sizeof *z);
    for (int i = 0; e == LH_OK && i < st->zorder.count; i++) {
        const lh_ast_expr_t *ze = st->zorder.items[i];
        if (ze->kind != LH_EX_COLUMN)
            e = lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                          "ZORDER BY an expression", NULL);
        else
            z[i] = ze->name.parts[ze->name.count - 1].text;
    }
    lh_delta_op_result_t res;
    memset(&res, 0, sizeof res);
    if (e == LH_OK)
        e = lh_delta_optimize(d.t, preds, pc, 0, z, st->zorder.count, &res, b->eb);
    const char *path = d.scan ? lh_arena_sprintf(b->a, "file:%s", d.scan->u.scan.root) : NULL;
    close_table(&d);
    LH_TRY(e);
    json_t *m = json_pack(
        "{s:I,s:I,s:{s:I,s:I},s:{s:I,s:I},s:I,s:o,s:I,s:I}", "numFilesAdded",
        (json_int_t)res.files_added, "numFilesRemoved", (json_int_t)res.files_removed, "filesAdded",
        "totalFiles", (json_int_t)res.files_added, "totalSize", (json_int_t)res.bytes_added,
        "filesRemoved", "totalFiles", (json_int_t)res.files_removed, "totalSize",
        (json_int_t)res.bytes_removed, "partitionsOptimized", (json_int_t)(res.files_removed > 0),
        "zOrderStats",
        st->zorder.count ? json_pack("{s:I}", "numOutputCubes", (json_int_t)res.files_added)
                         : json_null(),
        "numBatches", (json_int_t)(res.files_removed > 0), "totalConsideredFiles",
        (json_int_t)res.files_removed);
    static const char *const cols[] = {"path", "metrics"};
    lh_type_t types[2] = {{LH_TYPE_STRING}, {LH_TYPE_STRING}};
    lh_value_t row[2] = {lh_value_text(path), lh_value_text(json_text(b, m))};
    lh_value_t *rows[1] = {row};
    return bs_values_plan(b, 2, cols, types, 1, rows, &bound->plan);
}

/* ---- VACUUM ------------------------------------------------------------------------------------
 */

static double configured_retention_hours(const lh_delta_snapshot_t *s)
{
    const char *v = lh_delta_map_get(&lh_delta_snapshot_metadata(s)->configuration,
                                     "delta.deletedFileRetentionDuration", NULL);
    double n;
    char unit[16];
    if (v && sscanf(v, "interval %lf %15s", &n, unit) == 2) {
        if (strncasecmp(unit, "day", 3) == 0)
            return n * 24;
        if (strncasecmp(unit, "hour", 4) == 0)
            return n;
        if (strncasecmp(unit, "minute", 6) == 0)
            return n / 60;
        if (strncasecmp(unit, "second", 6) == 0)
            return n / 3600;
    }
    return LH_DELTA_VACUUM_RETAIN_HOURS;
}

lh_err bdc_run_vacuum(binder *b, const lh_ast_stmt_t *st, lh_bound_t *bound)
{
    if (st->location != NULL)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", "VACUUM 'path'", NULL);
    double hours = -1;
    if (st->retain_hours != NULL) {
        scope none = {0};
        ectx x = {&none, MODE_PRE, NULL, "RETAIN", NULL};
        lh_expr_t *e;
        LH_TRY(bx_expr(b, &x, st->retain_hours, &e));
        LH_TRY(lh_expr_cast(b->a, e, (lh_type_t){LH_TYPE_DOUBLE}, false,
                            lh_session_conf(b->env->session), &e, b->eb));
        lh_value_t v;
        LH_TRY(lh_expr_fold(b->a, e, lh_session_conf(b->env->session), &v, b->eb));
        hours = v.v.f64;
    }
    dtable d;
    lh_err e = open_table(b, &st->name, &d);
    const char *check =
        lh_session_get(b->env->session, "spark.databricks.delta.retentionDurationCheck.enabled");
    bool checked = check == NULL || strcasecmp(check, "false") != 0;
    double min = e == LH_OK ? configured_retention_hours(d.snap) : 0;
    if (e == LH_OK && hours >= 0 && hours < min && checked)
        e = lh_sqlerr(b->eb, "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT", "hours",
                      lh_arena_sprintf(b->a, "%lld", (long long)(min + 0.999)), NULL);
    lh_delta_vacuum_result_t r;
    memset(&r, 0, sizeof r);
    if (e == LH_OK)
        e = lh_delta_vacuum(d.t, hours, st->dry_run, true, &r, b->eb);
    const char *root = d.scan ? d.scan->u.scan.root : "";
    close_table(&d);
    LH_TRY(e);
    size_t n = st->dry_run ? r.count : 1;
    lh_value_t **rows = lh_arena_calloc(b->a, n + 1, sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        rows[i] = lh_arena_calloc(b->a, 1, sizeof **rows);
        rows[i][0] =
            lh_value_text(st->dry_run ? lh_arena_sprintf(b->a, "file:%s/%s", root, r.paths[i])
                                      : lh_arena_sprintf(b->a, "file:%s", root));
    }
    lh_delta_vacuum_result_free(&r);
    const char *col = "path";
    lh_type_t t = {LH_TYPE_STRING};
    return bs_values_plan(b, 1, &col, &t, (int)n, rows, &bound->plan);
}
