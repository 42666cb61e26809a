/*
 * clusters.h - clusters, cluster policies and instance pools (api/clusters).
 *
 * A RUNNING cluster owns a compute pool (compute/pool.h) of
 *     threads = min(max(W, 1), cores),  W = num_workers, or autoscale.max_workers
 * (the driver's work runs on the caller of lh_pool_parallel_for, so it takes no thread;
 * a single-node cluster, W = 0, still gets one). The API reports the logical shape asked
 * for (num_workers executors), whatever node_type_id says; what is real is reported as such:
 *     cluster_cores     = threads (the pool's worker threads, as given)
 *     cluster_memory_mb = machine RAM * threads / cores  (a fair share of this machine)
 * Node types (clusters/list-node-types, catalog.c) carry their published cloud shape, or for
 * lakehouse.* a share of this machine; either way a node is one worker thread here. No port
 * is advertised (no jdbc_port, no ssh): nothing listens for them. spark_version and
 * node_type_id / driver_node_type_id / an instance pool's node_type_id must be listed
 * (400 INVALID_PARAMETER_VALUE naming up to 3 close matches). Transitions (PENDING -> RUNNING,
 * RESIZING, RESTARTING, TERMINATING -> TERMINATED) run as jobs on the area's 1-thread executor of
 * the background service (ctx->bg, common/bg.h), never on HTTP threads; the API returns at once and
 * clients poll `state`, as with Databricks. The job queue holds LH_CLUSTERS_QUEUE_MAX jobs: when it
 * is full a state-changing call answers 429 (REQUEST_LIMIT_EXCEEDED, Retry-After) and changes
 * nothing. A periodic reaper timer enforces autotermination_minutes from last_activity_time (absent
 * or 0 = never, the Clusters API default) and instance pools' idle timeouts. The area starts no
 * threads of its own. State lives in memory (reads: get, list and metrics never touch SQLite) and
 * is written through to SQLite on every change.
 *
 * A start that cannot get its workers for any other reason than the instance pool's
 * max_capacity (no worker thread could be created, the pool could not provide them) ends in
 * ERROR with termination_reason SPARK_STARTUP_FAILURE / INSTANCE_POOL_CLUSTER_FAILURE and an
 * ADD_NODES_FAILED event; ERROR clusters can be started again, edited or deleted.
 * Every lifecycle event logs one INFO line "cluster <id> (<name>) <EVENT> (...)".
 *
 * Instance pools: an instance is one worker thread; a cluster with instance_pool_id
 * adopts idle ones (lh_pool_move_workers, no thread creation) and returns them when it
 * terminates. A cluster that would push the pool past max_capacity fails to start:
 * TERMINATED with termination_reason INSTANCE_POOL_MAX_CAPACITY_REACHED (and one that
 * could never fit is refused at create with 400).
 *
 * LAKEHOUSE_TEST_MINUTE_MS (default 60000) sets the length of a "minute" for
 * autotermination_minutes and idle_instance_autotermination_minutes, for tests;
 * LAKEHOUSE_TEST_FAIL_POOL_START=1 makes every start fail as if no thread could be created.
 *
 * Thread-safe: all functions may be called from any thread.
 */
#ifndef LH_API_CLUSTERS_H
#define LH_API_CLUSTERS_H

#include <jansson.h>
#include <stdio.h>

#include "api/api.h"
#include "api/area.h"

struct lh_pool;
typedef struct lh_clusters lh_clusters_t;

/* The area's descriptor (server/areas.c): create = lh_clusters_create (and publishes
 * ctx->clusters), recover = lh_clusters_recover, destroy = lh_clusters_destroy. */
extern const lh_area_t lh_clusters_area;

/* Load clusters, policies and pools from the metastore; ctx->bg must be set (the area's
 * lifecycle executor is created on it). Nothing runs until lh_clusters_recover.
 * Errors: the metastore's (LH_E_IO, LH_E_CORRUPT), the background service's. */
lh_err lh_clusters_create(lh_ctx_t *ctx, lh_clusters_t **out, lh_errbuf *eb);
/* Recover, synchronously and before any request is served, then start the reaper timer:
 *   - instance pools are topped up to min_idle_instances;
 *   - clusters that were RUNNING, PENDING, RESIZING or RESTARTING come back RUNNING with a
 *     fresh pool (new spark_context_id; event RUNNING with details.reason
 *     "daemon restart");
 *   - TERMINATING ones become TERMINATED (keeping their termination_reason);
 *   - TERMINATED and ERROR ones stay as they are.
 * Errors: the background service's (adding the timer). */
lh_err lh_clusters_recover(lh_clusters_t *c, lh_errbuf *eb);
/* Cancel the reaper, drop queued lifecycle jobs (waiting for the one running), stop every
 * pool (blocks until workers exit), clear ctx->clusters. Cluster states in the metastore
 * are left as they are, so a restart resumes them. Call before ctx->bg is destroyed. */
void lh_clusters_destroy(lh_clusters_t *c);

const lh_route_t *lh_clusters_routes(int *count);

/* Tell the permission checker which clusters, cluster policies and instance pools exist
 * (api/perm.h), for /api/2.0/permissions/... Called once at start. */
struct lh_perm;
void lh_clusters_register_perm(lh_clusters_t *c, struct lh_perm *perm);

/* Prometheus gauges: lakehouse_clusters{state="..."} N for every state (zeros included),
 * lakehouse_instance_pool_used / _idle{instance_pool_id="..."} per active pool. */
void lh_clusters_render_metrics(lh_clusters_t *c, FILE *out);

/* For later areas (SQL, jobs): borrow a RUNNING (or RESIZING) cluster's pool and mark
 * activity (last_activity_time; a borrowed cluster is never autoterminated). The pool
 * stays valid until lh_clusters_release_pool: a delete meanwhile leaves the cluster
 * TERMINATING and the last release lets teardown proceed. Never blocks.
 * LH_E_NOT_FOUND / LH_E_STATE (not running). Pair every success with one release. */
lh_err lh_clusters_acquire_pool(lh_clusters_t *c, const char *cluster_id, struct lh_pool **pool,
                                lh_errbuf *eb);
void lh_clusters_release_pool(lh_clusters_t *c, const char *cluster_id);

/* Jobs: an ephemeral job cluster from a task's new_cluster (or job_clusters[].new_cluster)
 * spec, named name, owned by creator, cluster_source "JOB"; PENDING now, RUNNING when the
 * lifecycle job has started it (poll lh_clusters_state / lh_clusters_acquire_pool). No
 * permission check (the run's owner may run the job). Its id into id_out. Errors: the spec's
 * (LH_E_INVALID), a full lifecycle queue (LH_E_LIMIT). Never blocks for long. A job cluster
 * left active at a restart is TERMINATED (JOB_FINISHED) by lh_clusters_recover. */
lh_err lh_clusters_create_ephemeral(lh_clusters_t *c, const json_t *spec, const char *name,
                                    const char *creator, char *id_out, size_t id_size,
                                    lh_errbuf *eb);
/* Terminate a cluster (termination_reason JOB_FINISHED); terminated already is LH_OK. */
lh_err lh_clusters_terminate(lh_clusters_t *c, const char *cluster_id, lh_errbuf *eb);
/* Its state name ("PENDING", "RUNNING", ...) into state. LH_E_NOT_FOUND. */
lh_err lh_clusters_state(lh_clusters_t *c, const char *cluster_id, char *state, size_t size,
                         lh_errbuf *eb);

#endif
