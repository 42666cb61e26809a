/*
 * format.h - print syntax trees back as canonical Spark SQL.
 *
 * The output re-parses to the same tree (modulo spans and the `*_written` flags that only
 * remember optional words): keywords upper case, one space between tokens, every operand
 * that is itself an operator expression wrapped in parentheses (so precedence is explicit),
 * identifiers backquoted when they were quoted or are not plain words, strings in single
 * quotes with backslash escapes. Used for EXPLAIN, for storing view and function bodies,
 * and by the parser's round-trip tests. Results live in the given arena; thread-safe.
 */
#ifndef LH_COMPUTE_SQL_FORMAT_H
#define LH_COMPUTE_SQL_FORMAT_H

#include "common/arena.h"
#include "compute/sql/ast.h"

const char *lh_ast_format_stmt(const lh_ast_stmt_t *s, lh_arena_t *arena);
const char *lh_ast_format_query(const lh_ast_query_t *q, lh_arena_t *arena);
const char *lh_ast_format_expr(const lh_ast_expr_t *e, lh_arena_t *arena);
const char *lh_ast_format_type(const lh_ast_type_t *t, lh_arena_t *arena);
/* The statement's type as Databricks' query history names it (QueryStatementType): SELECT,
 * INSERT, UPDATE, DELETE, MERGE, CREATE, REPLACE, DROP, ALTER, TRUNCATE, DESCRIBE, SHOW,
 * USE, SET, EXPLAIN, OPTIMIZE, REFRESH, ANALYZE or OTHER. A static string. */
const char *lh_ast_stmt_type(const lh_ast_stmt_t *s);
/* Statements joined by ";\n". */
const char *lh_ast_format(const lh_ast_stmt_list_t *list, lh_arena_t *arena);

#endif
