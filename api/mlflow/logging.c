/*
 * logging.c - what clients log to a run: log-metric, log-parameter, set-tag, delete-tag,
 * log-batch, log-model, log-inputs, runs/outputs.
 *
 * Each call validates the whole request first (names, lengths, MLflow's batch limits),
 * checks CAN_EDIT on the run's experiment, then writes in one metastore transaction that
 * re-checks the run is active: all of a batch lands or none of it. The metastore has one
 * writer, so concurrent loggers into one run are serialized and lose nothing.
 *
 * Metrics: every (key, timestamp, step, value) is kept once (a repeat is ignored, as
 * MLflow's primary key does); mlflow_latest_metrics keeps per key the value with the
 * largest (step, timestamp, value), replaced only by a strictly larger one (MLflow's SQL
 * store, _update_latest_metrics_if_necessary), NaN comparing as 0. A batch updates each
 * key's latest row once, with the batch's largest tuple. Statements are prepared once per
 * connection (lh_meta_stmt's cache).
 *
 * Params are write-once: the same value again is fine, another is 400.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/mlflow/mlflow_internal.h"
#include "common/json.h"
#include "common/util.h"

/* ---- metrics ---- */

typedef struct metric {
    const char *key;
    double value;
    int64_t timestamp, step;
    const char *model_id, *dataset_name, *dataset_digest;
} metric;

typedef mlf_kv kv;

static lh_err read_metric(const json_t *o, const char *path, lh_arena_t *arena, metric *out,
                          lh_errbuf *eb)
{
    const char *p = *path ? lh_arena_sprintf(arena, "%s.", path) : "";
    LH_FAIL_IF(!json_is_object(o), LH_E_INVALID, eb, "%s must be an object", path);
    memset(out, 0, sizeof *out);
    lh_errbuf inner;
    if (mlf_str(o, "key", true, &out->key, &inner) != LH_OK)
        LH_FAIL(LH_E_INVALID, eb, "Missing value for required parameter '%skey'.", p);
    LH_TRY(mlf_check_key(lh_arena_sprintf(arena, "%skey", p), out->key, eb));
    LH_TRY(mlf_metric_value(json_object_get(o, "value"), lh_arena_sprintf(arena, "%svalue", p),
                            &out->value, eb));
    bool has_ts = false;
    if (mlf_int(o, "timestamp", false, &out->timestamp, &has_ts, &inner) != LH_OK || !has_ts ||
        out->timestamp < 0)
        LH_FAIL(LH_E_INVALID, eb,
                "%s value for parameter '%stimestamp' supplied: metric '%s'. Timestamp must be a "
                "nonnegative long (64-bit integer)",
                has_ts ? "Invalid" : "Missing", p, out->key);
    if (mlf_int(o, "step", false, &out->step, NULL, &inner) != LH_OK)
        LH_FAIL(LH_E_INVALID, eb,
                "Invalid value for parameter '%sstep' supplied: metric '%s'. Step must be a valid "
                "long (64-bit integer).",
                p, out->key);
    LH_TRY(mlf_str(o, "model_id", false, &out->model_id, eb));
    LH_TRY(mlf_str(o, "dataset_name", false, &out->dataset_name, eb));
    return mlf_str(o, "dataset_digest", false, &out->dataset_digest, eb);
}

static lh_err insert_metric(lh_meta_t *m, const char *run_id, const metric *x, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT OR IGNORE INTO mlflow_metrics(run_uuid, key, timestamp, step, "
                        "value, is_nan, model_id, dataset_name, dataset_digest) VALUES (?, ?, ?, "
                        "?, ?, ?, ?, ?, ?)",
                        &st, eb));
    bool nan = isnan(x->value);
    lh_stmt_bind_text(st, 1, run_id);
    lh_stmt_bind_text(st, 2, x->key);
    lh_stmt_bind_int(st, 3, x->timestamp);
    lh_stmt_bind_int(st, 4, x->step);
    lh_stmt_bind_double(st, 5, nan ? 0.0 : x->value);
    lh_stmt_bind_int(st, 6, nan);
    lh_stmt_bind_text(st, 7, x->model_id);
    lh_stmt_bind_text(st, 8, x->dataset_name);
    lh_stmt_bind_text(st, 9, x->dataset_digest);
    return lh_stmt_run(st, eb);
}

