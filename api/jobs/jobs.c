/*
 * jobs.c - the Jobs area's descriptor: creates the job-definition half and the run half
 * (jobs_internal.h) and serves both route tables, and the notification destinations', as one.
 */
#include "api/jobs/jobs.h"

#include <stdlib.h>
#include <string.h>

#include "api/jobs/jobs_internal.h"
#include <pthread.h>

#include "common/err.h"

/* Both halves' routes, concatenated once (static data after the first call). */
#define JOBS_ROUTES_MAX 96
static lh_route_t jobs_routes_all[JOBS_ROUTES_MAX];
static int jobs_routes_n = -1;
static pthread_once_t jobs_routes_once = PTHREAD_ONCE_INIT;

static void jobs_routes_build(void)
{
    int a = 0, b = 0, c = 0;
    const lh_route_t *ra = lh_jobs_defs_routes(&a);
    const lh_route_t *rb = lh_jobs_runs_routes(&b);
    const lh_route_t *rc = lh_jobs_dest_routes(&c);
    LH_ASSERT(a + b + c <= JOBS_ROUTES_MAX);
    if (a > 0)
        memcpy(jobs_routes_all, ra, (size_t)a * sizeof *ra);
    if (b > 0)
        memcpy(jobs_routes_all + a, rb, (size_t)b * sizeof *rb);
    if (c > 0)
        memcpy(jobs_routes_all + a + b, rc, (size_t)c * sizeof *rc);
    jobs_routes_n = a + b + c;
}

static const lh_route_t *jobs_routes(int *count)
{
    pthread_once(&jobs_routes_once, jobs_routes_build);
    *count = jobs_routes_n;
    return jobs_routes_all;
}

static void area_destroy(void *state)
{
    lh_jobs_t *j = state;
    if (j == NULL)
        return;
    if (j->ctx != NULL && j->ctx->jobs == j)
        j->ctx->jobs = NULL;
    /* The scheduler stops first (it starts runs), then runs: they read job definitions
     * while they finish. */
    if (j->defs != NULL)
        lh_jobs_defs_stop(j);
    if (j->runs != NULL)
        lh_jobs_runs_destroy(j);
    if (j->defs != NULL)
        lh_jobs_defs_destroy(j);
    free(j);
}

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    lh_jobs_t *j = calloc(1, sizeof *j);
    LH_FAIL_IF(j == NULL, LH_E_NOMEM, eb, "out of memory");
    j->ctx = ctx;
    lh_err e = lh_jobs_defs_create(j, eb);
    if (e == LH_OK)
        e = lh_jobs_runs_create(j, eb);
    if (e != LH_OK) {
        area_destroy(j);
        return e;
    }
    ctx->jobs = j;
    *state = j;
    return LH_OK;
}

static lh_err area_recover(void *state, lh_errbuf *eb)
{
    lh_jobs_t *j = state;
    /* Runs first: in-flight runs end before the scheduler may start new ones. */
    LH_TRY(lh_jobs_runs_recover(j, eb));
    return lh_jobs_defs_recover(j, eb);
}

static void area_metrics(void *state, FILE *out)
{
    lh_jobs_defs_render_metrics(state, out);
    lh_jobs_runs_render_metrics(state, out);
}

const lh_area_t lh_jobs_area = {
    .name = "jobs",
    .create = area_create,
    .recover = area_recover,
    .routes = jobs_routes,
    .render_metrics = area_metrics,
    .destroy = area_destroy,
};
