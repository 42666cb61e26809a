/*
 * test_ops_concurrency.c - concurrent table operations (formats.md §2.7) at the ops level:
 *   - appends from two processes and from two threads: every append commits exactly once;
 *   - an operation that commits while another is between its snapshot and its commit
 *     (injected from inside the second one's input stream, so the race is deterministic):
 *       overwrite vs overwrite  -> the later one fails with LH_E_CONFLICT and an error_code
 *                                  naming the Delta exception; nothing of it is visible;
 *       overwrite vs blind append, append vs delete -> both commit (WriteSerializable: a
 *                                  blind append never conflicts) and no row is lost;
 *       overwrite vs blind append on a table with delta.isolationLevel = Serializable ->
 *                                  the overwrite fails with ConcurrentAppendException.
 */
#include <pthread.h>
#include <sys/wait.h>

#include "ops_test_util.h"

enum { ROUNDS = 12, ROWS = 5 };

static void append_rounds(tbl_t *tb, int64_t base, int *failures)
{
    for (int i = 0; i < ROUNDS; i++) {
        lh_errbuf eb;
        lh_delta_op_result_t r;
        if (append_range(tb, base + i * ROWS, ROWS, "x", NULL, &r, &eb) != LH_OK) {
            fprintf(stderr, "  append: %s\n", eb.msg);
            (*failures)++;
        }
    }
}

static void check_all_once(tbl_t *tb, int writers)
{
    static scanned_t s;
    T_EQ_INT(scan_all(tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, writers * ROUNDS * ROWS);
    for (int i = 1; i < s.n; i++)
        T_CHECK(s.id[i] != s.id[i - 1]);
    int64_t latest = -1;
    lh_errbuf eb;
    T_EQ_INT(lh_delta_latest_version(tb->t, &latest, &eb), LH_OK);
    T_EQ_INT(latest, writers * ROUNDS); /* version 0 created the table */
}

static void create_empty(tbl_t *tb)
{
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(tb, -1000, 0, "x", NULL, &r, &eb), LH_OK);
}

static void test_two_processes_append(void)
{
    tbl_t tb;
    tbl_open(&tb);
    create_empty(&tb);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            tbl_t mine; /* a fresh store and table handle in the child */
            memset(&mine, 0, sizeof mine);
            snprintf(mine.dir, sizeof mine.dir, "%s", tb.dir);
            lh_errbuf eb;
            if (lh_objstore_local_create(mine.dir, &mine.os, &eb) != LH_OK ||
                lh_delta_table_open(mine.os, "", &mine.t, &eb) != LH_OK)
                _exit(3);
            int failures = 0;
            append_rounds(&mine, (k + 1) * 100000, &failures);
            _exit(failures ? 1 : 0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int st = -1;
        waitpid(kids[k], &st, 0);
        T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    check_all_once(&tb, 2);
    tbl_close(&tb);
}

typedef struct worker {
    tbl_t *tb;
    int64_t base;
    int failures;
} worker_t;

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    append_rounds(w->tb, w->base, &w->failures);
    return NULL;
}

static void test_two_threads_append(void)
{
    tbl_t tb;
    tbl_open(&tb);
    create_empty(&tb);
    /* a second handle on the same store: handles share the commit lock registry */
    tbl_t tb2 = tb;
    lh_errbuf eb;
    T_EQ_INT(lh_delta_table_open(tb.os, "", &tb2.t, &eb), LH_OK);
    worker_t w[2] = {{&tb, 100000, 0}, {&tb2, 200000, 0}};
    pthread_t th[2];
    for (int k = 0; k < 2; k++)
        pthread_create(&th[k], NULL, worker_main, &w[k]);
    for (int k = 0; k < 2; k++)
        pthread_join(th[k], NULL);
    T_EQ_INT(w[0].failures + w[1].failures, 0);
    check_all_once(&tb, 2);
    lh_delta_table_close(tb2.t);
    tbl_close(&tb);
}

/* ---- deterministic races: the other operation runs inside our input stream ---------------- */

typedef enum { RACE_OVERWRITE, RACE_APPEND, RACE_DELETE } race_kind;

typedef struct racer {
    rows_t rows;
    tbl_t *tb;
    race_kind kind;
    bool fired;
    lh_err inner_err;
} racer_t;

static lh_err racer_next(void *ctx, const lh_batch_t **out, lh_errbuf *eb)
{
    racer_t *rc = ctx;
    if (!rc->fired) {
        rc->fired = true;
        lh_errbuf ieb;
        lh_delta_op_result_t r;
        if (rc->kind == RACE_APPEND) {
            rc->inner_err = append_range(rc->tb, 500, 3, "x", NULL, &r, &ieb);
        } else if (rc->kind == RACE_DELETE) {
            lh_value_t two = v_long(2);
            lh_delta_pred_t pr = {"id", LH_PQ_LT, 1, &two};
            rc->inner_err = lh_delta_delete(rc->tb->t, &pr, 1, &r, &ieb);
        } else {
            int64_t id[] = {900};
            const char *p[] = {"w"};
            double v[] = {0};
            rows_t w;
            rows_init(&w, 1, id, p, v, NULL);
            rc->inner_err = lh_delta_overwrite(rc->tb->t, w.schema, rows_next, &w, NULL, &r, &ieb);
            rows_free(&w);
        }
    }
    return rows_next(&rc->rows, out, eb);
}

