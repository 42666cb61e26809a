/*
 * server.c - start-up and shutdown of the whole daemon.
 *
 * Start:  TLS files and the listening socket -> data dir (created, must be writable, locked
 *         against a second daemon) -> metastore (migrations) -> workspace id
 *         -> background service (ctx->bg) -> notification sender (ctx->notify) -> access log
 *         -> every area's create (list order, server/areas.c) -> bootstrap admin token
 *         -> every area's recover -> routes -> request timer -> HTTP.
 * Stop:   quiesce HTTP (no new connections) -> parked requests answered 503 -> finish
 *         in-flight requests -> access log -> areas' destroy (reverse order: timers
 *         cancelled, queues drained, pools stopped) -> notification sender -> background
 *         service -> metastore.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/identity/identity.h"
#include "api/notify.h"
#include "common/bg.h"
#include "common/json.h"
#include "common/util.h"
#include "server/http.h"
#include "server/server.h"
#include "storage/meta/meta.h"

static lh_err prepare_data_dir(lh_server_t *s, const char *dir, lh_errbuf *eb)
{
    if (mkdir(dir, 0700) == 0)
        s->created_data_dir = 1;
    else if (errno != EEXIST)
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

/* One daemon per data folder: an exclusive flock on DATA_DIR/lakehoused.lock, held for the
 * process's life (the kernel drops it when the process dies, even by kill -9), with our
 * pid written in it so the refusal can name the holder. */
