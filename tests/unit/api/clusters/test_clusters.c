/*
 * test_clusters.c - the clusters area in-process: id formats, the state machine driven
 * through the handlers (create, restart, resize, delete, start, permanent-delete), pool
 * borrowing holding off teardown, instance pool adoption, restart recovery, a full
 * lifecycle queue answering 429 with nothing changed, the transition table, and metrics.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/clusters/clusters_internal.h"
#include "api/perm.h"
#include "common/limits.h"
#include "common/util.h"
#include "storage/meta/meta.h"
#include "t.h"

static lh_ctx_t ctx;
static const lh_principal_t admin = {1, "admin@example.com", true};

static lh_err call(lh_handler_fn fn, const char *body, json_t **out)
{
    lh_req_t req = {0};
    req.ctx = &ctx;
    req.arena = lh_arena_create();
    req.params = json_loads(body, 0, NULL);
    req.principal = &admin;
    lh_errbuf eb = {0};
    lh_err e = fn(&req, &eb);
    if (req.text != NULL) /* answered from a cached rendering */
        req.out = json_loadb(req.text, req.text_bytes, 0, NULL);
    if (out != NULL)
        *out = req.out;
    else
        json_decref(req.out);
    json_decref(req.params);
    lh_arena_destroy(req.arena);
    return e;
}

static json_t *get(const char *id)
{
    char body[128];
    snprintf(body, sizeof body, "{\"cluster_id\": \"%s\"}", id);
    json_t *out = NULL;
    return call(cl_h_get, body, &out) == LH_OK ? out : NULL;
}

static const char *state_of(json_t *o)
{
    return json_string_value(json_object_get(o, "state"));
}

/* Poll until the cluster reaches state (or 5 s pass). */
static bool wait_state(const char *id, const char *state)
{
    for (int i = 0; i < 5000; i++) {
        json_t *o = get(id);
        bool ok = o != NULL && strcmp(state_of(o), state) == 0;
        json_decref(o);
        if (ok)
            return true;
        usleep(1000);
    }
    fprintf(stderr, "  %s never reached %s\n", id, state);
    return false;
}

static void op(lh_handler_fn fn, const char *id, lh_err want)
{
    char body[128];
    snprintf(body, sizeof body, "{\"cluster_id\": \"%s\"}", id);
    T_EQ_INT(call(fn, body, NULL), want);
}

static char *create(const char *body)
{
    json_t *out = NULL;
    if (call(cl_h_create, body, &out) != LH_OK)
        return NULL;
    char *id = strdup(json_string_value(json_object_get(out, "cluster_id")));
    json_decref(out);
    return id;
}

static void test_ids(void)
{
    char id[CL_ID_MAX];
    for (int i = 0; i < 100; i++) {
        cl_make_cluster_id(id);
        T_CHECK(cl_is_cluster_id(id));
    }
    T_CHECK(!cl_is_cluster_id("1125-064644-QRBOLWKC"));
    T_CHECK(!cl_is_cluster_id("1125-064644-qrbolwk"));
    T_CHECK(!cl_is_cluster_id("x125-064644-qrbolwkc"));
    cl_make_policy_id(id);
    T_EQ_INT(strlen(id), 16);
    cl_make_ipool_id(id);
    T_CHECK(strstr(id, "-pool-") != NULL);
}

