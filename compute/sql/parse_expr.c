/*
 * parse_expr.c - expressions with Spark's precedence (SqlBaseParser.g4), lowest first:
 *   OR < AND < NOT < predicate (BETWEEN, IN, LIKE.., IS ..: one, after a value) <
 *   comparison (= == <> != < <= > >= <=>) < | < ^ < & < shifts < + - || < * / % div <
 *   unary - + ~ < postfix ([i], .f, :path, ::type) < primary.
 * Binary levels are a table (binops); each level is one loop. Special call forms (CAST,
 * EXTRACT, TRIM.. FROM, SUBSTRING.. FROM, POSITION.. IN, OVERLAY) and literals (typed,
 * INTERVAL, numbers with range checks) live here too; types are parsed by lh_p_type.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "compute/sql/parser_internal.h"
#include "compute/sql/sqlerr.h"

lh_ast_expr_t *lh_p_new_expr(parser_t *p, lh_ast_expr_kind_t kind, uint32_t first)
{
    lh_ast_expr_t *e = lh_arena_calloc(p->arena, 1, sizeof *e);
    e->kind = kind;
    e->span.start = p->toks[first < p->count ? first : p->count - 1].start;
    return e;
}

static lh_ast_expr_t *finish(parser_t *p, lh_ast_expr_t *e, uint32_t first)
{
    e->span = lh_p_span(p, first);
    return e;
}

static void add_arg(parser_t *p, lh_ast_expr_t *e, lh_ast_expr_t *a)
{
    PUSH(p, e->args.items, e->args.count, a);
}

static lh_err value_expr(parser_t *p, lh_ast_expr_t **out);
static lh_err primary(parser_t *p, lh_ast_expr_t **out);

lh_err lh_p_expr_list(parser_t *p, lh_ast_exprs_t *out)
{
    memset(out, 0, sizeof *out);
    do {
        lh_ast_expr_t *e;
        LH_TRY(lh_p_expr(p, &e));
        PUSH(p, out->items, out->count, e);
    } while (lh_p_accept_op(p, ","));
    return LH_OK;
}

/* ---- binary operator levels (valueExpression) ----------------------------------------- */

typedef struct binop {
    int level; /* higher binds tighter */
    const char *text;
    bool word;
    lh_ast_op_t op;
} binop_t;

static const binop_t binops[] = {
    {1, "=", 0, LH_OP_EQ},     {1, "==", 0, LH_OP_EQ2},   {1, "<>", 0, LH_OP_NE},
    {1, "!=", 0, LH_OP_NE2},   {1, "<", 0, LH_OP_LT},     {1, "<=", 0, LH_OP_LE},
    {1, ">", 0, LH_OP_GT},     {1, ">=", 0, LH_OP_GE},    {1, "<=>", 0, LH_OP_NSEQ},
    {2, "|", 0, LH_OP_BITOR},  {3, "^", 0, LH_OP_BITXOR}, {4, "&", 0, LH_OP_BITAND},
    {5, "<<", 0, LH_OP_SHL},   {5, ">>", 0, LH_OP_SHR},   {5, ">>>", 0, LH_OP_USHR},
    {6, "+", 0, LH_OP_ADD},    {6, "-", 0, LH_OP_SUB},    {6, "||", 0, LH_OP_CONCAT},
    {7, "*", 0, LH_OP_MUL},    {7, "/", 0, LH_OP_DIV},    {7, "%", 0, LH_OP_MOD},
    {7, "DIV", 1, LH_OP_IDIV},
};
#define TOP_LEVEL 7

static const binop_t *binop_at(const parser_t *p, int level)
{
    const lh_token_t *t = lh_p_peek(p, 0);
    for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++) {
        const binop_t *b = &binops[i];
        if (b->level != level)
            continue;
        if (b->word ? (t->kind == LH_TK_WORD && strcasecmp(t->value, b->text) == 0)
                    : (t->kind == LH_TK_OP && strcmp(t->value, b->text) == 0))
            return b;
    }
    return NULL;
}

static lh_err unary(parser_t *p, lh_ast_expr_t **out);

static lh_err binary_level(parser_t *p, int level, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    if (level > TOP_LEVEL)
        return unary(p, out);
    lh_ast_expr_t *left;
    LH_TRY(binary_level(p, level + 1, &left));
    const binop_t *b;
    int chain = 0; /* each operator deepens the (left-deep) tree: count it */
    while ((b = binop_at(p, level)) != NULL) {
        LH_TRY(lh_p_enter(p));
        chain++;
        p->pos++;
        lh_ast_expr_t *right;
        LH_TRY(binary_level(p, level + 1, &right));
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_BINARY, first);
        e->op = b->op;
        add_arg(p, e, left);
        add_arg(p, e, right);
        left = finish(p, e, first);
    }
    p->depth -= chain;
    *out = left;
    return LH_OK;
}

static lh_err postfix(parser_t *p, lh_ast_expr_t **out);

static lh_err unary(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    lh_ast_op_t op = lh_p_is_op(p, 0, "-")   ? LH_OP_NEG
                     : lh_p_is_op(p, 0, "+") ? LH_OP_PLUS
                     : lh_p_is_op(p, 0, "~") ? LH_OP_BITNOT
                                             : LH_OP_NONE;
    if (op == LH_OP_NONE)
        return postfix(p, out);
    LH_TRY(lh_p_enter(p));
    p->neg_number = op == LH_OP_NEG && lh_p_peek(p, 1)->kind == LH_TK_NUMBER;
    p->pos++;
    if (p->neg_number) { /* Spark's number rule owns the sign: -10L :: INT casts -10 */
        LH_TRY(postfix(p, out));
        lh_p_leave(p);
        return LH_OK;
    }
    lh_ast_expr_t *arg;
    LH_TRY(unary(p, &arg));
    lh_p_leave(p);
    /* Spark folds "-" into a directly following numeric literal: -128Y is one literal */
    if (op == LH_OP_NEG && arg->kind == LH_EX_LITERAL && arg->u.lit.kind == LH_LIT_NUMBER &&
        arg->u.lit.text[0] != '-' && first + 2 == p->pos) {
        arg->u.lit.text = lh_arena_sprintf(p->arena, "-%s", arg->u.lit.text);
        *out = finish(p, arg, first);
        return LH_OK;
    }
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_UNARY, first);
    e->op = op;
    add_arg(p, e, arg);
    *out = finish(p, e, first);
    return LH_OK;
}

static lh_err value_expr(parser_t *p, lh_ast_expr_t **out)
{
    LH_TRY(lh_p_enter(p));
    LH_TRY(binary_level(p, 1, out));
    lh_p_leave(p);
    return LH_OK;
}

/* ---- predicates and boolean levels ------------------------------------------------------ */

