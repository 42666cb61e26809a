/*
 * models.c - MLflow 3 logged models under /mlflow/logged-models: create, get, finalize
 * (PATCH status), delete, search, set tags (PATCH .../tags), delete a tag (DELETE
 * .../tags/{key}), log params (POST .../params).
 *
 * A logged model belongs to an experiment and takes its permissions (read: CAN_READ,
 * everything else CAN_EDIT). Ids are "m-" + 32 hex digits; artifact_uri is <experiment
 * artifact_location>/models/<model_id>/artifacts. A new model is LOGGED_MODEL_PENDING until
 * finalized READY or UPLOAD_FAILED. Deleting marks it deleted: it is then not found.
 * data.metrics are the run metrics logged with its model_id (mlflow_metrics.model_id).
 */
#include <stdio.h>
#include <string.h>

#include "api/mlflow/mlflow_internal.h"
#include "common/json.h"
#include "common/util.h"

static const char *const STATUSES[] = {"LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING",
                                       "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"};

#define MODEL_COLUMNS                                                                              \
    "model_id, experiment_id, name, creation_timestamp_ms, last_updated_timestamp_ms, "            \
    "artifact_location, status, creator_id, model_type, source_run_id, status_message"

typedef mlf_kv kv;

static lh_err not_found(const char *id, lh_errbuf *eb)
{
    LH_FAIL(LH_E_NOT_FOUND, eb, "Logged model with ID '%.*s' not found.", MLF_CLIP(id, 80));
}

/* ---- rendering ---- */

static lh_err model_metrics(lh_meta_t *m, const char *id, json_t *data, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT key, value, timestamp, step, is_nan, run_uuid, dataset_name, "
                        "dataset_digest FROM mlflow_metrics WHERE model_id = ? ORDER BY key, step, "
                        "timestamp",
                        &st, eb));
    lh_stmt_bind_text(st, 1, id);
    json_t *arr = json_array();
    lh_err e;
    for (bool row = true;;) {
        e = lh_stmt_step(st, &row, eb);
        if (e != LH_OK || !row)
            break;
        json_t *o = json_object();
        lh_json_set_str(o, "key", lh_stmt_text(st, 0));
        json_object_set_new(o, "value",
                            lh_stmt_int(st, 4) ? json_string("NaN")
                                               : mlf_double_json(lh_stmt_double(st, 1)));
        lh_json_set_int(o, "timestamp", lh_stmt_int(st, 2));
        lh_json_set_int(o, "step", lh_stmt_int(st, 3));
        lh_json_set_str(o, "run_id", lh_stmt_text(st, 5));
        lh_json_set_str(o, "dataset_name", lh_stmt_text(st, 6));
        lh_json_set_str(o, "dataset_digest", lh_stmt_text(st, 7));
        lh_json_set_str(o, "model_id", id);
        json_array_append_new(arr, o);
    }
    mlf_set_list(data, "metrics", arr);
    return e;
}

/* Inside a callback: the LoggedModel JSON; *found false when absent or deleted. */
static lh_err model_json(lh_meta_t *m, const char *id, json_t **out, int64_t *experiment_id,
                         bool *found, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT " MODEL_COLUMNS " FROM mlflow_logged_models WHERE model_id = ? AND "
                        "lifecycle_stage = 'active'",
                        &st, eb));
    lh_stmt_bind_text(st, 1, id);
    LH_TRY(lh_stmt_step(st, found, eb));
    if (!*found)
        return LH_OK;
    if (experiment_id != NULL)
        *experiment_id = lh_stmt_int(st, 1);
    json_t *info = json_object(), *data = json_object();
    lh_json_set_str(info, "model_id", lh_stmt_text(st, 0));
    json_object_set_new(info, "experiment_id", json_string(lh_stmt_text(st, 1)));
    lh_json_set_str(info, "name", lh_stmt_text(st, 2));
    lh_json_set_int(info, "creation_timestamp_ms", lh_stmt_int(st, 3));
    lh_json_set_int(info, "last_updated_timestamp_ms", lh_stmt_int(st, 4));
    lh_json_set_str(info, "artifact_uri", lh_stmt_text(st, 5));
    lh_json_set_str(info, "status", lh_stmt_text(st, 6));
    if (!lh_stmt_is_null(st, 7))
        lh_json_set_int(info, "creator_id", lh_stmt_int(st, 7));
    lh_json_set_str(info, "model_type", lh_stmt_text(st, 8));
    lh_json_set_str(info, "source_run_id", lh_stmt_text(st, 9));
    lh_json_set_str(info, "status_message", lh_stmt_text(st, 10));
    json_t *model = json_pack("{s:o, s:o}", "info", info, "data", data);
    lh_err e = mlf_kv_rows(
        m, "SELECT key, value FROM mlflow_logged_model_tags WHERE model_id = ? ORDER BY key", id,
        info, "tags", eb);
    if (e == LH_OK)
        e = mlf_kv_rows(
            m, "SELECT key, value FROM mlflow_logged_model_params WHERE model_id = ? ORDER BY key",
            id, data, "params", eb);
    if (e == LH_OK)
        e = model_metrics(m, id, data, eb);
    if (e != LH_OK) {
        json_decref(model);
        return e;
    }
    *out = model;
    return LH_OK;
}

