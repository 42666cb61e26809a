/*
 * run_engine.c - the run state machine and scheduling.
 *
 *   run:   QUEUED (max_concurrent_runs reached, queue enabled)
 *            | or SKIPPED / MAXIMUM_CONCURRENT_RUNS_REACHED (no queue)
 *          PENDING -> RUNNING -> (TERMINATING) -> TERMINATED {SUCCESS|FAILED|TIMEDOUT|CANCELED}
 *   task:  (not started) -> RUNNING -> TERMINATED, or WAITING_FOR_RETRY -> RUNNING (a new
 *          task run id and attempt_number + 1), or TERMINATED without running:
 *          EXCLUDED / UPSTREAM_FAILED / UPSTREAM_CANCELED / CANCELED by its run_if.
 *
 * Everything here runs with r->mu held, except task bodies (exec_task on the "jobs-runs"
 * executor). Every change ends in lh_run_step, which saves the run (one transaction).
 * A periodic tick (100 ms) enforces run and task timeouts and starts due retries.
 * A run's result: SUCCESS when every task ended SUCCESS or EXCLUDED/DISABLED, TIMEDOUT or
 * CANCELED when the run was, else FAILED.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/clusters/clusters.h"
#include "api/identity/identity.h"
#include "api/jobs/run_internal.h"
#include "common/json.h"
#include "common/util.h"
#include "compute/pool.h"

#define RUN_THREADS   8
#define RUN_QUEUE_MAX 16384
#define RUN_TICK_MS   100

static const char *const lc_names[] = {"QUEUED",         "PENDING",    "RUNNING",
                                       "TERMINATING",    "TERMINATED", "SKIPPED",
                                       "INTERNAL_ERROR", "BLOCKED",    "WAITING_FOR_RETRY"};
static const char *const rs_names[] = {
    NULL,       "SUCCESS",         "FAILED",
    "TIMEDOUT", "CANCELED",        "MAXIMUM_CONCURRENT_RUNS_REACHED",
    "EXCLUDED", "UPSTREAM_FAILED", "UPSTREAM_CANCELED",
    "DISABLED"};

const char *lh_run_lc_name(run_lc lc)
{
    return lc_names[lc];
}

const char *lh_run_rs_name(run_rs rs)
{
    return rs_names[rs];
}

bool lh_run_lc_terminal(run_lc lc)
{
    return lc == LC_TERMINATED || lc == LC_SKIPPED || lc == LC_INTERNAL_ERROR;
}

static void set_msg(char **dst, const char *msg)
{
    free(*dst);
    *dst = msg && *msg ? strdup(msg) : NULL;
}

/* ---- life of the structs ---- */

static void task_free(task_run_t *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < t->iter_count; i++)
        task_free(t->iters[i]);
    free(t->iters);
    json_decref(t->settings);
    json_decref(t->values);
    json_decref(t->output);
    free(t->key);
    free(t->message);
    free(t->input);
    free(t->cluster_id);
    free(t);
}

static void run_free(run_t *run)
{
    for (int i = 0; i < run->task_count; i++)
        task_free(run->tasks[i]);
    free(run->tasks);
    json_decref(run->settings);
    json_decref(run->overrides);
    json_decref(run->job_params);
    json_decref(run->repair_history);
    json_decref(run->clusters);
    free(run->run_name);
    free(run->run_type);
    free(run->creator);
    free(run->trigger);
    free(run->job_name);
    free(run->message);
    free(run);
}

static task_run_t *task_new(run_t *run, json_t *settings, int index)
{
    task_run_t *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->run = run;
    t->settings = json_deep_copy(settings);
    const char *k = json_string_value(json_object_get(settings, "task_key"));
    t->key = strdup(k ? k : "");
    t->outcome = -1;
    t->index = index;
    atomic_init(&t->cancel, false);
    if (t->settings == NULL || t->key == NULL) {
        task_free(t);
        return NULL;
    }
    return t;
}

static run_t *find_active(lh_jobs_runs_t *r, int64_t run_id)
{
    for (run_t *run = r->active; run != NULL; run = run->next)
        if (run->run_id == run_id)
            return run;
    return NULL;
}

bool lh_run_is_active(lh_jobs_runs_t *r, int64_t run_id)
{
    return find_active(r, run_id) != NULL;
}

static void unlink_active(lh_jobs_runs_t *r, run_t *run)
{
    for (run_t **pp = &r->active; *pp != NULL; pp = &(*pp)->next)
        if (*pp == run) {
            *pp = run->next;
            return;
        }
}

static task_run_t *find_task(run_t *run, const char *key)
{
    for (int i = 0; i < run->task_count; i++)
        if (strcmp(run->tasks[i]->key, key) == 0)
            return run->tasks[i];
    return NULL;
}

static void save(run_t *run)
{
    if (run->deleted) /* its job is gone: its rows must not come back */
        return;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_run_store_save(run, NULL, &eb) != LH_OK)
        fprintf(stderr, "jobs: saving run %lld: %s\n", (long long)run->run_id, eb.msg);
}

/* ---- task bodies ---- */

static void exec_task(void *arg);

static void task_end(task_run_t *t, run_lc lc, run_rs rs, const char *msg, const char *code)
{
    t->lc = lc;
    t->rs = rs;
    t->done = true;
    t->started = true;
    t->term_code = code;
    if (t->end_time == 0)
        t->end_time = lh_now_ms();
    if (t->start_time == 0)
        t->start_time = t->end_time;
    set_msg(&t->message, msg);
}

static void start_task(task_run_t *t)
{
    lh_jobs_runs_t *r = t->run->owner;
    for (int i = 0; i < t->iter_count; i++) /* a for_each task's new attempt */
        task_free(t->iters[i]);
    free(t->iters);
    t->iters = NULL;
    t->iter_count = t->iter_next = t->iter_active = t->iter_done = t->iter_ok = 0;
    t->run_id = r->next_id++;
    t->started = true;
    t->done = false;
    t->lc = LC_RUNNING;
    t->rs = RS_NONE;
    t->start_time = lh_now_ms();
    t->end_time = 0;
    t->timed_out = false;
    t->duration_warned = false;
    t->child_run_id = 0;
    atomic_store(&t->cancel, false);
    set_msg(&t->message, NULL);
    json_decref(t->output);
    t->output = NULL;
    int64_t timeout_s = 0;
    lh_json_get_int(t->settings, "timeout_seconds", LH_OPTIONAL, &timeout_s, NULL);
    t->due_ms = timeout_s > 0 ? t->start_time + timeout_s * 1000 : 0;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_bg_post(r->ex, exec_task, t, &eb) != LH_OK) {
        task_end(t, LC_TERMINATED, RS_FAILED, eb.msg, "INTERNAL_ERROR");
    } else {
        t->queued_exec = true;
        if (t->attempt == 0)
            lh_run_notify(t->run, t, "on_start", NULL);
    }
}

/* ---- dependencies and run_if ---- */

typedef enum { DEP_WAIT, DEP_RUN, DEP_SKIP } dep_verdict;

static bool is_fail(run_rs rs)
{
    return rs == RS_FAILED || rs == RS_TIMEDOUT || rs == RS_UPSTREAM_FAILED;
}

static bool is_cancel(run_rs rs)
{
    return rs == RS_CANCELED || rs == RS_UPSTREAM_CANCELED;
}

