/*
 * lifecycle.c - the lifecycle thread (cluster transitions), the reaper thread
 * (autotermination, instance pool idle timeouts) and start-up recovery.
 *
 *   create/start   HTTP: -> PENDING, JOB_START      lifecycle: pool (adopt/grow) -> RUNNING
 *   resize         HTTP: -> RESIZING, JOB_RESIZE    lifecycle: grow/shrink      -> RUNNING
 *   restart/edit   HTTP: -> RESTARTING, JOB_RESIZE  lifecycle: drain, resize    -> RUNNING
 *   delete         HTTP: -> TERMINATING, JOB_TERMINATE
 *                  lifecycle: wait for borrowers (lh_clusters_release_pool re-queues),
 *                  drain, return workers to the instance pool or stop them -> TERMINATED
 *   reaper         RUNNING, autotermination_minutes > 0, no borrowers, idle that long
 *                  -> TERMINATING with reason INACTIVITY
 *
 * Jobs are FIFO and each re-checks the state it expects, so a delete racing a start
 * simply finds the cluster TERMINATING and the start job does nothing. Only this thread
 * (and recovery, before it starts) creates, resizes or destroys pools, so a cluster's
 * `pool` pointer is stable while a job runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/clusters/clusters_internal.h"
#include "common/util.h"

cl_job *cl_job_new(cl_job_kind kind, const char *id, const char *event, const char *reason)
{
    cl_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->kind = kind;
    snprintf(j->id, sizeof j->id, "%s", id);
    snprintf(j->event, sizeof j->event, "%s", event ? event : "");
    snprintf(j->reason, sizeof j->reason, "%s", reason ? reason : "");
    return j;
}

void cl_enqueue(lh_clusters_t *c, cl_job_kind kind, const char *id, const char *event,
                const char *reason)
{
    cl_job *j = cl_job_new(kind, id, event, reason);
    LH_ASSERT(j != NULL);
    cl_job_post(c, j);
}

void cl_job_post(lh_clusters_t *c, cl_job *j)
{
    pthread_mutex_lock(&c->q_mu);
    if (c->q_tail)
        c->q_tail->next = j;
    else
        c->q_head = j;
    c->q_tail = j;
    pthread_cond_broadcast(&c->q_cond);
    pthread_mutex_unlock(&c->q_mu);
}

static void store_logged(lh_clusters_t *c, cl_cluster *cl, const char *event, json_t *details)
{
    lh_errbuf eb = {0};
    if (cl_store_cluster(c, cl, event, details, &eb) != LH_OK)
        lh_log(LH_LOG_ERROR, "cluster %s: metastore write failed: %s", cl->id, eb.msg);
}

static int64_t random_context_id(void)
{
    uint64_t r;
    lh_random_bytes(&r, sizeof r);
    return (int64_t)(r >> 2);
}

static json_t *reason_json(const char *code, const char *type, json_t *params)
{
    return json_pack("{s:s, s:s, s:o}", "code", code, "type", type, "parameters",
                     params ? params : json_object());
}

lh_err cl_begin_terminate(lh_clusters_t *c, cl_cluster *cl, const char *code, const char *type,
                          json_t *params, lh_errbuf *eb)
{
    json_t *reason = reason_json(code, type, params);
    json_decref(cl->termination_reason);
    cl->termination_reason = reason;
    cl->state = CL_TERMINATING;
    char msg[128];
    snprintf(msg, sizeof msg, "Terminating: %s", code);
    cl_set_message(cl, msg);
    lh_err e = cl_store_cluster(c, cl, "TERMINATING", json_pack("{s:O}", "reason", reason), eb);
    cl_enqueue(c, JOB_TERMINATE, cl->id, NULL, NULL);
    return e;
}

/* Give up on a start: TERMINATED with reason (the SDK waiter fails on TERMINATED). */
static void fail_start(lh_clusters_t *c, cl_cluster *cl, lh_err e, const char *msg)
{
    const char *code = e == LH_E_LIMIT ? "INSTANCE_POOL_MAX_CAPACITY_REACHED" : "INTERNAL_ERROR";
    const char *type = e == LH_E_LIMIT ? "CLIENT_ERROR" : "SERVICE_FAULT";
    json_t *params = json_pack("{s:s}", "message", msg);
    if (cl->ipool_id[0])
        json_object_set_new(params, "instance_pool_id", json_string(cl->ipool_id));
    json_decref(cl->termination_reason);
    cl->termination_reason = reason_json(code, type, params);
    cl->state = CL_TERMINATED;
    cl->terminated_time = lh_now_ms();
    cl_set_message(cl, msg);
    store_logged(c, cl, "TERMINATING", json_pack("{s:O}", "reason", cl->termination_reason));
}

