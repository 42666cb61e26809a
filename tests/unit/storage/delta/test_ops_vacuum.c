/*
 * test_ops_vacuum.c - VACUUM through storage/delta/ops.h: retention check, dry run, what
 * is deleted (tombstoned and untracked files past the retention) and what never is (live
 * files, recent tombstones, _delta_log, hidden paths), empty directories.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include "ops_test_util.h"
#include "storage/delta/delta_internal.h" /* lh_delta_map_set */

static void write_file(const char *dir, const char *rel, int64_t age_hours)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0755);
    *slash = '/';
    FILE *f = fopen(path, "w");
    fputs("junk", f);
    fclose(f);
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= (time_t)(age_hours * 3600);
    tv[1] = tv[0];
    utimes(path, tv);
}

static bool exists(const char *dir, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return access(path, F_OK) == 0;
}

static bool listed(const lh_delta_vacuum_result_t *v, const char *rel)
{
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->paths[i], rel) == 0)
            return true;
    return false;
}

/* Partitioned table whose p=a file was deleted (tombstoned now), plus untracked junk. */
static char *setup(tbl_t *tb)
{
    tbl_open(tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(append_range(tb, 10, 10, "b", NULL, &r, &eb), LH_OK);
    lh_delta_snapshot_t *s;
    T_EQ_INT(lh_delta_snapshot_latest(tb->t, &s, &eb), LH_OK);
    char *a_file = strdup(lh_delta_snapshot_file(s, 0)->path); /* p=a/... sorts first */
    lh_delta_snapshot_release(s);
    lh_value_t a = v_str("a");
    lh_delta_pred_t pr = {"p", LH_PQ_EQ, 1, &a};
    T_EQ_INT(lh_delta_delete(tb->t, &pr, 1, &r, &eb), LH_OK);
    write_file(tb->dir, "p=b/orphan-old.parquet", 200);
    write_file(tb->dir, "p=b/orphan-new.parquet", 0);
    write_file(tb->dir, "_hidden/old.parquet", 200);
    write_file(tb->dir, ".hidden-old", 200);
    return a_file;
}

static void test_vacuum_retention_check(void)
{
    tbl_t tb;
    char *a_file = setup(&tb);
    lh_errbuf eb;
    lh_delta_vacuum_result_t v;
    lh_errbuf_clear(&eb);
    T_EQ_INT(lh_delta_vacuum(tb.t, 1, false, false, &v, &eb), LH_E_INVALID);
    T_CHECK(strstr(eb.msg, "delta.deletedFileRetentionDuration") != NULL);
    T_CHECK(strstr(eb.msg, "retentionDurationCheck") != NULL);
    T_CHECK(exists(tb.dir, a_file));
    free(a_file);
    tbl_close(&tb);
}

static void test_vacuum_default_retention(void)
{
    tbl_t tb;
    char *a_file = setup(&tb);
    lh_errbuf eb;
    lh_delta_vacuum_result_t v;
    T_EQ_INT(lh_delta_vacuum(tb.t, -1, false, false, &v, &eb), LH_OK);
    /* only the week-old untracked file goes; the tombstone is recent */
    T_EQ_INT(v.count, 1);
    T_CHECK(listed(&v, "p=b/orphan-old.parquet"));
    T_CHECK(!exists(tb.dir, "p=b/orphan-old.parquet"));
    T_CHECK(exists(tb.dir, a_file));
    T_CHECK(exists(tb.dir, "_hidden/old.parquet") && exists(tb.dir, ".hidden-old"));
    lh_delta_vacuum_result_free(&v);
    free(a_file);
    tbl_close(&tb);
}

static void test_vacuum_dry_run_then_force(void)
{
    tbl_t tb;
    char *a_file = setup(&tb);
    lh_errbuf eb;
    lh_delta_vacuum_result_t v;
    usleep(5000);
    T_EQ_INT(lh_delta_vacuum(tb.t, 0, true, true, &v, &eb), LH_OK);
    T_EQ_INT(v.count, 3); /* the tombstoned file and both orphans */
    T_CHECK(listed(&v, a_file));
    T_CHECK(listed(&v, "p=b/orphan-new.parquet"));
    T_CHECK(v.bytes > 0);
    T_CHECK(exists(tb.dir, a_file)); /* dry run deletes nothing */
    lh_delta_vacuum_result_free(&v);
    T_EQ_INT(lh_delta_vacuum(tb.t, 0, false, true, &v, &eb), LH_OK);
    T_EQ_INT(v.count, 3);
    T_CHECK(!exists(tb.dir, a_file));
    T_CHECK(!exists(tb.dir, "p=a")); /* emptied partition directory removed */
    T_CHECK(v.dirs_removed >= 1);
    lh_delta_vacuum_result_free(&v);
    /* live data and the log are intact */
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 10);
    T_CHECK(exists(tb.dir, "_delta_log/00000000000000000000.json"));
    T_CHECK(exists(tb.dir, "_hidden/old.parquet"));
    free(a_file);
    tbl_close(&tb);
}

static void test_vacuum_table_retention_setting(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_schema_t *schema = test_schema();
    lh_delta_metadata_t md;
    memset(&md, 0, sizeof md);
    T_EQ_INT(lh_delta_metadata_init(&md, schema, NULL, 0, &eb), LH_OK);
    T_EQ_INT(lh_delta_map_set(&md.configuration, "delta.deletedFileRetentionDuration",
                              "interval 2 hours"),
             LH_OK);
    lh_delta_txn_t *x;
    T_EQ_INT(lh_delta_txn_begin(tb.t, NULL, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    lh_delta_metadata_clear(&md);
    lh_schema_destroy(schema);
    write_file(tb.dir, "orphan-3h.parquet", 3);
    lh_delta_vacuum_result_t v;
    T_EQ_INT(lh_delta_vacuum(tb.t, 1, false, false, &v, &eb), LH_E_INVALID);
    T_EQ_INT(lh_delta_vacuum(tb.t, -1, false, false, &v, &eb), LH_OK); /* 2 h floor */
    T_EQ_INT(v.count, 1);
    T_CHECK(!exists(tb.dir, "orphan-3h.parquet"));
    lh_delta_vacuum_result_free(&v);
    tbl_close(&tb);
}

int main(void)
{
    T_RUN(test_vacuum_retention_check);
    T_RUN(test_vacuum_default_retention);
    T_RUN(test_vacuum_dry_run_then_force);
    T_RUN(test_vacuum_table_retention_setting);
    return T_DONE();
}
