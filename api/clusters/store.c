/*
 * store.c - write-through of clusters, events, policies and instance pools to SQLite
 * (storage/meta), and loading them at start-up.
 *
 * Writers call with lh_clusters_t.lock held for writing, so rows change in the same
 * order as memory. Each cluster write is one transaction: the full row (INSERT OR
 * REPLACE) plus, optionally, one cluster_events row.
 */
#include <stdlib.h>
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "common/util.h"
#include "storage/meta/meta.h"

typedef struct {
    const cl_cluster *cl;
    const char *event_type;
    json_t *event_details;
} cluster_arg;

static void bind_json(lh_stmt_t *st, int idx, const json_t *v)
{
    if (v == NULL) {
        lh_stmt_bind_null(st, idx);
        return;
    }
    char *s = json_dumps(v, JSON_COMPACT);
    lh_stmt_bind_text(st, idx, s);
    free(s);
}

static lh_err write_event(lh_meta_t *m, const char *id, const char *type, json_t *details,
                          lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO cluster_events(cluster_id, timestamp, type, details) "
                        "VALUES (?, ?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, id);
    lh_stmt_bind_int(st, 2, lh_now_ms());
    lh_stmt_bind_text(st, 3, type);
    bind_json(st, 4, details);
    return lh_stmt_run(st, eb);
}

