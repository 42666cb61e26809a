/*
 * bind_stmt.c - statements: the entry point, queries and DML to plans, DDL and session
 * statements to commands, SHOW/DESCRIBE/SET/EXPLAIN answers as VALUES plans.
 *
 * Commands run in lh_bind_run_command, after binding succeeded: DDL goes through the
 * resolver (one SQLite transaction each) and, for tables, storage/delta (an empty table
 * is a version 0 with protocol and metaData). CTAS is a CREATE command followed by the
 * WRITE plan of its query.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/nested.h"
#include "compute/bind/bind_internal.h"
#include "compute/bind/bind_nested.h"
#include "compute/opt/opt.h"
#include "compute/sql/parser.h"
#include "storage/delta/rewrite.h"
#include "storage/objstore/objstore.h"

/* ---- types -------------------------------------------------------------------------------- */

typedef struct type_row {
    const char *name;
    lh_type_id id;
} type_row;

static const type_row type_names[] = {
    {"BOOLEAN", LH_TYPE_BOOLEAN},
    {"BOOL", LH_TYPE_BOOLEAN},
    {"TINYINT", LH_TYPE_BYTE},
    {"BYTE", LH_TYPE_BYTE},
    {"SMALLINT", LH_TYPE_SHORT},
    {"SHORT", LH_TYPE_SHORT},
    {"INT", LH_TYPE_INT},
    {"INTEGER", LH_TYPE_INT},
    {"BIGINT", LH_TYPE_LONG},
    {"LONG", LH_TYPE_LONG},
    {"FLOAT", LH_TYPE_FLOAT},
    {"REAL", LH_TYPE_FLOAT},
    {"DOUBLE", LH_TYPE_DOUBLE},
    {"STRING", LH_TYPE_STRING},
    {"VARCHAR", LH_TYPE_STRING},
    {"CHAR", LH_TYPE_STRING},
    {"BINARY", LH_TYPE_BINARY},
    {"DATE", LH_TYPE_DATE},
    {"TIMESTAMP", LH_TYPE_TIMESTAMP},
    {"TIMESTAMP_LTZ", LH_TYPE_TIMESTAMP},
    {"TIMESTAMP_NTZ", LH_TYPE_TIMESTAMP_NTZ},
    {"DECIMAL", LH_TYPE_DECIMAL},
    {"DEC", LH_TYPE_DECIMAL},
    {"NUMERIC", LH_TYPE_DECIMAL},
};

/* INTERVAL YEAR [TO MONTH], INTERVAL DAY|HOUR|MINUTE|SECOND [TO ...]: ANSI intervals with
 * their fields (field + 1 in precision/scale, as compute/func/README.md describes). A bare
 * INTERVAL is Spark's CalendarIntervalType (LH_TYPE_INTERVAL_CAL). */
static lh_err interval_type(const lh_ast_type_t *t, lh_type_t *out, lh_errbuf *eb)
{
    if (t->from_unit == NULL && t->to_unit == NULL) {
        *out = (lh_type_t){.id = LH_TYPE_INTERVAL_CAL};
        return LH_OK;
    }
    static const char *const ym[] = {"YEAR", "MONTH"};
    static const char *const dt[] = {"DAY", "HOUR", "MINUTE", "SECOND"};
    int from_ym = -1, from_dt = -1, to_ym = -1, to_dt = -1;
    for (int i = 0; t->from_unit != NULL && i < 4; i++) {
        if (i < 2 && strcasecmp(t->from_unit, ym[i]) == 0)
            from_ym = i;
        if (strcasecmp(t->from_unit, dt[i]) == 0)
            from_dt = i;
    }
    for (int i = 0; t->to_unit != NULL && i < 4; i++) {
        if (i < 2 && strcasecmp(t->to_unit, ym[i]) == 0)
            to_ym = i;
        if (strcasecmp(t->to_unit, dt[i]) == 0)
            to_dt = i;
    }
    if (t->to_unit == NULL)
        to_ym = from_ym, to_dt = from_dt;
    if (from_ym >= 0 && to_ym >= from_ym) {
        *out = (lh_type_t){LH_TYPE_INTERVAL_YM, (uint8_t)(from_ym + 1), (uint8_t)(to_ym + 1)};
        return LH_OK;
    }
    if (from_dt >= 0 && to_dt >= from_dt) {
        *out = (lh_type_t){LH_TYPE_INTERVAL_DT, (uint8_t)(from_dt + 1), (uint8_t)(to_dt + 1)};
        return LH_OK;
    }
    return lh_sqlerr(eb, "UNSUPPORTED_DATATYPE", "typeName", "\"INTERVAL\"", NULL);
}

lh_err lh_bind_type(const lh_ast_type_t *t, lh_type_t *out, lh_errbuf *eb)
{
    if (t->elem != NULL || t->fields != NULL || strcasecmp(t->name, "STRUCT") == 0)
        return bn_type(t, out, eb); /* ARRAY, MAP, STRUCT: bind_nested.c */
    if (strcasecmp(t->name, "INTERVAL") == 0)
        return interval_type(t, out, eb);
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (strcasecmp(t->name, type_names[i].name) != 0)
            continue;
        *out = (lh_type_t){type_names[i].id, 0, 0};
        if (out->id == LH_TYPE_DECIMAL) {
            int p = t->param_count > 0 ? t->params[0] : 10,
                s = t->param_count > 1 ? t->params[1] : 0;
            if (p < 1 || p > 38 || s < 0 || s > p)
                return lh_sqlerr(eb, "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", "precision", "38",
                                 "maxPrecision", "38", NULL);
            out->precision = (uint8_t)p;
            out->scale = (uint8_t)s;
        }
        return LH_OK;
    }
    char name[64];
    snprintf(name, sizeof name, "\"%s\"", t->name);
    return lh_sqlerr(eb, "UNSUPPORTED_DATATYPE", "typeName", name, NULL);
}

/* ---- VALUES answers ----------------------------------------------------------------------- */

lh_err bs_values_plan(binder *b, int col_count, const char *const *names, const lh_type_t *types,
                      int row_count, lh_value_t **rows, lh_plan_t **out)
{
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_VALUES, col_count, 0);
    for (int c = 0; c < col_count; c++) {
        p->col_names[c] = names[c];
        p->col_types[c] = types[c];
        p->col_nullable[c] = true;
    }
    p->u.values.row_count = row_count;
    p->u.values.rows = lh_arena_calloc(b->a, (size_t)row_count + 1, sizeof *p->u.values.rows);
    for (int r = 0; r < row_count; r++) {
        p->u.values.rows[r] = lh_arena_calloc(b->a, (size_t)col_count + 1, sizeof(lh_expr_t *));
        for (int c = 0; c < col_count; c++) {
            lh_value_t v = rows[r][c];
            v.type = v.is_null ? types[c] : v.type;
            p->u.values.rows[r][c] = lh_expr_const(b->a, &v, names[c]);
        }
    }
    p->est_rows = row_count;
    *out = p;
    return LH_OK;
}

