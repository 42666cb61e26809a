/*
 * test_write.c - the data-file write path: file rolling, interleaved partitions, partition
 * value text and Hive escaping per type, and reading partition columns back.
 */
#include "tbuild.h"

static void test_rolling_and_interleaving(void)
{
    scratch_t sc;
    lh_errbuf eb;
    scratch_open(&sc, "");
    lh_schema_t *schema = test_schema();
    const char *parts[] = {"day"};
    T_EQ_INT(create_table(sc.t, schema, parts, 1, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(sc.t, &s, &eb), LH_OK);
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(sc.t, s, &x, &eb), LH_OK);
    lh_delta_snapshot_release(s);
    lh_batch_t *b[3];
    for (int i = 0; i < 3; i++) /* rows alternate between 3 days */
        b[i] = test_batch(schema, i * 2000, i < 2 ? 2000 : 1000, 3, 0);
    stream_t st = {b, 3, 0};
    lh_delta_write_opts_t o;
    lh_delta_write_opts_default(&o);
    o.target_file_rows = 1000;
    o.codec = LH_PQ_CODEC_SNAPPY;
    T_EQ_INT(lh_delta_write_files(x, schema, stream_next, &st, &o, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    T_EQ_INT(lh_delta_snapshot_latest(sc.t, &s, &eb), LH_OK);
    /* 5000 rows, 1667/1667/1666 per day -> files of 1000 and 667/666 rows per day */
    T_EQ_INT(lh_delta_snapshot_file_count(s), 6);
    int64_t rows = 0;
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(s, i);
        T_CHECK(strstr(f->path, "-c000.snappy.parquet") != NULL);
        int64_t n = count_rows(sc.t, s, f);
        T_CHECK(n == 1000 || n == 667 || n == 666);
        rows += n;
    }
    T_EQ_INT(rows, 5000);
    lh_delta_snapshot_release(s);
    for (int i = 0; i < 3; i++)
        lh_batch_destroy(b[i]);
    lh_schema_destroy(schema);
    scratch_close(&sc);
}

static void test_partition_types(void)
{
    scratch_t sc;
    lh_errbuf eb;
    scratch_open(&sc, "");
    lh_schema_t *s = lh_schema_create(6);
    lh_schema_set(s, 0, "v", (lh_type_t){LH_TYPE_INT, 0, 0}, true);
    lh_schema_set(s, 1, "b", (lh_type_t){LH_TYPE_BOOLEAN, 0, 0}, true);
    lh_schema_set(s, 2, "d", (lh_type_t){LH_TYPE_DOUBLE, 0, 0}, true);
    lh_schema_set(s, 3, "ts", (lh_type_t){LH_TYPE_TIMESTAMP, 0, 0}, true);
    lh_schema_set(s, 4, "s", (lh_type_t){LH_TYPE_STRING, 0, 0}, true);
    lh_schema_set(s, 5, "m", (lh_type_t){LH_TYPE_DECIMAL, 10, 2}, true);
    const char *parts[] = {"b", "d", "ts", "s", "m"};
    T_EQ_INT(create_table(sc.t, s, parts, 5, &eb), LH_OK);
    lh_batch_t *b = lh_batch_create(s, 2);
    lh_vec_append_i64(b->cols[0], 1);
    lh_vec_append_bool(b->cols[1], true);
    lh_vec_append_f64(b->cols[2], 1.5);
    lh_vec_append_i64(b->cols[3], 1631099471000000LL); /* 2021-09-08 11:11:11 UTC */
    lh_vec_append_str(b->cols[4], "a/b=c%d", 7);
    lh_vec_append_i64(b->cols[5], -12345); /* -123.45 */
    b->row_count = 1;
    lh_delta_snapshot_t *snap;
    T_EQ_INT(lh_delta_snapshot_latest(sc.t, &snap, &eb), LH_OK);
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(sc.t, snap, &x, &eb), LH_OK);
    lh_delta_snapshot_release(snap);
    stream_t st = {&b, 1, 0};
    T_EQ_INT(lh_delta_write_files(x, s, stream_next, &st, NULL, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    T_EQ_INT(lh_delta_snapshot_latest(sc.t, &snap, &eb), LH_OK);
    const lh_delta_add_t *f = lh_delta_snapshot_file(snap, 0);
    T_CHECK(f != NULL);
    if (f) {
        T_CHECK(
            strncmp(f->path,
                    "b=true/d=1.5/ts=2021-09-08T11%3A11%3A11.000000Z/s=a%2Fb%3Dc%25d/m=-123.45/",
                    73) == 0);
        T_EQ_STR(lh_delta_map_get(&f->partition_values, "s", NULL), "a/b=c%d");
        T_EQ_STR(lh_delta_map_get(&f->partition_values, "ts", NULL), "2021-09-08T11:11:11.000000Z");
        lh_delta_reader_t *r;
        T_EQ_INT(lh_delta_reader_open(sc.t, snap, f, NULL, 0, &r, &eb), LH_OK);
        const lh_batch_t *out;
        T_EQ_INT(lh_delta_reader_next(r, &out, &eb), LH_OK);
        T_CHECK(out && out->row_count == 1);
        if (out && out->row_count == 1) {
            T_EQ_INT(lh_vec_get_i64(out->cols[0], 0), 1);
            T_EQ_INT(lh_vec_get_i64(out->cols[1], 0), 1);
            T_CHECK(lh_vec_get_f64(out->cols[2], 0) == 1.5);
            T_EQ_INT(lh_vec_get_i64(out->cols[3], 0), 1631099471000000LL);
            const lh_sv_t *sv = &((const lh_sv_t *)out->cols[4]->data)[0];
            T_CHECK(sv->len == 7 && memcmp(sv->ptr, "a/b=c%d", 7) == 0);
            T_EQ_INT(lh_vec_get_i64(out->cols[5], 0), -12345);
        }
        lh_delta_reader_close(r);
    }
    lh_delta_snapshot_release(snap);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    scratch_close(&sc);
}

int main(void)
{
    T_RUN(test_rolling_and_interleaving);
    T_RUN(test_partition_types);
    return T_DONE();
}