static lh_err upsert_latest(lh_meta_t *m, const char *run_id, const metric *x, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(
        m,
        "INSERT INTO mlflow_latest_metrics(run_uuid, key, value, timestamp, step, is_nan) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(run_uuid, key) DO UPDATE SET value = "
        "excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = "
        "excluded.is_nan WHERE (excluded.step, excluded.timestamp, excluded.value) > "
        "(mlflow_latest_metrics.step, mlflow_latest_metrics.timestamp, "
        "mlflow_latest_metrics.value)",
        &st, eb));
    bool nan = isnan(x->value);
    lh_stmt_bind_text(st, 1, run_id);
    lh_stmt_bind_text(st, 2, x->key);
    lh_stmt_bind_double(st, 3, nan ? 0.0 : x->value);
    lh_stmt_bind_int(st, 4, x->timestamp);
    lh_stmt_bind_int(st, 5, x->step);
    lh_stmt_bind_int(st, 6, nan);
    return lh_stmt_run(st, eb);
}

/* (step, timestamp, value) of a strictly greater than b's, NaN as 0 (MLflow's order). */
static bool newer(const metric *a, const metric *b)
{
    double va = isnan(a->value) ? 0.0 : a->value, vb = isnan(b->value) ? 0.0 : b->value;
    if (a->step != b->step)
        return a->step > b->step;
    if (a->timestamp != b->timestamp)
        return a->timestamp > b->timestamp;
    return va > vb;
}

/* Insert n metrics, then each key's newest into mlflow_latest_metrics. */
static lh_err log_metrics(lh_meta_t *m, const char *run_id, const metric *xs, size_t n,
                          lh_arena_t *arena, lh_errbuf *eb)
{
    const metric **best = lh_arena_calloc(arena, n + 1, sizeof *best);
    size_t keys = 0;
    lh_err e = LH_OK;
    for (size_t i = 0; i < n && e == LH_OK; i++) {
        e = insert_metric(m, run_id, &xs[i], eb);
        size_t k = 0; /* batches hold few distinct keys: a linear scan is cheapest */
        while (k < keys && strcmp(best[k]->key, xs[i].key) != 0)
            k++;
        if (k == keys)
            best[keys++] = &xs[i];
        else if (newer(&xs[i], best[k]))
            best[k] = &xs[i];
    }
    for (size_t k = 0; k < keys && e == LH_OK; k++)
        e = upsert_latest(m, run_id, best[k], eb);
    return e;
}

typedef struct batch {
    const char *run_id;
    metric *metrics;
    size_t metric_count;
    kv *params;
    size_t param_count;
    kv *tags;
    size_t tag_count;
    lh_arena_t *arena;
    bool single_param; /* log-parameter's message on a conflict */
} batch;

/* ---- params ---- */

static lh_err log_params(lh_meta_t *m, const batch *b, lh_errbuf *eb)
{
    char *conflicts = NULL;
    for (size_t i = 0; i < b->param_count; i++) {
        const kv *p = &b->params[i];
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m,
                            "INSERT INTO mlflow_params(run_uuid, key, value) VALUES (?, ?, ?) ON "
                            "CONFLICT(run_uuid, key) DO NOTHING",
                            &st, eb));
        lh_stmt_bind_text(st, 1, b->run_id);
        lh_stmt_bind_text(st, 2, p->key);
        lh_stmt_bind_text(st, 3, p->value);
        LH_TRY(lh_stmt_run(st, eb));
        if (lh_meta_changes(m) > 0)
            continue;
        LH_TRY(lh_meta_stmt(m, "SELECT value FROM mlflow_params WHERE run_uuid = ? AND key = ?",
                            &st, eb));
        lh_stmt_bind_text(st, 1, b->run_id);
        lh_stmt_bind_text(st, 2, p->key);
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        const char *old = row ? lh_stmt_text(st, 0) : "";
        if (strcmp(old, p->value) == 0)
            continue;
        if (b->single_param)
            LH_FAIL(LH_E_INVALID, eb,
                    "Changing param values is not allowed. Param with key='%.*s' was already "
                    "logged with value='%.*s' for run ID='%s'. Attempted logging new value "
                    "'%.*s'.",
                    MLF_CLIP(p->key, 250), MLF_CLIP(old, 100), b->run_id, MLF_CLIP(p->value, 100));
        conflicts =
            lh_arena_sprintf(b->arena,
                             "%s%s{'key': '%.*s', 'old_value': '%.*s', "
                             "'new_value': '%.*s'}",
                             conflicts ? conflicts : "", conflicts ? ", " : "",
                             MLF_CLIP(p->key, 100), MLF_CLIP(old, 60), MLF_CLIP(p->value, 60));
    }
    LH_FAIL_IF(conflicts != NULL, LH_E_INVALID, eb,
               "Changing param values is not allowed. Params were already logged='[%.*s]' for "
               "run ID='%s'.",
               MLF_CLIP(conflicts ? conflicts : "", 300), b->run_id);
    return LH_OK;
}

