/*
 * parser_internal.h - the parser's shared state and token helpers (parser.c), used by
 * the parse_*.c files only.
 *
 * A parser_t walks the token array; `p->pos` is the current token. Helpers:
 *   peek(p, k)          the k-th token ahead (EOF past the end)
 *   is_kw(p, k, "KW")   whether that token is the keyword (a word, case-insensitive)
 *   accept_kw / expect_kw / accept_op / expect_op  consume on match
 *   fail(p)             PARSE_SYNTAX_ERROR at the current token
 * Recursion depth is counted by enter()/leave() against LH_SQL_DEPTH_MAX.
 */
#ifndef LH_COMPUTE_SQL_PARSER_INTERNAL_H
#define LH_COMPUTE_SQL_PARSER_INTERNAL_H

#include <stdbool.h>
#include <string.h>

#include "common/arena.h"
#include "common/err.h"
#include "compute/sql/ast.h"
#include "compute/sql/lexer.h"

typedef struct parser {
    const char *sql;
    size_t bytes;
    lh_token_t *toks;
    uint32_t count, pos;
    lh_arena_t *arena;
    lh_errbuf *eb;
    int depth;
    int param_count;          /* ? markers seen */
    uint8_t *not_query;       /* per token: a subquery tried here failed (bounds backtracking) */
    bool neg_number;          /* a unary minus directly precedes the number being parsed */
    struct lh_ast_copy *copy; /* COPY INTO's query: FROM 'path' is its source (once) */
} parser_t;

const lh_token_t *lh_p_peek(const parser_t *p, uint32_t k);
bool lh_p_is_kw(const parser_t *p, uint32_t k, const char *kw);
bool lh_p_is_op(const parser_t *p, uint32_t k, const char *op);
bool lh_p_accept_kw(parser_t *p, const char *kw);
bool lh_p_accept_op(parser_t *p, const char *op);
lh_err lh_p_expect_kw(parser_t *p, const char *kw);
lh_err lh_p_expect_op(parser_t *p, const char *op);
/* PARSE_SYNTAX_ERROR at the current token (with Spark's "extra input" hint when the
 * token after it would end the statement). */
lh_err lh_p_fail(parser_t *p);
lh_err lh_p_fail_at(parser_t *p, uint32_t tok);
lh_err lh_p_enter(parser_t *p);
void lh_p_leave(parser_t *p);
/* Span from token `first` to the token before the current one. */
lh_ast_span_t lh_p_span(const parser_t *p, uint32_t first);
/* Source text of a span (arena copy). */
const char *lh_p_text(const parser_t *p, lh_ast_span_t s);
/* Growable arena arrays: push item (size bytes) onto *items with *count. */
void lh_p_push(parser_t *p, void **items, int *count, const void *item, size_t size);
#define PUSH(p, arr, cnt, val)                                                                     \
    do {                                                                                           \
        __typeof__(val) push_v_ = (val);                                                           \
        lh_p_push((p), (void **)&(arr), &(cnt), &push_v_, sizeof push_v_);                         \
    } while (0)

/* Identifiers: any word (keywords included) or `quoted`. */
bool lh_p_is_ident(const parser_t *p, uint32_t k);
lh_err lh_p_ident(parser_t *p, lh_ast_ident_t *out);
lh_err lh_p_name(parser_t *p, lh_ast_name_t *out);         /* a.b.c */
lh_err lh_p_ident_list(parser_t *p, lh_ast_idents_t *out); /* (a, b) */
/* A string literal (adjacent ones concatenated) into *out (decoded). */
lh_err lh_p_string(parser_t *p, const char **out);
bool lh_p_is_string(const parser_t *p, uint32_t k);
/* Optional alias: [AS] ident, not a clause keyword when AS is absent. */
lh_err lh_p_alias(parser_t *p, lh_ast_ident_t **out, bool strict);

/* parse_expr.c */
lh_ast_expr_t *lh_p_new_expr(parser_t *p, lh_ast_expr_kind_t kind, uint32_t first);
lh_err lh_p_expr(parser_t *p, lh_ast_expr_t **out);
lh_err lh_p_expr_list(parser_t *p, lh_ast_exprs_t *out); /* a, b, c */
lh_err lh_p_type(parser_t *p, lh_ast_type_t **out);
lh_err lh_p_window_spec(parser_t *p, lh_ast_window_t **out); /* after '(' .. ')' */
lh_err lh_p_sort_list(parser_t *p, lh_ast_sort_t *out);      /* after ORDER BY */
/* At '(': a parenthesized subquery, if it is one. "((SELECT 1) + 1)" starts like a query
 * too: with nested parentheses a query is tried (once per position, so no exponential
 * retries) and *done says whether it was one; "(SELECT" commits to a subquery. */
lh_err lh_p_try_subquery(parser_t *p, lh_ast_expr_t **out, bool *done);
lh_err lh_p_func_call(parser_t *p, lh_ast_name_t name, uint32_t first, lh_ast_expr_t **out);

/* parse_query.c */
lh_err lh_p_query(parser_t *p, lh_ast_query_t **out);
/* WITH [RECURSIVE] name AS (query), ..: the CTEs into q (the WITH keyword at the cursor). */
lh_err lh_p_ctes(parser_t *p, lh_ast_query_t *q);
bool lh_p_starts_query(const parser_t *p, uint32_t k);
lh_err lh_p_relation(parser_t *p, lh_ast_rel_t **out); /* one FROM item with its joins */
lh_err lh_p_named_expr_list(parser_t *p, lh_ast_named_exprs_t *out);
lh_err lh_p_values_rows(parser_t *p, lh_ast_exprs_t **rows, int *count);

/* parse_ddl.c, parse_dml.c, parse_util.c: each returns LH_OK with *out NULL when the
 * statement does not start with one of its keywords. */
lh_err lh_p_ddl(parser_t *p, lh_ast_stmt_t **out);
lh_err lh_p_dml(parser_t *p, lh_ast_stmt_t **out);
lh_err lh_p_util(parser_t *p, lh_ast_stmt_t **out);
lh_err lh_p_statement(parser_t *p, lh_ast_stmt_t **out);
lh_err lh_p_props(parser_t *p, lh_ast_props_t *out); /* ('k' = v, ...) */
lh_err lh_p_column_def(parser_t *p, lh_ast_column_def_t *out);
lh_ast_stmt_t *lh_p_new_stmt(parser_t *p, lh_ast_stmt_kind_t kind, uint32_t first);

#endif
