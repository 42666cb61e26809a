/*
 * warehouses.c - the warehouse registry and its state machine.
 *
 *   HTTP thread (under mu)                     executor job (1 thread, FIFO)
 *   create:  -> STARTING, post START           START: make the pool; STARTING -> RUNNING
 *   stop:    RUNNING|STARTING -> STOPPING,     STOP:  wait for borrowers (the last release
 *            post STOP                                re-posts), destroy the pool;
 *   delete:  any -> DELETING, post STOP               STOPPING -> STOPPED (then STARTING
 *   start:   STOPPED -> STARTING, post START          again if start was asked meanwhile),
 *            STOPPING: start after the stop           DELETING -> DELETED
 *   edit:    new spec; RUNNING + new size:     RESIZE: grow or shrink the pool
 *            post RESIZE
 * A job always re-checks the state it expects (later requests may have moved on). The
 * job is posted before the state changes, so a full queue (429) changes nothing.
 * The auto-stop timer runs on the same executor and stops idle RUNNING warehouses.
 */
#include <stdlib.h>
#include <string.h>

#include "api/perm.h"
#include "api/sql/warehouses_internal.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/util.h"

#define WH_QUEUE_MAX 4096

static const char *const STATE_NAMES[WH_STATE_COUNT] = {"STARTING", "RUNNING",  "STOPPING",
                                                        "STOPPED",  "DELETING", "DELETED"};

const char *wh_state_name(wh_state s)
{
    return STATE_NAMES[s];
}

static wh_state state_parse(const char *name)
{
    for (int i = 0; i < WH_STATE_COUNT; i++)
        if (name != NULL && strcmp(name, STATE_NAMES[i]) == 0)
            return (wh_state)i;
    return WH_STOPPED;
}

wh *wh_find(lh_warehouses_t *w, const char *id)
{
    for (wh *h = w->list; h != NULL; h = h->next)
        if (id != NULL && strcmp(h->id, id) == 0)
            return h;
    return NULL;
}

static const struct {
    const char *size;
    int workers;
} SIZES[] = {{"2X-Small", 1},   {"X-Small", 2},   {"Small", 4},     {"Medium", 8},
             {"Large", 16},     {"X-Large", 32},  {"2X-Large", 64}, {"3X-Large", 128},
             {"4X-Large", 256}, {"5X-Large", 256}};

int lh_warehouse_size_workers(const char *cluster_size)
{
    for (size_t i = 0; i < sizeof SIZES / sizeof SIZES[0]; i++)
        if (cluster_size != NULL && strcmp(SIZES[i].size, cluster_size) == 0)
            return SIZES[i].workers;
    return 0;
}

int wh_threads(const json_t *spec)
{
    int n = lh_warehouse_size_workers(json_string_value(json_object_get(spec, "cluster_size")));
    int cores = lh_cpu_count();
    return n < 1 ? 1 : n > cores ? cores : n;
}

/* ---- persistence (under mu) ---- */

typedef struct save_arg {
    const wh *h;
    bool insert;
} save_arg;

static lh_err save_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    save_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        a->insert ? "INSERT INTO sql_warehouses (id, spec, state, creator_name, "
                                    "creator_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                  : "UPDATE sql_warehouses SET spec = ?2, state = ?3 WHERE id = ?1",
                        &st, eb));
    char *spec = json_dumps(a->h->spec, JSON_COMPACT);
    LH_FAIL_IF(spec == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_stmt_bind_text(st, 1, a->h->id);
    lh_stmt_bind_text(st, 2, spec);
    free(spec);
    lh_stmt_bind_text(st, 3, STATE_NAMES[a->h->state]);
    if (a->insert) {
        lh_stmt_bind_text(st, 4, a->h->creator);
        lh_stmt_bind_int(st, 5, a->h->creator_id);
        lh_stmt_bind_int(st, 6, a->h->created_at);
    }
    return lh_stmt_run(st, eb);
}

static lh_err save(lh_warehouses_t *w, const wh *h, bool insert, lh_errbuf *eb)
{
    save_arg a = {h, insert};
    return lh_meta_tx(w->meta, save_tx, &a, eb);
}

/* A state change written through; a failed write is logged (memory stays authoritative). */
static void set_state(lh_warehouses_t *w, wh *h, wh_state s)
{
    h->state = s;
    lh_errbuf eb;
    if (save(w, h, false, &eb) != LH_OK)
        lh_log(LH_LOG_ERROR, "warehouse %s: cannot record state %s: %s", h->id, STATE_NAMES[s],
               eb.msg);
}

/* ---- jobs ---- */

typedef enum job_op { JOB_START, JOB_STOP, JOB_RESIZE } job_op;

typedef struct job {
    lh_warehouses_t *w;
    job_op op;
    char id[WH_ID_MAX];
} job;

static void run_job(void *arg);

