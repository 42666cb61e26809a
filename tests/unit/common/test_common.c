/*
 * test_common.c - common/: errors, arena, lenient JSON getters, vectors, ids.
 */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/json.h"
#include "common/util.h"
#include "common/vec.h"
#include "t.h"

static void test_err_mapping(void)
{
    T_EQ_INT(lh_err_http_status(LH_E_INVALID), 400);
    T_EQ_STR(lh_err_code_name(LH_E_INVALID), "INVALID_PARAMETER_VALUE");
    T_EQ_INT(lh_err_http_status(LH_E_NOT_FOUND), 404);
    T_EQ_STR(lh_err_code_name(LH_E_NO_ENDPOINT), "ENDPOINT_NOT_FOUND");
    T_EQ_INT(lh_err_http_status(LH_E_LIMIT), 429);
    T_EQ_INT(lh_err_http_status(LH_E_NOT_IMPLEMENTED), 501);
    T_EQ_INT(lh_err_http_status((lh_err)999), 500);
    lh_errbuf eb;
    lh_errbuf_clear(&eb);
    T_EQ_INT(lh_err_set_code(&eb, LH_E_CONFLICT, "ConcurrentAppendException", __FILE__, __LINE__,
                             "v%d", 3),
             LH_E_CONFLICT);
    T_EQ_STR(lh_errbuf_code_name(&eb), "ConcurrentAppendException");
    T_EQ_STR(eb.msg, "v3");
    T_EQ_INT(lh_err_set(NULL, LH_E_IO, __FILE__, __LINE__, "x"), LH_E_IO);
}

static int cleanup_runs;
static void count_cleanup(void *arg)
{
    cleanup_runs += *(int *)arg;
}

static void test_arena(void)
{
    lh_arena_t *a = lh_arena_create();
    char *s = lh_arena_sprintf(a, "%s-%d", "x", 42);
    T_EQ_STR(s, "x-42");
    void *big = lh_arena_alloc(a, 1 << 20);
    memset(big, 1, 1 << 20);
    for (int i = 0; i < 10000; i++)
        T_CHECK(((uintptr_t)lh_arena_alloc(a, (size_t)i % 37 + 1) & 15) == 0);
    int one = 1;
    lh_arena_defer(a, count_cleanup, &one);
    lh_arena_defer(a, count_cleanup, &one);
    lh_arena_destroy(a);
    T_EQ_INT(cleanup_runs, 2);
}

static void test_json_lenient(void)
{
    json_t *o = json_loads("{\"a\":\"12\",\"b\":7,\"c\":\"True\",\"d\":null,\"e\":2.0,"
                           "\"f\":\"x\",\"g\":[1,2],\"h\":\"FALSE\",\"i\":2.5}",
                           0, NULL);
    lh_errbuf eb;
    int64_t i = 0;
    bool b = false;
    const char *s = NULL;
    T_EQ_INT(lh_json_get_int(o, "a", LH_REQUIRED, &i, &eb), LH_OK);
    T_EQ_INT(i, 12);
    T_EQ_INT(lh_json_get_int(o, "b", LH_REQUIRED, &i, &eb), LH_OK);
    T_EQ_INT(i, 7);
    T_EQ_INT(lh_json_get_int(o, "e", LH_REQUIRED, &i, &eb), LH_OK);
    T_EQ_INT(i, 2);
    T_EQ_INT(lh_json_get_int(o, "i", LH_REQUIRED, &i, &eb), LH_E_INVALID);
    T_EQ_INT(lh_json_get_int(o, "f", LH_REQUIRED, &i, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "f") != NULL);
    T_EQ_INT(lh_json_get_bool(o, "c", LH_REQUIRED, &b, &eb), LH_OK);
    T_CHECK(b);
    T_EQ_INT(lh_json_get_bool(o, "h", LH_REQUIRED, &b, &eb), LH_OK);
    T_CHECK(!b);
    i = 99;
    T_EQ_INT(lh_json_get_int(o, "d", LH_OPTIONAL, &i, &eb), LH_OK);
    T_EQ_INT(i, 99);
    T_EQ_INT(lh_json_get_int(o, "d", LH_REQUIRED, &i, &eb), LH_E_INVALID);
    T_EQ_STR(eb.msg, "Missing required field: d");
    T_EQ_INT(lh_json_get_str(o, "b", LH_REQUIRED, &s, &eb), LH_E_INVALID);
    T_EQ_INT(lh_json_get_int_range(o, "b", LH_REQUIRED, 0, 5, &i, &eb), LH_E_INVALID);
    json_t *l = NULL;
    T_EQ_INT(lh_json_get_list(o, "g", LH_REQUIRED, &l, &eb), LH_OK);
    T_EQ_INT(lh_json_list_size(l), 2);
    T_EQ_INT(lh_json_get_list(o, "f", LH_REQUIRED, &l, &eb), LH_OK);
    T_EQ_INT(lh_json_list_size(l), 1);
    T_EQ_STR(json_string_value(lh_json_list_get(l, 0)), "x");
    T_EQ_INT(lh_json_depth(o), 2);
    json_decref(o);
}

