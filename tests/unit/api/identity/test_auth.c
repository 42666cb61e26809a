/*
 * test_auth.c - api/identity against a temporary meta.db: token format and hashing,
 * bootstrap (env token, generated 0600 file, reuse), authenticate (unknown, expired,
 * inactive user, admin flag), cache invalidation when a token or user goes away, and the
 * cache's bound (more live tokens than LH_IDENTITY_CACHE_MAX all keep working).
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/identity/identity_internal.h"
#include "common/limits.h"
#include "common/util.h"
#include "t.h"

static char dir[64];

typedef struct {
    lh_ctx_t ctx;
    lh_identity_t *id;
    char token[128];
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(dir, sizeof dir, "/tmp/lh-id-XXXXXX");
    LH_ASSERT(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/meta.db", dir);
    LH_ASSERT(lh_meta_open(path, &f->ctx.meta, NULL) == LH_OK);
    f->ctx.data_dir = dir;
    LH_ASSERT(lh_identity_create(&f->ctx, &f->id, NULL) == LH_OK);
    f->ctx.identity = f->id;
}

static void teardown(fixture *f)
{
    lh_identity_destroy(f->id);
    lh_meta_close(f->ctx.meta);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_EQ_INT(system(cmd), 0);
}

static lh_err auth(fixture *f, const char *token, lh_principal_t *p, lh_errbuf *eb)
{
    lh_arena_t *a = lh_arena_create();
    lh_err e = lh_identity_authenticate(f->id, token, a, p, eb);
    static char name[256];
    snprintf(name, sizeof name, "%s", e == LH_OK ? p->user_name : "");
    p->user_name = name;
    lh_arena_destroy(a);
    return e;
}

static void decref(void *v)
{
    json_decref(v);
}

/* Run a handler as principal p with params (stolen); returns the error, *out (owned). */
static lh_err call(fixture *f, lh_handler_fn h, const lh_principal_t *p, json_t *params,
                   json_t **out, lh_errbuf *eb)
{
    lh_arena_t *a = lh_arena_create();
    lh_req_t req = {.ctx = &f->ctx, .arena = a, .params = params, .principal = p};
    lh_arena_defer(a, decref, params);
    lh_err e = h(&req, eb);
    if (out)
        *out = req.out;
    else
        json_decref(req.out);
    lh_arena_destroy(a);
    return e;
}

static void test_token_format(void)
{
    char t1[LH_TOKEN_CHARS + 1], t2[LH_TOKEN_CHARS + 1];
    lh_token_generate(t1);
    lh_token_generate(t2);
    T_EQ_INT(strlen(t1), 36);
    T_CHECK(strncmp(t1, "dapi", 4) == 0);
    T_CHECK(lh_token_is_well_formed(t1));
    T_CHECK(strcmp(t1, t2) != 0);
    T_CHECK(!lh_token_is_well_formed("dapi0123"));
    T_CHECK(!lh_token_is_well_formed("dapi0123456789ABCDEF0123456789abcdef"));
    T_CHECK(!lh_token_is_well_formed("xapi0123456789abcdef0123456789abcdef"));
    char h[65];
    T_EQ_INT(lh_token_hash("dapi0123456789abcdef0123456789abcdef", h, NULL), LH_OK);
    T_EQ_STR(h, "033a260745662d058cf6e77ffcbc2de0fea7ec786055e23efe2dfd3e6dd7a85e");
}

static void test_bootstrap_env(void)
{
    fixture f;
    setup(&f);
    char file[128];
    snprintf(file, sizeof file, "%s/admin-token", dir);
    const char *env = "dapi0123456789abcdef0123456789abcdef";
    T_EQ_INT(lh_identity_bootstrap(f.id, env, file, f.token, sizeof f.token, NULL), LH_OK);
    T_EQ_STR(f.token, env);
    T_CHECK(access(file, F_OK) != 0); /* the env token is not written */
    lh_principal_t p = {0};
    T_EQ_INT(auth(&f, env, &p, NULL), LH_OK);
    T_EQ_STR(p.user_name, "admin");
    T_CHECK(p.is_admin);
    /* twice is idempotent */
    T_EQ_INT(lh_identity_bootstrap(f.id, env, file, f.token, sizeof f.token, NULL), LH_OK);
    T_EQ_INT(auth(&f, env, &p, NULL), LH_OK);
    T_EQ_INT(lh_identity_bootstrap(f.id, "has space", file, f.token, sizeof f.token, NULL),
             LH_E_INVALID);
    teardown(&f);
}

