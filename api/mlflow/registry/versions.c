/*
 * versions.c - model versions: create (and the copy of the source's artifacts), get,
 * update, delete, search, stage transitions, tags.
 *
 * Registration (a version's status):
 *
 *   create ──tx──> PENDING_REGISTRATION ──copy task (work executor)──> READY
 *                                                    └──(copy fails)──> FAILED_REGISTRATION
 *
 * The copy task resolves the source to an artifact URI (runs:/<run_id>/<path> through the
 * run's artifact_uri; dbfs:/ and mlflow-artifacts:/ as given) and copies it to the
 * registry's own storage, dbfs:/mlflow-registry/<model id>/<version> (the model id, not its
 * name, so renames move nothing; outside dbfs:/databricks/, where MLflow clients switch to
 * presigned-URL flows). A models:/<logged model id> source (MLflow 3) is kept as the
 * version's location without a copy: clients resolve it through the tracking API's logged
 * models. The task writes READY only if the version is still pending (a version deleted
 * meanwhile has its copy removed). Versions still pending at start are copied again.
 *
 * Version numbers come from the model's next_version counter: increasing, never reused
 * after a delete (as MLflow's SQL store, which keeps deleted versions as tombstones).
 *
 * Stage transitions run in one transaction; archive_existing_versions archives the other
 * versions in the target stage inside it, so concurrent transitions (serialized by the
 * metastore's single writer) never leave two versions in Production.
 */
#include <stdlib.h>
#include <string.h>

#include "api/mlflow/mlflow.h"
#include "api/mlflow/registry/registry_internal.h"
#include "common/config.h"
#include "api/perm.h"
#include "api/workspace/workspace.h"
#include "common/json.h"
#include "common/util.h"

/* The registry's own storage: DBFS, or the artifact proxy's store when the daemon serves
 * MLflow artifacts itself (--mlflow-artifacts-proxy: OSS clients then download through
 * mlflow-artifacts:/ like everything else they log). */
#define STORAGE_ROOT       "dbfs:/mlflow-registry/"
#define STORAGE_ROOT_PROXY "mlflow-artifacts:/mlflow-registry/"

typedef struct vop {
    lh_req_t *req;
    const char *name, *source, *run_id, *run_link, *description, *key, *value, *stage, *comment;
    const char *from; /* the stage the caller was checked against */
    json_t *tags;
    int64_t version;
    bool archive;
    rg_model mo;
    rg_version v;
    json_t *out;
} vop;

static lh_err reload(lh_meta_t *m, vop *o, lh_errbuf *eb)
{
    return rg_model_reload(m, o->req->arena, &o->mo, eb);
}

static lh_err render(lh_meta_t *m, vop *o, lh_errbuf *eb)
{
    json_t *j;
    LH_TRY(rg_version_find(m, &o->mo, o->version, o->req->arena, &o->v, eb));
    LH_TRY(rg_version_json(m, &o->mo, &o->v, &j, eb));
    o->out = json_pack("{s:o}", "model_version", j);
    return LH_OK;
}

static lh_err finish(vop *o, lh_err e)
{
    if (e == LH_OK)
        o->req->out = o->out;
    else
        json_decref(o->out);
    return e;
}

/* name + version, and the caller's level on the model. */
static lh_err name_version(lh_req_t *req, vop *o, const char *level, lh_errbuf *eb)
{
    o->req = req;
    LH_TRY(rg_name_param(req->params, &o->name, eb));
    LH_TRY(rg_version_param(req->params, &o->version, eb));
    return rg_model_require(req, o->name, level, &o->mo, eb);
}

/* ---- create ---- */

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static lh_err check_source(const char *source, lh_errbuf *eb)
{
    LH_TRY(rg_check_name("source", source, RG_URI_MAX, eb));
    LH_FAIL_IF(!has_prefix(source, "runs:/") && !has_prefix(source, "models:/") &&
                   !has_prefix(source, "dbfs:/") && !has_prefix(source, "mlflow-artifacts:/"),
               LH_E_INVALID, eb,
               "Invalid model version source: '%.300s'. Sources must be runs:/<run_id>/<path>, "
               "models:/<model_id>, dbfs:/<path> or mlflow-artifacts:/<path> URIs",
               source);
    return LH_OK;
}

