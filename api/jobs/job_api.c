/*
 * job_api.c - the job-definition routes (/api/{2.0|2.1|2.2}/jobs/...):
 *
 *   POST create {JobSettings..., access_control_list}                    -> {job_id}
 *   GET  get    ?job_id*  -> {job_id, creator_user_name, run_as_user_name, run_as_owner,
 *                             created_time, settings}
 *   GET  list   ?limit (1..100, 20), offset, page_token, name, expand_tasks
 *                                                  -> {jobs[], has_more, next_page_token}
 *   POST update {job_id*, new_settings, fields_to_remove[]}                 -> {}
 *   POST reset  {job_id*, new_settings*}                                    -> {}
 *   POST delete {job_id*}                                                   -> {}
 *
 * Permissions (api/perm.h, type "jobs"): the creator is IS_OWNER; get needs CAN_VIEW,
 * update/reset/delete CAN_MANAGE; list shows the jobs the caller can view. An unknown job
 * is 400 INVALID_PARAMETER_VALUE "Job <id> does not exist." (as Databricks answers).
 * Every change is one metastore transaction; the scheduler re-plans the job afterwards.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/jobs/job_defs_internal.h"
#include "api/page.h"
#include "api/perm.h"
#include "common/json.h"
#include "common/util.h"
#include "storage/meta/meta.h"

static const lh_page_spec LIST_SPEC = {
    .list_id = LH_PAGE_LIST_JOBS,
    .keys = "i",
    .columns = "job_id",
    .size_param = "limit",
    .size_default = 20,
    .size_max = 100,
    .flags = LH_PAGE_ZERO_INVALID,
    .style = LH_PAGE_STYLE_HAS_MORE,
};

static lh_jobs_t *J(const lh_req_t *req)
{
    (void)req;
    return jd_jobs();
}

/* job_id from params (an integer or a numeric string). */
static lh_err get_job_id(const lh_req_t *req, int64_t *id, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_int(req->params, "job_id", LH_REQUIRED, id, eb));
    LH_FAIL_IF(*id <= 0, LH_E_INVALID, eb, "Job %lld does not exist.", (long long)*id);
    return LH_OK;
}

/* Load a job for a route: unknown is 400 "Job <id> does not exist.", then the level. */
static lh_err load_checked(lh_req_t *req, int64_t id, const char *level, lh_job_info_t *info,
                           lh_errbuf *eb)
{
    lh_err e = lh_jobs_load(J(req), id, info, eb);
    if (e == LH_E_NOT_FOUND)
        LH_FAIL(LH_E_INVALID, eb, "Job %lld does not exist.", (long long)id);
    LH_TRY(e);
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    e = lh_perm_require(req->ctx, req->principal, LH_JOBS_PERM_PATH, ids, level, eb);
    if (e != LH_OK)
        lh_job_info_free(info);
    return e;
}

/* ---- run_as ---- */

typedef struct principal_arg {
    const char *name;
    const char *kind;
    bool found;
} principal_arg;

static lh_err principal_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    principal_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM users WHERE user_name = ? AND kind = ? AND active = 1",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->name);
    lh_stmt_bind_text(st, 2, a->kind);
    return lh_stmt_step(st, &a->found, eb);
}

/* settings.run_as: only an admin, or the principal itself, may name someone; the named
 * user / service principal must exist. *run_as is the name or NULL (the creator). */