static lh_err post(lh_warehouses_t *w, const wh *h, job_op op, lh_errbuf *eb)
{
    job *j = malloc(sizeof *j);
    LH_FAIL_IF(j == NULL, LH_E_NOMEM, eb, "out of memory");
    j->w = w;
    j->op = op;
    memcpy(j->id, h->id, WH_ID_MAX);
    lh_err e = lh_bg_post(w->ex, run_job, j, eb);
    if (e != LH_OK)
        free(j);
    return e;
}

static void job_start(lh_warehouses_t *w, const char *id)
{
    pthread_mutex_lock(&w->mu);
    wh *h = wh_find(w, id);
    bool go = h != NULL && h->state == WH_STARTING && h->pool == NULL;
    int threads = go ? wh_threads(h->spec) : 0;
    pthread_mutex_unlock(&w->mu);
    if (!go)
        return;
    char name[32];
    snprintf(name, sizeof name, "wh-%.8s", id);
    lh_pool_t *pool = lh_pool_create(name, threads);
    pthread_mutex_lock(&w->mu);
    h->pool = pool;
    h->threads = pool != NULL ? threads : 0;
    if (pool == NULL) {
        lh_log(LH_LOG_ERROR, "warehouse %s: cannot start %d worker threads", id, threads);
        set_state(w, h, WH_STOPPED);
    } else if (h->state == WH_STARTING) {
        h->last_activity_ms = lh_now_ms();
        set_state(w, h, WH_RUNNING);
    }
    pthread_mutex_unlock(&w->mu);
}

static void job_stop(lh_warehouses_t *w, const char *id)
{
    pthread_mutex_lock(&w->mu);
    wh *h = wh_find(w, id);
    bool go = h != NULL && (h->state == WH_STOPPING || h->state == WH_DELETING);
    if (go && h->users > 0) { /* the last release posts this job again */
        h->stop_waits = true;
        go = false;
    }
    lh_pool_t *pool = go ? h->pool : NULL;
    if (go)
        h->pool = NULL;
    pthread_mutex_unlock(&w->mu);
    if (!go)
        return;
    if (pool != NULL)
        lh_pool_destroy(pool);
    pthread_mutex_lock(&w->mu);
    h->threads = 0;
    bool deleted = h->state == WH_DELETING;
    set_state(w, h, deleted ? WH_DELETED : WH_STOPPED);
    if (!deleted && h->start_after_stop) {
        h->start_after_stop = false;
        lh_errbuf eb;
        if (post(w, h, JOB_START, &eb) == LH_OK)
            set_state(w, h, WH_STARTING);
    }
    pthread_mutex_unlock(&w->mu);
}

static void job_resize(lh_warehouses_t *w, const char *id)
{
    pthread_mutex_lock(&w->mu);
    wh *h = wh_find(w, id);
    bool go = h != NULL && h->state == WH_RUNNING && h->pool != NULL;
    int want = go ? wh_threads(h->spec) : 0, have = go ? h->threads : 0;
    lh_pool_t *pool = go ? h->pool : NULL;
    pthread_mutex_unlock(&w->mu);
    if (!go || want == have)
        return;
    if (want > have && lh_pool_grow(pool, want - have, NULL) != LH_OK)
        want = lh_pool_worker_count(pool);
    else if (want < have)
        lh_pool_move_workers(pool, NULL, have - want);
    pthread_mutex_lock(&w->mu);
    h->threads = want;
    pthread_mutex_unlock(&w->mu);
}

static void run_job(void *arg)
{
    job *j = arg;
    if (!atomic_load(&j->w->closing)) {
        if (j->op == JOB_START)
            job_start(j->w, j->id);
        else if (j->op == JOB_STOP)
            job_stop(j->w, j->id);
        else
            job_resize(j->w, j->id);
    }
    free(j);
}

/* ---- transitions (under mu) ---- */

