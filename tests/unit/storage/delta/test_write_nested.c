/*
 * test_write_nested.c - Delta tables with ARRAY, MAP and STRUCT columns through storage/delta:
 * create, write (partitioned), read back whole and projected, add.stats as Delta writes them
 * (struct leaves nested, arrays and maps as NULL counts only, the indexed-column budget
 * counting struct leaves), mergeSchema adding a nested column while keeping the existing
 * fields' JSON, and a file whose column is primitive where the table says nested.
 */
#include "common/nested.h"
#include "storage/delta/delta_internal.h"
#include "tbuild.h"

static const lh_type_t I32 = {LH_TYPE_INT}, STR = {LH_TYPE_STRING};

static lh_type_t struct_type(void)
{
    const char *names[3] = {"x", "l", "t"};
    const char *inner[1] = {"u"};
    lh_type_t t_inner = lh_type_struct(1, inner, &STR);
    lh_type_t types[3] = {I32, lh_type_array(I32), t_inner};
    return lh_type_struct(3, names, types);
}

static lh_schema_t *nested_schema(void)
{
    lh_schema_t *s = lh_schema_create(4);
    lh_schema_set(s, 0, "p", STR, true);
    lh_schema_set(s, 1, "a", lh_type_array(I32), true);
    lh_schema_set(s, 2, "s", struct_type(), true);
    lh_schema_set(s, 3, "m", lh_type_map(STR, I32), true);
    return s;
}

/* Row r: p = "even"/"odd"; a = NULL (r % 3 == 0) or [r]; s = NULL (r % 4 == 0) or {x: r or
 * NULL when r % 5 == 0, l: [r] or NULL when r is odd, t: {u: "u<r>"}}; m = {"k": r}. */
static lh_batch_t *nested_batch(const lh_schema_t *schema, int n)
{
    lh_batch_t *b = lh_batch_create(schema, (size_t)n);
    lh_nbuf_t nb = {0}, tmp = {0};
    lh_type_t st = struct_type();
    for (int r = 0; r < n; r++) {
        lh_vec_append_str(b->cols[0], r % 2 ? "odd" : "even", r % 2 ? 3 : 4);
        lh_value_t e = {.type = I32, .v.i64 = r};
        nb.len = 0;
        lh_nested_put_array(&nb, I32, &e, 1);
        if (r % 3 == 0)
            lh_vec_append_null(b->cols[1]);
        else
            lh_vec_append_str(b->cols[1], nb.bytes, nb.len);
        char u[16];
        lh_value_t uv = {.type = STR,
                         .v.str = {(const uint8_t *)u, (uint32_t)snprintf(u, sizeof u, "u%d", r)}};
        tmp.len = 0;
        lh_nested_put_struct(&tmp, st.nested->fields[2].type, &uv);
        lh_value_t f[3] = {
            {.type = I32, .is_null = r % 5 == 0, .v.i64 = r},
            {.type = lh_type_array(I32),
             .is_null = r % 2 == 1,
             .v.str = {nb.bytes, (uint32_t)nb.len}},
            {.type = st.nested->fields[2].type, .v.str = {tmp.bytes, (uint32_t)tmp.len}}};
        lh_nbuf_t sb = {0};
        lh_nested_put_struct(&sb, st, f);
        if (r % 4 == 0)
            lh_vec_append_null(b->cols[2]);
        else
            lh_vec_append_str(b->cols[2], sb.bytes, sb.len);
        lh_nbuf_free(&sb);
        lh_value_t k = {.type = STR, .v.str = {(const uint8_t *)"k", 1}};
        sb = (lh_nbuf_t){0};
        lh_nested_put_map(&sb, lh_type_map(STR, I32), &k, &e, 1);
        lh_vec_append_str(b->cols[3], sb.bytes, sb.len);
        lh_nbuf_free(&sb);
    }
    b->row_count = (size_t)n;
    lh_nbuf_free(&nb);
    lh_nbuf_free(&tmp);
    return b;
}

static lh_err write_batch(lh_delta_table_t *t, const lh_schema_t *schema, lh_batch_t *b, bool merge,
                          lh_errbuf *eb)
{
    lh_delta_snapshot_t *s;
    LH_TRY(lh_delta_snapshot_latest(t, &s, eb));
    lh_delta_txn_t *x;
    lh_err e = lh_delta_txn_begin(t, s, &x, eb);
    lh_delta_snapshot_release(s);
    LH_TRY(e);
    lh_delta_write_opts_t o;
    lh_delta_write_opts_default(&o);
    o.merge_schema = merge;
    stream_t st = {&b, 1, 0};
    e = lh_delta_write_files(x, schema, stream_next, &st, &o, eb);
    if (e == LH_OK)
        e = lh_delta_txn_commit(x, NULL, eb);
    lh_delta_txn_destroy(x);
    return e;
}

