/*
 * test_reader_stats.c - chunk statistics, row-group skipping from min/max and null
 * counts, bloom filter probes, and that a column read touches only its chunk's bytes.
 */
#include "reader_util.h"

static lh_value_t lit_long(int64_t x)
{
    lh_value_t v = {.type = {.id = LH_TYPE_LONG}};
    v.v.i64 = x;
    return v;
}

static lh_value_t lit_str(const char *s)
{
    lh_value_t v = {.type = {.id = LH_TYPE_STRING}};
    v.v.str.ptr = (const uint8_t *)s;
    v.v.str.len = (uint32_t)strlen(s);
    return v;
}

static int may(lh_pq_file_t *f, int rg, int col, lh_pq_op op, const lh_value_t *vals, int n)
{
    lh_pq_pred_t p = {.col = col, .op = op, .value_count = n, .values = vals};
    return lh_pq_row_group_may_match(f, rg, &p, 1);
}

static void test_int_stats_and_skipping(void)
{
    lh_pq_file_t *f = pq_open_rel("data/alltypes_tiny_pages.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    int id = lh_schema_find(lh_pq_schema(f), "id");
    lh_pq_col_stats_t s;
    T_EQ_INT(lh_pq_column_stats(f, 0, id, &s, NULL), LH_OK);
    T_CHECK(s.has_min_max && s.has_null_count);
    T_EQ_INT(s.min.v.i64, 0);
    T_EQ_INT(s.max.v.i64, 7299);
    T_EQ_INT(s.null_count, 0);
    T_EQ_INT(s.value_count, 7300);

    lh_value_t v8000 = lit_long(8000), v5 = lit_long(5), v0 = lit_long(0);
    lh_value_t v7299 = lit_long(7299), in_miss[] = {lit_long(-5), lit_long(9000)};
    lh_value_t in_hit[] = {lit_long(-5), lit_long(10)};
    T_CHECK(!may(f, 0, id, LH_PQ_EQ, &v8000, 1)); /* max below the literal */
    T_CHECK(may(f, 0, id, LH_PQ_EQ, &v5, 1));
    T_CHECK(!may(f, 0, id, LH_PQ_LT, &v0, 1));
    T_CHECK(may(f, 0, id, LH_PQ_LE, &v0, 1));
    T_CHECK(may(f, 0, id, LH_PQ_GE, &v7299, 1));
    T_CHECK(!may(f, 0, id, LH_PQ_GT, &v7299, 1));
    T_CHECK(!may(f, 0, id, LH_PQ_IN, in_miss, 2));
    T_CHECK(may(f, 0, id, LH_PQ_IN, in_hit, 2));
    /* AND of predicates: one impossible conjunct skips the group */
    lh_pq_pred_t both[] = {{id, LH_PQ_EQ, 1, &v5}, {id, LH_PQ_GT, 1, &v7299}};
    T_CHECK(!lh_pq_row_group_may_match(f, 0, both, 2));
    T_CHECK(lh_pq_row_group_may_match(f, 0, both, 1));
    /* float stats: a zero min is reported as -0.0 */
    int fc = lh_schema_find(lh_pq_schema(f), "float_col");
    T_EQ_INT(lh_pq_column_stats(f, 0, fc, &s, NULL), LH_OK);
    T_CHECK(s.has_min_max && s.min.v.f64 == 0.0 && s.max.v.f64 > 9.8 && s.max.v.f64 < 10.0);
    lh_pq_close(f);
}

static void test_null_counts(void)
{
    lh_pq_file_t *f = pq_open_rel("data/sort_columns.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    lh_pq_col_stats_t s;
    T_EQ_INT(lh_pq_column_stats(f, 1, 0, &s, NULL), LH_OK);
    T_CHECK(s.has_min_max);
    T_EQ_INT(s.min.v.i64, 1);
    T_EQ_INT(s.max.v.i64, 2);
    T_EQ_INT(s.null_count, 1);
    T_EQ_INT(lh_pq_column_stats(f, 0, 1, &s, NULL), LH_OK);
    T_CHECK(s.has_min_max && s.min.v.str.len == 1 && s.min.v.str.ptr[0] == 'a');
    T_CHECK(s.max.v.str.len == 1 && s.max.v.str.ptr[0] == 'c');
    lh_pq_close(f);

    /* a chunk whose values are all null matches no comparison */
    f = pq_open_rel("data/geospatial/geospatial.parquet");
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    int wkt = lh_schema_find(lh_pq_schema(f), "wkt");
    T_EQ_INT(lh_pq_column_stats(f, 2, wkt, &s, NULL), LH_OK);
    T_CHECK(!s.has_min_max && s.null_count == s.value_count);
    lh_value_t any = lit_str("POINT (1 2)");
    T_CHECK(!may(f, 2, wkt, LH_PQ_EQ, &any, 1));
    T_CHECK(may(f, 0, wkt, LH_PQ_GE, &any, 1));
    lh_pq_close(f);
}

static void check_bloom_file(const char *rel, int expect_min_max)
{
    lh_pq_file_t *f = pq_open_rel(rel);
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    T_CHECK(lh_pq_has_bloom_filter(f, 0, 0));
    lh_pq_col_stats_t s;
    T_EQ_INT(lh_pq_column_stats(f, 0, 0, &s, NULL), LH_OK);
    T_EQ_INT(s.has_min_max, expect_min_max);
    if (expect_min_max) {
        T_CHECK(s.min.v.str.len == 5 && memcmp(s.min.v.str.ptr, "Hello", 5) == 0);
        T_CHECK(s.max.v.str.len == 5 && memcmp(s.max.v.str.ptr, "today", 5) == 0);
    }
    lh_vec_t *v = pq_col(f, 0, "String");
    T_CHECK(v != NULL);
    if (v) {
        for (size_t i = 0; i < v->count; i++) {
            lh_value_t x = {.type = {.id = LH_TYPE_STRING}, .v.str = pq_sv(v, i)};
            T_CHECK(may(f, 0, 0, LH_PQ_EQ, &x, 1)); /* every present value may match */
        }
    }
    int rejected = 0;
    char buf[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(buf, sizeof buf, "absent value %d", i); /* inside [Hello, today] */
        lh_value_t x = lit_str(buf);
        rejected += !may(f, 0, 0, LH_PQ_EQ, &x, 1);
    }
    printf("  %s: bloom rejected %d of 1000 absent values\n", rel, rejected);
    T_CHECK(rejected >= 900);
    lh_value_t in[] = {lit_str("absent value 1"), lit_str("Hello")};
    T_CHECK(may(f, 0, 0, LH_PQ_IN, in, 2));
    lh_vec_destroy(v);
    lh_pq_close(f);
}

static void test_bloom_filters(void)
{
    check_bloom_file("data/data_index_bloom_encoding_stats.parquet", 1);
    check_bloom_file("data/data_index_bloom_encoding_with_length.parquet", 0);
    lh_pq_file_t *f = pq_open_rel("data/alltypes_plain.parquet");
    if (f) {
        T_CHECK(!lh_pq_has_bloom_filter(f, 0, 0));
        T_CHECK(!lh_pq_has_bloom_filter(f, 5, 0));
        lh_pq_close(f);
    }
}

/* ---- a source that records the byte ranges read ---------------------------------------- */

typedef struct rec_src {
    lh_byte_source_t inner;
    int calls;
    uint64_t lo, hi, bytes;
} rec_src;

static lh_err rec_read(void *ctx, uint64_t off, void *buf, size_t len, lh_errbuf *eb)
{
    rec_src *r = ctx;
    r->calls++;
    r->bytes += len;
    if (off < r->lo)
        r->lo = off;
    if (off + len > r->hi)
        r->hi = off + len;
    return r->inner.read_at(r->inner.ctx, off, buf, len, eb);
}

static void rec_close(void *ctx)
{
    rec_src *r = ctx;
    r->inner.close(r->inner.ctx);
}

static void test_reads_only_the_chunk(void)
{
    rec_src r = {0};
    lh_errbuf eb = {0};
    T_EQ_INT(lh_bytes_source_open_file(pq_path("data/alltypes_plain.parquet"), &r.inner, &eb),
             LH_OK);
    uint64_t size = r.inner.size;
    lh_byte_source_t src = {.ctx = &r, .size = size, .read_at = rec_read, .close = rec_close};
    lh_pq_file_t *f;
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    uint64_t footer_start = r.lo; /* the open read the magic, the tail and the footer */
    T_CHECK(r.calls <= 3);
    uint8_t tail[4];
    FILE *fp = fopen(pq_path("data/alltypes_plain.parquet"), "rb");
    fseek(fp, -8, SEEK_END);
    T_EQ_INT(fread(tail, 1, 4, fp), 4);
    fclose(fp);
    uint64_t data_end =
        size - 8 - (tail[0] | tail[1] << 8 | tail[2] << 16 | (uint64_t)tail[3] << 24);
    (void)footer_start;
    uint64_t prev_hi = 0, total = 0;
    const lh_schema_t *s = lh_pq_schema(f);
    for (int c = 0; c < s->field_count; c++) {
        r.calls = 0;
        r.lo = UINT64_MAX;
        r.hi = 0;
        r.bytes = 0;
        lh_vec_t *v = lh_vec_create(s->fields[c].type, 0);
        T_EQ_INT(lh_pq_read_column(f, 0, c, v, &eb), LH_OK);
        T_EQ_INT(r.calls, 1); /* one read of one range */
        T_CHECK(r.lo >= 4 && r.hi <= data_end);
        T_CHECK(r.lo >= prev_hi); /* chunks are disjoint and in order */
        prev_hi = r.hi;
        total += r.bytes;
        lh_vec_destroy(v);
    }
    T_CHECK(total <= data_end - 4);
    lh_pq_close(f);
}

int main(void)
{
    T_RUN(test_int_stats_and_skipping);
    T_RUN(test_null_counts);
    T_RUN(test_bloom_filters);
    T_RUN(test_reads_only_the_chunk);
    return T_DONE();
}
