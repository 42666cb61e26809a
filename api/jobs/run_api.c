/*
 * run_api.c - the runs routes at /api/{2.0|2.1|2.2}/jobs/ and the Run / RunTask rendering.
 *
 *   POST run-now        {job_id*, job_parameters, notebook_params, ..., idempotency_token,
 *                        only[], queue}                          -> {run_id, number_in_job}
 *   POST runs/submit    {run_name, tasks*, timeout_seconds, idempotency_token, ...} -> {run_id}
 *   GET  runs/get       ?run_id* (query or JSON body), include_history     -> Run (or RunTask
 *                        for a task run id)
 *   GET  runs/list      ?job_id, active_only, completed_only, offset, limit (1..25, 20),
 *                        run_type, expand_tasks, start_time_from/to, page_token
 *   POST runs/cancel {run_id*}, runs/cancel-all {job_id | all_queued_runs}, runs/delete
 *   GET  runs/get-output ?run_id* (a task run)   -> {metadata, notebook_output | sql_output |
 *                        run_job_output, error, error_trace}
 *   POST runs/repair    {run_id*, rerun_tasks[] | rerun_all_failed_tasks, rerun_dependent_tasks,
 *                        latest_repair_id}                       -> {repair_id}
 *   GET  runs/export    ?run_id*   -> {views:[{content, name, type: NOTEBOOK}]}
 * Permissions (object type "jobs"): run-now, cancel, repair, delete need CAN_MANAGE_RUN on
 * the job; get, list, get-output, export CAN_VIEW. Submit runs (job_id >=
 * LH_JOBS_SUBMIT_JOB_ID_BASE: an ephemeral job id of their own) are their creator's and the
 * admins'. An unknown run or job is 400 INVALID_PARAMETER_VALUE, as on Databricks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/jobs/run_internal.h"
#include "api/page.h"
#include "api/perm.h"
#include "api/workspace/workspace.h"
#include "common/json.h"
#include "common/util.h"

/* ---- rendering ---- */

static const char *status_state(run_lc lc)
{
    switch (lc) {
    case LC_QUEUED:
        return "QUEUED";
    case LC_PENDING:
        return "PENDING";
    case LC_RUNNING:
        return "RUNNING";
    case LC_TERMINATING:
        return "TERMINATING";
    case LC_BLOCKED:
        return "BLOCKED";
    case LC_WAITING_FOR_RETRY:
        return "WAITING";
    default:
        return "TERMINATED";
    }
}

/* termination_details as the SDK documents TerminationCodeCode: CANCELED is the platform's
 * (a timeout), USER_CANCELED a user's, SKIPPED a task that never ran (upstream failure, an
 * unmet run_if or condition branch). */
static const char *term_type_of(run_rs rs, const char *code)
{
    if (rs == RS_SUCCESS || rs == RS_CANCELED || rs == RS_EXCLUDED || rs == RS_DISABLED)
        return "SUCCESS";
    return code && strcmp(code, "INTERNAL_ERROR") == 0 ? "INTERNAL_ERROR" : "CLIENT_ERROR";
}

static const char *term_code_of(run_rs rs, const char *code)
{
    switch (rs) {
    case RS_SUCCESS:
        return "SUCCESS";
    case RS_CANCELED:
        return code ? code : "USER_CANCELED";
    case RS_TIMEDOUT:
        return "CANCELED";
    case RS_EXCLUDED:
    case RS_UPSTREAM_FAILED:
    case RS_UPSTREAM_CANCELED:
        return "SKIPPED";
    case RS_DISABLED:
        return "DISABLED";
    case RS_MAX_CONCURRENT:
        return "MAX_CONCURRENT_RUNS_EXCEEDED";
    default:
        return code ? code : "RUN_EXECUTION_ERROR";
    }
}

