/*
 * test_meta.c - storage/meta: migrations (applied once), transactions, refusal of newer
 * databases, the statement cache past the old fixed cap, reader connections (concurrent
 * with each other and with the writer, one snapshot per read, query_only), ":memory:".
 */
#include <pthread.h>
#include <sqlite3.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "storage/meta/meta.h"
#include "t.h"

static char dir[64];
static char path[128];

static lh_err insert_user(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_stmt_t *st;
    LH_TRY(lh_meta_stmt(m, "INSERT INTO users(user_name, created_at) VALUES (?, 1)", &st, eb));
    lh_stmt_bind_text(st, 1, arg);
    return lh_stmt_run(st, eb);
}

static lh_err insert_then_fail(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    LH_TRY(insert_user(m, arg, eb));
    LH_FAIL(LH_E_INVALID, eb, "fail after insert");
}

static lh_err count_users(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    lh_stmt_t *st;
    bool row;
    LH_TRY(lh_meta_stmt(m, "SELECT count(*) FROM users", &st, eb));
    LH_TRY(lh_stmt_step(st, &row, eb));
    *(int64_t *)arg = lh_stmt_int(st, 0);
    return LH_OK;
}

static void test_migrate_and_tx(void)
{
    lh_meta_t *m = NULL;
    lh_errbuf eb;
    T_EQ_INT(lh_meta_open(path, &m, &eb), LH_OK);
    T_EQ_INT(lh_meta_tx(m, insert_user, "alice", &eb), LH_OK);
    T_EQ_INT(lh_meta_tx(m, insert_user, "ALICE", &eb), LH_E_EXISTS);
    T_EQ_INT(lh_meta_tx(m, insert_then_fail, "bob", &eb), LH_E_INVALID);
    int64_t n = -1;
    T_EQ_INT(lh_meta_read(m, count_users, &n, &eb), LH_OK);
    T_EQ_INT(n, 1); /* bob rolled back */
    lh_meta_close(m);
    /* reopen: data kept, migrations not re-run */
    T_EQ_INT(lh_meta_open(path, &m, &eb), LH_OK);
    T_EQ_INT(lh_meta_read(m, count_users, &n, &eb), LH_OK);
    T_EQ_INT(n, 1);
    lh_meta_close(m);
}

static void test_newer_refused(void)
{
    sqlite3 *db;
    T_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", lh_meta_schema_version() + 1);
    T_EQ_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    lh_meta_t *m = NULL;
    lh_errbuf eb;
    T_CHECK(lh_meta_open(path, &m, &eb) != LH_OK);
    T_CHECK(strstr(eb.msg, "newer") != NULL);
    T_CHECK(m == NULL);
}

static int64_t user_version_of(const char *p)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_open(p, &db) != SQLITE_OK)
        return -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Reopening must not run a migration again (CREATE TABLE would fail) and keeps the
 * version; three opens in a row all succeed and leave one schema. */
static void test_migrations_once(void)
{
    lh_errbuf eb;
    for (int i = 0; i < 3; i++) {
        lh_meta_t *m = NULL;
        T_EQ_INT(lh_meta_open(path, &m, &eb), LH_OK);
        T_EQ_INT(lh_meta_reader_count(m), LH_META_READERS);
        lh_meta_close(m);
        T_EQ_INT(user_version_of(path), lh_meta_schema_version());
    }
}

/* 600 distinct statement texts on one connection: the old cache stopped at 256. */
static lh_err many_statements(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    char sql[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 600; i++) {
            snprintf(sql, sizeof sql, "SELECT %d + count(*) FROM users", i);
            lh_stmt_t *st;
            bool row;
            LH_TRY(lh_meta_stmt(m, sql, &st, eb)); /* sql is a stack buffer: copied */
            LH_TRY(lh_stmt_step(st, &row, eb));
            LH_FAIL_IF(!row || lh_stmt_int(st, 0) != i + *(int64_t *)arg, LH_E_INTERNAL, eb,
                       "wrong answer for %s", sql);
        }
    }
    LH_FAIL_IF(lh_meta_stmt_cached(m) < 600, LH_E_INTERNAL, eb, "only %zu cached",
               lh_meta_stmt_cached(m));
    return LH_OK;
}

