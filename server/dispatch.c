/*
 * dispatch.c - one request from matched route to rendered answer, independent of the
 * HTTP library (the fuzz target drives it directly):
 *   1. match method + path (404 ENDPOINT_NOT_FOUND / 405);
 *   2. authenticate the bearer token unless the route is NO_AUTH (401), admin check (403);
 *   3. run the handler; an error becomes {"error_code","message"} with its status.
 */
#include "server/server.h"

#include <string.h>
#include <strings.h>

#include "api/identity/identity.h"
#include "common/json.h"

static lh_err authenticate(lh_server_t *s, lh_req_t *req, lh_principal_t *p, lh_errbuf *eb)
{
    const char *auth = req->header ? req->header(req, "Authorization") : NULL;
    LH_FAIL_IF(auth == NULL, LH_E_UNAUTHENTICATED, eb,
               "Credential was not sent or was of an unsupported type for this API.");
    LH_FAIL_IF(strncasecmp(auth, "Bearer ", 7) != 0, LH_E_UNAUTHENTICATED, eb,
               "Authorization header must be 'Bearer <token>'");
    const char *token = auth + 7;
    while (*token == ' ')
        token++;
    return lh_identity_authenticate(s->ctx.identity, token, req->arena, p, eb);
}

static void render_error(lh_req_t *req, const lh_errbuf *eb)
{
    req->status = lh_err_http_status(eb->code);
    if (req->out)
        json_decref(req->out);
    req->out = json_pack("{s:s, s:s}", "error_code", lh_errbuf_code_name(eb), "message",
                         eb->msg[0] ? eb->msg : lh_err_code_name(eb->code));
    req->text = NULL;
    req->content_type = NULL;
    if (eb->code == LH_E_LIMIT || eb->code == LH_E_UNAVAILABLE)
        lh_req_add_header(req, "Retry-After", "1");
}

void lh_server_dispatch(lh_server_t *s, lh_req_t *req, int *route_index)
{
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    const lh_route_t *route = NULL;
    *route_index = -1;
    lh_match m = lh_router_match(s->router, req->method, req->path, req, &route, route_index);
    if (m == LH_MATCH_NO_PATH) {
        lh_err_set(&eb, LH_E_NO_ENDPOINT, __FILE__, __LINE__, "No API found for '%s %s'",
                   req->method, req->path);
        render_error(req, &eb);
        return;
    }
    if (m == LH_MATCH_NO_METHOD) {
        lh_err_set(&eb, LH_E_METHOD, __FILE__, __LINE__, "Method %s is not allowed for %s",
                   req->method, req->path);
        render_error(req, &eb);
        return;
    }
    req->route = route;
    lh_principal_t *p = lh_arena_calloc(req->arena, 1, sizeof *p);
    lh_err e = LH_OK;
    if (!(route->flags & LH_ROUTE_NO_AUTH)) {
        e = authenticate(s, req, p, &eb);
        if (e == LH_OK)
            req->principal = p;
    }
    if (e == LH_OK && (route->flags & LH_ROUTE_ADMIN))
        e = lh_req_require_admin(req, &eb);
    if (e == LH_OK)
        e = route->handler(req, &eb);
    if (e != LH_OK) {
        if (eb.code != e) /* a handler returned a code without filling eb */
            lh_err_set(&eb, e, __FILE__, __LINE__, "%s", lh_err_code_name(e));
        render_error(req, &eb);
    }
}
