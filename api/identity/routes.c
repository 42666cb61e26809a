/*
 * routes.c - the identity area's route table: tokens, token-management (admins), SCIM
 * Users/Groups (writes for admins) and Me. Data only; handlers live beside their logic.
 */
#include "api/identity/identity_internal.h"

#define SCIM "/api/2.0/preview/scim/v2"
#define TM   "/api/2.0/token-management/tokens"

static const lh_route_t identity_routes[] = {
    {"POST", "/api/2.0/token/create", lh_tokens_create_handler, 0},
    {"GET", "/api/2.0/token/list", lh_tokens_list_handler, 0},
    {"POST", "/api/2.0/token/delete", lh_tokens_delete_handler, 0},
    {"GET", TM, lh_token_mgmt_list_handler, LH_ROUTE_ADMIN},
    {"GET", TM "/{token_id}", lh_token_mgmt_get_handler, LH_ROUTE_ADMIN},
    {"DELETE", TM "/{token_id}", lh_token_mgmt_delete_handler, LH_ROUTE_ADMIN},
    {"POST", "/api/2.0/token-management/on-behalf-of/tokens", lh_token_mgmt_obo_handler,
     LH_ROUTE_ADMIN},
    {"GET", SCIM "/Me", lh_scim_me_handler, 0},
    {"POST", SCIM "/Users", lh_scim_users_create_handler, LH_ROUTE_ADMIN},
    {"GET", SCIM "/Users", lh_scim_users_list_handler, 0},
    {"GET", SCIM "/Users/{id}", lh_scim_users_get_handler, 0},
    {"PUT", SCIM "/Users/{id}", lh_scim_users_put_handler, LH_ROUTE_ADMIN},
    {"PATCH", SCIM "/Users/{id}", lh_scim_users_patch_handler, LH_ROUTE_ADMIN},
    {"DELETE", SCIM "/Users/{id}", lh_scim_users_delete_handler, LH_ROUTE_ADMIN},
    {"POST", SCIM "/ServicePrincipals", lh_scim_sps_create_handler, LH_ROUTE_ADMIN},
    {"GET", SCIM "/ServicePrincipals", lh_scim_sps_list_handler, 0},
    {"GET", SCIM "/ServicePrincipals/{id}", lh_scim_sps_get_handler, 0},
    {"PUT", SCIM "/ServicePrincipals/{id}", lh_scim_sps_put_handler, LH_ROUTE_ADMIN},
    {"PATCH", SCIM "/ServicePrincipals/{id}", lh_scim_sps_patch_handler, LH_ROUTE_ADMIN},
    {"DELETE", SCIM "/ServicePrincipals/{id}", lh_scim_sps_delete_handler, LH_ROUTE_ADMIN},
    {"POST", SCIM "/Groups", lh_scim_groups_create_handler, LH_ROUTE_ADMIN},
    {"GET", SCIM "/Groups", lh_scim_groups_list_handler, 0},
    {"GET", SCIM "/Groups/{id}", lh_scim_groups_get_handler, 0},
    {"PUT", SCIM "/Groups/{id}", lh_scim_groups_put_handler, LH_ROUTE_ADMIN},
    {"PATCH", SCIM "/Groups/{id}", lh_scim_groups_patch_handler, LH_ROUTE_ADMIN},
    {"DELETE", SCIM "/Groups/{id}", lh_scim_groups_delete_handler, LH_ROUTE_ADMIN},
};

const lh_route_t *lh_identity_routes(int *count)
{
    *count = (int)(sizeof identity_routes / sizeof identity_routes[0]);
    return identity_routes;
}