/* lh_json_write prints exactly what json_dumps(JSON_COMPACT) prints. */
static void test_json_write(void)
{
    const char *docs[] = {
        "{}",
        "[]",
        "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"x\\\"y\\\\z\\n\\u0001\"}}",
        "[-9223372036854775807,0,42,-1]",
        "[1.5,2.0,-0.25,1e+300,3.14159265358979,1e-05,-2.5e-300]",
        "{\"utf8\":\"h\u00e9llo \u2603\",\"tab\":\"a\\tb\"}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_t *v = json_loads(docs[i], JSON_DECODE_ANY, NULL);
        T_CHECK(v != NULL);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        size_t n = 0;
        char *got = lh_json_write(v, &n);
        T_EQ_STR(got, want);
        T_EQ_INT(n, strlen(want));
        free(want);
        free(got);
        json_decref(v);
    }
}

static void test_vec(void)
{
    lh_type_t t;
    T_EQ_INT(lh_type_parse("decimal(12,3)", &t, NULL), LH_OK);
    T_EQ_INT(t.id, LH_TYPE_DECIMAL);
    T_EQ_INT(t.precision, 12);
    T_EQ_INT(t.scale, 3);
    T_EQ_INT(lh_type_width(t), 8);
    T_EQ_INT(lh_type_parse("decimal(39,1)", &t, NULL), LH_E_INVALID);
    T_EQ_INT(lh_type_parse("array<int>", &t, NULL), LH_E_UNSUPPORTED);
    T_EQ_INT(lh_type_parse("long", &t, NULL), LH_OK);
    lh_vec_t *v = lh_vec_create(t, 2);
    for (int i = 0; i < 1000; i++) {
        if (i % 3 == 0)
            T_EQ_INT(lh_vec_append_null(v), LH_OK);
        else
            T_EQ_INT(lh_vec_append_i64(v, i), LH_OK);
    }
    T_EQ_INT(v->count, 1000);
    T_CHECK(!lh_vec_is_valid(v, 0));
    T_CHECK(lh_vec_is_valid(v, 1));
    T_EQ_INT(lh_vec_get_i64(v, 998), 998);
    T_CHECK(!lh_vec_is_valid(v, 999));
    lh_vec_destroy(v);
    lh_type_t st = {.id = LH_TYPE_STRING};
    v = lh_vec_create(st, 0);
    char buf[100000];
    memset(buf, 'x', sizeof buf);
    T_EQ_INT(lh_vec_append_str(v, "hello", 5), LH_OK);
    T_EQ_INT(lh_vec_append_str(v, buf, sizeof buf), LH_OK);
    lh_sv_t *sv = v->data;
    T_CHECK(sv[0].len == 5 && memcmp(sv[0].ptr, "hello", 5) == 0);
    T_EQ_INT(sv[1].len, sizeof buf);
    lh_value_t a = {.type = st, .v.str = {(const uint8_t *)"ab", 2}};
    lh_value_t b = {.type = st, .v.str = {(const uint8_t *)"abc", 3}};
    T_CHECK(lh_value_compare(&a, &b) < 0);
    lh_vec_destroy(v);
}

static void test_ids(void)
{
    char u[37], h[65], r[33];
    lh_uuid4(u);
    T_EQ_INT(strlen(u), 36);
    T_CHECK(u[14] == '4');
    T_EQ_INT(lh_sha256_hex("abc", 3, h, NULL), LH_OK);
    T_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    lh_random_hex(r, 16);
    T_EQ_INT(strlen(r), 32);
    T_CHECK(lh_now_ms() > 1700000000000LL);
}

int main(void)
{
    T_RUN(test_err_mapping);
    T_RUN(test_arena);
    T_RUN(test_json_lenient);
    T_RUN(test_json_write);
    T_RUN(test_vec);
    T_RUN(test_ids);
    return T_DONE();
}