typedef struct get_arg {
    const char *id;
    json_t *model;
    int64_t experiment_id;
    bool found;
} get_arg;

static lh_err get_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    get_arg *a = arg;
    return model_json(m, a->id, &a->model, &a->experiment_id, &a->found, eb);
}

/* The model JSON after the caller's level on its experiment. */
static lh_err load_model(lh_req_t *req, const char *id, const char *level, get_arg *a,
                         lh_errbuf *eb)
{
    *a = (get_arg){.id = id};
    LH_TRY(lh_meta_read(req->ctx->meta, get_read, a, eb));
    if (!a->found)
        return not_found(id, eb);
    lh_err e = mlf_require_experiment(req, a->experiment_id, level, eb);
    if (e != LH_OK) {
        json_decref(a->model);
        a->model = NULL;
    }
    return e;
}

static lh_err answer_model(lh_req_t *req, const char *id, lh_errbuf *eb)
{
    get_arg a = {.id = id};
    LH_TRY(lh_meta_read(req->ctx->meta, get_read, &a, eb));
    if (!a.found)
        return not_found(id, eb);
    req->out = json_pack("{s:o}", "model", a.model);
    return LH_OK;
}

lh_err mlf_h_model_get(lh_req_t *req, lh_errbuf *eb)
{
    get_arg a;
    LH_TRY(load_model(req, lh_req_path_param(req, 0), "CAN_READ", &a, eb));
    req->out = json_pack("{s:o}", "model", a.model);
    return LH_OK;
}

/* ---- writes ---- */

static lh_err read_kvs(const json_t *list, const char *what, lh_arena_t *arena, kv **out,
                       size_t *count, lh_errbuf *eb)
{
    kv *items;
    LH_TRY(mlf_kv_list(list, what, arena, &items, count, eb));
    for (size_t i = 0; i < *count; i++) {
        LH_TRY(mlf_check_key(lh_arena_sprintf(arena, "%s[%zu].key", what, i), items[i].key, eb));
        LH_TRY(mlf_check_len(lh_arena_sprintf(arena, "%s[%zu].value", what, i),
                             strcmp(what, "params") == 0 ? MLF_PARAM_VALUE_MAX : MLF_TAG_VALUE_MAX,
                             items[i].value, eb));
    }
    *out = items;
    return LH_OK;
}

typedef struct write_arg {
    const char *id;
    lh_arena_t *arena;
    /* create */
    int64_t experiment_id;
    const char *name, *model_type, *source_run_id;
    int64_t creator_id;
    /* every write */
    kv *params, *tags;
    size_t param_count, tag_count;
    const char *status, *tag_key;
    bool deleted;
} write_arg;

static lh_err touch(lh_meta_t *m, const char *id, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "UPDATE mlflow_logged_models SET last_updated_timestamp_ms = ? WHERE "
                        "model_id = ? AND lifecycle_stage = 'active'",
                        &st, eb));
    lh_stmt_bind_int(st, 1, lh_now_ms());
    lh_stmt_bind_text(st, 2, id);
    LH_TRY(lh_stmt_run(st, eb));
    if (lh_meta_changes(m) == 0)
        return not_found(id, eb);
    return LH_OK;
}

