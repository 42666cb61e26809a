/*
 * stmt_store.c - statements in meta.db (migration 8): their records, their lineage, and
 * query history over them.
 *
 *   statements         one row per statement: request, state, timestamps, error,
 *                      manifest (JSON, SUCCEEDED), row and byte counts, metrics (JSON)
 *   statement_lineage  (statement_id, direction input|output, table_name, column_name)
 *                      column_name NULL = the table as a whole; read by
 *                      lh_statements_lineage (the lineage API, later)
 *
 * Writes: the row is inserted on submit (PENDING) and rewritten on RUNNING and on the
 * end; lineage is written when the statement ends. Memory stays authoritative while the
 * daemon runs; a failed write is logged. After a restart (lh_stmt_store_recover) the rows
 * are the truth: PENDING/RUNNING become FAILED ("interrupted by a restart"), INLINE results
 * are gone (CLOSED), EXTERNAL_LINKS results still on disk and unexpired are reloaded.
 * History is read from here, so it survives restarts (LH_STATEMENT_HISTORY_MS).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/sql/stmt_internal.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"
#include "storage/meta/meta.h"

#define RESTART_MESSAGE "The statement was interrupted by a restart of the server"

static const char *opt(const char *s)
{
    return s && *s ? s : NULL;
}

/* ---- insert and update --------------------------------------------------------------- */

static lh_err insert_fn(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    const stmt *st = arg;
    lh_stmt_t *q;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO statements (statement_id, state, statement_text, user_id,"
                        " user_name, warehouse_id, catalog, schema, disposition, format,"
                        " query_tags, submitted_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        &q, eb));
    lh_stmt_bind_text(q, 1, st->id);
    lh_stmt_bind_text(q, 2, lh_stmt_state_names[st->state]);
    lh_stmt_bind_text(q, 3, st->sql);
    lh_stmt_bind_int(q, 4, st->user_id);
    lh_stmt_bind_text(q, 5, st->user);
    lh_stmt_bind_text(q, 6, st->warehouse_id);
    lh_stmt_bind_text(q, 7, st->catalog);
    lh_stmt_bind_text(q, 8, st->schema);
    lh_stmt_bind_text(q, 9, lh_stmt_disposition_names[st->disposition]);
    lh_stmt_bind_text(q, 10, lh_stmt_format_names[st->format]);
    lh_stmt_bind_text(q, 11, st->query_tags);
    lh_stmt_bind_int(q, 12, st->submitted_ms);
    return lh_stmt_run(q, eb);
}

lh_err lh_stmt_store_insert(lh_ctx_t *ctx, const stmt *st, lh_errbuf *eb)
{
    return lh_meta_tx(ctx->meta, insert_fn, (void *)st, eb);
}

typedef struct update_arg {
    const stmt *st;
    char *manifest, *metrics;
} update_arg;

static lh_err update_fn(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    const update_arg *u = arg;
    const stmt *st = u->st;
    lh_stmt_t *q;
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE statements SET state = ?, statement_type = ?, started_ms = ?,"
                        " ended_ms = ?, results_expire_ms = ?, error_code = ?, error_message = ?,"
                        " sql_state = ?, manifest = ?, row_count = ?, byte_count = ?, metrics = ?"
                        " WHERE statement_id = ?",
                        &q, eb));
    lh_stmt_bind_text(q, 1, lh_stmt_state_names[st->state]);
    lh_stmt_bind_text(q, 2, opt(st->statement_type));
    if (st->started_ms)
        lh_stmt_bind_int(q, 3, st->started_ms);
    if (st->ended_ms)
        lh_stmt_bind_int(q, 4, st->ended_ms);
    if (st->expires_ms)
        lh_stmt_bind_int(q, 5, st->expires_ms);
    lh_stmt_bind_text(q, 6, st->error_code);
    lh_stmt_bind_text(q, 7, st->error_message);
    lh_stmt_bind_text(q, 8, st->sql_state);
    lh_stmt_bind_text(q, 9, u->manifest);
    lh_stmt_bind_int(q, 10, st->total_rows);
    lh_stmt_bind_int(q, 11, st->total_bytes);
    lh_stmt_bind_text(q, 12, u->metrics);
    lh_stmt_bind_text(q, 13, st->id);
    return lh_stmt_run(q, eb);
}

