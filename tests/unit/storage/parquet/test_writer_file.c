/*
 * test_writer_file.c - flat files from the writer, checked byte-level through an
 * independent Thrift walker (pq_test_footer.h): layout, schema mapping (formats.md 1.4),
 * chunk and page metadata, statistics rules (1.6), dictionary fallback, bloom filters,
 * row-group cuts, the summary, selection vectors and the error paths.
 */
#include <math.h>
#include <stdio.h>

#include "pq_test_footer.h"
#include "storage/parquet/pq_bloom.h"
#include "t.h"

static lh_type_t ty(lh_type_id id)
{
    return (lh_type_t){id, 0, 0};
}

static lh_type_t dec(int p, int s)
{
    return (lh_type_t){LH_TYPE_DECIMAL, (uint8_t)p, (uint8_t)s};
}

/* id LONG not null, name STRING, price DECIMAL(9,2), big DECIMAL(30,3), f DOUBLE */
static lh_schema_t *shop_schema(void)
{
    lh_schema_t *s = lh_schema_create(5);
    lh_schema_set(s, 0, "id", ty(LH_TYPE_LONG), false);
    lh_schema_set(s, 1, "name", ty(LH_TYPE_STRING), true);
    lh_schema_set(s, 2, "price", dec(9, 2), true);
    lh_schema_set(s, 3, "big", dec(30, 3), true);
    lh_schema_set(s, 4, "f", ty(LH_TYPE_DOUBLE), true);
    return s;
}

static void fill_shop(lh_batch_t *b, int64_t first, size_t n)
{
    static const char *const names[] = {"pear", "apple", "fig"};
    char buf[32];
    lh_batch_reset(b);
    for (size_t k = 0; k < n; k++) {
        int64_t r = first + (int64_t)k;
        lh_vec_append_i64(b->cols[0], r);
        if (r % 10 == 3)
            lh_vec_append_null(b->cols[1]);
        else if (r % 2)
            lh_vec_append_str(b->cols[1], names[r % 3], strlen(names[r % 3]));
        else
            lh_vec_append_str(b->cols[1], buf,
                              (size_t)snprintf(buf, sizeof buf, "n%lld", (long long)r));
        lh_vec_append_i64(b->cols[2], r * 101 - 5000);
        lh_vec_append_i128(b->cols[3], (lh_i128)(r - 7000) * 1000000000000000000LL);
        lh_vec_append_f64(b->cols[4], (double)r / 4);
    }
    b->row_count = n;
}

static lh_err write_shop(mem_sink_t *m, const lh_pq_write_opts_t *o, int64_t rows,
                         lh_pq_file_summary_t *sum, lh_pq_writer_t **wout)
{
    lh_schema_t *s = shop_schema();
    lh_batch_t *b = lh_batch_create(s, 1000);
    lh_pq_writer_t *w = NULL;
    lh_errbuf eb = {0};
    lh_err e = lh_pq_writer_create(s, o, mem_sink(m), &w, &eb);
    for (int64_t r = 0; e == LH_OK && r < rows; r += 1000) {
        fill_shop(b, r, (size_t)(rows - r < 1000 ? rows - r : 1000));
        e = lh_pq_writer_write_batch(w, b, &eb);
    }
    if (e == LH_OK)
        e = lh_pq_writer_finish(w, sum, &eb);
    if (e != LH_OK)
        fprintf(stderr, "  write_shop: %s\n", eb.msg);
    *wout = w;
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    return e;
}

