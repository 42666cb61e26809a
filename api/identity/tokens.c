/*
 * tokens.c - personal access tokens: token/create|list|delete for the caller's own tokens,
 * token-management/tokens for admins (any user's tokens).
 *
 * A token is "dapi" + 32 hex from the CSPRNG; it is shown once, in the create answer, and
 * only its SHA-256 is stored. token_id is 64 random hex chars. Expiry is
 * creation_time + lifetime_seconds (ms), or -1 for never; authenticate enforces it.
 */
#include <stdio.h>
#include <string.h>

#include "api/identity/identity_internal.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

/* Columns: token_id, creation_time, expiry_time, comment[, user id, user name]. */
static json_t *token_info(lh_stmt_t *st, bool with_owner)
{
    json_t *o = json_object();
    lh_json_set_str(o, "token_id", lh_stmt_text(st, 0));
    lh_json_set_int(o, "creation_time", lh_stmt_int(st, 1));
    lh_json_set_int(o, "expiry_time", lh_stmt_int(st, 2));
    lh_json_set_str(o, "comment", lh_stmt_text(st, 3) ? lh_stmt_text(st, 3) : "");
    if (with_owner) {
        lh_json_set_int(o, "created_by_id", lh_stmt_int(st, 4));
        lh_json_set_str(o, "created_by_username", lh_stmt_text(st, 5));
        lh_json_set_int(o, "owner_id", lh_stmt_int(st, 4));
    }
    return o;
}

/* ---- create ---- */

typedef struct {
    int64_t user_id;
    const char *comment;
    int64_t lifetime_s; /* <= 0: never expires */
    char value[LH_TOKEN_CHARS + 1];
    json_t *info;
} create_arg;

static lh_err create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    create_arg *a = arg;
    char token_id[65], hash[65];
    lh_random_hex(token_id, 32);
    lh_token_generate(a->value);
    LH_TRY(lh_token_hash(a->value, hash, eb));
    int64_t now = lh_now_ms();
    int64_t expiry = a->lifetime_s > 0 ? now + a->lifetime_s * 1000 : -1;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO tokens(token_id, token_hash, user_id, comment, "
                        "creation_time, expiry_time) VALUES (?, ?, ?, ?, ?, ?)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, token_id);
    lh_stmt_bind_text(st, 2, hash);
    lh_stmt_bind_int(st, 3, a->user_id);
    lh_stmt_bind_text(st, 4, a->comment);
    lh_stmt_bind_int(st, 5, now);
    lh_stmt_bind_int(st, 6, expiry);
    LH_TRY(lh_stmt_run(st, eb));
    a->info =
        json_pack("{s:s, s:I, s:I, s:s}", "token_id", token_id, "creation_time", (json_int_t)now,
                  "expiry_time", (json_int_t)expiry, "comment", a->comment ? a->comment : "");
    return LH_OK;
}

/* One INFO line per token created: its id and owner, never its value. */
static void log_created(const lh_req_t *req, const create_arg *a)
{
    char life[40] = "no expiry";
    if (a->lifetime_s > 0)
        snprintf(life, sizeof life, "lifetime %llds", (long long)a->lifetime_s);
    const char *id = json_string_value(json_object_get(a->info, "token_id"));
    lh_log(LH_LOG_INFO, "token %s CREATED for user %lld by %s (%s)", id ? id : "?",
           (long long)a->user_id,
           req->principal && req->principal->user_name ? req->principal->user_name : "?", life);
}

static lh_err read_create(const lh_req_t *req, create_arg *a, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_int_range(req->params, "lifetime_seconds", LH_OPTIONAL, -1,
                                 LH_TOKEN_LIFETIME_MAX_S, &a->lifetime_s, eb));
    LH_TRY(lh_json_get_str(req->params, "comment", LH_OPTIONAL, &a->comment, eb));
    LH_FAIL_IF(a->comment && strlen(a->comment) > LH_NAME_MAX, LH_E_INVALID, eb,
               "comment is longer than %d characters", LH_NAME_MAX);
    return LH_OK;
}

lh_err lh_tokens_create_handler(lh_req_t *req, lh_errbuf *eb)
{
    create_arg a = {.user_id = req->principal->user_id, .lifetime_s = 0};
    LH_TRY(read_create(req, &a, eb));
    lh_err e = lh_meta_tx(req->ctx->meta, create_tx, &a, eb);
    if (e != LH_OK) {
        json_decref(a.info); /* built before a failed COMMIT */
        return e;
    }
    log_created(req, &a);
    req->out = json_pack("{s:s, s:o}", "token_value", a.value, "token_info", a.info);
    return LH_OK;
}

/* on-behalf-of: application_id names the owner (we have no service principals, so any
 * user, by id or userName). */
typedef struct {
    create_arg c;
    const char *owner;
    const char *owner_name;
} obo_arg;

