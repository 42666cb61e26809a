/*
 * lexer.c - Spark SQL tokenizer (see lexer.h).
 *
 * One pass over the bytes; each token's value is copied (and unescaped) into the arena so
 * the parser can compare NUL-terminated text. Comments and whitespace produce no tokens.
 * The keyword table is data: sorted by name, searched by binary search.
 */
#include "compute/sql/lexer.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/sql/sqlerr.h"

typedef struct kw {
    const char *name;
    uint8_t cls;
    bool ends_clause; /* cannot be an alias written without AS */
} kw_t;

#define N LH_KW_NONRESERVED
#define S LH_KW_STRICT
#define R LH_KW_RESERVED
/* Sorted (strcmp order, upper case). */
static const kw_t keywords[] = {
    {"ADD", N},
    {"AFTER", N},
    {"ALL", R},
    {"ALTER", N},
    {"ALWAYS", N},
    {"ANALYZE", N},
    {"AND", R, 1},
    {"ANTI", S, 1},
    {"ANY", R},
    {"ARRAY", N},
    {"AS", R, 1},
    {"ASC", N},
    {"BETWEEN", N},
    {"BIGINT", N},
    {"BINARY", N},
    {"BOOLEAN", N},
    {"BOTH", R},
    {"BUCKET", N},
    {"BY", N},
    {"CACHE", N},
    {"CASCADE", N},
    {"CASE", R},
    {"CAST", R},
    {"CATALOG", N},
    {"CATALOGS", N},
    {"CHECK", R},
    {"CLUSTER", N, 1},
    {"COLLATE", R},
    {"COLUMN", R},
    {"COLUMNS", N},
    {"COMMENT", N},
    {"CONSTRAINT", R},
    {"CREATE", R},
    {"CROSS", S, 1},
    {"CUBE", N},
    {"CURRENT", R},
    {"CURRENT_DATE", R},
    {"CURRENT_TIME", R},
    {"CURRENT_TIMESTAMP", R},
    {"CURRENT_USER", R},
    {"DATABASE", N},
    {"DATABASES", N},
    {"DATE", N},
    {"DAY", N},
    {"DAYS", N},
    {"DECIMAL", N},
    {"DEFAULT", N},
    {"DELETE", N},
    {"DESC", N},
    {"DESCRIBE", N},
    {"DETAIL", N},
    {"DISTINCT", R},
    {"DISTRIBUTE", N, 1},
    {"DIV", N},
    {"DOUBLE", N},
    {"DROP", N},
    {"ELSE", R, 1},
    {"END", R, 1},
    {"ESCAPE", R},
    {"EXCEPT", S, 1},
    {"EXISTS", N},
    {"EXPLAIN", N},
    {"EXTENDED", N},
    {"EXTRACT", N},
    {"FALSE", R},
    {"FETCH", R},
    {"FILTER", R},
    {"FIRST", N},
    {"FLOAT", N},
    {"FOLLOWING", N},
    {"FOR", R, 1},
    {"FOREIGN", R},
    {"FORMATTED", N},
    {"FROM", R, 1},
    {"FULL", S, 1},
    {"FUNCTION", N},
    {"FUNCTIONS", N},
    {"GENERATED", N},
    {"GRANT", R},
    {"GROUP", R, 1},
    {"GROUPING", N},
    {"HAVING", R, 1},
    {"HISTORY", N},
    {"HOUR", N},
    {"HOURS", N},
    {"IF", N},
    {"IGNORE", N},
    {"ILIKE", N},
    {"IN", R},
    {"INNER", S, 1},
    {"INSERT", N},
    {"INT", N},
    {"INTEGER", N},
    {"INTERSECT", S, 1},
    {"INTERVAL", N},
    {"INTO", R, 1},
    {"IS", R},
    {"JOIN", S, 1},
    {"KEY", N},
    {"LAST", N},
    {"LATERAL", S, 1},
    {"LEADING", R},
    {"LEFT", S, 1},
    {"LIKE", N},
    {"LIMIT", N, 1},
    {"LOCATION", N},
    {"MAP", N},
    {"MATCHED", N},
    {"MERGE", N},
    {"MINUS", S, 1},
    {"MINUTE", N},
    {"MINUTES", N},
    {"MONTH", N},
    {"MONTHS", N},
    {"NATURAL", S, 1},
    {"NOT", R},
    {"NULL", R},
    {"NULLS", N},
    {"OF", N},
    {"OFFSET", R, 1},
    {"ON", S, 1},
    {"ONLY", R},
    {"OPTIMIZE", N},
    {"OPTIONS", N},
    {"OR", R, 1},
    {"ORDER", R, 1},
    {"OUTER", R},
    {"OVER", N},
    {"OVERWRITE", N},
    {"PARTITION", N},
    {"PARTITIONED", N},
    {"PERCENT", N},
    {"PIVOT", N, 1},
    {"PRECEDING", N},
    {"PRIMARY", R},
    {"QUALIFY", N, 1},
    {"RANGE", N},
    {"RECURSIVE", N},
    {"REFERENCES", R},
    {"REGEXP", N},
    {"RENAME", N},
    {"REPLACE", N},
    {"RESET", N},
    {"RESPECT", N},
    {"RESTORE", N},
    {"RETAIN", N},
    {"RETURN", N},
    {"RETURNS", N},
    {"RIGHT", S, 1},
    {"RLIKE", N},
    {"ROLLUP", N},
    {"ROW", N},
    {"ROWS", N},
    {"SCHEMA", N},
    {"SCHEMAS", N},
    {"SECOND", N},
    {"SECONDS", N},
    {"SELECT", R, 1},
    {"SEMI", S, 1},
    {"SESSION_USER", R},
    {"SET", N},
    {"SETS", N},
    {"SHOW", N},
    {"SMALLINT", N},
    {"SOME", R},
    {"SORT", N, 1},
    {"STRING", N},
    {"STRUCT", N},
    {"TABLE", R},
    {"TABLES", N},
    {"TABLESAMPLE", N, 1},
    {"TBLPROPERTIES", N},
    {"TEMP", N},
    {"TEMPORARY", N},
    {"THEN", R, 1},
    {"TIME", R},
    {"TIMESTAMP", N},
    {"TIMESTAMP_LTZ", N},
    {"TIMESTAMP_NTZ", N},
    {"TINYINT", N},
    {"TO", R},
    {"TRAILING", R},
    {"TRUE", R},
    {"TRUNCATE", N},
    {"TRY_CAST", N},
    {"UNBOUNDED", N},
    {"UNION", S, 1},
    {"UNIQUE", R},
    {"UNKNOWN", R},
    {"UNPIVOT", N, 1},
    {"UPDATE", N},
    {"USE", N},
    {"USER", R},
    {"USING", S, 1},
    {"VACUUM", N},
    {"VALUES", N},
    {"VERSION", N},
    {"VIEW", N},
    {"VIEWS", N},
    {"WEEK", N},
    {"WEEKS", N},
    {"WHEN", R, 1},
    {"WHERE", R, 1},
    {"WINDOW", N, 1},
    {"WITH", R},
    {"WITHIN", N},
    {"YEAR", N},
    {"YEARS", N},
    {"ZORDER", N},
};
#undef N
#undef S
#undef R

