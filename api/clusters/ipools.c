/*
 * ipools.c - instance pools: idle worker threads that clusters adopt.
 *
 * An instance is one worker thread. A pool's idle instances live in an lh_pool with no
 * tasks; a cluster with instance_pool_id adopts them with lh_pool_move_workers (no thread
 * is created when enough are idle), starts the rest, and hands all back on termination.
 *   used      instances held by clusters (reserved under the lock before moving)
 *   idle      lh_pool_worker_count(pool)
 *   max_capacity bounds used + idle; a cluster that would exceed it fails to start
 *             (TERMINATED, INSTANCE_POOL_MAX_CAPACITY_REACHED), as on Databricks.
 * After a return the pool keeps its surplus idle instances for
 * idle_instance_autotermination_minutes (default 60), then the reaper queues a trim back
 * to min_idle_instances. Thread creation and moves happen on the lifecycle executor's one
 * thread only. Handlers post their job before changing anything, so a full lifecycle
 * queue answers 429 and leaves the pool as it was.
 * Permissions: create needs allow-instance-pool-create (the creator then owns the pool,
 * CAN_MANAGE); get and list need CAN_ATTACH_TO; edit and delete CAN_MANAGE.
 */
#include <stdlib.h>
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "api/perm.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

#define IDLE_AUTOTERMINATION_DEFAULT_MIN 60

int cl_ipool_idle(const cl_ipool *ip)
{
    return lh_pool_worker_count(ip->pool);
}

static int spec_int(const cl_ipool *ip, const char *key, int dflt)
{
    return (int)cl_spec_int(ip->spec, key, dflt);
}

static void set_cluster_threads(lh_clusters_t *c, cl_cluster *cl, int n)
{
    cl_wrlock(c);
    cl->threads = n;
    pthread_rwlock_unlock(&c->lock);
}

static lh_err resize_plain(lh_clusters_t *c, cl_cluster *cl, int want, lh_errbuf *eb)
{
    int delta = want - cl->threads;
    if (delta > 0)
        LH_TRY(lh_pool_grow(cl->pool, delta, eb));
    else if (delta < 0)
        lh_pool_move_workers(cl->pool, NULL, -delta);
    set_cluster_threads(c, cl, want);
    return LH_OK;
}

/* Reserve delta instances for a cluster (lock held). */
static lh_err reserve(cl_ipool *ip, int delta, lh_errbuf *eb)
{
    LH_FAIL_IF(ip->is_deleted, LH_E_STATE, eb, "Instance pool %s is deleted", ip->id);
    int idle = cl_ipool_idle(ip);
    int fresh = delta > idle ? delta - idle : 0;
    int cap = spec_int(ip, "max_capacity", 0);
    LH_FAIL_IF(cap > 0 && ip->used + idle + fresh > cap, LH_E_LIMIT, eb,
               "Instance pool %s reached its max_capacity of %d instances (%d used, %d idle, "
               "%d more needed)",
               ip->id, cap, ip->used, idle, fresh);
    ip->used += delta;
    return LH_OK;
}

static lh_err grow_from(lh_clusters_t *c, cl_cluster *cl, cl_ipool *ip, int delta, lh_errbuf *eb)
{
    cl_wrlock(c);
    lh_err e = reserve(ip, delta, eb);
    pthread_rwlock_unlock(&c->lock);
    LH_TRY(e);
    int moved = lh_pool_move_workers(ip->pool, cl->pool, delta);
    if (moved < delta && (e = lh_pool_grow(cl->pool, delta - moved, eb)) != LH_OK) {
        cl_wrlock(c);
        ip->used -= delta;
        pthread_rwlock_unlock(&c->lock);
        lh_pool_move_workers(cl->pool, ip->pool, lh_pool_worker_count(cl->pool) - cl->threads);
        return e;
    }
    set_cluster_threads(c, cl, cl->threads + delta);
    if (moved > 0 && cl_enqueue(c, JOB_IPOOL_TOPUP, ip->id, NULL, NULL, NULL) != LH_OK) {
        cl_wrlock(c); /* refill after this job, off the warm-start path; else the reaper */
        ip->topup_lost = true;
        pthread_rwlock_unlock(&c->lock);
    }
    return LH_OK;
}