static lh_err insert_tag(lh_meta_t *m, const char *model_id, int64_t version, const char *key,
                         const char *value, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "INSERT OR REPLACE INTO mlr_version_tags VALUES (?, ?, ?, ?)", &st, eb));
    lh_stmt_bind_text(st, 1, model_id);
    lh_stmt_bind_int(st, 2, version);
    lh_stmt_bind_text(st, 3, key);
    lh_stmt_bind_text(st, 4, value ? value : "");
    return lh_stmt_run(st, eb);
}

static lh_err event(lh_meta_t *m, vop *o, const char *name, json_t *fields, int64_t now,
                    lh_errbuf *eb)
{
    return rg_hook_version_event(rg_of(o->req), m, name, o->mo.name, o->version, fields, now, eb);
}

static lh_err create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    vop *o = arg;
    LH_TRY(reload(m, o, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT next_version FROM mlr_models WHERE id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_ASSERT(row);
    o->version = lh_stmt_int(st, 0);
    int64_t now = lh_now_ms();
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO mlr_versions (model_id, version, description, source, run_id, "
                        "run_link, status, user_id, creation_ms, updated_ms) VALUES "
                        "(?, ?, ?, ?, ?, ?, 'PENDING_REGISTRATION', ?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    lh_stmt_bind_int(st, 2, o->version);
    lh_stmt_bind_text(st, 3, o->description);
    lh_stmt_bind_text(st, 4, o->source);
    lh_stmt_bind_text(st, 5, o->run_id);
    lh_stmt_bind_text(st, 6, o->run_link);
    lh_stmt_bind_text(st, 7, rg_user(o->req));
    lh_stmt_bind_int(st, 8, now);
    lh_stmt_bind_int(st, 9, now);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(lh_meta_stmt(
        m, "UPDATE mlr_models SET next_version = next_version + 1, updated_ms = ? WHERE id = ?",
        &st, eb));
    lh_stmt_bind_int(st, 1, now);
    lh_stmt_bind_text(st, 2, o->mo.id);
    LH_TRY(lh_stmt_run(st, eb));
    for (size_t i = 0; i < lh_json_list_size(o->tags); i++) {
        const json_t *t = lh_json_list_get(o->tags, i);
        LH_TRY(insert_tag(m, o->mo.id, o->version, json_string_value(json_object_get(t, "key")),
                          json_string_value(json_object_get(t, "value")), eb));
    }
    LH_TRY(event(m, o, "MODEL_VERSION_CREATED", json_object(), now, eb));
    return render(m, o, eb);
}

lh_err rg_h_version_create(lh_req_t *req, lh_errbuf *eb)
{
    vop o = {.req = req};
    LH_TRY(rg_name_param(req->params, &o.name, eb));
    LH_TRY(lh_json_get_str(req->params, "source", LH_REQUIRED, &o.source, eb));
    LH_TRY(check_source(o.source, eb));
    LH_TRY(lh_json_get_str(req->params, "run_id", LH_OPTIONAL, &o.run_id, eb));
    LH_TRY(lh_json_get_str(req->params, "run_link", LH_OPTIONAL, &o.run_link, eb));
    LH_TRY(lh_json_get_str(req->params, "description", LH_OPTIONAL, &o.description, eb));
    LH_FAIL_IF(o.run_id && strlen(o.run_id) > RG_NAME_MAX, LH_E_INVALID, eb, "run_id too long");
    LH_FAIL_IF(o.run_link && strlen(o.run_link) > RG_URI_MAX, LH_E_INVALID, eb,
               "run_link too long");
    LH_FAIL_IF(o.description && strlen(o.description) > RG_TEXT_MAX, LH_E_INVALID, eb,
               "description is longer than %d bytes", RG_TEXT_MAX);
    if (o.run_id != NULL && *o.run_id == '\0')
        o.run_id = NULL;
    LH_TRY(rg_tags_param(req->params, &o.tags, eb));
    LH_TRY(rg_model_require(req, o.name, "CAN_EDIT", &o.mo, eb));
    LH_TRY(finish(&o, lh_meta_tx(req->ctx->meta, create_tx, &o, eb)));
    rg_copy_post(rg_of(req), o.mo.id, o.version);
    rg_hook_kick(rg_of(req));
    return LH_OK;
}

/* ---- the copy task ---- */

typedef struct copy_job {
    lh_registry_t *r;
    char model_id[RG_ID_HEX + 1];
    int64_t version;
    lh_arena_t *arena;
    const char *source, *status, *message, *storage;
    bool pending, applied;
} copy_job;

static lh_err copy_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    copy_job *j = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT source FROM mlr_versions WHERE model_id = ? AND version = ? AND "
                        "status = 'PENDING_REGISTRATION'",
                        &st, eb));
    lh_stmt_bind_text(st, 1, j->model_id);
    lh_stmt_bind_int(st, 2, j->version);
    LH_TRY(lh_stmt_step(st, &j->pending, eb));
    if (j->pending)
        j->source = lh_arena_strdup(j->arena, lh_stmt_text(st, 0));
    return LH_OK;
}

