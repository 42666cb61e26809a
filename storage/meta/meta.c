/*
 * meta.c - SQLite metastore: open + migrate, a serialized connection, cached statements.
 *
 * Open:
 *   1. sqlite3_open_v2 (FULLMUTEX off: our own mutex serializes), WAL, synchronous=NORMAL
 *      (WAL keeps commits atomic and durable to the last checkpoint-safe point; FULL for
 *      stricter durability is a pragma away), foreign_keys=ON, busy_timeout.
 *   2. user_version > known migrations -> refuse ("created by a newer lakehoused").
 *   3. Apply each missing migration in its own BEGIN IMMEDIATE .. COMMIT with the bump.
 */
#include "storage/meta/meta.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/meta/migrations.h"

#define STMT_CACHE_MAX  256
#define BUSY_TIMEOUT_MS 5000

struct lh_stmt {
    sqlite3_stmt *st;
    lh_meta_t *m;
    int bind_rc; /* first failed bind (SQLITE_NOMEM copying text), reported by the next step */
};

struct lh_meta {
    sqlite3 *db;
    pthread_mutex_t lock; /* guards db and the statement cache; never held across calls out */
    int stmt_count;
    struct {
        const char *sql; /* pointer identity, then text compare */
        lh_stmt_t stmt;
    } cache[STMT_CACHE_MAX];
};

static lh_err sql_fail(lh_meta_t *m, int rc, lh_errbuf *eb, const char *what)
{
    int ext = sqlite3_extended_errcode(m->db);
    if ((rc & 0xff) == SQLITE_CONSTRAINT &&
        (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY))
        LH_FAIL(LH_E_EXISTS, eb, "already exists (%s)", sqlite3_errmsg(m->db));
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        LH_FAIL(LH_E_INVALID, eb, "constraint failed (%s)", sqlite3_errmsg(m->db));
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        LH_FAIL(LH_E_LIMIT, eb, "metastore busy (%s)", what);
    if ((rc & 0xff) == SQLITE_NOMEM)
        LH_FAIL(LH_E_NOMEM, eb, "metastore %s: out of memory", what);
    LH_FAIL(LH_E_IO, eb, "metastore %s failed: %s", what, sqlite3_errmsg(m->db));
}

int lh_meta_schema_version(void)
{
    return lh_meta_migration_count;
}

static lh_err exec_raw(lh_meta_t *m, const char *sql, lh_errbuf *eb)
{
    char *msg = NULL;
    int rc = sqlite3_exec(m->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        lh_err e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "metastore: %s",
                              msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return e;
    }
    return LH_OK;
}

static lh_err read_user_version(lh_meta_t *m, int *out, lh_errbuf *eb)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(m->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(m, rc, eb, "read schema version");
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return LH_OK;
}

static lh_err migrate(lh_meta_t *m, lh_errbuf *eb)
{
    int have = 0;
    LH_TRY(read_user_version(m, &have, eb));
    LH_FAIL_IF(have > lh_meta_migration_count, LH_E_STATE, eb,
               "meta.db has schema version %d but this lakehoused knows only %d: it was "
               "written by a newer version; refusing to start",
               have, lh_meta_migration_count);
    for (int i = have; i < lh_meta_migration_count; i++) {
        const lh_migration_t *mg = &lh_meta_migrations[i];
        LH_ASSERT(mg->number == i + 1);
        LH_TRY(exec_raw(m, "BEGIN IMMEDIATE", eb));
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", mg->number);
        lh_err e = exec_raw(m, mg->sql, eb);
        if (e == LH_OK)
            e = exec_raw(m, bump, eb);
        if (e == LH_OK)
            e = exec_raw(m, "COMMIT", eb);
        if (e != LH_OK) {
            exec_raw(m, "ROLLBACK", NULL);
            return e;
        }
    }
    return LH_OK;
}

lh_err lh_meta_open(const char *path, lh_meta_t **out, lh_errbuf *eb)
{
    lh_meta_t *m = calloc(1, sizeof *m);
    LH_FAIL_IF(m == NULL, LH_E_NOMEM, eb, "out of memory");
    pthread_mutex_init(&m->lock, NULL);
    int rc = sqlite3_open_v2(
        path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    lh_err e = LH_OK;
    if (rc != SQLITE_OK) {
        e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "cannot open metastore %s: %s", path,
                       m->db ? sqlite3_errmsg(m->db) : sqlite3_errstr(rc));
    }
    if (e == LH_OK)
        sqlite3_busy_timeout(m->db, BUSY_TIMEOUT_MS);
    if (e == LH_OK)
        e = exec_raw(m,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                     "PRAGMA foreign_keys=ON;",
                     eb);
    if (e == LH_OK)
        e = migrate(m, eb);
    if (e != LH_OK) {
        lh_meta_close(m);
        return e;
    }
    *out = m;
    return LH_OK;
}

