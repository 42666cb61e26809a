/*
 * bind_dml.c - DELETE, UPDATE, MERGE and TRUNCATE to plans (LH_PLAN_DML, run by
 * compute/exec/dml.c), and the table constraints every write enforces.
 *
 * The target is a Delta table (a view: UNSUPPORTED_INSERT-like error); its columns are
 * seen under its name or alias. Expressions are bound here with Spark's rules, and every
 * value written to a column goes through the store-assignment cast (ANSI: a cast that
 * may lose meaning, e.g. STRING to INT or BOOLEAN to INT, is refused when binding;
 * numeric overflow fails when running). MERGE binds its ON condition over target ++
 * source and splits it into equi-keys (hashed by the executor) and a residual; each WHEN
 * clause sees the joined row (MATCHED), the source only (NOT MATCHED) or the target only
 * (NOT MATCHED BY SOURCE), as Spark resolves them.
 *
 * Constraints: the table's Delta configuration holds delta.constraints.<name> = SQL text
 * (as Delta stores them); bd_checks parses and binds them over the table's columns, with
 * the NOT NULL flags of its schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "compute/sql/parser.h"
#include "storage/delta/rewrite.h"
#include "storage/objstore/objstore.h"

/* ---- the target ----------------------------------------------------------------------- */

lh_err bd_open_snapshot(const char *root, lh_objstore_t **os, lh_delta_table_t **t,
                        lh_delta_snapshot_t **snap, lh_errbuf *eb)
{
    *os = NULL;
    *t = NULL;
    *snap = NULL;
    LH_TRY(lh_objstore_local_create(root, os, eb));
    LH_TRY(lh_delta_table_open(*os, "", t, eb));
    return lh_delta_snapshot_latest(*t, snap, eb);
}

void bd_close_snapshot(lh_objstore_t *os, lh_delta_table_t *t, lh_delta_snapshot_t *snap)
{
    if (snap)
        lh_delta_snapshot_release(snap);
    if (t)
        lh_delta_table_close(t);
    if (os)
        lh_objstore_destroy(os);
}

const char *bd_span_text(binder *b, lh_ast_span_t span)
{
    if (b->sql == NULL || span.stop <= span.start)
        return NULL;
    return lh_arena_sprintf(b->a, "%.*s", (int)(span.stop - span.start), b->sql + span.start);
}

lh_err bd_checks(binder *b, const lh_plan_t *scan, lh_plan_checks_t **out, bcm_table *cm)
{
    bcm_table local;
    if (cm == NULL)
        cm = &local;
    memset(cm, 0, sizeof *cm);
    lh_plan_checks_t *c = lh_arena_calloc(b->a, 1, sizeof *c);
    int n = scan->col_count;
    c->col_count = n;
    c->col_names = scan->col_names;
    bool *nn = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *nn);
    for (int i = 0; i < n; i++)
        nn[i] = !scan->col_nullable[i];
    c->not_null = nn;
    lh_objstore_t *os;
    lh_delta_table_t *t;
    lh_delta_snapshot_t *snap;
    lh_err e = bd_open_snapshot(scan->u.scan.root, &os, &t, &snap, b->eb);
    const lh_delta_map_t *cfg =
        e == LH_OK ? &lh_delta_snapshot_metadata(snap)->configuration : NULL;
    int total = cfg ? cfg->count : 0;
    int cap = total + n; /* CHECK constraints, then one per generated column */
    c->exprs = lh_arena_calloc(b->a, (size_t)cap + 1, sizeof *c->exprs);
    c->names = lh_arena_calloc(b->a, (size_t)cap + 1, sizeof *c->names);
    c->texts = lh_arena_calloc(b->a, (size_t)cap + 1, sizeof *c->texts);
    scope sc = bf_scope_of(b, scan, NULL);
    for (int i = 0; e == LH_OK && i < total; i++) {
        const char *k = cfg->items[i].key, *v = cfg->items[i].value;
        if (strncmp(k, "delta.constraints.", 18) != 0 || v == NULL)
            continue;
        const char *text = lh_arena_strdup(b->a, v);
        lh_ast_expr_t *ast;
        e = lh_sql_parse_expr(text, strlen(text), b->a, &ast, b->eb);
        binder inner = *b;
        inner.sql = text;
        ectx x = {&sc, MODE_PRE, NULL, "CHECK", NULL};
        lh_expr_t *ex = NULL;
        if (e == LH_OK)
            e = bx_bool(&inner, &x, ast, &ex);
        if (e == LH_OK) {
            c->exprs[c->count] = ex;
            c->names[c->count] = lh_arena_strdup(b->a, k + 18);
            c->texts[c->count++] = text;
        }
    }
    if (e == LH_OK) /* the column metadata (generated, default, identity) and clustering */
        e = bcm_parse(b, lh_delta_snapshot_metadata(snap)->schema_string, cm);
    const lh_delta_domain_t *cl =
        e == LH_OK ? lh_delta_snapshot_domain(snap, "delta.clustering") : NULL;
    if (cl != NULL && cl->configuration != NULL)
        cm->clustering = lh_arena_strdup(b->a, cl->configuration);
    if (e == LH_OK)
        e = bcm_generated_checks(b, scan, cm, c, cap);
    bd_close_snapshot(os, t, snap);
    *out = c;
    return e;
}

