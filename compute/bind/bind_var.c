/*
 * bind_var.c - session variables (Spark 3.5's SQL variables): DECLARE [OR REPLACE]
 * [VARIABLE] name [type] [DEFAULT expr], SET VAR name = expr [, ...] (or = DEFAULT),
 * SET VAR (a, b) = (query), DROP TEMPORARY VARIABLE [IF EXISTS] name, and references.
 *
 *   names      name, session.name or system.session.name (any case); other qualifiers are
 *              UNRESOLVED_VARIABLE at DECLARE
 *   values     an expression is evaluated when the statement runs (scalar subqueries
 *              included) and stored cast to the variable's type, as an assignment casts
 *              (ANSI: a value that does not convert is an error); DECLARE without a type
 *              takes the default's type, without a default the value is NULL
 *   references a name that is no column (nor outer column) is looked up among the session's
 *              variables before it is unresolved, as Spark resolves columns first; the
 *              reference is a constant of the variable's value when the query is bound
 *   DEFAULT    SET VAR x = DEFAULT evaluates the DECLARE's default again (the session keeps
 *              its text)
 * and EXECUTE IMMEDIATE's operands (compute/query/query.c runs the statement): its text
 * and USING values are evaluated here; INTO assigns the row as SET VAR does. Also the
 * IDENTIFIER(expr) clause: a constant string (literals, parameters, variables) read as a
 * name (a table in FROM, a column in an expression).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "compute/bind/bind_internal.h"
#include "common/limits.h"
#include "compute/exec/exec.h"
#include "compute/func/format.h"
#include "compute/expr/expr.h"
#include "compute/sql/parser.h"
#include "compute/sql/sqlerr.h"

/* The variable a name stands for: its last part when the qualifiers are none, session or
 * system.session; NULL otherwise. */
static const char *var_name(const lh_ast_name_t *n)
{
    if (n->count == 1)
        return n->parts[0].text;
    if (n->count == 2 && strcasecmp(n->parts[0].text, "session") == 0)
        return n->parts[1].text;
    if (n->count == 3 && strcasecmp(n->parts[0].text, "system") == 0 &&
        strcasecmp(n->parts[1].text, "session") == 0)
        return n->parts[2].text;
    return NULL;
}

lh_err bv_reference(binder *b, const lh_ast_name_t *n, lh_expr_t **out, bool *found)
{
    *found = false;
    const char *name = var_name(n);
    const lh_value_t *v = name ? lh_session_get_var(b->env->session, name) : NULL;
    if (v == NULL)
        return LH_OK;
    lh_value_t copy = *v; /* the session's copy may change before the plan runs */
    if (!copy.is_null && lh_type_is_bytes(copy.type)) {
        uint8_t *bytes = lh_arena_alloc(b->a, copy.v.str.len + 1);
        memcpy(bytes, copy.v.str.ptr, copy.v.str.len);
        copy.v.str.ptr = bytes;
    }
    *out = lh_expr_const(b->a, &copy, n->parts[n->count - 1].text);
    *found = true;
    return LH_OK;
}

/* v cast to type t (an assignment's ANSI cast) into *out. */
static lh_err cast_value(binder *b, const lh_value_t *v, lh_type_t t, lh_value_t *out)
{
    if (t.id == LH_TYPE_NULL || lh_type_equal(v->type, t)) {
        *out = *v;
        return LH_OK;
    }
    const lh_sql_conf_t *conf = lh_session_conf(b->env->session);
    lh_expr_t *e;
    LH_TRY(lh_expr_cast(b->a, lh_expr_const(b->a, v, "v"), t, false, conf, &e, b->eb));
    return lh_expr_fold(b->a, e, conf, out, b->eb);
}

typedef struct one_row {
    binder *b;
    int cols, rows;
    lh_value_t *vals;
} one_row;