void lh_stmt_store_update(lh_ctx_t *ctx, const stmt *st)
{
    update_arg u = {st, NULL, NULL};
    if (st->state == ST_SUCCEEDED) {
        json_t *mf = lh_stmt_manifest(st);
        u.manifest = mf ? json_dumps(mf, JSON_COMPACT) : NULL;
        json_decref(mf);
    }
    if (st->ended_ms) {
        json_t *mx = json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "compilation_time_ms",
            (json_int_t)(st->compile_ns / 1000000), "execution_time_ms",
            (json_int_t)(st->stats.execution_ns / 1000000), "read_bytes",
            (json_int_t)st->stats.bytes_read, "rows_read_count", (json_int_t)st->stats.rows_read,
            "pruned_files_count", (json_int_t)st->stats.files_pruned, "spill_to_disk_bytes",
            (json_int_t)st->stats.spill_bytes, "read_files_count", (json_int_t)st->stats.files_read,
            "pruned_row_groups_count", (json_int_t)st->stats.row_groups_pruned,
            "read_row_groups_count", (json_int_t)st->stats.row_groups_read, "scan_morsels_count",
            (json_int_t)st->stats.scan_morsels);
        u.metrics = mx ? json_dumps(mx, JSON_COMPACT) : NULL;
        json_decref(mx);
    }
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_meta_tx(ctx->meta, update_fn, &u, &eb) != LH_OK)
        lh_log(LH_LOG_WARN, "statement %s: cannot record its state: %s", st->id, eb.msg);
    free(u.manifest);
    free(u.metrics);
}

/* ---- lineage ------------------------------------------------------------------------- */

typedef struct lineage_arg {
    const char *id;
    const lh_lineage_t *l;
} lineage_arg;

static lh_err lineage_row(lh_meta_t *m, const char *id, const char *dir, const char *table,
                          const char *column, lh_errbuf *eb)
{
    lh_stmt_t *q;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO statement_lineage (statement_id, direction, table_name,"
                        " column_name) VALUES (?,?,?,?)",
                        &q, eb));
    lh_stmt_bind_text(q, 1, id);
    lh_stmt_bind_text(q, 2, dir);
    lh_stmt_bind_text(q, 3, table);
    lh_stmt_bind_text(q, 4, column);
    return lh_stmt_run(q, eb);
}

static lh_err lineage_fn(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    const lineage_arg *a = arg;
    const lh_lineage_t *l = a->l;
    for (int i = 0; i < l->input_count; i++) {
        if (l->input_tables[i] == NULL)
            continue;
        LH_TRY(lineage_row(m, a->id, "input", l->input_tables[i], NULL, eb));
        for (int k = 0; l->input_columns && l->input_columns[i] && l->input_columns[i][k]; k++)
            LH_TRY(lineage_row(m, a->id, "input", l->input_tables[i], l->input_columns[i][k], eb));
    }
    if (l->output_table != NULL)
        LH_TRY(lineage_row(m, a->id, "output", l->output_table, NULL, eb));
    return LH_OK;
}

void lh_stmt_store_lineage(lh_ctx_t *ctx, const char *id, const lh_lineage_t *lineage)
{
    if (lineage == NULL || (lineage->input_count == 0 && lineage->output_table == NULL))
        return;
    lineage_arg a = {id, lineage};
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_meta_tx(ctx->meta, lineage_fn, &a, &eb) != LH_OK)
        lh_log(LH_LOG_WARN, "statement %s: cannot record its lineage: %s", id, eb.msg);
}

typedef struct read_lineage {
    const char *id;
    json_t *out;
} read_lineage;

