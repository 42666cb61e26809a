/*
 * parse_util.c - utility statements: USE, SET, RESET, DESCRIBE/DESC, SHOW, RESTORE,
 * OPTIMIZE, VACUUM, CACHE (SELECT | TABLE), UNCACHE, CLEAR CACHE, REFRESH, ANALYZE,
 * EXPLAIN.
 *
 * SET and RESET keep their text raw, as Spark's SetCommand does: `SET a.b = x y` sets key
 * "a.b" to "x y" (surrounding spaces trimmed); the text runs to the next ';' token.
 */
#include <ctype.h>
#include <strings.h>

#include "compute/sql/parser_internal.h"

static bool accept2(parser_t *p, const char *a, const char *b)
{
    if (!lh_p_is_kw(p, 0, a) || !lh_p_is_kw(p, 1, b))
        return false;
    p->pos += 2;
    return true;
}

static const char *trimmed(parser_t *p, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return lh_arena_strndup(p->arena, s, n);
}

/* The raw text from the current token up to ';' or the end; consumes those tokens. */
static const char *raw_rest(parser_t *p, uint32_t *eq_tok)
{
    uint32_t first = p->pos;
    *eq_tok = 0;
    while (lh_p_peek(p, 0)->kind != LH_TK_EOF && !lh_p_is_op(p, 0, ";")) {
        if (*eq_tok == 0 && lh_p_is_op(p, 0, "="))
            *eq_tok = p->pos;
        p->pos++;
    }
    lh_ast_span_t sp = lh_p_span(p, first);
    return lh_arena_strndup(p->arena, p->sql + sp.start, sp.stop - sp.start);
}

/* SET TIME ZONE LOCAL | 'zone' | INTERVAL ..: the session time zone config. */
static lh_err set_time_zone(parser_t *p, lh_ast_stmt_t *s)
{
    uint32_t first = p->pos, eq;
    p->pos += 2; /* TIME ZONE */
    s->key = "spark.sql.session.timeZone";
    if (lh_p_accept_kw(p, "LOCAL")) {
        s->value = NULL; /* the server's zone */
    } else if (lh_p_is_string(p, 0)) {
        LH_TRY(lh_p_string(p, &s->value));
    } else {
        uint32_t v = p->pos;
        lh_ast_expr_t *e;
        LH_TRY(lh_p_expr(p, &e)); /* INTERVAL '-08:00' HOUR TO MINUTE */
        s->value = lh_p_text(p, lh_p_span(p, v));
    }
    p->pos = first;
    s->text = raw_rest(p, &eq);
    return LH_OK;
}

/* SET VAR[IABLE] a = x [, b = DEFAULT] | SET VAR (a, b) = (query) */
static lh_err set_var(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* VAR / VARIABLE */
    s->kind = LH_ST_SET_VAR;
    bool tuple = lh_p_accept_op(p, "(");
    int cap = 0;
    for (;;) {
        if (s->var_count == cap) {
            cap = cap ? cap * 2 : 4;
            lh_ast_name_t *n = lh_arena_calloc(p->arena, (size_t)cap, sizeof *n);
            lh_ast_expr_t **v = lh_arena_calloc(p->arena, (size_t)cap, sizeof *v);
            if (s->var_count) {
                memcpy(n, s->var_names, (size_t)s->var_count * sizeof *n);
                memcpy(v, s->var_values, (size_t)s->var_count * sizeof *v);
            }
            s->var_names = n;
            s->var_values = v;
        }
        LH_TRY(lh_p_name(p, &s->var_names[s->var_count]));
        if (!tuple) {
            LH_TRY(lh_p_expect_op(p, "="));
            if (!lh_p_accept_kw(p, "DEFAULT"))
                LH_TRY(lh_p_expr(p, &s->var_values[s->var_count]));
        }
        s->var_count++;
        if (!lh_p_accept_op(p, ","))
            break;
    }
    if (!tuple)
        return LH_OK;
    LH_TRY(lh_p_expect_op(p, ")"));
    LH_TRY(lh_p_expect_op(p, "="));
    LH_TRY(lh_p_expect_op(p, "("));
    LH_TRY(lh_p_query(p, &s->query));
    return lh_p_expect_op(p, ")");
}

