/*
 * runs.c - MLflow runs: create, update, delete, restore, get, and the Run JSON every read
 * answers ({info, data{metrics, params, tags}, inputs{dataset_inputs, model_inputs},
 * outputs{model_outputs}}).
 *
 * A run belongs to one experiment for life and takes its permissions: reading needs
 * CAN_READ on the experiment, everything that writes CAN_EDIT. Ids are 32 lowercase hex
 * digits (run_uuid is the same value); artifact_uri is <experiment artifact_location>/
 * <run_id>/artifacts. The run name and the mlflow.runName tag are one value: creating with
 * either sets both (a random "adjective-noun-N" when neither is given), and renaming
 * through update or set-tag changes both. data.metrics holds each key's latest value.
 */
#include <string.h>

#include "api/mlflow/mlflow_internal.h"
#include "common/json.h"
#include "common/util.h"

/* ---- lookups ---- */

typedef struct ref_arg {
    const char *run_id;
    lh_arena_t *arena;
    mlf_run_ref ref;
    bool found;
} ref_arg;

static lh_err ref_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    ref_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT experiment_id, lifecycle_stage, artifact_uri FROM mlflow_runs "
                        "WHERE run_uuid = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->run_id);
    LH_TRY(lh_stmt_step(st, &a->found, eb));
    if (a->found) {
        a->ref.experiment_id = lh_stmt_int(st, 0);
        a->ref.active = strcmp(lh_stmt_text(st, 1), "active") == 0;
        a->ref.artifact_uri = lh_arena_strdup(a->arena, lh_stmt_text(st, 2));
    }
    return LH_OK;
}

lh_err mlf_run_for(lh_req_t *req, const char *run_id, const char *level, mlf_run_ref *out,
                   lh_errbuf *eb)
{
    ref_arg a = {.run_id = run_id, .arena = req->arena};
    LH_TRY(lh_meta_read(req->ctx->meta, ref_read, &a, eb));
    LH_FAIL_IF(!a.found, LH_E_NOT_FOUND, eb, "Run with id=%.*s not found", MLF_CLIP(run_id, 64));
    LH_TRY(mlf_require_experiment(req, a.ref.experiment_id, level, eb));
    *out = a.ref;
    return LH_OK;
}

lh_err mlf_lifecycle_error(const char *run_id, lh_errbuf *eb)
{
    LH_FAIL(LH_E_INVALID, eb,
            "The run %.*s must be in the 'active' state. Current state is deleted.",
            MLF_CLIP(run_id, 64));
}

lh_err mlf_run_check_active(lh_meta_t *m, const char *run_id, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT lifecycle_stage FROM mlflow_runs WHERE run_uuid = ?", &st, eb));
    lh_stmt_bind_text(st, 1, run_id);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Run with id=%.*s not found", MLF_CLIP(run_id, 64));
    if (strcmp(lh_stmt_text(st, 0), "active") != 0)
        return mlf_lifecycle_error(run_id, eb);
    return LH_OK;
}

/* ---- rendering ---- */

json_t *mlf_run_info_json(lh_stmt_t *row)
{
    json_t *o = json_object();
    lh_json_set_str(o, "run_id", lh_stmt_text(row, 0));
    lh_json_set_str(o, "run_uuid", lh_stmt_text(row, 0));
    lh_json_set_str(o, "run_name", lh_stmt_text(row, 2));
    json_object_set_new(o, "experiment_id", json_string(lh_stmt_text(row, 1)));
    lh_json_set_str(o, "user_id", lh_stmt_text(row, 3) ? lh_stmt_text(row, 3) : "");
    lh_json_set_str(o, "status", lh_stmt_text(row, 4));
    lh_json_set_int(o, "start_time", lh_stmt_int(row, 5));
    if (!lh_stmt_is_null(row, 6))
        lh_json_set_int(o, "end_time", lh_stmt_int(row, 6));
    lh_json_set_str(o, "artifact_uri", lh_stmt_text(row, 7));
    lh_json_set_str(o, "lifecycle_stage", lh_stmt_text(row, 8));
    return o;
}

