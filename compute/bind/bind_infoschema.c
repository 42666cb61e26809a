/*
 * bind_infoschema.c - the INFORMATION_SCHEMA relations: <catalog>.information_schema.X
 * describes one catalog, system.information_schema.X every catalog. Each is read from the
 * catalog through the resolver when the query is bound and becomes a VALUES plan, so
 * filters, joins and projections over it are ordinary SQL.
 *
 * Built: CATALOGS, SCHEMATA, TABLES, VIEWS, COLUMNS, with Databricks' column names (lower
 * case, as its results print them) and types. The resolver lists names only for catalogs
 * and schemas, so their owner, comment and times read NULL.
 */
#include <string.h>
#include <strings.h>

#include "common/nested.h"
#include "compute/bind/bind_internal.h"

typedef struct rows {
    binder *b;
    int ncol, n, cap;
    lh_value_t **v;
} rows;

static lh_value_t *row_new(rows *r)
{
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 32;
        lh_value_t **v = lh_arena_calloc(r->b->a, (size_t)cap, sizeof *v);
        if (r->n)
            memcpy(v, r->v, (size_t)r->n * sizeof *v);
        r->v = v, r->cap = cap;
    }
    lh_value_t *row = lh_arena_calloc(r->b->a, (size_t)r->ncol, sizeof *row);
    for (int c = 0; c < r->ncol; c++)
        row[c].is_null = true;
    return r->v[r->n++] = row;
}

static void put_int(lh_value_t *v, int64_t i)
{
    v->type = (lh_type_t){LH_TYPE_INT};
    v->is_null = false;
    v->v.i64 = i;
}

static void put_ms(lh_value_t *v, int64_t ms)
{
    v->type = (lh_type_t){LH_TYPE_TIMESTAMP};
    v->is_null = ms <= 0;
    v->v.i64 = ms * 1000;
}

typedef struct col_def {
    const char *name;
    lh_type_id type;
} col_def;

static const col_def catalogs_cols[] = {
    {"catalog_name", LH_TYPE_STRING},   {"catalog_owner", LH_TYPE_STRING},
    {"comment", LH_TYPE_STRING},        {"created", LH_TYPE_TIMESTAMP},
    {"created_by", LH_TYPE_STRING},     {"last_altered", LH_TYPE_TIMESTAMP},
    {"last_altered_by", LH_TYPE_STRING}};

static const col_def schemata_cols[] = {
    {"catalog_name", LH_TYPE_STRING},    {"schema_name", LH_TYPE_STRING},
    {"schema_owner", LH_TYPE_STRING},    {"comment", LH_TYPE_STRING},
    {"created", LH_TYPE_TIMESTAMP},      {"created_by", LH_TYPE_STRING},
    {"last_altered", LH_TYPE_TIMESTAMP}, {"last_altered_by", LH_TYPE_STRING}};

static const col_def tables_cols[] = {
    {"table_catalog", LH_TYPE_STRING},      {"table_schema", LH_TYPE_STRING},
    {"table_name", LH_TYPE_STRING},         {"table_type", LH_TYPE_STRING},
    {"is_insertable_into", LH_TYPE_STRING}, {"commit_action", LH_TYPE_STRING},
    {"table_owner", LH_TYPE_STRING},        {"comment", LH_TYPE_STRING},
    {"created", LH_TYPE_TIMESTAMP},         {"created_by", LH_TYPE_STRING},
    {"last_altered", LH_TYPE_TIMESTAMP},    {"last_altered_by", LH_TYPE_STRING},
    {"data_source_format", LH_TYPE_STRING}, {"storage_sub_directory", LH_TYPE_STRING},
    {"storage_path", LH_TYPE_STRING}};

static const col_def views_cols[] = {
    {"table_catalog", LH_TYPE_STRING},      {"table_schema", LH_TYPE_STRING},
    {"table_name", LH_TYPE_STRING},         {"view_definition", LH_TYPE_STRING},
    {"check_option", LH_TYPE_STRING},       {"is_updatable", LH_TYPE_STRING},
    {"is_insertable_into", LH_TYPE_STRING}, {"sql_path", LH_TYPE_STRING}};

static const col_def columns_cols[] = {{"table_catalog", LH_TYPE_STRING},
                                       {"table_schema", LH_TYPE_STRING},
                                       {"table_name", LH_TYPE_STRING},
                                       {"column_name", LH_TYPE_STRING},
                                       {"ordinal_position", LH_TYPE_INT},
                                       {"column_default", LH_TYPE_STRING},
                                       {"is_nullable", LH_TYPE_STRING},
                                       {"full_data_type", LH_TYPE_STRING},
                                       {"data_type", LH_TYPE_STRING},
                                       {"character_maximum_length", LH_TYPE_INT},
                                       {"character_octet_length", LH_TYPE_INT},
                                       {"numeric_precision", LH_TYPE_INT},
                                       {"numeric_precision_radix", LH_TYPE_INT},
                                       {"numeric_scale", LH_TYPE_INT},
                                       {"datetime_precision", LH_TYPE_INT},
                                       {"interval_type", LH_TYPE_STRING},
                                       {"interval_precision", LH_TYPE_INT},
                                       {"maximum_cardinality", LH_TYPE_INT},
                                       {"is_identity", LH_TYPE_STRING},
                                       {"is_system_time_period_start", LH_TYPE_STRING},
                                       {"is_system_time_period_end", LH_TYPE_STRING},
                                       {"is_updatable", LH_TYPE_STRING},
                                       {"partition_ordinal_position", LH_TYPE_INT},
                                       {"comment", LH_TYPE_STRING}};

