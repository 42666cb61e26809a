/*
 * handlers.c - the REST side of the secrets area: parse, call store.c or the crypto, render.
 *
 *   POST scopes/create {scope*, initial_manage_principal, scope_backend_type}   -> {}
 *   POST scopes/delete {scope*}                                                 -> {}
 *   GET  scopes/list                                     -> {scopes: [{name, backend_type}]}
 *   POST put    {scope*, key*, string_value | bytes_value (base64), exactly one} -> {}
 *   POST delete {scope*, key*}                                                   -> {}
 *   GET  list   ?scope*                      -> {secrets: [{key, last_updated_timestamp}]}
 *   GET  get    ?scope*, key*                -> {key, value (base64 of the stored bytes)}
 *   POST acls/put    {scope*, principal*, permission* READ|WRITE|MANAGE}         -> {}
 *   POST acls/delete {scope*, principal*}                                        -> {}
 *   GET  acls/get    ?scope*, principal*                    -> {principal, permission}
 *   GET  acls/list   ?scope*                       -> {items: [{principal, permission}]}
 *
 * A value is sealed here, before the transaction that stores it, so the metastore only
 * ever sees ciphertext. Values never reach a message: errors name scopes and keys only.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "api/secrets/secrets_internal.h"
#include "common/json.h"
#include "common/limits.h"

static lh_secrets_t *area(const lh_req_t *req)
{
    return req->ctx->secrets;
}

static lh_err get_scope(const lh_req_t *req, const char **scope, lh_errbuf *eb)
{
    return lh_json_get_str(req->params, "scope", LH_REQUIRED, scope, eb);
}

/* ---- scopes ---- */

static lh_err check_backend(const json_t *p, lh_errbuf *eb)
{
    const char *type = "DATABRICKS";
    LH_TRY(lh_json_get_str(p, "scope_backend_type", LH_OPTIONAL, &type, eb));
    bool azure = strcmp(type, "AZURE_KEYVAULT") == 0 || lh_json_has(p, "backend_azure_keyvault");
    LH_FAIL_IF(azure, LH_E_UNSUPPORTED, eb,
               "Azure Key Vault-backed secret scopes are not supported by Lakehouse; create a "
               "scope with scope_backend_type DATABRICKS (the default)");
    LH_FAIL_IF(strcmp(type, "DATABRICKS") != 0, LH_E_INVALID, eb,
               "scope_backend_type must be DATABRICKS or AZURE_KEYVAULT, not '%s'", type);
    return LH_OK;
}

lh_err sc_h_scope_create(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope, *principal = NULL;
    LH_TRY(get_scope(req, &scope, eb));
    LH_TRY(lh_json_get_str(req->params, "initial_manage_principal", LH_OPTIONAL, &principal, eb));
    LH_TRY(check_backend(req->params, eb));
    return sc_scope_create(area(req), req->principal, scope, principal, eb);
}

lh_err sc_h_scope_delete(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope;
    LH_TRY(get_scope(req, &scope, eb));
    return sc_scope_delete(area(req), req->principal, scope, eb);
}

lh_err sc_h_scope_list(lh_req_t *req, lh_errbuf *eb)
{
    return sc_scope_list(area(req), &req->out, eb);
}

/* ---- secrets ---- */

typedef struct value {
    const unsigned char *bytes;
    size_t n;
} value;

/* Exactly one of string_value (stored as its UTF-8 bytes) and bytes_value (base64). */
static lh_err read_value(lh_req_t *req, value *v, lh_errbuf *eb)
{
    json_t *str = json_object_get(req->params, "string_value");
    json_t *b64 = json_object_get(req->params, "bytes_value");
    str = json_is_null(str) ? NULL : str;
    b64 = json_is_null(b64) ? NULL : b64;
    LH_FAIL_IF((str == NULL) == (b64 == NULL), LH_E_INVALID, eb,
               "Exactly one of string_value and bytes_value must be specified");
    json_t *given = str ? str : b64;
    LH_FAIL_IF(!json_is_string(given), LH_E_INVALID, eb, "%s must be a string",
               str ? "string_value" : "bytes_value");
    const char *text = json_string_value(given);
    size_t text_bytes = json_string_length(given);
    if (str != NULL) {
        v->bytes = (const unsigned char *)text;
        v->n = text_bytes;
    } else {
        unsigned char *out = lh_arena_alloc(req->arena, 3 * (text_bytes / 4) + 3);
        LH_FAIL_IF(!lh_secrets_b64_decode(text, text_bytes, out, &v->n), LH_E_INVALID, eb,
                   "bytes_value must be standard base64");
        v->bytes = out;
    }
    LH_FAIL_IF(v->n > LH_SECRET_VALUE_MAX, LH_E_INVALID, eb,
               "The secret value is %zu bytes; the maximum allowed size is %d bytes (128 KB)", v->n,
               LH_SECRET_VALUE_MAX);
    return LH_OK;
}

