/*
 * bind_udf.c - SQL scalar functions: CREATE [OR REPLACE] [TEMPORARY] FUNCTION .. RETURN
 * expr, DROP FUNCTION, DESCRIBE FUNCTION [EXTENDED], SHOW [USER|SYSTEM|ALL] FUNCTIONS, and
 * calls.
 *
 * Where a function lives: temporary ones in the session (their CREATE text, parsed again
 * at each call), persistent ones in Unity Catalog through the resolver (FunctionInfo:
 * parameters with type text and DEFAULT text, the RETURNS type, the body text). Both
 * become one lh_function_info_t, and a call binds from that alone.
 *
 * A call is inlined, so the optimizer sees through it:
 *   1. the arguments (positional, then `name => value`) bind in the caller's context and
 *      are cast to the parameters' types (Spark's implicit cast); a missing argument takes
 *      its parameter's DEFAULT (bound with no columns in scope);
 *   2. the body binds with the parameters as its only columns (named `p` or `fn.p`);
 *   3. every reference to parameter k in the bound body is replaced by a copy of argument
 *      k, and the result is cast to the RETURNS type.
 * The functions being expanded form a stack on the binder; a call to one already on it is
 * CYCLIC_FUNCTION_REFERENCE (a function cannot call itself, directly or not).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/nested.h"
#include "compute/bind/bind_internal.h"
#include "compute/sql/parser.h"

/* One function being expanded (a stack through the binders of nested bodies). */
typedef struct udf_frame {
    const char *full_name;
    const struct udf_frame *up;
} udf_frame;

#define UDF_DEPTH_MAX 32

/* ---- text helpers ---------------------------------------------------------------------------- */

static const char *span_of(binder *b, const char *text, lh_ast_span_t sp)
{
    if (text == NULL || sp.stop <= sp.start || sp.stop > strlen(text))
        return NULL;
    return lh_arena_strndup(b->a, text + sp.start, sp.stop - sp.start);
}

static const char *type_text(binder *b, lh_type_t t)
{
    char buf[256];
    return lh_arena_strdup(b->a, lh_type_catalog_string(t, buf, sizeof buf));
}

static lh_err parse_type(binder *b, const char *text, lh_type_t *out)
{
    lh_ast_type_t *t;
    LH_TRY(lh_sql_parse_type(text, strlen(text), b->a, &t, b->eb));
    return lh_bind_type(t, out, b->eb);
}

/* Spark's SHOW ... LIKE pattern: '*' any characters, '|' alternatives, case-insensitive. */
static bool glob(const char *p, const char *pe, const char *s)
{
    for (; p < pe; p++, s++) {
        if (*p == '*') {
            for (const char *t = s;; t++) {
                if (glob(p + 1, pe, t))
                    return true;
                if (*t == '\0')
                    return false;
            }
        }
        if (*s == '\0' || (*p | 32) != (*s | 32))
            return false;
    }
    return *s == '\0';
}

bool bud_pattern_match(const char *pattern, const char *name)
{
    if (pattern == NULL)
        return true;
    for (const char *p = pattern;;) {
        const char *bar = strchr(p, '|');
        const char *end = bar ? bar : p + strlen(p);
        while (p < end && *p == ' ')
            p++;
        const char *e = end;
        while (e > p && e[-1] == ' ')
            e--;
        if (glob(p, e, name))
            return true;
        if (bar == NULL)
            return false;
        p = bar + 1;
    }
}

/* ---- definitions ----------------------------------------------------------------------------- */

