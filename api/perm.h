/*
 * perm.h - object permissions and entitlements: the one place every area asks "may this
 * principal do that?" (Databricks' model).
 *
 * Object permissions: an ACL per (object type, object id). Each type has its levels in
 * ascending power (clusters: CAN_ATTACH_TO < CAN_RESTART < CAN_MANAGE); holding a level
 * implies every lower one. A principal's level on an object is the highest of:
 *   - admins (members of `admins`, directly or through nested groups): the type's top level;
 *   - the owner (the creator, unless changed): the type's owner level (CAN_MANAGE, or
 *     IS_OWNER for types that have it);
 *   - direct grants to the user / service principal;
 *   - grants to any group the principal is in, directly or nested, and to the built-in
 *     `users` group, which holds every user and service principal implicitly.
 * Types are rows of one table (perm.c); a type whose area is not built yet is listed with
 * its area name so the REST routes answer 501 for it.
 *
 * Entitlements (workspace-access, databricks-sql-access, allow-cluster-create,
 * allow-instance-pool-create): the union over the principal and all its groups (the
 * `users` group included, which holds workspace-access and databricks-sql-access by
 * default); admins hold all of them. Enforced today: allow-cluster-create (clusters) and
 * allow-instance-pool-create (pools). workspace-access is to gate the workspace routes
 * (notebooks, files) and databricks-sql-access the SQL routes when those areas land; until
 * then they are recorded and shown through SCIM only.
 *
 * Speed: a check costs one indexed SQLite read of the object's ACL rows. The principal's
 * group closure and entitlements are cached per principal id (direct-mapped slots) and
 * dropped on every identity change (lh_perm_invalidate, called by api/identity).
 *
 * Thread-safe: every function may be called from any thread, including with an area's own
 * lock held (perm takes only the metastore's mutex and its cache mutex, a leaf).
 */
#ifndef LH_API_PERM_H
#define LH_API_PERM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/api.h"

typedef struct lh_perm lh_perm_t;

/* Entitlement names as SCIM spells them. */
#define LH_ENT_WORKSPACE     "workspace-access"
#define LH_ENT_SQL           "databricks-sql-access"
#define LH_ENT_CLUSTER       "allow-cluster-create"
#define LH_ENT_INSTANCE_POOL "allow-instance-pool-create"

#define LH_PERM_LEVELS_MAX 6

/* One object type (one row of the table in perm.c). */
typedef struct lh_perm_type {
    const char *path;                       /* in /api/2.0/permissions/{path}/{id}: "clusters" */
    const char *object_type;                /* as GET answers it: "cluster" */
    const char *levels[LH_PERM_LEVELS_MAX]; /* ascending power, NULL-terminated */
    const char *descriptions[LH_PERM_LEVELS_MAX]; /* for /permissionLevels */
    const char *owner_level; /* the creator's level, or NULL (the type has no owner) */
    const char *area;        /* NULL when built; else the area answering 501 */
} lh_perm_type_t;

/* The type named by a REST path segment, or NULL. */
const lh_perm_type_t *lh_perm_type_find(const char *path);
/* 1-based rank of level within t (0 = not a level of t). */
int lh_perm_level_rank(const lh_perm_type_t *t, const char *level);

lh_err lh_perm_create(lh_ctx_t *ctx, lh_perm_t **out, lh_errbuf *eb);
void lh_perm_destroy(lh_perm_t *perm);
/* Drop cached group closures (after any user, group or membership change). NULL-safe. */
void lh_perm_invalidate(lh_perm_t *perm);

/* Does object `id` of type `path` exist? Areas register one per built type at start; the
 * REST routes answer 404 for unknown ids. fn runs on HTTP threads and must be thread-safe. */
typedef bool (*lh_perm_exists_fn)(void *arg, const char *object_id);
void lh_perm_register(lh_perm_t *perm, const char *path, lh_perm_exists_fn fn, void *arg);
bool lh_perm_object_exists(lh_perm_t *perm, const char *path, const char *object_id);

/* Inheritance (Databricks' folders): a type whose objects sit in a tree registers a parent
 * function; an object then inherits every grant and the ownership of its ancestors, level
 * names matched across types (a directory's CAN_EDIT is CAN_EDIT on a notebook in it). A
 * principal's level is the highest over the object and its ancestors, and the ACL answer
 * lists an ancestor's entries as inherited from "/<type>/<id>". fn runs inside a metastore
 * read on that callback's connection m (it may query with lh_meta_stmt, nothing else) and
 * sets *parent_path (a type path) and parent_id (NUL-terminated, < LH_PERM_ID_MAX bytes), or
 * *has_parent false at the top. Chains longer than LH_PERM_INHERIT_MAX stop there. */
