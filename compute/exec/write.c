/*
 * write.c - INSERT INTO / INSERT OVERWRITE / CREATE TABLE AS SELECT into a Delta table, in
 * one write transaction (storage/delta/rewrite.h), on the calling thread.
 *
 *   open the table at the plan's root (a local object store; the directory is created)
 *   create:    begin a transaction with no snapshot and stage metaData from the child's
 *              columns (names, types, nullability) and partition_by_json (a JSON array of
 *              column names)
 *   otherwise: begin from the latest snapshot; OVERWRITE removes every live file
 *   every collected row batch -> lh_delta_wtxn_insert (the child's columns are the table's,
 *              in order: the binder arranges that)
 *   commit "WRITE" (or "CREATE TABLE AS SELECT") with mode Append/Overwrite and
 *              numOutputRows; an insert of no rows still commits a version, as Spark does
 *   REPLACE WHERE / static PARTITION overwrite: instead of every file, the rows matching
 *              the predicate are deleted (files rewritten through the evaluator), and
 *              every new row must match it (DELTA_REPLACE_WHERE_MISMATCH otherwise)
 *   every batch passes the table's constraints (checks.c) before it is written
 *   IDENTITY columns the INSERT left out get start + k * step past the column's
 *              highWaterMark, and the new highWaterMark is in the same commit's metaData
 * The output is the one row Databricks returns: num_affected_rows, num_inserted_rows.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/exec/exec_internal.h"
#include "compute/sql/sqlerr.h"
#include "storage/delta/rewrite.h"

typedef struct wctx {
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    lh_delta_wtxn_t *w;
    lh_schema_t *schema;
    lh_delta_metadata_t md;
    bool has_md;
    exec_query *q;
    lh_expr_t *pred; /* REPLACE WHERE: private numbered copy */
    lh_expr_state_t *st;
    uint32_t *sel;
    size_t sel_cap;
    int64_t replaced;
    exec_checker chk;
    exec_ident ident; /* IDENTITY columns this INSERT assigns */
} wctx;

static void wctx_free(wctx *c)
{
    lh_delta_wtxn_destroy(c->w);
    exec_checker_free(&c->chk);
    if (c->st)
        lh_expr_state_destroy(c->st);
    free(c->sel);
    if (c->snap)
        lh_delta_snapshot_release(c->snap);
    if (c->t)
        lh_delta_table_close(c->t);
    if (c->os)
        lh_objstore_destroy(c->os);
    lh_schema_destroy(c->schema);
    exec_ident_free(&c->ident);
    if (c->has_md)
        lh_delta_metadata_clear(&c->md);
}

/* Partition column names from a JSON array (NULL = none); strings owned by *json. */
static lh_err partitions(const char *text, json_t **json, const char **names, int *count,
                         lh_errbuf *eb)
{
    *count = 0;
    *json = NULL;
    if (text == NULL)
        return LH_OK;
    *json = json_loads(text, 0, NULL);
    LH_FAIL_IF(!json_is_array(*json) || json_array_size(*json) > 64, LH_E_INVALID, eb,
               "partition_by_json must be a JSON array of column names");
    for (size_t i = 0; i < json_array_size(*json); i++) {
        json_t *v = json_array_get(*json, i);
        LH_FAIL_IF(!json_is_string(v), LH_E_INVALID, eb, "partition column names are strings");
        names[(*count)++] = json_string_value(v);
    }
    return LH_OK;
}

static lh_err begin_create(wctx *c, const lh_plan_t *p, lh_errbuf *eb)
{
    const lh_plan_t *child = p->children[0];
    c->schema = lh_schema_create(child->col_count);
    for (int i = 0; i < child->col_count; i++)
        LH_TRY(lh_schema_set(c->schema, i, child->col_names[i], child->col_types[i],
                             child->col_nullable[i]));
    const char *names[64];
    int n;
    json_t *js;
    lh_err e = partitions(p->u.write.partition_by_json, &js, names, &n, eb);
    if (e == LH_OK && (e = lh_delta_metadata_init(&c->md, c->schema, names, n, eb)) == LH_OK)
        c->has_md = true;
    json_decref(js);
    LH_TRY(e);
    LH_TRY(lh_delta_wtxn_begin(c->t, NULL, NULL, &c->w, eb));
    return lh_delta_txn_set_metadata(lh_delta_wtxn_txn(c->w), &c->md, eb);
}

