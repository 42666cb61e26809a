/*
 * policies.c - /api/2.0/policies/clusters/{create,edit,delete,get,list} and
 * /api/2.0/policy-families.
 *
 * A policy keeps its definition text as given (get returns it verbatim) plus the parsed
 * rules (policy.h) used on clusters/create and edit. An invalid definition is 400.
 * max_clusters_per_user counts the caller's clusters under the policy that are not
 * TERMINATED/ERROR (Databricks: "clusters per user that can be active").
 * Names are unique (409 RESOURCE_ALREADY_EXISTS). Deleting a policy leaves clusters
 * that use it alone; their later edits fail until policy_id is changed.
 * Permissions: only admins create, edit and delete policies; get and list show the
 * policies the caller holds CAN_USE on (all for admins), the level that lets a user
 * without allow-cluster-create create clusters under one.
 */
#include <stdlib.h>
#include <string.h>

#include "api/clusters/clusters_internal.h"
#include "api/perm.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

typedef struct policy_fields {
    const char *name, *definition, *description;
    int64_t max_clusters_per_user;
    lh_policy_t *parsed;
} policy_fields;

static lh_err parse_fields(const json_t *p, policy_fields *f, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_str(p, "name", LH_REQUIRED, &f->name, eb));
    LH_FAIL_IF(*f->name == '\0' || strlen(f->name) > LH_NAME_MAX, LH_E_INVALID, eb,
               "name must be 1 to %d characters", LH_NAME_MAX);
    f->definition = "{}";
    LH_TRY(lh_json_get_str(p, "definition", LH_OPTIONAL, &f->definition, eb));
    LH_FAIL_IF(strlen(f->definition) > LH_POLICY_DEFINITION_MAX, LH_E_INVALID, eb,
               "definition is longer than %d bytes", LH_POLICY_DEFINITION_MAX);
    LH_TRY(lh_json_get_str(p, "description", LH_OPTIONAL, &f->description, eb));
    LH_TRY(lh_json_get_int_range(p, "max_clusters_per_user", LH_OPTIONAL, 0, LH_CLUSTER_WORKERS_MAX,
                                 &f->max_clusters_per_user, eb));
    return lh_policy_parse(f->definition, strlen(f->definition), &f->parsed, eb);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void policy_free(cl_policy *p)
{
    if (p == NULL)
        return;
    free(p->name);
    free(p->definition);
    free(p->description);
    free(p->creator);
    lh_policy_free(p->parsed);
    free(p);
}

/* Copy f into p (taking f->parsed); on failure p and f are unchanged. */
static lh_err policy_fill(cl_policy *p, policy_fields *f, lh_errbuf *eb)
{
    char *name = strdup(f->name), *definition = strdup(f->definition);
    char *description = dup_or_null(f->description);
    if (name == NULL || definition == NULL || (f->description != NULL && description == NULL)) {
        free(name);
        free(definition);
        free(description);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    free(p->name);
    free(p->definition);
    free(p->description);
    lh_policy_free(p->parsed);
    p->name = name;
    p->definition = definition;
    p->description = description;
    p->max_clusters_per_user = f->max_clusters_per_user;
    p->parsed = f->parsed;
    f->parsed = NULL;
    return LH_OK;
}

static lh_err check_name_free(lh_clusters_t *c, const char *name, const char *except_id,
                              lh_errbuf *eb)
{
    for (cl_policy *p = c->policies; p != NULL; p = p->next) {
        LH_FAIL_IF(strcmp(p->name, name) == 0 && (except_id == NULL || strcmp(p->id, except_id)),
                   LH_E_EXISTS, eb, "Cluster policy named '%s' already exists", name);
    }
    return LH_OK;
}

static lh_err insert_policy(lh_clusters_t *c, cl_policy *p, lh_errbuf *eb)
{
    LH_TRY(check_name_free(c, p->name, NULL, eb));
    LH_TRY(cl_store_policy(c, p, eb));
    p->next = c->policies;
    c->policies = p;
    return LH_OK;
}

lh_err cl_h_policy_create(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    policy_fields f = {0};
    LH_TRY(lh_req_require_admin(req, eb));
    lh_err e = parse_fields(req->params, &f, eb);
    if (e != LH_OK)
        return e;
    cl_policy *p = calloc(1, sizeof *p);
    e = p != NULL ? policy_fill(p, &f, eb)
                  : lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    const char *creator = req->principal ? req->principal->user_name : NULL;
    if (e == LH_OK && (p->creator = dup_or_null(creator)) == NULL && creator != NULL)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e != LH_OK) {
        lh_policy_free(f.parsed); /* still ours when policy_fill did not run or failed */
        policy_free(p);
        return e;
    }
    cl_make_policy_id(p->id);
    p->created_at = lh_now_ms();
    cl_wrlock(c);
    e = insert_policy(c, p, eb);
    pthread_rwlock_unlock(&c->lock);
    if (e != LH_OK) {
        policy_free(p);
        return e;
    }
    req->out = json_pack("{s:s}", "policy_id", p->id);
    return LH_OK;
}

static lh_err find_policy(lh_clusters_t *c, const json_t *params, cl_policy **out, lh_errbuf *eb)
{
    const char *id = NULL;
    LH_TRY(lh_json_get_str(params, "policy_id", LH_REQUIRED, &id, eb));
    *out = cl_policy_find(c, id);
    LH_FAIL_IF(*out == NULL, LH_E_NOT_FOUND, eb, "Cluster policy %s does not exist", id);
    return LH_OK;
}