static dep_verdict deps_verdict(run_t *run, task_run_t *t, run_rs *skip_rs)
{
    json_t *deps = json_object_get(t->settings, "depends_on");
    int n = 0, ok = 0, fail = 0, cancel = 0, excl = 0;
    size_t i;
    json_t *d;
    json_array_foreach(deps, i, d)
    {
        const char *k = json_string_value(json_object_get(d, "task_key"));
        task_run_t *u = k ? find_task(run, k) : NULL;
        if (u == NULL) /* left out by run-now's only[] */
            continue;
        if (!u->done)
            return DEP_WAIT;
        n++;
        const char *want = json_string_value(json_object_get(d, "outcome"));
        if (is_fail(u->rs))
            fail++;
        else if (is_cancel(u->rs))
            cancel++;
        else if (u->rs != RS_SUCCESS)
            excl++;
        else if (want != NULL && u->outcome >= 0 &&
                 strcmp(want, u->outcome ? "true" : "false") != 0)
            excl++;
        else
            ok++;
    }
    if (n == 0)
        return DEP_RUN;
    const char *run_if = json_string_value(json_object_get(t->settings, "run_if"));
    if (run_if == NULL)
        run_if = "ALL_SUCCESS";
    run_rs up = fail ? RS_UPSTREAM_FAILED : cancel ? RS_UPSTREAM_CANCELED : RS_EXCLUDED;
    bool go;
    if (strcmp(run_if, "ALL_DONE") == 0)
        go = true;
    else if (strcmp(run_if, "AT_LEAST_ONE_SUCCESS") == 0)
        go = ok > 0;
    else if (strcmp(run_if, "NONE_FAILED") == 0)
        go = fail == 0 && cancel == 0;
    else if (strcmp(run_if, "AT_LEAST_ONE_FAILED") == 0)
        go = fail > 0, up = RS_EXCLUDED;
    else if (strcmp(run_if, "ALL_FAILED") == 0)
        go = fail == n, up = RS_EXCLUDED;
    else /* ALL_SUCCESS */
        go = ok == n;
    *skip_rs = up;
    return go ? DEP_RUN : DEP_SKIP;
}

static const char *skip_message(run_rs rs)
{
    switch (rs) {
    case RS_UPSTREAM_FAILED:
        return "Upstream task failed.";
    case RS_UPSTREAM_CANCELED:
        return "Upstream task was canceled.";
    case RS_CANCELED:
        return "The run was canceled before this task started.";
    case RS_DISABLED:
        return "This task is disabled.";
    default:
        return "The task's run_if condition was not met.";
    }
}

/* ---- the run ---- */

static void finish_run(run_t *run);

static bool any_running(run_t *run)
{
    for (int i = 0; i < run->task_count; i++)
        if (run->tasks[i]->started && !run->tasks[i]->done)
            return true;
    return false;
}

void lh_run_step(run_t *run)
{
    lh_jobs_runs_t *r = run->owner;
    if (r->stopping || run->lc == LC_QUEUED || lh_run_lc_terminal(run->lc))
        return;
    if (run->lc == LC_PENDING) {
        run->lc = LC_RUNNING;
        if (run->start_time == 0)
            run->start_time = lh_now_ms();
        int64_t timeout_s = 0;
        lh_json_get_int(run->settings, "timeout_seconds", LH_OPTIONAL, &timeout_s, NULL);
        run->due_ms = timeout_s > 0 ? run->start_time + timeout_s * 1000 : 0;
        lh_run_notify(run, NULL, "on_start", NULL);
    }
    bool progress = true;
    while (progress) {
        progress = false;
        for (int i = 0; i < run->task_count; i++) {
            task_run_t *t = run->tasks[i];
            if (t->started || t->done)
                continue;
            run_rs skip = RS_NONE;
            bool disabled = false;
            lh_json_get_bool(t->settings, "disabled", LH_OPTIONAL, &disabled, NULL);
            dep_verdict v = run->cancel ? DEP_SKIP : deps_verdict(run, t, &skip);
            if (run->cancel)
                skip = RS_CANCELED;
            if (v == DEP_RUN && disabled)
                v = DEP_SKIP, skip = RS_DISABLED;
            if (v == DEP_WAIT)
                continue;
            if (v == DEP_SKIP) {
                task_end(t, LC_TERMINATED, skip, skip_message(skip), NULL);
                progress = true;
            } else {
                start_task(t);
                progress = progress || t->done;
            }
        }
    }
    bool all_done = true;
    for (int i = 0; i < run->task_count; i++)
        all_done = all_done && run->tasks[i]->done;
    if (all_done && !any_running(run))
        finish_run(run);
    else
        save(run);
}

static void result_of(run_t *run)
{
    run_rs rs = RS_SUCCESS;
    const char *code = "SUCCESS", *type = "SUCCESS", *msg = NULL;
    for (int i = 0; i < run->task_count && rs == RS_SUCCESS; i++) {
        task_run_t *t = run->tasks[i];
        if (t->rs != RS_SUCCESS && t->rs != RS_EXCLUDED && t->rs != RS_DISABLED) {
            rs = RS_FAILED;
            code = t->term_code ? t->term_code : "RUN_EXECUTION_ERROR";
            type = strcmp(code, "INTERNAL_ERROR") == 0 ? "INTERNAL_ERROR" : "CLIENT_ERROR";
            msg = t->message ? t->message : "Task failed.";
        }
    }
    if (run->timed_out) {
        rs = RS_TIMEDOUT, code = "CANCELED", type = "CLIENT_ERROR";
        msg = "The run timed out.";
    } else if (run->cancel) {
        rs = RS_CANCELED, code = "USER_CANCELED", type = "SUCCESS";
        msg = "Run cancelled.";
    }
    run->rs = rs;
    run->term_code = code;
    run->term_type = type;
    if (rs != RS_SUCCESS) {
        char buf[600];
        snprintf(buf, sizeof buf, "%s", msg ? msg : "");
        set_msg(&run->message, buf);
    }
}

static void child_finished(lh_jobs_runs_t *r, int64_t child_id, run_rs rs);
static void start_queued(lh_jobs_runs_t *r, int64_t job_id);

/* mu held: stop the run's job clusters (queued on the clusters' executor: never blocks). */
static void terminate_clusters(run_t *run)
{
    const char *k;
    json_t *v;
    json_object_foreach(run->clusters, k, v)
    {
        lh_errbuf eb;
        lh_errbuf_clear(&eb);
        if (lh_clusters_terminate(run->owner->j->ctx->clusters, json_string_value(v), &eb) != LH_OK)
            lh_log(LH_LOG_WARN, "jobs: run %lld: terminating job cluster %s: %s",
                   (long long)run->run_id, json_string_value(v), eb.msg);
    }
}

static void finish_run(run_t *run)
{
    lh_jobs_runs_t *r = run->owner;
    run->lc = LC_TERMINATING;
    result_of(run);
    run->lc = LC_TERMINATED;
    run->end_time = lh_now_ms();
    size_t n = json_array_size(run->repair_history);
    if (n > 0) {
        json_t *last = json_array_get(run->repair_history, n - 1);
        json_object_set_new(last, "end_time", json_integer(run->end_time));
    }
    save(run);
    lh_run_notify_end(run, NULL);
    terminate_clusters(run);
    unlink_active(r, run);
    int64_t id = run->run_id, job_id = run->job_id;
    run_rs rs = run->rs;
    run_free(run);
    child_finished(r, id, rs);
    start_queued(r, job_id);
}

/* Start the oldest queued runs of job_id while there is room. */
static int active_count(lh_jobs_runs_t *r, int64_t job_id)
{
    int n = 0;
    for (run_t *x = r->active; x != NULL; x = x->next)
        if (x->job_id == job_id && x->lc != LC_QUEUED)
            n++;
    return n;
}

