/*
 * test_golden_log.c - log replay over Spark's golden tables. Expected values were derived
 * by hand from each table's _delta_log (noted beside each check).
 */
#include "golden.h"

static lh_delta_snapshot_t *snap_at(gtable_t *g, int64_t v, lh_err want, lh_errbuf *eb)
{
    lh_delta_snapshot_t *s = NULL;
    lh_err e = v < 0 ? lh_delta_snapshot_latest(g->t, &s, eb)
                     : lh_delta_snapshot_at_version(g->t, v, &s, eb);
    T_EQ_INT(e, want);
    if (e != LH_OK && want == LH_OK)
        fprintf(stderr, "  error: %s\n", eb->msg);
    return s;
}

/* checkpoint: v0 adds "1"; each v_i (1..14) removes "i" and adds "i+1"; checkpoint at 10. */
static void check_checkpoint_table(gtable_t *g)
{
    lh_errbuf eb;
    lh_delta_snapshot_t *s = snap_at(g, -1, LH_OK, &eb);
    if (s == NULL)
        return;
    T_EQ_INT(lh_delta_snapshot_version(s), 14);
    T_EQ_INT(lh_delta_snapshot_file_count(s), 1);
    T_CHECK(has_file(s, "15"));
    T_EQ_INT(lh_delta_snapshot_tombstone_count(s), 14);
    T_EQ_STR(lh_delta_snapshot_metadata(s)->id, "testId");
    T_EQ_INT(lh_delta_snapshot_timestamp_ms(s), 1697495786458LL);
    lh_delta_snapshot_release(s);
    s = snap_at(g, 10, LH_OK, &eb);
    if (s == NULL)
        return;
    T_EQ_INT(lh_delta_snapshot_file_count(s), 1);
    T_CHECK(has_file(s, "11"));
    T_EQ_INT(lh_delta_snapshot_metadata(s)->schema->field_count, 1);
    T_EQ_STR(lh_delta_snapshot_metadata(s)->schema->fields[0].name, "intCol");
    lh_delta_snapshot_release(s);
}

static void test_checkpoint(void)
{
    gtable_t g;
    T_EQ_INT(gt_open(&g, "checkpoint"), 0);
    check_checkpoint_table(&g);
    lh_errbuf eb;
    lh_delta_snapshot_t *s = snap_at(&g, 5, LH_OK, &eb); /* before the checkpoint: JSON only */
    if (s) {
        T_CHECK(has_file(s, "6"));
        T_EQ_INT(lh_delta_snapshot_file_count(s), 1);
        lh_delta_snapshot_release(s);
    }
    gt_close(&g);
}

/* Without commits 0..9 the same state must come out of the Parquet checkpoint. */
static void test_checkpoint_only(void)
{
    gtable_t g;
    T_EQ_INT(gt_copy(&g, "checkpoint"), 0);
    char key[64];
    for (int v = 0; v < 10; v++) {
        snprintf(key, sizeof key, "_delta_log/%020d.json", v);
        T_EQ_INT(lh_objstore_delete(g.os, key, NULL), LH_OK);
    }
    check_checkpoint_table(&g);
    lh_errbuf eb;
    lh_delta_snapshot_t *s = snap_at(&g, 5, LH_E_NOT_FOUND, &eb); /* cleaned up */
    T_CHECK(s == NULL);
    /* and with a garbage _last_checkpoint: fall back to listing */
    T_EQ_INT(lh_objstore_put(g.os, "_delta_log/_last_checkpoint", "{\"vers", 6, NULL), LH_OK);
    check_checkpoint_table(&g);
    gt_close(&g);
}

/* corrupted-last-checkpoint: checkpoint at 10; commit v adds file "v" (0..10), no removes. */
static void test_corrupted_last_checkpoint(void)
{
    gtable_t g;
    T_EQ_INT(gt_copy(&g, "corrupted-last-checkpoint"), 0);
    lh_errbuf eb;
    lh_delta_snapshot_t *s = snap_at(&g, -1, LH_OK, &eb);
    if (s) {
        T_EQ_INT(lh_delta_snapshot_version(s), 10);
        T_EQ_INT(lh_delta_snapshot_file_count(s), 11);
        T_CHECK(has_file(s, "0") && has_file(s, "10"));
        lh_delta_snapshot_release(s);
    }
    /* a hint pointing at a checkpoint that does not exist, and then no hint at all */
    T_EQ_INT(lh_objstore_put(g.os, "_delta_log/_last_checkpoint", "{\"version\":7}", 13, NULL),
             LH_OK);
    s = snap_at(&g, -1, LH_OK, &eb);
    if (s) {
        T_EQ_INT(lh_delta_snapshot_file_count(s), 11);
        lh_delta_snapshot_release(s);
    }
    T_EQ_INT(lh_objstore_delete(g.os, "_delta_log/_last_checkpoint", NULL), LH_OK);
    s = snap_at(&g, -1, LH_OK, &eb);
    if (s) {
        T_EQ_INT(lh_delta_snapshot_file_count(s), 11);
        lh_delta_snapshot_release(s);
    }
    gt_close(&g);
}