static lh_err metrics_json(lh_meta_t *m, const char *run_id, json_t *data, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT key, value, timestamp, step, is_nan FROM mlflow_latest_metrics "
                        "WHERE run_uuid = ? ORDER BY key",
                        &st, eb));
    lh_stmt_bind_text(st, 1, run_id);
    json_t *arr = json_array();
    for (;;) {
        bool row = false;
        lh_err e = lh_stmt_step(st, &row, eb);
        if (e != LH_OK) {
            json_decref(arr);
            return e;
        }
        if (!row)
            break;
        json_t *o = json_object();
        lh_json_set_str(o, "key", lh_stmt_text(st, 0));
        json_object_set_new(o, "value",
                            lh_stmt_int(st, 4) ? json_string("NaN")
                                               : mlf_double_json(lh_stmt_double(st, 1)));
        lh_json_set_int(o, "timestamp", lh_stmt_int(st, 2));
        lh_json_set_int(o, "step", lh_stmt_int(st, 3));
        json_array_append_new(arr, o);
    }
    mlf_set_list(data, "metrics", arr);
    return LH_OK;
}

static lh_err dataset_json(lh_meta_t *m, const char *run_id, lh_stmt_t *d, json_t **out,
                           lh_errbuf *eb)
{
    json_t *ds = json_object();
    lh_json_set_str(ds, "name", lh_stmt_text(d, 1));
    lh_json_set_str(ds, "digest", lh_stmt_text(d, 2));
    lh_json_set_str(ds, "source_type", lh_stmt_text(d, 3));
    lh_json_set_str(ds, "source", lh_stmt_text(d, 4));
    lh_json_set_str(ds, "schema", lh_stmt_text(d, 5));
    lh_json_set_str(ds, "profile", lh_stmt_text(d, 6));
    json_t *input = json_object();
    lh_stmt_t *st;
    lh_err e = lh_meta_stmt(m,
                            "SELECT key, value FROM mlflow_input_tags WHERE run_uuid = ? AND "
                            "dataset_uuid = ? ORDER BY key",
                            &st, eb);
    if (e == LH_OK) {
        lh_stmt_bind_text(st, 1, run_id);
        lh_stmt_bind_text(st, 2, lh_stmt_text(d, 0));
        e = mlf_kv_step(st, input, "tags", eb);
    }
    json_object_set_new(input, "dataset", ds);
    if (e != LH_OK) {
        json_decref(input);
        return e;
    }
    *out = input;
    return LH_OK;
}

static lh_err inputs_json(lh_meta_t *m, const char *run_id, json_t *inputs, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT d.dataset_uuid, d.name, d.digest, d.source_type, d.source, "
                        "d.schema, d.profile FROM mlflow_run_inputs i JOIN mlflow_datasets d ON "
                        "d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid = ? ORDER BY i.rowid",
                        &st, eb));
    lh_stmt_bind_text(st, 1, run_id);
    json_t *arr = json_array();
    json_object_set_new(inputs, "dataset_inputs", arr);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        json_t *input = NULL;
        LH_TRY(dataset_json(m, run_id, st, &input, eb));
        json_array_append_new(arr, input);
    }
    if (json_array_size(arr) == 0)
        json_object_del(inputs, "dataset_inputs");
    LH_TRY(lh_meta_stmt(
        m, "SELECT model_id FROM mlflow_run_model_inputs WHERE run_uuid = ? ORDER BY rowid", &st,
        eb));
    lh_stmt_bind_text(st, 1, run_id);
    json_t *models = json_array();
    json_object_set_new(inputs, "model_inputs", models);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        json_array_append_new(models, json_pack("{s:s}", "model_id", lh_stmt_text(st, 0)));
    }
    if (json_array_size(models) == 0)
        json_object_del(inputs, "model_inputs");
    return LH_OK;
}

static lh_err outputs_json(lh_meta_t *m, const char *run_id, json_t *outputs, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT model_id, step FROM mlflow_run_model_outputs WHERE run_uuid = ? "
                        "ORDER BY rowid",
                        &st, eb));
    lh_stmt_bind_text(st, 1, run_id);
    json_t *arr = json_array();
    json_object_set_new(outputs, "model_outputs", arr);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        json_array_append_new(arr, json_pack("{s:s, s:I}", "model_id", lh_stmt_text(st, 0), "step",
                                             (json_int_t)lh_stmt_int(st, 1)));
    }
    if (json_array_size(arr) == 0)
        json_object_del(outputs, "model_outputs");
    return LH_OK;
}