static lh_err batch_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    batch *b = arg;
    LH_TRY(mlf_run_check_active(m, b->run_id, eb));
    LH_TRY(log_params(m, b, eb));
    LH_TRY(log_metrics(m, b->run_id, b->metrics, b->metric_count, b->arena, eb));
    for (size_t i = 0; i < b->tag_count; i++)
        LH_TRY(mlf_run_set_tag(m, b->run_id, b->tags[i].key, b->tags[i].value, eb));
    return LH_OK;
}

/* CAN_EDIT on the run's experiment, then the batch in one transaction. */
static lh_err write_batch(lh_req_t *req, batch *b, lh_errbuf *eb)
{
    mlf_run_ref ref;
    LH_TRY(mlf_run_for(req, b->run_id, "CAN_EDIT", &ref, eb));
    b->arena = req->arena;
    return lh_meta_tx(req->ctx->meta, batch_tx, b, eb);
}

static lh_err check_param(const char *path, const kv *p, lh_arena_t *arena, lh_errbuf *eb)
{
    LH_TRY(mlf_check_key(lh_arena_sprintf(arena, "%skey", path), p->key, eb));
    return mlf_check_len(lh_arena_sprintf(arena, "%svalue", path), MLF_PARAM_VALUE_MAX, p->value,
                         eb);
}

static lh_err check_tag(const char *path, const kv *t, lh_arena_t *arena, lh_errbuf *eb)
{
    LH_TRY(mlf_check_key(lh_arena_sprintf(arena, "%skey", path), t->key, eb));
    return mlf_check_len(lh_arena_sprintf(arena, "%svalue", path), MLF_TAG_VALUE_MAX, t->value, eb);
}

/* ---- single-item calls ---- */

lh_err mlf_h_log_metric(lh_req_t *req, lh_errbuf *eb)
{
    batch b = {0};
    metric *x = lh_arena_calloc(req->arena, 1, sizeof *x);
    LH_TRY(mlf_run_id(req->params, &b.run_id, eb));
    LH_TRY(read_metric(req->params, "", req->arena, x, eb));
    b.metrics = x;
    b.metric_count = 1;
    return write_batch(req, &b, eb);
}

/* log-parameter's and set-tag's message: run_id, key (required), value (absent = ""). */
static lh_err one_kv(lh_req_t *req, batch *b, kv **out, lh_errbuf *eb)
{
    kv *item = lh_arena_calloc(req->arena, 1, sizeof *item);
    LH_TRY(mlf_run_id(req->params, &b->run_id, eb));
    LH_TRY(mlf_str(req->params, "key", true, &item->key, eb));
    item->value = "";
    LH_TRY(mlf_str(req->params, "value", false, &item->value, eb));
    *out = item;
    return LH_OK;
}

lh_err mlf_h_log_param(lh_req_t *req, lh_errbuf *eb)
{
    batch b = {.single_param = true, .param_count = 1};
    LH_TRY(one_kv(req, &b, &b.params, eb));
    LH_TRY(check_param("", b.params, req->arena, eb));
    return write_batch(req, &b, eb);
}

lh_err mlf_h_set_tag(lh_req_t *req, lh_errbuf *eb)
{
    batch b = {.tag_count = 1};
    LH_TRY(one_kv(req, &b, &b.tags, eb));
    LH_TRY(check_tag("", b.tags, req->arena, eb));
    return write_batch(req, &b, eb);
}

