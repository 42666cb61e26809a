/*
 * jobs_internal.h - what the two halves of the Jobs area share: job definitions
 * (job_*.c) and runs (run_*.c). Nothing outside api/jobs includes this.
 *
 * Locks: each half has its own mutex; neither calls the other with its mutex held.
 */
#ifndef LH_API_JOBS_INTERNAL_H
#define LH_API_JOBS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"

typedef struct lh_jobs_defs lh_jobs_defs_t; /* job definitions, scheduler (job_*.c) */
typedef struct lh_jobs_runs lh_jobs_runs_t; /* runs and their engine (run_*.c) */

typedef struct lh_jobs {
    lh_ctx_t *ctx;
    lh_jobs_defs_t *defs;
    lh_jobs_runs_t *runs;
} lh_jobs_t;

/* The object type of jobs in api/perm.h ("/api/2.0/permissions/jobs/{id}"). */
#define LH_JOBS_PERM_PATH "jobs"

/* ---- notification destinations (notif_dest.c) ---- */
const lh_route_t *lh_jobs_dest_routes(int *count);
/* Validate a destination's config ({email: {addresses}} or {generic_webhook: {url, username?,
 * password?}}): *type "EMAIL" or "WEBHOOK". LH_E_INVALID, LH_E_NOT_IMPLEMENTED (slack, ...). */
lh_err lh_jobs_dest_check_config(const json_t *config, const char **type, lh_errbuf *eb);
/* A valid config as answers show it: url, username, password replaced by *_set (new ref). */
json_t *lh_jobs_dest_render_config(const json_t *config);
/* The destination id: *dest {id, display_name, destination_type, config} with its secrets
 * (new reference). LH_E_NOT_FOUND. */
lh_err lh_jobs_dest_get(lh_ctx_t *ctx, const char *id, json_t **dest, lh_errbuf *eb);

/* ---- job definitions (job_*.c) ---- */

lh_err lh_jobs_defs_create(lh_jobs_t *j, lh_errbuf *eb);
/* After every area exists: start the scheduler's timers. */
lh_err lh_jobs_defs_recover(lh_jobs_t *j, lh_errbuf *eb);
/* Stop the scheduler and triggers (no run starts after it returns); idempotent. The area
 * calls it before tearing the runs down. */
void lh_jobs_defs_stop(lh_jobs_t *j);
void lh_jobs_defs_destroy(lh_jobs_t *j);
const lh_route_t *lh_jobs_defs_routes(int *count);
void lh_jobs_defs_render_metrics(lh_jobs_t *j, FILE *out);

/* Validate JobSettings (jobs/create, reset, update's merged result) or a runs/submit body
 * (submit = true: no schedule/trigger, every task needs its own compute or none):
 * task_key unique and well-formed, exactly one task type per task, depends_on keys exist
 * and form no cycle, run_if and condition ops known, a schedule's cron and timezone_id
 * valid (LH_E_INVALID naming the field, e.g. "settings.tasks[1].depends_on[0].task_key:
 * task 'b' does not exist"). */
lh_err lh_jobs_validate_settings(const json_t *settings, bool submit, lh_errbuf *eb);
/* An API 2.0 single-task body (notebook_task, spark_python_task, ... at top level, no
 * tasks[]) rewritten in place as one task: task_key = the name when it is a valid key,
 * else "task"; existing_cluster_id, new_cluster, libraries, max_retries,
 * min_retry_interval_millis and retry_on_timeout move into the task. Else unchanged.
 * (lh_jobs_validate_settings accepts both shapes; store the normalized one.) */
void lh_jobs_normalize_settings(json_t *settings);

/* A job's stored settings and owner facts. LH_E_NOT_FOUND ("Job <id> does not exist.")
 * when there is none. *settings is a new reference; strings are copies (free()). */
typedef struct lh_job_info {
    int64_t job_id;
    json_t *settings;
    char *creator_user_name;
    char *run_as_user_name;
    int64_t created_time; /* ms since the epoch */
} lh_job_info_t;
lh_err lh_jobs_load(lh_jobs_t *j, int64_t job_id, lh_job_info_t *out, lh_errbuf *eb);
void lh_job_info_free(lh_job_info_t *info);

/* ---- runs (run_*.c) ---- */

lh_err lh_jobs_runs_create(lh_jobs_t *j, lh_errbuf *eb);
/* After a restart: resolve runs that were in flight. */
lh_err lh_jobs_runs_recover(lh_jobs_t *j, lh_errbuf *eb);
void lh_jobs_runs_destroy(lh_jobs_t *j);
const lh_route_t *lh_jobs_runs_routes(int *count);
void lh_jobs_runs_render_metrics(lh_jobs_t *j, FILE *out);

/* What starts a run of a job (jobs/run-now, the scheduler, triggers, run_job_task). */
typedef struct lh_run_start {
    int64_t job_id;
    const char *trigger;           /* "ONE_TIME", "PERIODIC", "FILE_ARRIVAL", "RUN_JOB_TASK" */
    const json_t *overrides;       /* run-now's body (job_parameters, notebook_params, ...)
                                      or NULL */
    const char *user_name;         /* who starts it (the scheduler: the job's run_as) */
    const char *idempotency_token; /* or NULL */
} lh_run_start_t;
/* Start a run of a job: LH_E_NOT_FOUND for an unknown job; sets *run_id and
 * *number_in_job. Returns once the run is queued, never waits for it. */
lh_err lh_jobs_start_run(lh_jobs_t *j, const lh_run_start_t *rs, int64_t *run_id,
                         int64_t *number_in_job, lh_errbuf *eb);
/* Called by the job half when a job is deleted (its runs go with it). */
void lh_jobs_runs_on_job_deleted(lh_jobs_t *j, int64_t job_id);

#endif