#define LH_PERM_ID_MAX      64
#define LH_PERM_INHERIT_MAX 256
typedef lh_err (*lh_perm_parent_fn)(struct lh_meta *m, void *arg, const char *object_id,
                                    const char **parent_path, char *parent_id, bool *has_parent,
                                    lh_errbuf *eb);
void lh_perm_register_parent(lh_perm_t *perm, const char *path, lh_perm_parent_fn fn, void *arg);
/* The registered parent of (path, object_id), inside a read on m (for perm_acl.c). */
lh_err lh_perm_parent_of(lh_perm_t *perm, struct lh_meta *m, const char *path,
                         const char *object_id, const char **parent_path, char *parent_id,
                         bool *has_parent, lh_errbuf *eb);

/* The caller's level on an object as a rank (0 = none). Admins get the top rank. */
lh_err lh_perm_rank_of(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                       const char *object_id, int *rank, lh_errbuf *eb);
/* LH_OK when p holds at least min_level on the object; else LH_E_PERMISSION naming the
 * level and the object ("... requires CAN_MANAGE on cluster 0101-..."). */
lh_err lh_perm_require(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                       const char *object_id, const char *min_level, lh_errbuf *eb);

/* The ids of `path` objects on which p holds at least min_level, for filtering lists.
 * *all is set for admins (ids then NULL). ids are sorted, arena-owned. */
typedef struct lh_perm_visible {
    bool all;
    const char **ids;
    size_t count;
} lh_perm_visible_t;
lh_err lh_perm_visible(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                       const char *min_level, lh_arena_t *arena, lh_perm_visible_t *out,
                       lh_errbuf *eb);
bool lh_perm_visible_has(const lh_perm_visible_t *v, const char *object_id);

/* Record p as the owner of a new object (no-op when the type has no owner or p is NULL). */
lh_err lh_perm_on_create(lh_ctx_t *ctx, const lh_principal_t *p, const char *path,
                         const char *object_id, lh_errbuf *eb);
/* Make user/service principal `owner_id` the owner (clusters/change-owner, jobs). */
lh_err lh_perm_set_owner(lh_ctx_t *ctx, const char *path, const char *object_id, int64_t owner_id,
                         lh_errbuf *eb);
/* Forget an object's ACL and owner (on permanent delete). */
lh_err lh_perm_on_delete(lh_ctx_t *ctx, const char *path, const char *object_id, lh_errbuf *eb);

/* Entitlements. */
bool lh_perm_has_entitlement(lh_ctx_t *ctx, const lh_principal_t *p, const char *name);
/* LH_E_PERMISSION naming the entitlement when p lacks it. */
lh_err lh_perm_require_entitlement(lh_ctx_t *ctx, const lh_principal_t *p, const char *name,
                                   lh_errbuf *eb);
/* Is p an admin, counting nested membership of `admins`? */
bool lh_perm_is_admin(lh_ctx_t *ctx, const lh_principal_t *p);

/* ---- the ACL request and answer (the REST routes and the fuzz target use these) ---- */

typedef enum { LH_ACE_USER, LH_ACE_GROUP, LH_ACE_SERVICE_PRINCIPAL } lh_ace_kind;

typedef struct lh_perm_ace {
    lh_ace_kind kind;
    const char *name;  /* user_name, group_name or service_principal_name */
    const char *level; /* a level of the type */
} lh_perm_ace_t;

/* Validate body.access_control_list for type t: a list (absent = empty) of at most
 * LH_PERM_ACL_MAX objects, each with exactly one of user_name / group_name /
 * service_principal_name (non-empty strings up to LH_NAME_MAX) and a permission_level of
 * t. Pure: no metastore. Entries point into body (borrowed); the array is arena-owned.
 * LH_E_INVALID naming the entry and field on any violation. */
lh_err lh_perm_parse_acl(const lh_perm_type_t *t, const json_t *body, lh_arena_t *arena,
                         lh_perm_ace_t **out, size_t *count, lh_errbuf *eb);

/* Apply a parsed request: replace (PUT) or add to (PATCH) the direct grants. Names are
 * resolved (LH_E_INVALID when a principal does not exist). */
lh_err lh_perm_apply(lh_ctx_t *ctx, const lh_perm_type_t *t, const char *object_id,
                     const lh_perm_ace_t *aces, size_t count, bool replace, lh_errbuf *eb);
/* The ObjectPermissions answer: object_id "/{path}/{id}", object_type, access_control_list
 * with all_permissions[{permission_level, inherited, inherited_from_object}]. */
lh_err lh_perm_render(lh_ctx_t *ctx, const lh_perm_type_t *t, const char *object_id, json_t **out,
                      lh_errbuf *eb);

#endif
