/*
 * run_python.c - the task bodies that run a python3 subprocess (run_proc.h):
 *
 *   spark_python_task  python_file: a workspace path (/Workspace/..., /Users/..., or any
 *                      absolute workspace path), dbfs:/... (DATA_DIR/dbfs/...) or a relative
 *                      path under git_source (not built: a clear failure); parameters[] as argv
 *   python_wheel_task  package_name + entry_point in the installed Python environment
 *   notebook_task      on a PYTHON notebook: the whole source run by the notebook launcher
 *                      (cells are comments to Python; %md cells are skipped, a notebook
 *                      with %sql, %scala, %r, %sh, %pip, %run ... cells fails clearly
 *                      before it starts: not run through the engine yet), widgets =
 *                      job parameters + base_parameters + run-now notebook_params,
 *                      dbutils.notebook.exit(v) -> notebook_output.result,
 *                      dbutils.jobs.taskValues.set -> the task's values
 *
 * Each run gets: DATABRICKS_HOST (ctx->workspace_host) and DATABRICKS_TOKEN, a token minted
 * for the run's user (run_as.user_name, else the creator) that expires with the task's
 * timeout (else LH_RUN_TOKEN_LIFETIME_S) and is revoked when the task ends; its log at
 * DATA_DIR/jobs/runs/<run_id>/<task_run_id>.log (stdout + stderr). get-output gets `logs`
 * (the last 5 MB) and `logs_truncated`; a failure's `error` is the log's last lines.
 * Cancel and timeout reach the process group through the task's cancel flag (the engine's
 * tick sets it) and the deadline.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/identity/identity.h"
#include "api/jobs/run_internal.h"
#include "api/jobs/run_proc.h"
#include "api/workspace/workspace.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

#define LH_RUN_TOKEN_LIFETIME_S (48LL * 3600) /* a task with no timeout: two days at most */
#define ERROR_TAIL_BYTES        2000          /* the failure message: the log's last lines */

typedef struct py_run {
    task_ctx_t *tc;
    char log_path[PATH_MAX + 32];
    char *files[2]; /* materialized files to unlink */
    char token[64];
    char token_id[65];
    bool have_token;
    char *env[8];
} py_run;

static void py_fail(task_result_t *res, const char *code, const char *msg)
{
    res->rs = RS_FAILED;
    res->code = code;
    free(res->message);
    res->message = strdup(msg);
    if (res->output == NULL)
        res->output = json_object();
    json_object_set_new(res->output, "error", json_string(msg));
}

static const char *run_user(const run_t *run)
{
    const char *u =
        json_string_value(json_object_get(json_object_get(run->settings, "run_as"), "user_name"));
    return u ? u : run->creator;
}