static lh_err take_row(void *ctx, const lh_batch_t *batch, lh_errbuf *eb)
{
    one_row *r = ctx;
    for (size_t i = 0; i < batch->row_count; i++) {
        if (++r->rows > 1)
            return lh_sqlerr(eb, "ROW_SUBQUERY_TOO_MANY_ROWS", NULL);
        for (int c = 0; c < r->cols; c++) {
            lh_value_t *v = &r->vals[c];
            lh_vec_get_value(batch->cols[c], i, v);
            if (!v->is_null && lh_type_is_bytes(v->type)) {
                uint8_t *copy = lh_arena_alloc(r->b->a, v->v.str.len + 1);
                memcpy(copy, v->v.str.ptr, v->v.str.len);
                v->v.str.ptr = copy;
            }
        }
    }
    return LH_OK;
}

/* The plan's only row (*got false when it has none; ROW_SUBQUERY_TOO_MANY_ROWS past one). */
static lh_err single_row(binder *b, lh_plan_t *plan, lh_value_t **row, bool *got)
{
    one_row r = {b, plan->col_count, 0, NULL};
    r.vals = lh_arena_calloc(b->a, (size_t)plan->col_count + 1, sizeof *r.vals);
    lh_exec_opts_t o = {NULL, lh_session_conf(b->env->session), LH_QUERY_MEMORY_DEFAULT, NULL, 0};
    lh_exec_stats_t stats;
    LH_TRY(lh_exec_run(plan, &o, take_row, &r, &stats, b->eb));
    *row = r.vals;
    *got = r.rows == 1;
    return LH_OK;
}

/* The value of expr (bound over no columns), cast to type when type is not NULL. */
static lh_err eval(binder *b, const lh_ast_expr_t *ast, const lh_type_t *type, lh_value_t *out)
{
    scope none = {NULL, 0};
    ectx x = {&none, MODE_PRE, NULL, "SET VARIABLE"};
    lh_expr_t *e;
    LH_TRY(bx_expr(b, &x, ast, &e));
    const lh_sql_conf_t *conf = lh_session_conf(b->env->session);
    if (type != NULL && !lh_type_equal(e->type, *type))
        LH_TRY(lh_expr_cast(b->a, e, *type, false, conf, &e, b->eb));
    LH_FAIL_IF(!lh_expr_is_foldable(e), LH_E_UNSUPPORTED, b->eb,
               "a variable's value must not depend on a row");
    return lh_expr_fold(b->a, e, conf, out, b->eb);
}

static lh_err unresolved_var(binder *b, const lh_ast_name_t *n)
{
    char buf[512] = "";
    for (int i = 0; i < n->count; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, sizeof buf - l, "%s`%s`", i ? "." : "", n->parts[i].text);
    }
    return lh_sqlerr(b->eb, "UNRESOLVED_VARIABLE", "variableName", lh_arena_strdup(b->a, buf),
                     "searchPath", "`system`.`session`", NULL);
}

lh_err bv_run_declare(binder *b, const lh_ast_stmt_t *st)
{
    const char *name = var_name(&st->name);
    if (name == NULL)
        return unresolved_var(b, &st->name);
    lh_type_t t = {LH_TYPE_NULL}, *tp = NULL;
    if (st->var_type != NULL) {
        LH_TRY(lh_bind_type(st->var_type, &t, b->eb));
        tp = &t;
    }
    lh_value_t v = {.type = t, .is_null = true};
    if (st->var_default != NULL)
        LH_TRY(eval(b, st->var_default, tp, &v));
    if (tp != NULL)
        v.type = t;
    const lh_ast_span_t sp = st->var_default ? st->var_default->span : (lh_ast_span_t){0, 0};
    const char *text =
        st->var_default ? lh_arena_strndup(b->a, b->sql + sp.start, sp.stop - sp.start) : NULL;
    return lh_session_declare_var(b->env->session, name, &v, text, st->or_replace, b->eb);
}

/* The value of the DECLARE's default of variable name, cast to its type. */
static lh_err default_value(binder *b, const char *name, lh_type_t t, lh_value_t *out)
{
    const char *text = lh_session_var_default(b->env->session, name);
    text = text ? text : "NULL";
    lh_ast_expr_t *ast;
    LH_TRY(lh_sql_parse_expr(text, strlen(text), b->a, &ast, b->eb));
    const char *saved = b->sql;
    b->sql = text;
    lh_err e = eval(b, ast, &t, out);
    b->sql = saved;
    return e;
}

