/*
 * test_golden_data.c - reading rows of golden tables through lh_delta_reader.
 *   data-reader-primitives: rows i = 0..9 where every column derives from i
 *     (long/byte/short/float/double = i, boolean = i even, string = "i", binary = {i,i},
 *     decimal(1,0) = i), plus one all-null row.
 *   basic-decimal-table: one row per file; the add stats hold each file's exact values.
 */
#include "common/nested.h"
#include "golden.h"

typedef struct prim_acc {
    int rows, nulls, bad;
    int seen[10];
} prim_acc_t;

static void check_prim_row(const lh_batch_t *b, size_t r, prim_acc_t *acc)
{
    if (!lh_vec_is_valid(b->cols[0], r)) {
        acc->nulls++;
        for (int c = 0; c < b->col_count; c++)
            acc->bad += lh_vec_is_valid(b->cols[c], r);
        return;
    }
    int64_t i = lh_vec_get_i64(b->cols[0], r);
    if (i < 0 || i > 9) {
        acc->bad++;
        return;
    }
    acc->seen[i]++;
    for (int c = 1; c <= 3; c++)
        acc->bad += lh_vec_get_i64(b->cols[c], r) != i;
    acc->bad += lh_vec_get_i64(b->cols[4], r) != (i % 2 == 0);
    acc->bad += lh_vec_get_f64(b->cols[5], r) != (double)i;
    acc->bad += lh_vec_get_f64(b->cols[6], r) != (double)i;
    const lh_sv_t *s = &((const lh_sv_t *)b->cols[7]->data)[r];
    acc->bad += s->len != 1 || s->ptr[0] != '0' + i;
    const lh_sv_t *bin = &((const lh_sv_t *)b->cols[8]->data)[r];
    acc->bad += bin->len != 2 || bin->ptr[0] != i || bin->ptr[1] != i;
    acc->bad += lh_vec_get_i64(b->cols[9], r) != i;
}

static void test_primitives(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "data-reader-primitives"), 0);
    lh_delta_snapshot_t *s = NULL;
    T_EQ_INT(lh_delta_snapshot_latest(g.t, &s, &eb), LH_OK);
    if (s == NULL) {
        gt_close(&g);
        return;
    }
    prim_acc_t acc = {0};
    for (size_t f = 0; f < lh_delta_snapshot_file_count(s); f++) {
        lh_delta_reader_t *r = NULL;
        lh_err e = lh_delta_reader_open(g.t, s, lh_delta_snapshot_file(s, f), NULL, 0, &r, &eb);
        T_EQ_INT(e, LH_OK);
        if (e != LH_OK) {
            fprintf(stderr, "  %s\n", eb.msg);
            continue;
        }
        T_EQ_INT(lh_delta_reader_schema(r)->field_count, 10);
        const lh_batch_t *b;
        while ((e = lh_delta_reader_next(r, &b, &eb)) == LH_OK && b != NULL) {
            for (size_t i = 0; i < b->row_count; i++)
                check_prim_row(b, i, &acc);
            acc.rows += (int)b->row_count;
        }
        T_EQ_INT(e, LH_OK);
        lh_delta_reader_close(r);
    }
    T_EQ_INT(acc.rows, 11);
    T_EQ_INT(acc.nulls, 1);
    T_EQ_INT(acc.bad, 0);
    for (int i = 0; i < 10; i++)
        T_EQ_INT(acc.seen[i], 1);
    /* projection: reorder and subset */
    const char *cols[] = {"as_string", "AS_INT"};
    lh_delta_reader_t *r = NULL;
    T_EQ_INT(lh_delta_reader_open(g.t, s, lh_delta_snapshot_file(s, 0), cols, 2, &r, &eb), LH_OK);
    if (r) {
        T_EQ_STR(lh_delta_reader_schema(r)->fields[1].name, "as_int");
        const lh_batch_t *b;
        T_EQ_INT(lh_delta_reader_next(r, &b, &eb), LH_OK);
        T_CHECK(b && b->col_count == 2 && b->cols[0]->type.id == LH_TYPE_STRING);
        lh_delta_reader_close(r);
    }
    const char *bad[] = {"nope"};
    T_EQ_INT(lh_delta_reader_open(g.t, s, lh_delta_snapshot_file(s, 0), bad, 1, &r, &eb),
             LH_E_INVALID);
    lh_delta_snapshot_release(s);
    gt_close(&g);
}

/* Expected (partition "part" decimal(12,5), col1 (5,2), col2 (10,5), col3 (20,10)) as
 * unscaled integers, from the partition directories and the add stats. */
static const struct {
    const char *part_dir;
    int64_t part, col1, col2;
    lh_i128 col3;
} decimals[] = {
    {"part=-2342342.23423", -234234223423LL, -99999, -9999999999LL,
     -((lh_i128)99999999999999999LL * 1000 + 999)},
    {"part=0.00004", 4, 0, 0, 0},
    {"part=234.00000", 23400000, 100, 200000, (lh_i128)30000000000LL},
    {"part=2342222.23454", 234222223454LL, 11111, 2222222222LL,
     (lh_i128)33333333333333333LL * 1000 + 333},
};

