/*
 * test_ops_dml.c - DELETE and UPDATE (copy-on-write) through storage/delta/ops.h: whole
 * partitions dropped without rewriting, partial files rewritten, untouched files kept,
 * SQL null semantics, commitInfo.
 */
#include "ops_test_util.h"

/* Table: p=a ids 0..9, p=b ids 10..19 (one file each), v = 1.5 * id. */
static void setup(tbl_t *tb)
{
    tbl_open(tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(append_range(tb, 10, 10, "b", NULL, &r, &eb), LH_OK);
}

static bool has_live_path(tbl_t *tb, const char *prefix)
{
    lh_delta_snapshot_t *s;
    lh_errbuf eb;
    bool found = false;
    if (lh_delta_snapshot_latest(tb->t, &s, &eb) != LH_OK)
        return false;
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++)
        found |= strncmp(lh_delta_snapshot_file(s, i)->path, prefix, strlen(prefix)) == 0;
    lh_delta_snapshot_release(s);
    return found;
}

static char *first_path(tbl_t *tb, const char *prefix)
{
    lh_delta_snapshot_t *s;
    lh_errbuf eb;
    char *out = NULL;
    if (lh_delta_snapshot_latest(tb->t, &s, &eb) != LH_OK)
        return NULL;
    for (size_t i = 0; !out && i < lh_delta_snapshot_file_count(s); i++)
        if (strncmp(lh_delta_snapshot_file(s, i)->path, prefix, strlen(prefix)) == 0)
            out = strdup(lh_delta_snapshot_file(s, i)->path);
    lh_delta_snapshot_release(s);
    return out;
}

static void test_delete_partition_removes_files(void)
{
    tbl_t tb;
    setup(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_value_t a = v_str("a");
    lh_delta_pred_t pr = {"p", LH_PQ_EQ, 1, &a};
    T_EQ_INT(lh_delta_delete(tb.t, &pr, 1, &r, &eb), LH_OK);
    T_EQ_INT(r.version, 2);
    T_EQ_INT(r.rows_deleted, 10);
    T_EQ_INT(r.files_removed, 1);
    T_EQ_INT(r.files_added, 0); /* no rewrite */
    T_CHECK(!has_live_path(&tb, "p=a/"));
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 10);
    T_EQ_INT(s.id[0], 10);
    json_t *ci = commit_info(&tb, 2);
    T_EQ_STR(ci_str(ci, NULL, "operation"), "DELETE");
    T_EQ_STR(ci_str(ci, "operationParameters", "predicate"), "[\"(p = 'a')\"]");
    T_CHECK(json_is_false(json_object_get(ci, "isBlindAppend")));
    json_decref(ci);
    tbl_close(&tb);
}

static void test_delete_rows_rewrites_only_matching_files(void)
{
    tbl_t tb;
    setup(&tb);
    char *b_file = first_path(&tb, "p=b/");
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_value_t five = v_long(5);
    lh_delta_pred_t pr = {"id", LH_PQ_LT, 1, &five};
    T_EQ_INT(lh_delta_delete(tb.t, &pr, 1, &r, &eb), LH_OK);
    T_EQ_INT(r.rows_deleted, 5);
    T_EQ_INT(r.rows_copied, 5);
    T_EQ_INT(r.files_removed, 1); /* p=b is skipped by its stats */
    T_EQ_INT(r.files_added, 1);
    T_CHECK(b_file != NULL && has_live_path(&tb, b_file));
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 15);
    T_EQ_INT(s.id[0], 5);
    T_EQ_STR(s.p[0], "a");
    free(b_file);
    tbl_close(&tb);
}

static void test_delete_null_semantics(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    int64_t id[] = {1, 2, 3, 4};
    const char *p[] = {"x", NULL, "y", "x"};
    double v[] = {1, 0, 3, 4};
    bool vn[] = {false, true, false, false};
    rows_t rows;
    rows_init(&rows, 4, id, p, v, vn);
    T_EQ_INT(lh_delta_append(tb.t, rows.schema, rows_next, &rows, NULL, &r, &eb), LH_OK);
    rows_free(&rows);
    /* v < 100 never matches the null v of id 2 */
    lh_value_t hundred = v_double(100);
    lh_delta_pred_t lt = {"v", LH_PQ_LT, 1, &hundred};
    lh_value_t xs[] = {v_str("x"), v_str("zz")};
    lh_delta_pred_t in = {"p", LH_PQ_IN, 2, xs};
    lh_delta_pred_t both[] = {lt, in};
    T_EQ_INT(lh_delta_delete(tb.t, both, 2, &r, &eb), LH_OK);
    T_EQ_INT(r.rows_deleted, 2); /* ids 1 and 4 */
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 2);
    T_EQ_INT(s.id[0], 2);
    T_EQ_INT(s.id[1], 3);
    /* a null literal matches nothing: nothing committed */
    lh_value_t null_lit = {.type = {.id = LH_TYPE_STRING}, .is_null = true};
    lh_delta_pred_t eqn = {"p", LH_PQ_EQ, 1, &null_lit};
    T_EQ_INT(lh_delta_delete(tb.t, &eqn, 1, &r, &eb), LH_OK);
    T_EQ_INT(r.version, -1);
    T_EQ_INT(r.rows_deleted, 0);
    tbl_close(&tb);
}

