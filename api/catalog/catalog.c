/*
 * catalog.c - the catalog area: start-up (the default catalogs, seeded once), name rules,
 * the Unity Catalog error codes, page tokens and managed-file removal.
 *
 * Seeding runs in one transaction guarded by the settings row `uc.seeded`, so `main` and
 * `hive_metastore` appear on the first start only: a user who drops them keeps them
 * dropped across restarts.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/catalog/catalog_internal.h"
#include "common/json.h"
#include "common/util.h"

/* ---- names ---- */

lh_err uc_name(const char *what, const char *name, char *out, lh_errbuf *eb)
{
    size_t n = name != NULL ? strlen(name) : 0;
    LH_FAIL_IF(n == 0 || n > UC_NAME_MAX, LH_E_INVALID, eb,
               "Invalid %s name '%s': names must be 1 to %d characters long", what,
               name != NULL ? name : "", UC_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        LH_FAIL_IF(ch == '.' || ch == ' ' || ch == '/' || ch < 0x20 || ch == 0x7f, LH_E_INVALID, eb,
                   "Invalid %s name '%s': names cannot contain a period, a space, a forward "
                   "slash or control characters",
                   what, name);
        out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    out[n] = '\0';
    return LH_OK;
}

static const char *const LEVEL_WHAT[3] = {"catalog", "schema", "object"};

lh_err uc_parse_full(lh_arena_t *arena, const char *full_name, int depth, uc_key *key,
                     lh_errbuf *eb)
{
    LH_FAIL_IF(full_name == NULL || *full_name == '\0', LH_E_INVALID, eb,
               "a full name is required");
    key->n = 0;
    const char *p = full_name;
    while (key->n < depth) {
        const char *dot = key->n < depth - 1 ? strchr(p, '.') : NULL;
        LH_FAIL_IF(key->n < depth - 1 && dot == NULL, LH_E_INVALID, eb,
                   "Invalid full name '%s': expected %d dot-separated parts", full_name, depth);
        size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
        char *part = lh_arena_alloc(arena, UC_NAME_MAX + 1);
        char *raw = lh_arena_strndup(arena, p, len);
        LH_TRY(uc_name(LEVEL_WHAT[key->n < 2 ? key->n : 2], raw, part, eb));
        key->part[key->n++] = part;
        p = dot != NULL ? dot + 1 : p + len;
    }
    return LH_OK;
}

const char *uc_full_name(lh_arena_t *arena, const uc_key *key, int n)
{
    if (n == 1)
        return lh_arena_strdup(arena, key->part[0]);
    if (n == 2)
        return lh_arena_sprintf(arena, "%s.%s", key->part[0], key->part[1]);
    return lh_arena_sprintf(arena, "%s.%s.%s", key->part[0], key->part[1], key->part[2]);
}

lh_err uc_not_found(lh_errbuf *eb, uc_kind kind, const char *full_name)
{
    return lh_err_set_code(eb, LH_E_NOT_FOUND, uc_kinds[kind].not_found_code, __FILE__, __LINE__,
                           "%s '%s' does not exist.", uc_kinds[kind].label, full_name);
}

lh_err uc_exists(lh_errbuf *eb, uc_kind kind, const char *full_name)
{
    return lh_err_set_code(eb, LH_E_EXISTS, uc_kinds[kind].exists_code, __FILE__, __LINE__,
                           "%s '%s' already exists", uc_kinds[kind].label, full_name);
}

/* ---- files ---- */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0 && errno != ENOENT)
        lh_log(LH_LOG_WARN, "catalog: cannot remove %s: %s", path, strerror(errno));
    return 0;
}

void uc_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *uc_dir(lh_arena_t *arena, const char *base, const uc_key *key, int n)
{
    const char *out = base;
    for (int i = 0; i < n; i++)
        out = lh_arena_sprintf(arena, "%s/%s", out, key->part[i]);
    return out;
}