static lh_err like_predicate(parser_t *p, lh_ast_expr_t *e)
{
    const char *w = lh_p_peek(p, 0)->value;
    e->op = strcasecmp(w, "LIKE") == 0    ? LH_OP_LIKE
            : strcasecmp(w, "ILIKE") == 0 ? LH_OP_ILIKE
            : strcasecmp(w, "RLIKE") == 0 ? LH_OP_RLIKE
                                          : LH_OP_REGEXP;
    e->kind = LH_EX_LIKE;
    p->pos++;
    bool can_quant = e->op == LH_OP_LIKE || e->op == LH_OP_ILIKE;
    lh_ast_quant_t q = !can_quant                 ? LH_QUANT_NONE
                       : lh_p_is_kw(p, 0, "ANY")  ? LH_QUANT_ANY
                       : lh_p_is_kw(p, 0, "SOME") ? LH_QUANT_SOME
                       : lh_p_is_kw(p, 0, "ALL")  ? LH_QUANT_ALL
                                                  : LH_QUANT_NONE;
    if (q != LH_QUANT_NONE && lh_p_is_op(p, 1, "(")) {
        e->u.like.quant = q;
        p->pos += 2;
        if (lh_p_is_op(p, 0, ")")) {
            const lh_token_t *t = lh_p_peek(p, 0);
            return lh_sqlerr_at(p->eb, (int)t->line, (int)t->col, "_LEGACY_ERROR_TEMP_0064", "msg",
                                "Expected something between '(' and ')'.", NULL);
        }
        lh_ast_exprs_t list;
        LH_TRY(lh_p_expr_list(p, &list));
        for (int i = 0; i < list.count; i++)
            add_arg(p, e, list.items[i]);
        return lh_p_expect_op(p, ")");
    }
    lh_ast_expr_t *pat;
    LH_TRY(value_expr(p, &pat));
    add_arg(p, e, pat);
    if (can_quant && lh_p_accept_kw(p, "ESCAPE")) {
        uint32_t f = p->pos;
        lh_ast_expr_t *esc = lh_p_new_expr(p, LH_EX_LITERAL, f);
        esc->u.lit.kind = LH_LIT_STRING;
        LH_TRY(lh_p_string(p, &esc->u.lit.str));
        esc->u.lit.str_len = (uint32_t)strlen(esc->u.lit.str);
        finish(p, esc, f);
        esc->u.lit.text = lh_p_text(p, esc->span);
        e->u.like.escape = esc;
    }
    return LH_OK;
}

static lh_err in_predicate(parser_t *p, lh_ast_expr_t *e)
{
    p->pos++; /* IN */
    lh_ast_expr_t *sub;
    bool done = false;
    if (lh_p_is_op(p, 0, "("))
        LH_TRY(lh_p_try_subquery(p, &sub, &done)); /* IN ((SELECT 1) + 1) is a list */
    if (done) {
        e->kind = LH_EX_IN_QUERY;
        e->query = sub->query;
        return LH_OK;
    }
    LH_TRY(lh_p_expect_op(p, "("));
    e->kind = LH_EX_IN;
    lh_ast_exprs_t list;
    LH_TRY(lh_p_expr_list(p, &list));
    for (int i = 0; i < list.count; i++)
        add_arg(p, e, list.items[i]);
    return lh_p_expect_op(p, ")");
}

static lh_err is_predicate(parser_t *p, lh_ast_expr_t *e, uint32_t first)
{
    p->pos++; /* IS */
    e->negated = lh_p_accept_kw(p, "NOT") || lh_p_accept_op(p, "!");
    e->kind = LH_EX_IS;
    if (lh_p_accept_kw(p, "NULL"))
        e->u.is.what = LH_IS_NULL;
    else if (lh_p_accept_kw(p, "TRUE"))
        e->u.is.what = LH_IS_TRUE;
    else if (lh_p_accept_kw(p, "FALSE"))
        e->u.is.what = LH_IS_FALSE;
    else if (lh_p_accept_kw(p, "UNKNOWN"))
        e->u.is.what = LH_IS_UNKNOWN;
    else if (lh_p_accept_kw(p, "DISTINCT")) {
        LH_TRY(lh_p_expect_kw(p, "FROM"));
        e->kind = LH_EX_BINARY;
        e->op = e->negated ? LH_OP_NOT_DISTINCT : LH_OP_DISTINCT;
        e->negated = false;
        lh_ast_expr_t *r;
        LH_TRY(value_expr(p, &r));
        add_arg(p, e, r);
    } else
        return lh_p_fail(p);
    (void)first;
    return LH_OK;
}

/* valueExpression predicate? */
static lh_err predicated(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    lh_ast_expr_t *v;
    LH_TRY(value_expr(p, &v));
    uint32_t at = p->pos;
    bool neg = lh_p_is_kw(p, 0, "NOT") || lh_p_is_op(p, 0, "!");
    uint32_t k = neg ? 1 : 0;
    bool is_between = lh_p_is_kw(p, k, "BETWEEN"), is_in = lh_p_is_kw(p, k, "IN");
    bool is_like = lh_p_is_kw(p, k, "LIKE") || lh_p_is_kw(p, k, "ILIKE") ||
                   lh_p_is_kw(p, k, "RLIKE") || lh_p_is_kw(p, k, "REGEXP");
    bool is_is = !neg && lh_p_is_kw(p, 0, "IS");
    if (!is_between && !is_in && !is_like && !is_is) {
        *out = v;
        return LH_OK;
    }
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_BETWEEN, first);
    add_arg(p, e, v);
    p->pos += k;
    e->negated = neg;
    if (is_between) {
        p->pos++;
        lh_ast_expr_t *lo, *hi;
        LH_TRY(value_expr(p, &lo));
        LH_TRY(lh_p_expect_kw(p, "AND"));
        LH_TRY(value_expr(p, &hi));
        add_arg(p, e, lo);
        add_arg(p, e, hi);
    } else if (is_in) {
        LH_TRY(in_predicate(p, e));
    } else if (is_like) {
        LH_TRY(like_predicate(p, e));
    } else {
        LH_TRY(is_predicate(p, e, at));
    }
    *out = finish(p, e, first);
    return LH_OK;
}

static lh_err not_level(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    if (lh_p_is_kw(p, 0, "NOT") || lh_p_is_op(p, 0, "!")) {
        LH_TRY(lh_p_enter(p));
        p->pos++;
        lh_ast_expr_t *arg;
        LH_TRY(not_level(p, &arg));
        lh_p_leave(p);
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_UNARY, first);
        e->op = LH_OP_NOT;
        add_arg(p, e, arg);
        *out = finish(p, e, first);
        return LH_OK;
    }
    return predicated(p, out);
}

static lh_err logic_level(parser_t *p, bool is_or, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    lh_ast_expr_t *left;
    LH_TRY(is_or ? logic_level(p, false, &left) : not_level(p, &left));
    int chain = 0;
    while (lh_p_is_kw(p, 0, is_or ? "OR" : "AND")) {
        LH_TRY(lh_p_enter(p));
        chain++;
        p->pos++;
        lh_ast_expr_t *right;
        LH_TRY(is_or ? logic_level(p, false, &right) : not_level(p, &right));
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_BINARY, first);
        e->op = is_or ? LH_OP_OR : LH_OP_AND;
        add_arg(p, e, left);
        add_arg(p, e, right);
        left = finish(p, e, first);
    }
    p->depth -= chain;
    *out = left;
    return LH_OK;
}

lh_err lh_p_expr(parser_t *p, lh_ast_expr_t **out)
{
    LH_TRY(lh_p_enter(p));
    LH_TRY(logic_level(p, true, out));
    lh_p_leave(p);
    return LH_OK;
}

