/*
 * routes.c - the registry's route table: every path is listed (no catch-all; the tracking
 * area serves the rest of /api/2.0/mlflow/), each under /api/2.0/mlflow/ and
 * /ajax-api/2.0/mlflow/. Method sets follow model_registry.proto and databricks-sdk-py;
 * where clients disagree (get-latest-versions: POST and GET; Databricks DELETEs with
 * query parameters) both are served.
 */
#include "api/mlflow/registry/registry_internal.h"

#define P  "/{api|ajax-api}/2.0/mlflow"
#define RM P "/registered-models"
#define MV P "/model-versions"

static const lh_route_t routes[] = {
    {"POST", RM "/create", rg_h_model_create, 0},
    {"GET", RM "/get", rg_h_model_get, 0},
    {"POST", RM "/rename", rg_h_model_rename, 0},
    {"PATCH", RM "/update", rg_h_model_update, 0},
    {"DELETE", RM "/delete", rg_h_model_delete, 0},
    {"GET", RM "/search", rg_h_model_search, 0},
    {"GET", RM "/list", rg_h_model_search, 0},
    {"POST", RM "/get-latest-versions", rg_h_model_latest, 0},
    {"GET", RM "/get-latest-versions", rg_h_model_latest, 0},
    {"POST", RM "/set-tag", rg_h_model_set_tag, 0},
    {"DELETE", RM "/delete-tag", rg_h_model_delete_tag, 0},
    {"POST", RM "/alias", rg_h_alias_set, 0},
    {"DELETE", RM "/alias", rg_h_alias_delete, 0},
    {"GET", RM "/alias", rg_h_alias_get, 0},
    {"POST", MV "/create", rg_h_version_create, 0},
    {"GET", MV "/get", rg_h_version_get, 0},
    {"PATCH", MV "/update", rg_h_version_update, 0},
    {"DELETE", MV "/delete", rg_h_version_delete, 0},
    {"GET", MV "/search", rg_h_version_search, 0},
    {"POST", MV "/transition-stage", rg_h_version_transition, 0},
    {"POST", MV "/set-tag", rg_h_version_set_tag, 0},
    {"DELETE", MV "/delete-tag", rg_h_version_delete_tag, 0},
    {"GET", MV "/get-download-uri", rg_h_version_download_uri, 0},
    {"GET", MV "/list-artifacts", rg_h_version_list_artifacts, 0},
    {"GET", MV "/get-signed-download-uri", rg_h_version_signed_uri, 0},
    {"GET", MV "/signed-download", rg_h_signed_download, LH_ROUTE_NO_AUTH},
    {"GET", P "/databricks/registered-models/get", rg_h_model_get_databricks, 0},
    {"POST", P "/databricks/model-versions/transition-stage", rg_h_version_transition_databricks,
     0},
    {"POST", P "/transition-requests/create", rg_h_request_create, 0},
    {"POST", P "/transition-requests/approve", rg_h_request_approve, 0},
    {"POST", P "/transition-requests/reject", rg_h_request_reject, 0},
    {"GET", P "/transition-requests/list", rg_h_request_list, 0},
    {"DELETE", P "/transition-requests/delete", rg_h_request_delete, 0},
    {"POST", P "/comments/create", rg_h_comment_create, 0},
    {"PATCH", P "/comments/update", rg_h_comment_update, 0},
    {"DELETE", P "/comments/delete", rg_h_comment_delete, 0},
    {"POST", P "/registry-webhooks/create", rg_h_hook_create, 0},
    {"GET", P "/registry-webhooks/list", rg_h_hook_list, 0},
    {"PATCH", P "/registry-webhooks/update", rg_h_hook_update, 0},
    {"DELETE", P "/registry-webhooks/delete", rg_h_hook_delete, 0},
    {"POST", P "/registry-webhooks/test", rg_h_hook_test, 0},
};

const lh_route_t *rg_routes(int *count)
{
    *count = (int)(sizeof routes / sizeof routes[0]);
    return routes;
}
