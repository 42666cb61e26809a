/*
 * mlflow_internal.h - what the files of api/mlflow share; not for other areas.
 *
 *   mlflow.c       the area: start (the Default experiment, the permission type), the route
 *                  table, unknown paths (404 ENDPOINT_NOT_FOUND / 405), traces, artifacts/list,
 *                  lh_mlflow_run_artifact_uri
 *   request.c      lenient request getters, MLflow's name and length rules, metric values,
 *                  JSON helpers (NaN and Infinity as proto JSON writes them), run names
 *   experiments.c  experiments: create, get, get-by-name, delete, restore, update, tags
 *   runs.c         runs: create, update, delete, restore, get, rendering a Run
 *   logging.c      log-metric, log-parameter, set-tag, delete-tag, log-batch, log-model,
 *                  log-inputs, runs/outputs (one metastore transaction each)
 *   search.c       the SQL builder and keyset page tokens, runs/search, experiments/search
 *                  and experiments/list: filters and orders run as SQL
 *   metrics.c      metrics/get-history and metrics/get-history-bulk-interval
 *   models.c       MLflow 3 logged models
 *   filter.c       the filter and order_by grammar (filter.h)
 *
 * The area keeps no state of its own: everything lives in the metastore (migration 6,
 * tables mlflow_*), reached through ctx->meta; permissions are the "experiments" type of
 * api/perm.h (runs and logged models take their experiment's).
 */
#ifndef LH_API_MLFLOW_INTERNAL_H
#define LH_API_MLFLOW_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/mlflow/filter.h"
#include "api/mlflow/mlflow.h"
#include "storage/meta/meta.h"

/* ---- MLflow's own limits (mlflow/utils/validation.py, mlflow/server/handlers.py) ---- */
#define MLF_KEY_MAX                  250  /* metric, param and tag keys */
#define MLF_PARAM_VALUE_MAX          6000 /* MAX_PARAM_VAL_LENGTH */
#define MLF_TAG_VALUE_MAX            8000 /* MAX_TAG_VAL_LENGTH */
#define MLF_EXPERIMENT_NAME_MAX      500
#define MLF_EXPERIMENT_TAG_KEY_MAX   250
#define MLF_EXPERIMENT_TAG_VALUE_MAX 5000
#define MLF_BATCH_METRICS_MAX        1000
#define MLF_BATCH_PARAMS_MAX         100
#define MLF_BATCH_TAGS_MAX           100
#define MLF_BATCH_TOTAL_MAX          1000
#define MLF_DATASET_NAME_MAX         500
#define MLF_DATASET_DIGEST_MAX       36
#define MLF_DATASET_SOURCE_MAX       65535
#define MLF_DATASET_SCHEMA_MAX       1048575
#define MLF_INPUT_TAG_KEY_MAX        255
#define MLF_INPUT_TAG_VALUE_MAX      500
#define MLF_SEARCH_DEFAULT           1000  /* runs and experiments per page by default */
#define MLF_SEARCH_MAX               50000 /* SEARCH_MAX_RESULTS_THRESHOLD */
#define MLF_MODELS_SEARCH_DEFAULT    50    /* SearchLoggedModels: default and threshold */
#define MLF_BULK_RUNS_MAX            100   /* MAX_RUNS_GET_METRIC_HISTORY_BULK */
#define MLF_BULK_PER_RUN_MAX         2500  /* MAX_RESULTS_PER_RUN */
#define MLF_BULK_HISTORY_MAX         25000 /* MAX_RESULTS_GET_METRIC_HISTORY */
#define MLF_ARTIFACTS_PAGE           1000  /* artifacts/list entries per page */
#define MLF_PAGE_TOKEN_MAX           65536 /* characters of a page token we decode */

#define MLF_PERM          "experiments" /* the api/perm.h type of experiments */
#define MLF_RUN_NAME_TAG  "mlflow.runName"
#define MLF_LOG_MODEL_TAG "mlflow.log-model.history"
#define MLF_CONTEXT_TAG   "mlflow.data.context"

/* ---- request.c: text in messages ---- */

/* Error messages quote what the client sent, shortened; a cut through a UTF-8 character
 * would make the JSON error body invalid. The length of the longest prefix of s of at most
 * max bytes that ends on a character boundary, for "%.*s" (MLF_CLIP gives both arguments). */