static void release_compute(lh_clusters_t *c, cl_cluster *cl)
{
    if (cl->pool == NULL)
        return;
    lh_pool_wait_idle(cl->pool);
    lh_errbuf eb = {0};
    cl_ipool_resize_cluster(c, cl, 0, &eb);
    cl_wrlock(c);
    lh_pool_t *p = cl->pool;
    cl->pool = NULL;
    pthread_rwlock_unlock(&c->lock);
    lh_pool_destroy(p);
    if (cl->ipool_id[0])
        cl_ipool_topup(c, cl->ipool_id);
}

static void mark_running(lh_clusters_t *c, cl_cluster *cl, const char *event, const char *reason)
{
    int64_t now = lh_now_ms();
    cl->state = CL_RUNNING;
    cl_set_message(cl, "");
    atomic_store(&cl->last_activity_time, now);
    json_t *details =
        json_pack("{s:I, s:I}", "current_num_workers", (json_int_t)cl_spec_workers(cl->spec),
                  "target_num_workers", (json_int_t)cl_spec_workers(cl->spec));
    if (reason != NULL && reason[0]) /* a TerminationReason object, as the SDKs parse it */
        json_object_set_new(
            details, "reason",
            json_pack("{s:s, s:s, s:{s:s}}", "code",
                      strcmp(reason, "daemon restart") == 0 ? "UNKNOWN" : "USER_REQUEST", "type",
                      "SUCCESS", "parameters", "message", reason));
    store_logged(c, cl, event[0] ? event : "RUNNING", details);
}

static void run_start(lh_clusters_t *c, const cl_job *j)
{
    cl_wrlock(c);
    cl_cluster *cl = cl_find_any(c, j->id);
    if (cl == NULL || cl->state != CL_PENDING) {
        pthread_rwlock_unlock(&c->lock);
        return;
    }
    const char *ipool = json_string_value(json_object_get(cl->spec, "instance_pool_id"));
    snprintf(cl->ipool_id, sizeof cl->ipool_id, "%s", ipool ? ipool : "");
    int want = cl_spec_threads(cl->spec);
    if (cl->pool == NULL)
        cl->pool = lh_pool_create("cluster", 0);
    pthread_rwlock_unlock(&c->lock);
    lh_errbuf eb = {0};
    lh_err e = cl->pool ? cl_ipool_resize_cluster(c, cl, want, &eb)
                        : lh_err_set(&eb, LH_E_NOMEM, __FILE__, __LINE__, "cannot create pool");
    if (e != LH_OK)
        release_compute(c, cl);
    cl_wrlock(c);
    if (cl->state == CL_PENDING && e != LH_OK) {
        fail_start(c, cl, e, eb.msg);
    } else if (cl->state == CL_PENDING) {
        cl->start_time = lh_now_ms();
        cl->spark_context_id = random_context_id();
        mark_running(c, cl, j->event, j->reason);
        store_logged(c, cl, "DRIVER_HEALTHY", NULL);
    }
    pthread_rwlock_unlock(&c->lock);
}

/* Hand every thread back to the old instance pool, then draw from the new one. */
static void switch_ipool(lh_clusters_t *c, cl_cluster *cl, const char *ipool_id)
{
    lh_errbuf eb = {0};
    char old[CL_ID_MAX];
    snprintf(old, sizeof old, "%s", cl->ipool_id);
    cl_ipool_resize_cluster(c, cl, 0, &eb);
    cl_wrlock(c);
    snprintf(cl->ipool_id, sizeof cl->ipool_id, "%s", ipool_id);
    pthread_rwlock_unlock(&c->lock);
    if (old[0])
        cl_ipool_topup(c, old);
}

