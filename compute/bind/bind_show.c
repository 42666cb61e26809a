/*
 * bind_show.c - the answers of SHOW COLUMNS / TBLPROPERTIES, DESCRIBE TABLE [EXTENDED]
 * (with Spark's "# Detailed Table Information" rows), DESCRIBE CATALOG / SCHEMA, and
 * SET / SET -v / RESET over the session: VALUES plans of strings, as Spark prints them.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/nested.h"
#include "compute/bind/bind_internal.h"
#include "compute/sql/format.h"
#include "compute/sql/parser.h"

/* Rows of ncol strings (cells: row-major, NULL = SQL NULL) as a bound answer. */
typedef struct table_out {
    int ncol, n, cap;
    const char **cells;
} table_out;

static void add_row(binder *b, table_out *t, const char *c0, const char *c1, const char *c2)
{
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 32;
        const char **cells = lh_arena_calloc(b->a, (size_t)cap * 3, sizeof *cells);
        if (t->n)
            memcpy(cells, t->cells, (size_t)t->n * 3 * sizeof *cells);
        t->cells = cells;
        t->cap = cap;
    }
    t->cells[t->n * 3] = c0;
    t->cells[t->n * 3 + 1] = c1;
    t->cells[t->n * 3 + 2] = c2;
    t->n++;
}

static lh_err answer(binder *b, const table_out *t, const char *const *names, const char *type,
                     lh_bound_t **out)
{
    lh_type_t types[3] = {{LH_TYPE_STRING}, {LH_TYPE_STRING}, {LH_TYPE_STRING}};
    lh_value_t **rows = lh_arena_calloc(b->a, (size_t)t->n + 1, sizeof *rows);
    for (int r = 0; r < t->n; r++) {
        rows[r] = lh_arena_calloc(b->a, 3, sizeof **rows);
        for (int c = 0; c < t->ncol; c++)
            rows[r][c] = lh_value_text(t->cells[r * 3 + c]);
    }
    lh_bound_t *res = lh_arena_calloc(b->a, 1, sizeof *res);
    res->kind = LH_BOUND_QUERY;
    res->statement_type = type;
    LH_TRY(bs_values_plan(b, t->ncol, names, types, t->n, rows, &res->plan));
    *out = res;
    return LH_OK;
}

/* The catalog's row of a table named n (views too). */
lh_err bsh_table_info(binder *b, const lh_ast_name_t *n, lh_table_info_t **out)
{
    const lh_session_t *s = b->env->session;
    const char *cat = n->count == 3 ? bf_lower(b, n->parts[0].text) : lh_session_catalog(s);
    const char *sch =
        n->count >= 2 ? bf_lower(b, n->parts[n->count - 2].text) : lh_session_schema(s);
    const char *name = bf_lower(b, n->parts[n->count - 1].text);
    const lh_resolver_t *r = b->env->resolver;
    lh_err e = r->get_table(r->ctx, cat, sch, name, b->a, out, b->eb);
    if (e == LH_E_NOT_FOUND)
        return lh_sqlerr(b->eb, "TABLE_OR_VIEW_NOT_FOUND", "relationName",
                         lh_arena_sprintf(b->a, "`%s`.`%s`.`%s`", cat, sch, name), NULL);
    return e;
}

static const char *ms_text(binder *b, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
    return lh_arena_strdup(b->a, buf);
}

