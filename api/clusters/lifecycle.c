/*
 * lifecycle.c - lifecycle jobs (cluster transitions, on the area's 1-thread "clusters"
 * executor of the background service), the reaper (a periodic timer: autotermination,
 * instance pool idle timeouts) and start-up recovery.
 *
 *   create/start   HTTP: -> PENDING, JOB_START      lifecycle: pool (adopt/grow) -> RUNNING
 *   resize         HTTP: -> RESIZING, JOB_RESIZE    lifecycle: grow/shrink      -> RUNNING
 *   restart/edit   HTTP: -> RESTARTING, JOB_RESIZE  lifecycle: drain, resize    -> RUNNING
 *   delete         HTTP: -> TERMINATING, JOB_TERMINATE
 *                  lifecycle: wait for borrowers (lh_clusters_release_pool re-queues),
 *                  drain, return workers to the instance pool or stop them -> TERMINATED
 *   reaper         RUNNING, autotermination_minutes > 0, no borrowers, idle that long
 *                  -> TERMINATING with reason INACTIVITY
 *   start failure  instance pool full -> TERMINATED (INSTANCE_POOL_MAX_CAPACITY_REACHED);
 *                  no worker thread / the pool could not provide workers -> ERROR
 *                  (SPARK_STARTUP_FAILURE / INSTANCE_POOL_CLUSTER_FAILURE)
 * Each lifecycle event writes one INFO log line (cl_log): "cluster <id> (<name>) RUNNING
 * (2 workers, 2 threads)", "... TERMINATED (INACTIVITY)", "... ERROR (code: message)".
 *
 * HTTP posts the job before it changes the state (both under the write lock), so a full
 * queue answers 429 and leaves the cluster as it was, and the job cannot run before the
 * state it expects is set. Jobs are FIFO, one at a time, and each re-checks the state it
 * expects, so a delete racing a start simply finds the cluster TERMINATING and the start
 * job does nothing. Only the executor's one thread (and recovery, before any job runs)
 * creates, resizes or destroys pools, so a cluster's `pool` pointer is stable while a job
 * runs. Follow-ups posted off the request path (the last borrower's release, a top-up
 * after adoption) that find the queue full are re-posted by the reaper's next tick.
 * On shutdown, queued jobs are dropped (the states stay as stored; recovery resumes them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/clusters/clusters_internal.h"
#include "common/util.h"

static void run_job(lh_clusters_t *c, const cl_job *j);

static void job_task(void *arg)
{
    cl_job *j = arg;
    if (!atomic_load(&j->c->stopping)) /* on shutdown, states stay as stored */
        run_job(j->c, j);
    free(j);
}

lh_err cl_enqueue(lh_clusters_t *c, cl_job_kind kind, const char *id, const char *event,
                  const char *reason, lh_errbuf *eb)
{
    cl_job *j = calloc(1, sizeof *j);
    LH_FAIL_IF(j == NULL, LH_E_NOMEM, eb, "out of memory");
    j->c = c;
    j->kind = kind;
    snprintf(j->id, sizeof j->id, "%s", id);
    snprintf(j->event, sizeof j->event, "%s", event ? event : "");
    snprintf(j->reason, sizeof j->reason, "%s", reason ? reason : "");
    lh_err e = lh_bg_post(c->lifecycle, job_task, j, eb);
    if (e != LH_OK)
        free(j);
    return e;
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
    lh_err e = cl_enqueue(c, JOB_TERMINATE, cl->id, NULL, NULL, eb);
    if (e != LH_OK) {
        json_decref(params);
        return e;
    }
    json_t *reason = reason_json(code, type, params);
    json_decref(cl->termination_reason);
    cl->termination_reason = reason;
    cl_set_state(cl, CL_TERMINATING);
    char msg[128];
    snprintf(msg, sizeof msg, "Terminating: %s", code);
    cl_set_message(cl, msg);
    return cl_store_cluster(c, cl, "TERMINATING", json_pack("{s:O}", "reason", reason), eb);
}

/* Give up on a start. The instance pool being full is the client's problem: TERMINATED
 * with INSTANCE_POOL_MAX_CAPACITY_REACHED, as on Databricks. Anything else (no worker
 * thread could be created, the instance pool could not provide workers) is ERROR, with an
 * ADD_NODES_FAILED event; the SDK waiters fail on both. */
