/*
 * warehouses_api.c - the REST side of SQL warehouses: validate, call warehouses.c, render
 * GetWarehouseResponse / EndpointInfo.
 *
 *   POST   /api/2.0/sql/warehouses {name*, cluster_size*, auto_stop_mins, min_num_clusters,
 *          max_num_clusters, enable_photon, enable_serverless_compute, warehouse_type
 *          CLASSIC|PRO, spot_instance_policy, channel{name, dbsql_version},
 *          tags{custom_tags[{key, value}]}}                                       -> {id}
 *   GET    /api/2.0/sql/warehouses ?page_size, page_token        -> {warehouses, next_page_token}
 *   GET    /api/2.0/sql/warehouses/{id}                           -> GetWarehouseResponse
 *   POST   /api/2.0/sql/warehouses/{id}/edit {the create fields; absent ones are kept} -> {}
 *   DELETE /api/2.0/sql/warehouses/{id}, POST .../{id}/start, .../{id}/stop        -> {}
 *   GET    /api/2.0/sql/endpoints (-> {endpoints}) and /api/2.0/sql/endpoints/{id} (legacy)
 * Defaults and bounds follow the SDK's documentation: auto_stop_mins 120 (0 or >= 10),
 * min_num_clusters 1 (1..30), max_num_clusters = min (min..40), enable_photon true,
 * warehouse_type CLASSIC (PRO when serverless), spot_instance_policy COST_OPTIMIZED,
 * channel CHANNEL_NAME_CURRENT, fewer than 45 tags, names unique and under 100 characters.
 */
#include <stdlib.h>
#include <string.h>

#include "api/page.h"
#include "api/perm.h"
#include "api/sql/warehouses_internal.h"
#include "common/json.h"
#include "common/limits.h"

static lh_warehouses_t *area(const lh_req_t *req)
{
    return req->ctx->warehouses;
}

static bool one_of(const char *v, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(v, *list) == 0)
            return true;
    return false;
}

static lh_err check_enum(const json_t *spec, const char *field, const char *const *allowed,
                         lh_errbuf *eb)
{
    const char *v = NULL;
    LH_TRY(lh_json_get_str(spec, field, LH_OPTIONAL, &v, eb));
    LH_FAIL_IF(v != NULL && !one_of(v, allowed), LH_E_INVALID, eb, "%s '%s' is not supported",
               field, v);
    return LH_OK;
}

static lh_err check_tags(const json_t *spec, lh_errbuf *eb)
{
    json_t *tags = json_object_get(spec, "tags");
    if (tags == NULL || json_is_null(tags))
        return LH_OK;
    json_t *custom = json_object_get(tags, "custom_tags");
    LH_FAIL_IF(!json_is_object(tags) || (custom != NULL && !json_is_array(custom)), LH_E_INVALID,
               eb, "tags must be {\"custom_tags\": [{\"key\", \"value\"}]}");
    LH_FAIL_IF(json_array_size(custom) >= 45, LH_E_INVALID, eb,
               "A warehouse can have at most 44 custom tags");
    size_t i;
    json_t *t;
    json_array_foreach(custom, i, t)
    {
        LH_FAIL_IF(!json_is_string(json_object_get(t, "key")), LH_E_INVALID, eb,
                   "tags.custom_tags[%zu].key must be a string", i);
    }
    return LH_OK;
}

static lh_err check_clusters(json_t *spec, lh_errbuf *eb)
{
    int64_t min = 1, max, stop = 120;
    LH_TRY(lh_json_get_int_range(spec, "min_num_clusters", LH_OPTIONAL, 1, 30, &min, eb));
    max = min;
    LH_TRY(lh_json_get_int_range(spec, "max_num_clusters", LH_OPTIONAL, 1, 40, &max, eb));
    LH_FAIL_IF(max < min, LH_E_INVALID, eb,
               "max_num_clusters (%lld) must be >= min_num_clusters (%lld)", (long long)max,
               (long long)min);
    LH_TRY(lh_json_get_int(spec, "auto_stop_mins", LH_OPTIONAL, &stop, eb));
    LH_FAIL_IF(stop != 0 && (stop < 10 || stop > 100000), LH_E_INVALID, eb,
               "auto_stop_mins must be 0 (no auto stop) or at least 10, not %lld", (long long)stop);
    lh_json_set_int(spec, "min_num_clusters", min);
    lh_json_set_int(spec, "max_num_clusters", max);
    lh_json_set_int(spec, "auto_stop_mins", stop);
    return LH_OK;
}