static lh_err write_cluster(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    cluster_arg *a = arg;
    const cl_cluster *cl = a->cl;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT OR REPLACE INTO clusters(cluster_id, spec, state, state_message, "
                        "creator_user_name, creator_user_id, is_pinned, start_time, "
                        "terminated_time, last_restarted_time, last_activity_time, "
                        "termination_reason, spark_context_id, created_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, cl->id);
    bind_json(st, 2, cl->spec);
    lh_stmt_bind_text(st, 3, cl_state_name(cl->state));
    lh_stmt_bind_text(st, 4, cl->state_message ? cl->state_message : "");
    lh_stmt_bind_text(st, 5, cl->creator);
    lh_stmt_bind_int(st, 6, cl->creator_id);
    lh_stmt_bind_int(st, 7, cl->is_pinned);
    lh_stmt_bind_int(st, 8, cl->start_time);
    lh_stmt_bind_int(st, 9, cl->terminated_time);
    lh_stmt_bind_int(st, 10, cl->last_restarted_time);
    lh_stmt_bind_int(st, 11, atomic_load(&cl->last_activity_time));
    bind_json(st, 12, cl->termination_reason);
    lh_stmt_bind_int(st, 13, cl->spark_context_id);
    lh_stmt_bind_int(st, 14, cl->created_at);
    LH_TRY(lh_stmt_run(st, eb));
    if (a->event_type == NULL)
        return LH_OK;
    return write_event(m, cl->id, a->event_type, a->event_details, eb);
}

lh_err cl_store_cluster(lh_clusters_t *c, const cl_cluster *cl, const char *event_type,
                        json_t *event_details, lh_errbuf *eb)
{
    if (event_type != NULL && event_details == NULL)
        event_details = json_object();
    cluster_arg a = {cl, event_type, event_details};
    lh_err e = lh_meta_tx(c->ctx->meta, write_cluster, &a, eb);
    json_decref(event_details);
    return e;
}

static lh_err delete_cluster(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM clusters WHERE cluster_id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, arg);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(lh_meta_stmt(m, "DELETE FROM cluster_events WHERE cluster_id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, arg);
    return lh_stmt_run(st, eb);
}

lh_err cl_store_cluster_delete(lh_clusters_t *c, const char *id, lh_errbuf *eb)
{
    return lh_meta_tx(c->ctx->meta, delete_cluster, (void *)id, eb);
}

static lh_err write_policy(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    const cl_policy *p = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT OR REPLACE INTO cluster_policies(policy_id, name, definition, "
                        "description, max_clusters_per_user, creator_user_name, created_at) "
                        "VALUES (?,?,?,?,?,?,?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, p->id);
    lh_stmt_bind_text(st, 2, p->name);
    lh_stmt_bind_text(st, 3, p->definition);
    lh_stmt_bind_text(st, 4, p->description);
    lh_stmt_bind_int(st, 5, p->max_clusters_per_user);
    lh_stmt_bind_text(st, 6, p->creator);
    lh_stmt_bind_int(st, 7, p->created_at);
    return lh_stmt_run(st, eb);
}

lh_err cl_store_policy(lh_clusters_t *c, const cl_policy *p, lh_errbuf *eb)
{
    return lh_meta_tx(c->ctx->meta, write_policy, (void *)p, eb);
}

static lh_err delete_policy(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM cluster_policies WHERE policy_id = ?", &st, eb));
    lh_stmt_bind_text(st, 1, arg);
    return lh_stmt_run(st, eb);
}

lh_err cl_store_policy_delete(lh_clusters_t *c, const char *id, lh_errbuf *eb)
{
    return lh_meta_tx(c->ctx->meta, delete_policy, (void *)id, eb);
}

static lh_err write_ipool(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    const cl_ipool *ip = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT OR REPLACE INTO instance_pools(instance_pool_id, spec, state, "
                        "created_at) VALUES (?,?,?,?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, ip->id);
    bind_json(st, 2, ip->spec);
    lh_stmt_bind_text(st, 3, ip->is_deleted ? "DELETED" : "ACTIVE");
    lh_stmt_bind_int(st, 4, ip->created_at);
    return lh_stmt_run(st, eb);
}

lh_err cl_store_ipool(lh_clusters_t *c, const cl_ipool *ip, lh_errbuf *eb)
{
    return lh_meta_tx(c->ctx->meta, write_ipool, (void *)ip, eb);
}

/* ---- loading ---- */

static json_t *load_json(lh_stmt_t *st, int col)
{
    const char *s = lh_stmt_text(st, col);
    return s != NULL ? json_loads(s, 0, NULL) : NULL;
}

static char *dup_col(lh_stmt_t *st, int col)
{
    const char *s = lh_stmt_text(st, col);
    return s != NULL ? strdup(s) : NULL;
}

static cl_cluster *cluster_from_row(lh_stmt_t *st)
{
    cl_cluster *cl = calloc(1, sizeof *cl);
    LH_ASSERT(cl != NULL);
    snprintf(cl->id, sizeof cl->id, "%s", lh_stmt_text(st, 0));
    cl->spec = load_json(st, 1);
    if (cl->spec == NULL)
        cl->spec = json_object();
    cl_spec_drop_unknown(cl->spec); /* older builds kept whatever a client sent */
    if (!cl_state_parse(lh_stmt_text(st, 2), &cl->state))
        cl->state = CL_ERROR;
    cl->state_message = dup_col(st, 3);
    cl->creator = dup_col(st, 4);
    cl->creator_id = lh_stmt_int(st, 5);
    cl->is_pinned = lh_stmt_int(st, 6) != 0;
    cl->start_time = lh_stmt_int(st, 7);
    cl->terminated_time = lh_stmt_int(st, 8);
    cl->last_restarted_time = lh_stmt_int(st, 9);
    atomic_init(&cl->last_activity_time, lh_stmt_int(st, 10));
    cl->termination_reason = load_json(st, 11);
    cl->spark_context_id = lh_stmt_int(st, 12);
    cl->created_at = lh_stmt_int(st, 13);
    atomic_init(&cl->users, 0);
    atomic_init(&cl->teardown_pending, false);
    return cl;
}

static lh_err load_clusters(lh_meta_t *m, lh_clusters_t *c, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT cluster_id, spec, state, state_message, creator_user_name, "
                        "creator_user_id, is_pinned, start_time, terminated_time, "
                        "last_restarted_time, last_activity_time, termination_reason, "
                        "spark_context_id, created_at FROM clusters",
                        &st, eb));
    for (;;) {
        bool row;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        cl_insert(c, cluster_from_row(st));
    }
}

static lh_err load_policies(lh_meta_t *m, lh_clusters_t *c, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT policy_id, name, definition, description, max_clusters_per_user, "
                        "creator_user_name, created_at FROM cluster_policies "
                        "ORDER BY created_at DESC",
                        &st, eb));
    cl_policy **tail = &c->policies;
    for (;;) {
        bool row;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        cl_policy *p = calloc(1, sizeof *p);
        LH_ASSERT(p != NULL);
        snprintf(p->id, sizeof p->id, "%s", lh_stmt_text(st, 0));
        p->name = dup_col(st, 1);
        p->definition = dup_col(st, 2);
        p->description = dup_col(st, 3);
        p->max_clusters_per_user = lh_stmt_int(st, 4);
        p->creator = dup_col(st, 5);
        p->created_at = lh_stmt_int(st, 6);
        if (lh_policy_parse(p->definition, strlen(p->definition), &p->parsed, NULL) != LH_OK)
            lh_log(LH_LOG_WARN, "cluster policy %s: stored definition no longer parses", p->id);
        *tail = p;
        tail = &p->next;
    }
}

