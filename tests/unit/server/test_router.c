/*
 * test_router.c - server/router: literals, version alternatives, captures, 404 vs 405.
 */
#include "server/router.h"
#include "t.h"

static lh_err h1(lh_req_t *r, lh_errbuf *eb)
{
    (void)r;
    (void)eb;
    return LH_OK;
}
static lh_err h2(lh_req_t *r, lh_errbuf *eb)
{
    (void)r;
    (void)eb;
    return LH_OK;
}

static const lh_route_t routes[] = {
    {"GET", "/api/{2.0|2.1}/clusters/get", h1, 0},
    {"POST", "/api/{2.0|2.1}/clusters/create", h2, 0},
    {"GET", "/api/2.0/preview/scim/v2/Users/{id}", h1, 0},
    {"DELETE", "/api/2.0/preview/scim/v2/Users/{id}", h2, 0},
    {"GET", "/healthz", h1, LH_ROUTE_NO_AUTH},
    {"*", "/api/{2.0|2.1}/jobs/{*}", h2, 0},
};

static void test_match(void)
{
    lh_router_t *r = lh_router_create();
    lh_router_add(r, routes, 6);
    lh_arena_t *a = lh_arena_create();
    lh_req_t req = {.arena = a};
    const lh_route_t *route = NULL;
    int idx = -1;
    T_EQ_INT(lh_router_match(r, "GET", "/api/2.1/clusters/get", &req, &route, &idx), LH_MATCH_OK);
    T_EQ_INT(idx, 0);
    T_EQ_INT(lh_router_match(r, "GET", "/api/2.0/clusters/get", &req, &route, &idx), LH_MATCH_OK);
    T_EQ_INT(lh_router_match(r, "GET", "/api/2.2/clusters/get", &req, &route, &idx),
             LH_MATCH_NO_PATH);
    T_EQ_INT(lh_router_match(r, "POST", "/api/2.1/clusters/get", &req, &route, &idx),
             LH_MATCH_NO_METHOD);
    T_EQ_INT(lh_router_match(r, "HEAD", "/healthz", &req, &route, &idx), LH_MATCH_OK);
    T_EQ_INT(lh_router_match(r, "DELETE", "/api/2.0/preview/scim/v2/Users/42", &req, &route, &idx),
             LH_MATCH_OK);
    T_CHECK(route->handler == h2);
    T_EQ_STR(lh_req_path_param(&req, 0), "42");
    T_EQ_INT(lh_router_match(r, "GET", "/api/2.0/preview/scim/v2/Users/", &req, &route, &idx),
             LH_MATCH_NO_PATH);
    T_EQ_INT(lh_router_match(r, "GET", "/healthz/", &req, &route, &idx), LH_MATCH_OK);
    T_EQ_INT(lh_router_match(r, "GET", "relative", &req, &route, &idx), LH_MATCH_NO_PATH);
    T_EQ_INT(lh_router_match(r, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n", &req, &route, &idx),
             LH_MATCH_NO_PATH);
    /* {*} takes one or more remaining segments, "*" any method */
    T_EQ_INT(lh_router_match(r, "PATCH", "/api/2.1/jobs/runs/get", &req, &route, &idx),
             LH_MATCH_OK);
    T_CHECK(route->handler == h2);
    T_EQ_INT(lh_router_match(r, "GET", "/api/2.0/jobs/list", &req, &route, &idx), LH_MATCH_OK);
    T_EQ_INT(lh_router_match(r, "GET", "/api/2.0/jobs", &req, &route, &idx), LH_MATCH_NO_PATH);
    lh_arena_destroy(a);
    lh_router_destroy(r);
}

int main(void)
{
    T_RUN(test_match);
    return T_DONE();
}
