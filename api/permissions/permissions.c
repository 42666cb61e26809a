/*
 * permissions.c - /api/2.0/permissions/{object_type}/{object_id} GET (read), PUT (set),
 * PATCH (update) and .../permissionLevels GET, over the core in api/perm.h.
 *
 * Order of checks: the type (400 unknown; 501 when its area is not built yet, naming the
 * area) -> the object (404) -> the caller (403 unless admin or CAN_MANAGE on it; types
 * without CAN_MANAGE, such as cluster-policies, are admin-only) -> the body (400).
 * Types Databricks has that no row of perm.c's table describes yet (authorization,
 * repos, queries, alerts, dashboards, genie) answer 501 as well.
 */
#include <string.h>

#include "api/area.h"
#include "api/perm.h"
#include "api/permissions/permissions.h"

static const char *const UNBUILT[][2] = {
    {"authorization", "Token and password permissions"},
    {"repos", "Repos"},
    {"queries", "SQL queries"},
    {"alerts", "SQL alerts"},
    {"alertsv2", "SQL alerts"},
    {"dbsql-dashboards", "SQL dashboards"},
    {"dashboards", "Dashboards"},
    {"genie", "Genie"},
    {"sql", "SQL warehouses"},
};

static lh_err find_type(const char *path, const lh_perm_type_t **out, lh_errbuf *eb)
{
    *out = lh_perm_type_find(path);
    for (size_t i = 0; *out == NULL && i < sizeof UNBUILT / sizeof UNBUILT[0]; i++)
        LH_FAIL_IF(strcmp(path, UNBUILT[i][0]) == 0, LH_E_NOT_IMPLEMENTED, eb,
                   "Permissions on %s are not implemented yet in this Lakehouse build",
                   UNBUILT[i][1]);
    LH_FAIL_IF(*out == NULL, LH_E_INVALID, eb,
               "Invalid object type '%.64s': expected clusters, cluster-policies, "
               "instance-pools, jobs, warehouses, pipelines, experiments, registered-models, "
               "notebooks, directories, files or serving-endpoints",
               path);
    LH_FAIL_IF((*out)->area != NULL, LH_E_NOT_IMPLEMENTED, eb,
               "The %s API is not implemented yet in this Lakehouse build (permissions on %s)",
               (*out)->area, path);
    return LH_OK;
}

/* The type and object of the path, after the caller is allowed to manage its ACL. */
static lh_err target(lh_req_t *req, const lh_perm_type_t **t, const char **id, lh_errbuf *eb)
{
    LH_TRY(find_type(lh_req_path_param(req, 0), t, eb));
    *id = lh_req_path_param(req, 1);
    LH_FAIL_IF(!lh_perm_object_exists(req->ctx->perm, (*t)->path, *id), LH_E_NOT_FOUND, eb,
               "%s %s does not exist", (*t)->object_type, *id);
    if (lh_perm_level_rank(*t, "CAN_MANAGE") > 0)
        return lh_perm_require(req->ctx, req->principal, (*t)->path, *id, "CAN_MANAGE", eb);
    LH_FAIL_IF(!lh_perm_is_admin(req->ctx, req->principal), LH_E_PERMISSION, eb,
               "Only workspace admins can manage permissions on %s %s", (*t)->object_type, *id);
    return LH_OK;
}

static lh_err get_handler(lh_req_t *req, lh_errbuf *eb)
{
    const lh_perm_type_t *t;
    const char *id;
    LH_TRY(target(req, &t, &id, eb));
    return lh_perm_render(req->ctx, t, id, &req->out, eb);
}

static lh_err change(lh_req_t *req, bool replace, lh_errbuf *eb)
{
    const lh_perm_type_t *t;
    const char *id;
    LH_TRY(target(req, &t, &id, eb));
    lh_perm_ace_t *aces = NULL;
    size_t n = 0;
    LH_TRY(lh_perm_parse_acl(t, req->params, req->arena, &aces, &n, eb));
    LH_TRY(lh_perm_apply(req->ctx, t, id, aces, n, replace, eb));
    return lh_perm_render(req->ctx, t, id, &req->out, eb);
}

static lh_err set_handler(lh_req_t *req, lh_errbuf *eb)
{
    return change(req, true, eb);
}

static lh_err update_handler(lh_req_t *req, lh_errbuf *eb)
{
    return change(req, false, eb);
}

static lh_err levels_handler(lh_req_t *req, lh_errbuf *eb)
{
    const lh_perm_type_t *t;
    const char *id;
    LH_TRY(target(req, &t, &id, eb));
    json_t *arr = json_array();
    for (int i = 0; i < LH_PERM_LEVELS_MAX && t->levels[i] != NULL; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "permission_level", t->levels[i],
                                             "description", t->descriptions[i]));
    req->out = json_pack("{s:o}", "permission_levels", arr);
    return LH_OK;
}

#define P "/api/2.0/permissions/{object_type}/{object_id}"

static const lh_route_t permission_routes[] = {
    {"GET", P, get_handler, 0},
    {"PUT", P, set_handler, 0},
    {"PATCH", P, update_handler, 0},
    {"GET", P "/permissionLevels", levels_handler, 0},
};

const lh_route_t *lh_permissions_routes(int *count)
{
    *count = (int)(sizeof permission_routes / sizeof permission_routes[0]);
    return permission_routes;
}

/* The checker is a service other areas use from their create on: publish it first. */
static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    lh_perm_t *perm = NULL;
    LH_TRY(lh_perm_create(ctx, &perm, eb));
    ctx->perm = perm;
    *state = ctx;
    return LH_OK;
}

static void area_destroy(void *state)
{
    lh_ctx_t *ctx = state;
    lh_perm_destroy(ctx->perm);
    ctx->perm = NULL;
}

const lh_area_t lh_permissions_area = {
    .name = "permissions",
    .create = area_create,
    .routes = lh_permissions_routes,
    .destroy = area_destroy,
};
