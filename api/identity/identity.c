/*
 * identity.c - the identity area's core: lifetime, bootstrap admin, token authentication.
 *
 * Authenticate (every /api/ request):
 *   1. hash the presented token (SHA-256 hex);
 *   2. cache hit (a common/hashmap keyed by the hash) -> principal;
 *   3. miss -> one SQLite read joining tokens, users and admins membership; the answer is
 *      cached only if the generation did not move meanwhile (no stale re-insert). The
 *      cache holds at most LH_IDENTITY_CACHE_MAX entries: a new one beyond that evicts
 *      the entry a rotating cursor reaches (a clock hand over the table, no per-hit cost);
 *   4. expiry is checked on every call, hit or miss.
 *
 * Bootstrap: the admin user, the admins group and the token in effect (env, file, or a new
 * one written atomically with mode 0600: tmp file, fsync, rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/identity/identity_internal.h"
#include "api/perm.h"
#include "common/util.h"

static const char *const ALL_ENTITLEMENTS =
    "[\"workspace-access\",\"databricks-sql-access\",\"allow-cluster-create\","
    "\"allow-instance-pool-create\"]";

static void free_key(void *k)
{
    free(k);
}

static void free_entry(void *v)
{
    lh_auth_slot *s = v;
    free(s->user_name);
    free(s);
}

static const lh_hashmap_type AUTH_CACHE = {lh_hash_str, lh_equal_str, free_key, free_entry};

lh_err lh_identity_create(lh_ctx_t *ctx, lh_identity_t **out, lh_errbuf *eb)
{
    lh_identity_t *id = calloc(1, sizeof *id);
    LH_FAIL_IF(id == NULL, LH_E_NOMEM, eb, "out of memory");
    id->cache = lh_hashmap_create(&AUTH_CACHE, 64);
    if (id->cache == NULL) {
        free(id);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    id->ctx = ctx;
    id->meta = ctx->meta;
    pthread_mutex_init(&id->lock, NULL);
    *out = id;
    return LH_OK;
}

void lh_identity_destroy(lh_identity_t *id)
{
    if (id == NULL)
        return;
    lh_hashmap_destroy(id->cache);
    pthread_mutex_destroy(&id->lock);
    free(id);
}

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    lh_identity_t *id = NULL;
    LH_TRY(lh_identity_create(ctx, &id, eb));
    ctx->identity = id;
    *state = id;
    return LH_OK;
}

static void area_destroy(void *state)
{
    lh_identity_t *id = state;
    if (id->ctx->identity == id)
        id->ctx->identity = NULL;
    lh_identity_destroy(id);
}

const lh_area_t lh_identity_area = {
    .name = "identity",
    .create = area_create,
    .routes = lh_identity_routes,
    .destroy = area_destroy,
};

void lh_identity_invalidate(lh_identity_t *id)
{
    pthread_mutex_lock(&id->lock);
    id->generation++;
    lh_hashmap_clear(id->cache);
    id->evict_at = 0;
    pthread_mutex_unlock(&id->lock);
    lh_perm_invalidate(id->ctx->perm); /* group closures may have changed */
}

size_t lh_identity_cache_count(lh_identity_t *id)
{
    pthread_mutex_lock(&id->lock);
    size_t n = lh_hashmap_count(id->cache);
    pthread_mutex_unlock(&id->lock);
    return n;
}

/* ---- helpers shared by the area ---- */

void lh_token_generate(char *out)
{
    memcpy(out, LH_TOKEN_PREFIX, 4);
    lh_random_hex(out + 4, LH_TOKEN_HEX_CHARS / 2);
}

