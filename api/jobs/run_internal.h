/*
 * run_internal.h - what the run half's files share (run_*.c; nothing else includes it).
 *
 *   run_subst.c   the template language of task parameters ({{job.id}}, ${name})
 *   run_store.c   the runs tables (migration 12): one SQLite transaction per state change
 *   run_engine.c  the run state machine and scheduling (the "jobs-runs" bg executor)
 *   run_tasks.c   task execution: one function per task type (the dispatch table)
 *   run_api.c     the REST routes (runs/..., run-now) and rendering
 *
 * Memory model: an active run (QUEUED .. TERMINATING) lives in memory (lh_jobs_runs_t.active)
 * and is written through to SQLite as its rendered Run JSON on every change; a finished
 * run lives only in SQLite. Reads (runs/get, list, get-output) read SQLite only.
 *
 * Lock: lh_jobs_runs_t.mu guards every active run and task run (state, lists). It is held
 * while writing to the metastore (whose locks are leaves), so stored documents never go
 * backwards. Task bodies run without it.
 */
#ifndef LH_API_JOBS_RUN_INTERNAL_H
#define LH_API_JOBS_RUN_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "api/jobs/jobs_internal.h"
#include "common/bg.h"

/* ---- substitution (run_subst.c) ---- */

/* A reference's kind: {{ref}} or ${ref} (a widget). */
typedef enum { LH_SUBST_REF, LH_SUBST_WIDGET } lh_subst_kind;
/* Resolve one reference (name is NUL-terminated, trimmed). *value: a malloc'd string.
 * LH_E_INVALID for an unknown reference (its message is the task's error). */
typedef lh_err (*lh_subst_fn)(void *arg, lh_subst_kind kind, const char *name, char **value,
                              lh_errbuf *eb);
/* Replace every {{ name }} and ${name} in text (bytes long) with fn's value. A "{{" with no
 * "}}" after it, and "$" not followed by "{name}", are literal text. A reference name is
 * [A-Za-z0-9_.-]+ (spaces around it allowed inside {{ }}), at most 256 bytes; anything
 * else between the braces is LH_E_INVALID. *out is malloc'd and NUL-terminated. */
lh_err lh_run_subst(const char *text, size_t bytes, lh_subst_fn fn, void *arg, char **out,
                    lh_errbuf *eb);

/* Compare a condition_task's operands: op one of EQUAL_TO, NOT_EQUAL (string comparison, as
 * Databricks: "12.0" != "12"), GREATER_THAN, GREATER_THAN_OR_EQUAL, LESS_THAN,
 * LESS_THAN_OR_EQUAL (numeric when both parse as numbers, else bytewise). LH_E_INVALID for
 * an unknown op. */
lh_err lh_run_condition(const char *op, const char *left, const char *right, bool *outcome,
                        lh_errbuf *eb);

/* ---- states ---- */

typedef enum {
    LC_QUEUED,
    LC_PENDING,
    LC_RUNNING,
    LC_TERMINATING,
    LC_TERMINATED,
    LC_SKIPPED,
    LC_INTERNAL_ERROR,
    LC_BLOCKED,
    LC_WAITING_FOR_RETRY,
} run_lc;

typedef enum {
    RS_NONE,
    RS_SUCCESS,
    RS_FAILED,
    RS_TIMEDOUT,
    RS_CANCELED,
    RS_MAX_CONCURRENT,
    RS_EXCLUDED,
    RS_UPSTREAM_FAILED,
    RS_UPSTREAM_CANCELED,
    RS_DISABLED,
} run_rs;

const char *lh_run_lc_name(run_lc lc);
const char *lh_run_rs_name(run_rs rs);
bool lh_run_lc_terminal(run_lc lc);

typedef struct run run_t;

/* One task of a run (its current attempt), or one for_each iteration. */
typedef struct task_run {
    run_t *run;
    struct task_run *parent; /* the for_each task of an iteration */
    json_t *settings;        /* the Task settings (owned) */
    char *key;
    int64_t run_id; /* this attempt's task run id; 0 before it starts */
    int attempt;
    run_lc lc;
    run_rs rs;
    char *message;                        /* state_message (malloc'd; NULL = "") */
    const char *term_code;                /* termination_details.code (static) */
    int64_t start_time, end_time, due_ms; /* due_ms: retry or timeout instant, 0 = none */
    int64_t exec_ms;
    bool started, done, timed_out, queued_exec, output_saved;
    bool duration_warned; /* on_duration_warning_threshold_exceeded sent (this attempt) */
    int outcome;          /* condition_task: -1 none, 0 false, 1 true */
    json_t *values;       /* task values (object) */
    json_t *output;       /* get-output fields (object) */
    atomic_bool cancel;   /* set to stop a running body */
    int64_t child_run_id; /* run_job_task: the run it waits for */
    /* for_each_task */
    struct task_run **iters;
    int iter_count, iter_next, iter_active, iter_done, iter_ok;
    char *input;      /* an iteration's {{input}} */
    char *cluster_id; /* the job cluster it ran on (cluster_instance), or NULL */
    int index;        /* in run->tasks, or the iteration number */
} task_run_t;

