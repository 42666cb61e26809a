/*
 * bind_from.c - FROM: tables (catalog, CTEs, temporary views, views, path tables), inline
 * VALUES, subqueries and joins, each to a plan plus the scope its columns are seen in.
 *
 * Joins keep left ++ right as their output; ON conditions are split into equi-join keys
 * (one side from each input) and a residual. USING and NATURAL joins add a projection in
 * Spark's column order: the USING columns first (COALESCE of both sides for FULL), then
 * the rest of the left, then the rest of the right; the USING columns can still be named
 * through either side's qualifier.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/nested.h"
#include "compute/agg/agg.h"
#include "compute/bind/bind_files.h"
#include "compute/bind/bind_internal.h"
#include "compute/files/files.h"
#include "common/util.h"
#include "compute/sql/parser.h"
#include "storage/objstore/objstore.h"

const char *bf_lower(binder *b, const char *s)
{
    char *d = lh_arena_strdup(b->a, s ? s : "");
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

scope bf_scope_of(binder *b, const lh_plan_t *p, const char *qualifier)
{
    scope sc = {lh_arena_calloc(b->a, (size_t)p->col_count + 1, sizeof(bcol)), p->col_count};
    for (int i = 0; i < p->col_count; i++)
        sc.cols[i] = (bcol){p->col_names[i], {qualifier, NULL, NULL}, i,
                            p->col_types[i], p->col_nullable[i],      false};
    if (p->kind == LH_PLAN_FILES) /* a file scan's _metadata: named, never in * */
        for (int i = p->u.files.scan->col_count; i < p->col_count; i++)
            sc.cols[i].hidden = sc.cols[i].meta = true;
    return sc;
}

/* ---- tables -------------------------------------------------------------------------- */

/* TIMESTAMP AS OF expr, or t@yyyyMMddHHmmssSSS (UTC): milliseconds since the epoch. */
static lh_err travel_timestamp(binder *b, const lh_ast_time_travel_t *tt, int64_t *ms)
{
    if (tt->kind == 4) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        int millis = 0;
        const char *s = tt->at_text;
        if (strlen(s) != 17 ||
            sscanf(s, "%4d%2d%2d%2d%2d%2d%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                   &tm.tm_min, &tm.tm_sec, &millis) != 7)
            return lh_sqlerr(b->eb, "INVALID_TIMESTAMP_FORMAT", NULL);
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        *ms = (int64_t)timegm(&tm) * 1000 + millis;
        return LH_OK;
    }
    scope none = {0};
    ectx x = {&none, MODE_PRE, NULL, "TIMESTAMP AS OF", NULL};
    lh_expr_t *e;
    LH_TRY(bx_expr(b, &x, tt->value, &e));
    LH_TRY(lh_expr_cast(b->a, e, (lh_type_t){LH_TYPE_TIMESTAMP}, false,
                        lh_session_conf(b->env->session), &e, b->eb));
    lh_value_t v;
    LH_TRY(lh_expr_fold(b->a, e, lh_session_conf(b->env->session), &v, b->eb));
    *ms = v.is_null ? 0 : v.v.i64 / 1000;
    return LH_OK;
}

static lh_err scan_delta(binder *b, const char *full_name, const char *root,
                         const lh_ast_time_travel_t *travel, lh_plan_t **out)
{
    lh_objstore_t *os = NULL;
    lh_delta_table_t *t = NULL;
    lh_delta_snapshot_t *snap = NULL;
    lh_err e = lh_objstore_local_create(root, &os, b->eb);
    if (e == LH_OK)
        e = lh_delta_table_open(os, "", &t, b->eb);
    int64_t ts_ms = -1;
    if (e == LH_OK && travel != NULL && (travel->kind == 2 || travel->kind == 4))
        e = travel_timestamp(b, travel, &ts_ms);
    if (e == LH_OK && ts_ms >= 0) {
        e = lh_delta_snapshot_at_timestamp(t, ts_ms, &snap, b->eb);
    } else if (e == LH_OK && travel != NULL) {
        int64_t v = 0;
        if (travel->value != NULL)
            e = bx_fold_int(b, travel->value, "VERSION AS OF", &v);
        else
            v = strtoll(travel->at_text + (travel->at_text[0] == 'v' || travel->at_text[0] == 'V'),
                        NULL, 10);
        if (e == LH_OK)
            e = lh_delta_snapshot_at_version(t, v, &snap, b->eb);
    } else if (e == LH_OK) {
        e = lh_delta_snapshot_latest(t, &snap, b->eb);
    }
    if (e == LH_OK)
        e = lh_delta_snapshot_check_readable(snap, b->eb);
    const lh_schema_t *schema = e == LH_OK ? lh_delta_snapshot_metadata(snap)->schema : NULL;
    if (e == LH_OK && schema == NULL)
        e = lh_sqlerr(b->eb, "UNSUPPORTED_DATATYPE", "typeName",
                      lh_delta_snapshot_metadata(snap)->unreadable_column, NULL);
    if (e == LH_OK) {
        lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_SCAN, schema->field_count, 0);
        p->u.scan.table_name = full_name;
        p->u.scan.root = lh_arena_strdup(b->a, root);
        p->u.scan.version = lh_delta_snapshot_version(snap);
        p->u.scan.timestamp_ms = -1;
        p->u.scan.column_count = schema->field_count;
        p->u.scan.columns = lh_arena_calloc(b->a, (size_t)schema->field_count + 1, sizeof(char *));
        for (int i = 0; i < schema->field_count; i++) {
            p->col_names[i] = lh_arena_strdup(b->a, schema->fields[i].name);
            p->u.scan.columns[i] = p->col_names[i];
            p->col_types[i] = schema->fields[i].type;
            p->col_nullable[i] = schema->fields[i].nullable;
        }
        int64_t bytes = 0; /* a size estimate: about 16 bytes a row compressed */
        for (size_t i = 0; i < lh_delta_snapshot_file_count(snap); i++)
            bytes += lh_delta_snapshot_file(snap, i)->size_bytes;
        p->est_rows = (double)bytes / 16.0;
        *out = p;
    }
    if (snap)
        lh_delta_snapshot_release(snap);
    if (t)
        lh_delta_table_close(t);
    if (os)
        lh_objstore_destroy(os);
    return e;
}

/* Bind SQL text (a view's definition) as a query of its own. */
static lh_err bind_view_text(binder *b, const char *sql, lh_plan_t **out)
{
    lh_ast_stmt_list_t *list;
    LH_TRY(lh_sql_parse(sql, strlen(sql), b->a, &list, b->eb));
    if (list->count != 1 || list->items[0]->kind != LH_ST_QUERY)
        return lh_sqlerr(b->eb, "INTERNAL_ERROR", "message", "a view's text is not one query",
                         NULL);
    binder inner = *b;
    inner.sql = sql;
    inner.ctes = NULL;
    inner.corr = NULL; /* a view sees no outer query */
    inner.depth = b->depth + 1;
    if (inner.depth > 32)
        return lh_sqlerr(b->eb, "RECURSIVE_VIEW", "viewIdent", "view", "newPath", "", NULL);
    return bq_query(&inner, list->items[0]->query, out);
}

