/*
 * permissions.h - the Permissions API routes (api/permissions); the model and the checks
 * every area uses live in api/perm.h.
 */
#ifndef LH_API_PERMISSIONS_H
#define LH_API_PERMISSIONS_H

#include "api/api.h"

const lh_route_t *lh_permissions_routes(int *count);

#endif
