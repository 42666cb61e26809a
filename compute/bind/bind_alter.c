/*
 * bind_alter.c - ALTER TABLE and COMMENT ON: each table change is one Delta commit of a
 * new metaData (schema, configuration, description; the protocol raised to writer
 * version 3 when the table gains its first CHECK constraint, as Delta does), then the
 * same change in Unity Catalog through the resolver (columns, comment, properties =
 * the Delta configuration), so the REST API and the log agree.
 *
 *   ADD COLUMNS               new nullable fields (old files read them as NULL)
 *   ALTER COLUMN c COMMENT    the field's metadata "comment"
 *   ALTER COLUMN c SET / DROP NOT NULL   nullable false / true (SET checks existing rows)
 *   SET / UNSET TBLPROPERTIES the configuration
 *   ADD CONSTRAINT n CHECK (e) delta.constraints.n = e, after checking every existing row
 *   DROP CONSTRAINT n         removes it
 *   RENAME TO                 the catalog row only (a managed table's folder stays)
 *   RENAME COLUMN, DROP COLUMN  Delta's errors for tables without column mapping
 * Anything else answers UNSUPPORTED_FEATURE.NOT_YET.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "common/limits.h"
#include "compute/exec/exec.h"
#include "compute/sql/parser.h"
#include "storage/delta/rewrite.h"

typedef struct alter_ctx {
    binder *b;
    const lh_ast_stmt_t *st;
    lh_plan_t *scan;
    const char *catalog, *schema, *name;
    lh_table_info_t *info;
    const char *operation;
    json_t *params;
    bool raise_protocol;
    const char *feature; /* a writer feature the commit adds to the protocol, or NULL */
    char *domain_conf;   /* delta.clustering domain configuration to set (malloc'd), or NULL */
    bool domain_remove;  /* remove the delta.clustering domain */
    bool same_type;      /* CHANGE COLUMN a a t: t is the column's type already */
} alter_ctx;

/* ---- the Delta metadata edit -------------------------------------------------------------- */

static lh_err map_set(lh_delta_map_t *m, const char *key, const char *value)
{
    for (int i = 0; i < m->count; i++)
        if (strcmp(m->items[i].key, key) == 0) {
            free(m->items[i].value);
            m->items[i].value = value ? strdup(value) : NULL;
            return LH_OK;
        }
    lh_delta_kv_t *items = realloc(m->items, (size_t)(m->count + 1) * sizeof *items);
    if (items == NULL)
        return LH_E_NOMEM;
    m->items = items;
    m->items[m->count].key = strdup(key);
    m->items[m->count++].value = value ? strdup(value) : NULL;
    return LH_OK;
}

static bool map_del(lh_delta_map_t *m, const char *key)
{
    for (int i = 0; i < m->count; i++)
        if (strcmp(m->items[i].key, key) == 0) {
            free(m->items[i].key);
            free(m->items[i].value);
            m->items[i] = m->items[--m->count];
            return true;
        }
    return false;
}

typedef lh_err (*edit_fn)(alter_ctx *c, lh_delta_metadata_t *md, json_t *fields);

static json_t *field_of(json_t *fields, const char *name, int *index)
{
    for (size_t i = 0; i < json_array_size(fields); i++) {
        json_t *f = json_array_get(fields, i);
        if (strcasecmp(json_string_value(json_object_get(f, "name")), name) == 0) {
            if (index)
                *index = (int)i;
            return f;
        }
    }
    return NULL;
}