static lh_err check_run_as(lh_req_t *req, const json_t *settings, const char *where,
                           const char **run_as, lh_errbuf *eb)
{
    *run_as = NULL;
    const json_t *ra = json_object_get(settings, "run_as");
    if (!json_is_object(ra))
        return LH_OK;
    const char *u = json_string_value(json_object_get(ra, "user_name"));
    const char *sp = json_string_value(json_object_get(ra, "service_principal_name"));
    const char *name = u != NULL ? u : sp;
    if (name == NULL)
        return LH_OK;
    const lh_principal_t *p = req->principal;
    bool self = p != NULL && p->user_name != NULL && strcasecmp(p->user_name, name) == 0 &&
                (sp != NULL) == p->is_service_principal;
    if (!self) {
        bool admin = p != NULL && (p->is_admin || lh_perm_is_admin(req->ctx, p));
        LH_FAIL_IF(!admin, LH_E_PERMISSION, eb,
                   "%s.run_as: only a workspace admin may run a job as '%.200s'", where, name);
    }
    principal_arg a = {name, sp != NULL ? "service_principal" : "user", false};
    LH_TRY(lh_meta_read(req->ctx->meta, principal_tx, &a, eb));
    LH_FAIL_IF(!a.found, LH_E_INVALID, eb, "%s.run_as: %s '%.200s' does not exist", where,
               sp != NULL ? "service principal" : "user", name);
    *run_as = name;
    return LH_OK;
}

/* ---- create ---- */

/* The settings of a create body: the body minus what is not JobSettings. */
static json_t *settings_of_body(const json_t *params)
{
    json_t *s = json_deep_copy(params);
    if (s == NULL)
        return NULL;
    json_object_del(s, "access_control_list");
    json_object_del(s, "job_id");
    return s;
}

typedef struct write_arg {
    int64_t job_id;
    const char *settings; /* JSON text */
    const char *name;
    int64_t creator_id;
    const char *creator;
    const char *run_as;
    int64_t now;
    /* update */
    const json_t *new_settings, *fields_to_remove;
    bool reset;
} write_arg;

static lh_err insert_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    write_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO jobs (name, settings, creator_id, creator_user_name, "
                        "run_as_user_name, created_time, updated_time) VALUES (?,?,?,?,?,?,?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->name);
    lh_stmt_bind_text(st, 2, a->settings);
    lh_stmt_bind_int(st, 3, a->creator_id);
    lh_stmt_bind_text(st, 4, a->creator);
    if (a->run_as != NULL)
        lh_stmt_bind_text(st, 5, a->run_as);
    else
        lh_stmt_bind_null(st, 5);
    lh_stmt_bind_int(st, 6, a->now);
    lh_stmt_bind_int(st, 7, a->now);
    LH_TRY(lh_stmt_run(st, eb));
    a->job_id = lh_meta_last_insert_id(m);
    return LH_OK;
}

static lh_err delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    write_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM jobs WHERE job_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, a->job_id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_INVALID, eb, "Job %lld does not exist.",
               (long long)a->job_id);
    return LH_OK;
}

static const char *settings_name(const json_t *s)
{
    const char *n = json_string_value(json_object_get(s, "name"));
    return n != NULL ? n : "";
}

/* Validate, default and serialize settings (consumed: normalized in place). */
static lh_err prepare(json_t *s, const char *where, char **text, lh_errbuf *eb)
{
    jd_settings_normalize(s);
    lh_err e = lh_jobs_validate_settings(s, false, eb);
    if (e == LH_E_INVALID && strncmp(eb->msg, "settings", 8) == 0 && strcmp(where, "settings")) {
        char msg[LH_ERRBUF_MSG_MAX];
        snprintf(msg, sizeof msg, "%s%s", where, eb->msg + 8);
        memcpy(eb->msg, msg, sizeof msg);
    }
    LH_TRY(e);
    jd_settings_defaults(s);
    *text = lh_json_write(s, &(size_t){0});
    LH_FAIL_IF(*text == NULL, LH_E_NOMEM, eb, "out of memory");
    return LH_OK;
}