static const kw_t *kw_find(const char *word, size_t len)
{
    char up[32];
    if (len == 0 || len >= sizeof up)
        return NULL;
    for (size_t i = 0; i < len; i++)
        up[i] = (char)toupper((unsigned char)word[i]);
    up[len] = '\0';
    size_t lo = 0, hi = sizeof keywords / sizeof keywords[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(up, keywords[mid].name);
        if (c == 0)
            return &keywords[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

lh_kw_class_t lh_sql_keyword(const char *word, size_t len)
{
    const kw_t *k = kw_find(word, len);
    return k ? (lh_kw_class_t)k->cls : LH_KW_NONE;
}

bool lh_sql_keyword_ends_clause(const char *word, size_t len)
{
    const kw_t *k = kw_find(word, len);
    return k && k->ends_clause;
}

const char *lh_sql_keyword_at(size_t i)
{
    return i < sizeof keywords / sizeof keywords[0] ? keywords[i].name : NULL;
}

/* ---- scanning ---------------------------------------------------------------------- */

typedef struct lexer {
    const char *s;
    size_t n, i;
    uint32_t line, line_start;
    lh_arena_t *arena;
    lh_errbuf *eb;
} lexer_t;

static bool is_word_char(int c)
{
    return isalnum(c) || c == '_' || c >= 0x80; /* Spark's LETTER includes unicode */
}

static int peekc(const lexer_t *lx, size_t k)
{
    return lx->i + k < lx->n ? (unsigned char)lx->s[lx->i + k] : -1;
}

static lh_err syntax_at(lexer_t *lx, size_t at, const char *what)
{
    uint32_t line = 1, col = 0;
    for (size_t k = 0; k < at && k < lx->n; k++) {
        if (lx->s[k] == '\n') {
            line++;
            col = 0;
        } else if (((unsigned char)lx->s[k] & 0xC0) != 0x80) {
            col++; /* characters, not bytes: UTF-8 continuation bytes do not count */
        }
    }
    return lh_sqlerr_at(lx->eb, (int)line, (int)col, "PARSE_SYNTAX_ERROR", "error", what, "hint",
                        "", NULL);
}

/* Skip whitespace and comments. */
static lh_err skip_space(lexer_t *lx)
{
    for (;;) {
        int c = peekc(lx, 0);
        if (c == '\n') {
            lx->i++;
            lx->line++;
            lx->line_start = (uint32_t)lx->i;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            lx->i++;
        } else if (c == '-' && peekc(lx, 1) == '-') {
            while (lx->i < lx->n && lx->s[lx->i] != '\n')
                lx->i++;
        } else if (c == '/' && peekc(lx, 1) == '*') {
            int depth = 0;
            do {
                if (lx->i >= lx->n)
                    return lh_sqlerr(lx->eb, "UNCLOSED_BRACKETED_COMMENT", NULL);
                if (peekc(lx, 0) == '/' && peekc(lx, 1) == '*') {
                    depth++;
                    lx->i += 2;
                } else if (peekc(lx, 0) == '*' && peekc(lx, 1) == '/') {
                    depth--;
                    lx->i += 2;
                } else {
                    if (lx->s[lx->i] == '\n') {
                        lx->line++;
                        lx->line_start = (uint32_t)lx->i + 1;
                    }
                    lx->i++;
                }
            } while (depth > 0);
        } else {
            return LH_OK;
        }
    }
}

/* Append one UTF-8 encoded code point. */
static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* Spark's unescapeSQLString for one escape at body[k] == '\\'; returns bytes consumed. */
static size_t unescape_one(const char *b, size_t k, size_t end, char *o, size_t *w)
{
    char c = b[k + 1];
    if (c == 'u' && k + 5 < end && isxdigit((unsigned char)b[k + 2]) &&
        isxdigit((unsigned char)b[k + 3]) && isxdigit((unsigned char)b[k + 4]) &&
        isxdigit((unsigned char)b[k + 5])) {
        char hex[5] = {b[k + 2], b[k + 3], b[k + 4], b[k + 5], 0};
        *w += put_utf8(o + *w, (unsigned)strtoul(hex, NULL, 16));
        return 6;
    }
    if (k + 3 < end && b[k + 1] >= '0' && b[k + 1] <= '1' && b[k + 2] >= '0' && b[k + 2] <= '7' &&
        b[k + 3] >= '0' && b[k + 3] <= '7') {
        o[(*w)++] = (char)((b[k + 1] - '0') * 64 + (b[k + 2] - '0') * 8 + (b[k + 3] - '0'));
        return 4;
    }
    static const char from[] = "0'\"bnrtZ\\%_";
    static const char to[] = "\0'\"\b\n\r\t\032\\";
    const char *p = strchr(from, c);
    if (c == '%' || c == '_') { /* kept with the backslash (LIKE patterns) */
        o[(*w)++] = '\\';
        o[(*w)++] = c;
    } else if (p && c != '\0') {
        o[(*w)++] = to[p - from];
    } else {
        o[(*w)++] = c;
    }
    return 2;
}

static lh_err lex_string(lexer_t *lx, lh_token_t *t, bool raw)
{
    char q = lx->s[lx->i];
    size_t body = lx->i + 1, k = body;
    while (k < lx->n && lx->s[k] != q) {
        if (lx->s[k] == '\\' && !raw && k + 1 < lx->n)
            k++;
        else if (lx->s[k] == '\\' && raw && k + 1 < lx->n && lx->s[k + 1] == q)
            k++;
        k++;
    }
    if (k >= lx->n)
        return syntax_at(lx, t->start, lh_arena_sprintf(lx->arena, "'%c'", q));
    char *o = lh_arena_alloc(lx->arena, k - body + 1);
    size_t w = 0;
    for (size_t j = body; j < k;) {
        if (!raw && lx->s[j] == '\\' && j + 1 < k)
            j += unescape_one(lx->s, j, k, o, &w);
        else
            o[w++] = lx->s[j++];
    }
    o[w] = '\0';
    t->kind = LH_TK_STRING;
    t->value = o;
    t->value_len = (uint32_t)w;
    t->raw = raw;
    lx->i = k + 1;
    return LH_OK;
}

static lh_err lex_qident(lexer_t *lx, lh_token_t *t)
{
    size_t k = lx->i + 1;
    char *o = lh_arena_alloc(lx->arena, lx->n - k + 1);
    size_t w = 0;
    for (;; k++) {
        if (k >= lx->n)
            return syntax_at(lx, t->start, "'`'");
        if (lx->s[k] == '`') {
            if (k + 1 < lx->n && lx->s[k + 1] == '`') {
                o[w++] = '`';
                k++;
                continue;
            }
            break;
        }
        o[w++] = lx->s[k];
    }
    o[w] = '\0';
    t->kind = LH_TK_QIDENT;
    t->value = o;
    t->value_len = (uint32_t)w;
    lx->i = k + 1;
    return LH_OK;
}

/* Length of a number at s[i..] and its kind; 0 if none. */
static size_t scan_number(const char *s, size_t i, size_t n, lh_num_kind_t *kind)
{
    size_t k = i;
    bool dot = false, exp = false;
    while (k < n && isdigit((unsigned char)s[k]))
        k++;
    if (k < n && s[k] == '.') {
        dot = true;
        k++;
        while (k < n && isdigit((unsigned char)s[k]))
            k++;
    }
    if (k == i + (dot ? 1u : 0u))
        return 0; /* "." alone */
    if (k < n && (s[k] == 'e' || s[k] == 'E')) {
        size_t e = k + 1;
        if (e < n && (s[e] == '+' || s[e] == '-'))
            e++;
        if (e < n && isdigit((unsigned char)s[e])) {
            while (e < n && isdigit((unsigned char)s[e]))
                e++;
            k = e;
            exp = true;
        }
    }
    *kind = exp ? LH_NUM_EXPONENT : dot ? LH_NUM_DECIMAL : LH_NUM_INT;
    int c = k < n ? toupper((unsigned char)s[k]) : 0;
    int c2 = k + 1 < n ? toupper((unsigned char)s[k + 1]) : 0;
    if (c == 'B' && c2 == 'D') {
        *kind = LH_NUM_BIGDECIMAL;
        return k + 2 - i;
    }
    if (c == 'D' || c == 'F') {
        *kind = c == 'D' ? LH_NUM_DOUBLE : LH_NUM_FLOAT;
        return k + 1 - i;
    }
    if (!dot && !exp && (c == 'L' || c == 'S' || c == 'Y')) {
        *kind = c == 'L' ? LH_NUM_BIGINT : c == 'S' ? LH_NUM_SMALLINT : LH_NUM_TINYINT;
        return k + 1 - i;
    }
    return k - i;
}

static void lex_word_or_number(lexer_t *lx, lh_token_t *t)
{
    size_t w = lx->i;
    while (w < lx->n && is_word_char((unsigned char)lx->s[w]))
        w++;
    lh_num_kind_t nk = LH_NUM_INT;
    size_t nlen =
        isdigit(peekc(lx, 0)) || peekc(lx, 0) == '.' ? scan_number(lx->s, lx->i, lx->n, &nk) : 0;
    size_t wlen = peekc(lx, 0) == '.' ? 0 : w - lx->i;
    if (nlen > 0 && nlen >= wlen) {
        t->kind = LH_TK_NUMBER;
        t->num = nk;
        wlen = nlen;
    } else {
        t->kind = LH_TK_WORD;
    }
    t->value = lh_arena_strndup(lx->arena, lx->s + lx->i, wlen);
    t->value_len = (uint32_t)wlen;
    lx->i += wlen;
}

static const char *const ops[] = {
    "<=>", ">>>", "::", "<=", ">=", "<>", "!=", "==", "||", "->", "=>", "<<", ">>",
    "|>",  "(",   ")",  "[",  "]",  "{",  "}",  ",",  ".",  ";",  "*",  "/",  "%",
    "+",   "-",   "~",  "&",  "|",  "^",  "=",  "<",  ">",  "!",  ":",  "@",  "$",
};

static lh_err lex_op(lexer_t *lx, lh_token_t *t)
{
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t len = strlen(ops[k]);
        if (lx->i + len <= lx->n && memcmp(lx->s + lx->i, ops[k], len) == 0) {
            t->kind = LH_TK_OP;
            t->value = ops[k];
            t->value_len = (uint32_t)len;
            lx->i += len;
            return LH_OK;
        }
    }
    size_t cl = 1; /* quote one whole UTF-8 character */
    while (lx->i + cl < lx->n && ((unsigned char)lx->s[lx->i + cl] & 0xC0) == 0x80)
        cl++;
    return syntax_at(lx, lx->i, lh_arena_sprintf(lx->arena, "'%.*s'", (int)cl, lx->s + lx->i));
}

static lh_err lex_one(lexer_t *lx, lh_token_t *t)
{
    int c = peekc(lx, 0), c1 = peekc(lx, 1);
    if (c == '\'' || c == '"')
        return lex_string(lx, t, false);
    if ((c == 'r' || c == 'R') && (c1 == '\'' || c1 == '"')) {
        lx->i++;
        return lex_string(lx, t, true);
    }
    if ((c == 'x' || c == 'X') && c1 == '\'') {
        lx->i++;
        LH_TRY(lex_string(lx, t, true));
        t->kind = LH_TK_BINARY;
        return LH_OK;
    }
    if (c == '`')
        return lex_qident(lx, t);
    if (is_word_char(c) || (c == '.' && isdigit(c1))) {
        lex_word_or_number(lx, t);
        return LH_OK;
    }
    if (c == '?') {
        t->kind = LH_TK_PARAM;
        t->value = "?";
        t->value_len = 1;
        lx->i++;
        return LH_OK;
    }
    return lex_op(lx, t);
}

/* Column of lx->i in characters; scan and chars carry the count along the line so the
 * whole text is scanned once. */
static uint32_t char_column(const lexer_t *lx, size_t *scan, uint32_t *chars)
{
    if (*scan < lx->line_start) {
        *scan = lx->line_start;
        *chars = 0;
    }
    for (; *scan < lx->i; (*scan)++)
        if (((unsigned char)lx->s[*scan] & 0xC0) != 0x80)
            (*chars)++;
    return *chars;
}

lh_err lh_sql_lex(const char *sql, size_t bytes, lh_arena_t *arena, lh_token_t **out,
                  uint32_t *count, lh_errbuf *eb)
{
    size_t scan = 0;
    uint32_t chars = 0;
    lexer_t lx = {.s = sql, .n = bytes, .line = 1, .arena = arena, .eb = eb};
    const char *nul = memchr(sql, '\0', bytes);
    if (nul) /* token values are C strings: a NUL byte cannot be represented */
        return syntax_at(&lx, (size_t)(nul - sql), "'\\u0000'");
    size_t cap = 64, n = 0;
    lh_token_t *toks = lh_arena_alloc(arena, cap * sizeof *toks);
    for (;;) {
        LH_TRY(skip_space(&lx));
        if (n == cap) {
            lh_token_t *bigger = lh_arena_alloc(arena, 2 * cap * sizeof *toks);
            memcpy(bigger, toks, cap * sizeof *toks);
            toks = bigger;
            cap *= 2;
        }
        lh_token_t *t = &toks[n];
        memset(t, 0, sizeof *t);
        t->start = (uint32_t)lx.i;
        t->line = lx.line;
        t->col = char_column(&lx, &scan, &chars);
        if (lx.i >= lx.n) {
            t->kind = LH_TK_EOF;
            t->value = "";
            t->stop = t->start;
            n++;
            break;
        }
        LH_TRY(lex_one(&lx, t));
        t->stop = (uint32_t)lx.i;
        n++;
    }
    *out = toks;
    *count = (uint32_t)n;
    return LH_OK;
}