/* One metaData commit: copy the latest, edit, commit. */
static lh_err commit_metadata(alter_ctx *c, edit_fn edit, lh_errbuf *eb)
{
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    lh_delta_wtxn_t *w = NULL;
    lh_delta_metadata_t md;
    memset(&md, 0, sizeof md);
    json_t *schema = NULL;
    lh_delta_write_opts_t o;
    lh_delta_write_opts_default(&o);
    o.enforces_constraints = true;
    lh_err e = bd_open_snapshot(c->scan->u.scan.root, &os, &t, &snap, eb);
    if (e == LH_OK)
        e = lh_delta_wtxn_begin(t, snap, &o, &w, eb);
    if (e == LH_OK && lh_delta_metadata_copy(lh_delta_snapshot_metadata(snap), &md) != LH_OK)
        e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
    if (e == LH_OK && (schema = json_loads(md.schema_string, 0, NULL)) == NULL)
        e = lh_err_set(eb, LH_E_CORRUPT, __FILE__, __LINE__, "unreadable schemaString");
    if (e == LH_OK)
        e = edit(c, &md, json_object_get(schema, "fields"));
    if (e == LH_OK) {
        char *text = json_dumps(schema, JSON_COMPACT | JSON_PRESERVE_ORDER);
        free(md.schema_string);
        md.schema_string = text;
        lh_schema_destroy(md.schema);
        lh_schema_destroy(md.primitive_schema);
        free(md.unreadable_column);
        md.schema = md.primitive_schema = NULL;
        md.unreadable_column = NULL;
        e = lh_delta_txn_set_metadata(lh_delta_wtxn_txn(w), &md, eb);
    }
    const lh_delta_protocol_t *pr = snap ? lh_delta_snapshot_protocol(snap) : NULL;
    lh_delta_protocol_t fp;
    if (e == LH_OK && c->feature != NULL && bcm_protocol_with(c->b, pr, c->feature, &fp))
        e = lh_delta_txn_set_protocol(lh_delta_wtxn_txn(w), &fp, eb);
    else if (e == LH_OK && c->raise_protocol && pr->min_writer_version < 3) {
        lh_delta_protocol_t np = {1, 3, -1, NULL, -1, NULL};
        e = lh_delta_txn_set_protocol(lh_delta_wtxn_txn(w), &np, eb);
    }
    if (e == LH_OK && c->domain_conf != NULL) {
        lh_delta_domain_t d = {"delta.clustering", c->domain_conf, false};
        e = lh_delta_txn_set_domain(lh_delta_wtxn_txn(w), &d, eb);
    }
    char *ps = c->params ? json_dumps(c->params, JSON_COMPACT) : NULL;
    if (e == LH_OK)
        e = lh_delta_wtxn_commit(w, c->operation, ps, NULL, LH_DELTA_COMMIT_ALLOW_EMPTY, NULL, eb);
    free(ps);
    json_decref(schema);
    lh_delta_metadata_clear(&md);
    lh_delta_wtxn_destroy(w);
    bd_close_snapshot(os, t, snap);
    return e;
}

/* Unity Catalog's row from the Delta table as it now is. */
static lh_err sync_catalog(alter_ctx *c, const char *new_name, lh_errbuf *eb)
{
    binder *b = c->b;
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    lh_err e = bd_open_snapshot(c->scan->u.scan.root, &os, &t, &snap, eb);
    lh_table_info_t info = *c->info;
    if (e == LH_OK) {
        const lh_delta_metadata_t *md = lh_delta_snapshot_metadata(snap);
        json_t *schema = json_loads(md->schema_string, 0, NULL);
        json_t *fields = json_object_get(schema, "fields");
        int n = (int)json_array_size(fields);
        lh_catalog_column_t *cols = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *cols);
        for (int i = 0; i < n; i++) {
            json_t *f = json_array_get(fields, i);
            const char *name = json_string_value(json_object_get(f, "name"));
            json_t *ty = json_object_get(f, "type");
            const char *cm =
                json_string_value(json_object_get(json_object_get(f, "metadata"), "comment"));
            int part = -1;
            for (int k = 0; k < md->partition_column_count; k++)
                if (strcmp(md->partition_columns[k], name) == 0)
                    part = k;
            char *tj = json_dumps(ty, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
            lh_type_t ft;
            lh_errbuf ignored;
            bool known = tj != NULL && lh_delta_type_parse(tj, &ft, &ignored) == LH_OK;
            cols[i] = (lh_catalog_column_t){
                lh_arena_strdup(b->a, name),
                known ? bs_type_text(b, ft)
                      : lh_arena_strdup(b->a, json_is_string(ty) ? json_string_value(ty) : "?"),
                tj ? lh_arena_strdup(b->a, tj) : NULL,
                cm ? lh_arena_strdup(b->a, cm) : NULL,
                !json_is_false(json_object_get(f, "nullable")),
                part};
            free(tj);
        }
        json_decref(schema);
        info.columns = cols;
        info.column_count = n;
        info.comment = md->description ? lh_arena_strdup(b->a, md->description) : NULL;
        json_t *props = json_object();
        for (int i = 0; i < md->configuration.count; i++)
            json_object_set_new(props, md->configuration.items[i].key,
                                json_string(md->configuration.items[i].value
                                                ? md->configuration.items[i].value
                                                : ""));
        char *pt = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS);
        info.properties_json = pt ? lh_arena_strdup(b->a, pt) : NULL;
        free(pt);
        json_decref(props);
    }
    bd_close_snapshot(os, t, snap);
    LH_TRY(e);
    if (new_name != NULL)
        info.name = new_name;
    const lh_resolver_t *r = b->env->resolver;
    return r->update_table(r->ctx, c->catalog, c->schema, c->name, &info, eb);
}

/* ---- the edits ------------------------------------------------------------------------------ */

static lh_err defaults_enabled(alter_ctx *c);

