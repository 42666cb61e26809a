/*
 * metrics.c - a metric's history: metrics/get-history (every value of one key of one run,
 * ordered by timestamp, step, value; paged when max_results is given) and
 * metrics/get-history-bulk-interval (one key over up to 100 runs, sampled to at most
 * max_results steps per run the way MLflow's server does: an even spread over the steps
 * logged in [start_step, end_step] across the runs, plus each run's first and last step).
 */
#include <stdlib.h>
#include <string.h>

#include "api/mlflow/mlflow_internal.h"
#include "common/json.h"

static json_t *metric_json(lh_stmt_t *st, const char *run_id)
{
    json_t *o = json_object();
    lh_json_set_str(o, "key", lh_stmt_text(st, 0));
    json_object_set_new(o, "value",
                        lh_stmt_int(st, 4) ? json_string("NaN")
                                           : mlf_double_json(lh_stmt_double(st, 1)));
    lh_json_set_int(o, "timestamp", lh_stmt_int(st, 2));
    lh_json_set_int(o, "step", lh_stmt_int(st, 3));
    if (run_id != NULL)
        lh_json_set_str(o, "run_id", run_id);
    return o;
}

/* ---- get-history ---- */

typedef struct history_arg {
    mlf_sql q;
    const mlf_page *pg;
    int64_t limit; /* 0 = all */
    lh_arena_t *arena;
    json_t *metrics;
    const char *next;
} history_arg;

static lh_err history_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    history_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, a->q.text, &st, eb));
    mlf_sql_bind(&a->q, st);
    const char *last = NULL; /* the token after the page's last row */
    for (int64_t n = 0;; n++) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        if (a->limit > 0 && n == a->limit) { /* one more row: there is a next page */
            a->next = last;
            return LH_OK;
        }
        json_array_append_new(a->metrics, metric_json(st, NULL));
        if (a->limit > 0 && n + 1 == a->limit)
            last = mlf_page_token(a->pg, st, 5, a->arena);
    }
}

lh_err mlf_h_metric_history(lh_req_t *req, lh_errbuf *eb)
{
    const char *run_id, *key, *token = NULL;
    LH_TRY(mlf_run_id(req->params, &run_id, eb));
    LH_TRY(mlf_str(req->params, "metric_key", true, &key, eb));
    LH_TRY(mlf_str(req->params, "page_token", false, &token, eb));
    int64_t limit = 0;
    LH_TRY(mlf_page_size(req->params, "max_results", 0, INT32_MAX, false, &limit, eb));
    mlf_page *pg = lh_arena_calloc(req->arena, 1, sizeof *pg);
    mlf_page_init(pg, MLF_LIST_HISTORY, "timestamp,step,value,is_nan");
    mlf_page_sort(pg, "timestamp", 'i', true);
    mlf_page_sort(pg, "step", 'i', true);
    mlf_page_sort(pg, "value", 'd', true);
    mlf_page_sort(pg, "is_nan", 'i', true);
    LH_TRY(mlf_page_parse(pg, token, req->arena, eb));
    mlf_run_ref ref;
    LH_TRY(mlf_run_for(req, run_id, "CAN_READ", &ref, eb));

    history_arg *a = lh_arena_calloc(req->arena, 1, sizeof *a);
    mlf_sql_init(&a->q, req->arena);
    mlf_sql_add(&a->q,
                "SELECT key, value, timestamp, step, is_nan, timestamp, step, value, is_nan FROM "
                "mlflow_metrics WHERE run_uuid = ?%d AND key = ?%d",
                mlf_sql_text(&a->q, run_id), mlf_sql_text(&a->q, key));
    mlf_page_where(pg, &a->q);
    mlf_page_order(pg, &a->q);
    if (limit > 0)
        mlf_sql_add(&a->q, " LIMIT ?%d", mlf_sql_int(&a->q, limit + 1));
    a->pg = pg;
    a->limit = limit;
    a->arena = req->arena;
    a->metrics = json_array();
    lh_err e = lh_meta_read(req->ctx->meta, history_read, a, eb);
    if (e != LH_OK) {
        json_decref(a->metrics);
        return e;
    }
    req->out = json_object();
    mlf_set_list(req->out, "metrics", a->metrics);
    lh_json_set_str(req->out, "next_page_token", a->next);
    return LH_OK;
}

/* ---- get-history-bulk-interval ---- */

typedef struct steps {
    int64_t *v;
    size_t n, cap;
} steps;

static void steps_push(steps *s, int64_t x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        LH_ASSERT(s->v != NULL);
    }
    s->v[s->n++] = x;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void steps_sort_unique(steps *s)
{
    if (s->n == 0)
        return;
    qsort(s->v, s->n, sizeof *s->v, cmp_i64);
    size_t k = 1;
    for (size_t i = 1; i < s->n; i++)
        if (s->v[i] != s->v[k - 1])
            s->v[k++] = s->v[i];
    s->n = k;
}

static size_t lower_bound(const steps *s, int64_t x)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t upper_bound(const steps *s, int64_t x)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* mlflow.server.handlers._get_sampled_steps_from_steps, to the letter (including its
 * `idx < num_steps` test). */
static void sample_steps(const steps *all, int64_t start, int64_t end, int64_t max_results,
                         steps *out)
{
    size_t lo = lower_bound(all, start), hi = upper_bound(all, end);
    if (hi <= lo)
        return;
    if ((int64_t)(hi - lo) <= max_results) {
        for (size_t i = lo; i < hi; i++)
            steps_push(out, all->v[i]);
        return;
    }
    size_t num = hi - lo;
    double interval = (double)num / (double)max_results;
    for (int64_t i = 0; i < max_results; i++) {
        size_t idx = lo + (size_t)((double)i * interval);
        if (idx < num)
            steps_push(out, all->v[idx]);
    }
    steps_push(out, all->v[hi - 1]);
}

