/* test_lexer.c - Spark SQL tokens: kinds, values, number suffixes, escapes, comments and
 * positions. */
#include "compute/sql/lexer.h"
#include "t.h"

static lh_arena_t *A;

static lh_token_t *lex(const char *sql, uint32_t *n)
{
    lh_token_t *t = NULL;
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    if (lh_sql_lex(sql, strlen(sql), A, &t, n, &eb) != LH_OK) {
        fprintf(stderr, "  lex failed: %s\n", eb.msg);
        *n = 0;
    }
    return t;
}

static void words_and_positions(void)
{
    uint32_t n;
    lh_token_t *t = lex("SELECT a,\n  `b``c` -- x\n/* y /* z */ */ FROM", &n);
    T_EQ_INT(n, 6);
    if (n != 6)
        return;
    T_CHECK(t[0].kind == LH_TK_WORD);
    T_EQ_STR(t[0].value, "SELECT");
    T_EQ_INT(t[1].col, 7);
    T_CHECK(t[2].kind == LH_TK_OP);
    T_CHECK(t[3].kind == LH_TK_QIDENT);
    T_EQ_STR(t[3].value, "b`c");
    T_EQ_INT(t[3].line, 2);
    T_EQ_INT(t[3].col, 2);
    T_EQ_INT(t[3].start, 12);
    T_EQ_INT(t[3].stop, 18);
    T_EQ_STR(t[4].value, "FROM");
    T_EQ_INT(t[4].line, 3);
    T_EQ_INT(t[4].col, 16);
    T_CHECK(t[5].kind == LH_TK_EOF);
}

static void numbers(void)
{
    uint32_t n;
    lh_token_t *t = lex("1 10L 2S 3Y 1.5 .5 1e10 1.5E-3 2D 2.5F 3BD 1abc 1e 7.", &n);
    static const int kinds[] = {LH_NUM_INT,     LH_NUM_BIGINT,  LH_NUM_SMALLINT,  LH_NUM_TINYINT,
                                LH_NUM_DECIMAL, LH_NUM_DECIMAL, LH_NUM_EXPONENT,  LH_NUM_EXPONENT,
                                LH_NUM_DOUBLE,  LH_NUM_FLOAT,   LH_NUM_BIGDECIMAL};
    T_EQ_INT(n, 15);
    if (n != 15)
        return;
    for (int i = 0; i < 11; i++) {
        T_CHECK(t[i].kind == LH_TK_NUMBER);
        T_EQ_INT(t[i].num, kinds[i]);
    }
    T_EQ_STR(t[10].value, "3BD");
    T_CHECK(t[11].kind == LH_TK_WORD); /* 1abc is an identifier, as in Spark */
    T_EQ_STR(t[11].value, "1abc");
    T_CHECK(t[12].kind == LH_TK_WORD);                                  /* 1e */
    T_CHECK(t[13].kind == LH_TK_NUMBER && t[13].num == LH_NUM_DECIMAL); /* 7. */
}

static void strings(void)
{
    uint32_t n;
    lh_token_t *t = lex("'a\\'b' \"c\\\"d\" 'x\\ty\\n' '\\u0041\\101' r'\\d+' X'0aFF' 'a\\%'", &n);
    T_EQ_INT(n, 8);
    if (n != 8)
        return;
    T_EQ_STR(t[0].value, "a'b");
    T_EQ_STR(t[1].value, "c\"d");
    T_EQ_STR(t[2].value, "x\ty\n");
    T_EQ_STR(t[3].value, "AA");
    T_CHECK(t[4].raw);
    T_EQ_STR(t[4].value, "\\d+");
    T_CHECK(t[5].kind == LH_TK_BINARY);
    T_EQ_STR(t[5].value, "0aFF");
    T_EQ_STR(t[6].value, "a\\%"); /* kept for LIKE */
}

static void operators(void)
{
    uint32_t n;
    lh_token_t *t = lex("a::int <=> == != <> || -> => >>> :p ? @ >=", &n);
    const char *ops[] = {"::", "<=>", "==", "!=", "<>", "||", "->", "=>", ">>>", ":"};
    T_EQ_INT(n, 17);
    if (n != 17)
        return;
    T_EQ_STR(t[1].value, ops[0]);
    for (int i = 1; i < 10; i++)
        T_EQ_STR(t[i + 2].value, ops[i]);
    T_CHECK(t[13].kind == LH_TK_PARAM);
    T_EQ_STR(t[14].value, "@");
    T_EQ_STR(t[15].value, ">=");
}

static void keywords(void)
{
    T_EQ_INT(lh_sql_keyword("select", 6), LH_KW_RESERVED);
    T_EQ_INT(lh_sql_keyword("Join", 4), LH_KW_STRICT);
    T_EQ_INT(lh_sql_keyword("year", 4), LH_KW_NONRESERVED);
    T_EQ_INT(lh_sql_keyword("banana", 6), LH_KW_NONE);
    T_CHECK(lh_sql_keyword_ends_clause("where", 5));
    T_CHECK(!lh_sql_keyword_ends_clause("year", 4));
    /* the table is sorted: every keyword is found by its own name, in any case */
    const char *all[] = {"ADD",       "CURRENT_DATE",  "DATABASE", "DATE", "INTERSECT", "INTERVAL",
                         "TIMESTAMP", "TIMESTAMP_NTZ", "ZORDER",   "ALL",  "WITHIN"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        T_CHECK(lh_sql_keyword(all[i], strlen(all[i])) != LH_KW_NONE);
    for (size_t i = 1; lh_sql_keyword_at(i); i++) {
        T_CHECK(strcmp(lh_sql_keyword_at(i - 1), lh_sql_keyword_at(i)) < 0);
        T_CHECK(lh_sql_keyword(lh_sql_keyword_at(i), strlen(lh_sql_keyword_at(i))) != LH_KW_NONE);
    }
}

static void errors(void)
{
    lh_token_t *t;
    uint32_t n;
    lh_errbuf eb;
    T_CHECK(lh_sql_lex("a /* x", 6, A, &t, &n, &eb) == LH_E_INVALID);
    T_EQ_STR(eb.error_code, "UNCLOSED_BRACKETED_COMMENT");
    T_CHECK(lh_sql_lex("`abc", 4, A, &t, &n, &eb) == LH_E_INVALID);
    T_EQ_STR(eb.error_code, "PARSE_SYNTAX_ERROR");
    /* not NUL-terminated input: the lexer stays inside its slice */
    T_CHECK(lh_sql_lex("'abcdef", 3, A, &t, &n, &eb) == LH_E_INVALID);
    T_CHECK(lh_sql_lex("abcdef", 3, A, &t, &n, &eb) == LH_OK);
    T_CHECK(lh_sql_lex("'a\0b'", 5, A, &t, &n, &eb) == LH_E_INVALID); /* NUL byte */
    T_EQ_STR(eb.msg, "[PARSE_SYNTAX_ERROR] Syntax error at or near '\\u0000'. SQLSTATE: 42601 "
                     "(line 1, pos 2)");
    T_EQ_STR(t[0].value, "abc");
}

int main(void)
{
    A = lh_arena_create();
    T_RUN(words_and_positions);
    T_RUN(numbers);
    T_RUN(strings);
    T_RUN(operators);
    T_RUN(keywords);
    T_RUN(errors);
    lh_arena_destroy(A);
    return T_DONE();
}
