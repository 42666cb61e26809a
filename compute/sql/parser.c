/*
 * parser.c - parser entry points, token helpers and Spark-shaped syntax errors.
 *
 * lh_sql_parse lexes the whole text, then parses statements separated by ';'. A syntax
 * error names the token where parsing stopped, quoted as written, or "end of input", with
 * its line and 0-based column, as Spark's ANTLR parser reports it. When a complete
 * statement is followed by one stray token and then the end, the hint is Spark's
 * ": extra input 'tok'".
 */
#include "compute/sql/parser.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/limits.h"

#include "compute/sql/parser_internal.h"
#include "compute/sql/sqlerr.h"

const lh_token_t *lh_p_peek(const parser_t *p, uint32_t k)
{
    uint32_t i = p->pos + k;
    return &p->toks[i < p->count ? i : p->count - 1];
}

bool lh_p_is_kw(const parser_t *p, uint32_t k, const char *kw)
{
    const lh_token_t *t = lh_p_peek(p, k);
    return t->kind == LH_TK_WORD && strcasecmp(t->value, kw) == 0;
}

bool lh_p_is_op(const parser_t *p, uint32_t k, const char *op)
{
    const lh_token_t *t = lh_p_peek(p, k);
    return t->kind == LH_TK_OP && strcmp(t->value, op) == 0;
}

bool lh_p_accept_kw(parser_t *p, const char *kw)
{
    if (!lh_p_is_kw(p, 0, kw))
        return false;
    p->pos++;
    return true;
}

bool lh_p_accept_op(parser_t *p, const char *op)
{
    if (!lh_p_is_op(p, 0, op))
        return false;
    p->pos++;
    return true;
}

lh_err lh_p_expect_kw(parser_t *p, const char *kw)
{
    return lh_p_accept_kw(p, kw) ? LH_OK : lh_p_fail(p);
}

lh_err lh_p_expect_op(parser_t *p, const char *op)
{
    return lh_p_accept_op(p, op) ? LH_OK : lh_p_fail(p);
}

static const char *token_quote(const parser_t *p, const lh_token_t *t)
{
    if (t->kind == LH_TK_EOF)
        return "end of input";
    return lh_arena_sprintf(p->arena, "'%.*s'", (int)(t->stop - t->start), p->sql + t->start);
}

static lh_err fail_hint(parser_t *p, uint32_t tok, const char *hint)
{
    const lh_token_t *t = &p->toks[tok < p->count ? tok : p->count - 1];
    return lh_sqlerr_at(p->eb, (int)t->line, (int)t->col, "PARSE_SYNTAX_ERROR", "error",
                        token_quote(p, t), "hint", hint, NULL);
}

lh_err lh_p_fail_at(parser_t *p, uint32_t tok)
{
    return fail_hint(p, tok, "");
}

lh_err lh_p_fail(parser_t *p)
{
    return fail_hint(p, p->pos, "");
}

/* Leftover tokens after a complete statement. */
static lh_err fail_leftover(parser_t *p)
{
    const lh_token_t *next = lh_p_peek(p, 1);
    if (next->kind == LH_TK_EOF || (next->kind == LH_TK_OP && strcmp(next->value, ";") == 0)) {
        const lh_token_t *t = lh_p_peek(p, 0);
        const char *hint = lh_arena_sprintf(p->arena, ": extra input %s", token_quote(p, t));
        return fail_hint(p, p->pos, hint);
    }
    return lh_p_fail(p);
}

lh_err lh_p_enter(parser_t *p)
{
    if (++p->depth > LH_SQL_DEPTH_MAX)
        return lh_sqlerr(p->eb, "FAILED_TO_PARSE_TOO_COMPLEX", NULL);
    return LH_OK;
}

void lh_p_leave(parser_t *p)
{
    p->depth--;
}

lh_ast_span_t lh_p_span(const parser_t *p, uint32_t first)
{
    lh_ast_span_t s;
    s.start = p->toks[first < p->count ? first : p->count - 1].start;
    s.stop = p->pos > first ? p->toks[p->pos - 1].stop : s.start;
    return s;
}

const char *lh_p_text(const parser_t *p, lh_ast_span_t s)
{
    return lh_arena_strndup(p->arena, p->sql + s.start, s.stop - s.start);
}

