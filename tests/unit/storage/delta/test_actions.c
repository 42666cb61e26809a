/*
 * test_actions.c - action parsing/validation/serialization, schemaString, date and time
 * text, string-stat truncation and stats-based skipping.
 */
#include "storage/delta/delta_scan_internal.h"
#include "tbuild.h"

static lh_err parse(const char *text, lh_delta_actions_t *out, lh_errbuf *eb)
{
    memset(out, 0, sizeof *out);
    return lh_delta_actions_parse(text, strlen(text), 3, out, eb);
}

static void test_parse_ignores_unknown(void)
{
    const char *log =
        "{\"commitInfo\":{\"timestamp\":5,\"operation\":\"WRITE\",\"x\":[1,{\"y\":2}]}}\n"
        "{\"someFutureAction\":{\"a\":1}}\n"
        "\n"
        "{\"add\":{\"path\":\"a%20b/c%25d.parquet\",\"partitionValues\":{\"p\":null},"
        "\"size\":10,\"modificationTime\":1,\"dataChange\":true,\"newField\":{\"z\":1},"
        "\"tags\":{\"k\":\"v\"}}}\n"
        "{\"remove\":{\"path\":\"old\",\"dataChange\":false}}\n";
    lh_delta_actions_t a;
    lh_errbuf eb;
    T_EQ_INT(parse(log, &a, &eb), LH_OK);
    T_EQ_INT(a.count, 3);
    if (a.count == 3) {
        T_EQ_INT(a.items[0].kind, LH_DELTA_COMMIT_INFO);
        T_EQ_INT(a.items[0].u.commit_info.timestamp_ms, 5);
        T_EQ_STR(a.items[0].u.commit_info.operation, "WRITE");
        T_EQ_STR(a.items[1].u.add.path, "a b/c%d.parquet");
        bool found;
        T_CHECK(lh_delta_map_get(&a.items[1].u.add.partition_values, "p", &found) == NULL && found);
        T_EQ_STR(lh_delta_map_get(&a.items[1].u.add.tags, "k", NULL), "v");
        T_CHECK(!a.items[2].u.remove.has_deletion_timestamp);
    }
    /* serialize and parse again: same content, path encoded once more */
    char *out;
    size_t len;
    T_EQ_INT(lh_delta_actions_serialize(&a, &out, &len, &eb), LH_OK);
    T_CHECK(strstr(out, "\"a%20b/c%25d.parquet\"") != NULL);
    lh_delta_actions_t b;
    T_EQ_INT(parse(out, &b, &eb), LH_OK);
    T_EQ_INT(b.count, 3);
    if (b.count == 3)
        T_EQ_STR(b.items[1].u.add.path, "a b/c%d.parquet");
    free(out);
    lh_delta_actions_free(&a);
    lh_delta_actions_free(&b);
}

