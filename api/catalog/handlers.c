/*
 * handlers.c - the REST side of Unity Catalog (/api/2.1/unity-catalog): parse, call ops.c,
 * answer the SDK's shapes.
 *
 *   POST catalogs {name*, comment, properties, storage_root, ...}     -> CatalogInfo
 *   GET  catalogs ?max_results, page_token                            -> {catalogs,
 * next_page_token} GET|PATCH|DELETE catalogs/{name}   (PATCH {new_name, comment, owner, properties,
 * ...}; DELETE ?force) POST schemas {name*, catalog_name*, comment, properties, storage_root} ->
 * SchemaInfo GET  schemas ?catalog_name*, max_results, page_token GET|PATCH|DELETE
 * schemas/{full_name}   (DELETE ?force) POST tables {name*, catalog_name*, schema_name*,
 * table_type* EXTERNAL, data_source_format* DELTA, storage_location*, columns, properties} (as
 * Databricks: this API creates external Delta tables only; managed tables and views come from SQL)
 *   GET  tables ?catalog_name*, schema_name*, max_results, page_token, omit_columns,
 *               omit_properties, omit_username
 *   GET|PATCH|DELETE tables/{full_name}, GET tables/{full_name}/exists -> {table_exists}
 *   GET  table-summaries ?catalog_name*, schema_name_pattern, table_name_pattern, max_results,
 *        page_token -> {tables: [{full_name, table_type}], next_page_token}
 *   POST volumes {catalog_name*, schema_name*, name*, volume_type* MANAGED|EXTERNAL,
 *                 storage_location (EXTERNAL only), comment}   GET volumes ?catalog_name*,
 *        schema_name*; GET|PATCH|DELETE volumes/{name}
 *   POST functions {function_info*}; GET functions ?catalog_name*, schema_name*;
 *        GET|PATCH|DELETE functions/{name}
 *   GET  metastore_summary, current-metastore-assignment
 * Authorization (until Unity Catalog grants exist): metadata reads are open to every user;
 * catalogs are created by admins; other changes need an admin or the owner of the object
 * or of a parent (uc_require_owner).
 * Paging (api/page.h): max_results absent or 0 = the server's page (LH_PAGE_SIZE_MAX rows);
 * n > 0 = min(n, that); negative 400; a next_page_token means more may follow.
 */
#include <string.h>

#include "api/catalog/catalog_internal.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

static const char *who(const lh_req_t *req)
{
    return req->principal != NULL ? req->principal->user_name : "System user";
}

static uc_kind kind_of(const lh_req_t *req)
{
    return (uc_kind)(intptr_t)req->route->data;
}

/* A name field of the params, lower-cased and validated, in the arena. */
static lh_err name_param(lh_req_t *req, const char *field, const char **out, lh_errbuf *eb)
{
    const char *raw;
    LH_TRY(lh_json_get_str(req->params, field, LH_REQUIRED, &raw, eb));
    char *buf = lh_arena_alloc(req->arena, UC_NAME_MAX + 1);
    LH_TRY(uc_name(field, raw, buf, eb));
    *out = buf;
    return LH_OK;
}

/* The key of a leaf or schema from catalog_name [, schema_name] and name fields. */
static lh_err key_params(lh_req_t *req, int depth, const char *name_field, uc_key *key,
                         lh_errbuf *eb)
{
    static const char *const FIELDS[2] = {"catalog_name", "schema_name"};
    key->n = depth;
    for (int i = 0; i < depth - 1; i++)
        LH_TRY(name_param(req, FIELDS[i], &key->part[i], eb));
    if (name_field != NULL)
        LH_TRY(name_param(req, name_field, &key->part[depth - 1], eb));
    else
        key->n = depth - 1;
    return LH_OK;
}

/* A new leaf's key from params (catalog_name, schema_name, name), after checking that the
 * caller owns the schema or its catalog. */
static lh_err leaf_key(lh_req_t *req, json_t *params, uc_key *key, lh_errbuf *eb)
{
    lh_req_t sub = *req;
    sub.params = params;
    LH_TRY(key_params(&sub, 3, NULL, key, eb));
    LH_TRY(uc_require_owner(uc_of(req), req->principal, UC_SCHEMA, key, eb));
    return key_params(&sub, 3, "name", key, eb);
}