typedef struct delete_tag_arg {
    const char *run_id, *key;
} delete_tag_arg;

static lh_err delete_tag_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    delete_tag_arg *a = arg;
    LH_TRY(mlf_run_check_active(m, a->run_id, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM mlflow_tags WHERE run_uuid = ? AND key = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->run_id);
    lh_stmt_bind_text(st, 2, a->key);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb,
               "No tag with name: %.*s in run with id %s", MLF_CLIP(a->key, 250), a->run_id);
    return LH_OK;
}

lh_err mlf_h_delete_tag(lh_req_t *req, lh_errbuf *eb)
{
    delete_tag_arg a;
    LH_TRY(mlf_run_id(req->params, &a.run_id, eb));
    LH_TRY(mlf_str(req->params, "key", true, &a.key, eb));
    mlf_run_ref ref;
    LH_TRY(mlf_run_for(req, a.run_id, "CAN_EDIT", &ref, eb));
    return lh_meta_tx(req->ctx->meta, delete_tag_tx, &a, eb);
}

/* ---- log-batch ---- */

static lh_err batch_limit(const char *what, size_t limit, size_t n, lh_errbuf *eb)
{
    LH_FAIL_IF(n > limit, LH_E_INVALID, eb,
               "A batch logging request can contain at most %zu %s. Got %zu %s. Please split up "
               "%s across multiple requests and try again.",
               limit, what, n, what, what);
    return LH_OK;
}

static lh_err check_batch(batch *b, lh_errbuf *eb)
{
    LH_TRY(batch_limit("metrics", MLF_BATCH_METRICS_MAX, b->metric_count, eb));
    LH_TRY(batch_limit("params", MLF_BATCH_PARAMS_MAX, b->param_count, eb));
    LH_TRY(batch_limit("tags", MLF_BATCH_TAGS_MAX, b->tag_count, eb));
    LH_TRY(batch_limit("metrics, params, and tags", MLF_BATCH_TOTAL_MAX,
                       b->metric_count + b->param_count + b->tag_count, eb));
    for (size_t i = 0; i < b->param_count; i++) {
        LH_TRY(check_param(lh_arena_sprintf(b->arena, "params[%zu].", i), &b->params[i], b->arena,
                           eb));
        for (size_t j = 0; j < i; j++)
            LH_FAIL_IF(strcmp(b->params[j].key, b->params[i].key) == 0, LH_E_INVALID, eb,
                       "Duplicate parameter keys have been submitted: ['%.*s']. Please ensure "
                       "the request contains only one param value per param key.",
                       MLF_CLIP(b->params[i].key, 250));
    }
    for (size_t i = 0; i < b->tag_count; i++)
        LH_TRY(check_tag(lh_arena_sprintf(b->arena, "tags[%zu].", i), &b->tags[i], b->arena, eb));
    return LH_OK;
}

lh_err mlf_h_log_batch(lh_req_t *req, lh_errbuf *eb)
{
    batch b = {.arena = req->arena};
    LH_TRY(mlf_run_id(req->params, &b.run_id, eb));
    json_t *metrics = json_object_get(req->params, "metrics");
    b.metric_count = lh_json_list_size(metrics);
    LH_TRY(batch_limit("metrics", MLF_BATCH_METRICS_MAX, b.metric_count, eb));
    b.metrics = lh_arena_calloc(req->arena, b.metric_count + 1, sizeof *b.metrics);
    for (size_t i = 0; i < b.metric_count; i++)
        LH_TRY(read_metric(lh_json_list_get(metrics, i),
                           lh_arena_sprintf(req->arena, "metrics[%zu]", i), req->arena,
                           &b.metrics[i], eb));
    LH_TRY(mlf_kv_list(json_object_get(req->params, "params"), "params", req->arena, &b.params,
                       &b.param_count, eb));
    LH_TRY(mlf_kv_list(json_object_get(req->params, "tags"), "tags", req->arena, &b.tags,
                       &b.tag_count, eb));
    LH_TRY(check_batch(&b, eb));
    return write_batch(req, &b, eb);
}

/* ---- log-model: the mlflow.log-model.history tag ---- */

/* Model.get_tags_dict(): run_id, utc_time_created, artifact_path, model_uuid, and the
 * flavors without their "config" entries. */