static void test_layout_and_schema(void)
{
    mem_sink_t m = {0};
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.row_group_rows = 4000;
    lh_pq_writer_t *w;
    lh_pq_file_summary_t sum;
    T_EQ_INT(write_shop(&m, &o, 10000, &sum, &w), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    T_CHECK(tq_skip_struct(f, f + n) == f + n); /* well-formed, nothing trailing */
    T_EQ_INT(tq_i(f, n, "1"), 1);               /* version */
    T_EQ_INT(tq_i(f, n, "3"), 10000);           /* num_rows */
    tval_t v;
    T_CHECK(tq(f, n, "4", &v) && v.size == 3); /* row groups 4000, 4000, 2000 */
    T_EQ_INT(tq_i(f, n, "4.0.3"), 4000);
    T_EQ_INT(tq_i(f, n, "4.2.3"), 2000);
    T_EQ_INT(tq_i(f, n, "4.1.7"), 1); /* ordinal */
    T_CHECK(tq(f, n, "2", &v) && v.size == 6);
    T_CHECK(tq(f, n, "2.0.4", &v) && v.len == 6 && !memcmp(v.bin, "schema", 6));
    T_EQ_INT(tq_i(f, n, "2.0.5"), 5);
    T_CHECK(!tq(f, n, "2.0.3", &v));  /* the root has no repetition */
    T_EQ_INT(tq_i(f, n, "2.1.1"), 2); /* id INT64 REQUIRED */
    T_EQ_INT(tq_i(f, n, "2.1.3"), 0);
    T_EQ_INT(tq_i(f, n, "2.2.1"), 6); /* name BYTE_ARRAY OPTIONAL UTF8 STRING{} */
    T_EQ_INT(tq_i(f, n, "2.2.3"), 1);
    T_EQ_INT(tq_i(f, n, "2.2.6"), 0);
    T_CHECK(tq(f, n, "2.2.10.1", &v) && v.type == 12);
    T_EQ_INT(tq_i(f, n, "2.3.1"), 1); /* price INT32 DECIMAL(9,2) */
    T_EQ_INT(tq_i(f, n, "2.3.6"), 5);
    T_EQ_INT(tq_i(f, n, "2.3.7"), 2);
    T_EQ_INT(tq_i(f, n, "2.3.8"), 9);
    T_EQ_INT(tq_i(f, n, "2.3.10.5.1"), 2);
    T_EQ_INT(tq_i(f, n, "2.3.10.5.2"), 9);
    T_EQ_INT(tq_i(f, n, "2.4.1"), 7); /* big FLBA(13) */
    T_EQ_INT(tq_i(f, n, "2.4.2"), 13);
    T_CHECK(tq(f, n, "7", &v) && v.size == 5); /* column_orders */
    T_CHECK(tq(f, n, "7.4.1", &v) && v.type == 12);
    T_CHECK(tq(f, n, "6", &v) && v.len == strlen(o.created_by) &&
            !memcmp(v.bin, o.created_by, v.len));
    /* chunks are contiguous and start with their dictionary page */
    int64_t at = 4;
    for (int rg = 0; rg < 3; rg++) {
        for (int c = 0; c < 5; c++) {
            char p[64];
            snprintf(p, sizeof p, "4.%d.1.%d.2", rg, c);
            T_EQ_INT(tq_i(f, n, p), 0); /* file_offset */
            snprintf(p, sizeof p, "4.%d.1.%d.3.11", rg, c);
            int64_t dict = tq_i(f, n, p);
            snprintf(p, sizeof p, "4.%d.1.%d.3.9", rg, c);
            int64_t data = tq_i(f, n, p);
            T_EQ_INT(dict == INT64_MIN ? data : dict, at);
            snprintf(p, sizeof p, "4.%d.1.%d.3.7", rg, c);
            at += tq_i(f, n, p);
            snprintf(p, sizeof p, "4.%d.1.%d.3.5", rg, c);
            T_EQ_INT(tq_i(f, n, p), rg == 2 ? 2000 : 4000);
        }
    }
    /* the first page of name is a dictionary page, then RLE_DICTIONARY data pages */
    int64_t d0 = tq_i(f, n, "4.0.1.1.3.11");
    const uint8_t *ph = m.data + d0;
    T_EQ_INT(tq_i(ph, 64, "1"), 2);
    T_EQ_INT(tq_i(ph, 64, "7.2"), 0);
    T_CHECK(tq_i(ph, 64, "3") > 0);
    T_CHECK(tq_i(ph, 64, "7.1") >= 3); /* pear, apple, fig and some n<row> */
    int64_t data0 = tq_i(f, n, "4.0.1.1.3.9");
    ph = m.data + data0;
    T_EQ_INT(tq_i(ph, 128, "1"), 0);
    T_EQ_INT(tq_i(ph, 128, "5.2"), 8);
    T_EQ_INT(tq_i(ph, 128, "5.3"), 3);
    T_EQ_INT(tq_i(ph, 128, "5.4"), 3);
    T_EQ_INT(tq_i(ph, 128, "5.1"), 4000);
    T_EQ_INT(sum.num_rows, 10000);
    T_EQ_INT(sum.file_bytes, m.len);
    lh_pq_writer_destroy(w);
    free(m.data);
}

static void test_summary_and_chunk_stats(void)
{
    mem_sink_t m = {0};
    lh_pq_writer_t *w;
    lh_pq_file_summary_t sum;
    T_EQ_INT(write_shop(&m, NULL, 3000, &sum, &w), LH_OK);
    T_EQ_INT(sum.col_count, 5);
    T_EQ_INT(sum.cols[0].min.v.i64, 0);
    T_EQ_INT(sum.cols[0].max.v.i64, 2999);
    T_EQ_INT(sum.cols[0].null_count, 0);
    T_EQ_INT(sum.cols[1].null_count, 300);
    T_EQ_INT(sum.cols[1].value_count, 3000);
    T_CHECK(sum.cols[1].min.v.str.len == 5 && !memcmp(sum.cols[1].min.v.str.ptr, "apple", 5));
    T_CHECK(sum.cols[1].max.v.str.len == 4 && !memcmp(sum.cols[1].max.v.str.ptr, "pear", 4));
    T_EQ_INT(sum.cols[2].min.v.i64, -5000);
    T_EQ_INT(sum.cols[2].max.v.i64, 2999 * 101 - 5000);
    T_CHECK(sum.cols[3].min.v.i128 == (lh_i128)-7000 * 1000000000000000000LL);
    T_CHECK(sum.cols[3].max.v.i128 == (lh_i128)-4001 * 1000000000000000000LL);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    tval_t v;
    /* big: FLBA min_value is 13 bytes big-endian two's complement */
    T_CHECK(tq(f, n, "4.0.1.3.3.12.6", &v) && v.len == 13);
    if (v.len == 13) {
        lh_i128 x = (v.bin[0] & 0x80) ? -1 : 0;
        for (int i = 0; i < 13; i++)
            x = (lh_i128)(((unsigned __int128)x << 8) | v.bin[i]);
        T_CHECK(x == (lh_i128)-7000 * 1000000000000000000LL);
    }
    T_EQ_INT(tq_i(f, n, "4.0.1.1.3.12.3"), 300); /* null_count */
    T_CHECK(tq(f, n, "4.0.1.1.3.12.7", &v) && v.i == 1);
    T_CHECK(tq(f, n, "4.0.1.4.3.12.9", &v) && v.i == 0); /* nan_count on floats */
    T_CHECK(!tq(f, n, "4.0.1.0.3.12.9", &v));
    lh_pq_writer_destroy(w);
    free(m.data);
}

/* NaN is left out of min/max and counted; zeros are written as -0.0 / +0.0. */
static void test_float_rules(void)
{
    lh_schema_t *s = lh_schema_create(3);
    lh_schema_set(s, 0, "d", ty(LH_TYPE_DOUBLE), true);
    lh_schema_set(s, 1, "f", ty(LH_TYPE_FLOAT), true);
    lh_schema_set(s, 2, "allnull", ty(LH_TYPE_INT), true);
    lh_batch_t *b = lh_batch_create(s, 8);
    const double ds[] = {NAN, 0.0, 3.5, NAN, -0.0};
    for (int i = 0; i < 5; i++) {
        lh_vec_append_f64(b->cols[0], ds[i]);
        lh_vec_append_f64(b->cols[1], i < 3 ? NAN : -2.5 * i);
        lh_vec_append_null(b->cols[2]);
    }
    b->row_count = 5;
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_pq_file_summary_t sum;
    T_EQ_INT(lh_pq_writer_create(s, NULL, mem_sink(&m), &w, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_write_batch(w, b, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, &sum, NULL), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    tval_t v;
    double x;
    T_CHECK(tq(f, n, "4.0.1.0.3.12.6", &v) && v.len == 8);
    memcpy(&x, v.bin, 8);
    T_CHECK(x == 0.0 && signbit(x)); /* min -0.0 */
    T_CHECK(tq(f, n, "4.0.1.0.3.12.5", &v) && v.len == 8);
    memcpy(&x, v.bin, 8);
    T_CHECK(x == 3.5);
    T_EQ_INT(tq_i(f, n, "4.0.1.0.3.12.9"), 2);
    T_EQ_INT(tq_i(f, n, "4.0.1.1.3.12.9"), 3);
    T_CHECK(tq(f, n, "4.0.1.1.3.12.6", &v) && v.len == 4);
    float fl;
    memcpy(&fl, v.bin, 4);
    T_CHECK(fl == -10.0f);
    /* all-null chunk: null_count only */
    T_EQ_INT(tq_i(f, n, "4.0.1.2.3.12.3"), 5);
    T_CHECK(!tq(f, n, "4.0.1.2.3.12.6", &v));
    T_CHECK(!sum.cols[2].has_min_max);
    T_CHECK(sum.cols[0].has_min_max && sum.cols[0].max.v.f64 == 3.5);
    lh_pq_writer_destroy(w);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    free(m.data);
}

static void test_selection_vector(void)
{
    lh_schema_t *s = lh_schema_create(1);
    lh_schema_set(s, 0, "x", ty(LH_TYPE_INT), true);
    lh_batch_t *b = lh_batch_create(s, 16);
    for (int i = 0; i < 10; i++)
        lh_vec_append_i64(b->cols[0], i * 10);
    lh_vec_set_null(b->cols[0], 7, true);
    static uint32_t sel[] = {7, 5, 3};
    b->cols[0]->sel = sel;
    b->cols[0]->sel_count = 3;
    b->row_count = 3;
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_pq_file_summary_t sum;
    T_EQ_INT(lh_pq_writer_create(s, NULL, mem_sink(&m), &w, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_write_batch(w, b, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, &sum, NULL), LH_OK);
    T_EQ_INT(sum.num_rows, 3);
    T_EQ_INT(sum.cols[0].null_count, 1);
    T_EQ_INT(sum.cols[0].min.v.i64, 30);
    T_EQ_INT(sum.cols[0].max.v.i64, 50);
    lh_pq_writer_destroy(w);
    b->cols[0]->sel = NULL;
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    free(m.data);
}

static void test_dictionary_fallback_and_plain(void)
{
    for (int dict = 0; dict < 2; dict++) {
        mem_sink_t m = {0};
        lh_pq_write_opts_t o;
        lh_pq_write_opts_default(&o);
        o.dictionary = dict;
        o.dict_bytes_max = 2048; /* "n<row>" names overflow it early */
        o.page_bytes = 1024;
        o.codec = LH_PQ_CODEC_SNAPPY;
        lh_pq_writer_t *w;
        T_EQ_INT(write_shop(&m, &o, 5000, NULL, &w), LH_OK);
        size_t n;
        const uint8_t *f = footer_of(&m, &n);
        tval_t v;
        T_EQ_INT(tq_i(f, n, "4.0.1.1.3.4"), 1);
        T_CHECK(tq(f, n, "4.0.1.1.3.2", &v));
        int has[16] = {0};
        for (uint32_t i = 0; i < v.size; i++) {
            char p[32];
            snprintf(p, sizeof p, "4.0.1.1.3.2.%u", i);
            int64_t e = tq_i(f, n, p);
            if (e >= 0 && e < 16)
                has[e] = 1;
        }
        T_CHECK(has[0] && has[3]);      /* PLAIN, RLE */
        /* one 5000-row batch overflows the 2 KiB dictionary before any page used it, so
         * the chunk goes back to PLAIN whole and carries no dictionary page either way */
        T_EQ_INT(has[8], 0);
        T_EQ_INT(tq(f, n, "4.0.1.1.3.11", &v), 0);
        lh_pq_writer_destroy(w);
        free(m.data);
    }
}

static void test_bloom_filter(void)
{
    mem_sink_t m = {0};
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    const char *cols[] = {"NAME", "id"};
    o.bloom_columns = cols;
    o.bloom_column_count = 2;
    o.dict_bytes_max = 4096; /* name: dictionary, then PLAIN; both halves must be in the filter */
    lh_pq_writer_t *w;
    T_EQ_INT(write_shop(&m, &o, 3000, NULL, &w), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    T_CHECK(tq_i(f, n, "4.0.1.2.3.14") == INT64_MIN); /* price has none */
    int64_t off = tq_i(f, n, "4.0.1.1.3.14"), len = tq_i(f, n, "4.0.1.1.3.15");
    T_CHECK(off > 0 && len > 32 && (uint64_t)(off + len) <= m.len);
    if (off <= 0 || len <= 32)
        return;
    const uint8_t *h = m.data + off;
    tval_t v;
    int64_t nbytes = tq_i(h, (size_t)len, "1");
    T_CHECK(tq(h, (size_t)len, "2.1", &v) && v.type == 12);
    T_CHECK(tq(h, (size_t)len, "3.1", &v) && v.type == 12);
    T_CHECK(tq(h, (size_t)len, "4.1", &v) && v.type == 12);
    const uint8_t *bits = tq_skip_struct(h, h + len);
    T_CHECK(bits != NULL && bits + nbytes == h + len);
    int present = 0, absent_hits = 0;
    char buf[32];
    for (int r = 0; r < 3000; r++) {
        int k = snprintf(buf, sizeof buf, "n%d", r);
        if (r % 2 == 0 && r % 10 != 3)
            present += lh_pq_bloom_check(bits, (size_t)nbytes, lh_pq_bloom_hash(buf, (size_t)k));
        k = snprintf(buf, sizeof buf, "zz%d", r);
        absent_hits += lh_pq_bloom_check(bits, (size_t)nbytes, lh_pq_bloom_hash(buf, (size_t)k));
    }
    T_EQ_INT(present, 1500);
    T_CHECK(absent_hits < 150); /* fpp 0.01, with slack */
    T_CHECK(lh_pq_bloom_check(bits, (size_t)nbytes, lh_pq_bloom_hash("apple", 5)));
    /* id: INT64 values hash as 8 little-endian bytes */
    int64_t off2 = tq_i(f, n, "4.0.1.0.3.14");
    const uint8_t *h2 = m.data + off2;
    int64_t nb2 = tq_i(h2, 64, "1");
    const uint8_t *bits2 = tq_skip_struct(h2, h2 + 64);
    int64_t x = 1234;
    T_CHECK(lh_pq_bloom_check(bits2, (size_t)nb2, lh_pq_bloom_hash(&x, 8)));
    lh_pq_writer_destroy(w);
    free(m.data);
}

static void test_row_group_bytes_cut(void)
{
    mem_sink_t m = {0};
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.row_group_bytes = 40000;
    o.dictionary = false;
    lh_pq_writer_t *w;
    T_EQ_INT(write_shop(&m, &o, 6000, NULL, &w), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    tval_t v;
    T_CHECK(tq(f, n, "4", &v) && v.size > 2);
    int64_t total = 0;
    for (uint32_t i = 0; i < v.size; i++) {
        char p[32];
        snprintf(p, sizeof p, "4.%u.3", i);
        total += tq_i(f, n, p);
    }
    T_EQ_INT(total, 6000);
    lh_pq_writer_destroy(w);
    free(m.data);
}

static void test_empty_file(void)
{
    lh_schema_t *s = shop_schema();
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_pq_file_summary_t sum;
    T_EQ_INT(lh_pq_writer_create(s, NULL, mem_sink(&m), &w, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, &sum, NULL), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    tval_t v;
    T_CHECK(f != NULL && tq(f, n, "4", &v) && v.size == 0);
    T_EQ_INT(tq_i(f, n, "3"), 0);
    T_EQ_INT(sum.num_rows, 0);
    T_CHECK(!sum.cols[1].has_min_max);
    lh_pq_writer_destroy(w);
    lh_schema_destroy(s);
    free(m.data);
}

static void test_errors(void)
{
    lh_schema_t *s = shop_schema();
    lh_batch_t *b = lh_batch_create(s, 16);
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_errbuf eb = {0};
    /* bloom filter on a missing column */
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    const char *missing[] = {"nope"};
    o.bloom_columns = missing;
    o.bloom_column_count = 1;
    T_EQ_INT(lh_pq_writer_create(s, &o, mem_sink(&m), &w, &eb), LH_E_INVALID);
    T_CHECK(w == NULL);
    /* a void column cannot be stored */
    lh_schema_t *sv = lh_schema_create(1);
    lh_schema_set(sv, 0, "v", ty(LH_TYPE_NULL), true);
    T_EQ_INT(lh_pq_writer_create(sv, NULL, mem_sink(&m), &w, &eb), LH_E_UNSUPPORTED);
    lh_schema_destroy(sv);
    m.len = 0;
    T_EQ_INT(lh_pq_writer_create(s, NULL, mem_sink(&m), &w, &eb), LH_OK);
    /* a null in the non-nullable id column is refused, and nothing is half-written */
    fill_shop(b, 0, 4);
    lh_vec_set_null(b->cols[0], 2, true);
    T_EQ_INT(lh_pq_writer_write_batch(w, b, &eb), LH_E_INVALID);
    /* a decimal(9,2) value with ten digits */
    fill_shop(b, 0, 4);
    ((int64_t *)b->cols[2]->data)[1] = 1000000000;
    T_EQ_INT(lh_pq_writer_write_batch(w, b, &eb), LH_E_INVALID);
    /* wrong column count */
    b->col_count = 4;
    T_EQ_INT(lh_pq_writer_write_batch(w, b, &eb), LH_E_INVALID);
    b->col_count = 5;
    fill_shop(b, 0, 4);
    T_EQ_INT(lh_pq_writer_write_batch(w, b, &eb), LH_OK);
    lh_pq_file_summary_t sum;
    T_EQ_INT(lh_pq_writer_finish(w, &sum, &eb), LH_OK);
    T_EQ_INT(sum.num_rows, 4);
    T_EQ_INT(lh_pq_writer_finish(w, &sum, &eb), LH_E_STATE);
    T_EQ_INT(lh_pq_writer_write_batch(w, b, &eb), LH_E_STATE);
    lh_pq_writer_destroy(w);
    /* a failing sink fails the writer for good */
    for (int k = 1; k <= 3; k++) {
        mem_sink_t bad = {.fail_after = k};
        w = NULL;
        lh_err e = lh_pq_writer_create(s, NULL, mem_sink(&bad), &w, &eb);
        if (e == LH_OK)
            e = lh_pq_writer_write_batch(w, b, &eb);
        if (e == LH_OK)
            e = lh_pq_writer_finish(w, NULL, &eb);
        T_EQ_INT(e, LH_E_IO);
        if (w != NULL)
            T_EQ_INT(lh_pq_writer_finish(w, NULL, &eb), LH_E_STATE);
        lh_pq_writer_destroy(w);
        free(bad.data);
    }
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    free(m.data);
}

/* Every flat type maps to the physical type and annotations of formats.md 1.4. */
static void test_type_mapping(void)
{
    static const struct {
        lh_type_t t;
        int phys, conv, logical, type_length;
    } cases[] = {
        {{LH_TYPE_BOOLEAN, 0, 0}, 0, -1, -1, -1},  {{LH_TYPE_BYTE, 0, 0}, 1, 15, 10, -1},
        {{LH_TYPE_SHORT, 0, 0}, 1, 16, 10, -1},    {{LH_TYPE_INT, 0, 0}, 1, -1, -1, -1},
        {{LH_TYPE_LONG, 0, 0}, 2, -1, -1, -1},     {{LH_TYPE_FLOAT, 0, 0}, 4, -1, -1, -1},
        {{LH_TYPE_DOUBLE, 0, 0}, 5, -1, -1, -1},   {{LH_TYPE_STRING, 0, 0}, 6, 0, 1, -1},
        {{LH_TYPE_BINARY, 0, 0}, 6, -1, -1, -1},   {{LH_TYPE_DATE, 0, 0}, 1, 6, 6, -1},
        {{LH_TYPE_TIMESTAMP, 0, 0}, 2, 10, 8, -1}, {{LH_TYPE_TIMESTAMP_NTZ, 0, 0}, 2, 10, 8, -1},
        {{LH_TYPE_DECIMAL, 9, 0}, 1, 5, 5, -1},    {{LH_TYPE_DECIMAL, 18, 0}, 2, 5, 5, -1},
        {{LH_TYPE_DECIMAL, 19, 0}, 7, 5, 5, 9},    {{LH_TYPE_DECIMAL, 38, 0}, 7, 5, 5, 16},
    };
    int count = (int)(sizeof cases / sizeof cases[0]);
    lh_schema_t *s = lh_schema_create(count);
    char name[8];
    for (int i = 0; i < count; i++) {
        snprintf(name, sizeof name, "c%d", i);
        lh_schema_set(s, i, name, cases[i].t, true);
    }
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    T_EQ_INT(lh_pq_writer_create(s, NULL, mem_sink(&m), &w, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, NULL, NULL), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    for (int i = 0; i < count; i++) {
        char p[32];
        tval_t v;
        snprintf(p, sizeof p, "2.%d.1", i + 1);
        T_EQ_INT(tq_i(f, n, p), cases[i].phys);
        snprintf(p, sizeof p, "2.%d.6", i + 1);
        T_EQ_INT(tq(f, n, p, &v) ? v.i : -1, cases[i].conv);
        snprintf(p, sizeof p, "2.%d.10.%d", i + 1, cases[i].logical);
        T_EQ_INT(cases[i].logical < 0 || tq(f, n, p, &v), 1);
        snprintf(p, sizeof p, "2.%d.2", i + 1);
        T_EQ_INT(tq(f, n, p, &v) ? v.i : -1, cases[i].type_length);
    }
    /* timestamp: isAdjustedToUTC true + MICROS; timestamp_ntz: false */
    T_EQ_INT(tq_i(f, n, "2.11.10.8.1"), 1);
    T_EQ_INT(tq_i(f, n, "2.12.10.8.1"), 0);
    tval_t v;
    T_CHECK(tq(f, n, "2.12.10.8.2.2", &v) && v.type == 12);
    T_EQ_INT(tq_i(f, n, "2.2.10.10.1"), 8); /* byte: INTEGER(8, signed) */
    T_EQ_INT(tq_i(f, n, "2.2.10.10.2"), 1);
    lh_pq_writer_destroy(w);
    lh_schema_destroy(s);
    free(m.data);
}

/* A nearly-unique column leaves dictionary encoding at the early probe; values drawn from
 * 100k distinct keep their dictionary (it fits in dict_bytes_max). */
static void test_dictionary_probe(void)
{
    lh_schema_t *s = lh_schema_create(2);
    lh_schema_set(s, 0, "unique", ty(LH_TYPE_LONG), false);
    lh_schema_set(s, 1, "drawn", ty(LH_TYPE_LONG), false);
    lh_batch_t *b = lh_batch_create(s, 200000);
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        lh_vec_append_i64(b->cols[0], 1000000 + i * 3);
        lh_vec_append_i64(b->cols[1], (int64_t)(x % 100000));
    }
    b->row_count = 200000;
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.row_group_rows = 1 << 20; /* one row group holds all 200k rows */
    T_EQ_INT(lh_pq_writer_create(s, &o, mem_sink(&m), &w, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_write_batch(w, b, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, NULL, NULL), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    int64_t d0 = tq_i(f, n, "4.0.1.0.3.11"), d1 = tq_i(f, n, "4.0.1.1.3.11");
    /* the unique column gave up before any page used its dictionary: no dictionary page */
    T_CHECK(d0 < 0);
    T_CHECK(d1 > 0);
    if (d1 > 0) {
        int64_t drawn_entries = tq_i(m.data + d1, 64, "7.1");
        T_CHECK(drawn_entries > 80000 && drawn_entries <= 100000);
    }
    lh_pq_writer_destroy(w);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    free(m.data);
}

int main(void)
{
    T_RUN(test_dictionary_probe);
    T_RUN(test_layout_and_schema);
    T_RUN(test_summary_and_chunk_stats);
    T_RUN(test_float_rules);
    T_RUN(test_selection_vector);
    T_RUN(test_dictionary_fallback_and_plain);
    T_RUN(test_bloom_filter);
    T_RUN(test_row_group_bytes_cut);
    T_RUN(test_empty_file);
    T_RUN(test_errors);
    T_RUN(test_type_mapping);
    return T_DONE();
}