/* multi-part-checkpoint: 2-part checkpoint at v1; _last_checkpoint says numOfAddFiles 10. */
static void test_multi_part_checkpoint(void)
{
    gtable_t g;
    T_EQ_INT(gt_copy(&g, "multi-part-checkpoint"), 0);
    T_EQ_INT(lh_objstore_delete(g.os, "_delta_log/00000000000000000000.json", NULL), LH_OK);
    lh_errbuf eb;
    lh_delta_snapshot_t *s = snap_at(&g, -1, LH_OK, &eb);
    if (s) {
        T_EQ_INT(lh_delta_snapshot_version(s), 1);
        T_EQ_INT(lh_delta_snapshot_file_count(s), 10);
        lh_delta_snapshot_release(s);
    }
    gt_close(&g);
}

static void test_errors(void)
{
    static const struct {
        const char *table;
        lh_err code;
        const char *needle;
    } cases[] = {
        {"versions-not-contiguous", LH_E_CORRUPT, "not contiguous"},
        {"deltalog-state-reconstruction-without-metadata", LH_E_CORRUPT, "metaData"},
        {"deltalog-state-reconstruction-without-protocol", LH_E_CORRUPT, "protocol"},
        {"deltalog-invalid-protocol-version", LH_E_UNSUPPORTED, "reader version 99"},
        {"no-delta-log-folder", LH_E_NOT_FOUND, "no Delta table"},
        {"dv-partitioned-with-checkpoint", LH_E_UNSUPPORTED, "deletionVectors"},
        {"dv-with-columnmapping", LH_E_UNSUPPORTED, "deletionVectors"},
        {"table-with-columnmapping-mode-name", LH_E_UNSUPPORTED, "columnMapping"},
        {"table-with-columnmapping-mode-id", LH_E_UNSUPPORTED, "columnMapping"},
        {"v2-checkpoint-json", LH_E_UNSUPPORTED, "v2Checkpoint"},
        {"v2-checkpoint-parquet", LH_E_UNSUPPORTED, "v2Checkpoint"},
        {"type-widening", LH_E_UNSUPPORTED, "typeWidening"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gtable_t g;
        lh_errbuf eb;
        lh_errbuf_clear(&eb);
        T_EQ_INT(gt_open(&g, cases[i].table), 0);
        lh_delta_snapshot_t *s = NULL;
        lh_err e = lh_delta_snapshot_latest(g.t, &s, &eb);
        if (e != cases[i].code || strstr(eb.msg, cases[i].needle) == NULL) {
            fprintf(stderr, "  %s: got %d '%s'\n", cases[i].table, e, eb.msg);
            T_CHECK(0);
        }
        T_CHECK(s == NULL);
        gt_close(&g);
    }
}

/* Accepted reader features: timestampNtz, vacuumProtocolCheck. */
static void test_accepted_features(void)
{
    const char *tables[] = {"data-reader-timestamp_ntz",
                            "basic-with-vacuum-protocol-check-feature"};
    for (int i = 0; i < 2; i++) {
        gtable_t g;
        lh_errbuf eb;
        T_EQ_INT(gt_open(&g, tables[i]), 0);
        lh_delta_snapshot_t *s = snap_at(&g, -1, LH_OK, &eb);
        T_CHECK(s && lh_delta_snapshot_file_count(s) > 0);
        if (s)
            T_EQ_INT(lh_delta_snapshot_check_writable(s, &eb), LH_E_UNSUPPORTED);
        lh_delta_snapshot_release(s);
        gt_close(&g);
    }
}

/* time-travel-start-start20-start40: v0, v1, v2 each add 2 files (ts ...9870, ...1190,
 * ...2561 in commitInfo). */
static void test_time_travel(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "time-travel-start-start20-start40"), 0);
    static const struct {
        int64_t ts;
        int64_t version;
    } cases[] = {{1603724019870LL, 0}, {1603724021189LL, 0}, {1603724021190LL, 1},
                 {1603724022560LL, 1}, {1603724022561LL, 2}, {4102444800000LL, 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lh_delta_snapshot_t *s = NULL;
        T_EQ_INT(lh_delta_snapshot_at_timestamp(g.t, cases[i].ts, &s, &eb), LH_OK);
        if (s) {
            T_EQ_INT(lh_delta_snapshot_version(s), cases[i].version);
            T_EQ_INT(lh_delta_snapshot_file_count(s), 2 * (cases[i].version + 1));
            lh_delta_snapshot_release(s);
        }
    }
    lh_delta_snapshot_t *s = NULL;
    T_EQ_INT(lh_delta_snapshot_at_timestamp(g.t, 1603724019869LL, &s, &eb), LH_E_INVALID);
    T_EQ_INT(lh_delta_snapshot_at_version(g.t, 3, &s, &eb), LH_E_NOT_FOUND);
    s = snap_at(&g, 1, LH_OK, &eb);
    if (s) {
        T_CHECK(has_file(s, "part-00000-632e29c6-fedf-4822-9223-233d6d8d9086-c000.snappy.parquet"));
        T_CHECK(has_file(s, "part-00000-c6271e23-2077-455c-94f9-52866f930213-c000.snappy.parquet"));
        lh_delta_snapshot_release(s);
    }
    lh_delta_history_entry_t *h;
    size_t n;
    T_EQ_INT(lh_delta_history(g.t, 0, &h, &n, &eb), LH_OK);
    T_EQ_INT(n, 3);
    if (n == 3) {
        T_EQ_INT(h[0].version, 2);
        T_EQ_INT(h[2].version, 0);
        T_EQ_INT(h[2].timestamp_ms, 1603724019870LL);
        T_CHECK(h[0].info.json != NULL && h[0].info.operation != NULL);
    }
    lh_delta_history_free(h, n);
    gt_close(&g);
}

