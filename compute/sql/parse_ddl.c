/*
 * parse_ddl.c - CREATE (CATALOG, SCHEMA/DATABASE, TABLE incl. CTAS and LIKE, VIEW,
 * FUNCTION), DROP, TRUNCATE, ALTER TABLE/VIEW, COMMENT ON.
 *
 * CREATE TABLE clauses (USING, OPTIONS, PARTITIONED BY, CLUSTER BY, LOCATION, COMMENT,
 * TBLPROPERTIES) are accepted in any order, each at most once, as Spark does. Expressions
 * stored as text (GENERATED ALWAYS AS, DEFAULT, CHECK) keep their source text beside the
 * parsed tree so the catalog can store and re-parse them.
 */
#include <strings.h>

#include "compute/sql/parser_internal.h"

static bool accept_kws(parser_t *p, const char *a, const char *b, const char *c)
{
    if (!lh_p_is_kw(p, 0, a) || (b && !lh_p_is_kw(p, 1, b)) || (c && !lh_p_is_kw(p, 2, c)))
        return false;
    p->pos += 1 + (b != NULL) + (c != NULL);
    return true;
}

static lh_err if_not_exists(parser_t *p, bool *out)
{
    *out = accept_kws(p, "IF", "NOT", "EXISTS");
    return LH_OK;
}

/* An expression and its source text. */
static lh_err expr_text(parser_t *p, lh_ast_expr_t **e, const char **text)
{
    uint32_t first = p->pos;
    LH_TRY(lh_p_expr(p, e));
    *text = lh_p_text(p, lh_p_span(p, first));
    return LH_OK;
}

static lh_err generated(parser_t *p, lh_ast_column_def_t *c)
{
    if (!lh_p_accept_kw(p, "ALWAYS")) {
        LH_TRY(lh_p_expect_kw(p, "BY"));
        LH_TRY(lh_p_expect_kw(p, "DEFAULT"));
        c->identity_by_default = true;
    }
    LH_TRY(lh_p_expect_kw(p, "AS"));
    if (lh_p_accept_kw(p, "IDENTITY")) {
        c->identity = true;
        if (!lh_p_accept_op(p, "("))
            return LH_OK;
        while (!lh_p_accept_op(p, ")")) {
            if (accept_kws(p, "START", "WITH", NULL))
                LH_TRY(lh_p_expr(p, &c->identity_start));
            else if (accept_kws(p, "INCREMENT", "BY", NULL))
                LH_TRY(lh_p_expr(p, &c->identity_step));
            else
                return lh_p_fail(p);
        }
        return LH_OK;
    }
    LH_TRY(lh_p_expect_op(p, "("));
    LH_TRY(expr_text(p, &c->generated, &c->generated_text));
    return lh_p_expect_op(p, ")");
}

lh_err lh_p_column_def(parser_t *p, lh_ast_column_def_t *c)
{
    uint32_t first = p->pos;
    memset(c, 0, sizeof *c);
    LH_TRY(lh_p_ident(p, &c->name));
    LH_TRY(lh_p_type(p, &c->type));
    for (;;) {
        if (accept_kws(p, "NOT", "NULL", NULL))
            c->not_null = true;
        else if (lh_p_accept_kw(p, "COMMENT"))
            LH_TRY(lh_p_string(p, &c->comment));
        else if (lh_p_accept_kw(p, "GENERATED"))
            LH_TRY(generated(p, c));
        else if (lh_p_accept_kw(p, "DEFAULT"))
            LH_TRY(expr_text(p, &c->default_, &c->default_text));
        else
            break;
    }
    c->span = lh_p_span(p, first);
    return LH_OK;
}

