/*
 * test_reader_nested.c - the leaf API: dotted paths, max levels, Dremel def/rep levels and
 * dense values of nested files (lists, maps, structs, legacy list shapes).
 */
#include "reader_util.h"

typedef struct leaf_want {
    const char *path;
    int max_def, max_rep;
    const char *def; /* digits of the first levels ("" to skip) */
    const char *rep;
    size_t level_count, value_count;
} leaf_want;

static void check_leaf(lh_pq_file_t *f, const leaf_want *w)
{
    int l = pq_leaf_index(f, w->path);
    if (l < 0)
        fprintf(stderr, "  no leaf %s\n", w->path);
    T_CHECK(l >= 0);
    if (l < 0)
        return;
    lh_pq_leaf_info_t li;
    T_EQ_INT(lh_pq_leaf_get_info(f, l, &li, NULL), LH_OK);
    T_EQ_INT(li.max_def, w->max_def);
    T_EQ_INT(li.max_rep, w->max_rep);
    lh_pq_leaf_data_t d;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_read_leaf(f, 0, l, &d, &eb), LH_OK);
    if (d.values == NULL)
        return;
    T_EQ_INT(d.level_count, w->level_count);
    T_EQ_INT(d.values->count, w->value_count);
    T_CHECK((d.def == NULL) == (w->max_def == 0));
    T_CHECK((d.rep == NULL) == (w->max_rep == 0));
    for (size_t i = 0; w->def[i] && i < d.level_count && d.def; i++)
        T_EQ_INT(d.def[i], w->def[i] - '0');
    for (size_t i = 0; w->rep[i] && i < d.level_count && d.rep; i++)
        T_EQ_INT(d.rep[i], w->rep[i] - '0');
    size_t present = 0;
    for (size_t i = 0; i < d.level_count; i++)
        present += d.def == NULL || d.def[i] == w->max_def;
    T_EQ_INT(present, d.values->count);
    lh_pq_leaf_data_free(&d);
}

