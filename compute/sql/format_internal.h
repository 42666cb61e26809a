/*
 * format_internal.h - the printer's string builder, shared by format_expr.c (expressions,
 * types, windows) and format_stmt.c (queries, relations, statements).
 */
#ifndef LH_COMPUTE_SQL_FORMAT_INTERNAL_H
#define LH_COMPUTE_SQL_FORMAT_INTERNAL_H

#include <stddef.h>

#include "compute/sql/ast.h"

typedef struct sb {
    char *buf;
    size_t len, cap;
} sb_t;

void lh_sb_put(sb_t *b, const char *s);
void lh_sb_putn(sb_t *b, const char *s, size_t n);
void lh_sb_printf(sb_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lh_sb_ident(sb_t *b, const lh_ast_ident_t *id);
void lh_sb_name(sb_t *b, const lh_ast_name_t *n);
void lh_sb_string(sb_t *b, const char *s);              /* '...' with escapes */
void lh_sb_idents(sb_t *b, const lh_ast_idents_t *ids); /* (a, b) */

void lh_fmt_expr(sb_t *b, const lh_ast_expr_t *e);
void lh_fmt_exprs(sb_t *b, const lh_ast_exprs_t *l); /* a, b */
void lh_fmt_type(sb_t *b, const lh_ast_type_t *t);
void lh_fmt_window(sb_t *b, const lh_ast_window_t *w); /* (...) */
void lh_fmt_sort(sb_t *b, const lh_ast_sort_t *s);
void lh_fmt_query(sb_t *b, const lh_ast_query_t *q);
void lh_fmt_rel(sb_t *b, const lh_ast_rel_t *r);

#endif
