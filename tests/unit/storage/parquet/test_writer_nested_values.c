/*
 * test_writer_nested_values.c - ARRAY, MAP and STRUCT columns through the flat writer
 * (pq_write_shred.c) and back through lh_pq_read_nested: NULLs at every level, empty lists
 * and maps, lists of lists, maps of structs, wide decimals, non-nullable columns, selection
 * vectors, several row groups; the schema the writer declares (three-level LIST, MAP with a
 * required key) and its summary (a nested column's NULL rows, leaf statistics).
 */
#include "nested_text.h"
#include "pq_test_footer.h"
#include "reader_util.h"

#define ROWS 5000

static const lh_type_t I32 = {LH_TYPE_INT}, I64 = {LH_TYPE_LONG}, STR = {LH_TYPE_STRING},
                       D38 = {LH_TYPE_DECIMAL, 30, 4}, F64 = {LH_TYPE_DOUBLE};

typedef struct cols {
    lh_type_t arr, aa, map, st, st_inner;
} cols;

static cols col_types(void)
{
    cols c;
    c.arr = lh_type_array(I32);
    c.aa = lh_type_array(lh_type_array(STR));
    const char *in_names[2] = {"d", "f"};
    lh_type_t in_types[2] = {D38, F64};
    c.st_inner = lh_type_struct(2, in_names, in_types);
    c.map = lh_type_map(STR, c.st_inner);
    const char *names[3] = {"x", "tags", "inner"};
    lh_type_t types[3] = {I64, lh_type_array(STR), c.st_inner};
    c.st = lh_type_struct(3, names, types);
    return c;
}

static lh_value_t v_i(lh_type_t t, int64_t x)
{
    return (lh_value_t){.type = t, .v.i64 = x};
}

static lh_value_t v_null(lh_type_t t)
{
    return (lh_value_t){.type = t, .is_null = true};
}

static lh_value_t v_bytes(lh_type_t t, const lh_nbuf_t *b, size_t at)
{
    return (lh_value_t){.type = t, .v.str = {b->bytes + at, (uint32_t)(b->len - at)}};
}

/* Row r of each column, encoded (NULL rows marked). Every value's shape depends on r. */
static void append_row(lh_batch_t *b, const cols *c, int64_t r)
{
    lh_nbuf_t nb = {0}, tmp = {0};
    char s[32];
    /* arr: NULL every 7th, [] every 5th, else [r, NULL, 2r] */
    if (r % 7 == 0) {
        lh_vec_append_null(b->cols[0]);
    } else {
        lh_value_t e[3] = {v_i(I32, r), v_null(I32), v_i(I32, 2 * r)};
        lh_nested_put_array(&nb, I32, e, r % 5 == 0 ? 0 : 3);
        lh_vec_append_str(b->cols[0], nb.bytes, nb.len);
    }
    /* aa (not nullable): [["s<r>"], NULL, []] or [] */
    nb.len = 0;
    lh_value_t inner[1] = {
        {.type = STR,
         .v.str = {(const uint8_t *)s, (uint32_t)snprintf(s, sizeof s, "s%lld", (long long)r)}}};
    lh_nested_put_array(&tmp, STR, inner, 1);
    size_t empty_at = tmp.len;
    lh_nested_put_array(&tmp, STR, NULL, 0);
    lh_value_t outer[3] = {{.type = lh_type_array(STR), .v.str = {tmp.bytes, (uint32_t)empty_at}},
                           v_null(lh_type_array(STR)),
                           {.type = lh_type_array(STR),
                            .v.str = {tmp.bytes + empty_at, (uint32_t)(tmp.len - empty_at)}}};
    lh_nested_put_array(&nb, lh_type_array(STR), outer, r % 2 ? 3 : 0);
    lh_vec_append_str(b->cols[1], nb.bytes, nb.len);
    /* map: NULL every 11th; {"k": {d, f}, "n": NULL} */
    nb.len = tmp.len = 0;
    if (r % 11 == 0) {
        lh_vec_append_null(b->cols[2]);
    } else {
        lh_value_t f[2] = {{.type = D38, .v.i128 = (lh_i128)r * 1000000000000000LL},
                           {.type = F64, .v.f64 = (double)r / 4}};
        lh_nested_put_struct(&tmp, c->st_inner, f);
        lh_value_t keys[2] = {{.type = STR, .v.str = {(const uint8_t *)"k", 1}},
                              {.type = STR, .v.str = {(const uint8_t *)"n", 1}}};
        lh_value_t vals[2] = {v_bytes(c->st_inner, &tmp, 0), v_null(c->st_inner)};
        lh_nested_put_map(&nb, c->map, keys, vals, r % 3 == 0 ? 1 : 2);
        lh_vec_append_str(b->cols[2], nb.bytes, nb.len);
    }
    /* st: NULL every 13th; {x: r or NULL, tags: [..] or NULL, inner: NULL or {NULL, r}} */
    nb.len = tmp.len = 0;
    if (r % 13 == 0) {
        lh_vec_append_null(b->cols[3]);
    } else {
        lh_value_t tags[2] = {{.type = STR, .v.str = {(const uint8_t *)"t", 1}}, v_null(STR)};
        lh_nested_put_array(&tmp, STR, tags, 2);
        size_t in_at = tmp.len;
        lh_value_t f[2] = {v_null(D38), {.type = F64, .v.f64 = (double)r}};
        lh_nested_put_struct(&tmp, c->st_inner, f);
        lh_value_t fields[3] = {
            r % 4 == 0 ? v_null(I64) : v_i(I64, r),
            r % 6 == 0
                ? v_null(lh_type_array(STR))
                : (lh_value_t){.type = lh_type_array(STR), .v.str = {tmp.bytes, (uint32_t)in_at}},
            r % 3 == 0 ? v_null(c->st_inner)
                       : (lh_value_t){.type = c->st_inner,
                                      .v.str = {tmp.bytes + in_at, (uint32_t)(tmp.len - in_at)}}};
        lh_nested_put_struct(&nb, c->st, fields);
        lh_vec_append_str(b->cols[3], nb.bytes, nb.len);
    }
    lh_nbuf_free(&nb);
    lh_nbuf_free(&tmp);
}

