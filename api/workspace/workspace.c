/*
 * workspace.c - the workspace area: DBFS (dbfs.c, handles.c), the MLflow artifact proxy
 * (artifacts.c), the artifact-URI interface (uri.c) and the Workspace API (ws_objects.c over
 * ws_store.c, notebooks parsed by notebook.c).
 *
 * State (published as ctx->workspace): the two roots, the proxy's object store, the DBFS
 * streaming handles and one periodic background timer that expires idle handles and stale
 * multipart uploads. Start-up empties DATA_DIR/dbfs/.lh-staging (uploads cut by a crash or
 * handles a restart forgot); a restart keeps every published file. It also makes the
 * workspace's special folders and removes workspace content files no object names
 * (ws_store_recover).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/area.h"
#include "api/workspace/workspace_internal.h"
#include "common/bg.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/util.h"

lh_workspace_t *ws_of(const lh_req_t *req)
{
    return req->ctx->workspace;
}

static void reap(void *arg)
{
    lh_workspace_t *ws = arg;
    ws_handles_reap(ws, lh_mono_ns() / 1000000);
    int64_t now = lh_now_ms();
    if (now - ws->mpu_reaped_at_ms >= 60 * ws->minute_ms) { /* hourly is plenty */
        ws->mpu_reaped_at_ms = now;
        ws_mpu_reap(ws, now);
    }
}

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    lh_workspace_t *ws = calloc(1, sizeof *ws);
    LH_FAIL_IF(ws == NULL, LH_E_NOMEM, eb, "out of memory");
    ws->ctx = ctx;
    ws->minute_ms = ctx->config != NULL && ctx->config->test_minute_ms > 0
                        ? ctx->config->test_minute_ms
                        : 60000;
    snprintf(ws->dbfs_root, sizeof ws->dbfs_root, "%s/dbfs", ctx->data_dir);
    snprintf(ws->artifacts_root, sizeof ws->artifacts_root, "%s/mlflow-artifacts", ctx->data_dir);
    snprintf(ws->objects_dir, sizeof ws->objects_dir, "%s/workspace/objects", ctx->data_dir);
    pthread_mutex_init(&ws->mu, NULL);
    lh_err e = mkdir(ws->dbfs_root, 0755) == 0 || errno == EEXIST
                   ? LH_OK
                   : lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "cannot create %s: %s",
                                ws->dbfs_root, strerror(errno));
    if (e == LH_OK)
        e = lh_objstore_local_create(ws->artifacts_root, &ws->artifacts, eb);
    if (e != LH_OK) {
        pthread_mutex_destroy(&ws->mu);
        free(ws);
        return e;
    }
    ctx->workspace = ws;
    ws_store_register_perm(ws);
    *state = ws;
    return LH_OK;
}

static lh_err area_recover(void *state, lh_errbuf *eb)
{
    lh_workspace_t *ws = state;
    char staging[4200];
    snprintf(staging, sizeof staging, "%s/" WS_STAGING_DIR, ws->dbfs_root);
    LH_TRY(ws_fs_remove_tree(staging, eb));
    LH_TRY(ws_store_recover(ws, eb));
    ws->mpu_reaped_at_ms = lh_now_ms();
    ws_mpu_reap(ws, ws->mpu_reaped_at_ms);
    if (ws->ctx->bg == NULL)
        return LH_OK;
    int64_t period = ws->minute_ms / 4 > 10 ? ws->minute_ms / 4 : 10;
    return lh_bg_timer_add(ws->ctx->bg, NULL, period, period, reap, ws, &ws->reaper, eb);
}

static void area_destroy(void *state)
{
    lh_workspace_t *ws = state;
    if (ws->reaper != NULL)
        lh_bg_timer_cancel(ws->reaper);
    ws_handles_destroy(ws);
    lh_objstore_destroy(ws->artifacts);
    if (ws->ctx->workspace == ws)
        ws->ctx->workspace = NULL;
    pthread_mutex_destroy(&ws->mu);
    free(ws);
}

static void area_metrics(void *state, FILE *out)
{
    lh_workspace_t *ws = state;
    pthread_mutex_lock(&ws->mu);
    int n = ws->handle_count;
    pthread_mutex_unlock(&ws->mu);
    fprintf(out, "# TYPE lakehouse_dbfs_open_handles gauge\nlakehouse_dbfs_open_handles %d\n", n);
}