static lh_err copy_write(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    copy_job *j = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlr_versions SET status = ?, status_message = ?, storage = ?, "
                        "updated_ms = ? WHERE model_id = ? AND version = ? AND "
                        "status = 'PENDING_REGISTRATION'",
                        &st, eb));
    lh_stmt_bind_text(st, 1, j->status);
    lh_stmt_bind_text(st, 2, j->message);
    lh_stmt_bind_text(st, 3, j->storage);
    lh_stmt_bind_int(st, 4, lh_now_ms());
    lh_stmt_bind_text(st, 5, j->model_id);
    lh_stmt_bind_int(st, 6, j->version);
    LH_TRY(lh_stmt_run(st, eb));
    j->applied = lh_meta_changes(m) > 0;
    return LH_OK;
}

/* The artifact URI a source names (arena), or an error for the version's status_message. */
static lh_err resolve_source(copy_job *j, const char **uri, lh_errbuf *eb)
{
    if (!has_prefix(j->source, "runs:/")) {
        *uri = j->source;
        return LH_OK;
    }
    const char *rest = j->source + strlen("runs:/");
    while (*rest == '/')
        rest++;
    const char *slash = strchr(rest, '/');
    const char *run_id = slash ? lh_arena_strndup(j->arena, rest, (size_t)(slash - rest)) : rest;
    const char *root;
    LH_TRY(lh_mlflow_run_artifact_uri(j->r->ctx, run_id, j->arena, &root, eb));
    const char *path = slash ? slash + 1 : "";
    size_t n = strlen(root);
    *uri = *path == '\0' ? root
                         : lh_arena_sprintf(j->arena, "%s%s%s", root,
                                            n && root[n - 1] == '/' ? "" : "/", path);
    return LH_OK;
}

static void copy_run(void *arg)
{
    copy_job *j = arg;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (atomic_load(&j->r->stopping) || lh_meta_read(j->r->meta, copy_read, j, &eb) != LH_OK ||
        !j->pending)
        goto done;
    const char *src;
    bool copied = false;
    const lh_config_t *cfg = j->r->ctx->config;
    j->storage = lh_arena_sprintf(j->arena, "%s%s/%lld",
                                  cfg != NULL && cfg->mlflow_artifacts_proxy ? STORAGE_ROOT_PROXY
                                                                             : STORAGE_ROOT,
                                  j->model_id, (long long)j->version);
    if (has_prefix(j->source, "models:/")) {
        j->storage = j->source; /* a logged model: resolved by clients, nothing to copy */
        j->status = "READY";
    } else if (resolve_source(j, &src, &eb) == LH_OK &&
               lh_artifacts_copy(j->r->ctx, src, j->storage, &eb) == LH_OK) {
        j->status = "READY";
        copied = true;
    } else {
        j->status = "FAILED_REGISTRATION";
        j->message = lh_arena_sprintf(j->arena, "Failed to copy the model artifacts from %s: %s",
                                      j->source, eb.msg);
        j->storage = NULL;
        atomic_fetch_add(&j->r->copies_failed, 1);
        lh_log(LH_LOG_WARN, "registry: %s", j->message);
    }
    lh_errbuf_clear(&eb);
    if (lh_meta_tx(j->r->meta, copy_write, j, &eb) != LH_OK)
        lh_log(LH_LOG_ERROR, "registry: recording a version's registration failed: %s", eb.msg);
    if (copied && !j->applied) /* deleted meanwhile */
        lh_artifacts_delete(j->r->ctx, j->storage, &eb);
done:
    lh_arena_destroy(j->arena);
    free(j);
}