static lh_err add_columns(alter_ctx *c, lh_delta_metadata_t *md, json_t *fields)
{
    (void)md;
    const lh_ast_alter_t *al = c->st->alter;
    json_t *names = json_array();
    for (int i = 0; i < al->column_count; i++) {
        const lh_ast_column_def_t *d = &al->columns[i];
        if (field_of(fields, d->name.text, NULL) != NULL) {
            json_decref(names);
            return lh_sqlerr(c->b->eb, "FIELD_ALREADY_EXISTS", "op", "add", "fieldNames",
                             lh_arena_sprintf(c->b->a, "`%s`", d->name.text), "struct",
                             lh_arena_sprintf(c->b->a, "`%s`", c->name), NULL);
        }
        lh_type_t ty;
        lh_err e = lh_bind_type(d->type, &ty, c->b->eb);
        if (e == LH_OK)
            e = bs_check_column_type(ty, c->b->eb);
        if (e == LH_OK && (d->not_null || d->generated || d->identity))
            e = lh_sqlerr(c->b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                          "ADD COLUMN with NOT NULL, GENERATED or IDENTITY", NULL);
        lh_expr_t *dv; /* a DEFAULT applies to rows written from now on (Delta keeps no
                          existence default: the rows already there read NULL) */
        if (e == LH_OK && d->default_ != NULL)
            e = defaults_enabled(c);
        if (e == LH_OK && d->default_ != NULL)
            e = bcm_check_default(c->b, "ALTER TABLE", d->name.text, d->default_text, ty, c->name,
                                  &dv);
        if (e != LH_OK) {
            json_decref(names);
            return e;
        }
        char *tj = lh_delta_type_json(ty);
        json_t *type = tj ? json_loads(tj, JSON_DECODE_ANY, NULL) : NULL;
        free(tj);
        if (type == NULL) {
            json_decref(names);
            return LH_E_NOMEM;
        }
        json_t *meta = json_object();
        if (d->comment)
            json_object_set_new(meta, "comment", json_string(d->comment));
        if (d->default_ != NULL)
            json_object_set_new(meta, "CURRENT_DEFAULT", json_string(d->default_text));
        json_array_append_new(fields, json_pack("{s:s,s:o,s:b,s:o}", "name", d->name.text, "type",
                                                type, "nullable", 1, "metadata", meta));
        json_array_append_new(names, json_pack("{s:s}", "name", d->name.text));
    }
    char *text = json_dumps(names, JSON_COMPACT);
    json_object_set_new(c->params, "columns", json_string(text ? text : "[]"));
    free(text);
    json_decref(names);
    return LH_OK;
}

static lh_err column_not_found(alter_ctx *c, const char *name)
{
    return lh_sqlerr(c->b->eb, "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "objectName",
                     lh_arena_sprintf(c->b->a, "`%s`", name), NULL);
}

static lh_err alter_column(alter_ctx *c, lh_delta_metadata_t *md, json_t *fields)
{
    (void)md;
    const lh_ast_alter_t *al = c->st->alter;
    const char *name = al->column.parts[al->column.count - 1].text;
    json_t *f = field_of(fields, name, NULL);
    if (f == NULL)
        return column_not_found(c, name);
    if (al->comment_set) {
        json_t *meta = json_object_get(f, "metadata");
        if (!json_is_object(meta))
            json_object_set_new(f, "metadata", meta = json_object());
        json_object_set_new(meta, "comment", json_string(al->comment ? al->comment : ""));
    }
    if (al->set_not_null)
        json_object_set_new(f, "nullable", json_false());
    if (al->drop_not_null)
        json_object_set_new(f, "nullable", json_true());
    if (al->default_ != NULL || al->drop_default) {
        json_t *meta = json_object_get(f, "metadata");
        if (!json_is_object(meta))
            json_object_set_new(f, "metadata", meta = json_object());
        if (al->default_ != NULL)
            json_object_set_new(meta, "CURRENT_DEFAULT", json_string(al->default_text));
        else
            json_object_del(meta, "CURRENT_DEFAULT");
    }
    json_object_set_new(c->params, "column", json_string(name));
    return LH_OK;
}

static lh_err set_props(alter_ctx *c, lh_delta_metadata_t *md, json_t *fields)
{
    (void)fields;
    const lh_ast_props_t *ps = &c->st->alter->props;
    json_t *props = json_object();
    for (int i = 0; i < ps->count; i++) {
        const char *v = bcr_prop_value(c->b, ps->items[i].value);
        if (strncasecmp(ps->items[i].key, "delta.constraints.", 18) == 0) {
            json_decref(props);
            return lh_sqlerr(c->b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                             "setting delta.constraints.* as a property (use ADD CONSTRAINT)",
                             NULL);
        }
        if (strcasecmp(ps->items[i].key, "delta.feature.allowColumnDefaults") == 0) {
            if (v == NULL || (strcasecmp(v, "supported") != 0 && strcasecmp(v, "enabled") != 0)) {
                json_decref(props);
                return lh_sqlerr(c->b->eb, "DELTA_UNSUPPORTED_FEATURE_STATUS", "feature",
                                 "allowColumnDefaults", "status", v ? v : "", NULL);
            }
            c->feature = "allowColumnDefaults"; /* a table feature: into the protocol */
        } else if (strcasecmp(ps->items[i].key, "comment") == 0) {
            free(md->description);
            md->description = v ? strdup(v) : NULL;
        } else if (map_set(&md->configuration, ps->items[i].key, v ? v : "") != LH_OK) {
            json_decref(props);
            return LH_E_NOMEM;
        }
        json_object_set_new(props, ps->items[i].key, json_string(v ? v : ""));
    }
    char *t = json_dumps(props, JSON_COMPACT);
    json_object_set_new(c->params, "properties", json_string(t ? t : "{}"));
    free(t);
    json_decref(props);
    return LH_OK;
}

