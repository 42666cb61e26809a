/*
 * bind_colmeta.c - the column metadata Delta keeps in the schema: generated columns
 * (delta.generationExpression), column defaults (CURRENT_DEFAULT) and identity columns
 * (delta.identity.*), plus liquid clustering (the delta.clustering domain).
 *
 *   CREATE TABLE   checks the clauses (a generation expression binds over the table's
 *                  other columns and is deterministic; a DEFAULT needs the table feature
 *                  allowColumnDefaults, WRONG_COLUMN_DEFAULTS_FOR_DELTA_FEATURE_NOT_ENABLED
 *                  otherwise; CLUSTER BY excludes PARTITIONED BY) and writes the metadata
 *                  into the schema string, with the writer features in the protocol
 *   INSERT         reads it back (bcm_load) to fill omitted columns and compute generated ones
 *   writes         a generated column is a check (`c` <=> (expr)), named "Generated Column"
 *                  as Delta names it, so an explicit value that differs fails
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "compute/sql/parser.h"
#include "storage/delta/delta.h"

/* ---- reading ---------------------------------------------------------------------------- */

static const char *json_text(binder *b, json_t *v)
{
    if (json_is_string(v))
        return lh_arena_strdup(b->a, json_string_value(v));
    if (json_is_integer(v))
        return lh_arena_sprintf(b->a, "%lld", (long long)json_integer_value(v));
    return NULL;
}

static bool json_int(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_string(v)) {
        char *end;
        long long x = strtoll(json_string_value(v), &end, 10);
        if (*end == '\0' && end != json_string_value(v)) {
            *out = x;
            return true;
        }
    }
    return false;
}

lh_err bcm_parse(binder *b, const char *schema_string, bcm_table *out)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = schema_string ? json_loads(schema_string, 0, &jerr) : NULL;
    json_t *fields = root ? json_object_get(root, "fields") : NULL;
    size_t n = json_is_array(fields) ? json_array_size(fields) : 0;
    out->cols = lh_arena_calloc(b->a, n + 1, sizeof *out->cols);
    out->count = (int)n;
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_array_get(fields, i);
        bcm_col *c = &out->cols[i];
        c->name = json_text(b, json_object_get(f, "name"));
        json_t *md = json_object_get(f, "metadata");
        if (!json_is_object(md))
            continue;
        c->generation = json_text(b, json_object_get(md, "delta.generationExpression"));
        c->default_ = json_text(b, json_object_get(md, "CURRENT_DEFAULT"));
        json_t *start = json_object_get(md, "delta.identity.start");
        if (start != NULL) {
            c->identity = true;
            json_int(start, &c->id_start);
            c->id_step = 1;
            json_int(json_object_get(md, "delta.identity.step"), &c->id_step);
            c->id_has_hwm =
                json_int(json_object_get(md, "delta.identity.highWaterMark"), &c->id_hwm);
            json_t *ex = json_object_get(md, "delta.identity.allowExplicitInsert");
            c->id_always = !json_is_true(ex);
            out->any_identity = true;
        }
        out->any_generated |= c->generation != NULL;
        out->any_default |= c->default_ != NULL;
    }
    json_decref(root);
    return LH_OK;
}

