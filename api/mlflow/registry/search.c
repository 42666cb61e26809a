/*
 * search.c - registered-models/search (and the legacy registered-models/list) and
 * model-versions/search as SQL over the mlr_* tables, with tracking's filter grammar
 * (api/mlflow/filter.h, targets LH_MLFLOW_REGISTERED_MODELS and LH_MLFLOW_MODEL_VERSIONS)
 * and SQL builder (search.c of api/mlflow).
 *
 * A search is one read: SELECT the page's keys (attribute clauses on the columns, tag
 * clauses as EXISTS probes on the tag tables' primary keys, the caller's visible models,
 * ORDER BY, LIMIT page + 1 OFFSET start), then render those rows in the same snapshot.
 *
 * Semantics follow MLflow's SQL registry store: LIKE is case-sensitive, ILIKE is not; a tag
 * clause holds only for rows that have the tag (!= included); order_by keys come first, then
 * name ASC (unless ordered on) and, for versions, version DESC (unless ordered on). Page
 * tokens are MLflow's offsets (base64 of {"offset": n}, rg_page_offset in store.c).
 */
#include <stdio.h>
#include <string.h>

#include "api/mlflow/mlflow_internal.h"
#include "api/mlflow/registry/registry_internal.h"
#include "api/perm.h"
#include "common/json.h"

/* One registry list: its filter target, SQL, columns and rendering. */
typedef struct rg_list {
    lh_mlflow_target target;
    const char *out_key; /* "registered_models" / "model_versions" */
    const char *select;  /* SELECT ... FROM ... WHERE 1 (the model table is m) */
    const char *tags;    /* the tag probe, up to "AND t.key = " */
    int64_t page_default, page_max;
    const char *const (*columns)[2]; /* attribute -> column, NULL-terminated */
    lh_err (*render)(lh_meta_t *m, lh_stmt_t *st, lh_arena_t *arena, json_t **out, lh_errbuf *eb);
} rg_list;

static const char *column_of(const rg_list *l, const char *attr)
{
    for (size_t i = 0; l->columns[i][0] != NULL; i++)
        if (strcmp(l->columns[i][0], attr) == 0)
            return l->columns[i][1];
    LH_ASSERT(!"unknown registry attribute");
    return NULL;
}

static void add_clause(const rg_list *l, mlf_sql *q, const lh_mlflow_clause_t *c)
{
    if (c->entity == LH_MLFLOW_TAG) {
        mlf_sql_add(q, " AND EXISTS (%s ?%d AND ", l->tags, mlf_sql_text(q, c->key));
        mlf_sql_string_cmp(q, "t.value", c);
        mlf_sql_add(q, ")");
        return;
    }
    LH_ASSERT(c->entity == LH_MLFLOW_ATTR);
    mlf_sql_add(q, " AND ");
    if (c->numeric)
        mlf_sql_number_cmp(q, column_of(l, c->key), c);
    else
        mlf_sql_string_cmp(q, column_of(l, c->key), c);
}

/* " ORDER BY" the order_by keys, then MLflow's tie-breakers. */
static lh_err add_order(const rg_list *l, mlf_sql *q, const lh_req_t *req, lh_errbuf *eb)
{
    lh_mlflow_order_t orders[MLF_ORDER_KEYS_MAX];
    size_t n = 0;
    LH_TRY(mlf_parse_orders(req->params, l->target, req->arena, orders, &n, eb));
    bool has_name = false, has_version = false;
    for (size_t i = 0; i < n; i++) {
        LH_FAIL_IF(orders[i].entity != LH_MLFLOW_ATTR, LH_E_INVALID, eb,
                   "Invalid order_by entity: tag");
        has_name = has_name || strcmp(orders[i].key, "name") == 0;
        has_version = has_version || strcmp(orders[i].key, "version_number") == 0;
        mlf_sql_add(q, "%s%s %s", i ? ", " : " ORDER BY ", column_of(l, orders[i].key),
                    orders[i].ascending ? "ASC" : "DESC");
    }
    if (!has_name)
        mlf_sql_add(q, "%sm.name ASC", n ? ", " : " ORDER BY ");
    if (l->target == LH_MLFLOW_MODEL_VERSIONS && !has_version)
        mlf_sql_add(q, ", v.version DESC");
    return LH_OK;
}

typedef struct page_read {
    const rg_list *list;
    const mlf_sql *q;
    int64_t offset, limit;
    lh_arena_t *arena;
    json_t *items; /* out */
    bool more;     /* out: a row follows the page */
} page_read;

static lh_err page_read_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    page_read *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, a->q->text, &st, eb));
    mlf_sql_bind(a->q, st);
    for (int64_t n = 0;; n++) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        if (n == a->limit) {
            a->more = true;
            return LH_OK;
        }
        json_t *item;
        LH_TRY(a->list->render(m, st, a->arena, &item, eb));
        json_array_append_new(a->items, item);
    }
}

static lh_err max_results(const json_t *params, const rg_list *l, int64_t *out, lh_errbuf *eb)
{
    *out = l->page_default;
    LH_TRY(lh_json_get_int(params, "max_results", LH_OPTIONAL, out, eb));
    LH_FAIL_IF(*out < 1 || *out > l->page_max, LH_E_INVALID, eb,
               "Invalid value for request parameter max_results. It must be at most %lld, but "
               "got value %lld",
               (long long)l->page_max, (long long)*out);
    return LH_OK;
}

