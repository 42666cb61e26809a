/*
 * jobs.h - the Jobs area (api/jobs): jobs, runs, task execution, schedules and triggers,
 * served at /api/2.0, /api/2.1 and /api/2.2 by the same handlers (reference section 3).
 *
 *   jobs.c        the area descriptor; glues the two halves below
 *   job_*.c       job definitions: settings validation, the jobs table, jobs/create|get|
 *                 list|update|reset|delete, permissions, the cron scheduler and triggers
 *   run_*.c       runs: runs/submit, jobs/run-now, the run engine (task DAG, run_if,
 *                 retries, timeouts, concurrency), task execution, runs routes
 *   cron.c        Quartz cron expressions (cron.h)
 */
#ifndef LH_API_JOBS_H
#define LH_API_JOBS_H

#include "api/area.h"

/* The Jobs area's descriptor (server/areas.c). */
extern const lh_area_t lh_jobs_area;

#endif
