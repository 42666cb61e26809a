/*
 * clusters_api.c - handlers for /api/{2.0|2.1}/clusters/{create,edit,update,get,list,start,
 * restart,delete,permanent-delete,resize,pin,unpin}.
 *
 * Each handler validates first (no state touched on bad input), then under the write
 * lock checks the state, posts the lifecycle job (a full queue -> 429 REQUEST_LIMIT_EXCEEDED
 * with nothing changed; the job cannot run before the lock is released), changes the
 * state and writes through.
 * Permissions come first (api/perm.h): create needs allow-cluster-create or CAN_USE on the
 * policy_id; get CAN_ATTACH_TO; start, restart and delete (terminate) CAN_RESTART; edit,
 * update, resize, permanent-delete, pin and unpin CAN_MANAGE. The creator owns the
 * cluster (CAN_MANAGE); permanent-delete forgets its ACL. change-owner (admins only, a
 * TERMINATED or ERROR cluster) makes another user or service principal (by
 * application_id) the owner: creator_user_name and the ACL's owner both change.
 * Errors: unknown cluster -> 404 RESOURCE_DOES_NOT_EXIST ("Cluster X does not exist");
 * an operation not valid in the current state -> 400 INVALID_STATE.
 */
#include <stdlib.h>
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "api/perm.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"
#include "storage/meta/meta.h"

static const char *user_of(const lh_req_t *req)
{
    return req->principal && req->principal->user_name ? req->principal->user_name : "unknown";
}

static lh_err cluster_id_of(const lh_req_t *req, const char **id, lh_errbuf *eb)
{
    return lh_json_get_str(req->params, "cluster_id", LH_REQUIRED, id, eb);
}

/* Find a visible cluster (lock held). */
static lh_err lookup(lh_clusters_t *c, const char *id, cl_cluster **out, lh_errbuf *eb)
{
    *out = cl_find(c, id);
    LH_FAIL_IF(*out == NULL, LH_E_NOT_FOUND, eb, "Cluster %s does not exist", id);
    return LH_OK;
}

static lh_err bad_state(const cl_cluster *cl, const char *op, lh_errbuf *eb)
{
    LH_FAIL(LH_E_STATE, eb, "Cluster %s is in unexpected state %s (cannot %s).", cl->id,
            cl_state_name(cl->state), op);
}

/* A new PENDING cluster owning spec, or NULL (out of memory; spec is then the caller's). */
static cl_cluster *new_cluster_as(const char *user, int64_t user_id, json_t *spec)
{
    cl_cluster *cl = calloc(1, sizeof *cl);
    if (cl == NULL || (cl->creator = strdup(user)) == NULL) {
        free(cl);
        return NULL;
    }
    cl->spec = spec;
    cl->state = CL_PENDING;
    cl_set_message(cl, "Starting Spark");
    cl->creator_id = user_id;
    cl->created_at = lh_now_ms();
    atomic_init(&cl->last_activity_time, cl->created_at);
    atomic_init(&cl->users, 0);
    atomic_init(&cl->teardown_pending, false);
    return cl;
}

static cl_cluster *new_cluster(const lh_req_t *req, json_t *spec)
{
    return new_cluster_as(user_of(req), req->principal ? req->principal->user_id : 0, spec);
}

static lh_err insert_new_as(lh_clusters_t *c, const char *user, cl_cluster *cl, lh_errbuf *eb)
{
    LH_TRY(cl_policy_check_quota(c, cl->spec, cl->creator_id, cl->creator, eb));
    do
        cl_make_cluster_id(cl->id);
    while (cl_find_any(c, cl->id) != NULL);
    LH_TRY(cl_enqueue(c, JOB_START, cl->id, "RUNNING", NULL, eb));
    json_t *details = json_pack("{s:s}", "user", user);
    LH_TRY(cl_store_cluster(c, cl, "CREATING", details, eb));
    cl_insert(c, cl);
    const char *node = json_string_value(json_object_get(cl->spec, "node_type_id"));
    cl_log(cl, "CREATED (%s, %s, %lld workers) by %s",
           json_string_value(json_object_get(cl->spec, "spark_version")), node ? node : "-",
           (long long)cl_spec_workers(cl->spec), cl->creator);
    return LH_OK;
}