static void fail_start(lh_clusters_t *c, cl_cluster *cl, lh_err e, const char *msg)
{
    bool full = e == LH_E_LIMIT;
    const char *code = full              ? "INSTANCE_POOL_MAX_CAPACITY_REACHED"
                       : cl->ipool_id[0] ? "INSTANCE_POOL_CLUSTER_FAILURE"
                                         : "SPARK_STARTUP_FAILURE";
    json_t *params = json_pack("{s:s}", "message", msg);
    if (cl->ipool_id[0])
        json_object_set_new(params, "instance_pool_id", json_string(cl->ipool_id));
    json_decref(cl->termination_reason);
    cl->termination_reason = reason_json(code, full ? "CLIENT_ERROR" : "SERVICE_FAULT", params);
    cl_set_state(cl, full ? CL_TERMINATED : CL_ERROR);
    cl->terminated_time = lh_now_ms();
    cl_set_message(cl, msg);
    store_logged(c, cl, full ? "TERMINATING" : "ADD_NODES_FAILED",
                 json_pack("{s:O}", "reason", cl->termination_reason));
    cl_log(cl, "%s (%s: %s)", full ? "TERMINATED" : "ERROR", code, msg);
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
    cl_set_state(cl, CL_RUNNING);
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
    if (cl->pool == NULL && !c->test_fail_start)
        cl->pool = lh_pool_create("cluster", 0);
    pthread_rwlock_unlock(&c->lock);
    lh_errbuf eb = {0};
    lh_err e = cl->pool ? cl_ipool_resize_cluster(c, cl, want, &eb)
                        : lh_err_set(&eb, LH_E_IO, __FILE__, __LINE__,
                                     "Could not start the cluster's worker threads%s",
                                     c->test_fail_start ? " (LAKEHOUSE_TEST_FAIL_POOL_START)" : "");
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
        cl_log(cl, "RUNNING (%lld workers, %d threads%s%s)", (long long)cl_spec_workers(cl->spec),
               cl->threads, j->reason[0] ? ", " : "", j->reason);
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
        cl_log(cl, "%s (%lld workers, %d threads%s%s)", restart ? "RESTARTED" : "RESIZED",
               (long long)cl_spec_workers(cl->spec), cl->threads, e != LH_OK ? ": " : "",
               e != LH_OK ? eb.msg : "");
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
    const char *code = json_string_value(json_object_get(cl->termination_reason, "code"));
    cl_log(cl, "TERMINATED (%s)%s", code ? code : "UNKNOWN", cl->is_deleted ? ", deleted" : "");
    if (cl->is_deleted) {
        cl_remove(c, cl);
        cl_cluster_free(cl);
    } else {
        cl_set_state(cl, CL_TERMINATED);
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

/* ---- reaper ---- */

/* A teardown the last borrower could not post (queue full) is posted again here. */
static void retry_teardown(lh_clusters_t *c, cl_cluster *cl)
{
    if (cl->state != CL_TERMINATING || atomic_load(&cl->users) > 0 ||
        !atomic_exchange(&cl->teardown_pending, false))
        return;
    if (cl_enqueue(c, JOB_TERMINATE, cl->id, NULL, NULL, NULL) != LH_OK)
        atomic_store(&cl->teardown_pending, true);
}

static void reap_cluster(lh_clusters_t *c, cl_cluster *cl, int64_t now)
{
    retry_teardown(c, cl);
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
        lh_log(LH_LOG_WARN, "cluster %s: autotermination (retried next tick): %s", cl->id, eb.msg);
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

static void reaper_tick(void *arg)
{
    reap_once(arg);
}

lh_err cl_background_start(lh_clusters_t *c, lh_errbuf *eb)
{
    int64_t tick = reaper_tick_ms(c);
    return lh_bg_timer_add(c->ctx->bg, NULL, tick, tick, reaper_tick, c, &c->reaper, eb);
}

void cl_background_stop(lh_clusters_t *c)
{
    atomic_store(&c->stopping, true);
    lh_bg_timer_cancel(c->reaper); /* waits for a tick in progress */
    c->reaper = NULL;
    if (c->lifecycle != NULL)
        lh_bg_executor_shutdown(c->lifecycle); /* drains: queued jobs only free themselves */
}

/* ---- recovery ---- */

/* TERMINATED and ERROR clusters have no compute and stay as they are (an ERROR one keeps
 * its termination_reason until clusters/start or delete). */
static void recover_cluster(lh_clusters_t *c, cl_cluster *cl)
{
    if (cl->state == CL_TERMINATING) {
        cl_set_state_recovery(cl, CL_TERMINATED);
        cl->terminated_time = lh_now_ms();
        cl_set_message(cl, "Terminated");
        store_logged(c, cl, NULL, NULL);
        return;
    }
    if (cl->state != CL_RUNNING && cl->state != CL_PENDING && cl->state != CL_RESIZING &&
        cl->state != CL_RESTARTING)
        return;
    const char *source = json_string_value(json_object_get(cl->spec, "cluster_source"));
    if (source != NULL && strcmp(source, "JOB") == 0) { /* its run ended with the daemon */
        json_decref(cl->termination_reason);
        cl->termination_reason = reason_json("JOB_FINISHED", "SUCCESS", NULL);
        cl_set_state_recovery(cl, CL_TERMINATED);
        cl->terminated_time = lh_now_ms();
        cl_set_message(cl, "Terminated: its job run ended with the daemon");
        store_logged(c, cl, NULL, NULL);
        return;
    }
    cl_set_state_recovery(cl, CL_PENDING);
    cl_job j = {.c = c, .kind = JOB_START};
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