void lh_meta_close(lh_meta_t *m)
{
    if (m == NULL)
        return;
    for (int i = 0; i < m->stmt_count; i++)
        sqlite3_finalize(m->cache[i].stmt.st);
    if (m->db != NULL)
        sqlite3_close(m->db);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* Release every statement's read cursor so COMMIT and WAL checkpoints are not held up. */
static void reset_all(lh_meta_t *m)
{
    for (int i = 0; i < m->stmt_count; i++)
        sqlite3_reset(m->cache[i].stmt.st);
}

lh_err lh_meta_read(lh_meta_t *m, lh_meta_fn fn, void *arg, lh_errbuf *eb)
{
    pthread_mutex_lock(&m->lock);
    lh_err e = fn(m, arg, eb);
    reset_all(m);
    pthread_mutex_unlock(&m->lock);
    return e;
}

lh_err lh_meta_tx(lh_meta_t *m, lh_meta_fn fn, void *arg, lh_errbuf *eb)
{
    pthread_mutex_lock(&m->lock);
    lh_err e = exec_raw(m, "BEGIN IMMEDIATE", eb);
    if (e == LH_OK) {
        e = fn(m, arg, eb);
        reset_all(m);
        if (e == LH_OK)
            e = exec_raw(m, "COMMIT", eb);
        if (e != LH_OK)
            exec_raw(m, "ROLLBACK", NULL);
    }
    pthread_mutex_unlock(&m->lock);
    return e;
}

lh_err lh_meta_stmt(lh_meta_t *m, const char *sql, lh_stmt_t **out, lh_errbuf *eb)
{
    for (int i = 0; i < m->stmt_count; i++) {
        if (m->cache[i].sql == sql || strcmp(m->cache[i].sql, sql) == 0) {
            lh_stmt_t *s = &m->cache[i].stmt;
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
            s->bind_rc = SQLITE_OK;
            *out = s;
            return LH_OK;
        }
    }
    LH_FAIL_IF(m->stmt_count == STMT_CACHE_MAX, LH_E_INTERNAL, eb,
               "metastore statement cache full");
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(m->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(m, rc, eb, "prepare");
    int i = m->stmt_count++;
    m->cache[i].sql = sql;
    m->cache[i].stmt.st = st;
    m->cache[i].stmt.m = m;
    m->cache[i].stmt.bind_rc = SQLITE_OK;
    *out = &m->cache[i].stmt;
    return LH_OK;
}

lh_err lh_meta_exec(lh_meta_t *m, const char *sql, lh_errbuf *eb)
{
    lh_stmt_t *st = NULL;
    LH_TRY(lh_meta_stmt(m, sql, &st, eb));
    return lh_stmt_run(st, eb);
}

int64_t lh_meta_last_insert_id(lh_meta_t *m)
{
    return sqlite3_last_insert_rowid(m->db);
}

int lh_meta_changes(lh_meta_t *m)
{
    return sqlite3_changes(m->db);
}

/* Binds return nothing (a caller binds several values in a row); the first failure is kept
 * and fails the next step, so a value never silently becomes NULL. */
static void bound(lh_stmt_t *st, int rc)
{
    if (rc != SQLITE_OK && st->bind_rc == SQLITE_OK)
        st->bind_rc = rc;
}

void lh_stmt_bind_text(lh_stmt_t *st, int idx, const char *text)
{
    if (text == NULL)
        bound(st, sqlite3_bind_null(st->st, idx));
    else
        bound(st, sqlite3_bind_text(st->st, idx, text, -1, SQLITE_TRANSIENT));
}

void lh_stmt_bind_int(lh_stmt_t *st, int idx, int64_t v)
{
    bound(st, sqlite3_bind_int64(st->st, idx, v));
}

void lh_stmt_bind_double(lh_stmt_t *st, int idx, double v)
{
    bound(st, sqlite3_bind_double(st->st, idx, v));
}

void lh_stmt_bind_null(lh_stmt_t *st, int idx)
{
    bound(st, sqlite3_bind_null(st->st, idx));
}

lh_err lh_stmt_step(lh_stmt_t *st, bool *has_row, lh_errbuf *eb)
{
    *has_row = false;
    if (st->bind_rc == SQLITE_NOMEM)
        LH_FAIL(LH_E_NOMEM, eb, "metastore: out of memory binding a value");
    LH_FAIL_IF(st->bind_rc != SQLITE_OK, LH_E_INTERNAL, eb, "metastore: bind failed: %s",
               sqlite3_errstr(st->bind_rc));
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW) {
        *has_row = true;
        return LH_OK;
    }
    *has_row = false;
    if (rc == SQLITE_DONE)
        return LH_OK;
    lh_err e = sql_fail(st->m, rc, eb, "step");
    sqlite3_reset(st->st);
    return e;
}

lh_err lh_stmt_run(lh_stmt_t *st, lh_errbuf *eb)
{
    bool row = true;
    while (row)
        LH_TRY(lh_stmt_step(st, &row, eb));
    return LH_OK;
}

const char *lh_stmt_text(lh_stmt_t *st, int col)
{
    return (const char *)sqlite3_column_text(st->st, col);
}

int64_t lh_stmt_int(lh_stmt_t *st, int col)
{
    return sqlite3_column_int64(st->st, col);
}

double lh_stmt_double(lh_stmt_t *st, int col)
{
    return sqlite3_column_double(st->st, col);
}

bool lh_stmt_is_null(lh_stmt_t *st, int col)
{
    return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}
