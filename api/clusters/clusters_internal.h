/*
 * clusters_internal.h - shared state of the clusters area (not for other areas).
 *
 * One lh_clusters_t holds three in-memory registries (clusters, policies, instance
 * pools) guarded by one rwlock `lock`; every change is written through to SQLite while
 * the write lock is held (WAL + synchronous=NORMAL keeps that short), so memory and the
 * metastore change in the same order. Reads (get/list/metrics) never touch SQLite.
 *
 * Background work runs on the daemon's background service (common/bg.h, ctx->bg); the
 * area starts no threads of its own:
 *   HTTP threads   validate, post the lifecycle job (a full queue -> 429 with nothing
 *                  changed), then change state (e.g. TERMINATED -> PENDING) and write
 *                  through, all under the write lock so the job cannot run before the
 *                  state it expects is set.
 *   lifecycle      a 1-thread executor ("clusters", LH_CLUSTERS_QUEUE_MAX jobs): the only
 *                  thread that creates, resizes, moves or destroys lh_pools; it runs jobs
 *                  FIFO, one at a time, and each re-checks the state it expects.
 *   reaper         a periodic timer on the default executor: once per tick finds idle
 *                  clusters / surplus idle pool workers and posts jobs; it never touches
 *                  pools itself, and re-posts follow-ups a full queue refused.
 * Every state change goes through cl_set_state, which asserts it is a legal transition
 * (the table in util.c).
 * Lock order: lock -> meta's own mutex -> a pool's mutex; lock -> the executor's queue
 * mutex (posting under the write lock).
 */
#ifndef LH_API_CLUSTERS_INTERNAL_H
#define LH_API_CLUSTERS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/clusters/clusters.h"
#include "api/clusters/policy.h"
#include "common/bg.h"
#include "compute/pool.h"

typedef enum cl_state {
    CL_PENDING,
    CL_RUNNING,
    CL_RESTARTING,
    CL_RESIZING,
    CL_TERMINATING,
    CL_TERMINATED,
    CL_ERROR,
    CL_STATE_COUNT
} cl_state;

#define CL_ID_MAX 48 /* "MMDD-HHMMSS-xxxxxxxx" and pool/policy ids, with room */

typedef struct cl_ipool cl_ipool;

typedef struct cl_cluster {
    struct cl_cluster *hnext; /* hash chain */
    char id[CL_ID_MAX];
    json_t *spec; /* owned: the create/edit request, normalized, policy applied */
    cl_state state;
    char *state_message;
    char *creator;
    int64_t creator_id;
    bool is_pinned;
    bool is_deleted; /* permanent-delete in progress: invisible, freed after teardown */
    int64_t created_at, start_time, terminated_time, last_restarted_time;
    _Atomic int64_t last_activity_time;
    json_t *termination_reason; /* owned, NULL until terminated */
    int64_t spark_context_id;
    /* compute (lifecycle thread only, except pool read under lock by acquire) */
    lh_pool_t *pool;
    int threads;              /* workers assigned to pool */
    char ipool_id[CL_ID_MAX]; /* instance pool the threads came from, "" if none */
    atomic_int users;         /* lh_clusters_acquire_pool borrowers */
    atomic_bool teardown_pending;
    /* clusters/get answer cache (guarded by lh_clusters.cache_mu): valid while no write
     * lock was taken since (write_seq) and last_activity_time is unchanged */
    char *cached_json;
    size_t cached_len;
    uint64_t cached_seq;
    int64_t cached_activity;
} cl_cluster;

struct cl_ipool {
    cl_ipool *next;
    char id[CL_ID_MAX];
    json_t *spec; /* owned */
    bool is_deleted;
    int64_t created_at;
    lh_pool_t *pool;               /* idle workers (no tasks) */
    int used;                      /* instances held by clusters (reserved under lock) */
    int pending_idle;              /* top-up queued, not yet started */
    int64_t idle_surplus_since_ms; /* when idle first exceeded min_idle, 0 = not */
    bool topup_lost;               /* a top-up the full queue refused: the reaper re-posts */
};

typedef struct cl_policy {
    struct cl_policy *next;
    char id[CL_ID_MAX];
    char *name, *definition, *description, *creator;
    int64_t max_clusters_per_user; /* 0 = unlimited */
    int64_t created_at;
    lh_policy_t *parsed;
} cl_policy;

typedef enum cl_job_kind {
    JOB_START,     /* PENDING -> RUNNING (create, start, recovery) */
    JOB_RESIZE,    /* RESIZING/RESTARTING -> RUNNING at the spec's size */
    JOB_TERMINATE, /* TERMINATING -> TERMINATED (and free when is_deleted) */
    JOB_IPOOL_TOPUP,
    JOB_IPOOL_TRIM,
    JOB_IPOOL_DELETE,
} cl_job_kind;