static lh_err put_params(lh_meta_t *m, const write_arg *a, lh_errbuf *eb)
{
    for (size_t i = 0; i < a->param_count; i++) {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m,
                            "INSERT INTO mlflow_logged_model_params(model_id, key, value) VALUES "
                            "(?, ?, ?) ON CONFLICT(model_id, key) DO NOTHING",
                            &st, eb));
        lh_stmt_bind_text(st, 1, a->id);
        lh_stmt_bind_text(st, 2, a->params[i].key);
        lh_stmt_bind_text(st, 3, a->params[i].value);
        LH_TRY(lh_stmt_run(st, eb));
        if (lh_meta_changes(m) > 0)
            continue;
        LH_TRY(lh_meta_stmt(m,
                            "SELECT value FROM mlflow_logged_model_params WHERE model_id = ? AND "
                            "key = ?",
                            &st, eb));
        lh_stmt_bind_text(st, 1, a->id);
        lh_stmt_bind_text(st, 2, a->params[i].key);
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        LH_FAIL_IF(row && strcmp(lh_stmt_text(st, 0), a->params[i].value) != 0, LH_E_INVALID, eb,
                   "Changing param values is not allowed. Param with key='%.*s' was already "
                   "logged with value='%.*s' for logged model ID='%s'.",
                   MLF_CLIP(a->params[i].key, 250), MLF_CLIP(lh_stmt_text(st, 0), 100), a->id);
    }
    return LH_OK;
}

static lh_err put_tags(lh_meta_t *m, const write_arg *a, lh_errbuf *eb)
{
    for (size_t i = 0; i < a->tag_count; i++) {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m,
                            "INSERT INTO mlflow_logged_model_tags(model_id, key, value) VALUES (?, "
                            "?, ?) ON CONFLICT(model_id, key) DO UPDATE SET value = excluded.value",
                            &st, eb));
        lh_stmt_bind_text(st, 1, a->id);
        lh_stmt_bind_text(st, 2, a->tags[i].key);
        lh_stmt_bind_text(st, 3, a->tags[i].value);
        LH_TRY(lh_stmt_run(st, eb));
    }
    return LH_OK;
}

static lh_err create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    write_arg *a = arg;
    mlf_experiment exp;
    LH_TRY(mlf_experiment_active(m, a->experiment_id, a->arena, &exp, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO mlflow_logged_models(model_id, experiment_id, name, "
                        "artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, "
                        "status, lifecycle_stage, model_type, source_run_id, creator_id) VALUES "
                        "(?, ?, ?, ?, ?, ?, 'LOGGED_MODEL_PENDING', 'active', ?, ?, ?)",
                        &st, eb));
    int64_t now = lh_now_ms();
    lh_stmt_bind_text(st, 1, a->id);
    lh_stmt_bind_int(st, 2, a->experiment_id);
    lh_stmt_bind_text(st, 3, a->name);
    lh_stmt_bind_text(st, 4,
                      mlf_artifact_child(a->arena, exp.artifact_location,
                                         lh_arena_sprintf(a->arena, "models/%s/artifacts", a->id)));
    lh_stmt_bind_int(st, 5, now);
    lh_stmt_bind_int(st, 6, now);
    lh_stmt_bind_text(st, 7, a->model_type);
    lh_stmt_bind_text(st, 8, a->source_run_id);
    if (a->creator_id)
        lh_stmt_bind_int(st, 9, a->creator_id);
    else
        lh_stmt_bind_null(st, 9);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(put_params(m, a, eb));
    return put_tags(m, a, eb);
}