/* A definition from a parsed CREATE FUNCTION (text: the statement's text). */
static lh_err def_from_ast(binder *b, const char *text, const lh_ast_create_function_t *f,
                           const char *catalog, const char *schema, const char *name,
                           lh_function_info_t **out)
{
    if (f->returns_table_written || f->returns_table_count > 0)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "SQL table functions (RETURNS TABLE)", NULL);
    if ((f->language != NULL && strcasecmp(f->language, "SQL") != 0) || f->as_text != NULL ||
        (f->ret == NULL && f->ret_query == NULL))
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "functions in languages other than SQL", NULL);
    lh_function_info_t *d = lh_arena_calloc(b->a, 1, sizeof *d);
    d->catalog = catalog;
    d->schema = schema;
    d->name = name;
    d->full_name = catalog ? lh_arena_sprintf(b->a, "%s.%s.%s", catalog, schema, name) : name;
    lh_function_param_t *ps = lh_arena_calloc(b->a, (size_t)f->param_count + 1, sizeof *ps);
    bool defaults = false;
    for (int i = 0; i < f->param_count; i++) {
        const lh_ast_func_param_t *p = &f->params[i];
        lh_type_t t;
        LH_TRY(lh_bind_type(p->type, &t, b->eb));
        for (int k = 0; k < i; k++)
            if (strcasecmp(ps[k].name, p->name.text) == 0)
                return lh_sqlerr(b->eb, "DUPLICATE_ROUTINE_PARAMETER_NAMES", "routineName",
                                 lh_arena_sprintf(b->a, "`%s`", name), "names",
                                 lh_arena_sprintf(b->a, "`%s`", p->name.text), NULL);
        ps[i].name = bf_lower(b, p->name.text);
        ps[i].type_text = type_text(b, t);
        ps[i].default_text = p->default_ ? span_of(b, text, p->default_->span) : NULL;
        ps[i].comment = p->comment;
        if (defaults && p->default_ == NULL)
            return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                             "a parameter without DEFAULT after one with DEFAULT", NULL);
        defaults |= p->default_ != NULL;
    }
    d->params = ps;
    d->param_count = f->param_count;
    if (f->returns != NULL) {
        lh_type_t t;
        LH_TRY(lh_bind_type(f->returns, &t, b->eb));
        d->data_type = type_text(b, t);
    }
    d->routine_definition = f->body_text;
    if (d->routine_definition == NULL) {
        const lh_ast_span_t sp = f->ret ? f->ret->span : f->ret_query->span;
        d->routine_definition = span_of(b, text, sp);
    }
    d->comment = f->comment;
    d->is_deterministic = !f->not_deterministic;
    d->sql_data_access = f->reads_sql_data_written ? "READS_SQL_DATA" : "CONTAINS_SQL";
    d->owner = b->env->user;
    *out = d;
    return LH_OK;
}

/* A temporary function's definition from its stored CREATE text. */
static lh_err temp_def(binder *b, const char *name, const char *sql, lh_function_info_t **out)
{
    lh_ast_stmt_list_t *list;
    LH_TRY(lh_sql_parse(sql, strlen(sql), b->a, &list, b->eb));
    LH_ASSERT(list->count == 1 && list->items[0]->kind == LH_ST_CREATE_FUNCTION);
    return def_from_ast(b, sql, list->items[0]->func, NULL, NULL, name, out);
}

/* The definition a name calls: a temporary function (one part), else the catalog's.
 * *found false when neither has it. */
static lh_err lookup(binder *b, const lh_ast_name_t *n, lh_function_info_t **out, bool *found)
{
    *found = false;
    const lh_session_t *s = b->env->session;
    const char *leaf = bf_lower(b, n->parts[n->count - 1].text);
    if (n->count == 1) {
        const char *sql = lh_session_get_function(s, leaf);
        if (sql != NULL) {
            *found = true;
            return temp_def(b, leaf, sql, out);
        }
    }
    if (n->count > 3)
        return LH_OK;
    const char *cat = n->count == 3 ? bf_lower(b, n->parts[0].text) : lh_session_catalog(s);
    const char *sch =
        n->count >= 2 ? bf_lower(b, n->parts[n->count - 2].text) : lh_session_schema(s);
    const lh_resolver_t *r = b->env->resolver;
    if (r == NULL || r->get_function == NULL)
        return LH_OK;
    lh_errbuf quiet;
    lh_errbuf_clear(&quiet);
    lh_err e = r->get_function(r->ctx, cat, sch, leaf, b->a, out, &quiet);
    if (e == LH_E_NOT_FOUND)
        return LH_OK; /* the caller says UNRESOLVED_ROUTINE */
    if (e != LH_OK) {
        *b->eb = quiet;
        return e;
    }
    *found = true;
    return LH_OK;
}