static lh_err path_key(lh_req_t *req, uc_key *key, lh_errbuf *eb)
{
    return uc_parse_full(req->arena, lh_req_path_param(req, 0), uc_kinds[kind_of(req)].depth, key,
                         eb);
}

/* Copy the listed optional fields of params into info. */
static void copy_fields(json_t *info, const json_t *params, const char *const *fields, int n)
{
    for (int i = 0; i < n; i++) {
        json_t *v = json_object_get(params, fields[i]);
        if (v != NULL && !json_is_null(v))
            json_object_set(info, fields[i], v);
    }
}

static lh_err check_properties(const json_t *params, lh_errbuf *eb)
{
    json_t *p = json_object_get(params, "properties");
    LH_FAIL_IF(p != NULL && !json_is_null(p) && !json_is_object(p), LH_E_INVALID, eb,
               "properties must be an object of strings");
    return LH_OK;
}

/* ---- create ---- */

static lh_err h_catalog_create(lh_req_t *req, lh_errbuf *eb)
{
    LH_TRY(lh_req_require_admin(req, eb)); /* metastore admins create catalogs */
    uc_key key = {{NULL, NULL, NULL}, 1};
    LH_TRY(name_param(req, "name", &key.part[0], eb));
    LH_TRY(check_properties(req->params, eb));
    static const char *const F[] = {"comment",    "properties", "storage_root",   "provider_name",
                                    "share_name", "options",    "connection_name"};
    json_t *info = json_object();
    copy_fields(info, req->params, F, 7);
    lh_err e = uc_create(uc_of(req), UC_CATALOG, who(req), &key, info, false, &req->out, eb);
    json_decref(info);
    return e;
}

static lh_err h_schema_create(lh_req_t *req, lh_errbuf *eb)
{
    uc_key key;
    LH_TRY(key_params(req, 2, NULL, &key, eb));
    LH_TRY(uc_require_owner(uc_of(req), req->principal, UC_CATALOG, &key, eb));
    LH_TRY(key_params(req, 2, "name", &key, eb));
    LH_TRY(check_properties(req->params, eb));
    static const char *const F[] = {"comment", "properties", "storage_root"};
    json_t *info = json_object();
    copy_fields(info, req->params, F, 3);
    lh_err e = uc_create(uc_of(req), UC_SCHEMA, who(req), &key, info, false, &req->out, eb);
    json_decref(info);
    return e;
}

/* An absolute local directory from a storage_location (a path or a file:// URI). */
static lh_err local_location(lh_req_t *req, const char *location, const char **dir, lh_errbuf *eb)
{
    const char *p = strncmp(location, "file://", 7) == 0 ? location + 7 : location;
    LH_FAIL_IF(*p != '/', LH_E_INVALID, eb,
               "storage_location '%s' must be an absolute local path or a file:// URI "
               "(object storage is not supported by this build)",
               location);
    LH_FAIL_IF(strstr(p, "/../") != NULL ||
                   strcmp(p + strlen(p) - (strlen(p) >= 3 ? 3 : 0), "/..") == 0,
               LH_E_INVALID, eb, "storage_location '%s' must not contain '..'", location);
    *dir = lh_arena_strdup(req->arena, p);
    return LH_OK;
}