/* DECLARE [OR REPLACE] [VARIABLE | VAR] name [type] [DEFAULT expr | = expr] */
static lh_err declare_stmt(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* DECLARE */
    if (lh_p_is_kw(p, 0, "OR") && lh_p_is_kw(p, 1, "REPLACE")) {
        p->pos += 2;
        s->or_replace = true;
    }
    if (!lh_p_accept_kw(p, "VARIABLE"))
        lh_p_accept_kw(p, "VAR");
    LH_TRY(lh_p_name(p, &s->name));
    if (!lh_p_is_kw(p, 0, "DEFAULT") && !lh_p_is_op(p, 0, "=") &&
        lh_p_peek(p, 0)->kind != LH_TK_EOF && !lh_p_is_op(p, 0, ";"))
        LH_TRY(lh_p_type(p, &s->var_type));
    if (lh_p_accept_kw(p, "DEFAULT") || lh_p_accept_op(p, "="))
        LH_TRY(lh_p_expr(p, &s->var_default));
    else if (s->var_type == NULL)
        return lh_p_fail(p);
    return LH_OK;
}

/* EXECUTE IMMEDIATE sql_text [INTO a, b] [USING expr [AS name], ..] */
static lh_err execute_stmt(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* EXECUTE */
    LH_TRY(lh_p_expect_kw(p, "IMMEDIATE"));
    LH_TRY(lh_p_expr(p, &s->exec_sql));
    if (lh_p_accept_kw(p, "INTO")) {
        do {
            lh_ast_name_t n;
            LH_TRY(lh_p_name(p, &n));
            PUSH(p, s->var_names, s->var_count, n);
        } while (lh_p_accept_op(p, ","));
    }
    if (!lh_p_accept_kw(p, "USING"))
        return LH_OK;
    bool paren = lh_p_accept_op(p, "(");
    do {
        lh_ast_named_expr_t it = {0};
        LH_TRY(lh_p_expr(p, &it.expr));
        bool as = lh_p_accept_kw(p, "AS");
        if (as || lh_p_is_ident(p, 0)) {
            it.alias = lh_arena_calloc(p->arena, 1, sizeof *it.alias);
            LH_TRY(lh_p_ident(p, it.alias));
            it.as_written = as;
        }
        PUSH(p, s->exec_args.items, s->exec_args.count, it);
    } while (lh_p_accept_op(p, ","));
    return paren ? lh_p_expect_op(p, ")") : LH_OK;
}

static lh_err set_stmt(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* SET */
    if (lh_p_is_kw(p, 0, "TIME") && lh_p_is_kw(p, 1, "ZONE"))
        return set_time_zone(p, s);
    if ((lh_p_is_kw(p, 0, "VAR") || lh_p_is_kw(p, 0, "VARIABLE")) &&
        (lh_p_is_ident(p, 1) || lh_p_is_op(p, 1, "(")))
        return set_var(p, s);
    uint32_t first = p->pos, eq;
    const char *text = raw_rest(p, &eq);
    s->text = text;
    if (p->pos == first)
        return LH_OK; /* SET: list */
    uint32_t base = p->toks[first].start;
    if (eq) {
        uint32_t at = p->toks[eq].start - base;
        s->key = trimmed(p, text, at);
        s->value = trimmed(p, text + at + 1, strlen(text) - at - 1);
        if (s->key[0] == '\0')
            return lh_p_fail_at(p, eq);
    } else {
        s->key = trimmed(p, text, strlen(text));
    }
    return LH_OK;
}

/* RESET */
static lh_err reset_stmt(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* RESET */
    uint32_t first = p->pos, eq;
    const char *text = raw_rest(p, &eq);
    if (p->pos > first)
        s->key = trimmed(p, text, strlen(text));
    return LH_OK;
}

static lh_err use_stmt(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* USE */
    if (lh_p_is_ident(p, 1) || lh_p_is_string(p, 1)) {
        if (lh_p_accept_kw(p, "CATALOG"))
            s->object = LH_OBJ_CATALOG;
        else if (lh_p_accept_kw(p, "SCHEMA") || lh_p_accept_kw(p, "NAMESPACE"))
            s->object = LH_OBJ_SCHEMA;
        else if (lh_p_accept_kw(p, "DATABASE"))
            s->object = LH_OBJ_DATABASE;
    }
    if (lh_p_is_string(p, 0)) {
        const char *n;
        LH_TRY(lh_p_string(p, &n));
        lh_ast_ident_t id = {n, true, {0, 0}};
        PUSH(p, s->name.parts, s->name.count, id);
        return LH_OK;
    }
    return lh_p_name(p, &s->name);
}