static json_t *model_tag_entry(const json_t *model)
{
    json_t *out = json_object();
    static const char *const keys[] = {"run_id", "utc_time_created", "artifact_path", "model_uuid"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(model, keys[i]);
        if (v != NULL)
            json_object_set(out, keys[i], v);
    }
    json_t *flavors = json_object(), *cfg;
    const char *name;
    json_object_foreach(json_object_get(model, "flavors"), name, cfg)
    {
        json_t *copy = json_is_object(cfg) ? json_copy(cfg) : json_incref(cfg);
        if (json_is_object(copy))
            json_object_del(copy, "config");
        json_object_set_new(flavors, name, copy);
    }
    json_object_set_new(out, "flavors", flavors);
    return out;
}

typedef struct model_arg {
    const char *run_id;
    json_t *entry;
} model_arg;

static lh_err log_model_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    model_arg *a = arg;
    LH_TRY(mlf_run_check_active(m, a->run_id, eb));
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m, "SELECT value FROM mlflow_tags WHERE run_uuid = ? AND key = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->run_id);
    lh_stmt_bind_text(st, 2, MLF_LOG_MODEL_TAG);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    json_t *history = row ? json_loads(lh_stmt_text(st, 0), 0, NULL) : NULL;
    if (!json_is_array(history)) {
        json_decref(history);
        history = json_array();
    }
    json_array_append(history, a->entry);
    size_t len = 0;
    char *text = lh_json_write(history, &len);
    json_decref(history);
    LH_FAIL_IF(text == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_err e = mlf_check_len(MLF_LOG_MODEL_TAG, MLF_TAG_VALUE_MAX, text, eb);
    if (e == LH_OK)
        e = mlf_run_set_tag(m, a->run_id, MLF_LOG_MODEL_TAG, text, eb);
    free(text);
    return e;
}

