/*
 * perm_objects.c - the clusters area's side of api/perm.h: which clusters, cluster
 * policies and instance pools exist (for /api/2.0/permissions/...), and the checks the
 * handlers share: who may create a cluster (entitlement or a usable policy, and attach
 * rights on the instance pool it names).
 *
 * Rules (Databricks'): admins may do everything. Without allow-cluster-create a user
 * creates clusters only under a policy they hold CAN_USE on; naming a policy always needs
 * CAN_USE on it; naming an instance pool needs CAN_ATTACH_TO on it.
 */
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "api/perm.h"
#include "common/json.h"

static bool cluster_exists(void *arg, const char *id)
{
    lh_clusters_t *c = arg;
    pthread_rwlock_rdlock(&c->lock);
    bool found = cl_find(c, id) != NULL;
    pthread_rwlock_unlock(&c->lock);
    return found;
}

static bool policy_exists(void *arg, const char *id)
{
    lh_clusters_t *c = arg;
    pthread_rwlock_rdlock(&c->lock);
    bool found = cl_policy_find(c, id) != NULL;
    pthread_rwlock_unlock(&c->lock);
    return found;
}

static bool ipool_exists(void *arg, const char *id)
{
    lh_clusters_t *c = arg;
    pthread_rwlock_rdlock(&c->lock);
    cl_ipool *ip = cl_ipool_find(c, id);
    bool found = ip != NULL && !ip->is_deleted;
    pthread_rwlock_unlock(&c->lock);
    return found;
}

void lh_clusters_register_perm(lh_clusters_t *c, struct lh_perm *perm)
{
    lh_perm_register(perm, "clusters", cluster_exists, c);
    lh_perm_register(perm, "cluster-policies", policy_exists, c);
    lh_perm_register(perm, "instance-pools", ipool_exists, c);
}

lh_err cl_require_create_rights(lh_req_t *req, const json_t *body, lh_errbuf *eb)
{
    lh_ctx_t *ctx = req->ctx;
    const lh_principal_t *p = req->principal;
    const char *policy = json_string_value(json_object_get(body, "policy_id"));
    const char *ipool = json_string_value(json_object_get(body, "instance_pool_id"));
    if (policy != NULL)
        LH_TRY(lh_perm_require(ctx, p, "cluster-policies", policy, "CAN_USE", eb));
    else
        LH_FAIL_IF(!lh_perm_has_entitlement(ctx, p, LH_ENT_CLUSTER), LH_E_PERMISSION, eb,
                   "%s does not have the %s entitlement: create clusters under a cluster "
                   "policy you have CAN_USE on (policy_id)",
                   p && p->user_name ? p->user_name : "caller", LH_ENT_CLUSTER);
    if (ipool != NULL)
        LH_TRY(lh_perm_require(ctx, p, "instance-pools", ipool, "CAN_ATTACH_TO", eb));
    return LH_OK;
}

lh_err cl_require(const lh_req_t *req, const char *path, const char *id, const char *level,
                  lh_errbuf *eb)
{
    return lh_perm_require(req->ctx, req->principal, path, id, level, eb);
}