static void test_delete_errors(void)
{
    tbl_t tb;
    setup(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_value_t x = v_str("x");
    lh_delta_pred_t bad_col = {"nope", LH_PQ_EQ, 1, &x};
    T_EQ_INT(lh_delta_delete(tb.t, &bad_col, 1, &r, &eb), LH_E_INVALID);
    lh_delta_pred_t bad_type = {"id", LH_PQ_EQ, 1, &x};
    T_EQ_INT(lh_delta_delete(tb.t, &bad_type, 1, &r, &eb), LH_E_INVALID);
    tbl_t empty;
    tbl_open(&empty);
    T_EQ_INT(lh_delta_delete(empty.t, NULL, 0, &r, &eb), LH_E_NOT_FOUND);
    tbl_close(&empty);
    tbl_close(&tb);
}

static void test_delete_all(void)
{
    tbl_t tb;
    setup(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(lh_delta_delete(tb.t, NULL, 0, &r, &eb), LH_OK);
    T_EQ_INT(r.rows_deleted, 20);
    T_EQ_INT(live_files(&tb), 0);
    tbl_close(&tb);
}

static void test_update_values_and_null(void)
{
    tbl_t tb;
    setup(&tb);
    char *a_file = first_path(&tb, "p=a/");
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_value_t ids[] = {v_long(11), v_long(12)};
    lh_delta_pred_t pr = {"id", LH_PQ_IN, 2, ids};
    lh_delta_assign_t set = {"v", v_long(99)}; /* long literal into a double column */
    T_EQ_INT(lh_delta_update(tb.t, &pr, 1, &set, 1, &r, &eb), LH_OK);
    T_EQ_INT(r.rows_updated, 2);
    T_EQ_INT(r.rows_copied, 8);
    T_CHECK(a_file != NULL && has_live_path(&tb, a_file)); /* p=a untouched */
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 20);
    T_CHECK(s.v[11] == 99.0 && s.v[12] == 99.0 && s.v[13] == 13 * 1.5);
    json_t *ci = commit_info(&tb, r.version);
    T_EQ_STR(ci_str(ci, NULL, "operation"), "UPDATE");
    json_decref(ci);
    lh_delta_assign_t set_null = {"v", {.type = {.id = LH_TYPE_DOUBLE}, .is_null = true}};
    lh_value_t zero = v_long(0);
    lh_delta_pred_t first = {"id", LH_PQ_EQ, 1, &zero};
    T_EQ_INT(lh_delta_update(tb.t, &first, 1, &set_null, 1, &r, &eb), LH_OK);
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_CHECK(s.v_null[0] && !s.v_null[1]);
    free(a_file);
    tbl_close(&tb);
}

static void test_update_moves_partition(void)
{
    tbl_t tb;
    setup(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_value_t three = v_long(3);
    lh_delta_pred_t pr = {"id", LH_PQ_LE, 1, &three};
    lh_delta_assign_t set = {"p", v_str("c")};
    T_EQ_INT(lh_delta_update(tb.t, &pr, 1, &set, 1, &r, &eb), LH_OK);
    T_EQ_INT(r.rows_updated, 4);
    T_CHECK(has_live_path(&tb, "p=c/"));
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 20);
    T_EQ_STR(s.p[3], "c");
    T_EQ_STR(s.p[4], "a");
    tbl_close(&tb);
}

static void test_update_errors(void)
{
    tbl_t tb;
    setup(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_assign_t bad_type = {"id", v_str("x")};
    T_EQ_INT(lh_delta_update(tb.t, NULL, 0, &bad_type, 1, &r, &eb), LH_E_INVALID);
    lh_delta_assign_t null_id = {"id", {.type = {.id = LH_TYPE_LONG}, .is_null = true}};
    T_EQ_INT(lh_delta_update(tb.t, NULL, 0, &null_id, 1, &r, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "non-nullable") != NULL);
    lh_delta_assign_t nope = {"nope", v_long(1)};
    T_EQ_INT(lh_delta_update(tb.t, NULL, 0, &nope, 1, &r, &eb), LH_E_INVALID);
    tbl_close(&tb);
}

int main(void)
{
    T_RUN(test_delete_partition_removes_files);
    T_RUN(test_delete_rows_rewrites_only_matching_files);
    T_RUN(test_delete_null_semantics);
    T_RUN(test_delete_errors);
    T_RUN(test_delete_all);
    T_RUN(test_update_values_and_null);
    T_RUN(test_update_moves_partition);
    T_RUN(test_update_errors);
    return T_DONE();
}
