/*
 * test_writer_roundtrip.c - files from our writer read back through our reader: every
 * flat type with nulls across row groups, pages and a dictionary fallback; statistics
 * and bloom filters as the reader sees them; nested leaves with their levels.
 */
#include <math.h>
#include <stdio.h>

#include "pq_test_footer.h"
#include "pq_test_nested.h"
#include "t.h"

#define RT_ROWS 7000

static const lh_type_t rt_types[] = {
    {LH_TYPE_BOOLEAN, 0, 0}, {LH_TYPE_BYTE, 0, 0},      {LH_TYPE_SHORT, 0, 0},
    {LH_TYPE_INT, 0, 0},     {LH_TYPE_LONG, 0, 0},      {LH_TYPE_FLOAT, 0, 0},
    {LH_TYPE_DOUBLE, 0, 0},  {LH_TYPE_STRING, 0, 0},    {LH_TYPE_BINARY, 0, 0},
    {LH_TYPE_DATE, 0, 0},    {LH_TYPE_TIMESTAMP, 0, 0}, {LH_TYPE_TIMESTAMP_NTZ, 0, 0},
    {LH_TYPE_DECIMAL, 7, 2}, {LH_TYPE_DECIMAL, 15, 3},  {LH_TYPE_DECIMAL, 33, 5},
};
#define RT_COLS ((int)(sizeof rt_types / sizeof rt_types[0]))

static bool rt_null(int c, int64_t r)
{
    return (r * 13 + c) % 9 == 0;
}

static void rt_append(lh_vec_t *v, int c, int64_t r)
{
    char buf[32];
    if (rt_null(c, r)) {
        lh_vec_append_null(v);
        return;
    }
    int64_t x = (r * 2654435761LL) % 100000 - 50000;
    switch (rt_types[c].id) {
    case LH_TYPE_BOOLEAN:
        lh_vec_append_bool(v, x & 1);
        break;
    case LH_TYPE_BYTE:
        lh_vec_append_i64(v, x % 128);
        break;
    case LH_TYPE_SHORT:
        lh_vec_append_i64(v, x % 30000);
        break;
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        lh_vec_append_f64(v, (double)x / 8);
        break;
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        lh_vec_append_str(
            v, buf,
            (size_t)snprintf(buf, sizeof buf, "v%lld", (long long)(x % (c == 7 ? 50 : 100000))));
        break;
    case LH_TYPE_DECIMAL:
        if (rt_types[c].precision > 18)
            lh_vec_append_i128(v, (lh_i128)x * 1000000000000000000LL * 1000);
        else
            lh_vec_append_i64(v, x * (rt_types[c].precision > 9 ? 1000000 : 1));
        break;
    default:
        lh_vec_append_i64(v, x * (rt_types[c].id == LH_TYPE_TIMESTAMP ? 1000003 : 1));
        break;
    }
}

static bool same(const lh_vec_t *a, size_t i, const lh_vec_t *b, size_t j)
{
    if (lh_vec_is_valid(a, i) != lh_vec_is_valid(b, j))
        return false;
    if (!lh_vec_is_valid(a, i))
        return true;
    lh_value_t x = {.type = a->type}, y = {.type = b->type};
    switch (a->type.id) {
    case LH_TYPE_FLOAT:
    case LH_TYPE_DOUBLE:
        return lh_vec_get_f64(a, i) == lh_vec_get_f64(b, j);
    case LH_TYPE_STRING:
    case LH_TYPE_BINARY:
        x.v.str = ((const lh_sv_t *)a->data)[i];
        y.v.str = ((const lh_sv_t *)b->data)[j];
        return lh_value_compare(&x, &y) == 0;
    case LH_TYPE_DECIMAL:
        if (a->type.precision > 18)
            return ((const lh_i128 *)a->data)[i] == ((const lh_i128 *)b->data)[j];
        return lh_vec_get_i64(a, i) == lh_vec_get_i64(b, j);
    default:
        return lh_vec_get_i64(a, i) == lh_vec_get_i64(b, j);
    }
}

static lh_pq_file_t *open_mem(const mem_sink_t *m)
{
    lh_byte_source_t src;
    lh_bytes_source_from_memory(m->data, m->len, &src);
    lh_pq_file_t *f = NULL;
    lh_errbuf eb = {0};
    if (lh_pq_open(&src, &f, &eb) != LH_OK)
        fprintf(stderr, "  open: %s\n", eb.msg);
    return f;
}