/* A one-column STRING answer (SHOW CATALOGS ...). */
static lh_err names_plan(binder *b, const char *col, const char **items, int n, lh_plan_t **out)
{
    lh_value_t **rows = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *rows);
    for (int i = 0; i < n; i++) {
        rows[i] = lh_arena_calloc(b->a, 1, sizeof **rows);
        rows[i][0] = lh_value_text(items[i]);
    }
    const lh_type_t t = {LH_TYPE_STRING};
    return bs_values_plan(b, 1, &col, &t, n, rows, out);
}

/* ---- names ---------------------------------------------------------------------------- */

typedef struct qname {
    const char *catalog, *schema, *name;
} qname;

static qname qualify(binder *b, const lh_ast_name_t *n)
{
    const lh_session_t *s = b->env->session;
    qname q = {lh_session_catalog(s), lh_session_schema(s), NULL};
    q.name = bf_lower(b, n->parts[n->count - 1].text);
    if (n->count >= 2)
        q.schema = bf_lower(b, n->parts[n->count - 2].text);
    if (n->count >= 3)
        q.catalog = bf_lower(b, n->parts[n->count - 3].text);
    return q;
}

/* ---- binding ------------------------------------------------------------------------------ */

static lh_bound_t *command(binder *b, const lh_ast_stmt_t *st, const char *type)
{
    lh_bound_t *r = lh_arena_calloc(b->a, 1, sizeof *r);
    r->kind = LH_BOUND_COMMAND;
    r->stmt = st;
    r->statement_type = type;
    return r;
}

/* PARTITION (p = v, ...): static values per target column (NULL where none). */
static lh_err static_partitions(binder *b, const lh_ast_insert_t *ins, const lh_plan_t *target,
                                lh_expr_t **fixed, const char **pred_text, int *count)
{
    *count = 0;
    *pred_text = NULL;
    static const scope none = {NULL, 0};
    for (int k = 0; k < ins->partition.count; k++) {
        const lh_ast_prop_t *pr = &ins->partition.items[k];
        int col = -1;
        for (int i = 0; i < target->col_count; i++)
            if (strcasecmp(target->col_names[i], pr->key) == 0)
                col = i;
        if (col < 0)
            return lh_sqlerr(b->eb, "NON_PARTITION_COLUMN", "columnName",
                             lh_arena_sprintf(b->a, "`%s`", pr->key), NULL);
        if (pr->value == NULL)
            continue; /* dynamic: the value comes from the query */
        ectx x = {&none, MODE_PRE, NULL, "PARTITION", NULL};
        lh_expr_t *e;
        LH_TRY(bx_expr(b, &x, pr->value, &e));
        LH_TRY(bd_store_cast(b, e, target->col_types[col], target->u.scan.table_name,
                             target->col_names[col], &fixed[col]));
        const char *v = bd_span_text(b, pr->value->span);
        const char *one =
            lh_arena_sprintf(b->a, "`%s` = %s", target->col_names[col], v ? v : "NULL");
        *pred_text = *pred_text ? lh_arena_sprintf(b->a, "%s AND %s", *pred_text, one) : one;
        (*count)++;
    }
    return LH_OK;
}

/* The REPLACE WHERE predicate (or the static partitions of an OVERWRITE) over the table. */
static lh_err replace_pred(binder *b, const char *text, const scope *tsc, lh_expr_t **out)
{
    lh_ast_expr_t *ast;
    LH_TRY(lh_sql_parse_expr(text, strlen(text), b->a, &ast, b->eb));
    binder inner = *b;
    inner.sql = text;
    ectx x = {tsc, MODE_PRE, NULL, "WHERE", NULL};
    return bx_bool(&inner, &x, ast, out);
}

/* A column's value when an INSERT leaves it out: its DEFAULT, else NULL (a generated
 * column is NULL here and computed by generate_columns). */
static lh_err default_value(binder *b, const bcm_col *mc, const lh_plan_t *target, int i,
                            lh_expr_t **out)
{
    if (mc != NULL && mc->default_ != NULL) {
        lh_expr_t *e;
        LH_TRY(bcm_bind_text(b, NULL, mc->default_, "DEFAULT", &e));
        return bd_store_cast(b, e, target->col_types[i], target->u.scan.table_name,
                             target->col_names[i], out);
    }
    lh_value_t nv = {.type = target->col_types[i], .is_null = true};
    *out = lh_expr_const(b->a, &nv, target->col_names[i]);
    return LH_OK;
}

static bool is_default_kw(const lh_ast_expr_t *e)
{
    return e->kind == LH_EX_COLUMN && e->name.count == 1 && !e->name.parts[0].quoted &&
           strcasecmp(e->name.parts[0].text, "DEFAULT") == 0;
}

/* INSERT .. VALUES (.., DEFAULT, ..): a copy of the query with those cells NULL, and which
 * cells they were (*cells stays NULL when there is none). */
static lh_err default_cells(binder *b, const lh_ast_query_t **query, bool ***cells)
{
    const lh_ast_query_t *q = *query;
    *cells = NULL;
    if (q->kind != LH_Q_VALUES)
        return LH_OK;
    bool any = false;
    for (int r = 0; r < q->row_count && !any; r++)
        for (int c = 0; c < q->rows[r].count; c++)
            any |= is_default_kw(q->rows[r].items[c]);
    if (!any)
        return LH_OK;
    lh_ast_query_t *copy = lh_arena_alloc(b->a, sizeof *copy);
    *copy = *q;
    copy->rows = lh_arena_calloc(b->a, (size_t)q->row_count + 1, sizeof *copy->rows);
    bool **flags = lh_arena_calloc(b->a, (size_t)q->row_count + 1, sizeof *flags);
    for (int r = 0; r < q->row_count; r++) {
        int n = q->rows[r].count;
        copy->rows[r].count = n;
        copy->rows[r].items = lh_arena_calloc(b->a, (size_t)n + 1, sizeof(lh_ast_expr_t *));
        flags[r] = lh_arena_calloc(b->a, (size_t)n + 1, sizeof **flags);
        for (int c = 0; c < n; c++) {
            lh_ast_expr_t *e = q->rows[r].items[c];
            if (is_default_kw(e)) {
                lh_ast_expr_t *nl = lh_arena_calloc(b->a, 1, sizeof *nl);
                nl->kind = LH_EX_LITERAL;
                nl->u.lit.kind = LH_LIT_NULL;
                nl->u.lit.text = "NULL";
                nl->span = e->span;
                e = nl;
                flags[r][c] = true;
            }
            copy->rows[r].items[c] = e;
        }
    }
    *query = copy;
    *cells = flags;
    return LH_OK;
}