static lh_err check_flags(json_t *spec, lh_errbuf *eb)
{
    bool photon = true, serverless = false;
    LH_TRY(lh_json_get_bool(spec, "enable_photon", LH_OPTIONAL, &photon, eb));
    LH_TRY(lh_json_get_bool(spec, "enable_serverless_compute", LH_OPTIONAL, &serverless, eb));
    static const char *const TYPES[] = {"CLASSIC", "PRO", "TYPE_UNSPECIFIED", NULL};
    LH_TRY(check_enum(spec, "warehouse_type", TYPES, eb));
    const char *type = json_string_value(json_object_get(spec, "warehouse_type"));
    if (type == NULL || strcmp(type, "TYPE_UNSPECIFIED") == 0)
        type = serverless ? "PRO" : "CLASSIC";
    LH_FAIL_IF(serverless && strcmp(type, "PRO") != 0, LH_E_INVALID, eb,
               "Serverless compute requires warehouse_type PRO");
    lh_json_set_bool(spec, "enable_photon", photon);
    lh_json_set_bool(spec, "enable_serverless_compute", serverless);
    lh_json_set_str(spec, "warehouse_type", type);
    return LH_OK;
}

static lh_err check_channel(json_t *spec, lh_errbuf *eb)
{
    static const char *const SPOT[] = {"COST_OPTIMIZED", "RELIABILITY_OPTIMIZED",
                                       "POLICY_UNSPECIFIED", NULL};
    LH_TRY(check_enum(spec, "spot_instance_policy", SPOT, eb));
    if (!lh_json_has(spec, "spot_instance_policy"))
        lh_json_set_str(spec, "spot_instance_policy", "COST_OPTIMIZED");
    json_t *ch = json_object_get(spec, "channel");
    if (ch == NULL || json_is_null(ch)) {
        json_object_set_new(spec, "channel", json_pack("{s:s}", "name", "CHANNEL_NAME_CURRENT"));
        return LH_OK;
    }
    LH_FAIL_IF(!json_is_object(ch), LH_E_INVALID, eb, "channel must be an object");
    static const char *const NAMES[] = {"CHANNEL_NAME_CURRENT", "CHANNEL_NAME_PREVIEW",
                                        "CHANNEL_NAME_PREVIOUS", "CHANNEL_NAME_CUSTOM", NULL};
    LH_TRY(check_enum(ch, "name", NAMES, eb));
    return LH_OK;
}

/* The normalized spec (a new object) of the create/edit fields of params over base. */
static lh_err normalize(const json_t *params, const json_t *base, json_t **out, lh_errbuf *eb)
{
    static const char *const FIELDS[] = {"name",
                                         "cluster_size",
                                         "auto_stop_mins",
                                         "min_num_clusters",
                                         "max_num_clusters",
                                         "enable_photon",
                                         "enable_serverless_compute",
                                         "warehouse_type",
                                         "spot_instance_policy",
                                         "channel",
                                         "tags",
                                         "instance_profile_arn"};
    json_t *spec = base != NULL ? json_deep_copy(base) : json_object();
    for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++) {
        json_t *v = json_object_get(params, FIELDS[i]);
        if (v != NULL && !json_is_null(v))
            json_object_set(spec, FIELDS[i], v);
    }
    const char *name = NULL, *size = NULL;
    lh_err e = lh_json_get_str(spec, "name", LH_REQUIRED, &name, eb);
    if (e == LH_OK && (*name == '\0' || strlen(name) >= 100))
        e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                       "name must be 1 to 99 characters long");
    if (e == LH_OK)
        e = lh_json_get_str(spec, "cluster_size", LH_REQUIRED, &size, eb);
    if (e == LH_OK && lh_warehouse_size_workers(size) == 0)
        e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                       "cluster_size '%s' is not supported: use 2X-Small, X-Small, Small, "
                       "Medium, Large, X-Large, 2X-Large, 3X-Large, 4X-Large or 5X-Large",
                       size);
    if (e == LH_OK)
        e = check_clusters(spec, eb);
    if (e == LH_OK)
        e = check_flags(spec, eb);
    if (e == LH_OK)
        e = check_channel(spec, eb);
    if (e == LH_OK)
        e = check_tags(spec, eb);
    if (e != LH_OK) {
        json_decref(spec);
        return e;
    }
    *out = spec;
    return LH_OK;
}

/* Under mu: is name taken by another live warehouse? */
static bool name_taken(lh_warehouses_t *w, const char *name, const wh *self)
{
    for (wh *h = w->list; h != NULL; h = h->next) {
        const char *n = json_string_value(json_object_get(h->spec, "name"));
        if (h != self && h->state != WH_DELETED && h->state != WH_DELETING && n != NULL &&
            strcmp(n, name) == 0)
            return true;
    }
    return false;
}

/* ---- rendering ---- */

