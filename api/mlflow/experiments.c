/*
 * experiments.c - MLflow experiments: create, get, get-by-name, delete, restore, update
 * (rename), set-experiment-tag, delete-experiment-tag (search and list: search.c).
 *
 * Ids are integers shown as strings of digits; the Default experiment is "0" and new ones
 * count up from the largest id (allocated inside the write transaction). Names are unique
 * among active and deleted experiments alike (MLflow's SQL store). Deleting an experiment
 * marks it and all its runs deleted; restoring brings them all back.
 *
 * Permissions (api/perm.h type "experiments"): get/get-by-name need CAN_READ, tags
 * CAN_EDIT, delete/restore/rename CAN_MANAGE; the creator owns what they create.
 */
#include <stdio.h>
#include <string.h>

#include "api/mlflow/mlflow_internal.h"
#include "api/perm.h"
#include "common/config.h"
#include "common/json.h"
#include "common/util.h"

const char *mlf_default_artifact_location(const lh_ctx_t *ctx, int64_t id, lh_arena_t *arena)
{
    bool proxy = ctx->config != NULL && ctx->config->mlflow_artifacts_proxy;
    return lh_arena_sprintf(arena, proxy ? "mlflow-artifacts:/%lld" : "dbfs:/mlflow/%lld",
                            (long long)id);
}

/* ---- reading ---- */

static void read_row(lh_stmt_t *st, lh_arena_t *arena, mlf_experiment *out)
{
    out->id = lh_stmt_int(st, 0);
    out->name = lh_arena_strdup(arena, lh_stmt_text(st, 1));
    out->artifact_location = lh_arena_strdup(arena, lh_stmt_text(st, 2));
    out->lifecycle_stage = lh_arena_strdup(arena, lh_stmt_text(st, 3));
    out->creation_time = lh_stmt_int(st, 4);
    out->last_update_time = lh_stmt_int(st, 5);
}

lh_err mlf_experiment_load(lh_meta_t *m, int64_t id, lh_arena_t *arena, mlf_experiment *out,
                           bool *found, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(
        m, "SELECT " MLF_EXPERIMENT_COLUMNS " FROM mlflow_experiments WHERE experiment_id = ?", &st,
        eb));
    lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_step(st, found, eb));
    if (*found)
        read_row(st, arena, out);
    return LH_OK;
}

lh_err mlf_experiment_active(lh_meta_t *m, int64_t id, lh_arena_t *arena, mlf_experiment *out,
                             lh_errbuf *eb)
{
    bool found = false;
    LH_TRY(mlf_experiment_load(m, id, arena, out, &found, eb));
    LH_FAIL_IF(!found, LH_E_NOT_FOUND, eb, "No Experiment with id=%lld exists", (long long)id);
    LH_FAIL_IF(strcmp(out->lifecycle_stage, "active") != 0, LH_E_INVALID, eb,
               "The experiment %lld must be in the 'active' state. Current state is %s.",
               (long long)id, out->lifecycle_stage);
    return LH_OK;
}

const char *mlf_artifact_child(lh_arena_t *arena, const char *location, const char *rest)
{
    size_t n = strlen(location);
    while (n > 0 && location[n - 1] == '/')
        n--;
    return lh_arena_sprintf(arena, "%.*s/%s", (int)n, location, rest);
}

lh_err mlf_experiment_json(lh_meta_t *m, lh_stmt_t *row, json_t **out, lh_errbuf *eb)
{
    int64_t id = lh_stmt_int(row, 0);
    json_t *o = json_object();
    json_object_set_new(o, "experiment_id", json_string(lh_stmt_text(row, 0)));
    lh_json_set_str(o, "name", lh_stmt_text(row, 1));
    lh_json_set_str(o, "artifact_location", lh_stmt_text(row, 2));
    lh_json_set_str(o, "lifecycle_stage", lh_stmt_text(row, 3));
    lh_json_set_int(o, "last_update_time", lh_stmt_int(row, 5));
    lh_json_set_int(o, "creation_time", lh_stmt_int(row, 4));
    lh_stmt_t *st;
    lh_err e = lh_meta_stmt(
        m, "SELECT key, value FROM mlflow_experiment_tags WHERE experiment_id = ? ORDER BY key",
        &st, eb);
    if (e == LH_OK) {
        lh_stmt_bind_int(st, 1, id);
        e = mlf_kv_step(st, o, "tags", eb);
    }
    if (e != LH_OK) {
        json_decref(o);
        return e;
    }
    *out = o;
    return LH_OK;
}