static lh_err insert_new(lh_clusters_t *c, const lh_req_t *req, cl_cluster *cl, lh_errbuf *eb)
{
    return insert_new_as(c, user_of(req), cl, eb);
}

lh_err cl_h_create(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    json_t *spec = NULL;
    LH_TRY(cl_require_create_rights(req, req->params, eb));
    LH_TRY(cl_spec_from_request(c, req->params, &spec, eb));
    cl_cluster *cl = new_cluster(req, spec);
    if (cl == NULL) {
        json_decref(spec);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    cl_wrlock(c);
    lh_err e = insert_new(c, req, cl, eb);
    pthread_rwlock_unlock(&c->lock);
    if (e != LH_OK) {
        cl_cluster_free(cl);
        return e;
    }
    char id[CL_ID_MAX];
    memcpy(id, cl->id, sizeof id);
    LH_TRY(lh_perm_on_create(req->ctx, req->principal, "clusters", id, eb));
    req->out = json_pack("{s:s}", "cluster_id", id);
    return LH_OK;
}

/* Replace a cluster's spec (lock held): RUNNING restarts, TERMINATED just stores. */
static lh_err replace_spec(lh_clusters_t *c, const lh_req_t *req, cl_cluster *cl, json_t **spec,
                           lh_errbuf *eb)
{
    if (cl->state != CL_RUNNING && cl->state != CL_TERMINATED && cl->state != CL_ERROR)
        return bad_state(cl, "edit", eb);
    bool restart = cl->state == CL_RUNNING;
    if (restart)
        LH_TRY(cl_enqueue(c, JOB_RESIZE, cl->id, "RUNNING", "edit", eb));
    json_t *old = cl->spec;
    cl->spec = *spec;
    *spec = old;
    json_t *details = json_pack("{s:s, s:O, s:O}", "user", user_of(req), "previous_attributes", old,
                                "attributes", cl->spec);
    if (restart) {
        cl_set_state(cl, CL_RESTARTING);
        cl_set_message(cl, "Restarting Spark to apply the edit");
    }
    return cl_store_cluster(c, cl, "EDITED", details, eb);
}

static lh_err edit_with(lh_req_t *req, const json_t *body, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    const char *id = NULL;
    LH_TRY(cluster_id_of(req, &id, eb));
    LH_TRY(cl_require(req, "clusters", id, "CAN_MANAGE", eb));
    LH_TRY(cl_require_create_rights(req, body, eb));
    json_t *spec = NULL;
    LH_TRY(cl_spec_from_request(c, body, &spec, eb));
    cl_wrlock(c);
    cl_cluster *cl = NULL;
    lh_err e = lookup(c, id, &cl, eb);
    if (e == LH_OK)
        e = replace_spec(c, req, cl, &spec, eb);
    pthread_rwlock_unlock(&c->lock);
    json_decref(spec);
    return e;
}

lh_err cl_h_edit(lh_req_t *req, lh_errbuf *eb)
{
    return edit_with(req, req->params, eb);
}

/* The current spec with the fields named in update_mask taken from `cluster`. */
static lh_err masked_spec(lh_clusters_t *c, const char *id, const char *mask, const json_t *from,
                          json_t **out, lh_errbuf *eb)
{
    pthread_rwlock_rdlock(&c->lock);
    cl_cluster *cl = cl_find(c, id);
    json_t *spec = cl ? json_deep_copy(cl->spec) : NULL;
    pthread_rwlock_unlock(&c->lock);
    LH_FAIL_IF(spec == NULL, LH_E_NOT_FOUND, eb, "Cluster %s does not exist", id);
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", mask);
    char *save = NULL;
    for (char *f = strtok_r(buf, ", ", &save); f != NULL; f = strtok_r(NULL, ", ", &save)) {
        json_t *v = json_object_get(from, f);
        if (v != NULL)
            json_object_set(spec, f, v);
        else
            json_object_del(spec, f);
    }
    *out = spec;
    return LH_OK;
}

lh_err cl_h_update(lh_req_t *req, lh_errbuf *eb)
{
    const char *id = NULL, *mask = NULL;
    json_t *from = NULL;
    LH_TRY(cluster_id_of(req, &id, eb));
    LH_TRY(cl_require(req, "clusters", id, "CAN_MANAGE", eb));
    LH_TRY(lh_json_get_str(req->params, "update_mask", LH_REQUIRED, &mask, eb));
    LH_TRY(lh_json_get_object(req->params, "cluster", LH_OPTIONAL, &from, eb));
    json_t *body = NULL;
    LH_TRY(masked_spec(cl_of(req), id, mask, from, &body, eb));
    lh_err e = edit_with(req, body, eb);
    json_decref(body);
    return e;
}

/* Answer clusters/get from the cluster's cached JSON, rendering it when a write or new
 * activity made it stale. Called with c->lock held for reading. */
static void answer_cached(lh_clusters_t *c, cl_cluster *cl, lh_req_t *req)
{
    uint64_t seq = atomic_load(&c->write_seq);
    int64_t activity = atomic_load(&cl->last_activity_time);
    pthread_mutex_lock(&c->cache_mu);
    if (cl->cached_json == NULL || cl->cached_seq != seq || cl->cached_activity != activity) {
        json_t *o = cl_render_cluster(c, cl);
        size_t n = 0;
        char *text = lh_json_oom_seen() ? NULL : lh_json_write(o, &n); /* never cache a part */
        json_decref(o);
        if (text != NULL) {
            free(cl->cached_json);
            cl->cached_json = text;
            cl->cached_len = n;
            cl->cached_seq = seq;
            cl->cached_activity = activity;
        }
    }
    if (cl->cached_json != NULL) {
        req->text = lh_arena_strndup(req->arena, cl->cached_json, cl->cached_len);
        req->text_bytes = cl->cached_len;
    } else {
        req->out = cl_render_cluster(c, cl);
    }
    pthread_mutex_unlock(&c->cache_mu);
}

lh_err cl_h_get(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    const char *id = NULL;
    LH_TRY(cluster_id_of(req, &id, eb));
    LH_TRY(cl_require(req, "clusters", id, "CAN_ATTACH_TO", eb));
    pthread_rwlock_rdlock(&c->lock);
    cl_cluster *cl = cl_find(c, id);
    if (cl != NULL)
        answer_cached(c, cl, req);
    pthread_rwlock_unlock(&c->lock);
    LH_FAIL_IF(cl == NULL, LH_E_NOT_FOUND, eb, "Cluster %s does not exist", id);
    return LH_OK;
}

/* ---- simple transitions ---- */

typedef lh_err (*transition_fn)(lh_clusters_t *c, lh_req_t *req, cl_cluster *cl, lh_errbuf *eb);

/* Run fn on the cluster named by the request, once the caller holds level on it. */
static lh_err with_cluster(lh_req_t *req, const char *level, transition_fn fn, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    const char *id = NULL;
    LH_TRY(cluster_id_of(req, &id, eb));
    LH_TRY(cl_require(req, "clusters", id, level, eb));
    cl_wrlock(c);
    cl_cluster *cl = NULL;
    lh_err e = lookup(c, id, &cl, eb);
    if (e == LH_OK)
        e = fn(c, req, cl, eb);
    pthread_rwlock_unlock(&c->lock);
    return e;
}

static lh_err do_start(lh_clusters_t *c, lh_req_t *req, cl_cluster *cl, lh_errbuf *eb)
{
    if (cl->state != CL_TERMINATED && cl->state != CL_ERROR)
        return bad_state(cl, "start", eb);
    LH_TRY(cl_policy_check_quota(c, cl->spec, cl->creator_id, cl->creator, eb));
    LH_TRY(cl_enqueue(c, JOB_START, cl->id, "RUNNING", NULL, eb));
    cl_set_state(cl, CL_PENDING);
    cl_set_message(cl, "Starting Spark");
    json_decref(cl->termination_reason);
    cl->termination_reason = NULL;
    return cl_store_cluster(c, cl, "STARTING", json_pack("{s:s}", "user", user_of(req)), eb);
}

static lh_err do_restart(lh_clusters_t *c, lh_req_t *req, cl_cluster *cl, lh_errbuf *eb)
{
    if (cl->state != CL_RUNNING)
        return bad_state(cl, "restart", eb);
    const char *who = user_of(req);
    LH_TRY(lh_json_get_str(req->params, "restart_user", LH_OPTIONAL, &who, eb));
    LH_TRY(cl_enqueue(c, JOB_RESIZE, cl->id, "RUNNING", "restart", eb));
    cl_set_state(cl, CL_RESTARTING);
    cl_set_message(cl, "Restarting Spark");
    return cl_store_cluster(c, cl, "RESTARTING", json_pack("{s:s}", "user", who), eb);
}

static lh_err do_delete(lh_clusters_t *c, lh_req_t *req, cl_cluster *cl, lh_errbuf *eb)
{
    if (cl->state == CL_TERMINATED || cl->state == CL_TERMINATING)
        return LH_OK; /* idempotent, as on Databricks */
    return cl_begin_terminate(c, cl, "USER_REQUEST", "SUCCESS",
                              json_pack("{s:s}", "username", user_of(req)), eb);
}

static lh_err do_permanent_delete(lh_clusters_t *c, lh_req_t *req, cl_cluster *cl, lh_errbuf *eb)
{
    bool idle = cl->state == CL_TERMINATED || cl->state == CL_ERROR;
    if (!idle && cl->state != CL_TERMINATING)
        LH_TRY(do_delete(c, req, cl, eb)); /* TERMINATE job frees it once torn down */
    LH_TRY(cl_store_cluster_delete(c, cl->id, eb));
    cl_log(cl, "DELETED permanently by %s", user_of(req));
    cl->is_deleted = true;
    if (idle) {
        cl_remove(c, cl);
        cl_cluster_free(cl);
    }
    return LH_OK;
}

static lh_err set_pinned(lh_clusters_t *c, lh_req_t *req, cl_cluster *cl, bool pin, lh_errbuf *eb)
{
    cl->is_pinned = pin;
    return cl_store_cluster(c, cl, pin ? "PINNED" : "UNPINNED",
                            json_pack("{s:s}", "user", user_of(req)), eb);
}

static lh_err do_pin(lh_clusters_t *c, lh_req_t *req, cl_cluster *cl, lh_errbuf *eb)
{
    return set_pinned(c, req, cl, true, eb);
}

static lh_err do_unpin(lh_clusters_t *c, lh_req_t *req, cl_cluster *cl, lh_errbuf *eb)
{
    return set_pinned(c, req, cl, false, eb);
}

lh_err cl_h_start(lh_req_t *req, lh_errbuf *eb)
{
    return with_cluster(req, "CAN_RESTART", do_start, eb);
}

lh_err cl_h_restart(lh_req_t *req, lh_errbuf *eb)
{
    return with_cluster(req, "CAN_RESTART", do_restart, eb);
}

lh_err cl_h_delete(lh_req_t *req, lh_errbuf *eb)
{
    return with_cluster(req, "CAN_RESTART", do_delete, eb);
}

lh_err cl_h_permanent_delete(lh_req_t *req, lh_errbuf *eb)
{
    const char *id = NULL;
    LH_TRY(cluster_id_of(req, &id, eb));
    LH_TRY(with_cluster(req, "CAN_MANAGE", do_permanent_delete, eb));
    return lh_perm_on_delete(req->ctx, "clusters", id, eb);
}

lh_err cl_h_pin(lh_req_t *req, lh_errbuf *eb)
{
    return with_cluster(req, "CAN_MANAGE", do_pin, eb);
}

lh_err cl_h_unpin(lh_req_t *req, lh_errbuf *eb)
{
    return with_cluster(req, "CAN_MANAGE", do_unpin, eb);
}

/* ---- change-owner (admins only: the route is LH_ROUTE_ADMIN) ---- */

typedef struct owner_arg {
    const char *name; /* user_name, or a service principal's application_id */
    int64_t id;
    bool found;
} owner_arg;

static lh_err find_owner_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    owner_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT id FROM users WHERE (kind = 'user' AND user_name = ?1) OR "
                        "(kind = 'service_principal' AND application_id = ?1)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->name);
    LH_TRY(lh_stmt_step(st, &a->found, eb));
    if (a->found)
        a->id = lh_stmt_int(st, 0);
    return LH_OK;
}

