/*
 * mlflow.c - the MLflow tracking area: its start (the Default experiment "0", the
 * "experiments" permission type), the route table, artifacts/list, the answers for paths
 * it does not serve, and lh_mlflow_run_artifact_uri for other areas.
 *
 * Every route is served under /api/2.0/mlflow/ and /ajax-api/2.0/mlflow/ (the MLflow UI's
 * prefix) by the same handler. Under the prefixes this area owns (experiments, runs,
 * metrics, artifacts, logged-models) an unknown path answers 404 ENDPOINT_NOT_FOUND and a
 * known path with another method 405 (with Allow), as MLflow's server does; traces answer
 * 404 ENDPOINT_NOT_FOUND under 2.0 and 3.0 (MLflow clients then fall back). Other
 * /mlflow/ paths are left to the registry area and, after it, to server/pending.c.
 */
#include <string.h>

#include "api/area.h"
#include "api/mlflow/mlflow_internal.h"
#include "api/perm.h"
#include "api/workspace/workspace.h"
#include "common/json.h"
#include "common/util.h"

/* ---- artifacts/list ---- */

static lh_err artifacts_list(lh_req_t *req, lh_errbuf *eb)
{
    const char *run_id, *path = NULL, *token = NULL;
    LH_TRY(mlf_run_id(req->params, &run_id, eb));
    LH_TRY(mlf_str(req->params, "path", false, &path, eb));
    LH_TRY(mlf_str(req->params, "page_token", false, &token, eb));
    mlf_page pg;
    mlf_page_init(&pg, MLF_LIST_ARTIFACTS, "path");
    mlf_page_sort(&pg, "path", 's', true);
    LH_TRY(mlf_page_parse(&pg, token, req->arena, eb));
    mlf_run_ref ref;
    LH_TRY(mlf_run_for(req, run_id, "CAN_READ", &ref, eb));
    json_t *files = NULL;
    LH_TRY(lh_artifacts_list(req->ctx, ref.artifact_uri, path, &files, eb));
    json_t *page = json_array();
    const char *next = NULL;
    size_t taken = 0;
    for (size_t i = 0; i < json_array_size(files); i++) {
        json_t *f = json_array_get(files, i);
        const char *p = json_string_value(json_object_get(f, "path"));
        if (p == NULL || (pg.has_after && strcmp(p, pg.after[0].s) <= 0))
            continue;
        if (taken == MLF_ARTIFACTS_PAGE) {
            mlf_val last = {
                .type = 's',
                .s = json_string_value(json_object_get(json_array_get(page, taken - 1), "path"))};
            next = mlf_page_token_vals(&pg, &last, req->arena);
            break;
        }
        json_array_append(page, f);
        taken++;
    }
    json_decref(files);
    req->out = json_pack("{s:s}", "root_uri", ref.artifact_uri);
    mlf_set_list(req->out, "files", page);
    lh_json_set_str(req->out, "next_page_token", next);
    return LH_OK;
}

/* ---- the route table ---- */

#define M  "/{api|ajax-api}/2.0/mlflow"
#define LM M "/logged-models"

static lh_err no_endpoint(lh_req_t *req, lh_errbuf *eb);

static const lh_route_t mlflow_routes[] = {
    {"POST", M "/experiments/create", mlf_h_experiment_create, 0},
    {"GET", M "/experiments/get", mlf_h_experiment_get, 0},
    {"GET", M "/experiments/get-by-name", mlf_h_experiment_get_by_name, 0},
    {"POST", M "/experiments/search", mlf_h_experiment_search, 0},
    {"GET", M "/experiments/search", mlf_h_experiment_search, 0},
    {"GET", M "/experiments/list", mlf_h_experiment_list, 0},
    {"POST", M "/experiments/delete", mlf_h_experiment_delete, 0},
    {"POST", M "/experiments/restore", mlf_h_experiment_restore, 0},
    {"POST", M "/experiments/update", mlf_h_experiment_update, 0},
    {"POST", M "/experiments/set-experiment-tag", mlf_h_experiment_set_tag, 0},
    {"POST", M "/experiments/delete-experiment-tag", mlf_h_experiment_delete_tag, 0},
    {"POST", M "/runs/create", mlf_h_run_create, 0},
    {"POST", M "/runs/update", mlf_h_run_update, 0},
    {"POST", M "/runs/delete", mlf_h_run_delete, 0},
    {"POST", M "/runs/restore", mlf_h_run_restore, 0},
    {"GET", M "/runs/get", mlf_h_run_get, 0},
    {"POST", M "/runs/search", mlf_h_run_search, 0},
    {"POST", M "/runs/log-metric", mlf_h_log_metric, 0},
    {"POST", M "/runs/log-parameter", mlf_h_log_param, 0},
    {"POST", M "/runs/set-tag", mlf_h_set_tag, 0},
    {"POST", M "/runs/delete-tag", mlf_h_delete_tag, 0},
    {"POST", M "/runs/log-batch", mlf_h_log_batch, 0},
    {"POST", M "/runs/log-model", mlf_h_log_model, 0},
    {"POST", M "/runs/log-inputs", mlf_h_log_inputs, 0},
    {"POST", M "/runs/outputs", mlf_h_log_outputs, 0},
    {"GET", M "/metrics/get-history", mlf_h_metric_history, 0},
    {"GET", M "/metrics/get-history-bulk-interval", mlf_h_metric_bulk_interval, 0},
    {"GET", M "/artifacts/list", artifacts_list, 0},
    {"POST", LM, mlf_h_model_create, 0},
    {"POST", LM "/search", mlf_h_model_search, 0},
    {"GET", LM "/{model_id}", mlf_h_model_get, 0},
    {"PATCH", LM "/{model_id}", mlf_h_model_finalize, 0},
    {"DELETE", LM "/{model_id}", mlf_h_model_delete, 0},
    {"PATCH", LM "/{model_id}/tags", mlf_h_model_set_tags, 0},
    {"DELETE", LM "/{model_id}/tags/{tag_key}", mlf_h_model_delete_tag, 0},
    {"POST", LM "/{model_id}/params", mlf_h_model_log_params, 0},
    /* paths the area owns but does not serve (method "*": listed last) */
    {"*", M "/traces", no_endpoint, 0},
    {"*", M "/traces/{*}", no_endpoint, 0},
    {"*", "/{api|ajax-api}/3.0/mlflow/traces", no_endpoint, 0},
    {"*", "/{api|ajax-api}/3.0/mlflow/traces/{*}", no_endpoint, 0},
    {"*", M "/experiments/{*}", no_endpoint, 0},
    {"*", M "/runs/{*}", no_endpoint, 0},
    {"*", M "/metrics/{*}", no_endpoint, 0},
    {"*", M "/artifacts/{*}", no_endpoint, 0},
    {"*", LM "/{*}", no_endpoint, 0},
};