typedef struct cl_job {
    lh_clusters_t *c;
    cl_job_kind kind;
    char id[CL_ID_MAX];
    char event[24];  /* event type recorded on RUNNING (JOB_START/JOB_RESIZE) */
    char reason[64]; /* details.reason for that event, "" = none */
} cl_job;

#define CL_BUCKETS 1024

struct lh_clusters {
    lh_ctx_t *ctx;
    pthread_rwlock_t lock;          /* take it for writing only via cl_wrlock */
    atomic_uint_fast64_t write_seq; /* bumped by every cl_wrlock: invalidates answer caches */
    pthread_mutex_t cache_mu;       /* cl_cluster.cached_*; taken inside lock (read or write) */
    cl_cluster *buckets[CL_BUCKETS];
    int cluster_count;
    cl_policy *policies;
    cl_ipool *ipools;
    int64_t minute_ms; /* LAKEHOUSE_TEST_MINUTE_MS, default 60000 */
    int ncpu;          /* lh_cpu_count() at start (reads sysfs: not per request) */
    int64_t memory_mb; /* physical memory at start */

    lh_bg_executor_t *lifecycle; /* 1 thread: transitions stay serialized */
    lh_bg_timer_t *reaper;       /* periodic, on the default executor */
    atomic_bool stopping;        /* destroy: queued jobs are dropped, states stay stored */
};

/* Take c->lock for writing; every write invalidates the clusters/get answer cache. */
static inline void cl_wrlock(lh_clusters_t *c)
{
    pthread_rwlock_wrlock(&c->lock);
    atomic_fetch_add(&c->write_seq, 1);
}

/* ---- util.c: ids, names, hash map ---- */
const char *cl_state_name(cl_state s);
/* Whether from -> to is a legal transition (recovery = start-up recovery's extra ones). */
bool cl_transition_ok(cl_state from, cl_state to, bool recovery);
/* Set cl->state, asserting the transition is legal (write lock held, or no thread yet). */
void cl_set_state(cl_cluster *cl, cl_state to);
void cl_set_state_recovery(cl_cluster *cl, cl_state to);
bool cl_state_parse(const char *s, cl_state *out);
void cl_make_cluster_id(char out[CL_ID_MAX]);
void cl_make_policy_id(char out[CL_ID_MAX]);
void cl_make_ipool_id(char out[CL_ID_MAX]);
bool cl_is_cluster_id(const char *s);
cl_cluster *cl_find(lh_clusters_t *c, const char *id);     /* visible only */
cl_cluster *cl_find_any(lh_clusters_t *c, const char *id); /* incl. is_deleted */
void cl_insert(lh_clusters_t *c, cl_cluster *cl);
void cl_remove(lh_clusters_t *c, cl_cluster *cl);
void cl_cluster_free(cl_cluster *cl);
void cl_set_message(cl_cluster *cl, const char *msg);
cl_policy *cl_policy_find(lh_clusters_t *c, const char *id);
cl_ipool *cl_ipool_find(lh_clusters_t *c, const char *id);
/* Threads a spec asks for: min(max(num_workers | autoscale.max_workers, 1), cores). */
int cl_spec_threads(const json_t *spec);
/* Logical workers reported (num_workers, or autoscale.min_workers). */
int64_t cl_spec_workers(const json_t *spec);
int64_t cl_spec_int(const json_t *spec, const char *key, int64_t dflt);

/* ---- store.c: write-through (call with the write lock held) ---- */
lh_err cl_store_cluster(lh_clusters_t *c, const cl_cluster *cl, const char *event_type,
                        json_t *event_details, lh_errbuf *eb); /* steals event_details */
lh_err cl_store_cluster_delete(lh_clusters_t *c, const char *id, lh_errbuf *eb);
lh_err cl_store_policy(lh_clusters_t *c, const cl_policy *p, lh_errbuf *eb);
lh_err cl_store_policy_delete(lh_clusters_t *c, const char *id, lh_errbuf *eb);
lh_err cl_store_ipool(lh_clusters_t *c, const cl_ipool *ip, lh_errbuf *eb);
lh_err cl_store_load(lh_clusters_t *c, lh_errbuf *eb); /* at create, no lock needed */
/* Events of one cluster, ascending by time, within [start, end] (0 = unbounded). */
lh_err cl_store_events(lh_clusters_t *c, const char *id, int64_t start_ms, int64_t end_ms,
                       json_t **out, lh_errbuf *eb);

/* ---- lifecycle.c ---- */
/* Post a lifecycle job. Never blocks; LH_E_LIMIT when the queue is full, LH_E_UNAVAILABLE
 * when shutting down (nothing queued then). Post before changing the state a job expects
 * (under the write lock), so a refusal leaves the cluster as it was. */