static lh_err h_create(lh_req_t *req, lh_errbuf *eb)
{
    lh_jobs_t *j = J(req);
    const lh_perm_type_t *t = lh_perm_type_find(LH_JOBS_PERM_PATH);
    lh_perm_ace_t *aces = NULL;
    size_t n_aces = 0;
    LH_TRY(lh_perm_parse_acl(t, req->params, req->arena, &aces, &n_aces, eb));
    json_t *s = settings_of_body(req->params);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    char *text = NULL;
    const char *run_as = NULL;
    lh_err e = prepare(s, "settings", &text, eb);
    if (e == LH_OK)
        e = check_run_as(req, s, "settings", &run_as, eb);
    write_arg a = {0};
    if (e == LH_OK) {
        a.settings = text;
        a.name = settings_name(s);
        a.creator_id = req->principal != NULL ? req->principal->user_id : 0;
        a.creator = req->principal != NULL ? req->principal->user_name : "";
        a.run_as = run_as;
        a.now = lh_now_ms();
        e = lh_meta_tx(req->ctx->meta, insert_tx, &a, eb);
    }
    free(text);
    json_decref(s);
    LH_TRY(e);
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", (long long)a.job_id);
    e = lh_perm_on_create(req->ctx, req->principal, LH_JOBS_PERM_PATH, ids, eb);
    if (e == LH_OK && n_aces > 0)
        e = lh_perm_apply(req->ctx, t, ids, aces, n_aces, false, eb);
    if (e != LH_OK) {
        /* undo: a refused ACL (unknown principal) leaves no job behind */
        lh_errbuf eb2;
        lh_meta_tx(req->ctx->meta, delete_tx, &a, &eb2);
        lh_perm_on_delete(req->ctx, LH_JOBS_PERM_PATH, ids, &eb2);
        return e;
    }
    jd_sched_replan(j->defs->sched, a.job_id);
    req->out = json_object();
    lh_json_set_int(req->out, "job_id", a.job_id);
    return LH_OK;
}

/* ---- get ---- */

static json_t *render_job(const lh_job_info_t *info, bool with_tasks, bool with_run_as)
{
    json_t *o = json_object();
    lh_json_set_int(o, "job_id", info->job_id);
    lh_json_set_str(o, "creator_user_name", info->creator_user_name);
    if (with_run_as) {
        lh_json_set_str(o, "run_as_user_name", info->run_as_user_name);
        lh_json_set_bool(o, "run_as_owner",
                         strcasecmp(info->run_as_user_name, info->creator_user_name) == 0);
    }
    lh_json_set_int(o, "created_time", info->created_time);
    json_t *s = json_deep_copy(info->settings);
    if (!with_tasks && s != NULL) {
        json_object_del(s, "tasks");
        json_object_del(s, "job_clusters");
    }
    json_object_set_new(o, "settings", s != NULL ? s : json_object());
    return o;
}

static lh_err h_get(lh_req_t *req, lh_errbuf *eb)
{
    int64_t id;
    LH_TRY(get_job_id(req, &id, eb));
    lh_job_info_t info;
    LH_TRY(load_checked(req, id, "CAN_VIEW", &info, eb));
    req->out = render_job(&info, true, true);
    lh_job_info_free(&info);
    return LH_OK;
}

/* ---- list ---- */

typedef struct list_arg {
    lh_page_t *page;
    const char *name;
    int64_t offset;
    bool expand;
    lh_perm_visible_t *visible;
    json_t *jobs;
} list_arg;

static lh_err list_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    list_arg *a = arg;
    lh_page_t *p = a->page;
    const char *sql = lh_arena_sprintf(
        p->arena,
        "SELECT job_id, settings, creator_user_name, created_time, run_as_user_name FROM jobs "
        "WHERE (?1 IS NULL OR name = ?1) AND %s ORDER BY %s",
        lh_page_sql_where(p, 2), lh_page_sql_order(p));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, sql, &st, eb));
    if (a->name != NULL)
        lh_stmt_bind_text(st, 1, a->name);
    else
        lh_stmt_bind_null(st, 1);
    lh_page_bind(p, st, 2);
    int64_t skip = a->offset;
    for (;;) {
        bool row;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        lh_page_key key = {.i = lh_stmt_int(st, 0)};
        char ids[32];
        snprintf(ids, sizeof ids, "%lld", (long long)key.i);
        if (!lh_perm_visible_has(a->visible, ids) || skip > 0) {
            if (lh_perm_visible_has(a->visible, ids))
                skip--;
            lh_page_pass(p, &key);
            continue;
        }
        if (!lh_page_take(p, &key))
            break;
        lh_job_info_t info = {0};
        info.job_id = key.i;
        const char *text = lh_stmt_text(st, 1);
        info.settings = json_loads(text != NULL ? text : "{}", 0, NULL);
        info.creator_user_name = (char *)(lh_stmt_text(st, 2) ? lh_stmt_text(st, 2) : "");
        info.created_time = lh_stmt_int(st, 3);
        info.run_as_user_name = info.creator_user_name;
        json_t *item = render_job(&info, a->expand, false);
        json_decref(info.settings);
        lh_page_add(p, a->jobs, item);
    }
    return LH_OK;
}

