/*
 * clusters.c - the clusters area object: start-up (load, then recovery + the reaper
 * timer), shutdown, the area descriptor, the route table, metrics and pool borrowing for
 * other areas.
 *
 * LAKEHOUSE_TEST_MINUTE_MS (milliseconds per "minute", default 60000) scales every
 * minute-based timeout (autotermination_minutes, idle_instance_autotermination_minutes)
 * so black-box tests can watch them in seconds.
 */
#include <stdlib.h>
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/util.h"

/* LAKEHOUSE_TEST_MINUTE_MS as read by server/config.c; a real minute otherwise. */
static int64_t minute_ms(const lh_ctx_t *ctx)
{
    return ctx->config != NULL && ctx->config->test_minute_ms > 0 ? ctx->config->test_minute_ms
                                                                  : 60000;
}

lh_err lh_clusters_create(lh_ctx_t *ctx, lh_clusters_t **out, lh_errbuf *eb)
{
    lh_clusters_t *c = calloc(1, sizeof *c);
    LH_FAIL_IF(c == NULL, LH_E_NOMEM, eb, "out of memory");
    c->ctx = ctx;
    c->minute_ms = minute_ms(ctx);
    c->ncpu = lh_cpu_count();
    c->memory_mb = cl_machine_memory_mb();
    /* Writers first: under a stream of clusters/get reads (a poller, a dashboard) a
     * reader-preferring lock would starve state transitions. */
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&c->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    pthread_mutex_init(&c->cache_mu, NULL);
    atomic_init(&c->stopping, false);
    lh_err e = lh_bg_executor(ctx->bg, "clusters", 1, LH_CLUSTERS_QUEUE_MAX, &c->lifecycle, eb);
    if (e == LH_OK)
        e = cl_store_load(c, eb);
    if (e != LH_OK) {
        lh_clusters_destroy(c);
        return e;
    }
    *out = c;
    return LH_OK;
}

lh_err lh_clusters_recover(lh_clusters_t *c, lh_errbuf *eb)
{
    cl_recover(c);
    return cl_background_start(c, eb);
}

static void free_clusters(lh_clusters_t *c)
{
    for (int b = 0; b < CL_BUCKETS; b++) {
        cl_cluster *cl = c->buckets[b];
        while (cl != NULL) {
            cl_cluster *next = cl->hnext;
            lh_pool_destroy(cl->pool);
            cl->pool = NULL;
            cl_cluster_free(cl);
            cl = next;
        }
        c->buckets[b] = NULL;
    }
}

static void free_registries(lh_clusters_t *c)
{
    free_clusters(c);
    while (c->ipools != NULL) {
        cl_ipool *ip = c->ipools;
        c->ipools = ip->next;
        lh_pool_destroy(ip->pool);
        json_decref(ip->spec);
        free(ip);
    }
    while (c->policies != NULL) {
        cl_policy *p = c->policies;
        c->policies = p->next;
        free(p->name);
        free(p->definition);
        free(p->description);
        free(p->creator);
        lh_policy_free(p->parsed);
        free(p);
    }
}

void lh_clusters_destroy(lh_clusters_t *c)
{
    if (c == NULL)
        return;
    cl_background_stop(c); /* queued jobs are dropped: states stay as stored */
    if (c->ctx->clusters == c)
        c->ctx->clusters = NULL;
    free_registries(c);
    pthread_rwlock_destroy(&c->lock);
    pthread_mutex_destroy(&c->cache_mu);
    free(c);
}

static const lh_route_t routes[] = {
    {"POST", "/api/{2.0|2.1}/clusters/create", cl_h_create, 0},
    {"POST", "/api/{2.0|2.1}/clusters/edit", cl_h_edit, 0},
    {"POST", "/api/{2.0|2.1}/clusters/update", cl_h_update, 0},
    {"GET", "/api/{2.0|2.1}/clusters/get", cl_h_get, 0},
    {"GET", "/api/{2.0|2.1}/clusters/list", cl_h_list, 0},
    {"POST", "/api/{2.0|2.1}/clusters/start", cl_h_start, 0},
    {"POST", "/api/{2.0|2.1}/clusters/restart", cl_h_restart, 0},
    {"POST", "/api/{2.0|2.1}/clusters/delete", cl_h_delete, 0},
    {"POST", "/api/{2.0|2.1}/clusters/permanent-delete", cl_h_permanent_delete, 0},
    {"POST", "/api/{2.0|2.1}/clusters/resize", cl_h_resize, 0},
    {"POST", "/api/{2.0|2.1}/clusters/pin", cl_h_pin, 0},
    {"POST", "/api/{2.0|2.1}/clusters/unpin", cl_h_unpin, 0},
    {"POST", "/api/{2.0|2.1}/clusters/events", cl_h_events, 0},
    {"GET", "/api/{2.0|2.1}/clusters/spark-versions", cl_h_spark_versions, 0},
    {"GET", "/api/{2.0|2.1}/clusters/list-node-types", cl_h_node_types, 0},
    {"GET", "/api/{2.0|2.1}/clusters/list-zones", cl_h_list_zones, 0},
    {"POST", "/api/2.0/policies/clusters/create", cl_h_policy_create, 0},
    {"POST", "/api/2.0/policies/clusters/edit", cl_h_policy_edit, 0},
    {"POST", "/api/2.0/policies/clusters/delete", cl_h_policy_delete, 0},
    {"GET", "/api/2.0/policies/clusters/get", cl_h_policy_get, 0},
    {"GET", "/api/2.0/policies/clusters/list", cl_h_policy_list, 0},
    {"GET", "/api/2.0/policy-families", cl_h_policy_families, 0},
    {"POST", "/api/2.0/instance-pools/create", cl_h_ipool_create, 0},
    {"POST", "/api/2.0/instance-pools/edit", cl_h_ipool_edit, 0},
    {"POST", "/api/2.0/instance-pools/delete", cl_h_ipool_delete, 0},
    {"GET", "/api/2.0/instance-pools/get", cl_h_ipool_get, 0},
    {"GET", "/api/2.0/instance-pools/list", cl_h_ipool_list, 0},
};

