/*
 * secrets.c - the secrets area object: start-up (the workspace key and its check against
 * stored values), the key file created on the first put, name rules, and lh_secrets_read
 * for other areas.
 *
 * Key precedence: LAKEHOUSE_SECRETS_KEY, then DATA_DIR/secrets.key. Without either, the
 * key file is created when the first value is sealed, so a workspace that never uses
 * secrets gets no key file. At start, one stored value (if any) is opened with the key in
 * effect; when that fails the daemon still starts (other areas are unaffected) but logs a
 * warning, and every read of such a value answers 500 DATA_LOSS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api/area.h"
#include "api/secrets/secrets_internal.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/util.h"

#define KEY_ENV "LAKEHOUSE_SECRETS_KEY"

/* ---- names and levels ---- */

static lh_err check_name(const char *what, const char *name, const char *extra, lh_errbuf *eb)
{
    size_t n = strlen(name);
    LH_FAIL_IF(n == 0 || n > LH_SECRET_NAME_MAX, LH_E_INVALID, eb,
               "%s must be 1 to %d characters long", what, LH_SECRET_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || (c != 0 && strchr(extra, c) != NULL);
        LH_FAIL_IF(!ok, LH_E_INVALID, eb,
                   "%s '%s' is invalid: it must consist of alphanumeric characters, dashes, "
                   "underscores%s and periods, and may not exceed %d characters",
                   what, name, *extra ? ", @" : "", LH_SECRET_NAME_MAX);
    }
    return LH_OK;
}

lh_err sc_check_scope_name(const char *name, lh_errbuf *eb)
{
    return check_name("Scope name", name, "@", eb);
}

lh_err sc_check_key_name(const char *name, lh_errbuf *eb)
{
    return check_name("Secret key", name, "", eb);
}

static const char *const LEVEL_NAMES[] = {"NONE", "READ", "WRITE", "MANAGE"};

const char *sc_level_name(sc_level level)
{
    return level >= SC_NONE && level <= SC_MANAGE ? LEVEL_NAMES[level] : "NONE";
}

sc_level sc_level_parse(const char *text)
{
    for (int l = SC_READ; l <= SC_MANAGE; l++)
        if (text != NULL && strcmp(text, LEVEL_NAMES[l]) == 0)
            return (sc_level)l;
    return SC_NONE;
}

size_t sc_aad(const char *scope, const char *key, char *buf)
{
    size_t a = strlen(scope), b = strlen(key);
    LH_ASSERT(a <= LH_SECRET_NAME_MAX && b <= LH_SECRET_NAME_MAX);
    memcpy(buf, scope, a);
    buf[a] = '\0';
    memcpy(buf + a + 1, key, b);
    return a + 1 + b;
}

/* ---- the key ---- */

lh_err sc_key_get(lh_secrets_t *s, lh_secrets_key_t *out, lh_errbuf *eb)
{
    pthread_mutex_lock(&s->key_mu);
    lh_err e = LH_OK;
    if (!s->has_key) {
        e = lh_secrets_key_file_create(s->key_path, &s->key, eb);
        s->has_key = e == LH_OK;
        if (e == LH_OK)
            lh_log(LH_LOG_INFO, "created secrets key file %s (mode 0600)", s->key_path);
    }
    if (e == LH_OK)
        *out = s->key;
    pthread_mutex_unlock(&s->key_mu);
    return e;
}

/* LAKEHOUSE_SECRETS_KEY as read by server/config.c, or NULL. */
static const char *env_key(const lh_secrets_t *s)
{
    const lh_config_t *c = s->ctx->config;
    return c != NULL && c->secrets_key[0] != '\0' ? c->secrets_key : NULL;
}

static lh_err load_key(lh_secrets_t *s, lh_errbuf *eb)
{
    const char *env = env_key(s);
    if (env != NULL) {
        lh_errbuf inner;
        LH_FAIL_IF(lh_secrets_key_parse(env, &s->key, &inner) != LH_OK, LH_E_INVALID, eb,
                   "%s is malformed: %s", KEY_ENV, inner.msg);
        s->has_key = true;
        return LH_OK;
    }
    return lh_secrets_key_file_read(s->key_path, &s->key, &s->has_key, eb);
}

typedef struct {
    lh_secrets_t *s;
    bool found, opens;
} check_arg;

static lh_err check_key_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    check_arg *a = arg;
    const char *scope, *key, *sealed_b64;
    LH_TRY(sc_any_sealed(m, &scope, &key, &sealed_b64, &a->found, eb));
    if (!a->found || !a->s->has_key)
        return LH_OK;
    size_t n = strlen(sealed_b64), sealed_bytes = 0, plain_bytes = 0;
    unsigned char *sealed = malloc(3 * (n / 4) + 3), *plain = malloc(3 * (n / 4) + 3);
    char aad[2 * LH_SECRET_NAME_MAX + 2];
    size_t aad_bytes = sc_aad(scope, key, aad);
    a->opens = sealed && plain && lh_secrets_b64_decode(sealed_b64, n, sealed, &sealed_bytes) &&
               lh_secrets_open(&a->s->key, aad, aad_bytes, sealed, sealed_bytes, plain,
                               &plain_bytes, NULL) == LH_OK;
    if (plain)
        OPENSSL_cleanse(plain, 3 * (n / 4) + 3);
    free(sealed);
    free(plain);
    return LH_OK;
}

