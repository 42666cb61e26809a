/*
 * test_ops_write.c - APPEND and OVERWRITE (incl. replaceWhere and mergeSchema) through
 * storage/delta/ops.h: table contents, commitInfo and error cases.
 */
#include "ops_test_util.h"

static void test_append_creates_partitioned_table(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(r.version, 0);
    T_EQ_INT(r.rows_written, 10);
    T_CHECK(r.files_added >= 1);
    T_EQ_INT(append_range(&tb, 10, 5, "b", NULL, &r, &eb), LH_OK);
    T_EQ_INT(r.version, 1);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 15);
    T_EQ_INT(s.id[14], 14);
    T_EQ_STR(s.p[3], "a");
    T_EQ_STR(s.p[12], "b");
    T_CHECK(s.v[4] == 6.0);
    /* partition directories on disk */
    char path[512];
    snprintf(path, sizeof path, "%s/p=b", tb.dir);
    T_CHECK(access(path, F_OK) == 0);
    json_t *ci = commit_info(&tb, 1);
    T_EQ_STR(ci_str(ci, NULL, "operation"), "WRITE");
    T_EQ_STR(ci_str(ci, "operationParameters", "mode"), "Append");
    T_EQ_STR(ci_str(ci, NULL, "engineInfo"), LH_DELTA_ENGINE_INFO);
    T_CHECK(json_is_true(json_object_get(ci, "isBlindAppend")));
    json_decref(ci);
    ci = commit_info(&tb, 0);
    T_EQ_STR(ci_str(ci, "operationParameters", "partitionBy"), "[\"p\"]");
    json_decref(ci);
    tbl_close(&tb);
}

static void test_append_metrics(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 12, "a", NULL, &r, &eb), LH_OK);
    json_t *ci = commit_info(&tb, 0);
    T_EQ_STR(ci_str(ci, "operationMetrics", "numOutputRows"), "12"); /* needs the core's */
    T_EQ_STR(ci_str(ci, "operationMetrics", "numFiles"), "1");       /* set_metrics */
    json_decref(ci);
    tbl_close(&tb);
}

static void test_append_partition_mismatch(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 3, "a", NULL, &r, &eb), LH_OK);
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 3, 3, "a", &o, &r, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "partition") != NULL);
    tbl_close(&tb);
}

static void test_overwrite_all(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(append_range(&tb, 10, 10, "b", NULL, &r, &eb), LH_OK);
    int64_t id[] = {100, 101};
    const char *p[] = {"c", "c"};
    double v[] = {1, 2};
    rows_t rows;
    rows_init(&rows, 2, id, p, v, NULL);
    T_EQ_INT(lh_delta_overwrite(tb.t, rows.schema, rows_next, &rows, NULL, &r, &eb), LH_OK);
    rows_free(&rows);
    T_EQ_INT(r.version, 2);
    T_EQ_INT(r.files_removed, 2);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 2);
    T_EQ_INT(s.id[0], 100);
    T_EQ_STR(s.p[1], "c");
    json_t *ci = commit_info(&tb, 2);
    T_EQ_STR(ci_str(ci, "operationParameters", "mode"), "Overwrite");
    T_CHECK(json_is_false(json_object_get(ci, "isBlindAppend")));
    json_decref(ci);
    /* time travel still sees the old rows */
    T_EQ_INT(scan_all(&tb, 1, &s), LH_OK);
    T_EQ_INT(s.n, 20);
    tbl_close(&tb);
}

static void test_replace_where_partition(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(append_range(&tb, 10, 10, "b", NULL, &r, &eb), LH_OK);
    lh_value_t a = v_str("a");
    lh_delta_pred_t rw = {"p", LH_PQ_EQ, 1, &a};
    o.replace_where = &rw;
    o.replace_where_count = 1;
    int64_t id[] = {50, 51, 52};
    const char *p[] = {"a", "a", "a"};
    double v[] = {0, 0, 0};
    rows_t rows;
    rows_init(&rows, 3, id, p, v, NULL);
    T_EQ_INT(lh_delta_overwrite(tb.t, rows.schema, rows_next, &rows, &o, &r, &eb), LH_OK);
    rows_free(&rows);
    T_EQ_INT(r.files_removed, 1);
    T_EQ_INT(r.rows_deleted, 10);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 13);
    T_EQ_INT(s.id[0], 10); /* b rows kept */
    T_EQ_INT(s.id[10], 50);
    json_t *ci = commit_info(&tb, 2);
    T_EQ_STR(ci_str(ci, "operationParameters", "predicate"), "[\"(p = 'a')\"]");
    json_decref(ci);
    tbl_close(&tb);
}