typedef struct target {
    lh_plan_t *scan;
    scope sc;
    lh_plan_checks_t *checks;
    bcm_table cm;                   /* its column metadata */
    bool *ident_fill, *ident_given; /* MERGE: IDENTITY columns its INSERTs leave out / give */
} target;

static lh_err bind_target(binder *b, const lh_ast_name_t *name, const lh_ast_ident_t *alias,
                          target *t)
{
    LH_TRY(bf_table(b, name, NULL, &t->scan, &t->sc));
    if (t->scan->kind != LH_PLAN_SCAN) {
        char buf[256];
        snprintf(buf, sizeof buf, "`%s`", name->parts[name->count - 1].text);
        return lh_sqlerr(b->eb, "UNSUPPORTED_INSERT.NOT_ALLOWED", "relationId", buf, NULL);
    }
    if (alias != NULL)
        for (int i = 0; i < t->sc.count; i++)
            t->sc.cols[i].qual[0] = alias->text, t->sc.cols[i].qual[1] = NULL,
            t->sc.cols[i].qual[2] = NULL;
    return bd_checks(b, t->scan, &t->checks, &t->cm);
}

static bool is_numeric(lh_type_id t)
{
    return t >= LH_TYPE_BYTE && t <= LH_TYPE_DOUBLE ? true : t == LH_TYPE_DECIMAL;
}

static bool is_datetime(lh_type_id t)
{
    return t == LH_TYPE_DATE || t == LH_TYPE_TIMESTAMP || t == LH_TYPE_TIMESTAMP_NTZ;
}

/* Spark's ANSI store assignment of e into a column of type `to`. */
lh_err bd_store_cast(binder *b, lh_expr_t *e, lh_type_t to, const char *table, const char *col,
                     lh_expr_t **out)
{
    lh_type_id f = e->type.id;
    bool ok = f == LH_TYPE_NULL || f == to.id || to.id == LH_TYPE_STRING ||
              (is_numeric(f) && is_numeric(to.id)) || (is_datetime(f) && is_datetime(to.id));
    if (!ok) {
        char ft[48], tt[48];
        lh_type_name(e->type, ft, sizeof ft);
        lh_type_name(to, tt, sizeof tt);
        return lh_sqlerr(b->eb, "INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST", "tableName",
                         lh_arena_sprintf(b->a, "`%s`", table), "colName",
                         lh_arena_sprintf(b->a, "`%s`", col), "srcType",
                         lh_arena_sprintf(b->a, "\"%s\"", ft), "targetType",
                         lh_arena_sprintf(b->a, "\"%s\"", tt), NULL);
    }
    lh_sql_conf_t *conf = lh_arena_calloc(b->a, 1, sizeof *conf);
    *conf = *lh_session_conf(b->env->session);
    conf->ansi = true; /* store assignment checks overflow whatever spark.sql.ansi says */
    return lh_expr_cast(b->a, e, to, false, conf, out, b->eb);
}