static lh_err run_parts(lh_meta_t *m, const char *run_id, json_t *run, lh_errbuf *eb)
{
    json_t *data = json_object(), *inputs = json_object(), *outputs = json_object();
    json_object_set_new(run, "data", data);
    json_object_set_new(run, "inputs", inputs);
    json_object_set_new(run, "outputs", outputs);
    LH_TRY(metrics_json(m, run_id, data, eb));
    LH_TRY(mlf_kv_rows(m, "SELECT key, value FROM mlflow_params WHERE run_uuid = ? ORDER BY key",
                       run_id, data, "params", eb));
    LH_TRY(mlf_kv_rows(m, "SELECT key, value FROM mlflow_tags WHERE run_uuid = ? ORDER BY key",
                       run_id, data, "tags", eb));
    LH_TRY(inputs_json(m, run_id, inputs, eb));
    return outputs_json(m, run_id, outputs, eb);
}

lh_err mlf_run_json(lh_meta_t *m, const char *run_id, json_t **out, bool *found, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m, "SELECT " MLF_RUN_COLUMNS " FROM mlflow_runs WHERE run_uuid = ?", &st, eb));
    lh_stmt_bind_text(st, 1, run_id);
    LH_TRY(lh_stmt_step(st, found, eb));
    if (!*found)
        return LH_OK;
    json_t *run = json_object();
    json_object_set_new(run, "info", mlf_run_info_json(st));
    lh_err e = run_parts(m, run_id, run, eb);
    if (e != LH_OK) {
        json_decref(run);
        return e;
    }
    *out = run;
    return LH_OK;
}

typedef struct render_arg {
    const char *run_id;
    json_t *run;
    bool found;
} render_arg;

static lh_err render_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    render_arg *a = arg;
    return mlf_run_json(m, a->run_id, &a->run, &a->found, eb);
}

static lh_err answer_run(lh_req_t *req, const char *run_id, lh_errbuf *eb)
{
    render_arg a = {run_id, NULL, false};
    LH_TRY(lh_meta_read(req->ctx->meta, render_read, &a, eb));
    LH_FAIL_IF(!a.found, LH_E_NOT_FOUND, eb, "Run with id=%.*s not found", MLF_CLIP(run_id, 64));
    req->out = json_pack("{s:o}", "run", a.run);
    return LH_OK;
}

lh_err mlf_h_run_get(lh_req_t *req, lh_errbuf *eb)
{
    const char *run_id;
    mlf_run_ref ref;
    LH_TRY(mlf_run_id(req->params, &run_id, eb));
    LH_TRY(mlf_run_for(req, run_id, "CAN_READ", &ref, eb));
    return answer_run(req, run_id, eb);
}

/* ---- tags shared with logging.c ---- */

lh_err mlf_run_set_tag(lh_meta_t *m, const char *run_id, const char *key, const char *value,
                       lh_errbuf *eb)
{
    lh_stmt_t *st;
    if (strcmp(key, MLF_RUN_NAME_TAG) == 0) {
        LH_TRY(lh_meta_stmt(m, "UPDATE mlflow_runs SET name = ? WHERE run_uuid = ?", &st, eb));
        lh_stmt_bind_text(st, 1, value);
        lh_stmt_bind_text(st, 2, run_id);
        LH_TRY(lh_stmt_run(st, eb));
    }
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO mlflow_tags(run_uuid, key, value) VALUES (?, ?, ?) ON "
                        "CONFLICT(run_uuid, key) DO UPDATE SET value = excluded.value",
                        &st, eb));
    lh_stmt_bind_text(st, 1, run_id);
    lh_stmt_bind_text(st, 2, key);
    lh_stmt_bind_text(st, 3, value);
    return lh_stmt_run(st, eb);
}

/* ---- create ---- */

typedef struct tag_kv {
    const char *key, *value;
} tag_kv;

typedef struct create_arg {
    int64_t experiment_id;
    const char *experiment_text;
    const char *run_id, *user_id, *run_name;
    int64_t start_time;
    tag_kv *tags;
    size_t tag_count;
    lh_arena_t *arena;
} create_arg;

static lh_err create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    create_arg *a = arg;
    mlf_experiment exp;
    LH_TRY(mlf_experiment_active(m, a->experiment_id, a->arena, &exp, eb));
    const char *uri = mlf_artifact_child(a->arena, exp.artifact_location,
                                         lh_arena_sprintf(a->arena, "%s/artifacts", a->run_id));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO mlflow_runs(run_uuid, experiment_id, name, user_id, status, "
                        "start_time, artifact_uri, lifecycle_stage) VALUES (?, ?, ?, ?, 'RUNNING', "
                        "?, ?, 'active')",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->run_id);
    lh_stmt_bind_int(st, 2, a->experiment_id);
    lh_stmt_bind_text(st, 3, a->run_name);
    lh_stmt_bind_text(st, 4, a->user_id);
    lh_stmt_bind_int(st, 5, a->start_time);
    lh_stmt_bind_text(st, 6, uri);
    LH_TRY(lh_stmt_run(st, eb));
    for (size_t i = 0; i < a->tag_count; i++)
        LH_TRY(mlf_run_set_tag(m, a->run_id, a->tags[i].key, a->tags[i].value, eb));
    return LH_OK;
}