static void run_resize(lh_clusters_t *c, const cl_job *j)
{
    cl_wrlock(c);
    cl_cluster *cl = cl_find_any(c, j->id);
    if (cl == NULL || (cl->state != CL_RESIZING && cl->state != CL_RESTARTING)) {
        pthread_rwlock_unlock(&c->lock);
        return;
    }
    bool restart = cl->state == CL_RESTARTING;
    int want = cl_spec_threads(cl->spec);
    const char *ipool = json_string_value(json_object_get(cl->spec, "instance_pool_id"));
    char next_ipool[CL_ID_MAX];
    snprintf(next_ipool, sizeof next_ipool, "%s", ipool ? ipool : "");
    pthread_rwlock_unlock(&c->lock);
    if (restart && cl->pool != NULL)
        lh_pool_wait_idle(cl->pool); /* a restart lets running work finish, then resets */
    if (cl->pool != NULL && strcmp(next_ipool, cl->ipool_id) != 0)
        switch_ipool(c, cl, next_ipool); /* an edit moved the cluster to another pool */
    lh_errbuf eb = {0};
    lh_err e = cl->pool ? cl_ipool_resize_cluster(c, cl, want, &eb) : LH_OK;
    cl_wrlock(c);
    if (cl->state == CL_RESIZING || cl->state == CL_RESTARTING) {
        if (restart) {
            cl->last_restarted_time = lh_now_ms();
            cl->spark_context_id = random_context_id();
        }
        mark_running(c, cl, j->event, e != LH_OK ? eb.msg : j->reason);
        if (e != LH_OK)
            cl_set_message(cl, eb.msg);
    }
    pthread_rwlock_unlock(&c->lock);
}

static void run_terminate(lh_clusters_t *c, const cl_job *j)
{
    cl_wrlock(c);
    cl_cluster *cl = cl_find_any(c, j->id);
    bool go = cl != NULL && cl->state == CL_TERMINATING;
    if (go && atomic_load(&cl->users) > 0) {
        atomic_store(&cl->teardown_pending, true); /* the last release re-queues us */
        go = false;
    }
    pthread_rwlock_unlock(&c->lock);
    if (!go)
        return;
    release_compute(c, cl);
    cl_wrlock(c);
    if (cl->is_deleted) {
        cl_remove(c, cl);
        cl_cluster_free(cl);
    } else {
        cl->state = CL_TERMINATED;
        cl->terminated_time = lh_now_ms();
        cl_set_message(cl, "Terminated");
        store_logged(c, cl, NULL, NULL);
    }
    pthread_rwlock_unlock(&c->lock);
}

static void run_job(lh_clusters_t *c, const cl_job *j)
{
    switch (j->kind) {
    case JOB_START:
        run_start(c, j);
        break;
    case JOB_RESIZE:
        run_resize(c, j);
        break;
    case JOB_TERMINATE:
        run_terminate(c, j);
        break;
    case JOB_IPOOL_TOPUP:
        cl_ipool_topup(c, j->id);
        break;
    case JOB_IPOOL_TRIM:
        cl_ipool_trim(c, j->id);
        break;
    case JOB_IPOOL_DELETE:
        cl_ipool_teardown(c, j->id);
        break;
    }
}

static void *lifecycle_main(void *arg)
{
    lh_clusters_t *c = arg;
    pthread_mutex_lock(&c->q_mu);
    for (;;) {
        while (c->q_head == NULL && !c->stopping)
            pthread_cond_wait(&c->q_cond, &c->q_mu);
        if (c->q_head == NULL)
            break; /* stopping and drained */
        cl_job *j = c->q_head;
        c->q_head = j->next;
        if (c->q_head == NULL)
            c->q_tail = NULL;
        bool stopping = c->stopping; /* on shutdown, states stay as stored */
        pthread_mutex_unlock(&c->q_mu);
        if (!stopping)
            run_job(c, j);
        free(j);
        pthread_mutex_lock(&c->q_mu);
    }
    pthread_mutex_unlock(&c->q_mu);
    return NULL;
}

/* ---- reaper ---- */