static lh_err py_open(py_run *p, task_ctx_t *tc, lh_errbuf *eb)
{
    memset(p, 0, sizeof *p);
    p->tc = tc;
    lh_ctx_t *ctx = tc->r->j->ctx;
    run_t *run = tc->t->run;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/jobs", ctx->data_dir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/jobs/runs", ctx->data_dir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/jobs/runs/%lld", ctx->data_dir, (long long)run->run_id);
    LH_FAIL_IF(mkdir(dir, 0700) != 0 && errno != EEXIST, LH_E_IO, eb, "cannot create %s: %s", dir,
               strerror(errno));
    snprintf(p->log_path, sizeof p->log_path, "%s/%lld.log", dir, (long long)tc->t->run_id);
    char *cluster = NULL; /* a job cluster: the task waits for it (its pool is not used) */
    LH_TRY(lh_run_job_cluster(tc, &cluster, eb));
    free(cluster);
    int64_t timeout_s = 0;
    lh_json_get_int(tc->settings, "timeout_seconds", LH_OPTIONAL, &timeout_s, NULL);
    char comment[128];
    snprintf(comment, sizeof comment, LH_RUN_TOKEN_COMMENT "%lld task %lld", (long long)run->run_id,
             (long long)tc->t->run_id);
    if (ctx->identity != NULL) {
        LH_TRY(lh_identity_mint_token(ctx->identity, run_user(run),
                                      timeout_s > 0 ? timeout_s + 60 : LH_RUN_TOKEN_LIFETIME_S,
                                      comment, p->token, sizeof p->token, p->token_id, eb));
        p->have_token = true;
    }
    int n = 0;
    char buf[PATH_MAX + 64];
    snprintf(buf, sizeof buf, "DATABRICKS_HOST=%s", ctx->workspace_host ? ctx->workspace_host : "");
    p->env[n++] = strdup(buf);
    if (p->have_token) {
        snprintf(buf, sizeof buf, "DATABRICKS_TOKEN=%s", p->token);
        p->env[n++] = strdup(buf);
    }
    snprintf(buf, sizeof buf, "DATABRICKS_JOB_ID=%lld", (long long)run->job_id);
    p->env[n++] = strdup(buf);
    snprintf(buf, sizeof buf, "DATABRICKS_RUN_ID=%lld", (long long)run->run_id);
    p->env[n++] = strdup(buf);
    for (int i = 0; i < n; i++)
        LH_FAIL_IF(p->env[i] == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

static void py_close(py_run *p)
{
    if (p->have_token) {
        lh_errbuf eb;
        lh_errbuf_clear(&eb);
        if (lh_identity_revoke_token(p->tc->r->j->ctx->identity, p->token_id, &eb) != LH_OK)
            lh_log(LH_LOG_WARN, "jobs: revoking token %s: %s", p->token_id, eb.msg);
    }
    memset(p->token, 0, sizeof p->token);
    for (size_t i = 0; i < sizeof p->files / sizeof p->files[0]; i++)
        if (p->files[i] != NULL) {
            unlink(p->files[i]);
            free(p->files[i]);
        }
    for (size_t i = 0; i < sizeof p->env / sizeof p->env[0]; i++)
        free(p->env[i]);
}

/* The local file to run for source (a workspace path or dbfs:/): materialized into p. */
static lh_err py_source(py_run *p, const char *source, bool want_notebook, const char **file,
                        const char **language, lh_errbuf *eb)
{
    lh_ctx_t *ctx = p->tc->r->j->ctx;
    const unsigned char *bytes = NULL;
    size_t n = 0;
    lh_arena_t *a = lh_arena_create();
    LH_FAIL_IF(a == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = LH_OK;
    if (strncmp(source, "dbfs:/", 6) == 0) {
        int fd = -1;
        uint64_t size = 0;
        e = lh_artifacts_open(ctx, source, &fd, &size, eb);
        if (e == LH_OK && size > (uint64_t)64 * 1024 * 1024) {
            close(fd);
            e = lh_err_set(eb, LH_E_LIMIT, __FILE__, __LINE__, "%s is larger than 64 MB", source);
        }
        if (e == LH_OK) {
            unsigned char *buf = lh_arena_alloc(a, size + 1);
            size_t got = 0;
            while (buf != NULL && got < size) {
                ssize_t r = read(fd, buf + got, size - got);
                if (r < 0 && errno == EINTR)
                    continue;
                if (r <= 0)
                    break;
                got += (size_t)r;
            }
            close(fd);
            if (buf == NULL || got != size)
                e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "cannot read %s", source);
            bytes = buf, n = got;
        }
        if (language)
            *language = NULL;
    } else if (source[0] == '/') {
        const char *lang = NULL;
        e = lh_workspace_read_file(ctx, source, a, &bytes, &n, &lang, eb);
        if (language)
            *language = lang;
    } else {
        e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                       "%s: relative paths (git_source) are not available in Lakehouse yet; "
                       "give a workspace path or dbfs:/",
                       source);
    }
    if (e == LH_E_NOT_FOUND)
        e = lh_err_set(eb, LH_E_NOT_FOUND, __FILE__, __LINE__,
                       "%s %s does not exist or is not accessible.",
                       want_notebook ? "Notebook" : "File", source);
    const char *slash = strrchr(source, '/');
    char name[128];
    snprintf(name, sizeof name, "%s%s", slash ? slash + 1 : source,
             want_notebook && (slash == NULL || strstr(slash, ".py") == NULL) ? ".py" : "");
    int slot = p->files[0] ? 1 : 0;
    if (e == LH_OK)
        e = lh_proc_materialize(ctx->data_dir, name, bytes, n, &p->files[slot], eb);
    if (e == LH_OK)
        *file = p->files[slot];
    lh_arena_destroy(a);
    return e;
}

/* Run argv; fill res from the exit and the log. */
static void py_exec(py_run *p, char **argv, task_result_t *res)
{
    task_run_t *t = p->tc->t;
    int64_t deadline = 0;
    if (t->due_ms > 0) {
        int64_t left = t->due_ms - lh_now_ms();
        deadline = lh_mono_ns() / 1000000 + (left > 0 ? left : 0);
    }
    lh_proc_spec_t spec = {.argv = (const char *const *)argv,
                           .env = (const char *const *)p->env,
                           .cwd = NULL,
                           .log_path = p->log_path};
    lh_proc_result_t pr;
    memset(&pr, 0, sizeof pr);
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_err e = lh_proc_run(&spec, &t->cancel, deadline, &pr, &eb);
    if (res->output == NULL)
        res->output = json_object();
    char *logs = NULL;
    bool truncated = false;
    lh_errbuf eb2;
    lh_errbuf_clear(&eb2);
    if (lh_proc_log_tail(p->log_path, LH_PROC_LOG_TAIL_MAX, &logs, &truncated, &eb2) == LH_OK) {
        json_t *s = json_string(logs);
        json_object_set_new(res->output, "logs", s ? s : json_string(""));
        json_object_set_new(res->output, "logs_truncated", json_boolean(truncated));
    }
    if (e != LH_OK) {
        py_fail(res, "RUN_EXECUTION_ERROR", eb.msg);
    } else if (pr.exit_code == 0 && !pr.cancelled && !pr.timed_out) {
        res->rs = RS_SUCCESS;
    } else {
        char msg[ERROR_TAIL_BYTES + 128];
        size_t len = logs ? strlen(logs) : 0;
        const char *tail = logs ? logs + (len > ERROR_TAIL_BYTES ? len - ERROR_TAIL_BYTES : 0) : "";
        while ((*tail & 0xC0) == 0x80) /* a UTF-8 continuation byte */
            tail++;
        res->timed_out = pr.timed_out;
        if (pr.timed_out)
            snprintf(msg, sizeof msg, "The task timed out.");
        else if (pr.cancelled)
            snprintf(msg, sizeof msg, "The task was canceled.");
        else if (pr.signal)
            snprintf(msg, sizeof msg, "The Python process was killed by signal %d.\n%s", pr.signal,
                     tail);
        else
            snprintf(msg, sizeof msg, "The Python process exited with code %d.\n%s", pr.exit_code,
                     tail);
        py_fail(res, "RUN_EXECUTION_ERROR", msg);
        json_object_set_new(res->output, "error_trace", json_string(tail));
    }
    free(logs);
}

void lh_run_spark_python_task(task_ctx_t *tc, const json_t *task, task_result_t *res)
{
    const char *src = json_string_value(json_object_get(task, "python_file"));
    if (src == NULL) {
        py_fail(res, "INVALID_RUN_CONFIGURATION", "spark_python_task.python_file is required");
        return;
    }
    py_run p;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    const char *file = NULL;
    char **argv = NULL;
    json_t *params = json_object_get(task, "parameters");
    json_t *over = json_object_get(tc->t->run->overrides, "python_params");
    lh_err e = py_open(&p, tc, &eb);
    if (e == LH_OK)
        e = py_source(&p, src, false, &file, NULL, &eb);
    if (e == LH_OK)
        e = lh_proc_argv_python_file(file, json_is_array(over) ? over : params, &argv, &eb);
    if (e == LH_OK)
        py_exec(&p, argv, res);
    else
        py_fail(res, e == LH_E_NOT_FOUND ? "RESOURCE_NOT_FOUND" : "RUN_EXECUTION_ERROR", eb.msg);
    lh_proc_argv_free(argv);
    py_close(&p);
}

void lh_run_python_wheel_task(task_ctx_t *tc, const json_t *task, task_result_t *res)
{
    py_run p;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    char **argv = NULL;
    json_t *copy = json_deep_copy(task);
    json_t *over = json_object_get(tc->t->run->overrides, "python_named_params");
    if (json_is_object(over)) {
        json_object_del(copy, "parameters");
        json_object_set(copy, "named_parameters", over);
    } else if (json_is_array(json_object_get(tc->t->run->overrides, "python_params"))) {
        json_object_del(copy, "named_parameters");
        json_object_set(copy, "parameters",
                        json_object_get(tc->t->run->overrides, "python_params"));
    }
    lh_err e = py_open(&p, tc, &eb);
    if (e == LH_OK)
        e = lh_proc_argv_python_wheel(copy, &argv, &eb);
    if (e == LH_OK)
        py_exec(&p, argv, res);
    else
        py_fail(res, e == LH_E_INVALID ? "INVALID_RUN_CONFIGURATION" : "RUN_EXECUTION_ERROR",
                eb.msg);
    json_decref(copy);
    lh_proc_argv_free(argv);
    py_close(&p);
}

/* The task values of every finished task: {"<task>": {"<key>": value}} (for taskValues.get). */
static json_t *task_values_of(task_ctx_t *tc)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(tc->refs, k, v)
    {
        if (strncmp(k, "tasks.", 6) != 0)
            continue;
        const char *dot = strstr(k + 6, ".values.");
        if (dot == NULL)
            continue;
        char task[LH_NAME_MAX + 1];
        size_t n = (size_t)(dot - (k + 6));
        if (n > LH_NAME_MAX)
            continue;
        memcpy(task, k + 6, n);
        task[n] = '\0';
        json_t *o = json_object_get(out, task);
        if (o == NULL) {
            o = json_object();
            json_object_set_new(out, task, o);
        }
        json_object_set(o, dot + 8, v);
    }
    return out;
}