lh_err mlf_h_model_create(lh_req_t *req, lh_errbuf *eb)
{
    write_arg a = {.arena = req->arena};
    const char *exp_text;
    LH_TRY(mlf_str(req->params, "experiment_id", true, &exp_text, eb));
    LH_FAIL_IF(!mlf_parse_experiment_id(exp_text, &a.experiment_id), LH_E_NOT_FOUND, eb,
               "No Experiment with id=%.*s exists", MLF_CLIP(exp_text, 64));
    LH_TRY(mlf_str(req->params, "name", false, &a.name, eb));
    LH_TRY(mlf_str(req->params, "model_type", false, &a.model_type, eb));
    LH_TRY(mlf_str(req->params, "source_run_id", false, &a.source_run_id, eb));
    LH_TRY(read_kvs(json_object_get(req->params, "params"), "params", req->arena, &a.params,
                    &a.param_count, eb));
    LH_TRY(read_kvs(json_object_get(req->params, "tags"), "tags", req->arena, &a.tags, &a.tag_count,
                    eb));
    if (a.name == NULL || *a.name == '\0')
        a.name = mlf_random_name(req->arena);
    LH_TRY(mlf_check_len("name", MLF_EXPERIMENT_NAME_MAX, a.name, eb));
    LH_TRY(mlf_require_experiment(req, a.experiment_id, "CAN_EDIT", eb));
    a.creator_id = req->principal ? req->principal->user_id : 0;
    a.id = mlf_random_id(req->arena, "m-");
    LH_TRY(lh_meta_tx(req->ctx->meta, create_tx, &a, eb));
    return answer_model(req, a.id, eb);
}

static lh_err change_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    write_arg *a = arg;
    LH_TRY(touch(m, a->id, eb));
    lh_stmt_t *st;
    if (a->status != NULL) {
        LH_TRY(lh_meta_stmt(m, "UPDATE mlflow_logged_models SET status = ? WHERE model_id = ?", &st,
                            eb));
        lh_stmt_bind_text(st, 1, a->status);
        lh_stmt_bind_text(st, 2, a->id);
        LH_TRY(lh_stmt_run(st, eb));
    }
    if (a->deleted) {
        LH_TRY(lh_meta_stmt(m,
                            "UPDATE mlflow_logged_models SET lifecycle_stage = 'deleted' WHERE "
                            "model_id = ?",
                            &st, eb));
        lh_stmt_bind_text(st, 1, a->id);
        LH_TRY(lh_stmt_run(st, eb));
    }
    if (a->tag_key != NULL) {
        LH_TRY(lh_meta_stmt(
            m, "DELETE FROM mlflow_logged_model_tags WHERE model_id = ? AND key = ?", &st, eb));
        lh_stmt_bind_text(st, 1, a->id);
        lh_stmt_bind_text(st, 2, a->tag_key);
        LH_TRY(lh_stmt_run(st, eb));
        LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb,
                   "No tag with key '%.*s' found for logged model with ID '%s'.",
                   MLF_CLIP(a->tag_key, 250), a->id);
    }
    LH_TRY(put_params(m, a, eb));
    return put_tags(m, a, eb);
}

/* CAN_EDIT on the model's experiment, then the change in one transaction. */
static lh_err change(lh_req_t *req, write_arg *a, bool answer, lh_errbuf *eb)
{
    get_arg g;
    a->id = lh_req_path_param(req, 0);
    a->arena = req->arena;
    LH_TRY(load_model(req, a->id, "CAN_EDIT", &g, eb));
    json_decref(g.model);
    LH_TRY(lh_meta_tx(req->ctx->meta, change_tx, a, eb));
    return answer ? answer_model(req, a->id, eb) : LH_OK;
}

lh_err mlf_h_model_finalize(lh_req_t *req, lh_errbuf *eb)
{
    write_arg a = {0};
    json_t *v = json_object_get(req->params, "status");
    for (int i = 1; i < 4 && json_is_string(v); i++)
        if (strcmp(json_string_value(v), STATUSES[i]) == 0)
            a.status = STATUSES[i];
    if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 3)
        a.status = STATUSES[json_integer_value(v)];
    LH_FAIL_IF(v == NULL || json_is_null(v), LH_E_INVALID, eb,
               "Missing value for required parameter 'status'. See the API docs for more "
               "information about request parameters.");
    LH_FAIL_IF(a.status == NULL, LH_E_INVALID, eb,
               "Invalid value for parameter 'status' supplied: expected LOGGED_MODEL_READY or "
               "LOGGED_MODEL_UPLOAD_FAILED");
    return change(req, &a, true, eb);
}

lh_err mlf_h_model_delete(lh_req_t *req, lh_errbuf *eb)
{
    write_arg a = {.deleted = true};
    return change(req, &a, false, eb);
}

lh_err mlf_h_model_set_tags(lh_req_t *req, lh_errbuf *eb)
{
    write_arg a = {0};
    LH_TRY(read_kvs(json_object_get(req->params, "tags"), "tags", req->arena, &a.tags, &a.tag_count,
                    eb));
    return change(req, &a, true, eb);
}