/* Only a terminated cluster changes hands, as on Databricks (lock held). */
static lh_err set_owner(lh_clusters_t *c, cl_cluster *cl, const owner_arg *o, lh_errbuf *eb)
{
    if (cl->state != CL_TERMINATED && cl->state != CL_ERROR)
        return bad_state(cl, "change its owner; terminate it first", eb);
    char *name = strdup(o->name);
    LH_FAIL_IF(name == NULL, LH_E_NOMEM, eb, "out of memory");
    free(cl->creator);
    cl->creator = name;
    cl->creator_id = o->id;
    cl_log(cl, "OWNER CHANGED to %s", name);
    return cl_store_cluster(c, cl, NULL, NULL, eb);
}

lh_err cl_h_change_owner(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    const char *id = NULL;
    owner_arg o = {0};
    LH_TRY(cluster_id_of(req, &id, eb));
    LH_TRY(lh_json_get_str(req->params, "owner_username", LH_REQUIRED, &o.name, eb));
    LH_TRY(lh_meta_read(req->ctx->meta, find_owner_cb, &o, eb));
    cl_wrlock(c);
    cl_cluster *cl = NULL;
    lh_err e = lookup(c, id, &cl, eb);
    if (e == LH_OK && !o.found)
        e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                       "User %s does not exist in this workspace", o.name);
    if (e == LH_OK)
        e = set_owner(c, cl, &o, eb);
    pthread_rwlock_unlock(&c->lock);
    LH_TRY(e);
    return lh_perm_set_owner(req->ctx, "clusters", id, o.id, eb);
}