static void start_queued(lh_jobs_runs_t *r, int64_t job_id)
{
    for (;;) {
        run_t *oldest = NULL;
        for (run_t *x = r->active; x != NULL; x = x->next)
            if (x->job_id == job_id && x->lc == LC_QUEUED &&
                (oldest == NULL || x->run_id < oldest->run_id))
                oldest = x;
        if (oldest == NULL || active_count(r, job_id) >= oldest->max_concurrent)
            return;
        oldest->lc = LC_PENDING;
        oldest->queue_ms = lh_now_ms() - oldest->created_time;
        lh_run_step(oldest);
    }
}

/* ---- task endings ---- */

static void iteration_finished(task_run_t *it);

void lh_run_task_finished(task_run_t *t, run_rs rs, const char *message, const char *code)
{
    run_t *run = t->run;
    if (atomic_load(&t->cancel) && rs != RS_SUCCESS) {
        rs = t->timed_out ? RS_TIMEDOUT : RS_CANCELED;
        message = t->timed_out ? "The task timed out." : "The task was canceled.";
        code = t->timed_out ? "CANCELED" : "USER_CANCELED";
    }
    int64_t max_retries = 0, interval = 0;
    bool on_timeout = false;
    lh_json_get_int(t->settings, "max_retries", LH_OPTIONAL, &max_retries, NULL);
    lh_json_get_int(t->settings, "min_retry_interval_millis", LH_OPTIONAL, &interval, NULL);
    lh_json_get_bool(t->settings, "retry_on_timeout", LH_OPTIONAL, &on_timeout, NULL);
    /* iterations of a for_each task do not retry (the tick only watches top-level tasks) */
    bool retry = (rs == RS_FAILED || (rs == RS_TIMEDOUT && on_timeout)) && !run->cancel &&
                 t->parent == NULL && !run->timed_out &&
                 (max_retries < 0 || t->attempt < max_retries);
    task_end(t, LC_TERMINATED, rs, message, rs == RS_SUCCESS ? NULL : code);
    if (retry) {
        save(run); /* the failed attempt's row keeps its end */
        t->done = false;
        t->lc = LC_WAITING_FOR_RETRY;
        t->rs = RS_NONE;
        t->due_ms = lh_now_ms() + (interval > 0 ? interval : 0);
        if (interval <= 0) {
            t->attempt++;
            start_task(t);
        }
        save(run);
        return;
    }
    if (t->parent != NULL) {
        iteration_finished(t);
        return;
    }
    lh_run_notify_end(run, t);
    lh_run_step(run);
}

/* ---- for_each iterations ---- */

static void start_iterations(task_run_t *p)
{
    int64_t conc = 1;
    json_t *fe = json_object_get(p->settings, "for_each_task");
    lh_json_get_int(fe, "concurrency", LH_OPTIONAL, &conc, NULL);
    if (conc < 1)
        conc = 1;
    while (p->iter_next < p->iter_count && p->iter_active < conc) {
        task_run_t *it = p->iters[p->iter_next++];
        if (p->run->cancel || atomic_load(&p->cancel)) {
            task_end(it, LC_TERMINATED, RS_CANCELED, skip_message(RS_CANCELED), NULL);
            p->iter_done++;
            continue;
        }
        p->iter_active++;
        start_task(it);
    }
}

static void iteration_finished(task_run_t *it)
{
    task_run_t *p = it->parent;
    p->iter_active--;
    p->iter_done++;
    if (it->rs == RS_SUCCESS)
        p->iter_ok++;
    start_iterations(p);
    if (p->iter_done < p->iter_count) {
        save(p->run);
        return;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "%d of %d iterations failed.", p->iter_count - p->iter_ok,
             p->iter_count);
    bool ok = p->iter_ok == p->iter_count;
    lh_run_task_finished(p, ok ? RS_SUCCESS : RS_FAILED, ok ? NULL : msg, "RUN_EXECUTION_ERROR");
}

/* mu held: the for_each task p got its inputs (an array): one iteration per element. */
static void for_each_begin(task_run_t *p, json_t *inputs)
{
    json_t *nested = json_object_get(json_object_get(p->settings, "for_each_task"), "task");
    size_t n = json_array_size(inputs);
    p->iters = calloc(n ? n : 1, sizeof *p->iters);
    for (size_t i = 0; p->iters != NULL && i < n; i++) {
        task_run_t *it = task_new(p->run, nested, (int)i);
        if (it == NULL)
            break;
        it->parent = p;
        json_t *v = json_array_get(inputs, i);
        it->input = json_is_string(v) ? strdup(json_string_value(v))
                                      : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        p->iters[p->iter_count++] = it;
    }
    if (p->iter_count == 0) {
        lh_run_task_finished(p, RS_SUCCESS, NULL, NULL);
        return;
    }
    start_iterations(p);
    save(p->run);
}

/* ---- run_job_task ---- */

static void child_finished(lh_jobs_runs_t *r, int64_t child_id, run_rs rs)
{
    for (run_t *x = r->active; x != NULL; x = x->next)
        for (int i = 0; i < x->task_count; i++) {
            task_run_t *t = x->tasks[i];
            if (t->child_run_id != child_id || t->done || !t->started)
                continue;
            t->child_run_id = 0;
            char msg[128];
            snprintf(msg, sizeof msg, "Run %lld ended %s.", (long long)child_id,
                     rs_names[rs] ? rs_names[rs] : "");
            lh_run_task_finished(t, rs == RS_SUCCESS ? RS_SUCCESS : RS_FAILED,
                                 rs == RS_SUCCESS ? NULL : msg, "RUN_EXECUTION_ERROR");
            return; /* x may be gone now */
        }
}

static run_rs stored_result(lh_jobs_runs_t *r, int64_t run_id)
{
    run_row_t row;
    lh_errbuf eb;
    if (lh_run_store_get(r, run_id, &row, &eb) != LH_OK)
        return RS_FAILED;
    const char *s =
        json_string_value(json_object_get(json_object_get(row.doc, "state"), "result_state"));
    run_rs rs = s && strcmp(s, "SUCCESS") == 0 ? RS_SUCCESS : RS_FAILED;
    lh_run_row_free(&row);
    return rs;
}

