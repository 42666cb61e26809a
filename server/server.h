/*
 * server.h - the process: configuration, start-up, the HTTP front end, shutdown.
 *
 * main.c parses flags into lh_config_t, lh_server_start builds the context (metastore,
 * areas, router) and starts libmicrohttpd; lh_server_stop reverses it.
 */
#ifndef LH_SERVER_H
#define LH_SERVER_H

#include <pthread.h>
#include <stdatomic.h>

#include "api/api.h"
#include "common/config.h"
#include "api/area.h"
#include "server/access_log.h"
#include "server/metrics.h"
#include "server/router.h"

/* Areas served (the length of lh_areas). */
#define LH_SERVER_AREAS_MAX 32

typedef struct lh_server {
    lh_config_t config;
    lh_ctx_t ctx;
    lh_router_t *router;
    lh_metrics_t *metrics;
    struct MHD_Daemon *mhd;
    atomic_int inflight;
    atomic_int ready;
    lh_access_log_t *access_log; /* NULL when --no-access-log */
    unsigned char request_id_seed[16];
    atomic_uint_fast64_t request_seq;
    char org_id[32]; /* X-Databricks-Org-Id value */
    char admin_token[128];
    char host_url[300];
    int listen_fd;        /* bound by lh_http_prepare until libmicrohttpd takes it; else -1 */
    int lock_fd;          /* DATA_DIR/lakehoused.lock, flock'ed for the process's life */
    int created_data_dir; /* this start made DATA_DIR (removed again if start fails) */
    char *tls_pem[2];
    pthread_mutex_t openapi_mu; /* guards the lazily made JSON form of the spec */
    char *openapi_json;
    size_t openapi_json_bytes;             /* certificate and key, kept for libmicrohttpd */
    struct lh_suspender *suspender;        /* parked requests and their deadlines (suspend.c) */
    struct lh_test_routes *test;           /* LAKEHOUSE_TEST_ROUTES state (test_routes.c) */
    void *area_state[LH_SERVER_AREAS_MAX]; /* lh_areas[i]'s state, for created areas */
    int areas_created;                     /* lh_areas[0 .. areas_created-1] exist */
} lh_server_t;

void lh_config_default(lh_config_t *c);
/* Fill c from --config FILE, the environment and argv (see config.c for precedence). */
lh_err lh_config_parse(lh_config_t *c, int argc, char **argv, lh_errbuf *eb);
/* --help text, generated from the option table. */
void lh_config_usage(FILE *out);

/* Start everything; on failure call lh_server_stop, then lh_server_cleanup_failed_start. */
lh_err lh_server_start(lh_server_t *s, lh_errbuf *eb);
void lh_server_stop(lh_server_t *s);
/* After a failed start: remove DATA_DIR if this start created it (so a failure leaves no
 * half-made data folder). */
void lh_server_cleanup_failed_start(lh_server_t *s);

/* The request path, in the order the HTTP glue calls it:
 *   lh_server_route   on the headers: match the route, authenticate, check admin
 *                     (LH_OK or an error in eb; nothing of the body is read yet);
 *   lh_server_run     with the body in params (buffered) or none yet (streamed): the
 *                     handler;
 *   lh_server_render_error  the one place an error becomes {"error_code","message"}
 *                     with its status (a 5xx is logged once with file:line and the
 *                     request id; the client sees a generic message with the id).
 * lh_server_dispatch runs all three on a request already read (the fuzz target). */
lh_err lh_server_route(lh_server_t *s, lh_req_t *req, int *route_index, lh_errbuf *eb);
void lh_server_run(lh_server_t *s, lh_req_t *req);
void lh_server_render_error(lh_req_t *req, const lh_errbuf *eb);
void lh_server_dispatch(lh_server_t *s, lh_req_t *req, int *route_index);

/* suspend.c: parked requests (api.h's lh_req_suspend) with deadlines on one timer. */
typedef struct lh_suspender lh_suspender_t;
lh_err lh_suspender_create(lh_server_t *s, lh_suspender_t **out, lh_errbuf *eb);
/* Answer every parked request with 503 (shutdown) and stop the timer. */
void lh_suspender_drain(lh_suspender_t *sp);
void lh_suspender_destroy(lh_suspender_t *sp);
extern const lh_req_ops_t lh_server_req_ops;

/* test_routes.c: routes served only with LAKEHOUSE_TEST_ROUTES=1 (streamed blobs, parked
 * requests, the process's peak RSS) for the black-box tests of the request path. */
const lh_route_t *lh_test_routes(int *count);
lh_err lh_test_routes_create(lh_server_t *s, lh_errbuf *eb);
void lh_test_routes_destroy(lh_server_t *s);

/* The areas served, in start order (server/areas.c); see api/area.h for what server/
 * does with each row. */
extern const lh_area_t *const lh_areas[];
extern const int lh_area_count;

/* All route tables served, in match order: the ops routes, each area's (list order),
 * the pending 501 routes last. Table i of lh_route_table_count(); NULL with *count = 0
 * for an area without routes. */
int lh_route_table_count(void);
const lh_route_t *lh_route_table(int i, int *count);

/* Every created area's metrics and the background service's, for /metrics. */
void lh_server_render_area_metrics(lh_server_t *s, FILE *out);

/* Areas not built yet: every method under their prefixes answers 501 NOT_IMPLEMENTED.
 * Matched last, after every real route. */
const lh_route_t *lh_pending_routes(int *count);

/* The server's own routes: /healthz, /metrics, /.well-known/databricks-config. */
const lh_route_t *lh_ops_routes(int *count);
/* GET /openapi.yaml and /openapi.json (openapi.c). */
const lh_route_t *lh_openapi_routes(int *count);

#endif