/* Scheme, host and port of the workspace URL. */
static void host_parts(const char *url, char *host, size_t cap, int *port, const char **scheme)
{
    *scheme = strncmp(url, "https://", 8) == 0 ? "https" : "http";
    const char *p = strstr(url, "://");
    p = p != NULL ? p + 3 : url;
    size_t n = strcspn(p, ":/");
    snprintf(host, cap, "%.*s", (int)n, p);
    *port = p[n] == ':' ? atoi(p + n + 1) : strcmp(*scheme, "https") == 0 ? 443 : 80;
}

json_t *wh_render(const lh_warehouses_t *w, const wh *h)
{
    json_t *o = json_deep_copy(h->spec);
    lh_json_set_str(o, "id", h->id);
    lh_json_set_str(o, "state", wh_state_name(h->state));
    lh_json_set_str(o, "creator_name", h->creator);
    int64_t running = json_integer_value(json_object_get(h->spec, "min_num_clusters"));
    lh_json_set_int(o, "num_clusters", h->state == WH_RUNNING ? running : 0);
    lh_json_set_int(o, "num_active_sessions", h->users);
    json_object_set_new(
        o, "health", json_pack("{s:s}", "status", h->state == WH_DELETED ? "FAILED" : "HEALTHY"));
    char host[256];
    int port;
    const char *scheme;
    const char *url = w->ctx->workspace_host != NULL ? w->ctx->workspace_host : "http://localhost";
    host_parts(url, host, sizeof host, &port, &scheme);
    char path[64];
    snprintf(path, sizeof path, "/sql/1.0/warehouses/%s", h->id);
    json_object_set_new(o, "odbc_params",
                        json_pack("{s:s, s:s, s:s, s:i}", "hostname", host, "path", path,
                                  "protocol", scheme, "port", port));
    char jdbc[512];
    snprintf(jdbc, sizeof jdbc,
             "jdbc:databricks://%s:%d/default;transportMode=http;ssl=%d;AuthMech=3;httpPath=%s;",
             host, port, strcmp(scheme, "https") == 0, path);
    lh_json_set_str(o, "jdbc_url", jdbc);
    return o;
}

/* ---- handlers ---- */

static lh_err h_create(lh_req_t *req, lh_errbuf *eb)
{
    /* Databricks: admins, or users allowed unrestricted cluster creation */
    if (req->ctx->perm != NULL)
        LH_TRY(lh_perm_require_entitlement(req->ctx, req->principal, LH_ENT_CLUSTER, eb));
    json_t *spec;
    LH_TRY(normalize(req->params, NULL, &spec, eb));
    lh_warehouses_t *w = area(req);
    char id[WH_ID_MAX];
    pthread_mutex_lock(&w->mu);
    lh_err e;
    if (name_taken(w, json_string_value(json_object_get(spec, "name")), NULL)) {
        e = lh_err_set(eb, LH_E_EXISTS, __FILE__, __LINE__,
                       "A SQL warehouse named '%s' already exists",
                       json_string_value(json_object_get(spec, "name")));
        json_decref(spec);
    } else {
        e = wh_add(w, spec, req->principal, id, eb);
    }
    pthread_mutex_unlock(&w->mu);
    LH_TRY(e);
    LH_TRY(lh_perm_on_create(req->ctx, req->principal, "warehouses", id, eb));
    req->out = json_pack("{s:s}", "id", id);
    return LH_OK;
}

/* Find the path's warehouse under mu (the caller unlocks) and check that the caller holds
 * level on it (api/perm.h: admins, the owner, grants); deleted ones only when asked. */
static lh_err find(lh_req_t *req, bool deleted_ok, const char *level, wh **out, lh_errbuf *eb)
{
    lh_warehouses_t *w = area(req);
    pthread_mutex_lock(&w->mu);
    const char *id = lh_req_path_param(req, 0);
    wh *h = wh_find(w, id);
    lh_err e = LH_OK;
    if (h == NULL || (!deleted_ok && h->state == WH_DELETED))
        e = lh_err_set(eb, LH_E_NOT_FOUND, __FILE__, __LINE__, "SQL warehouse %s does not exist.",
                       id);
    else if (req->ctx->perm != NULL)
        e = lh_perm_require(req->ctx, req->principal, "warehouses", id, level, eb);
    if (e != LH_OK) {
        pthread_mutex_unlock(&w->mu);
        return e;
    }
    *out = h;
    return LH_OK;
}

static lh_err h_get(lh_req_t *req, lh_errbuf *eb)
{
    wh *h;
    LH_TRY(find(req, true, "CAN_VIEW", &h, eb));
    req->out = wh_render(area(req), h);
    pthread_mutex_unlock(&area(req)->mu);
    return LH_OK;
}

typedef lh_err (*transition_fn)(lh_warehouses_t *w, wh *h, lh_errbuf *eb);

