/*
 * test_schema.c - Delta's nested schema JSON (storage/delta/schema.c): array/map/struct type
 * objects parsed into interned lh_type_t and printed back, inner nullability read and written
 * as true, the primitive view, unreadable (variant) columns, malformed and too deep types,
 * appending fields to a schemaString as written, and every golden table's schemaString
 * surviving parse -> print -> parse.
 */
#include <dirent.h>

#include "common/limits.h"
#include "common/nested.h"
#include "golden.h"
#include "storage/delta/delta_internal.h"

static const lh_type_t I32 = {LH_TYPE_INT}, I64 = {LH_TYPE_LONG}, STR = {LH_TYPE_STRING};

#define SCHEMA(fields) "{\"type\":\"struct\",\"fields\":[" fields "]}"
#define FIELD(name, type)                                                                          \
    "{\"name\":\"" name "\",\"type\":" type ",\"nullable\":true,\"metadata\":{}}"

static void test_nested_types_parse(void)
{
    const char
        *text =
            SCHEMA(
                FIELD("id", "\"long\"") "," FIELD("a", "{\"type\":\"array\",\"elementType\":"
                                                       "\"integer\",\"containsNull\":false}") "," FIELD(
                    "m", "{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":{\"type\":"
                         "\"array\","
                         "\"elementType\":\"long\",\"containsNull\":true},\"valueContainsNull\":"
                         "true}") "," FIELD("s",
                                            "{\"type\":\"struct\",\"fields\":[" FIELD(
                                                "x", "\"integer\"") ",{\"name\":"
                                                                    "\"y\",\"type\":{\"type\":"
                                                                    "\"struct\",\"fields\":[]},"
                                                                    "\"nullable\":false}]}"));
    lh_schema_t *s = NULL, *prim = NULL;
    char *unreadable = NULL;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_delta_schema_parse(text, &s, &prim, &unreadable, &eb), LH_OK);
    T_CHECK(s != NULL && unreadable == NULL);
    if (s == NULL)
        return;
    T_EQ_INT(s->field_count, 4);
    T_CHECK(lh_type_equal(s->fields[1].type, lh_type_array(I32)));
    T_CHECK(lh_type_equal(s->fields[2].type, lh_type_map(STR, lh_type_array(I64))));
    const char *names[2] = {"x", "y"};
    lh_type_t types[2] = {I32, lh_type_struct(0, NULL, NULL)};
    T_CHECK(lh_type_equal(s->fields[3].type, lh_type_struct(2, names, types)));
    char buf[256];
    T_EQ_STR(lh_type_catalog_string(s->fields[2].type, buf, sizeof buf),
             "map<string,array<bigint>>");
    /* the primitive view keeps only the top-level primitive columns */
    T_EQ_INT(prim->field_count, 1);
    T_EQ_STR(prim->fields[0].name, "id");
    /* printed back: containsNull and inner nullability are always true */
    char *back = lh_delta_schema_to_string(s);
    T_CHECK(strstr(back, "\"elementType\":\"integer\",\"containsNull\":true") != NULL);
    T_CHECK(strstr(back, "{\"name\":\"y\",\"type\":{\"type\":\"struct\",\"fields\":[]},"
                         "\"nullable\":true,\"metadata\":{}}") != NULL);
    lh_schema_t *s2 = NULL;
    T_EQ_INT(lh_delta_schema_parse(back, &s2, NULL, &unreadable, &eb), LH_OK);
    for (int i = 0; s2 && i < s->field_count; i++)
        T_CHECK(lh_type_equal(s->fields[i].type, s2->fields[i].type));
    free(back);
    lh_schema_destroy(s);
    lh_schema_destroy(s2);
    lh_schema_destroy(prim);
}

static void test_type_json(void)
{
    lh_type_t t;
    lh_errbuf eb = {0};
    const char *fields[2] = {"k", "v"};
    lh_type_t ft[2] = {STR, lh_type_map(I32, lh_type_array((lh_type_t){LH_TYPE_DECIMAL, 12, 3}))};
    lh_type_t st = lh_type_struct(2, fields, ft);
    char *json = lh_delta_type_json(lh_type_array(st));
    T_EQ_STR(json, "{\"type\":\"array\",\"elementType\":{\"type\":\"struct\",\"fields\":[{\"name\":"
                   "\"k\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},{\"name\":\"v\","
                   "\"type\":{\"type\":\"map\",\"keyType\":\"integer\",\"valueType\":{\"type\":"
                   "\"array\",\"elementType\":\"decimal(12,3)\",\"containsNull\":true},"
                   "\"valueContainsNull\":true},\"nullable\":true,\"metadata\":{}}]},"
                   "\"containsNull\":true}");
    T_EQ_INT(lh_delta_type_parse(json, &t, &eb), LH_OK);
    T_CHECK(lh_type_equal(t, lh_type_array(st)));
    free(json);
    json = lh_delta_type_json(I64);
    T_EQ_STR(json, "\"long\"");
    T_EQ_INT(lh_delta_type_parse(json, &t, &eb), LH_OK);
    T_CHECK(lh_type_equal(t, I64));
    free(json);
}

static lh_err parse_type(const char *text)
{
    lh_type_t t;
    lh_errbuf eb = {0};
    return lh_delta_type_parse(text, &t, &eb);
}