static lh_err not_found(binder *b, const lh_ast_name_t *name)
{
    char buf[512] = "";
    for (int i = 0; i < name->count; i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%s`%s`", i ? "." : "", name->parts[i].text);
    }
    return lh_sqlerr(b->eb, "TABLE_OR_VIEW_NOT_FOUND", "relationName", buf, NULL);
}

static bool is_path_format(const char *s)
{
    static const char *const formats[] = {"delta",      "parquet", "csv",  "json", "text",
                                          "binaryFile", "orc",     "avro", NULL};
    for (int i = 0; formats[i]; i++)
        if (strcasecmp(s, formats[i]) == 0)
            return true;
    return false;
}

lh_err bf_table(binder *b, const lh_ast_name_t *name, const lh_ast_time_travel_t *travel,
                lh_plan_t **plan, scope *sc)
{
    const lh_ast_ident_t *p = name->parts;
    const char *last = p[name->count - 1].text;
    if (name->count == 1) {
        for (cte_def *c = b->ctes; c != NULL; c = c->next) {
            if (strcasecmp(c->name, last) != 0)
                continue;
            c->used = true;
            binder inner = *b;
            inner.ctes = c->next; /* a CTE sees the ones before it */
            if (br_is_recursive(c))
                LH_TRY(br_reference(b, c, plan));
            else
                LH_TRY(bq_query(&inner, c->cte->query, plan));
            for (int i = 0; i < c->cte->columns.count && i < (*plan)->col_count; i++)
                (*plan)->col_names[i] = c->cte->columns.items[i].text;
            *sc = bf_scope_of(b, *plan, last);
            return LH_OK;
        }
        const char *view = lh_session_get_view(b->env->session, last);
        if (view != NULL) {
            LH_TRY(bind_view_text(b, view, plan));
            *sc = bf_scope_of(b, *plan, last);
            return LH_OK;
        }
    }
    if (name->count == 2 && is_path_format(p[0].text) && p[1].quoted &&
        (p[1].text[0] == '/' || strncmp(p[1].text, "file:", 5) == 0 ||
         strncmp(p[1].text, "dbfs:/Volumes/", 14) == 0)) {
        if (strcasecmp(p[0].text, "delta") != 0) {
            LH_TRY(bf_path_files(b, p[0].text, p[1].text, plan));
            *sc = bf_scope_of(b, *plan, NULL);
            return LH_OK;
        }
        LH_TRY(scan_delta(b, lh_arena_sprintf(b->a, "delta.`%s`", p[1].text), p[1].text, travel,
                          plan));
        *sc = bf_scope_of(b, *plan, NULL);
        return LH_OK;
    }
    if (name->count > 3)
        return not_found(b, name);
    const lh_session_t *ss = b->env->session;
    const char *cat = name->count == 3 ? p[0].text : lh_session_catalog(ss);
    const char *sch = name->count >= 2 ? p[name->count - 2].text : lh_session_schema(ss);
    if (strcasecmp(sch, "information_schema") == 0) {
        lh_err ie = bis_relation(b, bf_lower(b, cat), last, plan);
        if (ie == LH_E_NOT_FOUND)
            return not_found(b, name);
        LH_TRY(ie);
        *sc = bf_scope_of(b, *plan, last);
        for (int i = 0; i < sc->count; i++) {
            sc->cols[i].qual[1] = "information_schema";
            sc->cols[i].qual[2] = bf_lower(b, cat);
        }
        return LH_OK;
    }
    const lh_resolver_t *r = b->env->resolver;
    lh_table_info_t *info = NULL;
    lh_errbuf inner;
    lh_errbuf_clear(&inner);
    lh_err e = r ? r->get_table(r->ctx, bf_lower(b, cat), bf_lower(b, sch), bf_lower(b, last), b->a,
                                &info, &inner)
                 : LH_E_NOT_FOUND;
    if (e == LH_E_NOT_FOUND)
        return not_found(b, name);
    if (e != LH_OK) {
        *b->eb = inner;
        return e;
    }
    if (info->kind == LH_TABLE_VIEW) {
        LH_TRY(bind_view_text(b, info->view_definition, plan));
    } else {
        LH_TRY(scan_delta(b, info->full_name, info->storage_location, travel, plan));
    }
    *sc = bf_scope_of(b, *plan, last);
    for (int i = 0; i < sc->count; i++) {
        sc->cols[i].qual[1] = info->schema;
        sc->cols[i].qual[2] = info->catalog;
    }
    return LH_OK;
}

/* ---- VALUES ---------------------------------------------------------------------------- */

/* A call Spark cannot evaluate once for an inline table (rand, uuid, ...). */
static bool inline_nondet(const lh_ast_expr_t *e)
{
    static const char *const nondet[] = {"rand", "randn", "random", "uuid", "shuffle", NULL};
    if (e == NULL)
        return false;
    for (int i = 0; e->kind == LH_EX_FUNC && e->name.count == 1 && nondet[i]; i++)
        if (strcasecmp(e->name.parts[0].text, nondet[i]) == 0)
            return true;
    for (int i = 0; i < e->args.count; i++)
        if (inline_nondet(e->args.items[i]))
            return true;
    return false;
}

