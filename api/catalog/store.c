/*
 * store.c - the generic object store under every Unity Catalog securable.
 *
 * A row is its key columns (catalog [, schema [, name]]) plus `info`, the object's JSON
 * without the fields its key determines (name, full_name, catalog_name, schema_name),
 * which uc_render adds back. One uc_kind_def row per kind holds its SQL and its wire
 * words, so create/get/list/update/delete are written once (ops.c) for all five kinds.
 * Only valid inside a metastore callback.
 */
#include <string.h>

#include "api/catalog/catalog_internal.h"
#include "common/json.h"
#include "common/util.h"

#define LEAF_SQL(t)                                                                                \
    .sql_get = "SELECT info FROM " t " WHERE catalog = ?1 AND schema = ?2 AND name = ?3",          \
    .sql_insert = "INSERT INTO " t " (catalog, schema, name, info) VALUES (?1, ?2, ?3, ?4)",       \
    .sql_update = "UPDATE " t " SET info = ?4 WHERE catalog = ?1 AND schema = ?2 AND name = ?3",   \
    .sql_delete = "DELETE FROM " t " WHERE catalog = ?1 AND schema = ?2 AND name = ?3",            \
    .sql_rename = "UPDATE " t " SET name = ?4 WHERE catalog = ?1 AND schema = ?2 AND name = ?3",   \
    .sql_page = "SELECT name, info FROM " t " WHERE catalog = ?1 AND schema = ?2 AND ",            \
    .sql_count = "SELECT count(*) FROM " t " WHERE catalog = ?1 AND schema = ?2"

const uc_kind_def uc_kinds[UC_KIND_COUNT] = {
    [UC_CATALOG] = {"Catalog", "CATALOG_DOES_NOT_EXIST", "CATALOG_ALREADY_EXISTS", NULL, "catalogs",
                    "CATALOG", 1, .sql_get = "SELECT info FROM uc_catalogs WHERE name = ?1",
                    .sql_insert = "INSERT INTO uc_catalogs (name, info) VALUES (?1, ?4)",
                    .sql_update = "UPDATE uc_catalogs SET info = ?4 WHERE name = ?1",
                    .sql_delete = "DELETE FROM uc_catalogs WHERE name = ?1",
                    .sql_rename = "UPDATE uc_catalogs SET name = ?4 WHERE name = ?1",
                    .sql_page = "SELECT name, info FROM uc_catalogs WHERE ",
                    .sql_count = "SELECT count(*) FROM uc_catalogs"},
    [UC_SCHEMA] = {"Schema", "SCHEMA_DOES_NOT_EXIST", "SCHEMA_ALREADY_EXISTS", "schema_id",
                   "schemas", "SCHEMA", 2,
                   .sql_get = "SELECT info FROM uc_schemas WHERE catalog = ?1 AND name = ?2",
                   .sql_insert = "INSERT INTO uc_schemas (catalog, name, info) VALUES (?1, ?2, ?4)",
                   .sql_update = "UPDATE uc_schemas SET info = ?4 WHERE catalog = ?1 AND name = ?2",
                   .sql_delete = "DELETE FROM uc_schemas WHERE catalog = ?1 AND name = ?2",
                   .sql_rename = "UPDATE uc_schemas SET name = ?4 WHERE catalog = ?1 AND name = ?2",
                   .sql_page = "SELECT name, info FROM uc_schemas WHERE catalog = ?1 AND ",
                   .sql_count = "SELECT count(*) FROM uc_schemas WHERE catalog = ?1"},
    [UC_TABLE] = {"Table", "TABLE_DOES_NOT_EXIST", "TABLE_ALREADY_EXISTS", "table_id", "tables",
                  "TABLE", 3, LEAF_SQL("uc_tables")},
    [UC_VOLUME] = {"Volume", "RESOURCE_DOES_NOT_EXIST", "RESOURCE_ALREADY_EXISTS", "volume_id",
                   "volumes", "VOLUME", 3, LEAF_SQL("uc_volumes")},
    [UC_FUNCTION] = {"Function", "RESOURCE_DOES_NOT_EXIST", "RESOURCE_ALREADY_EXISTS",
                     "function_id", "functions", "FUNCTION", 3, LEAF_SQL("uc_functions")},
};