static lh_err read_lineage_fn(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    read_lineage *r = arg;
    lh_stmt_t *q;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT direction, table_name, column_name FROM statement_lineage"
                        " WHERE statement_id = ? ORDER BY rowid",
                        &q, eb));
    lh_stmt_bind_text(q, 1, r->id);
    for (;;) {
        bool row;
        LH_TRY(lh_stmt_step(q, &row, eb));
        if (!row)
            return LH_OK;
        json_t *o = json_pack("{s:s, s:s}", "direction", lh_stmt_text(q, 0), "table_name",
                              lh_stmt_text(q, 1));
        if (o && !lh_stmt_is_null(q, 2))
            json_object_set_new(o, "column_name", json_string(lh_stmt_text(q, 2)));
        LH_FAIL_IF(o == NULL || json_array_append_new(r->out, o) != 0, LH_E_NOMEM, eb,
                   "out of memory");
    }
}

lh_err lh_statements_lineage(struct lh_meta *meta, const char *statement_id, json_t **out,
                             lh_errbuf *eb)
{
    read_lineage r = {statement_id, json_array()};
    LH_FAIL_IF(r.out == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = lh_meta_read(meta, read_lineage_fn, &r, eb);
    if (e != LH_OK) {
        json_decref(r.out);
        return e;
    }
    *out = r.out;
    return LH_OK;
}

/* ---- recovery and sweeping ----------------------------------------------------------- */

static lh_err recover_fn(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    int64_t now = *(const int64_t *)arg;
    lh_stmt_t *q;
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE statements SET state = 'FAILED', error_code = 'ABORTED',"
                        " error_message = '" RESTART_MESSAGE "', ended_ms = ?"
                        " WHERE state IN ('PENDING', 'RUNNING')",
                        &q, eb));
    lh_stmt_bind_int(q, 1, now);
    LH_TRY(lh_stmt_run(q, eb));
    int n = lh_meta_changes(m);
    if (n > 0)
        lh_log(LH_LOG_INFO, "%d statement(s) interrupted by the restart marked FAILED", n);
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE statements SET state = 'CLOSED' WHERE state = 'SUCCEEDED'"
                        " AND (disposition = 'INLINE' OR results_expire_ms <= ?)",
                        &q, eb));
    lh_stmt_bind_int(q, 1, now);
    return lh_stmt_run(q, eb);
}