typedef struct exists_arg {
    int64_t id;
    bool found;
} exists_arg;

static lh_err exists_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    exists_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM mlflow_experiments WHERE experiment_id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, a->id);
    return lh_stmt_step(st, &a->found, eb);
}

bool mlf_experiment_exists(lh_ctx_t *ctx, int64_t experiment_id)
{
    exists_arg a = {experiment_id, false};
    lh_errbuf eb;
    return lh_meta_read(ctx->meta, exists_read, &a, &eb) == LH_OK && a.found;
}

static lh_err no_experiment(const char *id, lh_errbuf *eb)
{
    LH_FAIL(LH_E_NOT_FOUND, eb, "No Experiment with id=%.*s exists", MLF_CLIP(id, 64));
}

lh_err mlf_require_experiment(lh_req_t *req, int64_t experiment_id, const char *level,
                              lh_errbuf *eb)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)experiment_id);
    return lh_perm_require(req->ctx, req->principal, MLF_PERM, id, level, eb);
}

typedef struct load_arg {
    int64_t id;
    lh_arena_t *arena;
    mlf_experiment exp;
    bool found;
} load_arg;

static lh_err load_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    load_arg *a = arg;
    return mlf_experiment_load(m, a->id, a->arena, &a->exp, &a->found, eb);
}

/* The experiment named by the request's experiment_id, after the caller's level on it. */
static lh_err load_for(lh_req_t *req, const char *level, mlf_experiment *out, lh_errbuf *eb)
{
    const char *text;
    LH_TRY(mlf_str(req->params, "experiment_id", true, &text, eb));
    load_arg a = {.arena = req->arena};
    if (!mlf_parse_experiment_id(text, &a.id))
        return no_experiment(text, eb);
    LH_TRY(lh_meta_read(req->ctx->meta, load_read, &a, eb));
    if (!a.found)
        return no_experiment(text, eb);
    LH_TRY(mlf_require_experiment(req, a.id, level, eb));
    *out = a.exp;
    return LH_OK;
}

typedef struct render_arg {
    int64_t id;
    json_t *out;
} render_arg;

static lh_err render_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    render_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(
        m, "SELECT " MLF_EXPERIMENT_COLUMNS " FROM mlflow_experiments WHERE experiment_id = ?", &st,
        eb));
    lh_stmt_bind_int(st, 1, a->id);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "No Experiment with id=%lld exists", (long long)a->id);
    return mlf_experiment_json(m, st, &a->out, eb);
}

static lh_err answer_experiment(lh_req_t *req, int64_t id, lh_errbuf *eb)
{
    render_arg a = {id, NULL};
    LH_TRY(lh_meta_read(req->ctx->meta, render_read, &a, eb));
    req->out = json_pack("{s:o}", "experiment", a.out);
    return LH_OK;
}

lh_err mlf_h_experiment_get(lh_req_t *req, lh_errbuf *eb)
{
    mlf_experiment exp;
    LH_TRY(load_for(req, "CAN_READ", &exp, eb));
    return answer_experiment(req, exp.id, eb);
}

typedef struct name_arg {
    const char *name;
    int64_t id;
    bool found;
} name_arg;

static lh_err by_name_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    name_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT experiment_id FROM mlflow_experiments WHERE name = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->name);
    LH_TRY(lh_stmt_step(st, &a->found, eb));
    if (a->found)
        a->id = lh_stmt_int(st, 0);
    return LH_OK;
}

