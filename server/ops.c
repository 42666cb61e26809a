/*
 * ops.c - the server's own routes: /healthz (no auth), /metrics (Prometheus text, no
 * auth so scrapers need no token), /.well-known/databricks-config (the SDK's start-up
 * probe; answered at once). /metrics adds every area's gauges and the background
 * service's queue counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

static lh_err healthz(lh_req_t *req, lh_errbuf *eb)
{
    lh_server_t *s = req->ctx->server;
    LH_FAIL_IF(!atomic_load(&s->ready), LH_E_UNAVAILABLE, eb, "starting up");
    req->out = json_pack("{s:s}", "status", "ok");
    return LH_OK;
}

static const char *route_label(void *ctx, int i)
{
    const lh_route_t *r = lh_router_get(ctx, i);
    static _Thread_local char buf[300];
    snprintf(buf, sizeof buf, "%s %s", r->method, r->pattern);
    return buf;
}

static lh_err metrics(lh_req_t *req, lh_errbuf *eb)
{
    lh_server_t *s = req->ctx->server;
    char *text = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&text, &n);
    LH_FAIL_IF(out == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_metrics_render(s->metrics, out, route_label, s->router);
    lh_server_render_area_metrics(s, out);
    fclose(out);
    req->text = lh_arena_strndup(req->arena, text, n);
    req->text_bytes = n;
    free(text);
    req->content_type = "text/plain; version=0.0.4";
    return LH_OK;
}

static lh_err well_known(lh_req_t *req, lh_errbuf *eb)
{
    (void)eb;
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)req->ctx->workspace_id);
    req->out = json_pack("{s:s, s:s}", "workspace_id", id, "cloud", "lakehouse");
    return LH_OK;
}

static const lh_route_t ops_routes[] = {
    {"GET", "/healthz", healthz, LH_ROUTE_NO_AUTH},
    {"GET", "/metrics", metrics, LH_ROUTE_NO_AUTH},
    {"GET", "/.well-known/databricks-config", well_known, LH_ROUTE_NO_AUTH},
};

const lh_route_t *lh_ops_routes(int *count)
{
    *count = (int)(sizeof ops_routes / sizeof ops_routes[0]);
    return ops_routes;
}