static lh_plan_t *dml_plan(binder *b, const target *t, lh_dml_kind op, int cols)
{
    static const char *const names[] = {"num_affected_rows", "num_updated_rows", "num_deleted_rows",
                                        "num_inserted_rows"};
    lh_plan_t *p = lh_plan_new(b->a, LH_PLAN_DML, cols, op == LH_DML_MERGE ? 1 : 0);
    for (int i = 0; i < cols; i++) {
        p->col_names[i] = names[i];
        p->col_types[i] = (lh_type_t){LH_TYPE_LONG};
    }
    p->u.dml.op = op;
    p->u.dml.table_name = t->scan->u.scan.table_name;
    p->u.dml.root = t->scan->u.scan.root;
    p->u.dml.table_col_count = t->scan->col_count;
    p->u.dml.table_types = t->scan->col_types;
    p->u.dml.checks = t->checks;
    return p;
}

static lh_bound_t *query_bound(binder *b, lh_plan_t *p, const char *type)
{
    lh_bound_t *r = lh_arena_calloc(b->a, 1, sizeof *r);
    r->kind = LH_BOUND_QUERY;
    r->plan = p;
    r->statement_type = type;
    return r;
}

/* ---- DELETE / UPDATE ------------------------------------------------------------------ */

lh_err bd_delete(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    target t;
    LH_TRY(bind_target(b, &st->name, st->alias, &t));
    lh_plan_t *p = dml_plan(b, &t, LH_DML_DELETE, 1);
    if (st->where != NULL) {
        ectx x = {&t.sc, MODE_PRE, NULL, "WHERE", NULL};
        LH_TRY(bx_bool(b, &x, st->where, &p->u.dml.cond));
        p->u.dml.cond_text = bd_span_text(b, st->where->span);
    }
    *out = query_bound(b, p, "DELETE");
    return LH_OK;
}

/* The target column an assignment names (a, t.a): its index, or an error. */
static lh_err assigned_column(binder *b, const target *t, const lh_ast_name_t *name, int *col)
{
    lh_ast_expr_t fake;
    memset(&fake, 0, sizeof fake);
    fake.kind = LH_EX_COLUMN;
    fake.name = *name;
    fake.span = name->span;
    ectx x = {&t->sc, MODE_PRE, NULL, "SET", NULL};
    lh_expr_t *e;
    LH_TRY(bx_expr(b, &x, &fake, &e)); /* UNRESOLVED_COLUMN with suggestions */
    if (e->kind != LH_EXPR_COLUMN)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "assigning a nested field", NULL);
    *col = e->column;
    return LH_OK;
}

static lh_err duplicate(binder *b, const char *name)
{
    return lh_sqlerr(b->eb, "DUPLICATE_ASSIGNMENTS", "nameList",
                     lh_arena_sprintf(b->a, "`%s`", name), NULL);
}

/* values[i] := the assigned expression (cast) for assigned columns, else NULL. */
static lh_err bind_sets(binder *b, const target *t, const scope *sc, const lh_ast_assign_t *sets,
                        int count, lh_expr_t **values)
{
    const lh_plan_t *s = t->scan;
    for (int k = 0; k < count; k++) {
        int col;
        LH_TRY(assigned_column(b, t, &sets[k].column, &col));
        if (values[col] != NULL)
            return duplicate(b, s->col_names[col]);
        if (sets[k].value == NULL) { /* SET c = DEFAULT: its default, else NULL */
            const bcm_col *mc = bcm_find(&t->cm, s->col_names[col]);
            lh_expr_t *e;
            if (mc != NULL && mc->default_ != NULL)
                LH_TRY(bcm_bind_text(b, NULL, mc->default_, "DEFAULT", &e));
            else {
                lh_value_t nv = {.type = s->col_types[col], .is_null = true};
                e = lh_expr_const(b->a, &nv, s->col_names[col]);
            }
            LH_TRY(bd_store_cast(b, e, s->col_types[col], s->u.scan.table_name, s->col_names[col],
                                 &values[col]));
            continue;
        }
        ectx x = {sc, MODE_PRE, NULL, "SET", NULL};
        lh_expr_t *e;
        LH_TRY(bx_expr(b, &x, sets[k].value, &e));
        LH_TRY(bd_store_cast(b, e, s->col_types[col], s->u.scan.table_name, s->col_names[col],
                             &values[col]));
    }
    return LH_OK;
}

