/*
 * store.c - the secrets area in the metastore: scopes, sealed values and ACLs, each
 * operation one transaction that first checks the caller's level on the scope.
 *
 * A caller's level on a scope is the highest of the ACL rows naming them: their user name,
 * `users` (every user), or any group they belong to directly or through nested groups
 * (a recursive query over group_members, as api/identity stores it; UNION stops cycles).
 * Admins and the system (who == NULL) hold MANAGE. Names compare case-insensitively, as
 * user and group names do.
 *
 * Order of checks, as Databricks: a missing scope is 404 (scope names are not secret),
 * then permission (403), then a missing key or ACL row (404), so a caller without READ
 * learns nothing about the keys in a scope.
 */
#include <string.h>

#include "api/secrets/secrets_internal.h"
#include "common/limits.h"
#include "common/util.h"

typedef struct op {
    const lh_principal_t *who;
    const char *scope, *key, *principal, *text;
    sc_level level;
    int64_t scope_id;
    json_t *out;
    lh_arena_t *arena;
    const char *result;
} op;

static const char LEVEL_SQL[] =
    "WITH RECURSIVE g(id) AS ("
    "  SELECT group_id FROM group_members WHERE member_kind = 'user' AND member_id = ?2"
    "  UNION"
    "  SELECT gm.group_id FROM group_members gm JOIN g"
    "    ON gm.member_kind = 'group' AND gm.member_id = g.id)"
    "SELECT COALESCE(MAX(permission), 0) FROM secret_acls WHERE scope_id = ?1 AND ("
    "  principal = ?3 OR principal = 'users'"
    "  OR principal IN (SELECT display_name FROM groups WHERE id IN g))";

static lh_err level_of(lh_meta_t *m, const lh_principal_t *who, int64_t scope_id, sc_level *out,
                       lh_errbuf *eb)
{
    if (who == NULL || who->is_admin) {
        *out = SC_MANAGE;
        return LH_OK;
    }
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, LEVEL_SQL, &st, eb));
    lh_stmt_bind_int(st, 1, scope_id);
    lh_stmt_bind_int(st, 2, who->user_id);
    lh_stmt_bind_text(st, 3, who->user_name);
    LH_TRY(lh_stmt_step(st, &row, eb));
    *out = row ? (sc_level)lh_stmt_int(st, 0) : SC_NONE;
    return LH_OK;
}

static lh_err find_scope(lh_meta_t *m, const char *scope, int64_t *id, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT id FROM secret_scopes WHERE name = ?", &st, eb));
    lh_stmt_bind_text(st, 1, scope);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Scope %s does not exist!", scope);
    *id = lh_stmt_int(st, 0);
    return LH_OK;
}

/* The scope exists and o->who holds at least need on it (sets o->scope_id). */
static lh_err require(lh_meta_t *m, op *o, sc_level need, lh_errbuf *eb)
{
    LH_TRY(find_scope(m, o->scope, &o->scope_id, eb));
    sc_level have;
    LH_TRY(level_of(m, o->who, o->scope_id, &have, eb));
    if (have >= need)
        return LH_OK;
    if (have == SC_NONE)
        LH_FAIL(LH_E_PERMISSION, eb, "User %s does not have %s permission on secret scope %s",
                o->who->user_name, sc_level_name(need), o->scope);
    LH_FAIL(LH_E_PERMISSION, eb,
            "User %s does not have %s permission on secret scope %s (it has %s)", o->who->user_name,
            sc_level_name(need), o->scope, sc_level_name(have));
}

/* An existing user or group name, or `users`. */
static lh_err check_principal(lh_meta_t *m, const char *principal, lh_errbuf *eb)
{
    LH_FAIL_IF(*principal == '\0' || strlen(principal) > LH_NAME_MAX, LH_E_INVALID, eb,
               "principal must be 1 to %d characters", LH_NAME_MAX);
    if (strcasecmp(principal, "users") == 0)
        return LH_OK;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT 1 FROM users WHERE user_name = ?1 "
                        "UNION ALL SELECT 1 FROM groups WHERE display_name = ?1",
                        &st, eb));
    lh_stmt_bind_text(st, 1, principal);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_INVALID, eb,
               "Principal %s is not a user or group of this workspace (nor `users`)", principal);
    return LH_OK;
}