/* ---- binding a body ------------------------------------------------------------------------- */

/* The parameters as the columns of a scope (column k = parameter k). */
static lh_err param_scope(binder *b, const lh_function_info_t *d, lh_type_t *types, scope *sc)
{
    sc->count = d->param_count;
    sc->cols = lh_arena_calloc(b->a, (size_t)d->param_count + 1, sizeof *sc->cols);
    for (int i = 0; i < d->param_count; i++) {
        LH_TRY(parse_type(b, d->params[i].type_text, &types[i]));
        sc->cols[i] = (bcol){d->params[i].name, {d->name, NULL, NULL}, i, types[i], true, false};
    }
    return LH_OK;
}

static lh_err push_frame(binder *b, const lh_function_info_t *d, udf_frame *f)
{
    int depth = 0;
    const char *path = d->full_name;
    bool cycle = false;
    for (const udf_frame *u = b->udf; u != NULL; u = u->up, depth++) {
        path = lh_arena_sprintf(b->a, "%s -> %s", u->full_name, path);
        cycle |= strcasecmp(u->full_name, d->full_name) == 0;
    }
    if (cycle || depth >= UDF_DEPTH_MAX)
        return lh_sqlerr(b->eb, "CYCLIC_FUNCTION_REFERENCE", "path", path, NULL);
    *f = (udf_frame){d->full_name, b->udf};
    return LH_OK;
}

/* The body bound over the parameters (columns 0..n-1), cast to the RETURNS type. */
static lh_err bind_body(binder *b, const lh_function_info_t *d, const lh_type_t *types,
                        const scope *sc, lh_expr_t **out)
{
    (void)types;
    const char *text = d->routine_definition ? d->routine_definition : "NULL";
    lh_ast_expr_t *ast;
    lh_errbuf first;
    lh_errbuf_clear(&first);
    if (lh_sql_parse_expr(text, strlen(text), b->a, &ast, &first) != LH_OK) {
        /* RETURN SELECT ...: a scalar subquery */
        text = lh_arena_sprintf(b->a, "(%s)", text);
        if (lh_sql_parse_expr(text, strlen(text), b->a, &ast, b->eb) != LH_OK) {
            *b->eb = first;
            return LH_E_INVALID;
        }
    }
    udf_frame f;
    LH_TRY(push_frame(b, d, &f));
    binder inner = *b;
    inner.sql = text;
    inner.ctes = NULL;
    inner.corr = NULL;
    inner.types = NULL;
    inner.udf = &f;
    ectx x = {sc, MODE_PRE, NULL, "function body", NULL, NULL};
    lh_expr_t *e;
    LH_TRY(bx_expr(&inner, &x, ast, &e));
    if (d->data_type != NULL) {
        lh_type_t rt;
        LH_TRY(parse_type(b, d->data_type, &rt));
        LH_TRY(lh_expr_cast(b->a, e, rt, false, lh_session_conf(b->env->session), &e, b->eb));
    }
    *out = e;
    return LH_OK;
}

static lh_expr_t *copy_tree(lh_arena_t *a, const lh_expr_t *e)
{
    lh_expr_t *c = lh_arena_alloc(a, sizeof *c);
    *c = *e;
    if (e->arg_count > 0) {
        c->args = lh_arena_calloc(a, (size_t)e->arg_count + 1, sizeof *c->args);
        for (int i = 0; i < e->arg_count; i++)
            c->args[i] = e->args[i] ? copy_tree(a, e->args[i]) : NULL;
    }
    return c;
}