/* ---- resize ---- */

/* The spec with the new size from the request, validated (policy included). */
static lh_err resized_spec(lh_clusters_t *c, const lh_req_t *req, const char *id, json_t **out,
                           lh_errbuf *eb)
{
    bool has_n = lh_json_has(req->params, "num_workers");
    bool has_as = lh_json_has(req->params, "autoscale");
    LH_FAIL_IF(!has_n && !has_as, LH_E_INVALID, eb,
               "Missing required field: num_workers or autoscale");
    pthread_rwlock_rdlock(&c->lock);
    cl_cluster *cl = cl_find(c, id);
    json_t *body = cl ? json_deep_copy(cl->spec) : NULL;
    pthread_rwlock_unlock(&c->lock);
    LH_FAIL_IF(body == NULL, LH_E_NOT_FOUND, eb, "Cluster %s does not exist", id);
    json_object_del(body, has_n ? "autoscale" : "num_workers");
    const char *key = has_n ? "num_workers" : "autoscale";
    json_object_set(body, key, json_object_get(req->params, key));
    lh_err e = cl_spec_from_request(c, body, out, eb);
    json_decref(body);
    return e;
}

static lh_err apply_resize(lh_clusters_t *c, lh_req_t *req, cl_cluster *cl, json_t **spec,
                           lh_errbuf *eb)
{
    if (cl->state != CL_RUNNING)
        return bad_state(cl, "resize", eb);
    int64_t before = cl_spec_workers(cl->spec);
    int64_t after = cl_spec_workers(*spec);
    LH_TRY(cl_enqueue(c, JOB_RESIZE, cl->id, after > before ? "UPSIZE_COMPLETED" : "RUNNING", NULL,
                      eb));
    json_t *old = cl->spec;
    cl->spec = *spec;
    *spec = old;
    cl_set_state(cl, CL_RESIZING);
    cl_set_message(cl, "Resizing cluster");
    json_t *details = json_pack("{s:I, s:I, s:s}", "current_num_workers", (json_int_t)before,
                                "target_num_workers", (json_int_t)after, "user", user_of(req));
    return cl_store_cluster(c, cl, "RESIZING", details, eb);
}