static void test_replace_where_violation(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    lh_value_t a = v_str("a");
    lh_delta_pred_t rw = {"p", LH_PQ_EQ, 1, &a};
    o.replace_where = &rw;
    o.replace_where_count = 1;
    int64_t id[] = {50, 51};
    const char *p[] = {"a", "b"}; /* 51 is outside the predicate */
    double v[] = {0, 0};
    rows_t rows;
    rows_init(&rows, 2, id, p, v, NULL);
    lh_errbuf_clear(&eb);
    T_EQ_INT(lh_delta_overwrite(tb.t, rows.schema, rows_next, &rows, &o, &r, &eb), LH_E_INVALID);
    rows_free(&rows);
    T_EQ_STR(lh_errbuf_code_name(&eb), "DELTA_REPLACE_WHERE_MISMATCH");
    T_EQ_INT(r.version, -1);
    int64_t latest;
    T_EQ_INT(lh_delta_latest_version(tb.t, &latest, &eb), LH_OK);
    T_EQ_INT(latest, 0);
    tbl_close(&tb);
}

static void test_replace_where_data_column(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 20, "a", NULL, &r, &eb), LH_OK); /* v = 1.5 * id */
    lh_value_t ten = v_double(15.0);
    lh_delta_pred_t rw = {"v", LH_PQ_GE, 1, &ten}; /* ids >= 10 */
    lh_delta_op_opts_t o;
    lh_delta_op_opts_default(&o);
    o.replace_where = &rw;
    o.replace_where_count = 1;
    int64_t id[] = {1000};
    const char *p[] = {"z"};
    double v[] = {99};
    rows_t rows;
    rows_init(&rows, 1, id, p, v, NULL);
    T_EQ_INT(lh_delta_overwrite(tb.t, rows.schema, rows_next, &rows, &o, &r, &eb), LH_OK);
    rows_free(&rows);
    T_EQ_INT(r.rows_deleted, 10);
    T_EQ_INT(r.rows_copied, 10);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 11);
    T_EQ_INT(s.id[9], 9);
    T_EQ_INT(s.id[10], 1000);
    tbl_close(&tb);
}

static void test_merge_schema(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 3, "a", NULL, &r, &eb), LH_OK);
    lh_schema_t *s2 = lh_schema_create(2);
    lh_schema_set(s2, 0, "id", (lh_type_t){.id = LH_TYPE_LONG}, false);
    lh_schema_set(s2, 1, "extra", (lh_type_t){.id = LH_TYPE_STRING}, true);
    lh_batch_t *b = lh_batch_create(s2, 1);
    lh_vec_append_i64(b->cols[0], 7);
    lh_vec_append_str(b->cols[1], "x", 1);
    b->row_count = 1;
    single_t one = {b, false};
    lh_errbuf_clear(&eb);
    T_EQ_INT(lh_delta_append(tb.t, s2, single_next, &one, NULL, &r, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "extra") != NULL);
    lh_delta_op_opts_t o;
    lh_delta_op_opts_default(&o);
    o.write.merge_schema = true;
    one.done = false;
    T_EQ_INT(lh_delta_append(tb.t, s2, single_next, &one, &o, &r, &eb), LH_OK);
    lh_delta_snapshot_t *snap;
    T_EQ_INT(lh_delta_snapshot_latest(tb.t, &snap, &eb), LH_OK);
    const lh_schema_t *ts = lh_delta_snapshot_metadata(snap)->schema;
    T_EQ_INT(ts->field_count, 4);
    T_EQ_STR(ts->fields[3].name, "extra");
    T_CHECK(ts->fields[3].nullable);
    lh_delta_snapshot_release(snap);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 4);
    T_EQ_INT(s.id[3], 7);
    T_CHECK(s.v_null[3]); /* v absent from the new rows */
    lh_batch_destroy(b);
    lh_schema_destroy(s2);
    tbl_close(&tb);
}

int main(void)
{
    T_RUN(test_append_creates_partitioned_table);
    T_RUN(test_append_metrics);
    T_RUN(test_append_partition_mismatch);
    T_RUN(test_overwrite_all);
    T_RUN(test_replace_where_partition);
    T_RUN(test_replace_where_violation);
    T_RUN(test_replace_where_data_column);
    T_RUN(test_merge_schema);
    return T_DONE();
}