/* Put each DEFAULT cell's value (the column's default, else NULL) into the bound VALUES. */
static lh_err fill_defaults(binder *b, const bcm_table *cm, const lh_plan_t *target, lh_plan_t *src,
                            const int *dest, bool **cells)
{
    if (src->kind != LH_PLAN_VALUES)
        return LH_OK;
    for (int c = 0; c < src->col_count; c++) {
        int t = dest[c];
        const bcm_col *mc = bcm_find(cm, target->col_names[t]);
        if (mc == NULL || mc->default_ == NULL)
            continue; /* NULL, as bound */
        bool any = false;
        for (int r = 0; r < src->u.values.row_count; r++)
            any |= cells[r][c];
        if (!any)
            continue;
        lh_expr_t *d;
        LH_TRY(default_value(b, mc, target, t, &d));
        if (src->col_types[c].id == LH_TYPE_NULL) /* every cell NULL: the column's type */
            src->col_types[c] = target->col_types[t];
        for (int r = 0; r < src->u.values.row_count; r++) {
            if (cells[r][c])
                src->u.values.rows[r][c] = d;
            LH_TRY(bx_coerce(b, &src->u.values.rows[r][c], src->col_types[c]));
        }
        src->col_nullable[c] = true;
    }
    return LH_OK;
}

/* A projection over *proj computing the generated columns it left NULL (the others pass
 * through; an explicit value is checked against the expression by bd_checks). */
static lh_err generate_columns(binder *b, const bcm_table *cm, const lh_plan_t *target,
                               const bool *omitted, lh_plan_t **proj)
{
    lh_plan_t *in = *proj;
    int n = in->col_count;
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_PROJECT, n, 1);
    p->children[0] = in;
    p->u.project.exprs = lh_arena_calloc(b->a, (size_t)n + 1, sizeof(lh_expr_t *));
    scope sc = bf_scope_of(b, target, NULL);
    for (int i = 0; i < n; i++) {
        const bcm_col *mc = bcm_find(cm, target->col_names[i]);
        lh_expr_t *e =
            lh_expr_column(b->a, i, in->col_types[i], in->col_nullable[i], in->col_names[i]);
        if (mc != NULL && mc->generation != NULL && omitted[i]) {
            LH_TRY(bcm_bind_text(b, &sc, mc->generation, "GENERATED", &e));
            LH_TRY(bd_store_cast(b, e, target->col_types[i], target->u.scan.table_name,
                                 target->col_names[i], &e));
        }
        p->u.project.exprs[i] = e;
        p->col_names[i] = in->col_names[i];
        p->col_types[i] = in->col_types[i];
        p->col_nullable[i] = e->nullable;
    }
    *proj = p;
    return LH_OK;
}

static lh_err bind_insert(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    const lh_ast_insert_t *ins = st->insert;
    lh_plan_t *target, *src;
    scope tsc;
    LH_TRY(bf_table(b, &ins->table, NULL, &target, &tsc));
    if (target->kind != LH_PLAN_SCAN)
        return lh_sqlerr(b->eb, "UNSUPPORTED_INSERT.NOT_ALLOWED", "relationId", "a view", NULL);
    int n = target->col_count;
    lh_expr_t **fixed = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *fixed);
    const char *part_text;
    int static_count;
    LH_TRY(static_partitions(b, ins, target, fixed, &part_text, &static_count));
    bcm_table cm; /* and the constraints every row must satisfy */
    lh_plan_checks_t *checks;
    LH_TRY(bd_checks(b, target, &checks, &cm));
    const lh_ast_query_t *query = ins->query;
    bool **defaults = NULL; /* VALUES cells written DEFAULT */
    LH_TRY(default_cells(b, &query, &defaults));
    LH_TRY(bq_query(b, query, &src));
    lh_ast_insert_t named;
    if (ins->by_name) { /* BY NAME: the source's column names are the column list */
        named = *ins;
        named.columns.count = src->col_count;
        named.columns.items =
            lh_arena_calloc(b->a, (size_t)src->col_count + 1, sizeof *named.columns.items);
        for (int k = 0; k < src->col_count; k++)
            named.columns.items[k].text = src->col_names[k];
        ins = &named;
    }
    for (int k = 0; k < ins->columns.count; k++) { /* every listed column is the table's */
        bool found = false;
        for (int i = 0; i < n && !found; i++)
            found = strcasecmp(ins->columns.items[k].text, target->col_names[i]) == 0;
        if (!found) {
            char proposal[512] = "";
            for (int i = 0; i < n && i < 5; i++) {
                size_t l = strlen(proposal);
                snprintf(proposal + l, sizeof proposal - l, "%s`%s`", i ? ", " : "",
                         target->col_names[i]);
            }
            return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITH_SUGGESTION", "objectName",
                             lh_arena_sprintf(b->a, "`%s`", ins->columns.items[k].text), "proposal",
                             lh_arena_strdup(b->a, proposal), NULL);
        }
    }
    lh_expr_t **exprs = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *exprs);
    int given = ins->columns.count ? ins->columns.count : src->col_count;
    if (given != src->col_count || (ins->columns.count == 0 && src->col_count != n - static_count))
        return lh_sqlerr(b->eb, "INSERT_COLUMN_ARITY_MISMATCH.NOT_ENOUGH_DATA_COLUMNS", "tableName",
                         target->u.scan.table_name, "tableColumns", "", "dataColumns", "", NULL);
    /* which target column each source column feeds */
    int *dest = lh_arena_calloc(b->a, (size_t)src->col_count + 1, sizeof *dest);
    for (int i = 0, next = 0; i < n; i++) {
        if (fixed[i] == NULL && ins->columns.count == 0 && next < src->col_count)
            dest[next++] = i;
        for (int k = 0; k < ins->columns.count && k < src->col_count; k++)
            if (strcasecmp(ins->columns.items[k].text, target->col_names[i]) == 0)
                dest[k] = i;
    }
    if (defaults != NULL)
        LH_TRY(fill_defaults(b, &cm, target, src, dest, defaults));
    bool generate = false, *omitted = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *omitted);
    bool *fill = NULL; /* IDENTITY columns to assign */
    for (int i = 0, next = 0; i < n; i++) {
        int from = -1;
        if (fixed[i] == NULL && ins->columns.count == 0)
            from = next++;
        for (int k = 0; k < ins->columns.count; k++)
            if (strcasecmp(ins->columns.items[k].text, target->col_names[i]) == 0)
                from = k;
        lh_expr_t *e;
        if (fixed[i] != NULL) {
            e = fixed[i];
        } else if (from < 0) {
            const bcm_col *mc = bcm_find(&cm, target->col_names[i]);
            if (mc != NULL && mc->identity) { /* assigned by the write (exec/write.c) */
                if (fill == NULL)
                    fill = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *fill);
                fill[i] = true;
            }
            omitted[i] = mc != NULL && mc->generation != NULL;
            generate |= omitted[i];
            LH_TRY(default_value(b, mc, target, i, &e));
        } else {
            const bcm_col *mc = bcm_find(&cm, target->col_names[i]);
            if (mc != NULL && mc->identity && mc->id_always)
                return lh_sqlerr(b->eb, "DELTA_IDENTITY_COLUMNS_EXPLICIT_INSERT_NOT_SUPPORTED",
                                 "colName", target->col_names[i], NULL);
            e = lh_expr_column(b->a, from, src->col_types[from], src->col_nullable[from],
                               target->col_names[i]);
            LH_TRY(lh_expr_cast(b->a, e, target->col_types[i], false,
                                lh_session_conf(b->env->session), &e, b->eb));
        }
        exprs[i] = e;
    }
    lh_plan_t *proj = lh_plan_new(b->a, LH_PLAN_PROJECT, n, 1);
    proj->children[0] = src;
    proj->u.project.exprs = exprs;
    for (int i = 0; i < n; i++) {
        proj->col_names[i] = target->col_names[i];
        proj->col_types[i] = target->col_types[i];
        proj->col_nullable[i] = exprs[i]->nullable;
    }
    if (generate) /* generated columns the statement leaves out, over the row as written */
        LH_TRY(generate_columns(b, &cm, target, omitted, &proj));
    const char *cols[2] = {"num_affected_rows", "num_inserted_rows"};
    lh_plan_t *w = lh_plan_new(b->a, LH_PLAN_WRITE, 2, 1);
    w->children[0] = proj;
    for (int i = 0; i < 2; i++) {
        w->col_names[i] = cols[i];
        w->col_types[i] = (lh_type_t){LH_TYPE_LONG};
    }
    w->u.write.table_name = target->u.scan.table_name;
    w->u.write.root = target->u.scan.root;
    w->u.write.overwrite = ins->overwrite;
    w->u.write.identity_fill = fill;
    const char *rw = NULL;
    if (ins->replace_where != NULL)
        rw = bd_span_text(b, ins->replace_where->span);
    else if (ins->overwrite && part_text != NULL)
        rw = part_text;
    if (rw != NULL) {
        scope plain = bf_scope_of(b, target, NULL);
        LH_TRY(replace_pred(b, rw, &plain, &w->u.write.replace_pred));
        w->u.write.replace_where = rw;
        w->u.write.overwrite = true;
    }
    w->u.write.checks = checks;
    lh_bound_t *r = lh_arena_calloc(b->a, 1, sizeof *r);
    r->kind = LH_BOUND_QUERY;
    r->plan = w;
    r->statement_type = "INSERT";
    *out = r;
    return LH_OK;
}