const lh_route_t *lh_clusters_routes(int *count)
{
    *count = (int)(sizeof routes / sizeof routes[0]);
    return routes;
}

void lh_clusters_render_metrics(lh_clusters_t *c, FILE *out)
{
    int counts[CL_STATE_COUNT] = {0};
    pthread_rwlock_rdlock(&c->lock);
    for (int b = 0; b < CL_BUCKETS; b++) {
        for (cl_cluster *cl = c->buckets[b]; cl != NULL; cl = cl->hnext)
            counts[cl->state] += !cl->is_deleted;
    }
    fprintf(out, "# TYPE lakehouse_clusters gauge\n");
    for (int s = 0; s < CL_STATE_COUNT; s++)
        fprintf(out, "lakehouse_clusters{state=\"%s\"} %d\n", cl_state_name((cl_state)s),
                counts[s]);
    fprintf(out, "# TYPE lakehouse_instance_pool_used gauge\n");
    fprintf(out, "# TYPE lakehouse_instance_pool_idle gauge\n");
    for (cl_ipool *ip = c->ipools; ip != NULL; ip = ip->next) {
        if (ip->is_deleted)
            continue;
        fprintf(out, "lakehouse_instance_pool_used{instance_pool_id=\"%s\"} %d\n", ip->id,
                ip->used);
        fprintf(out, "lakehouse_instance_pool_idle{instance_pool_id=\"%s\"} %d\n", ip->id,
                cl_ipool_idle(ip));
    }
    pthread_rwlock_unlock(&c->lock);
}

lh_err lh_clusters_acquire_pool(lh_clusters_t *c, const char *cluster_id, struct lh_pool **pool,
                                lh_errbuf *eb)
{
    pthread_rwlock_rdlock(&c->lock);
    cl_cluster *cl = cl_find(c, cluster_id);
    lh_err e = LH_OK;
    if (cl == NULL)
        e = lh_err_set(eb, LH_E_NOT_FOUND, __FILE__, __LINE__, "Cluster %s does not exist",
                       cluster_id);
    else if ((cl->state != CL_RUNNING && cl->state != CL_RESIZING) || cl->pool == NULL)
        e = lh_err_set(eb, LH_E_STATE, __FILE__, __LINE__, "Cluster %s is %s, not RUNNING",
                       cluster_id, cl_state_name(cl->state));
    if (e == LH_OK) {
        atomic_fetch_add(&cl->users, 1);
        atomic_store(&cl->last_activity_time, lh_now_ms());
        *pool = cl->pool;
    }
    pthread_rwlock_unlock(&c->lock);
    return e;
}

void lh_clusters_release_pool(lh_clusters_t *c, const char *cluster_id)
{
    pthread_rwlock_rdlock(&c->lock);
    cl_cluster *cl = cl_find_any(c, cluster_id);
    if (cl != NULL) {
        atomic_store(&cl->last_activity_time, lh_now_ms());
        if (atomic_fetch_sub(&cl->users, 1) == 1 && atomic_exchange(&cl->teardown_pending, false) &&
            cl_enqueue(c, JOB_TERMINATE, cl->id, NULL, NULL, NULL) != LH_OK)
            atomic_store(&cl->teardown_pending, true); /* queue full: the reaper re-posts */
    }
    pthread_rwlock_unlock(&c->lock);
}

/* ---- the area descriptor ---- */

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    lh_clusters_t *c = NULL;
    LH_TRY(lh_clusters_create(ctx, &c, eb));
    ctx->clusters = c;
    if (ctx->perm != NULL) /* the permissions area comes first in server/areas.c */
        lh_clusters_register_perm(c, ctx->perm);
    *state = c;
    return LH_OK;
}

static lh_err area_recover(void *state, lh_errbuf *eb)
{
    return lh_clusters_recover(state, eb);
}

static void area_metrics(void *state, FILE *out)
{
    lh_clusters_render_metrics(state, out);
}

static void area_destroy(void *state)
{
    lh_clusters_destroy(state);
}

const lh_area_t lh_clusters_area = {
    .name = "clusters",
    .create = area_create,
    .recover = area_recover,
    .routes = lh_clusters_routes,
    .render_metrics = area_metrics,
    .destroy = area_destroy,
};