static void test_stmt_cache_uncapped(void)
{
    lh_meta_t *m = NULL;
    lh_errbuf eb;
    T_EQ_INT(lh_meta_open(path, &m, &eb), LH_OK);
    int64_t n = 0;
    T_EQ_INT(lh_meta_read(m, count_users, &n, &eb), LH_OK);
    T_EQ_INT(lh_meta_tx(m, many_statements, &n, &eb), LH_OK);
    T_EQ_INT(lh_meta_read(m, many_statements, &n, &eb), LH_OK);
    lh_meta_close(m);
}

static lh_err write_in_read(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    return insert_user(m, arg, eb);
}

static void test_reader_is_query_only(void)
{
    lh_meta_t *m = NULL;
    lh_errbuf eb;
    T_EQ_INT(lh_meta_open(path, &m, &eb), LH_OK);
    T_CHECK(lh_meta_read(m, write_in_read, "sneaky", &eb) != LH_OK);
    int64_t n = -1, before = -1;
    T_EQ_INT(lh_meta_read(m, count_users, &before, &eb), LH_OK);
    T_EQ_INT(lh_meta_tx(m, insert_user, "carol", &eb), LH_OK);
    T_EQ_INT(lh_meta_read(m, count_users, &n, &eb), LH_OK); /* readers see the commit */
    T_EQ_INT(n, before + 1);
    lh_meta_close(m);
}

static void test_memory_db(void)
{
    lh_meta_t *m = NULL;
    lh_errbuf eb;
    T_EQ_INT(lh_meta_open(":memory:", &m, &eb), LH_OK);
    T_EQ_INT(lh_meta_reader_count(m), 0);
    T_EQ_INT(lh_meta_tx(m, insert_user, "mem", &eb), LH_OK);
    int64_t n = -1;
    T_EQ_INT(lh_meta_read(m, count_users, &n, &eb), LH_OK); /* reads run on the writer */
    T_EQ_INT(n, 1);
    lh_meta_close(m);
}

/* ---- concurrency ---- */

typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int arrived;      /* readers inside their callback */
    bool writer_done; /* the writer committed while they were inside */
    bool timed_out;
    int64_t seen[2]; /* counts each reader saw before and after the commit */
    int64_t seen2[2];
} gate;

static gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

/* Wait (at most 5 s) until pred holds; the gate's mutex is held. */
static bool gate_wait(bool (*pred)(void))
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    while (!pred()) {
        if (pthread_cond_timedwait(&g.cv, &g.mu, &ts) != 0) {
            g.timed_out = true;
            return false;
        }
    }
    return true;
}

static bool both_inside(void)
{
    return g.arrived == 2;
}

static bool writer_finished(void)
{
    return g.writer_done;
}

/* A reader: count, then wait inside the callback for the other reader (both readers must
 * be inside at once) and for the writer's commit, then count again in the same
 * snapshot. */
static lh_err reader_cb(lh_meta_t *m, void *arg, lh_errbuf *eb)
{
    int who = (int)(intptr_t)arg;
    LH_TRY(count_users(m, &g.seen[who], eb));
    pthread_mutex_lock(&g.mu);
    g.arrived++;
    pthread_cond_broadcast(&g.cv);
    bool ok = gate_wait(both_inside) && gate_wait(writer_finished);
    pthread_mutex_unlock(&g.mu);
    LH_FAIL_IF(!ok, LH_E_INTERNAL, eb, "timed out");
    return count_users(m, &g.seen2[who], eb);
}

static void *reader_thread(void *arg)
{
    lh_meta_t *m = ((void **)arg)[0];
    lh_errbuf eb;
    lh_err e = lh_meta_read(m, reader_cb, ((void **)arg)[1], &eb);
    return (void *)(intptr_t)e;
}