static lh_err bind_values(binder *b, const lh_ast_rel_t *r, lh_plan_t **plan)
{
    int rows = r->row_count, cols = rows ? r->rows[0].count : 0;
    scope none = {0};
    ectx x = {&none, MODE_PRE, NULL, "VALUES"};
    lh_expr_t ***cells = lh_arena_calloc(b->a, (size_t)rows + 1, sizeof *cells);
    lh_type_t *types = lh_arena_calloc(b->a, (size_t)cols + 1, sizeof *types);
    for (int i = 0; i < rows; i++) {
        if (r->rows[i].count != cols)
            return lh_sqlerr(b->eb, "INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH", "expectedNumCols",
                             lh_arena_sprintf(b->a, "%d", cols), "actualNumCols",
                             lh_arena_sprintf(b->a, "%d", r->rows[i].count), "rowIndex",
                             lh_arena_sprintf(b->a, "%d", i), NULL);
        cells[i] = lh_arena_calloc(b->a, (size_t)cols + 1, sizeof **cells);
        for (int c = 0; c < cols; c++) {
            const lh_ast_expr_t *cell = r->rows[i].items[c];
            if (cell->kind == LH_EX_ALIAS) /* VALUES ("one", 1 AS one): the alias names nothing */
                cell = cell->args.items[0];
            if (bx_has_agg(cell) || inline_nondet(cell))
                return lh_sqlerr(b->eb,
                                 "INVALID_INLINE_TABLE.CANNOT_EVALUATE_EXPRESSION_IN_INLINE_TABLE",
                                 "expr", lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, cell)), NULL);
            LH_TRY(bx_expr(b, &x, cell, &cells[i][c]));
            if (bd_expr_has_outer(cells[i][c])) /* Spark: an inline table is evaluated alone */
                return lh_sqlerr(b->eb,
                                 "INVALID_INLINE_TABLE.CANNOT_EVALUATE_EXPRESSION_IN_INLINE_TABLE",
                                 "expr", lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, cell)), NULL);
            lh_errbuf scratch, *saved = b->eb;
            b->eb = &scratch;
            lh_err err = bx_common_type(b, i ? types[c] : (lh_type_t){LH_TYPE_NULL},
                                        cells[i][c]->type, &types[c]);
            b->eb = saved;
            if (err != LH_OK)
                return lh_sqlerr(b->eb, "INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE",
                                 "colName", lh_arena_sprintf(b->a, "`col%d`", c + 1), NULL);
        }
    }
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_VALUES, cols, 0);
    for (int c = 0; c < cols; c++) {
        p->col_names[c] = lh_arena_sprintf(b->a, "col%d", c + 1);
        p->col_types[c] = types[c];
        for (int i = 0; i < rows; i++) {
            LH_TRY(bx_coerce(b, &cells[i][c], types[c]));
            p->col_nullable[c] = p->col_nullable[c] || cells[i][c]->nullable;
        }
    }
    p->u.values.row_count = rows;
    p->u.values.rows = cells;
    p->est_rows = rows;
    *plan = p;
    return LH_OK;
}

/* ---- joins ------------------------------------------------------------------------------- */

lh_expr_t *bx_rebase(binder *b, const lh_expr_t *e, int delta)
{
    lh_expr_t *c = lh_arena_alloc(b->a, sizeof *c);
    *c = *e;
    if (c->kind == LH_EXPR_COLUMN)
        c->column += delta;
    if (e->arg_count) {
        c->args = lh_arena_calloc(b->a, (size_t)e->arg_count, sizeof *c->args);
        for (int i = 0; i < e->arg_count; i++)
            c->args[i] = bx_rebase(b, e->args[i], delta);
    }
    return c;
}

int bx_sides(const lh_expr_t *e, int nl)
{
    int s = e->kind == LH_EXPR_COLUMN ? (e->column < nl ? 1 : 2) : 0;
    for (int i = 0; i < e->arg_count; i++)
        s |= bx_sides(e->args[i], nl);
    return s;
}

typedef struct keys {
    int count, cap;
    lh_expr_t **left, **right;
    bool *null_safe;
    lh_expr_t *residual;
} keys;

static void add_key(binder *b, keys *k, lh_expr_t *l, lh_expr_t *r, bool null_safe)
{
    if (k->count == k->cap) {
        int cap = k->cap ? 2 * k->cap : 4;
        lh_expr_t **nl = lh_arena_calloc(b->a, (size_t)cap, sizeof *nl);
        lh_expr_t **nr = lh_arena_calloc(b->a, (size_t)cap, sizeof *nr);
        bool *ns = lh_arena_calloc(b->a, (size_t)cap, sizeof *ns);
        if (k->count) {
            memcpy(nl, k->left, (size_t)k->count * sizeof *nl);
            memcpy(nr, k->right, (size_t)k->count * sizeof *nr);
            memcpy(ns, k->null_safe, (size_t)k->count * sizeof *ns);
        }
        k->left = nl, k->right = nr, k->null_safe = ns, k->cap = cap;
    }
    k->left[k->count] = l;
    k->right[k->count] = r;
    k->null_safe[k->count++] = null_safe;
}

static void add_residual(binder *b, keys *k, lh_expr_t *e)
{
    if (k->residual == NULL) {
        k->residual = e;
        return;
    }
    lh_expr_t *both[2] = {k->residual, e};
    k->residual = lh_expr_node(b->a, LH_EXPR_AND, (lh_type_t){LH_TYPE_BOOLEAN},
                               k->residual->nullable || e->nullable, 2, both, NULL);
}

/* Split a condition over left ++ right into equi keys and a residual. */
static void split_condition(binder *b, lh_expr_t *e, int nl, keys *k)
{
    if (e->kind == LH_EXPR_AND) {
        split_condition(b, e->args[0], nl, k);
        split_condition(b, e->args[1], nl, k);
        return;
    }
    static const char *const eq[] = {"=", "equal", "eq"}, *const nseq[] = {"<=>", "equal_null",
                                                                           NULL};
    const lh_func_t *feq = bx_func(eq), *fns = bx_func(nseq);
    if (e->kind == LH_EXPR_CALL && e->arg_count == 2 && (e->func == feq || e->func == fns)) {
        int s0 = bx_sides(e->args[0], nl), s1 = bx_sides(e->args[1], nl);
        if (s0 == 1 && s1 == 2) {
            add_key(b, k, e->args[0], bx_rebase(b, e->args[1], -nl), e->func == fns);
            return;
        }
        if (s0 == 2 && s1 == 1) {
            add_key(b, k, e->args[1], bx_rebase(b, e->args[0], -nl), e->func == fns);
            return;
        }
    }
    add_residual(b, k, e);
}

static lh_join_kind join_kind(lh_ast_join_kind_t k)
{
    switch (k) {
    case LH_JOIN_LEFT:
        return LH_PJOIN_LEFT;
    case LH_JOIN_RIGHT:
        return LH_PJOIN_RIGHT;
    case LH_JOIN_FULL:
        return LH_PJOIN_FULL;
    case LH_JOIN_LEFT_SEMI:
        return LH_PJOIN_SEMI;
    case LH_JOIN_LEFT_ANTI:
        return LH_PJOIN_ANTI;
    case LH_JOIN_CROSS:
    case LH_JOIN_COMMA:
        return LH_PJOIN_CROSS;
    default:
        return LH_PJOIN_INNER;
    }
}

static lh_plan_t *join_node(binder *b, lh_join_kind kind, lh_plan_t *l, lh_plan_t *r, keys *k)
{
    bool semi = kind == LH_PJOIN_SEMI || kind == LH_PJOIN_ANTI;
    int n = semi ? l->col_count : l->col_count + r->col_count;
    lh_plan_t *j = lh_plan_new(b->a, LH_PLAN_JOIN, n, 2);
    j->children[0] = l;
    j->children[1] = r;
    for (int i = 0; i < n; i++) {
        const lh_plan_t *src = i < l->col_count ? l : r;
        int c = i < l->col_count ? i : i - l->col_count;
        j->col_names[i] = src->col_names[c];
        j->col_types[i] = src->col_types[c];
        j->col_nullable[i] = src->col_nullable[c] ||
                             (src == l && (kind == LH_PJOIN_RIGHT || kind == LH_PJOIN_FULL)) ||
                             (src == r && (kind == LH_PJOIN_LEFT || kind == LH_PJOIN_FULL));
    }
    j->u.join.kind = kind == LH_PJOIN_CROSS && k->count > 0 ? LH_PJOIN_INNER : kind;
    j->u.join.key_count = k->count;
    j->u.join.left_keys = k->left;
    j->u.join.right_keys = k->right;
    j->u.join.null_safe = k->null_safe;
    j->u.join.residual = k->residual;
    j->est_rows = l->est_rows > r->est_rows ? l->est_rows : r->est_rows;
    j->u.join.build_left = false;
    return j;
}

