/*
 * ops.c - the catalog's operations, shared by the REST handlers and the SQL resolver.
 * Each is one metastore read (get, list) or one transaction (create, update, delete), so
 * REST and SQL always see the same rows.
 *
 * Deletes collect the storage locations of the managed tables and volumes they remove
 * (inside the transaction), and delete those directories after it commits; then the
 * schema's / catalog's own directories under warehouse/ and volumes/ are removed if they
 * are left empty. Only collected locations are removed recursively, so files of another
 * object never go with them (e.g. after a catalog rename, old paths stay with their tables).
 *
 * Lists page by key (name > the token's name), asking one row more than the page to know
 * whether a next_page_token is due.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/catalog/catalog_internal.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/util.h"

static bool is_reserved_schema(const char *name)
{
    return strcmp(name, "information_schema") == 0;
}

#define UC_PAGE(id)                                                                                \
    {                                                                                              \
        .list_id = (id), .keys = "s", .columns = "name", .size_param = "max_results",              \
        .size_default = LH_PAGE_SIZE_MAX, .size_max = LH_PAGE_SIZE_MAX, .flags = LH_PAGE_CLAMP,    \
        .style = LH_PAGE_STYLE_NEXT                                                                \
    }

const lh_page_spec uc_page_specs[UC_KIND_COUNT] = {
    [UC_CATALOG] = UC_PAGE(LH_PAGE_LIST_UC_CATALOGS),
    [UC_SCHEMA] = UC_PAGE(LH_PAGE_LIST_UC_SCHEMAS),
    [UC_TABLE] = UC_PAGE(LH_PAGE_LIST_UC_TABLES),
    [UC_VOLUME] = UC_PAGE(LH_PAGE_LIST_UC_VOLUMES),
    [UC_FUNCTION] = UC_PAGE(LH_PAGE_LIST_UC_FUNCTIONS),
};

const lh_page_spec uc_summary_page_spec = {.list_id = LH_PAGE_LIST_UC_TABLE_SUMMARIES,
                                           .keys = "ss",
                                           .columns = "schema, name",
                                           .size_param = "max_results",
                                           .size_default = LH_PAGE_SIZE_MAX,
                                           .size_max = LH_PAGE_SIZE_MAX,
                                           .flags = LH_PAGE_CLAMP,
                                           .style = LH_PAGE_STYLE_NEXT};

/* The parent chain of key exists (catalog, then schema). */
static lh_err check_parents(lh_meta_t *m, const uc_key *key, int n, lh_errbuf *eb)
{
    json_t *info = NULL;
    for (int depth = 1; depth <= n; depth++) {
        uc_key k = *key;
        k.n = depth;
        LH_TRY(uc_row_get(m, depth == 1 ? UC_CATALOG : UC_SCHEMA, &k, &info, eb));
        json_decref(info);
    }
    return LH_OK;
}

/* ---- create ---- */

typedef struct create_arg {
    lh_catalog_t *c;
    uc_kind kind;
    const char *who;
    const uc_key *key;
    json_t *info; /* the caller's fields; completed here */
    bool if_not_exists;
    json_t *out;
} create_arg;

static lh_err create_children(lh_meta_t *m, const create_arg *a, lh_errbuf *eb)
{
    static const char *const schemas[] = {"default", "information_schema"};
    for (int i = 0; i < 2; i++) {
        uc_key sk = {{a->key->part[0], schemas[i], NULL}, 2};
        json_t *si = uc_info_new(UC_SCHEMA, a->who);
        if (i == 0)
            lh_json_set_str(si, "comment", "Default schema (auto-created)");
        lh_err e = uc_row_insert(m, UC_SCHEMA, &sk, si, eb);
        json_decref(si);
        LH_TRY(e);
    }
    return LH_OK;
}

/* No other table (volume) uses loc: a managed path can repeat after a rename of its
 * catalog or schema, and two objects must never share files. */