lh_err bd_update(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    target t;
    LH_TRY(bind_target(b, &st->name, st->alias, &t));
    lh_plan_t *p = dml_plan(b, &t, LH_DML_UPDATE, 1);
    const lh_plan_t *s = t.scan;
    if (st->where != NULL) {
        ectx x = {&t.sc, MODE_PRE, NULL, "WHERE", NULL};
        LH_TRY(bx_bool(b, &x, st->where, &p->u.dml.cond));
        p->u.dml.cond_text = bd_span_text(b, st->where->span);
    }
    lh_expr_t **v = lh_arena_calloc(b->a, (size_t)s->col_count + 1, sizeof *v);
    LH_TRY(bind_sets(b, &t, &t.sc, st->sets, st->set_count, v));
    LH_TRY(bcm_update_generated(b, &t.cm, s, v)); /* generated columns follow their inputs */
    for (int i = 0; i < s->col_count; i++) {
        lh_expr_t *old =
            lh_expr_column(b->a, i, s->col_types[i], s->col_nullable[i], s->col_names[i]);
        if (v[i] == NULL)
            v[i] = old;
        else if (p->u.dml.cond != NULL) {
            lh_expr_t *args[3] = {p->u.dml.cond, v[i], old};
            v[i] =
                lh_expr_node(b->a, LH_EXPR_CASE, s->col_types[i], true, 3, args, s->col_names[i]);
        }
    }
    p->u.dml.values = v;
    *out = query_bound(b, p, "UPDATE");
    return LH_OK;
}

/* ---- MERGE --------------------------------------------------------------------------------- */

typedef struct merge_keys {
    int count, cap;
    lh_expr_t **t, **s;
    lh_expr_t *residual;
} merge_keys;

static void split_on(binder *b, lh_expr_t *e, int n, merge_keys *k)
{
    if (e->kind == LH_EXPR_AND) {
        split_on(b, e->args[0], n, k);
        split_on(b, e->args[1], n, k);
        return;
    }
    static const char *const eq[] = {"=", "equal", "eq"};
    if (e->kind == LH_EXPR_CALL && e->arg_count == 2 && e->func == bx_func(eq)) {
        int s0 = bx_sides(e->args[0], n), s1 = bx_sides(e->args[1], n);
        if ((s0 == 1 && s1 == 2) || (s0 == 2 && s1 == 1)) {
            if (k->count == k->cap) {
                int cap = k->cap ? 2 * k->cap : 4;
                lh_expr_t **nt = lh_arena_calloc(b->a, (size_t)cap, sizeof *nt);
                lh_expr_t **ns = lh_arena_calloc(b->a, (size_t)cap, sizeof *ns);
                if (k->count) {
                    memcpy(nt, k->t, (size_t)k->count * sizeof *nt);
                    memcpy(ns, k->s, (size_t)k->count * sizeof *ns);
                }
                k->t = nt, k->s = ns, k->cap = cap;
            }
            k->t[k->count] = s0 == 1 ? e->args[0] : e->args[1];
            k->s[k->count++] = bx_rebase(b, s0 == 1 ? e->args[1] : e->args[0], -n);
            return;
        }
    }
    if (k->residual == NULL) {
        k->residual = e;
        return;
    }
    lh_expr_t *both[2] = {k->residual, e};
    k->residual =
        lh_expr_node(b->a, LH_EXPR_AND, (lh_type_t){LH_TYPE_BOOLEAN}, true, 2, both, NULL);
}