static lh_err check_key(lh_secrets_t *s, lh_errbuf *eb)
{
    check_arg a = {.s = s};
    LH_TRY(lh_meta_read(s->meta, check_key_read, &a, eb));
    if (a.found && !s->has_key)
        lh_log(LH_LOG_WARN,
               "secrets are stored but no key is available (set %s or restore %s): reading "
               "them will fail",
               KEY_ENV, s->key_path);
    else if (a.found && !a.opens)
        lh_log(LH_LOG_WARN,
               "the secrets key in effect (%s) does not open the stored secrets: reading them "
               "will fail until the original key is restored",
               env_key(s) ? KEY_ENV : s->key_path);
    return LH_OK;
}

lh_err lh_secrets_create(lh_ctx_t *ctx, lh_secrets_t **out, lh_errbuf *eb)
{
    lh_secrets_t *s = calloc(1, sizeof *s);
    LH_FAIL_IF(s == NULL, LH_E_NOMEM, eb, "out of memory");
    s->ctx = ctx;
    s->meta = ctx->meta;
    pthread_mutex_init(&s->key_mu, NULL);
    int w = snprintf(s->key_path, sizeof s->key_path, "%s/secrets.key", ctx->data_dir);
    lh_err e = w < 0 || (size_t)w >= sizeof s->key_path
                   ? lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__, "data dir path too long")
                   : load_key(s, eb);
    if (e == LH_OK)
        e = check_key(s, eb);
    if (e != LH_OK) {
        lh_secrets_destroy(s);
        return e;
    }
    *out = s;
    return LH_OK;
}

void lh_secrets_destroy(lh_secrets_t *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(&s->key, sizeof s->key);
    pthread_mutex_destroy(&s->key_mu);
    free(s);
}

/* ---- reading a value ---- */

typedef struct {
    void *ptr;
    size_t bytes;
} wipe_arg;

static void wipe(void *arg)
{
    wipe_arg *w = arg;
    OPENSSL_cleanse(w->ptr, w->bytes);
}

static lh_err read_key_in_effect(lh_secrets_t *s, lh_secrets_key_t *out, lh_errbuf *eb)
{
    pthread_mutex_lock(&s->key_mu);
    bool have = s->has_key;
    if (have)
        *out = s->key;
    pthread_mutex_unlock(&s->key_mu);
    LH_FAIL_IF(!have, LH_E_CORRUPT, eb,
               "a secret is stored but no secrets key is available (%s or %s)", KEY_ENV,
               s->key_path);
    return LH_OK;
}

lh_err lh_secrets_read(lh_ctx_t *ctx, const lh_principal_t *who, const char *scope, const char *key,
                       lh_arena_t *arena, const void **value, size_t *bytes, lh_errbuf *eb)
{
    lh_secrets_t *s = ctx->secrets;
    const char *sealed_b64;
    LH_TRY(sc_secret_sealed(s, who, scope, key, arena, &sealed_b64, eb));
    size_t n = strlen(sealed_b64), sealed_bytes = 0;
    unsigned char *sealed = lh_arena_alloc(arena, 3 * (n / 4) + 3);
    LH_FAIL_IF(!lh_secrets_b64_decode(sealed_b64, n, sealed, &sealed_bytes), LH_E_CORRUPT, eb,
               "stored secret %s/%s is not valid base64", scope, key);
    LH_FAIL_IF(sealed_bytes < LH_SEAL_OVERHEAD, LH_E_CORRUPT, eb,
               "stored secret %s/%s is truncated", scope, key);
    wipe_arg *w = lh_arena_alloc(arena, sizeof *w);
    w->bytes = sealed_bytes - LH_SEAL_OVERHEAD + 1;
    w->ptr = lh_arena_alloc(arena, w->bytes);
    lh_arena_defer(arena, wipe, w);
    lh_secrets_key_t k;
    LH_TRY(read_key_in_effect(s, &k, eb));
    char aad[2 * LH_SECRET_NAME_MAX + 2];
    size_t aad_bytes = sc_aad(scope, key, aad);
    lh_err e = lh_secrets_open(&k, aad, aad_bytes, sealed, sealed_bytes, w->ptr, bytes, eb);
    OPENSSL_cleanse(&k, sizeof k);
    LH_TRY(e);
    ((unsigned char *)w->ptr)[*bytes] = '\0';
    *value = w->ptr;
    return LH_OK;
}

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    LH_TRY(lh_secrets_create(ctx, &ctx->secrets, eb));
    *state = ctx->secrets;
    return LH_OK;
}

static void area_destroy(void *state)
{
    lh_secrets_t *s = state;
    s->ctx->secrets = NULL;
    lh_secrets_destroy(s);
}

const lh_area_t lh_secrets_area = {
    .name = "secrets",
    .create = area_create,
    .routes = lh_secrets_routes,
    .destroy = area_destroy,
};