static lh_err location_free(lh_meta_t *m, bool volume, const char *loc, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        volume ? "SELECT catalog || '.' || schema || '.' || name FROM uc_volumes "
                                 "WHERE json_extract(info, '$.storage_location') = ?1"
                               : "SELECT catalog || '.' || schema || '.' || name FROM uc_tables "
                                 "WHERE json_extract(info, '$.storage_location') = ?1",
                        &st, eb));
    lh_stmt_bind_text(st, 1, loc);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    LH_FAIL_IF(row, LH_E_EXISTS, eb, "The storage location %s is in use by %s", loc,
               lh_stmt_text(st, 0));
    return LH_OK;
}

/* Kind-specific defaults, and a managed volume's directory. */
static lh_err decorate(lh_meta_t *m, const create_arg *a, json_t *info, lh_errbuf *eb)
{
    if (a->kind == UC_CATALOG) {
        if (!lh_json_has(info, "catalog_type"))
            lh_json_set_str(info, "catalog_type", "MANAGED_CATALOG");
        lh_json_set_str(info, "isolation_mode", "OPEN");
    }
    if (a->kind != UC_VOLUME)
        return LH_OK;
    const char *type = json_string_value(json_object_get(info, "volume_type"));
    if (type != NULL && strcmp(type, "EXTERNAL") == 0) {
        const char *loc = json_string_value(json_object_get(info, "storage_location"));
        LH_TRY(location_free(m, true, loc, eb));
        return uc_mkdirs(loc, eb);
    }
    lh_arena_t *arena = lh_arena_create();
    const char *dir = uc_dir(arena, a->c->volumes_dir, a->key, 3);
    lh_json_set_str(info, "storage_location", dir);
    lh_err e = location_free(m, true, dir, eb);
    if (e == LH_OK)
        e = uc_mkdirs(dir, eb);
    lh_arena_destroy(arena);
    return e;
}

static lh_err create_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    create_arg *a = arg;
    LH_TRY(check_parents(m, a->key, a->key->n - 1, eb));
    LH_FAIL_IF(a->key->n == 3 && is_reserved_schema(a->key->part[1]), LH_E_INVALID, eb,
               "Cannot create objects in the reserved schema information_schema");
    json_t *existing = NULL;
    lh_err found = uc_row_get(m, a->kind, a->key, &existing, eb);
    if (found != LH_OK && found != LH_E_NOT_FOUND)
        return found; /* not "absent": the transaction may be gone */
    if (found == LH_OK && a->if_not_exists) {
        a->out = uc_render(a->kind, a->key, existing);
        json_decref(existing);
        return LH_OK;
    }
    json_decref(existing);
    if (found == LH_OK) {
        lh_arena_t *arena = lh_arena_create();
        lh_err e = uc_exists(eb, a->kind, uc_full_name(arena, a->key, a->key->n));
        lh_arena_destroy(arena);
        return e;
    }
    json_t *info = json_deep_copy(a->info);
    json_t *base = uc_info_new(a->kind, a->who);
    json_object_update(info, base);
    json_decref(base);
    lh_err e = decorate(m, a, info, eb);
    const char *loc = json_string_value(json_object_get(info, "storage_location"));
    if (e == LH_OK && a->kind == UC_TABLE && loc != NULL)
        e = location_free(m, false, loc, eb);
    if (e == LH_OK)
        e = uc_row_insert(m, a->kind, a->key, info, eb);
    if (e == LH_OK && a->kind == UC_CATALOG)
        e = create_children(m, a, eb);
    if (e == LH_OK)
        a->out = uc_render(a->kind, a->key, info);
    json_decref(info);
    return e;
}