/* time-travel-partition-changes-b: v0 adds 10 files by part5; v1 overwrites: 10 removes,
 * 4 adds by part2. */
static void test_time_travel_partitions(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "time-travel-partition-changes-b"), 0);
    lh_delta_snapshot_t *s0 = snap_at(&g, 0, LH_OK, &eb), *s1 = snap_at(&g, 1, LH_OK, &eb);
    if (s0 && s1) {
        const lh_delta_metadata_t *m0 = lh_delta_snapshot_metadata(s0);
        const lh_delta_metadata_t *m1 = lh_delta_snapshot_metadata(s1);
        T_EQ_INT(m0->partition_column_count, 1);
        T_EQ_STR(m0->partition_columns[0], "part5");
        T_EQ_INT(lh_delta_snapshot_file_count(s0), 10);
        T_EQ_INT(m1->partition_column_count, 1);
        T_EQ_STR(m1->partition_columns[0], "part2");
        T_EQ_INT(lh_delta_snapshot_file_count(s1), 4);
    }
    lh_delta_snapshot_release(s0);
    lh_delta_snapshot_release(s1);
    gt_close(&g);
}

/* data-reader-partition-values: 3 files, as_int 0, 1 and null; paths decode once. */
static void test_partition_values(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "data-reader-partition-values"), 0);
    lh_delta_snapshot_t *s = snap_at(&g, -1, LH_OK, &eb);
    if (s == NULL) {
        gt_close(&g);
        return;
    }
    T_EQ_INT(lh_delta_snapshot_file_count(s), 3);
    int nulls = 0, found_ts_dir = 0;
    for (size_t i = 0; i < lh_delta_snapshot_file_count(s); i++) {
        const lh_delta_add_t *f = lh_delta_snapshot_file(s, i);
        bool found;
        const char *v = lh_delta_map_get(&f->partition_values, "as_int", &found);
        T_CHECK(found);
        nulls += v == NULL;
        found_ts_dir += strstr(f->path, "as_timestamp=2021-09-08 11%3A11%3A11/") != NULL;
    }
    T_EQ_INT(nulls, 1);
    T_EQ_INT(found_ts_dir, 2);
    lh_value_t one = {.type = {LH_TYPE_INT, 0, 0}, .v.i64 = 1};
    lh_delta_pred_t eq = {"as_int", LH_PQ_EQ, 1, &one};
    const lh_delta_add_t **files;
    size_t n;
    T_EQ_INT(lh_delta_scan_files(s, &eq, 1, &files, &n, &eb), LH_OK);
    T_EQ_INT(n, 1);
    if (n == 1)
        T_EQ_STR(lh_delta_map_get(&files[0]->partition_values, "as_long", NULL), "1");
    free(files);
    lh_delta_pred_t lt = {"as_int", LH_PQ_LT, 1, &one}; /* null partition never matches */
    T_EQ_INT(lh_delta_scan_files(s, &lt, 1, &files, &n, &eb), LH_OK);
    T_EQ_INT(n, 1);
    free(files);
    lh_value_t d = {.type = {LH_TYPE_DATE, 0, 0}, .v.i64 = 18878}; /* 2021-09-08 */
    lh_delta_pred_t deq = {"as_date", LH_PQ_EQ, 1, &d};
    T_EQ_INT(lh_delta_scan_files(s, &deq, 1, &files, &n, &eb), LH_OK);
    T_EQ_INT(n, 2);
    free(files);
    lh_delta_snapshot_release(s);
    gt_close(&g);
}