/* ---- exec_task: one task body on the executor ---- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* mu held: the references a task may use, as name -> string. */
static json_t *refs_of(task_run_t *t)
{
    run_t *run = t->run;
    lh_ctx_t *ctx = run->owner->j->ctx;
    json_t *o = json_object();
    char buf[64];
    snprintf(buf, sizeof buf, "%lld", (long long)run->job_id);
    json_object_set_new(o, "job.id", json_string(buf));
    json_object_set_new(o, "job_id", json_string(buf));
    json_object_set_new(o, "job.name", json_string(run->job_name ? run->job_name : ""));
    snprintf(buf, sizeof buf, "%lld", (long long)run->run_id);
    json_object_set_new(o, "job.run_id", json_string(buf));
    json_object_set_new(o, "run.id", json_string(buf));
    json_object_set_new(o, "parent_run_id", json_string(buf));
    snprintf(buf, sizeof buf, "%lld", (long long)t->run_id);
    json_object_set_new(o, "task.run_id", json_string(buf));
    json_object_set_new(o, "run_id", json_string(buf));
    snprintf(buf, sizeof buf, "%d", t->attempt);
    json_object_set_new(o, "task.execution_count", json_string(buf));
    json_object_set_new(o, "task.name", json_string(t->key));
    json_object_set_new(o, "task_key", json_string(t->key));
    snprintf(buf, sizeof buf, "%lld",
             (long long)(json_array_size(run->repair_history) > 0
                             ? json_array_size(run->repair_history) - 1
                             : 0));
    json_object_set_new(o, "job.repair_count", json_string(buf));
    json_object_set_new(o, "job.trigger.type",
                        json_string(run->trigger ? run->trigger : "ONE_TIME"));
    snprintf(buf, sizeof buf, "%lld", (long long)ctx->workspace_id);
    json_object_set_new(o, "workspace.id", json_string(buf));
    json_object_set_new(o, "workspace.url",
                        json_string(ctx->workspace_host ? ctx->workspace_host : ""));
    int64_t st = run->start_time ? run->start_time : lh_now_ms();
    time_t secs = (time_t)(st / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    json_object_set_new(o, "job.start_time.iso_date", json_string(buf));
    json_object_set_new(o, "start_date", json_string(buf));
    char iso[80];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(iso, sizeof iso, "%s.%03dZ", buf, (int)(st % 1000));
    json_object_set_new(o, "job.start_time.iso_datetime", json_string(iso));
    snprintf(buf, sizeof buf, "%lld", (long long)st);
    json_object_set_new(o, "job.start_time.timestamp_ms", json_string(buf));
    json_object_set_new(o, "start_time", json_string(buf));
    static const struct {
        const char *name, *fmt;
    } parts[] = {{"year", "%Y"}, {"month", "%m"},  {"day", "%d"},
                 {"hour", "%H"}, {"minute", "%M"}, {"second", "%S"}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char key[64];
        snprintf(key, sizeof key, "job.start_time.%s", parts[i].name);
        strftime(buf, sizeof buf, parts[i].fmt, &tm);
        json_object_set_new(o, key, json_string(buf));
    }
    json_object_set_new(o, "job.start_time.is_weekday",
                        json_string(tm.tm_wday > 0 && tm.tm_wday < 6 ? "true" : "false"));
    size_t i;
    json_t *p;
    json_array_foreach(run->job_params, i, p)
    {
        char key[320];
        snprintf(key, sizeof key, "job.parameters.%s",
                 json_string_value(json_object_get(p, "name")));
        json_object_set(o, key, json_object_get(p, "value"));
    }
    for (int k = 0; k < run->task_count; k++) {
        task_run_t *u = run->tasks[k];
        char key[400];
        if (u->done && u->rs != RS_NONE) {
            snprintf(key, sizeof key, "tasks.%s.result_state", u->key);
            json_object_set_new(o, key, str_or_null(rs_names[u->rs]));
        }
        const char *vk;
        json_t *vv;
        json_object_foreach(u->values, vk, vv)
        {
            snprintf(key, sizeof key, "tasks.%s.values.%s", u->key, vk);
            json_object_set(o, key, vv);
        }
    }
    if (t->input != NULL)
        json_object_set_new(o, "input", json_string(t->input));
    return o;
}

/* Job parameter values and run-now's widget parameters, name -> string (mu held). */
static json_t *params_of(task_run_t *t)
{
    run_t *run = t->run;
    json_t *o = json_object();
    size_t i;
    json_t *p;
    json_array_foreach(run->job_params, i, p) json_object_set(
        o, json_string_value(json_object_get(p, "name")), json_object_get(p, "value"));
    return o;
}

/* Substitute every string in v (recursively), leaving for_each_task.task alone. */
static lh_err subst_json(json_t *v, task_ctx_t *tc, lh_errbuf *eb)
{
    if (json_is_string(v)) {
        char *out = NULL;
        LH_TRY(lh_run_subst(json_string_value(v), json_string_length(v), lh_run_task_ref, tc, &out,
                            eb));
        json_string_set(v, out);
        free(out);
        return LH_OK;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) LH_TRY(subst_json(x, tc, eb));
        return LH_OK;
    }
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        if (strcmp(k, "task") == 0 && json_object_get(v, "inputs") != NULL)
            continue;
        if (strcmp(k, "depends_on") == 0 || strcmp(k, "task_key") == 0)
            continue;
        LH_TRY(subst_json(x, tc, eb));
    }
    return LH_OK;
}

/* mu held: run_job_task's child run started; it may have ended already. */
static void lh_run_task_wait_child(task_run_t *t, int64_t child_id)
{
    t->child_run_id = child_id;
    if (!lh_run_is_active(t->run->owner, child_id))
        child_finished(t->run->owner, child_id, stored_result(t->run->owner, child_id));
}

static void exec_task(void *arg)
{
    task_run_t *t = arg;
    run_t *run = t->run;
    lh_jobs_runs_t *r = run->owner;
    int64_t t0 = lh_now_ms();
    pthread_mutex_lock(&r->mu);
    t->queued_exec = false;
    bool skip = r->stopping;
    task_ctx_t tc = {r, t, json_deep_copy(t->settings), NULL, refs_of(t)};
    tc.params = params_of(t);
    pthread_mutex_unlock(&r->mu);
    task_result_t res = {.rs = RS_FAILED, .outcome = -1};
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (skip) {
        res.message = strdup("The server is shutting down.");
        res.code = "INTERNAL_ERROR";
    } else if (atomic_load(&t->cancel)) {
        res.rs = RS_CANCELED;
    } else if (subst_json(tc.settings, &tc, &eb) != LH_OK) {
        res.message = strdup(eb.msg);
        res.code = "INVALID_RUN_CONFIGURATION";
    } else {
        lh_run_task_exec(&tc, &res);
    }
    int64_t t1 = lh_now_ms();
    pthread_mutex_lock(&r->mu);
    atomic_fetch_add(&r->tasks_run, 1);
    t->exec_ms = t1 - t0;
    if (res.values) {
        json_decref(t->values);
        t->values = res.values;
    }
    if (res.output) {
        json_decref(t->output);
        t->output = res.output;
        t->output_saved = false;
    }
    t->outcome = res.outcome;
    if (skip) {
        /* the executor drains at shutdown: leave the run for recovery */
    } else if (res.detached && json_object_get(tc.settings, "for_each_task") != NULL) {
        json_t *inputs = json_object_get(tc.settings, "for_each_task");
        inputs = json_object_get(inputs, "inputs");
        json_t *arr = json_is_array(inputs)
                          ? json_incref(inputs)
                          : json_loads(json_string_value(inputs), JSON_DECODE_ANY, NULL);
        for_each_begin(t, arr);
        json_decref(arr);
    } else if (res.detached) {
        lh_run_task_wait_child(t, res.child_run_id);
    } else {
        if (res.timed_out && res.rs != RS_SUCCESS) { /* the deadline beat the tick */
            t->timed_out = true;
            atomic_store(&t->cancel, true);
        }
        lh_run_task_finished(t, res.rs, res.message, res.code);
    }
    pthread_mutex_unlock(&r->mu);
    free(res.message);
    json_decref(tc.settings);
    json_decref(tc.params);
    json_decref(tc.refs);
}

/* ---- the tick: timeouts and retries ---- */

static void cancel_task(lh_jobs_runs_t *r, task_run_t *t, bool timed_out);