lh_err uc_create(lh_catalog_t *c, uc_kind kind, const char *who, const uc_key *key, json_t *info,
                 bool if_not_exists, json_t **out, lh_errbuf *eb)
{
    LH_ASSERT(key->n == uc_kinds[kind].depth);
    json_t *empty = info == NULL ? json_object() : NULL;
    create_arg a = {c, kind, who, key, info != NULL ? info : empty, if_not_exists, NULL};
    lh_err e = lh_meta_tx(c->meta, create_tx, &a, eb);
    json_decref(empty);
    if (e == LH_OK && out != NULL)
        *out = a.out;
    else
        json_decref(a.out);
    return e;
}

/* ---- get ---- */

typedef struct get_arg {
    uc_kind kind;
    const uc_key *key;
    json_t *out;
} get_arg;

static lh_err get_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    get_arg *a = arg;
    if (a->key->n > 1)
        LH_TRY(check_parents(m, a->key, a->key->n - 1, eb));
    json_t *info;
    LH_TRY(uc_row_get(m, a->kind, a->key, &info, eb));
    a->out = uc_render(a->kind, a->key, info);
    json_decref(info);
    return LH_OK;
}

lh_err uc_get(lh_catalog_t *c, uc_kind kind, const uc_key *key, json_t **out, lh_errbuf *eb)
{
    get_arg a = {kind, key, NULL};
    LH_TRY(lh_meta_read(c->meta, get_read, &a, eb));
    *out = a.out;
    return LH_OK;
}

/* ---- list ---- */

typedef struct list_arg {
    uc_kind kind;
    const uc_key *parent;
    lh_page_t *page;
    lh_arena_t *arena;
    json_t *items;
} list_arg;

static lh_err list_row(void *arg, const char *name, json_t *info, lh_errbuf *eb)
{
    (void)eb;
    list_arg *a = arg;
    uc_key key = *a->parent;
    key.part[key.n++] = name;
    json_t *item = uc_render(a->kind, &key, info);
    if (a->page != NULL)
        lh_page_add(a->page, a->items, item);
    else
        json_array_append_new(a->items, item);
    return LH_OK;
}

static lh_err list_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    list_arg *a = arg;
    LH_TRY(check_parents(m, a->parent, a->parent->n, eb));
    return uc_row_page(m, a->kind, a->parent, a->page, a->arena, list_row, a, eb);
}

lh_err uc_list(lh_catalog_t *c, uc_kind kind, const uc_key *parent, lh_page_t *page,
               lh_arena_t *arena, json_t **out, lh_errbuf *eb)
{
    list_arg a = {kind, parent, page, arena, json_array()};
    lh_err e = lh_meta_read(c->meta, list_read, &a, eb);
    if (e != LH_OK) {
        json_decref(a.items);
        return e;
    }
    *out = json_object();
    json_object_set_new(*out, uc_kinds[kind].list_field, a.items);
    if (page != NULL)
        lh_page_finish(page, *out);
    return LH_OK;
}

/* ---- update ---- */

typedef struct update_arg {
    uc_kind kind;
    const char *who;
    const uc_key *key;
    const json_t *patch;
    json_t *out;
} update_arg;

static const char *const PATCHABLE[] = {"comment", "owner", "properties", "isolation_mode",
                                        "enable_predictive_optimization"};

static lh_err apply_patch(json_t *info, const json_t *patch, lh_errbuf *eb)
{
    for (size_t i = 0; i < sizeof PATCHABLE / sizeof PATCHABLE[0]; i++) {
        json_t *v = json_object_get(patch, PATCHABLE[i]);
        if (v == NULL || json_is_null(v))
            continue;
        bool want_object = strcmp(PATCHABLE[i], "properties") == 0;
        LH_FAIL_IF(want_object ? !json_is_object(v) : !json_is_string(v), LH_E_INVALID, eb,
                   "%s must be %s", PATCHABLE[i], want_object ? "an object" : "a string");
        json_object_set(info, PATCHABLE[i], v);
    }
    return LH_OK;
}