const bcm_col *bcm_find(const bcm_table *t, const char *name)
{
    for (int i = 0; i < t->count; i++)
        if (t->cols[i].name && strcasecmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

lh_err bcm_load(binder *b, const char *root, bcm_table *out)
{
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    memset(out, 0, sizeof *out);
    lh_err e = bd_open_snapshot(root, &os, &t, &snap, b->eb);
    if (e == LH_OK)
        e = bcm_parse(b, lh_delta_snapshot_metadata(snap)->schema_string, out);
    const lh_delta_domain_t *d =
        e == LH_OK ? lh_delta_snapshot_domain(snap, "delta.clustering") : NULL;
    if (d != NULL && d->configuration != NULL)
        out->clustering = lh_arena_strdup(b->a, d->configuration);
    bd_close_snapshot(os, t, snap);
    return e;
}

/* ---- binding a stored expression --------------------------------------------------------- */

lh_err bcm_bind_text(binder *b, const scope *sc, const char *text, const char *clause,
                     lh_expr_t **out)
{
    lh_ast_expr_t *ast;
    const char *copy = lh_arena_strdup(b->a, text);
    LH_TRY(lh_sql_parse_expr(copy, strlen(copy), b->a, &ast, b->eb));
    binder inner = *b;
    inner.sql = copy;
    static const scope none = {NULL, 0};
    ectx x = {sc ? sc : &none, MODE_PRE, NULL, clause, NULL, NULL, NULL};
    return bx_expr(&inner, &x, ast, out);
}

/* Spark folds a DEFAULT at planning time: columns and nondeterministic calls (rand, uuid)
 * are not constant; current_timestamp() and the like are. */
static bool reads_columns(const lh_expr_t *e)
{
    static const char *const planning[] = {
        "current_timestamp", "current_date", "now",          "localtimestamp",  "current_timezone",
        "current_user",      "user",         "session_user", "current_catalog", "current_schema",
        "current_database"};
    if (e->kind == LH_EXPR_COLUMN)
        return true;
    if (e->kind == LH_EXPR_CALL && e->func != NULL && !e->func->deterministic) {
        bool ok = false;
        for (size_t i = 0; i < sizeof planning / sizeof *planning; i++)
            ok |= strcmp(e->func->name, planning[i]) == 0;
        if (!ok)
            return true;
    }
    for (int i = 0; i < e->arg_count; i++)
        if (reads_columns(e->args[i]))
            return true;
    return false;
}

lh_err bcm_check_default(binder *b, const char *statement, const char *col, const char *text,
                         lh_type_t type, const char *table, lh_expr_t **out)
{
    const char *qcol = lh_arena_sprintf(b->a, "`%s`", col);
    lh_errbuf quiet;
    lh_errbuf_clear(&quiet);
    binder inner = *b;
    inner.eb = &quiet;
    lh_expr_t *e;
    if (bcm_bind_text(&inner, NULL, text, "DEFAULT", &e) != LH_OK)
        return lh_sqlerr(b->eb, "INVALID_DEFAULT_VALUE.UNRESOLVED_EXPRESSION", "statement",
                         statement, "colName", qcol, "defaultValue", text, NULL);
    if (reads_columns(e) || (!lh_expr_is_foldable(e) && e->kind != LH_EXPR_CALL))
        return lh_sqlerr(b->eb, "INVALID_DEFAULT_VALUE.NOT_CONSTANT", "statement", statement,
                         "colName", qcol, "defaultValue", text, NULL);
    return bd_store_cast(b, e, type, table, col, out);
}

/* START WITH / INCREMENT BY: an integer constant (negative allowed). */
static lh_err fold_i64(binder *b, const lh_ast_expr_t *e, const char *what, int64_t *out)
{
    static const scope none = {NULL, 0};
    ectx x = {&none, MODE_PRE, NULL, what, NULL, NULL, NULL};
    lh_expr_t *bound;
    LH_TRY(bx_expr(b, &x, e, &bound));
    lh_value_t v;
    if (lh_expr_is_foldable(bound)) {
        LH_TRY(lh_expr_fold(b->a, bound, lh_session_conf(b->env->session), &v, b->eb));
        if (!v.is_null && v.type.id >= LH_TYPE_BYTE && v.type.id <= LH_TYPE_LONG) {
            *out = v.v.i64;
            return LH_OK;
        }
    }
    return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                     lh_arena_sprintf(b->a, "a non-integer %s", what), NULL);
}

/* ---- CREATE TABLE ------------------------------------------------------------------------- */

static bool has_prop(binder *b, const lh_ast_create_table_t *ct, const char *key, const char *value)
{
    for (int i = 0; i < bcr_property_count(ct); i++) {
        const char *k, *v;
        bcr_property(b, ct, i, &k, &v);
        if (strcasecmp(k, key) == 0 && (value == NULL || strcasecmp(v, value) == 0))
            return true;
    }
    return false;
}

static bool expr_reads(const lh_expr_t *e, int col)
{
    if (e->kind == LH_EXPR_COLUMN && e->column == col)
        return true;
    for (int i = 0; i < e->arg_count; i++)
        if (expr_reads(e->args[i], col))
            return true;
    return false;
}

static const char *field_names(binder *b, const lh_schema_t *s)
{
    const char *out = "";
    for (int i = 0; i < s->field_count; i++)
        out = lh_arena_sprintf(b->a, "%s%s%s", out, i ? ", " : "", s->fields[i].name);
    return out;
}

lh_err bcm_check_create(binder *b, const lh_ast_create_table_t *ct, const lh_schema_t *schema)
{
    if (ct->cluster_by.count > 0 && (ct->partitioned_by.count > 0 || ct->partition_def_count > 0))
        return lh_sqlerr(b->eb, "DELTA_CLUSTER_BY_WITH_PARTITIONED_BY", NULL);
    for (int i = 0; i < ct->cluster_by.count; i++)
        if (lh_schema_find(schema, ct->cluster_by.items[i].text) < 0)
            return lh_sqlerr(b->eb, "DELTA_COLUMN_NOT_FOUND_IN_SCHEMA", "columnName",
                             ct->cluster_by.items[i].text, "tableSchema", field_names(b, schema),
                             NULL);
    int n = schema->field_count;
    scope sc = {lh_arena_calloc(b->a, (size_t)n + 1, sizeof(bcol)), n};
    for (int i = 0; i < n; i++)
        sc.cols[i] = (bcol){schema->fields[i].name, {NULL, NULL, NULL},         i,
                            schema->fields[i].type, schema->fields[i].nullable, false};
    bool defaults_ok = has_prop(b, ct, "delta.feature.allowColumnDefaults", "supported") ||
                       has_prop(b, ct, "delta.feature.allowColumnDefaults", "enabled");
    for (int i = 0; i < ct->column_count && i < n; i++) {
        const lh_ast_column_def_t *c = &ct->columns[i];
        int kinds = (c->generated != NULL) + c->identity + (c->default_ != NULL);
        if (kinds > 1)
            return lh_sqlerr(
                b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                lh_arena_sprintf(b->a,
                                 "column %s with more than one of GENERATED, IDENTITY and "
                                 "DEFAULT",
                                 c->name.text),
                NULL);
        if (c->default_ != NULL) {
            if (!defaults_ok)
                return lh_sqlerr(b->eb, "WRONG_COLUMN_DEFAULTS_FOR_DELTA_FEATURE_NOT_ENABLED",
                                 "commandType", "CREATE TABLE", NULL);
            lh_expr_t *e;
            LH_TRY(bcm_check_default(b, "CREATE TABLE", c->name.text, c->default_text,
                                     schema->fields[i].type,
                                     ct->name.parts[ct->name.count - 1].text, &e));
        }
        if (c->generated != NULL) {
            lh_expr_t *e;
            if (bcm_bind_text(b, &sc, c->generated_text, "GENERATED", &e) != LH_OK)
                return lh_sqlerr(b->eb, "DELTA_INVALID_GENERATED_COLUMN_REFERENCES", NULL);
            if (expr_reads(e, i))
                return lh_sqlerr(b->eb, "DELTA_INVALID_GENERATED_COLUMN_REFERENCES", NULL);
            for (int j = 0; j < ct->column_count; j++)
                if (ct->columns[j].generated != NULL && expr_reads(e, j))
                    return lh_sqlerr(b->eb, "DELTA_INVALID_GENERATED_COLUMN_REFERENCES", NULL);
            LH_TRY(bd_store_cast(b, e, schema->fields[i].type,
                                 ct->name.parts[ct->name.count - 1].text, c->name.text, &e));
        }
        if (c->identity) {
            if (schema->fields[i].type.id != LH_TYPE_LONG) {
                char tn[48];
                lh_type_name(schema->fields[i].type, tn, sizeof tn);
                return lh_sqlerr(b->eb, "DELTA_IDENTITY_COLUMNS_UNSUPPORTED_DATA_TYPE", "dataType",
                                 lh_arena_strdup(b->a, tn), NULL);
            }
            int64_t step = 1;
            if (c->identity_step != NULL)
                LH_TRY(fold_i64(b, c->identity_step, "INCREMENT BY", &step));
            if (step == 0)
                return lh_sqlerr(b->eb, "DELTA_IDENTITY_COLUMNS_ILLEGAL_STEP", NULL);
        }
    }
    return LH_OK;
}

/* CLUSTER BY columns as the delta.clustering domain's configuration (NULL when none). */
static char *clustering_conf(binder *b, const lh_ast_create_table_t *ct, const lh_schema_t *schema)
{
    if (ct->cluster_by.count == 0)
        return NULL;
    const char **names = lh_arena_calloc(b->a, (size_t)ct->cluster_by.count + 1, sizeof *names);
    for (int i = 0; i < ct->cluster_by.count; i++) {
        int k = lh_schema_find(schema, ct->cluster_by.items[i].text);
        names[i] = k >= 0 ? schema->fields[k].name : ct->cluster_by.items[i].text;
    }
    return bcm_clustering_conf(names, ct->cluster_by.count);
}

lh_err bcm_apply_create(binder *b, const lh_ast_create_table_t *ct, const lh_schema_t *schema,
                        lh_delta_metadata_t *md, bool checks, lh_delta_protocol_t *proto,
                        char **clustering, bool *has_proto, lh_errbuf *eb)
{
    *clustering = NULL;
    *has_proto = false;
    json_error_t jerr;
    json_t *root = json_loads(md->schema_string, 0, &jerr);
    json_t *fields = root ? json_object_get(root, "fields") : NULL;
    LH_FAIL_IF(!json_is_array(fields), LH_E_INTERNAL, eb, "schema string is not a struct");
    bool gen = false, def = false, ident = false;
    for (int i = 0; i < ct->column_count && (size_t)i < json_array_size(fields); i++) {
        const lh_ast_column_def_t *c = &ct->columns[i];
        json_t *md_obj = json_object_get(json_array_get(fields, (size_t)i), "metadata");
        if (!json_is_object(md_obj))
            continue;
        if (c->comment != NULL) /* column comments live in the schema too, as Delta keeps them */
            json_object_set_new(md_obj, "comment", json_string(c->comment));
        if (c->generated != NULL) {
            json_object_set_new(md_obj, "delta.generationExpression",
                                json_string(c->generated_text));
            gen = true;
        }
        if (c->default_ != NULL) {
            json_object_set_new(md_obj, "CURRENT_DEFAULT", json_string(c->default_text));
            def = true;
        }
        if (c->identity) {
            int64_t start = 1, step = 1;
            if (c->identity_start != NULL)
                LH_TRY(fold_i64(b, c->identity_start, "START WITH", &start));
            if (c->identity_step != NULL)
                LH_TRY(fold_i64(b, c->identity_step, "INCREMENT BY", &step));
            json_object_set_new(md_obj, "delta.identity.start", json_integer(start));
            json_object_set_new(md_obj, "delta.identity.step", json_integer(step));
            json_object_set_new(md_obj, "delta.identity.allowExplicitInsert",
                                json_boolean(c->identity_by_default));
            ident = true;
        }
    }
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    LH_FAIL_IF(text == NULL, LH_E_NOMEM, eb, "out of memory");
    free(md->schema_string);
    md->schema_string = text;
    *clustering = clustering_conf(b, ct, schema);
    if (!gen && !def && !ident && *clustering == NULL)
        return LH_OK;
    /* table features: the writer features this table uses (and the legacy ones a (1,7)
     * protocol must list) */
    static const char *names[8];
    int k = 0;
    names[k++] = "appendOnly";
    names[k++] = "invariants";
    if (checks)
        names[k++] = "checkConstraints";
    if (gen)
        names[k++] = "generatedColumns";
    if (def)
        names[k++] = "allowColumnDefaults";
    if (ident)
        names[k++] = "identityColumns";
    if (*clustering != NULL) {
        names[k++] = "domainMetadata";
        names[k++] = "clustering";
    }
    proto->min_reader_version = 1;
    proto->min_writer_version = 7;
    proto->reader_feature_count = -1;
    proto->reader_features = NULL;
    proto->writer_feature_count = k;
    proto->writer_features = (char **)names;
    *has_proto = true;
    return LH_OK;
}

/* ---- writes: generated columns as checks --------------------------------------------------- */

lh_err bcm_generated_checks(binder *b, const lh_plan_t *scan, const bcm_table *cm,
                            lh_plan_checks_t *c, int cap)
{
    if (!cm->any_generated)
        return LH_OK;
    scope sc = bf_scope_of(b, scan, NULL);
    for (int i = 0; i < cm->count && c->count < cap; i++) {
        if (cm->cols[i].generation == NULL)
            continue;
        const char *text =
            lh_arena_sprintf(b->a, "%s <=> (%s)", cm->cols[i].name, cm->cols[i].generation);
        lh_expr_t *ex;
        LH_TRY(bcm_bind_text(b, &sc, text, "CHECK", &ex));
        c->exprs[c->count] = ex;
        c->names[c->count] = "Generated Column";
        c->texts[c->count++] = text;
    }
    return LH_OK;
}

/* e with each column j replaced by by[j] (when not NULL); a copy. */
static lh_expr_t *substitute(binder *b, const lh_expr_t *e, lh_expr_t *const *by, int n)
{
    if (e->kind == LH_EXPR_COLUMN && e->column >= 0 && e->column < n && by[e->column] != NULL)
        return by[e->column];
    lh_expr_t *c = lh_arena_alloc(b->a, sizeof *c);
    *c = *e;
    if (e->arg_count) {
        c->args = lh_arena_calloc(b->a, (size_t)e->arg_count, sizeof *c->args);
        for (int i = 0; i < e->arg_count; i++)
            c->args[i] = substitute(b, e->args[i], by, n);
    }
    return c;
}

lh_err bcm_insert_fill(binder *b, const bcm_table *cm, const lh_plan_t *scan, lh_expr_t **v,
                       bool *fill, bool *given)
{
    const bcm_table t = *cm;
    int n = scan->col_count;
    for (int i = 0; i < n; i++) {
        const bcm_col *mc = bcm_find(&t, scan->col_names[i]);
        if (v[i] != NULL && mc != NULL && mc->identity && mc->id_always)
            return lh_sqlerr(b->eb, "DELTA_IDENTITY_COLUMNS_EXPLICIT_INSERT_NOT_SUPPORTED",
                             "colName", scan->col_names[i], NULL);
        if (v[i] != NULL && mc != NULL && mc->identity && given != NULL)
            given[i] = true;
    }
    for (int i = 0; i < n; i++) {
        if (v[i] != NULL)
            continue;
        const bcm_col *mc = bcm_find(&t, scan->col_names[i]);
        if (mc != NULL && mc->identity && fill == NULL)
            return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                             "assigning IDENTITY values here", NULL);
        if (mc != NULL && mc->identity) {
            fill[i] = true; /* the write assigns it (exec/identity.c) */
            lh_value_t nv = {.type = scan->col_types[i], .is_null = true};
            v[i] = lh_expr_const(b->a, &nv, scan->col_names[i]);
        } else if (mc != NULL && mc->default_ != NULL) {
            lh_expr_t *e;
            LH_TRY(bcm_bind_text(b, NULL, mc->default_, "DEFAULT", &e));
            LH_TRY(bd_store_cast(b, e, scan->col_types[i], scan->u.scan.table_name,
                                 scan->col_names[i], &v[i]));
        } else if (mc == NULL || mc->generation == NULL) {
            lh_value_t nv = {.type = scan->col_types[i], .is_null = true};
            v[i] = lh_expr_const(b->a, &nv, scan->col_names[i]);
        }
    }
    if (t.any_generated)
        LH_TRY(bcm_update_generated(b, cm, scan, v));
    for (int i = 0; i < n; i++)
        if (v[i] == NULL) {
            lh_value_t nv = {.type = scan->col_types[i], .is_null = true};
            v[i] = lh_expr_const(b->a, &nv, scan->col_names[i]);
        }
    return LH_OK;
}

