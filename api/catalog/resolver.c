/*
 * resolver.c - compute/resolver.h over the catalog: the SQL engine's names and DDL go
 * through the same operations (ops.c) as REST, one metastore transaction each.
 *
 * Names arrive split and unquoted; they are lower-cased and validated here. Errors carry
 * the Spark error class in eb->error_code (CATALOG_NOT_FOUND, SCHEMA_NOT_FOUND,
 * TABLE_OR_VIEW_NOT_FOUND, *_ALREADY_EXISTS, SCHEMA_NOT_EMPTY...) instead of the REST
 * API's Unity Catalog codes, with the same lh_err.
 */
#include <string.h>

#include "api/catalog/catalog_internal.h"
#include "common/json.h"

/* Unity Catalog wire code -> Spark error class. */
static const char *const SPARK_CODES[][2] = {
    {"CATALOG_DOES_NOT_EXIST", "CATALOG_NOT_FOUND"},
    {"SCHEMA_DOES_NOT_EXIST", "SCHEMA_NOT_FOUND"},
    {"TABLE_DOES_NOT_EXIST", "TABLE_OR_VIEW_NOT_FOUND"},
    {"CATALOG_ALREADY_EXISTS", "CATALOG_ALREADY_EXISTS"},
    {"SCHEMA_ALREADY_EXISTS", "SCHEMA_ALREADY_EXISTS"},
    {"TABLE_ALREADY_EXISTS", "TABLE_OR_VIEW_ALREADY_EXISTS"},
    {"SCHEMA_NOT_EMPTY", "SCHEMA_NOT_EMPTY"},
    {"CATALOG_NOT_EMPTY", "CATALOG_NOT_EMPTY"},
};

static lh_err spark(lh_err e, lh_errbuf *eb)
{
    if (e == LH_OK || eb == NULL || eb->error_code == NULL)
        return e;
    for (size_t i = 0; i < sizeof SPARK_CODES / sizeof SPARK_CODES[0]; i++)
        if (strcmp(eb->error_code, SPARK_CODES[i][0]) == 0)
            eb->error_code = SPARK_CODES[i][1];
    return e;
}

typedef struct names {
    char part[3][UC_NAME_MAX + 1];
    uc_key key;
} names;

static lh_err make_key(names *n, int count, const char *a, const char *b, const char *c,
                       lh_errbuf *eb)
{
    static const char *const WHAT[3] = {"catalog", "schema", "object"};
    const char *given[3] = {a, b, c};
    n->key.n = count;
    for (int i = 0; i < count; i++) {
        LH_TRY(uc_name(WHAT[i], given[i], n->part[i], eb));
        n->key.part[i] = n->part[i];
    }
    return LH_OK;
}

static lh_err r_catalog_exists(void *ctx, const char *catalog, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 1, catalog, NULL, NULL, eb));
    json_t *o = NULL;
    lh_err e = uc_get(ctx, UC_CATALOG, &n.key, &o, eb);
    json_decref(o);
    return spark(e, eb);
}

static lh_err r_schema_exists(void *ctx, const char *catalog, const char *schema, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 2, catalog, schema, NULL, eb));
    json_t *o = NULL;
    lh_err e = uc_get(ctx, UC_SCHEMA, &n.key, &o, eb);
    json_decref(o);
    return spark(e, eb);
}

/* ---- TableInfo JSON -> lh_table_info_t ---- */

static const char *str_of(lh_arena_t *arena, const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? lh_arena_strdup(arena, s) : NULL;
}