static void check_decimal_file(gtable_t *g, lh_delta_snapshot_t *s, const lh_delta_add_t *f)
{
    lh_errbuf eb;
    size_t k = 0;
    while (k < 4 && strncmp(f->path, decimals[k].part_dir, strlen(decimals[k].part_dir)) != 0)
        k++;
    T_CHECK(k < 4);
    if (k == 4)
        return;
    lh_delta_reader_t *r = NULL;
    T_EQ_INT(lh_delta_reader_open(g->t, s, f, NULL, 0, &r, &eb), LH_OK);
    if (r == NULL) {
        fprintf(stderr, "  %s\n", eb.msg);
        return;
    }
    const lh_batch_t *b;
    T_EQ_INT(lh_delta_reader_next(r, &b, &eb), LH_OK);
    T_CHECK(b != NULL && b->row_count == 1);
    if (b && b->row_count == 1) {
        T_EQ_INT(lh_vec_get_i64(b->cols[0], 0), decimals[k].part);
        T_EQ_INT(lh_vec_get_i64(b->cols[1], 0), decimals[k].col1);
        T_EQ_INT(lh_vec_get_i64(b->cols[2], 0), decimals[k].col2);
        T_CHECK(((const lh_i128 *)b->cols[3]->data)[0] == decimals[k].col3);
    }
    lh_delta_reader_close(r);
}

static void test_decimals(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "basic-decimal-table"), 0);
    lh_delta_snapshot_t *s = NULL;
    T_EQ_INT(lh_delta_snapshot_latest(g.t, &s, &eb), LH_OK);
    if (s == NULL) {
        gt_close(&g);
        return;
    }
    T_EQ_INT(lh_delta_snapshot_file_count(s), 4);
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
        check_decimal_file(&g, s, lh_delta_snapshot_file(s, i));
    /* data skipping on decimal stats: col1 = 1.00 only in part=234 */
    lh_value_t v = {.type = {LH_TYPE_DECIMAL, 5, 2}, .v.i64 = 100};
    lh_delta_pred_t p = {"col1", LH_PQ_EQ, 1, &v};
    const lh_delta_add_t **files;
    size_t n;
    T_EQ_INT(lh_delta_scan_files(s, &p, 1, &files, &n, &eb), LH_OK);
    T_EQ_INT(n, 1);
    if (n == 1)
        T_CHECK(strncmp(files[0]->path, "part=234.00000/", 15) == 0);
    free(files);
    lh_delta_snapshot_release(s);
    gt_close(&g);
}

/* data-reader-partition-values: three files whose partition values (from the log) are
 * all 0-ish, all 1-ish, or all null; as_string_lit_null is the string "null"; as_timestamp
 * "2021-09-08 11:11:11" (read as UTC). Reading every column is refused because of the
 * nested columns; a primitive projection reads, with partition columns from the log. */
static const char *const pv_cols[] = {"as_int",    "as_long",      "as_byte",
                                      "as_short",  "as_boolean",   "as_float",
                                      "as_double", "as_string",    "as_string_lit_null",
                                      "as_date",   "as_timestamp", "as_big_decimal"};

static void check_pv_batch(const lh_batch_t *b, int *seen)
{
    for (size_t r = 0; r < b->row_count; r++) {
        if (!lh_vec_is_valid(b->cols[0], r)) { /* the null partition: every column null */
            for (int c = 0; c < 12; c++)
                T_CHECK(!lh_vec_is_valid(b->cols[c], r));
            seen[2]++;
            continue;
        }
        int64_t i = lh_vec_get_i64(b->cols[0], r);
        T_CHECK(i == 0 || i == 1);
        seen[i & 1]++;
        for (int c = 1; c <= 3; c++)
            T_EQ_INT(lh_vec_get_i64(b->cols[c], r), i);
        T_EQ_INT(lh_vec_get_i64(b->cols[4], r), i == 0);
        T_CHECK(lh_vec_get_f64(b->cols[5], r) == (double)i);
        T_CHECK(lh_vec_get_f64(b->cols[6], r) == (double)i);
        const lh_sv_t *s7 = &((const lh_sv_t *)b->cols[7]->data)[r];
        T_CHECK(s7->len == 1 && s7->ptr[0] == '0' + i);
        const lh_sv_t *s8 = &((const lh_sv_t *)b->cols[8]->data)[r];
        T_CHECK(s8->len == 4 && memcmp(s8->ptr, "null", 4) == 0);
        T_EQ_INT(lh_vec_get_i64(b->cols[9], r), 18878);
        T_EQ_INT(lh_vec_get_i64(b->cols[10], r), 1631099471000000LL);
        T_EQ_INT(lh_vec_get_i64(b->cols[11], r), i);
    }
}

