/* test_parse_errors.c - malformed SQL gives Spark's error class, message and position
 * (texts from Spark's golden answers in spark-sql-tests/results), and the limits on SQL
 * length and nesting hold at N and N+1. */
#include <stdlib.h>

#include "common/limits.h"
#include "compute/sql/lexer.h"
#include "sqlt.h"

static lh_arena_t *A;

#define SYNTAX(tok, hint, ln, ps)                                                                  \
    "[PARSE_SYNTAX_ERROR] Syntax error at or near " tok hint ". SQLSTATE: 42601 (line " #ln        \
    ", pos " #ps ")"

static void syntax_errors(void)
{
    T_ERR(A, "SELECT * FORM t", SYNTAX("'FORM'", "", 1, 9));
    T_ERR(A, "SELECT 1 +", SYNTAX("end of input", "", 1, 10));
    T_ERR(A, "WITH t() AS (SELECT 1)\nSELECT * FROM t", SYNTAX("')'", "", 1, 7));
    T_ERR(A, "select interval 1 fake_unit", SYNTAX("'fake_unit'", "", 1, 18));
    T_ERR(A, "select interval 30 day day day", SYNTAX("'day'", ": extra input 'day'", 1, 27));
    T_ERR(A, "SELECT a, b, c, count(d) FROM grouping GROUP BY WITH ROLLUP",
          SYNTAX("'ROLLUP'", ": extra input 'ROLLUP'", 1, 53));
    T_ERR(A, "SELECT FALSE IS NOT NULL :: string", SYNTAX("'::'", "", 1, 25));
    T_ERR(A, "select .e3", SYNTAX("'.'", "", 1, 7));
    T_ERR(A, "SELECT * EXCEPT name FROM tbl_view", SYNTAX("'name'", "", 1, 16));
    T_ERR(A, "SELECT 1;\nSELECT (2", SYNTAX("end of input", "", 2, 9));
    T_ERR(A, "SELECT 'abc", SYNTAX("'''", "", 1, 7));
    T_ERR(A, "SELECT a FROM t WHERE", SYNTAX("end of input", "", 1, 21));
    T_ERR(A, "INSERT INTO t", SYNTAX("end of input", "", 1, 13));
    T_ERR(A, "MERGE INTO t USING s ON t.a = s.a", SYNTAX("end of input", "", 1, 33));
    T_ERR(A, "SELECT # FROM t", SYNTAX("'#'", "", 1, 7));
    T_ERR(A, "DROP t", SYNTAX("'t'", "", 1, 5));
    T_ERR(A, "SELECT a * * FROM t", SYNTAX("'*'", "", 1, 11)); /* regression: fuzz_sql */
    /* pos counts characters, not bytes */
    T_ERR(A, "SELECT 'été', 'ü' FORM t", SYNTAX("'t'", ": extra input 't'", 1, 23));
    T_ERR(A, "SELECT 'é' FROM t t2 t3", SYNTAX("'t3'", ": extra input 't3'", 1, 21));
    T_ERR(A, "SELECT 'é',\n  'ü' + ", SYNTAX("end of input", "", 2, 8));
    T_ERR(A, "SELECT 'é', 'é", SYNTAX("'''", "", 1, 12));
}

static void other_parse_errors(void)
{
    T_ERR(A, "select 128Y",
          "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 128 is outside the valid range for "
          "tinyint with minimum value of -128 and maximum value of 127. Please adjust the value "
          "accordingly. SQLSTATE: 22003 (line 1, pos 7)");
    T_ERR(A, "select 9223372036854775808L",
          "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 9223372036854775808 is outside the "
          "valid range for bigint with minimum value of -9223372036854775808 and maximum value "
          "of 9223372036854775807. Please adjust the value accordingly. SQLSTATE: 22003 (line 1, "
          "pos 7)");
    T_ERR(A, "select 1E309",
          "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 1E309 is outside the valid range for "
          "double with minimum value of -1.7976931348623157E+308 and maximum value of "
          "1.7976931348623157E+308. Please adjust the value accordingly. SQLSTATE: 22003 (line "
          "1, pos 7)");
    T_ERR(A, "select GEO '(10,-6)'",
          "[UNSUPPORTED_TYPED_LITERAL] Literals of the type \"GEO\" are not supported. Supported "
          "types are \"DATE\", \"TIMESTAMP_NTZ\", \"TIMESTAMP_LTZ\", \"TIMESTAMP\", "
          "\"INTERVAL\", \"X\". SQLSTATE: 0A000 (line 1, pos 7)");
    T_ERR(A, "SELECT '2147483648' :: BINT",
          "[UNSUPPORTED_DATATYPE] Unsupported data type \"BINT\". SQLSTATE: 0A000 (line 1, pos "
          "23)");
    T_ERR(A, "WITH t(x) AS (SELECT 1), t(x) AS (SELECT 2) SELECT * FROM t",
          "[DUPLICATED_CTE_NAMES] CTE definition can't have duplicate names: `t`. SQLSTATE: "
          "42602 (line 1, pos 0)");
    T_ERR(A, "SELECT 1 FROM t WINDOW w AS (), w AS ()",
          "[INVALID_SQL_SYNTAX.REPETITIVE_WINDOW_DEFINITION] Invalid SQL syntax: The definition "
          "of window `w` is repetitive. SQLSTATE: 42000 (line 1, pos 16)");
    T_ERR(A, "select * from values (\"one\", 2.0), (\"two\") as data(a, b)",
          "[INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH] Invalid inline table. Inline table "
          "expected 2 columns but found 1 columns in row 1. SQLSTATE: 42000 (line 1, pos 14)");
    T_ERR(A, "VALUES (1), (2, 3)",
          "[INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH] Invalid inline table. Inline table "
          "expected 1 columns but found 2 columns in row 1. SQLSTATE: 42000 (line 1, pos 0)");
    T_ERR(A, "select 1 /* unclosed",
          "[UNCLOSED_BRACKETED_COMMENT] Found an unclosed bracketed comment. Please, append */ at "
          "the end of the comment. SQLSTATE: 42601");
    T_ERR(A, "select 1 /* a /* b */ c",
          "[UNCLOSED_BRACKETED_COMMENT] Found an unclosed bracketed comment. Please, append */ at "
          "the end of the comment. SQLSTATE: 42601");
    T_ERR(A, "select 1 -128Y",
          "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 128 is outside the valid range for "
          "tinyint with minimum value of -128 and maximum value of 127. Please adjust the value "
          "accordingly. SQLSTATE: 22003 (line 1, pos 10)");
    /* in range: the minima fold the sign in */
    lh_errbuf eb;
    T_EQ_STR(sqlt_format(A, "select -128Y, 127Y, -32768S, -9223372036854775808L", &eb),
             "SELECT -128Y, 127Y, -32768S, -9223372036854775808L");
}

