/*
 * spec.c - turning a clusters/create or clusters/edit body into a stored spec.
 *
 *   body -> copy of the ClusterSpec fields only (cluster_id and anything a client made up
 *   are dropped, so clusters/get never echoes junk) -> policy applied (defaults, fixed
 *   values, violations) -> known fields type-checked and normalized (numbers that arrived
 *   as strings become numbers) -> catalogue checks (spark_version, node_type_id and
 *   driver_node_type_id must be listed; 400 naming up to 3 close matches) -> references
 *   checked (instance pool, policy).
 *
 * Defaults: num_workers 0 (single node) when neither it nor autoscale is given;
 * autotermination_minutes 0 = never (the Clusters API default; the UI uses 120).
 */
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "common/json.h"
#include "common/limits.h"

static const char *const security_modes[] = {
    "NONE",
    "SINGLE_USER",
    "USER_ISOLATION",
    "LEGACY_TABLE_ACL",
    "LEGACY_PASSTHROUGH",
    "LEGACY_SINGLE_USER",
    "LEGACY_SINGLE_USER_STANDARD",
    "DATA_SECURITY_MODE_AUTO",
    "DATA_SECURITY_MODE_STANDARD",
    "DATA_SECURITY_MODE_DEDICATED",
};
/* The fields of Databricks' ClusterSpec (create/edit), in the SDKs' order. */
static const char *const spec_fields[] = {
    "apply_policy_default_values",
    "autoscale",
    "autotermination_minutes",
    "aws_attributes",
    "azure_attributes",
    "clone_from",
    "cluster_log_conf",
    "cluster_name",
    "custom_tags",
    "data_security_mode",
    "docker_image",
    "driver_instance_pool_id",
    "driver_node_type_id",
    "enable_elastic_disk",
    "enable_local_disk_encryption",
    "gcp_attributes",
    "init_scripts",
    "instance_pool_id",
    "is_single_node",
    "kind",
    "node_type_id",
    "num_workers",
    "policy_id",
    "remote_disk_throughput",
    "runtime_engine",
    "single_user_name",
    "spark_conf",
    "spark_env_vars",
    "spark_version",
    "ssh_public_keys",
    "total_initial_remote_disk_size",
    "use_ml_runtime",
    "workload_type",
};

static bool is_spec_field(const char *key)
{
    for (size_t i = 0; i < sizeof spec_fields / sizeof spec_fields[0]; i++) {
        if (strcmp(spec_fields[i], key) == 0)
            return true;
    }
    return false;
}

void cl_spec_drop_unknown(json_t *spec)
{
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(spec, tmp, k, v)
    {
        if (!is_spec_field(k) && strcmp(k, "cluster_source") != 0) /* JOB: set by jobs */
            json_object_del(spec, k);
    }
}

static const char *const runtime_engines[] = {"STANDARD", "PHOTON", "NULL"};

static lh_err check_enum(const json_t *spec, const char *key, const char *const *names, size_t n,
                         lh_errbuf *eb)
{
    const char *v = NULL;
    LH_TRY(lh_json_get_str(spec, key, LH_OPTIONAL, &v, eb));
    for (size_t i = 0; v != NULL && i < n; i++) {
        if (strcmp(v, names[i]) == 0)
            return LH_OK;
    }
    LH_FAIL_IF(v != NULL, LH_E_INVALID, eb, "Invalid value for %s: '%s'", key, v);
    return LH_OK;
}

/* Read an int field leniently and store it back as a JSON integer. */
static lh_err norm_int(json_t *obj, const char *key, int64_t min, int64_t max, lh_errbuf *eb)
{
    int64_t v = 0;
    if (!lh_json_has(obj, key))
        return LH_OK;
    LH_TRY(lh_json_get_int_range(obj, key, LH_OPTIONAL, min, max, &v, eb));
    lh_json_set_int(obj, key, v);
    return LH_OK;
}

