/*
 * test_ops_optimize.c - OPTIMIZE bin-packing and ZORDER BY through storage/delta/ops.h:
 * fewer files with the same rows, dataChange=false actions, commitInfo parameters.
 */
#include "ops_test_util.h"

/* 6 small appends over partitions a/b: 6 files. */
static void setup(tbl_t *tb)
{
    tbl_open(tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    for (int i = 0; i < 6; i++)
        T_EQ_INT(append_range(tb, i * 10, 10, i % 2 ? "b" : "a", i ? NULL : &o, &r, &eb), LH_OK);
}

static void test_optimize_compacts_per_partition(void)
{
    tbl_t tb;
    setup(&tb);
    static scanned_t before, after;
    T_EQ_INT(scan_all(&tb, -1, &before), LH_OK);
    T_EQ_INT(live_files(&tb), 6);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(lh_delta_optimize(tb.t, NULL, 0, 0, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.version, 6);
    T_EQ_INT(r.files_removed, 6);
    T_EQ_INT(r.files_added, 2);
    T_EQ_INT(live_files(&tb), 2);
    T_EQ_INT(scan_all(&tb, -1, &after), LH_OK);
    T_EQ_INT(after.n, before.n);
    T_CHECK(memcmp(after.id, before.id, sizeof before.id) == 0);
    T_CHECK(memcmp(after.p, before.p, sizeof before.p) == 0);
    T_CHECK(memcmp(after.v, before.v, sizeof before.v) == 0);
    json_t *ci = commit_info(&tb, 6);
    T_EQ_STR(ci_str(ci, NULL, "operation"), "OPTIMIZE");
    T_EQ_STR(ci_str(ci, NULL, "isolationLevel"), "SnapshotIsolation");
    T_EQ_STR(ci_str(ci, "operationParameters", "zOrderBy"), "[]");
    T_EQ_STR(ci_str(ci, "operationParameters", "predicate"), "[]");
    json_decref(ci);
    /* nothing left to do: no commit */
    T_EQ_INT(lh_delta_optimize(tb.t, NULL, 0, 0, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.version, -1);
    tbl_close(&tb);
}

static void test_optimize_data_change_false(void)
{
    tbl_t tb;
    setup(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(lh_delta_optimize(tb.t, NULL, 0, 0, NULL, 0, &r, &eb), LH_OK);
    int adds, removes, changes;
    commit_counts(&tb, r.version, &adds, &removes, &changes);
    T_EQ_INT(adds, 2);
    T_EQ_INT(removes, 6);
    T_EQ_INT(changes, 0); /* needs the core's staged-actions view for the adds */
    json_t *ci = commit_info(&tb, r.version);
    T_EQ_STR(ci_str(ci, "operationMetrics", "numRemovedFiles"), "6"); /* needs set_metrics */
    T_EQ_STR(ci_str(ci, "operationMetrics", "numAddedFiles"), "2");
    json_decref(ci);
    tbl_close(&tb);
}

static void test_optimize_partition_filter(void)
{
    tbl_t tb;
    setup(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_value_t a = v_str("a");
    lh_delta_pred_t pr = {"p", LH_PQ_EQ, 1, &a};
    T_EQ_INT(lh_delta_optimize(tb.t, &pr, 1, 0, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.files_removed, 3);
    T_EQ_INT(live_files(&tb), 4);
    json_t *ci = commit_info(&tb, r.version);
    T_EQ_STR(ci_str(ci, "operationParameters", "predicate"), "[\"(p = 'a')\"]");
    json_decref(ci);
    lh_value_t one = v_long(1);
    lh_delta_pred_t data = {"id", LH_PQ_EQ, 1, &one};
    T_EQ_INT(lh_delta_optimize(tb.t, &data, 1, 0, NULL, 0, &r, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "non-partition column") != NULL);
    tbl_close(&tb);
}

static void test_optimize_target_size(void)
{
    tbl_t tb;
    setup(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    /* a target below every file size: nothing is small, nothing to do */
    T_EQ_INT(lh_delta_optimize(tb.t, NULL, 0, 16, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.version, -1);
    T_EQ_INT(live_files(&tb), 6);
    tbl_close(&tb);
}

static void test_zorder(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    enum { N = 64 };
    int64_t id[N];
    const char *p[N];
    double v[N];
    for (int i = 0; i < N; i++) { /* a grid: id = x, v = y */
        id[i] = (i * 37) % N;
        p[i] = "g";
        v[i] = (double)((i * 11) % 8);
    }
    for (int part = 0; part < 4; part++) {
        rows_t rows;
        rows_init(&rows, N / 4, id + part * (N / 4), p, v + part * (N / 4), NULL);
        T_EQ_INT(lh_delta_append(tb.t, rows.schema, rows_next, &rows, NULL, &r, &eb), LH_OK);
        rows_free(&rows);
    }
    static scanned_t before, after;
    T_EQ_INT(scan_all(&tb, -1, &before), LH_OK);
    static const char *const z[] = {"id", "v"};
    T_EQ_INT(lh_delta_optimize(tb.t, NULL, 0, 0, z, 2, &r, &eb), LH_OK);
    T_EQ_INT(live_files(&tb), 1);
    T_EQ_INT(scan_all(&tb, -1, &after), LH_OK);
    T_EQ_INT(after.n, N);
    T_CHECK(memcmp(after.id, before.id, sizeof before.id) == 0);
    T_CHECK(memcmp(after.v, before.v, sizeof before.v) == 0);
    json_t *ci = commit_info(&tb, r.version);
    T_EQ_STR(ci_str(ci, "operationParameters", "zOrderBy"), "[\"id\",\"v\"]");
    json_decref(ci);
    /* file order follows the Z curve: the first rows have small id and small v */
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(tb.t, &s, &eb), LH_OK);
    lh_delta_reader_t *rd;
    T_EQ_INT(lh_delta_reader_open(tb.t, s, lh_delta_snapshot_file(s, 0), NULL, 0, &rd, &eb), LH_OK);
    const lh_batch_t *b;
    T_EQ_INT(lh_delta_reader_next(rd, &b, &eb), LH_OK);
    T_CHECK(b != NULL && b->row_count == N);
    if (b) {
        for (int i = 0; i < 4; i++) /* first quadrant-ish */
            T_CHECK(lh_vec_get_i64(b->cols[0], (size_t)i) < N / 2 &&
                    lh_vec_get_f64(b->cols[2], (size_t)i) < 4);
        T_CHECK(lh_vec_get_i64(b->cols[0], N - 1) >= N / 2);
    }
    lh_delta_reader_close(rd);
    lh_delta_snapshot_release(s);
    const char *const pz[] = {"nope"};
    T_EQ_INT(lh_delta_optimize(tb.t, NULL, 0, 0, pz, 1, &r, &eb), LH_E_INVALID);
    tbl_close(&tb);
}

int main(void)
{
    T_RUN(test_optimize_compacts_per_partition);
    T_RUN(test_optimize_data_change_false);
    T_RUN(test_optimize_partition_filter);
    T_RUN(test_optimize_target_size);
    T_RUN(test_zorder);
    return T_DONE();
}