typedef struct merge_scopes {
    scope joined, source_only, target_only;
} merge_scopes;

static lh_err unresolved_star(binder *b, const char *col, const char *clause, const scope *src)
{
    char cols[1024] = "";
    for (int i = 0, at = 0; i < src->count && at < (int)sizeof cols - 64; i++)
        at += snprintf(cols + at, sizeof cols - (size_t)at, "%s%s.%s", i ? ", " : "",
                       src->cols[i].qual[0] ? src->cols[i].qual[0] : "source", src->cols[i].name);
    return lh_sqlerr(b->eb, "DELTA_MERGE_UNRESOLVED_EXPRESSION", "sqlExpr", col, "clause", clause,
                     "cols", cols, NULL);
}

/* UPDATE SET * / INSERT *: every target column from the source column of its name. */
static lh_err star_values(binder *b, const target *t, const scope *src, const char *clause,
                          lh_expr_t **v)
{
    const lh_plan_t *s = t->scan;
    for (int i = 0; i < s->col_count; i++) {
        int found = -1;
        for (int j = 0; j < src->count; j++)
            if (!src->cols[j].hidden && strcasecmp(src->cols[j].name, s->col_names[i]) == 0)
                found = j;
        const bcm_col *mc = bcm_find(&t->cm, s->col_names[i]);
        if (found < 0 && mc != NULL && mc->generation != NULL)
            continue; /* computed from the others (bind_clause) */
        if (found < 0)
            return unresolved_star(b, s->col_names[i], clause, src);
        const bcol *c = &src->cols[found];
        lh_expr_t *e = lh_expr_column(b->a, c->index, c->type, c->nullable, c->name);
        LH_TRY(bd_store_cast(b, e, s->col_types[i], s->u.scan.table_name, s->col_names[i], &v[i]));
    }
    return LH_OK;
}

static lh_err bind_insert_values(binder *b, const target *t, const scope *sc,
                                 const lh_ast_merge_when_t *w, lh_expr_t **v)
{
    const lh_plan_t *s = t->scan;
    if (w->insert_column_count != w->insert_values.count)
        return lh_sqlerr(b->eb, "ASSIGNMENT_ARITY_MISMATCH", "numTarget",
                         lh_arena_sprintf(b->a, "%d", w->insert_column_count), "numExpr",
                         lh_arena_sprintf(b->a, "%d", w->insert_values.count), NULL);
    for (int k = 0; k < w->insert_column_count; k++) {
        int col;
        LH_TRY(assigned_column(b, t, &w->insert_columns[k], &col));
        if (v[col] != NULL)
            return duplicate(b, s->col_names[col]);
        const lh_ast_expr_t *val = w->insert_values.items[k];
        if (val->kind == LH_EX_COLUMN && val->name.count == 1 && !val->name.parts[0].quoted &&
            strcasecmp(val->name.parts[0].text, "DEFAULT") == 0) {
            continue; /* VALUES (.., DEFAULT, ..): filled below like a left-out column */
        }
        ectx x = {sc, MODE_PRE, NULL, "INSERT", NULL};
        lh_expr_t *e;
        LH_TRY(bx_expr(b, &x, val, &e));
        LH_TRY(bd_store_cast(b, e, s->col_types[col], s->u.scan.table_name, s->col_names[col],
                             &v[col]));
    }
    return bcm_insert_fill(b, &t->cm, s, v, t->ident_fill, t->ident_given); /* defaults .. */
}