static void shrink_to(lh_clusters_t *c, cl_cluster *cl, cl_ipool *ip, int n)
{
    cl_wrlock(c);
    ip->used -= n;
    bool gone = ip->is_deleted;
    pthread_rwlock_unlock(&c->lock);
    lh_pool_move_workers(cl->pool, gone ? NULL : ip->pool, n);
    set_cluster_threads(c, cl, cl->threads - n);
}

lh_err cl_ipool_resize_cluster(lh_clusters_t *c, cl_cluster *cl, int want, lh_errbuf *eb)
{
    LH_ASSERT(cl->pool != NULL && want >= 0);
    pthread_rwlock_rdlock(&c->lock);
    cl_ipool *ip = cl->ipool_id[0] ? cl_ipool_find(c, cl->ipool_id) : NULL;
    pthread_rwlock_unlock(&c->lock);
    if (ip == NULL)
        return resize_plain(c, cl, want, eb);
    int delta = want - cl->threads;
    if (delta > 0)
        return grow_from(c, cl, ip, delta, eb);
    if (delta < 0)
        shrink_to(c, cl, ip, -delta);
    return LH_OK;
}

void cl_ipool_topup(lh_clusters_t *c, const char *ipool_id)
{
    cl_wrlock(c);
    cl_ipool *ip = cl_ipool_find(c, ipool_id);
    int n = 0;
    if (ip != NULL && !ip->is_deleted) {
        int idle = cl_ipool_idle(ip), cap = spec_int(ip, "max_capacity", 0);
        n = spec_int(ip, "min_idle_instances", 0) - idle;
        if (cap > 0 && ip->used + idle + n > cap)
            n = cap - ip->used - idle;
    }
    pthread_rwlock_unlock(&c->lock);
    if (n > 0) {
        lh_errbuf eb = {0};
        if (lh_pool_grow(ip->pool, n, &eb) != LH_OK)
            lh_log(LH_LOG_WARN, "instance pool %s: top-up failed: %s", ipool_id, eb.msg);
    }
    if (ip != NULL) {
        cl_wrlock(c);
        ip->pending_idle = 0;
        pthread_rwlock_unlock(&c->lock);
    }
}

void cl_ipool_trim(lh_clusters_t *c, const char *ipool_id)
{
    pthread_rwlock_rdlock(&c->lock);
    cl_ipool *ip = cl_ipool_find(c, ipool_id);
    int surplus = ip ? cl_ipool_idle(ip) - spec_int(ip, "min_idle_instances", 0) : 0;
    pthread_rwlock_unlock(&c->lock);
    if (surplus > 0)
        lh_pool_move_workers(ip->pool, NULL, surplus);
}

void cl_ipool_teardown(lh_clusters_t *c, const char *ipool_id)
{
    pthread_rwlock_rdlock(&c->lock);
    cl_ipool *ip = cl_ipool_find(c, ipool_id);
    pthread_rwlock_unlock(&c->lock);
    if (ip != NULL)
        lh_pool_move_workers(ip->pool, NULL, LH_POOL_THREADS_MAX);
}

void cl_ipool_reap(lh_clusters_t *c, int64_t now_ms)
{
    for (cl_ipool *ip = c->ipools; ip != NULL; ip = ip->next) {
        if (ip->topup_lost && !ip->is_deleted)
            ip->topup_lost = cl_enqueue(c, JOB_IPOOL_TOPUP, ip->id, NULL, NULL, NULL) != LH_OK;
        if (ip->is_deleted || cl_ipool_idle(ip) <= spec_int(ip, "min_idle_instances", 0)) {
            ip->idle_surplus_since_ms = 0;
            continue;
        }
        if (ip->idle_surplus_since_ms == 0) {
            ip->idle_surplus_since_ms = now_ms;
            continue;
        }
        int64_t minutes =
            spec_int(ip, "idle_instance_autotermination_minutes", IDLE_AUTOTERMINATION_DEFAULT_MIN);
        if (now_ms - ip->idle_surplus_since_ms >= minutes * c->minute_ms &&
            cl_enqueue(c, JOB_IPOOL_TRIM, ip->id, NULL, NULL, NULL) == LH_OK)
            ip->idle_surplus_since_ms = 0; /* else retried next tick */
    }
}