static lh_err norm_autoscale(json_t *spec, lh_errbuf *eb)
{
    json_t *as = NULL;
    LH_TRY(lh_json_get_object(spec, "autoscale", LH_OPTIONAL, &as, eb));
    if (as == NULL)
        return LH_OK;
    int64_t min = 0, max = 0;
    LH_TRY(
        lh_json_get_int_range(as, "min_workers", LH_REQUIRED, 0, LH_CLUSTER_WORKERS_MAX, &min, eb));
    LH_TRY(
        lh_json_get_int_range(as, "max_workers", LH_REQUIRED, 1, LH_CLUSTER_WORKERS_MAX, &max, eb));
    LH_FAIL_IF(min > max, LH_E_INVALID, eb,
               "autoscale.min_workers (%lld) must not exceed autoscale.max_workers (%lld)",
               (long long)min, (long long)max);
    lh_json_set_int(as, "min_workers", min);
    lh_json_set_int(as, "max_workers", max);
    json_object_del(spec, "num_workers");
    return LH_OK;
}

static lh_err check_maps(const json_t *spec, lh_errbuf *eb)
{
    static const char *const maps[] = {"spark_conf", "spark_env_vars", "custom_tags"};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        json_t *m = NULL;
        LH_TRY(lh_json_get_object(spec, maps[i], LH_OPTIONAL, &m, eb));
        const char *k;
        json_t *v;
        json_object_foreach(m, k, v)
        {
            LH_FAIL_IF(json_is_object(v) || json_is_array(v), LH_E_INVALID, eb,
                       "Invalid value for %s.%s: expected a string", maps[i], k);
        }
    }
    return LH_OK;
}

static lh_err check_strings(const json_t *spec, lh_errbuf *eb)
{
    static const char *const keys[] = {"node_type_id", "driver_node_type_id", "single_user_name",
                                       "instance_pool_id", "policy_id"};
    const char *s = NULL;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        LH_TRY(lh_json_get_str(spec, keys[i], LH_OPTIONAL, &s, eb));
    s = NULL;
    LH_TRY(lh_json_get_str(spec, "cluster_name", LH_OPTIONAL, &s, eb));
    LH_FAIL_IF(s != NULL && strlen(s) > LH_NAME_MAX, LH_E_INVALID, eb,
               "cluster_name is longer than %d characters", LH_NAME_MAX);
    LH_TRY(lh_json_get_str(spec, "spark_version", LH_REQUIRED, &s, eb));
    LH_FAIL_IF(*s == '\0', LH_E_INVALID, eb, "spark_version must not be empty");
    LH_TRY(cl_check_spark_version(s, eb));
    LH_TRY(cl_check_node_type("Node type", json_string_value(json_object_get(spec, "node_type_id")),
                              eb));
    return cl_check_node_type("Driver node type",
                              json_string_value(json_object_get(spec, "driver_node_type_id")), eb);
}

static lh_err normalize(json_t *spec, lh_errbuf *eb)
{
    LH_TRY(check_strings(spec, eb));
    LH_TRY(norm_int(spec, "num_workers", 0, LH_CLUSTER_WORKERS_MAX, eb));
    LH_TRY(norm_autoscale(spec, eb));
    if (!lh_json_has(spec, "autoscale") && !lh_json_has(spec, "num_workers"))
        lh_json_set_int(spec, "num_workers", 0);
    LH_TRY(norm_int(spec, "autotermination_minutes", 0, 10000, eb));
    LH_TRY(check_maps(spec, eb));
    LH_TRY(check_enum(spec, "data_security_mode", security_modes,
                      sizeof security_modes / sizeof security_modes[0], eb));
    return check_enum(spec, "runtime_engine", runtime_engines,
                      sizeof runtime_engines / sizeof runtime_engines[0], eb);
}