static lh_err bind_clause(binder *b, const target *t, const merge_scopes *ms,
                          const lh_ast_merge_when_t *w, lh_merge_clause_t *c)
{
    const lh_plan_t *s = t->scan;
    static const char *const clause_names[] = {"MATCHED", "NOT MATCHED", "NOT MATCHED BY SOURCE"};
    c->when = w->kind == LH_MERGE_MATCHED       ? LH_WHEN_MATCHED
              : w->kind == LH_MERGE_NOT_MATCHED ? LH_WHEN_NOT_MATCHED
                                                : LH_WHEN_NOT_MATCHED_BY_SOURCE;
    const scope *sc = c->when == LH_WHEN_MATCHED       ? &ms->joined
                      : c->when == LH_WHEN_NOT_MATCHED ? &ms->source_only
                                                       : &ms->target_only;
    if (w->cond != NULL) {
        ectx x = {sc, MODE_PRE, NULL, clause_names[c->when], NULL};
        LH_TRY(bx_bool(b, &x, w->cond, &c->cond));
    }
    lh_expr_t **v = lh_arena_calloc(b->a, (size_t)s->col_count + 1, sizeof *v);
    switch (w->action) {
    case LH_MERGE_DELETE:
        c->action = LH_MERGE_ACT_DELETE;
        return LH_OK;
    case LH_MERGE_UPDATE_STAR:
    case LH_MERGE_INSERT_STAR: {
        c->action = w->action == LH_MERGE_UPDATE_STAR ? LH_MERGE_ACT_UPDATE : LH_MERGE_ACT_INSERT;
        LH_TRY(star_values(b, t, &ms->source_only,
                           w->action == LH_MERGE_UPDATE_STAR ? "UPDATE" : "INSERT", v));
        if (c->action == LH_MERGE_ACT_INSERT) /* generated columns the source lacks */
            LH_TRY(bcm_insert_fill(b, &t->cm, s, v, t->ident_fill, t->ident_given));
        else
            LH_TRY(bcm_update_generated(b, &t->cm, s, v));
        for (int i = 0; i < s->col_count; i++)
            if (v[i] == NULL)
                v[i] =
                    lh_expr_column(b->a, i, s->col_types[i], s->col_nullable[i], s->col_names[i]);
        break;
    }
    case LH_MERGE_UPDATE:
        c->action = LH_MERGE_ACT_UPDATE;
        LH_TRY(bind_sets(b, t, sc, w->sets, w->set_count, v));
        LH_TRY(bcm_update_generated(b, &t->cm, s, v));
        for (int i = 0; i < s->col_count; i++)
            if (v[i] == NULL)
                v[i] =
                    lh_expr_column(b->a, i, s->col_types[i], s->col_nullable[i], s->col_names[i]);
        break;
    case LH_MERGE_INSERT:
        c->action = LH_MERGE_ACT_INSERT;
        LH_TRY(bind_insert_values(b, t, sc, w, v));
        break;
    }
    c->values = v;
    return LH_OK;
}

/* Spark: of several clauses of one kind, only the last may omit its condition. */
static lh_err check_clause_order(binder *b, const lh_ast_merge_t *m)
{
    static const char *const errs[] = {"NON_LAST_MATCHED_CLAUSE_OMIT_CONDITION",
                                       "NON_LAST_NOT_MATCHED_BY_TARGET_CLAUSE_OMIT_CONDITION",
                                       "NON_LAST_NOT_MATCHED_BY_SOURCE_CLAUSE_OMIT_CONDITION"};
    for (int i = 0; i < m->when_count; i++) {
        if (m->whens[i].cond != NULL)
            continue;
        for (int j = i + 1; j < m->when_count; j++)
            if (m->whens[j].kind == m->whens[i].kind)
                return lh_sqlerr(b->eb, errs[m->whens[i].kind], NULL);
    }
    return LH_OK;
}