static int index_of(const char *const *names, int n, const char *v)
{
    for (int i = 0; v && i < n; i++)
        if (strcmp(names[i], v) == 0)
            return i;
    return -1;
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

/* A SUCCEEDED EXTERNAL_LINKS statement rebuilt from its row and manifest. */
static stmt *row_stmt(lh_statements_t *s, lh_stmt_t *q)
{
    json_t *mf = json_loads(lh_stmt_text(q, 9) ? lh_stmt_text(q, 9) : "", 0, NULL);
    int fmt = index_of(lh_stmt_format_names, 3, lh_stmt_text(q, 5));
    const json_t *chunks = json_object_get(mf, "chunks");
    stmt *st = calloc(1, sizeof *st);
    if (st == NULL || mf == NULL || fmt < 0 || !json_is_array(chunks)) {
        json_decref(mf);
        free(st);
        return NULL;
    }
    pthread_mutex_init(&st->mu, NULL);
    st->refs = 1;
    st->owner = s;
    snprintf(st->id, sizeof st->id, "%s", lh_stmt_text(q, 0));
    st->state = ST_SUCCEEDED;
    st->sql = dup_or_empty(lh_stmt_text(q, 1));
    st->warehouse_id = dup_or_empty(lh_stmt_text(q, 2));
    st->user_id = lh_stmt_int(q, 3);
    st->user = dup_or_empty(lh_stmt_text(q, 4));
    st->catalog = strdup("");
    st->schema = strdup("");
    st->disposition = DISP_EXTERNAL_LINKS;
    st->format = (st_format)fmt;
    st->submitted_ms = lh_stmt_int(q, 6);
    st->ended_ms = lh_stmt_int(q, 7);
    st->expires_ms = lh_stmt_int(q, 8);
    st->columns = json_incref(json_object_get(json_object_get(mf, "schema"), "columns"));
    st->truncated = json_is_true(json_object_get(mf, "truncated"));
    size_t n = json_array_size(chunks);
    st->chunks = calloc(n + 1, sizeof *st->chunks);
    for (size_t i = 0; st->chunks && i < n; i++) {
        const json_t *c = json_array_get(chunks, i);
        st->chunks[i] = (chunk){json_integer_value(json_object_get(c, "row_offset")),
                                json_integer_value(json_object_get(c, "row_count")),
                                json_integer_value(json_object_get(c, "byte_count")), NULL};
        st->total_rows += st->chunks[i].row_count;
        st->total_bytes += st->chunks[i].byte_count;
    }
    st->chunk_count = st->chunk_cap = st->chunks ? (int)n : 0;
    json_decref(mf);
    if (st->columns == NULL)
        st->columns = json_array();
    return st;
}

typedef struct load_arg {
    lh_statements_t *s;
    int64_t now;
} load_arg;

static lh_err load_fn(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    load_arg *a = arg;
    lh_stmt_t *q;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT statement_id, statement_text, warehouse_id, user_id, user_name,"
                        " format, submitted_ms, ended_ms, results_expire_ms, manifest"
                        " FROM statements WHERE state = 'SUCCEEDED'"
                        " AND disposition = 'EXTERNAL_LINKS' AND results_expire_ms > ?",
                        &q, eb));
    lh_stmt_bind_int(q, 1, a->now);
    for (;;) {
        bool row;
        LH_TRY(lh_stmt_step(q, &row, eb));
        if (!row)
            return LH_OK;
        stmt *st = row_stmt(a->s, q);
        if (st == NULL)
            continue;
        pthread_mutex_lock(&a->s->mu);
        lh_err e = lh_hashmap_put(a->s->table, st->id, st, eb);
        pthread_mutex_unlock(&a->s->mu);
        if (e != LH_OK) {
            lh_stmt_free(st);
            return e;
        }
    }
}

/* Chunk folders of statements not kept (interrupted, expired, closed) are removed. */
static void remove_orphans(lh_statements_t *s)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/statement-results", s->ctx->data_dir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        pthread_mutex_lock(&s->mu);
        bool kept = lh_hashmap_get(s->table, de->d_name) != NULL;
        pthread_mutex_unlock(&s->mu);
        if (!kept)
            lh_links_remove(s->ctx->data_dir, de->d_name);
    }
    closedir(d);
}

lh_err lh_stmt_store_recover(lh_statements_t *s, lh_errbuf *eb)
{
    int64_t now = lh_now_ms();
    LH_TRY(lh_meta_tx(s->ctx->meta, recover_fn, &now, eb));
    load_arg a = {s, now};
    LH_TRY(lh_meta_read(s->ctx->meta, load_fn, &a, eb));
    remove_orphans(s);
    return LH_OK;
}

#define SWEEP_BATCH 256

typedef struct sweep_arg {
    int64_t now;
    char ids[SWEEP_BATCH][40];
    int count;
} sweep_arg;

static lh_err sweep_fn(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    sweep_arg *a = arg;
    lh_stmt_t *q;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT statement_id FROM statements WHERE state = 'SUCCEEDED'"
                        " AND results_expire_ms <= ? LIMIT 256",
                        &q, eb));
    lh_stmt_bind_int(q, 1, a->now);
    for (bool row = true; row && a->count < SWEEP_BATCH;) {
        LH_TRY(lh_stmt_step(q, &row, eb));
        if (row)
            snprintf(a->ids[a->count++], 40, "%s", lh_stmt_text(q, 0));
    }
    for (int i = 0; i < a->count; i++) {
        LH_TRY(lh_meta_stmt(m, "UPDATE statements SET state = 'CLOSED' WHERE statement_id = ?", &q,
                            eb));
        lh_stmt_bind_text(q, 1, a->ids[i]);
        LH_TRY(lh_stmt_run(q, eb));
    }
    int64_t old = a->now - LH_STATEMENT_HISTORY_MS;
    LH_TRY(lh_meta_stmt(m,
                        "DELETE FROM statement_lineage WHERE statement_id IN (SELECT statement_id"
                        " FROM statements WHERE submitted_ms < ?)",
                        &q, eb));
    lh_stmt_bind_int(q, 1, old);
    LH_TRY(lh_stmt_run(q, eb));
    LH_TRY(lh_meta_stmt(m, "DELETE FROM statements WHERE submitted_ms < ?", &q, eb));
    lh_stmt_bind_int(q, 1, old);
    return lh_stmt_run(q, eb);
}

