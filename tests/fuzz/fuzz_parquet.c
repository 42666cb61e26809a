/*
 * fuzz_parquet.c - libFuzzer target for the Parquet reader: open the input through the
 * memory source, read every flat column, every nested column (as its own type, whose values
 * must validate) and every leaf of every row group, walk every
 * flat column with a cursor (reads and skips of odd sizes, dictionary output, flatten),
 * ask for statistics and a skipping decision, close. Any input must be read or refused
 * cleanly.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/nested.h"
#include "storage/parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk_cursor(lh_pq_file_t *f, int rg, int col, lh_vec_t *v)
{
    lh_pq_cursor_t *c;
    if (lh_pq_cursor_open(f, rg, col, LH_PQ_CURSOR_DICT, &c, NULL) != LH_OK)
        return;
    static const size_t reads[] = {7, 1, 2048, 300};
    static const uint64_t skips[] = {3, 0, 5000, 1};
    for (int step = 0; lh_pq_cursor_rows_left(c) > 0; step++) {
        if (lh_pq_cursor_read(c, reads[step % 4], v, NULL) != LH_OK || lh_vec_flatten(v) != LH_OK ||
            lh_pq_cursor_skip(c, skips[step % 4], NULL) != LH_OK)
            break;
    }
    lh_pq_cursor_close(c);
}

static void read_row_group(lh_pq_file_t *f, int rg)
{
    const lh_schema_t *s = lh_pq_schema(f);
    for (int c = 0; c < s->field_count; c++) {
        lh_vec_t *v = lh_vec_create(s->fields[c].type, 0);
        if (v == NULL)
            return;
        (void)lh_pq_read_column(f, rg, c, v, NULL);
        walk_cursor(f, rg, c, v);
        lh_vec_destroy(v);
        lh_pq_col_stats_t st;
        (void)lh_pq_column_stats(f, rg, c, &st, NULL);
        lh_value_t lit = {.type = s->fields[c].type};
        lh_pq_pred_t p = {.col = c, .op = LH_PQ_EQ, .value_count = 1, .values = &lit};
        (void)lh_pq_row_group_may_match(f, rg, &p, 1);
    }
    for (int c = 0; c < lh_pq_nested_column_count(f); c++) {
        lh_type_t t;
        lh_vec_t *v = NULL;
        if (lh_pq_nested_column_type(f, c, &t, NULL) != LH_OK || (v = lh_vec_create(t, 0)) == NULL)
            continue;
        if (lh_pq_read_nested(f, rg, c, v, NULL) == LH_OK)
            for (size_t r = 0; r < v->count; r++) {
                lh_value_t x;
                lh_vec_get_value(v, r, &x);
                LH_ASSERT(x.is_null || lh_nested_validate(t, x.v.str));
            }
        lh_vec_destroy(v);
    }
    for (int l = 0; l < lh_pq_leaf_count(f); l++) {
        lh_pq_leaf_data_t d;
        if (lh_pq_read_leaf(f, rg, l, &d, NULL) == LH_OK)
            lh_pq_leaf_data_free(&d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lh_byte_source_t src;
    lh_bytes_source_from_memory(data, size, &src);
    lh_pq_file_t *f;
    lh_errbuf eb;
    if (lh_pq_open(&src, &f, &eb) != LH_OK)
        return 0;
    for (int rg = 0; rg < lh_pq_row_group_count(f); rg++)
        read_row_group(f, rg);
    lh_pq_close(f);
    return 0;
}