static void test_lifecycle(void)
{
    int64_t t0 = lh_mono_ns();
    char *id = create("{\"spark_version\": \"15.4.x-scala2.12\", \"num_workers\": \"2\"}");
    T_CHECK(id != NULL && cl_is_cluster_id(id));
    T_CHECK(wait_state(id, "RUNNING"));
    printf("  create -> RUNNING: %.2f ms\n", (double)(lh_mono_ns() - t0) / 1e6);
    op(cl_h_start, id, LH_E_STATE);
    op(cl_h_restart, id, LH_OK);
    T_CHECK(wait_state(id, "RUNNING"));
    T_EQ_INT(call(cl_h_resize, "{\"cluster_id\": \"nope\", \"num_workers\": 1}", NULL),
             LH_E_NOT_FOUND);
    char body[160];
    snprintf(body, sizeof body, "{\"cluster_id\": \"%s\", \"num_workers\": 5}", id);
    T_EQ_INT(call(cl_h_resize, body, NULL), LH_OK);
    T_CHECK(wait_state(id, "RUNNING"));
    json_t *o = get(id);
    T_EQ_INT(json_integer_value(json_object_get(o, "num_workers")), 5);
    json_decref(o);
    op(cl_h_delete, id, LH_OK);
    T_CHECK(wait_state(id, "TERMINATED"));
    o = get(id);
    json_t *reason = json_object_get(o, "termination_reason");
    T_EQ_STR(json_string_value(json_object_get(reason, "code")), "USER_REQUEST");
    T_EQ_STR(json_string_value(json_object_get(reason, "type")), "SUCCESS");
    json_decref(o);
    op(cl_h_delete, id, LH_OK); /* idempotent */
    op(cl_h_restart, id, LH_E_STATE);
    op(cl_h_start, id, LH_OK);
    T_CHECK(wait_state(id, "RUNNING"));
    op(cl_h_permanent_delete, id, LH_OK);
    for (int i = 0; i < 2000 && get(id) != NULL; i++)
        usleep(1000);
    T_CHECK(get(id) == NULL);
    op(cl_h_get, id, LH_E_NOT_FOUND);
    free(id);
}

static void test_bad_input(void)
{
    T_EQ_INT(call(cl_h_create, "{}", NULL), LH_E_INVALID);
    T_EQ_INT(call(cl_h_create, "{\"spark_version\": 3}", NULL), LH_E_INVALID);
    T_EQ_INT(call(cl_h_create, "{\"spark_version\": \"x\", \"num_workers\": \"two\"}", NULL),
             LH_E_INVALID);
    T_EQ_INT(call(cl_h_create, "{\"spark_version\": \"x\", \"num_workers\": -1}", NULL),
             LH_E_INVALID);
    T_EQ_INT(call(cl_h_create,
                  "{\"spark_version\": \"x\", \"autoscale\": {\"min_workers\": 3, "
                  "\"max_workers\": 2}}",
                  NULL),
             LH_E_INVALID);
    T_EQ_INT(call(cl_h_create, "{\"spark_version\": \"x\", \"runtime_engine\": \"TURBO\"}", NULL),
             LH_E_INVALID);
    T_EQ_INT(call(cl_h_create, "{\"spark_version\": \"x\", \"instance_pool_id\": \"nope\"}", NULL),
             LH_E_INVALID);
    T_EQ_INT(call(cl_h_create, "{\"spark_version\": \"x\", \"policy_id\": \"nope\"}", NULL),
             LH_E_INVALID);
    json_t *out = NULL;
    T_EQ_INT(call(cl_h_list, "{}", &out), LH_OK);
    T_EQ_INT(json_array_size(json_object_get(out, "clusters")), 0);
    json_decref(out);
}

typedef struct {
    atomic_int ran;
} work;

static void task(void *arg)
{
    usleep(20000);
    atomic_fetch_add(&((work *)arg)->ran, 1);
}

static void test_borrow_delays_teardown(void)
{
    char *id = create("{\"spark_version\": \"x\", \"num_workers\": 1}");
    T_CHECK(wait_state(id, "RUNNING"));
    lh_pool_t *pool = NULL;
    T_EQ_INT(lh_clusters_acquire_pool(ctx.clusters, id, &pool, NULL), LH_OK);
    T_CHECK(pool != NULL);
    work w;
    atomic_init(&w.ran, 0);
    T_EQ_INT(lh_pool_submit(pool, task, &w, NULL), LH_OK);
    op(cl_h_delete, id, LH_OK);
    usleep(50000);
    json_t *o = get(id);
    T_EQ_STR(state_of(o), "TERMINATING"); /* still borrowed */
    json_decref(o);
    T_EQ_INT(lh_clusters_acquire_pool(ctx.clusters, id, &pool, NULL), LH_E_STATE);
    lh_clusters_release_pool(ctx.clusters, id);
    T_CHECK(wait_state(id, "TERMINATED"));
    T_EQ_INT(atomic_load(&w.ran), 1);
    T_EQ_INT(lh_clusters_acquire_pool(ctx.clusters, "nope", &pool, NULL), LH_E_NOT_FOUND);
    free(id);
}