/* The "type" of a StructField JSON text, serialized (e.g. "\"long\""). */
static const char *type_of_field(lh_arena_t *arena, const char *field_json)
{
    json_t *f = field_json != NULL ? json_loads(field_json, 0, NULL) : NULL;
    json_t *type = json_object_get(f, "type");
    char *text = type != NULL ? json_dumps(type, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    const char *out = text != NULL ? lh_arena_strdup(arena, text) : NULL;
    free(text);
    json_decref(f);
    return out;
}

static void columns_from(lh_arena_t *arena, const json_t *cols, lh_table_info_t *t)
{
    size_t n = json_array_size(cols);
    lh_catalog_column_t *out = lh_arena_calloc(arena, n > 0 ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(cols, i);
        out[i].name = str_of(arena, c, "name");
        out[i].type_text = str_of(arena, c, "type_text");
        out[i].type_json = type_of_field(arena, json_string_value(json_object_get(c, "type_json")));
        out[i].comment = str_of(arena, c, "comment");
        json_t *nullable = json_object_get(c, "nullable");
        out[i].nullable = nullable == NULL || json_is_true(nullable);
        json_t *pi = json_object_get(c, "partition_index");
        out[i].partition_index = json_is_integer(pi) ? (int)json_integer_value(pi) : -1;
    }
    t->columns = out;
    t->column_count = (int)n;
}

static lh_table_info_t *info_from(lh_arena_t *arena, const json_t *o)
{
    lh_table_info_t *t = lh_arena_calloc(arena, 1, sizeof *t);
    t->catalog = str_of(arena, o, "catalog_name");
    t->schema = str_of(arena, o, "schema_name");
    t->name = str_of(arena, o, "name");
    t->full_name = str_of(arena, o, "full_name");
    const char *type = json_string_value(json_object_get(o, "table_type"));
    t->kind = type == NULL || strcmp(type, "MANAGED") == 0 ? LH_TABLE_MANAGED
              : strcmp(type, "VIEW") == 0                  ? LH_TABLE_VIEW
                                                           : LH_TABLE_EXTERNAL;
    t->data_source_format = str_of(arena, o, "data_source_format");
    t->storage_location = str_of(arena, o, "storage_location");
    t->view_definition = str_of(arena, o, "view_definition");
    t->comment = str_of(arena, o, "comment");
    t->owner = str_of(arena, o, "owner");
    t->table_id = str_of(arena, o, "table_id");
    json_t *props = json_object_get(o, "properties");
    if (json_is_object(props) && json_object_size(props) > 0) {
        char *text = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS);
        t->properties_json = text != NULL ? lh_arena_strdup(arena, text) : NULL;
        free(text);
    }
    t->created_at = json_integer_value(json_object_get(o, "created_at"));
    json_t *cons = json_object_get(o, "table_constraints");
    if (json_is_array(cons) && json_array_size(cons) > 0) {
        char *text = json_dumps(cons, JSON_COMPACT);
        t->constraints_json = text != NULL ? lh_arena_strdup(arena, text) : NULL;
        free(text);
    }
    t->updated_at = json_integer_value(json_object_get(o, "updated_at"));
    columns_from(arena, json_object_get(o, "columns"), t);
    return t;
}

static lh_err r_get_table(void *ctx, const char *catalog, const char *schema, const char *name,
                          lh_arena_t *arena, lh_table_info_t **out, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 3, catalog, schema, name, eb));
    json_t *o = NULL;
    LH_TRY(spark(uc_get(ctx, UC_TABLE, &n.key, &o, eb), eb));
    *out = info_from(arena, o);
    json_decref(o);
    return LH_OK;
}

/* ---- lists ---- */

static lh_err list_names(lh_catalog_t *c, uc_kind kind, const uc_key *parent, lh_arena_t *arena,
                         const char ***names_out, int *count, lh_errbuf *eb)
{
    json_t *o = NULL;
    LH_TRY(spark(uc_list(c, kind, parent, NULL, arena, &o, eb), eb));
    json_t *items = json_object_get(o, uc_kinds[kind].list_field);
    size_t n = json_array_size(items);
    const char **out = lh_arena_calloc(arena, n > 0 ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = str_of(arena, json_array_get(items, i), "name");
    json_decref(o);
    *names_out = out;
    *count = (int)n;
    return LH_OK;
}

static lh_err r_list_catalogs(void *ctx, lh_arena_t *arena, const char ***names_out, int *count,
                              lh_errbuf *eb)
{
    uc_key none = {{NULL, NULL, NULL}, 0};
    return list_names(ctx, UC_CATALOG, &none, arena, names_out, count, eb);
}

static lh_err r_list_schemas(void *ctx, const char *catalog, lh_arena_t *arena,
                             const char ***names_out, int *count, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 1, catalog, NULL, NULL, eb));
    return list_names(ctx, UC_SCHEMA, &n.key, arena, names_out, count, eb);
}