/* Keep the names matching a SHOW .. LIKE pattern (in place); the new count. */
static int like_filter(const char *pattern, const char **names, int n)
{
    int w = 0;
    for (int i = 0; i < n; i++)
        if (bud_pattern_match(pattern, names[i]))
            names[w++] = names[i];
    return w;
}

static int views_only(binder *b, const char *cat, const char *sch, const char **names, int n)
{
    const lh_resolver_t *r = b->env->resolver;
    int w = 0;
    for (int i = 0; i < n; i++) {
        lh_table_info_t *t;
        lh_errbuf quiet;
        lh_errbuf_clear(&quiet);
        if (r->get_table(r->ctx, cat, sch, names[i], b->a, &t, &quiet) == LH_OK &&
            t->kind == LH_TABLE_VIEW)
            names[w++] = names[i];
    }
    return w;
}

static lh_err bind_show(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    const lh_resolver_t *r = b->env->resolver;
    const char **names = NULL;
    int n = 0;
    lh_plan_t *plan = NULL;
    const lh_session_t *s = b->env->session;
    switch (st->show_what) {
    case LH_SHOW_CATALOGS:
        LH_TRY(r->list_catalogs(r->ctx, b->a, &names, &n, b->eb));
        n = like_filter(st->pattern, names, n);
        LH_TRY(names_plan(b, "catalog", names, n, &plan));
        break;
    case LH_SHOW_SCHEMAS: {
        const char *cat =
            st->name.count ? bf_lower(b, st->name.parts[0].text) : lh_session_catalog(s);
        LH_TRY(r->list_schemas(r->ctx, cat, b->a, &names, &n, b->eb));
        n = like_filter(st->pattern, names, n);
        LH_TRY(names_plan(b, "databaseName", names, n, &plan));
        break;
    }
    case LH_SHOW_TABLES:
    case LH_SHOW_VIEWS:
    case LH_SHOW_TABLE_EXTENDED: {
        const char *cat =
            st->name.count == 2 ? bf_lower(b, st->name.parts[0].text) : lh_session_catalog(s);
        const char *sch = st->name.count ? bf_lower(b, st->name.parts[st->name.count - 1].text)
                                         : lh_session_schema(s);
        LH_TRY(r->list_tables(r->ctx, cat, sch, b->a, &names, &n, b->eb));
        n = like_filter(st->pattern, names, n);
        if (st->show_what == LH_SHOW_VIEWS)
            n = views_only(b, cat, sch, names, n);
        const char *cols[4] = {"database", "tableName", "isTemporary", "information"};
        lh_type_t types[4] = {
            {LH_TYPE_STRING}, {LH_TYPE_STRING}, {LH_TYPE_BOOLEAN}, {LH_TYPE_STRING}};
        bool ext = st->show_what == LH_SHOW_TABLE_EXTENDED;
        lh_value_t **rows = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *rows);
        int m = 0;
        for (int i = 0; i < n; i++) {
            lh_table_info_t *t = NULL;
            lh_errbuf quiet;
            lh_errbuf_clear(&quiet);
            /* one dropped since the listing is not there */
            if (ext && r->get_table(r->ctx, cat, sch, names[i], b->a, &t, &quiet) != LH_OK)
                continue;
            rows[m] = lh_arena_calloc(b->a, 4, sizeof **rows);
            rows[m][0] = lh_value_text(sch);
            rows[m][1] = lh_value_text(names[i]);
            rows[m][2] = (lh_value_t){.type = {LH_TYPE_BOOLEAN}};
            if (ext)
                rows[m][3] = lh_value_text(bsh_table_information(b, t));
            m++;
        }
        LH_TRY(bs_values_plan(b, ext ? 4 : 3, cols, types, m, rows, &plan));

        break;
    }
    case LH_SHOW_FUNCTIONS:
        return bud_show(b, st, out);
    case LH_SHOW_COLUMNS:
    case LH_SHOW_TBLPROPERTIES:
        return bsh_show_table_part(b, st, out);
    case LH_SHOW_CREATE_TABLE:
        return bsc_show_create(b, st, out);
    case LH_SHOW_PARTITIONS:
        return bsh_show_partitions(b, st, out);
    case LH_SHOW_CURRENT_SCHEMA: {
        const char *cols[2] = {"catalog", "namespace"};
        lh_type_t types[2] = {{LH_TYPE_STRING}, {LH_TYPE_STRING}};
        lh_value_t row[2] = {lh_value_text(lh_session_catalog(s)),
                             lh_value_text(lh_session_schema(s))};
        lh_value_t *rows[1] = {row};
        LH_TRY(bs_values_plan(b, 2, cols, types, 1, rows, &plan));
        break;
    }
    default:
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", "this SHOW form", NULL);
    }
    lh_bound_t *res = lh_arena_calloc(b->a, 1, sizeof *res);
    res->kind = LH_BOUND_QUERY;
    res->plan = plan;
    res->statement_type = "SHOW";
    *out = res;
    return LH_OK;
}