/* Parameter references (columns 0..n-1) in the bound body -> copies of the arguments. */
static lh_expr_t *substitute(lh_arena_t *a, lh_expr_t *e, int n, lh_expr_t *const *args)
{
    if (e->kind == LH_EXPR_COLUMN && e->column >= 0 && e->column < n)
        return copy_tree(a, args[e->column]);
    for (int i = 0; i < e->arg_count; i++)
        if (e->args[i] != NULL)
            e->args[i] = substitute(a, e->args[i], n, args);
    return e;
}

/* A DEFAULT expression of parameter i (no columns in scope), cast to its type. */
static lh_err bind_default(binder *b, const lh_function_param_t *p, lh_type_t t, lh_expr_t **out)
{
    lh_ast_expr_t *ast;
    LH_TRY(lh_sql_parse_expr(p->default_text, strlen(p->default_text), b->a, &ast, b->eb));
    binder inner = *b;
    inner.sql = p->default_text;
    inner.corr = NULL;
    inner.types = NULL;
    static const scope none = {NULL, 0};
    ectx x = {&none, MODE_PRE, NULL, "DEFAULT", NULL, NULL};
    LH_TRY(bx_expr(&inner, &x, ast, out));
    return lh_expr_cast(b->a, *out, t, false, lh_session_conf(b->env->session), out, b->eb);
}

static lh_err wrong_args(binder *b, const lh_function_info_t *d, int given)
{
    int required = 0;
    while (required < d->param_count && d->params[required].default_text == NULL)
        required++;
    const char *expected = required == d->param_count
                               ? lh_arena_sprintf(b->a, "%d", required)
                               : lh_arena_sprintf(b->a, "[%d, %d]", required, d->param_count);
    return lh_sqlerr(b->eb, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", "functionName",
                     lh_arena_sprintf(b->a, "`%s`", d->full_name), "expectedNum", expected,
                     "actualNum", lh_arena_sprintf(b->a, "%d", given), "docroot",
                     "https://spark.apache.org/docs/latest", NULL);
}

/* The arguments of call e in parameter order (named ones by name, the rest defaults). */
static lh_err bind_call_args(binder *b, const ectx *x, const lh_ast_expr_t *e,
                             const lh_function_info_t *d, const lh_type_t *types, lh_expr_t **args)
{
    int n = d->param_count;
    if (e->args.count > n)
        return wrong_args(b, d, e->args.count);
    for (int i = 0; i < e->args.count; i++) {
        const lh_ast_expr_t *a = e->args.items[i];
        int k = i;
        if (a->kind == LH_EX_NAMED_ARG) {
            k = -1;
            for (int j = 0; j < n; j++)
                if (strcasecmp(d->params[j].name, a->ident.text) == 0)
                    k = j;
            if (k < 0 || args[k] != NULL)
                return lh_sqlerr(
                    b->eb,
                    k < 0
                        ? "UNRECOGNIZED_PARAMETER_NAME"
                        : "DUPLICATE_ROUTINE_PARAMETER_ASSIGNMENT.DOUBLE_NAMED_ARGUMENT_REFERENCE",
                    "routineName", lh_arena_sprintf(b->a, "`%s`", d->full_name), "argumentName",
                    lh_arena_sprintf(b->a, "`%s`", a->ident.text), "proposals", "", "parameterName",
                    lh_arena_sprintf(b->a, "`%s`", a->ident.text), NULL);
            a = a->args.items[0];
        }
        LH_TRY(bx_expr(b, x, a, &args[k]));
        LH_TRY(lh_expr_cast(b->a, args[k], types[k], false, lh_session_conf(b->env->session),
                            &args[k], b->eb));
    }
    for (int k = 0; k < n; k++) {
        if (args[k] != NULL)
            continue;
        if (d->params[k].default_text == NULL)
            return wrong_args(b, d, e->args.count);
        LH_TRY(bind_default(b, &d->params[k], types[k], &args[k]));
    }
    return LH_OK;
}

