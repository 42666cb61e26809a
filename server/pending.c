/*
 * pending.c - the product areas that are not built yet answer 501 NOT_IMPLEMENTED (with
 * the area named), instead of 404, so clients and people can tell "not yet" from "no
 * such endpoint". Each line goes away when its area lands in api/<area>/.
 */
#include "server/server.h"

static lh_err not_built(lh_req_t *req, lh_errbuf *eb)
{
    LH_FAIL(LH_E_NOT_IMPLEMENTED, eb, "The %s API is not implemented yet in this Lakehouse build",
            (const char *)req->route->data);
}

#define PENDING(pattern, area)                                                                     \
    {                                                                                              \
        "*", pattern, not_built, 0, area                                                           \
    }

static const lh_route_t pending_routes[] = {
    PENDING("/api/{2.0|2.1|2.2}/jobs/{*}", "Jobs"),
    PENDING("/api/2.0/fs/{*}", "Files"), /* /Volumes paths are served (api/catalog) */
    PENDING("/api/2.0/pipelines", "Pipelines"),
    PENDING("/api/2.0/pipelines/{*}", "Pipelines"),
    PENDING("/api/2.0/sql/{*}",
            "SQL queries, alerts and dashboards"), /* warehouses, statements, history: api/sql */
    PENDING("/api/2.0/mlflow/{*}", "MLflow"),
    PENDING("/ajax-api/2.0/mlflow/{*}", "MLflow"),
    PENDING("/api/2.0/feature-store/{*}", "Feature store"),
    PENDING("/api/2.0/serving-endpoints", "Model serving"),
    PENDING("/api/2.0/serving-endpoints/{*}", "Model serving"),
    PENDING("/serving-endpoints/{*}", "Model serving"),
    PENDING("/api/2.1/unity-catalog/{*}", "Unity Catalog"), /* the rest of it: api/catalog */
    PENDING("/delta-sharing/{*}", "Delta Sharing"),
    PENDING("/api/2.0/libraries/{*}", "Libraries"),
    PENDING("/api/2.0/repos", "Repos"),
    PENDING("/api/2.0/repos/{*}", "Repos"),
    PENDING("/api/2.0/global-init-scripts", "Global init scripts"),
    PENDING("/api/2.0/global-init-scripts/{*}", "Global init scripts"),
    PENDING("/api/2.0/workspace-conf", "Workspace configuration"),
    PENDING("/api/1.2/contexts/{*}", "Command execution"),
    PENDING("/api/1.2/commands/{*}", "Command execution"),
};

const lh_route_t *lh_pending_routes(int *count)
{
    *count = (int)(sizeof pending_routes / sizeof pending_routes[0]);
    return pending_routes;
}