static lh_err unset_props(alter_ctx *c, lh_delta_metadata_t *md, json_t *fields)
{
    (void)fields;
    const lh_ast_alter_t *al = c->st->alter;
    json_t *keys = json_array();
    for (int i = 0; i < al->props.count; i++) {
        const char *k = al->props.items[i].key;
        bool found = map_del(&md->configuration, k);
        if (!found && strcasecmp(k, "comment") == 0 && md->description) {
            free(md->description);
            md->description = NULL;
            found = true;
        }
        if (!found && !al->if_exists) {
            json_decref(keys);
            return lh_sqlerr(c->b->eb, "UNSET_NONEXISTENT_PROPERTIES", "properties",
                             lh_arena_sprintf(c->b->a, "`%s`", k), "table",
                             lh_arena_sprintf(c->b->a, "`%s`", c->name), NULL);
        }
        json_array_append_new(keys, json_string(k));
    }
    char *t = json_dumps(keys, JSON_COMPACT);
    json_object_set_new(c->params, "propKeys", json_string(t ? t : "[]"));
    json_object_set_new(c->params, "ifExists", json_string(al->if_exists ? "true" : "false"));
    free(t);
    json_decref(keys);
    return LH_OK;
}

static lh_err add_constraint(alter_ctx *c, lh_delta_metadata_t *md, json_t *fields)
{
    (void)fields;
    const lh_ast_constraint_t *k = c->st->alter->constraint;
    const char *name = bf_lower(c->b, k->name ? k->name->text : "");
    char key[300];
    snprintf(key, sizeof key, "delta.constraints.%s", name);
    const char *old = lh_delta_map_get(&md->configuration, key, NULL);
    if (old != NULL)
        return lh_sqlerr(c->b->eb, "DELTA_CONSTRAINT_ALREADY_EXISTS", "constraintName", name,
                         "oldConstraint", old, NULL);
    if (map_set(&md->configuration, key, k->check_text) != LH_OK)
        return LH_E_NOMEM;
    json_object_set_new(c->params, "name", json_string(name));
    json_object_set_new(c->params, "expr", json_string(k->check_text));
    return LH_OK;
}

static lh_err drop_constraint(alter_ctx *c, lh_delta_metadata_t *md, json_t *fields)
{
    (void)fields;
    const lh_ast_alter_t *al = c->st->alter;
    const char *name = bf_lower(c->b, al->constraint_name.text);
    char key[300];
    snprintf(key, sizeof key, "delta.constraints.%s", name);
    const char *old = lh_delta_map_get(&md->configuration, key, NULL);
    json_object_set_new(c->params, "name", json_string(name));
    if (old != NULL)
        json_object_set_new(c->params, "expr", json_string(old));
    if (!map_del(&md->configuration, key) && !al->if_exists)
        return lh_sqlerr(c->b->eb, "DELTA_CONSTRAINT_DOES_NOT_EXIST", "constraintName", name,
                         "tableName", c->info->full_name, NULL);
    return LH_OK;
}

/* ---- checking existing rows ------------------------------------------------------------------ */

static lh_err count_rows(void *ctx, const lh_batch_t *b, lh_errbuf *eb)
{
    (void)eb;
    *(int64_t *)ctx += (int64_t)b->row_count;
    return LH_OK;
}

/* Rows of the table where pred (over its columns) is not TRUE. */
static lh_err count_violations(alter_ctx *c, lh_expr_t *pred, int64_t *out)
{
    binder *b = c->b;
    lh_value_t f = {.type = {LH_TYPE_BOOLEAN}};
    lh_expr_t *args[2] = {pred, lh_expr_const(b->a, &f, "false")};
    lh_expr_t *co = lh_expr_node(b->a, LH_EXPR_COALESCE, f.type, false, 2, args, "c");
    lh_expr_t *neg = lh_expr_node(b->a, LH_EXPR_NOT, f.type, false, 1, &co, "n");
    lh_plan_t *fl = lh_plan_new(b->a, LH_PLAN_FILTER, c->scan->col_count, 1);
    fl->children[0] = c->scan;
    fl->u.filter.pred = neg;
    for (int i = 0; i < c->scan->col_count; i++) {
        fl->col_names[i] = c->scan->col_names[i];
        fl->col_types[i] = c->scan->col_types[i];
        fl->col_nullable[i] = c->scan->col_nullable[i];
    }
    *out = 0;
    lh_exec_opts_t o = {NULL, lh_session_conf(b->env->session), LH_QUERY_MEMORY_DEFAULT, NULL, 0};
    return lh_exec_run(fl, &o, count_rows, out, NULL, b->eb);
}