lh_err mlf_h_model_delete_tag(lh_req_t *req, lh_errbuf *eb)
{
    write_arg a = {.tag_key = lh_req_path_param(req, 1)};
    return change(req, &a, false, eb);
}

lh_err mlf_h_model_log_params(lh_req_t *req, lh_errbuf *eb)
{
    write_arg a = {0};
    LH_TRY(read_kvs(json_object_get(req->params, "params"), "params", req->arena, &a.params,
                    &a.param_count, eb));
    return change(req, &a, false, eb);
}

/* ---- search ---- */

static const char *model_column(const char *attr)
{
    static const char *const map[][2] = {
        {"name", "m.name"},
        {"model_id", "m.model_id"},
        {"model_type", "m.model_type"},
        {"status", "m.status"},
        {"source_run_id", "m.source_run_id"},
        {"creation_timestamp", "m.creation_timestamp_ms"},
        {"last_updated_timestamp", "m.last_updated_timestamp_ms"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], attr) == 0)
            return map[i][1];
    LH_ASSERT(!"unknown logged model attribute");
    return NULL;
}

/* " AND ((x.dataset_name = ? [AND x.dataset_digest = ?]) OR ...)" from request datasets. */
static lh_err dataset_restriction(lh_req_t *req, mlf_sql *q, const char **out, lh_errbuf *eb)
{
    json_t *list = json_object_get(req->params, "datasets");
    size_t n = lh_json_list_size(list);
    *out = "";
    LH_FAIL_IF(n > 100, LH_E_INVALID, eb, "At most 100 datasets may restrict a search");
    for (size_t i = 0; i < n; i++) {
        json_t *d = lh_json_list_get(list, i);
        const char *name, *digest = NULL;
        LH_FAIL_IF(!json_is_object(d), LH_E_INVALID, eb, "datasets[%zu] must be an object", i);
        LH_TRY(mlf_str(d, "dataset_name", true, &name, eb));
        LH_TRY(mlf_str(d, "dataset_digest", false, &digest, eb));
        const char *one =
            lh_arena_sprintf(req->arena, "(x.dataset_name = ?%d", mlf_sql_text(q, name));
        if (digest != NULL)
            one = lh_arena_sprintf(req->arena, "%s AND x.dataset_digest = ?%d", one,
                                   mlf_sql_text(q, digest));
        *out = lh_arena_sprintf(req->arena, "%s%s%s)", **out ? *out : " AND (", **out ? " OR " : "",
                                one);
    }
    if (**out)
        *out = lh_arena_sprintf(req->arena, "%s)", *out);
    return LH_OK;
}

static void model_clause(mlf_sql *q, const lh_mlflow_clause_t *c, const char *datasets)
{
    switch (c->entity) {
    case LH_MLFLOW_METRIC:
        mlf_sql_add(q,
                    " AND EXISTS (SELECT 1 FROM mlflow_metrics x WHERE x.model_id = m.model_id AND "
                    "x.key = ?%d%s AND ",
                    mlf_sql_text(q, c->key), datasets);
        if (c->op == LH_MLFLOW_NE) {
            mlf_sql_add(q, "(x.is_nan = 1 OR x.value != ?%d))", mlf_sql_double(q, c->number));
        } else {
            mlf_sql_add(q, "x.is_nan = 0 AND ");
            mlf_sql_number_cmp(q, "x.value", c);
            mlf_sql_add(q, ")");
        }
        return;
    case LH_MLFLOW_PARAM:
    case LH_MLFLOW_TAG:
        mlf_sql_add(
            q, " AND EXISTS (SELECT 1 FROM %s x WHERE x.model_id = m.model_id AND x.key = ?%d AND ",
            c->entity == LH_MLFLOW_PARAM ? "mlflow_logged_model_params"
                                         : "mlflow_logged_model_tags",
            mlf_sql_text(q, c->key));
        mlf_sql_string_cmp(q, "x.value", c);
        mlf_sql_add(q, ")");
        return;
    default:
        mlf_sql_add(q, " AND ");
        if (c->numeric)
            mlf_sql_number_cmp(q, model_column(c->key), c);
        else
            mlf_sql_string_cmp(q, model_column(c->key), c);
    }
}