/* legacy: registered-models/list, which takes neither a filter nor order_by. */
static lh_err search(lh_req_t *req, const rg_list *l, bool legacy, lh_errbuf *eb)
{
    const char *filter = "", *token = NULL;
    int64_t limit, offset;
    if (!legacy)
        LH_TRY(lh_json_get_str(req->params, "filter", LH_OPTIONAL, &filter, eb));
    LH_TRY(max_results(req->params, l, &limit, eb));
    LH_TRY(lh_json_get_str(req->params, "page_token", LH_OPTIONAL, &token, eb));
    LH_TRY(rg_page_offset(token, &offset, eb));
    lh_mlflow_filter_t f;
    LH_TRY(lh_mlflow_filter_parse(l->target, filter, strlen(filter), req->arena, &f, eb));
    lh_perm_visible_t visible;
    LH_TRY(lh_perm_visible(req->ctx, req->principal, RG_PERM_PATH, "CAN_READ", req->arena, &visible,
                           eb));

    mlf_sql *q = lh_arena_alloc(req->arena, sizeof *q);
    mlf_sql_init(q, req->arena);
    mlf_sql_add(q, "%s", l->select);
    if (!visible.all) {
        json_t *ids = json_array();
        for (size_t i = 0; i < visible.count; i++)
            json_array_append_new(ids, json_string(visible.ids[i]));
        mlf_sql_add(q, " AND m.id IN (SELECT value FROM json_each(?%d))",
                    mlf_sql_text(q, mlf_json_text(req->arena, ids)));
    }
    for (size_t i = 0; i < f.count; i++)
        add_clause(l, q, &f.clauses[i]);
    if (!legacy)
        LH_TRY(add_order(l, q, req, eb));
    else
        mlf_sql_add(q, " ORDER BY m.name ASC");
    mlf_sql_add(q, " LIMIT ?%d OFFSET ?%d", mlf_sql_int(q, limit + 1), mlf_sql_int(q, offset));

    page_read a = {l, q, offset, limit, req->arena, json_array(), false};
    lh_err e = lh_meta_read(req->ctx->meta, page_read_cb, &a, eb);
    if (e != LH_OK) {
        json_decref(a.items);
        return e;
    }
    req->out = json_pack("{s:o}", l->out_key, a.items);
    if (a.more)
        lh_json_set_str(req->out, "next_page_token", rg_page_token(req->arena, offset + limit));
    return LH_OK;
}

/* ---- registered models ---- */

static lh_err render_model(lh_meta_t *m, lh_stmt_t *st, lh_arena_t *arena, json_t **out,
                           lh_errbuf *eb)
{
    rg_model mo;
    rg_model_row(st, arena, &mo);
    return rg_model_json(m, &mo, arena, out, eb);
}

static const char *const MODEL_COLUMNS[][2] = {
    {"name", "m.name"},
    {"creation_timestamp", "m.creation_ms"},
    {"last_updated_timestamp", "m.updated_ms"},
    {NULL, NULL},
};

static const rg_list MODELS = {
    .target = LH_MLFLOW_REGISTERED_MODELS,
    .out_key = "registered_models",
    .select = "SELECT " RG_MODEL_COLS " FROM mlr_models m WHERE 1",
    .tags = "SELECT 1 FROM mlr_model_tags t WHERE t.model_id = m.id AND t.key =",
    .page_default = 100,
    .page_max = 1000, /* SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD */
    .columns = MODEL_COLUMNS,
    .render = render_model,
};

lh_err rg_h_model_search(lh_req_t *req, lh_errbuf *eb)
{
    return search(req, &MODELS, strstr(req->path, "/registered-models/list") != NULL, eb);
}

/* ---- model versions ---- */

static lh_err render_version(lh_meta_t *m, lh_stmt_t *st, lh_arena_t *arena, json_t **out,
                             lh_errbuf *eb)
{
    rg_model mo = {.name = lh_arena_strdup(arena, lh_stmt_text(st, 1))};
    snprintf(mo.id, sizeof mo.id, "%s", lh_stmt_text(st, 0));
    rg_version v;
    LH_TRY(rg_version_find(m, &mo, lh_stmt_int(st, 2), arena, &v, eb));
    return rg_version_json(m, &mo, &v, out, eb);
}

static const char *const VERSION_COLUMNS[][2] = {
    {"name", "m.name"},
    {"run_id", "v.run_id"},
    {"source_path", "v.source"},
    {"version_number", "v.version"},
    {"creation_timestamp", "v.creation_ms"},
    {"last_updated_timestamp", "v.updated_ms"},
    {NULL, NULL},
};

static const rg_list VERSIONS = {
    .target = LH_MLFLOW_MODEL_VERSIONS,
    .out_key = "model_versions",
    .select = "SELECT m.id, m.name, v.version FROM mlr_versions v JOIN mlr_models m ON m.id = "
              "v.model_id WHERE 1",
    .tags = "SELECT 1 FROM mlr_version_tags t WHERE t.model_id = v.model_id AND t.version = "
            "v.version AND t.key =",
    .page_default = 10000,
    .page_max = 200000, /* SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD */
    .columns = VERSION_COLUMNS,
    .render = render_version,
};

lh_err rg_h_version_search(lh_req_t *req, lh_errbuf *eb)
{
    return search(req, &VERSIONS, false, eb);
}
