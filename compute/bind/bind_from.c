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

#include "compute/bind/bind_internal.h"
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
                      lh_delta_snapshot_metadata(snap)->nested_column, NULL);
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
    static const char *const formats[] = {"delta", "parquet", "csv", "json", "text", NULL};
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
            binder inner = *b;
            inner.ctes = c->next; /* a CTE sees the ones before it */
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
    if (name->count == 2 && is_path_format(p[0].text) && p[1].quoted && p[1].text[0] == '/') {
        if (strcasecmp(p[0].text, "delta") != 0)
            return lh_sqlerr(b->eb, "UNSUPPORTED_DATASOURCE_FOR_DIRECT_QUERY", "dataSourceType",
                             p[0].text, NULL);
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
            LH_TRY(bx_expr(b, &x, r->rows[i].items[c], &cells[i][c]));
            LH_TRY(bx_common_type(b, i ? types[c] : (lh_type_t){LH_TYPE_NULL}, cells[i][c]->type,
                                  &types[c]));
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

/* A copy of e with column indices shifted by delta. */
static lh_expr_t *rebase(binder *b, const lh_expr_t *e, int delta)
{
    lh_expr_t *c = lh_arena_alloc(b->a, sizeof *c);
    *c = *e;
    if (c->kind == LH_EXPR_COLUMN)
        c->column += delta;
    if (e->arg_count) {
        c->args = lh_arena_calloc(b->a, (size_t)e->arg_count, sizeof *c->args);
        for (int i = 0; i < e->arg_count; i++)
            c->args[i] = rebase(b, e->args[i], delta);
    }
    return c;
}

/* Which inputs e reads: bit 1 left (columns < nl), bit 2 right. */
static int sides(const lh_expr_t *e, int nl)
{
    int s = e->kind == LH_EXPR_COLUMN ? (e->column < nl ? 1 : 2) : 0;
    for (int i = 0; i < e->arg_count; i++)
        s |= sides(e->args[i], nl);
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
        int s0 = sides(e->args[0], nl), s1 = sides(e->args[1], nl);
        if (s0 == 1 && s1 == 2) {
            add_key(b, k, e->args[0], rebase(b, e->args[1], -nl), e->func == fns);
            return;
        }
        if (s0 == 2 && s1 == 1) {
            add_key(b, k, e->args[1], rebase(b, e->args[0], -nl), e->func == fns);
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
    int total = semi ? nl : j->col_count - n;
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_PROJECT, total, 1);
    p->children[0] = j;
    p->u.project.exprs = lh_arena_calloc(b->a, (size_t)total + 1, sizeof(lh_expr_t *));
    *sc = (scope){lh_arena_calloc(b->a, (size_t)(total + 2 * n) + 1, sizeof(bcol)), 0};
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
        sc->cols[sc->count++] =
            (bcol){names[k], {ls->cols[li[k]].qual[0]}, o, e->type, e->nullable, true};
        if (!semi)
            sc->cols[sc->count++] =
                (bcol){names[k], {rs->cols[ri[k]].qual[0]}, o, e->type, e->nullable, true};
    }
    for (int side = 0; side < (semi ? 1 : 2); side++) {
        const scope *s = side ? rs : ls;
        const int *used = side ? ri : li;
        for (int i = 0; i < s->count; i++) {
            bool skip = false;
            for (int k = 0; k < n; k++)
                skip = skip || used[k] == i;
            if (skip)
                continue;
            int src = side ? nl + i : i;
            p->u.project.exprs[o] = lh_expr_column(b->a, src, j->col_types[src],
                                                   j->col_nullable[src], j->col_names[src]);
            p->col_names[o] = j->col_names[src];
            p->col_types[o] = j->col_types[src];
            p->col_nullable[o] = j->col_nullable[src];
            bcol c = s->cols[i];
            c.index = o++;
            sc->cols[sc->count++] = c;
        }
    }
    p->est_rows = j->est_rows;
    *out = p;
    return LH_OK;
}

static lh_err bind_join(binder *b, const lh_ast_rel_t *r, lh_plan_t **plan, scope *sc)
{
    lh_plan_t *l, *rt;
    scope ls, rs;
    LH_TRY(bf_relation(b, r->left, &l, &ls));
    LH_TRY(bf_relation(b, r->right, &rt, &rs));
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
        for (int i = 0; i < ls.count; i++)
            for (int j = 0; j < rs.count; j++)
                if (strcasecmp(ls.cols[i].name, rs.cols[j].name) == 0)
                    names[n++] = ls.cols[i].name;
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
            for (int c = 0; c < ls.count; c++)
                if (strcasecmp(ls.cols[c].name, names[i]) == 0)
                    li[i] = ls.cols[c].index;
            for (int c = 0; c < rs.count; c++)
                if (strcasecmp(rs.cols[c].name, names[i]) == 0)
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
    lh_plan_t *j = join_node(b, kind, l, rt, &k);
    if (n > 0)
        return using_project(b, kind, j, &ls, &rs, nl, names, n, li, ri, plan, sc);
    *plan = j;
    *sc = both;
    if (kind == LH_PJOIN_SEMI || kind == LH_PJOIN_ANTI)
        sc->count = ls.count;
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
        LH_TRY(bq_query(b, r->query, plan));
        *sc = bf_scope_of(b, *plan, NULL);
        break;
    case LH_REL_VALUES:
        LH_TRY(bind_values(b, r, plan));
        *sc = bf_scope_of(b, *plan, NULL);
        break;
    case LH_REL_JOIN:
        return bind_join(b, r, plan, sc);
    default:
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message", "this kind of FROM item",
                         NULL);
    }
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