static lh_err update_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    update_arg *a = arg;
    if (a->key->n > 1)
        LH_TRY(check_parents(m, a->key, a->key->n - 1, eb));
    json_t *info;
    LH_TRY(uc_row_get(m, a->kind, a->key, &info, eb));
    uc_key key = *a->key;
    const char *new_name = NULL;
    char lowered[UC_NAME_MAX + 1];
    lh_err e = lh_json_get_str(a->patch, "new_name", LH_OPTIONAL, &new_name, eb);
    if (e == LH_OK && new_name != NULL && *new_name != '\0') {
        e = uc_name(uc_kinds[a->kind].label, new_name, lowered, eb);
        if (e == LH_OK && a->kind == UC_SCHEMA && is_reserved_schema(key.part[1]))
            e = lh_err_set(eb, LH_E_INVALID, __FILE__, __LINE__,
                           "The schema information_schema cannot be renamed");
        if (e == LH_OK && strcmp(lowered, key.part[key.n - 1]) != 0) {
            e = uc_row_rename(m, a->kind, &key, lowered, eb);
            key.part[key.n - 1] = lowered;
        }
    }
    if (e == LH_OK)
        e = apply_patch(info, a->patch, eb);
    if (e == LH_OK) {
        uc_info_touch(info, a->who);
        e = uc_row_update(m, a->kind, &key, info, eb);
    }
    if (e == LH_OK)
        a->out = uc_render(a->kind, &key, info);
    json_decref(info);
    return e;
}

lh_err uc_update(lh_catalog_t *c, uc_kind kind, const char *who, const uc_key *key,
                 const json_t *patch, json_t **out, lh_errbuf *eb)
{
    update_arg a = {kind, who, key, patch, NULL};
    LH_TRY(lh_meta_tx(c->meta, update_tx, &a, eb));
    *out = a.out;
    return LH_OK;
}

/* ---- delete ---- */

typedef struct delete_arg {
    lh_catalog_t *c;
    uc_kind kind;
    const uc_key *key;
    bool force, if_exists, gone;
    lh_arena_t *arena;
    const char **dirs; /* managed locations to remove after commit */
    int dir_count, dir_cap;
} delete_arg;

static void add_dir(delete_arg *a, const char *dir)
{
    if (dir == NULL || *dir != '/')
        return;
    if (a->dir_count == a->dir_cap) {
        int cap = a->dir_cap ? 2 * a->dir_cap : 16;
        const char **d = lh_arena_alloc(a->arena, (size_t)cap * sizeof *d);
        if (a->dir_count > 0)
            memcpy(d, a->dirs, (size_t)a->dir_count * sizeof *d);
        a->dirs = d;
        a->dir_cap = cap;
    }
    a->dirs[a->dir_count++] = lh_arena_strdup(a->arena, dir);
}

/* Managed locations of tables and volumes under key (a catalog, schema or leaf). */
static lh_err collect_dirs(lh_meta_t *m, delete_arg *a, lh_errbuf *eb)
{
    static const char *const sql[] = {
        "SELECT json_extract(info, '$.storage_location') FROM uc_tables WHERE catalog = ?1 "
        "AND (?2 IS NULL OR schema = ?2) AND (?3 IS NULL OR name = ?3) "
        "AND json_extract(info, '$.table_type') = 'MANAGED'",
        "SELECT json_extract(info, '$.storage_location') FROM uc_volumes WHERE catalog = ?1 "
        "AND (?2 IS NULL OR schema = ?2) AND (?3 IS NULL OR name = ?3) "
        "AND json_extract(info, '$.volume_type') = 'MANAGED'"};
    for (int q = 0; q < 2; q++) {
        if ((a->kind == UC_TABLE && q == 1) || (a->kind == UC_VOLUME && q == 0) ||
            a->kind == UC_FUNCTION)
            continue;
        lh_stmt_t *st;
        LH_TRY(lh_meta_stmt(m, sql[q], &st, eb));
        for (int i = 0; i < 3; i++)
            lh_stmt_bind_text(st, i + 1, i < a->key->n ? a->key->part[i] : NULL);
        for (;;) {
            bool row = false;
            LH_TRY(lh_stmt_step(st, &row, eb));
            if (!row)
                break;
            add_dir(a, lh_stmt_text(st, 0));
        }
    }
    return LH_OK;
}