static lh_err lock_data_dir(lh_server_t *s, const char *dir, lh_errbuf *eb)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/lakehoused.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot open %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        close(fd);
        LH_FAIL(LH_E_STATE, eb, "data dir %s is in use by another lakehoused (pid %s)", dir,
                pid[0] ? pid : "unknown");
    }
    char text[32];
    int n = snprintf(text, sizeof text, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
        close(fd);
        LH_FAIL(LH_E_IO, eb, "cannot write %s: %s", path, strerror(errno));
    }
    s->lock_fd = fd;
    return LH_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void lh_server_cleanup_failed_start(lh_server_t *s)
{
    if (s->created_data_dir)
        nftw(s->config.data_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    s->created_data_dir = 0;
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

static lh_err create_areas(lh_server_t *s, lh_errbuf *eb)
{
    for (; s->areas_created < lh_area_count; s->areas_created++) {
        const lh_area_t *a = lh_areas[s->areas_created];
        void *state = NULL;
        if (a->create != NULL)
            LH_TRY(a->create(&s->ctx, &state, eb));
        s->area_state[s->areas_created] = state;
    }
    return LH_OK;
}

static lh_err recover_areas(lh_server_t *s, lh_errbuf *eb)
{
    for (int i = 0; i < s->areas_created; i++) {
        if (lh_areas[i]->recover != NULL)
            LH_TRY(lh_areas[i]->recover(s->area_state[i], eb));
    }
    return LH_OK;
}

static void destroy_areas(lh_server_t *s)
{
    for (; s->areas_created > 0; s->areas_created--) {
        int i = s->areas_created - 1;
        if (lh_areas[i]->destroy != NULL)
            lh_areas[i]->destroy(s->area_state[i]);
        s->area_state[i] = NULL;
    }
}

static void add_routes(lh_server_t *s)
{
    for (int t = 0; t < lh_route_table_count(); t++) {
        int n = 0;
        if (t == lh_route_table_count() - 1 && s->config.test_routes) { /* before the 501s */
            const lh_route_t *r = lh_test_routes(&n);
            lh_router_add(s->router, r, n);
        }
        const lh_route_t *r = lh_route_table(t, &n);
        if (n > 0)
            lh_router_add(s->router, r, n);
    }
}

lh_err lh_server_start(lh_server_t *s, lh_errbuf *eb)
{
    atomic_init(&s->inflight, 0);
    pthread_mutex_init(&s->openapi_mu, NULL);
    atomic_init(&s->ready, 0);
    s->ctx.server = s;
    s->ctx.config = &s->config;
    s->ctx.data_dir = s->config.data_dir;
    lh_json_track_oom(); /* a request whose answer lost memory becomes a 500 (http.c) */
    s->ctx.workspace_host = s->host_url;
    s->listen_fd = s->lock_fd = -1;
    if (!s->config.no_http)
        LH_TRY(lh_http_prepare(s, eb)); /* network and TLS first: no data dir touched yet */
    LH_TRY(prepare_data_dir(s, s->config.data_dir, eb));
    LH_TRY(lock_data_dir(s, s->config.data_dir, eb));
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.db", s->config.data_dir);
    LH_TRY(lh_meta_open(path, &s->ctx.meta, eb));
    ws_arg ws = {0};
    LH_TRY(lh_meta_tx(s->ctx.meta, load_workspace_id, &ws, eb));
    s->ctx.workspace_id = ws.id;
    snprintf(s->org_id, sizeof s->org_id, "%lld", (long long)ws.id);
    lh_random_bytes(s->request_id_seed, sizeof s->request_id_seed);
    atomic_init(&s->request_seq, 0);
    LH_TRY(lh_bg_create(s->config.bg_queue_cap, &s->ctx.bg, eb));
    lh_notify_config_t nc = {.smtp_url = s->config.smtp_url,
                             .smtp_from = s->config.smtp_from,
                             .smtp_user = s->config.smtp_user,
                             .smtp_password = s->config.smtp_password};
    LH_TRY(lh_notify_create(s->ctx.bg, &nc, &s->ctx.notify, eb));
    if (s->config.access_log)
        LH_TRY(lh_access_log_create(2, s->ctx.bg, &s->access_log, eb));
    LH_TRY(create_areas(s, eb));
    snprintf(path, sizeof path, "%s/admin-token", s->config.data_dir);
    LH_TRY(lh_identity_bootstrap(s->ctx.identity,
                                 s->config.admin_token[0] ? s->config.admin_token : NULL, path,
                                 s->admin_token, sizeof s->admin_token, eb));
    LH_TRY(recover_areas(s, eb));
    if (s->config.test_routes)
        LH_TRY(lh_test_routes_create(s, eb));
    s->router = lh_router_create();
    add_routes(s);
    s->metrics = lh_metrics_create(lh_router_count(s->router));
    if (!s->config.no_http) {
        LH_TRY(lh_suspender_create(s, &s->suspender, eb));
        LH_TRY(lh_http_start(s, eb)); /* sets the real port when 0 was asked */
    }
    snprintf(s->host_url, sizeof s->host_url, "%s://%s:%d",
             s->config.tls_cert[0] ? "https" : "http", s->config.listen_host,
             s->config.listen_port);
    atomic_store(&s->ready, 1);
    return LH_OK;
}

void lh_server_stop(lh_server_t *s)
{
    atomic_store(&s->ready, 0);
    lh_http_quiesce(s);
    lh_suspender_drain(s->suspender); /* parked requests get 503 before connections close */
    lh_http_stop(s);
    lh_suspender_destroy(s->suspender);
    s->suspender = NULL;
    lh_test_routes_destroy(s);
    lh_access_log_destroy(s->access_log);
    s->access_log = NULL;
    destroy_areas(s);
    lh_notify_destroy(s->ctx.notify); /* after the areas that send, before bg */
    s->ctx.notify = NULL;
    lh_bg_destroy(s->ctx.bg);
    s->ctx.bg = NULL;
    lh_metrics_destroy(s->metrics);
    s->metrics = NULL;
    lh_router_destroy(s->router);
    s->router = NULL;
    lh_meta_close(s->ctx.meta);
    s->ctx.meta = NULL;
    free(s->openapi_json);
    s->openapi_json = NULL;
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    s->lock_fd = -1;
}