static bool starts_constraint(const parser_t *p)
{
    return lh_p_is_kw(p, 0, "CONSTRAINT") ||
           (lh_p_is_kw(p, 0, "PRIMARY") && lh_p_is_kw(p, 1, "KEY")) ||
           (lh_p_is_kw(p, 0, "FOREIGN") && lh_p_is_kw(p, 1, "KEY")) ||
           (lh_p_is_kw(p, 0, "CHECK") && lh_p_is_op(p, 1, "(")) ||
           (lh_p_is_kw(p, 0, "UNIQUE") && lh_p_is_op(p, 1, "("));
}

/* Trailing constraint options (RELY, NORELY, NOT ENFORCED, TIMESERIES, ...) as text. */
static void constraint_options(parser_t *p, lh_ast_constraint_t *c)
{
    uint32_t first = p->pos;
    while (lh_p_peek(p, 0)->kind == LH_TK_WORD && !lh_p_is_kw(p, 0, "CONSTRAINT"))
        p->pos++;
    if (p->pos > first)
        c->options = lh_p_text(p, lh_p_span(p, first));
}

static lh_err constraint(parser_t *p, lh_ast_constraint_t *c)
{
    memset(c, 0, sizeof *c);
    if (lh_p_accept_kw(p, "CONSTRAINT")) {
        c->name = lh_arena_calloc(p->arena, 1, sizeof *c->name);
        LH_TRY(lh_p_ident(p, c->name));
    }
    if (accept_kws(p, "PRIMARY", "KEY", NULL)) {
        c->kind = LH_CONS_PRIMARY_KEY;
        LH_TRY(lh_p_ident_list(p, &c->columns));
    } else if (accept_kws(p, "FOREIGN", "KEY", NULL)) {
        c->kind = LH_CONS_FOREIGN_KEY;
        LH_TRY(lh_p_ident_list(p, &c->columns));
        LH_TRY(lh_p_expect_kw(p, "REFERENCES"));
        LH_TRY(lh_p_name(p, &c->ref_table));
        if (lh_p_is_op(p, 0, "("))
            LH_TRY(lh_p_ident_list(p, &c->ref_columns));
    } else if (lh_p_accept_kw(p, "UNIQUE")) {
        c->kind = LH_CONS_UNIQUE;
        LH_TRY(lh_p_ident_list(p, &c->columns));
    } else {
        LH_TRY(lh_p_expect_kw(p, "CHECK"));
        c->kind = LH_CONS_CHECK;
        LH_TRY(lh_p_expect_op(p, "("));
        LH_TRY(expr_text(p, &c->check, &c->check_text));
        LH_TRY(lh_p_expect_op(p, ")"));
    }
    constraint_options(p, c);
    return LH_OK;
}