/* The tags list ({key, value}, MLflow's tag rules), with room for one more. */
static lh_err read_run_tags(const json_t *list, lh_arena_t *arena, tag_kv **out, size_t *count,
                            lh_errbuf *eb)
{
    size_t n = lh_json_list_size(list);
    tag_kv *tags = lh_arena_calloc(arena, n + 1, sizeof *tags);
    for (size_t i = 0; i < n; i++) {
        json_t *t = lh_json_list_get(list, i);
        LH_FAIL_IF(!json_is_object(t), LH_E_INVALID, eb, "tags[%zu] must be an object", i);
        const char *path = lh_arena_sprintf(arena, "tags[%zu].key", i);
        LH_TRY(mlf_str(t, "key", true, &tags[i].key, eb));
        tags[i].value = "";
        LH_TRY(mlf_str(t, "value", false, &tags[i].value, eb));
        LH_TRY(mlf_check_key(path, tags[i].key, eb));
        LH_TRY(mlf_check_len(lh_arena_sprintf(arena, "tags[%zu].value", i), MLF_TAG_VALUE_MAX,
                             tags[i].value, eb));
    }
    *out = tags;
    *count = n;
    return LH_OK;
}

/* MLflow's rule: run_name and the mlflow.runName tag must agree; either names the run. */
static lh_err settle_run_name(create_arg *a, lh_errbuf *eb)
{
    const char *tag_name = NULL;
    for (size_t i = 0; i < a->tag_count; i++)
        if (strcmp(a->tags[i].key, MLF_RUN_NAME_TAG) == 0)
            tag_name = a->tags[i].value;
    bool given = a->run_name != NULL && *a->run_name != '\0';
    LH_FAIL_IF(given && tag_name != NULL && *tag_name && strcmp(a->run_name, tag_name) != 0,
               LH_E_INVALID, eb,
               "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
               "different values (run_name='%.*s', mlflow.runName='%.*s').",
               MLF_CLIP(a->run_name, 150), MLF_CLIP(tag_name ? tag_name : "", 150));
    if (!given)
        a->run_name = tag_name != NULL && *tag_name ? tag_name : mlf_random_name(a->arena);
    if (tag_name == NULL || *tag_name == '\0') /* an empty tag takes the name, as in MLflow */
        a->tags[a->tag_count++] = (tag_kv){MLF_RUN_NAME_TAG, a->run_name};
    return LH_OK;
}

lh_err mlf_h_run_create(lh_req_t *req, lh_errbuf *eb)
{
    create_arg a = {.arena = req->arena, .experiment_text = "0"};
    LH_TRY(mlf_str(req->params, "experiment_id", false, &a.experiment_text, eb));
    LH_FAIL_IF(!mlf_parse_experiment_id(a.experiment_text, &a.experiment_id), LH_E_NOT_FOUND, eb,
               "No Experiment with id=%.*s exists", MLF_CLIP(a.experiment_text, 64));
    a.user_id = req->principal && req->principal->user_name ? req->principal->user_name : "";
    LH_TRY(mlf_str(req->params, "user_id", false, &a.user_id, eb));
    LH_TRY(mlf_str(req->params, "run_name", false, &a.run_name, eb));
    bool has_start = false;
    LH_TRY(mlf_int(req->params, "start_time", false, &a.start_time, &has_start, eb));
    if (!has_start)
        a.start_time = lh_now_ms();
    LH_TRY(
        read_run_tags(json_object_get(req->params, "tags"), req->arena, &a.tags, &a.tag_count, eb));
    LH_TRY(settle_run_name(&a, eb));
    LH_TRY(mlf_require_experiment(req, a.experiment_id, "CAN_EDIT", eb));
    a.run_id = mlf_random_id(req->arena, "");
    LH_TRY(lh_meta_tx(req->ctx->meta, create_tx, &a, eb));
    return answer_run(req, a.run_id, eb);
}

/* ---- update, delete, restore ---- */

static const char *const STATUSES[] = {NULL,       "RUNNING", "SCHEDULED",
                                       "FINISHED", "FAILED",  "KILLED"};