int mlf_clip(const char *s, int max);
#define MLF_CLIP(s, max) mlf_clip((s), (max)), (s)

/* ---- request.c: getters (absent = LH_OK and *out untouched unless required) ---- */

/* A string; the first one when the query string repeated it; numbers are refused. */
lh_err mlf_str(const json_t *params, const char *key, bool required, const char **out,
               lh_errbuf *eb);
/* An integer (a JSON number or a numeric string); *present says whether it was given. */
lh_err mlf_int(const json_t *params, const char *key, bool required, int64_t *out, bool *present,
               lh_errbuf *eb);
/* run_id, or the legacy run_uuid; required. */
lh_err mlf_run_id(const json_t *params, const char **out, lh_errbuf *eb);
/* A list of strings (an array, or one value from a single query parameter); NULL items
 * refused. *out is arena-owned, *count its length. */
lh_err mlf_str_list(const json_t *params, const char *key, lh_arena_t *arena, const char ***out,
                    size_t *count, lh_errbuf *eb);
/* A key and its value (params, tags). */
typedef struct mlf_kv {
    const char *key, *value;
} mlf_kv;
/* A list param of {key, value} objects ("params", "tags": what names it in messages): keys
 * required ("Missing value for required parameter 'tags[0].key'."), a missing value is "".
 * Not validated further. *out is arena-owned, *count its length. */
lh_err mlf_kv_list(const json_t *list, const char *what, lh_arena_t *arena, mlf_kv **out,
                   size_t *count, lh_errbuf *eb);
/* An experiment id's digits as a number; false when the text is not one. */
bool mlf_parse_experiment_id(const char *text, int64_t *out);
/* ACTIVE_ONLY (1, default) / DELETED_ONLY (2) / ALL (3), by name or number. */
lh_err mlf_view_type(const json_t *params, const char *key, int *out, lh_errbuf *eb);

/* MLflow's key rule: [/\w.\- :]*, not resolving to another path. what: "metric", "param",
 * "tag"; path names the field in the message ("key", "metrics[3].key"). */
lh_err mlf_check_key(const char *path, const char *name, lh_errbuf *eb);
/* At most limit characters (code points, as Python counts). */
lh_err mlf_check_len(const char *path, size_t limit, const char *value, lh_errbuf *eb);
/* A metric value: a JSON number, a numeric string, or "NaN" / "Infinity" / "-Infinity". */
lh_err mlf_metric_value(const json_t *v, const char *path, double *out, lh_errbuf *eb);

/* A double as MLflow's proto JSON writes it: "NaN", "Infinity", "-Infinity", or a number. */
json_t *mlf_double_json(double v);
/* Append {key, value} to arr. */
void mlf_kv_append(json_t *arr, const char *key, const char *value);
/* Step st (prepared and bound; columns key, value) and set obj[name] to its rows as
 * [{key, value}] (omitted when there are none). On a step error nothing is set. */
lh_err mlf_kv_step(lh_stmt_t *st, json_t *obj, const char *name, lh_errbuf *eb);
/* mlf_kv_step over sql with its one parameter bound to the text id, inside a callback. */
lh_err mlf_kv_rows(lh_meta_t *m, const char *sql, const char *id, json_t *obj, const char *name,
                   lh_errbuf *eb);
/* v as compact JSON text in arena; steals v. */
const char *mlf_json_text(lh_arena_t *arena, json_t *v);
/* Set key to arr when it is non-empty (proto JSON omits empty repeated fields); steals arr. */
void mlf_set_list(json_t *obj, const char *key, json_t *arr);
/* A random run name as MLflow makes them ("adjective-noun-123"), in arena. */
const char *mlf_random_name(lh_arena_t *arena);
/* 32 random lowercase hex digits (run ids, dataset ids), in arena; prefix prepended. */
const char *mlf_random_id(lh_arena_t *arena, const char *prefix);

/* ---- experiments.c ---- */

typedef struct mlf_experiment {
    int64_t id;
    const char *name, *artifact_location, *lifecycle_stage;
    int64_t creation_time, last_update_time;
} mlf_experiment;

#define MLF_EXPERIMENT_COLUMNS                                                                     \
    "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time"