static lh_err h_list(lh_req_t *req, lh_errbuf *eb)
{
    lh_page_t p;
    int64_t limit = 20;
    LH_TRY(lh_json_get_int(req->params, "limit", LH_OPTIONAL, &limit, eb));
    LH_FAIL_IF(lh_json_has(req->params, "limit") && (limit < 1 || limit > 100), LH_E_INVALID, eb,
               "limit must be between 1 and 100, not %lld", (long long)limit);
    LH_TRY(lh_page_parse(&LIST_SPEC, req->params, req->arena, &p, eb));
    list_arg a = {.page = &p};
    LH_TRY(lh_json_get_str(req->params, "name", LH_OPTIONAL, &a.name, eb));
    LH_TRY(lh_json_get_int(req->params, "offset", LH_OPTIONAL, &a.offset, eb));
    LH_FAIL_IF(a.offset < 0, LH_E_INVALID, eb, "offset must be >= 0");
    LH_TRY(lh_json_get_bool(req->params, "expand_tasks", LH_OPTIONAL, &a.expand, eb));
    lh_perm_visible_t visible;
    LH_TRY(lh_perm_visible(req->ctx, req->principal, LH_JOBS_PERM_PATH, "CAN_VIEW", req->arena,
                           &visible, eb));
    a.visible = &visible;
    a.jobs = json_array();
    lh_err e = lh_meta_read(req->ctx->meta, list_tx, &a, eb);
    if (e != LH_OK) {
        json_decref(a.jobs);
        return e;
    }
    req->out = json_object();
    json_object_set_new(req->out, "jobs", a.jobs);
    lh_page_finish(&p, req->out);
    return LH_OK;
}

/* ---- update / reset ---- */

static lh_err update_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    write_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT settings FROM jobs WHERE job_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, a->job_id);
    bool row;
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_INVALID, eb, "Job %lld does not exist.", (long long)a->job_id);
    json_t *merged;
    if (a->reset) {
        merged = json_deep_copy(a->new_settings);
        LH_FAIL_IF(merged == NULL, LH_E_NOMEM, eb, "out of memory");
    } else {
        const char *text = lh_stmt_text(st, 0);
        json_t *old = json_loads(text != NULL ? text : "{}", 0, NULL);
        LH_FAIL_IF(old == NULL, LH_E_CORRUPT, eb, "job %lld: stored settings are not JSON",
                   (long long)a->job_id);
        lh_err e = jd_settings_merge(old, a->new_settings, a->fields_to_remove, &merged, eb);
        json_decref(old);
        LH_TRY(e);
    }
    char *text = NULL;
    lh_err e = prepare(merged, a->reset ? "new_settings" : "settings", &text, eb);
    /* run_as was checked before the transaction (check_run_as) */
    const json_t *ra = json_object_get(merged, "run_as");
    const char *run_as = json_string_value(json_object_get(ra, "user_name"));
    if (run_as == NULL)
        run_as = json_string_value(json_object_get(ra, "service_principal_name"));
    if (e == LH_OK)
        e = lh_meta_stmt(m,
                         "UPDATE jobs SET settings = ?, name = ?, run_as_user_name = ?, "
                         "updated_time = ? WHERE job_id = ?",
                         &st, eb);
    if (e == LH_OK) {
        lh_stmt_bind_text(st, 1, text);
        lh_stmt_bind_text(st, 2, settings_name(merged));
        if (run_as != NULL)
            lh_stmt_bind_text(st, 3, run_as);
        else
            lh_stmt_bind_null(st, 3);
        lh_stmt_bind_int(st, 4, lh_now_ms());
        lh_stmt_bind_int(st, 5, a->job_id);
        e = lh_stmt_run(st, eb);
    }
    free(text);
    json_decref(merged);
    return e;
}