/* The variables names[0..n) (each once; UNRESOLVED_VARIABLE for one that is not): their
 * names into names_out, their types into vals[i].type. */
static lh_err resolve_vars(binder *b, const lh_ast_name_t *names, int n, const char **names_out,
                           lh_value_t *vals)
{
    for (int i = 0; i < n; i++) {
        names_out[i] = var_name(&names[i]);
        const lh_value_t *cur =
            names_out[i] ? lh_session_get_var(b->env->session, names_out[i]) : NULL;
        if (cur == NULL)
            return unresolved_var(b, &names[i]);
        for (int k = 0; k < i; k++)
            if (strcasecmp(names_out[k], names_out[i]) == 0)
                return lh_sqlerr(b->eb, "DUPLICATE_ASSIGNMENTS", "nameList",
                                 lh_arena_sprintf(b->a, "`%s`", names_out[i]), NULL);
        vals[i].type = cur->type;
    }
    return LH_OK;
}

lh_err bv_run_set(binder *b, const lh_ast_stmt_t *st)
{
    lh_session_t *s = b->env->session;
    lh_value_t *vals = lh_arena_calloc(b->a, (size_t)st->var_count + 1, sizeof *vals);
    const char **names = lh_arena_calloc(b->a, (size_t)st->var_count + 1, sizeof *names);
    LH_TRY(resolve_vars(b, st->var_names, st->var_count, names, vals));
    if (st->query != NULL) { /* SET VAR (a, b) = (query): at most one row; none: NULLs */
        lh_plan_t *plan;
        LH_TRY(bq_query(b, st->query, &plan));
        if (plan->col_count != st->var_count)
            return lh_sqlerr(b->eb, "ASSIGNMENT_ARITY_MISMATCH", "numTarget",
                             lh_arena_sprintf(b->a, "%d", st->var_count), "numExpr",
                             lh_arena_sprintf(b->a, "%d", plan->col_count), NULL);
        lh_value_t *row;
        bool got;
        LH_TRY(single_row(b, plan, &row, &got));
        for (int i = 0; i < st->var_count; i++) {
            lh_value_t v = got ? row[i] : (lh_value_t){.type = plan->col_types[i], .is_null = true};
            LH_TRY(cast_value(b, &v, vals[i].type, &vals[i]));
        }
    } else {
        for (int i = 0; i < st->var_count; i++) {
            lh_type_t t = vals[i].type;
            if (st->var_values[i] != NULL)
                LH_TRY(eval(b, st->var_values[i], t.id == LH_TYPE_NULL ? NULL : &t, &vals[i]));
            else
                LH_TRY(default_value(b, names[i], t, &vals[i]));
            if (t.id != LH_TYPE_NULL)
                vals[i].type = t;
        }
    }
    for (int i = 0; i < st->var_count; i++)
        lh_session_set_var(s, names[i], &vals[i]);
    return LH_OK;
}

lh_err lh_bind_assign_vars(const lh_bind_env_t *env, const lh_ast_name_t *names, int n,
                           const lh_value_t *vals, lh_errbuf *eb)
{
    binder b = {env, env->arena, eb, env->sql, NULL, 0};
    lh_value_t *cast = lh_arena_calloc(b.a, (size_t)n + 1, sizeof *cast);
    const char **vn = lh_arena_calloc(b.a, (size_t)n + 1, sizeof *vn);
    LH_TRY(resolve_vars(&b, names, n, vn, cast));
    for (int i = 0; i < n; i++) {
        lh_type_t t = cast[i].type;
        LH_TRY(cast_value(&b, &vals[i], t, &cast[i]));
        if (t.id != LH_TYPE_NULL)
            cast[i].type = t;
    }
    for (int i = 0; i < n; i++)
        lh_session_set_var(env->session, vn[i], &cast[i]);
    return LH_OK;
}