static lh_schema_t *make_schema(const cols *c)
{
    lh_schema_t *s = lh_schema_create(4);
    lh_schema_set(s, 0, "arr", c->arr, true);
    lh_schema_set(s, 1, "aa", c->aa, false);
    lh_schema_set(s, 2, "map", c->map, true);
    lh_schema_set(s, 3, "st", c->st, true);
    return s;
}

static void test_roundtrip(void)
{
    cols c = col_types();
    lh_schema_t *s = make_schema(&c);
    lh_byte_buf_t buf = {0};
    lh_pq_write_opts_t o;
    lh_pq_write_opts_default(&o);
    o.row_group_rows = 1500; /* several row groups, cut inside batches */
    lh_pq_writer_t *w;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_writer_create(s, &o, lh_bytes_sink_to_memory(&buf), &w, &eb), LH_OK);
    lh_batch_t *b = lh_batch_create(s, LH_BATCH_ROWS);
    for (int64_t r0 = 0; r0 < ROWS; r0 += 1000) {
        lh_batch_reset(b);
        for (int64_t r = r0; r < r0 + 1000 && r < ROWS; r++)
            append_row(b, &c, r);
        b->row_count = b->cols[0]->count;
        lh_err e = lh_pq_writer_write_batch(w, b, &eb);
        if (e != LH_OK)
            fprintf(stderr, "  write: %s\n", eb.msg);
        T_EQ_INT(e, LH_OK);
    }
    lh_pq_file_summary_t sum;
    T_EQ_INT(lh_pq_writer_finish(w, &sum, &eb), LH_OK);
    /* per column: a nested column's NULL rows; per leaf: its values' statistics */
    T_EQ_INT(sum.col_count, 4);
    T_EQ_INT(sum.cols[0].null_count, (ROWS + 6) / 7);
    T_EQ_INT(sum.cols[1].null_count, 0);
    T_EQ_INT(sum.cols[3].null_count, (ROWS + 12) / 13);
    T_CHECK(!sum.cols[0].has_min_max);
    T_EQ_INT(sum.leaf_count, 1 + 1 + 3 + 4);
    T_CHECK(sum.leaves[8].has_min_max); /* st.inner.f */
    T_CHECK(sum.leaves[8].max.v.f64 == ROWS - 1);
    lh_pq_writer_destroy(w);

    lh_byte_source_t src;
    lh_bytes_source_from_memory(buf.bytes, buf.len, &src);
    lh_pq_file_t *f = NULL;
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    T_EQ_INT(lh_pq_nested_column_count(f), 4);
    T_CHECK(lh_pq_row_group_count(f) >= 4);
    /* the file's own shapes read as the written types */
    for (int i = 0; i < 4; i++) {
        lh_type_t t;
        T_EQ_INT(lh_pq_nested_column_type(f, i, &t, &eb), LH_OK);
        T_CHECK(lh_type_equal(t, s->fields[i].type));
    }
    lh_pq_leaf_info_t li;
    T_EQ_INT(lh_pq_leaf_get_info(f, 0, &li, &eb), LH_OK);
    T_EQ_STR(li.path, "arr.list.element");
    T_EQ_INT(li.max_def, 3);
    T_EQ_INT(lh_pq_leaf_get_info(f, 2, &li, &eb), LH_OK);
    T_EQ_STR(li.path, "map.key_value.key");
    T_EQ_INT(li.max_def, 2);
    /* every row back, value for value */
    lh_batch_t *want = lh_batch_create(s, ROWS);
    for (int64_t r = 0; r < ROWS; r++)
        append_row(want, &c, r);
    int64_t row = 0;
    int bad = 0;
    for (int rg = 0; rg < lh_pq_row_group_count(f); rg++) {
        lh_vec_t *got[4];
        for (int i = 0; i < 4; i++) {
            got[i] = lh_vec_create(s->fields[i].type, 0);
            T_EQ_INT(lh_pq_read_nested(f, rg, i, got[i], &eb), LH_OK);
        }
        for (size_t k = 0; k < got[0]->count; k++, row++)
            for (int i = 0; i < 4; i++) {
                ntext x, y;
                const char *a = nt_row(&x, got[i], k), *e = nt_row(&y, want->cols[i], (size_t)row);
                if (strcmp(a, e) != 0 && bad++ < 5)
                    fprintf(stderr, "  row %lld col %d: %s, want %s\n", (long long)row, i, a, e);
            }
        for (int i = 0; i < 4; i++)
            lh_vec_destroy(got[i]);
    }
    T_EQ_INT(row, ROWS);
    T_EQ_INT(bad, 0);
    lh_pq_close(f);
    lh_batch_destroy(want);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
    free(buf.bytes);
}