lh_err cl_enqueue(lh_clusters_t *c, cl_job_kind kind, const char *id, const char *event,
                  const char *reason, lh_errbuf *eb);
/* Start the reaper timer / cancel it and drain the lifecycle executor. */
lh_err cl_background_start(lh_clusters_t *c, lh_errbuf *eb);
void cl_background_stop(lh_clusters_t *c);
/* Begin terminating (write lock held): job queued first (LH_E_LIMIT leaves the cluster as
 * it was), then state TERMINATING, reason, write-through. */
lh_err cl_begin_terminate(lh_clusters_t *c, cl_cluster *cl, const char *code, const char *type,
                          json_t *params, lh_errbuf *eb); /* steals params */
/* Start-up recovery: bring clusters back (synchronous, before HTTP starts). */
void cl_recover(lh_clusters_t *c);

/* ---- ipools.c: instance pool compute (lifecycle thread) ---- */
/* Give cl's pool `want` threads, adopting from / returning to its instance pool.
 * LH_E_LIMIT when the instance pool's max_capacity would be exceeded. */
lh_err cl_ipool_resize_cluster(lh_clusters_t *c, cl_cluster *cl, int want, lh_errbuf *eb);
void cl_ipool_topup(lh_clusters_t *c, const char *ipool_id);
void cl_ipool_trim(lh_clusters_t *c, const char *ipool_id);
void cl_ipool_teardown(lh_clusters_t *c, const char *ipool_id);
void cl_ipool_reap(lh_clusters_t *c, int64_t now_ms); /* reaper: enqueue trims */
json_t *cl_ipool_render(lh_clusters_t *c, const cl_ipool *ip);
int cl_ipool_idle(const cl_ipool *ip);

/* ---- render.c ---- */
json_t *cl_render_cluster(const lh_clusters_t *c, const cl_cluster *cl); /* read lock held */
json_t *cl_node_types(const lh_clusters_t *c);
json_t *cl_node_type(const lh_clusters_t *c, const char *node_type_id); /* NULL if unknown */
int64_t cl_machine_memory_mb(void);

/* ---- spec.c: request validation ---- */
/* Validate and normalize a create/edit body into a new spec (numbers as numbers, policy
 * applied). Takes the read lock itself for policy and pool lookups. */
lh_err cl_spec_from_request(lh_clusters_t *c, const json_t *body, json_t **out, lh_errbuf *eb);
/* Cluster count a policy allows the user (LH_E_INVALID when at max; lock held). */
lh_err cl_policy_check_quota(lh_clusters_t *c, const json_t *spec, int64_t user_id,
                             const char *user_name, lh_errbuf *eb);

/* ---- perm_objects.c: permission checks shared by the handlers (api/perm.h) ---- */
/* May the caller create (or re-spec) a cluster from body? Entitlement or policy CAN_USE,
 * and CAN_ATTACH_TO on a named instance pool. LH_E_PERMISSION naming what is missing. */
lh_err cl_require_create_rights(lh_req_t *req, const json_t *body, lh_errbuf *eb);
/* lh_perm_require for the request's principal. */
lh_err cl_require(const lh_req_t *req, const char *path, const char *id, const char *level,
                  lh_errbuf *eb);

/* ---- handlers (route table in clusters.c) ---- */
#define CL_HANDLER(name) lh_err name(lh_req_t *req, lh_errbuf *eb)
CL_HANDLER(cl_h_create);
CL_HANDLER(cl_h_edit);
CL_HANDLER(cl_h_update);
CL_HANDLER(cl_h_get);
CL_HANDLER(cl_h_list);
CL_HANDLER(cl_h_start);
CL_HANDLER(cl_h_restart);
CL_HANDLER(cl_h_delete);
CL_HANDLER(cl_h_permanent_delete);
CL_HANDLER(cl_h_resize);
CL_HANDLER(cl_h_pin);
CL_HANDLER(cl_h_unpin);
CL_HANDLER(cl_h_events);
CL_HANDLER(cl_h_spark_versions);
CL_HANDLER(cl_h_node_types);
CL_HANDLER(cl_h_list_zones);
CL_HANDLER(cl_h_policy_create);
CL_HANDLER(cl_h_policy_edit);
CL_HANDLER(cl_h_policy_delete);
CL_HANDLER(cl_h_policy_get);
CL_HANDLER(cl_h_policy_list);
CL_HANDLER(cl_h_policy_families);
CL_HANDLER(cl_h_ipool_create);
CL_HANDLER(cl_h_ipool_edit);
CL_HANDLER(cl_h_ipool_delete);
CL_HANDLER(cl_h_ipool_get);
CL_HANDLER(cl_h_ipool_list);

/* The request's body-or-query lenient getters + "this cluster" lookup helpers. */
static inline lh_clusters_t *cl_of(const lh_req_t *req)
{
    return req->ctx->clusters;
}

#endif
