/*
 * test_ops_merge.c - MERGE (upsert by key) through storage/delta/ops.h: updates and
 * inserts, file skipping by key stats, Delta's duplicate-source-row error, null keys.
 */
#include "ops_test_util.h"

static lh_err merge_rows(tbl_t *tb, int n, const int64_t *id, const char *const *p, const double *v,
                         lh_delta_op_result_t *r, lh_errbuf *eb)
{
    rows_t rows;
    rows_init(&rows, n, id, p, v, NULL);
    static const char *const keys[] = {"id"};
    lh_err e = lh_delta_merge(tb->t, rows.schema, rows_next, &rows, keys, 1, r, eb);
    rows_free(&rows);
    return e;
}

static void test_merge_upsert(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 10, "t", NULL, &r, &eb), LH_OK);
    int64_t id[10];
    const char *p[10];
    double v[10];
    for (int i = 0; i < 10; i++) {
        id[i] = 5 + i;
        p[i] = "s";
        v[i] = -1.0 * (double)(5 + i);
    }
    T_EQ_INT(merge_rows(&tb, 10, id, p, v, &r, &eb), LH_OK);
    T_EQ_INT(r.version, 1);
    T_EQ_INT(r.source_rows, 10);
    T_EQ_INT(r.rows_updated, 5);
    T_EQ_INT(r.rows_inserted, 5);
    T_EQ_INT(r.rows_copied, 5);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 15);
    for (int i = 0; i < 15; i++)
        T_EQ_INT(s.id[i], i);
    T_EQ_STR(s.p[4], "t");
    T_EQ_STR(s.p[5], "s");
    T_CHECK(s.v[7] == -7.0 && s.v[2] == 3.0);
    json_t *ci = commit_info(&tb, 1);
    T_EQ_STR(ci_str(ci, NULL, "operation"), "MERGE");
    T_EQ_STR(ci_str(ci, "operationParameters", "predicate"), "[\"(target.id = source.id)\"]");
    json_decref(ci);
    tbl_close(&tb);
}

static void test_merge_skips_files_by_key_stats(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 10, "t", NULL, &r, &eb), LH_OK);
    T_EQ_INT(append_range(&tb, 100, 10, "t", NULL, &r, &eb), LH_OK);
    int64_t id[] = {105, 200};
    const char *p[] = {"s", "s"};
    double v[] = {1, 2};
    T_EQ_INT(merge_rows(&tb, 2, id, p, v, &r, &eb), LH_OK);
    T_EQ_INT(r.files_removed, 1); /* only the 100..109 file */
    T_EQ_INT(r.rows_updated, 1);
    T_EQ_INT(r.rows_inserted, 1);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 21);
    T_EQ_INT(s.id[20], 200);
    T_CHECK(s.v[15] == 1.0); /* id 105 */
    tbl_close(&tb);
}

static void test_merge_duplicate_source_keys(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 5, "t", NULL, &r, &eb), LH_OK);
    int64_t id[] = {3, 3};
    const char *p[] = {"s", "s"};
    double v[] = {1, 2};
    lh_errbuf_clear(&eb);
    T_EQ_INT(merge_rows(&tb, 2, id, p, v, &r, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "multiple source rows matched") != NULL);
    T_EQ_STR(lh_errbuf_code_name(&eb), "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE");
    T_EQ_INT(r.version, -1);
    /* duplicates that match no target row are plain inserts, as in Delta */
    int64_t id2[] = {50, 50};
    T_EQ_INT(merge_rows(&tb, 2, id2, p, v, &r, &eb), LH_OK);
    T_EQ_INT(r.rows_inserted, 2);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 7);
    tbl_close(&tb);
}

static void test_merge_partitioned_and_errors(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(append_range(&tb, 10, 10, "b", NULL, &r, &eb), LH_OK);
    /* key (p, id): the b partition is never read */
    int64_t id[] = {3, 30};
    const char *p[] = {"a", "a"};
    double v[] = {-3, -30};
    rows_t rows;
    rows_init(&rows, 2, id, p, v, NULL);
    static const char *const keys[] = {"p", "id"};
    T_EQ_INT(lh_delta_merge(tb.t, rows.schema, rows_next, &rows, keys, 2, &r, &eb), LH_OK);
    rows_free(&rows);
    T_EQ_INT(r.files_removed, 1);
    T_EQ_INT(r.rows_updated, 1);
    T_EQ_INT(r.rows_inserted, 1);
    /* a source without every table column is refused */
    lh_schema_t *s1 = lh_schema_create(1);
    lh_schema_set(s1, 0, "id", (lh_type_t){.id = LH_TYPE_LONG}, false);
    lh_batch_t *b = lh_batch_create(s1, 1);
    single_t one = {b, false};
    static const char *const k1[] = {"id"};
    T_EQ_INT(lh_delta_merge(tb.t, s1, single_next, &one, k1, 1, &r, &eb), LH_E_INVALID);
    static const char *const bad[] = {"nope"};
    rows_init(&rows, 2, id, p, v, NULL);
    T_EQ_INT(lh_delta_merge(tb.t, rows.schema, rows_next, &rows, bad, 1, &r, &eb), LH_E_INVALID);
    rows_free(&rows);
    lh_batch_destroy(b);
    lh_schema_destroy(s1);
    tbl_close(&tb);
}

int main(void)
{
    T_RUN(test_merge_upsert);
    T_RUN(test_merge_skips_files_by_key_stats);
    T_RUN(test_merge_duplicate_source_keys);
    T_RUN(test_merge_partitioned_and_errors);
    return T_DONE();
}
