/*
 * permissions.h - the Permissions API routes (api/permissions); the model and the checks
 * every area uses live in api/perm.h.
 */
#ifndef LH_API_PERMISSIONS_H
#define LH_API_PERMISSIONS_H

#include "api/api.h"

const lh_route_t *lh_permissions_routes(int *count);

/* The area descriptor (api/area.h): create publishes ctx->perm (the checker of api/perm.h,
 * which every later area uses), destroy clears it. It must be listed before any area
 * that checks permissions or registers its object types. */
extern const struct lh_area lh_permissions_area;

#endif
