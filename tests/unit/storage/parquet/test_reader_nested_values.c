/*
 * test_reader_nested_values.c - nested columns read as common/nested.h values
 * (lh_pq_nested_column_type, lh_pq_read_nested) from parquet-testing's files: three-level
 * lists and maps, the legacy two-level lists, repeated fields without annotation, a map whose
 * key is OPTIONAL; wanted types that differ (struct fields by name, missing fields, integer
 * widening) and shapes that are refused. The expected rows are what DuckDB 1.x reads from the
 * same files (tests/interop/nested_duckdb.test.mjs compares the two live).
 */
#include "nested_text.h"
#include "reader_util.h"

/* Type text and rows of nested column `name` (row group 0) against want[]. */
static void check_column(const char *file, const char *name, const char *type_text,
                         const char *const *want, size_t want_count)
{
    lh_pq_file_t *f = pq_open_rel(file);
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    int i = -1;
    for (int k = 0; k < lh_pq_nested_column_count(f); k++)
        if (strcmp(lh_pq_nested_column_name(f, k), name) == 0)
            i = k;
    T_CHECK(i >= 0);
    lh_type_t t;
    lh_errbuf eb = {0};
    char buf[512];
    if (i < 0 || lh_pq_nested_column_type(f, i, &t, &eb) != LH_OK) {
        fprintf(stderr, "  %s.%s: %s\n", file, name, eb.msg);
        T_CHECK(0);
        lh_pq_close(f);
        return;
    }
    T_EQ_STR(lh_type_catalog_string(t, buf, sizeof buf), type_text);
    lh_vec_t *v = lh_vec_create(t, 0);
    lh_err e = lh_pq_read_nested(f, 0, i, v, &eb);
    if (e != LH_OK)
        fprintf(stderr, "  %s.%s: %s\n", file, name, eb.msg);
    T_EQ_INT(e, LH_OK);
    T_EQ_INT(v->count, want_count);
    ntext nt;
    for (size_t r = 0; e == LH_OK && r < v->count && r < want_count; r++) {
        lh_value_t x;
        lh_vec_get_value(v, r, &x);
        T_CHECK(x.is_null || lh_nested_validate(t, x.v.str));
        T_EQ_STR(nt_row(&nt, v, r), want[r]);
    }
    lh_vec_destroy(v);
    lh_pq_close(f);
}

#define CHECK(file, name, type, ...)                                                               \
    do {                                                                                           \
        static const char *const w_[] = {__VA_ARGS__};                                             \
        check_column(file, name, type, w_, sizeof w_ / sizeof w_[0]);                              \
    } while (0)

static void test_three_level_lists(void)
{
    CHECK("data/list_columns.parquet", "int64_list", "array<bigint>", "[1,2,3]", "[null,1]", "[4]");
    CHECK("data/list_columns.parquet", "utf8_list", "array<string>", "[\"abc\",\"efg\",\"hij\"]",
          "null", "[\"efg\",null,\"hij\",\"xyz\"]");
    CHECK("data/null_list.parquet", "emptylist", "array<int>", "[]");
    CHECK("data/nested_lists.snappy.parquet", "a", "array<array<array<string>>>",
          "[[[\"a\",\"b\"],[\"c\"]],[null,[\"d\"]]]",
          "[[[\"a\",\"b\"],[\"c\",\"d\"]],[null,[\"e\"]]]",
          "[[[\"a\",\"b\"],[\"c\",\"d\"],[\"e\"]],[null,[\"f\"]]]");
}

static void test_maps(void)
{
    CHECK("data/nested_maps.snappy.parquet", "a", "map<string,map<int,boolean>>",
          "{\"a\":{1:true,2:false}}", "{\"b\":{1:true}}", "{\"c\":null}", "{\"d\":{}}",
          "{\"e\":{1:true}}", "{\"f\":{3:true,4:false,5:true}}");
    /* key OPTIONAL in the file (no key is null): read as DuckDB does */
    CHECK("data/incorrect_map_schema.parquet", "my_map", "map<string,string>",
          "{\"parent\":\"another\",\"name\":\"report\"}");
}

static void test_legacy_and_bare_repeated(void)
{
    /* required group a (LIST) { repeated group array (LIST) { repeated int32 array } } */
    CHECK("data/old_list_structure.parquet", "a", "array<array<int>>", "[[1,2],[3,4]]");
    CHECK("data/repeated_no_annotation.parquet", "phoneNumbers",
          "struct<phone:array<struct<number:bigint,kind:string>>>", "null", "null",
          "{\"phone\":[]}", "{\"phone\":[{\"number\":5555555555,\"kind\":null}]}",
          "{\"phone\":[{\"number\":1111111111,\"kind\":\"home\"}]}",
          "{\"phone\":[{\"number\":1111111111,\"kind\":\"home\"},{\"number\":2222222222,"
          "\"kind\":null},{\"number\":3333333333,\"kind\":\"mobile\"}]}");
    CHECK("data/repeated_primitive_no_list.parquet", "Int32_list", "array<int>", "[0,1,2,3]", "[]",
          "[4]", "[5,6,7,8]");
    CHECK("data/repeated_primitive_no_list.parquet", "group_of_lists",
          "struct<Int32_list_in_group:array<int>,String_list_in_group:array<string>>",
          "{\"Int32_list_in_group\":[0,1,2,3],\"String_list_in_group\":[\"foo\",\"zero\",\"one\","
          "\"two\"]}",
          "{\"Int32_list_in_group\":[],\"String_list_in_group\":[\"three\"]}",
          "{\"Int32_list_in_group\":[4],\"String_list_in_group\":[\"four\"]}",
          "{\"Int32_list_in_group\":[5,6,7,8],\"String_list_in_group\":[\"five\",\"six\","
          "\"seven\",\"eight\"]}");
}