static lh_err transition(lh_req_t *req, transition_fn fn, const char *level, lh_errbuf *eb)
{
    wh *h;
    LH_TRY(find(req, false, level, &h, eb));
    lh_err e = fn(area(req), h, eb);
    pthread_mutex_unlock(&area(req)->mu);
    return e;
}

static lh_err h_start(lh_req_t *req, lh_errbuf *eb)
{
    return transition(req, wh_start, "CAN_USE", eb);
}

static lh_err h_stop(lh_req_t *req, lh_errbuf *eb)
{
    return transition(req, wh_stop, "CAN_USE", eb);
}

static lh_err h_delete(lh_req_t *req, lh_errbuf *eb)
{
    return transition(req, wh_delete, "CAN_MANAGE", eb);
}

static lh_err h_edit(lh_req_t *req, lh_errbuf *eb)
{
    wh *h;
    LH_TRY(find(req, false, "CAN_MANAGE", &h, eb));
    lh_warehouses_t *w = area(req);
    json_t *spec = NULL;
    lh_err e = normalize(req->params, h->spec, &spec, eb);
    if (e == LH_OK && name_taken(w, json_string_value(json_object_get(spec, "name")), h)) {
        e = lh_err_set(eb, LH_E_EXISTS, __FILE__, __LINE__,
                       "A SQL warehouse named '%s' already exists",
                       json_string_value(json_object_get(spec, "name")));
        json_decref(spec);
    } else if (e == LH_OK) {
        e = wh_edit(w, h, spec, eb);
    }
    pthread_mutex_unlock(&w->mu);
    return e;
}

static int by_id(const void *a, const void *b)
{
    return strcmp((*(const wh *const *)a)->id, (*(const wh *const *)b)->id);
}

/* page_size absent or 0: every warehouse on one page. */
static const lh_page_spec LIST_PAGE = {.list_id = LH_PAGE_LIST_SQL_WAREHOUSES,
                                       .keys = "s",
                                       .size_param = "page_size",
                                       .size_default = 0,
                                       .size_max = LH_PAGE_SIZE_MAX,
                                       .flags = LH_PAGE_CLAMP,
                                       .style = LH_PAGE_STYLE_NEXT};

static lh_err list(lh_req_t *req, const char *field, lh_errbuf *eb)
{
    lh_page_t page;
    LH_TRY(lh_page_parse(&LIST_PAGE, req->params, req->arena, &page, eb));
    lh_perm_visible_t visible = {.all = true};
    if (req->ctx->perm != NULL)
        LH_TRY(lh_perm_visible(req->ctx, req->principal, "warehouses", "CAN_VIEW", req->arena,
                               &visible, eb));
    lh_warehouses_t *w = area(req);
    pthread_mutex_lock(&w->mu);
    size_t n = 0;
    for (wh *h = w->list; h != NULL; h = h->next)
        n++;
    wh **all = lh_arena_calloc(req->arena, n > 0 ? n : 1, sizeof *all);
    n = 0;
    for (wh *h = w->list; h != NULL; h = h->next)
        if (h->state != WH_DELETED && lh_perm_visible_has(&visible, h->id))
            all[n++] = h;
    qsort(all, n, sizeof *all, by_id);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        lh_page_key key[LH_PAGE_KEYS_MAX] = {{.s = all[i]->id}};
        if (!lh_page_in_range(&page, key))
            continue;
        if (!lh_page_take(&page, key))
            break;
        lh_page_add(&page, items, wh_render(w, all[i]));
    }
    pthread_mutex_unlock(&w->mu);
    req->out = json_object();
    json_object_set_new(req->out, field, items);
    lh_page_finish(&page, req->out);
    return LH_OK;
}

static lh_err h_list(lh_req_t *req, lh_errbuf *eb)
{
    return list(req, "warehouses", eb);
}

static lh_err h_endpoints(lh_req_t *req, lh_errbuf *eb)
{
    return list(req, "endpoints", eb);
}

#define WH "/api/2.0/sql/warehouses"

static const lh_route_t routes[] = {
    {"POST", WH, h_create, 0, NULL, 0},
    {"GET", WH, h_list, 0, NULL, 0},
    {"GET", WH "/{id}", h_get, 0, NULL, 0},
    {"DELETE", WH "/{id}", h_delete, 0, NULL, 0},
    {"POST", WH "/{id}/edit", h_edit, 0, NULL, 0},
    {"POST", WH "/{id}/start", h_start, 0, NULL, 0},
    {"POST", WH "/{id}/stop", h_stop, 0, NULL, 0},
    {"GET", "/api/2.0/sql/endpoints", h_endpoints, 0, NULL, 0},
    {"GET", "/api/2.0/sql/endpoints/{id}", h_get, 0, NULL, 0},
};

const lh_route_t *lh_warehouses_routes(int *count)
{
    *count = (int)(sizeof routes / sizeof routes[0]);
    return routes;
}