/* ---- types ------------------------------------------------------------------------------ */

static const char *const scalar_types[] = {
    "BOOLEAN",       "TINYINT",       "BYTE",    "SMALLINT", "SHORT",     "INT",     "INTEGER",
    "BIGINT",        "LONG",          "FLOAT",   "REAL",     "DOUBLE",    "DATE",    "TIMESTAMP",
    "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "STRING",  "CHAR",     "CHARACTER", "VARCHAR", "BINARY",
    "DECIMAL",       "DEC",           "NUMERIC", "VOID",     "VARIANT",   NULL,
};

static const char *const interval_units[] = {
    "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", NULL,
};

static bool in_list(const char *const *list, const char *w)
{
    for (int i = 0; list[i]; i++)
        if (strcasecmp(list[i], w) == 0)
            return true;
    return false;
}

static char *upper(parser_t *p, const char *s)
{
    char *u = lh_arena_strdup(p->arena, s);
    for (char *c = u; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    return u;
}

/* Consume one '>' even when the lexer glued it into ">>" or ">>>" or ">=". */
static lh_err close_angle(parser_t *p)
{
    lh_token_t *t = &p->toks[p->pos < p->count ? p->pos : p->count - 1];
    if (t->kind == LH_TK_OP && t->value[0] == '>' && t->value_len > 1) {
        t->value++;
        t->value_len--;
        t->start++;
        t->col++;
        return LH_OK;
    }
    return lh_p_expect_op(p, ">");
}

static lh_err struct_fields(parser_t *p, lh_ast_type_t *t)
{
    if (lh_p_is_op(p, 0, ">") || lh_p_is_op(p, 0, ">>"))
        return close_angle(p);
    do {
        lh_ast_field_t f = {0};
        LH_TRY(lh_p_ident(p, &f.name));
        lh_p_accept_op(p, ":");
        LH_TRY(lh_p_type(p, &f.type));
        if (lh_p_is_kw(p, 0, "NOT") && lh_p_is_kw(p, 1, "NULL")) {
            p->pos += 2;
            f.not_null = true;
        }
        if (lh_p_accept_kw(p, "COMMENT"))
            LH_TRY(lh_p_string(p, &f.comment));
        PUSH(p, t->fields, t->field_count, f);
    } while (lh_p_accept_op(p, ","));
    return close_angle(p);
}

static lh_err int_param(parser_t *p, int *out)
{
    const lh_token_t *t = lh_p_peek(p, 0);
    if (t->kind != LH_TK_NUMBER || t->num != LH_NUM_INT || t->value_len > 9)
        return lh_p_fail(p);
    *out = atoi(t->value);
    p->pos++;
    return LH_OK;
}

static lh_err complex_type(parser_t *p, lh_ast_type_t *t)
{
    if (strcmp(t->name, "STRUCT") == 0) {
        if (!lh_p_accept_op(p, "<"))
            return lh_p_accept_op(p, "<>") ? LH_OK : lh_p_fail(p);
        return struct_fields(p, t);
    }
    LH_TRY(lh_p_expect_op(p, "<"));
    LH_TRY(lh_p_type(p, &t->elem));
    if (strcmp(t->name, "MAP") == 0) {
        LH_TRY(lh_p_expect_op(p, ","));
        LH_TRY(lh_p_type(p, &t->value));
    }
    return close_angle(p);
}

static lh_err interval_type(parser_t *p, lh_ast_type_t *t)
{
    if (lh_p_peek(p, 0)->kind == LH_TK_WORD && in_list(interval_units, lh_p_peek(p, 0)->value)) {
        t->from_unit = upper(p, lh_p_peek(p, 0)->value);
        p->pos++;
        if (lh_p_accept_kw(p, "TO")) {
            if (!in_list(interval_units, lh_p_peek(p, 0)->value) ||
                lh_p_peek(p, 0)->kind != LH_TK_WORD)
                return lh_p_fail(p);
            t->to_unit = upper(p, lh_p_peek(p, 0)->value);
            p->pos++;
        }
    }
    return LH_OK;
}

lh_err lh_p_type(parser_t *p, lh_ast_type_t **out)
{
    uint32_t first = p->pos;
    const lh_token_t *tok = lh_p_peek(p, 0);
    if (tok->kind != LH_TK_WORD)
        return lh_p_fail(p);
    LH_TRY(lh_p_enter(p));
    lh_ast_type_t *t = lh_arena_calloc(p->arena, 1, sizeof *t);
    t->name = upper(p, tok->value);
    p->pos++;
    if (strcmp(t->name, "ARRAY") == 0 || strcmp(t->name, "MAP") == 0 ||
        strcmp(t->name, "STRUCT") == 0) {
        LH_TRY(complex_type(p, t));
    } else if (strcmp(t->name, "INTERVAL") == 0) {
        LH_TRY(interval_type(p, t));
    } else if (!in_list(scalar_types, t->name)) {
        return lh_sqlerr_at(p->eb, (int)tok->line, (int)tok->col, "UNSUPPORTED_DATATYPE",
                            "typeName", lh_arena_sprintf(p->arena, "\"%s\"", t->name), NULL);
    } else if (lh_p_accept_op(p, "(")) {
        do {
            if (t->param_count == 2)
                return lh_p_fail(p);
            LH_TRY(int_param(p, &t->params[t->param_count++]));
        } while (lh_p_accept_op(p, ","));
        LH_TRY(lh_p_expect_op(p, ")"));
    }
    t->span = lh_p_span(p, first);
    lh_p_leave(p);
    *out = t;
    return LH_OK;
}

/* ---- window specifications ----------------------------------------------------------------- */

static lh_err frame_bound(parser_t *p, lh_ast_frame_bound_t *b)
{
    if (lh_p_is_kw(p, 0, "UNBOUNDED")) {
        p->pos++;
        if (lh_p_accept_kw(p, "PRECEDING"))
            b->kind = LH_BOUND_UNBOUNDED_PRECEDING;
        else if (lh_p_accept_kw(p, "FOLLOWING"))
            b->kind = LH_BOUND_UNBOUNDED_FOLLOWING;
        else
            return lh_p_fail(p);
        return LH_OK;
    }
    if (lh_p_is_kw(p, 0, "CURRENT") && lh_p_is_kw(p, 1, "ROW")) {
        p->pos += 2;
        b->kind = LH_BOUND_CURRENT_ROW;
        return LH_OK;
    }
    LH_TRY(lh_p_expr(p, &b->offset));
    if (lh_p_accept_kw(p, "PRECEDING"))
        b->kind = LH_BOUND_PRECEDING;
    else if (lh_p_accept_kw(p, "FOLLOWING"))
        b->kind = LH_BOUND_FOLLOWING;
    else
        return lh_p_fail(p);
    return LH_OK;
}

static lh_err window_frame(parser_t *p, lh_ast_window_t *w)
{
    w->frame = lh_p_accept_kw(p, "ROWS") ? 1 : lh_p_accept_kw(p, "RANGE") ? 2 : 0;
    if (!w->frame)
        return LH_OK;
    if (lh_p_accept_kw(p, "BETWEEN")) {
        LH_TRY(frame_bound(p, &w->start));
        LH_TRY(lh_p_expect_kw(p, "AND"));
        return frame_bound(p, &w->end);
    }
    return frame_bound(p, &w->start);
}

lh_err lh_p_window_spec(parser_t *p, lh_ast_window_t **out)
{
    uint32_t first = p->pos;
    lh_ast_window_t *w = lh_arena_calloc(p->arena, 1, sizeof *w);
    LH_TRY(lh_p_expect_op(p, "("));
    if (lh_p_is_ident(p, 0) && !lh_p_is_kw(p, 0, "PARTITION") && !lh_p_is_kw(p, 0, "ORDER") &&
        !lh_p_is_kw(p, 0, "ROWS") && !lh_p_is_kw(p, 0, "RANGE") && !lh_p_is_kw(p, 0, "SORT") &&
        !lh_p_is_kw(p, 0, "DISTRIBUTE") && !lh_p_is_kw(p, 0, "CLUSTER")) {
        w->base = lh_arena_calloc(p->arena, 1, sizeof *w->base);
        LH_TRY(lh_p_ident(p, w->base));
    }
    if ((lh_p_is_kw(p, 0, "PARTITION") || lh_p_is_kw(p, 0, "DISTRIBUTE") ||
         lh_p_is_kw(p, 0, "CLUSTER")) &&
        lh_p_is_kw(p, 1, "BY")) {
        p->pos += 2;
        LH_TRY(lh_p_expr_list(p, &w->partition));
    }
    if ((lh_p_is_kw(p, 0, "ORDER") || lh_p_is_kw(p, 0, "SORT")) && lh_p_is_kw(p, 1, "BY")) {
        p->pos += 2;
        LH_TRY(lh_p_sort_list(p, &w->order));
    }
    LH_TRY(window_frame(p, w));
    LH_TRY(lh_p_expect_op(p, ")"));
    w->span = lh_p_span(p, first);
    *out = w;
    return LH_OK;
}

lh_err lh_p_sort_list(parser_t *p, lh_ast_sort_t *out)
{
    memset(out, 0, sizeof *out);
    do {
        lh_ast_sort_item_t it = {0};
        LH_TRY(lh_p_expr(p, &it.expr));
        if (lh_p_accept_kw(p, "ASC"))
            it.asc_written = true;
        else if (lh_p_accept_kw(p, "DESC"))
            it.desc = true;
        if (lh_p_is_kw(p, 0, "NULLS")) {
            p->pos++;
            if (lh_p_accept_kw(p, "FIRST"))
                it.nulls = 1;
            else if (lh_p_accept_kw(p, "LAST"))
                it.nulls = 2;
            else
                return lh_p_fail(p);
        }
        PUSH(p, out->items, out->count, it);
    } while (lh_p_accept_op(p, ","));
    return LH_OK;
}

/* ---- function calls ---------------------------------------------------------------------- */

static lh_err call_arg(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    if (lh_p_is_ident(p, 0) && lh_p_is_op(p, 1, "=>")) {
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_NAMED_ARG, first);
        LH_TRY(lh_p_ident(p, &e->ident));
        p->pos++;
        lh_ast_expr_t *v;
        LH_TRY(lh_p_expr(p, &v));
        add_arg(p, e, v);
        *out = finish(p, e, first);
        return LH_OK;
    }
    return lh_p_expr(p, out);
}

