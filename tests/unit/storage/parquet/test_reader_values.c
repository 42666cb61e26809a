/*
 * test_reader_values.c - known values of representative parquet-testing files through
 * the flat API: PLAIN, dictionary, snappy/gzip/zstd, v2 pages, INT96, decimals on all
 * four physical types, RLE booleans, BYTE_STREAM_SPLIT, nulls and empty pages.
 */
#include <math.h>
#include <pthread.h>

#include "reader_util.h"

static int64_t i64(const lh_vec_t *v, size_t i)
{
    return lh_vec_get_i64(v, i);
}

static void check_alltypes(const char *rel, int rows, int64_t ts0, const char *date0)
{
    lh_pq_file_t *f = pq_open_rel(rel);
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    T_EQ_INT(lh_pq_num_rows(f), rows);
    T_EQ_INT(lh_pq_schema(f)->field_count, 11);
    lh_vec_t *id = pq_col(f, 0, "id"), *b = pq_col(f, 0, "bool_col");
    lh_vec_t *ic = pq_col(f, 0, "int_col"), *bc = pq_col(f, 0, "bigint_col");
    lh_vec_t *fc = pq_col(f, 0, "float_col"), *dc = pq_col(f, 0, "double_col");
    lh_vec_t *ds = pq_col(f, 0, "date_string_col"), *ts = pq_col(f, 0, "timestamp_col");
    T_CHECK(id && b && ic && bc && fc && dc && ds && ts);
    if (id && b && ic && bc && fc && dc && ds && ts) {
        T_EQ_INT(id->count, rows);
        T_EQ_INT(ts->type.id, LH_TYPE_TIMESTAMP);
        for (int i = 0; i < rows; i++) {
            int odd = (int)(i64(id, i) & 1);
            T_EQ_INT(i64(b, i), !odd);
            T_EQ_INT(i64(ic, i), odd);
            T_EQ_INT(i64(bc, i), odd * 10);
            T_CHECK(fabs(((float *)fc->data)[i] - odd * 1.1f) < 1e-6);
            T_CHECK(fabs(((double *)dc->data)[i] - odd * 10.1) < 1e-9);
        }
        if (rows == 8) { /* alltypes_plain: ids 4 5 6 7 2 3 0 1 */
            T_EQ_INT(i64(id, 0), 4);
            T_EQ_INT(i64(id, 7), 1);
            T_CHECK(pq_sv_eq(ds, 0, "03/01/09"));
            T_CHECK(pq_sv_eq(ds, 6, "01/01/09"));
            T_EQ_INT(i64(ts, 0), 1235865600000000LL); /* 2009-03-01 00:00:00 */
            T_EQ_INT(i64(ts, 1), 1235865660000000LL); /* 2009-03-01 00:01:00 */
            T_EQ_INT(i64(ts, 6), 1230768000000000LL); /* 2009-01-01 */
        } else {
            T_EQ_INT(i64(ts, 0), ts0);
            T_EQ_INT(i64(ts, 1), ts0 + 60000000);
            T_CHECK(pq_sv_eq(ds, 0, date0));
        }
    }
    lh_vec_t *vs[] = {id, b, ic, bc, fc, dc, ds, ts};
    for (size_t i = 0; i < 8; i++)
        lh_vec_destroy(vs[i]);
    lh_pq_close(f);
}

static void test_alltypes_plain(void)
{
    check_alltypes("data/alltypes_plain.parquet", 8, 0, NULL);
}

static void test_alltypes_plain_snappy(void)
{
    check_alltypes("data/alltypes_plain.snappy.parquet", 2, 1238544000000000LL, "04/01/09");
}

static void test_alltypes_dictionary(void)
{
    check_alltypes("data/alltypes_dictionary.parquet", 2, 1230768000000000LL, "01/01/09");
}

static void test_int96_from_spark(void)
{
    static const int64_t want[] = {
        1704141296123456LL,   1704070800000000LL, 253402225200000000LL, 1735599600000000LL, 0,
        9089380393200000000LL};
    lh_pq_file_t *f = pq_open_rel("data/int96_from_spark.parquet");
    lh_vec_t *a = f ? pq_col(f, 0, "a") : NULL;
    T_CHECK(a != NULL);
    if (a) {
        T_EQ_INT(a->count, 6);
        for (int i = 0; i < 6; i++) {
            T_EQ_INT(lh_vec_is_valid(a, i), i != 4);
            if (i != 4)
                T_EQ_INT(i64(a, i), want[i]);
        }
    }
    lh_vec_destroy(a);
    lh_pq_close(f);
}

