/*
 * test_vec_kinds.c - common/vec: constant and dictionary vectors beside flat ones: the
 * accessors on every kind, flatten, append_range, selection and validity, reuse after
 * reset.
 */
#include <stdlib.h>
#include <string.h>

#include "common/vec.h"
#include "t.h"

static const lh_type_t T_LONG = {LH_TYPE_LONG, 0, 0};
static const lh_type_t T_STR = {LH_TYPE_STRING, 0, 0};
static const lh_type_t T_DEC38 = {LH_TYPE_DECIMAL, 38, 2};

static bool sv_eq(lh_sv_t sv, const char *s)
{
    return sv.len == strlen(s) && (sv.len == 0 || memcmp(sv.ptr, s, sv.len) == 0);
}

static void test_constant(void)
{
    lh_value_t x = {.type = T_LONG, .v.i64 = 42};
    lh_vec_t *v = lh_vec_create_constant(T_LONG, &x, 5000);
    T_CHECK(v != NULL);
    T_EQ_INT(v->kind, LH_VEC_CONSTANT);
    T_EQ_INT(v->count, 5000);
    T_EQ_INT(lh_vec_get_i64(v, 0), 42);
    T_EQ_INT(lh_vec_get_i64(v, 4999), 42);
    T_CHECK(lh_vec_is_valid(v, 4321));
    T_CHECK(lh_vec_get_f64(v, 7) == 42.0);
    lh_value_t got;
    lh_vec_get_value(v, 123, &got);
    T_CHECK(!got.is_null && got.v.i64 == 42);
    /* A null constant: every row null. */
    T_EQ_INT(lh_vec_set_constant(v, NULL, 10), LH_OK);
    T_EQ_INT(v->count, 10);
    T_CHECK(!lh_vec_is_valid(v, 0) && !lh_vec_is_valid(v, 9));
    T_EQ_INT(lh_vec_get_i64(v, 3), 0);
    T_EQ_INT(lh_vec_flatten(v), LH_OK);
    T_EQ_INT(v->kind, LH_VEC_FLAT);
    T_EQ_INT(v->count, 10);
    for (size_t i = 0; i < 10; i++)
        T_CHECK(!lh_vec_is_valid(v, i));
    lh_vec_destroy(v);
}

static void test_constant_string_flatten(void)
{
    char text[] = "part=2024";
    lh_value_t x = {.type = T_STR, .v.str = {(const uint8_t *)text, 9}};
    lh_vec_t *v = lh_vec_create_constant(T_STR, &x, 3000);
    T_CHECK(v != NULL);
    memset(text, 'X', sizeof text - 1); /* the vector holds its own copy */
    T_CHECK(sv_eq(lh_vec_get_str(v, 2999), "part=2024"));
    /* A selection survives flatten unchanged. */
    v->sel = malloc(2 * sizeof(uint32_t));
    v->sel[0] = 5;
    v->sel[1] = 2500;
    v->sel_count = 2;
    T_EQ_INT(lh_vec_flatten(v), LH_OK);
    T_EQ_INT(v->kind, LH_VEC_FLAT);
    T_EQ_INT(v->count, 3000);
    T_CHECK(v->validity == NULL);
    T_EQ_INT(v->sel_count, 2);
    T_EQ_INT(v->sel[1], 2500);
    T_CHECK(sv_eq(((lh_sv_t *)v->data)[2500], "part=2024"));
    T_CHECK(sv_eq(((lh_sv_t *)v->data)[0], "part=2024"));
    /* Flat again: appends work as usual. */
    T_EQ_INT(lh_vec_append_str(v, "z", 1), LH_OK);
    T_EQ_INT(v->count, 3001);
    lh_vec_destroy(v);
}

static lh_vec_t *make_dict(void)
{
    lh_vec_t *d = lh_vec_create(T_STR, 4);
    lh_vec_append_str(d, "apple", 5);
    lh_vec_append_str(d, "banana", 6);
    lh_vec_append_null(d); /* a null dictionary entry */
    lh_vec_append_str(d, "", 0);
    return d;
}