/* Objects directly in schema key (tables, volumes, functions). */
static lh_err schema_objects(lh_meta_t *m, const uc_key *key, int64_t *total, lh_errbuf *eb)
{
    *total = 0;
    for (uc_kind k = UC_TABLE; k <= UC_FUNCTION; k++) {
        int64_t n;
        LH_TRY(uc_row_count(m, k, key, &n, eb));
        *total += n;
    }
    return LH_OK;
}

static lh_err check_empty(lh_meta_t *m, const delete_arg *a, lh_errbuf *eb)
{
    int64_t n = 0;
    if (a->kind == UC_SCHEMA) {
        LH_TRY(schema_objects(m, a->key, &n, eb));
        if (n > 0)
            return lh_err_set_code(eb, LH_E_STATE, "SCHEMA_NOT_EMPTY", __FILE__, __LINE__,
                                   "Schema '%s.%s' is not empty. It contains %lld objects; use "
                                   "force (or CASCADE) to delete it with its contents.",
                                   a->key->part[0], a->key->part[1], (long long)n);
        return LH_OK;
    }
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m,
                        "SELECT count(*) FROM uc_schemas WHERE catalog = ?1 AND name NOT IN "
                        "('default', 'information_schema')",
                        &st, eb));
    lh_stmt_bind_text(st, 1, a->key->part[0]);
    bool row = false;
    LH_TRY(lh_stmt_step(st, &row, eb));
    int64_t schemas = lh_stmt_int(st, 0);
    uc_key def = {{a->key->part[0], "default", NULL}, 2};
    LH_TRY(schema_objects(m, &def, &n, eb));
    if (schemas > 0 || n > 0)
        return lh_err_set_code(eb, LH_E_STATE, "CATALOG_NOT_EMPTY", __FILE__, __LINE__,
                               "Catalog '%s' is not empty. The catalog has %lld schema(s) besides "
                               "default and %lld object(s) in default; use force (or CASCADE).",
                               a->key->part[0], (long long)schemas, (long long)n);
    return LH_OK;
}

static lh_err delete_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    delete_arg *a = arg;
    json_t *info = NULL;
    lh_err e = LH_OK;
    if (a->key->n > 1)
        e = check_parents(m, a->key, a->key->n - 1, eb);
    if (e == LH_OK)
        e = uc_row_get(m, a->kind, a->key, &info, eb);
    json_decref(info);
    if (e == LH_E_NOT_FOUND && a->if_exists) {
        a->gone = true;
        return LH_OK;
    }
    LH_TRY(e);
    LH_FAIL_IF(a->kind == UC_SCHEMA && is_reserved_schema(a->key->part[1]), LH_E_INVALID, eb,
               "The schema information_schema cannot be deleted");
    if ((a->kind == UC_SCHEMA || a->kind == UC_CATALOG) && !a->force)
        LH_TRY(check_empty(m, a, eb));
    LH_TRY(collect_dirs(m, a, eb));
    return uc_row_delete(m, a->kind, a->key, eb);
}