static void put_states(json_t *o, run_lc lc, run_rs rs, const char *msg, const char *code,
                       const char *type, bool cancel_or_timeout)
{
    bool term = lh_run_lc_terminal(lc);
    json_t *st = json_object();
    json_object_set_new(st, "life_cycle_state", json_string(lh_run_lc_name(lc)));
    if (term && rs != RS_NONE)
        json_object_set_new(st, "result_state", json_string(lh_run_rs_name(rs)));
    json_object_set_new(st, "state_message", json_string(msg ? msg : ""));
    json_object_set_new(st, "user_cancelled_or_timedout", json_boolean(cancel_or_timeout));
    if (lc == LC_QUEUED)
        json_object_set_new(
            st, "queue_reason",
            json_string("Queued due to reaching the maximum concurrent runs of the job."));
    json_object_set_new(o, "state", st);
    json_t *status = json_object();
    json_object_set_new(status, "state", json_string(status_state(lc)));
    if (term && rs != RS_NONE) {
        const char *c = term_code_of(rs, code);
        json_object_set_new(status, "termination_details",
                            json_pack("{s:s, s:s, s:s}", "code", c, "type",
                                      type ? type : term_type_of(rs, code), "message",
                                      msg ? msg : ""));
    }
    if (lc == LC_QUEUED)
        json_object_set_new(status, "queue_details",
                            json_pack("{s:s, s:s}", "code", "MAX_CONCURRENT_RUNS_REACHED",
                                      "message", "The job reached its max_concurrent_runs."));
    json_object_set_new(o, "status", status);
}

static json_t *page_url(const lh_ctx_t *ctx, int64_t job_id, int64_t run_id)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s/#job/%lld/run/%lld",
             ctx->workspace_host ? ctx->workspace_host : "", (long long)job_id, (long long)run_id);
    return json_string(buf);
}

static void put_times(json_t *o, int64_t start, int64_t end, int64_t exec_ms)
{
    json_object_set_new(o, "start_time", json_integer(start));
    json_object_set_new(o, "end_time", json_integer(end));
    int64_t dur = end > 0 && start > 0 ? end - start : 0;
    json_object_set_new(o, "setup_duration", json_integer(0));
    json_object_set_new(o, "execution_duration", json_integer(exec_ms > 0 ? exec_ms : dur));
    json_object_set_new(o, "cleanup_duration", json_integer(0));
    json_object_set_new(o, "run_duration", json_integer(dur));
}

json_t *lh_task_render(const task_run_t *t)
{
    const run_t *run = t->run;
    json_t *o = json_deep_copy(t->settings);
    if (o == NULL)
        return json_object();
    if (t->run_id > 0)
        json_object_set_new(o, "run_id", json_integer(t->run_id));
    if (json_object_get(o, "run_if") == NULL && json_object_get(o, "depends_on") != NULL)
        json_object_set_new(o, "run_if", json_string("ALL_SUCCESS"));
    json_object_set_new(o, "attempt_number", json_integer(t->attempt));
    run_lc lc = t->started || t->done ? t->lc : LC_PENDING;
    if (!t->started && !t->done && (run->lc == LC_RUNNING || run->lc == LC_PENDING))
        lc = LC_BLOCKED;
    put_states(o, lc, t->rs, t->message, t->term_code, NULL,
               t->rs == RS_CANCELED || t->rs == RS_TIMEDOUT);
    put_times(o, t->start_time, t->end_time, t->exec_ms);
    if (t->run_id > 0)
        json_object_set_new(o, "run_page_url",
                            page_url(run->owner->j->ctx, run->job_id, t->run_id));
    json_t *cond = json_object_get(o, "condition_task");
    if (json_is_object(cond) && t->outcome >= 0)
        json_object_set_new(cond, "outcome", json_string(t->outcome ? "true" : "false"));
    json_t *fe = json_object_get(o, "for_each_task");
    if (json_is_object(fe) && (t->iter_count > 0 || t->done))
        json_object_set_new(fe, "stats",
                            json_pack("{s:{s:i, s:i, s:i, s:i, s:i, s:i}}", "task_run_stats",
                                      "total_iterations", t->iter_count, "completed_iterations",
                                      t->iter_done, "succeeded_iterations", t->iter_ok,
                                      "failed_iterations", t->iter_done - t->iter_ok,
                                      "active_iterations", t->iter_active, "scheduled_iterations",
                                      t->iter_count - t->iter_next));
    if (t->input != NULL)
        json_object_set_new(o, "for_each_input", json_string(t->input));
    const char *cl = t->cluster_id ? t->cluster_id
                                   : json_string_value(json_object_get(o, "existing_cluster_id"));
    if (cl != NULL && t->started)
        json_object_set_new(o, "cluster_instance", json_pack("{s:s}", "cluster_id", cl));
    if (t->child_run_id > 0 || (t->output && json_object_get(t->output, "run_job_output")))
        json_object_set(o, "run_job_output", json_object_get(t->output, "run_job_output"));
    return o;
}