lh_err wh_add(lh_warehouses_t *w, json_t *spec, const lh_principal_t *who, char id_out[WH_ID_MAX],
              lh_errbuf *eb)
{
    wh *h = calloc(1, sizeof *h);
    if (h == NULL) {
        json_decref(spec);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    do
        lh_random_hex(h->id, 8);
    while (wh_find(w, h->id) != NULL);
    h->spec = spec;
    h->state = WH_STARTING;
    h->creator = strdup(who != NULL ? who->user_name : "");
    h->creator_id = who != NULL ? who->user_id : 0;
    h->created_at = h->last_activity_ms = lh_now_ms();
    lh_err e = post(w, h, JOB_START, eb);
    if (e == LH_OK)
        e = save(w, h, true, eb);
    if (e != LH_OK) { /* a queued start finds no warehouse and does nothing */
        json_decref(h->spec);
        free(h->creator);
        free(h);
        return e;
    }
    wh **tail = &w->list;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = h;
    memcpy(id_out, h->id, WH_ID_MAX);
    return LH_OK;
}

lh_err wh_start(lh_warehouses_t *w, wh *h, lh_errbuf *eb)
{
    if (h->state == WH_STOPPING)
        h->start_after_stop = true;
    if (h->state != WH_STOPPED)
        return LH_OK;
    LH_TRY(post(w, h, JOB_START, eb));
    set_state(w, h, WH_STARTING);
    return LH_OK;
}

lh_err wh_stop(lh_warehouses_t *w, wh *h, lh_errbuf *eb)
{
    h->start_after_stop = false;
    if (h->state != WH_RUNNING && h->state != WH_STARTING)
        return LH_OK;
    LH_TRY(post(w, h, JOB_STOP, eb));
    set_state(w, h, WH_STOPPING);
    return LH_OK;
}

lh_err wh_delete(lh_warehouses_t *w, wh *h, lh_errbuf *eb)
{
    h->start_after_stop = false;
    if (h->state == WH_DELETING || h->state == WH_DELETED)
        return LH_OK;
    LH_TRY(post(w, h, JOB_STOP, eb));
    set_state(w, h, WH_DELETING);
    return LH_OK;
}

lh_err wh_edit(lh_warehouses_t *w, wh *h, json_t *spec, lh_errbuf *eb)
{
    bool resize = h->state == WH_RUNNING && wh_threads(spec) != h->threads;
    if (resize) {
        lh_err e = post(w, h, JOB_RESIZE, eb);
        if (e != LH_OK) {
            json_decref(spec);
            return e;
        }
    }
    json_decref(h->spec);
    h->spec = spec;
    set_state(w, h, h->state);
    return LH_OK;
}

/* ---- auto-stop ---- */

static void reap(void *arg)
{
    lh_warehouses_t *w = arg;
    int64_t now = lh_now_ms();
    pthread_mutex_lock(&w->mu);
    for (wh *h = w->list; h != NULL; h = h->next) {
        json_t *mins = json_object_get(h->spec, "auto_stop_mins");
        int64_t m = json_is_integer(mins) ? json_integer_value(mins) : 0;
        if (h->state != WH_RUNNING || m <= 0 || h->users > 0 ||
            now - h->last_activity_ms < m * w->minute_ms)
            continue;
        lh_errbuf eb;
        if (wh_stop(w, h, &eb) == LH_OK)
            lh_log(LH_LOG_INFO, "warehouse %s: stopped after %lld idle minutes", h->id,
                   (long long)m);
    }
    pthread_mutex_unlock(&w->mu);
}

/* ---- acquire / release ---- */

lh_err lh_warehouse_acquire(lh_ctx_t *ctx, const char *id, struct lh_pool **pool,
                            int *max_concurrency, lh_errbuf *eb)
{
    lh_warehouses_t *w = ctx->warehouses;
    LH_FAIL_IF(w == NULL, LH_E_UNAVAILABLE, eb, "SQL warehouses are not available");
    pthread_mutex_lock(&w->mu);
    wh *h = wh_find(w, id);
    lh_err e = LH_OK;
    if (h == NULL) {
        e = lh_err_set(eb, LH_E_NOT_FOUND, __FILE__, __LINE__, "Warehouse %s does not exist.",
                       id != NULL ? id : "");
    } else if (h->state == WH_RUNNING && h->pool != NULL && !h->stop_waits) {
        h->users++;
        h->last_activity_ms = lh_now_ms();
        *pool = h->pool;
        json_t *mx = json_object_get(h->spec, "max_num_clusters");
        *max_concurrency = (int)(json_is_integer(mx) ? json_integer_value(mx) : 1) *
                           LH_WAREHOUSE_QUERIES_PER_CLUSTER;
    } else if (h->state == WH_DELETING || h->state == WH_DELETED) {
        e = lh_err_set(eb, LH_E_STATE, __FILE__, __LINE__, "deleted");
    } else {
        e = wh_start(w, h, eb);
        if (e == LH_OK)
            e = lh_err_set(eb, LH_E_STATE, __FILE__, __LINE__, "starting");
    }
    pthread_mutex_unlock(&w->mu);
    return e;
}

void lh_warehouse_release(lh_ctx_t *ctx, const char *id)
{
    lh_warehouses_t *w = ctx->warehouses;
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    wh *h = wh_find(w, id);
    LH_ASSERT(h != NULL && h->users > 0);
    h->users--;
    h->last_activity_ms = lh_now_ms();
    if (h->users == 0 && h->stop_waits) {
        h->stop_waits = false;
        lh_errbuf eb;
        if (post(w, h, JOB_STOP, &eb) != LH_OK)
            h->stop_waits = true; /* retried by the next release or the timer */
    }
    pthread_mutex_unlock(&w->mu);
}

/* ---- start-up, recovery, shutdown ---- */

/* For api/perm: does warehouse id exist (not deleted)? */
static bool perm_exists(void *arg, const char *id)
{
    lh_warehouses_t *w = arg;
    pthread_mutex_lock(&w->mu);
    wh *h = wh_find(w, id);
    bool found = h != NULL && h->state != WH_DELETED;
    pthread_mutex_unlock(&w->mu);
    return found;
}

static lh_err load_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_warehouses_t *w = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT id, spec, state, creator_name, creator_id, created_at "
                        "FROM sql_warehouses ORDER BY created_at, id",
                        &st, eb));
    wh **tail = &w->list;
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        wh *h = calloc(1, sizeof *h);
        LH_FAIL_IF(h == NULL, LH_E_NOMEM, eb, "out of memory");
        snprintf(h->id, sizeof h->id, "%s", lh_stmt_text(st, 0));
        h->spec = json_loads(lh_stmt_text(st, 1), 0, NULL);
        h->state = state_parse(lh_stmt_text(st, 2));
        h->creator = strdup(lh_stmt_text(st, 3) != NULL ? lh_stmt_text(st, 3) : "");
        h->creator_id = lh_stmt_int(st, 4);
        h->created_at = h->last_activity_ms = lh_stmt_int(st, 5);
        *tail = h;
        tail = &h->next;
        LH_FAIL_IF(!json_is_object(h->spec), LH_E_CORRUPT, eb, "warehouse %s: malformed spec",
                   h->id);
    }
}