/* The instance pool exists and could ever hold the cluster (read lock held). */
static lh_err check_pool(lh_clusters_t *c, const json_t *spec, lh_errbuf *eb)
{
    const char *pool_id = json_string_value(json_object_get(spec, "instance_pool_id"));
    if (pool_id == NULL)
        return LH_OK;
    cl_ipool *ip = cl_ipool_find(c, pool_id);
    LH_FAIL_IF(ip == NULL || ip->is_deleted, LH_E_INVALID, eb, "Instance pool %s does not exist",
               pool_id);
    int cap = (int)cl_spec_int(ip->spec, "max_capacity", 0);
    LH_FAIL_IF(cap > 0 && cl_spec_threads(spec) > cap, LH_E_INVALID, eb,
               "The cluster needs %d instances but instance pool %s has max_capacity %d",
               cl_spec_threads(spec), pool_id, cap);
    return LH_OK;
}

/* Apply the spec's policy, if any (read lock held). */
static lh_err apply_policy(lh_clusters_t *c, json_t *spec, lh_errbuf *eb)
{
    const char *policy_id = NULL;
    LH_TRY(lh_json_get_str(spec, "policy_id", LH_OPTIONAL, &policy_id, eb));
    if (policy_id == NULL)
        return LH_OK;
    cl_policy *p = cl_policy_find(c, policy_id);
    LH_FAIL_IF(p == NULL, LH_E_INVALID, eb, "Cluster policy %s does not exist", policy_id);
    LH_FAIL_IF(p->parsed == NULL, LH_E_INVALID, eb, "Cluster policy %s has an invalid definition",
               policy_id);
    return lh_policy_apply(p->parsed, spec, eb);
}

static lh_err build(lh_clusters_t *c, json_t *spec, lh_errbuf *eb)
{
    pthread_rwlock_rdlock(&c->lock);
    lh_err e = apply_policy(c, spec, eb);
    pthread_rwlock_unlock(&c->lock);
    LH_TRY(e);
    LH_TRY(normalize(spec, eb));
    pthread_rwlock_rdlock(&c->lock);
    e = check_pool(c, spec, eb);
    pthread_rwlock_unlock(&c->lock);
    return e;
}

lh_err cl_spec_from_request(lh_clusters_t *c, const json_t *body, json_t **out, lh_errbuf *eb)
{
    json_t *spec = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        if (!json_is_null(v) && is_spec_field(k))
            json_object_set_new(spec, k, json_deep_copy(v));
    }
    lh_err e = build(c, spec, eb);
    if (e != LH_OK) {
        json_decref(spec);
        return e;
    }
    *out = spec;
    return LH_OK;
}

static bool counts_against_quota(const cl_cluster *cl, const char *policy_id, const char *user)
{
    if (cl->is_deleted || cl->state == CL_TERMINATED || cl->state == CL_ERROR)
        return false;
    const char *p = json_string_value(json_object_get(cl->spec, "policy_id"));
    return p != NULL && strcmp(p, policy_id) == 0 && cl->creator != NULL && user != NULL &&
           strcmp(cl->creator, user) == 0;
}

lh_err cl_policy_check_quota(lh_clusters_t *c, const json_t *spec, int64_t user_id,
                             const char *user_name, lh_errbuf *eb)
{
    (void)user_id;
    const char *policy_id = json_string_value(json_object_get(spec, "policy_id"));
    cl_policy *p = policy_id ? cl_policy_find(c, policy_id) : NULL;
    if (p == NULL || p->max_clusters_per_user <= 0)
        return LH_OK;
    int64_t n = 0;
    for (int b = 0; b < CL_BUCKETS; b++) {
        for (cl_cluster *cl = c->buckets[b]; cl != NULL; cl = cl->hnext)
            n += counts_against_quota(cl, policy_id, user_name);
    }
    LH_FAIL_IF(n >= p->max_clusters_per_user, LH_E_INVALID, eb,
               "Validation failed for max_clusters_per_user: user %s already has %lld active "
               "clusters with policy %s (limit %lld)",
               user_name ? user_name : "?", (long long)n, policy_id,
               (long long)p->max_clusters_per_user);
    return LH_OK;
}