lh_err bcm_update_generated(binder *b, const bcm_table *cm, const lh_plan_t *scan, lh_expr_t **v)
{
    const bcm_table t = *cm;
    int n = scan->col_count;
    for (int i = 0; t.any_identity && i < n; i++) {
        const bcm_col *mc = bcm_find(&t, scan->col_names[i]);
        if (v[i] != NULL && mc != NULL && mc->identity && mc->id_always)
            return lh_sqlerr(b->eb, "DELTA_IDENTITY_COLUMNS_UPDATE_NOT_SUPPORTED", "colName",
                             scan->col_names[i], NULL);
    }
    if (!t.any_generated)
        return LH_OK;
    bool any = false;
    for (int i = 0; i < n; i++)
        any |= v[i] != NULL;
    if (!any)
        return LH_OK;
    scope sc = bf_scope_of(b, scan, NULL);
    lh_expr_t **set = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *set);
    memcpy(set, v, (size_t)n * sizeof *set);
    for (int i = 0; i < n; i++) {
        const bcm_col *mc = bcm_find(&t, scan->col_names[i]);
        if (mc == NULL || mc->generation == NULL || set[i] != NULL)
            continue;
        lh_expr_t *e;
        LH_TRY(bcm_bind_text(b, &sc, mc->generation, "GENERATED", &e));
        e = substitute(b, e, set, n);
        LH_TRY(bd_store_cast(b, e, scan->col_types[i], scan->u.scan.table_name, scan->col_names[i],
                             &v[i]));
    }
    return LH_OK;
}

