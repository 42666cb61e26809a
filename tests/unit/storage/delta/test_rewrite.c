/*
 * test_rewrite.c - the file-level write primitives of storage/delta/rewrite.h: a rewrite
 * callback that keeps everything (no-op: nothing staged, nothing committed), deletes some
 * rows (also after kept leading batches, which are re-read in order), deletes every row
 * (remove, no new file), replaces batches (update), several files rewritten in one
 * transaction sharing new files, inserts, abort leaving no data file behind, concurrent
 * commits racing a rewrite under the protocol's conflict rules, the stats-based file
 * listing, the refusals (bad selections and batches, files not live, use after commit), and
 * an ops.h operation that fails cleaning up the files it wrote.
 */
#include "ops_test_util.h"
#include "storage/delta/rewrite.h"

/* ---- fixtures ------------------------------------------------------------------------------- */

/* Every live file of the latest snapshot (paths, malloc'd) and the snapshot itself. */
static lh_delta_snapshot_t *latest(tbl_t *tb)
{
    lh_delta_snapshot_t *s = NULL;
    lh_errbuf eb;
    T_EQ_INT(lh_delta_snapshot_latest(tb->t, &s, &eb), LH_OK);
    return s;
}

static int64_t latest_version(tbl_t *tb)
{
    int64_t v = -1;
    lh_errbuf eb;
    lh_delta_latest_version(tb->t, &v, &eb);
    return v;
}

/* Data files (objects ending in .parquet outside _delta_log) in the table directory. */
static size_t data_objects(tbl_t *tb)
{
    lh_obj_list_t l;
    lh_errbuf eb;
    if (lh_objstore_list(tb->os, "", &l, &eb) != LH_OK)
        return (size_t)-1;
    size_t n = 0;
    for (size_t i = 0; i < l.count; i++) {
        const char *k = l.items[i].key;
        size_t len = strlen(k);
        n += strncmp(k, "_delta_log/", 11) != 0 && len > 8 && strcmp(k + len - 8, ".parquet") == 0;
    }
    lh_obj_list_free(&l);
    return n;
}

static lh_delta_wtxn_t *begin(tbl_t *tb, lh_delta_snapshot_t **s)
{
    lh_errbuf eb;
    lh_delta_wtxn_t *w = NULL;
    *s = latest(tb);
    T_EQ_INT(lh_delta_wtxn_begin(tb->t, *s, NULL, &w, &eb), LH_OK);
    return w;
}

/* ---- callbacks --------------------------------------------------------------------------------
 */

typedef struct cb_ctx {
    int calls;
    int64_t first_change_row; /* rows at or after this global row index are affected */
    int64_t seen;             /* rows seen so far */
    bool even_only;           /* delete / keep: only even ids */
    uint32_t rows[LH_BATCH_ROWS];
    lh_batch_t *out;
    lh_delta_rewrite_action action;
} cb_ctx_t;

static lh_err keep_all(void *ctx, const lh_batch_t *b, lh_delta_rewrite_result_t *out,
                       lh_errbuf *eb)
{
    (void)b;
    (void)out;
    (void)eb;
    ((cb_ctx_t *)ctx)->calls++;
    return LH_OK;
}

/* Select rows with even ids at or after first_change_row, as KEEP_ROWS or DELETE_ROWS. */
static lh_err select_even(void *ctx, const lh_batch_t *b, lh_delta_rewrite_result_t *out,
                          lh_errbuf *eb)
{
    cb_ctx_t *c = ctx;
    (void)eb;
    c->calls++;
    size_t n = 0;
    for (size_t r = 0; r < b->row_count; r++) {
        bool in_range = c->seen + (int64_t)r >= c->first_change_row;
        bool even = lh_vec_get_i64(b->cols[0], r) % 2 == 0;
        bool sel =
            c->action == LH_DELTA_REWRITE_DELETE_ROWS ? in_range && even : !(in_range && even);
        if (sel)
            c->rows[n++] = (uint32_t)r;
    }
    c->seen += (int64_t)b->row_count;
    out->action = c->action;
    out->rows = c->rows;
    out->row_count = n;
    return LH_OK;
}