json_t *lh_run_render(const run_t *run, bool with_history)
{
    lh_ctx_t *ctx = run->owner->j->ctx;
    json_t *o = json_object();
    json_object_set_new(o, "job_id", json_integer(run->job_id));
    json_object_set_new(o, "run_id", json_integer(run->run_id));
    json_object_set_new(o, "number_in_job", json_integer(run->number_in_job));
    json_object_set_new(o, "original_attempt_run_id", json_integer(run->original_attempt_run_id));
    json_object_set_new(o, "run_name", json_string(run->run_name));
    json_object_set_new(o, "run_type", json_string(run->run_type));
    lh_json_set_str(o, "creator_user_name", run->creator);
    put_states(o, run->lc, run->rs, run->message, run->term_code, run->term_type,
               run->rs == RS_CANCELED || run->rs == RS_TIMEDOUT);
    put_times(o, run->start_time ? run->start_time : run->created_time, run->end_time, 0);
    json_object_set_new(o, "queue_duration", json_integer(run->queue_ms));
    json_object_set_new(o, "trigger", json_string(run->trigger));
    json_object_set_new(o, "run_page_url", page_url(ctx, run->job_id, run->run_id));
    json_object_set_new(o, "format", json_string("MULTI_TASK"));
    json_object_set_new(o, "attempt_number", json_integer(0));
    json_t *tasks = json_array();
    for (int i = 0; i < run->task_count; i++)
        json_array_append_new(tasks, lh_task_render(run->tasks[i]));
    for (int i = 0; i < run->task_count; i++)
        if (run->tasks[i]->cluster_id != NULL) {
            json_object_set_new(o, "cluster_instance",
                                json_pack("{s:s}", "cluster_id", run->tasks[i]->cluster_id));
            break;
        }
    json_object_set_new(o, "tasks", tasks);
    if (json_array_size(run->job_params) > 0)
        json_object_set(o, "job_parameters", run->job_params);
    if (json_object_size(run->overrides) > 0)
        json_object_set(o, "overriding_parameters", run->overrides);
    if (with_history) {
        json_t *h = json_deep_copy(run->repair_history);
        size_t n = json_array_size(h);
        if (n > 0) { /* the latest entry follows the run */
            json_t *last = json_array_get(h, n - 1);
            put_states(last, run->lc, run->rs, run->message, run->term_code, run->term_type, false);
            json_t *ids = json_array();
            for (int i = 0; i < run->task_count; i++)
                if (run->tasks[i]->run_id > 0)
                    json_array_append_new(ids, json_integer(run->tasks[i]->run_id));
            json_object_set_new(last, "task_run_ids", ids);
        }
        json_object_set_new(o, "repair_history", h);
    }
    return o;
}

/* ---- helpers ---- */

static lh_jobs_runs_t *area(const lh_req_t *req)
{
    return req->ctx->jobs->runs;
}

static lh_err get_id(const lh_req_t *req, const char *key, int64_t *id, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_int(req->params, key, LH_REQUIRED, id, eb));
    LH_FAIL_IF(*id <= 0, LH_E_INVALID, eb, "%s must be positive", key);
    return LH_OK;
}

static bool is_admin(const lh_req_t *req)
{
    return req->principal != NULL &&
           (req->principal->is_admin || lh_perm_is_admin(req->ctx, req->principal));
}

/* May the caller act on a run of job_id (created by creator) at level? */
static lh_err require(const lh_req_t *req, int64_t job_id, const char *creator, const char *level,
                      lh_errbuf *eb)
{
    if (req->principal == NULL || is_admin(req))
        return LH_OK;
    if (job_id >= LH_JOBS_SUBMIT_JOB_ID_BASE) {
        LH_FAIL_IF(creator == NULL || strcmp(creator, req->principal->user_name) != 0,
                   LH_E_PERMISSION, eb,
                   "Only the creator of run submitted runs and admins can "
                   "access it.");
        return LH_OK;
    }
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)job_id);
    return lh_perm_require(req->ctx, req->principal, LH_JOBS_PERM_PATH, id, level, eb);
}