static lh_err h_table_create(lh_req_t *req, lh_errbuf *eb)
{
    uc_key key;
    LH_TRY(leaf_key(req, req->params, &key, eb));
    const char *type, *format, *location, *dir;
    LH_TRY(lh_json_get_str(req->params, "table_type", LH_REQUIRED, &type, eb));
    LH_TRY(lh_json_get_str(req->params, "data_source_format", LH_REQUIRED, &format, eb));
    LH_TRY(lh_json_get_str(req->params, "storage_location", LH_REQUIRED, &location, eb));
    LH_FAIL_IF(strcmp(type, "EXTERNAL") != 0 || strcmp(format, "DELTA") != 0, LH_E_INVALID, eb,
               "The Create Table API only creates external Delta tables (table_type EXTERNAL, "
               "data_source_format DELTA); create managed tables and views with SQL");
    LH_TRY(local_location(req, location, &dir, eb));
    LH_TRY(check_properties(req->params, eb));
    json_t *cols = json_object_get(req->params, "columns");
    LH_FAIL_IF(cols != NULL && !json_is_null(cols) && !json_is_array(cols), LH_E_INVALID, eb,
               "columns must be an array");
    json_t *info = json_object();
    static const char *const F[] = {"comment", "properties", "table_type", "data_source_format"};
    copy_fields(info, req->params, F, 4);
    lh_json_set_str(info, "storage_location", dir);
    json_t *copy = json_is_array(cols) ? json_deep_copy(cols) : json_array();
    json_object_set_new(info, "columns", copy);
    lh_err e = LH_OK;
    for (size_t i = 0; e == LH_OK && i < json_array_size(copy); i++)
        e = uc_column_normalize(json_array_get(copy, i), (int)i, eb);
    if (e == LH_OK)
        e = uc_create(uc_of(req), UC_TABLE, who(req), &key, info, false, &req->out, eb);
    json_decref(info);
    return e;
}

static lh_err h_volume_create(lh_req_t *req, lh_errbuf *eb)
{
    uc_key key;
    LH_TRY(leaf_key(req, req->params, &key, eb));
    const char *type, *location = NULL, *dir = NULL;
    LH_TRY(lh_json_get_str(req->params, "volume_type", LH_REQUIRED, &type, eb));
    LH_TRY(lh_json_get_str(req->params, "storage_location", LH_OPTIONAL, &location, eb));
    bool external = strcmp(type, "EXTERNAL") == 0;
    LH_FAIL_IF(!external && strcmp(type, "MANAGED") != 0, LH_E_INVALID, eb,
               "volume_type must be MANAGED or EXTERNAL, not '%s'", type);
    LH_FAIL_IF(external && location == NULL, LH_E_INVALID, eb,
               "storage_location is required for an EXTERNAL volume");
    LH_FAIL_IF(!external && location != NULL, LH_E_INVALID, eb,
               "storage_location must not be given for a MANAGED volume");
    if (external)
        LH_TRY(local_location(req, location, &dir, eb));
    json_t *info = json_object();
    static const char *const F[] = {"comment"};
    copy_fields(info, req->params, F, 1);
    lh_json_set_str(info, "volume_type", type);
    lh_json_set_str(info, "storage_location", dir);
    lh_err e = uc_create(uc_of(req), UC_VOLUME, who(req), &key, info, false, &req->out, eb);
    json_decref(info);
    return e;
}

static lh_err h_function_create(lh_req_t *req, lh_errbuf *eb)
{
    json_t *fi;
    LH_TRY(lh_json_get_object(req->params, "function_info", LH_REQUIRED, &fi, eb));
    uc_key key;
    LH_TRY(leaf_key(req, fi, &key, eb));
    json_t *info = json_deep_copy(fi);
    static const char *const DROP[] = {"name", "catalog_name", "schema_name", "full_name"};
    for (int i = 0; i < 4; i++)
        json_object_del(info, DROP[i]);
    json_t *defaults =
        json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "routine_body", "SQL", "security_type",
                  "DEFINER", "parameter_style", "S", "sql_data_access", "CONTAINS_SQL",
                  "is_deterministic", 1, "is_null_call", 0);
    json_object_update_missing(info, defaults);
    json_decref(defaults);
    lh_err e = uc_create(uc_of(req), UC_FUNCTION, who(req), &key, info, false, &req->out, eb);
    json_decref(info);
    return e;
}

/* ---- get / update / delete by name ---- */

static lh_err h_get(lh_req_t *req, lh_errbuf *eb)
{
    uc_key key;
    LH_TRY(path_key(req, &key, eb));
    return uc_get(uc_of(req), kind_of(req), &key, &req->out, eb);
}

static lh_err h_update(lh_req_t *req, lh_errbuf *eb)
{
    uc_key key;
    LH_TRY(path_key(req, &key, eb));
    LH_TRY(uc_require_owner(uc_of(req), req->principal, kind_of(req), &key, eb));
    return uc_update(uc_of(req), kind_of(req), who(req), &key, req->params, &req->out, eb);
}

