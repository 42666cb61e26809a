/*
 * meta.c - SQLite metastore: open + migrate, one writer and a pool of reader connections
 * (WAL), per-connection statement caches.
 *
 * Open:
 *   1. the writer: sqlite3_open_v2 (NOMUTEX: our locks serialize each connection), WAL,
 *      synchronous=NORMAL (WAL keeps commits atomic and durable to the last
 *      checkpoint-safe point; FULL for stricter durability is a pragma away),
 *      foreign_keys=ON, busy_timeout;
 *   2. user_version > known migrations -> refuse ("created by a newer lakehoused");
 *   3. apply each missing migration in its own BEGIN IMMEDIATE .. COMMIT with the bump;
 *   4. LH_META_READERS reader connections on the same file, query_only=1. A database with
 *      no shared file (":memory:", "" = private temp) gets no readers: reads then run on
 *      the writer, serialized with it.
 *
 * Connections and handles: every connection owns a view (an lh_meta_t whose conn is set)
 * that callbacks receive, so lh_meta_stmt / lh_meta_changes / lh_meta_last_insert_id act
 * on the connection the callback runs on. The handle lh_meta_open returns has no
 * connection. Each lh_meta_read / lh_meta_tx is one SQLite transaction (reads: BEGIN
 * DEFERRED, one snapshot for all of the callback's statements); statements the callback
 * touched are reset before it ends, so no read cursor outlives the call.
 *
 * Locks (see meta.h for the caller-side order): writer_mu guards the writer connection
 * and its cache; pool_mu guards the readers' busy flags (held only to pick or return a
 * reader, never while SQLite runs); a reader in use belongs to one thread alone. A thread
 * never holds two connections.
 */
#include "storage/meta/meta.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/limits.h"
#include "storage/meta/migrations.h"

#define BUSY_TIMEOUT_MS 5000

typedef struct meta_conn meta_conn;
typedef struct meta_root meta_root;

struct lh_meta { /* a handle: the root (conn NULL) or a connection's view */
    meta_root *root;
    meta_conn *conn;
};

struct lh_stmt {
    sqlite3_stmt *st;
    meta_conn *conn;
    bool touched; /* on conn->touched during the current call */
    int bind_rc;  /* first failed bind (SQLITE_NOMEM copying text), reported by the next step */
};

struct meta_conn {
    sqlite3 *db;
    lh_hashmap_t *stmts; /* SQL text (owned copy) -> lh_stmt_t * (owned); no cap */
    lh_stmt_t **touched; /* statements used by the running callback, reset at its end */
    size_t touched_count, touched_cap;
    bool busy; /* readers: taken (guarded by root.pool_mu) */
    lh_meta_t view;
};

struct meta_root {
    lh_meta_t handle;          /* what lh_meta_open returns */
    pthread_mutex_t writer_mu; /* the writer connection; one transaction at a time */
    meta_conn writer;
    pthread_mutex_t pool_mu; /* readers[].busy */
    pthread_cond_t pool_cv;  /* signalled when a reader is returned */
    int reader_count;
    meta_conn readers[LH_META_READERS];
};

static void stmt_free(void *v)
{
    lh_stmt_t *s = v;
    sqlite3_finalize(s->st);
    free(s);
}

static void sql_free(void *k)
{
    free(k);
}

static const lh_hashmap_type STMT_MAP = {lh_hash_str, lh_equal_str, sql_free, stmt_free};

static lh_err sql_fail(sqlite3 *db, int rc, lh_errbuf *eb, const char *what)
{
    int ext = sqlite3_extended_errcode(db);
    if ((rc & 0xff) == SQLITE_CONSTRAINT &&
        (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY))
        LH_FAIL(LH_E_EXISTS, eb, "already exists (%s)", sqlite3_errmsg(db));
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        LH_FAIL(LH_E_INVALID, eb, "constraint failed (%s)", sqlite3_errmsg(db));
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        LH_FAIL(LH_E_LIMIT, eb, "metastore busy (%s)", what);
    if ((rc & 0xff) == SQLITE_NOMEM)
        LH_FAIL(LH_E_NOMEM, eb, "metastore %s: out of memory", what);
    LH_FAIL(LH_E_IO, eb, "metastore %s failed: %s", what, sqlite3_errmsg(db));
}