lh_err uc_delete(lh_catalog_t *c, uc_kind kind, const uc_key *key, bool force, bool if_exists,
                 lh_arena_t *arena, lh_errbuf *eb)
{
    delete_arg a = {c, kind, key, force, if_exists, false, arena, NULL, 0, 0};
    LH_TRY(lh_meta_tx(c->meta, delete_tx, &a, eb));
    for (int i = 0; i < a.dir_count; i++)
        uc_remove_tree(a.dirs[i]);
    if (kind == UC_SCHEMA) { /* its containers, when nothing else is left in them */
        rmdir(uc_dir(arena, c->warehouse_dir, key, 2));
        rmdir(uc_dir(arena, c->volumes_dir, key, 2));
    }
    if (kind == UC_CATALOG) {
        for (int i = 0; i < 2; i++) {
            uc_key def = {{key->part[0], i == 0 ? "default" : "information_schema", NULL}, 2};
            rmdir(uc_dir(arena, c->warehouse_dir, &def, 2));
            rmdir(uc_dir(arena, c->volumes_dir, &def, 2));
        }
        rmdir(uc_dir(arena, c->warehouse_dir, key, 1));
        rmdir(uc_dir(arena, c->volumes_dir, key, 1));
    }
    return LH_OK;
}

/* ---- tables from the engine ---- */

static json_t *table_info_json(lh_catalog_t *c, const lh_table_info_t *t, const uc_key *key)
{
    static const char *const TYPES[] = {"MANAGED", "EXTERNAL", "VIEW"};
    json_t *o = json_object();
    lh_json_set_str(o, "table_type", TYPES[t->kind]);
    lh_json_set_str(o, "data_source_format",
                    t->kind == LH_TABLE_VIEW
                        ? NULL
                        : (t->data_source_format ? t->data_source_format : "DELTA"));
    if (t->kind == LH_TABLE_MANAGED && t->storage_location == NULL) {
        char dir[UC_PATH_MAX + 3 * (UC_NAME_MAX + 1) + 4];
        snprintf(dir, sizeof dir, "%s/%s/%s/%s", c->warehouse_dir, key->part[0], key->part[1],
                 key->part[2]);
        lh_json_set_str(o, "storage_location", dir);
    } else if (t->kind != LH_TABLE_VIEW) {
        lh_json_set_str(o, "storage_location", t->storage_location);
    }
    lh_json_set_str(o, "view_definition", t->view_definition);
    lh_json_set_str(o, "comment", t->comment);
    json_t *cons = t->constraints_json ? json_loads(t->constraints_json, 0, NULL) : NULL;
    if (json_is_array(cons))
        json_object_set_new(o, "table_constraints", cons);
    else
        json_decref(cons);
    json_t *props = t->properties_json ? json_loads(t->properties_json, 0, NULL) : NULL;
    json_object_set_new(o, "properties", json_is_object(props) ? props : json_object());
    if (props != NULL && !json_is_object(props))
        json_decref(props);
    json_t *cols = json_array();
    for (int i = 0; i < t->column_count; i++)
        json_array_append_new(cols, uc_column_json(&t->columns[i], i));
    json_object_set_new(o, "columns", cols);
    return o;
}

typedef struct table_arg {
    lh_catalog_t *c;
    const char *who;
    const lh_table_info_t *t;
    uc_key key;
    bool if_not_exists, or_replace;
    json_t *out;
} table_arg;