void rg_copy_post(lh_registry_t *r, const char *model_id, int64_t version)
{
    copy_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return;
    j->r = r;
    snprintf(j->model_id, sizeof j->model_id, "%s", model_id);
    j->version = version;
    j->arena = lh_arena_create();
    lh_errbuf eb;
    if (j->arena == NULL || lh_bg_post(r->work_ex, copy_run, j, &eb) != LH_OK) {
        /* stays PENDING_REGISTRATION; the next start copies it */
        lh_log(LH_LOG_WARN, "registry: could not queue a version copy (retried at restart)");
        if (j->arena)
            lh_arena_destroy(j->arena);
        free(j);
    }
}

typedef struct del_job {
    lh_registry_t *r;
    char uri[RG_URI_MAX + 64];
} del_job;

static void delete_run(void *arg)
{
    del_job *j = arg;
    lh_errbuf eb;
    if (lh_artifacts_delete(j->r->ctx, j->uri, &eb) != LH_OK)
        lh_log(LH_LOG_WARN, "registry: could not delete %s: %s", j->uri, eb.msg);
    free(j);
}

bool rg_is_registry_copy(const char *uri)
{
    return uri != NULL && (has_prefix(uri, STORAGE_ROOT) || has_prefix(uri, STORAGE_ROOT_PROXY));
}

void rg_storage_delete_post(lh_registry_t *r, const char *uri)
{
    if (uri == NULL || !rg_is_registry_copy(uri)) /* only what the registry copied */
        return;
    del_job *j = calloc(1, sizeof *j);
    lh_errbuf eb;
    if (j == NULL)
        return;
    j->r = r;
    snprintf(j->uri, sizeof j->uri, "%s", uri);
    if (lh_bg_post(r->work_ex, delete_run, j, &eb) != LH_OK)
        free(j);
}

/* ---- get, update, delete ---- */

static lh_err get_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    vop *o = arg;
    LH_TRY(reload(m, o, eb));
    return render(m, o, eb);
}

lh_err rg_h_version_get(lh_req_t *req, lh_errbuf *eb)
{
    vop o;
    memset(&o, 0, sizeof o);
    LH_TRY(name_version(req, &o, "CAN_READ", eb));
    return finish(&o, lh_meta_read(req->ctx->meta, get_read, &o, eb));
}

static lh_err update_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    vop *o = arg;
    LH_TRY(reload(m, o, eb));
    LH_TRY(rg_version_find(m, &o->mo, o->version, o->req->arena, &o->v, eb));
    lh_stmt_t *st;
    int64_t now = lh_now_ms();
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlr_versions SET description = ?, updated_ms = ? WHERE "
                        "model_id = ? AND version = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->description);
    lh_stmt_bind_int(st, 2, now);
    lh_stmt_bind_text(st, 3, o->mo.id);
    lh_stmt_bind_int(st, 4, o->version);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(rg_model_touch(m, o->mo.id, now, eb));
    return render(m, o, eb);
}

lh_err rg_h_version_update(lh_req_t *req, lh_errbuf *eb)
{
    vop o;
    memset(&o, 0, sizeof o);
    o.description = "";
    LH_TRY(lh_json_get_str(req->params, "description", LH_OPTIONAL, &o.description, eb));
    LH_FAIL_IF(strlen(o.description) > RG_TEXT_MAX, LH_E_INVALID, eb,
               "description is longer than %d bytes", RG_TEXT_MAX);
    LH_TRY(name_version(req, &o, "CAN_EDIT", eb));
    return finish(&o, lh_meta_tx(req->ctx->meta, update_tx, &o, eb));
}