static void test_readers_beside_writer(void)
{
    lh_meta_t *m = NULL;
    lh_errbuf eb;
    T_EQ_INT(lh_meta_open(path, &m, &eb), LH_OK);
    int64_t before = -1;
    T_EQ_INT(lh_meta_read(m, count_users, &before, &eb), LH_OK);
    pthread_t th[2];
    void *args[2][2] = {{m, (void *)0}, {m, (void *)1}};
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, reader_thread, args[i]);
    pthread_mutex_lock(&g.mu);
    bool inside = gate_wait(both_inside); /* two reads in flight at once */
    pthread_mutex_unlock(&g.mu);
    T_CHECK(inside);
    /* the writer commits while both reads hold their snapshots */
    T_EQ_INT(lh_meta_tx(m, insert_user, "dave", &eb), LH_OK);
    pthread_mutex_lock(&g.mu);
    g.writer_done = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    for (int i = 0; i < 2; i++) {
        void *rc = NULL;
        pthread_join(th[i], &rc);
        T_EQ_INT((intptr_t)rc, LH_OK);
        T_EQ_INT(g.seen[i], before);
        T_EQ_INT(g.seen2[i], before); /* one snapshot per read */
    }
    T_CHECK(!g.timed_out);
    int64_t after = -1;
    T_EQ_INT(lh_meta_read(m, count_users, &after, &eb), LH_OK);
    T_EQ_INT(after, before + 1);
    lh_meta_close(m);
}

/* Many threads reading (more than the pool holds) while one writes: every read succeeds
 * and each thread's counts never go down. */
enum { STRESS_READERS = 3 * LH_META_READERS, STRESS_WRITES = 200 };

typedef struct stress {
    lh_meta_t *m;
    _Atomic bool stop;
    int failures;
} stress;

static void *stress_reader(void *arg)
{
    stress *s = arg;
    int64_t last = -1;
    int bad = 0;
    while (!s->stop) {
        int64_t n = -1;
        lh_errbuf eb;
        if (lh_meta_read(s->m, count_users, &n, &eb) != LH_OK || n < last)
            bad++;
        last = n;
    }
    return (void *)(intptr_t)bad;
}

static void test_stress_readers_and_writer(void)
{
    stress s = {0};
    lh_errbuf eb;
    T_EQ_INT(lh_meta_open(path, &s.m, &eb), LH_OK);
    int64_t before = 0;
    T_EQ_INT(lh_meta_read(s.m, count_users, &before, &eb), LH_OK);
    pthread_t th[STRESS_READERS];
    for (int i = 0; i < STRESS_READERS; i++)
        pthread_create(&th[i], NULL, stress_reader, &s);
    int write_failures = 0;
    for (int i = 0; i < STRESS_WRITES; i++) {
        char name[32];
        snprintf(name, sizeof name, "stress-%d", i);
        write_failures += lh_meta_tx(s.m, insert_user, name, &eb) != LH_OK;
    }
    s.stop = true;
    int bad = 0;
    for (int i = 0; i < STRESS_READERS; i++) {
        void *rc = NULL;
        pthread_join(th[i], &rc);
        bad += (int)(intptr_t)rc;
    }
    T_EQ_INT(write_failures, 0);
    T_EQ_INT(bad, 0);
    int64_t after = 0;
    T_EQ_INT(lh_meta_read(s.m, count_users, &after, &eb), LH_OK);
    T_EQ_INT(after, before + STRESS_WRITES);
    lh_meta_close(s.m);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/lh-meta-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(path, sizeof path, "%s/meta.db", dir);
    T_RUN(test_migrate_and_tx);
    T_RUN(test_migrations_once);
    T_RUN(test_stmt_cache_uncapped);
    T_RUN(test_reader_is_query_only);
    T_RUN(test_memory_db);
    T_RUN(test_readers_beside_writer);
    T_RUN(test_stress_readers_and_writer);
    T_RUN(test_newer_refused);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return T_DONE();
}