static lh_err table_tx(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    table_arg *a = arg;
    LH_TRY(check_parents(m, &a->key, 2, eb));
    LH_FAIL_IF(is_reserved_schema(a->key.part[1]), LH_E_INVALID, eb,
               "Cannot create objects in the reserved schema information_schema");
    json_t *old = NULL;
    lh_err found = uc_row_get(m, UC_TABLE, &a->key, &old, eb);
    if (found != LH_OK && found != LH_E_NOT_FOUND)
        return found; /* not "absent": the transaction may be gone */
    bool exists = found == LH_OK;
    if (exists && a->if_not_exists) {
        a->out = uc_render(UC_TABLE, &a->key, old);
        json_decref(old);
        return LH_OK;
    }
    if (exists && !a->or_replace) {
        json_decref(old);
        char full[3 * (UC_NAME_MAX + 1)];
        snprintf(full, sizeof full, "%s.%s.%s", a->key.part[0], a->key.part[1], a->key.part[2]);
        return uc_exists(eb, UC_TABLE, full);
    }
    json_t *info = table_info_json(a->c, a->t, &a->key);
    json_t *base = uc_info_new(UC_TABLE, a->who);
    if (exists) { /* keep the identity and history of the replaced object */
        static const char *const KEEP[] = {"table_id", "created_at", "created_by", "owner"};
        for (int i = 0; i < 4; i++)
            json_object_set(base, KEEP[i], json_object_get(old, KEEP[i]));
        if (a->t->kind == LH_TABLE_MANAGED && a->t->storage_location == NULL &&
            json_object_get(old, "storage_location") != NULL)
            json_object_set(info, "storage_location", json_object_get(old, "storage_location"));
    }
    json_decref(old);
    json_object_update(info, base);
    json_decref(base);
    const char *loc = json_string_value(json_object_get(info, "storage_location"));
    lh_err e = exists || loc == NULL ? LH_OK : location_free(m, false, loc, eb);
    if (e != LH_OK) {
        json_decref(info);
        return e;
    }
    e = exists ? uc_row_update(m, UC_TABLE, &a->key, info, eb)
               : uc_row_insert(m, UC_TABLE, &a->key, info, eb);
    if (e == LH_OK)
        a->out = uc_render(UC_TABLE, &a->key, info);
    json_decref(info);
    return e;
}

lh_err uc_table_create(lh_catalog_t *c, const char *who, const lh_table_info_t *info,
                       bool if_not_exists, bool or_replace, json_t **out, lh_errbuf *eb)
{
    table_arg a = {c, who, info, {{NULL, NULL, NULL}, 3}, if_not_exists, or_replace, NULL};
    char parts[3][UC_NAME_MAX + 1];
    const char *given[3] = {info->catalog, info->schema, info->name};
    static const char *const WHAT[3] = {"catalog", "schema", "table"};
    for (int i = 0; i < 3; i++) {
        LH_TRY(uc_name(WHAT[i], given[i], parts[i], eb));
        a.key.part[i] = parts[i];
    }
    LH_TRY(lh_meta_tx(c->meta, table_tx, &a, eb));
    if (out != NULL)
        *out = a.out;
    else
        json_decref(a.out);
    return LH_OK;
}

/* ---- table summaries ---- */

typedef struct summary_arg {
    const char *catalog, *schema_pattern, *table_pattern;
    lh_page_t *page;
    lh_arena_t *arena;
    json_t *items;
} summary_arg;

static lh_err summary_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    summary_arg *a = arg;
    uc_key ck = {{a->catalog, NULL, NULL}, 1};
    LH_TRY(check_parents(m, &ck, 1, eb));
    const char *sql = lh_arena_sprintf(
        a->arena,
        "SELECT schema, name, json_extract(info, '$.table_type') FROM uc_tables "
        "WHERE catalog = ?1 AND schema LIKE ?2 AND name LIKE ?3 AND %s ORDER BY %s LIMIT ?6",
        lh_page_sql_where(a->page, 4), lh_page_sql_order(a->page));
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, sql, &st, eb));
    lh_stmt_bind_text(st, 1, a->catalog);
    lh_stmt_bind_text(st, 2, a->schema_pattern);
    lh_stmt_bind_text(st, 3, a->table_pattern);
    lh_page_bind(a->page, st, 4);
    lh_stmt_bind_int(st, 6, a->page->fetch);
    for (;;) {
        bool row = false;
        LH_TRY(lh_stmt_step(st, &row, eb));
        lh_page_key key[LH_PAGE_KEYS_MAX] = {{.s = lh_stmt_text(st, 0)},
                                             {.s = lh_stmt_text(st, 1)}};
        if (!row || !lh_page_take(a->page, key))
            return LH_OK;
        json_t *o = json_object();
        lh_json_set_str(o, "full_name",
                        lh_arena_sprintf(a->arena, "%s.%s.%s", a->catalog, key[0].s, key[1].s));
        lh_json_set_str(o, "table_type", lh_stmt_text(st, 2));
        lh_page_add(a->page, a->items, o);
    }
}