static lh_err upsert_acl(lh_meta_t *m, int64_t scope_id, const char *principal, sc_level level,
                         lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO secret_acls(scope_id, principal, permission) VALUES (?, ?, ?) "
                        "ON CONFLICT(scope_id, principal) DO UPDATE SET "
                        "permission = excluded.permission",
                        &st, eb));
    lh_stmt_bind_int(st, 1, scope_id);
    lh_stmt_bind_text(st, 2, principal);
    lh_stmt_bind_int(st, 3, level);
    return lh_stmt_run(st, eb);
}

static lh_err count_rows(lh_meta_t *m, const char *sql, int64_t id, int64_t *n, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, sql, &st, eb));
    if (id != 0)
        lh_stmt_bind_int(st, 1, id);
    LH_TRY(lh_stmt_step(st, &row, eb));
    *n = row ? lh_stmt_int(st, 0) : 0;
    return LH_OK;
}

/* ---- scopes ---- */

static lh_err scope_create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    const char *owner = o->principal ? o->principal : o->who ? o->who->user_name : NULL;
    LH_FAIL_IF(owner == NULL, LH_E_INVALID, eb,
               "initial_manage_principal is required when the system creates a scope");
    LH_TRY(check_principal(m, owner, eb));
    int64_t n;
    LH_TRY(count_rows(m, "SELECT COUNT(*) FROM secret_scopes", 0, &n, eb));
    if (n >= LH_SECRET_SCOPES_MAX)
        return lh_err_set_code(eb, LH_E_INVALID, "RESOURCE_LIMIT_EXCEEDED", __FILE__, __LINE__,
                               "This workspace already has the maximum of %d secret scopes",
                               LH_SECRET_SCOPES_MAX);
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO secret_scopes(name, creator_user_name, created_at) "
                        "VALUES (?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, o->scope);
    lh_stmt_bind_text(st, 2, o->who ? o->who->user_name : NULL);
    lh_stmt_bind_int(st, 3, lh_now_ms());
    lh_err e = lh_stmt_run(st, eb);
    LH_FAIL_IF(e == LH_E_EXISTS, LH_E_EXISTS, eb, "Scope %s already exists!", o->scope);
    LH_TRY(e);
    return upsert_acl(m, lh_meta_last_insert_id(m), owner, SC_MANAGE, eb);
}

lh_err sc_scope_create(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                       const char *manage_principal, lh_errbuf *eb)
{
    LH_TRY(sc_check_scope_name(scope, eb));
    op o = {.who = who, .scope = scope, .principal = manage_principal};
    return lh_meta_tx(s->meta, scope_create_tx, &o, eb);
}

static lh_err scope_delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    LH_TRY(require(m, o, SC_MANAGE, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM secret_scopes WHERE id = ?", &st, eb));
    lh_stmt_bind_int(st, 1, o->scope_id);
    return lh_stmt_run(st, eb); /* secrets and ACLs go by ON DELETE CASCADE */
}

lh_err sc_scope_delete(lh_secrets_t *s, const lh_principal_t *who, const char *scope, lh_errbuf *eb)
{
    LH_TRY(sc_check_scope_name(scope, eb));
    op o = {.who = who, .scope = scope};
    return lh_meta_tx(s->meta, scope_delete_tx, &o, eb);
}

static lh_err scope_list_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT name, backend_type FROM secret_scopes ORDER BY name", &st, eb));
    json_t *list = json_object_get(o->out, "scopes");
    for (;;) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_array_append_new(list, json_pack("{s:s, s:s}", "name", lh_stmt_text(st, 0),
                                              "backend_type", lh_stmt_text(st, 1)));
    }
}

lh_err sc_scope_list(lh_secrets_t *s, json_t **out, lh_errbuf *eb)
{
    op o = {.out = json_pack("{s:[]}", "scopes")};
    lh_err e = lh_meta_read(s->meta, scope_list_read, &o, eb);
    if (e != LH_OK) {
        json_decref(o.out);
        return e;
    }
    *out = o.out;
    return LH_OK;
}

/* ---- secrets ---- */

static lh_err require_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    return require(m, o, o->level, eb);
}

lh_err sc_require(lh_secrets_t *s, const lh_principal_t *who, const char *scope, sc_level level,
                  lh_errbuf *eb)
{
    op o = {.who = who, .scope = scope, .level = level};
    return lh_meta_read(s->meta, require_read, &o, eb);
}