static lh_err delete_all(void *ctx, const lh_batch_t *b, lh_delta_rewrite_result_t *out,
                         lh_errbuf *eb)
{
    cb_ctx_t *c = ctx;
    (void)eb;
    c->calls++;
    out->action = LH_DELTA_REWRITE_KEEP_ROWS; /* keep none */
    out->row_count = 0;
    (void)b;
    return LH_OK;
}

/* UPDATE v = -id for every row (a replacement batch of the table schema). */
static lh_err negate_v(void *ctx, const lh_batch_t *b, lh_delta_rewrite_result_t *out,
                       lh_errbuf *eb)
{
    cb_ctx_t *c = ctx;
    c->calls++;
    lh_batch_reset(c->out);
    for (size_t r = 0; r < b->row_count; r++) {
        int64_t id = lh_vec_get_i64(b->cols[0], r);
        LH_FAIL_IF(lh_vec_append_i64(c->out->cols[0], id) != LH_OK, LH_E_NOMEM, eb, "oom");
        const lh_sv_t *p = &((const lh_sv_t *)b->cols[1]->data)[r];
        if (lh_vec_is_valid(b->cols[1], r))
            lh_vec_append_str(c->out->cols[1], p->ptr, p->len);
        else
            lh_vec_append_null(c->out->cols[1]);
        lh_vec_append_f64(c->out->cols[2], -(double)id);
    }
    c->out->row_count = b->row_count;
    out->action = LH_DELTA_REWRITE_REPLACE;
    out->batch = c->out;
    return LH_OK;
}

/* ---- no-op, delete, replace -------------------------------------------------------------------
 */

static void test_keep_all_is_a_noop(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 5000, "x", NULL, &r, &eb), LH_OK); /* 3 reader batches */
    lh_delta_snapshot_t *s;
    lh_delta_wtxn_t *w = begin(&tb, &s);
    cb_ctx_t c = {0};
    lh_delta_rewrite_stats_t st;
    T_EQ_INT(lh_delta_wtxn_rewrite(w, lh_delta_snapshot_file(s, 0), keep_all, &c, 0, &st, &eb),
             LH_OK);
    T_EQ_INT(c.calls, 3);
    T_CHECK(!st.changed);
    T_EQ_INT(st.rows_read, 5000);
    T_EQ_INT(st.rows_written, 0);
    T_CHECK(!lh_delta_wtxn_changed(w));
    int64_t v = 99;
    T_EQ_INT(lh_delta_wtxn_commit(w, "DELETE", NULL, NULL, 0, &v, &eb), LH_OK);
    T_EQ_INT(v, -1); /* nothing staged: no version written */
    T_EQ_INT(latest_version(&tb), 0);
    T_EQ_INT(data_objects(&tb), 1);
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    /* EAGER: the caller said the file changes, so it is rewritten even if nothing does */
    w = begin(&tb, &s);
    T_EQ_INT(lh_delta_wtxn_rewrite(w, lh_delta_snapshot_file(lh_delta_wtxn_snapshot(w), 0),
                                   keep_all, &c, LH_DELTA_REWRITE_EAGER, &st, &eb),
             LH_OK);
    T_CHECK(st.changed);
    T_EQ_INT(st.rows_written, 5000);
    T_EQ_INT(lh_delta_wtxn_commit(w, "UPDATE", NULL, NULL, 0, &v, &eb), LH_OK);
    T_EQ_INT(v, 1);
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    static scanned_t sc;
    T_EQ_INT(scan_all(&tb, -1, &sc), LH_OK);
    T_EQ_INT(sc.n, 5000);
    tbl_close(&tb);
}