lh_err cl_h_resize(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    const char *id = NULL;
    LH_TRY(cluster_id_of(req, &id, eb));
    LH_TRY(cl_require(req, "clusters", id, "CAN_MANAGE", eb));
    json_t *spec = NULL;
    LH_TRY(resized_spec(c, req, id, &spec, eb));
    cl_wrlock(c);
    cl_cluster *cl = NULL;
    lh_err e = lookup(c, id, &cl, eb);
    if (e == LH_OK)
        e = apply_resize(c, req, cl, &spec, eb);
    pthread_rwlock_unlock(&c->lock);
    json_decref(spec);
    return e;
}

/* ---- job clusters (clusters.h) ---- */

lh_err lh_clusters_create_ephemeral(lh_clusters_t *c, const json_t *spec_in, const char *name,
                                    const char *creator, char *id_out, size_t id_size,
                                    lh_errbuf *eb)
{
    LH_FAIL_IF(c == NULL, LH_E_UNAVAILABLE, eb, "The clusters area is not running");
    LH_FAIL_IF(!json_is_object(spec_in), LH_E_INVALID, eb, "new_cluster must be an object");
    json_t *body = json_deep_copy(spec_in);
    json_object_set_new(body, "cluster_name", json_string(name));
    json_t *spec = NULL;
    lh_err e = cl_spec_from_request(c, body, &spec, eb);
    json_decref(body);
    LH_TRY(e);
    json_object_set_new(spec, "cluster_source", json_string("JOB"));
    cl_cluster *cl = new_cluster_as(creator ? creator : "unknown", 0, spec);
    if (cl == NULL) {
        json_decref(spec);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    cl_wrlock(c);
    e = insert_new_as(c, cl->creator, cl, eb);
    if (e == LH_OK)
        snprintf(id_out, id_size, "%s", cl->id);
    pthread_rwlock_unlock(&c->lock);
    if (e != LH_OK)
        cl_cluster_free(cl);
    return e;
}

lh_err lh_clusters_terminate(lh_clusters_t *c, const char *cluster_id, lh_errbuf *eb)
{
    LH_FAIL_IF(c == NULL, LH_E_UNAVAILABLE, eb, "The clusters area is not running");
    cl_wrlock(c);
    cl_cluster *cl = NULL;
    lh_err e = lookup(c, cluster_id, &cl, eb);
    if (e == LH_OK && cl->state != CL_TERMINATED && cl->state != CL_TERMINATING &&
        cl->state != CL_ERROR)
        e = cl_begin_terminate(c, cl, "JOB_FINISHED", "SUCCESS", NULL, eb);
    pthread_rwlock_unlock(&c->lock);
    return e;
}

lh_err lh_clusters_state(lh_clusters_t *c, const char *cluster_id, char *state, size_t size,
                         lh_errbuf *eb)
{
    LH_FAIL_IF(c == NULL, LH_E_UNAVAILABLE, eb, "The clusters area is not running");
    pthread_rwlock_rdlock(&c->lock);
    cl_cluster *cl = NULL;
    lh_err e = lookup(c, cluster_id, &cl, eb);
    if (e == LH_OK)
        snprintf(state, size, "%s", cl_state_name(cl->state));
    pthread_rwlock_unlock(&c->lock);
    return e;
}