static lh_err read_status(const json_t *params, const char **out, lh_errbuf *eb)
{
    json_t *v = json_object_get(params, "status");
    if (json_is_array(v))
        v = json_array_get(v, 0);
    if (v == NULL || json_is_null(v))
        return LH_OK;
    for (int i = 1; i <= 5 && json_is_string(v); i++)
        if (strcasecmp(json_string_value(v), STATUSES[i]) == 0) {
            *out = STATUSES[i];
            return LH_OK;
        }
    int64_t n = 0;
    lh_errbuf ignored;
    LH_FAIL_IF(lh_json_as_int(v, "status", &n, &ignored) != LH_OK || n < 1 || n > 5, LH_E_INVALID,
               eb,
               "Invalid value for parameter 'status' supplied: expected RUNNING, SCHEDULED, "
               "FINISHED, FAILED or KILLED");
    *out = STATUSES[n];
    return LH_OK;
}

typedef struct update_arg {
    const char *run_id, *status, *run_name;
    int64_t end_time;
    bool has_end;
    json_t *info; /* out */
} update_arg;

static lh_err update_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    update_arg *a = arg;
    LH_TRY(mlf_run_check_active(m, a->run_id, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlflow_runs SET status = COALESCE(?, status), end_time = CASE WHEN "
                        "? THEN ? ELSE end_time END WHERE run_uuid = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->status);
    lh_stmt_bind_int(st, 2, a->has_end);
    lh_stmt_bind_int(st, 3, a->end_time);
    lh_stmt_bind_text(st, 4, a->run_id);
    LH_TRY(lh_stmt_run(st, eb));
    if (a->run_name != NULL && *a->run_name != '\0')
        LH_TRY(mlf_run_set_tag(m, a->run_id, MLF_RUN_NAME_TAG, a->run_name, eb));
    LH_TRY(
        lh_meta_stmt(m, "SELECT " MLF_RUN_COLUMNS " FROM mlflow_runs WHERE run_uuid = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->run_id);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    a->info = mlf_run_info_json(st);
    return LH_OK;
}

lh_err mlf_h_run_update(lh_req_t *req, lh_errbuf *eb)
{
    update_arg a = {0};
    LH_TRY(mlf_run_id(req->params, &a.run_id, eb));
    LH_TRY(read_status(req->params, &a.status, eb));
    LH_TRY(mlf_int(req->params, "end_time", false, &a.end_time, &a.has_end, eb));
    LH_TRY(mlf_str(req->params, "run_name", false, &a.run_name, eb));
    if (a.run_name)
        LH_TRY(mlf_check_len("run_name", MLF_TAG_VALUE_MAX, a.run_name, eb));
    mlf_run_ref ref;
    LH_TRY(mlf_run_for(req, a.run_id, "CAN_EDIT", &ref, eb));
    lh_err e = lh_meta_tx(req->ctx->meta, update_tx, &a, eb);
    if (e != LH_OK) {
        json_decref(a.info);
        return e;
    }
    req->out = json_pack("{s:o}", "run_info", a.info);
    return LH_OK;
}

typedef struct lifecycle_arg {
    const char *run_id;
    bool deleted;
} lifecycle_arg;

static lh_err lifecycle_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lifecycle_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlflow_runs SET lifecycle_stage = ?, deleted_time = ? WHERE "
                        "run_uuid = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->deleted ? "deleted" : "active");
    if (a->deleted)
        lh_stmt_bind_int(st, 2, lh_now_ms());
    else
        lh_stmt_bind_null(st, 2);
    lh_stmt_bind_text(st, 3, a->run_id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb, "Run with id=%.*s not found",
               MLF_CLIP(a->run_id, 64));
    return LH_OK;
}

static lh_err set_lifecycle(lh_req_t *req, bool deleted, lh_errbuf *eb)
{
    lifecycle_arg a = {.deleted = deleted};
    LH_TRY(mlf_str(req->params, "run_id", true, &a.run_id, eb));
    mlf_run_ref ref;
    LH_TRY(mlf_run_for(req, a.run_id, "CAN_EDIT", &ref, eb));
    return lh_meta_tx(req->ctx->meta, lifecycle_tx, &a, eb);
}

lh_err mlf_h_run_delete(lh_req_t *req, lh_errbuf *eb)
{
    return set_lifecycle(req, true, eb);
}

lh_err mlf_h_run_restore(lh_req_t *req, lh_errbuf *eb)
{
    return set_lifecycle(req, false, eb);
}
