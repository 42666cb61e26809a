/*
 * test_type_text.c - Spark's type text (common/type_text.c): DDL field lists, single types in
 * SQL and catalog spelling, intervals, quoting, NOT NULL / COMMENT, errors and their
 * positions, the nesting limit; and the SQL text of nested types (field names quoted when
 * needed).
 */
#include "common/limits.h"
#include "common/nested.h"
#include "t.h"

static const char *parse_text(const char *text, lh_err *e)
{
    static char buf[1024];
    static lh_errbuf eb;
    lh_type_t t;
    memset(&eb, 0, sizeof eb);
    *e = lh_type_parse_text(text, strlen(text), &t, &eb);
    if (*e != LH_OK)
        return eb.msg;
    return lh_type_catalog_string(t, buf, sizeof buf);
}

#define OK(text, want)                                                                             \
    do {                                                                                           \
        lh_err e_;                                                                                 \
        const char *got_ = parse_text(text, &e_);                                                  \
        T_EQ_INT(e_, LH_OK);                                                                       \
        T_EQ_STR(got_, want);                                                                      \
    } while (0)

#define BAD(text, code, msg)                                                                       \
    do {                                                                                           \
        lh_err e_;                                                                                 \
        const char *got_ = parse_text(text, &e_);                                                  \
        T_EQ_INT(e_, code);                                                                        \
        if (strstr(got_, msg) == NULL)                                                             \
            fprintf(stderr, "  message: %s\n", got_);                                              \
        T_CHECK(strstr(got_, msg) != NULL);                                                        \
    } while (0)

static void test_field_lists(void)
{
    OK("a INT, b ARRAY<STRING>", "struct<a:int,b:array<string>>");
    OK("  a   int ,b:string  ", "struct<a:int,b:string>");
    OK("`a b` BIGINT NOT NULL COMMENT 'the id', `x``y` DOUBLE COMMENT \"q\"",
       "struct<a b:bigint,x`y:double>");
    OK("s STRUCT<x: INT, y STRING>, m MAP<STRING, ARRAY<DECIMAL(10, 2)>>",
       "struct<s:struct<x:int,y:string>,m:map<string,array<decimal(10,2)>>>");
    OK("map INT, array STRING", "struct<map:int,array:string>"); /* type words as names */
    OK("d DATE, t TIMESTAMP, n TIMESTAMP_NTZ, l TIMESTAMP_LTZ, b BINARY, v VARCHAR(10), c CHAR(2)",
       "struct<d:date,t:timestamp,n:timestamp_ntz,l:timestamp,b:binary,v:string,c:string>");
    OK("x DEC, y NUMERIC(5), z TINYINT, w SMALLINT, q BOOLEAN, r REAL, s LONG",
       "struct<x:decimal(10,0),y:decimal(5,0),z:tinyint,w:smallint,q:boolean,r:float,s:bigint>");
}

static void test_single_types(void)
{
    OK("ARRAY<INT>", "array<int>");
    OK("array<struct<a:int,b:array<map<string,bigint>>>>",
       "array<struct<a:int,b:array<map<string,bigint>>>>");
    OK("MAP<STRING, INT>", "map<string,int>");
    OK("STRUCT<>", "struct<>");
    OK("struct<a:int>", "struct<a:int>");
    OK("int", "int");
    OK("decimal(38, 38)", "decimal(38,38)");
    OK("INTERVAL YEAR TO MONTH", "interval year to month");
    OK("interval day", "interval day to second"); /* the catalog text prints the full range */
    OK("a INTERVAL", "struct<a:interval>");       /* calendar: from_json / from_csv schemas */
}

static void test_errors(void)
{
    BAD("a INT,", LH_E_INVALID, "at the end");
    BAD("a INT,, b INT", LH_E_INVALID, "position 7");
    BAD("ARRAY<INT", LH_E_INVALID, "'>' expected");
    BAD("MAP<STRING>", LH_E_INVALID, "','");
    BAD("a FOO", LH_E_UNSUPPORTED, "\"FOO\"");
    BAD("interval month to year", LH_E_INVALID, "interval field");
    BAD("a INT, a STRING", LH_E_INVALID, "duplicate field name");
    OK("a INT, A STRING", "struct<a:int,A:string>"); /* distinct, as JSON keys are */
    BAD("decimal(39,2)", LH_E_INVALID, "decimal");
    BAD("int(3)", LH_E_INVALID, "takes no parameters");
    BAD("`open", LH_E_INVALID, "a name");
    BAD("a INT COMMENT 'x", LH_E_INVALID, "comment");
    BAD("", LH_E_INVALID, "expected");
    char deep[512] = "INT";
    for (int i = 0; i < LH_TYPE_NESTING_MAX; i++) {
        char tmp[512];
        snprintf(tmp, sizeof tmp, "ARRAY<%s>", deep);
        snprintf(deep, sizeof deep, "%s", tmp);
    }
    lh_err e;
    parse_text(deep, &e);
    T_EQ_INT(e, LH_E_UNSUPPORTED); /* 20 arrays around an INT: 21 levels */
}

static const char *sql_scalar(lh_type_t t, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", t.id == LH_TYPE_INT ? "INT" : "STRING");
    return buf;
}

static void test_sql_names_quoted(void)
{
    const char *names[4] = {"plain_1", "a b", "x`y", "123"};
    lh_type_t types[4] = {{LH_TYPE_INT}, {LH_TYPE_STRING}, {LH_TYPE_INT}, {LH_TYPE_INT}};
    char buf[256];
    T_EQ_STR(lh_type_sql_string(lh_type_struct(4, names, types), sql_scalar, buf, sizeof buf),
             "STRUCT<plain_1: INT, `a b`: STRING, `x``y`: INT, `123`: INT>");
}

int main(void)
{
    T_RUN(test_field_lists);
    T_RUN(test_single_types);
    T_RUN(test_errors);
    T_RUN(test_sql_names_quoted);
    return T_DONE();
}