/* The "# Detailed Table Information" block of DESCRIBE TABLE EXTENDED. */
static void detailed(binder *b, table_out *t, const lh_table_info_t *ti)
{
    static const char *const TYPES[] = {"MANAGED", "EXTERNAL", "VIEW"};
    add_row(b, t, "", "", "");
    add_row(b, t, "# Detailed Table Information", "", "");
    add_row(b, t, "Catalog", ti->catalog, "");
    add_row(b, t, "Database", ti->schema, "");
    add_row(b, t, "Table", ti->name, "");
    if (ti->created_at > 0)
        add_row(b, t, "Created Time", ms_text(b, ti->created_at), "");
    add_row(b, t, "Last Access", "UNKNOWN", "");
    add_row(b, t, "Created By", "Spark", "");
    add_row(b, t, "Type", TYPES[ti->kind], "");
    if (ti->comment != NULL)
        add_row(b, t, "Comment", ti->comment, "");
    if (ti->kind == LH_TABLE_VIEW) {
        add_row(b, t, "View Text", ti->view_definition, "");
    } else {
        add_row(b, t, "Location", lh_arena_sprintf(b->a, "file:%s", ti->storage_location), "");
        add_row(b, t, "Provider", "delta", "");
    }
    if (ti->owner != NULL)
        add_row(b, t, "Owner", ti->owner, "");
    json_t *props = ti->properties_json ? json_loads(ti->properties_json, 0, NULL) : NULL;
    if (json_object_size(props) > 0) {
        const char *text = "";
        const char *k;
        json_t *v;
        json_object_foreach(props, k, v)
        {
            text = lh_arena_sprintf(b->a, "%s%s%s=%s", text, *text ? "," : "", k,
                                    json_is_string(v) ? json_string_value(v) : "");
        }
        add_row(b, t, "Table Properties", lh_arena_sprintf(b->a, "[%s]", text), "");
    }
    json_decref(props);
}

/* One field of Spark's StructType.treeString at depth, with its children. */
static const char *tree_field(binder *b, const char *acc, int depth, const char *name, lh_type_t t,
                              const char *suffix)
{
    const char *prefix = " |";
    for (int i = 0; i < depth; i++)
        prefix = lh_arena_sprintf(b->a, "%s    |", prefix);
    char ty[256];
    const char *tn = t.id == LH_TYPE_ARRAY    ? "array"
                     : t.id == LH_TYPE_MAP    ? "map"
                     : t.id == LH_TYPE_STRUCT ? "struct"
                                              : lh_type_name(t, ty, sizeof ty);
    acc = lh_arena_sprintf(b->a, "%s%s-- %s: %s%s\n", acc, prefix, name, tn, suffix);
    if (t.id == LH_TYPE_ARRAY)
        return tree_field(b, acc, depth + 1, "element", t.nested->elem, " (containsNull = true)");
    if (t.id == LH_TYPE_MAP) {
        acc = tree_field(b, acc, depth + 1, "key", t.nested->elem, "");
        return tree_field(b, acc, depth + 1, "value", t.nested->value,
                          " (valueContainsNull = true)");
    }
    for (int i = 0; t.id == LH_TYPE_STRUCT && i < t.nested->field_count; i++)
        acc = tree_field(b, acc, depth + 1, t.nested->fields[i].name, t.nested->fields[i].type,
                         " (nullable = true)");
    return acc;
}

const char *bsh_table_information(binder *b, const lh_table_info_t *ti)
{
    table_out t = {3, 0, 0, NULL};
    detailed(b, &t, ti);
    const char *text = "";
    for (int r = 2; r < t.n; r++) /* past the blank and "# Detailed Table Information" rows */
        text = lh_arena_sprintf(b->a, "%s%s: %s\n", text, t.cells[r * 3], t.cells[r * 3 + 1]);
    const char *parts = "";
    for (int k = 0; k < ti->column_count; k++)
        if (ti->columns[k].partition_index >= 0)
            parts =
                lh_arena_sprintf(b->a, "%s%s`%s`", parts, *parts ? ", " : "", ti->columns[k].name);
    if (*parts)
        text = lh_arena_sprintf(b->a, "%sPartition Columns: [%s]\n", text, parts);
    text = lh_arena_sprintf(b->a, "%sSchema: root\n", text);
    for (int k = 0; k < ti->column_count; k++) {
        const lh_catalog_column_t *c = &ti->columns[k];
        lh_type_t ty = {LH_TYPE_STRING};
        lh_errbuf quiet;
        lh_errbuf_clear(&quiet);
        if (c->type_text != NULL)
            (void)lh_type_parse_text(c->type_text, strlen(c->type_text), &ty, &quiet);
        text = tree_field(b, text, 0, c->name, ty,
                          c->nullable ? " (nullable = true)" : " (nullable = false)");
    }
    return text;
}