static void test_dictionary(void)
{
    lh_vec_t *d = make_dict();
    lh_vec_t *v = lh_vec_create(T_STR, 0);
    T_EQ_INT(lh_vec_set_dict(v, d), LH_OK);
    T_EQ_INT(v->kind, LH_VEC_DICT);
    static const int idx[] = {1, 0, -1, 1, 2, 3, 0};
    for (size_t i = 0; i < 7; i++)
        T_EQ_INT(idx[i] < 0 ? lh_vec_append_null(v) : lh_vec_append_index(v, (uint32_t)idx[i]),
                 LH_OK);
    T_EQ_INT(v->count, 7);
    T_EQ_INT(lh_vec_slot_width(v), 4);
    T_CHECK(sv_eq(lh_vec_get_str(v, 0), "banana"));
    T_CHECK(sv_eq(lh_vec_get_str(v, 1), "apple"));
    T_CHECK(!lh_vec_is_valid(v, 2)); /* null row */
    T_CHECK(!lh_vec_is_valid(v, 4)); /* row pointing at a null entry */
    T_CHECK(lh_vec_is_valid(v, 5) && sv_eq(lh_vec_get_str(v, 5), ""));
    /* Strings are not copied: they point at the dictionary. */
    T_CHECK(lh_vec_get_str(v, 0).ptr == ((lh_sv_t *)d->data)[1].ptr);

    /* append_range between dictionary vectors copies indexes only. */
    lh_vec_t *w = lh_vec_create(T_STR, 0);
    lh_vec_set_dict(w, d);
    T_EQ_INT(lh_vec_append_range(w, v, 1, 5), LH_OK);
    T_EQ_INT(w->count, 5);
    T_EQ_INT(((uint32_t *)w->data)[0], 0);
    T_CHECK(!lh_vec_is_valid(w, 1));
    T_CHECK(sv_eq(lh_vec_get_str(w, 2), "banana"));

    /* Flatten: the strings move into v's heap; the dictionary can go. */
    T_EQ_INT(lh_vec_flatten(v), LH_OK);
    lh_vec_destroy(d);
    T_EQ_INT(v->kind, LH_VEC_FLAT);
    T_CHECK(v->dict == NULL);
    T_CHECK(sv_eq(((lh_sv_t *)v->data)[0], "banana"));
    T_CHECK(sv_eq(((lh_sv_t *)v->data)[6], "apple"));
    T_CHECK(!lh_vec_is_valid(v, 2) && !lh_vec_is_valid(v, 4));
    T_CHECK(lh_vec_is_valid(v, 3) && lh_vec_is_valid(v, 5));
    lh_vec_destroy(v);
    lh_vec_destroy(w);
}

static void test_append_range_into_flat(void)
{
    lh_vec_t *d = lh_vec_create(T_LONG, 0);
    for (int i = 0; i < 3; i++)
        lh_vec_append_i64(d, 100 + i);
    lh_vec_t *v = lh_vec_create(T_LONG, 0);
    lh_vec_set_dict(v, d);
    for (uint32_t i = 0; i < 3000; i++)
        T_EQ_INT(i % 7 == 0 ? lh_vec_append_null(v) : lh_vec_append_index(v, i % 3), LH_OK);
    lh_vec_t *flat = lh_vec_create(T_LONG, 0);
    lh_vec_append_i64(flat, -1);
    T_EQ_INT(lh_vec_append_range(flat, v, 1, 2999), LH_OK);
    T_EQ_INT(flat->count, 3000);
    T_EQ_INT(lh_vec_get_i64(flat, 0), -1);
    int bad = 0;
    for (size_t i = 1; i < 3000; i++) {
        bool valid = i % 7 != 0;
        bad += lh_vec_is_valid(flat, i) != valid;
        bad += valid && lh_vec_get_i64(flat, i) != 100 + (int64_t)(i % 3);
        bad += lh_vec_get_i64(v, i) != (valid ? 100 + (int64_t)(i % 3) : 0);
    }
    T_EQ_INT(bad, 0);
    /* Flat into flat, with and without nulls. */
    lh_vec_t *copy = lh_vec_create(T_LONG, 0);
    T_EQ_INT(lh_vec_append_range(copy, flat, 10, 20), LH_OK);
    T_EQ_INT(copy->count, 20);
    T_EQ_INT(lh_vec_get_i64(copy, 0), lh_vec_get_i64(flat, 10));
    T_CHECK(!lh_vec_is_valid(copy, 4)); /* row 14 */
    lh_vec_destroy(copy);
    lh_vec_destroy(flat);
    /* Reset makes a dictionary vector flat and reusable. */
    lh_vec_reset(v);
    T_EQ_INT(v->kind, LH_VEC_FLAT);
    T_EQ_INT(lh_vec_append_i64(v, 9), LH_OK);
    T_EQ_INT(lh_vec_get_i64(v, 0), 9);
    lh_vec_destroy(v);
    lh_vec_destroy(d);
}

static void test_wide_decimal_constant(void)
{
    lh_value_t x = {.type = T_DEC38, .v.i128 = (lh_i128)1 << 100};
    lh_vec_t *v = lh_vec_create_constant(T_DEC38, &x, 4);
    T_CHECK(lh_vec_get_i128(v, 3) == (lh_i128)1 << 100);
    lh_value_t got;
    lh_vec_get_value(v, 2, &got);
    T_CHECK(!got.is_null && got.v.i128 == (lh_i128)1 << 100);
    T_EQ_INT(lh_vec_flatten(v), LH_OK);
    T_CHECK(((lh_i128 *)v->data)[3] == (lh_i128)1 << 100);
    lh_vec_destroy(v);
}

int main(void)
{
    T_RUN(test_constant);
    T_RUN(test_constant_string_flatten);
    T_RUN(test_dictionary);
    T_RUN(test_append_range_into_flat);
    T_RUN(test_wide_decimal_constant);
    return T_DONE();
}