void lh_stmt_store_sweep(lh_statements_t *s, int64_t now_ms)
{
    sweep_arg *a = calloc(1, sizeof *a);
    if (a == NULL)
        return;
    a->now = now_ms;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_meta_tx(s->ctx->meta, sweep_fn, a, &eb) != LH_OK)
        lh_log(LH_LOG_WARN, "statements: cannot close expired results: %s", eb.msg);
    else
        for (int i = 0; i < a->count; i++)
            lh_links_remove(s->ctx->data_dir, a->ids[i]);
    free(a);
}

/* ---- a statement no longer in memory ------------------------------------------------- */

typedef struct render_arg {
    const char *id;
    json_t *out;
    int64_t user_id;
} render_arg;

static lh_err render_fn(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    render_arg *r = arg;
    lh_stmt_t *q;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT state, error_code, error_message, sql_state, user_id"
                        " FROM statements WHERE statement_id = ?",
                        &q, eb));
    lh_stmt_bind_text(q, 1, r->id);
    bool row;
    LH_TRY(lh_stmt_step(q, &row, eb));
    if (!row)
        return LH_OK;
    const char *state = lh_stmt_text(q, 0);
    /* kept results live in memory: a SUCCEEDED row without them has been closed */
    if (state == NULL || strcmp(state, "SUCCEEDED") == 0 || strcmp(state, "PENDING") == 0 ||
        strcmp(state, "RUNNING") == 0)
        state = strcmp(state ? state : "", "SUCCEEDED") == 0 ? "CLOSED" : "FAILED";
    json_t *status = json_pack("{s:s}", "state", state);
    if (status && strcmp(state, "FAILED") == 0) {
        const char *code = lh_stmt_text(q, 1), *msg = lh_stmt_text(q, 2);
        json_object_set_new(status, "error",
                            json_pack("{s:s, s:s}", "error_code", code ? code : "ABORTED",
                                      "message", msg ? msg : RESTART_MESSAGE));
        if (!lh_stmt_is_null(q, 3))
            json_object_set_new(status, "sql_state", json_string(lh_stmt_text(q, 3)));
    }
    r->user_id = lh_stmt_int(q, 4);
    r->out = json_pack("{s:s, s:o}", "statement_id", r->id, "status", status);
    LH_FAIL_IF(r->out == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

lh_err lh_stmt_store_render(lh_ctx_t *ctx, const char *id, json_t **out, int64_t *user_id,
                            lh_errbuf *eb)
{
    render_arg r = {id, NULL, 0};
    LH_TRY(lh_meta_read(ctx->meta, render_fn, &r, eb));
    *out = r.out;
    *user_id = r.user_id;
    return LH_OK;
}

/* ---- query history: GET /api/2.0/sql/history/queries ----------------------------------
 * Newest first, Databricks' filters, a keyset page token "<query_start_time_ms>:<id>" of
 * the last row. Non-admins see their own statements only. Rows are read in pages of
 * HIST_PAGE and filtered here. */

#define HIST_PAGE 256

static const char *history_status(const char *state)
{
    static const char *const map[][2] = {{"PENDING", "QUEUED"},     {"RUNNING", "RUNNING"},
                                         {"SUCCEEDED", "FINISHED"}, {"FAILED", "FAILED"},
                                         {"CANCELED", "CANCELED"},  {"CLOSED", "FINISHED"}};
    for (size_t i = 0; state && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], state) == 0)
            return map[i][1];
    return "FAILED";
}