lh_err mlf_h_log_model(lh_req_t *req, lh_errbuf *eb)
{
    model_arg a;
    const char *text;
    LH_TRY(mlf_run_id(req->params, &a.run_id, eb));
    LH_TRY(mlf_str(req->params, "model_json", true, &text, eb));
    json_t *model = json_loads(text, 0, NULL);
    if (!json_is_object(model)) {
        json_decref(model);
        LH_FAIL(LH_E_INVALID, eb, "Malformed model info. \n %.*s \n is not a valid JSON.",
                MLF_CLIP(text, 200));
    }
    char missing_keys[128] = "";
    static const char *const required[] = {"artifact_path", "flavors", "utc_time_created",
                                           "run_id"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (json_object_get(model, required[i]) == NULL)
            snprintf(missing_keys + strlen(missing_keys),
                     sizeof missing_keys - strlen(missing_keys), "%s'%s'",
                     *missing_keys ? ", " : "", required[i]);
    if (*missing_keys) {
        json_decref(model);
        LH_FAIL(LH_E_INVALID, eb, "Model json is missing mandatory fields: {%s}", missing_keys);
    }
    a.entry = model_tag_entry(model);
    json_decref(model);
    mlf_run_ref ref;
    lh_err e = mlf_run_for(req, a.run_id, "CAN_EDIT", &ref, eb);
    if (e == LH_OK)
        e = lh_meta_tx(req->ctx->meta, log_model_tx, &a, eb);
    json_decref(a.entry);
    return e;
}

/* ---- log-inputs and outputs ---- */

typedef struct dataset_input {
    const char *name, *digest, *source_type, *source, *schema, *profile;
    kv *tags;
    size_t tag_count;
} dataset_input;

typedef struct inputs_arg {
    const char *run_id;
    dataset_input *datasets;
    size_t dataset_count;
    const char **models;
    size_t model_count;
    int64_t *steps; /* outputs: the models' steps */
    lh_arena_t *arena;
} inputs_arg;

static lh_err read_dataset(const json_t *o, size_t i, lh_arena_t *arena, dataset_input *out,
                           lh_errbuf *eb)
{
    LH_FAIL_IF(!json_is_object(o), LH_E_INVALID, eb, "datasets[%zu] must be an object", i);
    json_t *d = json_object_get(o, "dataset");
    LH_FAIL_IF(!json_is_object(d), LH_E_INVALID, eb,
               "Missing value for required parameter 'datasets[%zu].dataset'.", i);
    LH_TRY(mlf_str(d, "name", true, &out->name, eb));
    LH_TRY(mlf_str(d, "digest", true, &out->digest, eb));
    LH_TRY(mlf_str(d, "source_type", true, &out->source_type, eb));
    LH_TRY(mlf_str(d, "source", true, &out->source, eb));
    LH_TRY(mlf_str(d, "schema", false, &out->schema, eb));
    LH_TRY(mlf_str(d, "profile", false, &out->profile, eb));
    LH_TRY(mlf_check_len("dataset.name", MLF_DATASET_NAME_MAX, out->name, eb));
    LH_TRY(mlf_check_len("dataset.digest", MLF_DATASET_DIGEST_MAX, out->digest, eb));
    LH_TRY(mlf_check_len("dataset.source", MLF_DATASET_SOURCE_MAX, out->source, eb));
    if (out->schema)
        LH_TRY(mlf_check_len("dataset.schema", MLF_DATASET_SCHEMA_MAX, out->schema, eb));
    LH_TRY(mlf_kv_list(json_object_get(o, "tags"), "tags", arena, &out->tags, &out->tag_count, eb));
    for (size_t k = 0; k < out->tag_count; k++) {
        LH_TRY(mlf_check_len("input tag key", MLF_INPUT_TAG_KEY_MAX, out->tags[k].key, eb));
        LH_TRY(mlf_check_len("input tag value", MLF_INPUT_TAG_VALUE_MAX, out->tags[k].value, eb));
    }
    return LH_OK;
}

/* The dataset's id in the run's experiment, made on first use. */
static lh_err dataset_uuid(lh_meta_t *m, int64_t experiment_id, const dataset_input *d,
                           lh_arena_t *arena, const char **out, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT dataset_uuid FROM mlflow_datasets WHERE experiment_id = ? AND "
                        "name = ? AND digest = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, experiment_id);
    lh_stmt_bind_text(st, 2, d->name);
    lh_stmt_bind_text(st, 3, d->digest);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    if (row) {
        *out = lh_arena_strdup(arena, lh_stmt_text(st, 0));
        return LH_OK;
    }
    *out = mlf_random_id(arena, "");
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO mlflow_datasets(dataset_uuid, experiment_id, name, digest, "
                        "source_type, source, schema, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, *out);
    lh_stmt_bind_int(st, 2, experiment_id);
    lh_stmt_bind_text(st, 3, d->name);
    lh_stmt_bind_text(st, 4, d->digest);
    lh_stmt_bind_text(st, 5, d->source_type);
    lh_stmt_bind_text(st, 6, d->source);
    lh_stmt_bind_text(st, 7, d->schema);
    lh_stmt_bind_text(st, 8, d->profile);
    return lh_stmt_run(st, eb);
}

/* A dataset already input to the run is left as it is (MLflow ignores it, tags included). */
static lh_err input_dataset(lh_meta_t *m, const inputs_arg *a, int64_t experiment_id,
                            const dataset_input *d, lh_errbuf *eb)
{
    const char *uuid;
    LH_TRY(dataset_uuid(m, experiment_id, d, a->arena, &uuid, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(
        m, "INSERT OR IGNORE INTO mlflow_run_inputs(run_uuid, dataset_uuid) VALUES (?, ?)", &st,
        eb));
    lh_stmt_bind_text(st, 1, a->run_id);
    lh_stmt_bind_text(st, 2, uuid);
    LH_TRY(lh_stmt_run(st, eb));
    if (lh_meta_changes(m) == 0)
        return LH_OK;
    for (size_t k = 0; k < d->tag_count; k++) {
        LH_TRY(lh_meta_stmt(m,
                            "INSERT OR REPLACE INTO mlflow_input_tags(run_uuid, dataset_uuid, key, "
                            "value) VALUES (?, ?, ?, ?)",
                            &st, eb));
        lh_stmt_bind_text(st, 1, a->run_id);
        lh_stmt_bind_text(st, 2, uuid);
        lh_stmt_bind_text(st, 3, d->tags[k].key);
        lh_stmt_bind_text(st, 4, d->tags[k].value);
        LH_TRY(lh_stmt_run(st, eb));
    }
    return LH_OK;
}

static lh_err inputs_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    inputs_arg *a = arg;
    LH_TRY(mlf_run_check_active(m, a->run_id, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT experiment_id FROM mlflow_runs WHERE run_uuid = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->run_id);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    int64_t experiment_id = lh_stmt_int(st, 0);
    for (size_t i = 0; i < a->dataset_count; i++)
        LH_TRY(input_dataset(m, a, experiment_id, &a->datasets[i], eb));
    for (size_t i = 0; i < a->model_count; i++) {
        LH_TRY(lh_meta_stmt(
            m, "INSERT OR IGNORE INTO mlflow_run_model_inputs(run_uuid, model_id) VALUES (?, ?)",
            &st, eb));
        lh_stmt_bind_text(st, 1, a->run_id);
        lh_stmt_bind_text(st, 2, a->models[i]);
        LH_TRY(lh_stmt_run(st, eb));
    }
    return LH_OK;
}

/* models[i].model_id (and .step when steps is non-NULL). */
static lh_err read_models(const json_t *list, lh_arena_t *arena, inputs_arg *a, bool steps,
                          lh_errbuf *eb)
{
    a->model_count = lh_json_list_size(list);
    a->models = lh_arena_calloc(arena, a->model_count + 1, sizeof *a->models);
    a->steps = lh_arena_calloc(arena, a->model_count + 1, sizeof *a->steps);
    for (size_t i = 0; i < a->model_count; i++) {
        json_t *o = lh_json_list_get(list, i);
        LH_FAIL_IF(!json_is_object(o), LH_E_INVALID, eb, "models[%zu] must be an object", i);
        LH_TRY(mlf_str(o, "model_id", true, &a->models[i], eb));
        if (steps)
            LH_TRY(mlf_int(o, "step", true, &a->steps[i], NULL, eb));
    }
    return LH_OK;
}

lh_err mlf_h_log_inputs(lh_req_t *req, lh_errbuf *eb)
{
    inputs_arg a = {.arena = req->arena};
    LH_TRY(mlf_str(req->params, "run_id", true, &a.run_id, eb));
    json_t *list = json_object_get(req->params, "datasets");
    a.dataset_count = lh_json_list_size(list);
    LH_TRY(batch_limit("datasets", 1000, a.dataset_count, eb));
    a.datasets = lh_arena_calloc(req->arena, a.dataset_count + 1, sizeof *a.datasets);
    for (size_t i = 0; i < a.dataset_count; i++)
        LH_TRY(read_dataset(lh_json_list_get(list, i), i, req->arena, &a.datasets[i], eb));
    LH_TRY(read_models(json_object_get(req->params, "models"), req->arena, &a, false, eb));
    mlf_run_ref ref;
    LH_TRY(mlf_run_for(req, a.run_id, "CAN_EDIT", &ref, eb));
    return lh_meta_tx(req->ctx->meta, inputs_tx, &a, eb);
}

static lh_err outputs_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    inputs_arg *a = arg;
    LH_TRY(mlf_run_check_active(m, a->run_id, eb));
    for (size_t i = 0; i < a->model_count; i++) {
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m,
                            "INSERT INTO mlflow_run_model_outputs(run_uuid, model_id, step) VALUES "
                            "(?, ?, ?) ON CONFLICT(run_uuid, model_id) DO UPDATE SET step = "
                            "excluded.step",
                            &st, eb));
        lh_stmt_bind_text(st, 1, a->run_id);
        lh_stmt_bind_text(st, 2, a->models[i]);
        lh_stmt_bind_int(st, 3, a->steps[i]);
        LH_TRY(lh_stmt_run(st, eb));
    }
    return LH_OK;
}

lh_err mlf_h_log_outputs(lh_req_t *req, lh_errbuf *eb)
{
    inputs_arg a = {.arena = req->arena};
    LH_TRY(mlf_str(req->params, "run_id", true, &a.run_id, eb));
    LH_TRY(read_models(json_object_get(req->params, "models"), req->arena, &a, true, eb));
    mlf_run_ref ref;
    LH_TRY(mlf_run_for(req, a.run_id, "CAN_EDIT", &ref, eb));
    return lh_meta_tx(req->ctx->meta, outputs_tx, &a, eb);
}