static lh_err bind_describe(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    if (st->describe_what == LH_DESC_DETAIL || st->describe_what == LH_DESC_HISTORY)
        return bdc_describe(b, st, out);
    if (st->describe_what == LH_DESC_FUNCTION)
        return bud_describe(b, st, out);
    if (st->describe_what == LH_DESC_CATALOG || st->describe_what == LH_DESC_SCHEMA)
        return bsh_describe_namespace(b, st, out);
    if (st->describe_what == LH_DESC_TABLE && st->column.count == 0)
        return bsh_describe_table(b, st, out);
    if (st->describe_what == LH_DESC_TABLE) /* DESCRIBE t col */
        return bsh_describe_column(b, st, out);
    if (st->describe_what != LH_DESC_QUERY)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", "this DESCRIBE form",
                         NULL);
    lh_plan_t *t, *plan; /* DESCRIBE QUERY q: q's output columns */
    LH_TRY(bq_query(b, st->query, &t));
    const char *cols[3] = {"col_name", "data_type", "comment"};
    lh_type_t types[3] = {{LH_TYPE_STRING}, {LH_TYPE_STRING}, {LH_TYPE_STRING}};
    lh_value_t **rows = lh_arena_calloc(b->a, (size_t)t->col_count + 1, sizeof *rows);
    for (int i = 0; i < t->col_count; i++) {
        rows[i] = lh_arena_calloc(b->a, 3, sizeof **rows);
        rows[i][0] = lh_value_text(t->col_names[i]);
        rows[i][1] = lh_value_text(bs_type_text(b, t->col_types[i]));
        rows[i][2] = lh_value_text(NULL);
    }
    LH_TRY(bs_values_plan(b, 3, cols, types, t->col_count, rows, &plan));
    lh_bound_t *res = lh_arena_calloc(b->a, 1, sizeof *res);
    res->kind = LH_BOUND_QUERY;
    res->plan = plan;
    res->statement_type = "DESCRIBE";
    *out = res;
    return LH_OK;
}

/* CACHE SELECT: the query runs for its scans (which fill the data cache); no rows. */
static lh_err bind_cache(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    if (st->query == NULL || st->name.count > 0)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", "CACHE TABLE", NULL);
    lh_bound_t *r = lh_arena_calloc(b->a, 1, sizeof *r);
    LH_TRY(bq_query(b, st->query, &r->plan));
    r->kind = LH_BOUND_QUERY;
    r->statement_type = "OTHER";
    r->discard_rows = true;
    *out = r;
    return LH_OK;
}

/* UNCACHE TABLE, CLEAR CACHE, REFRESH [TABLE] t / 'path' / FUNCTION f: what Spark drops
 * here is never stale in Lakehouse (every query reads the Delta log afresh, the data cache
 * is keyed by immutable file identity, functions are read from the catalog per call), so
 * they check the object named exists and change nothing. */
static lh_err bind_refresh(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    bool table = st->kind == LH_ST_UNCACHE ||
                 (st->kind == LH_ST_REFRESH && st->location == NULL && st->object == LH_OBJ_TABLE);
    if (table && !st->if_exists) {
        lh_plan_t *p;
        scope sc;
        LH_TRY(bf_table(b, &st->name, NULL, &p, &sc));
    }
    if (st->kind == LH_ST_REFRESH && st->object == LH_OBJ_FUNCTION && st->location == NULL) {
        LH_TRY(bud_check_exists(b, &st->name));
    }
    *out = command(b, st, st->kind == LH_ST_REFRESH ? "REFRESH" : "OTHER");
    return LH_OK;
}

static lh_err bind_explain(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    lh_bound_t *inner;
    LH_TRY(lh_bind(b->env, st->inner, &inner, b->eb));
    if (inner->plan != NULL) /* the plan that would run */
        lh_opt_run(b->a, inner->plan);
    const char *text = inner->plan ? lh_plan_explain(b->a, inner->plan, st->explain_mode != 0)
                                   : "== Physical Plan ==\nCommand\n";
    const char *col = "plan";
    lh_type_t t = {LH_TYPE_STRING};
    lh_value_t row[1] = {lh_value_text(text)};
    lh_value_t *rows[1] = {row};
    lh_plan_t *plan;
    LH_TRY(bs_values_plan(b, 1, &col, &t, 1, rows, &plan));
    lh_bound_t *res = lh_arena_calloc(b->a, 1, sizeof *res);
    res->kind = LH_BOUND_QUERY;
    res->plan = plan;
    res->statement_type = "EXPLAIN";
    *out = res;
    return LH_OK;
}

