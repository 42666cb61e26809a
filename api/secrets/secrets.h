/*
 * secrets.h - secret scopes, secrets and their ACLs (api/secrets), and the one interface
 * later areas (notebooks, pipelines, webhooks) use to read a secret's value.
 *
 * Model (as Databricks' Databricks-backed scopes):
 *   - a scope has a unique name and ACL rows principal -> READ | WRITE | MANAGE, where
 *     MANAGE includes WRITE includes READ; a principal is a user name or a group name
 *     (`users` = every user; nested groups count). Workspace admins, and the system
 *     (who == NULL), always hold MANAGE. The creator gets MANAGE, or
 *     initial_manage_principal does.
 *   - reading a value or listing keys needs READ, put/delete WRITE, ACL calls and scope
 *     delete MANAGE; scope names are readable by every user.
 *   - values are sealed with AES-256-GCM (crypto.h) under the workspace key, with
 *     "scope\0key" as associated data, and stored in meta.db; they never appear in logs
 *     or error messages.
 *
 * Thread-safe: every function may be called from any thread.
 */
#ifndef LH_API_SECRETS_H
#define LH_API_SECRETS_H

#include <stddef.h>

#include "api/api.h"

typedef struct lh_secrets lh_secrets_t;

/* Start the area. The key comes from LAKEHOUSE_SECRETS_KEY when set (a malformed value is
 * LH_E_INVALID naming the variable: start-up must fail), else from DATA_DIR/secrets.key
 * (loaded now if it exists; created mode 0600 on the first put otherwise). When stored
 * secrets exist and the key does not open them, a warning is logged and start continues:
 * reads then fail with LH_E_CORRUPT. */
lh_err lh_secrets_create(lh_ctx_t *ctx, lh_secrets_t **out, lh_errbuf *eb);
void lh_secrets_destroy(lh_secrets_t *s);

/* The area descriptor (api/area.h): create publishes ctx->secrets, destroy clears it. */
extern const struct lh_area lh_secrets_area;

/* The area's routes: /api/2.0/secrets/{scopes/create|scopes/delete|scopes/list|put|delete|
 * list|get|acls/put|acls/delete|acls/get|acls/list}. */
const lh_route_t *lh_secrets_routes(int *count);

/* Read the value of scope/key as `who` (NULL = the system, e.g. a job run's own
 * machinery acting for an already-authorized principal). On success *value points to
 * *bytes bytes in arena (NUL-terminated for convenience, the NUL not counted), wiped when
 * the arena is destroyed. Errors: LH_E_NOT_FOUND (no such scope, or no such key when the
 * caller may read the scope), LH_E_PERMISSION (who lacks READ), LH_E_CORRUPT (the key in
 * effect does not open the value), LH_E_INVALID (malformed names). Never logs the value. */
lh_err lh_secrets_read(lh_ctx_t *ctx, const lh_principal_t *who, const char *scope, const char *key,
                       lh_arena_t *arena, const void **value, size_t *bytes, lh_errbuf *eb);

#endif