/* Seal v for scope/key into base64 text in the request arena. */
static lh_err seal_b64(lh_req_t *req, const char *scope, const char *key, const value *v,
                       const char **out, lh_errbuf *eb)
{
    lh_secrets_key_t k;
    LH_TRY(sc_key_get(area(req), &k, eb));
    char aad[2 * LH_SECRET_NAME_MAX + 2];
    size_t aad_bytes = sc_aad(scope, key, aad);
    size_t sealed_bytes = v->n + LH_SEAL_OVERHEAD;
    unsigned char *sealed = lh_arena_alloc(req->arena, sealed_bytes);
    lh_err e = lh_secrets_seal(&k, aad, aad_bytes, v->bytes, v->n, sealed, eb);
    OPENSSL_cleanse(&k, sizeof k);
    LH_TRY(e);
    char *text = lh_arena_alloc(req->arena, LH_BASE64_LEN(sealed_bytes) + 1);
    lh_secrets_b64_encode(sealed, sealed_bytes, text);
    *out = text;
    return LH_OK;
}

lh_err sc_h_put(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope, *key, *sealed;
    LH_TRY(get_scope(req, &scope, eb));
    LH_TRY(lh_json_get_str(req->params, "key", LH_REQUIRED, &key, eb));
    LH_TRY(sc_check_scope_name(scope, eb));
    LH_TRY(sc_check_key_name(key, eb));
    /* checked before sealing so a refused put has no side effect (such as the key file) */
    LH_TRY(sc_require(area(req), req->principal, scope, SC_WRITE, eb));
    value v;
    LH_TRY(read_value(req, &v, eb));
    LH_TRY(seal_b64(req, scope, key, &v, &sealed, eb));
    return sc_secret_put(area(req), req->principal, scope, key, sealed, eb);
}

lh_err sc_h_delete(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope, *key;
    LH_TRY(get_scope(req, &scope, eb));
    LH_TRY(lh_json_get_str(req->params, "key", LH_REQUIRED, &key, eb));
    return sc_secret_delete(area(req), req->principal, scope, key, eb);
}

lh_err sc_h_list(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope;
    LH_TRY(get_scope(req, &scope, eb));
    return sc_secret_list(area(req), req->principal, scope, &req->out, eb);
}

lh_err sc_h_get(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope, *key;
    LH_TRY(get_scope(req, &scope, eb));
    LH_TRY(lh_json_get_str(req->params, "key", LH_REQUIRED, &key, eb));
    const void *plain;
    size_t n;
    LH_TRY(lh_secrets_read(req->ctx, req->principal, scope, key, req->arena, &plain, &n, eb));
    char *text = lh_arena_alloc(req->arena, LH_BASE64_LEN(n) + 1);
    size_t text_bytes = lh_secrets_b64_encode(plain, n, text);
    req->out = json_pack("{s:s, s:s%}", "key", key, "value", text, text_bytes);
    OPENSSL_cleanse(text, text_bytes);
    return LH_OK;
}

/* ---- ACLs ---- */

static lh_err get_principal(const lh_req_t *req, const char **principal, lh_errbuf *eb)
{
    LH_TRY(lh_json_get_str(req->params, "principal", LH_REQUIRED, principal, eb));
    LH_FAIL_IF(**principal == '\0', LH_E_INVALID, eb, "principal must not be empty");
    return LH_OK;
}

lh_err sc_h_acl_put(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope, *principal, *permission;
    LH_TRY(get_scope(req, &scope, eb));
    LH_TRY(get_principal(req, &principal, eb));
    LH_TRY(lh_json_get_str(req->params, "permission", LH_REQUIRED, &permission, eb));
    sc_level level = sc_level_parse(permission);
    LH_FAIL_IF(level == SC_NONE, LH_E_INVALID, eb,
               "permission must be one of READ, WRITE, MANAGE, not '%s'", permission);
    return sc_acl_put(area(req), req->principal, scope, principal, level, eb);
}

lh_err sc_h_acl_delete(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope, *principal;
    LH_TRY(get_scope(req, &scope, eb));
    LH_TRY(get_principal(req, &principal, eb));
    return sc_acl_delete(area(req), req->principal, scope, principal, eb);
}

lh_err sc_h_acl_get(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope, *principal;
    LH_TRY(get_scope(req, &scope, eb));
    LH_TRY(get_principal(req, &principal, eb));
    return sc_acl_get(area(req), req->principal, scope, principal, &req->out, eb);
}

lh_err sc_h_acl_list(lh_req_t *req, lh_errbuf *eb)
{
    const char *scope;
    LH_TRY(get_scope(req, &scope, eb));
    return sc_acl_list(area(req), req->principal, scope, &req->out, eb);
}

/* ---- routes ---- */

#define S "/api/2.0/secrets"

static const lh_route_t secrets_routes[] = {
    {"POST", S "/scopes/create", sc_h_scope_create, 0},
    {"POST", S "/scopes/delete", sc_h_scope_delete, 0},
    {"GET", S "/scopes/list", sc_h_scope_list, 0},
    {"POST", S "/put", sc_h_put, 0},
    {"POST", S "/delete", sc_h_delete, 0},
    {"GET", S "/list", sc_h_list, 0},
    {"GET", S "/get", sc_h_get, 0},
    {"POST", S "/acls/put", sc_h_acl_put, 0},
    {"POST", S "/acls/delete", sc_h_acl_delete, 0},
    {"GET", S "/acls/get", sc_h_acl_get, 0},
    {"GET", S "/acls/list", sc_h_acl_list, 0},
};

const lh_route_t *lh_secrets_routes(int *count)
{
    *count = (int)(sizeof secrets_routes / sizeof secrets_routes[0]);
    return secrets_routes;
}
