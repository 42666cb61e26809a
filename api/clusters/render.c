/*
 * render.c - ClusterDetails JSON from a cluster record, and the node types we offer.
 *
 * The details report the logical shape asked for (num_workers executors), while
 * cluster_cores and cluster_memory_mb are what the cluster's pool really has (see the
 * mapping in clusters.h). No port is advertised: nothing here listens for JDBC or SSH.
 * The node type catalogue lives in catalog.c.
 * Callers hold the read lock; rendering never touches SQLite.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/clusters/clusters_internal.h"
#include "common/json.h"

int64_t cl_machine_memory_mb(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (int64_t)pages / 1024 * page / 1024 : 4096;
}

static bool has_compute(cl_state s)
{
    return s == CL_RUNNING || s == CL_RESIZING || s == CL_RESTARTING;
}

static void set_time(json_t *o, const char *key, int64_t v)
{
    if (v > 0)
        lh_json_set_int(o, key, v);
}

/* cluster_cores / cluster_memory_mb: what the cluster really has on this machine (its
 * pool's threads and their fair share of the machine's memory), not the node type's
 * published shape; num_workers and executors keep the logical shape asked for. */
static void add_shape(const lh_clusters_t *c, json_t *o, const cl_cluster *cl)
{
    int64_t workers = cl_spec_workers(cl->spec);
    lh_json_set_int(o, "num_workers", workers);
    if (!has_compute(cl->state))
        return;
    int threads = cl->threads > 0 ? cl->threads : 0;
    lh_json_set_int(o, "cluster_memory_mb", c->memory_mb * threads / c->ncpu);
    json_object_set_new(o, "cluster_cores", json_real((double)threads));
    json_object_set_new(o, "driver",
                        json_pack("{s:s, s:s, s:s, s:s, s:I}", "node_id", "driver", "instance_id",
                                  cl->id, "private_ip", "127.0.0.1", "host_private_ip", "127.0.0.1",
                                  "start_timestamp", (json_int_t)cl->start_time));
    json_t *ex = json_array();
    for (int64_t i = 0; i < workers; i++) {
        char nid[32];
        snprintf(nid, sizeof nid, "worker-%lld", (long long)i);
        json_array_append_new(ex, json_pack("{s:s, s:s, s:I}", "node_id", nid, "private_ip",
                                            "127.0.0.1", "start_timestamp",
                                            (json_int_t)cl->start_time));
    }
    json_object_set_new(o, "executors", ex);
    lh_json_set_int(o, "spark_context_id", cl->spark_context_id);
}

static json_t *default_tags(const cl_cluster *cl)
{
    const char *name = json_string_value(json_object_get(cl->spec, "cluster_name"));
    return json_pack("{s:s, s:s, s:s, s:s}", "Vendor", "Databricks", "Creator",
                     cl->creator ? cl->creator : "", "ClusterName", name ? name : "", "ClusterId",
                     cl->id);
}

json_t *cl_render_cluster(const lh_clusters_t *c, const cl_cluster *cl)
{
    json_t *o = json_deep_copy(cl->spec);
    json_object_set_new(o, "cluster_id", json_string(cl->id));
    json_object_set_new(o, "state", json_string(cl_state_name(cl->state)));
    json_object_set_new(o, "state_message",
                        json_string(cl->state_message ? cl->state_message : ""));
    lh_json_set_str(o, "creator_user_name", cl->creator);
    if (json_object_get(o, "cluster_source") == NULL) /* JOB clusters carry theirs */
        json_object_set_new(o, "cluster_source", json_string("API"));
    if (!json_object_get(o, "autotermination_minutes"))
        lh_json_set_int(o, "autotermination_minutes", 0);
    set_time(o, "start_time", cl->start_time ? cl->start_time : cl->created_at);
    if (cl->state == CL_TERMINATED || cl->state == CL_ERROR)
        set_time(o, "terminated_time", cl->terminated_time);
    set_time(o, "last_restarted_time", cl->last_restarted_time);
    set_time(o, "last_activity_time", atomic_load(&cl->last_activity_time));
    if (cl->termination_reason != NULL && !has_compute(cl->state) && cl->state != CL_PENDING)
        json_object_set(o, "termination_reason", cl->termination_reason);
    lh_json_set_bool(o, "is_pinned", cl->is_pinned);
    json_object_set_new(o, "default_tags", default_tags(cl));
    add_shape(c, o, cl);
    json_t *spec = json_deep_copy(cl->spec);
    json_object_del(spec, "cluster_source");
    json_object_set_new(o, "spec", spec);
    return o;
}