static void test_parse_errors(void)
{
    static const struct {
        const char *log, *needle;
    } cases[] = {
        {"{\"add\":{\"path\":\"x\",\"partitionValues\":{},\"modificationTime\":1,"
         "\"dataChange\":true}}",
         "add.size"},
        {"{\"add\":{\"partitionValues\":{},\"size\":1,\"modificationTime\":1,\"dataChange\":true}}",
         "'path'"},
        {"{\"remove\":{\"path\":\"x\"}}", "dataChange"},
        {"{\"protocol\":{\"minReaderVersion\":1}}", "minWriterVersion"},
        {"{\"metaData\":{\"format\":{\"provider\":\"parquet\"},\"partitionColumns\":[]}}", "'id'"},
        {"{\"metaData\":{\"id\":\"i\",\"format\":{\"provider\":\"parquet\"}}}", "partitionColumns"},
        {"{\"add\":{\"path\":\"x\",\"partitionValues\":{\"a\":1},\"size\":1,"
         "\"modificationTime\":1,\"dataChange\":true}}",
         "non-string"},
        {"{\"add\":{\"path\":\"bad%zz\",\"partitionValues\":{},\"size\":1,"
         "\"modificationTime\":1,\"dataChange\":true}}",
         "escape"},
        {"{\"txn\":{\"appId\":\"a\"}}", "version"},
        {"not json", "not a JSON object"},
        {"[1,2]", "not a JSON object"},
        {"{\"add\":5}", "not an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lh_delta_actions_t a;
        lh_errbuf eb;
        lh_errbuf_clear(&eb);
        lh_err e = parse(cases[i].log, &a, &eb);
        if (e != LH_E_CORRUPT || strstr(eb.msg, cases[i].needle) == NULL) {
            fprintf(stderr, "  case %zu: %d '%s'\n", i, e, eb.msg);
            T_CHECK(0);
        }
        T_CHECK(strstr(eb.msg, "version 3") != NULL || strstr(eb.msg, "delta log") != NULL);
        lh_delta_actions_free(&a);
    }
}

static void test_serialize_checks(void)
{
    lh_delta_action_t act;
    memset(&act, 0, sizeof act);
    act.kind = LH_DELTA_ADD;
    act.u.add.size_bytes = 5;
    lh_delta_actions_t a = {1, &act};
    char *out = NULL;
    size_t len;
    lh_errbuf eb;
    T_EQ_INT(lh_delta_actions_serialize(&a, &out, &len, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "path") != NULL);
    T_CHECK(out == NULL);
}

static void test_schema_string(void)
{
    lh_schema_t *s, *prim;
    char *nested;
    lh_errbuf eb;
    const char *flat =
        "{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"decimal(10,2)\","
        "\"nullable\":false,\"metadata\":{}},{\"name\":\"b\",\"type\":"
        "\"timestamp_ntz\",\"nullable\":true,\"metadata\":{}}]}";
    T_EQ_INT(lh_delta_schema_parse(flat, &s, &prim, &nested, &eb), LH_OK);
    T_CHECK(s && nested == NULL);
    if (s) {
        T_EQ_INT(s->fields[0].type.id, LH_TYPE_DECIMAL);
        T_EQ_INT(s->fields[0].type.scale, 2);
        T_CHECK(!s->fields[0].nullable);
        T_EQ_INT(s->fields[1].type.id, LH_TYPE_TIMESTAMP_NTZ);
        char *back = lh_delta_schema_to_string(s);
        T_EQ_STR(back, flat);
        free(back);
    }
    lh_schema_destroy(s);
    lh_schema_destroy(prim);
    /* a type we cannot represent (nested types: test_schema.c) */
    const char *nest = "{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"},"
                       "{\"name\":\"m\",\"type\":\"variant\"}]}";
    T_EQ_INT(lh_delta_schema_parse(nest, &s, &prim, &nested, &eb), LH_OK);
    T_CHECK(s == NULL);
    T_EQ_STR(nested, "m");
    T_CHECK(prim && prim->field_count == 1);
    free(nested);
    lh_schema_destroy(prim);
    const char *dup = "{\"type\":\"struct\",\"fields\":[{\"name\":\"A\",\"type\":\"long\"},"
                      "{\"name\":\"a\",\"type\":\"long\"}]}";
    T_EQ_INT(lh_delta_schema_parse(dup, &s, NULL, &nested, &eb), LH_E_CORRUPT);
    T_EQ_INT(lh_delta_schema_parse("{\"type\":\"array\"}", &s, NULL, &nested, &eb), LH_E_CORRUPT);
}

static void test_time_text(void)
{
    char buf[48];
    lh_delta_format_date(0, buf, sizeof buf);
    T_EQ_STR(buf, "1970-01-01");
    lh_delta_format_date(18878, buf, sizeof buf);
    T_EQ_STR(buf, "2021-09-08");
    lh_delta_format_date(-1, buf, sizeof buf);
    T_EQ_STR(buf, "1969-12-31");
    lh_delta_format_timestamp_ms(1631099471123456LL, buf, sizeof buf);
    T_EQ_STR(buf, "2021-09-08T11:11:11.123Z");
    lh_delta_format_timestamp_ms(-1, buf, sizeof buf); /* truncation goes down */
    T_EQ_STR(buf, "1969-12-31T23:59:59.999Z");
    int64_t us;
    T_CHECK(lh_delta_parse_timestamp("2021-09-08 11:11:11", &us));
    T_EQ_INT(us, 1631099471000000LL);
    T_CHECK(lh_delta_parse_timestamp("2021-09-08T11:11:11.5Z", &us));
    T_EQ_INT(us, 1631099471500000LL);
    T_CHECK(lh_delta_parse_timestamp("2021-09-08T04:11:11.000-07:00", &us));
    T_EQ_INT(us, 1631099471000000LL);
    T_CHECK(!lh_delta_parse_timestamp("2021-09-08", &us));
    int32_t d;
    T_CHECK(lh_delta_parse_date("2000-02-29", &d));
    T_EQ_INT(d, 11016);
    T_CHECK(!lh_delta_parse_date("2000-13-01", &d));
}