/* USING / NATURAL: the projection in Spark's order, and its scope. */
static lh_err using_project(binder *b, lh_join_kind kind, lh_plan_t *j, const scope *ls,
                            const scope *rs, int nl, const char **names, int n, const int *li,
                            const int *ri, lh_plan_t **out, scope *sc)
{
    bool semi = kind == LH_PJOIN_SEMI || kind == LH_PJOIN_ANTI;
    int visible = semi ? nl : j->col_count - n;
    /* then hidden copies of the USING columns as each side has them (t.k after a LEFT JOIN
     * USING (k) is NULL where t is the unmatched right side): left ones, then right ones */
    int hidden_at = visible, total = visible + (semi ? n : 2 * n);
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_PROJECT, total, 1);
    p->children[0] = j;
    p->u.project.exprs = lh_arena_calloc(b->a, (size_t)total + 1, sizeof(lh_expr_t *));
    *sc = (scope){lh_arena_calloc(b->a, (size_t)(n + ls->count + rs->count) + 1, sizeof(bcol)), 0};
    int o = 0;
    for (int k = 0; k < n; k++, o++) {
        lh_expr_t *le =
            lh_expr_column(b->a, li[k], j->col_types[li[k]], j->col_nullable[li[k]], names[k]);
        lh_expr_t *e = le;
        if (!semi && (kind == LH_PJOIN_RIGHT || kind == LH_PJOIN_FULL)) {
            lh_expr_t *re = lh_expr_column(b->a, nl + ri[k], j->col_types[nl + ri[k]],
                                           j->col_nullable[nl + ri[k]], names[k]);
            lh_type_t t;
            LH_TRY(bx_common_type(b, le->type, re->type, &t));
            LH_TRY(bx_coerce(b, &le, t));
            LH_TRY(bx_coerce(b, &re, t));
            lh_expr_t *pair[2] = {le, re};
            e = kind == LH_PJOIN_RIGHT
                    ? re
                    : lh_expr_node(b->a, LH_EXPR_COALESCE, t, le->nullable && re->nullable, 2, pair,
                                   names[k]);
        }
        p->u.project.exprs[o] = e;
        p->col_names[o] = names[k];
        p->col_types[o] = e->type;
        p->col_nullable[o] = e->nullable;
        sc->cols[sc->count++] = (bcol){names[k], {NULL}, o, e->type, e->nullable, false};
    }
    /* Each side's other columns follow in column order. Every scope entry of a side is
     * carried over, re-pointed at the output: those of the USING columns (their qualified
     * names, also from earlier USING joins on that side) become hidden copies. */
    for (int side = 0; side < (semi ? 1 : 2); side++) {
        const scope *s = side ? rs : ls;
        const int *used = side ? ri : li;
        int ncols = side ? j->col_count - nl : nl;
        int *map = lh_arena_calloc(b->a, (size_t)ncols + 1, sizeof *map);
        for (int c = 0; c < ncols; c++) {
            int k = 0;
            while (k < n && used[k] != c)
                k++;
            if (k < n) {
                map[c] = k;
                continue;
            }
            int src = side ? nl + c : c;
            p->u.project.exprs[o] = lh_expr_column(b->a, src, j->col_types[src],
                                                   j->col_nullable[src], j->col_names[src]);
            p->col_names[o] = j->col_names[src];
            p->col_types[o] = j->col_types[src];
            p->col_nullable[o] = j->col_nullable[src];
            map[c] = o++;
        }
        for (int i = 0; i < s->count; i++) {
            bcol c = s->cols[i];
            if (c.index < 0 || c.index >= ncols)
                continue;
            int at = map[c.index];
            if (at < n) { /* a USING column: its side's own copy */
                if (c.qual[0] == NULL)
                    continue; /* the unqualified name is the output's own entry */
                int src = side ? nl + ri[at] : li[at];
                at = hidden_at + (side ? n : 0) + at;
                c.hidden = true;
                c.type = j->col_types[src];
                c.nullable = j->col_nullable[src];
            }
            c.index = at;
            sc->cols[sc->count++] = c;
        }
    }
    LH_ASSERT(o == visible);
    for (int side = 0; side < (semi ? 1 : 2); side++)
        for (int k = 0; k < n; k++, o++) {
            int src = side ? nl + ri[k] : li[k];
            p->u.project.exprs[o] = lh_expr_column(b->a, src, j->col_types[src],
                                                   j->col_nullable[src], j->col_names[src]);
            p->col_names[o] = j->col_names[src];
            p->col_types[o] = j->col_types[src];
            p->col_nullable[o] = j->col_nullable[src];
        }
    LH_ASSERT(o == total);
    p->est_rows = j->est_rows;
    *out = p;
    return LH_OK;
}