lh_err mlf_h_experiment_get_by_name(lh_req_t *req, lh_errbuf *eb)
{
    name_arg a = {0};
    LH_TRY(mlf_str(req->params, "experiment_name", true, &a.name, eb));
    LH_TRY(lh_meta_read(req->ctx->meta, by_name_read, &a, eb));
    LH_FAIL_IF(!a.found, LH_E_NOT_FOUND, eb, "Could not find experiment with name '%.*s'",
               MLF_CLIP(a.name, 400));
    LH_TRY(mlf_require_experiment(req, a.id, "CAN_READ", eb));
    return answer_experiment(req, a.id, eb);
}

/* ---- create ---- */

typedef struct tag_kv {
    const char *key, *value;
} tag_kv;

static lh_err experiment_tag_check(const char *key, const char *value, lh_errbuf *eb)
{
    LH_TRY(mlf_check_key("key", key, eb));
    LH_TRY(mlf_check_len("key", MLF_EXPERIMENT_TAG_KEY_MAX, key, eb));
    return mlf_check_len("value", MLF_EXPERIMENT_TAG_VALUE_MAX, value, eb);
}

static lh_err read_tags(const json_t *list, lh_arena_t *arena, tag_kv **out, size_t *count,
                        lh_errbuf *eb)
{
    size_t n = lh_json_list_size(list);
    tag_kv *tags = lh_arena_calloc(arena, n + 1, sizeof *tags);
    for (size_t i = 0; i < n; i++) {
        json_t *t = lh_json_list_get(list, i);
        LH_FAIL_IF(!json_is_object(t), LH_E_INVALID, eb, "tags[%zu] must be an object", i);
        const char *v = "";
        LH_TRY(mlf_str(t, "key", true, &tags[i].key, eb));
        LH_TRY(mlf_str(t, "value", false, &v, eb));
        tags[i].value = v;
        LH_TRY(experiment_tag_check(tags[i].key, tags[i].value, eb));
    }
    *out = tags;
    *count = n;
    return LH_OK;
}

typedef struct create_arg {
    const lh_ctx_t *ctx;
    lh_arena_t *arena;
    const char *name, *artifact_location;
    const tag_kv *tags;
    size_t tag_count;
    int64_t creator_id;
    int64_t id; /* out */
} create_arg;

static lh_err already_exists(const char *name, lh_errbuf *eb)
{
    return lh_err_set_code(eb, LH_E_INVALID, "RESOURCE_ALREADY_EXISTS", __FILE__, __LINE__,
                           "Experiment(name=%.*s) already exists.", MLF_CLIP(name, 400));
}

static lh_err name_taken(lh_meta_t *m, const char *name, int64_t except_id, bool *taken,
                         lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM mlflow_experiments WHERE name = ? AND experiment_id != ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, name);
    lh_stmt_bind_int(st, 2, except_id);
    return lh_stmt_step(st, taken, eb);
}

static lh_err put_tag(lh_meta_t *m, int64_t id, const char *key, const char *value, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m,
                     "INSERT INTO mlflow_experiment_tags(experiment_id, key, value) VALUES (?, ?, "
                     "?) ON CONFLICT(experiment_id, key) DO UPDATE SET value = excluded.value",
                     &st, eb));
    lh_stmt_bind_int(st, 1, id);
    lh_stmt_bind_text(st, 2, key);
    lh_stmt_bind_text(st, 3, value);
    return lh_stmt_run(st, eb);
}