/* Read nested column i of file as want; the rows' text, or the error. */
static lh_err read_as(const char *file, const char *name, lh_type_t want, const char **rows,
                      size_t n, lh_errbuf *eb)
{
    lh_pq_file_t *f = pq_open_rel(file);
    if (f == NULL)
        return LH_E_IO;
    int i = -1;
    for (int k = 0; k < lh_pq_nested_column_count(f); k++)
        if (strcmp(lh_pq_nested_column_name(f, k), name) == 0)
            i = k;
    lh_vec_t *v = lh_vec_create(want, 0);
    lh_err e = lh_pq_read_nested(f, 0, i, v, eb);
    static ntext nt[8];
    for (size_t r = 0; e == LH_OK && r < n && r < v->count && r < 8; r++)
        rows[r] = strdup(nt_row(&nt[r], v, r));
    lh_vec_destroy(v);
    lh_pq_close(f);
    return e;
}

static void test_wanted_types(void)
{
    const lh_type_t i64 = {LH_TYPE_LONG}, str = {LH_TYPE_STRING}, i32 = {LH_TYPE_INT};
    /* struct fields by name, case-insensitively; one the file lacks reads as NULL; a field
     * not wanted is not read; integers widen */
    const char *n1[] = {"KIND", "extra", "number"};
    lh_type_t t1[] = {str, i32, i64};
    lh_type_t want = lh_type_struct(1, (const char *[]){"phone"},
                                    (lh_type_t[]){lh_type_array(lh_type_struct(3, n1, t1))});
    const char *rows[6] = {0};
    lh_errbuf eb = {0};
    T_EQ_INT(read_as("data/repeated_no_annotation.parquet", "phoneNumbers", want, rows, 6, &eb),
             LH_OK);
    T_EQ_STR(rows[0], "null");
    T_EQ_STR(rows[2], "{\"phone\":[]}");
    T_EQ_STR(rows[5], "{\"phone\":[{\"KIND\":\"home\",\"extra\":null,\"number\":1111111111},"
                      "{\"KIND\":null,\"extra\":null,\"number\":2222222222},{\"KIND\":\"mobile\","
                      "\"extra\":null,\"number\":3333333333}]}");
    for (int i = 0; i < 6; i++)
        free((char *)rows[i]);
    /* no wanted field exists: the struct's own NULLs still come through */
    want = lh_type_struct(1, (const char *[]){"nothing"}, (lh_type_t[]){i32});
    memset(rows, 0, sizeof rows);
    T_EQ_INT(read_as("data/repeated_no_annotation.parquet", "phoneNumbers", want, rows, 6, &eb),
             LH_OK);
    T_EQ_STR(rows[1], "null");
    T_EQ_STR(rows[3], "{\"nothing\":null}");
    for (int i = 0; i < 6; i++)
        free((char *)rows[i]);
    /* int widening inside a list; narrowing and a struct read as an array are refused */
    memset(rows, 0, sizeof rows);
    T_EQ_INT(read_as("data/repeated_primitive_no_list.parquet", "Int32_list", lh_type_array(i64),
                     rows, 4, &eb),
             LH_OK);
    T_EQ_STR(rows[3], "[5,6,7,8]");
    for (int i = 0; i < 4; i++)
        free((char *)rows[i]);
    const lh_type_t i16 = {LH_TYPE_SHORT};
    T_EQ_INT(read_as("data/repeated_primitive_no_list.parquet", "Int32_list", lh_type_array(i16),
                     rows, 0, &eb),
             LH_E_UNSUPPORTED);
    T_EQ_INT(read_as("data/repeated_no_annotation.parquet", "phoneNumbers", lh_type_array(i64),
                     rows, 0, &eb),
             LH_E_UNSUPPORTED);
    T_CHECK(strstr(eb.msg, "phoneNumbers") != NULL);
}

static void test_refused_shapes(void)
{
    lh_pq_file_t *f = pq_open_rel("data/map_no_value.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    lh_errbuf eb = {0};
    lh_type_t t;
    int refused = 0;
    for (int i = 0; i < lh_pq_nested_column_count(f); i++)
        refused += lh_pq_nested_column_type(f, i, &t, &eb) == LH_E_UNSUPPORTED;
    T_CHECK(refused > 0); /* a MAP without a value (DuckDB refuses it too) */
    T_EQ_INT(lh_pq_nested_column_type(f, 99, &t, &eb), LH_E_INVALID);
    lh_pq_close(f);
}

int main(void)
{
    T_RUN(test_three_level_lists);
    T_RUN(test_maps);
    T_RUN(test_legacy_and_bare_repeated);
    T_RUN(test_wanted_types);
    T_RUN(test_refused_shapes);
    return T_DONE();
}
