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
#include "api/sql/warehouses.h"
#include "common/bg.h"
#include "common/hashmap.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"
#include "compute/func/format.h"
#include "compute/query/query.h"
#include "compute/sqlerr.h"

typedef enum { ST_PENDING, ST_RUNNING, ST_SUCCEEDED, ST_FAILED, ST_CANCELED, ST_CLOSED } st_state;
static const char *const state_names[] = {"PENDING", "RUNNING",  "SUCCEEDED",
                                          "FAILED",  "CANCELED", "CLOSED"};

typedef struct chunk {
    int64_t row_offset, row_count, byte_count;
    json_t *rows; /* array of arrays of strings or null */
} chunk;

typedef struct waiter {
    lh_suspend_t *ticket;
    struct waiter *next;
} waiter;

typedef struct stmt {
    char id[40];
    struct lh_statements *owner;
    pthread_mutex_t mu; /* guards everything below but the immutable request fields */
    int refs;           /* table + runner + one per in-flight render (atomic under mu) */
    st_state state;
    atomic_bool cancel;
    /* the request (immutable after submit) */
    char *sql, *warehouse_id, *catalog, *schema, *user;
    lh_sql_session_t *session; /* session_id's (referenced), or NULL: a fresh one */
    bool cat_given, sch_given; /* given with a session: USE them for it */
    int64_t user_id;
    int64_t row_limit, byte_limit;
    int param_count;
    char **param_names;
    lh_value_t *param_values;
    bool cancel_on_timeout;
    /* the answer */
    json_t *columns; /* manifest.schema.columns */
    chunk *chunks;
    int chunk_count, chunk_cap;
    int64_t total_rows, total_bytes;
    bool truncated;
    char *error_code, *error_message, *sql_state;
    waiter *waiters;
    int64_t ended_ms;
    /* for query history */
    int64_t submitted_ms, started_ms;
    char statement_type[24];
    lh_exec_stats_t stats;
    int64_t compile_ns;
} stmt;

struct lh_statements {
    lh_ctx_t *ctx;
    pthread_mutex_t mu;  /* guards table */
    lh_hashmap_t *table; /* id -> stmt */
    lh_bg_executor_t *exec;
    lh_bg_timer_t *sweeper;
};

static lh_statements_t *of(const lh_req_t *req)
{
    return req->ctx->statements;
}

/* ---- statement memory ---------------------------------------------------------------- */