static void test_bootstrap_file(void)
{
    fixture f;
    setup(&f);
    char file[128];
    snprintf(file, sizeof file, "%s/admin-token", dir);
    T_EQ_INT(lh_identity_bootstrap(f.id, NULL, file, f.token, sizeof f.token, NULL), LH_OK);
    T_CHECK(lh_token_is_well_formed(f.token));
    struct stat st;
    T_EQ_INT(stat(file, &st), 0);
    T_EQ_INT(st.st_mode & 0777, 0600);
    char again[128];
    T_EQ_INT(lh_identity_bootstrap(f.id, "", file, again, sizeof again, NULL), LH_OK);
    T_EQ_STR(again, f.token); /* reused, not regenerated */
    lh_principal_t p = {0};
    T_EQ_INT(auth(&f, f.token, &p, NULL), LH_OK);
    T_CHECK(p.is_admin);
    teardown(&f);
}

static void test_authenticate(void)
{
    fixture f;
    setup(&f);
    char file[128];
    snprintf(file, sizeof file, "%s/admin-token", dir);
    T_EQ_INT(lh_identity_bootstrap(f.id, NULL, file, f.token, sizeof f.token, NULL), LH_OK);
    lh_principal_t p = {0};
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    T_EQ_INT(auth(&f, "dapi00000000000000000000000000000000", &p, &eb), LH_E_UNAUTHENTICATED);
    T_EQ_STR(eb.msg, "Invalid access token.");
    T_EQ_INT(auth(&f, "", &p, &eb), LH_E_UNAUTHENTICATED);
    char long_token[400];
    memset(long_token, 'a', sizeof long_token - 1);
    long_token[sizeof long_token - 1] = '\0';
    T_EQ_INT(auth(&f, long_token, &p, &eb), LH_E_UNAUTHENTICATED);
    /* cached answer stays correct */
    T_EQ_INT(auth(&f, f.token, &p, NULL), LH_OK);
    T_EQ_INT(auth(&f, f.token, &p, NULL), LH_OK);
    T_EQ_STR(p.user_name, "admin");
    teardown(&f);
}

/* Create a token for principal p with lifetime; its value into out. */
static lh_err create_token(fixture *f, const lh_principal_t *p, int64_t lifetime, char *out)
{
    json_t *res = NULL;
    lh_err e =
        call(f, lh_tokens_create_handler, p,
             json_pack("{s:I, s:s}", "lifetime_seconds", (json_int_t)lifetime, "comment", "t"),
             &res, NULL);
    if (e == LH_OK)
        snprintf(out, 64, "%s", json_string_value(json_object_get(res, "token_value")));
    json_decref(res);
    return e;
}

static void test_expiry(void)
{
    fixture f;
    setup(&f);
    char file[128], tok[64];
    snprintf(file, sizeof file, "%s/admin-token", dir);
    T_EQ_INT(lh_identity_bootstrap(f.id, NULL, file, f.token, sizeof f.token, NULL), LH_OK);
    lh_principal_t admin = {0};
    T_EQ_INT(auth(&f, f.token, &admin, NULL), LH_OK);
    T_EQ_INT(create_token(&f, &admin, 1, tok), LH_OK);
    T_CHECK(lh_token_is_well_formed(tok));
    lh_principal_t p = {0};
    T_EQ_INT(auth(&f, tok, &p, NULL), LH_OK); /* now cached */
    usleep(1100 * 1000);
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    T_EQ_INT(auth(&f, tok, &p, &eb), LH_E_UNAUTHENTICATED);
    T_EQ_STR(eb.msg, "Token expired");
    /* lifetime bounds */
    T_EQ_INT(create_token(&f, &admin, LH_TOKEN_LIFETIME_MAX_S, tok), LH_OK);
    T_EQ_INT(create_token(&f, &admin, LH_TOKEN_LIFETIME_MAX_S + 1, tok), LH_E_INVALID);
    T_EQ_INT(create_token(&f, &admin, -2, tok), LH_E_INVALID);
    teardown(&f);
}