static lh_err r_list_tables(void *ctx, const char *catalog, const char *schema, lh_arena_t *arena,
                            const char ***names_out, int *count, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 2, catalog, schema, NULL, eb));
    return list_names(ctx, UC_TABLE, &n.key, arena, names_out, count, eb);
}

/* ---- DDL ---- */

static lh_err create_named(lh_catalog_t *c, uc_kind kind, const char *who, const names *n,
                           const char *comment, bool if_not_exists, lh_errbuf *eb)
{
    json_t *info = json_object();
    lh_json_set_str(info, "comment", comment);
    lh_err e = uc_create(c, kind, who, &n->key, info, if_not_exists, NULL, eb);
    json_decref(info);
    return spark(e, eb);
}

static lh_err r_create_catalog(void *ctx, const char *who, const char *name, const char *comment,
                               bool if_not_exists, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 1, name, NULL, NULL, eb));
    return create_named(ctx, UC_CATALOG, who, &n, comment, if_not_exists, eb);
}

static lh_err r_create_schema(void *ctx, const char *who, const char *catalog, const char *name,
                              const char *comment, bool if_not_exists, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 2, catalog, name, NULL, eb));
    return create_named(ctx, UC_SCHEMA, who, &n, comment, if_not_exists, eb);
}

static lh_err r_create_table(void *ctx, const char *who, const lh_table_info_t *info,
                             bool if_not_exists, bool or_replace, lh_arena_t *arena,
                             lh_table_info_t **stored, lh_errbuf *eb)
{
    json_t *o = NULL;
    LH_TRY(spark(uc_table_create(ctx, who, info, if_not_exists, or_replace, &o, eb), eb));
    if (stored != NULL)
        *stored = info_from(arena, o);
    json_decref(o);
    return LH_OK;
}

static lh_err r_drop_catalog(void *ctx, const char *name, bool if_exists, bool cascade,
                             lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 1, name, NULL, NULL, eb));
    lh_arena_t *arena = lh_arena_create();
    lh_err e = uc_delete(ctx, UC_CATALOG, &n.key, cascade, if_exists, arena, eb);
    lh_arena_destroy(arena);
    return spark(e, eb);
}

static lh_err r_drop_schema(void *ctx, const char *catalog, const char *name, bool if_exists,
                            bool cascade, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 2, catalog, name, NULL, eb));
    lh_arena_t *arena = lh_arena_create();
    lh_err e = uc_delete(ctx, UC_SCHEMA, &n.key, cascade, if_exists, arena, eb);
    lh_arena_destroy(arena);
    return spark(e, eb);
}

static lh_err r_drop_table(void *ctx, const char *catalog, const char *schema, const char *name,
                           bool if_exists, bool is_view, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 3, catalog, schema, name, eb));
    json_t *o = NULL;
    lh_err e = uc_get(ctx, UC_TABLE, &n.key, &o, eb);
    if (e == LH_OK) {
        const char *type = json_string_value(json_object_get(o, "table_type"));
        bool view = type != NULL && strcmp(type, "VIEW") == 0;
        if (view != is_view)
            e = lh_err_set_code(eb, LH_E_INVALID,
                                is_view ? "EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE"
                                        : "EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE",
                                __FILE__, __LINE__, "'%s' is a %s", name, view ? "view" : "table");
    }
    json_decref(o);
    if (e == LH_OK || (e == LH_E_NOT_FOUND && if_exists)) {
        lh_arena_t *arena = lh_arena_create();
        e = uc_delete(ctx, UC_TABLE, &n.key, false, if_exists, arena, eb);
        lh_arena_destroy(arena);
    }
    return spark(e, eb);
}

/* ALTER: new name, comment, properties and columns of info, on the stored row. */
typedef struct alter_arg {
    const uc_key *key;
    const lh_table_info_t *info;
} alter_arg;