static void bind_key(lh_stmt_t *st, const uc_key *key)
{
    for (int i = 0; i < key->n; i++)
        lh_stmt_bind_text(st, i + 1, key->part[i]);
}

static lh_err prepare(lh_meta_t *m, const char *sql, const uc_key *key, lh_stmt_t **st,
                      lh_errbuf *eb)
{
    LH_TRY(lh_meta_stmt(m, sql, st, eb));
    bind_key(*st, key);
    return LH_OK;
}

static lh_err parse_info(const char *text, json_t **info, lh_errbuf *eb)
{
    *info = json_loads(text != NULL ? text : "", 0, NULL);
    LH_FAIL_IF(!json_is_object(*info), LH_E_CORRUPT, eb, "catalog row holds malformed JSON");
    return LH_OK;
}

lh_err uc_row_get(lh_meta_t *m, uc_kind kind, const uc_key *key, json_t **info, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(prepare(m, uc_kinds[kind].sql_get, key, &st, eb));
    LH_TRY(lh_stmt_step(st, &row, eb));
    if (!row) {
        char full[3 * (UC_NAME_MAX + 1)];
        snprintf(full, sizeof full, "%s%s%s%s%s", key->part[0], key->n > 1 ? "." : "",
                 key->n > 1 ? key->part[1] : "", key->n > 2 ? "." : "",
                 key->n > 2 ? key->part[2] : "");
        return uc_not_found(eb, kind, full);
    }
    return parse_info(lh_stmt_text(st, 0), info, eb);
}

lh_err uc_row_exists(lh_meta_t *m, uc_kind kind, const uc_key *key, bool *exists, lh_errbuf *eb)
{
    lh_stmt_t *st;
    *exists = false;
    LH_TRY(prepare(m, uc_kinds[kind].sql_get, key, &st, eb));
    return lh_stmt_step(st, exists, eb);
}

static lh_err write_info(lh_meta_t *m, const char *sql, const uc_key *key, const json_t *info,
                         lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(prepare(m, sql, key, &st, eb));
    size_t n;
    char *text = lh_json_write(info, &n);
    LH_FAIL_IF(text == NULL, LH_E_NOMEM, eb, "out of memory");
    lh_stmt_bind_text(st, 4, text);
    free(text);
    return lh_stmt_run(st, eb);
}

lh_err uc_row_insert(lh_meta_t *m, uc_kind kind, const uc_key *key, const json_t *info,
                     lh_errbuf *eb)
{
    bool taken;
    LH_TRY(uc_row_exists(m, kind, key, &taken, eb));
    if (taken) {
        char full[3 * (UC_NAME_MAX + 1)];
        snprintf(full, sizeof full, "%s%s%s%s%s", key->part[0], key->n > 1 ? "." : "",
                 key->n > 1 ? key->part[1] : "", key->n > 2 ? "." : "",
                 key->n > 2 ? key->part[2] : "");
        return uc_exists(eb, kind, full);
    }
    return write_info(m, uc_kinds[kind].sql_insert, key, info, eb);
}

lh_err uc_row_update(lh_meta_t *m, uc_kind kind, const uc_key *key, const json_t *info,
                     lh_errbuf *eb)
{
    return write_info(m, uc_kinds[kind].sql_update, key, info, eb);
}

lh_err uc_row_delete(lh_meta_t *m, uc_kind kind, const uc_key *key, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(prepare(m, uc_kinds[kind].sql_delete, key, &st, eb));
    return lh_stmt_run(st, eb);
}

lh_err uc_row_rename(lh_meta_t *m, uc_kind kind, const uc_key *key, const char *new_name,
                     lh_errbuf *eb)
{
    uc_key to = *key;
    to.part[key->n - 1] = new_name;
    bool taken;
    LH_TRY(uc_row_exists(m, kind, &to, &taken, eb));
    if (taken)
        return uc_exists(eb, kind, new_name);
    lh_stmt_t *st;
    LH_TRY(prepare(m, uc_kinds[kind].sql_rename, key, &st, eb));
    lh_stmt_bind_text(st, 4, new_name);
    return lh_stmt_run(st, eb);
}