static bool name_is(const lh_ast_name_t *n, const char *w)
{
    return n->count == 1 && !n->parts[0].quoted && strcasecmp(n->parts[0].text, w) == 0;
}

/* TRIM([BOTH|LEADING|TRAILING] [chars] FROM src) */
static lh_err trim_form(parser_t *p, lh_ast_expr_t *e, bool *done)
{
    uint32_t save = p->pos;
    lh_ast_trim_t spec = lh_p_accept_kw(p, "BOTH")       ? LH_TRIM_BOTH
                         : lh_p_accept_kw(p, "LEADING")  ? LH_TRIM_LEADING
                         : lh_p_accept_kw(p, "TRAILING") ? LH_TRIM_TRAILING
                                                         : LH_TRIM_NONE;
    lh_ast_expr_t *chars = NULL, *src;
    if (!lh_p_is_kw(p, 0, "FROM")) {
        LH_TRY(lh_p_expr(p, &chars));
        if (!lh_p_is_kw(p, 0, "FROM")) {
            if (spec != LH_TRIM_NONE)
                return lh_p_fail(p);
            p->pos = save; /* plain trim(x [, y]) */
            return LH_OK;
        }
    }
    p->pos++; /* FROM */
    LH_TRY(lh_p_expr(p, &src));
    e->u.func.trim = spec == LH_TRIM_NONE ? LH_TRIM_BOTH : spec;
    e->u.func.from_syntax = true;
    add_arg(p, e, src);
    if (chars)
        add_arg(p, e, chars);
    *done = true;
    return lh_p_expect_op(p, ")");
}

/* SUBSTRING(x FROM a [FOR b]), POSITION(a IN b), OVERLAY(x PLACING y FROM a [FOR b]) */
static lh_err from_form(parser_t *p, lh_ast_expr_t *e, bool *done)
{
    bool pos = name_is(&e->name, "POSITION"), ovl = name_is(&e->name, "OVERLAY");
    bool sub = name_is(&e->name, "SUBSTRING") || name_is(&e->name, "SUBSTR");
    if (!pos && !ovl && !sub)
        return LH_OK;
    uint32_t save = p->pos;
    lh_ast_expr_t *a;
    if (pos) {
        LH_TRY(value_expr(p, &a)); /* IN would be a predicate at expression level */
        if (!lh_p_accept_kw(p, "IN")) {
            p->pos = save;
            return LH_OK;
        }
    } else {
        LH_TRY(lh_p_expr(p, &a));
        if (!lh_p_is_kw(p, 0, ovl ? "PLACING" : "FROM")) {
            p->pos = save;
            return LH_OK;
        }
        p->pos++;
    }
    add_arg(p, e, a);
    lh_ast_expr_t *b;
    LH_TRY(lh_p_expr(p, &b));
    add_arg(p, e, b);
    if (ovl) {
        LH_TRY(lh_p_expect_kw(p, "FROM"));
        LH_TRY(lh_p_expr(p, &b));
        add_arg(p, e, b);
    }
    if (!pos && lh_p_accept_kw(p, "FOR")) {
        LH_TRY(lh_p_expr(p, &b));
        add_arg(p, e, b);
    }
    e->u.func.from_syntax = true;
    *done = true;
    return lh_p_expect_op(p, ")");
}

static lh_err call_args(parser_t *p, lh_ast_expr_t *e)
{
    bool done = false;
    if (name_is(&e->name, "TRIM"))
        LH_TRY(trim_form(p, e, &done));
    else
        LH_TRY(from_form(p, e, &done));
    if (done || lh_p_accept_op(p, ")"))
        return LH_OK;
    if (lh_p_is_op(p, 0, "*") && lh_p_is_op(p, 1, ")")) {
        e->u.func.star = true;
        p->pos += 2;
        return LH_OK;
    }
    if (lh_p_accept_kw(p, "DISTINCT"))
        e->u.func.distinct = true;
    else if (lh_p_is_kw(p, 0, "ALL") && !lh_p_is_op(p, 1, ")") && !lh_p_is_op(p, 1, ","))
        e->u.func.all = lh_p_accept_kw(p, "ALL");
    do {
        lh_ast_expr_t *a;
        LH_TRY(call_arg(p, &a));
        add_arg(p, e, a);
    } while (lh_p_accept_op(p, ","));
    if (lh_p_is_kw(p, 1, "NULLS") && (lh_p_is_kw(p, 0, "IGNORE") || lh_p_is_kw(p, 0, "RESPECT"))) {
        e->u.func.nulls = lh_p_is_kw(p, 0, "IGNORE") ? LH_NULLS_IGNORE : LH_NULLS_RESPECT;
        e->u.func.nulls_inside = true;
        p->pos += 2;
    }
    return lh_p_expect_op(p, ")");
}

