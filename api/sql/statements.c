/*
 * statements.c - the Statement Execution API (see statements.h).
 *
 * A statement's life, under its mutex:
 *
 *   POST -> PENDING --(executor picks it up; warehouse RUNNING)--> RUNNING
 *        RUNNING --> SUCCEEDED | FAILED | CANCELED           (the runner)
 *        PENDING/RUNNING --(cancel)--> CANCELED               (the runner stops soon after)
 *        any terminal --(retention elapsed)--> forgotten      (the sweeper)
 *
 * Waiters: a POST with wait_timeout > 0 (or none) parks its request and adds its ticket to
 * the statement's waiter list; the runner resumes every waiter when the statement ends,
 * and the deadline answers the others (the statement's current state, or CANCELED with
 * on_wait_timeout=CANCEL). The rendering of an answer happens on whichever thread answers,
 * under the statement's mutex, from the statement's own fields only.
 *
 * Lock order: the table's mutex, then a statement's; never the reverse.
 */
#include "api/sql/statements.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/perm.h"
#include "api/sql/sessions.h"
#include "api/sql/stmt_internal.h"
#include "api/sql/warehouses.h"
#include "common/bg.h"
#include "common/config.h"
#include "common/hashmap.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"
#include "compute/func/format.h"
#include "compute/query/query.h"
#include "compute/sqlerr.h"

const char *const lh_stmt_state_names[] = {"PENDING", "RUNNING",  "SUCCEEDED",
                                           "FAILED",  "CANCELED", "CLOSED"};
const char *const lh_stmt_disposition_names[] = {"INLINE", "EXTERNAL_LINKS"};
const char *const lh_stmt_format_names[] = {"JSON_ARRAY", "ARROW_STREAM", "CSV"};
#define state_names lh_stmt_state_names

static lh_statements_t *of(const lh_req_t *req)
{
    return req->ctx->statements;
}

/* ---- statement memory ---------------------------------------------------------------- */