struct run {
    lh_jobs_runs_t *owner;
    int64_t run_id, job_id, number_in_job, original_attempt_run_id;
    char *run_name, *run_type, *creator, *trigger, *job_name;
    json_t *settings;   /* job settings or the submit body (owned) */
    json_t *overrides;  /* overriding_parameters (object, owned) */
    json_t *job_params; /* [{name, default, value}] (owned) */
    run_lc lc;
    run_rs rs;
    char *message;
    const char *term_code, *term_type;
    int64_t created_time, start_time, end_time, queue_ms, due_ms;
    task_run_t **tasks;
    int task_count;
    json_t *repair_history; /* [{id, type, start_time, end_time, state, status, task_run_ids}] */
    int64_t version;        /* bumps on every write */
    bool cancel, timed_out, is_submit, deleted;
    int max_concurrent;
    bool queue_enabled;
    bool duration_warned; /* on_duration_warning_threshold_exceeded sent */
    json_t *clusters;     /* job clusters made for the run: key -> cluster_id (terminated at end) */
    struct run *next;     /* in the active list */
};

struct lh_jobs_runs {
    lh_jobs_t *j;
    pthread_mutex_t mu; /* see above */
    run_t *active;      /* active runs */
    int64_t next_id;    /* run ids and task run ids share one sequence */
    lh_bg_executor_t *ex;
    lh_bg_timer_t *tick;
    /* the compute of tasks with neither warehouse_id nor existing_cluster_id (new_cluster,
     * job_cluster_key or none): a pool made on first use, guarded by mu */
    struct lh_pool *default_pool;
    bool stopping;
    atomic_llong runs_started, tasks_run, task_overhead_us;
};

#define LH_JOBS_SUBMIT_JOB_ID_BASE 1000000000000000LL

/* ---- store (run_store.c) ---- */
lh_err lh_run_store_load_next_id(lh_jobs_runs_t *r, lh_errbuf *eb);
/* Insert or update the run's row (and its task runs' rows), one transaction. mu held. */
lh_err lh_run_store_save(run_t *run, const char *idempotency_token, lh_errbuf *eb);
/* The run id recorded for an idempotency token, or 0. */
lh_err lh_run_store_token(lh_jobs_runs_t *r, const char *token, int64_t *run_id, lh_errbuf *eb);
/* A stored run (parent) or task run document: *doc new reference; *is_task; *parent_id. */
typedef struct run_row {
    json_t *doc, *output, *priv;
    json_t *events; /* a run's recorded events (run_notify.c), [] when none; NULL for tasks */
    bool is_task;
    int64_t parent_run_id, job_id, version;
    char *creator;
    run_lc lc;
} run_row_t;
lh_err lh_run_store_get(lh_jobs_runs_t *r, int64_t run_id, run_row_t *out, lh_errbuf *eb);
void lh_run_row_free(run_row_t *row);
lh_err lh_run_store_delete(lh_jobs_runs_t *r, int64_t run_id, lh_errbuf *eb);
lh_err lh_run_store_delete_job(lh_jobs_runs_t *r, int64_t job_id, lh_errbuf *eb);
/* Runs in flight at the last stop: mark them INTERNAL_ERROR. */
lh_err lh_run_store_recover(lh_jobs_runs_t *r, lh_errbuf *eb);
/* Docs for runs/list. */
typedef struct run_list_q {
    int64_t job_id; /* 0 = every job */
    bool active_only, completed_only, expand_tasks;
    int64_t start_from, start_to; /* 0 = unbounded */
    const char *run_type;
    const char *creator; /* only runs of this creator when non-NULL (non-admins, submit) */
    int64_t offset;
    struct lh_page *page;
} run_list_q_t;
lh_err lh_run_store_list(lh_jobs_runs_t *r, const run_list_q_t *q, json_t *runs, lh_errbuf *eb);

/* ---- rendering (run_api.c) ---- */
json_t *lh_run_render(const run_t *run, bool with_history);
json_t *lh_task_render(const task_run_t *t);