static lh_err obo_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    obo_arg *a = arg;
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT id, user_name FROM users WHERE CAST(id AS TEXT) = ?1 OR "
                        "user_name = ?1",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->owner);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "Principal %s does not exist.", a->owner);
    a->c.user_id = lh_stmt_int(st, 0);
    a->owner_name = lh_stmt_text(st, 1);
    json_t *extra =
        json_pack("{s:I, s:s, s:I}", "created_by_id", (json_int_t)a->c.user_id,
                  "created_by_username", a->owner_name, "owner_id", (json_int_t)a->c.user_id);
    lh_err e = create_tx(m, &a->c, eb);
    if (e == LH_OK)
        json_object_update(a->c.info, extra);
    json_decref(extra);
    return e;
}

lh_err lh_token_mgmt_obo_handler(lh_req_t *req, lh_errbuf *eb)
{
    obo_arg a;
    memset(&a, 0, sizeof a);
    LH_TRY(lh_json_get_str(req->params, "application_id", LH_REQUIRED, &a.owner, eb));
    LH_TRY(read_create(req, &a.c, eb));
    lh_err e = lh_meta_tx(req->ctx->meta, obo_tx, &a, eb);
    if (e != LH_OK) {
        json_decref(a.c.info); /* built before a failed COMMIT */
        return e;
    }
    log_created(req, &a.c);
    req->out = json_pack("{s:s, s:o}", "token_value", a.c.value, "token_info", a.c.info);
    return LH_OK;
}

/* ---- list ---- */

typedef struct {
    int64_t user_id;       /* own list; 0 = any (management) */
    const char *user_name; /* management filter, or NULL */
    const char *token_id;  /* management get, or NULL */
    json_t *infos;
} list_arg;

static lh_err list_own(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    list_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT token_id, creation_time, expiry_time, comment FROM tokens "
                        "WHERE user_id = ? ORDER BY creation_time, rowid",
                        &st, eb));
    lh_stmt_bind_int(st, 1, a->user_id);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_array_append_new(a->infos, token_info(st, false));
    }
}

lh_err lh_tokens_list_handler(lh_req_t *req, lh_errbuf *eb)
{
    list_arg a = {.user_id = req->principal->user_id, .infos = json_array()};
    lh_err e = lh_meta_read(req->ctx->meta, list_own, &a, eb);
    if (e != LH_OK) {
        json_decref(a.infos);
        return e;
    }
    req->out = json_pack("{s:o}", "token_infos", a.infos);
    return LH_OK;
}

/* ---- delete (own) ---- */

typedef struct {
    const char *token_id;
    int64_t user_id; /* 0 = any owner (management) */
} delete_arg;

static lh_err delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    delete_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "DELETE FROM tokens WHERE token_id = ? AND (?2 = 0 OR user_id = ?2)",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->token_id);
    lh_stmt_bind_int(st, 2, a->user_id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_FAIL_IF(lh_meta_changes(m) == 0, LH_E_NOT_FOUND, eb, "Token %s does not exist.",
               a->token_id);
    return LH_OK;
}

static lh_err delete_token(lh_req_t *req, const char *token_id, int64_t owner, lh_errbuf *eb)
{
    delete_arg a = {token_id, owner};
    LH_TRY(lh_meta_tx(req->ctx->meta, delete_tx, &a, eb));
    lh_identity_invalidate(req->ctx->identity);
    lh_log(LH_LOG_INFO, "token %s REVOKED by %s", token_id,
           req->principal && req->principal->user_name ? req->principal->user_name : "?");
    return LH_OK;
}

lh_err lh_tokens_delete_handler(lh_req_t *req, lh_errbuf *eb)
{
    const char *token_id = NULL;
    LH_TRY(lh_json_get_str(req->params, "token_id", LH_REQUIRED, &token_id, eb));
    return delete_token(req, token_id, req->principal->user_id, eb);
}

/* ---- token-management (admins; the route flags enforce it) ---- */

static lh_err list_any(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    list_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT t.token_id, t.creation_time, t.expiry_time, t.comment, u.id, "
                        "u.user_name FROM tokens t JOIN users u ON u.id = t.user_id "
                        "WHERE (?1 = 0 OR u.id = ?1) AND (?2 IS NULL OR u.user_name = ?2) "
                        "AND (?3 IS NULL OR t.token_id = ?3) "
                        "ORDER BY t.creation_time, t.rowid",
                        &st, eb));
    lh_stmt_bind_int(st, 1, a->user_id);
    lh_stmt_bind_text(st, 2, a->user_name);
    lh_stmt_bind_text(st, 3, a->token_id);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        json_array_append_new(a->infos, token_info(st, true));
    }
}

static lh_err run_list_any(lh_req_t *req, list_arg *a, lh_errbuf *eb)
{
    a->infos = json_array();
    lh_err e = lh_meta_read(req->ctx->meta, list_any, a, eb);
    if (e != LH_OK) {
        json_decref(a->infos);
        a->infos = NULL;
    }
    return e;
}

