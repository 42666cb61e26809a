/*
 * test_warehouses.c - the warehouse state machine in-process, and the interface statement
 * execution uses: lh_warehouse_acquire / lh_warehouse_release (a borrowed pool runs tasks;
 * a stop waits for the last release; a STOPPED warehouse is started by acquire, which
 * answers LH_E_STATE "starting"; deleted and unknown ones), auto-stop on the background
 * timer (never while borrowed), restart recovery (RUNNING comes back RUNNING, STOPPING
 * becomes STOPPED), and the cluster_size map.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/sql/warehouses_internal.h"
#include "common/config.h"
#include "common/util.h"
#include "t.h"

static char dir[64];
static lh_config_t config;
static lh_ctx_t ctx;
static const lh_principal_t admin = {1, "admin", true};

static void start_area(void)
{
    LH_ASSERT(lh_bg_create(0, &ctx.bg, NULL) == LH_OK);
    LH_ASSERT(lh_warehouses_create(&ctx, &ctx.warehouses, NULL) == LH_OK);
    LH_ASSERT(lh_warehouses_recover(ctx.warehouses, NULL) == LH_OK);
}

static void stop_area(void)
{
    lh_warehouses_destroy(ctx.warehouses);
    ctx.warehouses = NULL;
    lh_bg_destroy(ctx.bg);
}

static const char *state_of(const char *id)
{
    lh_warehouses_t *w = ctx.warehouses;
    pthread_mutex_lock(&w->mu);
    wh *h = wh_find(w, id);
    const char *s = h != NULL ? wh_state_name(h->state) : "NONE";
    pthread_mutex_unlock(&w->mu);
    return s;
}

static bool wait_state(const char *id, const char *want)
{
    for (int i = 0; i < 5000; i++) {
        if (strcmp(state_of(id), want) == 0)
            return true;
        usleep(1000);
    }
    fprintf(stderr, "  %s stays %s, expected %s\n", id, state_of(id), want);
    return false;
}

static void add(const char *spec_text, char id[WH_ID_MAX])
{
    json_t *spec = json_loads(spec_text, 0, NULL);
    lh_warehouses_t *w = ctx.warehouses;
    pthread_mutex_lock(&w->mu);
    T_EQ_INT(wh_add(w, spec, &admin, id, NULL), LH_OK);
    pthread_mutex_unlock(&w->mu);
}

typedef lh_err (*op_fn)(lh_warehouses_t *w, wh *h, lh_errbuf *eb);

static lh_err op(op_fn fn, const char *id)
{
    lh_warehouses_t *w = ctx.warehouses;
    pthread_mutex_lock(&w->mu);
    lh_err e = fn(w, wh_find(w, id), NULL);
    pthread_mutex_unlock(&w->mu);
    return e;
}

static atomic_int ran;

static void task(void *arg)
{
    (void)arg;
    atomic_fetch_add(&ran, 1);
}

static void test_sizes(void)
{
    T_EQ_INT(lh_warehouse_size_workers("2X-Small"), 1);
    T_EQ_INT(lh_warehouse_size_workers("Medium"), 8);
    T_EQ_INT(lh_warehouse_size_workers("4X-Large"), 256);
    T_EQ_INT(lh_warehouse_size_workers("Huge"), 0);
    json_t *spec = json_pack("{s:s}", "cluster_size", "4X-Large");
    T_EQ_INT(wh_threads(spec), lh_cpu_count());
    json_decref(spec);
}

static void test_acquire_release(void)
{
    char id[WH_ID_MAX];
    add("{\"name\":\"a\",\"cluster_size\":\"2X-Small\",\"auto_stop_mins\":0,"
        "\"min_num_clusters\":1,\"max_num_clusters\":3}",
        id);
    lh_pool_t *pool = NULL;
    int max = 0;
    lh_errbuf eb = {0};
    lh_err e = lh_warehouse_acquire(&ctx, id, &pool, &max, &eb);
    T_CHECK(e == LH_OK || (e == LH_E_STATE && strcmp(eb.msg, "starting") == 0));
    T_CHECK(wait_state(id, "RUNNING"));
    if (e == LH_OK)
        lh_warehouse_release(&ctx, id);
    T_EQ_INT(lh_warehouse_acquire(&ctx, id, &pool, &max, NULL), LH_OK);
    T_EQ_INT(max, 3 * LH_WAREHOUSE_QUERIES_PER_CLUSTER);
    T_EQ_INT(lh_pool_worker_count(pool), 1);
    T_EQ_INT(lh_pool_submit(pool, task, NULL, NULL), LH_OK);
    lh_pool_wait_idle(pool);
    T_EQ_INT(atomic_load(&ran), 1);

    /* a stop waits for the borrower */
    T_EQ_INT(op(wh_stop, id), LH_OK);
    T_EQ_STR(state_of(id), "STOPPING");
    usleep(30000);
    T_EQ_STR(state_of(id), "STOPPING");
    lh_warehouse_release(&ctx, id);
    T_CHECK(wait_state(id, "STOPPED"));

    /* a statement sent to a STOPPED warehouse starts it */
    T_EQ_INT(lh_warehouse_acquire(&ctx, id, &pool, &max, &eb), LH_E_STATE);
    T_EQ_STR(eb.msg, "starting");
    T_CHECK(wait_state(id, "RUNNING"));

    T_EQ_INT(op(wh_delete, id), LH_OK);
    T_CHECK(wait_state(id, "DELETED"));
    T_EQ_INT(lh_warehouse_acquire(&ctx, id, &pool, &max, &eb), LH_E_STATE);
    T_EQ_STR(eb.msg, "deleted");
    T_EQ_INT(lh_warehouse_acquire(&ctx, "0123456789abcdef", &pool, &max, NULL), LH_E_NOT_FOUND);
}