static lh_err do_update(lh_req_t *req, bool reset, lh_errbuf *eb)
{
    int64_t id;
    LH_TRY(get_job_id(req, &id, eb));
    json_t *ns = NULL, *remove = NULL;
    LH_TRY(lh_json_get_object(req->params, "new_settings", reset ? LH_REQUIRED : LH_OPTIONAL, &ns,
                              eb));
    if (!reset)
        LH_TRY(lh_json_get_list(req->params, "fields_to_remove", LH_OPTIONAL, &remove, eb));
    lh_job_info_t info;
    LH_TRY(load_checked(req, id, "CAN_MANAGE", &info, eb));
    /* a run_as being set is checked here: the metastore read it needs cannot nest in
     * the update's transaction. Keeping the job's current run_as needs no rights (it was
     * checked when set). */
    const json_t *nra = ns != NULL ? json_object_get(ns, "run_as") : NULL;
    const char *nname = json_string_value(json_object_get(nra, "user_name"));
    if (nname == NULL)
        nname = json_string_value(json_object_get(nra, "service_principal_name"));
    bool same = nname != NULL && strcasecmp(nname, info.run_as_user_name) == 0;
    lh_job_info_free(&info);
    const char *ra;
    if (ns != NULL && !same)
        LH_TRY(check_run_as(req, ns, "new_settings", &ra, eb));
    write_arg a = {.job_id = id, .new_settings = ns, .fields_to_remove = remove, .reset = reset};
    LH_TRY(lh_meta_tx(req->ctx->meta, update_tx, &a, eb));
    jd_sched_replan(J(req)->defs->sched, id);
    return LH_OK;
}

static lh_err h_update(lh_req_t *req, lh_errbuf *eb)
{
    return do_update(req, false, eb);
}

static lh_err h_reset(lh_req_t *req, lh_errbuf *eb)
{
    return do_update(req, true, eb);
}

/* ---- delete ---- */

static lh_err h_delete(lh_req_t *req, lh_errbuf *eb)
{
    int64_t id;
    LH_TRY(get_job_id(req, &id, eb));
    lh_job_info_t info;
    LH_TRY(load_checked(req, id, "CAN_MANAGE", &info, eb));
    lh_job_info_free(&info);
    write_arg a = {.job_id = id};
    LH_TRY(lh_meta_tx(req->ctx->meta, delete_tx, &a, eb));
    lh_jobs_t *j = J(req);
    jd_sched_replan(j->defs->sched, id);
    lh_jobs_runs_on_job_deleted(j, id);
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    return lh_perm_on_delete(req->ctx, LH_JOBS_PERM_PATH, ids, eb);
}

#define V "/api/{2.0|2.1|2.2}/jobs/"
static const lh_route_t ROUTES[] = {
    {"POST", V "create", h_create, 0, NULL, 0}, {"GET", V "get", h_get, 0, NULL, 0},
    {"GET", V "list", h_list, 0, NULL, 0},      {"POST", V "update", h_update, 0, NULL, 0},
    {"POST", V "reset", h_reset, 0, NULL, 0},   {"POST", V "delete", h_delete, 0, NULL, 0},
};

const lh_route_t *lh_jobs_defs_routes(int *count)
{
    *count = (int)(sizeof ROUTES / sizeof ROUTES[0]);
    return ROUTES;
}
