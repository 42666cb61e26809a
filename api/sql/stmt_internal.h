/*
 * stmt_internal.h - what the Statement Execution API's files share (statements.c: the
 * requests and the state machine; stmt_results.c: EXTERNAL_LINKS chunk files and links;
 * stmt_store.c: statement records, lineage and query history in meta.db).
 */
#ifndef LH_API_SQL_STMT_INTERNAL_H
#define LH_API_SQL_STMT_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "api/signed_url.h"
#include "api/sql/statements.h"
#include "common/bg.h"
#include "common/bytes.h"
#include "common/hashmap.h"
#include "compute/func/tz.h"
#include "compute/query/query.h"

typedef enum { ST_PENDING, ST_RUNNING, ST_SUCCEEDED, ST_FAILED, ST_CANCELED, ST_CLOSED } st_state;
extern const char *const lh_stmt_state_names[];

typedef enum { DISP_INLINE, DISP_EXTERNAL_LINKS } st_disposition;
typedef enum { FMT_JSON_ARRAY, FMT_ARROW_STREAM, FMT_CSV } st_format;
extern const char *const lh_stmt_disposition_names[];
extern const char *const lh_stmt_format_names[];

typedef struct chunk {
    int64_t row_offset, row_count, byte_count;
    json_t *rows; /* INLINE: array of arrays of strings or null; EXTERNAL_LINKS: NULL */
} chunk;

typedef struct waiter {
    lh_suspend_t *ticket;
    struct waiter *next;
} waiter;

/* The EXTERNAL_LINKS chunk being written (the runner's thread only). */
typedef struct links_writer {
    lh_byte_buf_t buf; /* the open chunk's bytes */
    int64_t rows;      /* rows in it */
    bool open;
    int col_count;
    char **col_names;
    lh_type_t *col_types;
} links_writer;

typedef struct stmt {
    char id[40];
    struct lh_statements *owner;
    pthread_mutex_t mu; /* guards everything below but the immutable request fields */
    int refs;           /* table + runner + one per in-flight render (atomic under mu) */
    st_state state;
    atomic_bool cancel;
    /* the request (immutable after submit) */
    char *sql, *warehouse_id, *catalog, *schema, *user;
    struct lh_sql_session *session; /* session_id's (referenced), or NULL: a fresh one */
    bool cat_given, sch_given;      /* given with a session: USE them for it */
    int64_t user_id;
    int64_t row_limit, byte_limit;
    int param_count;
    char **param_names;
    lh_value_t *param_values;
    bool cancel_on_timeout;
    st_disposition disposition;
    st_format format;
    char *query_tags; /* JSON array text, or NULL */
    /* the answer */
    json_t *columns; /* manifest.schema.columns */
    chunk *chunks;
    int chunk_count, chunk_cap;
    int64_t total_rows, total_bytes;
    int64_t limit_bytes; /* EXTERNAL_LINKS: bytes counted against byte_limit (internal sizes) */
    bool truncated;
    char *error_code, *error_message, *sql_state;
    waiter *waiters;
    int64_t ended_ms;
    int64_t expires_ms; /* results expire (0 until the statement ends) */
    links_writer lw;
    /* for query history */
    int64_t submitted_ms, started_ms;
    char statement_type[24];
    lh_exec_stats_t stats;
    int64_t compile_ns;
} stmt;

struct lh_statements {
    lh_ctx_t *ctx;
    pthread_mutex_t mu;  /* guards table */
    lh_hashmap_t *table; /* id -> stmt: running statements and kept results */
    lh_bg_executor_t *exec;
    lh_bg_timer_t *sweeper;
    lh_signed_url_t *signer;
    int64_t ttl_ms;                   /* results expire this long after the statement ended */
    int64_t memory_limit_bytes;       /* per query (stmt_cache.c) */
    struct lh_data_cache *data_cache; /* shared by every query, or NULL (stmt_cache.c) */
};

/* ---- stmt_cache.c: the data cache and the memory limit, from the configuration ---- */
lh_err lh_stmt_shared_init(lh_statements_t *s, lh_errbuf *eb);
void lh_stmt_shared_free(lh_statements_t *s);

/* ---- statements.c -------------------------------------------------------------------- */

/* The manifest of a SUCCEEDED statement (st->mu held); a new reference. */
json_t *lh_stmt_manifest(const stmt *st);
/* Free a statement no one references any more. */
void lh_stmt_free(stmt *st);

/* ---- stmt_results.c: EXTERNAL_LINKS ---------------------------------------------------- */

/* Remember the columns (chunk headers: the CSV header, the Arrow schema). */
lh_err lh_links_schema(stmt *st, const lh_query_columns_t *cols, lh_errbuf *eb);
/* Append rows of b to chunk files within the limits (st->mu not held; takes it to publish
 * a finished chunk). */
lh_err lh_links_batch(stmt *st, const lh_batch_t *b, const lh_tz_t *tz, lh_errbuf *eb);
/* Write the last open chunk. */
lh_err lh_links_finish(stmt *st, lh_errbuf *eb);
/* Free the writer's memory (not the files). */
void lh_links_writer_free(links_writer *lw);
/* Delete DATA_DIR/statement-results/<id> and what it holds. */
void lh_links_remove(const char *data_dir, const char *id);
/* ResultData {external_links: [link of chunk i]} (st->mu held). */
json_t *lh_links_result(const stmt *st, int i);
/* The routes' handler for the signed download. */
lh_err lh_links_download(lh_req_t *req, lh_errbuf *eb);

/* ---- stmt_store.c: meta.db ----------------------------------------------------------- */

/* Insert the statement's row (PENDING). */
lh_err lh_stmt_store_insert(lh_ctx_t *ctx, const stmt *st, lh_errbuf *eb);
/* Write the statement's state and answer (st->mu held). Errors are logged, not returned:
 * the in-memory statement stays authoritative while the daemon runs. */
void lh_stmt_store_update(lh_ctx_t *ctx, const stmt *st);
/* Record the lineage of the statement's last planned statement. */
void lh_stmt_store_lineage(lh_ctx_t *ctx, const char *id, const lh_lineage_t *lineage);
/* After a restart: PENDING/RUNNING -> FAILED, INLINE results -> CLOSED; the statements
 * whose EXTERNAL_LINKS results are still on disk are loaded into s->table. */
lh_err lh_stmt_store_recover(lh_statements_t *s, lh_errbuf *eb);
/* The sweeper's part: SUCCEEDED rows past their expiry -> CLOSED (their files deleted),
 * history older than LH_STATEMENT_HISTORY_MS deleted. */
void lh_stmt_store_sweep(lh_statements_t *s, int64_t now_ms);
/* GET of a statement no longer in memory: its stored status (NULL out = none). Sets
 * *user_id for the permission check. */
lh_err lh_stmt_store_render(lh_ctx_t *ctx, const char *id, json_t **out, int64_t *user_id,
                            lh_errbuf *eb);
/* GET /api/2.0/sql/history/queries over the stored rows. */
lh_err lh_stmt_store_history(lh_req_t *req, lh_errbuf *eb);

#endif