bool lh_token_is_well_formed(const char *s)
{
    if (s == NULL || strlen(s) != LH_TOKEN_CHARS || strncmp(s, LH_TOKEN_PREFIX, 4) != 0)
        return false;
    for (const char *p = s + 4; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

lh_err lh_token_hash(const char *token, char out[65], lh_errbuf *eb)
{
    return lh_sha256_hex(token, strlen(token), out, eb);
}

int64_t lh_identity_new_id(void)
{
    uint64_t r;
    lh_random_bytes(&r, sizeof r);
    return (int64_t)(1000000000000000ULL + r % 8000000000000000ULL);
}

bool lh_identity_parse_id(const char *s, int64_t *out)
{
    if (s == NULL || *s == '\0' || strlen(s) > 18)
        return false;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return v > 0;
}

lh_err lh_identity_admins_group(lh_meta_t *m, int64_t *out, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT id FROM groups WHERE display_name = 'admins'", &st, eb));
    LH_TRY(lh_stmt_step(st, &row, eb));
    if (row) {
        *out = lh_stmt_int(st, 0);
        return LH_OK;
    }
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO groups(id, display_name, entitlements, created_at) "
                        "VALUES (?, 'admins', ?, ?)",
                        &st, eb));
    *out = lh_identity_new_id();
    lh_stmt_bind_int(st, 1, *out);
    lh_stmt_bind_text(st, 2, ALL_ENTITLEMENTS);
    lh_stmt_bind_int(st, 3, lh_now_ms());
    return lh_stmt_run(st, eb);
}

lh_err lh_identity_check_admin_left(lh_meta_t *m, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT count(*) FROM group_members gm JOIN groups g ON g.id = gm.group_id "
                        "JOIN users u ON u.id = gm.member_id WHERE g.display_name = 'admins' "
                        "AND gm.member_kind = 'user' AND u.active = 1",
                        &st, eb));
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(!row || lh_stmt_int(st, 0) < 1, LH_E_INVALID, eb,
               "The workspace must keep at least one active admin");
    return LH_OK;
}

/* ---- bootstrap ---- */

typedef struct {
    const char *hash;
} boot_arg;

static lh_err ensure_admin_user(lh_meta_t *m, int64_t *user_id, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT id FROM users WHERE user_name = 'admin'", &st, eb));
    LH_TRY(lh_stmt_step(st, &row, eb));
    if (row) {
        *user_id = lh_stmt_int(st, 0);
        return LH_OK;
    }
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO users(id, user_name, display_name, active, entitlements, "
                        "created_at) VALUES (?, 'admin', 'admin', 1, ?, ?)",
                        &st, eb));
    *user_id = lh_identity_new_id();
    lh_stmt_bind_int(st, 1, *user_id);
    lh_stmt_bind_text(st, 2, ALL_ENTITLEMENTS);
    lh_stmt_bind_int(st, 3, lh_now_ms());
    return lh_stmt_run(st, eb);
}

static lh_err bootstrap_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    boot_arg *a = arg;
    int64_t group_id = 0, user_id = 0;
    LH_TRY(lh_identity_admins_group(m, &group_id, eb));
    LH_TRY(ensure_admin_user(m, &user_id, eb));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "INSERT OR IGNORE INTO group_members(group_id, member_id, member_kind) "
                        "VALUES (?, ?, 'user')",
                        &st, eb));
    lh_stmt_bind_int(st, 1, group_id);
    lh_stmt_bind_int(st, 2, user_id);
    LH_TRY(lh_stmt_run(st, eb));
    LH_TRY(lh_meta_stmt(m,
                        "INSERT INTO tokens(token_id, token_hash, user_id, comment, creation_time, "
                        "expiry_time) VALUES (?, ?, ?, 'bootstrap admin token', ?, -1) "
                        "ON CONFLICT(token_hash) DO UPDATE SET user_id = excluded.user_id, "
                        "expiry_time = -1",
                        &st, eb));
    char token_id[65];
    lh_random_hex(token_id, 32);
    lh_stmt_bind_text(st, 1, token_id);
    lh_stmt_bind_text(st, 2, a->hash);
    lh_stmt_bind_int(st, 3, user_id);
    lh_stmt_bind_int(st, 4, lh_now_ms());
    return lh_stmt_run(st, eb);
}

/* Printable ASCII without spaces, 1..LH_TOKEN_TEXT_MAX chars. */
static bool token_text_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > LH_TOKEN_TEXT_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return false;
    return true;
}