#define TOO_COMPLEX                                                                                \
    "[FAILED_TO_PARSE_TOO_COMPLEX] The statement, including potential SQL functions and "          \
    "referenced views, was too complex to parse. To mitigate this error divide the statement "     \
    "into multiple, less complex chunks. SQLSTATE: 54001"

/* "SELECT " + n '(' + "1" + n ')' */
static char *nested(int n)
{
    char *s = malloc((size_t)(2 * n + 16));
    int k = sprintf(s, "SELECT ");
    for (int i = 0; i < n; i++)
        s[k++] = '(';
    s[k++] = '1';
    for (int i = 0; i < n; i++)
        s[k++] = ')';
    s[k] = '\0';
    return s;
}

/* Deepest parentheses that still parse: find it, then check N passes and N+1 fails. */
static void depth_limit(void)
{
    int ok_depth = 0;
    for (int n = 1; n <= LH_SQL_DEPTH_MAX; n++) {
        char *s = nested(n);
        lh_errbuf eb;
        if (sqlt_format(A, s, &eb) != NULL)
            ok_depth = n;
        free(s);
    }
    T_EQ_INT(ok_depth, LH_SQL_DEPTH_MAX / 3 - 1); /* 3 levels a parenthesis, 2 for SELECT */
    char *s = nested(ok_depth + 1);
    T_ERR(A, s, TOO_COMPLEX);
    free(s);
    s = nested(100000); /* far beyond: still a clean error, no stack overflow */
    T_ERR(A, s, TOO_COMPLEX);
    free(s);
    /* the same bound for subqueries and unary chains */
    char *q = malloc(20 * 100000 + 16), *u = malloc(100000 + 16);
    size_t k = 0;
    for (int i = 0; i < 100000; i++)
        k += (size_t)sprintf(q + k, "(SELECT ");
    q[k] = '\0';
    T_ERR(A, q + 1, TOO_COMPLEX);
    memset(u, '~', 100000);
    strcpy(u + 100000, "1");
    char *sel = malloc(100000 + 32);
    sprintf(sel, "SELECT %s", u);
    T_ERR(A, sel, TOO_COMPLEX);
    free(q);
    free(u);
    free(sel);
}

/* "SELECT 1" + n times sep + "1": left-deep chains count one level per operator */
static char *chain(const char *head, const char *sep, const char *item, int n)
{
    char *s = malloc(strlen(head) + (size_t)n * (strlen(sep) + strlen(item)) + 1);
    size_t k = (size_t)sprintf(s, "%s", head);
    for (int i = 0; i < n; i++)
        k += (size_t)sprintf(s + k, "%s%s", sep, item);
    return s;
}

static void chain_limit(void)
{
    static const char *const seps[][2] = {
        {" + ", "1"}, {" AND ", "x"}, {" UNION SELECT ", "1"}, {" JOIN ", "t"}, {"", "[0]"}};
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
        const char *head = i == 3 ? "SELECT 1 FROM t" : "SELECT 1";
        char *ok = chain(head, seps[i][0], seps[i][1], LH_SQL_DEPTH_MAX - 10);
        char *deep = chain(head, seps[i][0], seps[i][1], LH_SQL_DEPTH_MAX);
        lh_errbuf eb;
        T_CHECK(sqlt_format(A, ok, &eb) != NULL);
        T_ERR(A, deep, TOO_COMPLEX);
        free(ok);
        free(deep);
    }
}

static void length_limit(void)
{
    size_t n = LH_SQL_TEXT_MAX;
    char *s = malloc(n + 2);
    memcpy(s, "SELECT 1", 8);
    memset(s + 8, ' ', n - 8);
    s[n] = '\0';
    lh_errbuf eb;
    T_EQ_STR(sqlt_format(A, s, &eb), "SELECT 1");
    s[n] = ' ';
    s[n + 1] = '\0';
    T_ERR(A, s, TOO_COMPLEX);
    free(s);
}

int main(void)
{
    A = lh_arena_create();
    T_RUN(syntax_errors);
    T_RUN(other_parse_errors);
    T_RUN(depth_limit);
    T_RUN(chain_limit);
    T_RUN(length_limit);
    lh_arena_destroy(A);
    return T_DONE();
}