static lh_err create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    create_arg *a = arg;
    bool taken = false;
    LH_TRY(name_taken(m, a->name, -1, &taken, eb));
    if (taken)
        return already_exists(a->name, eb);
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(lh_meta_stmt(m, "SELECT COALESCE(MAX(experiment_id), -1) + 1 FROM mlflow_experiments",
                        &st, eb));
    LH_TRY(lh_stmt_step(st, &row, eb));
    a->id = lh_stmt_int(st, 0);
    const char *location = a->artifact_location && *a->artifact_location
                               ? a->artifact_location
                               : mlf_default_artifact_location(a->ctx, a->id, a->arena);
    int64_t now = lh_now_ms();
    LH_TRY(
        lh_meta_stmt(m,
                     "INSERT INTO mlflow_experiments(experiment_id, name, artifact_location, "
                     "lifecycle_stage, creation_time, last_update_time, creator_id) VALUES (?, ?, "
                     "?, 'active', ?, ?, ?)",
                     &st, eb));
    lh_stmt_bind_int(st, 1, a->id);
    lh_stmt_bind_text(st, 2, a->name);
    lh_stmt_bind_text(st, 3, location);
    lh_stmt_bind_int(st, 4, now);
    lh_stmt_bind_int(st, 5, now);
    if (a->creator_id)
        lh_stmt_bind_int(st, 6, a->creator_id);
    else
        lh_stmt_bind_null(st, 6);
    LH_TRY(lh_stmt_run(st, eb));
    for (size_t i = 0; i < a->tag_count; i++)
        LH_TRY(put_tag(m, a->id, a->tags[i].key, a->tags[i].value, eb));
    return LH_OK;
}

lh_err mlf_h_experiment_create(lh_req_t *req, lh_errbuf *eb)
{
    create_arg a = {.ctx = req->ctx, .arena = req->arena};
    LH_TRY(mlf_str(req->params, "name", true, &a.name, eb));
    LH_TRY(mlf_check_len("name", MLF_EXPERIMENT_NAME_MAX, a.name, eb));
    LH_TRY(mlf_str(req->params, "artifact_location", false, &a.artifact_location, eb));
    LH_FAIL_IF(a.artifact_location && strncmp(a.artifact_location, "runs:", 5) == 0, LH_E_INVALID,
               eb, "Artifact location cannot be a runs:/ URI. Given: '%.*s'",
               MLF_CLIP(a.artifact_location, 300));
    tag_kv *tags;
    LH_TRY(read_tags(json_object_get(req->params, "tags"), req->arena, &tags, &a.tag_count, eb));
    a.tags = tags;
    a.creator_id = req->principal ? req->principal->user_id : 0;
    LH_TRY(lh_meta_tx(req->ctx->meta, create_tx, &a, eb));
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)a.id);
    LH_TRY(lh_perm_on_create(req->ctx, req->principal, MLF_PERM, id, eb));
    req->out = json_pack("{s:s}", "experiment_id", id);
    return LH_OK;
}

/* ---- lifecycle and rename ---- */

typedef struct change_arg {
    lh_arena_t *arena;
    int64_t id;
    const char *name, *key, *value;
    bool deleted; /* delete: true; restore: false */
} change_arg;

static lh_err lifecycle_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    change_arg *a = arg;
    const char *want = a->deleted ? "active" : "deleted";
    lh_stmt_t *st;
    int64_t now = lh_now_ms();
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlflow_experiments SET lifecycle_stage = ?, last_update_time = ? "
                        "WHERE experiment_id = ? AND lifecycle_stage = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->deleted ? "deleted" : "active");
    lh_stmt_bind_int(st, 2, now);
    lh_stmt_bind_int(st, 3, a->id);
    lh_stmt_bind_text(st, 4, want);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb, "No Experiment with id=%lld exists",
               (long long)a->id);
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlflow_runs SET lifecycle_stage = ?, deleted_time = ? WHERE "
                        "experiment_id = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->deleted ? "deleted" : "active");
    if (a->deleted)
        lh_stmt_bind_int(st, 2, now);
    else
        lh_stmt_bind_null(st, 2);
    lh_stmt_bind_int(st, 3, a->id);
    return lh_stmt_run(st, eb);
}