lh_err uc_row_page(lh_meta_t *m, uc_kind kind, const uc_key *parent, lh_page_t *page,
                   lh_arena_t *arena, uc_row_fn fn, void *arg, lh_errbuf *eb)
{
    const char *sql = lh_arena_sprintf(arena, "%s%s ORDER BY %s LIMIT ?%d", uc_kinds[kind].sql_page,
                                       page != NULL ? lh_page_sql_where(page, 3) : "1",
                                       page != NULL ? lh_page_sql_order(page) : "name",
                                       page != NULL ? 3 + (int)strlen(page->spec->keys) : 3);
    lh_stmt_t *st;
    LH_TRY(prepare(m, sql, parent, &st, eb));
    int next = page != NULL ? lh_page_bind(page, st, 3) : 3;
    lh_stmt_bind_int(st, next, page != NULL ? page->fetch : -1);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        if (!row)
            return LH_OK;
        lh_page_key key[LH_PAGE_KEYS_MAX] = {{.s = lh_stmt_text(st, 0)}};
        if (page != NULL && !lh_page_take(page, key))
            return LH_OK;
        json_t *info;
        LH_TRY(parse_info(lh_stmt_text(st, 1), &info, eb));
        lh_err e = fn(arg, lh_stmt_text(st, 0), info, eb);
        json_decref(info);
        LH_TRY(e);
    }
}

lh_err uc_row_count(lh_meta_t *m, uc_kind kind, const uc_key *parent, int64_t *count, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row = false;
    LH_TRY(prepare(m, uc_kinds[kind].sql_count, parent, &st, eb));
    LH_TRY(lh_stmt_step(st, &row, eb));
    *count = row ? lh_stmt_int(st, 0) : 0;
    return LH_OK;
}

json_t *uc_info_new(uc_kind kind, const char *who)
{
    json_t *info = json_object();
    int64_t now = lh_now_ms();
    if (uc_kinds[kind].id_field != NULL) {
        char id[37];
        lh_uuid4(id);
        lh_json_set_str(info, uc_kinds[kind].id_field, id);
    }
    lh_json_set_str(info, "owner", who);
    lh_json_set_str(info, "metastore_id", UC_METASTORE_ID);
    lh_json_set_int(info, "created_at", now);
    lh_json_set_str(info, "created_by", who);
    lh_json_set_int(info, "updated_at", now);
    lh_json_set_str(info, "updated_by", who);
    lh_json_set_str(info, "securable_type", uc_kinds[kind].securable_type);
    return info;
}

void uc_info_touch(json_t *info, const char *who)
{
    lh_json_set_int(info, "updated_at", lh_now_ms());
    lh_json_set_str(info, "updated_by", who);
}

json_t *uc_render(uc_kind kind, const uc_key *key, const json_t *info)
{
    json_t *o = json_deep_copy(info);
    int n = uc_kinds[kind].depth;
    lh_json_set_str(o, "name", key->part[n - 1]);
    char full[3 * (UC_NAME_MAX + 1)];
    snprintf(full, sizeof full, "%s%s%s%s%s", key->part[0], n > 1 ? "." : "",
             n > 1 ? key->part[1] : "", n > 2 ? "." : "", n > 2 ? key->part[2] : "");
    lh_json_set_str(o, "full_name", full);
    if (n > 1)
        lh_json_set_str(o, "catalog_name", key->part[0]);
    if (n > 2)
        lh_json_set_str(o, "schema_name", key->part[1]);
    if (kind == UC_FUNCTION)
        lh_json_set_str(o, "specific_name", key->part[2]);
    if (!json_is_object(json_object_get(o, "properties")) && kind != UC_FUNCTION)
        json_object_set_new(o, "properties", json_object());
    return o;
}