static lh_err call_suffixes(parser_t *p, lh_ast_expr_t *e)
{
    if (lh_p_is_kw(p, 0, "WITHIN") && lh_p_is_kw(p, 1, "GROUP")) {
        p->pos += 2;
        LH_TRY(lh_p_expect_op(p, "("));
        LH_TRY(lh_p_expect_kw(p, "ORDER"));
        LH_TRY(lh_p_expect_kw(p, "BY"));
        LH_TRY(lh_p_sort_list(p, &e->u.func.within_group));
        LH_TRY(lh_p_expect_op(p, ")"));
    }
    if (lh_p_is_kw(p, 0, "FILTER") && lh_p_is_op(p, 1, "(")) {
        p->pos += 2;
        LH_TRY(lh_p_expect_kw(p, "WHERE"));
        LH_TRY(lh_p_expr(p, &e->u.func.filter));
        LH_TRY(lh_p_expect_op(p, ")"));
    }
    if (lh_p_is_kw(p, 1, "NULLS") && (lh_p_is_kw(p, 0, "IGNORE") || lh_p_is_kw(p, 0, "RESPECT"))) {
        e->u.func.nulls = lh_p_is_kw(p, 0, "IGNORE") ? LH_NULLS_IGNORE : LH_NULLS_RESPECT;
        p->pos += 2;
    }
    if (lh_p_accept_kw(p, "OVER")) {
        if (lh_p_is_op(p, 0, "("))
            return lh_p_window_spec(p, &e->u.func.over);
        e->u.func.over_name = lh_arena_calloc(p->arena, 1, sizeof *e->u.func.over_name);
        return lh_p_ident(p, e->u.func.over_name);
    }
    return LH_OK;
}

/* STRUCT(a AS x, b): named arguments kept as LH_EX_ALIAS. */
static lh_err struct_args(parser_t *p, lh_ast_expr_t *e)
{
    if (lh_p_accept_op(p, ")"))
        return LH_OK;
    do {
        uint32_t first = p->pos;
        lh_ast_expr_t *a;
        LH_TRY(lh_p_expr(p, &a));
        if (lh_p_accept_kw(p, "AS")) {
            lh_ast_expr_t *al = lh_p_new_expr(p, LH_EX_ALIAS, first);
            LH_TRY(lh_p_ident(p, &al->ident));
            add_arg(p, al, a);
            a = finish(p, al, first);
        }
        add_arg(p, e, a);
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

lh_err lh_p_func_call(parser_t *p, lh_ast_name_t name, uint32_t first, lh_ast_expr_t **out)
{
    LH_TRY(lh_p_enter(p));
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_FUNC, first);
    e->name = name;
    LH_TRY(lh_p_expect_op(p, "("));
    if (name_is(&name, "STRUCT"))
        LH_TRY(struct_args(p, e));
    else
        LH_TRY(call_args(p, e));
    LH_TRY(call_suffixes(p, e));
    lh_p_leave(p);
    *out = finish(p, e, first);
    return LH_OK;
}

/* ---- literals ----------------------------------------------------------------------------- */

static lh_err range_error(parser_t *p, const lh_token_t *t, const char *raw, const char *type,
                          const char *min, const char *max)
{
    return lh_sqlerr_at(p->eb, (int)t->line, (int)t->col, "INVALID_NUMERIC_LITERAL_RANGE",
                        "rawStrippedQualifier", raw, "minValue", min, "maxValue", max, "typeName",
                        type, NULL);
}

/* Spark checks suffixed literals' ranges at parse time. neg: a '-' was folded in. */
static lh_err check_range(parser_t *p, const lh_token_t *t, bool neg)
{
    size_t n = t->value_len;
    int k = t->num;
    size_t strip = k == LH_NUM_BIGDECIMAL                                             ? 2
                   : (k == LH_NUM_INT || k == LH_NUM_DECIMAL || k == LH_NUM_EXPONENT) ? 0
                                                                                      : 1;
    const char *raw =
        lh_arena_sprintf(p->arena, "%s%.*s", neg ? "-" : "", (int)(n - strip), t->value);
    if (k == LH_NUM_TINYINT || k == LH_NUM_SMALLINT || k == LH_NUM_BIGINT) {
        long double v = strtold(raw, NULL);
        if (k == LH_NUM_TINYINT && (v < -128 || v > 127))
            return range_error(p, t, raw, "tinyint", "-128", "127");
        if (k == LH_NUM_SMALLINT && (v < -32768 || v > 32767))
            return range_error(p, t, raw, "smallint", "-32768", "32767");
        if (k == LH_NUM_BIGINT && (v < -9223372036854775808.0L || v > 9223372036854775807.0L))
            return range_error(p, t, raw, "bigint", "-9223372036854775808", "9223372036854775807");
    } else if (k == LH_NUM_EXPONENT || k == LH_NUM_DOUBLE) {
        if (isinf(strtod(raw, NULL)))
            return range_error(p, t, raw, "double", "-1.7976931348623157E+308",
                               "1.7976931348623157E+308");
    } else if (k == LH_NUM_FLOAT) {
        if (fabs(strtod(raw, NULL)) > FLT_MAX)
            return range_error(p, t, raw, "float", "-3.4028234663852886E+38",
                               "3.4028234663852886E+38");
    }
    return LH_OK;
}

static lh_err string_literal(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_LITERAL, first);
    e->u.lit.kind = LH_LIT_STRING;
    LH_TRY(lh_p_string(p, &e->u.lit.str));
    e->u.lit.str_len = (uint32_t)strlen(e->u.lit.str);
    finish(p, e, first);
    e->u.lit.text = lh_p_text(p, e->span);
    *out = e;
    return LH_OK;
}

static const char *const typed_literals[] = {
    "DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", NULL,
};

static lh_err typed_literal(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    const lh_token_t *t = lh_p_peek(p, 0);
    if (strcasecmp(t->value, "X") == 0) {
        p->pos++;
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_LITERAL, first);
        e->u.lit.kind = LH_LIT_BINARY;
        e->u.lit.str = lh_p_peek(p, 0)->value;
        p->pos++;
        *out = finish(p, e, first);
        e->u.lit.text = lh_p_text(p, e->span);
        return LH_OK;
    }
    if (!in_list(typed_literals, t->value)) {
        p->pos += 2;
        lh_ast_span_t s = lh_p_span(p, first);
        (void)s;
        return lh_sqlerr_at(
            p->eb, (int)t->line, (int)t->col, "UNSUPPORTED_TYPED_LITERAL", "unsupportedType",
            lh_arena_sprintf(p->arena, "\"%s\"", upper(p, t->value)), "supportedTypes",
            "\"DATE\", \"TIMESTAMP_NTZ\", \"TIMESTAMP_LTZ\", \"TIMESTAMP\", "
            "\"INTERVAL\", \"X\"",
            NULL);
    }
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_LITERAL, first);
    e->u.lit.kind = LH_LIT_TYPED;
    e->u.lit.type_name = upper(p, t->value);
    p->pos++;
    LH_TRY(lh_p_string(p, &e->u.lit.str));
    e->u.lit.str_len = (uint32_t)strlen(e->u.lit.str);
    *out = finish(p, e, first);
    e->u.lit.text = lh_p_text(p, e->span);
    return LH_OK;
}

