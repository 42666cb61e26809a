/*
 * api.h - what every product area (api/<area>/) implements and what server/ calls.
 *
 * An area exports a route table: data, not code. Each route names a method, a path
 * pattern and a handler. Patterns are '/'-separated segments, each one of:
 *   literal        "clusters"
 *   alternatives   "{2.0|2.1}"   (version aliases served by the same handler)
 *   capture        "{id}"        (any one segment; read with lh_req_path_param)
 *   rest           "{*}"         (last only: one or more further segments)
 * The method "*" matches every method (used for areas that answer 501 until built).
 *
 * A handler is thin: read typed parameters from req->params (query string and JSON body
 * merged, body wins; numbers-as-strings and string booleans accepted by common/json),
 * call the area's logic, put the answer in req->out. It returns LH_OK, or an lh_err with
 * eb filled; server/ renders errors as {"error_code","message"} with the status from
 * lh_err_http_status. A NULL req->out renders as {} (every success body is JSON).
 *
 * Handlers run on HTTP threads: long work is queued to pools and polled, never waited.
 */
#ifndef LH_API_H
#define LH_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"

struct lh_meta;
struct lh_identity;
struct lh_clusters;
struct lh_perm;

/* Daemon-wide services, built once by server/main.c and passed down. */
typedef struct lh_ctx {
    struct lh_meta *meta;
    const char *data_dir;
    const char *workspace_host; /* e.g. "http://127.0.0.1:8080" */
    int64_t workspace_id;
    struct lh_identity *identity;
    struct lh_clusters *clusters;
    struct lh_perm *perm; /* object permissions and entitlements (api/perm.h) */
    void *server;         /* server-private (the lh_server_t); areas must not use it */
} lh_ctx_t;

/* Who is calling (filled by server/ from the bearer token). */
typedef struct lh_principal {
    int64_t user_id;
    const char *user_name;
    bool is_admin;
    bool is_service_principal; /* user_name is then the application id */
} lh_principal_t;

#define LH_REQ_HEADERS_MAX     8
#define LH_REQ_PATH_PARAMS_MAX 4

typedef struct lh_req {
    lh_ctx_t *ctx;
    lh_arena_t *arena; /* everything below lives until the response is sent */
    const char *method;
    const char *path;
    json_t *params;   /* merged query + body object; never NULL */
    const char *body; /* raw body (may be NULL) */
    size_t body_bytes;
    const char *path_params[LH_REQ_PATH_PARAMS_MAX];
    int path_param_count;
    const struct lh_route *route;                                /* the matched route */
    const lh_principal_t *principal;                             /* NULL on routes without auth */
    const char *(*header)(struct lh_req *req, const char *name); /* request header or NULL */
    void *conn;                                                  /* server-private */

    /* the response */
    int status;               /* 0 = 200 */
    json_t *out;              /* owned by the request; NULL = {} */
    const char *content_type; /* NULL = application/json */
    const char *text;         /* raw body instead of out (e.g. metrics), arena-owned */
    size_t text_bytes;
    int header_count;
    const char *header_names[LH_REQ_HEADERS_MAX];
    const char *header_values[LH_REQ_HEADERS_MAX];
} lh_req_t;

typedef lh_err (*lh_handler_fn)(lh_req_t *req, lh_errbuf *eb);

enum {
    LH_ROUTE_NO_AUTH = 1u << 0, /* reachable without a token */
    LH_ROUTE_ADMIN = 1u << 1,   /* admins only (403 otherwise) */
};

typedef struct lh_route {
    const char *method;
    const char *pattern;
    lh_handler_fn handler;
    unsigned flags;
    const void *data; /* optional, for handlers shared by several routes (req->route->data) */
} lh_route_t;

/* i-th {capture} of the matched pattern, or NULL. */
static inline const char *lh_req_path_param(const lh_req_t *req, int i)
{
    return i < req->path_param_count ? req->path_params[i] : NULL;
}

/* Add a response header (name and value must outlive the request: literals or arena). */
void lh_req_add_header(lh_req_t *req, const char *name, const char *value);

/* Require an admin principal: LH_E_PERMISSION otherwise. */
lh_err lh_req_require_admin(const lh_req_t *req, lh_errbuf *eb);

#endif
