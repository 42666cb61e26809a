/*
 * meta.h - the SQLite metastore (DATA_DIR/meta.db).
 *
 * WAL mode with one writer connection and a small pool of reader connections
 * (LH_META_READERS). Callers run their work as a unit, either a read (lh_meta_read) or a
 * write transaction (lh_meta_tx, BEGIN IMMEDIATE ... COMMIT, rolled back when the
 * callback fails). Statements are prepared once per connection and cached by SQL text
 * (a hash map, no fixed cap), so callbacks just ask lh_meta_stmt for them.
 *
 * Schema changes happen only via numbered migrations (migrations.c), applied once at open
 * in one transaction each; PRAGMA user_version records the applied number. A database
 * from a newer build (user_version > ours) is refused.
 *
 * Concurrency contract:
 *   - every function may be called from any thread;
 *   - lh_meta_tx runs on the single writer connection: transactions are serialized;
 *   - lh_meta_read takes a free reader connection (waiting briefly when all are busy) and
 *     runs fn in a read transaction: reads run concurrently with each other and with the
 *     writer, and see one consistent snapshot (the last commit before their first
 *     statement), never a transaction in progress. Reader connections are query_only: a
 *     write inside lh_meta_read fails. A database without a shared file (":memory:" or ""
 *     for a private temp db) has no readers; reads then run on the writer, serialized;
 *   - inside a callback use only the handle it was given (lh_meta_stmt, lh_meta_exec,
 *     lh_meta_changes, lh_meta_last_insert_id, lh_stmt_*); never call lh_meta_read or
 *     lh_meta_tx from a callback (asserted: one connection per thread, no nesting).
 * Lock order: a caller's own locks (e.g. the clusters registry lock) may be held when
 * calling lh_meta_read / lh_meta_tx; the metastore's locks are leaves (it calls nothing
 * that takes another lock), and no metastore lock is held once the call returns.
 */
#ifndef LH_STORAGE_META_H
#define LH_STORAGE_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct lh_meta lh_meta_t;
typedef struct lh_stmt lh_stmt_t;

/* Open (creating) the database at path and apply migrations. */
lh_err lh_meta_open(const char *path, lh_meta_t **out, lh_errbuf *eb);
/* Close every connection; only once no lh_meta_read / lh_meta_tx is in flight. */
void lh_meta_close(lh_meta_t *m);
/* Number of migrations this build knows (the schema version it writes). */
int lh_meta_schema_version(void);

typedef lh_err (*lh_meta_fn)(lh_meta_t *m, void *arg, lh_errbuf *eb);
/* Run fn in a read transaction on a reader connection (see the contract above). */
lh_err lh_meta_read(lh_meta_t *m, lh_meta_fn fn, void *arg, lh_errbuf *eb);
/* Run fn inside BEGIN IMMEDIATE .. COMMIT; any error rolls back and is returned. */
lh_err lh_meta_tx(lh_meta_t *m, lh_meta_fn fn, void *arg, lh_errbuf *eb);

/* The prepared statement for sql on the callback's connection (prepared on first use,
 * cached under a copy of the text; any text works, but each distinct text stays cached
 * until close, so build SQL from a bounded set of shapes), reset and with bindings
 * cleared. Only valid inside a read/tx callback; the statement is reset when the
 * callback returns. */
lh_err lh_meta_stmt(lh_meta_t *m, const char *sql, lh_stmt_t **out, lh_errbuf *eb);
/* Run a statement with no result rows (inside a callback). */
lh_err lh_meta_exec(lh_meta_t *m, const char *sql, lh_errbuf *eb);
/* Of the callback's connection (inside a callback; outside one, of the writer). */
int64_t lh_meta_last_insert_id(lh_meta_t *m);
int lh_meta_changes(lh_meta_t *m);

/* Introspection for tests and metrics: statements cached on the callback's connection
 * (inside a callback only), and the number of reader connections (0 for private dbs). */
size_t lh_meta_stmt_cached(lh_meta_t *m);
int lh_meta_reader_count(lh_meta_t *m);

/* Bind parameters, 1-based. Text is copied by SQLite. NULL text binds SQL NULL. */
void lh_stmt_bind_text(lh_stmt_t *st, int idx, const char *text);
void lh_stmt_bind_int(lh_stmt_t *st, int idx, int64_t v);
/* Bytes as a BLOB (copied by SQLite); NULL data binds SQL NULL. */
void lh_stmt_bind_blob(lh_stmt_t *st, int idx, const void *data, size_t bytes);
void lh_stmt_bind_double(lh_stmt_t *st, int idx, double v);
void lh_stmt_bind_null(lh_stmt_t *st, int idx);
/* Step once: *has_row true when a row is ready. Constraint violations are LH_E_EXISTS. */
lh_err lh_stmt_step(lh_stmt_t *st, bool *has_row, lh_errbuf *eb);
/* Step to completion, ignoring rows. */
lh_err lh_stmt_run(lh_stmt_t *st, lh_errbuf *eb);
/* Columns of the current row, 0-based. Text is valid until the next step/reset; NULL
 * for SQL NULL. */
const char *lh_stmt_text(lh_stmt_t *st, int col);
/* A BLOB (or text) column's bytes, valid until the next step/reset; NULL for SQL NULL or
 * an empty value (*bytes 0 then). */
const void *lh_stmt_blob(lh_stmt_t *st, int col, size_t *bytes);
int64_t lh_stmt_int(lh_stmt_t *st, int col);
double lh_stmt_double(lh_stmt_t *st, int col);
bool lh_stmt_is_null(lh_stmt_t *st, int col);

#endif
