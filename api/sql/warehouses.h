/*
 * warehouses.h - SQL warehouses (api/sql): compute pools for SQL, shaped like Databricks'
 * /api/2.0/sql/warehouses (and the legacy /api/2.0/sql/endpoints), and the interface the
 * Statement Execution API uses to run on one.
 *
 * A RUNNING warehouse owns one compute pool (compute/pool.h) whose worker threads follow
 * cluster_size, capped by the machine's cores (lh_cpu_count()):
 *
 *     cluster_size   2X-Small X-Small Small Medium Large X-Large 2X-Large 3X-Large 4X-Large
 * 5X-Large workers            1       2      4     8     16     32      64      128      256 256
 *     threads = min(workers, cores)
 *
 * max_num_clusters bounds concurrent statements: lh_warehouse_acquire reports
 * max_concurrency = max_num_clusters * LH_WAREHOUSE_QUERIES_PER_CLUSTER.
 *
 * States: STARTING -> RUNNING -> STOPPING -> STOPPED (-> STARTING ...); delete goes
 * through DELETING to DELETED (a deleted warehouse answers get with state DELETED and is
 * left out of lists). Transitions run on the area's 1-thread executor on the background
 * service (ctx->bg), never on HTTP threads; a full queue answers 429 and changes nothing.
 * auto_stop_mins (0 = never; else >= 10; default 120) is enforced by a periodic timer on
 * the background service from the last activity (reaching RUNNING, an acquire or a
 * release); a warehouse with statements in flight is never stopped by it. A "minute" is
 * LAKEHOUSE_TEST_MINUTE_MS (config test_minute_ms) when set, for tests.
 * State lives in memory and is written through to SQLite (table sql_warehouses) on every
 * change. Restart recovery: RUNNING and STARTING come back (STARTING, then RUNNING with a
 * fresh pool), STOPPING becomes STOPPED, DELETING becomes DELETED.
 * Permissions (api/perm.h, object type "warehouses"): the creator is IS_OWNER; get and list
 * need CAN_VIEW (lists show only those), start and stop CAN_USE, edit and delete
 * CAN_MANAGE; admins hold every level. Creating one needs the allow-cluster-create
 * entitlement, as on Databricks. lh_warehouse_acquire checks
 * nothing: statement execution asks lh_perm_require(..., "CAN_USE") itself.
 *
 * Thread-safe: every function may be called from any thread.
 */
#ifndef LH_API_SQL_WAREHOUSES_H
#define LH_API_SQL_WAREHOUSES_H

#include <stdio.h>

#include "api/api.h"
#include "api/area.h"

struct lh_pool;
typedef struct lh_warehouses lh_warehouses_t;

/* Statements one cluster of a warehouse runs at once (Databricks' figure is ~10). */
#define LH_WAREHOUSE_QUERIES_PER_CLUSTER 10

/* Load warehouses from the metastore; needs ctx->bg. Nothing runs until recover. */
lh_err lh_warehouses_create(lh_ctx_t *ctx, lh_warehouses_t **out, lh_errbuf *eb);
/* Resolve interrupted transitions (see above) and start the auto-stop timer. */
lh_err lh_warehouses_recover(lh_warehouses_t *w, lh_errbuf *eb);
/* Cancel the timer, drain the executor (skipping queued transitions), stop every pool.
 * States in the metastore are left as they are, so a restart resumes them. */
void lh_warehouses_destroy(lh_warehouses_t *w);

/* POST|GET /api/2.0/sql/warehouses, GET|DELETE .../{id}, POST .../{id}/edit|start|stop,
 * GET /api/2.0/sql/endpoints and .../{id}. */
const lh_route_t *lh_warehouses_routes(int *count);

/* Prometheus gauges: lakehouse_sql_warehouses{state="..."} for every state. */
void lh_warehouses_render_metrics(lh_warehouses_t *w, FILE *out);

/* Worker threads for a cluster_size (before the cores cap); 0 for an unknown size. */
int lh_warehouse_size_workers(const char *cluster_size);

/* For the Statement Execution API: borrow RUNNING warehouse id's pool. On success *pool
 * stays valid until the paired lh_warehouse_release (a stop or delete meanwhile waits for
 * the last release), activity is recorded (no auto-stop while borrowed), and
 * *max_concurrency is how many statements may run on it at once. Never blocks.
 * Errors: LH_E_NOT_FOUND (no such warehouse); LH_E_STATE with message "starting" when it
 * is STARTING, or STOPPED / STOPPING (it is then started, as Databricks does: the caller
 * polls again); LH_E_STATE "deleted" for a deleted one; LH_E_LIMIT when the start could not
 * be queued. */
lh_err lh_warehouse_acquire(lh_ctx_t *ctx, const char *id, struct lh_pool **pool,
                            int *max_concurrency, lh_errbuf *eb);
void lh_warehouse_release(lh_ctx_t *ctx, const char *id);

#endif