/* A selection vector picks rows; a NULL in the non-nullable column is refused. */
static void test_selection_and_nulls(void)
{
    cols c = col_types();
    lh_schema_t *s = make_schema(&c);
    lh_byte_buf_t buf = {0};
    lh_pq_writer_t *w;
    lh_errbuf eb = {0};
    T_EQ_INT(lh_pq_writer_create(s, NULL, lh_bytes_sink_to_memory(&buf), &w, &eb), LH_OK);
    lh_batch_t *b = lh_batch_create(s, 16);
    for (int64_t r = 0; r < 10; r++)
        append_row(b, &c, r);
    uint32_t sel[3] = {9, 2, 7};
    for (int i = 0; i < 4; i++) {
        b->cols[i]->sel = sel;
        b->cols[i]->sel_count = 3;
    }
    b->row_count = 3;
    T_EQ_INT(lh_pq_writer_write_batch(w, b, &eb), LH_OK);
    lh_pq_file_summary_t sum;
    T_EQ_INT(lh_pq_writer_finish(w, &sum, &eb), LH_OK);
    T_EQ_INT(sum.cols[0].null_count, 1); /* row 7 */
    lh_pq_writer_destroy(w);
    lh_byte_source_t src;
    lh_bytes_source_from_memory(buf.bytes, buf.len, &src);
    lh_pq_file_t *f = NULL;
    T_EQ_INT(lh_pq_open(&src, &f, &eb), LH_OK);
    lh_vec_t *got = lh_vec_create(c.arr, 0);
    T_EQ_INT(lh_pq_read_nested(f, 0, 0, got, &eb), LH_OK);
    ntext nt;
    T_EQ_STR(nt_row(&nt, got, 0), "[9,null,18]");
    T_EQ_STR(nt_row(&nt, got, 1), "[2,null,4]");
    T_EQ_STR(nt_row(&nt, got, 2), "null");
    lh_vec_destroy(got);
    lh_pq_close(f);
    for (int i = 0; i < 4; i++)
        b->cols[i]->sel = NULL;

    free(buf.bytes);
    buf = (lh_byte_buf_t){0};
    T_EQ_INT(lh_pq_writer_create(s, NULL, lh_bytes_sink_to_memory(&buf), &w, &eb), LH_OK);
    lh_batch_reset(b);
    append_row(b, &c, 1);
    lh_vec_set_null(b->cols[1], 0, true);
    b->row_count = 1;
    T_EQ_INT(lh_pq_writer_write_batch(w, b, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "aa") != NULL);
    lh_pq_writer_destroy(w);
    free(buf.bytes);
    lh_batch_destroy(b);
    lh_schema_destroy(s);
}

int main(void)
{
    T_RUN(test_roundtrip);
    T_RUN(test_selection_and_nulls);
    return T_DONE();
}