void lh_stmt_free(stmt *st)
{
    lh_links_writer_free(&st->lw);
    free(st->query_tags);
    for (int i = 0; i < st->chunk_count; i++)
        json_decref(st->chunks[i].rows);
    free(st->chunks);
    json_decref(st->columns);
    for (int i = 0; i < st->param_count; i++) {
        free(st->param_names[i]);
        if (st->param_values[i].type.id == LH_TYPE_STRING)
            free((void *)st->param_values[i].v.str.ptr);
    }
    free(st->param_names);
    free(st->param_values);
    lh_sql_session_unref(st->session);
    free(st->sql);
    free(st->warehouse_id);
    free(st->catalog);
    free(st->schema);
    free(st->user);
    free(st->error_code);
    free(st->error_message);
    free(st->sql_state);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

static void stmt_unref(stmt *st)
{
    pthread_mutex_lock(&st->mu);
    int left = --st->refs;
    pthread_mutex_unlock(&st->mu);
    if (left == 0)
        lh_stmt_free(st);
}

static stmt *find(lh_statements_t *s, const char *id)
{
    pthread_mutex_lock(&s->mu);
    stmt *st = lh_hashmap_get(s->table, id);
    if (st != NULL) {
        pthread_mutex_lock(&st->mu);
        st->refs++;
        pthread_mutex_unlock(&st->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

static bool terminal(st_state x)
{
    return x >= ST_SUCCEEDED;
}

/* ---- rendering (st->mu held) ------------------------------------------------------------ */

static json_t *chunk_json(const stmt *st, int i, bool links)
{
    const chunk *c = &st->chunks[i];
    json_t *o =
        json_pack("{s:i, s:I, s:I, s:I}", "chunk_index", i, "row_offset", (json_int_t)c->row_offset,
                  "row_count", (json_int_t)c->row_count, "byte_count", (json_int_t)c->byte_count);
    if (links && i + 1 < st->chunk_count) {
        lh_json_set_int(o, "next_chunk_index", i + 1);
        char link[128];
        snprintf(link, sizeof link, "/api/2.0/sql/statements/%s/result/chunks/%d", st->id, i + 1);
        json_object_set_new(o, "next_chunk_internal_link", json_string(link));
    }
    return o;
}

json_t *lh_stmt_manifest(const stmt *st)
{
    json_t *chunks = json_array();
    for (int i = 0; i < st->chunk_count; i++)
        json_array_append_new(chunks, chunk_json(st, i, false));
    return json_pack("{s:s, s:{s:I, s:O}, s:i, s:I, s:I, s:b, s:o}", "format",
                     lh_stmt_format_names[st->format], "schema", "column_count",
                     (json_int_t)json_array_size(st->columns), "columns", st->columns,
                     "total_chunk_count", st->chunk_count, "total_row_count",
                     (json_int_t)st->total_rows, "total_byte_count", (json_int_t)st->total_bytes,
                     "truncated", st->truncated, "chunks", chunks);
}

static json_t *result_json(const stmt *st, int i)
{
    json_t *r = chunk_json(st, i, true);
    json_object_set(r, "data_array", st->chunks[i].rows);
    return r;
}

static json_t *render(const stmt *st)
{
    json_t *status = json_pack("{s:s}", "state", state_names[st->state]);
    if (st->state == ST_FAILED) {
        json_object_set_new(
            status, "error",
            json_pack("{s:s, s:s}", "error_code", st->error_code, "message", st->error_message));
        if (st->sql_state)
            json_object_set_new(status, "sql_state", json_string(st->sql_state));
    }
    json_t *out = json_pack("{s:s, s:o}", "statement_id", st->id, "status", status);
    if (st->state == ST_SUCCEEDED) {
        json_object_set_new(out, "manifest", lh_stmt_manifest(st));
        if (st->disposition == DISP_EXTERNAL_LINKS)
            json_object_set_new(out, "result",
                                st->chunk_count > 0 ? lh_links_result(st, 0) : json_object());
        else if (st->chunk_count > 0)
            json_object_set_new(out, "result", result_json(st, 0));
        else
            json_object_set_new(out, "result",
                                json_pack("{s:i, s:i, s:i, s:[]}", "chunk_index", 0, "row_offset",
                                          0, "row_count", 0, "data_array"));
    }
    return out;
}

/* ---- the runner ------------------------------------------------------------------------- */

typedef struct sink_ctx {
    stmt *st;
    const lh_sql_conf_t *conf;
    const lh_tz_t *tz;
    int64_t chunk_bytes;
} sink_ctx;

static const char *type_name_of(lh_type_t t)
{
    static const char *const names[LH_TYPE__COUNT] = {
        [LH_TYPE_NULL] = "NULL",
        [LH_TYPE_BOOLEAN] = "BOOLEAN",
        [LH_TYPE_BYTE] = "BYTE",
        [LH_TYPE_SHORT] = "SHORT",
        [LH_TYPE_INT] = "INT",
        [LH_TYPE_LONG] = "LONG",
        [LH_TYPE_FLOAT] = "FLOAT",
        [LH_TYPE_DOUBLE] = "DOUBLE",
        [LH_TYPE_STRING] = "STRING",
        [LH_TYPE_BINARY] = "BINARY",
        [LH_TYPE_DATE] = "DATE",
        [LH_TYPE_TIMESTAMP] = "TIMESTAMP",
        [LH_TYPE_TIMESTAMP_NTZ] = "TIMESTAMP_NTZ",
        [LH_TYPE_DECIMAL] = "DECIMAL",
        [LH_TYPE_INTERVAL_YM] = "INTERVAL",
        [LH_TYPE_INTERVAL_DT] = "INTERVAL",
        [LH_TYPE_ARRAY] = "ARRAY",
        [LH_TYPE_MAP] = "MAP",
        [LH_TYPE_STRUCT] = "STRUCT",
        [LH_TYPE_INTERVAL_CAL] = "INTERVAL",
    };
    return t.id < LH_TYPE__COUNT && names[t.id] ? names[t.id] : "USER_DEFINED_TYPE";
}

static lh_err on_schema(void *ctx, const lh_query_columns_t *cols, lh_errbuf *eb)
{
    sink_ctx *k = ctx;
    json_t *arr = json_array();
    for (int i = 0; i < cols->count; i++) {
        char text[1024];
        lh_type_t t = cols->types[i];
        json_t *c = json_pack("{s:s, s:s, s:s, s:i}", "name", cols->names[i], "type_text",
                              lh_format_type_sql(t, text, sizeof text), "type_name",
                              type_name_of(t), "position", i);
        if (t.id == LH_TYPE_DECIMAL) {
            lh_json_set_int(c, "type_precision", t.precision);
            lh_json_set_int(c, "type_scale", t.scale);
        }
        json_array_append_new(arr, c);
    }
    LH_FAIL_IF(arr == NULL, LH_E_NOMEM, eb, "out of memory");
    if (k->st->disposition == DISP_EXTERNAL_LINKS) {
        lh_err e = lh_links_schema(k->st, cols, eb);
        if (e != LH_OK) {
            json_decref(arr);
            return e;
        }
    }
    pthread_mutex_lock(&k->st->mu);
    json_decref(k->st->columns);
    k->st->columns = arr;
    pthread_mutex_unlock(&k->st->mu);
    return LH_OK;
}

/* The chunk rows go to: the last one, or a new one when it is full. */
static chunk *open_chunk(stmt *st, int64_t chunk_bytes)
{
    if (st->chunk_count > 0 && st->chunks[st->chunk_count - 1].byte_count < chunk_bytes)
        return &st->chunks[st->chunk_count - 1];
    if (st->chunk_count == st->chunk_cap) {
        int cap = st->chunk_cap ? st->chunk_cap * 2 : 4;
        chunk *nc = realloc(st->chunks, (size_t)cap * sizeof *nc);
        if (nc == NULL)
            return NULL;
        st->chunks = nc;
        st->chunk_cap = cap;
    }
    chunk *c = &st->chunks[st->chunk_count++];
    *c = (chunk){st->total_rows, 0, 0, json_array()};
    return c;
}

static json_t *row_json(const lh_batch_t *b, size_t r, const lh_tz_t *tz, int64_t *bytes)
{
    json_t *row = json_array();
    for (int k = 0; k < b->col_count; k++) {
        if (!lh_vec_is_valid(b->cols[k], r)) {
            json_array_append_new(row, json_null());
            *bytes += 4;
            continue;
        }
        char buf[LH_FMT_MAX];
        const char *text;
        size_t n = lh_format_vec(b->cols[k], r, tz, LH_FMT_RESULT, buf, &text);
        /* An empty string may come with no pointer: jansson refuses NULL, even for 0 bytes. */
        json_t *v = json_stringn(n ? text : "", n);
        char *fix = v == NULL ? malloc(3 * n + 1) : NULL;
        if (fix != NULL) { /* not UTF-8 (a BINARY): as Spark shows it, ill-formed parts U+FFFD */
            v = json_stringn(fix, lh_format_utf8_lossy(text, n, fix));
            free(fix);
        }
        json_array_append_new(row, v ? v : json_string("\xef\xbf\xbd"));
        *bytes += (int64_t)n + 3;
    }
    return row;
}

static lh_err on_batch(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    sink_ctx *k = ctx;
    stmt *st = k->st;
    if (st->disposition == DISP_EXTERNAL_LINKS)
        return lh_links_batch(st, b, k->tz, eb);
    pthread_mutex_lock(&st->mu);
    lh_err e = LH_OK;
    for (size_t r = 0; r < b->row_count && e == LH_OK; r++) {
        if ((st->row_limit > 0 && st->total_rows >= st->row_limit) ||
            (st->byte_limit > 0 && st->total_bytes >= st->byte_limit) ||
            st->total_bytes >= LH_STATEMENT_INLINE_MAX) {
            st->truncated = true;
            break;
        }
        chunk *c = open_chunk(st, k->chunk_bytes);
        int64_t bytes = 0;
        json_t *row = c ? row_json(b, r, k->tz, &bytes) : NULL;
        if (row == NULL || json_array_append_new(c->rows, row) != 0) {
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
            break;
        }
        c->row_count++;
        c->byte_count += bytes;
        st->total_rows++;
        st->total_bytes += bytes;
    }
    pthread_mutex_unlock(&st->mu);
    return e;
}

static const char *wire_code(const lh_errbuf *eb)
{
    switch (eb->code) {
    case LH_E_INVALID:
    case LH_E_MALFORMED:
    case LH_E_UNSUPPORTED:
        return "BAD_REQUEST";
    case LH_E_NOT_FOUND:
        return "NOT_FOUND";
    case LH_E_EXISTS:
        return "ALREADY_EXISTS";
    case LH_E_PERMISSION:
        return "PERMISSION_DENIED";
    case LH_E_CONFLICT:
        return "ABORTED";
    case LH_E_LIMIT:
        return "RESOURCE_EXHAUSTED";
    case LH_E_IO:
        return "IO_ERROR";
    case LH_E_NOT_IMPLEMENTED:
        return "NOT_IMPLEMENTED";
    default:
        return "INTERNAL_ERROR";
    }
}

static lh_err answer_waiter(lh_req_t *req, void *arg, lh_errbuf *eb)
{
    (void)eb;
    stmt *st = arg;
    req->out = render(st); /* st->mu is held by the resumer */
    return LH_OK;
}

/* End the statement (st->mu held) and answer every parked request. */
static void finish(stmt *st, st_state state, const lh_errbuf *eb)
{
    if (terminal(st->state)) /* cancelled meanwhile: keep CANCELED */
        state = st->state;
    bool was_terminal = terminal(st->state);
    st->state = state;
    if (!was_terminal) {
        st->ended_ms = lh_now_ms();
        st->expires_ms = st->ended_ms + st->owner->ttl_ms;
    }
    if (state == ST_FAILED && eb != NULL && st->error_code == NULL) {
        st->error_code = strdup(wire_code(eb));
        st->error_message = strdup(eb->msg[0] ? eb->msg : "the statement failed");
        st->sql_state = eb->error_code ? strdup(lh_sqlerr_state(eb->error_code)) : NULL;
    }
    if (state != ST_SUCCEEDED && st->disposition == DISP_EXTERNAL_LINKS)
        lh_links_remove(st->owner->ctx->data_dir, st->id);
    lh_stmt_store_update(st->owner->ctx, st);
    for (waiter *w = st->waiters, *next; w != NULL; w = next) {
        next = w->next;
        lh_req_resume(w->ticket, answer_waiter, st); /* false: its deadline answered it */
        free(w);
        st->refs--; /* the waiter's; the caller still holds one, so never the last */
    }
    st->waiters = NULL;
}

/* Wait for the warehouse to be RUNNING (a stopped one is being started by acquire). */
static lh_err acquire(lh_ctx_t *ctx, stmt *st, lh_pool_t **pool, lh_errbuf *eb)
{
    int max_conc;
    for (int i = 0;; i++) {
        lh_errbuf tmp;
        lh_errbuf_clear(&tmp);
        lh_err e = lh_warehouse_acquire(ctx, st->warehouse_id, pool, &max_conc, &tmp);
        if (e == LH_OK)
            return LH_OK;
        bool starting = e == LH_E_STATE && strstr(tmp.msg, "starting") != NULL;
        if (!starting || i >= LH_STATEMENT_START_WAIT_MS / 10 || atomic_load(&st->cancel)) {
            *eb = tmp;
            return e;
        }
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
}

static lh_err execute(lh_statements_t *s, stmt *st, lh_errbuf *eb)
{
    lh_pool_t *pool = NULL;
    LH_TRY(acquire(s->ctx, st, &pool, eb));
    pthread_mutex_lock(&st->mu);
    if (st->state == ST_PENDING) {
        st->state = ST_RUNNING;
        st->started_ms = lh_now_ms();
        lh_stmt_store_update(s->ctx, st);
    }
    pthread_mutex_unlock(&st->mu);
    lh_session_t *session =
        st->session ? lh_sql_session_lock(st->session) : lh_session_create(st->catalog, st->schema);
    lh_errbuf use_eb;
    lh_errbuf_clear(&use_eb);
    lh_err use_e = LH_OK;
    if (st->cat_given || st->sch_given) /* a USE in the session */
        use_e = lh_session_use(session, st->cat_given ? st->catalog : lh_session_catalog(session),
                               st->sch_given   ? st->schema
                               : st->cat_given ? "default"
                                               : lh_session_schema(session),
                               &use_eb);
    if (use_e != LH_OK) {
        if (st->session != NULL)
            lh_sql_session_unlock(st->session);
        else
            lh_session_destroy(session);
        lh_warehouse_release(s->ctx, st->warehouse_id);
        *eb = use_eb;
        return use_e;
    }
    lh_arena_t *a = lh_arena_create();
    sink_ctx k = {st, lh_session_conf(session), lh_tz_get(lh_session_conf(session)->time_zone),
                  LH_STATEMENT_CHUNK_BYTES};
    lh_query_opts_t o = {.resolver = s->ctx->resolver,
                         .user = st->user,
                         .pool = pool,
                         .memory_limit_bytes = s->memory_limit_bytes,
                         .data_cache = s->data_cache,
                         .cancel = &st->cancel,
                         .param_count = st->param_count,
                         .param_names = (const char *const *)st->param_names,
                         .param_values = st->param_values};
    lh_query_sink_t sink = {&k, on_schema, on_batch};
    lh_query_info_t info;
    memset(&info, 0, sizeof info);
    lh_err e = lh_query_run(st->sql, strlen(st->sql), session, &o, &sink, a, &info, eb);
    if (e == LH_OK && st->disposition == DISP_EXTERNAL_LINKS)
        e = lh_links_finish(st, eb);
    lh_stmt_store_lineage(s->ctx, st->id, &info.lineage);
    pthread_mutex_lock(&st->mu);
    snprintf(st->statement_type, sizeof st->statement_type, "%s",
             info.statement_type ? info.statement_type : "OTHER");
    st->stats = info.stats;
    st->compile_ns = info.compile_ns;
    pthread_mutex_unlock(&st->mu);
    lh_arena_destroy(a);
    if (st->session != NULL)
        lh_sql_session_unlock(st->session);
    else
        lh_session_destroy(session);
    lh_warehouse_release(s->ctx, st->warehouse_id);
    return e;
}

static void run_task(void *arg)
{
    stmt *st = arg;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_err e = atomic_load(&st->cancel) ? LH_E_STATE : execute(st->owner, st, &eb);
    pthread_mutex_lock(&st->mu);
    if (e == LH_OK)
        finish(st, ST_SUCCEEDED, NULL);
    else if (atomic_load(&st->cancel))
        finish(st, ST_CANCELED, NULL);
    else
        finish(st, ST_FAILED, &eb);
    if (st->state != ST_SUCCEEDED && st->disposition == DISP_EXTERNAL_LINKS)
        lh_links_remove(st->owner->ctx->data_dir, st->id); /* a chunk written after a cancel */
    lh_links_writer_free(&st->lw);
    pthread_mutex_unlock(&st->mu);
    stmt_unref(st);
}

/* ---- requests ------------------------------------------------------------------------- */

/* "0s", or "5s".."50s" (Databricks' range); absent = 10s. */
static lh_err parse_wait(const json_t *p, int64_t *ms, lh_errbuf *eb)
{
    const char *w = NULL;
    LH_TRY(lh_json_get_str(p, "wait_timeout", LH_OPTIONAL, &w, eb));
    if (w == NULL) {
        *ms = 10000;
        return LH_OK;
    }
    char *end = NULL;
    long v = strtol(w, &end, 10);
    LH_FAIL_IF(end == w || strcmp(end, "s") != 0 || (v != 0 && (v < 5 || v > 50)), LH_E_INVALID, eb,
               "wait_timeout must be 0s or between 5s and 50s, got '%s'", w);
    *ms = v * 1000;
    return LH_OK;
}

/* An enum field: its index in names (absent = 0). */
static lh_err check_enum(const json_t *p, const char *key, const char *const *names, int count,
                         int *out, lh_errbuf *eb)
{
    const char *v = NULL;
    LH_TRY(lh_json_get_str(p, key, LH_OPTIONAL, &v, eb));
    *out = 0;
    for (int i = 0; v && i < count; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return LH_OK;
        }
    LH_FAIL_IF(v != NULL, LH_E_INVALID, eb, "%s: unknown value '%s'", key, v);
    return LH_OK;
}

/* query_tags: [{key, value?}] kept as JSON (at most 20, as Databricks coerces). */
static lh_err parse_tags(const json_t *p, stmt *st, lh_errbuf *eb)
{
    const json_t *arr = json_object_get(p, "query_tags");
    if (arr == NULL || json_is_null(arr))
        return LH_OK;
    LH_FAIL_IF(!json_is_array(arr), LH_E_INVALID, eb, "query_tags must be an array");
    json_t *keep = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(arr, i, t)
    {
        const char *key = NULL, *value = NULL;
        lh_err e = json_is_object(t) ? lh_json_get_str(t, "key", LH_REQUIRED, &key, eb)
                                     : lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                                                  "query_tags[%zu] must be an object", i);
        if (e == LH_OK)
            e = lh_json_get_str(t, "value", LH_OPTIONAL, &value, eb);
        if (e == LH_OK && *key == '\0')
            e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__, "query_tags[%zu].key is empty", i);
        if (e != LH_OK) {
            json_decref(keep);
            return e;
        }
        if (json_array_size(keep) < 20)
            json_array_append_new(keep, value ? json_pack("{s:s, s:s}", "key", key, "value", value)
                                              : json_pack("{s:s}", "key", key));
    }
    st->query_tags = json_dumps(keep, JSON_COMPACT);
    json_decref(keep);
    return LH_OK;
}

/* parameters: [{name, value, type}] -> names and values (the value as a STRING, cast by
 * the statement where it is used, as Databricks does with untyped parameters). */
static lh_err parse_params(const json_t *p, stmt *st, lh_errbuf *eb)
{
    const json_t *arr = json_object_get(p, "parameters");
    if (arr == NULL || json_is_null(arr))
        return LH_OK;
    LH_FAIL_IF(!json_is_array(arr), LH_E_INVALID, eb, "parameters must be an array");
    size_t n = json_array_size(arr);
    LH_FAIL_IF(n > LH_STATEMENT_PARAMS_MAX, LH_E_INVALID, eb, "at most %d parameters",
               LH_STATEMENT_PARAMS_MAX);
    st->param_names = calloc(n + 1, sizeof *st->param_names);
    st->param_values = calloc(n + 1, sizeof *st->param_values);
    LH_FAIL_IF(st->param_names == NULL || st->param_values == NULL, LH_E_NOMEM, eb,
               "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(arr, i);
        const char *name = NULL, *value = NULL;
        LH_FAIL_IF(!json_is_object(o), LH_E_INVALID, eb, "parameters[%zu] must be an object", i);
        LH_TRY(lh_json_get_str(o, "name", LH_REQUIRED, &name, eb));
        LH_TRY(lh_json_get_str(o, "value", LH_OPTIONAL, &value, eb));
        st->param_names[st->param_count] = strdup(name);
        lh_value_t *v = &st->param_values[st->param_count++];
        if (value == NULL) {
            *v = (lh_value_t){.type = {LH_TYPE_NULL}, .is_null = true};
        } else {
            char *copy = strdup(value);
            *v = (lh_value_t){.type = {LH_TYPE_STRING},
                              .v.str = {(const uint8_t *)copy, (uint32_t)strlen(value)}};
        }
    }
    return LH_OK;
}

static lh_err new_stmt(lh_req_t *req, stmt **out, int64_t *wait_ms, lh_errbuf *eb)
{
    const json_t *p = req->params;
    const char *sql = NULL, *wh = NULL, *cat = NULL, *sch = NULL, *sid = NULL;
    int64_t row_limit = 0, byte_limit = 0;
    static const char *const on_to[] = {"CONTINUE", "CANCEL"};
    int on_timeout, disp, fmt;
    LH_TRY(lh_json_get_str(p, "statement", LH_REQUIRED, &sql, eb));
    LH_TRY(lh_json_get_str(p, "warehouse_id", LH_REQUIRED, &wh, eb));
    LH_TRY(lh_json_get_str(p, "catalog", LH_OPTIONAL, &cat, eb));
    LH_TRY(lh_json_get_str(p, "schema", LH_OPTIONAL, &sch, eb));
    LH_TRY(lh_json_get_str(p, "session_id", LH_OPTIONAL, &sid, eb));
    LH_TRY(lh_json_get_int_range(p, "row_limit", LH_OPTIONAL, 0, INT64_MAX, &row_limit, eb));
    LH_TRY(lh_json_get_int_range(p, "byte_limit", LH_OPTIONAL, 0, INT64_MAX, &byte_limit, eb));
    LH_TRY(parse_wait(p, wait_ms, eb));
    LH_TRY(check_enum(p, "on_wait_timeout", on_to, 2, &on_timeout, eb));
    LH_TRY(check_enum(p, "disposition", lh_stmt_disposition_names, 2, &disp, eb));
    LH_TRY(check_enum(p, "format", lh_stmt_format_names, 3, &fmt, eb));
    /* Databricks' answer, word for word: ARROW_STREAM and CSV need EXTERNAL_LINKS */
    LH_FAIL_IF(disp == DISP_INLINE && fmt != FMT_JSON_ARRAY, LH_E_INVALID, eb,
               "The format field must be JSON_ARRAY when the disposition field is INLINE.");
    LH_FAIL_IF(strlen(sql) > LH_SQL_TEXT_MAX, LH_E_INVALID, eb, "statement longer than %d bytes",
               LH_SQL_TEXT_MAX);
    LH_TRY(lh_perm_require(req->ctx, req->principal, "warehouses", wh, "CAN_USE", eb));
    stmt *st = calloc(1, sizeof *st);
    LH_FAIL_IF(st == NULL, LH_E_NOMEM, eb, "out of memory");
    pthread_mutex_init(&st->mu, NULL);
    st->refs = 1;
    char uuid[37];
    lh_uuid4(uuid);
    snprintf(st->id, sizeof st->id, "%s", uuid);
    st->sql = strdup(sql);
    st->warehouse_id = strdup(wh);
    if (sid != NULL) {
        lh_err se = lh_sql_session_get(req->ctx->sql_sessions, sid, req->principal, false,
                                       &st->session, eb);
        if (se != LH_OK) {
            lh_stmt_free(st);
            return se;
        }
        st->cat_given = cat != NULL; /* absent: the session's stays */
        st->sch_given = sch != NULL;
    }
    st->catalog = strdup(cat ? cat : "main");
    st->schema = strdup(sch ? sch : "default");
    st->user = strdup(req->principal && req->principal->user_name ? req->principal->user_name : "");
    st->user_id = req->principal ? req->principal->user_id : 0;
    st->row_limit = row_limit;
    st->byte_limit = byte_limit;
    st->cancel_on_timeout = on_timeout == 1;
    st->disposition = (st_disposition)disp;
    st->format = (st_format)fmt;
    st->submitted_ms = lh_now_ms();
    lh_err e = parse_params(p, st, eb);
    if (e == LH_OK)
        e = parse_tags(p, st, eb);
    if (e == LH_OK && (!st->sql || !st->warehouse_id || !st->catalog || !st->schema || !st->user))
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e != LH_OK) {
        lh_stmt_free(st);
        return e;
    }
    *out = st;
    return LH_OK;
}

/* The deadline of a parked POST: the current answer, or cancel first (CANCEL). */
static lh_err on_deadline(lh_req_t *req, void *arg, lh_errbuf *eb)
{
    (void)eb;
    stmt *st = arg;
    pthread_mutex_lock(&st->mu);
    if (st->cancel_on_timeout && !terminal(st->state)) {
        atomic_store(&st->cancel, true);
        finish(st, ST_CANCELED, NULL);
    } else {
        /* this waiter's ticket is released when the statement ends (finish) */
        req->out = render(st);
    }
    if (req->out == NULL)
        req->out = render(st);
    pthread_mutex_unlock(&st->mu);
    return LH_OK;
}

static lh_err h_submit(lh_req_t *req, lh_errbuf *eb)
{
    lh_statements_t *s = of(req);
    stmt *st;
    int64_t wait_ms;
    LH_TRY(new_stmt(req, &st, &wait_ms, eb));
    st->owner = s;
    lh_err e = lh_stmt_store_insert(req->ctx, st, eb);
    if (e != LH_OK) {
        lh_stmt_free(st);
        return e;
    }
    pthread_mutex_lock(&s->mu);
    e = lh_hashmap_put(s->table, st->id, st, eb);
    pthread_mutex_unlock(&s->mu);
    if (e != LH_OK) {
        lh_stmt_free(st);
        return e;
    }
    st->refs++; /* the runner's */
    e = lh_bg_post(s->exec, run_task, st, eb);
    if (e != LH_OK) { /* queue full: forget it (429) */
        pthread_mutex_lock(&s->mu);
        lh_hashmap_remove(s->table, st->id);
        pthread_mutex_unlock(&s->mu);
        st->state = ST_FAILED; /* its row: not accepted */
        st->ended_ms = lh_now_ms();
        st->error_code = strdup("RESOURCE_EXHAUSTED");
        st->error_message = strdup(eb->msg);
        lh_stmt_store_update(req->ctx, st);
        st->refs -= 2;
        lh_stmt_free(st);
        return e;
    }
    pthread_mutex_lock(&st->mu);
    if (wait_ms == 0 || terminal(st->state)) {
        req->out = render(st);
        pthread_mutex_unlock(&st->mu);
        return LH_OK;
    }
    waiter *w = calloc(1, sizeof *w);
    if (w == NULL) {
        req->out = render(st);
        pthread_mutex_unlock(&st->mu);
        return LH_OK;
    }
    st->refs++; /* the waiter's, dropped by finish */
    w->ticket = lh_req_suspend(req, wait_ms, on_deadline, st);
    w->next = st->waiters;
    st->waiters = w;
    pthread_mutex_unlock(&st->mu);
    return LH_OK;
}

static lh_err no_access(const lh_req_t *req, const char *id, lh_errbuf *eb)
{
    LH_FAIL(LH_E_PERMISSION, eb, "User %s does not have permission to access statement '%s'",
            req->principal && req->principal->user_name ? req->principal->user_name : "?", id);
}

static bool mine(const lh_req_t *req, int64_t user_id)
{
    return req->principal && (req->principal->is_admin || req->principal->user_id == user_id);
}

/* The statement named in the path, visible to the caller (its user or an admin). When it
 * is no longer in memory (results expired, or a restart), *stored gets its stored status
 * instead and *out is NULL. */
static lh_err lookup(lh_req_t *req, stmt **out, json_t **stored, lh_errbuf *eb)
{
    const char *id = lh_req_path_param(req, 0);
    stmt *st = id ? find(of(req), id) : NULL;
    *out = NULL;
    *stored = NULL;
    if (st == NULL && id != NULL && strlen(id) < 40) {
        int64_t uid = 0;
        LH_TRY(lh_stmt_store_render(req->ctx, id, stored, &uid, eb));
        if (*stored != NULL && !mine(req, uid)) {
            json_decref(*stored);
            *stored = NULL;
            return no_access(req, id, eb);
        }
        if (*stored != NULL)
            return LH_OK;
    }
    LH_FAIL_IF(st == NULL, LH_E_NOT_FOUND, eb, "Statement '%s' does not exist", id ? id : "");
    if (!mine(req, st->user_id)) { /* another user's statement */
        stmt_unref(st);
        return no_access(req, id, eb);
    }
    *out = st;
    return LH_OK;
}

static lh_err h_get(lh_req_t *req, lh_errbuf *eb)
{
    stmt *st;
    json_t *stored;
    LH_TRY(lookup(req, &st, &stored, eb));
    if (st == NULL) {
        req->out = stored;
        return LH_OK;
    }
    pthread_mutex_lock(&st->mu);
    req->out = render(st);
    pthread_mutex_unlock(&st->mu);
    stmt_unref(st);
    return LH_OK;
}

static lh_err h_chunk(lh_req_t *req, lh_errbuf *eb)
{
    stmt *st;
    json_t *stored;
    LH_TRY(lookup(req, &st, &stored, eb));
    if (st == NULL) {
        const char *state =
            json_string_value(json_object_get(json_object_get(stored, "status"), "state"));
        lh_err e =
            lh_err_set(eb, LH_E_STATE, __FILE__, __LINE__, "Statement %s is %s, not SUCCEEDED",
                       lh_req_path_param(req, 0), state ? state : "CLOSED");
        json_decref(stored);
        return e;
    }
    char *end = NULL;
    const char *n = lh_req_path_param(req, 1);
    long i = n ? strtol(n, &end, 10) : -1;
    pthread_mutex_lock(&st->mu);
    lh_err e = LH_OK;
    if (st->state != ST_SUCCEEDED)
        e = lh_err_set(eb, LH_E_STATE, __FILE__, __LINE__, "Statement %s is %s, not SUCCEEDED",
                       st->id, state_names[st->state]);
    else if (end == NULL || *end != '\0' || i < 0 || i >= st->chunk_count)
        e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__, "chunk_index %s is out of range",
                       n ? n : "");
    else if (st->disposition == DISP_EXTERNAL_LINKS)
        req->out = lh_links_result(st, (int)i);
    else
        req->out = result_json(st, (int)i);
    pthread_mutex_unlock(&st->mu);
    stmt_unref(st);
    return e;
}

static lh_err h_cancel(lh_req_t *req, lh_errbuf *eb)
{
    stmt *st;
    json_t *stored;
    LH_TRY(lookup(req, &st, &stored, eb));
    if (st == NULL) { /* ended long ago: nothing to cancel */
        json_decref(stored);
        return LH_OK;
    }
    atomic_store(&st->cancel, true);
    pthread_mutex_lock(&st->mu);
    if (!terminal(st->state))
        finish(st, ST_CANCELED, NULL);
    pthread_mutex_unlock(&st->mu);
    stmt_unref(st);
    return LH_OK;
}

static lh_err h_history(lh_req_t *req, lh_errbuf *eb)
{
    return lh_stmt_store_history(req, eb);
}

/* ---- the sweeper and the area's part -------------------------------------------------- */

/* Forget statements whose results expired (their rows say CLOSED, FAILED or CANCELED),
 * delete their chunk files, then let the store close what is not in memory. */
static void sweep(void *arg)
{
    lh_statements_t *s = arg;
    int64_t now = lh_now_ms();
    pthread_mutex_lock(&s->mu);
    size_t it = 0;
    void *k, *v;
    while (lh_hashmap_next(s->table, &it, &k, &v)) {
        stmt *st = v;
        pthread_mutex_lock(&st->mu);
        bool old = terminal(st->state) && st->expires_ms > 0 && now >= st->expires_ms;
        bool files = old && st->disposition == DISP_EXTERNAL_LINKS;
        pthread_mutex_unlock(&st->mu);
        if (old) {
            lh_hashmap_remove(s->table, k);
            if (files)
                lh_links_remove(s->ctx->data_dir, st->id);
            stmt_unref(st);
        }
    }
    pthread_mutex_unlock(&s->mu);
    lh_stmt_store_sweep(s, now);
}

lh_err lh_statements_create(lh_ctx_t *ctx, lh_statements_t **out, lh_errbuf *eb)
{
    lh_statements_t *s = calloc(1, sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    s->ctx = ctx;
    pthread_mutex_init(&s->mu, NULL);
    s->table = lh_hashmap_create(&LH_HASHMAP_STR, 64);
    s->ttl_ms = ctx->config && ctx->config->result_ttl_ms > 0 ? ctx->config->result_ttl_ms
                                                              : LH_STATEMENT_RETENTION_MS;
    int64_t period = s->ttl_ms / 4 < 20 ? 20 : s->ttl_ms / 4 > 60000 ? 60000 : s->ttl_ms / 4;
    lh_err e = s->table ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = lh_stmt_shared_init(s, eb);
    if (e == LH_OK)
        e = lh_signed_url_open(ctx->data_dir, &s->signer, eb);
    if (e == LH_OK)
        e = lh_bg_executor(ctx->bg, "statements", LH_STATEMENT_THREADS, LH_STATEMENT_QUEUE_MAX,
                           &s->exec, eb);
    if (e == LH_OK)
        e = lh_bg_timer_add(ctx->bg, NULL, period, period, sweep, s, &s->sweeper, eb);
    if (e != LH_OK) {
        lh_stmt_shared_free(s);
        lh_signed_url_close(s->signer);
        lh_hashmap_destroy(s->table);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return e;
    }
    *out = s;
    return LH_OK;
}

void lh_statements_destroy(lh_statements_t *s)
{
    if (s == NULL)
        return;
    lh_bg_timer_cancel(s->sweeper);
    pthread_mutex_lock(&s->mu);
    size_t it = 0;
    void *v;
    while (lh_hashmap_next(s->table, &it, NULL, &v))
        atomic_store(&((stmt *)v)->cancel, true);
    pthread_mutex_unlock(&s->mu);
    lh_bg_executor_shutdown(s->exec); /* runners stop at their next batch */
    it = 0;
    while (lh_hashmap_next(s->table, &it, NULL, &v))
        stmt_unref(v);
    lh_hashmap_destroy(s->table);
    lh_stmt_shared_free(s);
    lh_signed_url_close(s->signer);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

lh_err lh_statements_recover(lh_statements_t *s, lh_errbuf *eb)
{
    return lh_stmt_store_recover(s, eb);
}

#define ST "/api/2.0/sql/statements"

static const lh_route_t routes[] = {
    {"POST", ST, h_submit, 0, NULL, 0},
    {"GET", ST "/{id}", h_get, 0, NULL, 0},
    {"GET", ST "/{id}/result/chunks/{n}", h_chunk, 0, NULL, 0},
    {"POST", ST "/{id}/cancel", h_cancel, 0, NULL, 0},
    {"GET", "/api/2.0/sql/history/queries", h_history, 0, NULL, 0},
    /* EXTERNAL_LINKS downloads: the signature in the query string is the credential */
    {"GET", "/api/2.0/sql/statement-results/{id}/{file}", lh_links_download, LH_ROUTE_NO_AUTH, NULL,
     0},
};

const lh_route_t *lh_statements_routes(int *count)
{
    *count = (int)(sizeof routes / sizeof routes[0]);
    return routes;
}