static lh_err verify_constraint(alter_ctx *c)
{
    binder *b = c->b;
    const lh_ast_constraint_t *k = c->st->alter->constraint;
    if (k->kind != LH_CONS_CHECK)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "PRIMARY KEY / FOREIGN KEY / UNIQUE constraints", NULL);
    if (k->name == NULL)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "a CHECK constraint without a name", NULL);
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    lh_err e = bd_open_snapshot(c->scan->u.scan.root, &os, &t, &snap, b->eb);
    const char *name = bf_lower(b, k->name->text);
    char key[300];
    snprintf(key, sizeof key, "delta.constraints.%s", name);
    const char *old =
        e == LH_OK ? lh_delta_map_get(&lh_delta_snapshot_metadata(snap)->configuration, key, NULL)
                   : NULL;
    if (old != NULL)
        e = lh_sqlerr(b->eb, "DELTA_CONSTRAINT_ALREADY_EXISTS", "constraintName", name,
                      "oldConstraint", lh_arena_strdup(b->a, old), NULL);
    bd_close_snapshot(os, t, snap);
    LH_TRY(e);
    lh_ast_expr_t *ast;
    LH_TRY(lh_sql_parse_expr(k->check_text, strlen(k->check_text), b->a, &ast, b->eb));
    binder inner = *b;
    inner.sql = k->check_text;
    scope sc = bf_scope_of(b, c->scan, NULL);
    ectx x = {&sc, MODE_PRE, NULL, "CHECK", NULL};
    lh_expr_t *pred;
    LH_TRY(bx_bool(&inner, &x, ast, &pred));
    int64_t bad;
    LH_TRY(count_violations(c, pred, &bad));
    if (bad > 0)
        return lh_sqlerr(b->eb, "DELTA_NEW_CHECK_CONSTRAINT_VIOLATION", "numRows",
                         lh_arena_sprintf(b->a, "%lld", (long long)bad), "tableName",
                         c->info->full_name, "checkConstraint", k->check_text, NULL);
    return LH_OK;
}

/* The position of column name in the table, or UNRESOLVED_COLUMN. */
static lh_err altered_column(alter_ctx *c, const char *name, int *col)
{
    *col = -1;
    for (int i = 0; i < c->scan->col_count; i++)
        if (strcasecmp(c->scan->col_names[i], name) == 0)
            *col = i;
    return *col < 0 ? column_not_found(c, name) : LH_OK;
}

static lh_err verify_not_null(alter_ctx *c)
{
    binder *b = c->b;
    const lh_ast_alter_t *al = c->st->alter;
    const char *name = al->column.parts[al->column.count - 1].text;
    int col;
    LH_TRY(altered_column(c, name, &col));
    lh_expr_t *ref = lh_expr_column(b->a, col, c->scan->col_types[col], true, name);
    lh_expr_t *nn =
        lh_expr_node(b->a, LH_EXPR_NOT_NULL, (lh_type_t){LH_TYPE_BOOLEAN}, false, 1, &ref, "nn");
    int64_t bad;
    LH_TRY(count_violations(c, nn, &bad));
    if (bad > 0)
        return lh_sqlerr(b->eb, "DELTA_NEW_NOT_NULL_VIOLATION", "numRows",
                         lh_arena_sprintf(b->a, "%lld", (long long)bad), "tableName",
                         c->info->full_name, "colName", name, NULL);
    return LH_OK;
}

/* ---- ALTER TABLE -------------------------------------------------------------------------------
 */

static lh_err not_yet(binder *b, const char *what)
{
    return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", what, NULL);
}

static const char *const ADVICE =
    "Please enable Column Mapping on your Delta table with mapping mode 'name'.";

static lh_err open_target(binder *b, const lh_ast_name_t *name, alter_ctx *c)
{
    scope sc;
    LH_TRY(bf_table(b, name, NULL, &c->scan, &sc));
    if (c->scan->kind != LH_PLAN_SCAN)
        return lh_sqlerr(b->eb, "EXPECT_TABLE_NOT_VIEW.USE_ALTER_VIEW", "operation", "ALTER TABLE",
                         "viewName", lh_arena_sprintf(b->a, "`%s`", c->name), NULL);
    const lh_session_t *s = b->env->session;
    c->name = bf_lower(b, name->parts[name->count - 1].text);
    c->schema =
        name->count >= 2 ? bf_lower(b, name->parts[name->count - 2].text) : lh_session_schema(s);
    c->catalog = name->count >= 3 ? bf_lower(b, name->parts[0].text) : lh_session_catalog(s);
    const lh_resolver_t *r = b->env->resolver;
    return r->get_table(r->ctx, c->catalog, c->schema, c->name, b->a, &c->info, b->eb);
}