static void stmt_free(stmt *st)
{
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
        stmt_free(st);
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

static json_t *manifest(const stmt *st)
{
    json_t *chunks = json_array();
    for (int i = 0; i < st->chunk_count; i++)
        json_array_append_new(chunks, chunk_json(st, i, false));
    return json_pack("{s:s, s:{s:I, s:O}, s:i, s:I, s:I, s:b, s:o}", "format", "JSON_ARRAY",
                     "schema", "column_count", (json_int_t)json_array_size(st->columns), "columns",
                     st->columns, "total_chunk_count", st->chunk_count, "total_row_count",
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
        json_object_set_new(out, "manifest", manifest(st));
        if (st->chunk_count > 0)
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
        json_t *v = json_stringn(text, n);
        json_array_append_new(row, v ? v : json_string("\xef\xbf\xbd")); /* not UTF-8 */
        *bytes += (int64_t)n + 3;
    }
    return row;
}

static lh_err on_batch(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    sink_ctx *k = ctx;
    stmt *st = k->st;
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
    st->state = state;
    st->ended_ms = lh_now_ms();
    if (state == ST_FAILED && eb != NULL) {
        st->error_code = strdup(wire_code(eb));
        st->error_message = strdup(eb->msg[0] ? eb->msg : "the statement failed");
        st->sql_state = eb->error_code ? strdup(lh_sqlerr_state(eb->error_code)) : NULL;
    }
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
    if (st->state == ST_PENDING)
        st->state = ST_RUNNING;
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
                         .memory_limit_bytes = LH_QUERY_MEMORY_DEFAULT,
                         .cancel = &st->cancel,
                         .param_count = st->param_count,
                         .param_names = (const char *const *)st->param_names,
                         .param_values = st->param_values};
    lh_query_sink_t sink = {&k, on_schema, on_batch};
    lh_query_info_t info;
    pthread_mutex_lock(&st->mu);
    st->started_ms = lh_now_ms();
    pthread_mutex_unlock(&st->mu);
    lh_err e = lh_query_run(st->sql, strlen(st->sql), session, &o, &sink, a, &info, eb);
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

static lh_err check_enum(const json_t *p, const char *key, const char *const *ok,
                         const char *const *later, const char **out, lh_errbuf *eb)
{
    const char *v = NULL;
    LH_TRY(lh_json_get_str(p, key, LH_OPTIONAL, &v, eb));
    *out = v ? v : ok[0];
    for (int i = 0; ok[i]; i++)
        if (strcmp(*out, ok[i]) == 0)
            return LH_OK;
    for (int i = 0; later && later[i]; i++)
        LH_FAIL_IF(strcmp(*out, later[i]) == 0, LH_E_NOT_IMPLEMENTED, eb,
                   "%s %s is not implemented yet in this Lakehouse build (use the default)", key,
                   *out);
    LH_FAIL(LH_E_INVALID, eb, "%s: unknown value '%s'", key, *out);
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
    const char *sql = NULL, *wh = NULL, *cat = NULL, *sch = NULL, *sid = NULL, *dummy;
    int64_t row_limit = 0, byte_limit = 0;
    static const char *const on_to[] = {"CONTINUE", "CANCEL", NULL};
    static const char *const disp[] = {"INLINE", NULL}, *const disp_later[] = {"EXTERNAL_LINKS",
                                                                               NULL};
    static const char *const fmt[] = {"JSON_ARRAY", NULL}, *const fmt_later[] = {"ARROW_STREAM",
                                                                                 "CSV", NULL};
    const char *on_timeout;
    LH_TRY(lh_json_get_str(p, "statement", LH_REQUIRED, &sql, eb));
    LH_TRY(lh_json_get_str(p, "warehouse_id", LH_REQUIRED, &wh, eb));
    LH_TRY(lh_json_get_str(p, "catalog", LH_OPTIONAL, &cat, eb));
    LH_TRY(lh_json_get_str(p, "schema", LH_OPTIONAL, &sch, eb));
    LH_TRY(lh_json_get_str(p, "session_id", LH_OPTIONAL, &sid, eb));
    LH_TRY(lh_json_get_int_range(p, "row_limit", LH_OPTIONAL, 0, INT64_MAX, &row_limit, eb));
    LH_TRY(lh_json_get_int_range(p, "byte_limit", LH_OPTIONAL, 0, INT64_MAX, &byte_limit, eb));
    LH_TRY(parse_wait(p, wait_ms, eb));
    LH_TRY(check_enum(p, "on_wait_timeout", on_to, NULL, &on_timeout, eb));
    LH_TRY(check_enum(p, "disposition", disp, disp_later, &dummy, eb));
    LH_TRY(check_enum(p, "format", fmt, fmt_later, &dummy, eb));
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
        st->session = lh_sql_session_get(req->ctx->sql_sessions, sid,
                                         req->principal ? req->principal->user_id : -1);
        if (st->session == NULL) {
            stmt_free(st);
            LH_FAIL(LH_E_NOT_FOUND, eb, "Session '%s' does not exist", sid);
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
    st->cancel_on_timeout = strcmp(on_timeout, "CANCEL") == 0;
    st->submitted_ms = lh_now_ms();
    lh_err e = parse_params(p, st, eb);
    if (e == LH_OK && (!st->sql || !st->warehouse_id || !st->catalog || !st->schema || !st->user))
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e != LH_OK) {
        stmt_free(st);
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
    pthread_mutex_lock(&s->mu);
    lh_err e = lh_hashmap_put(s->table, st->id, st, eb);
    pthread_mutex_unlock(&s->mu);
    if (e != LH_OK) {
        stmt_free(st);
        return e;
    }
    st->refs++; /* the runner's */
    e = lh_bg_post(s->exec, run_task, st, eb);
    if (e != LH_OK) { /* queue full: forget it (429) */
        pthread_mutex_lock(&s->mu);
        lh_hashmap_remove(s->table, st->id);
        pthread_mutex_unlock(&s->mu);
        st->refs -= 2;
        stmt_free(st);
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

/* The statement named in the path, visible to the caller (its user or an admin). */
static lh_err lookup(lh_req_t *req, stmt **out, lh_errbuf *eb)
{
    const char *id = lh_req_path_param(req, 0);
    stmt *st = id ? find(of(req), id) : NULL;
    LH_FAIL_IF(st == NULL, LH_E_NOT_FOUND, eb, "Statement '%s' does not exist", id ? id : "");
    bool mine =
        req->principal && (req->principal->is_admin || req->principal->user_id == st->user_id);
    if (!mine) { /* another user's statement */
        stmt_unref(st);
        LH_FAIL(LH_E_PERMISSION, eb, "User %s does not have permission to access statement '%s'",
                req->principal && req->principal->user_name ? req->principal->user_name : "?", id);
    }
    *out = st;
    return LH_OK;
}

static lh_err h_get(lh_req_t *req, lh_errbuf *eb)
{
    stmt *st;
    LH_TRY(lookup(req, &st, eb));
    pthread_mutex_lock(&st->mu);
    req->out = render(st);
    pthread_mutex_unlock(&st->mu);
    stmt_unref(st);
    return LH_OK;
}

static lh_err h_chunk(lh_req_t *req, lh_errbuf *eb)
{
    stmt *st;
    LH_TRY(lookup(req, &st, eb));
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
    else
        req->out = result_json(st, (int)i);
    pthread_mutex_unlock(&st->mu);
    stmt_unref(st);
    return e;
}

static lh_err h_cancel(lh_req_t *req, lh_errbuf *eb)
{
    stmt *st;
    LH_TRY(lookup(req, &st, eb));
    atomic_store(&st->cancel, true);
    pthread_mutex_lock(&st->mu);
    if (!terminal(st->state))
        finish(st, ST_CANCELED, NULL);
    pthread_mutex_unlock(&st->mu);
    stmt_unref(st);
    return LH_OK;
}

/* ---- query history: GET /api/2.0/sql/history/queries ------------------------------------
 * The statements still kept (LH_STATEMENT_RETENTION_MS after they ended; a restart forgets
 * them), newest first, with Databricks' filters and a keyset page token
 * "<query_start_time_ms>:<query_id>" of the last row. Non-admins see their own only. */

static const char *history_status(st_state x)
{
    static const char *const names[] = {"QUEUED", "RUNNING",  "FINISHED",
                                        "FAILED", "CANCELED", "FINISHED"};
    return names[x];
}

static json_t *query_info(const stmt *st, bool metrics)
{
    int64_t end = st->ended_ms ? st->ended_ms : 0;
    json_t *q = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:b}", "query_id", st->id,
        "status", history_status(st->state), "query_text", st->sql, "statement_type",
        st->statement_type[0] ? st->statement_type : "OTHER", "warehouse_id", st->warehouse_id,
        "endpoint_id", st->warehouse_id, "user_id", (json_int_t)st->user_id, "user_name", st->user,
        "executed_as_user_name", st->user, "query_start_time_ms", (json_int_t)st->submitted_ms,
        "rows_produced", (json_int_t)st->total_rows, "is_final", terminal(st->state));
    if (end) {
        lh_json_set_int(q, "query_end_time_ms", end);
        lh_json_set_int(q, "execution_end_time_ms", end);
        lh_json_set_int(q, "duration", end - st->submitted_ms);
    }
    if (st->state == ST_FAILED && st->error_message)
        json_object_set_new(q, "error_message", json_string(st->error_message));
    if (metrics)
        json_object_set_new(q, "metrics",
                            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "total_time_ms",
                                      (json_int_t)(end ? end - st->submitted_ms : 0),
                                      "compilation_time_ms", (json_int_t)(st->compile_ns / 1000000),
                                      "execution_time_ms",
                                      (json_int_t)(st->stats.execution_ns / 1000000), "read_bytes",
                                      (json_int_t)st->stats.bytes_read, "rows_read_count",
                                      (json_int_t)st->stats.rows_read, "rows_produced_count",
                                      (json_int_t)st->total_rows, "pruned_files_count",
                                      (json_int_t)st->stats.files_pruned, "spill_to_disk_bytes",
                                      (json_int_t)st->stats.spill_bytes));
    return q;
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

typedef struct hist_row {
    stmt *st;
    int64_t start;
} hist_row;

static int cmp_hist(const void *a, const void *b)
{
    const hist_row *x = a, *y = b;
    if (x->start != y->start)
        return x->start > y->start ? -1 : 1;
    return strcmp(x->st->id, y->st->id);
}

static bool visible(const lh_req_t *req, const stmt *st, const json_t *filter)
{
    char uid[32], ts[32];
    snprintf(uid, sizeof uid, "%lld", (long long)st->user_id);
    if (!req->principal->is_admin && req->principal->user_id != st->user_id)
        return false;
    const json_t *range = filter ? json_object_get(filter, "query_start_time_range") : NULL;
    int64_t lo = 0, hi = INT64_MAX;
    if (json_is_object(range)) {
        lh_json_get_int_range(range, "start_time_ms", LH_OPTIONAL, 0, INT64_MAX, &lo, NULL);
        lh_json_get_int_range(range, "end_time_ms", LH_OPTIONAL, 0, INT64_MAX, &hi, NULL);
    }
    (void)ts;
    return filter_has(filter, "statuses", history_status(st->state)) &&
           filter_has(filter, "user_ids", uid) &&
           filter_has(filter, "warehouse_ids", st->warehouse_id) &&
           filter_has(filter, "statement_ids", st->id) && st->submitted_ms >= lo &&
           st->submitted_ms <= hi;
}

static lh_err h_history(lh_req_t *req, lh_errbuf *eb)
{
    lh_statements_t *s = of(req);
    const json_t *filter = json_object_get(req->params, "filter_by");
    int64_t max = 0;
    bool metrics = false;
    const char *token = NULL;
    LH_TRY(lh_json_get_int_range(req->params, "max_results", LH_OPTIONAL, 0, LH_PAGE_SIZE_MAX, &max,
                                 eb));
    LH_TRY(lh_json_get_bool(req->params, "include_metrics", LH_OPTIONAL, &metrics, eb));
    LH_TRY(lh_json_get_str(req->params, "page_token", LH_OPTIONAL, &token, eb));
    int64_t after_start = INT64_MAX;
    char after_id[40] = "";
    if (token != NULL && *token) {
        char *colon = strchr(token, ':');
        LH_FAIL_IF(colon == NULL || colon - token > 20 || strlen(colon + 1) >= sizeof after_id,
                   LH_E_INVALID, eb, "Invalid page_token");
        after_start = atoll(token);
        snprintf(after_id, sizeof after_id, "%s", colon + 1);
    }
    if (max == 0)
        max = LH_PAGE_SIZE_DEFAULT;
    json_t *res = json_array();
    pthread_mutex_lock(&s->mu);
    size_t n = lh_hashmap_count(s->table), k = 0, it = 0;
    hist_row *rows = calloc(n + 1, sizeof *rows);
    void *v;
    while (rows && lh_hashmap_next(s->table, &it, NULL, &v)) {
        stmt *st = v;
        pthread_mutex_lock(&st->mu);
        if (visible(req, st, filter))
            rows[k++] = (hist_row){st, st->submitted_ms};
        pthread_mutex_unlock(&st->mu);
    }
    qsort(rows, k, sizeof *rows, cmp_hist);
    int64_t emitted = 0;
    const stmt *last = NULL;
    bool more = false;
    for (size_t i = 0; rows && i < k; i++) {
        const stmt *st = rows[i].st;
        if (rows[i].start > after_start ||
            (rows[i].start == after_start && strcmp(st->id, after_id) <= 0))
            continue; /* before the token */
        if (emitted == max) {
            more = true;
            break;
        }
        pthread_mutex_lock((pthread_mutex_t *)&st->mu);
        json_array_append_new(res, query_info(st, metrics));
        pthread_mutex_unlock((pthread_mutex_t *)&st->mu);
        last = st;
        emitted++;
    }
    char next[80] = "";
    if (more && last)
        snprintf(next, sizeof next, "%lld:%s", (long long)last->submitted_ms, last->id);
    pthread_mutex_unlock(&s->mu);
    free(rows);
    req->out = json_pack("{s:o, s:b}", "res", res, "has_next_page", more);
    if (more)
        json_object_set_new(req->out, "next_page_token", json_string(next));
    return LH_OK;
}

/* ---- the sweeper and the area's part -------------------------------------------------- */

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
        bool old = terminal(st->state) && now - st->ended_ms > LH_STATEMENT_RETENTION_MS;
        pthread_mutex_unlock(&st->mu);
        if (old) {
            lh_hashmap_remove(s->table, k);
            stmt_unref(st);
        }
    }
    pthread_mutex_unlock(&s->mu);
}