/* Does filter list key (an array of strings, or one string) hold v? Absent = yes. */
static bool filter_has(const json_t *filter, const char *key, const char *v)
{
    const json_t *f = filter ? json_object_get(filter, key) : NULL;
    if (f == NULL)
        return true;
    if (json_is_string(f))
        return strcmp(json_string_value(f), v) == 0;
    size_t i;
    const json_t *x;
    json_array_foreach(f, i, x)
    {
        if (json_is_string(x) && strcmp(json_string_value(x), v) == 0)
            return true;
        if (json_is_integer(x) && atoll(v) == json_integer_value(x))
            return true;
    }
    return json_array_size(f) == 0;
}

typedef struct hist_arg {
    const lh_req_t *req;
    const json_t *filter;
    bool metrics;
    int64_t max, lo, hi;
    int64_t after_start; /* keyset: rows strictly after (after_start, after_id) */
    char after_id[40];
    json_t *res;
    bool more;
    char next[80];
} hist_arg;

static json_t *query_info(lh_stmt_t *q, bool metrics)
{
    const char *state = lh_stmt_text(q, 1);
    bool final = state && strcmp(state, "PENDING") != 0 && strcmp(state, "RUNNING") != 0;
    int64_t start = lh_stmt_int(q, 7), end = lh_stmt_is_null(q, 8) ? 0 : lh_stmt_int(q, 8);
    const char *user = lh_stmt_text(q, 6) ? lh_stmt_text(q, 6) : "";
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:b}",
                          "query_id", lh_stmt_text(q, 0), "status", history_status(state),
                          "query_text", lh_stmt_text(q, 2) ? lh_stmt_text(q, 2) : "",
                          "statement_type", lh_stmt_text(q, 3) ? lh_stmt_text(q, 3) : "OTHER",
                          "warehouse_id", lh_stmt_text(q, 4) ? lh_stmt_text(q, 4) : "",
                          "endpoint_id", lh_stmt_text(q, 4) ? lh_stmt_text(q, 4) : "", "user_id",
                          (json_int_t)lh_stmt_int(q, 5), "user_name", user, "executed_as_user_name",
                          user, "query_start_time_ms", (json_int_t)start, "rows_produced",
                          (json_int_t)lh_stmt_int(q, 9), "is_final", final);
    if (o == NULL)
        return NULL;
    if (end) {
        lh_json_set_int(o, "query_end_time_ms", end);
        lh_json_set_int(o, "execution_end_time_ms", end);
        lh_json_set_int(o, "duration", end - start);
    }
    if (state && strcmp(state, "FAILED") == 0 && lh_stmt_text(q, 10))
        json_object_set_new(o, "error_message", json_string(lh_stmt_text(q, 10)));
    if (metrics) {
        json_t *mx = lh_stmt_text(q, 11) ? json_loads(lh_stmt_text(q, 11), 0, NULL) : NULL;
        if (!json_is_object(mx)) {
            json_decref(mx);
            mx = json_object();
        }
        lh_json_set_int(mx, "total_time_ms", end ? end - start : 0);
        lh_json_set_int(mx, "rows_produced_count", lh_stmt_int(q, 9));
        json_object_set_new(o, "metrics", mx);
    }
    return o;
}

static bool hist_visible(const hist_arg *a, lh_stmt_t *q)
{
    char uid[32];
    snprintf(uid, sizeof uid, "%lld", (long long)lh_stmt_int(q, 5));
    int64_t start = lh_stmt_int(q, 7);
    const char *wh = lh_stmt_text(q, 4) ? lh_stmt_text(q, 4) : "";
    return filter_has(a->filter, "statuses", history_status(lh_stmt_text(q, 1))) &&
           filter_has(a->filter, "user_ids", uid) && filter_has(a->filter, "warehouse_ids", wh) &&
           filter_has(a->filter, "statement_ids", lh_stmt_text(q, 0)) && start >= a->lo &&
           start <= a->hi;
}