/* One order_by element: {field_name, ascending, dataset_name, dataset_digest} or a string. */
static lh_err model_order(lh_req_t *req, mlf_sql *q, mlf_page *pg, const json_t *o,
                          const char **shape, lh_errbuf *eb)
{
    lh_mlflow_order_t ord;
    const char *field = NULL, *dname = NULL, *ddigest = NULL;
    bool asc = true;
    if (json_is_string(o)) {
        field = json_string_value(o);
    } else {
        LH_FAIL_IF(!json_is_object(o), LH_E_INVALID, eb, "order_by elements must be objects");
        LH_TRY(mlf_str(o, "field_name", true, &field, eb));
        LH_TRY(mlf_str(o, "dataset_name", false, &dname, eb));
        LH_TRY(mlf_str(o, "dataset_digest", false, &ddigest, eb));
        if (lh_json_has(o, "ascending"))
            LH_TRY(lh_json_get_bool(o, "ascending", LH_OPTIONAL, &asc, eb));
    }
    LH_TRY(lh_mlflow_order_parse(LH_MLFLOW_MODELS, field, strlen(field), req->arena, &ord, eb));
    if (!json_is_string(o))
        ord.ascending = asc;
    *shape = lh_arena_sprintf(req->arena, "%s%d:%s:%d:%s:%s|", *shape, (int)ord.entity, ord.key,
                              ord.ascending, dname ? dname : "", ddigest ? ddigest : "");
    const char *value;
    char type = ord.numeric ? 'd' : 's';
    if (ord.entity == LH_MLFLOW_ATTR) {
        value = model_column(ord.key);
        type = ord.numeric ? 'i' : 's';
    } else if (ord.entity == LH_MLFLOW_METRIC) {
        const char *ds = "";
        if (dname != NULL)
            ds = lh_arena_sprintf(req->arena, " AND x.dataset_name = ?%d", mlf_sql_text(q, dname));
        if (ddigest != NULL)
            ds = lh_arena_sprintf(req->arena, "%s AND x.dataset_digest = ?%d", ds,
                                  mlf_sql_text(q, ddigest));
        value = lh_arena_sprintf(req->arena,
                                 "(SELECT CASE WHEN x.is_nan THEN NULL ELSE x.value END FROM "
                                 "mlflow_metrics x WHERE x.model_id = m.model_id AND x.key = ?%d%s "
                                 "ORDER BY x.step DESC, x.timestamp DESC LIMIT 1)",
                                 mlf_sql_text(q, ord.key), ds);
    } else {
        value = lh_arena_sprintf(
            req->arena, "(SELECT x.value FROM %s x WHERE x.model_id = m.model_id AND x.key = ?%d)",
            ord.entity == LH_MLFLOW_PARAM ? "mlflow_logged_model_params"
                                          : "mlflow_logged_model_tags",
            mlf_sql_text(q, ord.key));
    }
    mlf_page_sort(pg, lh_arena_sprintf(req->arena, "(%s IS NULL)", value), 'i', true);
    mlf_page_sort(pg,
                  lh_arena_sprintf(req->arena, "COALESCE(%s, %s)", value, type == 's' ? "''" : "0"),
                  type, ord.ascending);
    return LH_OK;
}

typedef struct search_arg {
    const mlf_sql *q;
    const mlf_page *pg;
    int64_t limit;
    lh_arena_t *arena;
    json_t *models;
    const char *next;
} search_arg;

static lh_err search_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    search_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, a->q->text, &st, eb));
    mlf_sql_bind(a->q, st);
    const char **ids = lh_arena_calloc(a->arena, (size_t)a->limit + 1, sizeof *ids);
    const char *last = NULL;
    int64_t n = 0;
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        if (n == a->limit) {
            a->next = last;
            break;
        }
        ids[n++] = lh_arena_strdup(a->arena, lh_stmt_text(st, 0));
        if (n == a->limit)
            last = mlf_page_token(a->pg, st, 1, a->arena);
    }
    for (int64_t i = 0; i < n; i++) {
        json_t *model = NULL;
        bool found = false;
        LH_TRY(model_json(m, ids[i], &model, NULL, &found, eb));
        if (found)
            json_array_append_new(a->models, model);
    }
    return LH_OK;
}