static lh_err h_delete(lh_req_t *req, lh_errbuf *eb)
{
    uc_key key;
    LH_TRY(path_key(req, &key, eb));
    LH_TRY(uc_require_owner(uc_of(req), req->principal, kind_of(req), &key, eb));
    bool force = false;
    LH_TRY(lh_json_get_bool(req->params, "force", LH_OPTIONAL, &force, eb));
    return uc_delete(uc_of(req), kind_of(req), &key, force, false, req->arena, eb);
}

static lh_err h_table_exists(lh_req_t *req, lh_errbuf *eb)
{
    uc_key key;
    LH_TRY(path_key(req, &key, eb));
    json_t *t = NULL;
    lh_errbuf inner = {0};
    lh_err e = uc_get(uc_of(req), UC_TABLE, &key, &t, &inner);
    json_decref(t);
    bool missing = e == LH_E_NOT_FOUND && inner.error_code != NULL &&
                   strcmp(inner.error_code, "TABLE_DOES_NOT_EXIST") == 0;
    if (e != LH_OK && !missing) {
        *eb = inner;
        return e;
    }
    req->out = json_pack("{s:b}", "table_exists", e == LH_OK);
    return LH_OK;
}

/* ---- lists ---- */

static void strip_tables(json_t *tables, const json_t *params)
{
    bool omit_columns = false, omit_properties = false, omit_username = false;
    lh_json_get_bool(params, "omit_columns", LH_OPTIONAL, &omit_columns, NULL);
    lh_json_get_bool(params, "omit_properties", LH_OPTIONAL, &omit_properties, NULL);
    lh_json_get_bool(params, "omit_username", LH_OPTIONAL, &omit_username, NULL);
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t)
    {
        json_object_del(t, "table_constraints");
        if (omit_columns)
            json_object_del(t, "columns");
        if (omit_properties)
            json_object_del(t, "properties");
        if (omit_username) {
            json_object_del(t, "owner");
            json_object_del(t, "created_by");
            json_object_del(t, "updated_by");
        }
    }
}

static lh_err h_list(lh_req_t *req, lh_errbuf *eb)
{
    uc_kind kind = kind_of(req);
    uc_key parent;
    LH_TRY(key_params(req, uc_kinds[kind].depth, NULL, &parent, eb));
    lh_page_t page;
    LH_TRY(lh_page_parse(&uc_page_specs[kind], req->params, req->arena, &page, eb));
    LH_TRY(uc_list(uc_of(req), kind, &parent, &page, req->arena, &req->out, eb));
    if (kind == UC_TABLE)
        strip_tables(json_object_get(req->out, "tables"), req->params);
    return LH_OK;
}

static lh_err h_table_summaries(lh_req_t *req, lh_errbuf *eb)
{
    const char *catalog, *sp = NULL, *tp = NULL;
    LH_TRY(name_param(req, "catalog_name", &catalog, eb));
    LH_TRY(lh_json_get_str(req->params, "schema_name_pattern", LH_OPTIONAL, &sp, eb));
    LH_TRY(lh_json_get_str(req->params, "table_name_pattern", LH_OPTIONAL, &tp, eb));
    lh_page_t page;
    LH_TRY(lh_page_parse(&uc_summary_page_spec, req->params, req->arena, &page, eb));
    return uc_table_summaries(uc_of(req), catalog, sp, tp, &page, req->arena, &req->out, eb);
}

/* ---- the metastore ---- */

static lh_err h_metastore_summary(lh_req_t *req, lh_errbuf *eb)
{
    (void)eb;
    lh_catalog_t *c = uc_of(req);
    req->out = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "metastore_id", UC_METASTORE_ID,
        "name", "lakehouse", "owner", "admins", "storage_root", c->warehouse_dir, "region", "local",
        "cloud", "local", "privilege_model_version", "1.0", "delta_sharing_scope", "INTERNAL",
        "global_metastore_id", "local:local:" UC_METASTORE_ID, "external_access_enabled", 0);
    return LH_OK;
}

static lh_err h_current_assignment(lh_req_t *req, lh_errbuf *eb)
{
    (void)eb;
    req->out = json_pack("{s:s, s:I, s:s}", "metastore_id", UC_METASTORE_ID, "workspace_id",
                         (json_int_t)req->ctx->workspace_id, "default_catalog_name", "main");
    return LH_OK;
}