static void tick(void *arg)
{
    lh_jobs_runs_t *r = arg;
    pthread_mutex_lock(&r->mu);
    int64_t now = lh_now_ms();
    /* first what frees no run: task timeouts and due retries; then the runs that timed out,
     * one by one by id (ending one may end others, e.g. a run_job_task's parent) */
    int64_t due[64];
    int n_due = 0;
    for (run_t *run = r->active; run != NULL; run = run->next) {
        if (run->lc != LC_RUNNING)
            continue;
        if (run->due_ms > 0 && now >= run->due_ms && !run->cancel && n_due < 64)
            due[n_due++] = run->run_id;
        int64_t warn_ms = run->duration_warned ? 0 : lh_run_duration_threshold_ms(run->settings);
        if (warn_ms > 0 && run->start_time > 0 && now - run->start_time > warn_ms) {
            run->duration_warned = true;
            lh_run_notify(run, NULL, "on_duration_warning_threshold_exceeded", NULL);
        }
        for (int i = 0; i < run->task_count; i++) {
            task_run_t *t = run->tasks[i];
            int64_t t_warn = t->lc == LC_RUNNING && !t->duration_warned
                                 ? lh_run_duration_threshold_ms(t->settings)
                                 : 0;
            if (t_warn > 0 && now - t->start_time > t_warn) {
                t->duration_warned = true;
                lh_run_notify(run, t, "on_duration_warning_threshold_exceeded", NULL);
            }
            if (t->lc == LC_RUNNING && t->due_ms > 0 && now >= t->due_ms && !t->timed_out) {
                t->timed_out = true;
                atomic_store(&t->cancel, true);
            } else if (t->lc == LC_WAITING_FOR_RETRY && now >= t->due_ms && !run->cancel) {
                t->attempt++;
                start_task(t);
                save(run);
            }
        }
    }
    for (int k = 0; k < n_due; k++) {
        run_t *run = find_active(r, due[k]);
        if (run == NULL || run->cancel)
            continue;
        run->timed_out = true;
        run->cancel = true;
        for (int i = 0; i < run->task_count; i++)
            cancel_task(r, run->tasks[i], true);
        lh_run_step(run); /* may free run */
    }
    pthread_mutex_unlock(&r->mu);
}

/* ---- cancel ---- */

static lh_err cancel_locked(lh_jobs_runs_t *r, run_t *run);

typedef struct child_cancel {
    lh_jobs_runs_t *r;
    int64_t run_id;
} child_cancel;

static void cancel_child(void *arg);

static void cancel_task(lh_jobs_runs_t *r, task_run_t *t, bool timed_out)
{
    for (int i = 0; i < t->iter_count; i++)
        cancel_task(r, t->iters[i], timed_out);
    if (t->done)
        return;
    if (t->lc == LC_WAITING_FOR_RETRY) {
        task_end(t, LC_TERMINATED, timed_out ? RS_TIMEDOUT : RS_CANCELED,
                 "The run was canceled while the task waited for a retry.", NULL);
        return;
    }
    if (!t->started)
        return;
    t->timed_out = t->timed_out || timed_out;
    atomic_store(&t->cancel, true);
    if (t->child_run_id > 0) { /* later, on the executor: ending it may end this run */
        child_cancel *c = malloc(sizeof *c);
        if (c != NULL) {
            *c = (child_cancel){r, t->child_run_id};
            if (lh_bg_post(r->ex, cancel_child, c, NULL) != LH_OK)
                free(c);
        }
    }
}

static lh_err cancel_locked(lh_jobs_runs_t *r, run_t *run)
{
    if (run->cancel && run->lc != LC_QUEUED)
        return LH_OK;
    run->cancel = true;
    if (run->lc == LC_QUEUED) {
        run->lc = LC_PENDING; /* let the step end it with every task CANCELED */
        run->start_time = lh_now_ms();
    }
    for (int i = 0; i < run->task_count; i++)
        cancel_task(r, run->tasks[i], false);
    lh_run_step(run);
    return LH_OK;
}

static void cancel_child(void *arg)
{
    child_cancel *c = arg;
    pthread_mutex_lock(&c->r->mu);
    run_t *run = c->r->stopping ? NULL : find_active(c->r, c->run_id);
    if (run != NULL)
        cancel_locked(c->r, run);
    pthread_mutex_unlock(&c->r->mu);
    free(c);
}

lh_err lh_run_cancel(lh_jobs_runs_t *r, int64_t run_id, lh_errbuf *eb)
{
    run_t *run = find_active(r, run_id);
    if (run != NULL)
        return cancel_locked(r, run);
    /* a call from cancel_task holds mu; an HTTP call does not */
    (void)eb;
    return LH_OK;
}

lh_err lh_run_cancel_all(lh_jobs_runs_t *r, int64_t job_id, bool queued_only, lh_errbuf *eb)
{
    (void)eb;
    for (;;) {
        run_t *hit = NULL;
        for (run_t *x = r->active; x != NULL; x = x->next)
            if ((job_id == 0 || x->job_id == job_id) && (!queued_only || x->lc == LC_QUEUED) &&
                !x->cancel)
                hit = x;
        if (hit == NULL)
            return LH_OK;
        cancel_locked(r, hit);
    }
}

/* ---- creating runs ---- */

static json_t *job_params_of(const json_t *settings, const json_t *overrides)
{
    json_t *out = json_array();
    json_t *given = json_object_get(overrides, "job_parameters");
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(settings, "parameters"), i, p)
    {
        const char *name = json_string_value(json_object_get(p, "name"));
        json_t *def = json_object_get(p, "default");
        if (name == NULL)
            continue;
        json_t *val = json_object_get(given, name);
        json_t *item = json_object();
        json_object_set_new(item, "name", json_string(name));
        if (def)
            json_object_set(item, "default", def);
        json_t *v = val ? val : def;
        if (v && !json_is_string(v)) {
            char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            json_object_set_new(item, "value", json_string(s ? s : ""));
            free(s);
        } else {
            json_object_set(item, "value", v ? v : json_string(""));
        }
        json_array_append_new(out, item);
    }
    return out;
}

static bool only_has(const json_t *only, const char *key)
{
    if (only == NULL || json_array_size(only) == 0)
        return true;
    size_t i;
    json_t *k;
    json_array_foreach(only, i, k) if (json_is_string(k) &&
                                       strcmp(json_string_value(k), key) == 0) return true;
    return false;
}

static json_t *overriding_of(const json_t *ov)
{
    static const char *const keys[] = {
        "job_parameters",      "notebook_params", "python_params",
        "python_named_params", "jar_params",      "spark_submit_params",
        "sql_params",          "pipeline_params", "dbt_commands"};
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(ov, keys[i]);
        if (v && !json_is_null(v))
            json_object_set(o, keys[i], v);
    }
    return o;
}

static run_t *run_build(lh_jobs_runs_t *r, const run_new_t *nw)
{
    run_t *run = calloc(1, sizeof *run);
    if (run == NULL)
        return NULL;
    run->owner = r;
    run->run_id = r->next_id++;
    run->number_in_job = run->run_id;
    run->original_attempt_run_id = run->run_id;
    run->is_submit = nw->job_id == 0;
    run->job_id = run->is_submit ? LH_JOBS_SUBMIT_JOB_ID_BASE + run->run_id : nw->job_id;
    run->settings = json_deep_copy(nw->settings);
    run->overrides = overriding_of(nw->overrides);
    run->job_params = job_params_of(nw->settings, nw->overrides);
    run->run_type = strdup(nw->run_type);
    run->trigger = strdup(nw->trigger ? nw->trigger : "ONE_TIME");
    run->creator = nw->creator ? strdup(nw->creator) : NULL;
    const char *name =
        nw->run_name ? nw->run_name : json_string_value(json_object_get(nw->settings, "name"));
    run->run_name = strdup(name ? name : "Untitled");
    run->job_name = strdup(name ? name : "Untitled");
    run->created_time = lh_now_ms();
    run->repair_history = json_array();
    int64_t mc = 1;
    lh_json_get_int(nw->settings, "max_concurrent_runs", LH_OPTIONAL, &mc, NULL);
    run->max_concurrent = run->is_submit ? 1 << 30 : (int)(mc < 0 ? 0 : mc > 1000 ? 1000 : mc);
    json_t *q = json_object_get(nw->overrides, "queue");
    if (q == NULL)
        q = json_object_get(nw->settings, "queue");
    lh_json_get_bool(q, "enabled", LH_OPTIONAL, &run->queue_enabled, NULL);
    json_t *tasks = json_object_get(nw->settings, "tasks");
    run->tasks = calloc(json_array_size(tasks) + 1, sizeof *run->tasks);
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t)
    {
        const char *key = json_string_value(json_object_get(t, "task_key"));
        if (run->tasks == NULL || !only_has(nw->only, key ? key : ""))
            continue;
        task_run_t *tr = task_new(run, t, run->task_count);
        if (tr == NULL)
            break;
        run->tasks[run->task_count++] = tr;
    }
    if (run->settings == NULL || run->tasks == NULL || run->run_type == NULL ||
        run->run_name == NULL ||
        (size_t)run->task_count != (nw->only ? (size_t)run->task_count : json_array_size(tasks))) {
        run_free(run);
        return NULL;
    }
    return run;
}