/* Delete the even ids from row first_change on; check the result and the commit. */
static void delete_even_from(int64_t first_change, lh_delta_rewrite_action action)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 5000, "x", NULL, &r, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    lh_delta_wtxn_t *w = begin(&tb, &s);
    cb_ctx_t c = {.first_change_row = first_change, .action = action};
    lh_delta_rewrite_stats_t st;
    const lh_delta_add_t *f = lh_delta_snapshot_file(s, 0);
    T_EQ_INT(lh_delta_wtxn_rewrite(w, f, select_even, &c, 0, &st, &eb), LH_OK);
    int64_t deleted = (5000 - first_change + 1) / 2;
    T_CHECK(st.changed);
    T_EQ_INT(st.rows_read, 5000);
    T_EQ_INT(st.rows_written, 5000 - deleted);
    int64_t v = -1;
    T_EQ_INT(lh_delta_wtxn_commit(w, "DELETE", "{\"predicate\":\"[\\\"x\\\"]\"}",
                                  "{\"numDeletedRows\":\"1\"}", 0, &v, &eb),
             LH_OK);
    T_EQ_INT(v, 1);
    int adds, removes, dc;
    commit_counts(&tb, 1, &adds, &removes, &dc);
    T_EQ_INT(adds, 1);
    T_EQ_INT(removes, 1);
    json_t *ci = commit_info(&tb, 1);
    T_EQ_STR(ci_str(ci, NULL, "operation"), "DELETE");
    T_EQ_STR(ci_str(ci, "operationParameters", "predicate"), "[\"x\"]");
    T_EQ_STR(ci_str(ci, "operationMetrics", "numDeletedRows"), "1");
    T_CHECK(json_is_false(json_object_get(ci, "isBlindAppend")));
    json_decref(ci);
    static scanned_t sc;
    T_EQ_INT(scan_all(&tb, -1, &sc), LH_OK);
    T_EQ_INT(sc.n, 5000 - deleted);
    bool ok = true;
    for (int i = 0; i < sc.n; i++) /* every odd id, and the even ids before first_change */
        ok &= sc.id[i] % 2 == 1 || sc.id[i] < first_change;
    T_CHECK(ok);
    T_EQ_INT(data_objects(&tb), 2); /* the old file stays for time travel */
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    tbl_close(&tb);
}

static void test_delete_some_rows(void)
{
    delete_even_from(0, LH_DELTA_REWRITE_DELETE_ROWS);
    delete_even_from(0, LH_DELTA_REWRITE_KEEP_ROWS);
    /* the first two batches are kept whole, the change starts in the third: the kept
     * batches are read again and written before it, in order */
    delete_even_from(4500, LH_DELTA_REWRITE_DELETE_ROWS);
}

/* The rows of the rewritten file come out in file order even after a replay. */
static void test_replay_keeps_row_order(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 5000, "x", NULL, &r, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    lh_delta_wtxn_t *w = begin(&tb, &s);
    /* only id 4998 goes, in the third batch: batches one and two are replayed */
    cb_ctx_t c = {.first_change_row = 4998, .action = LH_DELTA_REWRITE_DELETE_ROWS};
    T_EQ_INT(lh_delta_wtxn_rewrite(w, lh_delta_snapshot_file(s, 0), select_even, &c, 0, NULL, &eb),
             LH_OK);
    T_EQ_INT(lh_delta_wtxn_commit(w, "DELETE", NULL, NULL, 0, NULL, &eb), LH_OK);
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    s = latest(&tb);
    T_EQ_INT(lh_delta_snapshot_file_count(s), 1);
    lh_delta_reader_t *rd;
    T_EQ_INT(lh_delta_reader_open(tb.t, s, lh_delta_snapshot_file(s, 0), NULL, 0, &rd, &eb), LH_OK);
    const lh_batch_t *b;
    int64_t count = 0, prev = -1;
    bool ordered = true;
    while (lh_delta_reader_next(rd, &b, &eb) == LH_OK && b)
        for (size_t i = 0; i < b->row_count; i++, count++) {
            int64_t id = lh_vec_get_i64(b->cols[0], i);
            ordered &= id > prev && id != 4998;
            prev = id;
        }
    T_CHECK(ordered);
    T_EQ_INT(count, 4999);
    T_EQ_INT(prev, 4999);
    lh_delta_reader_close(rd);
    lh_delta_snapshot_release(s);
    tbl_close(&tb);
}