lh_err uc_mkdirs(const char *path, lh_errbuf *eb)
{
    char buf[UC_PATH_MAX];
    int w = snprintf(buf, sizeof buf, "%s", path);
    LH_FAIL_IF(w < 0 || (size_t)w >= sizeof buf, LH_E_INVALID, eb, "path too long");
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            LH_FAIL(errno == ENOTDIR ? LH_E_EXISTS : LH_E_IO, eb, "cannot create directory %s: %s",
                    buf, strerror(errno));
        *p = saved;
        if (saved == '\0')
            break;
    }
    struct stat st;
    LH_FAIL_IF(stat(path, &st) != 0, LH_E_IO, eb, "cannot create directory %s: %s", path,
               strerror(errno));
    LH_FAIL_IF(!S_ISDIR(st.st_mode), LH_E_EXISTS, eb, "%s is a file, not a directory", path);
    return LH_OK;
}

/* ---- start-up ---- */

static lh_err seed_catalog(lh_meta_t *m, const char *name, const char *comment, lh_errbuf *eb)
{
    uc_key key = {{name, NULL, NULL}, 1};
    bool seeded;
    LH_TRY(uc_row_exists(m, UC_CATALOG, &key, &seeded, eb));
    if (seeded)
        return LH_OK;
    json_t *info = uc_info_new(UC_CATALOG, "System user");
    lh_json_set_str(info, "comment", comment);
    lh_json_set_str(info, "catalog_type", "MANAGED_CATALOG");
    lh_json_set_str(info, "isolation_mode", "OPEN");
    lh_err e = uc_row_insert(m, UC_CATALOG, &key, info, eb);
    json_decref(info);
    LH_TRY(e);
    static const char *const schemas[] = {"default", "information_schema"};
    for (int i = 0; i < 2; i++) {
        uc_key sk = {{name, schemas[i], NULL}, 2};
        json_t *si = uc_info_new(UC_SCHEMA, "System user");
        e = uc_row_insert(m, UC_SCHEMA, &sk, si, eb);
        json_decref(si);
        LH_TRY(e);
    }
    return LH_OK;
}

static lh_err seed(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    (void)arg;
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "SELECT 1 FROM settings WHERE key = 'uc.seeded'", &st, eb));
    bool seeded = false;
    LH_TRY(lh_stmt_step(st, &seeded, eb));
    if (seeded)
        return LH_OK;
    LH_TRY(seed_catalog(m, "main", "Main catalog (auto-created)", eb));
    LH_TRY(seed_catalog(m, "hive_metastore", "The legacy Hive metastore name", eb));
    LH_TRY(lh_meta_stmt(m, "INSERT INTO settings (key, value) VALUES ('uc.seeded', '1')", &st, eb));
    return lh_stmt_run(st, eb);
}

lh_err lh_catalog_create(lh_ctx_t *ctx, lh_catalog_t **out, lh_errbuf *eb)
{
    lh_catalog_t *c = calloc(1, sizeof *c);
    LH_FAIL_IF(c == NULL, LH_E_NOMEM, eb, "out of memory");
    c->ctx = ctx;
    c->meta = ctx->meta;
    snprintf(c->warehouse_dir, sizeof c->warehouse_dir, "%s/warehouse", ctx->data_dir);
    snprintf(c->volumes_dir, sizeof c->volumes_dir, "%s/volumes", ctx->data_dir);
    lh_catalog_resolver_init(c);
    lh_err e = lh_meta_tx(c->meta, seed, NULL, eb);
    if (e != LH_OK) {
        free(c);
        return e;
    }
    *out = c;
    return LH_OK;
}

void lh_catalog_destroy(lh_catalog_t *c)
{
    free(c);
}

const lh_resolver_t *lh_catalog_resolver(lh_catalog_t *c)
{
    return &c->resolver;
}

lh_catalog_t *uc_of(const lh_req_t *req)
{
    return (lh_catalog_t *)req->ctx->resolver->ctx;
}

static lh_err area_create(lh_ctx_t *ctx, void **state, lh_errbuf *eb)
{
    lh_catalog_t *c;
    LH_TRY(lh_catalog_create(ctx, &c, eb));
    ctx->resolver = &c->resolver;
    *state = c;
    return LH_OK;
}

static void area_destroy(void *state)
{
    lh_catalog_t *c = state;
    c->ctx->resolver = NULL;
    lh_catalog_destroy(c);
}

const lh_area_t lh_catalog_area = {
    .name = "catalog",
    .create = area_create,
    .routes = lh_catalog_routes,
    .destroy = area_destroy,
};