static lh_err describe_target(parser_t *p, lh_ast_stmt_t *s)
{
    LH_TRY(lh_p_name(p, &s->name));
    if (lh_p_accept_kw(p, "PARTITION"))
        LH_TRY(lh_p_props(p, &s->props));
    if (lh_p_is_ident(p, 0))
        LH_TRY(lh_p_name(p, &s->column));
    return LH_OK;
}

static lh_err describe(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* DESCRIBE / DESC */
    /* DESCRIBE TABLE t describes a table, not the query "TABLE t" */
    if (lh_p_accept_kw(p, "QUERY") || (lh_p_starts_query(p, 0) && !lh_p_is_kw(p, 0, "TABLE"))) {
        s->describe_what = LH_DESC_QUERY;
        return lh_p_query(p, &s->query);
    }
    struct {
        const char *w;
        lh_ast_describe_t d;
    } words[] = {
        {"DETAIL", LH_DESC_DETAIL},     {"HISTORY", LH_DESC_HISTORY}, {"CATALOG", LH_DESC_CATALOG},
        {"SCHEMA", LH_DESC_SCHEMA},     {"DATABASE", LH_DESC_SCHEMA}, {"NAMESPACE", LH_DESC_SCHEMA},
        {"FUNCTION", LH_DESC_FUNCTION}, {"VOLUME", LH_DESC_VOLUME},
    };
    s->describe_what = LH_DESC_TABLE;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (lh_p_is_ident(p, 1) && lh_p_accept_kw(p, words[i].w)) {
            s->describe_what = words[i].d;
            break;
        }
    if (s->describe_what == LH_DESC_TABLE)
        lh_p_accept_kw(p, "TABLE");
    if (lh_p_is_ident(p, 1) && lh_p_accept_kw(p, "EXTENDED"))
        s->extended = true;
    else if (lh_p_is_ident(p, 1) && lh_p_accept_kw(p, "FORMATTED"))
        s->formatted = true;
    if (s->describe_what == LH_DESC_TABLE)
        return describe_target(p, s);
    LH_TRY(lh_p_name(p, &s->name));
    if (s->describe_what == LH_DESC_HISTORY && lh_p_accept_kw(p, "LIMIT"))
        LH_TRY(lh_p_expr(p, &s->where)); /* the LIMIT count, kept in `where` */
    return LH_OK;
}

/* [FROM|IN name] [[LIKE] 'pattern'] */
static lh_err show_scope(parser_t *p, lh_ast_stmt_t *s)
{
    if (lh_p_accept_kw(p, "FROM") || lh_p_accept_kw(p, "IN"))
        LH_TRY(lh_p_name(p, &s->name));
    lh_p_accept_kw(p, "LIKE");
    if (lh_p_is_string(p, 0))
        LH_TRY(lh_p_string(p, &s->pattern));
    return LH_OK;
}