static lh_err load_run(lh_req_t *req, const char *level, run_row_t *row, lh_errbuf *eb)
{
    int64_t id;
    LH_TRY(get_id(req, "run_id", &id, eb));
    LH_TRY(lh_run_store_get(area(req), id, row, eb));
    lh_err e = require(req, row->job_id, row->creator, level, eb);
    if (e != LH_OK)
        lh_run_row_free(row);
    return e;
}

static lh_err reply(lh_req_t *req, json_t *out, lh_errbuf *eb)
{
    LH_FAIL_IF(out == NULL, LH_E_NOMEM, eb, "out of memory");
    req->out = out;
    return LH_OK;
}

/* ---- run-now and submit ---- */

static lh_err h_run_now(lh_req_t *req, lh_errbuf *eb)
{
    int64_t job_id;
    const char *token = NULL;
    LH_TRY(get_id(req, "job_id", &job_id, eb));
    LH_TRY(lh_json_get_str(req->params, "idempotency_token", LH_OPTIONAL, &token, eb));
    LH_FAIL_IF(token && strlen(token) > 64, LH_E_INVALID, eb,
               "idempotency_token must be at most 64 characters");
    json_t *only = json_object_get(req->params, "only");
    LH_FAIL_IF(only && !json_is_array(only) && !json_is_null(only), LH_E_INVALID, eb,
               "only must be an array of task keys");
    LH_TRY(require(req, job_id, NULL, "CAN_MANAGE_RUN", eb));
    lh_jobs_t *j = req->ctx->jobs;
    lh_run_start_t rs = {job_id, "ONE_TIME", req->params,
                         req->principal ? req->principal->user_name : NULL, token};
    int64_t run_id = 0, number = 0;
    lh_err e = lh_jobs_start_run(j, &rs, &run_id, &number, eb);
    LH_FAIL_IF(e == LH_E_NOT_FOUND, LH_E_INVALID, eb, "Job %lld does not exist.",
               (long long)job_id);
    LH_TRY(e);
    return reply(
        req,
        json_pack("{s:I, s:I}", "run_id", (json_int_t)run_id, "number_in_job", (json_int_t)number),
        eb);
}

/* The checks runs/submit needs before lh_jobs_validate_settings is complete. */
static lh_err check_tasks(const json_t *body, lh_errbuf *eb)
{
    json_t *tasks = json_object_get(body, "tasks");
    LH_FAIL_IF(!json_is_array(tasks) || json_array_size(tasks) == 0, LH_E_INVALID, eb,
               "tasks: a run needs at least one task");
    LH_FAIL_IF(json_array_size(tasks) > 1000, LH_E_INVALID, eb, "tasks: at most 1000 tasks");
    size_t i, k;
    json_t *t, *u;
    json_array_foreach(tasks, i, t)
    {
        const char *key = json_string_value(json_object_get(t, "task_key"));
        LH_FAIL_IF(key == NULL || *key == '\0', LH_E_INVALID, eb, "tasks[%zu].task_key is required",
                   i);
        json_array_foreach(tasks, k, u) if (k < i)
        {
            const char *other = json_string_value(json_object_get(u, "task_key"));
            LH_FAIL_IF(other && strcmp(other, key) == 0, LH_E_INVALID, eb,
                       "tasks[%zu].task_key: '%s' is used by another task", i, key);
        }
    }
    return LH_OK;
}

static lh_err h_submit(lh_req_t *req, lh_errbuf *eb)
{
    const char *token = NULL, *name = NULL;
    LH_TRY(lh_json_get_str(req->params, "idempotency_token", LH_OPTIONAL, &token, eb));
    LH_TRY(lh_json_get_str(req->params, "run_name", LH_OPTIONAL, &name, eb));
    LH_TRY(lh_jobs_validate_settings(req->params, true, eb));
    LH_TRY(check_tasks(req->params, eb));
    run_new_t nw = {.job_id = 0,
                    .run_type = "SUBMIT_RUN",
                    .trigger = "ONE_TIME",
                    .creator = req->principal ? req->principal->user_name : NULL,
                    .idempotency_token = token,
                    .run_name = name,
                    .settings = req->params};
    int64_t run_id = 0;
    LH_TRY(lh_run_create(area(req), &nw, &run_id, eb));
    return reply(req, json_pack("{s:I}", "run_id", (json_int_t)run_id), eb);
}

