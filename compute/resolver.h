/*
 * resolver.h - how the SQL engine reaches the catalog: names to tables, views, functions,
 * and the DDL that changes them. api/catalog implements it (the Unity Catalog namespace in
 * SQLite); compute/ only calls through this table of function pointers, so the engine never
 * includes an api/ header (DESIGN.md's layering) and tests can plug in a fake.
 *
 * Names are already split and unquoted; matching is case-insensitive as in Unity Catalog
 * (names are stored lower-cased). `who` is the calling principal's user name, for
 * ownership and (later) privilege checks. Every mutating call is one SQLite transaction, so
 * SQL DDL and the REST API see the same objects. Thread-safe: called from query threads.
 *
 * Errors: LH_E_NOT_FOUND (the engine turns it into TABLE_OR_VIEW_NOT_FOUND,
 * SCHEMA_NOT_FOUND, CATALOG_NOT_FOUND...), LH_E_EXISTS (TABLE_OR_VIEW_ALREADY_EXISTS...),
 * LH_E_PERMISSION, LH_E_INVALID; eb's error_code may carry the Spark class already.
 */
#ifndef LH_COMPUTE_RESOLVER_H
#define LH_COMPUTE_RESOLVER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"

typedef enum {
    LH_TABLE_MANAGED,
    LH_TABLE_EXTERNAL,
    LH_TABLE_VIEW,
} lh_table_kind;

/* One column as the catalog records it (Delta schema JSON is the source of truth for
 * tables; views and CREATE TABLE carry type_text as parsed). */
typedef struct lh_catalog_column {
    const char *name;
    const char *type_text; /* Spark SQL type text, e.g. "bigint", "decimal(10,2)" */
    const char *type_json; /* Delta/Spark JSON type, e.g. "\"long\"" */
    const char *comment;   /* may be NULL */
    bool nullable;
    int partition_index; /* -1 = not a partition column */
} lh_catalog_column_t;

typedef struct lh_table_info {
    const char *catalog, *schema, *name; /* as stored (lower case) */
    const char *full_name;               /* "catalog.schema.name" */
    lh_table_kind kind;
    const char *data_source_format; /* "DELTA" for tables; NULL for views */
    const char *storage_location;   /* absolute directory of the Delta table; NULL for views */
    const char *view_definition;    /* views: the SQL text of the query */
    const char *comment;
    const char *owner;
    const char *properties_json; /* TBLPROPERTIES as a JSON object text, or NULL */
    const char *table_id;        /* UUID */
    int column_count;
    const lh_catalog_column_t *columns;
    int64_t created_at, updated_at; /* ms */
    const char *constraints_json;   /* informational PRIMARY/FOREIGN KEY constraints: a JSON
                                       array of UC TableConstraint objects, or NULL */
} lh_table_info_t;

/* A SQL function (Unity Catalog FunctionInfo, routine_body SQL): what a call needs to bind
 * its body with the arguments in place, and what DESCRIBE FUNCTION shows. The governance
 * work builds column masks and row filters on it (a mask is such a function). */
typedef struct lh_function_param {
    const char *name;
    const char *type_text;    /* Spark SQL type text, e.g. "int", "decimal(10,2)" */
    const char *default_text; /* DEFAULT expression as written, or NULL */
    const char *comment;      /* or NULL */
} lh_function_param_t;

typedef struct lh_function_info {
    const char *catalog, *schema, *name; /* as stored (lower case); NULL catalog = temporary */
    const char *full_name;
    int param_count;
    const lh_function_param_t *params;
    const char *data_type;          /* the RETURNS type text ("int"); NULL = from the body */
    const char *routine_definition; /* the RETURN body: an expression, as written */
    const char *comment;
    bool is_deterministic;
    const char *sql_data_access; /* CONTAINS_SQL | READS_SQL_DATA */
    const char *owner;
    int64_t created_at; /* ms */
} lh_function_info_t;