typedef enum { V_CATALOGS, V_SCHEMATA, V_TABLES, V_VIEWS, V_COLUMNS } view_kind;

static const struct {
    const char *name;
    view_kind kind;
    const col_def *cols;
    int ncol;
} views[] = {
#define V(n, k, c)                                                                                 \
    {                                                                                              \
        n, k, c, (int)(sizeof c / sizeof c[0])                                                     \
    }
    V("catalogs", V_CATALOGS, catalogs_cols), V("schemata", V_SCHEMATA, schemata_cols),
    V("tables", V_TABLES, tables_cols),       V("views", V_VIEWS, views_cols),
    V("columns", V_COLUMNS, columns_cols),
#undef V
};

static const char *table_type(const lh_table_info_t *t)
{
    return t->kind == LH_TABLE_VIEW       ? "VIEW"
           : t->kind == LH_TABLE_EXTERNAL ? "EXTERNAL"
                                          : "MANAGED";
}

/* DATA_TYPE: the type's simple name, upper case ("DECIMAL", "ARRAY", "TIMESTAMP_NTZ"). */
static const char *simple_type(binder *b, const char *text)
{
    size_t n = strcspn(text, "(<");
    char *s = lh_arena_strndup(b->a, text, n);
    for (char *p = s; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return s;
}

static void numeric_facts(const lh_type_t *t, lh_value_t *row, int prec, int radix, int scale,
                          int dt)
{
    int bits = 0;
    switch (t->id) {
    case LH_TYPE_BYTE:
        bits = 7;
        break;
    case LH_TYPE_SHORT:
        bits = 15;
        break;
    case LH_TYPE_INT:
        bits = 31;
        break;
    case LH_TYPE_LONG:
        bits = 63;
        break;
    case LH_TYPE_FLOAT:
        bits = 24;
        break;
    case LH_TYPE_DOUBLE:
        bits = 53;
        break;
    case LH_TYPE_DECIMAL:
        put_int(&row[prec], t->precision);
        put_int(&row[radix], 10);
        put_int(&row[scale], t->scale);
        return;
    case LH_TYPE_DATE:
        put_int(&row[dt], 0);
        return;
    case LH_TYPE_TIMESTAMP:
    case LH_TYPE_TIMESTAMP_NTZ:
    case LH_TYPE_INTERVAL_DT:
        put_int(&row[dt], 3);
        return;
    case LH_TYPE_INTERVAL_YM:
        put_int(&row[dt], 0);
        return;
    default:
        return;
    }
    put_int(&row[prec], bits);
    put_int(&row[radix], 2);
    if (t->id != LH_TYPE_FLOAT && t->id != LH_TYPE_DOUBLE)
        put_int(&row[scale], 0);
}

static void column_rows(rows *r, const lh_table_info_t *t)
{
    for (int i = 0; i < t->column_count; i++) {
        const lh_catalog_column_t *c = &t->columns[i];
        lh_value_t *row = row_new(r);
        row[0] = lh_value_text(t->catalog);
        row[1] = lh_value_text(t->schema);
        row[2] = lh_value_text(t->name);
        row[3] = lh_value_text(c->name);
        put_int(&row[4], i + 1);
        row[6] = lh_value_text(c->nullable ? "YES" : "NO");
        const char *text = c->type_text ? c->type_text : "";
        row[7] = lh_value_text(text);
        row[8] = lh_value_text(simple_type(r->b, text));
        lh_type_t ty;
        lh_errbuf quiet;
        lh_errbuf_clear(&quiet);
        if (lh_type_parse_text(text, strlen(text), &ty, &quiet) == LH_OK) {
            numeric_facts(&ty, row, 11, 12, 13, 14);
            if (ty.id == LH_TYPE_INTERVAL_YM || ty.id == LH_TYPE_INTERVAL_DT) {
                const char *unit = strstr(text, "interval ");
                row[15] = lh_value_text(unit ? simple_type(r->b, unit + 9) : NULL);
            }
        }
        row[18] = lh_value_text("NO");
        row[19] = lh_value_text("NO");
        row[20] = lh_value_text("NO");
        row[21] = lh_value_text(t->kind == LH_TABLE_VIEW ? "NO" : "YES");
        if (c->partition_index >= 0)
            put_int(&row[22], c->partition_index + 1);
        row[23] = lh_value_text(c->comment);
    }
}

static void table_row(rows *r, view_kind k, const lh_table_info_t *t)
{
    if (k == V_COLUMNS) {
        column_rows(r, t);
        return;
    }
    bool view = t->kind == LH_TABLE_VIEW;
    if (k == V_VIEWS && !view)
        return;
    lh_value_t *row = row_new(r);
    row[0] = lh_value_text(t->catalog);
    row[1] = lh_value_text(t->schema);
    row[2] = lh_value_text(t->name);
    if (k == V_VIEWS) {
        row[3] = lh_value_text(t->view_definition);
        row[4] = lh_value_text("NONE");
        row[5] = lh_value_text("NO");
        row[6] = lh_value_text("NO");
        return;
    }
    row[3] = lh_value_text(table_type(t));
    row[4] = lh_value_text(view ? "NO" : "YES");
    row[5] = lh_value_text("PRESERVE");
    row[6] = lh_value_text(t->owner);
    row[7] = lh_value_text(t->comment);
    put_ms(&row[8], t->created_at);
    row[9] = lh_value_text(t->owner);
    put_ms(&row[10], t->updated_at ? t->updated_at : t->created_at);
    row[11] = lh_value_text(t->owner);
    row[12] = lh_value_text(view ? NULL : t->data_source_format);
    row[14] = lh_value_text(t->storage_location);
}

/* The rows of view k over catalog cat (every schema but information_schema itself). */
static lh_err catalog_rows(rows *r, view_kind k, const char *cat)
{
    binder *b = r->b;
    const lh_resolver_t *res = b->env->resolver;
    if (k == V_CATALOGS) {
        row_new(r)[0] = lh_value_text(cat);
        return LH_OK;
    }
    const char **schemas = NULL;
    int ns = 0;
    LH_TRY(res->list_schemas(res->ctx, cat, b->a, &schemas, &ns, b->eb));
    bool has_is = false;
    for (int s = 0; s < ns; s++)
        has_is |= strcmp(schemas[s], "information_schema") == 0;
    if (k == V_SCHEMATA) {
        for (int s = 0; s < ns; s++) {
            lh_value_t *row = row_new(r);
            row[0] = lh_value_text(cat);
            row[1] = lh_value_text(schemas[s]);
        }
        if (!has_is) { /* every catalog has one, whether or not it is stored */
            lh_value_t *row = row_new(r);
            row[0] = lh_value_text(cat);
            row[1] = lh_value_text("information_schema");
        }
        return LH_OK;
    }
    for (int s = 0; s < ns; s++) {
        if (strcmp(schemas[s], "information_schema") == 0)
            continue;
        const char **names = NULL;
        int nt = 0;
        LH_TRY(res->list_tables(res->ctx, cat, schemas[s], b->a, &names, &nt, b->eb));
        for (int i = 0; i < nt; i++) {
            lh_table_info_t *t;
            lh_errbuf quiet;
            lh_errbuf_clear(&quiet);
            /* a table dropped since the listing is simply not there */
            if (res->get_table(res->ctx, cat, schemas[s], names[i], b->a, &t, &quiet) == LH_OK)
                table_row(r, k, t);
        }
    }
    return LH_OK;
}

lh_err bis_relation(binder *b, const char *cat, const char *name, lh_plan_t **out)
{
    const lh_resolver_t *res = b->env->resolver;
    int v = 0, nv = (int)(sizeof views / sizeof views[0]);
    while (v < nv && strcasecmp(views[v].name, name) != 0)
        v++;
    if (v == nv || res == NULL)
        return LH_E_NOT_FOUND;
    bool all = strcasecmp(cat, "system") == 0;
    if (!all) {
        lh_errbuf quiet;
        lh_errbuf_clear(&quiet);
        if (res->catalog_exists(res->ctx, cat, &quiet) != LH_OK)
            return LH_E_NOT_FOUND;
    }
    rows r = {.b = b, .ncol = views[v].ncol};
    if (all) {
        const char **cats = NULL;
        int nc = 0;
        LH_TRY(res->list_catalogs(res->ctx, b->a, &cats, &nc, b->eb));
        for (int c = 0; c < nc; c++)
            LH_TRY(catalog_rows(&r, views[v].kind, cats[c]));
    } else {
        LH_TRY(catalog_rows(&r, views[v].kind, cat));
    }
    const char **names = lh_arena_calloc(b->a, (size_t)r.ncol, sizeof *names);
    lh_type_t *types = lh_arena_calloc(b->a, (size_t)r.ncol, sizeof *types);
    for (int c = 0; c < r.ncol; c++) {
        names[c] = views[v].cols[c].name;
        types[c] = (lh_type_t){views[v].cols[c].type};
    }
    return bs_values_plan(b, r.ncol, names, types, r.n, r.v, out);
}
