/*
 * test_writer_nested.c - the nested writer (Delta checkpoint shapes): schema elements with
 * LIST/MAP annotations, derived max levels, level and value checks, page splits on record
 * boundaries, and the error paths.
 */
#include <stdio.h>

#include "pq_test_footer.h"
#include "pq_test_nested.h"
#include "t.h"

static void test_schema_and_chunks(void)
{
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_pq_leaf_data_t leaves[CK_LEAVES];
    ck_build(leaves, 3);
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_writer_create_nested(&ck_root, NULL, mem_sink(&m), &w, &eb), LH_OK);
    T_EQ_INT(lh_pq_writer_write_leaves(w, 12, leaves, CK_LEAVES, &eb), LH_OK);
    T_EQ_INT(lh_pq_writer_write_leaves(w, 12, leaves, CK_LEAVES, &eb), LH_OK);
    lh_pq_file_summary_t sum;
    T_EQ_INT(lh_pq_writer_finish(w, &sum, &eb), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    tval_t v;
    T_CHECK(tq_skip_struct(f, f + n) == f + n);
    T_EQ_INT(tq_i(f, n, "3"), 24);
    T_CHECK(tq(f, n, "2", &v) && v.size == 12);
    T_CHECK(tq(f, n, "2.0.4", &v) && v.len == 12 && !memcmp(v.bin, "spark_schema", 12));
    T_EQ_INT(tq_i(f, n, "2.0.5"), 2);
    T_EQ_INT(tq_i(f, n, "2.1.5"), 3); /* add */
    T_EQ_INT(tq_i(f, n, "2.1.3"), 1);
    T_CHECK(!tq(f, n, "2.1.1", &v));  /* groups have no type */
    T_EQ_INT(tq_i(f, n, "2.3.6"), 1); /* partitionValues: MAP + logicalType MAP{} */
    T_CHECK(tq(f, n, "2.3.10.2", &v) && v.type == 12);
    T_EQ_INT(tq_i(f, n, "2.4.3"), 2); /* key_value repeated, unannotated */
    T_CHECK(!tq(f, n, "2.4.6", &v));
    T_EQ_INT(tq_i(f, n, "2.5.3"), 0); /* key required */
    T_EQ_INT(tq_i(f, n, "2.5.6"), 0); /* UTF8 */
    T_EQ_INT(tq_i(f, n, "2.9.6"), 3); /* partitionColumns: LIST + LIST{} */
    T_CHECK(tq(f, n, "2.9.10.3", &v) && v.type == 12);
    T_EQ_INT(tq_i(f, n, "2.11.1"), 6); /* element BYTE_ARRAY */
    T_CHECK(tq(f, n, "7", &v) && v.size == 5);
    T_CHECK(tq(f, n, "4", &v) && v.size == 2);
    /* path_in_schema and level counts */
    static const char *const key_path[] = {"add", "partitionValues", "key_value", "key"};
    for (int i = 0; i < 4; i++) {
        char p[32];
        snprintf(p, sizeof p, "4.0.1.1.3.3.%d", i);
        T_CHECK(tq(f, n, p, &v) && v.len == strlen(key_path[i]) &&
                !memcmp(v.bin, key_path[i], v.len));
    }
    T_EQ_INT(tq_i(f, n, "4.0.1.1.3.5"), 15);
    T_EQ_INT(tq_i(f, n, "4.1.1.4.3.5"), 15);
    T_EQ_INT(tq_i(f, n, "4.0.1.0.3.12.3"), 6); /* add.path nulls: 2 per copy */
    T_EQ_INT(tq_i(f, n, "4.0.1.2.3.12.3"), 12);
    T_EQ_INT(sum.num_rows, 24);
    T_EQ_INT(sum.col_count, 5);
    T_EQ_INT(sum.cols[3].min.v.i64, 5);
    T_EQ_INT(sum.cols[3].max.v.i64, 12);
    lh_pq_writer_destroy(w);
    ck_free(leaves);
    free(m.data);
}