lh_err bsh_describe_table(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    lh_table_info_t *ti = NULL;
    bool temp = st->name.count == 1 &&
                lh_session_get_view(b->env->session, bf_lower(b, st->name.parts[0].text));
    lh_plan_t *p;
    scope sc;
    LH_TRY(bf_table(b, &st->name, NULL, &p, &sc));
    if (!temp)
        LH_TRY(bsh_table_info(b, &st->name, &ti));
    table_out t = {3, 0, 0, NULL};
    for (int i = 0; i < p->col_count; i++) {
        char ty[256];
        const char *comment = NULL;
        for (int k = 0; ti != NULL && k < ti->column_count; k++)
            if (strcasecmp(ti->columns[k].name, p->col_names[i]) == 0)
                comment = ti->columns[k].comment;
        add_row(b, &t, p->col_names[i],
                lh_arena_strdup(b->a, lh_type_catalog_string(p->col_types[i], ty, sizeof ty)),
                comment);
    }
    bool parts = false;
    for (int k = 0; ti != NULL && k < ti->column_count; k++)
        parts |= ti->columns[k].partition_index >= 0;
    if (parts) {
        add_row(b, &t, "# Partition Information", "", "");
        add_row(b, &t, "# col_name", "data_type", "comment");
        for (int k = 0; k < ti->column_count; k++)
            if (ti->columns[k].partition_index >= 0)
                add_row(b, &t, ti->columns[k].name, ti->columns[k].type_text,
                        ti->columns[k].comment);
    }
    bcm_table cm = {0}; /* liquid clustering, as Databricks lists it */
    if (ti != NULL && ti->kind != LH_TABLE_VIEW && p->kind == LH_PLAN_SCAN && p->u.scan.root) {
        lh_errbuf quiet; /* an unreadable log only leaves the section out */
        lh_errbuf_clear(&quiet);
        binder inner = *b;
        inner.eb = &quiet;
        if (bcm_load(&inner, p->u.scan.root, &cm) != LH_OK)
            memset(&cm, 0, sizeof cm);
    }
    const char **cl;
    int ncl = bcm_clustering_columns(b, cm.clustering, &cl);
    if (ncl > 0) {
        add_row(b, &t, "# Clustering Information", "", "");
        add_row(b, &t, "# col_name", "data_type", "comment");
        for (int k = 0; k < ncl; k++) {
            char ty[256];
            const char *type = "";
            for (int i = 0; i < p->col_count; i++)
                if (strcasecmp(p->col_names[i], cl[k]) == 0)
                    type = lh_arena_strdup(b->a,
                                           lh_type_catalog_string(p->col_types[i], ty, sizeof ty));
            add_row(b, &t, cl[k], type, NULL);
        }
    }
    if ((st->extended || st->formatted) && ti != NULL)
        detailed(b, &t, ti);
    static const char *const names[3] = {"col_name", "data_type", "comment"};
    return answer(b, &t, names, "DESCRIBE", out);
}

/* DESCRIBE [EXTENDED] t col: Spark's DescribeColumnCommand rows (info_name, info_value);
 * EXTENDED adds the statistics rows, NULL as no column statistics are kept. */
