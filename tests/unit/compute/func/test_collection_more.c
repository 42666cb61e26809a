/*
 * test_collection_more.c - the collection functions of compute/func/collection_more.c
 * survive any argument types: every function is bound over every combination of a set of
 * types (NULL, INT, STRING, arrays, a map, an array of structs) and, where the bind accepts
 * the types as given, run over three rows (NULL, an empty value, a small value). Errors are
 * fine; crashes and out-of-bounds reads (under the sanitizer build) are not. Answers are
 * checked by tests/sql/functions_array.test.
 */
#include <string.h>

#include "common/arena.h"
#include "common/nested.h"
#include "compute/func/func.h"
#include "t.h"

#define NTYPES 9

static lh_type_t type_of(int k)
{
    lh_type_t i = {LH_TYPE_INT, 0, 0}, s = {LH_TYPE_STRING, 0, 0}, n = {LH_TYPE_NULL, 0, 0};
    const char *names[2] = {"a", "b"};
    lh_type_t ft[2] = {i, s};
    switch (k) {
    case 0:
        return n;
    case 1:
        return i;
    case 2:
        return s;
    case 3:
        return lh_type_array(i);
    case 4:
        return lh_type_array(s);
    case 5:
        return lh_type_map(i, s);
    case 6:
        return lh_type_array(lh_type_struct(2, names, ft));
    case 7:
        return lh_type_array(n);
    default:
        return lh_type_array(lh_type_array(i));
    }
}

/* Row 0 NULL, row 1 empty (0, "", [], {}), row 2 a small value of t. */
static lh_vec_t *rows_of(lh_type_t t)
{
    lh_vec_t *v = lh_vec_create(t, 3);
    if (v == NULL)
        return NULL;
    lh_vec_append_null(v);
    if (t.id == LH_TYPE_NULL) {
        lh_vec_append_null(v);
        lh_vec_append_null(v);
        return v;
    }
    if (t.id == LH_TYPE_INT) {
        lh_vec_append_i64(v, 0);
        lh_vec_append_i64(v, 3);
        return v;
    }
    if (t.id == LH_TYPE_STRING) {
        lh_vec_append_str(v, "", 0);
        lh_vec_append_str(v, "{\"a\":[1,2]}", 11);
        return v;
    }
    lh_nbuf_t nb = {0};
    lh_value_t vals[3];
    if (t.id == LH_TYPE_MAP) {
        lh_nested_put_map(&nb, t, vals, vals, 0);
        lh_vec_append_str(v, nb.bytes, nb.len);
        nb.len = 0;
        lh_value_t k[2] = {{.type = t.nested->elem, .v.i64 = 1},
                           {.type = t.nested->elem, .v.i64 = 2}};
        lh_value_t x[2] = {{.type = t.nested->value, .v.str = {(const uint8_t *)"x", 1}},
                           {.type = t.nested->value, .is_null = true}};
        lh_nested_put_map(&nb, t, k, x, 2);
        lh_vec_append_str(v, nb.bytes, nb.len);
        lh_nbuf_free(&nb);
        return v;
    }
    /* arrays: [] and [e, NULL, e] with e the element's own small value */
    lh_nested_put_array(&nb, t.nested->elem, vals, 0);
    lh_vec_append_str(v, nb.bytes, nb.len);
    lh_vec_t *inner = t.nested->elem.id == LH_TYPE_STRUCT ? NULL : rows_of(t.nested->elem);
    lh_nbuf_t sb = {0};
    lh_value_t e = {.type = t.nested->elem, .is_null = true};
    if (t.nested->elem.id == LH_TYPE_STRUCT) {
        lh_value_t f[2] = {{.type = {LH_TYPE_INT, 0, 0}, .v.i64 = 7},
                           {.type = {LH_TYPE_STRING, 0, 0}, .is_null = true}};
        lh_nested_put_struct(&sb, t.nested->elem, f);
        e = (lh_value_t){.type = t.nested->elem, .v.str = {sb.bytes, (uint32_t)sb.len}};
    } else if (inner != NULL && lh_vec_is_valid(inner, 2)) {
        e = (lh_value_t){.type = t.nested->elem};
        if (t.nested->elem.id == LH_TYPE_INT)
            e.v.i64 = lh_vec_get_i64(inner, 2);
        else
            e.v.str = ((const lh_sv_t *)inner->data)[2];
    }
    vals[0] = e;
    vals[1] = (lh_value_t){.type = t.nested->elem, .is_null = true};
    vals[2] = e;
    nb.len = 0;
    lh_nested_put_array(&nb, t.nested->elem, vals, 3);
    lh_vec_append_str(v, nb.bytes, nb.len);
    lh_vec_destroy(inner);
    lh_nbuf_free(&nb);
    lh_nbuf_free(&sb);
    return v;
}