static lh_err bind_join(binder *b, const lh_ast_rel_t *r, lh_plan_t **plan, scope *sc)
{
    lh_plan_t *l, *rt;
    scope ls, rs;
    LH_TRY(bf_relation(b, r->left, &l, &ls));
    /* LATERAL (subquery): it sees the left side's columns as outer references */
    int lat_nc = 0;
    lh_expr_t **lat_refs = NULL;
    if (r->right->kind == LH_REL_QUERY && r->right->lateral) {
        b->lateral = &ls;
        b->lateral_nc = 0;
        lh_err err = bf_relation(b, r->right, &rt, &rs);
        b->lateral = NULL;
        LH_TRY(err);
        lat_nc = b->lateral_nc;
        lat_refs = b->lateral_refs;
    } else {
        LH_TRY(bf_relation(b, r->right, &rt, &rs));
    }
    int nl = l->col_count;
    lh_join_kind kind = join_kind(r->join.kind);
    scope both = {lh_arena_calloc(b->a, (size_t)(ls.count + rs.count) + 1, sizeof(bcol)), 0};
    for (int i = 0; i < ls.count; i++)
        both.cols[both.count++] = ls.cols[i];
    for (int i = 0; i < rs.count; i++) {
        bcol c = rs.cols[i];
        c.index += nl;
        both.cols[both.count++] = c;
    }
    keys k = {0};
    const lh_ast_idents_t *using_ = &r->join.using_;
    int n = using_->count;
    const char **names = NULL;
    int *li = NULL, *ri = NULL;
    if (r->join.natural) { /* NATURAL: the names both sides have */
        names = lh_arena_calloc(b->a, (size_t)ls.count + 1, sizeof *names);
        n = 0;
        for (int i = 0; i < ls.count; i++) {
            bool both_sides = false, seen = false;
            for (int j = 0; j < rs.count; j++)
                both_sides = both_sides || (!rs.cols[j].hidden &&
                                            strcasecmp(ls.cols[i].name, rs.cols[j].name) == 0);
            for (int q = 0; q < n; q++)
                seen = seen || strcasecmp(names[q], ls.cols[i].name) == 0;
            if (!ls.cols[i].hidden && both_sides && !seen)
                names[n++] = ls.cols[i].name;
        }
    } else if (n > 0) {
        names = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *names);
        for (int i = 0; i < n; i++)
            names[i] = using_->items[i].text;
    }
    if (n > 0) {
        li = lh_arena_calloc(b->a, (size_t)n, sizeof *li);
        ri = lh_arena_calloc(b->a, (size_t)n, sizeof *ri);
        for (int i = 0; i < n; i++) {
            li[i] = ri[i] = -1;
            for (int c = 0; c < ls.count; c++) /* the visible column, not a USING copy */
                if (!ls.cols[c].hidden && strcasecmp(ls.cols[c].name, names[i]) == 0)
                    li[i] = ls.cols[c].index;
            for (int c = 0; c < rs.count; c++)
                if (!rs.cols[c].hidden && strcasecmp(rs.cols[c].name, names[i]) == 0)
                    ri[i] = rs.cols[c].index;
            if (li[i] < 0 || ri[i] < 0)
                return lh_sqlerr(b->eb, "UNRESOLVED_USING_COLUMN_FOR_JOIN", "colName",
                                 lh_arena_sprintf(b->a, "`%s`", names[i]), "side",
                                 li[i] < 0 ? "left" : "right", "suggestion", "", NULL);
            lh_expr_t *le =
                lh_expr_column(b->a, li[i], l->col_types[li[i]], l->col_nullable[li[i]], names[i]);
            lh_expr_t *re = lh_expr_column(b->a, ri[i], rt->col_types[ri[i]],
                                           rt->col_nullable[ri[i]], names[i]);
            lh_type_t t;
            LH_TRY(bx_common_type(b, le->type, re->type, &t));
            LH_TRY(bx_coerce(b, &le, t));
            LH_TRY(bx_coerce(b, &re, t));
            add_key(b, &k, le, re, false);
        }
        if (kind == LH_PJOIN_CROSS)
            kind = LH_PJOIN_INNER;
    } else if (r->join.on != NULL) {
        ectx x = {&both, MODE_PRE, NULL, "ON"};
        lh_expr_t *cond;
        LH_TRY(bx_bool(b, &x, r->join.on, &cond));
        split_condition(b, cond, nl, &k);
        if (kind == LH_PJOIN_CROSS)
            kind = LH_PJOIN_INNER;
    }
    if (lat_nc > 0) {
        /* decorrelated (bind_decorr.c): the subquery once per distinct row of the outer
         * values it reads, joined back on them (null-safe); its extra columns dropped */
        if (kind != LH_PJOIN_INNER && kind != LH_PJOIN_CROSS && kind != LH_PJOIN_LEFT)
            return lh_sqlerr(b->eb, "INVALID_LATERAL_JOIN_TYPE", "joinType",
                             kind == LH_PJOIN_RIGHT  ? "RIGHT OUTER"
                             : kind == LH_PJOIN_FULL ? "FULL OUTER"
                                                     : "LEFT SEMI",
                             NULL);
        int sw = rt->col_count;
        lh_expr_t **refs = lh_arena_calloc(b->a, (size_t)lat_nc + 1, sizeof *refs);
        memcpy(refs, lat_refs, (size_t)lat_nc * sizeof *refs);
        lh_plan_t *dom = bd_aggregate(b, bd_copy(b, l), lat_nc, refs, 0, NULL), *s;
        LH_TRY(bd_decorrelate(b, rt, dom, lat_nc, &s));
        for (int i = 0; i < lat_nc; i++)
            add_key(b, &k, lat_refs[i], bd_col(b, s, sw + i), true);
        if (kind == LH_PJOIN_CROSS)
            kind = LH_PJOIN_INNER;
        lh_plan_t *j = join_node(b, kind, l, s, &k);
        lh_expr_t **e = lh_arena_calloc(b->a, (size_t)(nl + sw) + 1, sizeof *e);
        for (int i = 0; i < nl + sw; i++)
            e[i] = bd_col(b, j, i);
        *plan = bd_project(b, j, nl + sw, e, NULL);
        *sc = both;
        return LH_OK;
    }
    lh_plan_t *j = join_node(b, kind, l, rt, &k);
    if (n > 0)
        return using_project(b, kind, j, &ls, &rs, nl, names, n, li, ri, plan, sc);
    *plan = j;
    *sc = both;
    if (kind == LH_PJOIN_SEMI || kind == LH_PJOIN_ANTI)
        sc->count = ls.count;
    return LH_OK;
}

/* ---- table-valued functions ---------------------------------------------------------- */

/* range(end) | range(start, end[, step[, numPartitions]]): BIGINT column `id`. Arguments are
 * constant integers (numPartitions is accepted and checked only). */
static lh_err bind_range(binder *b, const lh_ast_expr_t *call, lh_plan_t **plan)
{
    int n = call->args.count;
    if (n < 1 || n > 4)
        return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName", "`range`",
                         "expectedNum", "[1, 2, 3, 4]", "actualNum",
                         lh_arena_sprintf(b->a, "%d", n), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    scope none = {0};
    ectx x = {&none, MODE_PRE, NULL, "range"};
    int64_t v[4] = {0, 0, 1, 1};
    for (int i = 0; i < n; i++) {
        lh_expr_t *e;
        LH_TRY(bx_expr(b, &x, call->args.items[i], &e));
        LH_TRY(bx_coerce(b, &e, (lh_type_t){LH_TYPE_LONG}));
        lh_value_t val;
        if (e->kind != LH_EXPR_CONST &&
            lh_expr_fold(b->a, e, lh_session_conf(b->env->session), &val, b->eb) != LH_OK)
            return lh_sqlerr(b->eb, "UNRESOLVABLE_TABLE_VALUED_FUNCTION", "name", "`range`", NULL);
        if (e->kind == LH_EXPR_CONST)
            val = e->value;
        if (val.is_null)
            return lh_sqlerr(b->eb, "UNRESOLVABLE_TABLE_VALUED_FUNCTION", "name", "`range`", NULL);
        v[n == 1 ? 1 : i] = val.v.i64;
    }
    if (v[2] == 0)
        LH_FAIL(LH_E_INVALID, b->eb, "requirement failed: step (0) cannot be 0 in range()");
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_RANGE, 1, 0);
    p->col_names[0] = "id";
    p->col_types[0] = (lh_type_t){LH_TYPE_LONG};
    p->col_nullable[0] = false;
    p->u.range.start = v[0];
    p->u.range.end = v[1];
    p->u.range.step = v[2];
    __int128 span = (__int128)v[1] - v[0];
    p->est_rows = (span > 0) == (v[2] > 0) ? (double)(span / v[2]) : 0;
    *plan = p;
    return LH_OK;
}

