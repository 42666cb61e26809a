/*
 * catalog_internal.h - what the files of api/catalog share; not for other areas.
 *
 *   catalog.c    the area: start-up (seeding), names, errors, paging tokens, file removal
 *   store.c      the generic object store: one row kind per securable (uc_kind), rows as
 *                key columns + `info` JSON, rendering into the SDK's *Info shapes
 *   ops.c        the operations (create/get/list/update/delete per kind), each one
 *                metastore read or transaction; what REST and the resolver both call
 *   columns.c    column types: Spark SQL type text -> ColumnTypeName, type_json
 *   handlers.c   the REST handlers of /api/2.1/unity-catalog and the route table
 *   resolver.c   compute/resolver.h over ops.c
 *   files.c      the Files API over volumes
 *
 * Lock order: the metastore's own mutex only (no locks of our own).
 */
#ifndef LH_API_CATALOG_INTERNAL_H
#define LH_API_CATALOG_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "api/catalog/catalog.h"
#include "api/page.h"
#include "compute/resolver.h"
#include "storage/meta/meta.h"

#define UC_NAME_MAX     255
#define UC_METASTORE_ID "8c5f1ab0-6c8e-4f1c-9d2a-3a1f0e5b7c11"
#define UC_PATH_MAX     4096

struct lh_catalog {
    lh_ctx_t *ctx;
    lh_meta_t *meta;
    char warehouse_dir[UC_PATH_MAX]; /* DATA_DIR/warehouse */
    char volumes_dir[UC_PATH_MAX];   /* DATA_DIR/volumes */
    lh_resolver_t resolver;
};

typedef enum uc_kind {
    UC_CATALOG,
    UC_SCHEMA,
    UC_TABLE,
    UC_VOLUME,
    UC_FUNCTION,
    UC_KIND_COUNT
} uc_kind;

/* A three-level name; n = 1 (catalog), 2 (schema) or 3 (leaf). Parts are lower case. */
typedef struct uc_key {
    const char *part[3];
    int n;
} uc_key;

/* One row kind: its SQL (stable text, cached by the metastore) and its wire words. */
typedef struct uc_kind_def {
    const char *label;          /* "Catalog" */
    const char *not_found_code; /* CATALOG_DOES_NOT_EXIST ... */
    const char *exists_code;    /* CATALOG_ALREADY_EXISTS ... */
    const char *id_field;       /* "catalog_id"... (NULL: none) */
    const char *list_field;     /* "catalogs" */
    const char *securable_type; /* "CATALOG" */
    int depth;
    const char *sql_get, *sql_insert, *sql_update, *sql_delete, *sql_rename, *sql_page, *sql_count;
} uc_kind_def;

extern const uc_kind_def uc_kinds[UC_KIND_COUNT];

/* ---- catalog.c ---- */

/* Lower-case and validate name (into out, UC_NAME_MAX + 1 bytes). LH_E_INVALID naming what. */
lh_err uc_name(const char *what, const char *name, char *out, lh_errbuf *eb);
/* Split "a.b.c" into exactly depth lower-cased, validated parts (copied into arena). */
lh_err uc_parse_full(lh_arena_t *arena, const char *full_name, int depth, uc_key *key,
                     lh_errbuf *eb);
/* "a.b.c" of key's first n parts, in arena. */
const char *uc_full_name(lh_arena_t *arena, const uc_key *key, int n);
lh_err uc_not_found(lh_errbuf *eb, uc_kind kind, const char *full_name);
lh_err uc_exists(lh_errbuf *eb, uc_kind kind, const char *full_name);
/* Remove a directory tree (best effort, logged); path may not exist. */
void uc_remove_tree(const char *path);
/* Directory of a managed object: base/parts[0]/.../parts[n-1] (in arena). */
const char *uc_dir(lh_arena_t *arena, const char *base, const uc_key *key, int n);
/* mkdir -p (mode 0755). LH_E_IO naming path. */
lh_err uc_mkdirs(const char *path, lh_errbuf *eb);

/* Fill c->resolver (resolver.c). */
void lh_catalog_resolver_init(lh_catalog_t *c);
/* The function operations of the resolver (functions.c). */
void uc_function_resolver_init(lh_resolver_t *r);

/* ---- store.c: inside a metastore callback ---- */

/* The row's info (a new reference) or LH_E_NOT_FOUND with the kind's code. */
lh_err uc_row_get(lh_meta_t *m, uc_kind kind, const uc_key *key, json_t **info, lh_errbuf *eb);
/* *exists: is the key taken? Errors (out of memory...) are returned, never read as "no":
 * SQLite may have rolled the transaction back, and going on would run outside it. */
lh_err uc_row_exists(lh_meta_t *m, uc_kind kind, const uc_key *key, bool *exists, lh_errbuf *eb);
/* Insert; LH_E_EXISTS with the kind's code when the key is taken. */
lh_err uc_row_insert(lh_meta_t *m, uc_kind kind, const uc_key *key, const json_t *info,
                     lh_errbuf *eb);
lh_err uc_row_update(lh_meta_t *m, uc_kind kind, const uc_key *key, const json_t *info,
                     lh_errbuf *eb);
lh_err uc_row_delete(lh_meta_t *m, uc_kind kind, const uc_key *key, lh_errbuf *eb);
/* Rename the last part of key (children follow by cascade). LH_E_EXISTS when taken. */
lh_err uc_row_rename(lh_meta_t *m, uc_kind kind, const uc_key *key, const char *new_name,
                     lh_errbuf *eb);