/* Inside a metastore callback: the experiment (strings in arena); *found false if none. */
lh_err mlf_experiment_load(lh_meta_t *m, int64_t id, lh_arena_t *arena, mlf_experiment *out,
                           bool *found, lh_errbuf *eb);
/* Inside a callback: the experiment, which must exist (404) and be active (400 with MLflow's
 * message); strings in arena. */
lh_err mlf_experiment_active(lh_meta_t *m, int64_t id, lh_arena_t *arena, mlf_experiment *out,
                             lh_errbuf *eb);
/* "<location>/<rest>" (location's trailing slashes dropped), in arena. */
const char *mlf_artifact_child(lh_arena_t *arena, const char *location, const char *rest);
/* The Experiment JSON of a row of MLF_EXPERIMENT_COLUMNS, with its tags (one more read). */
lh_err mlf_experiment_json(lh_meta_t *m, lh_stmt_t *row, json_t **out, lh_errbuf *eb);
/* The caller holds level on the experiment (404 when it does not exist at all). */
lh_err mlf_require_experiment(lh_req_t *req, int64_t experiment_id, const char *level,
                              lh_errbuf *eb);
/* Does the experiment exist? (the permission type's resolver). */
bool mlf_experiment_exists(lh_ctx_t *ctx, int64_t experiment_id);
/* Default artifact location of a new experiment: dbfs:/mlflow/<id>, or
 * mlflow-artifacts:/<id> with --mlflow-artifacts-proxy. */
const char *mlf_default_artifact_location(const lh_ctx_t *ctx, int64_t id, lh_arena_t *arena);

/* ---- runs.c ---- */

typedef struct mlf_run_ref {
    int64_t experiment_id;
    bool active;
    const char *artifact_uri;
} mlf_run_ref;

#define MLF_RUN_COLUMNS                                                                            \
    "run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, "         \
    "lifecycle_stage"

/* The run's experiment (404 "Run with id=... not found"), then level on it. */
lh_err mlf_run_for(lh_req_t *req, const char *run_id, const char *level, mlf_run_ref *out,
                   lh_errbuf *eb);
/* Inside a callback: LH_E_NOT_FOUND when the run does not exist, LH_E_INVALID (MLflow's
 * message) when it is not active. */
lh_err mlf_run_check_active(lh_meta_t *m, const char *run_id, lh_errbuf *eb);
/* MLflow's error for writing to a run that is not active. */
lh_err mlf_lifecycle_error(const char *run_id, lh_errbuf *eb);
/* RunInfo JSON of a row of MLF_RUN_COLUMNS. */
json_t *mlf_run_info_json(lh_stmt_t *row);
/* The whole Run JSON ({info, data, inputs, outputs}); *found false when absent. */
lh_err mlf_run_json(lh_meta_t *m, const char *run_id, json_t **out, bool *found, lh_errbuf *eb);
/* Inside a write callback: set a run tag (mlflow.runName also renames the run). */
lh_err mlf_run_set_tag(lh_meta_t *m, const char *run_id, const char *key, const char *value,
                       lh_errbuf *eb);

/* ---- search.c: SQL text with numbered parameters, and keyset page tokens ---- */

typedef struct mlf_val {
    char type; /* 'i' int64, 'd' double, 's' text */
    int64_t i;
    double d;
    const char *s;
} mlf_val;

/* Parameters of one statement. Bounds: runs/search 64 clauses x 2 + 10 order keys + 22 sort
 * values + 2 = 162; logged-models/search 128 + 100 datasets x 2 + 10 order keys x 3 + 22 +
 * 2 = 382. An overflow is a programmer error (asserted). */
#define MLF_SQL_BINDS_MAX 512

typedef struct mlf_sql {
    lh_arena_t *arena;
    char *text;
    size_t len, cap;
    int nbinds;
    mlf_val binds[MLF_SQL_BINDS_MAX];
} mlf_sql;