lh_err bud_call(binder *b, const ectx *x, const lh_ast_expr_t *e, bool *found, lh_expr_t **out)
{
    lh_function_info_t *d;
    LH_TRY(lookup(b, &e->name, &d, found));
    if (!*found)
        return LH_OK;
    if (e->u.func.distinct || e->u.func.star || e->u.func.over || e->u.func.over_name ||
        e->u.func.filter)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "DISTINCT, *, FILTER or OVER on a SQL function", NULL);
    int n = d->param_count;
    lh_type_t *types = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *types);
    scope sc;
    LH_TRY(param_scope(b, d, types, &sc));
    lh_expr_t **args = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *args);
    LH_TRY(bind_call_args(b, x, e, d, types, args));
    lh_expr_t *body;
    LH_TRY(bind_body(b, d, types, &sc, &body));
    body = substitute(b->a, body, n, args);
    body->name = bx_name(b, e);
    *out = body;
    return LH_OK;
}

/* ---- CREATE / DROP ------------------------------------------------------------------------- */

lh_err bud_run_create(binder *b, const lh_ast_stmt_t *st)
{
    const lh_ast_name_t *n = &st->func->name;
    const lh_session_t *s = b->env->session;
    const char *name = bf_lower(b, n->parts[n->count - 1].text);
    if (st->temporary && n->count > 1)
        return lh_sqlerr(b->eb, "INVALID_SQL_SYNTAX.CREATE_TEMP_FUNC_WITH_DATABASE", "database",
                         lh_arena_sprintf(b->a, "`%s`", n->parts[n->count - 2].text), NULL);
    if (n->count > 3)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "a function name of more than three parts", NULL);
    const char *cat = st->temporary   ? NULL
                      : n->count == 3 ? bf_lower(b, n->parts[0].text)
                                      : lh_session_catalog(s);
    const char *sch = st->temporary   ? NULL
                      : n->count >= 2 ? bf_lower(b, n->parts[n->count - 2].text)
                                      : lh_session_schema(s);
    lh_function_info_t *d;
    LH_TRY(def_from_ast(b, b->sql, st->func, cat, sch, name, &d));
    /* the body must bind over the parameters (and gives the type when RETURNS is absent) */
    lh_type_t *types = lh_arena_calloc(b->a, (size_t)d->param_count + 1, sizeof *types);
    scope sc;
    LH_TRY(param_scope(b, d, types, &sc));
    lh_expr_t *body;
    LH_TRY(bind_body(b, d, types, &sc, &body));
    if (d->data_type == NULL)
        d->data_type = type_text(b, body->type);
    for (int i = 0; i < d->param_count; i++) {
        lh_expr_t *dv;
        if (d->params[i].default_text != NULL)
            LH_TRY(bind_default(b, &d->params[i], types[i], &dv));
    }
    if (st->temporary) {
        if (st->if_not_exists && lh_session_get_function(s, name) != NULL)
            return LH_OK;
        const char *text = bd_span_text(b, st->span);
        return lh_session_put_function(b->env->session, name, text, st->or_replace, b->eb);
    }
    const lh_resolver_t *r = b->env->resolver;
    lh_err e =
        r->create_function(r->ctx, b->env->user, d, st->if_not_exists, st->or_replace, b->eb);
    if (e == LH_E_EXISTS)
        return lh_sqlerr(b->eb, "ROUTINE_ALREADY_EXISTS", "newRoutineType", "routine",
                         "routineName", lh_arena_sprintf(b->a, "`%s`.`%s`.`%s`", cat, sch, name),
                         "existingRoutineType", "routine", NULL);
    return e;
}