#define ART "/{api|ajax-api}/2.0/mlflow-artifacts"

static const lh_route_t routes[] = {
    {"GET", "/api/2.0/workspace/list", ws_h_ws_list, 0, NULL, 0},
    {"GET", "/api/2.0/workspace/get-status", ws_h_ws_get_status, 0, NULL, 0},
    {"POST", "/api/2.0/workspace/mkdirs", ws_h_ws_mkdirs, 0, NULL, 0},
    {"POST", "/api/2.0/workspace/delete", ws_h_ws_delete, 0, NULL, 0},
    {"POST", "/api/2.0/workspace/import", ws_h_ws_import, LH_ROUTE_STREAM, NULL,
     WS_IMPORT_JSON_MAX + 1024 * 1024},
    {"GET", "/api/2.0/workspace/export", ws_h_ws_export, 0, NULL, 0},
    {"GET", "/api/2.0/dbfs/list", ws_h_dbfs_list, 0, NULL, 0},
    {"GET", "/api/2.0/dbfs/get-status", ws_h_dbfs_get_status, 0, NULL, 0},
    {"POST", "/api/2.0/dbfs/mkdirs", ws_h_dbfs_mkdirs, 0, NULL, 0},
    {"POST", "/api/2.0/dbfs/delete", ws_h_dbfs_delete, 0, NULL, 0},
    {"POST", "/api/2.0/dbfs/move", ws_h_dbfs_move, 0, NULL, 0},
    {"POST", "/api/2.0/dbfs/put", ws_h_dbfs_put, LH_ROUTE_STREAM, NULL, LH_FILES_UPLOAD_MAX},
    {"GET", "/api/2.0/dbfs/read", ws_h_dbfs_read, 0, NULL, 0},
    {"POST", "/api/2.0/dbfs/create", ws_h_dbfs_create, 0, NULL, 0},
    {"POST", "/api/2.0/dbfs/add-block", ws_h_dbfs_add_block, 0, NULL, WS_DBFS_ADD_BLOCK_BODY_MAX},
    {"POST", "/api/2.0/dbfs/close", ws_h_dbfs_close, 0, NULL, 0},
    {"GET", "/dbfs/{*}", ws_h_dbfs_raw_get, 0, NULL, 0},
    {"POST", "/dbfs/{*}", ws_h_dbfs_raw_put, LH_ROUTE_STREAM, NULL, LH_FILES_UPLOAD_MAX},
    {"PUT", "/dbfs/{*}", ws_h_dbfs_raw_put, LH_ROUTE_STREAM, NULL, LH_FILES_UPLOAD_MAX},
    {"GET", ART "/artifacts", ws_h_art_list, 0, NULL, 0},
    {"GET", ART "/artifacts/{*}", ws_h_art_get, 0, NULL, 0},
    {"PUT", ART "/artifacts/{*}", ws_h_art_put, LH_ROUTE_STREAM, NULL, 0},
    {"DELETE", ART "/artifacts/{*}", ws_h_art_delete, 0, NULL, 0},
    {"POST", ART "/mpu/create", ws_h_mpu_create, 0, NULL, 0},
    {"POST", ART "/mpu/create/{*}", ws_h_mpu_create, 0, NULL, 0},
    {"POST", ART "/mpu/complete", ws_h_mpu_complete, 0, NULL, 0},
    {"POST", ART "/mpu/complete/{*}", ws_h_mpu_complete, 0, NULL, 0},
    {"POST", ART "/mpu/abort", ws_h_mpu_abort, 0, NULL, 0},
    {"POST", ART "/mpu/abort/{*}", ws_h_mpu_abort, 0, NULL, 0},
    /* the part URLs handed out by mpu/create: the upload id is the capability (artifacts.c) */
    {"PUT", "/api/2.0/mlflow-artifacts/mpu/parts/{upload_id}/{part_number}", ws_h_mpu_part,
     LH_ROUTE_NO_AUTH | LH_ROUTE_STREAM, NULL, 0},
};

static const lh_route_t *area_routes(int *count)
{
    *count = (int)(sizeof routes / sizeof routes[0]);
    return routes;
}

const lh_area_t lh_workspace_area = {
    .name = "workspace",
    .create = area_create,
    .recover = area_recover,
    .routes = area_routes,
    .render_metrics = area_metrics,
    .destroy = area_destroy,
};