static lh_err load_ipools(lh_meta_t *m, lh_clusters_t *c, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT instance_pool_id, spec, state, created_at FROM instance_pools "
                        "ORDER BY created_at DESC",
                        &st, eb));
    cl_ipool **tail = &c->ipools;
    for (;;) {
        bool row;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        cl_ipool *ip = calloc(1, sizeof *ip);
        LH_ASSERT(ip != NULL);
        snprintf(ip->id, sizeof ip->id, "%s", lh_stmt_text(st, 0));
        ip->spec = load_json(st, 1);
        if (ip->spec == NULL)
            ip->spec = json_object();
        ip->is_deleted = strcmp(lh_stmt_text(st, 2), "DELETED") == 0;
        ip->created_at = lh_stmt_int(st, 3);
        ip->pool = lh_pool_create("ipool", 0);
        LH_ASSERT(ip->pool != NULL);
        *tail = ip;
        tail = &ip->next;
    }
}

static lh_err load_all(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_clusters_t *c = arg;
    LH_TRY(load_policies(m, c, eb));
    LH_TRY(load_ipools(m, c, eb));
    return load_clusters(m, c, eb);
}

lh_err cl_store_load(lh_clusters_t *c, lh_errbuf *eb)
{
    return lh_meta_read(c->ctx->meta, load_all, c, eb);
}

typedef struct {
    const char *id;
    int64_t start_ms, end_ms;
    json_t *out;
} events_arg;

static lh_err read_events(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    events_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT timestamp, type, details FROM cluster_events WHERE cluster_id = ? "
                        "AND timestamp >= ? AND timestamp <= ? ORDER BY timestamp, seq",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->id);
    lh_stmt_bind_int(st, 2, a->start_ms);
    lh_stmt_bind_int(st, 3, a->end_ms > 0 ? a->end_ms : INT64_MAX);
    for (;;) {
        bool row;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_t *details = load_json(st, 2);
        json_array_append_new(a->out,
                              json_pack("{s:s, s:I, s:s, s:o}", "cluster_id", a->id, "timestamp",
                                        (json_int_t)lh_stmt_int(st, 0), "type", lh_stmt_text(st, 1),
                                        "details", details ? details : json_object()));
    }
}

lh_err cl_store_events(lh_clusters_t *c, const char *id, int64_t start_ms, int64_t end_ms,
                       json_t **out, lh_errbuf *eb)
{
    events_arg a = {id, start_ms, end_ms, json_array()};
    lh_err e = lh_meta_read(c->ctx->meta, read_events, &a, eb);
    if (e != LH_OK) {
        json_decref(a.out);
        return e;
    }
    *out = a.out;
    return LH_OK;
}