static lh_err keep_metadata(alter_ctx *c, lh_delta_metadata_t *md, json_t *fields)
{
    (void)c, (void)md, (void)fields;
    return LH_OK;
}

/* ALTER TABLE t CLUSTER BY (cols) / NONE: the delta.clustering domain (and the clustering
 * feature); a partitioned table cannot be clustered. */
static lh_err cluster_by(alter_ctx *c)
{
    binder *b = c->b;
    const lh_ast_alter_t *al = c->st->alter;
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    LH_TRY(bd_open_snapshot(c->scan->u.scan.root, &os, &t, &snap, b->eb));
    int parts = lh_delta_snapshot_metadata(snap)->partition_column_count;
    bool clustered = lh_delta_snapshot_domain(snap, "delta.clustering") != NULL;
    bd_close_snapshot(os, t, snap);
    if (parts > 0)
        return lh_sqlerr(b->eb, "DELTA_ALTER_TABLE_CLUSTER_BY_ON_PARTITIONED_TABLE_NOT_ALLOWED",
                         NULL);
    const char **names = lh_arena_calloc(b->a, (size_t)al->name_count + 1, sizeof *names);
    json_t *cols = json_array();
    for (int i = 0; i < al->name_count; i++) {
        const char *want = al->names[i].parts[0].text;
        names[i] = NULL;
        for (int k = 0; k < c->scan->col_count; k++)
            if (strcasecmp(c->scan->col_names[k], want) == 0)
                names[i] = c->scan->col_names[k];
        if (names[i] == NULL) {
            json_decref(cols);
            return column_not_found(c, want);
        }
        json_array_append_new(cols, json_string(names[i]));
    }
    c->params = json_object();
    char *ct = json_dumps(cols, JSON_COMPACT);
    json_object_set_new(c->params, "newClusteringColumns", json_string(ct ? ct : "[]"));
    free(ct);
    json_decref(cols);
    if (al->name_count == 0) { /* NONE: an empty clustering, as Delta records it */
        if (clustered)
            c->domain_conf = bcm_clustering_conf(names, 0);
        return LH_OK;
    }
    c->domain_conf = bcm_clustering_conf(names, al->name_count);
    c->feature = "clustering";
    LH_FAIL_IF(c->domain_conf == NULL, LH_E_NOMEM, b->eb, "out of memory");
    return LH_OK;
}

/* SET DEFAULT: the table has the allowColumnDefaults feature, and the value is a constant
 * of the column's type. */
static lh_err defaults_enabled(alter_ctx *c)
{
    binder *b = c->b;
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    lh_err e = bd_open_snapshot(c->scan->u.scan.root, &os, &t, &snap, b->eb);
    bool ok =
        e == LH_OK && bcm_protocol_has(lh_delta_snapshot_protocol(snap), "allowColumnDefaults");
    bd_close_snapshot(os, t, snap);
    LH_TRY(e);
    if (!ok)
        return lh_sqlerr(b->eb, "WRONG_COLUMN_DEFAULTS_FOR_DELTA_FEATURE_NOT_ENABLED",
                         "commandType", "ALTER TABLE", NULL);
    return LH_OK;
}

static lh_err check_default(alter_ctx *c)
{
    binder *b = c->b;
    const lh_ast_alter_t *al = c->st->alter;
    LH_TRY(defaults_enabled(c));
    const char *name = al->column.parts[al->column.count - 1].text;
    int col;
    LH_TRY(altered_column(c, name, &col));
    lh_expr_t *d;
    LH_TRY(bcm_check_default(b, "ALTER TABLE", name, al->default_text, c->scan->col_types[col],
                             c->name, &d));
    return LH_OK;
}

/* CHANGE COLUMN a a' type: the same name (a new one needs RENAME COLUMN), and a type that
 * is the column's own (a change of type is not built); same_type says so. */
static lh_err check_change(alter_ctx *c)
{
    const lh_ast_alter_t *al = c->st->alter;
    const char *name = al->column.parts[al->column.count - 1].text;
    if (al->new_column.text != NULL && strcasecmp(al->new_column.text, name) != 0)
        return not_yet(c->b, "CHANGE COLUMN to a new name (use RENAME COLUMN)");
    if (al->type == NULL)
        return LH_OK;
    int col;
    LH_TRY(altered_column(c, name, &col));
    lh_type_t t;
    LH_TRY(lh_bind_type(al->type, &t, c->b->eb));
    c->same_type = lh_type_equal(t, c->scan->col_types[col]);
    return LH_OK;
}

/* ---- ALTER VIEW ---------------------------------------------------------------------------- */