static void run(const lh_func_t *f, int argc, const int *kinds, lh_vec_t *const *vecs)
{
    lh_arena_t *arena = lh_arena_create();
    lh_type_t types[3], casts[3];
    const lh_value_t *consts[3] = {NULL, NULL, NULL};
    lh_value_t seed = {.type = {LH_TYPE_INT, 0, 0}, .v.i64 = 5};
    for (int i = 0; i < argc; i++)
        types[i] = casts[i] = type_of(kinds[i]);
    if (argc == 2 && strcmp(f->name, "shuffle") == 0 && kinds[1] == 1)
        consts[1] = &seed;
    static const lh_sql_conf_t conf = {"UTC", true, 0};
    lh_func_bind_t b = {.arg_count = argc,
                        .arg_types = types,
                        .const_args = consts,
                        .conf = &conf,
                        .arena = arena,
                        .cast_to = casts};
    lh_errbuf eb;
    bool same = true;
    if (f->bind(&b, &eb) == LH_OK) {
        for (int i = 0; i < argc; i++)
            same = same && lh_type_equal(casts[i], types[i]);
        if (same) {
            lh_vec_t *out = lh_vec_create(b.ret_type, 3);
            const lh_vec_t *args[3] = {argc > 0 ? vecs[kinds[0]] : NULL,
                                       argc > 1 ? vecs[kinds[1]] : NULL,
                                       argc > 2 ? vecs[kinds[2]] : NULL};
            lh_func_exec_t x = {.args = args,
                                .arg_count = argc,
                                .rows = 3,
                                .out = out,
                                .bind_data = b.bind_data,
                                .conf = &conf};
            T_CHECK(out != NULL);
            if (out != NULL) {
                lh_err err = f->exec(&x, &eb);
                for (size_t i = 0; err == LH_OK && i < out->count; i++) /* results decode */
                    if (lh_type_is_nested(out->type) && lh_vec_is_valid(out, i))
                        T_CHECK(lh_nested_validate(out->type, ((const lh_sv_t *)out->data)[i]));
            }
            lh_vec_destroy(out);
        }
    }
    lh_arena_destroy(arena);
}

static void sweep(void)
{
    static const char *const names[] = {
        "array_append",    "array_prepend", "array_compact",     "array_except",
        "array_intersect", "array_union",   "array_insert",      "array_remove",
        "array_repeat",    "array_size",    "arrays_overlap",    "arrays_zip",
        "map_concat",      "map_entries",   "map_from_entries",  "shuffle",
        "isnull",          "isnotnull",     "json_array_length", "json_object_keys"};
    lh_vec_t *vecs[NTYPES];
    for (int k = 0; k < NTYPES; k++) {
        vecs[k] = rows_of(type_of(k));
        T_CHECK(vecs[k] != NULL && vecs[k]->count == 3);
    }
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        const lh_func_t *f = lh_func_find(names[n]);
        T_CHECK(f != NULL);
        if (f == NULL)
            continue;
        int hi = f->max_args < 0 || f->max_args > 3 ? 3 : f->max_args;
        for (int argc = f->min_args; argc <= hi; argc++) {
            int combos = 1;
            for (int i = 0; i < argc; i++)
                combos *= NTYPES;
            for (int c = 0; c < combos; c++) {
                int kinds[3], r = c;
                for (int i = 0; i < argc; i++, r /= NTYPES)
                    kinds[i] = r % NTYPES;
                run(f, argc, kinds, vecs);
            }
        }
    }
    for (int k = 0; k < NTYPES; k++)
        lh_vec_destroy(vecs[k]);
}

int main(void)
{
    T_RUN(sweep);
    return T_DONE();
}