lh_err bud_run_drop(binder *b, const lh_ast_stmt_t *st)
{
    const lh_ast_name_t *n = &st->name;
    lh_session_t *s = b->env->session;
    const char *name = bf_lower(b, n->parts[n->count - 1].text);
    if (n->count == 1 && lh_session_drop_function(s, name))
        return LH_OK;
    if (st->temporary) {
        if (st->if_exists)
            return LH_OK;
        return lh_sqlerr(b->eb, "ROUTINE_NOT_FOUND", "routineName",
                         lh_arena_sprintf(b->a, "`%s`", name), NULL);
    }
    if (n->count > 3)
        return lh_sqlerr(b->eb, "UNSUPPORTED_FEATURE.NOT_YET", "message",
                         "a function name of more than three parts", NULL);
    const char *cat = n->count == 3 ? bf_lower(b, n->parts[0].text) : lh_session_catalog(s);
    const char *sch =
        n->count >= 2 ? bf_lower(b, n->parts[n->count - 2].text) : lh_session_schema(s);
    const lh_resolver_t *r = b->env->resolver;
    lh_err e = r->drop_function(r->ctx, cat, sch, name, st->if_exists, b->eb);
    if (e == LH_E_NOT_FOUND && st->if_exists)
        return LH_OK;
    if (e == LH_E_NOT_FOUND && b->eb->error_code != NULL &&
        strcmp(b->eb->error_code, "ROUTINE_NOT_FOUND") == 0)
        return lh_sqlerr(b->eb, "ROUTINE_NOT_FOUND", "routineName",
                         lh_arena_sprintf(b->a, "`%s`.`%s`.`%s`", cat, sch, name), NULL);
    return e;
}

/* ---- SHOW FUNCTIONS / DESCRIBE FUNCTION ---------------------------------------------------- */

static lh_err one_column(binder *b, const char *col, const char *type, const char **items, int n,
                         lh_bound_t **out)
{
    lh_value_t **rows = lh_arena_calloc(b->a, (size_t)n + 1, sizeof *rows);
    for (int i = 0; i < n; i++) {
        rows[i] = lh_arena_calloc(b->a, 1, sizeof **rows);
        rows[i][0] = lh_value_text(items[i]);
    }
    const lh_type_t t = {LH_TYPE_STRING};
    lh_bound_t *r = lh_arena_calloc(b->a, 1, sizeof *r);
    r->kind = LH_BOUND_QUERY;
    r->statement_type = type;
    LH_TRY(bs_values_plan(b, 1, &col, &t, n, rows, &r->plan));
    *out = r;
    return LH_OK;
}

/* Builtins the binder resolves itself (not rows of the function or aggregate registries),
 * with the kind DESCRIBE FUNCTION shows: conditional forms, session facts, window and
 * table-valued functions, generators, higher-order functions. */
static const struct {
    const char *name, *type;
} BINDER_BUILTINS[] = {
    {"aggregate", "SCALAR"},
    {"coalesce", "SCALAR"},
    {"cume_dist", "WINDOW"},
    {"current_catalog", "SCALAR"},
    {"current_database", "SCALAR"},
    {"current_schema", "SCALAR"},
    {"current_user", "SCALAR"},
    {"dense_rank", "WINDOW"},
    {"exists", "SCALAR"},
    {"explode", "GENERATOR"},
    {"explode_outer", "GENERATOR"},
    {"filter", "SCALAR"},
    {"forall", "SCALAR"},
    {"grouping", "SCALAR"},
    {"grouping_id", "SCALAR"},
    {"if", "SCALAR"},
    {"iff", "SCALAR"},
    {"ifnull", "SCALAR"},
    {"inline", "GENERATOR"},
    {"inline_outer", "GENERATOR"},
    {"json_tuple", "GENERATOR"},
    {"lag", "WINDOW"},
    {"lead", "WINDOW"},
    {"map_filter", "SCALAR"},
    {"map_zip_with", "SCALAR"},
    {"nth_value", "WINDOW"},
    {"ntile", "WINDOW"},
    {"nullif", "SCALAR"},
    {"nullifzero", "SCALAR"},
    {"nvl", "SCALAR"},
    {"nvl2", "SCALAR"},
    {"percent_rank", "WINDOW"},
    {"posexplode", "GENERATOR"},
    {"posexplode_outer", "GENERATOR"},
    {"range", "TABLE"},
    {"rank", "WINDOW"},
    {"read_files", "TABLE"},
    {"reduce", "SCALAR"},
    {"row_number", "WINDOW"},
    {"session_user", "SCALAR"},
    {"stack", "GENERATOR"},
    {"struct", "SCALAR"},
    {"timediff", "SCALAR"},
    {"transform", "SCALAR"},
    {"transform_keys", "SCALAR"},
    {"transform_values", "SCALAR"},
    {"user", "SCALAR"},
    {"zeroifnull", "SCALAR"},
    {"zip_with", "SCALAR"},
};
#define BINDER_BUILTIN_COUNT (int)(sizeof BINDER_BUILTINS / sizeof BINDER_BUILTINS[0])

