/*
 * job_defs_internal.h - what the job-definition files (job_*.c) share among themselves:
 * settings normalization and merging (job_settings.c), the scheduler (job_sched.c).
 */
#ifndef LH_API_JOBS_JOB_DEFS_INTERNAL_H
#define LH_API_JOBS_JOB_DEFS_INTERNAL_H

#include <stdatomic.h>

#include "api/jobs/jobs_internal.h"

#define LH_JOBS_TASKS_MAX 1000

/* ---- job_settings.c ---- */

/* An API 2.0 single-task body (notebook_task etc. at top level, no tasks[]) becomes a
 * one-task job in place: the task key is the job name when that is a valid key, else
 * "task"; the task-level fields (the task type, existing_cluster_id, new_cluster,
 * libraries, max_retries, min_retry_interval_millis, retry_on_timeout) move into it.
 * Anything else is left alone. */
void jd_settings_normalize(json_t *settings);
/* Fill the defaults Databricks reports (max_concurrent_runs 1, timeout_seconds 0,
 * format MULTI_TASK, schedule.pause_status UNPAUSED). */
void jd_settings_defaults(json_t *settings);
/* jobs/update: merge new_settings into a copy of old after fields_to_remove (top-level
 * names, "tasks/<key>", "job_clusters/<key>", "parameters/<name>",
 * "environments/<key>"). Top-level fields are replaced, except the keyed arrays (tasks,
 * job_clusters, parameters, environments), whose entries are replaced or appended by key.
 * *out is a new reference. */
lh_err jd_settings_merge(const json_t *old, const json_t *new_settings,
                         const json_t *fields_to_remove, json_t **out, lh_errbuf *eb);
/* Local folder of a file-arrival url (dbfs:/... or /Volumes/c/s/v/...) under data_dir
 * (malloc'd), or LH_E_INVALID naming the field. data_dir NULL: only check the url. */
lh_err jd_file_arrival_dir(const char *data_dir, const char *url, char **out, lh_errbuf *eb);

/* ---- job_sched.c ---- */

typedef struct jd_sched jd_sched_t;
lh_err jd_sched_create(lh_jobs_t *j, jd_sched_t **out, lh_errbuf *eb);
/* Plan every job with a schedule or trigger (recover). */
lh_err jd_sched_start(jd_sched_t *s, lh_errbuf *eb);
/* A job was created, changed or deleted: re-read it and re-plan (asynchronous). */
void jd_sched_replan(jd_sched_t *s, int64_t job_id);
/* Stop firing: no run is started after it returns (idempotent). */
void jd_sched_stop(jd_sched_t *s);
void jd_sched_destroy(jd_sched_t *s);
void jd_sched_render_metrics(jd_sched_t *s, FILE *out);

/* The area's state (one daemon per process); set by lh_jobs_defs_create. */
lh_jobs_t *jd_jobs(void);

struct lh_jobs_defs {
    lh_jobs_t *j;
    jd_sched_t *sched;
};

#endif
