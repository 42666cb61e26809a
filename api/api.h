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
 *
 * Bodies (the route row's flags and body_max):
 *   buffered (default)  the whole body, up to body_max (0 = LH_REQUEST_BODY_MAX) bytes, is
 *                       read into the arena and parsed as JSON into params before the
 *                       handler runs; a larger one is 413 before it is read.
 *   LH_ROUTE_STREAM     the handler runs as soon as the headers are in (params hold only
 *                       the query string) and hands the body to a sink with
 *                       lh_req_stream_body; the sink gets bounded chunks, then finish (which
 *                       answers) or, if the client goes away or a write fails, abort.
 * Responses: JSON (out), text, a file (lh_req_send_file) or a generator
 * (lh_req_send_stream); files and sized generators honour Range (206, Content-Range).
 * Waiting: lh_req_suspend parks the request without holding an HTTP thread; another
 * thread answers it with lh_req_resume, or the deadline does (see below).
 */
#ifndef LH_API_H
#define LH_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/arena.h"
#include "common/err.h"

struct lh_meta;
struct lh_identity;
struct lh_clusters;
struct lh_perm;
struct lh_secrets;
struct lh_bg;
struct lh_statements;
struct lh_resolver;
struct lh_warehouses;
struct lh_sql_sessions;
struct lh_registry;
struct lh_workspace;
struct lh_notify;
struct lh_jobs;

/* Daemon-wide services, built once by server/main.c and passed down. */
typedef struct lh_ctx {
    const struct lh_config *config; /* runtime settings (common/config.h), read-only */
    struct lh_meta *meta;
    const char *data_dir;
    const char *workspace_host; /* e.g. "http://127.0.0.1:8080" */
    int64_t workspace_id;
    struct lh_identity *identity;
    struct lh_clusters *clusters;
    struct lh_perm *perm; /* object permissions and entitlements (api/perm.h) */
    struct lh_secrets *secrets;
    struct lh_bg *bg;
    const struct lh_resolver *resolver;   /* names and DDL for the engine (api/catalog) */
    struct lh_warehouses *warehouses;     /* SQL warehouses (api/sql/warehouses.h) */
    struct lh_statements *statements;     /* the Statement Execution API (api/sql) */
    struct lh_sql_sessions *sql_sessions; /* its sessions (api/sql/sessions.h) */
    struct lh_registry *registry;         /* the model registry (api/mlflow/registry) */
    struct lh_workspace *workspace;       /* DBFS and the artifact proxy (api/workspace) */
    struct lh_notify *notify;             /* webhooks and email (api/notify.h) */
    struct lh_jobs *jobs;                 /* the Jobs area (api/jobs/jobs_internal.h) */
    void *server; /* server-private (the lh_server_t); areas must not use it */
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

struct lh_req;
struct lh_suspend;

/* A streamed request body's consumer. write gets the body in order, in chunks of at most
 * a few hundred KiB; finish runs once after the last byte and answers the request (it may
 * set req->out etc. like a handler); abort runs instead of finish when the body does not
 * arrive whole (client gone, a write failed) and must undo what write did. Exactly one of
 * finish and abort runs, on an HTTP thread. */
typedef struct lh_body_sink {
    lh_err (*write)(void *state, const char *data, size_t bytes, lh_errbuf *eb);
    lh_err (*finish)(void *state, struct lh_req *req, lh_errbuf *eb);
    void (*abort)(void *state);
} lh_body_sink_t;

/* A streamed response body. read copies up to max bytes starting at offset into buf and
 * returns how many (0 = the end; -1 = an error, which cuts the connection). Offsets grow
 * monotonically unless the generator is sized (Range). close runs once when the response
 * is done or abandoned. */
typedef struct lh_body_gen {
    ssize_t (*read)(void *state, uint64_t offset, char *buf, size_t max);
    void (*close)(void *state);
} lh_body_gen_t;

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
    const char *request_id;                                      /* X-Request-Id */
    const char *error_code, *error_message; /* set when an error was rendered (for the log) */
    void *conn;                             /* server-private */

    /* the response */
    int status;               /* 0 = 200 */
    json_t *out;              /* owned by the request; NULL = {} */
    const char *content_type; /* NULL = application/json */
    const char *text;         /* raw body instead of out (e.g. metrics), arena-owned */
    size_t text_bytes;
    int header_count;
    const char *header_names[LH_REQ_HEADERS_MAX];
    const char *header_values[LH_REQ_HEADERS_MAX];

    /* streamed bodies, files, generators and suspension (set through the lh_req_* calls) */
    const lh_body_sink_t *sink;
    void *sink_state;
    bool has_file; /* answer with file_fd (owned and closed by the server) */
    int file_fd;
    const lh_body_gen_t *gen; /* non-NULL: answer with this generator */
    void *gen_state;
    int64_t body_size;            /* file or generator size in bytes; -1 = unknown (chunked) */
    struct lh_suspend *suspend;   /* non-NULL while parked */
    const struct lh_req_ops *ops; /* server-private */
} lh_req_t;

typedef lh_err (*lh_handler_fn)(lh_req_t *req, lh_errbuf *eb);

enum {
    LH_ROUTE_NO_AUTH = 1u << 0, /* reachable without a token */
    LH_ROUTE_ADMIN = 1u << 1,   /* admins only (403 otherwise) */
    LH_ROUTE_STREAM = 1u << 2,  /* body streamed to a sink (see above), not buffered */
    LH_ROUTE_SCIM = 1u << 3,    /* errors in SCIM's shape (RFC 7644 3.12; server/dispatch.c) */
};

typedef struct lh_route {
    const char *method;
    const char *pattern;
    lh_handler_fn handler;
    unsigned flags;
    const void *data;  /* optional, for handlers shared by several routes (req->route->data) */
    uint64_t body_max; /* bytes; 0 = LH_REQUEST_BODY_MAX (buffered) or no limit (streamed) */
} lh_route_t;

/* i-th {capture} of the matched pattern, or NULL. */
static inline const char *lh_req_path_param(const lh_req_t *req, int i)
{
    return i < req->path_param_count ? req->path_params[i] : NULL;
}

/* Add a response header (name and value must outlive the request: literals or arena). */
void lh_req_add_header(lh_req_t *req, const char *name, const char *value);

/* LH_ROUTE_STREAM routes: consume the body with sink (state is the sink's). Call from the
 * handler; a handler that returns LH_OK without calling it has the body discarded. */
void lh_req_stream_body(lh_req_t *req, const lh_body_sink_t *sink, void *state);

/* Answer with an open file (fd is owned and closed by the server, also on error paths)
 * of size bytes; Range requests get 206 with the asked part. */
void lh_req_send_file(lh_req_t *req, int fd, uint64_t size, const char *content_type);

/* Answer with a generator; size -1 = unknown (chunked, no Range), else Range works. */
void lh_req_send_stream(lh_req_t *req, const lh_body_gen_t *gen, void *state, int64_t size,
                        const char *content_type);

/*
 * Suspension: a handler that must wait (a statement's wait_timeout) parks its request:
 *
 *   t = lh_req_suspend(req, timeout_ms, on_deadline, arg);  return LH_OK;
 *   ... later, any thread:   lh_req_resume(t, fill, arg2);
 *
 * After lh_req_suspend the handler must return LH_OK at once and not touch req again:
 * from then on exactly one of these answers it, whichever comes first:
 *   - lh_req_resume: runs fill(req, arg2, eb) on the caller's thread to set the answer;
 *   - the deadline: runs on_deadline(req, arg, eb) on the server's timer thread;
 *   - shutdown: 503 TEMPORARILY_UNAVAILABLE.
 * An error returned by fill / on_deadline renders like a handler's. No HTTP thread waits.
 * The ticket t stays valid until lh_req_resume or lh_suspend_release is called on it
 * (exactly once); lh_req_resume returns false when the request was already answered.
 */
typedef lh_err (*lh_fill_fn)(lh_req_t *req, void *arg, lh_errbuf *eb);
typedef struct lh_suspend {
    const struct lh_req_ops *ops; /* the server's ticket starts with this */
} lh_suspend_t;
lh_suspend_t *lh_req_suspend(lh_req_t *req, int64_t timeout_ms, lh_fill_fn on_deadline, void *arg);
bool lh_req_resume(lh_suspend_t *t, lh_fill_fn fill, void *arg);
void lh_suspend_release(lh_suspend_t *t);

/* What the server provides behind the calls above (server-private). */
typedef struct lh_req_ops {
    lh_suspend_t *(*suspend)(lh_req_t *req, int64_t timeout_ms, lh_fill_fn on_deadline, void *arg);
    bool (*resume)(lh_suspend_t *t, lh_fill_fn fill, void *arg);
    void (*release)(lh_suspend_t *t);
} lh_req_ops_t;

/* Require an admin principal: LH_E_PERMISSION otherwise. */
lh_err lh_req_require_admin(const lh_req_t *req, lh_errbuf *eb);

#endif