json_t *cl_ipool_render(lh_clusters_t *c, const cl_ipool *ip)
{
    (void)c;
    json_t *o = json_deep_copy(ip->spec);
    json_object_set_new(o, "instance_pool_id", json_string(ip->id));
    json_object_set_new(o, "state", json_string(ip->is_deleted ? "DELETED" : "ACTIVE"));
    int idle = cl_ipool_idle(ip);
    /* A top-up's workers count as idle as soon as they exist, before the top-up finishes and
     * clears pending_idle: pending is at most what is still missing, never counted twice. */
    int missing = spec_int(ip, "min_idle_instances", 0) - idle;
    int pending = ip->pending_idle < missing ? ip->pending_idle : (missing > 0 ? missing : 0);
    json_object_set_new(o, "stats",
                        json_pack("{s:i, s:i, s:i, s:i}", "used_count", ip->used, "idle_count",
                                  idle, "pending_used_count", 0, "pending_idle_count", pending));
    json_object_set_new(
        o, "default_tags",
        json_pack("{s:s, s:s}", "Vendor", "Databricks", "DatabricksInstancePoolId", ip->id));
    if (!json_object_get(o, "idle_instance_autotermination_minutes"))
        lh_json_set_int(o, "idle_instance_autotermination_minutes",
                        IDLE_AUTOTERMINATION_DEFAULT_MIN);
    return o;
}

/* ---- handlers ---- */

static lh_err spec_from_request(const json_t *body, json_t **out, lh_errbuf *eb)
{
    const char *name = NULL, *node = NULL;
    LH_TRY(lh_json_get_str(body, "instance_pool_name", LH_REQUIRED, &name, eb));
    LH_FAIL_IF(*name == '\0' || strlen(name) > LH_NAME_MAX, LH_E_INVALID, eb,
               "instance_pool_name must be 1 to %d characters", LH_NAME_MAX);
    LH_TRY(lh_json_get_str(body, "node_type_id", LH_REQUIRED, &node, eb));
    int64_t min_idle = 0, max_cap = 0, idle_min = IDLE_AUTOTERMINATION_DEFAULT_MIN;
    LH_TRY(lh_json_get_int_range(body, "min_idle_instances", LH_OPTIONAL, 0, LH_POOL_THREADS_MAX,
                                 &min_idle, eb));
    LH_TRY(lh_json_get_int_range(body, "max_capacity", LH_OPTIONAL, 0, LH_CLUSTER_WORKERS_MAX,
                                 &max_cap, eb));
    LH_TRY(lh_json_get_int_range(body, "idle_instance_autotermination_minutes", LH_OPTIONAL, 0,
                                 10000, &idle_min, eb));
    LH_FAIL_IF(max_cap > 0 && min_idle > max_cap, LH_E_INVALID, eb,
               "min_idle_instances (%lld) must not exceed max_capacity (%lld)", (long long)min_idle,
               (long long)max_cap);
    json_t *tags = NULL;
    LH_TRY(lh_json_get_object(body, "custom_tags", LH_OPTIONAL, &tags, eb));
    json_t *spec = json_deep_copy(body);
    json_object_del(spec, "instance_pool_id");
    lh_json_set_int(spec, "min_idle_instances", min_idle);
    if (max_cap > 0)
        lh_json_set_int(spec, "max_capacity", max_cap);
    lh_json_set_int(spec, "idle_instance_autotermination_minutes", idle_min);
    *out = spec;
    return LH_OK;
}

static void set_pending(cl_ipool *ip)
{
    int n = spec_int(ip, "min_idle_instances", 0) - cl_ipool_idle(ip);
    ip->pending_idle = n > 0 ? n : 0;
}