bool lh_run_python_notebook_task(task_ctx_t *tc, const char *path, task_result_t *res)
{
    py_run p;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    const char *file = NULL, *language = NULL;
    /* look first: a notebook in another language is not ours */
    lh_arena_t *a = lh_arena_create();
    const unsigned char *bytes;
    size_t n;
    lh_err e =
        a ? lh_workspace_read_file(tc->r->j->ctx, path, a, &bytes, &n, &language, &eb) : LH_E_NOMEM;
    bool python = e == LH_OK && language != NULL && strcmp(language, "PYTHON") == 0;
    /* cells in another language or magics other than %md: refused rather than skipped (to
     * Python they are comments) */
    lh_notebook_t nb;
    if (python && lh_workspace_notebook_cells(tc->r->j->ctx, path, a, &nb, &eb) == LH_OK) {
        for (size_t i = 0; i < nb.cell_count; i++) {
            const char *m = nb.cells[i].magic;
            if (m == NULL || strcmp(m, "md") == 0 || strcmp(m, "md-sandbox") == 0 ||
                strcmp(m, "python") == 0)
                continue;
            char msg[256];
            snprintf(msg, sizeof msg,
                     "cell %zu of %s: %%%s cells in Python notebooks are not supported in "
                     "Lakehouse jobs yet",
                     i + 1, path, m);
            py_fail(res, "INVALID_RUN_CONFIGURATION", msg);
            lh_arena_destroy(a);
            return true;
        }
    }
    lh_arena_destroy(a);
    if (!python)
        return false;
    char **argv = NULL;
    char out_path[PATH_MAX + 16];
    json_t *params = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(tc->params, k, v) if (json_is_string(v) || json_is_number(v))
        json_object_set(params, k, v);
    json_object_set_new(params, "task_values", task_values_of(tc));
    e = py_open(&p, tc, &eb);
    if (e == LH_OK)
        e = py_source(&p, path, true, &file, NULL, &eb);
    snprintf(out_path, sizeof out_path, "%s.out.json", file ? file : "");
    if (e == LH_OK)
        e = lh_proc_argv_python_notebook(file, params, out_path, &argv, &eb);
    if (e == LH_OK) {
        py_exec(&p, argv, res);
        json_t *o = json_load_file(out_path, 0, NULL);
        unlink(out_path);
        json_t *result = json_object_get(o, "result");
        json_t *nbo = json_object();
        json_object_set_new(nbo, "result",
                            json_is_string(result) ? json_incref(result) : json_string(""));
        json_object_set_new(nbo, "truncated", json_false());
        json_object_set_new(res->output, "notebook_output", nbo);
        json_t *tv = json_object_get(o, "task_values");
        if (json_is_object(tv) && json_object_size(tv) > 0)
            res->values = json_incref(tv);
        json_decref(o);
    } else {
        py_fail(res, e == LH_E_NOT_FOUND ? "RESOURCE_NOT_FOUND" : "RUN_EXECUTION_ERROR", eb.msg);
    }
    json_decref(params);
    lh_proc_argv_free(argv);
    py_close(&p);
    return true;
}
