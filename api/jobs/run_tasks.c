/*
 * run_tasks.c - task bodies: one function per task type, chosen by the table `kinds`
 * (adding a type is one row and one function). Each runs on a "jobs-runs" executor
 * thread without the runs mutex, from a snapshot of the task's settings with every
 * reference already substituted (run_engine.c exec_task), and reports a task_result_t.
 *
 *   sql_task        query{query_text} (Lakehouse extension) or file{path} (a SQL notebook
 *                   in the workspace) on warehouse_id; parameters bound as :name
 *   spark_python_task, python_wheel_task, and notebook_task on a PYTHON notebook: a python3
 *                   subprocess (run_python.c)
 *   notebook_task   a SQL notebook's cells in one engine session (USE and temp views carry
 *                   over), %md cells skipped, ${widget} and :name from base_parameters,
 *                   run-now notebook_params and job parameters; on warehouse_id, else
 *                   existing_cluster_id's pool, else the run's job cluster's pool
 *                   (new_cluster, job_cluster_key: lh_run_job_cluster), else the runs'
 *                   default pool (up to 4 threads, made on first use)
 *   condition_task  left op right -> outcome "true"/"false"
 *   run_job_task    starts a run of another job and waits for it without a thread
 *   for_each_task   checks inputs; the engine runs the iterations
 *   others          fail with a clear message
 * The first row of the last statement's answer becomes the task's values.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/clusters/clusters.h"
#include "api/jobs/run_internal.h"
#include "api/sql/sql.h"
#include "api/workspace/workspace.h"
#include "common/config.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"
#include "compute/func/format.h"
#include "compute/func/tz.h"
#include "compute/pool.h"
#include "compute/query/query.h"

#define OUT_ROWS_MAX   1000
#define OUT_RESULT_MAX (1024 * 1024)
#define START_WAIT_MS  120000

static void fail(task_result_t *res, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(task_result_t *res, const char *code, const char *fmt, ...)
{
    char buf[LH_ERRBUF_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    res->rs = RS_FAILED;
    res->code = code;
    free(res->message);
    res->message = strdup(buf);
    if (res->output == NULL)
        res->output = json_object();
    json_object_set_new(res->output, "error", json_string(buf));
    json_object_set_new(res->output, "error_trace", json_string(buf));
}

static const char *code_of(lh_err e)
{
    return e == LH_E_NOT_FOUND ? "RESOURCE_NOT_FOUND" : "RUN_EXECUTION_ERROR";
}

/* ---- compute: a warehouse or a cluster's pool ---- */

typedef struct compute {
    lh_ctx_t *ctx;
    const char *warehouse_id, *cluster_id;
    lh_pool_t *pool;
    bool is_default;   /* the runs' own pool: nothing to release */
    char *job_cluster; /* a job cluster made for the run (cluster_id points here) */
} compute;