/* ---- table features on an existing table --------------------------------------------------- */

bool bcm_protocol_has(const lh_delta_protocol_t *p, const char *feature)
{
    for (int i = 0; p->min_writer_version == 7 && i < p->writer_feature_count; i++)
        if (strcmp(p->writer_features[i], feature) == 0)
            return true;
    return false;
}

bool bcm_protocol_with(binder *b, const lh_delta_protocol_t *old, const char *feature,
                       lh_delta_protocol_t *out)
{
    if (bcm_protocol_has(old, feature))
        return false;
    int have = old->min_writer_version == 7 && old->writer_feature_count > 0
                   ? old->writer_feature_count
                   : 0;
    char **names = lh_arena_calloc(b->a, (size_t)have + 6, sizeof *names);
    int k = 0;
    for (int i = 0; i < have; i++)
        names[k++] = old->writer_features[i];
    if (old->min_writer_version < 7) { /* the legacy features the old version implied */
        if (old->min_writer_version >= 2) {
            names[k++] = (char *)"appendOnly";
            names[k++] = (char *)"invariants";
        }
        if (old->min_writer_version >= 3)
            names[k++] = (char *)"checkConstraints";
    }
    if (strcmp(feature, "clustering") == 0 && !bcm_protocol_has(old, "domainMetadata"))
        names[k++] = (char *)"domainMetadata";
    names[k++] = (char *)feature;
    *out = (lh_delta_protocol_t){old->min_reader_version, 7, old->reader_feature_count,
                                 old->reader_features,    k, names};
    return true;
}