#define ROUTE_COUNT (sizeof mlflow_routes / sizeof mlflow_routes[0])

/* Does the pattern's segment [p, p+n) admit the path segment [s, s+m)? */
static bool segment_matches(const char *p, size_t n, const char *s, size_t m)
{
    if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
        if (memchr(p, '|', n) == NULL)
            return m > 0; /* a capture */
        for (const char *a = p + 1, *end = p + n - 1; a < end;) {
            const char *bar = memchr(a, '|', (size_t)(end - a));
            size_t len = bar ? (size_t)(bar - a) : (size_t)(end - a);
            if (len == m && memcmp(a, s, m) == 0)
                return true;
            a += len + 1;
        }
        return false;
    }
    return n == m && memcmp(p, s, m) == 0;
}

/* Does a pattern without {*} match path exactly (a trailing slash tolerated)? */
static bool pattern_matches(const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;
    while (*p == '/' && *s == '/') {
        p++, s++;
        size_t n = strcspn(p, "/"), m = strcspn(s, "/?");
        if (!segment_matches(p, n, s, m))
            return false;
        p += n, s += m;
    }
    return *p == '\0' &&
           (*s == '\0' || *s == '?' || (s[0] == '/' && (s[1] == '\0' || s[1] == '?')));
}

static lh_err no_endpoint(lh_req_t *req, lh_errbuf *eb)
{
    char allow[64] = "";
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        const lh_route_t *r = &mlflow_routes[i];
        if (strcmp(r->method, "*") == 0 || !pattern_matches(r->pattern, req->path) ||
            strstr(allow, r->method) != NULL)
            continue;
        size_t used = strlen(allow);
        snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "", r->method);
    }
    if (*allow) {
        lh_req_add_header(req, "Allow", lh_arena_strdup(req->arena, allow));
        LH_FAIL(LH_E_METHOD, eb, "Method %s is not allowed for %s", req->method, req->path);
    }
    LH_FAIL(LH_E_NO_ENDPOINT, eb, "No API found for '%s %s'", req->method, req->path);
}

static const lh_route_t *routes(int *count)
{
    *count = (int)ROUTE_COUNT;
    return mlflow_routes;
}

/* ---- start ---- */

static bool experiment_exists(void *arg, const char *object_id)
{
    int64_t id;
    return mlf_parse_experiment_id(object_id, &id) && mlf_experiment_exists(arg, id);
}

typedef struct default_arg {
    const char *location;
} default_arg;

static lh_err default_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    default_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT OR IGNORE INTO mlflow_experiments(experiment_id, name, "
                        "artifact_location, lifecycle_stage, creation_time, last_update_time) "
                        "VALUES (0, 'Default', ?, 'active', ?, ?)",
                        &st, eb));
    int64_t now = lh_now_ms();
    lh_stmt_bind_text(st, 1, a->location);
    lh_stmt_bind_int(st, 2, now);
    lh_stmt_bind_int(st, 3, now);
    return lh_stmt_run(st, eb);
}

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    lh_arena_t *arena = lh_arena_create();
    default_arg a = {mlf_default_artifact_location(ctx, 0, arena)};
    lh_err e = lh_meta_tx(ctx->meta, default_tx, &a, eb);
    lh_arena_destroy(arena);
    LH_TRY(e);
    if (ctx->perm != NULL)
        lh_perm_register(ctx->perm, MLF_PERM, experiment_exists, ctx);
    *state = ctx;
    return LH_OK;
}

const lh_area_t lh_mlflow_area = {
    .name = "mlflow",
    .create = area_create,
    .routes = routes,
};

/* ---- for other areas ---- */

typedef struct uri_arg {
    const char *run_id;
    lh_arena_t *arena;
    const char *uri;
} uri_arg;

static lh_err uri_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    uri_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT artifact_uri FROM mlflow_runs WHERE run_uuid = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->run_id);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    if (row)
        a->uri = lh_arena_strdup(a->arena, lh_stmt_text(st, 0));
    return LH_OK;
}

lh_err lh_mlflow_run_artifact_uri(lh_ctx_t *ctx, const char *run_id, lh_arena_t *arena,
                                  const char **uri, lh_errbuf *eb)
{
    uri_arg a = {run_id, arena, NULL};
    LH_TRY(lh_meta_read(ctx->meta, uri_read, &a, eb));
    LH_FAIL_IF(a.uri == NULL, LH_E_NOT_FOUND, eb, "Run '%s' not found", run_id);
    *uri = a.uri;
    return LH_OK;
}
