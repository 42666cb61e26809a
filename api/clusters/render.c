/*
 * render.c - ClusterDetails JSON from a cluster record, and the node types we offer.
 *
 * Every node type maps onto this machine: a "node" is a share of its cores and memory.
 * The details report the logical shape asked for (num_workers executors), while the
 * cluster's pool runs min(workers, cores) threads (see clusters.h).
 * Callers hold the read lock; rendering never touches SQLite.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/clusters/clusters_internal.h"
#include "common/json.h"

typedef struct node_type {
    const char *id;
    int cores; /* 0 = every core */
} node_type;

static const node_type node_types[] = {
    {"lakehouse.small", 1},
    {"lakehouse.medium", 2},
    {"lakehouse.large", 4},
    {"lakehouse.machine", 0},
};

int64_t cl_machine_memory_mb(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (int64_t)pages / 1024 * page / 1024 : 4096;
}

static void node_size(const lh_clusters_t *c, const node_type *t, int *cores, int64_t *mem_mb)
{
    *cores = t->cores == 0 || t->cores > c->ncpu ? c->ncpu : t->cores;
    *mem_mb = c->memory_mb * *cores / c->ncpu;
}

static json_t *node_type_json(const lh_clusters_t *c, const node_type *t)
{
    int cores;
    int64_t mem;
    node_size(c, t, &cores, &mem);
    char desc[128];
    snprintf(desc, sizeof desc, "%d core%s, %lld MB (worker threads on this machine)", cores,
             cores == 1 ? "" : "s", (long long)mem);
    return json_pack("{s:s, s:I, s:i, s:s, s:s, s:s, s:i, s:b}", "node_type_id", t->id, "memory_mb",
                     (json_int_t)mem, "num_cores", cores, "description", desc, "instance_type_id",
                     t->id, "category", "General Purpose", "num_gpus", 0, "is_deprecated", 0);
}

json_t *cl_node_types(const lh_clusters_t *c)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof node_types / sizeof node_types[0]; i++)
        json_array_append_new(arr, node_type_json(c, &node_types[i]));
    return arr;
}

json_t *cl_node_type(const lh_clusters_t *c, const char *node_type_id)
{
    for (size_t i = 0; node_type_id && i < sizeof node_types / sizeof node_types[0]; i++) {
        if (strcmp(node_types[i].id, node_type_id) == 0)
            return node_type_json(c, &node_types[i]);
    }
    return NULL;
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

static void add_shape(const lh_clusters_t *c, json_t *o, const cl_cluster *cl)
{
    int64_t workers = cl_spec_workers(cl->spec);
    const char *node = json_string_value(json_object_get(cl->spec, "node_type_id"));
    const node_type *t = &node_types[0]; /* unknown node types count as the smallest */
    for (size_t i = 0; node != NULL && i < sizeof node_types / sizeof node_types[0]; i++) {
        if (strcmp(node_types[i].id, node) == 0)
            t = &node_types[i];
    }
    int cores;
    int64_t mem;
    node_size(c, t, &cores, &mem);
    lh_json_set_int(o, "num_workers", workers);
    if (!has_compute(cl->state))
        return;
    lh_json_set_int(o, "cluster_memory_mb", mem * (workers + 1));
    json_object_set_new(o, "cluster_cores", json_real((double)cores * (double)(workers + 1)));
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
    lh_json_set_int(o, "jdbc_port", 10000);
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
    json_object_set_new(o, "spec", json_deep_copy(cl->spec));
    return o;
}
