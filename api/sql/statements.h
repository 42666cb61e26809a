/*
 * statements.h - the Statement Execution API (/api/2.0/sql/statements) over the engine
 * (compute/query/query.h), inside the SQL area.
 *
 *   POST   /api/2.0/sql/statements                      submit; wait up to wait_timeout
 *   GET    /api/2.0/sql/statements/{id}                 status, manifest, first chunk
 *   GET    /api/2.0/sql/statements/{id}/result/chunks/{n}
 *   POST   /api/2.0/sql/statements/{id}/cancel
 *   GET    /api/2.0/sql/statement-results/{id}/{file}   EXTERNAL_LINKS download (signed,
 *                                                       no token)
 *
 * A statement runs on the "statements" executor of the background service (no HTTP thread
 * waits), its operators on the warehouse's worker pool. A request that waits parks its
 * connection (api.h's lh_req_suspend) and is answered by the statement's completion or by
 * its wait_timeout (CONTINUE: the current PENDING/RUNNING answer; CANCEL: cancelled).
 *
 * Results: INLINE (JSON_ARRAY only, as Databricks: INLINE with ARROW_STREAM or CSV is 400
 * "The format field must be JSON_ARRAY when the disposition field is INLINE.") are kept in
 * memory as chunks of JSON rows. EXTERNAL_LINKS (JSON_ARRAY, ARROW_STREAM, CSV) are chunk
 * files under DATA_DIR/statement-results/<id>/ served through signed, expiring links
 * (stmt_results.c). Results expire LH_STATEMENT_RETENTION_MS (or
 * LAKEHOUSE_TEST_RESULT_TTL_MS) after the statement ended: the statement then answers
 * CLOSED, as Databricks' do, and its files are deleted.
 *
 * Durability: every statement has a row in meta.db (stmt_store.c) with its state, error,
 * manifest, counts, metrics, query tags and lineage, so query history survives a restart.
 * After a restart a statement that was PENDING or RUNNING answers FAILED ("The statement
 * was interrupted by a restart of the server"), an INLINE result answers CLOSED (it lived
 * in memory) and EXTERNAL_LINKS results stay downloadable until they expire.
 */
#ifndef LH_API_SQL_STATEMENTS_H
#define LH_API_SQL_STATEMENTS_H

#include "api/api.h"

typedef struct lh_statements lh_statements_t;

lh_err lh_statements_create(lh_ctx_t *ctx, lh_statements_t **out, lh_errbuf *eb);
/* Cancel what runs, wait for it, answer parked requests, free everything. */
void lh_statements_destroy(lh_statements_t *s);
/* /metrics: the data cache's hits, misses, inserts, evictions and bytes. */
void lh_statements_render_metrics(lh_statements_t *s, FILE *out);
const lh_route_t *lh_statements_routes(int *count);
/* After a restart, before serving: resolve statements in flight, reload kept results. */
lh_err lh_statements_recover(lh_statements_t *s, lh_errbuf *eb);

struct lh_meta;
/* The lineage recorded for a statement: a new JSON array of {direction: "input"|"output",
 * table_name, column_name?} (no column_name = the table as a whole), in recording order;
 * empty when none. For the lineage API (later) and tests. Thread-safe. */
lh_err lh_statements_lineage(struct lh_meta *meta, const char *statement_id, json_t **out,
                             lh_errbuf *eb);

#endif