static lh_err put_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    LH_TRY(require(m, o, SC_WRITE, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM secrets WHERE scope_id = ? AND key = ?", &st, eb));
    lh_stmt_bind_int(st, 1, o->scope_id);
    lh_stmt_bind_text(st, 2, o->key);
    LH_TRY(lh_stmt_step(st, &row, eb));
    int64_t n = 0;
    if (!row)
        LH_TRY(
            count_rows(m, "SELECT COUNT(*) FROM secrets WHERE scope_id = ?", o->scope_id, &n, eb));
    if (n >= LH_SECRETS_PER_SCOPE_MAX)
        return lh_err_set_code(eb, LH_E_INVALID, "RESOURCE_LIMIT_EXCEEDED", __FILE__, __LINE__,
                               "Scope %s already holds the maximum of %d secrets", o->scope,
                               LH_SECRETS_PER_SCOPE_MAX);
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO secrets(scope_id, key, sealed, last_updated_timestamp) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT(scope_id, key) DO UPDATE SET "
                        "sealed = excluded.sealed, "
                        "last_updated_timestamp = excluded.last_updated_timestamp",
                        &st, eb));
    lh_stmt_bind_int(st, 1, o->scope_id);
    lh_stmt_bind_text(st, 2, o->key);
    lh_stmt_bind_text(st, 3, o->text);
    lh_stmt_bind_int(st, 4, lh_now_ms());
    return lh_stmt_run(st, eb);
}

lh_err sc_secret_put(lh_secrets_t *s, const lh_principal_t *who, const char *scope, const char *key,
                     const char *sealed_b64, lh_errbuf *eb)
{
    op o = {.who = who, .scope = scope, .key = key, .text = sealed_b64};
    return lh_meta_tx(s->meta, put_tx, &o, eb);
}

static lh_err delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    LH_TRY(require(m, o, SC_WRITE, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM secrets WHERE scope_id = ? AND key = ?", &st, eb));
    lh_stmt_bind_int(st, 1, o->scope_id);
    lh_stmt_bind_text(st, 2, o->key);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb,
               "Secret does not exist with scope: %s and key: %s", o->scope, o->key);
    return LH_OK;
}

lh_err sc_secret_delete(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                        const char *key, lh_errbuf *eb)
{
    LH_TRY(sc_check_scope_name(scope, eb));
    LH_TRY(sc_check_key_name(key, eb));
    op o = {.who = who, .scope = scope, .key = key};
    return lh_meta_tx(s->meta, delete_tx, &o, eb);
}

static lh_err list_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    LH_TRY(require(m, o, SC_READ, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT key, last_updated_timestamp FROM secrets WHERE scope_id = ? "
                        "ORDER BY key",
                        &st, eb));
    lh_stmt_bind_int(st, 1, o->scope_id);
    json_t *list = json_object_get(o->out, "secrets");
    for (;;) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_array_append_new(list,
                              json_pack("{s:s, s:I}", "key", lh_stmt_text(st, 0),
                                        "last_updated_timestamp", (json_int_t)lh_stmt_int(st, 1)));
    }
}

static lh_err run_json(lh_secrets_t *s, lh_meta_fn fn, op *o, json_t **out, lh_errbuf *eb)
{
    lh_err e = lh_meta_read(s->meta, fn, o, eb);
    if (e != LH_OK) {
        json_decref(o->out);
        return e;
    }
    *out = o->out;
    return LH_OK;
}

lh_err sc_secret_list(lh_secrets_t *s, const lh_principal_t *who, const char *scope, json_t **out,
                      lh_errbuf *eb)
{
    LH_TRY(sc_check_scope_name(scope, eb));
    op o = {.who = who, .scope = scope, .out = json_pack("{s:[]}", "secrets")};
    return run_json(s, list_read, &o, out, eb);
}

static lh_err sealed_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    LH_TRY(require(m, o, SC_READ, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT sealed FROM secrets WHERE scope_id = ? AND key = ?", &st, eb));
    lh_stmt_bind_int(st, 1, o->scope_id);
    lh_stmt_bind_text(st, 2, o->key);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Secret does not exist with scope: %s and key: %s",
               o->scope, o->key);
    o->result = lh_arena_strdup(o->arena, lh_stmt_text(st, 0));
    return LH_OK;
}