static void test_delete_all_rows_removes_file(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 100, "x", NULL, &r, &eb), LH_OK);
    T_EQ_INT(append_range(&tb, 100, 10, "x", NULL, &r, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    lh_delta_wtxn_t *w = begin(&tb, &s);
    cb_ctx_t c = {0};
    lh_delta_rewrite_stats_t st;
    T_EQ_INT(lh_delta_wtxn_rewrite(w, lh_delta_snapshot_file(s, 0), delete_all, &c, 0, &st, &eb),
             LH_OK);
    T_CHECK(st.changed);
    T_EQ_INT(st.rows_written, 0);
    int64_t v;
    T_EQ_INT(lh_delta_wtxn_commit(w, "DELETE", NULL, NULL, 0, &v, &eb), LH_OK);
    T_EQ_INT(v, 2);
    int adds, removes, dc;
    commit_counts(&tb, 2, &adds, &removes, &dc);
    T_EQ_INT(adds, 0);
    T_EQ_INT(removes, 1);
    T_EQ_INT(live_files(&tb), 1);
    T_EQ_INT(data_objects(&tb), 2); /* no new file was written */
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    tbl_close(&tb);
}

static void test_replace_batches(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 0, 3000, "a", &o, &r, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    lh_delta_wtxn_t *w = begin(&tb, &s);
    cb_ctx_t c = {0};
    c.out = lh_batch_create(lh_delta_snapshot_metadata(s)->schema, LH_BATCH_ROWS);
    lh_delta_rewrite_stats_t st;
    T_EQ_INT(lh_delta_wtxn_rewrite(w, lh_delta_snapshot_file(s, 0), negate_v, &c, 0, &st, &eb),
             LH_OK);
    T_EQ_INT(st.rows_written, 3000);
    T_EQ_INT(lh_delta_wtxn_commit(w, "UPDATE", NULL, NULL, 0, NULL, &eb), LH_OK);
    static scanned_t sc;
    T_EQ_INT(scan_all(&tb, -1, &sc), LH_OK);
    T_EQ_INT(sc.n, 3000);
    T_CHECK(sc.v[7] == -7.0 && sc.v[2999] == -2999.0);
    T_EQ_STR(sc.p[5], "a"); /* the partition value is carried through */
    lh_batch_destroy(c.out);
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    tbl_close(&tb);
}

/* ---- several files, inserts ----------------------------------------------------------------- */

static void test_several_files_one_transaction(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(append_range(&tb, 10, 10, "a", NULL, &r, &eb), LH_OK);
    T_EQ_INT(append_range(&tb, 20, 10, "b", NULL, &r, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    lh_delta_wtxn_t *w = begin(&tb, &s);
    const lh_delta_add_t **files;
    size_t n;
    T_EQ_INT(lh_delta_wtxn_scan_files(w, NULL, 0, &files, &n, &eb), LH_OK);
    T_EQ_INT(n, 3);
    int64_t written = 0;
    for (size_t i = 0; i < n; i++) {
        cb_ctx_t c = {.action = LH_DELTA_REWRITE_DELETE_ROWS};
        lh_delta_rewrite_stats_t st;
        T_EQ_INT(lh_delta_wtxn_rewrite(w, files[i], select_even, &c, 0, &st, &eb), LH_OK);
        written += st.rows_written;
    }
    free(files);
    /* plus two inserted rows, one per partition; only row 1 of 3 in the second batch */
    int64_t id[] = {100, 101, 102};
    const char *p[] = {"a", "b", "a"};
    double v[] = {1, 2, 3};
    rows_t rows;
    rows_init(&rows, 3, id, p, v, NULL);
    rows.per_batch = 3;
    const lh_batch_t *b;
    rows_next(&rows, &b, &eb);
    uint32_t sel[] = {0, 1};
    T_EQ_INT(lh_delta_wtxn_insert(w, b, sel, 2, &eb), LH_OK);
    rows_free(&rows);
    T_EQ_INT(written, 15);
    int64_t v_out;
    T_EQ_INT(lh_delta_wtxn_commit(w, "MERGE", NULL, NULL, 0, &v_out, &eb), LH_OK);
    int adds, removes, dc;
    commit_counts(&tb, v_out, &adds, &removes, &dc);
    T_EQ_INT(removes, 3);
    T_EQ_INT(adds, 2); /* one new file per partition, shared by rewrites and inserts */
    static scanned_t sc;
    T_EQ_INT(scan_all(&tb, -1, &sc), LH_OK);
    T_EQ_INT(sc.n, 17);
    T_EQ_INT(sc.id[15], 100);
    T_EQ_INT(sc.id[16], 101);
    T_EQ_STR(sc.p[16], "b");
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    tbl_close(&tb);
}

/* A transaction without a snapshot creates the table: metaData, then inserted rows. */
static void test_create_with_inserts(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_wtxn_t *w;
    T_EQ_INT(lh_delta_wtxn_begin(tb.t, NULL, NULL, &w, &eb), LH_OK);
    const lh_delta_add_t **files;
    size_t n;
    T_EQ_INT(lh_delta_wtxn_scan_files(w, NULL, 0, &files, &n, &eb), LH_E_STATE);
    int64_t id[] = {1, 2, 3};
    const char *p[] = {"a", "b", "a"};
    double v[] = {1, 2, 3};
    rows_t rows;
    rows_init(&rows, 3, id, p, v, NULL);
    const lh_batch_t *b;
    rows_next(&rows, &b, &eb);
    T_EQ_INT(lh_delta_wtxn_insert(w, b, NULL, 0, &eb), LH_E_STATE); /* no metadata yet */
    static const char *const parts[] = {"p"};
    lh_delta_metadata_t md;
    T_EQ_INT(lh_delta_metadata_init(&md, rows.schema, parts, 1, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(lh_delta_wtxn_txn(w), &md, &eb), LH_OK);
    lh_delta_metadata_clear(&md);
    T_EQ_INT(lh_delta_wtxn_insert(w, b, NULL, 0, &eb), LH_OK);
    int64_t ver = -1;
    T_EQ_INT(lh_delta_wtxn_commit(w, "CREATE TABLE AS SELECT", NULL, NULL, 0, &ver, &eb), LH_OK);
    T_EQ_INT(ver, 0);
    T_EQ_INT(live_files(&tb), 2); /* p=a and p=b */
    static scanned_t sc;
    T_EQ_INT(scan_all(&tb, -1, &sc), LH_OK);
    T_EQ_INT(sc.n, 3);
    rows_free(&rows);
    lh_delta_wtxn_destroy(w);
    tbl_close(&tb);
}

/* ---- abort ------------------------------------------------------------------------------------
 */

static void test_abort_leaves_no_files(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(append_range(&tb, 10, 10, "b", NULL, &r, &eb), LH_OK);
    for (int round = 0; round < 2; round++) {
        lh_delta_snapshot_t *s;
        lh_delta_wtxn_t *w = begin(&tb, &s);
        cb_ctx_t c = {.action = LH_DELTA_REWRITE_DELETE_ROWS};
        T_EQ_INT(
            lh_delta_wtxn_rewrite(w, lh_delta_snapshot_file(s, 0), select_even, &c, 0, NULL, &eb),
            LH_OK);
        T_EQ_INT(lh_delta_wtxn_flush(w, &eb), LH_OK); /* closed files, adds staged */
        T_EQ_INT(data_objects(&tb), 3);
        c = (cb_ctx_t){.action = LH_DELTA_REWRITE_DELETE_ROWS};
        T_EQ_INT(
            lh_delta_wtxn_rewrite(w, lh_delta_snapshot_file(s, 1), select_even, &c, 0, NULL, &eb),
            LH_OK); /* an open file in the output writer */
        if (round == 0) {
            lh_delta_wtxn_abort(w);
            T_EQ_INT(lh_delta_wtxn_flush(w, &eb), LH_E_STATE);
            T_EQ_INT(lh_delta_wtxn_commit(w, "DELETE", NULL, NULL, 0, NULL, &eb), LH_E_STATE);
        }
        lh_delta_wtxn_destroy(w); /* round 1: destroy without commit aborts */
        lh_delta_snapshot_release(s);
        T_EQ_INT(data_objects(&tb), 2);
        T_EQ_INT(latest_version(&tb), 1);
    }
    tbl_close(&tb);
}

/* ---- conflicts ------------------------------------------------------------------------------ */

/* Rewrite the p=a file (reading p = 'a'), let `race` commit, then commit. */
typedef lh_err (*race_fn)(tbl_t *tb, lh_errbuf *eb);

static lh_err rewrite_racing(tbl_t *tb, race_fn race, lh_errbuf *eb)
{
    lh_delta_snapshot_t *s;
    lh_delta_wtxn_t *w = begin(tb, &s);
    lh_value_t a = v_str("a");
    lh_delta_pred_t pa = {"p", LH_PQ_EQ, 1, &a};
    const lh_delta_add_t **files;
    size_t n;
    T_EQ_INT(lh_delta_wtxn_scan_files(w, &pa, 1, &files, &n, eb), LH_OK);
    T_EQ_INT(n, 1);
    cb_ctx_t c = {.action = LH_DELTA_REWRITE_DELETE_ROWS};
    T_EQ_INT(lh_delta_wtxn_rewrite(w, files[0], select_even, &c, 0, NULL, eb), LH_OK);
    free(files);
    lh_errbuf reb;
    T_EQ_INT(race(tb, &reb), LH_OK);
    lh_errbuf_clear(eb);
    lh_err e = lh_delta_wtxn_commit(w, "DELETE", NULL, NULL, 0, NULL, eb);
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    return e;
}

static lh_err append_b(tbl_t *tb, lh_errbuf *eb)
{
    lh_delta_op_result_t r;
    return append_range(tb, 500, 3, "b", NULL, &r, eb);
}

static lh_err append_a(tbl_t *tb, lh_errbuf *eb)
{
    lh_delta_op_result_t r;
    return append_range(tb, 600, 3, "a", NULL, &r, eb);
}

/* DELETE of the whole partition a: a remove of the file we rewrite, no add. */
static lh_err delete_a(tbl_t *tb, lh_errbuf *eb)
{
    lh_delta_op_result_t r;
    lh_value_t a = v_str("a");
    lh_delta_pred_t pr = {"p", LH_PQ_EQ, 1, &a};
    return lh_delta_delete(tb->t, &pr, 1, &r, eb);
}

static void setup_ab(tbl_t *tb, bool serializable)
{
    tbl_open(tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(append_range(tb, 10, 10, "b", NULL, &r, &eb), LH_OK);
    if (!serializable)
        return;
    /* delta.isolationLevel = Serializable through a metadata-only commit */
    lh_delta_snapshot_t *s = latest(tb);
    lh_delta_metadata_t md;
    T_EQ_INT(lh_delta_metadata_copy(lh_delta_snapshot_metadata(s), &md), LH_OK);
    lh_delta_map_t *conf = &md.configuration;
    conf->items = realloc(conf->items, (size_t)(conf->count + 1) * sizeof *conf->items);
    conf->items[conf->count].key = strdup("delta.isolationLevel");
    conf->items[conf->count++].value = strdup("Serializable");
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(tb->t, s, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    lh_delta_metadata_clear(&md);
    lh_delta_snapshot_release(s);
}

static void test_concurrent_append_races_rewrite(void)
{
    tbl_t tb;
    lh_errbuf eb;
    static scanned_t sc;
    /* WriteSerializable: a blind append never conflicts, even into the partition read */
    setup_ab(&tb, false);
    T_EQ_INT(rewrite_racing(&tb, append_a, &eb), LH_OK);
    T_EQ_INT(scan_all(&tb, -1, &sc), LH_OK);
    T_EQ_INT(sc.n, 5 + 10 + 3); /* odd ids of p=a, all of p=b, the racing append */
    tbl_close(&tb);
    /* Serializable: an append outside the partitions read is fine ... */
    setup_ab(&tb, true);
    T_EQ_INT(rewrite_racing(&tb, append_b, &eb), LH_OK);
    tbl_close(&tb);
    /* ... one into them fails the rewrite, which leaves nothing behind */
    setup_ab(&tb, true);
    size_t before = data_objects(&tb);
    T_EQ_INT(rewrite_racing(&tb, append_a, &eb), LH_E_CONFLICT);
    T_EQ_STR(lh_errbuf_code_name(&eb), "ConcurrentAppendException");
    T_EQ_INT(data_objects(&tb), before + 1); /* the winner's file only */
    tbl_close(&tb);
    /* a winner that removes the file we rewrote: ConcurrentDeleteRead */
    setup_ab(&tb, false);
    T_EQ_INT(rewrite_racing(&tb, delete_a, &eb), LH_E_CONFLICT);
    T_EQ_STR(lh_errbuf_code_name(&eb), "ConcurrentDeleteReadException");
    T_EQ_INT(scan_all(&tb, -1, &sc), LH_OK);
    T_EQ_INT(sc.n, 10); /* the winner's delete only */
    tbl_close(&tb);
}

/* ---- listing ----------------------------------------------------------------------------------
 */

static void test_scan_files_prunes_by_stats(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(&tb, 0, 10, "a", &o, &r, &eb), LH_OK);     /* a: 0..9 */
    T_EQ_INT(append_range(&tb, 100, 10, "a", NULL, &r, &eb), LH_OK); /* a: 100..109 */
    T_EQ_INT(append_range(&tb, 200, 10, "b", NULL, &r, &eb), LH_OK); /* b: 200..209 */
    int64_t id[] = {300, 301};
    const char *p[] = {"c", "c"};
    double v[] = {0, 0};
    bool vn[] = {true, true}; /* v all null: nullCount = numRecords */
    rows_t rows;
    rows_init(&rows, 2, id, p, v, vn);
    T_EQ_INT(lh_delta_append(tb.t, rows.schema, rows_next, &rows, NULL, &r, &eb), LH_OK);
    rows_free(&rows);
    lh_delta_snapshot_t *s;
    lh_delta_wtxn_t *w = begin(&tb, &s);
    const lh_delta_add_t **files;
    size_t n;
    lh_value_t k = v_long(150);
    lh_delta_pred_t gt = {"id", LH_PQ_GT, 1, &k};
    T_EQ_INT(lh_delta_wtxn_scan_files(w, &gt, 1, &files, &n, &eb), LH_OK);
    T_EQ_INT(n, 2); /* max id of the two p=a files is below 150 */
    for (size_t i = 0; i < n; i++)
        T_CHECK(strncmp(files[i]->path, "p=a/", 4) != 0);
    free(files);
    lh_value_t lo = v_long(5), a = v_str("a");
    lh_delta_pred_t both[] = {{"id", LH_PQ_LE, 1, &lo}, {"p", LH_PQ_EQ, 1, &a}};
    T_EQ_INT(lh_delta_wtxn_scan_files(w, both, 2, &files, &n, &eb), LH_OK);
    T_EQ_INT(n, 1); /* partition a, and only the file whose min id <= 5 */
    T_CHECK(n == 1 && strncmp(files[0]->path, "p=a/", 4) == 0);
    free(files);
    lh_value_t zero = v_double(0);
    lh_delta_pred_t veq = {"v", LH_PQ_EQ, 1, &zero};
    T_EQ_INT(lh_delta_wtxn_scan_files(w, &veq, 1, &files, &n, &eb), LH_OK);
    T_EQ_INT(n, 1); /* 0.0 is inside [0, 13.5] of the first file only; p=c is all null */
    free(files);
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    tbl_close(&tb);
}

/* ---- refusals ---------------------------------------------------------------------------------
 */

typedef struct bad_cb {
    int mode;
    uint32_t rows[4];
    lh_batch_t *batch;
} bad_cb_t;

static lh_err bad_answer(void *ctx, const lh_batch_t *b, lh_delta_rewrite_result_t *out,
                         lh_errbuf *eb)
{
    bad_cb_t *c = ctx;
    (void)eb;
    out->rows = c->rows;
    out->row_count = 2;
    if (c->mode == 0) { /* out of range */
        out->action = LH_DELTA_REWRITE_DELETE_ROWS;
        c->rows[0] = 0;
        c->rows[1] = (uint32_t)b->row_count;
    } else if (c->mode == 1) { /* not ascending */
        out->action = LH_DELTA_REWRITE_KEEP_ROWS;
        c->rows[0] = 1;
        c->rows[1] = 1;
    } else { /* a batch of the wrong shape */
        out->action = LH_DELTA_REWRITE_REPLACE;
        out->batch = c->batch;
    }
    return LH_OK;
}

static void test_refusals(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 10, "x", NULL, &r, &eb), LH_OK);
    lh_schema_t *wrong = lh_schema_create(3);
    lh_schema_set(wrong, 0, "id", (lh_type_t){.id = LH_TYPE_STRING}, true);
    lh_schema_set(wrong, 1, "p", (lh_type_t){.id = LH_TYPE_STRING}, true);
    lh_schema_set(wrong, 2, "v", (lh_type_t){.id = LH_TYPE_DOUBLE}, true);
    bad_cb_t c = {.batch = lh_batch_create(wrong, 4)};
    for (c.mode = 0; c.mode < 3; c.mode++) {
        lh_delta_snapshot_t *s;
        lh_delta_wtxn_t *w = begin(&tb, &s);
        T_EQ_INT(
            lh_delta_wtxn_rewrite(w, lh_delta_snapshot_file(s, 0), bad_answer, &c, 0, NULL, &eb),
            LH_E_INVALID);
        T_EQ_INT(lh_delta_wtxn_insert(w, c.batch, NULL, 0, &eb), LH_E_INVALID);
        lh_delta_wtxn_destroy(w);
        lh_delta_snapshot_release(s);
    }
    T_EQ_INT(data_objects(&tb), 1);
    /* a file that is not live in the snapshot, and use after commit */
    lh_delta_snapshot_t *s;
    lh_delta_wtxn_t *w = begin(&tb, &s);
    lh_delta_add_t ghost = *lh_delta_snapshot_file(s, 0);
    ghost.path = "part-00000-ghost.parquet";
    T_EQ_INT(lh_delta_wtxn_remove(w, &ghost, &eb), LH_E_INVALID);
    T_EQ_INT(lh_delta_wtxn_rewrite(w, &ghost, bad_answer, &c, 0, NULL, &eb), LH_E_INVALID);
    T_EQ_INT(lh_delta_wtxn_remove(w, lh_delta_snapshot_file(s, 0), &eb), LH_OK);
    T_EQ_INT(lh_delta_wtxn_commit(w, "DELETE", NULL, NULL, 0, NULL, &eb), LH_OK);
    T_EQ_INT(lh_delta_wtxn_remove(w, lh_delta_snapshot_file(s, 0), &eb), LH_E_STATE);
    lh_delta_wtxn_destroy(w);
    lh_delta_snapshot_release(s);
    T_EQ_INT(live_files(&tb), 0);
    lh_batch_destroy(c.batch);
    lh_schema_destroy(wrong);
    tbl_close(&tb);
}

/* ---- adapters ------------------------------------------------------------------------------ */

/* A failing operation aborts its write transaction: files it closed before the failure
 * are deleted (they used to stay as VACUUM garbage). */
static void test_failed_operation_leaves_no_files(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 10, "x", NULL, &r, &eb), LH_OK);
    /* replaceWhere id < 100; the 9th input row (id 100) does not satisfy it */
    int64_t id[] = {1, 2, 3, 4, 5, 6, 7, 8, 100};
    const char *p[] = {"x", "x", "x", "x", "x", "x", "x", "x", "x"};
    double v[9] = {0};
    rows_t rows;
    rows_init(&rows, 9, id, p, v, NULL);
    rows.per_batch = 2;
    lh_value_t hundred = v_long(100);
    lh_delta_pred_t rw = {"id", LH_PQ_LT, 1, &hundred};
    lh_delta_op_opts_t o;
    lh_delta_op_opts_default(&o);
    o.replace_where = &rw;
    o.replace_where_count = 1;
    o.write.target_file_rows = 3; /* files close (adds staged) before the bad row arrives */
    T_EQ_INT(lh_delta_overwrite(tb.t, rows.schema, rows_next, &rows, &o, &r, &eb), LH_E_INVALID);
    T_EQ_STR(lh_errbuf_code_name(&eb), "DELTA_REPLACE_WHERE_MISMATCH");
    rows_free(&rows);
    T_EQ_INT(data_objects(&tb), 1);
    T_EQ_INT(latest_version(&tb), 0);
    tbl_close(&tb);
}

int main(void)
{
    T_RUN(test_keep_all_is_a_noop);
    T_RUN(test_delete_some_rows);
    T_RUN(test_replay_keeps_row_order);
    T_RUN(test_delete_all_rows_removes_file);
    T_RUN(test_replace_batches);
    T_RUN(test_several_files_one_transaction);
    T_RUN(test_create_with_inserts);
    T_RUN(test_abort_leaves_no_files);
    T_RUN(test_concurrent_append_races_rewrite);
    T_RUN(test_scan_files_prunes_by_stats);
    T_RUN(test_refusals);
    T_RUN(test_failed_operation_leaves_no_files);
    return T_DONE();
}
