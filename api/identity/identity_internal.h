/*
 * identity_internal.h - what the files of api/identity share; not for other areas.
 *
 *   identity.c     lh_identity_t, bootstrap, authenticate + its cache, id and token helpers
 *   tokens.c       token and token-management APIs
 *   scim_filter.c  the SCIM filter parser/evaluator (scim_filter.h)
 *   scim_json.c    SCIM rendering: list responses, attribute selection, entitlements
 *   scim_users.c   Users + Me
 *   scim_groups.c  Groups, membership PATCH
 *   routes.c       the route table
 *
 * Ids: users and groups draw ids from one random 16-digit space (as Databricks' look), so
 * a member id names exactly one user or group.
 *
 * Cache: a direct-mapped table of hash -> principal, CACHE_SLOTS entries. Any identity
 * mutation other than token creation clears it (lh_identity_invalidate) and bumps a
 * generation, so a lookup that raced with a mutation does not re-insert stale data.
 */
#ifndef LH_API_IDENTITY_INTERNAL_H
#define LH_API_IDENTITY_INTERNAL_H

#include <pthread.h>

#include "api/identity/identity.h"
#include "common/hashmap.h"
#include "common/limits.h"
#include "storage/meta/meta.h"

/* "dapi" + 32 hex. */
#define LH_TOKEN_PREFIX    "dapi"
#define LH_TOKEN_HEX_CHARS 32
#define LH_TOKEN_CHARS     36
#define LH_ADMINS_GROUP    "admins"
#define LH_USERS_GROUP     "users" /* built in (migration 3); every principal, implicitly */
#define LH_ADMIN_USER      "admin"

typedef struct lh_auth_slot {
    int64_t user_id;
    char *user_name; /* cached entries: malloc'ed, owned by the entry */
    bool is_admin;
    bool is_service_principal;
    int64_t expiry_ms; /* -1 = never */
} lh_auth_slot;

struct lh_identity {
    lh_ctx_t *ctx;
    lh_meta_t *meta;
    pthread_mutex_t lock; /* guards generation, cache, evict_at; taken alone, never with meta's */
    uint64_t generation;
    lh_hashmap_t *cache; /* token hash (hex, owned) -> lh_auth_slot * (owned) */
    size_t evict_at;     /* iteration cursor: where the next eviction looks */
};

/* Clear the auth cache (after token delete, user change/delete, group change). */
void lh_identity_invalidate(lh_identity_t *id);
/* Entries in the auth cache (for tests; at most LH_IDENTITY_CACHE_MAX). */
size_t lh_identity_cache_count(lh_identity_t *id);

/* A fresh token "dapi"+32 hex into out (>= LH_TOKEN_CHARS + 1). */
void lh_token_generate(char *out);
/* True when s is "dapi" + 32 lowercase hex. */
bool lh_token_is_well_formed(const char *s);
/* SHA-256 hex of a token's text. */
lh_err lh_token_hash(const char *token, char out[65], lh_errbuf *eb);
/* A new random user/group id (16 decimal digits). */
int64_t lh_identity_new_id(void);
/* Parse a SCIM id path segment; false when it is not a positive decimal integer. */
bool lh_identity_parse_id(const char *s, int64_t *out);

/* Inside a meta callback: the admins group id, created when missing. */
lh_err lh_identity_admins_group(lh_meta_t *m, int64_t *out, lh_errbuf *eb);
/* Inside a meta callback: fail (400) unless at least one active user is in admins. */
lh_err lh_identity_check_admin_left(lh_meta_t *m, lh_errbuf *eb);

/* The area's handlers (routes.c lists them). */
lh_err lh_tokens_create_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_tokens_list_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_tokens_delete_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_token_mgmt_list_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_token_mgmt_get_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_token_mgmt_delete_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_token_mgmt_obo_handler(lh_req_t *req, lh_errbuf *eb);

lh_err lh_scim_me_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_users_create_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_users_list_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_users_get_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_users_put_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_users_patch_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_users_delete_handler(lh_req_t *req, lh_errbuf *eb);

lh_err lh_scim_sps_create_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_sps_list_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_sps_get_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_sps_put_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_sps_patch_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_sps_delete_handler(lh_req_t *req, lh_errbuf *eb);

/* Shared by Users and ServicePrincipals (scim_users.c), inside a meta callback: */
/* Append the principal's direct groups ({value, display, $ref, type}) to out. */
lh_err lh_scim_principal_groups(lh_meta_t *m, int64_t id, json_t *out, lh_errbuf *eb);
/* Add (add) or remove the principal from one group (404 for an unknown group). */
lh_err lh_scim_set_membership(lh_meta_t *m, int64_t id, int64_t group_id, bool add, lh_errbuf *eb);
/* Make the principal's direct groups exactly group_ids. */
lh_err lh_scim_replace_groups(lh_meta_t *m, int64_t id, const int64_t *group_ids, size_t n,
                              lh_errbuf *eb);

lh_err lh_scim_groups_create_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_groups_list_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_groups_get_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_groups_put_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_groups_patch_handler(lh_req_t *req, lh_errbuf *eb);
lh_err lh_scim_groups_delete_handler(lh_req_t *req, lh_errbuf *eb);

#endif