lh_err sc_secret_sealed(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                        const char *key, lh_arena_t *arena, const char **sealed_b64, lh_errbuf *eb)
{
    LH_TRY(sc_check_scope_name(scope, eb));
    LH_TRY(sc_check_key_name(key, eb));
    op o = {.who = who, .scope = scope, .key = key, .arena = arena};
    LH_TRY(lh_meta_read(s->meta, sealed_read, &o, eb));
    *sealed_b64 = o.result;
    return LH_OK;
}

lh_err sc_any_sealed(lh_meta_t *m, const char **scope, const char **key, const char **sealed,
                     bool *found, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT sc.name, s.key, s.sealed FROM secrets s "
                        "JOIN secret_scopes sc ON sc.id = s.scope_id LIMIT 1",
                        &st, eb));
    LH_TRY(lh_stmt_step(st, found, eb));
    if (*found) {
        *scope = lh_stmt_text(st, 0);
        *key = lh_stmt_text(st, 1);
        *sealed = lh_stmt_text(st, 2);
    }
    return LH_OK;
}

/* ---- ACLs ---- */

static lh_err acl_put_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    LH_TRY(require(m, o, SC_MANAGE, eb));
    LH_TRY(check_principal(m, o->principal, eb));
    return upsert_acl(m, o->scope_id, o->principal, o->level, eb);
}

lh_err sc_acl_put(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                  const char *principal, sc_level level, lh_errbuf *eb)
{
    LH_TRY(sc_check_scope_name(scope, eb));
    op o = {.who = who, .scope = scope, .principal = principal, .level = level};
    return lh_meta_tx(s->meta, acl_put_tx, &o, eb);
}

static lh_err acl_delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    LH_TRY(require(m, o, SC_MANAGE, eb));
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m, "DELETE FROM secret_acls WHERE scope_id = ? AND principal = ?", &st, eb));
    lh_stmt_bind_int(st, 1, o->scope_id);
    lh_stmt_bind_text(st, 2, o->principal);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb,
               "No ACL for principal %s on secret scope %s", o->principal, o->scope);
    return LH_OK;
}

lh_err sc_acl_delete(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                     const char *principal, lh_errbuf *eb)
{
    LH_TRY(sc_check_scope_name(scope, eb));
    op o = {.who = who, .scope = scope, .principal = principal};
    return lh_meta_tx(s->meta, acl_delete_tx, &o, eb);
}

static json_t *acl_item(lh_stmt_t *st)
{
    return json_pack("{s:s, s:s}", "principal", lh_stmt_text(st, 0), "permission",
                     sc_level_name((sc_level)lh_stmt_int(st, 1)));
}

static lh_err acl_get_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    LH_TRY(require(m, o, SC_MANAGE, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT principal, permission FROM secret_acls "
                        "WHERE scope_id = ? AND principal = ?",
                        &st, eb));
    lh_stmt_bind_int(st, 1, o->scope_id);
    lh_stmt_bind_text(st, 2, o->principal);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "No ACL for principal %s on secret scope %s", o->principal,
               o->scope);
    o->out = acl_item(st);
    return LH_OK;
}

lh_err sc_acl_get(lh_secrets_t *s, const lh_principal_t *who, const char *scope,
                  const char *principal, json_t **out, lh_errbuf *eb)
{
    LH_TRY(sc_check_scope_name(scope, eb));
    op o = {.who = who, .scope = scope, .principal = principal};
    return run_json(s, acl_get_read, &o, out, eb);
}

static lh_err acl_list_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    op *o = arg;
    LH_TRY(require(m, o, SC_MANAGE, eb));
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT principal, permission FROM secret_acls WHERE scope_id = ? "
                        "ORDER BY principal",
                        &st, eb));
    lh_stmt_bind_int(st, 1, o->scope_id);
    json_t *list = json_object_get(o->out, "items");
    for (;;) {
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_array_append_new(list, acl_item(st));
    }
}

lh_err sc_acl_list(lh_secrets_t *s, const lh_principal_t *who, const char *scope, json_t **out,
                   lh_errbuf *eb)
{
    LH_TRY(sc_check_scope_name(scope, eb));
    op o = {.who = who, .scope = scope, .out = json_pack("{s:[]}", "items")};
    return run_json(s, acl_list_read, &o, out, eb);
}