/* ---- reads ---- */

static lh_err h_get(lh_req_t *req, lh_errbuf *eb)
{
    run_row_t row;
    bool history = false;
    LH_TRY(lh_json_get_bool(req->params, "include_history", LH_OPTIONAL, &history, eb));
    LH_TRY(load_run(req, "CAN_VIEW", &row, eb));
    json_t *doc = json_incref(row.doc);
    if (!history)
        json_object_del(doc, "repair_history");
    if (row.events != NULL && json_array_size(row.events) > 0) /* a Lakehouse extension */
        json_object_set(doc, "events", row.events);
    lh_run_row_free(&row);
    return reply(req, doc, eb);
}

static const lh_page_spec runs_page = {
    .list_id = LH_PAGE_LIST_JOB_RUNS,
    .keys = "I",
    .columns = "run_id",
    .size_param = "limit",
    .size_default = 20,
    .size_max = 25,
    .flags = LH_PAGE_CLAMP,
    .style = LH_PAGE_STYLE_HAS_MORE,
};

static lh_err h_list(lh_req_t *req, lh_errbuf *eb)
{
    const json_t *p = req->params;
    run_list_q_t q = {0};
    LH_TRY(lh_json_get_int_range(p, "job_id", LH_OPTIONAL, 0, INT64_MAX, &q.job_id, eb));
    LH_TRY(lh_json_get_bool(p, "active_only", LH_OPTIONAL, &q.active_only, eb));
    LH_TRY(lh_json_get_bool(p, "completed_only", LH_OPTIONAL, &q.completed_only, eb));
    LH_FAIL_IF(q.active_only && q.completed_only, LH_E_INVALID, eb,
               "active_only and completed_only cannot both be true");
    LH_TRY(lh_json_get_bool(p, "expand_tasks", LH_OPTIONAL, &q.expand_tasks, eb));
    LH_TRY(
        lh_json_get_int_range(p, "start_time_from", LH_OPTIONAL, 0, INT64_MAX, &q.start_from, eb));
    LH_TRY(lh_json_get_int_range(p, "start_time_to", LH_OPTIONAL, 0, INT64_MAX, &q.start_to, eb));
    LH_TRY(lh_json_get_int_range(p, "offset", LH_OPTIONAL, 0, INT64_MAX, &q.offset, eb));
    LH_TRY(lh_json_get_str(p, "run_type", LH_OPTIONAL, &q.run_type, eb));
    if (q.run_type && strcmp(q.run_type, "JOB_RUN") && strcmp(q.run_type, "WORKFLOW_RUN") &&
        strcmp(q.run_type, "SUBMIT_RUN"))
        LH_FAIL(LH_E_INVALID, eb, "run_type: unknown value '%s'", q.run_type);
    int64_t limit = 0;
    LH_TRY(lh_json_get_int(p, "limit", LH_OPTIONAL, &limit, eb));
    LH_FAIL_IF(limit < 0 || limit > 25, LH_E_INVALID, eb,
               "limit must be between 1 and 25, got %lld", (long long)limit);
    lh_page_t page;
    LH_TRY(lh_page_parse(&runs_page, p, req->arena, &page, eb));
    q.page = &page;
    if (q.job_id > 0)
        LH_TRY(require(req, q.job_id, NULL, "CAN_VIEW", eb));
    else if (req->principal != NULL && !is_admin(req))
        q.creator = req->principal->user_name;
    json_t *runs = json_array();
    lh_err e = lh_run_store_list(area(req), &q, runs, eb);
    if (e != LH_OK) {
        json_decref(runs);
        return e;
    }
    json_t *out = json_object();
    json_object_set_new(out, "runs", runs);
    lh_page_finish(&page, out);
    return reply(req, out, eb);
}