lh_err lh_run_create(lh_jobs_runs_t *r, const run_new_t *nw, int64_t *run_id, lh_errbuf *eb)
{
    pthread_mutex_lock(&r->mu);
    lh_err e = LH_OK;
    if (nw->idempotency_token != NULL) {
        int64_t id = 0;
        e = lh_run_store_token(r, nw->idempotency_token, &id, eb);
        if (e != LH_OK || id > 0) {
            *run_id = id;
            pthread_mutex_unlock(&r->mu);
            return e;
        }
    }
    run_t *run = r->stopping ? NULL : run_build(r, nw);
    if (run == NULL) {
        pthread_mutex_unlock(&r->mu);
        LH_FAIL_IF(r->stopping, LH_E_UNAVAILABLE, eb, "the server is shutting down");
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    run->lc = LC_PENDING;
    if (!run->is_submit && active_count(r, run->job_id) >= run->max_concurrent) {
        if (run->queue_enabled) {
            run->lc = LC_QUEUED;
        } else {
            run->lc = LC_SKIPPED;
            run->rs = RS_MAX_CONCURRENT;
            run->term_code = "MAX_CONCURRENT_RUNS_EXCEEDED";
            run->term_type = "CLIENT_ERROR";
            set_msg(&run->message, "Skipping this run because the limit of maximum concurrent "
                                   "runs has been reached.");
            run->start_time = run->end_time = run->created_time;
        }
    }
    json_array_append_new(
        run->repair_history,
        json_pack("{s:s, s:I}", "type", "ORIGINAL", "start_time", (json_int_t)run->created_time));
    e = lh_run_store_save(run, nw->idempotency_token, eb);
    if (e != LH_OK) {
        run_free(run);
        pthread_mutex_unlock(&r->mu);
        return e;
    }
    *run_id = run->run_id;
    atomic_fetch_add(&r->runs_started, 1);
    if (lh_run_lc_terminal(run->lc)) {
        lh_run_notify_end(run, NULL); /* skipped: on_failure unless no_alert_for_skipped_runs */
        run_free(run);
    } else {
        run->next = r->active;
        r->active = run;
        lh_run_step(run);
    }
    pthread_mutex_unlock(&r->mu);
    return LH_OK;
}

/* ---- area plumbing ---- */

lh_err lh_jobs_runs_create(lh_jobs_t *j, lh_errbuf *eb)
{
    lh_jobs_runs_t *r = calloc(1, sizeof *r);
    LH_FAIL_IF(r == NULL, LH_E_NOMEM, eb, "out of memory");
    r->j = j;
    pthread_mutex_init(&r->mu, NULL);
    j->runs = r;
    LH_TRY(lh_run_store_load_next_id(r, eb));
    return lh_bg_executor(j->ctx->bg, "jobs-runs", RUN_THREADS, RUN_QUEUE_MAX, &r->ex, eb);
}

lh_err lh_jobs_runs_recover(lh_jobs_t *j, lh_errbuf *eb)
{
    lh_jobs_runs_t *r = j->runs;
    LH_TRY(lh_run_store_recover(r, eb));
    /* tasks' DATABRICKS_TOKENs a crash left behind (run_python.c names them "jobs run ...") */
    if (j->ctx->identity != NULL)
        LH_TRY(lh_identity_revoke_tokens_by_comment(j->ctx->identity, LH_RUN_TOKEN_COMMENT, eb));
    return lh_bg_timer_add(j->ctx->bg, r->ex, RUN_TICK_MS, RUN_TICK_MS, tick, r, &r->tick, eb);
}

void lh_jobs_runs_destroy(lh_jobs_t *j)
{
    lh_jobs_runs_t *r = j->runs;
    if (r == NULL)
        return;
    if (r->tick != NULL)
        lh_bg_timer_cancel(r->tick);
    pthread_mutex_lock(&r->mu);
    r->stopping = true;
    for (run_t *x = r->active; x != NULL; x = x->next)
        for (int i = 0; i < x->task_count; i++)
            cancel_task(r, x->tasks[i], false);
    pthread_mutex_unlock(&r->mu);
    if (r->ex != NULL)
        lh_bg_executor_shutdown(r->ex);
    if (r->default_pool != NULL) /* no task runs any more */
        lh_pool_destroy(r->default_pool);
    /* runs still active stay so in the metastore: the next start resolves them */
    while (r->active != NULL) {
        run_t *x = r->active;
        r->active = x->next;
        run_free(x);
    }
    pthread_mutex_destroy(&r->mu);
    free(r);
    j->runs = NULL;
}

void lh_jobs_runs_render_metrics(lh_jobs_t *j, FILE *out)
{
    lh_jobs_runs_t *r = j->runs;
    pthread_mutex_lock(&r->mu);
    int active = 0, queued = 0;
    for (run_t *x = r->active; x != NULL; x = x->next)
        x->lc == LC_QUEUED ? queued++ : active++;
    pthread_mutex_unlock(&r->mu);
    fprintf(out, "# TYPE lakehouse_jobs_runs_active gauge\nlakehouse_jobs_runs_active %d\n",
            active);
    fprintf(out, "# TYPE lakehouse_jobs_runs_queued gauge\nlakehouse_jobs_runs_queued %d\n",
            queued);
    fprintf(out,
            "# TYPE lakehouse_jobs_runs_started_total counter\n"
            "lakehouse_jobs_runs_started_total %lld\n",
            (long long)atomic_load(&r->runs_started));
    fprintf(out,
            "# TYPE lakehouse_jobs_task_runs_total counter\nlakehouse_jobs_task_runs_total %lld\n",
            (long long)atomic_load(&r->tasks_run));
    lh_run_notify_metrics(out);
}

lh_err lh_jobs_start_run(lh_jobs_t *j, const lh_run_start_t *rs, int64_t *run_id,
                         int64_t *number_in_job, lh_errbuf *eb)
{
    lh_job_info_t info;
    LH_TRY(lh_jobs_load(j, rs->job_id, &info, eb));
    json_t *only = json_object_get(rs->overrides, "only");
    run_new_t nw = {.job_id = rs->job_id,
                    .run_type =
                        "JOB_RUN", /* run_job_task children too, with trigger RUN_JOB_TASK */
                    .trigger = rs->trigger,
                    .creator = rs->user_name ? rs->user_name : info.creator_user_name,
                    .idempotency_token = rs->idempotency_token,
                    .settings = info.settings,
                    .overrides = rs->overrides,
                    .only = json_is_array(only) ? only : NULL};
    lh_err e = lh_run_create(j->runs, &nw, run_id, eb);
    lh_job_info_free(&info);
    if (e == LH_OK && number_in_job != NULL)
        *number_in_job = *run_id;
    return e;
}

void lh_jobs_runs_on_job_deleted(lh_jobs_t *j, int64_t job_id)
{
    lh_jobs_runs_t *r = j->runs;
    pthread_mutex_lock(&r->mu);
    for (run_t *x = r->active; x != NULL; x = x->next)
        if (x->job_id == job_id)
            x->deleted = true;
    lh_run_cancel_all(r, job_id, false, NULL);
    lh_errbuf eb;
    if (lh_run_store_delete_job(r, job_id, &eb) != LH_OK)
        fprintf(stderr, "jobs: deleting the runs of job %lld: %s\n", (long long)job_id, eb.msg);
    pthread_mutex_unlock(&r->mu);
}

/* ---- repair: rebuild a finished run from its stored document and rerun some tasks ---- */

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_int_t jint(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static run_rs rs_of(const char *s)
{
    for (int i = 1; i <= RS_DISABLED; i++)
        if (s != NULL && strcmp(s, rs_names[i]) == 0)
            return (run_rs)i;
    return RS_FAILED;
}

static json_t *settings_task(const json_t *settings, const char *key)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(settings, "tasks"), i,
                       t) if (strcmp(jstr(t, "task_key"), key) == 0) return t;
    return NULL;
}