/* Rows of kind under parent (its first depth-1 parts) by name: those of page (api/page.h;
 * taken with lh_page_take), or all of them when page is NULL. fn gets each row taken;
 * name/info are valid during fn. The SQL text is built in arena. */
typedef lh_err (*uc_row_fn)(void *arg, const char *name, json_t *info, lh_errbuf *eb);
lh_err uc_row_page(lh_meta_t *m, uc_kind kind, const uc_key *parent, lh_page_t *page,
                   lh_arena_t *arena, uc_row_fn fn, void *arg, lh_errbuf *eb);
/* Number of rows of kind directly under parent. */
lh_err uc_row_count(lh_meta_t *m, uc_kind kind, const uc_key *parent, int64_t *count,
                    lh_errbuf *eb);
/* A fresh info object for a new row: ids, owner, created/updated, metastore_id. */
json_t *uc_info_new(uc_kind kind, const char *who);
void uc_info_touch(json_t *info, const char *who);
/* The SDK shape: info + name, full_name, catalog_name/schema_name. New reference. */
json_t *uc_render(uc_kind kind, const uc_key *key, const json_t *info);

/* ---- columns.c ---- */

/* ColumnTypeName for Spark SQL type text ("bigint" -> "LONG"); "USER_DEFINED_TYPE" if unknown. */
const char *uc_type_name(const char *type_text);
/* The Spark JSON type for type text when it is a primitive ("\"long\""), else NULL. */
const char *uc_type_json_of(const char *type_text, char *buf, size_t cap);
/* A ColumnInfo object from a resolver column at position. */
json_t *uc_column_json(const lh_catalog_column_t *col, int position);
/* Normalize a REST ColumnInfo (fills type_name/type_json/position when absent). */
lh_err uc_column_normalize(json_t *col, int position, lh_errbuf *eb);

/* ---- ops.c: each one metastore read or transaction; who = the user name ---- */

/* The paging of kind's list (max_results: absent or 0 = LH_PAGE_SIZE_MAX a page, larger
 * values clamped, negative 400). */
extern const lh_page_spec uc_page_specs[UC_KIND_COUNT];
extern const lh_page_spec uc_summary_page_spec;

lh_err uc_create(lh_catalog_t *c, uc_kind kind, const char *who, const uc_key *key, json_t *info,
                 bool if_not_exists, json_t **out, lh_errbuf *eb);
lh_err uc_get(lh_catalog_t *c, uc_kind kind, const uc_key *key, json_t **out, lh_errbuf *eb);
/* {<list_field>: [...], next_page_token?} of kind under parent: the page (NULL = all). */
lh_err uc_list(lh_catalog_t *c, uc_kind kind, const uc_key *parent, lh_page_t *page,
               lh_arena_t *arena, json_t **out, lh_errbuf *eb);
/* Apply patch fields (new_name, comment, owner, properties, ...) and answer the new shape. */
lh_err uc_update(lh_catalog_t *c, uc_kind kind, const char *who, const uc_key *key,
                 const json_t *patch, json_t **out, lh_errbuf *eb);
/* Delete (force: with everything under it) and remove managed files after commit. */
lh_err uc_delete(lh_catalog_t *c, uc_kind kind, const uc_key *key, bool force, bool if_exists,
                 lh_arena_t *arena, lh_errbuf *eb);
/* Create a table from a resolver description (or replace it). */
lh_err uc_table_create(lh_catalog_t *c, const char *who, const lh_table_info_t *info,
                       bool if_not_exists, bool or_replace, json_t **out, lh_errbuf *eb);
/* {tables: [{full_name, table_type}], next_page_token?} with SQL LIKE patterns. */
lh_err uc_table_summaries(lh_catalog_t *c, const char *catalog, const char *schema_pattern,
                          const char *table_pattern, lh_page_t *page, lh_arena_t *arena,
                          json_t **out, lh_errbuf *eb);

/* Ownership (until Unity Catalog grants exist): admins, and the owner of the object or of
 * one of its parents, may change it and reach a volume's files. Reads metadata only;
 * LH_E_NOT_FOUND when the object (or a parent) does not exist, LH_E_PERMISSION otherwise. */
lh_err uc_require_owner(lh_catalog_t *c, const lh_principal_t *who, uc_kind kind, const uc_key *key,
                        lh_errbuf *eb);

/* The Files API's one read per request: volume key exists (else LH_E_NOT_FOUND with the
 * catalog's, schema's or volume's code), *location is its storage location (in arena),
 * and who may reach its files (admins, owners of it or a parent; else LH_E_PERMISSION). */
lh_err uc_volume_access(lh_catalog_t *c, const lh_principal_t *who, const uc_key *key,
                        lh_arena_t *arena, const char **location, lh_errbuf *eb);

/* ---- handlers.c / files.c ---- */
lh_catalog_t *uc_of(const lh_req_t *req);
/* Files API handlers (files.c); GET also answers HEAD. */
lh_err uc_h_file_put(lh_req_t *req, lh_errbuf *eb);
lh_err uc_h_file_get(lh_req_t *req, lh_errbuf *eb);
lh_err uc_h_file_delete(lh_req_t *req, lh_errbuf *eb);
lh_err uc_h_dir_put(lh_req_t *req, lh_errbuf *eb);
lh_err uc_h_dir_get(lh_req_t *req, lh_errbuf *eb);
lh_err uc_h_dir_delete(lh_req_t *req, lh_errbuf *eb);

#endif