/* ---- clustering ------------------------------------------------------------------------------ */

int bcm_clustering_columns(binder *b, const char *conf, const char ***out)
{
    *out = NULL;
    json_t *root = conf ? json_loads(conf, 0, NULL) : NULL;
    json_t *cols = root ? json_object_get(root, "clusteringColumns") : NULL;
    size_t n = json_is_array(cols) ? json_array_size(cols) : 0;
    const char **names = lh_arena_calloc(b->a, n + 1, sizeof *names);
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *path = json_array_get(cols, i); /* ["a"] or ["s", "f"] for a nested field */
        const char *name = "";
        for (size_t j = 0; json_is_array(path) && j < json_array_size(path); j++)
            name = lh_arena_sprintf(b->a, "%s%s%s", name, j ? "." : "",
                                    json_string_value(json_array_get(path, j))
                                        ? json_string_value(json_array_get(path, j))
                                        : "");
        if (*name)
            names[k++] = name;
    }
    json_decref(root);
    *out = names;
    return k;
}

const char *bcm_clustering_json(binder *b, const char *conf)
{
    const char **names;
    int n = bcm_clustering_columns(b, conf, &names);
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(names[i]));
    char *t = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    const char *out = lh_arena_strdup(b->a, t ? t : "[]");
    free(t);
    return out;
}

char *bcm_clustering_conf(const char *const *names, int n)
{
    json_t *cols = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(cols, json_pack("[s]", names[i]));
    json_t *o =
        json_pack("{s:o, s:s}", "clusteringColumns", cols, "domainName", "delta.clustering");
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}