void mlf_sql_init(mlf_sql *q, lh_arena_t *arena);
void mlf_sql_add(mlf_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A new parameter; returns its number for "?%d". */
int mlf_sql_text(mlf_sql *q, const char *s);
int mlf_sql_int(mlf_sql *q, int64_t v);
int mlf_sql_double(mlf_sql *q, double v);
/* Bind every parameter to st. */
void mlf_sql_bind(const mlf_sql *q, lh_stmt_t *st);
/* "col <op> ?N" for a string comparison (LIKE is case-sensitive, as in MLflow; IN lists
 * travel as one JSON array parameter). */
void mlf_sql_string_cmp(mlf_sql *q, const char *col, const lh_mlflow_clause_t *c);
/* "col <op> ?N" for a numeric comparison. */
void mlf_sql_number_cmp(mlf_sql *q, const char *col, const lh_mlflow_clause_t *c);
/* " AND column = 'active'" / 'deleted' for a view type (nothing for ALL). */
void mlf_sql_view(mlf_sql *q, int view, const char *column);

/* A sort column: an SQL expression, its type ('i', 'd', 's') and direction. */
typedef struct mlf_sort {
    const char *expr;
    char type;
    bool asc;
} mlf_sort;

#define MLF_SORT_MAX 24

/* Keyset paging over sort columns: parse a page token (empty/NULL = first page) made for
 * the same list and sort shape; add the "after this row" condition and ORDER BY; encode
 * the token of a row (its sort values). */
typedef struct mlf_page {
    uint8_t list;   /* which list (a token from another is refused) */
    uint32_t shape; /* hash of the sort columns' description */
    int nsort;
    mlf_sort sort[MLF_SORT_MAX];
    bool has_after;
    mlf_val after[MLF_SORT_MAX];
} mlf_page;

enum {
    MLF_LIST_RUNS = 1,
    MLF_LIST_EXPERIMENTS = 2,
    MLF_LIST_MODELS = 3,
    MLF_LIST_HISTORY = 4,
    MLF_LIST_ARTIFACTS = 5
};

void mlf_page_init(mlf_page *pg, uint8_t list, const char *shape);
void mlf_page_sort(mlf_page *pg, const char *expr, char type, bool asc);
lh_err mlf_page_parse(mlf_page *pg, const char *token, lh_arena_t *arena, lh_errbuf *eb);
/* " AND (<after>)" when a token was given. */
void mlf_page_where(const mlf_page *pg, mlf_sql *q);
/* " ORDER BY ..." */
void mlf_page_order(const mlf_page *pg, mlf_sql *q);
/* The sort values of the current row (columns first_col.. of st) as a token. */
const char *mlf_page_token(const mlf_page *pg, lh_stmt_t *st, int first_col, lh_arena_t *arena);
/* A token from explicit values (lists kept in memory). */
const char *mlf_page_token_vals(const mlf_page *pg, const mlf_val *vals, lh_arena_t *arena);
/* Page size: absent or 0 = def, negative = 400, above max = 400 (clamp: clamped). */
lh_err mlf_page_size(const json_t *params, const char *key, int64_t def, int64_t max, bool clamp,
                     int64_t *out, lh_errbuf *eb);

/* The order_by param (a list of strings, or one query value) parsed for target into orders
 * (room for MLF_ORDER_KEYS_MAX); more keys, or one key twice, is 400. */
#define MLF_ORDER_KEYS_MAX 10
lh_err mlf_parse_orders(const json_t *params, lh_mlflow_target target, lh_arena_t *arena,
                        lh_mlflow_order_t *orders, size_t *count, lh_errbuf *eb);

/* ---- handlers (route table in mlflow.c) ---- */

lh_err mlf_h_experiment_create(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_experiment_get(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_experiment_get_by_name(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_experiment_delete(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_experiment_restore(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_experiment_update(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_experiment_set_tag(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_experiment_delete_tag(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_experiment_search(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_experiment_list(lh_req_t *req, lh_errbuf *eb);

lh_err mlf_h_run_create(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_run_update(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_run_delete(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_run_restore(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_run_get(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_run_search(lh_req_t *req, lh_errbuf *eb);

lh_err mlf_h_log_metric(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_log_param(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_set_tag(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_delete_tag(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_log_batch(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_log_model(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_log_inputs(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_log_outputs(lh_req_t *req, lh_errbuf *eb);

lh_err mlf_h_metric_history(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_metric_bulk_interval(lh_req_t *req, lh_errbuf *eb);

lh_err mlf_h_model_create(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_model_get(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_model_finalize(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_model_delete(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_model_search(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_model_set_tags(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_model_delete_tag(lh_req_t *req, lh_errbuf *eb);
lh_err mlf_h_model_log_params(lh_req_t *req, lh_errbuf *eb);

#endif