static void test_auto_stop(void)
{
    char id[WH_ID_MAX];
    add("{\"name\":\"b\",\"cluster_size\":\"Small\",\"auto_stop_mins\":10,"
        "\"min_num_clusters\":1,\"max_num_clusters\":1}",
        id);
    T_CHECK(wait_state(id, "RUNNING"));
    lh_pool_t *pool;
    int max;
    T_EQ_INT(lh_warehouse_acquire(&ctx, id, &pool, &max, NULL), LH_OK);
    usleep(10 * 1000 * (useconds_t)config.test_minute_ms); /* 10 "minutes" while borrowed */
    T_EQ_STR(state_of(id), "RUNNING");
    lh_warehouse_release(&ctx, id);
    T_CHECK(wait_state(id, "STOPPED")); /* 10 idle "minutes" after the release */
}

static void test_recovery(void)
{
    char running[WH_ID_MAX], stopped[WH_ID_MAX];
    add("{\"name\":\"c\",\"cluster_size\":\"X-Small\",\"auto_stop_mins\":0,"
        "\"min_num_clusters\":1,\"max_num_clusters\":1}",
        running);
    add("{\"name\":\"d\",\"cluster_size\":\"X-Small\",\"auto_stop_mins\":0,"
        "\"min_num_clusters\":1,\"max_num_clusters\":1}",
        stopped);
    T_CHECK(wait_state(running, "RUNNING"));
    T_CHECK(wait_state(stopped, "RUNNING"));
    T_EQ_INT(op(wh_stop, stopped), LH_OK);
    T_CHECK(wait_state(stopped, "STOPPED"));
    stop_area();
    start_area();
    T_CHECK(wait_state(running, "RUNNING"));
    T_EQ_STR(state_of(stopped), "STOPPED");
    lh_pool_t *pool;
    int max;
    T_EQ_INT(lh_warehouse_acquire(&ctx, running, &pool, &max, NULL), LH_OK);
    T_EQ_INT(lh_pool_worker_count(pool), lh_cpu_count() < 2 ? lh_cpu_count() : 2);
    lh_warehouse_release(&ctx, running);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/lh-wh-XXXXXX");
    LH_ASSERT(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    LH_ASSERT(lh_meta_open(path, &ctx.meta, NULL) == LH_OK);
    ctx.data_dir = dir;
    ctx.workspace_host = "http://127.0.0.1:8080";
    config.test_minute_ms = 5;
    ctx.config = &config;
    start_area();
    T_RUN(test_sizes);
    T_RUN(test_acquire_release);
    T_RUN(test_auto_stop);
    T_RUN(test_recovery);
    stop_area();
    lh_meta_close(ctx.meta);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_CHECK(system(cmd) == 0);
    return T_DONE();
}
