/*
 * sessions.c - SQL sessions kept between statements (sessions.h).
 *
 * A table id -> session under one mutex; each session is refcounted (the table holds one
 * reference, every statement using it another) and has its own lock, held for the whole
 * of a statement's run, so the engine session (which is single-user) is never shared.
 * A sweeper on the background service closes idle sessions: it drops the table's
 * reference, and a statement still running finishes in the session before it is freed.
 */
#include "api/sql/sessions.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api/perm.h"
#include "common/bg.h"
#include "common/hashmap.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

struct lh_sql_session {
    char id[40];
    int64_t user_id;
    char *warehouse_id;
    atomic_int refs;      /* the table's, and one per user of the session */
    int64_t last_used_ms; /* under the table's mutex */
    pthread_mutex_t lock; /* held while a statement runs in it */
    lh_session_t *engine;
};

struct lh_sql_sessions {
    lh_ctx_t *ctx;
    pthread_mutex_t mu;
    lh_hashmap_t *table; /* id -> lh_sql_session */
    lh_bg_timer_t *sweeper;
};

static lh_sql_sessions_t *of(const lh_req_t *req)
{
    return req->ctx->sql_sessions;
}

static void session_free(lh_sql_session_t *ss)
{
    lh_session_destroy(ss->engine);
    pthread_mutex_destroy(&ss->lock);
    free(ss->warehouse_id);
    free(ss);
}

lh_err lh_sql_session_get(lh_sql_sessions_t *s, const char *id, const lh_principal_t *p,
                          bool admin_ok, lh_sql_session_t **out, lh_errbuf *eb)
{
    *out = NULL;
    LH_FAIL_IF(s == NULL || id == NULL || p == NULL, LH_E_NOT_FOUND, eb,
               "Session '%s' does not exist", id ? id : "");
    pthread_mutex_lock(&s->mu);
    lh_sql_session_t *ss = lh_hashmap_get(s->table, id);
    bool allowed = ss != NULL && (ss->user_id == p->user_id || (admin_ok && p->is_admin));
    if (allowed) {
        atomic_fetch_add(&ss->refs, 1);
        ss->last_used_ms = lh_now_ms();
    }
    pthread_mutex_unlock(&s->mu);
    LH_FAIL_IF(ss == NULL, LH_E_NOT_FOUND, eb, "Session '%s' does not exist", id);
    LH_FAIL_IF(!allowed, LH_E_PERMISSION, eb,
               "User %s does not have permission to use session '%s'",
               p->user_name ? p->user_name : "?", id);
    *out = ss;
    return LH_OK;
}

lh_session_t *lh_sql_session_lock(lh_sql_session_t *ss)
{
    pthread_mutex_lock(&ss->lock);
    return ss->engine;
}

void lh_sql_session_unlock(lh_sql_session_t *ss)
{
    pthread_mutex_unlock(&ss->lock);
}

void lh_sql_session_unref(lh_sql_session_t *ss)
{
    if (ss != NULL && atomic_fetch_sub(&ss->refs, 1) == 1)
        session_free(ss);
}

static void sweep(void *arg)
{
    lh_sql_sessions_t *s = arg;
    int64_t cutoff = lh_now_ms() - LH_SQL_SESSION_IDLE_MS;
    lh_sql_session_t *dead[64];
    int n = 0;
    pthread_mutex_lock(&s->mu);
    size_t it = 0;
    void *k, *v;
    while (n < 64 && lh_hashmap_next(s->table, &it, &k, &v)) {
        lh_sql_session_t *ss = v;
        if (ss->last_used_ms < cutoff)
            dead[n++] = ss;
    }
    for (int i = 0; i < n; i++)
        lh_hashmap_remove(s->table, dead[i]->id);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < n; i++)
        lh_sql_session_unref(dead[i]);
}

lh_err lh_sql_sessions_create(lh_ctx_t *ctx, lh_sql_sessions_t **out, lh_errbuf *eb)
{
    lh_sql_sessions_t *s = calloc(1, sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    s->ctx = ctx;
    pthread_mutex_init(&s->mu, NULL);
    s->table = lh_hashmap_create(&LH_HASHMAP_STR, 16);
    lh_err e = s->table ? LH_OK : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK && ctx->bg != NULL)
        e = lh_bg_timer_add(ctx->bg, NULL, 60000, 60000, sweep, s, &s->sweeper, eb);
    if (e != LH_OK) {
        lh_sql_sessions_destroy(s);
        return e;
    }
    *out = s;
    return LH_OK;
}