static void test_flat_roundtrip(void)
{
    lh_schema_t *s = lh_schema_create(RT_COLS);
    char name[8];
    for (int c = 0; c < RT_COLS; c++) {
        snprintf(name, sizeof name, "c%d", c);
        lh_schema_set(s, c, name, rt_types[c], true);
    }
    lh_batch_t *all = lh_batch_create(s, RT_ROWS);
    for (int c = 0; c < RT_COLS; c++)
        for (int64_t r = 0; r < RT_ROWS; r++)
            rt_append(all->cols[c], c, r);
    all->row_count = RT_ROWS;
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.row_group_rows = 3000;
    o.page_bytes = 2048;
    o.dict_bytes_max = 4096;
    const char *bloom[] = {"c7", "c4"};
    o.bloom_columns = bloom;
    o.bloom_column_count = 2;
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_writer_create(s, &o, mem_sink(&m), &w, &eb), LH_OK);
    /* write it in uneven batches through selection vectors over the big batch */
    uint32_t *sel = malloc(RT_ROWS * sizeof *sel);
    for (int64_t r = 0; r < RT_ROWS; r++)
        sel[r] = (uint32_t)r;
    size_t pos = 0, step = 1;
    while (pos < RT_ROWS) {
        size_t n = step < RT_ROWS - pos ? step : RT_ROWS - pos;
        for (int c = 0; c < RT_COLS; c++) {
            all->cols[c]->sel = sel + pos;
            all->cols[c]->sel_count = n;
        }
        lh_batch_t b = {RT_COLS, all->cols, n};
        T_EQ_INT(lh_pq_writer_write_batch(w, &b, &eb), LH_OK);
        pos += n;
        step = step * 3 + 1;
    }
    for (int c = 0; c < RT_COLS; c++)
        all->cols[c]->sel = NULL, all->cols[c]->sel_count = 0;
    lh_pq_file_summary_t sum;
    T_EQ_INT(lh_pq_writer_finish(w, &sum, &eb), LH_OK);
    lh_pq_file_t *f = open_mem(&m);
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    T_EQ_INT(lh_pq_num_rows(f), RT_ROWS);
    T_EQ_INT(lh_pq_row_group_count(f), 3);
    T_EQ_STR(lh_pq_created_by(f), o.created_by);
    const lh_schema_t *rs = lh_pq_schema(f);
    T_EQ_INT(rs->field_count, RT_COLS);
    for (int c = 0; c < RT_COLS && c < rs->field_count; c++) {
        T_CHECK(lh_type_equal(rs->fields[c].type, rt_types[c]));
        size_t base = 0;
        int bad = 0;
        for (int rg = 0; rg < lh_pq_row_group_count(f); rg++) {
            lh_vec_t *v = lh_vec_create(rt_types[c], 16);
            T_EQ_INT(lh_pq_read_column(f, rg, c, v, &eb), LH_OK);
            T_EQ_INT(v->count, lh_pq_row_group_num_rows(f, rg));
            for (size_t i = 0; i < v->count && !bad; i++)
                if (!same(v, i, all->cols[c], base + i)) {
                    fprintf(stderr, "  column %d row %zu differs\n", c, base + i);
                    bad = 1;
                }
            base += v->count;
            lh_pq_col_stats_t st;
            T_EQ_INT(lh_pq_column_stats(f, rg, c, &st, &eb), LH_OK);
            T_CHECK(st.has_null_count && st.null_count > 0);
            T_CHECK(st.has_min_max);
            lh_vec_destroy(v);
        }
        T_CHECK(!bad);
        T_EQ_INT(sum.cols[c].value_count, RT_ROWS);
    }
    /* bloom filters: present where asked, and they reject an absent value */
    T_CHECK(lh_pq_has_bloom_filter(f, 0, 7));
    T_CHECK(!lh_pq_has_bloom_filter(f, 0, 8));
    lh_value_t absent = {.type = rt_types[7], .v.str = {(const uint8_t *)"nope", 4}};
    lh_value_t present = {.type = rt_types[7], .v.str = {(const uint8_t *)"v7", 2}};
    lh_pq_pred_t p = {7, LH_PQ_EQ, 1, &absent};
    T_CHECK(!lh_pq_row_group_may_match(f, 0, &p, 1));
    p.values = &present;
    T_CHECK(lh_pq_row_group_may_match(f, 0, &p, 1));
    lh_pq_close(f);
    lh_pq_writer_destroy(w);
    free(sel);
    free(m.data);
    lh_batch_destroy(all);
    lh_schema_destroy(s);
}