static lh_err show(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* SHOW */
    static const struct {
        const char *a, *b;
        lh_ast_show_t w;
    } words[] = {
        {"CATALOGS", NULL, LH_SHOW_CATALOGS},
        {"SCHEMAS", NULL, LH_SHOW_SCHEMAS},
        {"DATABASES", NULL, LH_SHOW_SCHEMAS},
        {"NAMESPACES", NULL, LH_SHOW_SCHEMAS},
        {"TABLES", NULL, LH_SHOW_TABLES},
        {"VIEWS", NULL, LH_SHOW_VIEWS},
        {"VOLUMES", NULL, LH_SHOW_VOLUMES},
        {"FUNCTIONS", NULL, LH_SHOW_FUNCTIONS},
        {"CREATE", "TABLE", LH_SHOW_CREATE_TABLE},
        {"TABLE", "EXTENDED", LH_SHOW_TABLE_EXTENDED},
        {"CURRENT", "SCHEMA", LH_SHOW_CURRENT_SCHEMA},
        {"CURRENT", "NAMESPACE", LH_SHOW_CURRENT_SCHEMA},
    };
    if (lh_p_is_kw(p, 1, "FUNCTIONS") &&
        (lh_p_is_kw(p, 0, "USER") || lh_p_is_kw(p, 0, "SYSTEM") || lh_p_is_kw(p, 0, "ALL"))) {
        s->show_all = lh_p_is_kw(p, 0, "ALL");
        s->key = lh_p_is_kw(p, 0, "USER") ? "USER" : s->show_all ? "ALL" : "SYSTEM";
        p->pos++;
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        bool hit = words[i].b ? accept2(p, words[i].a, words[i].b) : lh_p_accept_kw(p, words[i].a);
        if (hit) {
            s->show_what = words[i].w;
            return s->show_what == LH_SHOW_CREATE_TABLE     ? lh_p_name(p, &s->name)
                   : s->show_what == LH_SHOW_CURRENT_SCHEMA ? LH_OK
                                                            : show_scope(p, s);
        }
    }
    if (lh_p_accept_kw(p, "COLUMNS")) {
        s->show_what = LH_SHOW_COLUMNS;
        if (!lh_p_accept_kw(p, "FROM"))
            LH_TRY(lh_p_expect_kw(p, "IN"));
        LH_TRY(lh_p_name(p, &s->name));
        if (lh_p_accept_kw(p, "FROM") || lh_p_accept_kw(p, "IN"))
            LH_TRY(lh_p_name(p, &s->column)); /* the schema, kept in `column` */
        return LH_OK;
    }
    bool parts = lh_p_is_kw(p, 0, "PARTITIONS");
    if (lh_p_accept_kw(p, "TBLPROPERTIES") || lh_p_accept_kw(p, "PARTITIONS")) {
        s->show_what = parts ? LH_SHOW_PARTITIONS : LH_SHOW_TBLPROPERTIES;
        LH_TRY(lh_p_name(p, &s->name));
        if (parts && lh_p_accept_kw(p, "PARTITION"))
            return lh_p_props(p, &s->props);
        if (!parts && lh_p_accept_op(p, "(")) {
            LH_TRY(lh_p_string(p, &s->pattern)); /* the property key */
            LH_TRY(lh_p_expect_op(p, ")"));
        }
        return LH_OK;
    }
    return lh_p_fail(p);
}

static lh_err restore(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* RESTORE */
    lh_p_accept_kw(p, "TABLE");
    LH_TRY(lh_p_name(p, &s->name));
    lh_p_accept_kw(p, "TO");
    s->travel = lh_arena_calloc(p->arena, 1, sizeof *s->travel);
    if (lh_p_accept_kw(p, "VERSION"))
        s->travel->kind = 1;
    else {
        LH_TRY(lh_p_expect_kw(p, "TIMESTAMP"));
        s->travel->kind = 2;
    }
    LH_TRY(lh_p_expect_kw(p, "AS"));
    LH_TRY(lh_p_expect_kw(p, "OF"));
    return lh_p_expr(p, &s->travel->value);
}

/* A table name or a 'path' (VACUUM '/p', OPTIMIZE delta.`/p`). */
static lh_err table_or_path(parser_t *p, lh_ast_stmt_t *s)
{
    if (!lh_p_is_string(p, 0))
        return lh_p_name(p, &s->name);
    LH_TRY(lh_p_string(p, &s->location));
    return LH_OK;
}

static lh_err optimize(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* OPTIMIZE */
    LH_TRY(table_or_path(p, s));
    if (lh_p_accept_kw(p, "WHERE"))
        LH_TRY(lh_p_expr(p, &s->where));
    if (accept2(p, "ZORDER", "BY")) {
        bool paren = lh_p_accept_op(p, "(");
        LH_TRY(lh_p_expr_list(p, &s->zorder));
        if (paren)
            LH_TRY(lh_p_expect_op(p, ")"));
    }
    return LH_OK;
}

static lh_err vacuum(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* VACUUM */
    LH_TRY(table_or_path(p, s));
    if (lh_p_accept_kw(p, "RETAIN")) {
        LH_TRY(lh_p_expr(p, &s->retain_hours));
        LH_TRY(lh_p_expect_kw(p, "HOURS"));
    }
    if (accept2(p, "DRY", "RUN"))
        s->dry_run = true;
    return LH_OK;
}

static lh_err cache(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* CACHE */
    if (lh_p_starts_query(p, 0))
        return lh_p_query(p, &s->query);
    s->extended = lh_p_accept_kw(p, "LAZY"); /* CACHE LAZY TABLE */
    LH_TRY(lh_p_expect_kw(p, "TABLE"));
    LH_TRY(lh_p_name(p, &s->name));
    if (lh_p_accept_kw(p, "OPTIONS"))
        LH_TRY(lh_p_props(p, &s->props));
    if (lh_p_accept_kw(p, "AS") || lh_p_starts_query(p, 0))
        LH_TRY(lh_p_query(p, &s->query));
    return LH_OK;
}