static lh_err bind_table_func(binder *b, const lh_ast_rel_t *r, lh_plan_t **plan)
{
    const lh_ast_expr_t *call = r->call;
    const char *fn = call->name.count > 0 ? call->name.parts[call->name.count - 1].text : "";
    if (call->name.count == 1 && strcasecmp(fn, "range") == 0)
        return bind_range(b, call, plan);
    if (call->name.count == 1 && strcasecmp(fn, "read_files") == 0)
        return bf_read_files(b, call, plan);
    return lh_sqlerr(b->eb, "UNRESOLVABLE_TABLE_VALUED_FUNCTION", "name",
                     lh_arena_sprintf(b->a, "`%s`", fn), NULL);
}

/* ---- PIVOT ----------------------------------------------------------------------------
 * source PIVOT (agg [AS a], ... FOR col | (c1, c2) IN (v [AS n], ...)) is the query
 *   SELECT g1, g2, ..., agg FILTER (WHERE col = v) AS <name>, ... FROM source GROUP BY g1, g2
 * where g1, g2, ... are the source's columns that neither the aggregates nor the FOR columns
 * name (in source order), the pivoted columns come value-major, and a column's name is the
 * value's (its alias, or the value as Spark prints it), then "_" and the aggregate's alias or
 * name when there are several aggregates. Every aggregate inside an expression
 * (ceil(sum(x))) gets the filter. */

static void collect_cols(const lh_ast_expr_t *e, const char **names, int *n, int max)
{
    if (e == NULL)
        return;
    if (e->kind == LH_EX_COLUMN && e->name.count > 0 && *n < max)
        names[(*n)++] = e->name.parts[e->name.count - 1].text;
    for (int i = 0; i < e->args.count; i++)
        collect_cols(e->args.items[i], names, n, max);
    if (e->kind == LH_EX_FUNC)
        collect_cols(e->u.func.filter, names, n, max);
    if (e->kind == LH_EX_CASE) {
        collect_cols(e->u.case_.operand, names, n, max);
        collect_cols(e->u.case_.else_, names, n, max);
        for (int i = 0; i < e->u.case_.whens.count; i++) {
            collect_cols(e->u.case_.whens.items[i], names, n, max);
            collect_cols(e->u.case_.thens.items[i], names, n, max);
        }
    }
}

static lh_ast_expr_t *ast_binary(binder *b, lh_ast_op_t op, lh_ast_expr_t *l, lh_ast_expr_t *r)
{
    lh_ast_expr_t *e = lh_arena_calloc(b->a, 1, sizeof *e);
    e->kind = LH_EX_BINARY;
    e->op = op;
    e->span = l->span;
    e->args.items = lh_arena_calloc(b->a, 2, sizeof *e->args.items);
    e->args.items[0] = l;
    e->args.items[1] = r;
    e->args.count = 2;
    return e;
}

/* A copy of e with cond added to the FILTER of every aggregate call in it. */
static lh_ast_expr_t *with_filter(binder *b, const lh_ast_expr_t *e, lh_ast_expr_t *cond)
{
    lh_ast_expr_t *c = lh_arena_alloc(b->a, sizeof *c);
    *c = *e;
    bool agg = e->kind == LH_EX_FUNC && e->u.func.over == NULL && e->u.func.over_name == NULL &&
               e->name.count == 1 && lh_agg_find(e->name.parts[0].text) != NULL;
    if (agg) {
        c->u.func.filter =
            e->u.func.filter ? ast_binary(b, LH_OP_AND, e->u.func.filter, cond) : cond;
        return c;
    }
    if (e->args.count > 0) {
        c->args.items = lh_arena_calloc(b->a, (size_t)e->args.count, sizeof *c->args.items);
        for (int i = 0; i < e->args.count; i++)
            c->args.items[i] = with_filter(b, e->args.items[i], cond);
    }
    return c;
}

/* How Spark prints a pivot value in a column name. */
static const char *value_name(binder *b, const lh_ast_expr_t *v)
{
    if (v->kind == LH_EX_LITERAL && v->u.lit.kind == LH_LIT_STRING)
        return v->u.lit.str;
    if (v->kind == LH_EX_LITERAL && v->u.lit.kind == LH_LIT_NUMBER) {
        const char *t = v->u.lit.text;
        size_t n = strlen(t);
        while (n > 0 && strchr("LlSsYyDd", t[n - 1]) != NULL)
            n--;
        if (n >= 2 && strncasecmp(t + n - 2, "BD", 2) == 0)
            n -= 2;
        return lh_arena_sprintf(b->a, "%.*s", (int)n, t);
    }
    if (v->kind == LH_EX_ROW) {
        const char *out = "{";
        for (int i = 0; i < v->args.count; i++)
            out = lh_arena_sprintf(b->a, "%s%s%s", out, i ? ", " : "",
                                   value_name(b, v->args.items[i]));
        return lh_arena_sprintf(b->a, "%s}", out);
    }
    /* another constant: the value as a string (CAST(array(1, 1) AS STRING) is [1, 1]) */
    scope none = {0};
    ectx x = {&none, MODE_PRE, NULL, "PIVOT"};
    lh_errbuf scratch, *saved = b->eb;
    b->eb = &scratch;
    lh_expr_t *e = NULL, *cast = NULL;
    lh_value_t val;
    const lh_sql_conf_t *conf = lh_session_conf(b->env->session);
    bool ok =
        bx_expr(b, &x, v, &e) == LH_OK &&
        lh_expr_cast(b->a, e, (lh_type_t){LH_TYPE_STRING}, false, conf, &cast, b->eb) == LH_OK &&
        lh_expr_fold(b->a, cast, conf, &val, b->eb) == LH_OK && !val.is_null;
    b->eb = saved;
    if (ok)
        return lh_arena_strndup(b->a, (const char *)val.v.str.ptr, val.v.str.len);
    return bx_name(b, v);
}

static lh_ast_ident_t *ident(binder *b, const char *text)
{
    lh_ast_ident_t *id = lh_arena_calloc(b->a, 1, sizeof *id);
    id->text = text;
    return id;
}

static bool has_map(lh_type_t t)
{
    if (t.id == LH_TYPE_MAP)
        return true;
    if (t.id == LH_TYPE_ARRAY)
        return has_map(t.nested->elem);
    for (int i = 0; t.id == LH_TYPE_STRUCT && i < t.nested->field_count; i++)
        if (has_map(t.nested->fields[i].type))
            return true;
    return false;
}