static lh_err delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    vop *o = arg;
    LH_TRY(reload(m, o, eb));
    LH_TRY(rg_version_find(m, &o->mo, o->version, o->req->arena, &o->v, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM mlr_versions WHERE model_id = ? AND version = ?", &st, eb));
    lh_stmt_bind_text(st, 1, o->mo.id);
    lh_stmt_bind_int(st, 2, o->version);
    LH_TRY(lh_stmt_run(st, eb));
    return rg_model_touch(m, o->mo.id, lh_now_ms(), eb);
}

lh_err rg_h_version_delete(lh_req_t *req, lh_errbuf *eb)
{
    vop o;
    memset(&o, 0, sizeof o);
    LH_TRY(name_version(req, &o, "CAN_MANAGE", eb));
    LH_TRY(lh_meta_tx(req->ctx->meta, delete_tx, &o, eb));
    rg_storage_delete_post(rg_of(req), o.v.storage);
    return LH_OK;
}

/* ---- tags ---- */

static lh_err tag_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    vop *o = arg;
    LH_TRY(reload(m, o, eb));
    LH_TRY(rg_version_find(m, &o->mo, o->version, o->req->arena, &o->v, eb));
    int64_t now = lh_now_ms();
    if (o->value != NULL) {
        LH_TRY(insert_tag(m, o->mo.id, o->version, o->key, o->value, eb));
        json_t *tags = json_pack("[{s:s, s:s}]", "key", o->key, "value", o->value);
        LH_TRY(event(m, o, "MODEL_VERSION_TAG_SET", json_pack("{s:o}", "tags", tags), now, eb));
    } else {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(
            m, "DELETE FROM mlr_version_tags WHERE model_id = ? AND version = ? AND key = ?", &st,
            eb));
        lh_stmt_bind_text(st, 1, o->mo.id);
        lh_stmt_bind_int(st, 2, o->version);
        lh_stmt_bind_text(st, 3, o->key);
        LH_TRY(lh_stmt_run(st, eb));
    }
    return rg_model_touch(m, o->mo.id, now, eb);
}

static lh_err version_tag(lh_req_t *req, bool set, lh_errbuf *eb)
{
    vop o;
    memset(&o, 0, sizeof o);
    LH_TRY(lh_json_get_str(req->params, "key", LH_REQUIRED, &o.key, eb));
    LH_TRY(rg_check_name("Tag key", o.key, RG_TAG_KEY_MAX, eb));
    if (set) {
        LH_TRY(lh_json_get_str(req->params, "value", LH_REQUIRED, &o.value, eb));
        LH_FAIL_IF(strlen(o.value) > RG_TAG_VALUE_MAX, LH_E_INVALID, eb,
                   "Tag value exceeds %d bytes", RG_TAG_VALUE_MAX);
    }
    LH_TRY(name_version(req, &o, "CAN_EDIT", eb));
    LH_TRY(lh_meta_tx(req->ctx->meta, tag_tx, &o, eb));
    if (set)
        rg_hook_kick(rg_of(req));
    return LH_OK;
}

lh_err rg_h_version_set_tag(lh_req_t *req, lh_errbuf *eb)
{
    return version_tag(req, true, eb);
}

lh_err rg_h_version_delete_tag(lh_req_t *req, lh_errbuf *eb)
{
    return version_tag(req, false, eb);
}

/* ---- stage transitions ---- */

const char *rg_transition_level(const char *from, const char *to)
{
    if (strcmp(from, "Production") == 0 || strcmp(to, "Production") == 0)
        return "CAN_MANAGE_PRODUCTION_VERSIONS";
    return "CAN_MANAGE_STAGING_VERSIONS";
}

lh_err rg_transition_tx(lh_meta_t *m, const rg_model *mo, int64_t version, const char *stage,
                        bool archive_existing, const char *user, int64_t now_ms,
                        const char **from_stage, lh_errbuf *eb)
{
    (void)user;
    lh_stmt_t *st;
    if (archive_existing) {
        LH_TRY(lh_meta_stmt(m,
                            "UPDATE mlr_versions SET stage = 'Archived', updated_ms = ? WHERE "
                            "model_id = ? AND stage = ? AND version != ?",
                            &st, eb));
        lh_stmt_bind_int(st, 1, now_ms);
        lh_stmt_bind_text(st, 2, mo->id);
        lh_stmt_bind_text(st, 3, stage);
        lh_stmt_bind_int(st, 4, version);
        LH_TRY(lh_stmt_run(st, eb));
    }
    (void)from_stage;
    LH_TRY(lh_meta_stmt(
        m, "UPDATE mlr_versions SET stage = ?, updated_ms = ? WHERE model_id = ? AND version = ?",
        &st, eb));
    lh_stmt_bind_text(st, 1, stage);
    lh_stmt_bind_int(st, 2, now_ms);
    lh_stmt_bind_text(st, 3, mo->id);
    lh_stmt_bind_int(st, 4, version);
    LH_TRY(lh_stmt_run(st, eb));
    return rg_model_touch(m, mo->id, now_ms, eb);
}

