/*
 * test_meta.c - storage/meta: migrations, transactions, refusal of newer databases.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/lh-meta-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(path, sizeof path, "%s/meta.db", dir);
    T_RUN(test_migrate_and_tx);
    T_RUN(test_newer_refused);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return T_DONE();
}