lh_err bsh_describe_column(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    lh_plan_t *p;
    scope sc;
    LH_TRY(bf_table(b, &st->name, NULL, &p, &sc));
    const char *want = st->column.parts[st->column.count - 1].text;
    int col = -1;
    for (int i = 0; st->column.count == 1 && i < p->col_count; i++)
        if (strcasecmp(p->col_names[i], want) == 0)
            col = i;
    if (col < 0) { /* a nested field path is not described either */
        const char *path = "";
        for (int i = 0; i < st->column.count; i++)
            path = lh_arena_sprintf(b->a, "%s%s`%s`", path, i ? "." : "", st->column.parts[i].text);
        return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "objectName", path, NULL);
    }
    lh_table_info_t *ti = NULL;
    lh_errbuf quiet;
    lh_errbuf_clear(&quiet);
    binder inner = *b;
    inner.eb = &quiet; /* a temporary view has no catalog row */
    if (bsh_table_info(&inner, &st->name, &ti) != LH_OK)
        ti = NULL;
    const char *comment = NULL;
    for (int k = 0; ti != NULL && k < ti->column_count; k++)
        if (strcasecmp(ti->columns[k].name, p->col_names[col]) == 0)
            comment = ti->columns[k].comment;
    char ty[256];
    table_out t = {2, 0, 0, NULL};
    add_row(b, &t, "col_name", p->col_names[col], NULL);
    add_row(b, &t, "data_type",
            lh_arena_strdup(b->a, lh_type_catalog_string(p->col_types[col], ty, sizeof ty)), NULL);
    add_row(b, &t, "comment", comment ? comment : "NULL", NULL);
    static const char *const stats[] = {"min",         "max",         "num_nulls", "distinct_count",
                                        "avg_col_len", "max_col_len", "histogram"};
    for (size_t i = 0; st->extended && i < sizeof stats / sizeof stats[0]; i++)
        add_row(b, &t, stats[i], "NULL", NULL);
    static const char *const names[2] = {"info_name", "info_value"};
    return answer(b, &t, names, "DESCRIBE", out);
}

lh_err bsh_describe_namespace(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    const lh_resolver_t *r = b->env->resolver;
    const lh_ast_name_t *n = &st->name;
    table_out t = {2, 0, 0, NULL};
    if (st->describe_what == LH_DESC_CATALOG) {
        const char *cat = bf_lower(b, n->parts[n->count - 1].text);
        if (r->catalog_exists(r->ctx, cat, b->eb) != LH_OK)
            return lh_sqlerr(b->eb, "CATALOG_NOT_FOUND", "catalogName",
                             lh_arena_sprintf(b->a, "`%s`", cat), "config",
                             "\"spark.sql.catalog.<name>\"", NULL);
        add_row(b, &t, "Catalog Name", cat, NULL);
        add_row(b, &t, "Catalog Type", "MANAGED_CATALOG", NULL);
    } else {
        const char *cat =
            n->count == 2 ? bf_lower(b, n->parts[0].text) : lh_session_catalog(b->env->session);
        const char *sch = bf_lower(b, n->parts[n->count - 1].text);
        if (r->schema_exists(r->ctx, cat, sch, b->eb) != LH_OK)
            return lh_sqlerr(b->eb, "SCHEMA_NOT_FOUND", "schemaName",
                             lh_arena_sprintf(b->a, "`%s`.`%s`", cat, sch), NULL);
        add_row(b, &t, "Catalog Name", cat, NULL);
        add_row(b, &t, "Namespace Name", sch, NULL);
    }
    static const char *const names[2] = {"info_name", "info_value"};
    return answer(b, &t, names, "DESCRIBE", out);
}