/* ALTER VIEW v AS query | RENAME TO w | SET / UNSET TBLPROPERTIES: the catalog's row of the
 * view, changed in one update (a view has no Delta log). */
static lh_err run_alter_view(binder *b, const lh_ast_stmt_t *st)
{
    const lh_ast_alter_t *al = st->alter;
    lh_table_info_t *ti;
    LH_TRY(bsh_table_info(b, &st->name, &ti));
    const char *quoted =
        lh_arena_sprintf(b->a, "`%s`.`%s`.`%s`", ti->catalog, ti->schema, ti->name);
    if (ti->kind != LH_TABLE_VIEW)
        return lh_sqlerr(b->eb, "EXPECT_VIEW_NOT_TABLE.USE_ALTER_TABLE", "tableName", quoted,
                         "operation", "ALTER VIEW", NULL);
    lh_table_info_t info = *ti;
    info.owner = b->env->user; /* who changed it */
    json_t *props = ti->properties_json ? json_loads(ti->properties_json, 0, NULL) : NULL;
    if (!json_is_object(props)) {
        json_decref(props);
        props = json_object();
    }
    lh_err e = LH_OK;
    switch (al->kind) {
    case LH_ALTER_VIEW_AS: {
        lh_plan_t *plan;
        e = bq_query(b, al->query, &plan);
        lh_catalog_column_t *cols =
            lh_arena_calloc(b->a, (size_t)(e == LH_OK ? plan->col_count : 0) + 1, sizeof *cols);
        for (int i = 0; e == LH_OK && i < plan->col_count; i++)
            e = bs_catalog_column(b, plan->col_names[i], plan->col_types[i], true, NULL, &cols[i]);
        if (e == LH_OK) {
            info.columns = cols;
            info.column_count = plan->col_count;
            info.view_definition = al->text ? al->text : "";
        }
        break;
    }
    case LH_ALTER_RENAME_TO: {
        const lh_ast_name_t *nn = &al->new_name;
        const char *sch = nn->count >= 2 ? bf_lower(b, nn->parts[nn->count - 2].text) : ti->schema;
        const char *cat = nn->count >= 3 ? bf_lower(b, nn->parts[0].text) : ti->catalog;
        if (strcmp(sch, ti->schema) != 0 || strcmp(cat, ti->catalog) != 0)
            e = not_yet(b, "ALTER VIEW .. RENAME TO another schema");
        info.name = bf_lower(b, nn->parts[nn->count - 1].text);
        break;
    }
    case LH_ALTER_SET_PROPS:
        for (int i = 0; i < al->props.count; i++) {
            const char *v = bcr_prop_value(b, al->props.items[i].value);
            if (strcasecmp(al->props.items[i].key, "comment") == 0)
                info.comment = v;
            else
                json_object_set_new(props, al->props.items[i].key, json_string(v ? v : ""));
        }
        break;
    case LH_ALTER_UNSET_PROPS:
        for (int i = 0; e == LH_OK && i < al->props.count; i++) {
            const char *k = al->props.items[i].key;
            bool found = json_object_del(props, k) == 0;
            if (!found && strcasecmp(k, "comment") == 0 && info.comment != NULL)
                info.comment = NULL, found = true;
            if (!found && !al->if_exists)
                e = lh_sqlerr(b->eb, "UNSET_NONEXISTENT_PROPERTIES", "properties",
                              lh_arena_sprintf(b->a, "`%s`", k), "table",
                              lh_arena_sprintf(b->a, "`%s`", ti->name), NULL);
        }
        break;
    default:
        e = not_yet(b, "this ALTER VIEW form");
    }
    char *pt = e == LH_OK ? json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(props);
    if (e != LH_OK)
        return e;
    info.properties_json = pt ? lh_arena_strdup(b->a, pt) : NULL;
    free(pt);
    const lh_resolver_t *r = b->env->resolver;
    return r->update_table(r->ctx, ti->catalog, ti->schema, ti->name, &info, b->eb);
}