static void test_write_read_stats(void)
{
    scratch_t sc;
    scratch_open(&sc, "tables/nested_write");
    lh_errbuf eb = {0};
    lh_schema_t *schema = nested_schema();
    const char *parts[1] = {"p"};
    T_EQ_INT(create_table(sc.t, schema, parts, 1, &eb), LH_OK);
    lh_batch_t *b = nested_batch(schema, 40);
    T_EQ_INT(write_batch(sc.t, schema, b, false, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(sc.t, &s, &eb), LH_OK);
    T_EQ_INT(lh_delta_snapshot_file_count(s), 2);
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(s, i);
        bool even = strstr(f->path, "p=even") != NULL;
        /* 20 rows each: a NULL when r % 3 == 0 (7 of 20); s NULL when r % 4 == 0 (10 even
         * rows), s.x NULL also when r % 5 == 0 (2 more even rows, 4 odd ones), s.l NULL on
         * odd rows; strings compare bytewise ("u6" > "u38") */
        const char *want =
            even ? "{\"numRecords\":20,\"minValues\":{\"s\":{\"x\":2,\"t\":{\"u\":"
                   "\"u10\"}}},\"maxValues\":{\"s\":{\"x\":38,\"t\":{\"u\":\"u6\"}}},"
                   "\"nullCount\":{\"a\":7,\"s\":{\"x\":12,\"l\":10,\"t\":{\"u\":10}},"
                   "\"m\":0}}"
                 : "{\"numRecords\":20,\"minValues\":{\"s\":{\"x\":1,\"t\":{\"u\":"
                   "\"u1\"}}},\"maxValues\":{\"s\":{\"x\":39,\"t\":{\"u\":\"u9\"}}},"
                   "\"nullCount\":{\"a\":7,\"s\":{\"x\":4,\"l\":20,\"t\":{\"u\":0}},"
                   "\"m\":0}}";
        T_EQ_STR(f->stats, want);
        /* read back: every column, and a projection of the struct alone */
        lh_delta_reader_t *r;
        T_EQ_INT(lh_delta_reader_open(sc.t, s, f, NULL, 0, &r, &eb), LH_OK);
        const lh_batch_t *got;
        T_EQ_INT(lh_delta_reader_next(r, &got, &eb), LH_OK);
        T_CHECK(got != NULL && got->row_count == 20);
        for (size_t k = 0; got && k < got->row_count; k++) {
            int row = (int)(2 * k + !even);
            lh_value_t v, w;
            for (int c = 1; c < 4; c++) {
                lh_vec_get_value(got->cols[c], k, &v);
                lh_vec_get_value(b->cols[c], (size_t)row, &w);
                T_CHECK(v.is_null == w.is_null);
                T_CHECK(v.is_null || lh_nested_compare(v.type, v.v.str, w.v.str) == 0);
            }
        }
        lh_delta_reader_close(r);
        const char *cols[1] = {"S"};
        T_EQ_INT(lh_delta_reader_open(sc.t, s, f, cols, 1, &r, &eb), LH_OK);
        T_EQ_INT(lh_delta_reader_next(r, &got, &eb), LH_OK);
        T_CHECK(got != NULL && got->col_count == 1 && got->cols[0]->type.id == LH_TYPE_STRUCT);
        lh_delta_reader_close(r);
    }
    lh_delta_snapshot_release(s);
    lh_batch_destroy(b);
    lh_schema_destroy(schema);
    scratch_close(&sc);
}