lh_err bsh_show_table_part(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    if (st->show_what == LH_SHOW_COLUMNS) {
        lh_plan_t *p;
        scope sc;
        LH_TRY(bf_table(b, &st->name, NULL, &p, &sc));
        table_out t = {1, 0, 0, NULL};
        for (int i = 0; i < p->col_count; i++)
            add_row(b, &t, p->col_names[i], NULL, NULL);
        static const char *const names[1] = {"col_name"};
        return answer(b, &t, names, "SHOW", out);
    }
    lh_table_info_t *ti; /* TBLPROPERTIES [('key')] */
    LH_TRY(bsh_table_info(b, &st->name, &ti));
    json_t *props = ti->properties_json ? json_loads(ti->properties_json, 0, NULL) : json_object();
    table_out t = {2, 0, 0, NULL};
    const char *k;
    json_t *v;
    json_object_foreach(props, k, v)
    {
        if (st->pattern == NULL || strcmp(st->pattern, k) == 0)
            add_row(b, &t, lh_arena_strdup(b->a, k),
                    lh_arena_strdup(b->a, json_is_string(v) ? json_string_value(v) : ""), NULL);
    }
    json_decref(props);
    if (st->pattern != NULL && t.n == 0)
        add_row(b, &t, st->pattern,
                lh_arena_sprintf(b->a, "Table %s does not have property: %s", ti->full_name,
                                 st->pattern),
                NULL);
    static const char *const names[2] = {"key", "value"};
    return answer(b, &t, names, "SHOW", out);
}

/* The settings SET -v describes (key, default, meaning, since). */
static const char *const KNOWN_CONFS[][4] = {
    {"spark.sql.ansi.enabled", "true",
     "When true, Spark SQL uses an ANSI compliant dialect instead of being Hive compliant.",
     "3.0.0"},
    {"spark.sql.session.timeZone", "UTC",
     "The ID of session local timezone in the format of either region-based zone IDs or zone "
     "offsets.",
     "2.2.0"},
};

lh_err bsh_run_set(binder *b, const lh_ast_stmt_t *st, lh_bound_t *bound)
{
    lh_session_t *s = b->env->session;
    if (st->kind == LH_ST_RESET) {
        lh_session_reset(s, st->key);
        return LH_OK;
    }
    lh_type_t types[4] = {{LH_TYPE_STRING}, {LH_TYPE_STRING}, {LH_TYPE_STRING}, {LH_TYPE_STRING}};
    const char *names[4] = {"key", "value", "meaning", "Since version"};
    if (st->key != NULL && st->value != NULL) { /* SET key = value answers the pair */
        LH_TRY(lh_session_set(s, st->key, st->value, b->eb));
        lh_value_t **row = lh_arena_calloc(b->a, 1, sizeof *row);
        row[0] = lh_arena_calloc(b->a, 2, sizeof **row);
        row[0][0] = lh_value_text(st->key);
        row[0][1] = lh_value_text(st->value);
        return bs_values_plan(b, 2, names, types, 1, row, &bound->plan);
    }
    bool verbose = st->key != NULL && strcmp(st->key, "-v") == 0;
    const char **keys, **vals;
    int n = lh_session_conf_list(s, b->a, &keys, &vals);
    int cap = n + 3;
    lh_value_t **rows = lh_arena_calloc(b->a, (size_t)cap, sizeof *rows);
    int r = 0;
    if (st->key != NULL && !verbose) { /* SET key */
        const char *v = lh_session_get(s, st->key);
        for (size_t i = 0; v == NULL && i < sizeof KNOWN_CONFS / sizeof KNOWN_CONFS[0]; i++)
            if (strcasecmp(st->key, KNOWN_CONFS[i][0]) == 0)
                v = strcasecmp(st->key, "spark.sql.session.timeZone") == 0
                        ? lh_session_conf(s)->time_zone
                        : KNOWN_CONFS[i][1];
        rows[r] = lh_arena_calloc(b->a, 2, sizeof **rows);
        rows[r][0] = lh_value_text(st->key);
        rows[r++][1] = lh_value_text(v ? v : "<undefined>");
        return bs_values_plan(b, 2, names, types, r, rows, &bound->plan);
    }
    for (size_t i = 0; verbose && i < sizeof KNOWN_CONFS / sizeof KNOWN_CONFS[0]; i++) {
        const char *v = lh_session_get(s, KNOWN_CONFS[i][0]);
        rows[r] = lh_arena_calloc(b->a, 4, sizeof **rows);
        rows[r][0] = lh_value_text(KNOWN_CONFS[i][0]);
        rows[r][1] = lh_value_text(v ? v : KNOWN_CONFS[i][1]);
        rows[r][2] = lh_value_text(KNOWN_CONFS[i][2]);
        rows[r++][3] = lh_value_text(KNOWN_CONFS[i][3]);
    }
    for (int i = 0; i < n && r < cap; i++) {
        bool known = false;
        for (size_t k = 0; verbose && k < sizeof KNOWN_CONFS / sizeof KNOWN_CONFS[0]; k++)
            known |= strcasecmp(keys[i], KNOWN_CONFS[k][0]) == 0;
        if (known)
            continue;
        rows[r] = lh_arena_calloc(b->a, 4, sizeof **rows);
        rows[r][0] = lh_value_text(keys[i]);
        rows[r][1] = lh_value_text(vals[i]);
        rows[r][2] = lh_value_text("<undefined>");
        rows[r++][3] = lh_value_text("<unknown>");
    }
    return bs_values_plan(b, verbose ? 4 : 2, names, types, r, rows, &bound->plan);
}