lh_err lh_bind_execute_immediate(const lh_bind_env_t *env, const lh_ast_stmt_t *st,
                                 lh_exec_immediate_t *out, lh_errbuf *eb)
{
    binder b = {env, env->arena, eb, env->sql, NULL, 0};
    lh_value_t v;
    LH_TRY(eval(&b, st->exec_sql, NULL, &v));
    char tb[64];
    if (v.type.id != LH_TYPE_STRING && v.type.id != LH_TYPE_NULL)
        return lh_sqlerr(eb, "INVALID_EXPR_TYPE_FOR_QUERY_EXECUTE_IMMEDIATE", "exprType",
                         lh_arena_sprintf(b.a, "\"%s\"", lh_format_type_sql(v.type, tb, sizeof tb)),
                         NULL);
    if (v.is_null)
        return lh_sqlerr(eb, "NULL_QUERY_STRING_EXECUTE_IMMEDIATE", "varName",
                         lh_arena_sprintf(b.a, "\"%s\"", bx_name(&b, st->exec_sql)), NULL);
    out->sql = lh_arena_strndup(b.a, (const char *)v.v.str.ptr, v.v.str.len);
    int n = st->exec_args.count;
    out->arg_count = n;
    out->names = lh_arena_calloc(b.a, (size_t)n + 1, sizeof *out->names);
    out->values = lh_arena_calloc(b.a, (size_t)n + 1, sizeof *out->values);
    for (int i = 0; i < n; i++) {
        const lh_ast_named_expr_t *it = &st->exec_args.items[i];
        LH_TRY(eval(&b, it->expr, NULL, &out->values[i]));
        if (it->alias != NULL)
            out->names[i] = it->alias->text;
        else if (it->expr->kind == LH_EX_COLUMN)
            out->names[i] = it->expr->name.parts[it->expr->name.count - 1].text;
    }
    return LH_OK;
}

lh_err bv_run_drop(binder *b, const lh_ast_stmt_t *st)
{
    const char *name = var_name(&st->name);
    if (name != NULL && lh_session_drop_var(b->env->session, name))
        return LH_OK;
    if (st->if_exists)
        return LH_OK;
    return lh_sqlerr(b->eb, "VARIABLE_NOT_FOUND", "variableName",
                     name ? lh_session_var_sql_name(name) : "?", NULL);
}

lh_err bv_identifier(binder *b, const ectx *where, const lh_ast_expr_t *call, lh_ast_name_t *out)
{
    if (call->args.count != 1)
        return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName", "`identifier`",
                         "expectedNum", "1", "actualNum",
                         lh_arena_sprintf(b->a, "%d", call->args.count), "docroot",
                         "https://spark.apache.org/docs/latest", NULL);
    scope none = {NULL, 0};
    ectx x = {&none, MODE_PRE, NULL, "IDENTIFIER"};
    lh_expr_t *e; /* bound where it stands, so a column is NOT_CONSTANT, not unresolved */
    LH_TRY(bx_expr(b, where ? where : &x, call->args.items[0], &e));
    const char *sql = lh_arena_sprintf(b->a, "\"%s\"", bx_name(b, call->args.items[0]));
    if (!lh_expr_is_foldable(e))
        return lh_sqlerr(b->eb, "NOT_A_CONSTANT_STRING.NOT_CONSTANT", "name", "IDENTIFIER", "expr",
                         sql, NULL);
    if (e->type.id != LH_TYPE_STRING)
        return lh_sqlerr(b->eb, "NOT_A_CONSTANT_STRING.WRONG_TYPE", "name", "IDENTIFIER", "expr",
                         sql, "dataType", "\"STRING\"", NULL);
    lh_value_t v;
    LH_TRY(lh_expr_fold(b->a, e, lh_session_conf(b->env->session), &v, b->eb));
    if (v.is_null)
        return lh_sqlerr(b->eb, "NOT_A_CONSTANT_STRING.NULL", "name", "IDENTIFIER", "expr", sql,
                         NULL);
    const char *text = lh_arena_strndup(b->a, (const char *)v.v.str.ptr, v.v.str.len);
    lh_ast_expr_t *ast;
    LH_TRY(lh_sql_parse_expr(text, strlen(text), b->a, &ast, b->eb));
    if (ast->kind != LH_EX_COLUMN)
        return lh_sqlerr(b->eb, "INVALID_SQL_SYNTAX.INVALID_IDENTIFIER", "ident",
                         lh_arena_sprintf(b->a, "`%s`", text), NULL);
    *out = ast->name;
    return LH_OK;
}