lh_err lh_token_mgmt_list_handler(lh_req_t *req, lh_errbuf *eb)
{
    list_arg a = {0};
    LH_TRY(lh_json_get_int_range(req->params, "created_by_id", LH_OPTIONAL, 1, INT64_MAX,
                                 &a.user_id, eb));
    LH_TRY(lh_json_get_str(req->params, "created_by_username", LH_OPTIONAL, &a.user_name, eb));
    LH_TRY(run_list_any(req, &a, eb));
    req->out = json_pack("{s:o}", "token_infos", a.infos);
    return LH_OK;
}

lh_err lh_token_mgmt_get_handler(lh_req_t *req, lh_errbuf *eb)
{
    list_arg a = {.token_id = lh_req_path_param(req, 0)};
    LH_TRY(run_list_any(req, &a, eb));
    if (json_array_size(a.infos) == 0) {
        json_decref(a.infos);
        LH_FAIL(LH_E_NOT_FOUND, eb, "Token %s does not exist.", a.token_id);
    }
    req->out = json_pack("{s:O}", "token_info", json_array_get(a.infos, 0));
    json_decref(a.infos);
    return LH_OK;
}

lh_err lh_token_mgmt_delete_handler(lh_req_t *req, lh_errbuf *eb)
{
    return delete_token(req, lh_req_path_param(req, 0), 0, eb);
}

/* ---- tokens minted for other areas (jobs: a task's DATABRICKS_TOKEN) ---- */

typedef struct {
    create_arg c;
    const char *user_name;
} mint_arg;

static lh_err mint_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    mint_arg *a = arg;
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(lh_meta_stmt(m, "SELECT id FROM users WHERE user_name = ?", &st, eb));
    lh_stmt_bind_text(st, 1, a->user_name);
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row, LH_E_NOT_FOUND, eb, "User %s does not exist.", a->user_name);
    a->c.user_id = lh_stmt_int(st, 0);
    return create_tx(m, &a->c, eb);
}

lh_err lh_identity_mint_token(lh_identity_t *id, const char *user_name, int64_t lifetime_s,
                              const char *comment, char *token, size_t token_size,
                              char token_id[65], lh_errbuf *eb)
{
    LH_FAIL_IF(user_name == NULL || token_size < LH_TOKEN_CHARS + 1, LH_E_INVALID, eb,
               "a token needs a user");
    if (lifetime_s <= 0 || lifetime_s > LH_TOKEN_LIFETIME_MAX_S)
        lifetime_s = LH_TOKEN_LIFETIME_MAX_S;
    mint_arg a = {.c = {.comment = comment, .lifetime_s = lifetime_s}, .user_name = user_name};
    lh_err e = lh_meta_tx(id->meta, mint_tx, &a, eb);
    if (e == LH_OK) {
        snprintf(token, token_size, "%s", a.c.value);
        snprintf(token_id, 65, "%s", json_string_value(json_object_get(a.c.info, "token_id")));
        lh_log(LH_LOG_INFO, "token %s CREATED for user %s (%s, lifetime %llds)", token_id,
               user_name, comment ? comment : "", (long long)lifetime_s);
    }
    json_decref(a.c.info);
    memset(a.c.value, 0, sizeof a.c.value);
    return e;
}

lh_err lh_identity_revoke_token(lh_identity_t *id, const char *token_id, lh_errbuf *eb)
{
    delete_arg a = {token_id, 0};
    lh_err e = lh_meta_tx(id->meta, delete_tx, &a, eb);
    lh_identity_invalidate(id);
    if (e == LH_OK)
        lh_log(LH_LOG_INFO, "token %s REVOKED (its task ended)", token_id);
    return e;
}

typedef struct {
    const char *prefix;
    int64_t n;
} prefix_arg;

static lh_err revoke_prefix_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    prefix_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(
        lh_meta_stmt(m, "DELETE FROM tokens WHERE substr(comment, 1, length(?1)) = ?1", &st, eb));
    lh_stmt_bind_text(st, 1, a->prefix);
    LH_TRY(lh_stmt_run(st, eb));
    a->n = lh_meta_changes(m);
    return LH_OK;
}

lh_err lh_identity_revoke_tokens_by_comment(lh_identity_t *id, const char *prefix, lh_errbuf *eb)
{
    LH_FAIL_IF(prefix == NULL || *prefix == '\0', LH_E_INVALID, eb, "a comment prefix is needed");
    prefix_arg a = {prefix, 0};
    LH_TRY(lh_meta_tx(id->meta, revoke_prefix_tx, &a, eb));
    lh_identity_invalidate(id);
    if (a.n > 0)
        lh_log(LH_LOG_INFO, "%lld token(s) commented \"%s...\" REVOKED", (long long)a.n, prefix);
    return LH_OK;
}