static run_t *run_rebuild(lh_jobs_runs_t *r, const run_row_t *row)
{
    const json_t *doc = row->doc, *priv = row->priv;
    run_t *run = calloc(1, sizeof *run);
    if (run == NULL || priv == NULL) {
        free(run);
        return NULL;
    }
    run->owner = r;
    run->run_id = jint(doc, "run_id");
    run->version = row->version;
    run->job_id = jint(doc, "job_id");
    run->number_in_job = jint(doc, "number_in_job");
    run->original_attempt_run_id = jint(doc, "original_attempt_run_id");
    run->is_submit = run->job_id >= LH_JOBS_SUBMIT_JOB_ID_BASE;
    run->run_name = strdup(jstr(doc, "run_name") ? jstr(doc, "run_name") : "");
    run->run_type = strdup(jstr(doc, "run_type") ? jstr(doc, "run_type") : "JOB_RUN");
    run->creator = jstr(doc, "creator_user_name") ? strdup(jstr(doc, "creator_user_name")) : NULL;
    run->trigger = strdup(jstr(doc, "trigger") ? jstr(doc, "trigger") : "ONE_TIME");
    run->job_name = strdup(jstr(priv, "job_name") ? jstr(priv, "job_name") : "");
    run->settings = json_deep_copy(json_object_get(priv, "settings"));
    run->overrides = json_deep_copy(json_object_get(priv, "overrides"));
    run->job_params = json_deep_copy(json_object_get(priv, "job_params"));
    run->repair_history = json_deep_copy(json_object_get(doc, "repair_history"));
    if (run->repair_history == NULL)
        run->repair_history = json_array();
    run->created_time = run->start_time = jint(doc, "start_time");
    run->max_concurrent = 1 << 30;
    json_t *tasks = json_object_get(doc, "tasks");
    run->tasks = calloc(json_array_size(tasks) + 1, sizeof *run->tasks);
    size_t i;
    json_t *d;
    json_array_foreach(tasks, i, d)
    {
        const char *key = jstr(d, "task_key");
        json_t *st = key ? settings_task(run->settings, key) : NULL;
        task_run_t *t = st && run->tasks ? task_new(run, st, run->task_count) : NULL;
        if (t == NULL)
            continue;
        json_t *state = json_object_get(d, "state");
        json_t *p = json_object_get(json_object_get(priv, "tasks"), key);
        t->run_id = jint(d, "run_id");
        t->attempt = (int)jint(d, "attempt_number");
        t->lc = LC_TERMINATED;
        t->rs = rs_of(jstr(state, "result_state"));
        set_msg(&t->message, jstr(state, "state_message"));
        t->start_time = jint(d, "start_time");
        t->end_time = jint(d, "end_time");
        t->started = t->done = true;
        t->outcome = p ? (int)jint(p, "outcome") : -1;
        t->values = json_deep_copy(json_object_get(p, "values"));
        t->output = json_deep_copy(json_object_get(p, "output"));
        run->tasks[run->task_count++] = t;
    }
    if (run->settings == NULL || run->tasks == NULL || run->run_name == NULL) {
        run_free(run);
        return NULL;
    }
    return run;
}

static bool in_set(const bool *set, run_t *run, const char *key)
{
    task_run_t *t = find_task(run, key);
    return t != NULL && set[t->index];
}

/* Which tasks rerun: the chosen ones and their dependants (successful dependants only
 * with rerun_dependent_tasks). */
static lh_err choose(run_t *run, const json_t *body, bool *set, lh_errbuf *eb)
{
    bool all_failed = false, dependents = false;
    LH_TRY(lh_json_get_bool(body, "rerun_all_failed_tasks", LH_OPTIONAL, &all_failed, eb));
    LH_TRY(lh_json_get_bool(body, "rerun_dependent_tasks", LH_OPTIONAL, &dependents, eb));
    json_t *keys = json_object_get(body, "rerun_tasks");
    int n = 0;
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        task_run_t *t = json_is_string(k) ? find_task(run, json_string_value(k)) : NULL;
        LH_FAIL_IF(t == NULL, LH_E_INVALID, eb, "rerun_tasks[%zu]: no task '%s' in run %lld", i,
                   json_is_string(k) ? json_string_value(k) : "?", (long long)run->run_id);
        set[t->index] = true;
        n++;
    }
    for (int j = 0; all_failed && j < run->task_count; j++) {
        run_rs rs = run->tasks[j]->rs;
        if (rs != RS_SUCCESS && rs != RS_EXCLUDED && rs != RS_DISABLED)
            set[j] = true, n++;
    }
    LH_FAIL_IF(n == 0 && !all_failed, LH_E_INVALID, eb,
               "Either rerun_tasks or rerun_all_failed_tasks must be provided");
    LH_FAIL_IF(n == 0, LH_E_INVALID, eb, "Run %lld has no failed tasks to repair.",
               (long long)run->run_id);
    for (bool grew = true; grew;) {
        grew = false;
        for (int j = 0; j < run->task_count; j++) {
            task_run_t *t = run->tasks[j];
            if (set[j] || (t->rs == RS_SUCCESS && !dependents))
                continue;
            json_t *d;
            json_array_foreach(
                json_object_get(t->settings, "depends_on"), i,
                d) if (in_set(set, run, jstr(d, "task_key") ? jstr(d, "task_key") : ""))
            {
                set[j] = grew = true;
                break;
            }
        }
    }
    return LH_OK;
}

static lh_err check_latest(run_t *run, const json_t *body, lh_errbuf *eb)
{
    int64_t latest = 0, given = 0;
    size_t i;
    json_t *h;
    json_array_foreach(run->repair_history, i, h) if (jint(h, "id") > 0) latest = jint(h, "id");
    LH_TRY(lh_json_get_int(body, "latest_repair_id", LH_OPTIONAL, &given, eb));
    LH_FAIL_IF(latest > 0 && given == 0, LH_E_INVALID, eb,
               "Run %lld has been repaired before: latest_repair_id must be provided (the latest "
               "is %lld).",
               (long long)run->run_id, (long long)latest);
    LH_FAIL_IF(given != latest, LH_E_INVALID, eb,
               "latest_repair_id %lld is not the latest repair of run %lld%s.", (long long)given,
               (long long)run->run_id, latest ? "" : " (it has not been repaired)");
    return LH_OK;
}