static lh_err explain(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++; /* EXPLAIN */
    static const char *const modes[] = {"EXTENDED", "FORMATTED", "CODEGEN", "COST"};
    for (int i = 0; i < 4; i++)
        if (lh_p_accept_kw(p, modes[i])) {
            s->explain_mode = i + 1;
            break;
        }
    LH_TRY(lh_p_enter(p));
    LH_TRY(lh_p_statement(p, &s->inner));
    lh_p_leave(p);
    return LH_OK;
}

typedef struct util {
    const char *kw;
    lh_ast_stmt_kind_t kind;
    lh_err (*parse)(parser_t *p, lh_ast_stmt_t *s);
} util_t;

static lh_err uncache(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++;
    LH_TRY(lh_p_expect_kw(p, "TABLE"));
    s->if_exists = accept2(p, "IF", "EXISTS");
    return lh_p_name(p, &s->name);
}

static lh_err clear_cache(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++;
    return lh_p_expect_kw(p, "CACHE");
}

static lh_err refresh(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++;
    if (lh_p_is_string(p, 0))
        return lh_p_string(p, &s->location);
    s->object = lh_p_accept_kw(p, "FUNCTION") ? LH_OBJ_FUNCTION : LH_OBJ_TABLE;
    lh_p_accept_kw(p, "TABLE");
    return lh_p_name(p, &s->name);
}

static lh_err analyze(parser_t *p, lh_ast_stmt_t *s)
{
    p->pos++;
    LH_TRY(lh_p_expect_kw(p, "TABLE"));
    LH_TRY(lh_p_name(p, &s->name));
    uint32_t eq;
    s->text = raw_rest(p, &eq);
    return LH_OK;
}

static lh_err repair(parser_t *p, lh_ast_stmt_t *s)
{
    if (lh_p_accept_kw(p, "MSCK"))
        LH_TRY(lh_p_expect_kw(p, "REPAIR"));
    else
        p->pos++; /* REPAIR */
    LH_TRY(lh_p_expect_kw(p, "TABLE"));
    LH_TRY(lh_p_name(p, &s->name));
    static const char *const opts[][2] = {{"ADD", "PARTITIONS"},
                                          {"DROP", "PARTITIONS"},
                                          {"SYNC", "PARTITIONS"},
                                          {"SYNC", "METADATA"}};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (accept2(p, opts[i][0], opts[i][1])) {
            s->key = lh_arena_sprintf(p->arena, "%s %s", opts[i][0], opts[i][1]);
            break;
        }
    return LH_OK;
}

static const util_t utils[] = {
    {"USE", LH_ST_USE, use_stmt},
    {"SET", LH_ST_SET, set_stmt},
    {"RESET", LH_ST_RESET, reset_stmt},
    {"DESCRIBE", LH_ST_DESCRIBE, describe},
    {"DESC", LH_ST_DESCRIBE, describe},
    {"SHOW", LH_ST_SHOW, show},
    {"RESTORE", LH_ST_RESTORE, restore},
    {"OPTIMIZE", LH_ST_OPTIMIZE, optimize},
    {"VACUUM", LH_ST_VACUUM, vacuum},
    {"CACHE", LH_ST_CACHE, cache},
    {"UNCACHE", LH_ST_UNCACHE, uncache},
    {"CLEAR", LH_ST_CLEAR_CACHE, clear_cache},
    {"REFRESH", LH_ST_REFRESH, refresh},
    {"ANALYZE", LH_ST_ANALYZE, analyze},
    {"EXPLAIN", LH_ST_EXPLAIN, explain},
    {"DECLARE", LH_ST_DECLARE_VAR, declare_stmt},
    {"EXECUTE", LH_ST_EXECUTE_IMMEDIATE, execute_stmt},
    {"MSCK", LH_ST_REPAIR, repair},
    {"REPAIR", LH_ST_REPAIR, repair},
};

lh_err lh_p_util(parser_t *p, lh_ast_stmt_t **out)
{
    *out = NULL;
    for (size_t i = 0; i < sizeof utils / sizeof utils[0]; i++)
        if (lh_p_is_kw(p, 0, utils[i].kw)) {
            *out = lh_p_new_stmt(p, utils[i].kind, p->pos);
            return utils[i].parse(p, *out);
        }
    return LH_OK;
}
