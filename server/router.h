/*
 * router.h - method + path -> handler, from the areas' route tables.
 *
 * Built once at start-up (lh_router_add per table), then read-only and shared by every
 * HTTP thread. Matching is segment by segment (see api/api.h for the pattern syntax).
 */
#ifndef LH_SERVER_ROUTER_H
#define LH_SERVER_ROUTER_H

#include "api/api.h"

typedef struct lh_router lh_router_t;

lh_router_t *lh_router_create(void);
void lh_router_destroy(lh_router_t *r);
/* Register count routes (the table must outlive the router). Asserts patterns are valid. */
void lh_router_add(lh_router_t *r, const lh_route_t *routes, int count);

typedef enum lh_match { LH_MATCH_OK, LH_MATCH_NO_PATH, LH_MATCH_NO_METHOD } lh_match;

/* Match; on LH_MATCH_OK sets *route, *route_index and fills req->path_params (arena copies). */
lh_match lh_router_match(const lh_router_t *r, const char *method, const char *path, lh_req_t *req,
                         const lh_route_t **route, int *route_index);

int lh_router_count(const lh_router_t *r);
const lh_route_t *lh_router_get(const lh_router_t *r, int i);

#endif