/* The kind of a builtin the binder resolves itself, or NULL. */
static const char *binder_builtin(const char *fn)
{
    for (int i = 0; i < BINDER_BUILTIN_COUNT; i++)
        if (strcmp(BINDER_BUILTINS[i].name, fn) == 0)
            return BINDER_BUILTINS[i].type;
    return NULL;
}

/* Registry rows that are operators' internal names, not functions Spark lists. */
static bool internal_name(const char *n)
{
    static const char *const NAMES[] = {"add",
                                        "divide",
                                        "equal",
                                        "greater_than",
                                        "greater_than_or_equal",
                                        "less_than",
                                        "less_than_or_equal",
                                        "multiply",
                                        "not_equal",
                                        "remainder",
                                        "subtract"};
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (strcmp(n, NAMES[i]) == 0)
            return true;
    return false;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

lh_err bud_show(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    const char *which = st->key ? st->key : "ALL";
    bool user = strcmp(which, "SYSTEM") != 0, system = strcmp(which, "USER") != 0;
    const lh_session_t *s = b->env->session;
    int fn_count = 0;
    const lh_func_t *fns = lh_func_all(&fn_count);
    int cap = fn_count + lh_agg_count() + BINDER_BUILTIN_COUNT + 64;
    const char **names = NULL;
    int n = 0;
    const char **temps = NULL, **persist = NULL;
    int tn = 0, pn = 0;
    if (user) {
        tn = lh_session_function_names(s, NULL, 0);
        temps = lh_arena_calloc(b->a, (size_t)tn + 1, sizeof *temps);
        lh_session_function_names(s, temps, tn);
        const lh_resolver_t *r = b->env->resolver;
        const char *cat =
            st->name.count == 2 ? bf_lower(b, st->name.parts[0].text) : lh_session_catalog(s);
        const char *sch = st->name.count ? bf_lower(b, st->name.parts[st->name.count - 1].text)
                                         : lh_session_schema(s);
        if (r != NULL && r->list_functions != NULL)
            LH_TRY(r->list_functions(r->ctx, cat, sch, b->a, &persist, &pn, b->eb));
        for (int i = 0; i < pn; i++)
            persist[i] = lh_arena_sprintf(b->a, "%s.%s.%s", cat, sch, persist[i]);
    }
    names = lh_arena_calloc(b->a, (size_t)(cap + tn + pn) + 1, sizeof *names);
    for (int i = 0; i < tn; i++)
        if (bud_pattern_match(st->pattern, temps[i]))
            names[n++] = temps[i];
    for (int i = 0; i < pn; i++)
        if (bud_pattern_match(st->pattern, strrchr(persist[i], '.') + 1))
            names[n++] = persist[i];
    if (system) {
        for (int i = 0; i < fn_count; i++)
            if (!internal_name(fns[i].name) && bud_pattern_match(st->pattern, fns[i].name))
                names[n++] = fns[i].name;
        for (int i = 0; i < lh_agg_count(); i++) {
            const char *an = lh_agg_row(i)->name;
            if (strchr(an, ' ') == NULL && lh_func_find(an) == NULL &&
                bud_pattern_match(st->pattern, an))
                names[n++] = an;
        }
        for (int i = 0; i < BINDER_BUILTIN_COUNT; i++)
            if (bud_pattern_match(st->pattern, BINDER_BUILTINS[i].name))
                names[n++] = BINDER_BUILTINS[i].name;
    }
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    int w = 0;
    for (int i = 0; i < n; i++)
        if (w == 0 || strcmp(names[w - 1], names[i]) != 0)
            names[w++] = names[i];
    return one_column(b, "function", "SHOW", names, w, out);
}

lh_err bud_check_exists(binder *b, const lh_ast_name_t *nm)
{
    lh_function_info_t *d = NULL;
    bool found = false;
    LH_TRY(lookup(b, nm, &d, &found));
    const char *fn = bf_lower(b, nm->parts[nm->count - 1].text);
    if (!found && (nm->count > 1 || (lh_func_find(fn) == NULL && lh_agg_find(fn) == NULL &&
                                     binder_builtin(fn) == NULL)))
        return lh_sqlerr(b->eb, "UNRESOLVED_ROUTINE", "routineName",
                         lh_arena_sprintf(b->a, "`%s`", fn), "searchPath",
                         "[`system`.`builtin`, `system`.`session`, `main`.`default`]", NULL);
    return LH_OK;
}

lh_err bud_describe(binder *b, const lh_ast_stmt_t *st, lh_bound_t **out)
{
    const lh_ast_name_t *nm = &st->name;
    lh_function_info_t *d = NULL;
    bool found = false;
    LH_TRY(lookup(b, nm, &d, &found));
    const char *lines[32];
    int n = 0;
    if (!found) {
        LH_TRY(bud_check_exists(b, nm));
        const char *fn = bf_lower(b, nm->parts[nm->count - 1].text);
        const lh_agg_func_t *af = lh_agg_find(fn);
        lines[n++] = lh_arena_sprintf(b->a, "Function: %s", fn);
        const char *kind = lh_func_find(fn) ? "SCALAR" : af ? "AGGREGATE" : binder_builtin(fn);
        lines[n++] = lh_arena_sprintf(b->a, "Type: %s", kind);
        lines[n++] = "Usage: N/A.";
        return one_column(b, "function_desc", "DESCRIBE", lines, n, out);
    }
    lines[n++] = lh_arena_sprintf(b->a, "Function:    %s", d->full_name);
    lines[n++] = "Type:        SCALAR";
    for (int i = 0; i < d->param_count && n < 24; i++) {
        const lh_function_param_t *p = &d->params[i];
        char up[128];
        snprintf(up, sizeof up, "%s", p->type_text);
        for (char *c = up; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        lines[n++] = lh_arena_sprintf(
            b->a, "%s%s %s%s%s%s%s", i == 0 ? "Input:       " : "             ", p->name, up,
            p->default_text ? " DEFAULT " : "", p->default_text ? p->default_text : "",
            p->comment ? " '" : "", p->comment ? p->comment : "");
        if (p->comment)
            lines[n - 1] = lh_arena_sprintf(b->a, "%s'", lines[n - 1]);
    }
    if (d->param_count == 0)
        lines[n++] = "Input:       ()";
    char rt[128];
    snprintf(rt, sizeof rt, "%s", d->data_type ? d->data_type : "?");
    for (char *c = rt; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    lines[n++] = lh_arena_sprintf(b->a, "Returns:     %s", rt);
    if (st->extended) {
        lines[n++] = lh_arena_sprintf(b->a, "Comment:     %s", d->comment ? d->comment : "");
        lines[n++] =
            lh_arena_sprintf(b->a, "Deterministic: %s", d->is_deterministic ? "true" : "false");
        lines[n++] = lh_arena_sprintf(b->a, "Data Access: %s",
                                      d->sql_data_access ? d->sql_data_access : "CONTAINS_SQL");
        if (d->owner != NULL && d->catalog != NULL)
            lines[n++] = lh_arena_sprintf(b->a, "Owner:       %s", d->owner);
        lines[n++] = lh_arena_sprintf(b->a, "Body:        %s", d->routine_definition);
    }
    return one_column(b, "function_desc", "DESCRIBE", lines, n, out);
}