void lh_p_push(parser_t *p, void **items, int *count, const void *item, size_t size)
{
    /* capacity doubles at powers of two; old blocks stay in the arena */
    int n = *count;
    if ((n & (n - 1)) == 0) {
        void *bigger = lh_arena_alloc(p->arena, size * (size_t)(n ? 2 * n : 1));
        if (n)
            memcpy(bigger, *items, size * (size_t)n);
        *items = bigger;
    }
    memcpy((char *)*items + size * (size_t)n, item, size);
    *count = n + 1;
}

bool lh_p_is_ident(const parser_t *p, uint32_t k)
{
    lh_tok_kind_t kind = lh_p_peek(p, k)->kind;
    return kind == LH_TK_WORD || kind == LH_TK_QIDENT;
}

lh_err lh_p_ident(parser_t *p, lh_ast_ident_t *out)
{
    const lh_token_t *t = lh_p_peek(p, 0);
    if (!lh_p_is_ident(p, 0))
        return lh_p_fail(p);
    out->text = t->value;
    out->quoted = t->kind == LH_TK_QIDENT;
    out->span.start = t->start;
    out->span.stop = t->stop;
    p->pos++;
    return LH_OK;
}

lh_err lh_p_name(parser_t *p, lh_ast_name_t *out)
{
    uint32_t first = p->pos;
    memset(out, 0, sizeof *out);
    do {
        lh_ast_ident_t id;
        LH_TRY(lh_p_ident(p, &id));
        PUSH(p, out->parts, out->count, id);
    } while (lh_p_is_op(p, 0, ".") && lh_p_is_ident(p, 1) && lh_p_accept_op(p, "."));
    out->span = lh_p_span(p, first);
    return LH_OK;
}

lh_err lh_p_ident_list(parser_t *p, lh_ast_idents_t *out)
{
    memset(out, 0, sizeof *out);
    LH_TRY(lh_p_expect_op(p, "("));
    do {
        lh_ast_ident_t id;
        LH_TRY(lh_p_ident(p, &id));
        PUSH(p, out->items, out->count, id);
    } while (lh_p_accept_op(p, ","));
    return lh_p_expect_op(p, ")");
}

bool lh_p_is_string(const parser_t *p, uint32_t k)
{
    return lh_p_peek(p, k)->kind == LH_TK_STRING;
}

lh_err lh_p_string(parser_t *p, const char **out)
{
    if (!lh_p_is_string(p, 0))
        return lh_p_fail(p);
    uint32_t first = p->pos;
    size_t total = 0;
    while (lh_p_is_string(p, 0)) { /* 'a' 'b' is 'ab': one copy, linear in the input */
        total += lh_p_peek(p, 0)->value_len;
        p->pos++;
    }
    if (p->pos == first + 1) {
        *out = p->toks[first].value;
        return LH_OK;
    }
    char *s = lh_arena_alloc(p->arena, total + 1), *w = s;
    for (uint32_t i = first; i < p->pos; i++) {
        memcpy(w, p->toks[i].value, p->toks[i].value_len);
        w += p->toks[i].value_len;
    }
    *w = '\0';
    *out = s;
    return LH_OK;
}

lh_err lh_p_alias(parser_t *p, lh_ast_ident_t **out, bool strict)
{
    *out = NULL;
    bool as = lh_p_accept_kw(p, "AS");
    const lh_token_t *t = lh_p_peek(p, 0);
    if (!as) {
        if (t->kind == LH_TK_WORD &&
            (lh_sql_keyword_ends_clause(t->value, t->value_len) ||
             (strict && lh_sql_keyword(t->value, t->value_len) == LH_KW_STRICT)))
            return LH_OK;
        if (!lh_p_is_ident(p, 0))
            return LH_OK;
    }
    lh_ast_ident_t *id = lh_arena_calloc(p->arena, 1, sizeof *id);
    LH_TRY(lh_p_ident(p, id));
    *out = id;
    return LH_OK;
}

lh_ast_stmt_t *lh_p_new_stmt(parser_t *p, lh_ast_stmt_kind_t kind, uint32_t first)
{
    lh_ast_stmt_t *s = lh_arena_calloc(p->arena, 1, sizeof *s);
    s->kind = kind;
    s->span.start = p->toks[first].start;
    return s;
}

