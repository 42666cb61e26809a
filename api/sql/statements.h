/*
 * statements.h - the Statement Execution API (/api/2.0/sql/statements) over the engine
 * (compute/query/query.h), inside the SQL area.
 *
 *   POST   /api/2.0/sql/statements                      submit; wait up to wait_timeout
 *   GET    /api/2.0/sql/statements/{id}                 status, manifest, first chunk
 *   GET    /api/2.0/sql/statements/{id}/result/chunks/{n}
 *   POST   /api/2.0/sql/statements/{id}/cancel
 *
 * A statement runs on the "statements" executor of the background service (no HTTP thread
 * waits), its operators on the warehouse's worker pool. A request that waits parks its
 * connection (api.h's lh_req_suspend) and is answered by the statement's completion or by
 * its wait_timeout (CONTINUE: the current PENDING/RUNNING answer; CANCEL: cancelled).
 * Results are kept in memory as chunks of JSON rows (INLINE + JSON_ARRAY) until the
 * statement is closed by a cancel or expires (LH_STATEMENT_RETENTION_MS after it ended).
 * Statements live in memory only: a restart forgets them (GET answers 404).
 */
#ifndef LH_API_SQL_STATEMENTS_H
#define LH_API_SQL_STATEMENTS_H

#include "api/api.h"

typedef struct lh_statements lh_statements_t;

lh_err lh_statements_create(lh_ctx_t *ctx, lh_statements_t **out, lh_errbuf *eb);
/* Cancel what runs, wait for it, answer parked requests, free everything. */
void lh_statements_destroy(lh_statements_t *s);
const lh_route_t *lh_statements_routes(int *count);

#endif