lh_err bd_merge(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    const lh_ast_merge_t *m = st->merge;
    LH_TRY(check_clause_order(b, m));
    target t;
    LH_TRY(bind_target(b, &m->target, m->target_alias, &t));
    lh_plan_t *src;
    scope ssc;
    LH_TRY(bf_relation(b, m->source, &src, &ssc));
    int n = t.scan->col_count;
    merge_scopes ms;
    ms.joined.count = n + ssc.count;
    ms.joined.cols = lh_arena_calloc(b->a, (size_t)ms.joined.count + 1, sizeof(bcol));
    memcpy(ms.joined.cols, t.sc.cols, (size_t)n * sizeof(bcol));
    for (int i = 0; i < ssc.count; i++) {
        ms.joined.cols[n + i] = ssc.cols[i];
        ms.joined.cols[n + i].index = n + ssc.cols[i].index;
    }
    ms.target_only = (scope){ms.joined.cols, n};
    ms.source_only = (scope){ms.joined.cols + n, ssc.count};
    lh_plan_t *p = dml_plan(b, &t, LH_DML_MERGE, 4);
    p->children[0] = src;
    ectx x = {&ms.joined, MODE_PRE, NULL, "ON", NULL};
    lh_expr_t *on;
    LH_TRY(bx_bool(b, &x, m->on, &on));
    merge_keys k = {0};
    split_on(b, on, n, &k);
    p->u.dml.key_count = k.count;
    p->u.dml.target_keys = k.t;
    p->u.dml.source_keys = k.s;
    p->u.dml.residual = k.residual;
    p->u.dml.cond_text = bd_span_text(b, m->on->span);
    p->u.dml.clause_count = m->when_count;
    p->u.dml.clauses = lh_arena_calloc(b->a, (size_t)m->when_count + 1, sizeof(lh_merge_clause_t));
    int nc = t.scan->col_count;
    t.ident_fill = lh_arena_calloc(b->a, (size_t)nc + 1, sizeof *t.ident_fill);
    t.ident_given = lh_arena_calloc(b->a, (size_t)nc + 1, sizeof *t.ident_given);
    for (int i = 0; i < m->when_count; i++)
        LH_TRY(bind_clause(b, &t, &ms, &m->whens[i], &p->u.dml.clauses[i]));
    for (int i = 0; i < nc; i++) {
        if (t.ident_fill[i] && t.ident_given[i]) /* one INSERT gives it, another not */
            return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                             "MERGE INSERT clauses that give an IDENTITY column and leave it out",
                             NULL);
        if (t.ident_fill[i])
            p->u.dml.identity_fill = t.ident_fill;
    }
    *out = query_bound(b, p, "MERGE");
    return LH_OK;
}

/* ---- TRUNCATE --------------------------------------------------------------------------- */

lh_err bd_bind_truncate(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    target t;
    LH_TRY(bind_target(b, &st->name, NULL, &t));
    if (st->props.count > 0)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "TRUNCATE TABLE ... PARTITION", NULL);
    lh_bound_t *r = lh_arena_calloc(b->a, 1, sizeof *r);
    r->kind = LH_BOUND_COMMAND;
    r->stmt = st;
    r->statement_type = "TRUNCATE";
    *out = r;
    return LH_OK;
}

lh_err bd_run_truncate(binder *b, const lh_ast_stmt_t *st)
{
    target t;
    LH_TRY(bind_target(b, &st->name, NULL, &t));
    lh_objstore_t *os;
    lh_delta_table_t *tab;
    lh_delta_snapshot_t *snap;
    lh_delta_wtxn_t *w = NULL;
    const lh_delta_add_t **files = NULL;
    size_t n = 0;
    lh_delta_write_opts_t o;
    lh_delta_write_opts_default(&o);
    o.enforces_constraints = true;
    lh_err e = bd_open_snapshot(t.scan->u.scan.root, &os, &tab, &snap, b->eb);
    if (e == LH_OK)
        e = lh_delta_wtxn_begin(tab, snap, &o, &w, b->eb);
    if (e == LH_OK)
        e = lh_delta_wtxn_scan_files(w, NULL, 0, &files, &n, b->eb);
    for (size_t i = 0; e == LH_OK && i < n; i++)
        e = lh_delta_wtxn_remove(w, files[i], b->eb);
    free(files);
    if (e == LH_OK)
        e = lh_delta_wtxn_commit(w, "TRUNCATE", "{}", NULL, 0, NULL, b->eb);
    lh_delta_wtxn_destroy(w);
    bd_close_snapshot(os, tab, snap);
    return e;
}
