/*
 * test_commit_check.c - the assertions of the Delta commit path (commit_check.c): a
 * staged action that breaks an invariant stops the process (LH_ASSERT, SIGABRT naming
 * commit_check.c) before anything is written, and the read-back of a committed version
 * must match what was staged. Each violation runs in a forked child; the parent checks
 * the signal, the message and that the log did not move.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "ops_test_util.h"
#include "storage/delta/delta_internal.h"
#include "storage/delta/rewrite.h"

/* Table partitioned by p: p=a ids 0..9 (version 0), p=b ids 10..19 (version 1). */
static void setup(tbl_t *tb)
{
    tbl_open(tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_delta_op_opts_t o = partitioned_by_p();
    T_EQ_INT(append_range(tb, 0, 10, "a", &o, &r, &eb), LH_OK);
    T_EQ_INT(append_range(tb, 10, 10, "b", NULL, &r, &eb), LH_OK);
}

typedef void (*violation_fn)(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s);

/* Run fn in a child (with a txn on the latest snapshot, then commit); true when the
 * child died of SIGABRT with an assertion message naming commit_check.c. */
static bool aborts(tbl_t *tb, violation_fn fn)
{
    char log[] = "/tmp/lh-check-XXXXXX";
    int fd = mkstemp(log);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        lh_errbuf eb;
        lh_delta_snapshot_t *s;
        lh_delta_txn_t *x;
        if (lh_delta_snapshot_latest(tb->t, &s, &eb) != LH_OK ||
            lh_delta_txn_begin(tb->t, s, &x, &eb) != LH_OK)
            _exit(3);
        fn(tb, x, s);
        lh_delta_txn_commit(x, NULL, &eb);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    char buf[512] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(log);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && strstr(buf, "assertion failed") &&
           strstr(buf, "commit_check.c");
}

/* A plausible new add for partition p=a. */
static lh_delta_add_t new_add(const char *path, lh_delta_map_t *pv, lh_delta_kv_t *kv)
{
    *kv = (lh_delta_kv_t){"p", "a"};
    *pv = (lh_delta_map_t){1, kv};
    return (lh_delta_add_t){.path = (char *)path,
                            .partition_values = *pv,
                            .size_bytes = 100,
                            .modification_time_ms = 1,
                            .data_change = true,
                            .stats = "{\"numRecords\":2,\"nullCount\":{\"v\":1}}"};
}

static void stage(lh_delta_txn_t *x, const lh_delta_add_t *a)
{
    lh_errbuf eb;
    if (lh_delta_txn_add_file(x, a, &eb) != LH_OK)
        _exit(4);
}

static void absolute_path(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_delta_map_t pv;
    lh_delta_kv_t kv;
    lh_delta_add_t a = new_add("/etc/part-0.parquet", &pv, &kv);
    stage(x, &a);
}

static void scheme_path(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_delta_map_t pv;
    lh_delta_kv_t kv;
    lh_delta_add_t a = new_add("s3://bucket/part-0.parquet", &pv, &kv);
    stage(x, &a);
}

static void dotdot_path(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_delta_map_t pv;
    lh_delta_kv_t kv;
    lh_delta_add_t a = new_add("p=a/../../part-0.parquet", &pv, &kv);
    stage(x, &a);
}

static void zero_size(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_delta_map_t pv;
    lh_delta_kv_t kv;
    lh_delta_add_t a = new_add("p=a/part-0.parquet", &pv, &kv);
    a.size_bytes = 0;
    stage(x, &a);
}

static void null_count_above_rows(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_delta_map_t pv;
    lh_delta_kv_t kv;
    lh_delta_add_t a = new_add("p=a/part-0.parquet", &pv, &kv);
    a.stats = "{\"numRecords\":2,\"nullCount\":{\"v\":3}}";
    stage(x, &a);
}

static void min_above_max(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_delta_map_t pv;
    lh_delta_kv_t kv;
    lh_delta_add_t a = new_add("p=a/part-0.parquet", &pv, &kv);
    a.stats = "{\"numRecords\":2,\"minValues\":{\"id\":5},\"maxValues\":{\"id\":4}}";
    stage(x, &a);
}

static void missing_partition_value(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_delta_map_t pv;
    lh_delta_kv_t kv;
    lh_delta_add_t a = new_add("p=a/part-0.parquet", &pv, &kv);
    kv.key = "q"; /* not the partition column */
    stage(x, &a);
}

static void add_and_remove_same_path(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_errbuf eb;
    const lh_delta_add_t *live = lh_delta_snapshot_file(s, 0);
    if (lh_delta_txn_remove_live(x, live, true, &eb) != LH_OK)
        _exit(4);
    stage(x, live); /* re-adding the file it removes (also: a live path) */
}

static void remove_not_live(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_errbuf eb;
    lh_delta_add_t ghost = *lh_delta_snapshot_file(s, 0);
    ghost.path = "p=a/part-ghost.parquet";
    if (lh_delta_txn_remove_live(x, &ghost, true, &eb) != LH_OK)
        _exit(4);
}

static void remove_wrong_size(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_errbuf eb;
    lh_delta_add_t f = *lh_delta_snapshot_file(s, 0);
    f.size_bytes += 1;
    if (lh_delta_txn_remove_live(x, &f, true, &eb) != LH_OK)
        _exit(4);
}

static void valid_add(tbl_t *tb, lh_delta_txn_t *x, const lh_delta_snapshot_t *s)
{
    lh_delta_map_t pv;
    lh_delta_kv_t kv;
    lh_delta_add_t a = new_add("p=a/part-new.parquet", &pv, &kv);
    stage(x, &a);
}

static void test_staged_violations_abort(void)
{
    tbl_t tb;
    setup(&tb);
    static const violation_fn bad[] = {
        absolute_path,
        scheme_path,
        dotdot_path,
        zero_size,
        null_count_above_rows,
        min_above_max,
        missing_partition_value,
        add_and_remove_same_path,
        remove_not_live,
        remove_wrong_size,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool a = aborts(&tb, bad[i]);
        if (!a)
            fprintf(stderr, "  violation %zu did not abort\n", i);
        T_CHECK(a);
    }
    int64_t v = -1;
    lh_errbuf eb;
    T_EQ_INT(lh_delta_latest_version(tb.t, &v, &eb), LH_OK);
    T_EQ_INT(v, 1);                   /* nothing was committed */
    T_CHECK(!aborts(&tb, valid_add)); /* the checks pass a well-formed add */
    T_EQ_INT(lh_delta_latest_version(tb.t, &v, &eb), LH_OK);
    T_EQ_INT(v, 2);
    tbl_close(&tb);
}

/* ---- read-back --------------------------------------------------------------------------- */

typedef struct readback {
    tbl_t *tb;
    int64_t version;
    const lh_delta_snapshot_t *read;
    const lh_delta_actions_t *staged;
    const char *operation;
} readback_t;

static bool readback_aborts(const readback_t *rb)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        lh_delta_check_committed(rb->tb->t, rb->version, rb->read,
                                 lh_delta_snapshot_metadata(rb->read), rb->staged, rb->operation);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void test_read_back_must_match_staged(void)
{
    tbl_t tb;
    setup(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    lh_value_t five = v_long(5);
    lh_delta_pred_t pr = {"id", LH_PQ_LT, 1, &five};
    T_EQ_INT(lh_delta_delete(tb.t, &pr, 1, &r, &eb), LH_OK); /* version 2: remove + add */
    lh_delta_snapshot_t *read;
    T_EQ_INT(lh_delta_snapshot_at_version(tb.t, 1, &read, &eb), LH_OK);
    lh_delta_actions_t staged;
    T_EQ_INT(lh_delta_read_commit(tb.t, 2, &staged, &eb), LH_OK);
    readback_t rb = {&tb, 2, read, &staged, "DELETE"};
    T_CHECK(!readback_aborts(&rb)); /* the version holds what it was built from */
    rb.operation = "UPDATE";
    T_CHECK(readback_aborts(&rb));
    rb.operation = "DELETE";
    for (size_t i = 0; i < staged.count; i++) {
        lh_delta_action_t *a = &staged.items[i];
        if (a->kind == LH_DELTA_ADD) {
            a->u.add.size_bytes++;
            T_CHECK(readback_aborts(&rb)); /* a size that differs */
            a->u.add.size_bytes--;
            a->u.add.data_change = !a->u.add.data_change;
            T_CHECK(readback_aborts(&rb));
            a->u.add.data_change = !a->u.add.data_change;
        }
    }
    T_CHECK(!readback_aborts(&rb));
    staged.count--; /* an action missing from the staged list */
    T_CHECK(readback_aborts(&rb));
    staged.count++;
    lh_delta_actions_free(&staged);
    lh_delta_snapshot_release(read);
    tbl_close(&tb);
}

int main(void)
{
    T_RUN(test_staged_violations_abort);
    T_RUN(test_read_back_must_match_staged);
    return T_DONE();
}