static lh_err select_pred(wctx *c, const lh_batch_t *b, size_t *hit, lh_errbuf *eb)
{
    if (b->row_count + 1 > c->sel_cap) {
        uint32_t *s = realloc(c->sel, (b->row_count + 1) * sizeof *s);
        LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
        c->sel = s;
        c->sel_cap = b->row_count + 1;
    }
    return lh_expr_select(c->st, c->pred, b, c->sel, hit, eb);
}

/* REPLACE WHERE: the old rows matching the predicate go. */
static lh_err replace_cb(void *ctx, const lh_batch_t *b, lh_delta_rewrite_result_t *out,
                         lh_errbuf *eb)
{
    wctx *c = ctx;
    size_t hit;
    LH_TRY(exec_check(c->q, eb));
    LH_TRY(select_pred(c, b, &hit, eb));
    if (hit == 0)
        return LH_OK;
    c->replaced += (int64_t)hit;
    out->action = LH_DELTA_REWRITE_DELETE_ROWS;
    out->rows = c->sel;
    out->row_count = hit;
    return LH_OK;
}

static lh_err begin_existing(wctx *c, const lh_plan_t *p, lh_errbuf *eb)
{
    LH_TRY(lh_delta_snapshot_latest(c->t, &c->snap, eb));
    lh_delta_write_opts_t o;
    lh_delta_write_opts_default(&o);
    o.enforces_constraints = true; /* checks.c does */
    LH_TRY(lh_delta_wtxn_begin(c->t, c->snap, &o, &c->w, eb));
    if (!p->u.write.overwrite)
        return LH_OK;
    const lh_delta_add_t **files;
    size_t n;
    LH_TRY(lh_delta_wtxn_scan_files(c->w, NULL, 0, &files, &n, eb));
    lh_err e = LH_OK;
    for (size_t i = 0; i < n && e == LH_OK; i++)
        e = c->pred ? lh_delta_wtxn_rewrite(c->w, files[i], replace_cb, c, 0, NULL, eb)
                    : lh_delta_wtxn_remove(c->w, files[i], eb);
    free(files);
    return e;
}

/* Every new row must match the REPLACE WHERE predicate. */
static lh_err check_replace(wctx *c, const lh_plan_t *p, const lh_batch_t *b, lh_errbuf *eb)
{
    size_t hit;
    LH_TRY(select_pred(c, b, &hit, eb));
    if (hit == b->row_count)
        return LH_OK;
    const char *text = p->u.write.replace_where ? p->u.write.replace_where : "";
    return lh_sqlerr(eb, "DELTA_REPLACE_WHERE_MISMATCH", "replaceWhere", text, "message",
                     "Invalid data would be written to partitions.", NULL);
}

