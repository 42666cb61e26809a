/*
 * bind_showcreate.c - SHOW CREATE TABLE: one row, column createtab_stmt, laid out as Spark's
 * ShowCreateTableExec prints a Delta table on Databricks:
 *
 *   CREATE TABLE cat.sch.t (
 *     a INT NOT NULL COMMENT 'x',
 *     b INT GENERATED ALWAYS AS (a * 2))
 *   USING delta
 *   PARTITIONED BY (p)
 *   CLUSTER BY (a)
 *   COMMENT 'table comment'
 *   LOCATION 'path'                     (external tables)
 *   TBLPROPERTIES (
 *     'delta.minReaderVersion' = '1',
 *     'delta.minWriterVersion' = '2')
 *
 * Every clause ends with a newline; a view prints CREATE VIEW name (cols)\nAS <text>\n.
 * CREATE TABLE t LIKE s [LOCATION ..] is that statement for s, under t's name (and t's
 * location, else none: a managed table), run in its place (bsc_like_text).
 * Columns come from the Delta schema (its column metadata gives comments, generation
 * expressions, defaults and identity), properties from the table's configuration plus the
 * protocol (versions and delta.feature.<name> = 'supported' for table features).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "compute/func/format.h"
#include "storage/delta/delta.h"

typedef struct sbuf {
    binder *b;
    char *s;
    size_t len, cap;
} sbuf;

static void put(sbuf *o, const char *t)
{
    size_t n = strlen(t);
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->cap ? o->cap : 256) * 2;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *s = lh_arena_alloc(o->b->a, cap);
        if (o->len)
            memcpy(s, o->s, o->len);
        o->s = s;
        o->cap = cap;
    }
    memcpy(o->s + o->len, t, n + 1);
    o->len += n;
}

/* Spark's quoteIfNeeded: plain [A-Za-z0-9_] names that are not all digits stay bare. */
static const char *quoted(binder *b, const char *name)
{
    bool plain = *name != '\0', digits = true;
    for (const char *p = name; *p; p++) {
        bool word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '_';
        plain &= word;
        digits &= *p >= '0' && *p <= '9';
    }
    if (plain && !digits)
        return name;
    const char *out = "`";
    for (const char *p = name; *p; p++)
        out = lh_arena_sprintf(b->a, "%s%s", out, *p == '`' ? "``" : (char[]){*p, 0});
    return lh_arena_sprintf(b->a, "%s`", out);
}

/* A '...' literal as Spark escapes it (\ and '). */
static const char *sq(binder *b, const char *s)
{
    size_t n = strlen(s);
    char *o = lh_arena_alloc(b->a, 2 * n + 3), *w = o;
    *w++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            *w++ = '\\';
        *w++ = *p;
    }
    *w++ = '\'';
    *w = '\0';
    return o;
}