/* value = (i+1) * 100 unscaled, decimal(p, 2) */
static void check_decimal(const char *rel, int precision)
{
    lh_pq_file_t *f = pq_open_rel(rel);
    lh_vec_t *v = f ? pq_col(f, 0, "value") : NULL;
    T_CHECK(v != NULL);
    if (v) {
        T_EQ_INT(v->type.id, LH_TYPE_DECIMAL);
        T_EQ_INT(v->type.precision, precision);
        T_EQ_INT(v->type.scale, 2);
        T_EQ_INT(v->count, 24);
        for (int i = 0; i < 24; i++) {
            int64_t x = precision <= 18 ? i64(v, i) : (int64_t)((lh_i128 *)v->data)[i];
            T_EQ_INT(x, (i + 1) * 100);
        }
    }
    lh_vec_destroy(v);
    lh_pq_close(f);
}

static void test_decimals(void)
{
    check_decimal("data/int32_decimal.parquet", 4);
    check_decimal("data/int64_decimal.parquet", 10);
    check_decimal("data/byte_array_decimal.parquet", 4);
    check_decimal("data/fixed_length_decimal.parquet", 25);
    check_decimal("data/fixed_length_decimal_legacy.parquet", 13);
}

static void test_datapage_v2(void)
{
    lh_pq_file_t *f = pq_open_rel("data/datapage_v2.snappy.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    lh_vec_t *a = pq_col(f, 0, "a"), *b = pq_col(f, 0, "b"), *c = pq_col(f, 0, "c");
    lh_vec_t *d = pq_col(f, 0, "d");
    T_CHECK(a && b && c && d);
    if (a && b && c && d) {
        T_EQ_INT(a->count, 5);
        T_CHECK(pq_sv_eq(a, 0, "abc") && pq_sv_eq(a, 4, "abc"));
        T_CHECK(!lh_vec_is_valid(a, 3) && lh_vec_is_valid(a, 2));
        static const double cs[] = {2, 3, 4, 5, 2};
        static const int ds[] = {1, 1, 1, 0, 1};
        for (int i = 0; i < 5; i++) {
            T_EQ_INT(i64(b, i), i + 1);
            T_CHECK(((double *)c->data)[i] == cs[i]);
            T_EQ_INT(i64(d, i), ds[i]);
        }
    }
    T_EQ_INT(lh_pq_nested_column_count(f), 1);
    T_EQ_STR(lh_pq_nested_column_name(f, 0), "e");
    lh_vec_destroy(a);
    lh_vec_destroy(b);
    lh_vec_destroy(c);
    lh_vec_destroy(d);
    lh_pq_close(f);
}

static void test_rle_boolean(void)
{
    lh_pq_file_t *f = pq_open_rel("data/rle_boolean_encoding.parquet");
    lh_vec_t *v = f ? pq_col(f, 0, "datatype_boolean") : NULL;
    T_CHECK(v != NULL);
    if (v) {
        T_EQ_INT(v->count, 68);
        T_EQ_INT(i64(v, 0), 1);
        T_EQ_INT(i64(v, 1), 0);
        T_CHECK(!lh_vec_is_valid(v, 2));
        T_EQ_INT(i64(v, 3), 1);
        size_t nulls = 0, trues = 0;
        for (size_t i = 0; i < v->count; i++) {
            nulls += !lh_vec_is_valid(v, i);
            trues += lh_vec_is_valid(v, i) && i64(v, i) == 1;
        }
        T_CHECK(nulls > 0 && trues > 0);
    }
    lh_vec_destroy(v);
    lh_pq_close(f);
}

static void test_byte_stream_split(void)
{
    lh_pq_file_t *f = pq_open_rel("data/byte_stream_split.zstd.parquet");
    lh_vec_t *a = f ? pq_col(f, 0, "f32") : NULL, *b = f ? pq_col(f, 0, "f64") : NULL;
    T_CHECK(a && b);
    if (a && b) {
        T_EQ_INT(a->count, 300);
        T_CHECK(fabsf(((float *)a->data)[0] - 1.7640524f) < 1e-6f);
        T_CHECK(fabsf(((float *)a->data)[1] - 0.4001572f) < 1e-6f);
        T_CHECK(fabs(((double *)b->data)[0] - -1.30653) < 1e-5);
        T_CHECK(fabs(((double *)b->data)[1] - 1.65813) < 1e-5);
    }
    lh_vec_destroy(a);
    lh_vec_destroy(b);
    lh_pq_close(f);
}

static void test_empty_and_null_pages(void)
{
    lh_pq_file_t *f = pq_open_rel("data/page_v2_empty_compressed.parquet");
    lh_vec_t *v = f ? pq_col(f, 0, "integer_column") : NULL;
    T_CHECK(v != NULL);
    if (v) {
        T_EQ_INT(v->count, 10);
        for (size_t i = 0; i < v->count; i++)
            T_CHECK(!lh_vec_is_valid(v, i));
    }
    lh_vec_destroy(v);
    lh_pq_close(f);

    f = pq_open_rel("data/datapage_v2_empty_datapage.snappy.parquet");
    v = f ? pq_col(f, 0, "value") : NULL;
    T_CHECK(v != NULL && v->count == 1 && !lh_vec_is_valid(v, 0));
    lh_vec_destroy(v);
    lh_pq_close(f);

    f = pq_open_rel("data/int32_with_null_pages.parquet");
    v = f ? pq_col(f, 0, "int32_field") : NULL;
    T_CHECK(v != NULL);
    if (v) {
        T_EQ_INT(v->count, 1000);
        T_EQ_INT(i64(v, 0), -654807448);
        T_CHECK(!lh_vec_is_valid(v, 4));
        T_EQ_INT(i64(v, 5), 2018642597);
    }
    lh_vec_destroy(v);
    lh_pq_close(f);
}

/* Reading appends: a second chunk lands after the first, validity included. */
static void test_read_appends(void)
{
    lh_pq_file_t *f = pq_open_rel("data/int32_with_null_pages.parquet");
    lh_vec_t *v = f ? pq_col(f, 0, "int32_field") : NULL;
    T_CHECK(v != NULL);
    if (v) {
        T_EQ_INT(lh_pq_read_column(f, 0, 0, v, NULL), LH_OK);
        T_EQ_INT(v->count, 2000);
        T_CHECK(!lh_vec_is_valid(v, 1004) && lh_vec_is_valid(v, 1005));
        T_EQ_INT(i64(v, 1000), -654807448);
        T_EQ_INT(i64(v, 1005), 2018642597);
    }
    lh_vec_destroy(v);
    lh_pq_close(f);
}

/* Threads may read different columns of one open file at the same time. */
typedef struct col_job {
    lh_pq_file_t *f;
    int col;
    lh_vec_t *out;
    lh_err err;
} col_job;

static void *read_job(void *arg)
{
    col_job *j = arg;
    for (int k = 0; k < 50 && j->err == LH_OK; k++) {
        lh_vec_reset(j->out);
        j->err = lh_pq_read_column(j->f, 0, j->col, j->out, NULL);
    }
    return NULL;
}

static void test_concurrent_reads(void)
{
    lh_pq_file_t *f = pq_open_rel("data/alltypes_tiny_pages_plain.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    const lh_schema_t *s = lh_pq_schema(f);
    enum { N = 4 };
    col_job jobs[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (col_job){f, i, lh_vec_create(s->fields[i].type, 0), LH_OK};
        T_CHECK(pthread_create(&th[i], NULL, read_job, &jobs[i]) == 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        T_EQ_INT(jobs[i].err, LH_OK);
        T_EQ_INT(jobs[i].out->count, 7300);
        lh_vec_t *again = pq_col(f, 0, s->fields[i].name);
        T_CHECK(again != NULL && again->count == jobs[i].out->count);
        if (again)
            T_CHECK(memcmp(again->data, jobs[i].out->data,
                           again->count * lh_type_width(again->type)) == 0);
        lh_vec_destroy(again);
        lh_vec_destroy(jobs[i].out);
    }
    lh_pq_close(f);
}

static void test_misc_files(void)
{
    /* concatenated gzip members: UINT_64 column, read as decimal(20,0) */
    lh_pq_file_t *f = pq_open_rel("data/concatenated_gzip_members.parquet");
    lh_vec_t *v = f ? pq_col(f, 0, "long_col") : NULL;
    T_CHECK(v != NULL);
    if (v) {
        T_EQ_INT(v->count, 513);
        T_EQ_INT(v->type.id, LH_TYPE_DECIMAL);
        for (size_t i = 0; i < v->count; i++)
            T_EQ_INT((int64_t)((lh_i128 *)v->data)[i], (int64_t)i + 1);
    }
    lh_vec_destroy(v);
    lh_pq_close(f);

    /* dictionary_page_offset == 0: the chunk starts at the data page */
    f = pq_open_rel("data/dict-page-offset-zero.parquet");
    v = f ? pq_col(f, 0, "l_partkey") : NULL;
    T_CHECK(v != NULL && v->count == 39 && i64(v, 0) == 1552 && i64(v, 38) == 1552);
    lh_vec_destroy(v);
    lh_pq_close(f);

    /* checksummed pages (we do not verify CRCs): dictionary, PLAIN and snappy */
    const char *files[] = {"data/plain-dict-uncompressed-checksum.parquet",
                           "data/rle-dict-snappy-checksum.parquet"};
    for (int k = 0; k < 2; k++) {
        f = pq_open_rel(files[k]);
        T_CHECK(f != NULL);
        if (f == NULL)
            continue;
        T_EQ_INT(lh_pq_schema(f)->field_count, 2);
        lh_vec_t *a = pq_col(f, 0, "long_field"), *b = pq_col(f, 0, "binary_field");
        T_CHECK(a && b && a->count == 1000 && b->count == 1000);
        if (a && b) {
            T_EQ_INT(i64(a, 0), 0);
            T_EQ_INT(pq_sv(b, 0).len, 36); /* a uuid string */
        }
        lh_vec_destroy(a);
        lh_vec_destroy(b);
        lh_pq_close(f);
    }
}

static void test_delta_length_byte_array(void)
{
    lh_pq_file_t *f = pq_open_rel("data/delta_length_byte_array.parquet");
    lh_vec_t *v = f ? pq_col(f, 0, "FRUIT") : NULL;
    T_CHECK(v != NULL);
    if (v) {
        T_EQ_INT(v->count, 1000);
        char want[64];
        for (size_t i = 0; i < v->count; i++) {
            snprintf(want, sizeof want, "apple_banana_mango%zu", i * i);
            T_CHECK(pq_sv_eq(v, i, want));
        }
    }
    lh_vec_destroy(v);
    lh_pq_close(f);
}

static void test_unsupported_codec_message(void)
{
    lh_pq_file_t *f = pq_open_rel("data/lz4_raw_compressed.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    lh_vec_t *v = lh_vec_create(lh_pq_schema(f)->fields[0].type, 0);
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_read_column(f, 0, 0, v, &eb), LH_E_UNSUPPORTED);
    T_CHECK(strstr(eb.msg, "LZ4_RAW") != NULL);
    T_EQ_INT(v->count, 0);
    lh_vec_destroy(v);
    lh_pq_close(f);
}

static void test_bad_arguments(void)
{
    lh_pq_file_t *f = pq_open_rel("data/alltypes_plain.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    lh_vec_t *v = lh_vec_create((lh_type_t){.id = LH_TYPE_STRING}, 0);
    T_EQ_INT(lh_pq_read_column(f, 0, 0, v, NULL), LH_E_INVALID); /* id is an int */
    T_EQ_INT(lh_pq_read_column(f, 1, 0, v, NULL), LH_E_INVALID);
    T_EQ_INT(lh_pq_read_column(f, 0, 99, v, NULL), LH_E_INVALID);
    lh_pq_leaf_data_t d;
    T_EQ_INT(lh_pq_read_leaf(f, 0, -1, &d, NULL), LH_E_INVALID);
    T_CHECK(lh_pq_created_by(f) != NULL);
    lh_vec_destroy(v);
    lh_pq_close(f);
}

int main(void)
{
    T_RUN(test_alltypes_plain);
    T_RUN(test_alltypes_plain_snappy);
    T_RUN(test_alltypes_dictionary);
    T_RUN(test_int96_from_spark);
    T_RUN(test_decimals);
    T_RUN(test_datapage_v2);
    T_RUN(test_rle_boolean);
    T_RUN(test_byte_stream_split);
    T_RUN(test_empty_and_null_pages);
    T_RUN(test_read_appends);
    T_RUN(test_concurrent_reads);
    T_RUN(test_misc_files);
    T_RUN(test_delta_length_byte_array);
    T_RUN(test_unsupported_codec_message);
    T_RUN(test_bad_arguments);
    return T_DONE();
}
