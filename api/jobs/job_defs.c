/*
 * job_defs.c - the job-definition half's lifecycle (create, recover, destroy, metrics), its
 * side of api/perm.h (which jobs exist) and lh_jobs_load. The routes are in job_api.c,
 * settings in job_settings.c, the scheduler and triggers in job_sched.c.
 */
#include <stdlib.h>
#include <string.h>

#include "api/jobs/job_defs_internal.h"
#include "api/perm.h"
#include "common/err.h"
#include "storage/meta/meta.h"

static lh_jobs_t *g_jobs; /* one daemon per process */

lh_jobs_t *jd_jobs(void)
{
    return g_jobs;
}

typedef struct exists_arg {
    int64_t job_id;
    bool found;
} exists_arg;

static lh_err exists_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    exists_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM jobs WHERE job_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, a->job_id);
    return lh_stmt_step(st, &a->found, eb);
}

static bool job_exists(void *arg, const char *object_id)
{
    lh_jobs_t *j = arg;
    char *end;
    long long id = strtoll(object_id, &end, 10);
    if (*object_id == '\0' || *end != '\0' || id <= 0)
        return false;
    exists_arg a = {id, false};
    lh_errbuf eb;
    return lh_meta_read(j->ctx->meta, exists_tx, &a, &eb) == LH_OK && a.found;
}

lh_err lh_jobs_defs_create(lh_jobs_t *j, lh_errbuf *eb)
{
    j->defs = calloc(1, sizeof *j->defs);
    LH_FAIL_IF(j->defs == NULL, LH_E_NOMEM, eb, "out of memory");
    j->defs->j = j;
    LH_TRY(jd_sched_create(j, &j->defs->sched, eb));
    if (j->ctx->perm != NULL)
        lh_perm_register(j->ctx->perm, LH_JOBS_PERM_PATH, job_exists, j);
    g_jobs = j;
    return LH_OK;
}

lh_err lh_jobs_defs_recover(lh_jobs_t *j, lh_errbuf *eb)
{
    return jd_sched_start(j->defs->sched, eb);
}

void lh_jobs_defs_stop(lh_jobs_t *j)
{
    if (j->defs != NULL)
        jd_sched_stop(j->defs->sched);
}

void lh_jobs_defs_destroy(lh_jobs_t *j)
{
    jd_sched_destroy(j->defs->sched);
    free(j->defs);
    j->defs = NULL;
    if (g_jobs == j)
        g_jobs = NULL;
}

void lh_jobs_defs_render_metrics(lh_jobs_t *j, FILE *out)
{
    if (j != NULL && j->defs != NULL)
        jd_sched_render_metrics(j->defs->sched, out);
}

typedef struct load_arg {
    int64_t job_id;
    lh_job_info_t *out;
} load_arg;

static lh_err load_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    load_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT settings, creator_user_name, run_as_user_name, created_time "
                        "FROM jobs WHERE job_id = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, a->job_id);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Job %lld does not exist.", (long long)a->job_id);
    json_error_t jerr;
    const char *text = lh_stmt_text(st, 0);
    a->out->settings = json_loads(text != NULL ? text : "{}", 0, &jerr);
    LH_FAIL_IF(a->out->settings == NULL, LH_E_CORRUPT, eb, "job %lld: stored settings: %s",
               (long long)a->job_id, jerr.text);
    const char *c = lh_stmt_text(st, 1), *r = lh_stmt_text(st, 2);
    a->out->creator_user_name = strdup(c != NULL ? c : "");
    a->out->run_as_user_name = strdup(r != NULL ? r : (c != NULL ? c : ""));
    a->out->created_time = lh_stmt_int(st, 3);
    a->out->job_id = a->job_id;
    LH_FAIL_IF(a->out->creator_user_name == NULL || a->out->run_as_user_name == NULL, LH_E_NOMEM,
               eb, "out of memory");
    return LH_OK;
}

lh_err lh_jobs_load(lh_jobs_t *j, int64_t job_id, lh_job_info_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    load_arg a = {job_id, out};
    lh_err e = lh_meta_read(j->ctx->meta, load_tx, &a, eb);
    if (e != LH_OK)
        lh_job_info_free(out);
    return e;
}

void lh_job_info_free(lh_job_info_t *info)
{
    json_decref(info->settings);
    free(info->creator_user_name);
    free(info->run_as_user_name);
    memset(info, 0, sizeof *info);
}