static lh_err hist_fn(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    hist_arg *a = arg;
    const lh_principal_t *p = a->req->principal;
    int64_t emitted = 0, cursor_start = a->after_start;
    char cursor_id[40];
    snprintf(cursor_id, sizeof cursor_id, "%s", a->after_id);
    for (;;) {
        lh_stmt_t *q;
        LH_TRY(
            lh_meta_stmt(m,
                         "SELECT statement_id, state, statement_text, statement_type,"
                         " warehouse_id, user_id, user_name, submitted_ms, ended_ms,"
                         " row_count, error_message, metrics FROM statements"
                         " WHERE (submitted_ms < ?1 OR (submitted_ms = ?1 AND statement_id > ?2))"
                         " AND (?3 OR user_id = ?4)"
                         " ORDER BY submitted_ms DESC, statement_id LIMIT ?5",
                         &q, eb));
        lh_stmt_bind_int(q, 1, cursor_start);
        lh_stmt_bind_text(q, 2, cursor_id);
        lh_stmt_bind_int(q, 3, p->is_admin);
        lh_stmt_bind_int(q, 4, p->user_id);
        lh_stmt_bind_int(q, 5, HIST_PAGE);
        int seen = 0;
        for (bool row = true; row;) {
            LH_TRY(lh_stmt_step(q, &row, eb));
            if (!row)
                break;
            seen++;
            cursor_start = lh_stmt_int(q, 7);
            snprintf(cursor_id, sizeof cursor_id, "%s", lh_stmt_text(q, 0));
            if (!hist_visible(a, q))
                continue;
            if (emitted == a->max) {
                a->more = true;
                return LH_OK;
            }
            json_t *o = query_info(q, a->metrics);
            LH_FAIL_IF(o == NULL || json_array_append_new(a->res, o) != 0, LH_E_NOMEM, eb,
                       "out of memory");
            emitted++;
            snprintf(a->next, sizeof a->next, "%lld:%s", (long long)cursor_start, cursor_id);
        }
        if (seen < HIST_PAGE)
            return LH_OK;
    }
}

lh_err lh_stmt_store_history(lh_req_t *req, lh_errbuf *eb)
{
    hist_arg a = {.req = req, .lo = 0, .hi = INT64_MAX, .after_start = INT64_MAX};
    const char *token = NULL;
    a.filter = json_object_get(req->params, "filter_by");
    LH_TRY(lh_json_get_int_range(req->params, "max_results", LH_OPTIONAL, 0, LH_PAGE_SIZE_MAX,
                                 &a.max, eb));
    LH_TRY(lh_json_get_bool(req->params, "include_metrics", LH_OPTIONAL, &a.metrics, eb));
    LH_TRY(lh_json_get_str(req->params, "page_token", LH_OPTIONAL, &token, eb));
    if (token != NULL && *token) {
        const char *colon = strchr(token, ':');
        LH_FAIL_IF(colon == NULL || colon - token > 20 || strlen(colon + 1) >= sizeof a.after_id,
                   LH_E_INVALID, eb, "Invalid page_token");
        a.after_start = atoll(token);
        snprintf(a.after_id, sizeof a.after_id, "%s", colon + 1);
    }
    const json_t *range = a.filter ? json_object_get(a.filter, "query_start_time_range") : NULL;
    if (json_is_object(range)) {
        LH_TRY(lh_json_get_int_range(range, "start_time_ms", LH_OPTIONAL, 0, INT64_MAX, &a.lo, eb));
        LH_TRY(lh_json_get_int_range(range, "end_time_ms", LH_OPTIONAL, 0, INT64_MAX, &a.hi, eb));
        if (a.hi == 0)
            a.hi = INT64_MAX;
    }
    if (a.max == 0)
        a.max = LH_PAGE_SIZE_DEFAULT;
    a.res = json_array();
    LH_FAIL_IF(a.res == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = lh_meta_read(req->ctx->meta, hist_fn, &a, eb);
    if (e != LH_OK) {
        json_decref(a.res);
        return e;
    }
    req->out = json_pack("{s:o, s:b}", "res", a.res, "has_next_page", a.more);
    if (a.more)
        json_object_set_new(req->out, "next_page_token", json_string(a.next));
    return LH_OK;
}