typedef struct lh_resolver {
    void *ctx;
    /* Look-ups (results in arena). */
    lh_err (*catalog_exists)(void *ctx, const char *catalog, lh_errbuf *eb);
    lh_err (*schema_exists)(void *ctx, const char *catalog, const char *schema, lh_errbuf *eb);
    lh_err (*get_table)(void *ctx, const char *catalog, const char *schema, const char *name,
                        lh_arena_t *arena, lh_table_info_t **out, lh_errbuf *eb);
    /* Lists (names in arena, sorted). */
    lh_err (*list_catalogs)(void *ctx, lh_arena_t *arena, const char ***names, int *count,
                            lh_errbuf *eb);
    lh_err (*list_schemas)(void *ctx, const char *catalog, lh_arena_t *arena, const char ***names,
                           int *count, lh_errbuf *eb);
    lh_err (*list_tables)(void *ctx, const char *catalog, const char *schema, lh_arena_t *arena,
                          const char ***names, int *count, lh_errbuf *eb);
    /* DDL. create_table: info->storage_location NULL for a managed table = the catalog
     * chooses DATA_DIR/warehouse/<catalog>/<schema>/<table>/ and writes it back into the
     * stored row (the engine then creates the Delta log there). if_not_exists /
     * or_replace as in SQL. */
    lh_err (*create_catalog)(void *ctx, const char *who, const char *name, const char *comment,
                             bool if_not_exists, lh_errbuf *eb);
    lh_err (*create_schema)(void *ctx, const char *who, const char *catalog, const char *name,
                            const char *comment, bool if_not_exists, lh_errbuf *eb);
    lh_err (*create_table)(void *ctx, const char *who, const lh_table_info_t *info,
                           bool if_not_exists, bool or_replace, lh_arena_t *arena,
                           lh_table_info_t **stored, lh_errbuf *eb);
    lh_err (*drop_catalog)(void *ctx, const char *name, bool if_exists, bool cascade,
                           lh_errbuf *eb);
    lh_err (*drop_schema)(void *ctx, const char *catalog, const char *name, bool if_exists,
                          bool cascade, lh_errbuf *eb);
    /* Drops the row; a managed table's files are deleted by the catalog too. */
    lh_err (*drop_table)(void *ctx, const char *catalog, const char *schema, const char *name,
                         bool if_exists, bool is_view, lh_errbuf *eb);
    /* ALTER: replace the stored row's mutable parts (name, comment, properties, columns,
     * and a view's definition when info has one) with those of info, keyed by the old name. */
    lh_err (*update_table)(void *ctx, const char *catalog, const char *schema, const char *name,
                           const lh_table_info_t *info, lh_errbuf *eb);
    lh_err (*set_comment)(void *ctx, const char *securable /* CATALOG|SCHEMA|TABLE */,
                          const char *full_name, const char *comment, lh_errbuf *eb);
    /* The local directory of volume catalog.schema.volume (in arena), for reading files
     * under /Volumes/... after checking who may read it (READ VOLUME: without Unity Catalog
     * grants yet, the owners of the volume, its schema or catalog). LH_E_NOT_FOUND,
     * LH_E_PERMISSION. May be NULL (no volumes). */
    lh_err (*volume_path)(void *ctx, const char *who, const char *catalog, const char *schema,
                          const char *volume, lh_arena_t *arena, const char **dir, lh_errbuf *eb);
    /* SQL functions (uc_functions). get: LH_E_NOT_FOUND when absent (eb's code
     * ROUTINE_NOT_FOUND); create: LH_E_EXISTS (ROUTINE_ALREADY_EXISTS) unless or_replace /
     * if_not_exists; list: names in arena, sorted. */
    lh_err (*get_function)(void *ctx, const char *catalog, const char *schema, const char *name,
                           lh_arena_t *arena, lh_function_info_t **out, lh_errbuf *eb);
    lh_err (*create_function)(void *ctx, const char *who, const lh_function_info_t *info,
                              bool if_not_exists, bool or_replace, lh_errbuf *eb);
    lh_err (*drop_function)(void *ctx, const char *catalog, const char *schema, const char *name,
                            bool if_exists, lh_errbuf *eb);
    lh_err (*list_functions)(void *ctx, const char *catalog, const char *schema, lh_arena_t *arena,
                             const char ***names, int *count, lh_errbuf *eb);
} lh_resolver_t;

#endif