/* Many records with tiny pages: pages split only where rep == 0. */
static void test_many_pages(void)
{
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.page_bytes = 64;
    o.codec = LH_PQ_CODEC_UNCOMPRESSED;
    lh_pq_leaf_data_t leaves[CK_LEAVES];
    ck_build(leaves, 5000);
    T_EQ_INT(lh_pq_writer_create_nested(&ck_root, &o, mem_sink(&m), &w, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_write_leaves(w, 20000, leaves, CK_LEAVES, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, NULL, NULL), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    /* walk the key chunk's pages: each page's first rep level is 0 */
    int64_t at = tq_i(f, n, "4.0.1.1.3.11");
    int64_t end = at + tq_i(f, n, "4.0.1.1.3.7");
    int pages = 0, levels = 0;
    while (at < end) {
        const uint8_t *h = m.data + at;
        tval_t v;
        T_CHECK(tq(h, (size_t)(end - at), "3", &v));
        const uint8_t *body = tq_skip_struct(h, m.data + end);
        int64_t size = v.i;
        if (tq_i(h, (size_t)(end - at), "1") == 0) {
            pages++;
            levels += (int)tq_i(h, (size_t)(end - at), "5.1");
            /* rep section: u32 length, then a hybrid run whose first value must be 0 */
            const uint8_t *r = body + 4;
            uint64_t hd = tq_uleb(&r, m.data + end);
            T_CHECK(r != NULL && hd != 0);
            if (r != NULL) /* bit width 1: the first value is the low bit of the next byte */
                T_EQ_INT(r[0] & 1, 0);
        }
        at = (body - m.data) + size;
    }
    T_CHECK(pages > 10);
    T_EQ_INT(levels, 25000);
    lh_pq_writer_destroy(w);
    ck_free(leaves);
    free(m.data);
}

static void test_level_errors(void)
{
    lh_pq_leaf_data_t leaves[CK_LEAVES];
    ck_build(leaves, 1);
    lh_errbuf eb = {0};
    for (int k = 0; k < 4; k++) {
        mem_sink_t m = {0};
        lh_pq_writer_t *w = NULL;
        T_EQ_INT(lh_pq_writer_create_nested(&ck_root, NULL, mem_sink(&m), &w, &eb), LH_OK);
        lh_err e;
        if (k == 0) { /* wrong record count */
            e = lh_pq_writer_write_leaves(w, 5, leaves, CK_LEAVES, &eb);
        } else if (k == 1) { /* a defined level without its value */
            leaves[2].def[1] = 4;
            e = lh_pq_writer_write_leaves(w, 4, leaves, CK_LEAVES, &eb);
            leaves[2].def[1] = 3;
        } else if (k == 2) { /* a level beyond max_def */
            leaves[0].def[1] = 3;
            e = lh_pq_writer_write_leaves(w, 4, leaves, CK_LEAVES, &eb);
            leaves[0].def[1] = 0;
        } else { /* missing leaves */
            e = lh_pq_writer_write_leaves(w, 4, leaves, CK_LEAVES - 1, &eb);
        }
        T_EQ_INT(e, LH_E_INVALID);
        T_EQ_INT(lh_pq_writer_finish(w, NULL, &eb), LH_E_STATE);
        lh_pq_writer_destroy(w);
        free(m.data);
    }
    /* flat and nested calls do not mix */
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    T_EQ_INT(lh_pq_writer_create_nested(&ck_root, NULL, mem_sink(&m), &w, &eb), LH_OK);
    lh_batch_t b = {0};
    T_EQ_INT(lh_pq_writer_write_batch(w, &b, &eb), LH_E_STATE);
    lh_pq_writer_destroy(w);
    /* a group without children is refused */
    lh_pq_node_t bad_top[] = {{"g", 1, 0, NULL, {LH_TYPE_NULL, 0, 0}, LH_PQ_ANNOT_NONE}};
    lh_pq_node_t bad = {"schema", 0, 1, bad_top, {0, 0, 0}, LH_PQ_ANNOT_NONE};
    T_CHECK(lh_pq_writer_create_nested(&bad, NULL, mem_sink(&m), &w, &eb) != LH_OK);
    free(m.data);
    ck_free(leaves);
}

static void test_nested_bloom(void)
{
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    const char *bad[] = {"add.nope"};
    o.bloom_columns = bad;
    o.bloom_column_count = 1;
    T_EQ_INT(lh_pq_writer_create_nested(&ck_root, &o, mem_sink(&m), &w, NULL), LH_E_INVALID);
    const char *good[] = {"add.partitionValues.key_value.key"};
    o.bloom_columns = good;
    T_EQ_INT(lh_pq_writer_create_nested(&ck_root, &o, mem_sink(&m), &w, NULL), LH_OK);
    lh_pq_leaf_data_t leaves[CK_LEAVES];
    ck_build(leaves, 2);
    T_EQ_INT(lh_pq_writer_write_leaves(w, 8, leaves, CK_LEAVES, NULL), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, NULL, NULL), LH_OK);
    size_t n;
    const uint8_t *f = footer_of(&m, &n);
    T_CHECK(tq_i(f, n, "4.0.1.1.3.14") > 0);
    T_CHECK(tq_i(f, n, "4.0.1.0.3.14") == INT64_MIN);
    lh_pq_writer_destroy(w);
    ck_free(leaves);
    free(m.data);
}

int main(void)
{
    T_RUN(test_nested_bloom);
    T_RUN(test_schema_and_chunks);
    T_RUN(test_many_pages);
    T_RUN(test_level_errors);
    return T_DONE();
}