/* The indexed-column budget counts struct leaves one by one, arrays and maps as one. */
static void test_stats_budget(void)
{
    scratch_t sc;
    scratch_open(&sc, "tables/nested_budget");
    lh_errbuf eb = {0};
    lh_schema_t *schema = nested_schema();
    lh_delta_metadata_t md;
    T_EQ_INT(lh_delta_metadata_init(&md, schema, NULL, 0, &eb), LH_OK);
    lh_delta_map_set(&md.configuration, "delta.dataSkippingNumIndexedCols", "4");
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(sc.t, NULL, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    lh_delta_metadata_clear(&md);
    lh_batch_t *b = nested_batch(schema, 8);
    T_EQ_INT(write_batch(sc.t, schema, b, false, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(sc.t, &s, &eb), LH_OK);
    /* p, a, s.x, s.l get stats; s.t.u and m do not */
    T_EQ_STR(lh_delta_snapshot_file(s, 0)->stats,
             "{\"numRecords\":8,\"minValues\":{\"p\":\"even\",\"s\":{\"x\":1}},\"maxValues\":{"
             "\"p\":\"odd\",\"s\":{\"x\":7}},\"nullCount\":{\"p\":0,\"a\":3,\"s\":{\"x\":3,\"l\":"
             "6}}}");
    lh_delta_snapshot_release(s);
    lh_batch_destroy(b);
    lh_schema_destroy(schema);
    scratch_close(&sc);
}

/* mergeSchema appends the new nested column and keeps what was written before as is. */
static void test_merge_schema_keeps_json(void)
{
    scratch_t sc;
    scratch_open(&sc, "tables/nested_merge");
    lh_errbuf eb = {0};
    lh_delta_metadata_t md = {
        .id = "6d4c2c4e-0000-4000-8000-000000000009",
        .format_provider = "parquet",
        .schema_string =
            "{\"type\":\"struct\",\"fields\":[{\"name\":\"p\",\"type\":\"string\","
            "\"nullable\":true,\"metadata\":{\"comment\":\"kept\"}},{\"name\":\"a\","
            "\"type\":{\"type\":\"array\",\"elementType\":\"integer\",\"containsNull\":"
            "false},\"nullable\":true,\"metadata\":{}}]}",
    };
    char *none[1] = {NULL};
    md.partition_columns = none;
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(sc.t, NULL, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    lh_schema_t *schema = nested_schema();
    lh_batch_t *b = nested_batch(schema, 6);
    T_EQ_INT(write_batch(sc.t, schema, b, false, &eb), LH_E_INVALID); /* s, m unknown */
    T_EQ_INT(write_batch(sc.t, schema, b, true, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(sc.t, &s, &eb), LH_OK);
    const lh_delta_metadata_t *m = lh_delta_snapshot_metadata(s);
    T_CHECK(strstr(m->schema_string, "\"metadata\":{\"comment\":\"kept\"}") != NULL);
    T_CHECK(strstr(m->schema_string, "\"containsNull\":false") != NULL);
    T_CHECK(strstr(m->schema_string, "{\"name\":\"m\",\"type\":{\"type\":\"map\"") != NULL);
    T_EQ_INT(m->schema->field_count, 4);
    T_CHECK(lh_type_equal(m->schema->fields[2].type, struct_type()));
    lh_delta_snapshot_release(s);
    lh_batch_destroy(b);
    lh_schema_destroy(schema);
    scratch_close(&sc);
}

/* A table column that is nested where the file holds a primitive is refused naming it. */
static void test_primitive_file_column(void)
{
    scratch_t sc;
    scratch_open(&sc, "tables/nested_vs_flat");
    lh_errbuf eb = {0};
    lh_schema_t *flat = lh_schema_create(1);
    lh_schema_set(flat, 0, "a", I32, true);
    T_EQ_INT(create_table(sc.t, flat, NULL, 0, &eb), LH_OK);
    lh_batch_t *b = lh_batch_create(flat, 2);
    lh_vec_append_i64(b->cols[0], 1);
    b->row_count = 1;
    T_EQ_INT(write_batch(sc.t, flat, b, false, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(sc.t, &s, &eb), LH_OK);
    /* the same file under a metadata that calls the column an array */
    lh_delta_metadata_t md;
    lh_delta_metadata_copy(lh_delta_snapshot_metadata(s), &md);
    free(md.schema_string);
    md.schema_string = strdup("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":"
                              "\"array\",\"elementType\":\"integer\",\"containsNull\":true},"
                              "\"nullable\":true,\"metadata\":{}}]}");
    lh_schema_destroy(md.schema);
    lh_schema_destroy(md.primitive_schema);
    md.schema = md.primitive_schema = NULL;
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(sc.t, s, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    lh_delta_metadata_clear(&md);
    lh_delta_snapshot_release(s);
    T_EQ_INT(lh_delta_snapshot_latest(sc.t, &s, &eb), LH_OK);
    lh_delta_reader_t *r = NULL;
    T_EQ_INT(lh_delta_reader_open(sc.t, s, lh_delta_snapshot_file(s, 0), NULL, 0, &r, &eb),
             LH_E_UNSUPPORTED);
    T_CHECK(strstr(eb.msg, "'a'") != NULL && strstr(eb.msg, "nested in the table") != NULL);
    lh_delta_snapshot_release(s);
    lh_batch_destroy(b);
    lh_schema_destroy(flat);
    scratch_close(&sc);
}

int main(void)
{
    T_RUN(test_write_read_stats);
    T_RUN(test_stats_budget);
    T_RUN(test_merge_schema_keeps_json);
    T_RUN(test_primitive_file_column);
    return T_DONE();
}