static void test_bad_types(void)
{
    T_EQ_INT(parse_type("{\"type\":\"array\"}"), LH_E_CORRUPT);
    T_EQ_INT(parse_type("{\"type\":\"map\",\"keyType\":\"string\"}"), LH_E_CORRUPT);
    T_EQ_INT(parse_type("{\"type\":\"struct\"}"), LH_E_CORRUPT);
    T_EQ_INT(parse_type("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\"}]}"), LH_E_CORRUPT);
    T_EQ_INT(parse_type("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"},"
                        "{\"name\":\"A\",\"type\":\"long\"}]}"),
             LH_E_CORRUPT);
    T_EQ_INT(parse_type("{\"elementType\":\"long\"}"), LH_E_CORRUPT);
    T_EQ_INT(parse_type("\"decimal(40,2)\""), LH_E_CORRUPT);
    T_EQ_INT(parse_type("\"variant\""), LH_E_UNSUPPORTED);
    T_EQ_INT(parse_type("{\"type\":\"udt\",\"class\":\"x\"}"), LH_E_UNSUPPORTED);
    T_EQ_INT(parse_type("[1"), LH_E_CORRUPT);
    /* LH_TYPE_NESTING_MAX levels parse; one more is refused */
    char deep[4096] = "\"long\"";
    for (int i = 0; i < LH_TYPE_NESTING_MAX; i++) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "{\"type\":\"array\",\"elementType\":%s}", deep);
        snprintf(deep, sizeof deep, "%s", tmp);
    }
    T_EQ_INT(parse_type(deep), LH_OK);
    char deeper[4200];
    snprintf(deeper, sizeof deeper, "{\"type\":\"array\",\"elementType\":%s}", deep);
    T_EQ_INT(parse_type(deeper), LH_E_UNSUPPORTED);
}

static void test_unreadable_column(void)
{
    const char *text = SCHEMA(FIELD("id", "\"long\"") "," FIELD("v", "\"variant\"") "," FIELD(
        "a", "{\"type\":\"array\",\"elementType\":\"long\",\"containsNull\":true}"));
    lh_schema_t *s = NULL, *prim = NULL;
    char *unreadable = NULL;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_delta_schema_parse(text, &s, &prim, &unreadable, &eb), LH_OK);
    T_CHECK(s == NULL);
    T_EQ_STR(unreadable, "v");
    T_CHECK(prim != NULL && prim->field_count == 1);
    free(unreadable);
    lh_schema_destroy(prim);
    /* a malformed nested type is corrupt, not unreadable */
    const char *bad = SCHEMA(FIELD("a", "{\"type\":\"array\"}"));
    T_EQ_INT(lh_delta_schema_parse(bad, &s, &prim, &unreadable, &eb), LH_E_CORRUPT);
    T_CHECK(s == NULL && prim == NULL && unreadable == NULL);
}

static void test_append_keeps_fields(void)
{
    const char *text =
        SCHEMA("{\"name\":\"a\",\"type\":{\"type\":\"array\",\"elementType\":\"long\","
               "\"containsNull\":false},\"nullable\":false,\"metadata\":{\"comment\":\"c\"}}");
    lh_schema_t *extra = lh_schema_create(1);
    lh_schema_set(extra, 0, "m", lh_type_map(STR, I32), true);
    char *out = lh_delta_schema_append(text, extra);
    T_EQ_STR(out, SCHEMA("{\"name\":\"a\",\"type\":{\"type\":\"array\",\"elementType\":\"long\","
                         "\"containsNull\":false},\"nullable\":false,\"metadata\":{\"comment\":"
                         "\"c\"}}," FIELD("m", "{\"type\":\"map\",\"keyType\":\"string\","
                                               "\"valueType\":\"integer\","
                                               "\"valueContainsNull\":true}")));
    free(out);
    T_CHECK(lh_delta_schema_append("{\"type\":\"array\"}", extra) == NULL);
    lh_schema_destroy(extra);
}

/* Every golden table's latest schemaString: parse, print, parse again to the same types. */
static void test_golden_schemas(void)
{
    char dir[512];
    golden_path("", dir, sizeof dir);
    DIR *d = opendir(dir);
    T_CHECK(d != NULL);
    int nested = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        gtable_t g;
        if (e->d_name[0] == '.' || gt_open(&g, e->d_name) != 0)
            continue;
        lh_delta_snapshot_t *s = NULL;
        lh_errbuf eb = {0};
        if (lh_delta_snapshot_latest(g.t, &s, &eb) == LH_OK) {
            const lh_schema_t *sc = lh_delta_snapshot_metadata(s)->schema;
            char *back = sc ? lh_delta_schema_to_string(sc) : NULL;
            lh_schema_t *again = NULL, *prim = NULL;
            char *unreadable = NULL;
            if (back != NULL) {
                T_EQ_INT(lh_delta_schema_parse(back, &again, &prim, &unreadable, &eb), LH_OK);
                T_CHECK(again != NULL && again->field_count == sc->field_count);
                for (int i = 0; again && i < sc->field_count; i++) {
                    T_CHECK(lh_type_equal(again->fields[i].type, sc->fields[i].type));
                    nested += lh_type_is_nested(sc->fields[i].type);
                }
            }
            free(back);
            lh_schema_destroy(again);
            lh_schema_destroy(prim);
            lh_delta_snapshot_release(s);
        }
        gt_close(&g);
    }
    if (d)
        closedir(d);
    T_CHECK(nested >= 20); /* the data-reader-* and parquet-all-types tables */
}

int main(void)
{
    T_RUN(test_nested_types_parse);
    T_RUN(test_type_json);
    T_RUN(test_bad_types);
    T_RUN(test_unreadable_column);
    T_RUN(test_append_keeps_fields);
    T_RUN(test_golden_schemas);
    return T_DONE();
}