static json_t *ipool_stats(const char *pool_id)
{
    char body[160];
    snprintf(body, sizeof body, "{\"instance_pool_id\": \"%s\"}", pool_id);
    json_t *out = NULL;
    call(cl_h_ipool_get, body, &out);
    json_t *stats = json_incref(json_object_get(out, "stats"));
    json_decref(out);
    return stats;
}

static int stat_of(const char *pool_id, const char *key)
{
    json_t *s = ipool_stats(pool_id);
    int v = (int)json_integer_value(json_object_get(s, key));
    json_decref(s);
    return v;
}

static char *make_ipool(const char *body)
{
    json_t *out = NULL;
    if (call(cl_h_ipool_create, body, &out) != LH_OK)
        return NULL;
    char *pid = strdup(json_string_value(json_object_get(out, "instance_pool_id")));
    json_decref(out);
    return pid;
}

static bool wait_stat(const char *pid, const char *key, int want)
{
    for (int i = 0; i < 2000; i++) {
        if (stat_of(pid, key) == want)
            return true;
        usleep(1000);
    }
    fprintf(stderr, "  %s never reached %d (is %d)\n", key, want, stat_of(pid, key));
    return false;
}

static char *create_in(const char *pid, int workers)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"spark_version\": \"x\", \"num_workers\": %d, \"instance_pool_id\": \"%s\"}",
             workers, pid);
    return create(body);
}

static void test_instance_pool_refill(void)
{
    char *pid = make_ipool("{\"instance_pool_name\": \"refill\", \"node_type_id\": \"x\", "
                           "\"min_idle_instances\": 1}");
    T_CHECK(wait_stat(pid, "idle_count", 1));
    int64_t t0 = lh_mono_ns();
    char *id = create_in(pid, 1);
    T_CHECK(wait_state(id, "RUNNING"));
    printf("  warm create -> RUNNING: %.2f ms\n", (double)(lh_mono_ns() - t0) / 1e6);
    T_EQ_INT(stat_of(pid, "used_count"), 1);
    T_CHECK(wait_stat(pid, "idle_count", 1)); /* topped back up to min_idle */
    op(cl_h_delete, id, LH_OK);
    T_CHECK(wait_state(id, "TERMINATED"));
    T_EQ_INT(stat_of(pid, "used_count"), 0);
    T_EQ_INT(stat_of(pid, "idle_count"), 2); /* surplus kept until the idle timeout */
    free(id);
    free(pid);
}

static void test_instance_pool_capacity(void)
{
    char *pid = make_ipool("{\"instance_pool_name\": \"cap\", \"node_type_id\": \"x\", "
                           "\"min_idle_instances\": 1, \"max_capacity\": 1}");
    T_CHECK(wait_stat(pid, "idle_count", 1));
    char *a = create_in(pid, 1);
    T_CHECK(wait_state(a, "RUNNING"));
    T_EQ_INT(stat_of(pid, "used_count"), 1);
    T_EQ_INT(stat_of(pid, "idle_count"), 0); /* no refill beyond max_capacity */
    char *b = create_in(pid, 1);
    T_CHECK(wait_state(b, "TERMINATED"));
    json_t *o = get(b);
    json_t *reason = json_object_get(o, "termination_reason");
    T_EQ_STR(json_string_value(json_object_get(reason, "code")),
             "INSTANCE_POOL_MAX_CAPACITY_REACHED");
    json_decref(o);
    if (lh_cpu_count() >= 2)
        T_CHECK(create_in(pid, 2) == NULL); /* can never fit: 400 at create */
    op(cl_h_delete, a, LH_OK);
    T_CHECK(wait_state(a, "TERMINATED"));
    T_EQ_INT(stat_of(pid, "used_count"), 0);
    T_EQ_INT(stat_of(pid, "idle_count"), 1);
    op(cl_h_permanent_delete, a, LH_OK);
    op(cl_h_permanent_delete, b, LH_OK);
    free(a);
    free(b);
    free(pid);
}