int lh_meta_schema_version(void)
{
    return lh_meta_migration_count;
}

static lh_err exec_raw(sqlite3 *db, const char *sql, lh_errbuf *eb)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        lh_err e = lh_err_set(eb, LH_E_IO, __FILE__, __LINE__, "metastore: %s",
                              msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return e;
    }
    return LH_OK;
}

static lh_err read_user_version(sqlite3 *db, int *out, lh_errbuf *eb)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(db, rc, eb, "read schema version");
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return LH_OK;
}

static lh_err migrate(sqlite3 *db, lh_errbuf *eb)
{
    int have = 0;
    LH_TRY(read_user_version(db, &have, eb));
    LH_FAIL_IF(have > lh_meta_migration_count, LH_E_STATE, eb,
               "meta.db has schema version %d but this lakehoused knows only %d: it was "
               "written by a newer version; refusing to start",
               have, lh_meta_migration_count);
    for (int i = have; i < lh_meta_migration_count; i++) {
        const lh_migration_t *mg = &lh_meta_migrations[i];
        LH_ASSERT(mg->number == i + 1);
        LH_TRY(exec_raw(db, "BEGIN IMMEDIATE", eb));
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", mg->number);
        lh_err e = exec_raw(db, mg->sql, eb);
        if (e == LH_OK)
            e = exec_raw(db, bump, eb);
        if (e == LH_OK)
            e = exec_raw(db, "COMMIT", eb);
        if (e != LH_OK) {
            exec_raw(db, "ROLLBACK", NULL);
            return e;
        }
    }
    return LH_OK;
}