lh_err uc_table_summaries(lh_catalog_t *c, const char *catalog, const char *schema_pattern,
                          const char *table_pattern, lh_page_t *page, lh_arena_t *arena,
                          json_t **out, lh_errbuf *eb)
{
    summary_arg a = {catalog,
                     schema_pattern != NULL && *schema_pattern ? schema_pattern : "%",
                     table_pattern != NULL && *table_pattern ? table_pattern : "%",
                     page,
                     arena,
                     json_array()};
    lh_err e = lh_meta_read(c->meta, summary_read, &a, eb);
    if (e != LH_OK) {
        json_decref(a.items);
        return e;
    }
    *out = json_object();
    json_object_set_new(*out, "tables", a.items);
    lh_page_finish(page, *out);
    return LH_OK;
}

/* ---- ownership ---- */

typedef struct owner_arg {
    const lh_principal_t *who;
    uc_kind kind;
    const uc_key *key;
    bool owns;
    lh_arena_t *arena; /* non-NULL: copy the object's storage_location into location */
    const char *location;
} owner_arg;

static lh_err owner_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    owner_arg *a = arg;
    for (int depth = 1; depth <= a->key->n; depth++) {
        uc_key k = *a->key;
        k.n = depth;
        uc_kind kind = depth == 1 ? UC_CATALOG : depth == 2 ? UC_SCHEMA : a->kind;
        json_t *info;
        LH_TRY(uc_row_get(m, kind, &k, &info, eb));
        const char *owner = json_string_value(json_object_get(info, "owner"));
        a->owns |=
            a->who == NULL || a->who->is_admin ||
            (owner != NULL && a->who->user_name != NULL && strcmp(owner, a->who->user_name) == 0);
        const char *loc = json_string_value(json_object_get(info, "storage_location"));
        if (depth == a->key->n && a->arena != NULL && loc != NULL)
            a->location = lh_arena_strdup(a->arena, loc);
        json_decref(info);
    }
    return LH_OK;
}

lh_err uc_require_owner(lh_catalog_t *c, const lh_principal_t *who, uc_kind kind, const uc_key *key,
                        lh_errbuf *eb)
{
    if (who == NULL || who->is_admin)
        return LH_OK;
    owner_arg a = {who, kind, key, false, NULL, NULL};
    LH_TRY(lh_meta_read(c->meta, owner_read, &a, eb));
    if (a.owns)
        return LH_OK;
    lh_arena_t *arena = lh_arena_create();
    lh_err e = lh_err_set(eb, LH_E_PERMISSION, __FILE__, __LINE__,
                          "User %s does not own %s '%s' or a parent of it (only owners and "
                          "metastore admins may change it)",
                          who->user_name, uc_kinds[kind].label, uc_full_name(arena, key, key->n));
    lh_arena_destroy(arena);
    return e;
}

lh_err uc_volume_access(lh_catalog_t *c, const lh_principal_t *who, const uc_key *key,
                        lh_arena_t *arena, const char **location, lh_errbuf *eb)
{
    owner_arg a = {who, UC_VOLUME, key, false, arena, NULL};
    LH_TRY(lh_meta_read(c->meta, owner_read, &a, eb));
    LH_FAIL_IF(a.location == NULL || *a.location != '/', LH_E_INTERNAL, eb,
               "volume %s.%s.%s has no local storage location", key->part[0], key->part[1],
               key->part[2]);
    *location = a.location;
    if (a.owns)
        return LH_OK;
    return lh_err_set(eb, LH_E_PERMISSION, __FILE__, __LINE__,
                      "User %s does not own Volume '%s.%s.%s' or a parent of it", who->user_name,
                      key->part[0], key->part[1], key->part[2]);
}
