/*
 * job_defs.c - job definitions: the jobs table (migration 11), lh_jobs_load, and (to be
 * built) jobs/create|get|list|update|reset|delete, settings validation and the scheduler.
 */
#include <stdlib.h>
#include <string.h>

#include "api/jobs/jobs_internal.h"
#include "common/err.h"
#include "storage/meta/meta.h"

struct lh_jobs_defs {
    lh_jobs_t *j;
};

lh_err lh_jobs_defs_create(lh_jobs_t *j, lh_errbuf *eb)
{
    j->defs = calloc(1, sizeof *j->defs);
    LH_FAIL_IF(j->defs == NULL, LH_E_NOMEM, eb, "out of memory");
    j->defs->j = j;
    return LH_OK;
}

lh_err lh_jobs_defs_recover(lh_jobs_t *j, lh_errbuf *eb)
{
    (void)j;
    (void)eb;
    return LH_OK;
}

void lh_jobs_defs_destroy(lh_jobs_t *j)
{
    free(j->defs);
    j->defs = NULL;
}

const lh_route_t *lh_jobs_defs_routes(int *count)
{
    *count = 0;
    return NULL;
}

void lh_jobs_defs_render_metrics(lh_jobs_t *j, FILE *out)
{
    (void)j;
    (void)out;
}

lh_err lh_jobs_validate_settings(const json_t *settings, bool submit, lh_errbuf *eb)
{
    (void)submit;
    LH_FAIL_IF(!json_is_object(settings), LH_E_INVALID, eb, "settings must be an object");
    return LH_OK;
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