static const char *const multi_units[] = {
    "YEAR",       "YEARS",       "MONTH",       "MONTHS",       "WEEK",        "WEEKS",
    "DAY",        "DAYS",        "HOUR",        "HOURS",        "MINUTE",      "MINUTES",
    "SECOND",     "SECONDS",     "MILLISECOND", "MILLISECONDS", "MICROSECOND", "MICROSECONDS",
    "NANOSECOND", "NANOSECONDS", NULL,
};

static bool is_unit(const parser_t *p, uint32_t k);

/* A value starting an interval part: [+-] number unit, or [+-] 'string' [unit]; with
 * need_unit the unit must follow (a later part of INTERVAL 1 DAY 2 HOURS). */
static bool is_interval_value(const parser_t *p, uint32_t k, bool need_unit)
{
    uint32_t j = lh_p_is_op(p, k, "-") || lh_p_is_op(p, k, "+") ? k + 1 : k;
    lh_tok_kind_t kind = lh_p_peek(p, j)->kind;
    if (kind == LH_TK_STRING)
        return !need_unit || is_unit(p, j + 1);
    return kind == LH_TK_NUMBER && is_unit(p, j + 1);
}

static lh_err interval_value(parser_t *p, lh_ast_expr_t **out)
{
    if (lh_p_is_op(p, 0, "-") || lh_p_is_op(p, 0, "+"))
        return unary(p, out);
    if (lh_p_is_string(p, 0))
        return string_literal(p, out);
    return primary(p, out);
}

static bool is_unit(const parser_t *p, uint32_t k)
{
    const lh_token_t *t = lh_p_peek(p, k);
    return t->kind == LH_TK_WORD && in_list(multi_units, t->value);
}

/* Spark's parse errors of interval literals (no parameters), at the INTERVAL keyword. */
static lh_err interval_error(parser_t *p, uint32_t first, const char *cls)
{
    const lh_token_t *t = &p->toks[first];
    return lh_sqlerr_at(p->eb, (int)t->line, (int)t->col, cls, NULL);
}

static lh_err interval_literal(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    p->pos++; /* INTERVAL */
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_INTERVAL, first);
    do {
        lh_ast_expr_t *v;
        LH_TRY(interval_value(p, &v));
        const char *unit = NULL;
        if (is_unit(p, 0)) {
            unit = upper(p, lh_p_peek(p, 0)->value);
            p->pos++;
        } else if (e->u.interval.count > 0 || v->kind != LH_EX_LITERAL ||
                   v->u.lit.kind != LH_LIT_STRING) {
            return lh_p_fail(p);
        }
        PUSH(p, e->u.interval.values, e->u.interval.count, v);
        e->u.interval.count--;
        PUSH(p, e->u.interval.units, e->u.interval.count, unit);
        if (unit && e->u.interval.count > 1 && lh_p_is_kw(p, 0, "TO") && is_unit(p, 1))
            return interval_error(p, first, "_LEGACY_ERROR_TEMP_0024"); /* 1 year '2-1' Y TO M */
        if (unit && e->u.interval.count == 1 && lh_p_is_kw(p, 0, "TO")) {
            p->pos++;
            if (!is_unit(p, 0))
                return lh_p_fail(p);
            e->u.interval.to_unit = upper(p, lh_p_peek(p, 0)->value);
            p->pos++;
            const lh_ast_expr_t *s = v->kind == LH_EX_UNARY ? v->args.items[0] : v;
            if (s->kind != LH_EX_LITERAL || s->u.lit.kind != LH_LIT_STRING)
                return interval_error(p, first, "_LEGACY_ERROR_TEMP_0027"); /* 1 year to month */
            if (is_interval_value(p, 0, true)) /* a second part after a from-to unit */
                return interval_error(p, first, "_LEGACY_ERROR_TEMP_0024");
            break;
        }
        if (!unit)
            break;
    } while (is_interval_value(p, 0, true));
    *out = finish(p, e, first);
    return LH_OK;
}

static lh_err number_literal(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    const lh_token_t *t = lh_p_peek(p, 0);
    bool neg = p->neg_number; /* -128Y: the range check sees the sign, as Spark's does */
    p->neg_number = false;
    LH_TRY(check_range(p, t, neg));
    if (neg) /* the literal starts at the minus sign */
        first--;
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_LITERAL, first);
    e->u.lit.kind = LH_LIT_NUMBER;
    e->u.lit.num = t->num;
    e->u.lit.text =
        neg && t->value[0] != '-' ? lh_arena_sprintf(p->arena, "-%s", t->value) : t->value;
    p->pos++;
    *out = finish(p, e, first);
    return LH_OK;
}

/* ---- primary expressions ------------------------------------------------------------------ */

static lh_err case_expr(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    p->pos++; /* CASE */
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_CASE, first);
    if (!lh_p_is_kw(p, 0, "WHEN"))
        LH_TRY(lh_p_expr(p, &e->u.case_.operand));
    if (!lh_p_is_kw(p, 0, "WHEN"))
        return lh_p_fail(p);
    while (lh_p_accept_kw(p, "WHEN")) {
        lh_ast_expr_t *w, *t;
        LH_TRY(lh_p_expr(p, &w));
        LH_TRY(lh_p_expect_kw(p, "THEN"));
        LH_TRY(lh_p_expr(p, &t));
        PUSH(p, e->u.case_.whens.items, e->u.case_.whens.count, w);
        PUSH(p, e->u.case_.thens.items, e->u.case_.thens.count, t);
    }
    if (lh_p_accept_kw(p, "ELSE"))
        LH_TRY(lh_p_expr(p, &e->u.case_.else_));
    LH_TRY(lh_p_expect_kw(p, "END"));
    *out = finish(p, e, first);
    return LH_OK;
}

static lh_err cast_expr(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_CAST, first);
    e->u.cast.style = lh_p_is_kw(p, 0, "TRY_CAST") ? LH_CAST_TRY : LH_CAST_CAST;
    p->pos += 2; /* CAST ( */
    lh_ast_expr_t *a;
    LH_TRY(lh_p_expr(p, &a));
    add_arg(p, e, a);
    LH_TRY(lh_p_expect_kw(p, "AS"));
    LH_TRY(lh_p_type(p, &e->u.cast.type));
    LH_TRY(lh_p_expect_op(p, ")"));
    *out = finish(p, e, first);
    return LH_OK;
}

