/* test_sqlerr.c - the error class table is sorted and renders Spark's messages. */
#include <string.h>

#include "compute/sql/sqlerr.h"
#include "t.h"

static void table_sorted_and_states(void)
{
    T_CHECK(lh_sqlerr_find("DIVIDE_BY_ZERO") != NULL);
    T_CHECK(strcmp(lh_sqlerr_state("PARSE_SYNTAX_ERROR"), "42601") == 0);
    T_CHECK(strcmp(lh_sqlerr_state("NO_SUCH_CLASS"), "XX000") == 0);
    /* the parser's classes, found by binary search (the table is sorted) */
    static const char *const parse[][2] = {
        {"DUPLICATED_CTE_NAMES", "42602"},
        {"FAILED_TO_PARSE_TOO_COMPLEX", "54001"},
        {"INVALID_NUMERIC_LITERAL_RANGE", "22003"},
        {"INVALID_SQL_SYNTAX.REPETITIVE_WINDOW_DEFINITION", "42000"},
        {"INVALID_TYPED_LITERAL", "42604"},
        {"UNCLOSED_BRACKETED_COMMENT", "42601"},
        {"UNSUPPORTED_DATATYPE", "0A000"},
        {"UNSUPPORTED_TYPED_LITERAL", "0A000"},
    };
    for (size_t i = 0; i < sizeof parse / sizeof parse[0]; i++)
        T_EQ_STR(lh_sqlerr_state(parse[i][0]), parse[i][1]);
}

static void renders_parameters_and_position(void)
{
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    T_CHECK(lh_sqlerr_at(&eb, 1, 9, "PARSE_SYNTAX_ERROR", "error", "'FORM'", "hint", "", NULL) ==
            LH_E_INVALID);
    T_CHECK(strcmp(eb.msg, "[PARSE_SYNTAX_ERROR] Syntax error at or near 'FORM'. SQLSTATE: "
                           "42601 (line 1, pos 9)") == 0);
    T_CHECK(strcmp(eb.error_code, "PARSE_SYNTAX_ERROR") == 0);
    lh_sqlerr(&eb, "UNRESOLVED_ROUTINE", "routineName", "`foo`", "searchPath",
              "[`system`.`builtin`, `system`.`session`]", NULL);
    T_CHECK(strstr(eb.msg, "routine `foo` on search path [`system`.`builtin`") != NULL);
}

int main(void)
{
    T_RUN(table_sorted_and_states);
    T_RUN(renders_parameters_and_position);
    return T_DONE();
}