static void test_edit_moves_instance_pool(void)
{
    char *x = make_ipool("{\"instance_pool_name\": \"x\", \"node_type_id\": \"n\"}");
    char *y = make_ipool("{\"instance_pool_name\": \"y\", \"node_type_id\": \"n\"}");
    char *id = create_in(x, 1);
    T_CHECK(wait_state(id, "RUNNING"));
    T_EQ_INT(stat_of(x, "used_count"), 1);
    char body[300];
    snprintf(body, sizeof body,
             "{\"cluster_id\": \"%s\", \"spark_version\": \"x\", \"num_workers\": 1, "
             "\"instance_pool_id\": \"%s\"}",
             id, y);
    T_EQ_INT(call(cl_h_edit, body, NULL), LH_OK);
    T_CHECK(wait_state(id, "RUNNING"));
    T_EQ_INT(stat_of(x, "used_count"), 0);
    T_EQ_INT(stat_of(x, "idle_count"), 1);
    T_EQ_INT(stat_of(y, "used_count"), 1);
    op(cl_h_permanent_delete, id, LH_OK);
    T_CHECK(wait_stat(y, "used_count", 0));
    free(id);
    free(x);
    free(y);
}

static void test_recovery(void)
{
    char *id = create("{\"spark_version\": \"x\", \"num_workers\": 1, \"cluster_name\": \"r\"}");
    T_CHECK(wait_state(id, "RUNNING"));
    lh_clusters_destroy(ctx.clusters);
    ctx.clusters = NULL;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_clusters_create(&ctx, &ctx.clusters, &eb), LH_OK);
    T_EQ_INT(lh_clusters_recover(ctx.clusters, &eb), LH_OK);
    json_t *o = get(id);
    T_EQ_STR(state_of(o), "RUNNING");
    json_decref(o);
    char body[200];
    snprintf(body, sizeof body, "{\"cluster_id\": \"%s\", \"event_types\": [\"RUNNING\"]}", id);
    json_t *out = NULL;
    T_EQ_INT(call(cl_h_events, body, &out), LH_OK);
    json_t *first = json_array_get(json_object_get(out, "events"), 0); /* newest first */
    json_t *reason = json_object_get(json_object_get(first, "details"), "reason");
    T_EQ_STR(json_string_value(json_object_get(reason, "code")), "UNKNOWN");
    T_EQ_STR(json_string_value(json_object_get(json_object_get(reason, "parameters"), "message")),
             "daemon restart");
    json_decref(out);
    lh_pool_t *pool = NULL;
    T_EQ_INT(lh_clusters_acquire_pool(ctx.clusters, id, &pool, NULL), LH_OK);
    T_CHECK(pool != NULL && lh_pool_worker_count(pool) == 1);
    lh_clusters_release_pool(ctx.clusters, id);
    free(id);
}

/* ---- a full lifecycle queue: 429 and nothing changed ---- */

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool open;
    atomic_int started;
} gate;