/* ---- engine (run_engine.c) ---- */
typedef struct run_new {
    int64_t job_id; /* 0 for a submit */
    const char *run_type, *trigger, *creator, *idempotency_token, *run_name;
    const json_t *settings;  /* job settings or the submit body */
    const json_t *overrides; /* run-now body or NULL */
    const json_t *only;      /* run-now only[] or NULL */
} run_new_t;
lh_err lh_run_create(lh_jobs_runs_t *r, const run_new_t *nw, int64_t *run_id, lh_errbuf *eb);
lh_err lh_run_cancel(lh_jobs_runs_t *r, int64_t run_id, lh_errbuf *eb);
lh_err lh_run_cancel_all(lh_jobs_runs_t *r, int64_t job_id, bool queued_only, lh_errbuf *eb);
lh_err lh_run_repair(lh_jobs_runs_t *r, int64_t run_id, const json_t *body, int64_t *repair_id,
                     lh_errbuf *eb);
/* mu held: the task finished its body (or was decided without one). */
void lh_run_task_finished(task_run_t *t, run_rs rs, const char *message, const char *code);
/* mu held: schedule what can start, finish the run when nothing is left. */
void lh_run_step(run_t *run);
bool lh_run_is_active(lh_jobs_runs_t *r, int64_t run_id);

/* No lock held (a task body): the job cluster of the task (new_cluster, or job_cluster_key
 * naming one of the job's job_clusters), created on first use for the run ("job-<job_id>-
 * run-<run_id>", cluster_source JOB) and waited for until RUNNING (bounded, stops on
 * cancel). *cluster_id: malloc'd, or NULL when the task names no job cluster. */
struct task_ctx;
lh_err lh_run_job_cluster(struct task_ctx *tc, char **cluster_id, lh_errbuf *eb);

/* ---- notifications (run_notify.c; mu held, never blocks: sends are queued) ---- */
/* Send event ("on_start", ...) of the run (t NULL) or the task t; state: result state or
 * NULL. */
void lh_run_notify(run_t *run, task_run_t *t, const char *event, const char *state);
/* The end of a run (t NULL) or a task: on_success or on_failure, as its result says. */
void lh_run_notify_end(run_t *run, task_run_t *t);
/* health.rules RUN_DURATION_SECONDS GREATER_THAN value, in ms; 0 = none. */
int64_t lh_run_duration_threshold_ms(const json_t *settings);
void lh_run_notify_metrics(FILE *out);

/* ---- tasks (run_tasks.c) ---- */
/* The outcome of a task body. */
typedef struct task_result {
    run_rs rs;            /* SUCCESS or FAILED (the engine turns cancel / timeout into theirs) */
    char *message;        /* malloc'd or NULL */
    const char *code;     /* termination code, e.g. "RUN_EXECUTION_ERROR", "RESOURCE_NOT_FOUND" */
    json_t *values;       /* task values (new reference) or NULL */
    json_t *output;       /* get-output fields (new reference) or NULL */
    int outcome;          /* condition: -1, 0, 1 */
    bool detached;        /* the task goes on without a thread (run_job_task, for_each) */
    bool timed_out;       /* the body stopped itself at the task's deadline (TIMEDOUT) */
    int64_t child_run_id; /* run_job_task: the run started */
} task_result_t;
/* Run the body of t (no lock held). The snapshot of what it reads is in ctx. */
typedef struct task_ctx {
    lh_jobs_runs_t *r;
    task_run_t *t;
    json_t *settings; /* substituted task settings snapshot (owned by caller) */
    json_t *params;   /* name -> value: job parameters and widget values (owned by caller) */
    json_t *refs;     /* reference name -> value (owned by caller) */
} task_ctx_t;
void lh_run_task_exec(task_ctx_t *tc, task_result_t *res);
/* The comment of the tokens run_python.c mints (a prefix: "jobs run <id> task <id>"). */
#define LH_RUN_TOKEN_COMMENT "lakehouse-jobs: run "
/* run_python.c: the task bodies that run python3 (spark_python_task, python_wheel_task, and
 * notebook_task on a PYTHON notebook: false when path is not one, res untouched). */
void lh_run_spark_python_task(task_ctx_t *tc, const json_t *task, task_result_t *res);
void lh_run_python_wheel_task(task_ctx_t *tc, const json_t *task, task_result_t *res);
bool lh_run_python_notebook_task(task_ctx_t *tc, const char *path, task_result_t *res);
/* Resolve a reference against tc (for lh_run_subst). */
lh_err lh_run_task_ref(void *arg, lh_subst_kind kind, const char *name, char **value,
                       lh_errbuf *eb);

#endif