static void test_list_columns(void)
{
    lh_pq_file_t *f = pq_open_rel("data/list_columns.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    T_EQ_INT(lh_pq_schema(f)->field_count, 0);
    T_EQ_INT(lh_pq_nested_column_count(f), 2);
    T_EQ_STR(lh_pq_nested_column_name(f, 0), "int64_list");
    /* [[1,2,3],[null,1],[4]] */
    leaf_want a = {"int64_list.list.item", 3, 1, "333233", "011010", 6, 5};
    /* [["abc","efg","hij"], null, ["efg",null,"hij","xyz"]] */
    leaf_want b = {"utf8_list.list.item", 3, 1, "33303233", "01100111", 8, 6};
    check_leaf(f, &a);
    check_leaf(f, &b);
    int l = pq_leaf_index(f, "int64_list.list.item");
    lh_pq_leaf_data_t d;
    if (l >= 0 && lh_pq_read_leaf(f, 0, l, &d, NULL) == LH_OK) {
        static const int64_t want[] = {1, 2, 3, 1, 4};
        for (int i = 0; i < 5; i++)
            T_EQ_INT(lh_vec_get_i64(d.values, i), want[i]);
        lh_pq_leaf_data_free(&d);
    }
    l = pq_leaf_index(f, "utf8_list.list.item");
    if (l >= 0 && lh_pq_read_leaf(f, 0, l, &d, NULL) == LH_OK) {
        T_CHECK(pq_sv_eq(d.values, 0, "abc") && pq_sv_eq(d.values, 5, "xyz"));
        lh_pq_leaf_data_free(&d);
    }
    lh_pq_close(f);
}

static void test_nested_lists_and_maps(void)
{
    lh_pq_file_t *f = pq_open_rel("data/nested_lists.snappy.parquet");
    T_CHECK(f != NULL);
    if (f) {
        leaf_want a = {"a.list.element.list.element.list.element",
                       7,
                       3,
                       "777477777477",
                       "032120323120",
                       18,
                       15};
        leaf_want b = {"b", 0, 0, "", "", 3, 3};
        check_leaf(f, &a);
        check_leaf(f, &b);
        T_EQ_INT(lh_pq_schema(f)->field_count, 1); /* b is flat */
        lh_pq_close(f);
    }
    f = pq_open_rel("data/nested_maps.snappy.parquet");
    T_CHECK(f != NULL);
    if (f) {
        leaf_want k = {"a.key_value.key", 2, 1, "222222", "000000", 6, 6};
        leaf_want v = {"a.key_value.value.key_value.value", 4, 2, "444234444", "020000022", 9, 7};
        check_leaf(f, &k);
        check_leaf(f, &v);
        lh_pq_close(f);
    }
}

static void test_impala_nested(void)
{
    lh_pq_file_t *f = pq_open_rel("data/nonnullable.impala.parquet");
    T_CHECK(f != NULL);
    if (f) {
        leaf_want a = {"int_array_array.list.element.list.element", 2, 2, "221", "021", 3, 2};
        leaf_want m = {"int_map_array.list.element.map.key", 2, 2, "1211", "0111", 4, 1};
        leaf_want s = {"nested_Struct.c.D.list.element.list.element.f", 2, 2, "2", "0", 1, 1};
        check_leaf(f, &a);
        check_leaf(f, &m);
        check_leaf(f, &s);
        lh_pq_close(f);
    }
    f = pq_open_rel("data/nullable.impala.parquet");
    T_CHECK(f != NULL);
    if (f) {
        leaf_want a = {"int_array.list.element", 3, 1, "333233232100", "011011111000", 14, 6};
        leaf_want e = {"nested_struct.C.d.list.element.list.element.E",
                       8,
                       2,
                       "888787878654",
                       "021022221211",
                       19,
                       6};
        leaf_want h = {"nested_struct.g.map.value.H.i.list.element",
                       8,
                       2,
                       "887635421880",
                       "002111100020",
                       13,
                       4};
        check_leaf(f, &a);
        check_leaf(f, &e);
        check_leaf(f, &h);
        lh_pq_close(f);
    }
}

static void test_structs_and_legacy_lists(void)
{
    lh_pq_file_t *f = pq_open_rel("data/nested_structs.rust.parquet");
    T_CHECK(f != NULL);
    if (f) {
        T_EQ_INT(lh_pq_leaf_count(f), 216);
        leaf_want a = {"roll_num.min", 0, 0, "", "", 1, 1};
        check_leaf(f, &a);
        lh_pq_leaf_data_t d;
        int l = pq_leaf_index(f, "roll_num.max");
        T_CHECK(l >= 0 && lh_pq_read_leaf(f, 0, l, &d, NULL) == LH_OK);
        if (l >= 0 && d.values) {
            T_EQ_INT(lh_vec_get_i64(d.values, 0), 190407175004000LL);
            lh_pq_leaf_data_free(&d);
        }
        lh_pq_close(f);
    }
    f = pq_open_rel("data/old_list_structure.parquet");
    if (f) {
        leaf_want a = {"a.array.array", 2, 2, "2222", "0212", 4, 4};
        check_leaf(f, &a);
        lh_pq_close(f);
    }
    f = pq_open_rel("data/repeated_no_annotation.parquet");
    if (f) {
        leaf_want n = {"phoneNumbers.phone.number", 2, 1, "00122222", "00000011", 8, 5};
        check_leaf(f, &n);
        lh_pq_close(f);
    }
    f = pq_open_rel("data/null_list.parquet");
    if (f) {
        leaf_want n = {"emptylist.list.item", 3, 1, "1", "0", 1, 0};
        check_leaf(f, &n);
        lh_pq_close(f);
    }
    f = pq_open_rel("data/nulls.snappy.parquet");
    if (f) {
        leaf_want n = {"b_struct.b_c_int", 2, 0, "11111111", "", 8, 0};
        check_leaf(f, &n);
        lh_pq_close(f);
    }
}

int main(void)
{
    T_RUN(test_list_columns);
    T_RUN(test_nested_lists_and_maps);
    T_RUN(test_impala_nested);
    T_RUN(test_structs_and_legacy_lists);
    return T_DONE();
}