/* Read token_file into out; *found false when the file does not exist or is empty. */
static lh_err read_token_file(const char *path, char *out, size_t out_size, bool *found,
                              lh_errbuf *eb)
{
    *found = false;
    FILE *f = fopen(path, "r");
    if (f == NULL && errno == ENOENT)
        return LH_OK;
    LH_FAIL_IF(f == NULL, LH_E_IO, eb, "cannot read %s: %s", path, strerror(errno));
    size_t n = fread(out, 1, out_size - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        out[--n] = '\0';
    if (n == 0)
        return LH_OK;
    LH_FAIL_IF(!token_text_ok(out), LH_E_INVALID, eb, "%s does not hold a valid token", path);
    *found = true;
    return LH_OK;
}

static lh_err write_token_file(const char *path, const char *token, lh_errbuf *eb)
{
    char tmp[4200];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    LH_FAIL_IF(w < 0 || (size_t)w >= sizeof tmp, LH_E_INVALID, eb, "token file path too long");
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    LH_FAIL_IF(fd < 0, LH_E_IO, eb, "cannot create %s: %s", tmp, strerror(errno));
    char line[LH_TOKEN_TEXT_MAX + 2];
    int n = snprintf(line, sizeof line, "%s\n", token);
    bool ok = fchmod(fd, 0600) == 0 && write(fd, line, (size_t)n) == n && fsync(fd) == 0;
    ok = (close(fd) == 0) && ok;
    if (ok && rename(tmp, path) == 0)
        return LH_OK;
    int err = errno;
    unlink(tmp);
    LH_FAIL(LH_E_IO, eb, "cannot write %s: %s", path, strerror(err));
}

static lh_err choose_token(const char *env_token, const char *token_file, char *token,
                           size_t token_size, lh_errbuf *eb)
{
    if (env_token != NULL && env_token[0] != '\0') {
        LH_FAIL_IF(!token_text_ok(env_token), LH_E_INVALID, eb,
                   "LAKEHOUSE_ADMIN_TOKEN must be 1..%d printable characters without spaces",
                   LH_TOKEN_TEXT_MAX);
        snprintf(token, token_size, "%s", env_token);
        return LH_OK;
    }
    bool found = false;
    LH_TRY(read_token_file(token_file, token, token_size, &found, eb));
    if (found)
        return LH_OK;
    lh_token_generate(token);
    LH_TRY(write_token_file(token_file, token, eb));
    lh_log(LH_LOG_INFO, "generated the admin token in %s", token_file);
    return LH_OK;
}

lh_err lh_identity_bootstrap(lh_identity_t *id, const char *env_token, const char *token_file,
                             char *out, size_t out_size, lh_errbuf *eb)
{
    LH_ASSERT(out_size >= 64);
    char token[LH_TOKEN_TEXT_MAX + 1];
    LH_TRY(choose_token(env_token, token_file, token, sizeof token, eb));
    LH_FAIL_IF(strlen(token) >= out_size, LH_E_INVALID, eb, "admin token longer than %zu chars",
               out_size - 1);
    char hash[65];
    LH_TRY(lh_token_hash(token, hash, eb));
    boot_arg a = {hash};
    LH_TRY(lh_meta_tx(id->meta, bootstrap_tx, &a, eb));
    lh_identity_invalidate(id);
    snprintf(out, out_size, "%s", token);
    return LH_OK;
}

/* ---- authenticate ---- */

typedef struct {
    const char *hash;
    bool found;
    lh_auth_slot slot; /* user_name points into arena */
    bool active;
    lh_arena_t *arena;
} auth_arg;

static lh_err auth_lookup(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    auth_arg *a = arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT t.expiry_time, u.id, u.user_name, u.active, EXISTS (SELECT 1 "
                        "FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE "
                        "g.display_name = 'admins' AND gm.member_kind = 'user' AND gm.member_id "
                        "= u.id), u.kind FROM tokens t JOIN users u ON u.id = t.user_id "
                        "WHERE t.token_hash = ?",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->hash);
    LH_TRY(lh_stmt_step(st, &a->found, eb));
    if (!a->found)
        return LH_OK;
    a->slot.expiry_ms = lh_stmt_int(st, 0);
    a->slot.user_id = lh_stmt_int(st, 1);
    a->slot.user_name = lh_arena_strdup(a->arena, lh_stmt_text(st, 2));
    a->active = lh_stmt_int(st, 3) != 0;
    a->slot.is_admin = lh_stmt_int(st, 4) != 0;
    a->slot.is_service_principal = strcmp(lh_stmt_text(st, 5), "service_principal") == 0;
    return LH_OK;
}

static bool cache_get(lh_identity_t *id, const char *hash, lh_arena_t *arena, lh_auth_slot *out,
                      uint64_t *generation)
{
    pthread_mutex_lock(&id->lock);
    const lh_auth_slot *s = lh_hashmap_get(id->cache, hash);
    if (s != NULL) {
        *out = *s;
        out->user_name = lh_arena_strdup(arena, s->user_name);
    }
    *generation = id->generation;
    pthread_mutex_unlock(&id->lock);
    return s != NULL;
}

/* Make room for one entry (lock held): the cursor's next entry goes, wrapping around. */
static void evict_one(lh_identity_t *id)
{
    void *key = NULL;
    if (!lh_hashmap_next(id->cache, &id->evict_at, &key, NULL)) {
        id->evict_at = 0;
        if (!lh_hashmap_next(id->cache, &id->evict_at, &key, NULL))
            return;
    }
    lh_hashmap_remove(id->cache, key);
}

static void cache_put(lh_identity_t *id, const char *hash, const lh_auth_slot *v,
                      uint64_t generation)
{
    lh_auth_slot *e = malloc(sizeof *e);
    char *key = strdup(hash), *name = strdup(v->user_name);
    if (e == NULL || key == NULL || name == NULL) { /* the cache is an optimisation */
        free(e);
        free(key);
        free(name);
        return;
    }
    *e = *v;
    e->user_name = name;
    pthread_mutex_lock(&id->lock);
    bool stored = false;
    if (id->generation == generation) {
        if (lh_hashmap_count(id->cache) >= LH_IDENTITY_CACHE_MAX &&
            !lh_hashmap_find(id->cache, key, NULL))
            evict_one(id);
        stored = lh_hashmap_put(id->cache, key, e, NULL) == LH_OK;
    }
    pthread_mutex_unlock(&id->lock);
    if (!stored) {
        free_entry(e);
        free(key);
    }
}

lh_err lh_identity_authenticate(lh_identity_t *id, const char *token, lh_arena_t *arena,
                                lh_principal_t *out, lh_errbuf *eb)
{
    LH_FAIL_IF(token == NULL || !token_text_ok(token), LH_E_UNAUTHENTICATED, eb,
               "Invalid access token.");
    char hash[65];
    LH_TRY(lh_token_hash(token, hash, eb));
    lh_auth_slot v;
    uint64_t generation = 0;
    if (!cache_get(id, hash, arena, &v, &generation)) {
        auth_arg a = {.hash = hash, .arena = arena};
        LH_TRY(lh_meta_read(id->meta, auth_lookup, &a, eb));
        LH_FAIL_IF(!a.found, LH_E_UNAUTHENTICATED, eb, "Invalid access token.");
        LH_FAIL_IF(!a.active, LH_E_UNAUTHENTICATED, eb, "User %s is not active.", a.slot.user_name);
        v = a.slot;
        cache_put(id, hash, &v, generation);
    }
    LH_FAIL_IF(v.expiry_ms >= 0 && lh_now_ms() >= v.expiry_ms, LH_E_UNAUTHENTICATED, eb,
               "Token expired");
    out->user_id = v.user_id;
    out->user_name = v.user_name;
    out->is_admin = v.is_admin;
    out->is_service_principal = v.is_service_principal;
    return LH_OK;
}