static lh_err write_all(exec_query *q, const lh_plan_t *p, wctx *c, exec_rows *in, lh_errbuf *eb)
{
    c->q = q;
    if (p->u.write.replace_pred != NULL) {
        c->pred = p->u.write.replace_pred;
        int nodes = exec_number(q, &c->pred, 1);
        c->st = lh_expr_state_create(nodes, q->conf);
        LH_FAIL_IF(c->st == NULL, LH_E_NOMEM, eb, "out of memory");
    }
    LH_TRY(exec_checker_init(&c->chk, q, p->u.write.checks, eb));
    LH_TRY(lh_objstore_local_create(p->u.write.root, &c->os, eb));
    LH_TRY(lh_delta_table_open(c->os, "", &c->t, eb));
    LH_TRY(p->u.write.create ? begin_create(c, p, eb) : begin_existing(c, p, eb));
    for (int i = 0; i < p->u.write.app_id_count; i++) { /* COPY INTO's loaded files */
        LH_TRY(lh_delta_txn_read_app(lh_delta_wtxn_txn(c->w), p->u.write.app_ids[i], eb));
        LH_TRY(lh_delta_txn_set_app_version(lh_delta_wtxn_txn(c->w), p->u.write.app_ids[i], 1, eb));
    }
    if (p->u.write.identity_fill != NULL && c->snap != NULL)
        LH_TRY(exec_ident_init(&c->ident, lh_delta_txn_metadata(lh_delta_wtxn_txn(c->w)),
                               p->u.write.identity_fill, p->children[0]->col_count, eb));
    for (size_t b = 0; b < in->batch_count; b++) {
        LH_TRY(exec_check(q, eb));
        LH_TRY(exec_ident_fill(&c->ident, in->batches[b], eb));
        if (c->pred != NULL)
            LH_TRY(check_replace(c, p, in->batches[b], eb));
        LH_TRY(exec_checker_run(&c->chk, in->batches[b], eb));
        LH_TRY(lh_delta_wtxn_insert(c->w, in->batches[b], NULL, 0, eb));
    }
    json_t *params = json_pack("{s:s}", "mode",
                               p->u.write.overwrite ? "Overwrite"
                               : p->u.write.create  ? "ErrorIfExists"
                                                    : "Append");
    if (c->pred != NULL && p->u.write.replace_where != NULL) {
        json_t *arr = json_pack("[s]", p->u.write.replace_where);
        char *t = json_dumps(arr, JSON_COMPACT);
        json_object_set_new(params, "predicate", json_string(t ? t : "[]"));
        free(t);
        json_decref(arr);
    }
    LH_TRY(exec_ident_commit(&c->ident, lh_delta_wtxn_txn(c->w), eb));
    char *ps = p->u.write.operation_params ? strdup(p->u.write.operation_params)
                                           : json_dumps(params, JSON_COMPACT),
         metrics[160];
    json_decref(params);
    if (c->pred != NULL)
        snprintf(metrics, sizeof metrics,
                 "{\"numOutputRows\":\"%lld\",\"numDeletedRows\":\"%lld\"}",
                 (long long)in->row_count, (long long)c->replaced);
    else
        snprintf(metrics, sizeof metrics, "{\"numOutputRows\":\"%lld\"}", (long long)in->row_count);
    const char *op = p->u.write.operation ? p->u.write.operation
                     : p->u.write.create  ? "CREATE TABLE AS SELECT"
                                          : "WRITE";
    lh_err e = lh_delta_wtxn_commit(c->w, op, ps, metrics, LH_DELTA_COMMIT_ALLOW_EMPTY, NULL, eb);
    free(ps);
    return exec_delta_error(e, eb);
}

lh_err exec_write_run(exec_query *q, const lh_plan_t *p, exec_rows *in, exec_rows **out,
                      int64_t *rows_written, lh_errbuf *eb)
{
    wctx c;
    memset(&c, 0, sizeof c);
    lh_err e = write_all(q, p, &c, in, eb);
    int64_t n = in->row_count;
    wctx_free(&c);
    exec_rows_free(in);
    LH_TRY(e);
    *rows_written = n;
    atomic_fetch_add(&q->rows_written, n);
    exec_rows *r = exec_rows_new(q, p->col_count, p->col_types);
    lh_batch_t *b = exec_rows_batch(r, 1);
    for (int i = 0; b && i < p->col_count; i++)
        lh_vec_append_i64(b->cols[i], n);
    if (b != NULL)
        b->row_count = 1;
    e = b ? exec_rows_take(r, b, eb) : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "no memory");
    if (e != LH_OK) {
        exec_rows_free(r);
        return e;
    }
    *out = r;
    return LH_OK;
}