static void free_all(lh_warehouses_t *w)
{
    while (w->list != NULL) {
        wh *h = w->list;
        w->list = h->next;
        if (h->pool != NULL)
            lh_pool_destroy(h->pool);
        json_decref(h->spec);
        free(h->creator);
        free(h);
    }
}

lh_err lh_warehouses_create(lh_ctx_t *ctx, lh_warehouses_t **out, lh_errbuf *eb)
{
    lh_warehouses_t *w = calloc(1, sizeof *w);
    LH_FAIL_IF(w == NULL, LH_E_NOMEM, eb, "out of memory");
    w->ctx = ctx;
    w->meta = ctx->meta;
    w->minute_ms = ctx->config != NULL && ctx->config->test_minute_ms > 0
                       ? ctx->config->test_minute_ms
                       : 60000;
    pthread_mutex_init(&w->mu, NULL);
    atomic_init(&w->closing, false);
    lh_err e = lh_bg_executor(ctx->bg, "warehouses", 1, WH_QUEUE_MAX, &w->ex, eb);
    if (e == LH_OK)
        e = lh_meta_read(w->meta, load_read, w, eb);
    if (e == LH_OK && ctx->perm != NULL)
        lh_perm_register(ctx->perm, "warehouses", perm_exists, w);
    if (e != LH_OK) {
        free_all(w);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return e;
    }
    *out = w;
    return LH_OK;
}

lh_err lh_warehouses_recover(lh_warehouses_t *w, lh_errbuf *eb)
{
    pthread_mutex_lock(&w->mu);
    lh_err e = LH_OK;
    for (wh *h = w->list; h != NULL && e == LH_OK; h = h->next) {
        if (h->state == WH_RUNNING || h->state == WH_STARTING) {
            h->state = WH_STOPPED; /* so that start applies */
            e = wh_start(w, h, eb);
        } else if (h->state == WH_STOPPING) {
            set_state(w, h, WH_STOPPED);
        } else if (h->state == WH_DELETING) {
            set_state(w, h, WH_DELETED);
        }
    }
    pthread_mutex_unlock(&w->mu);
    LH_TRY(e);
    int64_t period = w->minute_ms / 4;
    period = period < 10 ? 10 : period > 15000 ? 15000 : period;
    return lh_bg_timer_add(w->ctx->bg, w->ex, period, period, reap, w, &w->reaper, eb);
}

void lh_warehouses_destroy(lh_warehouses_t *w)
{
    if (w == NULL)
        return;
    if (w->reaper != NULL)
        lh_bg_timer_cancel(w->reaper);
    atomic_store(&w->closing, true);
    lh_bg_executor_shutdown(w->ex);
    free_all(w);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

void lh_warehouses_render_metrics(lh_warehouses_t *w, FILE *out)
{
    int counts[WH_STATE_COUNT] = {0};
    pthread_mutex_lock(&w->mu);
    for (wh *h = w->list; h != NULL; h = h->next)
        counts[h->state]++;
    pthread_mutex_unlock(&w->mu);
    fprintf(out, "# TYPE lakehouse_sql_warehouses gauge\n");
    for (int i = 0; i < WH_STATE_COUNT; i++)
        fprintf(out, "lakehouse_sql_warehouses{state=\"%s\"} %d\n", STATE_NAMES[i], counts[i]);
}