static lh_err table_elements(parser_t *p, lh_ast_create_table_t *t)
{
    LH_TRY(lh_p_expect_op(p, "("));
    do {
        if (starts_constraint(p)) {
            lh_ast_constraint_t c;
            LH_TRY(constraint(p, &c));
            PUSH(p, t->constraints, t->constraint_count, c);
        } else {
            lh_ast_column_def_t c;
            LH_TRY(lh_p_column_def(p, &c));
            PUSH(p, t->columns, t->column_count, c);
        }
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

/* PARTITIONED BY (a, b) or (a INT, b STRING) */
static lh_err partitioned_by(parser_t *p, lh_ast_create_table_t *t)
{
    LH_TRY(lh_p_expect_op(p, "("));
    do {
        if (lh_p_is_ident(p, 0) && !lh_p_is_op(p, 1, ",") && !lh_p_is_op(p, 1, ")")) {
            lh_ast_column_def_t c;
            LH_TRY(lh_p_column_def(p, &c));
            PUSH(p, t->partition_defs, t->partition_def_count, c);
            PUSH(p, t->partitioned_by.items, t->partitioned_by.count, c.name);
        } else {
            lh_ast_ident_t id;
            LH_TRY(lh_p_ident(p, &id));
            PUSH(p, t->partitioned_by.items, t->partitioned_by.count, id);
        }
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

static lh_err cluster_by(parser_t *p, lh_ast_create_table_t *t)
{
    if (lh_p_accept_kw(p, "AUTO"))
        t->cluster_by_auto = true;
    else if (lh_p_accept_kw(p, "NONE"))
        t->cluster_by_none = true;
    else
        return lh_p_ident_list(p, &t->cluster_by);
    return LH_OK;
}

static lh_err table_clause(parser_t *p, lh_ast_create_table_t *t, bool *more)
{
    *more = true;
    if (lh_p_accept_kw(p, "USING")) {
        lh_ast_ident_t id;
        LH_TRY(lh_p_ident(p, &id));
        t->using_ = id.text;
    } else if (accept_kws(p, "STORED", "AS", NULL)) {
        lh_ast_ident_t id;
        LH_TRY(lh_p_ident(p, &id));
        t->using_ = id.text;
    } else if (lh_p_accept_kw(p, "OPTIONS")) {
        LH_TRY(lh_p_props(p, &t->options));
    } else if (accept_kws(p, "PARTITIONED", "BY", NULL)) {
        LH_TRY(partitioned_by(p, t));
    } else if (accept_kws(p, "CLUSTER", "BY", NULL)) {
        LH_TRY(cluster_by(p, t));
    } else if (lh_p_accept_kw(p, "LOCATION")) {
        LH_TRY(lh_p_string(p, &t->location));
    } else if (lh_p_accept_kw(p, "COMMENT")) {
        LH_TRY(lh_p_string(p, &t->comment));
    } else if (lh_p_accept_kw(p, "TBLPROPERTIES")) {
        LH_TRY(lh_p_props(p, &t->tblproperties));
    } else {
        *more = false;
    }
    return LH_OK;
}

static lh_err create_table(parser_t *p, lh_ast_stmt_t *s)
{
    lh_ast_create_table_t *t = lh_arena_calloc(p->arena, 1, sizeof *t);
    s->table = t;
    LH_TRY(if_not_exists(p, &s->if_not_exists));
    LH_TRY(lh_p_name(p, &t->name));
    s->name = t->name;
    if (lh_p_accept_kw(p, "LIKE")) {
        t->like = true;
        LH_TRY(lh_p_name(p, &t->like_name));
    } else if (lh_p_is_op(p, 0, "(") && !lh_p_starts_query(p, 0)) {
        LH_TRY(table_elements(p, t));
    }
    for (bool more = true; more;)
        LH_TRY(table_clause(p, t, &more));
    if (lh_p_accept_kw(p, "AS") || lh_p_starts_query(p, 0))
        LH_TRY(lh_p_query(p, &t->query));
    return LH_OK;
}

static lh_err view_columns(parser_t *p, lh_ast_stmt_t *s)
{
    LH_TRY(lh_p_expect_op(p, "("));
    do {
        lh_ast_ident_t id;
        const char *comment = NULL;
        LH_TRY(lh_p_ident(p, &id));
        if (lh_p_accept_kw(p, "COMMENT"))
            LH_TRY(lh_p_string(p, &comment));
        PUSH(p, s->view_columns.items, s->view_columns.count, id);
        s->view_columns.count--;
        PUSH(p, s->view_column_comments, s->view_columns.count, comment);
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

static lh_err create_view(parser_t *p, lh_ast_stmt_t *s)
{
    LH_TRY(if_not_exists(p, &s->if_not_exists));
    LH_TRY(lh_p_name(p, &s->name));
    if (lh_p_is_op(p, 0, "("))
        LH_TRY(view_columns(p, s));
    for (;;) {
        if (lh_p_accept_kw(p, "COMMENT"))
            LH_TRY(lh_p_string(p, &s->comment));
        else if (lh_p_accept_kw(p, "TBLPROPERTIES"))
            LH_TRY(lh_p_props(p, &s->props));
        else
            break;
    }
    if (lh_p_is_kw(p, 0, "USING")) { /* CREATE TEMPORARY VIEW v USING csv OPTIONS (..) */
        s->table = lh_arena_calloc(p->arena, 1, sizeof *s->table);
        s->table->name = s->name;
        for (bool more = true; more;)
            LH_TRY(table_clause(p, s->table, &more));
        return LH_OK;
    }
    LH_TRY(lh_p_expect_kw(p, "AS"));
    uint32_t first = p->pos;
    LH_TRY(lh_p_query(p, &s->query));
    s->text = lh_p_text(p, lh_p_span(p, first));
    return LH_OK;
}

static lh_err func_params(parser_t *p, lh_ast_create_function_t *f)
{
    LH_TRY(lh_p_expect_op(p, "("));
    if (lh_p_accept_op(p, ")"))
        return LH_OK;
    do {
        lh_ast_func_param_t fp = {0};
        LH_TRY(lh_p_ident(p, &fp.name));
        LH_TRY(lh_p_type(p, &fp.type));
        if (lh_p_accept_kw(p, "DEFAULT"))
            LH_TRY(lh_p_expr(p, &fp.default_));
        if (lh_p_accept_kw(p, "COMMENT"))
            LH_TRY(lh_p_string(p, &fp.comment));
        PUSH(p, f->params, f->param_count, fp);
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

static lh_err func_returns(parser_t *p, lh_ast_create_function_t *f)
{
    if (lh_p_is_kw(p, 0, "TABLE")) {
        p->pos++;
        f->returns_table_written = true;
        if (!lh_p_accept_op(p, "("))
            return LH_OK;
        do {
            lh_ast_column_def_t c;
            LH_TRY(lh_p_column_def(p, &c));
            PUSH(p, f->returns_table, f->returns_table_count, c);
        } while (lh_p_accept_op(p, ","));
        return lh_p_expect_op(p, ")");
    }
    return lh_p_type(p, &f->returns);
}

static lh_err func_characteristics(parser_t *p, lh_ast_create_function_t *f)
{
    for (;;) {
        if (lh_p_accept_kw(p, "COMMENT")) {
            LH_TRY(lh_p_string(p, &f->comment));
        } else if (lh_p_accept_kw(p, "LANGUAGE")) {
            lh_ast_ident_t id;
            LH_TRY(lh_p_ident(p, &id));
            f->language = id.text;
        } else if (lh_p_accept_kw(p, "DETERMINISTIC")) {
            f->deterministic_written = true;
        } else if (accept_kws(p, "NOT", "DETERMINISTIC", NULL)) {
            f->not_deterministic = true;
        } else if (accept_kws(p, "CONTAINS", "SQL", NULL)) {
            f->contains_sql_written = true;
        } else if (accept_kws(p, "READS", "SQL", "DATA")) {
            f->reads_sql_data_written = true;
        } else {
            return LH_OK;
        }
    }
}

static lh_err create_function(parser_t *p, lh_ast_stmt_t *s)
{
    lh_ast_create_function_t *f = lh_arena_calloc(p->arena, 1, sizeof *f);
    s->func = f;
    LH_TRY(if_not_exists(p, &s->if_not_exists));
    LH_TRY(lh_p_name(p, &f->name));
    s->name = f->name;
    if (lh_p_accept_kw(p, "AS")) { /* CREATE FUNCTION f AS 'class' [USING JAR '..'] */
        LH_TRY(lh_p_string(p, &f->as_text));
        return LH_OK;
    }
    LH_TRY(func_params(p, f));
    if (lh_p_accept_kw(p, "RETURNS"))
        LH_TRY(func_returns(p, f));
    LH_TRY(func_characteristics(p, f));
    if (lh_p_accept_kw(p, "AS")) {
        LH_TRY(lh_p_string(p, &f->as_text));
        return func_characteristics(p, f);
    }
    LH_TRY(lh_p_expect_kw(p, "RETURN"));
    uint32_t first = p->pos;
    if (lh_p_starts_query(p, 0) && !lh_p_is_op(p, 0, "("))
        LH_TRY(lh_p_query(p, &f->ret_query));
    else
        LH_TRY(lh_p_expr(p, &f->ret));
    f->body_text = lh_p_text(p, lh_p_span(p, first));
    return LH_OK;
}

static lh_err create_namespace(parser_t *p, lh_ast_stmt_t *s)
{
    LH_TRY(if_not_exists(p, &s->if_not_exists));
    LH_TRY(lh_p_name(p, &s->name));
    for (;;) {
        if (lh_p_accept_kw(p, "COMMENT"))
            LH_TRY(lh_p_string(p, &s->comment));
        else if (lh_p_accept_kw(p, "LOCATION") || accept_kws(p, "MANAGED", "LOCATION", NULL))
            LH_TRY(lh_p_string(p, &s->location));
        else if (lh_p_accept_kw(p, "OPTIONS") || accept_kws(p, "WITH", "DBPROPERTIES", NULL) ||
                 accept_kws(p, "WITH", "PROPERTIES", NULL))
            LH_TRY(lh_p_props(p, &s->props));
        else
            return LH_OK;
    }
}

static lh_err create(parser_t *p, uint32_t first, lh_ast_stmt_t **out)
{
    lh_ast_stmt_t *s = lh_p_new_stmt(p, LH_ST_CREATE_TABLE, first);
    *out = s;
    bool replace_only = lh_p_accept_kw(p, "REPLACE");
    if (!replace_only) {
        p->pos++; /* CREATE */
        s->or_replace = accept_kws(p, "OR", "REPLACE", NULL);
    }
    s->or_replace |= replace_only;
    s->global = lh_p_accept_kw(p, "GLOBAL");
    s->temporary = lh_p_accept_kw(p, "TEMPORARY") || lh_p_accept_kw(p, "TEMP");
    bool external = lh_p_accept_kw(p, "EXTERNAL");
    (void)external; /* a LOCATION makes a table external; the word adds nothing */
    if (lh_p_accept_kw(p, "TABLE"))
        return create_table(p, s);
    if (lh_p_accept_kw(p, "VIEW") || accept_kws(p, "MATERIALIZED", "VIEW", NULL)) {
        s->kind = LH_ST_CREATE_VIEW;
        return create_view(p, s);
    }
    if (lh_p_accept_kw(p, "FUNCTION")) {
        s->kind = LH_ST_CREATE_FUNCTION;
        return create_function(p, s);
    }
    if (lh_p_accept_kw(p, "CATALOG")) {
        s->kind = LH_ST_CREATE_CATALOG;
        return create_namespace(p, s);
    }
    if (lh_p_accept_kw(p, "SCHEMA") || lh_p_accept_kw(p, "DATABASE") ||
        lh_p_accept_kw(p, "NAMESPACE")) {
        s->kind = LH_ST_CREATE_SCHEMA;
        return create_namespace(p, s);
    }
    return lh_p_fail(p);
}

/* ---- DROP, TRUNCATE, COMMENT ON ------------------------------------------------------- */

static bool object_word(parser_t *p, lh_ast_object_t *o)
{
    static const struct {
        const char *w;
        lh_ast_object_t o;
    } words[] = {
        {"TABLE", LH_OBJ_TABLE},       {"VIEW", LH_OBJ_VIEW},        {"SCHEMA", LH_OBJ_SCHEMA},
        {"DATABASE", LH_OBJ_DATABASE}, {"NAMESPACE", LH_OBJ_SCHEMA}, {"CATALOG", LH_OBJ_CATALOG},
        {"FUNCTION", LH_OBJ_FUNCTION}, {"COLUMN", LH_OBJ_COLUMN},    {"VOLUME", LH_OBJ_VOLUME},
        {"VARIABLE", LH_OBJ_VARIABLE}, {"VAR", LH_OBJ_VARIABLE},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (lh_p_accept_kw(p, words[i].w)) {
            *o = words[i].o;
            return true;
        }
    return false;
}

static lh_err drop(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* DROP */
    s->temporary = lh_p_accept_kw(p, "TEMPORARY") || lh_p_accept_kw(p, "TEMP");
    accept_kws(p, "MATERIALIZED", NULL, NULL);
    if (!object_word(p, &s->object) || s->object == LH_OBJ_COLUMN ||
        (s->object == LH_OBJ_VARIABLE && !s->temporary))
        return lh_p_fail(p);
    s->if_exists = accept_kws(p, "IF", "EXISTS", NULL);
    LH_TRY(lh_p_name(p, &s->name));
    if (lh_p_accept_kw(p, "CASCADE"))
        s->cascade = true;
    else
        lh_p_accept_kw(p, "RESTRICT");
    lh_p_accept_kw(p, "PURGE");
    return LH_OK;
}

static lh_err comment_on(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos += 2; /* COMMENT ON */
    if (!object_word(p, &s->object) || s->object == LH_OBJ_FUNCTION || s->object == LH_OBJ_VARIABLE)
        return lh_p_fail(p);
    LH_TRY(lh_p_name(p, &s->name));
    LH_TRY(lh_p_expect_kw(p, "IS"));
    if (lh_p_accept_kw(p, "NULL"))
        return LH_OK;
    return lh_p_string(p, &s->comment);
}

/* ---- ALTER TABLE / VIEW ----------------------------------------------------------------- */

static lh_err alter_add(parser_t *p, lh_ast_alter_t *a)
{
    if (lh_p_is_kw(p, 0, "CONSTRAINT") || starts_constraint(p)) {
        a->kind = LH_ALTER_ADD_CONSTRAINT;
        a->constraint = lh_arena_calloc(p->arena, 1, sizeof *a->constraint);
        return constraint(p, a->constraint);
    }
    if (lh_p_is_kw(p, 0, "PARTITION") || lh_p_is_kw(p, 0, "IF")) {
        a->kind = LH_ALTER_ADD_PARTITION;
        a->if_not_exists = accept_kws(p, "IF", "NOT", "EXISTS");
        LH_TRY(lh_p_expect_kw(p, "PARTITION"));
        return lh_p_props(p, &a->props);
    }
    if (!lh_p_accept_kw(p, "COLUMNS"))
        LH_TRY(lh_p_expect_kw(p, "COLUMN"));
    a->kind = LH_ALTER_ADD_COLUMNS;
    bool paren = lh_p_accept_op(p, "(");
    do {
        lh_ast_column_def_t c;
        LH_TRY(lh_p_column_def(p, &c));
        PUSH(p, a->columns, a->column_count, c);
    } while (lh_p_accept_op(p, ","));
    return paren ? lh_p_expect_op(p, ")") : LH_OK;
}

static lh_err alter_drop(parser_t *p, lh_ast_alter_t *a)
{
    if (lh_p_accept_kw(p, "CONSTRAINT")) {
        a->kind = LH_ALTER_DROP_CONSTRAINT;
        a->if_exists = accept_kws(p, "IF", "EXISTS", NULL);
        LH_TRY(lh_p_ident(p, &a->constraint_name));
        a->cascade = lh_p_accept_kw(p, "CASCADE");
        return LH_OK;
    }
    if (lh_p_is_kw(p, 0, "PARTITION") || lh_p_is_kw(p, 0, "IF")) {
        a->kind = LH_ALTER_DROP_PARTITION;
        a->if_exists = accept_kws(p, "IF", "EXISTS", NULL);
        LH_TRY(lh_p_expect_kw(p, "PARTITION"));
        return lh_p_props(p, &a->props);
    }
    if (!lh_p_accept_kw(p, "COLUMNS"))
        LH_TRY(lh_p_expect_kw(p, "COLUMN"));
    a->kind = LH_ALTER_DROP_COLUMNS;
    a->if_exists = accept_kws(p, "IF", "EXISTS", NULL);
    bool paren = lh_p_accept_op(p, "(");
    do {
        lh_ast_name_t n;
        LH_TRY(lh_p_name(p, &n));
        PUSH(p, a->names, a->name_count, n);
    } while (lh_p_accept_op(p, ","));
    return paren ? lh_p_expect_op(p, ")") : LH_OK;
}

static lh_err alter_column(parser_t *p, lh_ast_alter_t *a)
{
    a->kind = LH_ALTER_ALTER_COLUMN;
    lh_p_accept_kw(p, "COLUMN");
    LH_TRY(lh_p_name(p, &a->column));
    static const char *const actions[] = {"COMMENT", "TYPE", "SET", "DROP", "FIRST", "AFTER", NULL};
    bool action = false;
    for (int i = 0; actions[i]; i++)
        action |= lh_p_is_kw(p, 0, actions[i]);
    if (!action && lh_p_is_ident(p, 0)) { /* Hive's CHANGE [COLUMN] a a' type [COMMENT ..] */
        LH_TRY(lh_p_ident(p, &a->new_column));
        LH_TRY(lh_p_type(p, &a->type));
        if (lh_p_accept_kw(p, "COMMENT")) {
            a->comment_set = true;
            LH_TRY(lh_p_string(p, &a->comment));
        }
        if (lh_p_accept_kw(p, "FIRST"))
            a->first = true;
        else if (lh_p_accept_kw(p, "AFTER")) {
            a->after = lh_arena_calloc(p->arena, 1, sizeof *a->after);
            return lh_p_ident(p, a->after);
        }
        return LH_OK;
    }
    if (lh_p_accept_kw(p, "COMMENT")) {
        a->comment_set = true;
        return lh_p_string(p, &a->comment);
    }
    if (lh_p_accept_kw(p, "TYPE"))
        return lh_p_type(p, &a->type);
    if (accept_kws(p, "SET", "NOT", "NULL"))
        a->set_not_null = true;
    else if (accept_kws(p, "DROP", "NOT", "NULL"))
        a->drop_not_null = true;
    else if (accept_kws(p, "DROP", "DEFAULT", NULL))
        a->drop_default = true;
    else if (accept_kws(p, "SET", "DEFAULT", NULL))
        return expr_text(p, &a->default_, &a->default_text);
    else if (lh_p_accept_kw(p, "FIRST"))
        a->first = true;
    else if (lh_p_accept_kw(p, "AFTER")) {
        a->after = lh_arena_calloc(p->arena, 1, sizeof *a->after);
        return lh_p_ident(p, a->after);
    } else
        return lh_p_fail(p);
    return LH_OK;
}

static lh_err alter_set(parser_t *p, lh_ast_alter_t *a)
{
    if (lh_p_accept_kw(p, "TBLPROPERTIES")) {
        a->kind = LH_ALTER_SET_PROPS;
        return lh_p_props(p, &a->props);
    }
    if (lh_p_accept_kw(p, "LOCATION")) {
        a->kind = LH_ALTER_SET_LOCATION;
        return lh_p_string(p, &a->text);
    }
    if (lh_p_accept_kw(p, "OWNER")) {
        LH_TRY(lh_p_expect_kw(p, "TO"));
        a->kind = LH_ALTER_OWNER;
        lh_ast_ident_t id;
        if (lh_p_is_string(p, 0))
            return lh_p_string(p, &a->text);
        LH_TRY(lh_p_ident(p, &id));
        a->text = id.text;
        return LH_OK;
    }
    return lh_p_fail(p);
}

static lh_err alter_action(parser_t *p, lh_ast_alter_t *a)
{
    if (lh_p_accept_kw(p, "ADD"))
        return alter_add(p, a);
    if (lh_p_accept_kw(p, "DROP"))
        return alter_drop(p, a);
    if (lh_p_accept_kw(p, "RENAME")) {
        if (lh_p_accept_kw(p, "COLUMN")) {
            a->kind = LH_ALTER_RENAME_COLUMN;
            LH_TRY(lh_p_name(p, &a->column));
            LH_TRY(lh_p_expect_kw(p, "TO"));
            return lh_p_ident(p, &a->new_column);
        }
        a->kind = LH_ALTER_RENAME_TO;
        LH_TRY(lh_p_expect_kw(p, "TO"));
        return lh_p_name(p, &a->new_name);
    }
    if (lh_p_accept_kw(p, "ALTER") || lh_p_accept_kw(p, "CHANGE"))
        return alter_column(p, a);
    if (lh_p_accept_kw(p, "SET"))
        return alter_set(p, a);
    if (lh_p_accept_kw(p, "UNSET")) {
        LH_TRY(lh_p_expect_kw(p, "TBLPROPERTIES"));
        a->kind = LH_ALTER_UNSET_PROPS;
        a->if_exists = accept_kws(p, "IF", "EXISTS", NULL);
        return lh_p_props(p, &a->props);
    }
    if (accept_kws(p, "CLUSTER", "BY", NULL)) {
        a->kind = LH_ALTER_CLUSTER_BY;
        if (lh_p_accept_kw(p, "NONE"))
            return LH_OK;
        lh_ast_idents_t ids;
        LH_TRY(lh_p_ident_list(p, &ids));
        for (int i = 0; i < ids.count; i++) {
            lh_ast_name_t n = {&ids.items[i], 1, ids.items[i].span};
            PUSH(p, a->names, a->name_count, n);
        }
        return LH_OK;
    }
    if (lh_p_accept_kw(p, "OWNER")) {
        p->pos--;
        return alter_set(p, a);
    }
    if (lh_p_accept_kw(p, "AS")) {
        a->kind = LH_ALTER_VIEW_AS;
        uint32_t first = p->pos;
        LH_TRY(lh_p_query(p, &a->query));
        a->text = lh_p_text(p, lh_p_span(p, first)); /* the view's new definition */
        return LH_OK;
    }
    return lh_p_fail(p);
}

static lh_err alter(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* ALTER */
    if (lh_p_accept_kw(p, "TABLE"))
        s->object = LH_OBJ_TABLE;
    else if (lh_p_accept_kw(p, "VIEW"))
        s->object = LH_OBJ_VIEW;
    else
        return lh_p_fail(p);
    LH_TRY(lh_p_name(p, &s->name));
    s->alter = lh_arena_calloc(p->arena, 1, sizeof *s->alter);
    return alter_action(p, s->alter);
}

lh_err lh_p_ddl(parser_t *p, lh_ast_stmt_t **out)
{
    uint32_t first = p->pos;
    *out = NULL;
    if (lh_p_is_kw(p, 0, "CREATE") || (lh_p_is_kw(p, 0, "REPLACE") && lh_p_is_kw(p, 1, "TABLE")))
        return create(p, first, out);
    if (lh_p_is_kw(p, 0, "DROP")) {
        *out = lh_p_new_stmt(p, LH_ST_DROP, first);
        return drop(p, *out);
    }
    if (lh_p_is_kw(p, 0, "TRUNCATE")) {
        *out = lh_p_new_stmt(p, LH_ST_TRUNCATE, first);
        p->pos++;
        LH_TRY(lh_p_expect_kw(p, "TABLE"));
        LH_TRY(lh_p_name(p, &(*out)->name));
        if (lh_p_accept_kw(p, "PARTITION"))
            LH_TRY(lh_p_props(p, &(*out)->props));
        return LH_OK;
    }
    if (lh_p_is_kw(p, 0, "ALTER")) {
        *out = lh_p_new_stmt(p, LH_ST_ALTER_TABLE, first);
        return alter(p, *out);
    }
    if (lh_p_is_kw(p, 0, "COMMENT") && lh_p_is_kw(p, 1, "ON")) {
        *out = lh_p_new_stmt(p, LH_ST_COMMENT_ON, first);
        return comment_on(p, *out);
    }
    return LH_OK;
}
