/*
 * format_expr.c - printing expressions, types and window specifications (format.h), and
 * the string builder both printer files share.
 *
 * Operands that are themselves operator expressions are parenthesized, so the printed
 * text states the tree's shape whatever the precedence rules.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "compute/sql/format_internal.h"
#include "compute/sql/lexer.h"

static void sb_reserve(sb_t *b, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *nb = realloc(b->buf, cap);
        LH_ASSERT(nb != NULL);
        b->buf = nb;
        b->cap = cap;
    }
}

void lh_sb_putn(sb_t *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void lh_sb_put(sb_t *b, const char *s)
{
    lh_sb_putn(b, s, strlen(s));
}

void lh_sb_printf(sb_t *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) { /* any length: SET values and identifiers can be long */
        sb_reserve(b, (size_t)n);
        vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

static bool plain_word(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

/* Words that would change the parse if printed bare where an identifier is meant
 * (VALUES too: after a parenthesis it would start an inline table; found by fuzz_sql). */
static bool needs_quotes(const char *s)
{
    size_t n = strlen(s);
    lh_kw_class_t k = lh_sql_keyword(s, n);
    return !plain_word(s) || k == LH_KW_RESERVED || k == LH_KW_STRICT ||
           lh_sql_keyword_ends_clause(s, n) || strcasecmp(s, "values") == 0;
}

void lh_sb_ident(sb_t *b, const lh_ast_ident_t *id)
{
    if (!id->quoted && !needs_quotes(id->text)) {
        lh_sb_put(b, id->text);
        return;
    }
    lh_sb_put(b, "`");
    for (const char *c = id->text; *c; c++) {
        if (*c == '`')
            lh_sb_put(b, "``");
        else
            lh_sb_putn(b, c, 1);
    }
    lh_sb_put(b, "`");
}

void lh_sb_name(sb_t *b, const lh_ast_name_t *n)
{
    for (int i = 0; i < n->count; i++) {
        if (i)
            lh_sb_put(b, ".");
        lh_sb_ident(b, &n->parts[i]);
    }
}

void lh_sb_idents(sb_t *b, const lh_ast_idents_t *ids)
{
    lh_sb_put(b, "(");
    for (int i = 0; i < ids->count; i++) {
        if (i)
            lh_sb_put(b, ", ");
        lh_sb_ident(b, &ids->items[i]);
    }
    lh_sb_put(b, ")");
}

void lh_sb_string(sb_t *b, const char *s)
{
    lh_sb_put(b, "'");
    for (; *s; s++) {
        switch (*s) {
        case '\'':
            lh_sb_put(b, "\\'");
            break;
        case '\\':
            lh_sb_put(b, "\\\\");
            break;
        case '\n':
            lh_sb_put(b, "\\n");
            break;
        case '\r':
            lh_sb_put(b, "\\r");
            break;
        case '\t':
            lh_sb_put(b, "\\t");
            break;
        default:
            lh_sb_putn(b, s, 1);
        }
    }
    lh_sb_put(b, "'");
}

void lh_fmt_exprs(sb_t *b, const lh_ast_exprs_t *l)
{
    for (int i = 0; i < l->count; i++) {
        if (i)
            lh_sb_put(b, ", ");
        lh_fmt_expr(b, l->items[i]);
    }
}

/* ---- types ------------------------------------------------------------------------------- */

void lh_fmt_type(sb_t *b, const lh_ast_type_t *t)
{
    lh_sb_put(b, t->name);
    if (strcmp(t->name, "ARRAY") == 0 || strcmp(t->name, "MAP") == 0) {
        lh_sb_put(b, "<");
        lh_fmt_type(b, t->elem);
        if (t->value) {
            lh_sb_put(b, ", ");
            lh_fmt_type(b, t->value);
        }
        lh_sb_put(b, ">");
    } else if (strcmp(t->name, "STRUCT") == 0) {
        lh_sb_put(b, "<");
        for (int i = 0; i < t->field_count; i++) {
            const lh_ast_field_t *f = &t->fields[i];
            lh_sb_put(b, i ? ", " : "");
            lh_sb_ident(b, &f->name);
            lh_sb_put(b, ": ");
            lh_fmt_type(b, f->type);
            if (f->not_null)
                lh_sb_put(b, " NOT NULL");
            if (f->comment) {
                lh_sb_put(b, " COMMENT ");
                lh_sb_string(b, f->comment);
            }
        }
        lh_sb_put(b, ">");
    } else if (t->from_unit) {
        lh_sb_printf(b, " %s", t->from_unit);
        if (t->to_unit)
            lh_sb_printf(b, " TO %s", t->to_unit);
    } else if (t->param_count) {
        lh_sb_printf(b, "(%d", t->params[0]);
        if (t->param_count > 1)
            lh_sb_printf(b, ", %d", t->params[1]);
        lh_sb_put(b, ")");
    }
}

/* ---- windows ------------------------------------------------------------------------------ */

void lh_fmt_sort(sb_t *b, const lh_ast_sort_t *s)
{
    for (int i = 0; i < s->count; i++) {
        const lh_ast_sort_item_t *it = &s->items[i];
        lh_sb_put(b, i ? ", " : "");
        lh_fmt_expr(b, it->expr);
        lh_sb_put(b, it->desc ? " DESC" : it->asc_written ? " ASC" : "");
        lh_sb_put(b, it->nulls == 1 ? " NULLS FIRST" : it->nulls == 2 ? " NULLS LAST" : "");
    }
}

static void fmt_bound(sb_t *b, const lh_ast_frame_bound_t *fb)
{
    switch (fb->kind) {
    case LH_BOUND_UNBOUNDED_PRECEDING:
        lh_sb_put(b, "UNBOUNDED PRECEDING");
        break;
    case LH_BOUND_UNBOUNDED_FOLLOWING:
        lh_sb_put(b, "UNBOUNDED FOLLOWING");
        break;
    case LH_BOUND_CURRENT_ROW:
        lh_sb_put(b, "CURRENT ROW");
        break;
    case LH_BOUND_PRECEDING:
    case LH_BOUND_FOLLOWING:
        lh_fmt_expr(b, fb->offset);
        lh_sb_put(b, fb->kind == LH_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
        break;
    case LH_BOUND_NONE:
        break;
    }
}

void lh_fmt_window(sb_t *b, const lh_ast_window_t *w)
{
    const char *sep = "";
    lh_sb_put(b, "(");
    if (w->base) {
        lh_sb_ident(b, w->base);
        sep = " ";
    }
    if (w->partition.count) {
        lh_sb_printf(b, "%sPARTITION BY ", sep);
        lh_fmt_exprs(b, &w->partition);
        sep = " ";
    }
    if (w->order.count) {
        lh_sb_printf(b, "%sORDER BY ", sep);
        lh_fmt_sort(b, &w->order);
        sep = " ";
    }
    if (w->frame) {
        lh_sb_printf(b, "%s%s ", sep, w->frame == 1 ? "ROWS" : "RANGE");
        if (w->end.kind != LH_BOUND_NONE) {
            lh_sb_put(b, "BETWEEN ");
            fmt_bound(b, &w->start);
            lh_sb_put(b, " AND ");
            fmt_bound(b, &w->end);
        } else {
            fmt_bound(b, &w->start);
        }
    }
    lh_sb_put(b, ")");
}

/* ---- expressions ---------------------------------------------------------------------------- */

static const char *const op_text[LH_OP__COUNT] = {
    [LH_OP_NEG] = "-",
    [LH_OP_PLUS] = "+",
    [LH_OP_NOT] = "NOT ",
    [LH_OP_BITNOT] = "~",
    [LH_OP_ADD] = "+",
    [LH_OP_SUB] = "-",
    [LH_OP_MUL] = "*",
    [LH_OP_DIV] = "/",
    [LH_OP_MOD] = "%",
    [LH_OP_IDIV] = "DIV",
    [LH_OP_CONCAT] = "||",
    [LH_OP_BITAND] = "&",
    [LH_OP_BITOR] = "|",
    [LH_OP_BITXOR] = "^",
    [LH_OP_SHL] = "<<",
    [LH_OP_SHR] = ">>",
    [LH_OP_USHR] = ">>>",
    [LH_OP_EQ] = "=",
    [LH_OP_EQ2] = "==",
    [LH_OP_NE] = "<>",
    [LH_OP_NE2] = "!=",
    [LH_OP_LT] = "<",
    [LH_OP_LE] = "<=",
    [LH_OP_GT] = ">",
    [LH_OP_GE] = ">=",
    [LH_OP_NSEQ] = "<=>",
    [LH_OP_DISTINCT] = "IS DISTINCT FROM",
    [LH_OP_NOT_DISTINCT] = "IS NOT DISTINCT FROM",
    [LH_OP_AND] = "AND",
    [LH_OP_OR] = "OR",
    [LH_OP_LIKE] = "LIKE",
    [LH_OP_ILIKE] = "ILIKE",
    [LH_OP_RLIKE] = "RLIKE",
    [LH_OP_REGEXP] = "REGEXP",
};

static bool needs_parens(const lh_ast_expr_t *e)
{
    switch (e->kind) {
    case LH_EX_UNARY:
    case LH_EX_BINARY:
    case LH_EX_IS:
    case LH_EX_IN:
    case LH_EX_IN_QUERY:
    case LH_EX_BETWEEN:
    case LH_EX_LIKE:
    case LH_EX_LAMBDA:
    case LH_EX_INTERVAL:
    case LH_EX_STAR: /* 2 * (*): a bare * only starts a list item */
        return true;
    case LH_EX_LITERAL:
        return e->u.lit.kind == LH_LIT_NUMBER && e->u.lit.text[0] == '-';
    default:
        return false;
    }
}

/* An operand: parenthesized when compound. */
static void operand(sb_t *b, const lh_ast_expr_t *e)
{
    bool p = needs_parens(e);
    lh_sb_put(b, p ? "(" : "");
    lh_fmt_expr(b, e);
    lh_sb_put(b, p ? ")" : "");
}

static void fmt_literal(sb_t *b, const lh_ast_expr_t *e)
{
    switch (e->u.lit.kind) {
    case LH_LIT_NULL:
    case LH_LIT_BOOL:
    case LH_LIT_NUMBER:
        lh_sb_put(b, e->u.lit.text);
        break;
    case LH_LIT_STRING:
        lh_sb_string(b, e->u.lit.str);
        break;
    case LH_LIT_BINARY:
        lh_sb_printf(b, "X'%s'", e->u.lit.str);
        break;
    case LH_LIT_TYPED:
        lh_sb_printf(b, "%s ", e->u.lit.type_name);
        lh_sb_string(b, e->u.lit.str);
        break;
    }
}

static void fmt_interval(sb_t *b, const lh_ast_expr_t *e)
{
    lh_sb_put(b, "INTERVAL");
    for (int i = 0; i < e->u.interval.count; i++) {
        lh_sb_put(b, " ");
        lh_fmt_expr(b, e->u.interval.values[i]);
        if (e->u.interval.units[i])
            lh_sb_printf(b, " %s", e->u.interval.units[i]);
    }
    if (e->u.interval.to_unit)
        lh_sb_printf(b, " TO %s", e->u.interval.to_unit);
}

static void fmt_star(sb_t *b, const lh_ast_expr_t *e)
{
    if (e->name.count) {
        lh_sb_name(b, &e->name);
        lh_sb_put(b, ".");
    }
    lh_sb_put(b, "*");
    if (e->u.star.except_count) {
        lh_sb_put(b, " EXCEPT (");
        for (int i = 0; i < e->u.star.except_count; i++) {
            lh_sb_put(b, i ? ", " : "");
            lh_sb_name(b, &e->u.star.except_names[i]);
        }
        lh_sb_put(b, ")");
    }
}

static void fmt_args_from(sb_t *b, const lh_ast_expr_t *e)
{
    const char *name = e->name.parts[0].text;
    const lh_ast_exprs_t *a = &e->args;
    if (e->u.func.trim != LH_TRIM_NONE) {
        static const char *const spec[] = {"", "BOTH", "LEADING", "TRAILING"};
        lh_sb_printf(b, "%s ", spec[e->u.func.trim]);
        if (a->count > 1) {
            lh_fmt_expr(b, a->items[1]);
            lh_sb_put(b, " ");
        }
        lh_sb_put(b, "FROM ");
        lh_fmt_expr(b, a->items[0]);
        return;
    }
    bool pos = strcasecmp(name, "POSITION") == 0, ovl = strcasecmp(name, "OVERLAY") == 0;
    operand(b, a->items[0]);
    lh_sb_put(b, pos ? " IN " : ovl ? " PLACING " : " FROM ");
    lh_fmt_expr(b, a->items[1]);
    int k = 2;
    if (ovl && a->count > 2) {
        lh_sb_put(b, " FROM ");
        lh_fmt_expr(b, a->items[k++]);
    }
    if (a->count > k) {
        lh_sb_put(b, " FOR ");
        lh_fmt_expr(b, a->items[k]);
    }
}

/* A function name: bare unless quoted or a word with its own call syntax. */
static void fmt_func_name(sb_t *b, const lh_ast_name_t *n)
{
    /* words with their own syntax where a call could stand (VALUES(0) is a table) */
    static const char *const special[] = {
        "CASE",  "CAST",   "TRY_CAST", "EXTRACT", "EXISTS", "INTERVAL", "NOT",      "NULL", "TRUE",
        "FALSE", "SELECT", "WITH",     "VALUES",  "FROM",   "TABLE",    "DISTINCT", "ALL",
    };
    for (int i = 0; i < n->count; i++) {
        const lh_ast_ident_t *id = &n->parts[i];
        bool quote = id->quoted || !plain_word(id->text);
        for (size_t k = 0; k < sizeof special / sizeof special[0] && n->count == 1; k++)
            quote = quote || strcasecmp(id->text, special[k]) == 0;
        lh_sb_put(b, i ? "." : "");
        if (quote)
            lh_sb_ident(b, &(lh_ast_ident_t){id->text, true, id->span});
        else
            lh_sb_put(b, id->text);
    }
}

static void fmt_func(sb_t *b, const lh_ast_expr_t *e)
{
    fmt_func_name(b, &e->name);
    lh_sb_put(b, "(");
    if (e->u.func.from_syntax)
        fmt_args_from(b, e);
    else if (e->u.func.star)
        lh_sb_put(b, "*");
    else {
        lh_sb_put(b, e->u.func.distinct ? "DISTINCT " : e->u.func.all ? "ALL " : "");
        lh_fmt_exprs(b, &e->args);
        if (e->u.func.nulls_inside)
            lh_sb_put(b, e->u.func.nulls == LH_NULLS_IGNORE ? " IGNORE NULLS" : " RESPECT NULLS");
    }
    lh_sb_put(b, ")");
    if (e->u.func.within_group.count) {
        lh_sb_put(b, " WITHIN GROUP (ORDER BY ");
        lh_fmt_sort(b, &e->u.func.within_group);
        lh_sb_put(b, ")");
    }
    if (e->u.func.filter) {
        lh_sb_put(b, " FILTER (WHERE ");
        lh_fmt_expr(b, e->u.func.filter);
        lh_sb_put(b, ")");
    }
    if (e->u.func.nulls != LH_NULLS_DEFAULT && !e->u.func.nulls_inside)
        lh_sb_put(b, e->u.func.nulls == LH_NULLS_IGNORE ? " IGNORE NULLS" : " RESPECT NULLS");
    if (e->u.func.over) {
        lh_sb_put(b, " OVER ");
        lh_fmt_window(b, e->u.func.over);
    } else if (e->u.func.over_name) {
        lh_sb_put(b, " OVER ");
        lh_sb_ident(b, e->u.func.over_name);
    }
}

static void fmt_case(sb_t *b, const lh_ast_expr_t *e)
{
    lh_sb_put(b, "CASE");
    if (e->u.case_.operand) {
        lh_sb_put(b, " ");
        lh_fmt_expr(b, e->u.case_.operand);
    }
    for (int i = 0; i < e->u.case_.whens.count; i++) {
        lh_sb_put(b, " WHEN ");
        lh_fmt_expr(b, e->u.case_.whens.items[i]);
        lh_sb_put(b, " THEN ");
        lh_fmt_expr(b, e->u.case_.thens.items[i]);
    }
    if (e->u.case_.else_) {
        lh_sb_put(b, " ELSE ");
        lh_fmt_expr(b, e->u.case_.else_);
    }
    lh_sb_put(b, " END");
}

static void fmt_predicate(sb_t *b, const lh_ast_expr_t *e)
{
    operand(b, e->args.items[0]);
    const char *not = e->negated ? " NOT" : "";
    if (e->kind == LH_EX_IS) {
        static const char *const w[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
        lh_sb_printf(b, " IS%s %s", not, w[e->u.is.what]);
    } else if (e->kind == LH_EX_BETWEEN) {
        lh_sb_printf(b, "%s BETWEEN ", not );
        operand(b, e->args.items[1]);
        lh_sb_put(b, " AND ");
        operand(b, e->args.items[2]);
    } else if (e->kind == LH_EX_IN || e->kind == LH_EX_IN_QUERY) {
        lh_sb_printf(b, "%s IN (", not );
        if (e->kind == LH_EX_IN_QUERY)
            lh_fmt_query(b, e->query);
        for (int i = 1; i < e->args.count; i++) {
            lh_sb_put(b, i > 1 ? ", " : "");
            lh_fmt_expr(b, e->args.items[i]);
        }
        lh_sb_put(b, ")");
    } else { /* LIKE */
        lh_sb_printf(b, "%s %s ", not, op_text[e->op]);
        static const char *const q[] = {"", "ANY", "SOME", "ALL"};
        if (e->u.like.quant != LH_QUANT_NONE) {
            lh_sb_printf(b, "%s (", q[e->u.like.quant]);
            for (int i = 1; i < e->args.count; i++) {
                lh_sb_put(b, i > 1 ? ", " : "");
                lh_fmt_expr(b, e->args.items[i]);
            }
            lh_sb_put(b, ")");
        } else {
            operand(b, e->args.items[1]);
        }
        if (e->u.like.escape) {
            lh_sb_put(b, " ESCAPE ");
            lh_fmt_expr(b, e->u.like.escape);
        }
    }
}

static void fmt_lambda(sb_t *b, const lh_ast_expr_t *e)
{
    bool parens = e->u.lambda.params.count != 1 || e->u.lambda.parens;
    if (parens)
        lh_sb_idents(b, &e->u.lambda.params);
    else
        lh_sb_ident(b, &e->u.lambda.params.items[0]);
    lh_sb_put(b, " -> ");
    lh_fmt_expr(b, e->args.items[0]);
}

static void fmt_postfix(sb_t *b, const lh_ast_expr_t *e)
{
    operand(b, e->args.items[0]);
    switch (e->kind) {
    case LH_EX_SUBSCRIPT:
        lh_sb_put(b, "[");
        lh_fmt_expr(b, e->args.items[1]);
        lh_sb_put(b, "]");
        break;
    case LH_EX_FIELD:
        lh_sb_put(b, ".");
        lh_sb_ident(b, &e->ident);
        break;
    case LH_EX_JSON_PATH:
        lh_sb_printf(b, ":%s", e->str);
        break;
    case LH_EX_COLLATE:
        lh_sb_put(b, " COLLATE ");
        lh_sb_ident(b, &e->ident);
        break;
    case LH_EX_ALIAS:
        lh_sb_put(b, " AS ");
        lh_sb_ident(b, &e->ident);
        break;
    case LH_EX_CAST:
        lh_sb_put(b, "::");
        lh_fmt_type(b, e->u.cast.type);
        break;
    default:
        break;
    }
}

static void fmt_special(sb_t *b, const lh_ast_expr_t *e)
{
    switch (e->kind) {
    case LH_EX_CAST:
        if (e->u.cast.style == LH_CAST_COLONS)
            return fmt_postfix(b, e);
        lh_sb_put(b, e->u.cast.style == LH_CAST_TRY ? "TRY_CAST(" : "CAST(");
        lh_fmt_expr(b, e->args.items[0]);
        lh_sb_put(b, " AS ");
        lh_fmt_type(b, e->u.cast.type);
        lh_sb_put(b, ")");
        break;
    case LH_EX_EXTRACT:
        lh_sb_put(b, "EXTRACT(");
        lh_sb_ident(b, &e->ident);
        lh_sb_put(b, " FROM ");
        lh_fmt_expr(b, e->args.items[0]);
        lh_sb_put(b, ")");
        break;
    case LH_EX_NAMED_ARG:
        lh_sb_ident(b, &e->ident);
        lh_sb_put(b, " => ");
        lh_fmt_expr(b, e->args.items[0]);
        break;
    case LH_EX_SUBQUERY:
    case LH_EX_EXISTS:
        lh_sb_put(b, e->kind == LH_EX_EXISTS ? "EXISTS (" : "(");
        lh_fmt_query(b, e->query);
        lh_sb_put(b, ")");
        break;
    case LH_EX_ROW:
        lh_sb_put(b, "(");
        lh_fmt_exprs(b, &e->args);
        lh_sb_put(b, ")");
        break;
    case LH_EX_PARAM:
        if (e->str) {
            lh_sb_put(b, ":");
            lh_sb_ident(b, &(lh_ast_ident_t){e->str, false, e->span});
        } else
            lh_sb_put(b, "?");
        break;
    default:
        fmt_postfix(b, e);
    }
}

void lh_fmt_expr(sb_t *b, const lh_ast_expr_t *e)
{
    switch (e->kind) {
    case LH_EX_LITERAL:
        return fmt_literal(b, e);
    case LH_EX_INTERVAL:
        return fmt_interval(b, e);
    case LH_EX_COLUMN:
        return lh_sb_name(b, &e->name);
    case LH_EX_STAR:
        return fmt_star(b, e);
    case LH_EX_UNARY:
        lh_sb_put(b, op_text[e->op]);
        return operand(b, e->args.items[0]);
    case LH_EX_BINARY:
        operand(b, e->args.items[0]);
        lh_sb_printf(b, " %s ", op_text[e->op]);
        return operand(b, e->args.items[1]);
    case LH_EX_IS:
    case LH_EX_IN:
    case LH_EX_IN_QUERY:
    case LH_EX_BETWEEN:
    case LH_EX_LIKE:
        return fmt_predicate(b, e);
    case LH_EX_CASE:
        return fmt_case(b, e);
    case LH_EX_FUNC:
        return fmt_func(b, e);
    case LH_EX_LAMBDA:
        return fmt_lambda(b, e);
    default:
        return fmt_special(b, e);
    }
}
