/*
 * areas.c - the one list of product areas the daemon serves (api/area.h), and the route
 * tables in match order. Adding an area adds one line to lh_areas (plus its folder and
 * CMake); nothing else in server/ names an area.
 */
#include "api/catalog/catalog.h"
#include "api/clusters/clusters.h"
#include "api/identity/identity.h"
#include "api/jobs/jobs.h"
#include "api/mlflow/mlflow.h"
#include "api/mlflow/registry/registry.h"
#include "api/notify.h"
#include "api/permissions/permissions.h"
#include "api/secrets/secrets.h"
#include "api/sql/sql.h"
#include "api/workspace/workspace.h"
#include "common/bg.h"
#include "server/server.h"

const lh_area_t *const lh_areas[] = {
    &lh_permissions_area, /* first: the others use ctx->perm */
    &lh_identity_area,    &lh_clusters_area,  &lh_secrets_area, &lh_catalog_area,
    &lh_sql_area,         &lh_workspace_area, &lh_mlflow_area, /* after workspace: artifact URIs */
    &lh_registry_area, /* after mlflow: runs and artifacts */
    &lh_jobs_area,     /* after sql and workspace: tasks run notebooks and statements */
};
const int lh_area_count = (int)(sizeof lh_areas / sizeof lh_areas[0]);
_Static_assert(sizeof lh_areas / sizeof lh_areas[0] <= LH_SERVER_AREAS_MAX,
               "raise LH_SERVER_AREAS_MAX");

/* Tables: the ops routes, the OpenAPI spec, each area's, the pending 501s. */
#define OWN_TABLES 2

int lh_route_table_count(void)
{
    return OWN_TABLES + lh_area_count + 1;
}

const lh_route_t *lh_route_table(int i, int *count)
{
    *count = 0;
    if (i == 0)
        return lh_ops_routes(count);
    if (i == 1)
        return lh_openapi_routes(count);
    if (i == OWN_TABLES + lh_area_count)
        return lh_pending_routes(count); /* matched last, after every real route */
    LH_ASSERT(i >= OWN_TABLES && i < OWN_TABLES + lh_area_count);
    const lh_area_t *a = lh_areas[i - OWN_TABLES];
    return a->routes != NULL ? a->routes(count) : NULL;
}

void lh_server_render_area_metrics(lh_server_t *s, FILE *out)
{
    for (int i = 0; i < s->areas_created; i++) {
        if (lh_areas[i]->render_metrics != NULL)
            lh_areas[i]->render_metrics(s->area_state[i], out);
    }
    lh_notify_render_metrics(s->ctx.notify, out);
    if (s->ctx.bg != NULL)
        lh_bg_render_metrics(s->ctx.bg, out);
}