static void test_nested_roundtrip(void)
{
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    lh_pq_leaf_data_t leaves[CK_LEAVES];
    ck_build(leaves, 700);
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.page_bytes = 256;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_writer_create_nested(&ck_root, &o, mem_sink(&m), &w, &eb), LH_OK);
    T_EQ_INT(lh_pq_writer_write_leaves(w, 2800, leaves, CK_LEAVES, &eb), LH_OK);
    T_EQ_INT(lh_pq_writer_finish(w, NULL, &eb), LH_OK);
    lh_pq_file_t *f = open_mem(&m);
    T_CHECK(f != NULL);
    if (f == NULL)
        return;
    T_EQ_INT(lh_pq_leaf_count(f), CK_LEAVES);
    T_EQ_INT(lh_pq_nested_column_count(f), 2);
    static const struct {
        const char *path;
        int def, rep;
    } want[CK_LEAVES] = {
        {"add.path", 2, 0},
        {"add.partitionValues.key_value.key", 3, 1},
        {"add.partitionValues.key_value.value", 4, 1},
        {"add.size", 2, 0},
        {"metaData.partitionColumns.list.element", 4, 1},
    };
    for (int l = 0; l < CK_LEAVES; l++) {
        lh_pq_leaf_info_t info;
        T_EQ_INT(lh_pq_leaf_get_info(f, l, &info, &eb), LH_OK);
        T_EQ_STR(info.path, want[l].path);
        T_EQ_INT(info.max_def, want[l].def);
        T_EQ_INT(info.max_rep, want[l].rep);
        lh_pq_leaf_data_t d = {0};
        T_EQ_INT(lh_pq_read_leaf(f, 0, l, &d, &eb), LH_OK);
        T_EQ_INT(d.level_count, leaves[l].level_count);
        T_CHECK(d.level_count == leaves[l].level_count &&
                !memcmp(d.def, leaves[l].def, d.level_count * 2));
        if (want[l].rep)
            T_CHECK(d.level_count == leaves[l].level_count && d.rep != NULL &&
                    !memcmp(d.rep, leaves[l].rep, d.level_count * 2));
        T_EQ_INT(d.values->count, leaves[l].values->count);
        int bad = 0;
        for (size_t i = 0; i < d.values->count && i < leaves[l].values->count; i++)
            bad |= !same(d.values, i, leaves[l].values, i);
        T_CHECK(!bad);
        lh_pq_leaf_data_free(&d);
    }
    lh_pq_close(f);
    lh_pq_writer_destroy(w);
    ck_free(leaves);
    free(m.data);
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* One random file: random columns (type, nullability, value range, null rate), rows,
 * batch sizes and options; the reader must give back every value. */