static lh_err bind_pivot(binder *b, const lh_ast_rel_t *r, lh_plan_t **plan, scope *sc)
{
    lh_plan_t *src;
    scope ss;
    LH_TRY(bf_relation(b, r->left, &src, &ss));
    const lh_ast_named_exprs_t *aggs = &r->pivot.aggs;
    const lh_ast_exprs_t *fors = &r->pivot.columns;
    const lh_ast_named_exprs_t *vals = &r->pivot.values;
    for (int i = 0; i < aggs->count; i++)
        if (!bx_has_agg(aggs->items[i].expr))
            return lh_sqlerr(b->eb, "_LEGACY_ERROR_TEMP_1006", "sql",
                             bx_name(b, aggs->items[i].expr), NULL);
    /* the grouping columns: the source's visible columns nobody names */
    enum { NAMED_MAX = 256 };
    const char *named[NAMED_MAX];
    int nn = 0;
    for (int i = 0; i < aggs->count; i++)
        collect_cols(aggs->items[i].expr, named, &nn, NAMED_MAX);
    for (int i = 0; i < fors->count; i++)
        collect_cols(fors->items[i], named, &nn, NAMED_MAX);
    for (int i = 0; i < fors->count; i++) { /* a MAP is not comparable */
        const lh_ast_expr_t *f = fors->items[i];
        for (int k = 0; f->kind == LH_EX_COLUMN && k < ss.count; k++)
            if (strcasecmp(ss.cols[k].name, f->name.parts[f->name.count - 1].text) == 0 &&
                has_map(ss.cols[k].type))
                return lh_sqlerr(b->eb, "INCOMPARABLE_PIVOT_COLUMN", "columnName",
                                 lh_arena_sprintf(b->a, "`%s`", ss.cols[k].name), NULL);
    }
    lh_ast_select_t *sel = lh_arena_calloc(b->a, 1, sizeof *sel);
    int cap = ss.count + vals->count * aggs->count + 1;
    sel->items.items = lh_arena_calloc(b->a, (size_t)cap, sizeof *sel->items.items);
    lh_ast_group_item_t *groups = lh_arena_calloc(b->a, (size_t)ss.count + 1, sizeof *groups);
    int ng = 0;
    for (int i = 0; i < ss.count; i++) {
        if (ss.cols[i].hidden)
            continue;
        bool used = false;
        for (int k = 0; k < nn && !used; k++)
            used = strcasecmp(named[k], ss.cols[i].name) == 0;
        if (used)
            continue;
        lh_ast_expr_t *col = lh_arena_calloc(b->a, 1, sizeof *col);
        col->kind = LH_EX_COLUMN;
        col->name.parts = ident(b, ss.cols[i].name);
        col->name.count = 1;
        col->span = r->span;
        sel->items.items[sel->items.count++] = (lh_ast_named_expr_t){.expr = col};
        groups[ng++] = (lh_ast_group_item_t){.kind = LH_GROUP_EXPR, .expr = col};
    }
    for (int v = 0; v < vals->count; v++) {
        const lh_ast_expr_t *val = vals->items[v].expr;
        const char *refs[1];
        int nrefs = 0;
        collect_cols(val, refs, &nrefs, 1);
        bool known = false; /* a name the source does not have is unresolved */
        for (int k = 0; nrefs > 0 && k < ss.count && !known; k++)
            known = strcasecmp(ss.cols[k].name, refs[0]) == 0;
        if (nrefs > 0 && !known)
            return lh_sqlerr(b->eb, "UNRESOLVED_COLUMN.WITH_SUGGESTION", "objectName",
                             lh_arena_sprintf(b->a, "`%s`", refs[0]), "proposal", "", NULL);
        if (nrefs > 0)
            return lh_sqlerr(b->eb, "NON_LITERAL_PIVOT_VALUES", "expression",
                             lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, val)), NULL);
        /* one pivot column: a row value is a STRUCT value for it (FOR s IN ((1, 'a'))) */
        bool row = val->kind == LH_EX_ROW && fors->count > 1;
        int arity = row ? val->args.count : 1;
        const lh_ast_expr_t *f0 = fors->items[0];
        for (int k = 0; !row && val->kind == LH_EX_ROW && f0->kind == LH_EX_COLUMN && k < ss.count;
             k++)
            if (strcasecmp(ss.cols[k].name, f0->name.parts[f0->name.count - 1].text) == 0 &&
                ss.cols[k].type.id != LH_TYPE_STRUCT)
                arity = val->args.count; /* a row for a column that is no STRUCT */
        if (arity != fors->count)
            LH_FAIL(LH_E_INVALID, b->eb,
                    "[PIVOT_VALUE_DATA_TYPE_MISMATCH] Invalid pivot value '%s': it has %d values "
                    "for %d pivot columns. SQLSTATE: 42K09",
                    bx_name(b, val), arity, fors->count);
        lh_ast_expr_t *cond = NULL;
        for (int k = 0; k < arity; k++) {
            lh_ast_expr_t *vk = row ? val->args.items[k] : (lh_ast_expr_t *)val;
            lh_ast_expr_t *eq = ast_binary(b, LH_OP_NSEQ, fors->items[k], vk);
            cond = cond ? ast_binary(b, LH_OP_AND, cond, eq) : eq;
        }
        const char *vname = vals->items[v].alias ? vals->items[v].alias->text : value_name(b, val);
        for (int a = 0; a < aggs->count; a++) {
            const lh_ast_named_expr_t *ag = &aggs->items[a];
            const char *name =
                aggs->count == 1
                    ? vname
                    : lh_arena_sprintf(b->a, "%s_%s", vname,
                                       ag->alias ? ag->alias->text : bx_name(b, ag->expr));
            sel->items.items[sel->items.count++] =
                (lh_ast_named_expr_t){.expr = with_filter(b, ag->expr, cond),
                                      .alias = ident(b, name),
                                      .as_written = true};
        }
    }
    sel->from = r->left; /* the source binds again inside the query */
    if (ng > 0) {
        sel->group_by.present = true;
        sel->group_by.items = groups;
        sel->group_by.count = ng;
    }
    lh_ast_query_t *q = lh_arena_calloc(b->a, 1, sizeof *q);
    q->kind = LH_Q_SELECT;
    q->span = r->span;
    q->select = sel;
    LH_TRY(bq_query(b, q, plan));
    *sc = bf_scope_of(b, *plan, NULL);
    return LH_OK;
}

/* ---- TABLESAMPLE ------------------------------------------------------------------------
 * (p PERCENT) and (BUCKET x OUT OF y) keep each row with that probability (rand() with the
 * REPEATABLE seed, else a random one: as Spark, a sample, not an exact fraction); (n ROWS)
 * is a LIMIT. Byte-size samples are not built. */

