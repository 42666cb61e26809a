/*
 * lexer.h - Spark SQL tokens.
 *
 * lh_sql_lex turns the whole statement text into an array of tokens at once (the parser
 * looks ahead freely). Rules follow Spark's SqlBaseLexer.g4:
 *   - words: [A-Za-z0-9_]+ not starting a number; keywords are words (the parser compares
 *     case-insensitively, lh_sql_keyword() classifies them);
 *   - `quoted` identifiers, `` inside meaning one backquote;
 *   - '...' and "..." strings with Spark's backslash escapes, r'...' / R"..." raw strings
 *     (value decoded into the arena; adjacent strings are concatenated by the parser);
 *   - numbers: 1, 1.5, .5, 1e10, 1.5E-3 and the suffixes L S Y D F BD; a run such as
 *     "1abc" that is longer as a word is a word, as in Spark;
 *   - X'0AFF' binary literals; ?, :name is ':' then a word (the parser decides);
 *   - operators, including :: <=> == != <> || -> => >>> and @ (table@v3);
 *   - -- line comments and nested bracketed comments (hints are comments too).
 * Every token has its byte span [start, stop) and the line (1-based) and column (0-based,
 * in characters, like Spark's "pos") of its first byte.
 * Errors: UNCLOSED_BRACKETED_COMMENT, PARSE_SYNTAX_ERROR for an unclosed string, a stray
 * character or a NUL byte (token values are C strings) (Spark's lexer errors surface as syntax
 * errors).
 */
#ifndef LH_COMPUTE_SQL_LEXER_H
#define LH_COMPUTE_SQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/err.h"

typedef enum lh_tok_kind {
    LH_TK_EOF = 0,
    LH_TK_WORD,   /* unquoted identifier or keyword */
    LH_TK_QIDENT, /* `backquoted` identifier (value unescaped) */
    LH_TK_STRING, /* '..' or ".." (value unescaped); raw strings too */
    LH_TK_NUMBER, /* num says which kind */
    LH_TK_BINARY, /* X'..': value is the hex digits */
    LH_TK_PARAM,  /* ? */
    LH_TK_OP,     /* punctuation/operator: value is its text, e.g. "<=>" */
} lh_tok_kind_t;

/* Spark's numeric literal tokens. */
typedef enum lh_num_kind {
    LH_NUM_INT,        /* 12 */
    LH_NUM_BIGINT,     /* 12L */
    LH_NUM_SMALLINT,   /* 12S */
    LH_NUM_TINYINT,    /* 12Y */
    LH_NUM_DECIMAL,    /* 1.5 (DECIMAL, or DOUBLE under legacy settings) */
    LH_NUM_EXPONENT,   /* 1e10, 1.5E-3 (DOUBLE) */
    LH_NUM_DOUBLE,     /* 1.5D */
    LH_NUM_FLOAT,      /* 1.5F */
    LH_NUM_BIGDECIMAL, /* 1.5BD */
} lh_num_kind_t;

typedef struct lh_token {
    lh_tok_kind_t kind;
    lh_num_kind_t num; /* LH_TK_NUMBER only */
    uint32_t start;    /* byte offset of the first byte */
    uint32_t stop;     /* byte offset just past the last byte */
    uint32_t line;     /* 1-based */
    uint32_t col;      /* 0-based column in characters (code points), Spark's "pos" */
    const char *value; /* NUL-terminated: word/ident/string/op text, number text */
    uint32_t value_len;
    bool raw; /* LH_TK_STRING: r'..' */
} lh_token_t;

/* Tokenize sql[0..bytes) into *out (arena array, *count tokens, the last LH_TK_EOF).
 * Returns LH_E_INVALID with a Spark error in eb on a lexical error. */
lh_err lh_sql_lex(const char *sql, size_t bytes, lh_arena_t *arena, lh_token_t **out,
                  uint32_t *count, lh_errbuf *eb);

/* Keyword classes (Spark's docs/sql-ref-ansi-compliance.md keyword table). */
typedef enum lh_kw_class {
    LH_KW_NONE = 0,    /* not a keyword */
    LH_KW_NONRESERVED, /* a keyword usable as any identifier */
    LH_KW_STRICT,      /* strict-non-reserved: not a table alias (JOIN, ON, UNION...) */
    LH_KW_RESERVED,    /* reserved in ANSI mode with enforceReservedKeywords (informational:
                          Spark's default accepts them as identifiers) */
} lh_kw_class_t;

/* Class of word (case-insensitive; not NUL-terminated). */
lh_kw_class_t lh_sql_keyword(const char *word, size_t len);
/* Whether a word ends an expression list or relation, so it cannot be an alias written
 * without AS (FROM, WHERE, JOIN, UNION, LIMIT...). */
bool lh_sql_keyword_ends_clause(const char *word, size_t len);
/* The keyword table, in order (tests check it is sorted; editors may list it): the i-th
 * keyword, or NULL past the end. */
const char *lh_sql_keyword_at(size_t i);

#endif
