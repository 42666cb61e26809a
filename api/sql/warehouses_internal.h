/*
 * warehouses_internal.h - shared state of the warehouses (api/sql); not for other areas.
 *
 *   warehouses.c      the registry, the state machine and its jobs, the auto-stop timer,
 *                     restart recovery, acquire/release, persistence
 *   warehouses_api.c  validation of create/edit, rendering, the REST handlers and routes
 *   sql.c             the SQL area descriptor
 *
 * One mutex `mu` guards the registry and every warehouse's fields; each change is written
 * through to SQLite while it is held. Pools are created, resized and destroyed only by the
 * 1-thread executor ("warehouses"), outside mu; acquire reads `pool` under mu.
 * Lock order: mu -> the metastore's mutex; mu -> the executor's queue mutex (posting).
 */
#ifndef LH_API_SQL_WAREHOUSES_INTERNAL_H
#define LH_API_SQL_WAREHOUSES_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "api/sql/warehouses.h"
#include "common/bg.h"
#include "compute/pool.h"
#include "storage/meta/meta.h"

typedef enum wh_state {
    WH_STARTING,
    WH_RUNNING,
    WH_STOPPING,
    WH_STOPPED,
    WH_DELETING,
    WH_DELETED,
    WH_STATE_COUNT
} wh_state;

#define WH_ID_MAX 17 /* 16 hex digits */

typedef struct wh {
    struct wh *next;
    char id[WH_ID_MAX];
    json_t *spec; /* owned: the normalized create/edit fields */
    wh_state state;
    char *creator;
    int64_t creator_id;
    int64_t created_at, last_activity_ms;
    lh_pool_t *pool; /* set and cleared by the executor */
    int threads;
    int users;             /* acquire borrowers */
    bool stop_waits;       /* a stop/delete waits for the last release */
    bool start_after_stop; /* start was asked while STOPPING */
} wh;

struct lh_warehouses {
    lh_ctx_t *ctx;
    lh_meta_t *meta;
    int64_t minute_ms;
    pthread_mutex_t mu;
    wh *list; /* creation order */
    lh_bg_executor_t *ex;
    lh_bg_timer_t *reaper;
    atomic_bool closing;
};

const char *wh_state_name(wh_state s);
/* Find by id under mu (NULL if none). */
wh *wh_find(lh_warehouses_t *w, const char *id);
/* Threads for a spec's cluster_size (cores cap applied). */
int wh_threads(const json_t *spec);

/* Under mu: add a new warehouse (STARTING) and queue its start. Takes spec. */
lh_err wh_add(lh_warehouses_t *w, json_t *spec, const lh_principal_t *who, char id_out[WH_ID_MAX],
              lh_errbuf *eb);
/* Under mu: start / stop / delete / replace spec (a size change resizes a RUNNING pool). */
lh_err wh_start(lh_warehouses_t *w, wh *h, lh_errbuf *eb);
lh_err wh_stop(lh_warehouses_t *w, wh *h, lh_errbuf *eb);
lh_err wh_delete(lh_warehouses_t *w, wh *h, lh_errbuf *eb);
lh_err wh_edit(lh_warehouses_t *w, wh *h, json_t *spec, lh_errbuf *eb);

/* warehouses_api.c: GetWarehouseResponse of h (under mu). */
json_t *wh_render(const lh_warehouses_t *w, const wh *h);

#endif