typedef struct bulk_arg {
    const char **run_ids;
    size_t run_count;
    const char *key;
    bool has_range;
    int64_t start, end, max_results;
    lh_arena_t *arena;
    json_t *metrics;
} bulk_arg;

static lh_err run_steps(lh_meta_t *m, const bulk_arg *a, const char *run_id, steps *all,
                        steps *edges, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT DISTINCT step FROM mlflow_metrics WHERE run_uuid = ? AND key = ? "
                        "ORDER BY step",
                        &st, eb));
    lh_stmt_bind_text(st, 1, run_id);
    lh_stmt_bind_text(st, 2, a->key);
    size_t first = all->n;
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            break;
        steps_push(all, lh_stmt_int(st, 0));
    }
    if (all->n > first) {
        steps_push(edges, all->v[first]);
        steps_push(edges, all->v[all->n - 1]);
    }
    return LH_OK;
}

static lh_err run_metrics(lh_meta_t *m, const bulk_arg *a, const char *run_id, const char *json,
                          lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT key, value, timestamp, step, is_nan FROM mlflow_metrics WHERE "
                        "run_uuid = ? AND key = ? AND step IN (SELECT value FROM json_each(?)) "
                        "ORDER BY step, timestamp, value LIMIT ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, run_id);
    lh_stmt_bind_text(st, 2, a->key);
    lh_stmt_bind_text(st, 3, json);
    lh_stmt_bind_int(st, 4, MLF_BULK_HISTORY_MAX);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_array_append_new(a->metrics, metric_json(st, run_id));
    }
}

static lh_err bulk_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    bulk_arg *a = arg;
    steps all = {0}, edges = {0}, picked = {0};
    lh_err e = LH_OK;
    for (size_t i = 0; i < a->run_count && e == LH_OK; i++)
        e = run_steps(m, a, a->run_ids[i], &all, &edges, eb);
    steps_sort_unique(&all);
    int64_t start = a->has_range ? a->start : 0;
    int64_t end = a->has_range ? a->end : all.n ? all.v[all.n - 1] : 0;
    if (e == LH_OK) {
        sample_steps(&all, start, end, a->max_results, &picked);
        for (size_t i = 0; i < edges.n; i++)
            if (edges.v[i] >= start && edges.v[i] <= end)
                steps_push(&picked, edges.v[i]);
        steps_sort_unique(&picked);
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < picked.n; i++)
        json_array_append_new(arr, json_integer(picked.v[i]));
    const char *json = mlf_json_text(a->arena, arr);
    free(all.v);
    free(edges.v);
    free(picked.v);
    for (size_t i = 0; i < a->run_count && e == LH_OK; i++)
        e = run_metrics(m, a, a->run_ids[i], json, eb);
    return e;
}

lh_err mlf_h_metric_bulk_interval(lh_req_t *req, lh_errbuf *eb)
{
    bulk_arg a = {.arena = req->arena, .max_results = MLF_BULK_PER_RUN_MAX};
    const char **ids;
    size_t n;
    LH_TRY(mlf_str_list(req->params, "run_ids", req->arena, &ids, &n, eb));
    LH_FAIL_IF(n == 0, LH_E_INVALID, eb,
               "Missing value for required parameter 'run_ids'. See the API docs for more "
               "information about request parameters.");
    LH_FAIL_IF(n > MLF_BULK_RUNS_MAX, LH_E_INVALID, eb,
               "GetMetricHistoryBulkInterval request must specify at most %d run_ids. Received "
               "%zu run_ids.",
               MLF_BULK_RUNS_MAX, n);
    LH_TRY(mlf_str(req->params, "metric_key", true, &a.key, eb));
    bool has_start = false, has_end = false, has_max = false;
    LH_TRY(mlf_int(req->params, "start_step", false, &a.start, &has_start, eb));
    LH_TRY(mlf_int(req->params, "end_step", false, &a.end, &has_end, eb));
    LH_TRY(mlf_int(req->params, "max_results", false, &a.max_results, &has_max, eb));
    LH_FAIL_IF(a.max_results < 1 || a.max_results > MLF_BULK_PER_RUN_MAX, LH_E_INVALID, eb,
               "max_results must be between 1 and %d.", MLF_BULK_PER_RUN_MAX);
    LH_FAIL_IF(has_start != has_end, LH_E_INVALID, eb,
               "If either start step or end step are specified, both must be specified.");
    LH_FAIL_IF(has_start && a.start > a.end, LH_E_INVALID, eb,
               "end_step must be greater than start_step. Found start_step=%lld and "
               "end_step=%lld.",
               (long long)a.start, (long long)a.end);
    a.has_range = has_start;
    /* runs that exist need CAN_READ; unknown ids simply have no history (as in MLflow) */
    a.run_ids = lh_arena_calloc(req->arena, n, sizeof *a.run_ids);
    for (size_t i = 0; i < n; i++) {
        mlf_run_ref ref;
        lh_err e = mlf_run_for(req, ids[i], "CAN_READ", &ref, eb);
        if (e == LH_E_NOT_FOUND)
            continue;
        LH_TRY(e);
        a.run_ids[a.run_count++] = ids[i];
    }
    a.metrics = json_array();
    lh_err e = lh_meta_read(req->ctx->meta, bulk_read, &a, eb);
    if (e != LH_OK) {
        json_decref(a.metrics);
        return e;
    }
    req->out = json_object();
    mlf_set_list(req->out, "metrics", a.metrics);
    return LH_OK;
}