lh_err lh_p_statement(parser_t *p, lh_ast_stmt_t **out)
{
    uint32_t first = p->pos;
    *out = NULL;
    if (lh_p_is_kw(p, 0, "WITH")) { /* WITH .. INSERT: the CTEs belong to the inserted query */
        lh_ast_query_t holder = {0};
        uint32_t save = p->pos;
        lh_errbuf *saved_eb = p->eb, scratch;
        p->eb = &scratch;
        lh_err e = lh_p_ctes(p, &holder);
        p->eb = saved_eb;
        if (e == LH_OK && lh_p_is_kw(p, 0, "INSERT")) {
            LH_TRY(lh_p_dml(p, out));
            lh_ast_query_t *q = (*out)->insert->query;
            lh_ast_cte_t *all = lh_arena_calloc(
                p->arena, (size_t)(holder.cte_count + q->cte_count) + 1, sizeof *all);
            memcpy(all, holder.ctes, (size_t)holder.cte_count * sizeof *all);
            if (q->cte_count)
                memcpy(all + holder.cte_count, q->ctes, (size_t)q->cte_count * sizeof *all);
            q->ctes = all;
            q->cte_count += holder.cte_count;
            q->recursive = q->recursive || holder.recursive;
            (*out)->span = lh_p_span(p, first);
            return LH_OK;
        }
        p->pos = save; /* a query (its errors come from parsing it as one) */
    }
    if (lh_p_starts_query(p, 0)) {
        lh_ast_stmt_t *s = lh_p_new_stmt(p, LH_ST_QUERY, first);
        LH_TRY(lh_p_query(p, &s->query));
        *out = s;
    }
    if (*out == NULL)
        LH_TRY(lh_p_dml(p, out));
    if (*out == NULL)
        LH_TRY(lh_p_ddl(p, out));
    if (*out == NULL)
        LH_TRY(lh_p_util(p, out));
    if (*out == NULL)
        return lh_p_fail(p);
    (*out)->span = lh_p_span(p, first);
    return LH_OK;
}

static lh_err start(parser_t *p, const char *sql, size_t bytes, lh_arena_t *arena, lh_errbuf *eb)
{
    memset(p, 0, sizeof *p);
    p->sql = sql;
    p->bytes = bytes;
    p->arena = arena;
    p->eb = eb;
    if (bytes > LH_SQL_TEXT_MAX)
        return lh_sqlerr(eb, "FAILED_TO_PARSE_TOO_COMPLEX", NULL);
    LH_TRY(lh_sql_lex(sql, bytes, arena, &p->toks, &p->count, eb));
    p->not_query = lh_arena_calloc(arena, p->count, 1);
    return LH_OK;
}

lh_err lh_sql_parse(const char *sql, size_t bytes, lh_arena_t *arena, lh_ast_stmt_list_t **out,
                    lh_errbuf *eb)
{
    parser_t p;
    LH_TRY(start(&p, sql, bytes, arena, eb));
    lh_ast_stmt_list_t *list = lh_arena_calloc(arena, 1, sizeof *list);
    while (lh_p_accept_op(&p, ";"))
        ;
    while (lh_p_peek(&p, 0)->kind != LH_TK_EOF) {
        lh_ast_stmt_t *s;
        LH_TRY(lh_p_statement(&p, &s));
        PUSH(&p, list->items, list->count, s);
        if (lh_p_peek(&p, 0)->kind != LH_TK_EOF && !lh_p_is_op(&p, 0, ";"))
            return fail_leftover(&p);
        while (lh_p_accept_op(&p, ";"))
            ;
    }
    *out = list;
    return LH_OK;
}

lh_err lh_sql_parse_expr(const char *sql, size_t bytes, lh_arena_t *arena, lh_ast_expr_t **out,
                         lh_errbuf *eb)
{
    parser_t p;
    LH_TRY(start(&p, sql, bytes, arena, eb));
    LH_TRY(lh_p_expr(&p, out));
    if (lh_p_peek(&p, 0)->kind != LH_TK_EOF)
        return fail_leftover(&p);
    return LH_OK;
}

lh_err lh_sql_parse_type(const char *sql, size_t bytes, lh_arena_t *arena, lh_ast_type_t **out,
                         lh_errbuf *eb)
{
    parser_t p;
    LH_TRY(start(&p, sql, bytes, arena, eb));
    LH_TRY(lh_p_type(&p, out));
    if (lh_p_peek(&p, 0)->kind != LH_TK_EOF)
        return fail_leftover(&p);
    return LH_OK;
}