static lh_err compute_acquire(task_ctx_t *tc, compute *c, lh_errbuf *eb)
{
    if (c->warehouse_id != NULL) {
        int64_t until = lh_now_ms() + START_WAIT_MS;
        for (;;) {
            lh_errbuf tmp;
            lh_errbuf_clear(&tmp);
            int conc = 0;
            lh_err e = lh_warehouse_acquire(c->ctx, c->warehouse_id, &c->pool, &conc, &tmp);
            if (e == LH_OK)
                return LH_OK;
            bool starting = e == LH_E_STATE && strstr(tmp.msg, "starting") != NULL;
            if (!starting || lh_now_ms() > until || atomic_load(&tc->t->cancel)) {
                if (e == LH_E_NOT_FOUND)
                    LH_FAIL(e, eb, "Warehouse %s does not exist.", c->warehouse_id);
                *eb = tmp;
                return e;
            }
            struct timespec ts = {0, 20 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (c->cluster_id == NULL) { /* new_cluster / job_cluster_key: the run's job cluster */
        LH_TRY(lh_run_job_cluster(tc, &c->job_cluster, eb));
        c->cluster_id = c->job_cluster;
    }
    if (c->cluster_id == NULL) { /* no compute named: the default pool */
        lh_jobs_runs_t *r = tc->r;
        pthread_mutex_lock(&r->mu);
        if (r->default_pool == NULL) {
            int n = lh_cpu_count();
            r->default_pool = lh_pool_create("jobs-default", n < 1 ? 1 : n > 4 ? 4 : n);
        }
        c->pool = r->default_pool;
        c->is_default = true;
        pthread_mutex_unlock(&r->mu);
        LH_FAIL_IF(c->pool == NULL, LH_E_IO, eb, "the jobs' default compute pool cannot start");
        return LH_OK;
    }
    lh_err e = lh_clusters_acquire_pool(c->ctx->clusters, c->cluster_id, &c->pool, eb);
    if (e == LH_E_NOT_FOUND)
        LH_FAIL(e, eb, "Cluster %s does not exist.", c->cluster_id);
    return e;
}

static void compute_release(compute *c)
{
    if (c->pool != NULL && !c->is_default) {
        if (c->warehouse_id != NULL)
            lh_warehouse_release(c->ctx, c->warehouse_id);
        else
            lh_clusters_release_pool(c->ctx->clusters, c->cluster_id);
    }
    c->pool = NULL;
    free(c->job_cluster);
    c->job_cluster = NULL;
    c->cluster_id = NULL;
}

/* ---- running SQL text and capturing its answer ---- */

typedef struct capture {
    json_t *columns; /* [name] */
    json_t *rows;    /* [[text|null]] up to OUT_ROWS_MAX */
    int64_t row_count;
    const lh_tz_t *tz;
} capture;

static lh_err cap_schema(void *ctx, const lh_query_columns_t *cols, lh_errbuf *eb)
{
    capture *c = ctx;
    json_decref(c->columns);
    json_decref(c->rows);
    c->columns = json_array();
    c->rows = json_array();
    c->row_count = 0;
    for (int i = 0; i < cols->count; i++)
        json_array_append_new(c->columns, json_string(cols->names[i] ? cols->names[i] : ""));
    LH_FAIL_IF(c->columns == NULL || c->rows == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

static lh_err cap_batch(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    capture *c = ctx;
    for (size_t r = 0; r < b->row_count; r++, c->row_count++) {
        if (c->row_count >= OUT_ROWS_MAX)
            continue;
        json_t *row = json_array();
        for (int k = 0; k < b->col_count; k++) {
            if (!lh_vec_is_valid(b->cols[k], r)) {
                json_array_append_new(row, json_null());
                continue;
            }
            char buf[LH_FMT_MAX];
            const char *text;
            size_t n = lh_format_vec(b->cols[k], r, c->tz, LH_FMT_RESULT, buf, &text);
            json_t *v = json_stringn(n ? text : "", n);
            json_array_append_new(row, v ? v : json_string("\xef\xbf\xbd"));
        }
        LH_FAIL_IF(json_array_append_new(c->rows, row) != 0, LH_E_NOMEM, eb, "out of memory");
    }
    return LH_OK;
}

static void cap_free(capture *c)
{
    json_decref(c->columns);
    json_decref(c->rows);
    memset(c, 0, sizeof *c);
}

/* Named parameters from params (name -> string). */
typedef struct binds {
    int count;
    const char **names;
    lh_value_t *values;
} binds;

static void binds_make(const json_t *params, binds *b)
{
    size_t n = json_object_size(params);
    b->names = calloc(n + 1, sizeof *b->names);
    b->values = calloc(n + 1, sizeof *b->values);
    b->count = 0;
    if (b->names == NULL || b->values == NULL)
        return;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)params, k, v)
    {
        const char *s = json_string_value(v);
        b->names[b->count] = k;
        b->values[b->count++] = s ? (lh_value_t){.type = {LH_TYPE_STRING},
                                                 .v.str = {(const uint8_t *)s, (uint32_t)strlen(s)}}
                                  : (lh_value_t){.type = {LH_TYPE_NULL}, .is_null = true};
    }
}

static void binds_free(binds *b)
{
    free(b->names);
    free(b->values);
}

typedef struct sql_env {
    task_ctx_t *tc;
    compute comp;
    lh_session_t *session;
    binds b;
    capture cap;
    int64_t memory_limit;
} sql_env;

static lh_err env_open(task_ctx_t *tc, sql_env *env, const char *wh, const char *cluster,
                       lh_errbuf *eb)
{
    memset(env, 0, sizeof *env);
    env->tc = tc;
    env->comp = (compute){tc->r->j->ctx, wh, cluster, NULL, false, NULL};
    const lh_config_t *cfg = tc->r->j->ctx->config;
    env->memory_limit = cfg && cfg->query_memory_limit_bytes > 0 ? cfg->query_memory_limit_bytes
                                                                 : LH_QUERY_MEMORY_DEFAULT;
    LH_TRY(compute_acquire(tc, &env->comp, eb));
    env->session = lh_session_create(NULL, NULL);
    LH_FAIL_IF(env->session == NULL, LH_E_NOMEM, eb, "out of memory");
    env->cap.tz = lh_tz_get(lh_session_conf(env->session)->time_zone);
    binds_make(tc->params, &env->b);
    return LH_OK;
}

static void env_close(sql_env *env)
{
    if (env->session != NULL)
        lh_session_destroy(env->session);
    compute_release(&env->comp);
    binds_free(&env->b);
    cap_free(&env->cap);
}

/* Substitute (again: ${widgets} and references inside file text) and run. */
static lh_err env_run(sql_env *env, const char *text, size_t bytes, lh_errbuf *eb)
{
    char *sql = NULL;
    LH_TRY(lh_run_subst(text, bytes, lh_run_task_ref, env->tc, &sql, eb));
    lh_arena_t *a = lh_arena_create();
    lh_query_opts_t o = {.resolver = env->tc->r->j->ctx->resolver,
                         .user = env->tc->t->run->creator,
                         .pool = env->comp.pool,
                         .memory_limit_bytes = env->memory_limit,
                         .cancel = &env->tc->t->cancel,
                         .param_count = env->b.count,
                         .param_names = env->b.names,
                         .param_values = env->b.values};
    lh_query_sink_t sink = {&env->cap, cap_schema, cap_batch};
    lh_query_info_t info;
    memset(&info, 0, sizeof info);
    lh_err e = a ? lh_query_run(sql, strlen(sql), env->session, &o, &sink, a, &info, eb)
                 : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    lh_arena_destroy(a);
    free(sql);
    return e;
}

/* The first row as {column: value}. */
static json_t *values_of(const capture *c)
{
    json_t *row = json_array_get(c->rows, 0);
    if (row == NULL)
        return NULL;
    json_t *o = json_object();
    for (size_t i = 0; i < json_array_size(c->columns); i++)
        json_object_set(o, json_string_value(json_array_get(c->columns, i)),
                        json_array_get(row, i));
    return o;
}

/* The answer as text: the value itself for one row and one column, else a small table. */
static void result_text(const capture *c, json_t *out)
{
    size_t ncol = json_array_size(c->columns);
    char *buf = malloc(OUT_RESULT_MAX + 1);
    if (buf == NULL)
        return;
    size_t n = 0;
    bool truncated = c->row_count > OUT_ROWS_MAX;
    if (c->columns == NULL) {
        buf[0] = '\0';
    } else if (ncol == 1 && c->row_count == 1) {
        const char *v = json_string_value(json_array_get(json_array_get(c->rows, 0), 0));
        n = (size_t)snprintf(buf, OUT_RESULT_MAX + 1, "%s", v ? v : "null");
    } else {
        for (size_t i = 0; i < ncol && n < OUT_RESULT_MAX; i++)
            n += (size_t)snprintf(buf + n, OUT_RESULT_MAX + 1 - n, "%s%s", i ? "|" : "",
                                  json_string_value(json_array_get(c->columns, i)));
        size_t r;
        json_t *row;
        json_array_foreach(c->rows, r, row)
        {
            for (size_t i = 0; i < ncol && n < OUT_RESULT_MAX; i++) {
                const char *v = json_string_value(json_array_get(row, i));
                n += (size_t)snprintf(buf + n, OUT_RESULT_MAX + 1 - n, "%s%s", i ? "|" : "\n",
                                      v ? v : "null");
            }
        }
    }
    if (n > OUT_RESULT_MAX) {
        n = OUT_RESULT_MAX;
        truncated = true;
    }
    json_t *nb = json_object();
    json_t *text = json_stringn(buf, n); /* NULL for bytes that are not UTF-8 */
    json_object_set_new(nb, "result", text ? text : json_string(""));
    json_object_set_new(nb, "truncated", json_boolean(truncated));
    json_object_set_new(out, "notebook_output", nb);
    free(buf);
}

/* ---- sql_task ---- */

static void set_sql_output(task_result_t *res, const sql_env *env, const char *text, const char *wh)
{
    json_t *q = json_object();
    lh_json_set_str(q, "query_text", text);
    lh_json_set_str(q, "warehouse_id", wh);
    lh_json_set_str(q, "endpoint_id", wh);
    if (env->cap.columns) {
        json_object_set(q, "columns", env->cap.columns);
        json_object_set(q, "data_array", env->cap.rows);
        json_object_set_new(q, "row_count", json_integer(env->cap.row_count));
    }
    if (res->output == NULL)
        res->output = json_object();
    json_object_set_new(res->output, "sql_output", json_pack("{s:o}", "query_output", q));
}

/* Run every code cell of the notebook at path in env's session. */
static lh_err run_notebook(sql_env *env, const char *path, task_result_t *res, lh_errbuf *eb)
{
    lh_arena_t *a = lh_arena_create();
    LH_FAIL_IF(a == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_notebook_t nb;
    lh_err e = lh_workspace_notebook_cells(env->tc->r->j->ctx, path, a, &nb, eb);
    if (e == LH_E_NOT_FOUND)
        e = lh_err_set(eb, LH_E_NOT_FOUND, __FILE__, __LINE__,
                       "Notebook %s does not exist or is not accessible.", path);
    if (e == LH_OK && strcmp(nb.language, "SQL") != 0)
        e = lh_err_set(eb, LH_E_UNSUPPORTED, __FILE__, __LINE__,
                       "%s is a %s notebook: only SQL notebooks run in Lakehouse jobs so far "
                       "(Python, Scala and R notebooks are not built yet)",
                       path, nb.language);
    for (size_t i = 0; e == LH_OK && i < nb.cell_count; i++) {
        const lh_nb_cell_t *c = &nb.cells[i];
        if (c->magic != NULL &&
            (strcmp(c->magic, "md") == 0 || strcmp(c->magic, "md-sandbox") == 0))
            continue;
        if (c->language == NULL || strcmp(c->language, "SQL") != 0) {
            e = lh_err_set(eb, LH_E_UNSUPPORTED, __FILE__, __LINE__,
                           "cell %zu of %s: %%%s cells are not supported in Lakehouse jobs yet",
                           i + 1, path, c->magic ? c->magic : "?");
            break;
        }
        if (atomic_load(&env->tc->t->cancel))
            e = lh_err_set(eb, LH_E_STATE, __FILE__, __LINE__, "canceled");
        else if (c->text_bytes > 0)
            e = env_run(env, c->text, c->text_bytes, eb);
    }
    (void)res;
    lh_arena_destroy(a);
    return e;
}

static void sql_task(task_ctx_t *tc, const json_t *task, task_result_t *res)
{
    const char *wh = json_string_value(json_object_get(task, "warehouse_id"));
    json_t *query = json_object_get(task, "query"), *file = json_object_get(task, "file");
    const char *text = json_string_value(json_object_get(query, "query_text"));
    const char *path = json_string_value(json_object_get(file, "path"));
    if (query != NULL && text == NULL) {
        fail(res, "INVALID_RUN_CONFIGURATION",
             "sql_task.query.query_id: saved queries are not available in Lakehouse yet; give "
             "the SQL as sql_task.query.query_text");
        return;
    }
    if (text == NULL && path == NULL) {
        fail(res, "INVALID_RUN_CONFIGURATION",
             "sql_task: only query (query_text) and file are supported; alerts and dashboards "
             "are not available in Lakehouse yet");
        return;
    }
    if (wh == NULL) {
        fail(res, "INVALID_RUN_CONFIGURATION", "sql_task.warehouse_id is required");
        return;
    }
    /* :name values: job parameters, then the task's parameters, then run-now's sql_params */
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(task, "parameters"), k, v) if (json_is_string(v))
        json_object_set(tc->params, k, v);
    json_object_foreach(json_object_get(tc->t->run->overrides, "sql_params"), k,
                        v) if (json_is_string(v)) json_object_set(tc->params, k, v);
    sql_env env;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_err e = env_open(tc, &env, wh, NULL, &eb);
    if (e == LH_OK)
        e = text ? env_run(&env, text, strlen(text), &eb) : run_notebook(&env, path, res, &eb);
    if (e == LH_OK) {
        res->rs = RS_SUCCESS;
        res->values = values_of(&env.cap);
    }
    set_sql_output(res, &env, text ? text : path, wh);
    if (e != LH_OK)
        fail(res, code_of(e), "%s", eb.msg);
    env_close(&env);
}

/* ---- notebook_task ---- */

static void notebook_task(task_ctx_t *tc, const json_t *task, task_result_t *res)
{
    const char *path = json_string_value(json_object_get(task, "notebook_path"));
    const char *wh = json_string_value(json_object_get(task, "warehouse_id"));
    const char *cl = json_string_value(json_object_get(tc->settings, "existing_cluster_id"));
    if (path == NULL) {
        fail(res, "INVALID_RUN_CONFIGURATION", "notebook_task.notebook_path is required");
        return;
    }
    /* widgets: base_parameters, then run-now's notebook_params */
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(task, "base_parameters"), k, v) if (json_is_string(v))
        json_object_set(tc->params, k, v);
    json_object_foreach(json_object_get(tc->t->run->overrides, "notebook_params"), k,
                        v) if (json_is_string(v)) json_object_set(tc->params, k, v);
    if (wh == NULL && lh_run_python_notebook_task(tc, path, res))
        return;
    sql_env env;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_err e = env_open(tc, &env, wh, wh ? NULL : cl, &eb);
    if (e == LH_OK)
        e = run_notebook(&env, path, res, &eb);
    res->output = json_object();
    if (e == LH_OK) {
        res->rs = RS_SUCCESS;
        res->values = values_of(&env.cap);
        result_text(&env.cap, res->output);
    } else {
        fail(res, code_of(e), "%s", eb.msg);
    }
    env_close(&env);
}

/* ---- condition_task, run_job_task, for_each_task, the rest ---- */

static void condition_task(task_ctx_t *tc, const json_t *task, task_result_t *res)
{
    (void)tc;
    const char *op = json_string_value(json_object_get(task, "op"));
    const char *l = json_string_value(json_object_get(task, "left"));
    const char *r = json_string_value(json_object_get(task, "right"));
    bool out = false;
    lh_errbuf eb;
    if (l == NULL || r == NULL) {
        fail(res, "INVALID_RUN_CONFIGURATION", "condition_task needs left and right strings");
        return;
    }
    if (lh_run_condition(op, l, r, &out, &eb) != LH_OK) {
        fail(res, "INVALID_RUN_CONFIGURATION", "%s", eb.msg);
        return;
    }
    res->rs = RS_SUCCESS;
    res->outcome = out ? 1 : 0;
}

static void run_job_task(task_ctx_t *tc, const json_t *task, task_result_t *res)
{
    int64_t job_id = 0;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_json_get_int(task, "job_id", LH_REQUIRED, &job_id, &eb) != LH_OK) {
        fail(res, "INVALID_RUN_CONFIGURATION", "run_job_task.%s", eb.msg);
        return;
    }
    lh_run_start_t rs = {job_id, "RUN_JOB_TASK", task, tc->t->run->creator, NULL};
    int64_t run_id = 0;
    lh_err e = lh_jobs_start_run(tc->r->j, &rs, &run_id, NULL, &eb);
    if (e != LH_OK) {
        fail(res, code_of(e), "%s", eb.msg);
        return;
    }
    res->detached = true;
    res->child_run_id = run_id;
    res->output = json_pack("{s:{s:I}}", "run_job_output", "run_id", (json_int_t)run_id);
}

static void for_each_task(task_ctx_t *tc, const json_t *task, task_result_t *res)
{
    (void)tc;
    json_t *in = json_object_get(task, "inputs");
    json_t *arr = json_is_array(in) ? json_incref(in)
                                    : json_loads(json_string_value(in) ? json_string_value(in) : "",
                                                 JSON_DECODE_ANY, NULL);
    bool ok = json_is_array(arr) && json_is_object(json_object_get(task, "task"));
    json_decref(arr);
    if (!ok) {
        fail(res, "INVALID_RUN_CONFIGURATION",
             "for_each_task.inputs must be a JSON array (after substitution) and "
             "for_each_task.task a task");
        return;
    }
    res->detached = true;
}

static void pipeline_task(task_ctx_t *tc, const json_t *task, task_result_t *res)
{
    (void)tc;
    (void)task;
    fail(res, "INVALID_RUN_CONFIGURATION",
         "Pipelines are not available yet (issue: declarative pipelines)");
}

static void not_built(task_ctx_t *tc, const json_t *task, task_result_t *res)
{
    (void)task;
    const char *kind = "this task type";
    static const char *const kinds_nb[] = {"spark_jar_task", "spark_submit_task", "dbt_task",
                                           "clean_rooms_notebook_task"};
    for (size_t i = 0; i < sizeof kinds_nb / sizeof kinds_nb[0]; i++)
        if (json_object_get(tc->settings, kinds_nb[i]))
            kind = kinds_nb[i];
    fail(res, "INVALID_RUN_CONFIGURATION", "%s is not built yet in Lakehouse jobs", kind);
}

typedef void (*task_fn)(task_ctx_t *tc, const json_t *task, task_result_t *res);

static const struct {
    const char *field;
    task_fn fn;
} kinds[] = {
    {"sql_task", sql_task},
    {"notebook_task", notebook_task},
    {"condition_task", condition_task},
    {"run_job_task", run_job_task},
    {"for_each_task", for_each_task},
    {"pipeline_task", pipeline_task},
    {"spark_python_task", lh_run_spark_python_task},
    {"python_wheel_task", lh_run_python_wheel_task},
    {"spark_jar_task", not_built},
    {"spark_submit_task", not_built},
    {"dbt_task", not_built},
    {"clean_rooms_notebook_task", not_built},
};

void lh_run_task_exec(task_ctx_t *tc, task_result_t *res)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        json_t *task = json_object_get(tc->settings, kinds[i].field);
        if (json_is_object(task)) {
            kinds[i].fn(tc, task, res);
            return;
        }
    }
    fail(res, "INVALID_RUN_CONFIGURATION", "task '%s' has no task type Lakehouse can run",
         tc->t->key);
}

lh_err lh_run_task_ref(void *arg, lh_subst_kind kind, const char *name, char **value, lh_errbuf *eb)
{
    task_ctx_t *tc = arg;
    json_t *v = json_object_get(kind == LH_SUBST_WIDGET ? tc->params : tc->refs, name);
    if (v == NULL && kind == LH_SUBST_REF && strncmp(name, "job.parameters.", 15) == 0)
        v = json_object_get(tc->params, name + 15);
    if (v == NULL && kind == LH_SUBST_WIDGET)
        LH_FAIL(LH_E_INVALID, eb, "no value for widget ${%s}", name);
    LH_FAIL_IF(v == NULL, LH_E_INVALID, eb, "unknown reference {{%s}}", name);
    *value = json_is_string(v) ? strdup(json_string_value(v))
                               : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    LH_FAIL_IF(*value == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}