static lh_err extract_expr(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_EXTRACT, first);
    p->pos += 2; /* EXTRACT ( */
    LH_TRY(lh_p_ident(p, &e->ident));
    LH_TRY(lh_p_expect_kw(p, "FROM"));
    lh_ast_expr_t *a;
    LH_TRY(lh_p_expr(p, &a));
    add_arg(p, e, a);
    LH_TRY(lh_p_expect_op(p, ")"));
    *out = finish(p, e, first);
    return LH_OK;
}

static lh_err star_except(parser_t *p, lh_ast_expr_t *e)
{
    if (!lh_p_is_kw(p, 0, "EXCEPT") || !lh_p_is_op(p, 1, "("))
        return LH_OK;
    p->pos += 2;
    do {
        lh_ast_name_t n;
        LH_TRY(lh_p_name(p, &n));
        PUSH(p, e->u.star.except_names, e->u.star.except_count, n);
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

/* ( ... ): a subquery, a lambda's parameters, a row, or a parenthesized expression. */
lh_err lh_p_try_subquery(parser_t *p, lh_ast_expr_t **out, bool *done)
{
    uint32_t first = p->pos;
    *done = false;
    if (!lh_p_starts_query(p, 1) || p->not_query[first])
        return LH_OK;
    if (!lh_p_is_op(p, 1, "(")) { /* (SELECT ..: a subquery for sure; its errors stand */
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_SUBQUERY, first);
        p->pos++;
        LH_TRY(lh_p_query(p, &e->query));
        LH_TRY(lh_p_expect_op(p, ")"));
        *out = finish(p, e, first);
        *done = true;
        return LH_OK;
    }
    lh_errbuf scratch, *eb = p->eb;
    int depth = p->depth, params = p->param_count;
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_SUBQUERY, first);
    lh_errbuf_clear(&scratch);
    p->pos++;
    p->eb = &scratch;
    lh_err err = lh_p_query(p, &e->query);
    p->eb = eb;
    if (err == LH_OK && lh_p_accept_op(p, ")")) {
        *out = finish(p, e, first);
        *done = true;
        return LH_OK;
    }
    if (err != LH_OK && scratch.error_code &&
        strcmp(scratch.error_code, "FAILED_TO_PARSE_TOO_COMPLEX") == 0) {
        if (eb)
            *eb = scratch;
        return err;
    }
    p->not_query[first] = 1;
    p->pos = first;
    p->depth = depth;
    p->param_count = params;
    return LH_OK;
}

static lh_err paren_expr(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    bool done;
    LH_TRY(lh_p_try_subquery(p, out, &done));
    if (done)
        return LH_OK;
    p->pos++;
    LH_TRY(lh_p_enter(p));
    lh_ast_exprs_t list = {0};
    do { /* (a AS x, b): a row's fields may be named */
        uint32_t f = p->pos;
        lh_ast_expr_t *x;
        LH_TRY(lh_p_expr(p, &x));
        if (lh_p_accept_kw(p, "AS")) {
            lh_ast_expr_t *al = lh_p_new_expr(p, LH_EX_ALIAS, f);
            LH_TRY(lh_p_ident(p, &al->ident));
            add_arg(p, al, x);
            x = finish(p, al, f);
        }
        PUSH(p, list.items, list.count, x);
    } while (lh_p_accept_op(p, ","));
    LH_TRY(lh_p_expect_op(p, ")"));
    lh_p_leave(p);
    if (lh_p_is_op(p, 0, "->")) { /* (x, y) -> body */
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_LAMBDA, first);
        e->u.lambda.parens = true;
        for (int i = 0; i < list.count; i++) {
            lh_ast_expr_t *x = list.items[i];
            if (x->kind != LH_EX_COLUMN || x->name.count != 1)
                return lh_p_fail(p);
            PUSH(p, e->u.lambda.params.items, e->u.lambda.params.count, x->name.parts[0]);
        }
        p->pos++;
        lh_ast_expr_t *body;
        uint32_t at = p->pos;
        LH_TRY(lh_p_expr(p, &body));
        if (body->kind == LH_EX_STAR) /* x -> (*): a star is no lambda body (found by fuzz_sql) */
            return lh_p_fail_at(p, at);
        add_arg(p, e, body);
        *out = finish(p, e, first);
        return LH_OK;
    }
    if (list.count == 1 && list.items[0]->kind != LH_EX_ALIAS) {
        *out = list.items[0]; /* parentheses are not kept: the printer adds its own */
        return LH_OK;
    }
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_ROW, first);
    e->args = list;
    *out = finish(p, e, first);
    return LH_OK;
}

static lh_err param_expr(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_PARAM, first);
    if (lh_p_accept_op(p, ":")) {
        lh_ast_ident_t id;
        LH_TRY(lh_p_ident(p, &id));
        e->str = id.text;
    } else {
        p->pos++;
        e->u.param.index = p->param_count++;
    }
    *out = finish(p, e, first);
    return LH_OK;
}

static const char *const niladic[] = {
    "CURRENT_DATE", "CURRENT_TIMESTAMP", "CURRENT_USER",   "CURRENT_TIME",     "SESSION_USER",
    "USER",         "CURRENT_CATALOG",   "CURRENT_SCHEMA", "CURRENT_DATABASE", NULL,
};

/* A name: column reference, function call, lambda x -> .., qualified star t.* */
static lh_err name_expr(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    if (lh_p_is_op(p, 1, "->") && lh_p_is_ident(p, 0)) {
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_LAMBDA, first);
        lh_ast_ident_t id;
        LH_TRY(lh_p_ident(p, &id));
        PUSH(p, e->u.lambda.params.items, e->u.lambda.params.count, id);
        p->pos++;
        lh_ast_expr_t *body;
        uint32_t at = p->pos;
        LH_TRY(lh_p_expr(p, &body));
        if (body->kind == LH_EX_STAR) /* x -> (*): a star is no lambda body (found by fuzz_sql) */
            return lh_p_fail_at(p, at);
        add_arg(p, e, body);
        *out = finish(p, e, first);
        return LH_OK;
    }
    lh_ast_name_t name;
    LH_TRY(lh_p_name(p, &name));
    if (lh_p_is_op(p, 0, "("))
        return lh_p_func_call(p, name, first, out);
    if (lh_p_is_op(p, 0, ".") && lh_p_is_op(p, 1, "*")) {
        p->pos += 2;
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_STAR, first);
        e->name = name;
        LH_TRY(star_except(p, e));
        *out = finish(p, e, first);
        return LH_OK;
    }
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_COLUMN, first);
    if (name.count == 1 && !name.parts[0].quoted && in_list(niladic, name.parts[0].text)) {
        e->kind = LH_EX_FUNC; /* CURRENT_DATE without parentheses */
        e->u.func.bare = true;
    }
    e->name = name;
    *out = finish(p, e, first);
    return LH_OK;
}

static bool word_is_literal_keyword(const lh_token_t *t)
{
    return strcasecmp(t->value, "NULL") == 0 || strcasecmp(t->value, "TRUE") == 0 ||
           strcasecmp(t->value, "FALSE") == 0;
}