static lh_err race(tbl_t *tb, race_kind kind, bool outer_overwrite, lh_errbuf *eb, racer_t *rc)
{
    int64_t id[] = {700, 701};
    const char *p[] = {"o", "o"};
    double v[] = {7, 7};
    memset(rc, 0, sizeof *rc);
    rows_init(&rc->rows, 2, id, p, v, NULL);
    rc->tb = tb;
    rc->kind = kind;
    lh_delta_op_result_t r;
    lh_errbuf_clear(eb);
    lh_err e = outer_overwrite
                   ? lh_delta_overwrite(tb->t, rc->rows.schema, racer_next, rc, NULL, &r, eb)
                   : lh_delta_append(tb->t, rc->rows.schema, racer_next, rc, NULL, &r, eb);
    rows_free(&rc->rows);
    return e;
}

static void test_overwrite_races_overwrite(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 10, "x", NULL, &r, &eb), LH_OK);
    racer_t rc;
    T_EQ_INT(race(&tb, RACE_OVERWRITE, true, &eb, &rc), LH_E_CONFLICT);
    T_EQ_INT(rc.inner_err, LH_OK);
    T_EQ_STR(lh_errbuf_code_name(&eb), "ConcurrentAppendException");
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 1); /* the winner's row only; the loser left nothing visible */
    T_EQ_INT(s.id[0], 900);
    tbl_close(&tb);
}

static void test_overwrite_races_blind_append(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 10, "x", NULL, &r, &eb), LH_OK);
    racer_t rc;
    T_EQ_INT(race(&tb, RACE_APPEND, true, &eb, &rc), LH_OK);
    T_EQ_INT(rc.inner_err, LH_OK);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 5); /* appended 500..502 survive the overwrite, plus 700, 701 */
    T_EQ_INT(s.id[0], 500);
    T_EQ_INT(s.id[4], 701);
    tbl_close(&tb);
}

/* Set delta.isolationLevel = Serializable with a metadata-only commit. */
static void make_serializable(tbl_t *tb)
{
    lh_errbuf eb;
    lh_delta_snapshot_t *snap = NULL;
    T_EQ_INT(lh_delta_snapshot_latest(tb->t, &snap, &eb), LH_OK);
    lh_delta_metadata_t md;
    memset(&md, 0, sizeof md);
    T_EQ_INT(lh_delta_metadata_copy(lh_delta_snapshot_metadata(snap), &md), LH_OK);
    lh_delta_map_t *cfg = &md.configuration;
    cfg->items = realloc(cfg->items, (size_t)(cfg->count + 1) * sizeof *cfg->items);
    cfg->items[cfg->count].key = strdup("delta.isolationLevel");
    cfg->items[cfg->count].value = strdup("Serializable");
    cfg->count++;
    lh_delta_txn_t *x = NULL;
    T_EQ_INT(lh_delta_txn_begin(tb->t, snap, &x, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_operation(x, "SET TBLPROPERTIES", NULL, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_set_metadata(x, &md, &eb), LH_OK);
    T_EQ_INT(lh_delta_txn_commit(x, NULL, &eb), LH_OK);
    lh_delta_txn_destroy(x);
    lh_delta_metadata_clear(&md);
    lh_delta_snapshot_release(snap);
}

static void test_serializable_overwrite_races_blind_append(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 10, "x", NULL, &r, &eb), LH_OK);
    make_serializable(&tb);
    racer_t rc;
    T_EQ_INT(race(&tb, RACE_APPEND, true, &eb, &rc), LH_E_CONFLICT);
    T_EQ_INT(rc.inner_err, LH_OK);
    T_EQ_STR(lh_errbuf_code_name(&eb), "ConcurrentAppendException");
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 13); /* the 10 old rows and the 3 appended; the overwrite left nothing */
    tbl_close(&tb);
}

static void test_append_races_delete(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 10, "x", NULL, &r, &eb), LH_OK);
    racer_t rc;
    T_EQ_INT(race(&tb, RACE_DELETE, false, &eb, &rc), LH_OK);
    T_EQ_INT(rc.inner_err, LH_OK);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 10); /* 2..9 and 700, 701 */
    T_EQ_INT(s.id[0], 2);
    tbl_close(&tb);
}

static void test_delete_races_overwrite(void)
{
    tbl_t tb;
    tbl_open(&tb);
    lh_errbuf eb;
    lh_delta_op_result_t r;
    T_EQ_INT(append_range(&tb, 0, 10, "x", NULL, &r, &eb), LH_OK);
    /* outer overwrite, inner delete of the same file: the overwrite loses */
    racer_t rc;
    T_EQ_INT(race(&tb, RACE_DELETE, true, &eb, &rc), LH_E_CONFLICT);
    T_CHECK(strstr(lh_errbuf_code_name(&eb), "Concurrent") != NULL);
    static scanned_t s;
    T_EQ_INT(scan_all(&tb, -1, &s), LH_OK);
    T_EQ_INT(s.n, 8);
    tbl_close(&tb);
}

int main(void)
{
    T_RUN(test_two_processes_append);
    T_RUN(test_two_threads_append);
    T_RUN(test_overwrite_races_overwrite);
    T_RUN(test_overwrite_races_blind_append);
    T_RUN(test_serializable_overwrite_races_blind_append);
    T_RUN(test_append_races_delete);
    T_RUN(test_delete_races_overwrite);
    return T_DONE();
}
