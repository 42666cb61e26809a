/*
 * clusters.h - clusters, cluster policies and instance pools (api/clusters).
 *
 * A RUNNING cluster owns a compute pool (compute/pool.h) of min(workers, cores) threads;
 * the API reports the logical shape asked for. Transitions (PENDING -> RUNNING, RESIZING,
 * RESTARTING, TERMINATING -> TERMINATED) run on a lifecycle thread, never on HTTP threads;
 * the API returns at once and clients poll `state`, as with Databricks. A reaper thread
 * enforces autotermination_minutes from last_activity_time and instance pools' idle
 * timeouts. State lives in SQLite (write-through) and in memory (reads).
 *
 * Thread-safe: all functions may be called from any thread.
 */
#ifndef LH_API_CLUSTERS_H
#define LH_API_CLUSTERS_H

#include <stdio.h>

#include "api/api.h"

struct lh_pool;
typedef struct lh_clusters lh_clusters_t;

/* Load clusters, policies and pools from the metastore and recover: clusters that were
 * RUNNING (or moving towards it) before a stop come back RUNNING with fresh pools. */
lh_err lh_clusters_create(lh_ctx_t *ctx, lh_clusters_t **out, lh_errbuf *eb);
/* Stop the lifecycle and reaper threads and every pool (blocks until workers exit).
 * Cluster states in the metastore are left as they are, so a restart resumes them. */
void lh_clusters_destroy(lh_clusters_t *c);

const lh_route_t *lh_clusters_routes(int *count);

/* Prometheus lines: lakehouse_clusters{state="RUNNING"} N ... and pool stats. */
void lh_clusters_render_metrics(lh_clusters_t *c, FILE *out);

/* For later areas (SQL, jobs): borrow a RUNNING cluster's pool and mark activity.
 * LH_E_NOT_FOUND / LH_E_STATE (not running). Release with lh_clusters_release_pool. */
lh_err lh_clusters_acquire_pool(lh_clusters_t *c, const char *cluster_id, struct lh_pool **pool,
                                lh_errbuf *eb);
void lh_clusters_release_pool(lh_clusters_t *c, const char *cluster_id);

#endif