static void reap_cluster(lh_clusters_t *c, cl_cluster *cl, int64_t now)
{
    if (cl->is_deleted || cl->state != CL_RUNNING || atomic_load(&cl->users) > 0)
        return;
    int64_t minutes = cl_spec_int(cl->spec, "autotermination_minutes", 0);
    if (minutes <= 0 || now - atomic_load(&cl->last_activity_time) < minutes * c->minute_ms)
        return;
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)minutes);
    lh_errbuf eb = {0};
    if (cl_begin_terminate(c, cl, "INACTIVITY", "SUCCESS",
                           json_pack("{s:s}", "inactivity_duration_min", buf), &eb) != LH_OK)
        lh_log(LH_LOG_ERROR, "cluster %s: autotermination: %s", cl->id, eb.msg);
}

static void reap_once(lh_clusters_t *c)
{
    int64_t now = lh_now_ms();
    cl_wrlock(c);
    for (int b = 0; b < CL_BUCKETS; b++) {
        for (cl_cluster *cl = c->buckets[b]; cl != NULL; cl = cl->hnext)
            reap_cluster(c, cl, now);
    }
    cl_ipool_reap(c, now);
    pthread_rwlock_unlock(&c->lock);
}

static int64_t reaper_tick_ms(const lh_clusters_t *c)
{
    int64_t t = c->minute_ms / 20;
    return t < 5 ? 5 : t > 1000 ? 1000 : t;
}

static void *reaper_main(void *arg)
{
    lh_clusters_t *c = arg;
    int64_t tick = reaper_tick_ms(c);
    pthread_mutex_lock(&c->q_mu);
    while (!c->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + tick * 1000000;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&c->q_cond, &c->q_mu, &ts);
        if (c->stopping)
            break;
        pthread_mutex_unlock(&c->q_mu);
        reap_once(c);
        pthread_mutex_lock(&c->q_mu);
    }
    pthread_mutex_unlock(&c->q_mu);
    return NULL;
}

lh_err cl_threads_start(lh_clusters_t *c, lh_errbuf *eb)
{
    LH_FAIL_IF(pthread_create(&c->lifecycle_thread, NULL, lifecycle_main, c) != 0, LH_E_IO, eb,
               "cannot start the cluster lifecycle thread");
    if (pthread_create(&c->reaper_thread, NULL, reaper_main, c) != 0) {
        cl_threads_stop(c);
        LH_FAIL(LH_E_IO, eb, "cannot start the cluster reaper thread");
    }
    c->threads_started = true;
    return LH_OK;
}

void cl_threads_stop(lh_clusters_t *c)
{
    pthread_mutex_lock(&c->q_mu);
    c->stopping = true;
    pthread_cond_broadcast(&c->q_cond);
    pthread_mutex_unlock(&c->q_mu);
    pthread_join(c->lifecycle_thread, NULL);
    if (c->threads_started)
        pthread_join(c->reaper_thread, NULL);
    c->threads_started = false;
}

/* ---- recovery ---- */

static void recover_cluster(lh_clusters_t *c, cl_cluster *cl)
{
    if (cl->state == CL_TERMINATING) {
        cl->state = CL_TERMINATED;
        cl->terminated_time = lh_now_ms();
        cl_set_message(cl, "Terminated");
        store_logged(c, cl, NULL, NULL);
        return;
    }
    if (cl->state != CL_RUNNING && cl->state != CL_PENDING && cl->state != CL_RESIZING &&
        cl->state != CL_RESTARTING)
        return;
    cl->state = CL_PENDING;
    cl_job j = {.kind = JOB_START};
    snprintf(j.id, sizeof j.id, "%s", cl->id);
    snprintf(j.event, sizeof j.event, "RUNNING");
    snprintf(j.reason, sizeof j.reason, "daemon restart");
    run_start(c, &j);
}

void cl_recover(lh_clusters_t *c)
{
    for (cl_ipool *ip = c->ipools; ip != NULL; ip = ip->next) {
        if (!ip->is_deleted)
            cl_ipool_topup(c, ip->id);
    }
    cl_cluster **list = calloc((size_t)c->cluster_count + 1, sizeof *list);
    LH_ASSERT(list != NULL);
    int n = 0;
    for (int b = 0; b < CL_BUCKETS; b++) { /* collect first: run_start takes the lock */
        for (cl_cluster *cl = c->buckets[b]; cl != NULL; cl = cl->hnext)
            list[n++] = cl;
    }
    for (int i = 0; i < n; i++)
        recover_cluster(c, list[i]);
    free(list);
}