static lh_err word_primary(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    const lh_token_t *t = lh_p_peek(p, 0);
    if (word_is_literal_keyword(t) && !lh_p_is_op(p, 1, "(") && !lh_p_is_op(p, 1, ".")) {
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_LITERAL, first);
        e->u.lit.kind = strcasecmp(t->value, "NULL") == 0 ? LH_LIT_NULL : LH_LIT_BOOL;
        e->u.lit.text = strcasecmp(t->value, "NULL") == 0   ? "NULL"
                        : strcasecmp(t->value, "TRUE") == 0 ? "true"
                                                            : "false";
        p->pos++;
        *out = finish(p, e, first);
        return LH_OK;
    }
    if (lh_p_is_kw(p, 0, "CASE"))
        return case_expr(p, out);
    if ((lh_p_is_kw(p, 0, "CAST") || lh_p_is_kw(p, 0, "TRY_CAST")) && lh_p_is_op(p, 1, "("))
        return cast_expr(p, out);
    if (lh_p_is_kw(p, 0, "EXTRACT") && lh_p_is_op(p, 1, "(") && lh_p_is_ident(p, 2) &&
        lh_p_is_kw(p, 3, "FROM"))
        return extract_expr(p, out);
    if (lh_p_is_kw(p, 0, "EXISTS") && lh_p_is_op(p, 1, "(") && lh_p_starts_query(p, 2)) {
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_EXISTS, first);
        p->pos += 2;
        LH_TRY(lh_p_query(p, &e->query));
        LH_TRY(lh_p_expect_op(p, ")"));
        *out = finish(p, e, first);
        return LH_OK;
    }
    if (lh_p_is_kw(p, 0, "INTERVAL") &&
        (is_interval_value(p, 1, false) || lh_p_peek(p, 1)->kind == LH_TK_NUMBER))
        return interval_literal(p, out);
    if (lh_p_is_string(p, 1) && t->kind == LH_TK_WORD)
        return typed_literal(p, out);
    return name_expr(p, out);
}

/* A bare * starts a list item (SELECT *, f(a, *), (*)), never an operand (a * *). */
static bool star_allowed(const parser_t *p)
{
    if (p->pos == 0)
        return false;
    const lh_token_t *prev = &p->toks[p->pos - 1];
    if (prev->kind == LH_TK_OP)
        return strcmp(prev->value, ",") == 0 || strcmp(prev->value, "(") == 0;
    return prev->kind == LH_TK_WORD &&
           (strcasecmp(prev->value, "SELECT") == 0 || strcasecmp(prev->value, "DISTINCT") == 0 ||
            strcasecmp(prev->value, "ALL") == 0);
}

static lh_err primary(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    const lh_token_t *t = lh_p_peek(p, 0);
    switch (t->kind) {
    case LH_TK_NUMBER:
        return number_literal(p, out);
    case LH_TK_STRING:
        return string_literal(p, out);
    case LH_TK_BINARY: {
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_LITERAL, first);
        e->u.lit.kind = LH_LIT_BINARY;
        e->u.lit.str = t->value;
        e->u.lit.str_len = t->value_len;
        p->pos++;
        finish(p, e, first);
        e->u.lit.text = lh_p_text(p, e->span);
        *out = e;
        return LH_OK;
    }
    case LH_TK_PARAM:
        return param_expr(p, out);
    case LH_TK_QIDENT:
        return name_expr(p, out);
    case LH_TK_WORD:
        return word_primary(p, out);
    case LH_TK_OP:
        break;
    case LH_TK_EOF:
        return lh_p_fail(p);
    }
    if (lh_p_is_op(p, 0, "("))
        return paren_expr(p, out);
    if (lh_p_is_op(p, 0, ":") && lh_p_is_ident(p, 1))
        return param_expr(p, out);
    if (lh_p_is_op(p, 0, "*") && star_allowed(p)) {
        lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_STAR, first);
        p->pos++;
        LH_TRY(star_except(p, e));
        *out = finish(p, e, first);
        return LH_OK;
    }
    return lh_p_fail(p);
}

/* col:a.b[0]['k'] : the path text up to the first token that cannot continue it */
static lh_err json_path(parser_t *p, lh_ast_expr_t *base, uint32_t first, lh_ast_expr_t **out)
{
    p->pos++; /* : */
    uint32_t start = p->pos;
    if (lh_p_is_ident(p, 0))
        p->pos++;
    else if (!lh_p_is_op(p, 0, "["))
        return lh_p_fail(p);
    for (;;) {
        if (lh_p_is_op(p, 0, ".") && lh_p_is_ident(p, 1)) {
            p->pos += 2;
        } else if (lh_p_is_op(p, 0, "[")) {
            p->pos++;
            if (lh_p_is_op(p, 0, "*") || lh_p_peek(p, 0)->kind == LH_TK_NUMBER ||
                lh_p_is_string(p, 0))
                p->pos++;
            else
                return lh_p_fail(p);
            LH_TRY(lh_p_expect_op(p, "]"));
        } else {
            break;
        }
    }
    lh_ast_expr_t *e = lh_p_new_expr(p, LH_EX_JSON_PATH, first);
    e->str = lh_p_text(p, lh_p_span(p, start));
    add_arg(p, e, base);
    *out = finish(p, e, first);
    return LH_OK;
}

static lh_err postfix(parser_t *p, lh_ast_expr_t **out)
{
    uint32_t first = p->pos;
    lh_ast_expr_t *e;
    LH_TRY(primary(p, &e));
    int chain = 0;
    for (;; chain++) {
        LH_TRY(lh_p_enter(p)); /* each postfix operator nests the tree one level */
        if (lh_p_is_op(p, 0, "[")) {
            LH_TRY(lh_p_enter(p));
            p->pos++;
            lh_ast_expr_t *s = lh_p_new_expr(p, LH_EX_SUBSCRIPT, first), *idx;
            LH_TRY(lh_p_expr(p, &idx));
            LH_TRY(lh_p_expect_op(p, "]"));
            lh_p_leave(p);
            add_arg(p, s, e);
            add_arg(p, s, idx);
            e = finish(p, s, first);
        } else if (lh_p_is_op(p, 0, ".") && lh_p_is_ident(p, 1)) {
            p->pos++;
            lh_ast_expr_t *f = lh_p_new_expr(p, LH_EX_FIELD, first);
            LH_TRY(lh_p_ident(p, &f->ident));
            add_arg(p, f, e);
            e = finish(p, f, first);
        } else if (lh_p_is_op(p, 0, "::")) {
            p->pos++;
            lh_ast_expr_t *c = lh_p_new_expr(p, LH_EX_CAST, first);
            c->u.cast.style = LH_CAST_COLONS;
            LH_TRY(lh_p_type(p, &c->u.cast.type));
            add_arg(p, c, e);
            e = finish(p, c, first);
        } else if (lh_p_is_op(p, 0, ":") && (lh_p_is_ident(p, 1) || lh_p_is_op(p, 1, "["))) {
            LH_TRY(json_path(p, e, first, &e));
        } else if (lh_p_is_kw(p, 0, "COLLATE") && lh_p_is_ident(p, 1)) {
            p->pos++;
            lh_ast_expr_t *c = lh_p_new_expr(p, LH_EX_COLLATE, first);
            LH_TRY(lh_p_ident(p, &c->ident));
            add_arg(p, c, e);
            e = finish(p, c, first);
        } else {
            break;
        }
    }
    p->depth -= chain + 1;
    *out = e;
    return LH_OK;
}