static const char *first_token_id(fixture *f, const lh_principal_t *p, char *out)
{
    json_t *res = NULL;
    out[0] = '\0';
    if (call(f, lh_tokens_list_handler, p, json_object(), &res, NULL) == LH_OK) {
        json_t *infos = json_object_get(res, "token_infos");
        size_t n = json_array_size(infos);
        const char *id =
            n ? json_string_value(json_object_get(json_array_get(infos, n - 1), "token_id")) : NULL;
        snprintf(out, 80, "%s", id ? id : "");
    }
    json_decref(res);
    return out;
}

static void test_invalidation(void)
{
    fixture f;
    setup(&f);
    char file[128], tok[64], token_id[80];
    snprintf(file, sizeof file, "%s/admin-token", dir);
    T_EQ_INT(lh_identity_bootstrap(f.id, NULL, file, f.token, sizeof f.token, NULL), LH_OK);
    lh_principal_t admin = {0}, p = {0};
    T_EQ_INT(auth(&f, f.token, &admin, NULL), LH_OK);
    T_EQ_INT(create_token(&f, &admin, 0, tok), LH_OK);
    T_EQ_INT(auth(&f, tok, &p, NULL), LH_OK); /* cached */
    first_token_id(&f, &admin, token_id);
    T_EQ_INT(strlen(token_id), 64);
    /* someone else's token id is not found for a non-owner */
    lh_principal_t other = {.user_id = 42, .user_name = "x"};
    lh_errbuf eb;
    T_EQ_INT(call(&f, lh_tokens_delete_handler, &other, json_pack("{s:s}", "token_id", token_id),
                  NULL, &eb),
             LH_E_NOT_FOUND);
    T_EQ_INT(call(&f, lh_tokens_delete_handler, &admin, json_pack("{s:s}", "token_id", token_id),
                  NULL, NULL),
             LH_OK);
    T_EQ_INT(auth(&f, tok, &p, NULL), LH_E_UNAUTHENTICATED);
    T_EQ_INT(call(&f, lh_tokens_delete_handler, &admin, json_object(), NULL, &eb), LH_E_INVALID);
    teardown(&f);
}