static lh_err transition_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    vop *o = arg;
    LH_TRY(reload(m, o, eb));
    LH_TRY(rg_version_find(m, &o->mo, o->version, o->req->arena, &o->v, eb));
    LH_FAIL_IF(strcmp(o->v.stage, o->from) != 0, LH_E_CONFLICT, eb,
               "Model Version (name=%s, version=%lld) changed stage concurrently; retry",
               o->mo.name, (long long)o->version);
    int64_t now = lh_now_ms();
    LH_TRY(rg_transition_tx(m, &o->mo, o->version, o->stage, o->archive, rg_user(o->req), now, NULL,
                            eb));
    LH_TRY(rg_activity_add(m, o->mo.id, o->version, "APPLIED_TRANSITION", o->from, o->stage,
                           o->comment, NULL, rg_user(o->req), now, eb));
    json_t *f = json_pack("{s:s, s:s}", "from_stage", o->from, "to_stage", o->stage);
    LH_TRY(event(m, o, "MODEL_VERSION_TRANSITIONED_STAGE", json_deep_copy(f), now, eb));
    const char *specific =
        strcmp(o->stage, "Staging") == 0      ? "MODEL_VERSION_TRANSITIONED_TO_STAGING"
        : strcmp(o->stage, "Production") == 0 ? "MODEL_VERSION_TRANSITIONED_TO_PRODUCTION"
        : strcmp(o->stage, "Archived") == 0   ? "MODEL_VERSION_TRANSITIONED_TO_ARCHIVED"
                                              : NULL;
    if (specific != NULL)
        LH_TRY(event(m, o, specific, f, now, eb));
    else
        json_decref(f);
    return render(m, o, eb);
}

static lh_err stage_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    vop *o = arg;
    LH_TRY(reload(m, o, eb));
    LH_TRY(rg_version_find(m, &o->mo, o->version, o->req->arena, &o->v, eb));
    o->from = o->v.stage;
    return LH_OK;
}

static lh_err transition(lh_req_t *req, bool databricks, lh_errbuf *eb)
{
    vop o;
    memset(&o, 0, sizeof o);
    const char *stage;
    LH_TRY(lh_json_get_str(req->params, "stage", LH_REQUIRED, &stage, eb));
    LH_TRY(rg_stage_parse(stage, &o.stage, eb));
    LH_TRY(lh_json_get_bool(req->params, "archive_existing_versions", LH_OPTIONAL, &o.archive, eb));
    LH_TRY(lh_json_get_str(req->params, "comment", LH_OPTIONAL, &o.comment, eb));
    LH_FAIL_IF(o.archive && strcmp(o.stage, "Staging") != 0 && strcmp(o.stage, "Production") != 0,
               LH_E_INVALID, eb,
               "Model version transition cannot archive existing model versions because '%s' is "
               "not an Active stage. Valid stages are Staging and Production",
               o.stage);
    LH_TRY(name_version(req, &o, "CAN_READ", eb));
    LH_TRY(lh_meta_read(req->ctx->meta, stage_read, &o, eb));
    LH_TRY(rg_require(req, o.mo.id, rg_transition_level(o.from, o.stage), eb));
    LH_TRY(finish(&o, lh_meta_tx(req->ctx->meta, transition_tx, &o, eb)));
    rg_hook_kick(rg_of(req));
    if (databricks) {
        json_t *mv = json_object_get(req->out, "model_version");
        json_incref(mv);
        json_decref(req->out);
        int rank = 0;
        if (lh_perm_rank_of(req->ctx, req->principal, RG_PERM_PATH, o.mo.id, &rank, eb) == LH_OK &&
            rank > 0)
            json_object_set_new(mv, "permission_level",
                                json_string(lh_perm_type_find(RG_PERM_PATH)->levels[rank - 1]));
        lh_errbuf_clear(eb);
        json_object_del(mv, "aliases");
        req->out = json_pack("{s:o}", "model_version_databricks", mv);
    }
    return LH_OK;
}

lh_err rg_h_version_transition(lh_req_t *req, lh_errbuf *eb)
{
    return transition(req, false, eb);
}

lh_err rg_h_version_transition_databricks(lh_req_t *req, lh_errbuf *eb)
{
    return transition(req, true, eb);
}