/* SHOW PARTITIONS t [PARTITION (k = v, ..)]: as Databricks answers it for Delta tables, one
 * column per partition column and a row per distinct combination present, sorted; run as
 * SELECT DISTINCT over the table. */
lh_err bsh_show_partitions(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    lh_table_info_t *ti;
    LH_TRY(bsh_table_info(b, &st->name, &ti));
    const char *full = lh_arena_sprintf(b->a, "`%s`.`%s`.`%s`", ti->catalog, ti->schema, ti->name);
    const char *cols = "", *order = "", *where = "";
    int np = 0;
    for (int pi = 0; pi < ti->column_count; pi++)
        for (int k = 0; k < ti->column_count; k++)
            if (ti->columns[k].partition_index == pi) {
                cols =
                    lh_arena_sprintf(b->a, "%s%s`%s`", cols, np ? ", " : "", ti->columns[k].name);
                order = lh_arena_sprintf(b->a, "%s%s%d", order, np ? ", " : "", np + 1);
                np++;
            }
    if (np == 0)
        return lh_sqlerr(b->eb, "INVALID_PARTITION_OPERATION.PARTITION_SCHEMA_IS_EMPTY", "name",
                         full, NULL);
    for (int i = 0; i < st->props.count; i++) {
        const lh_ast_prop_t *pr = &st->props.items[i];
        int k = 0;
        while (k < ti->column_count && (ti->columns[k].partition_index < 0 ||
                                        strcasecmp(ti->columns[k].name, pr->key) != 0))
            k++;
        if (k == ti->column_count || pr->value == NULL)
            return lh_sqlerr(b->eb, "_LEGACY_ERROR_TEMP_1231", "key", pr->key, "tblName", full,
                             NULL);
        where = lh_arena_sprintf(b->a, "%s %s `%s` <=> %s", where, i ? "AND" : "WHERE",
                                 ti->columns[k].name, lh_ast_format_expr(pr->value, b->a));
    }
    const char *sql = lh_arena_sprintf(b->a, "SELECT DISTINCT %s FROM %s%s ORDER BY %s", cols, full,
                                       where, order);
    lh_ast_stmt_list_t *list;
    LH_TRY(lh_sql_parse(sql, strlen(sql), b->a, &list, b->eb));
    lh_bound_t *res = lh_arena_calloc(b->a, 1, sizeof *res);
    res->kind = LH_BOUND_QUERY;
    res->statement_type = "SHOW";
    binder inner = *b;
    inner.sql = sql;
    inner.ctes = NULL;
    LH_TRY(bq_query(&inner, list->items[0]->query, &res->plan));
    *out = res;
    return LH_OK;
}