static int random_case(uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
    int ncols = 1 + (int)(rnd(&x) % 5);
    lh_schema_t *s = lh_schema_create(ncols);
    int null_pct[5];
    uint64_t range[5];
    char name[16];
    for (int c = 0; c < ncols; c++) {
        snprintf(name, sizeof name, "r%d", c);
        lh_type_t t = rt_types[rnd(&x) % RT_COLS];
        bool nullable = rnd(&x) % 3 != 0;
        lh_schema_set(s, c, name, t, nullable);
        null_pct[c] = nullable ? (int)(rnd(&x) % 4) * 33 : 0;
        range[c] = rnd(&x) % 3 == 0 ? 3 : 1 + rnd(&x) % 100000;
    }
    size_t rows = (size_t)(rnd(&x) % 6000);
    lh_batch_t *all = lh_batch_create(s, rows + 1);
    char buf[48];
    for (int c = 0; c < ncols; c++) {
        lh_vec_t *v = all->cols[c];
        for (size_t r = 0; r < rows; r++) {
            uint64_t k = rnd(&x);
            if ((int)(k % 100) < null_pct[c]) {
                lh_vec_append_null(v);
                continue;
            }
            int64_t val = (int64_t)((k >> 8) % range[c]) - (int64_t)(range[c] / 2);
            switch (v->type.id) {
            case LH_TYPE_BOOLEAN:
                lh_vec_append_bool(v, val & 1);
                break;
            case LH_TYPE_BYTE:
                lh_vec_append_i64(v, val % 128);
                break;
            case LH_TYPE_SHORT:
                lh_vec_append_i64(v, val % 32768);
                break;
            case LH_TYPE_FLOAT:
            case LH_TYPE_DOUBLE:
                lh_vec_append_f64(v, (double)val / 4);
                break;
            case LH_TYPE_STRING:
            case LH_TYPE_BINARY:
                lh_vec_append_str(v, buf,
                                  (size_t)snprintf(buf, sizeof buf, "%lld%.*s", (long long)val,
                                                   (int)(k % 30),
                                                   "abcdefghijklmnopqrstuvwxyz0123"));
                break;
            case LH_TYPE_DECIMAL:
                if (v->type.precision > 18)
                    lh_vec_append_i128(v, (lh_i128)val * 1000000000000LL);
                else
                    lh_vec_append_i64(v, val % 10000000);
                break;
            default:
                lh_vec_append_i64(v, val);
                break;
            }
        }
    }
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    static const lh_pq_codec codecs[] = {LH_PQ_CODEC_ZSTD, LH_PQ_CODEC_SNAPPY, LH_PQ_CODEC_GZIP,
                                         LH_PQ_CODEC_UNCOMPRESSED};
    o.codec = codecs[rnd(&x) % 4];
    o.page_bytes = 16 + rnd(&x) % 8192;
    o.dict_bytes_max = 16 + rnd(&x) % 16384;
    o.dictionary = rnd(&x) % 4 != 0;
    o.row_group_rows = 1 + rnd(&x) % 4000;
    mem_sink_t m = {0};
    lh_pq_writer_t *w = NULL;
    int bad = lh_pq_writer_create(s, &o, mem_sink(&m), &w, NULL) != LH_OK;
    size_t pos = 0;
    while (!bad && pos < rows) {
        size_t n = 1 + rnd(&x) % 3000;
        n = n < rows - pos ? n : rows - pos;
        lh_batch_t b = {ncols, all->cols, n};
        uint32_t *sel = malloc(n * sizeof *sel);
        for (size_t i = 0; i < n; i++)
            sel[i] = (uint32_t)(pos + i);
        for (int c = 0; c < ncols; c++)
            all->cols[c]->sel = sel, all->cols[c]->sel_count = n;
        bad |= lh_pq_writer_write_batch(w, &b, NULL) != LH_OK;
        for (int c = 0; c < ncols; c++)
            all->cols[c]->sel = NULL, all->cols[c]->sel_count = 0;
        free(sel);
        pos += n;
    }
    bad |= !bad && lh_pq_writer_finish(w, NULL, NULL) != LH_OK;
    lh_pq_file_t *f = bad ? NULL : open_mem(&m);
    bad |= f == NULL || lh_pq_num_rows(f) != (int64_t)rows;
    for (int c = 0; !bad && c < ncols; c++) {
        size_t base = 0;
        for (int rg = 0; !bad && rg < lh_pq_row_group_count(f); rg++) {
            lh_vec_t *v = lh_vec_create(s->fields[c].type, 16);
            bad |= lh_pq_read_column(f, rg, c, v, NULL) != LH_OK;
            for (size_t i = 0; !bad && i < v->count; i++)
                bad |= !same(v, i, all->cols[c], base + i);
            base += v->count;
            lh_vec_destroy(v);
        }
        bad |= base != rows;
    }
    if (bad)
        fprintf(stderr, "  random case %llu failed\n", (unsigned long long)seed);
    lh_pq_close(f);
    lh_pq_writer_destroy(w);
    free(m.data);
    lh_batch_destroy(all);
    lh_schema_destroy(s);
    return bad;
}

static void test_random_roundtrip(void)
{
    int failed = 0;
    for (uint64_t seed = 1; seed <= 150; seed++)
        failed += random_case(seed);
    T_EQ_INT(failed, 0);
}

int main(void)
{
    T_RUN(test_random_roundtrip);
    T_RUN(test_flat_roundtrip);
    T_RUN(test_nested_roundtrip);
    return T_DONE();
}
