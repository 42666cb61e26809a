/*
 * identity.h - users, groups, personal access tokens (api/identity).
 *
 * Tokens are "dapi" + 32 hex chars; only their SHA-256 is stored. Authentication checks a
 * token on every /api/ request, so the area keeps an in-memory cache of hash -> principal
 * (bounded, invalidated on token delete, user delete and admin-group changes).
 * The bootstrap admin is user "admin" in group "admins".
 *
 * Thread-safe: all functions may be called from HTTP threads concurrently.
 */
#ifndef LH_API_IDENTITY_H
#define LH_API_IDENTITY_H

#include "api/api.h"
#include "api/area.h"

typedef struct lh_identity lh_identity_t;

/* The area's descriptor (server/areas.c): create = lh_identity_create (and publishes
 * ctx->identity), routes = lh_identity_routes, destroy = lh_identity_destroy. server/ runs
 * lh_identity_bootstrap between the areas' create and recover steps. */
extern const lh_area_t lh_identity_area;

lh_err lh_identity_create(lh_ctx_t *ctx, lh_identity_t **out, lh_errbuf *eb);
void lh_identity_destroy(lh_identity_t *id);

/* Ensure the bootstrap admin exists and holds a usable token:
 *   - env_token non-NULL (LAKEHOUSE_ADMIN_TOKEN): that token is registered for admin;
 *   - else token_file exists: its token is used (re-registered if missing);
 *   - else a new token is generated and written to token_file with mode 0600.
 * The token in effect is copied to out (>= 64 bytes). */
lh_err lh_identity_bootstrap(lh_identity_t *id, const char *env_token, const char *token_file,
                             char *out, size_t out_size, lh_errbuf *eb);

/* Resolve a bearer token. LH_E_UNAUTHENTICATED if unknown, expired or the user is inactive.
 * out->user_name is copied into arena. */
lh_err lh_identity_authenticate(lh_identity_t *id, const char *token, lh_arena_t *arena,
                                lh_principal_t *out, lh_errbuf *eb);

/* Mint a token for user user_name (its userName) that expires after lifetime_s seconds
 * (<= 0 or above the maximum: the maximum): the jobs engine's DATABRICKS_TOKEN of a task.
 * token gets its value (token_size >= 37), token_id its id (for lh_identity_revoke_token).
 * LH_E_NOT_FOUND when no such user. The value is never logged. */
lh_err lh_identity_mint_token(lh_identity_t *id, const char *user_name, int64_t lifetime_s,
                              const char *comment, char *token, size_t token_size,
                              char token_id[65], lh_errbuf *eb);
/* Delete the token token_id (any owner) and clear the auth cache. LH_E_NOT_FOUND when gone. */
lh_err lh_identity_revoke_token(lh_identity_t *id, const char *token_id, lh_errbuf *eb);

/* Delete every token whose comment starts with prefix (non-empty): the jobs engine's
 * tokens left by a crash ("lakehouse-jobs: run ..."), at its recovery. */
lh_err lh_identity_revoke_tokens_by_comment(lh_identity_t *id, const char *prefix, lh_errbuf *eb);

/* The area's routes (tokens, token-management, SCIM Users/Groups/Me). */
const lh_route_t *lh_identity_routes(int *count);

#endif