/* Open one connection of root on path with the given pragmas. */
static lh_err conn_open(meta_root *r, meta_conn *c, const char *path, int flags,
                        const char *pragmas, lh_errbuf *eb)
{
    c->view.root = r;
    c->view.conn = c;
    c->stmts = lh_hashmap_create(&STMT_MAP, 64);
    LH_FAIL_IF(c->stmts == NULL, LH_E_NOMEM, eb, "out of memory");
    int rc = sqlite3_open_v2(path, &c->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    LH_FAIL_IF(rc != SQLITE_OK, LH_E_IO, eb, "cannot open metastore %s: %s", path,
               c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    return exec_raw(c->db, pragmas, eb);
}

static void conn_close(meta_conn *c)
{
    lh_hashmap_destroy(c->stmts); /* finalizes every cached statement */
    free(c->touched);
    if (c->db != NULL)
        sqlite3_close(c->db);
    memset(c, 0, sizeof *c);
}

/* Paths whose database each connection would see privately: no readers for those. */
static bool is_private_db(const char *path)
{
    return path[0] == '\0' || strcmp(path, ":memory:") == 0;
}

static lh_err open_all(meta_root *r, const char *path, lh_errbuf *eb)
{
    LH_TRY(conn_open(r, &r->writer, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                     "PRAGMA foreign_keys=ON;",
                     eb));
    LH_TRY(migrate(r->writer.db, eb));
    if (is_private_db(path))
        return LH_OK;
    for (int i = 0; i < LH_META_READERS; i++) {
        LH_TRY(conn_open(r, &r->readers[i], path, SQLITE_OPEN_READWRITE,
                         "PRAGMA query_only=1; PRAGMA foreign_keys=ON;", eb));
        r->reader_count++;
    }
    return LH_OK;
}

lh_err lh_meta_open(const char *path, lh_meta_t **out, lh_errbuf *eb)
{
    meta_root *r = calloc(1, sizeof *r);
    LH_FAIL_IF(r == NULL, LH_E_NOMEM, eb, "out of memory");
    r->handle.root = r;
    pthread_mutex_init(&r->writer_mu, NULL);
    pthread_mutex_init(&r->pool_mu, NULL);
    pthread_cond_init(&r->pool_cv, NULL);
    lh_err e = open_all(r, path, eb);
    if (e != LH_OK) {
        lh_meta_close(&r->handle);
        return e;
    }
    *out = &r->handle;
    return LH_OK;
}

void lh_meta_close(lh_meta_t *m)
{
    if (m == NULL)
        return;
    meta_root *r = m->root;
    LH_ASSERT(m == &r->handle);
    for (int i = 0; i < LH_META_READERS; i++)
        conn_close(&r->readers[i]);
    conn_close(&r->writer);
    pthread_cond_destroy(&r->pool_cv);
    pthread_mutex_destroy(&r->pool_mu);
    pthread_mutex_destroy(&r->writer_mu);
    free(r);
}

/* Reset the statements the callback used, so no read cursor outlives the call (COMMIT
 * and WAL checkpoints are not held up). */
static void reset_touched(meta_conn *c)
{
    for (size_t i = 0; i < c->touched_count; i++) {
        sqlite3_reset(c->touched[i]->st);
        c->touched[i]->touched = false;
    }
    c->touched_count = 0;
}

/* Run fn as one transaction opened by `begin` on connection c (its lock held). */
static lh_err run_on(meta_conn *c, const char *begin, lh_meta_fn fn, void *arg, lh_errbuf *eb)
{
    LH_TRY(exec_raw(c->db, begin, eb));
    lh_err e = fn(&c->view, arg, eb);
    reset_touched(c);
    if (e == LH_OK)
        e = exec_raw(c->db, "COMMIT", eb);
    if (e != LH_OK)
        exec_raw(c->db, "ROLLBACK", NULL);
    return e;
}

static lh_err run_on_writer(meta_root *r, const char *begin, lh_meta_fn fn, void *arg,
                            lh_errbuf *eb)
{
    pthread_mutex_lock(&r->writer_mu);
    lh_err e = run_on(&r->writer, begin, fn, arg, eb);
    pthread_mutex_unlock(&r->writer_mu);
    return e;
}

static meta_conn *reader_take(meta_root *r)
{
    pthread_mutex_lock(&r->pool_mu);
    meta_conn *c = NULL;
    while (c == NULL) {
        for (int i = 0; i < r->reader_count && c == NULL; i++) {
            if (!r->readers[i].busy)
                c = &r->readers[i];
        }
        if (c == NULL)
            pthread_cond_wait(&r->pool_cv, &r->pool_mu);
    }
    c->busy = true;
    pthread_mutex_unlock(&r->pool_mu);
    return c;
}

static void reader_give(meta_root *r, meta_conn *c)
{
    pthread_mutex_lock(&r->pool_mu);
    c->busy = false;
    pthread_cond_signal(&r->pool_cv);
    pthread_mutex_unlock(&r->pool_mu);
}

lh_err lh_meta_read(lh_meta_t *m, lh_meta_fn fn, void *arg, lh_errbuf *eb)
{
    LH_ASSERT(m->conn == NULL); /* not from inside a callback: one connection per thread */
    meta_root *r = m->root;
    if (r->reader_count == 0)
        return run_on_writer(r, "BEGIN", fn, arg, eb);
    meta_conn *c = reader_take(r);
    lh_err e = run_on(c, "BEGIN", fn, arg, eb);
    reader_give(r, c);
    return e;
}

lh_err lh_meta_tx(lh_meta_t *m, lh_meta_fn fn, void *arg, lh_errbuf *eb)
{
    LH_ASSERT(m->conn == NULL); /* not from inside a callback: transactions do not nest */
    return run_on_writer(m->root, "BEGIN IMMEDIATE", fn, arg, eb);
}

static lh_err touch(meta_conn *c, lh_stmt_t *s, lh_errbuf *eb)
{
    if (s->touched)
        return LH_OK;
    if (c->touched_count == c->touched_cap) {
        size_t cap = c->touched_cap ? c->touched_cap * 2 : 16;
        lh_stmt_t **t = realloc(c->touched, cap * sizeof *t);
        LH_FAIL_IF(t == NULL, LH_E_NOMEM, eb, "out of memory");
        c->touched = t;
        c->touched_cap = cap;
    }
    c->touched[c->touched_count++] = s;
    s->touched = true;
    return LH_OK;
}

static lh_err prepare(meta_conn *c, const char *sql, lh_stmt_t **out, lh_errbuf *eb)
{
    lh_stmt_t *s = calloc(1, sizeof *s);
    char *key = strdup(sql);
    if (s == NULL || key == NULL) {
        free(s);
        free(key);
        LH_FAIL(LH_E_NOMEM, eb, "out of memory");
    }
    s->conn = c;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
    lh_err e =
        rc == SQLITE_OK ? lh_hashmap_put(c->stmts, key, s, eb) : sql_fail(c->db, rc, eb, "prepare");
    if (e != LH_OK) {
        stmt_free(s);
        free(key);
        return e;
    }
    *out = s;
    return LH_OK;
}

lh_err lh_meta_stmt(lh_meta_t *m, const char *sql, lh_stmt_t **out, lh_errbuf *eb)
{
    meta_conn *c = m->conn;
    LH_ASSERT(c != NULL); /* only inside a lh_meta_read / lh_meta_tx callback */
    lh_stmt_t *s = lh_hashmap_get(c->stmts, sql);
    if (s != NULL) {
        sqlite3_reset(s->st);
        sqlite3_clear_bindings(s->st);
    } else {
        LH_TRY(prepare(c, sql, &s, eb));
    }
    LH_TRY(touch(c, s, eb));
    s->bind_rc = SQLITE_OK;
    *out = s;
    return LH_OK;
}

lh_err lh_meta_exec(lh_meta_t *m, const char *sql, lh_errbuf *eb)
{
    lh_stmt_t *st = NULL;
    LH_TRY(lh_meta_stmt(m, sql, &st, eb));
    return lh_stmt_run(st, eb);
}

/* The connection a handle acts on: its own, or (outside callbacks) the writer. */
static sqlite3 *handle_db(lh_meta_t *m)
{
    return m->conn != NULL ? m->conn->db : m->root->writer.db;
}

int64_t lh_meta_last_insert_id(lh_meta_t *m)
{
    return sqlite3_last_insert_rowid(handle_db(m));
}

int lh_meta_changes(lh_meta_t *m)
{
    return sqlite3_changes(handle_db(m));
}

size_t lh_meta_stmt_cached(lh_meta_t *m)
{
    LH_ASSERT(m->conn != NULL);
    return lh_hashmap_count(m->conn->stmts);
}

int lh_meta_reader_count(lh_meta_t *m)
{
    return m->root->reader_count;
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

void lh_stmt_bind_blob(lh_stmt_t *st, int idx, const void *data, size_t bytes)
{
    if (data == NULL)
        bound(st, sqlite3_bind_null(st->st, idx));
    else
        bound(st, sqlite3_bind_blob64(st->st, idx, bytes > 0 ? data : "", (sqlite3_uint64)bytes,
                                      SQLITE_TRANSIENT));
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
    lh_err e = sql_fail(st->conn->db, rc, eb, "step");
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

const void *lh_stmt_blob(lh_stmt_t *st, int col, size_t *bytes)
{
    const void *p = sqlite3_column_blob(st->st, col);
    *bytes = (size_t)sqlite3_column_bytes(st->st, col);
    return p;
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