/* ---- routes ---- */

#define UC   "/api/2.1/unity-catalog/"
#define K(k) ((const void *)(intptr_t)(k))

static const lh_route_t routes[] = {
    {"POST", UC "catalogs", h_catalog_create, 0, K(UC_CATALOG), 0},
    {"GET", UC "catalogs", h_list, 0, K(UC_CATALOG), 0},
    {"GET", UC "catalogs/{name}", h_get, 0, K(UC_CATALOG), 0},
    {"PATCH", UC "catalogs/{name}", h_update, 0, K(UC_CATALOG), 0},
    {"DELETE", UC "catalogs/{name}", h_delete, 0, K(UC_CATALOG), 0},
    {"POST", UC "schemas", h_schema_create, 0, K(UC_SCHEMA), 0},
    {"GET", UC "schemas", h_list, 0, K(UC_SCHEMA), 0},
    {"GET", UC "schemas/{full_name}", h_get, 0, K(UC_SCHEMA), 0},
    {"PATCH", UC "schemas/{full_name}", h_update, 0, K(UC_SCHEMA), 0},
    {"DELETE", UC "schemas/{full_name}", h_delete, 0, K(UC_SCHEMA), 0},
    {"POST", UC "tables", h_table_create, 0, K(UC_TABLE), 0},
    {"GET", UC "tables", h_list, 0, K(UC_TABLE), 0},
    {"GET", UC "tables/{full_name}", h_get, 0, K(UC_TABLE), 0},
    {"PATCH", UC "tables/{full_name}", h_update, 0, K(UC_TABLE), 0},
    {"DELETE", UC "tables/{full_name}", h_delete, 0, K(UC_TABLE), 0},
    {"GET", UC "tables/{full_name}/exists", h_table_exists, 0, K(UC_TABLE), 0},
    {"GET", UC "table-summaries", h_table_summaries, 0, K(UC_TABLE), 0},
    {"POST", UC "volumes", h_volume_create, 0, K(UC_VOLUME), 0},
    {"GET", UC "volumes", h_list, 0, K(UC_VOLUME), 0},
    {"GET", UC "volumes/{name}", h_get, 0, K(UC_VOLUME), 0},
    {"PATCH", UC "volumes/{name}", h_update, 0, K(UC_VOLUME), 0},
    {"DELETE", UC "volumes/{name}", h_delete, 0, K(UC_VOLUME), 0},
    {"POST", UC "functions", h_function_create, 0, K(UC_FUNCTION), 0},
    {"GET", UC "functions", h_list, 0, K(UC_FUNCTION), 0},
    {"GET", UC "functions/{name}", h_get, 0, K(UC_FUNCTION), 0},
    {"PATCH", UC "functions/{name}", h_update, 0, K(UC_FUNCTION), 0},
    {"DELETE", UC "functions/{name}", h_delete, 0, K(UC_FUNCTION), 0},
    {"GET", UC "metastore_summary", h_metastore_summary, 0, NULL, 0},
    {"GET", UC "current-metastore-assignment", h_current_assignment, 0, NULL, 0},
    /* the Files API over volumes (files.c); other /api/2.0/fs paths stay 501 */
    {"PUT", "/api/2.0/fs/files/Volumes/{*}", uc_h_file_put, LH_ROUTE_STREAM, NULL,
     LH_FILES_UPLOAD_MAX},
    {"GET", "/api/2.0/fs/files/Volumes/{*}", uc_h_file_get, 0, NULL, 0},
    {"DELETE", "/api/2.0/fs/files/Volumes/{*}", uc_h_file_delete, 0, NULL, 0},
    {"PUT", "/api/2.0/fs/directories/Volumes/{*}", uc_h_dir_put, 0, NULL, 0},
    {"GET", "/api/2.0/fs/directories/Volumes/{*}", uc_h_dir_get, 0, NULL, 0},
    {"DELETE", "/api/2.0/fs/directories/Volumes/{*}", uc_h_dir_delete, 0, NULL, 0},
};

const lh_route_t *lh_catalog_routes(int *count)
{
    *count = (int)(sizeof routes / sizeof routes[0]);
    return routes;
}