static const char *meta_str(json_t *meta, const char *key)
{
    json_t *v = json_object_get(meta, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "  a INT NOT NULL GENERATED ... COMMENT '..'" for each field of the Delta schema. */
static void put_columns(sbuf *o, const lh_delta_metadata_t *md, const lh_table_info_t *ti)
{
    binder *b = o->b;
    json_t *root = json_loads(md->schema_string, 0, NULL);
    json_t *fields = root ? json_object_get(root, "fields") : NULL;
    bcm_table cm;
    if (bcm_parse(b, md->schema_string, &cm) != LH_OK)
        memset(&cm, 0, sizeof cm);
    int n = md->schema ? md->schema->field_count : 0;
    put(o, "(\n  ");
    for (int i = 0; i < n; i++) {
        const lh_field_t *f = &md->schema->fields[i];
        char tb[1024];
        put(o, i ? ",\n  " : "");
        put(o, quoted(b, f->name));
        put(o, " ");
        put(o, lh_format_type_sql(f->type, tb, sizeof tb));
        if (!f->nullable)
            put(o, " NOT NULL");
        const bcm_col *c = i < cm.count ? &cm.cols[i] : NULL;
        if (c && c->generation)
            put(o, lh_arena_sprintf(b->a, " GENERATED ALWAYS AS (%s)", c->generation));
        if (c && c->identity)
            put(o, lh_arena_sprintf(b->a,
                                    " GENERATED %s AS IDENTITY (START WITH %lld INCREMENT BY %lld)",
                                    c->id_always ? "ALWAYS" : "BY DEFAULT", (long long)c->id_start,
                                    (long long)c->id_step));
        if (c && c->default_)
            put(o, lh_arena_sprintf(b->a, " DEFAULT %s", c->default_));
        json_t *meta = json_object_get(json_array_get(fields, (size_t)i), "metadata");
        const char *comment = meta_str(meta, "comment");
        for (int k = 0; comment == NULL && k < ti->column_count; k++) /* Unity Catalog's */
            if (strcasecmp(ti->columns[k].name, f->name) == 0)
                comment = ti->columns[k].comment;
        if (comment != NULL)
            put(o, lh_arena_sprintf(b->a, " COMMENT %s", sq(b, comment)));
    }
    put(o, ")\n");
    json_decref(root);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* protocol: also the protocol's versions and features (SHOW CREATE TABLE; a LIKE copy
 * takes the configuration only: its own columns decide its protocol) */
static void put_properties(sbuf *o, const lh_delta_metadata_t *md, const lh_delta_protocol_t *pr,
                           bool protocol)
{
    binder *b = o->b;
    int cap = md->configuration.count + pr->writer_feature_count + pr->reader_feature_count + 4;
    const char **lines = lh_arena_calloc(b->a, (size_t)cap + 1, sizeof *lines);
    int n = 0;
    for (int i = 0; i < md->configuration.count; i++) {
        const lh_delta_kv_t *kv = &md->configuration.items[i];
        lines[n++] =
            lh_arena_sprintf(b->a, "%s = %s", sq(b, kv->key), sq(b, kv->value ? kv->value : ""));
    }
    for (int i = 0; protocol && i < pr->writer_feature_count; i++) {
        bool dup = false; /* a feature both reader and writer is listed once */
        for (int j = 0; j < i; j++)
            dup |= strcmp(pr->writer_features[j], pr->writer_features[i]) == 0;
        if (!dup)
            lines[n++] = lh_arena_sprintf(
                b->a, "%s = 'supported'",
                sq(b, lh_arena_sprintf(b->a, "delta.feature.%s", pr->writer_features[i])));
    }
    if (protocol) {
        lines[n++] =
            lh_arena_sprintf(b->a, "'delta.minReaderVersion' = '%d'", pr->min_reader_version);
        lines[n++] =
            lh_arena_sprintf(b->a, "'delta.minWriterVersion' = '%d'", pr->min_writer_version);
    }
    if (n == 0)
        return;
    qsort(lines, (size_t)n, sizeof *lines, cmp_str);
    put(o, "TBLPROPERTIES (\n  ");
    for (int i = 0; i < n; i++) {
        put(o, i ? ",\n  " : "");
        put(o, lines[i]);
    }
    put(o, ")\n");
}

/* like: CREATE TABLE .. LIKE's statement for the table named like (location, or none: a
 * managed table), from the source's definition */
typedef struct like_t {
    const char *name, *location;
    bool if_not_exists;
} like_t;

static lh_err show_table(sbuf *o, const lh_table_info_t *ti, const like_t *like)
{
    binder *b = o->b;
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    lh_err e = bd_open_snapshot(ti->storage_location, &os, &t, &snap, b->eb);
    if (e != LH_OK) {
        bd_close_snapshot(os, t, snap);
        return e;
    }
    const lh_delta_metadata_t *md = lh_delta_snapshot_metadata(snap);
    const lh_delta_protocol_t *pr = lh_delta_snapshot_protocol(snap);
    put(o, like ? lh_arena_sprintf(b->a, "CREATE TABLE %s%s ",
                                   like->if_not_exists ? "IF NOT EXISTS " : "", like->name)
                : lh_arena_sprintf(b->a, "CREATE TABLE %s ", ti->full_name));
    put_columns(o, md, ti);
    put(o, "USING delta\n");
    if (md->partition_column_count > 0) {
        put(o, "PARTITIONED BY (");
        for (int i = 0; i < md->partition_column_count; i++) {
            put(o, i ? ", " : "");
            put(o, quoted(b, md->partition_columns[i]));
        }
        put(o, ")\n");
    }
    const lh_delta_domain_t *cl = lh_delta_snapshot_domain(snap, "delta.clustering");
    const char **cols;
    int nc = bcm_clustering_columns(b, cl ? cl->configuration : NULL, &cols);
    if (nc > 0) {
        put(o, "CLUSTER BY (");
        for (int i = 0; i < nc; i++) {
            put(o, i ? ", " : "");
            put(o, quoted(b, cols[i]));
        }
        put(o, ")\n");
    }
    const char *comment = md->description ? md->description : ti->comment;
    if (comment != NULL)
        put(o, lh_arena_sprintf(b->a, "COMMENT %s\n", sq(b, comment)));
    if (like != NULL && like->location != NULL)
        put(o, lh_arena_sprintf(b->a, "LOCATION %s\n", sq(b, like->location)));
    else if (ti->kind == LH_TABLE_EXTERNAL && like == NULL)
        put(o, lh_arena_sprintf(b->a, "LOCATION %s\n", /* a URI, as Spark prints it */
                                sq(b, ti->storage_location[0] == '/'
                                          ? lh_arena_sprintf(b->a, "file:%s", ti->storage_location)
                                          : ti->storage_location)));
    put_properties(o, md, pr, like == NULL);
    bd_close_snapshot(os, t, snap);
    return LH_OK;
}

static void show_view(sbuf *o, const lh_table_info_t *ti)
{
    binder *b = o->b;
    put(o, lh_arena_sprintf(b->a, "CREATE VIEW %s ", ti->full_name));
    if (ti->column_count > 0) {
        put(o, "(\n  ");
        for (int i = 0; i < ti->column_count; i++) {
            put(o, i ? ",\n  " : "");
            put(o, quoted(b, ti->columns[i].name));
            if (ti->columns[i].comment != NULL)
                put(o, lh_arena_sprintf(b->a, " COMMENT %s", sq(b, ti->columns[i].comment)));
        }
        put(o, ")\n");
    }
    if (ti->comment != NULL)
        put(o, lh_arena_sprintf(b->a, "COMMENT %s\n", sq(b, ti->comment)));
    put(o, lh_arena_sprintf(b->a, "AS %s\n", ti->view_definition ? ti->view_definition : ""));
}

lh_err bsc_like_text(binder *b, const lh_ast_stmt_t *st, const char **text)
{
    const lh_ast_create_table_t *ct = st->table;
    lh_table_info_t *ti;
    LH_TRY(bsh_table_info(b, &ct->like_name, &ti));
    if (ti->kind == LH_TABLE_VIEW)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "CREATE TABLE .. LIKE a view", NULL);
    const char *name = "";
    for (int i = 0; i < ct->name.count; i++)
        name =
            lh_arena_sprintf(b->a, "%s%s%s", name, i ? "." : "", quoted(b, ct->name.parts[i].text));
    like_t like = {name, ct->location, st->if_not_exists};
    sbuf o = {b, NULL, 0, 0};
    put(&o, "");
    LH_TRY(show_table(&o, ti, &like));
    *text = o.s;
    return LH_OK;
}

lh_err bsc_show_create(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    const lh_ast_name_t *n = &st->name;
    const lh_session_t *s = b->env->session;
    const char *cat = n->count == 3 ? bf_lower(b, n->parts[0].text) : lh_session_catalog(s);
    const char *sch =
        n->count >= 2 ? bf_lower(b, n->parts[n->count - 2].text) : lh_session_schema(s);
    const char *name = bf_lower(b, n->parts[n->count - 1].text);
    const lh_resolver_t *r = b->env->resolver;
    lh_table_info_t *ti;
    lh_err e = r->get_table(r->ctx, cat, sch, name, b->a, &ti, b->eb);
    if (e == LH_E_NOT_FOUND)
        return lh_sqlerr(b->eb, "TABLE_OR_VIEW_NOT_FOUND", "relationName",
                         lh_arena_sprintf(b->a, "`%s`.`%s`.`%s`", cat, sch, name), NULL);
    LH_TRY(e);
    sbuf o = {b, NULL, 0, 0};
    put(&o, "");
    if (ti->kind == LH_TABLE_VIEW)
        show_view(&o, ti);
    else
        LH_TRY(show_table(&o, ti, NULL));
    static const char *const cols[1] = {"createtab_stmt"};
    lh_type_t types[1] = {{LH_TYPE_STRING}};
    lh_value_t row[1];
    memset(row, 0, sizeof row);
    row[0].type = types[0];
    row[0].v.str = (lh_sv_t){(const uint8_t *)o.s, (uint32_t)o.len};
    lh_value_t *rows[1] = {row};
    lh_plan_t *p;
    LH_TRY(bs_values_plan(b, 1, cols, types, 1, rows, &p));
    lh_bound_t *res = lh_arena_calloc(b->a, 1, sizeof *res);
    res->kind = LH_BOUND_QUERY;
    res->plan = p;
    res->statement_type = "SHOW";
    *out = res;
    return LH_OK;
}
