/*
 * server.h - the process: configuration, start-up, the HTTP front end, shutdown.
 *
 * main.c parses flags into lh_config_t, lh_server_start builds the context (metastore,
 * areas, router) and starts libmicrohttpd; lh_server_stop reverses it.
 */
#ifndef LH_SERVER_H
#define LH_SERVER_H

#include <stdatomic.h>

#include "api/api.h"
#include "api/area.h"
#include "server/access_log.h"
#include "server/metrics.h"
#include "server/router.h"

typedef struct lh_config {
    char listen_host[256];
    int listen_port;
    char data_dir[4096];
    int http_threads; /* 0 = number of cores */
    int access_log;   /* 1 = one line per request on stderr */
    int max_inflight; /* open requests before new ones get 429 (LH_INFLIGHT_MAX) */
    int no_http;      /* 1 = do not listen (the fuzz target dispatches directly) */
    int bg_queue_cap; /* > 0 caps every background queue (LAKEHOUSE_TEST_BG_QUEUE_MAX) */
} lh_config_t;

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
    void *area_state[LH_SERVER_AREAS_MAX]; /* lh_areas[i]'s state, for created areas */
    int areas_created;                     /* lh_areas[0 .. areas_created-1] exist */
} lh_server_t;

void lh_config_default(lh_config_t *c);
/* Parse argv (--listen, --data-dir, --config, --threads, --no-access-log). */
lh_err lh_config_parse(lh_config_t *c, int argc, char **argv, lh_errbuf *eb);

lh_err lh_server_start(lh_server_t *s, lh_errbuf *eb);
void lh_server_stop(lh_server_t *s);

/* Dispatch one request already read (used by the HTTP glue and by the fuzz target). */
void lh_server_dispatch(lh_server_t *s, lh_req_t *req, int *route_index);

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

#endif
