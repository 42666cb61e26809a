/*
 * dispatch.c - one request from its headers to a rendered answer, independent of the
 * HTTP library (http.c drives it phase by phase; the fuzz target all at once):
 *   1. lh_server_route: match method + path (404 ENDPOINT_NOT_FOUND / 405 with Allow),
 *      authenticate the bearer token unless the route is NO_AUTH (401), admin check (403);
 *   2. lh_server_run: the handler;
 *   3. lh_server_render_error: an error becomes {"error_code","message"} with its status
 *      (SCIM's {"schemas","detail","status","scimType"} on LH_ROUTE_SCIM routes).
 */
#include "server/server.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/identity/identity.h"
#include "common/json.h"
#include "common/util.h"

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

/* 5xx other than 501/503 hide their text (SQLite messages, file paths) from the client. */
static int is_internal(lh_err code)
{
    return lh_err_http_status(code) >= 500 && code != LH_E_NOT_IMPLEMENTED &&
           code != LH_E_UNAVAILABLE;
}

/* RFC 7644 3.12: {schemas, detail, status (a string), scimType for 400/409}. error_code and
 * message ride along: the Python SDK reads detail/status (SCIM_<status>, classes by
 * status), the JS SDK reads only error_code/message and would otherwise see neither. */
static json_t *scim_error(const lh_errbuf *eb, int status, const char *msg)
{
    char st[8];
    snprintf(st, sizeof st, "%d", status);
    json_t *o = json_pack("{s:[s], s:s, s:s, s:s, s:s}", "schemas",
                          "urn:ietf:params:scim:api:messages:2.0:Error", "detail", msg, "status",
                          st, "error_code", lh_errbuf_code_name(eb), "message", msg);
    const char *type = status == 409                   ? "uniqueness"
                       : status != 400                 ? NULL
                       : strstr(msg, "filter") != NULL ? "invalidFilter"
                                                       : "invalidValue";
    if (type != NULL)
        json_object_set_new(o, "scimType", json_string(type));
    return o;
}

void lh_server_render_error(lh_req_t *req, const lh_errbuf *eb)
{
    const char *rid = req->request_id ? req->request_id : "-";
    const char *msg = eb->msg[0] ? eb->msg : lh_err_code_name(eb->code);
    char generic[200];
    if (is_internal(eb->code)) {
        lh_log(LH_LOG_ERROR, "%s %s -> %d %s at %s:%d (request %s): %s", req->method, req->path,
               lh_err_http_status(eb->code), lh_errbuf_code_name(eb), eb->file ? eb->file : "?",
               eb->line, rid, msg);
        snprintf(generic, sizeof generic,
                 "Internal error while handling the request; request id %s (see the server log)",
                 rid);
        msg = generic;
    }
    req->status = lh_err_http_status(eb->code);
    req->error_code = lh_errbuf_code_name(eb);
    req->error_message = lh_arena_strdup(req->arena, msg);
    if (req->out)
        json_decref(req->out);
    if (req->route != NULL && (req->route->flags & LH_ROUTE_SCIM))
        req->out = scim_error(eb, req->status, msg);
    else
        req->out = json_pack("{s:s, s:s}", "error_code", lh_errbuf_code_name(eb), "message", msg);
    req->text = NULL;
    req->content_type = NULL;
    if (eb->code == LH_E_LIMIT || eb->code == LH_E_UNAVAILABLE)
        lh_req_add_header(req, "Retry-After", "1");
}

/* The methods some route serves at this path, for 405's Allow header. A SCIM route among
 * them becomes req->route (never run: only its error shape is used), so a 405 under
 * /scim/v2/ is SCIM-shaped like every other error there. */
static const char *allowed_methods(lh_server_t *s, lh_req_t *req)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    char buf[64] = "";
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        const lh_route_t *r;
        int idx;
        if (lh_router_match(s->router, methods[i], req->path, req, &r, &idx) != LH_MATCH_OK)
            continue;
        if (r->flags & LH_ROUTE_SCIM)
            req->route = r;
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%s%s", n ? ", " : "", methods[i]);
    }
    req->path_param_count = 0;
    return lh_arena_strdup(req->arena, buf);
}

lh_err lh_server_route(lh_server_t *s, lh_req_t *req, int *route_index, lh_errbuf *eb)
{
    const lh_route_t *route = NULL;
    *route_index = -1;
    lh_match m = lh_router_match(s->router, req->method, req->path, req, &route, route_index);
    LH_FAIL_IF(m == LH_MATCH_NO_PATH, LH_E_NO_ENDPOINT, eb, "No API found for '%s %s'", req->method,
               req->path);
    if (m == LH_MATCH_NO_METHOD) {
        lh_req_add_header(req, "Allow", allowed_methods(s, req));
        LH_FAIL(LH_E_METHOD, eb, "Method %s is not allowed for %s", req->method, req->path);
    }
    req->route = route;
    if (!(route->flags & LH_ROUTE_NO_AUTH)) {
        lh_principal_t *p = lh_arena_calloc(req->arena, 1, sizeof *p);
        LH_TRY(authenticate(s, req, p, eb));
        req->principal = p;
    }
    if (route->flags & LH_ROUTE_ADMIN)
        LH_TRY(lh_req_require_admin(req, eb));
    return LH_OK;
}

void lh_server_run(lh_server_t *s, lh_req_t *req)
{
    (void)s;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    lh_err e = req->route->handler(req, &eb);
    if (e == LH_OK || req->suspend != NULL) /* a parked request is not ours to touch */
        return;
    if (eb.code != e) /* a handler returned a code without filling eb */
        lh_err_set(&eb, e, __FILE__, __LINE__, "%s", lh_err_code_name(e));
    lh_server_render_error(req, &eb);
}

void lh_server_dispatch(lh_server_t *s, lh_req_t *req, int *route_index)
{
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_server_route(s, req, route_index, &eb) != LH_OK) {
        lh_server_render_error(req, &eb);
        return;
    }
    lh_server_run(s, req);
}