/* data-reader-escaped-chars: value "bar+%21" lives in dir "_2=bar+%2521" (log: %252521). */
static void test_escaped_chars(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "data-reader-escaped-chars"), 0);
    lh_delta_snapshot_t *s = snap_at(&g, -1, LH_OK, &eb);
    if (s) {
        T_EQ_INT(lh_delta_snapshot_file_count(s), 3);
        const lh_delta_add_t *f = lh_delta_snapshot_file(s, 0);
        T_EQ_STR(
            f->path,
            "_2=bar+%2521/part-00000-af08f887-922f-4c31-82a7-8e142c4280a6.c000.snappy.parquet");
        T_EQ_STR(lh_delta_map_get(&f->partition_values, "_2", NULL), "bar+%21");
        char *esc = lh_delta_hive_escape("bar+%21");
        T_EQ_STR(esc, "bar+%2521");
        char *uri = lh_delta_uri_encode(f->path);
        T_CHECK(uri && strncmp(uri, "_2=bar+%252521/", 15) == 0);
        free(esc);
        free(uri);
        /* the file exists where the decoded path says */
        lh_obj_info_t st;
        T_EQ_INT(lh_objstore_stat(g.os, f->path, &st, &eb), LH_OK);
        lh_delta_snapshot_release(s);
    }
    char *e1 = lh_delta_hive_escape("2021-09-08 11:11:11");
    T_EQ_STR(e1, "2021-09-08 11%3A11%3A11");
    char *e2 = lh_delta_uri_encode(e1);
    T_EQ_STR(e2, "2021-09-08%2011%253A11%253A11");
    free(e1);
    free(e2);
    char *nul = lh_delta_hive_escape(NULL);
    T_EQ_STR(nul, "__HIVE_DEFAULT_PARTITION__");
    free(nul);
    T_CHECK(lh_delta_uri_decode("bad%2") == NULL);
    gt_close(&g);
}

/* snapshot-vacuumed: v5 leaves f95c1140 and 0b5675f1 (on disk); v3 needed 4 vacuumed files. */
static void test_snapshot_vacuumed(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "snapshot-vacuumed"), 0);
    lh_delta_snapshot_t *s = snap_at(&g, -1, LH_OK, &eb);
    if (s) {
        T_EQ_INT(lh_delta_snapshot_version(s), 5);
        T_EQ_INT(lh_delta_snapshot_file_count(s), 2);
        T_CHECK(has_file(s, "part-00000-f95c1140-7256-4bfa-b651-e7a7eb6208bb-c000.snappy.parquet"));
        T_CHECK(has_file(s, "part-00001-0b5675f1-d9b2-4240-914f-250ae37e8fa4-c000.snappy.parquet"));
        lh_delta_snapshot_release(s);
    }
    s = snap_at(&g, 3, LH_OK, &eb);
    if (s) {
        T_EQ_INT(lh_delta_snapshot_file_count(s), 4);
        T_CHECK(has_file(s, "part-00000-cb078bc1-0aeb-46ed-9cf8-74a843b32c8c-c000.snappy.parquet"));
        lh_delta_reader_t *r = NULL;
        T_EQ_INT(lh_delta_reader_open(g.t, s, lh_delta_snapshot_file(s, 0), NULL, 0, &r, &eb),
                 LH_E_NOT_FOUND);
        lh_delta_snapshot_release(s);
    }
    gt_close(&g);
}

/* delete-re-add-same-file-different-transactions: newest action per path wins. */
static void test_delete_re_add(void)
{
    gtable_t g;
    lh_errbuf eb;
    T_EQ_INT(gt_open(&g, "delete-re-add-same-file-different-transactions"), 0);
    lh_delta_snapshot_t *s = snap_at(&g, -1, LH_OK, &eb);
    if (s) {
        T_CHECK(lh_delta_snapshot_file_count(s) >= 1);
        for (size_t i = 0; i < lh_delta_snapshot_tombstone_count(s); i++)
            T_CHECK(!has_file(s, lh_delta_snapshot_tombstone(s, i)->path));
        lh_delta_snapshot_release(s);
    }
    gt_close(&g);
}

int main(void)
{
    T_RUN(test_checkpoint);
    T_RUN(test_checkpoint_only);
    T_RUN(test_corrupted_last_checkpoint);
    T_RUN(test_multi_part_checkpoint);
    T_RUN(test_errors);
    T_RUN(test_accepted_features);
    T_RUN(test_time_travel);
    T_RUN(test_time_travel_partitions);
    T_RUN(test_partition_values);
    T_RUN(test_escaped_chars);
    T_RUN(test_snapshot_vacuumed);
    T_RUN(test_delete_re_add);
    return T_DONE();
}