/* The searched experiments as a JSON array; each existing one needs CAN_READ. */
static lh_err searched_experiments(lh_req_t *req, const char **out, lh_errbuf *eb)
{
    const char **ids;
    size_t n;
    LH_TRY(mlf_str_list(req->params, "experiment_ids", req->arena, &ids, &n, eb));
    const char *json = "[";
    for (size_t i = 0; i < n; i++) {
        int64_t id;
        if (!mlf_parse_experiment_id(ids[i], &id) || !mlf_experiment_exists(req->ctx, id))
            continue;
        LH_TRY(mlf_require_experiment(req, id, "CAN_READ", eb));
        json = lh_arena_sprintf(req->arena, "%s%s%lld", json, json[1] ? "," : "", (long long)id);
    }
    *out = lh_arena_sprintf(req->arena, "%s]", json);
    return LH_OK;
}

lh_err mlf_h_model_search(lh_req_t *req, lh_errbuf *eb)
{
    const char *experiments, *filter = "", *token = NULL, *datasets;
    LH_TRY(searched_experiments(req, &experiments, eb));
    LH_TRY(mlf_str(req->params, "filter", false, &filter, eb));
    LH_TRY(mlf_str(req->params, "page_token", false, &token, eb));
    int64_t limit;
    LH_TRY(mlf_page_size(req->params, "max_results", MLF_MODELS_SEARCH_DEFAULT,
                         MLF_MODELS_SEARCH_DEFAULT, true, &limit, eb));
    lh_mlflow_filter_t f;
    LH_TRY(lh_mlflow_filter_parse(LH_MLFLOW_MODELS, filter, strlen(filter), req->arena, &f, eb));

    mlf_sql *q = lh_arena_alloc(req->arena, sizeof *q);
    mlf_sql_init(q, req->arena);
    mlf_page *pg = lh_arena_calloc(req->arena, 1, sizeof *pg);
    mlf_page tmp; /* the sort columns, before the shape (hashed from them) is known */
    memset(&tmp, 0, sizeof tmp);
    const char *shape = "";
    json_t *orders = json_object_get(req->params, "order_by");
    LH_FAIL_IF(lh_json_list_size(orders) > 10, LH_E_INVALID, eb, "order_by has more than 10 keys");
    for (size_t i = 0; i < lh_json_list_size(orders); i++)
        LH_TRY(model_order(req, q, &tmp, lh_json_list_get(orders, i), &shape, eb));
    if (lh_json_list_size(orders) == 0)
        mlf_page_sort(&tmp, "m.creation_timestamp_ms", 'i', false);
    mlf_page_sort(&tmp, "m.model_id", 's', true);
    mlf_page_init(pg, MLF_LIST_MODELS, shape);
    for (int k = 0; k < tmp.nsort; k++)
        mlf_page_sort(pg, tmp.sort[k].expr, tmp.sort[k].type, tmp.sort[k].asc);
    LH_TRY(mlf_page_parse(pg, token, req->arena, eb));
    LH_TRY(dataset_restriction(req, q, &datasets, eb));

    mlf_sql_add(q, "SELECT m.model_id");
    for (int k = 0; k < pg->nsort; k++)
        mlf_sql_add(q, ", %s", pg->sort[k].expr);
    mlf_sql_add(q,
                " FROM mlflow_logged_models m WHERE m.lifecycle_stage = 'active' AND "
                "m.experiment_id IN (SELECT value FROM json_each(?%d))",
                mlf_sql_text(q, experiments));
    for (size_t i = 0; i < f.count; i++)
        model_clause(q, &f.clauses[i], datasets);
    mlf_page_where(pg, q);
    mlf_page_order(pg, q);
    mlf_sql_add(q, " LIMIT ?%d", mlf_sql_int(q, limit + 1));

    search_arg a = {q, pg, limit, req->arena, json_array(), NULL};
    lh_err e = lh_meta_read(req->ctx->meta, search_read, &a, eb);
    if (e != LH_OK) {
        json_decref(a.models);
        return e;
    }
    req->out = json_object();
    mlf_set_list(req->out, "models", a.models);
    lh_json_set_str(req->out, "next_page_token", a.next);
    return LH_OK;
}