static void test_partition_values_read(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "data-reader-partition-values"), 0);
    lh_delta_snapshot_t *s = NULL;
    T_EQ_INT(lh_delta_snapshot_latest(g.t, &s, &eb), LH_OK);
    if (s == NULL) {
        gt_close(&g);
        return;
    }
    lh_delta_reader_t *r = NULL;
    /* the nested data columns read beside the partition values: row `value` = i holds
     * as_list_of_records [{val: i} x3] and as_nested_struct {aa: "i", ab: "i", ac: {i, i}} */
    const char *nested[] = {"value", "as_list_of_records", "AS_NESTED_STRUCT"};
    int rows = 0;
    for (size_t f = 0; f < lh_delta_snapshot_file_count(s); f++) {
        T_EQ_INT(lh_delta_reader_open(g.t, s, lh_delta_snapshot_file(s, f), nested, 3, &r, &eb),
                 LH_OK);
        const lh_batch_t *b;
        while (r != NULL && lh_delta_reader_next(r, &b, &eb) == LH_OK && b) {
            for (size_t k = 0; k < b->row_count; k++, rows++) {
                lh_value_t v, list, st, e, fld;
                lh_vec_get_value(b->cols[0], k, &v);
                lh_vec_get_value(b->cols[1], k, &list);
                lh_vec_get_value(b->cols[2], k, &st);
                if (v.is_null || list.is_null || st.is_null)
                    continue;
                char digits[32]; /* the value's bytes are not NUL-terminated */
                snprintf(digits, sizeof digits, "%.*s", (int)v.v.str.len,
                         (const char *)v.v.str.ptr);
                int64_t i = strtoll(digits, NULL, 10);
                lh_narray_t a;
                lh_narray_open(list.type.nested->elem, list.v.str, &a);
                T_EQ_INT(a.count, 3);
                lh_narray_get(&a, 2, &e);
                lh_nstruct_get(e.type, e.v.str, 0, &fld);
                T_EQ_INT(fld.v.i64, i);
                lh_nstruct_get(st.type, st.v.str, 2, &e); /* ac */
                lh_nstruct_get(e.type, e.v.str, 1, &fld); /* acb: long */
                T_EQ_INT(fld.v.i64, i);
            }
        }
        lh_delta_reader_close(r);
        r = NULL;
    }
    T_CHECK(rows > 0);
    int seen[3] = {0, 0, 0};
    for (size_t f = 0; f < lh_delta_snapshot_file_count(s); f++) {
        T_EQ_INT(lh_delta_reader_open(g.t, s, lh_delta_snapshot_file(s, f), pv_cols, 12, &r, &eb),
                 LH_OK);
        if (r == NULL)
            continue;
        const lh_batch_t *b;
        while (lh_delta_reader_next(r, &b, &eb) == LH_OK && b)
            check_pv_batch(b, seen);
        lh_delta_reader_close(r);
        r = NULL;
    }
    T_CHECK(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
    lh_delta_snapshot_release(s);
    gt_close(&g);
}

/* canonicalized-paths-normal-a: v0 adds "/some/unqualified/absolute/path", which we refuse to
 * read (a log must not send the daemon outside its table); v1 removes it as
 * "file:/some/...", the same file once canonicalized. */
static void test_absolute_path_refused(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "canonicalized-paths-normal-a"), 0);
    lh_delta_snapshot_t *s = NULL;
    T_EQ_INT(lh_delta_snapshot_latest(g.t, &s, &eb), LH_OK);
    T_EQ_INT(lh_delta_snapshot_file_count(s), 0);
    lh_delta_snapshot_release(s);
    T_EQ_INT(lh_delta_snapshot_at_version(g.t, 0, &s, &eb), LH_OK);
    if (s) {
        T_EQ_INT(lh_delta_snapshot_file_count(s), 1);
        T_EQ_STR(lh_delta_snapshot_file(s, 0)->path, "/some/unqualified/absolute/path");
        lh_delta_reader_t *r = NULL;
        T_EQ_INT(lh_delta_reader_open(g.t, s, lh_delta_snapshot_file(s, 0), NULL, 0, &r, &eb),
                 LH_E_UNSUPPORTED);
        T_CHECK(strstr(eb.msg, "outside the table") != NULL);
        lh_delta_snapshot_release(s);
    }
    gt_close(&g);
    const char *others[] = {"canonicalized-paths-normal-b", "canonicalized-paths-special-a",
                            "canonicalized-paths-special-b"};
    for (int i = 0; i < 3; i++) {
        T_EQ_INT(gt_open(&g, others[i]), 0);
        T_EQ_INT(lh_delta_snapshot_latest(g.t, &s, &eb), LH_OK);
        T_CHECK(s && lh_delta_snapshot_file_count(s) == 0 &&
                lh_delta_snapshot_tombstone_count(s) == 1);
        if (s && i > 0)
            T_EQ_STR(lh_delta_snapshot_tombstone(s, 0)->path, "/some/unqualified/with space/p@#h");
        lh_delta_snapshot_release(s);
        gt_close(&g);
    }
}

int main(void)
{
    T_RUN(test_absolute_path_refused);
    T_RUN(test_primitives);
    T_RUN(test_decimals);
    T_RUN(test_partition_values_read);
    return T_DONE();
}