static void test_user_lifecycle(void)
{
    fixture f;
    setup(&f);
    char file[128], tok[64];
    snprintf(file, sizeof file, "%s/admin-token", dir);
    T_EQ_INT(lh_identity_bootstrap(f.id, NULL, file, f.token, sizeof f.token, NULL), LH_OK);
    lh_principal_t admin = {0}, p = {0};
    T_EQ_INT(auth(&f, f.token, &admin, NULL), LH_OK);
    json_t *u = NULL;
    T_EQ_INT(call(&f, lh_scim_users_create_handler, &admin,
                  json_pack("{s:s}", "userName", "bob@example.com"), &u, NULL),
             LH_OK);
    const char *uid = json_string_value(json_object_get(u, "id"));
    lh_principal_t bob = {.user_id = strtoll(uid, NULL, 10), .user_name = "bob@example.com"};
    T_EQ_INT(create_token(&f, &bob, 0, tok), LH_OK);
    T_EQ_INT(auth(&f, tok, &p, NULL), LH_OK);
    T_CHECK(!p.is_admin);
    /* deactivation refuses the cached token */
    lh_arena_t *a = lh_arena_create();
    lh_req_t req = {.ctx = &f.ctx, .arena = a, .principal = &admin, .path_param_count = 1};
    req.path_params[0] = uid;
    req.params = json_pack("{s:[{s:s, s:s, s:b}]}", "Operations", "op", "replace", "path", "active",
                           "value", 0);
    T_EQ_INT(lh_scim_users_patch_handler(&req, NULL), LH_OK);
    json_decref(req.params);
    json_decref(req.out);
    req.out = NULL;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    T_EQ_INT(auth(&f, tok, &p, &eb), LH_E_UNAUTHENTICATED);
    T_CHECK(strstr(eb.msg, "not active") != NULL);
    /* delete: tokens go with the user */
    req.params = json_object();
    T_EQ_INT(lh_scim_users_delete_handler(&req, NULL), LH_OK);
    T_EQ_INT(lh_scim_users_delete_handler(&req, NULL), LH_E_NOT_FOUND);
    json_decref(req.params);
    T_EQ_INT(auth(&f, tok, &p, &eb), LH_E_UNAUTHENTICATED);
    T_EQ_STR(eb.msg, "Invalid access token.");
    /* the last admin cannot be deleted */
    char admin_id[32];
    snprintf(admin_id, sizeof admin_id, "%lld", (long long)admin.user_id);
    req.path_params[0] = admin_id;
    req.params = json_object();
    T_EQ_INT(lh_scim_users_delete_handler(&req, NULL), LH_E_INVALID);
    json_decref(req.params);
    T_EQ_INT(auth(&f, f.token, &p, NULL), LH_OK);
    lh_arena_destroy(a);
    json_decref(u);
    teardown(&f);
}

typedef struct {
    fixture *f;
    int failures;
} worker_arg;

static void *auth_worker(void *arg)
{
    worker_arg *w = arg;
    for (int i = 0; i < 2000; i++) {
        lh_arena_t *a = lh_arena_create();
        lh_principal_t p = {0};
        if (lh_identity_authenticate(w->f->id, w->f->token, a, &p, NULL) != LH_OK ||
            strcmp(p.user_name, "admin") != 0 || !p.is_admin)
            w->failures++;
        lh_arena_destroy(a);
    }
    return NULL;
}

/* Lookups racing with invalidations always answer correctly (run under TSan in CI). */
static void test_concurrent(void)
{
    fixture f;
    setup(&f);
    char file[128];
    snprintf(file, sizeof file, "%s/admin-token", dir);
    T_EQ_INT(lh_identity_bootstrap(f.id, NULL, file, f.token, sizeof f.token, NULL), LH_OK);
    pthread_t th[4];
    worker_arg w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker_arg){&f, 0};
        pthread_create(&th[i], NULL, auth_worker, &w[i]);
    }
    for (int i = 0; i < 500; i++)
        lh_identity_invalidate(f.id);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        T_EQ_INT(w[i].failures, 0);
    }
    teardown(&f);
}

/* SHA-256 hex through OpenSSL directly (the stored token_hash form), so this test does not
 * depend on the area's helper signatures. */
static void sha256_hex(const char *text, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Tokens for the bounded-cache test, inserted straight into meta.db for the admin. */
enum { MANY_TOKENS = LH_IDENTITY_CACHE_MAX + 100 };
static char many[MANY_TOKENS][LH_TOKEN_CHARS + 1];

static lh_err insert_many(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    int64_t user_id = *(int64_t *)arg;
    for (int i = 0; i < MANY_TOKENS; i++) {
        char hash[65], tid[32];
        snprintf(many[i], sizeof many[i], "dapi%032x", i + 1);
        sha256_hex(many[i], hash);
        snprintf(tid, sizeof tid, "many-%d", i);
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m,
                            "INSERT INTO tokens(token_id, token_hash, user_id, creation_time, "
                            "expiry_time) VALUES (?, ?, ?, 0, -1)",
                            &st, eb));
        lh_stmt_bind_text(st, 1, tid);
        lh_stmt_bind_text(st, 2, hash);
        lh_stmt_bind_int(st, 3, user_id);
        LH_TRY(lh_stmt_run(st, eb));
    }
    return LH_OK;
}

