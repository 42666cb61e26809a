/*
 * server.c - start-up and shutdown of the whole daemon.
 *
 * Start:  data dir (created, must be writable) -> metastore (migrations) -> workspace id
 *         -> identity (+ bootstrap admin token) -> clusters (recovery) -> routes -> HTTP.
 * Stop:   quiesce HTTP (no new connections) -> finish in-flight requests -> areas (pools,
 *         threads) -> metastore. The reverse of start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/clusters/clusters.h"
#include "api/identity/identity.h"
#include "common/json.h"
#include "common/util.h"
#include "server/http.h"
#include "server/server.h"
#include "storage/meta/meta.h"

static lh_err prepare_data_dir(const char *dir, lh_errbuf *eb)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        LH_FAIL(LH_E_IO, eb, "cannot create data dir %s: %s", dir, strerror(errno));
    struct stat st;
    LH_FAIL_IF(stat(dir, &st) != 0 || !S_ISDIR(st.st_mode), LH_E_IO, eb,
               "data dir %s is not a directory", dir);
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.write-probe", dir);
    FILE *f = fopen(probe, "w");
    LH_FAIL_IF(f == NULL, LH_E_IO, eb, "data dir %s is not writable: %s", dir, strerror(errno));
    fclose(f);
    unlink(probe);
    return LH_OK;
}

typedef struct {
    int64_t id;
} ws_arg;

static lh_err load_workspace_id(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    ws_arg *a = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT value FROM settings WHERE key = 'workspace_id'", &st, eb));
    LH_TRY(lh_stmt_step(st, &row, eb));
    if (row) {
        a->id = strtoll(lh_stmt_text(st, 0), NULL, 10);
        return LH_OK;
    }
    uint64_t r;
    lh_random_bytes(&r, sizeof r);
    a->id = (int64_t)(1000000000000000ULL + r % 8000000000000000ULL);
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)a->id);
    LH_TRY(lh_meta_stmt(m, "INSERT INTO settings(key, value) VALUES ('workspace_id', ?)", &st, eb));
    lh_stmt_bind_text(st, 1, buf);
    return lh_stmt_run(st, eb);
}

/* Every area's route table, in match order. A new area adds one line here. */
const lh_route_table_fn lh_route_tables[] = {lh_ops_routes, lh_identity_routes, lh_clusters_routes,
                                             lh_pending_routes};
const int lh_route_table_count = sizeof lh_route_tables / sizeof lh_route_tables[0];

static void add_routes(lh_server_t *s)
{
    for (int t = 0; t < lh_route_table_count; t++) {
        int n = 0;
        const lh_route_t *r = lh_route_tables[t](&n);
        lh_router_add(s->router, r, n);
    }
}

lh_err lh_server_start(lh_server_t *s, lh_errbuf *eb)
{
    atomic_init(&s->inflight, 0);
    atomic_init(&s->ready, 0);
    s->ctx.server = s;
    s->ctx.data_dir = s->config.data_dir;
    lh_json_track_oom(); /* a request whose answer lost memory becomes a 500 (http.c) */
    snprintf(s->host_url, sizeof s->host_url, "http://%s:%d", s->config.listen_host,
             s->config.listen_port);
    s->ctx.workspace_host = s->host_url;
    LH_TRY(prepare_data_dir(s->config.data_dir, eb));
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.db", s->config.data_dir);
    LH_TRY(lh_meta_open(path, &s->ctx.meta, eb));
    ws_arg ws = {0};
    LH_TRY(lh_meta_tx(s->ctx.meta, load_workspace_id, &ws, eb));
    s->ctx.workspace_id = ws.id;
    snprintf(s->org_id, sizeof s->org_id, "%lld", (long long)ws.id);
    lh_random_bytes(s->request_id_seed, sizeof s->request_id_seed);
    atomic_init(&s->request_seq, 0);
    if (s->config.access_log)
        s->access_log = lh_access_log_create(2);
    LH_TRY(lh_identity_create(&s->ctx, &s->ctx.identity, eb));
    snprintf(path, sizeof path, "%s/admin-token", s->config.data_dir);
    LH_TRY(lh_identity_bootstrap(s->ctx.identity, getenv("LAKEHOUSE_ADMIN_TOKEN"), path,
                                 s->admin_token, sizeof s->admin_token, eb));
    LH_TRY(lh_clusters_create(&s->ctx, &s->ctx.clusters, eb));
    s->router = lh_router_create();
    add_routes(s);
    s->metrics = lh_metrics_create(lh_router_count(s->router));
    if (!s->config.no_http)
        LH_TRY(lh_http_start(s, eb));
    atomic_store(&s->ready, 1);
    return LH_OK;
}

void lh_server_stop(lh_server_t *s)
{
    atomic_store(&s->ready, 0);
    lh_http_quiesce(s);
    lh_http_stop(s);
    lh_access_log_destroy(s->access_log);
    s->access_log = NULL;
    lh_clusters_destroy(s->ctx.clusters);
    s->ctx.clusters = NULL;
    lh_identity_destroy(s->ctx.identity);
    s->ctx.identity = NULL;
    lh_metrics_destroy(s->metrics);
    s->metrics = NULL;
    lh_router_destroy(s->router);
    s->router = NULL;
    lh_meta_close(s->ctx.meta);
    s->ctx.meta = NULL;
}