/* The task run whose output is asked for: the run itself, or a single-task run's task. */
static lh_err output_row(lh_req_t *req, run_row_t *row, lh_errbuf *eb)
{
    if (row->is_task)
        return LH_OK;
    json_t *tasks = json_object_get(row->doc, "tasks");
    LH_FAIL_IF(json_array_size(tasks) != 1, LH_E_INVALID, eb,
               "Retrieving the output of runs with multiple tasks is not supported. Please "
               "retrieve the output of each individual task run instead.");
    json_int_t id = json_integer_value(json_object_get(json_array_get(tasks, 0), "run_id"));
    LH_FAIL_IF(id <= 0, LH_E_INVALID, eb, "The run has not started its task yet.");
    lh_run_row_free(row);
    return lh_run_store_get(area(req), id, row, eb);
}

static lh_err h_get_output(lh_req_t *req, lh_errbuf *eb)
{
    run_row_t row;
    LH_TRY(load_run(req, "CAN_VIEW", &row, eb));
    lh_err e = output_row(req, &row, eb);
    if (e != LH_OK) {
        lh_run_row_free(&row);
        return e;
    }
    json_t *out = row.output ? json_deep_copy(row.output) : json_object();
    json_object_set(out, "metadata", row.doc);
    lh_run_row_free(&row);
    return reply(req, out, eb);
}

/* ---- changes ---- */

static lh_err h_cancel(lh_req_t *req, lh_errbuf *eb)
{
    run_row_t row;
    LH_TRY(load_run(req, "CAN_MANAGE_RUN", &row, eb));
    int64_t id =
        row.is_task ? row.parent_run_id : json_integer_value(json_object_get(row.doc, "run_id"));
    lh_run_row_free(&row);
    lh_jobs_runs_t *r = area(req);
    pthread_mutex_lock(&r->mu);
    lh_err e = lh_run_cancel(r, id, eb);
    pthread_mutex_unlock(&r->mu);
    return e;
}

static lh_err h_cancel_all(lh_req_t *req, lh_errbuf *eb)
{
    int64_t job_id = 0;
    bool queued = false;
    LH_TRY(lh_json_get_int_range(req->params, "job_id", LH_OPTIONAL, 0, INT64_MAX, &job_id, eb));
    LH_TRY(lh_json_get_bool(req->params, "all_queued_runs", LH_OPTIONAL, &queued, eb));
    LH_FAIL_IF(job_id == 0 && !queued, LH_E_INVALID, eb,
               "Either job_id or all_queued_runs must be provided");
    if (job_id > 0)
        LH_TRY(require(req, job_id, NULL, "CAN_MANAGE_RUN", eb));
    else
        LH_FAIL_IF(req->principal && !is_admin(req), LH_E_PERMISSION, eb,
                   "Only admins can cancel all queued runs");
    lh_jobs_runs_t *r = area(req);
    pthread_mutex_lock(&r->mu);
    lh_err e = lh_run_cancel_all(r, job_id, job_id == 0 && queued, eb);
    pthread_mutex_unlock(&r->mu);
    return e;
}

static lh_err h_delete(lh_req_t *req, lh_errbuf *eb)
{
    run_row_t row;
    LH_TRY(load_run(req, "CAN_MANAGE_RUN", &row, eb));
    bool task = row.is_task;
    int64_t id = json_integer_value(json_object_get(row.doc, "run_id"));
    lh_run_row_free(&row);
    LH_FAIL_IF(task, LH_E_INVALID, eb, "Run %lld is a task run: delete its job run instead.",
               (long long)id);
    lh_jobs_runs_t *r = area(req);
    pthread_mutex_lock(&r->mu);
    bool active = lh_run_is_active(r, id);
    lh_err e = active ? lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                                   "Run %lld is still active: only terminated runs can be deleted.",
                                   (long long)id)
                      : lh_run_store_delete(r, id, eb);
    pthread_mutex_unlock(&r->mu);
    return e;
}

static lh_err h_repair(lh_req_t *req, lh_errbuf *eb)
{
    run_row_t row;
    LH_TRY(load_run(req, "CAN_MANAGE_RUN", &row, eb));
    bool task = row.is_task;
    int64_t id = json_integer_value(json_object_get(row.doc, "run_id"));
    lh_run_row_free(&row);
    LH_FAIL_IF(task, LH_E_INVALID, eb, "Run %lld is a task run: repair its job run instead.",
               (long long)id);
    int64_t repair_id = 0;
    LH_TRY(lh_run_repair(area(req), id, req->params, &repair_id, eb));
    return reply(req, json_pack("{s:I}", "repair_id", (json_int_t)repair_id), eb);
}