static lh_err sample_number(binder *b, const lh_ast_expr_t *e, double *out)
{
    scope none = {0};
    ectx x = {&none, MODE_PRE, NULL, "TABLESAMPLE"};
    lh_expr_t *v;
    LH_TRY(bx_expr(b, &x, e, &v));
    LH_TRY(bx_coerce(b, &v, (lh_type_t){LH_TYPE_DOUBLE}));
    lh_value_t val;
    LH_TRY(lh_expr_fold(b->a, v, lh_session_conf(b->env->session), &val, b->eb));
    LH_FAIL_IF(val.is_null, LH_E_INVALID, b->eb, "TABLESAMPLE needs a number, not NULL");
    *out = val.v.f64;
    return LH_OK;
}

static lh_plan_t *pass_node(binder *b, lh_plan_kind kind, lh_plan_t *child)
{
    lh_plan_t *p = lh_plan_new(b->a, kind, child->col_count, 1);
    p->children[0] = child;
    memcpy(p->col_names, child->col_names, (size_t)child->col_count * sizeof *p->col_names);
    memcpy(p->col_types, child->col_types, (size_t)child->col_count * sizeof *p->col_types);
    memcpy(p->col_nullable, child->col_nullable, (size_t)child->col_count * sizeof(bool));
    p->est_rows = child->est_rows;
    return p;
}

static lh_err bind_sample(binder *b, const lh_ast_sample_t *s, lh_plan_t **plan)
{
    double n, fraction;
    if (s->kind == 4)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "TABLESAMPLE by byte length", NULL);
    LH_TRY(sample_number(b, s->value, &n));
    if (s->kind == 2) {
        LH_FAIL_IF(n < 0, LH_E_INVALID, b->eb,
                   "[INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE] The limit like expression "
                   "\"%g\" is invalid. The limit expression must be equal to or greater than 0, "
                   "but got %g. SQLSTATE: 42K0E",
                   n, n);
        lh_plan_t *p = pass_node(b, LH_PLAN_LIMIT, *plan);
        p->u.limit.limit = (int64_t)n;
        p->u.limit.offset = 0;
        *plan = p;
        return LH_OK;
    }
    if (s->kind == 3) {
        double y;
        LH_TRY(sample_number(b, s->value2, &y));
        LH_FAIL_IF(y <= 0 || n <= 0 || n > y, LH_E_INVALID, b->eb,
                   "Sampling fraction (%g) must be on interval [0, 1]", y > 0 ? n / y : 0);
        fraction = n / y;
    } else {
        LH_FAIL_IF(n < 0 || n > 100, LH_E_INVALID, b->eb,
                   "[INVALID_SAMPLING_FRACTION] Sampling fraction (%g) must be on interval "
                   "[0, 1]. SQLSTATE: 42K0E",
                   n / 100);
        fraction = n / 100;
    }
    double seed = 0;
    if (s->repeatable != NULL)
        LH_TRY(sample_number(b, s->repeatable, &seed));
    else
        seed = (double)(lh_now_ms() ^ (int64_t)(uintptr_t)plan);
    const lh_func_t *rnd = lh_func_find("rand");
    LH_FAIL_IF(rnd == NULL, LH_E_INTERNAL, b->eb, "rand() is missing");
    lh_value_t sv = {.type = {LH_TYPE_LONG}, .v.i64 = (int64_t)seed};
    lh_expr_t *seed_e = lh_expr_const(b->a, &sv, "seed"), *r, *lt;
    const lh_sql_conf_t *conf = lh_session_conf(b->env->session);
    LH_TRY(lh_expr_call(b->a, rnd, 1, &seed_e, conf, "rand()", &r, b->eb));
    lh_value_t fv = {.type = {LH_TYPE_DOUBLE}, .v.f64 = fraction};
    lh_expr_t *pair[2] = {r, lh_expr_const(b->a, &fv, "fraction")};
    LH_TRY(lh_expr_call(b->a, lh_func_find("<"), 2, pair, conf, "sample", &lt, b->eb));
    lh_plan_t *p = pass_node(b, LH_PLAN_FILTER, *plan);
    p->u.filter.pred = lt;
    p->est_rows = (*plan)->est_rows >= 0 ? (*plan)->est_rows * fraction : -1;
    *plan = p;
    return LH_OK;
}

lh_err bf_relation(binder *b, const lh_ast_rel_t *r, lh_plan_t **plan, scope *sc)
{
    const char *alias = r->alias ? r->alias->text : NULL;
    switch (r->kind) {
    case LH_REL_TABLE:
        LH_TRY(bf_table(b, &r->name, r->travel, plan, sc));
        break;
    case LH_REL_QUERY:
        if (r->lateral && b->lateral != NULL) { /* bind_join's right side */
            const scope *outer = b->lateral;
            b->lateral = NULL;
            LH_TRY(bsq_lateral(b, outer, r->query, plan, &b->lateral_nc, &b->lateral_refs));
        } else {
            LH_TRY(bq_query(b, r->query, plan));
        }
        *sc = bf_scope_of(b, *plan, NULL);
        break;
    case LH_REL_VALUES:
        LH_TRY(bind_values(b, r, plan));
        *sc = bf_scope_of(b, *plan, NULL);
        break;
    case LH_REL_JOIN:
        return bind_join(b, r, plan, sc);
    case LH_REL_PIVOT:
        LH_TRY(bind_pivot(b, r, plan, sc));
        break;
    case LH_REL_UNPIVOT: /* bind_unpivot.c */
        LH_TRY(bu_unpivot(b, r, plan, sc));
        break;
    case LH_REL_FUNC:
        if (r->call->name.count == 1 &&
            strcasecmp(r->call->name.parts[0].text, "identifier") == 0) {
            lh_ast_name_t name; /* FROM IDENTIFIER('cat.sch.t') */
            LH_TRY(bv_identifier(b, NULL, r->call, &name));
            LH_TRY(bf_table(b, &name, r->travel, plan, sc));
            break;
        }
        LH_TRY(bind_table_func(b, r, plan));
        *sc = bf_scope_of(b, *plan, NULL);
        break;
    default:
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", "this kind of FROM item",
                         NULL);
    }
    if (r->sample != NULL)
        LH_TRY(bind_sample(b, r->sample, plan));
    if (alias != NULL)
        for (int i = 0; i < sc->count; i++) {
            sc->cols[i].qual[0] = alias;
            sc->cols[i].qual[1] = sc->cols[i].qual[2] = NULL;
        }
    if (r->col_aliases.count > 0) {
        if (r->col_aliases.count != (*plan)->col_count)
            return lh_sqlerr(b->eb, "ASSIGNMENT_ARITY_MISMATCH", "numExpr",
                             lh_arena_sprintf(b->a, "%d", r->col_aliases.count), "numTarget",
                             lh_arena_sprintf(b->a, "%d", (*plan)->col_count), NULL);
        for (int i = 0; i < sc->count; i++)
            sc->cols[i].name = r->col_aliases.items[sc->cols[i].index].text;
    }
    return LH_OK;
}