void lh_sql_sessions_destroy(lh_sql_sessions_t *s)
{
    if (s == NULL)
        return;
    if (s->sweeper != NULL)
        lh_bg_timer_cancel(s->sweeper);
    if (s->table != NULL) {
        size_t it = 0;
        void *k, *v;
        while (lh_hashmap_next(s->table, &it, &k, &v))
            lh_sql_session_unref(v);
        lh_hashmap_destroy(s->table);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- routes ---------------------------------------------------------------------------- */

static json_t *render(lh_sql_session_t *ss)
{
    /* catalog and schema are read under the session's lock (a statement may USE) */
    pthread_mutex_lock(&ss->lock);
    json_t *o = json_pack("{s:s, s:s, s:s}", "session_id", ss->id, "catalog",
                          lh_session_catalog(ss->engine), "schema", lh_session_schema(ss->engine));
    pthread_mutex_unlock(&ss->lock);
    if (o != NULL && ss->warehouse_id != NULL)
        json_object_set_new(o, "warehouse_id", json_string(ss->warehouse_id));
    return o;
}

static lh_err h_create(lh_req_t *req, lh_errbuf *eb)
{
    lh_sql_sessions_t *s = of(req);
    const json_t *p = req->params;
    const char *cat = NULL, *sch = NULL, *wh = NULL;
    json_t *confs = NULL;
    LH_TRY(lh_json_get_str(p, "catalog", LH_OPTIONAL, &cat, eb));
    LH_TRY(lh_json_get_str(p, "schema", LH_OPTIONAL, &sch, eb));
    LH_TRY(lh_json_get_str(p, "warehouse_id", LH_OPTIONAL, &wh, eb));
    LH_TRY(lh_json_get_object(p, "session_confs", LH_OPTIONAL, &confs, eb));
    LH_FAIL_IF(req->principal == NULL, LH_E_UNAUTHENTICATED, eb, "no principal");
    if (wh != NULL) /* a session bound to a warehouse needs what its statements need */
        LH_TRY(lh_perm_require(req->ctx, req->principal, "warehouses", wh, "CAN_USE", eb));
    lh_sql_session_t *ss = calloc(1, sizeof *ss);
    LH_FAIL_IF(ss == NULL, LH_E_NOMEM, eb, "out of memory");
    pthread_mutex_init(&ss->lock, NULL);
    ss->engine = lh_session_create(cat, sch);
    ss->user_id = req->principal->user_id;
    ss->warehouse_id = wh ? strdup(wh) : NULL;
    atomic_init(&ss->refs, 1);
    ss->last_used_ms = lh_now_ms();
    char uuid[37];
    lh_uuid4(uuid);
    snprintf(ss->id, sizeof ss->id, "%s", uuid);
    lh_err e = LH_OK;
    const char *key;
    json_t *val;
    json_object_foreach(confs, key, val)
    {
        if (e != LH_OK)
            break;
        if (!json_is_string(val))
            e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                           "session_confs.%s must be a string", key);
        else
            e = lh_session_set(ss->engine, key, json_string_value(val), eb);
    }
    if (e == LH_OK) {
        pthread_mutex_lock(&s->mu);
        if (lh_hashmap_count(s->table) >= LH_SQL_SESSIONS_MAX)
            e = lh_err_set(eb, LH_E_LIMIT, __FILE__, __LINE__,
                           "Too many open SQL sessions (%d); delete unused ones",
                           LH_SQL_SESSIONS_MAX);
        else
            e = lh_hashmap_put(s->table, ss->id, ss, eb);
        pthread_mutex_unlock(&s->mu);
    }
    if (e != LH_OK) {
        session_free(ss);
        return e;
    }
    req->out = render(ss);
    return LH_OK;
}

static lh_err lookup(lh_req_t *req, lh_sql_session_t **out, lh_errbuf *eb)
{
    return lh_sql_session_get(of(req), lh_req_path_param(req, 0), req->principal, true, out, eb);
}

static lh_err h_get(lh_req_t *req, lh_errbuf *eb)
{
    lh_sql_session_t *ss;
    LH_TRY(lookup(req, &ss, eb));
    req->out = render(ss);
    lh_sql_session_unref(ss);
    return LH_OK;
}

static lh_err h_delete(lh_req_t *req, lh_errbuf *eb)
{
    lh_sql_sessions_t *s = of(req);
    lh_sql_session_t *ss;
    LH_TRY(lookup(req, &ss, eb));
    pthread_mutex_lock(&s->mu);
    bool removed = lh_hashmap_remove(s->table, ss->id);
    pthread_mutex_unlock(&s->mu);
    if (removed)
        lh_sql_session_unref(ss); /* the table's */
    lh_sql_session_unref(ss);
    return LH_OK;
}

static const lh_route_t routes[] = {
    {"POST", "/api/2.0/sql/sessions", h_create, 0, NULL, 0},
    {"GET", "/api/2.0/sql/sessions/{id}", h_get, 0, NULL, 0},
    {"DELETE", "/api/2.0/sql/sessions/{id}", h_delete, 0, NULL, 0},
};

const lh_route_t *lh_sql_sessions_routes(int *count)
{
    *count = (int)(sizeof routes / sizeof routes[0]);
    return routes;
}