static lh_err edit_locked(lh_clusters_t *c, const json_t *params, policy_fields *f, lh_errbuf *eb)
{
    cl_policy *p = NULL;
    LH_TRY(find_policy(c, params, &p, eb));
    LH_TRY(check_name_free(c, f->name, p->id, eb));
    cl_policy saved = *p;
    cl_policy next = {0};
    LH_TRY(policy_fill(&next, f, eb));
    next.next = p->next;
    memcpy(next.id, p->id, sizeof next.id);
    next.creator = p->creator;
    next.created_at = p->created_at;
    lh_err e = cl_store_policy(c, &next, eb);
    if (e != LH_OK) {
        f->parsed = next.parsed; /* give it back for the caller to free */
        next.parsed = NULL;
        next.creator = NULL;
        free(next.name);
        free(next.definition);
        free(next.description);
        return e;
    }
    *p = next;
    saved.creator = NULL;
    saved.next = NULL;
    free(saved.name);
    free(saved.definition);
    free(saved.description);
    lh_policy_free(saved.parsed);
    return LH_OK;
}

/* The policy's current fields overlaid with the request's: fields an edit leaves out keep
 * their values (the SDK sends only what the caller set). */
static json_t *merged_fields(const cl_policy *p, const json_t *params)
{
    json_t *m = json_pack("{s:s, s:s}", "name", p->name, "definition", p->definition);
    if (p->description != NULL)
        json_object_set_new(m, "description", json_string(p->description));
    if (p->max_clusters_per_user > 0)
        json_object_set_new(m, "max_clusters_per_user", json_integer(p->max_clusters_per_user));
    json_object_update(m, (json_t *)params);
    return m;
}

lh_err cl_h_policy_edit(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    policy_fields f = {0};
    json_t *merged = NULL;
    LH_TRY(lh_req_require_admin(req, eb));
    cl_wrlock(c);
    cl_policy *p = NULL;
    lh_err e = find_policy(c, req->params, &p, eb);
    if (e == LH_OK) {
        merged = merged_fields(p, req->params);
        e = parse_fields(merged, &f, eb);
    }
    if (e == LH_OK)
        e = edit_locked(c, merged, &f, eb);
    pthread_rwlock_unlock(&c->lock);
    lh_policy_free(f.parsed);
    json_decref(merged);
    return e;
}

lh_err cl_h_policy_delete(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    LH_TRY(lh_req_require_admin(req, eb));
    cl_wrlock(c);
    cl_policy *p = NULL;
    lh_err e = find_policy(c, req->params, &p, eb);
    if (e == LH_OK)
        e = cl_store_policy_delete(c, p->id, eb);
    if (e == LH_OK)
        e = lh_perm_on_delete(req->ctx, "cluster-policies", p->id, eb);
    if (e == LH_OK) {
        for (cl_policy **pp = &c->policies; *pp != NULL; pp = &(*pp)->next) {
            if (*pp == p) {
                *pp = p->next;
                break;
            }
        }
        policy_free(p);
    }
    pthread_rwlock_unlock(&c->lock);
    return e;
}

static json_t *render_policy(const cl_policy *p)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:b}", "policy_id", p->id, "name", p->name,
                          "definition", p->definition, "created_at_timestamp",
                          (json_int_t)p->created_at, "is_default", 0);
    lh_json_set_str(o, "description", p->description);
    lh_json_set_str(o, "creator_user_name", p->creator);
    if (p->max_clusters_per_user > 0)
        lh_json_set_int(o, "max_clusters_per_user", p->max_clusters_per_user);
    return o;
}

lh_err cl_h_policy_get(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    const char *id = NULL;
    LH_TRY(lh_json_get_str(req->params, "policy_id", LH_REQUIRED, &id, eb));
    LH_TRY(cl_require(req, "cluster-policies", id, "CAN_USE", eb));
    pthread_rwlock_rdlock(&c->lock);
    cl_policy *p = NULL;
    lh_err e = find_policy(c, req->params, &p, eb);
    if (e == LH_OK)
        req->out = render_policy(p);
    pthread_rwlock_unlock(&c->lock);
    return e;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "name")),
                  json_string_value(json_object_get(*(json_t *const *)b, "name")));
}

lh_err cl_h_policy_list(lh_req_t *req, lh_errbuf *eb)
{
    lh_clusters_t *c = cl_of(req);
    const char *col = "POLICY_CREATION_TIME", *order = "DESC";
    LH_TRY(lh_json_get_str(req->params, "sort_column", LH_OPTIONAL, &col, eb));
    LH_TRY(lh_json_get_str(req->params, "sort_order", LH_OPTIONAL, &order, eb));
    lh_perm_visible_t usable;
    LH_TRY(lh_perm_visible(req->ctx, req->principal, "cluster-policies", "CAN_USE", req->arena,
                           &usable, eb));
    json_t *arr = json_array(); /* c->policies is newest first */
    pthread_rwlock_rdlock(&c->lock);
    for (cl_policy *p = c->policies; p != NULL; p = p->next)
        if (lh_perm_visible_has(&usable, p->id))
            json_array_append_new(arr, render_policy(p));
    pthread_rwlock_unlock(&c->lock);
    size_t n = json_array_size(arr);
    json_t **items = malloc(sizeof *items * (n + 1));
    if (items == NULL) {
        json_decref(arr);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(arr, i));
    if (strcmp(col, "POLICY_NAME") == 0)
        qsort(items, n, sizeof *items, by_name);
    bool reverse =
        strcmp(col, "POLICY_NAME") == 0 ? strcmp(order, "DESC") == 0 : strcmp(order, "ASC") == 0;
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, items[reverse ? n - 1 - i : i]);
    free(items);
    req->out = json_pack("{s:o}", "policies", arr);
    return LH_OK;
}

lh_err cl_h_policy_families(lh_req_t *req, lh_errbuf *eb)
{
    (void)eb;
    req->out = json_pack("{s:[]}", "policy_families");
    return LH_OK;
}
