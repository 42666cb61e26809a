/*
 * routes.c - the identity area's route table: tokens, token-management (admins), SCIM
 * Users/Groups/ServicePrincipals (writes for admins) and Me; every SCIM route answers
 * errors in SCIM's shape. Data only; handlers live beside their logic.
 */
#include "api/identity/identity_internal.h"

#define SCIM "/api/2.0/preview/scim/v2"
#define TM   "/api/2.0/token-management/tokens"
#define SE   LH_ROUTE_SCIM /* SCIM routes answer errors in SCIM's shape */

static const lh_route_t identity_routes[] = {
    {"POST", "/api/2.0/token/create", lh_tokens_create_handler, 0},
    {"GET", "/api/2.0/token/list", lh_tokens_list_handler, 0},
    {"POST", "/api/2.0/token/delete", lh_tokens_delete_handler, 0},
    {"GET", TM, lh_token_mgmt_list_handler, LH_ROUTE_ADMIN},
    {"GET", TM "/{token_id}", lh_token_mgmt_get_handler, LH_ROUTE_ADMIN},
    {"DELETE", TM "/{token_id}", lh_token_mgmt_delete_handler, LH_ROUTE_ADMIN},
    {"POST", "/api/2.0/token-management/on-behalf-of/tokens", lh_token_mgmt_obo_handler,
     LH_ROUTE_ADMIN},
    {"GET", SCIM "/Me", lh_scim_me_handler, SE},
    {"POST", SCIM "/Users", lh_scim_users_create_handler, LH_ROUTE_ADMIN | SE},
    {"GET", SCIM "/Users", lh_scim_users_list_handler, SE},
    {"GET", SCIM "/Users/{id}", lh_scim_users_get_handler, SE},
    {"PUT", SCIM "/Users/{id}", lh_scim_users_put_handler, LH_ROUTE_ADMIN | SE},
    {"PATCH", SCIM "/Users/{id}", lh_scim_users_patch_handler, LH_ROUTE_ADMIN | SE},
    {"DELETE", SCIM "/Users/{id}", lh_scim_users_delete_handler, LH_ROUTE_ADMIN | SE},
    {"POST", SCIM "/ServicePrincipals", lh_scim_sps_create_handler, LH_ROUTE_ADMIN | SE},
    {"GET", SCIM "/ServicePrincipals", lh_scim_sps_list_handler, SE},
    {"GET", SCIM "/ServicePrincipals/{id}", lh_scim_sps_get_handler, SE},
    {"PUT", SCIM "/ServicePrincipals/{id}", lh_scim_sps_put_handler, LH_ROUTE_ADMIN | SE},
    {"PATCH", SCIM "/ServicePrincipals/{id}", lh_scim_sps_patch_handler, LH_ROUTE_ADMIN | SE},
    {"DELETE", SCIM "/ServicePrincipals/{id}", lh_scim_sps_delete_handler, LH_ROUTE_ADMIN | SE},
    {"POST", SCIM "/Groups", lh_scim_groups_create_handler, LH_ROUTE_ADMIN | SE},
    {"GET", SCIM "/Groups", lh_scim_groups_list_handler, SE},
    {"GET", SCIM "/Groups/{id}", lh_scim_groups_get_handler, SE},
    {"PUT", SCIM "/Groups/{id}", lh_scim_groups_put_handler, LH_ROUTE_ADMIN | SE},
    {"PATCH", SCIM "/Groups/{id}", lh_scim_groups_patch_handler, LH_ROUTE_ADMIN | SE},
    {"DELETE", SCIM "/Groups/{id}", lh_scim_groups_delete_handler, LH_ROUTE_ADMIN | SE},
};

const lh_route_t *lh_identity_routes(int *count)
{
    *count = (int)(sizeof identity_routes / sizeof identity_routes[0]);
    return identity_routes;
}