static void wait_gate(void *arg)
{
    gate *g = arg;
    atomic_fetch_add(&g->started, 1);
    pthread_mutex_lock(&g->mu);
    while (!g->open)
        pthread_cond_wait(&g->cond, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

static void nothing(void *arg)
{
    (void)arg;
}

static int cluster_count(void)
{
    json_t *out = NULL;
    LH_ASSERT(call(cl_h_list, "{}", &out) == LH_OK);
    int n = (int)json_array_size(json_object_get(out, "clusters"));
    json_decref(out);
    return n;
}

static void test_full_queue_refuses(void)
{
    char *id = create("{\"spark_version\": \"x\", \"num_workers\": 1}");
    T_CHECK(wait_state(id, "RUNNING"));
    int before = cluster_count();
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};
    lh_bg_executor_t *ex = ctx.clusters->lifecycle;
    T_EQ_INT(lh_bg_post(ex, wait_gate, &g, NULL), LH_OK); /* the lifecycle thread is busy */
    for (int i = 0; i < 5000 && atomic_load(&g.started) == 0; i++)
        usleep(1000);
    int queued = 0;
    while (lh_bg_post(ex, nothing, NULL, NULL) == LH_OK)
        queued++;
    T_EQ_INT(queued, LH_CLUSTERS_QUEUE_MAX);
    lh_errbuf eb = {0};
    lh_req_t req = {.ctx = &ctx, .principal = &admin, .arena = lh_arena_create()};
    req.params = json_pack("{s:s, s:i}", "spark_version", "x", "num_workers", 1);
    T_EQ_INT(cl_h_create(&req, &eb), LH_E_LIMIT);
    T_EQ_INT(lh_err_http_status(eb.code), 429);
    T_CHECK(strstr(eb.msg, "clusters queue is full") != NULL);
    json_decref(req.params);
    lh_arena_destroy(req.arena);
    char body[160];
    snprintf(body, sizeof body, "{\"cluster_id\": \"%s\", \"num_workers\": 3}", id);
    T_EQ_INT(call(cl_h_resize, body, NULL), LH_E_LIMIT);
    op(cl_h_restart, id, LH_E_LIMIT);
    op(cl_h_delete, id, LH_E_LIMIT);
    op(cl_h_permanent_delete, id, LH_E_LIMIT);
    T_EQ_INT(
        call(cl_h_ipool_create, "{\"instance_pool_name\": \"q\", \"node_type_id\": \"n\"}", NULL),
        LH_E_LIMIT);
    T_EQ_INT(cluster_count(), before); /* nothing was created, deleted or changed */
    json_t *o = get(id);
    T_EQ_STR(state_of(o), "RUNNING");
    T_EQ_INT(json_integer_value(json_object_get(o, "num_workers")), 1);
    json_decref(o);
    pthread_mutex_lock(&g.mu);
    g.open = true;
    pthread_cond_broadcast(&g.cond);
    pthread_mutex_unlock(&g.mu);
    for (int i = 0; i < 10000 && lh_bg_executor_depth(ex) > 0; i++)
        usleep(1000);
    op(cl_h_permanent_delete, id, LH_OK); /* room again */
    for (int i = 0; i < 5000 && cluster_count() != before - 1; i++)
        usleep(1000);
    T_EQ_INT(cluster_count(), before - 1);
    free(id);
}

static void test_transition_table(void)
{
    T_CHECK(cl_transition_ok(CL_TERMINATED, CL_PENDING, false));
    T_CHECK(cl_transition_ok(CL_PENDING, CL_RUNNING, false));
    T_CHECK(cl_transition_ok(CL_RUNNING, CL_TERMINATING, false));
    T_CHECK(cl_transition_ok(CL_TERMINATING, CL_TERMINATED, false));
    T_CHECK(!cl_transition_ok(CL_TERMINATED, CL_RUNNING, false));
    T_CHECK(!cl_transition_ok(CL_TERMINATING, CL_RUNNING, false));
    T_CHECK(!cl_transition_ok(CL_RUNNING, CL_PENDING, false)); /* only recovery does that */
    T_CHECK(cl_transition_ok(CL_RUNNING, CL_PENDING, true));
    T_CHECK(!cl_transition_ok(CL_TERMINATED, CL_PENDING, true));
}

static void test_metrics(void)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    lh_clusters_render_metrics(ctx.clusters, f);
    fclose(f);
    T_CHECK(strstr(text, "lakehouse_clusters{state=\"RUNNING\"} 1") != NULL);
    T_CHECK(strstr(text, "lakehouse_clusters{state=\"ERROR\"} 0") != NULL);
    T_CHECK(strstr(text, "lakehouse_instance_pool_idle{") != NULL);
    free(text);
}

int main(void)
{
    char dir[] = "/tmp/lh-clusters-XXXXXX";
    LH_ASSERT(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    lh_errbuf eb = {0};
    LH_ASSERT(lh_meta_open(path, &ctx.meta, &eb) == LH_OK);
    LH_ASSERT(lh_perm_create(&ctx, &ctx.perm, &eb) == LH_OK);
    LH_ASSERT(lh_bg_create(0, &ctx.bg, &eb) == LH_OK);
    LH_ASSERT(lh_clusters_create(&ctx, &ctx.clusters, &eb) == LH_OK);
    LH_ASSERT(lh_clusters_recover(ctx.clusters, &eb) == LH_OK);
    T_RUN(test_ids);
    T_RUN(test_bad_input);
    T_RUN(test_lifecycle);
    T_RUN(test_borrow_delays_teardown);
    T_RUN(test_instance_pool_refill);
    T_RUN(test_instance_pool_capacity);
    T_RUN(test_edit_moves_instance_pool);
    T_RUN(test_recovery);
    T_RUN(test_full_queue_refuses);
    T_RUN(test_transition_table);
    T_RUN(test_metrics);
    lh_clusters_destroy(ctx.clusters);
    lh_perm_destroy(ctx.perm);
    lh_bg_destroy(ctx.bg);
    lh_meta_close(ctx.meta);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return T_DONE();
}