lh_err lh_statements_create(lh_ctx_t *ctx, lh_statements_t **out, lh_errbuf *eb)
{
    lh_statements_t *s = calloc(1, sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    s->ctx = ctx;
    pthread_mutex_init(&s->mu, NULL);
    s->table = lh_hashmap_create(&LH_HASHMAP_STR, 64);
    lh_err e = s->table ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = lh_bg_executor(ctx->bg, "statements", LH_STATEMENT_THREADS, LH_STATEMENT_QUEUE_MAX,
                           &s->exec, eb);
    if (e == LH_OK)
        e = lh_bg_timer_add(ctx->bg, NULL, 60000, 60000, sweep, s, &s->sweeper, eb);
    if (e != LH_OK) {
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
    pthread_mutex_destroy(&s->mu);
    free(s);
}

#define ST "/api/2.0/sql/statements"

static const lh_route_t routes[] = {
    {"POST", ST, h_submit, 0, NULL, 0},
    {"GET", ST "/{id}", h_get, 0, NULL, 0},
    {"GET", ST "/{id}/result/chunks/{n}", h_chunk, 0, NULL, 0},
    {"POST", ST "/{id}/cancel", h_cancel, 0, NULL, 0},
    {"GET", "/api/2.0/sql/history/queries", h_history, 0, NULL, 0},
};

const lh_route_t *lh_statements_routes(int *count)
{
    *count = (int)(sizeof routes / sizeof routes[0]);
    return routes;
}
