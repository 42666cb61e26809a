/*
 * parser.h - Spark SQL text to syntax tree (ast.h).
 *
 * Hand-written recursive descent over the lexer's tokens (lexer.h), one file per
 * responsibility: parse_expr.c (expressions, Spark's precedence), parse_query.c (queries
 * and FROM), parse_ddl.c (CREATE/DROP/ALTER/COMMENT), parse_dml.c (INSERT/MERGE/UPDATE/
 * DELETE), parse_util.c (USE/SET/SHOW/DESCRIBE/EXPLAIN/...), parser.c (entry points,
 * token helpers, errors).
 *
 * Errors are Spark's, rendered by sqlerr.h: PARSE_SYNTAX_ERROR with "at or near 'tok'" or
 * "end of input" and (line L, pos P); INVALID_NUMERIC_LITERAL_RANGE; UNSUPPORTED_DATATYPE;
 * UNSUPPORTED_TYPED_LITERAL; DUPLICATED_CTE_NAMES;
 * INVALID_SQL_SYNTAX.REPETITIVE_WINDOW_DEFINITION; UNCLOSED_BRACKETED_COMMENT;
 * FAILED_TO_PARSE_TOO_COMPLEX beyond LH_SQL_TEXT_MAX bytes or LH_SQL_DEPTH_MAX nesting.
 * Every error returns LH_E_INVALID. Thread-safe (no shared state); everything returned
 * lives in the caller's arena.
 */
#ifndef LH_COMPUTE_SQL_PARSER_H
#define LH_COMPUTE_SQL_PARSER_H

#include <stddef.h>

#include "common/arena.h"
#include "common/err.h"
#include "compute/sql/ast.h"

/* Parse `bytes` bytes of SQL (not necessarily NUL-terminated): one or more statements
 * separated by ';' (a trailing ';' is fine; an empty text gives an empty list). */
lh_err lh_sql_parse(const char *sql, size_t bytes, lh_arena_t *arena, lh_ast_stmt_list_t **out,
                    lh_errbuf *eb);

/* Parse a lone expression (CHECK constraints, GENERATED columns, DEFAULT values). */
lh_err lh_sql_parse_expr(const char *sql, size_t bytes, lh_arena_t *arena, lh_ast_expr_t **out,
                         lh_errbuf *eb);

/* Parse a lone type name ("DECIMAL(10,2)", "ARRAY<STRUCT<a: INT>>"). */
lh_err lh_sql_parse_type(const char *sql, size_t bytes, lh_arena_t *arena, lh_ast_type_t **out,
                         lh_errbuf *eb);

#endif