static lh_err one_string_table(scratch_t *sc, const char *const *values, int n, lh_errbuf *eb)
{
    lh_schema_t *s = lh_schema_create(2);
    lh_schema_set(s, 0, "s", (lh_type_t){LH_TYPE_STRING, 0, 0}, true);
    lh_schema_set(s, 1, "ts", (lh_type_t){LH_TYPE_TIMESTAMP, 0, 0}, true);
    LH_TRY(create_table(sc->t, s, NULL, 0, eb));
    lh_delta_snapshot_t *snap;
    LH_TRY(lh_delta_snapshot_latest(sc->t, &snap, eb));
    lh_delta_txn_t *x;
    LH_TRY(lh_delta_txn_begin(sc->t, snap, &x, eb));
    lh_delta_snapshot_release(snap);
    lh_batch_t *b = lh_batch_create(s, (size_t)n);
    for (int i = 0; i < n; i++) {
        lh_vec_append_str(b->cols[0], values[i], strlen(values[i]));
        lh_vec_append_i64(b->cols[1], 1000999 + i); /* 1.000999 s: truncates to .000Z */
    }
    b->row_count = (size_t)n;
    stream_t st = {&b, 1, 0};
    lh_err e = lh_delta_write_files(x, s, stream_next, &st, NULL, eb);
    if (e == LH_OK)
        e = lh_delta_txn_commit(x, NULL, eb);
    lh_delta_txn_destroy(x);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    return e;
}

static json_t *first_stats(scratch_t *sc, lh_delta_snapshot_t **snap)
{
    T_EQ_INT(lh_delta_snapshot_latest(sc->t, snap, NULL), LH_OK);
    const lh_delta_add_t *f = lh_delta_snapshot_file(*snap, 0);
    return f && f->stats ? json_loads(f->stats, 0, NULL) : NULL;
}

/* 32-character prefixes; a cut max gets U+007F (next char < U+007F) or U+10FFFF. */
static void test_string_stats(void)
{
    const char *ascii[] = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaZZZ", "b"};
    scratch_t sc;
    scratch_open(&sc, "");
    lh_errbuf eb;
    T_EQ_INT(one_string_table(&sc, ascii, 2, &eb), LH_OK);
    lh_delta_snapshot_t *snap;
    json_t *st = first_stats(&sc, &snap);
    T_EQ_STR(json_string_value(json_object_get(json_object_get(st, "minValues"), "s")),
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    T_EQ_STR(json_string_value(json_object_get(json_object_get(st, "maxValues"), "s")), "b");
    T_EQ_STR(json_string_value(json_object_get(json_object_get(st, "minValues"), "ts")),
             "1970-01-01T00:00:01.000Z");
    /* skipping with +1 ms slack: ts = 1.000999 s must not be skipped by max 1.000 */
    lh_value_t v = {.type = {LH_TYPE_TIMESTAMP, 0, 0}, .v.i64 = 1001000};
    lh_delta_pred_t p = {"ts", LH_PQ_EQ, 1, &v};
    T_CHECK(lh_delta_file_may_match(snap, lh_delta_snapshot_file(snap, 0), &p, 1));
    v.v.i64 = 1003000; /* max is 1.001000 s: beyond max + 1 ms */
    T_CHECK(!lh_delta_file_may_match(snap, lh_delta_snapshot_file(snap, 0), &p, 1));
    lh_value_t sv = {.type = {LH_TYPE_STRING, 0, 0}, .v.str = {(const uint8_t *)"c", 1}};
    lh_delta_pred_t ps = {"s", LH_PQ_GE, 1, &sv};
    T_CHECK(!lh_delta_file_may_match(snap, lh_delta_snapshot_file(snap, 0), &ps, 1));
    json_decref(st);
    lh_delta_snapshot_release(snap);
    scratch_close(&sc);

    const char *max_cut[] = {"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzA",
                             "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\xc3\xa9"};
    for (int k = 0; k < 2; k++) {
        scratch_open(&sc, "");
        T_EQ_INT(one_string_table(&sc, &max_cut[k], 1, &eb), LH_OK);
        st = first_stats(&sc, &snap);
        const char *mx = json_string_value(json_object_get(json_object_get(st, "maxValues"), "s"));
        T_CHECK(mx != NULL && strncmp(mx, max_cut[k], 32) == 0);
        if (mx)
            T_EQ_STR(mx + 32, k == 0 ? "\x7f" : "\xf4\x8f\xbf\xbf");
        json_decref(st);
        lh_delta_snapshot_release(snap);
        scratch_close(&sc);
    }
}

int main(void)
{
    T_RUN(test_parse_ignores_unknown);
    T_RUN(test_parse_errors);
    T_RUN(test_serialize_checks);
    T_RUN(test_schema_string);
    T_RUN(test_time_text);
    T_RUN(test_string_stats);
    return T_DONE();
}
