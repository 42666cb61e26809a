/*
 * run_engine.c - runs (to be built): runs/submit, jobs/run-now, the run engine and the
 * runs routes.
 */
#include <stdlib.h>

#include "api/jobs/jobs_internal.h"
#include "common/err.h"

struct lh_jobs_runs {
    lh_jobs_t *j;
};

lh_err lh_jobs_runs_create(lh_jobs_t *j, lh_errbuf *eb)
{
    j->runs = calloc(1, sizeof *j->runs);
    LH_FAIL_IF(j->runs == NULL, LH_E_NOMEM, eb, "out of memory");
    j->runs->j = j;
    return LH_OK;
}

lh_err lh_jobs_runs_recover(lh_jobs_t *j, lh_errbuf *eb)
{
    (void)j;
    (void)eb;
    return LH_OK;
}

void lh_jobs_runs_destroy(lh_jobs_t *j)
{
    free(j->runs);
    j->runs = NULL;
}

const lh_route_t *lh_jobs_runs_routes(int *count)
{
    *count = 0;
    return NULL;
}

void lh_jobs_runs_render_metrics(lh_jobs_t *j, FILE *out)
{
    (void)j;
    (void)out;
}

lh_err lh_jobs_start_run(lh_jobs_t *j, const lh_run_start_t *rs, int64_t *run_id,
                         int64_t *number_in_job, lh_errbuf *eb)
{
    (void)j;
    (void)rs;
    (void)run_id;
    (void)number_in_job;
    LH_FAIL(LH_E_NOT_IMPLEMENTED, eb, "job runs are not built yet");
}

void lh_jobs_runs_on_job_deleted(lh_jobs_t *j, int64_t job_id)
{
    (void)j;
    (void)job_id;
}