static void reset_task(task_run_t *t)
{
    for (int i = 0; i < t->iter_count; i++)
        task_free(t->iters[i]);
    free(t->iters);
    t->iters = NULL;
    t->iter_count = t->iter_next = t->iter_active = t->iter_done = t->iter_ok = 0;
    t->run_id = 0;
    t->attempt = 0;
    t->started = t->done = false;
    t->lc = LC_PENDING;
    t->rs = RS_NONE;
    t->outcome = -1;
    t->start_time = t->end_time = 0;
    set_msg(&t->message, NULL);
    json_decref(t->values);
    json_decref(t->output);
    t->values = t->output = NULL;
}

static lh_err repair_locked(lh_jobs_runs_t *r, int64_t run_id, const json_t *body,
                            int64_t *repair_id, lh_errbuf *eb)
{
    LH_FAIL_IF(find_active(r, run_id) != NULL, LH_E_INVALID, eb,
               "Run %lld is still active: only a finished run can be repaired.", (long long)run_id);
    run_row_t row;
    LH_TRY(lh_run_store_get(r, run_id, &row, eb));
    run_t *run = row.is_task ? NULL : run_rebuild(r, &row);
    lh_run_row_free(&row);
    LH_FAIL_IF(run == NULL, LH_E_INVALID, eb, "Run %lld cannot be repaired.", (long long)run_id);
    bool *set = calloc((size_t)run->task_count + 1, sizeof *set);
    lh_err e = set ? check_latest(run, body, eb)
                   : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK)
        e = choose(run, body, set, eb);
    if (e != LH_OK) {
        free(set);
        run_free(run);
        return e;
    }
    json_t *jp = json_object_get(body, "job_parameters");
    if (json_is_object(jp)) {
        json_object_set(run->overrides, "job_parameters", jp);
        json_decref(run->job_params);
        run->job_params = job_params_of(run->settings, run->overrides);
    }
    for (int i = 0; i < run->task_count; i++)
        if (set[i])
            reset_task(run->tasks[i]);
    free(set);
    *repair_id = r->next_id++;
    json_array_append_new(run->repair_history,
                          json_pack("{s:s, s:I, s:I}", "type", "REPAIR", "id",
                                    (json_int_t)*repair_id, "start_time", (json_int_t)lh_now_ms()));
    run->lc = LC_PENDING;
    run->rs = RS_NONE;
    run->end_time = 0;
    set_msg(&run->message, NULL);
    run->next = r->active;
    r->active = run;
    lh_run_step(run);
    return LH_OK;
}

lh_err lh_run_repair(lh_jobs_runs_t *r, int64_t run_id, const json_t *body, int64_t *repair_id,
                     lh_errbuf *eb)
{
    pthread_mutex_lock(&r->mu);
    lh_err e = r->stopping ? lh_err_set(eb, LH_E_UNAVAILABLE, __FILE__, __LINE__,
                                        "the server is shutting down")
                           : repair_locked(r, run_id, body, repair_id, eb);
    pthread_mutex_unlock(&r->mu);
    return e;
}

/* ---- job clusters ---- */

#define CLUSTER_WAIT_MS 120000 /* a job cluster that is not RUNNING by then fails the task */

/* mu held: the spec a task's compute names, and the key it is known by in run->clusters. */
static const json_t *cluster_spec_of(task_run_t *t, char *key, size_t size)
{
    json_t *nc = json_object_get(t->settings, "new_cluster");
    if (json_is_object(nc)) {
        task_run_t *top = t->parent ? t->parent : t;
        snprintf(key, size, "task:%s", top->key);
        return nc;
    }
    const char *jk = json_string_value(json_object_get(t->settings, "job_cluster_key"));
    if (jk == NULL && t->parent != NULL)
        jk = json_string_value(json_object_get(t->parent->settings, "job_cluster_key"));
    if (jk == NULL)
        return NULL;
    snprintf(key, size, "job:%s", jk);
    size_t i;
    json_t *jc;
    json_array_foreach(json_object_get(t->run->settings, "job_clusters"), i, jc)
    {
        const char *k = json_string_value(json_object_get(jc, "job_cluster_key"));
        if (k != NULL && strcmp(k, jk) == 0)
            return json_object_get(jc, "new_cluster");
    }
    return json_null(); /* named but not defined */
}

/* Airflow and other clients send numbers as strings ("num_workers": "1"), which the Jobs
 * API's proto JSON accepts: make them numbers for the Clusters API's stricter checks. */
static void numbers_of_strings(json_t *spec)
{
    static const char *const keys[] = {"num_workers", "autotermination_minutes"};
    json_t *as = json_object_get(spec, "autoscale");
    for (int k = 0; k < 4; k++) {
        json_t *obj = k < 2 ? spec : as;
        const char *key = k < 2 ? keys[k] : k == 2 ? "min_workers" : "max_workers";
        const char *v = json_string_value(json_object_get(obj, key));
        char *end = NULL;
        long long n = v ? strtoll(v, &end, 10) : 0;
        if (v != NULL && *v != '\0' && end != NULL && *end == '\0')
            json_object_set_new(obj, key, json_integer(n));
    }
}

lh_err lh_run_job_cluster(task_ctx_t *tc, char **cluster_id, lh_errbuf *eb)
{
    *cluster_id = NULL;
    task_run_t *t = tc->t;
    run_t *run = t->run;
    lh_jobs_runs_t *r = tc->r;
    char key[320], id[64];
    lh_err e = LH_OK;
    pthread_mutex_lock(&r->mu);
    const json_t *spec = cluster_spec_of(t, key, sizeof key);
    if (spec == NULL) {
        pthread_mutex_unlock(&r->mu);
        return LH_OK;
    }
    const char *have = json_string_value(json_object_get(run->clusters, key));
    if (have != NULL) {
        snprintf(id, sizeof id, "%s", have);
    } else if (!json_is_object(spec)) {
        e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                       "job_cluster_key %s names no cluster of job_clusters", key + 4);
    } else {
        char name[96];
        snprintf(name, sizeof name, "job-%lld-run-%lld", (long long)run->job_id,
                 (long long)run->run_id);
        json_t *copy = json_deep_copy(spec);
        numbers_of_strings(copy);
        e = lh_clusters_create_ephemeral(r->j->ctx->clusters, copy, name, run->creator, id,
                                         sizeof id, eb);
        json_decref(copy);
        if (e == LH_OK) {
            if (run->clusters == NULL)
                run->clusters = json_object();
            json_object_set_new(run->clusters, key, json_string(id));
            lh_log(LH_LOG_INFO, "jobs: run %lld: job cluster %s (%s) created",
                   (long long)run->run_id, id, key);
        }
    }
    if (e == LH_OK) {
        free(t->cluster_id);
        t->cluster_id = strdup(id);
        save(run); /* cluster_instance shows at once */
    }
    pthread_mutex_unlock(&r->mu);
    LH_TRY(e);
    int64_t until = lh_now_ms() + CLUSTER_WAIT_MS;
    for (;;) {
        char state[32] = "";
        LH_TRY(lh_clusters_state(r->j->ctx->clusters, id, state, sizeof state, eb));
        if (strcmp(state, "RUNNING") == 0)
            break;
        LH_FAIL_IF(strcmp(state, "PENDING") != 0, LH_E_STATE, eb,
                   "The job cluster %s could not start (%s).", id, state);
        LH_FAIL_IF(atomic_load(&t->cancel), LH_E_STATE, eb, "canceled");
        LH_FAIL_IF(lh_now_ms() > until, LH_E_STATE, eb,
                   "The job cluster %s did not start within %d s.", id, CLUSTER_WAIT_MS / 1000);
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    *cluster_id = strdup(id);
    LH_FAIL_IF(*cluster_id == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}