lh_err cl_h_ipool_create(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    json_t *spec = NULL;
    LH_TRY(lh_perm_require_entitlement(req->ctx, req->principal, LH_ENT_INSTANCE_POOL, eb));
    LH_TRY(spec_from_request(req->params, &spec, eb));
    cl_ipool *ip = calloc(1, sizeof *ip);
    if (ip == NULL || (ip->pool = lh_pool_create("ipool", 0)) == NULL) {
        free(ip);
        json_decref(spec);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    cl_make_ipool_id(ip->id);
    ip->spec = spec;
    ip->created_at = lh_now_ms();
    set_pending(ip);
    cl_wrlock(c); /* the job waits for the lock, so it finds the pool inserted (or not) */
    lh_err e = cl_enqueue(c, JOB_IPOOL_TOPUP, ip->id, NULL, NULL, eb);
    if (e == LH_OK)
        e = cl_store_ipool(c, ip, eb);
    if (e == LH_OK) {
        ip->next = c->ipools;
        c->ipools = ip;
    }
    pthread_rwlock_unlock(&c->lock);
    if (e != LH_OK) {
        lh_pool_destroy(ip->pool);
        json_decref(ip->spec);
        free(ip);
        return e;
    }
    char id[CL_ID_MAX];
    memcpy(id, ip->id, sizeof id);
    LH_TRY(lh_perm_on_create(req->ctx, req->principal, "instance-pools", id, eb));
    req->out = json_pack("{s:s}", "instance_pool_id", id);
    return LH_OK;
}

/* The caller must hold level on the pool named by the request. */
static lh_err require_on(const lh_req_t *req, const char *level, lh_errbuf *eb)
{
    const char *id = NULL;
    LH_TRY(lh_json_get_str(req->params, "instance_pool_id", LH_REQUIRED, &id, eb));
    return cl_require(req, "instance-pools", id, level, eb);
}

static lh_err find_live(lh_clusters_t *c, const json_t *params, cl_ipool **out, lh_errbuf *eb)
{
    const char *id = NULL;
    LH_TRY(lh_json_get_str(params, "instance_pool_id", LH_REQUIRED, &id, eb));
    cl_ipool *ip = cl_ipool_find(c, id);
    LH_FAIL_IF(ip == NULL || ip->is_deleted, LH_E_NOT_FOUND, eb, "Instance pool %s does not exist",
               id);
    *out = ip;
    return LH_OK;
}

lh_err cl_h_ipool_edit(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    json_t *spec = NULL;
    LH_TRY(require_on(req, "CAN_MANAGE", eb));
    LH_TRY(spec_from_request(req->params, &spec, eb));
    cl_wrlock(c);
    cl_ipool *ip = NULL;
    lh_err e = find_live(c, req->params, &ip, eb);
    if (e == LH_OK)
        e = cl_enqueue(c, JOB_IPOOL_TOPUP, ip->id, NULL, NULL, eb);
    if (e == LH_OK) {
        json_t *old = ip->spec;
        ip->spec = spec;
        spec = old;
        set_pending(ip);
        e = cl_store_ipool(c, ip, eb);
        ip->idle_surplus_since_ms = 0;
    }
    pthread_rwlock_unlock(&c->lock);
    json_decref(spec);
    return e;
}

lh_err cl_h_ipool_delete(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    LH_TRY(require_on(req, "CAN_MANAGE", eb));
    cl_wrlock(c);
    cl_ipool *ip = NULL;
    lh_err e = find_live(c, req->params, &ip, eb);
    if (e == LH_OK)
        e = cl_enqueue(c, JOB_IPOOL_DELETE, ip->id, NULL, NULL, eb);
    if (e == LH_OK) {
        ip->is_deleted = true;
        ip->pending_idle = 0;
        e = cl_store_ipool(c, ip, eb);
    }
    pthread_rwlock_unlock(&c->lock);
    LH_TRY(e);
    const char *id = json_string_value(json_object_get(req->params, "instance_pool_id"));
    return lh_perm_on_delete(req->ctx, "instance-pools", id, eb);
}

lh_err cl_h_ipool_get(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    const char *id = NULL;
    LH_TRY(lh_json_get_str(req->params, "instance_pool_id", LH_REQUIRED, &id, eb));
    LH_TRY(cl_require(req, "instance-pools", id, "CAN_ATTACH_TO", eb));
    pthread_rwlock_rdlock(&c->lock);
    cl_ipool *ip = cl_ipool_find(c, id);
    if (ip != NULL)
        req->out = cl_ipool_render(c, ip);
    pthread_rwlock_unlock(&c->lock);
    LH_FAIL_IF(ip == NULL, LH_E_NOT_FOUND, eb, "Instance pool %s does not exist", id);
    return LH_OK;
}

lh_err cl_h_ipool_list(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    lh_perm_visible_t visible;
    LH_TRY(lh_perm_visible(req->ctx, req->principal, "instance-pools", "CAN_ATTACH_TO", req->arena,
                           &visible, eb));
    json_t *arr = json_array();
    pthread_rwlock_rdlock(&c->lock);
    for (cl_ipool *ip = c->ipools; ip != NULL; ip = ip->next) {
        if (!ip->is_deleted && lh_perm_visible_has(&visible, ip->id))
            json_array_append_new(arr, cl_ipool_render(c, ip));
    }
    pthread_rwlock_unlock(&c->lock);
    req->out = json_pack("{s:o}", "instance_pools", arr);
    return LH_OK;
}