lh_err lh_bind(const lh_bind_env_t *env, const lh_ast_stmt_t *stmt, lh_bound_t **out, lh_errbuf *eb)
{
    binder b = {env, env->arena, eb, env->sql, NULL, 0};
    switch (stmt->kind) {
    case LH_ST_QUERY: {
        lh_bound_t *r = lh_arena_calloc(b.a, 1, sizeof *r);
        r->kind = LH_BOUND_QUERY;
        r->statement_type = "SELECT";
        LH_TRY(bq_query(&b, stmt->query, &r->plan));
        *out = r;
        return LH_OK;
    }
    case LH_ST_INSERT:
        return bind_insert(&b, stmt, out);
    case LH_ST_COPY_INTO:
        return bcp_copy_into(&b, stmt, out);
    case LH_ST_DELETE:
        return bd_delete(&b, stmt, out);
    case LH_ST_UPDATE:
        return bd_update(&b, stmt, out);
    case LH_ST_MERGE:
        return bd_merge(&b, stmt, out);
    case LH_ST_TRUNCATE:
        return bd_bind_truncate(&b, stmt, out);
    case LH_ST_ALTER_TABLE:
        *out = command(&b, stmt, "ALTER");
        return LH_OK;
    case LH_ST_RESTORE:
        *out = command(&b, stmt, "RESTORE");
        return LH_OK;
    case LH_ST_OPTIMIZE:
        *out = command(&b, stmt, "OPTIMIZE");
        return LH_OK;
    case LH_ST_VACUUM:
        *out = command(&b, stmt, "VACUUM");
        return LH_OK;
    case LH_ST_COMMENT_ON:
        *out = command(&b, stmt, "COMMENT");
        return LH_OK;
    case LH_ST_SHOW:
        return bind_show(&b, stmt, out);
    case LH_ST_DESCRIBE:
        return bind_describe(&b, stmt, out);
    case LH_ST_EXPLAIN:
        return bind_explain(&b, stmt, out);
    case LH_ST_CREATE_CATALOG:
    case LH_ST_CREATE_SCHEMA:
    case LH_ST_CREATE_TABLE:
    case LH_ST_CREATE_VIEW:
        if (stmt->kind == LH_ST_CREATE_TABLE && stmt->table->query != NULL) {
            lh_plan_t *q; /* check the query binds before anything is created */
            LH_TRY(bq_query(&b, stmt->table->query, &q));
        }
        if (stmt->kind == LH_ST_CREATE_VIEW) {
            lh_plan_t *q;
            LH_TRY(bq_query(&b, stmt->query, &q));
        }
        *out = command(&b, stmt, "CREATE");
        return LH_OK;
    case LH_ST_DROP:
        *out = command(&b, stmt, "DROP");
        return LH_OK;
    case LH_ST_CREATE_FUNCTION:
        *out = command(&b, stmt, "CREATE");
        return LH_OK;
    case LH_ST_CACHE:
        return bind_cache(&b, stmt, out);
    case LH_ST_UNCACHE:
    case LH_ST_CLEAR_CACHE:
    case LH_ST_REFRESH:
        return bind_refresh(&b, stmt, out);
    case LH_ST_REPAIR:
        *out = command(&b, stmt, "OTHER");
        return LH_OK;
    case LH_ST_USE:
        *out = command(&b, stmt, "USE");
        return LH_OK;
    case LH_ST_SET:
    case LH_ST_RESET:
    case LH_ST_SET_VAR:
        *out = command(&b, stmt, "SET");
        return LH_OK;
    case LH_ST_DECLARE_VAR:
        *out = command(&b, stmt, "DECLARE");
        return LH_OK;
    default:
        return lh_sqlerr(eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", "this statement", NULL);
    }
}

/* ---- commands ----------------------------------------------------------------------------- */

static lh_err mkdir_p(const char *path, lh_errbuf *eb)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            LH_FAIL(LH_E_IO, eb, "mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        LH_FAIL(LH_E_IO, eb, "mkdir %s: %s", buf, strerror(errno));
    return LH_OK;
}

/* Version 0 of a new Delta table at root with schema and partition columns. */
/* Add key = value to a Delta configuration (malloc'd copies). */
static lh_err config_add(lh_delta_metadata_t *md, const char *key, const char *value, lh_errbuf *eb)
{
    lh_delta_kv_t *items =
        realloc(md->configuration.items, (size_t)(md->configuration.count + 1) * sizeof *items);
    LH_FAIL_IF(items == NULL, LH_E_NOMEM, eb, "out of memory");
    md->configuration.items = items;
    items[md->configuration.count].key = strdup(key);
    items[md->configuration.count++].value = strdup(value);
    return LH_OK;
}

/* Version 0 of a new Delta table at root, or (replace, the table there already: CREATE OR
 * REPLACE) the next version: every live file removed, the new metadata, the history kept. */
static lh_err create_delta(binder *b, const char *root, const lh_schema_t *schema,
                           const char **parts, int part_count, const lh_ast_create_table_t *ct,
                           bool replace, lh_errbuf *eb)
{
    LH_TRY(mkdir_p(root, eb));
    lh_objstore_t *os = NULL;
    lh_delta_table_t *t = NULL;
    lh_delta_snapshot_t *snap = NULL;
    lh_delta_wtxn_t *w = NULL;
    lh_delta_metadata_t md;
    memset(&md, 0, sizeof md);
    lh_err e = LH_OK;
    if (replace) { /* a table there already? then it is replaced */
        lh_errbuf none;
        if (bd_open_snapshot(root, &os, &t, &snap, &none) != LH_OK) {
            bd_close_snapshot(os, t, snap);
            os = NULL, t = NULL, snap = NULL;
        }
    }
    if (snap != NULL) {
        const lh_delta_add_t **files = NULL;
        size_t n = 0;
        e = lh_delta_wtxn_begin(t, snap, NULL, &w, eb);
        if (e == LH_OK)
            e = lh_delta_wtxn_scan_files(w, NULL, 0, &files, &n, eb);
        for (size_t i = 0; e == LH_OK && i < n; i++)
            e = lh_delta_wtxn_remove(w, files[i], eb);
        free(files);
    } else {
        e = lh_objstore_local_create(root, &os, eb);
        if (e == LH_OK)
            e = lh_delta_table_open(os, "", &t, eb);
        if (e == LH_OK)
            e = lh_delta_wtxn_begin(t, NULL, NULL, &w, eb);
    }
    if (e == LH_OK)
        e = lh_delta_metadata_init(&md, schema, parts, part_count, eb);
    bool checks = false; /* CHECK constraints as Delta keeps them, protocol (1,3) */
    for (int i = 0; e == LH_OK && ct != NULL && i < ct->constraint_count; i++) {
        const lh_ast_constraint_t *k = &ct->constraints[i];
        if (k->kind != LH_CONS_CHECK || k->name == NULL || k->check_text == NULL)
            continue;
        lh_delta_kv_t *items =
            realloc(md.configuration.items, (size_t)(md.configuration.count + 1) * sizeof *items);
        if (items == NULL) {
            e = lh_err_set(eb, LH_E_NOMEM, __FILE__, __LINE__, "out of memory");
            break;
        }
        md.configuration.items = items;
        char key[300];
        snprintf(key, sizeof key, "delta.constraints.%s", k->name->text);
        for (char *p = key; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        items[md.configuration.count].key = strdup(key);
        items[md.configuration.count++].value = strdup(k->check_text);
        checks = true;
    }
    for (int i = 0; e == LH_OK && ct != NULL && i < bcr_property_count(ct); i++) {
        const char *k, *v; /* TBLPROPERTIES live in the configuration, as Delta keeps them */
        bcr_property(b, ct, i, &k, &v);
        if (strcasecmp(k, "delta.feature.allowColumnDefaults") == 0)
            continue; /* a table feature: it goes into the protocol */
        e = config_add(&md, k, v, eb);
    }
    lh_delta_protocol_t pr = {1, 3, -1, NULL, -1, NULL};
    char *clustering = NULL; /* generated / default / identity columns, CLUSTER BY */
    bool features = false;
    if (e == LH_OK && ct != NULL)
        e = bcm_apply_create(b, ct, schema, &md, checks, &pr, &clustering, &features, eb);
    if (e == LH_OK)
        e = lh_delta_txn_set_metadata(lh_delta_wtxn_txn(w), &md, eb);
    if (e == LH_OK && snap != NULL) { /* never below the replaced table's protocol */
        const lh_delta_protocol_t *old = lh_delta_snapshot_protocol(snap);
        if (old->min_reader_version > pr.min_reader_version ||
            old->min_writer_version > pr.min_writer_version)
            checks = features = false;
    }
    if (e == LH_OK && (checks || features))
        e = lh_delta_txn_set_protocol(lh_delta_wtxn_txn(w), &pr, eb);
    if (e == LH_OK && clustering != NULL) {
        lh_delta_domain_t d = {"delta.clustering", clustering, false};
        e = lh_delta_txn_set_domain(lh_delta_wtxn_txn(w), &d, eb);
    }
    free(clustering);
    int64_t version;
    if (e == LH_OK)
        e = lh_delta_wtxn_commit(w, snap ? "CREATE OR REPLACE TABLE" : "CREATE TABLE",
                                 "{\"isManaged\":\"true\"}", NULL, LH_DELTA_COMMIT_ALLOW_EMPTY,
                                 &version, eb);
    lh_delta_metadata_clear(&md);
    if (w)
        lh_delta_wtxn_destroy(w);
    bd_close_snapshot(os, t, snap);
    return e;
}

const char *bs_type_text(binder *b, lh_type_t t)
{
    for (size_t cap = 256;; cap *= 4) { /* wide structs: grow until the text fits */
        char *buf = lh_arena_alloc(b->a, cap);
        if (strlen(lh_type_catalog_string(t, buf, cap)) + 1 < cap)
            return buf;
    }
}

lh_err bs_catalog_column(binder *b, const char *name, lh_type_t t, bool nullable,
                         const char *comment, lh_catalog_column_t *out)
{
    char *json = lh_delta_type_json(t);
    LH_FAIL_IF(json == NULL, LH_E_NOMEM, b->eb, "out of memory");
    *out = (lh_catalog_column_t){name,    bs_type_text(b, t), lh_arena_strdup(b->a, json),
                                 comment, nullable,           -1};
    free(json);
    return LH_OK;
}

static bool has_cal_interval(lh_type_t t)
{
    if (t.id == LH_TYPE_INTERVAL_CAL)
        return true;
    if (!lh_type_is_nested(t))
        return false;
    if (t.id != LH_TYPE_STRUCT)
        return has_cal_interval(t.nested->elem) ||
               (t.id == LH_TYPE_MAP && has_cal_interval(t.nested->value));
    for (int i = 0; i < t.nested->field_count; i++)
        if (has_cal_interval(t.nested->fields[i].type))
            return true;
    return false;
}

lh_err bs_check_column_type(lh_type_t t, lh_errbuf *eb)
{
    if (has_cal_interval(t))
        return lh_sqlerr(eb, "_LEGACY_ERROR_TEMP_1183", NULL);
    return LH_OK;
}

/* CREATE TABLE t LIKE s: the source's CREATE TABLE statement under t's name, run. */
static lh_err run_create_like(binder *b, const lh_ast_stmt_t *st)
{
    const char *text;
    LH_TRY(bsc_like_text(b, st, &text));
    lh_ast_stmt_list_t *list;
    LH_TRY(lh_sql_parse(text, strlen(text), b->a, &list, b->eb));
    LH_FAIL_IF(list->count != 1 || list->items[0]->kind != LH_ST_CREATE_TABLE, LH_E_INTERNAL, b->eb,
               "CREATE TABLE .. LIKE: an unexpected statement");
    lh_bind_env_t env = *b->env;
    env.sql = text;
    lh_bound_t *bound;
    LH_TRY(lh_bind(&env, list->items[0], &bound, b->eb));
    return lh_bind_run_command(&env, bound, b->eb);
}

static lh_err run_create_table(binder *b, const lh_ast_stmt_t *st, lh_bound_t *bound)
{
    const lh_ast_create_table_t *ct = st->table;
    if (ct->like)
        return run_create_like(b, st);
    qname q = qualify(b, &ct->name);
    lh_plan_t *query = NULL;
    int n = ct->column_count;
    const char *constraints;
    LH_TRY(bcr_check(b, ct));
    LH_TRY(bcr_constraints_json(b, ct, q.name, &constraints));
    if (ct->query != NULL) {
        LH_TRY(bq_query(b, ct->query, &query));
        n = query->col_count;
    }
    lh_schema_t *schema = lh_schema_create(n);
    lh_catalog_column_t *cols = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *cols);
    lh_err e = LH_OK;
    for (int i = 0; e == LH_OK && i < n; i++) {
        lh_type_t t;
        const char *name;
        bool nullable = true;
        if (query) {
            t = query->col_types[i];
            name = query->col_names[i];
        } else {
            name = ct->columns[i].name.text;
            nullable = !ct->columns[i].not_null;
            e = lh_bind_type(ct->columns[i].type, &t, b->eb);
        }
        if (e == LH_OK)
            e = bs_check_column_type(t, b->eb);
        if (e == LH_OK)
            e = lh_schema_set(schema, i, name, t, nullable);
        if (e == LH_OK)
            e = bs_catalog_column(b, name, t, nullable, query ? NULL : ct->columns[i].comment,
                                  &cols[i]);
    }
    if (e == LH_OK && n > 0 && ct->partitioned_by.count >= n) /* no data column left */
        e = lh_sqlerr(b->eb, "ALL_PARTITION_COLUMNS_NOT_ALLOWED", NULL);
    const char **parts = lh_arena_calloc(b->a, (size_t)ct->partitioned_by.count + 1, sizeof *parts);
    for (int i = 0; i < ct->partitioned_by.count; i++) {
        parts[i] = ct->partitioned_by.items[i].text;
        for (int c = 0; e == LH_OK && c < n; c++) /* the catalog's record says it too */
            if (strcasecmp(cols[c].name, parts[i]) == 0)
                cols[c].partition_index = i;
    }
    lh_table_info_t info = {q.catalog,
                            q.schema,
                            q.name,
                            lh_arena_sprintf(b->a, "%s.%s.%s", q.catalog, q.schema, q.name),
                            ct->location ? LH_TABLE_EXTERNAL : LH_TABLE_MANAGED,
                            "DELTA",
                            ct->location,
                            NULL,
                            ct->comment,
                            b->env->user,
                            bcr_properties_json(b, ct),
                            NULL,
                            n,
                            cols,
                            0,
                            0,
                            constraints};
    if (e == LH_OK)
        e = bcm_check_create(b, ct, schema);
    const lh_resolver_t *r = b->env->resolver;
    lh_table_info_t *stored = NULL;
    if (e == LH_OK && st->if_not_exists && !st->or_replace) { /* there already: nothing to do */
        lh_errbuf ignored;
        lh_table_info_t *existing;
        if (r->get_table(r->ctx, q.catalog, q.schema, q.name, b->a, &existing, &ignored) == LH_OK) {
            lh_schema_destroy(schema);
            return LH_OK;
        }
    }
    if (e == LH_OK)
        e = r->create_table(r->ctx, b->env->user, &info, st->if_not_exists, st->or_replace, b->a,
                            &stored, b->eb);
    if (e != LH_OK && b->eb->error_code != NULL &&
        strcmp(b->eb->error_code, "TABLE_OR_VIEW_ALREADY_EXISTS") == 0) /* Spark's message */
        e = lh_sqlerr(b->eb, "TABLE_OR_VIEW_ALREADY_EXISTS", "relationName",
                      lh_arena_sprintf(b->a, "`%s`.`%s`.`%s`", q.catalog, q.schema, q.name), NULL);
    if (e == LH_OK && stored != NULL)
        e = create_delta(b, stored->storage_location, schema, parts, ct->partitioned_by.count, ct,
                         st->or_replace, b->eb);
    lh_schema_destroy(schema);
    if (e != LH_OK || query == NULL || stored == NULL)
        return e;
    /* CTAS: write the query's rows */
    const char *cols2[2] = {"num_affected_rows", "num_inserted_rows"};
    lh_plan_t *w = lh_plan_new(b->a, LH_PLAN_WRITE, 2, 1);
    w->children[0] = query;
    for (int i = 0; i < 2; i++) {
        w->col_names[i] = cols2[i];
        w->col_types[i] = (lh_type_t){LH_TYPE_LONG};
    }
    w->u.write.table_name = stored->full_name;
    w->u.write.root = stored->storage_location;
    bound->plan = w;
    return LH_OK;
}

static lh_err run_drop(binder *b, const lh_ast_stmt_t *st)
{
    const lh_resolver_t *r = b->env->resolver;
    lh_session_t *s = b->env->session;
    switch (st->object) {
    case LH_OBJ_FUNCTION:
        return bud_run_drop(b, st);
    case LH_OBJ_VARIABLE:
        return bv_run_drop(b, st);
    case LH_OBJ_CATALOG:
        return r->drop_catalog(r->ctx, bf_lower(b, st->name.parts[0].text), st->if_exists,
                               st->cascade, b->eb);
    case LH_OBJ_SCHEMA:
    case LH_OBJ_DATABASE: {
        const char *cat =
            st->name.count == 2 ? bf_lower(b, st->name.parts[0].text) : lh_session_catalog(s);
        return r->drop_schema(r->ctx, cat, bf_lower(b, st->name.parts[st->name.count - 1].text),
                              st->if_exists, st->cascade, b->eb);
    }
    case LH_OBJ_VIEW:
        if (st->name.count == 1 && lh_session_drop_view(s, st->name.parts[0].text))
            return LH_OK;
        /* fall through */
    default: {
        qname q = qualify(b, &st->name);
        lh_err e = r->drop_table(r->ctx, q.catalog, q.schema, q.name, st->if_exists,
                                 st->object == LH_OBJ_VIEW, b->eb);
        if (e == LH_E_NOT_FOUND) {
            char buf[256];
            snprintf(buf, sizeof buf, "`%s`.`%s`.`%s`", q.catalog, q.schema, q.name);
            return lh_sqlerr(b->eb, "TABLE_OR_VIEW_NOT_FOUND", "relationName", buf, NULL);
        }
        return e;
    }
    }
}

static lh_err run_create_view(binder *b, const lh_ast_stmt_t *st)
{
    const char *text = st->text ? st->text : "";
    if (st->temporary && st->view_columns.count > 0) { /* v(a, b): names over the query */
        const char *cols = "";
        for (int i = 0; i < st->view_columns.count; i++)
            cols = lh_arena_sprintf(b->a, "%s%s`%s`", cols, i ? ", " : "",
                                    st->view_columns.items[i].text);
        text = lh_arena_sprintf(b->a, "SELECT * FROM (%s) AS `__view`(%s)", text, cols);
    }
    if (st->temporary)
        return lh_session_put_view(b->env->session,
                                   bf_lower(b, st->name.parts[st->name.count - 1].text), text,
                                   st->or_replace, b->eb);
    qname q = qualify(b, &st->name);
    lh_plan_t *plan;
    LH_TRY(bq_query(b, st->query, &plan));
    lh_catalog_column_t *cols = lh_arena_calloc(b->a, (size_t)plan->col_count + 1, sizeof *cols);
    for (int i = 0; i < plan->col_count; i++)
        LH_TRY(bs_catalog_column(b, plan->col_names[i], plan->col_types[i], true, NULL, &cols[i]));
    lh_table_info_t info = {q.catalog,
                            q.schema,
                            q.name,
                            lh_arena_sprintf(b->a, "%s.%s.%s", q.catalog, q.schema, q.name),
                            LH_TABLE_VIEW,
                            NULL,
                            NULL,
                            text,
                            st->comment,
                            b->env->user,
                            NULL,
                            NULL,
                            plan->col_count,
                            cols,
                            0,
                            0};
    const lh_resolver_t *r = b->env->resolver;
    lh_table_info_t *stored;
    return r->create_table(r->ctx, b->env->user, &info, st->if_not_exists, st->or_replace, b->a,
                           &stored, b->eb);
}

lh_err lh_bind_run_command(const lh_bind_env_t *env, lh_bound_t *bound, lh_errbuf *eb)
{
    binder b = {env, env->arena, eb, env->sql, NULL, 0};
    const lh_ast_stmt_t *st = bound->stmt;
    const lh_resolver_t *r = env->resolver;
    switch (st->kind) {
    case LH_ST_CREATE_CATALOG:
        return r->create_catalog(r->ctx, env->user, bf_lower(&b, st->name.parts[0].text),
                                 st->comment, st->if_not_exists, eb);
    case LH_ST_CREATE_SCHEMA: {
        const char *cat = st->name.count == 2 ? bf_lower(&b, st->name.parts[0].text)
                                              : lh_session_catalog(env->session);
        return r->create_schema(r->ctx, env->user, cat,
                                bf_lower(&b, st->name.parts[st->name.count - 1].text), st->comment,
                                st->if_not_exists, eb);
    }
    case LH_ST_CREATE_TABLE:
        return run_create_table(&b, st, bound);
    case LH_ST_CREATE_VIEW:
        return run_create_view(&b, st);
    case LH_ST_CREATE_FUNCTION:
        return bud_run_create(&b, st);
    case LH_ST_DROP:
        return run_drop(&b, st);
    case LH_ST_USE: {
        const lh_ast_name_t *n = &st->name;
        if (st->object == LH_OBJ_CATALOG) {
            const char *cat = bf_lower(&b, n->parts[0].text);
            LH_TRY(r->catalog_exists(r->ctx, cat, eb));
            return lh_session_use(env->session, cat, "default", eb);
        }
        const char *cat =
            n->count == 2 ? bf_lower(&b, n->parts[0].text) : lh_session_catalog(env->session);
        const char *sch = bf_lower(&b, n->parts[n->count - 1].text);
        if (r->schema_exists(r->ctx, cat, sch, eb) != LH_OK)
            return lh_sqlerr(eb, "SCHEMA_NOT_FOUND", "schemaName",
                             lh_arena_sprintf(env->arena, "`%s`.`%s`", cat, sch), NULL);
        return lh_session_use(env->session, cat, sch, eb);
    }
    case LH_ST_SET:
    case LH_ST_RESET:
        return bsh_run_set(&b, st, bound);
    case LH_ST_DECLARE_VAR:
        return bv_run_declare(&b, st);
    case LH_ST_SET_VAR:
        return bv_run_set(&b, st);
    case LH_ST_TRUNCATE:
        return bd_run_truncate(&b, st);
    case LH_ST_ALTER_TABLE:
        return ba_run_alter(&b, st);
    case LH_ST_RESTORE:
        return bdc_run_restore(&b, st, bound);
    case LH_ST_OPTIMIZE:
        return bdc_run_optimize(&b, st, bound);
    case LH_ST_VACUUM:
        return bdc_run_vacuum(&b, st, bound);
    case LH_ST_COMMENT_ON:
        return ba_run_comment(&b, st);
    case LH_ST_UNCACHE:
    case LH_ST_CLEAR_CACHE:
    case LH_ST_REFRESH:
        return LH_OK; /* nothing is held that could be stale (bind_refresh) */
    case LH_ST_REPAIR:
        return ba_run_repair(&b, st);
    default:
        return lh_sqlerr(eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", "this statement", NULL);
    }
}