static lh_err alter_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    alter_arg *a = arg;
    json_t *row;
    LH_TRY(uc_row_get(m, UC_TABLE, a->key, &row, eb));
    const lh_table_info_t *t = a->info;
    lh_json_set_str(row, "comment", t->comment);
    if (t->comment == NULL)
        json_object_del(row, "comment");
    json_t *props = t->properties_json ? json_loads(t->properties_json, 0, NULL) : json_object();
    json_object_set_new(row, "properties", json_is_object(props) ? props : json_object());
    if (props != NULL && !json_is_object(props))
        json_decref(props);
    json_t *cols = json_array();
    for (int i = 0; i < t->column_count; i++)
        json_array_append_new(cols, uc_column_json(&t->columns[i], i));
    json_object_set_new(row, "columns", cols);
    if (t->view_definition != NULL && json_object_get(row, "view_definition") != NULL)
        lh_json_set_str(row, "view_definition", t->view_definition); /* ALTER VIEW .. AS */
    uc_info_touch(row, t->owner);
    lh_err e = LH_OK;
    uc_key key = *a->key;
    char lowered[UC_NAME_MAX + 1];
    if (t->name != NULL && strcmp(t->name, key.part[2]) != 0) {
        e = uc_name("table", t->name, lowered, eb);
        if (e == LH_OK && strcmp(lowered, key.part[2]) != 0)
            e = uc_row_rename(m, UC_TABLE, &key, lowered, eb);
        key.part[2] = lowered;
    }
    if (e == LH_OK)
        e = uc_row_update(m, UC_TABLE, &key, row, eb);
    json_decref(row);
    return e;
}

static lh_err r_update_table(void *ctx, const char *catalog, const char *schema, const char *name,
                             const lh_table_info_t *info, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 3, catalog, schema, name, eb));
    lh_catalog_t *c = ctx;
    alter_arg a = {&n.key, info};
    return spark(lh_meta_tx(c->meta, alter_tx, &a, eb), eb);
}

static lh_err r_set_comment(void *ctx, const char *securable, const char *full_name,
                            const char *comment, lh_errbuf *eb)
{
    uc_kind kind = strcmp(securable, "CATALOG") == 0  ? UC_CATALOG
                   : strcmp(securable, "SCHEMA") == 0 ? UC_SCHEMA
                                                      : UC_TABLE;
    lh_arena_t *arena = lh_arena_create();
    uc_key key;
    lh_err e = uc_parse_full(arena, full_name, uc_kinds[kind].depth, &key, eb);
    json_t *patch = json_pack("{s:s?}", "comment", comment), *out = NULL;
    if (e == LH_OK)
        e = uc_update(ctx, kind, NULL, &key, patch, &out, eb);
    json_decref(patch);
    json_decref(out);
    lh_arena_destroy(arena);
    return spark(e, eb);
}

/* The SQL engine knows the caller by user name only: owners of the volume, its schema or
 * its catalog may read it (Unity Catalog's READ VOLUME grant comes with privileges). */
static lh_err r_volume_path(void *ctx, const char *who, const char *catalog, const char *schema,
                            const char *volume, lh_arena_t *arena, const char **dir, lh_errbuf *eb)
{
    names n;
    LH_TRY(make_key(&n, 3, catalog, schema, volume, eb));
    lh_principal_t p = {0, who, who == NULL, false};
    return spark(uc_volume_access(ctx, &p, &n.key, arena, dir, eb), eb);
}

void lh_catalog_resolver_init(lh_catalog_t *c)
{
    c->resolver = (lh_resolver_t){
        .ctx = c,
        .catalog_exists = r_catalog_exists,
        .schema_exists = r_schema_exists,
        .get_table = r_get_table,
        .list_catalogs = r_list_catalogs,
        .list_schemas = r_list_schemas,
        .list_tables = r_list_tables,
        .create_catalog = r_create_catalog,
        .create_schema = r_create_schema,
        .create_table = r_create_table,
        .drop_catalog = r_drop_catalog,
        .drop_schema = r_drop_schema,
        .drop_table = r_drop_table,
        .update_table = r_update_table,
        .set_comment = r_set_comment,
        .volume_path = r_volume_path,
    };
    uc_function_resolver_init(&c->resolver);
}