lh_err ba_run_alter(binder *b, const lh_ast_stmt_t *st)
{
    const lh_ast_alter_t *al = st->alter;
    alter_ctx c = {.b = b, .st = st};
    if (st->object == LH_OBJ_VIEW || al->kind == LH_ALTER_VIEW_AS)
        return run_alter_view(b, st);
    LH_TRY(open_target(b, &st->name, &c));
    edit_fn edit = NULL;
    switch (al->kind) {
    case LH_ALTER_ADD_COLUMNS:
        c.operation = "ADD COLUMNS", edit = add_columns;
        break;
    case LH_ALTER_ALTER_COLUMN:
        LH_TRY(check_change(&c));
        if ((al->type && !c.same_type) || al->first || al->after)
            return not_yet(b, "ALTER COLUMN ... TYPE / FIRST / AFTER");
        if (al->default_ != NULL)
            LH_TRY(check_default(&c));
        if (al->set_not_null)
            LH_TRY(verify_not_null(&c));
        c.operation = "CHANGE COLUMN", edit = alter_column;
        break;
    case LH_ALTER_SET_PROPS:
        c.operation = "SET TBLPROPERTIES", edit = set_props;
        break;
    case LH_ALTER_UNSET_PROPS:
        c.operation = "UNSET TBLPROPERTIES", edit = unset_props;
        break;
    case LH_ALTER_ADD_CONSTRAINT:
        LH_TRY(verify_constraint(&c));
        c.operation = "ADD CONSTRAINT", edit = add_constraint, c.raise_protocol = true;
        break;
    case LH_ALTER_DROP_CONSTRAINT:
        c.operation = "DROP CONSTRAINT", edit = drop_constraint;
        break;
    case LH_ALTER_CLUSTER_BY:
        LH_TRY(cluster_by(&c));
        c.operation = "CLUSTER BY", edit = keep_metadata;
        break;
    case LH_ALTER_RENAME_TO:
        return sync_catalog(&c, bf_lower(b, al->new_name.parts[al->new_name.count - 1].text),
                            b->eb);
    case LH_ALTER_RENAME_COLUMN:
        return lh_sqlerr(b->eb, "DELTA_UNSUPPORTED_RENAME_COLUMN", "advice", ADVICE, NULL);
    case LH_ALTER_DROP_COLUMNS:
        return lh_sqlerr(b->eb, "DELTA_UNSUPPORTED_DROP_COLUMN", "advice", ADVICE, NULL);
    default:
        return not_yet(b, "this ALTER TABLE form");
    }
    if (c.params == NULL)
        c.params = json_object();
    lh_err e = commit_metadata(&c, edit, b->eb);
    json_decref(c.params);
    free(c.domain_conf);
    LH_TRY(e);
    return sync_catalog(&c, NULL, b->eb);
}

/* ---- REPAIR TABLE ------------------------------------------------------------------------- */

/* [MSCK] REPAIR TABLE t [.. PARTITIONS | SYNC METADATA]: the catalog's row (columns,
 * partitioning, comment, properties) read again from the Delta log, for a table another
 * engine wrote. A Delta log lists its partitions itself, so each form does this. */
lh_err ba_run_repair(binder *b, const lh_ast_stmt_t *st)
{
    alter_ctx c = {.b = b, .st = st};
    LH_TRY(open_target(b, &st->name, &c));
    return sync_catalog(&c, NULL, b->eb);
}

/* ---- COMMENT ON ---------------------------------------------------------------------------- */

static lh_err set_description(alter_ctx *c, lh_delta_metadata_t *md, json_t *fields)
{
    (void)fields;
    free(md->description);
    md->description = c->st->comment ? strdup(c->st->comment) : NULL;
    json_object_set_new(c->params, "properties",
                        json_pack("{s:s}", "comment", c->st->comment ? c->st->comment : ""));
    return LH_OK;
}

lh_err ba_run_comment(binder *b, const lh_ast_stmt_t *st)
{
    const lh_resolver_t *r = b->env->resolver;
    const lh_session_t *s = b->env->session;
    const lh_ast_name_t *n = &st->name;
    if (st->object == LH_OBJ_CATALOG)
        return r->set_comment(r->ctx, "CATALOG", bf_lower(b, n->parts[0].text), st->comment, b->eb);
    if (st->object == LH_OBJ_SCHEMA || st->object == LH_OBJ_DATABASE) {
        const char *cat = n->count == 2 ? bf_lower(b, n->parts[0].text) : lh_session_catalog(s);
        return r->set_comment(
            r->ctx, "SCHEMA",
            lh_arena_sprintf(b->a, "%s.%s", cat, bf_lower(b, n->parts[n->count - 1].text)),
            st->comment, b->eb);
    }
    if (st->object == LH_OBJ_COLUMN && n->count >= 2) { /* ALTER TABLE t ALTER COLUMN c COMMENT */
        lh_ast_stmt_t alt = *st;
        lh_ast_alter_t al = {
            .kind = LH_ALTER_ALTER_COLUMN, .comment = st->comment, .comment_set = true};
        al.column.parts = &n->parts[n->count - 1];
        al.column.count = 1;
        alt.kind = LH_ST_ALTER_TABLE;
        alt.object = LH_OBJ_TABLE;
        alt.name.count = n->count - 1;
        alt.alter = &al;
        return ba_run_alter(b, &alt);
    }
    if (st->object != LH_OBJ_TABLE)
        return not_yet(b, "this COMMENT ON form");
    alter_ctx c = {.b = b, .st = st, .operation = "SET TBLPROPERTIES"};
    LH_TRY(open_target(b, n, &c));
    c.params = json_object();
    lh_err e = commit_metadata(&c, set_description, b->eb);
    json_decref(c.params);
    LH_TRY(e);
    return sync_catalog(&c, NULL, b->eb);
}