static void test_cache_bounded(void)
{
    fixture f;
    setup(&f);
    char file[128];
    snprintf(file, sizeof file, "%s/admin-token", dir);
    T_EQ_INT(lh_identity_bootstrap(f.id, NULL, file, f.token, sizeof f.token, NULL), LH_OK);
    lh_principal_t p;
    T_EQ_INT(auth(&f, f.token, &p, NULL), LH_OK);
    int64_t admin_id = p.user_id;
    T_EQ_INT(lh_meta_tx(f.ctx.meta, insert_many, &admin_id, NULL), LH_OK);
    int failures = 0;
    for (int round = 0; round < 2; round++) { /* the second round meets evicted entries */
        for (int i = 0; i < MANY_TOKENS; i++)
            failures += auth(&f, many[i], &p, NULL) != LH_OK || p.user_id != admin_id;
        T_EQ_INT(lh_identity_cache_count(f.id), LH_IDENTITY_CACHE_MAX);
    }
    T_EQ_INT(failures, 0);
    lh_identity_invalidate(f.id);
    T_EQ_INT(lh_identity_cache_count(f.id), 0);
    teardown(&f);
}

/* Tokens minted for other areas (jobs' DATABRICKS_TOKEN): they authenticate as their user,
 * are revoked by id, and those left behind by a crash go by comment prefix. */
static void test_mint_revoke(void)
{
    fixture f;
    setup(&f);
    char file[128];
    snprintf(file, sizeof file, "%s/admin-token", dir);
    T_EQ_INT(lh_identity_bootstrap(f.id, NULL, file, f.token, sizeof f.token, NULL), LH_OK);
    char tok[64], tid[65], tok2[64], tid2[65];
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    T_EQ_INT(lh_identity_mint_token(f.id, "nobody", 60, "x", tok, sizeof tok, tid, &eb),
             LH_E_NOT_FOUND);
    T_EQ_INT(lh_identity_mint_token(f.id, "admin", 60, "lakehouse-jobs: run 1 task 2", tok,
                                    sizeof tok, tid, &eb),
             LH_OK);
    T_CHECK(lh_token_is_well_formed(tok));
    T_EQ_INT(lh_identity_mint_token(f.id, "admin", 0, "lakehouse-jobs: run 3 task 4", tok2,
                                    sizeof tok2, tid2, &eb),
             LH_OK);
    lh_principal_t p = {0};
    T_EQ_INT(auth(&f, tok, &p, NULL), LH_OK);
    T_EQ_STR(p.user_name, "admin");
    T_EQ_INT(lh_identity_revoke_token(f.id, tid, &eb), LH_OK);
    T_EQ_INT(auth(&f, tok, &p, NULL), LH_E_UNAUTHENTICATED);
    T_EQ_INT(lh_identity_revoke_token(f.id, tid, &eb), LH_E_NOT_FOUND);
    T_EQ_INT(auth(&f, tok2, &p, NULL), LH_OK);
    T_EQ_INT(lh_identity_revoke_tokens_by_comment(f.id, "lakehouse-jobs: run ", &eb), LH_OK);
    T_EQ_INT(auth(&f, tok2, &p, NULL), LH_E_UNAUTHENTICATED);
    T_EQ_INT(auth(&f, f.token, &p, NULL), LH_OK); /* other tokens stay */
    T_EQ_INT(lh_identity_revoke_tokens_by_comment(f.id, "", &eb), LH_E_INVALID);
    teardown(&f);
}

int main(void)
{
    T_RUN(test_token_format);
    T_RUN(test_bootstrap_env);
    T_RUN(test_bootstrap_file);
    T_RUN(test_authenticate);
    T_RUN(test_expiry);
    T_RUN(test_invalidation);
    T_RUN(test_user_lifecycle);
    T_RUN(test_concurrent);
    T_RUN(test_cache_bounded);
    T_RUN(test_mint_revoke);
    return T_DONE();
}