/* A notebook's cells back in the SOURCE format. */
static char *notebook_source(const lh_notebook_t *nb)
{
    const char *c = lh_notebook_comment(nb->language);
    if (c == NULL)
        c = "--";
    size_t cap = 64;
    for (size_t i = 0; i < nb->cell_count; i++)
        cap += nb->cells[i].text_bytes * 2 + 64 +
               (nb->cells[i].magic ? strlen(nb->cells[i].magic) : 0);
    char *s = malloc(cap * 2);
    if (s == NULL)
        return NULL;
    size_t n = (size_t)sprintf(s, "%s Databricks notebook source\n", c);
    for (size_t i = 0; i < nb->cell_count; i++) {
        const lh_nb_cell_t *cell = &nb->cells[i];
        if (i > 0)
            n += (size_t)sprintf(s + n, "\n%s COMMAND ----------\n\n", c);
        bool magic = cell->magic != NULL && cell->language == NULL;
        if (magic)
            n += (size_t)sprintf(s + n, "%s MAGIC %%%s\n", c, cell->magic);
        const char *p = cell->text, *end = cell->text + cell->text_bytes;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (magic)
                n += (size_t)sprintf(s + n, "%s MAGIC ", c);
            memcpy(s + n, p, len);
            n += len;
            s[n++] = '\n';
            p += len + 1;
        }
    }
    s[n] = '\0';
    return s;
}

static lh_err h_export(lh_req_t *req, lh_errbuf *eb)
{
    run_row_t row;
    LH_TRY(load_run(req, "CAN_VIEW", &row, eb));
    json_t *views = json_array();
    json_t *tasks = row.is_task ? NULL : json_object_get(row.doc, "tasks");
    json_t *one = row.is_task ? json_pack("[O]", row.doc) : json_incref(tasks);
    size_t i;
    json_t *t;
    lh_err e = LH_OK;
    json_array_foreach(one, i, t)
    {
        const char *path = json_string_value(
            json_object_get(json_object_get(t, "notebook_task"), "notebook_path"));
        if (path == NULL)
            continue;
        lh_arena_t *a = lh_arena_create();
        lh_notebook_t nb;
        lh_errbuf tmp;
        if (a != NULL && lh_workspace_notebook_cells(req->ctx, path, a, &nb, &tmp) == LH_OK) {
            char *src = notebook_source(&nb);
            if (src != NULL)
                json_array_append_new(views, json_pack("{s:s, s:s, s:s}", "content", src, "name",
                                                       path, "type", "NOTEBOOK"));
            free(src);
        }
        lh_arena_destroy(a);
    }
    json_decref(one);
    lh_run_row_free(&row);
    if (e != LH_OK) {
        json_decref(views);
        return e;
    }
    return reply(req, json_pack("{s:o}", "views", views), eb);
}

/* ---- routes ---- */

#define J "/api/{2.0|2.1|2.2}/jobs"

static const lh_route_t runs_routes[] = {
    {"POST", J "/run-now", h_run_now, 0, NULL, 0},
    {"POST", J "/runs/submit", h_submit, 0, NULL, 0},
    {"GET", J "/runs/get", h_get, 0, NULL, 0},
    {"GET", J "/runs/list", h_list, 0, NULL, 0},
    {"POST", J "/runs/cancel", h_cancel, 0, NULL, 0},
    {"POST", J "/runs/cancel-all", h_cancel_all, 0, NULL, 0},
    {"POST", J "/runs/delete", h_delete, 0, NULL, 0},
    {"GET", J "/runs/get-output", h_get_output, 0, NULL, 0},
    {"POST", J "/runs/repair", h_repair, 0, NULL, 0},
    {"GET", J "/runs/export", h_export, 0, NULL, 0},
};

const lh_route_t *lh_jobs_runs_routes(int *count)
{
    *count = (int)(sizeof runs_routes / sizeof runs_routes[0]);
    return runs_routes;
}