static lh_err set_lifecycle(lh_req_t *req, bool deleted, lh_errbuf *eb)
{
    mlf_experiment exp;
    LH_TRY(load_for(req, "CAN_MANAGE", &exp, eb));
    change_arg a = {.id = exp.id, .deleted = deleted};
    return lh_meta_tx(req->ctx->meta, lifecycle_tx, &a, eb);
}

lh_err mlf_h_experiment_delete(lh_req_t *req, lh_errbuf *eb)
{
    return set_lifecycle(req, true, eb);
}

lh_err mlf_h_experiment_restore(lh_req_t *req, lh_errbuf *eb)
{
    return set_lifecycle(req, false, eb);
}

static lh_err rename_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    change_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT lifecycle_stage FROM mlflow_experiments WHERE experiment_id = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, a->id);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "No Experiment with id=%lld exists", (long long)a->id);
    LH_FAIL_IF(strcmp(lh_stmt_text(st, 0), "active") != 0, LH_E_STATE, eb,
               "Cannot rename a non-active experiment.");
    bool taken = false;
    LH_TRY(name_taken(m, a->name, a->id, &taken, eb));
    if (taken)
        return already_exists(a->name, eb);
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlflow_experiments SET name = ?, last_update_time = ? WHERE "
                        "experiment_id = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->name);
    lh_stmt_bind_int(st, 2, lh_now_ms());
    lh_stmt_bind_int(st, 3, a->id);
    return lh_stmt_run(st, eb);
}

lh_err mlf_h_experiment_update(lh_req_t *req, lh_errbuf *eb)
{
    mlf_experiment exp;
    const char *name = NULL;
    LH_TRY(mlf_str(req->params, "new_name", false, &name, eb));
    LH_TRY(load_for(req, "CAN_MANAGE", &exp, eb));
    if (name == NULL || *name == '\0')
        return LH_OK;
    LH_TRY(mlf_check_len("new_name", MLF_EXPERIMENT_NAME_MAX, name, eb));
    change_arg a = {.id = exp.id, .name = name};
    return lh_meta_tx(req->ctx->meta, rename_tx, &a, eb);
}

/* ---- tags ---- */

static lh_err set_tag_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    change_arg *a = arg;
    mlf_experiment exp;
    LH_TRY(mlf_experiment_active(m, a->id, a->arena, &exp, eb));
    return put_tag(m, a->id, a->key, a->value, eb);
}

lh_err mlf_h_experiment_set_tag(lh_req_t *req, lh_errbuf *eb)
{
    change_arg a = {.arena = req->arena, .value = ""};
    LH_TRY(mlf_str(req->params, "key", true, &a.key, eb));
    LH_TRY(mlf_str(req->params, "value", false, &a.value, eb));
    LH_TRY(experiment_tag_check(a.key, a.value, eb));
    mlf_experiment exp;
    LH_TRY(load_for(req, "CAN_EDIT", &exp, eb));
    a.id = exp.id;
    return lh_meta_tx(req->ctx->meta, set_tag_tx, &a, eb);
}

static lh_err delete_tag_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    change_arg *a = arg;
    mlf_experiment exp;
    LH_TRY(mlf_experiment_active(m, a->id, a->arena, &exp, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM mlflow_experiment_tags WHERE experiment_id = ? AND key = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, a->id);
    lh_stmt_bind_text(st, 2, a->key);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb,
               "No tag with name: %.*s in experiment with id %lld", MLF_CLIP(a->key, 250),
               (long long)a->id);
    return LH_OK;
}

lh_err mlf_h_experiment_delete_tag(lh_req_t *req, lh_errbuf *eb)
{
    change_arg a = {.arena = req->arena};
    LH_TRY(mlf_str(req->params, "key", true, &a.key, eb));
    mlf_experiment exp;
    LH_TRY(load_for(req, "CAN_EDIT", &exp, eb));
    a.id = exp.id;
    return lh_meta_tx(req->ctx->meta, delete_tag_tx, &a, eb);
}
